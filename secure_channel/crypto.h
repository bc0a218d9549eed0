/* SPDX-License-Identifier: Apache-2.0 */
/* crypto.h: the primitives SCP03 needs; crypto_mbedtls.c is their only implementation (a
 * port to mbedTLS 3 / PSA touches that one file). */
#ifndef SCB_CRYPTO_H
#define SCB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

int scb_aes_cmac(const uint8_t *key, size_t keylen, const uint8_t *data, size_t len,
                 uint8_t out[16]);
int scb_aes_ecb(const uint8_t *key, size_t keylen, const uint8_t in[16], uint8_t out[16]);
/* AES-CBC without padding; len a multiple of 16; iv is not modified. */
int scb_aes_cbc(const uint8_t *key, size_t keylen, const uint8_t iv[16], int encrypt,
                const uint8_t *in, size_t len, uint8_t *out);
/* Random bytes from a CTR-DRBG seeded from the platform entropy source. */
int scb_random(void *ctx, uint8_t *buf, size_t len);
/* Constant-time comparison: 0 when equal. */
int scb_ct_memcmp(const void *a, const void *b, size_t n);

#endif

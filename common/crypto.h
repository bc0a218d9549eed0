/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto.h: the crypto seam, on the ground floor (common/) so every part may use it without
 * reaching into secure_channel/. crypto_mbedtls.c is its only implementation: a port to
 * mbedTLS 3 / PSA touches that one file. Library code reaches zeroize and SHA-256 through
 * the public scb_util_zeroize() / scb_util_sha256() (util.h), which call scb_crypto_zeroize() /
 * scb_crypto_sha256() here; SCP03 uses the AES, CMAC, DRBG and constant-time primitives.
 */
#ifndef SCB_CRYPTO_H
#define SCB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* Overwrite len bytes at buf with zeros in a way the compiler may not optimise away. */
void scb_crypto_zeroize(void *buf, size_t len);
/* SHA-256 of data into out; SCB_E_CRYPTO on failure. */
int scb_crypto_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
/* HMAC-SHA-256 (RFC 2104) of data under key into out; SCB_E_CRYPTO on failure. */
int scb_crypto_hmac_sha256(const uint8_t *key, size_t keylen, const uint8_t *data, size_t len,
                           uint8_t out[32]);
/* Standard base64 (RFC 4648 §4, with padding) into dst of cap bytes; *olen the length written.
 * SCB_E_PARSE for input that is not base64, SCB_E_BUFFER when dst is too small. */
int scb_crypto_base64_decode(uint8_t *dst, size_t cap, size_t *olen, const uint8_t *src,
                             size_t slen);
int scb_crypto_base64_encode(uint8_t *dst, size_t cap, size_t *olen, const uint8_t *src,
                             size_t slen);
/* Whether der parses as a public key / a private key (no password) / an X.509 certificate. */
int scb_crypto_is_public_key(const uint8_t *der, size_t len);
int scb_crypto_is_private_key(const uint8_t *der, size_t len);
int scb_crypto_is_certificate(const uint8_t *der, size_t len);
/*
 * Whether the X.509 certificate der names host (RFC 6125 reference identity): an IPv4/IPv6
 * literal must equal an iPAddress entry of the subjectAltName; a DNS name must match a
 * subjectAltName entry, or without that extension a subject CN, as mbedTLS matches them
 * (case-insensitive, one left-most "*" label). SCB_OK: it does; SCB_E_NOT_FOUND: it does not;
 * SCB_E_PARSE: der is no certificate; SCB_E_INVALID_ARG: no host. names (cap bytes, may be
 * NULL) receives what the certificate names, printable and bounded, for a log line.
 */
/*
 * Whether host is a numeric address in any spelling getaddrinfo() takes without DNS (dotted,
 * shortened "127.1", a bare number, IPv6 with a zone "%eth0"); addr/alen get its bytes (4 or
 * 16). 1: it is; 0: it is a name.
 */
int scb_crypto_host_ip(const char *host, uint8_t addr[16], size_t *alen);
int scb_crypto_cert_names_host(const uint8_t *der, size_t len, const char *host, char *names,
                               size_t cap);

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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto_mbedtls.c: the only file of secure_channel/ that calls mbedTLS cipher, CMAC and
 * DRBG functions. Every key schedule is freed (and zeroized by mbedTLS) before returning.
 */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/platform_util.h>

#include "crypto.h"
#include "scboot/error.h"

static const mbedtls_cipher_info_t *ecb_info(size_t keylen)
{
    switch (keylen) {
    case 16: return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
    case 24: return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_192_ECB);
    case 32: return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_256_ECB);
    default: return NULL;
    }
}

int scb_aes_cmac(const uint8_t *key, size_t keylen, const uint8_t *data, size_t len,
                 uint8_t out[16])
{
    const mbedtls_cipher_info_t *info = ecb_info(keylen);
    if (info == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return mbedtls_cipher_cmac(info, key, keylen * 8, data, len, out) == 0 ? SCB_OK
                                                                            : SCB_E_CRYPTO;
}

int scb_aes_ecb(const uint8_t *key, size_t keylen, const uint8_t in[16], uint8_t out[16])
{
    mbedtls_aes_context aes;
    int ret;
    mbedtls_aes_init(&aes);
    ret = mbedtls_aes_setkey_enc(&aes, key, (unsigned)(keylen * 8));
    if (ret == 0) {
        ret = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, in, out);
    }
    mbedtls_aes_free(&aes);
    return ret == 0 ? SCB_OK : SCB_E_CRYPTO;
}

int scb_aes_cbc(const uint8_t *key, size_t keylen, const uint8_t iv[16], int encrypt,
                const uint8_t *in, size_t len, uint8_t *out)
{
    mbedtls_aes_context aes;
    uint8_t ivc[16];
    int ret;
    if (len % 16) {
        return SCB_E_INVALID_ARG;
    }
    memcpy(ivc, iv, 16); /* mbedtls_aes_crypt_cbc updates the IV in place */
    mbedtls_aes_init(&aes);
    ret = encrypt ? mbedtls_aes_setkey_enc(&aes, key, (unsigned)(keylen * 8))
                  : mbedtls_aes_setkey_dec(&aes, key, (unsigned)(keylen * 8));
    if (ret == 0) {
        ret = mbedtls_aes_crypt_cbc(&aes, encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT,
                                    len, ivc, in, out);
    }
    mbedtls_aes_free(&aes);
    mbedtls_platform_zeroize(ivc, sizeof(ivc));
    return ret == 0 ? SCB_OK : SCB_E_CRYPTO;
}

int scb_random(void *ctx, uint8_t *buf, size_t len)
{
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    static const char pers[] = "scboot scp03 host challenge";
    int ret;
    (void)ctx;
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, (const unsigned char *)pers,
                                sizeof(pers) - 1);
    if (ret == 0) {
        ret = mbedtls_ctr_drbg_random(&drbg, buf, len);
    }
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&ent);
    return ret == 0 ? SCB_OK : SCB_E_CRYPTO;
}

int scb_ct_memcmp(const void *a, const void *b, size_t n)
{
    return mbedtls_ct_memcmp(a, b, n);
}

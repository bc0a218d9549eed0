/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto_mbedtls.c: the only library file that calls mbedTLS (zeroize, SHA-256, key and
 * certificate parsing, cipher, CMAC, DRBG); the emulator's card side (pcsc/emu/) keeps its
 * own mbedTLS calls on purpose, so it cannot mirror a host bug. Every key schedule is freed
 * (and zeroized by mbedTLS) before returning.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <mbedtls/aes.h>
#include <mbedtls/base64.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "crypto.h"
#include "scboot/error.h"

void scb_crypto_zeroize(void *buf, size_t len)
{
    if (buf != NULL && len > 0) {
        mbedtls_platform_zeroize(buf, len);
    }
}

int scb_crypto_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
#if MBEDTLS_VERSION_MAJOR >= 3
    /* 3.x: mbedtls_sha256() returns int; the _ret form is gone */
    return mbedtls_sha256(data, len, out, 0) == 0 ? SCB_OK : SCB_E_CRYPTO;
#else
    /* 2.28: mbedtls_sha256() is the deprecated void form; _ret is the current one */
    return mbedtls_sha256_ret(data, len, out, 0) == 0 ? SCB_OK : SCB_E_CRYPTO;
#endif
}

int scb_crypto_hmac_sha256(const uint8_t *key, size_t keylen, const uint8_t *data, size_t len,
                           uint8_t out[32])
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    return md && mbedtls_md_hmac(md, key, keylen, data, len, out) == 0 ? SCB_OK : SCB_E_CRYPTO;
}

int scb_crypto_base64_decode(uint8_t *dst, size_t cap, size_t *olen, const uint8_t *src,
                             size_t slen)
{
    int r = mbedtls_base64_decode(dst, cap, olen, src, slen);
    return r == 0 ? SCB_OK : r == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL ? SCB_E_BUFFER : SCB_E_PARSE;
}

int scb_crypto_base64_encode(uint8_t *dst, size_t cap, size_t *olen, const uint8_t *src,
                             size_t slen)
{
    return mbedtls_base64_encode(dst, cap, olen, src, slen) == 0 ? SCB_OK : SCB_E_BUFFER;
}

int scb_crypto_is_public_key(const uint8_t *der, size_t len)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int ok = der != NULL && len > 0 && mbedtls_pk_parse_public_key(&pk, der, len) == 0;
    mbedtls_pk_free(&pk);
    return ok;
}

int scb_crypto_is_private_key(const uint8_t *der, size_t len)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
#if MBEDTLS_VERSION_MAJOR >= 3
    /* 3.x wants an RNG for the blinding of the consistency check */
    int ok = der != NULL && len > 0 &&
             mbedtls_pk_parse_key(&pk, der, len, NULL, 0, scb_random, NULL) == 0;
#else
    int ok = der != NULL && len > 0 && mbedtls_pk_parse_key(&pk, der, len, NULL, 0) == 0;
#endif
    mbedtls_pk_free(&pk);
    return ok;
}

int scb_crypto_is_certificate(const uint8_t *der, size_t len)
{
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ok = der != NULL && len > 0 && mbedtls_x509_crt_parse_der(&crt, der, len) == 0;
    mbedtls_x509_crt_free(&crt);
    return ok;
}

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

#define SAN_TAG(t) (MBEDTLS_ASN1_CONTEXT_SPECIFIC | (t))

/* Append one name to the list for the log: printable ASCII only, the rest as '?'. */
static void names_add(char *out, size_t cap, const char *prefix, const unsigned char *p,
                      size_t n)
{
    size_t o = strlen(out);
    if (o + 1 >= cap) {
        return;
    }
    if (o > 0) {
        o += (size_t)snprintf(out + o, cap - o, ", ");
    }
    if (o + 1 < cap) {
        o += (size_t)snprintf(out + o, cap - o, "%s", prefix);
    }
    for (size_t k = 0; k < n && o + 1 < cap; k++) {
        out[o++] = p[k] >= 0x20 && p[k] < 0x7f ? (char)p[k] : '?';
    }
    out[o < cap ? o : cap - 1] = '\0';
}

/* Everything the certificate names a host by: DNS and IP SAN entries, else its CNs. */
static void names_list(const mbedtls_x509_crt *crt, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    out[0] = '\0';
    if (crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME) {
        for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s; s = s->next) {
            if (s->buf.p == NULL) {
                continue;
            }
            if (s->buf.tag == SAN_TAG(MBEDTLS_X509_SAN_DNS_NAME)) {
                names_add(out, cap, "", s->buf.p, s->buf.len);
            } else if (s->buf.tag == SAN_TAG(MBEDTLS_X509_SAN_IP_ADDRESS) &&
                       (s->buf.len == 4 || s->buf.len == 16) &&
                       inet_ntop(s->buf.len == 4 ? AF_INET : AF_INET6, s->buf.p, ip,
                                 sizeof(ip)) != NULL) {
                names_add(out, cap, "", (const unsigned char *)ip, strlen(ip));
            }
        }
    } else {
        for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next) {
            if (n->oid.p && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0) {
                names_add(out, cap, "CN ", n->val.p, n->val.len);
            }
        }
    }
    if (out[0] == '\0') {
        snprintf(out, cap, "no host name");
    }
}

/*
 * RFC 6125 does not let an IP address match a CN or a dNSName, and mbedTLS 2.28 has no
 * iPAddress matching: its SAN list still carries the entries, tagged, so compare their bytes
 * with the address.
 */
static int names_ip(const mbedtls_x509_crt *crt, const uint8_t *addr, size_t alen)
{
    if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME)) {
        return 0;
    }
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s; s = s->next) {
        if (s->buf.p && s->buf.tag == SAN_TAG(MBEDTLS_X509_SAN_IP_ADDRESS) &&
            s->buf.len == alen && memcmp(s->buf.p, addr, alen) == 0) {
            return 1;
        }
    }
    return 0;
}

int scb_crypto_host_ip(const char *host, uint8_t addr[16], size_t *alen)
{
    struct addrinfo hints, *ai = NULL;
    int found = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_NUMERICHOST; /* every spelling the resolver dials without DNS */
    if (host == NULL || getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL) {
        return 0;
    }
    if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(addr, &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr, 4);
        *alen = 4;
        found = 1;
    } else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6)) {
        memcpy(addr, &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr, 16);
        *alen = 16;
        found = 1;
    }
    freeaddrinfo(ai);
    return found;
}

int scb_crypto_cert_names_host(const uint8_t *der, size_t len, const char *host, char *names,
                               size_t cap)
{
    size_t alen = 0;
    mbedtls_x509_crt crt;
    uint8_t addr[16];
    uint32_t flags = 0;
    int ret;

    if (names && cap) {
        names[0] = '\0';
    }
    if (host == NULL || host[0] == '\0') {
        return SCB_E_INVALID_ARG;
    }
    mbedtls_x509_crt_init(&crt);
    if (der == NULL || len == 0 || mbedtls_x509_crt_parse_der(&crt, der, len) != 0) {
        mbedtls_x509_crt_free(&crt);
        return SCB_E_PARSE;
    }
    if (scb_crypto_host_ip(host, addr, &alen)) {
        /* 127.1, 2130706433 and fe80::1%eth0 are addresses too: never a DNS name's spelling */
        ret = names_ip(&crt, addr, alen) ? SCB_OK : SCB_E_NOT_FOUND;
    } else if (host[strlen(host) - 1] == '.') {
        ret = SCB_E_NOT_FOUND; /* a fully-qualified spelling: the caller strips the dot */
    } else {
        /* No trust list: the chain was validated by the DTLS stack already; only the name
         * verdict (checked before any chain building) is used here. */
        (void)mbedtls_x509_crt_verify(&crt, NULL, NULL, host, &flags, NULL, NULL);
        ret = (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) ? SCB_E_NOT_FOUND : SCB_OK;
    }
    if (names && cap) {
        names_list(&crt, names, cap);
    }
    mbedtls_x509_crt_free(&crt);
    return ret;
}

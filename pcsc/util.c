/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c: hex text, SHA-256 (mbedTLS) for fingerprints and redaction, bounded file reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "scboot/error.h"
#include "scboot/util.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int scb_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;
    int hi = -1;

    if (hex == NULL || len == NULL || (cap > 0 && out == NULL)) {
        return SCB_E_INVALID_ARG;
    }
    for (const char *p = hex; *p; p++) {
        if (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t' || *p == '\r') {
            continue;
        }
        int v = hexval(*p);
        if (v < 0) {
            return SCB_E_PARSE;
        }
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= cap) {
            return SCB_E_BUFFER;
        }
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    if (hi >= 0) {
        return SCB_E_PARSE; /* odd number of digits */
    }
    *len = n;
    return SCB_OK;
}

void scb_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t n = 0;

    if (out == NULL || cap == 0) {
        return;
    }
    for (size_t i = 0; i < len && n + 2 < cap; i++) {
        out[n++] = digits[in[i] >> 4];
        out[n++] = digits[in[i] & 0x0F];
    }
    out[n] = '\0';
}

int scb_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    return mbedtls_sha256_ret(data, len, out, 0) == 0 ? SCB_OK : SCB_E_CRYPTO;
}

int scb_sha256_prefix(const uint8_t *data, size_t len, char *out, size_t cap)
{
    uint8_t h[32];
    int ret;

    if (out == NULL || cap < 9) {
        return SCB_E_BUFFER;
    }
    if ((ret = scb_sha256(data, len, h)) < 0) {
        return ret;
    }
    scb_hex_encode(h, 4, out, cap);
    for (char *p = out; *p; p++) {
        if (*p >= 'A' && *p <= 'F') {
            *p = (char)(*p - 'A' + 'a');
        }
    }
    return SCB_OK;
}

int scb_read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
    FILE *f;
    uint8_t *buf;
    size_t n = 0, cap = 4096;
    struct stat st;

    if (path == NULL || data == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (size_t)st.st_size < max) {
        cap = (size_t)st.st_size + 1; /* one read of the right size, EOF seen on the next */
    }
    buf = malloc(cap);
    if (buf == NULL) {
        goto nomem;
    }
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                goto nomem;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            break;
        }
        if (n > max) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        if (f != stdin) {
            fclose(f);
        }
        return SCB_E_IO;
    }
    if (f != stdin) {
        fclose(f);
    }
    if (n > max) {
        free(buf);
        return SCB_E_TOO_LARGE;
    }
    if (n < cap) {
        uint8_t *shrunk = realloc(buf, n ? n : 1); /* hand back what the file needs only */
        if (shrunk) {
            buf = shrunk;
        }
    }
    *data = buf;
    *len = n;
    return SCB_OK;
nomem:
    free(buf);
    if (f != stdin) {
        fclose(f);
    }
    return SCB_E_NOMEM;
}

int scb_read_text(const char *path, size_t max, char **text, size_t *len)
{
    uint8_t *data;
    size_t n;
    int ret = scb_read_file(path, max, &data, &n);
    if (ret < 0) {
        return ret;
    }
    char *t = realloc(data, n + 1);
    if (t == NULL) {
        mbedtls_platform_zeroize(data, n);
        free(data);
        return SCB_E_NOMEM;
    }
    t[n] = '\0';
    *text = t;
    *len = n;
    return SCB_OK;
}

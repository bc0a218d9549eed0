/* SPDX-License-Identifier: Apache-2.0 */
/*
 * endpoint.c: the Endpoint Client Name from a literal or a template over the device's facts
 * (scboot/endpoint.h). The name goes into the Uri-Query `ep=` of the Bootstrap-Request as it
 * is: a Bootstrap-Server looks the client up by these bytes, so a name that would need
 * percent-encoding is refused rather than sent in a form another server may not decode.
 */
#include "scboot/endpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "scboot/error.h"
#include "scboot/util.h"

/* /etc/machine-id holds 32 hex digits and a newline; a longer file is not one */
#define MACHINE_ID_FILE_MAX 4096u

/*
 * The application key of scboot's machine-derived UUID: machine-id(5) asks applications
 * never to expose the ID itself but a keyed hash of it under a fixed application key, which
 * is what `systemd-id128 machine-id --app-specific=42518af425ce4d468aa2409cc403f2fc` prints.
 */
static const uint8_t app_key[16] = {0x42, 0x51, 0x8a, 0xf4, 0x25, 0xce, 0x4d, 0x46,
                                    0x8a, 0xa2, 0x40, 0x9c, 0xc4, 0x03, 0xf2, 0xfc};

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
                                                     const char *fmt, ...)
{
    va_list ap;
    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return 0;
}

void scb_endpoint_facts_init(struct scb_endpoint_facts *f)
{
    memset(f, 0, sizeof(*f));
}

static int is_hex32(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == 32 && s[n] == '\0';
}

int scb_endpoint_facts_from_host(struct scb_endpoint_facts *f, const char *machine_id_path)
{
    char *text = NULL;
    size_t len = 0;
    if (f == NULL) {
        return SCB_E_INVALID_ARG;
    }
    f->hostname[0] = '\0';
    if (gethostname(f->hostname, sizeof(f->hostname) - 1) < 0) {
        f->hostname[0] = '\0';
    }
    f->hostname[sizeof(f->hostname) - 1] = '\0';
    f->machine_id[0] = '\0';
    if (scb_util_read_text(machine_id_path ? machine_id_path : "/etc/machine-id", MACHINE_ID_FILE_MAX,
                      &text, &len) == SCB_OK) {
        text[strcspn(text, "\n")] = '\0';
        if (is_hex32(text)) { /* "uninitialized" or anything else: not known */
            snprintf(f->machine_id, sizeof(f->machine_id), "%s", text);
        }
        scb_util_zeroize(text, len);
        free(text);
    }
    return SCB_OK;
}

static int allowed(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           strchr("-._~:", ch) != NULL;
}

int scb_endpoint_check(const char *name, char *err, size_t errlen)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0) {
        fail(err, errlen, "the endpoint name is empty");
        return SCB_E_INVALID_ARG;
    }
    if (n > SCB_ENDPOINT_MAX) {
        fail(err, errlen, "the endpoint name is %zu bytes long, at most %u fit the "
                          "Bootstrap-Request", n, SCB_ENDPOINT_MAX);
        return SCB_E_TOO_LARGE;
    }
    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)name[k];
        if (!allowed(ch)) {
            if (ch > 0x20 && ch < 0x7f) {
                fail(err, errlen, "the endpoint name has '%c' at byte %zu: only letters, digits "
                                  "and - . _ ~ : are sent as they are", ch, k + 1);
            } else {
                fail(err, errlen, "the endpoint name has byte 0x%02X at byte %zu: only letters, "
                                  "digits and - . _ ~ : are sent as they are", ch, k + 1);
            }
            return SCB_E_INVALID_ARG;
        }
    }
    return SCB_OK;
}

/* The machine-derived UUID (8-4-4-4-12, version 4 form) into out; SCB_E_NOT_FOUND without one. */
static int machine_uuid(const char *machine_id, char *out, size_t cap)
{
    uint8_t id[16], mac[32];
    size_t n = 0;
    int ret;
    if (!is_hex32(machine_id) || scb_util_hex_decode(machine_id, id, sizeof(id), &n) < 0 ||
        n != sizeof(id)) {
        return SCB_E_NOT_FOUND;
    }
    ret = scb_crypto_hmac_sha256(id, sizeof(id), app_key, sizeof(app_key), mac);
    scb_util_zeroize(id, sizeof(id));
    if (ret < 0) {
        return ret;
    }
    mac[6] = (uint8_t)((mac[6] & 0x0F) | 0x40);
    mac[8] = (uint8_t)((mac[8] & 0x3F) | 0x80);
    snprintf(out, cap,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", mac[0],
             mac[1], mac[2], mac[3], mac[4], mac[5], mac[6], mac[7], mac[8], mac[9], mac[10],
             mac[11], mac[12], mac[13], mac[14], mac[15]);
    scb_util_zeroize(mac, sizeof(mac));
    return SCB_OK;
}

static int all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strspn(s, "0123456789");
    return s[n] == '\0' && n >= min && n <= max;
}

/*
 * The value of one placeholder into val; SCB_E_NOT_FOUND (err: what is missing) or
 * SCB_E_INVALID_ARG (unknown name).
 */
static int fact(const char *name, size_t nlen, const struct scb_endpoint_facts *f, char *val,
                size_t cap, char *err, size_t errlen)
{
    static const struct scb_endpoint_facts none;
    const struct scb_endpoint_facts *k = f ? f : &none;
#define IS(s) (nlen == sizeof(s) - 1 && memcmp(name, s, nlen) == 0)
    if (IS("iccid")) {
        if (!all_digits(k->iccid, 1, 22)) { /* padding F nibbles already gone */
            fail(err, errlen, "the template needs {iccid}: the card's ICCID is not known (no "
                              "card read, or none in the reader)");
            return SCB_E_NOT_FOUND;
        }
        snprintf(val, cap, "%s", k->iccid);
    } else if (IS("imei")) {
        if (!all_digits(k->imei, 15, 15)) {
            fail(err, errlen, "the template needs {imei}: the modem's IMEI is not known");
            return SCB_E_NOT_FOUND;
        }
        snprintf(val, cap, "%s", k->imei);
    } else if (IS("hostname")) {
        if (k->hostname[0] == '\0' || strcmp(k->hostname, "localhost") == 0 ||
            strncmp(k->hostname, "localhost.", 10) == 0) {
            fail(err, errlen, "the template needs {hostname}: the host name is %s, which does "
                              "not identify this device",
                 k->hostname[0] ? "'localhost'" : "not set");
            return SCB_E_NOT_FOUND;
        }
        snprintf(val, cap, "%s", k->hostname);
    } else if (IS("machine-id")) {
        int ret = machine_uuid(k->machine_id, val, cap);
        if (ret == SCB_E_NOT_FOUND) {
            fail(err, errlen, "the template needs {machine-id}: /etc/machine-id is missing, "
                              "empty or not 32 hex digits");
        }
        return ret;
    } else {
        fail(err, errlen, "unknown placeholder {%.*s} in the endpoint name: {iccid}, {imei}, "
                          "{hostname} or {machine-id}", (int)(nlen > 40 ? 40 : nlen), name);
        return SCB_E_INVALID_ARG;
    }
#undef IS
    return SCB_OK;
}

int scb_endpoint_build(const char *spec, const struct scb_endpoint_facts *f, char *out,
                       size_t cap, char *err, size_t errlen)
{
    char val[300];
    size_t o = 0;
    int ret;

    if (spec == NULL || out == NULL || cap == 0) {
        fail(err, errlen, "no endpoint name given");
        return SCB_E_INVALID_ARG;
    }
    out[0] = '\0';
    for (const char *p = spec; *p;) {
        size_t vlen;
        if (*p == '{') {
            const char *close = strchr(p + 1, '}');
            if (close == NULL) {
                out[0] = '\0'; /* a refusal leaves no partial name */
                fail(err, errlen, "the endpoint name has a '{' without its '}'");
                return SCB_E_INVALID_ARG;
            }
            if ((ret = fact(p + 1, (size_t)(close - p - 1), f, val, sizeof(val), err, errlen)) <
                0) {
                out[0] = '\0';
                return ret;
            }
            p = close + 1;
            vlen = strlen(val);
        } else {
            vlen = 1;
            val[0] = *p++;
            val[1] = '\0';
        }
        if (o + vlen > SCB_ENDPOINT_MAX || o + vlen >= cap) {
            out[0] = '\0';
            scb_util_zeroize(val, sizeof(val));
            fail(err, errlen, "the endpoint name is longer than %u bytes", SCB_ENDPOINT_MAX);
            return SCB_E_TOO_LARGE;
        }
        memcpy(out + o, val, vlen);
        o += vlen;
        out[o] = '\0';
    }
    if ((ret = scb_endpoint_check(out, err, errlen)) < 0) {
        out[0] = '\0';
    }
    return ret;
}

int scb_endpoint_resolve(const char *spec, const char *iccid, const char *imei, char *out,
                         size_t cap, char *err, size_t errlen)
{
    struct scb_endpoint_facts f;
    scb_endpoint_facts_init(&f);
    scb_endpoint_facts_from_host(&f, NULL);
    if (iccid) {
        snprintf(f.iccid, sizeof(f.iccid), "%s", iccid);
    }
    if (imei) {
        snprintf(f.imei, sizeof(f.imei), "%s", imei);
    }
    return scb_endpoint_build(spec, &f, out, cap, err, errlen);
}

/*
 * The template with every fact known: what is left is a placeholder or character error of the
 * text itself (a fact missing at run time is said then).
 */
int scb_endpoint_template_check(const char *spec, char *err, size_t errlen)
{
    struct scb_endpoint_facts f;
    char out[SCB_ENDPOINT_MAX + 1];
    scb_endpoint_facts_init(&f);
    snprintf(f.iccid, sizeof(f.iccid), "0");
    snprintf(f.imei, sizeof(f.imei), "000000000000000");
    snprintf(f.hostname, sizeof(f.hostname), "h");
    snprintf(f.machine_id, sizeof(f.machine_id), "00000000000000000000000000000000");
    return scb_endpoint_build(spec, &f, out, sizeof(out), err, errlen);
}

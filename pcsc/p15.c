/* SPDX-License-Identifier: Apache-2.0 */
/*
 * p15.c: PKCS#15 DER as found on UICCs: EF DIR templates (TS 102 221 13.1), the ODF (ISO
 * 7816-15 PKCS15Objects CHOICE of Paths) and DODF entries (opaqueDO / oidDO), including the
 * double-encoded OID real SIMs copy from the example in the LwM2M specification.
 */
#include <stdio.h>
#include <string.h>

#include "scboot/error.h"
#include "scboot/p15.h"

int scb_p15_der_next(const uint8_t *buf, size_t len, size_t *pos, uint8_t *tag, const uint8_t **val,
                     size_t *vlen)
{
    if (buf == NULL || pos == NULL || tag == NULL || val == NULL || vlen == NULL) {
        return SCB_E_INVALID_ARG;
    }
    size_t p = *pos, l;

    if (p >= len || len - p < 2) {
        return SCB_E_P15_MALFORMED;
    }
    *tag = buf[p++];
    if ((*tag & 0x1F) == 0x1F) {
        return SCB_E_P15_MALFORMED; /* multi-byte tags do not occur in these structures */
    }
    l = buf[p++];
    if (l & 0x80) {
        size_t nb = l & 0x7F;
        if (nb == 0 || nb > 3 || nb > len - p) {
            return SCB_E_P15_MALFORMED;
        }
        l = 0;
        for (size_t k = 0; k < nb; k++) {
            l = (l << 8) | buf[p++];
        }
    }
    if (l > len - p) {
        return SCB_E_P15_MALFORMED;
    }
    *val = buf + p;
    *vlen = l;
    *pos = p + l;
    return SCB_OK;
}

static void copy_label(char *dst, const uint8_t *v, size_t n)
{
    size_t k, o = 0;
    for (k = 0; k < n && o + 1 < SCB_P15_LABEL_MAX; k++) {
        dst[o++] = (v[k] >= 0x20 && v[k] < 0x7F) ? (char)v[k] : '?';
    }
    dst[o] = '\0';
}

int scb_p15_parse_dir_record(const uint8_t *rec, size_t len, struct scb_dir_app *app)
{
    if (rec == NULL || app == NULL) {
        return SCB_E_INVALID_ARG;
    }
    size_t pos = 0, ip = 0, vl;
    const uint8_t *v;
    uint8_t tag;
    int ret;

    memset(app, 0, sizeof(*app));
    if (len == 0 || rec[0] == 0xFF || rec[0] == 0x00) {
        return SCB_E_NOT_FOUND; /* unused record */
    }
    if ((ret = scb_p15_der_next(rec, len, &pos, &tag, &v, &vl)) < 0) {
        return ret;
    }
    if (tag != 0x61) {
        return SCB_E_P15_MALFORMED;
    }
    while (ip < vl) {
        const uint8_t *iv;
        size_t il;
        if ((ret = scb_p15_der_next(v, vl, &ip, &tag, &iv, &il)) < 0) {
            return ret;
        }
        if (tag == 0x4F) {
            if (il == 0 || il > sizeof(app->aid)) {
                return SCB_E_P15_MALFORMED;
            }
            memcpy(app->aid, iv, il);
            app->aid_len = il;
        } else if (tag == 0x50) {
            copy_label(app->label, iv, il);
        } else if (tag == 0x51) {
            if (il > sizeof(app->path)) {
                return SCB_E_P15_MALFORMED;
            }
            memcpy(app->path, iv, il);
            app->path_len = il;
        }
    }
    return app->aid_len ? SCB_OK : SCB_E_P15_MALFORMED;
}

/* Path ::= SEQUENCE { path OCTET STRING, index INTEGER OPTIONAL, length [0] INTEGER OPTIONAL } */
static int parse_path(const uint8_t *v, size_t vl, struct scb_p15_path *p)
{
    size_t pos = 0;
    int seen_path = 0, ret;

    memset(p, 0, sizeof(*p));
    while (pos < vl) {
        const uint8_t *iv;
        size_t il;
        uint8_t tag;
        if ((ret = scb_p15_der_next(v, vl, &pos, &tag, &iv, &il)) < 0) {
            return ret;
        }
        if (tag == 0x04 && !seen_path) {
            if (il == 0 || il > sizeof(p->path) || il % 2) {
                return SCB_E_P15_MALFORMED;
            }
            memcpy(p->path, iv, il);
            p->len = il;
            seen_path = 1;
        } else if (tag == 0x02 || tag == 0x80) {
            size_t x = 0;
            if (il == 0 || il > 3) {
                return SCB_E_P15_MALFORMED;
            }
            for (size_t k = 0; k < il; k++) {
                x = (x << 8) | iv[k];
            }
            if (tag == 0x02) {
                p->has_index = 1;
                p->index = x;
            } else {
                p->length = x;
            }
        }
    }
    return seen_path ? SCB_OK : SCB_E_P15_MALFORMED;
}

static int is_padding(const uint8_t *buf, size_t len, size_t pos)
{
    return pos < len && (buf[pos] == 0x00 || buf[pos] == 0xFF);
}

int scb_p15_parse_odf(const uint8_t *buf, size_t len, uint8_t tag, struct scb_p15_path *paths,
                      size_t max, size_t *n)
{
    if (buf == NULL || paths == NULL || n == NULL) {
        return SCB_E_INVALID_ARG;
    }
    size_t pos = 0;
    int ret;

    *n = 0;
    while (pos < len && !is_padding(buf, len, pos)) {
        const uint8_t *v, *pv;
        size_t vl, pl, ip = 0;
        uint8_t t, pt;
        if ((ret = scb_p15_der_next(buf, len, &pos, &t, &v, &vl)) < 0) {
            return ret;
        }
        if (t != tag) {
            continue;
        }
        /* [n] Path: the Path SEQUENCE inside the context tag */
        if ((ret = scb_p15_der_next(v, vl, &ip, &pt, &pv, &pl)) < 0) {
            return ret;
        }
        if (pt != 0x30) {
            return SCB_E_P15_MALFORMED;
        }
        if (*n >= max) {
            return SCB_E_TOO_LARGE;
        }
        if ((ret = parse_path(pv, pl, &paths[*n])) < 0) {
            return ret;
        }
        (*n)++;
    }
    return SCB_OK;
}

/* Call fn for every DER TLV of a constructed value, in order. */
typedef int (*der_fn)(void *ctx, uint8_t tag, const uint8_t *v, size_t n);

static int der_each(const uint8_t *buf, size_t len, der_fn fn, void *ctx)
{
    size_t pos = 0;
    int ret;
    while (pos < len) {
        const uint8_t *v;
        size_t n;
        uint8_t tag;
        if ((ret = scb_p15_der_next(buf, len, &pos, &tag, &v, &n)) < 0 ||
            (ret = fn(ctx, tag, v, n)) < 0) {
            return ret;
        }
    }
    return SCB_OK;
}

/* CommonObjectAttributes ::= SEQUENCE { label, flags BIT STRING, authId, ... } */
static int common_object_field(void *ctx, uint8_t tag, const uint8_t *iv, size_t il)
{
    struct scb_p15_dobj *o = ctx;
    if (tag == 0x0C) {
        copy_label(o->label, iv, il);
    } else if (tag == 0x03 && il >= 2) {
        /* BIT STRING: unused-bits byte, then bits: private (0) = 0x80, modifiable (1) = 0x40 */
        o->private_flag = (iv[1] & 0x80) != 0;
        o->modifiable = (iv[1] & 0x40) != 0;
    } else if (tag == 0x04 && il <= sizeof(o->auth_id)) {
        memcpy(o->auth_id, iv, il);
        o->auth_id_len = il;
    }
    return SCB_OK;
}

/* An OID TLV body; unwraps the double encoding 06 len <OID content> inside the OID. */
static int take_oid(const uint8_t *v, size_t vl, struct scb_p15_dobj *o)
{
    if (vl >= 2 && v[0] == 0x06 && v[1] == vl - 2 && vl - 2 > 0) {
        v += 2;
        vl -= 2;
        o->oid_double = 1;
    }
    if (vl == 0 || vl > sizeof(o->oid)) {
        return SCB_E_P15_MALFORMED;
    }
    memcpy(o->oid, v, vl);
    o->oid_len = vl;
    return SCB_OK;
}

/* CommonDataObjectAttributes ::= SEQUENCE { applicationName, applicationOID } */
static int common_data_field(void *ctx, uint8_t tag, const uint8_t *iv, size_t il)
{
    struct scb_p15_dobj *o = ctx;
    if (tag == 0x0C) {
        copy_label(o->app_name, iv, il);
    } else if (tag == 0x06) {
        return take_oid(iv, il, o);
    }
    return SCB_OK;
}

/* [1] typeAttributes: oidDO -> OidDO SEQUENCE { id OID, value Path }; opaqueDO -> Path */
static int parse_type_attrs(const uint8_t *v, size_t vl, struct scb_p15_dobj *o)
{
    size_t pos = 0, ip = 0;
    const uint8_t *sv, *iv;
    size_t sl, il;
    uint8_t tag;
    int ret;

    if ((ret = scb_p15_der_next(v, vl, &pos, &tag, &sv, &sl)) < 0) {
        return ret;
    }
    if (tag != 0x30) {
        return SCB_OK; /* a direct value or something else: no path here */
    }
    if (o->form != SCB_P15_OID_DO) {
        if (parse_path(sv, sl, &o->path) == SCB_OK) {
            o->has_path = 1;
        }
        return SCB_OK;
    }
    while (ip < sl) {
        if ((ret = scb_p15_der_next(sv, sl, &ip, &tag, &iv, &il)) < 0) {
            return ret;
        }
        if (tag == 0x06) {
            if ((ret = take_oid(iv, il, o)) < 0) {
                return ret;
            }
        } else if (tag == 0x30 && !o->has_path) {
            if ((ret = parse_path(iv, il, &o->path)) < 0) {
                return ret;
            }
            o->has_path = 1;
        }
    }
    return SCB_OK;
}

static int parse_dobj(uint8_t form, const uint8_t *v, size_t vl, struct scb_p15_dobj *o)
{
    size_t pos = 0;
    int idx = 0, ret;

    memset(o, 0, sizeof(*o));
    o->form = (enum scb_p15_form)form;
    while (pos < vl) {
        const uint8_t *iv;
        size_t il;
        uint8_t tag;
        if ((ret = scb_p15_der_next(v, vl, &pos, &tag, &iv, &il)) < 0) {
            return ret;
        }
        if (tag == 0x30 && idx == 0) {
            ret = der_each(iv, il, common_object_field, o);
        } else if (tag == 0x30 && idx == 1) {
            ret = der_each(iv, il, common_data_field, o);
        } else if (tag == 0xA1) {
            ret = parse_type_attrs(iv, il, o);
        } else {
            ret = SCB_OK; /* [0] subclass attributes and anything else */
        }
        if (ret < 0) {
            return ret;
        }
        idx++;
    }
    return SCB_OK;
}

int scb_p15_parse_dodf(const uint8_t *buf, size_t len, struct scb_p15_dobj *objs, size_t max,
                       size_t *n)
{
    if (buf == NULL || objs == NULL || n == NULL) {
        return SCB_E_INVALID_ARG;
    }
    size_t pos = 0;
    int ret;

    *n = 0;
    while (pos < len && !is_padding(buf, len, pos)) {
        const uint8_t *v;
        size_t vl;
        uint8_t tag;
        if ((ret = scb_p15_der_next(buf, len, &pos, &tag, &v, &vl)) < 0) {
            return ret;
        }
        if (tag != SCB_P15_OPAQUE_DO && tag != SCB_P15_OID_DO && tag != SCB_P15_EXTERNAL_DO) {
            continue; /* unknown DODF entries are skipped */
        }
        if (*n >= max) {
            return SCB_E_TOO_LARGE;
        }
        if ((ret = parse_dobj(tag, v, vl, &objs[*n])) < 0) {
            return ret;
        }
        (*n)++;
    }
    return SCB_OK;
}

/* ---- AODF --------------------------------------------------------------------------------- */

/* A non-negative DER INTEGER of up to 3 content bytes (a leading 00 allowed). */
static int der_uint(const uint8_t *v, size_t n, size_t *out)
{
    size_t x = 0;
    if (n == 0 || n > 4 || (v[0] & 0x80) || (n == 4 && v[0] != 0)) {
        return SCB_E_P15_MALFORMED;
    }
    for (size_t k = 0; k < n; k++) {
        x = (x << 8) | v[k];
    }
    *out = x;
    return SCB_OK;
}

/* BIT STRING -> bit n at 1u << n (first 16 bits). */
static unsigned bit_flags(const uint8_t *v, size_t n)
{
    unsigned f = 0;
    for (size_t bit = 0; bit < 16 && 1 + bit / 8 < n; bit++) {
        if (v[1 + bit / 8] & (0x80 >> (bit % 8))) {
            f |= 1u << bit;
        }
    }
    return f;
}

/* PinAttributes ::= SEQUENCE { pinFlags, pinType, minLength, storedLength, maxLength OPT,
 * pinReference [0] DEFAULT 0, padChar OPT, lastPinChange OPT, path OPT } */
static int parse_pin_attrs(const uint8_t *v, size_t vl, struct scb_p15_pin *p)
{
    size_t pos = 0, nint = 0;
    int ret;

    while (pos < vl) {
        const uint8_t *iv;
        size_t il, x;
        uint8_t tag;
        if ((ret = scb_p15_der_next(v, vl, &pos, &tag, &iv, &il)) < 0) {
            return ret;
        }
        switch (tag) {
        case 0x03:
            p->flags = bit_flags(iv, il);
            break;
        case 0x0A:
            if (il != 1 || iv[0] > SCB_P15_PIN_ISO9564_1) {
                return SCB_E_P15_MALFORMED;
            }
            p->type = iv[0];
            break;
        case 0x02:
            if ((ret = der_uint(iv, il, &x)) < 0 || x > 64) {
                return SCB_E_P15_MALFORMED;
            }
            if (nint == 0) {
                p->min_len = x;
            } else if (nint == 1) {
                p->stored_len = x;
            } else if (nint == 2) {
                p->max_len = x;
                p->has_max = 1;
            }
            nint++;
            break;
        case 0x80:
            /* Reference ::= INTEGER. Cards write the local references 81-88 (TS 102 221
             * 9.5.1) in one byte (80 01 81), a negative INTEGER in strict DER: the card
             * means the unsigned byte, as every PKCS#15 reader takes it. */
            if (il == 1) {
                x = iv[0];
            } else if ((ret = der_uint(iv, il, &x)) < 0 || x > 0xFF) {
                return SCB_E_P15_MALFORMED;
            }
            p->reference = (unsigned)x;
            break;
        case 0x04:
            if (il != 1) {
                return SCB_E_P15_MALFORMED;
            }
            p->has_pad = 1;
            p->pad_char = iv[0];
            break;
        case 0x30:
            if ((ret = parse_path(iv, il, &p->path)) < 0) {
                return ret;
            }
            p->has_path = 1;
            break;
        default:
            break; /* lastPinChange and extensions */
        }
    }
    if (nint < 2 || (p->has_max && p->max_len < p->min_len)) {
        return SCB_E_P15_MALFORMED; /* minLength and storedLength are mandatory */
    }
    return SCB_OK;
}

/* CommonAuthenticationObjectAttributes ::= SEQUENCE { authId OCTET STRING, ... } */
static int common_auth_field(void *ctx, uint8_t tag, const uint8_t *iv, size_t il)
{
    struct scb_p15_pin *p = ctx;
    if (tag == 0x04 && p->auth_id_len == 0) {
        if (il == 0 || il > sizeof(p->auth_id)) {
            return SCB_E_P15_MALFORMED;
        }
        memcpy(p->auth_id, iv, il);
        p->auth_id_len = il;
    }
    return SCB_OK;
}

static int common_label_field(void *ctx, uint8_t tag, const uint8_t *iv, size_t il)
{
    struct scb_p15_pin *p = ctx;
    if (tag == 0x0C) {
        copy_label(p->label, iv, il);
    }
    return SCB_OK;
}

static int parse_pin_object(const uint8_t *v, size_t vl, struct scb_p15_pin *p)
{
    size_t pos = 0;
    int idx = 0, ret, have_attrs = 0;

    memset(p, 0, sizeof(*p));
    p->type = SCB_P15_PIN_ASCII_NUMERIC;
    while (pos < vl) {
        const uint8_t *iv;
        size_t il;
        uint8_t tag;
        if ((ret = scb_p15_der_next(v, vl, &pos, &tag, &iv, &il)) < 0) {
            return ret;
        }
        if (tag == 0x30 && idx == 0) {
            ret = der_each(iv, il, common_label_field, p);
        } else if (tag == 0x30 && idx == 1) {
            ret = der_each(iv, il, common_auth_field, p);
        } else if (tag == 0xA1) {
            /* [1] typeAttributes: the PinAttributes SEQUENCE */
            size_t ip = 0, sl;
            const uint8_t *sv;
            uint8_t st;
            if ((ret = scb_p15_der_next(iv, il, &ip, &st, &sv, &sl)) < 0) {
                return ret;
            }
            if (st != 0x30) {
                return SCB_E_P15_MALFORMED;
            }
            ret = parse_pin_attrs(sv, sl, p);
            have_attrs = 1;
        } else {
            ret = SCB_OK; /* [0] subclass attributes */
        }
        if (ret < 0) {
            return ret;
        }
        idx++;
    }
    return have_attrs ? SCB_OK : SCB_E_P15_MALFORMED;
}

int scb_p15_parse_aodf(const uint8_t *buf, size_t len, struct scb_p15_pin *pins, size_t max,
                       size_t *n)
{
    if (buf == NULL || pins == NULL || n == NULL) {
        return SCB_E_INVALID_ARG;
    }
    size_t pos = 0;
    int ret;

    if (buf == NULL || n == NULL || (max > 0 && pins == NULL)) {
        return SCB_E_INVALID_ARG;
    }
    *n = 0;
    while (pos < len && !is_padding(buf, len, pos)) {
        const uint8_t *v;
        size_t vl;
        uint8_t tag;
        if ((ret = scb_p15_der_next(buf, len, &pos, &tag, &v, &vl)) < 0) {
            return ret;
        }
        if (tag != 0x30) {
            continue; /* biometric [0], authKey [1], external [2]: not a PIN */
        }
        if (*n >= max) {
            return SCB_E_TOO_LARGE;
        }
        if ((ret = parse_pin_object(v, vl, &pins[*n])) < 0) {
            return ret;
        }
        (*n)++;
    }
    return SCB_OK;
}

const struct scb_p15_pin *scb_p15_find_pin(const struct scb_p15_pin *pins, size_t n,
                                           const uint8_t *auth_id, size_t auth_id_len)
{
    for (size_t k = 0; pins && auth_id && k < n; k++) {
        if (pins[k].auth_id_len == auth_id_len && auth_id_len > 0 &&
            memcmp(pins[k].auth_id, auth_id, auth_id_len) == 0) {
            return &pins[k];
        }
    }
    return NULL;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9') {
            return 0;
        }
    }
    return 1;
}

int scb_p15_pin_block(const struct scb_p15_pin *p, const char *pin, uint8_t *out, size_t cap,
                      size_t *len)
{
    if (p == NULL || pin == NULL || out == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    size_t n, used = 0;
    uint8_t pad;

    if (p == NULL || pin == NULL || out == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    n = strlen(pin);
    if (n == 0 || n < p->min_len || (p->has_max && n > p->max_len) || n > 64) {
        return SCB_E_INVALID_ARG;
    }
    pad = p->has_pad ? p->pad_char : 0xFF;
    switch (p->type) {
    case SCB_P15_PIN_ASCII_NUMERIC:
        if (!all_digits(pin, n)) {
            return SCB_E_INVALID_ARG;
        }
        /* fall through */
    case SCB_P15_PIN_UTF8:
        if (n > cap) {
            return SCB_E_BUFFER;
        }
        memcpy(out, pin, n);
        used = n;
        break;
    case SCB_P15_PIN_BCD:
        if (!all_digits(pin, n) || (n + 1) / 2 > cap) {
            return all_digits(pin, n) ? SCB_E_BUFFER : SCB_E_INVALID_ARG;
        }
        for (size_t k = 0; k < n; k++) {
            uint8_t d = (uint8_t)(pin[k] - '0');
            out[k / 2] = (k % 2) ? (uint8_t)((out[k / 2] & 0xF0) | d)
                                 : (uint8_t)((d << 4) | (pad & 0x0F));
        }
        used = (n + 1) / 2;
        break;
    case SCB_P15_PIN_ISO9564_1:
        /* format 2 PIN block: 2L, the digits in BCD, F filler, 8 bytes */
        if (!all_digits(pin, n) || n > 14) {
            return SCB_E_INVALID_ARG;
        }
        if (cap < 8) {
            return SCB_E_BUFFER;
        }
        memset(out, 0xFF, 8);
        out[0] = (uint8_t)(0x20 | n);
        for (size_t k = 0; k < n; k++) {
            uint8_t d = (uint8_t)(pin[k] - '0');
            size_t b = 1 + k / 2;
            out[b] = (k % 2) ? (uint8_t)((out[b] & 0xF0) | d) : (uint8_t)((d << 4) | 0x0F);
        }
        *len = 8;
        return SCB_OK;
    default:
        return SCB_E_UNSUPPORTED; /* half-nibble BCD: not met on UICCs */
    }
    if (p->stored_len > used) {
        if (p->stored_len > cap) {
            return SCB_E_BUFFER;
        }
        memset(out + used, pad, p->stored_len - used);
        used = p->stored_len;
    } else if (p->stored_len && used > p->stored_len) {
        return SCB_E_INVALID_ARG; /* longer than the card stores */
    }
    *len = used;
    return SCB_OK;
}

int scb_p15_oid_to_text(const uint8_t *oid, size_t len, char *out, size_t cap)
{
    if (oid == NULL || out == NULL || cap == 0) {
        return SCB_E_INVALID_ARG;
    }
    size_t o = 0;
    unsigned long long arc = 0;
    int first = 1;

    if (len == 0 || cap == 0) {
        return SCB_E_INVALID_ARG;
    }
    for (size_t k = 0; k < len; k++) {
        if (arc > (1ULL << 56)) {
            return SCB_E_PARSE;
        }
        arc = (arc << 7) | (oid[k] & 0x7F);
        if (oid[k] & 0x80) {
            if (k == len - 1) {
                return SCB_E_PARSE;
            }
            continue;
        }
        int w;
        if (first) {
            unsigned long long a = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            w = snprintf(out + o, cap - o, "%llu.%llu", a, arc - a * 40);
            first = 0;
        } else {
            w = snprintf(out + o, cap - o, ".%llu", arc);
        }
        if (w < 0 || (size_t)w >= cap - o) {
            return SCB_E_BUFFER;
        }
        o += (size_t)w;
        arc = 0;
    }
    return SCB_OK;
}

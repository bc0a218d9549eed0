/* SPDX-License-Identifier: Apache-2.0 */
/*
 * p15.c: PKCS#15 DER as found on UICCs: EF DIR templates (TS 102 221 13.1), the ODF (ISO
 * 7816-15 PKCS15Objects CHOICE of Paths) and DODF entries (opaqueDO / oidDO), including the
 * double-encoded OID real SIMs copy from the LwM2M spec example (OMA issue 532).
 */
#include <stdio.h>
#include <string.h>

#include "scboot/error.h"
#include "scboot/p15.h"

int scb_der_next(const uint8_t *buf, size_t len, size_t *pos, uint8_t *tag,
                 const uint8_t **val, size_t *vlen)
{
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
    size_t pos = 0, ip = 0, vl;
    const uint8_t *v;
    uint8_t tag;
    int ret;

    memset(app, 0, sizeof(*app));
    if (len == 0 || rec[0] == 0xFF || rec[0] == 0x00) {
        return SCB_E_NOT_FOUND; /* unused record */
    }
    if ((ret = scb_der_next(rec, len, &pos, &tag, &v, &vl)) < 0) {
        return ret;
    }
    if (tag != 0x61) {
        return SCB_E_P15_MALFORMED;
    }
    while (ip < vl) {
        const uint8_t *iv;
        size_t il;
        if ((ret = scb_der_next(v, vl, &ip, &tag, &iv, &il)) < 0) {
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
        if ((ret = scb_der_next(v, vl, &pos, &tag, &iv, &il)) < 0) {
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
    size_t pos = 0;
    int ret;

    *n = 0;
    while (pos < len && !is_padding(buf, len, pos)) {
        const uint8_t *v, *pv;
        size_t vl, pl, ip = 0;
        uint8_t t, pt;
        if ((ret = scb_der_next(buf, len, &pos, &t, &v, &vl)) < 0) {
            return ret;
        }
        if (t != tag) {
            continue;
        }
        /* [n] Path: the Path SEQUENCE inside the context tag */
        if ((ret = scb_der_next(v, vl, &ip, &pt, &pv, &pl)) < 0) {
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
        if ((ret = scb_der_next(buf, len, &pos, &tag, &v, &n)) < 0 ||
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

    if ((ret = scb_der_next(v, vl, &pos, &tag, &sv, &sl)) < 0) {
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
        if ((ret = scb_der_next(sv, sl, &ip, &tag, &iv, &il)) < 0) {
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
        if ((ret = scb_der_next(v, vl, &pos, &tag, &iv, &il)) < 0) {
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
    size_t pos = 0;
    int ret;

    *n = 0;
    while (pos < len && !is_padding(buf, len, pos)) {
        const uint8_t *v;
        size_t vl;
        uint8_t tag;
        if ((ret = scb_der_next(buf, len, &pos, &tag, &v, &vl)) < 0) {
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

int scb_oid_to_text(const uint8_t *oid, size_t len, char *out, size_t cap)
{
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

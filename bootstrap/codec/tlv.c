/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlv.c: LwM2M TLV (OMA-TS 1.0 6.4.3, content format 11542): bounded header reading, canonical
 * encoding, and the object-level decode into the configuration model with the nesting rules
 * (object -> Object Instance TLVs -> Resource / Multiple Resource -> Resource Instance) and
 * the value-type checks of App. C.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "scboot/tlv.h"
#include "scboot/error.h"
#include "scboot/objdefs.h"

#define DEFAULT_BUF_MAX (1u << 20)

int scb_buf_put(struct scb_buf *b, const void *p, size_t n)
{
    if (b == NULL || (p == NULL && n > 0)) {
        return SCB_E_INVALID_ARG;
    }
    size_t max = b->max ? b->max : DEFAULT_BUF_MAX;
    if (n > max || b->len > max - n) {
        return SCB_E_TOO_LARGE;
    }
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n) {
            nc *= 2;
        }
        uint8_t *nd = realloc(b->data, nc);
        if (nd == NULL) {
            return SCB_E_NOMEM;
        }
        b->data = nd;
        b->cap = nc;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
    return SCB_OK;
}

void scb_buf_free(struct scb_buf *b)
{
    if (b == NULL) {
        return;
    }
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int scb_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct scb_tlv *t)
{
    if (buf == NULL || pos == NULL || t == NULL) {
        return SCB_E_INVALID_ARG;
    }
    size_t p = *pos, idlen, lenlen, vlen;
    uint8_t type;

    if (p >= len) {
        return SCB_E_DECODE;
    }
    type = buf[p++];
    idlen = (type & 0x20) ? 2 : 1;
    lenlen = (type >> 3) & 0x03;
    if (idlen + lenlen > len - p) {
        return SCB_E_DECODE;
    }
    t->type = (uint8_t)(type >> 6);
    t->id = idlen == 2 ? (uint16_t)(buf[p] << 8 | buf[p + 1]) : buf[p];
    p += idlen;
    if (lenlen == 0) {
        vlen = type & 0x07;
    } else {
        vlen = 0;
        for (size_t k = 0; k < lenlen; k++) {
            vlen = (vlen << 8) | buf[p++];
        }
    }
    if (vlen > len - p) {
        return SCB_E_DECODE;
    }
    t->value = buf + p;
    t->len = vlen;
    t->hdr_len = p - *pos;
    *pos = p + vlen;
    return SCB_OK;
}

size_t scb_tlv_header(uint8_t type, uint16_t id, size_t len, uint8_t out[6])
{
    size_t n = 1;
    if (out == NULL || len > SCB_TLV_MAX_LEN) {
        return 0; /* a 24-bit length field cannot say it: never a truncated header */
    }
    uint8_t t = (uint8_t)(type << 6);
    if (id > 0xFF) {
        t |= 0x20;
        out[n++] = (uint8_t)(id >> 8);
    }
    out[n++] = (uint8_t)id;
    if (len <= 7) {
        t |= (uint8_t)len;
    } else if (len <= 0xFF) {
        t |= 0x08;
        out[n++] = (uint8_t)len;
    } else if (len <= 0xFFFF) {
        t |= 0x10;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    } else {
        t |= 0x18;
        out[n++] = (uint8_t)(len >> 16);
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    }
    out[0] = t;
    return n;
}

int scb_decode_fail(struct scb_decode_error *err, const char *rule, size_t off, const char *path,
                    const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->rule = rule;
        err->offset = off;
        snprintf(err->path, sizeof(err->path), "%s", path);
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return SCB_E_DECODE;
}

static const char *type_name(uint8_t t)
{
    static const char *const names[] = {"Object Instance", "Resource Instance",
                                        "Multiple Resource", "Resource"};
    return names[t & 3];
}

static int add_value(struct scb_resource *r, uint16_t oid, uint16_t iid, uint16_t riid,
                     const struct scb_tlv *t, size_t off, struct scb_decode_error *err)
{
    char path[32];
    struct scb_value v = {.riid = riid, .data = (uint8_t *)t->value, .len = t->len};

    for (size_t k = r->n; k > 0 && r->multiple; k--) {
        if (r->v[k - 1].riid == riid) {
            snprintf(path, sizeof(path), "/%u/%u/%u", oid, iid, r->id);
            return scb_decode_fail(err, "resource-duplicate", off, path,
                        "resource instance %u appears twice", riid);
        }
    }
    if (scb_objdef_value_check(oid, r->id, &v) < 0) {
        snprintf(path, sizeof(path), "/%u/%u/%u", oid, iid, r->id);
        return scb_decode_fail(
            err, "tlv-value-invalid", off, path,
            "%zu-byte value does not fit the resource's type (%s%s)", t->len,
            scb_objdef_type_name(scb_objdef_resource_type(oid, r->id)),
            scb_objdef_resource_type(oid, r->id) == SCB_TYPE_STRING ? ": UTF-8 without NUL" : "");
    }
    int ret = scb_resource_add_value(r, riid, t->value, t->len);
    return ret;
}

static int decode_resources(const uint8_t *buf, size_t len, uint16_t oid, struct scb_instance *in,
                            size_t base, struct scb_decode_error *err)
{
    size_t pos = 0;
    int ret;
    char path[32];

    while (pos < len) {
        struct scb_tlv t;
        size_t at = pos;
        if (scb_tlv_next(buf, len, &pos, &t) < 0) {
            snprintf(path, sizeof(path), "/%u/%u", oid, in->id);
            return scb_decode_fail(err, "tlv-malformed", base + at, path,
                        "TLV header or length runs past its enclosing value");
        }
        if (t.type != SCB_TLV_RESOURCE && t.type != SCB_TLV_MULTIPLE_RESOURCE) {
            snprintf(path, sizeof(path), "/%u/%u", oid, in->id);
            return scb_decode_fail(err, "tlv-malformed", base + at, path,
                        "%s TLV inside an Object Instance", type_name(t.type));
        }
        if (scb_instance_resource(in, t.id)) {
            snprintf(path, sizeof(path), "/%u/%u/%u", oid, in->id, t.id);
            return scb_decode_fail(err, "resource-duplicate", base + at, path, "resource appears twice");
        }
        struct scb_resource *r;
        if ((ret = scb_instance_add_resource(in, t.id, &r)) < 0) {
            return ret;
        }
        if (t.type == SCB_TLV_RESOURCE) {
            if ((ret = add_value(r, oid, in->id, 0, &t, base + at, err)) < 0) {
                return ret;
            }
            continue;
        }
        r->multiple = 1;
        size_t ip = 0, vbase = base + at + t.hdr_len;
        while (ip < t.len) {
            struct scb_tlv ri;
            size_t iat = ip;
            snprintf(path, sizeof(path), "/%u/%u/%u", oid, in->id, t.id);
            if (scb_tlv_next(t.value, t.len, &ip, &ri) < 0) {
                return scb_decode_fail(err, "tlv-malformed", vbase + iat, path,
                            "TLV header or length runs past its enclosing value");
            }
            if (ri.type != SCB_TLV_RESOURCE_INSTANCE) {
                return scb_decode_fail(err, "tlv-malformed", vbase + iat, path,
                            "%s TLV inside a Multiple Resource", type_name(ri.type));
            }
            if ((ret = add_value(r, oid, in->id, ri.id, &ri, vbase + iat, err)) < 0) {
                return ret;
            }
        }
    }
    return SCB_OK;
}

int scb_tlv_decode_object(const uint8_t *buf, size_t len, uint16_t oid, size_t base,
                          struct scb_config *cfg, struct scb_decode_error *err)
{
    if ((buf == NULL && len > 0) || cfg == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_object *o;
    size_t pos = 0;
    int ret;
    char path[32];

    if ((ret = scb_config_add_object(cfg, oid, &o)) < 0) {
        return ret;
    }
    while (pos < len) {
        struct scb_tlv t;
        size_t at = pos;
        snprintf(path, sizeof(path), "/%u", oid);
        if (scb_tlv_next(buf, len, &pos, &t) < 0) {
            return scb_decode_fail(err, "tlv-malformed", base + at, path,
                        "TLV header or length runs past its enclosing value");
        }
        if (t.type != SCB_TLV_OBJECT_INSTANCE) {
            return scb_decode_fail(err, "tlv-malformed", base + at, path,
                        "%s TLV at object level (Object Instance TLVs required)",
                        type_name(t.type));
        }
        if (t.id == 0xFFFF || scb_object_instance(o, t.id)) {
            snprintf(path, sizeof(path), "/%u/%u", oid, t.id);
        }
        if (t.id == 0xFFFF) {
            return scb_decode_fail(err, "instance-id-reserved", base + at, path,
                        "object instance ID 65535 is reserved");
        }
        if (scb_object_instance(o, t.id)) {
            return scb_decode_fail(err, "instance-duplicate", base + at, path, "instance appears twice");
        }
        struct scb_instance *in;
        if ((ret = scb_object_add_instance(o, t.id, &in)) < 0) {
            return ret;
        }
        o = scb_config_object_mut(cfg, oid); /* arrays may have moved */
        in = scb_object_instance_mut(o, t.id);
        if ((ret = decode_resources(t.value, t.len, oid, in, base + at + t.hdr_len, err)) < 0) {
            return ret;
        }
    }
    return SCB_OK;
}

/* One TLV header into out; SCB_E_TOO_LARGE for a length its 24-bit field cannot hold. */
static int put_header(struct scb_buf *out, uint8_t type, uint16_t id, size_t len)
{
    uint8_t hdr[6];
    size_t n = scb_tlv_header(type, id, len, hdr);
    return n == 0 ? SCB_E_TOO_LARGE : scb_buf_put(out, hdr, n);
}

int scb_tlv_encode_resource(const struct scb_resource *r, struct scb_buf *out)
{
    if (r == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    uint8_t hdr[6];
    int ret;

    if (!r->multiple) {
        if (r->n != 1) {
            return SCB_E_INVALID_ARG;
        }
        if ((ret = put_header(out, SCB_TLV_RESOURCE, r->id, r->v[0].len)) < 0) {
            return ret;
        }
        return scb_buf_put(out, r->v[0].data, r->v[0].len);
    }
    size_t inner = 0;
    for (size_t k = 0; k < r->n; k++) {
        size_t hn = scb_tlv_header(SCB_TLV_RESOURCE_INSTANCE, r->v[k].riid, r->v[k].len, hdr);
        if (hn == 0 || hn > SCB_TLV_MAX_LEN - inner ||
            r->v[k].len > SCB_TLV_MAX_LEN - inner - hn) {
            return SCB_E_TOO_LARGE;
        }
        inner += hn + r->v[k].len;
    }
    if ((ret = put_header(out, SCB_TLV_MULTIPLE_RESOURCE, r->id, inner)) < 0) {
        return ret;
    }
    for (size_t k = 0; k < r->n; k++) {
        if ((ret = put_header(out, SCB_TLV_RESOURCE_INSTANCE, r->v[k].riid, r->v[k].len)) < 0 ||
            (ret = scb_buf_put(out, r->v[k].data, r->v[k].len)) < 0) {
            return ret;
        }
    }
    return SCB_OK;
}

int scb_tlv_encode_instance(const struct scb_instance *i, struct scb_buf *out)
{
    if (i == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    int ret;
    for (size_t k = 0; k < i->n; k++) {
        if ((ret = scb_tlv_encode_resource(&i->r[k], out)) < 0) {
            return ret;
        }
    }
    return SCB_OK;
}

int scb_tlv_encode_object(const struct scb_object *o, struct scb_buf *out)
{
    if (o == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    int ret;
    if (o->raw) {
        return scb_buf_put(out, o->raw, o->raw_len);
    }
    for (size_t k = 0; k < o->n; k++) {
        struct scb_buf inner = {0};
        if ((ret = scb_tlv_encode_instance(&o->i[k], &inner)) == SCB_OK &&
            (ret = put_header(out, SCB_TLV_OBJECT_INSTANCE, o->i[k].id, inner.len)) == SCB_OK) {
            ret = scb_buf_put(out, inner.data, inner.len);
        }
        scb_buf_free(&inner);
        if (ret < 0) {
            return ret;
        }
    }
    return SCB_OK;
}

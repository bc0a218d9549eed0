/* SPDX-License-Identifier: Apache-2.0 */
/*
 * senml.c: SenML JSON (110, json-c) and SenML CBOR (112, libcbor) for Bootstrap-Write and
 * Bootstrap-Read (RFC 8428; LwM2M 1.1 7.4.4-7.4.5; doc/protocol.md,
 * SenML). Both syntaxes are read into
 * one record form (base name, name, one value field) and go through one path check and one
 * type check against the resource definitions, into the configuration model as TLV values.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <json-c/json.h>

#include "codec_internal.h"
#include "crypto.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"
#include "scboot/senml.h"

#define NAME_MAX_LEN 64  /* "/65535/65535/65535/65535" is 24 bytes; longer names are refused */
#define CBOR_MAX_DEPTH 4 /* a pack is an array of maps of scalars: 2 levels; room for none else */

/* SenML CBOR labels (RFC 8428 6) */
enum {
    L_BVER = -1, L_BN = -2, L_BT = -3, L_BU = -4, L_N = 0, L_U = 1, L_V = 2, L_VS = 3, L_VB = 4,
    L_T = 6, L_UT = 7, L_VD = 8, L_VLO = 1000, /* vlo has a text key; 1000 is internal */
};

enum sv_kind { SV_NONE = 0, SV_NUM, SV_STR, SV_BOOL, SV_DATA, SV_OBJLNK };

/* One value field of a record. Numbers keep their integer form when given as integers. */
struct sv {
    enum sv_kind kind;
    int is_int, neg;
    int64_t i;          /* is_int && neg */
    uint64_t u;         /* is_int && !neg */
    double d;           /* !is_int */
    const uint8_t *p;   /* SV_STR, SV_DATA, SV_OBJLNK (text "oid:iid") */
    size_t len;
    int b;              /* SV_BOOL */
};

/* One record: the syntax-independent form both decoders produce. */
struct srec {
    const char *bn, *n;
    size_t bnlen, nlen;
    int has_bn, has_n;
    int fields;         /* value fields seen (more than one is an error) */
    struct sv val;
};

struct dctx {
    const uint16_t *ids;
    int depth;
    struct scb_config *cfg;
    struct scb_decode_error *err;
    size_t index;                 /* the record being decoded (reported as offset) */
    char bn[NAME_MAX_LEN];
    size_t bnlen;
};

static int fail(struct dctx *c, const char *path, const char *msg)
{
    return scb_decode_fail(c->err, "senml-invalid", c->index, path ? path : "/", "record %zu: %s",
                           c->index, msg);
}

/* The resource type a value is checked against. One place to point at the validator's
 * resource table once it exists (today: the model's registry table for objects 0/1/2/21). */
static enum scb_type senml_res_type(uint16_t oid, uint16_t rid)
{
    return scb_objdef_resource_type(oid, rid);
}

/* "/o/i/r" or "/o/i/r/ri": decimal IDs 0..65535. Returns the number of IDs (3 or 4) or -1. */
static int parse_name(const char *s, size_t len, uint16_t ids[4])
{
    size_t p = 0;
    int n = 0;
    while (p < len) {
        uint32_t v = 0;
        size_t start = ++p;
        if (s[p - 1] != '/' || n == 4) {
            return -1;
        }
        while (p < len && s[p] >= '0' && s[p] <= '9' && p - start < 5) {
            v = v * 10 + (uint32_t)(s[p++] - '0');
        }
        if (p == start || v > 65535 || (p < len && s[p] != '/') ||
            (s[start] == '0' && p - start > 1)) { /* "/1/00/01" is not an LwM2M path */
            return -1;
        }
        ids[n++] = (uint16_t)v;
    }
    return n >= 3 ? n : -1;
}

static int num_as_int(const struct sv *v, int64_t *out)
{
    if (v->is_int) {
        if (!v->neg && v->u > (uint64_t)INT64_MAX) {
            return -1;
        }
        *out = v->neg ? v->i : (int64_t)v->u;
        return 0;
    }
    /* an integral double within range (-2^63 <= d < 2^63) */
    if (!(v->d >= -9223372036854775808.0 && v->d < 9223372036854775808.0) ||
        (double)(int64_t)v->d != v->d) {
        return -1;
    }
    *out = (int64_t)v->d;
    return 0;
}

/* RFC 8428 4.4: a reader MUST NOT use a pack whose base version is larger than the one it
 * understands (10, RFC 8428's); the field is a positive integer. */
static int bver_bad(const struct sv *v)
{
    return !v->is_int || v->neg || v->u < 1 || v->u > 10;
}

static int num_as_uint(const struct sv *v, uint64_t *out)
{
    if (v->is_int) {
        if (v->neg) {
            return -1;
        }
        *out = v->u;
        return 0;
    }
    if (!(v->d >= 0.0 && v->d < 18446744073709551616.0) || (double)(uint64_t)v->d != v->d) {
        return -1;
    }
    *out = (uint64_t)v->d;
    return 0;
}

static double num_as_double(const struct sv *v)
{
    if (v->is_int) {
        return v->neg ? (double)v->i : (double)v->u;
    }
    return v->d;
}

/* "oid:iid", each 0..65535, into the 4-byte Objlnk value. */
static int objlnk_value(const struct sv *v, uint8_t out[4])
{
    uint32_t part[2] = {0, 0};
    size_t p = 0;
    for (int k = 0; k < 2; k++) {
        size_t start = p;
        while (p < v->len && v->p[p] >= '0' && v->p[p] <= '9' && p - start < 5) {
            part[k] = part[k] * 10 + (uint32_t)(v->p[p++] - '0');
        }
        if (p == start || part[k] > 65535) {
            return -1;
        }
        if (k == 0 && (p >= v->len || v->p[p++] != ':')) {
            return -1;
        }
    }
    if (p != v->len) {
        return -1;
    }
    out[0] = (uint8_t)(part[0] >> 8);
    out[1] = (uint8_t)part[0];
    out[2] = (uint8_t)(part[1] >> 8);
    out[3] = (uint8_t)part[1];
    return 0;
}

/* The value of a resource of an object the model does not type: the form its field gives. */
static int untyped_value(const struct sv *v, uint8_t tmp[8], const uint8_t **data, size_t *len)
{
    int64_t i;
    switch (v->kind) {
    case SV_NUM:
        if (v->is_int && !v->neg && v->u > (uint64_t)INT64_MAX) {
            *len = scb_model_encode_uint(v->u, tmp);
        } else if (num_as_int(v, &i) == 0) {
            *len = scb_model_encode_int(i, tmp);
        } else {
            *len = scb_model_encode_float(v->d, tmp);
        }
        *data = tmp;
        return 0;
    case SV_BOOL:
        tmp[0] = (uint8_t)v->b;
        *data = tmp;
        *len = 1;
        return 0;
    case SV_OBJLNK:
        *data = tmp;
        *len = 4;
        return objlnk_value(v, tmp);
    default:
        *data = v->p;
        *len = v->len;
        return 0;
    }
}

/* The TLV value bytes of v for a resource of type t; -1 when the field is of the wrong kind
 * or the value does not fit. */
static int typed_value(enum scb_type t, const struct sv *v, uint8_t tmp[8], const uint8_t **data,
                       size_t *len)
{
    int64_t i;
    uint64_t u;
    *data = tmp;
    switch (t) {
    case SCB_TYPE_INT:
    case SCB_TYPE_TIME:
        if (v->kind != SV_NUM || num_as_int(v, &i) < 0) {
            return -1;
        }
        *len = scb_model_encode_int(i, tmp);
        return 0;
    case SCB_TYPE_UINT:
        if (v->kind != SV_NUM || num_as_uint(v, &u) < 0) {
            return -1;
        }
        *len = scb_model_encode_uint(u, tmp);
        return 0;
    case SCB_TYPE_FLOAT:
        if (v->kind != SV_NUM) {
            return -1;
        }
        *len = scb_model_encode_float(num_as_double(v), tmp);
        return 0;
    case SCB_TYPE_BOOL:
        if (v->kind != SV_BOOL) {
            return -1;
        }
        tmp[0] = (uint8_t)v->b;
        *len = 1;
        return 0;
    case SCB_TYPE_OBJLNK:
        *len = 4;
        return v->kind == SV_OBJLNK ? objlnk_value(v, tmp) : -1;
    case SCB_TYPE_STRING:
        if (v->kind != SV_STR || !scb_model_utf8_ok(v->p, v->len)) {
            return -1;
        }
        *data = v->p;
        *len = v->len;
        return 0;
    case SCB_TYPE_OPAQUE:
        if (v->kind != SV_DATA) {
            return -1;
        }
        *data = v->p;
        *len = v->len;
        return 0;
    default:
        return -1; /* executable resources carry no value */
    }
}

/* Add the value to /o/i/r (multiple when a resource instance ID is given), kept in RIID
 * order; a resource given twice, or both as single and multiple, is an error. */
static int store_value(struct dctx *c, const uint16_t *p, int n, const uint8_t *data, size_t len,
                       const char *path)
{
    struct scb_object *o;
    struct scb_instance *in;
    struct scb_resource *r;
    int ret;
    int existed = scb_instance_resource(
                      scb_object_instance(scb_config_object(c->cfg, p[0]), p[1]), p[2]) != NULL;

    if ((ret = scb_config_add_object(c->cfg, p[0], &o)) < 0 ||
        (ret = scb_object_add_instance(o, p[1], &in)) < 0 ||
        (ret = scb_instance_add_resource(in, p[2], &r)) < 0) {
        return ret;
    }
    if (existed && (n == 3 || !r->multiple)) {
        return fail(c, path, "the resource is given twice");
    }
    if (n == 3) {
        return scb_resource_add_value(r, 0, data, len);
    }
    if (!existed) {
        r->multiple = 1;
    }
    for (uint32_t k = 0; k < r->n; k++) {
        if (r->v[k].riid == p[3]) {
            return fail(c, path, "the resource instance is given twice");
        }
    }
    if ((ret = scb_resource_add_value(r, p[3], data, len)) < 0) {
        return ret;
    }
    for (uint32_t k = r->n - 1; k > 0 && r->v[k - 1].riid > r->v[k].riid; k--) {
        struct scb_value t = r->v[k];
        r->v[k] = r->v[k - 1];
        r->v[k - 1] = t;
    }
    return SCB_OK;
}

/* One decoded record: name, place under the request path, type, into the model. */
static int apply_record(struct dctx *c, const struct srec *rec)
{
    char name[NAME_MAX_LEN];
    uint16_t p[4];
    uint8_t tmp[8];
    const uint8_t *data;
    size_t len;

    if (rec->fields > 1) {
        return fail(c, NULL, "more than one value field");
    }
    if (rec->has_bn) {
        if (rec->bnlen >= sizeof(c->bn) || memchr(rec->bn, '\0', rec->bnlen)) {
            return fail(c, NULL, "base name too long");
        }
        memcpy(c->bn, rec->bn, rec->bnlen);
        c->bnlen = rec->bnlen;
    }
    if (rec->fields == 0) {
        return rec->has_n ? fail(c, NULL, "a named record without a value") : SCB_OK;
    }
    size_t nlen = rec->has_n ? rec->nlen : 0;
    if (c->bnlen + nlen >= sizeof(name)) {
        return fail(c, NULL, "name too long");
    }
    memcpy(name, c->bn, c->bnlen);
    if (nlen) {
        memcpy(name + c->bnlen, rec->n, nlen);
    }
    name[c->bnlen + nlen] = '\0';
    int n = parse_name(name, c->bnlen + nlen, p);
    if (n < 0 || strlen(name) != c->bnlen + nlen) {
        return fail(c, NULL, "the name is not a resource path /o/i/r[/ri]");
    }
    for (int k = 0; k < c->depth; k++) {
        if (p[k] != c->ids[k]) {
            return fail(c, name, "the record is outside the written path");
        }
    }
    if (p[1] == 0xFFFF) {
        return fail(c, name, "instance ID 65535 is reserved");
    }
    /* resources without a definition (other objects, or unknown resources of 0/1/2/21, which
     * the session then ignores as it does with TLV) keep the form their field gives */
    enum scb_type t = senml_res_type(p[0], p[2]);
    int r = t == SCB_TYPE_UNKNOWN ? untyped_value(&rec->val, tmp, &data, &len)
                                  : typed_value(t, &rec->val, tmp, &data, &len);
    if (r < 0) {
        return fail(c, name, "the value field does not fit the resource's type");
    }
    return store_value(c, p, n, data, len, name);
}

/* ---- SenML JSON (json-c) ------------------------------------------------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64url without padding (RFC 8428 5: vd), strictly: only A-Z a-z 0-9 - _, no '=', no
 * length of 4k+1, no stray bits in the last character. Decoded through mbedTLS's base64. */
static int base64url_decode(const char *s, size_t len, uint8_t **out, size_t *olen)
{
    if (len % 4 == 1) {
        return -1;
    }
    char *std = malloc(len + 3);
    *out = malloc(len / 4 * 3 + 3);
    if (std == NULL || *out == NULL) {
        free(std);
        free(*out);
        *out = NULL;
        return SCB_E_NOMEM;
    }
    int ok = 1;
    for (size_t k = 0; k < len && ok; k++) {
        char ch = s[k] == '-' ? '+' : s[k] == '_' ? '/' : s[k];
        ok = s[k] != '\0' && s[k] != '+' && s[k] != '/' && strchr(b64_alphabet, ch) != NULL;
        std[k] = ch;
    }
    size_t n = len;
    if (ok && len % 4 != 0) {
        /* 2 chars carry 1 byte (low 4 bits of the last unused), 3 chars 2 bytes (low 2) */
        unsigned last = (unsigned)(strchr(b64_alphabet, std[len - 1]) - b64_alphabet);
        ok = (last & (len % 4 == 2 ? 0x0Fu : 0x03u)) == 0;
        while (n % 4 != 0) {
            std[n++] = '=';
        }
    }
    if (ok && scb_crypto_base64_decode(*out, len / 4 * 3 + 3, olen, (const uint8_t *)std, n) != 0) {
        ok = 0;
    }
    free(std);
    if (!ok) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

static int json_number(json_object *j, struct sv *v)
{
    if (json_object_is_type(j, json_type_int)) {
        int64_t i = json_object_get_int64(j);
        v->is_int = 1;
        v->neg = i < 0;
        v->i = i;
        v->u = i < 0 ? 0 : json_object_get_uint64(j);
        return 0;
    }
    if (json_object_is_type(j, json_type_double)) {
        v->d = json_object_get_double(j);
        return isfinite(v->d) ? 0 : -1; /* json-c also reads NaN and Infinity: not JSON */
    }
    return -1;
}

/* json-c saturates an integer beyond 64 bits to INT64_MIN or UINT64_MAX instead of failing:
 * those two values are refused, since a saturated one cannot be told from a written one. */
static int json_int_saturated(json_object *j)
{
    if (!json_object_is_type(j, json_type_int)) {
        return 0;
    }
    return json_object_get_int64(j) == INT64_MIN || json_object_get_uint64(j) == UINT64_MAX;
}

static int json_string(json_object *j, const char **s, size_t *len)
{
    if (!json_object_is_type(j, json_type_string)) {
        return -1;
    }
    *s = json_object_get_string(j);
    *len = (size_t)json_object_get_string_len(j);
    return 0;
}

/* One JSON record into rec. *vd receives the decoded vd bytes, *vdlen their length (the caller
 * zeroizes and frees them: rec->val may be overwritten by a second value field). */
static int json_record(struct dctx *c, json_object *o, struct srec *rec, uint8_t **vd,
                       size_t *vdlen)
{
    struct sv tmp = {0};
    const char *s = NULL;
    size_t len = 0;
    if (!json_object_is_type(o, json_type_object)) {
        return fail(c, NULL, "a record is not a JSON object");
    }
    json_object_object_foreach(o, key, val)
    {
        int bad = 0;
        if (strcmp(key, "bn") == 0) {
            bad = json_string(val, &rec->bn, &rec->bnlen);
            rec->has_bn = 1;
        } else if (strcmp(key, "n") == 0) {
            bad = json_string(val, &rec->n, &rec->nlen);
            rec->has_n = 1;
        } else if (strcmp(key, "v") == 0) {
            rec->val.kind = SV_NUM;
            bad = json_number(val, &rec->val) || json_int_saturated(val);
            rec->fields++;
        } else if (strcmp(key, "vs") == 0 || strcmp(key, "vlo") == 0) {
            rec->val.kind = key[1] == 's' ? SV_STR : SV_OBJLNK;
            bad = json_string(val, &s, &len);
            rec->val.p = (const uint8_t *)s;
            rec->val.len = len;
            rec->fields++;
        } else if (strcmp(key, "vb") == 0) {
            rec->val.kind = SV_BOOL;
            bad = !json_object_is_type(val, json_type_boolean);
            rec->val.b = json_object_get_boolean(val) ? 1 : 0;
            rec->fields++;
        } else if (strcmp(key, "vd") == 0) {
            rec->val.kind = SV_DATA;
            rec->fields++;
            if (*vd != NULL || json_string(val, &s, &len) < 0) {
                bad = 1;
            } else {
                int r = base64url_decode(s, len, vd, vdlen);
                if (r == SCB_E_NOMEM) {
                    return r;
                }
                bad = r < 0;
                rec->val.p = *vd;
                rec->val.len = *vdlen;
            }
        } else if (strcmp(key, "bver") == 0) {
            bad = json_number(val, &tmp) || bver_bad(&tmp);
        } else if (strcmp(key, "t") == 0 || strcmp(key, "bt") == 0) {
            bad = json_number(val, &tmp); /* times: ignored by a Write */
        } else if (strcmp(key, "u") == 0 || strcmp(key, "bu") == 0) {
            bad = json_string(val, &s, &len); /* units: ignored */
        } else {
            return fail(c, NULL, "unknown or unsupported field");
        }
        if (bad) {
            return fail(c, NULL, "a field of the wrong JSON type or encoding");
        }
    }
    return SCB_OK;
}

/* A lexical pass over the raw text for what json-c lets through even in strict mode: a
 * single quote outside a string (json-c reads 'x' as a string), a '.' not followed by a digit
 * ("1."), and the number of keys of the records (':' at nesting depth 2, outside strings),
 * which the caller compares with what json-c kept: it keeps only the last of two equal keys,
 * also when one is spelt with escapes. Returns that count, or -1. */
static long json_lexcheck(const uint8_t *buf, size_t len)
{
    long keys = 0;
    int depth = 0, in_str = 0;
    for (size_t k = 0; k < len; k++) {
        uint8_t ch = buf[k];
        if (in_str) {
            if (ch == '\\') {
                k++;
            } else if (ch == '"') {
                in_str = 0;
            }
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            depth++;
        } else if (ch == ']' || ch == '}') {
            depth--;
        } else if (ch == ':' && depth == 2) {
            keys++;
        } else if (ch == '\'' || (ch == '.' && (k + 1 >= len || buf[k + 1] < '0' ||
                                                buf[k + 1] > '9'))) {
            return -1;
        }
    }
    return keys;
}

static int decode_json(struct dctx *c, const uint8_t *buf, size_t len)
{
    struct json_tokener *tok = json_tokener_new_ex(3); /* array > record > scalar */
    json_object *root;
    int ret = SCB_OK;

    if (tok == NULL) {
        return SCB_E_NOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    root = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    while (end < len && (buf[end] == ' ' || buf[end] == '\t' || buf[end] == '\r' ||
                         buf[end] == '\n')) {
        end++;
    }
    if (root == NULL || json_tokener_get_error(tok) != json_tokener_success || end != len ||
        memchr(buf, '\0', len) != NULL) {
        ret = fail(c, NULL, "not a JSON text");
    } else if (!json_object_is_type(root, json_type_array)) {
        ret = fail(c, NULL, "a SenML pack is a JSON array");
    } else {
        long keys = json_lexcheck(buf, len), kept = 0;
        for (size_t k = 0; k < json_object_array_length(root); k++) {
            json_object *r = json_object_array_get_idx(root, k);
            kept += json_object_is_type(r, json_type_object) ? json_object_object_length(r) : 0;
        }
        if (keys < 0 || keys != kept) {
            ret = fail(c, NULL, "not a JSON text (a key twice in a record, quote or number form)");
        }
    }
    size_t n = ret == SCB_OK ? json_object_array_length(root) : 0;
    for (size_t k = 0; k < n && ret == SCB_OK; k++) {
        struct srec rec = {0};
        uint8_t *vd = NULL;
        size_t vdlen = 0;
        c->index = k;
        ret = json_record(c, json_object_array_get_idx(root, k), &rec, &vd, &vdlen);
        if (ret == SCB_OK) {
            ret = apply_record(c, &rec);
        }
        if (vd) {
            scb_util_zeroize(vd, vdlen);
            free(vd);
        }
    }
    json_object_put(root);
    json_tokener_free(tok);
    return ret;
}

/* ---- SenML CBOR (libcbor) ----------------------------------------------------------- */

/*
 * Before cbor_load builds anything: a pass of libcbor's streaming decoder that bounds the
 * nesting and refuses a declared array or map size larger than the bytes that remain (each
 * element takes at least one byte), so a 5-byte header cannot make the loader allocate
 * gigabytes. Also refuses tags and indefinite-length strings (SenML uses neither).
 */
struct scan {
    size_t len;
    int depth, bad;
    int64_t left[CBOR_MAX_DEPTH]; /* items left in each open container; -1: indefinite */
};

static void scan_close(struct scan *s)
{
    while (s->depth > 0 && s->left[s->depth - 1] == 0) {
        s->depth--;
    }
}

static void scan_item(struct scan *s)
{
    if (s->depth > 0 && s->left[s->depth - 1] > 0) {
        s->left[s->depth - 1]--;
    }
    scan_close(s);
}

static void scan_open(struct scan *s, int64_t items)
{
    if (s->depth > 0 && s->left[s->depth - 1] > 0) {
        s->left[s->depth - 1]--;
    }
    if (s->depth == CBOR_MAX_DEPTH || (items > 0 && (uint64_t)items > s->len)) {
        s->bad = 1;
        return;
    }
    s->left[s->depth++] = items;
    scan_close(s);
}

static void sc_u8(void *x, uint8_t v) { (void)v; scan_item(x); }
static void sc_u16(void *x, uint16_t v) { (void)v; scan_item(x); }
static void sc_u32(void *x, uint32_t v) { (void)v; scan_item(x); }
static void sc_u64(void *x, uint64_t v) { (void)v; scan_item(x); }
static void sc_str(void *x, cbor_data d, size_t n) { (void)d; (void)n; scan_item(x); }
static void sc_simple(void *x) { scan_item(x); }
static void sc_float(void *x, float v) { (void)v; scan_item(x); }
static void sc_double(void *x, double v) { (void)v; scan_item(x); }
static void sc_bool(void *x, bool v) { (void)v; scan_item(x); }
static void sc_refuse(void *x) { ((struct scan *)x)->bad = 1; }
static void sc_tag(void *x, uint64_t v) { (void)v; ((struct scan *)x)->bad = 1; }
static void sc_indef(void *x) { scan_open(x, -1); }

static void sc_array(void *x, size_t n)
{
    scan_open(x, n > (size_t)INT32_MAX ? INT64_MAX : (int64_t)n);
}

static void sc_map(void *x, size_t n)
{
    scan_open(x, n > (size_t)INT32_MAX ? INT64_MAX : 2 * (int64_t)n);
}

static void sc_break(void *x)
{
    struct scan *s = x;
    if (s->depth == 0 || s->left[s->depth - 1] != -1) {
        s->bad = 1;
        return;
    }
    s->depth--;
    scan_close(s);
}

static int cbor_prescan(const uint8_t *buf, size_t len)
{
    const struct cbor_callbacks cb = {
        .uint8 = sc_u8, .uint16 = sc_u16, .uint32 = sc_u32, .uint64 = sc_u64,
        .negint8 = sc_u8, .negint16 = sc_u16, .negint32 = sc_u32, .negint64 = sc_u64,
        .byte_string_start = sc_refuse, .byte_string = sc_str,
        .string_start = sc_refuse, .string = sc_str,
        .indef_array_start = sc_indef, .array_start = sc_array,
        .indef_map_start = sc_indef, .map_start = sc_map,
        .tag = sc_tag, .float2 = sc_float, .float4 = sc_float, .float8 = sc_double,
        .undefined = sc_simple, .null = sc_simple, .boolean = sc_bool, .indef_break = sc_break,
    };
    struct scan s = {.len = len};
    size_t off = 0;
    do {
        struct cbor_decoder_result r = cbor_stream_decode(buf + off, len - off, &cb, &s);
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
            return -1;
        }
        off += r.read;
    } while (!s.bad && s.depth > 0 && off < len);
    return s.bad || s.depth != 0 || off != len ? -1 : 0;
}

static int cbor_text(const cbor_item_t *it, const char **s, size_t *len)
{
    if (!cbor_isa_string(it) || !cbor_string_is_definite(it)) {
        return -1;
    }
    *s = (const char *)cbor_string_handle(it);
    *len = cbor_string_length(it);
    if (*s == NULL && *len == 0) {
        *s = "";
    }
    return 0;
}

static int cbor_number(const cbor_item_t *it, struct sv *v)
{
    if (cbor_isa_uint(it)) {
        v->is_int = 1;
        v->u = cbor_get_int(it);
        return 0;
    }
    if (cbor_isa_negint(it)) {
        uint64_t n = cbor_get_int(it); /* the value is -1 - n */
        if (n <= (uint64_t)INT64_MAX) {
            v->is_int = 1;
            v->neg = 1;
            v->i = -1 - (int64_t)n;
        } else {
            v->d = -1.0 - (double)n;
        }
        return 0;
    }
    if (cbor_isa_float_ctrl(it) && !cbor_float_ctrl_is_ctrl(it)) {
        v->d = cbor_float_get_float(it);
        return isfinite(v->d) ? 0 : -1; /* no NaN or infinity: SenML JSON cannot carry them */
    }
    return -1;
}

/* The integer label of a map key (text "vlo" maps to L_VLO); 0 on success. */
static int cbor_label(const cbor_item_t *k, int64_t *label)
{
    const char *s;
    size_t len;
    if (cbor_isa_uint(k) && cbor_get_int(k) < 1000) {
        *label = (int64_t)cbor_get_int(k);
        return 0;
    }
    if (cbor_isa_negint(k) && cbor_get_int(k) < 1000) {
        *label = -1 - (int64_t)cbor_get_int(k);
        return 0;
    }
    if (cbor_text(k, &s, &len) == 0 && len == 3 && memcmp(s, "vlo", 3) == 0) {
        *label = L_VLO;
        return 0;
    }
    return -1;
}

static int cbor_field(const cbor_item_t *val, int64_t label, struct srec *rec)
{
    struct sv tmp = {0};
    const char *s = NULL;
    size_t len = 0;
    switch (label) {
    case L_BN:
        rec->has_bn = 1;
        return cbor_text(val, &rec->bn, &rec->bnlen);
    case L_N:
        rec->has_n = 1;
        return cbor_text(val, &rec->n, &rec->nlen);
    case L_V:
        rec->val.kind = SV_NUM;
        rec->fields++;
        return cbor_number(val, &rec->val);
    case L_VS:
    case L_VLO:
        rec->val.kind = label == L_VS ? SV_STR : SV_OBJLNK;
        rec->fields++;
        if (cbor_text(val, &s, &len) < 0) {
            return -1;
        }
        rec->val.p = (const uint8_t *)s;
        rec->val.len = len;
        return 0;
    case L_VB:
        rec->val.kind = SV_BOOL;
        rec->fields++;
        /* cbor_is_bool asserts on a float: check that the item is a simple value first */
        if (!cbor_isa_float_ctrl(val) || !cbor_float_ctrl_is_ctrl(val) || !cbor_is_bool(val)) {
            return -1;
        }
        rec->val.b = cbor_get_bool(val) ? 1 : 0;
        return 0;
    case L_VD:
        rec->val.kind = SV_DATA;
        rec->fields++;
        if (!cbor_isa_bytestring(val) || !cbor_bytestring_is_definite(val)) {
            return -1;
        }
        rec->val.p = cbor_bytestring_handle(val);
        rec->val.len = cbor_bytestring_length(val);
        if (rec->val.p == NULL) {
            rec->val.p = (const uint8_t *)"";
        }
        return 0;
    case L_BVER:
        return cbor_number(val, &tmp) < 0 || bver_bad(&tmp) ? -1 : 0;
    case L_T:
    case L_BT:
    case L_UT:
        return cbor_number(val, &tmp); /* times: ignored by a Write */
    case L_U:
    case L_BU:
        return cbor_text(val, &s, &len); /* units: ignored */
    default:
        return -2;
    }
}

static int cbor_record(struct dctx *c, const cbor_item_t *m, struct srec *rec)
{
    uint32_t seen = 0;
    if (!cbor_isa_map(m)) {
        return fail(c, NULL, "a record is not a CBOR map");
    }
    const struct cbor_pair *pairs = cbor_map_handle(m);
    for (size_t k = 0; k < cbor_map_size(m); k++) {
        int64_t label;
        if (cbor_label(pairs[k].key, &label) < 0) {
            return fail(c, NULL, "unknown or unsupported field");
        }
        uint32_t bit = label == L_VLO ? 1u << 31 : 1u << ((uint32_t)(label + 8) & 31);
        if (seen & bit) {
            return fail(c, NULL, "a field appears twice");
        }
        seen |= bit;
        int r = cbor_field(pairs[k].value, label, rec);
        if (r == -2) {
            return fail(c, NULL, "unknown or unsupported field");
        }
        if (r < 0) {
            return fail(c, NULL, "a field of the wrong CBOR type");
        }
    }
    return SCB_OK;
}

/* libcbor copied every byte string (vd: /0/x/5 keys among them) into items of its own: wiped
 * before they are freed, as the JSON decoder wipes its decoded vd. */
static void cbor_wipe_bytes(cbor_item_t *root)
{
    cbor_item_t **items = cbor_array_handle(root);
    for (size_t k = 0; k < cbor_array_size(root); k++) {
        if (!cbor_isa_map(items[k])) {
            continue;
        }
        struct cbor_pair *pairs = cbor_map_handle(items[k]);
        for (size_t m = 0; m < cbor_map_size(items[k]); m++) {
            cbor_item_t *v = pairs[m].value;
            if (v && cbor_isa_bytestring(v) && cbor_bytestring_is_definite(v) &&
                cbor_bytestring_handle(v) != NULL) {
                scb_util_zeroize(cbor_bytestring_handle(v), cbor_bytestring_length(v));
            }
        }
    }
}

static int decode_cbor(struct dctx *c, const uint8_t *buf, size_t len)
{
    struct cbor_load_result res;
    int ret = SCB_OK;

    if (len == 0 || cbor_prescan(buf, len) < 0) {
        return fail(c, NULL, "not a well-formed CBOR item of SenML shape");
    }
    cbor_item_t *root = cbor_load(buf, len, &res);
    if (root == NULL || res.error.code != CBOR_ERR_NONE || res.read != len) {
        if (root) {
            cbor_decref(&root);
        }
        return res.error.code == CBOR_ERR_MEMERROR ? SCB_E_NOMEM
                                                   : fail(c, NULL, "not a CBOR item");
    }
    if (!cbor_isa_array(root)) {
        ret = fail(c, NULL, "a SenML pack is a CBOR array");
    }
    size_t n = ret == SCB_OK ? cbor_array_size(root) : 0;
    cbor_item_t **items = ret == SCB_OK ? cbor_array_handle(root) : NULL;
    for (size_t k = 0; k < n && ret == SCB_OK; k++) {
        struct srec rec = {0};
        c->index = k;
        ret = cbor_record(c, items[k], &rec);
        if (ret == SCB_OK) {
            ret = apply_record(c, &rec);
        }
    }
    if (cbor_isa_array(root)) {
        cbor_wipe_bytes(root);
    }
    cbor_decref(&root);
    return ret;
}

int scb_senml_decode(unsigned cf, const uint8_t *buf, size_t len, const uint16_t *ids, int depth,
                     struct scb_config *cfg, struct scb_decode_error *err)
{
    if (cfg == NULL || (ids == NULL && depth > 0) || (buf == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    struct dctx c = {.ids = ids, .depth = depth, .cfg = cfg, .err = err};
    int ret;
    if (depth < 1 || depth > 3) {
        return SCB_E_INVALID_ARG;
    }
    if (len > SCB_SENML_MAX_INPUT) {
        return SCB_E_TOO_LARGE;
    }
    if (buf == NULL) {
        buf = (const uint8_t *)"";
        len = 0;
    }
    if (cf == SCB_CF_SENML_JSON) {
        ret = decode_json(&c, buf, len);
    } else if (cf == SCB_CF_SENML_CBOR) {
        ret = decode_cbor(&c, buf, len);
    } else {
        return SCB_E_UNSUPPORTED;
    }
    if (ret < 0) {
        return ret;
    }
    /* a Write on /o/i (or /o/i/r) names that instance even when the pack is empty */
    struct scb_object *o;
    struct scb_instance *in;
    if ((ret = scb_config_add_object(cfg, ids[0], &o)) < 0) {
        return ret;
    }
    if (depth >= 2 && (ret = scb_object_add_instance(o, ids[1], &in)) < 0) {
        return ret;
    }
    return SCB_OK;
}

/* ---- encoders ----------------------------------------------------------------------- */

/* One value in the form an encoder writes. */
struct ev {
    enum sv_kind kind;
    int is_int, neg;
    int64_t i;
    uint64_t u;
    double d;
    const uint8_t *p;
    size_t len;
    char lo[12];
};

static int out_value(uint16_t oid, uint16_t rid, const struct scb_value *v, struct ev *e)
{
    uint16_t lo, li;
    memset(e, 0, sizeof(*e));
    switch (senml_res_type(oid, rid)) {
    case SCB_TYPE_NONE:
        return -1;
    case SCB_TYPE_INT:
    case SCB_TYPE_TIME:
        if (scb_value_int(v, &e->i) == 0) {
            e->kind = SV_NUM;
            e->is_int = 1;
            e->neg = e->i < 0;
            e->u = e->neg ? 0 : (uint64_t)e->i;
            return 0;
        }
        break;
    case SCB_TYPE_UINT:
        if (scb_value_uint(v, &e->u) == 0) {
            e->kind = SV_NUM;
            e->is_int = 1;
            return 0;
        }
        break;
    case SCB_TYPE_FLOAT:
        if (scb_value_float(v, &e->d) == 0) {
            e->kind = SV_NUM;
            return 0;
        }
        break;
    case SCB_TYPE_BOOL:
        if (scb_value_bool(v, &e->neg) == 0) {
            e->kind = SV_BOOL;
            return 0;
        }
        break;
    case SCB_TYPE_STRING:
        if (scb_model_utf8_ok(v->data, v->len)) {
            e->kind = SV_STR;
            e->p = v->data;
            e->len = v->len;
            return 0;
        }
        break;
    case SCB_TYPE_OBJLNK:
        if (scb_value_objlnk(v, &lo, &li) == 0) {
            e->kind = SV_OBJLNK;
            e->len = (size_t)snprintf(e->lo, sizeof(e->lo), "%u:%u", lo, li);
            e->p = (const uint8_t *)e->lo;
            return 0;
        }
        break;
    default:
        break;
    }
    e->kind = SV_DATA; /* opaque, unknown, or bytes that do not fit their type */
    e->p = v->data ? v->data : (const uint8_t *)"";
    e->len = v->len;
    return 0;
}

typedef int (*emit_fn)(void *ctx, const char *bn, const char *name, const struct ev *e);

/* Walk the values of o (or one instance) in order, calling emit for each record. */
static int walk(const struct scb_object *o, int iid, emit_fn emit, void *ctx)
{
    char bn[16], name[24];
    int first = 1, ret;
    snprintf(bn, sizeof(bn), "/%u/", o->id);
    for (size_t k = 0; k < o->n; k++) {
        const struct scb_instance *in = &o->i[k];
        if (iid >= 0 && in->id != iid) {
            continue;
        }
        for (uint32_t r = 0; r < in->n; r++) {
            const struct scb_resource *res = &in->r[r];
            for (uint32_t v = 0; v < res->n; v++) {
                struct ev e;
                if (out_value(o->id, res->id, &res->v[v], &e) < 0) {
                    continue;
                }
                if (res->multiple) {
                    snprintf(name, sizeof(name), "%u/%u/%u", in->id, res->id, res->v[v].riid);
                } else {
                    snprintf(name, sizeof(name), "%u/%u", in->id, res->id);
                }
                if ((ret = emit(ctx, first ? bn : NULL, name, &e)) < 0) {
                    return ret;
                }
                first = 0;
            }
        }
    }
    return SCB_OK;
}

static int base64url_encode(const uint8_t *p, size_t len, char **out)
{
    size_t cap = (len + 2) / 3 * 4 + 1, olen = 0;
    *out = malloc(cap);
    if (*out == NULL) {
        return SCB_E_NOMEM;
    }
    if (scb_crypto_base64_encode((uint8_t *)*out, cap, &olen, p, len) != 0) {
        free(*out);
        *out = NULL;
        return SCB_E_INTERNAL;
    }
    while (olen > 0 && (*out)[olen - 1] == '=') {
        olen--;
    }
    for (size_t k = 0; k < olen; k++) {
        (*out)[k] = (*out)[k] == '+' ? '-' : (*out)[k] == '/' ? '_' : (*out)[k];
    }
    (*out)[olen] = '\0';
    return SCB_OK;
}

/* rec[key] = a new string of s; -1 (nothing added, nothing leaked) when memory ran out */
static int add_string(json_object *rec, const char *key, const char *s)
{
    json_object *v = json_object_new_string(s);
    if (v == NULL || json_object_object_add(rec, key, v) < 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

static int json_emit(void *ctx, const char *bn, const char *name, const struct ev *e)
{
    json_object *arr = ctx, *rec = json_object_new_object(), *val = NULL;
    const char *key = "v";
    char *b64 = NULL;
    int ret = SCB_E_NOMEM;
    if (rec == NULL) {
        return SCB_E_NOMEM;
    }
    switch (e->kind) {
    case SV_NUM:
        if (e->is_int && (e->neg ? e->i == INT64_MIN : e->u == UINT64_MAX)) {
            /* the two values json-c saturates to: the reader refuses them (json_int_saturated),
             * so they are not written either (a document scboot writes reads back); TLV
             * carries them */
            ret = SCB_E_TOO_LARGE;
            goto fail;
        }
        val = !e->is_int ? json_object_new_double(e->d)
              : e->neg   ? json_object_new_int64(e->i)
                         : json_object_new_uint64(e->u);
        break;
    case SV_BOOL:
        key = "vb";
        val = json_object_new_boolean(e->neg);
        break;
    case SV_STR:
    case SV_OBJLNK:
        key = e->kind == SV_STR ? "vs" : "vlo";
        val = json_object_new_string_len((const char *)e->p, (int)e->len);
        break;
    default:
        key = "vd";
        if (base64url_encode(e->p, e->len, &b64) == SCB_OK) {
            val = json_object_new_string(b64);
        }
        free(b64);
        break;
    }
    /* json-c takes a value only when an add succeeds: val is put here until rec holds it,
     * then with rec (putting both would free val twice) */
    if (val == NULL || (bn && add_string(rec, "bn", bn) < 0) || add_string(rec, "n", name) < 0 ||
        json_object_object_add(rec, key, val) < 0) {
        json_object_put(val);
        goto fail;
    }
    if (json_object_array_add(arr, rec) < 0) {
        goto fail;
    }
    return SCB_OK;
fail:
    json_object_put(rec);
    return ret;
}

static int encode_json(const struct scb_object *o, int iid, struct scb_buf *out)
{
    json_object *arr = json_object_new_array();
    size_t n = 0;
    int ret;
    if (arr == NULL) {
        return SCB_E_NOMEM;
    }
    if ((ret = walk(o, iid, json_emit, arr)) == SCB_OK) {
        const char *txt = json_object_to_json_string_length(
            arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
        ret = txt ? scb_buf_put(out, txt, n) : SCB_E_NOMEM;
    }
    json_object_put(arr);
    return ret;
}

/* CBOR: records are counted first so the array and each map have definite lengths. */
struct cbor_out {
    struct scb_buf *out;
    size_t records;
    int count_only;
};

static int cb_int(struct scb_buf *b, int64_t v)
{
    unsigned char t[9];
    size_t n = v >= 0 ? cbor_encode_uint((uint64_t)v, t, sizeof(t))
                      : cbor_encode_negint((uint64_t)(-1 - v), t, sizeof(t));
    return scb_buf_put(b, t, n);
}

static int cb_text(struct scb_buf *b, const void *p, size_t len, int bytes)
{
    unsigned char t[9];
    size_t n = bytes ? cbor_encode_bytestring_start(len, t, sizeof(t))
                     : cbor_encode_string_start(len, t, sizeof(t));
    int ret = scb_buf_put(b, t, n);
    return ret < 0 || len == 0 ? ret : scb_buf_put(b, p, len);
}

static int cbor_emit(void *ctx, const char *bn, const char *name, const struct ev *e)
{
    struct cbor_out *c = ctx;
    struct scb_buf *b = c->out;
    unsigned char t[9];
    int ret;
    c->records++;
    if (c->count_only) {
        return SCB_OK;
    }
    if ((ret = scb_buf_put(b, t, cbor_encode_map_start(bn ? 3 : 2, t, sizeof(t)))) < 0 ||
        (bn && ((ret = cb_int(b, L_BN)) < 0 || (ret = cb_text(b, bn, strlen(bn), 0)) < 0)) ||
        (ret = cb_int(b, L_N)) < 0 || (ret = cb_text(b, name, strlen(name), 0)) < 0) {
        return ret;
    }
    switch (e->kind) {
    case SV_NUM:
        if ((ret = cb_int(b, L_V)) < 0) {
            return ret;
        }
        if (e->is_int && !e->neg) {
            return scb_buf_put(b, t, cbor_encode_uint(e->u, t, sizeof(t)));
        }
        return e->is_int ? cb_int(b, e->i)
                         : scb_buf_put(b, t, cbor_encode_double(e->d, t, sizeof(t)));
    case SV_BOOL:
        return (ret = cb_int(b, L_VB)) < 0 ? ret
                                           : scb_buf_put(b, t, cbor_encode_bool(e->neg, t, 9));
    case SV_STR:
        return (ret = cb_int(b, L_VS)) < 0 ? ret : cb_text(b, e->p, e->len, 0);
    case SV_OBJLNK:
        return (ret = cb_text(b, "vlo", 3, 0)) < 0 ? ret : cb_text(b, e->p, e->len, 0);
    default:
        return (ret = cb_int(b, L_VD)) < 0 ? ret : cb_text(b, e->p, e->len, 1);
    }
}

static int encode_cbor(const struct scb_object *o, int iid, struct scb_buf *out)
{
    struct cbor_out c = {.out = out, .count_only = 1};
    unsigned char t[9];
    int ret = walk(o, iid, cbor_emit, &c);
    if (ret < 0 || (ret = scb_buf_put(out, t, cbor_encode_array_start(c.records, t, 9))) < 0) {
        return ret;
    }
    c.count_only = 0;
    return walk(o, iid, cbor_emit, &c);
}

int scb_senml_encode(unsigned cf, const struct scb_object *o, int iid, struct scb_buf *out)
{
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    static const struct scb_object empty = {0};
    if (o == NULL) {
        o = &empty;
    }
    if (cf == SCB_CF_SENML_JSON) {
        return encode_json(o, iid, out);
    }
    if (cf == SCB_CF_SENML_CBOR) {
        return encode_cbor(o, iid, out);
    }
    return SCB_E_UNSUPPORTED;
}

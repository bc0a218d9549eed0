/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c: the configuration model to and from its JSON shape (json-c), typed by the registry
 * table for objects 0/1/2/21, with secrets redacted (length + SHA-256 prefix) unless asked.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h> /* isfinite (a macro) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/bsfile.h"
#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"
#include "json_internal.h"

int scb_json_put(json_object *o, const char *key, json_object *v)
{
    if (o == NULL || v == NULL || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

/* The object built, or NULL (released) when any step of it failed. */
static json_object *built(json_object *o, int bad)
{
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static json_object *hex_value(const uint8_t *d, size_t n)
{
    json_object *o = json_object_new_object();
    char *hex = malloc(2 * n + 1);
    if (hex == NULL) {
        json_object_put(o);
        return NULL;
    }
    scb_util_hex_encode(d, n, hex, 2 * n + 1);
    int bad = scb_json_put(o, "hex", json_object_new_string(hex));
    free(hex);
    return built(o, bad);
}

static json_object *redacted(const struct scb_value *v)
{
    char h[16] = "";
    json_object *o = json_object_new_object();
    scb_util_sha256_prefix(v->data, v->len, h, sizeof(h));
    int bad = scb_json_put(o, "redacted", json_object_new_boolean(1));
    bad |= scb_json_put(o, "length", json_object_new_int64((int64_t)v->len));
    bad |= scb_json_put(o, "sha256", json_object_new_string(h));
    return built(o, bad);
}

static json_object *value_json(uint16_t oid, uint16_t rid, const struct scb_value *v,
                               int show_secrets)
{
    int64_t i;
    uint64_t u;
    double d;
    int b;
    uint16_t lo, li;
    char buf[16];

    if (scb_objdef_resource_is_secret(oid, rid) && !show_secrets) {
        return redacted(v);
    }
    switch (scb_objdef_resource_type(oid, rid)) {
    case SCB_TYPE_INT:
    case SCB_TYPE_TIME:
        if (scb_value_int(v, &i) == 0) {
            return json_object_new_int64(i);
        }
        break;
    case SCB_TYPE_UINT:
        if (scb_value_uint(v, &u) == 0) {
            return json_object_new_uint64(u);
        }
        break;
    case SCB_TYPE_FLOAT:
        if (scb_value_float(v, &d) == 0) {
            return json_object_new_double(d);
        }
        break;
    case SCB_TYPE_BOOL:
        if (scb_value_bool(v, &b) == 0) {
            return json_object_new_boolean(b);
        }
        break;
    case SCB_TYPE_STRING:
        /* a string the loader takes back: UTF-8 without NUL (else hex, which reads back) */
        if (scb_objdef_value_fits(SCB_TYPE_STRING, v->data, v->len)) {
            return json_object_new_string_len((const char *)v->data, (int)v->len);
        }
        break;
    case SCB_TYPE_OBJLNK:
        if (scb_value_objlnk(v, &lo, &li) == 0) {
            snprintf(buf, sizeof(buf), "%u:%u", lo, li);
            return json_object_new_string(buf);
        }
        break;
    default:
        break;
    }
    return hex_value(v->data, v->len);
}

static json_object *resource_json(uint16_t oid, const struct scb_resource *r, int show_secrets)
{
    if (!r->multiple) {
        return value_json(oid, r->id, &r->v[0], show_secrets);
    }
    json_object *m = json_object_new_object();
    int bad = m == NULL;
    for (size_t k = 0; k < r->n && !bad; k++) {
        char key[8];
        snprintf(key, sizeof(key), "%u", r->v[k].riid);
        bad |= scb_json_put(m, key, value_json(oid, r->id, &r->v[k], show_secrets));
    }
    return built(m, bad);
}

static json_object *object_json(const struct scb_object *o, int show_secrets)
{
    json_object *jo = json_object_new_object(), *insts = json_object_new_object();
    char key[8], ver[12];
    if (o->explicit_version) {
        snprintf(ver, sizeof(ver), "%u.%u", o->major, o->minor);
    } else {
        snprintf(ver, sizeof(ver), "implicit");
    }
    int bad = scb_json_put(jo, "version", json_object_new_string(ver));
    for (size_t b = 0; b < o->n && !bad && insts; b++) {
        json_object *ji = json_object_new_object(), *res = json_object_new_object();
        for (size_t r = 0; r < o->i[b].n && !bad && res; r++) {
            snprintf(key, sizeof(key), "%u", o->i[b].r[r].id);
            bad |= scb_json_put(res, key, resource_json(o->id, &o->i[b].r[r], show_secrets));
        }
        bad |= scb_json_put(ji, "resources", res);
        snprintf(key, sizeof(key), "%u", o->i[b].id);
        bad |= scb_json_put(insts, key, ji);
    }
    bad |= scb_json_put(jo, "instances", insts);
    if (o->raw && !bad) {
        bad |= scb_json_put(jo, "tlv", hex_value(o->raw, o->raw_len));
    }
    return built(jo, bad);
}

struct json_object *scb_config_to_json(const struct scb_config *c, int show_secrets)
{
    if (c == NULL) {
        return NULL;
    }
    json_object *root = json_object_new_object(), *objs = json_object_new_object();
    char key[8];
    int bad = 0;

    for (size_t a = 0; a < c->n && !bad && objs; a++) {
        snprintf(key, sizeof(key), "%u", c->o[a].id);
        bad |= scb_json_put(objs, key, object_json(&c->o[a], show_secrets));
    }
    bad |= scb_json_put(root, "objects", objs);
    return built(root, bad);
}

char *scb_json_take_text(struct json_object *o)
{
    if (o == NULL) {
        return NULL;
    }
    size_t n = 0;
    const char *s = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    char *text = s ? malloc(n + 1) : NULL;
    if (text != NULL) {
        memcpy(text, s, n + 1);
    }
    if (s != NULL) {
        /* json-c's own buffer of the text may hold secrets too */
        scb_util_zeroize((char *)s, n);
    }
    json_object_put(o);
    return text;
}

char *scb_config_to_json_text(const struct scb_config *c, int show_secrets)
{
    return scb_json_take_text(scb_config_to_json(c, show_secrets));
}

void scb_json_text_free(char *text)
{
    if (text != NULL) {
        scb_util_zeroize(text, strlen(text));
        free(text);
    }
}

/* ---- the "format" member ------------------------------------------------------------------ */

__attribute__((format(printf, 3, 4))) static int format_fail(char *err, size_t errlen,
                                                             const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        for (char *c = err; *c != '\0'; c++) { /* the value comes from the file */
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                *c = '?';
            }
        }
    }
    return SCB_E_PARSE;
}

int scb_json_format_check(struct json_object *root, const char *kind, char *err, size_t errlen)
{
    json_object *f = NULL;
    const char *s = NULL, *dash = NULL;
    size_t klen = kind ? strlen(kind) : 0;

    if (!json_object_object_get_ex(root, "format", &f) && kind == NULL) {
        return SCB_OK;
    }
    if (f != NULL && json_object_is_type(f, json_type_string) &&
        strlen(json_object_get_string(f)) == (size_t)json_object_get_string_len(f)) {
        s = json_object_get_string(f);
        dash = strrchr(s, '-');
    }
    /* "scboot-" KIND "-" MAJOR, MAJOR a decimal without leading zeros */
    if (s == NULL || strncmp(s, "scboot-", 7) != 0 || dash == NULL || dash < s + 8 ||
        (kind && ((size_t)(dash - s - 7) != klen || strncmp(s + 7, kind, klen) != 0)) ||
        dash[1] < '1' || dash[1] > '9' || strlen(dash + 1) > 9 ||
        strspn(dash + 1, "0123456789") != strlen(dash + 1)) {
        if (kind) {
            return format_fail(err, errlen, "not an scboot %s file (\"format\": \"scboot-%s-%u\" "
                               "expected)", kind, kind, SCB_FORMAT_MAJOR);
        }
        return format_fail(err, errlen, "\"format\" is not \"scboot-KIND-%u\"",
                           SCB_FORMAT_MAJOR);
    }
    if (strtoul(dash + 1, NULL, 10) == SCB_FORMAT_MAJOR) {
        return SCB_OK;
    }
    /* MAJOR >= 1 here, so a later one: its members may mean something this build misreads */
    format_fail(err, errlen, "\"format\": \"%.60s\" is newer than this scboot reads "
                "(scboot-%.*s-%u): written by a later release; upgrade scboot", s,
                (int)(dash - s - 7 > 40 ? 40 : dash - s - 7), s + 7, SCB_FORMAT_MAJOR);
    return SCB_E_UNSUPPORTED;
}

/* ---- from JSON ------------------------------------------------------------------------ */

struct jctx {
    char *err;
    size_t errlen;
    char path[32];
};

__attribute__((format(printf, 2, 3))) static int jfail(struct jctx *j, const char *fmt, ...)
{
    if (j->err && j->errlen) {
        va_list ap;
        size_t n = (size_t)snprintf(j->err, j->errlen, "%s: ", j->path[0] ? j->path : "/");
        if (n < j->errlen) {
            va_start(ap, fmt);
            vsnprintf(j->err + n, j->errlen - n, fmt, ap);
            va_end(ap);
        }
        /* keys come from the file: a newline or escape in one would forge lines or drive the
         * terminal of whoever reads err */
        for (char *c = j->err; *c != '\0'; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                *c = '?';
            }
        }
    }
    return SCB_E_JSON;
}

/* A decimal number of at most 5 digits, no sign, no space, at most max; *s moves past it.
 * (sscanf's %u takes "+1", " 1", "-1" and wraps 4294967296 to 0.) */
static int dec_u16(const char **s, unsigned max, unsigned *out)
{
    unsigned v = 0;
    int n = 0;
    for (; **s >= '0' && **s <= '9'; (*s)++) {
        if (++n > 5) {
            return -1;
        }
        v = v * 10 + (unsigned)(**s - '0');
    }
    if (n == 0 || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

/* "A<sep>B" with A in lo_a..max_a and B in 0..max_b, nothing around it. */
static int pair_u16(const char *s, char sep, unsigned lo_a, unsigned max_a, unsigned max_b,
                    unsigned *a, unsigned *b)
{
    if (s == NULL || dec_u16(&s, max_a, a) < 0 || *a < lo_a || *s++ != sep ||
        dec_u16(&s, max_b, b) < 0 || *s != '\0') {
        return -1;
    }
    return 0;
}

static int parse_id(struct jctx *j, const char *key, uint16_t *id)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(key, &end, 10);
    if (*key < '0' || *key > '9' || *end != '\0' || errno || v > 0xFFFF) {
        return jfail(j, "'%s' is not an ID (0-65535)", key);
    }
    *id = (uint16_t)v;
    return SCB_OK;
}

static int hex_bytes(struct jctx *j, json_object *o, uint8_t **out, size_t *len)
{
    json_object *h;
    if (!json_object_object_get_ex(o, "hex", &h) || !json_object_is_type(h, json_type_string)) {
        return jfail(j, "expected {\"hex\": \"...\"}");
    }
    const char *s = json_object_get_string(h);
    size_t cap = strlen(s) / 2 + 1;
    if ((*out = malloc(cap)) == NULL) {
        return SCB_E_NOMEM;
    }
    if (scb_util_hex_decode(s, *out, cap, len) < 0) {
        free(*out);
        *out = NULL;
        return jfail(j, "bad hex");
    }
    return SCB_OK;
}

static int is_single_value_object(json_object *v)
{
    json_object *x;
    return json_object_is_type(v, json_type_object) &&
           (json_object_object_get_ex(v, "hex", &x) || json_object_object_get_ex(v, "redacted", &x));
}

static int digits_exceed(const char *d, size_t n, const char *max);

/* Whether t[0..n) is an integer literal mark_big_integers() marked: an optional '-', then
 * digits beyond the 64-bit range, then "e0". A "3e0" the file itself holds is not one. */
static int is_marked(const char *t, size_t n)
{
    size_t ds = t[0] == '-', k;
    if (n < ds + 3 || strcmp(t + n - 2, "e0") != 0) {
        return 0;
    }
    for (k = ds; k < n - 2; k++) {
        if (t[k] < '0' || t[k] > '9') {
            return 0;
        }
    }
    return digits_exceed(t + ds, n - 2 - ds,
                         ds ? "9223372036854775808" : "18446744073709551615");
}

/* The text of a JSON number as written (json-c keeps a parsed double's text), without the
 * "e0" mark_big_integers() appends. */
static int number_text(json_object *v, char *out, size_t cap)
{
    const char *t = json_object_get_string(v);
    size_t n = t ? strlen(t) : 0;
    int marked = n && is_marked(t, n);
    if (marked) {
        n -= 2;
    }
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), t ? t : "");
    return marked;
}

/* An integer for an Integer/Time resource: within int64, never a fraction or exponent. */
static int json_int64(struct jctx *j, json_object *v, int64_t *out)
{
    char num[48];
    json_type jt = json_object_get_type(v);
    if (jt == json_type_double) {
        int big = number_text(v, num, sizeof(num));
        double d = json_object_get_double(v);
        if (big || (isfinite(d) && (d >= 9223372036854775808.0 || d < -9223372036854775808.0))) {
            return jfail(j, "%s is beyond the 64-bit signed integer range", num);
        }
        return jfail(j, "%s is not an integer", num);
    }
    if (jt != json_type_int) {
        return jfail(j, "expected an integer");
    }
    *out = json_object_get_int64(v);
    if (*out == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX) {
        return jfail(j, "%s is beyond the 64-bit signed integer range",
                     json_object_to_json_string(v));
    }
    return SCB_OK;
}

/* An integer for an Unsigned Integer resource: 0..2^64-1. */
static int json_uint64(struct jctx *j, json_object *v, uint64_t *out)
{
    char num[48];
    json_type jt = json_object_get_type(v);
    if (jt == json_type_double) {
        int big = number_text(v, num, sizeof(num));
        double d = json_object_get_double(v);
        if (num[0] == '-' && (big || d <= -1.0)) {
            return jfail(j, "%s is negative: the resource is an Unsigned Integer", num);
        }
        if (big || (isfinite(d) && d >= 18446744073709551616.0)) {
            return jfail(j, "%s is beyond the 64-bit unsigned integer range", num);
        }
        return jfail(j, "%s is not an integer", num);
    }
    if (jt != json_type_int) {
        return jfail(j, "expected an unsigned integer");
    }
    if (json_object_get_int64(v) < 0) {
        return jfail(j, "%s is negative: the resource is an Unsigned Integer",
                     json_object_to_json_string(v));
    }
    *out = json_object_get_uint64(v);
    return SCB_OK;
}

/* "oid:iid" with both parts 0..65535, decimal digits only. */
/* Encode one JSON value into bytes per the registry type (inferred when unknown). A value
 * the type cannot hold is refused with its path (never clamped): integers beyond 64 bits,
 * fractions for integers, negatives for unsigned resources, non-finite floats, objlnk parts
 * beyond 65535, strings with NUL or invalid UTF-8. Ranges the registry gives beyond the type's
 * own (Security Mode 0..4, ...) are the validator's, so that a file holding them can be
 * encoded and its violations reported by `scboot check`. */
static int value_bytes(struct jctx *j, uint16_t oid, uint16_t rid, json_object *v,
                       uint8_t small[8], uint8_t **heap, const uint8_t **data, size_t *len)
{
    enum scb_type t = scb_objdef_resource_type(oid, rid);
    json_type jt = json_object_get_type(v);
    int ret;
    *heap = NULL;

    if (jt == json_type_object) {
        json_object *x;
        if (json_object_object_get_ex(v, "redacted", &x)) {
            return jfail(j, "a redacted secret cannot be encoded (its bytes are not in the file)");
        }
        ret = hex_bytes(j, v, heap, len);
        *data = *heap;
        return ret;
    }
    if (t == SCB_TYPE_UNKNOWN || t == SCB_TYPE_NONE) {
        t = jt == json_type_boolean ? SCB_TYPE_BOOL
            : jt == json_type_int   ? SCB_TYPE_INT
            : jt == json_type_double ? SCB_TYPE_FLOAT
            : jt == json_type_string ? SCB_TYPE_STRING
                                     : SCB_TYPE_UNKNOWN;
    }
    switch (t) {
    case SCB_TYPE_INT:
    case SCB_TYPE_TIME: {
        int64_t iv = 0;
        if ((ret = json_int64(j, v, &iv)) < 0) {
            return ret;
        }
        *len = scb_model_encode_int(iv, small);
        break;
    }
    case SCB_TYPE_UINT: {
        uint64_t uv = 0;
        if ((ret = json_uint64(j, v, &uv)) < 0) {
            return ret;
        }
        *len = scb_model_encode_uint(uv, small);
        break;
    }
    case SCB_TYPE_FLOAT:
        if ((jt != json_type_double && jt != json_type_int) ||
            !isfinite(json_object_get_double(v))) {
            return jfail(j, "expected a finite number");
        }
        *len = scb_model_encode_float(json_object_get_double(v), small);
        break;
    case SCB_TYPE_BOOL:
        if (jt != json_type_boolean) {
            return jfail(j, "expected true or false");
        }
        small[0] = (uint8_t)json_object_get_boolean(v);
        *len = 1;
        break;
    case SCB_TYPE_OBJLNK: {
        unsigned a, b;
        if (jt != json_type_string ||
            pair_u16(json_object_get_string(v), ':', 0, 0xFFFF, 0xFFFF, &a, &b) < 0) {
            return jfail(j, "expected an object link \"oid:iid\" (each 0-65535)");
        }
        small[0] = (uint8_t)(a >> 8);
        small[1] = (uint8_t)a;
        small[2] = (uint8_t)(b >> 8);
        small[3] = (uint8_t)b;
        *len = 4;
        break;
    }
    case SCB_TYPE_STRING:
    case SCB_TYPE_OPAQUE:
        if (jt != json_type_string) {
            return jfail(j, "expected a string (or {\"hex\": ...} for bytes)");
        }
        *data = (const uint8_t *)json_object_get_string(v);
        *len = (size_t)json_object_get_string_len(v);
        if (t == SCB_TYPE_STRING && !scb_objdef_value_fits(t, *data, *len)) {
            return jfail(j, "a String must be UTF-8 without NUL bytes");
        }
        return SCB_OK;
    default:
        return jfail(j, "cannot encode this JSON value");
    }
    *data = small;
    return SCB_OK;
}

static int add_json_value(struct jctx *j, uint16_t oid, struct scb_resource *r, uint16_t riid,
                          json_object *v)
{
    uint8_t small[8], *heap = NULL;
    const uint8_t *data = NULL;
    size_t len = 0;
    int ret = value_bytes(j, oid, r->id, v, small, &heap, &data, &len);
    if (ret == SCB_OK) {
        ret = scb_resource_add_value(r, riid, data, len);
    }
    if (heap) {
        scb_util_zeroize(heap, len);
        free(heap);
    }
    return ret;
}

static int load_instance(struct jctx *j, uint16_t oid, struct scb_instance *in, json_object *ji)
{
    json_object *res;
    int ret;
    if (!json_object_is_type(ji, json_type_object) ||
        !json_object_object_get_ex(ji, "resources", &res) ||
        !json_object_is_type(res, json_type_object)) {
        return jfail(j, "an instance needs \"resources\": {...}");
    }
    json_object_object_foreach(res, rkey, rv)
    {
        uint16_t rid = 0;
        struct scb_resource *r = NULL;
        snprintf(j->path, sizeof(j->path), "/%u/%u/%s", oid, in->id, rkey);
        if ((ret = parse_id(j, rkey, &rid)) < 0) {
            return ret;
        }
        if (scb_instance_resource(in, rid) != NULL) { /* "010" and "10" */
            return jfail(j, "resource %u appears twice", rid);
        }
        if ((ret = scb_instance_add_resource(in, rid, &r)) < 0) {
            return ret;
        }
        if (json_object_is_type(rv, json_type_object) && !is_single_value_object(rv)) {
            r->multiple = 1;
            json_object_object_foreach(rv, ikey, iv)
            {
                uint16_t riid = 0;
                if ((ret = parse_id(j, ikey, &riid)) < 0 ||
                    (ret = add_json_value(j, oid, r, riid, iv)) < 0) {
                    return ret;
                }
            }
            continue;
        }
        if ((ret = add_json_value(j, oid, r, 0, rv)) < 0) {
            return ret;
        }
    }
    return SCB_OK;
}

static int load_object(struct jctx *j, uint16_t oid, struct scb_config *cfg, json_object *jo)
{
    json_object *ver, *insts, *tlv;
    struct scb_object *o;
    int ret;

    if (!json_object_is_type(jo, json_type_object)) {
        return jfail(j, "an object must be a JSON object");
    }
    if (scb_config_object(cfg, oid) != NULL) {
        return jfail(j, "object %u appears twice", oid);
    }
    if ((ret = scb_config_add_object(cfg, oid, &o)) < 0) {
        return ret;
    }
    if (json_object_object_get_ex(jo, "version", &ver)) {
        const char *s = json_object_is_type(ver, json_type_string) ? json_object_get_string(ver)
                                                                    : NULL;
        unsigned ma, mi;
        if (s == NULL || strcmp(s, "implicit") != 0) {
            if (pair_u16(s, '.', 1, 255, 255, &ma, &mi) < 0) {
                return jfail(j, "version must be \"implicit\" or \"major.minor\" (1-255.0-255)");
            }
            o->explicit_version = 1;
            o->major = (uint8_t)ma;
            o->minor = (uint8_t)mi;
        }
    }
    if (!scb_objdef_object_known(oid) && json_object_object_get_ex(jo, "tlv", &tlv)) {
        return hex_bytes(j, tlv, &o->raw, &o->raw_len);
    }
    if (json_object_object_get_ex(jo, "instances", &insts)) {
        if (!json_object_is_type(insts, json_type_object)) {
            return jfail(j, "\"instances\" must be an object");
        }
        json_object_object_foreach(insts, ikey, ji)
        {
            uint16_t iid = 0;
            struct scb_instance *in;
            snprintf(j->path, sizeof(j->path), "/%u/%s", oid, ikey);
            if ((ret = parse_id(j, ikey, &iid)) == 0 &&
                scb_object_instance(scb_config_object(cfg, oid), iid) != NULL) {
                return jfail(j, "instance %u appears twice", iid);
            }
            if (ret < 0 ||
                (ret = scb_object_add_instance(scb_config_object_mut(cfg, oid), iid, &in)) < 0 ||
                (ret = load_instance(j, oid, in, ji)) < 0) {
                return ret;
            }
        }
    }
    return SCB_OK;
}

int scb_config_from_json(struct json_object *root, struct scb_config *cfg, char *err,
                         size_t errlen)
{
    struct jctx j = {.err = err, .errlen = errlen};
    struct scb_config tmp;
    json_object *objs;
    int ret = SCB_OK;

    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "objects", &objs) ||
        !json_object_is_type(objs, json_type_object)) {
        return jfail(&j, "expected {\"objects\": {...}}");
    }
    char why[160] = "";
    if (scb_json_format_check(root, NULL, why, sizeof(why)) != SCB_OK) {
        return jfail(&j, "%s", why);
    }
    scb_config_init(&tmp);
    json_object_object_foreach(objs, okey, jo)
    {
        uint16_t oid = 0;
        snprintf(j.path, sizeof(j.path), "/%s", okey);
        if ((ret = parse_id(&j, okey, &oid)) < 0 || (ret = load_object(&j, oid, &tmp, jo)) < 0) {
            scb_config_free(&tmp);
            return ret;
        }
    }
    scb_config_free(cfg);
    *cfg = tmp;
    return SCB_OK;
}

/* Whether a run of decimal digits (no sign) exceeds the largest magnitude of its kind. */
static int digits_exceed(const char *d, size_t n, const char *max)
{
    while (n > 1 && *d == '0') {
        d++;
        n--;
    }
    size_t m = strlen(max);
    return n != m ? n > m : memcmp(d, max, n) > 0;
}

/* The value of the 4 hex digits at t (avail bytes there), or -1. */
static long hex4(const char *t, size_t avail)
{
    long v = 0;
    if (avail < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        char c = t[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* What the scan before parsing finds in the text as written. */
struct text_scan {
    size_t nkeys;    /**< strings followed by ':' (object keys) */
    const char *bad; /**< the first escape json-c would silently change, or NULL */
    size_t *marks;   /**< output offsets of the "e0" marks, ascending */
    size_t nmarks;
};

/* Escapes json-c rewrites without a word: a lone UTF-16 surrogate (\ud83d alone becomes
 * U+FFFD) and, in a key, \u0000 (json-c cuts the key there: {"1\u0000x": ...} is object 1
 * to it, another key to another reader). Copies the string starting at text[*k] (its opening
 * quote) to out + *o. */
static void copy_string(const char *text, size_t len, size_t *k, char *out, size_t *o,
                        struct text_scan *sc)
{
    int nul = 0, hi = 0, lone = 0; /* hi: a high surrogate waits for its low half */
    out[(*o)++] = text[(*k)++];
    while (*k < len && text[*k] != '"') {
        if (text[*k] == '\\' && *k + 1 < len) {
            if (text[*k + 1] == 'u') {
                long v = hex4(text + *k + 2, len - *k - 2);
                int low = v >= 0xDC00 && v <= 0xDFFF;
                lone |= low != hi;
                hi = v >= 0xD800 && v <= 0xDBFF;
                nul |= v == 0;
                if (v >= 0) { /* the escape and its 4 hex digits */
                    memcpy(out + *o, text + *k, 6);
                    *o += 6;
                    *k += 6;
                    continue;
                }
            } else {
                lone |= hi;
                hi = 0;
            }
            out[(*o)++] = text[(*k)++];
        } else {
            lone |= hi;
            hi = 0;
        }
        out[(*o)++] = text[(*k)++];
    }
    lone |= hi;
    if (*k < len) {
        out[(*o)++] = text[(*k)++];
    }
    size_t q = *k; /* a string followed by ':' is an object key */
    while (q < len && memchr(" \t\r\n", text[q], 4) != NULL) {
        q++;
    }
    int key = q < len && text[q] == ':';
    sc->nkeys += (size_t)key;
    if (sc->bad == NULL && lone) {
        sc->bad = "a lone surrogate escape (\\uD800-\\uDFFF without its pair)";
    } else if (sc->bad == NULL && key && nul) {
        sc->bad = "\\u0000 in a key";
    }
}

/*
 * json-c 0.16 clamps an integer literal beyond int64 (negative) or uint64 (positive) to the
 * limit while parsing, without errno and without keeping the text, so the loader could not tell
 * 18446744073709551616 from 18446744073709551615. Before parsing, such literals get an "e0"
 * suffix: json-c then reads a double and keeps its text, and the loader refuses it by path.
 * Strings are copied untouched. Returns a new NUL-terminated text (caller frees) or NULL.
 */
static char *mark_big_integers(const char *text, size_t len, struct text_scan *sc)
{
    char *out = malloc(len + len / 10 + 3); /* a marked literal has 20+ digits, gains 2 */
    size_t o = 0, k = 0;
    /* a marked literal takes 20 bytes of the text at least */
    sc->marks = malloc((len / 20 + 1) * sizeof(*sc->marks));
    if (out == NULL || sc->marks == NULL) {
        free(out);
        free(sc->marks);
        sc->marks = NULL;
        return NULL;
    }
    while (k < len) {
        char ch = text[k];
        if (ch == '"') { /* a string, with its escapes */
            copy_string(text, len, &k, out, &o, sc);
            continue;
        }
        if (ch != '-' && (ch < '0' || ch > '9')) {
            out[o++] = text[k++];
            continue;
        }
        size_t start = k, ds = k + (ch == '-'), de;
        int plain = 1;
        k = ds;
        while (k < len && text[k] >= '0' && text[k] <= '9') {
            k++;
        }
        de = k;
        while (k < len && (text[k] == '.' || text[k] == 'e' || text[k] == 'E' || text[k] == '+' ||
                           text[k] == '-' || (text[k] >= '0' && text[k] <= '9'))) {
            plain = 0;
            k++;
        }
        memcpy(out + o, text + start, k - start);
        o += k - start;
        if (plain && de > ds &&
            digits_exceed(text + ds, de - ds,
                          ch == '-' ? "9223372036854775808" : "18446744073709551615")) {
            sc->marks[sc->nmarks++] = o;
            out[o++] = 'e';
            out[o++] = '0';
        }
    }
    out[o] = '\0';
    return out;
}

/* The offset in the caller's text of offset at of the marked copy. */
static size_t text_offset(const struct text_scan *sc, size_t at)
{
    size_t shift = 0;
    for (size_t m = 0; m < sc->nmarks && sc->marks[m] < at; m++) {
        shift += at - sc->marks[m] >= 2 ? 2 : at - sc->marks[m];
    }
    return at - shift;
}

/* What a walk of the parsed tree finds that json-c lets through. */
struct tree_facts {
    size_t keys;    /**< members of every object (json-c keeps the last of duplicate keys) */
    const char *bad; /**< the first NaN/infinite number or string not in well-formed UTF-8 */
    char where[64];  /**< its JSON pointer (RFC 6901), cut short when long */
};

static int utf8_ok(const char *s, size_t len)
{
    return scb_model_utf8_ok((const uint8_t *)s, len);
}

static void tree_flag(struct tree_facts *f, const char *what, const char *path)
{
    if (f->bad == NULL) {
        f->bad = what;
        snprintf(f->where, sizeof(f->where), "%s", path[0] ? path : "/");
    }
}

/* "/" and key at the end of the JSON pointer in path (cap bytes), RFC 6901: "~" as "~0", "/"
 * as "~1"; control characters as \xNN so that err stays one line of text. Cut short, never
 * past cap. */
static void pointer_append(char *path, size_t cap, const char *key)
{
    size_t n = strlen(path);
    char tmp[5];
    if (n + 1 < cap) {
        path[n++] = '/';
    }
    for (; *key != '\0'; key++) {
        unsigned char c = (unsigned char)*key;
        if (c == '~' || c == '/') {
            snprintf(tmp, sizeof(tmp), "~%c", c == '~' ? '0' : '1');
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(tmp, sizeof(tmp), "\\x%02x", c);
        } else {
            tmp[0] = (char)c;
            tmp[1] = '\0';
        }
        size_t t = strlen(tmp);
        if (n + t >= cap) {
            break;
        }
        memcpy(path + n, tmp, t);
        n += t;
    }
    path[n < cap ? n : cap - 1] = '\0';
}

/* path: the JSON pointer of v (in a buffer of cap bytes, extended and restored here) */
static void tree_walk(json_object *v, struct tree_facts *f, char *path, size_t cap)
{
    size_t len = strlen(path);
    if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, member)
        {
            f->keys++;
            if (!utf8_ok(key, strlen(key))) {
                tree_flag(f, "a key that is not well-formed UTF-8", path);
                continue;
            }
            pointer_append(path, cap, key);
            tree_walk(member, f, path, cap);
            path[len] = '\0';
        }
    } else if (json_object_is_type(v, json_type_array)) {
        for (size_t k = 0; k < json_object_array_length(v); k++) {
            snprintf(path + len, cap - len, "/%zu", k);
            tree_walk(json_object_array_get_idx(v, k), f, path, cap);
            path[len] = '\0';
        }
    } else if (json_object_is_type(v, json_type_double) &&
               !isfinite(json_object_get_double(v))) {
        tree_flag(f, "NaN and Infinity are not JSON numbers (nor is 1e400, beyond a double)", path);
    } else if (json_object_is_type(v, json_type_string) &&
               !utf8_ok(json_object_get_string(v), (size_t)json_object_get_string_len(v))) {
        tree_flag(f, "a string that is not well-formed UTF-8", path);
    }
}

static int json_refuse(char *err, size_t errlen, const char *why)
{
    if (err) {
        snprintf(err, errlen, "not valid JSON: %s", why);
    }
    return SCB_E_JSON;
}

int scb_json_parse(const char *text, size_t len, struct json_object **out, char *err,
                   size_t errlen)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (text == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (len > (size_t)INT_MAX / 2) {
        return json_refuse(err, errlen, "the text is too large");
    }
    if (memchr(text, '\0', len) != NULL) {
        return json_refuse(err, errlen, "a NUL byte in the text");
    }
    struct text_scan sc;
    memset(&sc, 0, sizeof(sc));
    char *marked = mark_big_integers(text, len, &sc);
    struct json_tokener *tok = marked ? json_tokener_new_ex(64) : NULL;
    if (tok == NULL) {
        free(marked);
        free(sc.marks);
        return SCB_E_NOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    size_t mlen = strlen(marked);
    /* with its NUL, which ends a bare number or literal ("5", "true": RFC 8259 documents) */
    json_object *root = json_tokener_parse_ex(tok, marked, (int)mlen + 1);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t at = text_offset(&sc, json_tokener_get_parse_end(tok));
    scb_util_zeroize(marked, mlen); /* the text may hold keys */
    free(marked);
    free(sc.marks);
    json_tokener_free(tok);
    char why[160];
    why[0] = '\0';
    if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof) {
        snprintf(why, sizeof(why), "the document ends early (%zu bytes)", len);
    } else if (jerr != json_tokener_success) {
        /* strict mode: text after the document ("{...} x", "{...}{...}") stops here too */
        snprintf(why, sizeof(why), "%s at offset %zu", json_tokener_error_desc(jerr), at);
    } else if (root == NULL) {
        snprintf(why, sizeof(why), "the document is null");
    } else if (sc.bad != NULL) {
        snprintf(why, sizeof(why), "%s", sc.bad);
    } else {
        struct tree_facts f;
        char path[256] = "";
        memset(&f, 0, sizeof(f));
        tree_walk(root, &f, path, sizeof(path));
        if (f.keys != sc.nkeys) {
            /* {"2": 0, "2": 3}: json-c keeps the last, another reader the first; refuse */
            snprintf(why, sizeof(why), "%s",
                     f.keys < sc.nkeys ? "a key appears twice in one object"
                                       : "strings and keys must be in double quotes");
        } else if (f.bad != NULL) {
            snprintf(why, sizeof(why), "%s (at %s)", f.bad, f.where);
        }
    }
    if (why[0] != '\0') {
        json_object_put(root);
        return json_refuse(err, errlen, why);
    }
    *out = root;
    return SCB_OK;
}

int scb_config_from_json_text(const char *text, struct scb_config *cfg, char *err,
                              size_t errlen)
{
    if (text == NULL || cfg == NULL) {
        return SCB_E_INVALID_ARG;
    }
    json_object *root;
    int ret = scb_json_parse(text, strlen(text), &root, err, errlen);
    if (ret < 0) {
        return ret;
    }
    ret = scb_config_from_json(root, cfg, err, errlen);
    json_object_put(root);
    return ret;
}

int scb_json_encode_image(const char *text, size_t len, size_t pad, struct scb_buf *out,
                          char *err, size_t errlen)
{
    if (text == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_config cfg;
    json_object *root;
    scb_config_init(&cfg);
    /* with its length: a NUL byte inside is refused, not taken for the end of the text */
    int ret = scb_json_parse(text, len, &root, err, errlen);
    if (ret == SCB_OK) {
        ret = scb_config_from_json(root, &cfg, err, errlen);
        json_object_put(root);
    }
    if (ret == SCB_OK && (ret = scb_bsfile_encode(&cfg, pad, out)) < 0 && err != NULL) {
        snprintf(err, errlen, "cannot encode: %s%s", scb_error_string(ret),
                 ret == SCB_E_TOO_LARGE ? " (a bootstrap file holds at most 32 KB)" : "");
    }
    scb_config_free(&cfg);
    return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model.c: the configuration model (objects, instances, resources, values), its ownership
 * (init/free/copy, values zeroized on free) and typed views of value bytes (LwM2M App. C).
 */
#include <stdlib.h>
#include <string.h>

#include "scboot/error.h"
#include "scboot/model.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"

/* ---- ownership ---------------------------------------------------------------------- */

void scb_config_init(struct scb_config *c)
{
    memset(c, 0, sizeof(*c));
}

static void free_resource(struct scb_resource *r)
{
    for (size_t k = 0; k < r->n; k++) {
        if (r->v[k].data) {
            scb_util_zeroize(r->v[k].data, r->v[k].len);
        }
        free(r->v[k].data);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

static void free_instance(struct scb_instance *i)
{
    for (size_t k = 0; k < i->n; k++) {
        free_resource(&i->r[k]);
    }
    free(i->r);
    i->r = NULL;
    i->n = 0;
}

static void free_object(struct scb_object *o)
{
    for (size_t k = 0; k < o->n; k++) {
        free_instance(&o->i[k]);
    }
    free(o->i);
    if (o->raw) {
        scb_util_zeroize(o->raw, o->raw_len);
    }
    free(o->raw);
    memset(o, 0, sizeof(*o));
}

void scb_config_free(struct scb_config *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t k = 0; k < c->n; k++) {
        free_object(&c->o[k]);
    }
    free(c->o);
    c->o = NULL;
    c->n = 0;
}

int scb_config_copy(struct scb_config *dst, const struct scb_config *src)
{
    if (dst == NULL || src == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_config c;
    scb_config_init(&c);
    for (size_t a = 0; a < src->n; a++) {
        const struct scb_object *so = &src->o[a];
        struct scb_object *o;
        if (scb_config_add_object(&c, so->id, &o) < 0) {
            goto nomem;
        }
        o->explicit_version = so->explicit_version;
        o->major = so->major;
        o->minor = so->minor;
        if (so->raw) {
            if ((o->raw = malloc(so->raw_len ? so->raw_len : 1)) == NULL) {
                goto nomem;
            }
            memcpy(o->raw, so->raw, so->raw_len);
            o->raw_len = so->raw_len;
        }
        for (size_t b = 0; b < so->n; b++) {
            struct scb_instance *in;
            if (scb_object_add_instance(o, so->i[b].id, &in) < 0) {
                goto nomem;
            }
            for (size_t r = 0; r < so->i[b].n; r++) {
                const struct scb_resource *sr = &so->i[b].r[r];
                struct scb_resource *res;
                if (scb_instance_add_resource(in, sr->id, &res) < 0) {
                    goto nomem;
                }
                res->multiple = sr->multiple;
                for (size_t v = 0; v < sr->n; v++) {
                    if (scb_resource_add_value(res, sr->v[v].riid, sr->v[v].data,
                                               sr->v[v].len) < 0) {
                        goto nomem;
                    }
                }
            }
        }
    }
    *dst = c;
    return SCB_OK;
nomem:
    scb_config_free(&c);
    return SCB_E_NOMEM;
}

/* ---- lookup and insertion (arrays kept sorted by ID) ---------------------------------- */

/* The arrays are kept sorted by ID: binary search (a 32 KB file holds hundreds of instances). */
#define BSEARCH_ID(arr, n, want)                                                              \
    do {                                                                                      \
        size_t lo_ = 0, hi_ = (n);                                                            \
        while (lo_ < hi_) {                                                                   \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                              \
            if ((arr)[mid_].id == (want)) {                                                   \
                return &(arr)[mid_];                                                          \
            }                                                                                 \
            if ((arr)[mid_].id < (want)) {                                                    \
                lo_ = mid_ + 1;                                                               \
            } else {                                                                          \
                hi_ = mid_;                                                                   \
            }                                                                                 \
        }                                                                                     \
        return NULL;                                                                          \
    } while (0)

const struct scb_object *scb_config_object(const struct scb_config *c, uint16_t oid)
{
    if (c == NULL) {
        return NULL;
    }
    BSEARCH_ID(c->o, c->n, oid);
}

/* The _mut lookups share the search: the container is the caller's to change, so the result
 * is too. */
struct scb_object *scb_config_object_mut(struct scb_config *c, uint16_t oid)
{
    return (struct scb_object *)scb_config_object(c, oid);
}

const struct scb_instance *scb_object_instance(const struct scb_object *o, uint16_t iid)
{
    if (o == NULL) {
        return NULL;
    }
    BSEARCH_ID(o->i, o->n, iid);
}

struct scb_instance *scb_object_instance_mut(struct scb_object *o, uint16_t iid)
{
    return (struct scb_instance *)scb_object_instance(o, iid);
}

const struct scb_resource *scb_instance_resource(const struct scb_instance *i, uint16_t rid)
{
    if (i == NULL) {
        return NULL;
    }
    BSEARCH_ID(i->r, i->n, rid);
}

struct scb_resource *scb_instance_resource_mut(struct scb_instance *i, uint16_t rid)
{
    return (struct scb_resource *)scb_instance_resource(i, rid);
}

/* Insert a zeroed element with ID id into a sorted array; returns its index or -1. */
static long sorted_insert(void **arr, size_t n, size_t elem, uint16_t id, size_t id_off)
{
    uint8_t *a = *arr;
    size_t pos = n;
    while (pos > 0) { /* from the end: files list IDs in ascending order */
        uint16_t cur;
        memcpy(&cur, a + (pos - 1) * elem + id_off, sizeof(cur));
        if (cur < id) {
            break;
        }
        pos--;
    }
    uint8_t *na = realloc(a, (n + 1) * elem);
    if (na == NULL) {
        return -1;
    }
    memmove(na + (pos + 1) * elem, na + pos * elem, (n - pos) * elem);
    memset(na + pos * elem, 0, elem);
    memcpy(na + pos * elem + id_off, &id, sizeof(id));
    *arr = na;
    return (long)pos;
}

int scb_config_add_object(struct scb_config *c, uint16_t oid, struct scb_object **out)
{
    if (c == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_object *o = scb_config_object_mut(c, oid);
    if (o == NULL) {
        long k = sorted_insert((void **)&c->o, c->n, sizeof(*c->o), oid,
                               offsetof(struct scb_object, id));
        if (k < 0) {
            return SCB_E_NOMEM;
        }
        c->n++;
        o = &c->o[k];
    }
    *out = o;
    return SCB_OK;
}

int scb_object_add_instance(struct scb_object *o, uint16_t iid, struct scb_instance **out)
{
    if (o == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_instance *i = scb_object_instance_mut(o, iid);
    if (i == NULL) {
        long k = sorted_insert((void **)&o->i, o->n, sizeof(*o->i), iid,
                               offsetof(struct scb_instance, id));
        if (k < 0) {
            return SCB_E_NOMEM;
        }
        o->n++;
        i = &o->i[k];
    }
    *out = i;
    return SCB_OK;
}

int scb_instance_add_resource(struct scb_instance *i, uint16_t rid, struct scb_resource **out)
{
    if (i == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_resource *r = scb_instance_resource_mut(i, rid);
    if (r == NULL) {
        long k = sorted_insert((void **)&i->r, i->n, sizeof(*i->r), rid,
                               offsetof(struct scb_resource, id));
        if (k < 0) {
            return SCB_E_NOMEM;
        }
        i->n++;
        r = &i->r[k];
    }
    *out = r;
    return SCB_OK;
}

int scb_resource_add_value(struct scb_resource *r, uint16_t riid, const uint8_t *data,
                           size_t len)
{
    if (r == NULL || (data == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    if (len > UINT32_MAX || r->n == UINT32_MAX) {
        return SCB_E_TOO_LARGE;
    }
    struct scb_value *nv = realloc(r->v, (r->n + 1) * sizeof(*nv));
    if (nv == NULL) {
        return SCB_E_NOMEM;
    }
    r->v = nv;
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        return SCB_E_NOMEM;
    }
    if (len) {
        memcpy(copy, data, len);
    }
    /* keep resource instances sorted by RIID */
    size_t pos = r->n;
    while (pos > 0 && r->v[pos - 1].riid > riid) {
        pos--;
    }
    memmove(&r->v[pos + 1], &r->v[pos], (r->n - pos) * sizeof(*nv));
    r->v[pos].riid = riid;
    r->v[pos].data = copy;
    r->v[pos].len = (uint32_t)len;
    r->n++;
    return SCB_OK;
}

int scb_resource_set_value(struct scb_resource *r, const uint8_t *data, size_t len)
{
    if (r == NULL || (data == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_resource fresh = {.id = r->id};
    int ret = scb_resource_add_value(&fresh, 0, data, len);
    if (ret < 0) {
        free_resource(&fresh);
        return ret; /* r as it was */
    }
    free_resource(r);
    *r = fresh;
    return SCB_OK;
}

int scb_config_set_value(struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                         const uint8_t *data, size_t len)
{
    struct scb_object *o;
    struct scb_instance *i;
    struct scb_resource *r;
    int ret;
    if (c == NULL || (data == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = scb_config_add_object(c, oid, &o)) < 0 ||
        (ret = scb_object_add_instance(o, iid, &i)) < 0 ||
        (ret = scb_instance_add_resource(i, rid, &r)) < 0) {
        return ret;
    }
    return scb_resource_set_value(r, data, len);
}

void scb_config_remove_object(struct scb_config *c, uint16_t oid)
{
    if (c == NULL) {
        return;
    }
    struct scb_object *o = scb_config_object_mut(c, oid);
    if (o == NULL) {
        return;
    }
    size_t k = (size_t)(o - c->o);
    free_object(o);
    memmove(&c->o[k], &c->o[k + 1], (c->n - k - 1) * sizeof(*c->o));
    c->n--;
}

void scb_object_remove_instance(struct scb_object *o, uint16_t iid)
{
    if (o == NULL) {
        return;
    }
    struct scb_instance *i = scb_object_instance_mut(o, iid);
    if (i == NULL) {
        return;
    }
    size_t k = (size_t)(i - o->i);
    free_instance(i);
    memmove(&o->i[k], &o->i[k + 1], (o->n - k - 1) * sizeof(*o->i));
    o->n--;
}

/* ---- typed views ---------------------------------------------------------------------- */

int scb_value_int(const struct scb_value *v, int64_t *out)
{
    if (v == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (v->len != 1 && v->len != 2 && v->len != 4 && v->len != 8) {
        return SCB_E_PARSE;
    }
    uint64_t x = (v->data[0] & 0x80) ? UINT64_MAX : 0; /* sign extension */
    for (size_t k = 0; k < v->len; k++) {
        x = (x << 8) | v->data[k];
    }
    *out = (int64_t)x;
    return SCB_OK;
}

int scb_value_uint(const struct scb_value *v, uint64_t *out)
{
    if (v == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (v->len != 1 && v->len != 2 && v->len != 4 && v->len != 8) {
        return SCB_E_PARSE;
    }
    uint64_t x = 0;
    for (size_t k = 0; k < v->len; k++) {
        x = (x << 8) | v->data[k];
    }
    *out = x;
    return SCB_OK;
}

int scb_value_bool(const struct scb_value *v, int *out)
{
    if (v == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (v->len != 1 || v->data[0] > 1) {
        return SCB_E_PARSE;
    }
    *out = v->data[0];
    return SCB_OK;
}

int scb_value_float(const struct scb_value *v, double *out)
{
    if (v == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    uint64_t x = 0;
    if (v->len != 4 && v->len != 8) {
        return SCB_E_PARSE;
    }
    for (size_t k = 0; k < v->len; k++) {
        x = (x << 8) | v->data[k];
    }
    if (v->len == 4) {
        uint32_t u = (uint32_t)x;
        float f;
        memcpy(&f, &u, sizeof(f));
        *out = f;
    } else {
        memcpy(out, &x, sizeof(*out));
    }
    return SCB_OK;
}

int scb_value_objlnk(const struct scb_value *v, uint16_t *oid, uint16_t *iid)
{
    if (v == NULL || oid == NULL || iid == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (v->len != 4) {
        return SCB_E_PARSE;
    }
    *oid = (uint16_t)(v->data[0] << 8 | v->data[1]);
    *iid = (uint16_t)(v->data[2] << 8 | v->data[3]);
    return SCB_OK;
}

int scb_model_utf8_ok(const uint8_t *s, size_t len)
{
    if (s == NULL && len > 0) {
        return 0;
    }
    size_t k = 0;
    while (k < len) {
        uint8_t c = s[k];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            k++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n >= len - k) {
            return 0; /* truncated sequence */
        }
        for (size_t j = 1; j <= n; j++) {
            if ((s[k + j] & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[k + j] & 0x3F);
        }
        /* no overlong forms, no surrogates, nothing above U+10FFFF */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return 0;
        }
        k += n + 1;
    }
    return 1;
}

size_t scb_model_encode_int(int64_t v, uint8_t *out)
{
    size_t n;
    if (v >= INT8_MIN && v <= INT8_MAX) {
        n = 1;
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        n = 2;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        n = 4;
    } else {
        n = 8;
    }
    uint64_t u = (uint64_t)v;
    for (size_t k = 0; k < n; k++) {
        out[n - 1 - k] = (uint8_t)(u >> (8 * k));
    }
    return n;
}

size_t scb_model_encode_uint(uint64_t v, uint8_t *out)
{
    size_t n = v <= UINT8_MAX ? 1 : v <= UINT16_MAX ? 2 : v <= UINT32_MAX ? 4 : 8;
    for (size_t k = 0; k < n; k++) {
        out[n - 1 - k] = (uint8_t)(v >> (8 * k));
    }
    return n;
}

size_t scb_model_encode_float(double v, uint8_t *out)
{
    float f = (float)v;
    if ((double)f == v) {
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        for (size_t k = 0; k < 4; k++) {
            out[3 - k] = (uint8_t)(u >> (8 * k));
        }
        return 4;
    }
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    for (size_t k = 0; k < 8; k++) {
        out[7 - k] = (uint8_t)(u >> (8 * k));
    }
    return 8;
}

const struct scb_value *scb_instance_value(const struct scb_instance *i, uint16_t rid)
{
    const struct scb_resource *r = scb_instance_resource(i, rid);
    return (r && !r->multiple && r->n == 1) ? &r->v[0] : NULL;
}

/* The single value of /oid/iid/rid: SCB_E_NOT_FOUND when absent, SCB_E_PARSE when present in
 * another shape (a Multiple Resource), so that a caller can never mistake one for the other. */
static int single(const struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                  const struct scb_value **out)
{
    const struct scb_resource *r =
        scb_instance_resource(scb_object_instance(scb_config_object(c, oid), iid), rid);
    if (r == NULL) {
        return SCB_E_NOT_FOUND;
    }
    *out = scb_instance_value(scb_object_instance(scb_config_object(c, oid), iid), rid);
    return *out ? SCB_OK : SCB_E_PARSE;
}

int scb_config_get_int(const struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                       int64_t *out)
{
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    const struct scb_value *v = NULL;
    int ret = single(c, oid, iid, rid, &v);
    return ret < 0 ? ret : scb_value_int(v, out);
}

int scb_config_get_bool(const struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                        int *out)
{
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    const struct scb_value *v = NULL;
    int ret = single(c, oid, iid, rid, &v);
    return ret < 0 ? ret : scb_value_bool(v, out);
}

const struct scb_instance *scb_config_bootstrap_instance(const struct scb_config *c)
{
    const struct scb_object *sec = scb_config_object(c, SCB_OBJ_SECURITY);
    for (size_t k = 0; sec != NULL && k < sec->n; k++) {
        int bs = 0;
        if (scb_config_get_bool(c, SCB_OBJ_SECURITY, sec->i[k].id, SCB_RES_SEC_BOOTSTRAP, &bs) ==
                SCB_OK &&
            bs) {
            return &sec->i[k];
        }
    }
    return NULL;
}

void scb_instance_remove_resource(struct scb_instance *i, uint16_t rid)
{
    if (i == NULL) {
        return;
    }
    struct scb_resource *r = scb_instance_resource_mut(i, rid);
    if (r == NULL) {
        return;
    }
    size_t k = (size_t)(r - i->r);
    free_resource(r);
    memmove(&i->r[k], &i->r[k + 1], (i->n - k - 1) * sizeof(*i->r));
    i->n--;
}

/* ---- comparison ----------------------------------------------------------------------- */

/* Two values of resource oid/rid mean the same: typed numbers by value (a 2-byte 5 equals a
 * 1-byte 5, as in the JSON form), everything else byte for byte. */
static int value_equal(uint16_t oid, uint16_t rid, const struct scb_value *a,
                       const struct scb_value *b)
{
    if (a->riid != b->riid) {
        return 0;
    }
    switch (scb_objdef_resource_type(oid, rid)) {
    case SCB_TYPE_INT:
    case SCB_TYPE_TIME: {
        int64_t x, y;
        if (scb_value_int(a, &x) == SCB_OK && scb_value_int(b, &y) == SCB_OK) {
            return x == y;
        }
        break;
    }
    case SCB_TYPE_UINT: {
        uint64_t x, y;
        if (scb_value_uint(a, &x) == SCB_OK && scb_value_uint(b, &y) == SCB_OK) {
            return x == y;
        }
        break;
    }
    case SCB_TYPE_FLOAT: {
        double x, y;
        if (scb_value_float(a, &x) == SCB_OK && scb_value_float(b, &y) == SCB_OK) {
            return x == y;
        }
        break;
    }
    case SCB_TYPE_BOOL: {
        int x, y;
        if (scb_value_bool(a, &x) == SCB_OK && scb_value_bool(b, &y) == SCB_OK) {
            return x == y;
        }
        break;
    }
    default:
        break;
    }
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int resource_equal(uint16_t oid, const struct scb_resource *a,
                          const struct scb_resource *b)
{
    if (a->n != b->n || a->multiple != b->multiple) {
        return 0;
    }
    for (uint32_t k = 0; k < a->n; k++) {
        if (!value_equal(oid, a->id, &a->v[k], &b->v[k])) {
            return 0;
        }
    }
    return 1;
}

int scb_instance_equal(uint16_t oid, const struct scb_instance *a, const struct scb_instance *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    if (a->n != b->n) {
        return 0;
    }
    for (uint32_t k = 0; k < a->n; k++) {
        const struct scb_resource *rb = scb_instance_resource(b, a->r[k].id);
        if (rb == NULL || !resource_equal(oid, &a->r[k], rb)) {
            return 0;
        }
    }
    return 1;
}

static int object_equal(const struct scb_object *a, const struct scb_object *b)
{
    if (a->n != b->n || a->explicit_version != b->explicit_version ||
        (a->explicit_version && (a->major != b->major || a->minor != b->minor)) ||
        a->raw_len != b->raw_len || (a->raw == NULL) != (b->raw == NULL) ||
        (a->raw_len > 0 && memcmp(a->raw, b->raw, a->raw_len) != 0)) {
        return 0;
    }
    for (size_t k = 0; k < a->n; k++) {
        const struct scb_instance *ib = scb_object_instance(b, a->i[k].id);
        if (ib == NULL || !scb_instance_equal(a->id, &a->i[k], ib)) {
            return 0;
        }
    }
    return 1;
}

int scb_config_equal(const struct scb_config *a, const struct scb_config *b)
{
    if (a == NULL || b == NULL || a->n != b->n) {
        return a == b;
    }
    for (size_t k = 0; k < a->n; k++) {
        const struct scb_object *ob = scb_config_object(b, a->o[k].id);
        if (ob == NULL || !object_equal(&a->o[k], ob)) {
            return 0;
        }
    }
    return 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c: the consistency validator (doc/rules.md). Every resource of objects 0/1/2/21 against
 * the registry table first (shape, type, ranges no dedicated rule checks), then the
 * whole-configuration rules, then Security, Server and Access Control instances in ID order,
 * so the report order is stable.
 * Key material is parsed by mbedTLS through the crypto seam (common/crypto.h), never by hand.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "scboot/error.h"
#include "scboot/objdefs.h"
#include "scboot/validate.h"

#define MODE_PSK 0
#define MODE_RPK 1
#define MODE_CERT 2
#define MODE_NOSEC 3
#define MODE_EST 4

void scb_profile_default(struct scb_profile *p)
{
    p->acl_supported = 1;
    p->security_modes = 0x0F; /* 0-3 */
    p->max_servers = 0;
}

void scb_profile_no_acl(struct scb_profile *p)
{
    scb_profile_default(p);
    p->acl_supported = 0;
    p->max_servers = 1;
}

/* A JSON integer within lo..hi, never coerced: "3", 3.5, true and a literal json-c clamped
 * (beyond int64) are refused rather than read as some other number. */
static int profile_int(json_object *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!json_object_is_type(v, json_type_int)) {
        return -1;
    }
    errno = 0;
    *out = json_object_get_int64(v);
    if (errno || *out < lo || *out > hi ||
        (*out == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)) {
        return -1;
    }
    return 0;
}

int scb_profile_from_json_text(const char *text, struct scb_profile *p, char *err,
                               size_t errlen)
{
    if (text == NULL || p == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct json_tokener *tok = json_tokener_new();
    json_object *root = NULL, *v;
    size_t len = strlen(text), end = len;
    int max_set = 0;
    int64_t m;

    scb_profile_default(p);
    if (tok != NULL) {
        root = json_tokener_parse_ex(tok, text, (int)len);
        if (root != NULL) {
            end = json_tokener_get_parse_end(tok);
        }
        json_tokener_free(tok);
    }
    while (end < len && memchr(" \t\r\n", text[end], 4) != NULL) {
        end++;
    }
    if (root == NULL || !json_object_is_type(root, json_type_object) || end < len) {
        json_object_put(root);
        snprintf(err, errlen, "profile is not a JSON object");
        return SCB_E_JSON;
    }
    if (json_object_object_get_ex(root, "access_control", &v)) {
        if (!json_object_is_type(v, json_type_boolean)) {
            goto bad; /* json_object_get_boolean("false") is true */
        }
        p->acl_supported = json_object_get_boolean(v);
    }
    if (json_object_object_get_ex(root, "security_modes", &v)) {
        if (!json_object_is_type(v, json_type_array)) {
            goto bad;
        }
        p->security_modes = 0;
        for (size_t k = 0; k < json_object_array_length(v); k++) {
            if (profile_int(json_object_array_get_idx(v, k), 0, 4, &m) < 0) {
                goto bad;
            }
            p->security_modes |= 1u << m;
        }
    }
    if (json_object_object_get_ex(root, "max_servers", &v)) {
        if (profile_int(v, 0, 65534, &m) < 0) {
            goto bad;
        }
        p->max_servers = (unsigned)m;
        max_set = 1;
    }
    if (!max_set && !p->acl_supported) {
        p->max_servers = 1; /* doc/rules.md: a client without Access Control supports one */
    }
    json_object_put(root);
    return SCB_OK;
bad:
    json_object_put(root);
    snprintf(err, errlen,
             "profile: access_control must be true or false, security_modes a list of integers "
             "0-4, max_servers an integer 0-65534 (0: unlimited)");
    return SCB_E_JSON;
}

void scb_report_free(struct scb_report *rep)
{
    if (rep == NULL) {
        return;
    }
    free(rep->v);
    memset(rep, 0, sizeof(*rep));
}

int scb_report_has_errors(const struct scb_report *rep)
{
    if (rep == NULL) {
        return 0;
    }
    for (size_t k = 0; k < rep->n; k++) {
        if (rep->v[k].severity == SCB_SEV_ERROR) {
            return 1;
        }
    }
    return 0;
}

static const char *const rule_names[SCB_RULE_COUNT] = {
    [SCB_RULE_UNKNOWN] = "unknown",
    [SCB_RULE_FILE_TOO_LARGE] = "file-too-large",
    [SCB_RULE_FILE_TRUNCATED] = "file-truncated",
    [SCB_RULE_OBJECT_COUNT_MISMATCH] = "object-count-mismatch",
    [SCB_RULE_RECORD_OVERRUN] = "record-overrun",
    [SCB_RULE_TLV_MALFORMED] = "tlv-malformed",
    [SCB_RULE_TLV_VALUE_INVALID] = "tlv-value-invalid",
    [SCB_RULE_INSTANCE_DUPLICATE] = "instance-duplicate",
    [SCB_RULE_RESOURCE_DUPLICATE] = "resource-duplicate",
    [SCB_RULE_INSTANCE_ID_RESERVED] = "instance-id-reserved",
    [SCB_RULE_BS_ACCOUNT_MULTIPLE] = "bs-account-multiple",
    [SCB_RULE_SERVER_ACCOUNT_MISSING] = "server-account-missing",
    [SCB_RULE_SERVER_WITHOUT_SECURITY] = "server-without-security",
    [SCB_RULE_SECURITY_WITHOUT_SERVER] = "security-without-server",
    [SCB_RULE_SSID_DUPLICATE] = "ssid-duplicate",
    [SCB_RULE_ACL_MISSING] = "acl-missing",
    [SCB_RULE_MULTI_SERVER_UNSUPPORTED] = "multi-server-unsupported",
    [SCB_RULE_ACL_UNSUPPORTED] = "acl-unsupported",
    [SCB_RULE_RESOURCE_MISSING] = "resource-missing",
    [SCB_RULE_URI_INVALID] = "uri-invalid",
    [SCB_RULE_URI_SCHEME_MODE_MISMATCH] = "uri-scheme-mode-mismatch",
    [SCB_RULE_SECURITY_MODE_INVALID] = "security-mode-invalid",
    [SCB_RULE_CREDENTIALS_MISSING] = "credentials-missing",
    [SCB_RULE_CREDENTIALS_UNEXPECTED] = "credentials-unexpected",
    [SCB_RULE_PSK_IDENTITY_INVALID] = "psk-identity-invalid",
    [SCB_RULE_KEY_FORMAT_INVALID] = "key-format-invalid",
    [SCB_RULE_SSID_OUT_OF_RANGE] = "ssid-out-of-range",
    [SCB_RULE_MATCHING_TYPE_INVALID] = "matching-type-invalid",
    [SCB_RULE_CERTIFICATE_USAGE_INVALID] = "certificate-usage-invalid",
    [SCB_RULE_OSCORE_LINK_INVALID] = "oscore-link-invalid",
    [SCB_RULE_LIFETIME_INVALID] = "lifetime-invalid",
    [SCB_RULE_BINDING_INVALID] = "binding-invalid",
    [SCB_RULE_PERIOD_INVALID] = "period-invalid",
    [SCB_RULE_RETRY_INVALID] = "retry-invalid",
    [SCB_RULE_ACL_TARGET_INVALID] = "acl-target-invalid",
    [SCB_RULE_ACL_OWNER_UNKNOWN] = "acl-owner-unknown",
    [SCB_RULE_ACL_ENTRY_UNKNOWN] = "acl-entry-unknown",
    [SCB_RULE_ACL_VALUE_INVALID] = "acl-value-invalid",
    [SCB_RULE_BS_ACCOUNT_SSID] = "bs-account-ssid",
    [SCB_RULE_RESOURCE_SHAPE_INVALID] = "resource-shape-invalid",
    [SCB_RULE_RESOURCE_UNKNOWN] = "resource-unknown",
    [SCB_RULE_VALUE_OUT_OF_RANGE] = "value-out-of-range",
};

const char *scb_rule_name(enum scb_rule r)
{
    if ((unsigned)r >= SCB_RULE_COUNT || rule_names[r] == NULL) {
        return rule_names[SCB_RULE_UNKNOWN];
    }
    return rule_names[r];
}

enum scb_rule scb_rule_from_name(const char *name)
{
    for (unsigned r = 1; name != NULL && r < SCB_RULE_COUNT; r++) {
        if (rule_names[r] != NULL && strcmp(rule_names[r], name) == 0) {
            return (enum scb_rule)r;
        }
    }
    return SCB_RULE_UNKNOWN;
}

__attribute__((format(printf, 5, 6))) static int add(struct scb_report *rep, enum scb_rule rule,
                                                     enum scb_severity sev, const char *path,
                                                     const char *fmt, ...)
{
    if (rep->n == rep->cap) {
        size_t nc = rep->cap ? rep->cap * 2 : 8;
        struct scb_violation *nv = realloc(rep->v, nc * sizeof(*nv));
        if (nv == NULL) {
            return SCB_E_NOMEM;
        }
        rep->v = nv;
        rep->cap = nc;
    }
    struct scb_violation *v = &rep->v[rep->n++];
    va_list ap;
    v->rule = scb_rule_name(rule);
    v->id = rule;
    v->severity = sev;
    snprintf(v->path, sizeof(v->path), "%s", path);
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof(v->message), fmt, ap);
    va_end(ap);
    return SCB_OK;
}

int scb_report_add_decode_error(struct scb_report *rep, const struct scb_decode_error *e)
{
    if (rep == NULL || e == NULL) {
        return SCB_E_INVALID_ARG;
    }
    enum scb_rule id = e->rule ? scb_rule_from_name(e->rule) : SCB_RULE_TLV_MALFORMED;
    if (id == SCB_RULE_UNKNOWN) {
        id = SCB_RULE_TLV_MALFORMED;
    }
    return add(rep, id, SCB_SEV_ERROR, e->path[0] ? e->path : "/",
               "at byte %zu: %s", e->offset, e->msg);
}

/* ---- helpers over the model ----------------------------------------------------------- */

struct ssid_ent {
    long ssid;
    uint16_t iid;
};

struct vctx {
    const struct scb_config *cfg;
    const struct scb_profile *p;
    enum scb_source src;
    struct scb_report *rep;
    int err;
    /* SSID indexes, sorted by (ssid, iid): linear time overall, even for hundreds of servers */
    struct ssid_ent *sec, *srv; /* non-bootstrap Security instances; Server instances */
    size_t nsec, nsrv;
    /* resources already reported as resource-shape-invalid or tlv-value-invalid, sorted keys
     * (kind, oid, iid, rid[, riid]): a lookup reports each once, in O(log n) */
    uint64_t *flagged;
    size_t nflagged, capflagged;
};

#define ADD(c, ...)                                                                          \
    do {                                                                                     \
        if (add((c)->rep, __VA_ARGS__) < 0) {                                                \
            (c)->err = SCB_E_NOMEM;                                                          \
        }                                                                                    \
    } while (0)

static void ipath(char *out, size_t cap, uint16_t oid, uint16_t iid, int rid)
{
    if (rid < 0) {
        snprintf(out, cap, "/%u/%u", oid, iid);
    } else {
        snprintf(out, cap, "/%u/%u/%d", oid, iid, rid);
    }
}

/* Path of a resource, or of one of its instances when r is multiple. */
static void vpath(char *out, size_t cap, uint16_t oid, uint16_t iid, const struct scb_resource *r,
                  const struct scb_value *v)
{
    if (r->multiple) {
        snprintf(out, cap, "/%u/%u/%u/%u", oid, iid, r->id, v->riid);
    } else {
        ipath(out, cap, oid, iid, r->id);
    }
}

#define FLAG_SHAPE 1u
#define FLAG_TYPE 2u

static uint64_t flag_key(unsigned kind, uint16_t oid, uint16_t iid, uint16_t rid, uint16_t riid)
{
    return (uint64_t)kind << 62 | (uint64_t)oid << 48 | (uint64_t)iid << 32 |
           (uint64_t)rid << 16 | riid;
}

/* 1 when key is new (and now recorded), 0 when it was recorded already or memory ran out. */
static int flag_once(struct vctx *c, uint64_t key)
{
    size_t lo = 0, hi = c->nflagged;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->flagged[mid] == key) {
            return 0;
        }
        if (c->flagged[mid] < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (c->nflagged == c->capflagged) {
        size_t nc = c->capflagged ? c->capflagged * 2 : 16;
        uint64_t *nf = realloc(c->flagged, nc * sizeof(*nf));
        if (nf == NULL) {
            c->err = SCB_E_NOMEM;
            return 0;
        }
        c->flagged = nf;
        c->capflagged = nc;
    }
    memmove(&c->flagged[lo + 1], &c->flagged[lo], (c->nflagged - lo) * sizeof(*c->flagged));
    c->flagged[lo] = key;
    c->nflagged++;
    return 1;
}

static void shape_violation(struct vctx *c, uint16_t oid, uint16_t iid,
                            const struct scb_resource *r, const struct scb_objdef_res *d)
{
    char path[32];
    if (!flag_once(c, flag_key(FLAG_SHAPE, oid, iid, r->id, 0))) {
        return;
    }
    ipath(path, sizeof(path), oid, iid, r->id);
    if (d && d->multiple) {
        ADD(c, SCB_RULE_RESOURCE_SHAPE_INVALID, SCB_SEV_ERROR, path,
            "%s is a multiple resource, sent as a single value", d->name);
    } else if (!r->multiple) {
        ADD(c, SCB_RULE_RESOURCE_SHAPE_INVALID, SCB_SEV_ERROR, path, "%s holds %u values, not one",
            d ? d->name : "resource", (unsigned)r->n);
    } else {
        ADD(c, SCB_RULE_RESOURCE_SHAPE_INVALID, SCB_SEV_ERROR, path,
            "%s is a single-instance resource, sent as a Multiple Resource (%u instance%s)",
            d ? d->name : "resource", (unsigned)r->n, r->n == 1 ? "" : "s");
    }
}

static void type_violation(struct vctx *c, uint16_t iid, const struct scb_resource *r,
                           const struct scb_objdef_res *d, const struct scb_value *v)
{
    char path[32];
    if (!flag_once(c, flag_key(FLAG_TYPE, d->oid, iid, r->id, r->multiple ? v->riid : 0))) {
        return;
    }
    vpath(path, sizeof(path), d->oid, iid, r, v);
    if (d->type == SCB_TYPE_NONE) {
        ADD(c, SCB_RULE_TLV_VALUE_INVALID, SCB_SEV_ERROR, path,
            "%s is executable and cannot carry a value (%u bytes)", d->name, (unsigned)v->len);
    } else if (d->type == SCB_TYPE_STRING) {
        ADD(c, SCB_RULE_TLV_VALUE_INVALID, SCB_SEV_ERROR, path, "%s is not a UTF-8 string without NUL",
            d->name);
    } else {
        ADD(c, SCB_RULE_TLV_VALUE_INVALID, SCB_SEV_ERROR, path,
            "%u-byte value does not fit %s (%s)", (unsigned)v->len, d->name,
            scb_objdef_type_name(d->type));
    }
}

/*
 * The single value of /oid/iid/rid for a rule, or NULL when the resource is absent. A rule
 * never skips a present value silently: one in the wrong shape (a Multiple Resource where the
 * registry says single) or of the wrong type is reported here -- once, the table pass having
 * normally reported it already -- and the rule then has nothing to judge.
 */
static const struct scb_value *value_of(struct vctx *c, uint16_t oid,
                                        const struct scb_instance *in, uint16_t rid)
{
    const struct scb_resource *r = scb_instance_resource(in, rid);
    if (r == NULL) {
        return NULL;
    }
    const struct scb_objdef_res *d = scb_objdef_resource(oid, rid);
    if (r->multiple || r->n != 1 || (d && d->multiple)) {
        shape_violation(c, oid, in->id, r, d);
        return NULL;
    }
    if (d && !scb_objdef_value_fits(d->type, r->v[0].data, r->v[0].len)) {
        type_violation(c, in->id, r, d, &r->v[0]);
        return NULL;
    }
    return &r->v[0];
}

static int get_int(struct vctx *c, uint16_t oid, const struct scb_instance *in, uint16_t rid,
                   int64_t *out)
{
    const struct scb_value *v = value_of(c, oid, in, rid);
    return v ? scb_value_int(v, out) : SCB_E_NOT_FOUND;
}

static int get_uint(struct vctx *c, uint16_t oid, const struct scb_instance *in, uint16_t rid,
                    uint64_t *out)
{
    const struct scb_value *v = value_of(c, oid, in, rid);
    return v ? scb_value_uint(v, out) : SCB_E_NOT_FOUND;
}

static int is_bs(struct vctx *c, const struct scb_instance *in)
{
    const struct scb_value *v = value_of(c, SCB_OBJ_SECURITY, in, SCB_RES_SEC_BOOTSTRAP);
    int b = 0;
    return v && scb_value_bool(v, &b) == 0 && b;
}

static size_t vlen(struct vctx *c, const struct scb_instance *in, uint16_t rid)
{
    const struct scb_value *v = value_of(c, SCB_OBJ_SECURITY, in, rid);
    return v ? v->len : 0;
}

/* SSID of a non-bootstrap Security instance or of a Server instance (-1 if absent). */
static long ssid_of(struct vctx *c, uint16_t oid, const struct scb_instance *in)
{
    int64_t v;
    uint16_t rid = oid == SCB_OBJ_SECURITY ? SCB_RES_SEC_SSID : SCB_RES_SRV_SSID;
    return get_int(c, oid, in, rid, &v) == 0 ? (long)v : -1;
}

static int ent_cmp(const void *a, const void *b)
{
    const struct ssid_ent *x = a, *y = b;
    if (x->ssid != y->ssid) {
        return x->ssid < y->ssid ? -1 : 1;
    }
    return x->iid < y->iid ? -1 : x->iid > y->iid;
}

/* The first (lowest-iid) entry with this SSID, or NULL. */
static const struct ssid_ent *idx_first(const struct ssid_ent *a, size_t n, long ssid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid].ssid < ssid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && a[lo].ssid == ssid ? &a[lo] : NULL;
}

static int build_index(struct vctx *c)
{
    const struct scb_object *sec = scb_config_object(c->cfg, SCB_OBJ_SECURITY);
    const struct scb_object *srv = scb_config_object(c->cfg, SCB_OBJ_SERVER);
    c->sec = calloc(sec && sec->n ? sec->n : 1, sizeof(*c->sec));
    c->srv = calloc(srv && srv->n ? srv->n : 1, sizeof(*c->srv));
    if (c->sec == NULL || c->srv == NULL) {
        return SCB_E_NOMEM;
    }
    for (size_t k = 0; sec && k < sec->n; k++) {
        long s = ssid_of(c, SCB_OBJ_SECURITY, &sec->i[k]);
        if (!is_bs(c, &sec->i[k]) && s >= 0) {
            c->sec[c->nsec++] = (struct ssid_ent){s, sec->i[k].id};
        }
    }
    for (size_t k = 0; srv && k < srv->n; k++) {
        long s = ssid_of(c, SCB_OBJ_SERVER, &srv->i[k]);
        if (s >= 0) {
            c->srv[c->nsrv++] = (struct ssid_ent){s, srv->i[k].id};
        }
    }
    qsort(c->sec, c->nsec, sizeof(*c->sec), ent_cmp);
    qsort(c->srv, c->nsrv, sizeof(*c->srv), ent_cmp);
    return SCB_OK;
}

static int server_has_security(const struct vctx *c, long ssid)
{
    return idx_first(c->sec, c->nsec, ssid) != NULL;
}

static int security_has_server(const struct vctx *c, long ssid)
{
    return idx_first(c->srv, c->nsrv, ssid) != NULL;
}

/* A configured server: an SSID on a Server instance or a non-bootstrap Security instance. */
static int ssid_known(const struct vctx *c, long ssid)
{
    return ssid > 0 && (server_has_security(c, ssid) || security_has_server(c, ssid));
}

/* ---- every resource against the registry table (before any other rule) ------------------ */

static int version_before(const struct scb_object *o, const struct scb_objdef_res *d)
{
    return o->explicit_version &&
           (o->major < d->since_major || (o->major == d->since_major && o->minor < d->since_minor));
}

/* A registry range that no dedicated rule checks (value-out-of-range). */
static void check_range(struct vctx *c, uint16_t iid, const struct scb_resource *r,
                        const struct scb_objdef_res *d, const struct scb_value *v)
{
    int64_t i;
    uint64_t u;
    char path[32];
    if (!d->has_range || d->range_rule != NULL) {
        return;
    }
    switch (d->type) {
    case SCB_TYPE_INT:
    case SCB_TYPE_TIME:
        if (scb_value_int(v, &i) == 0 && (i < d->min || i > d->max)) {
            break;
        }
        return;
    case SCB_TYPE_UINT:
        if (scb_value_uint(v, &u) == 0 && (u < (uint64_t)d->min || u > (uint64_t)d->max)) {
            break;
        }
        return;
    case SCB_TYPE_STRING:
    case SCB_TYPE_OPAQUE:
        if (d->oid == SCB_OBJ_SECURITY && d->rid == SCB_RES_SEC_SMS_SECRET
                ? v->len != 16 && v->len != 32 && v->len != 48 /* the registry's 16,32,48 */
                : (int64_t)v->len < d->min || (int64_t)v->len > d->max) {
            vpath(path, sizeof(path), d->oid, iid, r, v);
            ADD(c, SCB_RULE_VALUE_OUT_OF_RANGE, SCB_SEV_ERROR, path,
                "%s of %u bytes; the registry allows %lld..%lld", d->name, (unsigned)v->len,
                (long long)d->min, (long long)d->max);
        }
        return;
    default:
        return;
    }
    vpath(path, sizeof(path), d->oid, iid, r, v);
    ADD(c, SCB_RULE_VALUE_OUT_OF_RANGE, SCB_SEV_ERROR, path, "%s outside %lld..%lld", d->name,
        (long long)d->min, (long long)d->max);
}

static void check_defs_resource(struct vctx *c, const struct scb_object *o,
                                const struct scb_instance *in, const struct scb_resource *r)
{
    const struct scb_objdef_res *d = scb_objdef_resource(o->id, r->id);
    char path[32];

    if (d == NULL) {
        ipath(path, sizeof(path), o->id, in->id, r->id);
        ADD(c, SCB_RULE_RESOURCE_UNKNOWN, SCB_SEV_WARNING, path,
            "resource %u is not defined for the %s object: kept, never interpreted", r->id,
            scb_objdef_object_name(o->id));
        return;
    }
    if (version_before(o, d)) {
        ipath(path, sizeof(path), o->id, in->id, r->id);
        ADD(c, SCB_RULE_RESOURCE_UNKNOWN, SCB_SEV_WARNING, path,
            "%s is not defined in %s %u.%u (added in %u.%u): kept, ignored by such a client",
            d->name, scb_objdef_object_name(o->id), o->major, o->minor, d->since_major,
            d->since_minor);
    }
    if ((r->multiple != 0) != (d->multiple != 0) || (!r->multiple && r->n != 1)) {
        shape_violation(c, o->id, in->id, r, d);
        return;
    }
    for (size_t k = 0; k < r->n; k++) {
        if (!scb_objdef_value_fits(d->type, r->v[k].data, r->v[k].len)) {
            type_violation(c, in->id, r, d, &r->v[k]);
        } else {
            check_range(c, in->id, r, d, &r->v[k]);
        }
    }
}

static void check_defs(struct vctx *c)
{
    static const uint16_t typed[] = {SCB_OBJ_SECURITY, SCB_OBJ_SERVER, SCB_OBJ_ACL,
                                     SCB_OBJ_OSCORE};
    for (size_t t = 0; t < sizeof(typed) / sizeof(typed[0]); t++) {
        const struct scb_object *o = scb_config_object(c->cfg, typed[t]);
        for (size_t k = 0; o && k < o->n; k++) {
            for (size_t r = 0; r < o->i[k].n; r++) {
                check_defs_resource(c, o, &o->i[k], &o->i[k].r[r]);
            }
        }
    }
}

/* ---- whole configuration ---------------------------------------------------------------- */

static void check_whole(struct vctx *c)
{
    const struct scb_object *sec = scb_config_object(c->cfg, SCB_OBJ_SECURITY);
    const struct scb_object *srv = scb_config_object(c->cfg, SCB_OBJ_SERVER);
    const struct scb_object *acl = scb_config_object(c->cfg, SCB_OBJ_ACL);
    size_t bs = 0, complete = 0, servers = srv ? srv->n : 0;
    char path[32];

    for (size_t k = 0; sec && k < sec->n; k++) {
        long s = ssid_of(c, SCB_OBJ_SECURITY, &sec->i[k]);
        if (is_bs(c, &sec->i[k])) {
            bs++;
        } else if (s > 0 && security_has_server(c, s)) {
            complete++;
        }
    }
    if (bs > 1) {
        ADD(c, SCB_RULE_BS_ACCOUNT_MULTIPLE, SCB_SEV_ERROR, "/0",
            "%zu Security instances are Bootstrap-Server accounts; at most one is allowed", bs);
    }
    if (complete == 0 && (c->src == SCB_SRC_NETWORK || bs == 0)) {
        ADD(c, SCB_RULE_SERVER_ACCOUNT_MISSING, SCB_SEV_ERROR, "/",
            "no complete LwM2M Server account (a non-bootstrap Security instance whose Short "
            "Server ID matches a Server instance)");
    }
    for (size_t k = 0; srv && k < srv->n; k++) {
        long s = ssid_of(c, SCB_OBJ_SERVER, &srv->i[k]);
        const struct ssid_ent *first = s >= 0 ? idx_first(c->srv, c->nsrv, s) : NULL;
        int orphan = s >= 0 && !server_has_security(c, s);
        if (!orphan && !(first && first->iid != srv->i[k].id)) {
            continue;
        }
        ipath(path, sizeof(path), SCB_OBJ_SERVER, srv->i[k].id, -1);
        if (orphan) {
            ADD(c, SCB_RULE_SERVER_WITHOUT_SECURITY, SCB_SEV_ERROR, path,
                "Server instance with Short Server ID %ld has no non-bootstrap Security "
                "instance",
                s);
        }
        if (first && first->iid != srv->i[k].id) {
            ADD(c, SCB_RULE_SSID_DUPLICATE, SCB_SEV_ERROR, path,
                "Short Server ID %ld already used by /1/%u", s, first->iid);
        }
    }
    for (size_t k = 0; sec && k < sec->n; k++) {
        if (is_bs(c, &sec->i[k])) {
            continue;
        }
        long s = ssid_of(c, SCB_OBJ_SECURITY, &sec->i[k]);
        const struct ssid_ent *first = s >= 0 ? idx_first(c->sec, c->nsec, s) : NULL;
        int orphan = s >= 0 && !security_has_server(c, s);
        if (!orphan && !(first && first->iid != sec->i[k].id)) {
            continue;
        }
        ipath(path, sizeof(path), SCB_OBJ_SECURITY, sec->i[k].id, -1);
        if (orphan) {
            ADD(c, SCB_RULE_SECURITY_WITHOUT_SERVER, SCB_SEV_WARNING, path,
                "Security instance with Short Server ID %ld has no Server instance", s);
        }
        if (first && first->iid != sec->i[k].id) {
            ADD(c, SCB_RULE_SSID_DUPLICATE, SCB_SEV_ERROR, path,
                "Short Server ID %ld already used by /0/%u", s, first->iid);
        }
    }
    if (c->p->acl_supported && servers > 1 && (acl == NULL || acl->n == 0)) {
        ADD(c, SCB_RULE_ACL_MISSING, SCB_SEV_WARNING, "/",
            "%zu server accounts and no Access Control instance", servers);
    }
    if (c->p->max_servers && servers > c->p->max_servers) {
        ADD(c, SCB_RULE_MULTI_SERVER_UNSUPPORTED, SCB_SEV_ERROR, "/1",
            "%zu server accounts; this client supports %u", servers, c->p->max_servers);
    }
    if (!c->p->acl_supported && acl && acl->n > 0) {
        ADD(c, SCB_RULE_ACL_UNSUPPORTED, SCB_SEV_ERROR, "/2",
            "%zu Access Control instances on a client without Access Control support", acl->n);
    }
}

/* ---- Security (0) ----------------------------------------------------------------------- */

static void missing(struct vctx *c, uint16_t oid, const struct scb_instance *in,
                    const uint16_t *rids, size_t n)
{
    char path[32];
    for (size_t k = 0; k < n; k++) {
        if (scb_instance_resource(in, rids[k]) == NULL) {
            ipath(path, sizeof(path), oid, in->id, rids[k]);
            ADD(c, SCB_RULE_RESOURCE_MISSING, SCB_SEV_ERROR, path, "mandatory resource %s is absent",
                scb_objdef_resource_name(oid, rids[k]));
        }
    }
}

/* scheme of a URI ("coaps" of coaps://h); 0 when it is not scheme://something */
static int uri_scheme(const uint8_t *u, size_t n, char *scheme, size_t cap)
{
    size_t k = 0;
    while (k < n && k + 1 < cap &&
           ((u[k] >= 'a' && u[k] <= 'z') || (u[k] >= 'A' && u[k] <= 'Z') ||
            (k > 0 && ((u[k] >= '0' && u[k] <= '9') || u[k] == '+' || u[k] == '-' || u[k] == '.')))) {
        scheme[k] = (char)(u[k] >= 'A' && u[k] <= 'Z' ? u[k] + 32 : u[k]);
        k++;
    }
    scheme[k] = '\0';
    if (k == 0 || n - k < 4 || memcmp(u + k, "://", 3) != 0) {
        return 0;
    }
    for (size_t j = k + 3; j < n; j++) {
        if (u[j] <= 0x20 || u[j] >= 0x7F) {
            return 0; /* no spaces or control characters in a URI */
        }
    }
    return 1;
}

static void check_uri(struct vctx *c, const struct scb_instance *in, int64_t mode, int has_mode)
{
    const struct scb_value *u = value_of(c, SCB_OBJ_SECURITY, in, SCB_RES_SEC_URI);
    char path[32], scheme[16];
    if (u == NULL) {
        return; /* absent (resource-missing) or reported by the table pass */
    }
    ipath(path, sizeof(path), SCB_OBJ_SECURITY, in->id, SCB_RES_SEC_URI);
    if (u->len == 0 || u->len > 255 || !uri_scheme(u->data, u->len, scheme, sizeof(scheme))) {
        ADD(c, SCB_RULE_URI_INVALID, SCB_SEV_ERROR, path, "Server URI %s",
            u->len == 0 ? "is empty" : u->len > 255 ? "is longer than 255 bytes" : "is not a URI");
        return;
    }
    int plain = strcmp(scheme, "coap") == 0 || strcmp(scheme, "coap+tcp") == 0;
    int secure = strcmp(scheme, "coaps") == 0 || strcmp(scheme, "coaps+tcp") == 0;
    if (!plain && !secure) {
        ADD(c, SCB_RULE_URI_INVALID, SCB_SEV_ERROR, path,
            "scheme '%s' is not coap, coaps, coap+tcp or coaps+tcp", scheme);
        return;
    }
    if (has_mode && (mode < 0 || mode > MODE_EST)) {
        return; /* security-mode-invalid says it; no second violation for the same value */
    }
    if (has_mode && plain && mode != MODE_NOSEC) {
        ADD(c, SCB_RULE_URI_SCHEME_MODE_MISMATCH, SCB_SEV_ERROR, path,
            "plain scheme '%s' with secure Security Mode %lld", scheme, (long long)mode);
    } else if (has_mode && secure && mode == MODE_NOSEC) {
        ADD(c, SCB_RULE_URI_SCHEME_MODE_MISMATCH, SCB_SEV_ERROR, path,
            "secure scheme '%s' with Security Mode 3 (NoSec)", scheme);
    }
}

static int der_pubkey_ok(const struct scb_value *v)
{
    return v != NULL && scb_crypto_is_public_key(v->data, v->len);
}

static int der_privkey_ok(const struct scb_value *v)
{
    return v != NULL && scb_crypto_is_private_key(v->data, v->len);
}

static int der_cert_ok(const struct scb_value *v)
{
    return v != NULL && scb_crypto_is_certificate(v->data, v->len);
}

static void check_keys(struct vctx *c, const struct scb_instance *in, int64_t mode)
{
    const uint16_t id_rid = SCB_RES_SEC_PUBKEY_ID, key_rid = SCB_RES_SEC_SECRET_KEY;
    char path[32];
    if (mode == MODE_PSK) {
        const struct scb_value *id = value_of(c, SCB_OBJ_SECURITY, in, id_rid);
        if (vlen(c, in, id_rid) == 0 || vlen(c, in, key_rid) == 0) {
            ipath(path, sizeof(path), SCB_OBJ_SECURITY, in->id,
                  vlen(c, in, id_rid) == 0 ? id_rid : key_rid);
            ADD(c, SCB_RULE_CREDENTIALS_MISSING, SCB_SEV_ERROR, path, "PSK mode without %s",
                vlen(c, in, id_rid) == 0 ? "an identity (/3)" : "a key (/5)");
        }
        if (id && id->len && (id->len > 128 || !scb_model_utf8_ok(id->data, id->len))) {
            ipath(path, sizeof(path), SCB_OBJ_SECURITY, in->id, id_rid);
            ADD(c, SCB_RULE_PSK_IDENTITY_INVALID, SCB_SEV_ERROR, path, "PSK identity %s",
                id->len > 128 ? "is longer than 128 bytes" : "is not valid UTF-8");
        }
        return;
    }
    if (mode == MODE_RPK || mode == MODE_CERT) {
        static const uint16_t need[] = {SCB_RES_SEC_PUBKEY_ID, SCB_RES_SEC_SERVER_PUBKEY,
                                        SCB_RES_SEC_SECRET_KEY};
        int all = 1;
        for (size_t k = 0; k < 3; k++) {
            if (vlen(c, in, need[k]) == 0) {
                ipath(path, sizeof(path), SCB_OBJ_SECURITY, in->id, need[k]);
                ADD(c, SCB_RULE_CREDENTIALS_MISSING, SCB_SEV_ERROR, path, "%s mode without %s",
                    mode == MODE_RPK ? "RPK" : "certificate",
                    scb_objdef_resource_name(SCB_OBJ_SECURITY, need[k]));
                all = 0;
            }
        }
        if (!all) {
            return;
        }
        int (*pub)(const struct scb_value *) = mode == MODE_RPK ? der_pubkey_ok : der_cert_ok;
        const char *what = mode == MODE_RPK ? "a DER SubjectPublicKeyInfo" : "a DER X.509 certificate";
        for (uint16_t rid = SCB_RES_SEC_PUBKEY_ID; rid <= SCB_RES_SEC_SERVER_PUBKEY; rid++) {
            if (!pub(value_of(c, SCB_OBJ_SECURITY, in, rid))) {
                ipath(path, sizeof(path), SCB_OBJ_SECURITY, in->id, rid);
                ADD(c, SCB_RULE_KEY_FORMAT_INVALID, SCB_SEV_ERROR, path, "%s is not %s",
                    scb_objdef_resource_name(SCB_OBJ_SECURITY, rid), what);
            }
        }
        if (!der_privkey_ok(value_of(c, SCB_OBJ_SECURITY, in, key_rid))) {
            ipath(path, sizeof(path), SCB_OBJ_SECURITY, in->id, key_rid);
            ADD(c, SCB_RULE_KEY_FORMAT_INVALID, SCB_SEV_ERROR, path,
                "Secret Key is not a DER private key (RFC 5958 / SEC 1)");
        }
        return;
    }
    if (mode == MODE_NOSEC) {
        for (uint16_t rid = SCB_RES_SEC_PUBKEY_ID; rid <= SCB_RES_SEC_SECRET_KEY; rid++) {
            if (vlen(c, in, rid)) {
                ipath(path, sizeof(path), SCB_OBJ_SECURITY, in->id, rid);
                ADD(c, SCB_RULE_CREDENTIALS_UNEXPECTED, SCB_SEV_WARNING, path,
                    "NoSec mode with a non-empty %s",
                    scb_objdef_resource_name(SCB_OBJ_SECURITY, rid));
            }
        }
    }
}

static void check_ssid_range(struct vctx *c, const struct scb_instance *in, uint16_t oid,
                             uint16_t rid)
{
    int64_t s;
    char path[32];
    if (get_int(c, oid, in, rid, &s) == 0 && (s < 1 || s > 65534)) {
        ipath(path, sizeof(path), oid, in->id, rid);
        ADD(c, SCB_RULE_SSID_OUT_OF_RANGE, SCB_SEV_ERROR, path,
            "Short Server ID %lld outside 1..65534", (long long)s);
    }
}

static void check_security(struct vctx *c, const struct scb_instance *in)
{
    static const uint16_t mand[] = {SCB_RES_SEC_URI, SCB_RES_SEC_BOOTSTRAP, SCB_RES_SEC_MODE};
    static const uint16_t ssid_res[] = {SCB_RES_SEC_SSID};
    const uint16_t oid = SCB_OBJ_SECURITY;
    char path[32];
    int64_t mode = -1;
    uint64_t u;
    int has_mode = get_int(c, oid, in, SCB_RES_SEC_MODE, &mode) == 0;
    int bs = is_bs(c, in);

    missing(c, oid, in, mand, 3);
    if (!bs) {
        missing(c, oid, in, ssid_res, 1);
    } else if (scb_instance_resource(in, SCB_RES_SEC_SSID)) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SEC_SSID);
        ADD(c, SCB_RULE_BS_ACCOUNT_SSID, SCB_SEV_WARNING, path,
            "the Bootstrap-Server account carries a Short Server ID (ignored)");
    }
    check_uri(c, in, mode, has_mode);
    if (has_mode && (mode < 0 || mode > 4 || !(c->p->security_modes & (1u << mode)))) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SEC_MODE);
        ADD(c, SCB_RULE_SECURITY_MODE_INVALID, SCB_SEV_ERROR, path, "Security Mode %lld %s",
            (long long)mode, mode < 0 || mode > 4 ? "outside 0..4" : "not supported by this client");
    } else if (has_mode) {
        check_keys(c, in, mode);
    }
    if (!bs) {
        check_ssid_range(c, in, oid, SCB_RES_SEC_SSID);
    }
    if (get_uint(c, oid, in, SCB_RES_SEC_MATCHING_TYPE, &u) == 0 && u > 3) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SEC_MATCHING_TYPE);
        ADD(c, SCB_RULE_MATCHING_TYPE_INVALID, SCB_SEV_ERROR, path, "Matching Type %llu outside 0..3",
            (unsigned long long)u);
    }
    if (get_uint(c, oid, in, SCB_RES_SEC_CERT_USAGE, &u) == 0 && u > 3) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SEC_CERT_USAGE);
        ADD(c, SCB_RULE_CERTIFICATE_USAGE_INVALID, SCB_SEV_ERROR, path,
            "Certificate Usage %llu outside 0..3", (unsigned long long)u);
    }
    const struct scb_value *ol = value_of(c, oid, in, SCB_RES_SEC_OSCORE);
    uint16_t o, i;
    if (ol && scb_value_objlnk(ol, &o, &i) == 0 &&
        (o != SCB_OBJ_OSCORE ||
         scb_object_instance(scb_config_object(c->cfg, SCB_OBJ_OSCORE), i) == NULL)) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SEC_OSCORE);
        ADD(c, SCB_RULE_OSCORE_LINK_INVALID, SCB_SEV_ERROR, path,
            "OSCORE Security Mode links /%u/%u, not an existing OSCORE instance", o, i);
    }
}

/* ---- Server (1) ------------------------------------------------------------------------- */

static int binding_ok(const struct scb_value *v, const struct scb_object *o)
{
    static const char *const v10[] = {"U", "UQ", "S", "SQ", "US", "UQS"};
    if (v->len == 0 || v->len > 5) {
        return 0;
    }
    if (o->explicit_version && o->major == 1 && o->minor == 0) {
        for (size_t k = 0; k < sizeof(v10) / sizeof(v10[0]); k++) {
            if (strlen(v10[k]) == v->len && memcmp(v->data, v10[k], v->len) == 0) {
                return 1;
            }
        }
        return 0;
    }
    /* 1.1 and later (and the implicit version of a 1.1 client): letters U T S N Q, once each.
     * memchr over the five letters, not strchr: strchr would find a NUL byte, and a binding
     * with a NUL inside would pass as valid. */
    for (size_t k = 0; k < v->len; k++) {
        if (memchr("UTSNQ", v->data[k], 5) == NULL || memchr(v->data, v->data[k], k) != NULL) {
            return 0;
        }
    }
    return 1;
}

static void check_server(struct vctx *c, const struct scb_object *o,
                         const struct scb_instance *in)
{
    static const uint16_t mand[] = {SCB_RES_SRV_SSID, SCB_RES_SRV_LIFETIME, SCB_RES_SRV_STORING,
                                    SCB_RES_SRV_BINDING};
    const uint16_t oid = SCB_OBJ_SERVER;
    char path[32];
    int64_t v, minp = 0, maxp = 0;
    uint64_t u;

    missing(c, oid, in, mand, 4);
    check_ssid_range(c, in, oid, SCB_RES_SRV_SSID);
    if (get_int(c, oid, in, SCB_RES_SRV_LIFETIME, &v) == 0 && (v < 0 || v > 4294967295LL)) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SRV_LIFETIME);
        ADD(c, SCB_RULE_LIFETIME_INVALID, SCB_SEV_ERROR, path, "lifetime %lld outside 0..2^32-1",
            (long long)v);
    }
    const struct scb_value *b = value_of(c, oid, in, SCB_RES_SRV_BINDING);
    if (b && !binding_ok(b, o)) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SRV_BINDING);
        ADD(c, SCB_RULE_BINDING_INVALID, SCB_SEV_ERROR, path, "binding is not valid for Server %s",
            o->explicit_version && o->major == 1 && o->minor == 0 ? "1.0 (U, UQ, S, SQ, US, UQS)"
                                                                  : "1.1 (letters U T S N Q)");
    }
    int has_min = get_int(c, oid, in, SCB_RES_SRV_MIN_PERIOD, &minp) == 0;
    int has_max = get_int(c, oid, in, SCB_RES_SRV_MAX_PERIOD, &maxp) == 0;
    if ((has_min && minp < 0) || (has_max && maxp <= 0) || (has_min && has_max && minp > maxp)) {
        ipath(path, sizeof(path), oid, in->id,
              has_min && minp < 0 ? SCB_RES_SRV_MIN_PERIOD : SCB_RES_SRV_MAX_PERIOD);
        ADD(c, SCB_RULE_PERIOD_INVALID, SCB_SEV_ERROR, path,
            "default periods invalid (min %lld, max %lld)", (long long)minp, (long long)maxp);
    }
    if (get_int(c, oid, in, SCB_RES_SRV_DISABLE_TIMEOUT, &v) == 0 && v < 0) {
        ipath(path, sizeof(path), oid, in->id, SCB_RES_SRV_DISABLE_TIMEOUT);
        ADD(c, SCB_RULE_PERIOD_INVALID, SCB_SEV_ERROR, path, "disable timeout %lld is negative",
            (long long)v);
    }
    static const uint16_t retry[] = {SCB_RES_SRV_RETRY_COUNT, SCB_RES_SRV_SEQ_RETRY_COUNT};
    for (size_t k = 0; k < 2; k++) {
        if (get_uint(c, oid, in, retry[k], &u) == 0 && u == 0) {
            ipath(path, sizeof(path), oid, in->id, retry[k]);
            ADD(c, SCB_RULE_RETRY_INVALID, SCB_SEV_ERROR, path, "%s is 0",
                scb_objdef_resource_name(oid, retry[k]));
        }
    }
}

/* ---- Access Control (2) ----------------------------------------------------------------- */

static void check_acl(struct vctx *c, const struct scb_instance *in)
{
    static const uint16_t mand[] = {SCB_RES_ACL_OBJECT, SCB_RES_ACL_INSTANCE, SCB_RES_ACL_OWNER};
    const uint16_t aoid = SCB_OBJ_ACL;
    char path[32];
    int64_t oid = -1, iid = -1, owner = -1;

    missing(c, aoid, in, mand, 3);
    int has_oid = get_int(c, aoid, in, SCB_RES_ACL_OBJECT, &oid) == 0;
    int has_iid = get_int(c, aoid, in, SCB_RES_ACL_INSTANCE, &iid) == 0;
    if (has_oid && oid == SCB_OBJ_SECURITY) {
        ipath(path, sizeof(path), aoid, in->id, SCB_RES_ACL_OBJECT);
        ADD(c, SCB_RULE_ACL_TARGET_INVALID, SCB_SEV_ERROR, path,
            "the Security object cannot be an Access Control target");
    } else if ((has_oid && (oid < 1 || oid > 65534)) || (has_iid && (iid < 0 || iid > 65535))) {
        ipath(path, sizeof(path), aoid, in->id,
              has_oid && (oid < 1 || oid > 65534) ? SCB_RES_ACL_OBJECT : SCB_RES_ACL_INSTANCE);
        ADD(c, SCB_RULE_ACL_TARGET_INVALID, SCB_SEV_ERROR, path, "target /%lld/%lld is not valid",
            (long long)oid, (long long)iid);
    }
    if (get_int(c, aoid, in, SCB_RES_ACL_OWNER, &owner) == 0 && owner != 65535 &&
        !ssid_known(c, owner)) {
        ipath(path, sizeof(path), aoid, in->id, SCB_RES_ACL_OWNER);
        ADD(c, SCB_RULE_ACL_OWNER_UNKNOWN, SCB_SEV_ERROR, path,
            "owner %lld is neither a configured server nor 65535", (long long)owner);
    }
    const struct scb_resource *acl = scb_instance_resource(in, SCB_RES_ACL_ACL);
    if (acl && !acl->multiple) {
        shape_violation(c, aoid, in->id, acl, scb_objdef_resource(aoid, SCB_RES_ACL_ACL));
        return; /* a single ACL value has no server to apply to */
    }
    for (size_t k = 0; acl && k < acl->n; k++) {
        int64_t bits;
        snprintf(path, sizeof(path), "/2/%u/2/%u", in->id, acl->v[k].riid);
        if (acl->v[k].riid != 0 && !ssid_known(c, acl->v[k].riid)) {
            ADD(c, SCB_RULE_ACL_ENTRY_UNKNOWN, SCB_SEV_ERROR, path,
                "ACL entry for server %u, which is not configured", acl->v[k].riid);
        }
        if (scb_value_int(&acl->v[k], &bits) == 0 && (bits < 0 || bits > 31)) {
            ADD(c, SCB_RULE_ACL_VALUE_INVALID, SCB_SEV_ERROR, path, "ACL value %lld outside 0..31",
                (long long)bits);
        }
    }
}

int scb_validate(const struct scb_config *cfg, const struct scb_profile *p,
                 enum scb_source src, struct scb_report *rep)
{
    struct scb_profile def;
    struct vctx c = {.cfg = cfg, .p = p, .src = src, .rep = rep};
    const struct scb_object *o;

    if (cfg == NULL || rep == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (p == NULL) {
        scb_profile_default(&def);
        c.p = &def;
    }
    /* shape and type of every resource of 0/1/2/21 first: the rules below judge only values
     * that fit the registry, and report (never skip) any other they come across */
    check_defs(&c);
    if (build_index(&c) < 0) {
        c.err = SCB_E_NOMEM;
        goto done;
    }
    check_whole(&c);
    if ((o = scb_config_object(cfg, SCB_OBJ_SECURITY)) != NULL) {
        for (size_t k = 0; k < o->n; k++) {
            check_security(&c, &o->i[k]);
        }
    }
    if ((o = scb_config_object(cfg, SCB_OBJ_SERVER)) != NULL) {
        for (size_t k = 0; k < o->n; k++) {
            check_server(&c, o, &o->i[k]);
        }
    }
    if ((o = scb_config_object(cfg, SCB_OBJ_ACL)) != NULL) {
        for (size_t k = 0; k < o->n; k++) {
            check_acl(&c, &o->i[k]);
        }
    }
done:
    free(c.sec);
    free(c.srv);
    free(c.flagged);
    return c.err;
}

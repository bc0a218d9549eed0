/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c: the consistency validator (RULES.md). Whole-configuration rules first, then
 * Security, Server and Access Control instances in ID order, so the report order is stable.
 * Key material is parsed with mbedTLS (pk, x509), never by hand.
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "codec_internal.h"
#include "scboot/card.h"
#include "scboot/error.h"
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

int scb_profile_from_json_text(const char *text, struct scb_profile *p, char *err,
                               size_t errlen)
{
    json_object *root = json_tokener_parse(text), *v;
    int max_set = 0;

    scb_profile_default(p);
    if (root == NULL || !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        snprintf(err, errlen, "profile is not a JSON object");
        return SCB_E_JSON;
    }
    if (json_object_object_get_ex(root, "access_control", &v)) {
        p->acl_supported = json_object_get_boolean(v);
    }
    if (json_object_object_get_ex(root, "security_modes", &v)) {
        if (!json_object_is_type(v, json_type_array)) {
            goto bad;
        }
        p->security_modes = 0;
        for (size_t k = 0; k < json_object_array_length(v); k++) {
            int m = json_object_get_int(json_object_array_get_idx(v, k));
            if (m < 0 || m > 4) {
                goto bad;
            }
            p->security_modes |= 1u << m;
        }
    }
    if (json_object_object_get_ex(root, "max_servers", &v)) {
        int m = json_object_get_int(v);
        if (m < 0) {
            goto bad;
        }
        p->max_servers = (unsigned)m;
        max_set = 1;
    }
    if (!max_set && !p->acl_supported) {
        p->max_servers = 1; /* RULES.md: a client without Access Control supports one */
    }
    json_object_put(root);
    return SCB_OK;
bad:
    json_object_put(root);
    snprintf(err, errlen, "profile: security_modes must be a list of 0-4, max_servers >= 0");
    return SCB_E_JSON;
}

void scb_report_free(struct scb_report *rep)
{
    free(rep->v);
    memset(rep, 0, sizeof(*rep));
}

int scb_report_has_errors(const struct scb_report *rep)
{
    for (size_t k = 0; k < rep->n; k++) {
        if (rep->v[k].severity == SCB_SEV_ERROR) {
            return 1;
        }
    }
    return 0;
}

__attribute__((format(printf, 5, 6))) static int add(struct scb_report *rep, const char *rule,
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
    v->rule = rule;
    v->severity = sev;
    snprintf(v->path, sizeof(v->path), "%s", path);
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof(v->message), fmt, ap);
    va_end(ap);
    return SCB_OK;
}

int scb_report_add_decode_error(struct scb_report *rep, const struct scb_decode_error *e)
{
    return add(rep, e->rule ? e->rule : "tlv-malformed", SCB_SEV_ERROR, e->path[0] ? e->path : "/",
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
};

#define ADD(c, ...)                                                                          \
    do {                                                                                     \
        if (add((c)->rep, __VA_ARGS__) < 0) {                                                \
            (c)->err = SCB_E_NOMEM;                                                          \
        }                                                                                    \
    } while (0)

static int get_int(const struct scb_instance *in, uint16_t rid, int64_t *out)
{
    const struct scb_value *v = scb_instance_value(in, rid);
    return v ? scb_value_int(v, out) : SCB_E_NOT_FOUND;
}

static int get_uint(const struct scb_instance *in, uint16_t rid, uint64_t *out)
{
    const struct scb_value *v = scb_instance_value(in, rid);
    return v ? scb_value_uint(v, out) : SCB_E_NOT_FOUND;
}

static int is_bs(const struct scb_instance *in)
{
    const struct scb_value *v = scb_instance_value(in, 1);
    int b = 0;
    return v && scb_value_bool(v, &b) == 0 && b;
}

static size_t vlen(const struct scb_instance *in, uint16_t rid)
{
    const struct scb_value *v = scb_instance_value(in, rid);
    return v ? v->len : 0;
}

static void ipath(char *out, size_t cap, uint16_t oid, uint16_t iid, int rid)
{
    if (rid < 0) {
        snprintf(out, cap, "/%u/%u", oid, iid);
    } else {
        snprintf(out, cap, "/%u/%u/%d", oid, iid, rid);
    }
}

/* SSID of a non-bootstrap Security instance or of a Server instance (-1 if absent). */
static long ssid_of(const struct scb_instance *in, uint16_t rid)
{
    int64_t v;
    return get_int(in, rid, &v) == 0 ? (long)v : -1;
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
    const struct scb_object *sec = scb_config_object(c->cfg, 0);
    const struct scb_object *srv = scb_config_object(c->cfg, 1);
    c->sec = calloc(sec && sec->n ? sec->n : 1, sizeof(*c->sec));
    c->srv = calloc(srv && srv->n ? srv->n : 1, sizeof(*c->srv));
    if (c->sec == NULL || c->srv == NULL) {
        return SCB_E_NOMEM;
    }
    for (size_t k = 0; sec && k < sec->n; k++) {
        long s = ssid_of(&sec->i[k], 10);
        if (!is_bs(&sec->i[k]) && s >= 0) {
            c->sec[c->nsec++] = (struct ssid_ent){s, sec->i[k].id};
        }
    }
    for (size_t k = 0; srv && k < srv->n; k++) {
        long s = ssid_of(&srv->i[k], 0);
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

/* ---- whole configuration ---------------------------------------------------------------- */

static void check_whole(struct vctx *c)
{
    const struct scb_object *sec = scb_config_object(c->cfg, 0);
    const struct scb_object *srv = scb_config_object(c->cfg, 1);
    const struct scb_object *acl = scb_config_object(c->cfg, 2);
    size_t bs = 0, complete = 0, servers = srv ? srv->n : 0;
    char path[32];

    for (size_t k = 0; sec && k < sec->n; k++) {
        if (is_bs(&sec->i[k])) {
            bs++;
        } else if (ssid_of(&sec->i[k], 10) > 0 && security_has_server(c,
                                                                       ssid_of(&sec->i[k], 10))) {
            complete++;
        }
    }
    if (bs > 1) {
        ADD(c, "bs-account-multiple", SCB_SEV_ERROR, "/0",
            "%zu Security instances are Bootstrap-Server accounts; at most one is allowed", bs);
    }
    if (complete == 0 && (c->src == SCB_SRC_NETWORK || bs == 0)) {
        ADD(c, "server-account-missing", SCB_SEV_ERROR, "/",
            "no complete LwM2M Server account (a non-bootstrap Security instance whose Short "
            "Server ID matches a Server instance)");
    }
    for (size_t k = 0; srv && k < srv->n; k++) {
        long s = ssid_of(&srv->i[k], 0);
        const struct ssid_ent *first = s >= 0 ? idx_first(c->srv, c->nsrv, s) : NULL;
        int orphan = s >= 0 && !server_has_security(c, s);
        if (!orphan && !(first && first->iid != srv->i[k].id)) {
            continue;
        }
        ipath(path, sizeof(path), 1, srv->i[k].id, -1);
        if (orphan) {
            ADD(c, "server-without-security", SCB_SEV_ERROR, path,
                "Server instance with Short Server ID %ld has no non-bootstrap Security "
                "instance",
                s);
        }
        if (first && first->iid != srv->i[k].id) {
            ADD(c, "ssid-duplicate", SCB_SEV_ERROR, path,
                "Short Server ID %ld already used by /1/%u", s, first->iid);
        }
    }
    for (size_t k = 0; sec && k < sec->n; k++) {
        if (is_bs(&sec->i[k])) {
            continue;
        }
        long s = ssid_of(&sec->i[k], 10);
        const struct ssid_ent *first = s >= 0 ? idx_first(c->sec, c->nsec, s) : NULL;
        int orphan = s >= 0 && !security_has_server(c, s);
        if (!orphan && !(first && first->iid != sec->i[k].id)) {
            continue;
        }
        ipath(path, sizeof(path), 0, sec->i[k].id, -1);
        if (orphan) {
            ADD(c, "security-without-server", SCB_SEV_WARNING, path,
                "Security instance with Short Server ID %ld has no Server instance", s);
        }
        if (first && first->iid != sec->i[k].id) {
            ADD(c, "ssid-duplicate", SCB_SEV_ERROR, path,
                "Short Server ID %ld already used by /0/%u", s, first->iid);
        }
    }
    if (c->p->acl_supported && servers > 1 && (acl == NULL || acl->n == 0)) {
        ADD(c, "acl-missing", SCB_SEV_WARNING, "/",
            "%zu server accounts and no Access Control instance", servers);
    }
    if (c->p->max_servers && servers > c->p->max_servers) {
        ADD(c, "multi-server-unsupported", SCB_SEV_ERROR, "/1",
            "%zu server accounts; this client supports %u", servers, c->p->max_servers);
    }
    if (!c->p->acl_supported && acl && acl->n > 0) {
        ADD(c, "acl-unsupported", SCB_SEV_ERROR, "/2",
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
            ADD(c, "resource-missing", SCB_SEV_ERROR, path, "mandatory resource %s is absent",
                scb_res_name(oid, rids[k]));
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
    const struct scb_value *u = scb_instance_value(in, 0);
    char path[32], scheme[16];
    if (u == NULL) {
        return;
    }
    ipath(path, sizeof(path), 0, in->id, 0);
    if (u->len == 0 || u->len > 255 || !uri_scheme(u->data, u->len, scheme, sizeof(scheme))) {
        ADD(c, "uri-invalid", SCB_SEV_ERROR, path, "Server URI %s",
            u->len == 0 ? "is empty" : u->len > 255 ? "is longer than 255 bytes" : "is not a URI");
        return;
    }
    int plain = strcmp(scheme, "coap") == 0 || strcmp(scheme, "coap+tcp") == 0;
    int secure = strcmp(scheme, "coaps") == 0 || strcmp(scheme, "coaps+tcp") == 0;
    if (!plain && !secure) {
        ADD(c, "uri-invalid", SCB_SEV_ERROR, path,
            "scheme '%s' is not coap, coaps, coap+tcp or coaps+tcp", scheme);
        return;
    }
    if (has_mode && (mode < 0 || mode > MODE_EST)) {
        return; /* security-mode-invalid says it; no second violation for the same value */
    }
    if (has_mode && plain && mode != MODE_NOSEC) {
        ADD(c, "uri-scheme-mode-mismatch", SCB_SEV_ERROR, path,
            "plain scheme '%s' with secure Security Mode %lld", scheme, (long long)mode);
    } else if (has_mode && secure && mode == MODE_NOSEC) {
        ADD(c, "uri-scheme-mode-mismatch", SCB_SEV_ERROR, path,
            "secure scheme '%s' with Security Mode 3 (NoSec)", scheme);
    }
}

static int der_pubkey_ok(const struct scb_value *v)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int ok = v && v->len && mbedtls_pk_parse_public_key(&pk, v->data, v->len) == 0;
    mbedtls_pk_free(&pk);
    return ok;
}

static int der_privkey_ok(const struct scb_value *v)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int ok = v && v->len && mbedtls_pk_parse_key(&pk, v->data, v->len, NULL, 0) == 0;
    mbedtls_pk_free(&pk);
    return ok;
}

static int der_cert_ok(const struct scb_value *v)
{
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ok = v && v->len && mbedtls_x509_crt_parse_der(&crt, v->data, v->len) == 0;
    mbedtls_x509_crt_free(&crt);
    return ok;
}

static void check_keys(struct vctx *c, const struct scb_instance *in, int64_t mode)
{
    char path[32];
    if (mode == MODE_PSK) {
        const struct scb_value *id = scb_instance_value(in, 3);
        if (vlen(in, 3) == 0 || vlen(in, 5) == 0) {
            ipath(path, sizeof(path), 0, in->id, vlen(in, 3) == 0 ? 3 : 5);
            ADD(c, "credentials-missing", SCB_SEV_ERROR, path, "PSK mode without %s",
                vlen(in, 3) == 0 ? "an identity (/3)" : "a key (/5)");
        }
        if (id && id->len && (id->len > 128 || !scb_value_utf8_ok(id->data, id->len))) {
            ipath(path, sizeof(path), 0, in->id, 3);
            ADD(c, "psk-identity-invalid", SCB_SEV_ERROR, path, "PSK identity %s",
                id->len > 128 ? "is longer than 128 bytes" : "is not valid UTF-8");
        }
        return;
    }
    if (mode == MODE_RPK || mode == MODE_CERT) {
        static const uint16_t need[] = {3, 4, 5};
        int all = 1;
        for (size_t k = 0; k < 3; k++) {
            if (vlen(in, need[k]) == 0) {
                ipath(path, sizeof(path), 0, in->id, need[k]);
                ADD(c, "credentials-missing", SCB_SEV_ERROR, path, "%s mode without %s",
                    mode == MODE_RPK ? "RPK" : "certificate", scb_res_name(0, need[k]));
                all = 0;
            }
        }
        if (!all) {
            return;
        }
        int (*pub)(const struct scb_value *) = mode == MODE_RPK ? der_pubkey_ok : der_cert_ok;
        const char *what = mode == MODE_RPK ? "a DER SubjectPublicKeyInfo" : "a DER X.509 certificate";
        for (uint16_t rid = 3; rid <= 4; rid++) {
            if (!pub(scb_instance_value(in, rid))) {
                ipath(path, sizeof(path), 0, in->id, rid);
                ADD(c, "key-format-invalid", SCB_SEV_ERROR, path, "%s is not %s",
                    scb_res_name(0, rid), what);
            }
        }
        if (!der_privkey_ok(scb_instance_value(in, 5))) {
            ipath(path, sizeof(path), 0, in->id, 5);
            ADD(c, "key-format-invalid", SCB_SEV_ERROR, path,
                "Secret Key is not a DER private key (RFC 5958 / SEC 1)");
        }
        return;
    }
    if (mode == MODE_NOSEC) {
        for (uint16_t rid = 3; rid <= 5; rid++) {
            if (vlen(in, rid)) {
                ipath(path, sizeof(path), 0, in->id, rid);
                ADD(c, "credentials-unexpected", SCB_SEV_WARNING, path,
                    "NoSec mode with a non-empty %s", scb_res_name(0, rid));
            }
        }
    }
}

static void check_ssid_range(struct vctx *c, const struct scb_instance *in, uint16_t oid,
                             uint16_t rid)
{
    int64_t s;
    char path[32];
    if (get_int(in, rid, &s) == 0 && (s < 1 || s > 65534)) {
        ipath(path, sizeof(path), oid, in->id, rid);
        ADD(c, "ssid-out-of-range", SCB_SEV_ERROR, path,
            "Short Server ID %lld outside 1..65534", (long long)s);
    }
}

static void check_security(struct vctx *c, const struct scb_instance *in)
{
    static const uint16_t mand[] = {0, 1, 2};
    static const uint16_t ssid_res[] = {10};
    char path[32];
    int64_t mode = -1;
    uint64_t u;
    int has_mode = get_int(in, 2, &mode) == 0;

    missing(c, 0, in, mand, 3);
    if (!is_bs(in)) {
        missing(c, 0, in, ssid_res, 1);
    } else if (scb_instance_resource(in, 10)) {
        ipath(path, sizeof(path), 0, in->id, 10);
        ADD(c, "bs-account-ssid", SCB_SEV_WARNING, path,
            "the Bootstrap-Server account carries a Short Server ID (ignored)");
    }
    check_uri(c, in, mode, has_mode);
    if (has_mode && (mode < 0 || mode > 4 || !(c->p->security_modes & (1u << mode)))) {
        ipath(path, sizeof(path), 0, in->id, 2);
        ADD(c, "security-mode-invalid", SCB_SEV_ERROR, path, "Security Mode %lld %s",
            (long long)mode, mode < 0 || mode > 4 ? "outside 0..4" : "not supported by this client");
    } else if (has_mode) {
        check_keys(c, in, mode);
    }
    if (!is_bs(in)) {
        check_ssid_range(c, in, 0, 10);
    }
    if (get_uint(in, 13, &u) == 0 && u > 3) {
        ipath(path, sizeof(path), 0, in->id, 13);
        ADD(c, "matching-type-invalid", SCB_SEV_ERROR, path, "Matching Type %llu outside 0..3",
            (unsigned long long)u);
    }
    if (get_uint(in, 15, &u) == 0 && u > 3) {
        ipath(path, sizeof(path), 0, in->id, 15);
        ADD(c, "certificate-usage-invalid", SCB_SEV_ERROR, path,
            "Certificate Usage %llu outside 0..3", (unsigned long long)u);
    }
    const struct scb_value *ol = scb_instance_value(in, 17);
    uint16_t o, i;
    if (ol && scb_value_objlnk(ol, &o, &i) == 0 &&
        (o != 21 || scb_object_instance(scb_config_object(c->cfg, 21), i) == NULL)) {
        ipath(path, sizeof(path), 0, in->id, 17);
        ADD(c, "oscore-link-invalid", SCB_SEV_ERROR, path,
            "OSCORE Security Mode links /%u/%u, not an existing OSCORE instance", o, i);
    }
}

/* ---- Server (1) ------------------------------------------------------------------------- */

static int binding_ok(const struct scb_value *v, const struct scb_object *o)
{
    static const char *v10[] = {"U", "UQ", "S", "SQ", "US", "UQS"};
    if (v == NULL || v->len == 0 || v->len > 5) {
        return 0;
    }
    char b[8];
    memcpy(b, v->data, v->len);
    b[v->len] = '\0';
    if (o->explicit_version && o->major == 1 && o->minor == 0) {
        for (size_t k = 0; k < sizeof(v10) / sizeof(v10[0]); k++) {
            if (strcmp(b, v10[k]) == 0) {
                return 1;
            }
        }
        return 0;
    }
    /* 1.1 and later (and the implicit version of a 1.1 client): letters U T S N Q, once each */
    for (size_t k = 0; k < v->len; k++) {
        if (strchr("UTSNQ", b[k]) == NULL || memchr(b, b[k], k) != NULL) {
            return 0;
        }
    }
    return 1;
}

static void check_server(struct vctx *c, const struct scb_object *o,
                         const struct scb_instance *in)
{
    static const uint16_t mand[] = {0, 1, 6, 7};
    char path[32];
    int64_t v, minp = 0, maxp = 0;
    uint64_t u;

    missing(c, 1, in, mand, 4);
    check_ssid_range(c, in, 1, 0);
    if (get_int(in, 1, &v) == 0 && (v < 0 || v > 4294967295LL)) {
        ipath(path, sizeof(path), 1, in->id, 1);
        ADD(c, "lifetime-invalid", SCB_SEV_ERROR, path, "lifetime %lld outside 0..2^32-1",
            (long long)v);
    }
    if (scb_instance_resource(in, 7) && !binding_ok(scb_instance_value(in, 7), o)) {
        ipath(path, sizeof(path), 1, in->id, 7);
        ADD(c, "binding-invalid", SCB_SEV_ERROR, path, "binding is not valid for Server %s",
            o->explicit_version && o->major == 1 && o->minor == 0 ? "1.0 (U, UQ, S, SQ, US, UQS)"
                                                                  : "1.1 (letters U T S N Q)");
    }
    int has_min = get_int(in, 2, &minp) == 0, has_max = get_int(in, 3, &maxp) == 0;
    if ((has_min && minp < 0) || (has_max && maxp <= 0) || (has_min && has_max && minp > maxp)) {
        ipath(path, sizeof(path), 1, in->id, has_min && minp < 0 ? 2 : 3);
        ADD(c, "period-invalid", SCB_SEV_ERROR, path,
            "default periods invalid (min %lld, max %lld)", (long long)minp, (long long)maxp);
    }
    if (get_int(in, 5, &v) == 0 && v < 0) {
        ipath(path, sizeof(path), 1, in->id, 5);
        ADD(c, "period-invalid", SCB_SEV_ERROR, path, "disable timeout %lld is negative",
            (long long)v);
    }
    for (uint16_t rid = 17; rid <= 20; rid += 3) {
        if (get_uint(in, rid, &u) == 0 && u == 0) {
            ipath(path, sizeof(path), 1, in->id, rid);
            ADD(c, "retry-invalid", SCB_SEV_ERROR, path, "%s is 0", scb_res_name(1, rid));
        }
    }
}

/* ---- Access Control (2) ----------------------------------------------------------------- */

static void check_acl(struct vctx *c, const struct scb_instance *in)
{
    static const uint16_t mand[] = {0, 1, 3};
    char path[32];
    int64_t oid = -1, iid = -1, owner = -1;

    missing(c, 2, in, mand, 3);
    int has_oid = get_int(in, 0, &oid) == 0, has_iid = get_int(in, 1, &iid) == 0;
    if (has_oid && oid == 0) {
        ipath(path, sizeof(path), 2, in->id, 0);
        ADD(c, "acl-target-invalid", SCB_SEV_ERROR, path,
            "the Security object cannot be an Access Control target");
    } else if ((has_oid && (oid < 1 || oid > 65534)) || (has_iid && (iid < 0 || iid > 65535))) {
        ipath(path, sizeof(path), 2, in->id, has_oid && (oid < 1 || oid > 65534) ? 0 : 1);
        ADD(c, "acl-target-invalid", SCB_SEV_ERROR, path, "target /%lld/%lld is not valid",
            (long long)oid, (long long)iid);
    }
    if (get_int(in, 3, &owner) == 0 && owner != 65535 && !ssid_known(c, owner)) {
        ipath(path, sizeof(path), 2, in->id, 3);
        ADD(c, "acl-owner-unknown", SCB_SEV_ERROR, path,
            "owner %lld is neither a configured server nor 65535", (long long)owner);
    }
    const struct scb_resource *acl = scb_instance_resource(in, 2);
    for (size_t k = 0; acl && k < acl->n; k++) {
        int64_t bits;
        snprintf(path, sizeof(path), "/2/%u/2/%u", in->id, acl->v[k].riid);
        if (acl->v[k].riid != 0 && !ssid_known(c, acl->v[k].riid)) {
            ADD(c, "acl-entry-unknown", SCB_SEV_ERROR, path,
                "ACL entry for server %u, which is not configured", acl->v[k].riid);
        }
        if (scb_value_int(&acl->v[k], &bits) == 0 && (bits < 0 || bits > 31)) {
            ADD(c, "acl-value-invalid", SCB_SEV_ERROR, path, "ACL value %lld outside 0..31",
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
    if (build_index(&c) < 0) {
        free(c.sec);
        free(c.srv);
        return SCB_E_NOMEM;
    }
    check_whole(&c);
    if ((o = scb_config_object(cfg, 0)) != NULL) {
        for (size_t k = 0; k < o->n; k++) {
            check_security(&c, &o->i[k]);
        }
    }
    if ((o = scb_config_object(cfg, 1)) != NULL) {
        for (size_t k = 0; k < o->n; k++) {
            check_server(&c, o, &o->i[k]);
        }
    }
    if ((o = scb_config_object(cfg, 2)) != NULL) {
        for (size_t k = 0; k < o->n; k++) {
            check_acl(&c, &o->i[k]);
        }
    }
    free(c.sec);
    free(c.srv);
    return c.err;
}

int scb_bootstrap_check(const uint8_t *image, size_t len, const struct scb_profile *p,
                        enum scb_source src, struct scb_config *cfg, struct scb_report *rep)
{
    struct scb_decode_error derr = {0};
    int ret;

    if (cfg == NULL || rep == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (len > SCB_MAX_FILE_SIZE) {
        scb_decode_fail(&derr, "file-too-large", SCB_MAX_FILE_SIZE, "/",
                        "bootstrap file of %zu bytes exceeds 32 KB", len);
        return (ret = scb_report_add_decode_error(rep, &derr)) < 0 ? ret : SCB_E_DECODE;
    }
    if ((ret = scb_bsfile_decode(image, len, cfg, &derr)) < 0) {
        if (ret == SCB_E_DECODE && (ret = scb_report_add_decode_error(rep, &derr)) == SCB_OK) {
            ret = SCB_E_DECODE;
        }
        return ret;
    }
    return scb_validate(cfg, p, src, rep);
}

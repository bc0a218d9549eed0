/* SPDX-License-Identifier: Apache-2.0 */
/*
 * account.c: server accounts (a Security instance joined with the Server instance of its Short
 * Server ID) read from a configuration, and the changes between the accounts of two
 * configurations. Each account keeps copies of its instances in a small configuration of its
 * own, so it outlives the configuration it came from and is zeroized by scb_config_free().
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/account.h"
#include "scboot/error.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"

struct scb_account {
    struct scb_config own;             /* copies of /0/x, /1/y and /21/z */
    const struct scb_instance *sec;    /* into own: never NULL once built */
    const struct scb_instance *srv;    /* into own, or NULL */
    const struct scb_instance *osc;    /* into own, or NULL */
    char *uri, *binding;               /* NUL-terminated copies, or NULL */
    uint16_t ssid;                     /* 0: Bootstrap-Server account or none usable */
    int bootstrap;
};

struct scb_account_list {
    size_t n;
    struct scb_account *v;
};

/* A Server instance by the SSID it names: sorted, for a binary search. */
struct srv_ref {
    uint16_t ssid;
    const struct scb_instance *in;
};

/* ---- building -------------------------------------------------------------------------------- */

static int copy_instance(struct scb_config *dst, uint16_t oid, const struct scb_instance *src)
{
    struct scb_object *o;
    struct scb_instance *in;
    int ret;
    if ((ret = scb_config_add_object(dst, oid, &o)) < 0 ||
        (ret = scb_object_add_instance(o, src->id, &in)) < 0) {
        return ret;
    }
    for (uint32_t k = 0; k < src->n; k++) {
        const struct scb_resource *r = &src->r[k];
        struct scb_resource *d;
        if ((ret = scb_instance_add_resource(in, r->id, &d)) < 0) {
            return ret;
        }
        d->multiple = r->multiple;
        for (uint32_t j = 0; j < r->n; j++) {
            if ((ret = scb_resource_add_value(d, r->v[j].riid, r->v[j].data, r->v[j].len)) < 0) {
                return ret;
            }
        }
    }
    return SCB_OK;
}

/* The single value of a resource: NOT_FOUND (no instance, no resource), PARSE (a Multiple
 * Resource, or a single one without exactly one value). */
static int single(const struct scb_instance *in, uint16_t rid, const struct scb_value **v)
{
    const struct scb_resource *r = scb_instance_resource(in, rid);
    if (r == NULL) {
        return SCB_E_NOT_FOUND;
    }
    if (r->multiple || r->n != 1) {
        return SCB_E_PARSE;
    }
    *v = &r->v[0];
    return SCB_OK;
}

/* Typed reads: *out written only on SCB_OK. */
static int get_int(const struct scb_instance *in, uint16_t rid, int64_t *out)
{
    const struct scb_value *v;
    int64_t x = 0;
    int ret;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = single(in, rid, &v)) == SCB_OK && (ret = scb_value_int(v, &x)) == SCB_OK) {
        *out = x;
    }
    return ret;
}

static int get_bool(const struct scb_instance *in, uint16_t rid, int *out)
{
    const struct scb_value *v;
    int x = 0, ret;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = single(in, rid, &v)) == SCB_OK && (ret = scb_value_bool(v, &x)) == SCB_OK) {
        *out = x;
    }
    return ret;
}

/* A NUL-terminated copy of a string resource (*out NULL when absent or not a plain string). */
static int copy_string(const struct scb_instance *in, uint16_t rid, char **out)
{
    const struct scb_value *v = scb_instance_value(in, rid);
    *out = NULL;
    if (v == NULL || (v->len > 0 && memchr(v->data, 0, v->len) != NULL)) {
        return SCB_OK;
    }
    if ((*out = malloc((size_t)v->len + 1)) == NULL) {
        return SCB_E_NOMEM;
    }
    if (v->len > 0) {
        memcpy(*out, v->data, v->len);
    }
    (*out)[v->len] = '\0';
    return SCB_OK;
}

static void free_string(char **s)
{
    if (*s != NULL) {
        scb_util_zeroize(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

static void account_free(struct scb_account *a)
{
    scb_config_free(&a->own);
    free_string(&a->uri);
    free_string(&a->binding);
}

static int srv_ref_cmp(const void *x, const void *y)
{
    const struct srv_ref *a = x, *b = y;
    if (a->ssid != b->ssid) {
        return a->ssid < b->ssid ? -1 : 1;
    }
    return a->in->id < b->in->id ? -1 : a->in->id > b->in->id; /* the lowest ID first */
}

/* Server instances with a usable SSID, sorted by it (*out NULL when there are none). */
static int index_servers(const struct scb_object *srv, struct srv_ref **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (srv == NULL || srv->n == 0) {
        return SCB_OK;
    }
    if ((*out = calloc(srv->n, sizeof(**out))) == NULL) {
        return SCB_E_NOMEM;
    }
    for (size_t k = 0; k < srv->n; k++) {
        int64_t ssid;
        if (get_int(&srv->i[k], SCB_RES_SRV_SSID, &ssid) == SCB_OK && ssid >= 1 &&
            ssid <= 65534) {
            (*out)[*n].ssid = (uint16_t)ssid;
            (*out)[(*n)++].in = &srv->i[k];
        }
    }
    qsort(*out, *n, sizeof(**out), srv_ref_cmp);
    return SCB_OK;
}

static const struct scb_instance *find_server(const struct srv_ref *idx, size_t n, uint16_t ssid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first entry >= ssid: the lowest instance ID of that SSID */
        size_t mid = lo + (hi - lo) / 2;
        if (idx[mid].ssid < ssid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && idx[lo].ssid == ssid ? idx[lo].in : NULL;
}

/* The OSCORE instance /0/x/17 links to, or NULL. */
static const struct scb_instance *linked_oscore(const struct scb_config *cfg,
                                                const struct scb_instance *sec)
{
    const struct scb_value *v = scb_instance_value(sec, SCB_RES_SEC_OSCORE);
    uint16_t oid, iid;
    if (v == NULL || scb_value_objlnk(v, &oid, &iid) != SCB_OK || oid != SCB_OBJ_OSCORE) {
        return NULL;
    }
    return scb_object_instance(scb_config_object(cfg, SCB_OBJ_OSCORE), iid);
}

static int account_build(struct scb_account *a, const struct scb_config *cfg,
                         const struct scb_instance *sec, const struct srv_ref *idx, size_t nidx)
{
    const struct scb_instance *srv = NULL, *osc = linked_oscore(cfg, sec);
    int64_t ssid;
    int ret;

    memset(a, 0, sizeof(*a));
    scb_config_init(&a->own);
    if (get_bool(sec, SCB_RES_SEC_BOOTSTRAP, &a->bootstrap) != SCB_OK) {
        a->bootstrap = 0;
    }
    /* the Bootstrap-Server account's /0/x/10 is ignored (bs-account-ssid) */
    if (!a->bootstrap && get_int(sec, SCB_RES_SEC_SSID, &ssid) == SCB_OK && ssid >= 1 &&
        ssid <= 65534) {
        a->ssid = (uint16_t)ssid;
        srv = find_server(idx, nidx, a->ssid);
    }
    if ((ret = copy_instance(&a->own, SCB_OBJ_SECURITY, sec)) < 0 ||
        (srv != NULL && (ret = copy_instance(&a->own, SCB_OBJ_SERVER, srv)) < 0) ||
        (osc != NULL && (ret = copy_instance(&a->own, SCB_OBJ_OSCORE, osc)) < 0)) {
        return ret;
    }
    /* pointers into own only now: adding an object may move the others */
    a->sec = scb_object_instance(scb_config_object(&a->own, SCB_OBJ_SECURITY), sec->id);
    if (srv != NULL) {
        a->srv = scb_object_instance(scb_config_object(&a->own, SCB_OBJ_SERVER), srv->id);
    }
    if (osc != NULL) {
        a->osc = scb_object_instance(scb_config_object(&a->own, SCB_OBJ_OSCORE), osc->id);
    }
    if ((ret = copy_string(a->sec, SCB_RES_SEC_URI, &a->uri)) < 0) {
        return ret;
    }
    return a->srv ? copy_string(a->srv, SCB_RES_SRV_BINDING, &a->binding) : SCB_OK;
}

/* Key order: the Bootstrap-Server account, then by SSID; ties by Security instance ID. */
static int key_cmp(const struct scb_account *a, const struct scb_account *b)
{
    if (a->bootstrap != b->bootstrap) {
        return a->bootstrap ? -1 : 1;
    }
    if (a->ssid != b->ssid) {
        return a->ssid < b->ssid ? -1 : 1;
    }
    return 0;
}

static int account_order(const void *x, const void *y)
{
    const struct scb_account *a = x, *b = y;
    int c = key_cmp(a, b);
    if (c != 0) {
        return c;
    }
    return a->sec->id < b->sec->id ? -1 : a->sec->id > b->sec->id;
}

int scb_account_list_new(const struct scb_config *cfg, struct scb_account_list **out)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (cfg == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    const struct scb_object *sec = scb_config_object(cfg, SCB_OBJ_SECURITY);
    struct scb_account_list *l = calloc(1, sizeof(*l));
    struct srv_ref *idx = NULL;
    size_t nidx = 0;
    int ret = SCB_E_NOMEM;

    if (l == NULL) {
        return SCB_E_NOMEM;
    }
    if (sec != NULL && sec->n > 0 && (l->v = calloc(sec->n, sizeof(*l->v))) == NULL) {
        goto fail;
    }
    ret = index_servers(scb_config_object(cfg, SCB_OBJ_SERVER), &idx, &nidx);
    if (ret < 0) {
        goto fail;
    }
    for (size_t k = 0; sec != NULL && k < sec->n; k++) {
        ret = account_build(&l->v[l->n], cfg, &sec->i[k], idx, nidx);
        l->n++; /* counted either way: a half-built account is freed with the list */
        if (ret < 0) {
            goto fail;
        }
    }
    free(idx);
    if (l->n > 1) {
        qsort(l->v, l->n, sizeof(*l->v), account_order);
    }
    *out = l;
    return SCB_OK;
fail:
    free(idx);
    scb_account_list_free(&l);
    return ret;
}

void scb_account_list_free(struct scb_account_list **l)
{
    if (l == NULL || *l == NULL) {
        return;
    }
    for (size_t k = 0; k < (*l)->n; k++) {
        account_free(&(*l)->v[k]);
    }
    free((*l)->v);
    free(*l);
    *l = NULL;
}

size_t scb_account_list_count(const struct scb_account_list *l)
{
    return l ? l->n : 0;
}

const struct scb_account *scb_account_list_at(const struct scb_account_list *l, size_t k)
{
    return l != NULL && k < l->n ? &l->v[k] : NULL;
}

const struct scb_account *scb_account_list_find_ssid(const struct scb_account_list *l,
                                                     uint16_t ssid)
{
    for (size_t k = 0; l != NULL && ssid != 0 && k < l->n; k++) {
        if (!l->v[k].bootstrap && l->v[k].ssid == ssid) {
            return &l->v[k];
        }
    }
    return NULL;
}

const struct scb_account *scb_account_list_bootstrap(const struct scb_account_list *l)
{
    /* key order puts it first */
    return l != NULL && l->n > 0 && l->v[0].bootstrap ? &l->v[0] : NULL;
}

/* ---- reading one account --------------------------------------------------------------------- */

int scb_account_is_bootstrap(const struct scb_account *a)
{
    return a ? a->bootstrap : 0;
}

uint16_t scb_account_ssid(const struct scb_account *a)
{
    return a ? a->ssid : 0;
}

uint16_t scb_account_security_iid(const struct scb_account *a)
{
    return a ? a->sec->id : 0;
}

int scb_account_server_iid(const struct scb_account *a, uint16_t *out)
{
    if (a == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (a->srv == NULL) {
        return SCB_E_NOT_FOUND;
    }
    *out = a->srv->id;
    return SCB_OK;
}

const char *scb_account_uri(const struct scb_account *a)
{
    return a ? a->uri : NULL;
}

const char *scb_account_binding(const struct scb_account *a)
{
    return a ? a->binding : NULL;
}

static int get_bytes(const struct scb_instance *in, uint16_t rid, const uint8_t **data,
                     size_t *len)
{
    const struct scb_value *v;
    int ret;
    if (data == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = single(in, rid, &v)) == SCB_OK) {
        *data = v->len ? v->data : NULL;
        *len = v->len;
    }
    return ret;
}

int scb_account_security_mode(const struct scb_account *a, int *out)
{
    int64_t v = 0;
    int ret;
    if (a == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = get_int(a->sec, SCB_RES_SEC_MODE, &v)) < 0) {
        return ret;
    }
    if (v < INT_MIN || v > INT_MAX) {
        return SCB_E_PARSE;
    }
    *out = (int)v;
    return SCB_OK;
}

int scb_account_identity(const struct scb_account *a, const uint8_t **data, size_t *len)
{
    return a ? get_bytes(a->sec, SCB_RES_SEC_PUBKEY_ID, data, len) : SCB_E_INVALID_ARG;
}

int scb_account_server_public_key(const struct scb_account *a, const uint8_t **data,
                                  size_t *len)
{
    return a ? get_bytes(a->sec, SCB_RES_SEC_SERVER_PUBKEY, data, len) : SCB_E_INVALID_ARG;
}

int scb_account_secret_key(const struct scb_account *a, const uint8_t **data, size_t *len)
{
    return a ? get_bytes(a->sec, SCB_RES_SEC_SECRET_KEY, data, len) : SCB_E_INVALID_ARG;
}

int scb_account_hold_off(const struct scb_account *a, int64_t *out)
{
    return a ? get_int(a->sec, SCB_RES_SEC_HOLD_OFF, out) : SCB_E_INVALID_ARG;
}

int scb_account_bootstrap_timeout(const struct scb_account *a, int64_t *out)
{
    return a ? get_int(a->sec, SCB_RES_SEC_BS_TIMEOUT, out) : SCB_E_INVALID_ARG;
}

int scb_account_lifetime(const struct scb_account *a, int64_t *out)
{
    return a ? get_int(a->srv, SCB_RES_SRV_LIFETIME, out) : SCB_E_INVALID_ARG;
}

int scb_account_bootstrap_on_failure(const struct scb_account *a, int *out)
{
    return a ? get_bool(a->srv, SCB_RES_SRV_BS_ON_FAILURE, out) : SCB_E_INVALID_ARG;
}

const struct scb_instance *scb_account_security(const struct scb_account *a)
{
    return a ? a->sec : NULL;
}

const struct scb_instance *scb_account_server(const struct scb_account *a)
{
    return a ? a->srv : NULL;
}

const struct scb_instance *scb_account_oscore(const struct scb_account *a)
{
    return a ? a->osc : NULL;
}

/* ---- changes --------------------------------------------------------------------------------- */

static unsigned security_bit(uint16_t rid)
{
    switch (rid) {
    case SCB_RES_SEC_URI:
        return SCB_ACCOUNT_CHANGED_URI;
    case SCB_RES_SEC_MODE:
        return SCB_ACCOUNT_CHANGED_MODE;
    case SCB_RES_SEC_PUBKEY_ID:
    case SCB_RES_SEC_SERVER_PUBKEY:
    case SCB_RES_SEC_SECRET_KEY:
    case SCB_RES_SEC_SMS_MODE:
    case SCB_RES_SEC_SMS_KEY_PARAMS:
    case SCB_RES_SEC_SMS_SECRET:
    case SCB_RES_SEC_OSCORE:
        return SCB_ACCOUNT_CHANGED_CREDENTIALS;
    case SCB_RES_SEC_MATCHING_TYPE:
    case SCB_RES_SEC_SNI:
    case SCB_RES_SEC_CERT_USAGE:
    case SCB_RES_SEC_CIPHERSUITE:
    case SCB_RES_SEC_SIG_ALGS_SERVER:
    case SCB_RES_SEC_SIG_ALGS_CLIENT:
    case SCB_RES_SEC_SIG_ALG_CERTS:
    case SCB_RES_SEC_TLS13_FEATURES:
    case SCB_RES_SEC_TLS_EXT_SERVER:
    case SCB_RES_SEC_TLS_EXT_CLIENT:
        return SCB_ACCOUNT_CHANGED_TLS;
    default:
        return SCB_ACCOUNT_CHANGED_OTHER;
    }
}

static unsigned server_bit(uint16_t rid)
{
    switch (rid) {
    case SCB_RES_SRV_LIFETIME:
        return SCB_ACCOUNT_CHANGED_LIFETIME;
    case SCB_RES_SRV_BINDING:
        return SCB_ACCOUNT_CHANGED_BINDING;
    default:
        return SCB_ACCOUNT_CHANGED_OTHER;
    }
}

/* Whether one resource is the same in both (either may be NULL: absent). */
static int resource_same(uint16_t oid, const struct scb_resource *a, const struct scb_resource *b)
{
    /* one-resource views, so that the model's comparison (values by type) judges them */
    struct scb_instance ia = {.r = (struct scb_resource *)a, .n = a != NULL};
    struct scb_instance ib = {.r = (struct scb_resource *)b, .n = b != NULL};
    return scb_instance_equal(oid, &ia, &ib);
}

/* The change bits of every resource that differs between two instances (NULL: none). */
static unsigned instance_changes(uint16_t oid, const struct scb_instance *a,
                                 const struct scb_instance *b, unsigned (*bit)(uint16_t))
{
    static const struct scb_instance none = {.n = 0};
    unsigned mask = 0;
    uint32_t i = 0, j = 0;
    a = a ? a : &none;
    b = b ? b : &none;
    while (i < a->n || j < b->n) { /* both sorted by resource ID */
        const struct scb_resource *ra = i < a->n ? &a->r[i] : NULL;
        const struct scb_resource *rb = j < b->n ? &b->r[j] : NULL;
        if (ra != NULL && (rb == NULL || ra->id < rb->id)) {
            rb = NULL;
            i++;
        } else if (rb != NULL && (ra == NULL || rb->id < ra->id)) {
            ra = NULL;
            j++;
        } else {
            i++;
            j++;
        }
        if (!resource_same(oid, ra, rb)) {
            mask |= bit(ra ? ra->id : rb->id);
        }
    }
    return mask;
}

unsigned scb_account_compare(const struct scb_account *before, const struct scb_account *after)
{
    if (before == NULL || after == NULL) {
        return 0;
    }
    unsigned mask = instance_changes(SCB_OBJ_SECURITY, before->sec, after->sec, security_bit) |
                    instance_changes(SCB_OBJ_SERVER, before->srv, after->srv, server_bit);
    if ((before->srv == NULL) != (after->srv == NULL)) {
        mask |= SCB_ACCOUNT_CHANGED_OTHER;
    }
    if ((before->osc == NULL) != (after->osc == NULL) ||
        (before->osc != NULL && !scb_instance_equal(SCB_OBJ_OSCORE, before->osc, after->osc))) {
        mask |= SCB_ACCOUNT_CHANGED_CREDENTIALS;
    }
    return mask;
}

const char *scb_account_event_name(enum scb_account_event e)
{
    switch (e) {
    case SCB_ACCOUNT_ADDED:
        return "added";
    case SCB_ACCOUNT_REMOVED:
        return "removed";
    case SCB_ACCOUNT_CHANGED:
        return "changed";
    }
    return "?";
}

static int report(scb_account_diff_fn fn, void *ctx, enum scb_account_event e,
                  const struct scb_account *before, const struct scb_account *after,
                  unsigned changed)
{
    const struct scb_account *k = after ? after : before;
    struct scb_account_change ch = {.event = e,
                                    .bootstrap = k->bootstrap,
                                    .ssid = k->ssid,
                                    .changed = changed,
                                    .before = before,
                                    .after = after};
    return fn(ctx, &ch);
}

/* Both lists are in key order: one merge walk pairs them. */
static int diff_lists(const struct scb_account_list *a, const struct scb_account_list *b,
                      scb_account_diff_fn fn, void *ctx)
{
    size_t i = 0, j = 0;
    int ret = 0;
    while (ret == 0 && (i < a->n || j < b->n)) {
        int c = i == a->n ? 1 : j == b->n ? -1 : key_cmp(&a->v[i], &b->v[j]);
        if (c < 0) {
            ret = report(fn, ctx, SCB_ACCOUNT_REMOVED, &a->v[i++], NULL, 0);
        } else if (c > 0) {
            ret = report(fn, ctx, SCB_ACCOUNT_ADDED, NULL, &b->v[j++], 0);
        } else {
            unsigned mask = scb_account_compare(&a->v[i], &b->v[j]);
            if (mask != 0) {
                ret = report(fn, ctx, SCB_ACCOUNT_CHANGED, &a->v[i], &b->v[j], mask);
            }
            i++;
            j++;
        }
    }
    return ret;
}

int scb_account_diff(const struct scb_config *before, const struct scb_config *after,
                     scb_account_diff_fn fn, void *ctx)
{
    struct scb_account_list *a = NULL, *b = NULL;
    int ret;
    if (before == NULL || after == NULL || fn == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = scb_account_list_new(before, &a)) == SCB_OK &&
        (ret = scb_account_list_new(after, &b)) == SCB_OK) {
        ret = diff_lists(a, b, fn, ctx);
    }
    scb_account_list_free(&a);
    scb_account_list_free(&b);
    return ret;
}

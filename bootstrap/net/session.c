/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c: the network Bootstrap-Server's operations on a staging copy of the committed
 * configuration (LwM2M 1.1 6.1.7 / 1.0 5.2.7), Bootstrap-Finish through the shared validator
 * (2.04 or 4.06, doc/protocol.md, bootstrap interface), and the EXCHANGE_LIFETIME rule with
 * an injectable clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "scboot/error.h"
#include "scboot/objdefs.h"
#include "scboot/senml.h"
#include "scboot/session.h"
#include "scboot/store.h"

struct scb_session {
    struct scb_config staging;
    struct scb_config base;   /* what the session started from: the commit checks it is current */
    struct scb_profile profile;
    enum scb_session_state state;
    uint64_t lifetime_ms;
    uint64_t last_op_ms;
    scb_clock_fn now;
    void *clock_ctx;
    int has_bs;
    uint16_t bs_iid;          /* the Bootstrap-Server account's /0 instance (protected) */
    struct scb_report report; /* violations of the last Finish */
    int failed_err;           /* why a commit failed the session (0: it timed out, or did not) */
};

/* the default scb_clock_fn */
static uint64_t mono_ms(void *ctx)
{
    (void)ctx;
    return scb_now_ms();
}

int scb_session_path_parse(const char *path, uint16_t ids[3])
{
    if (path == NULL || ids == NULL) {
        return SCB_E_INVALID_ARG;
    }
    int n = 0;
    const char *p = path;

    if (path == NULL || *p != '/') {
        return SCB_E_INVALID_ARG;
    }
    if (strcmp(path, "/") == 0) {
        return 0;
    }
    while (*p == '/') {
        p++;
        unsigned long v = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9' && p - start < 6) {
            v = v * 10 + (unsigned long)(*p - '0');
            p++;
        }
        if (p == start || v > 65535 || n >= 3 || (*p != '/' && *p != '\0')) {
            return SCB_E_INVALID_ARG;
        }
        ids[n++] = (uint16_t)v;
        if (*p == '/' && p[1] == '\0') {
            break; /* a trailing slash */
        }
    }
    return n;
}

static void find_bs(struct scb_session *s)
{
    const struct scb_instance *bs = scb_config_bootstrap_instance(&s->staging);
    if (bs != NULL) {
        s->has_bs = 1;
        s->bs_iid = bs->id;
    }
}

void scb_session_opts_init(struct scb_session_opts *o)
{
    if (o == NULL) {
        return;
    }
    memset(o, 0, sizeof(*o));
    o->lifetime_ms = SCB_EXCHANGE_LIFETIME_MS;
}

int scb_session_new(const struct scb_session_opts *o, const struct scb_config *committed,
                    struct scb_session **out)
{
    struct scb_session_opts defaults;
    struct scb_session *s;
    int ret;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if (o == NULL) {
        scb_session_opts_init(&defaults);
        o = &defaults;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        return SCB_E_NOMEM;
    }
    scb_config_init(&s->staging);
    scb_config_init(&s->base);
    if (committed && ((ret = scb_config_copy(&s->staging, committed)) < 0 ||
                      (ret = scb_config_copy(&s->base, committed)) < 0)) {
        scb_session_free(&s);
        return ret;
    }
    if (o->profile) {
        s->profile = *o->profile;
    } else {
        scb_profile_default(&s->profile);
    }
    s->lifetime_ms = o->lifetime_ms ? o->lifetime_ms : SCB_EXCHANGE_LIFETIME_MS;
    s->now = o->clock ? o->clock : mono_ms;
    s->clock_ctx = o->clock_ctx;
    s->last_op_ms = s->now(s->clock_ctx);
    s->state = SCB_SESSION_OPEN;
    find_bs(s);
    *out = s;
    return SCB_OK;
}

void scb_session_free(struct scb_session **s)
{
    if (s == NULL || *s == NULL) {
        return;
    }
    scb_config_free(&(*s)->staging);
    scb_config_free(&(*s)->base);
    scb_report_free(&(*s)->report);
    free(*s);
    *s = NULL;
}

enum scb_session_state scb_session_state(const struct scb_session *s)
{
    if (s == NULL) {
        return SCB_SESSION_FAILED;
    }
    return s->state;
}

const struct scb_report *scb_session_report(const struct scb_session *s)
{
    return &s->report;
}

const struct scb_config *scb_session_staging(const struct scb_session *s)
{
    return &s->staging;
}

int scb_session_tick(struct scb_session *s)
{
    if (s == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (s->state == SCB_SESSION_OPEN && s->now(s->clock_ctx) - s->last_op_ms > s->lifetime_ms) {
        s->state = SCB_SESSION_FAILED; /* bootstrap failed: drop staging, nothing committed */
        scb_config_free(&s->staging);
        scb_config_free(&s->base);
    }
    if (s->state != SCB_SESSION_FAILED) {
        return SCB_OK;
    }
    return s->failed_err ? s->failed_err : SCB_E_TIMEOUT;
}

/* An operation is accepted only on an open session; it restarts the lifetime. */
static int begin_op(struct scb_session *s)
{
    if (scb_session_tick(s) < 0 || s->state != SCB_SESSION_OPEN) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST;
    }
    s->last_op_ms = s->now(s->clock_ctx);
    return 0;
}

/* The payload as Object Instance TLVs of object oid (wrapping resources into instance iid). */
static int payload_as_object(const uint8_t *payload, size_t len, int depth, const uint16_t *ids,
                             struct scb_buf *out)
{
    struct scb_tlv t;
    size_t pos = 0;
    if (depth == 1) {
        return scb_buf_put(out, payload, len);
    }
    if (len > 0 && scb_tlv_next(payload, len, &pos, &t) == 0 && t.type == SCB_TLV_OBJECT_INSTANCE) {
        /* /o/i with an Object Instance TLV: it must be that one instance */
        if (pos != len || t.id != ids[1]) {
            return SCB_E_PARSE;
        }
        return scb_buf_put(out, payload, len);
    }
    uint8_t hdr[6];
    size_t hn = scb_tlv_header(SCB_TLV_OBJECT_INSTANCE, ids[1], len, hdr);
    int ret = hn == 0 ? SCB_E_TOO_LARGE : scb_buf_put(out, hdr, hn);
    return ret < 0 ? ret : scb_buf_put(out, payload, len);
}

static int merge_instance(struct scb_session *s, uint16_t oid, const struct scb_instance *src)
{
    struct scb_object *o;
    struct scb_instance *dst;
    int ret;
    if ((ret = scb_config_add_object(&s->staging, oid, &o)) < 0 ||
        (ret = scb_object_add_instance(o, src->id, &dst)) < 0) {
        return ret;
    }
    for (size_t r = 0; r < src->n; r++) {
        const struct scb_resource *sr = &src->r[r];
        struct scb_resource *dr;
        if (scb_objdef_object_known(oid) &&
            scb_objdef_resource_type(oid, sr->id) == SCB_TYPE_UNKNOWN) {
            continue; /* unknown optional resources are ignored (6.1.7.4) */
        }
        scb_instance_remove_resource(dst, sr->id);
        if ((ret = scb_instance_add_resource(dst, sr->id, &dr)) < 0) {
            return ret;
        }
        dr->multiple = sr->multiple;
        for (size_t v = 0; v < sr->n; v++) {
            if ((ret = scb_resource_add_value(dr, sr->v[v].riid, sr->v[v].data, sr->v[v].len)) <
                0) {
                return ret;
            }
        }
    }
    return SCB_OK;
}

/* The TLV payload of a Write on ids[0..depth) into tmp (object ids[0]). */
static int decode_tlv(const uint8_t *payload, size_t len, const uint16_t *ids, int depth,
                      struct scb_config *tmp)
{
    struct scb_buf obj = {.max = 65536};
    struct scb_decode_error err;
    int ret = payload_as_object(payload, len, depth, ids, &obj);
    if (ret == 0) {
        ret = scb_tlv_decode_object(obj.data, obj.len, ids[0], 0, tmp, &err);
    }
    scb_buf_free(&obj);
    return ret;
}

/* The decoded payload of a Write (dret: how its decoding went) merged into the staging copy:
 * 2.04, 4.00 for a malformed payload or one that holds more than its path names, or a
 * negative scb_err. */
static int write_decoded(struct scb_session *s, const struct scb_config *tmp, int dret,
                         const uint16_t ids[3], int depth)
{
    const struct scb_object *o = scb_config_object(tmp, ids[0]);
    int ret = SCB_OK;
    if (dret == SCB_E_NOMEM) {
        return dret;
    }
    if (dret < 0 || o == NULL) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST; /* malformed payload or a value that does not fit */
    }
    if (depth == 3 && (o->n != 1 || o->i[0].n != 1 || o->i[0].r[0].id != ids[2])) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST; /* /o/i/r carries that one resource */
    }
    for (size_t k = 0; k < o->n && ret >= 0; k++) {
        ret = merge_instance(s, ids[0], &o->i[k]);
    }
    if (ret >= 0 && depth == 1 && o->n == 0) {
        struct scb_object *dummy;
        ret = scb_config_add_object(&s->staging, ids[0], &dummy);
    }
    return ret < 0 ? ret : SCB_COAP_CODE_2_04_CHANGED;
}

int scb_session_write(struct scb_session *s, const char *path, unsigned content_format,
                      const uint8_t *payload, size_t len)
{
    if (s == NULL || (payload == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    uint16_t ids[3];
    int depth = scb_session_path_parse(path, ids), ret;
    struct scb_config tmp;
    struct scb_decode_error err;

    if ((ret = begin_op(s)) != 0) {
        return ret;
    }
    if (content_format != SCB_CF_TLV && content_format != SCB_CF_SENML_JSON &&
        content_format != SCB_CF_SENML_CBOR) {
        return SCB_COAP_CODE_4_15_UNSUPPORTED_FORMAT;
    }
    if (depth < 1 || ids[0] == 0xFFFF || (depth >= 2 && ids[1] == 0xFFFF)) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST;
    }
    scb_config_init(&tmp);
    ret = content_format == SCB_CF_TLV
              ? decode_tlv(payload, len, ids, depth, &tmp)
              : scb_senml_decode(content_format, payload, len, ids, depth, &tmp, &err);
    ret = write_decoded(s, &tmp, ret, ids, depth);
    scb_config_free(&tmp);
    return ret;
}

/* The Bootstrap-Server account, its OSCORE instance and /3/0 are never deleted. */
static int protected_instance(const struct scb_session *s, uint16_t oid, uint16_t iid)
{
    if (oid == SCB_OBJ_DEVICE && iid == 0) {
        return 1;
    }
    int still_bs = 0;
    /* protected while it is the Bootstrap-Server account: one the session rewrote with
     * /0/x/1 false is a server account like any other */
    if (!s->has_bs ||
        scb_config_get_bool(&s->staging, SCB_OBJ_SECURITY, s->bs_iid, SCB_RES_SEC_BOOTSTRAP,
                            &still_bs) != 0 ||
        !still_bs) {
        return 0;
    }
    if (oid == SCB_OBJ_SECURITY && iid == s->bs_iid) {
        return 1;
    }
    if (oid == SCB_OBJ_OSCORE) {
        const struct scb_resource *r = scb_instance_resource(
            scb_object_instance(scb_config_object(&s->staging, SCB_OBJ_SECURITY), s->bs_iid),
            SCB_RES_SEC_OSCORE);
        uint16_t lo, li;
        return r && r->n == 1 && scb_value_objlnk(&r->v[0], &lo, &li) == 0 &&
               lo == SCB_OBJ_OSCORE && li == iid;
    }
    return 0;
}

static void delete_object(struct scb_session *s, uint16_t oid)
{
    struct scb_object *o = scb_config_object_mut(&s->staging, oid);
    for (size_t k = o ? o->n : 0; k > 0; k--) {
        uint16_t iid = o->i[k - 1].id;
        if (!protected_instance(s, oid, iid)) {
            scb_object_remove_instance(o, iid);
        }
    }
    if (o && o->n == 0 && !o->raw) {
        scb_config_remove_object(&s->staging, oid);
    }
}

int scb_session_delete(struct scb_session *s, const char *path)
{
    if (s == NULL) {
        return SCB_E_INVALID_ARG;
    }
    uint16_t ids[3];
    int depth = scb_session_path_parse(path, ids), ret;

    if ((ret = begin_op(s)) != 0) {
        return ret;
    }
    if (depth < 0 || depth > 2) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST;
    }
    if (depth == 0) {
        for (size_t k = s->staging.n; k > 0; k--) {
            delete_object(s, s->staging.o[k - 1].id);
        }
        return SCB_COAP_CODE_2_02_DELETED;
    }
    if (depth == 1) {
        delete_object(s, ids[0]);
        return SCB_COAP_CODE_2_02_DELETED;
    }
    if (protected_instance(s, ids[0], ids[1])) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST;
    }
    struct scb_object *o = scb_config_object_mut(&s->staging, ids[0]);
    if (o) {
        scb_object_remove_instance(o, ids[1]);
        if (o->n == 0) {
            scb_config_remove_object(&s->staging, ids[0]);
        }
    }
    return SCB_COAP_CODE_2_02_DELETED;
}

static int puts_buf(struct scb_buf *out, const char *str)
{
    return scb_buf_put(out, str, strlen(str));
}

/* ;uri="..." for a Security instance: RFC 6690 quoted-string (quote and backslash escaped); the
 * parameter is left out when the value holds control or non-ASCII bytes. */
static size_t uri_param(const struct scb_instance *in, char *item, size_t cap)
{
    const struct scb_value *u = scb_instance_value(in, SCB_RES_SEC_URI);
    size_t n = 0;
    if (u == NULL || u->len == 0 || u->len > 255 || cap < 2 * (size_t)u->len + 8) {
        return 0;
    }
    for (uint32_t k = 0; k < u->len; k++) {
        if (u->data[k] < 0x20 || u->data[k] > 0x7E) {
            return 0;
        }
    }
    n += (size_t)snprintf(item, cap, ";uri=\"");
    for (uint32_t k = 0; k < u->len; k++) {
        if (u->data[k] == '"' || u->data[k] == '\\') {
            item[n++] = '\\';
        }
        item[n++] = (char)u->data[k];
    }
    item[n++] = '"';
    item[n] = '\0';
    return n;
}

/* One instance's link: </o/i>, with ;ssid= and ;uri= for /0 (the Bootstrap-Server account has
 * uri and no ssid) and ;ssid= for /1 (doc/protocol.md, Discover answer). */
static int link_instance(struct scb_session *s, uint16_t oid, const struct scb_instance *in,
                         const char *sep, struct scb_buf *out)
{
    char item[700];
    int64_t ssid;
    int bs = 0;
    size_t n = (size_t)snprintf(item, sizeof(item), "%s</%u/%u>", sep, oid, in->id);
    if (oid == SCB_OBJ_SECURITY) {
        scb_config_get_bool(&s->staging, SCB_OBJ_SECURITY, in->id, SCB_RES_SEC_BOOTSTRAP, &bs);
        if (!bs && scb_config_get_int(&s->staging, SCB_OBJ_SECURITY, in->id, SCB_RES_SEC_SSID,
                                      &ssid) == 0) {
            n += (size_t)snprintf(item + n, sizeof(item) - n, ";ssid=%lld", (long long)ssid);
        }
        uri_param(in, item + n, sizeof(item) - n);
    } else if (oid == SCB_OBJ_SERVER && scb_config_get_int(&s->staging, SCB_OBJ_SERVER, in->id,
                                                           SCB_RES_SRV_SSID, &ssid) == 0) {
        snprintf(item + n, sizeof(item) - n, ";ssid=%lld", (long long)ssid);
    }
    return puts_buf(out, item);
}

/* An object's links: </o> (with ;ver= when the version is explicit) only when it has no
 * instances or carries a version, then one link per instance. sep precedes the first link. */
static int link_object(struct scb_session *s, uint16_t oid, const char *sep, struct scb_buf *out)
{
    const struct scb_object *o = scb_config_object(&s->staging, oid);
    char item[64];
    int ret;

    if (o && o->explicit_version) {
        snprintf(item, sizeof(item), "%s</%u>;ver=%u.%u", sep, oid, o->major, o->minor);
    } else if (o == NULL || o->n == 0) {
        snprintf(item, sizeof(item), "%s</%u>", sep, oid);
    } else {
        item[0] = '\0';
    }
    if (item[0] != '\0') {
        if ((ret = puts_buf(out, item)) < 0) {
            return ret;
        }
        sep = ",";
    }
    for (size_t k = 0; o && k < o->n; k++) {
        if ((ret = link_instance(s, oid, &o->i[k], sep, out)) < 0) {
            return ret;
        }
        sep = ",";
    }
    return SCB_OK;
}

static int supported_object(const struct scb_session *s, uint16_t oid)
{
    return oid == SCB_OBJ_SECURITY || oid == SCB_OBJ_SERVER || oid == SCB_OBJ_DEVICE ||
           oid == SCB_OBJ_OSCORE || (oid == SCB_OBJ_ACL && s->profile.acl_supported);
}

int scb_session_discover(struct scb_session *s, const char *path, struct scb_buf *out)
{
    if (s == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    uint16_t ids[3];
    int depth = scb_session_path_parse(path, ids), ret;
    static const uint16_t base[] = {0, 1, 2, 3, 21};

    if ((ret = begin_op(s)) != 0) {
        return ret;
    }
    if (depth < 0 || depth > 1) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST;
    }
    if (depth == 1) {
        /* Discover on /o: that object's links only; the root link with the enabler version
         * belongs to the answer for / (1.1.1 6.1.7.3 shows it there only) */
        if (!supported_object(s, ids[0]) && !scb_config_object(&s->staging, ids[0])) {
            return SCB_COAP_CODE_4_04_NOT_FOUND;
        }
        ret = link_object(s, ids[0], "", out);
        return ret < 0 ? ret : SCB_COAP_CODE_2_05_CONTENT;
    }
    if ((ret = puts_buf(out, "</>;lwm2m=1.1")) < 0) {
        return ret;
    }
    /* the supported objects, and any other the staging copy holds, in ID order */
    size_t bi = 0, ci = 0;
    while (bi < sizeof(base) / sizeof(base[0]) || ci < s->staging.n) {
        uint16_t next;
        if (bi < sizeof(base) / sizeof(base[0]) &&
            (ci >= s->staging.n || base[bi] <= s->staging.o[ci].id)) {
            next = base[bi++];
            if (ci < s->staging.n && s->staging.o[ci].id == next) {
                ci++;
            }
            if (!supported_object(s, next) && !scb_config_object(&s->staging, next)) {
                continue;
            }
        } else {
            next = s->staging.o[ci++].id;
        }
        if ((ret = link_object(s, next, ",", out)) < 0) {
            return ret;
        }
    }
    return SCB_COAP_CODE_2_05_CONTENT;
}

int scb_session_read_as(struct scb_session *s, const char *path, int accept,
                        struct scb_buf *out, unsigned *used)
{
    if (s == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    uint16_t ids[3];
    int depth = scb_session_path_parse(path, ids), ret;
    unsigned cf = accept < 0 ? SCB_CF_TLV : (unsigned)accept;

    if ((ret = begin_op(s)) != 0) {
        return ret;
    }
    if (cf != SCB_CF_TLV && cf != SCB_CF_SENML_JSON && cf != SCB_CF_SENML_CBOR) {
        return SCB_COAP_CODE_4_06_NOT_ACCEPTABLE;
    }
    if (used) {
        *used = cf;
    }
    if (depth < 1 || depth > 2 || (ids[0] != 1 && ids[0] != 2)) {
        return SCB_COAP_CODE_4_00_BAD_REQUEST; /* Bootstrap-Read: /1 and /2 only (1.1 6.1.7.7) */
    }
    const struct scb_object *o = scb_config_object(&s->staging, ids[0]);
    if (depth == 2 && scb_object_instance(o, ids[1]) == NULL) {
        return SCB_COAP_CODE_4_04_NOT_FOUND;
    }
    if (cf != SCB_CF_TLV) {
        ret = scb_senml_encode(cf, o, depth == 2 ? ids[1] : -1, out);
    } else if (depth == 1) {
        ret = o ? scb_tlv_encode_object(o, out) : SCB_OK; /* no instances: empty payload */
    } else {
        ret = scb_tlv_encode_instance(scb_object_instance(o, ids[1]), out);
    }
    return ret < 0 ? ret : SCB_COAP_CODE_2_05_CONTENT;
}

int scb_session_read(struct scb_session *s, const char *path, struct scb_buf *out)
{
    return scb_session_read_as(s, path, -1, out, NULL);
}

/* The /21 instance an /0 instance links through /0/x/17, or -1. */
static int oscore_link(const struct scb_config *c, uint16_t sec_iid)
{
    const struct scb_value *v = scb_instance_value(
        scb_object_instance(scb_config_object(c, SCB_OBJ_SECURITY), sec_iid), SCB_RES_SEC_OSCORE);
    uint16_t lo, li;
    return v && scb_value_objlnk(v, &lo, &li) == 0 && lo == SCB_OBJ_OSCORE ? li : -1;
}

/*
 * Moving the Bootstrap-Server account: when the session's Writes made exactly one other
 * Security instance a Bootstrap-Server account (/0/x/1 = true), the candidate for commit drops
 * the old account and the /21 instance it links (unless the new account links the same one).
 * The staging copy keeps both, so a Finish answered 4.06 leaves the old account the only one
 * committed (doc/protocol.md, operations: the replacement is complete before the 2.04, or
 * it does not happen).
 */
static int replace_bs_account(const struct scb_session *s, struct scb_config *cand)
{
    const struct scb_object *sec = scb_config_object(cand, SCB_OBJ_SECURITY);
    int others = 0, new_iid = -1, still_bs = 0;
    /* only an instance that is still a Bootstrap-Server account moves out: one the session
     * rewrote with /0/x/1 false is a server account the server wants kept */
    if (!s->has_bs || scb_object_instance(sec, s->bs_iid) == NULL ||
        scb_config_get_bool(cand, SCB_OBJ_SECURITY, s->bs_iid, SCB_RES_SEC_BOOTSTRAP, &still_bs) !=
            0 ||
        !still_bs) {
        return 0;
    }
    for (size_t k = 0; sec && k < sec->n; k++) {
        int bs = 0;
        if (sec->i[k].id != s->bs_iid &&
            scb_config_get_bool(cand, SCB_OBJ_SECURITY, sec->i[k].id, SCB_RES_SEC_BOOTSTRAP, &bs) ==
                0 &&
            bs) {
            others++;
            new_iid = sec->i[k].id;
        }
    }
    if (others != 1) {
        return 0; /* none: nothing moves; several: bs-account-multiple from the validator */
    }
    int old_osc = oscore_link(cand, s->bs_iid);
    scb_object_remove_instance(scb_config_object_mut(cand, SCB_OBJ_SECURITY), s->bs_iid);
    if (old_osc >= 0 && old_osc != oscore_link(cand, (uint16_t)new_iid)) {
        struct scb_object *osc = scb_config_object_mut(cand, SCB_OBJ_OSCORE);
        scb_object_remove_instance(osc, (uint16_t)old_osc);
        if (osc && osc->n == 0 && !osc->raw) {
            scb_config_remove_object(cand, SCB_OBJ_OSCORE);
        }
    }
    return 1;
}

int scb_session_finish(struct scb_session *s, struct scb_config *commit)
{
    if (s == NULL || commit == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_config cand;
    int ret;
    if ((ret = begin_op(s)) != 0) {
        return ret;
    }
    scb_report_free(&s->report);
    scb_config_init(&cand);
    if ((ret = scb_config_copy(&cand, &s->staging)) < 0) {
        return ret;
    }
    replace_bs_account(s, &cand);
    if ((ret = scb_validate(&cand, &s->profile, SCB_SRC_NETWORK, &s->report)) == SCB_OK &&
        scb_report_has_errors(&s->report)) {
        ret = SCB_COAP_CODE_4_06_NOT_ACCEPTABLE; /* the server may correct and Finish again */
    }
    if (ret != SCB_OK) {
        scb_config_free(&cand);
        return ret;
    }
    *commit = cand; /* handed over: the caller frees */
    s->state = SCB_SESSION_DONE;
    return SCB_COAP_CODE_2_04_CHANGED;
}

int scb_session_diagnostic(const struct scb_session *s, struct scb_buf *out)
{
    if (s == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    int ret;
    for (size_t k = 0; k < s->report.n; k++) {
        char line[96];
        if (s->report.v[k].severity != SCB_SEV_ERROR) {
            continue;
        }
        snprintf(line, sizeof(line), "%s %s\n", s->report.v[k].rule, s->report.v[k].path);
        if ((ret = puts_buf(out, line)) < 0) {
            return ret;
        }
    }
    return SCB_OK;
}

/*
 * Commit an accepted configuration: instances that did not change keep their provenance.
 * Only onto the state the session started from: the server's operations were made against
 * it, and committing them over a newer one (a card check that deleted a removed card's
 * instances, another commit) would bring back what that change took away, relabelled.
 */
static int commit_accepted(const struct scb_session *s, struct scb_store *st,
                           struct scb_config *accepted, char *err, size_t errlen)
{
    struct scb_committed prev, next;
    int ret;
    scb_committed_init(&prev);
    if ((ret = scb_store_load(st, &prev, err, errlen)) < 0) {
        scb_committed_free(&prev);
        scb_config_free(accepted);
        return ret;
    }
    if (!scb_config_equal(&prev.cfg, &s->base)) {
        if (err != NULL && errlen) {
            snprintf(err, errlen, "the committed configuration changed since the session "
                     "began (now generation %llu): nothing committed",
                     (unsigned long long)prev.generation);
        }
        scb_committed_free(&prev);
        scb_config_free(accepted);
        return SCB_E_STALE;
    }
    /* the store's provenance merge: instances the server left as they were keep theirs */
    ret = scb_committed_replace(&next, &prev, accepted, SCB_SRC_NETWORK);
    scb_committed_free(&prev);
    if (ret == SCB_OK) {
        ret = scb_store_commit(st, &next, err, errlen);
    }
    scb_committed_free(&next);
    return ret;
}

int scb_session_commit(struct scb_session *s, struct scb_store *st, char *err, size_t errlen)
{
    struct scb_config accepted;
    int code;
    if (err != NULL && errlen) {
        err[0] = '\0';
    }
    if (s == NULL || st == NULL) {
        return SCB_E_INVALID_ARG;
    }
    scb_config_init(&accepted);
    if ((code = scb_session_finish(s, &accepted)) != SCB_COAP_CODE_2_04_CHANGED) {
        scb_config_free(&accepted);
        return code;
    }
    if ((code = commit_accepted(s, st, &accepted, err, errlen)) < 0) {
        s->state = SCB_SESSION_FAILED; /* nothing committed: the session is over */
        s->failed_err = code;
        scb_config_free(&s->staging);
        scb_config_free(&s->base);
        return code;
    }
    return SCB_COAP_CODE_2_04_CHANGED;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wakaama.c: Eclipse Wakaama's bootstrap_server .ini <-> scboot's configuration model.
 *
 * The format, as the comment block of wakaama's examples/bootstrap_server/bootstrap_server.ini
 * documents it: lines starting with '#' or ';' are comments; [Server] sections describe
 * accounts (id: Short Server ID and instance ID, 1-65535; uri; bootstrap yes|no; lifetime;
 * security NoSec|PSK|RPK|Certificate; public, server, secret: hex for /0/x/3, /0/x/4,
 * /0/x/5; LwM2M 1.1 keys registrationPriorityOrder, initialRegistrationDelay,
 * registrationFailureBlock, bootstrapOnRegistrationFailure, communicationRetryCount,
 * communicationRetryTimer, communicationSequenceDelayTimer, communicationSequenceRetryCount);
 * [Endpoint] sections list the operations for one client (Name) or, without Name, for any
 * client: Delete=URI, Server=id (writes /0/id and, for a LwM2M Server, /1/id with
 * Notification Storing false and Binding "U"), Discover=, Read=. Keywords are
 * case-insensitive. Unlike wakaama's own reader this one is strict: an unknown section or
 * key, a bad value or a repeated key is an error naming the line.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "bridge_internal.h"
#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"
#include "scboot/wakaama.h"

#define MAX_SERVERS 256
#define MAX_OPS 1024
#define LINE_MAX_LEN 8192

/* 1.1 keys of [Server] that become /1/id/rid */
struct ext_key {
    const char *name;
    int rid;
    int is_bool;
};
static const struct ext_key ext_keys[] = {
    {"registrationPriorityOrder", SCB_RES_SRV_PRIORITY, 0},
    {"initialRegistrationDelay", SCB_RES_SRV_INITIAL_DELAY, 0},
    {"registrationFailureBlock", SCB_RES_SRV_FAILURE_BLOCK, 1},
    {"bootstrapOnRegistrationFailure", SCB_RES_SRV_BS_ON_FAILURE, 1},
    {"communicationRetryCount", SCB_RES_SRV_RETRY_COUNT, 0},
    {"communicationRetryTimer", SCB_RES_SRV_RETRY_TIMER, 0},
    {"communicationSequenceDelayTimer", SCB_RES_SRV_SEQ_DELAY, 0},
    {"communicationSequenceRetryCount", SCB_RES_SRV_SEQ_RETRY_COUNT, 0},
};
#define NEXT (sizeof(ext_keys) / sizeof(ext_keys[0]))
/* security= by Security Mode (/0/x/2); EST has no name in the format */
static const char *const security_names[] = {[SCB_SEC_MODE_PSK] = "PSK",
                                             [SCB_SEC_MODE_RPK] = "RPK",
                                             [SCB_SEC_MODE_CERT] = "Certificate",
                                             [SCB_SEC_MODE_NOSEC] = "NoSec"};
#define NSEC (sizeof(security_names) / sizeof(security_names[0]))

struct server {
    unsigned line;
    long id;              /* 0 = unset */
    char *uri;
    int bootstrap;
    long lifetime;        /* -1 unset */
    int security;         /* -1 unset, else 0..3 */
    char *pub, *srv, *secret; /* hex, as written */
    long ext[NEXT];       /* -1 unset */
    unsigned seen;        /* bit per key, to refuse repeats */
};

enum op_kind { OP_DELETE, OP_SERVER };
struct op {
    enum op_kind kind;
    long server;          /* OP_SERVER */
    int oid, iid;         /* OP_DELETE: -1 = whole level */
    unsigned line;
};

struct endpoint {
    unsigned line;
    char *name;           /* NULL: any client */
    struct op *ops;
    size_t nops;
};

struct ini {
    struct server *sv;
    size_t nsv;
    struct endpoint *ep;
    size_t nep;
};

static void ini_free(struct ini *ini)
{
    for (size_t k = 0; k < ini->nsv; k++) {
        free(ini->sv[k].uri);
        free(ini->sv[k].pub);
        free(ini->sv[k].srv);
        if (ini->sv[k].secret) {
            scb_util_zeroize(ini->sv[k].secret, strlen(ini->sv[k].secret));
            free(ini->sv[k].secret);
        }
    }
    for (size_t k = 0; k < ini->nep; k++) {
        free(ini->ep[k].name);
        free(ini->ep[k].ops);
    }
    free(ini->sv);
    free(ini->ep);
    memset(ini, 0, sizeof(*ini));
}

/* arr grown by one zeroed element of sz bytes (arr holds n); NULL, arr untouched, when out of
 * memory */
static void *grow(void *arr, size_t n, size_t sz)
{
    char *p = realloc(arr, (n + 1) * sz);
    if (p != NULL) {
        memset(p + n * sz, 0, sz);
    }
    return p;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    if (!isdigit((unsigned char)s[0])) {
        return -1;
    }
    long v = strtol(s, &end, 10);
    if (*end || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_yesno(const char *s, int *out)
{
    if (strcasecmp(s, "yes") == 0) {
        *out = 1;
    } else if (strcasecmp(s, "no") == 0) {
        *out = 0;
    } else {
        return -1;
    }
    return 0;
}

static int is_hex(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2 || n > 2 * 65536) {
        return 0;
    }
    for (size_t k = 0; k < n; k++) {
        if (!isxdigit((unsigned char)s[k])) {
            return 0;
        }
    }
    return 1;
}

/* "/", "/0", "/0/1" (a Delete target) */
static int parse_uri(const char *s, int *oid, int *iid)
{
    long a, b;
    char x[16], y[16], tail;
    *oid = *iid = -1;
    if (strcmp(s, "/") == 0) {
        return 0;
    }
    int n = sscanf(s, "/%15[0-9]/%15[0-9]%c", x, y, &tail);
    if (n == 1 && strspn(s + 1, "0123456789") == strlen(s + 1) &&
        parse_long(x, 0, 65534, &a) == 0) {
        *oid = (int)a;
        return 0;
    }
    if (n == 2 && parse_long(x, 0, 65534, &a) == 0 && parse_long(y, 0, 65534, &b) == 0) {
        *oid = (int)a;
        *iid = (int)b;
        return 0;
    }
    return -1;
}

static int server_key(struct server *s, const char *k, const char *v, unsigned line,
                      char *err, size_t errlen)
{
    static const char *const keys[] = {"id", "uri", "bootstrap", "lifetime", "security",
                                       "public", "server", "secret"};
    int idx = -1;
    for (int i = 0; i < 8; i++) {
        if (strcasecmp(k, keys[i]) == 0) {
            idx = i;
        }
    }
    for (size_t i = 0; idx < 0 && i < NEXT; i++) {
        if (strcasecmp(k, ext_keys[i].name) == 0) {
            idx = 8 + (int)i;
        }
    }
    if (idx < 0) {
        return scb_bridge_fail(err, errlen, line, "[Server]: unknown key '%.64s'", k);
    }
    if (s->seen & (1u << idx)) {
        return scb_bridge_fail(err, errlen, line, "[Server]: %s given twice", k);
    }
    s->seen |= 1u << idx;
    char **slot = NULL;
    switch (idx) {
    case 0:
        if (parse_long(v, 1, 65535, &s->id) < 0) {
            return scb_bridge_fail(err, errlen, line,
                                   "id: '%.32s' is not a Short Server ID (1-65535)", v);
        }
        return 0;
    case 1:
        if (!scb_model_utf8_ok((const uint8_t *)v, strlen(v))) {
            return scb_bridge_fail(err, errlen, line, "uri: not UTF-8");
        }
        slot = &s->uri;
        break;
    case 2:
        if (parse_yesno(v, &s->bootstrap) < 0) {
            return scb_bridge_fail(err, errlen, line, "bootstrap: must be yes or no");
        }
        return 0;
    case 3:
        if (parse_long(v, 1, 0x7fffffffL, &s->lifetime) < 0) {
            return scb_bridge_fail(err, errlen, line,
                                   "lifetime: '%.32s' is not a number of seconds", v);
        }
        return 0;
    case 4:
        for (int i = 0; i < (int)NSEC; i++) {
            if (strcasecmp(v, security_names[i]) == 0) {
                s->security = i;
                return 0;
            }
        }
        return scb_bridge_fail(err, errlen, line,
                               "security: must be NoSec, PSK, RPK or Certificate");
    case 5: slot = &s->pub; break;
    case 6: slot = &s->srv; break;
    case 7: slot = &s->secret; break;
    default: {
        const struct ext_key *e = &ext_keys[idx - 8];
        int b;
        if (e->is_bool) {
            if (parse_yesno(v, &b) < 0) {
                return scb_bridge_fail(err, errlen, line, "%s: must be yes or no", e->name);
            }
            s->ext[idx - 8] = b;
        } else if (parse_long(v, 0, 0x7fffffffL, &s->ext[idx - 8]) < 0) {
            return scb_bridge_fail(err, errlen, line, "%s: '%.32s' is not a number", e->name, v);
        }
        return 0;
    }
    }
    if (idx >= 5 && !is_hex(v)) {
        return scb_bridge_fail(err, errlen, line, "%s: expected an even number of hex digits", k);
    }
    if ((*slot = strdup(v)) == NULL) {
        return SCB_E_NOMEM;
    }
    return 0;
}

static int endpoint_key(struct endpoint *e, const char *k, const char *v, unsigned line,
                        char *err, size_t errlen)
{
    if (strcasecmp(k, "Name") == 0) {
        if (e->name) {
            return scb_bridge_fail(err, errlen, line, "[Endpoint]: Name given twice");
        }
        if (!scb_model_utf8_ok((const uint8_t *)v, strlen(v))) {
            return scb_bridge_fail(err, errlen, line, "Name: not UTF-8");
        }
        return (e->name = strdup(v)) ? 0 : SCB_E_NOMEM;
    }
    if (strcasecmp(k, "Discover") == 0 || strcasecmp(k, "Read") == 0) {
        int o, i;
        if (parse_uri(v, &o, &i) < 0) {
            return scb_bridge_fail(err, errlen, line, "%s: '%.64s' is not a LwM2M path", k, v);
        }
        return 0; /* questions to the client: no configuration */
    }
    int del = strcasecmp(k, "Delete") == 0;
    if (!del && strcasecmp(k, "Server") != 0) {
        return scb_bridge_fail(err, errlen, line, "[Endpoint]: unknown key '%.64s'", k);
    }
    if (e->nops >= MAX_OPS) {
        return scb_bridge_fail(err, errlen, line, "more than %d operations", MAX_OPS);
    }
    struct op *nops = grow(e->ops, e->nops, sizeof(*nops));
    if (nops == NULL) {
        return SCB_E_NOMEM;
    }
    e->ops = nops;
    struct op *op = &e->ops[e->nops];
    op->line = line;
    if (del) {
        op->kind = OP_DELETE;
        if (parse_uri(v, &op->oid, &op->iid) < 0) {
            return scb_bridge_fail(err, errlen, line, "Delete: '%.64s' is not a LwM2M path", v);
        }
    } else {
        op->kind = OP_SERVER;
        if (parse_long(v, 1, 65535, &op->server) < 0) {
            return scb_bridge_fail(err, errlen, line, "Server: '%.32s' is not a server id", v);
        }
    }
    e->nops++;
    return 0;
}

enum section { SEC_NONE, SEC_SERVER, SEC_ENDPOINT };

/* A "[Server]" or "[Endpoint]" line opens a new section (at most MAX_SERVERS of each): its
 * enum section, or an error. */
static int open_section(struct ini *ini, const char *name, unsigned line, char *err,
                        size_t errlen)
{
    int server = strcasecmp(name, "[Server]") == 0;
    if (!server && strcasecmp(name, "[Endpoint]") != 0) {
        return scb_bridge_fail(err, errlen, line,
                               "unknown section '%.32s' ([Server] or [Endpoint])", name);
    }
    if ((server ? ini->nsv : ini->nep) >= MAX_SERVERS) {
        return scb_bridge_fail(err, errlen, line, "more than %d %s sections", MAX_SERVERS,
                               server ? "[Server]" : "[Endpoint]");
    }
    if (!server) {
        struct endpoint *ep = grow(ini->ep, ini->nep, sizeof(*ep));
        if (ep == NULL) {
            return SCB_E_NOMEM;
        }
        ini->ep = ep;
        ep[ini->nep++].line = line;
        return SEC_ENDPOINT;
    }
    struct server *sv = grow(ini->sv, ini->nsv, sizeof(*sv));
    if (sv == NULL) {
        return SCB_E_NOMEM;
    }
    ini->sv = sv;
    struct server *s = &sv[ini->nsv++];
    s->line = line;
    s->lifetime = -1;
    s->security = -1;
    for (size_t k = 0; k < NEXT; k++) {
        s->ext[k] = -1;
    }
    return SEC_SERVER;
}

static int parse_ini(const char *text, size_t len, struct ini *ini, char *err, size_t errlen)
{
    enum section sec = SEC_NONE;
    char buf[LINE_MAX_LEN + 1];
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        const char *e = nl ? nl : text + len;
        pos = (size_t)(e - text) + (nl ? 1 : 0);
        line++;
        if (memchr(s, '\0', (size_t)(e - s))) {
            return scb_bridge_fail(err, errlen, line, "NUL byte");
        }
        while (s < e && isspace((unsigned char)*s)) {
            s++;
        }
        while (e > s && isspace((unsigned char)e[-1])) {
            e--;
        }
        if (s == e || *s == '#' || *s == ';') {
            continue;
        }
        if ((size_t)(e - s) > LINE_MAX_LEN) {
            return scb_bridge_fail(err, errlen, line, "line longer than %d bytes", LINE_MAX_LEN);
        }
        memcpy(buf, s, (size_t)(e - s));
        buf[e - s] = '\0';
        if (buf[0] == '[') {
            int ret = open_section(ini, buf, line, err, errlen);
            if (ret < 0) {
                return ret;
            }
            sec = (enum section)ret;
            continue;
        }
        char *eq = strchr(buf, '=');
        if (eq == NULL || eq == buf) {
            return scb_bridge_fail(err, errlen, line, "expected key=value");
        }
        char *ke = eq, *v = eq + 1;
        while (ke > buf && isspace((unsigned char)ke[-1])) {
            ke--;
        }
        *ke = '\0';
        while (isspace((unsigned char)*v)) {
            v++;
        }
        if (*v == '\0') {
            return scb_bridge_fail(err, errlen, line, "%s: empty value", buf);
        }
        int ret = sec == SEC_SERVER ? server_key(&ini->sv[ini->nsv - 1], buf, v, line, err, errlen)
                  : sec == SEC_ENDPOINT
                      ? endpoint_key(&ini->ep[ini->nep - 1], buf, v, line, err, errlen)
                      : scb_bridge_fail(err, errlen, line, "key outside a section");
        scb_util_zeroize(buf, sizeof(buf));
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static const struct server *find_server(const struct ini *ini, long id)
{
    for (size_t k = 0; k < ini->nsv; k++) {
        if (ini->sv[k].id == id) {
            return &ini->sv[k];
        }
    }
    return NULL;
}

/* What wakaama checks before it serves the file, and a little more. */
static int check_ini(const struct ini *ini, char *err, size_t errlen)
{
    for (size_t k = 0; k < ini->nsv; k++) {
        const struct server *s = &ini->sv[k];
        if (s->id == 0 || s->uri == NULL || s->security < 0) {
            return scb_bridge_fail(err, errlen, s->line,
                                   "[Server]: id, uri and security are mandatory");
        }
        if (s->security != SCB_SEC_MODE_NOSEC && (s->pub == NULL || s->secret == NULL)) {
            return scb_bridge_fail(err, errlen, s->line,
                                   "[Server] %ld: security %s needs public and secret", s->id,
                                   security_names[s->security]);
        }
        if ((s->security == SCB_SEC_MODE_RPK || s->security == SCB_SEC_MODE_CERT) &&
            s->srv == NULL) {
            return scb_bridge_fail(err, errlen, s->line, "[Server] %ld: security %s needs server",
                                   s->id, security_names[s->security]);
        }
        for (size_t j = 0; j < k; j++) {
            if (ini->sv[j].id == s->id) {
                return scb_bridge_fail(err, errlen, s->line,
                                       "[Server] id %ld already used on line %u", s->id,
                                       ini->sv[j].line);
            }
        }
    }
    for (size_t k = 0; k < ini->nep; k++) {
        for (size_t j = 0; j < k; j++) {
            const char *a = ini->ep[k].name, *b = ini->ep[j].name;
            if ((a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0)) {
                return scb_bridge_fail(
                    err, errlen, ini->ep[k].line, "[Endpoint] %s%s%s already described on line %u",
                    a ? "'" : "", a ? a : "without Name", a ? "'" : "", ini->ep[j].line);
            }
        }
        for (size_t o = 0; o < ini->ep[k].nops; o++) {
            const struct op *op = &ini->ep[k].ops[o];
            if (op->kind == OP_SERVER && find_server(ini, op->server) == NULL) {
                return scb_bridge_fail(err, errlen, op->line,
                                       "Server=%ld: no [Server] with that id", op->server);
            }
        }
    }
    return 0;
}

static void put_res(json_object *objects, int oid, long iid, int rid, json_object *v)
{
    char ok[16], ik[24], rk[16];
    json_object *obj, *insts, *inst, *res;
    snprintf(ok, sizeof(ok), "%d", oid);
    snprintf(ik, sizeof(ik), "%ld", iid);
    snprintf(rk, sizeof(rk), "%d", rid);
    if (!json_object_object_get_ex(objects, ok, &obj)) {
        obj = json_object_new_object();
        json_object_object_add(obj, "version", json_object_new_string("implicit"));
        json_object_object_add(obj, "instances", json_object_new_object());
        json_object_object_add(objects, ok, obj);
    }
    json_object_object_get_ex(obj, "instances", &insts);
    if (!json_object_object_get_ex(insts, ik, &inst)) {
        inst = json_object_new_object();
        json_object_object_add(inst, "resources", json_object_new_object());
        json_object_object_add(insts, ik, inst);
    }
    json_object_object_get_ex(inst, "resources", &res);
    json_object_object_add(res, rk, v);
}

static json_object *hexv(const char *h)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "hex", json_object_new_string(h));
    return o;
}

static void write_server(json_object *objects, const struct server *s)
{
    char ok[16], ik[16];
    json_object *obj, *insts;
    /* a Bootstrap-Write replaces the instance */
    for (int oid = SCB_OBJ_SECURITY; oid <= SCB_OBJ_SERVER; oid++) {
        snprintf(ok, sizeof(ok), "%d", oid);
        snprintf(ik, sizeof(ik), "%ld", s->id);
        if (json_object_object_get_ex(objects, ok, &obj) &&
            json_object_object_get_ex(obj, "instances", &insts)) {
            json_object_object_del(insts, ik);
        }
    }
    put_res(objects, SCB_OBJ_SECURITY, s->id, SCB_RES_SEC_URI, json_object_new_string(s->uri));
    put_res(objects, SCB_OBJ_SECURITY, s->id, SCB_RES_SEC_BOOTSTRAP,
            json_object_new_boolean(s->bootstrap));
    put_res(objects, SCB_OBJ_SECURITY, s->id, SCB_RES_SEC_MODE, json_object_new_int(s->security));
    put_res(objects, SCB_OBJ_SECURITY, s->id, SCB_RES_SEC_SSID, json_object_new_int64(s->id));
    if (s->pub) {
        put_res(objects, SCB_OBJ_SECURITY, s->id, SCB_RES_SEC_PUBKEY_ID, hexv(s->pub));
    }
    if (s->srv) {
        put_res(objects, SCB_OBJ_SECURITY, s->id, SCB_RES_SEC_SERVER_PUBKEY, hexv(s->srv));
    }
    if (s->secret) {
        put_res(objects, SCB_OBJ_SECURITY, s->id, SCB_RES_SEC_SECRET_KEY, hexv(s->secret));
    }
    if (s->bootstrap) {
        return; /* a Bootstrap-Server has no Server object instance */
    }
    put_res(objects, SCB_OBJ_SERVER, s->id, SCB_RES_SRV_SSID, json_object_new_int64(s->id));
    if (s->lifetime > 0) {
        put_res(objects, SCB_OBJ_SERVER, s->id, SCB_RES_SRV_LIFETIME,
                json_object_new_int64(s->lifetime));
    }
    put_res(objects, SCB_OBJ_SERVER, s->id, SCB_RES_SRV_STORING, json_object_new_boolean(0));
    put_res(objects, SCB_OBJ_SERVER, s->id, SCB_RES_SRV_BINDING, json_object_new_string("U"));
    for (size_t k = 0; k < NEXT; k++) {
        if (s->ext[k] >= 0) {
            put_res(objects, SCB_OBJ_SERVER, s->id, ext_keys[k].rid,
                    ext_keys[k].is_bool ? json_object_new_boolean((int)s->ext[k])
                                        : json_object_new_int64(s->ext[k]));
        }
    }
}

static void run_delete(json_object *objects, const struct op *op)
{
    char ok[16], ik[16];
    json_object *obj, *insts;
    if (op->oid < 0) { /* "/": everything (keys taken first: no deleting while iterating) */
        char keys[64][8];
        size_t n = 0;
        json_object_object_foreach(objects, k, v) {
            (void)v;
            if (n < 64) {
                snprintf(keys[n++], sizeof(keys[0]), "%s", k);
            }
        }
        for (size_t i = 0; i < n; i++) {
            json_object_object_del(objects, keys[i]);
        }
        return;
    }
    snprintf(ok, sizeof(ok), "%d", op->oid);
    if (op->iid < 0) {
        json_object_object_del(objects, ok);
    } else if (json_object_object_get_ex(objects, ok, &obj) &&
               json_object_object_get_ex(obj, "instances", &insts)) {
        snprintf(ik, sizeof(ik), "%d", op->iid);
        json_object_object_del(insts, ik);
    }
}

static const struct endpoint *pick_endpoint(const struct ini *ini, const char *name, char *err,
                                            size_t errlen)
{
    for (size_t k = 0; k < ini->nep; k++) {
        const char *n = ini->ep[k].name;
        if ((name == NULL && n == NULL) || (name && n && strcmp(name, n) == 0)) {
            return &ini->ep[k];
        }
    }
    if (name == NULL && ini->nep == 1) {
        return &ini->ep[0];
    }
    if (name) {
        scb_bridge_fail(err, errlen, 0, "no [Endpoint] with Name=%.64s", name);
    } else {
        scb_bridge_fail(err, errlen, 0, "%s",
                        ini->nep ? "no [Endpoint] without Name" : "no [Endpoint] section");
    }
    return NULL;
}

int scb_wakaama_import(const char *text, size_t len, const char *endpoint,
                       struct scb_config *cfg, char *err, size_t errlen)
{
    struct ini ini;
    if ((text == NULL && len > 0) || cfg == NULL) {
        return SCB_E_INVALID_ARG;
    }
    errlen = err ? errlen : 0;
    memset(&ini, 0, sizeof(ini));
    int ret = parse_ini(text, len, &ini, err, errlen);
    if (ret == 0) {
        ret = check_ini(&ini, err, errlen);
    }
    const struct endpoint *ep = ret == 0 ? pick_endpoint(&ini, endpoint, err, errlen) : NULL;
    if (ret == 0 && ep == NULL) {
        ret = SCB_E_NOT_FOUND; /* which client: the caller names another */
    }
    if (ret == 0) {
        json_object *shape = json_object_new_object(), *objects = json_object_new_object();
        json_object_object_add(shape, "objects", objects);
        for (size_t k = 0; k < ep->nops; k++) {
            if (ep->ops[k].kind == OP_DELETE) {
                run_delete(objects, &ep->ops[k]);
            } else {
                write_server(objects, find_server(&ini, ep->ops[k].server));
            }
        }
        ret = scb_config_from_json(shape, cfg, err, errlen);
        json_object_put(shape);
    }
    ini_free(&ini);
    return ret;
}

/* ---- export ---------------------------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->n + (size_t)n < b->cap) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *np = malloc(cap);
        if (np == NULL) {
            b->oom = 1;
            return;
        }
        if (b->p) {
            memcpy(np, b->p, b->n);
            scb_util_zeroize(b->p, b->cap);
            free(b->p);
        }
        b->p = np;
        b->cap = cap;
    }
}

/* Whether /1/x/rid is one of the 1.1 keys of [Server] */
static int is_ext_key(int rid)
{
    for (size_t k = 0; k < NEXT; k++) {
        if (ext_keys[k].rid == rid) {
            return 1;
        }
    }
    return 0;
}

static json_object *res_of(json_object *inst, int rid)
{
    char rk[8];
    json_object *res, *v;
    snprintf(rk, sizeof(rk), "%d", rid);
    if (json_object_object_get_ex(inst, "resources", &res) &&
        json_object_object_get_ex(res, rk, &v)) {
        return v;
    }
    return NULL;
}

static const char *hex_of(json_object *v)
{
    json_object *h;
    return v && json_object_object_get_ex(v, "hex", &h) ? json_object_get_string(h) : NULL;
}

/* The /1 instance whose SSID is ssid. */
static json_object *server_instance(json_object *objects, int64_t ssid, const char **key)
{
    json_object *obj, *insts;
    char ok[8];
    snprintf(ok, sizeof(ok), "%d", SCB_OBJ_SERVER);
    if (!json_object_object_get_ex(objects, ok, &obj) ||
        !json_object_object_get_ex(obj, "instances", &insts)) {
        return NULL;
    }
    json_object_object_foreach(insts, k, inst) {
        json_object *v = res_of(inst, SCB_RES_SRV_SSID);
        if (v && json_object_get_int64(v) == ssid) {
            *key = k;
            return inst;
        }
    }
    return NULL;
}

static int id_used(json_object *insts, int64_t cand)
{
    json_object_object_foreach(insts, k, inst) {
        (void)k;
        json_object *v = res_of(inst, SCB_RES_SEC_SSID);
        if (v && json_object_get_int64(v) == cand) {
            return 1;
        }
    }
    return 0;
}

/* An id for a Bootstrap-Server account without Short Server ID: its instance ID when that is
 * 1-65534 and no account's SSID, else the smallest such number (wakaama needs id >= 1). */
static int64_t free_id(json_object *insts, int64_t want)
{
    if (want >= 1 && want <= 65534 && !id_used(insts, want)) {
        return want;
    }
    for (int64_t cand = 1; cand <= 65534; cand++) {
        if (!id_used(insts, cand)) {
            return cand;
        }
    }
    return 0;
}

int scb_wakaama_export(const struct scb_config *cfg, const char *endpoint, int show_secrets,
                       char **out, char *lost, size_t lostlen, char *err, size_t errlen)
{
    struct sbuf b = {0};
    char ok[8];
    int ret = scb_bridge_export_start(cfg, show_secrets, out, lost, lostlen, err, &errlen);
    if (ret < 0) {
        return ret;
    }
    if (endpoint != NULL) {
        /* one Name= line that reads back as written: no line break or other control
         * character (it would start lines of its own: "ep\n[Server]\nid=5"), no blank at
         * either end (the reader trims them) */
        size_t n = strlen(endpoint);
        for (size_t k = 0; k < n; k++) {
            if ((unsigned char)endpoint[k] < 0x20 || endpoint[k] == 0x7f) {
                snprintf(err, errlen, "a control character (byte %zu) in the endpoint name cannot "
                                      "be written in a Name= line",
                         k);
                return SCB_E_UNSUPPORTED;
            }
        }
        if (n == 0 || endpoint[0] == ' ' || endpoint[n - 1] == ' ') {
            snprintf(err, errlen, "an empty endpoint name, or one with a blank at an end, does "
                                  "not read back from a Name= line");
            return SCB_E_UNSUPPORTED;
        }
    }
    json_object *shape = scb_config_to_json(cfg, 1), *objects, *sec = NULL, *insts = NULL;
    json_object_object_get_ex(shape, "objects", &objects);
    json_object *ids = json_object_new_array(); /* [Server] ids in order, for [Endpoint] */
    sb_printf(&b, "# Wakaama bootstrap_server configuration written by scboot\n");
    json_object_object_foreach(objects, okey, obj) {
        (void)obj;
        if (atoi(okey) != SCB_OBJ_SECURITY && atoi(okey) != SCB_OBJ_SERVER) {
            scb_bridge_lost_add(lost, lostlen, "/%s", okey);
        }
    }
    snprintf(ok, sizeof(ok), "%d", SCB_OBJ_SECURITY);
    if (json_object_object_get_ex(objects, ok, &sec)) {
        json_object_object_get_ex(sec, "instances", &insts);
    }
    ret = SCB_OK;
    if (insts == NULL) {
        insts = json_object_new_object(); /* no Security object: no [Server], and no crash */
        json_object_object_add(sec ? sec : shape, "instances", insts);
    }
    json_object_object_foreach(insts, ikey, inst) {
        json_object *v = res_of(inst, SCB_RES_SEC_BOOTSTRAP),
                    *ssidv = res_of(inst, SCB_RES_SEC_SSID);
        json_object *mode = res_of(inst, SCB_RES_SEC_MODE), *uri = res_of(inst, SCB_RES_SEC_URI);
        int bs = v && json_object_get_boolean(v);
        int64_t id = ssidv ? json_object_get_int64(ssidv) : free_id(insts, atoll(ikey));
        int64_t m = mode ? json_object_get_int64(mode) : -1;
        if (uri == NULL || m < 0 || m >= (int64_t)NSEC || id < 1 || id > 65535) {
            snprintf(err, errlen, "/0/%s: no URI, a security mode outside 0-3 or no usable "
                                  "Short Server ID: not expressible as a wakaama [Server]",
                     ikey);
            ret = SCB_E_UNSUPPORTED;
            break;
        }
        if (!bs && ssidv == NULL) {
            snprintf(err, errlen, "/0/%s: a LwM2M Server account without Short Server ID", ikey);
            ret = SCB_E_UNSUPPORTED;
            break;
        }
        if (id != atoll(ikey)) {
            scb_bridge_lost_add(lost, lostlen, "/0/%s (instance ID becomes %lld)", ikey,
                                (long long)id);
        }
        json_object_array_add(ids, json_object_new_int64(id));
        sb_printf(&b, "\n[Server]\nid=%lld\nuri=%s\nbootstrap=%s\nsecurity=%s\n", (long long)id,
                  json_object_get_string(uri), bs ? "yes" : "no", security_names[m]);
        static const struct {
            int rid;
            const char *key;
        } hx[] = {{SCB_RES_SEC_PUBKEY_ID, "public"},
                  {SCB_RES_SEC_SERVER_PUBKEY, "server"},
                  {SCB_RES_SEC_SECRET_KEY, "secret"}};
        for (size_t k = 0; k < 3; k++) {
            const char *h = hex_of(res_of(inst, hx[k].rid));
            if (h && h[0]) {
                sb_printf(&b, "%s=%s\n", hx[k].key, h);
            }
        }
        json_object *res;
        json_object_object_get_ex(inst, "resources", &res);
        json_object_object_foreach(res, rk, rv) {
            (void)rv;
            int r = atoi(rk);
            if (r > SCB_RES_SEC_SECRET_KEY && r != SCB_RES_SEC_SSID) {
                scb_bridge_lost_add(lost, lostlen, "/0/%s/%s", ikey, rk);
            }
        }
        const char *skey = NULL;
        json_object *si = bs ? NULL : server_instance(objects, id, &skey);
        if (si == NULL) {
            continue;
        }
        json_object *lt = res_of(si, SCB_RES_SRV_LIFETIME);
        if (lt) {
            sb_printf(&b, "lifetime=%lld\n", (long long)json_object_get_int64(lt));
        }
        for (size_t k = 0; k < NEXT; k++) {
            json_object *ev = res_of(si, ext_keys[k].rid);
            if (ev && ext_keys[k].is_bool) {
                sb_printf(&b, "%s=%s\n", ext_keys[k].name,
                          json_object_get_boolean(ev) ? "yes" : "no");
            } else if (ev) {
                sb_printf(&b, "%s=%lld\n", ext_keys[k].name, (long long)json_object_get_int64(ev));
            }
        }
        json_object_object_get_ex(si, "resources", &res);
        json_object_object_foreach(res, rk2, rv2) {
            int r = atoi(rk2);
            int dflt = (r == SCB_RES_SRV_STORING && !json_object_get_boolean(rv2)) ||
                       (r == SCB_RES_SRV_BINDING && strcmp(json_object_get_string(rv2), "U") == 0);
            if (r != SCB_RES_SRV_SSID && r != SCB_RES_SRV_LIFETIME && !is_ext_key(r) && !dflt) {
                scb_bridge_lost_add(lost, lostlen, "/1/%s/%s", skey, rk2);
            }
        }
    }
    /* /1 instances without a Security account cannot be expressed */
    json_object *so, *sinsts;
    snprintf(ok, sizeof(ok), "%d", SCB_OBJ_SERVER);
    if (ret == SCB_OK && json_object_object_get_ex(objects, ok, &so) &&
        json_object_object_get_ex(so, "instances", &sinsts)) {
        json_object_object_foreach(sinsts, k1, i1) {
            json_object *ssid = res_of(i1, SCB_RES_SRV_SSID);
            int found = 0;
            for (size_t k = 0; ssid && k < json_object_array_length(ids); k++) {
                found |= json_object_get_int64(json_object_array_get_idx(ids, k)) ==
                         json_object_get_int64(ssid);
            }
            if (!found) {
                scb_bridge_lost_add(lost, lostlen, "/1/%s", k1);
            }
        }
    }
    if (ret == SCB_OK) {
        sb_printf(&b, "\n[Endpoint]\n");
        if (endpoint) {
            sb_printf(&b, "Name=%s\n", endpoint);
        }
        sb_printf(&b, "Delete=/%d\nDelete=/%d\n", SCB_OBJ_SECURITY, SCB_OBJ_SERVER);
        for (size_t k = 0; k < json_object_array_length(ids); k++) {
            sb_printf(&b, "Server=%lld\n",
                      (long long)json_object_get_int64(json_object_array_get_idx(ids, k)));
        }
        if (lost[0]) {
            sb_printf(&b, "# not expressible in this format: %s\n", lost);
        }
    }
    json_object_put(ids);
    json_object_put(shape);
    if (ret == SCB_OK && b.oom) {
        ret = SCB_E_NOMEM;
    }
    if (ret != SCB_OK) {
        if (b.p) {
            scb_util_zeroize(b.p, b.cap);
        }
        free(b.p);
        return ret;
    }
    *out = b.p;
    return SCB_OK;
}

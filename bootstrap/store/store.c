/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: the committed configuration on disk: JSON with provenance and card fingerprint,
 * written crash-safely (temporary file, fsync, rename, fsync of the directory) under an flock,
 * files 0600 in a 0700 directory. A damaged file is an error, never an empty configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/store.h"
#include "scboot/util.h"
#include "json_internal.h"
#include "store_internal.h"

#define STORE_FORMAT "scboot-store-1"
#define STORE_FILE "config.json"
#define STORE_TMP "config.json.tmp"
#define STORE_LOCK "lock"
#define STORE_MAX SCB_CONFIG_TEXT_MAX /* the store is a configuration written as JSON */
#define STORE_MAX_PROV 65536u
#define STORE_MAX_DEPTH 16

struct scb_store {
    char dir[512];
    char path[600];
    char errbuf[800]; /* the last error, one line */
    int lock_fd;
    int dir_fd;
    scb_commit_hook hook;
    void *hook_ctx;
    scb_store_observer observer;
    void *observer_ctx;
    struct scb_committed *observed; /* what the observer was last told (NULL: read the file) */
    int busy;                   /* inside a commit (its observer too) or a custom load */
    int in_ops;                 /* inside a custom store's own load or commit */
    int custom;                 /* 1: ops below hold the state, no directory is used */
    struct scb_store_ops ops;   /* a custom or memory store's operations (copied) */
    void *ops_ctx;
};

/* ---- the committed model ----------------------------------------------------------------- */

void scb_committed_init(struct scb_committed *c)
{
    if (c == NULL) {
        return;
    }
    memset(c, 0, sizeof(*c));
    scb_config_init(&c->cfg);
}

void scb_committed_free(struct scb_committed *c)
{
    if (c == NULL) {
        return;
    }
    scb_config_free(&c->cfg);
    free(c->prov);
    memset(c, 0, sizeof(*c));
}

int scb_committed_copy(struct scb_committed *dst, const struct scb_committed *src)
{
    if (dst == NULL || src == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_committed t = *src;
    int ret;
    t.prov = NULL;
    if ((ret = scb_config_copy(&t.cfg, &src->cfg)) < 0) {
        return ret;
    }
    if (src->nprov) {
        if ((t.prov = malloc(src->nprov * sizeof(*t.prov))) == NULL) {
            scb_config_free(&t.cfg);
            return SCB_E_NOMEM;
        }
        memcpy(t.prov, src->prov, src->nprov * sizeof(*t.prov));
    }
    *dst = t;
    return SCB_OK;
}

const char *scb_source_name(enum scb_source p)
{
    return p == SCB_SRC_CARD ? "card" : p == SCB_SRC_FACTORY ? "factory" : "network";
}

static struct scb_prov *find_prov(const struct scb_committed *c, uint16_t oid, uint16_t iid)
{
    for (size_t k = 0; k < c->nprov; k++) {
        if (c->prov[k].oid == oid && c->prov[k].iid == iid) {
            return &c->prov[k];
        }
    }
    return NULL;
}

static int prov_recorded(const struct scb_committed *c, uint16_t oid, uint16_t iid)
{
    return find_prov(c, oid, iid) != NULL;
}

enum scb_source scb_committed_prov(const struct scb_committed *c, uint16_t oid, uint16_t iid)
{
    if (c == NULL) {
        return SCB_SRC_NETWORK;
    }
    struct scb_prov *p = find_prov(c, oid, iid);
    return p ? p->prov : SCB_SRC_NETWORK;
}

int scb_committed_set_prov(struct scb_committed *c, uint16_t oid, uint16_t iid,
                           enum scb_source p)
{
    if (c == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_prov *e = find_prov(c, oid, iid);
    if (e == NULL) {
        struct scb_prov *np = realloc(c->prov, (c->nprov + 1) * sizeof(*np));
        if (np == NULL) {
            return SCB_E_NOMEM;
        }
        c->prov = np;
        e = &c->prov[c->nprov++];
        e->oid = oid;
        e->iid = iid;
    }
    e->prov = p;
    return SCB_OK;
}

static void forget_prov(struct scb_committed *c, uint16_t oid, uint16_t iid)
{
    struct scb_prov *e = find_prov(c, oid, iid);
    if (e) {
        *e = c->prov[--c->nprov];
    }
}

void scb_committed_drop(struct scb_committed *c, enum scb_source p)
{
    if (c == NULL) {
        return;
    }
    for (size_t a = c->cfg.n; a > 0; a--) {
        struct scb_object *o = &c->cfg.o[a - 1];
        uint16_t oid = o->id;
        for (size_t b = o->n; b > 0; b--) {
            uint16_t iid = o->i[b - 1].id;
            if (scb_committed_prov(c, oid, iid) == p) {
                scb_object_remove_instance(o, iid);
                forget_prov(c, oid, iid);
            }
        }
        if (o->n == 0) {
            scb_config_remove_object(&c->cfg, oid);
        }
    }
}

int scb_committed_replace(struct scb_committed *out, const struct scb_committed *prev,
                          struct scb_config *cfg, enum scb_source p)
{
    if (out == NULL || prev == NULL || cfg == NULL) {
        return SCB_E_INVALID_ARG;
    }
    int ret, card_left = 0;
    scb_committed_init(out);
    scb_config_free(&out->cfg);
    out->cfg = *cfg; /* ownership moves */
    scb_config_init(cfg);
    out->generation = prev->generation;
    memcpy(out->committed_at, prev->committed_at, sizeof(out->committed_at));
    out->card = prev->card;
    for (size_t a = 0; a < out->cfg.n; a++) {
        const struct scb_object *o = &out->cfg.o[a];
        const struct scb_object *old = scb_config_object(&prev->cfg, o->id);
        for (size_t k = 0; k < o->n; k++) {
            const struct scb_instance *now = &o->i[k];
            const struct scb_instance *was = old ? scb_object_instance(old, now->id) : NULL;
            enum scb_source q = p;
            if (was != NULL && scb_instance_equal(o->id, was, now)) {
                q = scb_committed_prov(prev, o->id, now->id);
            }
            card_left |= q == SCB_SRC_CARD;
            if ((ret = scb_committed_set_prov(out, o->id, now->id, q)) < 0) {
                scb_committed_free(out);
                scb_committed_init(out);
                return ret;
            }
        }
    }
    if (!card_left) {
        memset(&out->card, 0, sizeof(out->card));
    }
    return SCB_OK;
}

/* Move every instance of copy into c's configuration, in instance-ID order, with provenance
 * p; what is not moved stays copy's to free. */
static int move_instances(struct scb_committed *c, struct scb_config *copy,
                          enum scb_source p)
{
    int ret;
    for (size_t a = 0; a < copy->n; a++) {
        struct scb_object *so = &copy->o[a], *o = scb_config_object_mut(&c->cfg, so->id);
        for (size_t b = 0; b < so->n; b++) {
            struct scb_instance *ni = realloc(o->i, (o->n + 1) * sizeof(*ni));
            if (ni == NULL) {
                return SCB_E_NOMEM;
            }
            o->i = ni;
            size_t pos = o->n;
            while (pos > 0 && o->i[pos - 1].id > so->i[b].id) {
                pos--;
            }
            memmove(&o->i[pos + 1], &o->i[pos], (o->n - pos) * sizeof(*ni));
            o->i[pos] = so->i[b]; /* ownership moves */
            o->n++;
            memset(&so->i[b], 0, sizeof(so->i[b]));
            if ((ret = scb_committed_set_prov(c, so->id, o->i[pos].id, p)) < 0) {
                return ret;
            }
        }
        so->n = 0;
    }
    return SCB_OK;
}

int scb_committed_merge(struct scb_committed *c, const struct scb_config *cfg,
                        enum scb_source p)
{
    if (c == NULL || cfg == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_config copy;
    int ret;
    for (size_t a = 0; a < cfg->n; a++) {
        const struct scb_object *so = &cfg->o[a];
        struct scb_object *o;
        if ((ret = scb_config_add_object(&c->cfg, so->id, &o)) < 0) {
            return ret;
        }
        o->explicit_version = so->explicit_version;
        o->major = so->major;
        o->minor = so->minor;
        for (size_t b = 0; b < so->n; b++) {
            scb_object_remove_instance(o, so->i[b].id);
        }
    }
    /* copy instance by instance through a deep copy of cfg */
    if ((ret = scb_config_copy(&copy, cfg)) < 0) {
        return ret;
    }
    ret = move_instances(c, &copy, p);
    scb_config_free(&copy);
    return ret;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static json_object *card_json(const struct scb_fingerprint *id)
{
    json_object *card = json_object_new_object();
    char hex[80];
    int bad = scb_json_put(card, "iccid", json_object_new_string(id->iccid));
    scb_util_hex_encode(id->sha256, 32, hex, sizeof(hex));
    bad |= scb_json_put(card, "sha256", json_object_new_string(hex));
    bad |= scb_json_put(card, "reader", json_object_new_string(id->reader));
    scb_util_hex_encode(id->aid, id->aid_len, hex, sizeof(hex));
    bad |= scb_json_put(card, "aid", json_object_new_string(hex));
    scb_util_hex_encode(id->path.path, id->path.len, hex, sizeof(hex));
    bad |= scb_json_put(card, "path", json_object_new_string(hex));
    if (bad) {
        json_object_put(card);
        return NULL;
    }
    return card;
}

struct json_object *scb_committed_to_json(const struct scb_committed *c, int redact)
{
    if (c == NULL) {
        return NULL;
    }
    /* every allocation checked: a document missing a part must never reach the commit */
    json_object *root = scb_config_to_json(&c->cfg, !redact), *prov = json_object_new_object();
    char key[16];
    int bad = scb_json_put(root, "format", json_object_new_string(STORE_FORMAT));
    bad |= scb_json_put(root, "generation", json_object_new_int64((int64_t)c->generation));
    bad |= scb_json_put(root, "committed_at", json_object_new_string(c->committed_at));
    for (size_t k = 0; k < c->nprov && prov && !bad; k++) {
        snprintf(key, sizeof(key), "/%u/%u", c->prov[k].oid, c->prov[k].iid);
        bad |= scb_json_put(prov, key, json_object_new_string(scb_source_name(c->prov[k].prov)));
    }
    bad |= scb_json_put(root, "provenance", prov);
    if (c->card.valid) {
        bad |= scb_json_put(root, "card", card_json(&c->card));
    } else if (root && json_object_object_add(root, "card", NULL) != 0) {
        bad = 1;
    }
    if (bad) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

char *scb_committed_to_json_text(const struct scb_committed *c, int redact)
{
    return scb_json_take_text(scb_committed_to_json(c, redact));
}

static int jfail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int jfail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return SCB_E_PARSE;
}

/* A member of the given type, or NULL (missing or another type). */
static json_object *member(json_object *o, const char *key, enum json_type type)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || v == NULL || !json_object_is_type(v, type)) {
        return NULL;
    }
    return v;
}

/* A string member that fits cap bytes with its NUL; copied. */
static int str_field(json_object *o, const char *key, char *out, size_t cap)
{
    json_object *v = member(o, key, json_type_string);
    if (v == NULL || (size_t)json_object_get_string_len(v) >= cap ||
        strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
        return SCB_E_PARSE; /* missing, not a string, too long or with a NUL inside */
    }
    memcpy(out, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
    return SCB_OK;
}

static int hex_field(json_object *o, const char *key, uint8_t *out, size_t cap, size_t *len)
{
    json_object *v = member(o, key, json_type_string);
    size_t n = 0;
    if (v == NULL || (size_t)json_object_get_string_len(v) > 2 * cap + 16 ||
        scb_util_hex_decode(json_object_get_string(v), out, cap, &n) < 0) {
        return SCB_E_PARSE;
    }
    *len = n;
    return SCB_OK;
}

/* "/OID/IID" with both in 0..65535, nothing else. */
static int parse_prov_key(const char *key, uint16_t *oid, uint16_t *iid)
{
    unsigned long v[2];
    const char *p = key;
    for (int k = 0; k < 2; k++) {
        char *end;
        if (*p != '/' || p[1] < '0' || p[1] > '9') {
            return SCB_E_PARSE;
        }
        errno = 0;
        v[k] = strtoul(p + 1, &end, 10);
        if (errno || v[k] > 65535 || end - (p + 1) > 5) {
            return SCB_E_PARSE;
        }
        p = end;
    }
    if (*p != '\0') {
        return SCB_E_PARSE;
    }
    *oid = (uint16_t)v[0];
    *iid = (uint16_t)v[1];
    return SCB_OK;
}

static int load_provenance(json_object *root, struct scb_committed *t, char *err, size_t errlen)
{
    json_object *prov = NULL;
    if (!json_object_object_get_ex(root, "provenance", &prov)) {
        return jfail(err, errlen, "no \"provenance\"");
    }
    if (prov == NULL || !json_object_is_type(prov, json_type_object)) {
        return jfail(err, errlen, "\"provenance\" is not an object");
    }
    if ((unsigned)json_object_object_length(prov) > STORE_MAX_PROV) {
        return jfail(err, errlen, "\"provenance\" has more than %u entries", STORE_MAX_PROV);
    }
    json_object_object_foreach(prov, key, pv)
    {
        uint16_t oid, iid;
        enum scb_source pr;
        const char *p;
        if (parse_prov_key(key, &oid, &iid) < 0) {
            return jfail(err, errlen, "provenance key \"%.40s\" is not /OID/IID", key);
        }
        if (pv == NULL || !json_object_is_type(pv, json_type_string)) {
            return jfail(err, errlen, "provenance of %s is not a string", key);
        }
        p = json_object_get_string(pv);
        if (strcmp(p, "card") == 0) {
            pr = SCB_SRC_CARD;
        } else if (strcmp(p, "factory") == 0) {
            pr = SCB_SRC_FACTORY;
        } else if (strcmp(p, "network") == 0) {
            pr = SCB_SRC_NETWORK;
        } else {
            return jfail(err, errlen, "provenance of %s is not card, factory or network", key);
        }
        if (prov_recorded(t, oid, iid)) {
            return jfail(err, errlen, "provenance of %s given twice", key);
        }
        if (scb_committed_set_prov(t, oid, iid, pr) < 0) {
            return SCB_E_NOMEM;
        }
    }
    return SCB_OK;
}

static int load_card(json_object *root, struct scb_fingerprint *fp, char *err, size_t errlen)
{
    json_object *card = NULL;
    size_t n = 0;
    if (!json_object_object_get_ex(root, "card", &card) || card == NULL) {
        return SCB_OK; /* no card data committed */
    }
    if (!json_object_is_type(card, json_type_object)) {
        return jfail(err, errlen, "\"card\" is neither null nor an object");
    }
    if (str_field(card, "iccid", fp->iccid, sizeof(fp->iccid)) < 0) {
        return jfail(err, errlen, "card \"iccid\" missing, not a string or too long");
    }
    if (hex_field(card, "sha256", fp->sha256, sizeof(fp->sha256), &n) < 0 || n != 32) {
        return jfail(err, errlen, "card \"sha256\" is not 32 bytes of hex");
    }
    if (json_object_object_get_ex(card, "reader", NULL) &&
        str_field(card, "reader", fp->reader, sizeof(fp->reader)) < 0) {
        return jfail(err, errlen, "card \"reader\" not a string or too long");
    }
    if (hex_field(card, "aid", fp->aid, sizeof(fp->aid), &fp->aid_len) < 0) {
        return jfail(err, errlen, "card \"aid\" is not hex of at most %zu bytes",
                     sizeof(fp->aid));
    }
    if (hex_field(card, "path", fp->path.path, sizeof(fp->path.path), &fp->path.len) < 0) {
        return jfail(err, errlen, "card \"path\" is not hex of at most %zu bytes",
                     sizeof(fp->path.path));
    }
    fp->valid = 1;
    return SCB_OK;
}

int scb_committed_from_json(struct json_object *root, struct scb_committed *c, char *err,
                            size_t errlen)
{
    json_object *v;
    struct scb_committed t;
    char why[200] = "";
    int ret;

    if (root == NULL || !json_object_is_type(root, json_type_object)) {
        return jfail(err, errlen, "not a JSON object");
    }
    if ((ret = scb_json_format_check(root, "store", err, errlen)) != SCB_OK) {
        return ret; /* SCB_E_UNSUPPORTED: a store of a later release, never half-read */
    }
    scb_committed_init(&t);
    if ((v = member(root, "generation", json_type_int)) == NULL ||
        json_object_get_int64(v) < 0 || json_object_get_int64(v) == INT64_MAX) {
        ret = jfail(err, errlen, "\"generation\" missing or not a non-negative integer");
        goto fail;
    }
    t.generation = (uint64_t)json_object_get_int64(v);
    if (str_field(root, "committed_at", t.committed_at, sizeof(t.committed_at)) < 0) {
        ret = jfail(err, errlen, "\"committed_at\" missing, not a string or too long");
        goto fail;
    }
    if (scb_config_from_json(root, &t.cfg, why, sizeof(why)) < 0) {
        ret = jfail(err, errlen, "configuration: %s", why);
        goto fail;
    }
    if ((ret = load_provenance(root, &t, err, errlen)) < 0 ||
        (ret = load_card(root, &t.card, err, errlen)) < 0) {
        goto fail;
    }
    *c = t;
    return SCB_OK;
fail:
    scb_committed_free(&t);
    return ret;
}

int scb_store_parse(const uint8_t *data, size_t len, struct scb_committed *c, char *err,
                    size_t errlen)
{
    if (data == NULL || c == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct json_tokener *tok;
    json_object *root;
    int ret = SCB_OK;

    if (len > STORE_MAX) {
        return jfail(err, errlen, "larger than %u bytes", STORE_MAX);
    }
    if (memchr(data, '\0', len) != NULL) {
        /* json-c stops at it and would call the rest "unexpected end of data" */
        return jfail(err, errlen, "not valid JSON (a NUL byte in the text)");
    }
    if ((tok = json_tokener_new_ex(STORE_MAX_DEPTH)) == NULL) {
        return SCB_E_NOMEM;
    }
    root = json_tokener_parse_ex(tok, (const char *)data, (int)len);
    int at_end = 0; /* the whole text was read: nothing after the document */
    if (json_tokener_get_error(tok) == json_tokener_continue && root == NULL) {
        at_end = 1;
        /* a bare number or literal at the very end (`1`, `null`, `true` without a newline)
         * waits for the character that ends it: the end of the text is that character, so
         * such a document is named as no object below, not as truncated */
        root = json_tokener_parse_ex(tok, "", 1);
    }
    /* the document `null` parses (root NULL, no error to name): scb_committed_from_json
     * refuses it as no object */
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t used = at_end ? len : json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (e != json_tokener_success) {
        ret = jfail(err, errlen, "not valid JSON (%s)",
                    e == json_tokener_continue || (at_end && e == json_tokener_error_parse_eof)
                        ? "truncated"
                        : json_tokener_error_desc(e));
    }
    for (; ret == SCB_OK && used < len; used++) { /* only white space may follow the object */
        if (data[used] != ' ' && data[used] != '\n' && data[used] != '\t' && data[used] != '\r') {
            ret = jfail(err, errlen, "not valid JSON (data after the object)");
        }
    }
    if (ret == SCB_OK) {
        ret = scb_committed_from_json(root, c, err, errlen);
    }
    json_object_put(root);
    return ret;
}

/* ---- the directory ------------------------------------------------------------------------ */

/*
 * The state directory is opened once, without following a symbolic link, and everything in it
 * is reached relative to that descriptor, never by path, and never through a link. An existing
 * directory is never re-moded or re-owned: one that others could write to, or that belongs to
 * someone else, is refused with the reason.
 */

static int sfail(struct scb_store *s, int ret, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int sfail(struct scb_store *s, int ret, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errbuf, sizeof(s->errbuf), fmt, ap);
    va_end(ap);
    return ret;
}

static int check_dir(struct scb_store *s, const struct stat *st)
{
    uid_t me = geteuid();
    if (!S_ISDIR(st->st_mode)) {
        return sfail(s, SCB_E_IO, "state directory %s is not a directory", s->dir);
    }
    if (st->st_uid != me) {
        return sfail(s, SCB_E_UNSAFE,
                     "state directory %s belongs to uid %u, not to uid %u running scboot: "
                     "use a directory of your own (mkdir -m 700 DIR)",
                     s->dir, (unsigned)st->st_uid, (unsigned)me);
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        if (st->st_mode & S_ISVTX) {
            return sfail(s, SCB_E_UNSAFE,
                         "state directory %s is writable by others (mode %04o, shared): "
                         "give a directory only you can write (mkdir -m 700 DIR)",
                         s->dir, (unsigned)(st->st_mode & 07777));
        }
        return sfail(s, SCB_E_UNSAFE,
                     "state directory %s is writable by group or others (mode %04o): "
                     "chmod go-w it, or give a directory only you can write",
                     s->dir, (unsigned)(st->st_mode & 07777));
    }
    return SCB_OK;
}

static int open_state_dir(struct scb_store *s, int create)
{
    struct stat st;
    int created = 0;

    if (create) {
        if (mkdir(s->dir, 0700) == 0) {
            created = 1;
        } else if (errno != EEXIST) {
            return sfail(s, SCB_E_IO, "cannot create state directory %s: %s", s->dir,
                         strerror(errno));
        }
    }
    s->dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (s->dir_fd < 0) {
        int e = errno;
        if ((e == ELOOP || e == ENOTDIR) && lstat(s->dir, &st) == 0 && S_ISLNK(st.st_mode)) {
            return sfail(s, SCB_E_UNSAFE,
                         "state directory %s is a symbolic link: give the real directory", s->dir);
        }
        return sfail(s, SCB_E_IO, "cannot open state directory %s: %s", s->dir, strerror(e));
    }
    if (fstat(s->dir_fd, &st) != 0) {
        return sfail(s, SCB_E_IO, "cannot stat state directory %s: %s", s->dir, strerror(errno));
    }
    if (created && (st.st_mode & 07777) != 0700) {
        /* only a directory made here, just now, gets its mode set (the umask may have cut it) */
        if (fchmod(s->dir_fd, 0700) != 0 || fstat(s->dir_fd, &st) != 0) {
            return sfail(s, SCB_E_IO, "cannot set the mode of %s: %s", s->dir, strerror(errno));
        }
    }
    return check_dir(s, &st);
}

static int take_lock(struct scb_store *s, unsigned wait_ms)
{
    struct stat st;
    s->lock_fd = openat(s->dir_fd, STORE_LOCK, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (s->lock_fd < 0) {
        return sfail(s, errno == ELOOP ? SCB_E_UNSAFE : SCB_E_IO, "cannot open %s/%s: %s%s",
                     s->dir, STORE_LOCK, strerror(errno),
                     errno == ELOOP ? " (a symbolic link: refused)" : "");
    }
    if (fstat(s->lock_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        return sfail(s, SCB_E_UNSAFE, "%s/%s is not a regular file", s->dir, STORE_LOCK);
    }
    for (unsigned waited = 0;; waited += 50) {
        if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0) {
            return SCB_OK;
        }
        if (errno != EWOULDBLOCK || waited >= wait_ms) {
            return sfail(s, SCB_E_LOCKED,
                         "state directory %s is locked by another scboot process", s->dir);
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static int open_dir(const char *dir, struct scb_store **out, int lock, unsigned wait_ms,
                    char *err, size_t errlen)
{
    struct scb_store *s;
    size_t n;
    int ret;

    *out = NULL;
    if (dir == NULL || (n = strlen(dir)) == 0) {
        snprintf(err, errlen, "empty state directory name");
        return SCB_E_INVALID_ARG;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        return SCB_E_NOMEM;
    }
    s->lock_fd = -1;
    s->dir_fd = -1;
    while (n > 1 && dir[n - 1] == '/') {
        n--; /* "link/" would follow the link */
    }
    if (n >= sizeof(s->dir)) {
        free(s);
        snprintf(err, errlen, "state directory name too long");
        return SCB_E_INVALID_ARG;
    }
    memcpy(s->dir, dir, n);
    s->dir[n] = '\0';
    snprintf(s->path, sizeof(s->path), "%s%s%s", s->dir, strcmp(s->dir, "/") != 0 ? "/" : "",
             STORE_FILE); /* "q/config.json" for a one-letter dir too */
    if ((ret = open_state_dir(s, lock)) < 0 || (lock && (ret = take_lock(s, wait_ms)) < 0)) {
        snprintf(err, errlen, "%s", s->errbuf);
        scb_store_free(&s);
        return ret;
    }
    *out = s;
    return SCB_OK;
}

int scb_store_open(const char *dir, unsigned wait_ms, struct scb_store **out, char *err,
                   size_t errlen)
{
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if (dir == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return open_dir(dir, out, 1, wait_ms, err, errlen);
}

int scb_store_open_readonly(const char *dir, struct scb_store **out, char *err, size_t errlen)
{
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if (dir == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return open_dir(dir, out, 0, 0, err, errlen);
}

int scb_store_new_custom(const struct scb_store_ops *ops, void *ctx, struct scb_store **out,
                         char *err, size_t errlen)
{
    struct scb_store *s;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if (ops == NULL || ops->load == NULL || ops->commit == NULL) {
        if (err) {
            snprintf(err, errlen, "a custom store needs load and commit operations");
        }
        return SCB_E_INVALID_ARG;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        if (err) {
            snprintf(err, errlen, "out of memory");
        }
        return SCB_E_NOMEM;
    }
    s->lock_fd = -1;
    s->dir_fd = -1;
    s->custom = 1;
    s->ops = *ops;
    s->ops_ctx = ctx;
    *out = s;
    return SCB_OK;
}

/* The observer's last state goes (zeroized: it holds keys). */
static void forget_observed(struct scb_store *s)
{
    if (s->observed != NULL) {
        scb_committed_free(s->observed);
        free(s->observed);
        s->observed = NULL;
    }
}

void scb_store_free(struct scb_store **s)
{
    if (s == NULL || *s == NULL || (*s)->busy) {
        return; /* inside its own commit or load: the call below still uses it */
    }
    if ((*s)->lock_fd >= 0) {
        close((*s)->lock_fd); /* releases the flock */
    }
    if ((*s)->dir_fd >= 0) {
        close((*s)->dir_fd);
    }
    forget_observed(*s);
    if ((*s)->custom && (*s)->ops.close != NULL) {
        (*s)->ops.close((*s)->ops_ctx);
    }
    free(*s);
    *s = NULL;
}

void scb_store_set_hook(struct scb_store *s, scb_commit_hook hook, void *ctx)
{
    s->hook = hook;
    s->hook_ctx = ctx;
}

int scb_store_set_observer(struct scb_store *s, scb_store_observer fn, void *ctx)
{
    if (s == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (s->busy) {
        return SCB_E_BUSY; /* the running commit is still telling the observer */
    }
    s->observer = fn;
    s->observer_ctx = fn ? ctx : NULL;
    forget_observed(s); /* a new observer starts from the file */
    return SCB_OK;
}

const char *scb_store_path(const struct scb_store *s)
{
    return s->path;
}


/* The checks the open store file passes before it is read: a regular file of ours, within
 * STORE_MAX. *size: its size. */
static int store_fd_ok(struct scb_store *s, int fd, size_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return sfail(s, SCB_E_IO, "cannot read %s: %s", s->path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return sfail(s, SCB_E_PARSE, "damaged store: %s: not a regular file", s->path);
    }
    if (st.st_uid != geteuid()) {
        return sfail(s, SCB_E_UNSAFE, "store file %s belongs to uid %u, not to uid %u: refused",
                     s->path, (unsigned)st.st_uid, (unsigned)geteuid());
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > STORE_MAX) {
        return sfail(s, SCB_E_PARSE, "damaged store: %s: larger than %u bytes", s->path,
                     STORE_MAX);
    }
    *size = (size_t)st.st_size;
    return SCB_OK;
}

/* Read all of fd, which fstat said holds size bytes, into a new *buf; a file that changes
 * while read is damaged. On failure nothing is left allocated (and what was read, wiped). */
static int store_fd_read(struct scb_store *s, int fd, size_t size, uint8_t **buf, size_t *n)
{
    size_t cap = size + 1; /* one more: a file that grew is seen */
    int ret = SCB_OK;
    *n = 0;
    if ((*buf = malloc(cap)) == NULL) {
        return SCB_E_NOMEM;
    }
    for (;;) {
        ssize_t r = read(fd, *buf + *n, cap - *n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            ret = sfail(s, SCB_E_IO, "cannot read %s: %s", s->path, strerror(errno));
            break;
        }
        if (r == 0) {
            break;
        }
        *n += (size_t)r;
        if (*n == cap) {
            ret = sfail(s, SCB_E_PARSE, "damaged store: %s: changed while read", s->path);
            break;
        }
    }
    if (ret < 0) {
        scb_util_zeroize(*buf, *n); /* keys were in the text */
        free(*buf);
        *buf = NULL;
    }
    return ret;
}

/* The store file's bytes (NULL, 0 when there is none). Never through a link. */
static int read_store(struct scb_store *s, uint8_t **data, size_t *len)
{
    uint8_t *buf = NULL;
    size_t size = 0, n = 0;
    int ret, fd = openat(s->dir_fd, STORE_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    *data = NULL;
    *len = 0;
    if (fd < 0) {
        if (errno == ENOENT) {
            return SCB_OK;
        }
        if (errno == ELOOP) {
            return sfail(s, SCB_E_UNSAFE, "store file %s is a symbolic link: refused", s->path);
        }
        return sfail(s, SCB_E_IO, "cannot read %s: %s", s->path, strerror(errno));
    }
    if ((ret = store_fd_ok(s, fd, &size)) == SCB_OK) {
        ret = store_fd_read(s, fd, size, &buf, &n);
    }
    close(fd);
    if (ret < 0) {
        return ret;
    }
    *data = buf;
    *len = n;
    return SCB_OK;
}

/*
 * What a custom store's operation returned, as the library's answer: SCB_OK only for SCB_OK;
 * an error code the library knows as it is; anything else (a positive value, a negative one
 * that is no scb_err) SCB_E_IO, so that it neither counts as success nor reaches the caller
 * as an unknown code.
 */
static int ops_result(int ret)
{
    if (ret == SCB_OK) {
        return SCB_OK;
    }
    return ret < 0 && strcmp(scb_error_name(ret), "SCB_E_UNKNOWN") != 0 ? ret : SCB_E_IO;
}

/* A custom or memory store's load: out is empty again when the operations fail. A generation
 * that leaves no room for another commit is refused: it would wrap to 0, "nothing committed". */
static int load_custom(struct scb_store *s, struct scb_committed *out, char *err, size_t errlen)
{
    char why[sizeof(s->errbuf)] = "";
    int busy = s->busy;
    scb_committed_init(out);
    s->busy = s->in_ops = 1;
    int raw = s->ops.load(s->ops_ctx, out, why, sizeof(why));
    s->in_ops = 0;
    s->busy = busy;
    int ret = ops_result(raw);
    if (ret == SCB_OK && out->generation == UINT64_MAX) {
        ret = SCB_E_PARSE;
        snprintf(why, sizeof(why), "custom store: generation %llu leaves no room for a commit",
                 (unsigned long long)out->generation);
    } else if (ret < 0 && ret != raw && why[0] == '\0') {
        snprintf(why, sizeof(why), "custom store: load returned %d, not an scboot error code",
                 raw);
    }
    if (ret < 0) {
        scb_committed_free(out);
        sfail(s, ret, "%s", why[0] ? why : scb_error_string(ret));
        if (err) {
            snprintf(err, errlen, "%s", s->errbuf);
        }
        return ret;
    }
    return SCB_OK;
}

int scb_store_load(struct scb_store *s, struct scb_committed *out, char *err, size_t errlen)
{
    if (s == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    uint8_t *data;
    size_t len;
    char why[240] = "";
    int ret;

    if (s->in_ops) {
        if (err && errlen) { /* s->errbuf is the running operation's */
            snprintf(err, errlen, "store load from inside the store's own operation: refused");
        }
        return SCB_E_BUSY;
    }
    s->errbuf[0] = '\0';
    if (s->custom) {
        return load_custom(s, out, err, errlen);
    }
    if ((ret = read_store(s, &data, &len)) < 0) {
        if (err) {
            snprintf(err, errlen, "%s", s->errbuf);
        }
        return ret;
    }
    if (data == NULL) {
        scb_committed_init(out); /* nothing committed yet */
        return SCB_OK;
    }
    ret = scb_store_parse(data, len, out, why, sizeof(why));
    scb_util_zeroize(data, len); /* keys were in the text */
    free(data);
    if (ret < 0) {
        /* a later release's store is not damaged: say so, and fail as for a damaged one */
        sfail(s, SCB_E_PARSE, "%s: %s: %s", ret == SCB_E_UNSUPPORTED ? "store" : "damaged store",
              s->path, ret == SCB_E_NOMEM ? "out of memory" : why);
        ret = ret == SCB_E_UNSUPPORTED ? SCB_E_PARSE : ret;
        if (err) {
            snprintf(err, errlen, "%s", s->errbuf);
        }
    }
    return ret;
}

/* ---- the commit observer ---------------------------------------------------------------- */

/*
 * The state the observer compares a commit with: what it was last told, or, before its first
 * commit, what the store file holds (empty when it cannot be read: a damaged file is no reason
 * to refuse a commit that replaces it). Not the file itself at every commit: a commit that
 * failed after its rename left the new file, and the observer must still hear of it.
 */
static void observe_before(struct scb_store *s)
{
    if (s->observed != NULL || (s->observed = malloc(sizeof(*s->observed))) == NULL) {
        return;
    }
    scb_committed_init(s->observed);
    if (scb_store_load(s, s->observed, NULL, 0) < 0) {
        scb_committed_init(s->observed); /* a failed load leaves it as it was */
    }
    s->errbuf[0] = '\0'; /* the commit reports its own failures only */
}

/* Provenance bits (as `to` records them) of the instances of `to` that `from` lacks and,
 * unless missing_only, of those whose content or provenance differs. Called with the two
 * states swapped and missing_only set, it gives the removed instances' provenances. */
static unsigned prov_changes(const struct scb_committed *from, const struct scb_committed *to,
                             int missing_only)
{
    unsigned m = 0;
    for (size_t o = 0; o < to->cfg.n; o++) {
        const struct scb_object *ot = &to->cfg.o[o];
        const struct scb_object *of = scb_config_object(&from->cfg, ot->id);
        for (size_t k = 0; k < ot->n; k++) {
            uint16_t iid = ot->i[k].id;
            const struct scb_instance *inf = scb_object_instance(of, iid);
            enum scb_source p = scb_committed_prov(to, ot->id, iid);
            if (inf == NULL ||
                (!missing_only && (!scb_instance_equal(ot->id, inf, &ot->i[k]) ||
                                   scb_committed_prov(from, ot->id, iid) != p))) {
                m |= 1u << p;
            }
        }
    }
    return m;
}

/* The observer's "before" belongs to this call until the observer returned, whatever the
 * observer does meanwhile. */
static void notify_observer(struct scb_store *s, const struct scb_committed *after)
{
    struct scb_committed empty;
    struct scb_committed *held = s->observed;
    const struct scb_committed *before = held;
    s->observed = NULL;
    if (before == NULL) { /* out of memory for it: the file's state cannot be kept either */
        scb_committed_init(&empty);
        before = &empty;
    }
    struct scb_commit_event ev = {.before = before,
                                  .after = after,
                                  .provenances = prov_changes(before, after, 0) |
                                                 prov_changes(after, before, 1)};
    s->observer(s->observer_ctx, &ev);
    if (held != NULL) {
        scb_committed_free(held); /* zeroized: it holds keys */
        free(held);
    }
    forget_observed(s);
    if ((s->observed = malloc(sizeof(*s->observed))) != NULL &&
        scb_committed_copy(s->observed, after) < 0) {
        free(s->observed); /* the next commit reads the file instead */
        s->observed = NULL;
    }
}

static int step(struct scb_store *s, enum scb_commit_step st)
{
    return s->hook ? s->hook(s->hook_ctx, st) : SCB_OK;
}

/* Neither the store file nor the temporary file may be a link; a stale temporary goes. */
static int prepare_commit(struct scb_store *s)
{
    struct stat st;
    if (fstatat(s->dir_fd, STORE_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
        return sfail(s, SCB_E_UNSAFE, "store file %s is %s: refused", s->path,
                     S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
    }
    if (fstatat(s->dir_fd, STORE_TMP, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
            return sfail(s, SCB_E_UNSAFE, "temporary file %s.tmp is a symbolic link: refused",
                         s->path);
        }
        if (!S_ISREG(st.st_mode)) {
            return sfail(s, SCB_E_IO, "cannot create %s.tmp: something else is in its place",
                         s->path);
        }
        if (unlinkat(s->dir_fd, STORE_TMP, 0) != 0) {
            return sfail(s, SCB_E_IO, "cannot remove the stale %s.tmp: %s", s->path,
                         strerror(errno));
        }
    }
    return SCB_OK;
}

static int same_card(const struct scb_fingerprint *a, const struct scb_fingerprint *b)
{
    if (a->valid != b->valid) {
        return 0;
    }
    return !a->valid ||
           (strcmp(a->iccid, b->iccid) == 0 && memcmp(a->sha256, b->sha256, 32) == 0 &&
            strcmp(a->reader, b->reader) == 0 && a->aid_len == b->aid_len &&
            memcmp(a->aid, b->aid, a->aid_len) == 0 && a->path.len == b->path.len &&
            memcmp(a->path.path, b->path.path, a->path.len) == 0);
}

/*
 * The text about to be written reads back as exactly c. json-c's serializer does not stop at
 * a failed allocation (a part of the text is left out, quotes and all may remain), so a text
 * built under memory pressure is checked before it may replace the store: SCB_OK, or
 * SCB_E_NOMEM when it does not read back (or there is no memory to check it).
 */
static int text_reads_back(const struct scb_committed *c, const char *text, size_t len)
{
    struct scb_committed t;
    char why[64];
    int ret = scb_store_parse((const uint8_t *)text, len, &t, why, sizeof(why));
    if (ret < 0) {
        return SCB_E_NOMEM;
    }
    int same = t.generation == c->generation && strcmp(t.committed_at, c->committed_at) == 0 &&
               t.nprov == c->nprov && scb_config_equal(&t.cfg, &c->cfg) &&
               same_card(&t.card, &c->card);
    for (size_t k = 0; same && k < c->nprov; k++) {
        same = scb_committed_prov(&t, c->prov[k].oid, c->prov[k].iid) == c->prov[k].prov;
    }
    scb_committed_free(&t);
    return same ? SCB_OK : SCB_E_NOMEM;
}

/* The next generation and the commit time, set on c before it is written. */
static void stamp(struct scb_committed *c)
{
    time_t now = time(NULL);
    struct tm tm;
    c->generation++;
    gmtime_r(&now, &tm);
    strftime(c->committed_at, sizeof(c->committed_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * A custom or memory store's commit: the same generation, time and observer as the file's;
 * the operations' own commit is what makes it durable and atomic. A failure leaves c as it
 * came (generation and time) and the observer is not called.
 */
static int commit_custom(struct scb_store *s, struct scb_committed *c)
{
    struct scb_committed was = *c; /* only generation and committed_at are restored from it */
    char why[sizeof(s->errbuf)] = "";
    int ret;

    if (s->observer != NULL) {
        observe_before(s);
    }
    stamp(c);
    if ((ret = step(s, SCB_STEP_WRITE)) >= 0) {
        s->in_ops = 1;
        int raw = s->ops.commit(s->ops_ctx, c, why, sizeof(why));
        s->in_ops = 0;
        if ((ret = ops_result(raw)) != raw && why[0] == '\0') {
            snprintf(why, sizeof(why), "custom store: commit returned %d, not SCB_OK or an "
                     "scboot error code", raw);
        }
    }
    if (ret < 0) {
        c->generation = was.generation;
        memcpy(c->committed_at, was.committed_at, sizeof(c->committed_at));
        return sfail(s, ret, "%s", why[0] ? why : scb_error_string(ret));
    }
    if (s->observer != NULL) {
        notify_observer(s, c);
    }
    return SCB_OK;
}

static int commit_locked(struct scb_store *s, struct scb_committed *c);

int scb_store_commit(struct scb_store *s, struct scb_committed *c, char *err, size_t errlen)
{
    if (err && errlen) {
        err[0] = '\0';
    }
    if (s == NULL || c == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (s->busy) {
        if (err && errlen) { /* s->errbuf is the running commit's */
            snprintf(err, errlen, "store commit from inside the store's own commit, load or "
                     "observer call: refused");
        }
        return SCB_E_BUSY;
    }
    /* the next generation must load again: a custom store's load refuses UINT64_MAX, and the
     * store file's parser INT64_MAX (it is a JSON integer there) */
    if (c->generation >= (s->custom ? UINT64_MAX : (uint64_t)INT64_MAX) - 1) {
        if (err && errlen) {
            snprintf(err, errlen, "generation %llu leaves no room for a commit",
                     (unsigned long long)c->generation);
        }
        return SCB_E_TOO_LARGE;
    }
    s->busy = 1;
    int ret = commit_locked(s, c);
    s->busy = 0;
    if (ret < 0 && err && errlen) {
        snprintf(err, errlen, "%s", s->errbuf[0] ? s->errbuf : scb_error_string(ret));
    }
    return ret;
}

static int commit_locked(struct scb_store *s, struct scb_committed *c)
{
    int fd = -1, ret, made_tmp = 0;

    s->errbuf[0] = '\0';
    if (s->custom) {
        return commit_custom(s, c);
    }
    if (s->lock_fd < 0) {
        return sfail(s, SCB_E_LOCKED, "%s was opened read-only", s->dir);
    }
    if (s->observer != NULL) {
        observe_before(s);
    }
    char was_at[sizeof(c->committed_at)];
    memcpy(was_at, c->committed_at, sizeof(was_at));
    stamp(c);
    json_object *root = scb_committed_to_json(c, 0);
    const char *text = root == NULL ? NULL
                                    : json_object_to_json_string_ext(
                                          root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = text ? strlen(text) : 0;
    if (text != NULL && (ret = step(s, SCB_STEP_VERIFY)) < 0) {
        goto out;
    }
    if (text == NULL || text_reads_back(c, text, len) < 0) {
        /* out of memory: nothing is written, the old file stays */
        ret = sfail(s, SCB_E_NOMEM, "commit to %s stopped: out of memory", s->dir);
        goto out;
    }
    if ((ret = step(s, SCB_STEP_WRITE)) < 0 || (ret = prepare_commit(s)) < 0) {
        goto out;
    }
    fd = openat(s->dir_fd, STORE_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        ret = sfail(s, SCB_E_IO, "cannot create %s.tmp: %s", s->path, strerror(errno));
        goto out;
    }
    made_tmp = 1;
    /* 0600 whatever the umask */
    if (fchmod(fd, 0600) != 0 || scb_util_write_all(fd, text, len) != 0) {
        ret = sfail(s, SCB_E_IO, "cannot write %s.tmp: %s", s->path, strerror(errno));
        goto out;
    }
    if ((ret = step(s, SCB_STEP_FSYNC_FILE)) < 0) {
        made_tmp = 0; /* a simulated crash leaves it behind */
        goto out;
    }
    if (fsync(fd) != 0) {
        ret = sfail(s, SCB_E_IO, "cannot write %s.tmp: %s", s->path, strerror(errno));
        goto out;
    }
    int cr = close(fd);
    fd = -1;
    if (cr != 0) {
        ret = sfail(s, SCB_E_IO, "cannot write %s.tmp: %s", s->path, strerror(errno));
        goto out;
    }
    if ((ret = step(s, SCB_STEP_RENAME)) < 0) {
        made_tmp = 0;
        goto out;
    }
    if (renameat(s->dir_fd, STORE_TMP, s->dir_fd, STORE_FILE) != 0) {
        ret = sfail(s, SCB_E_IO, "cannot rename %s.tmp to %s: %s", s->path, STORE_FILE,
                    strerror(errno));
        goto out;
    }
    made_tmp = 0;
    if ((ret = step(s, SCB_STEP_FSYNC_DIR)) < 0) {
        goto out;
    }
    if (fsync(s->dir_fd) != 0) {
        ret = sfail(s, SCB_E_IO, "cannot sync state directory %s: %s", s->dir, strerror(errno));
        goto out;
    }
    ret = step(s, SCB_STEP_DONE);
out:
    if (fd >= 0) {
        close(fd);
    }
    if (made_tmp) {
        unlinkat(s->dir_fd, STORE_TMP, 0); /* a full disk gets its space back */
    }
    if (text) {
        scb_util_zeroize((void *)text, len); /* keys were in the text */
    }
    json_object_put(root);
    if (ret < 0) {
        c->generation--;
        memcpy(c->committed_at, was_at, sizeof(was_at));
        if (s->errbuf[0] == '\0') {
            sfail(s, ret, "commit to %s stopped: %s", s->dir, scb_error_string(ret));
        }
    }
    if (s->observer != NULL && ret >= 0) {
        notify_observer(s, c);
    }
    return ret;
}

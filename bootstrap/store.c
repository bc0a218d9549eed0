/*
 * store.c: the committed configuration on disk: JSON with provenance and card fingerprint,
 * written crash-safely (temporary file, fsync, rename, fsync of the directory) under an flock,
 * files 0600 in a 0700 directory. A damaged file is an error, never an empty configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/store.h"
#include "scboot/util.h"

#define STORE_FORMAT "scboot-store-1"
#define STORE_FILE "config.json"
#define STORE_TMP "config.json.tmp"
#define STORE_LOCK "lock"
#define STORE_MAX (4u << 20)

struct scb_store {
    char dir[512];
    char path[600];
    int lock_fd;
    int dir_fd;
    scb_commit_hook hook;
    void *hook_ctx;
};

/* ---- the committed model ----------------------------------------------------------------- */

void scb_committed_init(struct scb_committed *c)
{
    memset(c, 0, sizeof(*c));
    scb_config_init(&c->cfg);
}

void scb_committed_free(struct scb_committed *c)
{
    scb_config_free(&c->cfg);
    free(c->prov);
    memset(c, 0, sizeof(*c));
}

int scb_committed_copy(struct scb_committed *dst, const struct scb_committed *src)
{
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

const char *scb_provenance_name(enum scb_provenance p)
{
    return p == SCB_PROV_CARD ? "card" : p == SCB_PROV_FACTORY ? "factory" : "network";
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

enum scb_provenance scb_committed_prov(const struct scb_committed *c, uint16_t oid, uint16_t iid)
{
    struct scb_prov *p = find_prov(c, oid, iid);
    return p ? p->prov : SCB_PROV_NETWORK;
}

int scb_committed_set_prov(struct scb_committed *c, uint16_t oid, uint16_t iid,
                           enum scb_provenance p)
{
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

void scb_committed_drop(struct scb_committed *c, enum scb_provenance p)
{
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

int scb_committed_merge(struct scb_committed *c, const struct scb_config *cfg,
                        enum scb_provenance p)
{
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
    for (size_t a = 0; a < copy.n; a++) {
        struct scb_object *so = &copy.o[a], *o = scb_config_object(&c->cfg, so->id);
        for (size_t b = 0; b < so->n; b++) {
            struct scb_instance *ni = realloc(o->i, (o->n + 1) * sizeof(*ni));
            if (ni == NULL) {
                scb_config_free(&copy);
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
                scb_config_free(&copy);
                return ret;
            }
        }
        so->n = 0;
    }
    scb_config_free(&copy);
    return SCB_OK;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

struct json_object *scb_committed_to_json(const struct scb_committed *c, int redact)
{
    json_object *root = scb_config_to_json(&c->cfg, !redact), *prov = json_object_new_object();
    char key[16], hex[80];

    json_object_object_add(root, "format", json_object_new_string(STORE_FORMAT));
    json_object_object_add(root, "generation", json_object_new_int64((int64_t)c->generation));
    json_object_object_add(root, "committed_at", json_object_new_string(c->committed_at));
    for (size_t k = 0; k < c->nprov; k++) {
        snprintf(key, sizeof(key), "/%u/%u", c->prov[k].oid, c->prov[k].iid);
        json_object_object_add(prov, key,
                               json_object_new_string(scb_provenance_name(c->prov[k].prov)));
    }
    json_object_object_add(root, "provenance", prov);
    if (c->card.valid) {
        json_object *card = json_object_new_object();
        json_object_object_add(card, "iccid", json_object_new_string(c->card.iccid));
        scb_hex_encode(c->card.sha256, 32, hex, sizeof(hex));
        json_object_object_add(card, "sha256", json_object_new_string(hex));
        json_object_object_add(card, "reader", json_object_new_string(c->card.reader));
        scb_hex_encode(c->card.aid, c->card.aid_len, hex, sizeof(hex));
        json_object_object_add(card, "aid", json_object_new_string(hex));
        scb_hex_encode(c->card.path.path, c->card.path.len, hex, sizeof(hex));
        json_object_object_add(card, "path", json_object_new_string(hex));
        json_object_object_add(root, "card", card);
    } else {
        json_object_object_add(root, "card", NULL);
    }
    return root;
}

static int jfail(char *err, size_t errlen, const char *what)
{
    if (err) {
        snprintf(err, errlen, "%s", what);
    }
    return SCB_E_PARSE;
}

static int hex_field(json_object *o, const char *key, uint8_t *out, size_t cap, size_t *len)
{
    json_object *v;
    size_t n;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string) ||
        scb_hex_decode(json_object_get_string(v), out, cap, &n) < 0) {
        return SCB_E_PARSE;
    }
    if (len) {
        *len = n;
    }
    return SCB_OK;
}

int scb_committed_from_json(struct json_object *root, struct scb_committed *c, char *err,
                            size_t errlen)
{
    json_object *v, *prov, *card;
    struct scb_committed t;
    int ret;

    if (!json_object_object_get_ex(root, "format", &v) ||
        strcmp(json_object_get_string(v), STORE_FORMAT) != 0) {
        return jfail(err, errlen, "not an scboot store file (format " STORE_FORMAT ")");
    }
    scb_committed_init(&t);
    if ((ret = scb_config_from_json(root, &t.cfg, err, errlen)) < 0) {
        scb_committed_free(&t);
        return SCB_E_PARSE;
    }
    if (json_object_object_get_ex(root, "generation", &v)) {
        t.generation = (uint64_t)json_object_get_int64(v);
    }
    if (json_object_object_get_ex(root, "committed_at", &v)) {
        snprintf(t.committed_at, sizeof(t.committed_at), "%s", json_object_get_string(v));
    }
    if (!json_object_object_get_ex(root, "provenance", &prov) ||
        !json_object_is_type(prov, json_type_object)) {
        scb_committed_free(&t);
        return jfail(err, errlen, "store file without provenance");
    }
    json_object_object_foreach(prov, key, pv)
    {
        unsigned oid, iid;
        const char *p = json_object_get_string(pv);
        enum scb_provenance pr;
        if (sscanf(key, "/%u/%u", &oid, &iid) != 2 || oid > 65535 || iid > 65535 || p == NULL) {
            scb_committed_free(&t);
            return jfail(err, errlen, "bad provenance entry");
        }
        pr = strcmp(p, "card") == 0      ? SCB_PROV_CARD
             : strcmp(p, "factory") == 0 ? SCB_PROV_FACTORY
                                         : SCB_PROV_NETWORK;
        if (scb_committed_set_prov(&t, (uint16_t)oid, (uint16_t)iid, pr) < 0) {
            scb_committed_free(&t);
            return SCB_E_NOMEM;
        }
    }
    if (json_object_object_get_ex(root, "card", &card) && card != NULL) {
        size_t n;
        json_object *s;
        if (!json_object_object_get_ex(card, "iccid", &s) ||
            hex_field(card, "sha256", t.card.sha256, 32, &n) < 0 || n != 32 ||
            hex_field(card, "aid", t.card.aid, sizeof(t.card.aid), &t.card.aid_len) < 0 ||
            hex_field(card, "path", t.card.path.path, sizeof(t.card.path.path), &t.card.path.len) <
                0) {
            scb_committed_free(&t);
            return jfail(err, errlen, "bad card fingerprint in the store file");
        }
        snprintf(t.card.iccid, sizeof(t.card.iccid), "%s", json_object_get_string(s));
        if (json_object_object_get_ex(card, "reader", &s)) {
            snprintf(t.card.reader, sizeof(t.card.reader), "%s", json_object_get_string(s));
        }
        t.card.valid = 1;
    }
    *c = t;
    return SCB_OK;
}

/* ---- the directory ------------------------------------------------------------------------ */

static int open_dir(const char *dir, struct scb_store **out, int lock, unsigned wait_ms,
                    char *err, size_t errlen)
{
    struct scb_store *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return SCB_E_NOMEM;
    }
    s->lock_fd = -1;
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    snprintf(s->path, sizeof(s->path), "%s/%s", dir, STORE_FILE);
    if (lock && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create state directory %s: %s", dir, strerror(errno));
        free(s);
        return SCB_E_IO;
    }
    if ((s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "cannot open state directory %s: %s", dir, strerror(errno));
        free(s);
        return errno == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
    }
    if (lock) {
        fchmod(s->dir_fd, 0700);
        char lp[600];
        snprintf(lp, sizeof(lp), "%s/%s", dir, STORE_LOCK);
        s->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (s->lock_fd < 0) {
            snprintf(err, errlen, "cannot open %s: %s", lp, strerror(errno));
            scb_store_close(&s);
            return SCB_E_IO;
        }
        for (unsigned waited = 0;; waited += 50) {
            if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0) {
                break;
            }
            if (errno != EWOULDBLOCK || waited >= wait_ms) {
                snprintf(err, errlen, "state directory %s is locked by another scboot process",
                         dir);
                scb_store_close(&s);
                return SCB_E_LOCKED;
            }
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    *out = s;
    return SCB_OK;
}

int scb_store_open(const char *dir, unsigned wait_ms, struct scb_store **out, char *err,
                   size_t errlen)
{
    return open_dir(dir, out, 1, wait_ms, err, errlen);
}

int scb_store_open_readonly(const char *dir, struct scb_store **out, char *err, size_t errlen)
{
    return open_dir(dir, out, 0, 0, err, errlen);
}

void scb_store_close(struct scb_store **s)
{
    if (s == NULL || *s == NULL) {
        return;
    }
    if ((*s)->lock_fd >= 0) {
        close((*s)->lock_fd); /* releases the flock */
    }
    if ((*s)->dir_fd >= 0) {
        close((*s)->dir_fd);
    }
    free(*s);
    *s = NULL;
}

void scb_store_set_hook(struct scb_store *s, scb_commit_hook hook, void *ctx)
{
    s->hook = hook;
    s->hook_ctx = ctx;
}

const char *scb_store_path(const struct scb_store *s)
{
    return s->path;
}

int scb_store_load(struct scb_store *s, struct scb_committed *out, char *err, size_t errlen)
{
    uint8_t *data;
    size_t len;
    int ret = scb_read_file(s->path, STORE_MAX, &data, &len);

    if (ret == SCB_E_NOT_FOUND) {
        scb_committed_init(out); /* nothing committed yet */
        return SCB_OK;
    }
    if (ret < 0) {
        snprintf(err, errlen, "%s: %s", s->path, scb_strerror(ret));
        return ret;
    }
    struct json_tokener *tok = json_tokener_new();
    json_object *root = json_tokener_parse_ex(tok, (const char *)data, (int)len);
    int ok = root && json_tokener_get_error(tok) == json_tokener_success &&
             json_object_is_type(root, json_type_object);
    json_tokener_free(tok);
    mbedtls_platform_zeroize(data, len);
    free(data);
    if (!ok) {
        json_object_put(root);
        snprintf(err, errlen, "%s: damaged (not valid JSON)", s->path);
        return SCB_E_PARSE;
    }
    char why[200] = "";
    ret = scb_committed_from_json(root, out, why, sizeof(why));
    json_object_put(root);
    if (ret < 0) {
        snprintf(err, errlen, "%s: %s", s->path, why);
    }
    return ret;
}

static int step(struct scb_store *s, enum scb_commit_step st)
{
    return s->hook ? s->hook(s->hook_ctx, st) : SCB_OK;
}

int scb_store_commit(struct scb_store *s, struct scb_committed *c)
{
    char tmp[640];
    time_t now = time(NULL);
    struct tm tm;
    int fd = -1, ret = SCB_E_IO, created = 0, saved_errno;

    if (s->lock_fd < 0) {
        return SCB_E_LOCKED; /* opened read-only */
    }
    c->generation++;
    gmtime_r(&now, &tm);
    strftime(c->committed_at, sizeof(c->committed_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object *root = scb_committed_to_json(c, 0);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_SPACED |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = strlen(text);
    snprintf(tmp, sizeof(tmp), "%s/%s", s->dir, STORE_TMP);
    if ((ret = step(s, SCB_STEP_WRITE)) < 0) {
        goto out;
    }
    ret = SCB_E_IO;
    unlink(tmp);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        goto out;
    }
    created = 1;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            goto out;
        }
        off += (size_t)w;
    }
    if ((ret = step(s, SCB_STEP_FSYNC_FILE)) < 0) {
        goto out;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        ret = SCB_E_IO;
        goto out;
    }
    fd = -1;
    if ((ret = step(s, SCB_STEP_RENAME)) < 0) {
        goto out;
    }
    if (rename(tmp, s->path) != 0) {
        ret = SCB_E_IO;
        goto out;
    }
    created = 0; /* it is the store now */
    if ((ret = step(s, SCB_STEP_FSYNC_DIR)) < 0) {
        goto out;
    }
    if (fsync(s->dir_fd) != 0) {
        ret = SCB_E_IO;
        goto out;
    }
    ret = step(s, SCB_STEP_DONE);
out:
    saved_errno = errno; /* the failed step's reason, for the caller's message */
    if (fd >= 0) {
        close(fd);
    }
    if (ret < 0 && created) {
        unlink(tmp); /* no half-written temp file left behind */
    }
    mbedtls_platform_zeroize((void *)text, len); /* keys were in the text */
    json_object_put(root);
    if (ret < 0) {
        c->generation--;
    }
    errno = saved_errno;
    return ret;
}

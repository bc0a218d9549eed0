/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c: hex text, SHA-256 for fingerprints and redaction, zeroize, bounded file reads.
 * Hashing and zeroize go through the crypto seam (crypto.h); no mbedTLS call here.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logf.h"
#include "crypto.h"
#include "scboot/error.h"
#include "scboot/util.h"

/* what scb_util_read_file() allocates first for a pipe or a file of unknown size (doubled as it
 * fills): a page */
#define READ_CHUNK 4096u

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int scb_util_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;
    int hi = -1;

    if (hex == NULL || len == NULL || (cap > 0 && out == NULL)) {
        return SCB_E_INVALID_ARG;
    }
    for (const char *p = hex; *p; p++) {
        if (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t' || *p == '\r') {
            continue;
        }
        int v = hexval(*p);
        if (v < 0) {
            return SCB_E_PARSE;
        }
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= cap) {
            return SCB_E_BUFFER;
        }
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    if (hi >= 0) {
        return SCB_E_PARSE; /* odd number of digits */
    }
    *len = n;
    return SCB_OK;
}

void scb_util_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    if (out == NULL || cap == 0) {
        return;
    }
    if (in == NULL) {
        len = 0;
    }
    static const char digits[] = "0123456789ABCDEF";
    size_t n = 0;

    if (out == NULL || cap == 0) {
        return;
    }
    for (size_t i = 0; i < len && n + 2 < cap; i++) {
        out[n++] = digits[in[i] >> 4];
        out[n++] = digits[in[i] & 0x0F];
    }
    out[n] = '\0';
}

int scb_util_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    if (out == NULL || (data == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    return scb_crypto_sha256(data, len, out);
}

void scb_util_zeroize(void *buf, size_t len)
{
    scb_crypto_zeroize(buf, len);
}

int scb_util_sha256_prefix(const uint8_t *data, size_t len, char *out, size_t cap)
{
    uint8_t h[32];
    int ret;

    if (out == NULL || cap < 9) {
        return SCB_E_BUFFER;
    }
    if ((ret = scb_util_sha256(data, len, h)) < 0) {
        return ret;
    }
    scb_util_hex_encode(h, 4, out, cap);
    for (char *p = out; *p; p++) {
        if (*p >= 'A' && *p <= 'F') {
            *p = (char)(*p - 'A' + 'a');
        }
    }
    return SCB_OK;
}

int scb_util_read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
    FILE *f;
    uint8_t *buf;
    size_t n = 0, cap = READ_CHUNK;
    struct stat st;

    if (path == NULL || data == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (size_t)st.st_size < max) {
        cap = (size_t)st.st_size + 1; /* one read of the right size, EOF seen on the next */
    }
    buf = malloc(cap);
    if (buf == NULL) {
        goto nomem;
    }
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                goto nomem;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            break;
        }
        if (n > max) {
            break;
        }
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        if (f != stdin) {
            fclose(f);
        }
        errno = e; /* the caller says why */
        return SCB_E_IO;
    }
    if (f != stdin) {
        fclose(f);
    }
    if (n > max) {
        free(buf);
        return SCB_E_TOO_LARGE;
    }
    if (n < cap) {
        uint8_t *shrunk = realloc(buf, n ? n : 1); /* hand back what the file needs only */
        if (shrunk) {
            buf = shrunk;
        }
    }
    *data = buf;
    *len = n;
    return SCB_OK;
nomem:
    free(buf);
    if (f != stdin) {
        fclose(f);
    }
    return SCB_E_NOMEM;
}

int scb_util_read_text(const char *path, size_t max, char **text, size_t *len)
{
    uint8_t *data;
    size_t n;
    int ret = scb_util_read_file(path, max, &data, &n);
    if (ret < 0) {
        return ret;
    }
    char *t = realloc(data, n + 1);
    if (t == NULL) {
        scb_util_zeroize(data, n);
        free(data);
        return SCB_E_NOMEM;
    }
    t[n] = '\0';
    *text = t;
    *len = n;
    return SCB_OK;
}

/* ---- files that may hold secrets ----------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int wfail(char *err, size_t errlen, const char *fmt,
                                                       ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return SCB_E_IO;
}

int scb_util_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *d = buf;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, d + off, len - off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return SCB_E_IO;
        }
        off += (size_t)w;
    }
    return SCB_OK;
}

/* The directory of path and a mkstemp template beside the file ("DIR/.BASE.XXXXXX"). */
static int secret_names(const char *path, char *dir, size_t dircap, char *tmp, size_t tmpcap,
                        char *err, size_t errlen)
{
    const char *slash, *base;

    if (path == NULL || *path == '\0') {
        return wfail(err, errlen, "no file name");
    }
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        return wfail(err, errlen, "cannot write %s: not a file name", path);
    }
    if (slash == NULL) {
        snprintf(dir, dircap, ".");
    } else if (slash == path) {
        snprintf(dir, dircap, "/");
    } else if ((size_t)(slash - path) < dircap) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    } else {
        return wfail(err, errlen, "cannot write %.100s...: name too long", path);
    }
    /* the temporary name is at most 1 + 200 + 7 bytes: a target name up to NAME_MAX (255)
     * must not make it too long */
    if (snprintf(tmp, tmpcap, "%s/.%.200s.XXXXXX", dir, base) >= (int)tmpcap) {
        return wfail(err, errlen, "cannot write %.100s...: name too long", path);
    }
    return SCB_OK;
}

/*
 * What is at path decides: nothing or a regular file -> 0 (replace it by a new file); a
 * character device or a pipe of root or of ours (/dev/null, a FIFO we made) -> 1 and *fd open
 * on it, written as it is; a symbolic link, a pipe of another user or anything else -> refused,
 * never followed nor replaced. A pipe is anyone's to make where they may write (a FIFO planted
 * in /tmp under the name we were given would hand its maker every byte), and the name may be
 * swapped between the look and the open: what was opened must be what was looked at.
 */
static int secret_target(const char *path, int *fd, char *err, size_t errlen)
{
    struct stat st, ost;

    *fd = -1;
    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode)) {
        return 0;
    }
    if (S_ISFIFO(st.st_mode) && st.st_uid != 0 && st.st_uid != geteuid()) {
        return wfail(err, errlen,
                     "cannot write %s: a pipe of uid %u (refused: its maker would read what "
                     "is written)",
                     path, (unsigned)st.st_uid);
    }
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        if ((*fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)) < 0) {
            return wfail(err, errlen, "cannot write %s: %s", path, strerror(errno));
        }
        if (fstat(*fd, &ost) != 0 || ost.st_dev != st.st_dev || ost.st_ino != st.st_ino ||
            (ost.st_mode & S_IFMT) != (st.st_mode & S_IFMT) || ost.st_uid != st.st_uid) {
            close(*fd);
            *fd = -1;
            return wfail(err, errlen, "cannot write %s: replaced while being opened (refused)",
                         path);
        }
        return 1;
    }
    return wfail(err, errlen, "cannot write %s: %s", path,
                 S_ISLNK(st.st_mode) ? "a symbolic link (refused: give the real path)"
                                     : "not a regular file");
}

int scb_util_write_file_secret(const char *path, const uint8_t *data, size_t len, char *err,
                               size_t errlen)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 16];
    int fd, dfd, e, ret;

    if (len > 0 && data == NULL) {
        return wfail(err, errlen, "no data");
    }
    if ((ret = secret_names(path, dir, sizeof(dir), tmp, sizeof(tmp), err, errlen)) < 0 ||
        (ret = secret_target(path, &fd, err, errlen)) < 0) {
        return ret;
    }
    if (ret == 1) { /* a device or a pipe */
        int r = scb_util_write_all(fd, data, len);
        e = errno;
        if (close(fd) != 0 && r == 0) {
            r = -1;
            e = errno;
        }
        return r == 0 ? SCB_OK : wfail(err, errlen, "cannot write %s: %s", path, strerror(e));
    }
    if ((fd = mkstemp(tmp)) < 0) { /* O_CREAT | O_EXCL: never through a link */
        return wfail(err, errlen, "cannot write %s: %s", path, strerror(errno));
    }
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(fd, 0600) != 0 ||
        scb_util_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        return wfail(err, errlen, "cannot write %s: %s", path, strerror(e));
    }
    if (close(fd) != 0) {
        e = errno;
        unlink(tmp);
        return wfail(err, errlen, "cannot write %s: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return wfail(err, errlen, "cannot write %s: %s", path, strerror(e));
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        int r = fsync(dfd);
        e = errno;
        close(dfd);
        if (r != 0 && e != EINVAL) {
            return wfail(err, errlen, "cannot write %s: %s", path, strerror(e));
        }
    }
    return SCB_OK;
}

int scb_util_open_file_secret(const char *path, int *fd_out, char *err, size_t errlen)
{
    if (path == NULL || fd_out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    char dir[PATH_MAX], tmp[PATH_MAX + 16];
    int fd, e, ret;

    /* the same rules as scb_util_write_file_secret: a new 0600 file of ours replaces a regular one
     * (never truncated in place: a link would be followed, a file of another owner kept as
     * theirs); it is renamed into place at once and written as the trace goes */
    if ((ret = secret_names(path, dir, sizeof(dir), tmp, sizeof(tmp), err, errlen)) < 0 ||
        (ret = secret_target(path, &fd, err, errlen)) < 0) {
        return ret;
    }
    if (ret == 0) {
        if ((fd = mkstemp(tmp)) < 0) {
            return wfail(err, errlen, "cannot write %s: %s", path, strerror(errno));
        }
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(fd, 0600) != 0 ||
            rename(tmp, path) != 0) {
            e = errno;
            close(fd);
            unlink(tmp);
            return wfail(err, errlen, "cannot write %s: %s", path, strerror(e));
        }
    }
    *fd_out = fd;
    return SCB_OK;
}

/* A directory a trusted file may be reached through: owned by root or by us, and not writable
 * by group or others, except a root-owned sticky directory such as /tmp (others cannot rename
 * or remove what is ours in it; the file's own owner is checked as well). */
static int dir_stat_ok(const struct stat *st, const char *path, const char *dir, char *err,
                       size_t errlen)
{
    if (st->st_uid != 0 && st->st_uid != geteuid()) {
        wfail(err, errlen,
              "%s: directory %s belongs to uid %u (neither root nor us): the file could be "
              "swapped; keep it in a directory of root or of uid %u",
              path, dir, (unsigned)st->st_uid, (unsigned)geteuid());
        return SCB_E_UNSAFE;
    }
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_uid == 0 && (st->st_mode & S_ISVTX))) {
        wfail(err, errlen,
              "%s: directory %s is writable by group or others (mode %04o): the file could be "
              "swapped; chmod go-w it or move the file",
              path, dir, (unsigned)(st->st_mode & 07777));
        return SCB_E_UNSAFE;
    }
    return SCB_OK;
}

static int secret_dir_ok(int fd, const char *path, const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return wfail(err, errlen, "cannot read %s: %s: %s", path, dir, strerror(errno));
    }
    return dir_stat_ok(&st, path, dir, err, errlen);
}

/* A link on the way is its owner's to remove and make again wherever its directory lets
 * them (a sticky /tmp lets its owner): it must be root's or ours, as a directory would be. */
static int link_owner_ok(const char *path, const char *name, char *err, size_t errlen)
{
    struct stat ls;
    if (lstat(name, &ls) == 0 && S_ISLNK(ls.st_mode) && ls.st_uid != 0 &&
        ls.st_uid != geteuid()) {
        wfail(err, errlen,
              "%s: link %s belongs to uid %u (neither root nor us): it could be pointed "
              "elsewhere; use the path it leads to",
              path, name, (unsigned)ls.st_uid);
        return SCB_E_UNSAFE;
    }
    return SCB_OK;
}

/* A path being resolved: cur the real directory reached so far, rest what is left to walk. */
struct trust_walk {
    char cur[PATH_MAX + 1];
    char *rest; /* malloc'ed; grows by a link's target at each link */
    size_t pos;
    unsigned links;
};

/* rest = target + "/" + what was left after the link (the kernel's order of resolution) */
static int walk_splice(struct trust_walk *w, const char *target)
{
    size_t tl = strlen(target), left = strlen(w->rest + w->pos);
    char *r = malloc(tl + left + 2);
    if (r == NULL) {
        return SCB_E_NOMEM;
    }
    memcpy(r, target, tl);
    r[tl] = '/';
    memcpy(r + tl + 1, w->rest + w->pos, left + 1);
    free(w->rest);
    w->rest = r;
    w->pos = 0;
    if (target[0] == '/') {
        strcpy(w->cur, "/");
    }
    return SCB_OK;
}

/* One link met on the way: root's or ours, then followed (at most 40, as the kernel). */
static int walk_link(struct trust_walk *w, const char *path, const char *name, char *err,
                     size_t errlen)
{
    char target[PATH_MAX + 1];
    ssize_t n;
    int ret;
    if ((ret = link_owner_ok(path, name, err, errlen)) < 0) {
        return ret;
    }
    if (++w->links > 40) {
        return wfail(err, errlen, "%s: %s", path, strerror(ELOOP));
    }
    if ((n = readlink(name, target, sizeof(target) - 1)) < 0) {
        return wfail(err, errlen, "%s: link %s: %s", path, name, strerror(errno));
    }
    target[n] = '\0';
    return walk_splice(w, target);
}

/*
 * Resolve abs (absolute) one name at a time the way the kernel does, checking every directory
 * entered (dir_stat_ok) and every link read (link_owner_ok): through a link's target too, its
 * own links and "..", which the names as given and the real path at the end both miss
 * (/etc/scboot/conf -> /srv/pub/../conf passes through /srv/pub). w->cur ends as the real path
 * of the last name, which is not checked here.
 */
static int walk_trusted(struct trust_walk *w, const char *path, char *err, size_t errlen)
{
    struct stat st;
    int ret;
    strcpy(w->cur, "/");
    if (stat("/", &st) != 0) {
        return wfail(err, errlen, "%s: directory /: %s", path, strerror(errno));
    }
    if ((ret = dir_stat_ok(&st, path, "/", err, errlen)) < 0) {
        return ret;
    }
    for (;;) {
        const char *r = w->rest;
        while (r[w->pos] == '/') {
            w->pos++;
        }
        if (r[w->pos] == '\0') {
            return SCB_OK;
        }
        size_t cl = strcspn(r + w->pos, "/"), cur = strlen(w->cur), after = w->pos + cl;
        const char *c = r + w->pos;
        w->pos = after;
        if (cl == 1 && c[0] == '.') {
            continue;
        }
        if (cl == 2 && c[0] == '.' && c[1] == '.') { /* cur is real: its parent was entered */
            char *slash = strrchr(w->cur, '/');
            slash[slash == w->cur ? 1 : 0] = '\0';
            continue;
        }
        while (r[after] == '/') {
            after++;
        }
        int last = r[after] == '\0';
        char name[PATH_MAX + 1];
        if (cur + 1 + cl > PATH_MAX) {
            return wfail(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
        }
        snprintf(name, sizeof(name), "%s%s%.*s", cur > 1 ? w->cur : "", "/", (int)cl, c);
        if (lstat(name, &st) != 0) {
            int e = errno;
            if (last) {
                wfail(err, errlen, "%s: %s", path, e == ENOENT ? "not found" : strerror(e));
            } else {
                wfail(err, errlen, "%s: directory %s: %s", path, name, strerror(e));
            }
            return e == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
        }
        if (S_ISLNK(st.st_mode)) {
            if ((ret = walk_link(w, path, name, err, errlen)) < 0) {
                return ret;
            }
            continue;
        }
        if (!last && !S_ISDIR(st.st_mode)) {
            return wfail(err, errlen, "%s: %s: %s", path, name, strerror(ENOTDIR));
        }
        if (!last && (ret = dir_stat_ok(&st, path, name, err, errlen)) < 0) {
            return ret;
        }
        strcpy(w->cur, name);
    }
}

int scb_util_path_trusted(const char *path, char *err, size_t errlen)
{
    char cwd[PATH_MAX];
    struct stat st;
    struct trust_walk w;
    int ret;

    if (path == NULL || path[0] == '\0') {
        wfail(err, errlen, "no file name");
        return SCB_E_INVALID_ARG;
    }
    if (path[0] == '/') {
        cwd[0] = '\0';
    } else if (getcwd(cwd, sizeof(cwd)) == NULL) {
        return wfail(err, errlen, "%s: working directory: %s", path, strerror(errno));
    }
    size_t need = strlen(cwd) + strlen(path) + 2;
    memset(&w, 0, sizeof(w));
    if ((w.rest = malloc(need)) == NULL) {
        return SCB_E_NOMEM;
    }
    snprintf(w.rest, need, "%s/%s", cwd, path);
    /* every directory and link the path passes through, then the file itself */
    ret = walk_trusted(&w, path, err, errlen);
    free(w.rest);
    if (ret < 0) {
        return ret;
    }
    if (stat(w.cur, &st) != 0) {
        int e = errno;
        wfail(err, errlen, "%s: %s", path, e == ENOENT ? "not found" : strerror(e));
        return e == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        wfail(err, errlen,
              "%s: writable by others (mode %04o, owner uid %u): chown root: and chmod go-w it",
              path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
        return SCB_E_UNSAFE;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        /* its owner may chmod it at any time, whatever its mode says now */
        wfail(err, errlen,
              "%s: owned by another user (uid %u, mode %04o), who may change it: chown root: it",
              path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        return SCB_E_UNSAFE;
    }
    return SCB_OK;
}

/* Open a secret file by walking its path from / one directory at a time, never through a
 * symbolic link, checking every directory on the way (secret_dir_ok); a relative path is
 * taken from the working directory (getcwd: a real path). The file itself is opened with
 * O_NOFOLLOW relative to the last directory, so nothing can be swapped between the checks. */
static int open_secret_path(const char *path, int *out, char *err, size_t errlen)
{
    size_t plen = strlen(path), cwdlen = 0;
    char *buf, *p, *next;
    int fd = -1, nfd, ret;

    if (plen == 0) {
        return wfail(err, errlen, "no file name");
    }
    if ((buf = malloc(PATH_MAX + plen + 2)) == NULL) {
        return SCB_E_NOMEM;
    }
    if (path[0] != '/') {
        if (getcwd(buf, PATH_MAX) == NULL) {
            ret = wfail(err, errlen, "cannot read %s: working directory: %s", path,
                        strerror(errno));
            goto done;
        }
        cwdlen = strlen(buf);
        buf[cwdlen++] = '/';
    }
    memcpy(buf + cwdlen, path, plen + 1);
    if ((fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        ret = wfail(err, errlen, "cannot read %s: /: %s", path, strerror(errno));
        goto done;
    }
    ret = secret_dir_ok(fd, path, "/", err, errlen);
    p = buf;
    while (ret == SCB_OK) {
        while (*p == '/') {
            p++;
        }
        next = strchr(p, '/');
        if (next == NULL || next[strspn(next, "/")] == '\0') {
            break; /* p is the file's name (a trailing '/' makes the open fail below) */
        }
        *next = '\0';
        nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0) {
            struct stat lst;
            int e = errno;
            if ((e == ELOOP || e == ENOTDIR) &&
                fstatat(fd, p, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode)) {
                wfail(err, errlen, "%s: %s is a symbolic link (refused: give the real path)", path,
                      buf);
                ret = SCB_E_UNSAFE;
            } else {
                ret = wfail(err, errlen, "cannot read %s: %s: %s", path, buf, strerror(e));
            }
            break;
        }
        close(fd);
        fd = nfd;
        ret = secret_dir_ok(fd, path, buf, err, errlen);
        *next = '/';
        p = next;
    }
    if (ret == SCB_OK) {
        /* the file: never through a link, and not blocking on a FIFO */
        if ((nfd = openat(fd, p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
            if (errno == ELOOP) {
                wfail(err, errlen, "%s: a symbolic link (refused: give the real path)", path);
                ret = SCB_E_UNSAFE;
            } else {
                ret = wfail(err, errlen, "cannot read %s: %s", path, strerror(errno));
            }
        } else {
            *out = nfd;
        }
    }
done:
    if (fd >= 0) {
        close(fd);
    }
    free(buf);
    return ret;
}

/* The checks a secret file passes on its open descriptor, where nothing can be swapped in
 * between: a regular file of root's or ours, unreadable by group and others, at most max
 * bytes. */
static int secret_fd_ok(int fd, const char *path, size_t max, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return wfail(err, errlen, "cannot read %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        wfail(err, errlen, "%s: not a regular file", path);
        return SCB_E_UNSAFE;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        wfail(err, errlen, "%s: belongs to uid %u (neither root nor us): chown it", path,
              (unsigned)st.st_uid);
        return SCB_E_UNSAFE;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        wfail(err, errlen, "%s: readable by group or others (mode %03o); chmod 600 it", path,
              (unsigned)(st.st_mode & 0777));
        return SCB_E_UNSAFE;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        wfail(err, errlen, "%s: larger than %zu bytes", path, max);
        return SCB_E_TOO_LARGE;
    }
    return SCB_OK;
}

int scb_util_read_secret_file(const char *path, size_t max, char **text, size_t *len, char *err,
                         size_t errlen)
{
    char *buf = NULL;
    size_t n = 0;
    int fd = -1, ret;

    if (path == NULL || text == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    /* one open through checked directories, then every check on the descriptor: nothing can
     * be swapped in between */
    if ((ret = open_secret_path(path, &fd, err, errlen)) < 0) {
        return ret;
    }
    if ((ret = secret_fd_ok(fd, path, max, err, errlen)) < 0) {
        goto done;
    }
    if ((buf = malloc(max + 1)) == NULL) {
        ret = SCB_E_NOMEM;
        goto done;
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            ret = wfail(err, errlen, "cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
        if (n > max) { /* it grew after the fstat */
            wfail(err, errlen, "%s: larger than %zu bytes", path, max);
            ret = SCB_E_TOO_LARGE;
            goto done;
        }
    }
    buf[n] = '\0';
    *text = buf; /* max + 1 bytes: the caller wipes that many */
    *len = n;
    buf = NULL;
done:
    if (buf != NULL) { /* a failed read may hold part of the secret */
        scb_util_zeroize(buf, max + 1);
        free(buf);
    }
    close(fd);
    return ret;
}

void scb_logf(scb_log_fn fn, void *ctx, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    if (fn == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fn(ctx, line);
}

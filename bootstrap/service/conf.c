/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.c: the daemon's configuration file (scboot/conf.h). One `key = value` per line; blank
 * lines and lines starting with `#` are skipped; the value is the rest of the line with the
 * surrounding blanks removed (no quoting, no inline comments: a `#` inside a hook command is
 * kept). Unknown keys, empty, repeated or invalid values are errors that name FILE:LINE.
 */
#include "scboot/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scboot/endpoint.h"
#include "scboot/error.h"
#include "scboot/util.h"

#include <stdio.h>

#define LINE_MAX_LEN 4096

/* A caller may pass err NULL with any errlen (doc/library.md): format into nothing then. */
#define ERR_BUF_GUARD(err, errlen)                                                             \
    do {                                                                                       \
        if ((err) == NULL) {                                                                   \
            (errlen) = 0;                                                                      \
        }                                                                                      \
    } while (0)

void scb_conf_init(struct scb_conf *c)
{
    if (c == NULL) {
        return;
    }
    memset(c, 0, sizeof(*c));
    c->secure_mode = -1;
    c->scp03_level = -1;
    c->exec_timeout = -1;
    c->no_acl = -1;
    c->listen_unauthenticated = -1;
}

void scb_conf_free(struct scb_conf *c)
{
    if (c == NULL) {
        return;
    }
    char **s[] = {&c->reader, &c->pin_file, &c->scp03_keys, &c->factory, &c->state_dir,
                  &c->exec, &c->profile, &c->endpoint,
                  &c->listen, &c->pin_file_origin, &c->scp03_keys_origin};
    for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
        free(*s[k]);
        *s[k] = NULL;
    }
    scb_conf_init(c);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
                                                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return SCB_E_PARSE;
}

/* A NULL value or result: the caller's error, not the text's */
static int null_arg(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: no value or result", what);
    return SCB_E_INVALID_ARG;
}

int scb_conf_parse_seconds(const char *s, unsigned long min, unsigned long max, unsigned long *out,
                      char *err, size_t errlen)
{
    char *end;
    unsigned long v, mul = 1;
    ERR_BUF_GUARD(err, errlen);
    if (s == NULL || out == NULL) {
        return null_arg(err, errlen, "duration");
    }
    if (*s < '0' || *s > '9') {
        return fail(err, errlen, "'%s': not a number of seconds", s);
    }
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno) {
        return fail(err, errlen, "'%s': out of range (%lu to %lu seconds)", s, min, max);
    }
    if (end[0] && end[1] == '\0') {
        mul = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 0;
    } else if (end[0]) {
        mul = 0;
    }
    if (mul == 0) {
        return fail(err, errlen, "'%s': a number of seconds, optionally with s, m or h", s);
    }
    if (v > max / mul || v * mul < min) {
        return fail(err, errlen, "'%s': out of range (%lu to %lu seconds)", s, min, max);
    }
    *out = v * mul;
    return 0;
}

int scb_conf_parse_verify(const char *s, enum scb_conf_verify *mode, unsigned *every_s, char *err,
                     size_t errlen)
{
    unsigned long v;
    char sub[128];
    ERR_BUF_GUARD(err, errlen);
    if (s == NULL || mode == NULL || every_s == NULL) {
        return null_arg(err, errlen, "verify");
    }
    if (strcmp(s, "on-event") == 0) {
        *mode = SCB_CONF_VERIFY_ON_EVENT;
        *every_s = 0;
        return 0;
    }
    if (strcmp(s, "always") == 0) {
        *mode = SCB_CONF_VERIFY_ALWAYS;
        *every_s = 0;
        return 0;
    }
    if (strncmp(s, "every=", 6) == 0) {
        if (scb_conf_parse_seconds(s + 6, 1, 86400, &v, sub, sizeof(sub)) < 0) {
            return fail(err, errlen, "every=DURATION: %s", sub);
        }
        *mode = SCB_CONF_VERIFY_EVERY;
        *every_s = (unsigned)v;
        return 0;
    }
    return fail(err, errlen, "'%s': must be on-event, always or every=DURATION (e.g. every=10m)",
                s);
}

const char *scb_conf_verify_name(enum scb_conf_verify v)
{
    switch (v) {
    case SCB_CONF_VERIFY_ON_EVENT: return "on-event";
    case SCB_CONF_VERIFY_ALWAYS: return "always";
    case SCB_CONF_VERIFY_EVERY: return "every";
    default: return "unset";
    }
}

int scb_conf_parse_secure_channel(const char *s, int *mode, char *err, size_t errlen)
{
    static const char *const names[] = {"off", "preferred", "required"};
    ERR_BUF_GUARD(err, errlen);
    if (s == NULL || mode == NULL) {
        return null_arg(err, errlen, "secure-channel");
    }
    for (int k = 0; k < 3; k++) {
        if (strcmp(s, names[k]) == 0) {
            *mode = k;
            return 0;
        }
    }
    return fail(err, errlen, "'%s': must be required, preferred or off", s);
}

int scb_conf_parse_scp03_level(const char *s, int *level, char *err, size_t errlen)
{
    static const char *const names[] = {"01", "03", "13", "33"};
    static const int values[] = {0x01, 0x03, 0x13, 0x33};
    ERR_BUF_GUARD(err, errlen);
    if (s == NULL || level == NULL) {
        return null_arg(err, errlen, "scp03-level");
    }
    for (int k = 0; k < 4; k++) {
        if (strcmp(s, names[k]) == 0) {
            *level = values[k];
            return 0;
        }
    }
    return fail(err, errlen, "'%s': must be 01, 03, 13 or 33", s);
}

static int parse_bool(const char *s, int *out)
{
    if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = 1;
        return 0;
    }
    if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

enum key {
    K_READER, K_PIN_FILE, K_SCP03_KEYS, K_SECURE, K_SCP03_LEVEL, K_FACTORY, K_STATE_DIR, K_EXEC,
    K_EXEC_TIMEOUT, K_VERIFY, K_NO_ACL, K_PROFILE, K_ENDPOINT, K_LISTEN, K_LISTEN_UNAUTH, K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "reader", "pin-file", "scp03-keys", "secure-channel", "scp03-level", "factory",
    "state-dir", "exec", "exec-timeout", "verify", "no-acl", "profile", "endpoint",
    "listen", "listen-unauthenticated"};

static char **string_slot(struct scb_conf *c, enum key k)
{
    switch (k) {
    case K_READER: return &c->reader;
    case K_PIN_FILE: return &c->pin_file;
    case K_SCP03_KEYS: return &c->scp03_keys;
    case K_FACTORY: return &c->factory;
    case K_STATE_DIR: return &c->state_dir;
    case K_EXEC: return &c->exec;
    case K_PROFILE: return &c->profile;
    case K_ENDPOINT: return &c->endpoint;
    case K_LISTEN: return &c->listen;
    default: return NULL;
    }
}

/*
 * What is wrong with a hook's first word that holds a '/' but does not start with one. The
 * value is a shell command: quotes or an assignment in front are shell syntax the daemon's
 * trust check cannot follow to a program file (scb_hook_program), so they are named as such
 * rather than taken for a relative path.
 */
static const char *exec_word_problem(const char *v, size_t n)
{
    size_t name = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");
    if (v[0] == '\'' || v[0] == '"') {
        return "a quoted program path: the value is a shell command, and a quoted program is "
               "not checked for who may change it; write the absolute path without quotes";
    }
    if (name > 0 && name < n && v[name] == '=' && !(v[0] >= '0' && v[0] <= '9')) {
        return "a variable assignment, not a program: the command must start with its "
               "program (an absolute path or a name found in PATH) so that the daemon can check "
               "who may change it; set variables inside the hook program";
    }
    if (memchr(v, '$', n) != NULL || memchr(v, '`', n) != NULL || v[0] == '~') {
        return "an expansion in the program path: the shell decides what runs, so it is not "
               "checked for who may change it; give an absolute path";
    }
    return "a relative program path (it would resolve against the working directory, / under "
           "systemd); give an absolute path";
}

/*
 * Paths in the file must be absolute: a relative one would resolve against the daemon's
 * working directory (/ under systemd, wherever the operator stood otherwise), not against the
 * file, so the same file would name different files. The hook is a shell command: its first
 * word may be a bare program name (found through PATH), but one with a '/' must start with '/'.
 */
static int check_absolute(enum key k, const char *v, char *err, size_t errlen)
{
    size_t n;
    if (k == K_PIN_FILE || k == K_SCP03_KEYS || k == K_FACTORY || k == K_STATE_DIR ||
        k == K_PROFILE) {
        if (v[0] != '/') {
            return fail(err, errlen,
                        "'%.128s': a relative path (it would resolve against the working "
                        "directory, / under systemd); give an absolute path",
                        v);
        }
        return 0;
    }
    if (k == K_EXEC) {
        n = strcspn(v, " \t");
        if (v[0] != '/' && memchr(v, '/', n) != NULL) {
            return fail(err, errlen, "'%.*s': %s", (int)(n > 128 ? 128 : n), v,
                        exec_word_problem(v, n));
        }
    }
    return 0;
}

/* One key's value into c; -1 with err (without the position) on a bad value. */
static int set_value(struct scb_conf *c, enum key k, const char *v, char *err, size_t errlen)
{
    char **slot = string_slot(c, k);
    unsigned long secs;
    if (check_absolute(k, v, err, errlen) < 0 ||
        (k == K_ENDPOINT && scb_endpoint_template_check(v, err, errlen) < 0)) {
        return -1;
    }
    if (slot) {
        if ((*slot = strdup(v)) == NULL) {
            return fail(err, errlen, "out of memory");
        }
        return 0;
    }
    switch (k) {
    case K_SECURE: return scb_conf_parse_secure_channel(v, &c->secure_mode, err, errlen);
    case K_SCP03_LEVEL: return scb_conf_parse_scp03_level(v, &c->scp03_level, err, errlen);
    case K_EXEC_TIMEOUT:
        if (scb_conf_parse_seconds(v, 1, 3600, &secs, err, errlen) < 0) {
            return -1;
        }
        c->exec_timeout = (long)secs;
        return 0;
    case K_VERIFY: return scb_conf_parse_verify(v, &c->verify, &c->verify_every_s, err, errlen);
    case K_NO_ACL:
    case K_LISTEN_UNAUTH:
        if (parse_bool(v, k == K_NO_ACL ? &c->no_acl : &c->listen_unauthenticated) < 0) {
            return fail(err, errlen, "'%s': must be yes or no", v);
        }
        return 0;
    default: return fail(err, errlen, "internal: unhandled key");
    }
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One line [s, e): 0 ok, -1 with err. */
static int parse_line(struct scb_conf *c, const char *s, const char *e, unsigned seen[K_COUNT],
                      unsigned lineno, char *err, size_t errlen)
{
    char buf[LINE_MAX_LEN + 1], sub[256];
    while (s < e && is_blank(*s)) {
        s++;
    }
    while (e > s && is_blank(e[-1])) {
        e--;
    }
    if (s == e || *s == '#') {
        return 0;
    }
    if ((size_t)(e - s) > LINE_MAX_LEN) {
        return fail(err, errlen, "line longer than %d bytes", LINE_MAX_LEN);
    }
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = '\0';
    for (const char *p = buf; *p; p++) {
        if ((unsigned char)*p < 0x20 && *p != '\t') {
            return fail(err, errlen, "control character in line");
        }
    }
    char *eq = strchr(buf, '=');
    if (eq == NULL) {
        return fail(err, errlen, "expected 'key = value'");
    }
    char *kend = eq, *v = eq + 1;
    while (kend > buf && is_blank(kend[-1])) {
        kend--;
    }
    *kend = '\0';
    while (is_blank(*v)) {
        v++;
    }
    if (buf[0] == '\0') {
        return fail(err, errlen, "missing key before '='");
    }
    int k = 0;
    while (k < K_COUNT && strcmp(buf, key_names[k]) != 0) {
        k++;
    }
    if (k == K_COUNT) {
        return fail(err, errlen, "unknown key '%.64s'", buf);
    }
    if (*v == '\0') {
        return fail(err, errlen, "%s: empty value", key_names[k]);
    }
    if (seen[k]) {
        return fail(err, errlen, "%s: set again (first on line %u)", key_names[k], seen[k]);
    }
    seen[k] = lineno;
    if (set_value(c, (enum key)k, v, sub, sizeof(sub)) < 0) {
        return fail(err, errlen, "%s: %s", key_names[k], sub);
    }
    return 0;
}

/* "NAME:LINE: KEY" in *out (malloc'd, replacing what was there): where a setting came from */
static int origin(char **out, const char *name, unsigned line, const char *key)
{
    size_t n = strlen(name) + strlen(key) + 16;
    char *s = malloc(n);
    if (s == NULL) {
        return -1;
    }
    snprintf(s, n, "%s:%u: %s", name, line, key);
    free(*out);
    *out = s;
    return 0;
}

int scb_conf_parse(const char *text, size_t len, const char *name, struct scb_conf *c, char *err,
                   size_t errlen)
{
    unsigned seen[K_COUNT] = {0};
    char msg[384];
    unsigned lineno = 0;
    size_t pos = 0;

    ERR_BUF_GUARD(err, errlen);
    if ((text == NULL && len > 0) || name == NULL || c == NULL) {
        snprintf(err, errlen, "configuration: no text, name or result");
        return SCB_E_INVALID_ARG;
    }
    if (len > SCB_CONF_MAX_SIZE) {
        snprintf(err, errlen, "%s: larger than %d bytes", name, SCB_CONF_MAX_SIZE);
        return SCB_E_TOO_LARGE;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        /* invisible in the message "unknown key 'reader'" that would follow */
        snprintf(err, errlen, "%s:1: starts with a UTF-8 byte order mark (an editor's); save "
                              "the file without it", name);
        return SCB_E_PARSE;
    }
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        const char *e = nl ? nl : text + len;
        lineno++;
        if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
            snprintf(err, errlen, "%s:%u: NUL byte in line", name, lineno);
            return SCB_E_PARSE;
        }
        if (parse_line(c, s, e, seen, lineno, msg, sizeof(msg)) < 0) {
            snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
            return SCB_E_PARSE;
        }
        pos = (size_t)(e - text) + (nl ? 1 : 0);
    }
    if ((seen[K_PIN_FILE] &&
         origin(&c->pin_file_origin, name, seen[K_PIN_FILE], "pin-file") < 0) ||
        (seen[K_SCP03_KEYS] &&
         origin(&c->scp03_keys_origin, name, seen[K_SCP03_KEYS], "scp03-keys") < 0)) {
        snprintf(err, errlen, "%s: out of memory", name);
        return SCB_E_NOMEM;
    }
    if (seen[K_NO_ACL] && seen[K_PROFILE] && c->no_acl == 1) {
        snprintf(err, errlen, "%s:%u: no-acl = yes and profile (line %u) exclude each other",
                 name, seen[K_NO_ACL], seen[K_PROFILE]);
        return SCB_E_PARSE;
    }
    return SCB_OK;
}

/* The checks the open configuration file passes, on its descriptor: a regular file (a FIFO,
 * device or directory is refused before any read can block), not writable by group or others,
 * owned by root or by us, at most SCB_CONF_MAX_SIZE bytes. */
static int conf_fd_ok(int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return SCB_E_IO;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 || (st.st_uid != 0 && st.st_uid != geteuid())) {
        int others = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
        snprintf(err, errlen,
                 "%s: %s (mode %04o, owner uid %u): it names the hook and the PIN file; %s",
                 path, others ? "writable by others" : "owned by another user",
                 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
                 others ? "chown root: and chmod go-w it" : "chown root: it");
        return SCB_E_UNSAFE;
    }
    if (st.st_size > SCB_CONF_MAX_SIZE) {
        snprintf(err, errlen, "%s: larger than 64 KB", path);
        return SCB_E_TOO_LARGE;
    }
    return SCB_OK;
}

/* Read the file at path into a NUL-terminated buffer: a regular file only (a FIFO, device or
 * directory is refused before any read can block), not writable by group or others and owned
 * by root or by us: the file names the hook the daemon runs and the PIN file it reads, so a
 * file others may write would hand them the daemon's account and its PIN. */
static int conf_read(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    int fd;
    if (strcmp(path, "-") == 0) {
        snprintf(err, errlen, "-: stdin cannot stand for the configuration file (its owner, mode "
                              "and directories are checked); give a path");
        return SCB_E_INVALID_ARG;
    }
    /* nobody but root (or us) may change it or swap it: not through its directories either */
    int tr = scb_util_path_trusted(path, err, errlen);
    if (tr < 0 && tr != SCB_E_NOT_FOUND) {
        return tr;
    }
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, e == ENOENT ? "not found" : strerror(e));
        return e == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
    }
    /* from here on, one exit closes the file and frees what was read */
    char *buf = NULL;
    size_t n = 0;
    int ret = conf_fd_ok(fd, path, err, errlen);
    if (ret == SCB_OK && (buf = malloc(SCB_CONF_MAX_SIZE + 2)) == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        ret = SCB_E_NOMEM;
    }
    while (ret == SCB_OK && n < SCB_CONF_MAX_SIZE + 1) {
        ssize_t r = read(fd, buf + n, SCB_CONF_MAX_SIZE + 1 - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            ret = SCB_E_IO;
        } else if (r == 0) {
            break;
        } else {
            n += (size_t)r;
        }
    }
    close(fd);
    if (ret == SCB_OK && n > SCB_CONF_MAX_SIZE) { /* it grew after the fstat */
        snprintf(err, errlen, "%s: larger than 64 KB", path);
        ret = SCB_E_TOO_LARGE;
    }
    if (ret < 0) {
        free(buf);
        return ret;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return SCB_OK;
}

int scb_conf_load(const char *path, int optional, struct scb_conf *c, char *err, size_t errlen)
{
    char *text;
    size_t len;
    ERR_BUF_GUARD(err, errlen);
    if (path == NULL || c == NULL) {
        snprintf(err, errlen, "configuration: no path or result");
        return SCB_E_INVALID_ARG;
    }
    int ret = conf_read(path, &text, &len, err, errlen);
    if (ret == SCB_E_NOT_FOUND && optional) {
        return 0;
    }
    if (ret < 0) {
        return ret;
    }
    ret = scb_conf_parse(text, len, path, c, err, errlen);
    free(text);
    return ret < 0 ? ret : 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c: the committed configuration on disk: round trip with provenance and card
 * fingerprint, permission bits, a damaged or foreign file, two writers, a commit interrupted
 * at every step, and kill -9 of a committing child process in a loop: the store always loads
 * as exactly the old or exactly the new configuration.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "scboot/json.h"
#include "scboot/model.h"
#include "scboot/store.h"
#include "scboot/util.h"
#include "store_internal.h"
#include "store_fixture.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/scb-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
    rmdir(dir); /* the store creates it */
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Lifetime of /1/0 in what the store holds (-1: empty). */
static int64_t loaded_lifetime(void)
{
    struct scb_store *s = NULL;
    struct scb_committed c;
    char err[256];
    int64_t v = -1;
    assert_int_equal(scb_store_open_readonly(dir, &s, err, sizeof(err)), 0);
    if (scb_store_load(s, &c, err, sizeof(err)) != 0) {
        fail_msg("load: %s", err);
    }
    scb_config_get_int(&c.cfg, 1, 0, 1, &v);
    scb_committed_free(&c);
    scb_store_free(&s);
    return v;
}

static void test_roundtrip_and_modes(void **state)
{
    (void)state;
    struct scb_store *s = NULL;
    struct scb_committed c, back;
    char err[256];
    struct stat st;

    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
    assert_int_equal(scb_store_load(s, &back, err, sizeof(err)), 0);
    assert_int_equal(back.generation, 0); /* nothing yet */
    scb_committed_free(&back);
    make(&c, 300);
    assert_int_equal(scb_store_commit(s, &c, NULL, 0), 0);
    assert_int_equal(c.generation, 1);
    assert_int_equal(scb_store_load(s, &back, err, sizeof(err)), 0);
    assert_int_equal(back.generation, 1);
    assert_true(back.card.valid);
    assert_string_equal(back.card.iccid, "8988211000000430010");
    assert_int_equal(back.card.sha256[5], 300 & 0xFF);
    assert_int_equal(scb_committed_prov(&back, 0, 1), SCB_SRC_CARD);
    assert_int_equal(scb_committed_prov(&back, 1, 0), SCB_SRC_FACTORY);
    assert_int_equal(back.card.path.len, 2);
    assert_string_equal(back.committed_at, c.committed_at);
    scb_committed_free(&back);
    scb_committed_free(&c);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(scb_store_path(s), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    scb_store_free(&s);
}

/* The committed state as text (no json-c in the caller) is the store file's shape: the store's
 * own parser reads it back whole. */
static void test_committed_text(void **state)
{
    (void)state;
    struct scb_committed c, back;
    char err[256];

    assert_null(scb_committed_to_json_text(NULL, 0));
    make(&c, 77);
    c.generation = 3;
    snprintf(c.committed_at, sizeof(c.committed_at), "2026-12-06T17:00:00Z");
    char *text = scb_committed_to_json_text(&c, 0);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"format\": \"scboot-store-1\""));
    if (scb_store_parse((const uint8_t *)text, strlen(text), &back, err, sizeof(err)) != SCB_OK) {
        fail_msg("parse: %s", err);
    }
    assert_int_equal(back.generation, 3);
    assert_string_equal(back.committed_at, c.committed_at);
    assert_string_equal(back.card.iccid, "8988211000000430010");
    assert_int_equal(scb_committed_prov(&back, 1, 0), SCB_SRC_FACTORY);
    scb_json_text_free(text);
    scb_committed_free(&back);
    scb_committed_free(&c);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* A complete document that is no object is named so, whatever ends it; a NUL byte is named;
 * no message carries an errno of 0 ("Success"). */
static void test_parse_names_what_is_wrong(void **state)
{
    static const struct {
        const char *text;
        size_t len;
        const char *says;
    } cases[] = {
        {"null", 4, "not a JSON object"},     {"null\n", 5, "not a JSON object"},
        {"1", 1, "not a JSON object"},        {"-0.5e3", 6, "not a JSON object"},
        {"true", 4, "not a JSON object"},     {"\"x\"", 3, "not a JSON object"},
        {"[]", 2, "not a JSON object"},       {"{\"a\0b\":1}", 10, "a NUL byte"},
        {"\0", 1, "a NUL byte"},              {"{", 1, "truncated"},
        {"nul", 3, "not valid JSON"},         {"1 2", 3, "data after the object"},
    };
    struct scb_committed c;
    char err[256];
    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        err[0] = '\0';
        assert_int_equal(scb_store_parse((const uint8_t *)cases[k].text, cases[k].len, &c, err,
                                         sizeof(err)),
                         SCB_E_PARSE);
        if (strstr(err, cases[k].says) == NULL || strstr(err, "uccess") != NULL) {
            fail_msg("case %zu: %s", k, err);
        }
    }
}

static void test_damaged_and_foreign(void **state)
{
    (void)state;
    struct scb_store *s = NULL, *r = NULL;
    struct scb_committed c;
    char err[256], path[128], prefix[160];
    static const char *bad[] = {
        "", "{", "[]", "null", "{\"format\":\"other\"}", "{\"format\":null}",
        "{\"format\":1}", "{\"format\":[\"scboot-store-1\"]}",
        "{\"format\":\"scboot-store-1\",\"objects\":{}}",
        ("{\"format\":\"scboot-store-1\",\"objects\":{\"0\":5},\"provenance\":{}}"),
#define OK_HEAD "{\"format\":\"scboot-store-1\",\"objects\":{},"
        (OK_HEAD "\"generation\":null,\"committed_at\":\"t\",\"provenance\":{}}"),
        (OK_HEAD "\"generation\":\"1\",\"committed_at\":\"t\",\"provenance\":{}}"),
        (OK_HEAD "\"generation\":-1,\"committed_at\":\"t\",\"provenance\":{}}"),
        (OK_HEAD "\"generation\":1.5,\"committed_at\":\"t\",\"provenance\":{}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":null,\"provenance\":{}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"0123456789012345678901234567890123456789\","
                "\"provenance\":{}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":null}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":[]}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{\"/0/1\":null}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{\"/0/1\":\"moon\"}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{\"/0/70000\":\"card\"}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{\"/0/1x\":\"card\"}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{\"/0/1\":\"card\","
                "\"/00/1\":\"card\"}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{},\"card\":\"x\"}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{},\"card\":{}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{},\"card\":{\"iccid\":"
                "null,\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000"
                "000000\",\"aid\":\"\",\"path\":\"\"}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{},\"card\":{\"iccid\":"
                "\"1\",\"sha256\":\"00\",\"aid\":\"\",\"path\":\"\"}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{},\"card\":{\"iccid\":"
                "\"1\",\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000"
                "000000\",\"aid\":\"000102030405060708090A0B0C0D0E0F10\",\"path\":\"\"}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{},\"card\":{\"iccid\":"
                "\"1\",\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000"
                "000000\",\"aid\":\"\",\"path\":7}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{},\"card\":{\"iccid\":"
                "\"1\",\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000"
                "000000\",\"aid\":\"\",\"path\":\"\",\"reader\":false}}"),
        (OK_HEAD "\"generation\":1,\"committed_at\":\"t\",\"provenance\":{}} trailing"),
    };
    static const char good[] = OK_HEAD "\"generation\":1,\"committed_at\":\"t\","
                                       "\"provenance\":{},\"card\":null}\n";
    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    snprintf(prefix, sizeof(prefix), "damaged store: %s: ", path);
    write_text(path, good); /* the shape the cases break, loading */
    assert_int_equal(scb_store_load(s, &c, err, sizeof(err)), 0);
    assert_int_equal(c.generation, 1);
    scb_committed_free(&c);
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        write_text(path, bad[k]);
        if (scb_store_load(s, &c, err, sizeof(err)) != SCB_E_PARSE) {
            fail_msg("accepted: %s", bad[k]);
        }
        if (strncmp(err, prefix, strlen(prefix)) != 0 || strlen(err) <= strlen(prefix)) {
            fail_msg("message for %s: %s", bad[k], err);
        }
        /* the read-only path (scboot status) says the same */
        assert_int_equal(scb_store_open_readonly(dir, &r, err, sizeof(err)), 0);
        assert_int_equal(scb_store_load(r, &c, err, sizeof(err)), SCB_E_PARSE);
        scb_store_free(&r);
        /* and the bytes alone, as the fuzz target feeds them */
        assert_int_equal(scb_store_parse((const uint8_t *)bad[k], strlen(bad[k]), &c, err,
                                         sizeof(err)),
                         SCB_E_PARSE);
    }
    /* a store file that is not a regular file */
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(scb_store_load(s, &c, err, sizeof(err)), SCB_E_PARSE);
    assert_non_null(strstr(err, "not a regular file"));
    rmdir(path);
    /* one beyond the largest configuration text (sparse: no disk used) */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)SCB_CONFIG_TEXT_MAX + 1), 0);
    close(fd);
    assert_int_equal(scb_store_load(s, &c, err, sizeof(err)), SCB_E_PARSE);
    assert_non_null(strstr(err, "larger than"));
    unlink(path);
    scb_store_free(&s);
}

/* A store a later release wrote ("format" of a later major) is refused, never half-read, and
 * the message says so instead of calling it damaged; the store of this major still loads. */
static void test_newer_format(void **state)
{
    (void)state;
    struct scb_store *s = NULL, *r = NULL;
    struct scb_committed c;
    char err[512], path[128];
#define STORE_TAIL ",\"objects\":{},\"generation\":3,\"committed_at\":\"t\",\"provenance\":{}," \
                   "\"card\":null}\n"
    static const char newer[] = "{\"format\":\"scboot-store-2\"" STORE_TAIL;
    static const char current[] = "{\"format\":\"scboot-store-1\"" STORE_TAIL;
    static const char *foreign[] = {
        "{\"format\":\"scboot-store-01\"" STORE_TAIL, "{\"format\":\"scboot-store-0\"" STORE_TAIL,
        "{\"format\":\"scboot-store-\"" STORE_TAIL,   "{\"format\":\"scboot-config-1\"" STORE_TAIL,
        "{\"format\":\"scboot-stor-2\"" STORE_TAIL,   "{\"format\":\"scboot-store-2x\"" STORE_TAIL,
        "{\"format\":\"scboot-store-1\\u0000\"" STORE_TAIL,
        "{\"objects\":{},\"generation\":3,\"committed_at\":\"t\",\"provenance\":{}}",
    };
    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    write_text(path, current);
    assert_int_equal(scb_store_load(s, &c, err, sizeof(err)), 0);
    assert_int_equal(c.generation, 3);
    scb_committed_free(&c);

    write_text(path, newer);
    assert_int_equal(scb_store_load(s, &c, err, sizeof(err)), SCB_E_PARSE);
    if (strstr(err, "newer than this scboot reads (scboot-store-1)") == NULL ||
        strstr(err, "scboot-store-2") == NULL || strstr(err, "damaged") != NULL ||
        strstr(err, path) == NULL) {
        fail_msg("message: %s", err);
    }
    assert_int_equal(scb_store_open_readonly(dir, &r, err, sizeof(err)), 0);
    assert_int_equal(scb_store_load(r, &c, err, sizeof(err)), SCB_E_PARSE);
    assert_non_null(strstr(err, "upgrade scboot"));
    scb_store_free(&r);
    assert_int_equal(scb_store_parse((const uint8_t *)newer, strlen(newer), &c, err, sizeof(err)),
                     SCB_E_UNSUPPORTED);
    for (size_t k = 0; k < sizeof(foreign) / sizeof(foreign[0]); k++) {
        if (scb_store_parse((const uint8_t *)foreign[k], strlen(foreign[k]), &c, err,
                            sizeof(err)) != SCB_E_PARSE) {
            fail_msg("not refused as foreign: %s", foreign[k]);
        }
        assert_non_null(strstr(err, "not an scboot store file"));
    }
    scb_store_free(&s);
#undef STORE_TAIL
}

/* An existing directory is never re-moded or re-owned; an unsafe one is refused with why. */
static void expect_refused(const char *d, const char *why, mode_t mode_before)
{
    struct scb_store *s = NULL;
    char err[512];
    struct stat st;
    assert_int_equal(scb_store_open(d, 0, &s, err, sizeof(err)), SCB_E_UNSAFE);
    assert_null(s);
    if (strstr(err, why) == NULL) {
        fail_msg("%s: message '%s' lacks '%s'", d, err, why);
    }
    assert_int_equal(scb_store_open_readonly(d, &s, err, sizeof(err)), SCB_E_UNSAFE);
    assert_null(s);
    if (mode_before) {
        assert_int_equal(lstat(d, &st), 0);
        assert_int_equal(st.st_mode & 07777, mode_before);
    }
}

static void test_state_dir_rules(void **state)
{
    (void)state;
    char d[128], link[128], slash[140], err[512];
    struct scb_store *s = NULL;
    struct stat st;

    assert_int_equal(mkdir(dir, 0700), 0);
    /* a /tmp-like shared directory: refused, its sticky bit and mode left alone */
    snprintf(d, sizeof(d), "%s/shared", dir);
    assert_int_equal(mkdir(d, 0700), 0);
    assert_int_equal(chmod(d, 01777), 0);
    expect_refused(d, "writable by others (mode 1777", 01777);
    /* group-writable */
    snprintf(d, sizeof(d), "%s/group", dir);
    assert_int_equal(mkdir(d, 0700), 0);
    assert_int_equal(chmod(d, 0770), 0);
    expect_refused(d, "writable by group or others (mode 0770): chmod go-w", 0770);
    /* a symbolic link to a good directory, with and without a trailing slash */
    snprintf(d, sizeof(d), "%s/real", dir);
    assert_int_equal(mkdir(d, 0700), 0);
    snprintf(link, sizeof(link), "%s/link", dir);
    assert_int_equal(symlink(d, link), 0);
    expect_refused(link, "is a symbolic link", 0);
    snprintf(slash, sizeof(slash), "%s/", link);
    expect_refused(slash, "is a symbolic link", 0);
    /* owned by someone else (as root: chown it; otherwise "/" is root's) */
    if (geteuid() == 0) {
        snprintf(d, sizeof(d), "%s/other", dir);
        assert_int_equal(mkdir(d, 0700), 0);
        assert_int_equal(chown(d, 65534, 65534), 0);
        expect_refused(d, "belongs to uid 65534, not to uid 0", 0700);
        assert_int_equal(stat(d, &st), 0);
        assert_int_equal(st.st_uid, 65534);
    } else {
        expect_refused("/", "belongs to uid 0", 0);
    }
    /* missing: created 0700 even under umask 000, the store file 0600 too */
    snprintf(d, sizeof(d), "%s/new", dir);
    mode_t old = umask(0);
    assert_int_equal(scb_store_open(d, 0, &s, err, sizeof(err)), 0);
    struct scb_committed c;
    make(&c, 5);
    assert_int_equal(scb_store_commit(s, &c, NULL, 0), 0);
    scb_committed_free(&c);
    umask(old);
    assert_int_equal(stat(d, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(stat(scb_store_path(s), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    scb_store_free(&s);
    /* an existing private directory keeps its exact mode (0500 + write for the owner: 0700 is
     * not forced on it) */
    snprintf(d, sizeof(d), "%s/own", dir);
    assert_int_equal(mkdir(d, 0700), 0);
    assert_int_equal(chmod(d, 0750), 0);
    assert_int_equal(scb_store_open(d, 0, &s, err, sizeof(err)), 0);
    scb_store_free(&s);
    assert_int_equal(stat(d, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
}

static void test_links_inside_refused(void **state)
{
    (void)state;
    char target[128], p[160], err[512], before[64], after[64];
    struct scb_store *s = NULL;
    struct scb_committed c;

    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(target, sizeof(target), "%s.target", dir);
    write_text(target, "precious\n");
    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
    /* the store file a link: load and commit refuse, the target is untouched */
    snprintf(p, sizeof(p), "%s/config.json", dir);
    assert_int_equal(symlink(target, p), 0);
    assert_int_equal(scb_store_load(s, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "symbolic link"));
    make(&c, 7);
    assert_int_equal(scb_store_commit(s, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "symbolic link"));
    assert_int_equal(c.generation, 0);
    unlink(p);
    /* the temporary file a link: refused, nothing written through it */
    snprintf(p, sizeof(p), "%s/config.json.tmp", dir);
    assert_int_equal(symlink(target, p), 0);
    assert_int_equal(scb_store_commit(s, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "config.json.tmp is a symbolic link"));
    unlink(p);
    /* the lock a link: the next open refuses */
    scb_store_free(&s);
    snprintf(p, sizeof(p), "%s/lock", dir);
    unlink(p);
    assert_int_equal(symlink(target, p), 0);
    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), SCB_E_UNSAFE);
    unlink(p);
    FILE *f = fopen(target, "r");
    assert_non_null(f);
    assert_non_null(fgets(before, sizeof(before), f));
    fclose(f);
    assert_string_equal(before, "precious\n");
    /* with the links gone, the commit goes through */
    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
    assert_int_equal(scb_store_commit(s, &c, NULL, 0), 0);
    scb_committed_free(&c);
    scb_store_free(&s);
    snprintf(after, sizeof(after), "%lld", (long long)loaded_lifetime());
    assert_string_equal(after, "7");
    unlink(target);
}

static void test_two_writers(void **state)
{
    (void)state;
    struct scb_store *a = NULL, *b = NULL;
    char err[256];
    assert_int_equal(scb_store_open(dir, 0, &a, err, sizeof(err)), 0);
    assert_int_equal(scb_store_open(dir, 0, &b, err, sizeof(err)), SCB_E_LOCKED);
    assert_non_null(strstr(err, "locked"));
    assert_int_equal(scb_store_open(dir, 100, &b, err, sizeof(err)), SCB_E_LOCKED);
    /* a reader needs no lock */
    assert_int_equal(scb_store_open_readonly(dir, &b, err, sizeof(err)), 0);
    struct scb_committed c;
    make(&c, 1);
    assert_int_equal(scb_store_commit(b, &c, NULL, 0), SCB_E_LOCKED); /* read-only handles never write */
    scb_committed_free(&c);
    scb_store_free(&b);
    scb_store_free(&a);
    assert_int_equal(scb_store_open(dir, 0, &b, err, sizeof(err)), 0);
    scb_store_free(&b);
}

static int crash_at;
static int crash_hook(void *ctx, enum scb_commit_step step)
{
    (void)ctx;
    return (int)step == crash_at ? -1 : 0;
}

static void test_interrupted_commit(void **state)
{
    (void)state;
    for (crash_at = SCB_STEP_WRITE; crash_at <= SCB_STEP_DONE; crash_at++) {
        struct scb_store *s = NULL;
        struct scb_committed c;
        char err[256];
        teardown(NULL);
        assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
        make(&c, 100);
        assert_int_equal(scb_store_commit(s, &c, NULL, 0), 0);
        scb_committed_free(&c);
        make(&c, 200);
        scb_store_set_hook(s, crash_hook, NULL);
        assert_true(scb_store_commit(s, &c, NULL, 0) < 0);
        scb_committed_free(&c);
        scb_store_free(&s);
        int64_t v = loaded_lifetime();
        /* before the rename: the old one; after it: the new one; never anything else */
        assert_int_equal(v, crash_at <= SCB_STEP_RENAME ? 100 : 200);
        /* and the next commit works over whatever was left behind */
        assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
        make(&c, 300);
        assert_int_equal(scb_store_commit(s, &c, NULL, 0), 0);
        scb_committed_free(&c);
        scb_store_free(&s);
        assert_int_equal(loaded_lifetime(), 300);
    }
}

static void test_kill_9_loop(void **state)
{
    (void)state;
    unsigned rounds = 60, olds = 0, news = 0;
    for (unsigned r = 0; r < rounds; r++) {
        struct scb_store *s = NULL;
        struct scb_committed c;
        char err[256];
        teardown(NULL);
        assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
        make(&c, 1000);
        assert_int_equal(scb_store_commit(s, &c, NULL, 0), 0);
        scb_committed_free(&c);
        scb_store_free(&s);
        pid_t pid = fork();
        if (pid == 0) {
            /* the child commits 2000, 2001, ... as fast as it can until killed */
            struct scb_store *cs = NULL;
            char e[256];
            if (scb_store_open(dir, 1000, &cs, e, sizeof(e)) != 0) {
                _exit(1);
            }
            for (int n = 2000;; n++) {
                struct scb_committed cc;
                make(&cc, n);
                scb_store_commit(cs, &cc, NULL, 0);
                scb_committed_free(&cc);
            }
        }
        struct timespec ts = {0, (long)(r % 30) * 700000L}; /* 0 .. 20 ms */
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        int64_t v = loaded_lifetime();
        if (v != 1000 && v < 2000) {
            fail_msg("round %u: store holds %lld", r, (long long)v);
        }
        v == 1000 ? olds++ : news++;
    }
    print_message("# kill -9 loop: %u rounds, %u old, %u new, 0 torn\n", rounds, olds, news);
}

/* Replace prev by next's configuration (consumed) into *out; the provenances of /0/1, /1/0. */
static void replace_expect(struct scb_committed *out, const struct scb_committed *prev,
                           struct scb_committed *next, enum scb_source sec,
                           enum scb_source srv)
{
    struct scb_config cfg = next->cfg;
    scb_config_init(&next->cfg);
    assert_int_equal(scb_committed_replace(out, prev, &cfg, SCB_SRC_NETWORK), 0);
    assert_int_equal(cfg.n, 0); /* consumed */
    assert_int_equal(scb_committed_prov(out, 0, 1), sec);
    assert_int_equal(scb_committed_prov(out, 1, 0), srv);
    scb_committed_free(next);
}

/* scb_committed_replace (what Bootstrap-Finish commits): unchanged instances keep their
 * provenance, changed and new ones are the network's; the card fingerprint goes with the last
 * card instance; cfg is consumed. */
static void test_replace_provenance(void **state)
{
    (void)state;
    struct scb_committed prev, next, out;
    struct scb_config cfg;
    make(&prev, 7);
    prev.generation = 4;

    /* the same data: every instance keeps its provenance, the card stays */
    make(&next, 7);
    replace_expect(&out, &prev, &next, SCB_SRC_CARD, SCB_SRC_FACTORY);
    assert_true(out.card.valid);
    assert_string_equal(out.card.iccid, prev.card.iccid);
    assert_int_equal(out.generation, 4);
    assert_true(scb_config_equal(&out.cfg, &prev.cfg));
    scb_committed_free(&out);

    /* the server changed (lifetime 8): network; the security instance is unchanged: card */
    make(&next, 8);
    replace_expect(&out, &prev, &next, SCB_SRC_CARD, SCB_SRC_NETWORK);
    assert_true(out.card.valid);
    scb_committed_free(&out);

    /* the card's security instance changed too: nothing from the card is left */
    make(&next, 8);
    struct scb_instance *sec = scb_object_instance_mut(scb_config_object_mut(&next.cfg, 0), 1);
    assert_non_null(sec);
    const struct scb_resource *key = scb_instance_resource(sec, 5);
    assert_non_null(key);
    key->v[0].data[0] ^= 0x80;
    replace_expect(&out, &prev, &next, SCB_SRC_NETWORK, SCB_SRC_NETWORK);
    assert_false(out.card.valid);
    assert_string_equal(out.card.iccid, "");
    scb_committed_free(&out);

    /* an empty configuration replaces everything */
    scb_config_init(&cfg);
    assert_int_equal(scb_committed_replace(&out, &prev, &cfg, SCB_SRC_NETWORK), 0);
    assert_int_equal(out.cfg.n, 0);
    assert_int_equal(out.nprov, 0);
    assert_false(out.card.valid);
    scb_committed_free(&out);
    scb_committed_free(&prev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip_and_modes, setup, teardown),
        cmocka_unit_test(test_replace_provenance),
        cmocka_unit_test(test_committed_text),
        cmocka_unit_test(test_parse_names_what_is_wrong),
        cmocka_unit_test_setup_teardown(test_damaged_and_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_dir_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_inside_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_9_loop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

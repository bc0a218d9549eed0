/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c: the committed configuration on disk: round trip with provenance and card
 * fingerprint, permission bits, a damaged or foreign file, two writers, a commit interrupted
 * at every step, and kill -9 of a committing child process in a loop: the store always loads
 * as exactly the old or exactly the new configuration.
 */
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
#include "scboot/store.h"
#include "store_internal.h"

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

/* Configuration number n: a server account whose lifetime is n. */
static void make(struct scb_committed *c, int n)
{
    char json[512], err[128];
    scb_committed_init(c);
    snprintf(json, sizeof(json),
             "{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{\"0\":\"coap://s\","
             "\"1\":false,\"2\":3,\"10\":1,\"5\":{\"hex\":\"A1B2C3\"}}}}},\"1\":{\"instances\":"
             "{\"0\":{\"resources\":{\"0\":1,\"1\":%d,\"6\":false,\"7\":\"U\"}}}}}}",
             n);
    assert_int_equal(scb_config_from_json_text(json, &c->cfg, err, sizeof(err)), 0);
    scb_committed_set_prov(c, 0, 1, SCB_PROV_CARD);
    scb_committed_set_prov(c, 1, 0, SCB_PROV_FACTORY);
    c->card.valid = 1;
    snprintf(c->card.iccid, sizeof(c->card.iccid), "8988211000000430010");
    memset(c->card.sha256, n & 0xFF, 32);
    c->card.path.len = 2;
    c->card.path.path[0] = 0x64;
    c->card.path.path[1] = 0x32;
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
    scb_store_close(&s);
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
    assert_int_equal(scb_store_commit(s, &c), 0);
    assert_int_equal(c.generation, 1);
    assert_int_equal(scb_store_load(s, &back, err, sizeof(err)), 0);
    assert_int_equal(back.generation, 1);
    assert_true(back.card.valid);
    assert_string_equal(back.card.iccid, "8988211000000430010");
    assert_int_equal(back.card.sha256[5], 300 & 0xFF);
    assert_int_equal(scb_committed_prov(&back, 0, 1), SCB_PROV_CARD);
    assert_int_equal(scb_committed_prov(&back, 1, 0), SCB_PROV_FACTORY);
    assert_int_equal(back.card.path.len, 2);
    assert_string_equal(back.committed_at, c.committed_at);
    scb_committed_free(&back);
    scb_committed_free(&c);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(scb_store_path(s), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    scb_store_close(&s);
}

static void test_damaged_and_foreign(void **state)
{
    (void)state;
    struct scb_store *s = NULL;
    struct scb_committed c;
    char err[256], path[128];
    static const char *bad[] = {"", "{", "[]", "{\"format\":\"other\"}",
                                "{\"format\":\"scboot-store-1\",\"objects\":{}}",
                                ("{\"format\":\"scboot-store-1\",\"objects\":{\"0\":5},"
                                 "\"provenance\":{}}")};
    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        FILE *f = fopen(path, "w");
        fputs(bad[k], f);
        fclose(f);
        if (scb_store_load(s, &c, err, sizeof(err)) != SCB_E_PARSE) {
            fail_msg("accepted: %s", bad[k]);
        }
        assert_non_null(strstr(err, "config.json"));
    }
    scb_store_close(&s);
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
    assert_int_equal(scb_store_commit(b, &c), SCB_E_LOCKED); /* read-only handles never write */
    scb_committed_free(&c);
    scb_store_close(&b);
    scb_store_close(&a);
    assert_int_equal(scb_store_open(dir, 0, &b, err, sizeof(err)), 0);
    scb_store_close(&b);
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
        assert_int_equal(scb_store_commit(s, &c), 0);
        scb_committed_free(&c);
        make(&c, 200);
        scb_store_set_hook(s, crash_hook, NULL);
        assert_true(scb_store_commit(s, &c) < 0);
        scb_committed_free(&c);
        scb_store_close(&s);
        int64_t v = loaded_lifetime();
        /* before the rename: the old one; after it: the new one; never anything else */
        assert_int_equal(v, crash_at <= SCB_STEP_RENAME ? 100 : 200);
        /* and the next commit works over whatever was left behind */
        assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
        make(&c, 300);
        assert_int_equal(scb_store_commit(s, &c), 0);
        scb_committed_free(&c);
        scb_store_close(&s);
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
        assert_int_equal(scb_store_commit(s, &c), 0);
        scb_committed_free(&c);
        scb_store_close(&s);
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
                scb_store_commit(cs, &cc);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip_and_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_and_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_9_loop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

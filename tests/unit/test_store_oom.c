/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_oom.c: a commit meeting an allocation failure at each of its allocations in turn
 * (malloc, calloc and realloc replaced in this program; json-c and libc call them) either
 * commits the whole new configuration or fails with nothing written: the store then loads as
 * exactly the old one, never as a document missing a part (a NULL json-c object written as
 * null) and never crashing on a NULL text; so does the memory store's. glibc only, not with
 * a sanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/model.h"
#include "scboot/store.h"
#include "store_internal.h"
#include "store_fixture.h"
#include "fail_alloc.h"


static char dir[64];

/* Failures are injected while the text is built and serialized; json-c's own parser (the
 * read-back check after it) is not made to fail: it crashes on a failed allocation. */
static int stop_injecting(void *ctx, enum scb_commit_step step)
{
    (void)ctx;
    if (step == SCB_STEP_VERIFY) {
        fail_alloc_at(-1);
    }
    return 0;
}

/* What the store holds: n of make(n) checked whole. */
static int loaded(struct scb_store *s, uint64_t *gen)
{
    struct scb_committed c;
    char err[256];
    int64_t v = -1;
    if (scb_store_load(s, &c, err, sizeof(err)) != 0) {
        fail_msg("the store does not load: %s", err);
    }
    assert_int_equal(scb_config_get_int(&c.cfg, 1, 0, 1, &v), 0);
    assert_int_equal(c.nprov, 2);
    assert_true(c.card.valid);
    assert_string_equal(c.card.iccid, "8988211000000430010");
    assert_int_equal(c.card.sha256[31], v); /* the fingerprint of the same commit */
    assert_int_equal(c.cfg.n, 2);
    *gen = c.generation;
    scb_committed_free(&c);
    return (int)v;
}

/* One turn: commit make(2) over make(1) with allocation k failing; the store then holds one
 * of the two, whole, and c's generation is as it came when the commit failed. The commit's
 * return. */
static int commit_turn(struct scb_store *s, long k, int *failures)
{
    struct scb_committed nw;
    uint64_t gen;
    make(&nw, 2);
    nw.generation = 1; /* as loaded: the commit makes it 2 */
    fail_alloc_at(k);
    int ret = scb_store_commit(s, &nw, NULL, 0);
    fail_alloc_at(-1);
    int v = loaded(s, &gen);
    if (ret == SCB_OK) {
        assert_int_equal(v, 2);
        assert_int_equal(gen, 2);
    } else {
        assert_int_equal(ret, SCB_E_NOMEM);
        assert_int_equal(v, 1); /* nothing committed */
        assert_int_equal(gen, 1);
        assert_int_equal(nw.generation, 1);
        (*failures)++;
    }
    scb_committed_free(&nw);
    return ret;
}

static void commit_out_of_memory(void **state)
{
    struct scb_store *s = NULL;
    struct scb_committed old;
    char err[256];
    int failures = 0;
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/scb-oom-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
    scb_store_set_hook(s, stop_injecting, NULL);
    make(&old, 1);
    assert_int_equal(scb_store_commit(s, &old, NULL, 0), 0);
    for (long k = 0; k < 100000; k++) {
        int ret = commit_turn(s, k, &failures);
        if (!fail_alloc_hit()) {
            break; /* every allocation of the commit had its turn */
        }
        if (ret == SCB_OK) { /* back to the old one for the next turn */
            scb_store_free(&s);
            char cmd[128];
            snprintf(cmd, sizeof(cmd), "rm -f %s/config.json", dir);
            assert_int_equal(system(cmd), 0);
            assert_int_equal(scb_store_open(dir, 0, &s, err, sizeof(err)), 0);
            scb_store_set_hook(s, stop_injecting, NULL);
            old.generation = 0;
            assert_int_equal(scb_store_commit(s, &old, NULL, 0), 0);
        }
    }
    assert_true(failures > 10);
    scb_committed_free(&old);
    scb_store_free(&s);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The memory store: a commit that cannot copy the whole state keeps the previous one. */
static void memory_commit_out_of_memory(void **state)
{
    struct scb_store *s = NULL;
    struct scb_committed old;
    char err[256];
    int failures = 0;
    (void)state;
    for (long k = 0; k < 100000; k++) {
        assert_int_equal(scb_store_new_memory(&s, err, sizeof(err)), 0);
        make(&old, 1);
        assert_int_equal(scb_store_commit(s, &old, NULL, 0), 0);
        scb_committed_free(&old);
        commit_turn(s, k, &failures);
        scb_store_free(&s);
        if (!fail_alloc_hit()) {
            break; /* every allocation of the commit had its turn */
        }
    }
    assert_true(failures > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commit_out_of_memory),
        cmocka_unit_test(memory_commit_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

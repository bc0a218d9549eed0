/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_custom.c: a client's own persistence. The memory store and a custom store (the
 * client's load and commit) keep what a commit gave them, report it to the observer, and
 * leave the previous state when a commit fails; the card check and the sequence run through
 * the emulator into a memory store, with no state directory at all. An observer or a custom
 * store's own operations that call back into the store (commit, observer, free) are refused
 * and leave the store whole; a custom store's odd results (positive, unknown, a generation
 * that would wrap) fail; a card step whose commit fails is never reported as done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/account.h"
#include "scboot/util.h"
#include "card_fixture.h"
#include "store_fixture.h"
#include "store_internal.h"

/* What an observer saw. */
struct seen {
    int calls;
    uint64_t before_gen, after_gen;
    unsigned provenances;
    int added, removed, changed;
};

static int count_change(void *ctx, const struct scb_account_change *ch)
{
    struct seen *s = ctx;
    s->added += ch->event == SCB_ACCOUNT_ADDED;
    s->removed += ch->event == SCB_ACCOUNT_REMOVED;
    s->changed += ch->event == SCB_ACCOUNT_CHANGED;
    return 0;
}

static void observe(void *ctx, const struct scb_commit_event *ev)
{
    struct seen *s = ctx;
    s->calls++;
    s->before_gen = ev->before->generation;
    s->after_gen = ev->after->generation;
    s->provenances = ev->provenances;
    assert_int_equal(scb_account_diff(&ev->before->cfg, &ev->after->cfg, count_change, s), 0);
}

static int fail_write(void *ctx, enum scb_commit_step step)
{
    (void)ctx;
    return step == SCB_STEP_WRITE ? SCB_E_IO : SCB_OK;
}

/* The store holds exactly the state of make(n) at generation gen. */
static void expect_state(struct scb_store *st, int n, uint64_t gen)
{
    struct scb_committed got, want;
    char err[256];
    scb_committed_init(&got);
    assert_int_equal(scb_store_load(st, &got, err, sizeof(err)), SCB_OK);
    assert_int_equal(got.generation, gen);
    if (n == 0) {
        assert_int_equal(got.cfg.n, 0);
    } else {
        make(&want, n);
        assert_true(scb_config_equal(&got.cfg, &want.cfg));
        assert_int_equal(scb_committed_prov(&got, 0, 1), SCB_SRC_CARD);
        assert_int_equal(scb_committed_prov(&got, 1, 0), SCB_SRC_FACTORY);
        assert_memory_equal(got.card.sha256, want.card.sha256, 32);
        scb_committed_free(&want);
    }
    scb_committed_free(&got);
}

static void test_memory_store(void **state)
{
    (void)state;
    struct scb_store *st = NULL, *other = NULL;
    struct scb_committed c;
    struct seen seen = {0};
    char err[256];

    assert_int_equal(scb_store_new_memory(NULL, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_store_new_memory(&st, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_store_new_memory(&other, err, sizeof(err)), SCB_OK);
    assert_string_equal(scb_store_path(st), "");
    expect_state(st, 0, 0); /* nothing committed: empty, generation 0 */
    assert_int_equal(scb_store_set_observer(st, observe, &seen), SCB_OK);

    make(&c, 1);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), SCB_OK);
    assert_int_equal(c.generation, 1);
    assert_true(c.committed_at[0] != '\0');
    scb_committed_free(&c);
    expect_state(st, 1, 1);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.before_gen, 0);
    assert_int_equal(seen.added, 1);
    expect_state(other, 0, 0); /* distinct stores are independent */

    /* a failed commit leaves the previous state, c as it came, and no observer call */
    scb_store_set_hook(st, fail_write, NULL);
    make(&c, 2);
    c.generation = 1;
    snprintf(c.committed_at, sizeof(c.committed_at), "earlier");
    char why[SCB_ERR_MAX];
    assert_int_equal(scb_store_commit(st, &c, why, sizeof(why)), SCB_E_IO);
    assert_int_equal(c.generation, 1);
    assert_string_equal(c.committed_at, "earlier");
    assert_string_not_equal(why, "");
    assert_int_equal(seen.calls, 1);
    expect_state(st, 1, 1);

    /* the next commit succeeds and is reported against the state before it */
    scb_store_set_hook(st, NULL, NULL);
    assert_int_equal(scb_store_commit(st, &c, why, sizeof(why)), SCB_OK);
    assert_int_equal(c.generation, 2);
    assert_string_equal(why, "");
    expect_state(st, 2, 2);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(seen.before_gen, 1);
    assert_int_equal(seen.after_gen, 2);
    assert_int_equal(seen.changed, 1); /* the lifetime */
    assert_int_equal(seen.provenances, (1u << SCB_SRC_FACTORY));
    scb_committed_free(&c);

    scb_store_free(&st);
    assert_null(st);
    scb_store_free(&st); /* twice: harmless */
    scb_store_free(&other);
}

/* A client's own persistence: one slot it writes whole, and switches to only when written. */
struct flash {
    struct scb_committed slot;
    int fail_commit, fail_load, closed, commits;
};

static int flash_load(void *ctx, struct scb_committed *out, char *err, size_t errlen)
{
    struct flash *f = ctx;
    if (f->fail_load) {
        snprintf(err, errlen, "flash: read error");
        return SCB_E_IO;
    }
    return scb_committed_copy(out, &f->slot);
}

static int flash_commit(void *ctx, const struct scb_committed *c, char *err, size_t errlen)
{
    struct flash *f = ctx;
    struct scb_committed next;
    if (f->fail_commit) {
        snprintf(err, errlen, "flash: write error");
        return SCB_E_IO;
    }
    scb_committed_init(&next);
    int ret = scb_committed_copy(&next, c);
    if (ret < 0) {
        return ret;
    }
    scb_committed_free(&f->slot);
    f->slot = next;
    f->commits++;
    return SCB_OK;
}

static void flash_close(void *ctx)
{
    struct flash *f = ctx;
    f->closed++;
}

static void test_custom_store(void **state)
{
    (void)state;
    static const struct scb_store_ops ops = {
        .load = flash_load, .commit = flash_commit, .close = flash_close};
    static const struct scb_store_ops no_commit = {.load = flash_load};
    struct flash f = {.fail_commit = 0};
    struct scb_store *st = NULL;
    struct scb_committed c;
    struct seen seen = {0};
    char err[256];

    scb_committed_init(&f.slot);
    err[0] = '\0';
    assert_int_equal(scb_store_new_custom(&no_commit, &f, &st, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_null(st);
    assert_string_not_equal(err, "");
    assert_int_equal(scb_store_new_custom(NULL, &f, &st, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_store_new_custom(&ops, &f, NULL, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_store_new_custom(&ops, &f, &st, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_store_set_observer(st, observe, &seen), SCB_OK);

    make(&c, 7);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), SCB_OK);
    assert_int_equal(f.commits, 1);
    assert_int_equal(f.slot.generation, 1); /* the generation is set before ops->commit */
    expect_state(st, 7, 1);
    assert_int_equal(seen.calls, 1);

    /* the client's commit fails: its reason, the previous state, no observer call */
    f.fail_commit = 1;
    scb_committed_free(&c);
    make(&c, 8);
    c.generation = 1;
    char why[SCB_ERR_MAX];
    assert_int_equal(scb_store_commit(st, &c, why, sizeof(why)), SCB_E_IO);
    assert_string_equal(why, "flash: write error");
    assert_int_equal(c.generation, 1);
    assert_int_equal(seen.calls, 1);
    expect_state(st, 7, 1);
    f.fail_commit = 0;

    /* the client's load fails: its reason in err, out left empty */
    struct scb_committed got;
    scb_committed_init(&got);
    f.fail_load = 1;
    assert_int_equal(scb_store_load(st, &got, err, sizeof(err)), SCB_E_IO);
    assert_string_equal(err, "flash: read error");
    assert_int_equal(got.cfg.n, 0);
    assert_null(got.prov);
    f.fail_load = 0;

    assert_int_equal(scb_store_commit(st, &c, NULL, 0), SCB_OK);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(seen.before_gen, 1);
    expect_state(st, 8, 2);
    scb_committed_free(&c);

    scb_store_free(&st);
    assert_int_equal(f.closed, 1);
    scb_committed_free(&f.slot);
}

/* The sequence and the card check through the emulator, committed into a memory store. */
static void test_card_check_into_memory(void **state)
{
    (void)state;
    struct card_rig r;
    struct scb_store *st = NULL;
    struct scb_run_result res;
    struct scb_committed c;
    struct seen seen = {0};
    enum scb_bootstrap_outcome o;
    char err[256];
    uint8_t *d;
    size_t n;

    assert_int_equal(scb_store_new_memory(&st, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_store_set_observer(st, observe, &seen), SCB_OK);
    card_rig_start(&r, "data/standard.json", st, NULL);

    assert_int_equal(scb_bootstrap_run(r.b, &res, NULL, 0), SCB_OK);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.added, 1); /* the card's Bootstrap-Server account */
    assert_int_equal(seen.provenances, 1u << SCB_SRC_CARD);
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    assert_int_equal(c.generation, 1);
    assert_true(c.card.valid); /* the fingerprint the next check compares with */
    scb_committed_free(&c);

    /* no card event: the fingerprint kept in memory answers, 0 APDUs, nothing committed */
    assert_int_equal(scb_bootstrap_check_card(r.b, &o, NULL, 0), SCB_OK);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED);
    assert_int_equal(scb_bootstrap_last_apdus(r.b), 0);
    assert_int_equal(seen.calls, 1);

    /* the data changed, then the card was reset */
    assert_int_equal(scb_util_read_file("data/anjay_ef126.bin", 40000, &d, &n), 0);
    assert_int_equal(scb_emu_set_file(r.e, 0x6432, d, n), 0);
    free(d);
    scb_emu_reset(r.e);
    assert_int_equal(scb_bootstrap_check_card(r.b, &o, NULL, 0), SCB_OK);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_CHANGED);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(seen.before_gen, 1);

    /* removed: the card's instances go, reported as removed accounts */
    seen.removed = 0;
    scb_emu_remove(r.e);
    assert_int_equal(scb_bootstrap_check_card(r.b, &o, NULL, 0), SCB_OK);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_REMOVED);
    assert_int_equal(seen.calls, 3);
    assert_true(seen.removed >= 1);

    card_rig_stop(&r);
    scb_store_free(&st);
}

/* An observer that tries what it may not: unregister itself, commit, free the store. */
struct reentry {
    struct scb_store *st;
    int calls;
    int set_ret, commit_ret, load_ret;
    uint64_t before_gen;
    char commit_err[SCB_ERR_MAX];
};

static void reenter(void *ctx, const struct scb_commit_event *ev)
{
    struct reentry *r = ctx;
    struct scb_committed c;
    struct scb_store *alias = r->st;
    r->calls++;
    r->set_ret = scb_store_set_observer(r->st, NULL, NULL);
    r->before_gen = ev->before->generation; /* still valid after the attempt */
    assert_int_equal(scb_committed_copy(&c, ev->after), SCB_OK);
    r->commit_ret = scb_store_commit(r->st, &c, r->commit_err, sizeof(r->commit_err));
    scb_committed_free(&c);
    scb_store_free(&alias); /* the commit below still uses it: nothing happens */
    assert_ptr_equal(alias, r->st);
    scb_committed_init(&c);
    r->load_ret = scb_store_load(r->st, &c, NULL, 0); /* reading is allowed */
    assert_int_equal(c.generation, ev->after->generation);
    scb_committed_free(&c);
}

/* The observer's attempts are refused (SCB_E_BUSY), its "before" stays valid, the store stays
 * usable and the observer set. */
static void expect_reentry_refused(struct scb_store *st)
{
    struct reentry r = {.st = st};
    struct scb_committed c;
    assert_int_equal(scb_store_set_observer(st, reenter, &r), SCB_OK);
    make(&c, 1);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), SCB_OK);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.set_ret, SCB_E_BUSY);
    assert_int_equal(r.commit_ret, SCB_E_BUSY);
    assert_non_null(strstr(r.commit_err, "refused"));
    assert_int_equal(r.load_ret, SCB_OK);
    assert_int_equal(r.before_gen, 0);
    expect_state(st, 1, 1); /* one commit, not two */
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), SCB_OK);
    assert_int_equal(r.calls, 2); /* still the observer */
    assert_int_equal(r.before_gen, 1);
    expect_state(st, 1, 2);
    assert_int_equal(scb_store_set_observer(st, NULL, NULL), SCB_OK);
    scb_committed_free(&c);
}

static void test_observer_reentry(void **state)
{
    (void)state;
    char dir[] = "/tmp/scb-store-reentry-XXXXXX", err[SCB_ERR_MAX], cmd[64];
    struct scb_store *st = NULL;
    struct scb_committed c;

    assert_int_equal(scb_store_new_memory(&st, err, sizeof(err)), SCB_OK);
    expect_reentry_refused(st);
    scb_store_free(&st);
    assert_null(st);

    assert_non_null(mkdtemp(dir));
    assert_int_equal(scb_store_open(dir, 0, &st, err, sizeof(err)), SCB_OK);
    expect_reentry_refused(st);
    /* the store file keeps the generation as a JSON integer: it cannot pass INT64_MAX */
    make(&c, 1);
    c.generation = INT64_MAX;
    assert_int_equal(scb_store_commit(st, &c, err, sizeof(err)), SCB_E_TOO_LARGE);
    assert_int_equal(c.generation, INT64_MAX);
    assert_non_null(strstr(err, "no room"));
    c.generation = INT64_MAX - 1; /* INT64_MAX would not load again */
    assert_int_equal(scb_store_commit(st, &c, err, sizeof(err)), SCB_E_TOO_LARGE);
    assert_non_null(strstr(err, "no room"));
    expect_state(st, 1, 2);
    scb_committed_free(&c);
    scb_store_free(&st);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A custom store whose operations call back into the store, and one whose operations return
 * what is no scboot result. */
struct odd {
    struct flash f;
    struct scb_store *st;
    int commit_ret;   /* what ops->commit returns when not 0 (after keeping nothing) */
    int load_ret;     /* what ops->load returns when not 0 */
    uint64_t load_gen; /* a generation ops->load gives when not 0 */
    int reenter;      /* ops->commit and ops->load call back into the store */
    int inner_commit, inner_load, inner_set;
};

static int odd_load(void *ctx, struct scb_committed *out, char *err, size_t errlen)
{
    struct odd *o = ctx;
    if (o->reenter) {
        struct scb_committed c;
        scb_committed_init(&c);
        o->inner_commit = scb_store_commit(o->st, &c, NULL, 0);
        o->inner_load = scb_store_load(o->st, &c, NULL, 0);
        o->inner_set = scb_store_set_observer(o->st, NULL, NULL);
        scb_committed_free(&c);
    }
    if (o->load_ret) {
        return o->load_ret;
    }
    int ret = flash_load(&o->f, out, err, errlen);
    if (o->load_gen) {
        out->generation = o->load_gen;
    }
    return ret;
}

static int odd_commit(void *ctx, const struct scb_committed *c, char *err, size_t errlen)
{
    struct odd *o = ctx;
    if (o->reenter) {
        struct scb_committed x;
        scb_committed_init(&x);
        o->inner_load = scb_store_load(o->st, &x, NULL, 0);
        scb_committed_free(&x);
        assert_int_equal(scb_committed_copy(&x, c), SCB_OK);
        o->inner_commit = scb_store_commit(o->st, &x, NULL, 0);
        scb_committed_free(&x);
        o->inner_set = scb_store_set_observer(o->st, NULL, NULL);
    }
    return o->commit_ret ? o->commit_ret : flash_commit(&o->f, c, err, errlen);
}

static void test_custom_store_odd_operations(void **state)
{
    (void)state;
    static const struct scb_store_ops ops = {.load = odd_load, .commit = odd_commit};
    struct odd o;
    struct seen seen = {0};
    struct scb_committed c, got;
    char err[SCB_ERR_MAX];

    memset(&o, 0, sizeof(o));
    scb_committed_init(&o.f.slot);
    assert_int_equal(scb_store_new_custom(&ops, &o, &o.st, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_store_set_observer(o.st, observe, &seen), SCB_OK);

    /* only SCB_OK is success: a positive value, or a negative one that is no scb_err, fails
     * with SCB_E_IO; a known error passes as it is */
    static const int odd_ret[] = {42, -1, 1, -99999};
    make(&c, 1);
    for (size_t k = 0; k < sizeof(odd_ret) / sizeof(odd_ret[0]); k++) {
        o.commit_ret = odd_ret[k];
        assert_int_equal(scb_store_commit(o.st, &c, err, sizeof(err)), SCB_E_IO);
        assert_non_null(strstr(err, "not SCB_OK or an scboot error code"));
        assert_int_equal(c.generation, 0);
        assert_int_equal(seen.calls, 0);
        expect_state(o.st, 0, 0);
    }
    o.commit_ret = SCB_E_NOMEM;
    assert_int_equal(scb_store_commit(o.st, &c, err, sizeof(err)), SCB_E_NOMEM);
    o.commit_ret = 0;

    /* the operations call back into the store: refused, the outer commit goes on once */
    o.reenter = 1;
    assert_int_equal(scb_store_commit(o.st, &c, err, sizeof(err)), SCB_OK);
    assert_int_equal(o.inner_commit, SCB_E_BUSY);
    assert_int_equal(o.inner_load, SCB_E_BUSY);
    assert_int_equal(o.inner_set, SCB_E_BUSY);
    assert_int_equal(seen.calls, 1);
    o.inner_commit = o.inner_load = o.inner_set = 0;
    scb_committed_init(&got);
    assert_int_equal(scb_store_load(o.st, &got, err, sizeof(err)), SCB_OK); /* ops->load */
    scb_committed_free(&got);
    assert_int_equal(o.inner_commit, SCB_E_BUSY);
    assert_int_equal(o.inner_load, SCB_E_BUSY);
    assert_int_equal(o.inner_set, SCB_E_BUSY);
    o.reenter = 0;
    expect_state(o.st, 1, 1);

    /* a load that is no scboot result fails with SCB_E_IO, out left empty */
    o.load_ret = 7;
    scb_committed_init(&got);
    assert_int_equal(scb_store_load(o.st, &got, err, sizeof(err)), SCB_E_IO);
    assert_int_equal(got.cfg.n, 0);
    o.load_ret = 0;

    /* a generation that cannot advance: the load refuses it, a commit does not wrap to 0 */
    o.load_gen = UINT64_MAX;
    assert_int_equal(scb_store_load(o.st, &got, err, sizeof(err)), SCB_E_PARSE);
    assert_non_null(strstr(err, "no room"));
    assert_int_equal(got.cfg.n, 0);
    o.load_gen = 0;
    c.generation = UINT64_MAX;
    assert_int_equal(scb_store_commit(o.st, &c, err, sizeof(err)), SCB_E_TOO_LARGE);
    assert_int_equal(c.generation, UINT64_MAX);
    c.generation = UINT64_MAX - 1; /* UINT64_MAX would not load again */
    assert_int_equal(scb_store_commit(o.st, &c, err, sizeof(err)), SCB_E_TOO_LARGE);
    assert_int_equal(c.generation, UINT64_MAX - 1);
    c.generation = UINT64_MAX - 2;
    assert_int_equal(scb_store_commit(o.st, &c, err, sizeof(err)), SCB_OK);
    assert_int_equal(o.f.slot.generation, UINT64_MAX - 1);
    assert_int_equal(scb_store_load(o.st, &got, err, sizeof(err)), SCB_OK); /* loads again */
    scb_committed_free(&got);
    assert_int_equal(seen.calls, 2);

    scb_committed_free(&c);
    scb_store_free(&o.st);
    scb_committed_free(&o.f.slot);
}

/* What a bootstrap notify callback heard. */
static void count_notify(void *ctx, enum scb_bootstrap_outcome o, const struct scb_committed *c)
{
    (void)o;
    (void)c;
    (*(int *)ctx)++;
}

/* A card step whose commit fails says so: never "applied" for what is not committed, and the
 * next check reads the card again instead of taking the reader's quiet for "unchanged". */
static void test_run_commit_fails(void **state)
{
    (void)state;
    static const struct scb_store_ops ops = {.load = flash_load, .commit = flash_commit};
    struct flash f = {.fail_commit = 1};
    struct scb_store *st = NULL;
    struct card_rig r;
    struct scb_run_result res;
    enum scb_bootstrap_outcome o;
    struct seen seen = {0};
    char err[SCB_ERR_MAX];
    int notified = 0;

    scb_committed_init(&f.slot);
    assert_int_equal(scb_store_new_custom(&ops, &f, &st, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_store_set_observer(st, observe, &seen), SCB_OK);
    card_rig_start(&r, "data/standard.json", st, NULL);
    struct scb_bootstrap_opts bo;
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = r.card;
    bo.notify = count_notify;
    bo.notify_ctx = &notified;
    scb_bootstrap_free(&r.b);
    assert_int_equal(scb_bootstrap_new(&bo, &r.b), SCB_OK);

    assert_int_equal(scb_bootstrap_run(r.b, &res, err, sizeof(err)), SCB_E_IO);
    assert_string_equal(err, "flash: write error");
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_COMMIT_FAILED);
    assert_string_equal(scb_bootstrap_outcome_name(res.card), "commit-failed");
    assert_int_equal(res.factory_applied, 0);
    assert_int_equal(notified, 0);
    assert_int_equal(seen.calls, 0);
    expect_state(st, 0, 0);

    /* the store works again: no card event since, yet the check reads and commits */
    f.fail_commit = 0;
    assert_int_equal(scb_bootstrap_check_card(r.b, &o, err, sizeof(err)), SCB_OK);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_int_equal(notified, 1);
    assert_int_equal(f.commits, 1);

    /* a removal whose commit fails: not "removed" */
    f.fail_commit = 1;
    scb_emu_remove(r.e);
    assert_int_equal(scb_bootstrap_check_card(r.b, &o, err, sizeof(err)), SCB_E_IO);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_COMMIT_FAILED);
    assert_int_equal(notified, 1);
    f.fail_commit = 0;
    assert_int_equal(scb_bootstrap_check_card(r.b, &o, err, sizeof(err)), SCB_OK);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_REMOVED);
    assert_int_equal(notified, 2);

    card_rig_stop(&r);
    scb_store_free(&st);
    scb_committed_free(&f.slot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_store),
        cmocka_unit_test(test_custom_store),
        cmocka_unit_test(test_card_check_into_memory),
        cmocka_unit_test(test_observer_reentry),
        cmocka_unit_test(test_custom_store_odd_operations),
        cmocka_unit_test(test_run_commit_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

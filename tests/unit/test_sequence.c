/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sequence.c: change detection and the bootstrap sequence on the emulated card: 0 APDUs
 * on a re-check without a card event; changed data replaces the card's instances; changed but
 * inconsistent data disables them; a swapped card; a removed card deletes only card instances;
 * every card failure falls through to the factory configuration; card and factory share the
 * one validator (same bytes, same report).
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

#include "scboot/codec.h"
#include "scboot/emu.h"
#include "scboot/json.h"
#include "scboot/sequence.h"
#include "scboot/util.h"

struct env {
    char dir[64];
    struct scb_emu *e;
    struct scb_transport *t;
    struct scb_card card;
    struct scb_store *st;
    struct scb_bootstrap b;
    int notified;
    enum scb_card_outcome last;
};

static void on_notify(void *ctx, enum scb_card_outcome o, const struct scb_committed *c)
{
    struct env *v = ctx;
    (void)c;
    v->notified++;
    v->last = o;
}

static void start(struct env *v, const char *profile_extra, const char *file)
{
    char json[512], err[256];
    memset(v, 0, sizeof(*v));
    snprintf(v->dir, sizeof(v->dir), "/tmp/scb-seq-XXXXXX");
    assert_non_null(mkdtemp(v->dir));
    snprintf(json, sizeof(json), "{%s\"lwm2m\":{\"file\":\"%s\",\"pkcs15_first\":false}}",
             profile_extra, file);
    if (scb_emu_load_json(json, "data", &v->e, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
    v->t = scb_emu_transport(v->e);
    scb_card_init(&v->card, v->t);
    assert_int_equal(scb_store_open(v->dir, 0, &v->st, err, sizeof(err)), 0);
    scb_bootstrap_init(&v->b);
    v->b.store = v->st;
    v->b.card = &v->card;
    v->b.reader_name = "test";
    v->b.notify = on_notify;
    v->b.notify_ctx = v;
}

static void stop(struct env *v)
{
    char cmd[96];
    scb_bootstrap_free(&v->b);
    scb_store_close(&v->st);
    scb_transport_free(&v->t);
    scb_emu_free(&v->e);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", v->dir);
    assert_int_equal(system(cmd), 0);
}

static void committed(struct env *v, struct scb_committed *c)
{
    char err[256];
    assert_int_equal(scb_store_load(v->st, c, err, sizeof(err)), 0);
}

static size_t count_prov(const struct scb_committed *c, enum scb_provenance p)
{
    size_t n = 0;
    for (size_t k = 0; k < c->nprov; k++) {
        n += c->prov[k].prov == p;
    }
    return n;
}

static void set_card_file(struct env *v, const char *path)
{
    uint8_t *d;
    size_t n;
    assert_int_equal(scb_read_file(path, 40000, &d, &n), 0);
    assert_int_equal(scb_emu_set_file(v->e, 0x6432, d, n), 0);
    free(d);
}

static void test_check_cycle(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    enum scb_card_outcome o;
    struct scb_committed c;

    start(&v, "", "anjay_ef126.bin");
    v.b.factory_path = "data/nrf_ef58.bin";
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_APPLIED);
    assert_false(res.factory_applied); /* configured from the card: no factory step */
    assert_false(res.needs_network_bootstrap);
    /* R5 check with no card event: not a single APDU */
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_UNCHANGED);
    assert_int_equal(scb_bootstrap_last_apdus(&v.b), 0);
    /* an event, same data: re-read along the known path, unchanged */
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_UNCHANGED);
    print_message("# re-check after a card event: %u APDUs\n", scb_bootstrap_last_apdus(&v.b));
    assert_true(scb_bootstrap_last_apdus(&v.b) > 0 && scb_bootstrap_last_apdus(&v.b) <= 10);
    /* the data changed (e.g. OTA, then the card was reset) */
    set_card_file(&v, "data/nrf_ef58.bin");
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_CHANGED);
    assert_int_equal(v.last, SCB_CARD_CHANGED);
    committed(&v, &c);
    assert_non_null(scb_object_instance(scb_config_object(&c.cfg, 0), 0)); /* the new BS */
    assert_null(scb_config_object(&c.cfg, 1));                             /* old server gone */
    scb_committed_free(&c);
    /* another card */
    assert_int_equal(scb_emu_set_iccid(v.e, "89000000000000000001"), 0);
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_SWAPPED);
    committed(&v, &c);
    assert_string_equal(c.card.iccid, "89000000000000000001");
    scb_committed_free(&c);
    stop(&v);
}

static void test_invalid_and_removed_keep_factory(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    enum scb_card_outcome o;
    struct scb_committed c;
    uint8_t *img;
    size_t n;
    char err[256];

    start(&v, "", "anjay_ef126.bin");
    /* a factory configuration committed earlier (a second server, SSID 101/102) */
    struct scb_bootstrap fb = v.b;
    fb.card = NULL;
    fb.factory_path = "data/multi_server_acl.json";
    assert_int_equal(scb_bootstrap_run(&fb, &res), 0);
    assert_true(res.factory_applied);
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_APPLIED);
    committed(&v, &c);
    size_t factory = count_prov(&c, SCB_PROV_FACTORY);
    assert_true(count_prov(&c, SCB_PROV_CARD) > 0);
    scb_committed_free(&c);
    /* the card's new data is inconsistent (SSID 0): its instances are disabled, nothing new */
    assert_int_equal(scb_factory_load("data/multi_server_acl.json", &img, &n, err, sizeof(err)), 0);
    free(img);
    const char bad[] = "{\"objects\":{\"0\":{\"instances\":{\"7\":{\"resources\":{\"0\":"
                       "\"coap://x\",\"1\":false,\"2\":3,\"10\":0}}}},\"1\":{\"instances\":{"
                       "\"7\":{\"resources\":{\"0\":0,\"1\":60,\"6\":false,\"7\":\"U\"}}}}}}";
    struct scb_config cfg;
    struct scb_buf out = {0};
    scb_config_init(&cfg);
    assert_int_equal(scb_config_from_json_text(bad, &cfg, err, sizeof(err)), 0);
    assert_int_equal(scb_bsfile_encode(&cfg, 0, &out), 0);
    assert_int_equal(scb_emu_set_file(v.e, 0x6432, out.data, out.len), 0);
    scb_buf_free(&out);
    scb_config_free(&cfg);
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_INVALID);
    int seen = 0;
    const struct scb_report *rep = scb_bootstrap_report(&v.b);
    for (size_t k = 0; k < rep->n; k++) {
        seen |= rep->v[k].id == SCB_RULE_SSID_OUT_OF_RANGE;
    }
    assert_true(seen);
    committed(&v, &c);
    assert_int_equal(count_prov(&c, SCB_PROV_CARD), 0);
    assert_int_equal(count_prov(&c, SCB_PROV_FACTORY), factory);
    assert_null(scb_object_instance(scb_config_object(&c.cfg, 0), 7));
    scb_committed_free(&c);
    /* good data again, then the card is pulled: only card instances go */
    set_card_file(&v, "data/anjay_ef126.bin");
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_APPLIED);
    scb_emu_remove(v.e);
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_REMOVED);
    committed(&v, &c);
    assert_int_equal(count_prov(&c, SCB_PROV_CARD), 0);
    assert_int_equal(count_prov(&c, SCB_PROV_FACTORY), factory);
    assert_false(c.card.valid);
    scb_committed_free(&c);
    stop(&v);
}

/* R4, one rule: a reader that is there and empty deletes the card's instances and the
 * sequence falls through to the factory step; an unreachable reader or pcscd keeps them. */
static void test_r4_empty_vs_unreachable(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    struct scb_committed c;

    start(&v, "", "anjay_ef126.bin");
    v.b.factory_path = "data/nrf_ef58.bin";
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_APPLIED);
    assert_false(res.factory_applied);
    /* pcscd gone (or the reader unplugged): unknown, the card's instances stay, no factory */
    struct scb_transport *gone = scb_transport_unreachable(SCB_E_NO_SERVICE);
    struct scb_card gc;
    scb_card_init(&gc, gone);
    v.b.card = &gc;
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_UNKNOWN);
    assert_string_equal(scb_card_outcome_name(res.card), "unknown");
    assert_false(res.factory_applied);
    committed(&v, &c);
    assert_true(c.card.valid);
    assert_true(count_prov(&c, SCB_PROV_CARD) > 0);
    assert_int_equal(count_prov(&c, SCB_PROV_FACTORY), 0);
    scb_committed_free(&c);
    assert_int_equal(gc.apdus, 0);
    scb_transport_free(&gone);
    /* the reader is back and empty (what `scboot apply` sees with no card): deleted, and
     * the factory configuration is committed in the same run */
    struct scb_transport *empty = scb_transport_empty_reader("Virtual PCD 00 00");
    struct scb_card ec;
    scb_card_init(&ec, empty);
    v.b.card = &ec;
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_REMOVED);
    assert_true(res.factory_applied);
    committed(&v, &c);
    assert_false(c.card.valid);
    assert_int_equal(count_prov(&c, SCB_PROV_CARD), 0);
    assert_true(count_prov(&c, SCB_PROV_FACTORY) > 0);
    scb_committed_free(&c);
    scb_transport_free(&empty);
    /* the card again, then pulled out of the emulated reader: the same rule */
    v.b.card = &v.card;
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_APPLIED);
    scb_emu_remove(v.e);
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_REMOVED);
    committed(&v, &c);
    assert_int_equal(count_prov(&c, SCB_PROV_CARD), 0);
    scb_committed_free(&c);
    stop(&v);
}

/* A reader that goes away together with the card, mid-read (USB reader unplugged): the read
 * fails "card removed", and then the reader itself cannot be asked. */
struct vanishing {
    struct scb_emu *e;
    unsigned left; /* APDUs served before the reader disappears */
    int gone;
};

static int van_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t cap,
                        size_t *rlen)
{
    struct vanishing *v = self;
    if (v->gone || v->left == 0) {
        v->gone = 1;
        return SCB_E_CARD_REMOVED;
    }
    v->left--;
    return scb_emu_transmit(v->e, cmd, clen, rsp, cap, rlen);
}

static int van_status(void *self, struct scb_card_status *st)
{
    struct vanishing *v = self;
    if (v->gone) {
        return SCB_E_READER_UNAVAILABLE;
    }
    st->present = 1;
    st->event_count = scb_emu_events(v->e) + 100; /* another event: read the card */
    return SCB_OK;
}

static void van_destroy(void *self)
{
    (void)self;
}

static const struct scb_transport_ops vanishing_ops = {
    .name = "vanishing", .transmit = van_transmit, .status = van_status, .destroy = van_destroy};

static void test_r4_reader_gone_mid_read(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    struct scb_committed c;

    start(&v, "", "anjay_ef126.bin");
    v.b.factory_path = "data/nrf_ef58.bin";
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_APPLIED);
    for (unsigned n = 0; n < 6; n++) {
        struct vanishing van = {.e = v.e, .left = n};
        struct scb_transport *t = scb_transport_new(&vanishing_ops, &van);
        struct scb_card vc;
        scb_card_init(&vc, t);
        v.b.card = &vc;
        assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
        assert_int_equal(res.card, SCB_CARD_UNKNOWN);
        assert_false(res.factory_applied);
        committed(&v, &c);
        assert_true(c.card.valid);
        assert_true(count_prov(&c, SCB_PROV_CARD) > 0);
        assert_int_equal(count_prov(&c, SCB_PROV_FACTORY), 0);
        scb_committed_free(&c);
        scb_transport_free(&t);
    }
    v.b.card = &v.card;
    stop(&v);
}

/* A card that is in the reader but does not answer (SCARD_W_UNRESPONSIVE_CARD: dirty contacts,
 * a mute card): present, so not R4's "reader there and empty"; unreadable, so its instances
 * stay (unknown) and the factory step does not replace them. Likewise when the reader cannot
 * even connect to it (apply and watch stand in scb_transport_unreachable(SCB_E_CARD_MUTE)). */
static int mute_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t cap,
                         size_t *rlen)
{
    (void)self, (void)cmd, (void)clen, (void)rsp, (void)cap, (void)rlen;
    return SCB_E_CARD_MUTE;
}

static int mute_status(void *self, struct scb_card_status *st)
{
    (void)self;
    st->present = 1;
    st->event_count = 12345; /* an event: the card must be read */
    return SCB_OK;
}

static const struct scb_transport_ops mute_ops = {
    .name = "mute", .transmit = mute_transmit, .status = mute_status, .destroy = van_destroy};

static void test_r4_mute_card_kept(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    struct scb_committed c;

    start(&v, "", "anjay_ef126.bin");
    v.b.factory_path = "data/nrf_ef58.bin";
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_APPLIED);
    struct scb_transport *ts[2] = {scb_transport_new(&mute_ops, NULL),
                                   scb_transport_unreachable(SCB_E_CARD_MUTE)};
    for (unsigned k = 0; k < 2; k++) {
        struct scb_card vc;
        assert_non_null(ts[k]);
        scb_card_init(&vc, ts[k]);
        v.b.card = &vc;
        assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
        assert_int_equal(res.card, SCB_CARD_UNKNOWN);
        assert_false(res.factory_applied);
        committed(&v, &c);
        assert_true(c.card.valid);
        assert_true(count_prov(&c, SCB_PROV_CARD) > 0);
        assert_int_equal(count_prov(&c, SCB_PROV_FACTORY), 0);
        scb_committed_free(&c);
        scb_transport_free(&ts[k]);
    }
    v.b.card = &v.card;
    stop(&v);
}

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

/* R3 without a reader event: data changed in place (another PC/SC client, OTA) does not move
 * the event counter. on-event misses it (0 APDUs), always catches it, every=D after D. */
static void test_verify_policy(void **state)
{
    (void)state;
    enum scb_verify_policy p;
    uint64_t ms;
    assert_int_equal(scb_verify_parse("on-event", &p, &ms), 0);
    assert_int_equal(p, SCB_VERIFY_ON_EVENT);
    assert_int_equal(scb_verify_parse("always", &p, &ms), 0);
    assert_int_equal(p, SCB_VERIFY_ALWAYS);
    assert_int_equal(scb_verify_parse("every=30", &p, &ms), 0);
    assert_int_equal(ms, 30000);
    assert_int_equal(scb_verify_parse("every=250ms", &p, &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(scb_verify_parse("every=5m", &p, &ms), 0);
    assert_int_equal(ms, 300000);
    assert_int_equal(scb_verify_parse("every=2h", &p, &ms), 0);
    assert_int_equal(ms, 7200000);
    static const char *bad[] = {"", "sometimes", "every=", "every=0", "every=-1", "every=5x",
                                "every=99999999999999999999", "every=s", "Always"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        assert_int_equal(scb_verify_parse(bad[k], &p, &ms), SCB_E_INVALID_ARG);
    }

    for (int policy = 0; policy < 3; policy++) {
        struct env v;
        struct scb_run_result res;
        enum scb_card_outcome o;
        start(&v, "", "anjay_ef126.bin");
        fake_now = 1000000;
        v.b.clock_ms = fake_clock;
        v.b.verify = (enum scb_verify_policy)policy;
        v.b.verify_every_ms = 10000;
        assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
        assert_int_equal(res.card, SCB_CARD_APPLIED);
        uint32_t ev = scb_emu_events(v.e);
        set_card_file(&v, "data/nrf_ef58.bin"); /* changed in place: no reader event */
        assert_int_equal(scb_emu_events(v.e), ev);
        fake_now += 5000;
        assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
        if (policy == SCB_VERIFY_ALWAYS) {
            assert_int_equal(o, SCB_CARD_CHANGED); /* caught */
            print_message("# verify=always: change caught with %u APDUs\n", scb_bootstrap_last_apdus(&v.b));
            assert_true(scb_bootstrap_last_apdus(&v.b) > 0 && scb_bootstrap_last_apdus(&v.b) <= 12);
            /* and an unchanged card costs the same re-read, every time */
            assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
            assert_int_equal(o, SCB_CARD_UNCHANGED);
            print_message("# verify=always: unchanged card, %u APDUs per check\n",
                          scb_bootstrap_last_apdus(&v.b));
            assert_true(scb_bootstrap_last_apdus(&v.b) > 0);
        } else {
            assert_int_equal(o, SCB_CARD_UNCHANGED); /* missed: no event, no APDU */
            assert_int_equal(scb_bootstrap_last_apdus(&v.b), 0);
            fake_now += 6000; /* 11 s after the read */
            assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
            if (policy == SCB_VERIFY_EVERY) {
                assert_int_equal(o, SCB_CARD_CHANGED); /* caught once the period is over */
                assert_true(scb_bootstrap_last_apdus(&v.b) > 0);
                /* and quiet again for the next period */
                fake_now += 1000;
                assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
                assert_int_equal(o, SCB_CARD_UNCHANGED);
                assert_int_equal(scb_bootstrap_last_apdus(&v.b), 0);
            } else {
                assert_int_equal(o, SCB_CARD_UNCHANGED); /* on-event: still missed */
                assert_int_equal(scb_bootstrap_last_apdus(&v.b), 0);
                /* a reader event makes it read and see the change */
                scb_emu_reset(v.e);
                assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
                assert_int_equal(o, SCB_CARD_CHANGED);
            }
        }
        stop(&v);
    }
}

static void test_fall_through(void **state)
{
    (void)state;
    static const struct {
        const char *extra, *file, *why;
        int remove;
        int no_acl;
    } cases[] = {
        {"", "anjay_ef126.bin", "no card", 1, 0},
        {"\"pin\":{\"value\":\"1234\"},", "anjay_ef126.bin", "PIN", 0, 0},
        {"", "/tmp/scb-seq-msa1.bin", "inconsistent", 0, 1},
        {"", "/tmp/scb-seq-corrupt.bin", "malformed", 0, 0},
    };
    FILE *f = fopen("/tmp/scb-seq-corrupt.bin", "wb");
    fwrite("\x00\x01\x00\x09\x00\x00\x00\x00\x09", 1, 9, f);
    fclose(f);
    /* the change request's example as a card image */
    struct scb_config cfg;
    struct scb_buf out = {0};
    uint8_t *img;
    size_t n;
    char err[256];
    assert_int_equal(scb_factory_load("data/multi_server_acl.json", &img, &n, err, sizeof(err)), 0);
    f = fopen("/tmp/scb-seq-msa1.bin", "wb");
    fwrite(img, 1, n, f);
    fclose(f);
    free(img);
    (void)cfg;
    (void)out;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct env v;
        struct scb_run_result res;
        char extra[128];
        snprintf(extra, sizeof(extra), "%s%s", cases[k].extra,
                 strstr(cases[k].extra, "pin") ? "" : "");
        if (strstr(cases[k].extra, "pin")) {
            /* a PIN-protected bootstrap file and no PIN given */
            char json[512];
            memset(&v, 0, sizeof(v));
            start(&v, "", "anjay_ef126.bin");
            scb_transport_free(&v.t);
            scb_emu_free(&v.e);
            snprintf(json, sizeof(json),
                     "{\"pin\":{\"value\":\"1234\"},\"lwm2m\":{\"file\":\"anjay_ef126.bin\","
                     "\"read\":\"pin\"}}");
            assert_int_equal(scb_emu_load_json(json, "data", &v.e, err, sizeof(err)), 0);
            v.t = scb_emu_transport(v.e);
            scb_card_init(&v.card, v.t);
        } else {
            start(&v, "", cases[k].file);
        }
        if (cases[k].remove) {
            scb_emu_remove(v.e);
        }
        if (cases[k].no_acl) {
            scb_profile_no_acl(&v.b.profile);
        }
        v.b.factory_path = "data/nrf_ef58.bin";
        assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
        if (!res.factory_applied) {
            fail_msg("%s: factory not applied (card %s)", cases[k].why,
                     scb_card_outcome_name(res.card));
        }
        assert_true(res.needs_network_bootstrap); /* the factory file is BS-only */
        stop(&v);
    }
    unlink("/tmp/scb-seq-corrupt.bin");
    unlink("/tmp/scb-seq-msa1.bin");
}

/* A PIN the card refused is not presented again: every re-check (an R5 check before each
 * Update, a daemon's SIGHUP or --verify period) would use up one of the card's three tries. */
static void test_wrong_pin_presented_once(void **state)
{
    (void)state;
    struct env v;
    enum scb_card_outcome o;
    char err[256];
    start(&v, "", "anjay_ef126.bin");
    scb_transport_free(&v.t);
    scb_emu_free(&v.e);
    assert_int_equal(scb_emu_load_json("{\"pin\":{\"value\":\"1234\"},\"lwm2m\":{\"file\":"
                                       "\"anjay_ef126.bin\",\"read\":\"pin\"}}",
                                       "data", &v.e, err, sizeof(err)),
                     0);
    v.t = scb_emu_transport(v.e);
    scb_card_init(&v.card, v.t);
    v.b.verify = SCB_VERIFY_ALWAYS;
    v.b.ro.pin = "9999";
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_UNREADABLE);
    assert_null(v.b.ro.pin); /* dropped: never presented again by this context */
    for (int k = 0; k < 4; k++) {
        assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
        assert_int_equal(o, SCB_CARD_UNREADABLE);
    }
    /* one try was used, not five: the right PIN still opens the card */
    v.b.ro.pin = "1234";
    assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
    assert_int_equal(o, SCB_CARD_APPLIED);
    assert_non_null(v.b.ro.pin);
    stop(&v);
}

/* Card and factory: the same bytes get the same verdict, from the same validator. */
static void test_one_validator(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    uint8_t *img;
    size_t n;
    char err[256];
    assert_int_equal(scb_factory_load("data/multi_server_acl.json", &img, &n, err, sizeof(err)), 0);
    FILE *f = fopen("/tmp/scb-seq-msa2.bin", "wb");
    fwrite(img, 1, n, f);
    fclose(f);
    free(img);
    start(&v, "", "/tmp/scb-seq-msa2.bin");
    scb_profile_no_acl(&v.b.profile);
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_int_equal(res.card, SCB_CARD_INVALID);
    struct scb_report card_rep = v.b.report;
    memset(&v.b.report, 0, sizeof(v.b.report));
    /* now the same bytes as the factory configuration, no card */
    scb_emu_remove(v.e);
    v.b.factory_path = "/tmp/scb-seq-msa2.bin";
    assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
    assert_true(res.factory_rejected);
    assert_int_equal(v.b.report.n, card_rep.n);
    for (size_t k = 0; k < card_rep.n; k++) {
        assert_string_equal(v.b.report.v[k].rule, card_rep.v[k].rule);
        assert_string_equal(v.b.report.v[k].path, card_rep.v[k].path);
        assert_string_equal(v.b.report.v[k].message, card_rep.v[k].message);
    }
    assert_string_equal(card_rep.v[0].rule, "multi-server-unsupported");
    scb_report_free(&card_rep);
    stop(&v);
    unlink("/tmp/scb-seq-msa2.bin");
}

/* The change check under every fault at every APDU of its re-read: a clean outcome, never a
 * partial commit (the committed file hash is the old one or the new one). */
static void test_check_fault_sweep(void **state)
{
    (void)state;
    unsigned covered = 0;
    for (int kind = SCB_EMU_FAULT_REMOVE; kind <= SCB_EMU_FAULT_SW; kind++) {
        for (unsigned i = 0; i < 12; i++) {
            struct env v;
            struct scb_run_result res;
            enum scb_card_outcome o;
            struct scb_committed before, after;
            start(&v, "", "anjay_ef126.bin");
            assert_int_equal(scb_bootstrap_run(&v.b, &res), 0);
            committed(&v, &before);
            set_card_file(&v, "data/nrf_ef58.bin");
            scb_emu_reset(v.e);
            scb_emu_set_fault(v.e, (enum scb_emu_fault)kind, kind == SCB_EMU_FAULT_SW ? i + 1 : i,
                              0x6F00);
            assert_int_equal(scb_bootstrap_check_card(&v.b, &o), 0);
            committed(&v, &after);
            int same = memcmp(before.card.sha256, after.card.sha256, 32) == 0 &&
                       after.generation == before.generation;
            int removed = !after.card.valid && o == SCB_CARD_REMOVED;
            int changed = after.card.valid && o == SCB_CARD_CHANGED;
            int unreadable = o == SCB_CARD_UNREADABLE && same;
            if (!(removed || changed || unreadable)) {
                fail_msg("fault %d at %u: outcome %s, generation %llu -> %llu", kind, i,
                         scb_card_outcome_name(o), (unsigned long long)before.generation,
                         (unsigned long long)after.generation);
            }
            scb_committed_free(&before);
            scb_committed_free(&after);
            stop(&v);
            covered++;
        }
    }
    print_message("# change-check fault sweep: %u fault points\n", covered);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_cycle),
        cmocka_unit_test(test_invalid_and_removed_keep_factory),
        cmocka_unit_test(test_fall_through),
        cmocka_unit_test(test_one_validator),
        cmocka_unit_test(test_check_fault_sweep),
        cmocka_unit_test(test_r4_empty_vs_unreachable),
        cmocka_unit_test(test_r4_reader_gone_mid_read),
        cmocka_unit_test(test_r4_mute_card_kept),
        cmocka_unit_test(test_verify_policy),
        cmocka_unit_test(test_wrong_pin_presented_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

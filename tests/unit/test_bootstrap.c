/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_bootstrap.c: change detection and the bootstrap sequence on the emulated card: 0 APDUs
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

#include "scboot/bsfile.h"
#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/json.h"
#include "scboot/bootstrap.h"
#include "scboot/tlv.h"
#include "scboot/util.h"

struct env {
    char dir[64];
    struct scb_emu *e;
    struct scb_transport *t;
    struct scb_card *card;
    struct scb_store *st;
    struct scb_bootstrap_opts bo;
    struct scb_bootstrap *b;
    int notified;
    enum scb_bootstrap_outcome last;
};

static void on_notify(void *ctx, enum scb_bootstrap_outcome o, const struct scb_committed *c)
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
    scb_card_free(&v->card);
    assert_int_equal(scb_card_new(v->t, &v->card), 0);
    assert_int_equal(scb_store_open(v->dir, 0, &v->st, err, sizeof(err)), 0);
    scb_bootstrap_opts_init(&v->bo);
    v->bo.store = v->st;
    v->bo.card = v->card;
    v->bo.reader_name = "test";
    v->bo.notify = on_notify;
    v->bo.notify_ctx = v;
    assert_int_equal(scb_bootstrap_new(&v->bo, &v->b), 0);
    assert_non_null(v->b);
}

/* start() with the anjay card and the nRF factory file, and the first run applying the card */
static void start_card_applied(struct env *v, struct scb_run_result *res)
{
    start(v, "", "anjay_ef126.bin");
    assert_int_equal(scb_bootstrap_set_factory(v->b, "data/nrf_ef58.bin"), 0);
    assert_int_equal(scb_bootstrap_run(v->b, res, NULL, 0), 0);
    assert_int_equal(res->card, SCB_BOOTSTRAP_CARD_APPLIED);
}

/* A fresh context from v->bo (after changing options that have no setter). */
static void renew(struct env *v)
{
    scb_bootstrap_free(&v->b);
    assert_null(v->b);
    assert_int_equal(scb_bootstrap_new(&v->bo, &v->b), 0);
}

static void stop(struct env *v)
{
    char cmd[96];
    scb_bootstrap_free(&v->b);
    scb_store_free(&v->st);
    scb_card_free(&v->card);
    scb_transport_free(&v->t);
    scb_emu_free(&v->e);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", v->dir);
    assert_int_equal(system(cmd), 0);
}

static void committed(struct env *v, struct scb_committed *c)
{
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_store_load(v->st, c, err, sizeof(err)), 0);
}

static size_t count_prov(const struct scb_committed *c, enum scb_source p)
{
    size_t n = 0;
    for (size_t k = 0; k < c->nprov; k++) {
        n += c->prov[k].prov == p;
    }
    return n;
}

/* Another card (ICCID) in the reader: the check says swapped, *c is what it committed. */
static void swap_card(struct env *v, const char *iccid, struct scb_committed *c)
{
    enum scb_bootstrap_outcome o;
    assert_int_equal(scb_emu_set_iccid(v->e, iccid), 0);
    assert_int_equal(scb_bootstrap_check_card(v->b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_SWAPPED);
    committed(v, c);
    assert_string_equal(c->card.iccid, iccid);
}

static void set_card_file(struct env *v, const char *path)
{
    uint8_t *d;
    size_t n;
    assert_int_equal(scb_util_read_file(path, 40000, &d, &n), 0);
    assert_int_equal(scb_emu_set_file(v->e, 0x6432, d, n), 0);
    free(d);
}

/* The card's bootstrap file made from the JSON shape of a configuration. */
static void set_card_json(struct env *v, const char *json)
{
    char err[SCB_ERR_MAX];
    struct scb_config cfg;
    struct scb_buf out = {0};
    scb_config_init(&cfg);
    assert_int_equal(scb_config_from_json_text(json, &cfg, err, sizeof(err)), 0);
    assert_int_equal(scb_bsfile_encode(&cfg, 0, &out), 0);
    assert_int_equal(scb_emu_set_file(v->e, 0x6432, out.data, out.len), 0);
    scb_buf_free(&out);
    scb_config_free(&cfg);
}

/* SSID 0 in a server account: rejected (ssid-out-of-range) */
static const char bad_ssid_json[] =
    "{\"objects\":{\"0\":{\"instances\":{\"7\":{\"resources\":{\"0\":"
    "\"coap://x\",\"1\":false,\"2\":3,\"10\":0}}}},\"1\":{\"instances\":{"
    "\"7\":{\"resources\":{\"0\":0,\"1\":60,\"6\":false,\"7\":\"U\"}}}}}}";

static void test_check_cycle(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    enum scb_bootstrap_outcome o;
    struct scb_committed c;

    start_card_applied(&v, &res);
    assert_false(res.factory_applied); /* configured from the card: no factory step */
    assert_false(res.needs_network_bootstrap);
    /* R5 check with no card event: not a single APDU */
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED);
    assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);
    /* an event, same data: re-read along the known path, unchanged */
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED);
    print_message("# re-check after a card event: %u APDUs\n", scb_bootstrap_last_apdus(v.b));
    assert_true(scb_bootstrap_last_apdus(v.b) > 0 && scb_bootstrap_last_apdus(v.b) <= 10);
    /* the data changed (e.g. OTA, then the card was reset) */
    set_card_file(&v, "data/nrf_ef58.bin");
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_CHANGED);
    assert_int_equal(v.last, SCB_BOOTSTRAP_CARD_CHANGED);
    committed(&v, &c);
    assert_non_null(scb_object_instance(scb_config_object(&c.cfg, 0), 0)); /* the new BS */
    assert_null(scb_config_object(&c.cfg, 1));                             /* old server gone */
    scb_committed_free(&c);
    /* another card */
    swap_card(&v, "89000000000000000001", &c);
    scb_committed_free(&c);
    stop(&v);
}

static void test_invalid_and_removed_keep_factory(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    enum scb_bootstrap_outcome o;
    struct scb_committed c;
    uint8_t *img;
    size_t n;
    char err[SCB_ERR_MAX];

    start(&v, "", "anjay_ef126.bin");
    /* a factory configuration committed earlier (a second server, SSID 101/102) */
    struct scb_bootstrap_opts fo = v.bo;
    struct scb_bootstrap *fb = NULL;
    fo.card = NULL;
    fo.factory_path = "data/multi_server_acl.json";
    assert_int_equal(scb_bootstrap_new(&fo, &fb), 0);
    assert_int_equal(scb_bootstrap_run(fb, &res, NULL, 0), 0);
    assert_true(res.factory_applied);
    scb_bootstrap_free(&fb);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
    committed(&v, &c);
    size_t factory = count_prov(&c, SCB_SRC_FACTORY);
    assert_true(count_prov(&c, SCB_SRC_CARD) > 0);
    scb_committed_free(&c);
    /* the card's new data is inconsistent (SSID 0): its instances are disabled, nothing new */
    assert_int_equal(scb_bootstrap_factory_load("data/multi_server_acl.json", &img, &n, err, sizeof(err)), 0);
    free(img);
    set_card_json(&v, bad_ssid_json);
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_INVALID);
    int seen = 0;
    const struct scb_report *rep = scb_bootstrap_report(v.b);
    for (size_t k = 0; k < rep->n; k++) {
        seen |= rep->v[k].id == SCB_RULE_SSID_OUT_OF_RANGE;
    }
    assert_true(seen);
    committed(&v, &c);
    assert_int_equal(count_prov(&c, SCB_SRC_CARD), 0);
    assert_int_equal(count_prov(&c, SCB_SRC_FACTORY), factory);
    assert_null(scb_object_instance(scb_config_object(&c.cfg, 0), 7));
    scb_committed_free(&c);
    /* good data again, then the card is pulled: only card instances go */
    set_card_file(&v, "data/anjay_ef126.bin");
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_APPLIED);
    scb_emu_remove(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_REMOVED);
    committed(&v, &c);
    assert_int_equal(count_prov(&c, SCB_SRC_CARD), 0);
    assert_int_equal(count_prov(&c, SCB_SRC_FACTORY), factory);
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

    start_card_applied(&v, &res);
    assert_false(res.factory_applied);
    /* pcscd gone (or the reader unplugged): unknown, the card's instances stay, no factory */
    struct scb_transport *gone = scb_transport_unreachable(SCB_E_NO_SERVICE);
    struct scb_card *gc = NULL;
    assert_int_equal(scb_card_new(gone, &gc), 0);
    assert_int_equal(scb_bootstrap_set_card(v.b, gc, NULL), 0);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_UNKNOWN);
    assert_string_equal(scb_bootstrap_outcome_name(res.card), "unknown");
    assert_false(res.factory_applied);
    committed(&v, &c);
    assert_true(c.card.valid);
    assert_true(count_prov(&c, SCB_SRC_CARD) > 0);
    assert_int_equal(count_prov(&c, SCB_SRC_FACTORY), 0);
    scb_committed_free(&c);
    assert_int_equal(scb_card_apdus(gc), 0);
    scb_card_free(&gc);
    scb_transport_free(&gone);
    /* the reader is back and empty (what `scboot apply` sees with no card): deleted, and
     * the factory configuration is committed in the same run */
    struct scb_transport *empty = scb_transport_empty_reader("Virtual PCD 00 00");
    struct scb_card *ec = NULL;
    assert_int_equal(scb_card_new(empty, &ec), 0);
    assert_int_equal(scb_bootstrap_set_card(v.b, ec, NULL), 0);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_REMOVED);
    assert_true(res.factory_applied);
    committed(&v, &c);
    assert_false(c.card.valid);
    assert_int_equal(count_prov(&c, SCB_SRC_CARD), 0);
    assert_true(count_prov(&c, SCB_SRC_FACTORY) > 0);
    scb_committed_free(&c);
    scb_card_free(&ec);
    scb_transport_free(&empty);
    /* the card again, then pulled out of the emulated reader: the same rule */
    assert_int_equal(scb_bootstrap_set_card(v.b, v.card, NULL), 0);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
    scb_emu_remove(v.e);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_REMOVED);
    committed(&v, &c);
    assert_int_equal(count_prov(&c, SCB_SRC_CARD), 0);
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

/* One run with the card session on t (a stand-in whose card cannot be read): the card's state
 * is unknown, so its instances and fingerprint stay and the factory step replaces nothing. */
static void run_card_kept(struct env *v, struct scb_transport *t)
{
    struct scb_run_result res;
    struct scb_committed c;
    struct scb_card *vc = NULL;
    assert_int_equal(scb_card_new(t, &vc), 0);
    assert_int_equal(scb_bootstrap_set_card(v->b, vc, NULL), 0);
    assert_int_equal(scb_bootstrap_run(v->b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_UNKNOWN);
    assert_false(res.factory_applied);
    committed(v, &c);
    assert_true(c.card.valid);
    assert_true(count_prov(&c, SCB_SRC_CARD) > 0);
    assert_int_equal(count_prov(&c, SCB_SRC_FACTORY), 0);
    scb_committed_free(&c);
    scb_card_free(&vc);
}

static void test_r4_reader_gone_mid_read(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;

    start_card_applied(&v, &res);
    for (unsigned n = 0; n < 6; n++) {
        struct vanishing van = {.e = v.e, .left = n};
        struct scb_transport *t = scb_transport_new(&vanishing_ops, &van);
        run_card_kept(&v, t);
        scb_transport_free(&t);
    }
    assert_int_equal(scb_bootstrap_set_card(v.b, v.card, NULL), 0);
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

    start_card_applied(&v, &res);
    struct scb_transport *ts[2] = {scb_transport_new(&mute_ops, NULL),
                                   scb_transport_unreachable(SCB_E_CARD_MUTE)};
    for (unsigned k = 0; k < 2; k++) {
        assert_non_null(ts[k]);
        run_card_kept(&v, ts[k]);
        scb_transport_free(&ts[k]);
    }
    assert_int_equal(scb_bootstrap_set_card(v.b, v.card, NULL), 0);
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
    assert_int_equal(scb_bootstrap_verify_parse("on-event", &p, &ms), 0);
    assert_int_equal(p, SCB_VERIFY_ON_EVENT);
    assert_int_equal(scb_bootstrap_verify_parse("always", &p, &ms), 0);
    assert_int_equal(p, SCB_VERIFY_ALWAYS);
    assert_int_equal(scb_bootstrap_verify_parse("every=30", &p, &ms), 0);
    assert_int_equal(ms, 30000);
    assert_int_equal(scb_bootstrap_verify_parse("every=250ms", &p, &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(scb_bootstrap_verify_parse("every=5m", &p, &ms), 0);
    assert_int_equal(ms, 300000);
    assert_int_equal(scb_bootstrap_verify_parse("every=2h", &p, &ms), 0);
    assert_int_equal(ms, 7200000);
    static const char *bad[] = {"", "sometimes", "every=", "every=0", "every=-1", "every=5x",
                                "every=99999999999999999999", "every=s", "Always"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        assert_int_equal(scb_bootstrap_verify_parse(bad[k], &p, &ms), SCB_E_INVALID_ARG);
    }

    for (int policy = 0; policy < 3; policy++) {
        struct env v;
        struct scb_run_result res;
        enum scb_bootstrap_outcome o;
        start(&v, "", "anjay_ef126.bin");
        fake_now = 1000000;
        v.bo.clock_ms = fake_clock;
        v.bo.verify = (enum scb_verify_policy)policy;
        v.bo.verify_every_ms = 10000;
        renew(&v);
        assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
        assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
        uint32_t ev = scb_emu_events(v.e);
        set_card_file(&v, "data/nrf_ef58.bin"); /* changed in place: no reader event */
        assert_int_equal(scb_emu_events(v.e), ev);
        fake_now += 5000;
        assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
        if (policy == SCB_VERIFY_ALWAYS) {
            assert_int_equal(o, SCB_BOOTSTRAP_CARD_CHANGED); /* caught */
            print_message("# verify=always: change caught with %u APDUs\n", scb_bootstrap_last_apdus(v.b));
            assert_true(scb_bootstrap_last_apdus(v.b) > 0 && scb_bootstrap_last_apdus(v.b) <= 12);
            /* and an unchanged card costs the same re-read, every time */
            assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
            assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED);
            print_message("# verify=always: unchanged card, %u APDUs per check\n",
                          scb_bootstrap_last_apdus(v.b));
            assert_true(scb_bootstrap_last_apdus(v.b) > 0);
        } else {
            assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED); /* missed: no event, no APDU */
            assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);
            fake_now += 6000; /* 11 s after the read */
            assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
            if (policy == SCB_VERIFY_EVERY) {
                /* caught once the period is over */
                assert_int_equal(o, SCB_BOOTSTRAP_CARD_CHANGED);
                assert_true(scb_bootstrap_last_apdus(v.b) > 0);
                /* and quiet again for the next period */
                fake_now += 1000;
                assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
                assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED);
                assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);
            } else {
                assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED); /* on-event: still missed */
                assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);
                /* a reader event makes it read and see the change */
                scb_emu_reset(v.e);
                assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
                assert_int_equal(o, SCB_BOOTSTRAP_CARD_CHANGED);
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
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_bootstrap_factory_load("data/multi_server_acl.json", &img, &n, err, sizeof(err)), 0);
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
            scb_card_set_transport(v.card, v.t); /* the same session, the new card */
        } else {
            start(&v, "", cases[k].file);
        }
        if (cases[k].remove) {
            scb_emu_remove(v.e);
        }
        if (cases[k].no_acl) {
            struct scb_profile np;
            scb_profile_no_acl(&np);
            assert_int_equal(scb_bootstrap_set_profile(v.b, &np), 0);
        }
        assert_int_equal(scb_bootstrap_set_factory(v.b, "data/nrf_ef58.bin"), 0);
        assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
        if (!res.factory_applied) {
            fail_msg("%s: factory not applied (card %s)", cases[k].why,
                     scb_bootstrap_outcome_name(res.card));
        }
        assert_true(res.needs_network_bootstrap); /* the factory file is BS-only */
        stop(&v);
    }
    unlink("/tmp/scb-seq-corrupt.bin");
    unlink("/tmp/scb-seq-msa1.bin");
}

/* A PIN the card refused is not presented again: every re-check (an R5 check before each
 * Update, a daemon's SIGHUP or --verify period) would use up one of the card's three tries. */
/* The VERIFY PIN commands the emulated card has received since its log was cleared. */
static unsigned verify_count(const struct scb_emu *e)
{
    unsigned n = 0;
    for (size_t i = 0; i < scb_emu_log_count(e); i++) {
        const uint8_t *cmd, *rsp;
        size_t clen, rlen;
        assert_int_equal(scb_emu_log_entry(e, i, &cmd, &clen, &rsp, &rlen), 0);
        n += clen >= 4 && cmd[1] == 0x20;
    }
    return n;
}

/* A PIN the card refused is never presented again by the context: a daemon re-checking at
 * every event, SIGHUP or --verify period would otherwise block the SIM in three checks. */
static void test_wrong_pin_presented_once(void **state)
{
    (void)state;
    struct env v;
    enum scb_bootstrap_outcome o;
    char err[SCB_ERR_MAX];
    start(&v, "", "anjay_ef126.bin");
    scb_bootstrap_free(&v.b);
    scb_card_free(&v.card);
    scb_transport_free(&v.t);
    scb_emu_free(&v.e);
    assert_int_equal(scb_emu_load_json("{\"pin\":{\"value\":\"1234\"},\"lwm2m\":{\"file\":"
                                       "\"anjay_ef126.bin\",\"read\":\"pin\"}}",
                                       "data", &v.e, err, sizeof(err)),
                     0);
    v.t = scb_emu_transport(v.e);
    assert_int_equal(scb_card_new(v.t, &v.card), 0);
    v.bo.card = v.card;
    v.bo.verify = SCB_VERIFY_ALWAYS;
    v.bo.ro.pin = "9999";
    assert_int_equal(scb_bootstrap_new(&v.bo, &v.b), 0);
    scb_emu_log_clear(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNREADABLE);
    assert_int_equal(verify_count(v.e), 1);
    /* the typed reason: the PIN step, the card's 63Cx and the tries it left */
    const struct scb_card_reason *why = scb_bootstrap_card_reason(v.b);
    assert_int_equal(why->err, SCB_E_PIN_WRONG);
    assert_int_equal(why->step, SCB_CARD_STEP_PIN);
    assert_string_equal(scb_card_step_name(why->step), "pin");
    assert_int_equal(why->sw, 0x63C2);
    assert_int_equal(why->pin_tries_left, 2);
    assert_non_null(strstr(why->detail, "wrong PIN, 2 tries left"));
    for (int k = 0; k < 4; k++) {
        assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
        assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNREADABLE);
        /* the PIN was dropped: the card now wants one, nothing was sent for it */
        why = scb_bootstrap_card_reason(v.b);
        assert_int_equal(why->err, SCB_E_PIN_REQUIRED);
        assert_int_equal(why->step, SCB_CARD_STEP_PIN);
    }
    assert_int_equal(verify_count(v.e), 1); /* dropped: never presented again */
    /* one try was used, not five: the right PIN, given anew, still opens the card */
    assert_int_equal(scb_bootstrap_set_pin(v.b, "1234"), 0);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_APPLIED);
    why = scb_bootstrap_card_reason(v.b);
    assert_int_equal(why->err, SCB_OK);
    assert_int_equal(why->step, SCB_CARD_STEP_NONE);
    assert_int_equal(why->sw, 0);
    assert_int_equal(why->pin_tries_left, -1);
    assert_string_equal(why->detail, "");
    assert_non_null(scb_bootstrap_card_reason(NULL));
    stop(&v);
}

/* A check or run that fails says why in the caller's err, the line the store wrote; a card
 * it cannot read is no failure (the typed reason says why). */
static void test_failure_in_err(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    enum scb_bootstrap_outcome o;
    char err[SCB_ERR_MAX], path[128];
    start(&v, "", "anjay_ef126.bin");
    assert_int_equal(scb_bootstrap_run(v.b, &res, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    snprintf(path, sizeof(path), "%s/config.json", v.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[]", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(scb_bootstrap_run(v.b, &res, err, sizeof(err)), SCB_E_PARSE);
    assert_non_null(strstr(err, "damaged store: "));
    assert_non_null(strstr(err, path));
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, err, sizeof(err)), SCB_E_PARSE);
    assert_non_null(strstr(err, "damaged store: "));
    /* NULL err is allowed */
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), SCB_E_PARSE);
    /* a failure without a line of its own: the error's text */
    assert_int_equal(scb_bootstrap_run(NULL, &res, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_string_equal(err, scb_error_string(SCB_E_INVALID_ARG));
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
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_bootstrap_factory_load("data/multi_server_acl.json", &img, &n, err, sizeof(err)), 0);
    FILE *f = fopen("/tmp/scb-seq-msa2.bin", "wb");
    fwrite(img, 1, n, f);
    fclose(f);
    free(img);
    start(&v, "", "/tmp/scb-seq-msa2.bin");
    scb_profile_no_acl(&v.bo.profile);
    renew(&v);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_INVALID);
    const struct scb_report *card_rep = scb_bootstrap_report(v.b);
    /* now the same bytes as the factory configuration, no card, in a second context (the
     * card's report stays in the first) */
    scb_emu_remove(v.e);
    struct scb_bootstrap_opts fo = v.bo;
    struct scb_bootstrap *fb = NULL;
    fo.factory_path = "/tmp/scb-seq-msa2.bin";
    assert_int_equal(scb_bootstrap_new(&fo, &fb), 0);
    assert_int_equal(scb_bootstrap_run(fb, &res, NULL, 0), 0);
    assert_true(res.factory_rejected);
    const struct scb_report *fac_rep = scb_bootstrap_report(fb);
    assert_int_equal(fac_rep->n, card_rep->n);
    for (size_t k = 0; k < card_rep->n; k++) {
        assert_string_equal(fac_rep->v[k].rule, card_rep->v[k].rule);
        assert_string_equal(fac_rep->v[k].path, card_rep->v[k].path);
        assert_string_equal(fac_rep->v[k].message, card_rep->v[k].message);
    }
    assert_string_equal(card_rep->v[0].rule, "multi-server-unsupported");
    scb_bootstrap_free(&fb);
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
            enum scb_bootstrap_outcome o;
            struct scb_committed before, after;
            start(&v, "", "anjay_ef126.bin");
            assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
            committed(&v, &before);
            set_card_file(&v, "data/nrf_ef58.bin");
            scb_emu_reset(v.e);
            scb_emu_set_fault(v.e, (enum scb_emu_fault)kind, kind == SCB_EMU_FAULT_SW ? i + 1 : i,
                              0x6F00);
            assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
            committed(&v, &after);
            int same = memcmp(before.card.sha256, after.card.sha256, 32) == 0 &&
                       after.generation == before.generation;
            int removed = !after.card.valid && o == SCB_BOOTSTRAP_CARD_REMOVED;
            int changed = after.card.valid && o == SCB_BOOTSTRAP_CARD_CHANGED;
            int unreadable = o == SCB_BOOTSTRAP_CARD_UNREADABLE && same;
            if (!(removed || changed || unreadable)) {
                fail_msg("fault %d at %u: outcome %s, generation %llu -> %llu", kind, i,
                         scb_bootstrap_outcome_name(o), (unsigned long long)before.generation,
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

/* The opaque context: NULL arguments are refused, free is NULL-safe, every setter takes
 * effect at the next check. */
static void test_handle_api(void **state)
{
    (void)state;
    struct scb_bootstrap_opts o;
    struct scb_bootstrap *b = (struct scb_bootstrap *)&o; /* must be set to NULL on error */
    struct scb_profile p;
    enum scb_bootstrap_outcome out;
    struct scb_run_result res;

    scb_bootstrap_opts_init(&o);
    assert_int_equal(o.verify, SCB_VERIFY_ON_EVENT);
    scb_profile_default(&p);
    assert_memory_equal(&o.profile, &p, sizeof(p));
    assert_null(o.store);
    assert_null(o.card);
    scb_bootstrap_opts_init(NULL);
    assert_int_equal(scb_bootstrap_new(&o, &b), SCB_E_INVALID_ARG); /* no store */
    assert_null(b);
    assert_int_equal(scb_bootstrap_new(NULL, &b), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_new(&o, NULL), SCB_E_INVALID_ARG);
    scb_bootstrap_free(NULL);
    scb_bootstrap_free(&b);
    assert_null(b);
    assert_int_equal(scb_bootstrap_set_card(NULL, NULL, "x"), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_set_pin(NULL, "1234"), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_set_factory(NULL, "f"), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_set_profile(NULL, &p), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_set_verify(NULL, SCB_VERIFY_ALWAYS, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_force_read(NULL), SCB_E_INVALID_ARG);
    assert_null(scb_bootstrap_report(NULL));
    assert_int_equal(scb_bootstrap_last_apdus(NULL), 0);
    assert_int_equal(scb_bootstrap_check_card(NULL, &out, NULL, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_run(NULL, &res, NULL, 0), SCB_E_INVALID_ARG);

    struct env v;
    struct scb_committed c;
    char json[512], err[256];
    start(&v, "", "anjay_ef126.bin");
    assert_int_equal(scb_bootstrap_check_card(v.b, NULL, NULL, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_run(v.b, NULL, NULL, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_set_profile(v.b, NULL), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_set_verify(v.b, SCB_VERIFY_EVERY, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_bootstrap_set_verify(v.b, (enum scb_verify_policy)7, 1), SCB_E_INVALID_ARG);
    v.bo.verify = SCB_VERIFY_EVERY; /* EVERY needs a period */
    assert_int_equal(scb_bootstrap_new(&v.bo, &b), SCB_E_INVALID_ARG);
    assert_null(b);
    v.bo.verify = SCB_VERIFY_ON_EVENT;

    /* the options are copied: changing them after new() changes nothing */
    char name[16] = "first";
    v.bo.reader_name = name;
    renew(&v);
    snprintf(name, sizeof(name), "scribbled");
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
    committed(&v, &c);
    assert_string_equal(c.card.reader, "first");
    scb_committed_free(&c);

    /* force_read: the next check reads although the reader saw no event */
    assert_int_equal(scb_bootstrap_check_card(v.b, &out, NULL, 0), 0);
    assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);
    assert_int_equal(scb_bootstrap_force_read(v.b), SCB_OK);
    assert_int_equal(scb_bootstrap_check_card(v.b, &out, NULL, 0), 0);
    assert_int_equal(out, SCB_BOOTSTRAP_CARD_UNCHANGED);
    assert_true(scb_bootstrap_last_apdus(v.b) > 0);
    assert_int_equal(scb_bootstrap_check_card(v.b, &out, NULL, 0), 0);
    assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);

    /* set_verify(ALWAYS): every check reads */
    assert_int_equal(scb_bootstrap_set_verify(v.b, SCB_VERIFY_ALWAYS, 0), 0);
    assert_int_equal(scb_bootstrap_check_card(v.b, &out, NULL, 0), 0);
    assert_true(scb_bootstrap_last_apdus(v.b) > 0);
    assert_int_equal(scb_bootstrap_set_verify(v.b, SCB_VERIFY_ON_EVENT, 0), 0);
    assert_int_equal(scb_bootstrap_check_card(v.b, &out, NULL, 0), 0);
    assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);

    /* set_card(NULL): no reader, nothing sent, nothing deleted; the reader name is kept */
    assert_int_equal(scb_bootstrap_set_card(v.b, NULL, NULL), 0);
    assert_int_equal(scb_bootstrap_check_card(v.b, &out, NULL, 0), 0);
    assert_int_equal(out, SCB_BOOTSTRAP_CARD_ABSENT);
    committed(&v, &c);
    assert_true(c.card.valid);
    scb_committed_free(&c);
    /* a new card session and name: recorded with the next commit */
    assert_int_equal(scb_bootstrap_set_card(v.b, v.card, "second"), 0);
    swap_card(&v, "89000000000000000002", &c);
    assert_string_equal(c.card.reader, "second");
    scb_committed_free(&c);

    /* set_factory: NULL = none, a path = that file, copied */
    scb_emu_remove(v.e);
    assert_int_equal(scb_bootstrap_set_factory(v.b, NULL), 0);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_REMOVED);
    assert_false(res.factory_applied);
    char path[32] = "data/nrf_ef58.bin";
    assert_int_equal(scb_bootstrap_set_factory(v.b, path), 0);
    memset(path, 0, sizeof(path));
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_true(res.factory_applied);
    stop(&v);

    /* set_pin: a private object needs the PIN; NULL clears it again */
    start(&v, "", "anjay_ef126.bin");
    scb_transport_free(&v.t);
    scb_emu_free(&v.e);
    snprintf(json, sizeof(json), "{\"pin\":{\"value\":\"1234\",\"tries\":3,\"reference\":1},"
             "\"lwm2m\":{\"file\":\"anjay_ef126.bin\",\"read\":\"pin\","
             "\"pkcs15_first\":false}}");
    assert_int_equal(scb_emu_load_json(json, "data", &v.e, err, sizeof(err)), 0);
    v.t = scb_emu_transport(v.e);
    scb_card_set_transport(v.card, v.t); /* the same session, the new card */
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_UNREADABLE);
    assert_int_equal(scb_bootstrap_set_pin(v.b, "1234"), 0);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_int_equal(scb_bootstrap_set_pin(v.b, NULL), 0);
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &out, NULL, 0), 0);
    assert_int_equal(out, SCB_BOOTSTRAP_CARD_UNREADABLE);
    stop(&v);
}

/* scb_bootstrap_report: the findings of what the last check validated, emptied by a check
 * that validated nothing (a rejected card's violations do not outlive it either). */
static void test_report_follows_the_last_check(void **state)
{
    (void)state;
    struct env v;
    struct scb_run_result res;
    enum scb_bootstrap_outcome o;
    /* two server accounts, no Access Control: accepted with the warning acl-missing */
    const char two[] =
        "{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{\"0\":\"coap://a\",\"1\":false,"
        "\"2\":3,\"10\":1}},\"2\":{\"resources\":{\"0\":\"coap://b\",\"1\":false,\"2\":3,\"10\":2}}}},"
        "\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":60,\"6\":false,\"7\":\"U\"}},"
        "\"1\":{\"resources\":{\"0\":2,\"1\":60,\"6\":false,\"7\":\"U\"}}}}}}";
    start(&v, "", "anjay_ef126.bin");
    set_card_json(&v, two);
    assert_int_equal(scb_bootstrap_run(v.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
    const struct scb_report *rep = scb_bootstrap_report(v.b);
    assert_int_equal(rep->n, 1); /* accepted: its warning */
    assert_int_equal(rep->v[0].severity, SCB_SEV_WARNING);
    assert_string_equal(rep->v[0].rule, "acl-missing");
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_UNCHANGED);
    assert_int_equal(scb_bootstrap_report(v.b)->n, 0); /* nothing validated */
    /* a rejected card's violations, then the card goes: empty again */
    set_card_json(&v, bad_ssid_json);
    scb_emu_reset(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_INVALID);
    assert_true(scb_report_has_errors(scb_bootstrap_report(v.b)));
    scb_emu_remove(v.e);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_true(o == SCB_BOOTSTRAP_CARD_REMOVED || o == SCB_BOOTSTRAP_CARD_ABSENT);
    assert_int_equal(scb_bootstrap_report(v.b)->n, 0); /* the rejection is not kept */
    stop(&v);
}

/* A new card session (another card, the same event counters) is read at the next check: the
 * previous session's counters cannot tell the swap. */
static void test_set_card_reads_new_session(void **state)
{
    struct env v;
    struct scb_run_result res;
    struct scb_emu *e2 = NULL;
    struct scb_transport *t2 = NULL;
    struct scb_card *c2 = NULL;
    enum scb_bootstrap_outcome o;
    char err[SCB_ERR_MAX];
    (void)state;
    start_card_applied(&v, &res);
    if (scb_emu_load_json("{\"iccid\":\"8988211000000000099\",\"lwm2m\":{\"file\":"
                          "\"nrf_ef58.bin\",\"pkcs15_first\":false}}",
                          "data", &e2, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
    t2 = scb_emu_transport(e2);
    assert_int_equal(scb_card_new(t2, &c2), 0);
    assert_int_equal(scb_bootstrap_set_card(v.b, c2, NULL), SCB_OK);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_true(scb_bootstrap_last_apdus(v.b) > 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_SWAPPED);
    /* kept between checks: no event, no APDU */
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_int_equal(scb_bootstrap_last_apdus(v.b), 0);
    /* the same session moved onto another card's transport and handed in again: read */
    (void)scb_card_set_transport(c2, v.t);
    assert_int_equal(scb_bootstrap_set_card(v.b, c2, NULL), SCB_OK);
    assert_int_equal(scb_bootstrap_check_card(v.b, &o, NULL, 0), 0);
    assert_true(scb_bootstrap_last_apdus(v.b) > 0);
    assert_int_equal(o, SCB_BOOTSTRAP_CARD_SWAPPED);
    (void)scb_card_set_transport(c2, t2);
    assert_int_equal(scb_bootstrap_set_card(v.b, v.card, NULL), SCB_OK);
    scb_card_free(&c2);
    scb_transport_free(&t2);
    scb_emu_free(&e2);
    stop(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_cycle),
        cmocka_unit_test(test_invalid_and_removed_keep_factory),
        cmocka_unit_test(test_fall_through),
        cmocka_unit_test(test_one_validator),
        cmocka_unit_test(test_report_follows_the_last_check),
        cmocka_unit_test(test_check_fault_sweep),
        cmocka_unit_test(test_r4_empty_vs_unreachable),
        cmocka_unit_test(test_r4_reader_gone_mid_read),
        cmocka_unit_test(test_r4_mute_card_kept),
        cmocka_unit_test(test_verify_policy),
        cmocka_unit_test(test_handle_api),
        cmocka_unit_test(test_wrong_pin_presented_once),
        cmocka_unit_test(test_failure_in_err),
        cmocka_unit_test(test_set_card_reads_new_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_card_source.c: the App. G walk against the emulated UICC: the exact APDU sequence of the
 * standard layout, PKCS#15 not first in EF DIR, non-default FIDs, T=0 and T=1 cards, both OID
 * encodings and DODF forms, file sizes around the 256-byte boundaries up to 32 KB, PIN
 * protection, cards without logical channels, and a card removed / reset / failing at every
 * APDU index of the walk; the full walk over every card class of the strict emulator (short-read
 * class, SFI refusal, EF DIR order, PIN source, SCP03) with APDU budgets and a strict log check;
 * PIN errors in words with the card's SW.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/card.h"
#include "scboot/card_source.h"
#include "scboot/emu.h"
#include "scboot/scp03.h"
#include "scboot/uicc.h"
#include "scboot/util.h"


/* the static keys of tests/data/scp03.json (doc/protocol.md, SCP03 test keys) */
#define SCP03_TEST_KEYS                                                                            \
    "enc=000102030405060708090A0B0C0D0E0F\n"                                                     \
    "mac=101112131415161718191A1B1C1D1E1F\n"                                                     \
    "dek=202122232425262728292A2B2C2D2E2F\n"

static const char nrf_hex[] =
    "00010036000000003108002EC80025636F61703A2F2F6C657368616E2E65636C6970736570726F6A6563"
    "74732E696F3A35373833C10101C10203";

struct env {
    struct scb_emu *e;
    struct scb_transport *t;
    struct scb_card *c;
};

/* A card with the LwM2M layout around `file`, plus profile fragments. */
static void make_card(struct env *v, const uint8_t *file, size_t len, const char *top,
                      const char *lw)
{
    size_t hl = 2 * len + 1;
    char *hex = malloc(hl), *json = malloc(hl + 1024), err[256];
    scb_util_hex_encode(file, len, hex, hl);
    snprintf(json, hl + 1024, "{\"iccid\":\"8988211000000430010\"%s%s,\"lwm2m\":{\"hex\":\"%s\"%s%s}}",
             top[0] ? "," : "", top, hex, lw[0] ? "," : "", lw);
    memset(v, 0, sizeof(*v));
    if (scb_emu_load_json(json, NULL, &v->e, err, sizeof(err)) < 0) {
        fail_msg("profile: %s", err);
    }
    free(hex);
    free(json);
    v->t = scb_emu_transport(v->e);
    scb_card_free(&v->c);
    assert_int_equal(scb_card_new(v->t, &v->c), 0);
}

static void nrf_card(struct env *v, const char *top, const char *lw)
{
    uint8_t f[128];
    size_t n;
    scb_util_hex_decode(nrf_hex, f, sizeof(f), &n);
    make_card(v, f, n, top, lw);
}

static void drop(struct env *v)
{
    scb_card_free(&v->c);
    scb_transport_free(&v->t);
    scb_emu_free(&v->e);
}

static void expect_nrf(const struct scb_card_source_result *r)
{
    uint8_t f[128];
    size_t n;
    scb_util_hex_decode(nrf_hex, f, sizeof(f), &n);
    assert_string_equal(scb_card_source_result_iccid(r), "8988211000000430010");
    assert_int_equal(scb_card_source_result_file_len(r), n);
    assert_memory_equal(scb_card_source_result_file(r), f, n);
}

static void test_standard_sequence(void **state)
{
    (void)state;
    /* T=0, USIM first in EF DIR, double-encoded OID, 2 bytes of FF padding */
    static const char *seq[] = {
        "00B082000A",                                 /* EF ICCID by SFI 02 */
        "00B201F400", "00B201F41F", "00B202F41F",     /* EF DIR by SFI: USIM, then PKCS#15 */
        "0070000001",                                 /* MANAGE CHANNEL */
        "01A4040C0CA000000063504B43532D3135",         /* ADF by AID, no FCP */
        "01A4000402503100", "01C0000018", "01B0000008", /* ODF: FCP (size 8), exact read */
        "01A4000402643000", "01C0000018", "01B0000029", /* DODF: FCP (size 41), exact read */
        "01A4000C026432", "01B0000000", "01B000003C", /* EF LwM2M_Bootstrap (header size) */
        "01708001",                                   /* close the channel */
    };
    struct env v;
    struct scb_card_source_result *r = NULL;
    nrf_card(&v, "", "\"pkcs15_first\":false,\"pad\":2");
    assert_int_equal(scb_card_source_read(v.c, NULL, &r, NULL, 0), 0);
    expect_nrf(r);
    assert_int_equal(scb_card_source_result_apdus(r), 16);
    assert_int_equal(scb_emu_log_count(v.e), sizeof(seq) / sizeof(seq[0]));
    for (size_t k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        char hex[600];
        scb_emu_log_entry(v.e, k, &cmd, &cl, &rsp, &rl);
        scb_util_hex_encode(cmd, cl, hex, sizeof(hex));
        assert_string_equal(hex, seq[k]);
    }
    assert_int_equal(scb_card_source_result_channel(r), 1);
    assert_true(scb_card_source_result_app_in_dir(r));
    assert_int_equal(scb_card_source_result_dodf_count(r), 1);
    assert_int_equal(scb_card_source_result_object_index(r), 0);
    assert_true(scb_card_source_result_object(r, 0)->oid_double);
    /* out of range: NULL, never a read past the walk's bounds */
    assert_null(scb_card_source_result_object(r, scb_card_source_result_object_count(r)));
    assert_null(scb_card_source_result_dodf(r, 1));
    assert_null(scb_card_source_result_aodf(r, scb_card_source_result_aodf_count(r)));
    assert_int_equal(scb_card_source_result_reason(r)->err, SCB_OK);
    assert_int_equal(scb_card_source_result_reason(r)->step, SCB_CARD_STEP_NONE);
    assert_int_equal(scb_card_source_result_reason(r)->pin_tries_left, -1);
    scb_card_source_result_free(&r);
    assert_null(r);
    scb_card_source_result_free(&r); /* NULL: no-op */
    scb_card_source_result_free(NULL);
    assert_null(scb_card_source_result_file(r));
    drop(&v);
}

static void test_layouts(void **state)
{
    (void)state;
    static const struct {
        const char *top, *lw;
        unsigned apdus;
    } cases[] = {
        {"", "", 15},                                               /* PKCS#15 first */
        {"\"protocol\":\"T=1\"", "\"pkcs15_first\":false", 12},     /* T=1: no 6Cxx, no 61xx */
        {"", "\"dodf_fid\":\"4401\",\"bootstrap_fid\":\"4402\"", 15}, /* non-default FIDs */
        {"", "\"oid_encoding\":\"correct\"", 15},
        {"", "\"dodf_form\":\"opaque\"", 15},
        {"", "\"dodf_form\":\"opaque\",\"oid_encoding\":\"correct\",\"pad\":300", 14},
        {"\"channels\":0", "", 15}, /* no logical channels: the MF selected again at the end */
        {"\"max_response\":16,\"protocol\":\"T=1\"", "", 16},       /* small responses */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct env v;
        struct scb_card_source_result *r = NULL;
        nrf_card(&v, cases[k].top, cases[k].lw);
        int ret = scb_card_source_read(v.c, NULL, &r, NULL, 0);
        if (ret != 0) {
            fail_msg("case %zu: %s", k, scb_error_string(ret));
        }
        expect_nrf(r);
        print_message("# case %zu: %u APDUs\n", k, scb_card_source_result_apdus(r));
        if (scb_card_source_result_apdus(r) != cases[k].apdus) {
            fail_msg("case %zu: %u APDUs, expected %u", k, scb_card_source_result_apdus(r), cases[k].apdus);
        }
        scb_card_source_result_free(&r);
        drop(&v);
    }
}

static void test_file_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 4, 255, 256, 257, 1136, 4096, 32768};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        for (int t1 = 0; t1 < 2; t1++) {
            size_t n = sizes[k];
            uint8_t *f = malloc(n + 1);
            for (size_t i = 0; i < n; i++) {
                f[i] = (uint8_t)(i * 7 + 3);
            }
            if (n >= 4) {
                f[0] = 0;
                f[1] = 1;
                f[2] = (uint8_t)((n - 4) >> 8);
                f[3] = (uint8_t)(n - 4);
            }
            struct env v;
            struct scb_card_source_result *r = NULL;
            make_card(&v, f, n, t1 ? "\"protocol\":\"T=1\"" : "", n >= 4 ? "\"pad\":16" : "");
            int ret = scb_card_source_read(v.c, NULL, &r, NULL, 0);
            if (ret != 0) {
                fail_msg("%zu bytes: %s", n, scb_error_string(ret));
            }
            assert_int_equal(scb_card_source_result_file_len(r), n);
            if (n) {
                assert_memory_equal(scb_card_source_result_file(r), f, n);
            }
            scb_card_source_result_free(&r);
            drop(&v);
            free(f);
        }
    }
}

static void test_pin(void **state)
{
    (void)state;
    struct env v;
    struct scb_card_source_result *r = NULL;
    struct scb_card_source_opts o;
    scb_card_source_opts_init(&o);
    const char *top = "\"pin\":{\"value\":\"4321\",\"tries\":3}";

    nrf_card(&v, top, "\"read\":\"pin\"");
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_PIN_REQUIRED);
    assert_null(scb_card_source_result_file(r));
    o.pin = "1111";
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_PIN_WRONG);
    o.pin = "4321";
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), 0);
    assert_true(scb_card_source_result_pin_verified(r));
    expect_nrf(r);
    /* the VERIFY went out with the reference of the FCP's PIN template */
    int verify_seen = 0;
    for (size_t k = 0; k < scb_emu_log_count(v.e); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        scb_emu_log_entry(v.e, k, &cmd, &cl, &rsp, &rl);
        if (cmd[1] == 0x20) {
            verify_seen = 1;
            assert_int_equal(cmd[3], 0x01);
        }
    }
    assert_true(verify_seen);
    scb_card_source_result_free(&r);
    drop(&v);
    /* a read-protected file whose object is not flagged private: PIN required at READ */
    nrf_card(&v, top, "\"read\":\"pin\"");
    o.pin = NULL;
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_PIN_REQUIRED);
    scb_card_source_result_free(&r);
    drop(&v);
}

static void test_overrides_and_missing(void **state)
{
    (void)state;
    struct env v;
    struct scb_card_source_result *r = NULL;
    static const uint8_t aid[] = {0xA0, 0, 0, 0, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
    struct scb_card_source_opts o;
    scb_card_source_opts_init(&o);
    o.aid = aid;
    o.aid_len = sizeof(aid);
    o.file_id = 0x6432;

    nrf_card(&v, "", "");
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), 0);
    expect_nrf(r);
    assert_int_equal(scb_card_source_result_apdus(r), 7); /* ICCID 1 (SFI), channel 1, ADF 1, EF 1 + 2, close 1 */
    scb_card_source_result_free(&r);
    struct scb_card_source_opts basic;
    scb_card_source_opts_init(&basic);
    basic.basic_channel = 1;
    assert_int_equal(scb_card_source_read(v.c, &basic, &r, NULL, 0), 0);
    assert_int_equal(scb_card_source_result_channel(r), 0);
    scb_card_source_result_free(&r);
    struct scb_p15_path known = {.path = {0x64, 0x32}, .len = 2};
    struct scb_card_source_opts reread;
    scb_card_source_opts_init(&reread);
    reread.known_path = &known;
    assert_int_equal(scb_card_source_read(v.c, &reread, &r, NULL, 0), 0);
    expect_nrf(r);
    assert_int_equal(scb_card_source_result_apdus(r), 7);
    scb_card_source_result_free(&r);
    drop(&v);

    /* no PKCS#15 application at all */
    char err[SCB_ERR_MAX];
    struct scb_emu *e = NULL;
    assert_int_equal(scb_emu_load_json("{}", NULL, &e, err, sizeof(err)), 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_card_source_read(c, NULL, &r, NULL, 0), SCB_E_P15_NO_APP);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
    /* a DODF without the LwM2M object */
    const char *json =
        "{\"ef_dir\":[\"611D4F0CA000000063504B43532D31355007504B435323313551043F005015\"],"
        "\"applications\":[{\"aid\":\"A000000063504B43532D3135\",\"files\":["
        "{\"fid\":\"5031\",\"hex\":\"A706300404026430\"},"
        "{\"fid\":\"6430\",\"hex\":\"A1153000 3000 A10F 300D 06052B06010401 3004 04026434\"}]}]}";
    assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
    t = scb_emu_transport(e);
    scb_card_free(&c);
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_card_source_read(c, NULL, &r, NULL, 0), SCB_E_P15_NO_OBJECT);
    assert_int_equal(scb_card_source_result_reason(r)->step, SCB_CARD_STEP_P15);
    scb_card_source_result_free(&r);
    /* the channel was closed on the error path too */
    const uint8_t *cmd, *rsp;
    size_t cl, rl;
    scb_emu_log_entry(e, scb_emu_log_count(e) - 1, &cmd, &cl, &rsp, &rl);
    assert_int_equal(cmd[1], 0x70);
    assert_int_equal(cmd[2], 0x80);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

/* The fault sweep: every APDU index of the standard walk, each fault kind. */
static void test_fault_sweep(void **state)
{
    (void)state;
    unsigned covered = 0;
    for (int kind = SCB_EMU_FAULT_REMOVE; kind <= SCB_EMU_FAULT_SW; kind++) {
        for (unsigned i = 0; i <= 16; i++) {
            struct env v;
            struct scb_card_source_result *r = NULL;
            nrf_card(&v, "", "\"pkcs15_first\":false,\"pad\":2");
            scb_emu_set_fault(v.e, (enum scb_emu_fault)kind, kind == SCB_EMU_FAULT_SW ? i + 1 : i,
                              0x6F00);
            int ret = scb_card_source_read(v.c, NULL, &r, NULL, 0);
            if (kind == SCB_EMU_FAULT_REMOVE && i < 16) {
                if (ret != SCB_E_CARD_REMOVED) {
                    fail_msg("remove at %u: %d", i, ret);
                }
                assert_null(scb_card_source_result_file(r));
            } else if (kind == SCB_EMU_FAULT_RESET && i < 16) {
                /* reset by someone else: the walk starts again once and succeeds */
                if (ret != 0) {
                    fail_msg("reset at %u: %s", i, scb_error_string(ret));
                }
                expect_nrf(r);
            } else if (kind == SCB_EMU_FAULT_SW && i < 16) {
                if (ret >= 0) {
                    fail_msg("6F00 at %u accepted", i + 1);
                }
                assert_null(scb_card_source_result_file(r));
            } else {
                assert_int_equal(ret, 0); /* the fault comes after the walk */
            }
            scb_card_source_result_free(&r);
            drop(&v);
            covered++;
        }
    }
    print_message("# fault sweep: %u fault points\n", covered);
}

/* ---- card classes: the full walk over every combination of real-card behaviours ---------- */

/* The log's strictness checks: nothing but success, 61xx, 6Cxx, 6282 and (for SFI commands
 * on a card refusing SFI) the SFI refusal; and no plain READ BINARY continues a file after a
 * short answer (doc/protocol.md, card behaviours). */
static void check_log(struct scb_emu *e, const char *what, uint16_t sfi_sw)
{
    int short_ch = -1;
    size_t short_next = 0;
    for (size_t k = 0; k < scb_emu_log_count(e); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        scb_emu_log_entry(e, k, &cmd, &cl, &rsp, &rl);
        uint16_t sw = (uint16_t)(rsp[rl - 2] << 8 | rsp[rl - 1]);
        int by_sfi = (cmd[1] == 0xB0 && (cmd[2] & 0x80)) || (cmd[1] == 0xB2 && (cmd[3] >> 3));
        int ok = sw == 0x9000 || (sw & 0xFF00) == 0x6100 || (sw & 0xFF00) == 0x6C00 ||
                 sw == 0x6282 || (by_sfi && sw == sfi_sw);
        if (!ok) {
            fail_msg("%s: APDU %zu (INS %02X) answered %04X", what, k + 1, cmd[1], sw);
        }
        int wrapped = (cmd[0] & 0x04) != 0;
        unsigned ch = cmd[0] & 0x03;
        if (cmd[1] == 0xA4) {
            short_ch = -1;
        }
        if (cmd[1] != 0xB0 || wrapped || (cmd[2] & 0x80)) {
            continue;
        }
        size_t off = (size_t)(cmd[2] << 8 | cmd[3]);
        if (short_ch == (int)ch && off == short_next) {
            fail_msg("%s: APDU %zu reads on after a short answer", what, k + 1);
        }
        size_t le = cl == 5 ? (cmd[4] ? cmd[4] : 256) : 0;
        size_t got = rl - 2;
        if ((sw == 0x9000 || sw == 0x6282) && le && got < le) {
            short_ch = (int)ch;
            short_next = off + got;
        }
    }
}

static void test_card_classes(void **state)
{
    (void)state;
    static const struct {
        const char *proto, *short_read;
    } io[] = {{"T=0", "6Cxx"}, {"T=0", "6282"}, {"T=0", "9000"}, {"T=1", "6282"}, {"T=1", "9000"}};
    static const char *sfi[] = {"", "6A81", "6A82", "6986"};
    static const char *pins[] = {"none", "aodf", "adf-c6", "ef-c6"};
    /* a 1136-byte G.3.4 file (doc/design.md performance target) */
    size_t n = 1136;
    uint8_t *f = malloc(n);
    for (size_t i = 0; i < n; i++) {
        f[i] = (uint8_t)(i * 13 + 5);
    }
    f[0] = 0;
    f[1] = 1;
    f[2] = (uint8_t)((n - 4) >> 8);
    f[3] = (uint8_t)(n - 4);
    unsigned runs = 0;
    for (size_t a = 0; a < sizeof(io) / sizeof(io[0]); a++) {
        for (size_t b = 0; b < sizeof(sfi) / sizeof(sfi[0]); b++) {
            for (int first = 0; first < 2; first++) {
                for (size_t p = 0; p < sizeof(pins) / sizeof(pins[0]); p++) {
                    for (int scp = 0; scp < 2; scp++) {
                        char top[512], lw[256], what[160];
                        int pin = p > 0;
                        snprintf(top, sizeof(top),
                                 "\"protocol\":\"%s\",\"short_read\":\"%s\"%s%s%s%s%s%s",
                                 io[a].proto, io[a].short_read, b ? ",\"sfi\":false" : "",
                                 b ? ",\"sfi_refusal\":\"" : "", b ? sfi[b] : "",
                                 b ? "\"" : "",
                                 p == 1 ? ",\"pin\":{\"value\":\"2468\",\"reference\":129,"
                                          "\"pad_char\":\"00\"}" /* the AODF says 00 */
                                 : pin ? ",\"pin\":{\"value\":\"2468\",\"reference\":129}"
                                       : "",
                                 scp ? ",\"scp03\":{\"enc\":\"000102030405060708090A0B0C0D0E0F\","
                                       "\"mac\":\"101112131415161718191A1B1C1D1E1F\",\"dek\":"
                                       "\"202122232425262728292A2B2C2D2E2F\"}"
                                     : "");
                        snprintf(lw, sizeof(lw), "\"pkcs15_first\":%s,\"read\":\"%s\"%s%s",
                                 first ? "true" : "false",
                                 pin ? "pin" : scp ? "scp03" : "always",
                                 p >= 2 ? ",\"aodf\":false" : "", "");
                        if (p == 3) {
                            strcat(top, ",\"ef_pin_template\":true");
                        }
                        snprintf(what, sizeof(what), "%s/%s sfi=%s %s pin=%s %s", io[a].proto,
                                 io[a].short_read, b ? sfi[b] : "on",
                                 first ? "PKCS#15-first" : "USIM-first", pins[p],
                                 scp ? "SCP03" : "plain");
                        struct env v;
                        make_card(&v, f, n, top, lw);
                        struct scb_scp03_keys keys;
                        assert_int_equal(scb_scp03_keys_parse(SCP03_TEST_KEYS, &keys, NULL, 0), 0);
                        struct scb_scp03_guard *g = NULL;
                        assert_int_equal(scb_scp03_guard_new(&keys, NULL, 1, &g), 0);
                        struct scb_card_source_opts o;
                        scb_card_source_opts_init(&o);
                        o.pin = pin ? "2468" : NULL;
                        if (scp) {
                            o.secure_open = scb_scp03_guard_open;
                            o.secure_close = scb_scp03_guard_close;
                            o.secure_ctx = g;
                        }
                        struct scb_card_source_result *r = NULL;
                        int ret = scb_card_source_read(v.c, &o, &r, NULL, 0);
                        if (ret != 0) {
                            fail_msg("%s: %s (%s)", what, scb_error_string(ret), scb_card_source_result_reason(r)->detail);
                        }
                        assert_int_equal(scb_card_source_result_file_len(r), n);
                        assert_memory_equal(scb_card_source_result_file(r), f, n);
                        assert_int_equal(scb_card_source_result_secured(r), scp);
                        assert_int_equal(scb_card_source_result_pin_verified(r), pin);
                        if (pin) {
                            assert_int_equal(scb_card_source_result_pin_ref(r), 0x81);
                            assert_int_equal(scb_card_source_result_pin_source(r), p == 1   ? SCB_PIN_SRC_AODF
                                                           : p == 2 ? SCB_PIN_SRC_ADF_FCP
                                                                    : SCB_PIN_SRC_EF_FCP);
                        }
                        check_log(v.e, what, b ? (uint16_t)strtoul(sfi[b], NULL, 16) : 0);
                        /* doc/design.md budgets for the realistic card: USIM first, SFI, no PIN */
                        if (!first && b == 0 && !pin) {
                            /* counted on the card side: GET RESPONSEs inside SCP03 too */
                            unsigned limit = scp ? (io[a].proto[2] == '1' ? 19 : 30)
                                                 : (io[a].proto[2] == '1' ? 17 : 19);
                            unsigned wire = (unsigned)scb_emu_log_count(v.e);
                            if (wire > limit) {
                                fail_msg("%s: %u APDUs, limit %u", what, wire, limit);
                            }
                            print_message("# %s: %u APDUs (limit %u)\n", what, wire, limit);
                        }
                        scb_card_source_result_free(&r);
                        scb_scp03_guard_free(&g);
                        drop(&v);
                        runs++;
                    }
                }
            }
        }
    }
    free(f);
    print_message("# card classes: %u full walks\n", runs);
}

/* PIN outcomes in words: tries left, blocked, a PIN that does not fit the AODF, and the SW
 * the card really sent in every error. */
static void test_pin_errors(void **state)
{
    (void)state;
    struct env v;
    struct scb_card_source_result *r = NULL;
    struct scb_card_source_opts o;
    scb_card_source_opts_init(&o);
    o.pin = "1111";
    const char *top = "\"pin\":{\"value\":\"4321\",\"tries\":3}";

    nrf_card(&v, top, "\"read\":\"pin\"");
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_card_source_read(v.c, &o, &r, err, sizeof(err)), SCB_E_PIN_WRONG);
    assert_int_equal(scb_card_source_result_reason(r)->err, SCB_E_PIN_WRONG);
    assert_int_equal(scb_card_source_result_reason(r)->step, SCB_CARD_STEP_PIN);
    assert_int_equal(scb_card_source_result_reason(r)->pin_tries_left, 2);
    assert_int_equal(scb_card_source_result_reason(r)->sw, 0x63C2);
    assert_string_equal(err, scb_card_source_result_reason(r)->detail); /* the same line */
    assert_null(scb_card_source_result_file(r));
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "wrong PIN, 2 tries left"));
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "63C2"));
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_PIN_WRONG);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "1 try left"));
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_PIN_BLOCKED);
    assert_int_equal(scb_card_source_result_reason(r)->pin_tries_left, 0);
    assert_int_equal(scb_card_source_result_reason(r)->step, SCB_CARD_STEP_PIN);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "blocked"));
    assert_int_equal(scb_card_source_result_reason(r)->sw, 0x6983);
    /* blocked: even the right PIN is refused, with 6983 named */
    o.pin = "4321";
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_PIN_BLOCKED);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "6983"));
    drop(&v);
    /* too short for the AODF's minLength: nothing sent to the card */
    nrf_card(&v, top, "\"read\":\"pin\"");
    o.pin = "12";
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_INVALID_ARG);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "PIN does not fit"));
    for (size_t k = 0; k < scb_emu_log_count(v.e); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        scb_emu_log_entry(v.e, k, &cmd, &cl, &rsp, &rl);
        assert_int_not_equal(cmd[1], 0x20);
    }
    drop(&v);
    /* the lenient fallback of old: on the strict card a READ after re-selecting the ADF is
     * 6986, and the error names 6986, not another SW */
    nrf_card(&v, "\"pin\":{\"value\":\"4321\"},\"faults\":{\"sw_at\":18,\"sw\":\"6986\"}",
             "\"read\":\"pin\",\"aodf\":false");
    o.pin = "4321";
    assert_true(scb_card_source_read(v.c, &o, &r, NULL, 0) < 0);
    assert_int_equal(scb_card_source_result_reason(r)->sw, 0x6986);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "6986"));
    assert_null(strstr(scb_card_source_result_reason(r)->detail, "6985"));
    drop(&v);
    /* a private object, no AODF and no C6 anywhere: a clear line */
    const char *json =
        "{\"pin\":{\"value\":\"4321\"},\"ef_dir\":[\"611D4F0CA000000063504B43532D3135"
        "5007504B435323313551043F005015\"],\"applications\":[{\"aid\":\"A000000063504B43532D3135\",\"files\":["
        "{\"fid\":\"5031\",\"hex\":\"A706300404026430\"},"
        "{\"fid\":\"6430\",\"hex\":\"A11B300703020780040101 3000 A10E 300C 0604672B0901 3004"
        "04026432\"},{\"fid\":\"6432\",\"hex\":\"00000000\"}]}]}";
    struct scb_emu *e = NULL;
    assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_card_source_read(c, &o, &r, NULL, 0), SCB_E_FCP_MALFORMED);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "no PIN reference"));
    scb_card_source_result_free(&r);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

/* A card made from profile json, read with default options: malformed, said so. */
static void read_malformed(const char *json)
{
    char err[SCB_ERR_MAX];
    struct scb_emu *e = NULL;
    struct scb_card *c = NULL;
    struct scb_card_source_result *r = NULL;
    assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
    struct scb_transport *t = scb_emu_transport(e);
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_card_source_read(c, NULL, &r, NULL, 0), SCB_E_P15_MALFORMED);
    scb_card_source_result_free(&r);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

/* Pathological cards: bounded time and a clear error. */
static void test_pathological(void **state)
{
    (void)state;
    char *json = malloc(200000), err[256];
    struct scb_emu *e = NULL;
    struct scb_card_source_result *r = NULL;
    size_t n = 0;

    /* EF DIR with 254 records, none of them PKCS#15 */
    n += (size_t)sprintf(json + n, "{\"ef_dir\":[");
    for (int k = 0; k < 253; k++) {
        n += (size_t)sprintf(json + n, "%s\"610A4F08A000000001020304\"", k ? "," : "");
    }
    sprintf(json + n, "]}");
    assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_card_source_read(c, NULL, &r, NULL, 0), SCB_E_P15_NO_APP);
    assert_true(scb_card_apdus(c) < 270);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
    /* an ODF naming the same DODF over and over (a cycle): at most 8 DODFs are read */
    n = (size_t)sprintf(json, "{\"applications\":[{\"aid\":\"A000000063504B43532D3135\","
                              "\"files\":[{\"fid\":\"5031\",\"hex\":\"");
    for (int k = 0; k < 40; k++) {
        n += (size_t)sprintf(json + n, "A706300404026430");
    }
    sprintf(json + n, "\"},{\"fid\":\"6430\",\"hex\":\"A1153000 3000 A10F 300D 06052B06010401 "
                      "3004 04026434\"}]}]}");
    read_malformed(json);
    /* a DODF with an absurd length */
    sprintf(json, "{\"applications\":[{\"aid\":\"A000000063504B43532D3135\",\"files\":["
                  "{\"fid\":\"5031\",\"hex\":\"A706300404026430\"},"
                  "{\"fid\":\"6430\",\"hex\":\"A183FFFFFF3000\"}]}]}");
    read_malformed(json);
    /* a 32 KB file read 1 byte per response: slow but bounded and correct */
    uint8_t *f = malloc(32768);
    for (size_t k = 0; k < 32768; k++) {
        f[k] = (uint8_t)k;
    }
    f[0] = 0;
    f[1] = 1;
    f[2] = 0x7F;
    f[3] = 0xFC;
    struct env v;
    make_card(&v, f, 32768, "\"max_response\":1,\"protocol\":\"T=1\"", "");
    assert_int_equal(scb_card_source_read(v.c, NULL, &r, NULL, 0), 0);
    assert_int_equal(scb_card_source_result_file_len(r), 32768);
    assert_memory_equal(scb_card_source_result_file(r), f, 32768);
    print_message("# 32 KB in 1-byte responses: %u APDUs\n", scb_card_source_result_apdus(r));
    scb_card_source_result_free(&r);
    drop(&v);
    free(f);
    free(json);
}

/* A PKCS#15 application laid out by hand (ODF, DODF with a private object authId 01, AODF),
 * PIN 1234 with reference ref; top: extra profile keys. */
static void hand_card(struct env *v, const char *top, int ref, const char *odf, const char *aodf,
                      const char *aodf_extra)
{
    char json[2048], err[256];
    snprintf(json, sizeof(json),
             "{\"pin\":{\"value\":\"1234\",\"reference\":%d}%s%s,"
             "\"ef_dir\":[\"611D4F0CA000000063504B43532D31355007504B435323313551043F005015\"],"
             "\"applications\":[{\"aid\":\"A000000063504B43532D3135\",\"fid\":\"5015\","
             "\"files\":[{\"fid\":\"5031\",\"hex\":\"%s\"},"
             "{\"fid\":\"6430\",\"hex\":\"A130300B0C0262730302078004010130110C0F4C774D324D20426F"
             "6F747374726170A10E300C0604672B0901300404026432\"},"
             "{\"fid\":\"6433\",\"hex\":\"%s\"%s},{\"fid\":\"6432\",\"read\":\"pin\",\"hex\":\"%s\"}]}]}",
             ref, top[0] ? "," : "", top, odf, aodf, aodf_extra, nrf_hex);
    memset(v, 0, sizeof(*v));
    if (scb_emu_load_json(json, NULL, &v->e, err, sizeof(err)) < 0) {
        fail_msg("profile: %s", err);
    }
    v->t = scb_emu_transport(v->e);
    scb_card_free(&v->c);
    assert_int_equal(scb_card_new(v->t, &v->c), 0);
}

/* Count the log entries with INS ins answered sw (sw 0: any). */
static size_t log_count(const struct scb_emu *e, uint8_t ins, uint16_t sw)
{
    size_t n = 0;
    for (size_t k = 0; k < scb_emu_log_count(e); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        scb_emu_log_entry(e, k, &cmd, &cl, &rsp, &rl);
        if (cmd[1] == ins && (sw == 0 || (rl >= 2 && (rsp[rl - 2] << 8 | rsp[rl - 1]) == sw))) {
            n++;
        }
    }
    return n;
}

/* Hostile and unusual AODFs: what a card may put where the PIN's reference is expected. */
static void test_hostile_aodf(void **state)
{
    (void)state;
    static const char odf[] = "A706300404026430A806300404026433";
    /* an AODF with one PIN object (reference 01) */
    static const char aodf_pin1[] =
        "302730060C0450494E313003040101A11830160302020C0A01010201040201080201088001010401FF";
    struct scb_card_source_opts o;
    scb_card_source_opts_init(&o);
    o.pin = "1234";
    struct scb_card_source_result *r = NULL;
    struct env v;

    /* a local PIN reference (81) written in one byte, 80 01 81, as cards do: VERIFY P2=81 */
    hand_card(&v, "", 0x81, odf,
              "302730060C0450494E313003040101A11830160302020C0A010102010402010802010880018104"
              "01FF", "");
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), 0);
    expect_nrf(r);
    assert_int_equal(scb_card_source_result_pin_ref(r), 0x81);
    assert_int_equal(scb_card_source_result_pin_source(r), SCB_PIN_SRC_AODF);
    scb_card_source_result_free(&r);
    drop(&v);

    /* pinType half-nibble BCD: not supported, said so (not "does not fit"), nothing sent */
    hand_card(&v, "", 1, odf,
              "302730060C0450494E313003040101A11830160302020C0A010302010402010802010880010104"
              "01FF", "");
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_UNSUPPORTED);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "half-nibble BCD"));
    assert_null(strstr(scb_card_source_result_reason(r)->detail, "does not fit"));
    assert_int_equal(log_count(v.e, 0x20, 0), 0);
    drop(&v);

    /* the AODF's Path says length 7FFFFF, its FCP 41 bytes: the READ BINARY asks 41 (no 6Cxx
     * re-send on T=0, no read past the end on a 9000 short-read card) */
    static const char *tops[] = {"", "\"protocol\":\"T=1\",\"short_read\":\"9000\""};
    for (size_t k = 0; k < 2; k++) {
        hand_card(&v, tops[k], 1, "A706300404026430A80E300C0402643302010080037FFFFF",
                  "302730060C0450494E313003040101A11830160302020C0A0101020104020108020108800101"
                  "0401FF", "");
        assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), 0);
        expect_nrf(r);
        assert_int_equal(log_count(v.e, 0xB0, 0x6B00), 0);
        const uint8_t *cmd, *rsp;
        size_t cl, rl, aodf_reads = 0;
        for (size_t i = 0; i < scb_emu_log_count(v.e); i++) {
            scb_emu_log_entry(v.e, i, &cmd, &cl, &rsp, &rl);
            if (cmd[1] == 0xB0 && rl == 0x29 + 2 && rsp[0] == 0x30) {
                aodf_reads++;
                assert_int_equal(cmd[4], 0x29); /* exactly the FCP's size */
            }
        }
        assert_int_equal(aodf_reads, 1);
        assert_int_equal(log_count(v.e, 0xB0, 0x6C29), 0);
        scb_card_source_result_free(&r);
        drop(&v);
    }

    /* the FCP lies about the AODF's size (too large): read to the card's end of file, one
     * READ BINARY at most past it on a 9000 short-read card, and the PIN is found */
    hand_card(&v, "\"protocol\":\"T=1\"", 1, odf,
              aodf_pin1, ",\"fcp_size\":40000");
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), 0);
    expect_nrf(r);
    assert_int_equal(log_count(v.e, 0xB0, 0x6B00), 0);
    scb_card_source_result_free(&r);
    drop(&v);
    /* ... too small: the truncated AODF is malformed, said so with the step */
    hand_card(&v, "", 1, odf,
              aodf_pin1, ",\"fcp_size\":5");
    assert_int_equal(scb_card_source_read(v.c, &o, &r, NULL, 0), SCB_E_P15_MALFORMED);
    assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "EF AODF 1"));
    assert_int_equal(scb_card_source_result_reason(r)->step, SCB_CARD_STEP_P15);
    scb_card_source_result_free(&r);
    assert_int_equal(log_count(v.e, 0x20, 0), 0);
    drop(&v);
}

/* A secure channel guard over the test keys, set in o when o is given. */
static struct scb_scp03_guard *test_guard(struct scb_card_source_opts *o)
{
    struct scb_scp03_keys keys;
    struct scb_scp03_guard *g = NULL;
    assert_int_equal(scb_scp03_keys_parse(SCP03_TEST_KEYS, &keys, NULL, 0), 0);
    assert_int_equal(scb_scp03_guard_new(&keys, NULL, 1, &g), 0);
    if (o) {
        o->secure_open = scb_scp03_guard_open;
        o->secure_close = scb_scp03_guard_close;
        o->secure_ctx = g;
    }
    return g;
}

/* SCP03 on the basic channel: a card without logical channels (6881), and a card whose
 * channels the caller does not use. The whole walk runs inside the session, the session ends
 * with the application's deselection (SELECT of the MF), and a second walk on the same card
 * finds it plain again. */
static void test_scp03_basic_channel(void **state)
{
    (void)state;
    static const char *scp = ",\"scp03\":{\"enc\":\"000102030405060708090A0B0C0D0E0F\","
                             "\"mac\":\"101112131415161718191A1B1C1D1E1F\",\"dek\":"
                             "\"202122232425262728292A2B2C2D2E2F\"}";
    for (int variant = 0; variant < 4; variant++) {
        int forced = variant & 1, pin = variant >> 1;
        char top[512];
        snprintf(top, sizeof(top), "\"channels\":%d%s%s", forced ? 3 : 0, scp,
                 pin ? ",\"pin\":{\"value\":\"2468\",\"reference\":129}" : "");
        struct env v;
        nrf_card(&v, top, pin ? "\"read\":\"pin\"" : "\"read\":\"scp03\"");
        struct scb_card_source_opts o;
        scb_card_source_opts_init(&o);
        o.basic_channel = forced;
        o.pin = pin ? "2468" : NULL;
        struct scb_scp03_guard *g = test_guard(&o);
        for (int round = 0; round < 2; round++) {
            struct scb_card_source_result *r = NULL;
            int ret = scb_card_source_read(v.c, &o, &r, NULL, 0);
            if (ret != 0) {
                for (size_t k = 0; k < scb_emu_log_count(v.e); k++) {
                    const uint8_t *cmd, *rsp;
                    size_t cl, rl;
                    scb_emu_log_entry(v.e, k, &cmd, &cl, &rsp, &rl);
                    print_message("# %02X %02X %02X %02X lc%zu -> %02X%02X\n", cmd[0], cmd[1],
                                  cmd[2], cmd[3], cl, rsp[rl - 2], rsp[rl - 1]);
                }
                fail_msg("variant %d round %d: %s", variant, round, scb_error_string(ret));
            }
            expect_nrf(r);
            assert_int_equal(scb_card_source_result_channel(r), 0);
            assert_int_equal(scb_card_source_result_secured(r), 1);
            assert_int_equal(scb_card_source_result_pin_verified(r), pin);
            scb_card_source_result_free(&r);
        }
        /* every APDU answered as expected; the last one leaves the application plain */
        for (size_t k = 0; k < scb_emu_log_count(v.e); k++) {
            const uint8_t *cmd, *rsp;
            size_t cl, rl;
            scb_emu_log_entry(v.e, k, &cmd, &cl, &rsp, &rl);
            uint16_t sw = (uint16_t)(rsp[rl - 2] << 8 | rsp[rl - 1]);
            if (sw == 0x6982 || sw == 0x6985 || sw == 0x6D00 || sw == 0x6E00) {
                fail_msg("variant %d: APDU %zu (%02X %02X) answered %04X", variant, k + 1,
                         cmd[0], cmd[1], sw);
            }
            assert_int_equal(cmd[0] & 0x03, 0);
        }
        scb_scp03_guard_free(&g);
        drop(&v);
    }
}

/* A plain APDU straight to the card (no secure channel wrapping); its status word. */
static uint16_t plain_sw(struct scb_emu *e, const char *hex)
{
    uint8_t cmd[64], rsp[300];
    size_t cl, rl;
    assert_int_equal(scb_util_hex_decode(hex, cmd, sizeof(cmd), &cl), 0);
    assert_int_equal(scb_emu_transmit(e, cmd, cl, rsp, sizeof(rsp), &rl), 0);
    return (uint16_t)(rsp[rl - 2] << 8 | rsp[rl - 1]);
}

/* The card's side of a session's end, as on a GP card: inside the session a plain command is
 * refused and the session goes on; a plain SELECT leaving the application is served and ends
 * it; closing a channel ends the session on it. */
static void test_scp03_session_end(void **state)
{
    (void)state;
    static const uint8_t aid[] = {0xA0, 0x00, 0x00, 0x00, 0x63, 0x50,
                                  0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
    struct scb_scp03_guard *g = test_guard(NULL);
    uint8_t buf[64];
    size_t n;
    struct env v;
    nrf_card(&v, "\"scp03\":{\"enc\":\"000102030405060708090A0B0C0D0E0F\",\"mac\":"
                 "\"101112131415161718191A1B1C1D1E1F\",\"dek\":"
                 "\"202122232425262728292A2B2C2D2E2F\"}",
             "\"read\":\"scp03\"");
    for (unsigned ch = 0; ch < 2; ch++) {
        unsigned got = 0;
        if (ch) {
            assert_int_equal(scb_uicc_open_channel(v.c, &got), 0);
            assert_int_equal(got, 1);
        }
        assert_int_equal(scb_uicc_select(v.c, ch, SCB_SELECT_AID, aid, sizeof(aid), NULL), 0);
        assert_int_equal(scb_scp03_guard_open(g, v.c, ch), 0);
        /* wrapped: served */
        assert_int_equal(scb_uicc_select(v.c, ch, SCB_SELECT_FID, (const uint8_t *)"\x50\x31", 2,
                                         NULL), 0);
        /* plain READ BINARY: refused, the session goes on */
        assert_int_equal(plain_sw(v.e, ch ? "01B0000004" : "00B0000004"), 0x6982);
        assert_int_equal(scb_uicc_read_binary(v.c, ch, 0, 0, buf, 4, &n), 0);
        scb_scp03_guard_close(g, v.c);
        if (ch == 0) {
            /* plain SELECT of the MF: served, the session is over (a plain read by SFI of
             * EF ICCID, under the MF, is served again) */
            assert_int_equal(plain_sw(v.e, "00A4000C023F00"), 0x9000);
            assert_int_equal(plain_sw(v.e, "00B0820001"), 0x9000);
        } else {
            /* closed and opened again: a plain command on the new channel is no longer
             * refused for a session (the application is not selected there: 6A82 or 9000) */
            assert_int_equal(scb_uicc_close_channel(v.c, 1), 0);
            assert_int_equal(scb_uicc_open_channel(v.c, &got), 0);
            assert_int_equal(got, 1);
            assert_int_not_equal(plain_sw(v.e, "01B0000001"), 0x6982);
            assert_int_equal(scb_uicc_close_channel(v.c, 1), 0);
        }
    }
    scb_scp03_guard_free(&g);
    drop(&v);
}

/* A reader that cannot be reached or holds no card: the connection's step, typed, in a result
 * that exists (and is freed) like any other. */
static void test_reason_connect(void **state)
{
    (void)state;
    static const int errs[] = {SCB_E_NO_SERVICE, SCB_E_NO_CARD};
    for (size_t k = 0; k < sizeof(errs) / sizeof(errs[0]); k++) {
        struct scb_transport *t = k == 0 ? scb_transport_unreachable(errs[k])
                                         : scb_transport_empty_reader("test");
        struct scb_card *c = NULL;
        struct scb_card_source_result *r = NULL;
        char err[SCB_ERR_MAX];
        assert_non_null(t);
        assert_int_equal(scb_card_new(t, &c), 0);
        int ret = scb_card_source_read(c, NULL, &r, err, sizeof(err));
        assert_true(ret < 0);
        assert_non_null(r);
        const struct scb_card_reason *why = scb_card_source_result_reason(r);
        assert_int_equal(why->err, ret);
        assert_int_equal(why->step, SCB_CARD_STEP_CONNECT);
        assert_string_equal(scb_card_step_name(why->step), "connect");
        assert_int_equal(why->pin_tries_left, -1);
        assert_true(err[0] != '\0');
        assert_null(scb_card_source_result_file(r));
        assert_int_equal(scb_card_source_result_file_len(r), 0);
        scb_card_source_result_free(&r);
        scb_card_free(&c);
        scb_transport_free(&t);
    }
    assert_string_equal(scb_card_step_name((enum scb_card_step)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_sequence),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_file_sizes),
        cmocka_unit_test(test_pin),
        cmocka_unit_test(test_overrides_and_missing),
        cmocka_unit_test(test_fault_sweep),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_card_classes),
        cmocka_unit_test(test_pin_errors),
        cmocka_unit_test(test_hostile_aodf),
        cmocka_unit_test(test_scp03_basic_channel),
        cmocka_unit_test(test_scp03_session_end),
        cmocka_unit_test(test_reason_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

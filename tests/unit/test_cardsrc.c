/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cardsrc.c: the App. G walk against the emulated UICC: the exact APDU sequence of the
 * standard layout, PKCS#15 not first in EF DIR, non-default FIDs, T=0 and T=1 cards, both OID
 * encodings and DODF forms, file sizes around the 256-byte boundaries up to 32 KB, PIN
 * protection, cards without logical channels, and a card removed / reset / failing at every
 * APDU index of the walk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/cardsrc.h"
#include "scboot/emu.h"
#include "scboot/util.h"

static const char nrf_hex[] =
    "00010036000000003108002EC80025636F61703A2F2F6C657368616E2E65636C6970736570726F6A6563"
    "74732E696F3A35373833C10101C10203";

struct env {
    struct scb_emu *e;
    struct scb_transport *t;
    struct scb_card c;
};

/* A card with the LwM2M layout around `file`, plus profile fragments. */
static void make_card(struct env *v, const uint8_t *file, size_t len, const char *top,
                      const char *lw)
{
    size_t hl = 2 * len + 1;
    char *hex = malloc(hl), *json = malloc(hl + 1024), err[256];
    scb_hex_encode(file, len, hex, hl);
    snprintf(json, hl + 1024, "{\"iccid\":\"8988211000000430010\"%s%s,\"lwm2m\":{\"hex\":\"%s\"%s%s}}",
             top[0] ? "," : "", top, hex, lw[0] ? "," : "", lw);
    memset(v, 0, sizeof(*v));
    if (scb_emu_load_json(json, NULL, &v->e, err, sizeof(err)) < 0) {
        fail_msg("profile: %s", err);
    }
    free(hex);
    free(json);
    v->t = scb_emu_transport(v->e);
    scb_card_init(&v->c, v->t);
}

static void nrf_card(struct env *v, const char *top, const char *lw)
{
    uint8_t f[128];
    size_t n;
    scb_hex_decode(nrf_hex, f, sizeof(f), &n);
    make_card(v, f, n, top, lw);
}

static void drop(struct env *v)
{
    scb_transport_free(&v->t);
    scb_emu_free(&v->e);
}

static void expect_nrf(const struct scb_read_result *r)
{
    uint8_t f[128];
    size_t n;
    scb_hex_decode(nrf_hex, f, sizeof(f), &n);
    assert_string_equal(r->iccid, "8988211000000430010");
    assert_int_equal(r->file_len, n);
    assert_memory_equal(r->file, f, n);
}

static void test_standard_sequence(void **state)
{
    (void)state;
    /* T=0, USIM first in EF DIR, double-encoded OID, 2 bytes of FF padding */
    static const char *seq[] = {
        "00A4080C022FE2", "00B000000A",               /* EF ICCID */
        "00B201F400", "00B201F41F", "00B202F41F",     /* EF DIR by SFI: USIM, then PKCS#15 */
        "0070000001",                                 /* MANAGE CHANNEL */
        "01A4040C0CA000000063504B43532D3135",         /* ADF by AID, no FCP */
        "01A4000C025031", "01B0000000", "01B0000008", /* ODF */
        "01A4000C026430", "01B0000000", "01B0000029", /* DODF */
        "01A4000C026432", "01B0000000", "01B000003C", /* EF LwM2M_Bootstrap */
        "01708001",                                   /* close the channel */
    };
    struct env v;
    struct scb_read_result r;
    nrf_card(&v, "", "\"pkcs15_first\":false,\"pad\":2");
    assert_int_equal(scb_card_read(&v.c, NULL, &r), 0);
    expect_nrf(&r);
    assert_int_equal(r.apdus, 17);
    assert_int_equal(scb_emu_log_count(v.e), sizeof(seq) / sizeof(seq[0]));
    for (size_t k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        char hex[600];
        scb_emu_log_entry(v.e, k, &cmd, &cl, &rsp, &rl);
        scb_hex_encode(cmd, cl, hex, sizeof(hex));
        assert_string_equal(hex, seq[k]);
    }
    assert_int_equal(r.channel, 1);
    assert_true(r.app_in_dir);
    assert_int_equal(r.n_dodf, 1);
    assert_int_equal(r.object_index, 0);
    assert_true(r.objects[0].oid_double);
    scb_read_result_free(&r);
    assert_null(r.file);
    drop(&v);
}

static void test_layouts(void **state)
{
    (void)state;
    static const struct {
        const char *top, *lw;
        unsigned apdus;
    } cases[] = {
        {"", "", 16},                                               /* PKCS#15 first */
        {"\"protocol\":\"T=1\"", "\"pkcs15_first\":false", 13},     /* T=1: 6282, no 6Cxx */
        {"", "\"dodf_fid\":\"4401\",\"bootstrap_fid\":\"4402\"", 16}, /* non-default FIDs */
        {"", "\"oid_encoding\":\"correct\"", 16},
        {"", "\"dodf_form\":\"opaque\"", 16},
        {"", "\"dodf_form\":\"opaque\",\"oid_encoding\":\"correct\",\"pad\":300", 15},
        {"\"channels\":0", "", 15},                                 /* no logical channels */
        {"\"max_response\":16,\"protocol\":\"T=1\"", "", 17},       /* small responses */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct env v;
        struct scb_read_result r;
        nrf_card(&v, cases[k].top, cases[k].lw);
        int ret = scb_card_read(&v.c, NULL, &r);
        if (ret != 0) {
            fail_msg("case %zu: %s", k, scb_strerror(ret));
        }
        expect_nrf(&r);
        if (r.apdus != cases[k].apdus) {
            fail_msg("case %zu: %u APDUs, expected %u", k, r.apdus, cases[k].apdus);
        }
        scb_read_result_free(&r);
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
            struct scb_read_result r;
            make_card(&v, f, n, t1 ? "\"protocol\":\"T=1\"" : "", n >= 4 ? "\"pad\":16" : "");
            int ret = scb_card_read(&v.c, NULL, &r);
            if (ret != 0) {
                fail_msg("%zu bytes: %s", n, scb_strerror(ret));
            }
            assert_int_equal(r.file_len, n);
            if (n) {
                assert_memory_equal(r.file, f, n);
            }
            scb_read_result_free(&r);
            drop(&v);
            free(f);
        }
    }
}

static void test_pin(void **state)
{
    (void)state;
    struct env v;
    struct scb_read_result r;
    struct scb_read_opts o = {0};
    const char *top = "\"pin\":{\"value\":\"4321\",\"tries\":3}";

    nrf_card(&v, top, "\"read\":\"pin\"");
    assert_int_equal(scb_card_read(&v.c, &o, &r), SCB_E_PIN_REQUIRED);
    assert_null(r.file);
    o.pin = "1111";
    assert_int_equal(scb_card_read(&v.c, &o, &r), SCB_E_PIN_WRONG);
    o.pin = "4321";
    assert_int_equal(scb_card_read(&v.c, &o, &r), 0);
    assert_true(r.pin_verified);
    expect_nrf(&r);
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
    scb_read_result_free(&r);
    drop(&v);
    /* a read-protected file whose object is not flagged private: PIN required at READ */
    nrf_card(&v, top, "\"read\":\"pin\"");
    o.pin = NULL;
    assert_int_equal(scb_card_read(&v.c, &o, &r), SCB_E_PIN_REQUIRED);
    drop(&v);
}

static void test_overrides_and_missing(void **state)
{
    (void)state;
    struct env v;
    struct scb_read_result r;
    static const uint8_t aid[] = {0xA0, 0, 0, 0, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
    struct scb_read_opts o = {.aid = aid, .aid_len = sizeof(aid), .file_id = 0x6432};

    nrf_card(&v, "", "");
    assert_int_equal(scb_card_read(&v.c, &o, &r), 0);
    expect_nrf(&r);
    assert_int_equal(r.apdus, 8); /* ICCID 2, channel 1, ADF 1, EF 1 + 2, close 1 */
    scb_read_result_free(&r);
    struct scb_read_opts basic = {.basic_channel = 1};
    assert_int_equal(scb_card_read(&v.c, &basic, &r), 0);
    assert_int_equal(r.channel, 0);
    scb_read_result_free(&r);
    struct scb_p15_path known = {.path = {0x64, 0x32}, .len = 2};
    struct scb_read_opts reread = {.known_path = &known};
    assert_int_equal(scb_card_read(&v.c, &reread, &r), 0);
    expect_nrf(&r);
    assert_int_equal(r.apdus, 8);
    scb_read_result_free(&r);
    drop(&v);

    /* no PKCS#15 application at all */
    char err[128];
    struct scb_emu *e = NULL;
    assert_int_equal(scb_emu_load_json("{}", NULL, &e, err, sizeof(err)), 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card c;
    scb_card_init(&c, t);
    assert_int_equal(scb_card_read(&c, NULL, &r), SCB_E_P15_NO_APP);
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
    scb_card_init(&c, t);
    assert_int_equal(scb_card_read(&c, NULL, &r), SCB_E_P15_NO_OBJECT);
    /* the channel was closed on the error path too */
    const uint8_t *cmd, *rsp;
    size_t cl, rl;
    scb_emu_log_entry(e, scb_emu_log_count(e) - 1, &cmd, &cl, &rsp, &rl);
    assert_int_equal(cmd[1], 0x70);
    assert_int_equal(cmd[2], 0x80);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

/* The fault sweep: every APDU index of the standard walk, each fault kind. */
static void test_fault_sweep(void **state)
{
    (void)state;
    unsigned covered = 0;
    for (int kind = SCB_EMU_FAULT_REMOVE; kind <= SCB_EMU_FAULT_SW; kind++) {
        for (unsigned i = 0; i <= 17; i++) {
            struct env v;
            struct scb_read_result r;
            nrf_card(&v, "", "\"pkcs15_first\":false,\"pad\":2");
            scb_emu_set_fault(v.e, (enum scb_emu_fault)kind, kind == SCB_EMU_FAULT_SW ? i + 1 : i,
                              0x6F00);
            int ret = scb_card_read(&v.c, NULL, &r);
            if (kind == SCB_EMU_FAULT_REMOVE && i < 17) {
                if (ret != SCB_E_CARD_REMOVED) {
                    fail_msg("remove at %u: %d", i, ret);
                }
                assert_null(r.file);
            } else if (kind == SCB_EMU_FAULT_RESET && i < 17) {
                /* reset by someone else: the walk starts again once and succeeds */
                if (ret != 0) {
                    fail_msg("reset at %u: %s", i, scb_strerror(ret));
                }
                expect_nrf(&r);
            } else if (kind == SCB_EMU_FAULT_SW && i < 17) {
                if (ret >= 0) {
                    fail_msg("6F00 at %u accepted", i + 1);
                }
                assert_null(r.file);
            } else {
                assert_int_equal(ret, 0); /* the fault comes after the walk */
            }
            scb_read_result_free(&r);
            drop(&v);
            covered++;
        }
    }
    print_message("# fault sweep: %u fault points\n", covered);
}

/* Pathological cards: bounded time and a clear error. */
static void test_pathological(void **state)
{
    (void)state;
    char *json = malloc(200000), err[256];
    struct scb_emu *e = NULL;
    struct scb_read_result r;
    size_t n = 0;

    /* EF DIR with 254 records, none of them PKCS#15 */
    n += (size_t)sprintf(json + n, "{\"ef_dir\":[");
    for (int k = 0; k < 253; k++) {
        n += (size_t)sprintf(json + n, "%s\"610A4F08A000000001020304\"", k ? "," : "");
    }
    sprintf(json + n, "]}");
    assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card c;
    scb_card_init(&c, t);
    assert_int_equal(scb_card_read(&c, NULL, &r), SCB_E_P15_NO_APP);
    assert_true(c.apdus < 270);
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
    assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
    t = scb_emu_transport(e);
    scb_card_init(&c, t);
    assert_int_equal(scb_card_read(&c, NULL, &r), SCB_E_P15_MALFORMED);
    scb_transport_free(&t);
    scb_emu_free(&e);
    /* a DODF with an absurd length */
    sprintf(json, "{\"applications\":[{\"aid\":\"A000000063504B43532D3135\",\"files\":["
                  "{\"fid\":\"5031\",\"hex\":\"A706300404026430\"},"
                  "{\"fid\":\"6430\",\"hex\":\"A183FFFFFF3000\"}]}]}");
    assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
    t = scb_emu_transport(e);
    scb_card_init(&c, t);
    assert_int_equal(scb_card_read(&c, NULL, &r), SCB_E_P15_MALFORMED);
    scb_transport_free(&t);
    scb_emu_free(&e);
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
    assert_int_equal(scb_card_read(&v.c, NULL, &r), 0);
    assert_int_equal(r.file_len, 32768);
    assert_memory_equal(r.file, f, 32768);
    print_message("# 32 KB in 1-byte responses: %u APDUs\n", r.apdus);
    scb_read_result_free(&r);
    drop(&v);
    free(f);
    free(json);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

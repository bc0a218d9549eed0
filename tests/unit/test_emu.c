/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_emu.c: the emulator behaves like the UICCs it stands for (T=0 61xx, 6Cxx, EF DIR only
 * from the MF, PIN-protected reads) and each fault gives the right error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../mock/mock_script.h"
#include "scboot/apdu.h"
#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/transport.h"
#include "scboot/uicc.h"
#include "scboot/util.h"

static const char *profile =
    "{\"iccid\":\"8988211000000430010\",\"pin\":{\"value\":\"1234\"},"
    "\"lwm2m\":{\"hex\":\"00010006000000000200\",\"pkcs15_first\":false},"
    "\"applications\":[{\"aid\":\"A0000000090001\",\"files\":[{\"fid\":\"6F10\",\"read\":\"pin\","
    "\"hex\":\"CAFE\"}]}]}";

struct fixture {
    struct scb_emu *e;
    struct scb_transport *t;
    struct scb_card *c;
};

static int setup(void **state)
{
    static struct fixture f;
    char err[SCB_ERR_MAX];
    memset(&f, 0, sizeof(f));
    if (scb_emu_load_json(profile, NULL, &f.e, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
    f.t = scb_emu_transport(f.e);
    scb_card_free(&f.c);
    assert_int_equal(scb_card_new(f.t, &f.c), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    scb_card_free(&f->c);
    scb_transport_free(&f->t);
    scb_emu_free(&f->e);
    return 0;
}

static void send(struct fixture *f, const char *hex, const char *expect_rsp)
{
    uint8_t cmd[SCB_APDU_CMD_MAX], rsp[SCB_APDU_RSP_MAX];
    char out[2 * SCB_APDU_RSP_MAX + 1];
    size_t clen, rlen;
    assert_int_equal(scb_util_hex_decode(hex, cmd, sizeof(cmd), &clen), 0);
    assert_int_equal(scb_transport_transmit(f->t, cmd, clen, rsp, sizeof(rsp), &rlen), 0);
    scb_util_hex_encode(rsp, rlen, out, sizeof(out));
    assert_string_equal(out, expect_rsp);
}

static void test_t0_behaviour(void **state)
{
    struct fixture *f = *state;
    send(f, "00A4000402 2F00 00", "611C"); /* case 4 on T=0: 61xx */
    send(f, "00C0000020", "6C1C");         /* wrong Le on GET RESPONSE: 6Cxx */
    uint8_t data[256];
    size_t dl;
    uint16_t sw;
    struct scb_fcp fcp;
    struct scb_apdu gr = {.ins = 0xC0, .has_le = 1, .le = 0x1C};
    send(f, "00A4000402 2F00 00", "611C");
    assert_int_equal(scb_card_transceive(f->c, &gr, data, sizeof(data), &dl, &sw), 0);
    assert_int_equal(sw, 0x9000);
    assert_int_equal(scb_uicc_fcp_parse(data, dl, &fcp), 0);
    assert_int_equal(fcp.structure, SCB_EF_LINEAR_FIXED);
    assert_int_equal(fcp.fid, 0x2F00);
    assert_int_equal(fcp.sfi, 0x1E);
    assert_int_equal(fcp.record_count, 3); /* USIM, PKCS#15, one spare FF record */
    assert_int_equal(fcp.size, fcp.record_len * 3);
}

static void test_ef_dir_not_from_adf(void **state)
{
    struct fixture *f = *state;
    send(f, "00A4040C0CA000000063504B43532D3135", "9000");
    send(f, "00A4000C022F00", "6A82");
    send(f, "00A4080C022F00", "9000"); /* by path from the MF it works */
    send(f, "00A4000C023F00", "9000");
    send(f, "00A4000C022FE2", "9000");
}

static void test_pin_protected_read(void **state)
{
    struct fixture *f = *state;
    send(f, "00A4040C07A0000000090001", "9000");
    send(f, "00A4000C026F10", "9000");
    send(f, "00B0000002", "6982");
    send(f, "0020000108313233340000FFFF", "63C2");
    send(f, "00200001083132333 4FFFFFFFF", "9000");
    send(f, "00B0000002", "CAFE9000");
    send(f, "00D6000001AA", "6982"); /* UPDATE BINARY: ADM only */
    send(f, "00CA000000", "6D00");
    send(f, "80CA000000", "6E00");
}

static void test_fault_remove(void **state)
{
    struct fixture *f = *state;
    char iccid[24];
    struct scb_card_status st;
    scb_transport_status(f->t, &st);
    uint32_t ev = st.event_count;
    scb_emu_set_fault(f->e, SCB_EMU_FAULT_REMOVE, 0, 0);
    assert_int_equal(scb_uicc_read_iccid(f->c, iccid, sizeof(iccid)), SCB_E_CARD_REMOVED);
    assert_int_equal(scb_card_apdus(f->c), 1);
    scb_transport_status(f->t, &st);
    assert_false(st.present);
    assert_int_equal(st.event_count, ev + 1);
    assert_int_equal(scb_uicc_read_iccid(f->c, iccid, sizeof(iccid)), SCB_E_NO_CARD);
    scb_emu_insert(f->e);
    assert_int_equal(scb_uicc_read_iccid(f->c, iccid, sizeof(iccid)), SCB_OK);
}

static void test_fault_reset(void **state)
{
    struct fixture *f = *state;
    unsigned ch;
    assert_int_equal(scb_uicc_open_channel(f->c, &ch), 0);
    scb_emu_set_fault(f->e, SCB_EMU_FAULT_RESET, 0, 0);
    const uint8_t fid[] = {0x2F, 0xE2};
    assert_int_equal(scb_uicc_select(f->c, ch, SCB_SELECT_PATH_MF, fid, 2, NULL),
                     SCB_E_CARD_RESET);
    /* after the reset the channel is closed */
    assert_int_equal(scb_uicc_select(f->c, ch, SCB_SELECT_PATH_MF, fid, 2, NULL),
                     SCB_E_NO_CHANNEL);
}

static void test_fault_sw(void **state)
{
    struct fixture *f = *state;
    char iccid[24];
    scb_emu_set_fault(f->e, SCB_EMU_FAULT_SW, 1, 0x6F00);
    assert_int_equal(scb_uicc_read_iccid(f->c, iccid, sizeof(iccid)), SCB_E_SW);
    assert_int_equal(scb_uicc_read_iccid(f->c, iccid, sizeof(iccid)), SCB_OK);
}

static void test_log(void **state)
{
    struct fixture *f = *state;
    char iccid[24];
    const uint8_t *cmd, *rsp;
    size_t cl, rl;
    scb_emu_log_clear(f->e);
    assert_int_equal(scb_uicc_read_iccid(f->c, iccid, sizeof(iccid)), SCB_OK);
    assert_int_equal(scb_emu_log_count(f->e), 1);
    assert_int_equal(scb_emu_log_entry(f->e, 0, &cmd, &cl, &rsp, &rl), 0);
    assert_int_equal(cmd[1], 0xB0);
    assert_int_equal(cmd[2], 0x82); /* by SFI 02 */
    assert_int_equal(rl, 12);
    assert_int_equal(scb_emu_log_entry(f->e, 1, &cmd, &cl, &rsp, &rl), SCB_E_NOT_FOUND);
}

/* The strict card (doc/protocol.md, card behaviours) command by command, and the lenient option. */
static void strict_card(struct fixture *f, const char *json)
{
    char err[SCB_ERR_MAX];
    memset(f, 0, sizeof(*f));
    if (scb_emu_load_json(json, NULL, &f->e, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
    f->t = scb_emu_transport(f->e);
    scb_card_free(&f->c);
    assert_int_equal(scb_card_new(f->t, &f->c), 0);
}

static void drop_card(struct fixture *f)
{
    scb_card_free(&f->c);
    scb_transport_free(&f->t);
    scb_emu_free(&f->e);
}

static void test_strict_behaviours(void **state)
{
    (void)state;
    struct fixture f;
    const char *lw = "\"lwm2m\":{\"hex\":\"0001000600000000020001020304\"}";
    char json[512];

    /* default: a DF/ADF SELECT leaves no current EF; an offset past the end is 6B00 */
    snprintf(json, sizeof(json), "{\"protocol\":\"T=1\",%s}", lw);
    strict_card(&f, json);
    send(&f, "00A4040C0CA000000063504B43532D3135", "9000");
    send(&f, "00A4000C026432", "9000");
    send(&f, "00B0000004", "000100069000");
    send(&f, "00A4040C0CA000000063504B43532D3135", "9000"); /* the ADF again */
    send(&f, "00B0000004", "6986");
    send(&f, "00A4000C026432", "9000");
    send(&f, "00A4080C047FFF6432", "9000");
    send(&f, "00A4080C027FFF", "9000"); /* the current ADF by path: no current EF either */
    send(&f, "00B0000004", "6986");
    send(&f, "00A4000C026432", "9000");
    send(&f, "00B0000E00", "6B00");        /* offset = size */
    send(&f, "00B0000A00", "010203046282"); /* ISO: what is left, 6282 */
    drop_card(&f);
    /* a hostile card: the FCP says 40000 bytes, the file holds 2 */
    strict_card(&f, "{\"protocol\":\"T=1\",\"applications\":[{\"aid\":\"A000000009\","
                    "\"files\":[{\"fid\":\"6F01\",\"hex\":\"0102\",\"fcp_size\":40000}]}]}");
    send(&f, "00A4040C05A000000009", "9000");
    send(&f, "00A40004026F0100",
         "62168202412183026F018A01058B036F06018002" "9C40" "88009000");
    send(&f, "00B0000000", "01026282");
    drop_card(&f);
    /* lenient: re-selecting the current ADF keeps the EF */
    snprintf(json, sizeof(json), "{\"protocol\":\"T=1\",\"keep_ef_on_df_select\":true,%s}", lw);
    strict_card(&f, json);
    send(&f, "00A4040C0CA000000063504B43532D3135", "9000");
    send(&f, "00A4000C026432", "9000");
    send(&f, "00A4040C0CA000000063504B43532D3135", "9000");
    send(&f, "00B0000004", "000100069000");
    drop_card(&f);
    /* 9000 short reads: Le = 00 gives what is left with 9000; an explicit larger Le 6282 */
    snprintf(json, sizeof(json), "{\"protocol\":\"T=1\",\"short_read\":\"9000\",%s}", lw);
    strict_card(&f, json);
    send(&f, "00A4040C0CA000000063504B43532D3135", "9000");
    send(&f, "00A4000C026432", "9000");
    send(&f, "00B0000A00", "010203049000");
    send(&f, "00B0000A10", "010203046282");
    drop_card(&f);
    /* T=0 6Cxx; SFI refused with each status word; SFI by default */
    static const char *refusal[] = {"6A81", "6A82", "6986"};
    for (size_t k = 0; k < 3; k++) {
        snprintf(json, sizeof(json), "{\"sfi\":false,\"sfi_refusal\":\"%s\",%s}", refusal[k], lw);
        strict_card(&f, json);
        char want[8];
        snprintf(want, sizeof(want), "%s", refusal[k]);
        send(&f, "00B082000A", want);
        send(&f, "00B201F400", want);
        send(&f, "00A4040C0CA000000063504B43532D3135", "9000");
        send(&f, "00A4000C026432", "9000");
        send(&f, "00B0000A00", "6C04");
        drop_card(&f);
    }
    /* the PIN: stored length and pad character as the profile says */
    snprintf(json, sizeof(json),
             "{\"protocol\":\"T=1\",\"pin\":{\"value\":\"1234\",\"reference\":129,\"pad_char\":"
             "\"00\",\"stored_length\":6},%s}",
             lw);
    strict_card(&f, json);
    send(&f, "00200081083132333400000000", "6700"); /* 8 bytes: wrong length */
    send(&f, "002000810631323334FFFF", "63C2");     /* FF padding: wrong PIN */
    send(&f, "0020000106313233340000", "6A88");     /* wrong reference */
    send(&f, "00200081063132333400 00", "9000");
    drop_card(&f);
}

static void test_profile_errors(void **state)
{
    (void)state;
    static const char *bad[] = {
        "[]",
        "{\"atr\":\"XYZ\"}",
        "{\"protocol\":\"T=2\"}",
        "{\"channels\":40}",
        "{\"pin\":{\"value\":\"12\"}}",
        "{\"iccid\":\"12ab\"}",
        "{\"applications\":[{\"aid\":\"A0\"}]}",
        "{\"applications\":[{\"aid\":\"A000000009\",\"files\":[{\"fid\":\"6F\"}]}]}",
        ("{\"applications\":[{\"aid\":\"A000000009\",\"files\":[{\"fid\":\"6F01\","
         "\"structure\":\"cyclic\"}]}]}"),
        "{\"lwm2m\":{\"file\":\"/nonexistent/x.bin\"}}",
        "{\"lwm2m\":{\"hex\":\"00\",\"oid_encoding\":\"weird\"}}",
        "{\"faults\":{\"sw_at\":1,\"sw\":\"6\"}}",
        /* arrays that are not arrays: json-c asserts when asked for their elements */
        "{\"applications\":\"opaque\"}",
        "{\"applications\":[5]}",
        "{\"applications\":[{\"aid\":\"A000000009\",\"files\":{}}]}",
        "{\"applications\":[{\"aid\":\"A000000009\",\"files\":[1]}]}",
        "{\"ef_dir\":\"61\"}",
        "{\"mf_files\":{}}",
        ("{\"applications\":[{\"aid\":\"A000000009\",\"files\":[{\"fid\":\"6F01\","
         "\"structure\":\"linear\",\"records\":\"0102\"}]}]}"),
        /* the strict-card options */
        "{\"short_read\":\"6B00\"}",
        "{\"protocol\":\"T=1\",\"short_read\":\"6Cxx\"}", /* 6Cxx is a T=0 answer */
        "{\"sfi\":false,\"sfi_refusal\":\"9000\"}",
        "{\"pin\":{\"value\":\"123456\",\"stored_length\":4}}",
        "{\"pin\":{\"value\":\"1234\",\"stored_length\":17}}",
        "{\"pin\":{\"value\":\"1234\",\"pad_char\":\"FFFF\"}}",
        ("{\"scp03\":{\"enc\":\"000102030405060708090A0B0C0D0E0F\",\"mac\":"
         "\"000102030405060708090A0B0C0D0E0F\",\"dek\":\"000102030405060708090A0B0C0D0E0F\","
         "\"initialize_update_sw\":\"6A\"}}"),
        "{\"lwm2m\":{\"hex\":\"00\",\"aodf_fid\":\"12\"}}",
        /* the hostile FCP size of a file */
        ("{\"applications\":[{\"aid\":\"A000000009\",\"files\":[{\"fid\":\"6F01\","
         "\"hex\":\"00\",\"fcp_size\":65536}]}]}"),
        ("{\"applications\":[{\"aid\":\"A000000009\",\"files\":[{\"fid\":\"6F01\","
         "\"hex\":\"00\",\"fcp_size\":-2}]}]}"),
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct scb_emu *e = NULL;
        char err[SCB_ERR_MAX] = "";
        int ret = scb_emu_load_json(bad[i], NULL, &e, err, sizeof(err));
        if (ret >= 0) {
            fail_msg("profile %zu accepted: %s", i, bad[i]);
        }
        assert_null(e);
        if (i > 0) {
            assert_true(strlen(err) > 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_t0_behaviour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ef_dir_not_from_adf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_protected_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_sw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log, setup, teardown),
        cmocka_unit_test(test_profile_errors),
        cmocka_unit_test(test_strict_behaviours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

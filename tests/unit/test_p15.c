/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_p15.c: the PKCS#15 DER walk: EF DIR templates, ODFs with several DODFs and padding,
 * DODF entries in both forms and both OID encodings, private flags, malformed structures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/card_source.h"
#include "scboot/error.h"
#include "scboot/p15.h"
#include "scboot/util.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    assert_int_equal(scb_util_hex_decode(h, out, cap, &n), 0);
    return n;
}

static void test_dir_records(void **state)
{
    (void)state;
    uint8_t b[128];
    struct scb_dir_app a;
    size_t n = unhex("611D4F0CA000000063504B43532D31355007504B435323313551043F005015FFFF", b,
                     sizeof(b));
    assert_int_equal(scb_p15_parse_dir_record(b, n, &a), 0);
    assert_int_equal(a.aid_len, 12);
    assert_string_equal(a.label, "PKCS#15");
    assert_int_equal(a.path_len, 4);
    n = unhex("FFFFFFFF", b, sizeof(b));
    assert_int_equal(scb_p15_parse_dir_record(b, n, &a), SCB_E_NOT_FOUND);
    n = unhex("611E4F0CA0", b, sizeof(b));
    assert_int_equal(scb_p15_parse_dir_record(b, n, &a), SCB_E_P15_MALFORMED);
    n = unhex("62024F00", b, sizeof(b));
    assert_int_equal(scb_p15_parse_dir_record(b, n, &a), SCB_E_P15_MALFORMED);
    n = unhex("6103500141", b, sizeof(b)); /* no AID */
    assert_int_equal(scb_p15_parse_dir_record(b, n, &a), SCB_E_P15_MALFORMED);
}

static void test_odf(void **state)
{
    (void)state;
    uint8_t b[128];
    struct scb_p15_path p[4];
    size_t n, cnt;
    /* a PrKDF, two DODFs (one absolute), then FF padding */
    n = unhex("A0063004040244 00 A706300404026430 A70A3008 04063F0050156431 FFFFFF", b,
              sizeof(b));
    assert_int_equal(scb_p15_parse_odf(b, n, 0xA7, p, 4, &cnt), 0);
    assert_int_equal(cnt, 2);
    assert_int_equal(p[0].len, 2);
    assert_int_equal(p[0].path[1], 0x30);
    assert_int_equal(p[1].len, 6);
    /* 00 padding, and a long-form length */
    n = unhex("A781063004040264300000", b, sizeof(b));
    assert_int_equal(scb_p15_parse_odf(b, n, 0xA7, p, 4, &cnt), 0);
    assert_int_equal(cnt, 1);
    /* absurd lengths and cut entries */
    static const char *bad[] = {"A7FF30", "A78400000001", "A706300404036430", "A7023000",
                                "A70404023064", "BF1F0130"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        n = unhex(bad[k], b, sizeof(b));
        if (scb_p15_parse_odf(b, n, 0xA7, p, 4, &cnt) >= 0) {
            fail_msg("ODF %s accepted", bad[k]);
        }
    }
    /* more DODFs than room */
    n = unhex("A706300404026430A706300404026431", b, sizeof(b));
    assert_int_equal(scb_p15_parse_odf(b, n, 0xA7, p, 1, &cnt), SCB_E_TOO_LARGE);
}

static void test_dodf_forms(void **state)
{
    (void)state;
    uint8_t b[256];
    struct scb_p15_dobj o[4];
    size_t n, cnt;
    char txt[64];

    /* doc/protocol.md (DODF entry), byte for byte: the double-encoded OID real SIMs carry */
    n = unhex("A127 3000 3011 0C0F 4C774D324D20426F6F747374726170 A110 300E 0606 0604672B0901 "
              "3004 04026432",
              b, sizeof(b));
    assert_int_equal(n, 41);
    assert_int_equal(scb_p15_parse_dodf(b, n, o, 4, &cnt), 0);
    assert_int_equal(cnt, 1);
    assert_int_equal(o[0].form, SCB_P15_OID_DO);
    assert_true(o[0].oid_double);
    assert_true(scb_card_source_is_lwm2m_oid(o[0].oid, o[0].oid_len));
    assert_string_equal(o[0].app_name, "LwM2M Bootstrap");
    assert_true(o[0].has_path);
    assert_int_equal(o[0].path.path[1], 0x32);
    assert_int_equal(scb_p15_oid_to_text(o[0].oid, o[0].oid_len, txt, sizeof(txt)), 0);
    assert_string_equal(txt, "2.23.43.9.1");
    /* the correct encoding */
    n = unhex("A125 3000 3011 0C0F 4C774D324D20426F6F747374726170 A10E 300C 0604672B0901 "
              "3004 04026432",
              b, sizeof(b));
    assert_int_equal(scb_p15_parse_dodf(b, n, o, 4, &cnt), 0);
    assert_false(o[0].oid_double);
    assert_true(scb_card_source_is_lwm2m_oid(o[0].oid, o[0].oid_len));
    /* opaqueDO with applicationOID, a private flag, after an unknown entry, then padding */
    n = unhex("BF0100 8001FF "
              "3021 300A 0C0142 03020780 040101 300B 0C0142 0606 0604672B0901 A106 3004 "
              "04026433 0000",
              b, sizeof(b));
    assert_int_equal(scb_p15_parse_dodf(b, n, o, 4, &cnt), SCB_E_P15_MALFORMED);
    n = unhex("8001FF "
              "3021 300A 0C0142 03020780 040101 300B 0C0142 0606 0604672B0901 A106 3004 "
              "04026433 0000",
              b, sizeof(b));
    assert_int_equal(scb_p15_parse_dodf(b, n, o, 4, &cnt), 0);
    assert_int_equal(cnt, 1);
    assert_int_equal(o[0].form, SCB_P15_OPAQUE_DO);
    assert_true(o[0].private_flag);
    assert_string_equal(o[0].label, "B");
    assert_true(scb_card_source_is_lwm2m_oid(o[0].oid, o[0].oid_len));
    assert_int_equal(o[0].path.path[1], 0x33);
    /* another OID: not ours */
    n = unhex("A1153000 3000 A10F 300D 06052B06010401 3004 04026434", b, sizeof(b));
    assert_int_equal(scb_p15_parse_dodf(b, n, o, 4, &cnt), 0);
    assert_false(scb_card_source_is_lwm2m_oid(o[0].oid, o[0].oid_len));
    /* malformed inside an entry */
    static const char *bad[] = {"A1053000 3001 0C", "A1083000 A104 3002 0600", "A103 300180",
                                "A10A 3000 A106 3004 0403643200"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        n = unhex(bad[k], b, sizeof(b));
        if (scb_p15_parse_dodf(b, n, o, 4, &cnt) >= 0) {
            fail_msg("DODF %s accepted", bad[k]);
        }
    }
}

/* AODF PIN objects, written by hand from ISO 7816-15 / PKCS#15 (AuthenticationObject pwd =
 * SEQUENCE { CommonObjectAttributes, CommonAuthenticationObjectAttributes { authId },
 * [1] PinAttributes }), doc/protocol.md, access conditions and PIN. */
static const char aodf_hex[] =
    "3028"
    "3006" "0C0450494E31"                 /* label "PIN1" */
    "3003" "040101"                       /* authId 01 */
    "A119" "3017"
    "0302024C"                            /* pinFlags: local, initialized, needs-padding */
    "0A0101"                              /* pinType ascii-numeric */
    "020104" "020108" "020108"            /* min 4, stored 8, max 8 */
    "80020081"                            /* pinReference 0x81 (a leading 00: positive) */
    "0401FF"                              /* padChar FF */
    /* an SO PIN, BCD, authId 02, reference 0 by default, no padChar */
    "3023"
    "3000"
    "3003" "040102"
    "A11A" "3018"
    "03020001"                            /* pinFlags: soPin (bit 7) */
    "0A0100" "020106" "020104" "020108"   /* bcd, min 6, stored 4, max 8 */
    "1806" "313233343536"                 /* lastPinChange (skipped) */
    /* a biometric template [0]: skipped */
    "A000"
    "FFFF";

static void test_aodf(void **state)
{
    (void)state;
    uint8_t buf[256], blk[64];
    size_t n, len, bl;
    struct scb_p15_pin pins[4];

    scb_util_hex_decode(aodf_hex, buf, sizeof(buf), &len);
    assert_int_equal(scb_p15_parse_aodf(buf, len, pins, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(pins[0].label, "PIN1");
    assert_int_equal(pins[0].auth_id_len, 1);
    assert_int_equal(pins[0].auth_id[0], 0x01);
    assert_int_equal(pins[0].reference, 0x81);
    assert_true(pins[0].flags & SCB_P15_PINF_LOCAL);
    assert_true(pins[0].flags & SCB_P15_PINF_NEEDS_PADDING);
    assert_false(pins[0].flags & SCB_P15_PINF_SO);
    assert_int_equal(pins[0].type, SCB_P15_PIN_ASCII_NUMERIC);
    assert_int_equal(pins[0].min_len, 4);
    assert_int_equal(pins[0].stored_len, 8);
    assert_int_equal(pins[0].max_len, 8);
    assert_true(pins[0].has_pad);
    assert_int_equal(pins[0].pad_char, 0xFF);
    assert_true(pins[1].flags & SCB_P15_PINF_SO);
    assert_int_equal(pins[1].reference, 0);
    assert_false(pins[1].has_pad);
    assert_int_equal(pins[1].type, SCB_P15_PIN_BCD);

    const uint8_t id1[] = {0x01}, id2[] = {0x02}, id3[] = {0x03};
    assert_ptr_equal(scb_p15_find_pin(pins, n, id1, 1), &pins[0]);
    assert_ptr_equal(scb_p15_find_pin(pins, n, id2, 1), &pins[1]);
    assert_null(scb_p15_find_pin(pins, n, id3, 1));
    assert_null(scb_p15_find_pin(pins, n, id1, 0));

    /* the block: ASCII digits padded with padChar to storedLength */
    assert_int_equal(scb_p15_pin_block(&pins[0], "1234", blk, sizeof(blk), &bl), 0);
    assert_int_equal(bl, 8);
    assert_memory_equal(blk, "1234\xFF\xFF\xFF\xFF", 8);
    pins[0].pad_char = 0x00;
    assert_int_equal(scb_p15_pin_block(&pins[0], "87654321", blk, sizeof(blk), &bl), 0);
    assert_memory_equal(blk, "87654321", 8);
    assert_int_equal(scb_p15_pin_block(&pins[0], "123", blk, sizeof(blk), &bl),
                     SCB_E_INVALID_ARG); /* under minLength */
    assert_int_equal(scb_p15_pin_block(&pins[0], "123456789", blk, sizeof(blk), &bl),
                     SCB_E_INVALID_ARG); /* over maxLength */
    assert_int_equal(scb_p15_pin_block(&pins[0], "12a4", blk, sizeof(blk), &bl),
                     SCB_E_INVALID_ARG); /* ascii-numeric: digits only */
    assert_int_equal(scb_p15_pin_block(&pins[0], "1234", blk, 4, &bl), SCB_E_BUFFER);
    /* BCD: two digits a byte, then padChar (FF by default) to storedLength */
    assert_int_equal(scb_p15_pin_block(&pins[1], "123456", blk, sizeof(blk), &bl), 0);
    assert_int_equal(bl, 4);
    assert_memory_equal(blk, "\x12\x34\x56\xFF", 4);
    /* ISO 9564-1 format 2: 2L, BCD digits, F filler, 8 bytes */
    struct scb_p15_pin iso = pins[1];
    iso.type = SCB_P15_PIN_ISO9564_1;
    iso.min_len = 4;
    assert_int_equal(scb_p15_pin_block(&iso, "1234", blk, sizeof(blk), &bl), 0);
    assert_int_equal(bl, 8);
    assert_memory_equal(blk, "\x24\x12\x34\xFF\xFF\xFF\xFF\xFF", 8);
    iso.type = SCB_P15_PIN_HALF_NIBBLE_BCD;
    assert_int_equal(scb_p15_pin_block(&iso, "1234", blk, sizeof(blk), &bl), SCB_E_UNSUPPORTED);

    /* hostile AODFs: truncated, missing storedLength, reference too large, negative INTEGER,
     * max below min, bad pinType, more objects than room */
    static const char *bad[] = {
        "3028300600",
        "300EA10C300A0302024C0A0101020104",
        "3014A1123010030200000A010102010402010880020100",
        "3011A10F300D030200000A01010201FF020108",
        "3014A1123010030200000A0101020108020108020104",
        "3011A10F300D030200000A0109020104020108",
        "3005A0033001",
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        uint8_t b[64];
        size_t bl2;
        scb_util_hex_decode(bad[k], b, sizeof(b), &bl2);
        int ret = scb_p15_parse_aodf(b, bl2, pins, 4, &n);
        if (k == 6) {
            assert_int_equal(ret, SCB_E_P15_MALFORMED); /* a PIN object without attributes */
        } else if (ret >= 0) {
            fail_msg("bad AODF %zu accepted", k);
        }
    }
    assert_int_equal(scb_p15_parse_aodf(buf, len, pins, 1, &n), SCB_E_TOO_LARGE);

    /* a local PIN reference (81) as real cards write it, in one byte (80 01 81: a negative
     * INTEGER in strict DER), and as DER wants it (80 02 00 81): both are reference 81 */
    static const char *ref81[] = {
        "302730060C0450494E313003040101A11830160302020C0A01010201040201080201088001810401FF",
        "302830060C0450494E313003040101A11930170302020C0A0101020104020108020108800200810401FF",
    };
    for (size_t k = 0; k < sizeof(ref81) / sizeof(ref81[0]); k++) {
        uint8_t b[64];
        size_t bl2;
        scb_util_hex_decode(ref81[k], b, sizeof(b), &bl2);
        assert_int_equal(scb_p15_parse_aodf(b, bl2, pins, 4, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pins[0].reference, 0x81);
    }
}

static void test_der_bounds(void **state)
{
    (void)state;
    uint8_t b[8];
    const uint8_t *v;
    size_t vl, pos = 0, n;
    uint8_t tag;
    n = unhex("3082FFFF00", b, sizeof(b));
    assert_int_equal(scb_p15_der_next(b, n, &pos, &tag, &v, &vl), SCB_E_P15_MALFORMED);
    pos = 0;
    n = unhex("3080", b, sizeof(b)); /* indefinite length */
    assert_int_equal(scb_p15_der_next(b, n, &pos, &tag, &v, &vl), SCB_E_P15_MALFORMED);
    pos = 0;
    n = unhex("30", b, sizeof(b));
    assert_int_equal(scb_p15_der_next(b, n, &pos, &tag, &v, &vl), SCB_E_P15_MALFORMED);
    pos = 0;
    n = unhex("3000", b, sizeof(b));
    assert_int_equal(scb_p15_der_next(b, n, &pos, &tag, &v, &vl), 0);
    assert_int_equal(vl, 0);
    assert_int_equal(pos, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dir_records),
        cmocka_unit_test(test_odf),
        cmocka_unit_test(test_dodf_forms),
        cmocka_unit_test(test_der_bounds),
        cmocka_unit_test(test_aodf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

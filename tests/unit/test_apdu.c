/* SPDX-License-Identifier: Apache-2.0 */
/* test_apdu.c: APDU encoding/parsing, channel CLA bits, status words, the 61xx/6Cxx chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../mock/mock_script.h"
#include "scboot/apdu.h"
#include "scboot/card.h"
#include "scboot/transport.h"
#include "scboot/util.h"

static void hex_of(const uint8_t *b, size_t n, char *out)
{
    scb_util_hex_encode(b, n, out, 2 * SCB_APDU_CMD_MAX + 1);
}

static void test_encode_cases(void **state)
{
    (void)state;
    uint8_t out[SCB_APDU_CMD_MAX], d[3] = {1, 2, 3};
    char hex[2 * SCB_APDU_CMD_MAX + 1];
    size_t n;
    struct scb_apdu c1 = {.cla = 0, .ins = 0x70, .p1 = 0x80, .p2 = 1};
    struct scb_apdu c2 = {.ins = 0xB0, .has_le = 1, .le = 256};
    struct scb_apdu c3 = {.ins = 0xA4, .p2 = 0x0C, .data = d, .lc = 3};
    struct scb_apdu c4 = {.ins = 0xA4, .p2 = 0x04, .data = d, .lc = 3, .has_le = 1, .le = 10};

    assert_int_equal(scb_apdu_encode(&c1, out, sizeof(out), &n), 0);
    hex_of(out, n, hex);
    assert_string_equal(hex, "00708001");
    assert_int_equal(scb_apdu_encode(&c2, out, sizeof(out), &n), 0);
    hex_of(out, n, hex);
    assert_string_equal(hex, "00B0000000");
    assert_int_equal(scb_apdu_encode(&c3, out, sizeof(out), &n), 0);
    hex_of(out, n, hex);
    assert_string_equal(hex, "00A4000C03010203");
    assert_int_equal(scb_apdu_encode(&c4, out, sizeof(out), &n), 0);
    hex_of(out, n, hex);
    assert_string_equal(hex, "00A4000403010203" "0A");
    /* invalid: Lc over 255, Le 0, buffer too small */
    struct scb_apdu bad = {.lc = 256, .data = d};
    assert_int_equal(scb_apdu_encode(&bad, out, sizeof(out), &n), SCB_E_INVALID_ARG);
    struct scb_apdu bad2 = {.has_le = 1, .le = 0};
    assert_int_equal(scb_apdu_encode(&bad2, out, sizeof(out), &n), SCB_E_INVALID_ARG);
    assert_int_equal(scb_apdu_encode(&c4, out, 5, &n), SCB_E_BUFFER);
}

static void test_parse_cases(void **state)
{
    (void)state;
    struct scb_apdu a;
    const uint8_t c1[] = {0, 0x70, 0x80, 1};
    const uint8_t c2[] = {0, 0xB0, 0, 0, 0};
    const uint8_t c3[] = {0, 0xA4, 0, 0x0C, 2, 0x2F, 0xE2};
    const uint8_t c4[] = {0, 0xA4, 0, 0x04, 2, 0x2F, 0xE2, 0};
    const uint8_t bad[] = {0, 0xA4, 0, 0x04, 5, 0x2F};

    assert_int_equal(scb_apdu_parse(c1, sizeof(c1), &a), 0);
    assert_false(a.has_le);
    assert_int_equal(a.lc, 0);
    assert_int_equal(scb_apdu_parse(c2, sizeof(c2), &a), 0);
    assert_true(a.has_le);
    assert_int_equal(a.le, 256);
    assert_int_equal(scb_apdu_parse(c3, sizeof(c3), &a), 0);
    assert_int_equal(a.lc, 2);
    assert_false(a.has_le);
    assert_int_equal(scb_apdu_parse(c4, sizeof(c4), &a), 0);
    assert_int_equal(a.lc, 2);
    assert_int_equal(a.le, 256);
    assert_int_equal(scb_apdu_parse(bad, sizeof(bad), &a), SCB_E_PARSE);
    assert_int_equal(scb_apdu_parse(c1, 3, &a), SCB_E_PARSE);
}

static void test_channel_cla(void **state)
{
    (void)state;
    uint8_t cla;
    unsigned ch;
    for (unsigned i = 0; i <= 19; i++) {
        assert_int_equal(scb_apdu_cla_for_channel(0x00, i, &cla), 0);
        assert_int_equal(scb_apdu_cla_channel(cla, &ch), 0);
        assert_int_equal(ch, i);
    }
    scb_apdu_cla_for_channel(0x00, 1, &cla);
    assert_int_equal(cla, 0x01);
    scb_apdu_cla_for_channel(0x00, 3, &cla);
    assert_int_equal(cla, 0x03);
    scb_apdu_cla_for_channel(0x00, 4, &cla);
    assert_int_equal(cla, 0x40);
    scb_apdu_cla_for_channel(0x00, 19, &cla);
    assert_int_equal(cla, 0x4F);
    scb_apdu_cla_for_channel(0x80, 2, &cla); /* GP class keeps b8 */
    assert_int_equal(cla, 0x82);
    scb_apdu_cla_for_channel(0x84, 1, &cla); /* secure messaging bits kept */
    assert_int_equal(cla, 0x85);
    assert_int_equal(scb_apdu_cla_for_channel(0x00, 20, &cla), SCB_E_INVALID_ARG);
}

static void test_status_words(void **state)
{
    (void)state;
    assert_int_equal(scb_error_from_sw(0x9000), SCB_OK);
    assert_int_equal(scb_error_from_sw(0x6A82), SCB_E_FILE_NOT_FOUND);
    assert_int_equal(scb_error_from_sw(0x6982), SCB_E_SECURITY_STATUS);
    assert_int_equal(scb_error_from_sw(0x6881), SCB_E_NO_CHANNEL);
    assert_int_equal(scb_error_from_sw(0x63C2), SCB_E_PIN_WRONG);
    assert_int_equal(scb_error_from_sw(0x6983), SCB_E_PIN_BLOCKED);
    assert_int_equal(scb_error_from_sw(0x6A83), SCB_E_RECORD_NOT_FOUND);
    assert_int_equal(scb_error_from_sw(0x6D00), SCB_E_INS_NOT_SUPPORTED);
    assert_int_equal(scb_error_from_sw(0x6E00), SCB_E_CLA_NOT_SUPPORTED);
    assert_int_equal(scb_error_from_sw(0x6B00), SCB_E_WRONG_P1P2);
    assert_int_equal(scb_error_from_sw(0x1234), SCB_E_SW);
    assert_string_equal(scb_error_sw_message(0x6A82), "6A82 file or application not found");
    assert_non_null(strstr(scb_error_sw_message(0x63C1), "tries"));
    assert_non_null(strstr(scb_error_string(SCB_E_CARD_REMOVED), "SCARD_W_REMOVED_CARD"));
    assert_non_null(strstr(scb_error_string(SCB_E_NO_SERVICE), "SCARD_E_NO_SERVICE"));
    assert_string_equal(scb_error_string(-9999), "unknown error");
}

static void transceive(struct scb_card *c, const struct scb_apdu *a, uint8_t *d, size_t *dl,
                       uint16_t *sw, int expect)
{
    assert_int_equal(scb_card_transceive(c, a, d, SCB_APDU_RSP_MAX * 4, dl, sw), expect);
}

static void test_get_response_chain(void **state)
{
    (void)state;
    static const struct mock_apdu s[] = {
        {"01A4040C02AABB00", "6104"},
        {"01C0000004", "010203046102"},
        {"01C0000002", "05069000"},
    };
    struct scb_transport *t = mock_script_begin(s, ARRAY_SIZE(s));
    struct scb_card *c = NULL;
    uint8_t d[SCB_APDU_RSP_MAX * 4], aid[2] = {0xAA, 0xBB};
    size_t dl;
    uint16_t sw;
    struct scb_apdu a = {.cla = 1, .ins = 0xA4, .p1 = 4, .p2 = 0x0C, .data = aid, .lc = 2,
                         .has_le = 1, .le = 256};
    assert_int_equal(scb_card_new(t, &c), 0);
    transceive(c, &a, d, &dl, &sw, SCB_OK);
    assert_int_equal(sw, 0x9000);
    assert_int_equal(dl, 6);
    assert_int_equal(d[5], 6);
    assert_int_equal(scb_card_apdus(c), 3);
    scb_card_free(&c);
    mock_script_end(&t);
}

static void test_9f_and_6c(void **state)
{
    (void)state;
    static const struct mock_apdu s[] = {
        {"00B0000000", "6C0A"},
        {"00B000000A", "000102030405060708099000"},
        {"00A4000C022FE2", "9F03"},
        {"00C0000003", "6C02"},
        {"00C0000002", "AABB9000"},
    };
    struct scb_transport *t = mock_script_begin(s, ARRAY_SIZE(s));
    struct scb_card *c = NULL;
    uint8_t d[SCB_APDU_RSP_MAX * 4], fid[2] = {0x2F, 0xE2};
    size_t dl;
    uint16_t sw;
    struct scb_apdu rb = {.ins = 0xB0, .has_le = 1, .le = 256};
    struct scb_apdu sel = {.ins = 0xA4, .p2 = 0x0C, .data = fid, .lc = 2};
    assert_int_equal(scb_card_new(t, &c), 0);
    transceive(c, &rb, d, &dl, &sw, SCB_OK);
    assert_int_equal(dl, 10);
    assert_int_equal(sw, 0x9000);
    transceive(c, &sel, d, &dl, &sw, SCB_OK);
    assert_int_equal(dl, 2);
    assert_int_equal(d[0], 0xAA);
    scb_card_free(&c);
    mock_script_end(&t);
}

static void test_response_loop_bounded(void **state)
{
    (void)state;
    static struct mock_apdu s[200];
    for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
        s[i].cmd = NULL;
        s[i].rsp = "6100"; /* 61xx forever */
    }
    struct scb_transport *t = mock_script_begin(s, 5);
    struct scb_card *c = NULL;
    uint8_t d[SCB_APDU_RSP_MAX * 4];
    size_t dl;
    uint16_t sw;
    struct scb_apdu rb = {.ins = 0xB0, .has_le = 1, .le = 256};
    assert_int_equal(scb_card_new(t, &c), 0);
    scb_card_set_max_chain(c, 4);
    assert_int_equal(scb_card_transceive(c, &rb, d, 4 * 256, &dl, &sw), SCB_E_RESPONSE_LOOP);
    mock_script_end(&t);
    /* a 6Cxx loop */
    static const struct mock_apdu l6c[] = {{NULL, "6C10"}, {NULL, "6C10"}, {NULL, "6C10"}};
    t = mock_script_begin(l6c, ARRAY_SIZE(l6c));
    scb_card_free(&c);
    assert_int_equal(scb_card_new(t, &c), 0);
    scb_card_set_max_chain(c, 2);
    assert_int_equal(scb_card_transceive(c, &rb, d, sizeof(d), &dl, &sw), SCB_E_RESPONSE_LOOP);
    scb_card_free(&c);
    mock_script_end(&t);
}

static void test_short_response_and_errors(void **state)
{
    (void)state;
    static const struct mock_apdu s[] = {
        {"00B0000000", "90"},
        {"00B0000000", NULL, SCB_E_CARD_REMOVED},
    };
    struct scb_transport *t = mock_script_begin(s, ARRAY_SIZE(s));
    struct scb_card *c = NULL;
    uint8_t d[SCB_APDU_RSP_MAX];
    size_t dl;
    uint16_t sw;
    struct scb_apdu rb = {.ins = 0xB0, .has_le = 1, .le = 256};
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_card_transceive(c, &rb, d, sizeof(d), &dl, &sw), SCB_E_SHORT_RESPONSE);
    assert_int_equal(scb_card_transceive(c, &rb, d, sizeof(d), &dl, &sw), SCB_E_CARD_REMOVED);
    scb_card_free(&c);
    mock_script_end(&t);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t b[4];
    size_t n;
    char s[9];
    assert_int_equal(scb_util_hex_decode("0a:Bc 12", b, sizeof(b), &n), 0);
    assert_int_equal(n, 3);
    scb_util_hex_encode(b, n, s, sizeof(s));
    assert_string_equal(s, "0ABC12");
    assert_int_equal(scb_util_hex_decode("0", b, sizeof(b), &n), SCB_E_PARSE);
    assert_int_equal(scb_util_hex_decode("zz", b, sizeof(b), &n), SCB_E_PARSE);
    assert_int_equal(scb_util_hex_decode("0102030405", b, sizeof(b), &n), SCB_E_BUFFER);
}

/* The opaque card session: NULL-safe, setters and getters do what they say. */
static void test_card_handle(void **state)
{
    (void)state;
    static const struct mock_apdu s[] = {{"00B0000002", "6C04"}, {"00B0000004", "AABBCCDD9000"}};
    struct scb_transport *t = mock_script_begin(s, ARRAY_SIZE(s));
    struct scb_transport *other = scb_transport_empty_reader("x");
    struct scb_card *c = (struct scb_card *)&s; /* set to NULL on error */
    uint8_t d[16], hdr[4];
    size_t dl, out, in;
    uint16_t sw;
    assert_int_equal(scb_card_new(t, NULL), SCB_E_INVALID_ARG);
    scb_card_free(NULL);
    c = NULL;
    scb_card_free(&c);
    assert_null(scb_card_transport(NULL));
    assert_null(scb_card_set_transport(NULL, t));
    assert_int_equal(scb_card_apdus(NULL), 0);
    assert_int_equal(scb_card_last_sw(NULL), 0);
    assert_int_equal(scb_card_redact(NULL), 0);
    scb_card_last_hdr(NULL, hdr);
    assert_int_equal(hdr[1], 0);
    scb_card_bytes(NULL, &out, &in);
    assert_int_equal(out + in, 0);
    scb_card_set_trace(NULL, NULL, NULL);
    scb_card_set_redact(NULL, 1);
    scb_card_set_max_chain(NULL, 1);
    scb_card_clear_last(NULL);

    assert_int_equal(scb_card_new(t, &c), 0);
    assert_ptr_equal(scb_card_transport(c), t);
    assert_ptr_equal(scb_card_set_transport(c, other), t); /* the previous one back */
    assert_ptr_equal(scb_card_set_transport(c, t), other);
    scb_card_set_redact(c, SCB_REDACT_CMD);
    assert_int_equal(scb_card_redact(c), SCB_REDACT_CMD);
    struct scb_apdu rb = {.ins = 0xB0, .has_le = 1, .le = 2};
    assert_int_equal(scb_card_transceive(c, &rb, d, sizeof(d), &dl, &sw), 0);
    assert_int_equal(sw, 0x9000);
    assert_int_equal(dl, 4);
    assert_int_equal(scb_card_apdus(c), 2);
    assert_int_equal(scb_card_last_sw(c), 0x9000);
    assert_true(scb_card_last_resent(c));
    scb_card_last_hdr(c, hdr);
    assert_int_equal(hdr[1], 0xB0);
    scb_card_bytes(c, &out, &in);
    assert_int_equal(out, 10);
    assert_int_equal(in, 2 + 6);
    scb_card_clear_last(c);
    assert_int_equal(scb_card_last_sw(c), 0);
    assert_false(scb_card_last_resent(c));
    scb_card_last_hdr(c, hdr);
    assert_int_equal(hdr[1], 0);
    scb_card_free(&c);
    assert_null(c);
    scb_transport_free(&other);
    mock_script_end(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_cases),
        cmocka_unit_test(test_parse_cases),
        cmocka_unit_test(test_channel_cla),
        cmocka_unit_test(test_status_words),
        cmocka_unit_test(test_get_response_chain),
        cmocka_unit_test(test_9f_and_6c),
        cmocka_unit_test(test_response_loop_bounded),
        cmocka_unit_test(test_short_response_and_errors),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_card_handle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

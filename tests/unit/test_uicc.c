/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_uicc.c: FCP parsing (incl. malformed), READ BINARY loop across 256-byte boundaries and
 * odd sizes, READ RECORD, VERIFY PIN, ICCID decoding, reader selection, channels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../mock/mock_script.h"
#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/transport.h"
#include "scboot/uicc.h"
#include "scboot/util.h"

static void test_fcp_adf(void **state)
{
    (void)state;
    /* the NRF trace's ADF FCP */
    uint8_t b[64];
    size_t n;
    struct scb_fcp f;
    scb_util_hex_decode(
        "622582027821840CA000000063504B43532D31358A01058B032F060CC609900140830101830"
        "10A",
        b, sizeof(b), &n);
    assert_int_equal(scb_uicc_fcp_parse(b, n, &f), 0);
    assert_int_equal(f.structure, SCB_DF);
    assert_int_equal(f.aid_len, 12);
    assert_int_equal(f.lcsi, 5);
    assert_int_equal(f.pin_count, 2);
    assert_int_equal(f.pin_ref[0], 0x01);
    assert_int_equal(f.pin_ref[1], 0x0A);
    assert_int_equal(f.pin_enabled[0], 0);
    assert_int_equal(f.pin_enabled[1], 1);
    assert_int_equal(f.sec_attr_tag, 0x8B);
}

static void test_fcp_ef(void **state)
{
    (void)state;
    uint8_t b[64];
    size_t n;
    struct scb_fcp f;
    scb_util_hex_decode("621A8205422100260483022F008A01058B036F0601800200988801F0", b, sizeof(b),
                        &n);
    assert_int_equal(scb_uicc_fcp_parse(b, n, &f), 0);
    assert_int_equal(f.structure, SCB_EF_LINEAR_FIXED);
    assert_int_equal(f.record_len, 0x26);
    assert_int_equal(f.record_count, 4);
    assert_int_equal(f.fid, 0x2F00);
    assert_int_equal(f.size, 0x98);
    assert_true(f.has_sfi);
    assert_int_equal(f.sfi, 0x1E);
    scb_util_hex_decode("620E82024121830264328002046080020000", b, sizeof(b), &n);
    b[1] = (uint8_t)(n - 2);
    assert_int_equal(scb_uicc_fcp_parse(b, n, &f), 0);
    assert_int_equal(f.structure, SCB_EF_TRANSPARENT);
    assert_int_equal(f.size, 0); /* the last 80 wins */
}

static void test_fcp_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",                     /* empty */
        "6F03820241",           /* wrong outer tag */
        "620582024121",         /* outer length past the end */
        "6204820341",           /* inner length past the end */
        "62038202",             /* inner length byte missing value */
        "6204830120FF",         /* FID of one byte */
        "620382014121",         /* descriptor of 1 byte */
        "6203800500",           /* size of 5 bytes: inner overruns */
        "62068005010203040506", /* size of 5 bytes */
        "6285",                 /* long form length not allowed */
        "62048A020505",         /* LCSI 2 bytes */
        "6205C603830201",       /* PIN key ref 2 bytes */
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint8_t b[64];
        size_t n = 0;
        struct scb_fcp f;
        scb_util_hex_decode(bad[i], b, sizeof(b), &n);
        int ret = scb_uicc_fcp_parse(b, n, &f);
        if (ret != SCB_E_FCP_MALFORMED) {
            fail_msg("FCP '%s' gave %d", bad[i], ret);
        }
    }
}

static void test_iccid(void **state)
{
    (void)state;
    const uint8_t bcd[] = {0x98, 0x88, 0x12, 0x01, 0x00, 0x00, 0x40, 0x03, 0x10, 0xF0};
    const uint8_t full[] = {0x98, 0x88, 0x12, 0x01, 0x00, 0x00, 0x40, 0x03, 0x10, 0x32};
    const uint8_t bad[] = {0x9A};
    char out[24];
    assert_int_equal(scb_uicc_iccid_decode(bcd, sizeof(bcd), out, sizeof(out)), 0);
    assert_string_equal(out, "8988211000000430010");
    assert_int_equal(scb_uicc_iccid_decode(full, sizeof(full), out, sizeof(out)), 0);
    assert_string_equal(out, "89882110000004300123");
    assert_int_equal(scb_uicc_iccid_decode(bad, 1, out, sizeof(out)), SCB_E_PARSE);
    assert_int_equal(scb_uicc_iccid_decode(bcd, sizeof(bcd), out, 5), SCB_E_BUFFER);
    const uint8_t pad[] = {0xFF};
    assert_int_equal(scb_uicc_iccid_decode(pad, 1, out, sizeof(out)), SCB_E_PARSE);
}

static void test_reader_match(void **state)
{
    (void)state;
    const char *names[] = {"Virtual PCD 00 00", "Virtual PCD 00 01", "ACS ACR39U 01 00"};
    size_t i;
    assert_int_equal(scb_transport_reader_match(names, 3, "Virtual PCD 00 01", &i), 0);
    assert_int_equal(i, 1);
    assert_int_equal(scb_transport_reader_match(names, 3, "2", &i), 0);
    assert_int_equal(i, 2);
    assert_int_equal(scb_transport_reader_match(names, 3, "ACR39", &i), 0);
    assert_int_equal(i, 2);
    assert_int_equal(scb_transport_reader_match(names, 3, "Virtual", &i), SCB_E_READER_AMBIGUOUS);
    assert_int_equal(scb_transport_reader_match(names, 3, "Gemalto", &i), SCB_E_READER_NOT_FOUND);
    assert_int_equal(scb_transport_reader_match(names, 3, "7", &i), SCB_E_READER_NOT_FOUND);
    assert_int_equal(scb_transport_reader_match(names, 3, "", &i), SCB_E_INVALID_ARG);
}

/* A profile with one transparent EF of `size` bytes (value i & 0xFF) under the PKCS#15 ADF. */
static struct scb_emu *emu_with_file(size_t size, const char *proto, int maxr)
{
    size_t hl = size * 2 + 1;
    char *hex = malloc(hl), *json = malloc(hl + 512), err[256];
    uint8_t *b = malloc(size ? size : 1);
    struct scb_emu *e = NULL;
    for (size_t i = 0; i < size; i++) {
        b[i] = (uint8_t)i;
    }
    scb_util_hex_encode(b, size, hex, hl);
    snprintf(json, hl + 512,
             "{\"protocol\":\"%s\",\"max_response\":%d,\"applications\":[{\"aid\":"
             "\"A000000063504B43532D3135\",\"files\":[{\"fid\":\"6432\",\"hex\":\"%s\"},"
             "{\"fid\":\"6F01\",\"structure\":\"linear\",\"records\":[\"0102\",\"0304\"]}]}]}",
             proto, maxr, hex);
    if (scb_emu_load_json(json, NULL, &e, err, sizeof(err)) < 0) {
        fail_msg("profile: %s", err);
    }
    free(hex);
    free(json);
    free(b);
    return e;
}

static void read_whole_k(struct scb_emu *e, size_t size, size_t ask, unsigned expect_apdus,
                         int known)
{
    static const uint8_t aid[] = {0xA0, 0, 0, 0, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
    static const uint8_t fid[] = {0x64, 0x32};
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    uint8_t *buf = malloc(ask + 1);
    size_t got;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_select(c, 0, SCB_SELECT_AID, aid, sizeof(aid), NULL), 0);
    assert_int_equal(scb_uicc_select(c, 0, SCB_SELECT_FID, fid, sizeof(fid), NULL), 0);
    scb_card_free(&c); /* a new session: counters from zero */
    assert_int_equal(scb_card_new(t, &c), 0);
    if (known) {
        assert_int_equal(scb_uicc_read_binary_known(c, 0, 0, buf, ask, &got), 0);
    } else {
        assert_int_equal(scb_uicc_read_binary(c, 0, 0, 0, buf, ask, &got), 0);
    }
    assert_int_equal(got, size < ask ? size : ask);
    for (size_t i = 0; i < got; i++) {
        assert_int_equal(buf[i], (uint8_t)i);
    }
    if (expect_apdus) {
        assert_int_equal(scb_card_apdus(c), expect_apdus);
    }
    /* never a READ BINARY past a short answer: no 6B00 in the log */
    for (size_t k = 0; k < scb_emu_log_count(e); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        scb_emu_log_entry(e, k, &cmd, &cl, &rsp, &rl);
        assert_false(rl == 2 && rsp[0] == 0x6B && rsp[1] == 0x00);
    }
    free(buf);
    scb_card_free(&c);
    scb_transport_free(&t);
}

static void read_whole(struct scb_emu *e, size_t size, size_t ask, unsigned expect_apdus)
{
    read_whole_k(e, size, ask, expect_apdus, 0);
}

static void test_read_binary_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 255, 256, 257, 511, 512, 513, 1136, 4096, 32767, 32768};
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        for (int p = 0; p < 2; p++) {
            struct scb_emu *e = emu_with_file(sizes[i], p ? "T=1" : "T=0", 256);
            /* exact size: ceil(size / 256) commands on either protocol */
            read_whole(e, sizes[i], sizes[i], (unsigned)((sizes[i] + 255) / 256));
            scb_emu_free(&e);
        }
    }
}

static void test_read_binary_eof(void **state)
{
    (void)state;
    /* asking more than the file holds: each short-read class ends the read at the short
     * answer (doc/protocol.md, card behaviours): T=1 6282, T=1 9000 with fewer bytes, T=0
     * 6Cxx + re-send, and a T=0 card answering 6282 */
    struct scb_emu *e = emu_with_file(300, "T=1", 256);
    read_whole(e, 300, 4096, 2);
    scb_emu_free(&e);
    e = emu_with_file(300, "T=1\",\"short_read\":\"9000", 256);
    read_whole(e, 300, 4096, 2);
    scb_emu_free(&e);
    e = emu_with_file(300, "T=0", 256);
    read_whole(e, 300, 4096, 3);
    scb_emu_free(&e);
    e = emu_with_file(300, "T=0\",\"short_read\":\"6282", 256);
    read_whole(e, 300, 4096, 2);
    scb_emu_free(&e);
    /* a file ending on a 256-byte boundary: only then is the end an offset past it (6B00) */
    e = emu_with_file(512, "T=0", 256);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    uint8_t buf[4096];
    size_t got;
    static const uint8_t aid[] = {0xA0, 0, 0, 0, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
    static const uint8_t fid[] = {0x64, 0x32};
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_select(c, 0, SCB_SELECT_AID, aid, sizeof(aid), NULL), 0);
    assert_int_equal(scb_uicc_select(c, 0, SCB_SELECT_FID, fid, sizeof(fid), NULL), 0);
    scb_card_free(&c); /* a new session: counters from zero */
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_read_binary(c, 0, 0, 0, buf, sizeof(buf), &got), 0);
    assert_int_equal(got, 512);
    assert_int_equal(scb_card_apdus(c), 3); /* 256 + 256 + 6B00 */
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

static void test_read_binary_short_chunks(void **state)
{
    (void)state;
    /* a card returning fewer bytes than asked (SCP03-like, 239): advance by what came */
    struct scb_emu *e = emu_with_file(1136, "T=1", 239);
    read_whole_k(e, 1136, 1136, 5, 1);
    scb_emu_free(&e);
    e = emu_with_file(1000, "T=1", 1);
    read_whole_k(e, 1000, 1000, 1000, 1);
    scb_emu_free(&e);
    /* size unknown: the short 9000 answer is taken as the end of the file */
    e = emu_with_file(1136, "T=1", 239);
    read_whole(e, 239, 1136, 1);
    scb_emu_free(&e);
}

static void test_read_binary_args(void **state)
{
    (void)state;
    struct scb_card *c = NULL;
    uint8_t b[4];
    size_t got;
    assert_int_equal(scb_card_new(NULL, &c), 0);
    assert_int_equal(scb_uicc_read_binary(c, 0, 0, 0x8000, b, 1, &got), SCB_E_INVALID_ARG);
    assert_int_equal(scb_uicc_read_binary(c, 0, 31, 0, b, 1, &got), SCB_E_INVALID_ARG);
    assert_int_equal(scb_uicc_read_binary(c, 0, 0, 0, b, 40000, &got), SCB_E_INVALID_ARG);
    scb_card_free(&c);
}

static void test_read_record_and_channels(void **state)
{
    (void)state;
    static const uint8_t aid[] = {0xA0, 0, 0, 0, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
    static const uint8_t fid[] = {0x6F, 0x01};
    struct scb_emu *e = emu_with_file(10, "T=0", 256);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    struct scb_fcp f;
    uint8_t rec[256];
    size_t n;
    unsigned ch;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_open_channel(c, &ch), 0);
    assert_int_equal(ch, 1);
    assert_int_equal(scb_uicc_select(c, ch, SCB_SELECT_AID, aid, sizeof(aid), &f), 0);
    assert_int_equal(f.structure, SCB_DF);
    assert_int_equal(scb_uicc_select(c, ch, SCB_SELECT_FID, fid, sizeof(fid), &f), 0);
    assert_int_equal(f.structure, SCB_EF_LINEAR_FIXED);
    assert_int_equal(f.record_len, 2);
    assert_int_equal(scb_uicc_read_record(c, ch, 0, 2, 0, rec, sizeof(rec), &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rec[1], 4);
    assert_int_equal(scb_uicc_read_record(c, ch, 0, 3, 2, rec, sizeof(rec), &n),
                     SCB_E_RECORD_NOT_FOUND);
    assert_int_equal(scb_uicc_close_channel(c, ch), 0);
    /* the closed channel is gone */
    assert_int_equal(scb_uicc_select(c, ch, SCB_SELECT_FID, fid, sizeof(fid), NULL),
                     SCB_E_NO_CHANNEL);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

static void test_no_channel_card(void **state)
{
    (void)state;
    struct scb_emu *e = NULL;
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_emu_load_json("{\"channels\":0}", NULL, &e, err, sizeof(err)), 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    unsigned ch;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_open_channel(c, &ch), SCB_E_NO_CHANNEL);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

static void test_verify_pin(void **state)
{
    (void)state;
    struct scb_emu *e = NULL;
    char err[SCB_ERR_MAX];
    int tries;
    assert_int_equal(scb_emu_load_json("{\"pin\":{\"value\":\"1234\",\"tries\":3}}", NULL, &e,
                                       err, sizeof(err)),
                     0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "0000", &tries), SCB_E_PIN_WRONG);
    assert_int_equal(tries, 2);
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "1234", &tries), SCB_OK);
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "1", &tries), SCB_E_INVALID_ARG);
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "1111", &tries), SCB_E_PIN_WRONG);
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "1111", &tries), SCB_E_PIN_WRONG);
    assert_int_equal(tries, 1);
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "1111", &tries), SCB_E_PIN_BLOCKED);
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "1234", &tries), SCB_E_PIN_BLOCKED);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

/* A trace that records whether the PIN ever appears. */
static int pin_seen;
static void pin_trace(void *ctx, enum scb_trace_dir dir, const uint8_t *buf, size_t len,
                      int redacted)
{
    (void)ctx;
    (void)dir;
    if (!redacted && len >= 9 && memcmp(buf + 5, "1234", 4) == 0) {
        pin_seen = 1;
    }
}

static void test_verify_pin_redacted(void **state)
{
    (void)state;
    struct scb_emu *e = NULL;
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_emu_load_json("{\"pin\":{\"value\":\"1234\"}}", NULL, &e, err,
                                       sizeof(err)),
                     0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    assert_int_equal(scb_card_new(t, &c), 0);
    scb_card_set_trace(c, pin_trace, NULL);
    pin_seen = 0;
    assert_int_equal(scb_uicc_verify_pin(c, 0, 1, "1234", NULL), SCB_OK);
    assert_int_equal(pin_seen, 0);
    assert_int_equal(scb_card_redact(c), 0);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

/* A reader (or modem) that answers with the command's bytes: the PIN comes back in the
 * response, whose trace must be redacted as the command's is. */
static int echo_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp,
                         size_t rcap, size_t *rlen)
{
    (void)self;
    if (clen + 2 > rcap) {
        return SCB_E_INVALID_ARG;
    }
    memcpy(rsp, cmd, clen);
    rsp[clen] = 0x90;
    rsp[clen + 1] = 0x00;
    *rlen = clen + 2;
    return SCB_OK;
}

static int echo_status(void *self, struct scb_card_status *st)
{
    (void)self;
    memset(st, 0, sizeof(*st));
    st->present = 1;
    return SCB_OK;
}

static void echo_destroy(void *self)
{
    (void)self;
}

static const struct scb_transport_ops echo_ops = {
    .name = "echo", .transmit = echo_transmit, .status = echo_status, .destroy = echo_destroy};

static int rsp_flags = -1;
static void rsp_trace(void *ctx, enum scb_trace_dir dir, const uint8_t *buf, size_t len,
                      int redacted)
{
    pin_trace(ctx, dir, buf, len, redacted);
    if (dir == SCB_TRACE_RSP) {
        rsp_flags = redacted;
    }
}

static void test_verify_echoed_pin_redacted(void **state)
{
    (void)state;
    static int self;
    struct scb_transport *t = scb_transport_new(&echo_ops, &self);
    struct scb_card *c = NULL;
    assert_non_null(t);
    assert_int_equal(scb_card_new(t, &c), 0);
    scb_card_set_trace(c, rsp_trace, NULL);
    pin_seen = 0;
    rsp_flags = -1;
    scb_uicc_verify_pin(c, 0, 1, "1234", NULL);
    assert_int_equal(pin_seen, 0);
    assert_true(rsp_flags >= 0 && (rsp_flags & SCB_REDACT_CMD) != 0);
    scb_card_free(&c);
    scb_transport_free(&t);
}

static void test_read_iccid_emu(void **state)
{
    (void)state;
    struct scb_emu *e = NULL;
    char err[SCB_ERR_MAX], iccid[24];
    assert_int_equal(scb_emu_load_json("{\"iccid\":\"89441000300123456789\"}", NULL, &e, err,
                                       sizeof(err)),
                     0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_read_iccid(c, iccid, sizeof(iccid)), 0);
    assert_string_equal(iccid, "89441000300123456789");
    assert_int_equal(scb_card_apdus(c), 1); /* READ BINARY by SFI 02 */
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
    /* a card without SFI support: SELECT 2FE2 by path + READ BINARY, whatever the refusal */
    static const char *refusals[] = {"6A81", "6A82", "6986"};
    for (size_t k = 0; k < 3; k++) {
        char json[160];
        snprintf(json, sizeof(json),
                 "{\"iccid\":\"89441000300123456789\",\"sfi\":false,\"sfi_refusal\":\"%s\"}",
                 refusals[k]);
        assert_int_equal(scb_emu_load_json(json, NULL, &e, err, sizeof(err)), 0);
        t = scb_emu_transport(e);
        scb_card_free(&c);
        assert_int_equal(scb_card_new(t, &c), 0);
        assert_int_equal(scb_uicc_read_iccid(c, iccid, sizeof(iccid)), 0);
        assert_string_equal(iccid, "89441000300123456789");
        assert_int_equal(scb_card_apdus(c), 3);
        scb_card_free(&c);
        scb_transport_free(&t);
        scb_emu_free(&e);
    }
    /* channel 0 left in an ADF whose SFI 02 is another file (a language list): that does not
     * decode as an ICCID, so EF ICCID is selected by path from the MF */
    assert_int_equal(scb_emu_load_json("{\"iccid\":\"89441000300123456789\",\"applications\":[{"
                                       "\"aid\":\"A0000000871002\",\"files\":[{\"fid\":\"6F05\","
                                       "\"sfi\":2,\"hex\":\"656E6672FFFFFFFFFFFF\"}]}]}",
                                       NULL, &e, err, sizeof(err)),
                     0);
    t = scb_emu_transport(e);
    scb_card_free(&c);
    assert_int_equal(scb_card_new(t, &c), 0);
    static const uint8_t usim[] = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02};
    assert_int_equal(scb_uicc_select(c, 0, SCB_SELECT_AID, usim, sizeof(usim), NULL), 0);
    scb_card_free(&c); /* a new session: counters from zero */
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_read_iccid(c, iccid, sizeof(iccid)), 0);
    assert_string_equal(iccid, "89441000300123456789");
    assert_int_equal(scb_card_apdus(c), 3);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
    /* ... and an SFI 02 whose content is all digits (EF IMSI-like: decodes as BCD): not an
     * ICCID either (no 89 prefix), so EF ICCID is selected by path too */
    assert_int_equal(scb_emu_load_json("{\"iccid\":\"89441000300123456789\",\"applications\":[{"
                                       "\"aid\":\"A0000000871002\",\"files\":[{\"fid\":\"6F07\","
                                       "\"sfi\":2,\"hex\":\"08091032547698103254\"}]}]}",
                                       NULL, &e, err, sizeof(err)),
                     0);
    t = scb_emu_transport(e);
    scb_card_free(&c);
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_select(c, 0, SCB_SELECT_AID, usim, sizeof(usim), NULL), 0);
    scb_card_free(&c); /* a new session: counters from zero */
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_uicc_read_iccid(c, iccid, sizeof(iccid)), 0);
    assert_string_equal(iccid, "89441000300123456789");
    assert_int_equal(scb_card_apdus(c), 3);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcp_adf),
        cmocka_unit_test(test_fcp_ef),
        cmocka_unit_test(test_fcp_malformed),
        cmocka_unit_test(test_iccid),
        cmocka_unit_test(test_reader_match),
        cmocka_unit_test(test_read_binary_sizes),
        cmocka_unit_test(test_read_binary_eof),
        cmocka_unit_test(test_read_binary_short_chunks),
        cmocka_unit_test(test_read_binary_args),
        cmocka_unit_test(test_read_record_and_channels),
        cmocka_unit_test(test_no_channel_card),
        cmocka_unit_test(test_verify_pin),
        cmocka_unit_test(test_verify_pin_redacted),
        cmocka_unit_test(test_verify_echoed_pin_redacted),
        cmocka_unit_test(test_read_iccid_emu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

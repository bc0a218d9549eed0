/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_codec.c: the TLV and G.3.4 codecs: both worked examples of doc/protocol.md
 * (G.3.4 file format) byte for byte,
 * every length form, every malformed form with its doc/rules.md identifier, round trips through
 * the model and the JSON shape, raw objects kept exactly; the registry table; values that do
 * not fit their type; JSON numbers beyond what the resource's type holds.
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/bsfile.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/tlv.h"
#include "scboot/util.h"

static const char ex1_hex[] =
    "0001 0036 0000 00 0031 08002E C80025 636F61703A2F2F6C657368616E2E65636C6970736570726F6A6563"
    "74732E696F3A35373833 C10101 C10203";

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    assert_int_equal(scb_util_hex_decode(h, out, cap, &n), 0);
    return n;
}

static void roundtrip_exact(const uint8_t *b, size_t n, size_t pad)
{
    struct scb_config cfg;
    struct scb_decode_error e = {0};
    struct scb_buf out = {0};
    scb_config_init(&cfg);
    assert_int_equal(scb_bsfile_decode(b, n, &cfg, &e), 0);
    assert_int_equal(scb_bsfile_encode(&cfg, pad, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, b, n);
    scb_buf_free(&out);
    scb_config_free(&cfg);
}

static void test_example1(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = unhex(ex1_hex, b, sizeof(b));
    struct scb_config cfg;
    struct scb_decode_error e = {0};
    int64_t mode;
    int bs;
    assert_int_equal(n, 58);
    scb_config_init(&cfg);
    /* with the card's FF FF padding after the header's extent */
    b[58] = 0xFF;
    b[59] = 0xFF;
    assert_int_equal(scb_bsfile_decode(b, 60, &cfg, &e), 0);
    assert_int_equal(cfg.n, 1);
    assert_int_equal(cfg.o[0].id, 0);
    assert_false(cfg.o[0].explicit_version);
    struct scb_resource *uri = scb_instance_resource_mut(scb_object_instance_mut(&cfg.o[0], 0), 0);
    assert_non_null(uri);
    assert_int_equal(uri->v[0].len, 37);
    assert_memory_equal(uri->v[0].data, "coap://leshan.eclipseprojects.io:5783", 37);
    assert_int_equal(scb_config_get_bool(&cfg, 0, 0, 1, &bs), 0);
    assert_true(bs);
    assert_int_equal(scb_config_get_int(&cfg, 0, 0, 2, &mode), 0);
    assert_int_equal(mode, 3);
    scb_config_free(&cfg);
    roundtrip_exact(b, 58, 0);
}

static void test_example2(void **state)
{
    (void)state;
    uint8_t *b;
    size_t n;
    struct scb_config cfg;
    struct scb_decode_error e = {0};
    int64_t v;
    assert_int_equal(scb_util_read_file("data/anjay_ef126.bin", 4096, &b, &n), 0);
    assert_int_equal(n, 126);
    const uint8_t head[] = {0x00, 0x02, 0x00, 0x7A, 0x00, 0x00, 0x00, 0x00, 0x5E};
    assert_memory_equal(b, head, sizeof(head));
    scb_config_init(&cfg);
    assert_int_equal(scb_bsfile_decode(b, n, &cfg, &e), 0);
    assert_int_equal(scb_config_get_int(&cfg, 1, 1, 1, &v), 0);
    assert_int_equal(v, 86400);
    assert_int_equal(scb_config_get_int(&cfg, 0, 1, 10, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(scb_config_get_int(&cfg, 0, 1, 2, &v), 0);
    assert_int_equal(v, 0);
    scb_config_free(&cfg);
    roundtrip_exact(b, n, 0);
    free(b);
}

/* One object record around a TLV payload given in hex. */
static size_t wrap_record(uint16_t oid, const char *tlv_hex, uint8_t *out, size_t cap)
{
    uint8_t tlv[4096];
    size_t tl = unhex(tlv_hex, tlv, sizeof(tlv));
    size_t n = 0;
    out[n++] = 0;
    out[n++] = 1;
    size_t size = 5 + tl;
    out[n++] = (uint8_t)(size >> 8);
    out[n++] = (uint8_t)size;
    out[n++] = (uint8_t)(oid >> 8);
    out[n++] = (uint8_t)oid;
    out[n++] = 0;
    out[n++] = (uint8_t)(tl >> 8);
    out[n++] = (uint8_t)tl;
    assert_true(n + tl <= cap);
    memcpy(out + n, tl ? tlv : out, tl);
    return n + tl;
}

static void expect_error(const uint8_t *b, size_t n, const char *rule, size_t offset)
{
    struct scb_config cfg;
    struct scb_decode_error e = {0};
    scb_config_init(&cfg);
    int ret = scb_bsfile_decode(b, n, &cfg, &e);
    if (ret != SCB_E_DECODE || e.rule == NULL || strcmp(e.rule, rule) != 0) {
        fail_msg("expected %s, got %d %s (%s)", rule, ret, e.rule ? e.rule : "-", e.msg);
    }
    if (offset != (size_t)-1) {
        assert_int_equal(e.offset, offset);
    }
    assert_int_equal(cfg.n, 0); /* nothing handed out from a failed decode */
}

static void test_length_forms(void **state)
{
    (void)state;
    uint8_t b[8192];
    /* value length in the type byte, 8-bit, 16-bit, 24-bit length fields; 16-bit IDs */
    const char *forms[] = {
        "03 00 C1 05 07",                                  /* lengths in the type byte */
        "08 00 0B C8 05 08 0102030405060708",              /* 8-bit length */
        "08 00 0C D0 05 0008 0102030405060708",            /* 16-bit length (non-canonical) */
        "08 00 0D D8 05 000008 0102030405060708",          /* 24-bit length */
        "10 00 0003 C1 05 07",                             /* 16-bit instance length */
        "28 0100 04 E1 0100 07",                           /* 16-bit instance and resource ID */
        "08 00 08 86 06 410001 410102",                    /* multiple resource */
    };
    for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
        size_t n = wrap_record(10000, forms[k], b, sizeof(b));
        struct scb_config cfg;
        struct scb_decode_error e = {0};
        scb_config_init(&cfg);
        if (scb_bsfile_decode(b, n, &cfg, &e) != 0) {
            fail_msg("form %zu: %s %s", k, e.rule, e.msg);
        }
        assert_int_equal(cfg.n, 1);
        assert_true(cfg.o[0].n >= 1);
        /* an unknown object keeps its exact bytes, non-canonical lengths included */
        roundtrip_exact(b, n, 0);
        scb_config_free(&cfg);
    }
    /* the header encoder picks the shortest forms */
    uint8_t h[6];
    assert_int_equal(scb_tlv_header(3, 5, 7, h), 2);
    assert_int_equal(h[0], 0xC7);
    assert_int_equal(scb_tlv_header(3, 5, 8, h), 3);
    assert_int_equal(h[0], 0xC8);
    assert_int_equal(scb_tlv_header(3, 5, 300, h), 4);
    assert_int_equal(h[0], 0xD0);
    assert_int_equal(scb_tlv_header(3, 5, 70000, h), 5);
    assert_int_equal(h[0], 0xD8);
    assert_int_equal(scb_tlv_header(0, 300, 0, h), 3);
    assert_int_equal(h[0], 0x20);
    /* a length beyond 24 bits has no header: 0, never a truncated length field */
    assert_int_equal(scb_tlv_header(3, 5, SCB_TLV_MAX_LEN, h), 5);
    assert_int_equal(scb_tlv_header(3, 5, (size_t)SCB_TLV_MAX_LEN + 1, h), 0);
    assert_int_equal(scb_tlv_header(3, 5, SIZE_MAX, h), 0);
}

/* A value longer than a TLV length can say is refused by the encoders: a header of
 * (len & 0xFFFFFF) would have the rest of the value read back as further TLVs. */
static void test_tlv_encode_too_long(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_object *o;
    struct scb_instance *in;
    struct scb_resource *r, *m;
    size_t big = (size_t)SCB_TLV_MAX_LEN + 6;
    uint8_t *v = calloc(1, big);
    struct scb_buf b = {.max = SIZE_MAX};
    assert_non_null(v);
    scb_config_init(&cfg);
    assert_int_equal(scb_config_add_object(&cfg, 3, &o), 0);
    assert_int_equal(scb_object_add_instance(o, 0, &in), 0);
    assert_int_equal(scb_instance_add_resource(in, 0, &r), 0);
    assert_int_equal(scb_resource_add_value(r, 0, v, big), 0);
    assert_int_equal(scb_tlv_encode_resource(r, &b), SCB_E_TOO_LARGE);
    scb_buf_free(&b);
    b.max = SIZE_MAX;
    assert_int_equal(scb_tlv_encode_object(o, &b), SCB_E_TOO_LARGE);
    scb_buf_free(&b);
    /* a multiple resource whose instances together overflow the 24-bit length */
    assert_int_equal(scb_instance_add_resource(in, 1, &m), 0);
    m->multiple = 1;
    assert_int_equal(scb_resource_add_value(m, 0, v, SCB_TLV_MAX_LEN / 2), 0);
    assert_int_equal(scb_resource_add_value(m, 1, v, SCB_TLV_MAX_LEN / 2), 0);
    b.max = SIZE_MAX;
    assert_int_equal(scb_tlv_encode_resource(m, &b), SCB_E_TOO_LARGE);
    scb_buf_free(&b);
    scb_config_free(&cfg);
    free(v);
}

static void test_known_object_canonical(void **state)
{
    (void)state;
    uint8_t b[256];
    /* /1/1 with lifetime 86400 (4 bytes), binding "UQ", 16-bit-length SSID re-encoded shortest */
    size_t n = wrap_record(1, "08 01 12 D0 00 0001 01 C4 01 00015180 C1 06 00 C2 07 5551", b,
                           sizeof(b));
    struct scb_config cfg;
    struct scb_decode_error e = {0};
    struct scb_buf out = {0};
    int64_t v;
    scb_config_init(&cfg);
    if (scb_bsfile_decode(b, n, &cfg, &e) != 0) {
        fail_msg("%s %s", e.rule, e.msg);
    }
    assert_int_equal(scb_config_get_int(&cfg, 1, 1, 0, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(scb_bsfile_encode(&cfg, 2, &out), 0);
    assert_int_equal(out.len, n - 2 + 2); /* SSID two bytes shorter, plus two of padding */
    assert_int_equal(out.data[out.len - 1], 0xFF);
    scb_buf_free(&out);
    scb_config_free(&cfg);
}

static void test_explicit_version(void **state)
{
    (void)state;
    uint8_t b[64];
    size_t n = unhex("0001000B 0001 0101 0005 0300C10001", b, sizeof(b));
    struct scb_config cfg;
    struct scb_decode_error e = {0};
    scb_config_init(&cfg);
    if (scb_bsfile_decode(b, n, &cfg, &e) != 0) {
        fail_msg("%s %s", e.rule, e.msg);
    }
    assert_true(cfg.o[0].explicit_version);
    assert_int_equal(cfg.o[0].major, 1);
    assert_int_equal(cfg.o[0].minor, 1);
    scb_config_free(&cfg);
    roundtrip_exact(b, n, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    static uint8_t b[40000];
    size_t n;

    memset(b, 0, sizeof(b));
    expect_error(b, 0, "file-truncated", 0);
    n = unhex("000100", b, sizeof(b));
    expect_error(b, n, "file-truncated", 3);
    n = unhex("0001 0010 0000", b, sizeof(b)); /* size says 16, 2 present */
    expect_error(b, n, "file-truncated", (size_t)-1);
    n = unhex("0001 0002 0000", b, sizeof(b)); /* record header cut by size */
    expect_error(b, n, "file-truncated", 4);
    n = unhex("0001 0006 0000 00 0009 C1", b, sizeof(b));
    expect_error(b, n, "record-overrun", 4);
    n = unhex("0002 0007 0000 00 0002 0000", b, sizeof(b));
    expect_error(b, n, "object-count-mismatch", 0);
    n = unhex("0000 0007 0000 00 0002 0000", b, sizeof(b));
    expect_error(b, n, "object-count-mismatch", 0);
    /* TLV: header past the end, value past the end, wrong nesting */
    n = wrap_record(0, "08", b, sizeof(b));
    expect_error(b, n, "tlv-malformed", 9);
    n = wrap_record(0, "0800 05 C101", b, sizeof(b));
    expect_error(b, n, "tlv-malformed", 9);
    n = wrap_record(0, "C10001", b, sizeof(b)); /* resource at object level */
    expect_error(b, n, "tlv-malformed", 9);
    n = wrap_record(0, "08 00 03 41 01 00", b, sizeof(b)); /* resource instance in an instance */
    expect_error(b, n, "tlv-malformed", 12);
    n = wrap_record(0, "08 00 02 00 00", b, sizeof(b)); /* instance in an instance */
    expect_error(b, n, "tlv-malformed", 12);
    n = wrap_record(0, "08 00 05 83 03 C1 00 01", b, sizeof(b)); /* resource in a multiple resource */
    expect_error(b, n, "tlv-malformed", 14);
    n = wrap_record(0, "08 00 05 83 03 42 05 01", b, sizeof(b)); /* RI value past the MR */
    expect_error(b, n, "tlv-malformed", 14);
    /* values that do not fit their type */
    n = wrap_record(0, "08 00 05 C3 02 00 00 01", b, sizeof(b)); /* 3-byte integer */
    expect_error(b, n, "tlv-value-invalid", 12);
    n = wrap_record(0, "08 00 03 C1 01 02", b, sizeof(b)); /* boolean 2 */
    expect_error(b, n, "tlv-value-invalid", 12);
    n = wrap_record(0, "08 00 04 C2 01 00 01", b, sizeof(b)); /* 2-byte boolean */
    expect_error(b, n, "tlv-value-invalid", 12);
    n = wrap_record(0, "08 00 05 C3 11 00 01 02", b, sizeof(b)); /* 3-byte objlnk */
    expect_error(b, n, "tlv-value-invalid", 12);
    n = wrap_record(0, "08 00 04 C2 00 C3 28", b, sizeof(b)); /* invalid UTF-8 URI */
    expect_error(b, n, "tlv-value-invalid", 12);
    n = wrap_record(1, "08 00 03 C1 02 00 08 00 03 C1 02 00", b, sizeof(b));
    expect_error(b, n, "instance-duplicate", 15);
    n = wrap_record(1, "08 00 06 C1 02 00 C1 02 01", b, sizeof(b));
    expect_error(b, n, "resource-duplicate", 15);
    n = wrap_record(2, "08 00 08 86 02 41 02 00 41 02 01", b, sizeof(b));
    expect_error(b, n, "resource-duplicate", 17);
    n = wrap_record(1, "28 FFFF 03 C1 00 01", b, sizeof(b));
    expect_error(b, n, "instance-id-reserved", 9);
    /* the same instance in two records of one object */
    n = unhex("0002 0016 0001 00 0006 0801 03 C10001 0001 00 0006 0801 03 C10002", b, sizeof(b));
    expect_error(b, n, "instance-duplicate", (size_t)-1);
    /* over 32 KB */
    memset(b, 0, sizeof(b));
    expect_error(b, 32769, "file-too-large", (size_t)-1);
    n = unhex("0001 FFFF", b, sizeof(b));
    expect_error(b, 40000, "file-too-large", (size_t)-1);
}

/* back encodes to exactly the n bytes at b; back is freed */
static void assert_encodes_back(struct scb_config *back, const uint8_t *b, size_t n)
{
    struct scb_buf out = {0};
    assert_int_equal(scb_bsfile_encode(back, 0, &out), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, b, n);
    scb_buf_free(&out);
    scb_config_free(back);
}

static void test_json_roundtrip(void **state)
{
    (void)state;
    uint8_t *b;
    size_t n;
    struct scb_config cfg, back;
    struct scb_decode_error e = {0};
    char err[SCB_ERR_MAX];

    assert_int_equal(scb_util_read_file("data/anjay_ef126.bin", 4096, &b, &n), 0);
    scb_config_init(&cfg);
    scb_config_init(&back);
    assert_int_equal(scb_bsfile_decode(b, n, &cfg, &e), 0);
    /* redacted by default: the secret's bytes never appear */
    json_object *red = scb_config_to_json(&cfg, 0);
    const char *txt = json_object_to_json_string_ext(red, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(txt, "\"redacted\":true"));
    assert_null(strstr(txt, "101112131415"));
    assert_int_equal(scb_config_from_json(red, &back, err, sizeof(err)), SCB_E_JSON);
    assert_non_null(strstr(err, "redacted"));
    json_object_put(red);
    /* with secrets: a byte-exact round trip */
    json_object *full = scb_config_to_json(&cfg, 1);
    assert_int_equal(scb_config_from_json(full, &back, err, sizeof(err)), 0);
    json_object_put(full);
    assert_encodes_back(&back, b, n);
    /* the text forms, for a program without json-c: redacted by default, and the full text
     * (pretty-printed, as the store file) reads back byte for byte through the text reader */
    assert_null(scb_config_to_json_text(NULL, 1));
    scb_json_text_free(NULL);
    char *red_text = scb_config_to_json_text(&cfg, 0);
    assert_non_null(red_text);
    assert_non_null(strstr(red_text, "\"redacted\": true"));
    assert_null(strstr(red_text, "101112131415"));
    scb_json_text_free(red_text);
    char *full_text = scb_config_to_json_text(&cfg, 1);
    assert_non_null(full_text);
    assert_non_null(strchr(full_text, '\n'));
    scb_config_init(&back);
    assert_int_equal(scb_config_from_json_text(full_text, &back, err, sizeof(err)), SCB_OK);
    scb_json_text_free(full_text);
    assert_encodes_back(&back, b, n);
    scb_config_free(&cfg);
    free(b);
}

static void test_json_errors(void **state)
{
    (void)state;
    static const char *bad[] = {
        "not json",
        "{}",
        "{\"objects\": []}",
        "{\"objects\": {\"x\": {}}}",
        "{\"objects\": {\"70000\": {}}}",
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {}}}}}",
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"1\": 5}}}}}}",
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"2\": \"x\"}}}}}}",
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"17\": \"21\"}}}}}}",
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"5\": {\"hex\": \"0\"}}}}}}}",
        "{\"objects\": {\"0\": {\"version\": \"0.9\"}}}",
        "{\"objects\": {\"1\": {\"instances\": {\"0\": {\"resources\": {\"13\": -1}}}}}}",
        /* one document, nothing after it (json-c stops at the end of the first value) */
        "{\"objects\": {}} garbage",
        ("{\"objects\": {}}{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": "
         "{\"0\": \"coap://evil\"}}}}}}"),
        "{\"objects\": {}}\n}",
        /* a key twice in one object: json-c keeps the last, another reader the first */
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"2\": 0, \"2\": 3}}}}}}",
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"2\": 0, \"\\u0032\": 3}}}}}}",
        "{\"objects\": {\"0\": {}, \"0\": {}}}",
        "{\"objects\": {\"1\": {\"version\": \"1.0\", \"version\" : \"1.1\"}}}",
        "{\"objects\": {}, \"objects\": {}}",
        "{'objects': {}}", /* json-c accepts single quotes when not strict; JSON does not */
        /* the same ID spelt twice: refused with a message, not "invalid argument" */
        "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"2\": 0, \"02\": 3}}}}}}",
        "{\"objects\": {\"1\": {\"instances\": {\"0\": {\"resources\": {}}, \"00\": {\"resources\": {}}}}}}",
        "{\"objects\": {\"0\": {}, \"00\": {}}}",
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct scb_config cfg;
        char err[SCB_ERR_MAX] = "";
        scb_config_init(&cfg);
        if (scb_config_from_json_text(bad[k], &cfg, err, sizeof(err)) != SCB_E_JSON) {
            fail_msg("accepted: %s", bad[k]);
        }
        assert_true(strlen(err) > 0);
        assert_null(strstr(err, "invalid argument"));
        assert_int_equal(cfg.n, 0);
    }
}

/* "format" at the top of the configuration shape: optional, any scboot document of major 1
 * (decode --json, the store, dump --json), a later major refused saying so. */
/* JSON text -> image, the one conversion the factory file, check and encode share: text of a
 * given length (no NUL needed, a NUL inside refused), padding, too large said as such. */
static void test_json_encode_image(void **state)
{
    (void)state;
    static const char text[] =
        "{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":7}}}}}}trailing";
    size_t len = strlen(text) - strlen("trailing");
    struct scb_buf out = {.max = SCB_MAX_FILE_SIZE + 16};
    struct scb_config cfg;
    struct scb_decode_error derr;
    char err[256] = "";
    int64_t v = 0;

    assert_int_equal(scb_json_encode_image(text, len, 3, &out, err, sizeof(err)), SCB_OK);
    assert_true(out.len > 3);
    assert_memory_equal(out.data + out.len - 3, "\xff\xff\xff", 3);
    scb_config_init(&cfg);
    assert_int_equal(scb_bsfile_decode(out.data, out.len, &cfg, &derr), SCB_OK);
    assert_int_equal(scb_config_get_int(&cfg, SCB_OBJ_SERVER, 0, SCB_RES_SRV_SSID, &v), SCB_OK);
    assert_int_equal(v, 7);
    scb_config_free(&cfg);
    scb_buf_free(&out);

    static const char nul[] = "{\"objects\":{}}\0";
    assert_int_equal(scb_json_encode_image(nul, sizeof(nul) - 1, 0, &out, err, sizeof(err)),
                     SCB_E_JSON);
    assert_non_null(strstr(err, "NUL"));
    scb_buf_free(&out);

    /* one 40000-byte opaque: the JSON is fine, the image cannot hold it */
    size_t hexlen = 2 * 40000;
    char *big = malloc(hexlen + 128);
    assert_non_null(big);
    int n = snprintf(big, 128, "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":"
                               "{\"3\":{\"hex\":\"");
    memset(big + n, '0', hexlen);
    snprintf(big + n + hexlen, 128, "\"}}}}}}}");
    assert_int_equal(scb_json_encode_image(big, strlen(big), 0, &out, err, sizeof(err)),
                     SCB_E_TOO_LARGE);
    assert_non_null(strstr(err, "cannot encode"));
    scb_buf_free(&out);
    free(big);

    assert_int_equal(scb_json_encode_image(NULL, 0, 0, &out, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_json_encode_image(text, len, 0, NULL, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
}

static void test_json_format(void **state)
{
    (void)state;
    static const char *ok[] = {
        "{\"objects\":{}}",
        "{\"format\":\"scboot-config-1\",\"objects\":{}}",
        "{\"objects\":{},\"format\":\"scboot-store-1\"}",
        "{\"format\":\"scboot-dump-1\",\"objects\":{}}",
    };
    static const char *bad[] = {
        "{\"format\":\"other\",\"objects\":{}}",  "{\"format\":null,\"objects\":{}}",
        "{\"format\":1,\"objects\":{}}",        "{\"format\":\"scboot-config-01\",\"objects\":{}}",
        "{\"format\":\"scboot--1\",\"objects\":{}}", "{\"format\":\"scboot-config-\",\"objects\":{}}",
        "{\"format\":\"scboot-config-1\\n\",\"objects\":{}}",
    };
    struct scb_config cfg;
    char err[SCB_ERR_MAX];
    for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
        scb_config_init(&cfg);
        if (scb_config_from_json_text(ok[k], &cfg, err, sizeof(err)) != 0) {
            fail_msg("refused %s: %s", ok[k], err);
        }
        scb_config_free(&cfg);
    }
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        scb_config_init(&cfg);
        if (scb_config_from_json_text(bad[k], &cfg, err, sizeof(err)) != SCB_E_JSON) {
            fail_msg("accepted %s", bad[k]);
        }
        assert_non_null(strstr(err, "is not \"scboot-KIND-1\""));
        assert_null(strchr(err, '\n'));
        scb_config_free(&cfg);
    }
    scb_config_init(&cfg);
    assert_int_equal(scb_config_from_json_text("{\"format\":\"scboot-config-2\",\"objects\":{}}",
                                               &cfg, err, sizeof(err)),
                     SCB_E_JSON);
    assert_string_equal(err, "/: \"format\": \"scboot-config-2\" is newer than this scboot reads "
                             "(scboot-config-1): written by a later release; upgrade scboot");
    scb_config_free(&cfg);
}

/* scb_json_parse: one strict document, as every reader reads it alike. */
static void test_json_parse_strict(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *why; /* NULL: accepted */
    } cases[] = {
        {"{\"a\": [1, 2], \"b\": {\"c\": null}}  \n", NULL},
        {"[]", NULL},
        {"{\"a\": 1} x", "unexpected character at offset 9"},
        {"{\"a\": 1}{\"a\": 2}", "unexpected character at offset 8"},
        {"{\"a\": 1, \"a\": 2}", "a key appears twice"},
        {"{\"a\": {\"b\": 1, \"\\u0062\": 2}}", "a key appears twice"},
        {"{'a': 1}", NULL /* any reason */},
        {"{\"a\": 1 /* comment */}", NULL},
        {"{\"a\": 1, }", NULL},
        {"[1, 2, ]", NULL},
        {"{\"a\": NaN}", "NaN and Infinity"},
        {"{\"a\": \"\xff\"}", NULL},
        {"{\"a\": \"\xc0\xaf\"}", "not well-formed UTF-8 (at /a)"},
        {"", "ends early"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct json_object *root = (struct json_object *)1;
        char err[SCB_ERR_MAX] = "";
        int ret = scb_json_parse(cases[k].text, strlen(cases[k].text), &root, err, sizeof(err));
        int accept = k < 2;
        if (accept) {
            assert_int_equal(ret, SCB_OK);
            assert_non_null(root);
            json_object_put(root);
            continue;
        }
        if (ret != SCB_E_JSON) {
            fail_msg("case %zu accepted: %s", k, cases[k].text);
        }
        assert_null(root);
        assert_non_null(strstr(err, "not valid JSON: "));
        if (cases[k].why != NULL) {
            assert_non_null(strstr(err, cases[k].why));
        }
    }
    /* the length bounds the text: no NUL terminator needed, none read past it */
    static const char cut[] = {'{', '"', 'a', '"', ':', '1', '}', 'x', 'x'};
    struct json_object *root = NULL;
    assert_int_equal(scb_json_parse(cut, 7, &root, NULL, 0), SCB_OK);
    assert_int_equal(json_object_get_int(json_object_object_get(root, "a")), 1);
    json_object_put(root);
    assert_int_equal(scb_json_parse(cut, 9, &root, NULL, 0), SCB_E_JSON);
    /* a NUL byte inside the text */
    assert_int_equal(scb_json_parse("{\"a\": 1}\0 x", 11, &root, NULL, 0), SCB_E_JSON);
    /* beyond 64 bits: a double holding the text, never a clamped integer */
    assert_int_equal(scb_json_parse("[18446744073709551616]", 22, &root, NULL, 0), SCB_OK);
    assert_true(json_object_is_type(json_object_array_get_idx(root, 0), json_type_double));
    json_object_put(root);
    assert_int_equal(scb_json_parse("[18446744073709551615]", 22, &root, NULL, 0), SCB_OK);
    assert_true(json_object_is_type(json_object_array_get_idx(root, 0), json_type_int));
    json_object_put(root);
    assert_int_equal(scb_json_parse(NULL, 0, &root, NULL, 0), SCB_E_INVALID_ARG);
    assert_null(root);
    assert_int_equal(scb_json_parse("[]", 2, NULL, NULL, 0), SCB_E_INVALID_ARG);
}

/* scb_json_parse, broken: texts json-c would silently change, and what err says about them. */
static void test_json_parse_hostile(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *why; /* NULL: accepted */
    } cases[] = {
        /* json-c cuts a key at \u0000 ({"1\u0000x": ...} read as object 1); another reader not */
        {"{\"1\\u0000x\": 1}", "\\u0000 in a key"},
        {"{\"a\": \"\\u0000\"}", NULL}, /* in a value json-c keeps the length */
        /* a lone surrogate becomes U+FFFD in json-c, something else elsewhere */
        {"[\"\\ud83d\"]", "lone surrogate"},
        {"[\"\\ud83dx\"]", "lone surrogate"},
        {"[\"\\ud83d\\u0041\"]", "lone surrogate"},
        {"[\"\\ude00\"]", "lone surrogate"},
        {"{\"\\uDC00\": 1}", "lone surrogate"},
        {"[\"\\\\ud83d\"]", NULL}, /* an escaped backslash, then text */
        {"[\"\\ud83d\\ude00\", \"\\uDBFF\\uDFFF\"]", NULL},
        /* a document may be a bare number or literal (RFC 8259) */
        {"5", NULL},
        {"-0", NULL},
        {"true", NULL},
        {" null \n", "the document is null"},
        {"01", "not valid JSON"}, /* json-c says "unexpected end of data" at the 1 */
        {"1e400", "nor is 1e400, beyond a double"},
        /* offsets count the caller's bytes, not the marked copy's */
        {"[99999999999999999999, x]", "unexpected character at offset 23"},
        {"[-99999999999999999999, 99999999999999999999, x]", "at offset 46"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct json_object *root = (struct json_object *)1;
        char err[SCB_ERR_MAX] = "";
        int ret = scb_json_parse(cases[k].text, strlen(cases[k].text), &root, err, sizeof(err));
        if (cases[k].why == NULL) {
            if (ret != SCB_OK) {
                fail_msg("case %zu refused: %s: %s", k, cases[k].text, err);
            }
            json_object_put(root);
            continue;
        }
        if (ret != SCB_E_JSON) {
            fail_msg("case %zu accepted: %s", k, cases[k].text);
        }
        if (strstr(err, cases[k].why) == NULL) {
            fail_msg("case %zu: %s: err '%s' lacks '%s'", k, cases[k].text, err, cases[k].why);
        }
    }
    /* the JSON pointer in err: RFC 6901 (~0, ~1), control characters shown, one line */
    struct json_object *root = NULL;
    char err[SCB_ERR_MAX] = "";
    assert_int_equal(scb_json_parse("{\"a/b\": {\"c~d\": NaN}}", 21, &root, err, sizeof(err)),
                     SCB_E_JSON);
    assert_non_null(strstr(err, "(at /a~1b/c~0d)"));
    const char *nl = "{\"a\\nb\\u001b[2J\": NaN}";
    assert_int_equal(scb_json_parse(nl, strlen(nl), &root, err, sizeof(err)), SCB_E_JSON);
    assert_null(strchr(err, '\n'));
    assert_null(strchr(err, '\x1b'));
    assert_non_null(strstr(err, "(at /a\\x0ab\\x1b[2J)"));
    /* the loader names keys it refuses: never with their control characters (forged lines) */
    struct scb_config cfg;
    scb_config_init(&cfg);
    const char *forged[] = {
        "{\"objects\": {\"1\\nscboot: ok\\u001b[2J\": {}}}",
        "{\"objects\": {\"1\": {\"instances\": {\"0\": {\"resources\": {\"7\\r\\nx\": 1}}}}}}",
    };
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(scb_config_from_json_text(forged[k], &cfg, err, sizeof(err)), SCB_E_JSON);
        assert_non_null(strstr(err, "is not an ID"));
        for (const char *c = err; *c; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                fail_msg("case %zu: control character 0x%02x in err: %s", k, *c, err);
            }
        }
    }
    scb_config_free(&cfg);
    /* a long key: cut short, never past the buffers */
    char big[700];
    int n = snprintf(big, sizeof(big), "{\"%0600d\": NaN}", 7);
    assert_int_equal(scb_json_parse(big, (size_t)n, &root, err, sizeof(err)), SCB_E_JSON);
    assert_non_null(strstr(err, "NaN and Infinity"));
    assert_null(root);
}

static void test_json_types(void **state)
{
    (void)state;
    const char *j = "{\"objects\": {\"0\": {\"instances\": {\"2\": {\"resources\": {"
                    "\"0\": \"coaps://x\", \"1\": false, \"2\": 0, \"3\": \"id\","
                    "\"5\": {\"hex\": \"0102\"}, \"10\": 300, \"16\": {\"0\": 49320, \"1\": 7},"
                    "\"17\": \"21:0\"}}}}, \"21\": {\"instances\": {\"0\": {\"resources\": "
                    "{\"0\": {\"hex\": \"AA\"}}}}}}}";
    struct scb_config cfg;
    char err[SCB_ERR_MAX] = "";
    int64_t v;
    scb_config_init(&cfg);
    if (scb_config_from_json_text(j, &cfg, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(scb_config_get_int(&cfg, 0, 2, 10, &v), 0);
    assert_int_equal(v, 300);
    struct scb_resource *cs = scb_instance_resource_mut(scb_object_instance_mut(&cfg.o[0], 2), 16);
    assert_true(cs->multiple);
    assert_int_equal(cs->n, 2);
    assert_int_equal(cs->v[0].len, 2); /* 49320 as an unsigned 16-bit */
    struct scb_resource *ol = scb_instance_resource_mut(scb_object_instance_mut(&cfg.o[0], 2), 17);
    uint16_t a, i;
    assert_int_equal(scb_value_objlnk(&ol->v[0], &a, &i), 0);
    assert_int_equal(a, 21);
    struct scb_buf out = {0};
    struct scb_config back;
    struct scb_decode_error e = {0};
    assert_int_equal(scb_bsfile_encode(&cfg, 0, &out), 0);
    scb_config_init(&back);
    assert_int_equal(scb_bsfile_decode(out.data, out.len, &back, &e), 0);
    scb_buf_free(&out);
    scb_config_free(&back);
    scb_config_free(&cfg);
}

static void test_utf8_and_ints(void **state)
{
    (void)state;
    assert_true(scb_model_utf8_ok((const uint8_t *)"h\xC3\xA9llo", 6));
    assert_false(scb_model_utf8_ok((const uint8_t *)"\xC3", 1));
    assert_false(scb_model_utf8_ok((const uint8_t *)"\xC0\x80", 2));       /* overlong */
    assert_false(scb_model_utf8_ok((const uint8_t *)"\xED\xA0\x80", 3));   /* surrogate */
    assert_false(scb_model_utf8_ok((const uint8_t *)"\xF4\x90\x80\x80", 4)); /* > 10FFFF */
    uint8_t o[8];
    assert_int_equal(scb_model_encode_int(127, o), 1);
    assert_int_equal(scb_model_encode_int(128, o), 2);
    assert_int_equal(scb_model_encode_int(-129, o), 2);
    assert_int_equal(scb_model_encode_int(86400, o), 4);
    assert_int_equal(scb_model_encode_int(INT64_MIN, o), 8);
    struct scb_value v = {.data = o, .len = 8};
    int64_t x;
    assert_int_equal(scb_value_int(&v, &x), 0);
    assert_true(x == INT64_MIN);
    assert_int_equal(scb_model_encode_uint(255, o), 1);
    assert_int_equal(scb_model_encode_uint(65536, o), 4);
    assert_int_equal(scb_model_encode_float(1.5, o), 4);
    assert_int_equal(scb_model_encode_float(0.1, o), 8);
}

/* The registry table: sorted, unique, complete for what doc/protocol.md (objects) lists, and
 * the facts the shape check relies on. */
static void test_objdefs_table(void **state)
{
    (void)state;
    size_t n;
    const struct scb_objdef_res *d = scb_objdef_all(&n);
    size_t per[4] = {0};
    for (size_t k = 0; k < n; k++) {
        if (k > 0) {
            assert_true(((uint32_t)d[k - 1].oid << 16 | d[k - 1].rid) <
                        ((uint32_t)d[k].oid << 16 | d[k].rid));
        }
        assert_ptr_equal(scb_objdef_resource(d[k].oid, d[k].rid), &d[k]);
        assert_non_null(d[k].name);
        assert_true(scb_objdef_object_known(d[k].oid));
        assert_true(d[k].since_major == 1 && d[k].since_minor <= 2);
        assert_true(!d[k].has_range || d[k].min <= d[k].max);
        per[d[k].oid == 21 ? 3 : d[k].oid]++;
    }
    assert_int_equal(per[0], 31); /* Security 1.2: 0..30 */
    assert_int_equal(per[1], 28); /* Server 1.2: 0..27 */
    assert_int_equal(per[2], 4);
    assert_int_equal(per[3], 7);
    assert_null(scb_objdef_resource(0, 31));
    assert_null(scb_objdef_resource(3, 0));
    assert_false(scb_objdef_object_known(3));
    /* single and multiple per the registry */
    assert_false(scb_objdef_resource(SCB_OBJ_SECURITY, SCB_RES_SEC_URI)->multiple);
    assert_false(scb_objdef_resource(SCB_OBJ_SECURITY, SCB_RES_SEC_MODE)->multiple);
    assert_true(scb_objdef_resource(SCB_OBJ_SECURITY, SCB_RES_SEC_CIPHERSUITE)->multiple);
    assert_true(scb_objdef_resource(SCB_OBJ_SECURITY, SCB_RES_SEC_SECONDARY_URI)->multiple);
    assert_true(scb_objdef_resource(SCB_OBJ_ACL, SCB_RES_ACL_ACL)->multiple);
    assert_true(scb_objdef_resource(SCB_OBJ_SERVER, SCB_RES_SRV_ALT_APN_LINKS)->multiple);
    assert_int_equal(scb_objdef_resource(SCB_OBJ_SERVER, SCB_RES_SRV_UPDATE_TRIGGER)->type,
                     SCB_TYPE_NONE);
    assert_int_equal(scb_objdef_resource(SCB_OBJ_SECURITY, SCB_RES_SEC_MATCHING_TYPE)->type,
                     SCB_TYPE_UINT);
    assert_true(scb_objdef_resource(SCB_OBJ_SECURITY, SCB_RES_SEC_SECRET_KEY)->secret);
    assert_true(scb_objdef_resource(SCB_OBJ_OSCORE, SCB_RES_OSC_MASTER_SECRET)->secret);
    assert_true(scb_objdef_resource(SCB_OBJ_SECURITY, SCB_RES_SEC_SMS_SECRET)->secret);
    /* model.h's lookups read the same table */
    assert_int_equal(scb_objdef_resource_type(0, 17), SCB_TYPE_OBJLNK);
    assert_string_equal(scb_objdef_resource_name(1, 7), "Binding");
    assert_int_equal(scb_objdef_resource_type(0, 99), SCB_TYPE_UNKNOWN);
}

static void test_value_fits(void **state)
{
    (void)state;
    const uint8_t z[8] = {0};
    assert_true(scb_objdef_value_fits(SCB_TYPE_INT, z, 1));
    assert_true(scb_objdef_value_fits(SCB_TYPE_INT, z, 8));
    assert_false(scb_objdef_value_fits(SCB_TYPE_INT, z, 3));
    assert_false(scb_objdef_value_fits(SCB_TYPE_INT, z, 0));
    assert_false(scb_objdef_value_fits(SCB_TYPE_UINT, z, 5));
    assert_true(scb_objdef_value_fits(SCB_TYPE_BOOL, (const uint8_t *)"\x01", 1));
    assert_false(scb_objdef_value_fits(SCB_TYPE_BOOL, (const uint8_t *)"\x02", 1));
    assert_false(scb_objdef_value_fits(SCB_TYPE_OBJLNK, z, 5));
    assert_true(scb_objdef_value_fits(SCB_TYPE_STRING, (const uint8_t *)"", 0));
    assert_true(scb_objdef_value_fits(SCB_TYPE_STRING, (const uint8_t *)"UQ", 2));
    assert_false(scb_objdef_value_fits(SCB_TYPE_STRING, (const uint8_t *)"\0", 1));
    assert_false(scb_objdef_value_fits(SCB_TYPE_STRING, (const uint8_t *)"U\0Q", 3));
    assert_false(scb_objdef_value_fits(SCB_TYPE_STRING, (const uint8_t *)"\xFF", 1));
    assert_true(scb_objdef_value_fits(SCB_TYPE_NONE, z, 0));
    assert_false(scb_objdef_value_fits(SCB_TYPE_NONE, z, 1));
    assert_true(scb_objdef_value_fits(SCB_TYPE_OPAQUE, (const uint8_t *)"\0", 1));
    assert_true(scb_objdef_value_fits(SCB_TYPE_FLOAT, z, 4));
    assert_false(scb_objdef_value_fits(SCB_TYPE_FLOAT, z, 2));
}

/* The TLV decoder refuses a String with NUL and an executable carrying a value. */
static void test_decode_nul_and_exec(void **state)
{
    (void)state;
    uint8_t b[64];
    /* /1/0/7 Binding = "\0" */
    size_t n = unhex("0001 000B 0001 00 0006 080003 C10700", b, sizeof(b));
    expect_error(b, n, "tlv-value-invalid", 12);
    /* /1/0/8 Registration Update Trigger carrying one byte */
    n = unhex("0001 000B 0001 00 0006 080003 C10801", b, sizeof(b));
    expect_error(b, n, "tlv-value-invalid", 12);
    /* empty: an executable with no value decodes */
    struct scb_config cfg;
    struct scb_decode_error e = {0};
    n = unhex("0001 000A 0001 00 0005 080002 C008", b, sizeof(b));
    scb_config_init(&cfg);
    assert_int_equal(scb_bsfile_decode(b, n, &cfg, &e), 0);
    scb_config_free(&cfg);
}

/* json-c 0.16 clamps integers beyond 64 bits while parsing; the loader refuses them with
 * their path instead of encoding the clamped value. */
static void test_json_number_ranges(void **state)
{
    (void)state;
    static const struct {
        const char *rid, *lit;
        int ok;
        const char *says;
    } c[] = {
        {"11", "9223372036854775807", 1, NULL},
        {"11", "-9223372036854775808", 1, NULL},
        {"11", "9223372036854775808", 0, "beyond the 64-bit signed"},
        {"11", "-9223372036854775809", 0, "beyond the 64-bit signed"},
        {"11", "18446744073709551616", 0, "beyond the 64-bit signed"},
        {"11", "1e30", 0, "1e30 is beyond"},
        {"11", "3.5", 0, "3.5 is not an integer"},
        {"11", "3.0", 0, "not an integer"},
        {"11", "\"12\"", 0, "expected an integer"},
        {"13", "18446744073709551615", 1, NULL},
        {"13", "9223372036854775808", 1, NULL},
        {"13", "18446744073709551616", 0, "beyond the 64-bit unsigned"},
        {"13", "99999999999999999999999", 0, "beyond the 64-bit unsigned"},
        {"13", "-1", 0, "negative"},
        {"13", "-9223372036854775809", 0, "negative"},
        {"13", "1e30", 0, "1e30 is beyond"},
        {"13", "3.5", 0, "3.5 is not an integer"},
        /* an exponent the file itself writes is not an integer, and never "beyond" the range:
         * only the literals the loader marks ("e0" after 20+ digits) are */
        {"11", "3e0", 0, "3e0 is not an integer"},
        {"11", "1e0", 0, "1e0 is not an integer"},
        {"11", "-3e0", 0, "-3e0 is not an integer"},
        {"13", "5e0", 0, "5e0 is not an integer"},
        {"11", "18446744073709551616e0", 0, "beyond the 64-bit signed"},
        {"1", "2", 0, "true or false"},
        {"1", "1", 0, "true or false"},
        {"17", "\"21:65536\"", 0, "object link"},
        {"17", "\"-1:0\"", 0, "object link"},
        {"17", "\"21:0x\"", 0, "object link"},
        {"17", "\"21:65535\"", 1, NULL},
        {"0", "\"coap://a\\u0000b\"", 0, "without NUL"},
        {"0", "\"coap://18446744073709551616\"", 1, NULL},
    };
    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        char j[512], err[256] = "", want[32];
        struct scb_config cfg;
        snprintf(j, sizeof(j),
                 "{\"objects\": {\"0\": {\"instances\": {\"1\": {\"resources\": {\"%s\": %s}}}}}}",
                 c[k].rid, c[k].lit);
        scb_config_init(&cfg);
        int ret = scb_config_from_json_text(j, &cfg, err, sizeof(err));
        if (c[k].ok) {
            if (ret != 0) {
                fail_msg("%s = %s refused: %s", c[k].rid, c[k].lit, err);
            }
            const struct scb_resource *r =
                scb_instance_resource(scb_object_instance(scb_config_object(&cfg, 0), 1),
                                      (uint16_t)atoi(c[k].rid));
            assert_non_null(r);
            if (strcmp(c[k].rid, "11") == 0 || strcmp(c[k].rid, "13") == 0) {
                char back[32];
                int64_t i;
                uint64_t u;
                if (c[k].rid[1] == '1') {
                    assert_int_equal(scb_value_int(&r->v[0], &i), 0);
                    snprintf(back, sizeof(back), "%lld", (long long)i);
                } else {
                    assert_int_equal(scb_value_uint(&r->v[0], &u), 0);
                    snprintf(back, sizeof(back), "%llu", (unsigned long long)u);
                }
                assert_string_equal(back, c[k].lit); /* never clamped */
            }
            if (strcmp(c[k].rid, "0") == 0) {
                assert_int_equal(r->v[0].len, strlen(c[k].lit) - 2); /* strings untouched */
            }
        } else {
            snprintf(want, sizeof(want), "/0/1/%s: ", c[k].rid);
            if (ret != SCB_E_JSON || strncmp(err, want, strlen(want)) != 0 ||
                strstr(err, c[k].says) == NULL) {
                fail_msg("%s = %s: ret %d, '%s' (want '%s...%s')", c[k].rid, c[k].lit, ret, err,
                         want, c[k].says);
            }
        }
        scb_config_free(&cfg);
    }
}

/* scb_config_equal: the model's own comparison (the factory check and the CoAP adapter use it
 * instead of serialising both sides): order-blind, typed numbers by value, bytes elsewhere. */
static void test_config_equal(void **state)
{
    (void)state;
    uint8_t *b, one[1] = {5}, two[2] = {0, 5}, key[2] = {1, 2};
    size_t n;
    struct scb_config cfg, cp;
    struct scb_decode_error e = {0};
    struct scb_object *o;
    struct scb_instance *in;
    struct scb_resource *r;

    assert_int_equal(scb_util_read_file("data/anjay_ef126.bin", 4096, &b, &n), 0);
    scb_config_init(&cfg);
    scb_config_init(&cp);
    assert_int_equal(scb_bsfile_decode(b, n, &cfg, &e), 0);
    assert_int_equal(scb_config_copy(&cp, &cfg), 0);
    assert_true(scb_config_equal(&cfg, &cp));
    assert_true(scb_config_equal(&cp, &cfg));
    assert_true(scb_config_equal(NULL, NULL));
    assert_false(scb_config_equal(&cfg, NULL));

    /* one secret byte differs */
    o = scb_config_object_mut(&cp, SCB_OBJ_SECURITY);
    assert_non_null(o);
    in = &o->i[0];
    r = scb_instance_resource_mut(in, SCB_RES_SEC_SECRET_KEY);
    assert_non_null(r);
    assert_true(r->v[0].len > 0);
    r->v[0].data[0] ^= 1;
    assert_false(scb_config_equal(&cfg, &cp));
    r->v[0].data[0] ^= 1;
    assert_true(scb_config_equal(&cfg, &cp));

    /* a resource more on one side */
    scb_config_free(&cp);
    assert_int_equal(scb_config_copy(&cp, &cfg), 0);
    in = &scb_config_object(&cp, SCB_OBJ_SECURITY)->i[0];
    scb_instance_remove_resource(in, SCB_RES_SEC_SMS_NUMBER);
    scb_instance_remove_resource(in, SCB_RES_SEC_SNI);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SEC_SNI, &r), 0);
    assert_int_equal(scb_resource_add_value(r, 0, key, sizeof(key)), 0);
    assert_false(scb_config_equal(&cfg, &cp));
    assert_false(scb_config_equal(&cp, &cfg));

    /* an integer by value, whatever its width; an opaque byte for byte */
    struct scb_config x, y;
    scb_config_init(&x);
    scb_config_init(&y);
    assert_int_equal(scb_config_add_object(&x, SCB_OBJ_SERVER, &o), 0);
    assert_int_equal(scb_object_add_instance(o, 1, &in), 0);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SRV_LIFETIME, &r), 0);
    assert_int_equal(scb_resource_add_value(r, 0, one, sizeof(one)), 0);
    assert_int_equal(scb_config_add_object(&y, SCB_OBJ_SERVER, &o), 0);
    assert_int_equal(scb_object_add_instance(o, 1, &in), 0);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SRV_LIFETIME, &r), 0);
    assert_int_equal(scb_resource_add_value(r, 0, two, sizeof(two)), 0);
    assert_true(scb_config_equal(&x, &y));
    assert_int_equal(scb_object_add_instance(o, 2, &in), 0);
    assert_false(scb_config_equal(&x, &y)); /* an instance more */
    scb_object_remove_instance(o, 2);
    assert_true(scb_config_equal(&x, &y));
    o->explicit_version = 1;
    o->major = 1;
    o->minor = 1;
    assert_false(scb_config_equal(&x, &y)); /* the object version counts */
    scb_config_free(&x);
    scb_config_free(&y);

    scb_config_free(&cp);
    scb_config_free(&cfg);
    free(b);
}

/* A set replaces a single resource's value (add appends): the encoder takes the result. */
static void test_set_value(void **state)
{
    struct scb_config cfg;
    struct scb_buf out = {0};
    uint8_t v[8];
    (void)state;
    scb_config_init(&cfg);
    assert_int_equal(scb_config_set_value(&cfg, 1, 0, 1, v, scb_model_encode_int(101, v)), 0);
    assert_int_equal(scb_config_set_value(&cfg, 1, 0, 1, v, scb_model_encode_int(102, v)), 0);
    const struct scb_resource *r =
        scb_instance_resource(scb_object_instance(scb_config_object(&cfg, 1), 0), 1);
    assert_non_null(r);
    assert_int_equal(r->n, 1);
    int64_t ssid = 0;
    assert_int_equal(scb_config_get_int(&cfg, 1, 0, 1, &ssid), 0);
    assert_int_equal(ssid, 102);
    assert_int_equal(scb_config_set_value(&cfg, 1, 0, 7, (const uint8_t *)"U", 1), 0);
    assert_int_equal(scb_bsfile_encode(&cfg, 0, &out), 0);
    assert_int_equal(scb_config_set_value(NULL, 1, 0, 1, v, 1), SCB_E_INVALID_ARG);
    assert_int_equal(scb_config_set_value(&cfg, 1, 0, 1, NULL, 1), SCB_E_INVALID_ARG);
    assert_int_equal(scb_resource_set_value(NULL, v, 1), SCB_E_INVALID_ARG);
    scb_buf_free(&out);
    scb_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example1),
        cmocka_unit_test(test_example2),
        cmocka_unit_test(test_length_forms),
        cmocka_unit_test(test_tlv_encode_too_long),
        cmocka_unit_test(test_known_object_canonical),
        cmocka_unit_test(test_explicit_version),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_format),
        cmocka_unit_test(test_json_encode_image),
        cmocka_unit_test(test_json_parse_strict),
        cmocka_unit_test(test_json_types),
        cmocka_unit_test(test_utf8_and_ints),
        cmocka_unit_test(test_objdefs_table),
        cmocka_unit_test(test_value_fits),
        cmocka_unit_test(test_decode_nul_and_exec),
        cmocka_unit_test(test_json_number_ranges),
        cmocka_unit_test(test_json_parse_hostile),
        cmocka_unit_test(test_config_equal),
        cmocka_unit_test(test_set_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

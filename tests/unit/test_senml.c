/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_senml.c: SenML JSON (110) and SenML CBOR (112) Bootstrap-Write payloads decode into the
 * same model as TLV (doc/protocol.md, SenML: bn/n concatenation, bn sticky, v/vs/vb/vd/vlo,
 * t/bt ignored, records of one instance not adjacent, several instances in a Write to /0,
 * multiple resources as /0/1/16/0), and everything that section calls 4.00 is refused: unknown
 * fields, two value fields,
 * a value of the wrong kind, names outside the path. CBOR inputs are written byte by byte from
 * RFC 8949 (or built with libcbor's item API), not produced by the encoder under test. The
 * encoders used by Bootstrap-Read round-trip through the decoders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cbor.h>
#include <cmocka.h>

#include "scboot/json.h"
#include "scboot/senml.h"
#include "scboot/session.h"

static void cfg_from_json(const char *json, struct scb_config *c)
{
    char err[SCB_ERR_MAX];
    scb_config_init(c);
    if (scb_config_from_json_text(json, c, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
}

/* Equal instances, resources and value bytes in object oid. */
static void assert_object_equal(const struct scb_config *a, const struct scb_config *b,
                                uint16_t oid)
{
    const struct scb_object *x = scb_config_object(a, oid), *y = scb_config_object(b, oid);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(x->n, y->n);
    for (size_t k = 0; k < x->n; k++) {
        assert_int_equal(x->i[k].id, y->i[k].id);
        assert_int_equal(x->i[k].n, y->i[k].n);
        for (uint32_t r = 0; r < x->i[k].n; r++) {
            const struct scb_resource *p = &x->i[k].r[r], *q = &y->i[k].r[r];
            assert_int_equal(p->id, q->id);
            assert_int_equal(p->n, q->n);
            assert_int_equal(p->multiple, q->multiple);
            for (uint32_t v = 0; v < p->n; v++) {
                assert_int_equal(p->v[v].riid, q->v[v].riid);
                assert_int_equal(p->v[v].len, q->v[v].len);
                if (p->v[v].len) {
                    assert_memory_equal(p->v[v].data, q->v[v].data, p->v[v].len);
                }
            }
        }
    }
}

static int decode(unsigned cf, const void *buf, size_t len, const char *path,
                  struct scb_config *out)
{
    uint16_t ids[3];
    struct scb_decode_error err;
    int depth = scb_session_path_parse(path, ids);
    assert_true(depth >= 1);
    scb_config_init(out);
    memset(&err, 0, sizeof(err));
    return scb_senml_decode(cf, buf, len, ids, depth, out, &err);
}

static int decode_json_text(const char *text, const char *path, struct scb_config *out)
{
    return decode(SCB_CF_SENML_JSON, text, strlen(text), path, out);
}

/* The expected model of the Security write below (same values, via the JSON shape). */
static const char expect_sec[] =
    "{\"objects\":{\"0\":{\"instances\":{"
    "\"1\":{\"resources\":{\"0\":\"coaps://s1.example.com\",\"1\":false,\"2\":0,"
    "\"3\":{\"hex\":\"69642D31\"},\"5\":{\"hex\":\"00112233445566778899AABBCCDDEEFF\"},"
    "\"10\":101,\"16\":{\"0\":49320,\"1\":49324},\"17\":\"21:0\"}},"
    "\"2\":{\"resources\":{\"0\":\"coap://s2.example.com\",\"1\":false,\"2\":3,\"10\":102}}}}}}";

/* SenML JSON of the same: bn sticky and changed midway, records of /0/1 not adjacent, a
 * multiple resource, vd base64url without padding, vlo, times ignored. */
static const char senml_sec[] =
    "[{\"bn\":\"/0/1/\",\"bt\":1700000000,\"n\":\"0\",\"vs\":\"coaps://s1.example.com\"},"
    "{\"n\":\"1\",\"vb\":false},{\"n\":\"2\",\"v\":0,\"t\":5},"
    "{\"bn\":\"/0/2/\",\"n\":\"0\",\"vs\":\"coap://s2.example.com\"},{\"n\":\"1\",\"vb\":false},"
    "{\"n\":\"2\",\"v\":3},{\"n\":\"10\",\"v\":102},"
    "{\"bn\":\"/0/\",\"n\":\"1/3\",\"vd\":\"aWQtMQ\"},"
    "{\"n\":\"1/5\",\"vd\":\"ABEiM0RVZneImaq7zN3u_w\"},"
    "{\"n\":\"1/10\",\"v\":101.0},{\"n\":\"1/16/1\",\"v\":49324},{\"n\":\"1/16/0\",\"v\":49320},"
    "{\"n\":\"1/17\",\"vlo\":\"21:0\"}]";

static void test_json_security_write(void **state)
{
    (void)state;
    struct scb_config got, want;
    cfg_from_json(expect_sec, &want);
    assert_int_equal(decode_json_text(senml_sec, "/0", &got), 0);
    assert_object_equal(&got, &want, 0);
    scb_config_free(&got);
    /* the same, with full names and no base name at all */
    assert_int_equal(
        decode_json_text("[{\"n\":\"/0/2/0\",\"vs\":\"coap://s2.example.com\"},"
                         "{\"n\":\"/0/2/1\",\"vb\":false},{\"n\":\"/0/2/2\",\"v\":3},"
                         "{\"n\":\"/0/2/10\",\"v\":102}]",
                         "/0/2", &got),
        0);
    assert_int_equal(scb_config_object(&got, 0)->n, 1);
    assert_int_equal(scb_config_object(&got, 0)->i[0].id, 2);
    scb_config_free(&got);
    scb_config_free(&want);
}

/* Every 4.00 of doc/protocol.md (SenML), and malformed JSON. Each must be refused. */
static void test_json_refused(void **state)
{
    (void)state;
    static const struct {
        const char *path, *text;
    } bad[] = {
        {"/1/0", "[{\"bn\":\"/1/0/\",\"n\":\"1\",\"v\":60,\"x\":1}]"},      /* unknown field */
        {"/1/0", "[{\"bn\":\"/1/0/\",\"n\":\"1\",\"v\":60,\"vs\":\"60\"}]"}, /* two values */
        {"/1/0", "[{\"bn\":\"/1/0/\",\"n\":\"1\",\"vs\":\"60\"}]"},          /* wrong kind */
        {"/1/0", "[{\"bn\":\"/1/0/\",\"n\":\"6\",\"v\":1}]"},                /* bool as number */
        {"/1/0", "[{\"bn\":\"/1/0/\",\"n\":\"1\",\"v\":60.5}]"},             /* not integral */
        {"/1/0", "[{\"bn\":\"/1/0/\",\"n\":\"0\",\"v\":1e30}]"},             /* out of range */
        {"/1/0", "[{\"bn\":\"/1/0/\",\"n\":\"7\",\"vb\":true}]"},            /* string as bool */
        {"/1/0", "[{\"bn\":\"/1/1/\",\"n\":\"1\",\"v\":60}]"},               /* other instance */
        {"/1/0/1", "[{\"bn\":\"/1/0/\",\"n\":\"7\",\"vs\":\"U\"}]"},         /* other resource */
        {"/1", "[{\"bn\":\"/2/0/\",\"n\":\"0\",\"v\":1}]"},                  /* other object */
        {"/1", "[{\"n\":\"/1/0\",\"v\":1}]"},                               /* not a resource */
        {"/1", "[{\"n\":\"/1/0/1/2/3\",\"v\":1}]"},                         /* too deep */
        {"/1", "[{\"n\":\"/1/0/x\",\"v\":1}]"},
        {"/1", "[{\"n\":\"/1/0/1/\",\"v\":1}]"},
        {"/1", "[{\"n\":\"1/0/1\",\"v\":1}]"},
        {"/1", "[{\"n\":\"/1/0/99999\",\"v\":1}]"},
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":1},{\"n\":\"/1/0/1\",\"v\":2}]"}, /* given twice */
        {"/1", "[{\"n\":\"/1/0/1\"}]"},                                     /* no value */
        {"/1", "[{\"n\":\"/1/65535/1\",\"v\":1}]"},
        {"/1", "[{\"n\":\"/1/0/8\",\"v\":1}]"},                             /* executable */
        {"/0", "[{\"n\":\"/0/1/3\",\"vd\":\"aWQtMQ==\"}]"},                 /* padding */
        {"/0", "[{\"n\":\"/0/1/3\",\"vd\":\"aWQ+MQ\"}]"},                   /* not base64url */
        {"/0", "[{\"n\":\"/0/1/3\",\"vd\":\"aWQtMR\"}]"},                   /* stray bits */
        {"/0", "[{\"n\":\"/0/1/3\",\"vd\":\"a\"}]"},
        {"/0", "[{\"n\":\"/0/1/3\",\"vs\":\"id-1\"}]"},                     /* opaque as string */
        /* vd then a longer vs in one record: the vd buffer is zeroized with its own length,
         * not with that of the string that replaces it */
        {"/0", "[{\"n\":\"/0/1/3\",\"vd\":\"AQ\",\"vs\":\"a much longer string value\"}]"},
        {"/0", "[{\"n\":\"/0/1/17\",\"vlo\":\"21\"}]"},
        {"/0", "[{\"n\":\"/0/1/17\",\"vlo\":\"21:65536\"}]"},
        {"/0", "[{\"n\":\"/0/1/17\",\"v\":21}]"},
        {"/0", "[{\"n\":\"/0/1/16/0\",\"v\":1},{\"n\":\"/0/1/16\",\"v\":2}]"}, /* single+multi */
        {"/0", "[{\"n\":\"/0/1/16/0\",\"v\":1},{\"n\":\"/0/1/16/0\",\"v\":2}]"},
        {"/0", "[{\"n\":\"/0/1/13\",\"v\":-1}]"},                           /* uint < 0 */
        {"/0", "{\"n\":\"/0/1/2\",\"v\":1}"},                               /* not an array */
        {"/0", "[[{\"n\":\"/0/1/2\",\"v\":1}]]"},
        {"/0", "[{\"n\":\"/0/1/2\",\"v\":[1]}]"},
        {"/0", "[{\"n\":\"/0/1/2\",\"v\":1}"},                              /* truncated */
        {"/3", "[{\"n\":\"/3/0/1\",\"v\":NaN}]"},                             /* json-c reads NaN */
        {"/3", "[{\"n\":\"/3/0/1\",\"v\":-Infinity}]"},
        {"/3", "[{\"n\":\"/3/0/1\",\"v\":1e999}]"},
        {"/0", "[{\"n\":\"/0/1/2\",\"v\":1}] x"},                           /* trailing */
        {"/0", ""},
        {"/1", "[{\"n\":\"/1/0/7\",\"vs\":\"\xC3\x28\"}]"},               /* not UTF-8 */
        {"/0", "[{\"n\":\"/0/1/0\",\"vs\":\"a\",\"s\":1}]"},                 /* sum: refused */
        {"/0", "[{\"bn\":\"/0/1/000000000000000000000000000000000000000000000000000000000000\","
               "\"n\":\"0\",\"vs\":\"a\"}]"},
        /* json-c saturates integers beyond 64 bits instead of failing, keeps the last of two
         * equal keys, and outside strict mode takes trailing commas, leading zeros and single
         * quotes: none of these is a JSON text or a value */
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":-99999999999999999999999}]"}, /* -> INT64_MIN */
        {"/3", "[{\"n\":\"/3/0/1\",\"v\":99999999999999999999999}]"},  /* -> UINT64_MAX */
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":18446744073709551616}]"},      /* 2^64 */
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":60,\"v\":61}]"},                /* same key twice */
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":60,\"\\u0076\":61}]"},        /* escaped twin */
        {"/1", "[{\"n\":\"/1/0/1\",\"n\":\"/1/0/2\",\"v\":60}]"},
        {"/1", "[{\"bn\":\"/1/0/\",\"bn\":\"/1/1/\",\"n\":\"1\",\"v\":60}]"},
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":60,}]"},                       /* trailing comma */
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":60},]"},
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":060}]"},                       /* leading zero */
        {"/1", "[{'n':'/1/0/1','v':60}]"},                                  /* single quotes */
        {"/1", "[{\"n\":\"/1/0/1\",\"v\":1.}]"},
        /* a base version above RFC 8428's 10 MUST NOT be used (RFC 8428 4.4); not a number */
        {"/1", "[{\"bver\":11,\"n\":\"/1/0/1\",\"v\":60}]"},
        {"/1", "[{\"bver\":10.5,\"n\":\"/1/0/1\",\"v\":60}]"},
        {"/1", "[{\"bver\":0,\"n\":\"/1/0/1\",\"v\":60}]"},
        /* IDs with leading zeros ("/1/00/01" read as /1/0/1) */
        {"/1", "[{\"n\":\"/1/00/1\",\"v\":60}]"},
        {"/1", "[{\"n\":\"/1/0/01\",\"v\":60}]"},
        {"/0", "[{\"bn\":\"/0/0100/\",\"n\":\"1\",\"vb\":true}]"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct scb_config c;
        int ret = decode_json_text(bad[k].text, bad[k].path, &c);
        if (ret != SCB_E_DECODE) {
            fail_msg("case %zu (%s) gave %d", k, bad[k].text, ret);
        }
        scb_config_free(&c);
    }
    /* a NUL byte inside the text */
    struct scb_config c;
    assert_int_equal(decode(SCB_CF_SENML_JSON, "[]\0", 3, "/0", &c), SCB_E_DECODE);
    scb_config_free(&c);
}

static void test_json_accepted_edges(void **state)
{
    (void)state;
    struct scb_config c;
    int64_t v;
    /* an unknown resource of a known object is kept untyped (the session ignores it, as with
     * TLV); base-only records; units ignored */
    assert_int_equal(decode_json_text("[{\"bn\":\"/1/0/\"},{\"n\":\"99\",\"vs\":\"x\"},"
                                      "{\"n\":\"1\",\"v\":3e2,\"u\":\"s\"}]",
                                      "/1/0", &c),
                     0);
    assert_int_equal(scb_config_get_int(&c, 1, 0, 1, &v), 0);
    assert_int_equal(v, 300);
    assert_non_null(scb_instance_resource(scb_object_instance(scb_config_object(&c, 1), 0), 99));
    scb_config_free(&c);
    /* an empty pack on /o/i names that instance */
    assert_int_equal(decode_json_text("[]", "/1/4", &c), 0);
    assert_non_null(scb_object_instance(scb_config_object(&c, 1), 4));
    scb_config_free(&c);
    /* objects the model does not type keep each field's natural form */
    assert_int_equal(decode_json_text("[{\"bn\":\"/3/0/\",\"n\":\"0\",\"vs\":\"ACME\"},"
                                      "{\"n\":\"9\",\"v\":-2},{\"n\":\"13\",\"vb\":true}]",
                                      "/3", &c),
                     0);
    assert_int_equal(scb_config_get_int(&c, 3, 0, 9, &v), 0);
    assert_int_equal(v, -2);
    scb_config_free(&c);
}

/* ---- SenML CBOR ----------------------------------------------------------------------- */

static void test_cbor_handwritten(void **state)
{
    (void)state;
    /* [{-2: "/1/0/", 0: "0", 2: 101}, {0: "1", 2: 300}, {0: "6", 4: false},
     *  {0: "7", 3: "U"}, {0: "2", 2: 60, 6: 1.5}] per RFC 8949 */
    static const uint8_t pack[] = {
        0x85,                                                 /* array(5) */
        0xA3, 0x21, 0x65, '/', '1', '/', '0', '/', 0x00, 0x61, '0', 0x02, 0x18, 0x65,
        0xA2, 0x00, 0x61, '1', 0x02, 0x19, 0x01, 0x2C,
        0xA2, 0x00, 0x61, '6', 0x04, 0xF4,
        0xA2, 0x00, 0x61, '7', 0x03, 0x61, 'U',
        0xA3, 0x00, 0x61, '2', 0x02, 0x18, 0x3C, 0x06, 0xF9, 0x3E, 0x00,
    };
    struct scb_config got, want;
    cfg_from_json("{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":101,"
                  "\"1\":300,\"2\":60,\"6\":false,\"7\":\"U\"}}}}}}",
                  &want);
    assert_int_equal(decode(SCB_CF_SENML_CBOR, pack, sizeof(pack), "/1", &got), 0);
    assert_object_equal(&got, &want, 1);
    scb_config_free(&got);
    scb_config_free(&want);
}

/* A libcbor item for one record of the Security write (item API, not the encoder). */
static void add_pair(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
    assert_true(cbor_map_add(map, (struct cbor_pair){.key = cbor_move(k), .value = cbor_move(v)}));
}

static cbor_item_t *label(int l)
{
    return l >= 0 ? cbor_build_uint8((uint8_t)l) : cbor_build_negint8((uint8_t)(-1 - l));
}

static cbor_item_t *rec(const char *bn, const char *n, int vl, cbor_item_t *v)
{
    cbor_item_t *m = cbor_new_definite_map(bn ? 3 : 2);
    if (bn) {
        add_pair(m, label(-2), cbor_build_string(bn));
    }
    add_pair(m, label(0), cbor_build_string(n));
    add_pair(m, vl == 1000 ? cbor_build_string("vlo") : label(vl), v);
    return m;
}

static void test_cbor_security_write(void **state)
{
    (void)state;
    static const uint8_t psk[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                  0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
    cbor_item_t *a = cbor_new_definite_array(13);
    assert_true(cbor_array_push(a, cbor_move(rec("/0/1/", "0", 3,
                                                  cbor_build_string("coaps://s1.example.com")))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "1", 4, cbor_build_bool(false)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "2", 2, cbor_build_uint8(0)))));
    assert_true(cbor_array_push(a, cbor_move(rec("/0/2/", "0", 3,
                                                  cbor_build_string("coap://s2.example.com")))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "1", 4, cbor_build_bool(false)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "2", 2, cbor_build_uint8(3)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "10", 2, cbor_build_uint16(102)))));
    assert_true(cbor_array_push(a, cbor_move(rec("/0/", "1/3", 8,
                                                  cbor_build_bytestring((cbor_data) "id-1", 4)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "1/5", 8, cbor_build_bytestring(psk, 16)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "1/10", 2, cbor_build_float8(101.0)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "1/16/1", 2, cbor_build_uint32(49324)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "1/16/0", 2, cbor_build_uint16(49320)))));
    assert_true(cbor_array_push(a, cbor_move(rec(NULL, "1/17", 1000, cbor_build_string("21:0")))));
    unsigned char *buf = NULL;
    size_t cap = 0, len = cbor_serialize_alloc(a, &buf, &cap);
    cbor_decref(&a);
    assert_true(len > 0);
    struct scb_config got, want;
    cfg_from_json(expect_sec, &want);
    assert_int_equal(decode(SCB_CF_SENML_CBOR, buf, len, "/0", &got), 0);
    assert_object_equal(&got, &want, 0);
    scb_config_free(&got);
    free(buf);
    scb_config_free(&want);
}

static void test_cbor_refused(void **state)
{
    (void)state;
#define B(path, bytes) {path, bytes, sizeof(bytes) - 1}
    static const struct {
        const char *path, *b;
        size_t len;
    } bad[] = {
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/1" "\x05\x01"),          /* unknown label 5 (s) */
        B("/1/0", "\x81\xA3\x00\x66" "/1/0/1" "\x02\x01\x03\x61" "1"), /* v and vs */
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/1" "\x03\x60"),          /* lifetime as text */
        B("/1/0", "\x81\xA3\x00\x66" "/1/0/1" "\x02\x01\x02\x02"),  /* label twice */
        B("/1", "\x9A\xFF\xFF\xFF\xFF"),                        /* array(2^32-1), empty */
        B("/1", "\x9B\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"),            /* array(2^64-1) */
        B("/1", "\x81\xBA\xFF\xFF\xFF\xFF"),                    /* map(2^32-1) */
        B("/1", "\x81\xA1\x00\x7A\xFF\xFF\xFF\xFF"),            /* text of 2^32-1 bytes */
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/1" "\x02\xC1\x01"),      /* a tag on the value */
        B("/1/0", "\x81\xA2\x00\x7F\x61" "/" "\xFF\x02\x01"),      /* indefinite text */
        B("/1", "\x81\x81\x81\x81\x81\x01"),                    /* nesting */
        B("/1", "\x80\x00"),                                    /* trailing byte */
        B("/1", "\x81"),                                        /* truncated */
        B("/1", "\xFF"),                                        /* a stray break */
        B("/1", "\xA0"),                                        /* not an array */
        B("/1", "\x81\x01"),                                    /* a record not a map */
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/6" "\x04\x01"),          /* vb as integer */
        B("/1/0", "\x81\xA3\x20\x0B\x00\x66" "/1/0/1" "\x02\x01"), /* bver 11 (RFC 8428 4.4) */
        B("/1/0", "\x81\xA2\x00\x67" "/1/00/1" "\x02\x01"),       /* ID with a leading 0 */
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/6" "\x04\xF9\x3C\x00"),  /* vb as float 1.0 */
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/1" "\x02\xF9\x7E\x00"),  /* v NaN */
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/6" "\x04\xF6"),          /* vb null */
        B("/1/0", "\x81\xA2\x00\x66" "/1/0/0" "\x02\x3B\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"),
        B("/1", ""),                                            /* empty input */
    };
#undef B
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct scb_config c;
        int ret = decode(SCB_CF_SENML_CBOR, bad[k].b, bad[k].len, bad[k].path, &c);
        if (ret != SCB_E_DECODE) {
            fail_msg("case %zu gave %d", k, ret);
        }
        scb_config_free(&c);
    }
    /* an indefinite array of records is fine: [_ {0: "/1/0/1", 2: 60}] */
    static const uint8_t indef[] = {0x9F, 0xA2, 0x00, 0x66, '/', '1', '/', '0', '/', '1',
                                    0x02, 0x18, 0x3C, 0xFF};
    struct scb_config c;
    int64_t v;
    assert_int_equal(decode(SCB_CF_SENML_CBOR, indef, sizeof(indef), "/1", &c), 0);
    assert_int_equal(scb_config_get_int(&c, 1, 0, 1, &v), 0);
    assert_int_equal(v, 60);
    scb_config_free(&c);
}

/* Read encoders: JSON and CBOR of /1 (and of one instance) decode back to the same model. */
static void test_encode_round_trip(void **state)
{
    (void)state;
    struct scb_config src;
    cfg_from_json("{\"objects\":{\"1\":{\"instances\":{"
                  "\"0\":{\"resources\":{\"0\":101,\"1\":86400,\"2\":-1,\"6\":true,\"7\":\"UQ\","
                  "\"10\":\"11:2\",\"12\":1700000000}},"
                  "\"7\":{\"resources\":{\"0\":7,\"1\":60,\"6\":false,\"7\":\"T\"}}}},"
                  "\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,"
                  "\"2\":{\"0\":1,\"101\":31},\"3\":101}}}}}}",
                  &src);
    static const unsigned cfs[] = {SCB_CF_SENML_JSON, SCB_CF_SENML_CBOR};
    for (size_t f = 0; f < 2; f++) {
        for (uint16_t oid = 1; oid <= 2; oid++) {
            struct scb_buf b = {0};
            struct scb_config back;
            char path[8];
            snprintf(path, sizeof(path), "/%u", oid);
            assert_int_equal(scb_senml_encode(cfs[f], scb_config_object(&src, oid), -1, &b), 0);
            assert_int_equal(decode(cfs[f], b.data, b.len, path, &back), 0);
            assert_object_equal(&back, &src, oid);
            scb_config_free(&back);
            scb_buf_free(&b);
        }
        struct scb_buf b = {0};
        struct scb_config back;
        assert_int_equal(scb_senml_encode(cfs[f], scb_config_object(&src, 1), 7, &b), 0);
        assert_int_equal(decode(cfs[f], b.data, b.len, "/1/7", &back), 0);
        assert_int_equal(scb_config_object(&back, 1)->n, 1);
        scb_config_free(&back);
        scb_buf_free(&b);
    }
    /* the JSON text itself: base name first, then relative names */
    struct scb_buf b = {0};
    assert_int_equal(scb_senml_encode(SCB_CF_SENML_JSON, scb_config_object(&src, 1), 7, &b), 0);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    assert_string_equal((char *)b.data, "[{\"bn\":\"/1/\",\"n\":\"7/0\",\"v\":7},{\"n\":\"7/1\","
                                        "\"v\":60},{\"n\":\"7/6\",\"vb\":false},{\"n\":\"7/7\","
                                        "\"vs\":\"T\"}]");
    scb_buf_free(&b);
    /* an empty object: an empty pack */
    assert_int_equal(scb_senml_encode(SCB_CF_SENML_CBOR, NULL, -1, &b), 0);
    assert_int_equal(b.len, 1);
    assert_int_equal(b.data[0], 0x80);
    scb_buf_free(&b);
    assert_int_equal(scb_senml_encode(11543, scb_config_object(&src, 1), -1, &b),
                     SCB_E_UNSUPPORTED);
    scb_config_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_security_write),
        cmocka_unit_test(test_json_refused),
        cmocka_unit_test(test_json_accepted_edges),
        cmocka_unit_test(test_cbor_handwritten),
        cmocka_unit_test(test_cbor_security_write),
        cmocka_unit_test(test_cbor_refused),
        cmocka_unit_test(test_encode_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

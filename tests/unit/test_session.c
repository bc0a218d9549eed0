/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_session.c: the network Bootstrap-Server's operations on the staging copy: write all then
 * Finish (2.04), the ETS int-9 case (only /1/x/5 then Finish: 4.06 server-account-missing),
 * correction after 4.06, Delete / keeping the Bootstrap-Server account, EXCHANGE_LIFETIME with
 * an injected clock, Read limited to /1 and /2, Discover, bad payloads and formats; and that
 * the card, factory and network paths share one validator; scb_session_commit() commits an
 * accepted Finish to a store (observer told, provenance network) and a 4.06 not at all, and
 * nothing when the store's configuration moved since the session began (SCB_E_STALE): a card
 * removed meanwhile stays removed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/bootstrap.h"
#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/json.h"
#include "scboot/senml.h"
#include "scboot/session.h"
#include "scboot/store.h"

static uint64_t fake_now;
static uint64_t clock_fn(void *ctx)
{
    (void)ctx;
    return fake_now;
}

/* The committed configuration: just a Bootstrap-Server account, /0/0. */
static void committed(struct scb_config *c)
{
    char err[128];
    scb_config_init(c);
    assert_int_equal(scb_config_from_json_text(
                         "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{\"0\":"
                         "\"coap://bs.example\",\"1\":true,\"2\":3}}}}}}",
                         c, err, sizeof(err)),
                     0);
}

/* TLV payload of object oid built from a JSON "instances" body. */
static void tlv_of(uint16_t oid, const char *instances, struct scb_buf *out)
{
    char json[2048], err[256];
    struct scb_config c;
    snprintf(json, sizeof(json), "{\"objects\":{\"%u\":{\"instances\":%s}}}", oid, instances);
    scb_config_init(&c);
    if (scb_config_from_json_text(json, &c, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    memset(out, 0, sizeof(*out));
    assert_int_equal(scb_tlv_encode_object(scb_config_object(&c, oid), out), 0);
    scb_config_free(&c);
}

static const char sec_inst[] =
    "{\"1\":{\"resources\":{\"0\":\"coap://lwm2m.example\",\"1\":false,\"2\":3,\"10\":7}}}";
static const char srv_inst[] = "{\"3\":{\"resources\":{\"0\":7,\"1\":300,\"6\":false,\"7\":\"U\"}}}";

/* A session on a copy of com with the test clock (profile p, lifetime 0 = the default). */
static int new_session(struct scb_session **s, const struct scb_config *com,
                       const struct scb_profile *p, uint64_t lifetime_ms)
{
    struct scb_session_opts o;
    scb_session_opts_init(&o);
    o.profile = p;
    o.lifetime_ms = lifetime_ms;
    o.clock = clock_fn;
    return scb_session_new(&o, com, s);
}

/* The handle: new refuses a NULL out, free takes NULL and sets the handle to NULL. */
static void test_handle(void **state)
{
    (void)state;
    struct scb_session *s = NULL;
    assert_int_equal(scb_session_new(NULL, NULL, NULL), SCB_E_INVALID_ARG);
    scb_session_free(NULL);
    scb_session_free(&s);
    assert_int_equal(new_session(&s, NULL, NULL, 0), 0);
    assert_non_null(s);
    assert_int_equal(scb_session_state(s), SCB_SESSION_OPEN);
    assert_int_equal(scb_session_staging(s)->n, 0);
    assert_int_equal(scb_session_report(s)->n, 0);
    scb_session_free(&s);
    assert_null(s);
}

static void write_obj(struct scb_session *s, uint16_t oid, const char *inst, int expect)
{
    struct scb_buf b;
    char path[16];
    tlv_of(oid, inst, &b);
    snprintf(path, sizeof(path), "/%u", oid);
    assert_int_equal(scb_session_write(s, path, SCB_CF_TLV, b.data, b.len), expect);
    scb_buf_free(&b);
}

static void test_write_all_then_finish(void **state)
{
    (void)state;
    struct scb_config com, out;
    struct scb_session *s = NULL;
    committed(&com);
    fake_now = 1000;
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    int64_t lt;
    assert_int_equal(scb_config_get_int(&out, 1, 3, 1, &lt), 0);
    assert_int_equal(lt, 300);
    assert_non_null(scb_object_instance(scb_config_object(&out, 0), 0)); /* BS kept */
    assert_int_equal(scb_session_state(s), SCB_SESSION_DONE);
    /* after Finish, the session takes nothing more */
    assert_int_equal(scb_session_delete(s, "/"), SCB_COAP_CODE_4_00_BAD_REQUEST);
    scb_config_free(&out);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_ets_int9_then_correction(void **state)
{
    (void)state;
    struct scb_config com, out;
    struct scb_session *s = NULL;
    struct scb_buf diag = {0};
    committed(&com);
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    /* only /1/0/5 written: no complete server account */
    const uint8_t r5[] = {0xC1, 0x05, 0x3C};
    assert_int_equal(scb_session_write(s, "/1/0/5", SCB_CF_TLV, r5, sizeof(r5)),
                     SCB_COAP_CODE_2_04_CHANGED);
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    assert_int_equal(out.n, 0); /* nothing handed out for commit */
    assert_int_equal(scb_session_diagnostic(s, &diag), 0);
    assert_non_null(strstr((char *)diag.data, "server-account-missing /\n"));
    scb_buf_free(&diag);
    assert_int_equal(scb_session_state(s), SCB_SESSION_OPEN);
    /* the server corrects and finishes again */
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, "{\"0\":{\"resources\":{\"0\":7,\"1\":300,\"6\":false,\"7\":\"U\"}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    int64_t dt;
    assert_int_equal(scb_config_get_int(&out, 1, 0, 5, &dt), 0); /* the earlier write kept */
    assert_int_equal(dt, 60);
    scb_config_free(&out);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_change_request_406(void **state)
{
    (void)state;
    struct scb_config com, out;
    struct scb_session *s = NULL;
    struct scb_profile p;
    struct scb_buf diag = {0};
    committed(&com);
    scb_profile_no_acl(&p);
    assert_int_equal(new_session(&s, &com, &p, 0), 0);
    write_obj(s, 0,
              "{\"1\":{\"resources\":{\"0\":\"coap://a\",\"1\":false,\"2\":3,\"10\":1}},"
              "\"2\":{\"resources\":{\"0\":\"coap://b\",\"1\":false,\"2\":3,\"10\":2}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1,
              "{\"0\":{\"resources\":{\"0\":1,\"1\":60,\"6\":false,\"7\":\"U\"}},"
              "\"1\":{\"resources\":{\"0\":2,\"1\":60,\"6\":false,\"7\":\"U\"}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 2, "{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"2\":{\"1\":31},\"3\":1}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    scb_session_diagnostic(s, &diag);
    assert_int_equal(scb_buf_put(&diag, "", 1), 0);
    assert_string_equal((char *)diag.data, "multi-server-unsupported /1\nacl-unsupported /2\n");
    scb_buf_free(&diag);
    /* corrected: one server, no Access Control */
    assert_int_equal(scb_session_delete(s, "/2"), SCB_COAP_CODE_2_02_DELETED);
    assert_int_equal(scb_session_delete(s, "/0/2"), SCB_COAP_CODE_2_02_DELETED);
    assert_int_equal(scb_session_delete(s, "/1/1"), SCB_COAP_CODE_2_02_DELETED);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    scb_config_free(&out);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_delete_keeps_bs(void **state)
{
    (void)state;
    struct scb_config com;
    struct scb_session *s = NULL;
    committed(&com);
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_delete(s, "/"), SCB_COAP_CODE_2_02_DELETED);
    assert_non_null(scb_object_instance(scb_config_object(scb_session_staging(s), 0), 0));
    assert_null(scb_object_instance(scb_config_object(scb_session_staging(s), 0), 1));
    assert_null(scb_config_object(scb_session_staging(s), 1));
    assert_int_equal(scb_session_delete(s, "/0/0"), SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_delete(s, "/0"), SCB_COAP_CODE_2_02_DELETED);
    assert_non_null(scb_object_instance(scb_config_object(scb_session_staging(s), 0), 0));
    assert_int_equal(scb_session_delete(s, "/3/0"), SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_delete(s, "/0/0/1"), SCB_COAP_CODE_4_00_BAD_REQUEST);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_timeout(void **state)
{
    (void)state;
    struct scb_config com, out;
    struct scb_session *s = NULL;
    committed(&com);
    fake_now = 5000;
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    fake_now += 246000; /* within EXCHANGE_LIFETIME of the last operation */
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    fake_now += 247001;
    assert_int_equal(scb_session_tick(s), SCB_E_TIMEOUT);
    assert_int_equal(scb_session_state(s), SCB_SESSION_FAILED);
    assert_int_equal(scb_session_staging(s)->n, 0); /* staging dropped */
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(out.n, 0);
    assert_int_equal(com.n, 1); /* the committed configuration untouched */
    scb_session_free(&s);
    /* configurable lifetime */
    assert_int_equal(new_session(&s, &com, NULL, 1000), 0);
    fake_now += 1001;
    assert_int_equal(scb_session_tick(s), SCB_E_TIMEOUT);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_read_discover_errors(void **state)
{
    (void)state;
    struct scb_config com;
    struct scb_session *s = NULL;
    struct scb_buf b = {0};
    committed(&com);
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_read(s, "/0", &b), SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_read(s, "/0/1", &b), SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_read(s, "/1/3", &b), SCB_COAP_CODE_2_05_CONTENT);
    assert_true(b.len > 0);
    b.len = 0;
    assert_int_equal(scb_session_read(s, "/1/9", &b), SCB_COAP_CODE_4_04_NOT_FOUND);
    assert_int_equal(scb_session_read(s, "/1", &b), SCB_COAP_CODE_2_05_CONTENT);
    b.len = 0;
    assert_int_equal(scb_session_discover(s, "/", &b), SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    assert_string_equal((char *)b.data,
                        "</>;lwm2m=1.1,</0/0>;uri=\"coap://bs.example\","
                        "</0/1>;ssid=7;uri=\"coap://lwm2m.example\",</1/3>;ssid=7,</2>,</3>,</21>");
    b.len = 0;
    assert_int_equal(scb_session_discover(s, "/1", &b), SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    assert_string_equal((char *)b.data, "</1/3>;ssid=7");
    b.len = 0;
    assert_int_equal(scb_session_discover(s, "/2", &b), SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    assert_string_equal((char *)b.data, "</2>");
    b.len = 0;
    assert_int_equal(scb_session_discover(s, "/99", &b), SCB_COAP_CODE_4_04_NOT_FOUND);
    assert_int_equal(scb_session_discover(s, "/1/3", &b), SCB_COAP_CODE_4_00_BAD_REQUEST);
    scb_buf_free(&b);
    /* wrong content format, malformed TLV, a value that does not fit, bad paths */
    const uint8_t ok[] = {0xC1, 0x01, 0x3C};
    const uint8_t trunc[] = {0xC8, 0x01, 0x09, 0x00};
    const uint8_t badbool[] = {0xC1, 0x06, 0x07};
    assert_int_equal(scb_session_write(s, "/1/3/1", 0, ok, sizeof(ok)),
                     SCB_COAP_CODE_4_15_UNSUPPORTED_FORMAT);
    assert_int_equal(scb_session_write(s, "/1/3/1", SCB_CF_TLV, trunc, sizeof(trunc)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_write(s, "/1/3/6", SCB_CF_TLV, badbool, sizeof(badbool)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_write(s, "/1/3/7", SCB_CF_TLV, ok, sizeof(ok)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST); /* the payload names /1/3/1 */
    assert_int_equal(scb_session_write(s, "/", SCB_CF_TLV, ok, sizeof(ok)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_write(s, "/1/x", SCB_CF_TLV, ok, sizeof(ok)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    /* unknown optional resources of a known object are ignored */
    const uint8_t unknown[] = {0xC1, 0x63, 0x01};
    assert_int_equal(scb_session_write(s, "/1/3", SCB_CF_TLV, unknown, sizeof(unknown)),
                     SCB_COAP_CODE_2_04_CHANGED);
    assert_null(scb_instance_resource(scb_object_instance(scb_config_object(scb_session_staging(s), 1), 3),
                                      0x63));
    scb_session_free(&s);
    scb_config_free(&com);
}

/* ---- content formats ------------------------------------------------------------------ */

/* The same configuration written as TLV, SenML JSON and SenML CBOR commits the same model;
 * Read answers in the Accept format; other formats are 4.15 (Write) and 4.06 (Read). */
static void test_formats(void **state)
{
    (void)state;
    static const char sec_json[] =
        "[{\"bn\":\"/0/1/\",\"n\":\"0\",\"vs\":\"coap://lwm2m.example\"},"
        "{\"n\":\"1\",\"vb\":false},{\"n\":\"2\",\"v\":3},{\"n\":\"10\",\"v\":7}]";
    static const char srv_json[] =
        "[{\"bn\":\"/1/3/\",\"n\":\"0\",\"v\":7},{\"n\":\"1\",\"v\":300},"
        "{\"n\":\"7\",\"vs\":\"U\"},{\"n\":\"6\",\"vb\":false}]";
    /* [{-2: "/1/3/", 0: "0", 2: 7}, {0: "1", 2: 300}, {0: "6", 4: false}, {0: "7", 3: "U"}] */
    static const uint8_t srv_cbor[] = {
        0x84, 0xA3, 0x21, 0x65, '/', '1', '/', '3', '/', 0x00, 0x61, '0', 0x02, 0x07,
        0xA2, 0x00, 0x61, '1', 0x02, 0x19, 0x01, 0x2C, 0xA2, 0x00, 0x61, '6', 0x04, 0xF4,
        0xA2, 0x00, 0x61, '7', 0x03, 0x61, 'U'};
    struct scb_config com, tlv_out, out;
    struct scb_session *s = NULL;
    struct scb_buf b = {0};
    unsigned used = 0;
    committed(&com);

    /* reference: TLV */
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_read_as(s, "/1", -1, &b, &used), SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(used, SCB_CF_TLV);
    b.len = 0;
    assert_int_equal(scb_session_read_as(s, "/1", SCB_CF_SENML_JSON, &b, &used),
                     SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(used, SCB_CF_SENML_JSON);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    assert_string_equal((char *)b.data,
                        "[{\"bn\":\"/1/\",\"n\":\"3/0\",\"v\":7},{\"n\":\"3/1\",\"v\":300},"
                        "{\"n\":\"3/6\",\"vb\":false},{\"n\":\"3/7\",\"vs\":\"U\"}]");
    b.len = 0;
    assert_int_equal(scb_session_read_as(s, "/1/3", SCB_CF_SENML_CBOR, &b, &used),
                     SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(used, SCB_CF_SENML_CBOR);
    assert_int_equal(b.data[0], 0x84); /* four records */
    b.len = 0;
    assert_int_equal(scb_session_read_as(s, "/1", 11543, &b, &used),
                     SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    assert_int_equal(scb_session_read_as(s, "/1", 0, &b, &used), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    assert_int_equal(scb_session_read_as(s, "/1/9", SCB_CF_SENML_JSON, &b, &used),
                     SCB_COAP_CODE_4_04_NOT_FOUND);
    assert_int_equal(scb_session_read_as(s, "/0", SCB_CF_SENML_JSON, &b, &used),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_read_as(s, "/2", SCB_CF_SENML_JSON, &b, &used),
                     SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(b.len, 2); /* [] */
    b.len = 0;
    scb_config_init(&tlv_out);
    assert_int_equal(scb_session_finish(s, &tlv_out), SCB_COAP_CODE_2_04_CHANGED);
    scb_session_free(&s);

    /* SenML JSON then SenML CBOR for /1 */
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    assert_int_equal(scb_session_write(s, "/0", SCB_CF_SENML_JSON, (const uint8_t *)sec_json,
                                       strlen(sec_json)),
                     SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_write(s, "/1/3", SCB_CF_SENML_JSON, (const uint8_t *)srv_json,
                                       strlen(srv_json)),
                     SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_write(s, "/1", SCB_CF_SENML_CBOR, srv_cbor, sizeof(srv_cbor)),
                     SCB_COAP_CODE_2_04_CHANGED);
    /* refused: unsupported formats, a pack of the other syntax, a value of the wrong kind */
    assert_int_equal(scb_session_write(s, "/1", 11543, srv_cbor, sizeof(srv_cbor)),
                     SCB_COAP_CODE_4_15_UNSUPPORTED_FORMAT);
    assert_int_equal(scb_session_write(s, "/1", 11544, srv_cbor, sizeof(srv_cbor)),
                     SCB_COAP_CODE_4_15_UNSUPPORTED_FORMAT);
    assert_int_equal(scb_session_write(s, "/1", SCB_CF_SENML_JSON, srv_cbor, sizeof(srv_cbor)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(scb_session_write(s, "/1", SCB_CF_SENML_CBOR, (const uint8_t *)srv_json,
                                       strlen(srv_json)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    static const char wrong[] = "[{\"n\":\"/1/3/1\",\"vs\":\"300\"}]";
    assert_int_equal(scb_session_write(s, "/1/3/1", SCB_CF_SENML_JSON, (const uint8_t *)wrong,
                                       strlen(wrong)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST);
    /* an unknown resource is ignored, as with TLV (also when it is the written path) */
    static const char unk[] = "[{\"n\":\"/1/3/99\",\"vs\":\"x\"}]";
    assert_int_equal(scb_session_write(s, "/1/3/99", SCB_CF_SENML_JSON, (const uint8_t *)unk,
                                       strlen(unk)),
                     SCB_COAP_CODE_2_04_CHANGED);
    assert_null(scb_instance_resource(scb_object_instance(scb_config_object(scb_session_staging(s), 1), 3),
                                      99));
    static const char two[] = "[{\"n\":\"/1/3/1\",\"v\":1},{\"n\":\"/1/3/5\",\"v\":1}]";
    assert_int_equal(scb_session_write(s, "/1/3/1", SCB_CF_SENML_JSON, (const uint8_t *)two,
                                       strlen(two)),
                     SCB_COAP_CODE_4_00_BAD_REQUEST); /* /o/i/r carries that one resource */
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    /* the same model as the TLV session: encode both as TLV and compare */
    for (uint16_t oid = 0; oid <= 1; oid++) {
        struct scb_buf x = {0}, y = {0};
        assert_int_equal(scb_tlv_encode_object(scb_config_object(&tlv_out, oid), &x), 0);
        assert_int_equal(scb_tlv_encode_object(scb_config_object(&out, oid), &y), 0);
        assert_int_equal(x.len, y.len);
        assert_memory_equal(x.data, y.data, x.len);
        scb_buf_free(&x);
        scb_buf_free(&y);
    }
    scb_config_free(&out);
    scb_config_free(&tlv_out);
    scb_session_free(&s);
    scb_buf_free(&b);
    scb_config_free(&com);
}

/* ---- moving the Bootstrap-Server account ----------------------------------------------------- */

static void committed_bs100(struct scb_config *c)
{
    char err[128];
    scb_config_init(c);
    assert_int_equal(scb_config_from_json_text(
                         "{\"objects\":{\"0\":{\"instances\":{\"100\":{\"resources\":{\"0\":"
                         "\"coap://old-bs.example\",\"1\":true,\"2\":3,\"17\":\"21:5\"}}}},"
                         "\"21\":{\"instances\":{\"5\":{\"resources\":{\"0\":{\"hex\":\"0102\"},"
                         "\"1\":{\"hex\":\"01\"},\"2\":{\"hex\":\"02\"}}}}}}}",
                         c, err, sizeof(err)),
                     0);
}

static int count_bs(const struct scb_config *c, uint16_t *iid)
{
    const struct scb_object *sec = scb_config_object(c, 0);
    int n = 0;
    for (size_t k = 0; sec && k < sec->n; k++) {
        int b = 0;
        if (scb_config_get_bool(c, 0, sec->i[k].id, 1, &b) == 0 && b) {
            *iid = sec->i[k].id;
            n++;
        }
    }
    return n;
}

static const char new_bs[] =
    "{\"0\":{\"resources\":{\"0\":\"coap://new-bs.example\",\"1\":true,\"2\":3}}}";

static void test_bs_account_moves(void **state)
{
    (void)state;
    struct scb_config com, out;
    struct scb_session *s = NULL;
    struct scb_buf diag = {0};
    uint16_t iid = 0;
    committed_bs100(&com);
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    /* the committed account (instance 100) is the protected one */
    assert_int_equal(scb_session_delete(s, "/0/100"), SCB_COAP_CODE_4_00_BAD_REQUEST);
    /* Delete / keeps the committed account; the server then provisions its own at /0/0 */
    assert_int_equal(scb_session_delete(s, "/"), SCB_COAP_CODE_2_02_DELETED);
    assert_non_null(scb_object_instance(scb_config_object(scb_session_staging(s), 0), 100));
    write_obj(s, 0, new_bs, SCB_COAP_CODE_2_04_CHANGED);
    /* a failed Finish (no server account yet): 4.06 for that alone, the old account stays */
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    assert_int_equal(out.n, 0);
    assert_int_equal(scb_session_diagnostic(s, &diag), 0);
    assert_int_equal(scb_buf_put(&diag, "", 1), 0);
    assert_string_equal((char *)diag.data, "server-account-missing /\n");
    scb_buf_free(&diag);
    assert_non_null(scb_object_instance(scb_config_object(scb_session_staging(s), 0), 100));
    assert_non_null(scb_object_instance(scb_config_object(scb_session_staging(s), 21), 5));
    /* with a server account the Finish succeeds and the commit holds only the new account */
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(count_bs(&out, &iid), 1);
    assert_int_equal(iid, 0);
    assert_null(scb_object_instance(scb_config_object(&out, 0), 100));
    assert_null(scb_config_object(&out, 21)); /* the old account's OSCORE instance dropped */
    assert_non_null(scb_object_instance(scb_config_object(&out, 0), 1));
    scb_config_free(&out);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_bs_account_not_moved(void **state)
{
    (void)state;
    struct scb_config com, out;
    struct scb_session *s = NULL;
    struct scb_buf diag = {0};
    uint16_t iid = 0;
    committed_bs100(&com);
    /* two new Bootstrap-Server accounts: nothing moves, the validator refuses */
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0,
              "{\"0\":{\"resources\":{\"0\":\"coap://a\",\"1\":true,\"2\":3}},"
              "\"2\":{\"resources\":{\"0\":\"coap://b\",\"1\":true,\"2\":3}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    assert_int_equal(scb_session_diagnostic(s, &diag), 0);
    assert_int_equal(scb_buf_put(&diag, "", 1), 0);
    assert_non_null(strstr((char *)diag.data, "bs-account-multiple"));
    scb_buf_free(&diag);
    scb_session_free(&s);
    /* no new account: the committed one stays, with its OSCORE instance */
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(count_bs(&out, &iid), 1);
    assert_int_equal(iid, 100);
    assert_non_null(scb_object_instance(scb_config_object(&out, 21), 5));
    scb_config_free(&out);
    scb_session_free(&s);
    /* a new account that links the same OSCORE instance keeps it */
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0,
              "{\"7\":{\"resources\":{\"0\":\"coap://n\",\"1\":true,\"2\":3,\"17\":\"21:5\"}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(count_bs(&out, &iid), 1);
    assert_int_equal(iid, 7);
    assert_non_null(scb_object_instance(scb_config_object(&out, 21), 5));
    scb_config_free(&out);
    scb_session_free(&s);
    scb_config_free(&com);
}

/* The server turns the old Bootstrap-Server account's instance into a server account
 * (/0/100/1 false, SSID 5, with its /1 instance) and puts its own account at /0/0. The move
 * drops the old account by what it is, not by its instance ID: /0/100 is a server account now,
 * one the session wrote, and dropping it would answer Finish 4.06 server-without-security /1/5
 * for a consistent configuration. */
static void test_bs_account_demoted_kept(void **state)
{
    (void)state;
    struct scb_config com, out;
    struct scb_session *s = NULL;
    uint16_t iid = 0;
    int b = 1;
    committed_bs100(&com);
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0,
              "{\"100\":{\"resources\":{\"0\":\"coap://dm5.example\",\"1\":false,\"2\":3,"
              "\"10\":5}},\"0\":{\"resources\":{\"0\":\"coap://new-bs.example\",\"1\":true,"
              "\"2\":3}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, "{\"5\":{\"resources\":{\"0\":5,\"1\":300,\"6\":false,\"7\":\"U\"}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    scb_config_init(&out);
    assert_int_equal(scb_session_finish(s, &out), SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(count_bs(&out, &iid), 1);
    assert_int_equal(iid, 0);
    assert_non_null(scb_object_instance(scb_config_object(&out, 0), 100));
    assert_int_equal(scb_config_get_bool(&out, 0, 100, 1, &b), 0);
    assert_int_equal(b, 0);
    assert_non_null(scb_object_instance(scb_config_object(&out, 1), 5));
    scb_config_free(&out);
    scb_session_free(&s);
    /* once rewritten as a server account it is deleted like one: the protection is the
     * Bootstrap-Server account's, not its instance ID's */
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0,
              "{\"100\":{\"resources\":{\"0\":\"coap://dm5.example\",\"1\":false,\"2\":3,"
              "\"10\":5}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_delete(s, "/0/100"), SCB_COAP_CODE_2_02_DELETED);
    assert_null(scb_object_instance(scb_config_object(scb_session_staging(s), 0), 100));
    scb_session_free(&s);
    scb_config_free(&com);
}

/* ---- Bootstrap-Discover against doc/protocol.md (Discover answer) and RFC 6690 -------- */

/* RFC 6690 link-format, strictly: link-value *("," link-value); link-value = "<" URI-Reference
 * ">" *(";" link-param); link-param = parmname ["=" (ptoken / quoted-string)]. Returns the
 * number of links, or -1 at the first deviation. */
static int is_parmname_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

static int is_ptoken_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'()*+-./:<=>?@[]^_`{|}~", c) != NULL);
}

static int strict_link_format(const char *p)
{
    int links = 0;
    for (;;) {
        if (*p++ != '<') {
            return -1;
        }
        const char *uri = p;
        while (*p && *p != '>' && *p != '<' && *p != '"' && *p != ',' && *p != ' ') {
            p++;
        }
        if (*p++ != '>' || p - 1 == uri) {
            return -1;
        }
        while (*p == ';') {
            const char *name = ++p;
            while (is_parmname_char(*p)) {
                p++;
            }
            if (p == name) {
                return -1;
            }
            if (*p == '=') {
                p++;
                if (*p == '"') {
                    for (p++; *p && *p != '"'; p++) {
                        if (*p == '\\' && p[1] != '\0') {
                            p++;
                        }
                    }
                    if (*p++ != '"') {
                        return -1;
                    }
                } else {
                    const char *tok = p;
                    while (is_ptoken_char(*p)) {
                        p++;
                    }
                    if (p == tok) {
                        return -1;
                    }
                }
            }
        }
        links++;
        if (*p == '\0') {
            return links;
        }
        if (*p++ != ',') {
            return -1;
        }
    }
}

/* The value of parameter name of the link whose target is target ("" when the link has it
 * without a value, NULL when absent). */
static const char *link_param(const char *lf, const char *target, const char *name,
                              char *val, size_t cap)
{
    char key[64];
    snprintf(key, sizeof(key), "<%s>", target);
    const char *p = strstr(lf, key);
    if (p == NULL) {
        return NULL;
    }
    const char *end = strstr(p + 1, ",<");
    size_t nl = strlen(name);
    for (p += strlen(key); *p == ';' && (end == NULL || p < end);) {
        p++;
        const char *q = p;
        while (*q && *q != ';' && *q != ',' && *q != '=') {
            q++;
        }
        int match = (size_t)(q - p) == nl && strncmp(p, name, nl) == 0;
        size_t n = 0;
        if (*q == '=') {
            q++;
            int quoted = *q == '"';
            q += quoted;
            while (*q && (quoted ? *q != '"' : (*q != ';' && *q != ','))) {
                if (n + 1 < cap) {
                    val[n++] = *q;
                }
                q++;
            }
            q += quoted;
        }
        val[n] = '\0';
        if (match) {
            return val;
        }
        p = q;
    }
    return NULL;
}

static void test_discover_spec_example(void **state)
{
    (void)state;
    struct scb_config com;
    struct scb_session *s = NULL;
    struct scb_profile p;
    struct scb_buf b = {0};
    char err[160];
    /* the configuration of the doc/protocol.md Discover example: the Bootstrap-Server account
     * /0/0, one server account /0/1 with SSID 101 and its Server instance /1/0 */
    static const char spec_example[] =
        "</>;lwm2m=1.1,</0/0>;uri=\"coap://bs.example.com\",</0/1>;ssid=101;uri=\"coaps://"
        "s1.example.com\",</1/0>;ssid=101";
    scb_config_init(&com);
    assert_int_equal(
        scb_config_from_json_text(
            "{\"objects\":{\"0\":{\"instances\":{"
            "\"0\":{\"resources\":{\"0\":\"coap://bs.example.com\",\"1\":true,\"2\":3}},"
            "\"1\":{\"resources\":{\"0\":\"coaps://s1.example.com\",\"1\":false,\"2\":0,"
            "\"3\":{\"hex\":\"6964\"},\"5\":{\"hex\":\"00112233445566778899AABBCCDDEEFF\"},"
            "\"10\":101}}}},"
            "\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":101,\"1\":300,\"6\":false,"
            "\"7\":\"U\"}}}}}}",
            &com, err, sizeof(err)),
        0);
    scb_profile_no_acl(&p); /* no /2 on this client */
    assert_int_equal(new_session(&s, &com, &p, 0), 0);
    assert_int_equal(scb_session_discover(s, "/", &b), SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    /* the spec's text exactly, then the supported objects that have no instance (</o>) */
    assert_string_equal((char *)b.data, "</>;lwm2m=1.1,</0/0>;uri=\"coap://bs.example.com\","
                                        "</0/1>;ssid=101;uri=\"coaps://s1.example.com\","
                                        "</1/0>;ssid=101,</3>,</21>");
    assert_memory_equal(b.data, spec_example, sizeof(spec_example) - 1);
    assert_int_equal(b.data[sizeof(spec_example) - 1], ',');
    scb_buf_free(&b);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_discover_strict_parse(void **state)
{
    (void)state;
    struct scb_config com;
    struct scb_session *s = NULL;
    struct scb_buf b = {0};
    char v[128];
    committed(&com);
    assert_int_equal(new_session(&s, &com, NULL, 0), 0);
    write_obj(s, 0,
              "{\"4\":{\"resources\":{\"0\":\"coap://a.example/x\\\"y\",\"1\":false,\"2\":3,"
              "\"10\":12}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, "{\"4\":{\"resources\":{\"0\":12,\"1\":60,\"6\":false,\"7\":\"U\"}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_discover(s, "/", &b), SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    const char *lf = (const char *)b.data;
    assert_true(strict_link_format(lf) >= 5);
    assert_null(strstr(lf, "lwm2m=\"")); /* the version is an unquoted token */
    assert_int_equal(strncmp(lf, "</>;lwm2m=1.1,", 14), 0);
    assert_string_equal(link_param(lf, "/", "lwm2m", v, sizeof(v)), "1.1");
    assert_string_equal(link_param(lf, "/0/0", "uri", v, sizeof(v)), "coap://bs.example");
    assert_null(link_param(lf, "/0/0", "ssid", v, sizeof(v))); /* BS account: no ssid */
    assert_string_equal(link_param(lf, "/0/4", "ssid", v, sizeof(v)), "12");
    assert_non_null(strstr(lf, ";uri=\"coap://a.example/x\\\"y\"")); /* quote escaped */
    assert_string_equal(link_param(lf, "/1/4", "ssid", v, sizeof(v)), "12");
    assert_null(strstr(lf, "</0>")); /* objects with instances: instance links only */
    assert_non_null(strstr(lf, ",</2>,</3>,</21>"));
    /* the negative cases of the checker itself: the pre-1.1.1 form and malformed params */
    assert_int_equal(strict_link_format("lwm2m=\"1.1\",</0/0>"), -1);
    assert_int_equal(strict_link_format("</>;lwm2m=\"1.1"), -1);
    assert_int_equal(strict_link_format("</0/0>;=1"), -1);
    assert_int_equal(strict_link_format("</0/0>,"), -1);
    assert_int_equal(strict_link_format("</>;lwm2m=1.1,</0/0>;uri=\"a\""), 2);
    /* Discover on /0: its links only, no root link */
    b.len = 0;
    assert_int_equal(scb_session_discover(s, "/0", &b), SCB_COAP_CODE_2_05_CONTENT);
    assert_int_equal(scb_buf_put(&b, "", 1), 0);
    assert_int_equal(strict_link_format((char *)b.data), 2);
    assert_int_equal(strncmp((char *)b.data, "</0/0>;uri=\"coap://bs.example\",</0/4>;ssid=12", 45),
                     0);
    scb_buf_free(&b);
    scb_session_free(&s);
    scb_config_free(&com);
}

static void test_paths(void **state)
{
    (void)state;
    uint16_t ids[3];
    assert_int_equal(scb_session_path_parse("/", ids), 0);
    assert_int_equal(scb_session_path_parse("/1", ids), 1);
    assert_int_equal(scb_session_path_parse("/1/2/3", ids), 3);
    assert_int_equal(ids[2], 3);
    assert_int_equal(scb_session_path_parse("/65535/0", ids), 2);
    assert_true(scb_session_path_parse("/65536", ids) < 0);
    assert_true(scb_session_path_parse("/1/2/3/4", ids) < 0);
    assert_true(scb_session_path_parse("1/2", ids) < 0);
    assert_true(scb_session_path_parse("//", ids) < 0);
    assert_true(scb_session_path_parse("/1a", ids) < 0);
}

struct seen {
    unsigned calls;
    unsigned provenances;
    uint64_t generation;
};

static void on_commit(void *ctx, const struct scb_commit_event *ev)
{
    struct seen *w = ctx;
    w->calls++;
    w->provenances = ev->provenances;
    w->generation = ev->after->generation;
}

/* Finish + commit in one call, as a client with its own CoAP stack answers POST /bs. */
static void test_session_commit(void **state)
{
    (void)state;
    char dir[] = "/tmp/scb-session-commit-XXXXXX", err[256], cmd[64];
    struct scb_store *st = NULL;
    struct scb_committed prev, c;
    struct scb_config com;
    struct scb_session *s = NULL;
    struct seen w = {0};
    assert_non_null(mkdtemp(dir));
    assert_int_equal(scb_store_open(dir, 0, &st, err, sizeof(err)), SCB_OK);
    committed(&com); /* the Bootstrap-Server account, from the factory */
    scb_committed_init(&prev);
    assert_int_equal(scb_committed_replace(&c, &prev, &com, SCB_SRC_FACTORY), SCB_OK);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), SCB_OK);
    assert_int_equal(scb_store_set_observer(st, on_commit, &w), SCB_OK);
    assert_int_equal(new_session(&s, &c.cfg, NULL, 0), 0);
    assert_int_equal(scb_session_commit(NULL, st, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_session_commit(s, NULL, err, sizeof(err)), SCB_E_INVALID_ARG);
    /* no server account yet: 4.06, nothing committed, the session stays open */
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_commit(s, st, err, sizeof(err)), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    assert_int_equal(w.calls, 0);
    assert_int_equal(scb_session_state(s), SCB_SESSION_OPEN);
    /* corrected: committed, the observer told of a network change */
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_commit(s, st, err, sizeof(err)), SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_state(s), SCB_SESSION_DONE);
    assert_int_equal(w.calls, 1);
    assert_true(w.provenances & (1u << SCB_SRC_NETWORK));
    assert_false(w.provenances & (1u << SCB_SRC_FACTORY)); /* the account left as it was */
    scb_committed_free(&prev);
    assert_int_equal(scb_store_load(st, &prev, err, sizeof(err)), SCB_OK);
    assert_int_equal(prev.generation, 2);
    assert_int_equal(w.generation, 2);
    assert_non_null(scb_config_object(&prev.cfg, 1));
    /* a finished session commits nothing more */
    assert_int_equal(scb_session_commit(s, st, err, sizeof(err)), SCB_COAP_CODE_4_00_BAD_REQUEST);
    assert_int_equal(w.calls, 1);
    scb_committed_free(&prev);
    scb_committed_free(&c);
    scb_session_free(&s);
    scb_store_free(&st);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Whether the store's committed configuration has instance /oid/iid. */
static int has_instance(struct scb_store *st, uint16_t oid, uint16_t iid)
{
    struct scb_committed c;
    char err[256];
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    int found = scb_object_instance(scb_config_object(&c.cfg, oid), iid) != NULL;
    scb_committed_free(&c);
    return found;
}

static uint64_t store_generation(struct scb_store *st)
{
    struct scb_committed c;
    char err[256];
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    uint64_t g = c.generation;
    scb_committed_free(&c);
    return g;
}

/* A session started on the committed state of st (session.h, step 1). */
static void session_on_store(struct scb_store *st, struct scb_session **s)
{
    struct scb_committed c;
    char err[256];
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    assert_int_equal(new_session(s, &c.cfg, NULL, 0), SCB_OK);
    scb_committed_free(&c);
}

/* A card's server account (/0/1, /1/1) is committed; a Bootstrap-Server session writes /0/7
 * and /1/7; the card is removed and the check deletes the card's instances (R4). The Finish
 * must not commit the session's copy over that: it would bring the removed card's account
 * back, relabelled "network", for good. */
static void test_finish_does_not_resurrect_removed_card(void **state)
{
    (void)state;
    char err[SCB_ERR_MAX];
    struct scb_store *st = NULL;
    struct scb_emu *e = NULL;
    struct scb_transport *t = NULL;
    struct scb_card *card = NULL;
    struct scb_bootstrap *b = NULL;
    struct scb_session *s = NULL;
    struct scb_bootstrap_opts bo;
    struct scb_run_result rr;
    struct seen w = {0};
    enum scb_bootstrap_outcome out;

    assert_int_equal(scb_store_new_memory(&st, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_emu_load_json("{\"iccid\":\"89441000300123456789\",\"lwm2m\":"
                                       "{\"file\":\"anjay_ef126.bin\",\"pkcs15_first\":false}}",
                                       "data", &e, err, sizeof(err)),
                     SCB_OK);
    assert_non_null(t = scb_emu_transport(e));
    assert_int_equal(scb_card_new(t, &card), SCB_OK);
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = card;
    bo.reader_name = "virtual";
    assert_int_equal(scb_bootstrap_new(&bo, &b), SCB_OK);
    assert_int_equal(scb_bootstrap_run(b, &rr, err, sizeof(err)), SCB_OK);
    assert_int_equal(rr.card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_true(has_instance(st, 0, 1)); /* the card's server account */

    session_on_store(st, &s);
    write_obj(s, 0,
              "{\"7\":{\"resources\":{\"0\":\"coap://net.example:5683\",\"1\":false,\"2\":3,"
              "\"10\":7}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, "{\"7\":{\"resources\":{\"0\":7,\"1\":300,\"6\":false,\"7\":\"U\"}}}",
              SCB_COAP_CODE_2_04_CHANGED);

    /* meanwhile the card is removed: its instances are deleted (R4) */
    scb_emu_remove(e);
    assert_int_equal(scb_bootstrap_check_card(b, &out, err, sizeof(err)), SCB_OK);
    assert_int_equal(out, SCB_BOOTSTRAP_CARD_REMOVED);
    assert_false(has_instance(st, 0, 1));
    assert_int_equal(store_generation(st), 2);

    /* Finish: refused with the reason, nothing committed, the session over */
    assert_int_equal(scb_store_set_observer(st, on_commit, &w), SCB_OK);
    assert_int_equal(scb_session_commit(s, st, err, sizeof(err)), SCB_E_STALE);
    assert_non_null(strstr(err, "changed since the session began"));
    assert_int_equal(scb_session_state(s), SCB_SESSION_FAILED);
    assert_int_equal(scb_session_staging(s)->n, 0); /* the staging copy is dropped */
    assert_int_equal(scb_session_tick(s), SCB_E_STALE); /* the cause, not a timeout */
    assert_int_equal(w.calls, 0);
    assert_int_equal(store_generation(st), 2);
    assert_false(has_instance(st, 0, 1));
    assert_false(has_instance(st, 1, 1));
    assert_false(has_instance(st, 0, 7));
    assert_string_equal(scb_error_name(SCB_E_STALE), "SCB_E_STALE");
    assert_string_equal(scb_error_string(SCB_E_STALE),
                        "the committed state changed during the session");

    scb_session_free(&s);
    scb_bootstrap_free(&b);
    scb_card_free(&card);
    scb_transport_free(&t);
    scb_emu_free(&e);
    scb_store_free(&st);
}

/* Commit cfg (a JSON configuration) to st as the factory's. */
static void commit_json(struct scb_store *st, const char *json)
{
    struct scb_committed prev, next;
    struct scb_config cfg;
    char err[256];
    scb_config_init(&cfg);
    assert_int_equal(scb_config_from_json_text(json, &cfg, err, sizeof(err)), SCB_OK);
    scb_committed_init(&prev);
    assert_int_equal(scb_store_load(st, &prev, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_committed_replace(&next, &prev, &cfg, SCB_SRC_FACTORY), SCB_OK);
    assert_int_equal(scb_store_commit(st, &next, err, sizeof(err)), SCB_OK);
    scb_committed_free(&next);
    scb_committed_free(&prev);
    scb_config_free(&cfg);
}

/* What counts is the configuration, compared in depth: another commit that changed it makes
 * the Finish stale; one that committed the same configuration again (a new generation, a new
 * commit time) does not. */
static void test_commit_needs_base_unchanged(void **state)
{
    (void)state;
    static const char account[] = "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{"
                                  "\"0\":\"coap://bs.example\",\"1\":true,\"2\":3}}}}}}";
    char err[SCB_ERR_MAX];
    struct scb_store *st = NULL;
    struct scb_session *s = NULL;
    struct scb_committed c;
    int64_t lifetime = 0;

    assert_int_equal(scb_store_new_memory(&st, err, sizeof(err)), SCB_OK);
    commit_json(st, account);

    /* the same configuration committed again meanwhile: the Finish commits */
    session_on_store(st, &s);
    write_obj(s, 0, sec_inst, SCB_COAP_CODE_2_04_CHANGED);
    write_obj(s, 1, srv_inst, SCB_COAP_CODE_2_04_CHANGED);
    commit_json(st, account);
    assert_int_equal(scb_session_commit(s, st, err, sizeof(err)), SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(store_generation(st), 3);
    assert_true(has_instance(st, 1, 3));
    scb_session_free(&s);

    /* another commit changed one value meanwhile: SCB_E_STALE, that commit's state stays */
    session_on_store(st, &s);
    write_obj(s, 1, "{\"3\":{\"resources\":{\"0\":7,\"1\":600,\"6\":false,\"7\":\"U\"}}}",
              SCB_COAP_CODE_2_04_CHANGED);
    commit_json(st, "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{"
                    "\"0\":\"coap://bs.example\",\"1\":true,\"2\":3}},\"1\":{\"resources\":{"
                    "\"0\":\"coap://lwm2m.example\",\"1\":false,\"2\":3,\"10\":7}}}},"
                    "\"1\":{\"instances\":{\"3\":{\"resources\":{\"0\":7,\"1\":120,\"6\":false,"
                    "\"7\":\"U\"}}}}}}");
    assert_int_equal(scb_session_commit(s, st, err, sizeof(err)), SCB_E_STALE);
    assert_int_equal(scb_session_state(s), SCB_SESSION_FAILED);
    assert_int_equal(store_generation(st), 4);
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_config_get_int(&c.cfg, 1, 3, 1, &lifetime), SCB_OK);
    assert_int_equal(lifetime, 120);
    scb_committed_free(&c);

    scb_session_free(&s);
    scb_store_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handle),
        cmocka_unit_test(test_session_commit),
        cmocka_unit_test(test_finish_does_not_resurrect_removed_card),
        cmocka_unit_test(test_commit_needs_base_unchanged),
        cmocka_unit_test(test_write_all_then_finish),
        cmocka_unit_test(test_ets_int9_then_correction),
        cmocka_unit_test(test_change_request_406),
        cmocka_unit_test(test_delete_keeps_bs),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_read_discover_errors),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_discover_spec_example),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_bs_account_moves),
        cmocka_unit_test(test_bs_account_not_moved),
        cmocka_unit_test(test_bs_account_demoted_kept),
        cmocka_unit_test(test_discover_strict_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

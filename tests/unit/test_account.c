/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_account.c: server accounts read from configurations (the standard card's
 * Bootstrap-Server account, a PSK server, the multi-server factory file, a Security instance
 * without its Server instance, malformed resources), the copies outliving the configuration,
 * the diff between two configurations (added, removed, each kind of change, unchanged
 * renumbering, the Bootstrap-Server key), and the store's commit observer: called once per
 * durable commit with the right states for card, factory and network-shaped commits, never
 * for a failed one.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scboot/account.h"
#include "scboot/bootstrap.h"
#include "scboot/bsfile.h"
#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/store.h"
#include "scboot/util.h"
#include "card_fixture.h"
#include "store_internal.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static void load_image(const char *path, struct scb_config *cfg)
{
    uint8_t *img;
    size_t n;
    struct scb_decode_error de;
    scb_config_init(cfg);
    assert_int_equal(scb_util_read_file(path, 65536, &img, &n), 0);
    assert_int_equal(scb_bsfile_decode(img, n, cfg, &de), 0);
    free(img);
}

static void load_json_file(const char *path, struct scb_config *cfg)
{
    uint8_t *text;
    size_t n;
    char err[SCB_ERR_MAX];
    scb_config_init(cfg);
    assert_int_equal(scb_util_read_file(path, 65536, &text, &n), 0);
    char *z = realloc(text, n + 1);
    assert_non_null(z);
    z[n] = '\0';
    if (scb_config_from_json_text(z, cfg, err, sizeof(err)) < 0) {
        fail_msg("%s: %s", path, err);
    }
    free(z);
}

static void from_json(const char *json, struct scb_config *cfg)
{
    char err[SCB_ERR_MAX];
    scb_config_init(cfg);
    if (scb_config_from_json_text(json, cfg, err, sizeof(err)) < 0) {
        fail_msg("%s: %s", json, err);
    }
}

static struct scb_account_list *accounts(const struct scb_config *cfg)
{
    struct scb_account_list *l = NULL;
    assert_int_equal(scb_account_list_new(cfg, &l), 0);
    assert_non_null(l);
    return l;
}

/* ---- reading accounts ---------------------------------------------------------------------- */

/* tests/data/standard.json's card carries nrf_ef58.bin: one Bootstrap-Server account, NoSec. */
static void test_standard_card_bootstrap_account(void **state)
{
    (void)state;
    struct scb_config cfg;
    uint16_t iid = 77;
    int64_t v;
    load_image("data/nrf_ef58.bin", &cfg);
    struct scb_account_list *l = accounts(&cfg);
    assert_int_equal(scb_account_list_count(l), 1);
    const struct scb_account *a = scb_account_list_at(l, 0);
    assert_ptr_equal(scb_account_list_bootstrap(l), a);
    assert_true(scb_account_is_bootstrap(a));
    assert_int_equal(scb_account_ssid(a), 0);
    assert_null(scb_account_list_find_ssid(l, 0));
    assert_null(scb_account_list_find_ssid(l, 1));
    assert_string_equal(scb_account_uri(a), "coap://leshan.eclipseprojects.io:5783");
    int mode = -1;
    assert_int_equal(scb_account_security_mode(a, &mode), 0);
    assert_int_equal(mode, SCB_SEC_MODE_NOSEC);
    assert_int_equal(scb_account_security_iid(a), 0);
    assert_int_equal(scb_account_server_iid(a, &iid), SCB_E_NOT_FOUND);
    assert_int_equal(iid, 77);
    assert_null(scb_account_server(a));
    assert_null(scb_account_binding(a));
    assert_int_equal(scb_account_lifetime(a, &v), SCB_E_NOT_FOUND);
    assert_null(scb_account_list_at(l, 1));
    scb_account_list_free(&l);
    assert_null(l);
    scb_config_free(&cfg);
}

/* A PSK server account (anjay_ef126.bin): identity, key, lifetime, binding. */
static void test_psk_account(void **state)
{
    (void)state;
    struct scb_config cfg;
    const uint8_t *p;
    size_t n;
    int64_t v;
    int mode = -1, b;
    uint16_t iid;
    load_image("data/anjay_ef126.bin", &cfg);
    struct scb_account_list *l = accounts(&cfg);
    scb_config_free(&cfg); /* the list keeps copies: everything below outlives the config */
    assert_int_equal(scb_account_list_count(l), 1);
    assert_null(scb_account_list_bootstrap(l));
    const struct scb_account *a = scb_account_list_find_ssid(l, 1);
    assert_ptr_equal(a, scb_account_list_at(l, 0));
    assert_false(scb_account_is_bootstrap(a));
    assert_int_equal(scb_account_ssid(a), 1);
    assert_string_equal(scb_account_uri(a), "coaps://eu.iot.avsystem.cloud:5684");
    assert_int_equal(scb_account_security_mode(a, &mode), 0);
    assert_int_equal(mode, SCB_SEC_MODE_PSK);
    assert_int_equal(scb_account_identity(a, &p, &n), 0);
    assert_int_equal(n, 24);
    assert_memory_equal(p, "urn:imei:123456789012345", 24);
    assert_int_equal(scb_account_secret_key(a, &p, &n), 0);
    assert_int_equal(n, 15);
    assert_int_equal(scb_account_server_public_key(a, &p, &n), SCB_E_NOT_FOUND);
    assert_int_equal(scb_account_security_iid(a), 1);
    assert_int_equal(scb_account_server_iid(a, &iid), 0);
    assert_int_equal(iid, 1);
    assert_int_equal(scb_account_lifetime(a, &v), 0);
    assert_int_equal(v, 86400);
    assert_string_equal(scb_account_binding(a), "U");
    assert_int_equal(scb_account_hold_off(a, &v), SCB_E_NOT_FOUND);
    assert_int_equal(scb_account_bootstrap_on_failure(a, &b), SCB_E_NOT_FOUND);
    assert_null(scb_account_oscore(a));
    /* the escape hatch for resources without an accessor reads the same copy */
    int stored = -1;
    assert_int_equal(scb_value_bool(scb_instance_value(scb_account_server(a),
                                                       SCB_RES_SRV_STORING), &stored), 0);
    assert_int_equal(stored, 0);
    scb_account_list_free(&l);
}

/* The multi-server factory file: key order, find by SSID, the Bootstrap-Server account. */
static void test_multi_server(void **state)
{
    (void)state;
    struct scb_config cfg;
    uint16_t iid;
    load_json_file("data/multi_server_acl.json", &cfg);
    struct scb_account_list *l = accounts(&cfg);
    assert_int_equal(scb_account_list_count(l), 3);
    assert_true(scb_account_is_bootstrap(scb_account_list_at(l, 0)));
    assert_int_equal(scb_account_ssid(scb_account_list_at(l, 1)), 101);
    assert_int_equal(scb_account_ssid(scb_account_list_at(l, 2)), 102);
    assert_string_equal(scb_account_uri(scb_account_list_bootstrap(l)),
                        "coap://bs.example.com:5683");
    const struct scb_account *a = scb_account_list_find_ssid(l, 102);
    assert_string_equal(scb_account_uri(a), "coap://dm2.example.com:5683");
    assert_int_equal(scb_account_security_iid(a), 2);
    assert_int_equal(scb_account_server_iid(a, &iid), 0);
    assert_int_equal(iid, 1);
    assert_null(scb_account_list_find_ssid(l, 103));
    scb_account_list_free(&l);
    scb_config_free(&cfg);
}

/* /0/iid, a PSK account of Short Server ID ssid (its URI and identity name the SSID) */
#define SEC(iid, ssid, extra)                                                                   \
    "\"" #iid "\":{\"resources\":{\"0\":\"coaps://s" #ssid ".example\",\"1\":false,\"2\":0,"    \
    "\"3\":\"id" #ssid "\",\"5\":{\"hex\":\"00112233\"},\"10\":" #ssid extra "}}"
#define SRV(iid, ssid, extra)                                                                   \
    "\"" #iid "\":{\"resources\":{\"0\":" #ssid ",\"1\":300,\"6\":false,\"7\":\"U\"" extra "}}"
#define CFG(sec, srv, more) \
    "{\"objects\":{\"0\":{\"instances\":{" sec "}},\"1\":{\"instances\":{" srv "}}" more "}}"
#define BS "\"9\":{\"resources\":{\"0\":\"coap://bs.example\",\"1\":true,\"2\":3}}"

/* A Security instance without the Server instance of its SSID is an account without server
 * side; a Server instance without Security instance is no account. */
static void test_missing_server_instance(void **state)
{
    (void)state;
    struct scb_config cfg;
    int64_t v;
    int b;
    uint16_t iid;
    from_json(CFG(SEC(1, 5, ""), SRV(1, 6, ""), ""), &cfg);
    struct scb_account_list *l = accounts(&cfg);
    assert_int_equal(scb_account_list_count(l), 1);
    const struct scb_account *a = scb_account_list_find_ssid(l, 5);
    assert_non_null(a);
    assert_null(scb_account_list_find_ssid(l, 6));
    assert_int_equal(scb_account_server_iid(a, &iid), SCB_E_NOT_FOUND);
    assert_null(scb_account_server(a));
    assert_null(scb_account_binding(a));
    assert_int_equal(scb_account_lifetime(a, &v), SCB_E_NOT_FOUND);
    assert_int_equal(scb_account_bootstrap_on_failure(a, &b), SCB_E_NOT_FOUND);
    assert_string_equal(scb_account_uri(a), "coaps://s5.example");
    scb_account_list_free(&l);
    scb_config_free(&cfg);
}

/* Hold-off, Bootstrap-Server timeout, /1/x/16, the OSCORE link; malformed values are errors. */
static void test_more_fields(void **state)
{
    (void)state;
    struct scb_config cfg;
    int64_t v;
    int b = -1, mode;
    const uint8_t *p;
    size_t n;
    from_json(CFG(SEC(1, 1, ",\"11\":30,\"4\":{\"hex\":\"A0A1\"},\"17\":\"21:3\"")
                      ",\"9\":{\"resources\":{\"0\":\"coap://bs\",\"1\":true,\"2\":3,"
                      "\"10\":1,\"12\":600}}",
                  SRV(1, 1, ",\"16\":true"),
                  ",\"21\":{\"instances\":{\"3\":{\"resources\":{\"0\":{\"hex\":\"0102\"},"
                  "\"1\":{\"hex\":\"01\"},\"2\":{\"hex\":\"02\"}}}}}"),
              &cfg);
    struct scb_account_list *l = accounts(&cfg);
    const struct scb_account *a = scb_account_list_find_ssid(l, 1);
    const struct scb_account *bs = scb_account_list_bootstrap(l);
    assert_non_null(bs);
    assert_int_equal(scb_account_ssid(bs), 0); /* its /0/x/10 is ignored */
    assert_int_equal(scb_account_bootstrap_timeout(bs, &v), 0);
    assert_int_equal(v, 600);
    assert_int_equal(scb_account_hold_off(a, &v), 0);
    assert_int_equal(v, 30);
    assert_int_equal(scb_account_bootstrap_on_failure(a, &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(scb_account_server_public_key(a, &p, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[1], 0xA1);
    assert_non_null(scb_account_oscore(a));
    assert_int_equal(scb_account_oscore(a)->id, 3);
    scb_account_list_free(&l);

    /* a URI holding a NUL byte, a Multiple Resource Security Mode: no string, SCB_E_PARSE */
    struct scb_instance *in =
        scb_object_instance_mut(scb_config_object_mut(&cfg, SCB_OBJ_SECURITY), 1);
    struct scb_resource *r;
    scb_instance_remove_resource(in, SCB_RES_SEC_URI);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SEC_URI, &r), 0);
    assert_int_equal(scb_resource_add_value(r, 0, (const uint8_t *)"coap://a\0b", 10), 0);
    scb_instance_remove_resource(in, SCB_RES_SEC_MODE);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SEC_MODE, &r), 0);
    r->multiple = 1;
    assert_int_equal(scb_resource_add_value(r, 0, (const uint8_t *)"\0", 1), 0);
    scb_instance_remove_resource(in, SCB_RES_SEC_SECRET_KEY);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SEC_SECRET_KEY, &r), 0);
    r->multiple = 1;
    l = accounts(&cfg);
    a = scb_account_list_find_ssid(l, 1);
    assert_null(scb_account_uri(a));
    assert_int_equal(scb_account_security_mode(a, &mode), SCB_E_PARSE);
    assert_int_equal(scb_account_secret_key(a, &p, &n), SCB_E_PARSE);
    scb_account_list_free(&l);
    scb_config_free(&cfg);

    /* no objects at all: an empty list */
    scb_config_init(&cfg);
    l = accounts(&cfg);
    assert_int_equal(scb_account_list_count(l), 0);
    assert_null(scb_account_list_bootstrap(l));
    scb_account_list_free(&l);
}

/* ---- the diff ------------------------------------------------------------------------------ */

struct seen {
    size_t n;
    struct {
        enum scb_account_event e;
        int bs;
        uint16_t ssid;
        unsigned mask;
    } v[8];
    int stop_after;
};

static int collect(void *ctx, const struct scb_account_change *ch)
{
    struct seen *s = ctx;
    assert_true(s->n < 8);
    s->v[s->n].e = ch->event;
    s->v[s->n].bs = ch->bootstrap;
    s->v[s->n].ssid = ch->ssid;
    s->v[s->n].mask = ch->changed;
    s->n++;
    assert_true(ch->event == SCB_ACCOUNT_ADDED ? ch->before == NULL : ch->before != NULL);
    assert_true(ch->event == SCB_ACCOUNT_REMOVED ? ch->after == NULL : ch->after != NULL);
    return s->stop_after && (int)s->n == s->stop_after ? 7 : 0;
}

static void diff(const char *a, const char *b, struct seen *s)
{
    struct scb_config ca, cb;
    from_json(a, &ca);
    from_json(b, &cb);
    memset(s, 0, sizeof(*s));
    assert_int_equal(scb_account_diff(&ca, &cb, collect, s), 0);
    scb_config_free(&ca);
    scb_config_free(&cb);
}

static void expect(const struct seen *s, size_t k, enum scb_account_event e, int bs,
                   uint16_t ssid, unsigned mask)
{
    assert_true(k < s->n);
    assert_int_equal(s->v[k].e, e);
    assert_int_equal(s->v[k].bs, bs);
    assert_int_equal(s->v[k].ssid, ssid);
    assert_int_equal(s->v[k].mask, mask);
}

#define ONE CFG(SEC(1, 1, ""), SRV(1, 1, ""), "")
#define TWO CFG(SEC(1, 1, "") "," SEC(2, 2, ""), SRV(1, 1, "") "," SRV(2, 2, ""), "")

static void test_diff_added_removed(void **state)
{
    (void)state;
    struct seen s;
    diff(ONE, TWO, &s);
    assert_int_equal(s.n, 1);
    expect(&s, 0, SCB_ACCOUNT_ADDED, 0, 2, 0);
    diff(TWO, ONE, &s);
    assert_int_equal(s.n, 1);
    expect(&s, 0, SCB_ACCOUNT_REMOVED, 0, 2, 0);
    diff("{\"objects\":{}}", TWO, &s); /* from nothing: every account added, in key order */
    assert_int_equal(s.n, 2);
    expect(&s, 0, SCB_ACCOUNT_ADDED, 0, 1, 0);
    expect(&s, 1, SCB_ACCOUNT_ADDED, 0, 2, 0);
    diff(ONE, ONE, &s);
    assert_int_equal(s.n, 0);
}

/* /0/1 and /1/1 of ONE with other values */
#define SEC1(uri, mode, id, key)                                                                \
    "\"1\":{\"resources\":{\"0\":\"" uri "\",\"1\":false,\"2\":" mode ",\"3\":\"" id "\","            \
    "\"5\":{\"hex\":\"" key "\"},\"10\":1}}"
#define SRV1(lifetime, binding) \
    "\"1\":{\"resources\":{\"0\":1,\"1\":" lifetime ",\"6\":false,\"7\":\"" binding "\"}}"

/* Each kind of change from ONE: exactly one CHANGED report with this mask. */
static const struct {
    const char *after;
    unsigned mask;
} changes[] = {
    {CFG(SEC1("coaps://other.example", "0", "id1", "00112233"), SRV1("300", "U"), ""),
     SCB_ACCOUNT_CHANGED_URI},
    {CFG(SEC1("coaps://s1.example", "0", "id1", "00112234"), SRV1("300", "U"), ""),
     SCB_ACCOUNT_CHANGED_CREDENTIALS},
    {CFG(SEC1("coaps://s1.example", "1", "id2", "00112233"), SRV1("300", "U"), ""),
     SCB_ACCOUNT_CHANGED_MODE | SCB_ACCOUNT_CHANGED_CREDENTIALS},
    {CFG(SEC(1, 1, ""), SRV1("301", "U"), ""), SCB_ACCOUNT_CHANGED_LIFETIME},
    {CFG(SEC(1, 1, ""), SRV1("300", "UQ"), ""), SCB_ACCOUNT_CHANGED_BINDING},
    {CFG(SEC(1, 1, ",\"14\":\"sni.example\""), SRV(1, 1, ",\"2\":5"), ""),
     SCB_ACCOUNT_CHANGED_TLS | SCB_ACCOUNT_CHANGED_OTHER},
    /* the Server instance goes: everything it held */
    {CFG(SEC(1, 1, ""), "", ""),
     SCB_ACCOUNT_CHANGED_LIFETIME | SCB_ACCOUNT_CHANGED_BINDING | SCB_ACCOUNT_CHANGED_OTHER},
};

static void test_diff_each_change(void **state)
{
    (void)state;
    struct seen s;
    for (size_t k = 0; k < sizeof(changes) / sizeof(changes[0]); k++) {
        diff(ONE, changes[k].after, &s);
        assert_int_equal(s.n, 1);
        expect(&s, 0, SCB_ACCOUNT_CHANGED, 0, 1, changes[k].mask);
        /* a session survives a new lifetime or binding, not new keys or another URI */
        assert_int_equal(!!(s.v[0].mask & SCB_ACCOUNT_CHANGED_SESSION),
                         !!(changes[k].mask & ~(SCB_ACCOUNT_CHANGED_LIFETIME |
                                                SCB_ACCOUNT_CHANGED_BINDING |
                                                SCB_ACCOUNT_CHANGED_OTHER)));
    }
}

/* Renumbered instances, reordered resources and wider integers are no change. */
static void test_diff_unchanged_reordering(void **state)
{
    (void)state;
    struct seen s;
    struct scb_config a, b;
    struct scb_resource *r;
    static const uint8_t wide[4] = {0, 0, 1, 44}; /* 300 in 4 bytes */
    diff(TWO,
         CFG(SEC(7, 2, "") "," SEC(4, 1, ""), SRV(9, 1, "") "," SRV(3, 2, ""), ""),
         &s);
    assert_int_equal(s.n, 0);
    /* resources in another order, the lifetime 4 bytes wide instead of 2 */
    from_json(ONE, &a);
    from_json("{\"objects\":{\"1\":{\"instances\":{\"5\":{\"resources\":{\"7\":\"U\",\"6\":false,"
              "\"1\":300,\"0\":1}}}},\"0\":{\"instances\":{\"3\":{\"resources\":{\"10\":1,"
              "\"5\":{\"hex\":\"00112233\"},\"3\":\"id1\",\"2\":0,\"1\":false,"
              "\"0\":\"coaps://s1.example\"}}}}}}",
              &b);
    struct scb_instance *in = scb_object_instance_mut(scb_config_object_mut(&b, SCB_OBJ_SERVER), 5);
    scb_instance_remove_resource(in, SCB_RES_SRV_LIFETIME);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SRV_LIFETIME, &r), 0);
    assert_int_equal(scb_resource_add_value(r, 0, wide, sizeof(wide)), 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(scb_account_diff(&a, &b, collect, &s), 0);
    assert_int_equal(s.n, 0);
    scb_config_free(&a);
    scb_config_free(&b);
}

static void test_diff_bootstrap_key(void **state)
{
    (void)state;
    struct seen s;
    /* the Bootstrap-Server account is its own key, reported first */
    diff(ONE, CFG(SEC(1, 1, "") "," BS, SRV1("60", "U"), ""), &s);
    assert_int_equal(s.n, 2);
    expect(&s, 0, SCB_ACCOUNT_ADDED, 1, 0, 0);
    expect(&s, 1, SCB_ACCOUNT_CHANGED, 0, 1, SCB_ACCOUNT_CHANGED_LIFETIME);
    diff(CFG(BS, "", ""),
         CFG("\"2\":{\"resources\":{\"0\":\"coap://bs2.example\",\"1\":true,\"2\":3}}", "", ""),
         &s);
    assert_int_equal(s.n, 1);
    expect(&s, 0, SCB_ACCOUNT_CHANGED, 1, 0, SCB_ACCOUNT_CHANGED_URI);
    /* an account that becomes the Bootstrap-Server account changes key */
    diff(ONE,
         CFG("\"1\":{\"resources\":{\"0\":\"coaps://s1.example\",\"1\":true,\"2\":0,"
             "\"3\":\"id1\",\"5\":{\"hex\":\"00112233\"}}}",
             SRV1("300", "U"), ""),
         &s);
    assert_int_equal(s.n, 2);
    expect(&s, 0, SCB_ACCOUNT_ADDED, 1, 0, 0);
    expect(&s, 1, SCB_ACCOUNT_REMOVED, 0, 1, 0);
}

/* The OSCORE context an account links to is part of its credentials. */
static void test_diff_oscore(void **state)
{
    (void)state;
    struct seen s;
#define OSC(secret) \
    ",\"21\":{\"instances\":{\"3\":{\"resources\":{\"0\":{\"hex\":\"" secret "\"},\"1\":{\"hex\":\"01\"}," \
    "\"2\":{\"hex\":\"02\"}}}}}"
    diff(CFG(SEC(1, 1, ",\"17\":\"21:3\""), SRV(1, 1, ""), OSC("0102")),
         CFG(SEC(1, 1, ",\"17\":\"21:3\""), SRV(1, 1, ""), OSC("0103")), &s);
    assert_int_equal(s.n, 1);
    expect(&s, 0, SCB_ACCOUNT_CHANGED, 0, 1, SCB_ACCOUNT_CHANGED_CREDENTIALS);
    diff(CFG(SEC(1, 1, ",\"17\":\"21:3\""), SRV(1, 1, ""), OSC("0102")),
         CFG(SEC(1, 1, ",\"17\":\"21:3\""), SRV(1, 1, ""), OSC("0102")), &s);
    assert_int_equal(s.n, 0);
#undef OSC
}

/* A configuration the validator refuses (a key twice, no SSID) is diffed without harm; the
 * callback can stop the walk. */
static void test_diff_invalid_and_stop(void **state)
{
    (void)state;
    struct seen s;
    struct scb_config a, b;
    diff(CFG(SEC(1, 1, "") "," SEC(2, 1, "") ","
             "\"3\":{\"resources\":{\"0\":\"coaps://s3.example\",\"1\":false,\"2\":0}}",
             SRV(1, 1, ""), ""),
         CFG(SEC(1, 1, ""), SRV(1, 1, ""), ""), &s);
    assert_int_equal(s.n, 2);
    expect(&s, 0, SCB_ACCOUNT_REMOVED, 0, 0, 0); /* /0/3: no SSID */
    expect(&s, 1, SCB_ACCOUNT_REMOVED, 0, 1, 0); /* /0/2, the second SSID 1 */
    from_json("{\"objects\":{}}", &a);
    from_json(TWO, &b);
    memset(&s, 0, sizeof(s));
    s.stop_after = 1;
    assert_int_equal(scb_account_diff(&a, &b, collect, &s), 7);
    assert_int_equal(s.n, 1);
    assert_string_equal(scb_account_event_name(SCB_ACCOUNT_CHANGED), "changed");
    assert_string_equal(scb_account_event_name((enum scb_account_event)0), "?");
    scb_config_free(&a);
    scb_config_free(&b);
}

/* ---- any decodable configuration ----------------------------------------------------------- */

static int count_changes(void *ctx, const struct scb_account_change *ch)
{
    size_t *n = ctx;
    assert_true(ch->before != NULL || ch->after != NULL);
    (*n)++;
    return 0;
}

/* Every accessor on every account: no crash, and strings that are strings. */
static void read_all(const struct scb_account_list *l)
{
    for (size_t k = 0; k < scb_account_list_count(l); k++) {
        const struct scb_account *a = scb_account_list_at(l, k);
        const uint8_t *p;
        size_t n;
        int64_t v;
        int i;
        uint16_t id;
        const char *u = scb_account_uri(a), *b = scb_account_binding(a);
        assert_true(u == NULL || strlen(u) < 65536);
        assert_true(b == NULL || strlen(b) < 65536);
        scb_account_security_mode(a, &i);
        scb_account_identity(a, &p, &n);
        scb_account_server_public_key(a, &p, &n);
        scb_account_secret_key(a, &p, &n);
        scb_account_hold_off(a, &v);
        scb_account_bootstrap_timeout(a, &v);
        scb_account_lifetime(a, &v);
        scb_account_bootstrap_on_failure(a, &i);
        scb_account_server_iid(a, &id);
        scb_account_oscore(a);
        assert_int_equal(scb_account_compare(a, a), 0);
        if (scb_account_is_bootstrap(a)) {
            assert_int_equal(scb_account_ssid(a), 0);
        }
    }
}

/* The configurations of the bootstrap-file and store fuzz corpora (hostile, most of them
 * refused by the validator): listing and diffing never fails on one the decoders accept; a
 * configuration against itself has no change, against nothing one per account. */
static void test_corpus_configurations(void **state)
{
    (void)state;
    static const char *dirs[] = {"fuzz/corpus/bsfile", "fuzz/corpus/store"};
    struct scb_config prev, empty;
    size_t seen = 0;
    scb_config_init(&prev);
    scb_config_init(&empty);
    for (size_t d = 0; d < 2; d++) {
        DIR *dp = opendir(dirs[d]);
        struct dirent *de;
        assert_non_null(dp);
        while ((de = readdir(dp)) != NULL) {
            char path[512];
            uint8_t *data;
            size_t len, n = 0;
            struct scb_config cfg;
            struct scb_committed cm;
            struct scb_decode_error derr;
            char err[SCB_ERR_MAX];
            int ok;
            if (de->d_name[0] == '.') {
                continue;
            }
            snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
            if (scb_util_read_file(path, 1u << 22, &data, &len) != 0) {
                continue;
            }
            scb_config_init(&cfg);
            if (d == 0) {
                ok = scb_bsfile_decode(data, len, &cfg, &derr) == 0;
            } else {
                ok = scb_store_parse(data, len, &cm, err, sizeof(err)) == 0;
                if (ok) {
                    cfg = cm.cfg;
                    scb_config_init(&cm.cfg);
                    scb_committed_free(&cm);
                }
            }
            free(data);
            if (!ok) {
                scb_config_free(&cfg);
                continue;
            }
            struct scb_account_list *l = accounts(&cfg);
            read_all(l);
            assert_int_equal(scb_account_diff(&cfg, &cfg, count_changes, &n), 0);
            assert_int_equal(n, 0);
            assert_int_equal(scb_account_diff(&empty, &cfg, count_changes, &n), 0);
            assert_int_equal(n, scb_account_list_count(l));
            assert_int_equal(scb_account_diff(&prev, &cfg, count_changes, &n), 0);
            scb_account_list_free(&l);
            scb_config_free(&prev);
            prev = cfg;
            seen++;
        }
        closedir(dp);
    }
    scb_config_free(&prev);
    assert_true(seen > 50);
}

/* ---- the store's commit observer ----------------------------------------------------------- */

struct obs {
    int calls;
    uint64_t before_gen, after_gen;
    unsigned provenances;
    struct seen changes;
};

static void observer(void *ctx, const struct scb_commit_event *ev)
{
    struct obs *o = ctx;
    o->calls++;
    o->before_gen = ev->before->generation;
    o->after_gen = ev->after->generation;
    o->provenances = ev->provenances;
    memset(&o->changes, 0, sizeof(o->changes));
    assert_int_equal(scb_account_diff(&ev->before->cfg, &ev->after->cfg, collect, &o->changes), 0);
}

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/scb-account-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int fail_at;
static int fail_hook(void *ctx, enum scb_commit_step step)
{
    (void)ctx;
    return (int)step == fail_at ? -1 : 0;
}

/* A locked store in dir with the observer set on o (zeroed). */
static struct scb_store *observed_store(struct obs *o)
{
    struct scb_store *st = NULL;
    char err[SCB_ERR_MAX];
    memset(o, 0, sizeof(*o));
    assert_int_equal(scb_store_open(dir, 0, &st, err, sizeof(err)), 0);
    assert_int_equal(scb_store_set_observer(st, observer, o), 0);
    return st;
}

/* A state to commit: the instances of a bootstrap image, all of provenance p. */
static void committed_image(struct scb_committed *c, const char *path, enum scb_source p)
{
    struct scb_config cfg;
    scb_committed_init(c);
    load_image(path, &cfg);
    assert_int_equal(scb_committed_merge(c, &cfg, p), 0);
    scb_config_free(&cfg);
}

static void test_observer_card_then_network(void **state)
{
    (void)state;
    struct scb_committed c, prev;
    struct obs o;
    char err[SCB_ERR_MAX];
    struct scb_store *st = observed_store(&o);

    /* a card commit, as the bootstrap sequence makes it: the card's instances merged in */
    committed_image(&c, "data/anjay_ef126.bin", SCB_SRC_CARD);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), 0);
    scb_committed_free(&c);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.before_gen, 0);
    assert_int_equal(o.after_gen, 1);
    assert_int_equal(o.provenances, 1u << SCB_SRC_CARD);
    assert_int_equal(o.changes.n, 1);
    expect(&o.changes, 0, SCB_ACCOUNT_ADDED, 0, 1, 0);

    /* a network commit, as Bootstrap-Finish makes it (bootstrap/coap.c): the whole
     * configuration replaced; here the card's /0/1 as it was, /1/1 with another lifetime and
     * a new account /0/2 + /1/2 */
    struct scb_committed t;
    struct scb_config extra;
    struct scb_resource *r;
    uint8_t num[8];
    assert_int_equal(scb_store_load(st, &prev, err, sizeof(err)), 0);
    scb_committed_init(&t);
    scb_config_free(&t.cfg);
    assert_int_equal(scb_config_copy(&t.cfg, &prev.cfg), 0);
    struct scb_instance *in =
        scb_object_instance_mut(scb_config_object_mut(&t.cfg, SCB_OBJ_SERVER), 1);
    scb_instance_remove_resource(in, SCB_RES_SRV_LIFETIME);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SRV_LIFETIME, &r), 0);
    assert_int_equal(scb_resource_add_value(r, 0, num, scb_model_encode_int(3600, num)), 0);
    from_json(CFG(SEC(2, 2, ""), SRV(2, 2, ""), ""), &extra);
    assert_int_equal(scb_committed_merge(&t, &extra, SCB_SRC_NETWORK), 0);
    scb_config_free(&extra);
    assert_int_equal(scb_committed_replace(&c, &prev, &t.cfg, SCB_SRC_NETWORK), 0);
    scb_committed_free(&t);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), 0);
    assert_int_equal(o.calls, 2);
    assert_int_equal(o.before_gen, 1);
    assert_int_equal(o.after_gen, 2);
    assert_int_equal(o.provenances, 1u << SCB_SRC_NETWORK); /* /0/1 kept its card provenance */
    assert_int_equal(o.changes.n, 2);
    expect(&o.changes, 0, SCB_ACCOUNT_CHANGED, 0, 1, SCB_ACCOUNT_CHANGED_LIFETIME);
    expect(&o.changes, 1, SCB_ACCOUNT_ADDED, 0, 2, 0);

    /* the card goes (R4): its /0/1 removed, and with it the account of SSID 1 */
    scb_committed_drop(&c, SCB_SRC_CARD);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), 0);
    assert_int_equal(o.calls, 3);
    assert_int_equal(o.provenances, 1u << SCB_SRC_CARD);
    assert_int_equal(o.changes.n, 1);
    expect(&o.changes, 0, SCB_ACCOUNT_REMOVED, 0, 1, 0);

    /* a commit that changes nothing is still a commit: one call, no change */
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), 0);
    assert_int_equal(o.calls, 4);
    assert_int_equal(o.provenances, 0);
    assert_int_equal(o.changes.n, 0);

    /* no observer: no call */
    assert_int_equal(scb_store_set_observer(st, NULL, &o), 0);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), 0);
    assert_int_equal(o.calls, 4);
    scb_committed_free(&c);
    scb_committed_free(&prev);
    scb_store_free(&st);
}

/* A commit that fails at any step, even after the rename, is never observed. */
static void test_observer_not_called_on_failure(void **state)
{
    (void)state;
    struct scb_store *ro = NULL;
    struct scb_committed c;
    struct obs o;
    char err[SCB_ERR_MAX];
    struct scb_store *st = observed_store(&o);
    committed_image(&c, "data/anjay_ef126.bin", SCB_SRC_FACTORY);
    scb_store_set_hook(st, fail_hook, NULL);
    for (fail_at = SCB_STEP_WRITE; fail_at <= SCB_STEP_DONE; fail_at++) {
        assert_true(scb_store_commit(st, &c, NULL, 0) < 0);
        assert_int_equal(o.calls, 0);
    }
    /* the failures after the rename left the new file: the next commit still reports the
     * change against what the observer was last told (nothing) */
    fail_at = -1;
    char cerr[SCB_ERR_MAX] = "not written";
    assert_int_equal(scb_store_commit(st, &c, cerr, sizeof(cerr)), 0);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.before_gen, 0);
    assert_int_equal(o.provenances, 1u << SCB_SRC_FACTORY);
    assert_int_equal(o.changes.n, 1);
    expect(&o.changes, 0, SCB_ACCOUNT_ADDED, 0, 1, 0);
    assert_string_equal(cerr, ""); /* the observer's troubles are not the commit's */
    /* a read-only handle never commits, so never notifies */
    assert_int_equal(scb_store_open_readonly(dir, &ro, err, sizeof(err)), 0);
    assert_int_equal(scb_store_set_observer(ro, observer, &o), 0);
    assert_int_equal(scb_store_commit(ro, &c, NULL, 0), SCB_E_LOCKED);
    assert_int_equal(o.calls, 1);
    scb_store_free(&ro);
    scb_committed_free(&c);
    scb_store_free(&st);
}

/* A damaged store file is replaced by a commit: the observer sees an empty "before". */
static void test_observer_damaged_before(void **state)
{
    (void)state;
    struct scb_committed c;
    struct obs o;
    char path[128];
    struct scb_store *st = observed_store(&o);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{not json", f);
    assert_int_equal(fclose(f), 0);
    committed_image(&c, "data/nrf_ef58.bin", SCB_SRC_FACTORY);
    char cerr[SCB_ERR_MAX] = "not written";
    assert_int_equal(scb_store_commit(st, &c, cerr, sizeof(cerr)), 0);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.before_gen, 0);
    assert_int_equal(o.changes.n, 1);
    expect(&o.changes, 0, SCB_ACCOUNT_ADDED, 1, 0, 0);
    assert_string_equal(cerr, ""); /* a damaged old file is no failure of this commit */
    scb_committed_free(&c);
    scb_store_free(&st);
}

/* The bootstrap sequence's commits reach the observer: the standard card, then the factory
 * file when the card is gone. */
static void test_observer_bootstrap_sequence(void **state)
{
    (void)state;
    struct card_rig r;
    struct scb_run_result res;
    struct obs o;
    enum scb_bootstrap_outcome out;
    struct scb_store *st = observed_store(&o);
    card_rig_start(&r, "data/standard.json", st, "data/multi_server_acl.json");
    assert_int_equal(scb_bootstrap_run(r.b, &res, NULL, 0), 0);
    assert_int_equal(res.card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.provenances, 1u << SCB_SRC_CARD);
    assert_int_equal(o.changes.n, 1);
    expect(&o.changes, 0, SCB_ACCOUNT_ADDED, 1, 0, 0); /* the card's Bootstrap-Server */

    scb_emu_remove(r.e);
    assert_int_equal(scb_bootstrap_check_card(r.b, &out, NULL, 0), 0);
    assert_int_equal(out, SCB_BOOTSTRAP_CARD_REMOVED);
    assert_true(o.calls >= 2);
    assert_true(o.provenances & (1u << SCB_SRC_CARD));
    card_rig_stop(&r);
    scb_store_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_card_bootstrap_account),
        cmocka_unit_test(test_psk_account),
        cmocka_unit_test(test_multi_server),
        cmocka_unit_test(test_missing_server_instance),
        cmocka_unit_test(test_more_fields),
        cmocka_unit_test(test_diff_added_removed),
        cmocka_unit_test(test_diff_each_change),
        cmocka_unit_test(test_diff_unchanged_reordering),
        cmocka_unit_test(test_diff_bootstrap_key),
        cmocka_unit_test(test_diff_oscore),
        cmocka_unit_test(test_diff_invalid_and_stop),
        cmocka_unit_test(test_corpus_configurations),
        cmocka_unit_test_setup_teardown(test_observer_card_then_network, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observer_not_called_on_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observer_damaged_before, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observer_bootstrap_sequence, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_validate.c: one case per RULES.md rule (container rules are in test_codec.c): a minimal
 * configuration that violates exactly that rule and nothing else, and its valid twin; the
 * change request's example; the report order; the client profile from JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../data/test_keys.h"
#include "scboot/json.h"
#include "scboot/validate.h"

/* A valid single-server configuration, NoSec; %s slots add to /0, /1 and the objects. */
#define SEC1 "\"1\":{\"resources\":{\"0\":\"coap://s.example:5683\",\"1\":false,\"2\":3,\"10\":1%s}}"
#define SRV0 "\"0\":{\"resources\":{\"0\":1,\"1\":86400,\"6\":false,\"7\":\"U\"%s}}"

enum prof { DEF = 0, NOACL = 1, OPEN = 2 }; /* OPEN: no ACL object, unlimited servers */

struct rule_case {
    const char *rule;
    enum prof prof;
    enum scb_source src;
    const char *sec_extra, *srv_extra, *more_sec, *more_srv, *objects; /* bad */
    const char *g_sec_extra, *g_srv_extra, *g_more_sec, *g_more_srv, *g_objects; /* good */
};

#define SEC2 ",\"2\":{\"resources\":{\"0\":\"coap://t.example\",\"1\":false,\"2\":3,\"10\":2}}"
#define SRV5 ",\"5\":{\"resources\":{\"0\":2,\"1\":60,\"6\":false,\"7\":\"U\"}}"
#define BS0 ",\"0\":{\"resources\":{\"0\":\"coap://bs.example\",\"1\":true,\"2\":3}}"

static const struct rule_case cases[] = {
    {"bs-account-multiple", DEF, SCB_SRC_CARD, "", "",
     BS0 ",\"9\":{\"resources\":{\"0\":\"coap://bs2.example\",\"1\":true,\"2\":3}}", "", "",
     "", "", BS0, "", ""},
    {"server-account-missing", DEF, SCB_SRC_NETWORK, NULL, NULL, NULL, NULL, NULL, "", "", "",
     "", ""},
    {"server-without-security", OPEN, SCB_SRC_CARD, "", "", "", SRV5, "", "", "", SEC2, SRV5,
     ""},
    {"security-without-server", OPEN, SCB_SRC_CARD, "", "", SEC2, "", "", "", "", SEC2, SRV5,
     ""},
    {"ssid-duplicate", OPEN, SCB_SRC_CARD, "", "", "",
     ",\"5\":{\"resources\":{\"0\":1,\"1\":60,\"6\":false,\"7\":\"U\"}}", "", "", "", "", "", ""},
    {"acl-missing", DEF, SCB_SRC_CARD, "", "", SEC2, SRV5, "", "", "", SEC2, SRV5,
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"2\":{\"1\":31,\"2\":1},"
     "\"3\":1}}}}"},
    {"multi-server-unsupported", NOACL, SCB_SRC_CARD, "", "", SEC2, SRV5, "", "", "", "", "",
     ""},
    {"acl-unsupported", NOACL, SCB_SRC_CARD, "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"3\":1}}}}", "", "", "", "",
     ""},
    {"resource-missing", DEF, SCB_SRC_CARD, "", "", "", "", "", "", "", "", "", ""},
    {"uri-invalid", DEF, SCB_SRC_CARD, ",\"0\":\"not a uri\"", "", "", "", "", "", "", "", "",
     ""},
    {"uri-scheme-mode-mismatch", DEF, SCB_SRC_CARD, ",\"0\":\"coaps://s.example\"", "", "", "",
     "", "", "", "", "", ""},
    {"security-mode-invalid", DEF, SCB_SRC_CARD, ",\"2\":7", "", "", "", "", "", "", "", "", ""},
    {"credentials-missing", DEF, SCB_SRC_CARD, ",\"0\":\"coaps://s.example\",\"2\":0,\"3\":\"id\"",
     "", "", "", "", ",\"0\":\"coaps://s.example\",\"2\":0,\"3\":\"id\",\"5\":{\"hex\":\"00112233\"}",
     "", "", "", ""},
    {"credentials-unexpected", DEF, SCB_SRC_CARD, ",\"3\":\"id\"", "", "", "", "", "", "", "", "",
     ""},
    {"psk-identity-invalid", DEF, SCB_SRC_CARD,
     ",\"0\":\"coaps://s.example\",\"2\":0,\"3\":{\"hex\":\"FF\"},\"5\":{\"hex\":\"0011\"}", "", "",
     "", "", ",\"0\":\"coaps://s.example\",\"2\":0,\"3\":\"id\",\"5\":{\"hex\":\"0011\"}", "", "",
     "", ""},
    {"key-format-invalid", DEF, SCB_SRC_CARD,
     ",\"0\":\"coaps://s.example\",\"2\":1,\"3\":{\"hex\":\"3000\"},\"4\":{\"hex\":\"3000\"},"
     "\"5\":{\"hex\":\"3000\"}",
     "", "", "", "",
     ",\"0\":\"coaps://s.example\",\"2\":1,\"3\":{\"hex\":\"" TEST_PUBKEY_HEX "\"},\"4\":{\"hex\":\"" TEST_PUBKEY_HEX
     "\"},\"5\":{\"hex\":\"" TEST_PRIVKEY_HEX "\"}",
     "", "", "", ""},
    {"ssid-out-of-range", DEF, SCB_SRC_CARD, ",\"10\":65535", ",\"0\":65535", "", "", "", "", "",
     "", "", ""},
    {"matching-type-invalid", DEF, SCB_SRC_CARD, ",\"13\":7", "", "", "", "", ",\"13\":1", "", "",
     "", ""},
    {"certificate-usage-invalid", DEF, SCB_SRC_CARD, ",\"15\":9", "", "", "", "", ",\"15\":3", "",
     "", "", ""},
    {"oscore-link-invalid", DEF, SCB_SRC_CARD, ",\"17\":\"21:0\"", "", "", "", "", ",\"17\":\"21:0\"",
     "", "", "",
     ",\"21\":{\"instances\":{\"0\":{\"resources\":{\"0\":{\"hex\":\"0102\"},\"1\":{\"hex\":\"01\"},"
     "\"2\":{\"hex\":\"02\"}}}}}"},
    {"lifetime-invalid", DEF, SCB_SRC_CARD, "", ",\"1\":-5", "", "", "", "", "", "", "", ""},
    {"binding-invalid", DEF, SCB_SRC_CARD, "", ",\"7\":\"UX\"", "", "", "", "", ",\"7\":\"UQS\"", "",
     "", ""},
    {"period-invalid", DEF, SCB_SRC_CARD, "", ",\"2\":10,\"3\":5", "", "", "", "",
     ",\"2\":5,\"3\":10", "", "", ""},
    {"retry-invalid", DEF, SCB_SRC_CARD, "", ",\"17\":0", "", "", "", "", ",\"17\":3", "", "", ""},
    {"acl-target-invalid", DEF, SCB_SRC_CARD, "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":0,\"1\":0,\"3\":1}}}}", "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"3\":1}}}}"},
    {"acl-owner-unknown", DEF, SCB_SRC_CARD, "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"3\":9}}}}", "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"3\":65535}}}}"},
    {"acl-entry-unknown", DEF, SCB_SRC_CARD, "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"2\":{\"9\":1},\"3\":1}}}}", "",
     "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"2\":{\"0\":1},\"3\":1}}}}"},
    {"acl-value-invalid", DEF, SCB_SRC_CARD, "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"2\":{\"1\":64},\"3\":1}}}}",
     "", "", "", "",
     ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"2\":{\"1\":31},\"3\":1}}}}"},
    {"bs-account-ssid", DEF, SCB_SRC_CARD, "", "",
     ",\"0\":{\"resources\":{\"0\":\"coap://bs.example\",\"1\":true,\"2\":3,\"10\":5}}", "", "", "",
     "", BS0, "", ""},
};

/* Build a config: base single server with extras; NULL sec/srv extras = empty config. */
static void build(struct scb_config *cfg, const char *sec_extra, const char *srv_extra,
                  const char *more_sec, const char *more_srv, const char *objects, int drop_bind)
{
    char sec[4096], srv[1024], json[8192], err[256];
    scb_config_init(cfg);
    if (sec_extra == NULL) {
        return;
    }
    snprintf(sec, sizeof(sec), SEC1, sec_extra);
    if (drop_bind) {
        snprintf(srv, sizeof(srv), "\"0\":{\"resources\":{\"0\":1,\"1\":86400,\"6\":false%s}}",
                 srv_extra);
    } else {
        snprintf(srv, sizeof(srv), SRV0, srv_extra);
    }
    snprintf(json, sizeof(json),
             "{\"objects\":{\"0\":{\"instances\":{%s%s}},\"1\":{\"instances\":{%s%s}}%s}}", sec,
             more_sec, srv, more_srv, objects);
    if (scb_config_from_json_text(json, cfg, err, sizeof(err)) != 0) {
        fail_msg("test config: %s\n%s", err, json);
    }
}

static void profile_of(enum prof p, struct scb_profile *out)
{
    if (p == NOACL) {
        scb_profile_no_acl(out);
    } else {
        scb_profile_default(out);
        if (p == OPEN) {
            out->acl_supported = 0;
        }
    }
}

static void test_each_rule(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const struct rule_case *c = &cases[k];
        struct scb_profile p;
        struct scb_config cfg;
        struct scb_report rep = {0};
        int is_missing = strcmp(c->rule, "resource-missing") == 0;

        profile_of(c->prof, &p);
        build(&cfg, c->sec_extra, c->srv_extra, c->more_sec, c->more_srv, c->objects, is_missing);
        assert_int_equal(scb_validate(&cfg, &p, c->src, &rep), 0);
        if (rep.n == 0) {
            fail_msg("%s: not reported", c->rule);
        }
        for (size_t v = 0; v < rep.n; v++) {
            if (strcmp(rep.v[v].rule, c->rule) != 0) {
                fail_msg("%s: also reported %s at %s (%s)", c->rule, rep.v[v].rule,
                         rep.v[v].path, rep.v[v].message);
            }
        }
        scb_report_free(&rep);
        scb_config_free(&cfg);
        /* the valid twin */
        build(&cfg, c->g_sec_extra, c->g_srv_extra, c->g_more_sec, c->g_more_srv, c->g_objects, 0);
        assert_int_equal(scb_validate(&cfg, &p, c->src, &rep), 0);
        if (rep.n != 0) {
            fail_msg("%s twin: %s at %s (%s)", c->rule, rep.v[0].rule, rep.v[0].path,
                     rep.v[0].message);
        }
        scb_report_free(&rep);
        scb_config_free(&cfg);
    }
}

static void test_certificate_mode(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_report rep = {0};
    struct scb_profile p;
    scb_profile_default(&p);
    build(&cfg,
          ",\"0\":\"coaps://s.example\",\"2\":2,\"3\":{\"hex\":\"" TEST_CERT_HEX "\"},\"4\":{\"hex\":\"" TEST_CERT_HEX
          "\"},\"5\":{\"hex\":\"" TEST_PRIVKEY_HEX "\"}",
          "", "", "", "", 0);
    assert_int_equal(scb_validate(&cfg, &p, SCB_SRC_CARD, &rep), 0);
    assert_int_equal(rep.n, 0);
    scb_config_free(&cfg);
    /* a public key where a certificate belongs */
    build(&cfg,
          ",\"0\":\"coaps://s.example\",\"2\":2,\"3\":{\"hex\":\"" TEST_PUBKEY_HEX "\"},\"4\":{\"hex\":\"" TEST_CERT_HEX
          "\"},\"5\":{\"hex\":\"" TEST_PRIVKEY_HEX "\"}",
          "", "", "", "", 0);
    assert_int_equal(scb_validate(&cfg, &p, SCB_SRC_CARD, &rep), 0);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.v[0].rule, "key-format-invalid");
    assert_string_equal(rep.v[0].path, "/0/1/3");
    scb_report_free(&rep);
    scb_config_free(&cfg);
}

/* SPEC.md: the change request's example, multi-server with Access Control. */
static void test_change_request_example(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_report rep = {0};
    struct scb_profile p;
    build(&cfg, "", "", SEC2, SRV5,
          ",\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"2\":{\"1\":31,\"2\":1},"
          "\"3\":1}},\"1\":{\"resources\":{\"0\":3,\"1\":0,\"2\":{\"0\":1},\"3\":65535}}}}",
          0);
    scb_profile_default(&p);
    assert_int_equal(scb_validate(&cfg, &p, SCB_SRC_NETWORK, &rep), 0);
    assert_int_equal(rep.n, 0);
    scb_profile_no_acl(&p);
    assert_int_equal(scb_validate(&cfg, &p, SCB_SRC_NETWORK, &rep), 0);
    assert_true(scb_report_has_errors(&rep));
    assert_int_equal(rep.n, 2); /* stable order: whole-configuration rules first */
    assert_string_equal(rep.v[0].rule, "multi-server-unsupported");
    assert_string_equal(rep.v[1].rule, "acl-unsupported");
    assert_string_equal(rep.v[1].path, "/2");
    scb_report_free(&rep);
    scb_config_free(&cfg);
}

static void test_bs_only_card(void **state)
{
    (void)state;
    /* card data with only a Bootstrap-Server account is consistent; at Finish it is not */
    struct scb_config cfg;
    struct scb_report rep = {0};
    char err[128];
    scb_config_init(&cfg);
    assert_int_equal(scb_config_from_json_text(
                         "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{\"0\":"
                         "\"coap://bs.example\",\"1\":true,\"2\":3}}}}}}",
                         &cfg, err, sizeof(err)),
                     0);
    assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_CARD, &rep), 0);
    assert_int_equal(rep.n, 0);
    assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_FACTORY, &rep), 0);
    assert_int_equal(rep.n, 0);
    assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_NETWORK, &rep), 0);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.v[0].rule, "server-account-missing");
    scb_report_free(&rep);
    scb_config_free(&cfg);
}

static void test_profile_json(void **state)
{
    (void)state;
    struct scb_profile p;
    char err[128];
    assert_int_equal(scb_profile_from_json_text("{\"access_control\":false}", &p, err, sizeof(err)),
                     0);
    assert_false(p.acl_supported);
    assert_int_equal(p.max_servers, 1);
    assert_int_equal(scb_profile_from_json_text(
                         "{\"security_modes\":[0,3],\"max_servers\":4}", &p, err, sizeof(err)),
                     0);
    assert_int_equal(p.security_modes, 0x09);
    assert_int_equal(p.max_servers, 4);
    assert_true(p.acl_supported);
    assert_int_equal(scb_profile_from_json_text("{\"security_modes\":[9]}", &p, err, sizeof(err)),
                     SCB_E_JSON);
    assert_int_equal(scb_profile_from_json_text("[]", &p, err, sizeof(err)), SCB_E_JSON);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_certificate_mode),
        cmocka_unit_test(test_change_request_example),
        cmocka_unit_test(test_bs_only_card),
        cmocka_unit_test(test_profile_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_validate.c: one case per doc/rules.md rule (container rules are in test_codec.c): a minimal
 * configuration that violates exactly that rule and nothing else, and its valid twin; the
 * change request's example; the report order; the client profile from JSON; every resource of
 * the registry table in the wrong shape and with wrong-typed values through every source (card
 * image, factory JSON, network session, the model itself), and the multiple-instance attack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

#include "../data/test_keys.h"
#include "scboot/bsfile.h"
#include "scboot/image.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/bootstrap.h"
#include "scboot/session.h"
#include "scboot/util.h"
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
    {"resource-shape-invalid", DEF, SCB_SRC_CARD, "", ",\"7\":{\"0\":\"U\"}", "", "", "", "",
     ",\"7\":\"U\"", "", "", ""},
    {"tlv-value-invalid", DEF, SCB_SRC_CARD, "", ",\"7\":{\"hex\":\"55FF\"}", "", "", "", "",
     ",\"7\":{\"hex\":\"5551\"}", "", "", ""},
    {"value-out-of-range", DEF, SCB_SRC_CARD, "", ",\"26\":2", "", "", "", "", ",\"26\":1", "",
     "", ""},
    {"resource-unknown", DEF, SCB_SRC_CARD, ",\"99\":5", "", "", "", "", "", "", "", "", ""},
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
    /* a case overrides a base resource by repeating its key ("0": ..., "0": "not a uri");
     * the file loader refuses duplicate keys, so the tree json-c builds (the last one wins)
     * is loaded here */
    json_object *root = json_tokener_parse(json);
    if (root == NULL || scb_config_from_json(root, cfg, err, sizeof(err)) != 0) {
        json_object_put(root);
        fail_msg("test config: %s\n%s", err, json);
    }
    json_object_put(root);
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

/* doc/protocol.md, consistency: the specification's example, multi-server with Access Control. */
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
    char err[SCB_ERR_MAX];
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
    char err[SCB_ERR_MAX];
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
    /* never coerced (json_object_get_int/get_boolean would read each of these as something
     * else: "false" as true, "x" as mode 0, 4.9 as 4, a clamped 2^63 as INT32_MAX) */
    static const char *bad[] = {
        "{\"access_control\":\"false\"}",
        "{\"access_control\":0}",
        "{\"security_modes\":[\"x\"]}",
        "{\"security_modes\":[\"3\"]}",
        "{\"security_modes\":[3.9]}",
        "{\"security_modes\":[true]}",
        "{\"security_modes\":[4294967299]}",
        "{\"max_servers\":-1}",
        "{\"max_servers\":1.5}",
        "{\"max_servers\":\"2\"}",
        "{\"max_servers\":4294967297}",
        "{\"max_servers\":9223372036854775808}",
        "{\"max_servers\":99999999999999999999}",
        "{\"max_servers\":1} {\"max_servers\":5}",
        "{\"max_servers\":1} x",
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        if (scb_profile_from_json_text(bad[k], &p, err, sizeof(err)) != SCB_E_JSON) {
            fail_msg("profile accepted: %s", bad[k]);
        }
    }
    assert_int_equal(scb_profile_from_json_text("{\"max_servers\":65534}\n", &p, err, sizeof(err)),
                     0);
    assert_int_equal(p.max_servers, 65534);
}

/* ---- every resource against the registry table, through every source ------------------------- */

/* A consistent configuration with one instance of each typed object: /0/1, /1/0, /2/0, /21/0. */
static void host(struct scb_config *cfg)
{
    char sec[512], srv[512], json[2048], err[256];
    snprintf(sec, sizeof(sec), SEC1, "");
    snprintf(srv, sizeof(srv), SRV0, "");
    snprintf(json, sizeof(json),
             "{\"objects\":{\"0\":{\"instances\":{%s}},\"1\":{\"instances\":{%s}},"
             "\"2\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":0,\"3\":1}}}},"
             "\"21\":{\"instances\":{\"0\":{\"resources\":{\"0\":{\"hex\":\"0102\"},"
             "\"1\":{\"hex\":\"01\"},\"2\":{\"hex\":\"02\"}}}}}}}",
             sec, srv);
    scb_config_init(cfg);
    if (scb_config_from_json_text(json, cfg, err, sizeof(err)) != 0) {
        fail_msg("host config: %s", err);
    }
}

static uint16_t host_iid(uint16_t oid)
{
    return oid == SCB_OBJ_SECURITY ? 1 : 0;
}

/* Replace /oid/host/rid by one value, as a single resource or a Multiple Resource (RIID 1). */
static void put(struct scb_config *cfg, uint16_t oid, uint16_t rid, int multiple,
                const uint8_t *data, size_t len)
{
    struct scb_instance *in =
        scb_object_instance_mut(scb_config_object_mut(cfg, oid), host_iid(oid));
    struct scb_resource *r;
    assert_non_null(in);
    scb_instance_remove_resource(in, rid);
    assert_int_equal(scb_instance_add_resource(in, rid, &r), 0);
    r->multiple = (uint8_t)multiple;
    assert_int_equal(scb_resource_add_value(r, multiple ? 1 : 0, data, len), 0);
}

/* A value that fits the type. */
static size_t good_value(enum scb_type t, uint8_t *b)
{
    switch (t) {
    case SCB_TYPE_NONE: return 0;
    case SCB_TYPE_STRING: b[0] = 'U'; return 1;
    case SCB_TYPE_OBJLNK: b[0] = 0; b[1] = 21; b[2] = 0; b[3] = 0; return 4;
    case SCB_TYPE_BOOL: b[0] = 0; return 1;
    default: b[0] = 1; return 1;
    }
}

static const struct scb_violation *find_v(const struct scb_report *rep, const char *rule,
                                          const char *path)
{
    for (size_t k = 0; k < rep->n; k++) {
        /* the enum and the string name the same rule on every violation */
        assert_int_equal(rep->v[k].id, scb_rule_from_name(rep->v[k].rule));
        assert_int_not_equal(rep->v[k].id, SCB_RULE_UNKNOWN);
        if (strcmp(rep->v[k].rule, rule) == 0 && strncmp(rep->v[k].path, path, strlen(path)) == 0) {
            return &rep->v[k];
        }
    }
    return NULL;
}

static void expect_v(const struct scb_report *rep, const char *rule, const char *path,
                     const char *what)
{
    const struct scb_violation *v = find_v(rep, rule, path);
    if (v == NULL || v->severity != SCB_SEV_ERROR || !scb_report_has_errors(rep)) {
        fail_msg("%s: no %s error at %s (%zu violations, first %s %s)", what, rule, path, rep->n,
                 rep->n ? rep->v[0].rule : "-", rep->n ? rep->v[0].path : "-");
    }
}

/* The card path: the configuration as an EF LwM2M_Bootstrap image, decoded and validated. */
static int via_card(const struct scb_config *cfg, enum scb_source src, struct scb_report *rep)
{
    struct scb_buf img = {0};
    struct scb_config out;
    assert_int_equal(scb_bsfile_encode(cfg, 0, &img), 0);
    scb_config_init(&out);
    int ret = scb_image_validate(img.data, img.len, NULL, src, &out, rep);
    scb_config_free(&out);
    scb_buf_free(&img);
    return ret;
}

/* The factory path: the JSON shape in a file, loaded by scb_bootstrap_factory_load, then checked.
 * Returns the load's error when the loader refused the file. */
static int via_factory_text(const char *text, struct scb_report *rep)
{
    char path[] = "/tmp/scboot-test-factory.XXXXXX", err[256];
    uint8_t *img = NULL;
    size_t len = 0;
    struct scb_config out;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int ret = scb_bootstrap_factory_load(path, &img, &len, err, sizeof(err));
    unlink(path);
    if (ret < 0) {
        return ret;
    }
    scb_config_init(&out);
    ret = scb_image_validate(img, len, NULL, SCB_SRC_FACTORY, &out, rep);
    scb_config_free(&out);
    free(img);
    return ret;
}

/* The image entry reports what stops the container decoder as a violation of the report and
 * returns SCB_E_DECODE; arguments it cannot work with are refused before anything is read. */
static void test_image_entry_refusals(void **state)
{
    (void)state;
    static uint8_t big[SCB_MAX_FILE_SIZE + 1];
    const uint8_t short_img[] = {0x00, 0x01};
    struct scb_report rep = {0};
    struct scb_config cfg;
    scb_config_init(&cfg);

    assert_int_equal(scb_image_validate(big, sizeof(big), NULL, SCB_SRC_FACTORY, &cfg, &rep),
                     SCB_E_DECODE);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.v[0].rule, "file-too-large");
    assert_int_equal(rep.v[0].id, SCB_RULE_FILE_TOO_LARGE);
    assert_int_equal(scb_image_validate(short_img, sizeof(short_img), NULL, SCB_SRC_CARD, &cfg,
                                        &rep), SCB_E_DECODE);
    assert_int_equal(rep.n, 2);
    assert_string_equal(rep.v[1].rule, "file-truncated");
    assert_int_equal(cfg.n, 0);
    scb_report_free(&rep);

    assert_int_equal(scb_image_validate(NULL, 4, NULL, SCB_SRC_CARD, &cfg, &rep),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_image_validate(big, 4, NULL, SCB_SRC_CARD, NULL, &rep),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_image_validate(big, 4, NULL, SCB_SRC_CARD, &cfg, NULL),
                     SCB_E_INVALID_ARG);
    assert_int_equal(rep.n, 0);
}

static int via_factory(const struct scb_config *cfg, struct scb_report *rep)
{
    json_object *j = scb_config_to_json(cfg, 1);
    int ret = via_factory_text(json_object_to_json_string(j), rep);
    json_object_put(j);
    return ret;
}

/* The network path: each object written as TLV to /oid, then Bootstrap-Finish. Returns the
 * Finish code; *write_code gets the first Write answer that was not 2.04 (else 2.04). */
static int via_network(const struct scb_config *cfg, int *write_code, struct scb_buf *diag)
{
    struct scb_session *s = NULL;
    struct scb_config commit;
    int code = SCB_COAP_CODE_2_04_CHANGED;
    assert_int_equal(scb_session_new(NULL, NULL, &s), 0);
    for (size_t k = 0; k < cfg->n; k++) {
        struct scb_buf tlv = {0};
        char path[16];
        assert_int_equal(scb_tlv_encode_object(&cfg->o[k], &tlv), 0);
        snprintf(path, sizeof(path), "/%u", cfg->o[k].id);
        int c = scb_session_write(s, path, SCB_CF_TLV, tlv.data, tlv.len);
        scb_buf_free(&tlv);
        if (c != SCB_COAP_CODE_2_04_CHANGED && code == SCB_COAP_CODE_2_04_CHANGED) {
            code = c;
        }
    }
    *write_code = code;
    scb_config_init(&commit);
    int fin = scb_session_finish(s, &commit);
    if (diag) {
        assert_int_equal(scb_session_diagnostic(s, diag), 0);
        assert_int_equal(scb_buf_put(diag, "", 1), 0); /* NUL-terminate */
    }
    scb_config_free(&commit);
    scb_session_free(&s);
    return fin;
}

static void test_host_is_consistent(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_report rep = {0};
    int wc;
    host(&cfg);
    assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_CARD, &rep), 0);
    assert_int_equal(rep.n, 0);
    assert_int_equal(via_card(&cfg, SCB_SRC_CARD, &rep), 0);
    assert_int_equal(rep.n, 0);
    assert_int_equal(via_factory(&cfg, &rep), 0);
    assert_int_equal(rep.n, 0);
    assert_int_equal(via_network(&cfg, &wc, NULL), SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(wc, SCB_COAP_CODE_2_04_CHANGED);
    scb_config_free(&cfg);
}

/* Every resource of 0/1/2/21 in the other shape: single ones as a Multiple Resource TLV,
 * multiple ones as a single value. Refused from the model, a card image, a factory JSON file
 * and the network, with resource-shape-invalid at the resource. */
static void test_every_resource_wrong_shape(void **state)
{
    (void)state;
    size_t n;
    const struct scb_objdef_res *defs = scb_objdef_all(&n);
    size_t singles = 0, multiples = 0;
    assert_true(n > 60);
    for (size_t k = 0; k < n; k++) {
        const struct scb_objdef_res *d = &defs[k];
        struct scb_config cfg;
        struct scb_report rep = {0};
        struct scb_buf diag = {0};
        uint8_t val[8];
        char path[32], what[96], line[64];
        int wc;
        size_t len = good_value(d->type, val);

        snprintf(path, sizeof(path), "/%u/%u/%u", d->oid, host_iid(d->oid), d->rid);
        snprintf(what, sizeof(what), "%s %s as %s", path, d->name,
                 d->multiple ? "single" : "multiple");
        host(&cfg);
        put(&cfg, d->oid, d->rid, !d->multiple, val, len);
        d->multiple ? multiples++ : singles++;

        assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_CARD, &rep), 0);
        expect_v(&rep, "resource-shape-invalid", path, what);
        scb_report_free(&rep);

        assert_int_equal(via_card(&cfg, SCB_SRC_CARD, &rep), 0);
        expect_v(&rep, "resource-shape-invalid", path, what);
        scb_report_free(&rep);

        assert_int_equal(via_factory(&cfg, &rep), 0);
        expect_v(&rep, "resource-shape-invalid", path, what);
        scb_report_free(&rep);

        assert_int_equal(via_network(&cfg, &wc, &diag), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
        assert_int_equal(wc, SCB_COAP_CODE_2_04_CHANGED);
        snprintf(line, sizeof(line), "resource-shape-invalid %s\n", path);
        if (strstr((const char *)diag.data, line) == NULL) {
            fail_msg("%s: network diagnostic lacks '%s': %s", what, line, (char *)diag.data);
        }
        scb_buf_free(&diag);
        scb_config_free(&cfg);
    }
    assert_true(singles > 50);
    assert_true(multiples >= 10);
}

struct bad_value {
    enum scb_type type;
    const char *hex;
    const char *why;
};

static const struct bad_value bad_values[] = {
    {SCB_TYPE_INT, "", "empty integer"},
    {SCB_TYPE_INT, "000001", "3-byte integer"},
    {SCB_TYPE_INT, "616263", "string where integer"},
    {SCB_TYPE_INT, "0000000001", "5-byte integer"},
    {SCB_TYPE_UINT, "000001", "3-byte unsigned"},
    {SCB_TYPE_UINT, "313233", "string where unsigned"},
    {SCB_TYPE_TIME, "000001", "3-byte time"},
    {SCB_TYPE_BOOL, "02", "boolean 2"},
    {SCB_TYPE_BOOL, "0001", "2-byte boolean"},
    {SCB_TYPE_BOOL, "", "empty boolean"},
    {SCB_TYPE_OBJLNK, "0015000000", "5-byte objlnk"},
    {SCB_TYPE_OBJLNK, "001500", "3-byte objlnk"},
    {SCB_TYPE_STRING, "610062", "string with NUL"},
    {SCB_TYPE_STRING, "00", "NUL alone"},
    {SCB_TYPE_STRING, "FF", "invalid UTF-8"},
    {SCB_TYPE_STRING, "C0AF", "overlong UTF-8"},
    {SCB_TYPE_STRING, "EDA080", "UTF-8 surrogate"},
    {SCB_TYPE_NONE, "01", "executable with a value"},
};

/* Every typed resource with every wrong value of its type, in its right shape. */
static void test_every_resource_wrong_type(void **state)
{
    (void)state;
    size_t n, ncases = 0;
    const struct scb_objdef_res *defs = scb_objdef_all(&n);
    for (size_t k = 0; k < n; k++) {
        const struct scb_objdef_res *d = &defs[k];
        for (size_t b = 0; b < sizeof(bad_values) / sizeof(bad_values[0]); b++) {
            const struct bad_value *bv = &bad_values[b];
            struct scb_config cfg;
            struct scb_report rep = {0};
            uint8_t val[8];
            size_t len = 0;
            char path[32], what[128];
            int wc, ret;
            if (bv->type != d->type) {
                continue;
            }
            assert_int_equal(scb_util_hex_decode(bv->hex, val, sizeof(val), &len), 0);
            snprintf(path, sizeof(path), "/%u/%u/%u", d->oid, host_iid(d->oid), d->rid);
            snprintf(what, sizeof(what), "%s %s: %s", path, d->name, bv->why);
            host(&cfg);
            put(&cfg, d->oid, d->rid, d->multiple, val, len);
            ncases++;

            /* the model as another decoder (SenML) would build it */
            assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_NETWORK, &rep), 0);
            expect_v(&rep, "tlv-value-invalid", path, what);
            scb_report_free(&rep);

            /* a card image: the TLV decoder refuses it (container rule, malformed) */
            assert_int_equal(via_card(&cfg, SCB_SRC_CARD, &rep), SCB_E_DECODE);
            expect_v(&rep, "tlv-value-invalid", path, what);
            scb_report_free(&rep);

            /* a factory JSON file: the loader refuses it, or its image does not decode */
            ret = via_factory(&cfg, &rep);
            if (ret != SCB_E_JSON) {
                assert_int_equal(ret, SCB_E_DECODE);
                expect_v(&rep, "tlv-value-invalid", path, what);
            }
            scb_report_free(&rep);

            /* the network: the Write is refused (the value never reaches the staging copy) */
            via_network(&cfg, &wc, NULL);
            if (wc != SCB_COAP_CODE_4_00_BAD_REQUEST) {
                fail_msg("%s: network Write answered 0x%02x, not 4.00", what, wc);
            }
            scb_config_free(&cfg);
        }
    }
    assert_true(ncases > 100);
}

/* The multiple-instance attack: URI {0:"http://evil host"}, mode {0:0}, no keys. A rule that
 * looks single values up finds none here; were it to skip, the card would pass as
 * "consistent". The shape check refuses it first. */
static const char attack_hex[] =
    "0002 0040"
    "0000 00 0024 080121"
    "  880013 480010 687474703A2F2F6576696C20686F7374" /* /0/1/0 {0: "http://evil host"} */
    "  C10100"                                         /* /0/1/1 false */
    "  830241 0000"                                    /* /0/1/2 {0: 0} */
    "  C10A01"                                         /* /0/1/10 1 */
    "0001 00 0012 08000F C10001 C401 00015180 C10600 C10755"; /* /1/0: 1, 86400, false, U */

static void test_multiple_instance_attack(void **state)
{
    (void)state;
    uint8_t img[128];
    size_t len = 0;
    struct scb_config cfg;
    struct scb_report rep = {0};
    struct scb_buf diag = {0};
    int wc;

    assert_int_equal(scb_util_hex_decode(attack_hex, img, sizeof(img), &len), 0);
    assert_int_equal(len, 68);
    scb_config_init(&cfg);
    for (int src = SCB_SRC_CARD; src <= SCB_SRC_NETWORK; src++) {
        assert_int_equal(scb_image_validate(img, len, NULL, (enum scb_source)src, &cfg, &rep), 0);
        expect_v(&rep, "resource-shape-invalid", "/0/1/0", "attack: URI");
        expect_v(&rep, "resource-shape-invalid", "/0/1/2", "attack: mode");
        scb_report_free(&rep);
    }

    /* the same from a factory JSON file */
    assert_int_equal(
        via_factory_text("{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{\"0\":{\"0\":"
                         "\"http://evil host\"},\"1\":false,\"2\":{\"0\":0},\"10\":1}}}},"
                         "\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"1\":86400,\"6\":"
                         "false,\"7\":\"U\"}}}}}}",
                         &rep),
        0);
    expect_v(&rep, "resource-shape-invalid", "/0/1/0", "factory attack: URI");
    expect_v(&rep, "resource-shape-invalid", "/0/1/2", "factory attack: mode");
    scb_report_free(&rep);

    /* and from the network: Write 2.04 (a well-formed TLV), Finish 4.06 */
    assert_int_equal(via_network(&cfg, &wc, &diag), SCB_COAP_CODE_4_06_NOT_ACCEPTABLE);
    assert_int_equal(wc, SCB_COAP_CODE_2_04_CHANGED);
    assert_non_null(strstr((const char *)diag.data, "resource-shape-invalid /0/1/0\n"));
    assert_non_null(strstr((const char *)diag.data, "resource-shape-invalid /0/1/2\n"));
    scb_buf_free(&diag);
    scb_config_free(&cfg);
}

/* A rule that needs a single value never skips a multiple one silently, whichever resource a
 * rule reads: the Bootstrap-Server flag, the SSIDs, the binding, the ACL owner ... each one
 * multiple makes the otherwise consistent host configuration inconsistent at that path. */
static void test_rules_never_skip(void **state)
{
    (void)state;
    static const uint16_t read_by_rules[][2] = {
        {0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 10}, {0, 13}, {0, 15}, {0, 17},
        {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 5}, {1, 7}, {1, 17}, {1, 20},
        {2, 0}, {2, 1}, {2, 3},
    };
    for (size_t k = 0; k < sizeof(read_by_rules) / sizeof(read_by_rules[0]); k++) {
        uint16_t oid = read_by_rules[k][0], rid = read_by_rules[k][1];
        const struct scb_objdef_res *d = scb_objdef_resource(oid, rid);
        struct scb_config cfg;
        struct scb_report rep = {0};
        uint8_t val[8];
        char path[32];
        assert_non_null(d);
        assert_false(d->multiple);
        host(&cfg);
        put(&cfg, oid, rid, 1, val, good_value(d->type, val));
        snprintf(path, sizeof(path), "/%u/%u/%u", oid, host_iid(oid), rid);
        for (int src = SCB_SRC_CARD; src <= SCB_SRC_NETWORK; src++) {
            assert_int_equal(scb_validate(&cfg, NULL, (enum scb_source)src, &rep), 0);
            expect_v(&rep, "resource-shape-invalid", path, "rule lookup");
            /* reported once, by the table pass; the rules' lookup does not repeat it */
            size_t times = 0;
            for (size_t v = 0; v < rep.n; v++) {
                times += strcmp(rep.v[v].rule, "resource-shape-invalid") == 0 &&
                         strcmp(rep.v[v].path, path) == 0;
            }
            assert_int_equal(times, 1);
            assert_string_equal(rep.v[0].rule, "resource-shape-invalid"); /* before any rule */
            scb_report_free(&rep);
        }
        /* the model's convenience lookups tell "absent" from "another shape" */
        int64_t iv;
        int bv;
        int got = d->type == SCB_TYPE_BOOL
                      ? scb_config_get_bool(&cfg, oid, host_iid(oid), rid, &bv)
                      : scb_config_get_int(&cfg, oid, host_iid(oid), rid, &iv);
        assert_int_equal(got, SCB_E_PARSE);
        assert_int_equal(scb_config_get_int(&cfg, oid, host_iid(oid), 999, &iv), SCB_E_NOT_FOUND);
        assert_null(scb_instance_value(
            scb_object_instance(scb_config_object(&cfg, oid), host_iid(oid)), rid));
        scb_config_free(&cfg);
    }
}

/* A Binding of "\0" passed (strchr finds the terminator); Bindings judged by bytes. */
static void test_binding_nul(void **state)
{
    (void)state;
    static const char *const bad[] = {"00", "5500", "0055", "5555", "55"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct scb_config cfg;
        struct scb_report rep = {0};
        uint8_t val[4];
        size_t len = 0;
        assert_int_equal(scb_util_hex_decode(bad[k], val, sizeof(val), &len), 0);
        host(&cfg);
        put(&cfg, SCB_OBJ_SERVER, SCB_RES_SRV_BINDING, 0, val, len);
        assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_CARD, &rep), 0);
        if (k < 4) {
            assert_true(scb_report_has_errors(&rep));
            assert_true(find_v(&rep, "tlv-value-invalid", "/1/0/7") != NULL ||
                        find_v(&rep, "binding-invalid", "/1/0/7") != NULL);
        } else {
            assert_int_equal(rep.n, 0); /* "U" */
        }
        scb_report_free(&rep);
        scb_config_free(&cfg);
    }
}

/* Resources the table does not define are kept and reported as a warning, never read as a
 * known one; a resource newer than the object's declared version is flagged the same way;
 * registry ranges no dedicated rule checks are value-out-of-range. */
static void test_unknown_and_ranges(void **state)
{
    (void)state;
    struct scb_config cfg;
    struct scb_report rep = {0};
    struct scb_object *o;
    uint8_t v[64] = {0};

    host(&cfg);
    put(&cfg, SCB_OBJ_SECURITY, 99, 1, v, 3);
    put(&cfg, SCB_OBJ_SERVER, 300, 0, (const uint8_t *)"\0", 1);
    assert_int_equal(via_card(&cfg, SCB_SRC_CARD, &rep), 0);
    assert_false(scb_report_has_errors(&rep));
    assert_int_equal(rep.n, 2);
    assert_string_equal(rep.v[0].rule, "resource-unknown");
    assert_string_equal(rep.v[0].path, "/0/1/99");
    assert_int_equal(rep.v[0].severity, SCB_SEV_WARNING);
    assert_string_equal(rep.v[1].path, "/1/0/300");
    scb_report_free(&rep);
    scb_config_free(&cfg);

    host(&cfg);
    o = scb_config_object_mut(&cfg, SCB_OBJ_SECURITY);
    o->explicit_version = 1;
    o->major = 1;
    o->minor = 0;
    v[0] = 1;
    put(&cfg, SCB_OBJ_SECURITY, SCB_RES_SEC_MATCHING_TYPE, 0, v, 1);
    assert_int_equal(via_card(&cfg, SCB_SRC_CARD, &rep), 0);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.v[0].rule, "resource-unknown");
    assert_string_equal(rep.v[0].path, "/0/1/13");
    scb_report_free(&rep);
    scb_config_free(&cfg);

    /* a single resource holding no value (a model built by hand, not by a decoder) */
    host(&cfg);
    struct scb_instance *in = scb_object_instance_mut(scb_config_object_mut(&cfg, 0), 1);
    struct scb_resource *empty;
    scb_instance_remove_resource(in, SCB_RES_SEC_URI);
    assert_int_equal(scb_instance_add_resource(in, SCB_RES_SEC_URI, &empty), 0);
    assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_CARD, &rep), 0);
    expect_v(&rep, "resource-shape-invalid", "/0/1/0", "empty single resource");
    assert_non_null(strstr(rep.v[0].message, "holds 0 values"));
    scb_report_free(&rep);
    scb_config_free(&cfg);

    static const struct {
        uint16_t oid, rid;
        size_t len;
        uint8_t first;
        int bad;
    } r[] = {
        {1, 26, 1, 2, 1},  {1, 26, 1, 1, 0},  {0, 28, 1, 16, 1}, {0, 28, 1, 15, 0},
        {0, 6, 2, 1, 1},   {0, 7, 5, 0, 1},   {0, 7, 6, 0, 0},   {0, 8, 17, 0, 1},
        {0, 8, 32, 0, 0},  {0, 8, 48, 0, 0},  {0, 8, 64, 0, 1},  {1, 11, 2, 1, 1},
        {1, 27, 1, 255, 0}, {0, 22, 4, 0, 0}, {0, 22, 4, 1, 1},
    };
    for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++) {
        const struct scb_objdef_res *d = scb_objdef_resource(r[k].oid, r[k].rid);
        char path[32];
        memset(v, 0, sizeof(v));
        v[0] = r[k].first;
        host(&cfg);
        put(&cfg, r[k].oid, r[k].rid, d->multiple, v, r[k].len);
        assert_int_equal(scb_validate(&cfg, NULL, SCB_SRC_CARD, &rep), 0);
        snprintf(path, sizeof(path), "/%u/%u/%u", r[k].oid, host_iid(r[k].oid), r[k].rid);
        if (r[k].bad) {
            expect_v(&rep, "value-out-of-range", path, d->name);
        } else if (rep.n != 0) {
            fail_msg("%s: %s %s", path, rep.v[0].rule, rep.v[0].message);
        }
        scb_report_free(&rep);
        scb_config_free(&cfg);
    }
}

/* The rule enum and the doc/rules.md strings map one to one; unknown names and values are safe. */
static void test_rule_enum(void **state)
{
    (void)state;
    for (unsigned r = 1; r < SCB_RULE_COUNT; r++) {
        const char *name = scb_rule_name((enum scb_rule)r);
        assert_string_not_equal(name, "unknown");
        assert_int_equal(scb_rule_from_name(name), r);
        for (unsigned q = 1; q < r; q++) {
            assert_string_not_equal(name, scb_rule_name((enum scb_rule)q));
        }
    }
    assert_string_equal(scb_rule_name(SCB_RULE_SERVER_ACCOUNT_MISSING), "server-account-missing");
    assert_string_equal(scb_rule_name(SCB_RULE_COUNT), "unknown");
    assert_string_equal(scb_rule_name((enum scb_rule)-1), "unknown");
    assert_int_equal(scb_rule_from_name("no-such-rule"), SCB_RULE_UNKNOWN);
    assert_int_equal(scb_rule_from_name(NULL), SCB_RULE_UNKNOWN);
    assert_int_equal(scb_rule_from_name("unknown"), SCB_RULE_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_certificate_mode),
        cmocka_unit_test(test_change_request_example),
        cmocka_unit_test(test_bs_only_card),
        cmocka_unit_test(test_profile_json),
        cmocka_unit_test(test_host_is_consistent),
        cmocka_unit_test(test_every_resource_wrong_shape),
        cmocka_unit_test(test_every_resource_wrong_type),
        cmocka_unit_test(test_multiple_instance_attack),
        cmocka_unit_test(test_rules_never_skip),
        cmocka_unit_test(test_binding_nul),
        cmocka_unit_test(test_unknown_and_ranges),
        cmocka_unit_test(test_rule_enum),
        cmocka_unit_test(test_image_entry_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

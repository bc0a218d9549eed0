/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_bridge.c: the Leshan and Wakaama bridges as a library user calls them (leshan.h,
 * wakaama.h): what each refusal returns, that the messages name no CLI flag, that secrets
 * leave only when asked for, and that an export imports again to the same configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/error.h"
#include "scboot/leshan.h"
#include "scboot/model.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"
#include "scboot/wakaama.h"

typedef int (*import_fn)(const char *text, size_t len, const char *endpoint,
                         struct scb_config *cfg, char *err, size_t errlen);
typedef int (*export_fn)(const struct scb_config *cfg, const char *endpoint, int show_secrets,
                         char **out, char *lost, size_t lostlen, char *err, size_t errlen);

static char *load(const char *path, size_t *len)
{
    char *text = NULL;
    assert_int_equal(scb_util_read_text(path, 1u << 20, &text, len), SCB_OK);
    return text;
}

/* Import from a file: the return code, err checked to name no CLI flag. */
static int import_file(import_fn fn, const char *path, const char *endpoint,
                       struct scb_config *cfg, char *err, size_t errlen)
{
    size_t len;
    char *text = load(path, &len);
    int ret = fn(text, len, endpoint, cfg, err, errlen);
    free(text);
    if (ret < 0) {
        assert_null(strstr(err, "--"));
    }
    return ret;
}

/* Import a test file: want is the return code; on success the configuration has object oid,
 * on failure nothing was added and err holds in_err (when given). */
static void expect_import(import_fn fn, const char *path, const char *endpoint, int want,
                          uint16_t oid, const char *in_err)
{
    struct scb_config cfg;
    char err[SCB_ERR_MAX];
    scb_config_init(&cfg);
    assert_int_equal(import_file(fn, path, endpoint, &cfg, err, sizeof(err)), want);
    if (want == SCB_OK) {
        assert_non_null(scb_config_object(&cfg, oid));
    } else {
        assert_int_equal(cfg.n, 0);
    }
    if (in_err) {
        assert_non_null(strstr(err, in_err));
    }
    scb_config_free(&cfg);
}

static void test_leshan_endpoints(void **state)
{
    (void)state;
    const char *f = "data/leshan_bootstrap.json", one[] = "{\"servers\": {}}";
    struct scb_config cfg;
    char err[SCB_ERR_MAX];
    /* two endpoints, none named: which one is the caller's question */
    expect_import(scb_leshan_import, f, NULL, SCB_E_NOT_FOUND, 0, "other-device");
    expect_import(scb_leshan_import, f, "nosuch", SCB_E_NOT_FOUND, 0, "nosuch");
    expect_import(scb_leshan_import, f, "other-device", SCB_OK, SCB_OBJ_SERVER, NULL);
    /* one BootstrapConfig: naming an endpoint is a wrong argument */
    scb_config_init(&cfg);
    assert_int_equal(scb_leshan_import(one, strlen(one), "x", &cfg, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_null(strstr(err, "--"));
    assert_int_equal(scb_leshan_import(one, strlen(one), NULL, &cfg, NULL, 0), SCB_OK);
    scb_config_free(&cfg);
}

static void test_wakaama_endpoints(void **state)
{
    (void)state;
    const char *f = "data/wakaama_bootstrap.ini";
    const char none[] = "[Server]\nid=1\nuri=coap://a\nsecurity=NoSec\n";
    const char bad[] = "[Server]\nid\x1b[2J=1\n";
    struct scb_config cfg;
    char err[SCB_ERR_MAX];
    expect_import(scb_wakaama_import, f, "nosuch", SCB_E_NOT_FOUND, 0, "Name=nosuch");
    expect_import(scb_wakaama_import, f, "testlwm2mclient", SCB_OK, SCB_OBJ_SECURITY, NULL);
    scb_config_init(&cfg);
    assert_int_equal(scb_wakaama_import(none, strlen(none), NULL, &cfg, err, sizeof(err)),
                     SCB_E_NOT_FOUND);
    assert_string_equal(err, "no [Endpoint] section");
    /* an escape in a key is shown as '?': it would drive the terminal of whoever reads err */
    assert_int_equal(scb_wakaama_import(bad, strlen(bad), NULL, &cfg, err, sizeof(err)),
                     SCB_E_PARSE);
    assert_null(strchr(err, '\x1b'));
    assert_int_equal(cfg.n, 0);
}

/* Export, import the text again: the same configuration. Secrets need show_secrets. */
static void round_trip(import_fn imp, export_fn exp, const char *path, const char *endpoint)
{
    struct scb_config cfg, again;
    char err[SCB_ERR_MAX], lost[512], *out = NULL;
    scb_config_init(&cfg);
    scb_config_init(&again);
    assert_int_equal(import_file(imp, path, endpoint, &cfg, err, sizeof(err)), SCB_OK);
    assert_int_equal(exp(&cfg, endpoint, 0, &out, lost, sizeof(lost), err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_null(out);
    assert_non_null(strstr(err, "holds secrets (/0/"));
    assert_null(strstr(err, "--"));
    assert_int_equal(exp(&cfg, endpoint, 1, &out, lost, sizeof(lost), err, sizeof(err)), SCB_OK);
    assert_null(strstr(out, "--"));
    assert_int_equal(imp(out, strlen(out), endpoint, &again, err, sizeof(err)), SCB_OK);
    assert_true(scb_config_equal(&cfg, &again));
    scb_util_zeroize(out, strlen(out));
    free(out);
    scb_config_free(&again);
    scb_config_free(&cfg);
}

static void test_round_trips(void **state)
{
    (void)state;
    round_trip(scb_leshan_import, scb_leshan_export, "data/leshan_bootstrap.json",
               "urn:imei:490154203237518");
    round_trip(scb_wakaama_import, scb_wakaama_export, "data/wakaama_bootstrap.ini", NULL);
}

static void test_wakaama_endpoint_names(void **state)
{
    (void)state;
    struct scb_config cfg;
    char err[SCB_ERR_MAX], lost[64], *out = NULL;
    scb_config_init(&cfg);
    assert_int_equal(scb_wakaama_export(&cfg, "ep\n[Server]", 1, &out, lost, sizeof(lost), err,
                                        sizeof(err)),
                     SCB_E_UNSUPPORTED);
    assert_non_null(strstr(err, "control character (byte 2)"));
    assert_int_equal(scb_wakaama_export(&cfg, " ep", 1, &out, lost, sizeof(lost), err,
                                        sizeof(err)),
                     SCB_E_UNSUPPORTED);
    assert_null(out);
    assert_int_equal(scb_wakaama_export(&cfg, "dev 1", 0, &out, lost, sizeof(lost), NULL, 0),
                     SCB_OK);
    assert_non_null(strstr(out, "Name=dev 1\n"));
    free(out);
}

static void test_misuse(void **state)
{
    (void)state;
    struct scb_config cfg;
    char err[64], lost[64], *out = NULL;
    scb_config_init(&cfg);
    assert_int_equal(scb_leshan_import(NULL, 3, NULL, &cfg, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_leshan_import("{}", 2, NULL, NULL, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_wakaama_import(NULL, 3, NULL, &cfg, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_wakaama_import("", 0, NULL, NULL, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_leshan_export(NULL, NULL, 1, &out, lost, sizeof(lost), err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_leshan_export(&cfg, NULL, 1, NULL, lost, sizeof(lost), err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_leshan_export(&cfg, NULL, 1, &out, NULL, 0, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_wakaama_export(NULL, NULL, 1, &out, lost, sizeof(lost), err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_wakaama_export(&cfg, NULL, 1, &out, lost, 0, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leshan_endpoints),
        cmocka_unit_test(test_wakaama_endpoints),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_wakaama_endpoint_names),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

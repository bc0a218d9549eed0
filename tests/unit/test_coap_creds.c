/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_coap_creds.c: which credentials a Bootstrap-Server peer must hold, from the committed
 * Bootstrap-Server account (coap_dtls.c): no account / mode 3 -> plain CoAP; PSK, RPK, X.509
 * take their resources; missing key material, mode 4 and a bad certificate usage are errors;
 * --psk-* flags only without an account holding credentials, and never different from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coap_internal.h"
#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/store.h"

static void config(struct scb_config *c, const char *bs_resources)
{
    char json[1024], err[128];
    snprintf(json, sizeof(json),
             "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{%s}},"
             "\"1\":{\"resources\":{\"0\":\"coaps://s.example\",\"1\":false,\"2\":0,"
             "\"3\":{\"hex\":\"AA\"},\"5\":{\"hex\":\"BB\"},\"10\":1}}}}}}",
             bs_resources);
    scb_config_init(c);
    assert_int_equal(scb_config_from_json_text(json, c, err, sizeof(err)), 0);
}

static int creds(const char *bs_resources, struct scb_bs_creds *cr)
{
    struct scb_config c;
    char err[200];
    int ret;
    config(&c, bs_resources);
    scb_bs_creds_init(cr);
    ret = scb_bs_creds_from_config(cr, &c, err, sizeof(err));
    scb_config_free(&c);
    return ret;
}

static void no_account_is_plain(void **state)
{
    struct scb_bs_creds cr;
    struct scb_config c;
    char err[200];
    (void)state;
    scb_config_init(&c);
    scb_bs_creds_init(&cr);
    assert_int_equal(scb_bs_creds_from_config(&cr, &c, err, sizeof(err)), SCB_OK);
    assert_int_equal(cr.mode, SCB_SEC_NONE);
    assert_false(scb_bs_creds_secure(&cr));
    assert_int_equal(creds("\"0\":\"coap://bs\",\"1\":true,\"2\":3", &cr), SCB_OK);
    assert_int_equal(cr.mode, SCB_SEC_NOSEC);
    assert_false(scb_bs_creds_secure(&cr));
    assert_string_equal(cr.uri, "coap://bs");
    scb_bs_creds_free(&cr);
}

static void psk_account(void **state)
{
    struct scb_bs_creds cr;
    (void)state;
    /* the non-BS /0/1 (PSK AA/BB) must not be taken for the Bootstrap-Server's */
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":0,\"3\":{\"hex\":\"67772D31\"},"
                           "\"5\":{\"hex\":\"0102030405\"}",
                           &cr),
                     SCB_OK);
    assert_int_equal(cr.mode, SCB_SEC_PSK);
    assert_true(scb_bs_creds_secure(&cr));
    assert_int_equal(cr.id.len, 4);
    assert_memory_equal(cr.id.data, "gw-1", 4);
    assert_int_equal(cr.key.len, 5);
    assert_string_equal(scb_bs_creds_name(&cr), "DTLS PSK");
    scb_bs_creds_free(&cr);
    assert_null(cr.key.data);
}

static void rpk_and_x509_accounts(void **state)
{
    struct scb_bs_creds cr;
    (void)state;
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":1,\"3\":{\"hex\":\"01\"},"
                           "\"4\":{\"hex\":\"0202\"},\"5\":{\"hex\":\"030303\"}",
                           &cr),
                     SCB_OK);
    assert_int_equal(cr.mode, SCB_SEC_RPK);
    assert_int_equal(cr.own.len, 1);
    assert_int_equal(cr.peer.len, 2);
    assert_int_equal(cr.priv.len, 3);
    assert_int_equal(cr.usage, SCB_USAGE_DOMAIN_ISSUED);
    scb_bs_creds_free(&cr);
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":2,\"3\":{\"hex\":\"01\"},"
                           "\"4\":{\"hex\":\"0202\"},\"5\":{\"hex\":\"030303\"},\"15\":2,"
                           "\"14\":\"bs.example.org\"",
                           &cr),
                     SCB_OK);
    assert_int_equal(cr.mode, SCB_SEC_CERT);
    assert_int_equal(cr.usage, SCB_USAGE_TRUST_ANCHOR);
    assert_string_equal(cr.sni, "bs.example.org"); /* the name the server must carry */
    assert_string_equal(scb_bs_creds_name(&cr), "DTLS X.509");
    scb_bs_creds_free(&cr);
    assert_string_equal(cr.sni, "");
}

static void broken_accounts_refused(void **state)
{
    struct scb_bs_creds cr;
    (void)state;
    /* PSK without a key, X.509 without the server certificate, an empty identity */
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":0,\"3\":{\"hex\":\"01\"}", &cr),
                     SCB_E_PARSE);
    scb_bs_creds_free(&cr);
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":0,\"3\":{\"hex\":\"\"},"
                           "\"5\":{\"hex\":\"01\"}",
                           &cr),
                     SCB_E_PARSE);
    scb_bs_creds_free(&cr);
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":2,\"3\":{\"hex\":\"01\"},"
                           "\"5\":{\"hex\":\"03\"}",
                           &cr),
                     SCB_E_PARSE);
    scb_bs_creds_free(&cr);
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":2,\"3\":{\"hex\":\"01\"},"
                           "\"4\":{\"hex\":\"02\"},\"5\":{\"hex\":\"03\"},\"15\":7",
                           &cr),
                     SCB_E_PARSE);
    scb_bs_creds_free(&cr);
    /* mode 4 (EST) is not silently downgraded to anything */
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":4", &cr), SCB_E_UNSUPPORTED);
    scb_bs_creds_free(&cr);
    /* no Security Mode at all */
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true", &cr), SCB_E_PARSE);
    scb_bs_creds_free(&cr);
}

static void flags_never_weaken(void **state)
{
    struct scb_bs_creds cr;
    struct scb_coap_opts o;
    char err[200];
    (void)state;
    memset(&o, 0, sizeof(o));
    o.psk_identity = (const uint8_t *)"gw-1";
    o.psk_identity_len = 4;
    o.psk_key = (const uint8_t *)"\x01\x02\x03\x04\x05";
    o.psk_key_len = 5;
    /* the same PSK as the account: accepted, still the account's */
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":0,\"3\":{\"hex\":\"67772D31\"},"
                           "\"5\":{\"hex\":\"0102030405\"}",
                           &cr),
                     SCB_OK);
    assert_int_equal(scb_bs_creds_apply_flags(&cr, &o, err, sizeof(err)), SCB_OK);
    assert_false(cr.from_flags);
    /* another key, another identity: refused */
    o.psk_key_len = 4;
    assert_int_equal(scb_bs_creds_apply_flags(&cr, &o, err, sizeof(err)), SCB_E_INVALID_ARG);
    o.psk_key_len = 5;
    o.psk_identity = (const uint8_t *)"gw-2";
    assert_int_equal(scb_bs_creds_apply_flags(&cr, &o, err, sizeof(err)), SCB_E_INVALID_ARG);
    scb_bs_creds_free(&cr);
    /* a certificate account: PSK flags cannot stand in for it */
    assert_int_equal(creds("\"0\":\"coaps://bs\",\"1\":true,\"2\":2,\"3\":{\"hex\":\"01\"},"
                           "\"4\":{\"hex\":\"02\"},\"5\":{\"hex\":\"03\"}",
                           &cr),
                     SCB_OK);
    assert_int_equal(scb_bs_creds_apply_flags(&cr, &o, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(cr.mode, SCB_SEC_CERT);
    scb_bs_creds_free(&cr);
    /* NoSec account: the flags give DTLS PSK */
    assert_int_equal(creds("\"0\":\"coap://bs\",\"1\":true,\"2\":3", &cr), SCB_OK);
    assert_int_equal(scb_bs_creds_apply_flags(&cr, &o, err, sizeof(err)), SCB_OK);
    assert_int_equal(cr.mode, SCB_SEC_PSK);
    assert_true(cr.from_flags);
    assert_memory_equal(cr.id.data, "gw-2", 4);
    scb_bs_creds_free(&cr);
}

/* scb_coap_bootstrap with options that say neither (or both) of listen and server_uri, or
 * with NULL arguments: refused as a setup error, never run (a zeroed scb_coap_opts must not
 * reach server_address() with a NULL URI). */
static void options_without_a_peer_refused(void **state)
{
    (void)state;
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct scb_store *st = (struct scb_store *)&o; /* never dereferenced: refused before */
    memset(&o, 0, sizeof(o));
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_E_INVALID_ARG);
    assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
    assert_non_null(strstr(res.reason, "neither"));
    o.listen = "5683";
    o.server_uri = "coap://127.0.0.1";
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_E_INVALID_ARG);
    assert_non_null(strstr(res.reason, "both"));
    o.server_uri = NULL;
    assert_int_equal(scb_coap_bootstrap(NULL, &o, &res), SCB_E_INVALID_ARG);
    assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
    assert_int_equal(scb_coap_bootstrap(st, NULL, &res), SCB_E_INVALID_ARG);
    assert_int_equal(scb_coap_bootstrap(st, &o, NULL), SCB_E_INVALID_ARG);
}

static int cancel_after(void *ctx)
{
    int *n = ctx;
    return --*n <= 0;
}

/* The cancel hook abandons a client-initiated session waiting for its answer and a listener
 * waiting for a peer: outcome CANCELLED, SCB_OK, and nothing committed (no generation). */
static void cancel_hook_abandons(void **state)
{
    (void)state;
    char dir[] = "/tmp/scb-cancel-XXXXXX", err[200], cmd[64];
    struct scb_store *st = NULL;
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct scb_committed cm;
    int calls = 3;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(scb_store_open(dir, 0, &st, err, sizeof(err)), SCB_OK);
    scb_coap_opts_init(&o);
    o.server_uri = "coap://127.0.0.1:9"; /* discard: nobody answers */
    o.endpoint = "ep";
    o.cancel = cancel_after;
    o.cancel_ctx = &calls;
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    assert_int_equal(res.outcome, SCB_COAP_CANCELLED);
    assert_int_equal(calls, 0);
    o.server_uri = NULL;
    o.listen = "127.0.0.1:56983";
    calls = 2;
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    assert_int_equal(res.outcome, SCB_COAP_CANCELLED);
    assert_int_equal(scb_store_load(st, &cm, err, sizeof(err)), SCB_OK);
    assert_int_equal(cm.generation, 0); /* nothing ever committed */
    scb_committed_free(&cm);
    scb_store_free(&st);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_account_is_plain),
        cmocka_unit_test(psk_account),
        cmocka_unit_test(rpk_and_x509_accounts),
        cmocka_unit_test(broken_accounts_refused),
        cmocka_unit_test(flags_never_weaken),
        cmocka_unit_test(options_without_a_peer_refused),
        cmocka_unit_test(cancel_hook_abandons),
    };
    /* libcoap's process-wide state is the application's (scboot/coap.h) */
    coap_startup();
    coap_set_log_level(LOG_EMERG);
    int ret = cmocka_run_group_tests(tests, NULL, NULL);
    coap_cleanup();
    return ret;
}

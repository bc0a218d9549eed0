/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_coap_api.c: the network bootstrap API in every build: scb_coap_opts_init() sets the
 * documented defaults; with libcoap, options that cannot run are refused before anything
 * opens; without it (-Dcoap=disabled) every function answers SCB_E_UNSUPPORTED and says
 * network bootstrap is not built.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/coap.h"
#include "scboot/error.h"

static void opts_defaults(void **state)
{
    struct scb_coap_opts o;
    struct scb_profile p;
    (void)state;
    memset(&o, 0x5a, sizeof(o));
    scb_coap_opts_init(&o);
    scb_coap_opts_init(NULL); /* nothing happens */
    assert_null(o.listen);
    assert_null(o.server_uri);
    assert_null(o.endpoint);
    assert_int_equal(o.pct, -1);
    assert_null(o.psk_identity);
    assert_null(o.psk_key);
    assert_int_equal(o.exchange_lifetime_ms, 0);
    assert_int_equal(o.once, 0);
    assert_int_equal(o.attempts, SCB_COAP_ATTEMPTS);
    assert_int_equal(o.backoff_ms, SCB_COAP_BACKOFF_MS);
    assert_int_equal(o.backoff_max_ms, SCB_COAP_BACKOFF_MAX_MS);
    assert_int_equal(o.ack_timeout_ms, SCB_COAP_ACK_TIMEOUT_MS);
    assert_int_equal(o.max_retransmit, SCB_COAP_MAX_RETRANSMIT);
    scb_profile_default(&p);
    assert_memory_equal(&o.profile, &p, sizeof(p));
    assert_null(o.log);
    assert_null(o.cancel);
    assert_int_equal(o.no_hold_off, 0);
    assert_null(o.listen_secured);
    assert_int_equal(o.listen_unauthenticated, 0);
}

static void handle_arguments(void **state)
{
    struct scb_coap_opts o;
    struct scb_coap_client *c = (struct scb_coap_client *)&o; /* must be cleared */
    struct scb_coap_result res;
    char err[256];
    (void)state;
    scb_coap_opts_init(&o);
    o.endpoint = "ep";
    scb_coap_client_free(NULL);
    assert_int_equal(scb_coap_client_fd(NULL), -1);
    assert_int_equal(scb_coap_client_timeout(NULL), 0);
#ifdef SCBOOT_HAVE_COAP
    assert_int_equal(scb_coap_supported(), 1);
    assert_int_equal(scb_coap_client_new(NULL, &o, &c, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_null(c);
    assert_string_equal(err, "no store");
    assert_int_equal(scb_coap_client_new(NULL, &o, NULL, NULL, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_coap_client_step(NULL), SCB_E_INVALID_ARG);
    assert_int_equal(scb_coap_client_result(NULL, &res), SCB_E_INVALID_ARG);
    assert_int_equal(scb_coap_bootstrap(NULL, &o, &res), SCB_E_INVALID_ARG);
    assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
#else
    assert_int_equal(scb_coap_supported(), 0);
    assert_int_equal(scb_coap_client_new(NULL, &o, &c, err, sizeof(err)), SCB_E_UNSUPPORTED);
    assert_null(c);
    assert_non_null(strstr(err, "not built"));
    assert_int_equal(scb_coap_client_step(NULL), SCB_E_UNSUPPORTED);
    assert_int_equal(scb_coap_client_result(NULL, &res), SCB_E_UNSUPPORTED);
    assert_int_equal(scb_coap_bootstrap(NULL, &o, &res), SCB_E_UNSUPPORTED);
    assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
    assert_non_null(strstr(res.reason, "not built"));
#endif
    assert_int_equal(scb_coap_bootstrap(NULL, &o, NULL), SCB_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opts_defaults),
        cmocka_unit_test(handle_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_endpoint.c: the Endpoint Client Name builder (bootstrap/endpoint.c): literals pass as
 * they are, placeholders take the device's facts, a missing fact is named and never guessed,
 * names that would break the `ep=` query or exceed the option are refused, and the
 * machine-derived UUID is systemd's app-specific form (never the machine ID itself).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scboot/endpoint.h"
#include "scboot/error.h"

static int build(const char *spec, const struct scb_endpoint_facts *f, char *out, char *err)
{
    return scb_endpoint_build(spec, f, out, SCB_ENDPOINT_MAX + 1, err, 200);
}

static void literal_passes(void **state)
{
    char out[SCB_ENDPOINT_MAX + 1], err[200];
    (void)state;
    assert_int_equal(build("urn:dev:ops:0000AA-gateway-42", NULL, out, err), SCB_OK);
    assert_string_equal(out, "urn:dev:ops:0000AA-gateway-42");
    assert_int_equal(build("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", NULL, out, err),
                     SCB_OK);
}

static void placeholders_take_facts(void **state)
{
    struct scb_endpoint_facts f;
    char out[SCB_ENDPOINT_MAX + 1], err[200];
    (void)state;
    scb_endpoint_facts_init(&f);
    snprintf(f.iccid, sizeof(f.iccid), "8949000000000000019");
    snprintf(f.imei, sizeof(f.imei), "490154203237518");
    snprintf(f.hostname, sizeof(f.hostname), "gw-7.example");
    assert_int_equal(build("urn:imei:{imei}", &f, out, err), SCB_OK);
    assert_string_equal(out, "urn:imei:490154203237518");
    assert_int_equal(build("gw-{iccid}", &f, out, err), SCB_OK);
    assert_string_equal(out, "gw-8949000000000000019");
    assert_int_equal(build("{hostname}:{iccid}", &f, out, err), SCB_OK);
    assert_string_equal(out, "gw-7.example:8949000000000000019");
}

static void missing_fact_is_named(void **state)
{
    struct scb_endpoint_facts f;
    char out[SCB_ENDPOINT_MAX + 1], err[200];
    (void)state;
    scb_endpoint_facts_init(&f);
    assert_int_equal(build("urn:imei:{imei}", &f, out, err), SCB_E_NOT_FOUND);
    assert_non_null(strstr(err, "{imei}"));
    assert_non_null(strstr(err, "IMEI is not known"));
    assert_string_equal(out, "");
    assert_int_equal(build("x-{iccid}", NULL, out, err), SCB_E_NOT_FOUND);
    assert_non_null(strstr(err, "ICCID"));
    snprintf(f.hostname, sizeof(f.hostname), "localhost");
    assert_int_equal(build("{hostname}", &f, out, err), SCB_E_NOT_FOUND);
    assert_non_null(strstr(err, "localhost"));
    assert_int_equal(build("urn:uuid:{machine-id}", &f, out, err), SCB_E_NOT_FOUND);
    assert_non_null(strstr(err, "machine-id"));
    /* a fact in the wrong shape is not known either */
    snprintf(f.imei, sizeof(f.imei), "49015420323751");
    assert_int_equal(build("{imei}", &f, out, err), SCB_E_NOT_FOUND);
}

static void bad_templates_refused(void **state)
{
    char out[SCB_ENDPOINT_MAX + 1], err[200];
    (void)state;
    assert_int_equal(build("urn:{serial}", NULL, out, err), SCB_E_INVALID_ARG);
    assert_non_null(strstr(err, "{serial}"));
    assert_int_equal(build("urn:{iccid", NULL, out, err), SCB_E_INVALID_ARG);
    assert_string_equal(out, ""); /* no partial name left behind */
    assert_int_equal(build("", NULL, out, err), SCB_E_INVALID_ARG);
    assert_int_equal(scb_endpoint_build(NULL, NULL, out, sizeof(out), err, sizeof(err)),
                     SCB_E_INVALID_ARG);
}

static void query_breaking_characters_refused(void **state)
{
    static const char *const bad[] = {"a&pct=110", "a=b", "a b", "a%41", "a/b", "a?b", "a#b",
                                      "a}b", "caf\xc3\xa9", "a\nb"};
    char out[SCB_ENDPOINT_MAX + 1], err[200];
    (void)state;
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        assert_int_equal(build(bad[k], NULL, out, err), SCB_E_INVALID_ARG);
        assert_non_null(strstr(err, "at byte"));
        assert_int_equal(scb_endpoint_check(bad[k], err, sizeof(err)), SCB_E_INVALID_ARG);
    }
    assert_int_equal(scb_endpoint_check("urn:esn:8e12a4f7", err, sizeof(err)), SCB_OK);
    /* a fact cannot smuggle them in either */
    struct scb_endpoint_facts f;
    scb_endpoint_facts_init(&f);
    snprintf(f.hostname, sizeof(f.hostname), "gw&pct=1");
    assert_int_equal(build("{hostname}", &f, out, err), SCB_E_INVALID_ARG);
}

static void length_bounded(void **state)
{
    char spec[400], out[SCB_ENDPOINT_MAX + 1], err[200];
    (void)state;
    memset(spec, 'a', SCB_ENDPOINT_MAX);
    spec[SCB_ENDPOINT_MAX] = '\0';
    assert_int_equal(build(spec, NULL, out, err), SCB_OK);
    assert_int_equal(strlen(out), SCB_ENDPOINT_MAX);
    spec[SCB_ENDPOINT_MAX] = 'a';
    spec[SCB_ENDPOINT_MAX + 1] = '\0';
    assert_int_equal(build(spec, NULL, out, err), SCB_E_TOO_LARGE);
    assert_int_equal(scb_endpoint_check(spec, err, sizeof(err)), SCB_E_TOO_LARGE);
    /* a small output buffer is never overrun */
    assert_int_equal(scb_endpoint_build("abcdef", NULL, out, 4, err, sizeof(err)),
                     SCB_E_TOO_LARGE);
}

static void machine_uuid_is_app_specific(void **state)
{
    struct scb_endpoint_facts f;
    char out[SCB_ENDPOINT_MAX + 1], err[200], path[] = "/tmp/scb_mid_XXXXXX";
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef\n", 33), 33);
    close(fd);
    scb_endpoint_facts_init(&f);
    assert_int_equal(scb_endpoint_facts_from_host(&f, path), SCB_OK);
    unlink(path);
    assert_string_equal(f.machine_id, "0123456789abcdef0123456789abcdef");
    /* what `systemd-id128 machine-id --app-specific=42518af425ce4d468aa2409cc403f2fc`
     * prints on a host with that machine ID */
    assert_int_equal(build("urn:uuid:{machine-id}", &f, out, err), SCB_OK);
    assert_string_equal(out, "urn:uuid:45299f80-4773-4fbe-8e57-47ca1821c4ed");
    assert_null(strstr(out, "0123456789abcdef"));
    /* "uninitialized" (first boot) or no file: unknown */
    assert_int_equal(scb_endpoint_facts_from_host(&f, "/nonexistent/machine-id"), SCB_OK);
    assert_string_equal(f.machine_id, "");
    assert_int_equal(scb_endpoint_facts_from_host(NULL, NULL), SCB_E_INVALID_ARG);
}

/* The name the daemon and the tools build: the given ICCID and IMEI, the rest from the host. */
static void resolve_takes_card_and_modem(void **state)
{
    char out[SCB_ENDPOINT_MAX + 1], err[256];
    (void)state;
    assert_int_equal(scb_endpoint_resolve("a-{iccid}-{imei}", "8988", "490154203237518", out,
                                          sizeof(out), err, sizeof(err)),
                     SCB_OK);
    assert_string_equal(out, "a-8988-490154203237518");
    assert_int_equal(scb_endpoint_resolve("urn:imei:{imei}", "8988", NULL, out, sizeof(out), err,
                                          sizeof(err)),
                     SCB_E_NOT_FOUND);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "imei"));
    assert_int_equal(scb_endpoint_resolve("x-{iccid}", "", "1", out, sizeof(out), err,
                                          sizeof(err)),
                     SCB_E_NOT_FOUND);
}

/* A template checked before its facts are known: only the text's own faults. */
static void template_check_ignores_missing_facts(void **state)
{
    char err[256];
    (void)state;
    assert_int_equal(scb_endpoint_template_check("urn:imei:{imei}", err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_endpoint_template_check("gw-{iccid}-{hostname}-{machine-id}", err,
                                                 sizeof(err)),
                     SCB_OK);
    assert_int_equal(scb_endpoint_template_check("x-{nope}", err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_endpoint_template_check("x-{iccid", err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_endpoint_template_check("a b", err, sizeof(err)), SCB_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_passes),
        cmocka_unit_test(placeholders_take_facts),
        cmocka_unit_test(missing_fact_is_named),
        cmocka_unit_test(bad_templates_refused),
        cmocka_unit_test(query_breaking_characters_refused),
        cmocka_unit_test(length_bounded),
        cmocka_unit_test(machine_uuid_is_app_specific),
        cmocka_unit_test(resolve_takes_card_and_modem),
        cmocka_unit_test(template_check_ignores_missing_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

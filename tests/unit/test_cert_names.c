/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cert_names.c: the host-name check (RFC 6125) a Bootstrap-Server's certificate must pass
 * under Certificate Usage 0, 1 and 2 (scb_crypto_cert_names_host): dNSName entries with and
 * without a left-most wildcard, iPAddress entries for IPv4 and IPv6 literals, the subject CN
 * only without a subjectAltName, and the names shown when it does not match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "scboot/error.h"
#include "../data/cert_names.h"

static uint8_t der[2048];

static size_t unhex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= sizeof(der));
    for (size_t k = 0; k < n; k++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * k, "%2x", &v), 1);
        der[k] = (uint8_t)v;
    }
    return n;
}

static int check(const char *hex, const char *host, char *names, size_t cap)
{
    size_t n = unhex(hex);
    return scb_crypto_cert_names_host(der, n, host, names, cap);
}

static void dns_names(void **state)
{
    char names[128];
    (void)state;
    assert_int_equal(check(CERT_DNS_HEX, "localhost", names, sizeof(names)), SCB_OK);
    assert_int_equal(check(CERT_DNS_HEX, "LocalHost", NULL, 0), SCB_OK);
    assert_int_equal(check(CERT_DNS_HEX, "bs.example.com", NULL, 0), SCB_OK);
    assert_string_equal(names, "localhost, bs.example.com");
    /* a subjectAltName present: the CN is not a name to match */
    assert_int_equal(check(CERT_DNS_HEX, "ignored.example", NULL, 0), SCB_E_NOT_FOUND);
    assert_int_equal(check(CERT_DNS_HEX, "example.com", NULL, 0), SCB_E_NOT_FOUND);
    assert_int_equal(check(CERT_DNS_HEX, "x.bs.example.com", NULL, 0), SCB_E_NOT_FOUND);
    assert_int_equal(check(CERT_DNS_HEX, "localhost.", NULL, 0), SCB_E_NOT_FOUND);
}

static void wildcard(void **state)
{
    (void)state;
    assert_int_equal(check(CERT_WILD_HEX, "bs.example.org", NULL, 0), SCB_OK);
    assert_int_equal(check(CERT_WILD_HEX, "BS.Example.ORG", NULL, 0), SCB_OK);
    /* one label only, and never the bare domain */
    assert_int_equal(check(CERT_WILD_HEX, "a.bs.example.org", NULL, 0), SCB_E_NOT_FOUND);
    assert_int_equal(check(CERT_WILD_HEX, "example.org", NULL, 0), SCB_E_NOT_FOUND);
    assert_int_equal(check(CERT_WILD_HEX, "bs.example.com", NULL, 0), SCB_E_NOT_FOUND);
}

static void ip_addresses(void **state)
{
    char names[128];
    (void)state;
    assert_int_equal(check(CERT_IP_HEX, "127.0.0.1", names, sizeof(names)), SCB_OK);
    assert_string_equal(names, "127.0.0.1, ::1");
    assert_int_equal(check(CERT_IP_HEX, "::1", NULL, 0), SCB_OK);
    assert_int_equal(check(CERT_IP_HEX, "0:0:0:0:0:0:0:1", NULL, 0), SCB_OK);
    assert_int_equal(check(CERT_IP_HEX, "127.0.0.2", NULL, 0), SCB_E_NOT_FOUND);
    /* every spelling the resolver dials as an address is an address: matched by its bytes */
    assert_int_equal(check(CERT_IP_HEX, "127.1", NULL, 0), SCB_OK);
    assert_int_equal(check(CERT_IP_HEX, "2130706433", NULL, 0), SCB_OK);
    assert_int_equal(check(CERT_IP_HEX, "fe80::1%lo", NULL, 0), SCB_E_NOT_FOUND);
    /* ... and never as a DNS name or CN that spells it */
    assert_int_equal(check(CERT_CN_HEX, "2130706433", NULL, 0), SCB_E_NOT_FOUND);
    uint8_t a[16];
    size_t alen = 0;
    assert_true(scb_crypto_host_ip("127.1", a, &alen));
    assert_int_equal(alen, 4);
    assert_true(scb_crypto_host_ip("fe80::1%lo", a, &alen));
    assert_int_equal(alen, 16);
    assert_false(scb_crypto_host_ip("bs.example.com", a, &alen));
    assert_int_equal(check(CERT_IP_HEX, "::2", NULL, 0), SCB_E_NOT_FOUND);
    /* an IPv4-mapped IPv6 address is another reference identity */
    assert_int_equal(check(CERT_IP_HEX, "::ffff:127.0.0.1", NULL, 0), SCB_E_NOT_FOUND);
    /* an address never matches a DNS name or CN spelling it (the CN here is "127.0.0.1") */
    assert_int_equal(check(CERT_CN_HEX, "127.0.0.1", NULL, 0), SCB_E_NOT_FOUND);
    /* nor a DNS name an address entry */
    assert_int_equal(check(CERT_DNS_HEX, "127.0.0.1", NULL, 0), SCB_E_NOT_FOUND);
}

static void cn_only(void **state)
{
    char names[128];
    (void)state;
    assert_int_equal(check(CERT_CN_HEX, "cn-only.example", names, sizeof(names)), SCB_OK);
    assert_string_equal(names, "CN cn-only.example");
    assert_int_equal(check(CERT_CN_HEX, "other.example", NULL, 0), SCB_E_NOT_FOUND);
}

static void mismatch(void **state)
{
    /* a fully-qualified spelling is the caller's to strip: refused here, never half-matched */
    assert_int_equal(check(CERT_DNS_HEX, "localhost.", NULL, 0), SCB_E_NOT_FOUND);
    char names[128];
    (void)state;
    /* CN "localhost" but the subjectAltName names other.example only */
    assert_int_equal(check(CERT_OTHER_HEX, "localhost", names, sizeof(names)), SCB_E_NOT_FOUND);
    assert_string_equal(names, "other.example");
    assert_int_equal(check(CERT_OTHER_HEX, "other.example", NULL, 0), SCB_OK);
    /* a URI or e-mail entry spelling the host is no dNSName */
    assert_int_equal(check(CERT_URI_HEX, "localhost", names, sizeof(names)), SCB_E_NOT_FOUND);
    assert_string_equal(names, "no host name");
}

static void bad_input(void **state)
{
    char names[8];
    (void)state;
    assert_int_equal(check(CERT_DNS_HEX, "", NULL, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_crypto_cert_names_host(der, 0, "localhost", NULL, 0), SCB_E_PARSE);
    size_t n = unhex(CERT_DNS_HEX);
    assert_int_equal(scb_crypto_cert_names_host(der, n - 1, "localhost", NULL, 0), SCB_E_PARSE);
    /* a short buffer for the names: truncated, terminated */
    assert_int_equal(check(CERT_DNS_HEX, "nope.example", names, sizeof(names)), SCB_E_NOT_FOUND);
    assert_int_equal(strlen(names), sizeof(names) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dns_names), cmocka_unit_test(wildcard), cmocka_unit_test(ip_addresses),
        cmocka_unit_test(cn_only),   cmocka_unit_test(mismatch), cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

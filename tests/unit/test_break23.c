/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_break23.c: cases found by an outside review of the library-1.0 change (break23).
 *
 * - The conf.h value parsers take a NULL value as a caller error, as doc/library.md
 *   ("Exports and misuse") promises for every public function, instead of crashing.
 *
 * It fails today: the suite registers this test with should_fail until it is fixed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/conf.h"
#include "scboot/error.h"

static void test_conf_parsers_take_null(void **state)
{
    (void)state;
    char err[128];
    enum scb_conf_verify v;
    unsigned every;
    unsigned long secs;
    int mode;
    assert_true(scb_conf_parse_verify(NULL, &v, &every, err, sizeof(err)) < 0);
    assert_true(scb_conf_parse_seconds(NULL, 1, 2, &secs, err, sizeof(err)) < 0);
    assert_true(scb_conf_parse_secure_channel(NULL, &mode, err, sizeof(err)) < 0);
    assert_true(scb_conf_parse_scp03_level(NULL, &mode, err, sizeof(err)) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_parsers_take_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_codec_oom.c: the SenML encoders (JSON and CBOR) meeting an allocation failure at each
 * of their allocations in turn (malloc, calloc and realloc replaced in this program; json-c,
 * libcbor and libc call them) fail with SCB_E_NOMEM or succeed, and free each record once: a
 * record that holds its value when the pack refuses it is not freed twice. glibc only, not
 * with a sanitizer (which owns malloc).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/model.h"
#include "scboot/senml.h"
#include "scboot/tlv.h"
#include "fail_alloc.h"


/* Records of each kind (integer, boolean, string, opaque), more of them than json-c's array
 * holds before it grows (32): adding a record to the pack can fail too. */
static void make_config(struct scb_config *cfg)
{
    char shape[8192], err[256];
    size_t n = (size_t)snprintf(shape, sizeof(shape), "{\"objects\":{\"1\":{\"instances\":{");
    for (int k = 0; k < 12; k++) {
        n += (size_t)snprintf(shape + n, sizeof(shape) - n,
                              "%s\"%d\":{\"resources\":{\"0\":%d,\"1\":86400,\"6\":false,"
                              "\"7\":\"U\"}}",
                              k ? "," : "", k, k + 1);
    }
    snprintf(shape + n, sizeof(shape) - n,
             "}},\"0\":{\"instances\":{\"0\":{\"resources\":{\"0\":\"coap://a\",\"1\":false,"
             "\"2\":3,\"3\":{\"hex\":\"0102\"},\"10\":1}}}}}}");
    scb_config_init(cfg);
    assert_int_equal(scb_config_from_json_text(shape, cfg, err, sizeof(err)), SCB_OK);
}

static void encode_every_failure(unsigned cf, uint16_t oid)
{
    struct scb_config cfg;
    make_config(&cfg);
    const struct scb_object *o = scb_config_object(&cfg, oid);
    assert_non_null(o);
    for (long k = 0;; k++) {
        struct scb_buf out = {0};
        fail_alloc_at(k);
        int ret = scb_senml_encode(cf, o, -1, &out);
        fail_alloc_at(-1);
        scb_buf_free(&out);
        if (!fail_alloc_hit()) {
            assert_int_equal(ret, SCB_OK); /* every allocation had its turn */
            break;
        }
        if (ret != SCB_OK && ret != SCB_E_NOMEM) {
            fail_msg("allocation %ld failed: %s", k, scb_error_string(ret));
        }
    }
    scb_config_free(&cfg);
}

static void senml_json_oom(void **state)
{
    (void)state;
    encode_every_failure(SCB_CF_SENML_JSON, 1);
    encode_every_failure(SCB_CF_SENML_JSON, 0);
}

static void senml_cbor_oom(void **state)
{
    (void)state;
    encode_every_failure(SCB_CF_SENML_CBOR, 1);
    encode_every_failure(SCB_CF_SENML_CBOR, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(senml_json_oom),
        cmocka_unit_test(senml_cbor_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

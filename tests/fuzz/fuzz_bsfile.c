/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_bsfile.c: G.3.4 container + TLV decoder, then JSON view and re-encode of what decoded,
 * and the validator (registry shape/type pass and every rule) over it for each source. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "scboot/bsfile.h"
#include "scboot/json.h"
#include "scboot/tlv.h"
#include "scboot/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scb_config cfg, back;
    struct scb_decode_error err;
    struct scb_buf out = {0};

    scb_config_init(&cfg);
    if (scb_bsfile_decode(data, size, &cfg, &err) != SCB_OK) {
        return 0;
    }
    /* whatever decodes must re-encode and decode again to the same bytes */
    if (scb_bsfile_encode(&cfg, 0, &out) == SCB_OK) {
        scb_config_init(&back);
        if (scb_bsfile_decode(out.data, out.len, &back, &err) != SCB_OK) {
            __builtin_trap();
        }
        scb_config_free(&back);
    }
    json_object *j = scb_config_to_json(&cfg, 1);
    scb_config_init(&back);
    if (scb_config_from_json(j, &back, NULL, 0) != SCB_OK) {
        __builtin_trap(); /* the JSON shape of a decoded file always loads back */
    }
    scb_config_free(&back);
    json_object_put(j);
    for (int src = SCB_SRC_CARD; src <= SCB_SRC_NETWORK; src++) {
        struct scb_report rep = {0};
        if (scb_validate(&cfg, NULL, (enum scb_source)src, &rep) != SCB_OK) {
            __builtin_trap(); /* only an allocation failure may stop the validator */
        }
        for (size_t k = 0; k < rep.n; k++) {
            if (rep.v[k].rule == NULL || rep.v[k].path[0] != '/') {
                __builtin_trap();
            }
        }
        scb_report_free(&rep);
    }
    scb_buf_free(&out);
    scb_config_free(&cfg);
    return 0;
}

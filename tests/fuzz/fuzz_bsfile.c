/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_bsfile.c: G.3.4 container + TLV decoder, then JSON view and re-encode of what decoded. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "scboot/codec.h"
#include "scboot/json.h"

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
    scb_buf_free(&out);
    scb_config_free(&cfg);
    return 0;
}

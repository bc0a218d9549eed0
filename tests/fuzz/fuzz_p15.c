/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_p15.c: the PKCS#15 DER walk: EF DIR record, ODF, DODF and AODF parsers (and the PIN
 * block built from each PIN object found) on the same bytes. */
#include <stddef.h>
#include <stdint.h>

#include "scboot/p15.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scb_dir_app app;
    struct scb_p15_path paths[8];
    struct scb_p15_dobj objs[16];
    size_t n;
    char txt[128];

    scb_p15_parse_dir_record(data, size, &app);
    scb_p15_parse_odf(data, size, 0xA7, paths, 8, &n);
    scb_p15_parse_odf(data, size, 0xA8, paths, 8, &n);
    struct scb_p15_pin pins[8];
    if (scb_p15_parse_aodf(data, size, pins, 8, &n) == 0) {
        uint8_t blk[64];
        size_t bl;
        for (size_t k = 0; k < n; k++) {
            scb_p15_pin_block(&pins[k], "12345678", blk, sizeof(blk), &bl);
            scb_p15_find_pin(pins, n, pins[k].auth_id, pins[k].auth_id_len);
        }
    }
    if (scb_p15_parse_dodf(data, size, objs, 16, &n) == 0) {
        for (size_t k = 0; k < n; k++) {
            if (objs[k].oid_len) {
                scb_p15_oid_to_text(objs[k].oid, objs[k].oid_len, txt, sizeof(txt));
            }
        }
    }
    return 0;
}

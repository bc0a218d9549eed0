/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_p15.c: the PKCS#15 DER walk: EF DIR record, ODF and DODF parsers on the same bytes. */
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
    if (scb_p15_parse_dodf(data, size, objs, 16, &n) == 0) {
        for (size_t k = 0; k < n; k++) {
            if (objs[k].oid_len) {
                scb_oid_to_text(objs[k].oid, objs[k].oid_len, txt, sizeof(txt));
            }
        }
    }
    return 0;
}

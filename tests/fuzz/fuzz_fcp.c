/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_fcp.c: the FCP template parser (SELECT responses from a hostile card). */
#include <stddef.h>
#include <stdint.h>

#include "scboot/uicc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scb_fcp fcp;
    char iccid[24];
    scb_uicc_fcp_parse(data, size, &fcp);
    scb_uicc_iccid_decode(data, size, iccid, sizeof(iccid));
    return 0;
}

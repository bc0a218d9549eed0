/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_profile_json.c: JSON inputs: the configuration shape of `scboot encode` and the card
 * profile of the emulator. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/bsfile.h"
#include "scboot/emu.h"
#include "scboot/json.h"
#include "scboot/tlv.h"
#include "scboot/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct scb_config cfg;
    struct scb_emu *e = NULL;
    char err[SCB_ERR_MAX];

    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    scb_config_init(&cfg);
    if (scb_config_from_json_text(text, &cfg, err, sizeof(err)) == SCB_OK) {
        struct scb_buf out = {0};
        struct scb_report rep = {0};
        scb_bsfile_encode(&cfg, 0, &out);
        scb_buf_free(&out);
        if (scb_validate(&cfg, NULL, SCB_SRC_FACTORY, &rep) != SCB_OK) {
            __builtin_trap();
        }
        scb_report_free(&rep);
        scb_config_free(&cfg);
    }
    /* profiles may name files: only inline content is exercised (no base directory) */
    if (strstr(text, "\"file\"") == NULL && scb_emu_load_json(text, NULL, &e, err, sizeof(err)) == 0) {
        scb_emu_free(&e);
    }
    free(text);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_wakaama.c: the Wakaama importer (tools/bridge_wakaama.c): any bytes give a configuration or one
 * error; what imports also exports (secrets shown) and the export imports again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "scboot/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scb_config cfg, again;
    char err[512], lost[1024];
    char *text = malloc(size + 1), *out = NULL;
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    scb_config_init(&cfg);
    if (bridge_wakaama_import(text, size, NULL, &cfg, err, sizeof(err)) == 0) {
        if (bridge_wakaama_export(&cfg, NULL, 1, &out, lost, sizeof(lost), err, sizeof(err)) == 0) {
            scb_config_init(&again);
            if (bridge_wakaama_import(out, strlen(out), NULL, &again, err, sizeof(err)) != 0) {
                __builtin_trap(); /* an export that does not import again */
            }
            scb_config_free(&again);
            free(out);
        }
    }
    scb_config_free(&cfg);
    free(text);
    return 0;
}

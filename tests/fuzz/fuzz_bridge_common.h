/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_bridge_common.h: the property both bridge targets check (fuzz_leshan, fuzz_wakaama):
 * any bytes give a configuration or one error; what imports also exports (secrets shown) and
 * the export imports again. Included by each target with its importer and exporter. */
#ifndef SCBOOT_FUZZ_BRIDGE_COMMON_H
#define SCBOOT_FUZZ_BRIDGE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/error.h"
#include "scboot/leshan.h"
#include "scboot/model.h"
#include "scboot/wakaama.h"

typedef int (*fuzz_import_fn)(const char *text, size_t len, const char *endpoint,
                              struct scb_config *cfg, char *err, size_t errlen);
typedef int (*fuzz_export_fn)(const struct scb_config *cfg, const char *endpoint,
                              int show_secrets, char **out, char *lost, size_t lostlen, char *err,
                              size_t errlen);

static int fuzz_bridge_round_trip(const uint8_t *data, size_t size, fuzz_import_fn import,
                                  fuzz_export_fn export_)
{
    struct scb_config cfg, again;
    char err[SCB_ERR_MAX], lost[1024];
    char *text = malloc(size + 1), *out = NULL;
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    scb_config_init(&cfg);
    if (import(text, size, NULL, &cfg, err, sizeof(err)) == 0) {
        if (export_(&cfg, NULL, 1, &out, lost, sizeof(lost), err, sizeof(err)) == 0) {
            scb_config_init(&again);
            if (import(out, strlen(out), NULL, &again, err, sizeof(err)) != 0) {
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

#endif

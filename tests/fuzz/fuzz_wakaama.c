/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_wakaama.c: the Wakaama importer (bootstrap/bridge/wakaama.c): any bytes give a
 * configuration or one error; what imports also exports (secrets shown) and the export imports
 * again. */
#include "fuzz_bridge_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_bridge_round_trip(data, size, scb_wakaama_import, scb_wakaama_export);
}

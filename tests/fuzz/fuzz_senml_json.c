/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_senml_json.c: the SenML JSON (110) Bootstrap-Write decoder. The first input byte picks
 * the written path (/o, /o/i or /o/i/r), the rest is the pack. A pack that decodes is encoded
 * again (both SenML formats) for each object it holds and must decode back.
 */
#include "fuzz_senml_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_senml_one(SCB_CF_SENML_JSON, data, size);
}

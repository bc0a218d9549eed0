/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_senml_cbor.c: the SenML CBOR (112) Bootstrap-Write decoder (libcbor behind a bounds
 * pre-pass). The first input byte picks the written path, the rest is the pack. A pack that
 * decodes is encoded again (both SenML formats) for each object it holds and must decode back.
 */
#include "fuzz_senml_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_senml_one(SCB_CF_SENML_CBOR, data, size);
}

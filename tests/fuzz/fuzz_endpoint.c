/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_endpoint.c: the Endpoint Client Name template (scb_endpoint_build): any text, with
 * every fact known and with none. An accepted name must pass scb_endpoint_check (nothing
 * that breaks `ep=`, within the length), fit the buffer, and a refusal leaves no name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/endpoint.h"
#include "scboot/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const char *spec, const struct scb_endpoint_facts *f)
{
    char out[SCB_ENDPOINT_MAX + 1], err[256];
    int ret = scb_endpoint_build(spec, f, out, sizeof(out), err, sizeof(err));
    if (ret == SCB_OK) {
        if (scb_endpoint_check(out, err, sizeof(err)) != SCB_OK ||
            strlen(out) > SCB_ENDPOINT_MAX) {
            __builtin_trap();
        }
    } else if (out[0] != '\0' || err[0] == '\0') {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scb_endpoint_facts f;
    char *spec = malloc(size + 1);
    if (spec == NULL) {
        return 0;
    }
    memcpy(spec, data, size);
    spec[size] = '\0';
    one(spec, NULL);
    scb_endpoint_facts_init(&f);
    snprintf(f.iccid, sizeof(f.iccid), "8988211000000430010");
    snprintf(f.imei, sizeof(f.imei), "490154203237518");
    snprintf(f.hostname, sizeof(f.hostname), "gw-7.example");
    snprintf(f.machine_id, sizeof(f.machine_id), "0123456789abcdef0123456789abcdef");
    one(spec, &f);
    free(spec);
    return 0;
}

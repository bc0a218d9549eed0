/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_conf.c: the daemon's configuration file parser (scboot/conf.h): any bytes give a
 * parsed configuration or one FILE:LINE error, never a crash, leak or over-read. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scboot/conf.h"
#include "scboot/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scb_conf c;
    char err[512];
    scb_conf_init(&c);
    /* the parser takes a length: the input is not NUL-terminated on purpose */
    if (scb_conf_parse((const char *)data, size, "fuzz.conf", &c, err, sizeof(err)) < 0) {
        if (strncmp(err, "fuzz.conf", 9) != 0) {
            __builtin_trap(); /* every error names the file */
        }
    }
    scb_conf_free(&c);
    return 0;
}

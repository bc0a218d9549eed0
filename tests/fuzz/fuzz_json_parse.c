/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_json_parse.c: scb_json_parse, the one strict JSON reader (json.h), on text that is not
 * NUL-terminated. What it accepts must come back alike when written out by json-c and read
 * again; what it refuses leaves no tree and one line "not valid JSON: ..." in err. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scboot/error.h"
#include "scboot/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1), err[160];
    json_object *a = (json_object *)1, *b = NULL;

    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size); /* exactly size bytes: ASan sees a read past them */
    if (scb_json_parse(text, size, &a, err, sizeof(err)) == SCB_OK) {
        const char *out = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
        if (out == NULL || scb_json_parse(out, strlen(out), &b, err, sizeof(err)) != SCB_OK ||
            !json_object_equal(a, b)) {
            __builtin_trap();
        }
        json_object_put(b);
        json_object_put(a);
    } else if (a != NULL || strncmp(err, "not valid JSON: ", 16) != 0 ||
               strpbrk(err, "\r\n") != NULL) {
        __builtin_trap();
    }
    free(text);
    return 0;
}

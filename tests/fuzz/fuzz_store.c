/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_store.c: the store loader (scb_store_parse: the bytes of a state directory's
 * config.json). What loads must survive a round trip: written back as the store writes it and
 * loaded again, it gives the same text.
 */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/json.h"
#include "scboot/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *text_of(const struct scb_committed *c)
{
    json_object *j = scb_committed_to_json(c, 0);
    char *t = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_SPACED |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(j);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scb_committed c, back;
    char err[256];

    if (scb_store_parse(data, size, &c, err, sizeof(err)) != SCB_OK) {
        return 0;
    }
    char *t1 = text_of(&c);
    if (t1 == NULL) {
        abort();
    }
    if (scb_store_parse((const uint8_t *)t1, strlen(t1), &back, err, sizeof(err)) != SCB_OK) {
        abort(); /* what the store writes, it must load */
    }
    char *t2 = text_of(&back);
    if (t2 == NULL || strcmp(t1, t2) != 0) {
        abort();
    }
    free(t1);
    free(t2);
    scb_committed_free(&back);
    scb_committed_free(&c);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coap_body.c: a request body arriving in Block1 blocks (RFC 7959), reassembled in order and
 * bounded by SCB_COAP_MAX_BODY from the first block on: a body announced (Size1) or found to be
 * larger is refused before anything is kept. The buffer may hold keys: zeroized when reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "scboot/util.h"
#include "coap_internal.h"

void scb_body_reset(struct scb_body *a)
{
    if (a->data) {
        scb_util_zeroize(a->data, SCB_COAP_MAX_BODY);
        free(a->data);
    }
    memset(a, 0, sizeof(*a));
}

enum scb_body_state scb_body_add(struct scb_body *a, const char *path, size_t offset,
                                 size_t total, const uint8_t *d, size_t n)
{
    if (total > SCB_COAP_MAX_BODY || n > SCB_COAP_MAX_BODY ||
        offset > SCB_COAP_MAX_BODY - n) {
        scb_body_reset(a);
        return SCB_BODY_TOO_LARGE;
    }
    if (offset == 0) {
        scb_body_reset(a);
        if ((a->data = malloc(SCB_COAP_MAX_BODY)) == NULL) {
            return SCB_BODY_NOMEM;
        }
        snprintf(a->path, sizeof(a->path), "%s", path);
    } else if (a->data == NULL || strcmp(a->path, path) != 0 || offset != a->len) {
        scb_body_reset(a); /* a block out of order, or of another body */
        return SCB_BODY_INCOMPLETE;
    }
    if (n) {
        memcpy(a->data + offset, d, n);
    }
    a->len = offset + n;
    return a->len < total ? SCB_BODY_CONTINUE : SCB_BODY_COMPLETE;
}

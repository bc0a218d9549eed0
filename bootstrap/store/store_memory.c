/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_memory.c: the built-in in-memory store, a custom store (scb_store_new_custom()) whose
 * state is one struct scb_committed on the heap. A commit copies the whole state first and
 * swaps it in only when the copy is complete, so a commit that runs out of memory leaves the
 * previous state; closing the store zeroizes it (it holds keys).
 */
#include <stdio.h>
#include <stdlib.h>

#include "scboot/error.h"
#include "scboot/store.h"

static int memory_load(void *ctx, struct scb_committed *out, char *err, size_t errlen)
{
    int ret = scb_committed_copy(out, ctx);
    if (ret < 0 && err) {
        snprintf(err, errlen, "memory store: %s", scb_error_string(ret));
    }
    return ret;
}

static int memory_commit(void *ctx, const struct scb_committed *c, char *err, size_t errlen)
{
    struct scb_committed next, *held = ctx;
    scb_committed_init(&next);
    int ret = scb_committed_copy(&next, c);
    if (ret < 0) {
        scb_committed_free(&next);
        if (err) {
            snprintf(err, errlen, "memory store: commit stopped: %s", scb_error_string(ret));
        }
        return ret;
    }
    scb_committed_free(held);
    *held = next;
    return SCB_OK;
}

static void memory_close(void *ctx)
{
    scb_committed_free(ctx);
    free(ctx);
}

int scb_store_new_memory(struct scb_store **out, char *err, size_t errlen)
{
    static const struct scb_store_ops ops = {
        .load = memory_load, .commit = memory_commit, .close = memory_close};
    struct scb_committed *held;
    int ret;

    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if ((held = malloc(sizeof(*held))) == NULL) {
        if (err) {
            snprintf(err, errlen, "out of memory");
        }
        return SCB_E_NOMEM;
    }
    scb_committed_init(held);
    if ((ret = scb_store_new_custom(&ops, held, out, err, errlen)) < 0) {
        free(held);
    }
    return ret;
}

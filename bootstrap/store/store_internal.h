/* SPDX-License-Identifier: Apache-2.0 */
/* store_internal.h: the store's fault-injection seam, for the unit tests (static library only;
 * not exported from libscboot.so). */
#ifndef SCBOOT_STORE_INTERNAL_H
#define SCBOOT_STORE_INTERNAL_H

#include "scboot/store.h"

/** Steps of a commit, for fault injection in tests. */
enum scb_commit_step {
    SCB_STEP_WRITE = 0, SCB_STEP_FSYNC_FILE, SCB_STEP_RENAME, SCB_STEP_FSYNC_DIR, SCB_STEP_DONE,
    SCB_STEP_VERIFY /* first of all: the text is built, not yet read back (out of the order
                       above so the loops over the writing steps stay as they are) */
};
typedef int (*scb_commit_hook)(void *ctx, enum scb_commit_step step);

/** Tests: called before each step; a negative return stops the commit there ("crash"). */
void scb_store_set_hook(struct scb_store *s, scb_commit_hook hook, void *ctx);

#endif

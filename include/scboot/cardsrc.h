/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Umbrella for existing includes: the card source's header is card_source.h (the stem of
 * bootstrap/card_source.c). scb_card_read() was renamed scb_card_source_read(); the old name
 * stays here as an inline wrapper until its last callers (tools/cmd_check.c, tools/cmd_dump.c)
 * are switched.
 */
#ifndef SCBOOT_CARDSRC_H
#define SCBOOT_CARDSRC_H

#include "scboot/card_source.h"

static inline int scb_card_read(struct scb_card *c, const struct scb_read_opts *o,
                                struct scb_read_result *r)
{
    return scb_card_source_read(c, o, r);
}

#endif

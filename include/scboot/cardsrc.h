/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Umbrella for existing includes: the card source's header is card_source.h (the stem of
 * bootstrap/card_source.c); scb_card_read() is now scb_card_source_read().
 */
#ifndef SCBOOT_CARDSRC_H
#define SCBOOT_CARDSRC_H

#include "scboot/card_source.h"

#endif

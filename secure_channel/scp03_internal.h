/* SPDX-License-Identifier: Apache-2.0 */
/* scp03_internal.h: test seam of the SCP03 filter (static library only; not exported from
 * libscboot.so). */
#ifndef SCBOOT_SCP03_INTERNAL_H
#define SCBOOT_SCP03_INTERNAL_H

#include <stdint.h>

#include "scboot/scp03.h"

/** Tests only: set the command counter of an open filter (counter exhaustion). */
void scb_scp03_set_counter(struct scb_transport *filter, uint32_t counter);

#endif

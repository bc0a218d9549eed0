/* SPDX-License-Identifier: Apache-2.0 */
/* scp03_internal.h: test seam of the SCP03 filter (static library only; not exported from
 * libscboot.so). */
#ifndef SCBOOT_SCP03_INTERNAL_H
#define SCBOOT_SCP03_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/scp03.h"

/**
 * NIST SP 800-108 counter-mode KDF with AES-CMAC as GP SCP03 uses it:
 * CMAC(key, 00*11 | constant | 00 | L (16 bits) | i | context), out_bits / 8 bytes.
 * A crypto helper of the filter (and its known-answer test), not part of the library's API.
 */
int scb_scp03_kdf(const uint8_t *key, size_t keylen, uint8_t constant, size_t out_bits,
                  const uint8_t *context, size_t ctxlen, uint8_t *out);

/** Tests only: set the command counter of an open filter (counter exhaustion). */
void scb_scp03_set_counter(struct scb_transport *filter, uint32_t counter);

#endif

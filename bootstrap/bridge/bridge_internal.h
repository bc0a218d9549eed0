/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bridge_internal.h: what the Leshan and Wakaama bridges (leshan.c, wakaama.c) share and the
 * public API does not show: their error text, the list of what an export leaves out and the
 * start of every export (the refusal of secrets nobody asked to see among it).
 */
#ifndef SCBOOT_BRIDGE_INTERNAL_H
#define SCBOOT_BRIDGE_INTERNAL_H

#include <stddef.h>

#include "scboot/model.h"

/* Write the message to err (line > 0: prefixed "line N: "), control characters replaced by
 * '?': keys and values come from the file, and a newline or an escape in one would forge
 * lines or drive the terminal of whoever reads err. Returns SCB_E_PARSE. */
__attribute__((format(printf, 4, 5))) int scb_bridge_fail(char *err, size_t errlen,
                                                          unsigned line, const char *fmt, ...);

/* Append one "; "-separated item to lost (cap bytes); an item that does not fit is dropped. */
__attribute__((format(printf, 3, 4))) void scb_bridge_lost_add(char *lost, size_t cap,
                                                               const char *fmt, ...);

/* What both exports do first: SCB_E_INVALID_ARG for NULL cfg, out or lost or lostlen 0;
 * then *out NULL, lost empty, *errlen 0 when err is NULL; then SCB_E_INVALID_ARG with the first
 * secret's path in err when cfg holds one (/0/x/5, /0/x/8, /21/x/0) and show_secrets is 0
 * (a secret nobody asked to see never leaves in clear); else SCB_OK. */
int scb_bridge_export_start(const struct scb_config *cfg, int show_secrets, char **out,
                            char *lost, size_t lostlen, char *err, size_t *errlen);

#endif

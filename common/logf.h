/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logf.h: the one "format a line and hand it to the caller's log callback" every part uses
 * (the sequence, the CoAP front end, the DTLS credentials); internal, not exported.
 */
#ifndef SCBOOT_COMMON_LOGF_H
#define SCBOOT_COMMON_LOGF_H

/** A caller's log callback: one line, no newline; NULL = no logging. */
typedef void (*scb_log_fn)(void *ctx, const char *line);

/** printf into a line (cut at 512 bytes) and pass it to fn; nothing when fn is NULL. */
void scb_logf(scb_log_fn fn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

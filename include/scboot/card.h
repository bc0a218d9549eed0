/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot card session (pcsc/card.c): APDUs sent through a borrowed transport, 61xx/9Fxx
 * GET RESPONSE, 6Cxx re-send, APDU accounting and the trace hook.
 *
 * Threads: a card session is used by one thread at a time, together with the transport it
 * borrows; distinct sessions on distinct transports are independent.
 */
#ifndef SCBOOT_CARD_H
#define SCBOOT_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/apdu.h"
#include "scboot/error.h"
#include "scboot/transport.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** Direction of a traced APDU. */
enum scb_trace_dir {
    SCB_TRACE_CMD = 0, /**< a command sent to the card */
    SCB_TRACE_RSP = 1  /**< a response from the card */
};
/** Redaction bits: command data (PIN blocks), response data (secret file bytes). */
#define SCB_REDACT_CMD 1 /**< hide command data (PIN blocks) */
#define SCB_REDACT_RSP 2 /**< hide response data (secret file bytes) */
/**
 * Trace callback: one APDU as sent or received. buf is valid during the call only; redacted
 * is nonzero when the data bytes must not be shown (the header and status word may be): on a
 * command, SCB_REDACT_CMD; on a response, SCB_REDACT_RSP (secret file bytes: a length and a
 * hash prefix may be shown) and/or SCB_REDACT_CMD (the answer to a command that carried a
 * secret, such as VERIFY: show its length only, since a hash of a short PIN is easily
 * reversed).
 */
typedef void (*scb_trace_fn)(void *ctx, enum scb_trace_dir dir, const uint8_t *buf,
                             size_t len, int redacted);

/**
 * A card session: a borrowed transport plus APDU accounting and trace. Opaque (its fields may
 * change without notice). Not thread-safe.
 */
struct scb_card;

/**
 * Start a card session on tr (counters zero, no trace, at most 128 61xx/6Cxx follow-ups).
 * \param tr  borrowed: the caller keeps it alive while the session uses it and frees it
 *            itself; may be NULL only if a transport is set before the first command
 * \param out receives the session, owned by the caller (scb_card_free()); NULL on error
 * \return 0, SCB_E_INVALID_ARG (out NULL) or SCB_E_NOMEM
 */
int scb_card_new(struct scb_transport *tr, struct scb_card **out);
/**
 * Free *c (may be NULL or point to NULL; the transport is not freed) and set *c to NULL.
 * \param c the session to free
 */
void scb_card_free(struct scb_card **c);

/**
 * The transport the session sends through.
 * \param c the session
 * \return the transport (borrowed; NULL for a NULL session)
 */
struct scb_transport *scb_card_transport(const struct scb_card *c);
/**
 * Send through tr from now on (a secure-channel filter, or the original put back).
 * \param c  the session
 * \param tr borrowed, as in scb_card_new()
 * \return the previous transport (still the caller's), NULL for a NULL session
 */
struct scb_transport *scb_card_set_transport(struct scb_card *c, struct scb_transport *tr);
/**
 * Trace every command and response to fn.
 * \param c   the session
 * \param fn  the callback (NULL: no trace)
 * \param ctx passed to fn, borrowed
 */
void scb_card_set_trace(struct scb_card *c, scb_trace_fn fn, void *ctx);
/**
 * What the trace must not show.
 * \param c the session
 * \return SCB_REDACT_* bits
 */
int scb_card_redact(const struct scb_card *c);
/**
 * Set what the trace must not show (set and put back around secrets).
 * \param c    the session
 * \param bits SCB_REDACT_* bits
 */
void scb_card_set_redact(struct scb_card *c, int bits);
/**
 * Bound on 61xx/6Cxx follow-ups per command (default 128).
 * \param c         the session
 * \param max_chain the bound
 */
void scb_card_set_max_chain(struct scb_card *c, unsigned max_chain);
/**
 * APDUs sent so far (including GET RESPONSE and re-sends).
 * \param c the session
 * \return the count
 */
unsigned scb_card_apdus(const struct scb_card *c);
/**
 * Bytes sent and received so far.
 * \param c   the session
 * \param out receives the bytes sent (may be NULL)
 * \param in  receives the bytes received (may be NULL)
 */
void scb_card_bytes(const struct scb_card *c, size_t *out, size_t *in);
/**
 * The final status word of the last command.
 * \param c the session
 * \return the status word; 0: none yet, or cleared
 */
uint16_t scb_card_last_sw(const struct scb_card *c);
/**
 * CLA INS P1 P2 of the last command as sent (unwrapped; zeros when none or cleared).
 * \param c   the session
 * \param hdr receives the four header bytes
 */
void scb_card_last_hdr(const struct scb_card *c, uint8_t hdr[4]);
/**
 * Whether the last command was re-sent after 6Cxx (Le corrected).
 * \param c the session
 * \return 1 when it was, else 0
 */
int scb_card_last_resent(const struct scb_card *c);
/**
 * Forget the last command (status word, header, re-send flag): "nothing sent since".
 * \param c the session
 */
void scb_card_clear_last(struct scb_card *c);

/**
 * Send a command and collect the whole response: 61xx and 9Fxx are followed by GET RESPONSE
 * (repeatedly, data concatenated), 6Cxx re-sends the command with Le = xx. data receives the
 * response data (without SW), *sw the final status word. Returns SCB_OK whenever the card
 * answered (check *sw), or a transport error.
 * \param c    the session
 * \param a    the command
 * \param data receives the response data
 * \param cap  size of data
 * \param dlen receives the response data length
 * \param sw   receives the final status word
 * \return SCB_OK or a negative scb_err
 */
int scb_card_transceive(struct scb_card *c, const struct scb_apdu *a, uint8_t *data,
                        size_t cap, size_t *dlen, uint16_t *sw);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

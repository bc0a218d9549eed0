/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot APDU layer (pcsc/apdu.c): short APDUs (ISO 7816-4 cases 1-4), logical channels in
 * CLA, and the card session on a borrowed transport: 61xx/9Fxx GET RESPONSE, 6Cxx re-send,
 * APDU accounting and the trace hook.
 */
#ifndef SCBOOT_APDU_H
#define SCBOOT_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/error.h"
#include "scboot/transport.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_APDU_CMD_MAX 261  /**< 4 header + Lc + 255 data + Le */
#define SCB_APDU_RSP_MAX 258  /**< 256 data + SW1 SW2 */

/** A short command APDU. Case is derived: lc > 0 -> data; has_le -> Le (0 means 256). */
struct scb_apdu {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data;
    size_t lc;
    int has_le;
    size_t le; /**< 1..256; 256 encodes as 00 */
};

/** Encode a short APDU (cases 1-4). out must hold SCB_APDU_CMD_MAX. */
int scb_apdu_encode(const struct scb_apdu *a, uint8_t *out, size_t cap, size_t *len);
/** Parse a short APDU (data points into buf). A 5-byte APDU is case 2 (Le). */
int scb_apdu_parse(const uint8_t *buf, size_t len, struct scb_apdu *a);

/** CLA for an interindustry class byte on a logical channel (0-3: 0x0c|ch; 4-19: 0x40|ch-4). */
int scb_cla_for_channel(uint8_t base_cla, unsigned channel, uint8_t *cla);
/** The logical channel a CLA byte addresses. */
int scb_cla_channel(uint8_t cla, unsigned *channel);

enum scb_trace_dir { SCB_TRACE_CMD = 0, SCB_TRACE_RSP = 1 };
/** Redaction bits: command data (PIN blocks), response data (secret file bytes). */
#define SCB_REDACT_CMD 1
#define SCB_REDACT_RSP 2
typedef void (*scb_trace_fn)(void *ctx, enum scb_trace_dir dir, const uint8_t *buf,
                             size_t len, int redacted);

/**
 * A card session: a borrowed transport plus APDU accounting and trace. Not thread-safe.
 */
struct scb_card {
    struct scb_transport *tr; /**< borrowed */
    scb_trace_fn trace;
    void *trace_ctx;
    int redact;               /**< SCB_REDACT_* bits: what the trace must not show */
    unsigned apdus;           /**< APDUs sent (including GET RESPONSE and re-sends) */
    size_t bytes_out, bytes_in;
    unsigned max_chain;       /**< bound on 61xx/6Cxx follow-ups per command (default 128) */
    int last_resent;          /**< the last transceive re-sent after 6Cxx (Le corrected) */
    uint16_t last_sw;         /**< the final status word of the last command (0: none yet) */
    uint8_t last_hdr[4];      /**< CLA INS P1 P2 of the last command (as sent, unwrapped) */
};

/**
 * Start a card session on tr (counters zero, no trace).
 * \param tr borrowed: the caller keeps it alive while c is used and frees it itself
 */
void scb_card_init(struct scb_card *c, struct scb_transport *tr);

/**
 * Send a command and collect the whole response: 61xx and 9Fxx are followed by GET RESPONSE
 * (repeatedly, data concatenated), 6Cxx re-sends the command with Le = xx. data receives the
 * response data (without SW), *sw the final status word. Returns SCB_OK whenever the card
 * answered (check *sw), or a transport error.
 */
int scb_card_transceive(struct scb_card *c, const struct scb_apdu *a, uint8_t *data,
                        size_t cap, size_t *dlen, uint16_t *sw);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

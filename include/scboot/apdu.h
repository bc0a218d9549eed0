/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot APDUs (pcsc/apdu.c): short APDUs (ISO 7816-4 cases 1-4) and the logical channel
 * bits of the class byte. The card session that sends them is card.h.
 */
#ifndef SCBOOT_APDU_H
#define SCBOOT_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/error.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_APDU_CMD_MAX 261  /**< 4 header + Lc + 255 data + Le */
#define SCB_APDU_RSP_MAX 258  /**< 256 data + SW1 SW2 */

/** A short command APDU. Case is derived: lc > 0 -> data; has_le -> Le (0 means 256). */
struct scb_apdu {
    /** \var scb_apdu::cla
     *  class byte
     *  \var scb_apdu::ins
     *  instruction byte
     *  \var scb_apdu::p1
     *  parameter 1
     *  \var scb_apdu::p2
     *  parameter 2 */
    uint8_t cla, ins, p1, p2;
    const uint8_t *data; /**< command data (borrowed), lc bytes */
    size_t lc;   /**< number of command data bytes (0..255) */
    int has_le;  /**< nonzero: the command expects response data (Le present) */
    size_t le; /**< 1..256; 256 encodes as 00 */
};

/**
 * Encode a short APDU (cases 1-4). out must hold SCB_APDU_CMD_MAX.
 * \param a   the command
 * \param out receives the encoded bytes
 * \param cap size of out
 * \param len receives the encoded length
 * \return SCB_OK or a negative scb_err (an invalid APDU, out too small)
 */
int scb_apdu_encode(const struct scb_apdu *a, uint8_t *out, size_t cap, size_t *len);
/**
 * Parse a short APDU (data points into buf). A 5-byte APDU is case 2 (Le).
 * \param buf the encoded APDU (must outlive a->data)
 * \param len number of bytes at buf
 * \param a   receives the command
 * \return SCB_OK or a negative scb_err (malformed)
 */
int scb_apdu_parse(const uint8_t *buf, size_t len, struct scb_apdu *a);

/**
 * CLA for an interindustry class byte on a logical channel (0-3: 0x0c|ch; 4-19: 0x40|ch-4).
 * \param base_cla the class byte for the basic channel
 * \param channel  the logical channel (0-19)
 * \param cla      receives the class byte
 * \return SCB_OK or SCB_E_INVALID_ARG (channel out of range)
 */
int scb_apdu_cla_for_channel(uint8_t base_cla, unsigned channel, uint8_t *cla);
/**
 * The logical channel a CLA byte addresses.
 * \param cla     the class byte
 * \param channel receives the channel number
 * \return SCB_OK or a negative scb_err (not an interindustry class byte)
 */
int scb_apdu_cla_channel(uint8_t cla, unsigned *channel);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

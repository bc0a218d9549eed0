/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot card transport (pcsc/transport.c): one ops table for pcsc-lite, the emulator and the
 * SCP03 filter, the transport handle, stand-in transports for an empty or unreachable reader,
 * and reader selection by name, index or substring.
 *
 * Threads: a transport is used by one thread at a time, with whatever borrows it (a card
 * session, an SCP03 filter); distinct transports are independent. scb_transport_reader_match() touches
 * nothing but its arguments.
 */
#ifndef SCBOOT_TRANSPORT_H
#define SCBOOT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/error.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_ATR_MAX 33 /**< longest ATR (ISO 7816-3) in bytes */
#define SCB_READER_NAME_MAX 256 /**< size of a reader name buffer, NUL included */

/** What a transport knows about its card and reader. */
struct scb_card_status {
    int present;                   /**< a card is in the reader and powered */
    uint8_t atr[SCB_ATR_MAX];      /**< the card's answer to reset */
    size_t atr_len;                /**< bytes used in atr */
    uint32_t event_count;          /**< goes up on every insert/remove/reset (pcsc-lite >> 16) */
    int protocol;                  /**< 0 = T=0, 1 = T=1, -1 unknown */
    char reader[SCB_READER_NAME_MAX]; /**< the reader's name (NUL-terminated) */
};

/**
 * Operations of a card transport. transmit sends one APDU as it is and returns the raw
 * response including SW1 SW2; it neither follows 61xx nor re-sends on 6Cxx (the APDU layer
 * does). begin/end bracket a multi-APDU sequence (SCardBeginTransaction); may be NULL.
 * Every operation returns SCB_OK or a negative scb_err.
 */
struct scb_transport_ops {
    const char *name; /**< the kind of transport ("pcsc", "emu"), static */
    /** Send cmd (clen bytes) and put the raw response, SW1 SW2 included, in rsp (rcap bytes;
     *  *rlen its length). */
    int (*transmit)(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                    size_t *rlen);
    /** reset != 0: reset the card (warm reset); 0: reconnect after a reset by someone else. */
    int (*reconnect)(void *self, int reset);
    /** Fill *st with what the transport knows about card and reader. */
    int (*status)(void *self, struct scb_card_status *st);
    /** Start exclusive access for a multi-APDU sequence (may be NULL). */
    int (*begin)(void *self);
    /** End what begin started (may be NULL). */
    int (*end)(void *self);
    /** Frees self (and nothing it borrows). */
    void (*destroy)(void *self);
    /**
     * Optional (NULL: not offered): open a logical channel with the application aid selected
     * on it, in one step, where the transport does so itself (a modem's +CCHO, QMI UIM "open
     * logical channel", MBIM UICC "open channel"). *channel receives the channel number the
     * class byte of later APDUs carries. SCB_E_UNSUPPORTED: the caller opens the channel with
     * MANAGE CHANNEL and selects the AID itself; SCB_E_NO_CHANNEL: no logical channel to have,
     * use the basic channel.
     */
    int (*open_channel)(void *self, const uint8_t *aid, size_t aid_len, unsigned *channel);
    /** Optional: close a channel open_channel opened (SCB_E_UNSUPPORTED: not one of those). */
    int (*close_channel)(void *self, unsigned channel);
};

/** A card transport handle: an ops table and the state its operations get as self. */
struct scb_transport {
    const struct scb_transport_ops *ops; /**< the operations (borrowed, static) */
    void *self;                          /**< the operations' state, owned by the handle */
};

/**
 * Allocate a transport handle around ops/self.
 * \param ops  borrowed: must outlive the handle (a static table)
 * \param self owned by the handle on success (ops->destroy frees it in scb_transport_free);
 *             on failure (NULL return) it stays the caller's
 * \return a handle the caller frees with scb_transport_free(), or NULL (ops NULL, out of memory)
 */
struct scb_transport *scb_transport_new(const struct scb_transport_ops *ops, void *self);
/**
 * Destroy the transport (ops->destroy) and set *t to NULL. Idempotent.
 * \param t the handle to free (may be NULL or point to NULL)
 */
void scb_transport_free(struct scb_transport **t);

/**
 * A transport for a reader that is there but holds no card: status says present = 0 (OK),
 * every APDU fails with SCB_E_NO_CARD. R4: the card's instances go (scb_bootstrap_check_card).
 * \param reader copied (the name status reports); may be NULL
 * \return a handle the caller frees with scb_transport_free(), or NULL (out of memory)
 */
struct scb_transport *scb_transport_empty_reader(const char *reader);
/**
 * A transport for a reader (or pcscd) that cannot be reached: status and every APDU fail
 * with err (SCB_E_NO_SERVICE, SCB_E_NO_READERS, ...). The card's state is unknown: kept.
 * \param err the negative scb_err every operation returns
 * \return a handle the caller frees with scb_transport_free(), or NULL (out of memory)
 */
struct scb_transport *scb_transport_unreachable(int err);

/**
 * Send one APDU as it is through t (ops->transmit).
 * \param t    the transport
 * \param cmd  the command APDU
 * \param clen number of bytes at cmd
 * \param rsp  receives the raw response including SW1 SW2
 * \param rcap size of rsp
 * \param rlen receives the response length
 * \return SCB_OK or a negative scb_err
 */
int scb_transport_transmit(struct scb_transport *t, const uint8_t *cmd, size_t clen,
                           uint8_t *rsp, size_t rcap, size_t *rlen);
/**
 * What t knows about its card and reader (ops->status).
 * \param t  the transport
 * \param st receives the status
 * \return SCB_OK or a negative scb_err
 */
int scb_transport_status(struct scb_transport *t, struct scb_card_status *st);
/**
 * Reset the card or reconnect after a reset (ops->reconnect).
 * \param t     the transport
 * \param reset nonzero: warm reset; 0: reconnect after a reset by someone else
 * \return SCB_OK or a negative scb_err
 */
int scb_transport_reconnect(struct scb_transport *t, int reset);
/**
 * Begin a multi-APDU sequence (ops->begin; SCB_OK when the transport has none).
 * \param t the transport
 * \return SCB_OK or a negative scb_err
 */
int scb_transport_begin(struct scb_transport *t);
/**
 * Open a logical channel with aid selected, where the transport does that itself
 * (ops->open_channel).
 * \param t       the transport
 * \param aid     the application's AID
 * \param aid_len its length
 * \param channel receives the channel number the card gave
 * \return SCB_OK with *channel set; SCB_E_UNSUPPORTED when the transport leaves it to
 *         MANAGE CHANNEL + SELECT (every PC/SC reader); SCB_E_NO_CHANNEL: use the basic channel
 */
int scb_transport_open_channel(struct scb_transport *t, const uint8_t *aid, size_t aid_len,
                               unsigned *channel);
/**
 * Close a channel scb_transport_open_channel() opened.
 * \param t       the transport
 * \param channel the channel
 * \return SCB_OK, SCB_E_UNSUPPORTED for any other channel, or a negative scb_err
 */
int scb_transport_close_channel(struct scb_transport *t, unsigned channel);
/**
 * End a multi-APDU sequence (ops->end; SCB_OK when the transport has none).
 * \param t the transport
 * \return SCB_OK or a negative scb_err
 */
int scb_transport_end(struct scb_transport *t);

/* ---- reader selection (pure, testable) ----------------------------------------------- */

/**
 * Pick a reader by spec: an exact name, a decimal index, or a unique substring.
 * \param names the reader names
 * \param n     number of names
 * \param spec  the selection
 * \param idx   receives the index of the chosen name
 * \return SCB_OK, SCB_E_READER_NOT_FOUND or SCB_E_READER_AMBIGUOUS
 */
int scb_transport_reader_match(const char *const *names, size_t n, const char *spec, size_t *idx);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot UICC emulator: a profile-driven card (TS 102 221 file system, logical channels,
 * PIN, T=0 behaviours, faults) used as the mock card of the unit tests, as the built-in
 * `virtual:PROFILE.json` reader, and behind vpcd by scboot-vcard. The profile format is
 * documented in card-profiles.md (/usr/share/doc/libscboot-emu-dev/, doc/ in the sources).
 *
 * Threads: an emulated card has no lock: it and everything made from it (its transport, its
 * event source, a modem simulator in front of it) are used by one thread at a time; only the
 * event source's wake (scb_events_wake()) may come from another thread. Distinct emulators
 * are independent.
 */
#ifndef SCBOOT_EMU_H
#define SCBOOT_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/events.h"
#include "scboot/transport.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** An emulated UICC: opaque. Not thread-safe. */
struct scb_emu;

/**
 * Load a card profile (JSON). Relative file names in the profile are resolved against the
 * profile's folder. err (may be NULL) receives a one-line reason on failure.
 * \param path   the profile file
 * \param out    receives the emulator, owned by the caller (scb_emu_free())
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK or a negative scb_err (SCB_E_IO, SCB_E_JSON, SCB_E_NOMEM, ...)
 */
int scb_emu_load(const char *path, struct scb_emu **out, char *err, size_t errlen);
/**
 * Same from a JSON text; basedir resolves relative file names (may be NULL).
 * \param json    NUL-terminated profile text
 * \param basedir folder for relative file names (may be NULL)
 * \param out     receives the emulator, owned by the caller (scb_emu_free())
 * \param err     receives a one-line reason on failure (may be NULL)
 * \param errlen  size of err
 * \return SCB_OK or a negative scb_err (SCB_E_JSON, SCB_E_INVALID_ARG, SCB_E_NOMEM, ...)
 */
int scb_emu_load_json(const char *json, const char *basedir, struct scb_emu **out, char *err,
                      size_t errlen);
/**
 * Free the emulator and set *e to NULL.
 * \param e the emulator to free (may be NULL or point to NULL)
 */
void scb_emu_free(struct scb_emu **e);

/**
 * Send one APDU to the card as a reader would: applies the profile's faults (removal, reset,
 * forced status word), logs the exchange, then lets the card answer. Returns
 * SCB_E_CARD_REMOVED / SCB_E_NO_CARD / SCB_E_CARD_RESET like a reader would.
 * \param e    the emulator
 * \param cmd  the command APDU
 * \param clen number of bytes at cmd
 * \param rsp  receives the response including SW1 SW2
 * \param cap  size of rsp
 * \param rlen receives the response length
 * \return SCB_OK or a negative scb_err (above)
 */
int scb_emu_transmit(struct scb_emu *e, const uint8_t *cmd, size_t clen, uint8_t *rsp,
                     size_t cap, size_t *rlen);

/**
 * A new transport over the emulator, for scb_card_new() or a card source.
 *
 * Ownership: the caller owns the returned transport and frees it with scb_transport_free(),
 * before scb_emu_free(e). Freeing the transport never frees the emulator: e stays the
 * caller's, borrowed by the transport, and must outlive it. Each call returns a new handle
 * (several may share one emulator).
 * \param e the emulator, borrowed
 * \return the new transport, or NULL (e NULL, out of memory)
 */
struct scb_transport *scb_emu_transport(struct scb_emu *e);

/**
 * Power cycle / warm reset: channels closed, PIN state and secure channel lost.
 * \param e the emulator
 */
void scb_emu_reset(struct scb_emu *e);
/**
 * Take the card out (bumps the event counter).
 * \param e the emulator
 */
void scb_emu_remove(struct scb_emu *e);
/**
 * Put the card back (bumps the event counter).
 * \param e the emulator
 */
void scb_emu_insert(struct scb_emu *e);
/**
 * Whether the card is in.
 * \param e the emulator
 * \return 1 when present, else 0 (0 for NULL)
 */
int scb_emu_present(const struct scb_emu *e);
/**
 * The event counter (insert, remove, reset, ICCID change), as pcsc-lite reports one.
 * \param e the emulator
 * \return the counter (0 for NULL)
 */
uint32_t scb_emu_events(const struct scb_emu *e);
/**
 * The card's ATR.
 * \param e   the emulator
 * \param atr receives the ATR
 * \param cap size of atr
 * \param len receives the ATR length
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_BUFFER
 */
int scb_emu_atr(const struct scb_emu *e, uint8_t *atr, size_t cap, size_t *len);

/** A fault to inject. */
enum scb_emu_fault {
    SCB_EMU_FAULT_NONE = 0,    /**< no fault */
    SCB_EMU_FAULT_REMOVE = 1,  /**< card removed when APDU n+1 is sent */
    SCB_EMU_FAULT_RESET = 2,   /**< card reset when APDU n+1 is sent (once) */
    SCB_EMU_FAULT_SW = 3,      /**< APDU number n (1-based) answered with sw only */
};
/**
 * Arm one fault, counted from now (the APDU counter restarts).
 * \param e    the emulator
 * \param kind the fault
 * \param n    the APDU count it refers to
 * \param sw   the status word for SCB_EMU_FAULT_SW
 */
void scb_emu_set_fault(struct scb_emu *e, enum scb_emu_fault kind, unsigned n, uint16_t sw);

/**
 * Replace the content of transparent EF fid (in any application or the MF).
 * \param e    the emulator
 * \param fid  the file identifier
 * \param data the new content, copied
 * \param len  number of bytes at data
 * \return SCB_OK, SCB_E_NOT_FOUND (no such EF), SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_emu_set_file(struct scb_emu *e, uint16_t fid, const uint8_t *data, size_t len);
/** The file ID of EF LwM2M_Bootstrap in a profile that names none ("bootstrap_fid"). */
#define SCB_EMU_BOOTSTRAP_FID 0x6432
/**
 * Change the ICCID (a different card). Bumps the event counter like a swap.
 * \param e     the emulator
 * \param iccid the new ICCID digits
 * \return SCB_OK or SCB_E_INVALID_ARG (not an ICCID)
 */
int scb_emu_set_iccid(struct scb_emu *e, const char *iccid);

/**
 * The emulator as a daemon's event source (events.h): the first wait, and every wait after
 * the card was inserted, removed, swapped or reset (its event counter moved), reports a change
 * at once; otherwise the wait sleeps until scb_events_wake or the timeout. Use the emulator
 * from the daemon's thread only.
 * \param e           borrowed; must outlive the source
 * \param reader_name copied; the reader's name in log lines (NULL: "virtual")
 * \param out         receives the source, owned by the caller (scb_events_free())
 * \return 0 or a negative scb_err
 */
int scb_emu_events_new(struct scb_emu *e, const char *reader_name, struct scb_events **out);

/**
 * The APDU log: every exchange since load (or the last clear).
 * \param e the emulator
 * \return the number of entries
 */
size_t scb_emu_log_count(const struct scb_emu *e);
/**
 * One entry of the APDU log.
 * \param e    the emulator
 * \param i    the entry (0-based)
 * \param cmd  receives the command (borrowed from e: valid until the next exchange)
 * \param clen receives the command length
 * \param rsp  receives the response (borrowed from e, as cmd)
 * \param rlen receives the response length
 * \return SCB_OK, SCB_E_NOT_FOUND (i out of range) or SCB_E_INVALID_ARG
 */
int scb_emu_log_entry(const struct scb_emu *e, size_t i, const uint8_t **cmd, size_t *clen,
                      const uint8_t **rsp, size_t *rlen);
/**
 * Empty the APDU log.
 * \param e the emulator
 */
void scb_emu_log_clear(struct scb_emu *e);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

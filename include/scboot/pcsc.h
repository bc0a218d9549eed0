/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot pcsc-lite backend: reader listing and a card transport over a PC/SC reader.
 *
 * Threads: a PC/SC transport and a monitor each hold a PC/SC context of their own and are
 * used by one thread at a time, except scb_pcsc_monitor_cancel(), which another thread calls
 * to end a wait; distinct handles are independent. scb_pcsc_list() opens a context of its own
 * for the call and runs on any thread.
 */
#ifndef SCBOOT_PCSC_H
#define SCBOOT_PCSC_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/events.h"
#include "scboot/transport.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** A PC/SC reader and its card as pcscd reports them. */
struct scb_reader_info {
    char name[SCB_READER_NAME_MAX]; /**< the reader's name (NUL-terminated) */
    int present;       /**< card present */
    int in_use;        /**< card in exclusive use by another process */
    int mute;          /**< card does not answer (no ATR) */
    uint8_t atr[SCB_ATR_MAX]; /**< the card's answer to reset */
    size_t atr_len;    /**< bytes used in atr */
    uint32_t events;   /**< pcsc-lite event counter of that reader */
};

/**
 * List the readers known to pcscd. *n may be 0 only when the call fails with
 * SCB_E_NO_READERS. err receives one line naming the PC/SC code.
 * \param list receives a malloc'd array of *n entries, owned by the caller (free()) when
 *             the call succeeds
 * \param n      receives the number of entries
 * \param err    receives one line naming the PC/SC code on failure (may be NULL)
 * \param errlen size of err
 * \return 0 or a negative scb_err
 */
int scb_pcsc_list(struct scb_reader_info **list, size_t *n, char *err, size_t errlen);

/**
 * Connect to the reader chosen by spec (exact name, index, unique substring), SHARED, T=0 or
 * T=1. The transport reconnects after SCARD_W_RESET_CARD (reporting SCB_E_CARD_RESET so the
 * caller re-selects) and retries a sharing violation with bounded back-off.
 * \param spec read during the call only
 * \param out  receives the transport, owned by the caller (scb_transport_free() disconnects)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return 0 or a negative scb_err (err says why; *out is set only on success)
 */
int scb_pcsc_open(const char *spec, struct scb_transport **out, char *err, size_t errlen);

/**
 * Reader and card event monitor for daemons: waits in SCardGetStatusChange (no polling) on
 * the chosen reader(s) and the \\?PnP?\Notification pseudo reader, so reader plug/unplug and
 * card insert/remove/swap wake it. spec NULL = every reader.
 */
struct scb_pcsc_monitor;
/**
 * Create a monitor.
 * \param spec copied; NULL = every reader
 * \param m    receives the monitor, owned by the caller (scb_pcsc_monitor_free())
 * \return 0 or a negative scb_err
 */
int scb_pcsc_monitor_new(const char *spec, struct scb_pcsc_monitor **m);
#define SCB_PCSC_WAIT_FOREVER 0xFFFFFFFFu /**< timeout_ms of a wait without a limit */
/**
 * Wait up to timeout_ms (SCB_PCSC_WAIT_FOREVER: until an event or scb_pcsc_monitor_cancel, at
 * most an hour; no wake-up in between).
 * *changed = 1 when a watched reader's card state, its event counter or
 * the set of readers changed. SCB_E_NO_SERVICE when pcscd is gone: the context is released
 * and the next call re-establishes it (the caller backs off).
 * \param m          the monitor
 * \param timeout_ms longest wait in milliseconds
 * \param changed    receives 1 on a change, else 0
 * \return SCB_OK (change or timeout), SCB_E_NO_SERVICE or another negative scb_err
 */
int scb_pcsc_monitor_wait(struct scb_pcsc_monitor *m, unsigned timeout_ms, int *changed);
/**
 * The watched readers as last seen (name, presence, ATR, events). Returns the count. A reader
 * whose card state pcscd does not know (just added, before its first poll; UNKNOWN or
 * UNAVAILABLE) is left out, and when no listed reader holds a card while such a reader exists,
 * the count is 0: "no reader", card state unknown (R4), never "empty".
 * \param m   the monitor
 * \param out receives up to cap entries
 * \param cap number of entries out holds
 * \return the number of entries written
 */
size_t scb_pcsc_monitor_readers(const struct scb_pcsc_monitor *m, struct scb_reader_info *out,
                                size_t cap);
/**
 * Make a wait blocked in pcscd (in another thread) return now, with *changed = 0
 * (SCardCancel). Thread-safe; a monitor that is not waiting is left as it is.
 * \param m the monitor
 * \return 0 or a negative scb_err
 */
int scb_pcsc_monitor_cancel(struct scb_pcsc_monitor *m);
/**
 * Free *m (may be NULL or point to NULL; releases the PC/SC context) and set *m to NULL.
 * \param m the monitor to free
 */
void scb_pcsc_monitor_free(struct scb_pcsc_monitor **m);

/**
 * The PC/SC monitor as a daemon's event source (events.h): waits block in pcscd without a
 * limit and wake on a card or reader event or scb_events_wake (SCardCancel); the reader used
 * is the one spec names, or (spec NULL) the first holding a card.
 * \param spec copied; NULL = every reader
 * \param out  receives the source, owned by the caller (scb_events_free())
 * \return 0 or a negative scb_err
 */
int scb_pcsc_events_new(const char *spec, struct scb_events **out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

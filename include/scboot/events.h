/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot reader event sources (pcsc/events.c): what a daemon waits on between two runs of the
 * bootstrap sequence. One ops table, several implementations: the PC/SC monitor
 * (scb_pcsc_events_new, pcsc.h), the in-process emulator (scb_emu_events_new, emu.h), a SIM
 * in a modem polled with +CPIN? and its ICCID over AT commands (scb_at_events_new, at.h), and
 * any other source a caller writes: the daemon loop (daemon.h) sees only this interface. A source that has to poll (a modem
 * answering AT+CPIN? and the ICCID) sleeps between its polls on something wake can interrupt
 * (a pipe or an eventfd it writes to), reports *changed when presence or ICCID moved, and
 * counts its own events (scb_events_reader's events) on every insert, removal and swap.
 *
 * Threads: a source is waited on (scb_events_wait(), scb_events_reader()) by one thread at a
 * time, usually the daemon's; scb_events_wake() may be called from any thread. Distinct
 * sources are independent.
 */
#ifndef SCBOOT_EVENTS_H
#define SCBOOT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/transport.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** The reader to use now, as an event source last saw it. */
struct scb_events_reader {
    char name[SCB_READER_NAME_MAX]; /**< the reader (or the spec asked for when none) */
    int reachable;  /**< 0: no reader or service to ask: the card's state is unknown (R4) */
    int present;    /**< a card is in the reader */
    uint32_t events; /**< a counter that moves on every insert, removal and reset (0 unknown) */
};

/**
 * What an event source implements. wait and reader are called from the daemon's thread only;
 * wake may be called from any thread at any time, also while wait blocks.
 */
struct scb_events_ops {
    const char *name; /**< for log lines: "pcscd", "emulator", "modem" */
    /**
     * Block until a reader or card event, a wake, or timeout_ms (< 0: no limit).
     * \param changed set to 1 when the readers or their cards may have changed, else 0
     * \return 0 (also on a timeout or a wake), SCB_E_NO_SERVICE when the service behind the
     *         source is gone (the caller backs off and calls again), another negative scb_err
     */
    int (*wait)(void *self, int timeout_ms, int *changed);
    /** Make a blocked (or the next) wait return soon. Thread-safe; never blocks for long. */
    void (*wake)(void *self);
    /** The reader to use now (after a wait). 0 or a negative scb_err. */
    int (*reader)(void *self, struct scb_events_reader *out);
    /**
     * Open a transport to the card in the named reader.
     * \param out receives the transport, owned by the caller (scb_transport_free())
     * \return 0, SCB_E_NO_CARD (gone since the event) or another negative scb_err (err says why)
     */
    int (*open)(void *self, const char *reader, struct scb_transport **out, char *err,
                size_t errlen);
    /** Release self (called once, by scb_events_free). */
    void (*destroy)(void *self);
    /**
     * Optional (NULL: the source knows none): the device's IMEI when the reader is a cellular
     * modem, for an endpoint name's {imei}. Called from the daemon's thread.
     * \param buf receives the 15 digits, NUL-terminated
     * \param cap size of buf (16 or more)
     * \return 0, or a negative scb_err (the modem did not say)
     */
    int (*imei)(void *self, char *buf, size_t cap);
};

/** An event source: its ops and their state. Opaque. */
struct scb_events;

/**
 * Wrap an implementation.
 * \param ops  borrowed (static tables); wait, wake, reader, open and destroy are required
 * \param self owned from now on: ops->destroy(self) runs in scb_events_free (and here when
 *             the call fails)
 * \param out  receives the source, owned by the caller (scb_events_free())
 * \return 0, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_events_new(const struct scb_events_ops *ops, void *self, struct scb_events **out);
/**
 * Free *ev (may be NULL or point to NULL) and set *ev to NULL: ops->destroy releases the
 * source's state.
 * \param ev the source
 */
void scb_events_free(struct scb_events **ev);

/**
 * Wait for a reader or card event (ops->wait); a wake that came in since the last wait makes
 * this return at once.
 * \param ev         the source
 * \param timeout_ms the longest wait in ms (< 0: no limit)
 * \param changed    set to 1 when the readers or their cards may have changed, else 0
 * \return 0 (also on a timeout or a wake), SCB_E_NO_SERVICE (the service behind the source
 *         is gone: back off and call again), SCB_E_INVALID_ARG or another negative scb_err
 */
int scb_events_wait(struct scb_events *ev, int timeout_ms, int *changed);
/**
 * Wake a wait, now or as soon as it blocks: ops->wake is repeated (every 20 ms, for at most
 * one second) until the wait has returned. Thread-safe; may block the calling thread that
 * long, so call it from a thread of its own (a signal thread), never from a signal handler.
 * \param ev the source (may be NULL: nothing happens)
 */
void scb_events_wake(struct scb_events *ev);
/**
 * The reader to use now, as the source last saw it (ops->reader).
 * \param ev  the source
 * \param out receives the reader
 * \return 0 or a negative scb_err
 */
int scb_events_reader(struct scb_events *ev, struct scb_events_reader *out);
/**
 * Open a transport to the card in the named reader (ops->open).
 * \param ev     the source
 * \param reader the reader's name (scb_events_reader's name)
 * \param out    receives the transport, owned by the caller (scb_transport_free())
 * \param err    receives why it failed
 * \param errlen size of err
 * \return 0, SCB_E_NO_CARD (gone since the event) or another negative scb_err
 */
int scb_events_open(struct scb_events *ev, const char *reader, struct scb_transport **out,
                    char *err, size_t errlen);
/**
 * The device's IMEI as the source knows it (ops->imei).
 * \param ev  the source
 * \param buf receives the 15 digits, NUL-terminated
 * \param cap size of buf (16 or more)
 * \return 0; SCB_E_UNSUPPORTED when the source is no modem; another negative scb_err
 */
int scb_events_imei(struct scb_events *ev, char *buf, size_t cap);
/**
 * The source's name for log lines.
 * \param ev the source (may be NULL)
 * \return the ops table's name ("pcscd", "emulator", "modem"; "" for NULL), static
 */
const char *scb_events_name(const struct scb_events *ev);

/**
 * Several sources watched as one, e.g. every PC/SC reader and a modem: the reader used is the
 * first holding a card, in the order of sources (within a source, as that source picks).
 * With no card anywhere, the source that held the last card says whether it was removed or
 * cannot be seen; before any card the state is unknown while a source cannot be seen (a card
 * may be there). A wait blocks in one source at a time for at most 250 ms after a look at
 * the others that does not block, so an event in another source is seen within that time; a
 * failing source is skipped for a growing number of waits (up to about 30 s) while the
 * others go on, and the wait fails only when every source does. The IMEI is the first
 * source's that knows one.
 * \param sources n sources, taken over: each is set to NULL, also when the call fails
 * \param n       how many (1 or more)
 * \param out     receives the source ("readers" in log lines), owned by the caller
 *                (scb_events_free())
 * \return 0, SCB_E_INVALID_ARG (no sources, a NULL one) or SCB_E_NOMEM
 */
int scb_events_combine_new(struct scb_events **sources, size_t n, struct scb_events **out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

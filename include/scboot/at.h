/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot AT modem transport (pcsc/at.c): a SIM in a cellular modem reached through the
 * 3GPP TS 27.007 AT commands, behind the same transport interface as a PC/SC reader.
 * APDUs on the basic channel go through +CSIM, logical channels through +CCHO/+CGLA/+CCHC,
 * +CRSM is a fallback for modems without +CSIM. doc/modem.md describes the commands, the
 * parsing rules, the port conventions and the presence poll.
 *
 * Threads: an AT transport and a monitor are each used by one thread at a time (the last
 * error text belongs to the transport); distinct handles on distinct ports are independent,
 * two on one port share the device and the caller keeps them apart. The event source's wake
 * (scb_events_wake(), events.h) may come from any thread. scb_at_parse_spec(),
 * scb_at_is_spec() and scb_at_opts_init() touch nothing but their arguments.
 */
#ifndef SCBOOT_AT_H
#define SCBOOT_AT_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/transport.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_AT_DEFAULT_BAUD 115200      /**< line speed when the spec names none */
#define SCB_AT_DEFAULT_TIMEOUT_MS 5000  /**< per-command deadline when the spec names none */
#define SCB_AT_DEFAULT_POLL_MS 2000     /**< presence poll period when the spec names none */

/**
 * Log sink: one line, no newline (what the modem answered and what to do).
 * \param ctx  scb_at_opts.log_ctx
 * \param line the line, borrowed for the call
 */
typedef void (*scb_at_log_fn)(void *ctx, const char *line);

/** Settings of an AT transport; scb_at_opts_init() gives the defaults. */
struct scb_at_opts {
    char device[256];       /**< the serial device (/dev/ttyUSB2) or a pseudo-terminal */
    unsigned baud;          /**< line speed; ignored by USB ACM and pseudo-terminals */
    unsigned timeout_ms;    /**< per command: the final result must be in by then */
    int rtscts;             /**< hardware flow control */
    int lock;               /**< take a UUCP lock file in /var/lock (default on) */
    int crsm;               /**< 1: +CRSM only (a modem without +CSIM; no logical channels) */
    int no_ccho;            /**< 1: never use +CCHO (logical channels through MANAGE CHANNEL) */
    unsigned poll_ms;       /**< presence poll period of scb_at_monitor (+CPIN?) */
    /** where notes and errors go (may be NULL): a failed exchange through the generic
     *  transport, which has no err buffer, is explained here (the command, the modem's
     *  answer, what to do) */
    scb_at_log_fn log;
    void *log_ctx;          /**< given to log; borrowed */
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_at_opts_init(), never set by the caller. */
    void *reserved[8];
};

/**
 * Defaults: 115200 baud, 5 s per command, UUCP lock on, presence poll every 2 s, no device.
 * \param o the options to fill
 */
void scb_at_opts_init(struct scb_at_opts *o);
/**
 * Parse a reader spec "at:DEVICE[,baud=N][,timeout=MS][,rtscts][,nolock][,crsm][,noccho]
 * [,poll=MS]" (the "at:" is optional) into o (fields not named keep their value).
 * \param spec   the reader spec
 * \param o      the options to change (scb_at_opts_init() first)
 * \param err    receives the reason on failure
 * \param errlen size of err
 * \return SCB_OK, or SCB_E_INVALID_ARG with a reason in err
 */
int scb_at_parse_spec(const char *spec, struct scb_at_opts *o, char *err, size_t errlen);
/**
 * Whether a reader spec names a modem.
 * \param spec the reader spec (may be NULL)
 * \return nonzero for "at:...", else 0
 */
int scb_at_is_spec(const char *spec);

/**
 * Open the modem port (exclusive: TIOCEXCL and the UUCP lock; a port ModemManager holds is
 * refused and named), set the line, switch echo off (ATE0) and numeric errors on (AT+CMEE=1).
 * \param o      the port's settings; copied (o->log_ctx stays borrowed)
 * \param out receives the transport, owned by the caller (scb_transport_free())
 * \return SCB_OK; SCB_E_NOT_FOUND, SCB_E_SHARING (port in use), SCB_E_TIMEOUT (no answer),
 *         SCB_E_IO, with a one-line reason in err
 * \param err    receives the reason on failure
 * \param errlen size of err
 */
int scb_at_open(const struct scb_at_opts *o, struct scb_transport **out, char *err,
                size_t errlen);

/**
 * Whether t is an AT transport (scb_at_open, or the port an AT event source lends).
 * \param t the transport (may be NULL)
 * \return nonzero if so, else 0
 */
int scb_at_is(const struct scb_transport *t);
/**
 * Send one AT command and collect its information line.
 * \param t      an AT transport
 * \param cmd    the command without CR ("AT+CGSN")
 * \param prefix the information line's prefix ("+CGSN:") or NULL; bare lines are accepted too
 * \param info   receives the information line without the prefix ("" if none); may be NULL
 * \param cap    size of info
 * \return SCB_OK on OK; an error (with the command and the answer in the log) otherwise
 */
int scb_at_command(struct scb_transport *t, const char *cmd, const char *prefix, char *info,
                   size_t cap);
/**
 * The modem's IMEI (AT+CGSN).
 * \param t   an AT transport
 * \param buf receives the 15 digits, NUL-terminated
 * \param cap size of buf (16 or more)
 * \return SCB_OK; SCB_E_INVALID_ARG; SCB_E_PARSE (not 15 digits) or the command's error
 */
int scb_at_imei(struct scb_transport *t, char *buf, size_t cap);
/**
 * The SIM's ICCID as the modem offers it (+CCID, +QCCID, ^ICCID, +ICCID, else +CRSM of
 * EF ICCID), digits only.
 * \param t   an AT transport
 * \param buf receives 18 to 20 digits, NUL-terminated
 * \param cap size of buf (21 or more)
 * \return SCB_OK; SCB_E_INVALID_ARG; SCB_E_NO_CARD; SCB_E_PARSE or the command's error
 */
int scb_at_iccid(struct scb_transport *t, char *buf, size_t cap);
/**
 * AT commands that reached the card (+CSIM, +CGLA, +CCHO, +CCHC, +CRSM) since open.
 * \param t an AT transport
 * \return the count (0 for NULL or another transport)
 */
unsigned scb_at_card_commands(const struct scb_transport *t);

/* ---- presence and change: the modem has no reader events, so it is polled ----------------- */

/** What the presence monitor saw between two waits. */
enum scb_at_event {
    SCB_AT_EV_NONE = 0,     /**< nothing changed (a timeout) */
    SCB_AT_EV_REMOVED = 1,  /**< the SIM went away (+CPIN? answers SIM not inserted) */
    SCB_AT_EV_INSERTED = 2, /**< a SIM came (back) */
    SCB_AT_EV_SWAPPED = 3,  /**< a different SIM (another ICCID) between two polls */
    SCB_AT_EV_LOST = 4,     /**< the modem does not answer (port gone, reset in progress) */
};

/** A presence monitor on an AT transport: opaque. */
struct scb_at_monitor;

/**
 * A presence monitor on an open AT transport: AT+CPIN? every poll_ms (one short command),
 * +CPIN: URCs in between; the ICCID is read only when the +CPIN state changed or a +CPIN
 * URC came, so a swap between two polls shows as SCB_AT_EV_SWAPPED.
 * \param t       an AT transport; borrowed: must outlive the monitor
 * \param poll_ms the poll period (0: the transport's poll_ms option)
 * \param m       receives the monitor, owned by the caller (scb_at_monitor_free())
 * \return SCB_OK, SCB_E_INVALID_ARG (t no AT transport) or SCB_E_NOMEM
 */
int scb_at_monitor_new(struct scb_transport *t, unsigned poll_ms, struct scb_at_monitor **m);
/**
 * Wait up to timeout_ms for a change.
 * \param m          the monitor
 * \param timeout_ms how long at most
 * \param ev         receives the event (SCB_AT_EV_NONE on timeout)
 * \param present    receives the card's presence after it
 * \return SCB_OK (also when the modem stopped answering: SCB_AT_EV_LOST), SCB_E_INVALID_ARG,
 *         or the error of a +CPIN? the modem refused
 */
int scb_at_monitor_wait(struct scb_at_monitor *m, unsigned timeout_ms, enum scb_at_event *ev,
                        int *present);
/**
 * The ICCID last seen by the monitor.
 * \param m the monitor (may be NULL)
 * \return the digits, owned by m ("" if none)
 */
const char *scb_at_monitor_iccid(const struct scb_at_monitor *m);
/**
 * Free *m (may be NULL or point to NULL) and set *m to NULL; the transport stays open.
 * \param m the monitor
 */
void scb_at_monitor_free(struct scb_at_monitor **m);

/* ---- the modem as a daemon's event source ------------------------------------------------ */

struct scb_events;

/**
 * An event source (events.h) for a SIM in a modem: the port is opened (scb_at_open) and held
 * for the source's life; a presence monitor (scb_at_monitor) polls it every o->poll_ms, and
 * its removals, insertions and swaps are the source's changes (logged through o->log as
 * "modem at:DEVICE: SIM removed" and the like). A wait sleeps on the port and on an eventfd,
 * so a wake ends it at once. Its open lends the same port to the card reads (freeing that
 * transport leaves the port open); its imei answers AT+CGSN. Reader name: "at:DEVICE".
 * A port that cannot be opened yet (no such device: a USB modem that enumerates after boot;
 * an I/O error; a modem that does not answer) is not a failure: the source starts as one
 * whose modem does not answer (reader unreachable, the SIM's state unknown), says so once
 * through o->log ("modem at:DEVICE: cannot be opened yet (...): waiting for it"), and each
 * later wait tries to open it again, failing with SCB_E_NO_SERVICE until it opens (the
 * daemon and scb_events_combine_new() back off between tries), as after a modem that went
 * away.
 * \param o      the port's settings (scb_at_parse_spec); copied, o->log_ctx borrowed
 * \param out    receives the source, owned by the caller (scb_events_free() closes the port)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK (the port open, or waited for); SCB_E_INVALID_ARG (settings), SCB_E_SHARING
 *         or SCB_E_LOCKED (another program holds the port), SCB_E_NOMEM
 */
int scb_at_events_new(const struct scb_at_opts *o, struct scb_events **out, char *err,
                      size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot daemon loop (bootstrap/daemon.c): the bootstrap sequence kept running on a gateway
 * (LwM2M 1.1 6.1.4). It waits on an event source (events.h: PC/SC, the emulator, a modem) and
 * runs the smartcard and factory steps at every reader or card event; when they leave no
 * complete server account it runs client-initiated network bootstrap on a retry schedule,
 * and again when the LwM2M client reports that registration failed on every server; with a
 * listen address it serves server-initiated bootstrap in the same process once the smartcard
 * and factory steps were tried. A card event or a request during a network session abandons
 * the session (nothing from it committed) and the sequence starts again. What a tool does
 * with the outcomes (hooks, logs, service status) it does in the callbacks.
 *
 * Threads: the loop (scb_daemon_step(), scb_daemon_run()) runs on one thread, which owns the
 * daemon and what its options borrow (store, event source, card, callbacks); the only call
 * another thread may make is scb_daemon_request(). Distinct daemons on distinct stores and
 * event sources are independent.
 */
#ifndef SCBOOT_DAEMON_H
#define SCBOOT_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/bootstrap.h"
#include "scboot/coap.h"
#include "scboot/events.h"
#include "scboot/store.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/* Requests to a running loop (scb_daemon_request); they may be OR'ed. */
#define SCB_DAEMON_STOP 1u        /**< leave scb_daemon_run (SIGTERM) */
#define SCB_DAEMON_RECHECK 2u     /**< read the card now, whatever its event counter (SIGHUP) */
/** registration failed on every server: client-initiated bootstrap now, unless every server
 * account says not to (scb_bootstrap_on_registration_failure) (SIGUSR1) */
#define SCB_DAEMON_REGISTRATION_FAILED 4u

/** Default pause after a failed network bootstrap (each one already retried inside
 * scb_coap_bootstrap), doubled after every further failure up to SCB_DAEMON_RETRY_MAX_MS */
#define SCB_DAEMON_RETRY_MS 60000u
/** Default longest pause between two failed network bootstraps */
#define SCB_DAEMON_RETRY_MAX_MS 3600000u
/**
 * "Registration failed" reports (SCB_DAEMON_REGISTRATION_FAILED) start at most one
 * Bootstrap-Request session per this many milliseconds after the last one ended; reports that
 * come faster are joined to the one already due, and none abandons a Bootstrap-Request session
 * under way.
 */
#define SCB_DAEMON_REGFAIL_GAP_MS 30000u

/** Log priorities of the log callback (the syslog numbers). */
enum scb_daemon_prio { SCB_DAEMON_ERR = 3, SCB_DAEMON_WARNING = 4, SCB_DAEMON_INFO = 6,
                       SCB_DAEMON_DEBUG = 7 };

/** A network bootstrap the loop ran (client- or server-initiated). */
struct scb_daemon_network {
    int server_initiated;           /**< the listener's session (else a Bootstrap-Request) */
    enum scb_coap_outcome outcome;  /**< how the session ended (SCB_COAP_COMMITTED: committed) */
    const char *reason;             /**< the failure in words ("" on success) */
    uint64_t generation;            /**< the committed generation after the session */
    unsigned retry_ms;              /**< client-initiated failure: next try in this; else 0 */
};

/**
 * Options of scb_daemon_new(): zero the struct (or scb_daemon_opts_init()), then set them. The
 * struct is copied; pointers are borrowed until scb_daemon_free unless said otherwise.
 */
struct scb_daemon_opts {
    struct scb_bootstrap *seq;      /**< the sequence (smartcard, factory); required */
    struct scb_store *store;        /**< seq commits here: opened (locked), memory or custom; required */
    struct scb_events *events;      /**< the event source; required */
    /** as given to seq: when a check without an event is due (a listener gives way to an
     * EVERY re-read; an ALWAYS re-read waits until the listener returns) */
    enum scb_verify_policy verify;
    uint64_t verify_every_ms;       /**< the period of SCB_VERIFY_EVERY, in ms */
    /** the endpoint name for client-initiated bootstrap; copied; NULL: none is run */
    const char *endpoint;
    /** "[ADDR:]PORT": serve server-initiated bootstrap; copied; NULL: no listener */
    const char *listen;
    /**
     * Template of every network session (profile, PSK, schedule, log); copied by value (its
     * pointers borrowed). listen, server_uri, endpoint, once, cancel are set by the loop:
     * client-initiated sessions use the committed Bootstrap-Server account (server_uri NULL).
     */
    struct scb_coap_opts coap;
    unsigned retry_ms;              /**< 0: SCB_DAEMON_RETRY_MS */
    unsigned retry_max_ms;          /**< 0: SCB_DAEMON_RETRY_MAX_MS */
    /** the network step; NULL: scb_coap_bootstrap (tests put a stub here), which needs
     *  coap_startup() called by the application (scboot/coap.h); network_ctx borrowed. A step
     *  that answers SCB_E_UNSUPPORTED (network bootstrap not built) is logged once and never
     *  scheduled, retried or reported again; with NULL in a build without libcoap that is
     *  known from scb_daemon_new() and said at the first scb_daemon_step(). */
    int (*network)(void *ctx, struct scb_store *st, const struct scb_coap_opts *o,
                   struct scb_coap_result *res);
    void *network_ctx;              /**< given to network; borrowed */
    /** monotonic milliseconds (tests); NULL: CLOCK_MONOTONIC */
    uint64_t (*clock_ms)(void *ctx);
    /** given to every callback below; borrowed. The callbacks may each be NULL and are
     * called from the loop's thread. */
    void *ctx;
    /** one line (no secrets) with a priority */
    void (*log)(void *ctx, enum scb_daemon_prio prio, const char *line);
    /** what the loop does now, in words (a service status line) */
    void (*status)(void *ctx, const char *line);
    /** once: the first check ran (or the event source is not reachable yet) */
    void (*ready)(void *ctx);
    /**
     * After a run of the sequence; not after a re-read that found the card as committed
     * (--verify). res and reader are borrowed for the call.
     */
    void (*card)(void *ctx, const struct scb_run_result *res, const char *reader);
    /** After a network session (never for one the loop abandoned: see status). */
    void (*network_done)(void *ctx, const struct scb_daemon_network *n);
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_daemon_opts_init(), never set by the caller. */
    void *reserved[8];
};

/**
 * Zero o (defaults: no endpoint, no listener, the default profile in o->coap).
 * \param o the options to fill (may be NULL)
 */
void scb_daemon_opts_init(struct scb_daemon_opts *o);

/** The loop's context: opaque. */
struct scb_daemon;

/**
 * \param o   read during the call (see struct scb_daemon_opts)
 * \param out receives the loop, owned by the caller (scb_daemon_free())
 * \return 0, SCB_E_INVALID_ARG (o, out, seq, store or events NULL) or SCB_E_NOMEM
 */
int scb_daemon_new(const struct scb_daemon_opts *o, struct scb_daemon **out);
/**
 * Free *d (may be NULL or point to NULL) and set *d to NULL. Borrowed things stay.
 * \param d the loop
 */
void scb_daemon_free(struct scb_daemon **d);

/**
 * Ask the loop for something (SCB_DAEMON_* OR'ed): a network session under way is abandoned,
 * a wait returns. Thread-safe (a signal thread calls it); not async-signal-safe: call it from
 * a thread that took the signal with sigwait, not from a handler.
 * \param d    the loop (may be NULL: nothing happens)
 * \param what SCB_DAEMON_STOP, SCB_DAEMON_RECHECK, SCB_DAEMON_REGISTRATION_FAILED, OR'ed
 */
void scb_daemon_request(struct scb_daemon *d, unsigned what);

/**
 * One turn of the loop: handle requests and due work (a check, a network session), or else
 * wait for an event up to max_wait_ms (< 0: as long as nothing is due).
 * \param d           the loop
 * \param max_wait_ms the longest wait, in ms
 * \return 0, 1 once SCB_DAEMON_STOP was requested, or a negative scb_err (d NULL)
 */
int scb_daemon_step(struct scb_daemon *d, int max_wait_ms);
/**
 * Turn until SCB_DAEMON_STOP.
 * \param d the loop
 * \return 0 or a negative scb_err (d NULL)
 */
int scb_daemon_run(struct scb_daemon *d);

/**
 * The priority of a line the library logs through a one-argument log callback (the
 * sequence's, a network session's), which carry none: store and commit failures and a PIN
 * the card refused are errors; data rejected (violations, an unusable factory file, an
 * unreadable card) and warnings are warnings; the rest is information.
 * \param line the line (NULL: SCB_DAEMON_INFO)
 * \return SCB_DAEMON_ERR, SCB_DAEMON_WARNING or SCB_DAEMON_INFO
 */
enum scb_daemon_prio scb_daemon_line_prio(const char *line);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

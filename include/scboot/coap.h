/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot CoAP front end (libcoap): maps a Bootstrap-Server's requests onto the bootstrap
 * session (PUT -> Bootstrap-Write, DELETE -> Bootstrap-Delete, GET with Accept 40 ->
 * Bootstrap-Discover, GET -> Bootstrap-Read, POST /bs -> Bootstrap-Finish answered 2.04 or 4.06
 * with the violations as a text/plain diagnostic payload), server-initiated (listening) or
 * client-initiated (POST /bs?ep=NAME). Bodies up to SCB_COAP_MAX_BODY bytes, block-wise
 * (RFC 7959) when large. The credentials of the committed Bootstrap-Server account decide the
 * transport: DTLS with PSK, raw public keys or certificates, plain CoAP only without an account
 * holding credentials. A Finish is answered 2.04 only once its commit (provenance network) is
 * durable, 5.00 when the store cannot take it; anything else commits nothing.
 *
 * Two forms, one code path: scb_coap_bootstrap() blocks until the run ends; the client handle
 * (scb_coap_client_new(), scb_coap_client_fd(), scb_coap_client_timeout(),
 * scb_coap_client_step(), scb_coap_client_result(), scb_coap_client_free()) runs the same
 * state machine from the caller's own poll() loop. A client with its own CoAP stack uses
 * neither: it feeds the decoded requests to the transport-independent session
 * (scboot/session.h).
 *
 * libcoap's process-wide state belongs to the application: scboot never calls coap_startup(),
 * coap_cleanup() or coap_set_log_level(). Call coap_startup() once before the first
 * scb_coap_bootstrap() or scb_coap_client_new(), set libcoap's log level as you wish (4.3.1
 * prints its warnings, an unreachable peer's ICMP error among them, on standard output), and
 * coap_cleanup() after the last handle is freed. Without coap_startup() libcoap 4.3.1 still
 * runs a whole bootstrap (a test does so): it skips setting its clock's origin and its TLS
 * library's log hooks (Debian's build takes its random numbers from getrandom() either way);
 * later libcoap releases may refuse to run, so call it.
 *
 * Built without libcoap (meson -Dcoap=disabled, or libcoap3-dev missing) the library exports
 * the same functions: scb_coap_opts_init() works, the others answer SCB_E_UNSUPPORTED (the
 * result's reason says network bootstrap is not built).
 *
 * Thread-safety: a client handle is used by one thread at a time; different handles on
 * different stores may run in different threads only if the application made libcoap
 * thread-safe (libcoap 4.3.1 is not).
  */
#ifndef SCBOOT_COAP_H
#define SCBOOT_COAP_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/store.h"
#include "scboot/validate.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_COAP_MAX_BODY 32768u /**< larger request bodies: 4.13 with Size1 */

/* Bootstrap-Request schedule defaults (client-initiated) */
#define SCB_COAP_ATTEMPTS 5u          /**< whole exchanges */
#define SCB_COAP_BACKOFF_MS 2000u     /**< pause after the first failed exchange, doubled */
#define SCB_COAP_BACKOFF_MAX_MS 60000u /**< longest pause between exchanges */
#define SCB_COAP_ACK_TIMEOUT_MS 2000u /**< RFC 7252 ACK_TIMEOUT inside an exchange (>= 1000:
                                           libcoap 4.3.1 ignores a shorter one) */
#define SCB_COAP_MAX_RETRANSMIT 4u    /**< RFC 7252 MAX_RETRANSMIT inside an exchange */

/** Options of a network bootstrap: scb_coap_opts_init(), then set what is needed. */
struct scb_coap_opts {
    const char *listen;          /**< "[ADDR:]PORT" / "[V6ADDR]:PORT": server-initiated */
    /**
     * Client-initiated: coap://host:port or coaps://host:port. NULL with listen NULL and an
     * endpoint: the committed Bootstrap-Server account's URI (/0/x/0). Given while such an
     * account is committed, it must name the same scheme, host and port.
     */
    const char *server_uri;
    const char *endpoint;        /**< the client's endpoint name (ep=), see scboot/endpoint.h */
    int pct;                     /**< preferred content format to announce (pct=), -1 none */
    /** DTLS PSK when no Bootstrap-Server account holds credentials (never replaces one) */
    const uint8_t *psk_identity;
    size_t psk_identity_len;     /**< bytes at psk_identity */
    const uint8_t *psk_key;      /**< DTLS PSK key (borrowed; never logged) */
    size_t psk_key_len;          /**< bytes at psk_key */
    uint64_t exchange_lifetime_ms; /**< 0 = 247 s */
    int once;                    /**< return after the first bootstrap session ends */
    /* client-initiated schedule (0 = the SCB_COAP_* default) */
    unsigned attempts;           /**< whole exchanges (SCB_COAP_ATTEMPTS) */
    unsigned backoff_ms;         /**< first pause, doubled (SCB_COAP_BACKOFF_MS) */
    unsigned backoff_max_ms;     /**< longest pause (SCB_COAP_BACKOFF_MAX_MS) */
    unsigned ack_timeout_ms;     /**< RFC 7252 ACK_TIMEOUT (SCB_COAP_ACK_TIMEOUT_MS) */
    unsigned max_retransmit;     /**< RFC 7252 MAX_RETRANSMIT (SCB_COAP_MAX_RETRANSMIT) */
    struct scb_profile profile;  /**< what the client supports, for the validator at Finish */
    /** Log callback: one line (no secrets) per step; NULL: no log. line is valid during the
     *  call only. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;               /**< passed to log, borrowed */
    /**
     * Polled at least every 250 ms while the run waits (hold-off, back-off pauses, replies,
     * the listener waiting for a peer or its next operation). Non-zero: the session is
     * abandoned, nothing from it is committed (a Finish not yet answered included), and
     * scb_coap_bootstrap() returns SCB_OK with outcome SCB_COAP_CANCELLED. NULL: never.
     */
    int (*cancel)(void *ctx);
    void *cancel_ctx;            /**< passed to cancel, borrowed */
    /**
     * Client-initiated: skip the account's Client Hold Off Time (/0/x/11), otherwise waited
     * before the first Bootstrap-Request (for tests and an operator's explicit run).
     */
    int no_hold_off;
    /**
     * Server-initiated, borrowed, NULL: this call only. Set to non-zero once a listener bound
     * with DTLS; while it is non-zero, a listener whose committed account no longer requires
     * DTLS binds loopback only (with a warning), never the address given. A caller that runs
     * the listener again and again (opts.once, a daemon) passes the same flag every time, so
     * a session that rewrote the account to NoSec cannot open the given address unauthenticated.
     */
    int *listen_secured;
    /* Server-initiated. Zero: a listener without a committed account that requires DTLS
     * binds 127.0.0.1 (::1 for an IPv6 address) unless the address given is loopback already,
     * with a warning. listen_secured wins over it: an address once bound with DTLS never
     * turns plain. */
    int listen_unauthenticated; /**< plain CoAP may listen on the address given, not only
                                     loopback */
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_coap_opts_init(), never set by the caller. */
    void *reserved[8];
};

/** How a network bootstrap ended. */
enum scb_coap_outcome {
    SCB_COAP_COMMITTED = 0,   /**< a Finish was accepted and its commit is durable */
    SCB_COAP_REJECTED,        /**< Bootstrap-Request refused, or no acceptable Finish in time */
    SCB_COAP_REFUSED_SETUP,   /**< options contradict the committed account (usage error) */
    SCB_COAP_UNREACHABLE,     /**< the Bootstrap-Server never answered (or cannot listen) */
    /** Finish validated, the store could not commit, or its committed state changed during
     *  the session (SCB_E_STALE: nothing committed): 5.00 sent with the reason */
    SCB_COAP_COMMIT_FAILED,
    SCB_COAP_CANCELLED,       /**< opts.cancel asked to stop: nothing from the session committed */
};

/** The result of a network bootstrap. */
struct scb_coap_result {
    enum scb_coap_outcome outcome; /**< how it ended */
    char reason[256];         /**< the failure in words (empty on success) */
    /** Room for fields added within soname 1 without changing the struct's size: zeroed
     *  by the call that fills the result. */
    void *reserved[8];
};

/**
 * Whether this libscboot was built with network bootstrap (libcoap). Without it (meson
 * -Dcoap=disabled) the same functions are exported and every one that would talk CoAP answers
 * SCB_E_UNSUPPORTED. Safe from any thread.
 * \return 1 with network bootstrap, 0 without
 */
int scb_coap_supported(void);
/**
 * Set o to the defaults: no listen address, server URI, endpoint name or PSK; pct -1 (none
 * announced); EXCHANGE_LIFETIME 247 s; the schedule SCB_COAP_ATTEMPTS, SCB_COAP_BACKOFF_MS,
 * SCB_COAP_BACKOFF_MAX_MS, SCB_COAP_ACK_TIMEOUT_MS, SCB_COAP_MAX_RETRANSMIT; the profile
 * scb_profile_default(); no log, no cancel hook; the hold-off waited; a plain listener on
 * loopback only. Fields added later get their defaults here, so callers keep working.
 * \param o the options to set (NULL: nothing happens)
 */
void scb_coap_opts_init(struct scb_coap_opts *o);

/**
 * Run network bootstrap until it ends (a loop over the client handle's steps). Returns SCB_OK
 * with res->outcome telling what happened, or a negative error when it could not run at all
 * (res->reason says why). Needs coap_startup() called by the application (see the file
 * comment).
 * \param st  borrowed, opened (locked)
 * \param o   o->listen (server-initiated), or o->server_uri (client-initiated), or neither
 *            with o->endpoint set (client-initiated towards the committed Bootstrap-Server
 *            account: without one SCB_E_INVALID_ARG, outcome SCB_COAP_REFUSED_SETUP); both, or
 *            neither without an endpoint (or st, o NULL): SCB_E_INVALID_ARG, outcome
 *            SCB_COAP_REFUSED_SETUP
 * \param res required (SCB_E_INVALID_ARG when NULL)
 * \return SCB_OK (see res->outcome), a negative scb_err, SCB_E_UNSUPPORTED when built
 *         without libcoap
 */
int scb_coap_bootstrap(struct scb_store *st, const struct scb_coap_opts *o,
                       struct scb_coap_result *res);

/** A network bootstrap run driven from the caller's event loop: opaque. */
struct scb_coap_client;

/**
 * Start a network bootstrap run without blocking: the options are checked and the store's
 * committed configuration loaded; sockets open and requests go out in the steps.
 * Needs coap_startup() called by the application (see the file comment).
 * \param st     borrowed until scb_coap_client_free(), opened (locked)
 * \param o      copied; the strings, keys and callbacks it points to are borrowed until
 *               scb_coap_client_free(). The same rules as scb_coap_bootstrap(); o->cancel
 *               is polled at every step
 * \param out    receives the handle (the caller frees it: scb_coap_client_free()); NULL on
 *               failure
 * \param err    receives the failure in words (may be NULL)
 * \param errlen bytes at err
 * \return SCB_OK, SCB_E_INVALID_ARG (options refused; scb_coap_bootstrap() reports them as
 *         outcome SCB_COAP_REFUSED_SETUP), SCB_E_NOMEM, a store error, SCB_E_UNSUPPORTED when
 *         built without libcoap
 */
int scb_coap_client_new(struct scb_store *st, const struct scb_coap_opts *o,
                        struct scb_coap_client **out, char *err, size_t errlen);
/**
 * The file descriptor to watch for input (POLLIN) between steps: libcoap's own
 * (coap_context_get_coap_fd(), an epoll descriptor covering every socket of the run). It may
 * change after a step (a listener re-binds for each session): ask again after every step.
 * \param c the handle
 * \return the descriptor, or -1 (none now, or a libcoap built without epoll: then step at
 *         every scb_coap_client_timeout())
 */
int scb_coap_client_fd(const struct scb_coap_client *c);
/**
 * How long the caller may wait (poll's timeout) before the next scb_coap_client_step(), by
 * CLOCK_MONOTONIC: the next retransmission, back-off or hold-off end, EXCHANGE_LIFETIME
 * check, or cancel poll, whichever comes first.
 * \param c the handle
 * \return milliseconds, 0..250 (0: step now; also after the run ended)
 */
int scb_coap_client_timeout(const struct scb_coap_client *c);
/**
 * Do what is due without blocking: read what arrived, answer it, retransmit, move the
 * schedule on (hold-off, Bootstrap-Request attempts, back-off, serving, commit).
 * \param c the handle
 * \return 1 while the run goes on, 0 once it ended (then scb_coap_client_result()); a
 *         negative scb_err when c is NULL
 */
int scb_coap_client_step(struct scb_coap_client *c);
/**
 * How the run ended.
 * \param c   the handle
 * \param res receives the outcome and its reason once the run ended
 * \return 1 while the run goes on (res untouched); once ended, what scb_coap_bootstrap()
 *         would have returned (SCB_OK with res->outcome, or a negative scb_err);
 *         SCB_E_INVALID_ARG when c or res is NULL
 */
int scb_coap_client_result(const struct scb_coap_client *c, struct scb_coap_result *res);
/**
 * Free *c (may be NULL or point to NULL) and set *c to NULL. A run not yet ended is abandoned:
 * nothing from its session is committed (a Finish not yet answered included).
 * \param c the handle to free
 */
void scb_coap_client_free(struct scb_coap_client **c);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

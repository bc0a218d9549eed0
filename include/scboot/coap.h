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

/** Options of a network bootstrap; zero-initialise and set what is needed. */
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
};

/** How a network bootstrap ended. */
enum scb_coap_outcome {
    SCB_COAP_COMMITTED = 0,   /**< a Finish was accepted and its commit is durable */
    SCB_COAP_REJECTED,        /**< Bootstrap-Request refused, or no acceptable Finish in time */
    SCB_COAP_REFUSED_SETUP,   /**< options contradict the committed account (usage error) */
    SCB_COAP_UNREACHABLE,     /**< the Bootstrap-Server never answered (or cannot listen) */
    SCB_COAP_COMMIT_FAILED,   /**< Finish validated, the store could not commit: 5.00 sent */
    SCB_COAP_CANCELLED,       /**< opts.cancel asked to stop: nothing from the session committed */
};

/** The result of a network bootstrap. */
struct scb_coap_result {
    enum scb_coap_outcome outcome; /**< how it ended */
    char reason[256];         /**< the failure in words (empty on success) */
};

/**
 * Run network bootstrap. Returns SCB_OK with res->outcome telling what happened, or a negative
 * error when it could not run at all (res->reason says why).
 * \param st  borrowed, opened (locked)
 * \param o   o->listen (server-initiated), or o->server_uri (client-initiated), or neither
 *            with o->endpoint set (client-initiated towards the committed Bootstrap-Server
 *            account: without one SCB_E_INVALID_ARG, outcome SCB_COAP_REFUSED_SETUP); both, or
 *            neither without an endpoint (or st, o NULL): SCB_E_INVALID_ARG, outcome
 *            SCB_COAP_REFUSED_SETUP
 * \param res required (SCB_E_INVALID_ARG when NULL)
 * \return SCB_OK (see res->outcome) or a negative scb_err
 */
int scb_coap_bootstrap(struct scb_store *st, const struct scb_coap_opts *o,
                       struct scb_coap_result *res);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

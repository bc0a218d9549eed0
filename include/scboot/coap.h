/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot CoAP front end (libcoap): maps a Bootstrap-Server's requests onto the bootstrap
 * session (PUT -> Bootstrap-Write, DELETE -> Bootstrap-Delete, GET with Accept 40 ->
 * Bootstrap-Discover, GET -> Bootstrap-Read, POST /bs -> Bootstrap-Finish answered 2.04 or 4.06
 * with the violations as a text/plain diagnostic payload), server-initiated (listening) or
 * client-initiated (POST /bs?ep=NAME), NoSec or DTLS with PSK. A Finish answered 2.04 is
 * committed through the store with provenance "network"; anything else commits nothing.
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

struct scb_coap_opts {
    const char *listen;          /**< "[ADDR:]PORT": server-initiated; NULL: client-initiated */
    const char *server_uri;      /**< client-initiated: coap://host:port or coaps://host:port */
    const char *endpoint;        /**< the client's endpoint name (ep=) */
    int pct;                     /**< preferred content format to announce (pct=), -1 none */
    const uint8_t *psk_identity; /**< DTLS PSK; NULL: from the Bootstrap-Server account */
    size_t psk_identity_len;
    const uint8_t *psk_key;
    size_t psk_key_len;
    uint64_t exchange_lifetime_ms; /**< 0 = 247 s */
    int once;                    /**< return after the first bootstrap session ends */
    unsigned request_retries;    /**< client-initiated: Bootstrap-Request attempts (0 = 4) */
    struct scb_profile profile;
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

/**
 * Run network bootstrap. *committed is set when a Finish was accepted and committed.
 * Returns SCB_OK when a session ended (committed or not; see *committed), SCB_E_TIMEOUT when no
 * Finish came within EXCHANGE_LIFETIME, SCB_E_TRANSPORT for network errors.
 */
int scb_coap_bootstrap(struct scb_store *st, const struct scb_coap_opts *o, int *committed);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot bootstrap session: the network Bootstrap-Server's operations (Bootstrap-Write,
 * -Delete, -Discover, -Read, -Finish), transport-independent, on a staging copy of the
 * committed configuration. Finish runs the shared validator: 2.04 and the staging copy is
 * handed out for commit, or 4.06 with the violations and the session stays open. No Finish
 * within EXCHANGE_LIFETIME after the last operation: the session fails and nothing changes.
 */
#ifndef SCBOOT_SESSION_H
#define SCBOOT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/codec.h"
#include "scboot/validate.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/* CoAP response codes (class << 5 | detail) */
#define SCB_COAP_2_02_DELETED 0x42
#define SCB_COAP_2_04_CHANGED 0x44
#define SCB_COAP_2_05_CONTENT 0x45
#define SCB_COAP_4_00_BAD_REQUEST 0x80
#define SCB_COAP_4_04_NOT_FOUND 0x84
#define SCB_COAP_4_05_METHOD_NOT_ALLOWED 0x85
#define SCB_COAP_4_06_NOT_ACCEPTABLE 0x86
#define SCB_COAP_4_15_UNSUPPORTED_FORMAT 0x8F

#define SCB_CF_LINK_FORMAT 40
#define SCB_CF_TLV 11542
#define SCB_EXCHANGE_LIFETIME_MS 247000u

enum scb_session_state { SCB_SESSION_OPEN = 0, SCB_SESSION_DONE = 1, SCB_SESSION_FAILED = 2 };

typedef uint64_t (*scb_clock_fn)(void *ctx); /**< milliseconds, monotonic */

struct scb_session {
    struct scb_config staging;
    struct scb_profile profile;
    enum scb_session_state state;
    uint64_t lifetime_ms;
    uint64_t last_op_ms;
    scb_clock_fn now;
    void *clock_ctx;
    int has_bs;
    uint16_t bs_iid;           /**< the Bootstrap-Server account's /0 instance (protected) */
    struct scb_report report;  /**< violations of the last Finish */
};

/**
 * Start a session on a copy of committed (may be NULL: empty). clock NULL = CLOCK_MONOTONIC.
 * lifetime_ms 0 = EXCHANGE_LIFETIME (247 s).
 */
int scb_session_init(struct scb_session *s, const struct scb_config *committed,
                     const struct scb_profile *p, uint64_t lifetime_ms, scb_clock_fn clock,
                     void *clock_ctx);
void scb_session_free(struct scb_session *s);

/**
 * Each returns a CoAP code (SCB_COAP_*), or a negative error when it could not run.
 * Bootstrap-Write takes TLV (11542), SenML JSON (110) and SenML CBOR (112), decoded into the
 * same model; another content_format is 4.15, a payload that does not decode or a value of the
 * wrong kind for its resource 4.00.
 */
int scb_session_write(struct scb_session *s, const char *path, unsigned content_format,
                      const uint8_t *payload, size_t len);
int scb_session_delete(struct scb_session *s, const char *path);
/** Link format into out (application/link-format). */
int scb_session_discover(struct scb_session *s, const char *path, struct scb_buf *out);
/** TLV of /1 or /2 (or one instance of them) into out (= scb_session_read_as, accept -1). */
int scb_session_read(struct scb_session *s, const char *path, struct scb_buf *out);
/**
 * Bootstrap-Read of /1 or /2 (or one instance) in the format accept asks: -1 (no Accept
 * option) or 11542 TLV, 110 SenML JSON, 112 SenML CBOR; another format is 4.06. *used (may
 * be NULL) receives the content format of out when the answer is 2.05.
 */
int scb_session_read_as(struct scb_session *s, const char *path, int accept,
                        struct scb_buf *out, unsigned *used);
/**
 * Bootstrap-Finish: 2.04 and *commit receives the validated configuration (caller frees), or
 * 4.06 with s->report holding the violations (the session stays open).
 */
int scb_session_finish(struct scb_session *s, struct scb_config *commit);
/** The 4.06 diagnostic payload: one "rule path" per line. */
int scb_session_diagnostic(const struct scb_session *s, struct scb_buf *out);
/** Apply EXCHANGE_LIFETIME: returns SCB_E_TIMEOUT (and fails the session) when it passed. */
int scb_session_tick(struct scb_session *s);

/** Parse "/o/i/r" (1-3 IDs, or "/" for none). Returns the number of IDs or a negative error. */
int scb_path_parse(const char *path, uint16_t ids[3]);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

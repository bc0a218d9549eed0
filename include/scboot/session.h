/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
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

#include "scboot/tlv.h"
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

/** A bootstrap session: opaque (its fields may change within soname 0). */
struct scb_session;

/** Options of scb_session_new(); zero-initialize, then set what differs from the defaults. */
struct scb_session_opts {
    const struct scb_profile *profile; /**< NULL = scb_profile_default(); copied */
    uint64_t lifetime_ms;              /**< 0 = EXCHANGE_LIFETIME (247 s) */
    scb_clock_fn clock;                /**< NULL = CLOCK_MONOTONIC */
    void *clock_ctx;                   /**< passed to clock; borrowed */
};

/**
 * Start a session on a copy of committed.
 * \param o         options (may be NULL: all defaults); read during the call only
 * \param committed the committed configuration (may be NULL: empty); copied, not kept
 * \param out       receives the new session (owned by the caller: scb_session_free())
 * \return 0, or a negative scb_err (*out is then NULL)
 */
int scb_session_new(const struct scb_session_opts *o, const struct scb_config *committed,
                    struct scb_session **out);
/** Free *s (may be NULL or point to NULL) and set *s to NULL. */
void scb_session_free(struct scb_session **s);

/** The session's state (open, done, failed). */
enum scb_session_state scb_session_state(const struct scb_session *s);
/**
 * Violations of the last Bootstrap-Finish.
 * \return a pointer borrowed from s: valid until the next operation on s or scb_session_free()
 */
const struct scb_report *scb_session_report(const struct scb_session *s);
/**
 * The staging copy the operations act on (emptied when the session fails).
 * \return a pointer borrowed from s: valid until the next operation on s or scb_session_free()
 */
const struct scb_config *scb_session_staging(const struct scb_session *s);

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
 * 4.06 with scb_session_report(s) holding the violations (the session stays open).
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

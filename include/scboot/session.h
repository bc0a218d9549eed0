/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot bootstrap session: the network Bootstrap-Server's operations (Bootstrap-Write,
 * -Delete, -Discover, -Read, -Finish), transport-independent, on a staging copy of the
 * committed configuration. Finish runs the shared validator: 2.04 and the staging copy is
 * handed out for commit, or 4.06 with the violations and the session stays open. No Finish
 * within EXCHANGE_LIFETIME after the last operation: the session fails and nothing changes.
 *
 * The entry for an LwM2M client that has its own CoAP stack (Wakaama, Anjay, its own DTLS):
 * scboot's sockets and libcoap stay out of it. Per Bootstrap-Server session:
 * 1. scb_store_load() the committed state and scb_session_new() on its configuration;
 * 2. for each request the stack decoded, call scb_session_write() (PUT, with its
 *    Content-Format and the whole reassembled body), scb_session_delete() (DELETE),
 *    scb_session_discover() (GET with Accept 40) or scb_session_read_as() (GET), and answer
 *    with the CoAP code returned (and the payload, for 2.05);
 * 3. on POST /bs, scb_session_commit(): the shared validator, then the store's commit of the
 *    staging copy with provenance "network" (the store's commit observer fires, as for a card
 *    commit); answer 2.04 only when it returns SCB_COAP_CODE_2_04_CHANGED, 4.06 with
 *    scb_session_diagnostic() as text/plain, 5.00 when it returns a negative error (among
 *    them SCB_E_STALE: the committed configuration is no longer the one of step 1, a card
 *    check or another commit changed it meanwhile, and nothing was committed);
 * 4. call scb_session_tick() from the client's timer: SCB_E_TIMEOUT ends the session with
 *    nothing committed; scb_session_free() in every case.
 * Which peer may send these requests (the committed Bootstrap-Server account's credentials)
 * is the client's DTLS layer's decision, as scb_coap_bootstrap() makes it for its own.
 *
 * Threads: a session is used by one thread at a time; distinct sessions are independent.
 * scb_session_path_parse() touches nothing but its arguments.
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

/* CoAP response codes (class << 5 | detail), what the handlers below return. The family is
 * SCB_COAP_CODE_*; coap.h's SCB_COAP_* are the CoAP front end's limits, defaults and outcomes. */
#define SCB_COAP_CODE_2_02_DELETED 0x42 /**< 2.02 Deleted */
#define SCB_COAP_CODE_2_04_CHANGED 0x44 /**< 2.04 Changed */
#define SCB_COAP_CODE_2_05_CONTENT 0x45 /**< 2.05 Content */
#define SCB_COAP_CODE_4_00_BAD_REQUEST 0x80 /**< 4.00 Bad Request */
#define SCB_COAP_CODE_4_04_NOT_FOUND 0x84 /**< 4.04 Not Found */
#define SCB_COAP_CODE_4_05_METHOD_NOT_ALLOWED 0x85 /**< 4.05 Method Not Allowed */
#define SCB_COAP_CODE_4_06_NOT_ACCEPTABLE 0x86 /**< 4.06 Not Acceptable */
#define SCB_COAP_CODE_4_15_UNSUPPORTED_FORMAT 0x8F /**< 4.15 Unsupported Content-Format */

#define SCB_CF_LINK_FORMAT 40 /**< CoAP content format: application/link-format */
#define SCB_CF_TLV 11542 /**< CoAP content format: application/vnd.oma.lwm2m+tlv */
#define SCB_EXCHANGE_LIFETIME_MS 247000u /**< RFC 7252 EXCHANGE_LIFETIME: a session's limit */

/** Where a bootstrap session stands. */
enum scb_session_state {
    SCB_SESSION_OPEN = 0,  /**< operations are accepted */
    SCB_SESSION_DONE = 1,  /**< a Bootstrap-Finish was accepted */
    SCB_SESSION_FAILED = 2 /**< the exchange lifetime passed: the staging copy is dropped */
};

/** Clock callback: milliseconds, monotonic. */
typedef uint64_t (*scb_clock_fn)(void *ctx); /**< milliseconds, monotonic */

struct scb_store; /* scboot/store.h */

/** A bootstrap session: opaque (its fields may change without notice). */
struct scb_session;

/** Options of scb_session_new(); start from scb_session_opts_init(), then set what differs. */
struct scb_session_opts {
    const struct scb_profile *profile; /**< NULL = scb_profile_default(); copied */
    uint64_t lifetime_ms;              /**< 0 = EXCHANGE_LIFETIME (247 s) */
    scb_clock_fn clock;                /**< NULL = CLOCK_MONOTONIC */
    void *clock_ctx;                   /**< passed to clock; borrowed */
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_session_opts_init(), never set by the caller. */
    void *reserved[8];
};

/**
 * Set the defaults: the default profile (NULL), lifetime SCB_EXCHANGE_LIFETIME_MS,
 * CLOCK_MONOTONIC (clock NULL).
 * \param o the options to initialise (may be NULL: no-op)
 */
void scb_session_opts_init(struct scb_session_opts *o);

/**
 * Start a session on a copy of committed. The session keeps a second copy, its base:
 * scb_session_commit() commits only while the store's configuration still equals it.
 * \param o         options (may be NULL: all defaults); read during the call only
 * \param committed the committed configuration (may be NULL: empty), as scb_store_load() gave
 *                  it; copied, not kept
 * \param out       receives the new session (owned by the caller: scb_session_free())
 * \return 0, or a negative scb_err (*out is then NULL)
 */
int scb_session_new(const struct scb_session_opts *o, const struct scb_config *committed,
                    struct scb_session **out);
/**
 * Free *s (may be NULL or point to NULL) and set *s to NULL.
 * \param s the session to free
 */
void scb_session_free(struct scb_session **s);

/**
 * The session's state (open, done, failed).
 * \param s the session
 * \return the state
 */
enum scb_session_state scb_session_state(const struct scb_session *s);
/**
 * Violations of the last Bootstrap-Finish.
 * \param s the session
 * \return a pointer borrowed from s: valid until the next operation on s or scb_session_free()
 */
const struct scb_report *scb_session_report(const struct scb_session *s);
/**
 * The staging copy the operations act on (emptied when the session fails).
 * \param s the session
 * \return a pointer borrowed from s: valid until the next operation on s or scb_session_free()
 */
const struct scb_config *scb_session_staging(const struct scb_session *s);

/**
 * Each returns a CoAP code (SCB_COAP_CODE_*), or a negative error when it could not run.
 * Bootstrap-Write takes TLV (11542), SenML JSON (110) and SenML CBOR (112), decoded into the
 * same model; another content_format is 4.15, a payload that does not decode or a value of the
 * wrong kind for its resource 4.00.
 *
 * Bootstrap-Write.
 * \param s              the session
 * \param path           the request path ("/o", "/o/i" or "/o/i/r")
 * \param content_format the request's Content-Format
 * \param payload        the request body, read during the call only
 * \param len            number of bytes at payload
 * \return a CoAP code (SCB_COAP_CODE_*) or a negative scb_err
 */
int scb_session_write(struct scb_session *s, const char *path, unsigned content_format,
                      const uint8_t *payload, size_t len);
/**
 * Bootstrap-Delete of path ("/", "/o" or "/o/i"); the Bootstrap-Server account's instances
 * stay (deleting one by its path is 4.00).
 * \param s    the session
 * \param path the request path
 * \return a CoAP code (SCB_COAP_CODE_*) or a negative scb_err
 */
int scb_session_delete(struct scb_session *s, const char *path);
/**
 * Bootstrap-Discover: link format into out (application/link-format).
 * \param s    the session
 * \param path the request path ("/" or "/o")
 * \param out  the buffer the links are appended to
 * \return a CoAP code (SCB_COAP_CODE_*) or a negative scb_err
 */
int scb_session_discover(struct scb_session *s, const char *path, struct scb_buf *out);
/**
 * TLV of /1 or /2 (or one instance of them) into out (= scb_session_read_as, accept -1).
 * \param s    the session
 * \param path the request path
 * \param out  the buffer the payload is appended to
 * \return a CoAP code (SCB_COAP_CODE_*) or a negative scb_err
 */
int scb_session_read(struct scb_session *s, const char *path, struct scb_buf *out);
/**
 * Bootstrap-Read of /1 or /2 (or one instance) in the format accept asks: -1 (no Accept
 * option) or 11542 TLV, 110 SenML JSON, 112 SenML CBOR; another format is 4.06. *used (may
 * be NULL) receives the content format of out when the answer is 2.05.
 * \param s      the session
 * \param path   the request path
 * \param accept the Accept option, -1 when absent
 * \param out    the buffer the payload is appended to
 * \param used   receives the content format of out (may be NULL)
 * \return a CoAP code (SCB_COAP_CODE_*) or a negative scb_err
 */
int scb_session_read_as(struct scb_session *s, const char *path, int accept,
                        struct scb_buf *out, unsigned *used);
/**
 * Bootstrap-Finish: 2.04 and *commit receives the validated configuration (caller frees), or
 * 4.06 with scb_session_report(s) holding the violations (the session stays open).
 * \param s      the session
 * \param commit initialised and empty; receives the configuration on 2.04 (the caller frees
 *               it: scb_config_free())
 * \return a CoAP code (SCB_COAP_CODE_2_04_CHANGED, SCB_COAP_CODE_4_06_NOT_ACCEPTABLE) or a negative
 *         scb_err
 */
int scb_session_finish(struct scb_session *s, struct scb_config *commit);
/**
 * Bootstrap-Finish and commit in one: scb_session_finish(), then the accepted configuration
 * committed to st with provenance network (instances the server left unchanged keep theirs;
 * the store's commit observer is told). The answer to POST /bs follows the return.
 * The commit is made only onto the state the session started from: when st's committed
 * configuration no longer equals (scb_config_equal()) the one given to scb_session_new() (a
 * card removed or changed and checked meanwhile, a factory or another network commit),
 * nothing is committed and SCB_E_STALE is returned: the server's operations were made
 * against a state that is gone, and committing them would bring back what the newer commit
 * took away. A client that commits scb_session_finish()'s configuration itself makes the same
 * check.
 * \param s      the session
 * \param st     the store, opened (locked); borrowed during the call
 * \param err    receives the reason a commit failed, one line (may be NULL)
 * \param errlen bytes at err
 * \return SCB_COAP_CODE_2_04_CHANGED once the commit is durable; SCB_COAP_CODE_4_06_NOT_ACCEPTABLE
 *         with scb_session_report(s) holding the violations (the session stays open, nothing
 *         committed); another CoAP code as scb_session_finish() gives it; a negative scb_err
 *         when the store could not commit, SCB_E_STALE when its state moved (answer 5.00;
 *         the session is then failed), or SCB_E_INVALID_ARG when s, st are NULL
 */
int scb_session_commit(struct scb_session *s, struct scb_store *st, char *err, size_t errlen);
/**
 * The 4.06 diagnostic payload: one "rule path" per line.
 * \param s   the session
 * \param out the buffer the payload is appended to
 * \return SCB_OK or a negative scb_err
 */
int scb_session_diagnostic(const struct scb_session *s, struct scb_buf *out);
/**
 * Apply EXCHANGE_LIFETIME: returns SCB_E_TIMEOUT (and fails the session) when it passed; on a
 * session a failed scb_session_commit() ended, that call's error (SCB_E_STALE, ...).
 * \param s the session
 * \return SCB_OK, SCB_E_TIMEOUT, the error that failed the session, or SCB_E_INVALID_ARG
 */
int scb_session_tick(struct scb_session *s);

/**
 * Parse "/o/i/r" (1-3 IDs, or "/" for none). Returns the number of IDs or a negative error.
 * \param path the path text
 * \param ids  receives the IDs
 * \return the number of IDs (0-3) or a negative scb_err
 */
int scb_session_path_parse(const char *path, uint16_t ids[3]);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

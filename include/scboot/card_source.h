/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot card source (bootstrap/card_source.c): reads the LwM2M bootstrap data from a UICC the way LwM2M 1.1 App. G
 * says: EF DIR -> PKCS#15 ADF (by AID, on a logical channel) -> ODF -> DODF(s) -> the data
 * object with OID 2.23.43.9.1 -> EF LwM2M_Bootstrap, verifying the PIN when the object is
 * private. Never writes to the card.
 */
#ifndef SCBOOT_CARD_SOURCE_H
#define SCBOOT_CARD_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/card.h"
#include "scboot/p15.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** Where the PIN reference of a private object came from. */
enum scb_pin_source {
    SCB_PIN_SRC_NONE = 0,   /**< no PIN was needed */
    SCB_PIN_SRC_AODF = 1,   /**< the object's authId -> the AODF's PIN object (PKCS#15) */
    SCB_PIN_SRC_EF_FCP = 2, /**< the EF's FCP PIN template (C6) */
    SCB_PIN_SRC_ADF_FCP = 3 /**< the application's FCP PIN template (C6) */
};

/** Options of a read; start from scb_card_source_opts_init(), then set what differs. */
struct scb_card_source_opts {
    const char *pin;            /**< VERIFY with this PIN when the object is private */
    const uint8_t *aid;         /**< PKCS#15 AID to select (skips EF DIR) */
    size_t aid_len;             /**< bytes at aid (0: discover through EF DIR) */
    int file_id;                /**< > 0: read this FID in the application, skip ODF/DODF */
    int basic_channel;          /**< do not open a logical channel */
    const struct scb_p15_path *known_path; /**< re-read: the path found by an earlier walk */
    /**
     * Secure channel hook, called right after the application is selected on its channel
     * (SCP03 needs it selected there). It may replace the session's transport by a filter
     * (scb_card_set_transport); secure_close puts the original back. A negative return aborts
     * the read (no plaintext fallback here). c is borrowed for the call.
     */
    int (*secure_open)(void *ctx, struct scb_card *c, unsigned channel);
    /** Undo what secure_open did (put the original transport back); called whenever
     *  secure_open succeeded, on success and on error. */
    void (*secure_close)(void *ctx, struct scb_card *c);
    void *secure_ctx;           /**< passed to secure_open and secure_close, borrowed */
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_card_source_opts_init(), never set by the caller. */
    void *reserved[8];
};

/**
 * Set the defaults: no PIN, discovery through EF DIR (no AID), the ODF/DODF walk (file_id 0),
 * a logical channel, no known path, no secure channel hook.
 * \param o the options to initialise (may be NULL: no-op)
 */
void scb_card_source_opts_init(struct scb_card_source_opts *o);

/** The step of a card read (or of a card check) that failed. */
enum scb_card_step {
    SCB_CARD_STEP_NONE = 0,    /**< nothing failed */
    SCB_CARD_STEP_CONNECT = 1, /**< the reader, the card's presence, the PC/SC transaction */
    SCB_CARD_STEP_SELECT = 2,  /**< MF, EF ICCID, EF DIR, the application, a logical channel */
    SCB_CARD_STEP_P15 = 3,     /**< the PKCS#15 walk: EF ODF, DODF, AODF */
    SCB_CARD_STEP_SCP03 = 4,   /**< the secure channel hook (SCP03) */
    SCB_CARD_STEP_PIN = 5,     /**< the PIN: required, malformed, wrong or blocked */
    SCB_CARD_STEP_READ = 6,    /**< SELECT and READ BINARY of EF LwM2M_Bootstrap */
    SCB_CARD_STEP_DECODE = 7   /**< the bytes read are no bootstrap file (card check only) */
};
/**
 * Short name of a step ("pin", "read").
 * \param s the step
 * \return static text, never NULL
 */
const char *scb_card_step_name(enum scb_card_step s);

/**
 * Why a card read failed, typed. Always reached through a const pointer the library owns
 * (scb_card_source_result_reason(), scb_bootstrap_card_reason()): a caller never allocates or
 * copies it, so fields may be added at the end without breaking callers.
 */
struct scb_card_reason {
    int err;                 /**< SCB_OK or the negative enum scb_err of the failure */
    enum scb_card_step step; /**< the step that failed (SCB_CARD_STEP_NONE: none) */
    uint16_t sw;             /**< the status word the card sent at that step; 0: none */
    int pin_tries_left;      /**< from 63Cx; 0 when blocked (6983); -1 unknown */
    /** the same one line a failed read writes to its err buffer ("" on success); borrowed
     *  from the result (or context) it came from */
    const char *detail;
};

/**
 * What a read found, step by step, and the bootstrap file it read; also why it failed.
 * Opaque: read it through the accessors below (never the array bounds of the walk).
 */
struct scb_card_source_result;

/**
 * Read the bootstrap file. The whole walk runs inside one PC/SC transaction; a card reset by
 * someone else is retried once from the start.
 * \param c      borrowed card session (its transport stays the caller's)
 * \param o      borrowed options (the PIN is copied, never kept); NULL = defaults
 * \param out    receives a new result, owned by the caller (scb_card_source_result_free()),
 *               on success and on a failure of the card or the walk alike (then only its
 *               reason, ICCID and APDU count mean something); NULL when the arguments are
 *               invalid or memory ran out. A result already at *out is freed first.
 * \param err    receives one line naming the failed step and the card's status word in words
 *               (may be NULL)
 * \param errlen size of err (SCB_ERR_MAX)
 * \return SCB_OK or a negative enum scb_err
 */
int scb_card_source_read(struct scb_card *c, const struct scb_card_source_opts *o,
                         struct scb_card_source_result **out, char *err, size_t errlen);
/**
 * Zeroize the file bytes, free *r (may be NULL or point to NULL) and set *r to NULL.
 * \param r the result to free
 */
void scb_card_source_result_free(struct scb_card_source_result **r);

/**
 * Why the read failed (err SCB_OK and step SCB_CARD_STEP_NONE when it did not).
 * \param r the result
 * \return borrowed from r (valid until it is freed); never NULL
 */
const struct scb_card_reason *scb_card_source_result_reason(const struct scb_card_source_result *r);
/**
 * The card's ICCID.
 * \param r the result
 * \return borrowed from r: "" when the card has no EF ICCID (or r is NULL)
 */
const char *scb_card_source_result_iccid(const struct scb_card_source_result *r);
/**
 * The PKCS#15 application (from EF DIR, the options or the default AID).
 * \param r the result
 * \return borrowed from r; NULL when r is NULL
 */
const struct scb_dir_app *scb_card_source_result_app(const struct scb_card_source_result *r);
/**
 * Whether the application was found in EF DIR.
 * \param r the result
 * \return 1 when it was, 0 when selected by the default AID or given in the options
 */
int scb_card_source_result_app_in_dir(const struct scb_card_source_result *r);
/**
 * The logical channel the read used.
 * \param r the result
 * \return the channel (0 = basic)
 */
unsigned scb_card_source_result_channel(const struct scb_card_source_result *r);
/**
 * Number of DODF paths the ODF listed (those the read looked at).
 * \param r the result
 * \return the count
 */
size_t scb_card_source_result_dodf_count(const struct scb_card_source_result *r);
/**
 * One DODF path, in the ODF's order.
 * \param r the result
 * \param i index below scb_card_source_result_dodf_count()
 * \return borrowed from r; NULL when i is out of range
 */
const struct scb_p15_path *scb_card_source_result_dodf(const struct scb_card_source_result *r,
                                                       size_t i);
/**
 * Number of AODF paths the ODF listed (those the read looked at).
 * \param r the result
 * \return the count
 */
size_t scb_card_source_result_aodf_count(const struct scb_card_source_result *r);
/**
 * One AODF path, in the ODF's order.
 * \param r the result
 * \param i index below scb_card_source_result_aodf_count()
 * \return borrowed from r; NULL when i is out of range
 */
const struct scb_p15_path *scb_card_source_result_aodf(const struct scb_card_source_result *r,
                                                       size_t i);
/**
 * Number of data objects of the DODFs the read parsed.
 * \param r the result
 * \return the count
 */
size_t scb_card_source_result_object_count(const struct scb_card_source_result *r);
/**
 * One data object, in the order of the DODFs.
 * \param r the result
 * \param i index below scb_card_source_result_object_count()
 * \return borrowed from r; NULL when i is out of range
 */
const struct scb_p15_dobj *scb_card_source_result_object(const struct scb_card_source_result *r,
                                                         size_t i);
/**
 * Which data object is the LwM2M bootstrap object.
 * \param r the result
 * \return its index, or -1 (no walk: file_id or known path given, or the read failed)
 */
int scb_card_source_result_object_index(const struct scb_card_source_result *r);
/**
 * Where the bootstrap file was read (pass it as known_path to re-read).
 * \param r the result
 * \return borrowed from r; NULL when r is NULL
 */
const struct scb_p15_path *scb_card_source_result_file_path(const struct scb_card_source_result *r);
/**
 * The bytes read: up to 4 + the size of the G.3.4 header. They may hold secrets: they are
 * zeroized by scb_card_source_result_free().
 * \param r the result
 * \return borrowed from r (scb_card_source_result_file_len() bytes); NULL after a failed read
 */
const uint8_t *scb_card_source_result_file(const struct scb_card_source_result *r);
/**
 * Length of the bytes read.
 * \param r the result
 * \return the byte count (0 after a failed read)
 */
size_t scb_card_source_result_file_len(const struct scb_card_source_result *r);
/**
 * Whether a PIN was verified during the read.
 * \param r the result
 * \return 1 or 0
 */
int scb_card_source_result_pin_verified(const struct scb_card_source_result *r);
/**
 * Where the PIN reference came from.
 * \param r the result
 * \return the source (SCB_PIN_SRC_NONE: no PIN was needed)
 */
enum scb_pin_source scb_card_source_result_pin_source(const struct scb_card_source_result *r);
/**
 * The VERIFY reference used (P2).
 * \param r the result
 * \return the reference; 0 when no PIN was verified
 */
uint8_t scb_card_source_result_pin_ref(const struct scb_card_source_result *r);
/**
 * Whether the walk ran through the secure channel hook's filter.
 * \param r the result
 * \return 1 or 0
 */
int scb_card_source_result_secured(const struct scb_card_source_result *r);
/**
 * The APDUs this read sent.
 * \param r the result
 * \return the count
 */
unsigned scb_card_source_result_apdus(const struct scb_card_source_result *r);

/** The registered OID 2.23.43.9.1 as content bytes, and a test for it. */
extern const uint8_t scb_card_source_lwm2m_oid[4];
/**
 * Whether OID content bytes are the LwM2M bootstrap object's (2.23.43.9.1).
 * \param oid the OID content bytes
 * \param len number of bytes at oid
 * \return 1 when they are, else 0
 */
int scb_card_source_is_lwm2m_oid(const uint8_t *oid, size_t len);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

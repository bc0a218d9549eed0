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

#define SCB_P15_MAX_DODF 8     /**< DODFs of the ODF a read looks at */
#define SCB_P15_MAX_OBJECTS 32 /**< data objects of the DODFs a read looks at */
#define SCB_P15_MAX_AODF 4     /**< AODFs of the ODF a read looks at */
#define SCB_P15_MAX_PINS 8     /**< PIN objects of an AODF a read looks at */

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
};

/**
 * Set the defaults: no PIN, discovery through EF DIR (no AID), the ODF/DODF walk (file_id 0),
 * a logical channel, no known path, no secure channel hook.
 * \param o the options to initialise (may be NULL: no-op)
 */
void scb_card_source_opts_init(struct scb_card_source_opts *o);

/** What a read found, step by step, and the bootstrap file it read. */
struct scb_card_source_result {
    char iccid[24];             /**< "" when the card has no EF ICCID */
    struct scb_dir_app app;     /**< the PKCS#15 application (from EF DIR or the default) */
    int app_in_dir;             /**< found in EF DIR (else selected by the default AID) */
    unsigned channel;           /**< logical channel used (0 = basic) */
    size_t n_dodf;              /**< entries used in dodf */
    struct scb_p15_path dodf[SCB_P15_MAX_DODF]; /**< DODF paths from the ODF, in order */
    size_t n_objects;           /**< entries used in objects */
    struct scb_p15_dobj objects[SCB_P15_MAX_OBJECTS]; /**< data objects of the DODFs read */
    int object_index;           /**< which one is the LwM2M bootstrap object (-1: --file-id) */
    struct scb_p15_path file_path; /**< where the bootstrap file was read */
    uint8_t *file;              /**< the bytes read: up to 4 + size of the G.3.4 header */
    size_t file_len;            /**< bytes at file */
    size_t n_aodf;              /**< entries used in aodf */
    struct scb_p15_path aodf[SCB_P15_MAX_AODF]; /**< AODF paths from the ODF, in order */
    int pin_verified;           /**< a PIN was verified during the read */
    enum scb_pin_source pin_source; /**< where the PIN reference came from */
    uint8_t pin_ref;            /**< the VERIFY reference used (P2) */
    /* kept on error too (scb_card_source_read fills them and clears everything else): */
    int pin_tries_left;         /**< from 63Cx (0: blocked, 6983); -1 unknown */
    uint16_t sw;                /**< the status word the card sent when the read failed; 0 */
    char error[200];            /**< one line: which step failed and the SW the card sent */
    int secured;                /**< the walk ran through the secure channel hook's filter */
    unsigned apdus;             /**< APDUs this read sent */
};

/**
 * Read the bootstrap file. The whole walk runs inside one PC/SC transaction; a card reset by
 * someone else is retried once from the start.
 * \param c borrowed card session (its transport stays the caller's)
 * \param o borrowed options (the PIN is copied, never kept)
 * \param r caller's struct: on success it owns the file bytes and must be released with
 *          scb_card_source_result_free() (which zeroizes them); on error it holds only
 *          error, sw and pin_tries_left (a line naming the failed step and the card's status word in words)
 *          and needs no free
 * \return SCB_OK or a negative enum scb_err
 */
int scb_card_source_read(struct scb_card *c, const struct scb_card_source_opts *o,
                         struct scb_card_source_result *r);
/**
 * Zeroize and free the file bytes of r and clear it (r itself is the caller's).
 * \param r the result (may be NULL)
 */
void scb_card_source_result_free(struct scb_card_source_result *r);

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

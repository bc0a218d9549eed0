/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot PKCS#15 (ISO 7816-15) structures as a UICC carries them: a bounded DER reader,
 * EF DIR application templates, the ODF and DODF entries. Strict on bounds, tolerant of
 * 00/FF padding; unknown entries are skipped.
 */
#ifndef SCBOOT_P15_H
#define SCBOOT_P15_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_P15_MAX_PATH 16  /**< longest file path in bytes */
#define SCB_P15_LABEL_MAX 64 /**< size of a label buffer, NUL included */

/** One DER TLV at *pos: single-byte tags, definite lengths up to 3 bytes. *val points into
 * buf (borrowed: valid as long as buf).
 * \param buf  the DER bytes
 * \param len  number of bytes at buf
 * \param pos  offset of the TLV; advanced past it on success
 * \param tag  receives the tag
 * \param val  receives a pointer to the value
 * \param vlen receives the value length
 * \return SCB_OK, SCB_E_P15_MALFORMED or SCB_E_INVALID_ARG */
int scb_p15_der_next(const uint8_t *buf, size_t len, size_t *pos, uint8_t *tag, const uint8_t **val,
                     size_t *vlen);

/** An application template of EF DIR. */
struct scb_dir_app {
    uint8_t aid[16];                /**< 4F: application identifier */
    size_t aid_len;                 /**< bytes used in aid */
    char label[SCB_P15_LABEL_MAX];  /**< 50: label (NUL-terminated, "" when absent) */
    uint8_t path[SCB_P15_MAX_PATH]; /**< 51: path */
    size_t path_len;                /**< bytes used in path (0: absent) */
};

/**
 * Parse an EF DIR record (61 { 4F AID, 50 label, 51 path }). SCB_E_NOT_FOUND if empty.
 * \param rec the record
 * \param len number of bytes at rec
 * \param app receives the application
 * \return SCB_OK, SCB_E_NOT_FOUND, SCB_E_P15_MALFORMED or SCB_E_INVALID_ARG
 */
int scb_p15_parse_dir_record(const uint8_t *rec, size_t len, struct scb_dir_app *app);

/** A PKCS#15 Path. */
struct scb_p15_path {
    uint8_t path[SCB_P15_MAX_PATH]; /**< the path bytes */
    size_t len;           /**< 2: FID in the application; more: path (3F00... absolute) */
    int has_index;        /**< index and length are given */
    /** \var scb_p15_path::index
     *  index of the Path, when given
     *  \var scb_p15_path::length
     *  length of the Path, when given */
    size_t index, length;
};

/**
 * The paths of the ODF entries with tag (A7 for DODFs), in ODF order.
 * \param buf   the EF ODF content
 * \param len   number of bytes at buf
 * \param tag   the entry tag
 * \param paths receives up to max paths
 * \param max   number of entries paths holds
 * \param n     receives the number of paths found
 * \return SCB_OK, SCB_E_P15_MALFORMED, SCB_E_TOO_LARGE (more than max) or
 *         SCB_E_INVALID_ARG
 */
int scb_p15_parse_odf(const uint8_t *buf, size_t len, uint8_t tag, struct scb_p15_path *paths,
                      size_t max, size_t *n);

/** The choice of a PKCS#15 DataType (its tag). */
enum scb_p15_form {
    SCB_P15_OPAQUE_DO = 0x30,   /**< opaqueDO */
    SCB_P15_EXTERNAL_DO = 0xA0, /**< externalIDO */
    SCB_P15_OID_DO = 0xA1       /**< oidDO: the form of the LwM2M bootstrap object */
};

/** A data object of a DODF. */
struct scb_p15_dobj {
    enum scb_p15_form form;           /**< its DataType */
    char label[SCB_P15_LABEL_MAX];    /**< commonObjectAttributes.label */
    char app_name[SCB_P15_LABEL_MAX]; /**< applicationName */
    /** \var scb_p15_dobj::private_flag
     *  the private flag of commonObjectFlags
     *  \var scb_p15_dobj::modifiable
     *  the modifiable flag of commonObjectFlags */
    int private_flag, modifiable;
    uint8_t auth_id[16];  /**< authId: the PIN object that protects it */
    size_t auth_id_len;   /**< bytes used in auth_id (0: none) */
    uint8_t oid[16];      /**< OID content bytes (double encoding already unwrapped) */
    size_t oid_len;       /**< bytes used in oid */
    int oid_double;       /**< the id carried the OID TLV inside the OID (I532) */
    int has_path;         /**< path is given */
    struct scb_p15_path path; /**< where the object's data is */
};

/**
 * All data objects of a DODF (unknown entries skipped).
 * \param buf  the EF DODF content
 * \param len  number of bytes at buf
 * \param objs receives up to max objects
 * \param max  number of entries objs holds
 * \param n    receives the number of objects found
 * \return SCB_OK, SCB_E_P15_MALFORMED, SCB_E_TOO_LARGE (more than max) or
 *         SCB_E_INVALID_ARG
 */
int scb_p15_parse_dodf(const uint8_t *buf, size_t len, struct scb_p15_dobj *objs, size_t max,
                       size_t *n);

/* ---- AODF: PIN objects (ISO 7816-15 AuthenticationObject pwd / PKCS#15 pin) ---------- */

/** PinType: how a PIN is encoded for VERIFY. */
enum scb_p15_pin_type {
    SCB_P15_PIN_BCD = 0,             /**< bcd */
    SCB_P15_PIN_ASCII_NUMERIC = 1,   /**< ascii-numeric */
    SCB_P15_PIN_UTF8 = 2,            /**< utf8 */
    SCB_P15_PIN_HALF_NIBBLE_BCD = 3, /**< half-nibble-bcd */
    SCB_P15_PIN_ISO9564_1 = 4,       /**< iso9564-1 */
};

/* PinFlags bits (bit n of the BIT STRING = 1u << n) */
#define SCB_P15_PINF_CASE_SENSITIVE (1u << 0) /**< PinFlags case-sensitive */
#define SCB_P15_PINF_LOCAL (1u << 1)          /**< PinFlags local */
#define SCB_P15_PINF_INITIALIZED (1u << 4)    /**< PinFlags initialized */
#define SCB_P15_PINF_NEEDS_PADDING (1u << 5)  /**< PinFlags needs-padding */
#define SCB_P15_PINF_UNBLOCKING (1u << 6)     /**< PinFlags unblockingPin */
#define SCB_P15_PINF_SO (1u << 7)             /**< PinFlags soPin */

/** A PIN object of an AODF. */
struct scb_p15_pin {
    char label[SCB_P15_LABEL_MAX]; /**< commonObjectAttributes.label */
    uint8_t auth_id[16];     /**< authId: what data objects name as their authId */
    size_t auth_id_len;      /**< bytes used in auth_id */
    unsigned flags;          /**< SCB_P15_PINF_* */
    int type;                /**< enum scb_p15_pin_type */
    /** \var scb_p15_pin::min_len
     *  minLength
     *  \var scb_p15_pin::stored_len
     *  storedLength: the VERIFY data length
     *  \var scb_p15_pin::max_len
     *  maxLength, when has_max */
    size_t min_len, stored_len, max_len;
    int has_max;             /**< maxLength is given */
    unsigned reference;      /**< pinReference (DEFAULT 0): the VERIFY P2 */
    int has_pad;             /**< padChar is given */
    uint8_t pad_char;        /**< padChar */
    int has_path;            /**< path is given */
    struct scb_p15_path path; /**< the DF the PIN belongs to */
};

/**
 * All PIN objects of an AODF (other authentication objects skipped).
 * \param buf  the EF AODF content
 * \param len  number of bytes at buf
 * \param pins receives up to max PIN objects
 * \param max  number of entries pins holds
 * \param n    receives the number of PIN objects found
 * \return SCB_OK, SCB_E_P15_MALFORMED, SCB_E_TOO_LARGE (more than max) or
 *         SCB_E_INVALID_ARG
 */
int scb_p15_parse_aodf(const uint8_t *buf, size_t len, struct scb_p15_pin *pins, size_t max,
                       size_t *n);
/**
 * The PIN object whose authId is auth_id.
 * \param pins        the PIN objects
 * \param n           number of entries at pins
 * \param auth_id     the authId sought
 * \param auth_id_len number of bytes at auth_id
 * \return a pointer into pins, or NULL
 */
const struct scb_p15_pin *scb_p15_find_pin(const struct scb_p15_pin *pins, size_t n,
                                           const uint8_t *auth_id, size_t auth_id_len);
/**
 * The VERIFY data for pin as the PIN object says: encoded by pinType, length checked against
 * min/max, padded with padChar (FF when absent) to storedLength. SCB_E_INVALID_ARG when the
 * PIN does not fit (too short, too long, not digits for a numeric type).
 * \param p   the PIN object
 * \param pin the PIN text, read during the call only
 * \param out receives the PIN block (the caller zeroizes it)
 * \param cap size of out
 * \param len receives the block length
 * \return SCB_OK, SCB_E_INVALID_ARG, SCB_E_BUFFER or SCB_E_UNSUPPORTED (pinType)
 */
int scb_p15_pin_block(const struct scb_p15_pin *p, const char *pin, uint8_t *out, size_t cap,
                      size_t *len);

/**
 * OID content bytes to dotted text ("2.23.43.9.1").
 * \param oid the OID content bytes
 * \param len number of bytes at oid
 * \param out receives the NUL-terminated text
 * \param cap size of out
 * \return SCB_OK, SCB_E_PARSE, SCB_E_BUFFER or SCB_E_INVALID_ARG
 */
int scb_p15_oid_to_text(const uint8_t *oid, size_t len, char *out, size_t cap);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

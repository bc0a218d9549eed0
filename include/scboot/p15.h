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

#define SCB_P15_MAX_PATH 16
#define SCB_P15_LABEL_MAX 64

/** One DER TLV at *pos: single-byte tags, definite lengths up to 3 bytes. *val points into
 * buf (borrowed: valid as long as buf). */
int scb_der_next(const uint8_t *buf, size_t len, size_t *pos, uint8_t *tag,
                 const uint8_t **val, size_t *vlen);

struct scb_dir_app {
    uint8_t aid[16];
    size_t aid_len;
    char label[SCB_P15_LABEL_MAX];
    uint8_t path[SCB_P15_MAX_PATH];
    size_t path_len;
};

/** Parse an EF DIR record (61 { 4F AID, 50 label, 51 path }). SCB_E_NOT_FOUND if empty. */
int scb_p15_parse_dir_record(const uint8_t *rec, size_t len, struct scb_dir_app *app);

struct scb_p15_path {
    uint8_t path[SCB_P15_MAX_PATH];
    size_t len;           /**< 2: FID in the application; more: path (3F00... absolute) */
    int has_index;
    size_t index, length; /**< index / length of the Path, when given */
};

/** The paths of the ODF entries with tag (A7 for DODFs), in ODF order. */
int scb_p15_parse_odf(const uint8_t *buf, size_t len, uint8_t tag, struct scb_p15_path *paths,
                      size_t max, size_t *n);

enum scb_p15_form { SCB_P15_OPAQUE_DO = 0x30, SCB_P15_EXTERNAL_DO = 0xA0, SCB_P15_OID_DO = 0xA1 };

struct scb_p15_dobj {
    enum scb_p15_form form;
    char label[SCB_P15_LABEL_MAX];
    char app_name[SCB_P15_LABEL_MAX];
    int private_flag, modifiable;
    uint8_t auth_id[16];
    size_t auth_id_len;
    uint8_t oid[16];      /**< OID content bytes (double encoding already unwrapped) */
    size_t oid_len;
    int oid_double;       /**< the id carried the OID TLV inside the OID (I532) */
    int has_path;
    struct scb_p15_path path;
};

/** All data objects of a DODF (unknown entries skipped). */
int scb_p15_parse_dodf(const uint8_t *buf, size_t len, struct scb_p15_dobj *objs, size_t max,
                       size_t *n);

/* ---- AODF: PIN objects (ISO 7816-15 AuthenticationObject pwd / PKCS#15 pin) ---------- */

enum scb_p15_pin_type {
    SCB_P15_PIN_BCD = 0,
    SCB_P15_PIN_ASCII_NUMERIC = 1,
    SCB_P15_PIN_UTF8 = 2,
    SCB_P15_PIN_HALF_NIBBLE_BCD = 3,
    SCB_P15_PIN_ISO9564_1 = 4,
};

/* PinFlags bits (bit n of the BIT STRING = 1u << n) */
#define SCB_P15_PINF_CASE_SENSITIVE (1u << 0)
#define SCB_P15_PINF_LOCAL (1u << 1)
#define SCB_P15_PINF_INITIALIZED (1u << 4)
#define SCB_P15_PINF_NEEDS_PADDING (1u << 5)
#define SCB_P15_PINF_UNBLOCKING (1u << 6)
#define SCB_P15_PINF_SO (1u << 7)

struct scb_p15_pin {
    char label[SCB_P15_LABEL_MAX];
    uint8_t auth_id[16];
    size_t auth_id_len;
    unsigned flags;          /**< SCB_P15_PINF_* */
    int type;                /**< enum scb_p15_pin_type */
    size_t min_len, stored_len, max_len;
    int has_max;
    unsigned reference;      /**< pinReference (DEFAULT 0): the VERIFY P2 */
    int has_pad;
    uint8_t pad_char;
    int has_path;
    struct scb_p15_path path;
};

/** All PIN objects of an AODF (other authentication objects skipped). */
int scb_p15_parse_aodf(const uint8_t *buf, size_t len, struct scb_p15_pin *pins, size_t max,
                       size_t *n);
/** The PIN object whose authId is auth_id (or NULL). */
const struct scb_p15_pin *scb_p15_find_pin(const struct scb_p15_pin *pins, size_t n,
                                           const uint8_t *auth_id, size_t auth_id_len);
/**
 * The VERIFY data for pin as the PIN object says: encoded by pinType, length checked against
 * min/max, padded with padChar (FF when absent) to storedLength. SCB_E_INVALID_ARG when the
 * PIN does not fit (too short, too long, not digits for a numeric type).
 */
int scb_p15_pin_block(const struct scb_p15_pin *p, const char *pin, uint8_t *out, size_t cap,
                      size_t *len);

/** OID content bytes to dotted text ("2.23.43.9.1"). */
int scb_oid_to_text(const uint8_t *oid, size_t len, char *out, size_t cap);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot LwM2M TLV codec (bootstrap/codec/tlv.c, content format 11542) and its output buffer.
 * Decoders report a struct scb_decode_error (model.h). Decoding never reads out of bounds.
 */
#ifndef SCBOOT_TLV_H
#define SCBOOT_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/error.h"
#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_TLV_OBJECT_INSTANCE 0   /**< TLV type: Object Instance (holds resources) */
#define SCB_TLV_RESOURCE_INSTANCE 1 /**< TLV type: Resource Instance */
#define SCB_TLV_MULTIPLE_RESOURCE 2 /**< TLV type: Multiple Resource (holds instances) */
#define SCB_TLV_RESOURCE 3          /**< TLV type: Resource with a value */

/** One TLV as read from a buffer (value points into it). */
struct scb_tlv {
    uint8_t type;     /**< SCB_TLV_* */
    uint16_t id;      /**< instance, resource or resource instance ID */
    const uint8_t *value; /**< the value bytes, inside the decoded buffer */
    size_t len;       /**< length of value */
    size_t hdr_len;   /**< length of the header before value */
};

/**
 * Read one TLV at *pos of buf[0..len). Advances *pos past it. SCB_E_DECODE on overrun.
 * \param buf the TLV bytes
 * \param len number of bytes at buf
 * \param pos offset of the TLV; advanced past it on success
 * \param t   receives the TLV (its value points into buf)
 * \return SCB_OK or SCB_E_DECODE
 */
int scb_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct scb_tlv *t);
/** The largest value a TLV length field can say (24 bits). */
#define SCB_TLV_MAX_LEN 0xFFFFFFu
/**
 * Canonical TLV header (8-bit ID when it fits, shortest length form). Returns its size, or 0
 * when len is beyond SCB_TLV_MAX_LEN (or out is NULL): no header can say it. The encoders
 * return SCB_E_TOO_LARGE then, never a truncated length.
 * \param type SCB_TLV_*
 * \param id   the identifier
 * \param len  the value length
 * \param out  receives the header
 * \return the header size (2-6), or 0
 */
size_t scb_tlv_header(uint8_t type, uint16_t id, size_t len, uint8_t out[6]);

/** A growable output buffer. */
struct scb_buf {
    uint8_t *data;    /**< the bytes (malloc'd, owned by the buffer; scb_buf_free()) */
    /** \var scb_buf::len
     *  bytes used in data
     *  \var scb_buf::cap
     *  bytes allocated at data */
    size_t len, cap;
    size_t max;       /**< refuse to grow past this (0 = 1 MiB) */
};
/**
 * Append n bytes to b, growing it.
 * \param b the buffer (zero-initialised before its first use)
 * \param p the bytes to append
 * \param n number of bytes at p
 * \return SCB_OK, SCB_E_INVALID_ARG, SCB_E_TOO_LARGE (beyond max) or SCB_E_NOMEM
 */
int scb_buf_put(struct scb_buf *b, const void *p, size_t n);
/**
 * Free the bytes of b and reset it to empty (b itself is the caller's).
 * \param b the buffer (may be NULL)
 */
void scb_buf_free(struct scb_buf *b);

/**
 * Decode TLV instances of object oid (a whole-object payload: Object Instance TLVs) and add
 * them to cfg (duplicates are errors). base is the offset of buf in the enclosing file.
 * \param buf  the TLV payload
 * \param len  number of bytes at buf
 * \param oid  the object ID
 * \param base offset of buf in the enclosing file (for error offsets)
 * \param cfg  the configuration the instances are added to (initialised by the caller)
 * \param err  receives where and why decoding stopped (may be NULL)
 * \return SCB_OK, SCB_E_DECODE or SCB_E_NOMEM
 */
int scb_tlv_decode_object(const uint8_t *buf, size_t len, uint16_t oid, size_t base,
                          struct scb_config *cfg, struct scb_decode_error *err);
/**
 * Encode the instances of one object as Object Instance TLVs.
 * \param o   the object
 * \param out the buffer the TLVs are appended to
 * \return SCB_OK or a negative scb_err (SCB_E_TOO_LARGE, SCB_E_NOMEM)
 */
int scb_tlv_encode_object(const struct scb_object *o, struct scb_buf *out);
/**
 * Encode one instance's resources (no Object Instance wrapper).
 * \param i   the instance
 * \param out the buffer the TLVs are appended to
 * \return SCB_OK or a negative scb_err (SCB_E_TOO_LARGE, SCB_E_NOMEM)
 */
int scb_tlv_encode_instance(const struct scb_instance *i, struct scb_buf *out);
/**
 * Encode one resource (Resource or Multiple Resource TLV).
 * \param r   the resource
 * \param out the buffer the TLV is appended to
 * \return SCB_OK or a negative scb_err (SCB_E_TOO_LARGE, SCB_E_NOMEM)
 */
int scb_tlv_encode_resource(const struct scb_resource *r, struct scb_buf *out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

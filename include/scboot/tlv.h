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

#define SCB_TLV_OBJECT_INSTANCE 0
#define SCB_TLV_RESOURCE_INSTANCE 1
#define SCB_TLV_MULTIPLE_RESOURCE 2
#define SCB_TLV_RESOURCE 3

struct scb_tlv {
    uint8_t type;     /**< SCB_TLV_* */
    uint16_t id;
    const uint8_t *value;
    size_t len;
    size_t hdr_len;
};

/** Read one TLV at *pos of buf[0..len). Advances *pos past it. SCB_E_DECODE on overrun. */
int scb_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct scb_tlv *t);
/** The largest value a TLV length field can say (24 bits). */
#define SCB_TLV_MAX_LEN 0xFFFFFFu
/**
 * Canonical TLV header (8-bit ID when it fits, shortest length form). Returns its size, or 0
 * when len is beyond SCB_TLV_MAX_LEN (or out is NULL): no header can say it. The encoders
 * return SCB_E_TOO_LARGE then, never a truncated length.
 */
size_t scb_tlv_header(uint8_t type, uint16_t id, size_t len, uint8_t out[6]);

/** A growable output buffer. */
struct scb_buf {
    uint8_t *data;
    size_t len, cap;
    size_t max;       /**< refuse to grow past this (0 = 1 MiB) */
};
int scb_buf_put(struct scb_buf *b, const void *p, size_t n);
void scb_buf_free(struct scb_buf *b);

/**
 * Decode TLV instances of object oid (a whole-object payload: Object Instance TLVs) and add
 * them to cfg (duplicates are errors). base is the offset of buf in the enclosing file.
 */
int scb_tlv_decode_object(const uint8_t *buf, size_t len, uint16_t oid, size_t base,
                          struct scb_config *cfg, struct scb_decode_error *err);
/** Encode the instances of one object as Object Instance TLVs. */
int scb_tlv_encode_object(const struct scb_object *o, struct scb_buf *out);
/** Encode one instance's resources (no Object Instance wrapper). */
int scb_tlv_encode_instance(const struct scb_instance *i, struct scb_buf *out);
/** Encode one resource (Resource or Multiple Resource TLV). */
int scb_tlv_encode_resource(const struct scb_resource *r, struct scb_buf *out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

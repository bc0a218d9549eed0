/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot codecs: LwM2M TLV (content format 11542) and the G.3.4 EF LwM2M_Bootstrap container.
 * Decoding never reads out of bounds and reports the first error with the RULES.md identifier
 * and the byte offset in the input.
 */
#ifndef SCBOOT_CODEC_H
#define SCBOOT_CODEC_H

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

/** Where and why decoding stopped. rule is a RULES.md identifier ("record-overrun"). */
struct scb_decode_error {
    const char *rule;
    size_t offset;
    char path[32];    /**< LwM2M path when known ("/0/1/5"), else "/" */
    char msg[160];
};

struct scb_tlv {
    uint8_t type;     /**< SCB_TLV_* */
    uint16_t id;
    const uint8_t *value;
    size_t len;
    size_t hdr_len;
};

/** Read one TLV at *pos of buf[0..len). Advances *pos past it. SCB_E_DECODE on overrun. */
int scb_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct scb_tlv *t);
/** Canonical TLV header (8-bit ID when it fits, shortest length form). Returns its size. */
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
/** Check a value against its registry type (tlv-value-invalid): scb_objdef_value_fits(). */
int scb_value_check(uint16_t oid, uint16_t rid, const struct scb_value *v);

/**
 * Decode an EF LwM2M_Bootstrap image (G.3.4): u16 object count, u16 size, then records
 * (u16 object ID, version 00 | major minor, u16 length, TLV). Bytes after 4 + size are
 * padding. cfg must be initialised (scb_config_init) and is filled only on success.
 */
int scb_bsfile_decode(const uint8_t *buf, size_t len, struct scb_config *cfg,
                      struct scb_decode_error *err);
/** Encode a configuration as an EF LwM2M_Bootstrap image; pad appends that many FF bytes. */
int scb_bsfile_encode(const struct scb_config *cfg, size_t pad, struct scb_buf *out);
/** Bytes of the image the header covers (4 + size), or 0 if the header is incomplete. */
size_t scb_bsfile_total_len(const uint8_t *buf, size_t len);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

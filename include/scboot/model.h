/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot configuration model: objects -> instances -> resources (single or multiple), each
 * value kept as its TLV value bytes and typed through the LwM2M registry for objects 0
 * (Security), 1 (Server), 2 (Access Control) and 21 (OSCORE). Other objects are kept with
 * their raw TLV so that re-encoding loses nothing.
 */
#ifndef SCBOOT_MODEL_H
#define SCBOOT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

enum scb_type {
    SCB_TYPE_UNKNOWN = 0, /**< not in the registry table: shown as opaque */
    SCB_TYPE_STRING,
    SCB_TYPE_INT,
    SCB_TYPE_UINT,
    SCB_TYPE_FLOAT,
    SCB_TYPE_BOOL,
    SCB_TYPE_OPAQUE,
    SCB_TYPE_TIME,
    SCB_TYPE_OBJLNK,
    SCB_TYPE_NONE,        /**< executable resource: carries no value */
};

/* Field order and widths keep these at 16 bytes each: a 32 KB file holds thousands. */
struct scb_value {
    uint8_t *data;        /**< owned */
    uint32_t len;
    uint16_t riid;        /**< resource instance ID (multiple resources only) */
};

struct scb_resource {
    struct scb_value *v;
    uint32_t n;           /**< values: 1 for a single resource */
    uint16_t id;
    uint8_t multiple;     /**< encoded as a Multiple Resource TLV */
};

struct scb_instance {
    struct scb_resource *r;
    uint32_t n;
    uint16_t id;
};

struct scb_object {
    uint16_t id;
    int explicit_version; /**< G.3.4 version given as major.minor (else implicit 00) */
    uint8_t major, minor;
    size_t n;
    struct scb_instance *i;
    uint8_t *raw;         /**< objects outside 0/1/2/21: the TLV exactly as read (owned) */
    size_t raw_len;
};

struct scb_config {
    size_t n;
    struct scb_object *o;
};

/**
 * Where and why decoding stopped, as every codec reports it: rule is a RULES.md identifier
 * ("record-overrun"), offset the byte where it stopped. The validator's report takes it in
 * (scb_report_add_decode_error), so it lives with the model both rooms build on.
 */
struct scb_decode_error {
    const char *rule;
    size_t offset;
    char path[32];    /**< LwM2M path when known ("/0/1/5"), else "/" */
    char msg[160];
};

/** Registry type of /oid/x/rid (SCB_TYPE_UNKNOWN for objects or resources not in the table). */
enum scb_type scb_res_type(uint16_t oid, uint16_t rid);
/** Whether /oid/x/rid is a secret (PSK, private keys, OSCORE master secret). */
int scb_res_is_secret(uint16_t oid, uint16_t rid);
/** Whether the model types this object (0, 1, 2, 21). */
int scb_object_is_known(uint16_t oid);
/** Short name of an object ("Security"), or NULL. */
const char *scb_object_name(uint16_t oid);
/** Registry name of a resource ("Server URI"), or NULL. */
const char *scb_res_name(uint16_t oid, uint16_t rid);

void scb_config_init(struct scb_config *c);
/** Frees everything the configuration owns; zeroizes value bytes first. */
void scb_config_free(struct scb_config *c);
/** Deep copy. */
int scb_config_copy(struct scb_config *dst, const struct scb_config *src);
/**
 * Whether two configurations hold the same data: the same objects (version, opaque TLV),
 * instances, resources and values, whatever their order; numbers, times and booleans of
 * registered resources compare by value (a 2-byte 5 equals a 1-byte 5), everything else byte
 * for byte. Instance and resource IDs are unique within their parent (the decoders and the
 * model's add functions refuse duplicates).
 * \return 1 when equal, 0 when not (both NULL: equal)
 */
int scb_config_equal(const struct scb_config *a, const struct scb_config *b);
/** The same comparison for two instances of object oid (both NULL: equal). \return 1 or 0 */
int scb_instance_equal(uint16_t oid, const struct scb_instance *a, const struct scb_instance *b);

/** Lookups (NULL when absent). */
struct scb_object *scb_config_object(const struct scb_config *c, uint16_t oid);
struct scb_instance *scb_object_instance(const struct scb_object *o, uint16_t iid);
struct scb_resource *scb_instance_resource(const struct scb_instance *i, uint16_t rid);
/** Find or create (kept sorted by ID). *out points into the parent, which owns it: valid until
 * the parent changes or is freed. */
int scb_config_add_object(struct scb_config *c, uint16_t oid, struct scb_object **out);
int scb_object_add_instance(struct scb_object *o, uint16_t iid, struct scb_instance **out);
int scb_instance_add_resource(struct scb_instance *i, uint16_t rid, struct scb_resource **out);
/** Append a value (copied) to a resource. */
int scb_resource_add_value(struct scb_resource *r, uint16_t riid, const uint8_t *data,
                           size_t len);
/** Remove (no-op when absent). */
void scb_config_remove_object(struct scb_config *c, uint16_t oid);
void scb_object_remove_instance(struct scb_object *o, uint16_t iid);
void scb_instance_remove_resource(struct scb_instance *i, uint16_t rid);

/* Typed views of one value. Each returns SCB_E_PARSE when the bytes do not fit the type. */
int scb_value_int(const struct scb_value *v, int64_t *out);
int scb_value_uint(const struct scb_value *v, uint64_t *out);
int scb_value_bool(const struct scb_value *v, int *out);
int scb_value_float(const struct scb_value *v, double *out);
int scb_value_objlnk(const struct scb_value *v, uint16_t *oid, uint16_t *iid);
int scb_value_utf8_ok(const uint8_t *s, size_t len);

/* Canonical value encodings (minimal integer width 1/2/4/8; out >= 8 bytes). */
size_t scb_encode_int(int64_t v, uint8_t *out);
size_t scb_encode_uint(uint64_t v, uint8_t *out);
size_t scb_encode_float(double v, uint8_t *out);

/**
 * The value of a single (not multiple) resource of an instance, or NULL when the resource is
 * absent or present as a Multiple Resource. A NULL here is not "absent": code that judges a
 * configuration goes through scb_validate(), which refuses any resource of 0/1/2/21 in the
 * wrong shape (resource-shape-invalid) and reads values through a lookup that reports them.
 */
const struct scb_value *scb_instance_value(const struct scb_instance *i, uint16_t rid);
/**
 * Convenience: the single value of /oid/iid/rid as an integer / bool. SCB_E_NOT_FOUND when
 * absent; SCB_E_PARSE when present as a Multiple Resource or when the bytes do not fit.
 */
int scb_config_get_int(const struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                       int64_t *out);
int scb_config_get_bool(const struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                        int *out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

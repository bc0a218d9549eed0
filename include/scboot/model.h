/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot configuration model: objects -> instances -> resources (single or multiple), each
 * value kept as its TLV value bytes and typed through the LwM2M registry for objects 0
 * (Security), 1 (Server), 2 (Access Control) and 21 (OSCORE). Other objects are kept with
 * their raw TLV so that re-encoding loses nothing.
 *
 * Threads: a configuration is plain data its caller owns: several threads may read one at
 * once, none may change it while another reads it. The name and lookup functions return
 * constant text and hold no state.
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

/** LwM2M data type of a resource (the OMNA registry's). */
enum scb_type {
    SCB_TYPE_UNKNOWN = 0, /**< not in the registry table: shown as opaque */
    SCB_TYPE_STRING,      /**< UTF-8 string */
    SCB_TYPE_INT,         /**< signed integer */
    SCB_TYPE_UINT,        /**< unsigned integer */
    SCB_TYPE_FLOAT,       /**< float (4 or 8 bytes) */
    SCB_TYPE_BOOL,        /**< boolean */
    SCB_TYPE_OPAQUE,      /**< opaque bytes */
    SCB_TYPE_TIME,        /**< time (seconds since the epoch, as an integer) */
    SCB_TYPE_OBJLNK,      /**< object link (object ID, instance ID) */
    SCB_TYPE_NONE,        /**< executable resource: carries no value */
};

/* Field order and widths keep these at 16 bytes each: a 32 KB file holds thousands. */
/** One value of a resource, in its TLV value form. */
struct scb_value {
    uint8_t *data;        /**< owned */
    uint32_t len;         /**< bytes at data */
    uint16_t riid;        /**< resource instance ID (multiple resources only) */
};

/** A resource: one value, or the instances of a Multiple Resource. */
struct scb_resource {
    struct scb_value *v;  /**< the values (owned) */
    uint32_t n;           /**< values: 1 for a single resource */
    uint16_t id;          /**< resource ID */
    uint8_t multiple;     /**< encoded as a Multiple Resource TLV */
};

/** An object instance and its resources. */
struct scb_instance {
    struct scb_resource *r; /**< the resources (owned), sorted by ID */
    uint32_t n;             /**< number of resources */
    uint16_t id;            /**< instance ID */
};

/** An object and its instances. */
struct scb_object {
    uint16_t id;          /**< object ID */
    int explicit_version; /**< G.3.4 version given as major.minor (else implicit 00) */
    /** \var scb_object::major
     *  object version, major (when explicit_version)
     *  \var scb_object::minor
     *  object version, minor (when explicit_version) */
    uint8_t major, minor;
    size_t n;             /**< number of instances */
    struct scb_instance *i; /**< the instances (owned), sorted by ID */
    uint8_t *raw;         /**< objects outside 0/1/2/21: the TLV exactly as read (owned) */
    size_t raw_len;       /**< bytes at raw */
};

/**
 * A configuration: objects -> instances -> resources. Initialise with scb_config_init(),
 * free with scb_config_free(); it owns everything it points to.
 */
struct scb_config {
    size_t n;             /**< number of objects */
    struct scb_object *o; /**< the objects (owned), sorted by ID */
};

/**
 * Where and why decoding stopped, as every codec reports it: rule is a doc/rules.md identifier
 * ("record-overrun"), offset the byte where it stopped. The validator's report takes it in
 * (scb_report_add_decode_error), so it lives with the model both rooms build on.
 */
struct scb_decode_error {
    const char *rule; /**< the rule identifier (static), e.g. "record-overrun" */
    size_t offset;    /**< the byte where decoding stopped */
    char path[32];    /**< LwM2M path when known ("/0/1/5"), else "/" */
    char msg[160];    /**< one line saying why */
};

/**
 * Where a configuration, or one instance of it, came from. The validator takes it
 * (server-account-missing differs at Bootstrap-Finish) and the store records it per
 * committed instance (scb_committed_prov()); scb_source_name() names it.
 */
enum scb_source {
    SCB_SRC_CARD = 0,    /**< the UICC's EF LwM2M_Bootstrap (the smartcard) */
    SCB_SRC_FACTORY = 1, /**< a factory bootstrap file */
    SCB_SRC_NETWORK = 2  /**< a Bootstrap-Server, at Bootstrap-Finish */
};

/**
 * Initialise an empty configuration.
 * \param c the configuration (the caller's storage)
 */
void scb_config_init(struct scb_config *c);
/**
 * Frees everything the configuration owns; zeroizes value bytes first. c is left empty.
 * \param c the configuration (may be NULL)
 */
void scb_config_free(struct scb_config *c);
/**
 * Deep copy.
 * \param dst initialised and empty; receives the copy (the caller frees it)
 * \param src the configuration to copy
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_config_copy(struct scb_config *dst, const struct scb_config *src);
/**
 * Whether two configurations hold the same data: the same objects (version, opaque TLV),
 * instances, resources and values, whatever their order; numbers, times and booleans of
 * registered resources compare by value (a 2-byte 5 equals a 1-byte 5), everything else byte
 * for byte. Instance and resource IDs are unique within their parent (the decoders and the
 * model's add functions refuse duplicates).
 * \param a a configuration (may be NULL)
 * \param b a configuration (may be NULL)
 * \return 1 when equal, 0 when not (both NULL: equal)
 */
int scb_config_equal(const struct scb_config *a, const struct scb_config *b);
/**
 * The same comparison for two instances of object oid (both NULL: equal).
 * \param oid the object both instances belong to
 * \param a   an instance (may be NULL)
 * \param b   an instance (may be NULL)
 * \return 1 when equal, 0 when not
 */
int scb_instance_equal(uint16_t oid, const struct scb_instance *a, const struct scb_instance *b);

/*
 * The lookups come in pairs: the plain one reads (const in, const out), the _mut one hands
 * out a pointer to change what it finds and so takes the container mutable.
 */
/**
 * Lookup of an object, to read.
 * \param c   the configuration (may be NULL)
 * \param oid object ID
 * \return the object (owned by c, valid until c changes), or NULL when absent
 */
const struct scb_object *scb_config_object(const struct scb_config *c, uint16_t oid);
/**
 * Lookup of an object, to change it.
 * \param c   the configuration (may be NULL)
 * \param oid object ID
 * \return the object (owned by c, valid until c changes), or NULL when absent
 */
struct scb_object *scb_config_object_mut(struct scb_config *c, uint16_t oid);
/**
 * Lookup of an instance, to read.
 * \param o   the object (may be NULL)
 * \param iid instance ID
 * \return the instance (owned by o, valid until o changes), or NULL when absent
 */
const struct scb_instance *scb_object_instance(const struct scb_object *o, uint16_t iid);
/**
 * Lookup of an instance, to change it.
 * \param o   the object (may be NULL)
 * \param iid instance ID
 * \return the instance (owned by o, valid until o changes), or NULL when absent
 */
struct scb_instance *scb_object_instance_mut(struct scb_object *o, uint16_t iid);
/**
 * Lookup of a resource, to read.
 * \param i   the instance (may be NULL)
 * \param rid resource ID
 * \return the resource (owned by i, valid until i changes), or NULL when absent
 */
const struct scb_resource *scb_instance_resource(const struct scb_instance *i, uint16_t rid);
/**
 * Lookup of a resource, to change it.
 * \param i   the instance (may be NULL)
 * \param rid resource ID
 * \return the resource (owned by i, valid until i changes), or NULL when absent
 */
struct scb_resource *scb_instance_resource_mut(struct scb_instance *i, uint16_t rid);
/**
 * Find or create an object (kept sorted by ID). *out points into the parent, which owns it:
 * valid until the parent changes or is freed.
 * \param c   the configuration
 * \param oid object ID
 * \param out receives the object
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_config_add_object(struct scb_config *c, uint16_t oid, struct scb_object **out);
/**
 * Find or create an instance (kept sorted by ID); ownership as scb_config_add_object().
 * \param o   the object
 * \param iid instance ID
 * \param out receives the instance
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_object_add_instance(struct scb_object *o, uint16_t iid, struct scb_instance **out);
/**
 * Find or create a resource (kept sorted by ID); ownership as scb_config_add_object().
 * \param i   the instance
 * \param rid resource ID
 * \param out receives the resource
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_instance_add_resource(struct scb_instance *i, uint16_t rid, struct scb_resource **out);
/**
 * Append a value (copied) to a resource: a second value makes it a multiple resource (to
 * replace the value of a single resource: scb_resource_set_value()).
 * \param r    the resource
 * \param riid resource instance ID (multiple resources)
 * \param data the value bytes, copied
 * \param len  number of bytes at data
 * \return SCB_OK, SCB_E_INVALID_ARG, SCB_E_TOO_LARGE or SCB_E_NOMEM
 */
int scb_resource_add_value(struct scb_resource *r, uint16_t riid, const uint8_t *data,
                           size_t len);
/**
 * Make r a single resource holding exactly one value (copied): the values it held are
 * zeroized and freed. Unlike scb_resource_add_value(), which appends (a multiple resource).
 * \param r    the resource
 * \param data the value bytes, copied (may be NULL when len is 0)
 * \param len  number of bytes at data
 * \return SCB_OK, SCB_E_INVALID_ARG, SCB_E_TOO_LARGE or SCB_E_NOMEM (r unchanged on failure)
 */
int scb_resource_set_value(struct scb_resource *r, const uint8_t *data, size_t len);
/**
 * Set /oid/iid/rid to one value (copied), creating the object, instance and resource as
 * needed; values in the encoding of the resource's type (scb_model_encode_int() and the like).
 * \param c    the configuration
 * \param oid  object ID
 * \param iid  instance ID
 * \param rid  resource ID
 * \param data the value bytes, copied (may be NULL when len is 0)
 * \param len  number of bytes at data
 * \return SCB_OK, SCB_E_INVALID_ARG, SCB_E_TOO_LARGE or SCB_E_NOMEM
 */
int scb_config_set_value(struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                         const uint8_t *data, size_t len);
/**
 * Remove an object and free it (no-op when absent).
 * \param c   the configuration
 * \param oid object ID
 */
void scb_config_remove_object(struct scb_config *c, uint16_t oid);
/**
 * Remove an instance and free it (no-op when absent).
 * \param o   the object
 * \param iid instance ID
 */
void scb_object_remove_instance(struct scb_object *o, uint16_t iid);
/**
 * Remove a resource and free it (no-op when absent).
 * \param i   the instance
 * \param rid resource ID
 */
void scb_instance_remove_resource(struct scb_instance *i, uint16_t rid);

/* Typed views of one value. Each returns SCB_E_PARSE when the bytes do not fit the type. */
/**
 * A value as a signed integer (1, 2, 4 or 8 bytes, big-endian).
 * \param v   the value
 * \param out receives the integer
 * \return SCB_OK, SCB_E_PARSE or SCB_E_INVALID_ARG (NULL)
 */
int scb_value_int(const struct scb_value *v, int64_t *out);
/**
 * A value as an unsigned integer (1, 2, 4 or 8 bytes, big-endian).
 * \param v   the value
 * \param out receives the integer
 * \return SCB_OK, SCB_E_PARSE or SCB_E_INVALID_ARG (NULL)
 */
int scb_value_uint(const struct scb_value *v, uint64_t *out);
/**
 * A value as a boolean (one byte 0 or 1).
 * \param v   the value
 * \param out receives 0 or 1
 * \return SCB_OK, SCB_E_PARSE or SCB_E_INVALID_ARG (NULL)
 */
int scb_value_bool(const struct scb_value *v, int *out);
/**
 * A value as a float (4 or 8 bytes, IEEE 754 big-endian).
 * \param v   the value
 * \param out receives the number
 * \return SCB_OK, SCB_E_PARSE or SCB_E_INVALID_ARG (NULL)
 */
int scb_value_float(const struct scb_value *v, double *out);
/**
 * A value as an object link (4 bytes).
 * \param v   the value
 * \param oid receives the object ID
 * \param iid receives the instance ID
 * \return SCB_OK, SCB_E_PARSE or SCB_E_INVALID_ARG (NULL)
 */
int scb_value_objlnk(const struct scb_value *v, uint16_t *oid, uint16_t *iid);
/**
 * Whether bytes are valid UTF-8 without NUL (an LwM2M string).
 * \param s   the bytes
 * \param len number of bytes at s
 * \return 1 when valid, else 0
 */
int scb_model_utf8_ok(const uint8_t *s, size_t len);

/* Canonical value encodings (minimal integer width 1/2/4/8; out >= 8 bytes). */
/**
 * Encode a signed integer in its minimal width.
 * \param v   the integer
 * \param out receives the bytes (at least 8)
 * \return the number of bytes written (1, 2, 4 or 8)
 */
size_t scb_model_encode_int(int64_t v, uint8_t *out);
/**
 * Encode an unsigned integer in its minimal width.
 * \param v   the integer
 * \param out receives the bytes (at least 8)
 * \return the number of bytes written (1, 2, 4 or 8)
 */
size_t scb_model_encode_uint(uint64_t v, uint8_t *out);
/**
 * Encode a float: 4 bytes when exact in single precision, else 8.
 * \param v   the number
 * \param out receives the bytes (at least 8)
 * \return the number of bytes written (4 or 8)
 */
size_t scb_model_encode_float(double v, uint8_t *out);

/**
 * The value of a single (not multiple) resource of an instance, or NULL when the resource is
 * absent or present as a Multiple Resource. A NULL here is not "absent": code that judges a
 * configuration goes through scb_validate(), which refuses any resource of 0/1/2/21 in the
 * wrong shape (resource-shape-invalid) and reads values through a lookup that reports them.
 * \param i   the instance
 * \param rid resource ID
 * \return the value (owned by i), or NULL
 */
const struct scb_value *scb_instance_value(const struct scb_instance *i, uint16_t rid);
/**
 * Convenience: the single value of /oid/iid/rid as an integer / bool. SCB_E_NOT_FOUND when
 * absent; SCB_E_PARSE when present as a Multiple Resource or when the bytes do not fit.
 * \param c   the configuration
 * \param oid object ID
 * \param iid instance ID
 * \param rid resource ID
 * \param out receives the integer
 * \return SCB_OK, SCB_E_NOT_FOUND or SCB_E_PARSE
 */
int scb_config_get_int(const struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                       int64_t *out);
/**
 * The single value of /oid/iid/rid as a boolean, as scb_config_get_int().
 * \param c   the configuration
 * \param oid object ID
 * \param iid instance ID
 * \param rid resource ID
 * \param out receives 0 or 1
 * \return SCB_OK, SCB_E_NOT_FOUND or SCB_E_PARSE
 */
int scb_config_get_bool(const struct scb_config *c, uint16_t oid, uint16_t iid, uint16_t rid,
                        int *out);

/**
 * The Bootstrap-Server account's Security instance: the first Security instance whose
 * Bootstrap-Server resource (/0/x/1) reads true.
 * \param c a configuration (may be NULL)
 * \return borrowed from c (valid until c changes or is freed), or NULL when there is none
 */
const struct scb_instance *scb_config_bootstrap_instance(const struct scb_config *c);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

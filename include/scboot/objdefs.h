/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot resource definitions of the objects the Bootstrap Interface configures: Security (0),
 * Server (1), Access Control (2) and OSCORE (21), from the OMNA LwM2M registry (the object
 * definitions published at technical.openmobilealliance.org/OMNA/LwM2M/LwM2MRegistry.html):
 * Security and Server object version 1.2 (resources added in 1.1 and 1.2 are marked with the
 * object version that introduced them), Access Control 1.1, OSCORE 2.0. One table, used by the
 * decoders (value types), the JSON shape, the SenML merge and the validator (shape and type of
 * every resource before any other rule), so that no code has its own copy.
 */
#ifndef SCBOOT_OBJDEFS_H
#define SCBOOT_OBJDEFS_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/* ---- object IDs --------------------------------------------------------------------- */
#define SCB_OBJ_SECURITY 0 /**< LwM2M Security */
#define SCB_OBJ_SERVER 1   /**< LwM2M Server */
#define SCB_OBJ_ACL 2      /**< LwM2M Access Control */
#define SCB_OBJ_DEVICE 3   /**< Device */
#define SCB_OBJ_APN_PROFILE 11 /**< APN Connection Profile: what /1/x/10 links to */
#define SCB_OBJ_OSCORE 21  /**< OSCORE */

/* ---- Security (0) ------------------------------------------------------------------- */
#define SCB_RES_SEC_URI 0             /**< LwM2M Server URI, string 0..255 bytes */
#define SCB_RES_SEC_BOOTSTRAP 1       /**< Bootstrap-Server, boolean */
#define SCB_RES_SEC_MODE 2            /**< Security Mode, integer 0..4 */
#define SCB_RES_SEC_PUBKEY_ID 3       /**< Public Key or Identity, opaque */
#define SCB_RES_SEC_SERVER_PUBKEY 4   /**< Server Public Key, opaque */
#define SCB_RES_SEC_SECRET_KEY 5      /**< Secret Key, opaque (secret) */
#define SCB_RES_SEC_SMS_MODE 6        /**< SMS Security Mode, integer 0..255 */
#define SCB_RES_SEC_SMS_KEY_PARAMS 7  /**< SMS Binding Key Parameters, opaque 6 bytes */
#define SCB_RES_SEC_SMS_SECRET 8      /**< SMS Binding Secret Key(s), opaque (secret) */
#define SCB_RES_SEC_SMS_NUMBER 9      /**< LwM2M Server SMS Number, string */
#define SCB_RES_SEC_SSID 10           /**< Short Server ID, integer 1..65534 */
#define SCB_RES_SEC_HOLD_OFF 11       /**< Client Hold Off Time, integer (s) */
#define SCB_RES_SEC_BS_TIMEOUT 12     /**< Bootstrap-Server Account Timeout, integer (s) */
#define SCB_RES_SEC_MATCHING_TYPE 13  /**< 1.1: Matching Type, unsigned 0..3 */
#define SCB_RES_SEC_SNI 14            /**< 1.1: SNI, string */
#define SCB_RES_SEC_CERT_USAGE 15     /**< 1.1: Certificate Usage, unsigned 0..3 */
#define SCB_RES_SEC_CIPHERSUITE 16    /**< 1.1: DTLS/TLS Ciphersuite, unsigned, multiple */
#define SCB_RES_SEC_OSCORE 17         /**< 1.1: OSCORE Security Mode, objlnk to /21 */
#define SCB_RES_SEC_GROUPS 18         /**< 1.2: Groups To Use by Client, multiple */
#define SCB_RES_SEC_SIG_ALGS_SERVER 19 /**< 1.2: Signature Algorithms Supported by Server */
#define SCB_RES_SEC_SIG_ALGS_CLIENT 20 /**< 1.2: Signature Algorithms To Use by Client */
#define SCB_RES_SEC_SIG_ALG_CERTS 21  /**< 1.2: Signature Algorithm Certs Supported by Server */
#define SCB_RES_SEC_TLS13_FEATURES 22 /**< 1.2: TLS 1.3 Features To Use by Client */
#define SCB_RES_SEC_TLS_EXT_SERVER 23 /**< 1.2: TLS Extensions Supported by Server */
#define SCB_RES_SEC_TLS_EXT_CLIENT 24 /**< 1.2: TLS Extensions To Use by Client */
#define SCB_RES_SEC_SECONDARY_URI 25  /**< 1.2: Secondary LwM2M Server URI, multiple */
#define SCB_RES_SEC_MQTT_SERVER 26    /**< 1.2: MQTT Server, objlnk */
#define SCB_RES_SEC_COSE 27           /**< 1.2: LwM2M COSE Security, objlnk, multiple */
#define SCB_RES_SEC_RDS_DST_PORT 28   /**< 1.2: RDS Destination Port, integer 0..15 */
#define SCB_RES_SEC_RDS_SRC_PORT 29   /**< 1.2: RDS Source Port, integer 0..15 */
#define SCB_RES_SEC_RDS_APP_ID 30     /**< 1.2: RDS Application ID, string */

/* Values of Security Mode (/0/x/2) */
#define SCB_SEC_MODE_PSK 0            /**< Pre-Shared Key */
#define SCB_SEC_MODE_RPK 1            /**< Raw Public Key */
#define SCB_SEC_MODE_CERT 2           /**< Certificate */
#define SCB_SEC_MODE_NOSEC 3          /**< NoSec */
#define SCB_SEC_MODE_EST 4            /**< Certificate mode with EST */

/* ---- Server (1) --------------------------------------------------------------------- */
#define SCB_RES_SRV_SSID 0            /**< Short Server ID, integer 1..65534 */
#define SCB_RES_SRV_LIFETIME 1        /**< Lifetime, integer (s) */
#define SCB_RES_SRV_MIN_PERIOD 2      /**< Default Minimum Period, integer (s) */
#define SCB_RES_SRV_MAX_PERIOD 3      /**< Default Maximum Period, integer (s) */
#define SCB_RES_SRV_DISABLE 4         /**< Disable, executable */
#define SCB_RES_SRV_DISABLE_TIMEOUT 5 /**< Disable Timeout, integer (s) */
#define SCB_RES_SRV_STORING 6         /**< Notification Storing When Disabled or Offline */
#define SCB_RES_SRV_BINDING 7         /**< Binding, string */
#define SCB_RES_SRV_UPDATE_TRIGGER 8  /**< Registration Update Trigger, executable */
#define SCB_RES_SRV_BS_TRIGGER 9      /**< 1.1: Bootstrap-Request Trigger, executable */
#define SCB_RES_SRV_APN_LINK 10       /**< 1.1: APN Link, objlnk */
#define SCB_RES_SRV_ALERT_CODE 11     /**< 1.1: TLS-DTLS Alert Code, unsigned 0..255 */
#define SCB_RES_SRV_LAST_BOOTSTRAPPED 12 /**< 1.1: Last Bootstrapped, time */
#define SCB_RES_SRV_PRIORITY 13       /**< 1.1: Registration Priority Order, unsigned */
#define SCB_RES_SRV_INITIAL_DELAY 14  /**< 1.1: Initial Registration Delay Timer, unsigned */
#define SCB_RES_SRV_FAILURE_BLOCK 15  /**< 1.1: Registration Failure Block, boolean */
#define SCB_RES_SRV_BS_ON_FAILURE 16  /**< 1.1: Bootstrap on Registration Failure, boolean */
#define SCB_RES_SRV_RETRY_COUNT 17    /**< 1.1: Communication Retry Count, unsigned */
#define SCB_RES_SRV_RETRY_TIMER 18    /**< 1.1: Communication Retry Timer, unsigned */
#define SCB_RES_SRV_SEQ_DELAY 19      /**< 1.1: Communication Sequence Delay Timer, unsigned */
#define SCB_RES_SRV_SEQ_RETRY_COUNT 20 /**< 1.1: Communication Sequence Retry Count, unsigned */
#define SCB_RES_SRV_TRIGGER 21        /**< 1.1: Trigger, boolean */
#define SCB_RES_SRV_PREFERRED_TRANSPORT 22 /**< 1.1: Preferred Transport, string */
#define SCB_RES_SRV_MUTE_SEND 23      /**< 1.1: Mute Send, boolean */
#define SCB_RES_SRV_ALT_APN_LINKS 24  /**< 1.2: Alternate APN Links, objlnk, multiple */
#define SCB_RES_SRV_SERVER_VERSIONS 25 /**< 1.2: Supported Server Versions, string, multiple */
#define SCB_RES_SRV_NOTIFICATION_MODE 26 /**< 1.2: Default Notification Mode, integer 0..1 */
#define SCB_RES_SRV_PROFILE_HASH 27   /**< 1.2: Profile ID Hash Algorithm, unsigned 0..255 */

/* ---- Access Control (2) ------------------------------------------------------------- */
#define SCB_RES_ACL_OBJECT 0          /**< Object ID, integer 1..65534 */
#define SCB_RES_ACL_INSTANCE 1        /**< Object Instance ID, integer 0..65535 */
#define SCB_RES_ACL_ACL 2             /**< ACL, integer, multiple (RIID = SSID, 0 default) */
#define SCB_RES_ACL_OWNER 3           /**< Access Control Owner, integer 0..65535 */

/* ---- OSCORE (21) -------------------------------------------------------------------- */
#define SCB_RES_OSC_MASTER_SECRET 0   /**< OSCORE Master Secret, opaque (secret) */
#define SCB_RES_OSC_SENDER_ID 1       /**< OSCORE Sender ID, opaque */
#define SCB_RES_OSC_RECIPIENT_ID 2    /**< OSCORE Recipient ID, opaque */
#define SCB_RES_OSC_AEAD_ALG 3        /**< OSCORE AEAD Algorithm, integer */
#define SCB_RES_OSC_HMAC_ALG 4        /**< OSCORE HMAC Algorithm, integer */
#define SCB_RES_OSC_MASTER_SALT 5     /**< OSCORE Master Salt, opaque */
#define SCB_RES_OSC_ID_CONTEXT 6      /**< OSCORE ID Context, opaque */

/** One resource of the registry. */
struct scb_objdef_res {
    /** \var scb_objdef_res::oid
     *  object ID
     *  \var scb_objdef_res::rid
     *  resource ID */
    uint16_t oid, rid;
    enum scb_type type;     /**< SCB_TYPE_NONE: executable, carries no value */
    uint8_t multiple;       /**< Multiple Resource (else single) */
    uint8_t mandatory;      /**< Mandatory in the object definition (else optional) */
    uint8_t secret;         /**< redacted in dumps and logs */
    /** \var scb_objdef_res::since_major
     *  object version that introduced it, major
     *  \var scb_objdef_res::since_minor
     *  object version that introduced it, minor (1.0, 1.1, 1.2) */
    uint8_t since_major, since_minor;
    uint8_t has_range;      /**< min and max hold a registry range */
    /** \var scb_objdef_res::min
     *  Registry range, lower bound: the value for integer/unsigned resources, the byte length
     *  for strings and opaque values. Meaningful only when has_range.
     *  \var scb_objdef_res::max
     *  Registry range, upper bound (as min). */
    int64_t min, max;
    /** The validator rule that checks the range (NULL: value-out-of-range checks it). */
    const char *range_rule;
    const char *name;       /**< registry name ("LwM2M Server URI") */
};

/**
 * The definition of /oid/x/rid.
 * \param oid object ID
 * \param rid resource ID
 * \return the definition (static), or NULL when the object or the resource is not in the table
 */
const struct scb_objdef_res *scb_objdef_resource(uint16_t oid, uint16_t rid);
/**
 * Whether the table defines the object (0, 1, 2, 21).
 * \param oid object ID
 * \return 1 or 0
 */
int scb_objdef_object_known(uint16_t oid);
/**
 * Registry type of /oid/x/rid.
 * \param oid object ID
 * \param rid resource ID
 * \return the type; SCB_TYPE_UNKNOWN for objects or resources not in the table
 */
enum scb_type scb_objdef_resource_type(uint16_t oid, uint16_t rid);
/**
 * Whether /oid/x/rid is a secret (PSK, private keys, OSCORE master secret).
 * \param oid object ID
 * \param rid resource ID
 * \return 1 for a secret, else 0
 */
int scb_objdef_resource_is_secret(uint16_t oid, uint16_t rid);
/**
 * Registry name of a resource ("Server URI").
 * \param oid object ID
 * \param rid resource ID
 * \return static text, or NULL for a resource not in the table
 */
const char *scb_objdef_resource_name(uint16_t oid, uint16_t rid);
/**
 * Every definition in (oid, rid) order. For table-driven tests.
 * \param n receives the count
 * \return the table (static)
 */
const struct scb_objdef_res *scb_objdef_all(size_t *n);
/**
 * Short name of an object ("Security").
 * \param oid object ID
 * \return static text, or NULL for an object not in the table
 */
const char *scb_objdef_object_name(uint16_t oid);
/**
 * Registry name of a type ("Integer", "Objlnk", "none (executable)").
 * \param t the type
 * \return static text
 */
const char *scb_objdef_type_name(enum scb_type t);
/**
 * Whether the bytes fit the type: integer/time 1, 2, 4 or 8 bytes; unsigned 1, 2, 4 or 8;
 * float 4 or 8; boolean one byte 0 or 1; objlnk 4 bytes; string valid UTF-8 without NUL;
 * none (executable) no bytes at all; opaque and unknown anything. 1 if it fits, else 0.
 * \param t    the type
 * \param data the value bytes
 * \param len  number of bytes at data
 * \return 1 if it fits, else 0
 */
int scb_objdef_value_fits(enum scb_type t, const uint8_t *data, size_t len);
/**
 * Check a value against the registry type of /oid/x/rid (tlv-value-invalid):
 * scb_objdef_value_fits() on scb_objdef_resource_type(oid, rid).
 * \param oid object ID
 * \param rid resource ID
 * \param v   the value
 * \return SCB_OK when it fits, SCB_E_PARSE when not, SCB_E_INVALID_ARG when v is NULL
 */
int scb_objdef_value_check(uint16_t oid, uint16_t rid, const struct scb_value *v);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

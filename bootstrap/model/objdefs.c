/* SPDX-License-Identifier: Apache-2.0 */
/*
 * objdefs.c: the resource definitions of objects 0, 1, 2 and 21 (OMNA LwM2M registry,
 * doc/protocol.md: Security 1.2, Server 1.2, Access Control 1.1, OSCORE 2.0) and the check
 * of value bytes against a resource type (LwM2M App. C). The table is sorted by (object, resource).
 */
#include <string.h>

#include "scboot/error.h"
#include "scboot/objdefs.h"

#define T_STR SCB_TYPE_STRING
#define T_INT SCB_TYPE_INT
#define T_UINT SCB_TYPE_UINT
#define T_BOOL SCB_TYPE_BOOL
#define T_OPQ SCB_TYPE_OPAQUE
#define T_TIME SCB_TYPE_TIME
#define T_LNK SCB_TYPE_OBJLNK
#define T_EXE SCB_TYPE_NONE

/* multiple, mandatory, secret, since major.minor */
#define S 0
#define M 1
#define OPT 0
#define MAND 1
#define V10 1, 0
#define V11 1, 1
#define V12 1, 2
#define NORANGE 0, 0, 0, NULL
#define RANGE(lo, hi, rule) 1, (lo), (hi), (rule)

static const struct scb_objdef_res defs[] = {
    /* Security (0), object version 1.2. The registry marks 3, 4 and 5 mandatory; doc/rules.md's
     * resource-missing requires only 0, 1, 2 (and 10 off the Bootstrap-Server account), the
     * key material being checked per Security Mode by credentials-missing. */
    {0, 0, T_STR, S, MAND, 0, V10, RANGE(0, 255, "uri-invalid"), "LwM2M Server URI"},
    {0, 1, T_BOOL, S, MAND, 0, V10, NORANGE, "Bootstrap-Server"},
    {0, 2, T_INT, S, MAND, 0, V10, RANGE(0, 4, "security-mode-invalid"), "Security Mode"},
    {0, 3, T_OPQ, S, MAND, 0, V10, NORANGE, "Public Key or Identity"},
    {0, 4, T_OPQ, S, MAND, 0, V10, NORANGE, "Server Public Key"},
    {0, 5, T_OPQ, S, MAND, 1, V10, NORANGE, "Secret Key"},
    {0, 6, T_INT, S, OPT, 0, V10, RANGE(0, 255, NULL), "SMS Security Mode"},
    {0, 7, T_OPQ, S, OPT, 0, V10, RANGE(6, 6, NULL), "SMS Binding Key Parameters"},
    /* the registry says 16, 32 or 48 bytes: value-out-of-range checks that set */
    {0, 8, T_OPQ, S, OPT, 1, V10, RANGE(16, 48, NULL), "SMS Binding Secret Key(s)"},
    {0, 9, T_STR, S, OPT, 0, V10, NORANGE, "LwM2M Server SMS Number"},
    {0, 10, T_INT, S, OPT, 0, V10, RANGE(1, 65534, "ssid-out-of-range"), "Short Server ID"},
    {0, 11, T_INT, S, OPT, 0, V10, NORANGE, "Client Hold Off Time"},
    {0, 12, T_INT, S, OPT, 0, V10, NORANGE, "Bootstrap-Server Account Timeout"},
    {0, 13, T_UINT, S, OPT, 0, V11, RANGE(0, 3, "matching-type-invalid"), "Matching Type"},
    {0, 14, T_STR, S, OPT, 0, V11, NORANGE, "SNI"},
    {0, 15, T_UINT, S, OPT, 0, V11, RANGE(0, 3, "certificate-usage-invalid"),
     "Certificate Usage"},
    {0, 16, T_UINT, M, OPT, 0, V11, NORANGE, "DTLS/TLS Ciphersuite"},
    {0, 17, T_LNK, S, OPT, 0, V11, NORANGE, "OSCORE Security Mode"},
    {0, 18, T_UINT, M, OPT, 0, V12, RANGE(0, 65535, NULL), "Groups To Use by Client"},
    {0, 19, T_UINT, M, OPT, 0, V12, RANGE(0, 65535, NULL),
     "Signature Algorithms Supported by Server"},
    {0, 20, T_UINT, M, OPT, 0, V12, RANGE(0, 65535, NULL), "Signature Algorithms To Use by Client"},
    {0, 21, T_UINT, M, OPT, 0, V12, RANGE(0, 65535, NULL),
     "Signature Algorithm Certs Supported by Server"},
    {0, 22, T_UINT, S, OPT, 0, V12, RANGE(0, 65535, NULL), "TLS 1.3 Features To Use by Client"},
    {0, 23, T_UINT, S, OPT, 0, V12, RANGE(0, 65535, NULL), "TLS Extensions Supported by Server"},
    {0, 24, T_UINT, S, OPT, 0, V12, RANGE(0, 65535, NULL), "TLS Extensions To Use by Client"},
    {0, 25, T_STR, M, OPT, 0, V12, RANGE(0, 255, NULL), "Secondary LwM2M Server URI"},
    {0, 26, T_LNK, S, OPT, 0, V12, NORANGE, "MQTT Server"},
    {0, 27, T_LNK, M, OPT, 0, V12, NORANGE, "LwM2M COSE Security"},
    {0, 28, T_INT, S, OPT, 0, V12, RANGE(0, 15, NULL), "RDS Destination Port"},
    {0, 29, T_INT, S, OPT, 0, V12, RANGE(0, 15, NULL), "RDS Source Port"},
    {0, 30, T_STR, S, OPT, 0, V12, NORANGE, "RDS Application ID"},
    /* Server (1), object version 1.2 */
    {1, 0, T_INT, S, MAND, 0, V10, RANGE(1, 65534, "ssid-out-of-range"), "Short Server ID"},
    {1, 1, T_INT, S, MAND, 0, V10, NORANGE, "Lifetime"},
    {1, 2, T_INT, S, OPT, 0, V10, NORANGE, "Default Minimum Period"},
    {1, 3, T_INT, S, OPT, 0, V10, NORANGE, "Default Maximum Period"},
    {1, 4, T_EXE, S, OPT, 0, V10, NORANGE, "Disable"},
    {1, 5, T_INT, S, OPT, 0, V10, NORANGE, "Disable Timeout"},
    {1, 6, T_BOOL, S, MAND, 0, V10, NORANGE, "Notification Storing When Disabled or Offline"},
    {1, 7, T_STR, S, MAND, 0, V10, NORANGE, "Binding"},
    {1, 8, T_EXE, S, MAND, 0, V10, NORANGE, "Registration Update Trigger"},
    {1, 9, T_EXE, S, OPT, 0, V11, NORANGE, "Bootstrap-Request Trigger"},
    {1, 10, T_LNK, S, OPT, 0, V11, NORANGE, "APN Link"},
    {1, 11, T_UINT, S, OPT, 0, V11, RANGE(0, 255, NULL), "TLS-DTLS Alert Code"},
    {1, 12, T_TIME, S, OPT, 0, V11, NORANGE, "Last Bootstrapped"},
    {1, 13, T_UINT, S, OPT, 0, V11, NORANGE, "Registration Priority Order"},
    {1, 14, T_UINT, S, OPT, 0, V11, NORANGE, "Initial Registration Delay Timer"},
    {1, 15, T_BOOL, S, OPT, 0, V11, NORANGE, "Registration Failure Block"},
    {1, 16, T_BOOL, S, OPT, 0, V11, NORANGE, "Bootstrap on Registration Failure"},
    {1, 17, T_UINT, S, OPT, 0, V11, NORANGE, "Communication Retry Count"},
    {1, 18, T_UINT, S, OPT, 0, V11, NORANGE, "Communication Retry Timer"},
    {1, 19, T_UINT, S, OPT, 0, V11, NORANGE, "Communication Sequence Delay Timer"},
    {1, 20, T_UINT, S, OPT, 0, V11, NORANGE, "Communication Sequence Retry Count"},
    {1, 21, T_BOOL, S, OPT, 0, V11, NORANGE, "Trigger"},
    {1, 22, T_STR, S, OPT, 0, V11, NORANGE, "Preferred Transport"},
    {1, 23, T_BOOL, S, OPT, 0, V11, NORANGE, "Mute Send"},
    {1, 24, T_LNK, M, OPT, 0, V12, NORANGE, "Alternate APN Links"},
    {1, 25, T_STR, M, OPT, 0, V12, NORANGE, "Supported Server Versions"},
    {1, 26, T_INT, S, OPT, 0, V12, RANGE(0, 1, NULL), "Default Notification Mode"},
    {1, 27, T_UINT, S, OPT, 0, V12, RANGE(0, 255, NULL), "Profile ID Hash Algorithm"},
    /* Access Control (2), object version 1.1 (same resources as 1.0) */
    {2, 0, T_INT, S, MAND, 0, V10, RANGE(1, 65534, "acl-target-invalid"), "Object ID"},
    {2, 1, T_INT, S, MAND, 0, V10, RANGE(0, 65535, "acl-target-invalid"), "Object Instance ID"},
    {2, 2, T_INT, M, OPT, 0, V10, RANGE(0, 31, "acl-value-invalid"), "ACL"},
    {2, 3, T_INT, S, MAND, 0, V10, RANGE(0, 65535, "acl-owner-unknown"), "Access Control Owner"},
    /* OSCORE (21), object version 2.0 (LwM2M 1.1 introduced the object) */
    {21, 0, T_OPQ, S, MAND, 1, V10, NORANGE, "OSCORE Master Secret"},
    {21, 1, T_OPQ, S, MAND, 0, V10, NORANGE, "OSCORE Sender ID"},
    {21, 2, T_OPQ, S, MAND, 0, V10, NORANGE, "OSCORE Recipient ID"},
    {21, 3, T_INT, S, OPT, 0, V10, NORANGE, "OSCORE AEAD Algorithm"},
    {21, 4, T_INT, S, OPT, 0, V10, NORANGE, "OSCORE HMAC Algorithm"},
    {21, 5, T_OPQ, S, OPT, 0, V10, NORANGE, "OSCORE Master Salt"},
    {21, 6, T_OPQ, S, OPT, 0, V10, NORANGE, "OSCORE ID Context"},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

const struct scb_objdef_res *scb_objdef_resource(uint16_t oid, uint16_t rid)
{
    uint32_t want = (uint32_t)oid << 16 | rid;
    size_t lo = 0, hi = NDEFS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t key = (uint32_t)defs[mid].oid << 16 | defs[mid].rid;
        if (key == want) {
            return &defs[mid];
        }
        if (key < want) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct scb_objdef_res *scb_objdef_all(size_t *n)
{
    if (n == NULL) {
        return defs;
    }
    *n = NDEFS;
    return defs;
}

enum scb_type scb_objdef_resource_type(uint16_t oid, uint16_t rid)
{
    const struct scb_objdef_res *d = scb_objdef_resource(oid, rid);
    return d ? d->type : SCB_TYPE_UNKNOWN;
}

int scb_objdef_resource_is_secret(uint16_t oid, uint16_t rid)
{
    const struct scb_objdef_res *d = scb_objdef_resource(oid, rid);
    return d ? d->secret : 0;
}

const char *scb_objdef_resource_name(uint16_t oid, uint16_t rid)
{
    const struct scb_objdef_res *d = scb_objdef_resource(oid, rid);
    return d ? d->name : NULL;
}

int scb_objdef_object_known(uint16_t oid)
{
    return oid == SCB_OBJ_SECURITY || oid == SCB_OBJ_SERVER || oid == SCB_OBJ_ACL ||
           oid == SCB_OBJ_OSCORE;
}

const char *scb_objdef_object_name(uint16_t oid)
{
    switch (oid) {
    case SCB_OBJ_SECURITY: return "Security";
    case SCB_OBJ_SERVER: return "Server";
    case SCB_OBJ_ACL: return "Access Control";
    case SCB_OBJ_DEVICE: return "Device";
    case SCB_OBJ_OSCORE: return "OSCORE";
    default: return NULL;
    }
}

const char *scb_objdef_type_name(enum scb_type t)
{
    switch (t) {
    case SCB_TYPE_STRING: return "String";
    case SCB_TYPE_INT: return "Integer";
    case SCB_TYPE_UINT: return "Unsigned Integer";
    case SCB_TYPE_FLOAT: return "Float";
    case SCB_TYPE_BOOL: return "Boolean";
    case SCB_TYPE_OPAQUE: return "Opaque";
    case SCB_TYPE_TIME: return "Time";
    case SCB_TYPE_OBJLNK: return "Objlnk";
    case SCB_TYPE_NONE: return "none (executable)";
    default: return "unknown";
    }
}

static int int_width(size_t len)
{
    return len == 1 || len == 2 || len == 4 || len == 8;
}

int scb_objdef_value_fits(enum scb_type t, const uint8_t *data, size_t len)
{
    if (data == NULL && len > 0) {
        return 0;
    }
    switch (t) {
    case SCB_TYPE_INT:
    case SCB_TYPE_TIME:
    case SCB_TYPE_UINT:
        return int_width(len);
    case SCB_TYPE_FLOAT:
        return len == 4 || len == 8;
    case SCB_TYPE_BOOL:
        return len == 1 && data[0] <= 1;
    case SCB_TYPE_OBJLNK:
        return len == 4;
    case SCB_TYPE_STRING:
        return (len == 0 || memchr(data, 0, len) == NULL) && scb_model_utf8_ok(data, len);
    case SCB_TYPE_NONE:
        return len == 0;
    default:
        return 1;
    }
}

int scb_objdef_value_check(uint16_t oid, uint16_t rid, const struct scb_value *v)
{
    if (v == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return scb_objdef_value_fits(scb_objdef_resource_type(oid, rid), v->data, v->len) ? SCB_OK
                                                                                      : SCB_E_PARSE;
}

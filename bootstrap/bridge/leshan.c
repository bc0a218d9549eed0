/* SPDX-License-Identifier: Apache-2.0 */
/*
 * leshan.c: Eclipse Leshan's BootstrapConfig JSON <-> scboot's configuration model.
 *
 * Field names and value forms follow Leshan's BootstrapConfig class (public fields serialized
 * by Jackson in the demo Bootstrap-Server's store file): "toDelete", "servers", "security",
 * "acls", "oscore", "autoIdForSecurityObject", "contentFormat"; byte arrays as JSON arrays of
 * (signed) byte values; enums by name (securityMode PSK|RPK|X509|NO_SEC|EST, smsSecurityMode
 * RESERVED|SPS_DEVICE|SPS_SMARTCARD|NO_SEC|PROPRIETARY, certificateUsage CA_CONSTRAINT|...);
 * binding as a string ("U", "UQ"). The mapping to resource IDs is the LwM2M registry's.
 * A field left out takes Leshan's initialiser (lifetime 86400, defaultMinPeriod 1,
 * notifIfDisabled true, binding "U", bootstrapServer false; clientOldOffTime 1 and
 * bootstrapServerAccountTimeout 0 on the Bootstrap-Server account), as Leshan would write it;
 * an explicit null leaves the resource out. Deletes ("toDelete") are requests to a client,
 * not configuration: they are checked and otherwise ignored. Leshan's defaults that carry
 * nothing (empty byte arrays, SMS security NO_SEC, an empty SMS number) are left out, as are
 * the Bootstrap-Server-only resources (/0/x/11, /0/x/12) on a non-Bootstrap-Server account.
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_internal.h"
#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/leshan.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"

enum kind {
    K_STR, K_BOOL, K_INT, K_BYTES, K_SECMODE, K_SMSMODE, K_CERTUSAGE, K_LINK21, K_LINK11,
    K_ACLMAP, K_UNSUPPORTED
};

struct field {
    const char *name;
    int rid;
    enum kind kind;
};

static const struct field security_fields[] = {
    {"uri", SCB_RES_SEC_URI, K_STR},
    {"bootstrapServer", SCB_RES_SEC_BOOTSTRAP, K_BOOL},
    {"securityMode", SCB_RES_SEC_MODE, K_SECMODE},
    {"publicKeyOrId", SCB_RES_SEC_PUBKEY_ID, K_BYTES},
    {"serverPublicKey", SCB_RES_SEC_SERVER_PUBKEY, K_BYTES},
    {"secretKey", SCB_RES_SEC_SECRET_KEY, K_BYTES},
    {"smsSecurityMode", SCB_RES_SEC_SMS_MODE, K_SMSMODE},
    {"smsBindingKeyParam", SCB_RES_SEC_SMS_KEY_PARAMS, K_BYTES},
    {"smsBindingKeySecret", SCB_RES_SEC_SMS_SECRET, K_BYTES},
    {"serverSmsNumber", SCB_RES_SEC_SMS_NUMBER, K_STR},
    {"serverId", SCB_RES_SEC_SSID, K_INT},
    {"clientOldOffTime", SCB_RES_SEC_HOLD_OFF, K_INT},
    {"bootstrapServerAccountTimeout", SCB_RES_SEC_BS_TIMEOUT, K_INT},
    {"matchingType", SCB_RES_SEC_MATCHING_TYPE, K_UNSUPPORTED},
    {"sni", SCB_RES_SEC_SNI, K_STR},
    {"certificateUsage", SCB_RES_SEC_CERT_USAGE, K_CERTUSAGE},
    {"cipherSuite", SCB_RES_SEC_CIPHERSUITE, K_UNSUPPORTED},
    {"oscoreSecurityMode", SCB_RES_SEC_OSCORE, K_LINK21},
};
static const struct field server_fields[] = {
    {"shortId", SCB_RES_SRV_SSID, K_INT},
    {"lifetime", SCB_RES_SRV_LIFETIME, K_INT},
    {"defaultMinPeriod", SCB_RES_SRV_MIN_PERIOD, K_INT},
    {"defaultMaxPeriod", SCB_RES_SRV_MAX_PERIOD, K_INT},
    {"disableTimeout", SCB_RES_SRV_DISABLE_TIMEOUT, K_INT},
    {"notifIfDisabled", SCB_RES_SRV_STORING, K_BOOL},
    {"binding", SCB_RES_SRV_BINDING, K_STR},
    {"apnLink", SCB_RES_SRV_APN_LINK, K_LINK11},
    {"trigger", SCB_RES_SRV_TRIGGER, K_BOOL},
    {"preferredTransport", SCB_RES_SRV_PREFERRED_TRANSPORT, K_STR},
    {"muteSend", SCB_RES_SRV_MUTE_SEND, K_BOOL},
};
static const struct field acl_fields[] = {
    {"objectId", SCB_RES_ACL_OBJECT, K_INT},
    {"objectInstanceId", SCB_RES_ACL_INSTANCE, K_INT},
    {"acls", SCB_RES_ACL_ACL, K_ACLMAP},
    {"AccessControlOwner", SCB_RES_ACL_OWNER, K_INT},
};
static const struct field oscore_fields[] = {
    {"oscoreMasterSecret", SCB_RES_OSC_MASTER_SECRET, K_BYTES},
    {"oscoreSenderId", SCB_RES_OSC_SENDER_ID, K_BYTES},
    {"oscoreRecipientId", SCB_RES_OSC_RECIPIENT_ID, K_BYTES},
    {"oscoreAeadAlgorithm", SCB_RES_OSC_AEAD_ALG, K_INT},
    {"oscoreHmacAlgorithm", SCB_RES_OSC_HMAC_ALG, K_INT},
    {"oscoreMasterSalt", SCB_RES_OSC_MASTER_SALT, K_BYTES},
};

struct objmap {
    const char *key;
    int oid;
    const struct field *f;
    size_t n;
};
#define N(a) (sizeof(a) / sizeof((a)[0]))
static const struct objmap objmaps[] = {
    {"security", SCB_OBJ_SECURITY, security_fields, N(security_fields)},
    {"servers", SCB_OBJ_SERVER, server_fields, N(server_fields)},
    {"acls", SCB_OBJ_ACL, acl_fields, N(acl_fields)},
    {"oscore", SCB_OBJ_OSCORE, oscore_fields, N(oscore_fields)},
};

/* securityMode by Security Mode (/0/x/2) */
static const char *const secmodes[] = {[SCB_SEC_MODE_PSK] = "PSK", [SCB_SEC_MODE_RPK] = "RPK",
                                       [SCB_SEC_MODE_CERT] = "X509",
                                       [SCB_SEC_MODE_NOSEC] = "NO_SEC",
                                       [SCB_SEC_MODE_EST] = "EST"};
static const char *const certusages[] = {"CA_CONSTRAINT", "SERVICE_CERTIFICATE_CONSTRAINT",
                                         "TRUST_ANCHOR_ASSERTION", "DOMAIN_ISSUER_CERTIFICATE"};
struct code_name {
    int code;
    const char *name;
};
#define SMS_NO_SEC 3 /* SMS Security Mode (/0/x/6) NoSec */
static const struct code_name smsmodes[] = {{0, "RESERVED"}, {1, "SPS_DEVICE"},
                                            {2, "SPS_SMARTCARD"}, {SMS_NO_SEC, "NO_SEC"},
                                            {255, "PROPRIETARY"}};

/* "0".."65534", no sign, no leading zeros */
static int parse_id(const char *s, unsigned max, unsigned *out)
{
    unsigned long v = 0;
    if (*s == '\0' || (s[0] == '0' && s[1] != '\0') || strlen(s) > 5) {
        return -1;
    }
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            return -1;
        }
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > max) {
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* A byte array (-128..255 each) as {"hex": ...}; NULL when empty. */
static int bytes_value(json_object *v, json_object **out, const char *where, char *err,
                       size_t errlen)
{
    if (!json_object_is_type(v, json_type_array)) {
        return scb_bridge_fail(err, errlen, 0, "%s: expected an array of byte values", where);
    }
    size_t n = json_object_array_length(v);
    if (n > 65536) {
        return scb_bridge_fail(err, errlen, 0, "%s: more than 65536 bytes", where);
    }
    *out = NULL;
    if (n == 0) {
        return 0;
    }
    char *hex = malloc(2 * n + 1);
    int ret = 0;
    if (hex == NULL) {
        return SCB_E_NOMEM;
    }
    for (size_t k = 0; k < n && ret == 0; k++) {
        json_object *b = json_object_array_get_idx(v, k);
        int64_t x = json_object_get_int64(b);
        if (!json_object_is_type(b, json_type_int)) {
            ret = scb_bridge_fail(err, errlen, 0, "%s[%zu]: expected a byte value", where, k);
        } else if (x < -128 || x > 255) {
            ret = scb_bridge_fail(err, errlen, 0, "%s[%zu]: %lld is not a byte", where, k,
                                  (long long)x);
        } else {
            snprintf(hex + 2 * k, 3, "%02X", (unsigned)(x & 0xFF));
        }
    }
    if (ret == 0) {
        *out = json_object_new_object();
        json_object_object_add(*out, "hex", json_object_new_string(hex));
    }
    scb_util_zeroize(hex, 2 * n + 1); /* the bytes may be a key */
    free(hex);
    return ret;
}

static int enum_index(json_object *v, const char *const *names, size_t n)
{
    if (!json_object_is_type(v, json_type_string)) {
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        if (strcmp(json_object_get_string(v), names[k]) == 0) {
            return (int)k;
        }
    }
    return -1;
}

/* One field's value in scboot's JSON shape; *out NULL = leave the resource out. */
static int field_value(const struct field *f, json_object *v, const char *where,
                       json_object **out, char *err, size_t errlen)
{
    char link[32];
    int k;
    *out = NULL;
    switch (f->kind) {
    case K_STR:
        if (!json_object_is_type(v, json_type_string)) {
            return scb_bridge_fail(err, errlen, 0, "%s: expected a string", where);
        }
        /* json-c lets overlong forms through; an LwM2M string must be strict UTF-8 */
        if (!scb_model_utf8_ok((const uint8_t *)json_object_get_string(v),
                               (size_t)json_object_get_string_len(v))) {
            return scb_bridge_fail(err, errlen, 0, "%s: not UTF-8", where);
        }
        /* "\u0000" is valid JSON; kept as a C string it would cut the value short in silence
         * ("coaps://a\u0000.b" written as "coaps://a") */
        if (memchr(json_object_get_string(v), '\0', (size_t)json_object_get_string_len(v))) {
            return scb_bridge_fail(err, errlen, 0, "%s: NUL character in string", where);
        }
        if (f->rid == SCB_RES_SEC_SMS_NUMBER && json_object_get_string_len(v) == 0) {
            return 0; /* serverSmsNumber "" is Leshan's "none" */
        }
        *out = json_object_new_string(json_object_get_string(v));
        return 0;
    case K_BOOL:
        if (!json_object_is_type(v, json_type_boolean)) {
            return scb_bridge_fail(err, errlen, 0, "%s: expected true or false", where);
        }
        *out = json_object_new_boolean(json_object_get_boolean(v));
        return 0;
    case K_INT:
        if (!json_object_is_type(v, json_type_int)) {
            return scb_bridge_fail(err, errlen, 0, "%s: expected an integer", where);
        }
        *out = json_object_new_int64(json_object_get_int64(v));
        return 0;
    case K_BYTES: return bytes_value(v, out, where, err, errlen);
    case K_SECMODE:
        if ((k = enum_index(v, secmodes, N(secmodes))) < 0) {
            return scb_bridge_fail(err, errlen, 0, "%s: expected PSK, RPK, X509, NO_SEC or EST",
                                   where);
        }
        *out = json_object_new_int(k);
        return 0;
    case K_CERTUSAGE:
        if ((k = enum_index(v, certusages, N(certusages))) < 0) {
            return scb_bridge_fail(err, errlen, 0,
                                   "%s: expected CA_CONSTRAINT, SERVICE_CERTIFICATE_CONSTRAINT, "
                                   "TRUST_ANCHOR_ASSERTION or DOMAIN_ISSUER_CERTIFICATE",
                                   where);
        }
        *out = json_object_new_int(k);
        return 0;
    case K_SMSMODE:
        for (size_t i = 0; json_object_is_type(v, json_type_string) && i < N(smsmodes); i++) {
            if (strcmp(json_object_get_string(v), smsmodes[i].name) == 0) {
                if (smsmodes[i].code != SMS_NO_SEC) { /* Leshan's default: nothing to carry */
                    *out = json_object_new_int(smsmodes[i].code);
                }
                return 0;
            }
        }
        return scb_bridge_fail(err, errlen, 0,
                               "%s: expected RESERVED, SPS_DEVICE, SPS_SMARTCARD, NO_SEC or "
                               "PROPRIETARY",
                               where);
    case K_LINK21:
    case K_LINK11:
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
            json_object_get_int64(v) > 65535) {
            return scb_bridge_fail(err, errlen, 0, "%s: expected an instance ID", where);
        }
        snprintf(link, sizeof(link), "%d:%lld",
                 f->kind == K_LINK21 ? SCB_OBJ_OSCORE : SCB_OBJ_APN_PROFILE,
                 (long long)json_object_get_int64(v));
        *out = json_object_new_string(link);
        return 0;
    case K_ACLMAP: {
        if (!json_object_is_type(v, json_type_object)) {
            return scb_bridge_fail(err, errlen, 0,
                                   "%s: expected an object of Short Server ID: rights", where);
        }
        json_object *m = json_object_new_object();
        int ret = 0;
        json_object_object_foreach(v, key, val) {
            unsigned ssid;
            if (parse_id(key, 65535, &ssid) < 0) {
                ret = scb_bridge_fail(err, errlen, 0, "%s: '%.16s' is not a Short Server ID",
                                      where, key);
                break;
            }
            if (!json_object_is_type(val, json_type_int)) {
                ret = scb_bridge_fail(err, errlen, 0, "%s/%s: expected an integer", where, key);
                break;
            }
            json_object_object_add(m, key, json_object_new_int64(json_object_get_int64(val)));
        }
        if (ret < 0) {
            json_object_put(m);
            return ret;
        }
        *out = m;
        return 0;
    }
    case K_UNSUPPORTED:
    default:
        return scb_bridge_fail(err, errlen, 0, "%s: not supported by this importer (leave it null)",
                               where);
    }
}

/* Leshan's field initialisers: what its Bootstrap-Server writes when the JSON leaves a field
 * out (an explicit null leaves the resource out instead). */
static void default_one(json_object *inst, json_object *resources, const char *name, int rid,
                        json_object *val)
{
    char rk[8];
    if (json_object_object_get_ex(inst, name, NULL)) {
        json_object_put(val);
        return;
    }
    snprintf(rk, sizeof(rk), "%d", rid);
    json_object_object_add(resources, rk, val);
}

static void add_defaults(int oid, int bs, json_object *inst, json_object *resources)
{
    if (oid == SCB_OBJ_SECURITY) {
        default_one(inst, resources, "bootstrapServer", SCB_RES_SEC_BOOTSTRAP,
                    json_object_new_boolean(0));
        if (bs) {
            default_one(inst, resources, "clientOldOffTime", SCB_RES_SEC_HOLD_OFF,
                        json_object_new_int(1));
            default_one(inst, resources, "bootstrapServerAccountTimeout", SCB_RES_SEC_BS_TIMEOUT,
                        json_object_new_int(0));
        }
    } else if (oid == SCB_OBJ_SERVER) {
        default_one(inst, resources, "lifetime", SCB_RES_SRV_LIFETIME, json_object_new_int(86400));
        default_one(inst, resources, "defaultMinPeriod", SCB_RES_SRV_MIN_PERIOD,
                    json_object_new_int(1));
        default_one(inst, resources, "notifIfDisabled", SCB_RES_SRV_STORING,
                    json_object_new_boolean(1));
        default_one(inst, resources, "binding", SCB_RES_SRV_BINDING, json_object_new_string("U"));
    }
}

/* One instance of one object into the shape's "resources". */
static int import_instance(const struct objmap *om, const char *iidkey, json_object *inst,
                           json_object *resources, char *err, size_t errlen)
{
    char where[160];
    int bs = 0;
    json_object *b;
    if (!json_object_is_type(inst, json_type_object)) {
        return scb_bridge_fail(err, errlen, 0, "%s/%s: expected an object", om->key, iidkey);
    }
    if (om->oid == SCB_OBJ_SECURITY && json_object_object_get_ex(inst, "bootstrapServer", &b) &&
        json_object_is_type(b, json_type_boolean)) {
        bs = json_object_get_boolean(b);
    }
    json_object_object_foreach(inst, key, val) {
        const struct field *f = NULL;
        for (size_t k = 0; k < om->n; k++) {
            if (strcmp(key, om->f[k].name) == 0) {
                f = &om->f[k];
            }
        }
        snprintf(where, sizeof(where), "%s/%s/%.64s", om->key, iidkey, key);
        if (f == NULL) {
            return scb_bridge_fail(err, errlen, 0, "%s: unknown field", where);
        }
        if (val == NULL || (om->oid == SCB_OBJ_SECURITY && !bs &&
                            (f->rid == SCB_RES_SEC_HOLD_OFF || f->rid == SCB_RES_SEC_BS_TIMEOUT))) {
            continue; /* null: absent; hold-off and account timeout: Bootstrap-Server only */
        }
        json_object *rv;
        int ret = field_value(f, val, where, &rv, err, errlen);
        if (ret < 0) {
            return ret;
        }
        if (rv) {
            char rk[8];
            snprintf(rk, sizeof(rk), "%d", f->rid);
            json_object_object_add(resources, rk, rv);
        }
    }
    add_defaults(om->oid, bs, inst, resources);
    return 0;
}

static int import_object(const struct objmap *om, json_object *map, json_object *objects,
                         char *err, size_t errlen)
{
    if (!json_object_is_type(map, json_type_object)) {
        return scb_bridge_fail(err, errlen, 0, "%s: expected an object of instance ID: instance",
                               om->key);
    }
    if (json_object_object_length(map) == 0) {
        return 0;
    }
    json_object *obj = json_object_new_object(), *insts = json_object_new_object();
    char ok[8];
    json_object_object_add(obj, "version", json_object_new_string("implicit"));
    json_object_object_add(obj, "instances", insts);
    snprintf(ok, sizeof(ok), "%d", om->oid);
    json_object_object_add(objects, ok, obj);
    json_object_object_foreach(map, key, inst) {
        unsigned iid;
        if (parse_id(key, 65534, &iid) < 0) {
            return scb_bridge_fail(err, errlen, 0, "%s: '%.16s' is not an instance ID (0-65534)",
                                   om->key, key);
        }
        json_object *ij = json_object_new_object(), *res = json_object_new_object();
        json_object_object_add(ij, "resources", res);
        json_object_object_add(insts, key, ij);
        int ret = import_instance(om, key, inst, res, err, errlen);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static int is_config_key(const char *k)
{
    static const char *const keys[] = {"toDelete", "servers", "security", "acls", "oscore",
                                       "autoIdForSecurityObject", "contentFormat"};
    for (size_t i = 0; i < N(keys); i++) {
        if (strcmp(k, keys[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The BootstrapConfig to import: the root itself, or one entry of an endpoint map. */
static int pick_config(json_object *root, const char *endpoint, json_object **out, char *err,
                       size_t errlen)
{
    int single = json_object_object_length(root) == 0;
    json_object_object_foreach(root, k0, v0) {
        (void)v0;
        single |= is_config_key(k0);
    }
    if (single) {
        if (endpoint) {
            scb_bridge_fail(err, errlen, 0,
                            "the file holds one configuration, not one per endpoint");
            return SCB_E_INVALID_ARG;
        }
        *out = root;
        return 0;
    }
    if (endpoint) {
        if (!json_object_object_get_ex(root, endpoint, out)) {
            scb_bridge_fail(err, errlen, 0, "no configuration for endpoint '%.64s'", endpoint);
            return SCB_E_NOT_FOUND;
        }
        return 0;
    }
    if (json_object_object_length(root) != 1) {
        char names[160] = "";
        json_object_object_foreach(root, k, v) {
            (void)v;
            size_t l = strlen(names);
            snprintf(names + l, sizeof(names) - l, "%s'%.32s'", l ? ", " : "", k);
        }
        scb_bridge_fail(err, errlen, 0, "%d endpoints (%s)", json_object_object_length(root),
                        names);
        return SCB_E_NOT_FOUND;
    }
    json_object_object_foreach(root, k, v) {
        (void)k;
        *out = v;
    }
    return 0;
}

static int check_config(json_object *bc, json_object *objects, char *err, size_t errlen)
{
    if (!json_object_is_type(bc, json_type_object)) {
        return scb_bridge_fail(err, errlen, 0, "expected a BootstrapConfig object");
    }
    json_object_object_foreach(bc, key, val) {
        int ret = 0, done = 0;
        for (size_t k = 0; k < N(objmaps); k++) {
            if (strcmp(key, objmaps[k].key) == 0) {
                done = 1;
                ret = val ? import_object(&objmaps[k], val, objects, err, errlen) : 0;
            }
        }
        if (ret < 0) {
            return ret;
        }
        if (done) {
            continue;
        }
        if (strcmp(key, "toDelete") == 0) {
            if (val && !json_object_is_type(val, json_type_array)) {
                return scb_bridge_fail(err, errlen, 0, "toDelete: expected an array of paths");
            }
            for (size_t k = 0; val && k < json_object_array_length(val); k++) {
                json_object *p = json_object_array_get_idx(val, k);
                if (!json_object_is_type(p, json_type_string) ||
                    json_object_get_string(p)[0] != '/') {
                    return scb_bridge_fail(err, errlen, 0,
                                           "toDelete[%zu]: expected a path like \"/0\"", k);
                }
            }
        } else if (strcmp(key, "autoIdForSecurityObject") == 0) {
            if (!json_object_is_type(val, json_type_boolean)) {
                return scb_bridge_fail(err, errlen, 0,
                                       "autoIdForSecurityObject: expected true or false");
            }
        } else if (strcmp(key, "contentFormat") == 0) {
            if (val && !json_object_is_type(val, json_type_string)) {
                return scb_bridge_fail(err, errlen, 0, "contentFormat: expected a string or null");
            }
        } else {
            return scb_bridge_fail(err, errlen, 0, "%.64s: unknown field of BootstrapConfig", key);
        }
    }
    return 0;
}

int scb_leshan_import(const char *text, size_t len, const char *endpoint,
                      struct scb_config *cfg, char *err, size_t errlen)
{
    json_object *root, *bc = NULL;
    if ((text == NULL && len > 0) || cfg == NULL) {
        return SCB_E_INVALID_ARG;
    }
    errlen = err ? errlen : 0;
    /* one strict JSON document, each key once per object: {"uri": "coap://a", "uri":
     * "coap://b"} is refused (json-c keeps the last, another reader the first; the card would
     * carry what neither the operator nor Leshan may have meant) */
    char why[160];
    int pret = scb_json_parse(text, len, &root, why, sizeof(why));
    if (pret < 0) {
        return pret == SCB_E_JSON ? scb_bridge_fail(err, errlen, 0, "%s", why) : pret;
    }
    json_object *shape = json_object_new_object(), *objects = json_object_new_object();
    json_object_object_add(shape, "objects", objects);
    int ret = json_object_is_type(root, json_type_object)
                  ? pick_config(root, endpoint, &bc, err, errlen)
                  : scb_bridge_fail(err, errlen, 0, "expected a JSON object");
    if (ret == 0) {
        ret = check_config(bc, objects, err, errlen);
    }
    if (ret == 0) {
        ret = scb_config_from_json(shape, cfg, err, errlen);
    }
    json_object_put(shape);
    json_object_put(root);
    return ret;
}

/* {"hex": "A1B2"} -> [-95, -78] (signed, as Leshan's store writes byte arrays) */
static json_object *hex_to_bytes(json_object *v)
{
    json_object *h, *arr = json_object_new_array();
    if (!json_object_object_get_ex(v, "hex", &h)) {
        return arr;
    }
    const char *s = json_object_get_string(h);
    for (size_t k = 0; s[k] && s[k + 1]; k += 2) {
        unsigned x;
        sscanf(s + k, "%2x", &x);
        json_object_array_add(arr, json_object_new_int((int)(signed char)(unsigned char)x));
    }
    return arr;
}

static json_object *export_value(const struct field *f, json_object *v)
{
    int64_t x = json_object_get_int64(v);
    switch (f->kind) {
    case K_BYTES: return hex_to_bytes(v);
    case K_SECMODE:
        return x >= 0 && x < (int64_t)N(secmodes) ? json_object_new_string(secmodes[x]) : NULL;
    case K_CERTUSAGE:
        return x >= 0 && x < (int64_t)N(certusages) ? json_object_new_string(certusages[x])
                                                     : NULL;
    case K_SMSMODE:
        for (size_t i = 0; i < N(smsmodes); i++) {
            if (smsmodes[i].code == x) {
                return json_object_new_string(smsmodes[i].name);
            }
        }
        return NULL;
    case K_LINK21:
    case K_LINK11: {
        unsigned o, i;
        if (!json_object_is_type(v, json_type_string) ||
            sscanf(json_object_get_string(v), "%u:%u", &o, &i) != 2 ||
            o != (unsigned)(f->kind == K_LINK21 ? SCB_OBJ_OSCORE : SCB_OBJ_APN_PROFILE)) {
            return NULL;
        }
        return json_object_new_int((int)i);
    }
    case K_UNSUPPORTED: return NULL;
    default: return json_object_get(v);
    }
}

/* "toDelete": "/oid" */
static void add_delete(json_object *del, int oid)
{
    char path[8];
    snprintf(path, sizeof(path), "/%d", oid);
    json_object_array_add(del, json_object_new_string(path));
}

int scb_leshan_export(const struct scb_config *cfg, const char *endpoint, int show_secrets,
                      char **out, char *lost, size_t lostlen, char *err, size_t errlen)
{
    int ret = scb_bridge_export_start(cfg, show_secrets, out, lost, lostlen, err, &errlen);
    if (ret < 0) {
        return ret;
    }
    json_object *shape = scb_config_to_json(cfg, 1), *objects;
    json_object *bc = json_object_new_object(), *del = json_object_new_array();
    json_object_object_get_ex(shape, "objects", &objects);
    json_object_object_add(bc, "autoIdForSecurityObject", json_object_new_boolean(0));
    json_object_object_add(bc, "toDelete", del);
    add_delete(del, SCB_OBJ_SECURITY);
    add_delete(del, SCB_OBJ_SERVER);
    json_object_object_foreach(objects, okey, obj) {
        const struct objmap *om = NULL;
        for (size_t k = 0; k < N(objmaps); k++) {
            char ok[8];
            snprintf(ok, sizeof(ok), "%d", objmaps[k].oid);
            if (strcmp(okey, ok) == 0) {
                om = &objmaps[k];
            }
        }
        if (om == NULL) {
            scb_bridge_lost_add(lost, lostlen, "/%s", okey);
            continue;
        }
        if (om->oid == SCB_OBJ_ACL || om->oid == SCB_OBJ_OSCORE) {
            add_delete(del, om->oid);
        }
        json_object *map = json_object_new_object(), *insts;
        json_object_object_add(bc, om->key, map);
        json_object_object_get_ex(obj, "instances", &insts);
        json_object_object_foreach(insts, ikey, inst) {
            json_object *res, *li = json_object_new_object();
            json_object_object_add(map, ikey, li);
            json_object_object_get_ex(inst, "resources", &res);
            json_object_object_foreach(res, rkey, rv) {
                const struct field *f = NULL;
                for (size_t k = 0; k < om->n; k++) {
                    char rk[8];
                    snprintf(rk, sizeof(rk), "%d", om->f[k].rid);
                    if (strcmp(rk, rkey) == 0) {
                        f = &om->f[k];
                    }
                }
                json_object *lv = f ? export_value(f, rv) : NULL;
                if (lv == NULL) {
                    scb_bridge_lost_add(lost, lostlen, "/%s/%s/%s", okey, ikey, rkey);
                    continue;
                }
                json_object_object_add(li, f->name, lv);
            }
        }
    }
    json_object *root = bc;
    if (endpoint) {
        root = json_object_new_object();
        json_object_object_add(root, endpoint, bc);
    }
    const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = strlen(s);
    *out = malloc(n + 2);
    if (*out) {
        memcpy(*out, s, n);
        (*out)[n] = '\n';
        (*out)[n + 1] = '\0';
    }
    json_object_put(root);
    json_object_put(shape);
    return *out ? SCB_OK : SCB_E_NOMEM;
}

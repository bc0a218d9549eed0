/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot consistency validator: one function over a configuration and a client profile,
 * returning every violation (doc/rules.md identifiers, a public contract) in a stable order.
 * The card path, the factory path and Bootstrap-Finish all call it.
 */
#ifndef SCBOOT_VALIDATE_H
#define SCBOOT_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** How much a violation counts. */
enum scb_severity {
    SCB_SEV_ERROR = 0,  /**< the configuration is refused */
    SCB_SEV_WARNING = 1 /**< reported, the configuration is accepted */
};

/**
 * The rule identifiers of doc/rules.md as an enum, for code that decides on a rule (the
 * sequence's "network bootstrap needed"). The strings (scb_rule_name) stay the public
 * contract: reports, JSON output and documentation use them.
 */
enum scb_rule {
    SCB_RULE_UNKNOWN = 0, /**< not a rule of doc/rules.md ("unknown") */
    SCB_RULE_FILE_TOO_LARGE, /**< file-too-large */
    SCB_RULE_FILE_TRUNCATED, /**< file-truncated */
    SCB_RULE_OBJECT_COUNT_MISMATCH, /**< object-count-mismatch */
    SCB_RULE_RECORD_OVERRUN, /**< record-overrun */
    SCB_RULE_TLV_MALFORMED, /**< tlv-malformed */
    SCB_RULE_TLV_VALUE_INVALID, /**< tlv-value-invalid */
    SCB_RULE_INSTANCE_DUPLICATE, /**< instance-duplicate */
    SCB_RULE_RESOURCE_DUPLICATE, /**< resource-duplicate */
    SCB_RULE_INSTANCE_ID_RESERVED, /**< instance-id-reserved */
    SCB_RULE_BS_ACCOUNT_MULTIPLE, /**< bs-account-multiple */
    SCB_RULE_SERVER_ACCOUNT_MISSING, /**< server-account-missing */
    SCB_RULE_SERVER_WITHOUT_SECURITY, /**< server-without-security */
    SCB_RULE_SECURITY_WITHOUT_SERVER, /**< security-without-server */
    SCB_RULE_SSID_DUPLICATE, /**< ssid-duplicate */
    SCB_RULE_ACL_MISSING, /**< acl-missing */
    SCB_RULE_MULTI_SERVER_UNSUPPORTED, /**< multi-server-unsupported */
    SCB_RULE_ACL_UNSUPPORTED, /**< acl-unsupported */
    SCB_RULE_RESOURCE_MISSING, /**< resource-missing */
    SCB_RULE_URI_INVALID, /**< uri-invalid */
    SCB_RULE_URI_SCHEME_MODE_MISMATCH, /**< uri-scheme-mode-mismatch */
    SCB_RULE_SECURITY_MODE_INVALID, /**< security-mode-invalid */
    SCB_RULE_CREDENTIALS_MISSING, /**< credentials-missing */
    SCB_RULE_CREDENTIALS_UNEXPECTED, /**< credentials-unexpected */
    SCB_RULE_PSK_IDENTITY_INVALID, /**< psk-identity-invalid */
    SCB_RULE_KEY_FORMAT_INVALID, /**< key-format-invalid */
    SCB_RULE_SSID_OUT_OF_RANGE, /**< ssid-out-of-range */
    SCB_RULE_MATCHING_TYPE_INVALID, /**< matching-type-invalid */
    SCB_RULE_CERTIFICATE_USAGE_INVALID, /**< certificate-usage-invalid */
    SCB_RULE_OSCORE_LINK_INVALID, /**< oscore-link-invalid */
    SCB_RULE_LIFETIME_INVALID, /**< lifetime-invalid */
    SCB_RULE_BINDING_INVALID, /**< binding-invalid */
    SCB_RULE_PERIOD_INVALID, /**< period-invalid */
    SCB_RULE_RETRY_INVALID, /**< retry-invalid */
    SCB_RULE_ACL_TARGET_INVALID, /**< acl-target-invalid */
    SCB_RULE_ACL_OWNER_UNKNOWN, /**< acl-owner-unknown */
    SCB_RULE_ACL_ENTRY_UNKNOWN, /**< acl-entry-unknown */
    SCB_RULE_ACL_VALUE_INVALID, /**< acl-value-invalid */
    SCB_RULE_BS_ACCOUNT_SSID, /**< bs-account-ssid */
    SCB_RULE_RESOURCE_SHAPE_INVALID, /**< resource-shape-invalid */
    SCB_RULE_RESOURCE_UNKNOWN, /**< resource-unknown */
    SCB_RULE_VALUE_OUT_OF_RANGE, /**< value-out-of-range */
    SCB_RULE_COUNT /**< not a rule: the number of values */
};

/**
 * The doc/rules.md identifier of r ("ssid-out-of-range").
 * \param r the rule
 * \return static text; "unknown" for anything else
 */
const char *scb_rule_name(enum scb_rule r);
/**
 * The rule named name.
 * \param name a doc/rules.md identifier
 * \return the rule, or SCB_RULE_UNKNOWN
 */
enum scb_rule scb_rule_from_name(const char *name);


/** One broken rule. */
struct scb_violation {
    const char *rule;       /**< doc/rules.md identifier, e.g. "ssid-out-of-range" (static) */
    enum scb_rule id;       /**< the same rule as an enum */
    enum scb_severity severity; /**< error or warning */
    char path[32];          /**< LwM2M path, "/" for the whole configuration */
    char message[192];      /**< one line saying what is wrong */
};

/** The violations of a check, in a stable order. Zero-initialise; scb_report_free(). */
struct scb_report {
    /** \var scb_report::n
     *  number of violations
     *  \var scb_report::cap
     *  violations allocated at v */
    size_t n, cap;
    struct scb_violation *v; /**< the violations (owned) */
};

/** What the client supports (doc/rules.md: defaults ACL yes, modes 0-3, servers unlimited). */
struct scb_profile {
    int acl_supported;       /**< nonzero: the client has the Access Control object */
    uint32_t security_modes; /**< bit m set: Security Mode m supported */
    unsigned max_servers;    /**< 0 = unlimited */
};

/**
 * The default profile: Access Control supported, Security Modes 0-3, servers unlimited.
 * \param p receives the profile
 */
void scb_profile_default(struct scb_profile *p);
/**
 * The single-server client of the change request's example: no Access Control, 1 server.
 * \param p receives the profile
 */
void scb_profile_no_acl(struct scb_profile *p);
/**
 * Parse a profile from JSON: {"access_control": bool, "security_modes": [0,1,...],
 * "max_servers": N}; unset = default.
 * \param text   NUL-terminated JSON text
 * \param p      receives the profile
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_JSON or SCB_E_INVALID_ARG
 */
int scb_profile_from_json_text(const char *text, struct scb_profile *p, char *err,
                               size_t errlen);

/**
 * Check cfg against every rule. Violations are appended to rep (init it zeroed). Returns
 * SCB_OK when the check ran (look at the report) or a negative error when it could not.
 * \param cfg the configuration
 * \param p   the client profile, NULL for scb_profile_default()
 * \param src where the configuration comes from
 * \param rep the report the violations are appended to (the caller frees it)
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_validate(const struct scb_config *cfg, const struct scb_profile *p,
                 enum scb_source src, struct scb_report *rep);

/**
 * Whether the report holds an error (warnings do not reject a configuration).
 * \param rep the report
 * \return 1 when it does, else 0
 */
int scb_report_has_errors(const struct scb_report *rep);
/**
 * Append a decode error as a violation (severity error, container rules).
 * \param rep the report
 * \param e   the decode error, copied
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_report_add_decode_error(struct scb_report *rep, const struct scb_decode_error *e);
/**
 * Free the violations of rep and leave it empty (rep itself is the caller's).
 * \param rep the report (may be NULL)
 */
void scb_report_free(struct scb_report *rep);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

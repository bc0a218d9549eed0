/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot consistency validator: one function over a configuration and a client profile,
 * returning every violation (RULES.md identifiers, a public contract) in a stable order.
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

enum scb_severity { SCB_SEV_ERROR = 0, SCB_SEV_WARNING = 1 };

/**
 * The rule identifiers of RULES.md as an enum, for code that decides on a rule (the
 * sequence's "network bootstrap needed"). The strings (scb_rule_name) stay the public
 * contract: reports, JSON output and documentation use them.
 */
enum scb_rule {
    SCB_RULE_UNKNOWN = 0,
    SCB_RULE_FILE_TOO_LARGE,
    SCB_RULE_FILE_TRUNCATED,
    SCB_RULE_OBJECT_COUNT_MISMATCH,
    SCB_RULE_RECORD_OVERRUN,
    SCB_RULE_TLV_MALFORMED,
    SCB_RULE_TLV_VALUE_INVALID,
    SCB_RULE_INSTANCE_DUPLICATE,
    SCB_RULE_RESOURCE_DUPLICATE,
    SCB_RULE_INSTANCE_ID_RESERVED,
    SCB_RULE_BS_ACCOUNT_MULTIPLE,
    SCB_RULE_SERVER_ACCOUNT_MISSING,
    SCB_RULE_SERVER_WITHOUT_SECURITY,
    SCB_RULE_SECURITY_WITHOUT_SERVER,
    SCB_RULE_SSID_DUPLICATE,
    SCB_RULE_ACL_MISSING,
    SCB_RULE_MULTI_SERVER_UNSUPPORTED,
    SCB_RULE_ACL_UNSUPPORTED,
    SCB_RULE_RESOURCE_MISSING,
    SCB_RULE_URI_INVALID,
    SCB_RULE_URI_SCHEME_MODE_MISMATCH,
    SCB_RULE_SECURITY_MODE_INVALID,
    SCB_RULE_CREDENTIALS_MISSING,
    SCB_RULE_CREDENTIALS_UNEXPECTED,
    SCB_RULE_PSK_IDENTITY_INVALID,
    SCB_RULE_KEY_FORMAT_INVALID,
    SCB_RULE_SSID_OUT_OF_RANGE,
    SCB_RULE_MATCHING_TYPE_INVALID,
    SCB_RULE_CERTIFICATE_USAGE_INVALID,
    SCB_RULE_OSCORE_LINK_INVALID,
    SCB_RULE_LIFETIME_INVALID,
    SCB_RULE_BINDING_INVALID,
    SCB_RULE_PERIOD_INVALID,
    SCB_RULE_RETRY_INVALID,
    SCB_RULE_ACL_TARGET_INVALID,
    SCB_RULE_ACL_OWNER_UNKNOWN,
    SCB_RULE_ACL_ENTRY_UNKNOWN,
    SCB_RULE_ACL_VALUE_INVALID,
    SCB_RULE_BS_ACCOUNT_SSID,
    SCB_RULE_RESOURCE_SHAPE_INVALID,
    SCB_RULE_RESOURCE_UNKNOWN,
    SCB_RULE_VALUE_OUT_OF_RANGE,
    SCB_RULE_COUNT /**< not a rule: the number of values */
};

/** The RULES.md identifier of r ("ssid-out-of-range"); "unknown" for anything else. */
const char *scb_rule_name(enum scb_rule r);
/** The rule named name, or SCB_RULE_UNKNOWN. */
enum scb_rule scb_rule_from_name(const char *name);


struct scb_violation {
    const char *rule;       /**< RULES.md identifier, e.g. "ssid-out-of-range" (static) */
    enum scb_rule id;       /**< the same rule as an enum */
    enum scb_severity severity;
    char path[32];          /**< LwM2M path, "/" for the whole configuration */
    char message[192];
};

struct scb_report {
    size_t n, cap;
    struct scb_violation *v;
};

/** What the client supports (RULES.md: defaults ACL yes, modes 0-3, servers unlimited). */
struct scb_profile {
    int acl_supported;
    uint32_t security_modes; /**< bit m set: Security Mode m supported */
    unsigned max_servers;    /**< 0 = unlimited */
};

/** Where a configuration comes from: server-account-missing differs at Bootstrap-Finish. */
enum scb_source { SCB_SRC_CARD = 0, SCB_SRC_FACTORY = 1, SCB_SRC_NETWORK = 2 };

void scb_profile_default(struct scb_profile *p);
/** The single-server client of the change request's example: no Access Control, 1 server. */
void scb_profile_no_acl(struct scb_profile *p);
/** {"access_control": bool, "security_modes": [0,1,...], "max_servers": N}; unset = default. */
int scb_profile_from_json_text(const char *text, struct scb_profile *p, char *err,
                               size_t errlen);

/**
 * Check cfg against every rule. Violations are appended to rep (init it zeroed). Returns
 * SCB_OK when the check ran (look at the report) or a negative error when it could not.
 */
int scb_validate(const struct scb_config *cfg, const struct scb_profile *p,
                 enum scb_source src, struct scb_report *rep);

/** Whether the report holds an error (warnings do not reject a configuration). */
int scb_report_has_errors(const struct scb_report *rep);
/** Append a decode error as a violation (severity error, container rules). */
int scb_report_add_decode_error(struct scb_report *rep, const struct scb_decode_error *e);
void scb_report_free(struct scb_report *rep);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

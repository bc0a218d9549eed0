/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot consistency validator: one function over a configuration and a client profile,
 * returning every violation (RULES.md identifiers, a public contract) in a stable order.
 * The card path, the factory path and Bootstrap-Finish all call it.
 */
#ifndef SCBOOT_VALIDATE_H
#define SCBOOT_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/codec.h"
#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

enum scb_severity { SCB_SEV_ERROR = 0, SCB_SEV_WARNING = 1 };

struct scb_violation {
    const char *rule;       /**< RULES.md identifier, e.g. "ssid-out-of-range" */
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

/**
 * The one check every configuration source goes through (card, factory image, and via
 * scb_validate the network Finish): decode an EF LwM2M_Bootstrap image and validate it.
 * A decode error is reported as a violation (container rule) and returns SCB_E_DECODE.
 * On success *cfg holds the configuration (caller frees) whatever the report says.
 */
int scb_bootstrap_check(const uint8_t *image, size_t len, const struct scb_profile *p,
                        enum scb_source src, struct scb_config *cfg, struct scb_report *rep);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

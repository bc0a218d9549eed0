/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot server accounts: what an LwM2M client connects to, read from a configuration without
 * walking its arrays. An account is one Security instance (/0/x) joined with the Server
 * instance (/1/y) whose Short Server ID (/1/y/0) is the Security instance's (/0/x/10); the
 * Bootstrap-Server account (/0/x/1 true) has no Server instance and no Short Server ID.
 *
 * Accounts are opaque and read through accessors: a field added later is a new function, not
 * a change of a struct's size or layout, so a client built against this header keeps working
 * with a later libscboot.so.1. An account list owns copies of everything it hands out (strings
 * NUL-terminated, keys as pointer + length); it does not borrow from the configuration it was
 * built from, which may change or go away. Freeing the list zeroizes every copy (keys
 * included). Nothing here logs.
 *
 * scb_account_diff() compares the accounts of two configurations and reports each account
 * added, removed or changed, keyed by Short Server ID (the Bootstrap-Server account as its own
 * key): what a client needs to drop (D)TLS sessions and register again. The store calls an
 * observer after every durable commit (scb_store_set_observer() in store.h) with the
 * configurations before and after, whatever the source (card, factory file, network).
 *
 * Threads: a list changes only when it is built and when it is freed; in between, any number
 * of threads may read it and its accounts at once. scb_account_diff(), scb_account_compare()
 * and scb_account_event_name() touch nothing but their arguments and run on any thread.
 */
#ifndef SCBOOT_ACCOUNT_H
#define SCBOOT_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** One server account (opaque; owned by its list). */
struct scb_account;
/** The accounts of one configuration (opaque). */
struct scb_account_list;

/**
 * Build the account list of a configuration: one account per Security instance, in key order
 * (the Bootstrap-Server account first, then by Short Server ID, ties by Security instance
 * ID). A Server instance without a Security instance of its SSID is no account. The
 * configuration need not be validated: what is absent or malformed reads as absent or as an
 * error from the accessor, and a Security instance without a usable /0/x/10 is an account with
 * SSID 0 (the validator refuses such configurations).
 * \param cfg borrowed for the call only: the list keeps copies
 * \param out receives the list, owned by the caller (scb_account_list_free()); NULL on error
 * \return SCB_OK, SCB_E_INVALID_ARG (cfg or out NULL), SCB_E_NOMEM
 */
int scb_account_list_new(const struct scb_config *cfg, struct scb_account_list **out);
/**
 * Zeroize and free a list. Every account, string and key obtained from it becomes invalid.
 * \param l the list's handle: *l is freed (l may be NULL or point to NULL) and set to NULL
 */
void scb_account_list_free(struct scb_account_list **l);
/**
 * \param l a list (may be NULL)
 * \return the number of accounts (0 for l NULL)
 */
size_t scb_account_list_count(const struct scb_account_list *l);
/**
 * \param l a list (may be NULL)
 * \param k index, 0 <= k < scb_account_list_count(l)
 * \return the k-th account, borrowed from l (valid until scb_account_list_free()), or NULL
 *         when l is NULL or k is out of range
 */
const struct scb_account *scb_account_list_at(const struct scb_account_list *l, size_t k);
/**
 * The server account with this Short Server ID (not the Bootstrap-Server account, whatever its
 * /0/x/10 says); the first in key order when a configuration holds it twice.
 * \param l    a list (may be NULL)
 * \param ssid the Short Server ID, 1..65534
 * \return borrowed from l, or NULL when there is none (or l is NULL, or ssid is 0)
 */
const struct scb_account *scb_account_list_find_ssid(const struct scb_account_list *l,
                                                     uint16_t ssid);
/**
 * The Bootstrap-Server account (the first one if a configuration holds two).
 * \param l a list (may be NULL)
 * \return borrowed from l, or NULL when there is none (or l is NULL)
 */
const struct scb_account *scb_account_list_bootstrap(const struct scb_account_list *l);

/* ---- reading one account --------------------------------------------------------------------
 * Every accessor takes an account a from a list (borrowed: valid until the list is freed); a
 * NULL a gives SCB_E_INVALID_ARG (or NULL / 0). What an accessor hands out through a pointer
 * is borrowed from the list. Numeric and boolean accessors return SCB_OK, SCB_E_NOT_FOUND when
 * the resource (or, for Server resources, the Server instance) is absent, SCB_E_PARSE when it
 * is a Multiple Resource or its bytes do not fit its type, SCB_E_INVALID_ARG when a or out is
 * NULL; *out is written only on SCB_OK.
 */

/**
 * \param a an account (may be NULL)
 * \return 1 for the Bootstrap-Server account (/0/x/1 true), else 0
 */
int scb_account_is_bootstrap(const struct scb_account *a);
/**
 * \param a an account (may be NULL)
 * \return the Short Server ID (/0/x/10): the account's key; 0 for the Bootstrap-Server
 *         account, or when the Security instance has none in 1..65534
 */
uint16_t scb_account_ssid(const struct scb_account *a);
/**
 * \param a an account (may be NULL)
 * \return the Security instance ID x of /0/x (0 for a NULL a)
 */
uint16_t scb_account_security_iid(const struct scb_account *a);
/**
 * The Server instance ID y of /1/y.
 * \param a   an account
 * \param out receives y
 * \return SCB_OK, SCB_E_NOT_FOUND (no Server instance of this SSID: the Bootstrap-Server
 *         account, or a configuration missing it), SCB_E_INVALID_ARG
 */
int scb_account_server_iid(const struct scb_account *a, uint16_t *out);
/**
 * LwM2M Server URI (/0/x/0) as a NUL-terminated string.
 * \param a an account (may be NULL)
 * \return borrowed from the list; NULL when absent, or when it holds a NUL byte or is a
 *         Multiple Resource (the validator refuses both)
 */
const char *scb_account_uri(const struct scb_account *a);
/**
 * Security Mode (/0/x/2).
 * \param a   an account
 * \param out receives SCB_SEC_MODE_PSK .. SCB_SEC_MODE_EST (objdefs.h) or whatever integer the
 *            configuration holds (SCB_E_PARSE beyond int)
 * \return see above
 */
int scb_account_security_mode(const struct scb_account *a, int *out);
/**
 * Public Key or Identity (/0/x/3): the PSK identity in PSK mode, the client's public key (RPK)
 * or certificate (X.509) otherwise. Opaque bytes, not NUL-terminated.
 * \param a    an account
 * \param data receives a pointer borrowed from the list (NULL when len is 0)
 * \param len  receives the length
 * \return SCB_OK, SCB_E_NOT_FOUND, SCB_E_PARSE (a Multiple Resource), SCB_E_INVALID_ARG
 */
int scb_account_identity(const struct scb_account *a, const uint8_t **data, size_t *len);
/**
 * Server Public Key (/0/x/4): the server's raw public key or certificate.
 * \param a, data, len as for scb_account_identity()
 * \return as scb_account_identity()
 */
int scb_account_server_public_key(const struct scb_account *a, const uint8_t **data,
                                  size_t *len);
/**
 * Secret Key (/0/x/5): the PSK or the client's private key. A secret: the bytes are a copy
 * the list zeroizes when it is freed; never log them.
 * \param a, data, len as for scb_account_identity()
 * \return as scb_account_identity()
 */
int scb_account_secret_key(const struct scb_account *a, const uint8_t **data, size_t *len);
/**
 * Client Hold Off Time (/0/x/11), seconds.
 * \param a   an account
 * \param out receives the value
 * \return see above
 */
int scb_account_hold_off(const struct scb_account *a, int64_t *out);
/**
 * Bootstrap-Server Account Timeout (/0/x/12), seconds.
 * \param a   an account
 * \param out receives the value
 * \return see above
 */
int scb_account_bootstrap_timeout(const struct scb_account *a, int64_t *out);
/**
 * Lifetime (/1/y/1), seconds.
 * \param a   an account
 * \param out receives the value
 * \return see above
 */
int scb_account_lifetime(const struct scb_account *a, int64_t *out);
/**
 * Binding (/1/y/7) as a NUL-terminated string ("U", "UQ", "S", ...).
 * \param a an account (may be NULL)
 * \return borrowed from the list; NULL when absent (no Server instance, no resource, a NUL
 *         byte, a Multiple Resource)
 */
const char *scb_account_binding(const struct scb_account *a);
/**
 * Bootstrap on Registration Failure (/1/y/16).
 * \param a   an account
 * \param out receives 1 or 0
 * \return see above
 */
int scb_account_bootstrap_on_failure(const struct scb_account *a, int *out);
/**
 * The account's Security instance (/0/x), for resources without an accessor (SNI,
 * ciphersuites, SMS number, ...): read it with the lookups of model.h.
 * \param a an account (may be NULL)
 * \return borrowed from the list (a copy: never the configuration's own), never NULL for a
 *         non-NULL a
 */
const struct scb_instance *scb_account_security(const struct scb_account *a);
/**
 * The account's Server instance (/1/y), as scb_account_security().
 * \param a an account (may be NULL)
 * \return borrowed from the list, or NULL (no Server instance)
 */
const struct scb_instance *scb_account_server(const struct scb_account *a);
/**
 * The OSCORE instance (/21/z) the Security instance links to through /0/x/17.
 * \param a an account (may be NULL)
 * \return borrowed from the list, or NULL when there is no link or no such instance; its id
 *         field is z. Holds the Master Secret: never log it.
 */
const struct scb_instance *scb_account_oscore(const struct scb_account *a);

/* ---- changes between two configurations ---------------------------------------------------- */

/** What changed in an account (a bitmask in struct scb_account_change). */
enum scb_account_changed {
    SCB_ACCOUNT_CHANGED_URI = 1u << 0,         /**< /0/x/0 */
    SCB_ACCOUNT_CHANGED_MODE = 1u << 1,        /**< /0/x/2 */
    /** keys: /0/x/3, 4, 5, the SMS keys /0/x/6, 7, 8, the OSCORE link /0/x/17 and the
     * OSCORE instance it names */
    SCB_ACCOUNT_CHANGED_CREDENTIALS = 1u << 2,
    /** (D)TLS parameters: /0/x/13 Matching Type, 14 SNI, 15 Certificate Usage, 16
     * Ciphersuite, 19-24 signature algorithms and TLS extensions */
    SCB_ACCOUNT_CHANGED_TLS = 1u << 3,
    SCB_ACCOUNT_CHANGED_LIFETIME = 1u << 4,    /**< /1/y/1 */
    SCB_ACCOUNT_CHANGED_BINDING = 1u << 5,     /**< /1/y/7 */
    /** any other resource of /0/x or /1/y, or a Server instance that came or went */
    SCB_ACCOUNT_CHANGED_OTHER = 1u << 6,
};
/** The changes after which a client drops the account's (D)TLS or OSCORE session. */
#define SCB_ACCOUNT_CHANGED_SESSION                                                        \
    (SCB_ACCOUNT_CHANGED_URI | SCB_ACCOUNT_CHANGED_MODE | SCB_ACCOUNT_CHANGED_CREDENTIALS | \
     SCB_ACCOUNT_CHANGED_TLS)

/**
 * What changed between two accounts of the same key; instance IDs are not compared (an
 * account that moved from /0/1 to /0/4 unchanged has not changed), values compare as
 * scb_instance_equal() does (a 2-byte 5 equals a 1-byte 5).
 * \param before, after two accounts (from any lists); borrowed for the call
 * \return a mask of enum scb_account_changed bits; 0 when equal (or either is NULL)
 */
unsigned scb_account_compare(const struct scb_account *before, const struct scb_account *after);

/** What happened to an account between two configurations. */
enum scb_account_event {
    SCB_ACCOUNT_ADDED = 1,   /**< the key is in the new configuration only */
    SCB_ACCOUNT_REMOVED = 2, /**< the key is in the old configuration only */
    SCB_ACCOUNT_CHANGED = 3, /**< in both, with a non-zero change mask */
};
/**
 * \param e an event
 * \return "added", "removed", "changed", or "?" (a static string)
 */
const char *scb_account_event_name(enum scb_account_event e);

/**
 * One change, handed to the callback of scb_account_diff(). Allocated by the library and
 * read by the caller only: fields may be appended in a later version.
 */
struct scb_account_change {
    enum scb_account_event event;      /**< added, removed or changed */
    int bootstrap;                     /**< 1: the Bootstrap-Server account's key */
    uint16_t ssid;                     /**< the key: 0 for the Bootstrap-Server account */
    unsigned changed;                  /**< SCB_ACCOUNT_CHANGED_* (CHANGED only, else 0) */
    const struct scb_account *before;  /**< NULL for ADDED; borrowed for the call only */
    const struct scb_account *after;   /**< NULL for REMOVED; borrowed for the call only */
};

/**
 * Called once per change.
 * \param ctx the ctx given to scb_account_diff()
 * \param ch  the change, borrowed for the call only
 * \return 0 to go on; anything else stops the diff, which returns it
 */
typedef int (*scb_account_diff_fn)(void *ctx, const struct scb_account_change *ch);

/**
 * Compare the accounts of two configurations and call fn for every account added, removed or
 * changed, in key order (the Bootstrap-Server account first, then by Short Server ID); an
 * unchanged account is not reported. Accounts pair by key (Bootstrap-Server or SSID), not by
 * instance ID. A key held twice in one configuration (refused by the validator) pairs in
 * Security instance ID order.
 * \param before borrowed for the call only (an empty configuration: every account is added)
 * \param after  borrowed for the call only
 * \param fn     called synchronously with copies (the accounts borrow nothing from before or
 *               after)
 * \param ctx    passed to fn
 * \return SCB_OK, fn's non-zero return, SCB_E_INVALID_ARG (a NULL argument), SCB_E_NOMEM
 */
int scb_account_diff(const struct scb_config *before, const struct scb_config *after,
                     scb_account_diff_fn fn, void *ctx);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

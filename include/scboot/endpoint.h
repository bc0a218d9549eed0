/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot endpoint names: the Endpoint Client Name a client sends in its Bootstrap-Request
 * (`POST /bs?ep=NAME`), from a literal or a template over what the device knows. Placeholders
 * (doc/network-bootstrap.md):
 *   {iccid}      the card's ICCID
 *   {imei}       the modem's IMEI (15 digits)
 *   {hostname}   the host name (not "localhost")
 *   {machine-id} a UUID derived from /etc/machine-id with a keyed hash (systemd's
 *                app-specific form), so the machine ID itself never goes on the network
 * e.g. "urn:imei:{imei}", "urn:uuid:{machine-id}", "urn:dev:ops:0000AA-gw-{iccid}". A value
 * the template needs but the device does not know is an error naming it; nothing is guessed.
 * The result is never percent-encoded (a Bootstrap-Server matches names byte for byte): it is
 * 1 to SCB_ENDPOINT_MAX bytes of letters, digits and - . _ ~ : only, or refused.
 */
#ifndef SCBOOT_ENDPOINT_H
#define SCBOOT_ENDPOINT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** A Uri-Query option holds 255 bytes, "ep=" takes 3. */
#define SCB_ENDPOINT_MAX 252u

/** What the device knows; "" = not known. Fill the fields directly or from the host. */
struct scb_endpoint_facts {
    char iccid[24];        /**< the card's ICCID digits */
    char imei[20];         /**< the modem's IMEI digits */
    char hostname[256];    /**< the host name */
    char machine_id[40];   /**< /etc/machine-id as read: 32 lower-case hex digits */
};

/** All facts unknown. \param f required */
void scb_endpoint_facts_init(struct scb_endpoint_facts *f);

/**
 * Fill hostname (gethostname) and machine_id from the host; a fact that cannot be read stays
 * unknown (the template that needs it says so).
 * \param f required
 * \param machine_id_path NULL: /etc/machine-id
 * \return SCB_OK, or SCB_E_INVALID_ARG when f is NULL
 */
int scb_endpoint_facts_from_host(struct scb_endpoint_facts *f, const char *machine_id_path);

/**
 * Build the endpoint name from a literal or template.
 * \param spec  the configured text (required)
 * \param f     the facts (NULL: none known)
 * \param out   receives the NUL-terminated name; cap >= SCB_ENDPOINT_MAX + 1 is always enough
 * \param cap   size of out
 * \param err   receives why it failed ("the template needs {imei}: the modem's IMEI is not
 *              known"), errlen bytes
 * \param errlen size of err
 * \return SCB_OK; SCB_E_NOT_FOUND a value the template needs is unknown; SCB_E_INVALID_ARG an
 *         unknown or unterminated placeholder or a character not allowed; SCB_E_TOO_LARGE
 *         longer than SCB_ENDPOINT_MAX (or cap)
 */
int scb_endpoint_build(const char *spec, const struct scb_endpoint_facts *f, char *out,
                       size_t cap, char *err, size_t errlen);

/**
 * Whether name can be sent as an endpoint name as it is (the rules of scb_endpoint_build()).
 * \param name   the endpoint name
 * \param err    receives why it cannot ("a character not allowed"), errlen bytes
 * \param errlen size of err
 * \return SCB_OK, SCB_E_INVALID_ARG (empty, or a character not allowed: err names it) or
 *         SCB_E_TOO_LARGE
 */
int scb_endpoint_check(const char *name, char *err, size_t errlen);

/**
 * Build the endpoint name from a literal or template with what the device knows now: the host
 * name and machine ID of this host (scb_endpoint_facts_from_host()), the given ICCID and IMEI.
 * The daemon loop and the command-line tools name a device the same way through it.
 * \param spec   the configured text (required)
 * \param iccid  the ICCID of the card the committed configuration was taken from (NULL or "":
 *               not known)
 * \param imei   the modem's IMEI (NULL or "": not known)
 * \param out    receives the NUL-terminated name, cap bytes (SCB_ENDPOINT_MAX + 1 is enough)
 * \param cap    size of out
 * \param err    receives why it failed, errlen bytes
 * \param errlen size of err
 * \return as scb_endpoint_build()
 */
int scb_endpoint_resolve(const char *spec, const char *iccid, const char *imei, char *out,
                         size_t cap, char *err, size_t errlen);

/**
 * Whether spec is a template that can be built once its facts are known: every placeholder
 * known and terminated, every character allowed, not too long with any fact filled in. A fact
 * missing at run time is said then (scb_endpoint_build()).
 * \param spec   the configured text
 * \param err    receives why it cannot, errlen bytes
 * \param errlen size of err
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_TOO_LARGE (err says why)
 */
int scb_endpoint_template_check(const char *spec, char *err, size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

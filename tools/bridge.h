/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bridge.h: configurations of other LwM2M Bootstrap-Servers, in and out of scboot's model:
 *  - Eclipse Leshan's BootstrapConfig JSON (the demo Bootstrap-Server's store file, a map of
 *    endpoint name to BootstrapConfig, or one BootstrapConfig as its REST API takes it);
 *  - Eclipse Wakaama's bootstrap_server .ini ([Server] accounts, [Endpoint] operations).
 * Imports are strict (an unknown key, a wrong type or value is an error naming where);
 * exports list what the target format cannot express instead of dropping it silently.
 */
#ifndef SCBOOT_BRIDGE_H
#define SCBOOT_BRIDGE_H

#include <stddef.h>

#include "scboot/model.h"

/* Text in (NUL-terminated, len bytes), cfg initialised by the caller. endpoint may be NULL:
 * then the file must hold one configuration (or, for Wakaama, a default [Endpoint]). */
int bridge_leshan_import(const char *text, size_t len, const char *endpoint,
                         struct scb_config *cfg, char *err, size_t errlen);
int bridge_wakaama_import(const char *text, size_t len, const char *endpoint,
                          struct scb_config *cfg, char *err, size_t errlen);

/*
 * Export: *out is malloc'd text (caller frees, zeroizes when secrets were shown). Secrets
 * (/0/x/5, /0/x/8, /21/x/0) are written only with show_secrets, else SCB_E_INVALID_ARG with
 * err naming the first one. lost gets "; "-separated paths the format cannot carry ("" when
 * nothing was lost). endpoint NULL: Leshan gets one BootstrapConfig object, Wakaama an
 * [Endpoint] without Name (the default for every client).
 */
int bridge_leshan_export(const struct scb_config *cfg, const char *endpoint, int show_secrets,
                         char **out, char *lost, size_t lostlen, char *err, size_t errlen);
int bridge_wakaama_export(const struct scb_config *cfg, const char *endpoint, int show_secrets,
                          char **out, char *lost, size_t lostlen, char *err, size_t errlen);

/* An export holds secrets only when asked: SCB_E_INVALID_ARG with the first secret's path in
 * err when cfg has one and show_secrets is 0, else SCB_OK. */
int bridge_secrets_allowed(const struct scb_config *cfg, int show_secrets, char *err,
                           size_t errlen);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot Leshan bridge (bootstrap/bridge/leshan.c): Eclipse Leshan's BootstrapConfig JSON in
 * and out of a configuration. The import takes the demo Bootstrap-Server's store file (a map
 * of endpoint name to BootstrapConfig) or one BootstrapConfig as its REST API takes it; it is
 * strict: an unknown key, a wrong type or value is an error naming where. The export lists
 * what the format cannot express instead of dropping it silently.
 */
#ifndef SCBOOT_LESHAN_H
#define SCBOOT_LESHAN_H

#include <stddef.h>

#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/**
 * Import a Leshan BootstrapConfig (one JSON document, each key once per object).
 * \param text the JSON text (len bytes; need not be NUL-terminated)
 * \param len its length
 * \param endpoint the endpoint whose configuration to take from a store file, or NULL when
 *        the text holds one BootstrapConfig or a map with a single endpoint
 * \param cfg initialised by the caller (scb_config_init); filled only on success
 * \param err receives why it failed (may be NULL)
 * \param errlen size of err
 * \return SCB_OK; SCB_E_PARSE for a text that is not a valid BootstrapConfig; SCB_E_NOT_FOUND
 *         when the named endpoint is not in the map, or no endpoint is named and the map
 *         holds several (err names them); SCB_E_INVALID_ARG for an endpoint named while the
 *         text holds one BootstrapConfig, or NULL text (with len > 0) or cfg; SCB_E_NOMEM
 */
int scb_leshan_import(const char *text, size_t len, const char *endpoint,
                      struct scb_config *cfg, char *err, size_t errlen);

/**
 * Export a configuration as Leshan BootstrapConfig JSON (pretty-printed, ends in a newline).
 * Secrets (/0/x/5, /0/x/8, /21/x/0) are written in clear, so only when show_secrets is set.
 * \param cfg the configuration
 * \param endpoint NULL: one BootstrapConfig object; else a store-file map {endpoint: config}
 * \param show_secrets nonzero to write secrets
 * \param out receives the malloc'd text (caller frees; zeroize it first when it held secrets)
 * \param lost receives the "; "-separated paths the format cannot carry ("" when none)
 * \param lostlen size of lost (at least 1)
 * \param err receives why it failed (may be NULL)
 * \param errlen size of err
 * \return SCB_OK; SCB_E_INVALID_ARG when cfg holds a secret and show_secrets is 0 (err names
 *         its path) or for NULL cfg, out or lost; SCB_E_NOMEM
 */
int scb_leshan_export(const struct scb_config *cfg, const char *endpoint, int show_secrets,
                      char **out, char *lost, size_t lostlen, char *err, size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot Wakaama bridge (bootstrap/bridge/wakaama.c): Eclipse Wakaama's bootstrap_server .ini
 * ([Server] accounts, [Endpoint] operations) in and out of a configuration. The import runs
 * the chosen [Endpoint]'s operations (Delete, Server) and is strict: an unknown section or
 * key, a bad or repeated value is an error naming the line. The export lists what the format
 * cannot express instead of dropping it silently.
 */
#ifndef SCBOOT_WAKAAMA_H
#define SCBOOT_WAKAAMA_H

#include <stddef.h>

#include "scboot/model.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/**
 * Import a Wakaama bootstrap_server .ini.
 * \param text the .ini text (len bytes; need not be NUL-terminated, a NUL byte is refused)
 * \param len its length
 * \param endpoint the Name= of the [Endpoint] to run, or NULL for the [Endpoint] without
 *        Name (or the only one)
 * \param cfg initialised by the caller (scb_config_init); filled only on success
 * \param err receives why it failed, with the line (may be NULL)
 * \param errlen size of err
 * \return SCB_OK; SCB_E_PARSE for a text that is not a valid .ini; SCB_E_NOT_FOUND when no
 *         [Endpoint] matches endpoint; SCB_E_INVALID_ARG for NULL text (with len > 0) or cfg;
 *         SCB_E_NOMEM
 */
int scb_wakaama_import(const char *text, size_t len, const char *endpoint,
                       struct scb_config *cfg, char *err, size_t errlen);

/**
 * Export a configuration as a Wakaama bootstrap_server .ini: a [Server] per Security
 * account, then one [Endpoint] that deletes /0 and /1 and writes them all. Secrets (/0/x/5)
 * are written in clear, so only when show_secrets is set.
 * \param cfg the configuration
 * \param endpoint the [Endpoint]'s Name=, or NULL for an [Endpoint] without Name (the
 *        default for every client)
 * \param show_secrets nonzero to write secrets
 * \param out receives the malloc'd text (caller frees; zeroize it first when it held secrets)
 * \param lost receives the "; "-separated paths the format cannot carry ("" when none)
 * \param lostlen size of lost (at least 1)
 * \param err receives why it failed (may be NULL)
 * \param errlen size of err
 * \return SCB_OK; SCB_E_INVALID_ARG when cfg holds a secret and show_secrets is 0 (err names
 *         its path) or for NULL cfg, out or lost; SCB_E_UNSUPPORTED when the format cannot
 *         express the endpoint name (a control character, empty, a blank at an end) or an
 *         account (no URI, a security mode beyond 3, no usable Short Server ID); SCB_E_NOMEM
 */
int scb_wakaama_export(const struct scb_config *cfg, const char *endpoint, int show_secrets,
                       char **out, char *lost, size_t lostlen, char *err, size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

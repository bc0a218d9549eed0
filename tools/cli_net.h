/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_net.h: what `apply`, `bootstrap` and `watch` share about the network step of the
 * bootstrap sequence: the Endpoint Client Name from --endpoint or the configuration file's
 * `endpoint` key (literal or template over the card's ICCID, the host name, the machine ID),
 * and the exit code of a network bootstrap outcome.
 */
#ifndef SCBOOT_CLI_NET_H
#define SCBOOT_CLI_NET_H

#include <stddef.h>

#include "cli.h"
#include "scboot/store.h"

/* Exit code of a network bootstrap that was accepted but could not be committed (README). */
#define EXIT_NOT_COMMITTED 5

/*
 * The endpoint template: the flag, else `endpoint` of the configuration file (config, or the
 * default file when it exists and config is NULL). *spec receives a malloc'd copy (NULL when
 * neither gives one). 0, or an exit code with the failure said in one line.
 */
int cli_endpoint_spec(struct cli *c, const char *flag, const char *config, char **spec);

/*
 * Build the endpoint name from spec with what the device knows now (the ICCID of the card
 * the store last took data from, the host name, /etc/machine-id, and the IMEI when the open
 * card transport c->tr is a modem's). 0, or EXIT_USAGE with the
 * missing value named in one line.
 */
int cli_endpoint_name(struct cli *c, const char *spec, const struct scb_committed *cm, char *out,
                      size_t cap);

#include "scboot/coap.h"
/*
 * The exit code of scb_coap_bootstrap()'s return and outcome, the failure said in one line:
 * 0 committed, 1 rejected or cancelled, 2 options contradicting the account or no account,
 * 3 unreachable / cannot listen, 5 accepted but not committed.
 */
int cli_coap_exit(struct cli *c, int ret, const struct scb_coap_result *res);

#endif

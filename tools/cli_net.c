/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_net.c: the Endpoint Client Name and the network step's exit codes, shared by `apply`,
 * `bootstrap` and `watch` (cli_net.h).
 */
#include "cli_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/at.h"
#include "scboot/conf.h"
#include "scboot/endpoint.h"
#include "scboot/error.h"

int cli_endpoint_spec(struct cli *c, const char *flag, const char *config, char **spec)
{
    struct scb_conf cf;
    char err[512];
    int ret;

    *spec = NULL;
    if (flag) {
        if (scb_endpoint_template_check(flag, err, sizeof(err)) < 0) {
            cli_fail(c, SCB_E_INVALID_ARG, "--endpoint %s: %s", flag, err);
            return EXIT_USAGE;
        }
        if ((*spec = strdup(flag)) == NULL) {
            return cli_fail(c, SCB_E_NOMEM, "out of memory");
        }
        return 0;
    }
    scb_conf_init(&cf);
    ret = scb_conf_load(config ? config : SCB_CONF_DEFAULT, config == NULL, &cf, err,
                        sizeof(err));
    if (ret < 0) {
        scb_conf_free(&cf);
        return cli_fail(c, ret, "%s", err);
    }
    *spec = cf.endpoint; /* taken over */
    cf.endpoint = NULL;
    scb_conf_free(&cf);
    return 0;
}

int cli_endpoint_name(struct cli *c, const char *spec, const struct scb_committed *cm, char *out,
                      size_t cap)
{
    char err[512], imei[20] = "";
    /* -r at:DEVICE: the card's port is the modem's, which knows its IMEI (AT+CGSN); asked
     * only when the template needs it */
    if (strstr(spec, "{imei}") && scb_at_is(c->tr) && scb_at_imei(c->tr, imei, sizeof(imei)) < 0) {
        imei[0] = '\0';
    }
    if (scb_endpoint_resolve(spec, cm && cm->card.valid ? cm->card.iccid : NULL, imei, out, cap,
                             err, sizeof(err)) < 0) {
        cli_fail(c, SCB_E_INVALID_ARG, "endpoint name '%s': %s", spec, err);
        return EXIT_USAGE;
    }
    return 0;
}

int cli_coap_exit(struct cli *c, int ret, const struct scb_coap_result *res)
{
    if (ret < 0 && res->outcome != SCB_COAP_REFUSED_SETUP) {
        return cli_fail(c, ret, "network bootstrap: %s%s%s", scb_error_string(ret),
                        res->reason[0] ? ": " : "", res->reason);
    }
    switch (res->outcome) {
    case SCB_COAP_COMMITTED: return EXIT_OK;
    case SCB_COAP_REFUSED_SETUP:
        cli_fail(c, SCB_E_INVALID_ARG, "%s", res->reason);
        return EXIT_USAGE;
    case SCB_COAP_UNREACHABLE:
        cli_fail(c, SCB_E_TRANSPORT, "%s: nothing committed", res->reason);
        return EXIT_CARD;
    case SCB_COAP_COMMIT_FAILED:
        cli_fail(c, SCB_E_IO, "%s", res->reason);
        return EXIT_NOT_COMMITTED;
    default:
        fprintf(stderr, "%s: bootstrap failed: nothing committed\n", c->prog);
        return EXIT_INCONSISTENT;
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_status.c: `scboot status`: the committed configuration, where each instance came from,
 * the card fingerprint and when it was committed (secrets redacted unless --show-secrets).
 */
#include <json-c/json.h>
#include <string.h>

#include "cli.h"
#include "cli_misc.h"
#include "scboot/json.h"
#include "scboot/store.h"
#include "scboot/util.h"

static const char usage_text[] =
    "scboot status [--state-dir D] [--json] [--show-secrets]\n"
    "              [--export leshan|wakaama [--endpoint NAME]]";

int cmd_status(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"state-dir", required_argument, NULL, 'S'},
                                         {"export", required_argument, NULL, 'X'},
                                         {"endpoint", required_argument, NULL, 'E'},
                                         {0, 0, 0, 0}};
    const char *state = SCB_STATE_DIR_DEFAULT, *export = NULL, *endpoint = NULL;
    struct scb_store *st = NULL;
    struct scb_committed cm;
    char err[SCB_ERR_MAX], hex[65];
    int opt, ret;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: %s\nShow the committed configuration and its provenance.\n"
                   "--export leshan|wakaama: the configuration as a Leshan BootstrapConfig "
                   "JSON or a\nWakaama bootstrap_server .ini on stdout (secrets only with "
                   "--show-secrets; what the\nformat cannot carry is listed on stderr).\n",
                   usage_text);
            return EXIT_OK;
        }
        if (opt == 'S') {
            state = optarg;
        } else if (opt == 'X') {
            export = optarg;
        } else if (opt == 'E') {
            endpoint = optarg;
        } else if (cli_common_opt(c, opt, optarg) != 1) {
            return cli_usage(c, usage_text);
        }
    }
    if (optind != argc || (endpoint && !export)) {
        return cli_usage(c, usage_text);
    }
    if (export && c->json) {
        return cli_refuse_json(c, "--export writes the other server's format");
    }
    if ((ret = scb_store_open_readonly(state, &st, err, sizeof(err))) < 0) {
        return cli_fail(c, ret, "%s", err);
    }
    if ((ret = scb_store_load(st, &cm, err, sizeof(err))) < 0) {
        scb_store_free(&st);
        return cli_fail(c, ret == SCB_E_PARSE ? SCB_E_DECODE : ret, "%s", err);
    }
    if (export) {
        ret = cli_export(c, &cm.cfg, export, endpoint);
        scb_committed_free(&cm);
        scb_store_free(&st);
        return ret;
    }
    if (c->json) {
        json_object *j = scb_committed_to_json(&cm, !c->show_secrets);
        cli_print_json(j);
        json_object_put(j);
    } else if (cm.generation == 0) {
        printf("nothing committed in %s\n", state);
    } else {
        printf("generation %llu committed %s (%s)\n", (unsigned long long)cm.generation,
               cm.committed_at, scb_store_path(st));
        if (cm.card.valid) {
            scb_util_hex_encode(cm.card.sha256, 32, hex, sizeof(hex));
            printf("card: ICCID %s, file sha256 %s, reader \"%s\"\n", cm.card.iccid, hex,
                   cm.card.reader);
        } else {
            printf("card: none\n");
        }
        cli_print_provenance(&cm, "");
        cli_print_config(&cm.cfg, c->show_secrets);
    }
    scb_committed_free(&cm);
    scb_store_free(&st);
    return EXIT_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_apply.c: `scboot apply`: one run of the bootstrap sequence (smartcard -> factory ->
 * network bootstrap needed?), committing through the state directory, and what came from where.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scboot/scp03.h"
#include "scboot/sequence.h"

static const char usage_text[] =
    "scboot apply [-r READER] [--no-card] [--factory F] [--state-dir D] [--no-acl|--profile P]\n"
    "             [--pin PIN] [--scp03-keys K] [--json]";

enum { OPT_FACTORY = 500, OPT_STATE, OPT_NO_ACL, OPT_PROFILE, OPT_PIN, OPT_NO_CARD };

static void print_result(struct cli *c, const struct scb_run_result *res, struct scb_store *st)
{
    struct scb_committed cm;
    char err[256];
    if (scb_store_load(st, &cm, err, sizeof(err)) < 0) {
        return;
    }
    if (c->json) {
        json_object *root = json_object_new_object();
        json_object_object_add(root, "card", json_object_new_string(scb_card_outcome_name(res->card)));
        json_object_object_add(root, "factory_applied", json_object_new_boolean(res->factory_applied));
        json_object_object_add(root, "factory_rejected",
                               json_object_new_boolean(res->factory_rejected));
        json_object_object_add(root, "needs_network_bootstrap",
                               json_object_new_boolean(res->needs_network_bootstrap));
        json_object_object_add(root, "committed", scb_committed_to_json(&cm, !c->show_secrets));
        cli_print_json(root);
        json_object_put(root);
    } else {
        printf("card: %s\n", scb_card_outcome_name(res->card));
        printf("factory: %s\n", res->factory_applied    ? "committed"
                                : res->factory_rejected ? "rejected"
                                                        : "not applied");
        printf("generation %llu committed %s\n", (unsigned long long)cm.generation,
               cm.committed_at[0] ? cm.committed_at : "(never)");
        cli_print_provenance(&cm, "from ");
        if (res->needs_network_bootstrap) {
            printf("no complete LwM2M server account: client-initiated bootstrap is needed\n");
        }
    }
    scb_committed_free(&cm);
}

int cmd_apply(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"factory", required_argument, NULL, OPT_FACTORY},
                                         {"state-dir", required_argument, NULL, OPT_STATE},
                                         {"no-acl", no_argument, NULL, OPT_NO_ACL},
                                         {"profile", required_argument, NULL, OPT_PROFILE},
                                         {"pin", required_argument, NULL, OPT_PIN},
                                         {"no-card", no_argument, NULL, OPT_NO_CARD},
                                         {0, 0, 0, 0}};
    struct scb_bootstrap b;
    struct scb_run_result res;
    struct scb_store *st = NULL;
    struct scb_scp03_guard guard;
    struct scb_scp03_keys keys;
    const char *state = SCB_STATE_DIR_DEFAULT;
    char err[300];
    int opt, ret, no_card = 0;

    scb_bootstrap_init(&b);
    memset(&keys, 0, sizeof(keys));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\nRun the bootstrap sequence once: the card (if a reader is given "
                   "and a card is\npresent), else the factory configuration (G.3.4 image or JSON); "
                   "commit atomically.\n",
                   usage_text);
            return EXIT_OK;
        case OPT_FACTORY: b.factory_path = optarg; break;
        case OPT_STATE: state = optarg; break;
        case OPT_NO_ACL: scb_profile_no_acl(&b.profile); break;
        case OPT_PROFILE:
            if ((ret = cli_load_profile(c, optarg, &b.profile)) != 0) {
                return ret;
            }
            break;
        case OPT_PIN: b.ro.pin = optarg; break;
        case OPT_NO_CARD: no_card = 1; break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                return cli_usage(c, usage_text);
            }
        }
    }
    if (optind != argc) {
        return cli_usage(c, usage_text);
    }
    if ((ret = scb_store_open(state, 2000, &st, err, sizeof(err))) < 0) {
        return cli_fail(c, ret, "%s", err);
    }
    b.store = st;
    b.log = cli_log;
    b.log_ctx = c;
    if (!no_card && (c->reader || getenv("SCBOOT_READER"))) {
        if ((ret = cli_secure_setup(c, &b.ro, &guard, &keys)) != 0) {
            scb_store_close(&st);
            return ret;
        }
        if (cli_open_card(c) == SCB_OK) {
            b.card = &c->card;
            b.reader_name = c->reader ? c->reader : getenv("SCBOOT_READER");
        } else {
            cli_log(c, "no card: going on without the smartcard step");
        }
    }
    ret = scb_bootstrap_run(&b, &res);
    scb_scp03_keys_clear(&keys);
    if (ret < 0) {
        ret = cli_fail(c, ret, "bootstrap sequence failed: %s", scb_strerror(ret));
    } else {
        print_result(c, &res, st);
        ret = EXIT_OK;
    }
    scb_bootstrap_free(&b);
    cli_close_card(c);
    scb_store_close(&st);
    return ret;
}

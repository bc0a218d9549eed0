/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_apply.c: `scboot apply`: one run of the bootstrap sequence (smartcard -> factory ->
 * client-initiated network bootstrap when no complete server account is committed and an
 * endpoint name is known), committing through the state directory, and what came from where.
 * Exit 0 when every source present was applied (or already was), 1 when one was rejected as
 * inconsistent or malformed (the network step: refused, 4.06 not corrected, no Finish), 2 no
 * endpoint name could be built or options contradict the committed account, 3 when the card
 * was there but could not be read or the Bootstrap-Server cannot be reached, 4 for a damaged
 * store, 5 when a file or the state directory cannot be read or written (or the network
 * configuration could not be committed). A failure is one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "scboot/conf.h"
#include "cli_net.h"
#include "scboot/card.h"
#include "scboot/scp03.h"
#include "scboot/bootstrap.h"
#include "scboot/endpoint.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"

static const char usage_text[] =
    "scboot apply [-r READER] [--no-card] [--factory F] [--state-dir D] [--no-acl|--profile P]\n"
    "             [--pin PIN|--pin-file F] [--scp03-keys K] [--endpoint NAME] [--config F]\n"
    "             [--no-hold-off] [--json]";

enum { OPT_FACTORY = 500, OPT_STATE, OPT_NO_ACL, OPT_PROFILE, OPT_PIN, OPT_NO_CARD, OPT_PIN_FILE,
       OPT_EP, OPT_CONFIG, OPT_NO_HOLD_OFF };

/* The network step of this run: whether it ran and how it ended. */
struct net_step {
    int ran;
    int exit;                 /* its exit code (0 committed) */
    const char *outcome;      /* "committed", "rejected", ... */
    const char *missing;      /* why it did not run although needed ("" ran or not needed) */
};

/*
 * The sequence's log lines are held back until it is known whether the run failed: a failure
 * is reported as one line (the store says what went wrong), a run that went through shows them.
 */
#define HELD_MAX 64
struct held_log {
    struct cli *c;
    size_t n, dropped;
    char *lines[HELD_MAX];
};

static void hold_line(void *ctx, const char *line)
{
    struct held_log *h = ctx;
    char ts[32], *copy;
    time_t now = time(NULL);
    struct tm tm;
    size_t len;
    if (h->n == HELD_MAX) {
        h->dropped++;
        return;
    }
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    len = strlen(ts) + strlen(h->c->prog) + strlen(line) + 4;
    if ((copy = malloc(len)) != NULL) {
        snprintf(copy, len, "%s %s: %s", ts, h->c->prog, line);
        h->lines[h->n++] = copy;
    }
}

static void release_lines(struct held_log *h, int show)
{
    for (size_t k = 0; k < h->n; k++) {
        if (show) {
            fprintf(stderr, "%s\n", h->lines[k]);
        }
        free(h->lines[k]);
    }
    if (show && h->dropped) {
        fprintf(stderr, "%s: (%zu more log lines)\n", h->c->prog, h->dropped);
    }
    h->n = h->dropped = 0;
}

/* Why the card could not be read, typed: the error, the step, the card's SW, PIN tries left. */
static json_object *reason_json(const struct scb_card_reason *why)
{
    json_object *o = json_object_new_object();
    char sw[8];
    json_object_object_add(o, "error", json_object_new_string(scb_error_name(why->err)));
    json_object_object_add(o, "step", json_object_new_string(scb_card_step_name(why->step)));
    if (why->sw) {
        snprintf(sw, sizeof(sw), "%04X", why->sw);
        json_object_object_add(o, "sw", json_object_new_string(sw));
    }
    if (why->pin_tries_left >= 0) {
        json_object_object_add(o, "pin_tries_left", json_object_new_int(why->pin_tries_left));
    }
    json_object_object_add(o, "detail", json_object_new_string(why->detail ? why->detail : ""));
    return o;
}

static void print_result(struct cli *c, const struct scb_run_result *res, struct scb_store *st,
                         const struct net_step *net, const struct scb_card_reason *why)
{
    struct scb_committed cm;
    char err[256];
    if (scb_store_load(st, &cm, err, sizeof(err)) < 0) {
        return;
    }
    int needs = res->needs_network_bootstrap && !(net->ran && net->exit == 0);
    if (c->json) {
        json_object *root = json_object_new_object();
        json_object_object_add(root, "card", json_object_new_string(scb_bootstrap_outcome_name(res->card)));
        if (res->card == SCB_BOOTSTRAP_CARD_UNREADABLE && why != NULL) {
            json_object_object_add(root, "card_reason", reason_json(why));
        }
        json_object_object_add(root, "factory_applied", json_object_new_boolean(res->factory_applied));
        json_object_object_add(root, "factory_rejected",
                               json_object_new_boolean(res->factory_rejected));
        json_object_object_add(root, "needs_network_bootstrap", json_object_new_boolean(needs));
        json_object_object_add(root, "network",
                               json_object_new_string(net->ran ? net->outcome : "not run"));
        json_object_object_add(root, "committed", scb_committed_to_json(&cm, !c->show_secrets));
        cli_print_json(root);
        json_object_put(root);
    } else {
        printf("card: %s\n", scb_bootstrap_outcome_name(res->card));
        if (res->card == SCB_BOOTSTRAP_CARD_UNREADABLE && why != NULL) {
            printf("card reason: %s at step %s", scb_error_name(why->err),
                   scb_card_step_name(why->step));
            if (why->sw) {
                printf(", SW %04X", why->sw);
            }
            if (why->pin_tries_left >= 0) {
                printf(", %d PIN tries left", why->pin_tries_left);
            }
            printf("\n");
        }
        printf("factory: %s\n", res->factory_applied    ? "committed"
                                : res->factory_rejected ? "rejected"
                                                        : "not applied");
        printf("generation %llu committed %s\n", (unsigned long long)cm.generation,
               cm.committed_at[0] ? cm.committed_at : "(never)");
        if (net->ran) {
            printf("network: %s\n", net->outcome);
        }
        cli_print_provenance(&cm, "from ");
        if (needs) {
            printf("no complete LwM2M server account: client-initiated bootstrap is needed%s%s\n",
                   net->missing[0] ? " " : "", net->missing);
        }
    }
    scb_committed_free(&cm);
}

/* The factory file must at least open: a missing one is the operator's error, said up front. */
static int check_readable(struct cli *c, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0) {
        return 0; /* stdin, read once by the factory step */
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return cli_read_fail(c, path, SCB_E_IO);
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) { /* opens, but cannot be read */
        close(fd);
        errno = EISDIR;
        return cli_read_fail(c, path, SCB_E_IO);
    }
    close(fd);
    return 0;
}

/* 0 all sources present applied; 1 one rejected; 3 the card present but unreadable. */
static int run_exit_code(const struct scb_run_result *res)
{
    if (res->card == SCB_BOOTSTRAP_CARD_UNREADABLE) {
        return EXIT_CARD;
    }
    return res->card == SCB_BOOTSTRAP_CARD_INVALID || res->factory_rejected ? EXIT_INCONSISTENT : EXIT_OK;
}

struct net_opts {
    const char *endpoint;     /* --endpoint, NULL: the configuration file's */
    const char *config;       /* --config, NULL: the default file when it exists */
    int no_hold_off;
};

#ifdef SCBOOT_HAVE_COAP
static const char *coap_outcome_name(enum scb_coap_outcome oc)
{
    switch (oc) {
    case SCB_COAP_COMMITTED: return "committed";
    case SCB_COAP_REJECTED: return "rejected";
    case SCB_COAP_REFUSED_SETUP: return "refused (options)";
    case SCB_COAP_UNREACHABLE: return "Bootstrap-Server unreachable";
    case SCB_COAP_COMMIT_FAILED: return "accepted, not committed";
    default: return "cancelled";
    }
}

/* Client-initiated bootstrap towards the committed account, once card and factory were tried. */
static int run_network(struct cli *c, struct scb_store *st, const struct scb_profile *profile,
                       const struct net_opts *no, const char *spec, struct net_step *net)
{
    struct scb_committed cm;
    struct scb_coap_opts o;
    struct scb_coap_result cres;
    char name[SCB_ENDPOINT_MAX + 1], err[512];
    int ret;

    if ((ret = scb_store_load(st, &cm, err, sizeof(err))) < 0) {
        return cli_fail(c, ret, "%s", err);
    }
    if (scb_config_bootstrap_instance(&cm.cfg) == NULL) {
        scb_committed_free(&cm);
        net->missing = "(no Bootstrap-Server account is committed to send it to)";
        return 0;
    }
    ret = cli_endpoint_name(c, spec, &cm, name, sizeof(name));
    scb_committed_free(&cm);
    if (ret != 0) {
        return ret;
    }
    scb_coap_opts_init(&o);
    o.endpoint = name;
    o.profile = *profile;
    o.no_hold_off = no->no_hold_off;
    o.log = cli_log;
    o.log_ctx = c;
    ret = scb_coap_bootstrap(st, &o, &cres);
    net->ran = 1;
    net->exit = cli_coap_exit(c, ret, &cres);
    net->outcome = ret < 0 && cres.outcome != SCB_COAP_REFUSED_SETUP
                       ? "failed" : coap_outcome_name(cres.outcome);
    return net->exit;
}
#endif

/*
 * The sequence's network step when it is needed: 0 or the exit code it ended with. conf_spec:
 * the configuration file's endpoint name, read before the steps (used without --endpoint).
 */
static int network_step(struct cli *c, struct scb_store *st, const struct scb_profile *profile,
                        const struct scb_run_result *res, const struct net_opts *no,
                        const char *conf_spec, struct net_step *net)
{
    char *flag_spec = NULL;
    const char *spec = conf_spec;
    int ret = 0;
    memset(net, 0, sizeof(*net));
    net->outcome = net->missing = "";
    if (!res->needs_network_bootstrap) {
        return 0;
    }
    if (no->endpoint != NULL) {
        if ((ret = cli_endpoint_spec(c, no->endpoint, NULL, &flag_spec)) != 0) {
            return ret;
        }
        spec = flag_spec;
    }
    if (spec == NULL) {
        net->missing = "(no endpoint name: give --endpoint NAME or endpoint = NAME in "
                       "scboot.conf to run it)";
        return 0;
    }
#ifdef SCBOOT_HAVE_COAP
    ret = run_network(c, st, profile, no, spec, net);
#else
    (void)st;
    (void)profile;
    net->missing = "(network bootstrap is not built into this scboot: -Dcoap=disabled or no "
                   "libcoap3-dev)";
#endif
    free(flag_spec);
    return ret;
}

int cmd_apply(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"factory", required_argument, NULL, OPT_FACTORY},
                                         {"state-dir", required_argument, NULL, OPT_STATE},
                                         {"no-acl", no_argument, NULL, OPT_NO_ACL},
                                         {"profile", required_argument, NULL, OPT_PROFILE},
                                         {"pin", required_argument, NULL, OPT_PIN},
                                         {"pin-file", required_argument, NULL, OPT_PIN_FILE},
                                         {"no-card", no_argument, NULL, OPT_NO_CARD},
                                         {"endpoint", required_argument, NULL, OPT_EP},
                                         {"config", required_argument, NULL, OPT_CONFIG},
                                         {"no-hold-off", no_argument, NULL, OPT_NO_HOLD_OFF},
                                         {0, 0, 0, 0}};
    struct net_opts no = {0};
    char *conf_spec = NULL; /* the configuration file's endpoint name */
    struct net_step net;
    struct scb_bootstrap_opts bo;
    struct scb_bootstrap *b = NULL;
    struct scb_run_result res;
    struct scb_store *st = NULL;
    struct scb_transport *stand_in = NULL;
    struct scb_card *stand_card = NULL;
    struct scb_scp03_guard *guard = NULL;
    struct held_log held = {.c = c};
    const char *state = SCB_STATE_DIR_DEFAULT;
    char err[1024];
    int opt, ret, no_card = 0;

    scb_bootstrap_opts_init(&bo);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\nRun the bootstrap sequence once: the card (if a reader is given "
                   "and a card is\npresent), else the factory configuration (G.3.4 image or JSON); "
                   "commit atomically.\n"
                   "  --pin-file F   the PIN on F's first line (F readable by its owner only)\n"
                   "Then, when no complete LwM2M server account is committed, client-initiated\n"
                   "bootstrap towards the committed Bootstrap-Server account (its URI /0/x/0,\n"
                   "its credentials, after its hold-off /0/x/11 unless --no-hold-off) as\n"
                   "--endpoint NAME (or endpoint = in --config F, default %s):\n"
                   "a literal or a template with {iccid}, {imei}, {hostname}, {machine-id}.\n"
                   "exit: 0 applied, 1 a source present was rejected (inconsistent or "
                   "malformed;\n      network: refused, 4.06, no Finish), 2 endpoint name "
                   "missing a value,\n      3 card present but unreadable or Bootstrap-Server "
                   "unreachable,\n      4 damaged store, 5 file or state I/O error (or the "
                   "network commit)\n",
                   usage_text, SCB_CONF_DEFAULT);
            ret = EXIT_OK;
            goto out;
        case OPT_FACTORY: bo.factory_path = optarg; break;
        case OPT_STATE: state = optarg; break;
        case OPT_NO_ACL: scb_profile_no_acl(&bo.profile); break;
        case OPT_PROFILE:
            if ((ret = cli_load_profile(c, optarg, &bo.profile)) != 0) {
                goto out;
            }
            break;
        case OPT_PIN:
        case OPT_PIN_FILE:
            if ((ret = cli_pin_opt(c, opt == OPT_PIN_FILE, optarg)) != 0) {
                goto out;
            }
            break;
        case OPT_NO_CARD: no_card = 1; break;
        case OPT_EP: no.endpoint = optarg; break;
        case OPT_CONFIG: no.config = optarg; break;
        case OPT_NO_HOLD_OFF: no.no_hold_off = 1; break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                ret = cli_usage(c, usage_text);
                goto out;
            }
        }
    }
    if (optind != argc) {
        ret = cli_usage(c, usage_text);
        goto out;
    }
    bo.ro.pin = cli_pin(c);
    if (bo.factory_path && (ret = check_readable(c, bo.factory_path)) != 0) {
        goto out;
    }
    /* read once, before any step runs: a bad configuration file commits nothing */
    if (no.endpoint == NULL && (ret = cli_endpoint_spec(c, NULL, no.config, &conf_spec)) != 0) {
        goto out;
    }
    if ((ret = scb_store_open(state, 2000, &st, err, sizeof(err))) < 0) {
        ret = cli_fail(c, ret, "%s", err);
        goto out;
    }
    bo.store = st;
    bo.log = hold_line;
    bo.log_ctx = &held;
    if (!no_card && (c->reader || getenv("SCBOOT_READER"))) {
        if ((ret = cli_secure_setup(c, &bo.ro, &guard)) != 0) {
            goto out;
        }
        bo.reader_name = c->reader ? c->reader : getenv("SCBOOT_READER");
        int oc = cli_open_card(c);
        if (oc == SCB_OK) {
            bo.card = c->card;
        } else if (cli_exit_code(oc) == EXIT_FILE || cli_exit_code(oc) == EXIT_MALFORMED) {
            /* a virtual card's profile that cannot be read: said in one line already */
            ret = cli_exit_code(oc);
            goto out;
        } else {
            /* R4 (scb_bootstrap_check_card): a reader without a card deletes the card's instances and
             * falls through to the factory step; an unreachable reader or pcscd keeps them */
            stand_in = oc == SCB_E_NO_CARD ? scb_transport_empty_reader(bo.reader_name)
                                           : scb_transport_unreachable(oc);
            if (stand_in && scb_card_new(stand_in, &stand_card) == SCB_OK) {
                bo.card = stand_card;
            }
        }
    }
    if ((ret = scb_bootstrap_new(&bo, &b)) == SCB_OK) {
        ret = scb_bootstrap_run(b, &res, err, sizeof(err));
        scb_bootstrap_set_pin(b, NULL); /* before the PIN it borrows is wiped */
    }
    scb_scp03_guard_free(&guard);
    cli_pin_wipe(c);
    if (ret < 0) {
        release_lines(&held, 0);
        ret = cli_fail(c, ret, "%s", err);
    } else {
        release_lines(&held, 1);
        ret = run_exit_code(&res);
        int nret = network_step(c, st, &bo.profile, &res, &no, conf_spec, &net);
        print_result(c, &res, st, &net, scb_bootstrap_card_reason(b));
        ret = ret ? ret : nret; /* the first step that failed says the code */
    }
out: /* every exit: the PIN and the SCP03 keys wiped, the card and the store closed */
    scb_bootstrap_free(&b);
    scb_scp03_guard_free(&guard);
    cli_pin_wipe(c);
    cli_close_card(c);
    scb_card_free(&stand_card);
    scb_transport_free(&stand_in);
    scb_store_free(&st);
    free(conf_spec);
    return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_watch.c: `scboot watch`: the gateway daemon, the library's loop (daemon.h) with the
 * tool's policy around it. The loop blocks in the event source (pcscd's status change, the
 * emulator for `-r virtual:P.json`, a modem's presence poll for `-r at:DEVICE`) and runs the bootstrap sequence on every card insert,
 * removal, swap, data change, reader re-plug or pcscd restart; with --endpoint it bootstraps
 * from the network when no server account is left, with --listen it serves server-initiated
 * bootstrap. Here: --exec with the outcome in the environment (own process group,
 * --exec-timeout), the sd_notify protocol (READY=1 after the first check, STATUS=, STOPPING=1),
 * sd-daemon priorities when stderr is the journal, the configuration file (--config, default
 * /etc/scboot/scboot.conf when it exists; flags override it). Signals are taken by a thread
 * of their own (sigwaitinfo), so the loop never polls for them: SIGTERM/SIGINT exit (a running
 * hook's group is killed), SIGHUP re-checks now, SIGUSR1 says registration failed (bootstrap
 * now unless every server account says not to). Secrets are never logged.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "cli.h"
#include "cli_daemon.h"
#include "cli_misc.h"
#include "scboot/at.h"
#include "scboot/bootstrap.h"
#include "scboot/card.h"
#include "scboot/conf.h"
#include "scboot/daemon.h"
#include "scboot/emu.h"
#include "scboot/endpoint.h"
#include "scboot/hook.h"
#include "scboot/pcsc.h"
#include "scboot/scp03.h"
#include "scboot/util.h"

static const char usage_text[] =
    "scboot watch [-r READER|--all [-r at:DEVICE]] [--config FILE] [--state-dir D]\n"
    "             [--exec CMD] [--exec-timeout SECONDS] [--factory F]\n"
    "             [--no-acl|--profile P] [--pin PIN|--pin-file F] [--scp03-keys K]\n"
    "             [--verify on-event|always|every=DURATION] [--endpoint EP]\n"
    "             [--listen [ADDR:]PORT] [--listen-unauthenticated]";

enum {
    OPT_ALL = 600, OPT_STATE, OPT_EXEC, OPT_FACTORY, OPT_NO_ACL, OPT_PROFILE, OPT_PIN,
    OPT_PIN_FILE, OPT_CONFIG, OPT_EXEC_TIMEOUT, OPT_VERIFY, OPT_ENDPOINT, OPT_LISTEN,
    OPT_LISTEN_UNAUTH
};

#define HELP_SHOWN (-1)

/* What the options say, after the configuration file and the flags are merged. */
struct watch_opts {
    const char *config;       /* --config; NULL: the default file when it exists */
    const char *config_used;  /* the file actually read (for the start-up line); NULL: none */
    int all;
    const char *state, *exec, *factory, *profile, *pin_file;
    long exec_timeout;        /* -1 unset */
    int no_acl;               /* -1 unset */
    /* The card re-check policy from the file's `verify` key; handed to the card check with
     * the other read options (on-event is what the monitor loop does). */
    enum scb_conf_verify verify;
    unsigned verify_every_s;
    int verify_flag;          /* --verify given: it wins over the file */
    const char *endpoint;     /* --endpoint: client-initiated bootstrap as this name */
    const char *listen;       /* --listen / the file's listen: server-initiated in-process */
    int listen_unauth;        /* -1 unset; 1: plain CoAP may listen beyond loopback */
};

struct watch {
    struct cli *c;
    struct cli_logger log;
    struct scb_hook hook;
    const char *state;
    struct scb_bootstrap_opts bo; /* the sequence's options, filled by the flags and the file */
    struct scb_bootstrap *b;
    struct scb_daemon *d;
    char reader[SCB_READER_NAME_MAX];
    char iccid[24];
    /* what the hook was last told: it runs again only for a new generation or a new state */
    int told;
    uint64_t told_gen;
    enum scb_bootstrap_outcome told_state;
    /* taken by the signal thread, read by the hook runner */
    volatile sig_atomic_t stop;
};

/* "removed" and "absent" are the same state for the hook: no card data committed */
static enum scb_bootstrap_outcome hook_state(enum scb_bootstrap_outcome o)
{
    return o == SCB_BOOTSTRAP_CARD_REMOVED ? SCB_BOOTSTRAP_CARD_ABSENT : o;
}

static void status(struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void status(struct watch *w, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    int n = snprintf(msg, sizeof(msg), "STATUS=");
    (void)w;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    cli_notify(msg);
}

static void run_hook(struct watch *w, const char *event, uint64_t generation)
{
    char ev[64], rd[SCB_READER_NAME_MAX + 16], ic[48], gen[48], sd[PATH_MAX + 32], to[48];
    char *env[] = {ev, rd, ic, gen, sd, to, NULL};
    snprintf(ev, sizeof(ev), "SCBOOT_EVENT=%s", event);
    snprintf(rd, sizeof(rd), "SCBOOT_READER=%s", w->reader);
    snprintf(ic, sizeof(ic), "SCBOOT_ICCID=%s", w->iccid);
    snprintf(gen, sizeof(gen), "SCBOOT_GENERATION=%llu", (unsigned long long)generation);
    snprintf(sd, sizeof(sd), "SCBOOT_STATE_DIR=%s", w->state);
    snprintf(to, sizeof(to), "SCBOOT_EXEC_TIMEOUT=%u", w->hook.timeout_s);
    scb_hook_run(&w->hook, env);
}

static void notify(void *ctx, enum scb_bootstrap_outcome o, const struct scb_committed *cm)
{
    struct watch *w = ctx;
    snprintf(w->iccid, sizeof(w->iccid), "%s", cm->card.valid ? cm->card.iccid : "");
    (void)o;
}

static void report_status(struct watch *w, const struct scb_run_result *res, const char *event)
{
    unsigned long long g = (unsigned long long)res->generation;
    switch (res->card) {
    case SCB_BOOTSTRAP_CARD_REMOVED:
    case SCB_BOOTSTRAP_CARD_ABSENT:
        status(w, "no card%s (generation %llu)", res->factory_applied ? ", factory applied" : "",
               g);
        break;
    case SCB_BOOTSTRAP_CARD_INVALID:
        status(w, "card rejected: inconsistent data (generation %llu kept)", g);
        break;
    case SCB_BOOTSTRAP_CARD_UNREADABLE:
        status(w, "card in \"%s\" unreadable (generation %llu kept)", w->reader, g);
        break;
    default:
        status(w, "card %s %s generation %llu", w->iccid[0] ? w->iccid : "(no ICCID)", event, g);
    }
}

/* ---- the loop's callbacks ---- */

static void on_log(void *ctx, enum scb_daemon_prio prio, const char *line)
{
    struct watch *w = ctx;
    /* the operator's next step when pcscd is down (the library names no tool) */
    int hint = strncmp(line, "pcscd not reachable", 19) == 0;
    cli_logp(&w->log, (int)prio, "%s%s", line,
             hint ? " (SCARD_E_NO_SERVICE); is pcscd running? systemctl start pcscd.socket" : "");
}

static void on_status(void *ctx, const char *line)
{
    status(ctx, "%s", line);
}

static void on_ready(void *ctx)
{
    (void)ctx;
    cli_notify("READY=1");
}

/* After a run of the sequence: log, STATUS, and the hook for a commit or a new state. */
static void on_card(void *ctx, const struct scb_run_result *res, const char *reader)
{
    struct watch *w = ctx;
    snprintf(w->reader, sizeof(w->reader), "%s", reader);
    const char *event = scb_bootstrap_outcome_name(res->card);
    int prio = res->card == SCB_BOOTSTRAP_CARD_UNCHANGED && !res->factory_applied ? LOG_DEBUG
               : res->card == SCB_BOOTSTRAP_CARD_INVALID ||
                       res->card == SCB_BOOTSTRAP_CARD_UNREADABLE || res->factory_rejected
                   ? LOG_WARNING
                   : LOG_INFO;
    cli_logp(&w->log, prio, "event %s reader \"%s\" generation %llu%s%s%s", event, w->reader,
             (unsigned long long)res->generation, res->factory_applied ? " (factory applied)" : "",
             res->factory_rejected ? " (factory rejected)" : "",
             res->needs_network_bootstrap ? " (network bootstrap needed)" : "");
    report_status(w, res, event);
    /* the hook hears of every commit and of every new state (absent, unreadable, invalid),
     * not of the same state seen again (a reader's spurious wake-up, a repeated SIGHUP) */
    if (res->card != SCB_BOOTSTRAP_CARD_UNCHANGED &&
        (!w->told || res->generation != w->told_gen || hook_state(res->card) != w->told_state)) {
        w->told = 1;
        w->told_gen = res->generation;
        w->told_state = hook_state(res->card);
        run_hook(w, event, res->generation);
    } else if (res->factory_applied) {
        w->told_gen = res->generation;
        run_hook(w, event, res->generation);
    }
}

/* After a network session: network-applied (committed) or network-failed, for the hook. */
static void on_network(void *ctx, const struct scb_daemon_network *n)
{
    struct watch *w = ctx;
    int ok = n->outcome == SCB_COAP_COMMITTED;
    if (!ok && n->server_initiated && n->outcome == SCB_COAP_REJECTED) {
        /* a listener's peer that gave up: logged by the session, no news for the client */
        return;
    }
    cli_logp(&w->log, ok ? LOG_INFO : LOG_WARNING, "event %s (%s) generation %llu%s%s",
             ok ? "network-applied" : "network-failed",
             n->server_initiated ? "server-initiated" : "client-initiated",
             (unsigned long long)n->generation, ok ? "" : ": ", ok ? "" : n->reason);
    if (ok) {
        w->told = 1;
        w->told_gen = n->generation;
    }
    run_hook(w, ok ? "network-applied" : "network-failed", n->generation);
}

static int merge_conf(struct cli *c, struct watch_opts *o, struct scb_conf *cf)
{
    char err[SCB_ERR_MAX];
    int ret = scb_conf_load(o->config ? o->config : SCB_CONF_DEFAULT, o->config == NULL, cf,
                            err, sizeof(err));
    if (ret < 0) {
        fprintf(stderr, "%s: %s\n", c->prog, err);
        return EXIT_USAGE;
    }
    if (ret == 0) {
        return 0; /* no file: the flags alone */
    }
    o->config_used = o->config ? o->config : SCB_CONF_DEFAULT;
    if (c->reader == NULL && !o->all) {
        if (cf->reader) {
            c->reader = cf->reader;
        } else {
            o->all = 1; /* a configuration without a reader watches every reader */
        }
    } else if (c->reader == NULL && cf->reader && scb_at_is_spec(cf->reader)) {
        c->reader = cf->reader; /* --all and the file's modem: both */
    }
#define FILL(dst, src)                                                                          \
    do {                                                                                        \
        if ((dst) == NULL) {                                                                    \
            (dst) = (src);                                                                      \
        }                                                                                       \
    } while (0)
    if (c->scp03_keys == NULL && cf->scp03_keys) {
        c->scp03_keys_origin = cf->scp03_keys_origin; /* its errors name the file's line */
    }
    FILL(c->scp03_keys, cf->scp03_keys);
    FILL(o->state, cf->state_dir);
    FILL(o->exec, cf->exec);
    FILL(o->factory, cf->factory);
    FILL(o->listen, cf->listen);
    FILL(o->endpoint, cf->endpoint);
#undef FILL
    if (c->secure_mode < 0) {
        c->secure_mode = cf->secure_mode;
    }
    if (c->scp03_level == 0 && cf->scp03_level > 0) {
        c->scp03_level = (unsigned)cf->scp03_level;
    }
    if (o->exec_timeout < 0) {
        o->exec_timeout = cf->exec_timeout;
    }
    if (o->listen_unauth < 0) {
        o->listen_unauth = cf->listen_unauthenticated;
    }
    if (o->no_acl < 0 && o->profile == NULL) {
        o->no_acl = cf->no_acl;
        o->profile = cf->profile;
    }
    if (o->pin_file == NULL && cf->pin_file) {
        o->pin_file = cf->pin_file;
        c->pin_file_origin = cf->pin_file_origin;
    }
    if (!o->verify_flag) {
        o->verify = cf->verify;
        o->verify_every_s = cf->verify_every_s;
    }
    return 0;
}

static int parse_args(struct cli *c, struct watch *w, struct watch_opts *o, int argc,
                      char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"all", no_argument, NULL, OPT_ALL},
                                         {"config", required_argument, NULL, OPT_CONFIG},
                                         {"state-dir", required_argument, NULL, OPT_STATE},
                                         {"exec", required_argument, NULL, OPT_EXEC},
                                         {"exec-timeout", required_argument, NULL,
                                          OPT_EXEC_TIMEOUT},
                                         {"factory", required_argument, NULL, OPT_FACTORY},
                                         {"no-acl", no_argument, NULL, OPT_NO_ACL},
                                         {"profile", required_argument, NULL, OPT_PROFILE},
                                         {"pin", required_argument, NULL, OPT_PIN},
                                         {"pin-file", required_argument, NULL, OPT_PIN_FILE},
                                         {"verify", required_argument, NULL, OPT_VERIFY},
                                         {"endpoint", required_argument, NULL, OPT_ENDPOINT},
                                         {"listen", required_argument, NULL, OPT_LISTEN},
                                         {"listen-unauthenticated", no_argument, NULL,
                                          OPT_LISTEN_UNAUTH},
                                         {0, 0, 0, 0}};
    char err[SCB_ERR_MAX];
    unsigned long secs;
    int opt, ret;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\n"
                   "Keep the committed configuration in step with the card: insert, removal,\n"
                   "swap, data change, reader re-plug, pcscd restart.\n"
                   "  --config FILE      key = value settings (default %s if it exists);\n"
                   "                     flags override it; without a reader key: every reader\n"
                   "  --all              every PC/SC reader, and with -r at:DEVICE (or the file's\n"
                   "                     reader = at:DEVICE) that modem too: modems are not\n"
                   "                     discovered; the first card found is used\n"
                   "  --exec CMD         run by /bin/sh -c after each change, own process group,\n"
                   "                     with SCBOOT_EVENT, SCBOOT_READER, SCBOOT_ICCID,\n"
                   "                     SCBOOT_GENERATION, SCBOOT_STATE_DIR, SCBOOT_EXEC_TIMEOUT\n"
                   "  --exec-timeout S   TERM (then KILL 1 s later) to a hook still running after\n"
                   "                     S seconds (default %d)\n"
                   "  --endpoint EP      when the card and factory leave no server account (or\n"
                   "                     SIGUSR1), client-initiated bootstrap as EP from the\n"
                   "                     committed Bootstrap-Server account, retried\n"
                   "  --listen [A:]PORT  serve server-initiated bootstrap in this process; plain\n"
                   "                     CoAP (no account requiring DTLS) on loopback only\n"
                   "  --listen-unauthenticated\n"
                   "                     plain CoAP may listen on the address given\n"
                   "systemd: Type=notify (READY=1 after the first check, STATUS= per event);\n"
                   "journal priorities when stderr is the journal.\n"
                   "SIGHUP: re-check now; SIGUSR1: registration failed, bootstrap now (unless\n"
                   "every server account says /1/x/16 false); SIGTERM/SIGINT: exit (a running\n"
                   "hook is killed).\n",
                   usage_text, SCB_CONF_DEFAULT, SCB_HOOK_TIMEOUT_DEFAULT);
            return HELP_SHOWN;
        case OPT_ALL: o->all = 1; break;
        case OPT_CONFIG: o->config = optarg; break;
        case OPT_STATE: o->state = optarg; break;
        case OPT_EXEC: o->exec = optarg; break;
        case OPT_EXEC_TIMEOUT:
            if (scb_conf_parse_seconds(optarg, 1, 3600, &secs, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s: --exec-timeout %s\n", c->prog, err);
                return EXIT_USAGE;
            }
            o->exec_timeout = (long)secs;
            break;
        case OPT_FACTORY: o->factory = optarg; break;
        case OPT_NO_ACL: o->no_acl = 1; break;
        case OPT_PROFILE: o->profile = optarg; break;
        case OPT_PIN:
        case OPT_PIN_FILE:
            if ((ret = cli_pin_opt(c, opt == OPT_PIN_FILE, optarg)) != 0) {
                return ret;
            }
            w->bo.ro.pin = cli_pin(c); /* kept for every check; wiped at exit */
            break;
        case OPT_VERIFY:
            if (scb_conf_parse_verify(optarg, &o->verify, &o->verify_every_s, err, sizeof(err)) < 0) {
                return cli_fail(c, SCB_E_INVALID_ARG, "--verify %s", err);
            }
            o->verify_flag = 1;
            break;
        case OPT_ENDPOINT:
            if (optarg[0] == '\0') {
                fprintf(stderr, "%s: --endpoint: an empty endpoint name\n", c->prog);
                return EXIT_USAGE;
            }
            if (scb_endpoint_template_check(optarg, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s: --endpoint %s: %s\n", c->prog, optarg, err);
                return EXIT_USAGE;
            }
            o->endpoint = optarg;
            break;
        case OPT_LISTEN: o->listen = optarg; break;
        case OPT_LISTEN_UNAUTH: o->listen_unauth = 1; break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                return cli_usage(c, usage_text);
            }
        }
    }
    /* --all takes a modem besides (it cannot discover one), no other reader */
    if (optind != argc || (c->reader != NULL && o->all && !scb_at_is_spec(c->reader))) {
        return cli_usage(c, usage_text);
    }
    if (c->json) {
        return cli_refuse_json(c, "the daemon logs lines; `scboot status --json` shows the "
                                  "committed configuration");
    }
    if (o->no_acl == 1 && o->profile) {
        fprintf(stderr, "%s: --no-acl and --profile exclude each other\n", c->prog);
        return EXIT_USAGE;
    }
    return 0;
}

/* "[ADDR:]PORT" / "[V6ADDR]:PORT": a port 1..65535 after the last ':' (the address is checked
 * when the listener binds). A mistyped one is a usage error now, not a retry loop later. */
static int listen_ok(const char *spec)
{
    const char *colon = strrchr(spec, ':');
    const char *port = colon ? colon + 1 : spec;
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    return port[0] >= '0' && port[0] <= '9' && *end == '\0' && p >= 1 && p <= 65535;
}

/* The options into the sequence's context; 0 or an exit code. */
static int setup(struct cli *c, struct watch *w, struct watch_opts *o)
{
    char err[SCB_ERR_MAX];
    int ret;
    if (c->reader == NULL && !o->all) {
        fprintf(stderr, "%s: no reader: give -r READER, --all, or a configuration file\n",
                c->prog);
        return cli_usage(c, usage_text);
    }
    w->state = o->state ? o->state : SCB_STATE_DIR_DEFAULT;
#ifndef SCBOOT_HAVE_COAP
    if (o->listen) {
        /* refused rather than a banner that claims a listener nothing can open */
        fprintf(stderr, "%s: listen '%s': network bootstrap is not built into this scboot "
                        "(-Dcoap=disabled or no libcoap): it cannot listen for a "
                        "Bootstrap-Server; remove --listen (or listen = from the configuration "
                        "file)\n",
                c->prog, o->listen);
        return EXIT_USAGE;
    }
#endif
    if (o->listen && !listen_ok(o->listen)) {
        fprintf(stderr, "%s: listen '%s': give [ADDR:]PORT, PORT 1 to 65535\n", c->prog,
                o->listen);
        return EXIT_USAGE;
    }
    if (o->factory && strcmp(o->factory, "-") == 0) {
        fprintf(stderr, "%s: --factory -: the daemon reads the factory file again at every "
                        "event, stdin only once; give a file\n",
                c->prog);
        return EXIT_USAGE;
    }
    w->bo.factory_path = o->factory;
    w->hook.cmd = o->exec;
    char why[640];
    if (o->exec && scb_hook_trusted(o->exec, why, sizeof(why)) == SCB_E_UNSAFE) {
        /* the same rule as the configuration file that names it: a hook others can change or
         * swap runs their code as this daemon's user */
        fprintf(stderr, "%s: hook %s\n", c->prog, why);
        return EXIT_USAGE;
    }
    w->hook.timeout_s = o->exec_timeout > 0 ? (unsigned)o->exec_timeout : SCB_HOOK_TIMEOUT_DEFAULT;
    if (o->no_acl == 1) {
        scb_profile_no_acl(&w->bo.profile);
    } else if (o->profile && (ret = cli_load_profile(c, o->profile, &w->bo.profile)) != 0) {
        return ret;
    }
    if (o->pin_file && w->bo.ro.pin == NULL) {
        /* the configuration's pin-file: the rules of --pin-file (owner-only, no link) */
        char path[PATH_MAX]; /* cli_pin_opt wipes a --pin argument in place; a path is only read */
        snprintf(path, sizeof(path), "%s", o->pin_file);
        if ((ret = cli_pin_opt(c, 1, path)) != 0) {
            return ret;
        }
        w->bo.ro.pin = cli_pin(c);
    }
    /* --verify (or the file's verify key): re-read without a reader event (R3: an in-place
     * change moves no event counter) */
    w->bo.verify = o->verify == SCB_CONF_VERIFY_ALWAYS  ? SCB_VERIFY_ALWAYS
                  : o->verify == SCB_CONF_VERIFY_EVERY ? SCB_VERIFY_EVERY
                                                  : SCB_VERIFY_ON_EVENT;
    w->bo.verify_every_ms = (uint64_t)o->verify_every_s * 1000u;
    (void)err;
    return 0;
}

static void load_committed_iccid(struct watch *w, struct scb_store *st)
{
    struct scb_committed cm;
    char err[SCB_ERR_MAX];
    if (scb_store_load(st, &cm, err, sizeof(err)) == 0) {
        snprintf(w->iccid, sizeof(w->iccid), "%s", cm.card.valid ? cm.card.iccid : "");
        scb_committed_free(&cm);
    }
}

/* The signal thread: SIGTERM/SIGINT/SIGHUP/SIGUSR1 are blocked in every other thread and
 * taken here with sigwaitinfo, so the loop can block in pcscd without a timeout and still
 * hear them at once (scb_daemon_request wakes it). */
struct sig_thread {
    pthread_t th;
    sigset_t set;
    struct watch *w;
};

static void *signal_thread(void *arg)
{
    struct sig_thread *t = arg;
    for (;;) {
        int sig = sigwaitinfo(&t->set, NULL);
        if (sig == SIGHUP) {
            scb_daemon_request(t->w->d, SCB_DAEMON_RECHECK);
        } else if (sig == SIGUSR1) {
            cli_logp(&t->w->log, LOG_INFO, "SIGUSR1: the LwM2M client could not register");
            scb_daemon_request(t->w->d, SCB_DAEMON_REGISTRATION_FAILED);
        } else if (sig == SIGTERM || sig == SIGINT) {
            t->w->stop = 1; /* a running hook's group is killed now */
            scb_daemon_request(t->w->d, SCB_DAEMON_STOP);
            return NULL;
        }
    }
}

/* The modem's notes: the event source's lines ("modem at:DEV: SIM removed") are news, a
 * modem that stops answering or cannot be opened yet and whatever the transport says are
 * warnings. */
static void on_modem_log(void *ctx, const char *line)
{
    int news = strncmp(line, "modem ", 6) == 0 && strstr(line, "does not answer") == NULL &&
               strstr(line, "cannot be opened") == NULL;
    cli_logp(ctx, news ? LOG_INFO : LOG_WARNING, "%s", line);
}

/* -r at:DEVICE: the modem's port, held for the daemon's life (presence poll and card reads) */
static struct scb_events *open_modem(struct watch *w, const char *spec, int *code)
{
    struct scb_events *ev = NULL;
    struct scb_at_opts ao;
    char err[SCB_ERR_MAX];
    int ret;
    scb_at_opts_init(&ao);
    if ((ret = scb_at_parse_spec(spec, &ao, err, sizeof(err))) == 0) {
        ao.log = on_modem_log;
        ao.log_ctx = &w->log;
        ret = scb_at_events_new(&ao, &ev, err, sizeof(err));
    }
    if (ret < 0) {
        *code = cli_fail(w->c, ret, "%s", err);
    }
    return ev;
}

/* The event source: the emulator for virtual:PROFILE.json, the modem for at:DEVICE, else
 * pcscd's monitor. A pcscd failure is retried with back-off (logged, STATUS) until it works
 * or SIGTERM. */
static struct scb_events *open_events(struct watch *w, const struct watch_opts *o,
                                      struct scb_emu **emu, const sigset_t *sigs, int *code)
{
    struct scb_events *ev = NULL;
    const char *spec = o->all ? NULL : w->c->reader;
    if (o->all && w->c->reader) {
        /* every PC/SC reader and the modem named: one source, the first card found */
        struct scb_events *src[2] = {open_modem(w, w->c->reader, code), NULL};
        int ret = src[0] ? scb_pcsc_events_new(NULL, &src[1]) : SCB_OK;
        if (src[0] && ret == SCB_OK) {
            struct scb_events *pair[2] = {src[1], src[0]}; /* PC/SC first, as before */
            ret = scb_events_combine_new(pair, 2, &ev);
            src[0] = src[1] = NULL;
        }
        if (ret < 0) {
            scb_events_free(&src[0]);
            *code = cli_fail(w->c, ret, "reader monitor: %s", scb_error_string(ret));
        }
        return ev;
    }
    char err[SCB_ERR_MAX];
    unsigned backoff = 250;
    int ret;
    if (spec && strncmp(spec, "virtual:", 8) == 0) {
        if ((ret = scb_emu_load(spec + 8, emu, err, sizeof(err))) < 0) {
            *code = cli_fail(w->c, ret, "virtual card: %s", err);
            return NULL;
        }
        if ((ret = scb_emu_events_new(*emu, spec, &ev)) < 0) {
            *code = cli_fail(w->c, ret, "virtual card: %s", scb_error_string(ret));
        }
        return ev;
    }
    if (spec && scb_at_is_spec(spec)) {
        return open_modem(w, spec, code);
    }
    while ((ret = scb_pcsc_events_new(spec, &ev)) < 0) {
        struct timespec ts = {backoff / 1000, (long)(backoff % 1000) * 1000000L};
        cli_logp(&w->log, LOG_ERR, "reader monitor: %s: retrying in %u ms", scb_error_string(ret),
                 backoff);
        status(w, "reader monitor failed (%s), retrying in %u ms", scb_error_string(ret), backoff);
        int sg = sigtimedwait(sigs, NULL, &ts);
        if (sg == SIGTERM || sg == SIGINT) {
            *code = EXIT_OK;
            return NULL;
        }
        backoff = backoff < 30000 ? backoff * 2 : 60000;
    }
    return ev;
}

int cmd_watch(struct cli *c, int argc, char **argv)
{
    struct watch w;
    struct watch_opts o = {.exec_timeout = -1, .no_acl = -1, .listen_unauth = -1};
    struct scb_conf cf;
    struct scb_store *st = NULL;
    struct scb_events *ev = NULL;
    struct scb_emu *emu = NULL;
    struct scb_scp03_guard *guard = NULL;
    struct scb_daemon_opts dopts;
    struct sig_thread sig;
    char err[SCB_ERR_MAX];
    int ret, have_thread = 0;

    memset(&w, 0, sizeof(w));
    scb_hook_init(&w.hook);
    scb_conf_init(&cf);
    w.c = c;
    scb_bootstrap_opts_init(&w.bo);
    ret = parse_args(c, &w, &o, argc, argv);
    if (ret == HELP_SHOWN) {
        return EXIT_OK;
    }
    if (ret == 0) {
        ret = merge_conf(c, &o, &cf);
    }
    if (ret == 0) {
        ret = setup(c, &w, &o);
    }
    if (ret == 0) {
        ret = cli_secure_setup(c, &w.bo.ro, &guard);
    }
    if (ret != 0) {
        goto out;
    }
    cli_logger_init(&w.log, c->prog, c->verbose);
    w.hook.log = cli_logger_hook;
    w.hook.log_ctx = &w.log;
    w.hook.stop = &w.stop;
    if ((ret = scb_store_open(w.state, 0, &st, err, sizeof(err))) < 0) {
        ret = cli_fail(c, ret, "%s", err);
        goto out;
    }
    w.bo.store = st;
    w.bo.log = cli_logger_lib;
    w.bo.log_ctx = &w.log;
    w.bo.notify = notify;
    w.bo.notify_ctx = &w;
    if ((ret = scb_bootstrap_new(&w.bo, &w.b)) < 0) {
        ret = cli_fail(c, ret, "bootstrap sequence: %s", scb_error_string(ret));
        goto out;
    }
    load_committed_iccid(&w, st);
    scb_hook_precheck(&w.hook);
    /* before any thread exists, so every thread inherits the mask (hooks unblock it) */
    sigemptyset(&sig.set);
    sigaddset(&sig.set, SIGTERM);
    sigaddset(&sig.set, SIGINT);
    sigaddset(&sig.set, SIGHUP);
    sigaddset(&sig.set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &sig.set, NULL);
    char extra[600];
    snprintf(extra, sizeof(extra), "%s%s%s%s", o.endpoint ? ", endpoint " : "",
             o.endpoint ? o.endpoint : "", o.listen ? ", listen " : "", o.listen ? o.listen : "");
    cli_logp(&w.log, LOG_INFO, "watching %s%s%s%s%s (config %s, state %s, hook %s, timeout %u s%s)",
             o.all ? "all readers" : "the reader \"", o.all ? "" : c->reader,
             o.all ? "" : "\"", o.all && c->reader ? " and the modem " : "",
             o.all && c->reader ? c->reader : "", o.config_used ? o.config_used : "none", w.state,
             w.hook.cmd ? "set" : "none", w.hook.timeout_s, extra);
    status(&w, "starting: first card check");
    if ((ev = open_events(&w, &o, &emu, &sig.set, &ret)) == NULL) {
        goto out;
    }
    scb_daemon_opts_init(&dopts);
    dopts.seq = w.b;
    dopts.store = st;
    dopts.events = ev;
    dopts.verify = w.bo.verify;
    dopts.verify_every_ms = w.bo.verify_every_ms;
    dopts.endpoint = o.endpoint;
    dopts.listen = o.listen;
    dopts.coap.listen_unauthenticated = o.listen_unauth == 1;
    dopts.coap.profile = w.bo.profile;
    dopts.coap.log = cli_logger_lib;
    dopts.coap.log_ctx = &w.log;
    dopts.ctx = &w;
    dopts.log = on_log;
    dopts.status = on_status;
    dopts.ready = on_ready;
    dopts.card = on_card;
    dopts.network_done = on_network;
    if ((ret = scb_daemon_new(&dopts, &w.d)) < 0) {
        ret = cli_fail(c, ret, "daemon: %s", scb_error_string(ret));
        goto out;
    }
    sig.w = &w;
    if (pthread_create(&sig.th, NULL, signal_thread, &sig) != 0) {
        ret = cli_fail(c, SCB_E_NOMEM, "cannot start the signal thread");
        goto out;
    }
    have_thread = 1;
    scb_daemon_run(w.d);
    cli_notify("STOPPING=1");
    cli_logp(&w.log, LOG_INFO, "exiting");
    ret = EXIT_OK;
out:
    if (have_thread) {
        if (!w.stop) {
            pthread_kill(sig.th, SIGTERM);
        }
        pthread_join(sig.th, NULL);
    }
    scb_daemon_free(&w.d);
    scb_events_free(&ev);
    scb_emu_free(&emu);
    scb_bootstrap_free(&w.b);
    scb_scp03_guard_free(&guard);
    scb_store_free(&st);
    cli_pin_wipe(c);
    scb_conf_free(&cf);
    return ret;
}

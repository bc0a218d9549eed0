/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_watch.c: `scboot watch`: the gateway daemon. Waits in SCardGetStatusChange (no polling)
 * on a reader (or all) and the PnP pseudo reader; on every card insert/remove/swap, data
 * change, reader re-plug or pcscd restart it runs the bootstrap sequence, commits, and runs
 * --exec with the outcome in the environment (own process group, --exec-timeout). Speaks the
 * sd_notify protocol (READY=1 after the first check, STATUS= per event, STOPPING=1), logs with
 * sd-daemon priorities when stderr is the journal. Options may come from a configuration
 * file (--config, default /etc/scboot/scboot.conf when it exists); flags override it.
 * SIGTERM/SIGINT exit (a running hook's group is killed), SIGHUP re-checks now. Secrets are
 * never logged.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "cli.h"
#include "cli_conf.h"
#include "cli_daemon.h"
#include "cli_misc.h"
#include "scboot/at.h"
#include "scboot/card.h"
#include "scboot/util.h"
#include "scboot/pcsc.h"
#include "scboot/scp03.h"
#include "scboot/bootstrap.h"

static const char usage_text[] =
    "scboot watch [-r READER|--all] [--config FILE] [--state-dir D] [--exec CMD]\n"
    "             [--exec-timeout SECONDS] [--factory F] [--no-acl|--profile P]\n"
    "             [--pin PIN|--pin-file F] [--scp03-keys K]\n"
    "             [--verify on-event|always|every=DURATION]";

enum {
    OPT_ALL = 600, OPT_STATE, OPT_EXEC, OPT_FACTORY, OPT_NO_ACL, OPT_PROFILE, OPT_PIN,
    OPT_PIN_FILE, OPT_CONFIG, OPT_EXEC_TIMEOUT, OPT_VERIFY
};

#define HELP_SHOWN (-1)

static volatile sig_atomic_t stop_flag, hup_flag;

static void on_signal(int sig)
{
    if (sig == SIGHUP) {
        hup_flag = 1;
    } else {
        stop_flag = 1;
    }
}

/* A transport standing for "no card in the reader": status says absent, nothing else works. */
static int absent_status(void *self, struct scb_card_status *st)
{
    (void)self;
    st->present = 0;
    return SCB_OK;
}
static int absent_transmit(void *self, const uint8_t *c, size_t cl, uint8_t *r, size_t rc,
                           size_t *rl)
{
    (void)self, (void)c, (void)cl, (void)r, (void)rc, (void)rl;
    return SCB_E_NO_CARD;
}
static void absent_destroy(void *self)
{
    (void)self;
}
static const struct scb_transport_ops absent_ops = {
    .name = "absent", .transmit = absent_transmit, .status = absent_status,
    .destroy = absent_destroy};

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
    enum cli_verify verify;
    unsigned verify_every_s;
    int verify_flag;          /* --verify given: it wins over the file */
};

struct watch {
    struct cli *c;
    struct cli_logger log;
    struct cli_hook hook;
    const char *state;
    struct scb_bootstrap_opts bo; /* the sequence's options, filled by the flags and the file */
    struct scb_bootstrap *b;
    char reader[SCB_READER_NAME_MAX];
    char iccid[24];
    /* what the hook was last told: it runs again only for a new generation or a new state */
    int told;
    uint64_t told_gen;
    enum scb_bootstrap_outcome told_state;
    /* -r at:DEVICE: the modem, open for the daemon's life (borrowed by check_now) */
    struct scb_transport *modem;
};

/* "removed" and "absent" are the same state for the hook: no card data committed */
static enum scb_bootstrap_outcome hook_state(enum scb_bootstrap_outcome o)
{
    return o == SCB_BOOTSTRAP_CARD_REMOVED ? SCB_BOOTSTRAP_CARD_ABSENT : o;
}

static void status(struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void status(struct watch *w, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    int n = snprintf(msg, sizeof(msg), "STATUS=");
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    cli_notify(msg);
}

static void run_hook(struct watch *w, const char *event, uint64_t generation)
{
    char ev[64], rd[SCB_READER_NAME_MAX + 16], ic[48], gen[48], sd[4096 + 32], to[48];
    char *env[] = {ev, rd, ic, gen, sd, to, NULL};
    snprintf(ev, sizeof(ev), "SCBOOT_EVENT=%s", event);
    snprintf(rd, sizeof(rd), "SCBOOT_READER=%s", w->reader);
    snprintf(ic, sizeof(ic), "SCBOOT_ICCID=%s", w->iccid);
    snprintf(gen, sizeof(gen), "SCBOOT_GENERATION=%llu", (unsigned long long)generation);
    snprintf(sd, sizeof(sd), "SCBOOT_STATE_DIR=%s", w->state);
    snprintf(to, sizeof(to), "SCBOOT_EXEC_TIMEOUT=%u", w->hook.timeout_s);
    cli_hook_run(&w->hook, env);
}

static void notify(void *ctx, enum scb_bootstrap_outcome o, const struct scb_committed *cm)
{
    struct watch *w = ctx;
    snprintf(w->iccid, sizeof(w->iccid), "%s", cm->card.valid ? cm->card.iccid : "");
    (void)o;
}

/* The reader to use now: the one asked for, or (--all) the first with a card. */
static int pick_reader(struct scb_pcsc_monitor *m, char *name, size_t cap, int *present)
{
    struct scb_reader_info r[16];
    size_t n = scb_pcsc_monitor_readers(m, r, 16);
    *present = 0;
    name[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        if (r[k].present && !r[k].mute) {
            snprintf(name, cap, "%s", r[k].name);
            *present = 1;
            return SCB_OK;
        }
    }
    if (n > 0) {
        snprintf(name, cap, "%s", r[0].name);
    }
    return n > 0 ? SCB_OK : SCB_E_NO_READERS;
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

static void check_now(struct watch *w, struct scb_pcsc_monitor *m, int quiet)
{
    struct scb_transport *tr = NULL, absent = {.ops = &absent_ops};
    struct scb_card *card = NULL;
    struct scb_run_result res;
    char err[300];
    int present = 0, oc = SCB_OK, reachable = 1;

    if (w->modem) {
        present = 1; /* the transport's status (+CPIN?) says whether the SIM is there */
    } else if ((oc = pick_reader(m, w->reader, sizeof(w->reader), &present)) < 0) {
        /* the reader asked for (its name, part or index), so the log line, STATUS and the
         * hook's SCBOOT_READER still say which one is missing */
        snprintf(w->reader, sizeof(w->reader), "%s", w->c->reader ? w->c->reader : "");
        cli_logp(&w->log, LOG_WARNING, "no reader");
        reachable = 0;
    }
    if (w->modem) {
        tr = w->modem;
    } else if (present && (oc = scb_pcsc_open(w->reader, &tr, err, sizeof(err))) < 0) {
        cli_logp(&w->log, LOG_ERR, "reader \"%s\": %s", w->reader, err);
        tr = NULL;
        reachable = oc == SCB_E_NO_CARD; /* gone between the event and the connect */
    }
    if (tr == NULL && !reachable) {
        /* R4: no reader (or pcscd) to ask, or a card that does not answer: the card's state
         * is unknown, its instances stay */
        tr = scb_transport_unreachable(oc < 0 ? oc : SCB_E_NO_READERS);
    }
    int ret = scb_card_new(tr ? tr : &absent, &card);
    if (ret == SCB_OK) {
        scb_bootstrap_set_card(w->b, card, w->reader);
        ret = scb_bootstrap_run(w->b, &res);
        scb_bootstrap_set_card(w->b, NULL, NULL);
    }
    scb_card_free(&card);
    if (tr != w->modem) {
        scb_transport_free(&tr);
    }
    if (ret < 0) {
        cli_logp(&w->log, LOG_ERR, "sequence failed: %s", scb_strerror(ret));
        status(w, "sequence failed: %s", scb_strerror(ret));
        return;
    }
    if (quiet && res.card == SCB_BOOTSTRAP_CARD_UNCHANGED && !res.factory_applied) {
        return; /* a --verify re-read that found the card as committed */
    }
    const char *event = scb_bootstrap_outcome_name(res.card);
    int prio = res.card == SCB_BOOTSTRAP_CARD_UNCHANGED && !res.factory_applied ? LOG_DEBUG
               : res.card == SCB_BOOTSTRAP_CARD_INVALID ||
                       res.card == SCB_BOOTSTRAP_CARD_UNREADABLE || res.factory_rejected
                   ? LOG_WARNING
                   : LOG_INFO;
    cli_logp(&w->log, prio, "event %s reader \"%s\" generation %llu%s%s%s", event, w->reader,
             (unsigned long long)res.generation, res.factory_applied ? " (factory applied)" : "",
             res.factory_rejected ? " (factory rejected)" : "",
             res.needs_network_bootstrap ? " (network bootstrap needed)" : "");
    report_status(w, &res, event);
    /* the hook hears of every commit and of every new state (absent, unreadable, invalid),
     * not of the same state seen again (a reader's spurious wake-up, a repeated SIGHUP) */
    if (res.card != SCB_BOOTSTRAP_CARD_UNCHANGED &&
        (!w->told || res.generation != w->told_gen || hook_state(res.card) != w->told_state)) {
        w->told = 1;
        w->told_gen = res.generation;
        w->told_state = hook_state(res.card);
        run_hook(w, event, res.generation);
    } else if (res.factory_applied) {
        w->told_gen = res.generation;
        run_hook(w, event, res.generation);
    }
}

/* Fill what the flags left open from the configuration file. 0 or an exit code. */
static int merge_conf(struct cli *c, struct watch_opts *o, struct cli_conf *cf)
{
    char err[512];
    int ret = cli_conf_load(o->config ? o->config : CLI_CONF_DEFAULT, o->config == NULL, cf,
                            err, sizeof(err));
    if (ret < 0) {
        fprintf(stderr, "%s: %s\n", c->prog, err);
        return EXIT_USAGE;
    }
    if (ret == 0) {
        return 0; /* no file: the flags alone */
    }
    o->config_used = o->config ? o->config : CLI_CONF_DEFAULT;
    if (c->reader == NULL && !o->all) {
        if (cf->reader) {
            c->reader = cf->reader;
        } else {
            o->all = 1; /* a configuration without a reader watches every reader */
        }
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
                                         {0, 0, 0, 0}};
    char err[256];
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
                   "  --exec CMD         run by /bin/sh -c after each change, own process group,\n"
                   "                     with SCBOOT_EVENT, SCBOOT_READER, SCBOOT_ICCID,\n"
                   "                     SCBOOT_GENERATION, SCBOOT_STATE_DIR, SCBOOT_EXEC_TIMEOUT\n"
                   "  --exec-timeout S   TERM (then KILL 1 s later) to a hook still running after\n"
                   "                     S seconds (default %d)\n"
                   "systemd: Type=notify (READY=1 after the first check, STATUS= per event);\n"
                   "journal priorities when stderr is the journal.\n"
                   "SIGHUP: re-check now; SIGTERM/SIGINT: exit (a running hook is killed).\n",
                   usage_text, CLI_CONF_DEFAULT, CLI_HOOK_TIMEOUT_DEFAULT);
            return HELP_SHOWN;
        case OPT_ALL: o->all = 1; break;
        case OPT_CONFIG: o->config = optarg; break;
        case OPT_STATE: o->state = optarg; break;
        case OPT_EXEC: o->exec = optarg; break;
        case OPT_EXEC_TIMEOUT:
            if (cli_parse_seconds(optarg, 1, 3600, &secs, err, sizeof(err)) < 0) {
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
            if (cli_parse_verify(optarg, &o->verify, &o->verify_every_s, err, sizeof(err)) < 0) {
                return cli_fail(c, SCB_E_INVALID_ARG, "--verify %s", err);
            }
            o->verify_flag = 1;
            break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                return cli_usage(c, usage_text);
            }
        }
    }
    if (optind != argc || (c->reader != NULL && o->all)) {
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

/* The options into the sequence's context; 0 or an exit code. */
static int setup(struct cli *c, struct watch *w, struct watch_opts *o)
{
    char err[256];
    int ret;
    if (c->reader == NULL && !o->all) {
        fprintf(stderr, "%s: no reader: give -r READER, --all, or a configuration file\n",
                c->prog);
        return cli_usage(c, usage_text);
    }
    w->state = o->state ? o->state : SCB_STATE_DIR_DEFAULT;
    if (o->factory && strcmp(o->factory, "-") == 0) {
        fprintf(stderr, "%s: --factory -: the daemon reads the factory file again at every "
                        "event, stdin only once; give a file\n",
                c->prog);
        return EXIT_USAGE;
    }
    w->bo.factory_path = o->factory;
    w->hook.cmd = o->exec;
    char prog[512], why[640];
    if (o->exec && cli_hook_program(o->exec, prog, sizeof(prog)) &&
        scb_path_trusted(prog, why, sizeof(why)) == SCB_E_UNSAFE) {
        /* the same rule as the configuration file that names it: a hook others can change or
         * swap runs their code as this daemon's user */
        fprintf(stderr, "%s: hook %s\n", c->prog, why);
        return EXIT_USAGE;
    }
    w->hook.timeout_s = o->exec_timeout > 0 ? (unsigned)o->exec_timeout : CLI_HOOK_TIMEOUT_DEFAULT;
    if (o->no_acl == 1) {
        scb_profile_no_acl(&w->bo.profile);
    } else if (o->profile && (ret = cli_load_profile(c, o->profile, &w->bo.profile)) != 0) {
        return ret;
    }
    if (o->pin_file && w->bo.ro.pin == NULL) {
        /* the configuration's pin-file: the rules of --pin-file (owner-only, no link) */
        char path[4096]; /* cli_pin_opt wipes a --pin argument in place; a path is only read */
        snprintf(path, sizeof(path), "%s", o->pin_file);
        if ((ret = cli_pin_opt(c, 1, path)) != 0) {
            return ret;
        }
        w->bo.ro.pin = cli_pin(c);
    }
    /* --verify (or the file's verify key): re-read without a reader event (R3: an in-place
     * change moves no event counter) */
    w->bo.verify = o->verify == CLI_VERIFY_ALWAYS  ? SCB_VERIFY_ALWAYS
                  : o->verify == CLI_VERIFY_EVERY ? SCB_VERIFY_EVERY
                                                  : SCB_VERIFY_ON_EVENT;
    w->bo.verify_every_ms = (uint64_t)o->verify_every_s * 1000u;
    (void)err;
    return 0;
}

static void load_committed_iccid(struct watch *w, struct scb_store *st)
{
    struct scb_committed cm;
    char err[256];
    if (scb_store_load(st, &cm, err, sizeof(err)) == 0) {
        snprintf(w->iccid, sizeof(w->iccid), "%s", cm.card.valid ? cm.card.iccid : "");
        scb_committed_free(&cm);
    }
}

static void watch_loop(struct watch *w, struct scb_pcsc_monitor *m)
{
    unsigned backoff = 250;
    int lost = 0, ready = 0;
    struct timespec last_check;
    clock_gettime(CLOCK_MONOTONIC, &last_check);
    while (!stop_flag) {
        int changed = 0;
        /* the wait wakes at least once a second so signals are seen promptly */
        int ret = scb_pcsc_monitor_wait(m, 1000, &changed);
        if (ret == SCB_E_NO_SERVICE) {
            if (!lost) {
                cli_logp(&w->log, LOG_WARNING,
                         "pcscd not reachable (SCARD_E_NO_SERVICE): re-connecting; is pcscd "
                         "running? systemctl start pcscd.socket");
                status(w, "pcscd unreachable, retrying");
                lost = 1;
            }
            if (!ready) {
                cli_notify("READY=1"); /* running: the card is checked once pcscd answers */
                ready = 1;
            }
            struct timespec ts = {backoff / 1000, (long)(backoff % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            backoff = backoff < 4000 ? backoff * 2 : 4000;
            continue;
        }
        if (ret < 0) {
            cli_logp(&w->log, LOG_ERR, "reader monitor: %s", scb_strerror(ret));
            continue;
        }
        if (lost) {
            cli_logp(&w->log, LOG_INFO, "pcscd is back");
            lost = 0;
        }
        backoff = 250;
        /* --verify: re-read without a reader event; always = at every wake-up (about once a
         * second), every=D = after D */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t since = (uint64_t)(now.tv_sec - last_check.tv_sec) * 1000u +
                         (uint64_t)((now.tv_nsec - last_check.tv_nsec) / 1000000L);
        int due = w->bo.verify == SCB_VERIFY_ALWAYS ||
                  (w->bo.verify == SCB_VERIFY_EVERY && since >= w->bo.verify_every_ms);
        if (changed || hup_flag || !ready || due) {
            int quiet = !changed && !hup_flag && ready;
            if (hup_flag) {
                /* SIGHUP: read the card, whatever the event counter says */
                scb_bootstrap_force_read(w->b);
            }
            hup_flag = 0;
            last_check = now;
            check_now(w, m, quiet);
        }
        if (!ready) {
            cli_notify("READY=1");
            ready = 1;
        }
    }
}

/* ---- a SIM in a modem (-r at:DEVICE) -------------------------------------------------------
 * A modem has no pcscd reader events: scb_at_monitor polls +CPIN? (and reads the ICCID when
 * that changed or a +CPIN: URC came) and its removal, insertion and swap run the same check
 * as a PC/SC reader event. The --verify policy is the same as in watch_loop(). */
static void watch_modem_log(void *ctx, const char *line)
{
    cli_logp(ctx, LOG_WARNING, "%s", line);
}

static int watch_modem(struct watch *w)
{
    static const char *const names[] = {"none", "removed", "inserted", "swapped", "lost"};
    struct scb_at_opts o;
    struct scb_at_monitor *mon = NULL;
    char err[600];
    int ret, ready = 0;
    struct timespec last_check;

    scb_at_opts_init(&o);
    if ((ret = scb_at_parse_spec(w->c->reader, &o, err, sizeof(err))) < 0) {
        return cli_fail(w->c, ret, "%s", err);
    }
    o.log = watch_modem_log;
    o.log_ctx = &w->log;
    if ((ret = scb_at_open(&o, &w->modem, err, sizeof(err))) < 0) {
        return cli_fail(w->c, ret, "%s", err);
    }
    snprintf(w->reader, sizeof(w->reader), "%s", w->c->reader);
    if ((ret = scb_at_monitor_new(w->modem, o.poll_ms, &mon)) < 0) {
        scb_transport_free(&w->modem);
        return cli_fail(w->c, ret, "modem monitor: %s", scb_strerror(ret));
    }
    cli_logp(&w->log, LOG_INFO, "modem %s: presence poll every %u ms (AT+CPIN?)", o.device,
             o.poll_ms);
    clock_gettime(CLOCK_MONOTONIC, &last_check);
    while (!stop_flag) {
        enum scb_at_event ev = SCB_AT_EV_NONE;
        int present = 0;
        struct timespec now;
        if (ready && (ret = scb_at_monitor_wait(mon, 1000, &ev, &present)) < 0) {
            cli_logp(&w->log, LOG_ERR, "modem monitor: %s", scb_strerror(ret));
        }
        if (ev != SCB_AT_EV_NONE) {
            cli_logp(&w->log, ev == SCB_AT_EV_LOST ? LOG_WARNING : LOG_INFO, "modem: SIM %s",
                     names[ev]);
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t since = (uint64_t)(now.tv_sec - last_check.tv_sec) * 1000u +
                         (uint64_t)((now.tv_nsec - last_check.tv_nsec) / 1000000L);
        int changed = ev != SCB_AT_EV_NONE && ev != SCB_AT_EV_LOST;
        int due = w->bo.verify == SCB_VERIFY_ALWAYS ||
                  (w->bo.verify == SCB_VERIFY_EVERY && since >= w->bo.verify_every_ms);
        if (changed || hup_flag || !ready || due) {
            if (hup_flag) {
                scb_bootstrap_force_read(w->b);
            }
            hup_flag = 0;
            last_check = now;
            check_now(w, NULL, !changed && ready);
        }
        if (!ready) {
            cli_notify("READY=1");
            ready = 1;
        }
    }
    scb_at_monitor_free(&mon);
    scb_transport_free(&w->modem);
    return 0;
}

int cmd_watch(struct cli *c, int argc, char **argv)
{
    struct watch w;
    struct watch_opts o = {.exec_timeout = -1, .no_acl = -1};
    struct cli_conf cf;
    struct scb_store *st = NULL;
    struct scb_pcsc_monitor *m = NULL;
    struct scb_scp03_guard *guard = NULL;
    struct sigaction sa;
    char err[300];
    int ret;

    memset(&w, 0, sizeof(w));
    cli_conf_init(&cf);
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
    w.hook.log = &w.log;
    w.hook.stop = &stop_flag;
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
        ret = cli_fail(c, ret, "bootstrap sequence: %s", scb_strerror(ret));
        goto out;
    }
    load_committed_iccid(&w, st);
    cli_hook_precheck(&w.hook);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (scb_at_is_spec(c->reader)) {
        if ((ret = watch_modem(&w)) == 0) {
            cli_notify("STOPPING=1");
            cli_logp(&w.log, LOG_INFO, "exiting");
            ret = EXIT_OK;
        }
        goto out;
    }
    scb_pcsc_monitor_new(o.all ? NULL : c->reader, &m);
    cli_logp(&w.log, LOG_INFO, "watching %s%s%s (config %s, state %s, hook %s, timeout %u s)",
             o.all ? "all readers" : "the reader \"", o.all ? "" : c->reader,
             o.all ? "" : "\"", o.config_used ? o.config_used : "none", w.state,
             w.hook.cmd ? "set" : "none", w.hook.timeout_s);
    status(&w, "starting: first card check");
    watch_loop(&w, m);
    cli_notify("STOPPING=1");
    cli_logp(&w.log, LOG_INFO, "exiting");
    scb_pcsc_monitor_free(&m);
    ret = EXIT_OK;
out:
    scb_bootstrap_free(&w.b);
    scb_scp03_guard_free(&guard);
    scb_store_close(&st);
    cli_pin_wipe(c);
    cli_conf_free(&cf);
    return ret;
}

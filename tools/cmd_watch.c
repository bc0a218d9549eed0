/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_watch.c: `scboot watch`: the gateway daemon. Waits in SCardGetStatusChange (no polling)
 * on a reader (or all, --all) and the PnP pseudo reader; on every card insert/remove/swap,
 * data change, reader re-plug or pcscd restart it runs the bootstrap sequence, commits, and
 * runs --exec with the outcome in the environment. SIGTERM/SIGINT exit cleanly, SIGHUP
 * re-checks now. One timestamped log line per event; secrets are never logged.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "scboot/pcsc.h"
#include "scboot/scp03.h"
#include "scboot/sequence.h"

static const char usage_text[] =
    "scboot watch -r READER|--all [--state-dir D] [--exec CMD] [--factory F]\n"
    "             [--no-acl|--profile P] [--pin PIN|--pin-file F] [--scp03-keys K]\n"
    "             [--verify on-event|always|every=DURATION]";

enum { OPT_ALL = 600, OPT_STATE, OPT_EXEC, OPT_FACTORY, OPT_NO_ACL, OPT_PROFILE, OPT_PIN,
       OPT_PIN_FILE, OPT_VERIFY };

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

struct watch {
    struct cli *c;
    const char *exec;
    const char *state;
    struct scb_bootstrap b;
    char reader[SCB_READER_NAME_MAX];
    char iccid[24];
    enum scb_card_outcome last;
    uint64_t last_gen;
};

static void run_hook(struct watch *w, const char *event, uint64_t generation)
{
    char gen[32];
    if (w->exec == NULL) {
        return;
    }
    snprintf(gen, sizeof(gen), "%llu", (unsigned long long)generation);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("SCBOOT_EVENT", event, 1);
        setenv("SCBOOT_READER", w->reader, 1);
        setenv("SCBOOT_ICCID", w->iccid, 1);
        setenv("SCBOOT_GENERATION", gen, 1);
        setenv("SCBOOT_STATE_DIR", w->state, 1);
        execl("/bin/sh", "sh", "-c", w->exec, (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char line[128];
            snprintf(line, sizeof(line), "--exec hook exited with status %d",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            cli_log(w->c, line);
        }
    }
}

static void notify(void *ctx, enum scb_card_outcome o, const struct scb_committed *cm)
{
    struct watch *w = ctx;
    snprintf(w->iccid, sizeof(w->iccid), "%s", cm->card.valid ? cm->card.iccid : "");
    w->last_gen = cm->generation;
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

static void check_now(struct watch *w, struct scb_pcsc_monitor *m, int quiet)
{
    struct scb_transport *tr = NULL, absent = {.ops = &absent_ops};
    struct scb_card card;
    struct scb_run_result res;
    char err[300], line[400];
    int present = 0, oc = SCB_OK, reachable = 1;

    if ((oc = pick_reader(m, w->reader, sizeof(w->reader), &present)) < 0) {
        cli_log(w->c, "no reader");
        reachable = 0;
    }
    if (present && (oc = scb_pcsc_open(w->reader, &tr, err, sizeof(err))) < 0) {
        snprintf(line, sizeof(line), "reader \"%s\": %s", w->reader, err);
        cli_log(w->c, line);
        tr = NULL;
        reachable = oc == SCB_E_NO_CARD; /* gone between the event and the connect */
    }
    if (tr == NULL && !reachable) {
        /* R4: no reader (or pcscd) to ask: the card's state is unknown, its instances stay */
        tr = scb_transport_unreachable(oc < 0 ? oc : SCB_E_NO_READERS);
    }
    scb_card_init(&card, tr ? tr : &absent);
    w->b.card = &card;
    w->b.reader_name = w->reader;
    w->last_gen = 0;
    int ret = scb_bootstrap_run(&w->b, &res);
    w->b.card = NULL;
    scb_transport_free(&tr);
    if (ret < 0) {
        snprintf(line, sizeof(line), "sequence failed: %s", scb_strerror(ret));
        cli_log(w->c, line);
        return;
    }
    if (quiet && res.card == SCB_CARD_UNCHANGED && !res.factory_applied) {
        return; /* a --verify re-read that found the card as committed */
    }
    const char *event = scb_card_outcome_name(res.card);
    snprintf(line, sizeof(line), "event %s reader \"%s\" generation %llu%s%s", event, w->reader,
             (unsigned long long)res.generation, res.factory_applied ? " (factory applied)" : "",
             res.needs_network_bootstrap ? " (network bootstrap needed)" : "");
    cli_log(w->c, line);
    if (res.card != SCB_CARD_UNCHANGED || res.factory_applied) {
        run_hook(w, event, res.generation);
    }
}

int cmd_watch(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"all", no_argument, NULL, OPT_ALL},
                                         {"state-dir", required_argument, NULL, OPT_STATE},
                                         {"exec", required_argument, NULL, OPT_EXEC},
                                         {"factory", required_argument, NULL, OPT_FACTORY},
                                         {"no-acl", no_argument, NULL, OPT_NO_ACL},
                                         {"profile", required_argument, NULL, OPT_PROFILE},
                                         {"pin", required_argument, NULL, OPT_PIN},
                                         {"pin-file", required_argument, NULL, OPT_PIN_FILE},
                                         {"verify", required_argument, NULL, OPT_VERIFY},
                                         {0, 0, 0, 0}};
    struct watch w;
    struct scb_store *st = NULL;
    struct scb_pcsc_monitor *m = NULL;
    struct scb_scp03_guard guard;
    struct scb_scp03_keys keys;
    struct sigaction sa;
    char err[300];
    int opt, ret, all = 0;
    unsigned backoff = 250;

    memset(&w, 0, sizeof(w));
    memset(&keys, 0, sizeof(keys));
    w.c = c;
    w.state = SCB_STATE_DIR_DEFAULT;
    scb_bootstrap_init(&w.b);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\nKeep the committed configuration in step with the card: insert, "
                   "removal,\nswap, data change, reader re-plug, pcscd restart. --exec CMD runs "
                   "after each\nchange with SCBOOT_EVENT, SCBOOT_READER, SCBOOT_ICCID, "
                   "SCBOOT_GENERATION set.\nSIGHUP: re-check now; SIGTERM/SIGINT: exit.\n",
                   usage_text);
            return EXIT_OK;
        case OPT_ALL: all = 1; break;
        case OPT_STATE: w.state = optarg; break;
        case OPT_EXEC: w.exec = optarg; break;
        case OPT_FACTORY: w.b.factory_path = optarg; break;
        case OPT_NO_ACL: scb_profile_no_acl(&w.b.profile); break;
        case OPT_PROFILE:
            if ((ret = cli_load_profile(c, optarg, &w.b.profile)) != 0) {
                return ret;
            }
            break;
        case OPT_PIN:
        case OPT_PIN_FILE:
            if ((ret = cli_pin_opt(c, opt == OPT_PIN_FILE, optarg)) != 0) {
                return ret;
            }
            w.b.ro.pin = cli_pin(c); /* kept for every check; wiped at exit */
            break;
        case OPT_VERIFY:
            if (scb_verify_parse(optarg, &w.b.verify, &w.b.verify_every_ms) < 0) {
                return cli_fail(c, SCB_E_INVALID_ARG,
                                "--verify wants on-event, always or every=DURATION (e.g. "
                                "every=30s, every=5m)");
            }
            break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                return cli_usage(c, usage_text);
            }
        }
    }
    if (optind != argc || (c->reader == NULL) == (all == 0)) {
        cli_pin_wipe(c);
        return cli_usage(c, usage_text);
    }
    if ((ret = cli_secure_setup(c, &w.b.ro, &guard, &keys)) != 0) {
        cli_pin_wipe(c);
        return ret;
    }
    if ((ret = scb_store_open(w.state, 0, &st, err, sizeof(err))) < 0) {
        scb_scp03_keys_clear(&keys);
        cli_pin_wipe(c);
        return cli_fail(c, ret, "%s", err);
    }
    w.b.store = st;
    w.b.log = cli_log;
    w.b.log_ctx = c;
    w.b.notify = notify;
    w.b.notify_ctx = &w;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    scb_pcsc_monitor_new(all ? NULL : c->reader, &m);
    cli_log(c, all ? "watching all readers" : "watching the reader");
    int lost = 0;
    struct timespec last_check;
    clock_gettime(CLOCK_MONOTONIC, &last_check);
    while (!stop_flag) {
        int changed = 0;
        /* the wait wakes at least once a second so signals are seen promptly */
        ret = scb_pcsc_monitor_wait(m, 1000, &changed);
        if (ret == SCB_E_NO_SERVICE) {
            if (!lost) {
                cli_log(c, "pcscd not reachable (SCARD_E_NO_SERVICE): re-connecting");
                lost = 1;
            }
            struct timespec ts = {backoff / 1000, (long)(backoff % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            backoff = backoff < 4000 ? backoff * 2 : 4000;
            continue;
        }
        if (ret < 0) {
            snprintf(err, sizeof(err), "reader monitor: %s", scb_strerror(ret));
            cli_log(c, err);
            continue;
        }
        if (lost) {
            cli_log(c, "pcscd is back");
            lost = 0;
        }
        backoff = 250;
        /* --verify: re-read without a reader event (R3: an in-place change moves no event
         * counter); always = at every wake-up (about once a second), every=D = after D */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t since = (uint64_t)(now.tv_sec - last_check.tv_sec) * 1000u +
                         (uint64_t)((now.tv_nsec - last_check.tv_nsec) / 1000000L);
        int due = w.b.verify == SCB_VERIFY_ALWAYS ||
                  (w.b.verify == SCB_VERIFY_EVERY && since >= w.b.verify_every_ms);
        if (changed || hup_flag || due) {
            int quiet = !changed && !hup_flag;
            hup_flag = 0;
            last_check = now;
            check_now(&w, m, quiet);
        }
    }
    cli_log(c, "exiting");
    scb_pcsc_monitor_free(&m);
    scb_scp03_keys_clear(&keys);
    cli_pin_wipe(c);
    scb_bootstrap_free(&w.b);
    scb_store_close(&st);
    return EXIT_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot_vmodem.c: `scboot-vmodem`: a simulated cellular modem on a pseudo-terminal, with an
 * emulated SIM (a card profile) behind its AT port, so `scboot -r at:PATH` and any other AT
 * SIM client run without hardware. The pty's slave side is put in raw mode before a client
 * opens it (else its line discipline echoes the modem's answers back as input) and is kept
 * open by us (a client's close would otherwise hang the pty up); PATH is a stable symbolic
 * link to it, made last, so a script waits for the link to exist.
 *
 * Signals: SIGUSR1 takes the SIM out / puts it back (with the +CPIN: URCs a modem sends),
 * SIGUSR2 puts in another SIM (--swap-iccid), SIGTERM/SIGINT exit (the link is removed).
 */
#define _XOPEN_SOURCE 600
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "scboot/emu.h"
#include "scboot/emu_modem.h"

static volatile sig_atomic_t got_usr1, got_usr2, got_term;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        got_usr1 = 1;
    } else if (sig == SIGUSR2) {
        got_usr2 = 1;
    } else {
        got_term = 1;
    }
}

static const char usage_text[] =
    "usage: scboot-vmodem [options] --link PATH PROFILE.json\n"
    "  --link PATH          the stable path of the modem's AT port (a symbolic link)\n"
    "  --messy              every behaviour of a messy modem below (echo, URCs, pieces, ...)\n"
    "  --echo               echo on until ATE0\n"
    "  --urcs               URCs between an information line and its final result\n"
    "  --chunk N            write answers in pieces of N bytes\n"
    "  --chunk-delay MS     pause between pieces\n"
    "  --latency MS         before every answer\n"
    "  --baud N             simulate the byte time at N baud (8N1)\n"
    "  --cme-verbose        +CME ERROR: <text> whatever AT+CMEE says\n"
    "  --fetch-61xx         the modem fetches 61xx (GET RESPONSE) and re-sends 6Cxx itself\n"
    "  --ccho-prefix        answer +CCHO: <id> (default: the bare id)\n"
    "  --session-base N     session id = channel + N\n"
    "  --no-ccho            refuse +CCHO\n"
    "  --no-csim-manage     refuse MANAGE CHANNEL through +CSIM\n"
    "  --no-csim            no +CSIM/+CGLA/+CCHO (+CRSM only)\n"
    "  --slow MS            answer every 5th card command MS late\n"
    "  --hostile KIND       urc-flood, no-eol, lying-length or other-answer\n"
    "  --imei IMEI          the IMEI AT+CGSN answers\n"
    "  --swap-iccid ICCID   the ICCID of the SIM SIGUSR2 puts in\n"
    "  --absent             start without the SIM\n"
    "signals: SIGUSR1 remove/insert the SIM, SIGUSR2 swap it, SIGTERM exit\n";

static int parse_hostile(const char *s, enum scb_emu_modem_hostile *h)
{
    static const char *const names[] = {"honest", "urc-flood", "no-eol", "lying-length",
                                        "other-answer"};
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *h = (enum scb_emu_modem_hostile)i;
            return 0;
        }
    }
    return -1;
}

static unsigned num(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v > 10000000ul) {
        fprintf(stderr, "scboot-vmodem: not a number: %s\n", s);
        exit(2);
    }
    return (unsigned)v;
}

static int open_pty(char *name, size_t cap, int *slave)
{
    struct termios tio;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname(m) == NULL) {
        return -1;
    }
    snprintf(name, cap, "%s", ptsname(m));
    /* raw before anyone opens it: no echo, no CR/LF translation by the line discipline */
    if ((*slave = open(name, O_RDWR | O_NOCTTY)) < 0 || tcgetattr(*slave, &tio) < 0) {
        close(m);
        return -1;
    }
    cfmakeraw(&tio);
    tcsetattr(*slave, TCSANOW, &tio);
    return m;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"link", required_argument, NULL, 'l'},      {"messy", no_argument, NULL, 'M'},
        {"echo", no_argument, NULL, 'e'},            {"urcs", no_argument, NULL, 'u'},
        {"chunk", required_argument, NULL, 'c'},     {"chunk-delay", required_argument, NULL, 'd'},
        {"latency", required_argument, NULL, 'L'},   {"baud", required_argument, NULL, 'b'},
        {"cme-verbose", no_argument, NULL, 'v'},     {"fetch-61xx", no_argument, NULL, 'f'},
        {"ccho-prefix", no_argument, NULL, 'p'},     {"session-base", required_argument, NULL, 's'},
        {"no-ccho", no_argument, NULL, 'C'},         {"no-csim-manage", no_argument, NULL, 'm'},
        {"no-csim", no_argument, NULL, 'S'},         {"slow", required_argument, NULL, 'w'},
        {"hostile", required_argument, NULL, 'H'},   {"imei", required_argument, NULL, 'i'},
        {"swap-iccid", required_argument, NULL, 'I'}, {"absent", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
    struct scb_emu_modem_opts o;
    const char *link_path = NULL, *swap_iccid = "8988211000000000017";
    int absent = 0, c, present;
    char err[SCB_ERR_MAX], name[128];

    scb_emu_modem_opts_init(&o);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': link_path = optarg; break;
        case 'M': {
            unsigned baud = o.baud;
            scb_emu_modem_opts_messy(&o);
            o.baud = baud;
            break;
        }
        case 'e': o.echo = 1; break;
        case 'u': o.urcs = 1; break;
        case 'c': o.chunk = num(optarg); break;
        case 'd': o.chunk_delay_ms = num(optarg); break;
        case 'L': o.latency_ms = num(optarg); break;
        case 'b': o.baud = num(optarg); break;
        case 'v': o.cme_verbose = 1; break;
        case 'f': o.fetch_61xx = 1; break;
        case 'p': o.ccho_prefix = 1; break;
        case 's': o.session_base = num(optarg); break;
        case 'C': o.no_ccho = 1; break;
        case 'm': o.no_csim_manage = 1; break;
        case 'S': o.no_csim = 1; break;
        case 'w': o.slow_ms = num(optarg); o.slow_every = 5; break;
        case 'H':
            if (parse_hostile(optarg, &o.hostile) < 0) {
                fprintf(stderr, "scboot-vmodem: --hostile: urc-flood, no-eol, lying-length or "
                                "other-answer\n");
                return 2;
            }
            break;
        case 'i': o.imei = optarg; break;
        case 'I': swap_iccid = optarg; break;
        case 'a': absent = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: fputs(usage_text, stderr); return 2;
        }
    }
    if (optind + 1 != argc || link_path == NULL) {
        fputs(usage_text, stderr);
        return 2;
    }
    o.cpin_urcs = 1;
    struct scb_emu *e = NULL;
    struct scb_emu_modem *m = NULL;
    if (scb_emu_load(argv[optind], &e, err, sizeof(err)) < 0) {
        fprintf(stderr, "scboot-vmodem: %s: %s\n", argv[optind], err);
        return 1;
    }
    if (absent) {
        scb_emu_remove(e);
    }
    present = !absent;
    int slave = -1, fd = open_pty(name, sizeof(name), &slave);
    if (fd < 0 || scb_emu_modem_new(e, &o, &m) < 0) {
        fprintf(stderr, "scboot-vmodem: no pseudo-terminal: %s\n", strerror(errno));
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal ends the wait in poll() */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    unlink(link_path);
    if (symlink(name, link_path) < 0) {
        fprintf(stderr, "scboot-vmodem: %s: %s\n", link_path, strerror(errno));
        return 1;
    }
    fprintf(stderr, "scboot-vmodem: %s on %s (%s)\n", argv[optind], link_path, name);
    while (!got_term) {
        if (got_usr1) {
            got_usr1 = 0;
            if (present) {
                scb_emu_modem_remove(m, fd);
            } else {
                scb_emu_modem_insert(m, fd);
            }
            present = !present;
        }
        if (got_usr2) {
            got_usr2 = 0;
            scb_emu_modem_swap(m, fd, swap_iccid);
            present = 1;
        }
        if (scb_emu_modem_serve(m, fd, 200) < 0) {
            struct timespec ts = {0, 50 * 1000000L}; /* no client yet: EIO until one opens */
            nanosleep(&ts, NULL);
        }
    }
    unlink(link_path);
    scb_emu_modem_free(&m);
    scb_emu_free(&e);
    close(slave);
    close(fd);
    return 0;
}

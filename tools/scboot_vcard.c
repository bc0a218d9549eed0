/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot_vcard.c: `scboot-vcard`: serves an emulated UICC (a card profile) to pcscd through the
 * vpcd reader driver (vsmartcard). Protocol: TCP, 2-byte big-endian length + payload; a 1-byte
 * payload is a control message (0 power off, 1 power on, 2 reset, 4 get ATR). The card side
 * connects to vpcd; a new connection is a card insertion.
 *
 * TCP_NODELAY on our socket and TCP_QUICKACK after every receive: without them Nagle and
 * delayed ACKs cost ~44 ms per APDU (doc/testing.md, latency).
 *
 * Signals: SIGUSR1 removes the card (closes the connection) / inserts it again;
 * SIGHUP reloads the profile in place before the next APDU (data changed on the same card,
 * as after an OTA update: no reader event); SIGTERM/SIGINT exit.
 *
 * The signals stay blocked except inside pselect()/sigsuspend(), so one that arrives while an
 * APDU is being processed is seen at the next wait instead of being lost (a plain blocking
 * read() would sleep through it and, with vpcd polling every 400 ms, serve forever). Every wait
 * is bounded: the rest of a started message within IO_TIMEOUT_MS, the next message within
 * IDLE_TIMEOUT_MS (vpcd asks for the ATR every 400 ms: silence that long means vpcd is stuck or
 * gone, so the card reconnects), connect and write within IO_TIMEOUT_MS (SO_SNDTIMEO).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scboot/apdu.h"
#include "scboot/emu.h"
#include "scboot/util.h"

/* one vpcd message (after its 2-byte length): a command APDU or a control code; a longer one
 * is no APDU this card takes */
#define VPCD_MSG_MAX 4096
#define IO_TIMEOUT_MS 5000
#define IDLE_TIMEOUT_MS 30000

static volatile sig_atomic_t got_usr1, got_hup, got_term;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        got_usr1 = 1;
    } else if (sig == SIGHUP) {
        got_hup = 1;
    } else {
        got_term = 1;
    }
}

struct vcard {
    const char *host;
    const char *port;
    const char *profile;
    unsigned remove_after; /* close the connection after N APDUs (0 = never) */
    int verbose;
    struct scb_emu *emu;
    unsigned apdus;
    sigset_t waitmask; /* the mask inside waits: our signals unblocked */
};

static int load(struct vcard *v);

static int connect_vpcd(const struct vcard *v)
{
    struct addrinfo hints, *res = NULL;
    int fd = -1, one = 1;
    struct timeval tv = {IO_TIMEOUT_MS / 1000, 0};

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(v->host, v->port, &hints, &res) != 0) {
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        /* bounds connect() (a full vpcd backlog) and every later write */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    }
    return fd;
}

__attribute__((format(printf, 2, 3))) static void log_line(const struct vcard *v,
                                                           const char *fmt, ...)
{
    if (v->verbose) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "scboot-vcard: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}

/* Wait until fd is readable: 0 ready, 1 a signal asks to stop serving (SIGTERM/SIGINT,
 * SIGUSR1), -1 timeout or error. Signals are only deliverable inside pselect(). */
static int wait_readable(const struct vcard *v, int fd, unsigned timeout_ms)
{
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    fd_set rd;

    for (;;) {
        if (got_term || got_usr1) {
            return 1;
        }
        FD_ZERO(&rd);
        FD_SET(fd, &rd);
        int r = pselect(fd + 1, &rd, NULL, NULL, &ts, &v->waitmask);
        if (r > 0) {
            return 0;
        }
        if (r == 0 || errno != EINTR) {
            return -1;
        }
        /* EINTR: SIGHUP reloads before the next APDU; the others are checked above. The
         * timeout restarts, which only lengthens a wait a signal interrupted. */
    }
}

/* Read exactly n bytes; 0 on success, -1 on EOF/error/timeout, 1 when a signal asks to stop.
 * The first byte may take idle_ms (waiting for the next message), the rest IO_TIMEOUT_MS. */
static int read_full(const struct vcard *v, int fd, uint8_t *buf, size_t n, unsigned idle_ms)
{
    size_t got = 0;
    while (got < n) {
        int w = wait_readable(v, fd, got == 0 ? idle_ms : IO_TIMEOUT_MS);
        if (w != 0) {
            if (w < 0) {
                log_line(v, "%s", "vpcd silent too long: dropping the connection");
            }
            return w;
        }
        ssize_t r = read(fd, buf + got, n - got);
        if (r == 0) {
            return -1;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        got += (size_t)r;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    return 0;
}

static int send_msg(int fd, const uint8_t *buf, size_t n)
{
    uint8_t frame[2 + VPCD_MSG_MAX];
    if (n > sizeof(frame) - 2) {
        return -1;
    }
    frame[0] = (uint8_t)(n >> 8);
    frame[1] = (uint8_t)n;
    memcpy(frame + 2, buf, n);
    return scb_util_write_all(fd, frame, n + 2) == SCB_OK ? 0 : -1;
}

/* Serve one connection until it closes, a signal asks for removal, or the fault fires. */
static int serve(struct vcard *v, int fd)
{
    uint8_t hdr[2], msg[VPCD_MSG_MAX], rsp[SCB_APDU_RSP_MAX];
    char hex[2 * VPCD_MSG_MAX + 1];

    for (;;) {
        int r = read_full(v, fd, hdr, 2, IDLE_TIMEOUT_MS);
        if (r != 0) {
            return r;
        }
        size_t n = (size_t)(hdr[0] << 8 | hdr[1]);
        if (n == 0 || n > sizeof(msg)) {
            return -1;
        }
        if ((r = read_full(v, fd, msg, n, IO_TIMEOUT_MS)) != 0) {
            return r;
        }
        if (n == 1) {
            if (msg[0] == 4) { /* get ATR */
                size_t alen;
                uint8_t atr[SCB_ATR_MAX];
                scb_emu_atr(v->emu, atr, sizeof(atr), &alen);
                if (send_msg(fd, atr, alen) < 0) {
                    return -1;
                }
            } else if (msg[0] == 2 || msg[0] == 0 || msg[0] == 1) {
                scb_emu_reset(v->emu); /* reset / power cycle: channels, PIN, SCP gone */
            }
            continue;
        }
        if (got_hup) {
            /* the card's data changed in place (an OTA update): same card, same session */
            got_hup = 0;
            load(v);
            log_line(v, "%s", "profile reloaded");
        }
        if (v->remove_after && v->apdus >= v->remove_after) {
            log_line(v, "%s", "removing the card (--remove-after)");
            return 2;
        }
        v->apdus++;
        size_t rlen = 0;
        int ret = scb_emu_transmit(v->emu, msg, n, rsp, sizeof(rsp), &rlen);
        if (ret == SCB_E_CARD_REMOVED || ret == SCB_E_NO_CARD) {
            return 2; /* a removal fault from the profile */
        }
        if (ret < 0) {
            rsp[0] = 0x6F;
            rsp[1] = 0x00;
            rlen = 2;
        }
        if (v->verbose > 1) {
            scb_util_hex_encode(msg, n, hex, sizeof(hex));
            log_line(v, "> %s", hex);
            scb_util_hex_encode(rsp, rlen, hex, sizeof(hex));
            log_line(v, "< %s", hex);
        }
        if (send_msg(fd, rsp, rlen) < 0) {
            return -1;
        }
    }
}

static int load(struct vcard *v)
{
    char err[SCB_ERR_MAX];
    struct scb_emu *e = NULL;
    if (scb_emu_load(v->profile, &e, err, sizeof(err)) < 0) {
        fprintf(stderr, "scboot-vcard: %s\n", err);
        return -1;
    }
    scb_emu_free(&v->emu);
    v->emu = e;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: scboot-vcard -p PROFILE.json [--host H] [--port P] [--remove-after N] [-v]\n"
               "Serve an emulated UICC to pcscd through the vpcd driver (default localhost:35963).\n"
               "SIGUSR1: remove / re-insert the card; SIGHUP: reload the profile.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"profile", required_argument, NULL, 'p'}, {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'P'},    {"remove-after", required_argument, NULL, 'n'},
        {"verbose", no_argument, NULL, 'v'},       {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0}};
    struct vcard v = {.host = "127.0.0.1", .port = "35963"};
    struct sigaction sa;
    sigset_t ours;
    int opt, inserted = 1;

    while ((opt = getopt_long(argc, argv, "p:H:P:n:vh", opts, NULL)) != -1) {
        switch (opt) {
        case 'p': v.profile = optarg; break;
        case 'H': v.host = optarg; break;
        case 'P': v.port = optarg; break;
        case 'n': v.remove_after = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'v': v.verbose++; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (v.profile == NULL || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (load(&v) < 0) {
        return 4;
    }
    /* our signals are blocked except inside pselect()/sigsuspend(): none is lost */
    sigemptyset(&ours);
    sigaddset(&ours, SIGUSR1);
    sigaddset(&ours, SIGHUP);
    sigaddset(&ours, SIGTERM);
    sigaddset(&ours, SIGINT);
    sigprocmask(SIG_BLOCK, &ours, &v.waitmask);
    sigdelset(&v.waitmask, SIGUSR1);
    sigdelset(&v.waitmask, SIGHUP);
    sigdelset(&v.waitmask, SIGTERM);
    sigdelset(&v.waitmask, SIGINT);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: a wait returns EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    while (!got_term) {
        if (got_hup) {
            got_hup = 0;
            load(&v);
        }
        if (got_usr1) {
            got_usr1 = 0;
            inserted = !inserted;
            log_line(&v, "%s", inserted ? "card inserted" : "card removed");
        }
        if (!inserted) {
            sigsuspend(&v.waitmask); /* flags were checked with the signals blocked */
            continue;
        }
        int fd = connect_vpcd(&v);
        if (fd < 0) {
            struct timespec ts = {0, 100 * 1000000L};
            pselect(0, NULL, NULL, NULL, &ts, &v.waitmask); /* a signal ends the pause */
            continue;
        }
        log_line(&v, "%s", "connected to vpcd: card inserted");
        scb_emu_reset(v.emu);
        int r = serve(&v, fd);
        close(fd);
        if (r == 2) {
            inserted = 0; /* a removal fault: stay out until SIGUSR1 */
            v.remove_after = 0;
        }
    }
    scb_emu_free(&v.emu);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * at.c: the AT modem transport. A SIM in a cellular modem is reached through the modem's AT
 * port (3GPP TS 27.007): +CSIM carries an APDU on the basic channel, +CCHO opens a logical
 * channel and selects an application in one command, +CGLA carries an APDU on it (with the
 * session id the modem answered, which need not be the channel number), +CCHC closes it.
 * +CRSM (restricted SIM access) is the fallback for modems without +CSIM: MF files only.
 *
 * Every wait is bounded (a per-command deadline), every line and every answer is bounded
 * (at_parse.c), and every error names the command, what the modem answered and what to do.
 * Answers are never quoted with their data: a response may hold the bootstrap file's keys and
 * a command a PIN, so messages show the APDU header and lengths only.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "at_parse.h"
#include "clock.h"
#include "scboot/apdu.h"
#include "scboot/at.h"
#include "scboot/events.h"
#include "scboot/util.h"

#define AT_CHANNELS 20
/* a modem that keeps answering "SIM busy" (+CME ERROR: 14) is asked again this often */
#define BUSY_RETRIES 3
#define BUSY_WAIT_MS 200

struct at_session {
    int open;
    unsigned long sid;   /* the modem's session id for +CGLA/+CCHC */
};

struct at {
    int fd;
    struct scb_at_opts o;
    char lockpath[PATH_MAX];
    int locked;
    struct scb_at_parser p;
    uint8_t rbuf[512];
    size_t rlen, roff;     /* bytes read, not yet given to the parser */
    int desync;            /* the last command ended early: drop stale answers first */
    unsigned lost_ms;      /* the timeout of the command that timed out: drain() waits as long
                            * for its late final result (a quick AT probe: a short wait) */
    struct at_session ch[AT_CHANNELS];
    unsigned card_cmds;
    int present;           /* last +CPIN? presence, -1 unknown */
    uint32_t events;
    int cpin_urc;          /* a +CPIN: URC (or a SIM status URC) came since the last poll */
    uint16_t crsm_fid;     /* +CRSM: the file the last SELECT named */
    char iccid_cmd[16];    /* the ICCID command this modem answered, once found */
    char last_err[512];
    char reader[SCB_READER_NAME_MAX];
    unsigned lent;         /* handles on this port beyond the first (scb_at_events' open) */
};

static const struct scb_transport_ops at_ops;

/* ---- options ------------------------------------------------------------------------------- */

void scb_at_opts_init(struct scb_at_opts *o)
{
    if (o == NULL) {
        return;
    }
    memset(o, 0, sizeof(*o));
    o->baud = SCB_AT_DEFAULT_BAUD;
    o->timeout_ms = SCB_AT_DEFAULT_TIMEOUT_MS;
    o->lock = 1;
    o->poll_ms = SCB_AT_DEFAULT_POLL_MS;
}

int scb_at_is_spec(const char *spec)
{
    return spec != NULL && strncmp(spec, "at:", 3) == 0;
}

static int parse_uint(const char *v, size_t n, unsigned long max, unsigned long *out)
{
    unsigned long x = 0;
    if (n == 0 || n > 9) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return -1;
        }
        x = x * 10 + (unsigned long)(v[i] - '0');
    }
    if (x == 0 || x > max) {
        return -1;
    }
    *out = x;
    return 0;
}

int scb_at_parse_spec(const char *spec, struct scb_at_opts *o, char *err, size_t errlen)
{
    const char *s, *comma;
    size_t dl;

    if (spec == NULL || o == NULL) {
        return SCB_E_INVALID_ARG;
    }
    s = scb_at_is_spec(spec) ? spec + 3 : spec;
    comma = strchr(s, ',');
    dl = comma ? (size_t)(comma - s) : strlen(s);
    if (dl == 0 || dl >= sizeof(o->device)) {
        snprintf(err, errlen, "reader \"%s\": at:DEVICE needs a device path (at:/dev/ttyUSB2)",
                 spec);
        return SCB_E_INVALID_ARG;
    }
    memcpy(o->device, s, dl);
    o->device[dl] = '\0';
    while (comma) {
        const char *k = comma + 1, *next = strchr(k, ','), *eq;
        size_t kl = next ? (size_t)(next - k) : strlen(k);
        unsigned long v = 0;
        eq = memchr(k, '=', kl);
        size_t nl = eq ? (size_t)(eq - k) : kl;
        const char *val = eq ? eq + 1 : NULL;
        size_t vl = eq ? kl - nl - 1 : 0;
#define KEY(name) (nl == strlen(name) && strncmp(k, name, nl) == 0)
        if (KEY("baud") && val && parse_uint(val, vl, 4000000, &v) == 0) {
            o->baud = (unsigned)v;
        } else if (KEY("timeout") && val && parse_uint(val, vl, 600000, &v) == 0) {
            o->timeout_ms = (unsigned)v;
        } else if (KEY("poll") && val && parse_uint(val, vl, 3600000, &v) == 0) {
            o->poll_ms = (unsigned)v;
        } else if (KEY("rtscts") && !val) {
            o->rtscts = 1;
        } else if (KEY("nolock") && !val) {
            o->lock = 0;
        } else if (KEY("crsm") && !val) {
            o->crsm = 1;
        } else if (KEY("noccho") && !val) {
            o->no_ccho = 1;
        } else {
            snprintf(err, errlen,
                     "reader \"%s\": unknown or malformed setting \"%.*s\" (known: baud=N, "
                     "timeout=MS, poll=MS, rtscts, nolock, crsm, noccho)",
                     spec, (int)kl, k);
            return SCB_E_INVALID_ARG;
        }
#undef KEY
        comma = next;
    }
    return SCB_OK;
}

/* ---- messages -------------------------------------------------------------------------- */

static void note(struct at *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct at *a, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (a->o.log) {
        a->o.log(a->o.log_ctx, line);
    }
}

static int fail(struct at *a, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct at *a, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->last_err, sizeof(a->last_err), fmt, ap);
    va_end(ap);
    if (a->o.log) {
        a->o.log(a->o.log_ctx, a->last_err);
    }
    return code;
}

/* The command as messages show it: an APDU command by its header only (its data may be a PIN
 * or a key), others as they are. */
static void cmd_label(const char *cmd, char *out, size_t cap)
{
    const char *q = strchr(cmd, '"');
    if (q && (strncmp(cmd, "AT+CSIM=", 8) == 0 || strncmp(cmd, "AT+CGLA=", 8) == 0)) {
        snprintf(out, cap, "%.*s (APDU %.8s...)", (int)(strchr(cmd, '=') - cmd), cmd, q + 1);
    } else {
        snprintf(out, cap, "%.60s", cmd);
    }
}

static int cme_number(const struct scb_at_parser *p)
{
    if (p->final != SCB_AT_CME) {
        return -1;
    }
    if (p->cme >= 0) {
        return p->cme;
    }
    for (int n = 0; n <= 100; n++) { /* verbose form (AT+CMEE=2) */
        const char *name = scb_at_cme_name(n);
        if (name && strcasecmp(name, p->cme_text) == 0) {
            return n;
        }
    }
    return -1;
}

/* ---- line I/O ---------------------------------------------------------------------------- */

/* signed, for deadlines that may lie in the past (deadline - now < 0) */
static long long now_ms(void)
{
    return (long long)scb_now_ms();
}

static int write_all(struct at *a, const char *buf, size_t n, long long deadline)
{
    size_t off = 0;
    while (off < n) {
        long long left = deadline - now_ms();
        struct pollfd pf = {.fd = a->fd, .events = POLLOUT};
        if (left <= 0) {
            return SCB_E_TIMEOUT;
        }
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return r == 0 ? SCB_E_TIMEOUT : SCB_E_IO;
        }
        ssize_t w = write(a->fd, buf + off, n - off);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            continue;
        }
        if (w <= 0) {
            return SCB_E_IO;
        }
        off += (size_t)w;
    }
    return SCB_OK;
}

/* Read what is there within left ms into rbuf, or return early when wake_fd (>= 0: an
 * eventfd, drained here) becomes readable. 1 bytes, 0 timeout, 2 woken, < 0 error. */
static int read_or_wake(struct at *a, long long left, int wake_fd)
{
    struct pollfd pf[2] = {{.fd = a->fd, .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
    if (a->rlen > a->roff) {
        return 1; /* bytes still unparsed (what came after the last final result) */
    }
    if (left < 0) {
        left = 0;
    }
    int r = poll(pf, wake_fd >= 0 ? 2 : 1, left > INT_MAX ? INT_MAX : (int)left);
    if (r < 0) {
        return errno == EINTR ? 0 : SCB_E_IO;
    }
    if (r == 0) {
        return 0;
    }
    if (wake_fd >= 0 && (pf[1].revents & POLLIN) && !(pf[0].revents & (POLLIN | POLLHUP))) {
        uint64_t v;
        ssize_t n = read(wake_fd, &v, sizeof(v));
        (void)n;
        return 2;
    }
    ssize_t n = read(a->fd, a->rbuf, sizeof(a->rbuf));
    if (n < 0) {
        return errno == EAGAIN || errno == EINTR ? 0 : SCB_E_IO;
    }
    if (n == 0) {
        return SCB_E_IO; /* the port went away (USB modem unplugged or reset) */
    }
    a->rlen = (size_t)n;
    a->roff = 0;
    return 1;
}

static int read_some(struct at *a, long long left)
{
    return read_or_wake(a, left, -1);
}

/* Feed buffered bytes to the parser. 1 final, 0 need more, -1 parser error. */
static int feed(struct at *a)
{
    size_t used = 0;
    int r = scb_at_parser_feed(&a->p, a->rbuf + a->roff, a->rlen - a->roff, &used);
    a->roff += used;
    if (a->roff >= a->rlen) {
        a->roff = a->rlen = 0;
    }
    return r;
}

/* After a command that ended early (timeout, flood, a line without end) its late answer may
 * still come: read and drop until the line is quiet for a moment, so it is not taken for the
 * next command's answer. */
static void drain(struct at *a)
{
    long long end = now_ms() + (a->lost_ms ? a->lost_ms : a->o.timeout_ms);
    if (a->desync == 2 && a->p.busy) {
        /* the command that timed out may still finish: its final result, once more within
         * the timeout, closes it (a slow modem), and what it answered is dropped */
        int r = 0;
        while (r == 0 && now_ms() < end) {
            r = a->rlen > a->roff ? feed(a) : read_some(a, end - now_ms()) < 0 ? -1 : 0;
        }
    }
    end = now_ms() + 1000;
    a->p.busy = 0;
    a->rlen = a->roff = 0;
    while (now_ms() < end && read_some(a, 100) > 0) {
        a->rlen = a->roff = 0;
    }
    a->p.len = 0;
    a->p.skipping = 0;
    a->desync = 0;
    a->p.busy = 0;
}

/* Between commands: hand what already came (URCs) to the parser as unsolicited. */
static void take_unsolicited(struct at *a)
{
    while (a->rlen > a->roff) {
        if (feed(a) < 0) {
            a->p.len = 0;
        }
    }
}

static int run_once(struct at *a, const char *cmd, const char *prefix, int bare,
                    unsigned timeout_ms);

/* Send cmd, collect its answer into a->p. SCB_OK when a final result came (whatever it is);
 * an error (with the message) when none came in time or the answer broke the rules. The
 * parser's copy of the command (kept to recognise its echo) may hold a PIN: wiped after. */
static int run(struct at *a, const char *cmd, const char *prefix, int bare, unsigned timeout_ms)
{
    int ret = run_once(a, cmd, prefix, bare, timeout_ms);
    scb_util_zeroize(a->p.cmd, sizeof(a->p.cmd));
    return ret;
}

static int run_once(struct at *a, const char *cmd, const char *prefix, int bare,
                    unsigned timeout_ms)
{
    char label[96], wbuf[SCB_AT_CMD_MAX + 2];
    size_t n = strlen(cmd);
    long long deadline;
    int ret;

    if (n + 1 >= sizeof(wbuf)) {
        return SCB_E_TOO_LARGE;
    }
    if (a->desync) {
        drain(a);
    }
    a->p.busy = 0;
    take_unsolicited(a);
    /* the command's own time starts now: the drain above waits up to a whole timeout for a
     * late answer, and that must not eat this command's time */
    deadline = now_ms() + timeout_ms;
    scb_at_parser_start(&a->p, cmd, prefix, bare);
    memcpy(wbuf, cmd, n);
    wbuf[n] = '\r';
    cmd_label(cmd, label, sizeof(label));
    ret = write_all(a, wbuf, n + 1, deadline);
    scb_util_zeroize(wbuf, sizeof(wbuf));
    if (ret < 0) {
        a->desync = 1;
        return fail(a, ret, "%s: cannot write to %s (%s): the port is gone or blocked; check the "
                            "cable/USB and that the device is the modem's AT port",
                    label, a->o.device, ret == SCB_E_TIMEOUT ? "timeout" : strerror(errno));
    }
    for (;;) {
        int r = feed(a);
        if (r == 1) {
            break;
        }
        if (r < 0) {
            a->desync = 1;
            a->p.busy = 0;
            switch (a->p.perr) {
            case SCB_AT_PERR_LINE_TOO_LONG:
                return fail(a, SCB_E_TOO_LARGE,
                            "%s: the modem sent a line longer than %d bytes without an end: "
                            "wrong baud rate, or not an AT port (try another ttyUSB)",
                            label, SCB_AT_LINE_MAX);
            case SCB_AT_PERR_TOO_MANY_LINES:
                return fail(a, SCB_E_TRANSPORT,
                            "%s: more than %d lines and no final result (unsolicited codes "
                            "without end): switch the modem's URCs off (AT+CREG=0, AT+CEREG=0) "
                            "or check the port",
                            label, SCB_AT_LINES_MAX);
            default:
                return fail(a, SCB_E_TRANSPORT,
                            "%s: two information lines where one belongs: the modem answered "
                            "another command as well; retry, and check no other program uses %s",
                            label, a->o.device);
            }
        }
        long long left = deadline - now_ms();
        if (left <= 0) {
            a->desync = 2; /* still in flight: the parser stays on it (drain()) */
            a->lost_ms = timeout_ms;
            return fail(a, SCB_E_TIMEOUT,
                        "%s: no final result within %u ms (%u lines came): the modem is slow or "
                        "busy; raise timeout=MS in the reader spec, or check the port",
                        label, timeout_ms, a->p.lines);
        }
        if ((r = read_some(a, left)) < 0) {
            a->desync = 1;
            a->p.busy = 0;
            return fail(a, SCB_E_READER_UNAVAILABLE,
                        "%s: the port %s went away while waiting for the answer (modem reset "
                        "or unplugged)",
                        label, a->o.device);
        }
    }
    return SCB_OK;
}

/* Turn a final result other than OK into an error with a hint. */
static int refused(struct at *a, const char *cmd, const char *hint)
{
    char label[96], ans[128];
    int cme = cme_number(&a->p), code;
    cmd_label(cmd, label, sizeof(label));
    scb_at_final_text(&a->p, ans, sizeof(ans));
    switch (cme) {
    case 10:
        code = SCB_E_NO_CARD;
        hint = "no SIM in the modem: insert it (check the tray) and retry";
        break;
    case 11:
    case 12:
    case 5:
        code = SCB_E_PIN_REQUIRED;
        hint = "the modem wants the SIM PIN first: unlock the SIM in the modem (AT+CPIN)";
        break;
    case 13:
    case 15:
        code = SCB_E_CARD_MUTE;
        hint = "the SIM does not answer the modem: re-seat it";
        break;
    case 14:
        code = SCB_E_TIMEOUT;
        hint = "the SIM stays busy: retry later";
        break;
    case 3:
    case 4:
        code = SCB_E_UNSUPPORTED;
        break;
    default:
        code = a->p.final == SCB_AT_ERROR ? SCB_E_UNSUPPORTED : SCB_E_TRANSPORT;
    }
    return fail(a, code, "%s: the modem answered %s%s%s", label, ans, hint ? ": " : "",
                hint ? hint : "");
}

/* run() plus the SIM-busy retry; SCB_OK only for OK. */
static int command(struct at *a, const char *cmd, const char *prefix, int bare, const char *hint)
{
    for (int tries = 0;; tries++) {
        int ret = run(a, cmd, prefix, bare, a->o.timeout_ms);
        if (ret < 0) {
            return ret;
        }
        if (a->p.final == SCB_AT_OK) {
            return SCB_OK;
        }
        if (cme_number(&a->p) == 14 && tries < BUSY_RETRIES) {
            struct timespec ts = {0, BUSY_WAIT_MS * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        return refused(a, cmd, hint);
    }
}

/* The information line without its prefix (and the blanks after it). */
static const char *info_value(const struct at *a, const char *prefix)
{
    const char *v = a->p.info;
    if (prefix && strncmp(v, prefix, strlen(prefix)) == 0) {
        v += strlen(prefix);
    }
    while (*v == ' ') {
        v++;
    }
    return v;
}

/* An APDU command whose answer is "+X: <len>,\"<hex>\"": check and decode it. */
static int hex_answer(struct at *a, const char *cmd, const char *prefix, uint8_t *rsp,
                      size_t rcap, size_t *rlen)
{
    char label[96];
    cmd_label(cmd, label, sizeof(label));
    if (!a->p.have_info) {
        if (a->p.other[0]) {
            /* the other line named by its prefix only (at most 12 characters, up to a ':',
             * '=', ',', quote or blank): its data may be the card's, and a line without a
             * colon (a mangled echo) may carry a PIN block */
            size_t pl = strcspn(a->p.other, ":=,\" ");
            pl = pl > 12 ? 12 : pl;
            a->desync = 1;
            return fail(a, SCB_E_TRANSPORT,
                        "%s: the modem answered %.*s%s ... and OK, no %s line: an answer to "
                        "another command; check that no other program uses %s",
                        label, (int)pl, a->p.other, a->p.other[pl] == ':' ? ":" : "", prefix,
                        a->o.device);
        }
        a->desync = 1;
        return fail(a, SCB_E_TRANSPORT,
                    "%s: the modem answered OK without a %s line: an OK left from an earlier "
                    "command (retry), or firmware that does not pass APDUs (try at:%s,crsm)",
                    label, prefix, a->o.device);
    }
    if (scb_at_parse_hexresp(info_value(a, prefix), rsp, rcap, rlen) < 0 || *rlen < 2) {
        return fail(a, SCB_E_TRANSPORT,
                    "%s: the %s answer does not parse (a length that does not match its hex "
                    "data, more than %zu bytes, or no status word): the modem's answer is "
                    "corrupt; check the line (baud rate, cable)",
                    label, prefix, rcap);
    }
    return SCB_OK;
}

/* ---- +CRSM: the fallback for modems without +CSIM ----------------------------------------- */

static uint16_t sfi_fid(unsigned sfi)
{
    return sfi == 0x02 ? 0x2FE2 : sfi == 0x1E ? 0x2F00 : sfi == 0x05 ? 0x2F05 : 0;
}

static int crsm_apdu(struct at *a, uint16_t *cur, const uint8_t *c, size_t cl, uint8_t *rsp,
                     size_t rcap, size_t *rlen)
{
    char cmd[128];
    int ins = c[1], p1 = c[2], p2 = c[3], p3 = cl > 4 ? c[4] : 0;
    uint16_t fid = *cur;

    *rlen = 0;
    if ((c[0] & 0x03) != 0 || (c[0] & 0x40) != 0) {
        rsp[0] = 0x68, rsp[1] = 0x81; /* no logical channels through +CRSM */
        *rlen = 2;
        return SCB_OK;
    }
    if (ins == 0xA4 && cl >= 7 && c[4] >= 2 && cl >= 5u + c[4] && (p1 == 0x00 || p1 >= 0x08)) {
        fid = (uint16_t)(c[5 + c[4] - 2] << 8 | c[5 + c[4] - 1]);
        snprintf(cmd, sizeof(cmd), "AT+CRSM=192,%u", fid);
        *cur = fid;
    } else if (ins == 0xA4) {
        rsp[0] = 0x6A, rsp[1] = 0x81; /* SELECT by AID: not reachable through +CRSM */
        *rlen = 2;
        return SCB_OK;
    } else if (ins == 0xB0 || ins == 0xB2) {
        if (ins == 0xB0 && (p1 & 0x80)) {
            fid = sfi_fid(p1 & 0x1F);
            p1 = 0;
        } else if (ins == 0xB2 && (p2 >> 3)) {
            fid = sfi_fid((unsigned)p2 >> 3);
            p2 = 4;
        }
        snprintf(cmd, sizeof(cmd), "AT+CRSM=%d,%u,%d,%d,%d", ins == 0xB0 ? 176 : 178, fid, p1,
                 p2, p3);
    } else if (ins == 0xF2) {
        snprintf(cmd, sizeof(cmd), "AT+CRSM=242");
    } else {
        rsp[0] = 0x6D, rsp[1] = 0x00; /* no such command through +CRSM */
        *rlen = 2;
        return SCB_OK;
    }
    a->card_cmds++;
    int ret = command(a, cmd, "+CRSM:", 0, "the modem refuses restricted SIM access too");
    if (ret < 0) {
        return ret;
    }
    /* +CRSM: <sw1>,<sw2>[,"<hex>"] */
    const char *v = info_value(a, "+CRSM:");
    unsigned sw1, sw2;
    int used = 0;
    if (!a->p.have_info || sscanf(v, "%3u,%3u%n", &sw1, &sw2, &used) != 2 || sw1 > 255 ||
        sw2 > 255) {
        return fail(a, SCB_E_TRANSPORT, "%s: no +CRSM: <sw1>,<sw2> answer", cmd);
    }
    v += used;
    size_t dl = 0;
    if (*v == ',') {
        const char *h = v + 1 + (v[1] == '"');
        size_t hl = strspn(h, "0123456789abcdefABCDEF");
        char tmp[16];
        /* reuse the checked decoder: "<len>,<hex>" */
        if (hl / 2 + 2 > rcap) {
            return fail(a, SCB_E_TRANSPORT, "%s: answer longer than asked for", cmd);
        }
        snprintf(tmp, sizeof(tmp), "%zu,", hl);
        char *line = malloc(strlen(tmp) + hl + 1);
        if (line == NULL) {
            return SCB_E_NOMEM;
        }
        memcpy(line, tmp, strlen(tmp));
        memcpy(line + strlen(tmp), h, hl);
        line[strlen(tmp) + hl] = '\0';
        ret = scb_at_parse_hexresp(line, rsp, rcap - 2, &dl);
        scb_util_zeroize(line, strlen(line));
        free(line);
        if (ret < 0) {
            return fail(a, SCB_E_TRANSPORT, "%s: the +CRSM data does not parse", cmd);
        }
    }
    rsp[dl] = (uint8_t)sw1;
    rsp[dl + 1] = (uint8_t)sw2;
    *rlen = dl + 2;
    return SCB_OK;
}

/* ---- the transport ops -------------------------------------------------------------------- */

static int at_transmit(void *self, const uint8_t *c, size_t cl, uint8_t *rsp, size_t rcap,
                       size_t *rlen)
{
    struct at *a = self;
    unsigned chn = 0;
    char *cmd;
    int ret;

    *rlen = 0;
    if (cl < 4 || cl > SCB_APDU_CMD_MAX) {
        return SCB_E_INVALID_ARG;
    }
    if (a->o.crsm) {
        return crsm_apdu(a, &a->crsm_fid, c, cl, rsp, rcap, rlen);
    }
    if (scb_apdu_cla_channel(c[0], &chn) < 0 || chn >= AT_CHANNELS) {
        chn = 0;
    }
    cmd = malloc(64 + 2 * cl);
    if (cmd == NULL) {
        return SCB_E_NOMEM;
    }
    int n = chn != 0 && a->ch[chn].open
                ? snprintf(cmd, 64, "AT+CGLA=%lu,%zu,\"", a->ch[chn].sid, 2 * cl)
                : snprintf(cmd, 64, "AT+CSIM=%zu,\"", 2 * cl);
    const char *prefix = chn != 0 && a->ch[chn].open ? "+CGLA:" : "+CSIM:";
    scb_util_hex_encode(c, cl, cmd + n, 2 * cl + 1);
    strcat(cmd + n, "\"");
    a->card_cmds++;
    ret = run(a, cmd, prefix, 0, a->o.timeout_ms);
    for (int tries = 0; ret == SCB_OK && cme_number(&a->p) == 14 && tries < BUSY_RETRIES;
         tries++) {
        struct timespec ts = {0, BUSY_WAIT_MS * 1000000L};
        nanosleep(&ts, NULL);
        a->card_cmds++;
        ret = run(a, cmd, prefix, 0, a->o.timeout_ms);
    }
    if (ret == SCB_OK && a->p.final != SCB_AT_OK) {
        if (c[1] == 0x70 && (a->p.final == SCB_AT_ERROR || cme_number(&a->p) == 3 ||
                             cme_number(&a->p) == 4)) {
            /* MANAGE CHANNEL through +CSIM refused: as a card without logical channels
             * answers, so the caller goes on on the basic channel */
            note(a, "AT+CSIM (MANAGE CHANNEL): refused by the modem: no logical channel "
                    "through +CSIM; on the basic channel");
            rsp[0] = 0x68, rsp[1] = 0x81;
            *rlen = 2;
        } else {
            ret = refused(a, cmd, chn && a->ch[chn].open
                                      ? "the modem refuses APDUs on this logical channel"
                                      : "the modem refuses +CSIM: try at:DEVICE,crsm "
                                        "(restricted access, MF files only)");
        }
    } else if (ret == SCB_OK) {
        ret = hex_answer(a, cmd, prefix, rsp, rcap, rlen);
    }
    scb_util_zeroize(cmd, strlen(cmd));
    free(cmd);
    if (ret == SCB_E_NO_CARD && a->present == 1) {
        a->present = 0;
        a->events++;
        ret = SCB_E_CARD_REMOVED;
    }
    return ret;
}

static int at_open_channel(void *self, const uint8_t *aid, size_t aid_len, unsigned *channel)
{
    struct at *a = self;
    char cmd[64 + 2 * 16], label[96];
    unsigned long sid = 0;
    unsigned chn;

    if (a->o.crsm || a->o.no_ccho) {
        return SCB_E_UNSUPPORTED; /* the caller opens the channel with MANAGE CHANNEL */
    }
    if (aid_len == 0 || aid_len > 16) {
        return SCB_E_INVALID_ARG;
    }
    /* the card gives the lowest free channel: the one the modem's +CCHO will get when no
     * other user of the modem holds one (doc/modem.md) */
    for (chn = 1; chn < AT_CHANNELS && a->ch[chn].open; chn++) {
    }
    if (chn >= AT_CHANNELS) {
        return SCB_E_NO_CHANNEL;
    }
    int n = snprintf(cmd, sizeof(cmd), "AT+CCHO=\"");
    scb_util_hex_encode(aid, aid_len, cmd + n, sizeof(cmd) - (size_t)n);
    strcat(cmd, "\"");
    a->card_cmds++;
    scb_at_log_fn log = a->o.log;
    a->o.log = NULL; /* a refusal is a note, not an error: said once below */
    int ret = command(a, cmd, "+CCHO:", SCB_AT_BARE_NUMBER, NULL);
    a->o.log = log;
    if (ret == SCB_E_UNSUPPORTED || ret == SCB_E_TRANSPORT) {
        note(a, "%s; the modem opens no logical channel for us: reading on the basic channel "
                "instead",
             a->last_err);
        return SCB_E_NO_CHANNEL;
    }
    if (ret < 0 && log) {
        log(a->o.log_ctx, a->last_err);
    }
    if (ret < 0) {
        return ret;
    }
    const char *v = info_value(a, "+CCHO:");
    char *end = NULL;
    cmd_label(cmd, label, sizeof(label));
    if (!a->p.have_info || *v < '0' || *v > '9' || (sid = strtoul(v, &end, 10)) > 0xFFFFFFFFul ||
        *end != '\0') {
        note(a, "%s: OK without a session id (\"%.20s\"): reading on the basic channel", label,
             a->p.have_info ? v : "");
        return SCB_E_NO_CHANNEL;
    }
    a->ch[chn].open = 1;
    a->ch[chn].sid = sid;
    *channel = chn;
    return SCB_OK;
}

static int at_close_channel(void *self, unsigned channel)
{
    struct at *a = self;
    char cmd[48];
    if (channel == 0 || channel >= AT_CHANNELS || !a->ch[channel].open) {
        return SCB_E_UNSUPPORTED; /* not ours: MANAGE CHANNEL closes it */
    }
    snprintf(cmd, sizeof(cmd), "AT+CCHC=%lu", a->ch[channel].sid);
    a->ch[channel].open = 0;
    a->card_cmds++;
    return command(a, cmd, "+CCHC:", 0, NULL);
}

/* +CPIN? → presence. 1 present, 0 absent, < 0 error. */
static int cpin(struct at *a)
{
    int ret = run(a, "AT+CPIN?", "+CPIN:", 0, a->o.timeout_ms);
    if (ret < 0) {
        return ret;
    }
    int cme = cme_number(&a->p);
    if (a->p.final == SCB_AT_OK) {
        const char *v = info_value(a, "+CPIN:");
        /* READY, SIM PIN, SIM PUK, PH-SIM PIN ...: a SIM is there; NOT INSERTED / NOT READY
         * (some modems answer so instead of an error) */
        return strstr(v, "NOT INSERTED") == NULL && strstr(v, "NOT READY") == NULL &&
               a->p.have_info;
    }
    if (cme == 10 || cme == 13 || cme == 15) {
        return 0;
    }
    return refused(a, "AT+CPIN?", "the modem cannot tell whether a SIM is there");
}

static int at_status(void *self, struct scb_card_status *st)
{
    struct at *a = self;
    int pr = cpin(a);
    if (pr < 0) {
        return pr;
    }
    if (a->present >= 0 && pr != a->present) {
        a->events++;
    }
    a->present = pr;
    st->present = pr;
    st->protocol = -1; /* the modem does not say; it handles T=0 and T=1 itself */
    st->atr_len = 0;
    st->event_count = a->events;
    snprintf(st->reader, sizeof(st->reader), "%s", a->reader);
    return SCB_OK;
}

static int modem_init(struct at *a)
{
    int ret = SCB_E_TIMEOUT;
    /* a modem just reset may miss the first command: three tries */
    for (int i = 0; i < 3 && ret == SCB_E_TIMEOUT; i++) {
        ret = run(a, "AT", NULL, 0, i == 2 ? a->o.timeout_ms : 1000);
    }
    if (ret == SCB_E_TIMEOUT) {
        return fail(a, ret,
                    "AT: no answer from %s: is it the modem's AT port (not its diagnostic, "
                    "NMEA or PPP port)? is baud=%u right?",
                    a->o.device, a->o.baud);
    }
    if (ret < 0) {
        return ret; /* a flood, a line without end: last_err says which */
    }
    if ((ret = run(a, "ATE0", NULL, 0, a->o.timeout_ms)) < 0) {
        return ret;
    }
    /* numeric +CME ERROR; the parser takes the verbose form too, so a refusal is harmless */
    return run(a, "AT+CMEE=1", NULL, 0, a->o.timeout_ms);
}

static int at_reconnect(void *self, int reset)
{
    struct at *a = self;
    for (unsigned c = 1; c < AT_CHANNELS; c++) {
        if (a->ch[c].open) {
            at_close_channel(a, c);
        }
    }
    if (reset) {
        /* a warm reset of the SIM only: off and on again (AT+CFUN would reset the radio) */
        note(a, "%s: reset asked: the modem keeps the SIM powered; channels closed, modem "
                "state re-initialised",
             a->o.device);
    }
    a->desync = 1;
    int ret = modem_init(a);
    a->events++;
    return ret;
}

static void unlock(struct at *a)
{
    if (a->locked) {
        unlink(a->lockpath);
        a->locked = 0;
    }
}

static void at_destroy(void *self)
{
    struct at *a = self;
    if (a == NULL) {
        return;
    }
    if (a->lent > 0) {
        a->lent--; /* another handle on the port is still out: the last one closes it */
        return;
    }
    if (a->fd >= 0) {
        unsigned t = a->o.timeout_ms;
        a->o.timeout_ms = t < 1000 ? t : 1000;
        for (unsigned c = 1; c < AT_CHANNELS; c++) {
            if (a->ch[c].open) {
                at_close_channel(a, c); /* a channel left open stays taken in the modem */
            }
        }
        close(a->fd);
    }
    unlock(a);
    scb_util_zeroize(a, sizeof(*a));
    free(a);
}

static const struct scb_transport_ops at_ops = {
    .name = "at",
    .transmit = at_transmit,
    .reconnect = at_reconnect,
    .status = at_status,
    .destroy = at_destroy,
    .open_channel = at_open_channel,
    .close_channel = at_close_channel,
};

/* ---- opening the port --------------------------------------------------------------------- */

static speed_t baud_const(unsigned b)
{
    switch (b) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

/* The processes that hold path open: "ModemManager (pid 812), minicom (pid 900)". 1 if
 * ModemManager is one of them. */
static int holders(const char *path, char *out, size_t cap)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int mm = 0;
    pid_t self = getpid();
    out[0] = '\0';
    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        char fdd[300], link[PATH_MAX], comm[64] = "?";
        long pid = strtol(e->d_name, NULL, 10);
        if (pid <= 0 || pid == self) {
            continue;
        }
        snprintf(fdd, sizeof(fdd), "/proc/%ld/fd", pid);
        DIR *fds = opendir(fdd);
        struct dirent *f;
        int hit = 0;
        if (fds == NULL) {
            continue;
        }
        while (!hit && (f = readdir(fds)) != NULL) {
            char lp[600];
            snprintf(lp, sizeof(lp), "%s/%s", fdd, f->d_name);
            ssize_t n = readlink(lp, link, sizeof(link) - 1);
            if (n > 0) {
                link[n] = '\0';
                hit = strcmp(link, path) == 0;
            }
        }
        closedir(fds);
        if (!hit) {
            continue;
        }
        snprintf(fdd, sizeof(fdd), "/proc/%ld/comm", pid);
        FILE *cf = fopen(fdd, "r");
        if (cf) {
            if (fgets(comm, sizeof(comm), cf)) {
                comm[strcspn(comm, "\n")] = '\0';
            }
            fclose(cf);
        }
        if (strcmp(comm, "ModemManager") == 0) {
            mm = 1;
        }
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s (pid %ld)", l ? ", " : "", comm, pid);
    }
    closedir(d);
    return mm;
}

/* UUCP lock: /var/lock/LCK..<device name>, the owner's pid as 10 ASCII digits. */
static int take_lock(struct at *a, const char *real, char *err, size_t errlen)
{
    const char *base = strncmp(real, "/dev/", 5) == 0 ? real + 5 : real;
    char name[200];
    snprintf(name, sizeof(name), "%.199s", base);
    for (char *s = name; *s; s++) {
        if (*s == '/') {
            *s = '_'; /* /dev/pts/3 -> LCK..pts_3 */
        }
    }
    snprintf(a->lockpath, sizeof(a->lockpath), "/var/lock/LCK..%s", name);
    for (int tries = 0; tries < 2; tries++) {
        int fd = open(a->lockpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char pid[16];
            int n = snprintf(pid, sizeof(pid), "%10ld\n", (long)getpid());
            int ok = write(fd, pid, (size_t)n) == n;
            close(fd);
            if (!ok) {
                unlink(a->lockpath);
                break;
            }
            a->locked = 1;
            return SCB_OK;
        }
        if (errno != EEXIST) {
            break; /* no /var/lock, or not ours to write: TIOCEXCL still guards the port */
        }
        char buf[32] = "";
        FILE *f = fopen(a->lockpath, "r");
        if (f) {
            if (fgets(buf, sizeof(buf), f) == NULL) {
                buf[0] = '\0';
            }
            fclose(f);
        }
        long owner = strtol(buf, NULL, 10);
        /* a number past any pid is garbage, not an owner: cast to pid_t it could become 0 or
         * -1, which kill() takes for our process group or every process, alive for ever */
        if (owner > 0 && owner <= INT_MAX && (kill((pid_t)owner, 0) == 0 || errno == EPERM)) {
            snprintf(err, errlen,
                     "%s is locked by process %ld (%s): stop that program (minicom, a "
                     "gpsd, another scboot) or use another of the modem's AT ports",
                     a->o.device, owner, a->lockpath);
            return SCB_E_SHARING;
        }
        unlink(a->lockpath); /* stale: its owner is gone */
    }
    return SCB_OK;
}

int scb_at_open(const struct scb_at_opts *o, struct scb_transport **out, char *err,
                size_t errlen)
{
    struct at *a;
    struct termios tio;
    char real[PATH_MAX], who[256];
    int ret;
    char dummy[8];

    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    err[0] = '\0';
    if (o == NULL || out == NULL || o->device[0] == '\0') {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    speed_t sp = baud_const(o->baud);
    if (sp == 0) {
        snprintf(err, errlen, "at:%s: baud=%u is not a standard rate (9600 ... 921600)",
                 o->device, o->baud);
        return SCB_E_INVALID_ARG;
    }
    if (realpath(o->device, real) == NULL) {
        snprintf(err, errlen,
                 "at:%s: %s: list the modem's ports with ls /dev/ttyUSB* /dev/ttyACM* "
                 "/dev/serial/by-id",
                 o->device, strerror(errno));
        return errno == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
    }
    if ((a = calloc(1, sizeof(*a))) == NULL) {
        return SCB_E_NOMEM;
    }
    a->fd = -1;
    a->o = *o;
    a->present = -1;
    snprintf(a->reader, sizeof(a->reader), "at:%.250s", o->device);
    scb_at_parser_init(&a->p, NULL, NULL);
    if (holders(real, who, sizeof(who))) {
        snprintf(err, errlen,
                 "at:%s is held by %s: ModemManager owns this port; free it with the udev "
                 "property ID_MM_PORT_IGNORE=1 for the port (a rule in /etc/udev/rules.d, then "
                 "udevadm trigger) or stop ModemManager",
                 o->device, who);
        ret = SCB_E_SHARING;
        goto fail;
    }
    if (o->lock && (ret = take_lock(a, real, err, errlen)) < 0) {
        goto fail;
    }
    a->fd = open(real, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (a->fd < 0) {
        int e = errno;
        holders(real, who, sizeof(who));
        snprintf(err, errlen, "at:%s: %s%s%s%s", o->device, strerror(e),
                 who[0] ? " (held by " : "", who, who[0] ? ")" : "");
        ret = e == EBUSY ? SCB_E_SHARING : e == ENOENT ? SCB_E_NOT_FOUND : SCB_E_IO;
        goto fail;
    }
    if (tcgetattr(a->fd, &tio) < 0) {
        snprintf(err, errlen, "at:%s: not a serial port or terminal (%s)", o->device,
                 strerror(errno));
        ret = SCB_E_IO;
        goto fail;
    }
    /* exclusive: another scboot (or any program that flocks the port) is refused; root
     * passes TIOCEXCL, not the flock */
    if (flock(a->fd, LOCK_EX | LOCK_NB) < 0) {
        holders(real, who, sizeof(who));
        snprintf(err, errlen, "at:%s is in use%s%s%s: stop the other program or use another "
                              "of the modem's AT ports",
                 o->device, who[0] ? " (open in " : "", who, who[0] ? ")" : "");
        ret = SCB_E_SHARING;
        goto fail;
    }
    /* other openers get EBUSY while we talk to the modem */
    if (ioctl(a->fd, TIOCEXCL) < 0) {
        snprintf(err, errlen, "at:%s: cannot take the port exclusively (%s)", o->device,
                 strerror(errno));
        ret = SCB_E_IO;
        goto fail;
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    if (o->rtscts) {
        tio.c_cflag |= CRTSCTS;
    } else {
        tio.c_cflag &= ~(tcflag_t)CRTSCTS;
    }
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, sp);
    cfsetospeed(&tio, sp);
    if (tcsetattr(a->fd, TCSANOW, &tio) < 0) {
        snprintf(err, errlen, "at:%s: cannot set the line (%s)", o->device, strerror(errno));
        ret = SCB_E_IO;
        goto fail;
    }
    tcflush(a->fd, TCIOFLUSH);
    /* the caller hears of a failed open through err alone, not twice */
    a->o.log = NULL;
    ret = modem_init(a);
    a->o.log = o->log;
    if (ret < 0) {
        snprintf(err, errlen, "%s", a->last_err);
        goto fail;
    }
    if ((*out = scb_transport_new(&at_ops, a)) == NULL) {
        ret = SCB_E_NOMEM;
        goto fail;
    }
    return SCB_OK;
fail:
    at_destroy(a);
    return ret;
}

/* ---- device identity ------------------------------------------------------------------- */

int scb_at_is(const struct scb_transport *t)
{
    return t != NULL && t->ops == &at_ops;
}

static struct at *at_of(struct scb_transport *t)
{
    return scb_at_is(t) ? t->self : NULL;
}

/* One command and its information line without the prefix ("" if none). */
static int query(struct at *a, const char *cmd, const char *prefix, int bare, char *info,
                 size_t cap)
{
    int ret = command(a, cmd, prefix, bare, NULL);
    if (ret == SCB_OK && info && cap) {
        const char *v = a->p.have_info ? info_value(a, prefix) : "";
        size_t n = strlen(v) < cap ? strlen(v) : cap - 1; /* cut to the caller's buffer */
        memcpy(info, v, n);
        info[n] = '\0';
    }
    return ret;
}

int scb_at_command(struct scb_transport *t, const char *cmd, const char *prefix, char *info,
                   size_t cap)
{
    struct at *a = at_of(t);
    if (a == NULL || cmd == NULL || strlen(cmd) >= SCB_AT_CMD_MAX) {
        return SCB_E_INVALID_ARG;
    }
    return query(a, cmd, prefix, 1, info, cap);
}

/* Keep the digits (and F filler) of a value, "\"8949...\"" -> "8949..." */
static int digits_of(const char *v, char *out, size_t cap, size_t min, size_t max)
{
    size_t n = 0;
    int ok = 1;
    for (; *v && ok; v++) {
        if (isdigit((unsigned char)*v) || ((*v == 'F' || *v == 'f') && n >= min)) {
            ok = n + 1 < cap && n < max;
            if (ok) {
                out[n++] = *v;
            }
        } else if (*v != '"' && *v != ' ') {
            ok = 0;
        }
    }
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == 'F' || out[n - 1] == 'f')) {
        out[--n] = '\0';
    }
    if (!ok || n < min) {
        out[0] = '\0'; /* no half an IMEI for a caller that prints what it got */
        return -1;
    }
    return 0;
}

int scb_at_imei(struct scb_transport *t, char *buf, size_t cap)
{
    struct at *a = at_of(t);
    char v[64];
    if (a == NULL || buf == NULL || cap < 16) {
        return SCB_E_INVALID_ARG;
    }
    buf[0] = '\0';
    int ret = query(a, "AT+CGSN", "+CGSN:", SCB_AT_BARE_NUMBER, v, sizeof(v));
    if (ret < 0) {
        return ret;
    }
    if (digits_of(v, buf, cap, 15, 15) < 0) {
        return fail(a, SCB_E_PARSE, "AT+CGSN: the answer is not a 15-digit IMEI");
    }
    return SCB_OK;
}

int scb_at_iccid(struct scb_transport *t, char *buf, size_t cap)
{
    static const char *const cmds[][2] = {
        {"AT+CCID", "+CCID:"}, {"AT+QCCID", "+QCCID:"}, {"AT^ICCID?", "^ICCID:"},
        {"AT+ICCID", "+ICCID:"},
    };
    struct at *a = at_of(t);
    char v[64];
    if (a == NULL || buf == NULL || cap < 21) {
        return SCB_E_INVALID_ARG;
    }
    buf[0] = '\0'; /* empty unless an ICCID is found */
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (a->iccid_cmd[0] && strcmp(a->iccid_cmd, cmds[i][0]) != 0) {
            continue;
        }
        int ret = command(a, cmds[i][0], cmds[i][1], SCB_AT_BARE_NUMBER, NULL);
        if (ret == SCB_E_NO_CARD) {
            return ret;
        }
        if (ret == SCB_OK && a->p.have_info &&
            digits_of(info_value(a, cmds[i][1]), buf, cap, 18, 20) == 0) {
            snprintf(a->iccid_cmd, sizeof(a->iccid_cmd), "%s", cmds[i][0]);
            return SCB_OK;
        }
    }
    /* the standard way: EF ICCID (2FE2) through restricted SIM access, BCD nibble-swapped */
    int ret = command(a, "AT+CRSM=176,12258,0,0,10", "+CRSM:", 0, NULL);
    if (ret < 0) {
        return ret;
    }
    const char *v2 = info_value(a, "+CRSM:");
    unsigned sw1, sw2;
    int used = 0;
    if (sscanf(v2, "%3u,%3u,%n", &sw1, &sw2, &used) != 2 || used == 0 || sw1 != 0x90) {
        return fail(a, SCB_E_PARSE, "AT+CRSM (EF ICCID): no ICCID in the answer");
    }
    v2 += used + (v2[used] == '"');
    size_t n = 0;
    for (size_t i = 0; i + 1 < 21 && isxdigit((unsigned char)v2[i]) && n + 2 < cap; i += 2) {
        if (!isxdigit((unsigned char)v2[i + 1])) {
            break;
        }
        v[0] = v2[i + 1], v[1] = v2[i];
        for (int k = 0; k < 2; k++) {
            if (isdigit((unsigned char)v[k])) {
                buf[n++] = v[k];
            }
        }
    }
    buf[n] = '\0';
    snprintf(a->iccid_cmd, sizeof(a->iccid_cmd), "AT+CRSM");
    if (n < 18) {
        buf[0] = '\0';
        return fail(a, SCB_E_PARSE, "AT+CRSM (EF ICCID): ICCID too short");
    }
    return SCB_OK;
}

unsigned scb_at_card_commands(const struct scb_transport *t)
{
    return scb_at_is(t) ? ((const struct at *)t->self)->card_cmds : 0;
}

/* ---- presence monitor -------------------------------------------------------------------- */

struct scb_at_monitor {
    struct scb_transport *t;
    unsigned poll_ms;
    long long next_poll;
    int present;           /* -1 before the first poll */
    char iccid[24];
    int lost;              /* the last poll had no answer: the SIM's state is unknown */
    int wake_fd;           /* -1, or an eventfd that ends a wait early (scb_at_events) */
    int woken;             /* the last wait ended on wake_fd */
};

static int monitor_poll(struct scb_at_monitor *m, enum scb_at_event *ev, int *present);

static void monitor_urc(void *ctx, const char *line)
{
    struct at *a = ctx;
    if (strncmp(line, "+CPIN:", 6) == 0 || strncmp(line, "+SIMCARD:", 9) == 0 ||
        strncmp(line, "^SIMST:", 7) == 0 || strncmp(line, "+QUSIM:", 7) == 0 ||
        strncmp(line, "+CPINR:", 7) == 0 || strncmp(line, "%XSIM:", 6) == 0) {
        a->cpin_urc = 1;
    }
}

int scb_at_monitor_new(struct scb_transport *t, unsigned poll_ms, struct scb_at_monitor **m)
{
    struct at *a = at_of(t);
    if (a == NULL || m == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((*m = calloc(1, sizeof(**m))) == NULL) {
        return SCB_E_NOMEM;
    }
    (*m)->t = t;
    (*m)->poll_ms = poll_ms ? poll_ms : a->o.poll_ms ? a->o.poll_ms : SCB_AT_DEFAULT_POLL_MS;
    (*m)->present = -1;
    (*m)->wake_fd = -1;
    a->p.urc = monitor_urc;
    a->p.urc_ctx = a;
    /* the baseline: a change between now and the first wait is an event, not the start */
    enum scb_at_event ev = SCB_AT_EV_NONE; /* monitor_poll sets it only on a change */
    int present;
    monitor_poll(*m, &ev, &present);
    (*m)->next_poll = now_ms() + (*m)->poll_ms;
    return SCB_OK;
}

/* One poll: +CPIN?, and the ICCID when the state changed or a SIM URC came. */
static int monitor_poll(struct scb_at_monitor *m, enum scb_at_event *ev, int *present)
{
    struct at *a = m->t->self;
    char iccid[24] = "";
    int urc = a->cpin_urc;
    a->cpin_urc = 0;
    int pr = cpin(a);
    if (pr < 0) {
        a->cpin_urc = 1; /* state unknown for a moment: read the ICCID at the next poll */
        m->lost = 1;
        *ev = SCB_AT_EV_LOST;
        *present = m->present;
        return pr == SCB_E_READER_UNAVAILABLE || pr == SCB_E_TIMEOUT ? SCB_OK : pr;
    }
    *present = pr;
    m->lost = 0;
    if (pr && (urc || pr != m->present) && scb_at_iccid(m->t, iccid, sizeof(iccid)) < 0) {
        iccid[0] = '\0';
    }
    if (m->present >= 0 && pr != m->present) {
        *ev = pr ? SCB_AT_EV_INSERTED : SCB_AT_EV_REMOVED;
    } else if (pr && urc && iccid[0] && m->iccid[0] && strcmp(iccid, m->iccid) != 0) {
        *ev = SCB_AT_EV_SWAPPED;
    }
    if (pr && iccid[0]) {
        if (m->present == 1 && m->iccid[0] && strcmp(iccid, m->iccid) != 0) {
            *ev = SCB_AT_EV_SWAPPED;
        }
        snprintf(m->iccid, sizeof(m->iccid), "%s", iccid);
    }
    if (*ev != SCB_AT_EV_NONE) {
        a->events++;
        a->present = pr;
    }
    m->present = pr;
    return SCB_OK;
}

int scb_at_monitor_wait(struct scb_at_monitor *m, unsigned timeout_ms, enum scb_at_event *ev,
                        int *present)
{
    if (m == NULL || ev == NULL || present == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct at *a = m->t->self;
    long long end = now_ms() + timeout_ms;
    *ev = SCB_AT_EV_NONE;
    *present = m->present;
    m->woken = 0;
    for (;;) {
        long long now = now_ms();
        if (now >= m->next_poll || a->cpin_urc) {
            m->next_poll = now + m->poll_ms;
            int ret = monitor_poll(m, ev, present);
            if (ret < 0 || *ev != SCB_AT_EV_NONE) {
                return ret;
            }
        }
        long long until = m->next_poll < end ? m->next_poll : end;
        a->p.busy = 0;
        take_unsolicited(a); /* what came after the poll's final result */
        if (a->cpin_urc) {
            continue;
        }
        if (now >= end) {
            return SCB_OK;
        }
        /* between polls: URCs only (a +CPIN: URC brings the poll forward) */
        int r = read_or_wake(a, until - now, m->wake_fd);
        if (r == 2) {
            m->woken = 1;
            return SCB_OK;
        }
        if (r < 0) {
            m->lost = 1;
            *ev = SCB_AT_EV_LOST;
            struct timespec ts = {0, 200 * 1000000L};
            nanosleep(&ts, NULL); /* a port that went away: do not spin */
            return SCB_OK;
        }
        a->p.busy = 0;
        take_unsolicited(a);
    }
}

const char *scb_at_monitor_iccid(const struct scb_at_monitor *m)
{
    return m ? m->iccid : "";
}

void scb_at_monitor_free(struct scb_at_monitor **m)
{
    if (m == NULL || *m == NULL) {
        return;
    }
    struct at *a = at_of((*m)->t);
    if (a) {
        a->p.urc = NULL;
    }
    free(*m);
    *m = NULL;
}

/* ---- the modem as a daemon's event source ------------------------------------------------- */

/* One open port serves both the presence monitor and the card reads (a second open would be
 * refused: the port is exclusive), one thread at a time: the daemon's. */
struct at_events {
    struct scb_at_opts o;          /* to open the port again after it went away */
    struct scb_transport *t;       /* the port, owned; NULL while it cannot be opened */
    struct scb_at_monitor *m;      /* NULL with t */
    int efd;                       /* wake writes here; the monitor's waits poll it */
    int reachable;                 /* the last poll had an answer */
    int fresh;                     /* no wait yet: the first one reports a change */
    uint32_t events_base;          /* events counted on ports closed since */
    char name[SCB_READER_NAME_MAX];
    char imei[20];                 /* read once, when first asked */
};

static void errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
}

static void ate_note(struct at_events *x, const char *what)
{
    if (x->o.log) {
        char line[SCB_READER_NAME_MAX + SCB_ERR_MAX + 128];
        snprintf(line, sizeof(line), "modem %s: %s", x->name, what);
        x->o.log(x->o.log_ctx, line);
    }
}

static void ate_close(struct at_events *x)
{
    if (x->t) {
        x->events_base += ((struct at *)x->t->self)->events;
    }
    scb_at_monitor_free(&x->m);
    scb_transport_free(&x->t);
}

/* Open the port and start its presence monitor (the baseline poll runs here). */
static int ate_open_port(struct at_events *x, char *err, size_t errlen)
{
    int ret = scb_at_open(&x->o, &x->t, err, errlen);
    if (ret == SCB_OK && (ret = scb_at_monitor_new(x->t, x->o.poll_ms, &x->m)) < 0) {
        errf(err, errlen, "modem monitor: %s", scb_error_string(ret));
        scb_transport_free(&x->t);
    }
    if (ret == SCB_OK) {
        x->m->wake_fd = x->efd;
    }
    return ret;
}

/* The modem did not answer at the last poll: its port may have gone with a USB reset or a
 * modem restart, so it is opened again (the daemon backs off between two tries). 0 when the
 * modem answers again, else SCB_E_NO_SERVICE. */
static int ate_recover(struct at_events *x, int *changed)
{
    char err[SCB_ERR_MAX];
    ate_close(x);
    if (ate_open_port(x, err, sizeof(err)) < 0 || x->m->lost) {
        return SCB_E_NO_SERVICE;
    }
    x->reachable = 1;
    ate_note(x, "answers again");
    *changed = 1;
    return SCB_OK;
}

static int ate_wait(void *self, int timeout_ms, int *changed)
{
    static const char *const names[] = {"none", "SIM removed", "SIM inserted", "SIM swapped",
                                        "lost"};
    struct at_events *x = self;
    long long end = timeout_ms < 0 ? LLONG_MAX : now_ms() + timeout_ms;
    *changed = x->fresh;
    x->fresh = 0;
    if (!x->reachable && !*changed) {
        return ate_recover(x, changed);
    }
    while (!*changed) {
        long long left = end - now_ms();
        unsigned poll_ms = x->m->poll_ms;
        unsigned slice = left <= 0 ? 0 : left > poll_ms ? poll_ms : (unsigned)left;
        enum scb_at_event ev = SCB_AT_EV_NONE;
        int present;
        int ret = scb_at_monitor_wait(x->m, slice, &ev, &present);
        if (ret < 0 && !x->m->lost) {
            return ret;
        }
        /* a poll that failed (the port gone, a write refused) is the modem not answering */
        if (x->reachable != !x->m->lost) {
            /* no answer: the SIM's state is unknown until the modem answers again (R4) */
            x->reachable = !x->m->lost;
            ate_note(x, x->reachable ? "answers again" : "does not answer (SIM state unknown)");
            *changed = 1;
        }
        if (ev != SCB_AT_EV_NONE && ev != SCB_AT_EV_LOST) {
            ate_note(x, names[ev]);
            *changed = 1;
        }
        if (x->m->woken || now_ms() >= end) {
            break;
        }
    }
    return SCB_OK;
}

static void ate_wake(void *self)
{
    struct at_events *x = self;
    uint64_t one = 1;
    ssize_t w = write(x->efd, &one, sizeof(one)); /* a full counter already wakes */
    (void)w;
}

static int ate_reader(void *self, struct scb_events_reader *out)
{
    struct at_events *x = self;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", x->name);
    out->reachable = x->reachable && x->t != NULL;
    out->present = x->m && x->m->present > 0;
    out->events = x->events_base + (x->t ? ((struct at *)x->t->self)->events : 0);
    return SCB_OK;
}

static int ate_open(void *self, const char *reader, struct scb_transport **out, char *err,
                    size_t errlen)
{
    struct at_events *x = self;
    (void)reader; /* one modem, one SIM */
    if (x->t == NULL) {
        errf(err, errlen, "modem %s: the port is not open", x->name);
        return SCB_E_NO_SERVICE;
    }
    struct at *a = x->t->self;
    if ((*out = scb_transport_new(&at_ops, a)) == NULL) {
        errf(err, errlen, "out of memory");
        return SCB_E_NOMEM;
    }
    a->lent++; /* its scb_transport_free leaves the port open */
    return SCB_OK;
}

static int ate_imei(void *self, char *buf, size_t cap)
{
    struct at_events *x = self;
    if (x->imei[0] == '\0' && x->t == NULL) {
        return SCB_E_NO_SERVICE;
    }
    if (x->imei[0] == '\0') {
        int ret = scb_at_imei(x->t, x->imei, sizeof(x->imei));
        if (ret < 0) {
            x->imei[0] = '\0';
            return ret;
        }
    }
    if (cap <= strlen(x->imei)) {
        return SCB_E_INVALID_ARG;
    }
    snprintf(buf, cap, "%s", x->imei);
    return SCB_OK;
}

static void ate_destroy(void *self)
{
    struct at_events *x = self;
    if (x) {
        ate_close(x);
        if (x->efd >= 0) {
            close(x->efd);
        }
        free(x);
    }
}

static const struct scb_events_ops at_events_ops = {
    .name = "modem", .wait = ate_wait, .wake = ate_wake, .reader = ate_reader,
    .open = ate_open, .destroy = ate_destroy, .imei = ate_imei};

/* A port that is not there (yet) or does not answer may come: waited for. A bad setting, a
 * port another program holds and out of memory are not waited for: they need the operator. */
static int port_may_appear(int ret)
{
    return ret == SCB_E_NOT_FOUND || ret == SCB_E_IO || ret == SCB_E_TIMEOUT ||
           ret == SCB_E_NO_SERVICE;
}

int scb_at_events_new(const struct scb_at_opts *o, struct scb_events **out, char *err,
                      size_t errlen)
{
    char own[SCB_ERR_MAX];
    if (err == NULL || errlen == 0) {
        err = own; /* the reason goes to the log when the port is waited for */
        errlen = sizeof(own);
    }
    if (o == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    struct at_events *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        return SCB_E_NOMEM;
    }
    int ret = SCB_E_IO;
    x->o = *o;
    snprintf(x->name, sizeof(x->name), "at:%.250s", o->device);
    x->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (x->efd < 0) {
        errf(err, errlen, "eventfd: %s", strerror(errno));
    } else {
        ret = ate_open_port(x, err, errlen);
    }
    if (ret < 0 && x->efd >= 0 && port_may_appear(ret)) {
        /* a USB modem enumerates after boot, or re-enumerates: the source starts as one whose
         * modem does not answer (the SIM's state unknown, R4), and each wait opens it again
         * while the daemon backs off */
        char line[SCB_ERR_MAX + 96];
        snprintf(line, sizeof(line), "cannot be opened yet (%.*s): waiting for it",
                 SCB_ERR_MAX, err[0] ? err : scb_error_string(ret));
        ate_note(x, line);
        err[0] = '\0';
        x->fresh = 1;
        return scb_events_new(&at_events_ops, x, out);
    }
    if (ret < 0) {
        ate_destroy(x);
        return ret;
    }
    x->reachable = !x->m->lost;
    x->fresh = 1;
    ate_note(x, "presence poll (AT+CPIN?) started");
    return scb_events_new(&at_events_ops, x, out);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emu_modem.c: a cellular modem's AT port in front of the emulated card. Its own command
 * reader (not the host's at_parse.c, so a host bug is not mirrored): a command ends at CR,
 * "AT" is case-insensitive, parameters are decimal or quoted hex. Answers have the
 * "\r\n<line>\r\n" framing of 27.007 and go out through write_out(), which adds latency,
 * the byte time of the configured baud rate and the pieces with pauses between them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "scboot/emu_modem.h"
#include "scboot/uicc.h"
#include "scboot/util.h"

#define IN_MAX 2048
#define CHANNELS 20

struct scb_emu_modem {
    struct scb_emu *e;
    struct scb_emu_modem_opts o;
    char imei[20];
    int echo;
    int cmee;                 /* AT+CMEE: 0 ERROR, 1 numeric, 2 verbose */
    char in[IN_MAX];
    size_t inlen;
    int overflow;
    unsigned sid[CHANNELS];   /* session id per open channel (0: closed) */
    unsigned card_cmds, apdus;
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (ms && nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

void scb_emu_modem_opts_init(struct scb_emu_modem_opts *o)
{
    if (o == NULL) {
        return;
    }
    memset(o, 0, sizeof(*o));
    o->hostile = SCB_EMU_MODEM_HONEST;
    o->imei = NULL;
}

void scb_emu_modem_opts_messy(struct scb_emu_modem_opts *o)
{
    scb_emu_modem_opts_init(o);
    o->echo = 1;
    o->urcs = 1;
    o->chunk = 7;
    o->chunk_delay_ms = 1;
    o->latency_ms = 2;
    o->cme_verbose = 1;
    o->ccho_prefix = 1;
    o->session_base = 40;
    o->slow_ms = 300;
    o->slow_every = 5;
    o->cpin_urcs = 1;
}

int scb_emu_modem_new(struct scb_emu *e, const struct scb_emu_modem_opts *o,
                      struct scb_emu_modem **out)
{
    struct scb_emu_modem *m;
    if (e == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((m = calloc(1, sizeof(*m))) == NULL) {
        return SCB_E_NOMEM;
    }
    m->e = e;
    if (o) {
        m->o = *o;
    }
    snprintf(m->imei, sizeof(m->imei), "%.15s", m->o.imei ? m->o.imei : "356938035643809");
    m->o.imei = NULL;
    m->echo = m->o.echo;
    *out = m;
    return SCB_OK;
}

void scb_emu_modem_free(struct scb_emu_modem **m)
{
    if (m && *m) {
        scb_util_zeroize(*m, sizeof(**m));
        free(*m);
        *m = NULL;
    }
}

unsigned scb_emu_modem_card_commands(const struct scb_emu_modem *m)
{
    return m ? m->card_cmds : 0;
}

unsigned scb_emu_modem_apdus(const struct scb_emu_modem *m)
{
    return m ? m->apdus : 0;
}

/* ---- output --------------------------------------------------------------------------- */

static int write_raw(int fd, const char *b, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            poll(&pf, 1, 1000);
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_out(struct scb_emu_modem *m, int fd, const char *b, size_t n)
{
    size_t piece = m->o.chunk ? m->o.chunk : n;
    while (n > 0) {
        size_t k = n < piece ? n : piece;
        if (m->o.baud) {
            /* 10 bits a byte (8N1) */
            long us = (long)((unsigned long long)k * 10ull * 1000000ull / m->o.baud);
            struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
            nanosleep(&ts, NULL);
        }
        if (write_raw(fd, b, k) < 0) {
            return -1;
        }
        b += k;
        n -= k;
        if (n && m->o.chunk_delay_ms) {
            sleep_ms(m->o.chunk_delay_ms);
        }
    }
    return 0;
}

static int line(struct scb_emu_modem *m, int fd, const char *text)
{
    char b[1200];
    int n = snprintf(b, sizeof(b), "\r\n%s\r\n", text);
    return write_out(m, fd, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

static const char *cme_text(int n)
{
    switch (n) {
    case 3: return "operation not allowed";
    case 4: return "operation not supported";
    case 10: return "SIM not inserted";
    case 13: return "SIM failure";
    case 21: return "invalid index";
    case 50: return "incorrect parameters";
    default: return "unknown";
    }
}

static int cme(struct scb_emu_modem *m, int fd, int n)
{
    char b[80];
    if (m->cmee == 0 && !m->o.cme_verbose) {
        return line(m, fd, "ERROR");
    }
    if (m->cmee == 2 || m->o.cme_verbose) {
        snprintf(b, sizeof(b), "+CME ERROR: %s", cme_text(n));
    } else {
        snprintf(b, sizeof(b), "+CME ERROR: %d", n);
    }
    return line(m, fd, b);
}

/* The information line, then (messy modem) URCs, then OK. */
static int answer(struct scb_emu_modem *m, int fd, const char *info)
{
    if (info && line(m, fd, info) < 0) {
        return -1;
    }
    if (m->o.urcs && info) {
        if (line(m, fd, "+CEREG: 1,\"1A2B\",\"01C2D3E4\",7") < 0 || line(m, fd, "RING") < 0 ||
            line(m, fd, "+QIND: \"csq\",20,99") < 0) {
            return -1;
        }
    }
    return line(m, fd, "OK");
}

/* ---- the card side ---------------------------------------------------------------------- */

/* One APDU to the card, with the modem's own 61xx/6Cxx handling when configured. */
static int card_apdu(struct scb_emu_modem *m, const uint8_t *c, size_t cl, uint8_t *r,
                     size_t cap, size_t *rl)
{
    uint8_t cmd[300];
    size_t len = cl < sizeof(cmd) ? cl : sizeof(cmd);
    size_t have = 0;
    memcpy(cmd, c, len);
    m->apdus++;
    int ret = scb_emu_transmit(m->e, cmd, len, r, cap, rl);
    for (int i = 0; ret == SCB_OK && m->o.fetch_61xx && i < 32 && *rl >= 2; i++) {
        uint8_t sw1 = r[*rl - 2], sw2 = r[*rl - 1];
        if (sw1 == 0x61 || (sw1 == 0x6C && len >= 5)) {
            uint8_t gr[5] = {(uint8_t)(cmd[0] & 0x40 ? cmd[0] & 0x4F : cmd[0] & 0x03), 0xC0, 0, 0,
                              sw2};
            size_t got;
            if (sw1 == 0x6C) {
                cmd[len == 5 ? 4 : len - 1] = sw2; /* re-send with the Le the card wants */
                m->apdus++;
                ret = scb_emu_transmit(m->e, cmd, len, r + have, cap - have, &got);
            } else {
                m->apdus++;
                have += *rl - 2; /* keep the data so far, drop its SW */
                ret = scb_emu_transmit(m->e, gr, 5, r + have, cap - have, &got);
            }
            *rl = have + got;
            continue;
        }
        break;
    }
    return ret;
}

static int hexarg(const char *s, uint8_t *out, size_t cap, size_t *len, const char **end)
{
    /* "<hex>" */
    const char *q;
    if (*s != '"' || (q = strchr(s + 1, '"')) == NULL) {
        return -1;
    }
    size_t hl = (size_t)(q - s - 1);
    char tmp[IN_MAX];
    if (hl >= sizeof(tmp) || hl % 2) {
        return -1;
    }
    memcpy(tmp, s + 1, hl);
    tmp[hl] = '\0';
    if (scb_util_hex_decode(tmp, out, cap, len) < 0) {
        return -1;
    }
    *end = q + 1;
    return 0;
}

/* Answer "+CSIM: <len>,\"<hex>\"" / "+CGLA: ..." honestly or as the hostile modem does. */
static int hex_info(struct scb_emu_modem *m, int fd, const char *prefix, const uint8_t *r,
                    size_t rl)
{
    char b[1200];
    int n = snprintf(b, sizeof(b), "%s: %zu,\"",
                     m->o.hostile == SCB_EMU_MODEM_OTHER_ANSWER
                         ? (strcmp(prefix, "+CSIM") == 0 ? "+CGLA" : "+CSIM")
                         : prefix,
                     2 * rl + (m->o.hostile == SCB_EMU_MODEM_LYING_LENGTH ? 4 : 0));
    scb_util_hex_encode(r, rl, b + n, sizeof(b) - (size_t)n - 2);
    strcat(b, "\"");
    return answer(m, fd, b);
}

static int slow(struct scb_emu_modem *m)
{
    m->card_cmds++;
    if (m->o.slow_every && m->card_cmds % m->o.slow_every == 0) {
        sleep_ms(m->o.slow_ms);
    }
    if (m->o.hostile == SCB_EMU_MODEM_NO_EOL) {
        return 1;
    }
    return 0;
}

static int no_eol(struct scb_emu_modem *m, int fd)
{
    char junk[512];
    memset(junk, 'A', sizeof(junk));
    for (int i = 0; i < 8; i++) {
        if (write_raw(fd, junk, sizeof(junk)) < 0) {
            return -1;
        }
    }
    (void)m;
    return 0;
}

static int do_csim(struct scb_emu_modem *m, int fd, const char *args, int cgla)
{
    uint8_t apdu[300], r[600];
    size_t al, rl;
    unsigned long declared, sid = 0;
    char *end;
    const char *e2;
    unsigned ch = 0;

    if (m->o.no_csim) {
        return cme(m, fd, 4);
    }
    if (cgla) {
        sid = strtoul(args, &end, 10);
        if (*end != ',') {
            return cme(m, fd, 50);
        }
        args = end + 1;
        for (ch = 1; ch < CHANNELS && !(m->sid[ch] && m->sid[ch] == sid); ch++) {
        }
        if (ch >= CHANNELS) {
            return cme(m, fd, 21); /* no such session */
        }
    }
    declared = strtoul(args, &end, 10);
    if (*end != ',' || hexarg(end + 1, apdu, sizeof(apdu), &al, &e2) < 0 || *e2 != '\0' ||
        declared != 2 * al || al < 4) {
        return cme(m, fd, 50);
    }
    if (slow(m)) {
        return no_eol(m, fd);
    }
    if (!cgla && apdu[1] == 0x70 && m->o.no_csim_manage) {
        return cme(m, fd, 3);
    }
    int ret = card_apdu(m, apdu, al, r, sizeof(r), &rl);
    if (ret == SCB_E_NO_CARD || ret == SCB_E_CARD_REMOVED) {
        return cme(m, fd, 10);
    }
    if (ret < 0) {
        return cme(m, fd, 13);
    }
    if (!cgla && apdu[1] == 0x70 && apdu[2] == 0x80 && rl >= 2 && r[rl - 2] == 0x90) {
        m->sid[apdu[3] < CHANNELS ? apdu[3] : 0] = 0;
    }
    return hex_info(m, fd, cgla ? "+CGLA" : "+CSIM", r, rl);
}

static int do_ccho(struct scb_emu_modem *m, int fd, const char *args)
{
    uint8_t aid[32], r[300], cmd[64];
    size_t al, rl;
    const char *e2;
    char b[48];

    if (m->o.no_csim || m->o.no_ccho) {
        return cme(m, fd, 4);
    }
    if (hexarg(args, aid, sizeof(aid), &al, &e2) < 0 || *e2 != '\0' || al == 0 || al > 16) {
        return cme(m, fd, 50);
    }
    if (slow(m)) {
        return no_eol(m, fd);
    }
    static const uint8_t open[] = {0x00, 0x70, 0x00, 0x00, 0x01};
    int ret = card_apdu(m, open, sizeof(open), r, sizeof(r), &rl);
    if (ret == SCB_E_NO_CARD || ret == SCB_E_CARD_REMOVED) {
        return cme(m, fd, 10);
    }
    if (ret < 0 || rl != 3 || r[1] != 0x90 || r[0] == 0 || r[0] >= CHANNELS) {
        return cme(m, fd, 3);
    }
    unsigned ch = r[0];
    cmd[0] = ch < 4 ? (uint8_t)ch : (uint8_t)(0x40 | (ch - 4));
    cmd[1] = 0xA4, cmd[2] = 0x04, cmd[3] = 0x00, cmd[4] = (uint8_t)al;
    memcpy(cmd + 5, aid, al);
    ret = card_apdu(m, cmd, 5 + al, r, sizeof(r), &rl);
    if (ret < 0 || rl < 2 || (r[rl - 2] != 0x90 && r[rl - 2] != 0x61)) {
        uint8_t close[] = {cmd[0], 0x70, 0x80, (uint8_t)ch};
        card_apdu(m, close, sizeof(close), r, sizeof(r), &rl);
        return cme(m, fd, ret == SCB_E_NO_CARD ? 10 : 3);
    }
    m->sid[ch] = ch + m->o.session_base;
    if (m->sid[ch] == 0) {
        m->sid[ch] = ch;
    }
    snprintf(b, sizeof(b), "%s%u", m->o.ccho_prefix ? "+CCHO: " : "", m->sid[ch]);
    return answer(m, fd, b);
}

static int do_ccho_close(struct scb_emu_modem *m, int fd, const char *args)
{
    char *end;
    uint8_t r[16];
    size_t rl;
    unsigned long sid = strtoul(args, &end, 10);
    if (*end != '\0' || m->o.no_csim) {
        return cme(m, fd, m->o.no_csim ? 4 : 50);
    }
    for (unsigned ch = 1; ch < CHANNELS; ch++) {
        if (m->sid[ch] && m->sid[ch] == sid) {
            uint8_t close[] = {ch < 4 ? (uint8_t)ch : (uint8_t)(0x40 | (ch - 4)), 0x70, 0x80,
                               (uint8_t)ch};
            slow(m);
            m->sid[ch] = 0;
            card_apdu(m, close, sizeof(close), r, sizeof(r), &rl);
            return answer(m, fd, NULL);
        }
    }
    return cme(m, fd, 21);
}

/* +CRSM=<cmd>,<fileid>,<p1>,<p2>,<p3>: READ BINARY (176), READ RECORD (178), GET RESPONSE
 * (192), STATUS (242) on the basic channel. */
static int do_crsm(struct scb_emu_modem *m, int fd, const char *args)
{
    unsigned v[5] = {0};
    int n = sscanf(args, "%u,%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3], &v[4]);
    uint8_t r[300], cmd[8];
    size_t rl = 0;
    char b[700];
    int ret;

    if (n < 1) {
        return cme(m, fd, 50);
    }
    slow(m);
    if (v[0] != 242) {
        uint8_t sel[] = {0x00, 0xA4, 0x00, 0x04, 0x02, (uint8_t)(v[1] >> 8), (uint8_t)v[1]};
        if (n < 2) {
            return cme(m, fd, 50);
        }
        ret = card_apdu(m, sel, sizeof(sel), r, sizeof(r), &rl);
        if (ret < 0) {
            return cme(m, fd, ret == SCB_E_NO_CARD ? 10 : 13);
        }
        if (v[0] == 192 || rl < 2 || (r[rl - 2] != 0x90 && r[rl - 2] != 0x61)) {
            goto reply; /* GET RESPONSE: the SELECT's own answer (the FCP) */
        }
    }
    cmd[0] = 0x00;
    cmd[1] = v[0] == 176 ? 0xB0 : v[0] == 178 ? 0xB2 : v[0] == 242 ? 0xF2 : 0x00;
    if (cmd[1] == 0) {
        return cme(m, fd, 4);
    }
    cmd[2] = (uint8_t)v[2], cmd[3] = (uint8_t)v[3], cmd[4] = (uint8_t)v[4];
    ret = card_apdu(m, cmd, 5, r, sizeof(r), &rl);
    if (ret < 0) {
        return cme(m, fd, ret == SCB_E_NO_CARD ? 10 : 13);
    }
reply:
    if (rl < 2) {
        return cme(m, fd, 13);
    }
    n = snprintf(b, sizeof(b), "+CRSM: %u,%u", r[rl - 2], r[rl - 1]);
    if (rl > 2) {
        strcat(b, ",\"");
        scb_util_hex_encode(r, rl - 2, b + n + 2, sizeof(b) - (size_t)n - 4);
        strcat(b, "\"");
    }
    return answer(m, fd, b);
}

/* The ICCID as the modem reads it: EF ICCID on the basic channel. */
static int read_iccid(struct scb_emu_modem *m, char *out, size_t cap)
{
    static const uint8_t sel[] = {0x00, 0xA4, 0x00, 0x04, 0x02, 0x2F, 0xE2};
    static const uint8_t rd[] = {0x00, 0xB0, 0x00, 0x00, 0x0A};
    uint8_t r[300];
    size_t rl;
    if (scb_emu_transmit(m->e, sel, sizeof(sel), r, sizeof(r), &rl) < 0 ||
        scb_emu_transmit(m->e, rd, sizeof(rd), r, sizeof(r), &rl) < 0 || rl != 12) {
        return -1;
    }
    return scb_uicc_iccid_decode(r, 10, out, cap) < 0 ? -1 : 0;
}

static int command(struct scb_emu_modem *m, int fd, char *c)
{
    char b[80];
    if (m->o.hostile == SCB_EMU_MODEM_URC_FLOOD) {
        for (int i = 0; i < 500; i++) {
            if (line(m, fd, "+CEREG: 2") < 0) {
                return -1;
            }
        }
    }
    if (m->o.latency_ms) {
        sleep_ms(m->o.latency_ms);
    }
    if (strncasecmp(c, "AT", 2) != 0) {
        return line(m, fd, "ERROR");
    }
    c += 2;
    /* the command name is case-insensitive, its quoted arguments are not touched */
    for (char *p = c; *p && *p != '=' && *p != '?'; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p = (char)(*p - 'a' + 'A');
        }
    }
    if (*c == '\0') {
        return answer(m, fd, NULL);
    }
    if (strcmp(c, "E0") == 0 || strcmp(c, "E1") == 0) {
        m->echo = c[1] == '1';
        return answer(m, fd, NULL);
    }
    if (strcmp(c, "Z") == 0) {
        m->echo = m->o.echo;
        m->cmee = 0;
        memset(m->sid, 0, sizeof(m->sid));
        return answer(m, fd, NULL);
    }
    if (strncmp(c, "+CMEE=", 6) == 0 && c[6] >= '0' && c[6] <= '2' && c[7] == '\0') {
        m->cmee = c[6] - '0';
        return answer(m, fd, NULL);
    }
    if (strcmp(c, "+CPIN?") == 0) {
        return scb_emu_present(m->e) ? answer(m, fd, "+CPIN: READY") : cme(m, fd, 10);
    }
    if (strcmp(c, "+CGSN") == 0) {
        return answer(m, fd, m->imei);
    }
    if (strcmp(c, "+CCID") == 0) {
        char iccid[24];
        if (!scb_emu_present(m->e)) {
            return cme(m, fd, 10);
        }
        if (read_iccid(m, iccid, sizeof(iccid)) < 0) {
            return cme(m, fd, 13);
        }
        snprintf(b, sizeof(b), "+CCID: %s", iccid);
        return answer(m, fd, b);
    }
    if (strncmp(c, "+CSIM=", 6) == 0) {
        return do_csim(m, fd, c + 6, 0);
    }
    if (strncmp(c, "+CGLA=", 6) == 0) {
        return do_csim(m, fd, c + 6, 1);
    }
    if (strncmp(c, "+CCHO=", 6) == 0) {
        return do_ccho(m, fd, c + 6);
    }
    if (strncmp(c, "+CCHC=", 6) == 0) {
        return do_ccho_close(m, fd, c + 6);
    }
    if (strncmp(c, "+CRSM=", 6) == 0) {
        return do_crsm(m, fd, c + 6);
    }
    return line(m, fd, "ERROR");
}

int scb_emu_modem_serve(struct scb_emu_modem *m, int fd, unsigned timeout_ms)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    char buf[512];
    if (m == NULL || fd < 0) {
        return SCB_E_INVALID_ARG;
    }
    int r = poll(&pf, 1, (int)timeout_ms);
    if (r < 0) {
        return errno == EINTR ? SCB_OK : SCB_E_IO;
    }
    if (r == 0) {
        return SCB_OK;
    }
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return SCB_OK;
    }
    if (n <= 0) {
        return SCB_E_IO; /* the client side closed (a pty master sees EIO) */
    }
    for (ssize_t i = 0; i < n; i++) {
        char ch = buf[i];
        if (ch == '\n' && m->inlen == 0) {
            continue;
        }
        if (ch != '\r' && ch != '\n') {
            if (m->inlen + 1 >= IN_MAX) {
                m->overflow = 1; /* too long: answered ERROR at its end */
                continue;
            }
            m->in[m->inlen++] = ch;
            continue;
        }
        m->in[m->inlen] = '\0';
        if (m->echo) {
            m->in[m->inlen] = '\r';
            if (write_out(m, fd, m->in, m->inlen + 1) < 0) {
                return SCB_E_IO;
            }
            m->in[m->inlen] = '\0';
        }
        int ret = m->overflow ? line(m, fd, "ERROR") : m->inlen ? command(m, fd, m->in) : 0;
        scb_util_zeroize(m->in, sizeof(m->in)); /* a +CSIM may carry a PIN */
        m->inlen = 0;
        m->overflow = 0;
        if (ret < 0) {
            return SCB_E_IO;
        }
    }
    return SCB_OK;
}

void scb_emu_modem_remove(struct scb_emu_modem *m, int fd)
{
    if (m == NULL) {
        return;
    }
    scb_emu_remove(m->e);
    memset(m->sid, 0, sizeof(m->sid));
    if (m->o.cpin_urcs && fd >= 0) {
        line(m, fd, "+CPIN: NOT READY");
    }
}

void scb_emu_modem_insert(struct scb_emu_modem *m, int fd)
{
    if (m == NULL) {
        return;
    }
    scb_emu_insert(m->e);
    if (m->o.cpin_urcs && fd >= 0) {
        line(m, fd, "+CPIN: READY");
    }
}

int scb_emu_modem_swap(struct scb_emu_modem *m, int fd, const char *iccid)
{
    if (m == NULL || iccid == NULL) {
        return SCB_E_INVALID_ARG;
    }
    scb_emu_remove(m->e);
    int ret = scb_emu_set_iccid(m->e, iccid);
    scb_emu_insert(m->e);
    memset(m->sid, 0, sizeof(m->sid));
    if (m->o.cpin_urcs && fd >= 0) {
        line(m, fd, "+CPIN: READY");
    }
    return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_at.c: the AT answer parser (fed byte by byte and whole; echo, URCs inside answers,
 * CME numeric/verbose, bare and prefixed answers, every bound), and the AT transport against
 * the modem simulator on a pseudo-terminal (a thread serves it): the card walk byte-exact
 * with a messy modem, session ids that are not channel numbers, IMEI/ICCID, +CRSM, the
 * presence monitor (removal, insertion, swap), a slow modem, errors that name the command.
 */
#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "at_parse.h"
#include "scboot/at.h"
#include "scboot/card.h"
#include "scboot/card_source.h"
#include "scboot/emu.h"
#include "scboot/emu_modem.h"
#include "scboot/events.h"

/* ---- parser ------------------------------------------------------------------------- */

struct urcs {
    char last[128];
    unsigned n;
};

static void on_urc(void *ctx, const char *line)
{
    struct urcs *u = ctx;
    snprintf(u->last, sizeof(u->last), "%s", line);
    u->n++;
}

/* Feed s one byte at a time (bytewise) or whole; returns the feed's last result. */
static int feed_str(struct scb_at_parser *p, const char *s, int bytewise, size_t *consumed)
{
    size_t n = strlen(s), off = 0, used;
    int r = 0;
    while (off < n) {
        size_t k = bytewise ? 1 : n - off;
        r = scb_at_parser_feed(p, (const uint8_t *)s + off, k, &used);
        off += used;
        if (r != 0) {
            break;
        }
    }
    if (consumed) {
        *consumed = off;
    }
    return r;
}

static void test_parse_messy_answer(void **state)
{
    (void)state;
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        struct scb_at_parser p;
        struct urcs u = {0};
        size_t used;
        const char *in = "AT+CSIM=10,\"00A4000C02\"\r\r\n+CSIM: 4,\"9000\"\r\n\r\n+CEREG: 1"
                         "\r\n\r\nRING\r\n\r\n^SYSSTART\r\n\r\nOK\r\n\r\n+CPIN: READY\r\n";
        scb_at_parser_init(&p, on_urc, &u);
        scb_at_parser_start(&p, "AT+CSIM=10,\"00A4000C02\"", "+CSIM:", 0);
        assert_int_equal(feed_str(&p, in, bytewise, &used), 1);
        assert_int_equal(p.final, SCB_AT_OK);
        assert_int_equal(p.have_info, 1);
        assert_string_equal(p.info, "+CSIM: 4,\"9000\"");
        assert_int_equal(p.echoes, 1);
        assert_int_equal(u.n, 3);
        /* what follows the final result is left for later (a URC between commands) */
        assert_true(used < strlen(in));
        assert_int_equal(feed_str(&p, in + used, bytewise, NULL), 0);
        assert_string_equal(u.last, "+CPIN: READY");
    }
}

static void test_parse_cme(void **state)
{
    struct scb_at_parser p;
    char txt[128];
    (void)state;
    scb_at_parser_init(&p, NULL, NULL);
    scb_at_parser_start(&p, "AT+CPIN?", "+CPIN:", 0);
    assert_int_equal(feed_str(&p, "\r\n+CME ERROR: 10\r\n", 0, NULL), 1);
    assert_int_equal(p.final, SCB_AT_CME);
    assert_int_equal(p.cme, 10);
    scb_at_final_text(&p, txt, sizeof(txt));
    assert_non_null(strstr(txt, "SIM not inserted"));
    scb_at_parser_start(&p, "AT+CPIN?", "+CPIN:", 0);
    assert_int_equal(feed_str(&p, "\r\n+CME ERROR: SIM not inserted\r\n", 1, NULL), 1);
    assert_int_equal(p.cme, -1);
    assert_string_equal(p.cme_text, "SIM not inserted");
    scb_at_parser_start(&p, "AT+CSIM=4,\"0070\"", "+CSIM:", 0);
    assert_int_equal(feed_str(&p, "\r\nERROR\r\n", 0, NULL), 1);
    assert_int_equal(p.final, SCB_AT_ERROR);
    scb_at_parser_start(&p, "AT+CMGS", NULL, 0);
    assert_int_equal(feed_str(&p, "\r\n+CMS ERROR: 500\r\n", 0, NULL), 1);
    assert_int_equal(p.final, SCB_AT_CMS);
}

static void test_parse_bare_and_prefixed(void **state)
{
    struct scb_at_parser p;
    (void)state;
    scb_at_parser_init(&p, NULL, NULL);
    scb_at_parser_start(&p, "AT+CCHO=\"A0\"", "+CCHO:", 1);
    assert_int_equal(feed_str(&p, "\r\n+CREG: 1\r\n1234\r\nOK\r\n", 0, NULL), 1);
    assert_string_equal(p.info, "1234");
    scb_at_parser_start(&p, "AT+CCHO=\"A0\"", "+CCHO:", 1);
    assert_int_equal(feed_str(&p, "\r\n+CCHO: 7\r\nOK\r\n", 0, NULL), 1);
    assert_string_equal(p.info, "+CCHO: 7");
    /* the bare lines a modem sends after its boot are not the session id: taking one for it
     * would end in "two answers" and leave the channel the modem opened open for good */
    scb_at_parser_start(&p, "AT+CCHO=\"A0\"", "+CCHO:", SCB_AT_BARE_NUMBER);
    assert_int_equal(
        feed_str(&p, "\r\nSMS DONE\r\n\r\nPB DONE\r\nCall Ready\r\n3\r\nOK\r\n", 0, NULL), 1);
    assert_string_equal(p.info, "3");
    scb_at_parser_start(&p, "AT+CGSN", "+CGSN:", SCB_AT_BARE_NUMBER);
    assert_int_equal(feed_str(&p, "\r\nSMS Ready\r\n\"356938035643809\"\r\nOK\r\n", 1, NULL), 1);
    assert_string_equal(p.info, "\"356938035643809\"");
    /* any bare answer where any is asked for (scb_at_command: AT+CGMI -> "Quectel") */
    scb_at_parser_start(&p, "AT+CGMI", NULL, 1);
    assert_int_equal(feed_str(&p, "\r\nQuectel\r\n\r\nOK\r\n", 0, NULL), 1);
    assert_string_equal(p.info, "Quectel");
    /* another command's answer is not taken for ours, and is remembered */
    scb_at_parser_start(&p, "AT+CGLA=1,4,\"0070\"", "+CGLA:", 0);
    assert_int_equal(feed_str(&p, "\r\n+CSIM: 4,\"9000\"\r\nOK\r\n", 0, NULL), 1);
    assert_int_equal(p.have_info, 0);
    assert_string_equal(p.other, "+CSIM: 4,\"9000\"");
}

static void test_parse_bounds(void **state)
{
    struct scb_at_parser p;
    char *big = malloc(5000);
    (void)state;
    memset(big, 'A', 4999);
    big[4999] = '\0';
    scb_at_parser_init(&p, NULL, NULL);
    scb_at_parser_start(&p, "AT", NULL, 0);
    assert_int_equal(feed_str(&p, big, 0, NULL), -1);
    assert_int_equal(p.perr, SCB_AT_PERR_LINE_TOO_LONG);
    free(big);
    /* endless URCs */
    scb_at_parser_start(&p, "AT", NULL, 0);
    int r = 0;
    for (int i = 0; i < 200 && r == 0; i++) {
        r = feed_str(&p, "\r\n+CEREG: 2\r\n", 0, NULL);
    }
    assert_int_equal(r, -1);
    assert_int_equal(p.perr, SCB_AT_PERR_TOO_MANY_LINES);
    /* two answers where one belongs */
    scb_at_parser_start(&p, "AT+CSIM=4,\"0000\"", "+CSIM:", 0);
    assert_int_equal(feed_str(&p, "\r\n+CSIM: 4,\"9000\"\r\n+CSIM: 4,\"9000\"\r\nOK\r\n", 0, NULL),
                     -1);
    assert_int_equal(p.perr, SCB_AT_PERR_TWO_ANSWERS);
    /* +CPIN: as a URC and as the answer of AT+CPIN?: the first of two is the URC */
    struct urcs u = {0};
    scb_at_parser_init(&p, on_urc, &u);
    scb_at_parser_start(&p, "AT+CPIN?", "+CPIN:", 0);
    assert_int_equal(feed_str(&p, "\r\n+CPIN: NOT READY\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n", 1,
                              NULL),
                     1);
    assert_string_equal(p.info, "+CPIN: READY");
    assert_string_equal(u.last, "+CPIN: NOT READY");
    /* a NUL inside a line does not shorten it */
    scb_at_parser_start(&p, "AT", NULL, 0);
    size_t used;
    static const uint8_t nul[] = {'O', 0, 'K', '\r', 'O', 'K', '\r'};
    assert_int_equal(scb_at_parser_feed(&p, nul, sizeof(nul), &used), 1);
    assert_int_equal(used, sizeof(nul));
    /* a modem's text reaches error messages: no escape sequence, no 8-bit byte gets through */
    scb_at_parser_start(&p, "AT+CSIM=4,\"0070\"", "+CSIM:", 0);
    assert_int_equal(feed_str(&p,
                              "\r\n+X\x1b[2J: \xc3\xa9"
                              "\r\n+CME ERROR: \x1b]0;owned\x07\x9b"
                              "31m\r\n",
                              0, NULL),
                     1);
    assert_string_equal(p.cme_text, "?]0;owned??31m");
    assert_string_equal(p.other, "+X?[2J: ??");
}

static void test_parse_hexresp(void **state)
{
    uint8_t out[8];
    size_t len;
    (void)state;
    assert_int_equal(scb_at_parse_hexresp(" 6,\"01029000\"", out, sizeof(out), &len), -1);
    assert_int_equal(scb_at_parse_hexresp(" 8,\"01029000\"", out, sizeof(out), &len), 0);
    assert_int_equal(len, 4);
    assert_int_equal(out[3], 0x00);
    assert_int_equal(scb_at_parse_hexresp("4,9000", out, sizeof(out), &len), 0);
    assert_int_equal(scb_at_parse_hexresp("3,\"900\"", out, sizeof(out), &len), -1);
    assert_int_equal(scb_at_parse_hexresp("4,\"90X0\"", out, sizeof(out), &len), -1);
    assert_int_equal(scb_at_parse_hexresp("4,\"9000\"junk", out, sizeof(out), &len), -1);
    assert_int_equal(scb_at_parse_hexresp("4,\"9000", out, sizeof(out), &len), -1);
    assert_int_equal(scb_at_parse_hexresp("18,\"000000000000009000\"", out, sizeof(out), &len), -1);
    assert_int_equal(scb_at_parse_hexresp("99999999,\"9000\"", out, sizeof(out), &len), -1);
    assert_int_equal(scb_at_parse_hexresp(",\"9000\"", out, sizeof(out), &len), -1);
}

static void test_spec(void **state)
{
    struct scb_at_opts o;
    char err[SCB_ERR_MAX];
    (void)state;
    scb_at_opts_init(&o);
    assert_int_equal(scb_at_parse_spec("at:/dev/ttyUSB2,baud=9600,timeout=800,rtscts,nolock",
                                       &o, err, sizeof(err)),
                     0);
    assert_string_equal(o.device, "/dev/ttyUSB2");
    assert_int_equal(o.baud, 9600);
    assert_int_equal(o.timeout_ms, 800);
    assert_int_equal(o.rtscts, 1);
    assert_int_equal(o.lock, 0);
    assert_int_equal(scb_at_parse_spec("at:/dev/x,baud=fast", &o, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_non_null(strstr(err, "baud=fast"));
    assert_int_equal(scb_at_parse_spec("at:", &o, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_at_parse_spec("at:/dev/x,timeout=0", &o, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_true(scb_at_is_spec("at:/dev/ttyUSB2"));
    assert_false(scb_at_is_spec("virtual:x.json"));
}

/* ---- transport against the simulator ---------------------------------------------------- */

struct modem {
    struct scb_emu *e;
    struct scb_emu_modem *m;
    int master, slave;
    char path[64];
    pthread_t th;
    volatile int stop;
    volatile int remove, insert, swap; /* asks for the serving thread */
    pthread_mutex_t mu;
    struct scb_transport *t;
    char log[2048];
};

static void *serve(void *arg)
{
    struct modem *md = arg;
    while (!md->stop) {
        pthread_mutex_lock(&md->mu);
        if (md->remove) {
            scb_emu_modem_remove(md->m, md->master);
            md->remove = 0;
        }
        if (md->insert) {
            scb_emu_modem_insert(md->m, md->master);
            md->insert = 0;
        }
        if (md->swap) {
            scb_emu_modem_swap(md->m, md->master, "8988211000000000017");
            md->swap = 0;
        }
        /* under the lock: a test may replace the modem between two serves */
        scb_emu_modem_serve(md->m, md->master, 20);
        pthread_mutex_unlock(&md->mu);
        sched_yield();
    }
    return NULL;
}

static void collect_log(void *ctx, const char *line)
{
    struct modem *md = ctx;
    size_t l = strlen(md->log);
    snprintf(md->log + l, sizeof(md->log) - l, "%s\n", line);
}

/* A pseudo-terminal whose slave is raw (else its line discipline echoes the modem's answers
 * back as input) and kept open (else the client's close hangs it up). */
static void pty_raw(int *master, int *slave, char *path, size_t cap)
{
    struct termios tio;
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(*master >= 0);
    assert_int_equal(grantpt(*master), 0);
    assert_int_equal(unlockpt(*master), 0);
    snprintf(path, cap, "%s", ptsname(*master));
    *slave = open(path, O_RDWR | O_NOCTTY);
    assert_true(*slave >= 0);
    tcgetattr(*slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(*slave, TCSANOW, &tio);
}

/* The options of the AT transport on path: no UUCP lock, notes and errors to log. */
static void at_opts(const char *path, unsigned timeout_ms, unsigned poll_ms, scb_at_log_fn log,
                    void *ctx, struct scb_at_opts *o)
{
    scb_at_opts_init(o);
    snprintf(o->device, sizeof(o->device), "%s", path);
    o->lock = 0;
    o->timeout_ms = timeout_ms;
    o->poll_ms = poll_ms;
    o->log = log;
    o->log_ctx = ctx;
}

/* The AT transport on path, open. */
static struct scb_transport *at_up(const char *path, unsigned timeout_ms, scb_at_log_fn log,
                                   void *ctx)
{
    struct scb_at_opts o;
    struct scb_transport *t = NULL;
    char err[SCB_ERR_MAX];
    at_opts(path, timeout_ms, 100, log, ctx, &o);
    int ret = scb_at_open(&o, &t, err, sizeof(err));
    if (ret != 0) {
        fprintf(stderr, "open: %s\n", err);
    }
    assert_int_equal(ret, 0);
    return t;
}

/* The simulator on a pty, served by a thread; nothing opens the port yet. */
static struct modem *modem_serve(const char *profile, const struct scb_emu_modem_opts *mo)
{
    struct modem *md = calloc(1, sizeof(*md));
    char err[SCB_ERR_MAX];
    assert_non_null(md);
    assert_int_equal(scb_emu_load(profile, &md->e, err, sizeof(err)), 0);
    assert_int_equal(scb_emu_modem_new(md->e, mo, &md->m), 0);
    pty_raw(&md->master, &md->slave, md->path, sizeof(md->path));
    pthread_mutex_init(&md->mu, NULL);
    assert_int_equal(pthread_create(&md->th, NULL, serve, md), 0);
    return md;
}

static void modem_opts(struct modem *md, unsigned timeout_ms, unsigned poll_ms,
                       struct scb_at_opts *o)
{
    at_opts(md->path, timeout_ms, poll_ms, collect_log, md, o);
}

static struct modem *modem_up(const char *profile, const struct scb_emu_modem_opts *mo,
                              unsigned timeout_ms)
{
    struct modem *md = modem_serve(profile, mo);
    md->t = at_up(md->path, timeout_ms, collect_log, md);
    return md;
}

static void modem_down(struct modem *md)
{
    scb_transport_free(&md->t);
    md->stop = 1;
    pthread_join(md->th, NULL);
    close(md->slave);
    close(md->master);
    scb_emu_modem_free(&md->m);
    scb_emu_free(&md->e);
    pthread_mutex_destroy(&md->mu);
    free(md);
}

/* The walk through the modem reads what the in-process card gives. */
static void walk_same(const char *profile, const struct scb_emu_modem_opts *mo, const char *pin,
                      unsigned *cmds)
{
    struct scb_emu *e;
    struct scb_transport *vt;
    struct scb_card *c;
    struct scb_card_source_opts so;
    struct scb_card_source_result *want = NULL, *got = NULL;
    char err[SCB_ERR_MAX];

    scb_card_source_opts_init(&so);
    so.pin = pin;
    assert_int_equal(scb_emu_load(profile, &e, err, sizeof(err)), 0);
    vt = scb_emu_transport(e);
    assert_int_equal(scb_card_new(vt, &c), 0);
    assert_int_equal(scb_card_source_read(c, &so, &want, NULL, 0), 0);
    scb_card_free(&c);
    scb_transport_free(&vt);
    scb_emu_free(&e);

    struct modem *md = modem_up(profile, mo, 3000);
    assert_int_equal(scb_card_new(md->t, &c), 0);
    int ret = scb_card_source_read(c, &so, &got, NULL, 0);
    if (ret != 0) {
        fprintf(stderr, "%s%s\n", md->log, scb_card_source_result_reason(got)->detail);
    }
    assert_int_equal(ret, 0);
    assert_int_equal(scb_card_source_result_file_len(got), scb_card_source_result_file_len(want));
    assert_memory_equal(scb_card_source_result_file(got), scb_card_source_result_file(want), scb_card_source_result_file_len(want));
    assert_string_equal(scb_card_source_result_iccid(got), scb_card_source_result_iccid(want));
    if (cmds) {
        *cmds = scb_at_card_commands(md->t);
    }
    scb_card_source_result_free(&got);
    scb_card_source_result_free(&want);
    scb_card_free(&c);
    modem_down(md);
}

static void test_walk_tidy_and_messy(void **state)
{
    struct scb_emu_modem_opts mo;
    unsigned cmds;
    (void)state;
    scb_emu_modem_opts_init(&mo);
    walk_same("data/standard.json", &mo, NULL, &cmds);
    walk_same("data/t1_first_correct_oid.json", &mo, NULL, NULL);
    scb_emu_modem_opts_messy(&mo);
    mo.slow_ms = 20;
    walk_same("data/standard.json", &mo, NULL, NULL);
    walk_same("data/pin.json", &mo, "1234", NULL);
    mo.fetch_61xx = 1;
    unsigned fetched;
    walk_same("data/standard.json", &mo, NULL, &fetched);
    assert_true(fetched < cmds); /* the modem's own GET RESPONSEs do not cross the line */
    mo.no_ccho = 1;
    mo.no_csim_manage = 1;
    walk_same("data/standard.json", &mo, NULL, NULL);
}

static void test_session_not_channel(void **state)
{
    struct scb_emu_modem_opts mo;
    uint8_t rsp[300];
    size_t rl;
    unsigned ch;
    static const uint8_t aid[] = {0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43,
                                  0x53, 0x2D, 0x31, 0x35};
    (void)state;
    scb_emu_modem_opts_init(&mo);
    mo.session_base = 1000;
    struct modem *md = modem_up("data/standard.json", &mo, 3000);
    assert_int_equal(scb_transport_open_channel(md->t, aid, sizeof(aid), &ch), 0);
    assert_int_equal(ch, 1);
    /* SELECT ODF on channel 1: goes out as +CGLA with session 1001 */
    static const uint8_t sel[] = {0x01, 0xA4, 0x00, 0x0C, 0x02, 0x50, 0x31};
    assert_int_equal(scb_transport_transmit(md->t, sel, sizeof(sel), rsp, sizeof(rsp), &rl), 0);
    assert_int_equal(rl, 2);
    assert_int_equal(rsp[0], 0x90);
    assert_int_equal(scb_transport_close_channel(md->t, ch), 0);
    assert_int_equal(scb_transport_close_channel(md->t, ch), SCB_E_UNSUPPORTED);
    modem_down(md);
}

static void test_identity(void **state)
{
    struct scb_emu_modem_opts mo;
    char imei[20], iccid[24];
    (void)state;
    scb_emu_modem_opts_messy(&mo);
    mo.slow_ms = 0;
    struct modem *md = modem_up("data/standard.json", &mo, 3000);
    assert_int_equal(scb_at_imei(md->t, imei, sizeof(imei)), 0);
    assert_string_equal(imei, "356938035643809");
    assert_int_equal(scb_at_iccid(md->t, iccid, sizeof(iccid)), 0);
    assert_string_equal(iccid, "8988211000000430010");
    modem_down(md);
}

static void test_crsm(void **state)
{
    struct scb_emu_modem_opts mo;
    struct scb_card *c;
    struct scb_card_status st;
    uint8_t rsp[300];
    size_t rl;
    (void)state;
    scb_emu_modem_opts_init(&mo);
    mo.no_csim = 1;
    struct modem *md = modem_up("data/standard.json", &mo, 3000);
    /* +CSIM refused: the error says so and what to do */
    static const uint8_t rd[] = {0x00, 0xB0, 0x82, 0x00, 0x0A};
    assert_int_equal(scb_transport_transmit(md->t, rd, sizeof(rd), rsp, sizeof(rsp), &rl),
                     SCB_E_UNSUPPORTED);
    assert_non_null(strstr(md->log, "crsm"));
    scb_transport_free(&md->t);
    struct scb_at_opts o;
    char err[SCB_ERR_MAX];
    scb_at_opts_init(&o);
    snprintf(o.device, sizeof(o.device), "%s", md->path);
    o.lock = 0;
    o.crsm = 1;
    assert_int_equal(scb_at_open(&o, &md->t, err, sizeof(err)), 0);
    /* EF ICCID by SFI through +CRSM READ BINARY */
    assert_int_equal(scb_transport_transmit(md->t, rd, sizeof(rd), rsp, sizeof(rsp), &rl), 0);
    assert_int_equal(rl, 12);
    assert_int_equal(rsp[10], 0x90);
    assert_int_equal(scb_transport_status(md->t, &st), 0);
    assert_int_equal(st.present, 1);
    assert_int_equal(scb_card_new(md->t, &c), 0);
    scb_card_free(&c);
    modem_down(md);
}

static void test_monitor(void **state)
{
    struct scb_emu_modem_opts mo;
    struct scb_at_monitor *m;
    enum scb_at_event ev;
    int present;
    (void)state;
    scb_emu_modem_opts_init(&mo);
    mo.cpin_urcs = 1;
    struct modem *md = modem_up("data/standard.json", &mo, 3000);
    assert_int_equal(scb_at_monitor_new(md->t, 100, &m), 0);
    assert_int_equal(scb_at_monitor_wait(m, 300, &ev, &present), 0);
    assert_int_equal(ev, SCB_AT_EV_NONE);
    assert_int_equal(present, 1);
    assert_string_equal(scb_at_monitor_iccid(m), "8988211000000430010");
    md->remove = 1;
    for (int i = 0; i < 20 && (ev == SCB_AT_EV_NONE); i++) {
        assert_int_equal(scb_at_monitor_wait(m, 200, &ev, &present), 0);
    }
    assert_int_equal(ev, SCB_AT_EV_REMOVED);
    assert_int_equal(present, 0);
    md->insert = 1;
    ev = SCB_AT_EV_NONE;
    for (int i = 0; i < 20 && (ev == SCB_AT_EV_NONE); i++) {
        assert_int_equal(scb_at_monitor_wait(m, 200, &ev, &present), 0);
    }
    assert_int_equal(ev, SCB_AT_EV_INSERTED);
    md->swap = 1;
    ev = SCB_AT_EV_NONE;
    for (int i = 0; i < 20 && (ev == SCB_AT_EV_NONE); i++) {
        assert_int_equal(scb_at_monitor_wait(m, 200, &ev, &present), 0);
    }
    assert_int_equal(ev, SCB_AT_EV_SWAPPED);
    assert_string_equal(scb_at_monitor_iccid(m), "8988211000000000017");
    scb_at_monitor_free(&m);
    /* a removal between the monitor's start and its first wait is an event (the baseline is
     * taken at the start, not at the first wait) */
    assert_int_equal(scb_at_monitor_new(md->t, 100, &m), 0);
    md->remove = 1;
    usleep(100000);
    ev = SCB_AT_EV_NONE;
    for (int i = 0; i < 20 && (ev == SCB_AT_EV_NONE); i++) {
        assert_int_equal(scb_at_monitor_wait(m, 200, &ev, &present), 0);
    }
    assert_int_equal(ev, SCB_AT_EV_REMOVED);
    scb_at_monitor_free(&m);
    modem_down(md);
}

/* Wait on the source until it reports a change (at most about 4 s). */
static void wait_change(struct scb_events *ev)
{
    int changed = 0;
    for (int i = 0; i < 20 && !changed; i++) {
        assert_int_equal(scb_events_wait(ev, 200, &changed), 0);
    }
    assert_int_equal(changed, 1);
}

struct waker {
    struct scb_events *ev;
    pthread_t th;
};

static void *wake_later(void *arg)
{
    struct waker *w = arg;
    usleep(50000);
    scb_events_wake(w->ev);
    return NULL;
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The modem as a daemon's event source: one port for the presence poll and the card reads,
 * removal, insertion and swap as changes with a moving event counter, a wake that ends a
 * wait long before the next poll, the IMEI for {imei}. */
static void test_events(void **state)
{
    struct scb_emu_modem_opts mo;
    struct scb_at_opts o;
    struct scb_events *ev = NULL;
    struct scb_events_reader r;
    struct scb_transport *t = NULL;
    struct scb_card_status st;
    struct waker wk;
    char err[SCB_ERR_MAX], name[300], imei[20];
    int changed = 0;
    (void)state;
    scb_emu_modem_opts_init(&mo);
    mo.cpin_urcs = 1;
    struct modem *md = modem_serve("data/standard.json", &mo);
    modem_opts(md, 3000, 10000, &o); /* polls far apart: changes come by +CPIN: URCs */
    assert_int_equal(scb_at_events_new(&o, &ev, err, sizeof(err)), 0);
    assert_string_equal(scb_events_name(ev), "modem");
    assert_int_equal(scb_events_wait(ev, 0, &changed), 0);
    assert_int_equal(changed, 1); /* the first wait: check the card */
    assert_int_equal(scb_events_reader(ev, &r), 0);
    snprintf(name, sizeof(name), "at:%s", md->path);
    assert_string_equal(r.name, name);
    assert_int_equal(r.reachable, 1);
    assert_int_equal(r.present, 1);
    /* the card reads go through the port the source holds; freeing them leaves it open */
    assert_int_equal(scb_events_open(ev, r.name, &t, err, sizeof(err)), 0);
    assert_true(scb_at_is(t));
    assert_int_equal(scb_transport_status(t, &st), 0);
    assert_int_equal(st.present, 1);
    scb_transport_free(&t);
    assert_int_equal(scb_events_imei(ev, imei, sizeof(imei)), 0);
    assert_string_equal(imei, "356938035643809");
    assert_int_equal(scb_events_imei(ev, imei, 8), SCB_E_INVALID_ARG);
    /* a wake from another thread ends an unlimited wait (the next poll is 10 s away) */
    wk.ev = ev;
    long long t0 = mono_ms();
    assert_int_equal(pthread_create(&wk.th, NULL, wake_later, &wk), 0);
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    pthread_join(wk.th, NULL);
    assert_int_equal(changed, 0);
    assert_true(mono_ms() - t0 < 5000);
    uint32_t before = r.events;
    md->remove = 1;
    wait_change(ev);
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_int_equal(r.present, 0);
    assert_true(r.events != before);
    md->insert = 1;
    wait_change(ev);
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_int_equal(r.present, 1);
    before = r.events;
    md->swap = 1;
    wait_change(ev);
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_int_equal(r.present, 1);
    assert_true(r.events != before);
    /* the port stays the source's: a second open is refused while it lives */
    assert_int_equal(scb_at_open(&o, &t, err, sizeof(err)), SCB_E_SHARING);
    scb_events_free(&ev);
    assert_null(ev);
    assert_non_null(strstr(md->log, "SIM removed"));
    assert_non_null(strstr(md->log, "SIM inserted"));
    assert_non_null(strstr(md->log, "SIM swapped"));
    modem_down(md);
}

/* A modem port that is not there when the source starts (a USB modem that enumerates after
 * boot): the source starts, says it waits, its SIM's state is unknown, each wait tries again
 * and fails until the port appears, then the SIM is seen. A setting or a held port is still
 * refused at once. */
static void test_events_port_appears(void **state)
{
    struct scb_emu_modem_opts mo;
    struct scb_at_opts o;
    struct scb_events *ev = NULL;
    struct scb_events_reader r;
    char err[SCB_ERR_MAX], dir[] = "/tmp/scb-at-late-XXXXXX", link[96], name[120];
    int changed = 0;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(link, sizeof(link), "%s/ttyUSB2", dir);
    scb_emu_modem_opts_init(&mo);
    struct modem *md = modem_serve("data/standard.json", &mo);
    at_opts(link, 3000, 200, collect_log, md, &o);
    assert_int_equal(scb_at_events_new(&o, &ev, err, sizeof(err)), SCB_OK);
    assert_string_equal(err, "");
    assert_non_null(strstr(md->log, "cannot be opened yet"));
    assert_non_null(strstr(md->log, "waiting for it"));
    assert_int_equal(scb_events_wait(ev, 0, &changed), SCB_OK);
    assert_int_equal(changed, 1); /* the first wait: the state is to be looked at */
    assert_int_equal(scb_events_reader(ev, &r), SCB_OK);
    snprintf(name, sizeof(name), "at:%s", link);
    assert_string_equal(r.name, name);
    assert_int_equal(r.reachable, 0); /* unknown, not "removed" (R4) */
    assert_int_equal(r.present, 0);
    assert_int_equal(scb_events_wait(ev, 0, &changed), SCB_E_NO_SERVICE);
    assert_int_equal(scb_events_wait(ev, 0, &changed), SCB_E_NO_SERVICE);
    /* the port appears */
    assert_int_equal(symlink(md->path, link), 0);
    assert_int_equal(scb_events_wait(ev, 0, &changed), SCB_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(scb_events_reader(ev, &r), SCB_OK);
    assert_int_equal(r.reachable, 1);
    assert_int_equal(r.present, 1);
    scb_events_free(&ev);
    /* not waited for: a setting that is wrong */
    o.baud = 12345;
    assert_int_equal(scb_at_events_new(&o, &ev, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_null(ev);
    unlink(link);
    rmdir(dir);
    modem_down(md);
}

static void test_removed_mid_read(void **state)
{
    struct scb_emu_modem_opts mo;
    struct scb_card_status st;
    uint8_t rsp[300];
    size_t rl;
    static const uint8_t rd[] = {0x00, 0xB0, 0x82, 0x00, 0x0A};
    (void)state;
    scb_emu_modem_opts_init(&mo);
    mo.cme_verbose = 1;
    struct modem *md = modem_up("data/standard.json", &mo, 3000);
    assert_int_equal(scb_transport_status(md->t, &st), 0);
    assert_int_equal(st.present, 1);
    uint32_t ev0 = st.event_count;
    md->remove = 1;
    usleep(100000);
    assert_int_equal(scb_transport_transmit(md->t, rd, sizeof(rd), rsp, sizeof(rsp), &rl),
                     SCB_E_CARD_REMOVED);
    assert_non_null(strstr(md->log, "SIM not inserted"));
    assert_int_equal(scb_transport_status(md->t, &st), 0);
    assert_int_equal(st.present, 0);
    assert_true(st.event_count != ev0);
    modem_down(md);
}

static void test_slow_modem(void **state)
{
    struct scb_emu_modem_opts mo;
    uint8_t rsp[300];
    size_t rl;
    static const uint8_t rd[] = {0x00, 0xB0, 0x82, 0x00, 0x0A};
    (void)state;
    scb_emu_modem_opts_init(&mo);
    mo.slow_ms = 600;
    mo.slow_every = 1;
    struct modem *md = modem_up("data/standard.json", &mo, 500);
    assert_int_equal(scb_transport_transmit(md->t, rd, sizeof(rd), rsp, sizeof(rsp), &rl),
                     SCB_E_TIMEOUT);
    assert_non_null(strstr(md->log, "AT+CSIM (APDU 00B08200"));
    assert_non_null(strstr(md->log, "timeout=MS"));
    /* the late answer is dropped, not taken for the next command's */
    char info[64];
    assert_int_equal(scb_at_command(md->t, "AT+CGSN", "+CGSN:", info, sizeof(info)), 0);
    assert_string_equal(info, "356938035643809");
    modem_down(md);
}

static void test_hostile(void **state)
{
    static const enum scb_emu_modem_hostile kinds[] = {
        SCB_EMU_MODEM_URC_FLOOD, SCB_EMU_MODEM_NO_EOL, SCB_EMU_MODEM_LYING_LENGTH,
        SCB_EMU_MODEM_OTHER_ANSWER};
    static const char *const says[] = {"more than 64 lines", "without an end",
                                       "does not parse", "another command"};
    static const uint8_t rd[] = {0x00, 0xB0, 0x82, 0x00, 0x0A};
    (void)state;
    for (size_t k = 0; k < 4; k++) {
        struct scb_emu_modem_opts mo;
        uint8_t rsp[300];
        size_t rl;
        scb_emu_modem_opts_init(&mo);
        struct modem *md = modem_up("data/standard.json", &mo, 1500);
        /* switched on after the open: the flood also breaks the open (tested in
         * test_modem.sh) */
        pthread_mutex_lock(&md->mu);
        scb_emu_modem_free(&md->m);
        mo.hostile = kinds[k];
        assert_int_equal(scb_emu_modem_new(md->e, &mo, &md->m), 0);
        pthread_mutex_unlock(&md->mu);
        int ret = scb_transport_transmit(md->t, rd, sizeof(rd), rsp, sizeof(rsp), &rl);
        assert_true(ret < 0);
        if (strstr(md->log, says[k]) == NULL) {
            fprintf(stderr, "%s\n", md->log);
        }
        assert_non_null(strstr(md->log, says[k]));
        assert_null(strstr(md->log, "8988")); /* no card data quoted */
        modem_down(md);
    }
}

/* ---- a scripted modem: what a hostile one answers, command by command --------------------- */

/* answer(): the bytes to send for a command (n: its number among the card commands, from 0),
 * or NULL for no answer at all. AT, ATE0 and AT+CMEE are answered OK. */
typedef const char *(*script_fn)(const char *cmd, unsigned n);

struct script {
    int master, slave;
    char path[64];
    pthread_t th;
    volatile int stop;
    script_fn answer;
    unsigned cmds;
    unsigned mute_at;         /* this many first plain ATs get no answer */
    unsigned ats;
    long long at_ms[4];       /* when the first plain ATs came */
    struct scb_transport *t;
    char log[2048];
};

static void *script_serve(void *arg)
{
    struct script *sc = arg;
    char buf[4096];
    size_t len = 0;
    while (!sc->stop) {
        struct pollfd pf = {.fd = sc->master, .events = POLLIN};
        if (poll(&pf, 1, 20) <= 0) {
            continue;
        }
        ssize_t r = read(sc->master, buf + len, sizeof(buf) - 1 - len);
        if (r <= 0) {
            continue;
        }
        len += (size_t)r;
        char *cr;
        while ((cr = memchr(buf, '\r', len)) != NULL) {
            *cr = '\0';
            const char *a = "\r\nOK\r\n";
            if (strcmp(buf, "AT") == 0) {
                if (sc->ats < 4) {
                    sc->at_ms[sc->ats] = mono_ms();
                }
                if (sc->ats++ < sc->mute_at) {
                    a = NULL;
                }
            } else if (strncmp(buf, "AT+C", 4) == 0 && strncmp(buf, "AT+CMEE", 7) != 0) {
                a = sc->answer(buf, sc->cmds++);
            }
            if (a && write(sc->master, a, strlen(a)) < 0) {
                break;
            }
            len -= (size_t)(cr + 1 - buf);
            memmove(buf, cr + 1, len);
        }
    }
    return NULL;
}

static void script_log(void *ctx, const char *line)
{
    struct script *sc = ctx;
    size_t l = strlen(sc->log);
    snprintf(sc->log + l, sizeof(sc->log) - l, "%s\n", line);
}

static struct script *script_up(script_fn answer, unsigned timeout_ms, unsigned mute_at)
{
    struct script *sc = calloc(1, sizeof(*sc));
    assert_non_null(sc);
    sc->answer = answer;
    sc->mute_at = mute_at;
    pty_raw(&sc->master, &sc->slave, sc->path, sizeof(sc->path));
    assert_int_equal(pthread_create(&sc->th, NULL, script_serve, sc), 0);
    sc->t = at_up(sc->path, timeout_ms, script_log, sc);
    return sc;
}

static void script_down(struct script *sc)
{
    scb_transport_free(&sc->t);
    sc->stop = 1;
    pthread_join(sc->th, NULL);
    close(sc->slave);
    close(sc->master);
    free(sc);
}

static const char *stall_first(const char *cmd, unsigned n)
{
    (void)cmd;
    return n == 0 ? NULL : "\r\n+CSIM: 4,\"9000\"\r\n\r\nOK\r\n";
}

/* A command the modem never answers (it reset, or lost it) times out; the next one gets its
 * whole timeout, although the wait for the lost answer's late final result came first. */
static void test_after_a_lost_answer(void **state)
{
    static const uint8_t rd[] = {0x00, 0xB0, 0x82, 0x00, 0x0A};
    uint8_t rsp[300];
    size_t rl;
    (void)state;
    struct script *sc = script_up(stall_first, 400, 0);
    assert_int_equal(scb_transport_transmit(sc->t, rd, sizeof(rd), rsp, sizeof(rsp), &rl),
                     SCB_E_TIMEOUT);
    int ret = scb_transport_transmit(sc->t, rd, sizeof(rd), rsp, sizeof(rsp), &rl);
    if (ret != 0) {
        fprintf(stderr, "%s", sc->log);
    }
    assert_int_equal(ret, 0);
    assert_int_equal(rl, 2);
    assert_int_equal(rsp[0], 0x90);
    script_down(sc);
}

static const char *mangled_echo(const char *cmd, unsigned n)
{
    (void)cmd;
    return n == 0 ? "\r\n+AT+CSIM=26,\"002000010831323334FFFFFFFF\"\r\n\r\nOK\r\n"
                  : "\r\n+CGLA: 4,\"31323334\"\r\n\r\nOK\r\n";
}

/* A line that is not the answer is named by its prefix only: a mangled echo of a VERIFY
 * (no colon) carries the PIN block, another command's answer the card's data. */
static void test_other_line_not_quoted(void **state)
{
    static const uint8_t verify[] = {0x00, 0x20, 0x00, 0x01, 0x08, '1', '2', '3', '4',
                                     0xFF, 0xFF, 0xFF, 0xFF};
    uint8_t rsp[300];
    size_t rl;
    (void)state;
    struct script *sc = script_up(mangled_echo, 1000, 0);
    for (int i = 0; i < 2; i++) {
        sc->log[0] = '\0'; /* the failure's lines only: they go to the log callback */
        assert_int_equal(
            scb_transport_transmit(sc->t, verify, sizeof(verify), rsp, sizeof(rsp), &rl),
            SCB_E_TRANSPORT);
        const char *e = sc->log;
        if (strstr(e, "3132") || strstr(e, "1234")) {
            fprintf(stderr, "%s\n", e);
        }
        assert_null(strstr(e, "3132"));
        assert_null(strstr(e, "1234"));
        assert_non_null(strstr(e, i == 0 ? "answered +AT+CSIM ..." : "answered +CGLA: ..."));
    }
    script_down(sc);
}

static const char *long_imei(const char *cmd, unsigned n)
{
    (void)n;
    return strcmp(cmd, "AT+CGSN") == 0 ? "\r\n+CGSN: 123456789012345678901234\r\n\r\nOK\r\n"
                                       : "\r\nERROR\r\n";
}

/* An IMEI or ICCID that does not parse leaves nothing in the caller's buffer, not its first
 * digits (`scboot readers` printed "IMEI 123456789012345" for a 24-digit answer). */
static void test_identity_garbage(void **state)
{
    char imei[20], iccid[24];
    (void)state;
    struct script *sc = script_up(long_imei, 1000, 0);
    memset(imei, 'X', sizeof(imei));
    assert_int_equal(scb_at_imei(sc->t, imei, sizeof(imei)), SCB_E_PARSE);
    assert_string_equal(imei, "");
    memset(iccid, 'X', sizeof(iccid));
    assert_true(scb_at_iccid(sc->t, iccid, sizeof(iccid)) < 0);
    assert_true(memchr(iccid, '\0', sizeof(iccid)) != NULL);
    script_down(sc);
}

/* A modem that misses the first AT (just reset) is asked again after the probe's short wait,
 * not after a whole command timeout spent waiting for the lost probe's answer. */
static void test_probe_retry(void **state)
{
    (void)state;
    struct script *sc = script_up(stall_first, 4000, 1);
    assert_true(sc->ats >= 2);
    long long gap = sc->at_ms[1] - sc->at_ms[0];
    if (gap >= 4000) {
        fprintf(stderr, "the second AT came %lld ms after the first\n", gap);
    }
    assert_true(gap < 4000);
    script_down(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_messy_answer),
        cmocka_unit_test(test_parse_cme),
        cmocka_unit_test(test_parse_bare_and_prefixed),
        cmocka_unit_test(test_parse_bounds),
        cmocka_unit_test(test_parse_hexresp),
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_walk_tidy_and_messy),
        cmocka_unit_test(test_session_not_channel),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_crsm),
        cmocka_unit_test(test_monitor),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_events_port_appears),
        cmocka_unit_test(test_removed_mid_read),
        cmocka_unit_test(test_slow_modem),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_after_a_lost_answer),
        cmocka_unit_test(test_probe_retry),
        cmocka_unit_test(test_other_line_not_quoted),
        cmocka_unit_test(test_identity_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

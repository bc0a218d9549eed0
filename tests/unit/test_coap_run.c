/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_coap_run.c: scb_coap_bootstrap() client-initiated towards the committed
 * Bootstrap-Server account, against the test Bootstrap-Server (tests/integration/bs_server.c,
 * its path in argv[1]) on 127.0.0.1: the account's URI is used when none is given; a URI
 * naming another server is refused also for a NoSec account; the Client Hold Off Time
 * (/0/x/11) is waited and can be cancelled; a cancel after the server's Write and before its
 * Finish abandons the session with nothing committed; a Finish after the store changed under
 * the session is answered 5.00 and commits nothing; a listener waiting for a peer stops.
 * The client handle's step form driven from a poll() loop commits the same way (run first,
 * before coap_startup(): libcoap 4.3.1 runs without it), a listener served so by libcoap's
 * coap-client commits, and freeing a running handle abandons its session.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <coap3/coap.h>

#include "scboot/account.h"
#include "scboot/coap.h"
#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/store.h"
#include "scboot/tlv.h"

static const char *bs_server;
static char dir[64];
static unsigned port_base;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A fresh store holding only the Bootstrap-Server account (NoSec) at port, hold-off s; name
 * NULL: a memory store. */
static struct scb_store *store_with_account(const char *name, unsigned port, long long hold_off)
{
    char path[128], json[512], err[256];
    struct scb_store *st = NULL;
    struct scb_committed prev, c;
    struct scb_config cfg;
    snprintf(path, sizeof(path), "%s/%s", dir, name ? name : "");
    assert_int_equal(name ? scb_store_open(path, 0, &st, err, sizeof(err))
                          : scb_store_new_memory(&st, err, sizeof(err)),
                     SCB_OK);
    if (port == 0) {
        return st; /* nothing committed */
    }
    snprintf(json, sizeof(json),
             "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{"
             "\"0\":\"coap://127.0.0.1:%u\",\"1\":true,\"2\":3,\"3\":{\"hex\":\"\"},"
             "\"4\":{\"hex\":\"\"},\"5\":{\"hex\":\"\"},\"11\":%lld}}}}}}",
             port, hold_off);
    scb_config_init(&cfg);
    assert_int_equal(scb_config_from_json_text(json, &cfg, err, sizeof(err)), SCB_OK);
    scb_committed_init(&prev);
    assert_int_equal(scb_committed_replace(&c, &prev, &cfg, SCB_SRC_FACTORY), SCB_OK);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), SCB_OK);
    scb_committed_free(&c);
    scb_committed_free(&prev);
    scb_config_free(&cfg);
    return st;
}

/* One object of a JSON configuration as a TLV file for bs_server. */
static void tlv_file(const char *json, uint16_t oid, const char *path)
{
    struct scb_config cfg;
    struct scb_buf out = {.max = 4096};
    char err[256];
    FILE *f;
    scb_config_init(&cfg);
    assert_int_equal(scb_config_from_json_text(json, &cfg, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_tlv_encode_object(scb_config_object(&cfg, oid), &out), SCB_OK);
    assert_non_null(f = fopen(path, "wb"));
    assert_int_equal(fwrite(out.data, 1, out.len, f), out.len);
    fclose(f);
    scb_buf_free(&out);
    scb_config_free(&cfg);
}

static pid_t start_server(unsigned port)
{
    char p[16], sec[96], srv[96], out[96];
    pid_t pid;
    snprintf(p, sizeof(p), "%u", port);
    snprintf(sec, sizeof(sec), "%s/sec.tlv", dir);
    snprintf(srv, sizeof(srv), "%s/srv.tlv", dir);
    snprintf(out, sizeof(out), "%s/bs-%u.out", dir, port);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (freopen(out, "w", stdout) == NULL) {
            _exit(127);
        }
        execl(bs_server, bs_server, p, sec, srv, (char *)NULL);
        _exit(127);
    }
    usleep(300 * 1000);
    return pid;
}

static void stop_server(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

/* What the server at port printed (its response codes), into text (cap bytes). */
static void server_output(unsigned port, char *text, size_t cap)
{
    char out[96];
    FILE *f;
    snprintf(out, sizeof(out), "%s/bs-%u.out", dir, port);
    assert_non_null(f = fopen(out, "r"));
    size_t n = fread(text, 1, cap - 1, f);
    text[n] = '\0';
    fclose(f);
}

static void opts_init(struct scb_coap_opts *o)
{
    scb_coap_opts_init(o);
    o->endpoint = "gw-unit";
    o->attempts = 1;
    o->ack_timeout_ms = 1000;
    o->max_retransmit = 1;
}

static uint64_t generation(struct scb_store *st, int *has_server)
{
    struct scb_committed c;
    char err[256];
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    uint64_t g = c.generation;
    *has_server = scb_config_object(&c.cfg, SCB_OBJ_SERVER) != NULL;
    scb_committed_free(&c);
    return g;
}

struct watch {
    int seen_write;       /* the log said the server's Write /1 was answered */
    int polls;
    int cancel_after;     /* cancel from this poll on (0: on seen_write) */
};

static void watch_log(void *ctx, const char *line)
{
    struct watch *w = ctx;
    if (strncmp(line, "Bootstrap-Write /1", 18) == 0) {
        w->seen_write = 1;
    }
}

static int watch_cancel(void *ctx)
{
    struct watch *w = ctx;
    w->polls++;
    return w->cancel_after ? w->polls >= w->cancel_after : w->seen_write;
}

/* Options whose cancel hook is w's. */
static void opts_watched(struct scb_coap_opts *o, struct watch *w)
{
    opts_init(o);
    o->cancel = watch_cancel;
    o->cancel_ctx = w;
}

/* Client-initiated bootstrap from the account of st (the server at port, no URI given):
 * committed, generation 2, a Server instance. */
static void bootstrap_commits(struct scb_store *st, unsigned port)
{
    struct scb_coap_opts o;
    struct scb_coap_result res;
    pid_t pid = start_server(port);
    int srv = 0;
    opts_init(&o);
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    stop_server(pid);
    assert_int_equal(res.outcome, SCB_COAP_COMMITTED);
    assert_int_equal(generation(st, &srv), 2);
    assert_true(srv);
}

static void account_uri_used(void **state)
{
    unsigned port = port_base;
    struct scb_store *st = store_with_account("used", port, 0);
    (void)state;
    bootstrap_commits(st, port);
    scb_store_free(&st);
}

/* What the commit observer of a memory store saw of a network bootstrap. */
struct net_seen {
    int commits, added;
    unsigned provenances;
};

static int net_added(void *ctx, const struct scb_account_change *ch)
{
    struct net_seen *n = ctx;
    n->added += ch->event == SCB_ACCOUNT_ADDED && ch->ssid == 7;
    return 0;
}

static void net_observe(void *ctx, const struct scb_commit_event *ev)
{
    struct net_seen *n = ctx;
    n->commits++;
    n->provenances = ev->provenances;
    scb_account_diff(&ev->before->cfg, &ev->after->cfg, net_added, n);
}

/* A client's own persistence: the network bootstrap commits into a memory store, and the
 * store's observer reports the new server account as one from the network. */
static void memory_store_commits(void **state)
{
    unsigned port = port_base + 7;
    struct scb_store *st = store_with_account(NULL, port, 0);
    struct net_seen seen = {0};
    (void)state;
    assert_int_equal(scb_store_set_observer(st, net_observe, &seen), SCB_OK);
    bootstrap_commits(st, port);
    assert_int_equal(seen.commits, 1);
    assert_int_equal(seen.added, 1);
    assert_true(seen.provenances & (1u << SCB_SRC_NETWORK));
    scb_store_free(&st);
}

static void no_account_no_uri_refused(void **state)
{
    struct scb_store *st = store_with_account("none", 0, 0);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    (void)state;
    opts_init(&o);
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_E_INVALID_ARG);
    assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
    assert_non_null(strstr(res.reason, "no Bootstrap-Server account is committed"));
    o.endpoint = NULL; /* nothing to go on at all */
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_E_INVALID_ARG);
    assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
    o.endpoint = "a&b"; /* a name that would break ep= */
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_E_INVALID_ARG);
    assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
    scb_store_free(&st);
}

static void contradicting_uri_refused_nosec(void **state)
{
    /* another port, another host, another scheme */
    static const char *const scheme[] = {"coap", "coap", "coaps"};
    static const char *const host[] = {"127.0.0.1", "127.0.0.2", "127.0.0.1"};
    static const int delta[] = {1, 0, 0};
    unsigned port = port_base + 1;
    struct scb_store *st = store_with_account("contra", port, 0);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    char uri[64];
    int srv;
    (void)state;
    opts_init(&o);
    o.psk_identity = (const uint8_t *)"id"; /* so that coaps:// passes the scheme check */
    o.psk_identity_len = 2;
    o.psk_key = (const uint8_t *)"key";
    o.psk_key_len = 3;
    for (size_t k = 0; k < 3; k++) {
        snprintf(uri, sizeof(uri), "%s://%s:%u", scheme[k], host[k], port + (unsigned)delta[k]);
        if (k < 2) {
            o.psk_identity = NULL;
        } else {
            o.psk_identity = (const uint8_t *)"id";
        }
        o.server_uri = uri;
        assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
        assert_int_equal(res.outcome, SCB_COAP_REFUSED_SETUP);
        assert_non_null(strstr(res.reason, "contradicts"));
    }
    /* the same server: accepted (and tried) */
    snprintf(uri, sizeof(uri), "coap://127.0.0.1:%u", port);
    o.server_uri = uri;
    o.psk_identity = NULL;
    pid_t pid = start_server(port);
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    stop_server(pid);
    assert_int_equal(res.outcome, SCB_COAP_COMMITTED);
    assert_int_equal(generation(st, &srv), 2);
    scb_store_free(&st);
}

static void hold_off_waited(void **state)
{
    unsigned port = port_base + 2;
    struct scb_store *st = store_with_account("hold", port, 1);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct watch w = {.cancel_after = 1000000};
    pid_t pid = start_server(port);
    int srv;
    (void)state;
    opts_watched(&o, &w);
    uint64_t t0 = now_ms();
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    uint64_t took = now_ms() - t0;
    stop_server(pid);
    assert_int_equal(res.outcome, SCB_COAP_COMMITTED);
    assert_true(took >= 1000); /* the hold-off of 1 s came first */
    /* polled while waiting: every 250 ms at most, so at least 4 times in the second (a
     * count, not a gap: a loaded machine stretches single waits) */
    assert_true(w.polls >= 4);
    assert_int_equal(generation(st, &srv), 2);
    scb_store_free(&st);
}

static void hold_off_cancellable(void **state)
{
    unsigned port = port_base + 3; /* nobody listens: the request is never sent anyway */
    struct scb_store *st = store_with_account("holdc", port, 3600);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct watch w = {.cancel_after = 3};
    int srv;
    (void)state;
    opts_watched(&o, &w);
    uint64_t t0 = now_ms();
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    assert_int_equal(res.outcome, SCB_COAP_CANCELLED);
    assert_true(now_ms() - t0 < 60000); /* not the hour */
    assert_int_equal(generation(st, &srv), 1);
    /* no_hold_off skips it: straight to the request (unreachable here) */
    w.cancel_after = 1000000;
    w.polls = 0;
    o.no_hold_off = 1;
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    assert_int_equal(res.outcome, SCB_COAP_UNREACHABLE);
    scb_store_free(&st);
}

/* A hold-off too long to count in milliseconds is waited (until cancelled), never wrapped
 * round to a short one: 18446744073709552 s is 384 ms modulo 2^64 ms. */
static void hold_off_huge_not_wrapped(void **state)
{
    unsigned port = port_base + 3; /* nobody listens: a request would fail at once */
    static const long long holds[] = {18446744073709552LL, 9223372036854775807LL};
    (void)state;
    for (size_t k = 0; k < sizeof(holds) / sizeof(holds[0]); k++) {
        char name[16];
        snprintf(name, sizeof(name), "holdh%zu", k);
        struct scb_store *st = store_with_account(name, port, holds[k]);
        struct scb_coap_opts o;
        struct scb_coap_result res;
        struct watch w = {.cancel_after = 12}; /* a second or more of polls */
        opts_watched(&o, &w);
        o.attempts = 1;
        assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
        assert_int_equal(res.outcome, SCB_COAP_CANCELLED);
        scb_store_free(&st);
    }
}

static void cancel_before_finish_commits_nothing(void **state)
{
    unsigned port = port_base + 4;
    struct scb_store *st = store_with_account("cancel", port, 0);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct watch w = {0};
    char text[512] = "";
    pid_t pid = start_server(port);
    int srv = 1;
    (void)state;
    opts_watched(&o, &w);
    o.log = watch_log;
    o.log_ctx = &w;
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    usleep(300 * 1000);
    stop_server(pid);
    assert_int_equal(res.outcome, SCB_COAP_CANCELLED);
    assert_true(w.seen_write);
    assert_int_equal(generation(st, &srv), 1); /* the account only, as before */
    assert_false(srv);
    /* the server's Finish, if it came, was not answered 2.04 */
    server_output(port, text, sizeof(text));
    assert_non_null(strstr(text, "PUT /1 2.04"));
    assert_null(strstr(text, "POST /bs 2.04"));
    scb_store_free(&st);
}

static void listener_cancellable(void **state)
{
    unsigned port = port_base + 5;
    struct scb_store *st = store_with_account("listen", 0, 0);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct watch w = {.cancel_after = 3};
    char spec[32];
    int srv;
    (void)state;
    opts_watched(&o, &w);
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
    o.listen = spec;
    o.endpoint = NULL;
    uint64_t t0 = now_ms();
    assert_int_equal(scb_coap_bootstrap(st, &o, &res), SCB_OK);
    assert_int_equal(res.outcome, SCB_COAP_CANCELLED);
    assert_true(now_ms() - t0 < 60000); /* not waiting for a peer that never comes */
    assert_int_equal(generation(st, &srv), 0);
    scb_store_free(&st);
}

/*
 * The step form from a poll() loop, the way an LwM2M client's event loop drives it; run
 * before the process calls coap_startup() (libcoap 4.3.1 tolerates that), which it then does
 * for the tests after it.
 */
static void step_form_in_poll_loop(void **state)
{
    unsigned port = port_base + 6;
    struct scb_store *st = store_with_account("step", port, 0);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct scb_coap_client *c = NULL;
    char err[256];
    pid_t pid = start_server(port);
    unsigned steps = 0, polled_fd = 0;
    int srv = 0, more;
    (void)state;
    opts_init(&o);
    assert_int_equal(scb_coap_client_new(st, &o, &c, err, sizeof(err)), SCB_OK);
    assert_non_null(c);
    assert_int_equal(scb_coap_client_result(c, &res), 1); /* still running */
    uint64_t t0 = now_ms();
    do {
        struct pollfd p = {.fd = scb_coap_client_fd(c), .events = POLLIN};
        int wait = scb_coap_client_timeout(c);
        assert_true(wait >= 0 && wait <= 250);
        polled_fd += p.fd >= 0;
        assert_true(poll(&p, p.fd >= 0 ? 1 : 0, wait) >= 0);
        more = scb_coap_client_step(c);
        steps++;
        assert_true(now_ms() - t0 < 30000);
    } while (more == 1);
    assert_int_equal(more, 0);
    assert_int_equal(scb_coap_client_result(c, &res), SCB_OK);
    scb_coap_client_free(&c);
    assert_null(c);
    stop_server(pid);
    assert_int_equal(res.outcome, SCB_COAP_COMMITTED);
    assert_true(polled_fd > 0); /* libcoap's descriptor was there to poll */
    assert_true(steps > 1);
    assert_int_equal(generation(st, &srv), 2);
    assert_true(srv);
    scb_store_free(&st);
    /* the application's duty, from here on as it should be */
    coap_startup();
}

/* The peer of a listener: libcoap's coap-client writes /0 and /1 and sends the Finish. */
static pid_t provision(unsigned port)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char cmd[512];
        snprintf(cmd, sizeof(cmd),
                 "exec >/dev/null 2>&1; C='coap-client-notls -B 5'; U=coap://127.0.0.1:%u; "
                 "$C -m put -t 11542 -f %s/sec.tlv $U/0 && $C -m put -t 11542 -f %s/srv.tlv "
                 "$U/1 && $C -m post $U/bs", port, dir, dir);
        usleep(200 * 1000);
        _exit(system(cmd) == 0 ? 0 : 1);
    }
    return pid;
}

/* Server-initiated through the step form: a listener served from a poll() loop commits. */
static void step_form_listener_served(void **state)
{
    unsigned port = port_base + 8;
    struct scb_store *st = store_with_account("steplisten", 0, 0);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct scb_coap_client *c = NULL;
    char err[256], spec[32];
    int srv = 0, more, status = -1;
    (void)state;
    opts_init(&o);
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
    o.listen = spec;
    o.endpoint = NULL;
    o.once = 1;
    assert_int_equal(scb_coap_client_new(st, &o, &c, err, sizeof(err)), SCB_OK);
    pid_t pid = provision(port);
    uint64_t t0 = now_ms();
    do {
        struct pollfd p = {.fd = scb_coap_client_fd(c), .events = POLLIN};
        assert_true(p.fd >= 0);
        assert_true(poll(&p, 1, scb_coap_client_timeout(c)) >= 0);
        more = scb_coap_client_step(c);
        assert_true(now_ms() - t0 < 30000);
    } while (more == 1);
    assert_int_equal(scb_coap_client_result(c, &res), SCB_OK);
    scb_coap_client_free(&c);
    waitpid(pid, &status, 0);
    assert_int_equal(res.outcome, SCB_COAP_COMMITTED);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0); /* every request answered */
    assert_int_equal(generation(st, &srv), 1);
    assert_true(srv);
    scb_store_free(&st);
}

/* Refused options say why at once; a running listener freed commits nothing. */
static void step_form_free_abandons(void **state)
{
    unsigned port = port_base + 7;
    struct scb_store *st = store_with_account("stepfree", 0, 0);
    struct scb_coap_opts o;
    struct scb_coap_client *c = NULL;
    char err[256], spec[32];
    int srv;
    (void)state;
    opts_init(&o);
    o.endpoint = NULL;
    assert_int_equal(scb_coap_client_new(st, &o, &c, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_null(c);
    assert_non_null(strstr(err, "neither"));
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
    o.listen = spec;
    assert_int_equal(scb_coap_client_new(st, &o, &c, err, sizeof(err)), SCB_OK);
    assert_true(scb_coap_client_fd(c) >= 0);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(scb_coap_client_step(c), 1);
    }
    scb_coap_client_free(&c);
    assert_null(c);
    scb_coap_client_free(&c); /* NULL again: nothing */
    assert_int_equal(scb_coap_client_step(NULL), SCB_E_INVALID_ARG);
    assert_int_equal(generation(st, &srv), 0);
    scb_store_free(&st);
}

/* A store that changes while the session runs: after the server's Write /1, the log callback
 * commits another configuration (as a card check would after a removal). */
struct mover {
    struct scb_store *st;
    int moved;
};

static void move_store(void *ctx, const char *line)
{
    struct mover *m = ctx;
    struct scb_committed c;
    char err[256];
    if (m->moved || strncmp(line, "Bootstrap-Write /1", 18) != 0) {
        return;
    }
    m->moved = 1;
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(m->st, &c, err, sizeof(err)), SCB_OK);
    scb_committed_drop(&c, SCB_SRC_FACTORY); /* the account goes */
    assert_int_equal(scb_store_commit(m->st, &c, err, sizeof(err)), SCB_OK);
    scb_committed_free(&c);
}

/* The Finish of a session whose base is gone: 5.00 with the reason, nothing committed, the
 * newer state kept. */
static void finish_on_moved_store_refused(void **state)
{
    unsigned port = port_base + 9;
    struct scb_store *st = store_with_account(NULL, port, 0);
    struct scb_coap_opts o;
    struct scb_coap_result res;
    struct mover m = {.st = st};
    char text[512] = "";
    pid_t pid = start_server(port);
    int srv = 1;
    (void)state;
    opts_init(&o);
    o.log = move_store;
    o.log_ctx = &m;
    (void)scb_coap_bootstrap(st, &o, &res);
    usleep(300 * 1000);
    stop_server(pid);
    assert_true(m.moved);
    assert_int_equal(res.outcome, SCB_COAP_COMMIT_FAILED);
    assert_non_null(strstr(res.reason, "changed since the session began"));
    assert_int_equal(generation(st, &srv), 2); /* the mover's commit, and nothing after it */
    assert_false(srv);
    server_output(port, text, sizeof(text));
    assert_non_null(strstr(text, "POST /bs 5.00"));
    scb_store_free(&st);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(step_form_in_poll_loop), /* first: before coap_startup() */
        cmocka_unit_test(step_form_free_abandons),
        cmocka_unit_test(step_form_listener_served),
        cmocka_unit_test(account_uri_used),
        cmocka_unit_test(memory_store_commits),
        cmocka_unit_test(no_account_no_uri_refused),
        cmocka_unit_test(contradicting_uri_refused_nosec),
        cmocka_unit_test(hold_off_waited),
        cmocka_unit_test(hold_off_cancellable),
        cmocka_unit_test(hold_off_huge_not_wrapped),
        cmocka_unit_test(cancel_before_finish_commits_nothing),
        cmocka_unit_test(finish_on_moved_store_refused),
        cmocka_unit_test(listener_cancellable),
    };
    char cmd[128];
    int ret;
    if (argc < 2) {
        fprintf(stderr, "usage: test_coap_run BS_SERVER\n");
        return 2;
    }
    /* libcoap's process-wide state is the application's (scboot/coap.h): its log quiet now,
     * coap_startup() after the first test, which shows the library runs without it */
    coap_set_log_level(LOG_EMERG);
    bs_server = argv[1];
    port_base = 40000 + (unsigned)getpid() % 20000;
    snprintf(dir, sizeof(dir), "/tmp/scb_coap_run.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    char sec[96], srv[96];
    snprintf(sec, sizeof(sec), "%s/sec.tlv", dir);
    snprintf(srv, sizeof(srv), "%s/srv.tlv", dir);
    tlv_file("{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{\"0\":"
             "\"coap://lwm2m.example:5683\",\"1\":false,\"2\":3,\"10\":7}}}}}}", 0, sec);
    tlv_file("{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":7,\"1\":300,"
             "\"6\":false,\"7\":\"U\"}}}}}}", 1, srv);
    ret = cmocka_run_group_tests(tests, NULL, NULL);
    coap_cleanup();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        ret = ret ? ret : 1;
    }
    return ret;
}

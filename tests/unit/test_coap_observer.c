/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_coap_observer.c: a network bootstrap reaches the store's commit observer. A factory
 * account (SSID 7, lifetime 60) is committed, then a client-initiated bootstrap against the
 * test Bootstrap-Server (tests/integration/bs_server.c, on 127.0.0.1) writes the same account
 * with lifetime 300 and finishes: the observer is called once, with the lifetime change of
 * SSID 7 and the network as the provenance. A second run whose Bootstrap-Server never sends
 * Finish commits nothing and calls nothing.
 *   test_coap_observer BS_SERVER
 */
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
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/store.h"
#include "scboot/tlv.h"

static const char *bs_server;
static char dir[64];

#define SEC "{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{\"0\":" \
            "\"coap://lwm2m.example:5683\",\"1\":false,\"2\":3,\"10\":7}}}}}}"
#define SRV(lt) "{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":7,\"1\":" lt \
                ",\"6\":false,\"7\":\"U\"}}}}}}"

struct obs {
    int calls, changes;
    unsigned provenances, mask;
    uint16_t ssid;
    enum scb_account_event event;
};

static int on_change(void *ctx, const struct scb_account_change *ch)
{
    struct obs *o = ctx;
    o->changes++;
    o->event = ch->event;
    o->ssid = ch->ssid;
    o->mask = ch->changed;
    return 0;
}

static void observer(void *ctx, const struct scb_commit_event *ev)
{
    struct obs *o = ctx;
    o->calls++;
    o->provenances = ev->provenances;
    assert_int_equal(scb_account_diff(&ev->before->cfg, &ev->after->cfg, on_change, o), 0);
}

static void parse(const char *json, struct scb_config *cfg)
{
    char err[200];
    scb_config_init(cfg);
    if (scb_config_from_json_text(json, cfg, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
}

/* The TLV of one object of a JSON configuration, written to dir/name. */
static void write_tlv(const char *json, uint16_t oid, const char *name)
{
    struct scb_config cfg;
    struct scb_buf b = {0};
    char path[128];
    parse(json, &cfg);
    assert_int_equal(scb_tlv_encode_object(scb_config_object(&cfg, oid), &b), 0);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
    assert_int_equal(fclose(f), 0);
    scb_buf_free(&b);
    scb_config_free(&cfg);
}

static pid_t start_server(unsigned port, const char *extra)
{
    char p[16], sec[128], srv[128], out[128];
    snprintf(p, sizeof(p), "%u", port);
    snprintf(sec, sizeof(sec), "%s/sec.tlv", dir);
    snprintf(srv, sizeof(srv), "%s/srv.tlv", dir);
    snprintf(out, sizeof(out), "%s/bs.out", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (freopen(out, "w", stdout) == NULL) {
            _exit(127);
        }
        execl(bs_server, bs_server, p, sec, srv, extra, (char *)NULL);
        _exit(127);
    }
    struct timespec ts = {0, 300 * 1000 * 1000}; /* the server binds its port */
    nanosleep(&ts, NULL);
    return pid;
}

static void stop_server(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static int run_bootstrap(struct scb_store *st, unsigned port, struct scb_coap_result *res)
{
    struct scb_coap_opts o;
    char uri[64];
    scb_coap_opts_init(&o);
    snprintf(uri, sizeof(uri), "coap://127.0.0.1:%u", port);
    o.server_uri = uri;
    o.endpoint = "gw-observer";
    o.attempts = 1;
    o.ack_timeout_ms = 1000;
    o.max_retransmit = 1;
    o.exchange_lifetime_ms = 3000;
    return scb_coap_bootstrap(st, &o, res);
}

static void test_network_commit_observed(void **state)
{
    (void)state;
    struct scb_store *st = NULL;
    struct scb_committed c;
    struct scb_config cfg, srv;
    struct scb_coap_result res;
    struct obs o;
    char err[256];
    unsigned port = 20000 + (unsigned)getpid() % 20000;

    snprintf(dir, sizeof(dir), "/tmp/scb-coapobs-XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_tlv(SEC, SCB_OBJ_SECURITY, "sec.tlv");
    write_tlv(SRV("300"), SCB_OBJ_SERVER, "srv.tlv");

    /* a factory account first: the same Security instance, lifetime 60 */
    char state_dir[96];
    snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
    assert_int_equal(scb_store_open(state_dir, 0, &st, err, sizeof(err)), 0);
    scb_committed_init(&c);
    parse(SEC, &cfg);
    parse(SRV("60"), &srv);
    assert_int_equal(scb_committed_merge(&c, &cfg, SCB_SRC_FACTORY), 0);
    assert_int_equal(scb_committed_merge(&c, &srv, SCB_SRC_FACTORY), 0);
    scb_config_free(&cfg);
    scb_config_free(&srv);
    assert_int_equal(scb_store_commit(st, &c, NULL, 0), 0); /* before the observer: not seen */
    scb_committed_free(&c);
    memset(&o, 0, sizeof(o));
    assert_int_equal(scb_store_set_observer(st, observer, &o), 0);

    /* a Bootstrap-Server that never sends Finish: nothing committed, nothing observed */
    pid_t pid = start_server(port, "--no-finish");
    assert_int_equal(run_bootstrap(st, port, &res), 0);
    stop_server(pid);
    assert_int_not_equal(res.outcome, SCB_COAP_COMMITTED);
    assert_int_equal(o.calls, 0);

    /* the whole exchange: Bootstrap-Request, Write /0, Write /1, Finish */
    pid = start_server(port + 1, NULL);
    assert_int_equal(run_bootstrap(st, port + 1, &res), 0);
    stop_server(pid);
    if (res.outcome != SCB_COAP_COMMITTED) {
        fail_msg("not committed: %s", res.reason);
    }
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.provenances, 1u << SCB_SRC_NETWORK);
    assert_int_equal(o.changes, 1);
    assert_int_equal(o.event, SCB_ACCOUNT_CHANGED);
    assert_int_equal(o.ssid, 7);
    assert_int_equal(o.mask, SCB_ACCOUNT_CHANGED_LIFETIME);
    scb_store_free(&st);

    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BS_SERVER\n", argv[0]);
        return 2;
    }
    bs_server = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network_commit_observed),
    };
    /* libcoap's process-wide state is the application's (scboot/coap.h) */
    coap_startup();
    coap_set_log_level(LOG_EMERG);
    int ret = cmocka_run_group_tests(tests, NULL, NULL);
    coap_cleanup();
    return ret;
}

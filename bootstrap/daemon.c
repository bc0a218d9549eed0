/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daemon.c: the bootstrap sequence run continuously (LwM2M 1.1 6.1.4): smartcard and factory
 * at every reader event, client-initiated network bootstrap when they leave no server account
 * (or registration failed), server-initiated bootstrap once they were tried. Blocks in the
 * event source while nothing is due, so an idle daemon does not wake up.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "scboot/card.h"
#include "scboot/daemon.h"
#include "scboot/endpoint.h"
#include "scboot/model.h"
#include "scboot/objdefs.h"
#include "scboot/util.h"

#define SERVICE_BACKOFF_MIN_MS 250u
#define SERVICE_BACKOFF_MAX_MS 4000u
#define VERIFY_ALWAYS_MS 1000u /* --verify always: a re-read about once a second */

struct scb_daemon {
    struct scb_daemon_opts o;
    char *endpoint, *listen;
    atomic_uint requests;
    int stopping;
    int checked;            /* the smartcard and factory steps ran once */
    int ready;
    int need_check, quiet_check;
    uint64_t last_check;
    /* client-initiated network bootstrap: wanted, at net_due (monotonic ms) */
    int net_wanted;
    uint64_t net_due;
    uint64_t net_last_end;  /* when the last Bootstrap-Request session ended */
    int net_ran;            /* net_last_end is set */
    unsigned net_retry;
    /* the event source: back-off while it fails */
    unsigned svc_backoff;
    int svc_failing;
    uint64_t listen_after;  /* the listener could not run: not before this */
    /* a network session under way: the card it started with */
    struct scb_events_reader at_start;
    int card_moved;         /* seen by the cancel hook: check the card next */
    int in_listener;        /* the session is the listener's (it gives way to due work) */
    int listen_secured;     /* a listener bound with DTLS: NoSec later binds loopback only */
    /* network bootstrap not built (SCB_E_UNSUPPORTED): 1 known, 2 said; never scheduled */
    int net_unbuilt;
};

void scb_daemon_opts_init(struct scb_daemon_opts *o)
{
    if (o) {
        memset(o, 0, sizeof(*o));
        scb_coap_opts_init(&o->coap);
    }
}

static uint64_t now_ms(const struct scb_daemon *d)
{
    if (d->o.clock_ms) {
        return d->o.clock_ms(d->o.ctx);
    }
    return scb_now_ms();
}

/* A line to the log callback (prio >= 0) or the status callback (prio < 0). */
__attribute__((format(printf, 3, 0))) static void emit(struct scb_daemon *d, int prio,
                                                       const char *fmt, va_list ap)
{
    char line[400];
    if ((prio >= 0 && d->o.log == NULL) || (prio < 0 && d->o.status == NULL)) {
        return;
    }
    vsnprintf(line, sizeof(line), fmt, ap);
    if (prio >= 0) {
        d->o.log(d->o.ctx, (enum scb_daemon_prio)prio, line);
    } else {
        d->o.status(d->o.ctx, line);
    }
}

__attribute__((format(printf, 3, 4))) static void logp(struct scb_daemon *d,
                                                       enum scb_daemon_prio p, const char *fmt,
                                                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(d, (int)p, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void status(struct scb_daemon *d, const char *fmt,
                                                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(d, -1, fmt, ap);
    va_end(ap);
}

static void ready(struct scb_daemon *d)
{
    if (!d->ready) {
        d->ready = 1;
        if (d->o.ready) {
            d->o.ready(d->o.ctx);
        }
    }
}

static char *dup_or_null(const char *s, int *fail)
{
    char *c = s ? strdup(s) : NULL;
    *fail |= s != NULL && c == NULL;
    return c;
}

int scb_daemon_new(const struct scb_daemon_opts *o, struct scb_daemon **out)
{
    int fail = 0;
    if (o == NULL || out == NULL || o->seq == NULL || o->store == NULL || o->events == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_daemon *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return SCB_E_NOMEM;
    }
    d->o = *o;
    d->endpoint = dup_or_null(o->endpoint, &fail);
    d->listen = dup_or_null(o->listen, &fail);
    if (fail) {
        scb_daemon_free(&d);
        return SCB_E_NOMEM;
    }
    d->o.endpoint = d->endpoint;
    d->o.listen = d->listen;
    if (o->network == NULL) {
        /* the library's own network step: known now, before anything is scheduled */
        d->net_unbuilt = !scb_coap_supported();
    }
    atomic_init(&d->requests, 0u);
    d->svc_backoff = SERVICE_BACKOFF_MIN_MS;
    *out = d;
    return SCB_OK;
}

void scb_daemon_free(struct scb_daemon **d)
{
    if (d && *d) {
        free((*d)->endpoint);
        free((*d)->listen);
        free(*d);
        *d = NULL;
    }
}

void scb_daemon_request(struct scb_daemon *d, unsigned what)
{
    if (d) {
        atomic_fetch_or(&d->requests, what);
        scb_events_wake(d->o.events);
    }
}

/* ---- the smartcard and factory steps ---- */

/* Open what stands for the card now: the card, an empty reader or an unreachable one (R4). */
static struct scb_transport *open_card(struct scb_daemon *d, struct scb_events_reader *r)
{
    struct scb_transport *tr = NULL;
    char err[SCB_ERR_MAX];
    int oc = SCB_OK;
    if (scb_events_reader(d->o.events, r) < 0 || !r->reachable) {
        logp(d, SCB_DAEMON_WARNING, "no reader");
        return scb_transport_unreachable(SCB_E_NO_READERS);
    }
    if (!r->present) {
        return scb_transport_empty_reader(r->name);
    }
    if ((oc = scb_events_open(d->o.events, r->name, &tr, err, sizeof(err))) == SCB_OK) {
        return tr;
    }
    logp(d, SCB_DAEMON_ERR, "reader \"%s\": %s", r->name, err);
    /* gone between the event and the connect: empty; anything else: the card's state is
     * unknown and its instances stay */
    return oc == SCB_E_NO_CARD ? scb_transport_empty_reader(r->name)
                               : scb_transport_unreachable(oc);
}

static void run_checks(struct scb_daemon *d, int quiet)
{
    struct scb_events_reader r;
    struct scb_card *card = NULL;
    struct scb_run_result res;
    memset(&r, 0, sizeof(r)); /* a source whose reader() fails leaves it as it is */
    struct scb_transport *tr = open_card(d, &r);
    int ret = tr ? scb_card_new(tr, &card) : SCB_E_NOMEM;
    if (ret == SCB_OK) {
        scb_bootstrap_set_card(d->o.seq, card, r.name);
        ret = scb_bootstrap_run(d->o.seq, &res, NULL, 0);
        scb_bootstrap_set_card(d->o.seq, NULL, NULL);
    }
    scb_card_free(&card);
    scb_transport_free(&tr);
    d->checked = 1;
    d->last_check = now_ms(d);
    if (ret < 0) {
        logp(d, SCB_DAEMON_ERR, "sequence failed: %s", scb_error_string(ret));
        status(d, "sequence failed: %s", scb_error_string(ret));
        return;
    }
    int same = res.card == SCB_BOOTSTRAP_CARD_UNCHANGED && !res.factory_applied;
    if (!(quiet && same) && d->o.card) {
        d->o.card(d->o.ctx, &res, r.name);
    }
    if (!res.needs_network_bootstrap || d->endpoint == NULL || d->net_unbuilt) {
        d->net_wanted = 0; /* the card (or the factory) gave a server account */
        d->net_due = 0;
        d->net_retry = 0;
    } else if (!d->net_wanted || !same) {
        /* no server account: bootstrap from the network now (a new card starts afresh) */
        d->net_wanted = 1;
        d->net_due = now_ms(d);
        d->net_retry = 0;
    }
}

/* ---- network sessions ---- */

static void source_failed(struct scb_daemon *d, int ret);

/* --verify always / every=D: a re-read without an event is due */
static uint64_t verify_period(const struct scb_daemon *d)
{
    return d->o.verify == SCB_VERIFY_ALWAYS ? VERIFY_ALWAYS_MS : d->o.verify_every_ms;
}

static int verify_due(const struct scb_daemon *d, uint64_t now)
{
    if (!d->checked || d->o.verify == SCB_VERIFY_ON_EVENT) {
        return 0;
    }
    return now >= d->last_check + verify_period(d);
}

/* The session's cancel hook: a request, or a card that is no longer the one it started with. */
static int cancel_session(void *ctx)
{
    struct scb_daemon *d = ctx;
    struct scb_events_reader r;
    int changed = 0;
    unsigned pending = atomic_load(&d->requests);
    /* a request stops the session, except "registration failed" during a Bootstrap-Request
     * session: that session is the answer to it (a burst of them must not keep abandoning it) */
    if ((pending & ~SCB_DAEMON_REGISTRATION_FAILED) != 0 ||
        (pending != 0 && d->in_listener)) {
        return 1;
    }
    int ret = scb_events_wait(d->o.events, 0, &changed);
    if (ret < 0) {
        source_failed(d, ret); /* the card's state is unknown: stop, back off, check later */
        return 1;
    }
    if (changed && scb_events_reader(d->o.events, &r) == SCB_OK &&
        (r.reachable != d->at_start.reachable || r.present != d->at_start.present ||
         r.events != d->at_start.events || strcmp(r.name, d->at_start.name) != 0)) {
        d->card_moved = 1;
        return 1;
    }
    /* a listener gives way when a Bootstrap-Request or a periodic re-read is due; not to
     * --verify always (every second), which would never let a session finish: that re-read
     * runs when the listener returns */
    uint64_t now = now_ms(d);
    return d->in_listener &&
           ((d->o.verify == SCB_VERIFY_EVERY && verify_due(d, now)) ||
            (d->net_wanted && now >= d->net_due));
}

/* Said once: a network bootstrap that is not built is neither retried nor reported as failed
 * (there is nothing a later try or a hook could change). */
static void net_unbuilt_say(struct scb_daemon *d, const char *reason)
{
    if (d->net_unbuilt == 2 || (d->endpoint == NULL && d->listen == NULL)) {
        return;
    }
    d->net_unbuilt = 2;
    logp(d, SCB_DAEMON_WARNING,
         "%s: no client-initiated bootstrap, no listening for a Bootstrap-Server, never "
         "retried; only a card or a factory configuration brings server accounts",
         reason && reason[0] ? reason
                               : "network bootstrap is not built into this libscboot (built "
                                 "without libcoap)");
}

static int network(struct scb_daemon *d, struct scb_coap_opts *co, struct scb_coap_result *res)
{
    int ret;
    co->cancel = cancel_session;
    co->cancel_ctx = d;
    d->card_moved = 0;
    if (scb_events_reader(d->o.events, &d->at_start) < 0) {
        memset(&d->at_start, 0, sizeof(d->at_start));
    }
    if (d->o.network) {
        ret = d->o.network(d->o.network_ctx, d->o.store, co, res);
    } else {
        /* without libcoap: SCB_E_UNSUPPORTED, its reason says network bootstrap is not built */
        ret = scb_coap_bootstrap(d->o.store, co, res);
    }
    if (ret == SCB_E_UNSUPPORTED) {
        d->net_unbuilt = d->net_unbuilt ? d->net_unbuilt : 1;
        net_unbuilt_say(d, res->reason);
        d->net_wanted = 0;
    }
    if (d->card_moved) {
        d->need_check = 1; /* R4 and the whole sequence again */
        d->quiet_check = 0;
    }
    return ret;
}

static uint64_t committed_generation(struct scb_daemon *d)
{
    struct scb_committed cm;
    char err[SCB_ERR_MAX];
    uint64_t g = 0;
    if (scb_store_load(d->o.store, &cm, err, sizeof(err)) == SCB_OK) {
        g = cm.generation;
        scb_committed_free(&cm);
    }
    return g;
}

static void report_network(struct scb_daemon *d, int server, const struct scb_coap_result *res,
                           unsigned retry)
{
    struct scb_daemon_network n = {.server_initiated = server, .outcome = res->outcome,
                                   .reason = res->reason, .retry_ms = retry,
                                   .generation = committed_generation(d)};
    if (d->o.network_done) {
        d->o.network_done(d->o.ctx, &n);
    }
}

/*
 * Where a client-initiated bootstrap would go: 1 when a Bootstrap-Server account is committed
 * (name then holds the endpoint name built from the template: the card's ICCID from the
 * committed fingerprint, the rest from the host), 0 when there is none, -1 when the store
 * cannot be read or the name cannot be built (err says why).
 */
static int network_target(struct scb_daemon *d, char *name, size_t cap, char *err,
                          size_t errlen)
{
    struct scb_committed cm;
    char iccid[32] = "", imei[20] = "";
    if (scb_store_load(d->o.store, &cm, err, errlen) != SCB_OK) {
        return -1;
    }
    int bs = scb_config_bootstrap_instance(&cm.cfg) != NULL;
    /* a modem's IMEI when the source is one; else {imei} stays unknown and a template that
     * needs it fails naming it */
    if (scb_events_imei(d->o.events, imei, sizeof(imei)) < 0) {
        imei[0] = '\0';
    }
    if (cm.card.valid) {
        snprintf(iccid, sizeof(iccid), "%s", cm.card.iccid);
    }
    scb_committed_free(&cm);
    if (!bs) {
        return 0;
    }
    return scb_endpoint_resolve(d->endpoint, iccid, imei, name, cap, err, errlen) < 0 ? -1 : 1;
}

/* A session committed: the server accounts are there, nothing more is due. */
static void network_committed(struct scb_daemon *d, const char *kind)
{
    d->net_wanted = 0;
    d->net_due = 0;
    d->net_retry = 0;
    logp(d, SCB_DAEMON_INFO, "%s bootstrap committed", kind);
    status(d, "%s bootstrap committed (generation %llu)", kind,
           (unsigned long long)committed_generation(d));
}

static void client_initiated(struct scb_daemon *d)
{
    struct scb_coap_opts co = d->o.coap;
    struct scb_coap_result res;
    char name[SCB_ENDPOINT_MAX + 1], err[256];
    int target = network_target(d, name, sizeof(name), err, sizeof(err));
    if (target < 0) {
        logp(d, SCB_DAEMON_ERR, "network bootstrap: %s", err);
        status(d, "network bootstrap not possible: %s", err);
        d->net_wanted = 0;
        return;
    }
    if (target == 0) {
        /* nothing to ask: a card or a factory configuration must bring the account */
        logp(d, SCB_DAEMON_WARNING, "no server account and no Bootstrap-Server account: "
                                    "waiting for a card or a factory configuration");
        status(d, "no server account and no Bootstrap-Server account: waiting for a card");
        d->net_wanted = 0;
        return;
    }
    co.listen = NULL;
    co.server_uri = NULL; /* the committed Bootstrap-Server account's URI and credentials */
    co.endpoint = name;
    co.once = 1;
    status(d, "network bootstrap: Bootstrap-Request as \"%s\"", name);
    logp(d, SCB_DAEMON_INFO, "no complete server account: client-initiated bootstrap as \"%s\"",
         name);
    memset(&res, 0, sizeof(res));
    int ret = network(d, &co, &res);
    d->net_last_end = now_ms(d);
    d->net_ran = 1;
    if (d->net_unbuilt) {
        return; /* said once; not a failure to retry or report */
    }
    if (res.outcome == SCB_COAP_CANCELLED) {
        logp(d, SCB_DAEMON_INFO, "network bootstrap abandoned, nothing from it committed");
        status(d, "network bootstrap abandoned: checking the card");
        d->net_due = now_ms(d); /* again once the sequence has run */
        return;
    }
    if (ret == SCB_OK && res.outcome == SCB_COAP_COMMITTED) {
        network_committed(d, "client-initiated");
        report_network(d, 0, &res, 0);
        return;
    }
    unsigned first = d->o.retry_ms ? d->o.retry_ms : SCB_DAEMON_RETRY_MS;
    unsigned max = d->o.retry_max_ms ? d->o.retry_max_ms : SCB_DAEMON_RETRY_MAX_MS;
    d->net_retry = d->net_retry == 0 ? first : d->net_retry >= max / 2 ? max : d->net_retry * 2;
    d->net_due = now_ms(d) + d->net_retry;
    if (res.reason[0] == '\0') {
        snprintf(res.reason, sizeof(res.reason), "%s", scb_error_string(ret));
    }
    logp(d, SCB_DAEMON_WARNING, "network bootstrap failed: %s; next in %u s", res.reason,
         (d->net_retry + 999) / 1000);
    status(d, "network bootstrap failed, retrying in %u s", (d->net_retry + 999) / 1000);
    report_network(d, 0, &res, d->net_retry);
}

/* Serve server-initiated bootstrap until a session ends or the hook gives way. */
static void listener(struct scb_daemon *d)
{
    struct scb_coap_opts co = d->o.coap;
    struct scb_coap_result res;
    co.listen = d->listen;
    co.listen_secured = &d->listen_secured;
    co.server_uri = NULL;
    co.endpoint = d->endpoint;
    co.once = 1;
    status(d, "listening for a Bootstrap-Server on %s", d->listen);
    memset(&res, 0, sizeof(res));
    d->in_listener = 1;
    int ret = network(d, &co, &res);
    d->in_listener = 0;
    if (d->net_unbuilt) {
        return; /* said once; never listened */
    }
    if (res.outcome == SCB_COAP_CANCELLED) {
        return; /* an event, a request or a Bootstrap-Request due: not a session's end */
    }
    if (ret < 0 || res.outcome == SCB_COAP_UNREACHABLE || res.outcome == SCB_COAP_REFUSED_SETUP) {
        /* cannot listen (port taken, account refused): try again later, keep the card going */
        logp(d, SCB_DAEMON_ERR, "listener: %s", res.reason[0] ? res.reason : scb_error_string(ret));
        status(d, "listener failed, retrying in 30 s: %s", res.reason);
        d->listen_after = now_ms(d) + 30000u;
        return;
    }
    if (res.outcome == SCB_COAP_COMMITTED) {
        network_committed(d, "server-initiated");
    }
    report_network(d, 1, &res, 0);
}

/* ---- the loop ---- */

static void take_requests(struct scb_daemon *d)
{
    unsigned r = atomic_exchange(&d->requests, 0u);
    if (r & SCB_DAEMON_STOP) {
        d->stopping = 1;
    }
    if (r & SCB_DAEMON_RECHECK) {
        (void)scb_bootstrap_force_read(d->o.seq); /* fails only for a NULL sequence */
        d->need_check = 1;
        d->quiet_check = 0;
    }
    if (r & SCB_DAEMON_REGISTRATION_FAILED) {
        struct scb_committed cm;
        char err[SCB_ERR_MAX];
        int run = 1;
        if (scb_store_load(d->o.store, &cm, err, sizeof(err)) == SCB_OK) {
            run = scb_bootstrap_on_registration_failure(&cm.cfg);
            scb_committed_free(&cm);
        }
        if (!run) {
            logp(d, SCB_DAEMON_INFO, "registration failed: every server account says not to "
                                     "bootstrap (Bootstrap on Registration Failure false)");
        } else if (d->endpoint == NULL) {
            logp(d, SCB_DAEMON_WARNING, "registration failed: no endpoint name configured for "
                                        "client-initiated bootstrap");
        } else if (d->net_unbuilt) {
            logp(d, SCB_DAEMON_WARNING, "registration failed: network bootstrap is not built, "
                                        "no Bootstrap-Request");
        } else {
            /* one Bootstrap-Request per SCB_DAEMON_REGFAIL_GAP_MS at most: reports that come
             * faster (a client retrying, a signal storm) join the one already due */
            uint64_t now = now_ms(d);
            uint64_t due = d->net_ran && d->net_last_end + SCB_DAEMON_REGFAIL_GAP_MS > now
                               ? d->net_last_end + SCB_DAEMON_REGFAIL_GAP_MS
                               : now;
            if (!d->net_wanted || d->net_due > due) {
                d->net_wanted = 1;
                d->net_due = due;
                d->net_retry = 0;
            }
            if (d->net_due > now) {
                logp(d, SCB_DAEMON_INFO, "registration failed: client-initiated bootstrap when "
                     "the last one is %u s old", SCB_DAEMON_REGFAIL_GAP_MS / 1000u);
            } else {
                logp(d, SCB_DAEMON_INFO, "registration failed: client-initiated bootstrap now");
            }
        }
    }
}

/* How long the wait may last: until the next due thing, never past max_wait_ms. */
static int wait_budget(struct scb_daemon *d, int max_wait_ms, uint64_t now)
{
    int64_t t = max_wait_ms;
    if (d->svc_failing) {
        t = t < 0 || t > (int64_t)d->svc_backoff ? (int64_t)d->svc_backoff : t;
    }
    if (d->net_wanted) {
        int64_t left = d->net_due > now ? (int64_t)(d->net_due - now) : 0;
        t = t < 0 || t > left ? left : t;
    }
    if (d->checked && d->o.verify != SCB_VERIFY_ON_EVENT) {
        uint64_t at = d->last_check + verify_period(d);
        int64_t left = at > now ? (int64_t)(at - now) : 0;
        t = t < 0 || t > left ? left : t;
    }
    if (d->listen && d->checked && d->listen_after > now) {
        int64_t left = (int64_t)(d->listen_after - now);
        t = t < 0 || t > left ? left : t;
    }
    return t > 0x7fffffff ? 0x7fffffff : (int)t;
}

/* The event source failed: log it once per streak, say so in STATUS, back off (doubling). */
static void source_failed(struct scb_daemon *d, int ret)
{
    if (!d->svc_failing) {
        if (ret == SCB_E_NO_SERVICE) {
            logp(d, SCB_DAEMON_WARNING, "%s not reachable: re-connecting",
                 scb_events_name(d->o.events));
        } else {
            logp(d, SCB_DAEMON_ERR, "%s: %s: retrying", scb_events_name(d->o.events),
                 scb_error_string(ret));
        }
    } else {
        d->svc_backoff = d->svc_backoff < SERVICE_BACKOFF_MAX_MS / 2 ? d->svc_backoff * 2
                                                                      : SERVICE_BACKOFF_MAX_MS;
    }
    status(d, "%s %s, retrying in %u ms", scb_events_name(d->o.events),
           ret == SCB_E_NO_SERVICE ? "unreachable" : "failed", d->svc_backoff);
    d->svc_failing = 1;
    ready(d); /* running: the card is checked once the source answers */
}

static void wait_events(struct scb_daemon *d, int budget)
{
    int changed = 0;
    int ret = scb_events_wait(d->o.events, budget, &changed);
    if (ret < 0) {
        source_failed(d, ret);
        return;
    }
    if (d->svc_failing) {
        logp(d, SCB_DAEMON_INFO, "%s is back", scb_events_name(d->o.events));
        d->svc_failing = 0;
        d->svc_backoff = SERVICE_BACKOFF_MIN_MS;
    }
    if (changed) {
        d->need_check = 1;
        d->quiet_check = 0;
    }
}

/* Sleep out a back-off (the failing source's wait returns at once), in slices so a request
 * is seen within 100 ms. */
static void backoff_sleep(struct scb_daemon *d, int budget)
{
    if (d->o.clock_ms) {
        return; /* a test's clock: the caller moves time */
    }
    for (int left = budget; left > 0 && atomic_load(&d->requests) == 0; left -= 100) {
        struct timespec ts = {0, (long)(left < 100 ? left : 100) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int scb_daemon_step(struct scb_daemon *d, int max_wait_ms)
{
    if (d == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (d->net_unbuilt == 1) {
        net_unbuilt_say(d, NULL); /* at start-up, before any card step */
    }
    take_requests(d);
    if (d->stopping) {
        return 1;
    }
    uint64_t now = now_ms(d);
    if (!d->need_check && verify_due(d, now)) {
        d->need_check = 1;
        d->quiet_check = 1;
    }
    if (d->need_check && !d->svc_failing) {
        int quiet = d->quiet_check;
        d->need_check = d->quiet_check = 0;
        run_checks(d, quiet);
        ready(d);
        return 0;
    }
    if (d->net_wanted && now >= d->net_due && d->checked && !d->svc_failing) {
        client_initiated(d);
        return 0;
    }
    int budget = wait_budget(d, max_wait_ms, now);
    if (d->listen && !d->net_unbuilt && d->checked && !d->svc_failing &&
        now >= d->listen_after && max_wait_ms != 0) {
        listener(d);
        return 0;
    }
    if (d->svc_failing) {
        backoff_sleep(d, budget);
        budget = 0;
    }
    wait_events(d, budget);
    return 0;
}

int scb_daemon_run(struct scb_daemon *d)
{
    int ret;
    while ((ret = scb_daemon_step(d, -1)) == 0) {
    }
    return ret < 0 ? ret : SCB_OK;
}

/* The one-argument log callbacks carry no priority: the words of the line give it. Store and
 * commit failures are errors, data the library rejected (violations, unusable factory file,
 * unreadable card) warnings, the rest info. */
enum scb_daemon_prio scb_daemon_line_prio(const char *line)
{
    if (line == NULL) {
        return SCB_DAEMON_INFO;
    }
    static const char *const errs[] = {"commit failed", "store:", "PIN refused"};
    static const char *const warns[] = {"card data rejected", "factory configuration rejected",
                                        "factory configuration unusable", "card unreadable",
                                        "warning:"};
    for (size_t k = 0; k < sizeof(errs) / sizeof(errs[0]); k++) {
        if (strncmp(line, errs[k], strlen(errs[k])) == 0) {
            return SCB_DAEMON_ERR;
        }
    }
    for (size_t k = 0; k < sizeof(warns) / sizeof(warns[0]); k++) {
        if (strncmp(line, warns[k], strlen(warns[k])) == 0) {
            return SCB_DAEMON_WARNING;
        }
    }
    return SCB_DAEMON_INFO;
}

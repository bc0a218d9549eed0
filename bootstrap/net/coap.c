/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coap.c: the CoAP side of network bootstrap on libcoap 3 (LwM2M 1.1 Transport:
 * Bootstrap interface over CoAP). Everything it receives is handed to the transport-independent
 * session (session.c); it owns sockets, block-wise bodies, the Bootstrap-Request schedule,
 * EXCHANGE_LIFETIME and the commit of an accepted Finish. Which peer may talk to it is decided
 * in coap_dtls.c from the committed Bootstrap-Server account.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "clock.h"
#include "logf.h"
#include "coap_internal.h"
#include "scboot/util.h"
#include "scboot/endpoint.h"
#include "scboot/session.h"

#define MAX_PAYLOAD 65536
#define SCB_COAP_MAX_PEERS 64 /* idle peer sessions kept (each may hold a Block2 body) */
#define CODE(c, d) COAP_RESPONSE_CODE((c) * 100 + (d))

enum req_state { REQ_IDLE = 0, REQ_WAITING, REQ_ANSWERED, REQ_REFUSED, REQ_FAILED, REQ_SETUP };

struct bs {
    const struct scb_coap_opts *o;
    struct scb_store *st;
    struct scb_coap_result *res;
    struct scb_committed committed;
    struct scb_session *session; /* owned; NULL when no session is open */
    struct scb_bs_creds cr;
    int session_open;
    int done;               /* 1 committed, -1 commit failed */
    int any_op;             /* server-initiated: the lifetime runs from the first operation */
    enum req_state req;     /* client-initiated: the Bootstrap-Request exchange */
    struct scb_body body;   /* a Block1 body being reassembled */
    const coap_session_t *body_peer; /* the peer that sent its first block */
    char req_failure[200];  /* why the exchange failed, in words */
    unsigned refused_mark;  /* cr.refused when the exchange began */
    const char *target;     /* client-initiated: the URI requested (option or account) */
    int cancelled;          /* o->cancel asked to stop: nothing more is committed */
    int secure_first;       /* the listener's first binding required DTLS */
    int no_target;          /* no server URI and no account to take one from */
    char commit_err[SCB_ERR_MAX]; /* why the last commit failed, in one line */
};

#define logf_(b, ...) scb_logf((b)->o->log, (b)->o->log_ctx, __VA_ARGS__)

/* The outcome and its reason (also logged). */
__attribute__((format(printf, 3, 4))) static void outcome(struct bs *b, enum scb_coap_outcome oc,
                                                         const char *fmt, ...)
{
    va_list ap;
    b->res->outcome = oc;
    va_start(ap, fmt);
    vsnprintf(b->res->reason, sizeof(b->res->reason), fmt, ap);
    va_end(ap);
    logf_(b, "%s", b->res->reason);
}

/*
 * Whether the caller asked to stop (o->cancel); once it did, the run is abandoned for good.
 * Every wait polls this at least every 250 ms.
 */
static int cancelled(struct bs *b)
{
    if (!b->cancelled && b->o->cancel && b->o->cancel(b->o->cancel_ctx)) {
        b->cancelled = 1;
        outcome(b, SCB_COAP_CANCELLED, "network bootstrap cancelled: session abandoned, "
                                      "nothing from it committed");
    }
    return b->cancelled;
}

static int open_session(struct bs *b)
{
    char err[200];
    int ret;
    scb_committed_free(&b->committed);
    if ((ret = scb_store_load(b->st, &b->committed, err, sizeof(err))) < 0) {
        snprintf(b->res->reason, sizeof(b->res->reason), "store: %s", err);
        logf_(b, "store: %s", err);
        return ret;
    }
    struct scb_session_opts so;
    scb_session_opts_init(&so);
    so.profile = &b->o->profile;
    so.lifetime_ms = b->o->exchange_lifetime_ms;
    if ((ret = scb_session_new(&so, &b->committed.cfg, &b->session)) < 0) {
        return ret;
    }
    b->session_open = 1;
    b->any_op = 0;
    return SCB_OK;
}

/* A half-received Block1 body belongs to one peer in one session, never to the next. */
static void drop_body(struct bs *b)
{
    scb_body_reset(&b->body);
    b->body_peer = NULL;
}

static void close_session(struct bs *b)
{
    drop_body(b);
    if (b->session_open) {
        scb_session_free(&b->session);
        b->session_open = 0;
    }
}

/* The request's Uri-Path as "/a/b" ("/" for none). */
static void request_path(const coap_pdu_t *req, char *out, size_t cap)
{
    coap_string_t *p = coap_get_uri_path(req);
    if (p == NULL || p->length == 0) {
        snprintf(out, cap, "/");
    } else {
        snprintf(out, cap, "/%.*s", (int)p->length, (const char *)p->s);
    }
    coap_delete_string(p);
}

static int option_uint(const coap_pdu_t *req, coap_option_num_t num, unsigned *out)
{
    coap_opt_iterator_t it;
    coap_opt_t *opt = coap_check_option(req, num, &it);
    if (opt == NULL) {
        return 0;
    }
    *out = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
    return 1;
}

static void reply(coap_pdu_t *resp, int code, int cf, const uint8_t *data, size_t len)
{
    uint8_t buf[4];
    coap_pdu_set_code(resp, (coap_pdu_code_t)(code < 0 ? CODE(5, 0) : code));
    if (cf >= 0) {
        coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
                        coap_encode_var_safe(buf, sizeof(buf), (unsigned)cf), buf);
    }
    if (len) {
        coap_add_data(resp, len, data);
    }
}

/*
 * Bootstrap-Finish: 4.06 with the violations, or commit and only then 2.04; a commit that
 * does not become durable is 5.00 with the reason (text/plain) and ends the run.
 */
static void finish(struct bs *b, coap_pdu_t *resp)
{
    struct scb_buf out = {.max = MAX_PAYLOAD};
    char why[200];
    int code;

    if (cancelled(b)) {
        reply(resp, CODE(5, 3), -1, NULL, 0); /* abandoned: the Finish commits nothing */
        return;
    }
    /* the same validator and commit as a client's own CoAP stack reaches (scboot/session.h) */
    code = scb_session_commit(b->session, b->st, why, sizeof(why));
    if (code == SCB_COAP_CODE_2_04_CHANGED) {
        logf_(b, "Bootstrap-Finish accepted: configuration committed");
        reply(resp, CODE(2, 4), -1, NULL, 0);
        b->done = 1;
    } else if (code < 0) {
        /* the peer hears the reason without the local paths; the log has all of it */
        const char *os = why[0] ? strrchr(why, ':') : NULL;
        char line[200];
        snprintf(line, sizeof(line), "could not commit the configuration: %s%s%s",
                 scb_error_string(code), os ? ":" : "", os ? os + 1 : "");
        reply(resp, CODE(5, 0), 0, (const uint8_t *)line, strlen(line));
        outcome(b, SCB_COAP_COMMIT_FAILED, "Bootstrap-Finish answered 5.00: %s",
                why[0] ? why : line);
        b->done = -1;
    } else if (code == SCB_COAP_CODE_4_06_NOT_ACCEPTABLE) {
        scb_session_diagnostic(b->session, &out);
        logf_(b, "Bootstrap-Finish answered 4.06: %zu violation(s)",
              scb_session_report(b->session)->n);
        reply(resp, code, 0, out.data, out.len); /* text/plain: "rule path" lines */
    } else {
        reply(resp, code, -1, NULL, 0);
    }
    scb_buf_free(&out);
}

/* A body beyond SCB_COAP_MAX_BODY: 4.13 with Size1 (RFC 7959 2.9.3). */
static void too_large(struct bs *b, const char *path, coap_pdu_t *resp, size_t total)
{
    uint8_t buf[4];
    logf_(b, "Bootstrap-Write %s: body of %zu bytes refused (4.13, limit %u)", path, total,
          SCB_COAP_MAX_BODY);
    coap_pdu_set_code(resp, CODE(4, 13));
    coap_add_option(resp, COAP_OPTION_SIZE1, coap_encode_var_safe(buf, sizeof(buf),
                                                                  SCB_COAP_MAX_BODY), buf);
}

/*
 * The body of a PUT: one message, or Block1 blocks (RFC 7959) reassembled here in order,
 * bounded by SCB_COAP_MAX_BODY from the first block on (the announced Size1 or the offset).
 * libcoap's own single-body mode is not used: it allocates whatever Size1 a peer announces.
 * Returns 1 with the whole body, 0 when resp was answered (2.31 Continue, 4.13, 4.08).
 */
static int put_body(struct bs *b, coap_session_t *cs, const char *path, const coap_pdu_t *req,
                    coap_pdu_t *resp, const uint8_t **data, size_t *len)
{
    size_t n = 0, offset = 0, total = 0;
    const uint8_t *d = NULL;
    coap_block_b_t blk;

    if (!coap_get_data_large(req, &n, &d, &offset, &total)) {
        if (coap_get_block_b(cs, req, COAP_OPTION_BLOCK1, &blk) && (blk.num > 0 || blk.m)) {
            drop_body(b); /* an empty block inside a transfer does not end it */
            reply(resp, CODE(4, 8), -1, NULL, 0);
            return 0;
        }
        return 1; /* no payload */
    }
    if (offset == 0 && n == total && n <= SCB_COAP_MAX_BODY) {
        *data = d; /* one message */
        *len = n;
        return 1;
    }
    if (offset > 0 && b->body_peer != cs) {
        drop_body(b); /* a block of another peer's (or an earlier session's) body */
    }
    if (offset == 0) {
        b->body_peer = cs;
    }
    switch (scb_body_add(&b->body, path, offset, total, d, n)) {
    case SCB_BODY_COMPLETE:
        *data = b->body.data;
        *len = b->body.len;
        return 1;
    case SCB_BODY_CONTINUE:
        coap_pdu_set_code(resp, CODE(2, 31)); /* libcoap adds the Block1 option */
        return 0;
    case SCB_BODY_TOO_LARGE:
        too_large(b, path, resp, total > offset + n ? total : offset + n);
        return 0;
    case SCB_BODY_INCOMPLETE:
        reply(resp, CODE(4, 8), -1, NULL, 0);
        return 0;
    default:
        reply(resp, CODE(5, 0), -1, NULL, 0);
        return 0;
    }
}

static void release_body(coap_session_t *cs, void *p)
{
    (void)cs;
    free(p);
}

/* A 2.05 answer, block-wise (Block2) when it does not fit one message; takes out's data. */
static void answer_large(coap_resource_t *res, coap_session_t *cs, const coap_pdu_t *req,
                         coap_pdu_t *resp, const coap_string_t *query, uint16_t cf,
                         struct scb_buf *out)
{
    coap_pdu_set_code(resp, CODE(2, 5));
    if (out->len == 0) {
        reply(resp, CODE(2, 5), cf, NULL, 0);
        return;
    }
    /*
     * libcoap owns the buffer from here on, also when it fails (it calls release_body on
     * every error path, a Block2 number past the end among them, and sets the code): freeing
     * it again here would be a double free any peer could trigger with one GET.
     */
    uint8_t *data = out->data;
    size_t len = out->len;
    out->data = NULL;
    out->len = out->cap = 0;
    (void)coap_add_data_large_response(res, cs, req, resp, query, cf, -1, 0, len, data,
                                       release_body, data);
}

static char served; /* app data of a server session that carried a request */

static void handle(coap_resource_t *res, coap_session_t *cs, const coap_pdu_t *req,
                   const coap_string_t *query, coap_pdu_t *resp)
{
    struct bs *b = coap_get_app_data(coap_session_get_context(cs));
    char path[128];
    struct scb_buf out = {.max = MAX_PAYLOAD};
    unsigned cf = 0, accept = 0;
    int code;
    coap_session_set_app_data(cs, &served);
    if (b->done || !b->session_open || b->cancelled) {
        reply(resp, CODE(5, 3), -1, NULL, 0);
        return;
    }
    if (!b->any_op && b->o->listen) {
        /* the listener may have idled past EXCHANGE_LIFETIME: the session starts now */
        close_session(b);
        if (open_session(b) < 0) {
            reply(resp, CODE(5, 0), -1, NULL, 0);
            return;
        }
    }
    request_path(req, path, sizeof(path));
    b->any_op = 1;
    coap_pdu_code_t method = coap_pdu_get_code(req);
    if (method == COAP_REQUEST_CODE_POST && strcmp(path, "/bs") == 0) {
        drop_body(b); /* a Block1 transfer still open is abandoned, never resumed later */
        finish(b, resp);
        return;
    }
    if (strcmp(path, "/") != 0 && (path[1] < '0' || path[1] > '9')) {
        reply(resp, CODE(4, 4), -1, NULL, 0);
        return;
    }
    switch (method) {
    case COAP_REQUEST_CODE_PUT: {
        size_t len = 0;
        const uint8_t *data = NULL;
        if (!put_body(b, cs, path, req, resp, &data, &len)) {
            return; /* 2.31 Continue, 4.13 or 4.08 */
        }
        if (!option_uint(req, COAP_OPTION_CONTENT_FORMAT, &cf)) {
            cf = 0;
        }
        code = scb_session_write(b->session, path, cf, data, len);
        drop_body(b);
        logf_(b, "Bootstrap-Write %s (%zu bytes): %d.%02d", path, len, code >> 5, code & 31);
        break;
    }
    case COAP_REQUEST_CODE_DELETE:
        code = scb_session_delete(b->session, path);
        logf_(b, "Bootstrap-Delete %s: %d.%02d", path, code >> 5, code & 31);
        break;
    case COAP_REQUEST_CODE_GET:
        if (option_uint(req, COAP_OPTION_ACCEPT, &accept) && accept == SCB_CF_LINK_FORMAT) {
            code = scb_session_discover(b->session, path, &out);
            cf = SCB_CF_LINK_FORMAT;
        } else {
            unsigned used = SCB_CF_TLV; /* Accept: TLV (default), SenML JSON, SenML CBOR */
            code = scb_session_read_as(b->session, path,
                                       option_uint(req, COAP_OPTION_ACCEPT, &accept) ? (int)accept
                                                                                     : -1,
                                       &out, &used);
            cf = (int)used;
        }
        if (code == SCB_COAP_CODE_2_05_CONTENT) {
            answer_large(res, cs, req, resp, query, (uint16_t)cf, &out);
        } else {
            reply(resp, code < 0 ? COAP_RESPONSE_CODE(500) : code, -1, NULL, 0);
        }
        scb_buf_free(&out);
        return;
    default:
        code = CODE(4, 5);
        break;
    }
    reply(resp, code, -1, NULL, 0);
}

/* ---- client-initiated: the Bootstrap-Request exchange ---- */

static coap_response_t on_response(coap_session_t *cs, const coap_pdu_t *sent,
                                   const coap_pdu_t *received, const coap_mid_t mid)
{
    struct bs *b = coap_get_app_data(coap_session_get_context(cs));
    coap_pdu_code_t code = coap_pdu_get_code(received);
    (void)sent;
    (void)mid;
    if (b->req != REQ_WAITING) {
        return COAP_RESPONSE_OK;
    }
    if (code == CODE(2, 4)) {
        b->req = REQ_ANSWERED;
        logf_(b, "Bootstrap-Request answered 2.04");
    } else {
        b->req = REQ_REFUSED;
        snprintf(b->req_failure, sizeof(b->req_failure), "Bootstrap-Request answered %d.%02d",
                 code >> 5, code & 31);
    }
    return COAP_RESPONSE_OK;
}

static const char *nack_words(coap_nack_reason_t r)
{
    switch (r) {
    case COAP_NACK_TOO_MANY_RETRIES: return "timeout (no answer to any retransmission)";
    case COAP_NACK_NOT_DELIVERABLE: return "not deliverable (network error)";
    case COAP_NACK_RST: return "reset by the peer (CoAP RST)";
    case COAP_NACK_TLS_FAILED: return "DTLS handshake failure or alert";
    case COAP_NACK_ICMP_ISSUE: return "ICMP unreachable (nobody listening there)";
    default: return "not answered";
    }
}

/* First failure of the exchange wins; later ones (and those after it ended) say nothing new. */
static void exchange_failed(struct bs *b, const char *why)
{
    if (b->req == REQ_WAITING) {
        b->req = REQ_FAILED;
        snprintf(b->req_failure, sizeof(b->req_failure), "%s", why);
    }
}

static void on_nack(coap_session_t *cs, const coap_pdu_t *sent, const coap_nack_reason_t reason,
                    const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    exchange_failed(coap_get_app_data(coap_session_get_context(cs)), nack_words(reason));
}

static int on_event(coap_session_t *cs, const coap_event_t ev)
{
    struct bs *b = coap_get_app_data(coap_session_get_context(cs));
    int client = coap_session_get_type(cs) == COAP_SESSION_TYPE_CLIENT;

    if (ev != COAP_EVENT_DTLS_ERROR && ev != COAP_EVENT_DTLS_CLOSED) {
        return 0;
    }
    if (!client) {
        if (ev == COAP_EVENT_DTLS_ERROR || coap_session_get_app_data(cs) != &served) {
            logf_(b, "DTLS session %s closed before any request: handshake refused (not the "
                     "Bootstrap-Server account's credentials) or failed", coap_session_str(cs));
        }
    } else if (b->cr.refused != b->refused_mark) {
        exchange_failed(b, "DTLS: the server's credentials are not those of the "
                           "Bootstrap-Server account");
    } else {
        exchange_failed(b, "DTLS handshake failure or alert");
    }
    return 0;
}

static int resolve(const char *host, uint16_t port, coap_address_t *addr)
{
    struct addrinfo hints, *res = NULL;
    char ps[8];
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_family = AF_UNSPEC;
    snprintf(ps, sizeof(ps), "%u", port);
    if (getaddrinfo(host, ps, &hints, &res) != 0 || res == NULL) {
        return SCB_E_TRANSPORT;
    }
    coap_address_init(addr);
    addr->size = (socklen_t)res->ai_addrlen;
    memcpy(&addr->addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return SCB_OK;
}

/* "[ADDR:]PORT" or "[V6ADDR]:PORT"; host stays as given when absent. */
static int split_listen(const char *spec, char *host, size_t cap, unsigned long *port)
{
    const char *colon = strrchr(spec, ':');
    char *end;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - spec) > cap) {
            return SCB_E_INVALID_ARG;
        }
        snprintf(host, cap, "%.*s", (int)(close - spec - 1), spec + 1);
        colon = close + 1;
    } else if (colon) {
        if ((size_t)(colon - spec) >= cap || memchr(spec, ':', (size_t)(colon - spec))) {
            return SCB_E_INVALID_ARG; /* a bare IPv6 address needs brackets */
        }
        snprintf(host, cap, "%.*s", (int)(colon - spec), spec);
    }
    *port = strtoul(colon ? colon + 1 : spec, &end, 10);
    return *end || *port == 0 || *port > 65535 ? SCB_E_INVALID_ARG : SCB_OK;
}

/* A loopback address (127.0.0.0/8, ::1) as text; anything unparsable is not. */
static int is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) {
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* The loopback address of host's family (a name counts as IPv4). */
static const char *loopback_of(const char *host)
{
    return strchr(host, ':') != NULL ? "::1" : "127.0.0.1";
}

static int listen_on(struct bs *b, coap_context_t *ctx)
{
    int secure = scb_bs_creds_secure(&b->cr);
    /* plain CoAP takes anyone who can reach it: loopback unless an address is given */
    char host[64], err[200];
    unsigned long port;
    coap_address_t addr;
    int ret;

    snprintf(host, sizeof(host), "%s", secure ? "0.0.0.0" : "127.0.0.1");
    if (split_listen(b->o->listen, host, sizeof(host), &port) < 0) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "cannot listen on '%s'", b->o->listen);
        return SCB_E_INVALID_ARG;
    }
    if (b->secure_first && !secure) {
        /*
         * The address was given for DTLS: a server that dropped the account's credentials
         * must not turn it into an unauthenticated listener beyond this host, opt-in or not.
         */
        if (!is_loopback(host)) {
            logf_(b, "warning: the committed Bootstrap-Server account no longer requires DTLS: "
                     "listening again on %s only (not %s), unauthenticated",
                  loopback_of(host), host);
            snprintf(host, sizeof(host), "%s", loopback_of(host));
        }
    } else if (!secure && !b->o->listen_unauthenticated && !is_loopback(host)) {
        /*
         * No committed account demands DTLS: an unreadable card or a NoSec account left by an
         * earlier session (before a restart) must not open the given address to anyone.
         */
        logf_(b, "warning: no Bootstrap-Server account with credentials is committed: plain "
                 "CoAP listens on %s only (not %s); the option listen_unauthenticated allows "
                 "the address given",
              loopback_of(host), host);
        snprintf(host, sizeof(host), "%s", loopback_of(host));
    }
    if (secure) {
        b->secure_first = 1;
        if (b->o->listen_secured != NULL) {
            *b->o->listen_secured = 1;
        }
    }
    if (resolve(host, (uint16_t)port, &addr) < 0) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "cannot listen on '%s'", b->o->listen);
        return SCB_E_INVALID_ARG;
    }
    if (secure && (ret = scb_bs_dtls_server(ctx, &b->cr, err, sizeof(err))) < 0) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "%s", err);
        return ret;
    }
    if (coap_new_endpoint(ctx, &addr, secure ? COAP_PROTO_DTLS : COAP_PROTO_UDP) == NULL) {
        outcome(b, SCB_COAP_UNREACHABLE, "cannot listen on %s port %lu", host, port);
        return SCB_E_TRANSPORT;
    }
    if (secure) {
        logf_(b, "listening for the Bootstrap-Server on %s port %lu (%s, %s)", host, port,
              scb_bs_creds_name(&b->cr),
              b->cr.from_flags ? "the PSK given in the options"
                               : "credentials of the committed Bootstrap-Server account");
    } else {
        logf_(b, "listening on %s port %lu WITHOUT authentication (plain CoAP): no "
                 "Bootstrap-Server account with credentials is committed, anyone who reaches "
                 "this port may bootstrap", host, port);
    }
    return SCB_OK;
}

/* The URI's scheme must fit the credentials: never plain CoAP towards a secure account. */
static int check_scheme(struct bs *b, const coap_uri_t *uri)
{
    int secure = scb_bs_creds_secure(&b->cr);
    if (uri->scheme == COAP_URI_SCHEME_COAPS && !secure) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "coaps:// needs credentials: a Bootstrap-Server "
                "account with PSK, RPK or certificate, or a PSK given in the options");
        return SCB_E_INVALID_ARG;
    }
    if (uri->scheme == COAP_URI_SCHEME_COAP && secure) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "refusing plain CoAP (coap://): %s; use coaps://",
                b->cr.from_flags ? "a PSK was given in the options"
                                 : "the committed Bootstrap-Server account requires DTLS");
        return SCB_E_INVALID_ARG;
    }
    if (uri->scheme != COAP_URI_SCHEME_COAP && uri->scheme != COAP_URI_SCHEME_COAPS) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "only coap:// and coaps:// are supported");
        return SCB_E_INVALID_ARG;
    }
    return SCB_OK;
}

static int server_address(struct bs *b, coap_address_t *dst, int *dtls)
{
    coap_uri_t uri;
    char host[256];
    const char *u = b->target;
    int ret;

    if (coap_split_uri((const uint8_t *)u, strlen(u), &uri) < 0 || uri.host.length == 0 ||
        uri.host.length >= sizeof(host)) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "bad Bootstrap-Server URI '%s'", u);
        return SCB_E_INVALID_ARG;
    }
    if ((ret = check_scheme(b, &uri)) < 0) {
        return ret;
    }
    snprintf(host, sizeof(host), "%.*s", (int)uri.host.length, (const char *)uri.host.s);
    if (resolve(host, uri.port, dst) < 0) {
        outcome(b, SCB_COAP_UNREACHABLE, "cannot resolve '%s'", host);
        return SCB_E_TRANSPORT;
    }
    *dtls = uri.scheme == COAP_URI_SCHEME_COAPS;
    return SCB_OK;
}

static coap_session_t *new_client_session(struct bs *b, coap_context_t *ctx,
                                          const coap_address_t *dst, int dtls)
{
    char err[200];
    coap_session_t *cs = dtls ? scb_bs_dtls_client(ctx, dst, b->target, &b->cr, err,
                                                   sizeof(err))
                              : coap_new_client_session(ctx, NULL, dst, COAP_PROTO_UDP);
    if (cs == NULL) {
        snprintf(b->req_failure, sizeof(b->req_failure), "%s",
                 dtls ? err : "cannot open a UDP socket");
    }
    return cs;
}

static int send_request(struct bs *b, coap_session_t *cs)
{
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST,
                                    coap_new_message_id(cs), coap_session_max_pdu_size(cs));
    char q[8 + SCB_ENDPOINT_MAX];
    if (pdu == NULL) {
        return SCB_E_NOMEM;
    }
    coap_add_option(pdu, COAP_OPTION_URI_PATH, 2, (const uint8_t *)"bs");
    snprintf(q, sizeof(q), "ep=%s", b->o->endpoint ? b->o->endpoint : "scboot");
    coap_add_option(pdu, COAP_OPTION_URI_QUERY, strlen(q), (const uint8_t *)q);
    if (b->o->pct >= 0) {
        snprintf(q, sizeof(q), "pct=%d", b->o->pct);
        coap_add_option(pdu, COAP_OPTION_URI_QUERY, strlen(q), (const uint8_t *)q);
    }
    return coap_send(cs, pdu) == COAP_INVALID_MID ? SCB_E_TRANSPORT : SCB_OK;
}

static unsigned or_default(unsigned v, unsigned d)
{
    return v ? v : d;
}

/* The pause before attempt k+1 (k >= 1): FIRST * 2^(k-1), capped, plus 0..25% jitter. */
static unsigned backoff(const struct scb_coap_opts *o, unsigned k)
{
    uint64_t d = or_default(o->backoff_ms, SCB_COAP_BACKOFF_MS);
    uint64_t cap = or_default(o->backoff_max_ms, SCB_COAP_BACKOFF_MAX_MS);
    uint16_t r = 0;
    for (unsigned i = 1; i < k && d < cap; i++) {
        d *= 2;
    }
    d = d > cap ? cap : d;
    coap_prng(&r, sizeof(r));
    return (unsigned)(d + d * (r % 251u) / 1000u);
}

/* ---- one bootstrap session ---- */

static coap_context_t *new_context(struct bs *b)
{
    coap_context_t *ctx = coap_new_context(NULL);
    coap_resource_t *r;
    if (ctx == NULL) {
        return NULL;
    }
    coap_set_app_data(ctx, b);
    r = coap_resource_unknown_init2(handle, 0);
    coap_register_request_handler(r, COAP_REQUEST_GET, handle);
    coap_register_request_handler(r, COAP_REQUEST_POST, handle);
    coap_register_request_handler(r, COAP_REQUEST_DELETE, handle);
    coap_add_resource(ctx, r);
    coap_register_response_handler(ctx, on_response);
    coap_register_nack_handler(ctx, on_nack);
    coap_register_event_handler(ctx, on_event);
    coap_context_set_block_mode(ctx, COAP_BLOCK_USE_LIBCOAP); /* bodies: put_body() */
    /*
     * Every peer address is a libcoap session, and a session answering a large Read keeps its
     * copy of the body (up to MAX_PAYLOAD) for Block2: without a cap, peers from many source
     * ports grew the process by ~30 KB each. The oldest idle session goes first.
     */
    coap_context_set_max_idle_sessions(ctx, SCB_COAP_MAX_PEERS);
    return ctx;
}

/* Whether a Bootstrap-Server account is committed (the credentials say so). */
static int bs_account_present(const struct bs *b)
{
    return b->cr.account;
}

/* The committed account's credentials, with the PSK flags folded in (never weakening). */
static int load_creds(struct bs *b)
{
    char err[200];
    int ret;
    if ((ret = scb_bs_creds_from_config(&b->cr, &b->committed.cfg, err, sizeof(err))) < 0 ||
        (ret = scb_bs_creds_apply_flags(&b->cr, b->o, err, sizeof(err))) < 0) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "%s", err);
        return ret;
    }
    return SCB_OK;
}

/* Scheme, host (case-insensitively) and port of two URIs agree; -1 when one does not parse. */
static int same_server(const char *a, const char *bu)
{
    coap_uri_t ua, ub;
    if (coap_split_uri((const uint8_t *)a, strlen(a), &ua) < 0 ||
        coap_split_uri((const uint8_t *)bu, strlen(bu), &ub) < 0) {
        return -1;
    }
    return ua.scheme == ub.scheme && ua.port == ub.port && ua.host.length == ub.host.length &&
           strncasecmp((const char *)ua.host.s, (const char *)ub.host.s, ua.host.length) == 0;
}

/*
 * Which server the Bootstrap-Request goes to: the committed Bootstrap-Server account's URI,
 * or the option's, which must then name the same server (any account, NoSec included: the
 * account says who its Bootstrap-Server is). Without either: refused, SCB_E_INVALID_ARG.
 */
static int choose_target(struct bs *b)
{
    const char *acct = b->cr.uri;
    if (b->o->server_uri == NULL) {
        if (acct[0] == '\0') {
            outcome(b, SCB_COAP_REFUSED_SETUP, "%s",
                    bs_account_present(b) ? "the committed Bootstrap-Server account has no "
                                            "URI (/0/x/0) and no server URI was given"
                                          : "no Bootstrap-Server account is committed and no "
                                            "server URI was given");
            b->no_target = 1;
            return SCB_E_INVALID_ARG;
        }
        b->target = acct;
        logf_(b, "Bootstrap-Server from the committed account: %s (%s)", acct,
              scb_bs_creds_name(&b->cr));
        return SCB_OK;
    }
    b->target = b->o->server_uri;
    coap_uri_t uri;
    if (coap_split_uri((const uint8_t *)b->target, strlen(b->target), &uri) == 0 &&
        check_scheme(b, &uri) < 0) {
        return SCB_E_INVALID_ARG; /* the scheme the credentials need says more */
    }
    if (acct[0] != '\0' && same_server(acct, b->o->server_uri) != 1) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "the server URI '%s' contradicts the committed "
                "Bootstrap-Server account's URI '%s' (scheme, host and port must agree); leave "
                "the server URI out to use the account's", b->o->server_uri, acct);
        return SCB_E_INVALID_ARG;
    }
    return SCB_OK;
}

/* ---- the run: one state machine for the blocking call and the caller's event loop ---- */

#define STEP_MAX_MS 250u /* the cancel hook is polled at least this often */

enum run_state {
    RUN_HOLD_OFF = 0, /* client-initiated: the account's Client Hold Off Time */
    RUN_EXCHANGE,     /* a Bootstrap-Request sent, waiting for its answer */
    RUN_BACKOFF,      /* the pause before the next Bootstrap-Request */
    RUN_SERVE,        /* serving the Bootstrap-Server's operations until a Finish */
    RUN_DONE,
};

struct scb_coap_client {
    struct bs b;                /* b.o and b.res point into this handle */
    struct scb_coap_opts o;     /* the caller's options (what they point to is borrowed) */
    struct scb_coap_result res;
    coap_context_t *ctx;        /* owned */
    coap_session_t *cs;         /* client-initiated: the session towards the server */
    coap_address_t dst;         /* client-initiated: the server's address */
    int dtls;                   /* client-initiated: coaps:// */
    enum run_state state;
    unsigned attempt;           /* Bootstrap-Request attempts made */
    uint64_t deadline;          /* hold-off, back-off or exchange end (scb_now_ms()) */
    unsigned io_wait_ms;        /* libcoap's next timer (0: none pending) */
    int lifetime_from_start;    /* EXCHANGE_LIFETIME runs from the start of serving */
    int ret;                    /* what scb_coap_bootstrap() returns, once done */
};

static void release_run(struct scb_coap_client *c)
{
    if (c->cs != NULL) {
        coap_session_release(c->cs);
        c->cs = NULL;
    }
    if (c->ctx != NULL) {
        coap_free_context(c->ctx);
        c->ctx = NULL;
    }
}

/* The run ended with ret: sockets closed, the session dropped, the return value settled. */
static void end_run(struct scb_coap_client *c, int ret)
{
    struct bs *b = &c->b;
    release_run(c);
    close_session(b);
    scb_bs_creds_free(&b->cr); /* the keys zeroized as soon as they are not needed */
    c->state = RUN_DONE;
    if (b->no_target) {
        c->ret = SCB_E_INVALID_ARG;
    } else if (ret == SCB_E_INVALID_ARG || c->res.outcome == SCB_COAP_REFUSED_SETUP ||
               c->res.outcome == SCB_COAP_UNREACHABLE) {
        c->ret = SCB_OK; /* the outcome says it */
    } else {
        c->ret = ret;
    }
}

/* An exchange that brought no 2.04: refused, not even started, or the next attempt. */
static void attempt_failed(struct scb_coap_client *c)
{
    struct bs *b = &c->b;
    unsigned tries = or_default(b->o->attempts, SCB_COAP_ATTEMPTS);
    if (b->cancelled) {
        end_run(c, SCB_OK);
    } else if (b->req == REQ_REFUSED) {
        outcome(b, SCB_COAP_REJECTED, "%s: the Bootstrap-Server refused", b->req_failure);
        end_run(c, SCB_OK);
    } else if (b->req == REQ_SETUP) {
        outcome(b, SCB_COAP_REFUSED_SETUP, "%s", b->req_failure);
        end_run(c, SCB_OK);
    } else {
        logf_(b, "Bootstrap-Request attempt %u of %u to %s failed: %s", c->attempt, tries,
              b->target, b->req_failure);
        if (c->attempt >= tries) {
            outcome(b, SCB_COAP_UNREACHABLE, "the Bootstrap-Server %s cannot be reached: %s (%u "
                    "attempts)", b->target, b->req_failure, tries);
            end_run(c, SCB_OK);
            return;
        }
        unsigned pause = backoff(b->o, c->attempt);
        logf_(b, "next Bootstrap-Request in %u ms", pause);
        c->deadline = scb_now_ms() + pause;
        c->state = RUN_BACKOFF;
    }
}

/*
 * One whole exchange: a new session (and DTLS handshake), the CON request with libcoap's
 * retransmissions (ACK_TIMEOUT doubling, MAX_RETRANSMIT), until an answer or a failure.
 */
static void start_exchange(struct scb_coap_client *c)
{
    struct bs *b = &c->b;
    unsigned ack = or_default(b->o->ack_timeout_ms, SCB_COAP_ACK_TIMEOUT_MS);
    unsigned rt = or_default(b->o->max_retransmit, SCB_COAP_MAX_RETRANSMIT);
    /* MAX_TRANSMIT_WAIT = ACK_TIMEOUT * (2^(MAX_RETRANSMIT+1) - 1) * ACK_RANDOM_FACTOR */
    uint64_t bound = (uint64_t)ack * ((2u << (rt > 8 ? 8 : rt)) - 1) * 3 / 2 + 2000;

    c->attempt++;
    c->deadline = scb_now_ms() + bound;
    b->req = REQ_WAITING;
    b->req_failure[0] = '\0';
    b->refused_mark = b->cr.refused;
    if ((c->cs = new_client_session(b, c->ctx, &c->dst, c->dtls)) == NULL) {
        b->req = REQ_SETUP; /* our side cannot even start: no point in retrying */
        attempt_failed(c);
        return;
    }
    coap_session_set_ack_timeout(c->cs, (coap_fixed_point_t){(uint16_t)(ack / 1000),
                                                             (uint16_t)(ack % 1000)});
    coap_session_set_max_retransmit(c->cs, rt);
    if (send_request(b, c->cs) < 0) {
        exchange_failed(b, "the request could not be sent");
    }
    c->state = RUN_EXCHANGE;
}

/* After the hold-off: the server's address, then the first Bootstrap-Request. */
static void start_requests(struct scb_coap_client *c)
{
    if (server_address(&c->b, &c->dst, &c->dtls) < 0) {
        end_run(c, SCB_OK); /* the outcome says why */
        return;
    }
    start_exchange(c);
}

/* The exchange in flight: answered (serve), failed or timed out (next attempt), or waiting. */
static void step_exchange(struct scb_coap_client *c)
{
    struct bs *b = &c->b;
    int ret;
    if (b->req == REQ_WAITING && scb_now_ms() < c->deadline && !cancelled(b)) {
        return;
    }
    exchange_failed(b, "timeout (no answer)");
    if (b->req != REQ_ANSWERED) {
        coap_session_release(c->cs);
        c->cs = NULL;
        attempt_failed(c);
        return;
    }
    /* EXCHANGE_LIFETIME runs from the 2.04 to the Bootstrap-Request (as Wakaama does) */
    close_session(b);
    if ((ret = open_session(b)) < 0) {
        end_run(c, ret);
        return;
    }
    c->lifetime_from_start = 1;
    c->state = RUN_SERVE;
}

/* Server-initiated: one context per session, so a newly committed account re-keys the port. */
static int start_listener(struct scb_coap_client *c)
{
    struct bs *b = &c->b;
    int ret;
    if ((c->ctx = new_context(b)) == NULL) {
        return SCB_E_NOMEM;
    }
    if ((ret = load_creds(b)) < 0 || (ret = listen_on(b, c->ctx)) < 0) {
        return ret;
    }
    c->lifetime_from_start = 0;
    c->state = RUN_SERVE;
    return SCB_OK;
}

/* A served session ended: 1 committed, -1 its commit failed, 0 neither. */
static void serve_ended(struct scb_coap_client *c, int r)
{
    struct bs *b = &c->b;
    int ret;
    if (r == 1) {
        c->res.outcome = SCB_COAP_COMMITTED;
        c->res.reason[0] = '\0';
    }
    if (!b->o->listen || r < 0 || b->o->once || b->cancelled) {
        end_run(c, SCB_OK);
        return;
    }
    release_run(c);
    close_session(b);
    b->done = 0;
    if ((ret = open_session(b)) < 0 || (ret = start_listener(c)) < 0) {
        end_run(c, ret);
    }
}

/* Serve until a Finish is committed (1), its commit failed (-1) or EXCHANGE_LIFETIME ran out. */
static void step_serve(struct scb_coap_client *c)
{
    struct bs *b = &c->b;
    if (b->done) {
        /* the answer left inside the call that handled the Finish; flush anything queued */
        coap_io_process(c->ctx, COAP_IO_NO_WAIT);
        serve_ended(c, b->done); /* a commit that happened is reported, even if cancel came after */
    } else if (cancelled(b)) {
        serve_ended(c, 0);
    } else if ((b->any_op || c->lifetime_from_start) &&
               scb_session_tick(b->session) == SCB_E_TIMEOUT) {
        outcome(b, SCB_COAP_REJECTED, "no Bootstrap-Finish within EXCHANGE_LIFETIME: "
                                      "bootstrap failed, nothing committed");
        serve_ended(c, 0);
    }
}

/* A pause (hold-off, back-off) that ends at c->deadline unless cancelled first. */
static int pause_over(struct scb_coap_client *c)
{
    if (cancelled(&c->b)) {
        end_run(c, SCB_OK);
        return 0;
    }
    return scb_now_ms() >= c->deadline;
}

/* One step; io_wait_ms: how long libcoap may wait for input first (COAP_IO_NO_WAIT: not). */
static int step(struct scb_coap_client *c, unsigned io_wait_ms)
{
    coap_tick_t now;
    if (c->state == RUN_DONE) {
        return 0;
    }
    coap_io_process(c->ctx, io_wait_ms);
    switch (c->state) {
    case RUN_HOLD_OFF:
        if (pause_over(c)) {
            start_requests(c);
        }
        break;
    case RUN_BACKOFF:
        if (pause_over(c)) {
            start_exchange(c);
        }
        break;
    case RUN_EXCHANGE:
        step_exchange(c);
        break;
    case RUN_SERVE:
        step_serve(c);
        break;
    default:
        break;
    }
    if (c->state == RUN_DONE) {
        return 0;
    }
    /* libcoap's next retransmission (it also sends what is due now) */
    coap_ticks(&now);
    c->io_wait_ms = coap_io_prepare_epoll(c->ctx, now);
    return 1;
}

/* Client-initiated: the committed account, the server to ask, the hold-off. */
static int start_client(struct scb_coap_client *c)
{
    struct bs *b = &c->b;
    int ret;
    if ((c->ctx = new_context(b)) == NULL) {
        return SCB_E_NOMEM;
    }
    if ((ret = load_creds(b)) < 0 || (ret = choose_target(b)) < 0) {
        return ret;
    }
    if (b->cr.hold_off_s != 0 && b->o->no_hold_off) {
        logf_(b, "Client Hold Off Time (/0/x/11) of %llu s skipped as asked",
              (unsigned long long)b->cr.hold_off_s);
    } else if (b->cr.hold_off_s != 0) {
        logf_(b, "waiting the Client Hold Off Time (/0/x/11): %llu s before the "
                 "Bootstrap-Request", (unsigned long long)b->cr.hold_off_s);
        uint64_t ms = b->cr.hold_off_s > UINT64_MAX / 1000u ? UINT64_MAX
                                                             : b->cr.hold_off_s * 1000u;
        uint64_t now = scb_now_ms();
        /* saturate: a pause too long to count must not wrap round to a short one */
        c->deadline = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
        c->state = RUN_HOLD_OFF;
        return SCB_OK;
    }
    start_requests(c);
    return SCB_OK;
}

/* The options' own contradictions, before anything is opened; the reason into err. */
static int check_opts(const struct scb_store *st, const struct scb_coap_opts *o, char *err,
                      size_t errlen)
{
    if (st == NULL || o == NULL || (o->listen && o->server_uri) ||
        (o->listen == NULL && o->server_uri == NULL && o->endpoint == NULL)) {
        snprintf(err, errlen, "%s",
                 st == NULL ? "no store" : o == NULL ? "no options"
                 : o->listen ? "both a listen address and a server URI"
                             : "neither a listen address nor a server URI (nor an endpoint "
                               "name for the committed Bootstrap-Server account)");
        return SCB_E_INVALID_ARG;
    }
    if (o->listen == NULL && o->endpoint && scb_endpoint_check(o->endpoint, err, errlen) < 0) {
        return SCB_E_INVALID_ARG;
    }
    return SCB_OK;
}

int scb_coap_supported(void)
{
    return 1;
}

int scb_coap_client_new(struct scb_store *st, const struct scb_coap_opts *o,
                        struct scb_coap_client **out, char *err, size_t errlen)
{
    char dummy[1];
    struct scb_coap_client *c;
    struct bs *b;
    int ret;

    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    err[0] = '\0';
    if (out == NULL) {
        snprintf(err, errlen, "no handle to fill");
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if ((ret = check_opts(st, o, err, errlen)) < 0) {
        return ret;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return SCB_E_NOMEM;
    }
    c->o = *o;
    c->res.outcome = SCB_COAP_REJECTED;
    b = &c->b;
    b->o = &c->o;
    b->secure_first = o->listen_secured != NULL && *o->listen_secured != 0;
    b->st = st;
    b->res = &c->res;
    scb_committed_init(&b->committed);
    scb_bs_creds_init(&b->cr);
    b->cr.log = o->log;
    b->cr.log_ctx = o->log_ctx;
    if ((ret = open_session(b)) < 0) {
        snprintf(err, errlen, "%s", c->res.reason);
        scb_coap_client_free(&c);
        return ret;
    }
    ret = o->listen ? start_listener(c) : start_client(c);
    if (ret < 0 || c->state == RUN_DONE) {
        if (c->state != RUN_DONE) {
            end_run(c, ret);
        }
    } else {
        coap_tick_t now;
        coap_ticks(&now);
        c->io_wait_ms = coap_io_prepare_epoll(c->ctx, now);
    }
    *out = c;
    return SCB_OK;
}

int scb_coap_client_fd(const struct scb_coap_client *c)
{
    return c == NULL || c->ctx == NULL ? -1 : coap_context_get_coap_fd(c->ctx);
}

int scb_coap_client_timeout(const struct scb_coap_client *c)
{
    uint64_t wait = STEP_MAX_MS, now;
    if (c == NULL || c->state == RUN_DONE) {
        return 0;
    }
    if (c->io_wait_ms != 0 && c->io_wait_ms < wait) {
        wait = c->io_wait_ms;
    }
    if (c->state == RUN_HOLD_OFF || c->state == RUN_BACKOFF || c->state == RUN_EXCHANGE) {
        now = scb_now_ms();
        if (c->deadline <= now) {
            return 0;
        }
        if (c->deadline - now < wait) {
            wait = c->deadline - now;
        }
    }
    return (int)wait;
}

int scb_coap_client_step(struct scb_coap_client *c)
{
    return c == NULL ? SCB_E_INVALID_ARG : step(c, COAP_IO_NO_WAIT);
}

int scb_coap_client_result(const struct scb_coap_client *c, struct scb_coap_result *res)
{
    if (c == NULL || res == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (c->state != RUN_DONE) {
        return 1;
    }
    *res = c->res;
    return c->ret;
}

void scb_coap_client_free(struct scb_coap_client **cp)
{
    struct scb_coap_client *c;
    if (cp == NULL || (c = *cp) == NULL) {
        return;
    }
    c->b.cancelled = 1; /* whatever libcoap still delivers while closing commits nothing */
    release_run(c);
    close_session(&c->b);
    scb_bs_creds_free(&c->b.cr);
    scb_committed_free(&c->b.committed);
    free(c);
    *cp = NULL;
}

int scb_coap_bootstrap(struct scb_store *st, const struct scb_coap_opts *o,
                       struct scb_coap_result *res)
{
    struct scb_coap_client *c = NULL;
    int ret;

    if (res == NULL) {
        return SCB_E_INVALID_ARG;
    }
    memset(res, 0, sizeof(*res));
    if ((ret = scb_coap_client_new(st, o, &c, res->reason, sizeof(res->reason))) < 0) {
        res->outcome = ret == SCB_E_INVALID_ARG ? SCB_COAP_REFUSED_SETUP : SCB_COAP_REJECTED;
        return ret;
    }
    /* the same steps as a caller's event loop, libcoap waiting for input in between */
    for (;;) {
        unsigned wait = (unsigned)scb_coap_client_timeout(c);
        if (step(c, wait ? wait : COAP_IO_NO_WAIT) != 1) { /* libcoap's 0 waits for ever */
            break;
        }
    }
    ret = scb_coap_client_result(c, res);
    scb_coap_client_free(&c);
    return ret;
}

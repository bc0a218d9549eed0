/*
 * coap_frontend.c: the CoAP side of network bootstrap on libcoap 3 (LwM2M 1.1 Transport:
 * Bootstrap interface over CoAP). Everything it receives is handed to the transport-independent
 * session (session.c); it owns sockets, DTLS PSK, Bootstrap-Request retries, EXCHANGE_LIFETIME
 * and the commit of an accepted Finish.
 */
#include <coap3/coap.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "scboot/coap.h"
#include "scboot/session.h"

#define MAX_PAYLOAD 65536

struct bs {
    const struct scb_coap_opts *o;
    struct scb_store *st;
    struct scb_committed committed;
    struct scb_session session;
    int session_open;
    int done;              /* 1 committed, -1 failed/timed out */
    int request_answered;  /* client-initiated: 2.04 to POST /bs?ep= */
    int any_op;            /* server-initiated: the lifetime runs from the first operation */
    int request_failed;
};

__attribute__((format(printf, 2, 3))) static void logf_(struct bs *b, const char *fmt, ...)
{
    char line[400];
    va_list ap;
    if (b->o->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    b->o->log(b->o->log_ctx, line);
}

static int open_session(struct bs *b)
{
    char err[256];
    int ret;
    scb_committed_free(&b->committed);
    if ((ret = scb_store_load(b->st, &b->committed, err, sizeof(err))) < 0) {
        logf_(b, "store: %s", err);
        return ret;
    }
    if ((ret = scb_session_init(&b->session, &b->committed.cfg, &b->o->profile,
                                b->o->exchange_lifetime_ms, NULL, NULL)) < 0) {
        return ret;
    }
    b->session_open = 1;
    return SCB_OK;
}

static void close_session(struct bs *b)
{
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
    coap_pdu_set_code(resp, (coap_pdu_code_t)code);
    if (cf >= 0) {
        coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
                        coap_encode_var_safe(buf, sizeof(buf), (unsigned)cf), buf);
    }
    if (len) {
        coap_add_data(resp, len, data);
    }
}

/* Commit an accepted configuration: instances that did not change keep their provenance. */
static int commit_network(struct bs *b, struct scb_config *cfg)
{
    struct scb_committed c;
    int ret;
    scb_committed_init(&c);
    scb_config_free(&c.cfg);
    c.cfg = *cfg;
    scb_config_init(cfg);
    c.generation = b->committed.generation;
    c.card = b->committed.card;
    int card_left = 0;
    for (size_t a = 0; a < c.cfg.n; a++) {
        const struct scb_object *o = &c.cfg.o[a];
        for (size_t k = 0; k < o->n; k++) {
            const struct scb_instance *now = &o->i[k];
            const struct scb_instance *was =
                scb_object_instance(scb_config_object(&b->committed.cfg, o->id), now->id);
            enum scb_provenance p = SCB_PROV_NETWORK;
            if (was) {
                struct scb_buf x = {0}, y = {0};
                scb_tlv_encode_instance(was, &x);
                scb_tlv_encode_instance(now, &y);
                if (x.len == y.len && (x.len == 0 || memcmp(x.data, y.data, x.len) == 0)) {
                    p = scb_committed_prov(&b->committed, o->id, now->id);
                }
                scb_buf_free(&x);
                scb_buf_free(&y);
            }
            card_left |= p == SCB_PROV_CARD;
            if ((ret = scb_committed_set_prov(&c, o->id, now->id, p)) < 0) {
                scb_committed_free(&c);
                return ret;
            }
        }
    }
    if (!card_left) {
        memset(&c.card, 0, sizeof(c.card));
    }
    ret = scb_store_commit(b->st, &c);
    if (ret == SCB_OK) {
        logf_(b, "Bootstrap-Finish accepted: configuration committed (generation %llu)",
              (unsigned long long)c.generation);
    }
    scb_committed_free(&c);
    return ret;
}

static void handle(coap_resource_t *res, coap_session_t *cs, const coap_pdu_t *req,
                   const coap_string_t *query, coap_pdu_t *resp)
{
    struct bs *b = coap_get_app_data(coap_session_get_context(cs));
    char path[128];
    struct scb_buf out = {.max = MAX_PAYLOAD};
    unsigned cf = 0, accept = 0;
    int code;
    (void)res;
    (void)query;

    if (b->done || (!b->session_open && open_session(b) < 0)) {
        reply(resp, COAP_RESPONSE_CODE(503), -1, NULL, 0);
        return;
    }
    request_path(req, path, sizeof(path));
    b->any_op = 1;
    coap_pdu_code_t method = coap_pdu_get_code(req);
    if (method == COAP_REQUEST_CODE_POST && strcmp(path, "/bs") == 0) {
        struct scb_config accepted;
        scb_config_init(&accepted);
        code = scb_session_finish(&b->session, &accepted);
        if (code == SCB_COAP_2_04_CHANGED) {
            reply(resp, COAP_RESPONSE_CODE(204), -1, NULL, 0);
            b->done = commit_network(b, &accepted) == SCB_OK ? 1 : -1;
            scb_config_free(&accepted);
            return;
        }
        if (code == SCB_COAP_4_06_NOT_ACCEPTABLE) {
            scb_session_diagnostic(&b->session, &out);
            logf_(b, "Bootstrap-Finish answered 4.06: %zu violation(s)", b->session.report.n);
            reply(resp, code, 0, out.data, out.len); /* text/plain: "rule path" lines */
            scb_buf_free(&out);
            return;
        }
        reply(resp, code < 0 ? COAP_RESPONSE_CODE(500) : code, -1, NULL, 0);
        return;
    }
    if (strcmp(path, "/") != 0 && (path[1] < '0' || path[1] > '9')) {
        reply(resp, COAP_RESPONSE_CODE(404), -1, NULL, 0);
        return;
    }
    switch (method) {
    case COAP_REQUEST_CODE_PUT: {
        size_t len = 0;
        const uint8_t *data = NULL;
        coap_get_data(req, &len, &data);
        if (!option_uint(req, COAP_OPTION_CONTENT_FORMAT, &cf)) {
            cf = 0;
        }
        code = scb_session_write(&b->session, path, cf, data, len);
        logf_(b, "Bootstrap-Write %s: %d.%02d", path, code >> 5, code & 31);
        break;
    }
    case COAP_REQUEST_CODE_DELETE:
        code = scb_session_delete(&b->session, path);
        logf_(b, "Bootstrap-Delete %s: %d.%02d", path, code >> 5, code & 31);
        break;
    case COAP_REQUEST_CODE_GET:
        if (option_uint(req, COAP_OPTION_ACCEPT, &accept) && accept == SCB_CF_LINK_FORMAT) {
            code = scb_session_discover(&b->session, path, &out);
            reply(resp, code < 0 ? COAP_RESPONSE_CODE(500) : code,
                  code == SCB_COAP_2_05_CONTENT ? SCB_CF_LINK_FORMAT : -1, out.data, out.len);
        } else {
            unsigned used = SCB_CF_TLV; /* Accept: TLV (default), SenML JSON, SenML CBOR */
            code = scb_session_read_as(&b->session, path,
                                       option_uint(req, COAP_OPTION_ACCEPT, &accept) ? (int)accept
                                                                                     : -1,
                                       &out, &used);
            reply(resp, code < 0 ? COAP_RESPONSE_CODE(500) : code,
                  code == SCB_COAP_2_05_CONTENT ? (int)used : -1, out.data, out.len);
        }
        scb_buf_free(&out);
        return;
    default:
        code = COAP_RESPONSE_CODE(405);
        break;
    }
    reply(resp, code < 0 ? COAP_RESPONSE_CODE(500) : code, -1, NULL, 0);
}

static coap_response_t on_response(coap_session_t *cs, const coap_pdu_t *sent,
                                   const coap_pdu_t *received, const coap_mid_t mid)
{
    struct bs *b = coap_get_app_data(coap_session_get_context(cs));
    coap_pdu_code_t code = coap_pdu_get_code(received);
    (void)sent;
    (void)mid;
    if (code == COAP_RESPONSE_CODE(204)) {
        b->request_answered = 1;
        logf_(b, "Bootstrap-Request answered 2.04");
    } else {
        b->request_failed = 1;
        logf_(b, "Bootstrap-Request answered %d.%02d", code >> 5, code & 31);
    }
    return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *cs, const coap_pdu_t *sent, const coap_nack_reason_t reason,
                    const coap_mid_t mid)
{
    struct bs *b = coap_get_app_data(coap_session_get_context(cs));
    (void)sent;
    (void)mid;
    b->request_failed = 1;
    logf_(b, "Bootstrap-Request not answered (nack reason %d)", (int)reason);
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

/* PSK identity and key: given, or from the committed Bootstrap-Server account (/0/x/3, /0/x/5). */
static int psk_of(struct bs *b, coap_bin_const_t *id, coap_bin_const_t *key)
{
    if (b->o->psk_identity) {
        id->s = b->o->psk_identity;
        id->length = b->o->psk_identity_len;
        key->s = b->o->psk_key;
        key->length = b->o->psk_key_len;
        return SCB_OK;
    }
    const struct scb_object *sec = scb_config_object(&b->committed.cfg, 0);
    for (size_t k = 0; sec && k < sec->n; k++) {
        int bsflag = 0;
        const struct scb_resource *r3 = scb_instance_resource(&sec->i[k], 3);
        const struct scb_resource *r5 = scb_instance_resource(&sec->i[k], 5);
        scb_config_get_bool(&b->committed.cfg, 0, sec->i[k].id, 1, &bsflag);
        if (bsflag && r3 && r5 && r3->n == 1 && r5->n == 1) {
            id->s = r3->v[0].data;
            id->length = r3->v[0].len;
            key->s = r5->v[0].data;
            key->length = r5->v[0].len;
            return SCB_OK;
        }
    }
    return SCB_E_NOT_FOUND;
}

static int listen_on(struct bs *b, coap_context_t *ctx)
{
    char host[64] = "0.0.0.0";
    const char *colon = strrchr(b->o->listen, ':');
    unsigned long port;
    coap_address_t addr;
    coap_bin_const_t id, key;
    int dtls = 0;

    if (colon) {
        snprintf(host, sizeof(host), "%.*s", (int)(colon - b->o->listen), b->o->listen);
        port = strtoul(colon + 1, NULL, 10);
    } else {
        port = strtoul(b->o->listen, NULL, 10);
    }
    if (port == 0 || port > 65535 || resolve(host, (uint16_t)port, &addr) < 0) {
        logf_(b, "cannot listen on '%s'", b->o->listen);
        return SCB_E_INVALID_ARG;
    }
    if (b->o->psk_identity && b->o->psk_key) {
        coap_dtls_spsk_t spsk;
        (void)psk_of(b, &id, &key);
        memset(&spsk, 0, sizeof(spsk));
        spsk.version = COAP_DTLS_SPSK_SETUP_VERSION;
        spsk.psk_info.hint.s = id.s;
        spsk.psk_info.hint.length = id.length;
        spsk.psk_info.key = key;
        if (!coap_dtls_is_supported() || !coap_context_set_psk2(ctx, &spsk)) {
            logf_(b, "DTLS PSK not available in this libcoap");
            return SCB_E_UNSUPPORTED;
        }
        dtls = 1;
    }
    if (coap_new_endpoint(ctx, &addr, dtls ? COAP_PROTO_DTLS : COAP_PROTO_UDP) == NULL) {
        logf_(b, "cannot listen on %s:%lu", host, port);
        return SCB_E_TRANSPORT;
    }
    logf_(b, "listening for a Bootstrap-Server on %s:%lu (%s)", host, port,
          dtls ? "DTLS PSK" : "NoSec");
    return SCB_OK;
}

static coap_session_t *connect_server(struct bs *b, coap_context_t *ctx)
{
    coap_uri_t uri;
    char host[256];
    coap_address_t dst;
    const char *u = b->o->server_uri;

    if (coap_split_uri((const uint8_t *)u, strlen(u), &uri) < 0 || uri.host.length >= sizeof(host)) {
        logf_(b, "bad Bootstrap-Server URI '%s'", u);
        return NULL;
    }
    snprintf(host, sizeof(host), "%.*s", (int)uri.host.length, (const char *)uri.host.s);
    if (resolve(host, uri.port, &dst) < 0) {
        logf_(b, "cannot resolve '%s'", host);
        return NULL;
    }
    if (uri.scheme == COAP_URI_SCHEME_COAPS) {
        coap_dtls_cpsk_t cpsk;
        coap_bin_const_t id, key;
        if (psk_of(b, &id, &key) < 0) {
            logf_(b, "coaps needs a PSK identity and key (--psk-identity / --psk-key-file or "
                     "the Bootstrap-Server account)");
            return NULL;
        }
        memset(&cpsk, 0, sizeof(cpsk));
        cpsk.version = COAP_DTLS_CPSK_SETUP_VERSION;
        cpsk.psk_info.identity = id;
        cpsk.psk_info.key = key;
        return coap_new_client_session_psk2(ctx, NULL, &dst, COAP_PROTO_DTLS, &cpsk);
    }
    if (uri.scheme != COAP_URI_SCHEME_COAP) {
        logf_(b, "only coap:// and coaps:// are supported");
        return NULL;
    }
    return coap_new_client_session(ctx, NULL, &dst, COAP_PROTO_UDP);
}

static int send_request(struct bs *b, coap_session_t *cs)
{
    coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST,
                                    coap_new_message_id(cs), coap_session_max_pdu_size(cs));
    char q[160];
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
    b->request_answered = b->request_failed = 0;
    return coap_send(cs, pdu) == COAP_INVALID_MID ? SCB_E_TRANSPORT : SCB_OK;
}

int scb_coap_bootstrap(struct scb_store *st, const struct scb_coap_opts *o, int *committed)
{
    struct bs b;
    coap_context_t *ctx;
    coap_resource_t *r;
    coap_session_t *cs = NULL;
    int ret = SCB_OK;

    memset(&b, 0, sizeof(b));
    b.o = o;
    b.st = st;
    *committed = 0;
    scb_committed_init(&b.committed);
    coap_startup();
    coap_set_log_level(LOG_EMERG);
    if ((ctx = coap_new_context(NULL)) == NULL) {
        return SCB_E_NOMEM;
    }
    coap_set_app_data(ctx, &b);
    r = coap_resource_unknown_init2(handle, 0);
    coap_register_request_handler(r, COAP_REQUEST_GET, handle);
    coap_register_request_handler(r, COAP_REQUEST_POST, handle);
    coap_register_request_handler(r, COAP_REQUEST_DELETE, handle);
    coap_add_resource(ctx, r);
    coap_register_response_handler(ctx, on_response);
    coap_register_nack_handler(ctx, on_nack);

    if ((ret = open_session(&b)) < 0) {
        goto out;
    }
    if (o->listen) {
        if ((ret = listen_on(&b, ctx)) < 0) {
            goto out;
        }
    } else {
        unsigned tries = o->request_retries ? o->request_retries : 4, delay = 1000;
        if ((cs = connect_server(&b, ctx)) == NULL) {
            ret = SCB_E_TRANSPORT;
            goto out;
        }
        for (unsigned t = 0; t < tries && !b.request_answered; t++) {
            if (t > 0) {
                logf_(&b, "retrying the Bootstrap-Request in %u ms", delay);
                coap_io_process(ctx, delay);
                delay *= 2;
            }
            if ((ret = send_request(&b, cs)) < 0) {
                goto out;
            }
            for (int w = 0; w < 100 && !b.request_answered && !b.request_failed; w++) {
                coap_io_process(ctx, 100);
            }
        }
        if (!b.request_answered) {
            ret = SCB_E_TIMEOUT;
            goto out;
        }
        /* EXCHANGE_LIFETIME runs from the 2.04 to the Bootstrap-Request (as Wakaama does) */
        close_session(&b);
        if ((ret = open_session(&b)) < 0) {
            goto out;
        }
    }
    for (;;) {
        coap_io_process(ctx, 200);
        if (b.done) {
            coap_io_process(ctx, 100); /* let the 2.04 go out */
            *committed = b.done > 0;
            ret = SCB_OK;
            if (o->once || !o->listen) {
                break;
            }
            close_session(&b);
            b.done = 0;
            b.any_op = 0;
            if ((ret = open_session(&b)) < 0) {
                break;
            }
            continue;
        }
        if (b.session_open && (b.any_op || !o->listen) &&
            scb_session_tick(&b.session) == SCB_E_TIMEOUT) {
            logf_(&b, "no Bootstrap-Finish within EXCHANGE_LIFETIME: bootstrap failed, nothing "
                      "committed");
            ret = SCB_E_TIMEOUT;
            if (o->once || !o->listen) {
                break;
            }
            close_session(&b);
            b.any_op = 0;
            if ((ret = open_session(&b)) < 0) {
                break;
            }
        }
    }
out:
    close_session(&b);
    scb_committed_free(&b.committed);
    if (cs) {
        coap_session_release(cs);
    }
    coap_free_context(ctx);
    coap_cleanup();
    return ret;
}

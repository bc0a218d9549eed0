/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coap_dtls.c: which DTLS credentials a Bootstrap-Server peer must hold. The committed
 * Bootstrap-Server account decides (doc/protocol.md, DTLS credentials): mode 0 PSK (identity
 * /0/x/3 exactly, key /0/x/5), mode 1 raw public keys (ours /0/x/3 + /0/x/5, the server's
 * /0/x/4), mode 2 X.509 (ours /0/x/3 + /0/x/5, the server's certificate or CA /0/x/4 per
 * /0/x/15; as a client with usage 0..2 it must also name the server dialled). Mode 3 or no
 * account: plain CoAP, unless PSK flags were given. A peer whose credentials do not match the
 * account is not that server: its handshake is refused.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "crypto.h"
#include "logf.h"
#include "coap_internal.h"
#include "scboot/util.h"
#include "scboot/objdefs.h"
#include "scboot/error.h"

static void owned_free(struct scb_owned *o)
{
    if (o->data) {
        scb_util_zeroize(o->data, o->len);
        free(o->data);
    }
    o->data = NULL;
    o->len = 0;
}

static int owned_set(struct scb_owned *o, const uint8_t *p, size_t n)
{
    owned_free(o);
    if ((o->data = malloc(n ? n : 1)) == NULL) {
        return SCB_E_NOMEM;
    }
    if (n) {
        memcpy(o->data, p, n);
    }
    o->len = n;
    return SCB_OK;
}

static int owned_eq(const struct scb_owned *o, const uint8_t *p, size_t n)
{
    unsigned char diff = 0;
    if (o->len != n) {
        return 0;
    }
    for (size_t k = 0; k < n; k++) { /* constant time: may be a key */
        diff |= (unsigned char)(o->data[k] ^ p[k]);
    }
    return diff == 0;
}

#define creds_log(c, ...) scb_logf((c)->log, (c)->log_ctx, __VA_ARGS__)

static void set_err(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
}

void scb_bs_creds_init(struct scb_bs_creds *c)
{
    memset(c, 0, sizeof(*c));
    c->mode = SCB_SEC_NONE;
    c->usage = SCB_USAGE_DOMAIN_ISSUED;
}

void scb_bs_creds_free(struct scb_bs_creds *c)
{
    owned_free(&c->id);
    owned_free(&c->key);
    owned_free(&c->own);
    owned_free(&c->peer);
    owned_free(&c->priv);
    c->mode = SCB_SEC_NONE;
    c->from_flags = 0;
    c->uri[0] = '\0';
    c->sni[0] = '\0';
    c->host[0] = '\0';
    c->check_name = 0;
    c->hold_off_s = 0;
    c->account = 0;
}

/* A string resource of the account into out (cap bytes); absent, empty or too long: "". */
static void take_string(char *out, size_t cap, const struct scb_instance *in, uint16_t rid)
{
    const struct scb_value *v = scb_instance_value(in, rid);
    out[0] = '\0';
    if (v != NULL && v->len < cap && memchr(v->data, '\0', v->len) == NULL) {
        memcpy(out, v->data, v->len);
        out[v->len] = '\0';
    }
}

/* A single opaque resource of the account into o; absent or empty: SCB_E_NOT_FOUND. */
static int take(struct scb_owned *o, const struct scb_instance *in, uint16_t rid)
{
    const struct scb_value *v = scb_instance_value(in, rid);
    if (v == NULL || v->len == 0) {
        return SCB_E_NOT_FOUND;
    }
    return owned_set(o, v->data, v->len);
}

int scb_bs_creds_from_config(struct scb_bs_creds *c, const struct scb_config *cfg, char *err,
                             size_t errlen)
{
    const struct scb_instance *in = scb_config_bootstrap_instance(cfg);
    int64_t mode = SCB_SEC_NOSEC, usage = SCB_USAGE_DOMAIN_ISSUED;

    scb_bs_creds_free(c);
    if (in == NULL) {
        return SCB_OK;
    }
    c->account = 1;
    take_string(c->uri, sizeof(c->uri), in, SCB_RES_SEC_URI);
    take_string(c->sni, sizeof(c->sni), in, SCB_RES_SEC_SNI);
    if (scb_config_get_int(cfg, SCB_OBJ_SECURITY, in->id, SCB_RES_SEC_MODE, &mode) < 0 ||
        mode < 0 || mode > 4) {
        set_err(err, errlen, "the Bootstrap-Server account has no valid Security Mode (/0/x/2)");
        return SCB_E_PARSE;
    }
    if (mode == 4) {
        set_err(err, errlen, "the Bootstrap-Server account uses Certificate mode with EST "
                             "(mode 4), which is not supported");
        return SCB_E_UNSUPPORTED;
    }
    c->mode = (int)mode;
    int64_t hold = 0;
    if (scb_config_get_int(cfg, SCB_OBJ_SECURITY, in->id, SCB_RES_SEC_HOLD_OFF, &hold) ==
            SCB_OK &&
        hold > 0) {
        c->hold_off_s = (uint64_t)hold;
    }
    if (mode == SCB_SEC_PSK) {
        if (take(&c->id, in, 3) < 0 || take(&c->key, in, 5) < 0) {
            set_err(err, errlen, "the Bootstrap-Server account (PSK) lacks /0/x/3 or /0/x/5");
            return SCB_E_PARSE;
        }
    } else if (mode == SCB_SEC_RPK || mode == SCB_SEC_CERT) {
        if (take(&c->own, in, 3) < 0 || take(&c->peer, in, 4) < 0 || take(&c->priv, in, 5) < 0) {
            set_err(err, errlen, mode == SCB_SEC_RPK
                                     ? "the Bootstrap-Server account (RPK) lacks /0/x/3, 4 or 5"
                                     : "the Bootstrap-Server account (X.509) lacks /0/x/3, 4 or 5");
            return SCB_E_PARSE;
        }
        if (scb_config_get_int(cfg, SCB_OBJ_SECURITY, in->id, SCB_RES_SEC_CERT_USAGE, &usage) ==
            SCB_OK) {
            if (usage < 0 || usage > 3) {
                set_err(err, errlen, "the Bootstrap-Server account's Certificate Usage "
                                     "(/0/x/15) is not 0..3");
                return SCB_E_PARSE;
            }
            c->usage = (unsigned)usage;
        }
    }
    return SCB_OK;
}

int scb_bs_creds_apply_flags(struct scb_bs_creds *c, const struct scb_coap_opts *o, char *err,
                             size_t errlen)
{
    int ret;
    if (o->psk_identity == NULL) {
        return SCB_OK;
    }
    if (c->mode == SCB_SEC_PSK) {
        if (owned_eq(&c->id, o->psk_identity, o->psk_identity_len) &&
            owned_eq(&c->key, o->psk_key, o->psk_key_len)) {
            return SCB_OK;
        }
        set_err(err, errlen, "the PSK identity and key given differ from the committed "
                             "Bootstrap-Server account's PSK, whose credentials decide");
        return SCB_E_INVALID_ARG;
    }
    if (c->mode == SCB_SEC_RPK || c->mode == SCB_SEC_CERT) {
        set_err(err, errlen, "the committed Bootstrap-Server account uses certificates or raw "
                             "public keys: a PSK given in the options cannot replace them");
        return SCB_E_INVALID_ARG;
    }
    if ((ret = owned_set(&c->id, o->psk_identity, o->psk_identity_len)) < 0 ||
        (ret = owned_set(&c->key, o->psk_key, o->psk_key_len)) < 0) {
        return ret;
    }
    c->mode = SCB_SEC_PSK;
    c->from_flags = 1;
    return SCB_OK;
}

int scb_bs_creds_secure(const struct scb_bs_creds *c)
{
    return c->mode == SCB_SEC_PSK || c->mode == SCB_SEC_RPK || c->mode == SCB_SEC_CERT;
}

const char *scb_bs_creds_name(const struct scb_bs_creds *c)
{
    switch (c->mode) {
    case SCB_SEC_PSK: return "DTLS PSK";
    case SCB_SEC_RPK: return "DTLS RPK";
    case SCB_SEC_CERT: return "DTLS X.509";
    default: return "NoSec";
    }
}

/* A PSK identity for the log: printable ASCII as is, anything else as hex, bounded. */
static void show_identity(const uint8_t *p, size_t n, char *out, size_t cap)
{
    int text = n > 0;
    for (size_t k = 0; k < n; k++) {
        text &= p[k] >= 0x20 && p[k] < 0x7f && p[k] != '\'';
    }
    if (text) {
        snprintf(out, cap, "'%.*s'", (int)(n > 64 ? 64 : n), (const char *)p);
    } else {
        size_t o = 0;
        for (size_t k = 0; k < n && o + 3 < cap && k < 64; k++) {
            o += (size_t)snprintf(out + o, cap - o, "%02X", p[k]);
        }
        out[o] = '\0';
    }
}

/* Server: the identity a peer presents must be /0/x/3 exactly, else no key (handshake fails). */
static const coap_bin_const_t *psk_identity_check(coap_bin_const_t *identity,
                                                  coap_session_t *cs, void *arg)
{
    struct scb_bs_creds *c = arg;
    char shown[140];
    (void)cs;
    if (identity && owned_eq(&c->id, identity->s, identity->length)) {
        c->key_bin.s = c->key.data;
        c->key_bin.length = c->key.len;
        return &c->key_bin;
    }
    show_identity(identity ? identity->s : NULL, identity ? identity->length : 0, shown,
                  sizeof(shown));
    c->refused++;
    creds_log(c, "DTLS: PSK identity %s refused (not the Bootstrap-Server account's identity)", shown);
    return NULL;
}

/*
 * Usage 0, 1 and 2 (RFC 6698 as LwM2M 1.1 takes it): PKIX validation includes the RFC 6125
 * check that the end-entity certificate names the server dialled (doc/security.md).
 */
static int pki_name_check(struct scb_bs_creds *c, const uint8_t *der, size_t len)
{
    char names[160];
    if (!c->check_name || c->mode != SCB_SEC_CERT || c->usage == SCB_USAGE_DOMAIN_ISSUED) {
        return 1;
    }
    if (scb_crypto_cert_names_host(der, len, c->host, names, sizeof(names)) == SCB_OK) {
        return 1;
    }
    c->refused++;
    creds_log(c, "DTLS: the server's certificate names %s, not %s: refused", names,
              c->host[0] ? c->host : "(no host name to check)");
    return 0;
}

/*
 * X.509 / RPK: the peer's certificate or key checked against /0/x/4. Usage 1 and 3 (and RPK):
 * the peer's own certificate or SubjectPublicKeyInfo must equal /0/x/4; usage 0 and 2: /0/x/4
 * is the CA the chain was validated against (libcoap, ca_cert). As a client, usage 0, 1 and 2
 * also need the certificate to name the server (pki_name_check); as a listener there is no
 * name to check.
 */
static int pki_peer_check(const char *cn, const uint8_t *der, size_t len, coap_session_t *cs,
                          unsigned depth, int validated, void *arg)
{
    struct scb_bs_creds *c = arg;
    (void)cn;
    (void)cs;
    if (!validated) {
        c->refused++;
        creds_log(c, "DTLS: the peer's %s did not validate against /0/x/4",
             c->mode == SCB_SEC_RPK ? "raw public key" : "certificate chain");
        return 0;
    }
    if (depth > 0) {
        return 1; /* a CA certificate of the chain libcoap validated */
    }
    int exact = c->mode == SCB_SEC_RPK || c->usage == SCB_USAGE_SERVICE_CERT ||
                c->usage == SCB_USAGE_DOMAIN_ISSUED;
    if (exact && !owned_eq(&c->peer, der, len)) {
        c->refused++;
        creds_log(c, "DTLS: the peer's %s is not the one in /0/x/4: refused",
             c->mode == SCB_SEC_RPK ? "raw public key" : "certificate");
        return 0;
    }
    return pki_name_check(c, der, len);
}

static void pki_setup(coap_dtls_pki_t *p, struct scb_bs_creds *c)
{
    memset(p, 0, sizeof(*p));
    p->version = COAP_DTLS_PKI_SETUP_VERSION;
    p->verify_peer_cert = 1;
    p->check_common_ca = 0;
    p->allow_self_signed = 0;
    p->allow_expired_certs = 0;
    p->cert_chain_validation = 1;
    p->cert_chain_verify_depth = 4;
    p->is_rpk_not_cert = c->mode == SCB_SEC_RPK;
    p->validate_cn_call_back = pki_peer_check;
    p->cn_call_back_arg = c;
    p->pki_key.key_type = COAP_PKI_KEY_ASN1;
    p->pki_key.key.asn1.public_cert = c->own.data;
    p->pki_key.key.asn1.public_cert_len = c->own.len;
    p->pki_key.key.asn1.private_key = c->priv.data;
    p->pki_key.key.asn1.private_key_len = c->priv.len;
    p->pki_key.key.asn1.private_key_type = COAP_ASN1_PKEY_EC;
    if (c->mode == SCB_SEC_CERT) {
        p->pki_key.key.asn1.ca_cert = c->peer.data;
        p->pki_key.key.asn1.ca_cert_len = c->peer.len;
    }
}

int scb_bs_dtls_server(coap_context_t *ctx, struct scb_bs_creds *c, char *err, size_t errlen)
{
    if (!coap_dtls_is_supported()) {
        set_err(err, errlen, "this libcoap has no DTLS");
        return SCB_E_UNSUPPORTED;
    }
    c->check_name = 0; /* the client dialled us: no name of it to check */
    c->host[0] = '\0';
    if (c->mode == SCB_SEC_PSK) {
        coap_dtls_spsk_t s;
        memset(&s, 0, sizeof(s));
        s.version = COAP_DTLS_SPSK_SETUP_VERSION;
        s.validate_id_call_back = psk_identity_check;
        s.id_call_back_arg = c;
        /* no identity hint: the account's identity is for the peer to present */
        s.psk_info.key.s = c->key.data;
        s.psk_info.key.length = c->key.len;
        if (!coap_context_set_psk2(ctx, &s)) {
            set_err(err, errlen, "libcoap refused the PSK setup");
            return SCB_E_UNSUPPORTED;
        }
        return SCB_OK;
    }
    coap_dtls_pki_t p;
    pki_setup(&p, c);
    if (!coap_context_set_pki(ctx, &p)) {
        set_err(err, errlen, c->mode == SCB_SEC_RPK
                                 ? "libcoap refused the raw public key setup (RPK needs the "
                                   "GnuTLS flavour of libcoap)"
                                 : "libcoap refused the certificate or private key of the "
                                   "Bootstrap-Server account");
        return SCB_E_UNSUPPORTED;
    }
    return SCB_OK;
}

/* Whether host is an IPv4 or IPv6 literal (never sent as SNI, RFC 6066 section 3). */
static int ip_literal(const char *host)
{
    uint8_t a[16];
    size_t n;
    return scb_crypto_host_ip(host, a, &n);
}

/* The name the server must carry: /0/x/14, else the host of the URI dialled ("" none). */
static void expect_host(struct scb_bs_creds *c, const char *uri)
{
    coap_uri_t u;
    c->host[0] = '\0';
    if (c->sni[0] != '\0') {
        snprintf(c->host, sizeof(c->host), "%s", c->sni);
    } else if (uri != NULL &&
               coap_split_uri((const uint8_t *)uri, strlen(uri), &u) == 0 &&
               u.host.length > 0 && u.host.length < sizeof(c->host)) {
        memcpy(c->host, u.host.s, u.host.length);
        c->host[u.host.length] = '\0';
    }
    size_t n = strlen(c->host);
    if (n > 1 && c->host[n - 1] == '.' && c->host[n - 2] != '.') {
        c->host[n - 1] = '\0'; /* "bs.example." is bs.example: matched and sent without it */
    }
}

coap_session_t *scb_bs_dtls_client(coap_context_t *ctx, const coap_address_t *dst,
                                   const char *uri, struct scb_bs_creds *c, char *err,
                                   size_t errlen)
{
    coap_session_t *cs;
    if (!coap_dtls_is_supported()) {
        set_err(err, errlen, "this libcoap has no DTLS");
        return NULL;
    }
    expect_host(c, uri);
    c->check_name = 1; /* fails closed when host stays empty */
    char *sni = c->host[0] != '\0' && !ip_literal(c->host) ? c->host : NULL;
    if (c->mode == SCB_SEC_PSK) {
        coap_dtls_cpsk_t p;
        memset(&p, 0, sizeof(p));
        p.version = COAP_DTLS_CPSK_SETUP_VERSION;
        p.psk_info.identity.s = c->id.data;
        p.psk_info.identity.length = c->id.len;
        p.psk_info.key.s = c->key.data;
        p.psk_info.key.length = c->key.len;
        p.client_sni = sni;
        cs = coap_new_client_session_psk2(ctx, NULL, dst, COAP_PROTO_DTLS, &p);
    } else {
        coap_dtls_pki_t p;
        pki_setup(&p, c);
        p.client_sni = sni;
        cs = coap_new_client_session_pki(ctx, NULL, dst, COAP_PROTO_DTLS, &p);
    }
    if (cs == NULL) {
        set_err(err, errlen, "libcoap could not set up the DTLS session with the account's "
                             "credentials");
    }
    return cs;
}

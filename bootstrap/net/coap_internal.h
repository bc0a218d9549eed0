/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coap_internal.h: the parts of the CoAP front end shared between coap.c (requests,
 * commit, Bootstrap-Request schedule) and coap_dtls.c (which DTLS credentials a peer must
 * hold). Not installed.
 */
#ifndef SCBOOT_COAP_INTERNAL_H
#define SCBOOT_COAP_INTERNAL_H

#include <coap3/coap.h>
#include <stddef.h>
#include <stdint.h>

#include "scboot/coap.h"
#include "scboot/model.h"

/* Security Mode (/0/x/2) */
#define SCB_SEC_PSK 0
#define SCB_SEC_RPK 1
#define SCB_SEC_CERT 2
#define SCB_SEC_NOSEC 3
#define SCB_SEC_NONE (-1) /* no Bootstrap-Server account committed */

/* Certificate Usage (/0/x/15, RFC 6698 names) */
#define SCB_USAGE_CA_CONSTRAINT 0
#define SCB_USAGE_SERVICE_CERT 1
#define SCB_USAGE_TRUST_ANCHOR 2
#define SCB_USAGE_DOMAIN_ISSUED 3

struct scb_owned {
    uint8_t *data;
    size_t len;
};

/* The credentials a Bootstrap-Server peer must hold (and ours towards it). Owns copies. */
struct scb_bs_creds {
    int mode;                /* SCB_SEC_*: of the committed account, or PSK from the flags */
    int from_flags;          /* PSK given with --psk-identity/--psk-key-file, no account */
    int account;             /* a Bootstrap-Server account is committed */
    struct scb_owned id;     /* PSK identity (/0/x/3) */
    struct scb_owned key;    /* PSK (/0/x/5) */
    struct scb_owned own;    /* RPK: our SPKI, X.509: our certificate (/0/x/3, DER) */
    struct scb_owned peer;   /* RPK: server SPKI, X.509: server cert or CA (/0/x/4, DER) */
    struct scb_owned priv;   /* our private key (/0/x/5, RFC 5958 DER) */
    unsigned usage;          /* /0/x/15, default 3 (domain-issued: /0/x/4 is the peer) */
    char uri[256];           /* /0/x/0 of the account ("" none) */
    char sni[256];           /* /0/x/14 of the account ("" none) */
    char host[256];          /* client: the name the server's certificate must carry */
    int check_name;          /* client, X.509 usage 0..2: check host (RFC 6125) */
    uint64_t hold_off_s;     /* /0/x/11 Client Hold Off Time of the account (0 absent) */
    coap_bin_const_t key_bin;/* what the PSK identity callback hands to libcoap */
    unsigned refused;        /* handshakes refused by our checks */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

void scb_bs_creds_init(struct scb_bs_creds *c);
void scb_bs_creds_free(struct scb_bs_creds *c);
/** The committed Bootstrap-Server account's credentials (mode SCB_SEC_NONE without one). */
int scb_bs_creds_from_config(struct scb_bs_creds *c, const struct scb_config *cfg, char *err,
                             size_t errlen);
/**
 * Fold in --psk-identity/--psk-key-file: used only when no account holds credentials; with a
 * PSK/RPK/certificate account they must equal the account's PSK (else SCB_E_INVALID_ARG: the
 * flags never replace or weaken a committed account).
 */
int scb_bs_creds_apply_flags(struct scb_bs_creds *c, const struct scb_coap_opts *o, char *err,
                             size_t errlen);
/** Whether DTLS is required (a PSK, RPK or certificate account, or PSK flags). */
int scb_bs_creds_secure(const struct scb_bs_creds *c);
/** "DTLS PSK", "DTLS RPK", "DTLS X.509", "NoSec" */
const char *scb_bs_creds_name(const struct scb_bs_creds *c);
/** Server side: require exactly these credentials of every DTLS peer. */
int scb_bs_dtls_server(coap_context_t *ctx, struct scb_bs_creds *c, char *err, size_t errlen);
/**
 * Client side: a DTLS session towards dst, the address of uri (the server dialled), that
 * accepts only the account's server; with X.509 usage 0..2 its certificate must name the SNI
 * /0/x/14 or else uri's host. SNI sent: /0/x/14, else uri's host unless an IP literal.
 */
coap_session_t *scb_bs_dtls_client(coap_context_t *ctx, const coap_address_t *dst,
                                   const char *uri, struct scb_bs_creds *c, char *err,
                                   size_t errlen);

/* A Block1 body being reassembled (coap_body.c), never more than SCB_COAP_MAX_BODY. */
struct scb_body {
    uint8_t *data;           /* SCB_COAP_MAX_BODY bytes once a first block came */
    size_t len;
    char path[128];
};

enum scb_body_state {
    SCB_BODY_COMPLETE = 0,   /* data/len hold the whole body */
    SCB_BODY_CONTINUE,       /* more blocks to come: 2.31 */
    SCB_BODY_TOO_LARGE,      /* 4.13 with Size1 */
    SCB_BODY_INCOMPLETE,     /* a block out of order or of another body: 4.08 */
    SCB_BODY_NOMEM,
};

/** Add the block at offset of a body of total bytes (total: Size1 or offset + n [+ 1]). */
enum scb_body_state scb_body_add(struct scb_body *a, const char *path, size_t offset,
                                 size_t total, const uint8_t *d, size_t n);
void scb_body_reset(struct scb_body *a);

#endif

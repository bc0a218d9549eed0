/* SPDX-License-Identifier: Apache-2.0 */
/*
 * card.c: the card session on a transport: 61xx / 9Fxx -> GET RESPONSE (repeatedly), 6Cxx ->
 * re-send with the right Le, byte and APDU accounting, and the trace hook.
 */
#include <stdlib.h>
#include <string.h>

#include "scboot/card.h"

struct scb_card {
    struct scb_transport *tr; /* borrowed */
    scb_trace_fn trace;
    void *trace_ctx;
    int redact;               /* SCB_REDACT_* bits: what the trace must not show */
    unsigned apdus;           /* APDUs sent (including GET RESPONSE and re-sends) */
    size_t bytes_out, bytes_in;
    unsigned max_chain;       /* bound on 61xx/6Cxx follow-ups per command */
    int last_resent;          /* the last transceive re-sent after 6Cxx (Le corrected) */
    uint16_t last_sw;         /* the final status word of the last command (0: none yet) */
    uint8_t last_hdr[4];      /* CLA INS P1 P2 of the last command (as sent, unwrapped) */
};

int scb_card_new(struct scb_transport *tr, struct scb_card **out)
{
    struct scb_card *c;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((*out = c = calloc(1, sizeof(*c))) == NULL) {
        return SCB_E_NOMEM;
    }
    c->tr = tr;
    c->max_chain = 128;
    return SCB_OK;
}

void scb_card_free(struct scb_card **c)
{
    if (c != NULL) {
        free(*c);
        *c = NULL;
    }
}

struct scb_transport *scb_card_transport(const struct scb_card *c)
{
    return c ? c->tr : NULL;
}

struct scb_transport *scb_card_set_transport(struct scb_card *c, struct scb_transport *tr)
{
    struct scb_transport *old = NULL;
    if (c != NULL) {
        old = c->tr;
        c->tr = tr;
    }
    return old;
}

void scb_card_set_trace(struct scb_card *c, scb_trace_fn fn, void *ctx)
{
    if (c != NULL) {
        c->trace = fn;
        c->trace_ctx = ctx;
    }
}

int scb_card_redact(const struct scb_card *c)
{
    return c ? c->redact : 0;
}

void scb_card_set_redact(struct scb_card *c, int bits)
{
    if (c != NULL) {
        c->redact = bits;
    }
}

void scb_card_set_max_chain(struct scb_card *c, unsigned max_chain)
{
    if (c != NULL) {
        c->max_chain = max_chain;
    }
}

unsigned scb_card_apdus(const struct scb_card *c)
{
    return c ? c->apdus : 0;
}

void scb_card_bytes(const struct scb_card *c, size_t *out, size_t *in)
{
    if (out != NULL) {
        *out = c ? c->bytes_out : 0;
    }
    if (in != NULL) {
        *in = c ? c->bytes_in : 0;
    }
}

uint16_t scb_card_last_sw(const struct scb_card *c)
{
    return c ? c->last_sw : 0;
}

void scb_card_last_hdr(const struct scb_card *c, uint8_t hdr[4])
{
    memset(hdr, 0, 4);
    if (c != NULL) {
        memcpy(hdr, c->last_hdr, 4);
    }
}

int scb_card_last_resent(const struct scb_card *c)
{
    return c ? c->last_resent : 0;
}

void scb_card_clear_last(struct scb_card *c)
{
    if (c != NULL) {
        c->last_sw = 0;
        c->last_resent = 0;
        memset(c->last_hdr, 0, sizeof(c->last_hdr));
    }
}

/* One raw exchange, counted and traced. A response under 2 bytes is never data. */
static int exchange(struct scb_card *c, const uint8_t *cmd, size_t clen, uint8_t *rsp,
                    size_t *rlen)
{
    int ret;

    if (c->trace) {
        c->trace(c->trace_ctx, SCB_TRACE_CMD, cmd, clen, c->redact & SCB_REDACT_CMD);
    }
    c->apdus++;
    c->bytes_out += clen;
    *rlen = 0;
    ret = scb_transport_transmit(c->tr, cmd, clen, rsp, SCB_APDU_RSP_MAX, rlen);
    if (ret < 0) {
        return ret;
    }
    if (*rlen < 2 || *rlen > SCB_APDU_RSP_MAX) {
        return SCB_E_SHORT_RESPONSE;
    }
    c->bytes_in += *rlen;
    if (c->trace) {
        /* the answer to a command that carried a secret (VERIFY) is as secret as it: a
         * hostile reader or modem may echo the PIN block there */
        c->trace(c->trace_ctx, SCB_TRACE_RSP, rsp, *rlen,
                 c->redact & (SCB_REDACT_RSP | SCB_REDACT_CMD));
    }
    return SCB_OK;
}

static int append(uint8_t *data, size_t cap, size_t *dlen, const uint8_t *src, size_t n)
{
    if (n > cap - *dlen) {
        return SCB_E_BUFFER;
    }
    if (n) {
        memcpy(data + *dlen, src, n);
        *dlen += n;
    }
    return SCB_OK;
}

int scb_card_transceive(struct scb_card *c, const struct scb_apdu *a, uint8_t *data,
                        size_t cap, size_t *dlen, uint16_t *sw)
{
    uint8_t cmd[SCB_APDU_CMD_MAX];
    uint8_t rsp[SCB_APDU_RSP_MAX];
    struct scb_apdu cur;
    size_t clen, rlen;
    unsigned chain = 0;
    int ret;

    if (c == NULL || a == NULL || dlen == NULL || sw == NULL || (cap > 0 && data == NULL)) {
        return SCB_E_INVALID_ARG;
    }
    *dlen = 0;
    c->last_resent = 0;
    c->last_sw = 0;
    c->last_hdr[0] = a->cla;
    c->last_hdr[1] = a->ins;
    c->last_hdr[2] = a->p1;
    c->last_hdr[3] = a->p2;
    cur = *a;
    if ((ret = scb_apdu_encode(&cur, cmd, sizeof(cmd), &clen)) < 0) {
        return ret;
    }
    for (;;) {
        if ((ret = exchange(c, cmd, clen, rsp, &rlen)) < 0) {
            return ret;
        }
        uint8_t sw1 = rsp[rlen - 2], sw2 = rsp[rlen - 1];
        if ((ret = append(data, cap, dlen, rsp, rlen - 2)) < 0) {
            return ret;
        }
        if (sw1 != 0x61 && sw1 != 0x9F && sw1 != 0x6C) {
            *sw = (uint16_t)(sw1 << 8 | sw2);
            c->last_sw = *sw;
            return SCB_OK;
        }
        if (++chain > c->max_chain) {
            return SCB_E_RESPONSE_LOOP;
        }
        if (sw1 == 0x6C) {
            /* wrong Le: re-issue the same command with the length the card offers */
            if (!cur.has_le && cur.lc > 0) {
                *sw = (uint16_t)(sw1 << 8 | sw2);
                c->last_sw = *sw;
                return SCB_OK;
            }
            cur.has_le = 1;
            cur.le = sw2 ? sw2 : 256;
            c->last_resent = 1;
        } else {
            /* response data waiting: GET RESPONSE on the same channel */
            unsigned ch = 0;
            scb_apdu_cla_channel(a->cla, &ch);
            memset(&cur, 0, sizeof(cur));
            if ((ret = scb_apdu_cla_for_channel(0x00, ch, &cur.cla)) < 0) {
                return ret;
            }
            cur.ins = 0xC0;
            cur.has_le = 1;
            cur.le = sw2 ? sw2 : 256;
        }
        if ((ret = scb_apdu_encode(&cur, cmd, sizeof(cmd), &clen)) < 0) {
            return ret;
        }
    }
}

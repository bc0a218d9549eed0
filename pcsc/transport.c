/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transport.c: the transport handle (ops-table dispatch) and the APDU exchange on top of it:
 * 61xx / 9Fxx -> GET RESPONSE (repeatedly), 6Cxx -> re-send with the right Le, byte and APDU
 * accounting, and the trace hook.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "scboot/card.h"

struct scb_transport *scb_transport_new(const struct scb_transport_ops *ops, void *self)
{
    struct scb_transport *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->ops = ops;
    t->self = self;
    return t;
}

void scb_transport_free(struct scb_transport **t)
{
    if (t == NULL || *t == NULL) {
        return;
    }
    if ((*t)->ops && (*t)->ops->destroy) {
        (*t)->ops->destroy((*t)->self);
    }
    free(*t);
    *t = NULL;
}

int scb_transport_transmit(struct scb_transport *t, const uint8_t *cmd, size_t clen,
                           uint8_t *rsp, size_t rcap, size_t *rlen)
{
    if (t == NULL || t->ops == NULL || t->ops->transmit == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return t->ops->transmit(t->self, cmd, clen, rsp, rcap, rlen);
}

int scb_transport_status(struct scb_transport *t, struct scb_card_status *st)
{
    if (t == NULL || t->ops == NULL || t->ops->status == NULL || st == NULL) {
        return SCB_E_INVALID_ARG;
    }
    memset(st, 0, sizeof(*st));
    st->protocol = -1;
    return t->ops->status(t->self, st);
}

int scb_transport_reconnect(struct scb_transport *t, int reset)
{
    if (t == NULL || t->ops == NULL || t->ops->reconnect == NULL) {
        return SCB_E_UNSUPPORTED;
    }
    return t->ops->reconnect(t->self, reset);
}

int scb_transport_begin(struct scb_transport *t)
{
    if (t == NULL || t->ops == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return t->ops->begin ? t->ops->begin(t->self) : SCB_OK;
}

int scb_transport_end(struct scb_transport *t)
{
    if (t == NULL || t->ops == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return t->ops->end ? t->ops->end(t->self) : SCB_OK;
}

/* ---- stand-ins: a reader without a card, a reader that cannot be reached ----------------- */

struct stand_in {
    int err;                       /* 0: an empty reader; < 0: unreachable with this error */
    char reader[SCB_READER_NAME_MAX];
};

static int si_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                       size_t *rlen)
{
    struct stand_in *s = self;
    (void)cmd, (void)clen, (void)rsp, (void)rcap;
    *rlen = 0;
    return s->err ? s->err : SCB_E_NO_CARD;
}

static int si_reconnect(void *self, int reset)
{
    struct stand_in *s = self;
    (void)reset;
    return s->err ? s->err : SCB_E_NO_CARD;
}

static int si_status(void *self, struct scb_card_status *st)
{
    struct stand_in *s = self;
    if (s->err) {
        return s->err;
    }
    memset(st, 0, sizeof(*st));
    st->present = 0;
    st->protocol = -1;
    snprintf(st->reader, sizeof(st->reader), "%s", s->reader);
    return SCB_OK;
}

static void si_destroy(void *self)
{
    free(self);
}

static const struct scb_transport_ops stand_in_ops = {
    .name = "stand-in",
    .transmit = si_transmit,
    .reconnect = si_reconnect,
    .status = si_status,
    .destroy = si_destroy,
};

static struct scb_transport *stand_in(int err, const char *reader)
{
    struct stand_in *s = calloc(1, sizeof(*s));
    struct scb_transport *t;
    if (s == NULL) {
        return NULL;
    }
    s->err = err;
    snprintf(s->reader, sizeof(s->reader), "%s", reader ? reader : "");
    if ((t = scb_transport_new(&stand_in_ops, s)) == NULL) {
        free(s);
    }
    return t;
}

struct scb_transport *scb_transport_empty_reader(const char *reader)
{
    return stand_in(0, reader);
}

struct scb_transport *scb_transport_unreachable(int err)
{
    return stand_in(err < 0 ? err : SCB_E_NO_SERVICE, NULL);
}

void scb_card_init(struct scb_card *c, struct scb_transport *tr)
{
    memset(c, 0, sizeof(*c));
    c->tr = tr;
    c->max_chain = 128;
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
        c->trace(c->trace_ctx, SCB_TRACE_RSP, rsp, *rlen, c->redact & SCB_REDACT_RSP);
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
            scb_cla_channel(a->cla, &ch);
            memset(&cur, 0, sizeof(cur));
            if ((ret = scb_cla_for_channel(0x00, ch, &cur.cla)) < 0) {
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

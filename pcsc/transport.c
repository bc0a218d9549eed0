/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transport.c: the transport handle (ops-table dispatch), stand-ins for an empty or
 * unreachable reader, and reader selection.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "scboot/transport.h"

struct scb_transport *scb_transport_new(const struct scb_transport_ops *ops, void *self)
{
    struct scb_transport *t = ops != NULL ? calloc(1, sizeof(*t)) : NULL;
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
    if (t == NULL || t->ops == NULL || t->ops->transmit == NULL || (cmd == NULL && clen > 0) ||
        rsp == NULL || rlen == NULL) {
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

int scb_transport_open_channel(struct scb_transport *t, const uint8_t *aid, size_t aid_len,
                               unsigned *channel)
{
    if (t == NULL || t->ops == NULL || aid == NULL || channel == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return t->ops->open_channel ? t->ops->open_channel(t->self, aid, aid_len, channel)
                                : SCB_E_UNSUPPORTED;
}

int scb_transport_close_channel(struct scb_transport *t, unsigned channel)
{
    if (t == NULL || t->ops == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return t->ops->close_channel ? t->ops->close_channel(t->self, channel) : SCB_E_UNSUPPORTED;
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

int scb_transport_reader_match(const char *const *names, size_t n, const char *spec, size_t *idx)
{
    size_t hits = 0, hit = 0;
    char *end = NULL;

    if (names == NULL || spec == NULL || idx == NULL || *spec == '\0') {
        return SCB_E_INVALID_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        if (names[i] != NULL && strcmp(names[i], spec) == 0) {
            *idx = i;
            return SCB_OK;
        }
    }
    unsigned long v = strtoul(spec, &end, 10);
    if (end && *end == '\0' && spec[0] >= '0' && spec[0] <= '9') {
        if (v >= n) {
            return SCB_E_READER_NOT_FOUND;
        }
        *idx = (size_t)v;
        return SCB_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (names[i] != NULL && strstr(names[i], spec) != NULL) {
            hits++;
            hit = i;
        }
    }
    if (hits == 0) {
        return SCB_E_READER_NOT_FOUND;
    }
    if (hits > 1) {
        return SCB_E_READER_AMBIGUOUS;
    }
    *idx = hit;
    return SCB_OK;
}

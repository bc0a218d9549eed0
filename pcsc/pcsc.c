/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcsc.c: the only file that includes <winscard.h>. Maps every PC/SC LONG to an
 * scb_err once (the PC/SC name goes into the message), lists readers, and implements the
 * card transport over SCardTransmit with transactions, reset recovery and sharing back-off.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include "scboot/events.h"
#include "scboot/pcsc.h"

#define SHARING_RETRIES 8

struct pcsc_tr {
    SCARDCONTEXT ctx;
    SCARDHANDLE h;
    DWORD proto;
    int in_tx;
    char reader[SCB_READER_NAME_MAX];
};

static int map_rv(LONG rv)
{
    switch (rv) {
    case SCARD_S_SUCCESS: return SCB_OK;
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED: return SCB_E_NO_SERVICE;
    case SCARD_E_NO_READERS_AVAILABLE: return SCB_E_NO_READERS;
    case SCARD_E_UNKNOWN_READER: return SCB_E_READER_NOT_FOUND;
    case SCARD_E_READER_UNAVAILABLE: return SCB_E_READER_UNAVAILABLE;
    case SCARD_E_NO_SMARTCARD: return SCB_E_NO_CARD;
    case SCARD_W_REMOVED_CARD: return SCB_E_CARD_REMOVED;
    case SCARD_W_RESET_CARD: return SCB_E_CARD_RESET;
    case SCARD_E_SHARING_VIOLATION: return SCB_E_SHARING;
    case SCARD_W_UNRESPONSIVE_CARD:
    case SCARD_W_UNPOWERED_CARD: return SCB_E_CARD_MUTE; /* there, but unreadable: not R4 */
    case SCARD_E_TIMEOUT: return SCB_E_TIMEOUT;
    case SCARD_E_NO_MEMORY: return SCB_E_NOMEM;
    case SCARD_E_INSUFFICIENT_BUFFER: return SCB_E_BUFFER;
    default: return SCB_E_TRANSPORT;
    }
}

static int report(char *err, size_t errlen, const char *what, LONG rv)
{
    if (err && errlen) {
        snprintf(err, errlen, "%s: %s (0x%08lX)", what, pcsc_stringify_error(rv),
                 (unsigned long)rv);
    }
    return map_rv(rv);
}

/* Whether pcscd knows the card state of a reader: a reader it has just added (no bit set
 * before its first poll) or lost contact with (UNKNOWN, UNAVAILABLE) is neither empty nor
 * holding a card. R4: that is "state unknown" (keep the card's instances), never "empty". */
static int state_known(DWORD s)
{
    return (s & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE | SCARD_STATE_IGNORE)) == 0 &&
           (s & (SCARD_STATE_PRESENT | SCARD_STATE_EMPTY)) != 0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reader names from SCardListReaders as an array of pointers into one buffer. */
static int list_names(SCARDCONTEXT ctx, char **buf, const char ***names, size_t *n, char *err,
                      size_t errlen)
{
    DWORD len = 0;
    LONG rv = SCardListReaders(ctx, NULL, NULL, &len);
    size_t count = 0;

    if (rv != SCARD_S_SUCCESS) {
        return report(err, errlen, "SCardListReaders", rv);
    }
    if ((*buf = calloc(1, len + 1)) == NULL) {
        return SCB_E_NOMEM;
    }
    if ((rv = SCardListReaders(ctx, NULL, *buf, &len)) != SCARD_S_SUCCESS) {
        free(*buf);
        *buf = NULL;
        return report(err, errlen, "SCardListReaders", rv);
    }
    for (const char *p = *buf; *p; p += strlen(p) + 1) {
        count++;
    }
    if ((*names = calloc(count ? count : 1, sizeof(char *))) == NULL) {
        free(*buf);
        *buf = NULL;
        return SCB_E_NOMEM;
    }
    count = 0;
    for (const char *p = *buf; *p; p += strlen(p) + 1) {
        (*names)[count++] = p;
    }
    *n = count;
    if (count == 0) {
        free(*buf);
        free(*names);
        *buf = NULL;
        *names = NULL;
        return report(err, errlen, "SCardListReaders", SCARD_E_NO_READERS_AVAILABLE);
    }
    return SCB_OK;
}

int scb_pcsc_list(struct scb_reader_info **list, size_t *n, char *err, size_t errlen)
{
    SCARDCONTEXT ctx;
    char *buf = NULL;
    const char **names = NULL;
    size_t count = 0;
    SCARD_READERSTATE *rs = NULL;
    struct scb_reader_info *out = NULL;
    LONG rv;
    int ret;

    if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx)) != SCARD_S_SUCCESS) {
        return report(err, errlen, "SCardEstablishContext", rv);
    }
    if ((ret = list_names(ctx, &buf, &names, &count, err, errlen)) < 0) {
        goto out;
    }
    rs = calloc(count, sizeof(*rs));
    out = calloc(count, sizeof(*out));
    if (rs == NULL || out == NULL) {
        ret = SCB_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        rs[i].szReader = names[i];
        rs[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    rv = SCardGetStatusChange(ctx, 0, rs, (DWORD)count);
    if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
        ret = report(err, errlen, "SCardGetStatusChange", rv);
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        snprintf(out[i].name, sizeof(out[i].name), "%s", names[i]);
        out[i].present = (rs[i].dwEventState & SCARD_STATE_PRESENT) != 0;
        out[i].in_use = (rs[i].dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
        out[i].mute = (rs[i].dwEventState & SCARD_STATE_MUTE) != 0;
        out[i].events = (uint32_t)(rs[i].dwEventState >> 16);
        out[i].atr_len = rs[i].cbAtr <= SCB_ATR_MAX ? rs[i].cbAtr : 0;
        memcpy(out[i].atr, rs[i].rgbAtr, out[i].atr_len);
    }
    *list = out;
    *n = count;
    out = NULL;
    ret = SCB_OK;
out:
    free(out);
    free(rs);
    free(names);
    free(buf);
    SCardReleaseContext(ctx);
    return ret;
}

/* ---- transport ------------------------------------------------------------------------ */

static int p_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                      size_t *rlen)
{
    struct pcsc_tr *t = self;
    const SCARD_IO_REQUEST *pci = t->proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
    DWORD len = (DWORD)rcap;
    LONG rv = SCardTransmit(t->h, pci, cmd, (DWORD)clen, NULL, rsp, &len);

    if (rv == SCARD_W_RESET_CARD) {
        /* someone reset the card: reconnect, and tell the caller its selections are gone */
        DWORD proto = t->proto;
        if (SCardReconnect(t->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                           SCARD_LEAVE_CARD, &proto) == SCARD_S_SUCCESS) {
            t->proto = proto;
        }
        return SCB_E_CARD_RESET;
    }
    if (rv != SCARD_S_SUCCESS) {
        return map_rv(rv);
    }
    if (len < 2) {
        /* pcsc-lite answers a removed card with success and 0 bytes first */
        return SCB_E_CARD_REMOVED;
    }
    *rlen = len;
    return SCB_OK;
}

static int p_reconnect(void *self, int reset)
{
    struct pcsc_tr *t = self;
    DWORD proto;
    LONG rv = SCardReconnect(t->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                             reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD, &proto);
    if (rv != SCARD_S_SUCCESS) {
        return map_rv(rv);
    }
    t->proto = proto;
    return SCB_OK;
}

static int p_status(void *self, struct scb_card_status *st)
{
    struct pcsc_tr *t = self;
    SCARD_READERSTATE rs;
    LONG rv;

    memset(&rs, 0, sizeof(rs));
    rs.szReader = t->reader;
    rs.dwCurrentState = SCARD_STATE_UNAWARE;
    rv = SCardGetStatusChange(t->ctx, 0, &rs, 1);
    if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
        return map_rv(rv);
    }
    if (!state_known(rs.dwEventState)) {
        return SCB_E_READER_UNAVAILABLE;
    }
    st->present = (rs.dwEventState & SCARD_STATE_PRESENT) != 0;
    st->event_count = (uint32_t)(rs.dwEventState >> 16);
    st->protocol = t->proto == SCARD_PROTOCOL_T1 ? 1 : 0;
    st->atr_len = rs.cbAtr <= SCB_ATR_MAX ? rs.cbAtr : 0;
    memcpy(st->atr, rs.rgbAtr, st->atr_len);
    snprintf(st->reader, sizeof(st->reader), "%s", t->reader);
    return SCB_OK;
}

static int p_begin(void *self)
{
    struct pcsc_tr *t = self;
    LONG rv = SCARD_S_SUCCESS;
    unsigned delay = 20;

    for (int i = 0; i <= SHARING_RETRIES; i++) {
        rv = SCardBeginTransaction(t->h);
        if (rv == SCARD_W_RESET_CARD) {
            DWORD proto = t->proto;
            if (SCardReconnect(t->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                               SCARD_LEAVE_CARD, &proto) == SCARD_S_SUCCESS) {
                t->proto = proto;
            }
            continue;
        }
        if (rv != SCARD_E_SHARING_VIOLATION) {
            break;
        }
        sleep_ms(delay);
        delay = delay < 400 ? delay * 2 : 400;
    }
    if (rv == SCARD_S_SUCCESS) {
        t->in_tx = 1;
    }
    return map_rv(rv);
}

static int p_end(void *self)
{
    struct pcsc_tr *t = self;
    if (!t->in_tx) {
        return SCB_OK;
    }
    t->in_tx = 0;
    LONG rv = SCardEndTransaction(t->h, SCARD_LEAVE_CARD);
    return rv == SCARD_W_REMOVED_CARD || rv == SCARD_E_NO_SMARTCARD ? SCB_OK : map_rv(rv);
}

static void p_destroy(void *self)
{
    struct pcsc_tr *t = self;
    if (t == NULL) {
        return;
    }
    if (t->in_tx) {
        SCardEndTransaction(t->h, SCARD_LEAVE_CARD);
    }
    if (t->h) {
        SCardDisconnect(t->h, SCARD_LEAVE_CARD);
    }
    SCardReleaseContext(t->ctx);
    free(t);
}

static const struct scb_transport_ops pcsc_ops = {
    .name = "pcsc",
    .transmit = p_transmit,
    .reconnect = p_reconnect,
    .status = p_status,
    .begin = p_begin,
    .end = p_end,
    .destroy = p_destroy,
};

static LONG connect_shared(struct pcsc_tr *t)
{
    LONG rv = SCARD_S_SUCCESS;
    unsigned delay = 20;
    for (int i = 0; i <= SHARING_RETRIES; i++) {
        rv = SCardConnect(t->ctx, t->reader, SCARD_SHARE_SHARED,
                          SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &t->h, &t->proto);
        if (rv != SCARD_E_SHARING_VIOLATION) {
            break;
        }
        sleep_ms(delay);
        delay = delay < 400 ? delay * 2 : 400;
    }
    return rv;
}

int scb_pcsc_open(const char *spec, struct scb_transport **out, char *err, size_t errlen)
{
    struct pcsc_tr *t;
    char *buf = NULL;
    const char **names = NULL;
    size_t count = 0, idx = 0;
    LONG rv;
    int ret;

    if (spec == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((t = calloc(1, sizeof(*t))) == NULL) {
        return SCB_E_NOMEM;
    }
    if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &t->ctx)) !=
        SCARD_S_SUCCESS) {
        free(t);
        return report(err, errlen, "SCardEstablishContext", rv);
    }
    if ((ret = list_names(t->ctx, &buf, &names, &count, err, errlen)) < 0) {
        goto fail;
    }
    if ((ret = scb_transport_reader_match(names, count, spec, &idx)) < 0) {
        if (err) {
            snprintf(err, errlen, "reader '%s': %s", spec, scb_error_string(ret));
        }
        goto fail;
    }
    snprintf(t->reader, sizeof(t->reader), "%s", names[idx]);
    if ((rv = connect_shared(t)) != SCARD_S_SUCCESS) {
        char what[SCB_READER_NAME_MAX + 32];
        snprintf(what, sizeof(what), "SCardConnect '%s'", t->reader);
        ret = report(err, errlen, what, rv);
        goto fail;
    }
    if ((*out = scb_transport_new(&pcsc_ops, t)) == NULL) {
        ret = SCB_E_NOMEM;
        goto fail;
    }
    free(names);
    free(buf);
    return SCB_OK;
fail:
    free(names);
    free(buf);
    p_destroy(t);
    return ret;
}

/* ---- monitor ------------------------------------------------------------------------------ */

#define MON_MAX 16
#define MON_FOREVER_MS 3600000u /* one wait "without a limit" */

struct scb_pcsc_monitor {
    /* ctx and have_ctx change under lock: scb_pcsc_monitor_cancel reads them from another
     * thread (never held while waiting in pcscd) */
    pthread_mutex_t lock;
    SCARDCONTEXT ctx;
    int have_ctx;
    int rebuild;
    char spec[SCB_READER_NAME_MAX];
    int all;
    char names[MON_MAX][SCB_READER_NAME_MAX];
    SCARD_READERSTATE rs[MON_MAX + 1]; /* [0] is the PnP pseudo reader */
    size_t n;                          /* watched readers (without PnP) */
};

int scb_pcsc_monitor_new(const char *spec, struct scb_pcsc_monitor **m)
{
    if (m == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_pcsc_monitor *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        return SCB_E_NOMEM;
    }
    pthread_mutex_init(&x->lock, NULL);
    x->all = spec == NULL;
    snprintf(x->spec, sizeof(x->spec), "%s", spec ? spec : "");
    x->rebuild = 1;
    *m = x;
    return SCB_OK;
}

void scb_pcsc_monitor_free(struct scb_pcsc_monitor **m)
{
    if (m && *m) {
        if ((*m)->have_ctx) {
            SCardReleaseContext((*m)->ctx);
        }
        pthread_mutex_destroy(&(*m)->lock);
        free(*m);
        *m = NULL;
    }
}

static void mon_drop_ctx(struct scb_pcsc_monitor *m)
{
    pthread_mutex_lock(&m->lock);
    if (m->have_ctx) {
        SCardReleaseContext(m->ctx);
    }
    m->have_ctx = 0;
    pthread_mutex_unlock(&m->lock);
    m->rebuild = 1;
    m->n = 0;
}

/* The reader list: the chosen reader (if plugged) or all of them, plus PnP. */
static int mon_rebuild(struct scb_pcsc_monitor *m)
{
    char *buf = NULL;
    const char **names = NULL;
    size_t count = 0, idx;
    int ret = list_names(m->ctx, &buf, &names, &count, NULL, 0);

    if (ret == SCB_E_NO_SERVICE) {
        return ret;
    }
    m->n = 0;
    if (ret == SCB_OK) {
        for (size_t k = 0; k < count && m->n < MON_MAX; k++) {
            if (!m->all &&
                (scb_transport_reader_match(names, count, m->spec, &idx) < 0 || idx != k)) {
                continue;
            }
            snprintf(m->names[m->n], sizeof(m->names[0]), "%s", names[k]);
            m->n++;
        }
    }
    free(names);
    free(buf);
    m->rs[0].szReader = "\\\\?PnP?\\Notification";
    for (size_t k = 0; k < m->n; k++) {
        memset(&m->rs[k + 1], 0, sizeof(m->rs[0]));
        m->rs[k + 1].szReader = m->names[k];
        m->rs[k + 1].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    m->rebuild = 0;
    return SCB_OK;
}

int scb_pcsc_monitor_wait(struct scb_pcsc_monitor *m, unsigned timeout_ms, int *changed)
{
    if (m == NULL) {
        return SCB_E_INVALID_ARG;
    }
    LONG rv;
    int ret;

    *changed = 0;
    if (!m->have_ctx) {
        SCARDCONTEXT ctx;
        rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
        if (rv != SCARD_S_SUCCESS) {
            return map_rv(rv);
        }
        pthread_mutex_lock(&m->lock);
        m->ctx = ctx;
        m->have_ctx = 1;
        pthread_mutex_unlock(&m->lock);
        m->rebuild = 1;
        memset(&m->rs[0], 0, sizeof(m->rs[0]));
        *changed = 1; /* a (re)started pcscd: everything may have changed */
    }
    if (m->rebuild) {
        if ((ret = mon_rebuild(m)) < 0) {
            mon_drop_ctx(m);
            return ret;
        }
        /* first look at the new reader set without waiting */
        rv = SCardGetStatusChange(m->ctx, 0, m->rs, (DWORD)(m->n + 1));
        if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
            if (map_rv(rv) == SCB_E_NO_SERVICE) {
                mon_drop_ctx(m);
                return SCB_E_NO_SERVICE;
            }
            m->rebuild = 1;
        }
        for (size_t k = 0; k <= m->n; k++) {
            m->rs[k].dwCurrentState = m->rs[k].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
        }
        *changed = 1;
        return SCB_OK;
    }
    /* "forever" is an hour: pcsc-lite turns INFINITE into 60 s rounds trips to pcscd (a
     * wake-up a minute), a finite timeout into one poll of that length */
    DWORD limit = timeout_ms == SCB_PCSC_WAIT_FOREVER ? MON_FOREVER_MS : timeout_ms;
    rv = SCardGetStatusChange(m->ctx, limit, m->rs, (DWORD)(m->n + 1));
    if (rv == SCARD_E_TIMEOUT || rv == SCARD_E_CANCELLED) {
        return SCB_OK; /* nothing changed, or scb_pcsc_monitor_cancel */
    }
    if (rv == SCARD_E_UNKNOWN_READER || rv == SCARD_E_READER_UNAVAILABLE) {
        m->rebuild = 1;
        *changed = 1;
        return SCB_OK;
    }
    if (rv != SCARD_S_SUCCESS) {
        int e = map_rv(rv);
        mon_drop_ctx(m);
        return e == SCB_E_NO_SERVICE ? e : SCB_E_NO_SERVICE;
    }
    for (size_t k = 0; k <= m->n; k++) {
        if (m->rs[k].dwEventState & SCARD_STATE_CHANGED) {
            *changed = 1;
            if (k == 0) {
                m->rebuild = 1; /* a reader came or went */
            }
        }
        m->rs[k].dwCurrentState = m->rs[k].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
    }
    return SCB_OK;
}

int scb_pcsc_monitor_cancel(struct scb_pcsc_monitor *m)
{
    if (m == NULL) {
        return SCB_E_INVALID_ARG;
    }
    LONG rv = SCARD_S_SUCCESS;
    pthread_mutex_lock(&m->lock);
    if (m->have_ctx) {
        rv = SCardCancel(m->ctx);
    }
    pthread_mutex_unlock(&m->lock);
    return rv == SCARD_E_INVALID_HANDLE ? SCB_OK : map_rv(rv);
}

size_t scb_pcsc_monitor_readers(const struct scb_pcsc_monitor *m, struct scb_reader_info *out,
                                size_t cap)
{
    if (m == NULL || (out == NULL && cap > 0)) {
        return 0;
    }
    size_t n = 0, unknown = 0;
    int any_card = 0;
    for (size_t k = 0; k < m->n && n < cap; k++) {
        const SCARD_READERSTATE *r = &m->rs[k + 1];
        if (!state_known(r->dwEventState)) {
            unknown++; /* e.g. just after a pcscd (re)start, before its first poll */
            continue;
        }
        struct scb_reader_info *o = &out[n++];
        memset(o, 0, sizeof(*o));
        snprintf(o->name, sizeof(o->name), "%s", m->names[k]);
        o->present = (r->dwEventState & SCARD_STATE_PRESENT) != 0;
        o->in_use = (r->dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
        o->mute = (r->dwEventState & SCARD_STATE_MUTE) != 0;
        o->events = (uint32_t)(r->dwEventState >> 16);
        o->atr_len = r->cbAtr <= SCB_ATR_MAX ? r->cbAtr : 0;
        memcpy(o->atr, r->rgbAtr, o->atr_len);
        any_card |= o->present;
    }
    /* R4: no card seen, but a reader whose state is not known yet may hold it: report no
     * reader at all (card state unknown) rather than empty readers (card removed) */
    return unknown && !any_card ? 0 : n;
}

/* ---- the monitor as a daemon's event source ------------------------------------------------ */

static int ev_wait(void *self, int timeout_ms, int *changed)
{
    unsigned limit = timeout_ms < 0 ? SCB_PCSC_WAIT_FOREVER : (unsigned)timeout_ms;
    return scb_pcsc_monitor_wait(self, limit, changed);
}

static void ev_wake(void *self)
{
    scb_pcsc_monitor_cancel(self);
}

/* The reader to use now: the one asked for, or (every reader) the first with a card. */
static int ev_reader(void *self, struct scb_events_reader *out)
{
    struct scb_pcsc_monitor *m = self;
    struct scb_reader_info r[MON_MAX];
    size_t n = scb_pcsc_monitor_readers(m, r, MON_MAX);
    memset(out, 0, sizeof(*out));
    for (size_t k = 0; k < n; k++) {
        if (r[k].present && !r[k].mute) {
            snprintf(out->name, sizeof(out->name), "%s", r[k].name);
            out->reachable = out->present = 1;
            out->events = r[k].events;
            return SCB_OK;
        }
    }
    out->reachable = n > 0;
    /* no reader: the one asked for still names what is missing */
    snprintf(out->name, sizeof(out->name), "%s", n > 0 ? r[0].name : m->spec);
    out->events = n > 0 ? r[0].events : 0;
    return SCB_OK;
}

static int ev_open(void *self, const char *reader, struct scb_transport **out, char *err,
                   size_t errlen)
{
    (void)self;
    return scb_pcsc_open(reader, out, err, errlen);
}

static void ev_destroy(void *self)
{
    struct scb_pcsc_monitor *m = self;
    scb_pcsc_monitor_free(&m);
}

static const struct scb_events_ops pcsc_events_ops = {
    .name = "pcscd", .wait = ev_wait, .wake = ev_wake, .reader = ev_reader, .open = ev_open,
    .destroy = ev_destroy};

int scb_pcsc_events_new(const char *spec, struct scb_events **out)
{
    struct scb_pcsc_monitor *m = NULL;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    int ret = scb_pcsc_monitor_new(spec, &m);
    return ret < 0 ? ret : scb_events_new(&pcsc_events_ops, m, out);
}

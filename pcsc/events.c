/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events.c: the reader event source seam. The wrapper owns the one piece every source needs
 * and none should get wrong: a wake that arrives while the waiting thread is between two
 * blocking calls must not be lost, so it is remembered and repeated until a wait returns.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scboot/error.h"
#include "scboot/events.h"

struct scb_events {
    const struct scb_events_ops *ops;
    void *self;
    atomic_int woken;   /* a wake not yet seen by a wait */
    atomic_int waiting; /* a wait is between its check of woken and its return */
};

int scb_events_new(const struct scb_events_ops *ops, void *self, struct scb_events **out)
{
    if (ops == NULL || ops->wait == NULL || ops->wake == NULL || ops->reader == NULL ||
        ops->open == NULL || ops->destroy == NULL || out == NULL) {
        if (ops && ops->destroy) {
            ops->destroy(self);
        }
        return SCB_E_INVALID_ARG;
    }
    struct scb_events *ev = calloc(1, sizeof(*ev));
    if (ev == NULL) {
        ops->destroy(self);
        return SCB_E_NOMEM;
    }
    ev->ops = ops;
    ev->self = self;
    atomic_init(&ev->woken, 0);
    atomic_init(&ev->waiting, 0);
    *out = ev;
    return SCB_OK;
}

void scb_events_free(struct scb_events **ev)
{
    if (ev && *ev) {
        (*ev)->ops->destroy((*ev)->self);
        free(*ev);
        *ev = NULL;
    }
}

int scb_events_wait(struct scb_events *ev, int timeout_ms, int *changed)
{
    if (ev == NULL || changed == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *changed = 0;
    atomic_store(&ev->waiting, 1);
    if (atomic_exchange(&ev->woken, 0)) {
        atomic_store(&ev->waiting, 0);
        return SCB_OK;
    }
    int ret = ev->ops->wait(ev->self, timeout_ms, changed);
    atomic_store(&ev->woken, 0);
    atomic_store(&ev->waiting, 0);
    return ret;
}

void scb_events_wake(struct scb_events *ev)
{
    if (ev == NULL) {
        return;
    }
    atomic_store(&ev->woken, 1);
    /* no wait under way: the next one sees the flag. One under way may be about to block:
     * say it again until it has returned. */
    for (int k = 0; k < 50 && atomic_load(&ev->woken) && atomic_load(&ev->waiting); k++) {
        ev->ops->wake(ev->self);
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int scb_events_reader(struct scb_events *ev, struct scb_events_reader *out)
{
    return ev && out ? ev->ops->reader(ev->self, out) : SCB_E_INVALID_ARG;
}

int scb_events_open(struct scb_events *ev, const char *reader, struct scb_transport **out,
                    char *err, size_t errlen)
{
    if (ev == NULL || reader == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    return ev->ops->open(ev->self, reader, out, err, errlen);
}

int scb_events_imei(struct scb_events *ev, char *buf, size_t cap)
{
    if (ev == NULL || buf == NULL || cap == 0) {
        return SCB_E_INVALID_ARG;
    }
    buf[0] = '\0';
    return ev->ops->imei ? ev->ops->imei(ev->self, buf, cap) : SCB_E_UNSUPPORTED;
}

const char *scb_events_name(const struct scb_events *ev)
{
    return ev && ev->ops->name ? ev->ops->name : "";
}

/* ---- several sources as one ------------------------------------------------------------- */

/* A wait blocks in one source at a time, for at most this long, after a look at the others
 * that does not block (a modem's monitor polls on its own schedule, not at every look). */
#define COMBINE_SLICE_MS 250
/* a failing source sits out 2, 4, ... waits, at most this many (about 30 s of slices) */
#define COMBINE_SKIP_MAX 120u

struct member {
    struct scb_events *ev;
    unsigned skip;    /* waits still to sit out */
    unsigned penalty; /* the last sit-out, doubled at each failure in a row */
    int failing;      /* its last wait failed: its readers' state is unknown */
};

struct combined {
    struct member *m;
    size_t n;
    int last; /* the member whose card was used last; -1: none yet */
};

/* One member's wait; 1 when it answered. */
static int member_wait(struct member *m, int timeout_ms, int *changed, int *err)
{
    int ch = 0;
    int ret = scb_events_wait(m->ev, timeout_ms, &ch);
    if (ret < 0) {
        *changed |= !m->failing; /* its readers' state becomes unknown */
        m->failing = 1;
        m->penalty = m->penalty == 0 ? 2 : m->penalty * 2 > COMBINE_SKIP_MAX ? COMBINE_SKIP_MAX
                                                                              : m->penalty * 2;
        m->skip = m->penalty;
        *err = ret;
        return 0;
    }
    *changed |= ch || m->failing; /* back: everything may have changed */
    m->failing = 0;
    m->penalty = 0;
    return 1;
}

static int combined_wait(void *self, int timeout_ms, int *changed)
{
    struct combined *u = self;
    int err = SCB_E_NO_SERVICE, answered = 0;
    size_t blocker = u->n;

    *changed = 0;
    for (size_t k = 0; k < u->n; k++) {
        struct member *m = &u->m[k];
        if (m->skip) {
            m->skip--;
        } else if (blocker == u->n) {
            blocker = k; /* the first member due blocks, after a look at the others */
        } else {
            answered |= member_wait(m, 0, changed, &err);
        }
    }
    if (blocker < u->n) {
        int slice = *changed ? 0
                    : timeout_ms < 0 || timeout_ms > COMBINE_SLICE_MS ? COMBINE_SLICE_MS
                                                                      : timeout_ms;
        answered |= member_wait(&u->m[blocker], slice, changed, &err);
    }
    if (!answered) {
        for (size_t k = 0; k < u->n; k++) {
            u->m[k].skip = 0; /* all failing: the caller backs off, then every one is tried */
        }
        return err;
    }
    return SCB_OK;
}

static void combined_wake(void *self)
{
    struct combined *u = self;
    for (size_t k = 0; k < u->n; k++) {
        struct scb_events *ev = u->m[k].ev;
        atomic_store(&ev->woken, 1); /* a member not waiting now returns at once next time */
        ev->ops->wake(ev->self);
    }
}

/* A member's reader as the combination reports it: a failing member's state is unknown. */
static void member_reader(const struct member *m, struct scb_events_reader *out)
{
    if (scb_events_reader(m->ev, out) < 0 || m->failing) {
        out->reachable = 0;
        out->present = 0;
    }
}

/*
 * The reader to use now: the first card in member order. No card anywhere: the member that
 * held the last card says whether it was removed or cannot be seen; before any card, a member
 * that cannot be seen may hold one, so the state is unknown (R4) unless every member answers.
 */
static int combined_reader(void *self, struct scb_events_reader *out)
{
    struct combined *u = self;
    struct scb_events_reader r;
    int unknown = 0;

    for (size_t k = 0; k < u->n; k++) {
        member_reader(&u->m[k], &r);
        if (r.reachable && r.present) {
            *out = r;
            u->last = (int)k;
            return SCB_OK;
        }
        unknown |= !r.reachable;
    }
    member_reader(&u->m[u->last >= 0 ? (size_t)u->last : 0], out);
    if (u->last < 0 && unknown) {
        out->reachable = 0;
    }
    return SCB_OK;
}

static int combined_open(void *self, const char *reader, struct scb_transport **out, char *err,
                         size_t errlen)
{
    struct combined *u = self;
    struct scb_events_reader r;
    for (size_t k = 0; k < u->n; k++) {
        member_reader(&u->m[k], &r);
        if (r.present && strcmp(r.name, reader) == 0) {
            return scb_events_open(u->m[k].ev, reader, out, err, errlen);
        }
    }
    if (err && errlen) {
        snprintf(err, errlen, "no card in \"%s\" any more", reader);
    }
    return SCB_E_NO_CARD;
}

static int combined_imei(void *self, char *buf, size_t cap)
{
    struct combined *u = self;
    int ret = SCB_E_UNSUPPORTED;
    for (size_t k = 0; k < u->n; k++) {
        int r = scb_events_imei(u->m[k].ev, buf, cap);
        if (r == SCB_OK) {
            return SCB_OK;
        }
        ret = r == SCB_E_UNSUPPORTED ? ret : r; /* a modem's own failure says more */
    }
    return ret;
}

static void combined_destroy(void *self)
{
    struct combined *u = self;
    if (u) {
        for (size_t k = 0; k < u->n; k++) {
            scb_events_free(&u->m[k].ev);
        }
        free(u->m);
        free(u);
    }
}

static const struct scb_events_ops combined_ops = {
    .name = "readers", .wait = combined_wait, .wake = combined_wake,
    .reader = combined_reader, .open = combined_open, .destroy = combined_destroy,
    .imei = combined_imei};

int scb_events_combine_new(struct scb_events **sources, size_t n, struct scb_events **out)
{
    struct combined *u = NULL;
    int ret = SCB_E_INVALID_ARG;

    if (out) {
        *out = NULL;
    }
    if (sources == NULL) {
        return SCB_E_INVALID_ARG;
    }
    for (size_t k = 0; k < n; k++) {
        if (sources[k] == NULL) {
            goto fail;
        }
    }
    if (out == NULL || n == 0) {
        goto fail;
    }
    ret = SCB_E_NOMEM;
    if ((u = calloc(1, sizeof(*u))) == NULL || (u->m = calloc(n, sizeof(*u->m))) == NULL) {
        goto fail;
    }
    for (size_t k = 0; k < n; k++) {
        u->m[k].ev = sources[k];
        sources[k] = NULL;
    }
    u->n = n;
    u->last = -1;
    return scb_events_new(&combined_ops, u, out);
fail:
    if (u) {
        free(u->m);
        free(u);
    }
    for (size_t k = 0; k < n; k++) {
        scb_events_free(&sources[k]); /* taken over, also on failure */
    }
    return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events.c: the reader event source seam. The wrapper owns the one piece every source needs
 * and none should get wrong: a wake that arrives while the waiting thread is between two
 * blocking calls must not be lost, so it is remembered and repeated until a wait returns.
 */
#include <stdatomic.h>
#include <stdlib.h>
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

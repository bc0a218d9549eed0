/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_events.c: several event sources watched as one (scb_events_combine_new): which reader
 * is used, when the card's state is unknown (R4), how waits, wakes and failures of one
 * source reach the caller, and where opens and the IMEI go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/error.h"
#include "scboot/events.h"

/* A scripted source: its readers' state, what its next waits answer, what it was asked. */
struct fake {
    char name[32];
    int reachable, present;
    uint32_t events;
    int wait_ret;  /* what every wait answers */
    int changed;   /* the next wait reports a change (once) */
    int waits, last_timeout, wakes, opens, destroyed;
    const char *imei; /* NULL: no IMEI op answer (SCB_E_UNSUPPORTED) */
};

static int f_wait(void *self, int timeout_ms, int *changed)
{
    struct fake *f = self;
    f->waits++;
    f->last_timeout = timeout_ms;
    *changed = f->changed;
    f->changed = 0;
    return f->wait_ret;
}

static void f_wake(void *self)
{
    ((struct fake *)self)->wakes++;
}

static int f_reader(void *self, struct scb_events_reader *out)
{
    struct fake *f = self;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", f->name);
    out->reachable = f->reachable;
    out->present = f->present;
    out->events = f->events;
    return SCB_OK;
}

static int f_open(void *self, const char *reader, struct scb_transport **out, char *err,
                  size_t errlen)
{
    struct fake *f = self;
    (void)err;
    (void)errlen;
    assert_string_equal(reader, f->name);
    f->opens++;
    *out = NULL;
    return SCB_OK;
}

static void f_destroy(void *self)
{
    ((struct fake *)self)->destroyed++;
}

static int f_imei(void *self, char *buf, size_t cap)
{
    struct fake *f = self;
    if (f->imei == NULL) {
        return SCB_E_UNSUPPORTED;
    }
    snprintf(buf, cap, "%s", f->imei);
    return SCB_OK;
}

static const struct scb_events_ops fake_ops = {"fake", f_wait, f_wake, f_reader, f_open,
                                               f_destroy, f_imei};

/* pcsc (all readers) and a modem, combined in that order */
static struct scb_events *combine(struct fake *pcsc, struct fake *modem)
{
    struct scb_events *src[2] = {NULL, NULL}, *ev = NULL;
    memset(pcsc, 0, sizeof(*pcsc));
    memset(modem, 0, sizeof(*modem));
    snprintf(pcsc->name, sizeof(pcsc->name), "Virtual PCD 00 00");
    snprintf(modem->name, sizeof(modem->name), "at:/dev/ttyUSB2");
    pcsc->reachable = modem->reachable = 1;
    assert_int_equal(scb_events_new(&fake_ops, pcsc, &src[0]), 0);
    assert_int_equal(scb_events_new(&fake_ops, modem, &src[1]), 0);
    assert_int_equal(scb_events_combine_new(src, 2, &ev), 0);
    assert_null(src[0]);
    assert_null(src[1]);
    assert_string_equal(scb_events_name(ev), "readers");
    return ev;
}

/* The first card in source order; the modem's SIM when the PC/SC readers hold none. */
static void reader_choice(void **state)
{
    (void)state;
    struct fake p, m;
    struct scb_events *ev = combine(&p, &m);
    struct scb_events_reader r;

    m.present = 1;
    m.events = 7;
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_string_equal(r.name, "at:/dev/ttyUSB2");
    assert_true(r.reachable && r.present);
    assert_int_equal(r.events, 7);
    struct scb_transport *t = (struct scb_transport *)1;
    char err[128];
    assert_int_equal(scb_events_open(ev, r.name, &t, err, sizeof(err)), 0);
    assert_int_equal(m.opens, 1);
    assert_int_equal(p.opens, 0);

    p.present = 1; /* a card in a PC/SC reader too: that one, the first source */
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_string_equal(r.name, "Virtual PCD 00 00");
    assert_int_equal(scb_events_open(ev, r.name, &t, err, sizeof(err)), 0);
    assert_int_equal(p.opens, 1);

    p.present = 0; /* removed since the event: nothing to open */
    assert_int_equal(scb_events_open(ev, "Virtual PCD 00 00", &t, err, sizeof(err)),
                     SCB_E_NO_CARD);
    assert_non_null(strstr(err, "Virtual PCD 00 00"));
    scb_events_free(&ev);
    assert_null(ev);
    assert_int_equal(p.destroyed, 1);
    assert_int_equal(m.destroyed, 1);
}

/* R4: no card anywhere is "removed" only when the source that held the card says so. */
static void unknown_state(void **state)
{
    (void)state;
    struct fake p, m;
    struct scb_events *ev = combine(&p, &m);
    struct scb_events_reader r;

    /* before any card: a modem that does not answer may hold one */
    m.reachable = 0;
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_false(r.reachable);
    m.reachable = 1;
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_true(r.reachable);
    assert_false(r.present);

    /* the SIM was in the modem; the modem stops answering: unknown, whatever pcscd says */
    m.present = 1;
    assert_int_equal(scb_events_reader(ev, &r), 0);
    m.present = 0;
    m.reachable = 0;
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_string_equal(r.name, "at:/dev/ttyUSB2");
    assert_false(r.reachable);
    /* the modem answers: the SIM was removed */
    m.reachable = 1;
    m.events = 9;
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_true(r.reachable);
    assert_false(r.present);
    assert_int_equal(r.events, 9);
    /* pcscd gone (its wait fails): the modem's removal still stands */
    p.wait_ret = SCB_E_NO_SERVICE;
    int changed = 0;
    assert_int_equal(scb_events_wait(ev, 1000, &changed), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(scb_events_reader(ev, &r), 0);
    assert_string_equal(r.name, "at:/dev/ttyUSB2");
    assert_true(r.reachable);
    scb_events_free(&ev);
}

/* One wait: a look at the modem that does not block, then one slice blocked in pcscd; a
 * change in either reaches the caller; a wake reaches both. */
static void waits_and_wakes(void **state)
{
    (void)state;
    struct fake p, m;
    struct scb_events *ev = combine(&p, &m);
    int changed = 1;

    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(m.last_timeout, 0);
    assert_true(p.last_timeout > 0 && p.last_timeout <= 250);
    assert_int_equal(scb_events_wait(ev, 40, &changed), 0);
    assert_int_equal(p.last_timeout, 40);

    m.changed = 1;
    int before = p.waits;
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(p.waits, before + 1);
    assert_int_equal(p.last_timeout, 0); /* a change is there: no blocking */

    p.changed = 1;
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    assert_int_equal(changed, 1);

    scb_events_wake(ev); /* no wait under way: remembered by the combination */
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    before = p.waits;
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    assert_int_equal(p.waits, before + 1);
    scb_events_free(&ev);
}

/* A failing source sits out a growing number of waits while the other goes on; the wait
 * fails only when every source fails; a source that answers again is a change. */
static void failing_source(void **state)
{
    (void)state;
    struct fake p, m;
    struct scb_events *ev = combine(&p, &m);
    int changed;

    p.wait_ret = SCB_E_NO_SERVICE;
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    assert_int_equal(changed, 1); /* pcscd's readers became unknown */
    int pw = p.waits;
    for (int k = 0; k < 2; k++) { /* sat out: the modem blocks instead */
        assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
        assert_int_equal(changed, 0);
        assert_true(m.last_timeout > 0);
    }
    assert_int_equal(p.waits, pw);
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0); /* tried again, fails again */
    assert_int_equal(p.waits, pw + 1);
    assert_int_equal(changed, 0);
    for (int k = 0; k < 4; k++) { /* now four */
        assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    }
    assert_int_equal(p.waits, pw + 1);

    m.wait_ret = SCB_E_IO; /* both failing: the caller hears it and backs off */
    int ret = scb_events_wait(ev, -1, &changed);
    assert_true(ret == SCB_E_IO || ret == SCB_E_NO_SERVICE);
    p.wait_ret = 0;
    m.wait_ret = 0;
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    assert_int_equal(changed, 1); /* both back */
    assert_int_equal(scb_events_wait(ev, -1, &changed), 0);
    assert_int_equal(changed, 0);
    scb_events_free(&ev);
}

static void imei_and_arguments(void **state)
{
    (void)state;
    struct fake p, m;
    struct scb_events *ev = combine(&p, &m);
    char imei[20];
    assert_int_equal(scb_events_imei(ev, imei, sizeof(imei)), SCB_E_UNSUPPORTED);
    m.imei = "490154203237518";
    assert_int_equal(scb_events_imei(ev, imei, sizeof(imei)), 0);
    assert_string_equal(imei, "490154203237518");
    scb_events_free(&ev);

    /* sources are taken over also when the call fails */
    struct fake a;
    memset(&a, 0, sizeof(a));
    struct scb_events *src[2] = {NULL, NULL}, *out = (struct scb_events *)1;
    assert_int_equal(scb_events_new(&fake_ops, &a, &src[0]), 0);
    assert_int_equal(scb_events_combine_new(src, 2, &out), SCB_E_INVALID_ARG);
    assert_null(out);
    assert_null(src[0]);
    assert_int_equal(a.destroyed, 1);
    assert_int_equal(scb_events_combine_new(src, 0, &out), SCB_E_INVALID_ARG);
    assert_int_equal(scb_events_combine_new(NULL, 1, &out), SCB_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_choice),
        cmocka_unit_test(unknown_state),
        cmocka_unit_test(waits_and_wakes),
        cmocka_unit_test(failing_source),
        cmocka_unit_test(imei_and_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

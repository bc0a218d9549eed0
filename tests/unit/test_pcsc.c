/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pcsc.c: the pcsc-lite backend against a scripted libpcsclite (-Wl,--wrap): a
 * reader whose card state pcscd does not know yet (just added after a pcscd start, before its
 * first poll) or any more (UNKNOWN, UNAVAILABLE) is never reported as an empty reader, so the
 * daemon answers "state unknown, keep" (R4) instead of deleting the card's instances.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include "scboot/error.h"
#include "scboot/pcsc.h"
#include "scboot/transport.h"

/* the scripted pcscd: reader names and the state each one reports */
static struct {
    const char *names[3];
    DWORD state[3];
    size_t n;
} fake;

static void fake_set(size_t n, const char *n0, DWORD s0, const char *n1, DWORD s1)
{
    memset(&fake, 0, sizeof(fake));
    fake.n = n;
    fake.names[0] = n0;
    fake.state[0] = s0;
    fake.names[1] = n1;
    fake.state[1] = s1;
}

LONG __wrap_SCardEstablishContext(DWORD scope, LPCVOID r1, LPCVOID r2, LPSCARDCONTEXT ctx);
LONG __wrap_SCardReleaseContext(SCARDCONTEXT ctx);
LONG __wrap_SCardListReaders(SCARDCONTEXT ctx, LPCSTR groups, LPSTR readers, LPDWORD len);
LONG __wrap_SCardGetStatusChange(SCARDCONTEXT ctx, DWORD timeout, SCARD_READERSTATE *rs,
                                 DWORD n);
LONG __wrap_SCardConnect(SCARDCONTEXT ctx, LPCSTR reader, DWORD share, DWORD protos,
                         LPSCARDHANDLE h, LPDWORD proto);
LONG __wrap_SCardDisconnect(SCARDHANDLE h, DWORD disposition);

LONG __wrap_SCardEstablishContext(DWORD scope, LPCVOID r1, LPCVOID r2, LPSCARDCONTEXT ctx)
{
    (void)scope, (void)r1, (void)r2;
    *ctx = 1;
    return SCARD_S_SUCCESS;
}

LONG __wrap_SCardReleaseContext(SCARDCONTEXT ctx)
{
    (void)ctx;
    return SCARD_S_SUCCESS;
}

LONG __wrap_SCardListReaders(SCARDCONTEXT ctx, LPCSTR groups, LPSTR readers, LPDWORD len)
{
    DWORD need = 1;
    (void)ctx, (void)groups;
    if (fake.n == 0) {
        return SCARD_E_NO_READERS_AVAILABLE;
    }
    for (size_t k = 0; k < fake.n; k++) {
        need += (DWORD)strlen(fake.names[k]) + 1;
    }
    if (readers == NULL) {
        *len = need;
        return SCARD_S_SUCCESS;
    }
    if (*len < need) {
        return SCARD_E_INSUFFICIENT_BUFFER;
    }
    char *p = readers;
    for (size_t k = 0; k < fake.n; k++) {
        strcpy(p, fake.names[k]);
        p += strlen(p) + 1;
    }
    *p = '\0';
    *len = need;
    return SCARD_S_SUCCESS;
}

LONG __wrap_SCardGetStatusChange(SCARDCONTEXT ctx, DWORD timeout, SCARD_READERSTATE *rs, DWORD n)
{
    (void)ctx, (void)timeout;
    for (DWORD i = 0; i < n; i++) {
        rs[i].dwEventState = 0;
        rs[i].cbAtr = 0;
        for (size_t k = 0; k < fake.n; k++) {
            if (strcmp(rs[i].szReader, fake.names[k]) == 0) {
                rs[i].dwEventState = fake.state[k];
                if (fake.state[k] & SCARD_STATE_PRESENT) {
                    rs[i].cbAtr = 2;
                    rs[i].rgbAtr[0] = 0x3B;
                    rs[i].rgbAtr[1] = 0x00;
                }
            }
        }
    }
    return SCARD_S_SUCCESS;
}

LONG __wrap_SCardConnect(SCARDCONTEXT ctx, LPCSTR reader, DWORD share, DWORD protos,
                         LPSCARDHANDLE h, LPDWORD proto)
{
    (void)ctx, (void)reader, (void)share, (void)protos;
    *h = 7;
    *proto = SCARD_PROTOCOL_T0;
    return SCARD_S_SUCCESS;
}

LONG __wrap_SCardDisconnect(SCARDHANDLE h, DWORD disposition)
{
    (void)h, (void)disposition;
    return SCARD_S_SUCCESS;
}

static const char R0[] = "Virtual PCD 00 00", R1[] = "Virtual PCD 00 01";

/* one monitor pass (first look after a (re)connect to pcscd), the readers it reports */
static size_t monitor_once(const char *spec, struct scb_reader_info *out, size_t cap)
{
    struct scb_pcsc_monitor *m = NULL;
    int changed = 0;
    assert_int_equal(scb_pcsc_monitor_new(spec, &m), SCB_OK);
    assert_int_equal(scb_pcsc_monitor_wait(m, 0, &changed), SCB_OK);
    assert_int_equal(changed, 1);
    size_t n = scb_pcsc_monitor_readers(m, out, cap);
    scb_pcsc_monitor_free(&m);
    assert_null(m);
    return n;
}

/* pcscd just started: the reader is listed, its first poll has not run (no state bit) */
static void test_monitor_reader_not_polled_yet_is_no_reader(void **state)
{
    struct scb_reader_info r[4];
    (void)state;
    fake_set(1, R0, 0, NULL, 0);
    assert_int_equal(monitor_once(R0, r, 4), 0);
}

static void test_monitor_unavailable_or_unknown_is_no_reader(void **state)
{
    struct scb_reader_info r[4];
    (void)state;
    fake_set(1, R0, SCARD_STATE_UNAVAILABLE, NULL, 0);
    assert_int_equal(monitor_once(R0, r, 4), 0);
    fake_set(1, R0, SCARD_STATE_UNKNOWN | SCARD_STATE_EMPTY, NULL, 0);
    assert_int_equal(monitor_once(R0, r, 4), 0);
}

/* an empty reader is still reported as empty (removal is seen), a card as present */
static void test_monitor_empty_and_present(void **state)
{
    struct scb_reader_info r[4];
    (void)state;
    fake_set(1, R0, SCARD_STATE_EMPTY, NULL, 0);
    assert_int_equal(monitor_once(R0, r, 4), 1);
    assert_string_equal(r[0].name, R0);
    assert_int_equal(r[0].present, 0);
    fake_set(1, R0, SCARD_STATE_PRESENT | SCARD_STATE_INUSE, NULL, 0);
    assert_int_equal(monitor_once(R0, r, 4), 1);
    assert_int_equal(r[0].present, 1);
    assert_int_equal(r[0].atr_len, 2);
}

/* --all: one reader not polled yet and one empty: the card may be in the first: unknown;
 * a card seen in another reader is still used */
static void test_monitor_all_mixed(void **state)
{
    struct scb_reader_info r[4];
    (void)state;
    fake_set(2, R0, 0, R1, SCARD_STATE_EMPTY);
    assert_int_equal(monitor_once(NULL, r, 4), 0);
    fake_set(2, R0, 0, R1, SCARD_STATE_PRESENT);
    assert_int_equal(monitor_once(NULL, r, 4), 1);
    assert_string_equal(r[0].name, R1);
    assert_int_equal(r[0].present, 1);
    fake_set(2, R0, SCARD_STATE_EMPTY, R1, SCARD_STATE_EMPTY);
    assert_int_equal(monitor_once(NULL, r, 4), 2);
}

/* the transport's status: unknown state is an error (unreachable), not "no card" */
static void test_status_unknown_state_is_unreachable(void **state)
{
    struct scb_transport *tr = NULL;
    struct scb_card_status st;
    char err[SCB_ERR_MAX];
    (void)state;
    fake_set(1, R0, SCARD_STATE_PRESENT, NULL, 0);
    assert_int_equal(scb_pcsc_open(R0, &tr, err, sizeof(err)), SCB_OK);
    memset(&st, 0, sizeof(st));
    assert_int_equal(scb_transport_status(tr, &st), SCB_OK);
    assert_int_equal(st.present, 1);
    fake.state[0] = SCARD_STATE_EMPTY;
    assert_int_equal(scb_transport_status(tr, &st), SCB_OK);
    assert_int_equal(st.present, 0);
    fake.state[0] = 0;
    assert_int_equal(scb_transport_status(tr, &st), SCB_E_READER_UNAVAILABLE);
    fake.state[0] = SCARD_STATE_UNAVAILABLE;
    assert_int_equal(scb_transport_status(tr, &st), SCB_E_READER_UNAVAILABLE);
    scb_transport_free(&tr);
    assert_null(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monitor_reader_not_polled_yet_is_no_reader),
        cmocka_unit_test(test_monitor_unavailable_or_unknown_is_no_reader),
        cmocka_unit_test(test_monitor_empty_and_present),
        cmocka_unit_test(test_monitor_all_mixed),
        cmocka_unit_test(test_status_unknown_state_is_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_opts_init.c: every public options struct has an _init that gives the defaults its
 * header documents, so a caller that starts from _init keeps working when fields are added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/at.h"
#include "scboot/bootstrap.h"
#include "scboot/card_source.h"
#include "scboot/daemon.h"
#include "scboot/emu_modem.h"
#include "scboot/scp03.h"
#include "scboot/session.h"

/* Fill with a pattern first: _init must set every field, not rely on a zeroed struct. */
#define DIRTY(o) memset(&(o), 0xA5, sizeof(o))

/* The room kept for later options is zero after _init: a later library reads it as "unset". */
#define ASSERT_RESERVED_ZERO(o)                                                                    \
    do {                                                                                           \
        for (size_t r_ = 0; r_ < sizeof((o).reserved) / sizeof((o).reserved[0]); r_++) {          \
            assert_null((o).reserved[r_]);                                                         \
        }                                                                                          \
    } while (0)

static void card_source_opts(void **state)
{
    (void)state;
    struct scb_card_source_opts o;
    DIRTY(o);
    scb_card_source_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    assert_null(o.pin);
    assert_null(o.aid);
    assert_int_equal(o.aid_len, 0);
    assert_int_equal(o.file_id, 0);
    assert_int_equal(o.basic_channel, 0);
    assert_null(o.known_path);
    assert_null(o.secure_open);
    assert_null(o.secure_close);
    assert_null(o.secure_ctx);
    scb_card_source_opts_init(NULL);
}

static void emu_modem_opts(void **state)
{
    (void)state;
    struct scb_emu_modem_opts o;
    DIRTY(o);
    scb_emu_modem_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    assert_int_equal(o.echo, 0);
    assert_int_equal(o.urcs, 0);
    assert_int_equal(o.chunk, 0);
    assert_int_equal(o.chunk_delay_ms, 0);
    assert_int_equal(o.latency_ms, 0);
    assert_int_equal(o.baud, 0);
    assert_int_equal(o.cme_verbose, 0);
    assert_int_equal(o.fetch_61xx, 0);
    assert_int_equal(o.ccho_prefix, 0);
    assert_int_equal(o.session_base, 0);
    assert_int_equal(o.no_ccho, 0);
    assert_int_equal(o.no_csim_manage, 0);
    assert_int_equal(o.no_csim, 0);
    assert_int_equal(o.slow_ms, 0);
    assert_int_equal(o.slow_every, 0);
    assert_int_equal(o.cpin_urcs, 0);
    assert_int_equal(o.hostile, SCB_EMU_MODEM_HONEST);
    assert_null(o.imei);
    scb_emu_modem_opts_init(NULL);
    /* messy starts from the defaults too */
    DIRTY(o);
    scb_emu_modem_opts_messy(&o);
    assert_int_equal(o.hostile, SCB_EMU_MODEM_HONEST);
    assert_null(o.imei);
    assert_int_equal(o.echo, 1);
}

static void scp03_opts(void **state)
{
    (void)state;
    struct scb_scp03_opts o;
    DIRTY(o);
    scb_scp03_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    assert_int_equal(o.level, SCB_SCP03_LEVEL_DEFAULT);
    assert_int_equal(o.level, 0x33);
    assert_null(o.rng);
    assert_null(o.rng_ctx);
    scb_scp03_opts_init(NULL);
}

static void session_opts(void **state)
{
    (void)state;
    struct scb_session_opts o;
    DIRTY(o);
    scb_session_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    assert_null(o.profile);
    assert_int_equal(o.lifetime_ms, SCB_EXCHANGE_LIFETIME_MS);
    assert_null(o.clock);
    assert_null(o.clock_ctx);
    scb_session_opts_init(NULL);
    /* the defaults make a working session */
    struct scb_session *s = NULL;
    scb_session_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    assert_int_equal(scb_session_new(&o, NULL, &s), SCB_OK);
    scb_session_free(&s);
}

static void at_opts(void **state)
{
    (void)state;
    struct scb_at_opts o;
    DIRTY(o);
    scb_at_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    assert_string_equal(o.device, "");
    assert_int_equal(o.baud, 115200);
    assert_int_equal(o.timeout_ms, 5000);
    assert_int_equal(o.lock, 1);
    assert_int_equal(o.poll_ms, 2000);
    assert_int_equal(o.rtscts, 0);
    assert_int_equal(o.crsm, 0);
    assert_int_equal(o.no_ccho, 0);
    assert_null(o.log);
}

static void bootstrap_opts(void **state)
{
    (void)state;
    struct scb_bootstrap_opts o;
    struct scb_profile def;
    DIRTY(o);
    scb_bootstrap_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    scb_profile_default(&def);
    assert_null(o.store);
    assert_null(o.card);
    assert_null(o.factory_path);
    assert_int_equal(o.verify, SCB_VERIFY_ON_EVENT);
    assert_int_equal(o.verify_every_ms, 0);
    assert_null(o.ro.pin);
    assert_null(o.ro.aid);
    assert_int_equal(o.ro.file_id, 0);
    assert_memory_equal(&o.profile, &def, sizeof(def));
}

static void daemon_opts(void **state)
{
    (void)state;
    struct scb_daemon_opts o;
    struct scb_daemon_opts zero;
    DIRTY(o);
    scb_daemon_opts_init(&o);
    ASSERT_RESERVED_ZERO(o);
    memset(&zero, 0, sizeof(zero));
    scb_daemon_opts_init(&zero);
    assert_memory_equal(&o, &zero, sizeof(o));
    scb_daemon_opts_init(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(card_source_opts), cmocka_unit_test(emu_modem_opts),
        cmocka_unit_test(scp03_opts),       cmocka_unit_test(session_opts),
        cmocka_unit_test(at_opts),          cmocka_unit_test(bootstrap_opts),
        cmocka_unit_test(daemon_opts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

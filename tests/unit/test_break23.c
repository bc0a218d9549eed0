/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_break23.c: cases found by an outside review of the library-1.0 change (break23).
 *
 * - A network Bootstrap-Finish must not bring back a card's instances that a card removal
 *   deleted while the session was open: the session stages a copy taken at its start, and
 *   scb_session_commit() must not commit that stale copy over the newer state (R4: a removed
 *   card's instances go; relabelled "network" they would survive every later card check).
 *
 * It fails today: the suite registers this test with should_fail until it is fixed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scboot/bootstrap.h"
#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/error.h"
#include "scboot/session.h"
#include "scboot/store.h"

/* TLV bodies of PUT /0 (Security /0/7, NoSec, SSID 7) and PUT /1 (Server /1/7, SSID 7) */
static const uint8_t sec7[] = {0x08, 0x07, 0x23, 0xc8, 0x00, 0x17, 'c', 'o', 'a', 'p', ':', '/',
                               '/', 'n', 'e', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', ':',
                               '5', '6', '8', '3', 0xc1, 0x01, 0x00, 0xc1, 0x02, 0x03, 0xc1,
                               0x0a, 0x07};
static const uint8_t srv7[] = {0x08, 0x07, 0x0d, 0xc1, 0x00, 0x07, 0xc2, 0x01, 0x01, 0x2c,
                               0xc1, 0x06, 0x00, 0xc1, 0x07, 'U'};

static int has_instance(struct scb_store *st, uint16_t oid, uint16_t iid)
{
    struct scb_committed c;
    char err[256];
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    int found = 0;
    for (size_t o = 0; o < c.cfg.n; o++) {
        for (size_t k = 0; k < c.cfg.o[o].n; k++) {
            found |= c.cfg.o[o].id == oid && c.cfg.o[o].i[k].id == iid;
        }
    }
    scb_committed_free(&c);
    return found;
}

static void test_finish_does_not_resurrect_removed_card(void **state)
{
    (void)state;
    char err[256];
    struct scb_store *st = NULL;
    struct scb_emu *e = NULL;
    struct scb_card *card = NULL;
    struct scb_bootstrap *b = NULL;
    struct scb_session *s = NULL;
    struct scb_bootstrap_opts bo;
    struct scb_run_result rr;
    struct scb_committed c;
    enum scb_bootstrap_outcome out;

    assert_int_equal(scb_store_new_memory(&st, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_emu_load_json("{\"iccid\":\"89441000300123456789\",\"lwm2m\":"
                                       "{\"file\":\"anjay_ef126.bin\",\"pkcs15_first\":false}}",
                                       "data", &e, err, sizeof(err)),
                     SCB_OK);
    assert_int_equal(scb_card_new(scb_emu_transport(e), &card), SCB_OK);
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = card;
    bo.reader_name = "virtual";
    assert_int_equal(scb_bootstrap_new(&bo, &b), SCB_OK);
    assert_int_equal(scb_bootstrap_run(b, &rr, err, sizeof(err)), SCB_OK);
    assert_int_equal(rr.card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_true(has_instance(st, 0, 1)); /* the card's server account */

    /* a Bootstrap-Server session starts on the committed state (session.h, step 1) */
    scb_committed_init(&c);
    assert_int_equal(scb_store_load(st, &c, err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_session_new(NULL, &c.cfg, &s), SCB_OK);
    scb_committed_free(&c);
    assert_int_equal(scb_session_write(s, "/0", 11542, sec7, sizeof(sec7)),
                     SCB_COAP_CODE_2_04_CHANGED);
    assert_int_equal(scb_session_write(s, "/1", 11542, srv7, sizeof(srv7)),
                     SCB_COAP_CODE_2_04_CHANGED);

    /* meanwhile the card is removed: its instances are deleted (R4) */
    scb_emu_remove(e);
    assert_int_equal(scb_bootstrap_check_card(b, &out, err, sizeof(err)), SCB_OK);
    assert_int_equal(out, SCB_BOOTSTRAP_CARD_REMOVED);
    assert_false(has_instance(st, 0, 1));

    /* Finish: whatever it answers, the removed card's account must stay gone */
    (void)scb_session_commit(s, st, err, sizeof(err));
    assert_false(has_instance(st, 0, 1));
    assert_false(has_instance(st, 1, 1));

    scb_session_free(&s);
    scb_bootstrap_free(&b);
    scb_card_free(&card);
    scb_emu_free(&e);
    scb_store_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finish_does_not_resurrect_removed_card),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

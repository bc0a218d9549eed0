/* SPDX-License-Identifier: Apache-2.0 */
/* card_fixture.h: an emulated card and the bootstrap sequence on it, committing into a store
 * the test owns (included after <cmocka.h>). */
#ifndef SCB_CARD_FIXTURE_H
#define SCB_CARD_FIXTURE_H

#include <string.h>

#include "scboot/bootstrap.h"
#include "scboot/card.h"
#include "scboot/emu.h"

struct card_rig {
    struct scb_emu *e;
    struct scb_transport *t;
    struct scb_card *card;
    struct scb_bootstrap *b;
};

/* The card of profile (a path) and a sequence committing into st, with factory (may be NULL). */
static inline void card_rig_start(struct card_rig *r, const char *profile, struct scb_store *st,
                                  const char *factory)
{
    struct scb_bootstrap_opts bo;
    char err[256];
    memset(r, 0, sizeof(*r));
    if (scb_emu_load(profile, &r->e, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
    r->t = scb_emu_transport(r->e);
    assert_int_equal(scb_card_new(r->t, &r->card), 0);
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = r->card;
    bo.reader_name = "test";
    bo.factory_path = factory;
    assert_int_equal(scb_bootstrap_new(&bo, &r->b), 0);
}

/* Everything but the store, in the order of who borrows what. */
static inline void card_rig_stop(struct card_rig *r)
{
    scb_bootstrap_free(&r->b);
    scb_card_free(&r->card);
    scb_transport_free(&r->t);
    scb_emu_free(&r->e);
}

#endif

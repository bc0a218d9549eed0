/* SPDX-License-Identifier: Apache-2.0 */
/* store_fixture.h: the configurations the store tests commit (included after <cmocka.h>). */
#ifndef SCB_STORE_FIXTURE_H
#define SCB_STORE_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "scboot/json.h"
#include "scboot/store.h"

/* Configuration number n: a server account whose lifetime is n. */
static inline void make(struct scb_committed *c, int n)
{
    char json[512], err[128];
    scb_committed_init(c);
    snprintf(json, sizeof(json),
             "{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{\"0\":\"coap://s\","
             "\"1\":false,\"2\":3,\"10\":1,\"5\":{\"hex\":\"A1B2C3\"}}}}},\"1\":{\"instances\":"
             "{\"0\":{\"resources\":{\"0\":1,\"1\":%d,\"6\":false,\"7\":\"U\"}}}}}}",
             n);
    assert_int_equal(scb_config_from_json_text(json, &c->cfg, err, sizeof(err)), 0);
    scb_committed_set_prov(c, 0, 1, SCB_SRC_CARD);
    scb_committed_set_prov(c, 1, 0, SCB_SRC_FACTORY);
    c->card.valid = 1;
    snprintf(c->card.iccid, sizeof(c->card.iccid), "8988211000000430010");
    memset(c->card.sha256, n & 0xFF, 32);
    c->card.path.len = 2;
    c->card.path.path[0] = 0x64;
    c->card.path.path[1] = 0x32;
}

#endif

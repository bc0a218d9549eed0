/* SPDX-License-Identifier: Apache-2.0 */
/* mock_script.c: the expectation-table transport; see mock_script.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock_script.h"
#include "scboot/util.h"

struct mock {
    const struct mock_apdu *steps;
    size_t n, pos;
};

static int m_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                      size_t *rlen)
{
    struct mock *m = self;
    char hex[2 * SCB_APDU_CMD_MAX + 1];

    if (m->pos >= m->n) {
        scb_util_hex_encode(cmd, clen, hex, sizeof(hex));
        fail_msg("unexpected APDU %s after the script ended", hex);
    }
    const struct mock_apdu *s = &m->steps[m->pos++];
    if (s->cmd) {
        scb_util_hex_encode(cmd, clen, hex, sizeof(hex));
        uint8_t want[SCB_APDU_CMD_MAX];
        size_t wl;
        assert_int_equal(scb_util_hex_decode(s->cmd, want, sizeof(want), &wl), 0);
        char whex[2 * SCB_APDU_CMD_MAX + 1];
        scb_util_hex_encode(want, wl, whex, sizeof(whex));
        assert_string_equal(hex, whex);
    }
    if (s->err) {
        return s->err;
    }
    assert_int_equal(scb_util_hex_decode(s->rsp, rsp, rcap, rlen), 0);
    return SCB_OK;
}

static int m_status(void *self, struct scb_card_status *st)
{
    (void)self;
    st->present = 1;
    return SCB_OK;
}

static void m_destroy(void *self)
{
    free(self);
}

static const struct scb_transport_ops mock_ops = {
    .name = "mock", .transmit = m_transmit, .status = m_status, .destroy = m_destroy};

struct scb_transport *mock_script_begin(const struct mock_apdu *steps, size_t n)
{
    struct mock *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    m->steps = steps;
    m->n = n;
    struct scb_transport *t = scb_transport_new(&mock_ops, m);
    assert_non_null(t);
    return t;
}

void mock_script_end(struct scb_transport **t)
{
    struct mock *m = (*t)->self;
    assert_int_equal(m->pos, m->n);
    scb_transport_free(t);
}

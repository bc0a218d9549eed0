/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_scp03_unwrap.c: SCP03 response unwrapping (R-MAC, R-ENC, padding, 61xx chains) on
 * hostile card responses: a session is opened with doc/protocol.md's SCP03 vector, then the
 * fuzz input is split into responses to wrapped commands.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scboot/card.h"
#include "scboot/scp03.h"
#include "scboot/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
    int step;
    const uint8_t *data;
    size_t size, pos;
};

static int feed_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                         size_t *rlen)
{
    struct feed *f = self;
    size_t n;
    (void)cmd;
    (void)clen;
    if (f->step == 0) {
        f->step++;
        return scb_util_hex_decode(
            "000000000000000000003003703B1ACA81E821F219081CDC01C26B372D000003"
            "9000",
            rsp, rcap, rlen);
    }
    if (f->step == 1) {
        f->step++;
        return scb_util_hex_decode("9000", rsp, rcap, rlen);
    }
    /* each response: one length byte, then that many bytes (at most what a reader returns) */
    if (f->pos >= f->size) {
        return SCB_E_CARD_REMOVED;
    }
    n = f->data[f->pos++];
    if (n > f->size - f->pos) {
        n = f->size - f->pos;
    }
    if (n > rcap) {
        n = rcap;
    }
    memcpy(rsp, f->data + f->pos, n);
    f->pos += n;
    *rlen = n;
    return 0;
}

static void nodestroy(void *self)
{
    (void)self;
}

static const struct scb_transport_ops feed_ops = {.name = "feed", .transmit = feed_transmit,
                                                  .destroy = nodestroy};

static int kat_rng(void *ctx, uint8_t *buf, size_t len)
{
    size_t n;
    (void)ctx;
    return scb_util_hex_decode("FDF38259A1E0DE44", buf, len, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct feed f = {.data = data, .size = size};
    struct scb_transport tr = {.ops = &feed_ops, .self = &f};
    struct scb_card *c = NULL;
    struct scb_scp03_keys k;
    struct scb_scp03_opts o;
    scb_scp03_opts_init(&o);
    o.rng = kat_rng;
    struct scb_transport *filter = NULL;
    size_t n;

    memset(&k, 0, sizeof(k));
    scb_util_hex_decode("000102030405060708090A0B0C0D0E0F", k.enc, 16, &n);
    scb_util_hex_decode("101112131415161718191A1B1C1D1E1F", k.mac, 16, &n);
    scb_util_hex_decode("202122232425262728292A2B2C2D2E2F", k.dek, 16, &n);
    k.len = 16;
    k.kvn = 0x30;
    if (scb_card_new(&tr, &c) != 0) {
        return 0; /* out of memory */
    }
    if (scb_scp03_open(c, 0, &k, &o, &filter) != 0) {
        __builtin_trap(); /* the fixed vector always authenticates */
    }
    static const uint8_t cmds[][12] = {
        {0x00, 0xB0, 0x00, 0x00, 0x00},
        {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x64, 0x32},
    };
    for (int i = 0; i < 8 && f.pos < f.size; i++) {
        uint8_t rsp[SCB_APDU_RSP_MAX];
        size_t rl;
        scb_transport_transmit(filter, cmds[i % 2], i % 2 ? 7 : 5, rsp, sizeof(rsp), &rl);
    }
    scb_transport_free(&filter);
    scb_card_free(&c);
    return 0;
}

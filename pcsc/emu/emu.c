/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emu.c: the UICC emulator's card behaviour. It answers the TS 102 221 commands the way real
 * UICCs do (as far as scboot relies on it): SELECT by FID / path / AID with FCP, EF DIR only
 * reachable from the MF, READ BINARY / RECORD (with SFI), MANAGE CHANNEL, VERIFY PIN, T=0
 * style 61xx / 6Cxx, and reader-side faults. The profile loader is in emu_profile.c.
 */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_internal.h"
#include "scboot/events.h"
#include "scboot/util.h"

#define SW(x) ((uint16_t)(x))

struct emu_file *emu_find_file(struct emu_df *df, uint16_t fid)
{
    for (size_t i = 0; i < df->nfiles; i++) {
        if (df->files[i].fid == fid) {
            return &df->files[i];
        }
    }
    return NULL;
}

static struct emu_df *chan_df(struct scb_emu *e, const struct emu_channel *c)
{
    return c->df < 0 ? &e->mf : &e->apps[c->df];
}

static void reset_state(struct scb_emu *e)
{
    memset(e->ch, 0, sizeof(e->ch));
    e->ch[0].open = 1;
    e->ch[0].df = -1;
    e->ch[0].ef = -1;
    e->pin_verified = 0;
    e->pending_len = 0;
    emu_scp03_reset(e);
}

void scb_emu_reset(struct scb_emu *e)
{
    if (e == NULL) {
        return;
    }
    reset_state(e);
    e->events++;
}

void scb_emu_remove(struct scb_emu *e)
{
    if (e == NULL) {
        return;
    }
    if (e->present) {
        e->present = 0;
        e->events++;
    }
}

void scb_emu_insert(struct scb_emu *e)
{
    if (e == NULL) {
        return;
    }
    if (!e->present) {
        e->present = 1;
        e->events++;
        reset_state(e);
    }
}

int scb_emu_present(const struct scb_emu *e)
{
    if (e == NULL) {
        return 0;
    }
    return e->present;
}

uint32_t scb_emu_events(const struct scb_emu *e)
{
    if (e == NULL) {
        return 0;
    }
    return e->events;
}

int scb_emu_atr(const struct scb_emu *e, uint8_t *atr, size_t cap, size_t *len)
{
    if (e == NULL || atr == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (cap < e->atr_len) {
        return SCB_E_BUFFER;
    }
    memcpy(atr, e->atr, e->atr_len);
    *len = e->atr_len;
    return SCB_OK;
}

void scb_emu_set_fault(struct scb_emu *e, enum scb_emu_fault kind, unsigned n, uint16_t sw)
{
    if (e == NULL) {
        return;
    }
    e->fault = kind;
    e->fault_n = n;
    e->fault_sw = sw;
    e->fault_count = 0;
}

int scb_emu_set_file(struct scb_emu *e, uint16_t fid, const uint8_t *data, size_t len)
{
    if (e == NULL || (data == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    struct emu_file *f = emu_find_file(&e->mf, fid);
    for (size_t i = 0; f == NULL && i < e->napps; i++) {
        f = emu_find_file(&e->apps[i], fid);
    }
    if (f == NULL || f->linear) {
        return SCB_E_NOT_FOUND;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        return SCB_E_NOMEM;
    }
    if (len) {
        memcpy(copy, data, len);
    }
    free(f->data);
    f->data = copy;
    f->size = len;
    return SCB_OK;
}

int scb_emu_set_iccid(struct scb_emu *e, const char *iccid)
{
    if (e == NULL || iccid == NULL) {
        return SCB_E_INVALID_ARG;
    }
    uint8_t bcd[10];
    size_t n = strlen(iccid);
    struct emu_file *f = emu_find_file(&e->mf, 0x2FE2);

    if (f == NULL || n == 0 || n > 20) {
        return SCB_E_INVALID_ARG;
    }
    memset(bcd, 0xFF, sizeof(bcd));
    for (size_t i = 0; i < n; i++) {
        if (iccid[i] < '0' || iccid[i] > '9') {
            return SCB_E_INVALID_ARG;
        }
        uint8_t d = (uint8_t)(iccid[i] - '0');
        bcd[i / 2] = (i % 2) ? (uint8_t)((bcd[i / 2] & 0x0F) | (d << 4))
                             : (uint8_t)(0xF0 | d);
    }
    int ret = scb_emu_set_file(e, 0x2FE2, bcd, sizeof(bcd));
    if (ret == SCB_OK) {
        e->events += 2; /* out and in again */
        reset_state(e);
    }
    return ret;
}

/* ---- FCP ------------------------------------------------------------------------------ */

static void put(struct emu_rsp *r, const uint8_t *b, size_t n)
{
    if (r->len + n <= sizeof(r->data)) {
        memcpy(r->data + r->len, b, n);
        r->len += n;
    }
}

static void put_pin_template(struct scb_emu *e, struct emu_rsp *r)
{
    const uint8_t t[] = {0xC6, 0x06, 0x90, 0x01, 0x80, 0x83, 0x01, e->pin_ref};
    put(r, t, sizeof(t));
}

static void fcp_ef(struct scb_emu *e, const struct emu_file *f, struct emu_rsp *r)
{
    size_t start;
    r->len = 0;
    put(r, (const uint8_t[]){0x62, 0x00}, 2);
    start = r->len;
    if (f->linear) {
        put(r, (const uint8_t[]){0x82, 0x05, 0x42, 0x21, (uint8_t)(f->rec_len >> 8),
                                 (uint8_t)f->rec_len, (uint8_t)f->rec_count}, 7);
    } else {
        put(r, (const uint8_t[]){0x82, 0x02, 0x41, 0x21}, 4);
    }
    put(r, (const uint8_t[]){0x83, 0x02, (uint8_t)(f->fid >> 8), (uint8_t)f->fid}, 4);
    put(r, (const uint8_t[]){0x8A, 0x01, 0x05, 0x8B, 0x03, 0x6F, 0x06, 0x01}, 8);
    if (f->read == EMU_READ_PIN && e->has_pin && e->ef_pin_template) {
        put_pin_template(e, r);
    }
    size_t size = f->fcp_size >= 0 ? (size_t)f->fcp_size : f->size;
    put(r, (const uint8_t[]){0x80, 0x02, (uint8_t)(size >> 8), (uint8_t)size}, 4);
    if (f->sfi) {
        put(r, (const uint8_t[]){0x88, 0x01, (uint8_t)(f->sfi << 3)}, 3);
    } else {
        put(r, (const uint8_t[]){0x88, 0x00}, 2);
    }
    r->data[1] = (uint8_t)(r->len - start);
}

static void fcp_df(struct scb_emu *e, const struct emu_df *df, struct emu_rsp *r)
{
    size_t start;
    r->len = 0;
    put(r, (const uint8_t[]){0x62, 0x00}, 2);
    start = r->len;
    put(r, (const uint8_t[]){0x82, 0x02, 0x78, 0x21}, 4);
    if (df->fid) {
        put(r, (const uint8_t[]){0x83, 0x02, (uint8_t)(df->fid >> 8), (uint8_t)df->fid}, 4);
    }
    if (df->aid_len) {
        put(r, (const uint8_t[]){0x84, (uint8_t)df->aid_len}, 2);
        put(r, df->aid, df->aid_len);
    }
    put(r, (const uint8_t[]){0x8A, 0x01, 0x05, 0x8B, 0x03, 0x2F, 0x06, 0x0C}, 8);
    if (e->has_pin && (df->pin_protected || df == &e->mf)) {
        put_pin_template(e, r);
    }
    r->data[1] = (uint8_t)(r->len - start);
}

void emu_announce(struct scb_emu *e, struct emu_rsp *r)
{
    memcpy(e->pending, r->data, r->len);
    e->pending_len = r->len;
    e->pending_sw = r->sw; /* ends the GET RESPONSE chain (9000, or a 62xx/63xx warning) */
    r->sw = SW(0x6100 | (r->len & 0xFF));
    r->len = 0;
}

/* Response data for a case-2/4 command: T=0 cards announce it with 61xx instead. */
static void answer_data(struct scb_emu *e, const struct scb_apdu *a, struct emu_rsp *r)
{
    if (e->t0 && (!a->has_le || a->lc > 0)) {
        /* no Le, or case 4 over T=0 (the TPDU carries no Le): the card answers 61xx */
        r->sw = 0x9000;
        emu_announce(e, r);
        return;
    }
    if (a->has_le && a->le < r->len) {
        if (e->t0) {
            r->sw = SW(0x6C00 | (r->len & 0xFF));
            r->len = 0;
            return;
        }
        r->len = a->le;
    }
    r->sw = 0x9000;
}

/* ---- SELECT --------------------------------------------------------------------------- */

static int find_app_by_aid(struct scb_emu *e, const uint8_t *aid, size_t n)
{
    for (size_t i = 0; i < e->napps; i++) {
        /* partial AID selection: the given bytes are a prefix of the full AID */
        if (n >= 5 && n <= e->apps[i].aid_len && memcmp(e->apps[i].aid, aid, n) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int find_app_by_fid(struct scb_emu *e, uint16_t fid)
{
    for (size_t i = 0; i < e->napps; i++) {
        if (e->apps[i].fid && e->apps[i].fid == fid) {
            return (int)i;
        }
    }
    return -1;
}

/* Move channel c one step along a FID: DF change or EF selection. */
static uint16_t select_step(struct scb_emu *e, struct emu_channel *c, uint16_t fid)
{
    if (fid == 0x3F00) {
        c->df = -1;
        c->ef = -1;
        return 0x9000;
    }
    if (fid == 0x7FFF) {
        if (c->df < 0) {
            return 0x6A82;
        }
        if (!e->keep_ef) {
            c->ef = -1; /* no current EF after a DF selection (doc/protocol.md) */
        }
        return 0x9000;
    }
    if (c->df < 0) {
        int app = find_app_by_fid(e, fid);
        if (app >= 0) {
            c->df = app;
            c->ef = -1;
            return 0x9000;
        }
    }
    struct emu_df *df = chan_df(e, c);
    struct emu_file *f = emu_find_file(df, fid);
    if (f == NULL) {
        return 0x6A82; /* EF DIR and ICCID are not reachable by FID from inside an ADF */
    }
    c->ef = (int)(f - df->files);
    return 0x9000;
}

static void cmd_select(struct scb_emu *e, struct emu_channel *c, const struct scb_apdu *a,
                       struct emu_rsp *r)
{
    struct emu_channel tmp = *c;
    uint8_t p2 = a->p2;

    if ((p2 & 0x0C) != 0x04 && (p2 & 0x0C) != 0x0C && p2 != 0x00) {
        r->sw = 0x6A86;
        return;
    }
    if (a->lc == 0) {
        r->sw = 0x6700;
        return;
    }
    switch (a->p1) {
    case 0x00:
        if (a->lc != 2) {
            r->sw = 0x6700;
            return;
        }
        r->sw = select_step(e, &tmp, (uint16_t)(a->data[0] << 8 | a->data[1]));
        break;
    case 0x04: {
        int app = find_app_by_aid(e, a->data, a->lc);
        if (app < 0) {
            r->sw = 0x6A82;
            return;
        }
        if (!(e->keep_ef && tmp.df == app)) {
            tmp.ef = -1; /* no current EF after a DF selection (doc/protocol.md) */
        }
        tmp.df = app;
        r->sw = 0x9000;
        break;
    }
    case 0x08:
    case 0x09:
        if (a->lc % 2) {
            r->sw = 0x6700;
            return;
        }
        if (a->p1 == 0x08 && !(a->data[0] == 0x7F && a->data[1] == 0xFF)) {
            tmp.df = -1; /* from the MF; a leading 7FFF means the current ADF */
        }
        tmp.ef = -1; /* a path starts at a DF, whatever EF was current */
        r->sw = 0x9000;
        for (size_t i = 0; i < a->lc && r->sw == 0x9000; i += 2) {
            uint16_t fid = (uint16_t)(a->data[i] << 8 | a->data[i + 1]);
            if (tmp.ef >= 0) {
                r->sw = 0x6A82; /* an EF in the middle of a path */
                break;
            }
            r->sw = select_step(e, &tmp, fid);
        }
        break;
    default:
        r->sw = 0x6A86;
        return;
    }
    if (r->sw != 0x9000) {
        return;
    }
    *c = tmp;
    if ((p2 & 0x0C) == 0x0C) {
        return; /* no data requested */
    }
    if (c->ef >= 0) {
        fcp_ef(e, &chan_df(e, c)->files[c->ef], r);
    } else {
        fcp_df(e, chan_df(e, c), r);
    }
    answer_data(e, a, r);
}

/* ---- READ BINARY / READ RECORD -------------------------------------------------------- */

static uint16_t access_ok(struct scb_emu *e, const struct emu_file *f)
{
    if (f->read == EMU_READ_PIN && !e->pin_verified) {
        return 0x6982;
    }
    if (f->read == EMU_READ_SCP03 && !e->in_secure) {
        return 0x6982; /* plain access refused; only served inside the secure channel */
    }
    return 0x9000;
}

static struct emu_file *ef_by_sfi(struct scb_emu *e, struct emu_channel *c, uint8_t sfi)
{
    struct emu_df *df = chan_df(e, c);
    for (size_t i = 0; i < df->nfiles; i++) {
        if (df->files[i].sfi == sfi) {
            c->ef = (int)i;
            return &df->files[i];
        }
    }
    return NULL;
}

/* SFI addressing refused by a card without SFI support: 6A81, 6A82 or 6986. */
static int sfi_refused(struct scb_emu *e, struct emu_rsp *r)
{
    if (e->sfi) {
        return 0;
    }
    r->sw = e->sfi_sw;
    return 1;
}

static void cmd_read_binary(struct scb_emu *e, struct emu_channel *c, const struct scb_apdu *a,
                            struct emu_rsp *r)
{
    struct emu_file *f;
    size_t off, le = a->has_le ? a->le : 256, avail;

    if (a->p1 & 0x80) {
        if (sfi_refused(e, r)) {
            return;
        }
        if ((f = ef_by_sfi(e, c, a->p1 & 0x1F)) == NULL) {
            r->sw = 0x6A82;
            return;
        }
        off = a->p2;
    } else {
        if (c->ef < 0) {
            r->sw = 0x6986;
            return;
        }
        f = &chan_df(e, c)->files[c->ef];
        off = (size_t)(a->p1 << 8 | a->p2);
    }
    if (f->linear) {
        r->sw = 0x6981;
        return;
    }
    if ((r->sw = access_ok(e, f)) != 0x9000) {
        return;
    }
    if (off >= f->size) {
        r->sw = 0x6B00; /* an offset at or past the end */
        return;
    }
    avail = f->size - off;
    if (le > e->max_response) {
        le = e->max_response; /* a card that sends fewer bytes than asked, 9000 */
        if (le > avail) {
            le = avail;
        }
        memcpy(r->data, f->data + off, le);
        r->len = le;
        r->sw = avail == le && a->le > avail && !e->t0 ? 0x6282 : 0x9000;
        return;
    }
    if (le > avail) {
        /* asked for more than remains: the card's short-read class (T=0 only has 6Cxx) */
        if (e->t0 && e->short_read == EMU_SHORT_6C) {
            r->sw = SW(0x6C00 | avail);
            return;
        }
        memcpy(r->data, f->data + off, avail);
        r->len = avail;
        r->sw = e->short_read == EMU_SHORT_9000 && (!a->has_le || a->le == 256) ? 0x9000
                                                                                : 0x6282;
        return;
    }
    memcpy(r->data, f->data + off, le);
    r->len = le;
    r->sw = 0x9000;
}

static void cmd_read_record(struct scb_emu *e, struct emu_channel *c, const struct scb_apdu *a,
                            struct emu_rsp *r)
{
    struct emu_file *f;
    uint8_t sfi = (uint8_t)(a->p2 >> 3);
    size_t le = a->has_le ? a->le : 256;

    if ((a->p2 & 0x07) != 0x04) {
        r->sw = 0x6A86; /* only absolute mode */
        return;
    }
    if (sfi) {
        if (sfi_refused(e, r)) {
            return;
        }
        if ((f = ef_by_sfi(e, c, sfi)) == NULL) {
            r->sw = 0x6A82;
            return;
        }
    } else {
        if (c->ef < 0) {
            r->sw = 0x6986;
            return;
        }
        f = &chan_df(e, c)->files[c->ef];
    }
    if (!f->linear) {
        r->sw = 0x6981;
        return;
    }
    if ((r->sw = access_ok(e, f)) != 0x9000) {
        return;
    }
    if (a->p1 == 0 || a->p1 > f->rec_count) {
        r->sw = 0x6A83;
        return;
    }
    if (le != f->rec_len && (e->t0 || le < f->rec_len)) {
        r->sw = SW(0x6C00 | (f->rec_len & 0xFF));
        return;
    }
    memcpy(r->data, f->data + (a->p1 - 1) * f->rec_len, f->rec_len);
    r->len = f->rec_len;
    r->sw = 0x9000;
}

/* ---- MANAGE CHANNEL, VERIFY, GET RESPONSE --------------------------------------------- */

static void cmd_manage_channel(struct scb_emu *e, unsigned chno, const struct scb_apdu *a,
                               struct emu_rsp *r)
{
    if (e->channels == 0) {
        r->sw = 0x6881;
        return;
    }
    if (a->p1 == 0x00) {
        if (a->p2 != 0 || chno != 0) {
            r->sw = 0x6A86;
            return;
        }
        for (unsigned i = 1; i <= e->channels && i < EMU_MAX_CHANNELS; i++) {
            if (!e->ch[i].open) {
                e->ch[i].open = 1;
                e->ch[i].df = e->ch[0].df; /* TS 102 221: inherits the current DF */
                e->ch[i].ef = -1;
                r->data[0] = (uint8_t)i;
                r->len = 1;
                r->sw = 0x9000;
                return;
            }
        }
        r->sw = 0x6A81; /* no channel left */
        return;
    }
    if (a->p1 == 0x80) {
        if (a->p2 == 0 || a->p2 >= EMU_MAX_CHANNELS || !e->ch[a->p2].open) {
            r->sw = 0x6A86;
            return;
        }
        e->ch[a->p2].open = 0;
        emu_scp03_end(e, a->p2); /* a session does not outlive its channel */
        r->sw = 0x9000;
        return;
    }
    r->sw = 0x6A86;
}

static void cmd_verify(struct scb_emu *e, const struct scb_apdu *a, struct emu_rsp *r)
{
    uint8_t block[16];
    size_t n;

    if (!e->has_pin || a->p2 != e->pin_ref || a->p1 != 0) {
        r->sw = 0x6A88;
        return;
    }
    if (e->pin_tries == 0) {
        r->sw = 0x6983;
        return;
    }
    if (a->lc == 0) {
        r->sw = e->pin_verified ? 0x9000 : SW(0x63C0 | e->pin_tries);
        return;
    }
    if (a->lc != e->pin_stored) {
        r->sw = 0x6700;
        return;
    }
    n = strlen(e->pin);
    memset(block, e->pin_pad, sizeof(block));
    memcpy(block, e->pin, n);
    if (memcmp(block, a->data, e->pin_stored) != 0) {
        e->pin_tries--;
        e->pin_verified = 0;
        r->sw = e->pin_tries ? SW(0x63C0 | e->pin_tries) : 0x6983;
        return;
    }
    e->pin_tries = e->pin_tries_max;
    e->pin_verified = 1;
    r->sw = 0x9000;
}

static void cmd_get_response(struct scb_emu *e, const struct scb_apdu *a, struct emu_rsp *r)
{
    size_t le = a->has_le ? a->le : 256;

    if (e->pending_len == 0) {
        r->sw = 0x6985;
        return;
    }
    if (le > e->pending_len) {
        r->sw = SW(0x6C00 | (e->pending_len & 0xFF));
        return;
    }
    memcpy(r->data, e->pending, le);
    r->len = le;
    memmove(e->pending, e->pending + le, e->pending_len - le);
    e->pending_len -= le;
    r->sw = e->pending_len ? SW(0x6100 | (e->pending_len & 0xFF))
                           : (e->pending_sw ? e->pending_sw : 0x9000);
}

void emu_dispatch(struct scb_emu *e, const uint8_t *cmd, size_t clen, struct emu_rsp *r)
{
    struct scb_apdu a;
    unsigned chno = 0;

    r->len = 0;
    if (scb_apdu_parse(cmd, clen, &a) < 0) {
        r->sw = 0x6700;
        return;
    }
    if (scb_apdu_cla_channel(a.cla, &chno) < 0) {
        r->sw = 0x6E00;
        return;
    }
    if (chno >= EMU_MAX_CHANNELS || !e->ch[chno].open) {
        r->sw = 0x6881;
        return;
    }
    if (emu_scp03_handle(e, &a, chno, r)) {
        return;
    }
    if (a.cla & 0x80 || (a.cla & 0x40 ? a.cla & 0x20 : a.cla & 0x0C)) {
        r->sw = a.cla & 0x80 ? 0x6E00 : 0x6882; /* GP class / secure messaging unsupported */
        return;
    }
    if (a.ins != 0xC0) {
        e->pending_len = 0; /* any other command drops a pending response */
    }
    struct emu_channel *c = &e->ch[chno];
    switch (a.ins) {
    case 0xA4: {
        int df = c->df;
        cmd_select(e, c, &a, r);
        uint8_t sw1 = (uint8_t)(r->sw >> 8);
        if (!e->in_secure && (sw1 == 0x90 || sw1 == 0x61) && (c->df != df || a.p1 == 0x04)) {
            emu_scp03_end(e, chno); /* the application was (re)selected: its session ends */
        }
        break;
    }
    case 0xB0: cmd_read_binary(e, c, &a, r); break;
    case 0xB2: cmd_read_record(e, c, &a, r); break;
    case 0x70: cmd_manage_channel(e, chno, &a, r); break;
    case 0x20: cmd_verify(e, &a, r); break;
    case 0xC0: cmd_get_response(e, &a, r); break;
    case 0xD6:
    case 0xDC:
        r->sw = 0x6982; /* UPDATE is ADM only */
        break;
    default: r->sw = 0x6D00; break;
    }
}

static void log_exchange(struct scb_emu *e, const uint8_t *cmd, size_t clen, const uint8_t *rsp,
                         size_t rlen)
{
    if (e->log_len == e->log_cap) {
        if (e->log_cap >= EMU_LOG_MAX) {
            return;
        }
        size_t nc = e->log_cap ? e->log_cap * 2 : 64;
        struct emu_log_entry *nl = realloc(e->log, nc * sizeof(*nl));
        if (nl == NULL) {
            return;
        }
        e->log = nl;
        e->log_cap = nc;
    }
    struct emu_log_entry *le = &e->log[e->log_len++];
    le->clen = (uint16_t)(clen < sizeof(le->cmd) ? clen : sizeof(le->cmd));
    memcpy(le->cmd, cmd, le->clen);
    le->rlen = (uint16_t)(rlen < sizeof(le->rsp) ? rlen : sizeof(le->rsp));
    memcpy(le->rsp, rsp, le->rlen);
}

int scb_emu_transmit(struct scb_emu *e, const uint8_t *cmd, size_t clen, uint8_t *rsp,
                     size_t cap, size_t *rlen)
{
    struct emu_rsp r = {.len = 0, .sw = 0x6F00};

    if (e == NULL || cmd == NULL || rsp == NULL || rlen == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (!e->present) {
        return SCB_E_NO_CARD;
    }
    e->fault_count++;
    if (e->fault == SCB_EMU_FAULT_REMOVE && e->fault_count > e->fault_n) {
        e->fault = SCB_EMU_FAULT_NONE;
        scb_emu_remove(e);
        return SCB_E_CARD_REMOVED;
    }
    if (e->fault == SCB_EMU_FAULT_RESET && e->fault_count > e->fault_n) {
        e->fault = SCB_EMU_FAULT_NONE;
        scb_emu_reset(e);
        return SCB_E_CARD_RESET;
    }
    if (e->fault == SCB_EMU_FAULT_SW && e->fault_count == e->fault_n) {
        e->fault = SCB_EMU_FAULT_NONE;
        r.sw = e->fault_sw;
    } else {
        emu_dispatch(e, cmd, clen, &r);
    }
    if (cap < r.len + 2) {
        return SCB_E_BUFFER;
    }
    memcpy(rsp, r.data, r.len);
    rsp[r.len] = (uint8_t)(r.sw >> 8);
    rsp[r.len + 1] = (uint8_t)r.sw;
    *rlen = r.len + 2;
    log_exchange(e, cmd, clen, rsp, *rlen);
    return SCB_OK;
}

size_t scb_emu_log_count(const struct scb_emu *e)
{
    if (e == NULL) {
        return 0;
    }
    return e->log_len;
}

int scb_emu_log_entry(const struct scb_emu *e, size_t i, const uint8_t **cmd, size_t *clen,
                      const uint8_t **rsp, size_t *rlen)
{
    if (e == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (i >= e->log_len) {
        return SCB_E_NOT_FOUND;
    }
    *cmd = e->log[i].cmd;
    *clen = e->log[i].clen;
    *rsp = e->log[i].rsp;
    *rlen = e->log[i].rlen;
    return SCB_OK;
}

void scb_emu_log_clear(struct scb_emu *e)
{
    if (e == NULL) {
        return;
    }
    e->log_len = 0;
}

/* ---- as a transport ------------------------------------------------------------------- */

static int tr_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                       size_t *rlen)
{
    return scb_emu_transmit(self, cmd, clen, rsp, rcap, rlen);
}

static int tr_reconnect(void *self, int reset)
{
    struct scb_emu *e = self;
    if (!e->present) {
        return SCB_E_NO_CARD;
    }
    if (reset) {
        scb_emu_reset(e);
    }
    return SCB_OK;
}

static int tr_status(void *self, struct scb_card_status *st)
{
    struct scb_emu *e = self;
    st->present = e->present;
    st->event_count = e->events;
    st->protocol = e->t0 ? 0 : 1;
    if (e->present) {
        memcpy(st->atr, e->atr, e->atr_len);
        st->atr_len = e->atr_len;
    }
    strcpy(st->reader, "scboot virtual reader");
    return SCB_OK;
}

static void tr_destroy(void *self)
{
    (void)self; /* the emulator is borrowed */
}

static const struct scb_transport_ops emu_ops = {
    .name = "emulator",
    .transmit = tr_transmit,
    .reconnect = tr_reconnect,
    .status = tr_status,
    .destroy = tr_destroy,
};

struct scb_transport *scb_emu_transport(struct scb_emu *e)
{
    return e != NULL ? scb_transport_new(&emu_ops, e) : NULL;
}

/* ---- the emulator as a daemon's event source ------------------------------------------------ */

struct emu_events {
    struct scb_emu *e;              /* borrowed */
    char name[SCB_READER_NAME_MAX];
    uint32_t seen;                  /* the event counter at the last wait */
    int fresh;                      /* no wait yet: the first one reports a change */
    int pipe[2];                    /* wake: one byte; the wait polls the read end */
};

static int emu_ev_wait(void *self, int timeout_ms, int *changed)
{
    struct emu_events *x = self;
    struct pollfd p = {.fd = x->pipe[0], .events = POLLIN};
    char drain[16];
    if (x->fresh || scb_emu_events(x->e) != x->seen) {
        /* the emulator changes only between waits (same thread): no need to block */
        x->fresh = 0;
        x->seen = scb_emu_events(x->e);
        *changed = 1;
        return SCB_OK;
    }
    if (poll(&p, 1, timeout_ms) > 0) {
        while (read(x->pipe[0], drain, sizeof(drain)) > 0) {
        }
    }
    return SCB_OK;
}

static void emu_ev_wake(void *self)
{
    struct emu_events *x = self;
    ssize_t w = write(x->pipe[1], "w", 1); /* a full pipe already wakes */
    (void)w;
}

static int emu_ev_reader(void *self, struct scb_events_reader *out)
{
    struct emu_events *x = self;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", x->name);
    out->reachable = 1;
    out->present = scb_emu_present(x->e);
    out->events = scb_emu_events(x->e);
    return SCB_OK;
}

static int emu_ev_open(void *self, const char *reader, struct scb_transport **out, char *err,
                       size_t errlen)
{
    struct emu_events *x = self;
    (void)reader;
    if ((*out = scb_emu_transport(x->e)) == NULL) {
        if (err && errlen) {
            snprintf(err, errlen, "out of memory");
        }
        return SCB_E_NOMEM;
    }
    return SCB_OK;
}

static void emu_ev_destroy(void *self)
{
    struct emu_events *x = self;
    if (x) {
        close(x->pipe[0]);
        close(x->pipe[1]);
        free(x);
    }
}

static const struct scb_events_ops emu_events_ops = {
    .name = "emulator", .wait = emu_ev_wait, .wake = emu_ev_wake, .reader = emu_ev_reader,
    .open = emu_ev_open, .destroy = emu_ev_destroy};

int scb_emu_events_new(struct scb_emu *e, const char *reader_name, struct scb_events **out)
{
    if (e == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    struct emu_events *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        return SCB_E_NOMEM;
    }
    if (pipe2(x->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(x);
        return SCB_E_IO;
    }
    x->e = e;
    x->fresh = 1;
    snprintf(x->name, sizeof(x->name), "%s", reader_name ? reader_name : "virtual");
    return scb_events_new(&emu_events_ops, x, out);
}

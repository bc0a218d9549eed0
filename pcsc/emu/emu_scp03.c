/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emu_scp03.c: the card side of GP SCP03 for the emulator, written from the GP Amd D
 * description directly on mbedTLS primitives (not on secure_channel/), so that host and card
 * each check the other: INITIALIZE UPDATE with pseudo-random card challenges, EXTERNAL
 * AUTHENTICATE, and C-MAC/C-DEC verification, R-ENC/R-MAC protection of every command that
 * arrives wrapped on a channel with an open session.
 */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/platform_util.h>

#include "emu_internal.h"

static int cmac(const uint8_t *key, size_t kl, const uint8_t *d, size_t n, uint8_t out[16])
{
    mbedtls_cipher_type_t t = kl == 16 ? MBEDTLS_CIPHER_AES_128_ECB
                              : kl == 24 ? MBEDTLS_CIPHER_AES_192_ECB
                                         : MBEDTLS_CIPHER_AES_256_ECB;
    return mbedtls_cipher_cmac(mbedtls_cipher_info_from_type(t), key, kl * 8, d, n, out);
}

/* GP Amd D 6.2.2: data derivation, here for 64- or key-length outputs (one or two blocks). */
static void derive(const uint8_t *key, size_t kl, uint8_t c, size_t bits, const uint8_t *ctx,
                   size_t cl, uint8_t *out)
{
    uint8_t in[16 + 64], blk[16];
    memset(in, 0, sizeof(in));
    in[11] = c;
    in[13] = (uint8_t)(bits >> 8);
    in[14] = (uint8_t)bits;
    memcpy(in + 16, ctx, cl);
    for (size_t done = 0, i = 1; done < bits / 8; i++, done += 16) {
        in[15] = (uint8_t)i;
        cmac(key, kl, in, 16 + cl, blk);
        memcpy(out + done, blk, bits / 8 - done < 16 ? bits / 8 - done : 16);
    }
}

static void crypt_cbc(const uint8_t *key, size_t kl, const uint8_t block0[16], int enc,
                      uint8_t *d, size_t n)
{
    mbedtls_aes_context aes;
    uint8_t iv[16];
    mbedtls_aes_init(&aes);
    mbedtls_aes_setkey_enc(&aes, key, (unsigned)(kl * 8));
    mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, block0, iv); /* ICV */
    if (!enc) {
        mbedtls_aes_setkey_dec(&aes, key, (unsigned)(kl * 8));
    }
    mbedtls_aes_crypt_cbc(&aes, enc ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, n, iv, d, d);
    mbedtls_aes_free(&aes);
}

static void ctr_block(uint32_t c, uint8_t first, uint8_t b[16])
{
    memset(b, 0, 16);
    b[0] = first;
    for (int k = 0; k < 4; k++) {
        b[15 - k] = (uint8_t)(c >> (8 * k));
    }
}

void emu_scp03_reset(struct scb_emu *e)
{
    mbedtls_platform_zeroize(e->sc, sizeof(e->sc));
    e->in_secure = 0;
}

static void end_session(struct emu_sc *s)
{
    mbedtls_platform_zeroize(s, sizeof(*s));
}

/* The application on channel ch was deselected (or the channel closed): as on a GP card,
 * the session bound to it is over. */
void emu_scp03_end(struct scb_emu *e, unsigned ch)
{
    end_session(&e->sc[ch]);
}

/* A plain SELECT the card's runtime serves itself, leaving the application: by DF name, of
 * the MF, or by path from the MF. Java Card forwards only a SELECT with secure messaging bits
 * to the selected applet; any other is an application selection that deselects it. */
static int leaves_application(const struct scb_apdu *a)
{
    if (a->ins != 0xA4 || a->lc < 2) {
        return 0;
    }
    if (a->p1 == 0x04) {
        return 1;
    }
    if (a->p1 == 0x00) {
        return a->lc == 2 && a->data[0] == 0x3F && a->data[1] == 0x00;
    }
    return a->p1 == 0x08 && !(a->data[0] == 0x7F && a->data[1] == 0xFF);
}

static void initialize_update(struct scb_emu *e, unsigned ch, const struct scb_apdu *a,
                              struct emu_rsp *r)
{
    struct emu_sc *s = &e->sc[ch];
    uint8_t ctx[3 + 16], cc[16];

    end_session(s);
    if (e->iu_sw) {
        r->sw = e->iu_sw; /* a card that refuses (6A88, 6982, 6985) or lacks (6D00) SCP03 */
        return;
    }
    if (e->ch[ch].df < 0) {
        r->sw = 0x6985; /* needs the application selected on this channel */
        return;
    }
    if (a->p1 != 0 && a->p1 != e->kvn) {
        r->sw = 0x6A88;
        return;
    }
    if (a->lc != 8) {
        r->sw = 0x6700;
        return;
    }
    memcpy(s->host_ch, a->data, 8);
    /* pseudo-random card challenge: derivation constant 02 over sequence counter | AID */
    e->sc_seq++;
    const struct emu_df *app = &e->apps[e->ch[ch].df];
    ctx[0] = (uint8_t)(e->sc_seq >> 16);
    ctx[1] = (uint8_t)(e->sc_seq >> 8);
    ctx[2] = (uint8_t)e->sc_seq;
    memcpy(ctx + 3, app->aid, app->aid_len);
    derive(e->k_enc, e->k_len, 0x02, 64, ctx, 3 + app->aid_len, s->card_ch);
    memcpy(cc, s->host_ch, 8);
    memcpy(cc + 8, s->card_ch, 8);
    derive(e->k_enc, e->k_len, 0x04, e->k_len * 8, cc, 16, s->s_enc);
    derive(e->k_mac, e->k_len, 0x06, e->k_len * 8, cc, 16, s->s_mac);
    derive(e->k_mac, e->k_len, 0x07, e->k_len * 8, cc, 16, s->s_rmac);
    memset(r->data, 0, 10);
    r->data[10] = e->kvn;
    r->data[11] = 0x03;
    r->data[12] = 0x70; /* i: pseudo-random challenge, R-MAC/R-ENC supported, S8 */
    memcpy(r->data + 13, s->card_ch, 8);
    derive(s->s_mac, e->k_len, 0x00, 64, cc, 16, r->data + 21);
    r->data[29] = ctx[0];
    r->data[30] = ctx[1];
    r->data[31] = ctx[2];
    r->len = 32;
    r->sw = 0x9000;
    s->iu_done = 1;
}

static void external_authenticate(struct scb_emu *e, unsigned ch, const struct scb_apdu *a,
                                  struct emu_rsp *r)
{
    struct emu_sc *s = &e->sc[ch];
    uint8_t cc[16], want[8], in[16 + 5 + 8], mac[16];

    if (!s->iu_done || a->lc != 16) {
        end_session(s);
        r->sw = s->iu_done ? 0x6700 : 0x6985;
        return;
    }
    uint8_t lvl = a->p1;
    if (lvl != 0x01 && lvl != 0x03 && lvl != 0x13 && lvl != 0x33) {
        end_session(s);
        r->sw = 0x6A86;
        return;
    }
    memcpy(cc, s->host_ch, 8);
    memcpy(cc + 8, s->card_ch, 8);
    derive(s->s_mac, e->k_len, 0x01, 64, cc, 16, want);
    memset(in, 0, 16);
    in[16] = 0x84;
    in[17] = 0x82;
    in[18] = a->p1;
    in[19] = a->p2;
    in[20] = 0x10;
    memcpy(in + 21, a->data, 8);
    cmac(s->s_mac, e->k_len, in, sizeof(in), mac);
    if (memcmp(want, a->data, 8) != 0 || memcmp(mac, a->data + 8, 8) != 0) {
        end_session(s);
        r->sw = 0x6300; /* authentication failed */
        return;
    }
    memcpy(s->chain, mac, 16);
    s->level = lvl;
    s->counter = 0;
    s->active = 1;
    s->iu_done = 0;
    r->sw = 0x9000;
}

/* A wrapped command: verify, decrypt, serve the plain command, protect the response. */
static void wrapped(struct scb_emu *e, unsigned ch, const struct scb_apdu *a, struct emu_rsp *r)
{
    struct emu_sc *s = &e->sc[ch];
    uint8_t in[16 + 5 + 256], mac[16], data[256], plain[SCB_APDU_CMD_MAX], blk[16];
    size_t dlen, n = 0;

    if (a->lc < 8) {
        end_session(s);
        r->sw = 0x6982;
        return;
    }
    dlen = a->lc - 8;
    memcpy(in, s->chain, 16);
    in[16] = (uint8_t)((a->cla & 0x80) | 0x04);
    in[17] = a->ins;
    in[18] = a->p1;
    in[19] = a->p2;
    in[20] = (uint8_t)a->lc;
    memcpy(in + 21, a->data, dlen);
    cmac(s->s_mac, e->k_len, in, 21 + dlen, mac);
    if (memcmp(mac, a->data + dlen, 8) != 0) {
        end_session(s);
        r->sw = 0x6982; /* bad C-MAC: the session is over */
        return;
    }
    memcpy(s->chain, mac, 16);
    s->counter++;
    memcpy(data, a->data, dlen);
    if ((s->level & 0x02) && dlen > 0) {
        if (dlen % 16) {
            end_session(s);
            r->sw = 0x6982;
            return;
        }
        ctr_block(s->counter, 0x00, blk);
        crypt_cbc(s->s_enc, e->k_len, blk, 0, data, dlen);
        while (dlen > 0 && data[dlen - 1] == 0x00) {
            dlen--;
        }
        if (dlen == 0 || data[dlen - 1] != 0x80) {
            end_session(s);
            r->sw = 0x6982;
            return;
        }
        dlen--;
    }
    /* the plain command; a wrapped Le 00 means "as much as fits once protected" */
    size_t cap = (s->level & 0x20) ? 239 : (s->level & 0x10) ? 248 : 256;
    plain[n++] = (uint8_t)(a->cla & (a->cla & 0x40 ? ~0x20 : ~0x0C));
    plain[n++] = a->ins;
    plain[n++] = a->p1;
    plain[n++] = a->p2;
    if (dlen) {
        plain[n++] = (uint8_t)dlen;
        memcpy(plain + n, data, dlen);
        n += dlen;
    }
    if (a->has_le) {
        plain[n++] = (uint8_t)(cap & 0xFF);
    }
    int t0 = e->t0;
    e->t0 = 0;
    e->in_secure = 1;
    emu_dispatch(e, plain, n, r);
    e->in_secure = 0;
    e->t0 = t0;
    mbedtls_platform_zeroize(data, sizeof(data));
    uint8_t sw1 = (uint8_t)(r->sw >> 8);
    if (r->sw != 0x9000 && sw1 != 0x62 && sw1 != 0x63) {
        r->len = 0; /* no R-MAC on an error status word */
        return;
    }
    if ((s->level & 0x20) && r->len > 0) {
        r->data[r->len++] = 0x80;
        while (r->len % 16) {
            r->data[r->len++] = 0x00;
        }
        ctr_block(s->counter, 0x80, blk);
        crypt_cbc(s->s_enc, e->k_len, blk, 1, r->data, r->len);
    }
    if (s->level & 0x10) {
        memcpy(in, s->chain, 16);
        memcpy(in + 16, r->data, r->len);
        in[16 + r->len] = sw1;
        in[17 + r->len] = (uint8_t)r->sw;
        cmac(s->s_rmac, e->k_len, in, 18 + r->len, mac);
        memcpy(r->data + r->len, mac, 8);
        r->len += 8;
    }
    if (r->len > 0 && (e->t0 || (e->sm_61xx && !a->has_le))) {
        /* a case-4 TPDU on T=0, or (T=1) a command sent without Le whose protected answer
         * has data: the card announces it with 61xx (doc/protocol.md, card behaviours) */
        emu_announce(e, r);
    }
}

int emu_scp03_handle(struct scb_emu *e, const struct scb_apdu *a, unsigned ch, struct emu_rsp *r)
{
    int sm = (a->cla & 0x40) ? (a->cla & 0x20) != 0 : (a->cla & 0x04) != 0;

    if (!e->has_scp03 || e->in_secure) {
        return 0; /* no SCP03 on this card, or the unwrapped command being served */
    }
    if ((a->cla & 0x80) && !sm && a->ins == 0x50) {
        initialize_update(e, ch, a, r);
        if (e->t0 && r->len) {
            emu_announce(e, r);
        }
        return 1;
    }
    if ((a->cla & 0x80) && sm && a->ins == 0x82) {
        external_authenticate(e, ch, a, r);
        return 1;
    }
    if (sm) {
        if (!e->sc[ch].active) {
            r->sw = 0x6982;
            return 1;
        }
        e->pending_len = 0;
        wrapped(e, ch, a, r);
        return 1;
    }
    if (e->sc[ch].active && leaves_application(a)) {
        return 0; /* served plain; a successful one ends the session (emu_dispatch) */
    }
    if (e->sc[ch].active && a->ins != 0x70 && a->ins != 0xC0) {
        r->sw = 0x6982; /* plain commands are refused inside a secure session */
        return 1;
    }
    return 0;
}

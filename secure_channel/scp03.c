/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scp03.c: GlobalPlatform SCP03 host side (GP Card Spec Amd D): key files, the SP 800-108
 * KDF, INITIALIZE UPDATE / EXTERNAL AUTHENTICATE with the card cryptogram checked in constant
 * time before anything else is sent, and the transport filter doing C-MAC / C-DEC on commands
 * and R-MAC / R-ENC on responses. Session keys live in the filter and are zeroized on close
 * and on every error path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto.h"
#include "scboot/card.h"
#include "scboot/scp03.h"
#include "scboot/util.h"
#include "scp03_internal.h"

#define KDF_CARD_CRYPTO 0x00
#define KDF_HOST_CRYPTO 0x01
#define KDF_S_ENC 0x04
#define KDF_S_MAC 0x06
#define KDF_S_RMAC 0x07

struct scp03 {
    struct scb_transport *inner; /* borrowed */
    unsigned channel;
    uint8_t level;
    size_t keylen;
    uint8_t s_enc[32], s_mac[32], s_rmac[32];
    uint8_t chain[16];           /* MAC chaining value: the last full C-MAC */
    uint32_t counter;            /* C-DEC / R-ENC block counter */
    int broken;                  /* a response failed verification: nothing more is sent */
};

/* ---- keys --------------------------------------------------------------------------------- */

void scb_scp03_keys_clear(struct scb_scp03_keys *k)
{
    scb_util_zeroize(k, sizeof(*k));
}

static int key_line(const char *val, uint8_t *out, size_t *len)
{
    size_t n;
    if (scb_util_hex_decode(val, out, 32, &n) < 0 || (n != 16 && n != 24 && n != 32)) {
        return SCB_E_SCP03_KEYS;
    }
    *len = n;
    return SCB_OK;
}

int scb_scp03_keys_parse(const char *text, struct scb_scp03_keys *k, char *err, size_t errlen)
{
    if (text == NULL || k == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_scp03_keys tmp;
    size_t lens[3] = {0, 0, 0};
    int lineno = 0;
    const char *p = text;

    char line[256];
    memset(&tmp, 0, sizeof(tmp));
    while (*p) {
        size_t n = strcspn(p, "\n");
        lineno++;
        if (n >= sizeof(line)) {
            goto bad;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (p[n] == '\n');
        char *hash = strchr(line, '#');
        if (hash) {
            *hash = '\0';
        }
        char *s = line;
        while (*s == ' ' || *s == '\t' || *s == '\r') {
            s++;
        }
        if (*s == '\0') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            goto bad;
        }
        *eq = '\0';
        char *v = eq + 1;
        for (char *e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\r');) {
            *--e = '\0';
        }
        int ret = SCB_OK;
        if (strcmp(s, "enc") == 0) {
            ret = key_line(v, tmp.enc, &lens[0]);
        } else if (strcmp(s, "mac") == 0) {
            ret = key_line(v, tmp.mac, &lens[1]);
        } else if (strcmp(s, "dek") == 0) {
            ret = key_line(v, tmp.dek, &lens[2]);
        } else if (strcmp(s, "kvn") == 0) {
            size_t kl;
            ret =
                scb_util_hex_decode(v, &tmp.kvn, 1, &kl) < 0 || kl != 1 ? SCB_E_SCP03_KEYS : SCB_OK;
        } else {
            ret = SCB_E_SCP03_KEYS;
        }
        if (ret < 0) {
            goto bad;
        }
        scb_util_zeroize(line, sizeof(line));
    }
    scb_util_zeroize(line, sizeof(line));
    if (lens[0] == 0 || lens[1] == 0 || lens[2] == 0 || lens[0] != lens[1] || lens[1] != lens[2]) {
        snprintf(err, errlen, "key file needs enc=, mac= and dek= of one length (16, 24 or 32 "
                              "bytes)");
        scb_scp03_keys_clear(&tmp);
        return SCB_E_SCP03_KEYS;
    }
    tmp.len = lens[0];
    *k = tmp;
    scb_scp03_keys_clear(&tmp);
    return SCB_OK;
bad:
    snprintf(err, errlen, "key file line %d: expected enc|mac|dek=HEX (16/24/32 bytes) or kvn=HEX",
             lineno);
    scb_util_zeroize(line, sizeof(line)); /* a part of a key may be in it */
    scb_scp03_keys_clear(&tmp);
    return SCB_E_SCP03_KEYS;
}

int scb_scp03_keys_load(const char *path, struct scb_scp03_keys *k, char *err, size_t errlen)
{
    char *text;
    size_t len;
    int ret = scb_util_read_secret_file(path, SCB_KEY_FILE_MAX, &text, &len, err, errlen);

    if (ret < 0) {
        return ret; /* SCB_E_IO, SCB_E_UNSAFE (mode, link, not a file), SCB_E_TOO_LARGE */
    }
    ret = scb_scp03_keys_parse(text, k, err, errlen);
    scb_util_zeroize(text, SCB_KEY_FILE_MAX + 1);
    free(text);
    return ret;
}

/* ---- KDF ---------------------------------------------------------------------------------- */

int scb_scp03_kdf(const uint8_t *key, size_t keylen, uint8_t constant, size_t out_bits,
                  const uint8_t *context, size_t ctxlen, uint8_t *out)
{
    uint8_t in[16 + 64], block[16];
    size_t done = 0, want = out_bits / 8;
    int ret = SCB_OK;

    if (ctxlen > 64 || out_bits % 8 || want > 32) {
        return SCB_E_INVALID_ARG;
    }
    memset(in, 0, 11);
    in[11] = constant;
    in[12] = 0x00;
    in[13] = (uint8_t)(out_bits >> 8);
    in[14] = (uint8_t)out_bits;
    memcpy(in + 16, context, ctxlen);
    for (uint8_t i = 1; done < want; i++) {
        in[15] = i;
        if ((ret = scb_aes_cmac(key, keylen, in, 16 + ctxlen, block)) < 0) {
            break;
        }
        size_t n = want - done < 16 ? want - done : 16;
        memcpy(out + done, block, n);
        done += n;
    }
    scb_util_zeroize(block, sizeof(block));
    return ret;
}

/* ---- the filter --------------------------------------------------------------------------- */

static void counter_block(uint32_t counter, uint8_t first, uint8_t out[16])
{
    memset(out, 0, 16);
    out[0] = first;
    out[12] = (uint8_t)(counter >> 24);
    out[13] = (uint8_t)(counter >> 16);
    out[14] = (uint8_t)(counter >> 8);
    out[15] = (uint8_t)counter;
}

/* Commands that are never wrapped (doc/protocol.md, which commands are wrapped). */
static int passthrough(const struct scp03 *s, const uint8_t *cmd, size_t clen)
{
    unsigned ch = 0;
    if (clen < 4 || cmd[1] == 0x70 || cmd[1] == 0xC0) {
        return 1;
    }
    return scb_apdu_cla_channel(cmd[0], &ch) < 0 || ch != s->channel;
}

static int wrap(struct scp03 *s, const uint8_t *cmd, size_t clen, uint8_t *out, size_t *olen)
{
    struct scb_apdu a;
    uint8_t data[256], icv[16], blk[16], mac[16], macin[16 + 5 + 256];
    size_t dlen = 0, n = 0;
    int ret;

    if ((ret = scb_apdu_parse(cmd, clen, &a)) < 0) {
        return SCB_E_INVALID_ARG;
    }
    if (s->counter == UINT32_MAX) {
        return SCB_E_SCP03_COUNTER; /* never reuse a counter value */
    }
    s->counter++;
    if (a.lc) {
        memcpy(data, a.data, a.lc);
        dlen = a.lc;
        if (s->level & SCB_SCP03_C_DEC) {
            /* pad 80 00.. to 16, encrypt with ICV = E(S-ENC, counter) */
            data[dlen++] = 0x80;
            while (dlen % 16) {
                data[dlen++] = 0x00;
            }
            counter_block(s->counter, 0x00, blk);
            if ((ret = scb_aes_ecb(s->s_enc, s->keylen, blk, icv)) < 0 ||
                (ret = scb_aes_cbc(s->s_enc, s->keylen, icv, 1, data, dlen, data)) < 0) {
                goto out;
            }
        }
    }
    if (dlen + 8 > 255) {
        ret = SCB_E_TOO_LARGE;
        goto out;
    }
    /* C-MAC over chaining | CLA' INS P1 P2 Lc' | data; CLA' = SM bit set, channel cleared */
    uint8_t cla_mac = (uint8_t)((a.cla & 0x80) | 0x04);
    memcpy(macin, s->chain, 16);
    n = 16;
    macin[n++] = cla_mac;
    macin[n++] = a.ins;
    macin[n++] = a.p1;
    macin[n++] = a.p2;
    macin[n++] = (uint8_t)(dlen + 8);
    memcpy(macin + n, data, dlen);
    n += dlen;
    if ((ret = scb_aes_cmac(s->s_mac, s->keylen, macin, n, mac)) < 0) {
        goto out;
    }
    memcpy(s->chain, mac, 16);
    uint8_t cla;
    if (a.cla & 0x40) {
        cla = (uint8_t)(a.cla | 0x20); /* further interindustry: SM in b6 */
    } else {
        cla = (uint8_t)(a.cla | 0x04);
    }
    n = 0;
    out[n++] = cla;
    out[n++] = a.ins;
    out[n++] = a.p1;
    out[n++] = a.p2;
    out[n++] = (uint8_t)(dlen + 8);
    memcpy(out + n, data, dlen);
    n += dlen;
    memcpy(out + n, mac, 8);
    n += 8;
    if (a.has_le || (s->level & SCB_SCP03_R_MAC)) {
        /* GP Amd D: Le 00 for case 2/4. With R-MAC every answer has data (the MAC), so a
         * case-1/3 command becomes case 4 too: without Le a T=1 card answers 61xx and costs a
         * GET RESPONSE (doc/protocol.md, SCP03 byte level and card behaviours) */
        out[n++] = 0x00;
    }
    *olen = n;
    ret = SCB_OK;
out:
    scb_util_zeroize(data, sizeof(data));
    scb_util_zeroize(macin, sizeof(macin));
    return ret;
}

static int unwrap(struct scp03 *s, uint8_t *rsp, size_t *rlen)
{
    uint8_t sw1 = rsp[*rlen - 2], sw2 = rsp[*rlen - 1];
    size_t dlen = *rlen - 2;
    uint8_t macin[16 + 258], mac[16], icv[16], blk[16];
    int ret;

    if (*rlen > SCB_APDU_RSP_MAX) {
        return SCB_E_SCP03_PROTOCOL;
    }
    if (!(sw1 == 0x90 && sw2 == 0x00) && sw1 != 0x62 && sw1 != 0x63) {
        if (dlen != 0) {
            return SCB_E_SCP03_PROTOCOL;
        }
        return SCB_OK; /* no R-MAC on an error status word */
    }
    if (s->level & SCB_SCP03_R_MAC) {
        if (dlen < 8) {
            return SCB_E_SCP03_RMAC;
        }
        dlen -= 8;
        memcpy(macin, s->chain, 16);
        memcpy(macin + 16, rsp, dlen);
        macin[16 + dlen] = sw1;
        macin[17 + dlen] = sw2;
        if ((ret = scb_aes_cmac(s->s_rmac, s->keylen, macin, 18 + dlen, mac)) < 0) {
            return ret;
        }
        if (scb_ct_memcmp(mac, rsp + dlen, 8) != 0) {
            return SCB_E_SCP03_RMAC;
        }
    }
    if ((s->level & SCB_SCP03_R_ENC) && dlen > 0) {
        if (dlen % 16) {
            return SCB_E_SCP03_PROTOCOL;
        }
        counter_block(s->counter, 0x80, blk);
        if ((ret = scb_aes_ecb(s->s_enc, s->keylen, blk, icv)) < 0 ||
            (ret = scb_aes_cbc(s->s_enc, s->keylen, icv, 0, rsp, dlen, rsp)) < 0) {
            return ret;
        }
        while (dlen > 0 && rsp[dlen - 1] == 0x00) {
            dlen--;
        }
        if (dlen == 0 || rsp[dlen - 1] != 0x80) {
            return SCB_E_SCP03_PROTOCOL; /* bad padding: tampered ciphertext */
        }
        dlen--;
    }
    rsp[dlen] = sw1;
    rsp[dlen + 1] = sw2;
    *rlen = dlen + 2;
    return SCB_OK;
}

/* Send to the card and collect a whole response (61xx followed here: the R-MAC covers it). */
static int exchange(struct scp03 *s, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t cap,
                    size_t *rlen)
{
    int ret = scb_transport_transmit(s->inner, cmd, clen, rsp, cap, rlen);
    size_t have;
    if (ret < 0) {
        return ret;
    }
    for (int guard = 0; guard < 16 && *rlen >= 2 && rsp[*rlen - 2] == 0x61; guard++) {
        uint8_t gr[5] = {0, 0xC0, 0, 0, rsp[*rlen - 1]}, part[SCB_APDU_RSP_MAX];
        size_t plen;
        scb_apdu_cla_for_channel(0x00, s->channel, &gr[0]);
        have = *rlen - 2;
        if ((ret = scb_transport_transmit(s->inner, gr, sizeof(gr), part, sizeof(part), &plen)) <
            0) {
            return ret;
        }
        if (plen < 2 || have + plen > cap || have + plen > SCB_APDU_RSP_MAX) {
            return SCB_E_SCP03_PROTOCOL; /* a protected response never exceeds 256 + SW */
        }
        memcpy(rsp + have, part, plen);
        *rlen = have + plen;
    }
    return *rlen < 2 ? SCB_E_SHORT_RESPONSE : SCB_OK;
}

static int f_transmit(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                      size_t *rlen)
{
    struct scp03 *s = self;
    uint8_t wrapped[SCB_APDU_CMD_MAX + 16], buf[2 * SCB_APDU_RSP_MAX];
    size_t wlen, blen;
    int ret;

    if (passthrough(s, cmd, clen)) {
        return scb_transport_transmit(s->inner, cmd, clen, rsp, rcap, rlen);
    }
    if (s->broken) {
        return SCB_E_SCP03_RMAC;
    }
    if ((ret = wrap(s, cmd, clen, wrapped, &wlen)) < 0) {
        return ret;
    }
    ret = exchange(s, wrapped, wlen, buf, sizeof(buf), &blen);
    if (ret == SCB_OK) {
        ret = unwrap(s, buf, &blen);
    }
    if (ret <= SCB_E_SCP03_CRYPTOGRAM && ret >= SCB_E_CRYPTO) {
        s->broken = 1; /* a failed verification ends the session: never fall back */
    }
    if (ret == SCB_OK && blen > rcap) {
        ret = SCB_E_BUFFER;
    }
    if (ret == SCB_OK) {
        memcpy(rsp, buf, blen);
        *rlen = blen;
    }
    scb_util_zeroize(buf, sizeof(buf)); /* the plain response may hold secrets */
    return ret;
}

static int f_reconnect(void *self, int reset)
{
    struct scp03 *s = self;
    s->broken = 1; /* a reset ends the secure session */
    return scb_transport_reconnect(s->inner, reset);
}

static int f_status(void *self, struct scb_card_status *st)
{
    return scb_transport_status(((struct scp03 *)self)->inner, st);
}

static int f_begin(void *self)
{
    return scb_transport_begin(((struct scp03 *)self)->inner);
}

static int f_end(void *self)
{
    return scb_transport_end(((struct scp03 *)self)->inner);
}

static void f_destroy(void *self)
{
    struct scp03 *s = self;
    if (s) {
        scb_util_zeroize(s, sizeof(*s));
        free(s);
    }
}

static const struct scb_transport_ops filter_ops = {
    .name = "scp03",
    .transmit = f_transmit,
    .reconnect = f_reconnect,
    .status = f_status,
    .begin = f_begin,
    .end = f_end,
    .destroy = f_destroy,
};

void scb_scp03_set_counter(struct scb_transport *filter, uint32_t counter)
{
    if (filter && filter->ops == &filter_ops) {
        ((struct scp03 *)filter->self)->counter = counter;
    }
}

/* ---- authentication ----------------------------------------------------------------------- */

static int initialize_update(struct scb_card *c, struct scp03 *s, const struct scb_scp03_keys *k,
                             const uint8_t host_ch[8], uint8_t card_ch[8], uint8_t card_crypto[8])
{
    struct scb_apdu a = {.ins = 0x50, .p1 = k->kvn, .p2 = 0x00, .data = host_ch, .lc = 8,
                         .has_le = 1, .le = 256};
    uint8_t data[SCB_APDU_RSP_MAX];
    size_t dlen;
    uint16_t sw;
    int ret;

    if ((ret = scb_apdu_cla_for_channel(0x80, s->channel, &a.cla)) < 0 ||
        (ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw)) < 0) {
        return ret;
    }
    if (sw == 0x6D00 || sw == 0x6E00) {
        return SCB_E_SCP03_UNSUPPORTED; /* instruction / class not supported: no GP channel */
    }
    if (sw != 0x9000) {
        /* 6A88 (key version not found), 6982, 6985, ...: the card has a secure channel and
         * refuses it with these keys: a refusal, never a reason for plaintext (doc/protocol.md) */
        return SCB_E_SCP03_REFUSED;
    }
    /* key diversification (10) | KVN | 03 | i | card challenge (8) | card cryptogram (8) [| seq (3)] */
    if ((dlen != 29 && dlen != 32) || data[11] != 0x03) {
        return SCB_E_SCP03_PROTOCOL; /* another SCP (02?) or a malformed answer: no fallback */
    }
    if (data[12] & 0x01) {
        return SCB_E_SCP03_PROTOCOL; /* S16 mode (16-byte challenges) is not implemented */
    }
    memcpy(card_ch, data + 13, 8);
    memcpy(card_crypto, data + 21, 8);
    return SCB_OK;
}

static int derive(struct scp03 *s, const struct scb_scp03_keys *k, const uint8_t ctx[16])
{
    size_t bits = k->len * 8;
    int ret;
    if ((ret = scb_scp03_kdf(k->enc, k->len, KDF_S_ENC, bits, ctx, 16, s->s_enc)) < 0 ||
        (ret = scb_scp03_kdf(k->mac, k->len, KDF_S_MAC, bits, ctx, 16, s->s_mac)) < 0 ||
        (ret = scb_scp03_kdf(k->mac, k->len, KDF_S_RMAC, bits, ctx, 16, s->s_rmac)) < 0) {
        return ret;
    }
    s->keylen = k->len;
    return SCB_OK;
}

static int external_authenticate(struct scb_card *c, struct scp03 *s, const uint8_t host_crypto[8])
{
    uint8_t cmd[5 + 16], macin[16 + 5 + 8], mac[16], data[SCB_APDU_RSP_MAX];
    struct scb_apdu a = {.ins = 0x82, .p1 = s->level, .p2 = 0x00, .data = cmd + 5, .lc = 16};
    size_t dlen;
    uint16_t sw;
    int ret;

    if ((ret = scb_apdu_cla_for_channel(0x84, s->channel, &a.cla)) < 0) {
        return ret;
    }
    memcpy(macin, s->chain, 16); /* zero chaining value */
    macin[16] = 0x84;
    macin[17] = 0x82;
    macin[18] = s->level;
    macin[19] = 0x00;
    macin[20] = 0x10;
    memcpy(macin + 21, host_crypto, 8);
    if ((ret = scb_aes_cmac(s->s_mac, s->keylen, macin, sizeof(macin), mac)) < 0) {
        return ret;
    }
    memcpy(s->chain, mac, 16);
    memcpy(cmd + 5, host_crypto, 8);
    memcpy(cmd + 13, mac, 8);
    if ((ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw)) < 0) {
        return ret;
    }
    return sw == 0x9000 ? SCB_OK : SCB_E_SCP03_REFUSED;
}

void scb_scp03_opts_init(struct scb_scp03_opts *o)
{
    if (o == NULL) {
        return;
    }
    memset(o, 0, sizeof(*o));
    o->level = SCB_SCP03_LEVEL_DEFAULT;
}

int scb_scp03_open(struct scb_card *c, unsigned channel, const struct scb_scp03_keys *keys,
                   const struct scb_scp03_opts *o, struct scb_transport **filter)
{
    struct scp03 *s;
    uint8_t host_ch[8], card_ch[8], card_crypto[8], expect[8], host_crypto[8], ctx[16];
    uint8_t level = o && o->level ? o->level : SCB_SCP03_LEVEL_DEFAULT;
    int ret;

    if (c == NULL || keys == NULL || filter == NULL || channel > 19 ||
        (keys->len != 16 && keys->len != 24 && keys->len != 32) ||
        (level != 0x01 && level != 0x03 && level != 0x13 && level != 0x33)) {
        return SCB_E_INVALID_ARG;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        return SCB_E_NOMEM;
    }
    s->inner = scb_card_transport(c);
    s->channel = channel;
    s->level = level;
    ret = (o && o->rng) ? o->rng(o->rng_ctx, host_ch, 8) : scb_random(NULL, host_ch, 8);
    if (ret < 0) {
        goto fail;
    }
    if ((ret = initialize_update(c, s, keys, host_ch, card_ch, card_crypto)) < 0) {
        goto fail;
    }
    memcpy(ctx, host_ch, 8);
    memcpy(ctx + 8, card_ch, 8);
    if ((ret = derive(s, keys, ctx)) < 0 ||
        (ret = scb_scp03_kdf(s->s_mac, s->keylen, KDF_CARD_CRYPTO, 64, ctx, 16, expect)) < 0) {
        goto fail;
    }
    /* the card proves it holds the keys before we send anything derived from them */
    if (scb_ct_memcmp(expect, card_crypto, 8) != 0) {
        ret = SCB_E_SCP03_CRYPTOGRAM;
        goto fail;
    }
    if ((ret = scb_scp03_kdf(s->s_mac, s->keylen, KDF_HOST_CRYPTO, 64, ctx, 16, host_crypto)) <
            0 ||
        (ret = external_authenticate(c, s, host_crypto)) < 0) {
        goto fail;
    }
    if ((*filter = scb_transport_new(&filter_ops, s)) == NULL) {
        ret = SCB_E_NOMEM;
        goto fail;
    }
    ret = SCB_OK;
    goto out;
fail:
    f_destroy(s);
out:
    scb_util_zeroize(expect, sizeof(expect));
    scb_util_zeroize(host_crypto, sizeof(host_crypto));
    scb_util_zeroize(ctx, sizeof(ctx));
    return ret;
}

struct scb_scp03_guard {
    struct scb_scp03_keys keys;         /* a copy, zeroized on free */
    struct scb_scp03_opts opts;
    int required;
    int fell_back;
    struct scb_transport *saved, *filter;
};

int scb_scp03_guard_new(const struct scb_scp03_keys *keys, const struct scb_scp03_opts *o,
                        int required, struct scb_scp03_guard **out)
{
    struct scb_scp03_guard *g;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if (keys == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((g = calloc(1, sizeof(*g))) == NULL) {
        return SCB_E_NOMEM;
    }
    g->keys = *keys;
    if (o != NULL) {
        g->opts = *o;
    }
    g->required = required != 0;
    *out = g;
    return SCB_OK;
}

void scb_scp03_guard_free(struct scb_scp03_guard **g)
{
    if (g == NULL || *g == NULL) {
        return;
    }
    scb_transport_free(&(*g)->filter);
    scb_scp03_keys_clear(&(*g)->keys);
    scb_util_zeroize(*g, sizeof(**g));
    free(*g);
    *g = NULL;
}

int scb_scp03_guard_fell_back(const struct scb_scp03_guard *g)
{
    return g != NULL && g->fell_back;
}

int scb_scp03_guard_open(void *guard, struct scb_card *c, unsigned channel)
{
    struct scb_scp03_guard *g = guard;
    if (g == NULL || c == NULL) {
        return SCB_E_INVALID_ARG;
    }
    int ret = scb_scp03_open(c, channel, &g->keys, &g->opts, &g->filter);
    if (ret == SCB_E_SCP03_UNSUPPORTED && !g->required) {
        g->fell_back = 1; /* preferred: this card has no SCP03, go on in plaintext */
        return SCB_OK;
    }
    if (ret < 0) {
        return ret;
    }
    g->saved = scb_card_set_transport(c, g->filter);
    return SCB_OK;
}

void scb_scp03_guard_close(void *guard, struct scb_card *c)
{
    struct scb_scp03_guard *g = guard;
    if (g == NULL || c == NULL) {
        return;
    }
    if (g->saved) {
        scb_card_set_transport(c, g->saved);
        g->saved = NULL;
    }
    scb_transport_free(&g->filter);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_scp03.c: SCP03 known answers (doc/protocol.md's AES-128 vector, and AES-192/256 vectors
 * computed independently by tests/data/scp03_vectors.py): KDF, session keys, cryptograms,
 * EXTERNAL AUTHENTICATE, wrapped command, unwrapped response; and every refusal: wrong keys
 * (nothing sent after INITIALIZE UPDATE), tampered R-MAC or ciphertext, replayed response,
 * counter exhaustion, card removed, unsupported card; key files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../data/scp03_kat.h"
#include "../mock/mock_script.h"
#include "scboot/card.h"
#include "scboot/card_source.h"
#include "scboot/emu.h"
#include "scboot/scp03.h"
#include "scboot/util.h"
#include "scp03_internal.h"

static const struct scp03_kat *kats[] = {&kat_aes128, &kat_aes192, &kat_aes256};

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    assert_int_equal(scb_util_hex_decode(h, out, cap, &n), 0);
    return n;
}

static void expect_hex(const uint8_t *b, size_t n, const char *hex)
{
    char out[600];
    scb_util_hex_encode(b, n, out, sizeof(out));
    assert_string_equal(out, hex);
}

static int fixed_rng(void *ctx, uint8_t *buf, size_t len)
{
    const struct scp03_kat *k = ctx;
    size_t n;
    assert_int_equal(scb_util_hex_decode(k->host_challenge, buf, len, &n), 0);
    return 0;
}

static void keys_of(const struct scp03_kat *k, struct scb_scp03_keys *keys)
{
    memset(keys, 0, sizeof(*keys));
    unhex(k->key_enc, keys->enc, 32);
    unhex(k->key_mac, keys->mac, 32);
    unhex(k->key_dek, keys->dek, 32);
    keys->len = k->keylen;
    keys->kvn = 0x30;
}

static void test_kdf(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        const struct scp03_kat *k = kats[i];
        uint8_t key[32], ctx[16], out[32], smac[32];
        size_t kl = unhex(k->key_enc, key, sizeof(key));
        unhex(k->host_challenge, ctx, 8);
        uint8_t iu[64];
        unhex(k->iu_response, iu, sizeof(iu));
        memcpy(ctx + 8, iu + 13, 8); /* the card challenge */
        assert_int_equal(scb_scp03_kdf(key, kl, 0x04, kl * 8, ctx, 16, out), 0);
        expect_hex(out, kl, k->s_enc);
        unhex(k->key_mac, key, sizeof(key));
        assert_int_equal(scb_scp03_kdf(key, kl, 0x06, kl * 8, ctx, 16, smac), 0);
        expect_hex(smac, kl, k->s_mac);
        assert_int_equal(scb_scp03_kdf(key, kl, 0x07, kl * 8, ctx, 16, out), 0);
        expect_hex(out, kl, k->s_rmac);
        assert_int_equal(scb_scp03_kdf(smac, kl, 0x00, 64, ctx, 16, out), 0);
        expect_hex(out, 8, k->card_cryptogram);
        assert_int_equal(scb_scp03_kdf(smac, kl, 0x01, 64, ctx, 16, out), 0);
        expect_hex(out, 8, k->host_cryptogram);
    }
}

struct session {
    struct scb_transport *mock, *filter;
    struct scb_card *card;
    struct mock_apdu steps[8];
    char iu_cmd[64], iu_rsp[96], ea[64];
};

/* IU and EA steps of kat k, then `extra` steps; opens the filter (expect ret). */
static int open_session(struct session *s, const struct scp03_kat *k, const struct mock_apdu *extra,
                        size_t nextra, const struct scb_scp03_keys *keys_override)
{
    struct scb_scp03_keys keys;
    struct scb_scp03_opts o;
    scb_scp03_opts_init(&o);
    o.level = 0x33;
    o.rng = fixed_rng;
    o.rng_ctx = (void *)k;
    size_t n = 0;
    memset(s, 0, sizeof(*s));
    snprintf(s->iu_cmd, sizeof(s->iu_cmd), "8050300008%s00", k->host_challenge);
    snprintf(s->iu_rsp, sizeof(s->iu_rsp), "%s9000", k->iu_response);
    s->steps[n++] = (struct mock_apdu){s->iu_cmd, s->iu_rsp, 0};
    if (keys_override == NULL) {
        s->steps[n++] = (struct mock_apdu){k->ext_auth, "9000", 0};
    }
    for (size_t i = 0; i < nextra; i++) {
        s->steps[n++] = extra[i];
    }
    s->mock = mock_script_begin(s->steps, n);
    assert_int_equal(scb_card_new(s->mock, &s->card), 0);
    keys_of(k, &keys);
    int ret = scb_scp03_open(s->card, 0, keys_override ? keys_override : &keys, &o, &s->filter);
    scb_scp03_keys_clear(&keys);
    return ret;
}

static void close_session(struct session *s)
{
    scb_transport_free(&s->filter);
    scb_card_free(&s->card);
    mock_script_end(&s->mock);
}

static int send(struct session *s, const char *hex, uint8_t *rsp, size_t *rlen)
{
    uint8_t cmd[300];
    size_t n = unhex(hex, cmd, sizeof(cmd));
    return scb_transport_transmit(s->filter, cmd, n, rsp, 258, rlen);
}

static void test_kat_sessions(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        const struct scp03_kat *k = kats[i];
        struct session s;
        struct mock_apdu extra[] = {{k->wrapped, k->response, 0}};
        uint8_t rsp[258];
        size_t rl;
        assert_int_equal(open_session(&s, k, extra, 1, NULL), 0);
        assert_int_equal(send(&s, "80E2910006BF3E035C015A00", rsp, &rl), 0);
        expect_hex(rsp, rl, "CAFEBABE9000");
        close_session(&s);
    }
}

static void test_wrong_keys(void **state)
{
    (void)state;
    struct session s;
    struct scb_scp03_keys wrong;
    keys_of(&kat_aes128, &wrong);
    wrong.mac[0] ^= 1;
    /* only INITIALIZE UPDATE goes out: the mock fails on anything more */
    assert_int_equal(open_session(&s, &kat_aes128, NULL, 0, &wrong), SCB_E_SCP03_CRYPTOGRAM);
    assert_null(s.filter);
    close_session(&s);
}

static void tamper_case(const char *response, int second_cmd, int expect)
{
    struct session s;
    char rsp2[128];
    snprintf(rsp2, sizeof(rsp2), "%s", response);
    struct mock_apdu extra[] = {{kat_aes128.wrapped, rsp2, 0}, {NULL, rsp2, 0}};
    uint8_t rsp[258];
    size_t rl;
    assert_int_equal(open_session(&s, &kat_aes128, extra, second_cmd ? 2 : 1, NULL), 0);
    int ret = send(&s, "80E2910006BF3E035C015A00", rsp, &rl);
    if (second_cmd) {
        assert_int_equal(ret, 0);
        ret = send(&s, "80E2910006BF3E035C015A00", rsp, &rl);
    }
    assert_int_equal(ret, expect);
    /* after a refusal the session sends nothing more */
    assert_int_equal(send(&s, "80E2910006BF3E035C015A00", rsp, &rl), SCB_E_SCP03_RMAC);
    close_session(&s);
}

static void test_tampering(void **state)
{
    (void)state;
    char bad[128];
    size_t n = strlen(kat_aes128.response);
    /* R-MAC: flip a bit of its first byte */
    snprintf(bad, sizeof(bad), "%s", kat_aes128.response);
    bad[n - 4 - 16] = bad[n - 4 - 16] == '0' ? '1' : '0';
    tamper_case(bad, 0, SCB_E_SCP03_RMAC);
    /* ciphertext */
    snprintf(bad, sizeof(bad), "%s", kat_aes128.response);
    bad[0] = bad[0] == '0' ? '1' : '0';
    tamper_case(bad, 0, SCB_E_SCP03_RMAC);
    /* a response without its R-MAC */
    tamper_case("CAFE9000", 0, SCB_E_SCP03_RMAC);
    /* the same (valid) response replayed to the next command */
    tamper_case(kat_aes128.response, 1, SCB_E_SCP03_RMAC);
}

static void test_error_sw_and_passthrough(void **state)
{
    (void)state;
    struct session s;
    struct mock_apdu extra[] = {{kat_aes128.wrapped, "6A82", 0},
                                {"0070000001", "019000", 0},
                                {"01A4040C02AABB", "9000", 0}};
    uint8_t rsp[258];
    size_t rl;
    assert_int_equal(open_session(&s, &kat_aes128, extra, 3, NULL), 0);
    assert_int_equal(send(&s, "80E2910006BF3E035C015A00", rsp, &rl), 0);
    expect_hex(rsp, rl, "6A82"); /* no R-MAC on an error status word */
    /* MANAGE CHANNEL and commands on other channels pass unwrapped */
    assert_int_equal(send(&s, "0070000001", rsp, &rl), 0);
    assert_int_equal(send(&s, "01A4040C02AABB", rsp, &rl), 0);
    close_session(&s);
}

/* A 61xx chain longer than any protected response would overflow the R-MAC input buffer: it
 * is refused as malformed secure messaging. */
static void test_long_61xx_chain(void **state)
{
    (void)state;
    struct session s;
    static char part[600];
    memset(part, 'A', 2 * 200);
    memcpy(part + 400, "6164", 5);
    struct mock_apdu extra[] = {{kat_aes128.wrapped, "61C8", 0},
                                {"00C00000C8", part, 0},
                                {NULL, part, 0}};
    uint8_t rsp[258];
    size_t rl;
    assert_int_equal(open_session(&s, &kat_aes128, extra, 3, NULL), 0);
    assert_int_equal(send(&s, "80E2910006BF3E035C015A00", rsp, &rl), SCB_E_SCP03_PROTOCOL);
    close_session(&s);
}

static void test_counter_and_removal(void **state)
{
    (void)state;
    struct session s;
    struct mock_apdu extra[] = {{NULL, NULL, SCB_E_CARD_REMOVED}};
    uint8_t rsp[258];
    size_t rl;
    assert_int_equal(open_session(&s, &kat_aes128, extra, 1, NULL), 0);
    assert_int_equal(send(&s, "80E2910006BF3E035C015A00", rsp, &rl), SCB_E_CARD_REMOVED);
    scb_scp03_set_counter(s.filter, UINT32_MAX);
    assert_int_equal(send(&s, "80E2910006BF3E035C015A00", rsp, &rl), SCB_E_SCP03_COUNTER);
    close_session(&s);
}

static void test_unsupported_and_refused(void **state)
{
    (void)state;
    /* only 6D00 / 6E00 mean "no secure channel"; 6A88 (key version not found) and every
     * other refusal are refusals (doc/protocol.md, card behaviours) */
    static const struct {
        const char *sw;
        int expect;
    } sws[] = {{"6D00", SCB_E_SCP03_UNSUPPORTED}, {"6E00", SCB_E_SCP03_UNSUPPORTED},
               {"6A88", SCB_E_SCP03_REFUSED},     {"6982", SCB_E_SCP03_REFUSED},
               {"6985", SCB_E_SCP03_REFUSED},     {"6A86", SCB_E_SCP03_REFUSED}};
    for (size_t i = 0; i < sizeof(sws) / sizeof(sws[0]); i++) {
        struct mock_apdu steps[] = {{NULL, sws[i].sw, 0}};
        struct scb_transport *t = mock_script_begin(steps, 1);
        struct scb_card *c = NULL;
        struct scb_transport *f = NULL;
        struct scb_scp03_keys keys;
        keys_of(&kat_aes128, &keys);
        assert_int_equal(scb_card_new(t, &c), 0);
        assert_int_equal(scb_scp03_open(c, 0, &keys, NULL, &f), sws[i].expect);
        assert_null(f);
        scb_card_free(&c);
        mock_script_end(&t);
    }
    /* an SCP02 card (i = 02 in the answer): not SCP03, and not "no secure channel" either */
    {
        char rsp[128];
        snprintf(rsp, sizeof(rsp), "%s9000", "00000000000000000000300270" "0102030405060708"
                                             "0102030405060708");
        struct mock_apdu steps[] = {{NULL, rsp, 0}};
        struct scb_transport *t = mock_script_begin(steps, 1);
        struct scb_card *c = NULL;
        struct scb_transport *f = NULL;
        struct scb_scp03_keys keys;
        keys_of(&kat_aes128, &keys);
        assert_int_equal(scb_card_new(t, &c), 0);
        assert_int_equal(scb_scp03_open(c, 0, &keys, NULL, &f), SCB_E_SCP03_PROTOCOL);
        scb_card_free(&c);
        mock_script_end(&t);
    }
    /* EXTERNAL AUTHENTICATE refused */
    struct session s;
    memset(&s, 0, sizeof(s));
    struct scb_scp03_keys keys;
    keys_of(&kat_aes128, &keys);
    snprintf(s.iu_cmd, sizeof(s.iu_cmd), "8050300008%s00", kat_aes128.host_challenge);
    snprintf(s.iu_rsp, sizeof(s.iu_rsp), "%s9000", kat_aes128.iu_response);
    struct mock_apdu steps[] = {{s.iu_cmd, s.iu_rsp, 0}, {kat_aes128.ext_auth, "6300", 0}};
    struct scb_transport *t = mock_script_begin(steps, 2);
    struct scb_card *c = NULL;
    struct scb_transport *f = NULL;
    struct scb_scp03_opts o;
    scb_scp03_opts_init(&o);
    o.rng = fixed_rng;
    o.rng_ctx = (void *)&kat_aes128;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_scp03_open(c, 0, &keys, &o, &f), SCB_E_SCP03_REFUSED);
    scb_card_free(&c);
    mock_script_end(&t);
}

static void test_key_files(void **state)
{
    (void)state;
    struct scb_scp03_keys k;
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_scp03_keys_parse("# test keys\nenc=000102030405060708090A0B0C0D0E0F\n"
                                          "mac = 101112131415161718191A1B1C1D1E1F\n"
                                          "dek=202122232425262728292A2B2C2D2E2F # comment\n"
                                          "kvn=30\n",
                                          &k, err, sizeof(err)),
                     SCB_E_SCP03_KEYS); /* "mac = " with spaces around '=' is not the format */
    assert_int_equal(scb_scp03_keys_parse("enc=000102030405060708090A0B0C0D0E0F\n"
                                          "mac=101112131415161718191A1B1C1D1E1F\n"
                                          "dek=202122232425262728292A2B2C2D2E2F # comment\r\n"
                                          "kvn=30\n",
                                          &k, err, sizeof(err)),
                     0);
    assert_int_equal(k.len, 16);
    assert_int_equal(k.kvn, 0x30);
    assert_int_equal(k.dek[15], 0x2F);
    assert_int_equal(scb_scp03_keys_parse("enc=0001\nmac=0001\ndek=0001\n", &k, err, sizeof(err)),
                     SCB_E_SCP03_KEYS);
    assert_int_equal(scb_scp03_keys_parse("enc=000102030405060708090A0B0C0D0E0F\nmac="
                                          "000102030405060708090A0B0C0D0E0F0001020304050607\n"
                                          "dek=000102030405060708090A0B0C0D0E0F\n",
                                          &k, err, sizeof(err)),
                     SCB_E_SCP03_KEYS);
    assert_int_equal(scb_scp03_keys_parse("enc=00\nfoo=1\n", &k, err, sizeof(err)),
                     SCB_E_SCP03_KEYS);
    char path[] = "/tmp/scb-keys-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "enc=000102030405060708090A0B0C0D0E0F0001020304050607\n"
                        "mac=000102030405060708090A0B0C0D0E0F0001020304050607\n"
                        "dek=000102030405060708090A0B0C0D0E0F0001020304050607\n";
    assert_true(write(fd, text, sizeof(text) - 1) > 0);
    close(fd);
    chmod(path, 0600);
    assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), 0);
    assert_int_equal(k.len, 24);
    chmod(path, 0644);
    assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "chmod 600"));
    unlink(path);
    scb_scp03_keys_clear(&k);
    assert_int_equal(k.len, 0);
}

/* The loader's refusals: each one clean (nothing loaded, the reason in err), parse errors too. */
static void test_key_file_refusals(void **state)
{
    (void)state;
    struct scb_scp03_keys k, zero;
    char err[SCB_ERR_MAX], path[] = "/tmp/scb-keys-XXXXXX", link[64];
    static const char *bad[] = {
        "enc=000102030405060708090A0B0C0D0E0F\nmac=000102030405060708090A0B0C0D0E0F\n", /* no dek */
        ("enc=000102030405060708090A0B0C0D0E0F\nmac=000102030405060708090A0B0C0D0E0F\n"
         "dek=000102030405060708090A0B0C0D0E0G\n"), /* not hex, on a line holding a key */
        "enc=000102030405060708090A0B0C0D0E0F\nsecret stuff without equals\n",
        "enc=00010203\n"};
    memset(&zero, 0, sizeof(zero));
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bad[i], f);
        fclose(f);
        chmod(path, 0600);
        memset(&k, 0, sizeof(k));
        err[0] = '\0';
        assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), SCB_E_SCP03_KEYS);
        assert_memory_equal(&k, &zero, sizeof(k)); /* nothing half-loaded */
        assert_non_null(strstr(err, "key file"));
        assert_null(strstr(err, "0001020304")); /* the message never quotes key material */
        /* and the same content readable by others is refused before it is parsed */
        chmod(path, 0644);
        assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), SCB_E_UNSAFE);
        assert_non_null(strstr(err, "mode 644"));
        assert_non_null(strstr(err, "chmod 600"));
        chmod(path, 0640);
        assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), SCB_E_UNSAFE);
        assert_memory_equal(&k, &zero, sizeof(k));
    }
    /* a link to a good 0600 file is refused (opened with O_NOFOLLOW), a directory too */
    FILE *f = fopen(path, "w");
    fputs("enc=000102030405060708090A0B0C0D0E0F\nmac=000102030405060708090A0B0C0D0E0F\n"
          "dek=000102030405060708090A0B0C0D0E0F\n", f);
    fclose(f);
    chmod(path, 0600);
    assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), 0);
    scb_scp03_keys_clear(&k);
    snprintf(link, sizeof(link), "%s.lnk", path);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(scb_scp03_keys_load(link, &k, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "symbolic link"));
    unlink(link);
    assert_int_equal(scb_scp03_keys_load("/tmp", &k, err, sizeof(err)), SCB_E_UNSAFE);
    /* missing: the path and the system's reason */
    unlink(path);
    assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), SCB_E_IO);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file or directory"));
    /* oversized */
    f = fopen(path, "w");
    for (int i = 0; i < 600; i++) {
        fputs("# padding\n", f);
    }
    fclose(f);
    chmod(path, 0600);
    assert_int_equal(scb_scp03_keys_load(path, &k, err, sizeof(err)), SCB_E_TOO_LARGE);
    unlink(path);
}

/* ---- the whole walk against the emulator's independent card side ------------------------ */

static const char nrf_hex[] =
    "00010036000000003108002EC80025636F61703A2F2F6C657368616E2E65636C6970736570726F6A6563"
    "74732E696F3A35373833C10101C10203";

static struct scb_emu *scp_card(size_t keylen, const char *proto, const char *read, size_t pad)
{
    char json[1024], err[256], k[3][65];
    for (int i = 0; i < 3; i++) {
        uint8_t b[32];
        for (size_t j = 0; j < keylen; j++) {
            b[j] = (uint8_t)(0x10 * i + j);
        }
        scb_util_hex_encode(b, keylen, k[i], sizeof(k[i]));
    }
    snprintf(json, sizeof(json),
             "{\"protocol\":\"%s\",\"scp03\":{\"enc\":\"%s\",\"mac\":\"%s\",\"dek\":\"%s\"},"
             "\"lwm2m\":{\"hex\":\"%s\",\"read\":\"%s\",\"pad\":%zu}}",
             proto, k[0], k[1], k[2], nrf_hex, read, pad);
    struct scb_emu *e = NULL;
    if (scb_emu_load_json(json, NULL, &e, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
    return e;
}

static void card_keys(size_t keylen, struct scb_scp03_keys *keys)
{
    memset(keys, 0, sizeof(*keys));
    for (size_t j = 0; j < keylen; j++) {
        keys->enc[j] = (uint8_t)j;
        keys->mac[j] = (uint8_t)(0x10 + j);
        keys->dek[j] = (uint8_t)(0x20 + j);
    }
    keys->len = keylen;
}

static int read_with(struct scb_emu *e, const struct scb_scp03_keys *keys, int required,
                     struct scb_card_source_result **r, int *fell_back, unsigned level)
{
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    struct scb_scp03_guard *g = NULL;
    struct scb_scp03_opts so;
    scb_scp03_opts_init(&so);
    so.level = (uint8_t)level;
    if (keys) {
        assert_int_equal(scb_scp03_guard_new(keys, &so, required, &g), 0);
    }
    struct scb_card_source_opts o;
    scb_card_source_opts_init(&o);
    o.secure_open = scb_scp03_guard_open;
    o.secure_close = scb_scp03_guard_close;
    o.secure_ctx = g;
    assert_int_equal(scb_card_new(t, &c), 0);
    int ret = scb_card_source_read(c, keys ? &o : NULL, r, NULL, 0);
    assert_ptr_equal(scb_card_transport(c), t); /* the plain transport is back */
    *fell_back = scb_scp03_guard_fell_back(g);
    scb_scp03_guard_free(&g);
    assert_null(g);
    scb_card_free(&c);
    scb_transport_free(&t);
    return ret;
}

static void test_walk_over_scp03(void **state)
{
    (void)state;
    static const size_t lens[] = {16, 24, 32};
    static const unsigned levels[] = {0x33, 0x13, 0x03, 0x01};
    uint8_t f[128];
    size_t n;
    scb_util_hex_decode(nrf_hex, f, sizeof(f), &n);
    for (size_t i = 0; i < 3; i++) {
        for (int p = 0; p < 2; p++) {
            for (size_t l = 0; l < 4; l++) {
                struct scb_emu *e = scp_card(lens[i], p ? "T=1" : "T=0",
                                             levels[l] == 0x33 ? "scp03" : "always", 300);
                struct scb_scp03_keys keys;
                int fell_back = 0;
                struct scb_card_source_result *r = NULL;
                card_keys(lens[i], &keys);
                int ret = read_with(e, &keys, 1, &r, &fell_back, levels[l]);
                if (ret != 0) {
                    fail_msg("AES-%zu %s level %02X: %s", lens[i] * 8, p ? "T=1" : "T=0",
                             levels[l], scb_error_string(ret));
                }
                assert_true(scb_card_source_result_secured(r));
                assert_int_equal(scb_card_source_result_file_len(r), n);
                assert_memory_equal(scb_card_source_result_file(r), f, n);
                scb_card_source_result_free(&r);
                scb_emu_free(&e);
            }
        }
    }
}

static void test_walk_refusals(void **state)
{
    (void)state;
    struct scb_scp03_keys keys;
    int fell_back = 0;
    struct scb_card_source_result *r = NULL;
    /* the card refuses plain reads of the file */
    struct scb_emu *e = scp_card(16, "T=0", "scp03", 0);
    assert_int_equal(read_with(e, NULL, 1, &r, &fell_back, 0), SCB_E_SECURITY_STATUS);
    /* wrong keys: refused, required or preferred alike (only "no SCP03" falls back) */
    card_keys(16, &keys);
    keys.mac[3] ^= 0x40;
    assert_int_equal(read_with(e, &keys, 1, &r, &fell_back, 0), SCB_E_SCP03_CRYPTOGRAM);
    assert_int_equal(read_with(e, &keys, 0, &r, &fell_back, 0), SCB_E_SCP03_CRYPTOGRAM);
    assert_null(scb_card_source_result_file(r));
    /* a wrong ENC key passes authentication (cryptograms use MAC keys) but the card cannot
     * decrypt the first command: refused, nothing read */
    card_keys(16, &keys);
    keys.enc[3] ^= 0x40;
    assert_true(read_with(e, &keys, 1, &r, &fell_back, 0) < 0);
    assert_null(scb_card_source_result_file(r));
    scb_emu_free(&e);
    /* a card without SCP03: required fails, preferred reads in plaintext and says so */
    char err[SCB_ERR_MAX];
    assert_int_equal(scb_emu_load_json("{\"lwm2m\":{\"hex\":\"00000000\"}}", NULL, &e, err,
                                       sizeof(err)),
                     0);
    card_keys(16, &keys);
    assert_int_equal(read_with(e, &keys, 1, &r, &fell_back, 0), SCB_E_SCP03_UNSUPPORTED);
    assert_int_equal(read_with(e, &keys, 0, &r, &fell_back, 0), 0);
    assert_true(fell_back);
    assert_false(scb_card_source_result_secured(r));
    scb_card_source_result_free(&r);
    scb_emu_free(&e);
}

/* INITIALIZE UPDATE refused by the card, each SW under required and preferred: only 6D00 /
 * 6E00 let preferred go on in plaintext; the error names the key version and the SW. */
static void test_iu_refusals_required_preferred(void **state)
{
    (void)state;
    static const struct {
        const char *sw;
        int refused;
    } cases[] = {{"6A88", 1}, {"6982", 1}, {"6985", 1}, {"6D00", 0}, {"6E00", 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int required = 0; required < 2; required++) {
            char json[512], err[128];
            snprintf(json, sizeof(json),
                     "{\"protocol\":\"T=1\",\"scp03\":{"
                     "\"enc\":\"000102030405060708090A0B0C0D0E0F\","
                     "\"mac\":\"101112131415161718191A1B1C1D1E1F\",\"dek\":"
                     "\"202122232425262728292A2B2C2D2E2F\",\"initialize_update_sw\":\"%s\"},"
                     "\"lwm2m\":{\"hex\":\"%s\"}}",
                     cases[i].sw, nrf_hex);
            struct scb_emu *e = NULL;
            if (scb_emu_load_json(json, NULL, &e, err, sizeof(err)) < 0) {
                fail_msg("%s", err);
            }
            struct scb_scp03_keys keys;
            int fell_back = 0;
            struct scb_card_source_result *r = NULL;
            card_keys(16, &keys);
            keys.kvn = 0x30;
            int ret = read_with(e, &keys, required, &r, &fell_back, 0);
            if (cases[i].refused) {
                if (ret != SCB_E_SCP03_REFUSED) {
                    fail_msg("%s %s: %s", cases[i].sw, required ? "required" : "preferred",
                             scb_error_string(ret));
                }
                assert_false(fell_back);
                assert_null(scb_card_source_result_file(r));
                assert_non_null(strstr(scb_card_source_result_reason(r)->detail, "key version 30"));
                assert_int_equal(scb_card_source_result_reason(r)->step, SCB_CARD_STEP_SCP03);
                assert_non_null(strstr(scb_card_source_result_reason(r)->detail, cases[i].sw));
                uint16_t sw = (uint16_t)strtoul(cases[i].sw, NULL, 16);
                assert_int_equal(scb_card_source_result_reason(r)->sw, sw);
                /* nothing was read in plaintext after the refusal */
                for (size_t k = 0; k < scb_emu_log_count(e); k++) {
                    const uint8_t *cmd, *rsp;
                    size_t cl, rl;
                    scb_emu_log_entry(e, k, &cmd, &cl, &rsp, &rl);
                    /* the only READ BINARY is EF ICCID on the basic channel */
                    assert_false(cmd[1] == 0xB0 && (cmd[0] & 0x03) != 0);
                }
            } else if (required) {
                assert_int_equal(ret, SCB_E_SCP03_UNSUPPORTED);
                assert_non_null(strstr(scb_card_source_result_reason(r)->detail, cases[i].sw));
            } else {
                assert_int_equal(ret, 0);
                assert_true(fell_back);
                assert_false(scb_card_source_result_secured(r));
            }
            scb_card_source_result_free(&r);
            scb_emu_free(&e);
        }
    }
}

/* Wrapped commands with R-MAC carry Le 00: a T=1 card never answers 61xx, no GET RESPONSE. */
static void test_wrapped_le(void **state)
{
    (void)state;
    struct scb_emu *e = scp_card(16, "T=1", "scp03", 2);
    struct scb_scp03_keys keys;
    int fell_back = 0;
    struct scb_card_source_result *r = NULL;
    card_keys(16, &keys);
    assert_int_equal(read_with(e, &keys, 1, &r, &fell_back, 0), 0);
    assert_true(scb_card_source_result_secured(r));
    int wrapped = 0;
    for (size_t k = 0; k < scb_emu_log_count(e); k++) {
        const uint8_t *cmd, *rsp;
        size_t cl, rl;
        scb_emu_log_entry(e, k, &cmd, &cl, &rsp, &rl);
        assert_int_not_equal(cmd[1], 0xC0);      /* no GET RESPONSE */
        assert_int_not_equal(rsp[rl - 2], 0x61); /* no 61xx */
        if ((cmd[0] & 0x04) && cmd[1] != 0x82) {
            wrapped++;
            assert_int_equal(cl, 5u + cmd[4] + 1); /* case 4: Le present */
            assert_int_equal(cmd[cl - 1], 0x00);
        }
    }
    assert_true(wrapped >= 5);
    scb_card_source_result_free(&r);
    scb_emu_free(&e);
}

/* Remove, reset, or answer 6F00 at every APDU of the secure-channel read. */
static void test_scp03_fault_sweep(void **state)
{
    (void)state;
    struct scb_scp03_keys keys;
    unsigned covered = 0;
    card_keys(16, &keys);
    /* how many APDUs reach the card in a clean read */
    struct scb_emu *e = scp_card(16, "T=0", "scp03", 2);
    int fell_back = 0;
    struct scb_card_source_result *r = NULL;
    assert_int_equal(read_with(e, &keys, 1, &r, &fell_back, 0), 0);
    scb_card_source_result_free(&r);
    size_t total = scb_emu_log_count(e);
    scb_emu_free(&e);
    for (int kind = SCB_EMU_FAULT_REMOVE; kind <= SCB_EMU_FAULT_SW; kind++) {
        for (unsigned i = 0; i < total; i++) {
            e = scp_card(16, "T=0", "scp03", 2);
            scb_emu_set_fault(e, (enum scb_emu_fault)kind, kind == SCB_EMU_FAULT_SW ? i + 1 : i,
                              0x6F00);
            int ret = read_with(e, &keys, 1, &r, &fell_back, 0);
            if (kind == SCB_EMU_FAULT_RESET) {
                if (ret != 0) { /* reset: the walk and the session start again */
                    fail_msg("reset at %u: %s", i, scb_error_string(ret));
                }
                scb_card_source_result_free(&r);
            } else if (ret >= 0) {
                /* a 6F00 answered to the channel close after the data was read is reported */
                fail_msg("fault %d at %u: read succeeded", kind, i);
            } else {
                assert_null(scb_card_source_result_file(r));
            }
            scb_emu_free(&e);
            scb_card_source_result_free(&r);
            covered++;
        }
    }
    print_message("# SCP03 fault sweep: %u fault points over %zu APDUs\n", covered, total);
}

/* The opaque guard: NULL arguments refused, free NULL-safe, keys copied (the caller's copy may
 * be cleared at once), the hook refuses a NULL guard or card. */
static void test_guard_api(void **state)
{
    (void)state;
    struct scb_scp03_keys keys;
    struct scb_scp03_guard *g = (struct scb_scp03_guard *)&keys; /* set to NULL on error */
    card_keys(16, &keys);
    assert_int_equal(scb_scp03_guard_new(NULL, NULL, 1, &g), SCB_E_INVALID_ARG);
    assert_null(g);
    assert_int_equal(scb_scp03_guard_new(&keys, NULL, 1, NULL), SCB_E_INVALID_ARG);
    scb_scp03_guard_free(NULL);
    scb_scp03_guard_free(&g);
    assert_int_equal(scb_scp03_guard_fell_back(NULL), 0);
    assert_int_equal(scb_scp03_guard_open(NULL, NULL, 1), SCB_E_INVALID_ARG);
    scb_scp03_guard_close(NULL, NULL);

    /* keys copied: the read works after the caller cleared its own */
    assert_int_equal(scb_scp03_guard_new(&keys, NULL, 1, &g), 0);
    assert_non_null(g);
    scb_scp03_keys_clear(&keys);
    struct scb_emu *e = scp_card(16, "T=1", "scp03", 300);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    struct scb_card_source_result *r = NULL;
    struct scb_card_source_opts o;
    scb_card_source_opts_init(&o);
    o.secure_open = scb_scp03_guard_open;
    o.secure_close = scb_scp03_guard_close;
    o.secure_ctx = g;
    assert_int_equal(scb_card_new(t, &c), 0);
    assert_int_equal(scb_card_source_read(c, &o, &r, NULL, 0), 0);
    assert_true(scb_card_source_result_secured(r));
    assert_int_equal(scb_scp03_guard_fell_back(g), 0);
    assert_ptr_equal(scb_card_transport(c), t);
    scb_card_source_result_free(&r);
    scb_scp03_guard_free(&g);
    assert_null(g);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdf),
        cmocka_unit_test(test_kat_sessions),
        cmocka_unit_test(test_wrong_keys),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_error_sw_and_passthrough),
        cmocka_unit_test(test_counter_and_removal),
        cmocka_unit_test(test_long_61xx_chain),
        cmocka_unit_test(test_unsupported_and_refused),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_key_file_refusals),
        cmocka_unit_test(test_walk_over_scp03),
        cmocka_unit_test(test_walk_refusals),
        cmocka_unit_test(test_iu_refusals_required_preferred),
        cmocka_unit_test(test_wrapped_le),
        cmocka_unit_test(test_scp03_fault_sweep),
        cmocka_unit_test(test_guard_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench.c: APDUs and bytes on the wire for the card paths (first read, re-check without and
 * with a card event, read over SCP03) on T=0 and T=1 cards, for bootstrap files of 64 B, 1 KB,
 * 4 KB and 32 KB; decode + validate time per file. Counts come from the emulator's APDU log
 * (what a reader would carry, GET RESPONSEs inside the SCP03 filter included). No timing is
 * asserted anywhere: this prints a table (tests/bench/README.md has the command).
 *   scboot-bench               the tables
 *   scboot-bench --write DIR   also write the generated images (bench_<size>.bin)
 *   scboot-bench --once FILE   decode + validate FILE once (for callgrind / massif)
 */
#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scboot/at.h"
#include "scboot/bsfile.h"
#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/emu_modem.h"
#include "scboot/scp03.h"
#include "scboot/bootstrap.h"
#include "scboot/image.h"
#include "scboot/tlv.h"
#include "scboot/util.h"

static const size_t sizes[] = {64, 1024, 4096, 32768};

static double now_s(void);

/* A valid configuration of exactly `size` bytes: a BS account, server pairs, then filler. */
static int make_image(size_t size, struct scb_buf *out)
{
    struct scb_config cfg;
    struct scb_object *o;
    struct scb_instance *in;
    struct scb_resource *r;
    char uri[64];
    uint8_t v[8];
    scb_config_init(&cfg);
    scb_config_add_object(&cfg, 0, &o);
    scb_object_add_instance(o, 0, &in);
    scb_instance_add_resource(in, 0, &r);
    scb_resource_add_value(r, 0, (const uint8_t *)"coap://bs.example:5683", 22);
    scb_instance_add_resource(in, 1, &r);
    scb_resource_add_value(r, 0, (const uint8_t *)"\x01", 1);
    scb_instance_add_resource(in, 2, &r);
    scb_resource_add_value(r, 0, (const uint8_t *)"\x03", 1);
    for (uint16_t k = 1; k < 500; k++) {
        struct scb_buf probe = {0};
        scb_bsfile_encode(&cfg, 0, &probe);
        size_t have = probe.len;
        scb_buf_free(&probe);
        if (have + 120 > size) {
            break;
        }
        snprintf(uri, sizeof(uri), "coap://lwm2m-%u.example.com:5683", k);
        o = scb_config_object_mut(&cfg, 0);
        scb_object_add_instance(o, k, &in);
        scb_instance_add_resource(in, 0, &r);
        scb_resource_add_value(r, 0, (const uint8_t *)uri, strlen(uri));
        scb_instance_add_resource(in, 1, &r);
        scb_resource_add_value(r, 0, (const uint8_t *)"\x00", 1);
        scb_instance_add_resource(in, 2, &r);
        scb_resource_add_value(r, 0, (const uint8_t *)"\x03", 1);
        scb_instance_add_resource(in, 10, &r);
        scb_resource_add_value(r, 0, v, scb_model_encode_int(k, v));
        scb_config_add_object(&cfg, 1, &o);
        scb_object_add_instance(o, k, &in);
        scb_instance_add_resource(in, 0, &r);
        scb_resource_add_value(r, 0, v, scb_model_encode_int(k, v));
        scb_instance_add_resource(in, 1, &r);
        scb_resource_add_value(r, 0, v, scb_model_encode_int(86400, v));
        scb_instance_add_resource(in, 6, &r);
        scb_resource_add_value(r, 0, (const uint8_t *)"\x00", 1);
        scb_instance_add_resource(in, 7, &r);
        scb_resource_add_value(r, 0, (const uint8_t *)"U", 1);
    }
    /* filler: an object the model keeps raw, sized to hit `size` exactly */
    struct scb_buf probe = {0};
    scb_bsfile_encode(&cfg, 0, &probe);
    size_t have = probe.len;
    scb_buf_free(&probe);
    static uint8_t fill[32768];
    memset(fill, 0xA5, sizeof(fill));
    for (size_t l = 0; have < size && l + have < size; l++) {
        struct scb_config t;
        scb_config_copy(&t, &cfg);
        scb_config_add_object(&t, 10000, &o);
        scb_object_add_instance(o, 0, &in);
        scb_instance_add_resource(in, 0, &r);
        scb_resource_add_value(r, 0, fill, l);
        struct scb_buf b = {0};
        scb_bsfile_encode(&t, 0, &b);
        if (b.len == size) {
            scb_config_free(&cfg);
            scb_config_free(&t);
            *out = b;
            return 0;
        }
        scb_buf_free(&b);
        scb_config_free(&t);
    }
    int ret = scb_bsfile_encode(&cfg, 0, out);
    scb_config_free(&cfg);
    return ret == 0 && out->len == size ? 0 : -1;
}

static struct scb_emu *card(const struct scb_buf *img, int t1, int scp)
{
    size_t hl = 2 * img->len + 1;
    char *hex = malloc(hl), *json = malloc(hl + 512), err[256];
    struct scb_emu *e = NULL;
    scb_util_hex_encode(img->data, img->len, hex, hl);
    snprintf(json, hl + 512,
             "{\"protocol\":\"%s\",%s\"lwm2m\":{\"hex\":\"%s\",\"pkcs15_first\":false,"
             "\"read\":\"%s\"}}",
             t1 ? "T=1" : "T=0",
             scp ? "\"scp03\":{\"enc\":\"000102030405060708090A0B0C0D0E0F\",\"mac\":"
                   "\"101112131415161718191A1B1C1D1E1F\",\"dek\":"
                   "\"202122232425262728292A2B2C2D2E2F\"},"
                 : "",
             hex, scp ? "scp03" : "always");
    if (scb_emu_load_json(json, NULL, &e, err, sizeof(err)) < 0) {
        fprintf(stderr, "profile: %s\n", err);
        exit(1);
    }
    free(hex);
    free(json);
    return e;
}

struct wire {
    size_t apdus, bytes;
};

static struct wire wire_since(struct scb_emu *e, size_t from)
{
    struct wire w = {0, 0};
    for (size_t k = from; k < scb_emu_log_count(e); k++) {
        const uint8_t *c, *r;
        size_t cl, rl;
        scb_emu_log_entry(e, k, &c, &cl, &r, &rl);
        w.apdus++;
        w.bytes += cl + rl;
    }
    return w;
}

static void card_paths(const struct scb_buf *img, int t1, size_t size)
{
    char dir[] = "/tmp/scb-bench-XXXXXX", err[256], cmd[64];
    struct scb_emu *e = card(img, t1, 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    struct scb_store *st;
    struct scb_bootstrap_opts bo;
    struct scb_bootstrap *b = NULL;
    struct scb_run_result res;
    enum scb_bootstrap_outcome o;

    if (mkdtemp(dir) == NULL || scb_store_open(dir, 0, &st, err, sizeof(err)) < 0) {
        exit(1);
    }
    if (scb_card_new(t, &c) < 0) {
        exit(1);
    }
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = c;
    if (scb_bootstrap_new(&bo, &b) < 0) {
        exit(1);
    }
    size_t mark = scb_emu_log_count(e);
    if (scb_bootstrap_run(b, &res, NULL, 0) < 0 || res.card != SCB_BOOTSTRAP_CARD_APPLIED) {
        fprintf(stderr, "bench: %zu-byte card not applied\n", size);
        exit(1);
    }
    struct wire first = wire_since(e, mark);
    mark = scb_emu_log_count(e);
    scb_bootstrap_check_card(b, &o, NULL, 0);
    struct wire quiet = wire_since(e, mark);
    scb_emu_reset(e);
    mark = scb_emu_log_count(e);
    scb_bootstrap_check_card(b, &o, NULL, 0);
    struct wire event = wire_since(e, mark);
    scb_bootstrap_free(&b);
    scb_store_free(&st);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        exit(1);
    }
    /* over SCP03, level 33 */
    struct scb_scp03_keys keys;
    struct scb_scp03_guard *g = NULL;
    if (scb_scp03_keys_parse("enc=000102030405060708090A0B0C0D0E0F\n"
                             "mac=101112131415161718191A1B1C1D1E1F\n"
                             "dek=202122232425262728292A2B2C2D2E2F\n", &keys, NULL, 0) < 0 ||
        scb_scp03_guard_new(&keys, NULL, 1, &g) < 0) {
        exit(1);
    }
    scb_scp03_keys_clear(&keys);
    struct scb_card_source_opts ro;
    scb_card_source_opts_init(&ro);
    ro.secure_open = scb_scp03_guard_open;
    ro.secure_close = scb_scp03_guard_close;
    ro.secure_ctx = g;
    struct scb_card_source_result *r = NULL;
    e = card(img, t1, 1);
    t = scb_emu_transport(e);
    scb_card_free(&c);
    if (scb_card_new(t, &c) < 0) {
        exit(1);
    }
    if (scb_card_source_read(c, &ro, &r, NULL, 0) < 0 || scb_card_source_result_file_len(r) != size) {
        fprintf(stderr, "bench: SCP03 read of %zu bytes failed\n", size);
        exit(1);
    }
    struct wire scp = wire_since(e, 0);
    scb_card_source_result_free(&r);
    scb_scp03_guard_free(&g);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
    printf("| %6zu B | %s | %3zu APDUs, %6zu B | %zu | %2zu APDUs, %5zu B | %3zu APDUs, %6zu B |\n",
           size, t1 ? "T=1" : "T=0", first.apdus, first.bytes, quiet.apdus, event.apdus,
           event.bytes, scp.apdus, scp.bytes);
}

/* ---- the doc/design.md target, per card class --------------------------------------------- */

static struct scb_emu *class_card(const struct scb_buf *img, const char *proto, const char *sr,
                                  size_t keylen)
{
    size_t hl = 2 * img->len + 1;
    char *hex = malloc(hl), *json = malloc(hl + 1024), err[256], k[3][65];
    struct scb_emu *e = NULL;
    for (int i = 0; i < 3; i++) {
        for (size_t j = 0; j < keylen; j++) {
            snprintf(k[i] + 2 * j, 3, "%02X", (unsigned)(0x10 * i + j));
        }
    }
    scb_util_hex_encode(img->data, img->len, hex, hl);
    char scp[300] = "";
    if (keylen) {
        snprintf(scp, sizeof(scp), "\"scp03\":{\"enc\":\"%s\",\"mac\":\"%s\",\"dek\":\"%s\"},",
                 k[0], k[1], k[2]);
    }
    snprintf(json, hl + 1024,
             "{\"protocol\":\"%s\",\"short_read\":\"%s\",%s\"lwm2m\":{\"hex\":\"%s\","
             "\"pkcs15_first\":false,\"read\":\"%s\"}}",
             proto, sr, scp, hex, keylen ? "scp03" : "always");
    if (scb_emu_load_json(json, NULL, &e, err, sizeof(err)) < 0) {
        fprintf(stderr, "profile: %s\n", err);
        exit(1);
    }
    free(hex);
    free(json);
    return e;
}

/* One cold read (plain, or over SCP03 level 33 with keys of keylen bytes): APDUs on the wire. */
/* The AT path: the modem simulator on a pseudo-terminal (a thread serves it) in front of the
 * card; what the read cost in AT commands to the card and in wall time. */
struct modem_run {
    struct scb_emu_modem_opts o;
    unsigned cmds;      /* AT commands that reached the card */
    double wall_s;
    /* set up by modem_up() */
    struct scb_emu_modem *m;
    int master, slave;
    pthread_t th;
    volatile int stop;
};

static void *modem_serve(void *arg)
{
    struct modem_run *mr = arg;
    while (!mr->stop) {
        scb_emu_modem_serve(mr->m, mr->master, 20);
    }
    return NULL;
}

static struct scb_transport *modem_up(struct modem_run *mr, struct scb_emu *e)
{
    struct termios tio;
    struct scb_at_opts o;
    struct scb_transport *t = NULL;
    char err[SCB_ERR_MAX];
    mr->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (mr->master < 0 || grantpt(mr->master) < 0 || unlockpt(mr->master) < 0 ||
        scb_emu_modem_new(e, &mr->o, &mr->m) < 0) {
        exit(1);
    }
    scb_at_opts_init(&o);
    snprintf(o.device, sizeof(o.device), "%s", ptsname(mr->master));
    o.lock = 0;
    mr->slave = open(o.device, O_RDWR | O_NOCTTY);
    tcgetattr(mr->slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(mr->slave, TCSANOW, &tio);
    mr->stop = 0;
    pthread_create(&mr->th, NULL, modem_serve, mr);
    if (scb_at_open(&o, &t, err, sizeof(err)) < 0) {
        fprintf(stderr, "bench: modem: %s\n", err);
        exit(1);
    }
    return t;
}

static void modem_down(struct modem_run *mr, struct scb_transport **t)
{
    mr->cmds = scb_at_card_commands(*t);
    scb_transport_free(t);
    mr->stop = 1;
    pthread_join(mr->th, NULL);
    close(mr->slave);
    close(mr->master);
    scb_emu_modem_free(&mr->m);
}

static struct wire class_read_on(const struct scb_buf *img, const char *proto, const char *sr,
                                 size_t keylen, struct modem_run *mr)
{
    struct scb_emu *e = class_card(img, proto, sr, keylen);
    struct scb_transport *t = mr ? modem_up(mr, e) : scb_emu_transport(e);
    struct scb_card *c = NULL;
    double t0 = now_s();
    struct scb_scp03_keys keys;
    struct scb_card_source_result *r = NULL;
    memset(&keys, 0, sizeof(keys));
    for (size_t j = 0; j < keylen; j++) {
        keys.enc[j] = (uint8_t)j;
        keys.mac[j] = (uint8_t)(0x10 + j);
        keys.dek[j] = (uint8_t)(0x20 + j);
    }
    keys.len = keylen;
    struct scb_scp03_guard *g = NULL;
    struct scb_card_source_opts ro;
    scb_card_source_opts_init(&ro);
    if (keylen) {
        if (scb_scp03_guard_new(&keys, NULL, 1, &g) < 0) {
            exit(1);
        }
        ro.secure_open = scb_scp03_guard_open;
        ro.secure_close = scb_scp03_guard_close;
        ro.secure_ctx = g;
    }
    if (scb_card_new(t, &c) < 0) {
        exit(1);
    }
    if (scb_card_source_read(c, &ro, &r, NULL, 0) < 0 || scb_card_source_result_file_len(r) != img->len) {
        fprintf(stderr, "bench: %s/%s read failed: %s\n", proto, sr, scb_card_source_result_reason(r)->detail);
        exit(1);
    }
    struct wire w = wire_since(e, 0);
    scb_card_source_result_free(&r);
    scb_scp03_guard_free(&g);
    scb_card_free(&c);
    if (mr) {
        mr->wall_s = now_s() - t0;
        modem_down(mr, &t);
    } else {
        scb_transport_free(&t);
    }
    scb_emu_free(&e);
    return w;
}

static struct wire class_read(const struct scb_buf *img, const char *proto, const char *sr,
                              size_t keylen)
{
    return class_read_on(img, proto, sr, keylen, NULL);
}

/* A cold read of the 1136-byte file through a modem at 115200 baud with a per-command
 * latency; the modem passing 61xx/6Cxx through, or fetching them itself. */
static void modem_classes(void)
{
    static const unsigned latencies[] = {0, 20};
    struct scb_buf img = {0};
    if (make_image(1136, &img) < 0) {
        exit(1);
    }
    printf("\nCold read of the 1136-byte file through the simulated modem (AT+CSIM/+CCHO/+CGLA on "
           "a pty, 115200 baud byte time simulated): AT commands to the card (limit: the PC/SC "
           "APDU limit) and wall time\n\n"
           "| card | modem | SCP03 | commands to the card (limit) | APDUs the card saw | "
           "wall, 0 ms latency | wall, 20 ms latency |\n|---|---|---|---|---|---|---|\n");
    for (int t1 = 0; t1 < 2; t1++) {
        for (int fetch = 0; fetch < 2; fetch++) {
            for (size_t keylen = 0; keylen <= 16; keylen += 16) {
                struct modem_run mr[2];
                struct wire w = {0};
                for (int k = 0; k < 2; k++) {
                    memset(&mr[k], 0, sizeof(mr[k]));
                    scb_emu_modem_opts_init(&mr[k].o);
                    mr[k].o.baud = 115200;
                    mr[k].o.latency_ms = latencies[k];
                    mr[k].o.fetch_61xx = fetch;
                    w = class_read_on(&img, t1 ? "T=1" : "T=0", t1 ? "6282" : "6Cxx", keylen,
                                      &mr[k]);
                }
                unsigned lim = keylen ? (t1 ? 19 : 30) : (t1 ? 17 : 19);
                printf("| %s | %s | %s | %u (%u)%s | %zu | %.0f ms | %.0f ms |\n",
                       t1 ? "T=1" : "T=0", fetch ? "fetches 61xx" : "passes 61xx/6Cxx",
                       keylen ? "level 33" : "none", mr[0].cmds, lim,
                       mr[0].cmds > lim ? " MISSED" : "", w.apdus, mr[0].wall_s * 1e3,
                       mr[1].wall_s * 1e3);
            }
        }
    }
    scb_buf_free(&img);
}

/* --verify always: what one check of an unchanged card costs (a re-read along the known path). */
static struct wire verify_cost(const struct scb_buf *img, const char *proto, const char *sr)
{
    char dir[] = "/tmp/scb-bench-XXXXXX", err[256], cmd[64];
    struct scb_emu *e = class_card(img, proto, sr, 0);
    struct scb_transport *t = scb_emu_transport(e);
    struct scb_card *c = NULL;
    struct scb_store *st;
    struct scb_bootstrap_opts bo;
    struct scb_bootstrap *b = NULL;
    struct scb_run_result res;
    enum scb_bootstrap_outcome o;
    if (mkdtemp(dir) == NULL || scb_store_open(dir, 0, &st, err, sizeof(err)) < 0) {
        exit(1);
    }
    if (scb_card_new(t, &c) < 0) {
        exit(1);
    }
    scb_bootstrap_opts_init(&bo);
    bo.store = st;
    bo.card = c;
    bo.verify = SCB_VERIFY_ALWAYS;
    if (scb_bootstrap_new(&bo, &b) < 0 || scb_bootstrap_run(b, &res, NULL, 0) < 0 ||
        res.card != SCB_BOOTSTRAP_CARD_APPLIED) {
        exit(1);
    }
    size_t mark = scb_emu_log_count(e);
    if (scb_bootstrap_check_card(b, &o, NULL, 0) < 0 || o != SCB_BOOTSTRAP_CARD_UNCHANGED) {
        exit(1);
    }
    struct wire w = wire_since(e, mark);
    scb_bootstrap_free(&b);
    scb_store_free(&st);
    scb_card_free(&c);
    scb_transport_free(&t);
    scb_emu_free(&e);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        exit(1);
    }
    return w;
}

static void card_classes(void)
{
    static const struct {
        const char *proto, *sr, *what;
    } cls[] = {{"T=0", "6Cxx", "T=0, short read 6Cxx"},
               {"T=0", "6282", "T=0, short read 6282"},
               {"T=0", "9000", "T=0, short read 9000"},
               {"T=1", "6282", "T=1, short read 6282"},
               {"T=1", "9000", "T=1, short read 9000 (Le=00)"}};
    struct scb_buf img = {0};
    if (make_image(1136, &img) < 0) {
        fprintf(stderr, "bench: cannot build a 1136-byte image\n");
        exit(1);
    }
    printf("\nCold read of a 1136-byte file, ICCID and EF DIR included, USIM listed before "
           "PKCS#15 (doc/design.md target), per card class; APDUs on the wire\n\n"
           "| card class | plain (limit) | SCP03 level 33, AES-128 (limit) | SCP03 level 33, "
           "AES-256 (limit) | re-check with --verify always, unchanged card |\n"
           "|---|---|---|---|---|\n");
    for (size_t k = 0; k < sizeof(cls) / sizeof(cls[0]); k++) {
        int t1 = cls[k].proto[2] == '1';
        struct wire p = class_read(&img, cls[k].proto, cls[k].sr, 0);
        struct wire a = class_read(&img, cls[k].proto, cls[k].sr, 16);
        struct wire b = class_read(&img, cls[k].proto, cls[k].sr, 32);
        struct wire v = verify_cost(&img, cls[k].proto, cls[k].sr);
        unsigned lp = t1 ? 17 : 19, ls = t1 ? 19 : 30;
        printf("| %s | %zu (%u)%s | %zu (%u)%s | %zu (%u)%s | %zu APDUs, %zu B |\n", cls[k].what,
               p.apdus, lp, p.apdus > lp ? " MISSED" : "", a.apdus, ls,
               a.apdus > ls ? " MISSED" : "", b.apdus, ls, b.apdus > ls ? " MISSED" : "",
               v.apdus, v.bytes);
    }
    scb_buf_free(&img);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void decode_speed(const struct scb_buf *img)
{
    struct scb_profile p;
    scb_profile_default(&p);
    unsigned n = img->len > 8192 ? 2000 : 20000;
    double t0 = now_s();
    for (unsigned k = 0; k < n; k++) {
        struct scb_config cfg;
        struct scb_report rep = {0};
        scb_config_init(&cfg);
        scb_image_validate(img->data, img->len, &p, SCB_SRC_CARD, &cfg, &rep);
        scb_report_free(&rep);
        scb_config_free(&cfg);
    }
    double per = (now_s() - t0) / n;
    printf("| %6zu B | %8.1f us | %7.1f MB/s |\n", img->len, per * 1e6,
           (double)img->len / per / 1e6);
}

static int once(const char *path)
{
    uint8_t *d;
    size_t n;
    struct scb_config cfg;
    struct scb_report rep = {0};
    if (scb_util_read_file(path, 65536, &d, &n) < 0) {
        return 1;
    }
    scb_config_init(&cfg);
    int ret = scb_image_validate(d, n, NULL, SCB_SRC_CARD, &cfg, &rep);
    printf("%s: %zu bytes, %s, %zu violations\n", path, n, ret == 0 ? "decoded" : "malformed",
           rep.n);
    scb_report_free(&rep);
    scb_config_free(&cfg);
    free(d);
    return 0;
}

int main(int argc, char **argv)
{
    const char *write_dir = NULL;
    if (argc == 3 && strcmp(argv[1], "--once") == 0) {
        return once(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        write_dir = argv[2];
    }
    printf("APDUs and bytes on the wire (emulated UICC, USIM listed before PKCS#15 in EF DIR)\n\n"
           "| file | card | first full read | re-check, no card event | re-check after a card "
           "event | read over SCP03 (level 33) |\n|---|---|---|---|---|---|\n");
    struct scb_buf imgs[4] = {{0}};
    for (size_t s = 0; s < 4; s++) {
        if (make_image(sizes[s], &imgs[s]) < 0) {
            fprintf(stderr, "bench: cannot build a %zu-byte image\n", sizes[s]);
            return 1;
        }
        if (write_dir) {
            char p[512];
            snprintf(p, sizeof(p), "%s/bench_%zu.bin", write_dir, sizes[s]);
            FILE *f = fopen(p, "wb");
            if (f) {
                fwrite(imgs[s].data, 1, imgs[s].len, f);
                fclose(f);
            }
        }
        for (int t1 = 0; t1 < 2; t1++) {
            card_paths(&imgs[s], t1, sizes[s]);
        }
    }
    card_classes();
    modem_classes();
    printf("\nDecode + validate (scb_image_validate), wall time per file\n\n"
           "| file | per file | throughput |\n|---|---|---|\n");
    for (size_t s = 1; s < 4; s += 2) {
        decode_speed(&imgs[s]);
    }
    for (size_t s = 0; s < 4; s++) {
        scb_buf_free(&imgs[s]);
    }
    return 0;
}

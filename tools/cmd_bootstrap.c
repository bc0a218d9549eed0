/*
 * cmd_bootstrap.c: `scboot bootstrap`: network bootstrap over CoAP. Client-initiated
 * (--server URI --endpoint NAME: POST /bs?ep=NAME, then the server's operations) or
 * server-initiated (--listen [ADDR:]PORT). Exit 0 committed, 1 rejected or timed out,
 * 3 network error.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "cli.h"
#include "cli_misc.h"
#include "scboot/sequence.h"
#include "scboot/util.h"
#ifdef SCBOOT_HAVE_COAP
#include "scboot/coap.h"
#endif

static const char usage_text[] =
    "scboot bootstrap --server URI --endpoint NAME | --listen [ADDR:]PORT\n"
    "                 [--state-dir D] [--no-acl|--profile P] [--once] [--exchange-lifetime S]\n"
    "                 [--psk-identity ID --psk-key-file F] [--pct FORMAT]\n"
    "                 [-r READER] [--factory F] [--pin PIN]   (smartcard/factory first)";

enum { OPT_SERVER = 700, OPT_EP, OPT_LISTEN, OPT_STATE, OPT_NO_ACL, OPT_PROFILE, OPT_ONCE,
       OPT_LIFETIME, OPT_PSK_ID, OPT_PSK_FILE, OPT_PCT, OPT_FACTORY, OPT_PIN };

int cmd_bootstrap(struct cli *c, int argc, char **argv)
{
#ifndef SCBOOT_HAVE_COAP
    (void)argc;
    (void)argv;
    return cli_fail(c, SCB_E_UNSUPPORTED, "built without libcoap (install libcoap3-dev)");
#else
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"server", required_argument, NULL, OPT_SERVER},
        {"endpoint", required_argument, NULL, OPT_EP},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"state-dir", required_argument, NULL, OPT_STATE},
        {"no-acl", no_argument, NULL, OPT_NO_ACL},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"once", no_argument, NULL, OPT_ONCE},
        {"exchange-lifetime", required_argument, NULL, OPT_LIFETIME},
        {"psk-identity", required_argument, NULL, OPT_PSK_ID},
        {"psk-key-file", required_argument, NULL, OPT_PSK_FILE},
        {"pct", required_argument, NULL, OPT_PCT},
        {"factory", required_argument, NULL, OPT_FACTORY},
        {"pin", required_argument, NULL, OPT_PIN},
        {0, 0, 0, 0}};
    const char *factory = NULL, *pin = NULL;
    struct scb_coap_opts o;
    const char *state = SCB_STATE_DIR_DEFAULT;
    uint8_t *key = NULL;
    size_t keylen = 0;
    char err[300];
    int opt, ret, committed = 0;

    memset(&o, 0, sizeof(o));
    o.pct = -1;
    scb_profile_default(&o.profile);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\nNetwork bootstrap over CoAP (LwM2M Bootstrap interface): the "
                   "Bootstrap-Server's\nWrite/Delete/Discover/Read go to a staging copy; "
                   "Finish runs the consistency\nvalidator: 2.04 and commit, or 4.06 with the "
                   "violations. coaps:// uses DTLS PSK\n(from the Bootstrap-Server account, or "
                   "--psk-identity/--psk-key-file; the key file\nholds the key as hex).\n"
                   "exit: 0 committed, 1 rejected or timed out, 3 network error\n",
                   usage_text);
            return EXIT_OK;
        case OPT_SERVER: o.server_uri = optarg; break;
        case OPT_EP: o.endpoint = optarg; break;
        case OPT_LISTEN: o.listen = optarg; break;
        case OPT_STATE: state = optarg; break;
        case OPT_NO_ACL: scb_profile_no_acl(&o.profile); break;
        case OPT_PROFILE:
            if ((ret = cli_load_profile(c, optarg, &o.profile)) != 0) {
                return ret;
            }
            break;
        case OPT_ONCE: o.once = 1; break;
        case OPT_LIFETIME: {
            char *end;
            unsigned long s = strtoul(optarg, &end, 10);
            if (*end || s == 0 || s > 86400) {
                return cli_bad_value(c, "--exchange-lifetime", optarg,
                                     "must be 1 to 86400 seconds");
            }
            o.exchange_lifetime_ms = s * 1000u;
            break;
        }
        case OPT_PSK_ID:
            o.psk_identity = (const uint8_t *)optarg;
            o.psk_identity_len = strlen(optarg);
            break;
        case OPT_PSK_FILE: {
            char *text;
            size_t n;
            if (scb_read_text(optarg, 4096, &text, &n) < 0) {
                return cli_fail(c, SCB_E_INVALID_ARG, "cannot read PSK key file '%s'", optarg);
            }
            free(key); /* the option given twice: the last one counts */
            if ((key = malloc(n / 2 + 1)) == NULL) {
                mbedtls_platform_zeroize(text, n);
                free(text);
                return cli_fail(c, SCB_E_NOMEM, "out of memory");
            }
            ret = scb_hex_decode(text, key, n / 2 + 1, &keylen);
            mbedtls_platform_zeroize(text, n);
            free(text);
            if (ret < 0 || keylen == 0) {
                free(key);
                return cli_fail(c, SCB_E_INVALID_ARG, "PSK key file '%s': expected hex", optarg);
            }
            o.psk_key = key;
            o.psk_key_len = keylen;
            break;
        }
        case OPT_PCT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || !*optarg || v < 0 || v > 65535) {
                return cli_bad_value(c, "--pct", optarg, "must be a content format 0 to 65535");
            }
            o.pct = (int)v;
            break;
        }
        case OPT_FACTORY: factory = optarg; break;
        case OPT_PIN: pin = optarg; break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                return cli_usage(c, usage_text);
            }
        }
    }
    if (c->json) {
        free(key);
        return cli_refuse_json(c, "the exchange is logged as lines; `scboot status --json` "
                                  "shows what was committed");
    }
    if (optind != argc || (o.listen == NULL) == (o.server_uri == NULL) ||
        (o.psk_identity == NULL) != (o.psk_key == NULL)) {
        free(key);
        return cli_usage(c, usage_text);
    }
    struct scb_store *st = NULL;
    if ((ret = scb_store_open(state, 2000, &st, err, sizeof(err))) < 0) {
        free(key);
        return cli_fail(c, ret, "%s", err);
    }
    o.log = cli_log;
    o.log_ctx = c;
    if (c->reader || factory) {
        /* 6.1.4: Bootstrap-Server operations are ignored until smartcard and factory
         * bootstrap were tried, so run those steps first */
        struct scb_bootstrap b;
        struct scb_run_result res;
        scb_bootstrap_init(&b);
        b.store = st;
        b.profile = o.profile;
        b.factory_path = factory;
        b.ro.pin = pin;
        b.log = cli_log;
        b.log_ctx = c;
        if (c->reader && cli_open_card(c) == SCB_OK) {
            b.card = &c->card;
            b.reader_name = c->reader;
        }
        ret = scb_bootstrap_run(&b, &res);
        scb_bootstrap_free(&b);
        cli_close_card(c);
        if (ret < 0) {
            scb_store_close(&st);
            free(key);
            return cli_fail(c, ret, "bootstrap sequence: %s", scb_strerror(ret));
        }
    }
    ret = scb_coap_bootstrap(st, &o, &committed);
    scb_store_close(&st);
    if (key) {
        mbedtls_platform_zeroize(key, keylen);
        free(key);
    }
    if (ret == SCB_E_TIMEOUT || (ret == SCB_OK && !committed)) {
        fprintf(stderr, "%s: bootstrap failed: nothing committed\n", c->prog);
        return EXIT_INCONSISTENT;
    }
    if (ret < 0) {
        return cli_fail(c, ret, "network bootstrap: %s", scb_strerror(ret));
    }
    return EXIT_OK;
#endif
}

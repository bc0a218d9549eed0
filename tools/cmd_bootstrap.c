/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_bootstrap.c: `scboot bootstrap`: network bootstrap over CoAP. Client-initiated
 * (--endpoint NAME [--server URI]: POST /bs?ep=NAME to the committed Bootstrap-Server
 * account's URI or the one given, then the server's operations) or server-initiated
 * (--listen [ADDR:]PORT). The committed Bootstrap-Server account's credentials
 * decide the transport. Exit 0 committed, 1 rejected or timed out, 2 usage (also: options
 * that contradict the committed account), 3 Bootstrap-Server unreachable / cannot listen,
 * 5 the configuration was accepted but could not be committed (Finish answered 5.00).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "cli_daemon.h"
#include "cli_misc.h"
#include "cli_net.h"
#include "scboot/bootstrap.h"
#include "scboot/conf.h"
#include "scboot/endpoint.h"
#include "scboot/util.h"
#include "scboot/coap.h"

static const char usage_text[] =
    "scboot bootstrap --endpoint NAME [--server URI] [--no-hold-off] | --listen [ADDR:]PORT\n"
    "                 [--listen-unauthenticated] [--config F] [--state-dir D] [--no-acl|--profile P] [--once]\n"
    "                 [--exchange-lifetime S]\n"
    "                 [--psk-identity ID --psk-key-file F] [--pct FORMAT]\n"
    "                 [--attempts N] [--backoff MS[,MAX_MS]] [--ack-timeout MS]\n"
    "                 [--max-retransmit N]\n"
    "                 [-r READER] [--factory F] [--pin PIN|--pin-file F]   (smartcard/factory first)";

enum { OPT_SERVER = 700, OPT_EP, OPT_LISTEN, OPT_STATE, OPT_NO_ACL, OPT_PROFILE, OPT_ONCE,
       OPT_LIFETIME, OPT_PSK_ID, OPT_PSK_FILE, OPT_PCT, OPT_FACTORY, OPT_PIN, OPT_PIN_FILE, OPT_ATTEMPTS,
       OPT_BACKOFF, OPT_ACK, OPT_RETRANSMIT, OPT_CONFIG, OPT_NO_HOLD_OFF, OPT_LISTEN_UNAUTH };

static const char help_text[] =
    "Network bootstrap over CoAP (LwM2M Bootstrap interface): the Bootstrap-Server's\n"
    "Write/Delete/Discover/Read go to a staging copy; Finish runs the consistency\n"
    "validator: the commit, then 2.04 (5.00 with the reason when the store cannot take it),\n"
    "or 4.06 with the violations. Bodies up to 32 KB, block-wise (RFC 7959).\n"
    "Who may bootstrap: the committed Bootstrap-Server account's credentials decide: PSK\n"
    "(identity /0/x/3 exactly, key /0/x/5), raw public keys or X.509 (/0/x/3-5, peer checked\n"
    "against /0/x/4 and /0/x/15) mean DTLS with exactly those; plain CoAP only without such an\n"
    "account (logged as unauthenticated), and then on loopback only (127.0.0.1, ::1 for an\n"
    "IPv6 address, with a warning) unless --listen-unauthenticated lets it take the address\n"
    "given; an address once bound with DTLS never turns plain in this process. With no\n"
    "such account, --psk-identity/--psk-key-file (key file: hex) give DTLS PSK; they never\n"
    "replace an account's credentials. coap:// is refused when DTLS is required.\n"
    "Client-initiated: POST /bs?ep=NAME to the committed Bootstrap-Server account's URI\n"
    "(/0/x/0) with its credentials, after its Client Hold Off Time (/0/x/11) unless\n"
    "--no-hold-off; --server URI only for a device without such an account (a URI that names\n"
    "another scheme, host or port than the account is refused). NAME: a literal or a\n"
    "template with {iccid}, {imei}, {hostname}, {machine-id} (e.g. urn:uuid:{machine-id});\n"
    "without --endpoint, `endpoint` of --config F (default /etc/scboot/scboot.conf).\n"
    "Bootstrap-Request (client-initiated): each attempt is one CON exchange that libcoap\n"
    "retransmits (--ack-timeout 2000 ms (>= 1000), doubling, --max-retransmit 4); failed\n"
    "attempts are followed by a pause of --backoff 2000 ms, doubling per attempt up to\n"
    "60000 ms (--backoff FIRST,MAX), plus 0-25% jitter; --attempts 5 in all. Each failure is\n"
    "named (timeout, reset, ICMP unreachable, DTLS handshake failure or alert).\n"
    "exit: 0 committed, 1 rejected (4.06 not corrected, Bootstrap-Request refused, no Finish\n"
    "within EXCHANGE_LIFETIME), 2 usage or options contradicting the committed account,\n"
    "3 Bootstrap-Server unreachable or cannot listen, 5 accepted but not committed\n";

/* A positive number option within [1, max]; 0 when invalid. */
static unsigned long num_opt(const char *s, unsigned long max, char **rest)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || (rest == NULL && *end) || v == 0 || v > max) {
        return 0;
    }
    if (rest) {
        *rest = end;
    }
    return v;
}

/* A bad value of a numeric option: one line saying what is allowed (cli_usage then stays
 * silent; the caller still goes through bad_usage, which wipes the key and the PIN). */
__attribute__((format(printf, 2, 3))) static void bad_value(struct cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    c->reported = 1;
}

/* The library's lines, its option names worded as this command's flags. */
static void log_line(void *ctx, const char *line)
{
    char buf[1024];
    cli_log(ctx, cli_lib_hint(line, buf, sizeof(buf)));
}

/* The PSK key is wiped on every path out of the command. */
static void key_wipe(uint8_t **key, size_t len)
{
    if (*key) {
        scb_util_zeroize(*key, len);
        free(*key);
        *key = NULL;
    }
}

int cmd_bootstrap(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"server", required_argument, NULL, OPT_SERVER},
        {"endpoint", required_argument, NULL, OPT_EP},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"listen-unauthenticated", no_argument, NULL, OPT_LISTEN_UNAUTH},
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
        {"pin-file", required_argument, NULL, OPT_PIN_FILE},
        {"attempts", required_argument, NULL, OPT_ATTEMPTS},
        {"backoff", required_argument, NULL, OPT_BACKOFF},
        {"ack-timeout", required_argument, NULL, OPT_ACK},
        {"max-retransmit", required_argument, NULL, OPT_RETRANSMIT},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"no-hold-off", no_argument, NULL, OPT_NO_HOLD_OFF},
        {0, 0, 0, 0}};
    const char *ep_flag = NULL, *config = NULL;
    char *ep_spec = NULL, ep_name[SCB_ENDPOINT_MAX + 1];
    const char *factory = NULL;
    struct scb_coap_opts o;
    const char *state = SCB_STATE_DIR_DEFAULT;
    uint8_t *key = NULL;
    size_t keylen = 0;
    char err[1024];
    struct scb_coap_result res;
    struct scb_store *st = NULL;
    struct scb_committed loaded;
    int opt, ret;

    scb_coap_opts_init(&o);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\n%s", usage_text, help_text);
            ret = EXIT_OK;
            goto out;
        case OPT_SERVER:
            if (*optarg == '\0') {
                ret = cli_fail(c, SCB_E_INVALID_ARG, "--server: empty URI (coap://HOST[:PORT] "
                                                     "or coaps://HOST[:PORT])");
                goto out;
            }
            o.server_uri = optarg;
            break;
        case OPT_EP: ep_flag = optarg; break;
        case OPT_CONFIG: config = optarg; break;
        case OPT_NO_HOLD_OFF: o.no_hold_off = 1; break;
        case OPT_LISTEN: {
            const char *colon = strrchr(optarg, ':');
            if (num_opt(colon ? colon + 1 : optarg, 65535, NULL) == 0) {
                bad_value(c, "--listen %s: must be [ADDR:]PORT, PORT 1 to 65535", optarg);
                goto bad_usage;
            }
            o.listen = optarg;
            break;
        }
        case OPT_LISTEN_UNAUTH: o.listen_unauthenticated = 1; break;
        case OPT_STATE: state = optarg; break;
        case OPT_NO_ACL: scb_profile_no_acl(&o.profile); break;
        case OPT_PROFILE:
            if ((ret = cli_load_profile(c, optarg, &o.profile)) != 0) {
                goto out;
            }
            break;
        case OPT_ONCE: o.once = 1; break;
        case OPT_LIFETIME: {
            char *end;
            unsigned long s = strtoul(optarg, &end, 10);
            if (*end || s == 0 || s > 86400) {
                ret = cli_bad_value(c, "--exchange-lifetime", optarg,
                                    "must be 1 to 86400 seconds");
                goto out;
            }
            o.exchange_lifetime_ms = s * 1000u;
            break;
        }
        case OPT_PSK_ID:
            o.psk_identity = (const uint8_t *)optarg;
            o.psk_identity_len = strlen(optarg);
            break;
        case OPT_PSK_FILE: {
            char *text, ferr[512];
            size_t n;
            key_wipe(&key, keylen); /* the option given twice: the last one counts */
            /* a key file: the rules of the SCP03 and PIN files (no link, owner-only, bounded) */
            if ((ret = scb_util_read_secret_file(optarg, SCB_KEY_FILE_MAX, &text, &n, ferr,
                                            sizeof(ferr))) < 0) {
                ret = cli_fail(c, ret, "--psk-key-file: %s", ferr);
                goto out;
            }
            if ((key = malloc(n / 2 + 1)) == NULL) {
                scb_util_zeroize(text, SCB_KEY_FILE_MAX + 1);
                free(text);
                ret = cli_fail(c, SCB_E_NOMEM, "out of memory");
                goto out;
            }
            ret = scb_util_hex_decode(text, key, n / 2 + 1, &keylen);
            scb_util_zeroize(text, SCB_KEY_FILE_MAX + 1);
            free(text);
            if (ret < 0 || keylen == 0) {
                scb_util_zeroize(key, n / 2 + 1);
                free(key); /* keylen is not known */
                key = NULL;
                ret = cli_fail(c, SCB_E_PARSE, "PSK key file %s: expected hex", optarg);
                goto out;
            }
            o.psk_key = key;
            o.psk_key_len = keylen;
            break;
        }
        case OPT_PCT: /* only a format scboot decodes: TLV, SenML JSON, SenML CBOR */
            o.pct = strcmp(optarg, "11542") == 0 ? 11542
                    : strcmp(optarg, "110") == 0 ? 110
                    : strcmp(optarg, "112") == 0 ? 112 : -2;
            if (o.pct == -2) {
                ret = cli_fail(c, SCB_E_INVALID_ARG, "--pct: 11542 (TLV), 110 (SenML JSON) "
                               "or 112 (SenML CBOR), not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_ATTEMPTS:
            if ((o.attempts = (unsigned)num_opt(optarg, 100, NULL)) == 0) {
                bad_value(c, "--attempts %s: must be 1 to 100", optarg);
                goto bad_usage;
            }
            break;
        case OPT_BACKOFF: {
            char *rest;
            if ((o.backoff_ms = (unsigned)num_opt(optarg, 3600000, &rest)) == 0 ||
                (*rest && (*rest != ',' ||
                           (o.backoff_max_ms = (unsigned)num_opt(rest + 1, 3600000, NULL)) <
                               o.backoff_ms))) {
                bad_value(c, "--backoff %s: must be MS or MS,MAX_MS (1 to 3600000, MAX_MS >= MS)",
                          optarg);
                goto bad_usage;
            }
            break;
        }
        case OPT_ACK:
            /* libcoap 4.3.1 ignores an ACK_TIMEOUT below one second */
            if ((o.ack_timeout_ms = (unsigned)num_opt(optarg, 60000, NULL)) < 1000) {
                bad_value(c, "--ack-timeout %s: must be 1000 to 60000 ms", optarg);
                goto bad_usage;
            }
            break;
        case OPT_RETRANSMIT:
            if ((o.max_retransmit = (unsigned)num_opt(optarg, 8, NULL)) == 0) {
                bad_value(c, "--max-retransmit %s: must be 1 to 8", optarg);
                goto bad_usage;
            }
            break;
        case OPT_FACTORY: factory = optarg; break;
        case OPT_PIN:
        case OPT_PIN_FILE:
            if ((ret = cli_pin_opt(c, opt == OPT_PIN_FILE, optarg)) != 0) {
                goto out;
            }
            break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                goto bad_usage;
            }
        }
    }
#ifndef SCBOOT_HAVE_COAP
    /* the library's network functions are stubs in this build: say so, not a network error */
    ret = cli_fail(c, SCB_E_UNSUPPORTED, "network bootstrap is not built into this scboot "
                   "(configured with -Dcoap=disabled, or libcoap3-dev was missing)");
    goto out;
#endif
    if (c->json) {
        ret = cli_refuse_json(c, "the exchange is logged as lines; `scboot status --json` "
                                 "shows what was committed");
        goto out;
    }
    if (optind != argc || (o.listen && o.server_uri) ||
        (o.psk_identity == NULL) != (o.psk_key == NULL)) {
        goto bad_usage;
    }
    if (o.listen == NULL) {
        /* client-initiated: the name is checked (flag or file) before anything runs */
        if ((ret = cli_endpoint_spec(c, ep_flag, config, &ep_spec)) != 0) {
            goto out;
        }
        if (ep_spec == NULL) {
            fprintf(stderr, "%s: no endpoint name: give --endpoint NAME (or endpoint = NAME in "
                            "%s) for the Bootstrap-Request\n", c->prog,
                    config ? config : SCB_CONF_DEFAULT);
            ret = EXIT_USAGE;
            goto out;
        }
    }
    if ((ret = scb_store_open(state, 2000, &st, err, sizeof(err))) < 0 ||
        (ret = scb_store_load(st, &loaded, err, sizeof(err))) < 0) {
        /* a damaged or unreadable store: said once, before anything runs */
        ret = cli_fail(c, ret, "%s", err);
        goto out;
    }
    scb_committed_free(&loaded);
    o.log = log_line;
    o.log_ctx = c;
    if (c->reader || factory) {
        /* 6.1.4: Bootstrap-Server operations are ignored until smartcard and factory
         * bootstrap were tried, so run those steps first */
        struct scb_bootstrap_opts bo;
        struct scb_bootstrap *b = NULL;
        struct scb_run_result run;
        scb_bootstrap_opts_init(&bo);
        bo.store = st;
        bo.profile = o.profile;
        bo.factory_path = factory;
        bo.ro.pin = cli_pin(c);
        bo.log = cli_log;
        bo.log_ctx = c;
        if (c->reader && cli_open_card(c) == SCB_OK) {
            bo.card = c->card;
            bo.reader_name = c->reader;
        }
        if ((ret = scb_bootstrap_new(&bo, &b)) == SCB_OK) {
            ret = scb_bootstrap_run(b, &run, NULL, 0);
        }
        scb_bootstrap_free(&b);
        cli_pin_wipe(c);
        if (ret < 0) {
            ret = cli_fail(c, ret, "bootstrap sequence: %s", scb_error_string(ret));
            goto out;
        }
    }
    cli_pin_wipe(c); /* only the card step uses it */
    if (ep_spec) {
        /* after the card step: {iccid} is the card's the sequence just read */
        ret = scb_store_load(st, &loaded, err, sizeof(err));
        if (ret < 0) {
            ret = cli_fail(c, ret, "%s", err);
        } else {
            ret = cli_endpoint_name(c, ep_spec, &loaded, ep_name, sizeof(ep_name));
            scb_committed_free(&loaded);
        }
        if (ret != 0) {
            goto out;
        }
        o.endpoint = ep_name;
    }
    /* the card stays open until the name is built: a modem's port answers {imei} (AT+CGSN) */
    cli_close_card(c);
    ret = scb_coap_bootstrap(st, &o, &res);
    ret = cli_coap_exit(c, ret, &res);
    goto out;
bad_usage: /* every usage error, after a key or PIN may have been read */
    ret = cli_usage(c, usage_text);
out: /* every exit: the card and the store closed, the PSK key and the PIN wiped */
    cli_close_card(c);
    scb_store_free(&st);
    key_wipe(&key, keylen);
    cli_pin_wipe(c);
    free(ep_spec);
    return ret;
}

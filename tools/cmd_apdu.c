/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_apdu.c: `scboot apdu -r READER HEX...`: send raw APDUs inside one transaction and print
 * each response. 61xx / 6Cxx are followed unless --raw is given.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scboot/card.h"
#include "scboot/util.h"

/* the data of one response chain (61xx followed by GET RESPONSE, the parts concatenated):
 * sixteen full responses */
#define RESPONSE_DATA_MAX 4096

static const char usage_text[] = "scboot apdu -r READER [--raw] [-v] [--json] APDU_HEX...";

/* --json: one {"command", "response", "sw"} per APDU (hex; the response without its SW) */
static void add_json(json_object *arr, const char *cmd, const char *rsp, uint16_t sw)
{
    char swh[5];
    json_object *o = json_object_new_object();
    snprintf(swh, sizeof(swh), "%04X", sw);
    json_object_object_add(o, "command", json_object_new_string(cmd));
    json_object_object_add(o, "response", json_object_new_string(rsp));
    json_object_object_add(o, "sw", json_object_new_string(swh));
    json_object_array_add(arr, o);
}

static int send_one(struct cli *c, const char *hex, int raw, json_object *arr)
{
    uint8_t cmd[SCB_APDU_CMD_MAX], data[RESPONSE_DATA_MAX];
    char out[2 * sizeof(data) + 1];
    size_t clen, dlen;
    uint16_t sw;
    int ret;

    if (scb_util_hex_decode(hex, cmd, sizeof(cmd), &clen) < 0 || clen < 4) {
        return cli_fail(c, SCB_E_INVALID_ARG, "not an APDU: '%s'", hex);
    }
    if (raw) {
        uint8_t rsp[SCB_APDU_RSP_MAX];
        size_t rlen = 0;
        cli_trace(c, SCB_TRACE_CMD, cmd, clen, 0);
        if ((ret = scb_transport_transmit(c->tr, cmd, clen, rsp, sizeof(rsp), &rlen)) < 0) {
            return cli_fail(c, ret, "%s", scb_error_string(ret));
        }
        scb_util_hex_encode(rsp, rlen, out, sizeof(out));
        if (arr) {
            char chex[2 * SCB_APDU_CMD_MAX + 1];
            size_t dl = rlen >= 2 ? rlen - 2 : rlen;
            scb_util_hex_encode(cmd, clen, chex, sizeof(chex));
            out[2 * dl] = '\0';
            add_json(arr, chex, out, rlen >= 2 ? (uint16_t)(rsp[rlen - 2] << 8 | rsp[rlen - 1]) : 0);
            return EXIT_OK;
        }
        printf("%s\n", out);
        return EXIT_OK;
    }
    struct scb_apdu a;
    if (scb_apdu_parse(cmd, clen, &a) < 0) {
        return cli_fail(c, SCB_E_INVALID_ARG, "not a short APDU: '%s'", hex);
    }
    if ((ret = scb_card_transceive(c->card, &a, data, sizeof(data), &dlen, &sw)) < 0) {
        return cli_fail(c, ret, "%s", scb_error_string(ret));
    }
    scb_util_hex_encode(data, dlen, out, sizeof(out));
    if (arr) {
        char chex[2 * SCB_APDU_CMD_MAX + 1];
        scb_util_hex_encode(cmd, clen, chex, sizeof(chex));
        add_json(arr, chex, out, sw);
        return EXIT_OK;
    }
    printf("%s%s%04X  (%s)\n", out, dlen ? " " : "", sw, scb_error_sw_message(sw));
    return EXIT_OK;
}

int cmd_apdu(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS, {"raw", no_argument, NULL, 'R'},
                                         {0, 0, 0, 0}};
    int opt, raw = 0, ret = EXIT_OK;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: %s\nSend APDUs (hex) to the card and print data, SW and its meaning.\n"
                   "61xx/9Fxx are followed by GET RESPONSE and 6Cxx re-sent, unless --raw.\n",
                   usage_text);
            return EXIT_OK;
        }
        if (opt == 'R') {
            raw = 1;
            continue;
        }
        if (cli_common_opt(c, opt, optarg) != 1) {
            return cli_usage(c, usage_text);
        }
    }
    if (optind >= argc) {
        return cli_usage(c, usage_text);
    }
    if ((ret = cli_open_card(c)) < 0) {
        return cli_exit_code(ret);
    }
    if ((ret = scb_transport_begin(c->tr)) < 0) {
        ret = cli_fail(c, ret, "%s", scb_error_string(ret));
        cli_close_card(c);
        return ret;
    }
    json_object *arr = c->json ? json_object_new_array() : NULL;
    for (int i = optind; i < argc && ret == EXIT_OK; i++) {
        ret = send_one(c, argv[i], raw, arr);
    }
    scb_transport_end(c->tr);
    if (arr) {
        cli_print_json(arr); /* the exchanges so far, also when one failed */
        json_object_put(arr);
    }
    cli_close_card(c);
    return ret;
}

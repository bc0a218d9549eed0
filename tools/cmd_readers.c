/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_readers.c: `scboot readers`: PC/SC readers with card presence, ATR and (for UICCs)
 * the ICCID; `-r virtual:P.json` shows the built-in virtual card the same way; `-r at:DEVICE`
 * a modem's SIM, IMEI (the urn:imei: endpoint name) and ICCID.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scboot/at.h"
#include "scboot/card.h"
#include "scboot/pcsc.h"
#include "scboot/uicc.h"
#include "scboot/util.h"

static const char usage_text[] =
    "scboot readers [-r virtual:PROFILE.json|at:DEVICE] [--no-probe] [--json] [-v|--trace FILE]";

/* ICCID of the card in one reader: open, read, close (empty string when not a UICC). */
static void read_iccid(struct cli *c, const char *name, char *iccid, size_t cap)
{
    struct cli sub = *c;
    iccid[0] = '\0';
    sub.reader = name;
    sub.tr = NULL;
    sub.card = NULL;
    sub.emu = NULL;
    sub.trace = NULL;
    sub.trace_path = NULL;
    if (strncmp(name, "virtual:", 8) != 0) {
        char err[SCB_ERR_MAX];
        if (scb_pcsc_open(name, &sub.tr, err, sizeof(err)) < 0) {
            return;
        }
    } else if (cli_open_card(&sub) < 0) {
        return;
    }
    if (sub.card == NULL && scb_card_new(sub.tr, &sub.card) < 0) {
        scb_transport_free(&sub.tr);
        scb_emu_free(&sub.emu);
        return;
    }
    scb_card_set_trace(sub.card, c->verbose || c->trace ? cli_trace : NULL, c);
    if (scb_transport_begin(sub.tr) == SCB_OK) {
        if (scb_uicc_read_iccid(sub.card, iccid, cap) < 0) {
            iccid[0] = '\0';
        }
        scb_transport_end(sub.tr);
    }
    scb_card_free(&sub.card);
    scb_transport_free(&sub.tr);
    scb_emu_free(&sub.emu);
}

static int print_readers(struct cli *c, struct scb_reader_info *r, size_t n, int probe)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        char atr[2 * SCB_ATR_MAX + 1] = "", iccid[24] = "";
        scb_util_hex_encode(r[i].atr, r[i].atr_len, atr, sizeof(atr));
        if (probe && r[i].present && !r[i].in_use) {
            read_iccid(c, r[i].name, iccid, sizeof(iccid));
        }
        if (c->json) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "index", json_object_new_int((int)i));
            json_object_object_add(o, "name", json_object_new_string(r[i].name));
            json_object_object_add(o, "card_present", json_object_new_boolean(r[i].present));
            json_object_object_add(o, "in_use", json_object_new_boolean(r[i].in_use));
            json_object_object_add(o, "atr", r[i].present ? json_object_new_string(atr) : NULL);
            json_object_object_add(o, "iccid", iccid[0] ? json_object_new_string(iccid) : NULL);
            json_object_object_add(o, "events", json_object_new_int64(r[i].events));
            json_object_array_add(arr, o);
            continue;
        }
        printf("%zu: %s\n", i, r[i].name);
        if (!r[i].present) {
            printf("   no card\n");
            continue;
        }
        printf("   card present%s\n   ATR   %s\n", r[i].in_use ? " (in exclusive use)" : "",
               atr);
        if (iccid[0]) {
            printf("   ICCID %s\n", iccid);
        }
    }
    if (c->json) {
        cli_print_json(arr);
    }
    json_object_put(arr);
    return EXIT_OK;
}

/* -r at:DEVICE: the modem's SIM (+CPIN?), its IMEI (+CGSN) and the endpoint name built from
 * it, and the ICCID as the modem offers it (+CCID and the vendor forms). */
static int print_modem(struct cli *c)
{
    struct scb_transport *t = NULL;
    struct scb_card_status st;
    char imei[20] = "", urn[40] = "", iccid[24] = "";
    int ret = cli_open_modem(c, c->reader, &t);
    if (ret < 0) {
        return cli_exit_code(ret);
    }
    if ((ret = scb_transport_status(t, &st)) < 0) {
        /* the modem's answer and what to do went to the log callback (stderr) already */
        ret = cli_fail(c, ret, "modem status: %s", scb_error_string(ret));
        scb_transport_free(&t);
        return ret;
    }
    if (scb_at_imei(t, imei, sizeof(imei)) == 0) {
        snprintf(urn, sizeof(urn), "urn:imei:%s", imei);
    }
    if (st.present && scb_at_iccid(t, iccid, sizeof(iccid)) < 0) {
        iccid[0] = '\0';
    }
    scb_transport_free(&t);
    if (c->json) {
        json_object *arr = json_object_new_array(), *o = json_object_new_object();
        json_object_object_add(o, "index", json_object_new_int(0));
        json_object_object_add(o, "name", json_object_new_string(c->reader));
        json_object_object_add(o, "modem", json_object_new_boolean(1));
        json_object_object_add(o, "card_present", json_object_new_boolean(st.present));
        json_object_object_add(o, "imei", imei[0] ? json_object_new_string(imei) : NULL);
        json_object_object_add(o, "endpoint", urn[0] ? json_object_new_string(urn) : NULL);
        json_object_object_add(o, "iccid", iccid[0] ? json_object_new_string(iccid) : NULL);
        json_object_array_add(arr, o);
        cli_print_json(arr);
        json_object_put(arr);
        return EXIT_OK;
    }
    printf("0: %s (modem)\n   %s\n", c->reader, st.present ? "SIM present" : "no SIM");
    if (imei[0]) {
        printf("   IMEI  %s (endpoint name %s)\n", imei, urn);
    }
    if (iccid[0]) {
        printf("   ICCID %s\n", iccid);
    }
    return EXIT_OK;
}

int cmd_readers(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS, {"no-probe", no_argument, NULL, 'N'},
                                         {0, 0, 0, 0}};
    struct scb_reader_info *list = NULL;
    size_t n = 0;
    char err[SCB_ERR_MAX] = "";
    int opt, ret, probe = 1;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: %s\nList the PC/SC readers with card presence, ATR and ICCID.\n"
                   "--no-probe: send no APDU (no ICCID), only what pcscd knows.\n",
                   usage_text);
            return EXIT_OK;
        }
        if (opt == 'N') {
            probe = 0;
            continue;
        }
        if (cli_common_opt(c, opt, optarg) != 1) {
            return cli_usage(c, usage_text);
        }
    }
    if (optind != argc) {
        return cli_usage(c, usage_text);
    }
    if (scb_at_is_spec(c->reader)) {
        return print_modem(c);
    }
    /* the ICCID probes go to --trace: opened once for all readers */
    if ((ret = cli_open_trace(c)) < 0) {
        return cli_exit_code(ret);
    }
    if (c->reader && strncmp(c->reader, "virtual:", 8) == 0) {
        struct scb_reader_info v;
        struct scb_card_status st;
        memset(&v, 0, sizeof(v));
        if ((ret = cli_open_card(c)) < 0) {
            cli_close_card(c);
            return cli_exit_code(ret);
        }
        scb_transport_status(c->tr, &st);
        snprintf(v.name, sizeof(v.name), "%s", c->reader);
        v.present = st.present;
        memcpy(v.atr, st.atr, st.atr_len);
        v.atr_len = st.atr_len;
        scb_card_free(&c->card);
        scb_transport_free(&c->tr);
        scb_emu_free(&c->emu);
        ret = print_readers(c, &v, 1, probe);
    } else if ((ret = scb_pcsc_list(&list, &n, err, sizeof(err))) < 0) {
        ret = cli_fail(c, ret, "%s", err[0] ? err : scb_error_string(ret));
    } else {
        ret = print_readers(c, list, n, probe);
        free(list);
    }
    cli_close_card(c); /* the trace */
    return ret;
}

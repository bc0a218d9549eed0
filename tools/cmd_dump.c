/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_dump.c: `scboot dump`: what is on a card: ICCID, the PKCS#15 application, ODF and DODF
 * entries, the bootstrap file (size, SHA-256) and its decoded objects, as text or JSON, with
 * the APDU trace on -v / --trace. Secrets are redacted everywhere unless --show-secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "cli.h"
#include "scboot/bsfile.h"
#include "scboot/card_source.h"
#include "scboot/json.h"
#include "scboot/scp03.h"
#include "scboot/tlv.h"
#include "scboot/util.h"

static const char usage_text[] =
    "scboot dump [-r READER] [--json] [-v|--trace FILE] [--raw OUT.bin] [--pin PIN|--pin-file F]\n"
    "            [--aid HEX] [--file-id HEX] [--basic-channel] [--show-secrets]";

enum { OPT_RAW = 300, OPT_PIN, OPT_PIN_FILE, OPT_AID, OPT_FILE_ID, OPT_BASIC };

static void path_hex(const struct scb_p15_path *p, char *out, size_t cap)
{
    scb_util_hex_encode(p->path, p->len, out, cap);
}

static json_object *objects_json(const struct scb_card_source_result *r)
{
    json_object *arr = json_object_new_array();
    int bootstrap_object = scb_card_source_result_object_index(r);
    for (size_t k = 0; k < scb_card_source_result_object_count(r); k++) {
        const struct scb_p15_dobj *o = scb_card_source_result_object(r, k);
        json_object *j = json_object_new_object();
        char oid[64] = "", path[40] = "";
        scb_p15_oid_to_text(o->oid, o->oid_len, oid, sizeof(oid));
        path_hex(&o->path, path, sizeof(path));
        json_object_object_add(j, "form", json_object_new_string(
                                              o->form == SCB_P15_OID_DO      ? "oidDO"
                                              : o->form == SCB_P15_OPAQUE_DO ? "opaqueDO"
                                                                             : "externalIDO"));
        json_object_object_add(j, "label", json_object_new_string(o->label));
        json_object_object_add(j, "application_name", json_object_new_string(o->app_name));
        json_object_object_add(j, "oid", o->oid_len ? json_object_new_string(oid) : NULL);
        json_object_object_add(j, "oid_encoding",
                               json_object_new_string(o->oid_double ? "double" : "correct"));
        json_object_object_add(j, "path", o->has_path ? json_object_new_string(path) : NULL);
        json_object_object_add(j, "private", json_object_new_boolean(o->private_flag));
        json_object_object_add(j, "lwm2m_bootstrap",
                               json_object_new_boolean((int)k == bootstrap_object));
        json_object_array_add(arr, j);
    }
    return arr;
}

static json_object *discovery_json(const struct scb_card_source_result *r)
{
    json_object *root = json_object_new_object(), *app = json_object_new_object();
    json_object *odf = json_object_new_array();
    const struct scb_dir_app *da = scb_card_source_result_app(r);
    const char *iccid = scb_card_source_result_iccid(r);
    char hex[80];

    json_object_object_add(root, "iccid", iccid[0] ? json_object_new_string(iccid) : NULL);
    scb_util_hex_encode(da->aid, da->aid_len, hex, sizeof(hex));
    json_object_object_add(app, "aid", json_object_new_string(hex));
    json_object_object_add(app, "label", json_object_new_string(da->label));
    json_object_object_add(app, "in_ef_dir",
                           json_object_new_boolean(scb_card_source_result_app_in_dir(r)));
    json_object_object_add(app, "channel",
                           json_object_new_int((int)scb_card_source_result_channel(r)));
    json_object_object_add(root, "application", app);
    for (size_t k = 0; k < scb_card_source_result_dodf_count(r); k++) {
        path_hex(scb_card_source_result_dodf(r, k), hex, sizeof(hex));
        json_object_array_add(odf, json_object_new_string(hex));
    }
    json_object_object_add(root, "odf", odf);
    json_object_object_add(root, "dodf", objects_json(r));
    path_hex(scb_card_source_result_file_path(r), hex, sizeof(hex));
    json_object_object_add(root, "file_path", json_object_new_string(hex));
    json_object_object_add(root, "secure_channel",
                           json_object_new_boolean(scb_card_source_result_secured(r)));
    json_object_object_add(root, "apdus",
                           json_object_new_int((int)scb_card_source_result_apdus(r)));
    return root;
}

static void print_discovery(const struct scb_card_source_result *r)
{
    const struct scb_dir_app *app = scb_card_source_result_app(r);
    const char *iccid = scb_card_source_result_iccid(r);
    int bootstrap_object = scb_card_source_result_object_index(r);
    char hex[80], oid[64];
    printf("ICCID                %s\n", iccid[0] ? iccid : "(none: not a UICC?)");
    scb_util_hex_encode(app->aid, app->aid_len, hex, sizeof(hex));
    printf("PKCS#15 application  %s%s%s%s (%s), channel %u\n", hex, app->label[0] ? " \"" : "",
           app->label, app->label[0] ? "\"" : "",
           scb_card_source_result_app_in_dir(r) ? "from EF DIR" : "default AID, not in EF DIR",
           scb_card_source_result_channel(r));
    for (size_t k = 0; k < scb_card_source_result_dodf_count(r); k++) {
        path_hex(scb_card_source_result_dodf(r, k), hex, sizeof(hex));
        printf("ODF                  DODF at %s\n", hex);
    }
    for (size_t k = 0; k < scb_card_source_result_object_count(r); k++) {
        const struct scb_p15_dobj *o = scb_card_source_result_object(r, k);
        if (scb_p15_oid_to_text(o->oid, o->oid_len, oid, sizeof(oid)) < 0) {
            snprintf(oid, sizeof(oid), "(none)");
        }
        path_hex(&o->path, hex, sizeof(hex));
        printf("DODF                 %s \"%s\" OID %s%s path %s%s%s\n",
               o->form == SCB_P15_OID_DO ? "oidDO" : o->form == SCB_P15_OPAQUE_DO ? "opaqueDO"
                                                                                  : "externalIDO",
               o->label[0] ? o->label : o->app_name, oid, o->oid_double ? " (double-encoded)" : "",
               o->has_path ? hex : "-", o->private_flag ? " private" : "",
               (int)k == bootstrap_object ? "  <- LwM2M bootstrap" : "");
    }
    path_hex(scb_card_source_result_file_path(r), hex, sizeof(hex));
    printf("bootstrap file path  %s%s\n", hex,
           scb_card_source_result_pin_verified(r) ? " (PIN verified)" : "");
    printf("secure channel       %s\n", scb_card_source_result_secured(r) ? "SCP03" : "none");
}

struct dump_args {
    const char *raw;
    uint8_t aid[16];
    struct scb_card_source_opts ro;
};

static int parse_args(struct cli *c, int argc, char **argv, struct dump_args *a)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"raw", required_argument, NULL, OPT_RAW},
                                         {"pin", required_argument, NULL, OPT_PIN},
                                         {"pin-file", required_argument, NULL, OPT_PIN_FILE},
                                         {"aid", required_argument, NULL, OPT_AID},
                                         {"file-id", required_argument, NULL, OPT_FILE_ID},
                                         {"basic-channel", no_argument, NULL, OPT_BASIC},
                                         {0, 0, 0, 0}};
    int opt, ret;
    size_t n;
    uint8_t fid[2];

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\nRead and decode the LwM2M bootstrap data from a card: EF DIR ->\n"
                   "PKCS#15 application -> ODF -> DODF (OID 2.23.43.9.1) -> EF LwM2M_Bootstrap.\n"
                   "  --raw F        also write the file bytes to F (mode 0600)\n"
                   "  --pin / --pin-file  PIN for a private bootstrap object\n"
                   "  --aid HEX      PKCS#15 AID to select (skips EF DIR)\n"
                   "  --file-id HEX  read this file in the application (skips ODF/DODF)\n"
                   "  --basic-channel  do not open a logical channel\n",
                   usage_text);
            return -EXIT_OK - 1000;
        case OPT_RAW: a->raw = optarg; break;
        case OPT_PIN:
        case OPT_PIN_FILE:
            if ((ret = cli_pin_opt(c, opt == OPT_PIN_FILE, optarg)) != 0) {
                return ret;
            }
            break;
        case OPT_AID:
            if (scb_util_hex_decode(optarg, a->aid, sizeof(a->aid), &n) < 0 || n < 5) {
                return cli_fail(c, SCB_E_INVALID_ARG, "--aid wants 5-16 bytes of hex");
            }
            a->ro.aid = a->aid;
            a->ro.aid_len = n;
            break;
        case OPT_FILE_ID:
            if (scb_util_hex_decode(optarg, fid, sizeof(fid), &n) < 0 || n != 2) {
                return cli_fail(c, SCB_E_INVALID_ARG, "--file-id wants 4 hex digits");
            }
            a->ro.file_id = fid[0] << 8 | fid[1];
            break;
        case OPT_BASIC: a->ro.basic_channel = 1; break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                return cli_usage(c, usage_text);
            }
        }
    }
    if (optind != argc) {
        return cli_usage(c, usage_text);
    }
    a->ro.pin = cli_pin(c);
    return EXIT_OK;
}

int cmd_dump(struct cli *c, int argc, char **argv)
{
    struct dump_args a;
    struct scb_card_source_result *r = NULL;
    struct scb_config cfg;
    struct scb_decode_error derr = {0};
    char err[SCB_ERR_MAX];
    int ret;

    memset(&a, 0, sizeof(a));
    scb_card_source_opts_init(&a.ro);
    if ((ret = parse_args(c, argc, argv, &a)) != EXIT_OK) {
        cli_pin_wipe(c);
        return ret == -1000 - EXIT_OK ? EXIT_OK : ret;
    }
    if (c->json && a.raw && strcmp(a.raw, "-") == 0) {
        fprintf(stderr, "%s: --json is not supported with --raw -: the file bytes go to stdout\n",
                c->prog);
        return EXIT_USAGE;
    }
    struct scb_scp03_guard *guard = NULL;
    if ((ret = cli_secure_setup(c, &a.ro, &guard)) != 0) {
        cli_pin_wipe(c);
        return ret;
    }
    if ((ret = cli_open_card(c)) < 0) {
        scb_scp03_guard_free(&guard);
        cli_pin_wipe(c);
        return cli_exit_code(ret);
    }
    ret = scb_card_source_read(c->card, &a.ro, &r, err, sizeof(err));
    cli_secure_report(c, guard);
    scb_scp03_guard_free(&guard);
    cli_pin_wipe(c);
    if (ret < 0) {
        /* the failed step and the status word the card really sent */
        ret = cli_fail(c, ret, "%s", err);
        scb_card_source_result_free(&r);
        cli_close_card(c);
        return ret;
    }
    const uint8_t *file = scb_card_source_result_file(r);
    size_t file_len = scb_card_source_result_file_len(r);
    if (a.raw && (ret = cli_write_output(c, a.raw, file, file_len)) != EXIT_OK) {
        goto out;
    }
    scb_config_init(&cfg);
    int dec = scb_bsfile_decode(file, file_len, &cfg, &derr);
    if (a.raw && strcmp(a.raw, "-") == 0) {
        /* the bytes went to stdout: no decoded view after them */
    } else if (c->json) {
        json_object *root = discovery_json(r);
        json_object_object_add(root, "format", json_object_new_string("scboot-dump-1"));
        cli_print_file_summary(file, file_len, root);
        if (dec == SCB_OK) {
            json_object *cj = scb_config_to_json(&cfg, c->show_secrets), *objs;
            json_object_object_get_ex(cj, "objects", &objs);
            json_object_object_add(root, "objects", json_object_get(objs));
            json_object_put(cj);
        }
        cli_print_json(root);
        json_object_put(root);
    } else {
        print_discovery(r);
        cli_print_file_summary(file, file_len, NULL);
        if (dec == SCB_OK) {
            cli_print_config(&cfg, c->show_secrets);
        }
        printf("APDUs                %u\n", scb_card_source_result_apdus(r));
    }
    ret = dec == SCB_OK ? EXIT_OK : cli_decode_error(c, "card bootstrap file", &derr);
    scb_config_free(&cfg);
out:
    scb_card_source_result_free(&r);
    cli_close_card(c);
    return ret;
}

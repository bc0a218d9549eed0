/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_check.c: `scboot check FILE|-r READER`: decode and validate with the same validator the
 * device runs at start-up and at Bootstrap-Finish. Exit 0 consistent (warnings allowed),
 * 1 inconsistent, 4 malformed (the decode error is reported as a violation too).
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "cli_misc.h"
#include "scboot/bsfile.h"
#include "scboot/card_source.h"
#include "scboot/image.h"
#include "scboot/json.h"
#include "scboot/scp03.h"
#include "scboot/tlv.h"
#include "scboot/util.h"
#include "scboot/validate.h"

static const char usage_text[] =
    "scboot check FILE|-|-r READER [--no-acl|--profile P.json] [--source card|factory|network]\n"
    "             [--json] [--pin PIN|--pin-file F]";

enum { OPT_NO_ACL = 400, OPT_PROFILE, OPT_SOURCE, OPT_PIN, OPT_PIN_FILE };

static void print_report(struct cli *c, const struct scb_report *rep, int malformed)
{
    size_t errors = 0, warnings = 0;
    for (size_t k = 0; k < rep->n; k++) {
        rep->v[k].severity == SCB_SEV_ERROR ? errors++ : warnings++;
    }
    if (c->json) {
        json_object *root = json_object_new_object(), *arr = json_object_new_array();
        /* versioned like every scboot document (doc/hand-off.md) */
        json_object_object_add(root, "format", json_object_new_string("scboot-check-1"));
        json_object_object_add(root, "consistent", json_object_new_boolean(errors == 0));
        for (size_t k = 0; k < rep->n; k++) {
            json_object *v = json_object_new_object();
            json_object_object_add(v, "rule", json_object_new_string(rep->v[k].rule));
            json_object_object_add(v, "severity", json_object_new_string(
                                                      rep->v[k].severity == SCB_SEV_ERROR
                                                          ? "error"
                                                          : "warning"));
            json_object_object_add(v, "path", json_object_new_string(rep->v[k].path));
            json_object_object_add(v, "message", json_object_new_string(rep->v[k].message));
            json_object_array_add(arr, v);
        }
        json_object_object_add(root, "violations", arr);
        cli_print_json(root);
        json_object_put(root);
        return;
    }
    for (size_t k = 0; k < rep->n; k++) {
        printf("%-8s %-12s %s: %s\n", rep->v[k].severity == SCB_SEV_ERROR ? "error" : "warning",
               rep->v[k].path, rep->v[k].rule, rep->v[k].message);
    }
    if (malformed) {
        printf("malformed: the file cannot be decoded\n");
    } else if (errors) {
        printf("inconsistent: %zu error(s), %zu warning(s)\n", errors, warnings);
    } else {
        if (warnings) {
            printf("consistent: %zu warning(s)\n", warnings);
        } else {
            printf("consistent\n");
        }
    }
}

/* The JSON shape `apply --factory` accepts (told apart by content: it starts with '{'), made
 * into an image so it takes the card's decode + validate path. 0, or an exit code. */
static int json_to_image(struct cli *c, const char *name, uint8_t **buf, size_t *len)
{
    struct scb_buf out = {.max = SCB_MAX_FILE_SIZE};
    char err[SCB_ERR_MAX] = "";
    int ret = scb_json_encode_image((const char *)*buf, *len, 0, &out, err, sizeof(err));
    if (ret < 0) {
        scb_util_zeroize(out.data, out.len);
        scb_buf_free(&out);
        return cli_fail(c, SCB_E_JSON, "%s: %s", name, err);
    }
    scb_util_zeroize(*buf, *len);
    free(*buf);
    *buf = out.data;
    *len = out.len;
    return 0;
}

static int looks_json(const uint8_t *b, size_t n)
{
    size_t k = 0;
    while (k < n && (b[k] == ' ' || b[k] == '\n' || b[k] == '\t' || b[k] == '\r')) {
        k++;
    }
    return k < n && b[k] == '{';
}

int cmd_check(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"no-acl", no_argument, NULL, OPT_NO_ACL},
                                         {"profile", required_argument, NULL, OPT_PROFILE},
                                         {"source", required_argument, NULL, OPT_SOURCE},
                                         {"pin", required_argument, NULL, OPT_PIN},
                                         {"pin-file", required_argument, NULL, OPT_PIN_FILE},
                                         {0, 0, 0, 0}};
    struct scb_profile prof;
    enum scb_source src = SCB_SRC_CARD;
    struct scb_card_source_opts ro;
    scb_card_source_opts_init(&ro);
    struct scb_card_source_result *rr = NULL;
    char err[SCB_ERR_MAX];
    struct scb_report rep = {0};
    struct scb_config cfg;
    struct scb_decode_error derr = {0};
    uint8_t *buf = NULL;
    size_t len = 0;
    int opt, ret, from_card = 0;

    scb_profile_default(&prof);
    memset(&rr, 0, sizeof(rr));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: %s\nDecode and validate a bootstrap file or the card's (doc/rules.md).\n"
                   "  --no-acl        single-server client without Access Control\n"
                   "  --profile F     client profile JSON {\"access_control\", "
                   "\"security_modes\", \"max_servers\"}\n"
                   "  --source S      judge as card/factory data (default) or as at "
                   "Bootstrap-Finish\n"
                   "  --pin-file F    the PIN on F's first line (F readable by its owner only)\n"
                   "exit: 0 consistent, 1 inconsistent, 3 card error, 4 malformed, "
                   "5 file I/O error\n",
                   usage_text);
            return EXIT_OK;
        }
        if (opt == OPT_NO_ACL) {
            scb_profile_no_acl(&prof);
        } else if (opt == OPT_PROFILE) {
            if ((ret = cli_load_profile(c, optarg, &prof)) != 0) {
                return ret;
            }
        } else if (opt == OPT_SOURCE) {
            if ((ret = cli_parse_source(c, optarg, &src)) != 0) {
                return ret;
            }
        } else if (opt == OPT_PIN || opt == OPT_PIN_FILE) {
            if ((ret = cli_pin_opt(c, opt == OPT_PIN_FILE, optarg)) != 0) {
                return ret;
            }
        } else if (cli_common_opt(c, opt, optarg) != 1) {
            cli_pin_wipe(c);
            return cli_usage(c, usage_text);
        }
    }
    if ((c->reader == NULL) == (optind == argc) || optind < argc - 1) {
        cli_pin_wipe(c);
        return cli_usage(c, usage_text);
    }
    ro.pin = cli_pin(c);
    if (c->reader) {
        struct scb_scp03_guard *guard = NULL;
        if ((ret = cli_secure_setup(c, &ro, &guard)) != 0) {
            cli_pin_wipe(c);
            return ret;
        }
        if ((ret = cli_open_card(c)) < 0) {
            scb_scp03_guard_free(&guard);
            cli_pin_wipe(c);
            return cli_exit_code(ret);
        }
        ret = scb_card_source_read(c->card, &ro, &rr, err, sizeof(err));
        cli_pin_wipe(c);
        ro.pin = NULL;
        cli_secure_report(c, guard);
        scb_scp03_guard_free(&guard);
        if (ret < 0) {
            ret = cli_fail(c, ret, "%s", err);
            scb_card_source_result_free(&rr);
            cli_close_card(c);
            return ret;
        }
        len = scb_card_source_result_file_len(rr);
        from_card = 1;
    } else {
        /* room for the JSON shape (hex doubles the bytes); an image is held to the bound below
         * (SCB_MAX_FILE_SIZE and 64 KB of padding) */
        ret = scb_util_read_file(argv[optind], SCB_CONFIG_TEXT_MAX, &buf, &len);
        if (ret < 0 && ret != SCB_E_TOO_LARGE) {
            return cli_read_fail(c, argv[optind], ret);
        }
        if (ret == SCB_OK && looks_json(buf, len)) {
            if ((ret = json_to_image(c, argv[optind], &buf, &len)) != 0) {
                free(buf);
                return ret;
            }
        } else if (ret == SCB_OK && len > SCB_MAX_FILE_SIZE + 65536) {
            ret = SCB_E_TOO_LARGE;
        }
        if (ret == SCB_E_TOO_LARGE) {
            derr.rule = "file-too-large";
            snprintf(derr.path, sizeof(derr.path), "/");
            snprintf(derr.msg, sizeof(derr.msg), "bootstrap file exceeds 32 KB");
        }
    }
    scb_config_init(&cfg);
    int malformed = 0;
    if (derr.rule != NULL) {
        malformed = 1;
        scb_report_add_decode_error(&rep, &derr);
    } else if ((ret = scb_image_validate(from_card ? scb_card_source_result_file(rr) : buf, len,
                                         &prof, src, &cfg, &rep)) < 0) {
        if (ret != SCB_E_DECODE) {
            ret = cli_fail(c, ret, "validator failed: %s", scb_error_string(ret));
            goto out;
        }
        malformed = 1;
    }
    print_report(c, &rep, malformed);
    ret = malformed ? EXIT_MALFORMED : scb_report_has_errors(&rep) ? EXIT_INCONSISTENT : EXIT_OK;
out:
    scb_report_free(&rep);
    scb_config_free(&cfg);
    if (from_card) {
        scb_card_source_result_free(&rr);
        cli_close_card(c);
    } else {
        if (buf) {
            scb_util_zeroize(buf, len);
        }
        free(buf);
    }
    return ret;
}

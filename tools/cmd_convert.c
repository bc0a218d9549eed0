/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_convert.c: other Bootstrap-Servers' configurations in and out:
 *   scboot encode --from leshan|wakaama FILE -o OUT.bin [--endpoint NAME] [--pad N]
 *       [--no-acl|--profile P] : import, validate (refused with the violations, exit 1),
 *       write the EF LwM2M_Bootstrap image;
 *   scboot status --export leshan|wakaama [--endpoint NAME] [--show-secrets] : the committed
 *       configuration in that format on stdout (cmd_status.c calls cli_export).
 * Secrets are exported only with --show-secrets (refused otherwise: a redacted key would make
 * a file the other server cannot use).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "cli_misc.h"
#include "scboot/bsfile.h"
#include "scboot/image.h"
#include "scboot/leshan.h"
#include "scboot/tlv.h"
#include "scboot/util.h"
#include "scboot/validate.h"
#include "scboot/wakaama.h"

static const char usage_text[] =
    "scboot encode --from leshan|wakaama FILE|- -o OUT.bin|- [--endpoint NAME] [--pad N]\n"
    "             [--no-acl|--profile P.json] [--source card|factory|network]";

enum { OPT_FROM = 700, OPT_ENDPOINT, OPT_NO_ACL, OPT_PROFILE, OPT_SOURCE };

static int bridge_format(const char *s)
{
    return strcmp(s, "leshan") == 0 ? 1 : strcmp(s, "wakaama") == 0 ? 2 : 0;
}

/* The importers say what is wrong; the hint names this command's flag. A missing or unknown
 * endpoint, or one named for a file without endpoints, is a usage error (exit 2). */
static int import_fail(struct cli *c, const char *in, int ret, const char *err,
                       const char *endpoint)
{
    const char *hint = "";
    if (ret == SCB_E_NOT_FOUND && endpoint == NULL) {
        hint = ": choose one with --endpoint";
    } else if (ret == SCB_E_INVALID_ARG && endpoint != NULL) {
        hint = ": leave out --endpoint";
    }
    int code = ret == SCB_E_NOT_FOUND || ret == SCB_E_INVALID_ARG ? SCB_E_INVALID_ARG
               : ret == SCB_E_NOMEM                              ? SCB_E_NOMEM
                                                                 : SCB_E_PARSE;
    return cli_fail(c, code, "%s: %s%s", in, err, hint);
}

static void print_violations(const struct scb_report *rep)
{
    for (size_t k = 0; k < rep->n; k++) {
        fprintf(stderr, "%-8s %-12s %s: %s\n",
                rep->v[k].severity == SCB_SEV_ERROR ? "error" : "warning", rep->v[k].path,
                rep->v[k].rule, rep->v[k].message);
    }
}

int cmd_encode_from(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"from", required_argument, NULL, OPT_FROM},
                                         {"output", required_argument, NULL, 'o'},
                                         {"pad", required_argument, NULL, 'p'},
                                         {"endpoint", required_argument, NULL, OPT_ENDPOINT},
                                         {"no-acl", no_argument, NULL, OPT_NO_ACL},
                                         {"profile", required_argument, NULL, OPT_PROFILE},
                                         {"source", required_argument, NULL, OPT_SOURCE},
                                         {0, 0, 0, 0}};
    const char *outpath = NULL, *endpoint = NULL;
    int fmt = 0, opt, ret;
    unsigned long pad = 0;
    struct scb_profile prof;
    enum scb_source src = SCB_SRC_CARD;
    char err[SCB_ERR_MAX] = "";

    scb_profile_default(&prof);
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: %s\nImport a Leshan BootstrapConfig JSON (the demo server's store "
                   "file or one\nconfiguration) or a Wakaama bootstrap_server .ini, validate it "
                   "and write the\nEF LwM2M_Bootstrap image. Refused with the violations (exit "
                   "1) when inconsistent.\n--endpoint picks one client's configuration when "
                   "the file holds several.\n",
                   usage_text);
            return EXIT_OK;
        case OPT_FROM:
            if ((fmt = bridge_format(optarg)) == 0) {
                return cli_bad_value(c, "--from", optarg, "must be leshan or wakaama");
            }
            break;
        case 'o': outpath = optarg; break;
        case 'p': {
            char *end;
            errno = 0;
            pad = strtoul(optarg, &end, 10);
            if (*end || errno || !*optarg || pad > SCB_MAX_FILE_SIZE) {
                return cli_bad_value(c, "--pad", optarg, "must be a byte count of 0 to 32768");
            }
            break;
        }
        case OPT_ENDPOINT: endpoint = optarg; break;
        case OPT_NO_ACL: scb_profile_no_acl(&prof); break;
        case OPT_PROFILE:
            if ((ret = cli_load_profile(c, optarg, &prof)) != 0) {
                return ret;
            }
            break;
        case OPT_SOURCE:
            if ((ret = cli_parse_source(c, optarg, &src)) != 0) {
                return ret;
            }
            break;
        default:
            if (cli_common_opt(c, opt, optarg) != 1) {
                return cli_usage(c, usage_text);
            }
        }
    }
    if (optind != argc - 1 || outpath == NULL || fmt == 0) {
        return cli_usage(c, usage_text);
    }
    if (c->json) {
        return cli_refuse_json(c, "the output is a binary image (decode --json shows it)");
    }
    const char *in = argv[optind];
    char *text;
    size_t len;
    if ((ret = scb_util_read_text(in, SCB_CONFIG_TEXT_MAX, &text, &len)) < 0) {
        return cli_fail(c, ret, "%s: %s", in, scb_error_string(ret));
    }
    struct scb_config cfg, dec;
    struct scb_buf img = {.max = SCB_MAX_FILE_SIZE + 65536};
    struct scb_report rep = {0};
    scb_config_init(&cfg);
    ret = fmt == 1 ? scb_leshan_import(text, len, endpoint, &cfg, err, sizeof(err))
                   : scb_wakaama_import(text, len, endpoint, &cfg, err, sizeof(err));
    scb_util_zeroize(text, len);
    free(text);
    if (ret < 0) {
        scb_config_free(&cfg);
        return import_fail(c, in, ret, err, endpoint);
    }
    ret = scb_bsfile_encode(&cfg, pad, &img);
    scb_config_free(&cfg);
    if (ret < 0) {
        scb_buf_free(&img);
        return cli_fail(c, SCB_E_JSON, "%s: cannot encode: %s", in, scb_error_string(ret));
    }
    /* the image takes the card's path: decode + the one validator */
    scb_config_init(&dec);
    ret = scb_image_validate(img.data, img.len, &prof, src, &dec, &rep);
    scb_config_free(&dec);
    if (ret < 0 && ret != SCB_E_DECODE) {
        ret = cli_fail(c, ret, "validator failed: %s", scb_error_string(ret));
    } else if (ret == SCB_E_DECODE || scb_report_has_errors(&rep)) {
        print_violations(&rep);
        fprintf(stderr, "%s: %s: inconsistent configuration: nothing written\n", c->prog, in);
        ret = ret == SCB_E_DECODE ? EXIT_MALFORMED : EXIT_INCONSISTENT;
    } else {
        print_violations(&rep); /* warnings */
        ret = cli_write_output(c, outpath, img.data, img.len);
        if (ret == EXIT_OK && strcmp(outpath, "-") != 0) {
            fprintf(stderr, "%s: wrote %zu bytes to %s\n", c->prog, img.len, outpath);
        }
    }
    scb_report_free(&rep);
    scb_buf_free(&img);
    return ret;
}

int cli_export(struct cli *c, const struct scb_config *cfg, const char *format,
               const char *endpoint)
{
    char lost[1024], err[256];
    char *out = NULL;
    int fmt = bridge_format(format), ret;
    if (fmt == 0) {
        return cli_bad_value(c, "--export", format, "must be leshan or wakaama");
    }
    ret = fmt == 1 ? scb_leshan_export(cfg, endpoint, c->show_secrets, &out, lost, sizeof(lost),
                                       err, sizeof(err))
                   : scb_wakaama_export(cfg, endpoint, c->show_secrets, &out, lost, sizeof(lost),
                                        err, sizeof(err));
    if (ret == SCB_E_INVALID_ARG || ret == SCB_E_UNSUPPORTED) {
        /* secrets not asked for (the hint names the flag), or what the format cannot say */
        fprintf(stderr, "%s: %s%s\n", c->prog, err,
                ret == SCB_E_INVALID_ARG ? ": --show-secrets exports them in clear" : "");
        return EXIT_USAGE;
    }
    if (ret < 0) {
        return cli_fail(c, ret, "%s", scb_error_string(ret));
    }
    size_t n = strlen(out);
    int ok = fwrite(out, 1, n, stdout) == n && fflush(stdout) == 0;
    scb_util_zeroize(out, n);
    free(out);
    if (lost[0]) {
        fprintf(stderr, "%s: not expressible in %s's format, left out: %s\n", c->prog, format,
                lost);
    }
    return ok ? EXIT_OK : cli_fail(c, SCB_E_IO, "cannot write to stdout");
}

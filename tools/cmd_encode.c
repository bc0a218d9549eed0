/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_encode.c: `scboot encode FILE.json -o OUT.bin`: builds an EF LwM2M_Bootstrap image from
 * the JSON shape `decode --json` prints, checks that it decodes back, and writes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "cli_misc.h"
#include "scboot/bsfile.h"
#include "scboot/json.h"
#include "scboot/tlv.h"
#include "scboot/util.h"

/* The image holds keys: wiped before it is freed. */
static void wipe_buf(struct scb_buf *b)
{
    if (b->data) {
        scb_util_zeroize(b->data, b->cap);
    }
    scb_buf_free(b);
}

static const char usage_text[] =
    "scboot encode FILE.json|- -o OUT.bin|- [--pad N]\n"
    "       scboot encode --from leshan|wakaama FILE -o OUT.bin [--endpoint NAME]\n"
    "       (more: scboot encode --from leshan --help)";

int cmd_encode(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"output", required_argument, NULL, 'o'},
                                         {"pad", required_argument, NULL, 'p'},
                                         {0, 0, 0, 0}};
    const char *outpath = NULL;
    unsigned long pad = 0;
    struct scb_config check;
    struct scb_buf out = {.max = SCB_MAX_FILE_SIZE + 65536};
    struct scb_decode_error derr = {0};
    char *t = NULL;
    size_t len;
    char err[SCB_ERR_MAX] = "";
    int opt, ret;

    for (int i = 1; i < argc; i++) { /* --from FORMAT: other servers' files (cmd_convert.c) */
        if (strncmp(argv[i], "--from", 6) == 0 && (argv[i][6] == '\0' || argv[i][6] == '=')) {
            return cmd_encode_from(c, argc, argv);
        }
    }
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: %s\nBuild an EF LwM2M_Bootstrap image from the JSON shape of "
                   "`scboot decode --json`.\n--pad N appends N bytes of FF as cards carry.\n",
                   usage_text);
            return EXIT_OK;
        }
        if (opt == 'o') {
            outpath = optarg;
        } else if (opt == 'p') {
            char *end;
            errno = 0;
            pad = strtoul(optarg, &end, 10);
            if (*end || errno || pad > SCB_MAX_FILE_SIZE || !*optarg) {
                return cli_bad_value(c, "--pad", optarg, "must be a byte count of 0 to 32768");
            }
        } else if (cli_common_opt(c, opt, optarg) != 1) {
            return cli_usage(c, usage_text);
        }
    }
    if (optind != argc - 1 || outpath == NULL) {
        return cli_usage(c, usage_text);
    }
    if (c->json) {
        return cli_refuse_json(c, "the output is a binary image (decode --json shows it)");
    }
    if ((ret = scb_util_read_text(argv[optind], SCB_CONFIG_TEXT_MAX, &t, &len)) < 0) {
        return cli_read_fail(c, argv[optind], ret);
    }
    ret = scb_json_encode_image(t, len, pad, &out, err, sizeof(err));
    scb_util_zeroize(t, len); /* the JSON may carry keys */
    free(t);
    if (ret < 0) {
        wipe_buf(&out);
        return cli_fail(c, SCB_E_JSON, "%s: %s%s", argv[optind], err,
                        strstr(err, "redacted") ? " (decode --json --show-secrets gives them)" : "");
    }
    /* what we write must decode: catches values that do not fit their resource type */
    scb_config_init(&check);
    if (scb_bsfile_decode(out.data, out.len, &check, &derr) < 0) {
        wipe_buf(&out);
        return cli_decode_error(c, argv[optind], &derr);
    }
    scb_config_free(&check);
    if ((ret = cli_write_output(c, outpath, out.data, out.len)) != EXIT_OK) {
        wipe_buf(&out);
        return ret;
    }
    if (strcmp(outpath, "-") != 0) {
        fprintf(stderr, "%s: wrote %zu bytes to %s\n", c->prog, out.len, outpath);
    }
    wipe_buf(&out);
    return EXIT_OK;
}

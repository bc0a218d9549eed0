/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_decode.c: `scboot decode FILE`: the decoded view of an EF LwM2M_Bootstrap image, as
 * text or JSON, secrets redacted unless --show-secrets.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "cli.h"
#include "scboot/bsfile.h"
#include "scboot/json.h"
#include "scboot/tlv.h"
#include "scboot/util.h"

static const char usage_text[] = "scboot decode FILE|- [--json] [--show-secrets]";

void cli_print_file_summary(const uint8_t *buf, size_t len, json_object *into)
{
    uint8_t h[32];
    char hex[65];
    size_t total = scb_bsfile_total_len(buf, len);
    scb_util_sha256(buf, total && total <= len ? total : len, h);
    scb_util_hex_encode(h, sizeof(h), hex, sizeof(hex));
    for (char *p = hex; *p; p++) {
        if (*p >= 'A' && *p <= 'F') {
            *p = (char)(*p - 'A' + 'a');
        }
    }
    if (into) {
        json_object *f = json_object_new_object();
        json_object_object_add(f, "size", json_object_new_int64((int64_t)len));
        json_object_object_add(f, "content_size", json_object_new_int64((int64_t)total));
        json_object_object_add(f, "sha256", json_object_new_string(hex));
        json_object_object_add(into, "file", f);
        return;
    }
    printf("bootstrap file: %zu bytes (%zu in the G.3.4 header's extent, %zu of padding)\n"
           "  sha256 %s\n",
           len, total, len > total ? len - total : 0, hex);
}

int cmd_decode(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS, {0, 0, 0, 0}};
    struct scb_config cfg;
    struct scb_decode_error derr = {0};
    uint8_t *buf = NULL;
    size_t len;
    int opt, ret;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: %s\nDecode an EF LwM2M_Bootstrap image (G.3.4 + TLV) object by "
                   "object.\n",
                   usage_text);
            return EXIT_OK;
        }
        if (cli_common_opt(c, opt, optarg) != 1) {
            return cli_usage(c, usage_text);
        }
    }
    if (optind != argc - 1) {
        return cli_usage(c, usage_text);
    }
    /* read at most one byte past the limit so an oversized file is told apart */
    ret = scb_util_read_file(argv[optind], SCB_MAX_FILE_SIZE + 65536, &buf, &len);
    if (ret == SCB_E_TOO_LARGE) {
        return cli_fail(c, SCB_E_DECODE, "%s: file-too-large", argv[optind]);
    }
    if (ret < 0) {
        return cli_read_fail(c, argv[optind], ret);
    }
    scb_config_init(&cfg);
    if (scb_bsfile_decode(buf, len, &cfg, &derr) < 0) {
        scb_util_zeroize(buf, len);
        free(buf);
        return cli_decode_error(c, argv[optind], &derr);
    }
    if (c->json) {
        json_object *root = scb_config_to_json(&cfg, c->show_secrets);
        /* the shape encode reads back, versioned (doc/hand-off.md) */
        json_object_object_add(root, "format", json_object_new_string("scboot-config-1"));
        cli_print_file_summary(buf, len, root);
        cli_print_json(root);
        json_object_put(root);
    } else {
        cli_print_file_summary(buf, len, NULL);
        cli_print_config(&cfg, c->show_secrets);
    }
    scb_config_free(&cfg);
    scb_util_zeroize(buf, len); /* the image holds keys */
    free(buf);
    return EXIT_OK;
}

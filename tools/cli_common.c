/*
 * cli_common.c: what every scboot subcommand shares: the common options, opening the card
 * (PC/SC reader or the built-in virtual card), the APDU trace and the one-line error report.
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scboot/pcsc.h"
#include "scboot/util.h"

int cli_common_opt(struct cli *c, int opt, const char *arg)
{
    switch (opt) {
    case 'r':
        c->reader = arg;
        return 1;
    case 'v':
        c->verbose++;
        return 1;
    case CLI_OPT_TRACE:
        c->trace_path = arg;
        return 1;
    case CLI_OPT_JSON:
        c->json = 1;
        return 1;
    case CLI_OPT_SHOW_SECRETS:
        c->show_secrets = 1;
        return 1;
    default:
        return 0;
    }
}

int cli_fail(struct cli *c, int err, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return scb_err_exit_code(err);
}

int cli_usage(struct cli *c, const char *usage)
{
    fprintf(stderr, "usage: %s\nTry '%s --help'.\n", usage, c->prog);
    return EXIT_USAGE;
}

void cli_trace(void *ctx, enum scb_trace_dir dir, const uint8_t *buf, size_t len, int redacted)
{
    struct cli *c = ctx;
    char hex[2 * SCB_APDU_RSP_MAX + 1];
    FILE *outs[2] = {c->verbose ? stderr : NULL, c->trace};

    if (dir == SCB_TRACE_RSP && len <= 2) {
        redacted = 0; /* a bare status word hides nothing */
    }
    if (redacted && !c->show_secrets) {
        char h[16] = "";
        if (dir == SCB_TRACE_CMD) {
            size_t hdr = len < 5 ? len : 5;
            scb_hex_encode(buf, hdr, hex, sizeof(hex));
            for (int i = 0; i < 2; i++) {
                if (outs[i]) {
                    fprintf(outs[i], "> %s [%zu bytes redacted]\n", hex, len - hdr);
                }
            }
            return;
        }
        scb_sha256_prefix(buf, len - 2, h, sizeof(h));
        scb_hex_encode(buf + len - 2, 2, hex, sizeof(hex));
        for (int i = 0; i < 2; i++) {
            if (outs[i]) {
                fprintf(outs[i], "< [%zu bytes redacted, sha256 %s] %s\n", len - 2, h, hex);
            }
        }
        return;
    }
    scb_hex_encode(buf, len, hex, sizeof(hex));
    for (int i = 0; i < 2; i++) {
        if (outs[i]) {
            if (dir == SCB_TRACE_RSP && len >= 2) {
                fprintf(outs[i], "< %.*s %s\n", (int)(2 * (len - 2)), hex, hex + 2 * (len - 2));
            } else {
                fprintf(outs[i], "> %s\n", hex);
            }
        }
    }
}

int cli_open_card(struct cli *c)
{
    char err[512] = "";
    const char *spec = c->reader;
    int ret;

    if (spec == NULL) {
        spec = getenv("SCBOOT_READER");
    }
    if (spec == NULL) {
        spec = "0";
    }
    if (c->trace_path && c->trace == NULL) {
        if ((c->trace = fopen(c->trace_path, "w")) == NULL) {
            cli_fail(c, SCB_E_IO, "cannot write trace file '%s'", c->trace_path);
            return SCB_E_IO;
        }
    }
    if (strncmp(spec, "virtual:", 8) == 0) {
        if ((ret = scb_emu_load(spec + 8, &c->emu, err, sizeof(err))) < 0) {
            cli_fail(c, ret, "virtual card: %s", err);
            return ret;
        }
        if ((c->tr = scb_emu_transport(c->emu)) == NULL) {
            scb_emu_free(&c->emu);
            return SCB_E_NOMEM;
        }
    } else if ((ret = scb_pcsc_open(spec, &c->tr, err, sizeof(err))) < 0) {
        cli_fail(c, ret, "%s", err[0] ? err : scb_strerror(ret));
        return ret;
    }
    scb_card_init(&c->card, c->tr);
    if (c->verbose || c->trace) {
        c->card.trace = cli_trace;
        c->card.trace_ctx = c;
    }
    return SCB_OK;
}

void cli_close_card(struct cli *c)
{
    scb_transport_free(&c->tr);
    scb_emu_free(&c->emu);
    if (c->trace) {
        fclose(c->trace);
        c->trace = NULL;
    }
}

void cli_print_json(struct json_object *o)
{
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
}

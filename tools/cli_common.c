/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_common.c: what every scboot subcommand shares: the common options, opening the card
 * (PC/SC reader or the built-in virtual card), the APDU trace and the one-line error report.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "scboot/at.h"
#include "scboot/card.h"
#include "scboot/card_source.h"
#include "scboot/pcsc.h"
#include "scboot/scp03.h"
#include "scboot/validate.h"
#include <time.h>
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
    case CLI_OPT_SCP03_KEYS:
        c->scp03_keys = arg;
        return 1;
    case CLI_OPT_SECURE:
        if (strcmp(arg, "off") == 0) {
            c->secure_mode = 0;
        } else if (strcmp(arg, "preferred") == 0) {
            c->secure_mode = 1;
        } else if (strcmp(arg, "required") == 0) {
            c->secure_mode = 2;
        } else {
            fprintf(stderr, "%s: --secure-channel %s: must be required, preferred or off\n",
                    c->prog, arg);
            c->reported = 1;
            return -1;
        }
        return 1;
    case CLI_OPT_SCP03_LEVEL: {
        char *end;
        unsigned long v = strtoul(arg, &end, 16);
        if (*end || (v != 0x01 && v != 0x03 && v != 0x13 && v != 0x33)) {
            fprintf(stderr, "%s: --scp03-level %s: must be 01, 03, 13 or 33\n", c->prog, arg);
            c->reported = 1;
            return -1;
        }
        c->scp03_level = (unsigned)v;
        return 1;
    }
    default:
        return 0;
    }
}

/* The exit code for an error (README's table): the CLI's policy, not the library's. */
int cli_exit_code(int err)
{
    if (err == SCB_OK) {
        return EXIT_OK;
    }
    if (err == SCB_E_INVALID_ARG) {
        return EXIT_USAGE;
    }
    if (err == SCB_E_DECODE || err == SCB_E_JSON || err == SCB_E_PARSE ||
        err == SCB_E_P15_MALFORMED || err == SCB_E_TOO_LARGE) {
        return EXIT_MALFORMED;
    }
    if (err == SCB_E_IO || err == SCB_E_UNSAFE || err == SCB_E_LOCKED) {
        return EXIT_FILE;
    }
    return EXIT_CARD;
}


int cli_fail(struct cli *c, int err, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    /* what to do about it: the CLI's flags, never named in the library's messages */
    if (err == SCB_E_NO_SERVICE) {
        fputs(" (is pcscd running? systemctl start pcscd.socket)", stderr);
    } else if (err == SCB_E_PIN_REQUIRED) {
        fputs(" (give --pin-file FILE or --pin PIN)", stderr);
    } else if (err == SCB_E_SECURITY_STATUS) {
        fputs(" (a PIN: --pin-file/--pin; a secure channel: --scp03-keys)", stderr);
    }
    fputc('\n', stderr);
    return cli_exit_code(err);
}

int cli_read_fail(struct cli *c, const char *path, int ret)
{
    int e = errno;
    if (ret == SCB_E_TOO_LARGE) {
        cli_fail(c, ret, "cannot read %s: %s", path, scb_error_string(ret));
        return EXIT_MALFORMED;
    }
    cli_fail(c, SCB_E_IO, "cannot read %s: %s", path,
             ret == SCB_E_NOT_FOUND ? strerror(ENOENT)
             : ret == SCB_E_IO && e ? strerror(e)
                                    : scb_error_string(ret));
    return EXIT_FILE;
}

int cli_write_output(struct cli *c, const char *path, const uint8_t *d, size_t n)
{
    char err[512];
    int ret;
    if (strcmp(path, "-") == 0) {
        return fwrite(d, 1, n, stdout) == n && fflush(stdout) == 0
                   ? EXIT_OK
                   : cli_fail(c, SCB_E_IO, "cannot write to standard output");
    }
    /* it may hold keys: 0600 whatever the umask and whether or not it existed */
    if ((ret = scb_util_write_file_secret(path, d, n, err, sizeof(err))) < 0) {
        return cli_fail(c, ret, "%s", err);
    }
    return EXIT_OK;
}

#define PIN_FILE_MAX 256

int cli_pin_opt(struct cli *c, int from_file, char *arg)
{
    char err[512], *text = NULL;
    size_t n, len = 0;
    int ret;

    scb_util_zeroize(c->pin, sizeof(c->pin));
    c->has_pin = 0;
    if (!from_file) {
        n = strlen(arg);
        if (n == 0 || n >= sizeof(c->pin)) {
            scb_util_zeroize(arg, n);
            return cli_fail(c, SCB_E_INVALID_ARG, "--pin: a PIN of 1 to %zu characters",
                            sizeof(c->pin) - 1);
        }
        memcpy(c->pin, arg, n + 1);
        scb_util_zeroize(arg, n); /* out of /proc/PID/cmdline from now on */
        c->has_pin = 1;
        return 0;
    }
    if (strcmp(arg, "-") == 0) {
        /* the owner-only and no-link rules are checked on a regular file; stdin is neither */
        return cli_fail(c, SCB_E_INVALID_ARG,
                        "--pin-file -: a PIN file is a regular owner-only file (mode 0600), "
                        "not stdin; give its path");
    }
    if ((ret = scb_util_read_secret_file(arg, PIN_FILE_MAX, &text, &len, err, sizeof(err))) < 0) {
        return cli_fail(c, ret, "%s: %s", c->pin_file_origin ? c->pin_file_origin : "--pin-file",
                        err);
    }
    n = strcspn(text, "\n");
    while (n > 0 && text[n - 1] == '\r') {
        n--;
    }
    if (n == 0 || n >= sizeof(c->pin) || memchr(text, '\0', n) != NULL) {
        scb_util_zeroize(text, PIN_FILE_MAX + 1);
        free(text);
        return cli_fail(c, SCB_E_PARSE, "%s%sPIN file %s: the first line must hold a PIN of 1 "
                                        "to %zu characters",
                        c->pin_file_origin ? c->pin_file_origin : "",
                        c->pin_file_origin ? ": " : "", arg, sizeof(c->pin) - 1);
    }
    memcpy(c->pin, text, n);
    c->pin[n] = '\0';
    scb_util_zeroize(text, PIN_FILE_MAX + 1);
    free(text);
    c->has_pin = 1;
    return 0;
}

const char *cli_pin(const struct cli *c)
{
    return c->has_pin ? c->pin : NULL;
}

void cli_pin_wipe(struct cli *c)
{
    scb_util_zeroize(c->pin, sizeof(c->pin));
    c->has_pin = 0;
}

int cli_usage(struct cli *c, const char *usage)
{
    if (c->reported) {
        return EXIT_USAGE; /* one line, as every failure: the value's own message said why */
    }
    /* one line, as every failure: the synopsis with its line breaks folded */
    fprintf(stderr, "%s: invalid arguments; usage: ", c->prog);
    for (const char *p = usage; *p; p++) {
        if (*p == '\n') {
            fputc(' ', stderr);
            while (p[1] == ' ') {
                p++;
            }
        } else {
            fputc(*p, stderr);
        }
    }
    fprintf(stderr, " (see '%s --help')\n", c->prog);
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
            scb_util_hex_encode(buf, hdr, hex, sizeof(hex));
            for (int i = 0; i < 2; i++) {
                if (outs[i]) {
                    fprintf(outs[i], "> %s [%zu bytes redacted]\n", hex, len - hdr);
                }
            }
            return;
        }
        scb_util_hex_encode(buf + len - 2, 2, hex, sizeof(hex));
        if (redacted & SCB_REDACT_CMD) {
            /* the answer to a PIN command: its length only (a hash of a PIN is reversible) */
            for (int i = 0; i < 2; i++) {
                if (outs[i]) {
                    fprintf(outs[i], "< [%zu bytes redacted] %s\n", len - 2, hex);
                }
            }
            return;
        }
        scb_util_sha256_prefix(buf, len - 2, h, sizeof(h));
        for (int i = 0; i < 2; i++) {
            if (outs[i]) {
                fprintf(outs[i], "< [%zu bytes redacted, sha256 %s] %s\n", len - 2, h, hex);
            }
        }
        return;
    }
    scb_util_hex_encode(buf, len, hex, sizeof(hex));
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

static void cli_modem_log(void *ctx, const char *line)
{
    struct cli *c = ctx;
    fprintf(stderr, "%s: %s\n", c->prog, line);
}

int cli_open_modem(struct cli *c, const char *spec, struct scb_transport **tr)
{
    struct scb_at_opts o;
    char err[600] = "";
    int ret;
    scb_at_opts_init(&o);
    if ((ret = scb_at_parse_spec(spec, &o, err, sizeof(err))) < 0) {
        cli_fail(c, ret, "%s", err);
        return ret;
    }
    o.log = cli_modem_log;
    o.log_ctx = c;
    if ((ret = scb_at_open(&o, tr, err, sizeof(err))) < 0) {
        cli_fail(c, ret, "%s", err[0] ? err : scb_error_string(ret));
        return ret;
    }
    return SCB_OK;
}

int cli_open_trace(struct cli *c)
{
    char err[512] = "";
    int ret;
    if (c->trace_path && c->trace == NULL) {
        int fd;
        /* '-' is stdout; a file: with --show-secrets the trace holds them, 0600 like every
         * such file */
        if (strcmp(c->trace_path, "-") == 0) {
            c->trace = stdout;
        } else if ((ret = scb_util_open_file_secret(c->trace_path, &fd, err, sizeof(err))) < 0) {
            cli_fail(c, ret, "trace: %s", err);
            return ret;
        } else if ((c->trace = fdopen(fd, "w")) == NULL) {
            close(fd);
            cli_fail(c, SCB_E_IO, "trace: cannot write %s: %s", c->trace_path, strerror(errno));
            return SCB_E_IO;
        }
    }
    return SCB_OK;
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
    if ((ret = cli_open_trace(c)) < 0) {
        return ret;
    }
    if (strncmp(spec, "virtual:", 8) == 0) {
        if ((ret = scb_emu_load(spec + 8, &c->emu, err, sizeof(err))) < 0) {
            if (ret == SCB_E_NOT_FOUND || ret == SCB_E_IO) {
                cli_read_fail(c, spec + 8, ret); /* the profile is a file: exit 5 */
                return SCB_E_IO;
            }
            cli_fail(c, ret, "virtual card: %s", err);
            return ret;
        }
        if ((c->tr = scb_emu_transport(c->emu)) == NULL) {
            scb_emu_free(&c->emu);
            return SCB_E_NOMEM;
        }
    } else if (scb_at_is_spec(spec)) {
        if ((ret = cli_open_modem(c, spec, &c->tr)) < 0) {
            return ret;
        }
    } else if ((ret = scb_pcsc_open(spec, &c->tr, err, sizeof(err))) < 0) {
        cli_fail(c, ret, "%s", err[0] ? err : scb_error_string(ret));
        return ret;
    }
    if ((ret = scb_card_new(c->tr, &c->card)) < 0) {
        scb_transport_free(&c->tr);
        scb_emu_free(&c->emu);
        cli_fail(c, ret, "%s", scb_error_string(ret));
        return ret;
    }
    if (c->verbose || c->trace) {
        scb_card_set_trace(c->card, cli_trace, c);
    }
    return SCB_OK;
}

void cli_close_card(struct cli *c)
{
    scb_card_free(&c->card);
    scb_transport_free(&c->tr);
    scb_emu_free(&c->emu);
    if (c->trace) {
        if (c->trace != stdout) {
            fclose(c->trace);
        }
        c->trace = NULL;
    }
}

void cli_print_json(struct json_object *o)
{
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
}

int cli_secure_setup(struct cli *c, struct scb_card_source_opts *ro, struct scb_scp03_guard **g)
{
    char err[512];
    struct scb_scp03_keys keys;
    struct scb_scp03_opts so;
    int mode = c->secure_mode;
    *g = NULL;
    if (mode < 0) {
        mode = c->scp03_keys ? 2 : 0; /* keys given: required unless told otherwise */
    }
    if (mode == 0) {
        return 0;
    }
    if (c->scp03_keys == NULL) {
        return cli_fail(c, SCB_E_INVALID_ARG, "--secure-channel %s needs --scp03-keys FILE",
                        mode == 2 ? "required" : "preferred");
    }
    if (strcmp(c->scp03_keys, "-") == 0) {
        return cli_fail(c, SCB_E_INVALID_ARG,
                        "--scp03-keys -: a key file is a regular owner-only file (mode 0600), "
                        "not stdin; give its path");
    }
    memset(&keys, 0, sizeof(keys));
    int ret = scb_scp03_keys_load(c->scp03_keys, &keys, err, sizeof(err));
    if (ret < 0) {
        scb_scp03_keys_clear(&keys);
        /* unreadable or unsafe: a file error (5); wrong content: a malformed file (4) */
        return cli_fail(c, ret == SCB_E_SCP03_KEYS ? SCB_E_PARSE : ret, "%s: %s",
                        c->scp03_keys_origin ? c->scp03_keys_origin : "--scp03-keys", err);
    }
    scb_scp03_opts_init(&so);
    so.level = (uint8_t)c->scp03_level;
    ret = scb_scp03_guard_new(&keys, &so, mode == 2, g); /* the guard keeps its own copy */
    scb_scp03_keys_clear(&keys);
    if (ret < 0) {
        return cli_fail(c, ret, "--scp03-keys: %s", scb_error_string(ret));
    }
    ro->secure_open = scb_scp03_guard_open;
    ro->secure_close = scb_scp03_guard_close;
    ro->secure_ctx = *g;
    return 0;
}

void cli_secure_report(struct cli *c, const struct scb_scp03_guard *g)
{
    if (scb_scp03_guard_fell_back(g)) {
        fprintf(stderr, "%s: card does not support SCP03: read in plaintext "
                        "(--secure-channel preferred)\n",
                c->prog);
    }
}

int cli_load_profile(struct cli *c, const char *path, struct scb_profile *p)
{
    char *s;
    size_t tl;
    char err[256];
    int ret = scb_util_read_text(path, 65536, &s, &tl);
    if (ret < 0) {
        return cli_read_fail(c, path, ret);
    }
    ret = scb_profile_from_json_text(s, p, err, sizeof(err));
    free(s);
    /* a profile that does not parse is a malformed input file (4) */
    return ret < 0 ? cli_fail(c, SCB_E_PARSE, "--profile %s: %s", path, err) : 0;
}

void cli_log(void *ctx, const char *line)
{
    struct cli *c = ctx;
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %s: %s\n", ts, c->prog, line);
    fflush(stderr);
}

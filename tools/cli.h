/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h: what the scboot subcommands share: options, card opening, trace, output. */
#ifndef SCBOOT_CLI_H
#define SCBOOT_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "scboot/card.h"
#include "scboot/emu.h"
#include "scboot/transport.h"

/* Exit codes (doc/design.md) */
#define EXIT_OK 0
#define EXIT_INCONSISTENT 1
#define EXIT_USAGE 2
#define EXIT_CARD 3
#define EXIT_MALFORMED 4
#define EXIT_FILE 5 /* a file or the state directory cannot be read or written */

/* The exit code for an error: 2 usage, 3 card/reader, 4 malformed data or a damaged store,
 * 5 file or state I/O (unreadable/unwritable file, unsafe or locked state dir, full disk). */
int cli_exit_code(int err);

struct cli {
    const char *prog;
    const char *reader;     /* -r */
    int verbose;            /* -v: APDU trace to stderr */
    const char *trace_path; /* --trace FILE */
    FILE *trace;
    int json;
    int show_secrets;
    /* secure channel (--scp03-keys, --secure-channel, --scp03-level) */
    const char *scp03_keys;
    int secure_mode;        /* 0 off, 1 preferred, 2 required; -1 unset */
    unsigned scp03_level;
    /* --pin / --pin-file: wiped by cli_pin_wipe() once the card was read */
    char pin[16];
    int has_pin;
    /* a bad option value already explained on stderr: cli_usage() adds no second line */
    int reported;
    /* where --pin-file / --scp03-keys came from when not the command line ("FILE:LINE:
     * pin-file"), named in their error messages; NULL: the flag */
    const char *pin_file_origin, *scp03_keys_origin;
    /* an opened card */
    struct scb_transport *tr;
    struct scb_emu *emu;
    struct scb_card *card; /* cli_open_card() .. cli_close_card() */
};

/* Options every subcommand takes; 'h' is --help. Long-only codes start at 256. */
#define CLI_OPT_TRACE 256
#define CLI_OPT_JSON 257
#define CLI_OPT_SHOW_SECRETS 258
#define CLI_OPT_SCP03_KEYS 259
#define CLI_OPT_SECURE 260
#define CLI_OPT_SCP03_LEVEL 261
#define CLI_COMMON_OPTS                                                                     \
    {"reader", required_argument, NULL, 'r'}, {"verbose", no_argument, NULL, 'v'},          \
        {"trace", required_argument, NULL, CLI_OPT_TRACE},                                  \
        {"json", no_argument, NULL, CLI_OPT_JSON},                                          \
        {"show-secrets", no_argument, NULL, CLI_OPT_SHOW_SECRETS},                          \
        {"scp03-keys", required_argument, NULL, CLI_OPT_SCP03_KEYS},                        \
        {"secure-channel", required_argument, NULL, CLI_OPT_SECURE},                        \
        {"scp03-level", required_argument, NULL, CLI_OPT_SCP03_LEVEL},                      \
        {"help", no_argument, NULL, 'h'}
#define CLI_COMMON_SHORT "r:vh"

/* Handles a common option; returns 1 if it was one, 0 if not, -1 on error. */
int cli_common_opt(struct cli *c, int opt, const char *arg);
/* Opens the reader (-r NAME|INDEX|virtual:PROFILE.json; default $SCBOOT_READER or 0). */
int cli_open_card(struct cli *c);
/* --trace FILE opened (once) with the rules of every secret-bearing output; 0 or an error, the
 * one line printed. cli_open_card calls it; cli_close_card closes it. */
int cli_open_trace(struct cli *c);
/* Opens a modem (-r at:DEVICE[,baud=N,...]) into *tr; SCB_OK or an error (message printed). */
int cli_open_modem(struct cli *c, const char *spec, struct scb_transport **tr);
void cli_close_card(struct cli *c);
struct scb_card_source_opts;
struct scb_scp03_guard;
/*
 * Set up the secure channel hook of a card read from the options; 0 or an exit code. *g
 * receives the guard (NULL without a secure channel), the caller frees it with
 * scb_scp03_guard_free() after the read; ro borrows it until then.
 */
int cli_secure_setup(struct cli *c, struct scb_card_source_opts *ro, struct scb_scp03_guard **g);
/* After the read: say when "preferred" fell back to plaintext. */
void cli_secure_report(struct cli *c, const struct scb_scp03_guard *g);
/* One line on stderr: "scboot CMD: msg"; returns the exit code for err. */
int cli_fail(struct cli *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int cli_usage(struct cli *c, const char *usage);
/*
 * One line for a file that cannot be read: "scboot CMD: cannot read PATH: reason" (ret from
 * scb_util_read_file/scb_util_read_text, errno as they left it); returns EXIT_FILE (EXIT_MALFORMED
 * for SCB_E_TOO_LARGE).
 */
int cli_read_fail(struct cli *c, const char *path, int ret);
/*
 * Every output file a subcommand writes (an image, a raw file): "-" is stdout, anything else
 * goes through scb_util_write_file_secret (a new 0600 file renamed over the target whatever the
 * umask, a symbolic link refused). EXIT_OK or the exit code, the one line printed.
 */
int cli_write_output(struct cli *c, const char *path, const uint8_t *d, size_t n);
/*
 * --pin PIN (the argument is wiped from the process's command line once copied) or
 * --pin-file F (its first line, CR/LF stripped; refused unless only the owner may read it).
 * 0 or an exit code, the one line printed.
 */
int cli_pin_opt(struct cli *c, int from_file, char *arg);
/* The PIN given, or NULL. */
const char *cli_pin(const struct cli *c);
void cli_pin_wipe(struct cli *c);
/* Trace printer (scriptor-like "> " / "< " lines). */
void cli_trace(void *ctx, enum scb_trace_dir dir, const uint8_t *buf, size_t len, int redacted);

struct json_object;
/* Pretty JSON on stdout ("key": value, no escaped slashes), newline-terminated. */
void cli_print_json(struct json_object *o);

struct scb_config;
struct scb_decode_error;
/* The decoded configuration as text, object by object. */
void cli_print_config(const struct scb_config *cfg, int show_secrets);
struct scb_committed;
/* One "  /oid/iid  <how><provenance>" line per committed instance. */
void cli_print_provenance(const struct scb_committed *cm, const char *how);
/* One line for a decode error; returns exit code 4. */
int cli_decode_error(struct cli *c, const char *what, const struct scb_decode_error *e);

/* File size / extent / SHA-256 of a bootstrap image, as text or into a JSON object. */
void cli_print_file_summary(const uint8_t *buf, size_t len, struct json_object *into);

struct scb_profile;
/* --profile FILE: the client profile JSON; 0 or an exit code. */
int cli_load_profile(struct cli *c, const char *path, struct scb_profile *p);
/* A log line with an ISO 8601 UTC timestamp on stderr. */
void cli_log(void *ctx, const char *line);

int cmd_apply(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_watch(struct cli *c, int argc, char **argv);
int cmd_bootstrap(struct cli *c, int argc, char **argv);
int cmd_readers(struct cli *c, int argc, char **argv);
int cmd_apdu(struct cli *c, int argc, char **argv);
int cmd_dump(struct cli *c, int argc, char **argv);
int cmd_decode(struct cli *c, int argc, char **argv);
int cmd_encode(struct cli *c, int argc, char **argv);
int cmd_check(struct cli *c, int argc, char **argv);

#endif

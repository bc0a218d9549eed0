/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot.c: the CLI's entry point: global help and dispatch to one file per subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct subcommand {
    const char *name;
    int (*run)(struct cli *c, int argc, char **argv);
    const char *summary;
};

static const struct subcommand cmds[] = {
    {"readers", cmd_readers, "list PC/SC readers, cards, ATRs and ICCIDs"},
    {"apdu", cmd_apdu, "send raw APDUs and print the responses"},
    {"dump", cmd_dump, "read and decode the LwM2M bootstrap data from a card"},
    {"decode", cmd_decode, "decode a bootstrap file (EF LwM2M_Bootstrap image)"},
    {"encode", cmd_encode, "build a bootstrap file from JSON"},
    {"check", cmd_check, "decode and validate a bootstrap file or card"},
    {"apply", cmd_apply, "run the bootstrap sequence once and commit"},
    {"watch", cmd_watch, "daemon: keep the committed configuration in step with the card"},
    {"status", cmd_status, "show the committed configuration and where it came from"},
    {"bootstrap", cmd_bootstrap, "network bootstrap over CoAP (client- or server-initiated)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: scboot COMMAND [OPTIONS]\n\n"
               "LwM2M Bootstrap from Smartcard over PC/SC.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
    }
    fprintf(f, "\ncommon options: -r/--reader NAME|INDEX|virtual:PROFILE.json, -v (APDU trace),\n"
               "  --trace FILE, --json, --show-secrets, --help,\n"
               "  --scp03-keys FILE [--secure-channel required|preferred|off] [--scp03-level 33]\n"
               "exit codes: 0 success / consistent, 1 configuration inconsistent (apply: a\n"
               "  source present was rejected), 2 usage error, 3 card or reader error, 4 malformed\n"
               "  input file, card data or damaged store, 5 file or state I/O error (a file that\n"
               "  cannot be read or written, an unsafe or locked state directory, a full disk)\n");
}

int main(int argc, char **argv)
{
    struct cli c;

    memset(&c, 0, sizeof(c));
    opterr = 0; /* a wrong option is reported in cli_usage's one line, not in two */
    c.prog = "scboot";
    c.secure_mode = -1;
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("scboot " SCBOOT_VERSION "\n");
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            static char prog[64];
            snprintf(prog, sizeof(prog), "scboot %s", cmds[i].name);
            c.prog = prog;
            return cmds[i].run(&c, argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "scboot: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}

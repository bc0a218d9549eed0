/* SPDX-License-Identifier: Apache-2.0 */
/* cli_misc.h: small rules every subcommand follows: refusing --json where it has no meaning,
 * the hint when pcscd is not there, and option values that say why they are wrong. */
#ifndef SCBOOT_CLI_MISC_H
#define SCBOOT_CLI_MISC_H

#include "cli.h"
#include "scboot/validate.h"

#define CLI_PCSCD_HINT "is pcscd running? systemctl start pcscd.socket"

/* "--json is not supported: why" on stderr; returns EXIT_USAGE. */
int cli_refuse_json(struct cli *c, const char *why);
/* One line "PROG: --OPTION VALUE: why" on stderr; returns EXIT_USAGE. */
int cli_bad_value(struct cli *c, const char *option, const char *value, const char *why);
/* --source card|factory|network into *src; 0, or EXIT_USAGE with the reason said. */
int cli_parse_source(struct cli *c, const char *arg, enum scb_source *src);

struct scb_config;
/* cmd_convert.c: `encode --from leshan|wakaama` and `status --export leshan|wakaama`. */
int cmd_encode_from(struct cli *c, int argc, char **argv);
int cli_export(struct cli *c, const struct scb_config *cfg, const char *format,
               const char *endpoint);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* cli_misc.c: usage errors that explain themselves (see cli_misc.h). */
#include <stdio.h>

#include "cli_misc.h"

int cli_refuse_json(struct cli *c, const char *why)
{
    fprintf(stderr, "%s: --json is not supported: %s\n", c->prog, why);
    return EXIT_USAGE;
}

int cli_bad_value(struct cli *c, const char *option, const char *value, const char *why)
{
    fprintf(stderr, "%s: %s %s: %s\n", c->prog, option, value, why);
    return EXIT_USAGE;
}

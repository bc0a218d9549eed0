/* SPDX-License-Identifier: Apache-2.0 */
/* cli_misc.c: usage errors that explain themselves (see cli_misc.h). */
#include <stdio.h>
#include <string.h>

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

int cli_parse_source(struct cli *c, const char *arg, enum scb_source *src)
{
    static const struct {
        const char *name;
        enum scb_source src;
    } t[] = {{"card", SCB_SRC_CARD}, {"factory", SCB_SRC_FACTORY}, {"network", SCB_SRC_NETWORK}};
    for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        if (strcmp(arg, t[k].name) == 0) {
            *src = t[k].src;
            return 0;
        }
    }
    return cli_bad_value(c, "--source", arg, "must be card, factory or network");
}

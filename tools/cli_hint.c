/* SPDX-License-Identifier: Apache-2.0 */
/* cli_hint.c: CLI flag hints for library errors (the library's messages name no flag). */
#include <stddef.h>

#include "cli.h"
#include "cli_hint.h"
#include "scboot/error.h"

const char *cli_hint(int err)
{
    switch (err) {
    case SCB_E_PIN_REQUIRED:
        return "give --pin or --pin-file";
    case SCB_E_SECURITY_STATUS:
        return "give --pin or --pin-file, or --scp03-keys for a secure channel";
    default:
        return NULL;
    }
}

int cli_fail_hint(struct cli *c, int err, const char *msg)
{
    const char *hint = cli_hint(err);
    return cli_fail(c, err, "%s%s%s%s", msg, hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

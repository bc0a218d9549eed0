/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_hint.h: what the CLI tells the operator to give after a failure. The library's messages
 * name no command-line flag (it has none); the CLI adds the flag here, keyed on the error.
 */
#ifndef SCBOOT_CLI_HINT_H
#define SCBOOT_CLI_HINT_H

struct cli;

/** The flags that would get past err ("give --pin or --pin-file"), or NULL. */
const char *cli_hint(int err);
/** cli_fail() with msg and, when there is one, the hint for err after it. */
int cli_fail_hint(struct cli *c, int err, const char *msg);

#endif

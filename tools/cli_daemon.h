/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_daemon.h: how `scboot watch` speaks as a service: log lines with sd-daemon priorities
 * when stderr is the journal, the library's lines worded with the tool's flags, and the
 * sd_notify readiness protocol (the library's sender; libsystemd's for the forms only it
 * speaks). The hook is the library's (scboot/hook.h).
 */
#ifndef SCBOOT_CLI_DAEMON_H
#define SCBOOT_CLI_DAEMON_H

#include <stddef.h>
#include <syslog.h>

/* Log lines: ISO 8601 timestamp + program name on a terminal or file; "<N>" + message when
 * stderr is the journal (JOURNAL_STREAM names stderr's device:inode). */
struct cli_logger {
    const char *prog;
    int journal;
    int min_prio;   /* lines above this priority are dropped (LOG_INFO unless -v) */
};
void cli_logger_init(struct cli_logger *l, const char *prog, int verbose);
void cli_logp(struct cli_logger *l, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The library's one-argument log callback: lines are classified by what they say
 * (scb_daemon_line_prio). */
void cli_logger_lib(void *ctx, const char *line);
/* The hook's log callback (struct scb_hook): ctx is the struct cli_logger. */
void cli_logger_hook(void *ctx, int prio, const char *line);
/* line, or (in buf) line with the library's option field it names worded as the tools' flag. */
const char *cli_lib_hint(const char *line, char *buf, size_t cap);

/* sd_notify: a no-op (0) without $NOTIFY_SOCKET; 0 sent, a negative scb_err on failure. */
int cli_notify(const char *state);

#endif

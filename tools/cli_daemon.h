/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_daemon.h: what `scboot watch` needs to run as a service: the sd_notify readiness
 * protocol (libsystemd when built with it, else spoken directly), log lines with sd-daemon
 * priorities when stderr is the journal, and the --exec hook with a timeout.
 */
#ifndef SCBOOT_CLI_DAEMON_H
#define SCBOOT_CLI_DAEMON_H

#include <signal.h>
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
/* Whether JOURNAL_STREAM ("dev:ino") names the file open on fd. */
int cli_journal_stream_is(const char *env, int fd);
void cli_logp(struct cli_logger *l, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The library's one-argument log callback: lines are classified by what they say. */
void cli_logger_lib(void *ctx, const char *line);
/* line, or (in buf) line with the library's option field it names worded as the tools' flag. */
const char *cli_lib_hint(const char *line, char *buf, size_t cap);
int cli_log_classify(const char *line);

/* sd_notify: a no-op (0) without $NOTIFY_SOCKET; 0 sent, negative errno on failure. */
int cli_notify(const char *state);
/* The protocol itself: one datagram to an AF_UNIX socket ("/path" or "@abstract"). */
int cli_notify_raw(const char *socket_path, const char *state);

/* The --exec hook. */
struct cli_hook {
    const char *cmd;                   /* run by /bin/sh -c; NULL: no hook */
    unsigned timeout_s;                /* TERM at the timeout, KILL one second later */
    volatile sig_atomic_t *stop;       /* set by SIGTERM: the hook's group is killed now */
    struct cli_logger *log;
    int missing_reported;
};
#define CLI_HOOK_TIMEOUT_DEFAULT 30
/* At start-up: say once when the hook's program does not exist or is not executable, and
 * that it is not checked when it is shell syntax. */
void cli_hook_precheck(struct cli_hook *h);
/* What a hook command starts first (its first word only; cli_hook_trusted looks at every
 * program): CLI_HOOK_FILE with the file in out (its first word when it
 * holds a '/', else the first executable of that name in $PATH), CLI_HOOK_NOT_FOUND (a name
 * not in $PATH, in out), CLI_HOOK_SHELL when the first word is shell syntax (quoting, an
 * expansion, a glob, an assignment, a reserved word or builtin). The arguments do not count. */
enum { CLI_HOOK_SHELL = 0, CLI_HOOK_FILE = 1, CLI_HOOK_NOT_FOUND = 2 };
int cli_hook_program(const char *cmd, char *out, size_t cap);
/* SCB_E_UNSAFE (why says it) when a program file the hook runs (the first word of each simple
 * command of its lists and pipelines, behind assignments and words such as exec or env) could
 * be changed or swapped by someone other than root or us (scb_path_trusted); else SCB_OK. */
int cli_hook_trusted(const char *cmd, char *why, size_t cap);
/*
 * Run the hook with env ("NAME=value" strings, NULL-terminated) added, in its own process
 * group, stdin /dev/null. Returns its exit status (0-255), or -1 when it was killed (timeout,
 * shutdown) or could not be started.
 */
int cli_hook_run(struct cli_hook *h, char *const env[]);

#endif

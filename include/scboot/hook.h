/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot hook (bootstrap/service/hook.c): the program a daemon runs at every outcome (a card
 * applied, removed or rejected, a network bootstrap), a shell command run by `/bin/sh -c` with
 * the outcome in its environment. The command names programs the daemon runs with its own
 * rights, so scb_hook_trusted() refuses one whose program files (or the $PATH directories
 * searched for them) someone other than root or the caller could change. A run has a
 * timeout: the hook's whole process group gets SIGTERM, then SIGKILL one second later, and at
 * once when the daemon is stopping.
 *
 * Thread-safety: a struct scb_hook belongs to one thread at a time. scb_hook_run() forks, and
 * the functions read $PATH: do not change the environment from another thread meanwhile.
 */
#ifndef SCBOOT_HOOK_H
#define SCBOOT_HOOK_H

#include <signal.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** The default timeout of a hook, in seconds. */
#define SCB_HOOK_TIMEOUT_DEFAULT 30

/** What a hook command starts first (scb_hook_program()). */
enum scb_hook_kind {
    SCB_HOOK_SHELL = 0,     /**< shell syntax: the shell decides what runs */
    SCB_HOOK_FILE = 1,      /**< a program file (its path in out) */
    SCB_HOOK_NOT_FOUND = 2  /**< a bare name found nowhere in $PATH (the name in out) */
};

/**
 * A hook and how it is run. Initialise with scb_hook_init(), then set the fields; nothing is
 * allocated (no _free). Pointers are borrowed.
 */
struct scb_hook {
    const char *cmd;                /**< run by /bin/sh -c; NULL: no hook */
    unsigned timeout_s;             /**< SIGTERM at the timeout, SIGKILL one second later */
    /** set (by a SIGTERM handler) when the daemon is stopping: the hook's group is killed at
     * once, never later than the timeout; NULL: never */
    volatile sig_atomic_t *stop;
    /** where the hook's lines go (a syslog priority: 3 error, 4 warning, 6 info, 7 debug);
     * NULL: nowhere. No secret is logged. */
    void (*log)(void *ctx, int prio, const char *line);
    void *log_ctx;                  /**< given to log */
    /** set when the hook was found missing or not executable, so that is said once, not at
     * every event; cleared when it ran again */
    int missing_reported;
};

/**
 * No command, the default timeout, no stop flag, no log.
 * \param h the hook to initialise (may be NULL)
 */
void scb_hook_init(struct scb_hook *h);

/**
 * At start-up: log once when the hook's program does not exist or is not executable, and when
 * a program it runs is shell syntax, not checked for who may change it.
 * \param h the hook (may be NULL, or have no command: nothing is done)
 */
void scb_hook_precheck(struct scb_hook *h);

/**
 * What a hook command starts first: its first word only (the arguments do not count;
 * scb_hook_trusted() looks at every program).
 * \param cmd the command
 * \param out receives the program file (its first word when it holds a '/', else the first
 *            executable of that name in $PATH) or, for SCB_HOOK_NOT_FOUND, the name
 * \param cap size of out
 * \return SCB_HOOK_FILE, SCB_HOOK_NOT_FOUND, SCB_HOOK_SHELL when the first word is shell
 *         syntax (quoting, an expansion, a glob, an assignment, a reserved word or builtin) or
 *         longer than out, or SCB_E_INVALID_ARG (cmd or out NULL, cap 0)
 */
int scb_hook_program(const char *cmd, char *out, size_t cap);

/**
 * Whether the program files a hook command runs are safe: the first word of each simple
 * command of its lists and pipelines (behind assignments and words such as exec or env), and
 * every argument naming an existing file or directory (relative to the working directory when
 * it has no slash) with each file directly in such a directory, must not be changeable or
 * replaceable by anyone but root or the caller (scb_util_path_trusted()), nor may a $PATH
 * directory searched for a bare name before the one that holds it. What is shell syntax is
 * left to the shell (see scb_hook_precheck()).
 * \param cmd the command (NULL: no hook, SCB_OK)
 * \param why receives the reason when it is not safe, cap bytes (may be NULL)
 * \param cap size of why
 * \return SCB_OK or SCB_E_UNSAFE
 */
int scb_hook_trusted(const char *cmd, char *why, size_t cap);

/**
 * Run the hook and wait for it: in its own process group, stdin /dev/null, without
 * $NOTIFY_SOCKET (the daemon's), with env added to the environment.
 * \param h   the hook (NULL or no command: nothing is run, 0)
 * \param env "NAME=value" strings, NULL-terminated (may be NULL); borrowed
 * \return the hook's exit status (0-255), or -1 when it was killed (timeout, stop, a signal)
 *         or could not be started (said through the log)
 */
int scb_hook_run(struct scb_hook *h, char *const env[]);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

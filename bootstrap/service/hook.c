/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hook.c: the program a daemon runs at every outcome (scboot/hook.h): which program files a
 * shell command starts and whether anyone but root or us could change them, and the run itself
 * in its own process group with a timeout that also bounds how long a stopping daemon waits.
 */
#include "scboot/hook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "scboot/error.h"
#include "scboot/util.h"

void scb_hook_init(struct scb_hook *h)
{
    if (h != NULL) {
        memset(h, 0, sizeof(*h));
        h->timeout_s = SCB_HOOK_TIMEOUT_DEFAULT;
    }
}

/* One line through the hook's log callback (none: dropped). */
__attribute__((format(printf, 3, 4))) static void hook_log(const struct scb_hook *h, int prio,
                                                          const char *fmt, ...)
{
    char line[768];
    va_list ap;
    if (h->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    h->log(h->log_ctx, prio, line);
}

/* The shell's reserved words and the builtins that run or change what runs: a command starting
 * with one has no program file of its own to check. */
static int shell_keyword(const char *w)
{
    static const char *const kw[] = {
        "!",     "{",     "}",       "case",     "do",     "done",   "elif",  "else",
        "esac",  "fi",    "for",     "if",       "in",     "then",   "until", "while",
        ".",     ":",     "alias",   "bg",       "break",  "cd",     "command", "continue",
        "echo",  "eval",  "exec",    "exit",     "export", "false",  "fc",    "fg",
        "getopts", "hash", "jobs",   "kill",     "local",  "printf", "pwd",   "read",
        "readonly", "return", "set", "shift",    "test",   "[",      "times", "trap",
        "true",  "type",  "ulimit",  "umask",    "unalias", "unset", "wait"};
    for (size_t k = 0; k < sizeof(kw) / sizeof(kw[0]); k++) {
        if (strcmp(w, kw[k]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* NAME=value at the start of a command is an assignment, not a program. */
static int is_assignment(const char *w)
{
    size_t n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");
    return n > 0 && w[n] == '=' && !(w[0] >= '0' && w[0] <= '9');
}

/* The first executable called name in $PATH (the shell's default path without one). */
static int path_lookup(const char *name, char *out, size_t cap)
{
    const char *p = getenv("PATH");
    if (p == NULL) {
        p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }
    for (;;) {
        size_t n = strcspn(p, ":");
        int w = n == 0 ? snprintf(out, cap, "%s", name)
                       : snprintf(out, cap, "%.*s/%s", (int)n, p, name);
        struct stat st;
        if (w > 0 && (size_t)w < cap && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
            access(out, X_OK) == 0) {
            return 1;
        }
        if (p[n] == '\0') {
            return 0;
        }
        p += n + 1;
    }
}

int scb_hook_program(const char *cmd, char *out, size_t cap)
{
    char word[512];
    if (cmd == NULL || out == NULL || cap == 0) {
        return SCB_E_INVALID_ARG;
    }
    cmd += strspn(cmd, " \t\n");
    /* the first word ends at a blank or at an operator; whatever follows (arguments, more
     * commands) does not change which program starts first */
    size_t n = strcspn(cmd, " \t\n|&;<>()");
    if (n == 0 || n >= sizeof(word) || n >= cap) {
        return SCB_HOOK_SHELL;
    }
    memcpy(word, cmd, n);
    word[n] = '\0';
    /* quoting, expansions, globs, braces, a comment, ~ or an assignment: the shell decides
     * what runs, not the word as written */
    if (strpbrk(word, "$`\\\"'*?[{}") != NULL || word[0] == '#' || word[0] == '~' ||
        is_assignment(word) || shell_keyword(word)) {
        return SCB_HOOK_SHELL;
    }
    if (strchr(word, '/') != NULL) {
        memcpy(out, word, n + 1);
        return SCB_HOOK_FILE;
    }
    if (path_lookup(word, out, cap)) {
        return SCB_HOOK_FILE;
    }
    memcpy(out, word, n + 1);
    return SCB_HOOK_NOT_FOUND;
}

/*
 * The shell takes a bare name from the first $PATH directory that holds it, so whoever may
 * write a directory searched before the one that holds it now (or any, for a name not found)
 * can put their program first: every directory up to that one must be trusted too.
 */
static int path_dirs_trusted(const char *name, const char *prog, char *why, size_t cap)
{
    const char *p = getenv("PATH");
    if (p == NULL) {
        p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }
    for (;;) {
        char d[1024], sub[640];
        size_t n = strcspn(p, ":");
        snprintf(d, sizeof(d), "%.*s", n == 0 ? 1 : (int)n, n == 0 ? "." : p);
        if (scb_util_path_trusted(d, sub, sizeof(sub)) == SCB_E_UNSAFE) {
            snprintf(why, cap, "%s: $PATH directory %s, searched for it first: %s", name, d,
                     sub);
            return SCB_E_UNSAFE;
        }
        size_t dl = strlen(d);
        if ((prog != NULL && strncmp(prog, d, dl) == 0 && prog[dl] == '/' &&
             strcmp(prog + dl + 1, name) == 0) ||
            p[n] == '\0') {
            return SCB_OK;
        }
        p += n + 1;
    }
}

/* Words before a simple command's program that leave the program to the next word. */
static int program_prefix(const char *w)
{
    static const char *const pre[] = {"!",    "{",     "(",     "exec",    "command", "if",
                                      "then", "else",  "elif",  "do",      "while",   "until",
                                      "time", ".",     "env",   "nohup",   "setsid"};
    for (size_t k = 0; k < sizeof(pre) / sizeof(pre[0]); k++) {
        if (strcmp(w, pre[k]) == 0) {
            return 1;
        }
    }
    return is_assignment(w);
}

/* One word of cmd from *i (blanks skipped before): copied to word (quotes kept as written);
 * *subst set on $( or a backquote, which run commands of their own. 0 at the end. */
/* a word of the command as hook_scan cuts it: room beyond the 512 bytes scb_hook_program
 * takes, so an overlong word reaches it too long (refused as shell syntax), not cut short */
#define SCAN_WORD_MAX 4096

static size_t next_word(const char *cmd, size_t *i, char *word, size_t cap, int *subst)
{
    size_t n = 0;
    char q = 0;
    while (cmd[*i] != '\0' && (q || strchr(" \t\n|&;<>()", cmd[*i]) == NULL)) {
        char ch = cmd[(*i)++];
        if (ch == '`' || (ch == '$' && cmd[*i] == '(' && q != '\'')) {
            *subst = 1;
        }
        if (q == 0 && ch == '\\' && cmd[*i] != '\0') {
            if (n + 2 < cap) {
                word[n++] = ch;
                word[n++] = cmd[*i];
            }
            (*i)++;
            continue;
        }
        if (q == 0 && (ch == '\'' || ch == '"')) {
            q = ch;
        } else if (q == ch) {
            q = 0;
        }
        if (n + 1 < cap) {
            word[n++] = ch;
        }
    }
    word[n] = '\0';
    return n;
}

/*
 * An argument that names a file (env, nice, timeout, sudo ... run it; python3, perl ... read
 * it as a script) or a directory (run-parts DIR runs what is in it): the same rule as the
 * program itself, and for a directory also every file directly in it, since whoever may add or
 * change one there chooses what runs. A file's execute bit does not count: whoever may change
 * the file may set it too. A word without a slash names a file in the working directory
 * ("run-parts tmp" from /), so it counts as well when such a file exists.
 */
static int argument_trusted(const char *word, char *why, size_t cap)
{
    struct stat ast;
    if (stat(word, &ast) != 0) {
        return SCB_OK;
    }
    if (S_ISREG(ast.st_mode)) {
        return scb_util_path_trusted(word, why, cap);
    }
    if (!S_ISDIR(ast.st_mode)) {
        return SCB_OK;
    }
    int ret = scb_util_path_trusted(word, why, cap);
    DIR *d = ret == SCB_E_UNSAFE ? NULL : opendir(word);
    struct dirent *de;
    while (d != NULL && ret != SCB_E_UNSAFE && (de = readdir(d)) != NULL) {
        char entry[1024];
        if (de->d_name[0] == '.' ||
            snprintf(entry, sizeof(entry), "%s/%s", word, de->d_name) >= (int)sizeof(entry)) {
            continue;
        }
        if (lstat(entry, &ast) == 0 &&
            (S_ISLNK(ast.st_mode) || S_ISREG(ast.st_mode))) {
            ret = scb_util_path_trusted(entry, why, cap);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return ret;
}

/*
 * Every program the command starts, not only the first: each simple command of a list or a
 * pipeline (after | & ; a newline or a parenthesis) names one, behind any assignments and
 * words such as exec, command, ! or if. A program file that others could change -> UNSAFE;
 * a program that is shell syntax (quoting, an expansion), a command substitution or a here
 * document -> *unchecked (the shell decides what runs).
 */
static int hook_scan(const char *cmd, char *why, size_t cap, int *unchecked)
{
    /* words longer than scb_hook_program takes (512) come back from it as shell syntax:
     * unchecked and said so, never checked as a cut name */
    char word[SCAN_WORD_MAX], prog[512];
    size_t i = 0;
    int start = 1, redirect = 0, subst = 0, prefix = 0;
    *unchecked = 0;
    while (cmd[i] != '\0') {
        if (strchr(" \t", cmd[i]) != NULL) {
            i++;
            continue;
        }
        if (strchr("|&;\n()", cmd[i]) != NULL) {
            i++;
            start = 1;
            prefix = 0;
            continue;
        }
        if (cmd[i] == '<' || cmd[i] == '>') {
            if (cmd[i] == '<' && cmd[i + 1] == '<') {
                *unchecked = 1; /* a here document: its lines are not commands */
                return SCB_OK;
            }
            i += strspn(cmd + i, "<>&|");
            redirect = 1; /* the next word is a file to read or write, not a program */
            continue;
        }
        if (!redirect && cmd[i] == '#') { /* a comment, at any word's start */
            i += strcspn(cmd + i, "\n");
            continue;
        }
        next_word(cmd, &i, word, sizeof(word), &subst);
        if (redirect) {
            redirect = 0;
            continue;
        }
        if (!start) {
            if (strpbrk(word, "$`\\\"'*?[~") == NULL &&
                argument_trusted(word, why, cap) == SCB_E_UNSAFE) {
                return SCB_E_UNSAFE;
            }
            continue;
        }
        if (program_prefix(word) || (prefix && word[0] == '-')) {
            prefix = 1; /* env -i, command -p: options of the word that runs the program */
            continue;
        }
        start = prefix = 0;
        if (shell_keyword(word)) {
            /* a builtin has no file; these run text as commands */
            if (strcmp(word, "eval") == 0 || strcmp(word, "trap") == 0 ||
                strcmp(word, "alias") == 0 || strcmp(word, "fc") == 0) {
                *unchecked = 1;
            }
            continue;
        }
        int k = scb_hook_program(word, prog, sizeof(prog));
        const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
        if (k == SCB_HOOK_FILE && (strcmp(base, "sh") == 0 || strcmp(base, "dash") == 0 ||
                                   strcmp(base, "bash") == 0)) {
            *unchecked = 1; /* a shell reading a script or a -c string of its own */
        }
        if (k == SCB_HOOK_SHELL) {
            *unchecked = 1;
        } else if (k == SCB_HOOK_FILE && scb_util_path_trusted(prog, why, cap) == SCB_E_UNSAFE) {
            return SCB_E_UNSAFE;
        } else if (strchr(word, '/') == NULL &&
                   path_dirs_trusted(word, k == SCB_HOOK_FILE ? prog : NULL, why, cap) ==
                       SCB_E_UNSAFE) {
            return SCB_E_UNSAFE;
        }
    }
    if (subst) {
        *unchecked = 1;
    }
    return SCB_OK;
}

int scb_hook_trusted(const char *cmd, char *why, size_t cap)
{
    char none[1];
    if (why == NULL || cap == 0) {
        why = none;
        cap = sizeof(none);
    }
    int unchecked;
    return cmd == NULL ? SCB_OK : hook_scan(cmd, why, cap, &unchecked);
}

void scb_hook_precheck(struct scb_hook *h)
{
    char prog[512];
    if (h == NULL || h->cmd == NULL) {
        return;
    }
    char why[640];
    int unchecked = 0;
    hook_scan(h->cmd, why, sizeof(why), &unchecked);
    if (unchecked) {
        hook_log(h, LOG_WARNING,
                 "hook: a program it runs is shell syntax (quoting, an expansion, a command "
                 "substitution, a shell given a script): not checked for who may change it "
                 "(name program files to have them checked)");
    }
    switch (scb_hook_program(h->cmd, prog, sizeof(prog))) {
    case SCB_HOOK_SHELL:
        return;
    case SCB_HOOK_NOT_FOUND:
        hook_log(h, LOG_ERR, "hook %s: not found in PATH: events will not be passed on "
                                  "until it exists", prog);
        h->missing_reported = 1;
        return;
    default: break;
    }
    if (access(prog, X_OK) != 0) {
        int e = errno;
        hook_log(h, LOG_ERR, "hook %s: %s: events will not be passed on until it %s", prog,
                 e == ENOENT ? "no such file" : strerror(e),
                 e == ENOENT ? "exists" : "can be run");
        h->missing_reported = 1;
    }
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* signed, for deadlines that may lie in the past */
static long long now_ms(void)
{
    return (long long)scb_now_ms();
}

/* Wait for pid until deadline (ms, monotonic) or until *stop; 1 reaped, 0 not. */
static int reap_until(pid_t pid, int *status, long long deadline, volatile sig_atomic_t *stop)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) {
            return 1;
        }
        if (now_ms() >= deadline || (stop && *stop)) {
            return 0;
        }
        sleep_ms(20);
    }
}

static void hook_child(const char *cmd, char *const env[])
{
    setpgid(0, 0);
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        if (fd != STDIN_FILENO) {
            close(fd);
        }
    }
    /* the notify socket is the daemon's: a hook's READY=1 or STATUS= must not pass for ours */
    unsetenv("NOTIFY_SOCKET");
    for (size_t k = 0; env && env[k]; k++) {
        putenv(env[k]);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

int scb_hook_run(struct scb_hook *h, char *const env[])
{
    int status = 0;
    const char *why = NULL;
    if (h == NULL || h->cmd == NULL) {
        return 0;
    }
    long long start = now_ms(), deadline = start + (long long)h->timeout_s * 1000;
    pid_t pid = fork();
    if (pid < 0) {
        hook_log(h, LOG_ERR, "hook: cannot start: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        hook_child(h->cmd, env);
    }
    setpgid(pid, pid); /* also here: no window where a kill of the group misses it */
    if (!reap_until(pid, &status, deadline, h->stop)) {
        why = h->stop && *h->stop ? "stopping" : "timed out";
        kill(-pid, SIGTERM);
        /* one second's grace, never past the timeout when the daemon is stopping */
        long long grace = now_ms() + 1000;
        if (h->stop && *h->stop && grace > deadline) {
            grace = deadline;
        }
        if (!reap_until(pid, &status, grace, NULL)) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        }
        kill(-pid, SIGKILL); /* whatever the hook left behind in its group */
        hook_log(h, LOG_ERR, "hook %s after %lld ms: process group %d killed", why,
                 now_ms() - start, (int)pid);
        return -1;
    }
    if (WIFSIGNALED(status)) {
        hook_log(h, LOG_WARNING, "hook killed by signal %d", WTERMSIG(status));
        return -1;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 127 || code == 126) {
        if (!h->missing_reported) {
            hook_log(h, LOG_ERR, "hook '%s' %s (exit %d): events are not passed on",
                     h->cmd, code == 127 ? "not found" : "not executable", code);
            h->missing_reported = 1;
        } else {
            hook_log(h, LOG_DEBUG, "hook exit %d", code);
        }
    } else if (code != 0) {
        hook_log(h, LOG_WARNING, "hook exit %d", code);
    } else {
        h->missing_reported = 0;
        hook_log(h, LOG_INFO, "hook exit 0");
    }
    return code;
}

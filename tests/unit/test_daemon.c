/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_daemon.c: the service plumbing of `scboot watch` without systemd: the sd_notify
 * datagram to a path and to an abstract socket, JOURNAL_STREAM matching, priority prefixes
 * and the classification of the library's lines, and the --exec hook: environment, exit
 * status, missing program reported once, a slow hook killed (with its whole process group)
 * at the timeout, and at once when the daemon is stopping.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_daemon.h"
#include "scboot/error.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/scb-daemon-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int bind_dgram(const char *name, int abstract)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    socklen_t len;
    if (abstract) {
        memcpy(sa.sun_path + 1, name, strlen(name));
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    } else {
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", name);
        len = sizeof(sa);
    }
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void expect_dgram(int fd, const char *want)
{
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void notify_path_and_abstract(void **state)
{
    char path[128], name[64], at[80];
    (void)state;
    snprintf(path, sizeof(path), "%s/notify", dir);
    int fd = bind_dgram(path, 0);
    assert_int_equal(cli_notify_raw(path, "READY=1\nSTATUS=card 8988 applied"), 0);
    expect_dgram(fd, "READY=1\nSTATUS=card 8988 applied");
    close(fd);
    snprintf(name, sizeof(name), "scb-test-%d", (int)getpid());
    fd = bind_dgram(name, 1);
    snprintf(at, sizeof(at), "@%s", name);
    assert_int_equal(cli_notify_raw(at, "STOPPING=1"), 0);
    expect_dgram(fd, "STOPPING=1");
    close(fd);
    /* through the public entry (libsystemd or the fallback) with $NOTIFY_SOCKET */
    fd = bind_dgram(name, 1);
    setenv("NOTIFY_SOCKET", at, 1);
    assert_int_equal(cli_notify("READY=1"), 0);
    expect_dgram(fd, "READY=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(cli_notify("READY=1"), 0); /* no socket: nothing to do */
    /* refused forms and a socket nobody listens on */
    assert_true(cli_notify_raw("relative", "READY=1") < 0);
    assert_true(cli_notify_raw("@", "READY=1") < 0);
    assert_true(cli_notify_raw(path, "READY=1") < 0);
    char longp[200];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    assert_true(cli_notify_raw(longp, "READY=1") < 0);
}

/* A listener that never reads: once its queue is full the daemon loses status lines but is
 * never blocked (found by the gateway breaking pass: sd_notify blocks there). 1000 sends
 * against a queue of about 10 return, the later ones with -EAGAIN. */
static void notify_never_blocks(void **state)
{
    char path[128];
    (void)state;
    snprintf(path, sizeof(path), "%s/stuck", dir);
    int fd = bind_dgram(path, 0);
    int refused = 0;
    setenv("NOTIFY_SOCKET", path, 1);
    for (int k = 0; k < 1000; k++) {
        int r = cli_notify("STATUS=card 8988 applied generation 1");
        assert_true(r == 0 || r == -EAGAIN);
        refused += r == -EAGAIN;
    }
    unsetenv("NOTIFY_SOCKET");
    assert_true(refused > 0);
    close(fd);
    unlink(path);
}

static void journal_stream(void **state)
{
    char path[128], env[64];
    struct stat st;
    (void)state;
    snprintf(path, sizeof(path), "%s/log", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &st), 0);
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    assert_true(cli_journal_stream_is(env, fileno(f)));
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino + 1);
    assert_false(cli_journal_stream_is(env, fileno(f)));
    assert_false(cli_journal_stream_is(NULL, fileno(f)));
    assert_false(cli_journal_stream_is("garbage", fileno(f)));
    assert_false(cli_journal_stream_is("1:2:3", fileno(f)));
    fclose(f);
}

static void classify(void **state)
{
    (void)state;
    assert_int_equal(cli_log_classify("commit failed: I/O error"), LOG_ERR);
    assert_int_equal(cli_log_classify("PIN refused by the card: not presented again"), LOG_ERR);
    assert_int_equal(cli_log_classify("store: damaged"), LOG_ERR);
    assert_int_equal(cli_log_classify("card data rejected: error /0/1/10 x: y"), LOG_WARNING);
    assert_int_equal(cli_log_classify("factory configuration unusable: x"), LOG_WARNING);
    assert_int_equal(cli_log_classify("card unreadable: PIN required"), LOG_WARNING);
    assert_int_equal(cli_log_classify("card applied: ICCID 8988"), LOG_INFO);
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct cli_logger quiet = {"test", 0, LOG_DEBUG};

static void hook_env_and_status(void **state)
{
    char cmd[256], out[128], buf[128];
    (void)state;
    snprintf(out, sizeof(out), "%s/env", dir);
    snprintf(cmd, sizeof(cmd), "echo \"$SCBOOT_EVENT $SCBOOT_ICCID\" > %s; exit 3", out);
    struct cli_hook h = {.cmd = cmd, .timeout_s = 5, .log = &quiet};
    char ev[] = "SCBOOT_EVENT=applied", ic[] = "SCBOOT_ICCID=8988";
    char *env[] = {ev, ic, NULL};
    assert_int_equal(cli_hook_run(&h, env), 3);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "applied 8988\n");
    assert_null(getenv("SCBOOT_EVENT")); /* only the child's environment changed */
    struct cli_hook none = {.cmd = NULL, .log = &quiet};
    assert_int_equal(cli_hook_run(&none, env), 0);
}

/* The hook must not speak for the daemon: NOTIFY_SOCKET is the daemon's (with
 * NotifyAccess=all, or a supervisor that trusts any sender, a hook's READY=1 / STATUS= would
 * pass for the daemon's), so the child's environment drops it. */
static void hook_has_no_notify_socket(void **state)
{
    char cmd[256], out[128], buf[128] = "";
    (void)state;
    snprintf(out, sizeof(out), "%s/hook-notify", dir);
    snprintf(cmd, sizeof(cmd), "echo \"[${NOTIFY_SOCKET-unset}]\" > %s", out);
    struct cli_hook h = {.cmd = cmd, .timeout_s = 5, .log = &quiet};
    assert_int_equal(setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1), 0);
    assert_int_equal(cli_hook_run(&h, NULL), 0);
    assert_string_equal(getenv("NOTIFY_SOCKET"), "/run/systemd/notify"); /* ours is kept */
    unsetenv("NOTIFY_SOCKET");
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "[unset]\n");
}

static void hook_missing_reported_once(void **state)
{
    (void)state;
    struct cli_hook h = {.cmd = "/nonexistent/on-change", .timeout_s = 5, .log = &quiet};
    cli_hook_precheck(&h);
    assert_true(h.missing_reported);
    assert_int_equal(cli_hook_run(&h, NULL), 127);
    assert_true(h.missing_reported);
    struct cli_hook g = {.cmd = "/nonexistent/on-change arg", .timeout_s = 5, .log = &quiet};
    assert_int_equal(cli_hook_run(&g, NULL), 127);
    assert_true(g.missing_reported); /* reported at the first failure */
    struct cli_hook sh = {.cmd = "true | /bin/true", .timeout_s = 5, .log = &quiet};
    cli_hook_precheck(&sh); /* shell syntax: not second-guessed */
    assert_false(sh.missing_reported);
}

static void hook_timeout_kills_group(void **state)
{
    char cmd[256], pidf[128], buf[32];
    (void)state;
    snprintf(pidf, sizeof(pidf), "%s/grandchild", dir);
    /* the hook leaves a grandchild in its group: the timeout takes both */
    snprintf(cmd, sizeof(cmd), "sleep 100 & echo $! > %s; wait", pidf);
    struct cli_hook h = {.cmd = cmd, .timeout_s = 1, .log = &quiet};
    long long t0 = ms_now();
    assert_int_equal(cli_hook_run(&h, NULL), -1);
    long long took = ms_now() - t0;
    assert_true(took >= 1000 && took < 3500);
    FILE *f = fopen(pidf, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    pid_t gc = (pid_t)atoi(buf);
    assert_true(gc > 0);
    int gone = 0;
    for (int k = 0; k < 50 && !gone; k++) {
        gone = kill(gc, 0) != 0 && errno == ESRCH;
        if (!gone) { /* reparented to a PID 1 that does not reap: a zombie is dead too */
            char sp[64], st[256];
            snprintf(sp, sizeof(sp), "/proc/%d/stat", (int)gc);
            FILE *s = fopen(sp, "r");
            if (s && fgets(st, sizeof(st), s) && strstr(st, ") Z ")) {
                gone = 1;
            }
            if (s) {
                fclose(s);
            }
        }
        if (!gone) {
            usleep(20000);
        }
    }
    assert_true(gone);
}

static void hook_ignoring_term_is_killed(void **state)
{
    (void)state;
    struct cli_hook h = {.cmd = "trap '' TERM; sleep 100", .timeout_s = 1, .log = &quiet};
    long long t0 = ms_now();
    assert_int_equal(cli_hook_run(&h, NULL), -1);
    assert_true(ms_now() - t0 < 3500);
}

static volatile sig_atomic_t stopping;

static void hook_stop_does_not_wait(void **state)
{
    (void)state;
    stopping = 1; /* SIGTERM already arrived: the hook gets no more than the timeout */
    struct cli_hook h = {.cmd = "trap '' TERM; sleep 100", .timeout_s = 2, .stop = &stopping,
                         .log = &quiet};
    long long t0 = ms_now();
    assert_int_equal(cli_hook_run(&h, NULL), -1);
    assert_true(ms_now() - t0 < 2000);
    stopping = 0;
}

/* The trust check looks at the program, whatever the arguments hold: a hook in a directory
 * others may write is refused with any argument; only a program that is itself shell syntax
 * goes unchecked. */
static void hook_program_is_the_first_word(void **state)
{
    static const char *const args[] = {"", " --x=1", " 50%", " ~", " #", " {}", " $HOME",
                                       " 'a b'", ";echo", " | cat", "&", " > /dev/null"};
    char wdir[128], hook[160], cmd[256], prog[512], why[640];
    (void)state;
    snprintf(wdir, sizeof(wdir), "%s/w777", dir);
    assert_int_equal(mkdir(wdir, 0700), 0);
    assert_int_equal(chmod(wdir, 0777), 0);
    snprintf(hook, sizeof(hook), "%s/hook", wdir);
    FILE *f = fopen(hook, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\nexit 0\n", f);
    fclose(f);
    assert_int_equal(chmod(hook, 0755), 0);
    for (size_t k = 0; k < sizeof(args) / sizeof(args[0]); k++) {
        snprintf(cmd, sizeof(cmd), "%s%s", hook, args[k]);
        assert_int_equal(cli_hook_program(cmd, prog, sizeof(prog)), CLI_HOOK_FILE);
        assert_string_equal(prog, hook);
        assert_int_equal(cli_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
        assert_non_null(strstr(why, "writable by group or others"));
    }
    /* a bare name: the file $PATH gives it */
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    char path[300];
    snprintf(path, sizeof(path), "/nonexistent:%s:/usr/bin:/bin", wdir);
    setenv("PATH", path, 1);
    assert_int_equal(cli_hook_program("hook --x=1", prog, sizeof(prog)), CLI_HOOK_FILE);
    assert_string_equal(prog, hook);
    assert_int_equal(cli_hook_trusted("  hook 50%", why, sizeof(why)), SCB_E_UNSAFE);
    assert_int_equal(cli_hook_program("sh -c x", prog, sizeof(prog)), CLI_HOOK_FILE);
    assert_int_equal(cli_hook_trusted("sh -c x", why, sizeof(why)), SCB_OK);
    assert_int_equal(cli_hook_program("no-such-hook-here x", prog, sizeof(prog)),
                     CLI_HOOK_NOT_FOUND);
    assert_string_equal(prog, "no-such-hook-here");
    if (old) {
        setenv("PATH", old, 1);
        free(old);
    } else {
        unsetenv("PATH");
    }
    /* the program itself is shell syntax: left to the shell */
    static const char *const shell[][2] = {
        {"\"", "\""}, {"'", "' x"}, {"", "*"},     {"X=1 ", ""},   {"exec ", ""},
        {"{ ", "; }"}, {"$H", ""},   {"~/x ", ""}, {"# ", ""},     {"! ", ""},
        {"(", ")"},    {"\\", ""},  {"if ", "; then :; fi"},      {"true | ", ""}};
    for (size_t k = 0; k < sizeof(shell) / sizeof(shell[0]); k++) {
        snprintf(cmd, sizeof(cmd), "%s%s%s", shell[k][0], hook, shell[k][1]);
        assert_int_equal(cli_hook_program(cmd, prog, sizeof(prog)), CLI_HOOK_SHELL);
        assert_int_equal(cli_hook_trusted(cmd, why, sizeof(why)), SCB_OK);
    }
    /* a path holding '=' or '%' is still a path */
    assert_int_equal(cli_hook_program("/opt/a=b/hook%1 x", prog, sizeof(prog)), CLI_HOOK_FILE);
    assert_string_equal(prog, "/opt/a=b/hook%1");
}

/* An unchecked (shell syntax) hook is said so at start-up, on stderr. */
static void hook_shell_syntax_said_at_startup(void **state)
{
    char log[128], buf[512] = "";
    (void)state;
    snprintf(log, sizeof(log), "%s/precheck.log", dir);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *f = fopen(log, "w+");
    assert_non_null(f);
    dup2(fileno(f), STDERR_FILENO);
    struct cli_logger l = {"test", 0, LOG_INFO};
    struct cli_hook sh = {.cmd = "\"/x/hook\" --y", .timeout_s = 5, .log = &l};
    cli_hook_precheck(&sh);
    struct cli_hook plain = {.cmd = "/bin/true --x=1", .timeout_s = 5, .log = &l};
    cli_hook_precheck(&plain);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "hook: its program is shell syntax: not checked"));
    assert_null(strchr(strchr(buf, '\n') + 1, '\n')); /* one line: the plain hook says nothing */
    assert_false(sh.missing_reported);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notify_path_and_abstract),
        cmocka_unit_test(notify_never_blocks),
        cmocka_unit_test(journal_stream),
        cmocka_unit_test(classify),
        cmocka_unit_test(hook_env_and_status),
        cmocka_unit_test(hook_has_no_notify_socket),
        cmocka_unit_test(hook_missing_reported_once),
        cmocka_unit_test(hook_timeout_kills_group),
        cmocka_unit_test(hook_ignoring_term_is_killed),
        cmocka_unit_test(hook_stop_does_not_wait),
        cmocka_unit_test(hook_program_is_the_first_word),
        cmocka_unit_test(hook_shell_syntax_said_at_startup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

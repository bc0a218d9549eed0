/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_daemon.c: the library's service plumbing without systemd (notify.h, hook.h): the
 * sd_notify datagram to a path and to an abstract socket, JOURNAL_STREAM matching, the
 * priorities of the library's lines (daemon.h), and the hook: environment, exit
 * status, missing program reported once, a slow hook killed (with its whole process group)
 * at the timeout, and at once when the daemon is stopping. Then the daemon loop of the library
 * (daemon.h) on the emulator's event source: insert, removal, swap, the network step when the
 * card leaves no server account (a stub stands for CoAP), a session abandoned when the card
 * goes, the registration-failure policy, and an event source that fails (back-off).
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

#include <syslog.h>

#include "scboot/hook.h"
#include "scboot/notify.h"
#include "scboot/daemon.h"
#include "scboot/emu.h"
#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/model.h"

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
    assert_int_equal(scb_notify_send_to(path, "READY=1\nSTATUS=card 8988 applied"), 0);
    expect_dgram(fd, "READY=1\nSTATUS=card 8988 applied");
    close(fd);
    snprintf(name, sizeof(name), "scb-test-%d", (int)getpid());
    fd = bind_dgram(name, 1);
    snprintf(at, sizeof(at), "@%s", name);
    assert_int_equal(scb_notify_send_to(at, "STOPPING=1"), 0);
    expect_dgram(fd, "STOPPING=1");
    close(fd);
    /* through $NOTIFY_SOCKET */
    fd = bind_dgram(name, 1);
    setenv("NOTIFY_SOCKET", at, 1);
    assert_int_equal(scb_notify_send("READY=1"), 0);
    expect_dgram(fd, "READY=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(scb_notify_send("READY=1"), 0); /* no socket: nothing to do */
    /* refused forms and a socket nobody listens on */
    assert_int_equal(scb_notify_send_to("relative", "READY=1"), SCB_E_UNSUPPORTED);
    assert_int_equal(scb_notify_send_to("@", "READY=1"), SCB_E_INVALID_ARG);
    errno = 0;
    assert_int_equal(scb_notify_send_to(path, "READY=1"), SCB_E_IO);
    assert_true(errno == ECONNREFUSED || errno == ENOENT);
    char longp[200];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(scb_notify_send_to(longp, "READY=1"), SCB_E_INVALID_ARG);
}

/* A listener that never reads: once its queue is full the daemon loses status lines but is
 * never blocked (a blocking send, as sd_notify makes, would stop the loop there). 1000 sends
 * against a queue of about 10 return, the later ones with SCB_E_IO and errno EAGAIN. */
static void notify_never_blocks(void **state)
{
    char path[128];
    (void)state;
    snprintf(path, sizeof(path), "%s/stuck", dir);
    int fd = bind_dgram(path, 0);
    int refused = 0;
    setenv("NOTIFY_SOCKET", path, 1);
    for (int k = 0; k < 1000; k++) {
        errno = 0;
        int r = scb_notify_send("STATUS=card 8988 applied generation 1");
        assert_true(r == 0 || (r == SCB_E_IO && errno == EAGAIN));
        refused += r == SCB_E_IO;
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
    assert_true(scb_notify_journal_stream(env, fileno(f)));
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino + 1);
    assert_false(scb_notify_journal_stream(env, fileno(f)));
    assert_false(scb_notify_journal_stream(NULL, fileno(f)));
    assert_false(scb_notify_journal_stream("garbage", fileno(f)));
    assert_false(scb_notify_journal_stream("1:2:3", fileno(f)));
    fclose(f);
}

static void classify(void **state)
{
    (void)state;
    assert_int_equal(scb_daemon_line_prio("commit failed: I/O error"), LOG_ERR);
    assert_int_equal(scb_daemon_line_prio("PIN refused by the card: not presented again"), LOG_ERR);
    assert_int_equal(scb_daemon_line_prio("store: damaged"), LOG_ERR);
    assert_int_equal(scb_daemon_line_prio("card data rejected: error /0/1/10 x: y"), LOG_WARNING);
    assert_int_equal(scb_daemon_line_prio("factory configuration unusable: x"), LOG_WARNING);
    assert_int_equal(scb_daemon_line_prio("card unreadable: PIN required"), LOG_WARNING);
    assert_int_equal(scb_daemon_line_prio("card applied: ICCID 8988"), LOG_INFO);
    assert_int_equal(scb_daemon_line_prio(NULL), LOG_INFO);
    /* NULL arguments are refused, never followed */
    char prog[16];
    assert_int_equal(scb_hook_program(NULL, prog, sizeof(prog)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_hook_program("/bin/true", NULL, 0), SCB_E_INVALID_ARG);
    assert_int_equal(scb_hook_trusted("/bin/true", NULL, 0), SCB_OK);
    assert_int_equal(scb_hook_run(NULL, NULL), 0);
    scb_hook_precheck(NULL);
    assert_int_equal(scb_notify_send_to("/nonexistent", NULL), SCB_E_INVALID_ARG);
    assert_int_equal(scb_notify_send_to(NULL, "READY=1"), SCB_E_INVALID_ARG);
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What a hook logs, one line each (debug lines left out), for the checks. */
struct capture {
    char buf[4096];
    size_t n;
};

static void capture_line(void *ctx, int prio, const char *line)
{
    struct capture *c = ctx;
    if (prio > LOG_INFO) {
        return;
    }
    int w = snprintf(c->buf + c->n, sizeof(c->buf) - c->n, "%s\n", line);
    if (w > 0) {
        c->n += (size_t)w < sizeof(c->buf) - c->n ? (size_t)w : sizeof(c->buf) - c->n - 1;
    }
}

/* scb_hook_precheck() on cmd, its lines into cap; whether it found the program missing */
static int precheck_logged(const char *cmd, struct capture *cap)
{
    struct scb_hook h;
    scb_hook_init(&h);
    h.cmd = cmd;
    h.log = capture_line;
    h.log_ctx = cap;
    scb_hook_precheck(&h);
    return h.missing_reported;
}

static void hook_env_and_status(void **state)
{
    char cmd[256], out[128], buf[128];
    (void)state;
    snprintf(out, sizeof(out), "%s/env", dir);
    snprintf(cmd, sizeof(cmd), "echo \"$SCBOOT_EVENT $SCBOOT_ICCID\" > %s; exit 3", out);
    struct scb_hook h = {.cmd = cmd, .timeout_s = 5};
    char ev[] = "SCBOOT_EVENT=applied", ic[] = "SCBOOT_ICCID=8988";
    char *env[] = {ev, ic, NULL};
    assert_int_equal(scb_hook_run(&h, env), 3);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "applied 8988\n");
    assert_null(getenv("SCBOOT_EVENT")); /* only the child's environment changed */
    struct scb_hook none = {.cmd = NULL};
    assert_int_equal(scb_hook_run(&none, env), 0);
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
    struct scb_hook h = {.cmd = cmd, .timeout_s = 5};
    assert_int_equal(setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1), 0);
    assert_int_equal(scb_hook_run(&h, NULL), 0);
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
    struct scb_hook h = {.cmd = "/nonexistent/on-change", .timeout_s = 5};
    scb_hook_precheck(&h);
    assert_true(h.missing_reported);
    assert_int_equal(scb_hook_run(&h, NULL), 127);
    assert_true(h.missing_reported);
    struct scb_hook g = {.cmd = "/nonexistent/on-change arg", .timeout_s = 5};
    assert_int_equal(scb_hook_run(&g, NULL), 127);
    assert_true(g.missing_reported); /* reported at the first failure */
    struct scb_hook sh = {.cmd = "true | /bin/true", .timeout_s = 5};
    scb_hook_precheck(&sh); /* shell syntax: not second-guessed */
    assert_false(sh.missing_reported);
}

static void hook_timeout_kills_group(void **state)
{
    char cmd[256], pidf[128], buf[32];
    (void)state;
    snprintf(pidf, sizeof(pidf), "%s/grandchild", dir);
    /* the hook leaves a grandchild in its group: the timeout takes both */
    snprintf(cmd, sizeof(cmd), "sleep 100 & echo $! > %s; wait", pidf);
    struct scb_hook h = {.cmd = cmd, .timeout_s = 1};
    long long t0 = ms_now();
    assert_int_equal(scb_hook_run(&h, NULL), -1);
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
    struct scb_hook h = {.cmd = "trap '' TERM; sleep 100", .timeout_s = 1};
    long long t0 = ms_now();
    assert_int_equal(scb_hook_run(&h, NULL), -1);
    assert_true(ms_now() - t0 < 3500);
}

static volatile sig_atomic_t stopping;

static void hook_stop_does_not_wait(void **state)
{
    (void)state;
    stopping = 1; /* SIGTERM already arrived: the hook gets no more than the timeout */
    struct scb_hook h = {.cmd = "trap '' TERM; sleep 100", .timeout_s = 2, .stop = &stopping,
                         };
    long long t0 = ms_now();
    assert_int_equal(scb_hook_run(&h, NULL), -1);
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
        assert_int_equal(scb_hook_program(cmd, prog, sizeof(prog)), SCB_HOOK_FILE);
        assert_string_equal(prog, hook);
        assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
        assert_non_null(strstr(why, "writable by group or others"));
    }
    /* a bare name: the file $PATH gives it */
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    char path[300];
    snprintf(path, sizeof(path), "/nonexistent:%s:/usr/bin:/bin", wdir);
    setenv("PATH", path, 1);
    assert_int_equal(scb_hook_program("hook --x=1", prog, sizeof(prog)), SCB_HOOK_FILE);
    assert_string_equal(prog, hook);
    assert_int_equal(scb_hook_trusted("  hook 50%", why, sizeof(why)), SCB_E_UNSAFE);
    assert_int_equal(scb_hook_program("sh -c x", prog, sizeof(prog)), SCB_HOOK_FILE);
    /* sh is /usr/bin's or /bin's, but the shell looks in the mode-0777 directory first:
     * anyone may put an sh there later; so for a name not found anywhere yet */
    assert_int_equal(scb_hook_trusted("sh -c x", why, sizeof(why)), SCB_E_UNSAFE);
    assert_non_null(strstr(why, "$PATH directory"));
    assert_int_equal(scb_hook_program("no-such-hook-here x", prog, sizeof(prog)),
                     SCB_HOOK_NOT_FOUND);
    assert_string_equal(prog, "no-such-hook-here");
    assert_int_equal(scb_hook_trusted("no-such-hook-here", why, sizeof(why)), SCB_E_UNSAFE);
    /* the directories after the one that holds it are never searched for it */
    snprintf(path, sizeof(path), "/nonexistent:/usr/bin:/bin:%s", wdir);
    setenv("PATH", path, 1);
    assert_int_equal(scb_hook_trusted("sh -c x", why, sizeof(why)), SCB_OK);
    assert_int_equal(scb_hook_trusted("no-such-hook-here", why, sizeof(why)), SCB_E_UNSAFE);
    setenv("PATH", "/usr/bin::/bin", 1); /* an empty entry is the working directory */
    assert_int_equal(scb_hook_trusted("sh -c x", why, sizeof(why)), SCB_OK);
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(wdir), 0);
    assert_int_equal(scb_hook_trusted("no-such-hook-here", why, sizeof(why)), SCB_E_UNSAFE);
    assert_int_equal(chdir(cwd), 0);
    if (old) {
        setenv("PATH", old, 1);
        free(old);
    } else {
        unsetenv("PATH");
    }
    /* the program itself is shell syntax: left to the shell */
    static const char *const shell[][2] = {
        {"\"", "\""}, {"'", "' x"}, {"", "*"}, {"$H", ""}, {"# ", ""}, {"\\", ""}};
    for (size_t k = 0; k < sizeof(shell) / sizeof(shell[0]); k++) {
        snprintf(cmd, sizeof(cmd), "%s%s%s", shell[k][0], hook, shell[k][1]);
        assert_int_equal(scb_hook_program(cmd, prog, sizeof(prog)), SCB_HOOK_SHELL);
        assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_OK);
    }
    /* the hook is still the program of a simple command: behind an assignment, a word that
     * runs the next one, or in a list or pipeline after a trusted program */
    static const char *const runs[][2] = {
        {"X=1 ", ""},          {"exec ", ""},          {"{ ", "; }"},
        {"! ", ""},            {"(", ")"},             {"if ", "; then :; fi"},
        {"true | ", ""},       {"/bin/true | ", ""},   {"/bin/true; ", ""},
        {"/bin/true && ", ""}, {"/bin/true || ", " x"}, {"/bin/true\n", ""},
        {"/bin/true & ", ""},  {"env ", ""},           {"env -i A=1 ", " x"},
        {"command -p ", ""},   {". ", ""},             {"nohup ", ""},
        {">/dev/null ", ""},   {"/bin/true 2>&1 >/dev/null;", " --x=1"},
        {"\t \n", " $HOME"},
        /* an argument that is a program file: env, nice, timeout, a shell ... run it */
        {"/usr/bin/env ", ""}, {"nice -n 5 ", ""}, {"timeout 5 ", " x"}, {"/bin/sh ", ""},
        {"/bin/echo x ", ""}, {"~/x ", ""}};
    for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
        snprintf(cmd, sizeof(cmd), "%s%s%s", runs[k][0], hook, runs[k][1]);
        assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
        assert_non_null(strstr(why, "writable by group or others"));
    }
    /* a program path longer than the checker's buffer: said to be unchecked, not checked cut */
    {
        char lp[1200];
        int n = snprintf(lp, sizeof(lp), "%s", wdir);
        while (n < 700) {
            n += snprintf(lp + n, sizeof(lp) - (size_t)n, "/.");
        }
        snprintf(lp + n, sizeof(lp) - (size_t)n, "/hook");
        struct capture cap = {.n = 0};
        precheck_logged(lp, &cap);
        assert_non_null(strstr(cap.buf, "not checked"));
    }
    /* where the hook's name is no program: a redirection's file, a quoted or later argument */
    static const char *const not_run[][2] = {
        {"/bin/true > ", ""}, {"/bin/true '; ", "'"}, {"/bin/true \"| ", "\""},
        {"/bin/true # ; ", ""}};
    for (size_t k = 0; k < sizeof(not_run) / sizeof(not_run[0]); k++) {
        snprintf(cmd, sizeof(cmd), "%s%s%s", not_run[k][0], hook, not_run[k][1]);
        assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_OK);
    }
    /* a path holding '=' or '%' is still a path */
    assert_int_equal(scb_hook_program("/opt/a=b/hook%1 x", prog, sizeof(prog)), SCB_HOOK_FILE);
    assert_string_equal(prog, "/opt/a=b/hook%1");
}

/* A directory given as an argument (run-parts DIR) is where the programs come from: it, and
 * every program file in it, follow the rule of a program file. */
static void hook_directory_argument_checked(void **state)
{
    char rp[128], script[192], cmd[256], why[640];
    FILE *f;
    (void)state;
    snprintf(rp, sizeof(rp), "%s/rp", dir);
    assert_int_equal(mkdir(rp, 0755), 0);
    assert_int_equal(chmod(rp, 0755), 0);
    snprintf(script, sizeof(script), "%s/10-log", rp);
    assert_non_null(f = fopen(script, "w"));
    fputs("#!/bin/sh\nexit 0\n", f);
    fclose(f);
    assert_int_equal(chmod(script, 0755), 0);
    snprintf(cmd, sizeof(cmd), "run-parts %s", rp);
    assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_OK);
    /* anyone may add a script */
    assert_int_equal(chmod(rp, 0777), 0);
    assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
    assert_non_null(strstr(why, "rp: writable by others (mode 0777"));
    snprintf(cmd, sizeof(cmd), "/bin/true && run-parts --report %s/ --arg=x", rp);
    assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
    assert_int_equal(chmod(rp, 0755), 0);
    /* anyone may change a script in it */
    assert_int_equal(chmod(script, 0777), 0);
    snprintf(cmd, sizeof(cmd), "run-parts %s", rp);
    assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
    assert_non_null(strstr(why, "10-log: writable by others (mode 0777"));
    assert_int_equal(chmod(script, 0755), 0);
    assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_OK);
    if (geteuid() == 0) {
        /* another user's directory: they may chmod it and add one whenever they like */
        assert_int_equal(chown(rp, 65534, 65534), 0);
        assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
        assert_non_null(strstr(why, "rp: owned by another user (uid 65534"));
        assert_int_equal(chown(rp, 0, 0), 0);
        /* another user's file in it, not executable yet: they may chmod +x it whenever */
        assert_int_equal(chown(script, 65534, 65534), 0);
        assert_int_equal(chmod(script, 0644), 0);
        assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
        assert_non_null(strstr(why, "10-log: owned by another user (uid 65534"));
        assert_int_equal(chown(script, 0, 0), 0);
        assert_int_equal(chmod(script, 0755), 0);
    }
    /* a directory named without a slash is one in the working directory (/ for the daemon) */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(scb_hook_trusted("run-parts rp", why, sizeof(why)), SCB_OK);
    assert_int_equal(chmod(rp, 0777), 0);
    assert_int_equal(scb_hook_trusted("run-parts rp", why, sizeof(why)), SCB_E_UNSAFE);
    assert_non_null(strstr(why, "rp: writable by others (mode 0777"));
    assert_int_equal(scb_hook_trusted("run-parts --report rp", why, sizeof(why)),
                     SCB_E_UNSAFE);
    assert_int_equal(chmod(rp, 0755), 0);
    /* words that name no file are no paths */
    assert_int_equal(scb_hook_trusted("run-parts --verbose applied rp", why, sizeof(why)),
                     SCB_OK);
    /* a script handed to an interpreter: whoever may write it chooses what runs */
    assert_non_null(f = fopen("w.py", "w"));
    fputs("print(1)\n", f);
    fclose(f);
    assert_int_equal(chmod("w.py", 0644), 0);
    assert_int_equal(scb_hook_trusted("python3 w.py", why, sizeof(why)), SCB_OK);
    assert_int_equal(chmod("w.py", 0666), 0);
    snprintf(cmd, sizeof(cmd), "python3 %s/w.py", dir);
    static const char *const interp[] = {"python3 w.py", "perl w.py",
                                         "/usr/bin/env python3 w.py", "python3 -u w.py x"};
    for (size_t k = 0; k < sizeof(interp) / sizeof(interp[0]); k++) {
        assert_int_equal(scb_hook_trusted(interp[k], why, sizeof(why)), SCB_E_UNSAFE);
        assert_non_null(strstr(why, "w.py: writable by others (mode 0666"));
    }
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(scb_hook_trusted(cmd, why, sizeof(why)), SCB_E_UNSAFE);
    assert_non_null(strstr(why, "w.py: writable by others (mode 0666"));
    assert_int_equal(unlink(cmd + strlen("python3 ")), 0);
}

/* An unchecked (shell syntax) hook is said so at start-up, through the hook's log. */
static void hook_shell_syntax_said_at_startup(void **state)
{
    struct capture cap = {.n = 0};
    (void)state;
    assert_false(precheck_logged("\"/x/hook\" --y", &cap));
    precheck_logged("/bin/true --x=1", &cap);
    /* a later program, or a shell given a script or a -c string: said too */
    precheck_logged("/bin/true | \"/x/hook\"", &cap);
    precheck_logged("/bin/sh -c /x/hook", &cap);
    precheck_logged("/bin/echo $(/x/hook)", &cap);
    const char *buf = cap.buf;
    const char *line = buf;
    for (int k = 0; k < 4; k++) { /* one line each; the plain hook says nothing */
        assert_non_null(strstr(line, "is shell syntax"));
        assert_non_null(strstr(line, "not checked"));
        line = strchr(line, '\n');
        assert_non_null(line);
        line++;
    }
    assert_string_equal(line, "");
}

/* ---- the library's daemon loop on the emulator ---- */

struct loop {
    char dir[64];
    struct scb_emu *e;
    struct scb_events *ev;
    struct scb_store *st;
    struct scb_bootstrap *seq;
    struct scb_daemon *d;
    struct scb_daemon_opts o;
    uint64_t clock;
    int cards, readies, nets, net_calls;
    enum scb_bootstrap_outcome last_card;
    int last_needs_net;
    struct scb_daemon_network last_net;
    char last_status[300];
    /* the stub network step */
    enum scb_coap_outcome stub_outcome;
    int stub_remove_card;   /* take the card out mid-session, then ask the cancel hook */
    int stub_cancelled;     /* what the cancel hook said */
    int stub_cancels;
    unsigned stub_request;  /* a request (a signal) arriving mid-session */
    int stub_ret;           /* what the stub returns (SCB_E_UNSUPPORTED: not built) */
    char log[4096];         /* the daemon's log lines, when on_log is set */
    char stub_endpoint[32];
    int stub_uri_null;
    int stub_listen;        /* the session was the listener's */
};

static uint64_t fake_clock(void *ctx)
{
    return ((struct loop *)ctx)->clock;
}

static void on_card(void *ctx, const struct scb_run_result *res, const char *reader)
{
    struct loop *l = ctx;
    (void)reader;
    l->cards++;
    l->last_card = res->card;
    l->last_needs_net = res->needs_network_bootstrap;
}

static void on_net(void *ctx, const struct scb_daemon_network *n)
{
    struct loop *l = ctx;
    l->nets++;
    l->last_net = *n;
}

static void on_status(void *ctx, const char *line)
{
    struct loop *l = ctx;
    snprintf(l->last_status, sizeof(l->last_status), "%s", line);
}

static void on_ready(void *ctx)
{
    ((struct loop *)ctx)->readies++;
}

static int stub_network(void *ctx, struct scb_store *st, const struct scb_coap_opts *o,
                        struct scb_coap_result *res)
{
    struct loop *l = ctx;
    (void)st;
    l->net_calls++;
    snprintf(l->stub_endpoint, sizeof(l->stub_endpoint), "%s", o->endpoint ? o->endpoint : "");
    l->stub_uri_null = o->server_uri == NULL && o->listen == NULL;
    l->stub_listen = o->listen != NULL;
    memset(res, 0, sizeof(*res));
    if (l->stub_remove_card) {
        scb_emu_remove(l->e);
        l->stub_remove_card = 0;
    }
    if (l->stub_request) {
        scb_daemon_request(l->d, l->stub_request);
        l->stub_request = 0;
    }
    if (l->stub_ret == SCB_E_UNSUPPORTED) { /* as coap_stub.c answers */
        res->outcome = SCB_COAP_REFUSED_SETUP;
        snprintf(res->reason, sizeof(res->reason), "network bootstrap is not built");
        return SCB_E_UNSUPPORTED;
    }
    l->stub_cancelled = o->cancel && o->cancel(o->cancel_ctx);
    l->stub_cancels += l->stub_cancelled;
    res->outcome = l->stub_cancelled ? SCB_COAP_CANCELLED : l->stub_outcome;
    return SCB_OK;
}

static void on_log(void *ctx, enum scb_daemon_prio prio, const char *line)
{
    struct loop *l = ctx;
    size_t n = strlen(l->log);
    (void)prio;
    snprintf(l->log + n, sizeof(l->log) - n, "%s\n", line);
}

static int count_lines(const char *log, const char *needle)
{
    int n = 0;
    for (const char *p = log; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

/* The emulator's source with an IMEI, as a modem's source (scb_at_events_new) offers it. */
struct imei_source {
    struct scb_events *inner;
    const char *imei;
};

static int is_wait(void *self, int timeout_ms, int *changed)
{
    return scb_events_wait(((struct imei_source *)self)->inner, timeout_ms, changed);
}

static void is_wake(void *self)
{
    scb_events_wake(((struct imei_source *)self)->inner);
}

static int is_reader(void *self, struct scb_events_reader *out)
{
    return scb_events_reader(((struct imei_source *)self)->inner, out);
}

static int is_open(void *self, const char *reader, struct scb_transport **out, char *err,
                   size_t errlen)
{
    return scb_events_open(((struct imei_source *)self)->inner, reader, out, err, errlen);
}

static int is_imei(void *self, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", ((struct imei_source *)self)->imei);
    return SCB_OK;
}

static void is_destroy(void *self)
{
    struct imei_source *x = self;
    scb_events_free(&x->inner);
    free(x);
}

static const struct scb_events_ops imei_source_ops = {
    .name = "modem", .wait = is_wait, .wake = is_wake, .reader = is_reader, .open = is_open,
    .destroy = is_destroy, .imei = is_imei};

static void loop_start_imei(struct loop *l, const char *file, const char *endpoint,
                            const char *imei);

static void loop_start(struct loop *l, const char *file, const char *endpoint)
{
    loop_start_imei(l, file, endpoint, NULL);
}

/* imei: NULL, the emulator's own source (no IMEI); else a source that says this IMEI */
static void loop_start_imei(struct loop *l, const char *file, const char *endpoint,
                            const char *imei)
{
    char json[256], err[256];
    struct scb_bootstrap_opts bo;
    memset(l, 0, sizeof(*l));
    snprintf(l->dir, sizeof(l->dir), "/tmp/scb-loop-XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    snprintf(json, sizeof(json), "{\"iccid\":\"8988211000000430010\",\"lwm2m\":{\"file\":\"%s\","
                                 "\"pkcs15_first\":false}}", file);
    if (scb_emu_load_json(json, "data", &l->e, err, sizeof(err)) < 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(scb_emu_events_new(l->e, "virtual", &l->ev), 0);
    if (imei) {
        struct imei_source *x = calloc(1, sizeof(*x));
        assert_non_null(x);
        x->inner = l->ev;
        x->imei = imei;
        assert_int_equal(scb_events_new(&imei_source_ops, x, &l->ev), 0);
    }
    assert_int_equal(scb_store_open(l->dir, 0, &l->st, err, sizeof(err)), 0);
    scb_bootstrap_opts_init(&bo);
    bo.store = l->st;
    assert_int_equal(scb_bootstrap_new(&bo, &l->seq), 0);
    scb_daemon_opts_init(&l->o);
    l->o.seq = l->seq;
    l->o.store = l->st;
    l->o.events = l->ev;
    l->o.endpoint = endpoint;
    l->o.network = stub_network;
    l->o.network_ctx = l;
    l->o.retry_ms = 1000;
    l->o.clock_ms = fake_clock;
    l->o.ctx = l;
    l->o.card = on_card;
    l->o.network_done = on_net;
    l->o.status = on_status;
    l->o.ready = on_ready;
    l->stub_outcome = SCB_COAP_COMMITTED;
    assert_int_equal(scb_daemon_new(&l->o, &l->d), 0);
}

static void loop_stop(struct loop *l)
{
    char cmd[96];
    scb_daemon_free(&l->d);
    assert_null(l->d);
    scb_bootstrap_free(&l->seq);
    scb_store_free(&l->st);
    scb_events_free(&l->ev);
    scb_emu_free(&l->e);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", l->dir);
    assert_int_equal(system(cmd), 0);
}

/* Turn the loop without blocking until it has nothing left to do now. */
static void settle(struct loop *l)
{
    for (int k = 0; k < 8; k++) {
        assert_int_equal(scb_daemon_step(l->d, 0), 0);
    }
}

static void loop_insert_remove_swap(void **state)
{
    struct loop l;
    (void)state;
    loop_start(&l, "anjay_ef126.bin", "gw-1");
    settle(&l);
    assert_int_equal(l.readies, 1);
    assert_int_equal(l.cards, 1);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_int_equal(l.net_calls, 0); /* the card holds server accounts: no network */
    settle(&l);
    assert_int_equal(l.cards, 1); /* no event: no check, no callback */
    scb_emu_remove(l.e);
    settle(&l);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_REMOVED);
    scb_emu_insert(l.e);
    settle(&l);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_int_equal(scb_emu_set_iccid(l.e, "8988211000000430028"), 0);
    settle(&l);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_SWAPPED);
    /* SIGHUP: read now, same card: the callback hears UNCHANGED */
    int before = l.cards;
    scb_daemon_request(l.d, SCB_DAEMON_RECHECK);
    settle(&l);
    assert_int_equal(l.cards, before + 1);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_UNCHANGED);
    scb_daemon_request(l.d, SCB_DAEMON_STOP);
    assert_int_equal(scb_daemon_step(l.d, 0), 1);
    assert_int_equal(scb_daemon_run(l.d), SCB_OK);
    loop_stop(&l);
}

/* A card holding only a Bootstrap-Server account: the network step runs, client-initiated
 * from the committed account (no URI in the options) with the endpoint name; a failure is
 * retried on the schedule, a success ends it. */
static void loop_network_when_no_server_account(void **state)
{
    struct loop l;
    (void)state;
    loop_start(&l, "nrf_ef58.bin", "urn:imei:490154203237518");
    l.stub_outcome = SCB_COAP_UNREACHABLE;
    settle(&l);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_true(l.last_needs_net);
    assert_int_equal(l.net_calls, 1);
    assert_string_equal(l.stub_endpoint, "urn:imei:490154203237518");
    assert_true(l.stub_uri_null);
    assert_int_equal(l.nets, 1);
    assert_int_equal(l.last_net.outcome, SCB_COAP_UNREACHABLE);
    assert_int_equal(l.last_net.retry_ms, 1000);
    assert_non_null(strstr(l.last_status, "retrying in 1 s"));
    settle(&l);
    assert_int_equal(l.net_calls, 1); /* not before the pause */
    l.clock += 1000;
    settle(&l);
    assert_int_equal(l.net_calls, 2);
    assert_int_equal(l.last_net.retry_ms, 2000); /* doubled */
    l.stub_outcome = SCB_COAP_COMMITTED;
    l.clock += 2000;
    settle(&l);
    assert_int_equal(l.net_calls, 3);
    assert_int_equal(l.last_net.outcome, SCB_COAP_COMMITTED);
    assert_false(l.last_net.server_initiated);
    l.clock += 100000;
    settle(&l);
    assert_int_equal(l.net_calls, 3); /* done: nothing more */
    loop_stop(&l);

    /* without an endpoint name no network step runs */
    loop_start(&l, "nrf_ef58.bin", NULL);
    settle(&l);
    assert_true(l.last_needs_net);
    assert_int_equal(l.net_calls, 0);
    loop_stop(&l);
}

/* Network bootstrap not built (the network step answers SCB_E_UNSUPPORTED, as coap_stub.c
 * does): said once, never retried, no network event for the hook, and no listening. */
static void loop_network_not_built(void **state)
{
    struct loop l;
    (void)state;
    loop_start(&l, "nrf_ef58.bin", "urn:imei:490154203237518");
    scb_daemon_free(&l.d);
    l.o.log = on_log;
    l.o.listen = "127.0.0.1:5683";
    l.stub_ret = SCB_E_UNSUPPORTED;
    assert_int_equal(scb_daemon_new(&l.o, &l.d), 0);
    settle(&l);
    assert_true(l.last_needs_net);
    assert_int_equal(l.net_calls, 1);
    assert_int_equal(l.nets, 0); /* no network-failed event */
    for (int k = 0; k < 10; k++) {
        l.clock += 3600 * 1000;
        settle(&l);
        assert_int_equal(scb_daemon_step(l.d, 10), 0); /* a step that may listen */
    }
    assert_int_equal(l.net_calls, 1);
    assert_int_equal(l.nets, 0);
    assert_int_equal(count_lines(l.log, "network bootstrap is not built"), 1);
    assert_int_equal(count_lines(l.log, "network bootstrap failed"), 0);
    assert_int_equal(count_lines(l.log, "listener"), 0);
    /* a registration failure asks for none either */
    scb_daemon_request(l.d, SCB_DAEMON_REGISTRATION_FAILED);
    settle(&l);
    assert_int_equal(l.net_calls, 1);
    assert_int_equal(count_lines(l.log, "registration failed: network bootstrap is not built"),
                     1);
    loop_stop(&l);
}

/* {imei} in the endpoint template: the event source's IMEI (a modem); a source without one
 * (the emulator, PC/SC) leaves it unknown and no Bootstrap-Request goes out. */
static void loop_endpoint_imei_from_source(void **state)
{
    struct loop l;
    char imei[20];
    (void)state;
    loop_start_imei(&l, "nrf_ef58.bin", "urn:imei:{imei}", "490154203237518");
    settle(&l);
    assert_int_equal(l.net_calls, 1);
    assert_string_equal(l.stub_endpoint, "urn:imei:490154203237518");
    loop_stop(&l);

    loop_start(&l, "nrf_ef58.bin", "urn:imei:{imei}");
    assert_int_equal(scb_events_imei(l.ev, imei, sizeof(imei)), SCB_E_UNSUPPORTED);
    settle(&l);
    assert_int_equal(l.net_calls, 0);
    assert_non_null(strstr(l.last_status, "imei"));
    loop_stop(&l);
}

/* The card taken out during the network session: the cancel hook says stop, the session is
 * abandoned (no network report), the removal is handled (R4) and the sequence runs again. */
static void loop_session_abandoned_on_removal(void **state)
{
    struct loop l;
    (void)state;
    loop_start(&l, "nrf_ef58.bin", "gw-1");
    l.stub_remove_card = 1;
    settle(&l);
    assert_int_equal(l.stub_cancels, 1);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_REMOVED);
    /* the abandoned session is never reported; without a card there is no Bootstrap-Server
     * account left to ask, so no network step runs until a card comes back */
    assert_int_equal(l.net_calls, 1);
    assert_int_equal(l.nets, 0);
    assert_non_null(strstr(l.last_status, "no Bootstrap-Server account"));
    scb_emu_insert(l.e);
    settle(&l);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_APPLIED);
    assert_int_equal(l.last_net.outcome, SCB_COAP_COMMITTED);
    /* a request (SIGHUP) arriving during a session abandons it too; the card is read again
     * and, still without a server account, the network step runs again */
    int cards = l.cards;
    l.stub_request = SCB_DAEMON_RECHECK;
    l.clock += SCB_DAEMON_REGFAIL_GAP_MS; /* past the gap since the last session */
    scb_daemon_request(l.d, SCB_DAEMON_REGISTRATION_FAILED);
    settle(&l);
    assert_int_equal(l.stub_cancels, 2);
    assert_int_equal(l.cards, cards + 1);
    assert_int_equal(l.last_net.outcome, SCB_COAP_COMMITTED);
    loop_stop(&l);
}

static void registration_failure_policy(void **state)
{
    struct scb_config c;
    char err[200];
    (void)state;
    assert_int_equal(scb_bootstrap_on_registration_failure(NULL), 1);
    static const struct {
        const char *json;
        int want;
    } cases[] = {
        {"{\"objects\":{}}", 1},
        {"{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":1}}}}}}", 1},
        {"{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"16\":true}}}}}}", 1},
        {"{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"16\":false}}}}}}", 0},
        {"{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"16\":false}},"
         "\"1\":{\"resources\":{\"0\":2}}}}}}", 1},
        {"{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":1,\"16\":false}},"
         "\"1\":{\"resources\":{\"0\":2,\"16\":false}}}}}}", 0},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        scb_config_init(&c);
        if (scb_config_from_json_text(cases[k].json, &c, err, sizeof(err)) < 0) {
            fail_msg("case %zu: %s", k, err);
        }
        assert_int_equal(scb_bootstrap_on_registration_failure(&c), cases[k].want);
        scb_config_free(&c);
    }
}

/* SIGUSR1 (registration failed): a new client-initiated bootstrap although the last one
 * committed; none without a Bootstrap-Server account to ask. */
static void loop_registration_failed_bootstraps(void **state)
{
    struct loop l;
    (void)state;
    loop_start(&l, "nrf_ef58.bin", "gw-1");
    settle(&l);
    assert_int_equal(l.net_calls, 1);
    /* within the gap after the last session: one request due at its end, however many come */
    for (int k = 0; k < 50; k++) {
        scb_daemon_request(l.d, SCB_DAEMON_REGISTRATION_FAILED);
        settle(&l);
    }
    assert_int_equal(l.net_calls, 1);
    l.clock += SCB_DAEMON_REGFAIL_GAP_MS - 1;
    settle(&l);
    assert_int_equal(l.net_calls, 1);
    l.clock += 1;
    settle(&l);
    assert_int_equal(l.net_calls, 2);
    /* a report during a Bootstrap-Request session does not abandon it */
    l.clock += SCB_DAEMON_REGFAIL_GAP_MS;
    l.stub_request = SCB_DAEMON_REGISTRATION_FAILED;
    scb_daemon_request(l.d, SCB_DAEMON_REGISTRATION_FAILED);
    settle(&l);
    assert_int_equal(l.net_calls, 3);
    assert_int_equal(l.stub_cancels, 0);
    assert_int_equal(l.last_net.outcome, SCB_COAP_COMMITTED);
    loop_stop(&l);
    loop_start(&l, "anjay_ef126.bin", "gw-1");
    settle(&l);
    assert_int_equal(l.net_calls, 0);
    /* /1/x/16 absent: true, but this card holds no Bootstrap-Server account to ask */
    scb_daemon_request(l.d, SCB_DAEMON_REGISTRATION_FAILED);
    settle(&l);
    assert_int_equal(l.net_calls, 0);
    assert_non_null(strstr(l.last_status, "no Bootstrap-Server account"));
    loop_stop(&l);
}

/* --listen: the listener runs in the loop's process only after the card step ran, and only
 * when the loop may block (a step with a wait budget); its commit is reported server-initiated. */
static void loop_listener_after_card_step(void **state)
{
    struct loop l;
    (void)state;
    loop_start(&l, "anjay_ef126.bin", NULL);
    scb_daemon_free(&l.d);
    l.o.listen = "127.0.0.1:5683";
    assert_int_equal(scb_daemon_new(&l.o, &l.d), 0);
    assert_int_equal(scb_daemon_step(l.d, -1), 0); /* the first wait: the card event */
    assert_int_equal(l.net_calls, 0);
    assert_int_equal(l.cards, 0);
    assert_int_equal(scb_daemon_step(l.d, -1), 0); /* the card step */
    assert_int_equal(l.cards, 1);
    assert_int_equal(l.net_calls, 0);
    assert_int_equal(scb_daemon_step(l.d, -1), 0); /* then the listener */
    assert_int_equal(l.net_calls, 1);
    assert_true(l.stub_listen);
    assert_true(l.last_net.server_initiated);
    assert_int_equal(l.last_net.outcome, SCB_COAP_COMMITTED);
    settle(&l); /* a step without a wait budget never listens */
    assert_int_equal(l.net_calls, 1);
    loop_stop(&l);
}

/* An event source that keeps failing: the loop backs off (250 ms doubling to 4 s), says so in
 * the status line, is ready, and checks the card once the source answers again. */
static int failing;
static int bad_wait(void *self, int timeout_ms, int *changed)
{
    (void)self, (void)timeout_ms;
    *changed = 1;
    return failing ? SCB_E_NOMEM : SCB_OK;
}
static void bad_wake(void *self)
{
    (void)self;
}
static int bad_reader(void *self, struct scb_events_reader *out)
{
    (void)self;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "modem");
    out->reachable = 1;
    return SCB_OK;
}
static int bad_open(void *self, const char *reader, struct scb_transport **out, char *err,
                    size_t errlen)
{
    (void)self, (void)reader, (void)out, (void)err, (void)errlen;
    return SCB_E_NO_CARD;
}
static void bad_destroy(void *self)
{
    (void)self;
}
static const struct scb_events_ops bad_ops = {"failing", bad_wait, bad_wake, bad_reader,
                                              bad_open, bad_destroy};

static void loop_source_failure_backs_off(void **state)
{
    struct loop l;
    (void)state;
    loop_start(&l, "nrf_ef58.bin", NULL);
    scb_daemon_free(&l.d);
    scb_events_free(&l.ev);
    assert_int_equal(scb_events_new(&bad_ops, NULL, &l.ev), 0);
    l.o.events = l.ev;
    assert_int_equal(scb_daemon_new(&l.o, &l.d), 0);
    failing = 1;
    assert_int_equal(scb_daemon_step(l.d, 0), 0);
    assert_int_equal(l.readies, 1);
    assert_string_equal(l.last_status, "failing failed, retrying in 250 ms");
    assert_int_equal(scb_daemon_step(l.d, 0), 0);
    assert_string_equal(l.last_status, "failing failed, retrying in 500 ms");
    for (int k = 0; k < 8; k++) {
        assert_int_equal(scb_daemon_step(l.d, 0), 0);
    }
    assert_string_equal(l.last_status, "failing failed, retrying in 4000 ms");
    assert_int_equal(l.cards, 0); /* no check while the source fails */
    failing = 0;
    settle(&l);
    assert_true(l.cards >= 1);
    assert_int_equal(l.last_card, SCB_BOOTSTRAP_CARD_ABSENT); /* the stub reader is empty */
    loop_stop(&l);
}

/* A wake with no wait under way is not lost: the next wait returns at once. */
static void events_wake_not_lost(void **state)
{
    struct loop l;
    int changed = 0;
    struct timespec a, b;
    (void)state;
    loop_start(&l, "nrf_ef58.bin", NULL);
    assert_int_equal(scb_events_wait(l.ev, 0, &changed), 0);
    assert_int_equal(changed, 1); /* the first wait: look at the card */
    assert_int_equal(scb_events_wait(l.ev, 0, &changed), 0);
    assert_int_equal(changed, 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    scb_events_wake(l.ev);
    assert_int_equal(scb_events_wait(l.ev, 5000, &changed), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(b.tv_sec - a.tv_sec < 2);
    assert_string_equal(scb_events_name(l.ev), "emulator");
    loop_stop(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notify_path_and_abstract),
        cmocka_unit_test(loop_insert_remove_swap),
        cmocka_unit_test(loop_network_when_no_server_account),
        cmocka_unit_test(loop_network_not_built),
        cmocka_unit_test(loop_session_abandoned_on_removal),
        cmocka_unit_test(loop_endpoint_imei_from_source),
        cmocka_unit_test(registration_failure_policy),
        cmocka_unit_test(loop_registration_failed_bootstraps),
        cmocka_unit_test(loop_listener_after_card_step),
        cmocka_unit_test(loop_source_failure_backs_off),
        cmocka_unit_test(events_wake_not_lost),
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
        cmocka_unit_test(hook_directory_argument_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

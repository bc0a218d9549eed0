/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_daemon.c: how `scboot watch` speaks as a service: journald-aware log lines, the
 * library's lines worded with the tool's flags, and readiness through the library's
 * sd_notify sender, with libsystemd for the socket forms only it speaks. The hook and the
 * protocol itself are the library's (scboot/hook.h, scboot/notify.h).
 */
#include "cli_daemon.h"
#include "scboot/daemon.h"
#include "scboot/error.h"
#include "scboot/notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef SCBOOT_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

void cli_logger_init(struct cli_logger *l, const char *prog, int verbose)
{
    l->prog = prog;
    l->journal = scb_notify_journal_stream(getenv("JOURNAL_STREAM"), STDERR_FILENO);
    l->min_prio = verbose ? LOG_DEBUG : LOG_INFO;
}

__attribute__((format(printf, 3, 0))) static void vlogp(struct cli_logger *l, int prio,
                                                     const char *fmt, va_list ap)
{
    char msg[768];
    if (prio > l->min_prio) {
        return;
    }
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (l->journal) {
        /* journald stamps the time and the unit itself; <N> is the sd-daemon(3) priority */
        fprintf(stderr, "<%d>%s\n", prio, msg);
    } else {
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "%s %s: %s\n", ts, l->prog, msg);
    }
    fflush(stderr);
}

void cli_logp(struct cli_logger *l, int prio, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlogp(l, prio, fmt, ap);
    va_end(ap);
}

const char *cli_lib_hint(const char *line, char *buf, size_t cap)
{
    static const char opt[] = "the option listen_unauthenticated";
    const char *at = strstr(line, opt);
    if (at == NULL) {
        return line;
    }
    snprintf(buf, cap, "%.*s--listen-unauthenticated (scboot.conf: listen-unauthenticated = "
                       "yes)%s", (int)(at - line), line, at + sizeof(opt) - 1);
    return buf;
}

void cli_logger_lib(void *ctx, const char *line)
{
    char buf[1024];
    cli_logp(ctx, (int)scb_daemon_line_prio(line), "%s", cli_lib_hint(line, buf, sizeof(buf)));
}

/* A line of the library's hook (scb_hook.log) in the daemon's log. */
void cli_logger_hook(void *ctx, int prio, const char *line)
{
    cli_logp(ctx, prio, "%s", line);
}

int cli_notify(const char *state)
{
    /* path and abstract sockets: the library's non-blocking send (sd_notify blocks on a full
     * queue) */
    int r = scb_notify_send(state);
#ifdef SCBOOT_HAVE_LIBSYSTEMD
    if (r == SCB_E_UNSUPPORTED) {
        r = sd_notify(0, state); /* the forms only libsystemd speaks (vsock) */
        if (r < 0) {
            errno = -r;
            return SCB_E_IO;
        }
        return 0;
    }
#endif
    return r;
}

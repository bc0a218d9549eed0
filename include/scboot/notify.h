/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot service notification (bootstrap/service/notify.c): what a daemon built on the
 * library tells its service manager, through the sd_notify protocol (sd_notify(3): one
 * datagram of "NAME=value" lines such as "READY=1\nSTATUS=...", to the AF_UNIX socket named
 * by $NOTIFY_SOCKET), and whether its stderr is the journal's stream (then log lines carry an
 * sd-daemon "<N>" priority prefix and no time stamp). The protocol is spoken here without
 * libsystemd, never blocking: a listener whose queue is full loses a status line instead of
 * stopping the daemon. Socket forms other than a path or an abstract name (vsock) are
 * refused with SCB_E_UNSUPPORTED: an application linked with libsystemd may hand those to
 * sd_notify().
 *
 * Thread-safety: the functions keep no state; they read the environment ($NOTIFY_SOCKET), so
 * do not change it from another thread during a call.
 */
#ifndef SCBOOT_NOTIFY_H
#define SCBOOT_NOTIFY_H

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/**
 * Send state to the service manager named by $NOTIFY_SOCKET.
 * \param state the datagram's text, e.g. "READY=1" or "STATUS=card applied"
 * \return 0 sent, or nothing to do without $NOTIFY_SOCKET; else a negative scb_err:
 *         SCB_E_UNSUPPORTED (a socket form not spoken here), SCB_E_INVALID_ARG (state NULL,
 *         a name too long or empty), SCB_E_TOO_LARGE (a datagram larger than the socket
 *         takes), SCB_E_NOMEM, or SCB_E_IO with errno set by the socket (EAGAIN: the
 *         listener's queue is full, the line was dropped; ECONNREFUSED, ENOENT: nobody
 *         listens there)
 */
int scb_notify_send(const char *state);

/**
 * Send one datagram to an AF_UNIX datagram socket, without blocking.
 * \param socket_path "/path", or "@name" for the abstract namespace
 * \param state       the datagram's text
 * \return 0 sent, or a negative scb_err (as scb_notify_send(); SCB_E_INVALID_ARG also for a
 *         NULL socket_path)
 */
int scb_notify_send_to(const char *socket_path, const char *state);

/**
 * Whether $JOURNAL_STREAM ("DEVICE:INODE", set by systemd for a service whose output goes to
 * the journal) names the file open on fd.
 * \param env the variable's value (NULL: not set)
 * \param fd  the descriptor, usually STDERR_FILENO
 * \return 1 when it does, else 0
 */
int scb_notify_journal_stream(const char *env, int fd);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

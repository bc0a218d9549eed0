/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.c: the service manager's two channels (scboot/notify.h): readiness and status as
 * sd_notify datagrams, spoken here without libsystemd so that a send never blocks, and
 * whether stderr is the journal's stream.
 */
#include "scboot/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "scboot/error.h"

/* A socket call's errno as the library's error: the errno stays set for the caller to read. */
static int socket_error(int e)
{
    errno = e;
    return e == EMSGSIZE ? SCB_E_TOO_LARGE : e == ENOMEM || e == ENOBUFS ? SCB_E_NOMEM : SCB_E_IO;
}

int scb_notify_journal_stream(const char *env, int fd)
{
    unsigned long long dev, ino;
    struct stat st;
    char tail;
    if (env == NULL || sscanf(env, "%llu:%llu%c", &dev, &ino, &tail) != 2) {
        return 0;
    }
    if (fstat(fd, &st) != 0) {
        return 0;
    }
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int scb_notify_send_to(const char *path, const char *state)
{
    struct sockaddr_un sa;
    size_t plen;
    socklen_t alen;
    int fd, ret = 0;

    if (state == NULL || path == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (path[0] != '/' && path[0] != '@') {
        return SCB_E_UNSUPPORTED; /* vsock and other forms are not spoken here */
    }
    plen = strlen(path);
    if (plen < 2 || plen > sizeof(sa.sun_path)) {
        return SCB_E_INVALID_ARG;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, plen);
    if (path[0] == '@') {
        sa.sun_path[0] = '\0'; /* abstract namespace: no terminator counted */
        alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
    } else {
        if (plen == sizeof(sa.sun_path)) {
            return SCB_E_INVALID_ARG; /* no room for the terminator */
        }
        alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1);
    }
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return socket_error(errno);
    }
    /* never blocks: a listener that does not read (its queue full) loses a status line, the
     * daemon does not stop handling cards */
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa,
               alen) < 0) {
        ret = socket_error(errno);
    }
    int e = errno;
    close(fd);
    errno = e; /* the send's, not the close's */
    return ret;
}

int scb_notify_send(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (path == NULL) {
        return 0;
    }
    return scb_notify_send_to(path, state);
}

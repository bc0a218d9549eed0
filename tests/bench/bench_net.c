/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_net.c: network bootstrap sessions in one process, as a daemon runs them. A
 * Bootstrap-Server (tests/integration/bs_server.c --loop) answers on 127.0.0.1; every session is
 * client-initiated towards the committed Bootstrap-Server account (its URI, its credentials):
 * Bootstrap-Request, two Bootstrap-Writes, Bootstrap-Finish, the durable commit. Prints the
 * wall and CPU time of this process per session and, every 100 sessions, its VmRSS and open
 * descriptors (tests/bench/README.md).
 *   scboot-bench-net BS_SERVER [SESSIONS] [--psk]
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "scboot/coap.h"
#include "scboot/error.h"
#include "scboot/json.h"
#include "scboot/store.h"
#include "scboot/tlv.h"

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
    return kb;
}

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    if (d) {
        closedir(d);
    }
    return n - 1; /* the directory stream itself */
}

static int write_tlv(const char *json, uint16_t oid, const char *path)
{
    struct scb_config cfg;
    struct scb_buf out = {.max = 4096};
    char err[256];
    FILE *f;
    int ret;
    scb_config_init(&cfg);
    if ((ret = scb_config_from_json_text(json, &cfg, err, sizeof(err))) == SCB_OK &&
        (ret = scb_tlv_encode_object(scb_config_object(&cfg, oid), &out)) == SCB_OK) {
        if ((f = fopen(path, "wb")) == NULL || fwrite(out.data, 1, out.len, f) != out.len) {
            ret = SCB_E_IO;
        }
        if (f) {
            fclose(f);
        }
    }
    scb_buf_free(&out);
    scb_config_free(&cfg);
    return ret;
}

static int seed(struct scb_store *st, unsigned port, int psk)
{
    char json[512], err[256];
    struct scb_config cfg;
    struct scb_committed prev, c;
    int ret;
    snprintf(json, sizeof(json),
             "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{"
             "\"0\":\"%s://127.0.0.1:%u\",\"1\":true,\"2\":%d,\"3\":{\"hex\":\"%s\"},"
             "\"4\":{\"hex\":\"\"},\"5\":{\"hex\":\"%s\"}}}}}}}",
             psk ? "coaps" : "coap", port, psk ? 0 : 3, psk ? "67772D31" : "",
             psk ? "7365637265746B6579" : "");
    scb_config_init(&cfg);
    scb_committed_init(&prev);
    if ((ret = scb_config_from_json_text(json, &cfg, err, sizeof(err))) == SCB_OK &&
        (ret = scb_committed_replace(&c, &prev, &cfg, SCB_SRC_FACTORY)) == SCB_OK) {
        ret = scb_store_commit(st, &c, NULL, 0);
        scb_committed_free(&c);
    }
    scb_committed_free(&prev);
    scb_config_free(&cfg);
    return ret;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/scboot-bench-net.XXXXXX", path[128], sec[160], srv[160], port_s[16],
         err[256];
    unsigned sessions = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000;
    int psk = argc > 3 && strcmp(argv[3], "--psk") == 0;
    unsigned port = 40000 + (unsigned)getpid() % 20000;
    struct scb_store *st = NULL;
    struct scb_coap_opts o;
    struct scb_coap_result res;
    double first_wall = 0, first_cpu = 0, wall = 0, cpu = 0, max_wall = 0;
    unsigned failed = 0;
    pid_t pid;

    if (argc < 2 || sessions == 0 || mkdtemp(dir) == NULL) {
        fprintf(stderr, "usage: scboot-bench-net BS_SERVER [SESSIONS] [--psk]\n");
        return 2;
    }
    snprintf(sec, sizeof(sec), "%s/sec.tlv", dir);
    snprintf(srv, sizeof(srv), "%s/srv.tlv", dir);
    snprintf(path, sizeof(path), "%s/state", dir);
    snprintf(port_s, sizeof(port_s), "%u", port);
    if (write_tlv("{\"objects\":{\"0\":{\"instances\":{\"1\":{\"resources\":{\"0\":"
                  "\"coap://127.0.0.1:5683\",\"1\":false,\"2\":3,\"10\":7}}}}}}", 0, sec) < 0 ||
        write_tlv("{\"objects\":{\"1\":{\"instances\":{\"0\":{\"resources\":{\"0\":7,\"1\":300,"
                  "\"6\":false,\"7\":\"U\"}}}}}}", 1, srv) < 0 ||
        scb_store_open(path, 0, &st, err, sizeof(err)) < 0 || seed(st, port, psk) < 0) {
        fprintf(stderr, "scboot-bench-net: setup failed\n");
        return 1;
    }
    if ((pid = fork()) == 0) {
        const char *out = getenv("BENCH_SERVER_OUT"); /* the server's lines, for a look */
        if (freopen(out ? out : "/dev/null", "w", stdout) == NULL) {
            _exit(127);
        }
        if (psk) {
            execl(argv[1], argv[1], port_s, sec, srv, "--loop", "--psk", "gw-1",
                  "7365637265746B6579", (char *)NULL);
        } else {
            execl(argv[1], argv[1], port_s, sec, srv, "--loop", (char *)NULL);
        }
        _exit(127);
    }
    usleep(300 * 1000);
    /* libcoap's process-wide state is the application's (scboot/coap.h) */
    coap_startup();
    coap_set_log_level(LOG_EMERG);
    scb_coap_opts_init(&o);
    o.endpoint = "bench";
    o.attempts = 1;
    o.ack_timeout_ms = 1000;
    if (getenv("BENCH_VERBOSE")) {
        o.log = log_line;
    }
    printf("%u sessions, %s, against bs_server --loop on 127.0.0.1\n\n", sessions,
           psk ? "DTLS PSK" : "plain CoAP");
    printf("| sessions | VmRSS kB | fds |\n|---:|---:|---:|\n");
    printf("| %8u | %8ld | %3d |\n", 0u, rss_kb(), open_fds());
    for (unsigned k = 1; k <= sessions; k++) {
        double w0 = now_s(), c0 = cpu_s();
        if (scb_coap_bootstrap(st, &o, &res) != SCB_OK || res.outcome != SCB_COAP_COMMITTED) {
            failed++;
        }
        double w = now_s() - w0, c = cpu_s() - c0;
        if (k == 1) {
            first_wall = w;
            first_cpu = c;
        }
        wall += w;
        cpu += c;
        max_wall = w > max_wall ? w : max_wall;
        if (k % 100 == 0) {
            printf("| %8u | %8ld | %3d |\n", k, rss_kb(), open_fds());
            fflush(stdout);
        }
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    scb_store_free(&st);
    printf("\nfirst session: wall %.1f ms, CPU %.1f ms\n", first_wall * 1e3, first_cpu * 1e3);
    printf("per session (mean of %u): wall %.1f ms (max %.1f), CPU %.2f ms (this process: "
           "scboot's side, commit with fsync included)\n",
           sessions, wall * 1e3 / sessions, max_wall * 1e3, cpu * 1e3 / sessions);
    printf("failed sessions: %u\n", failed);
    coap_cleanup();
    snprintf(path, sizeof(path), "rm -rf '%s'", dir);
    if (system(path) != 0) {
        return 1;
    }
    return failed ? 1 : 0;
}

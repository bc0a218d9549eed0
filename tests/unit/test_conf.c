/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_conf.c: the daemon's configuration file: every key, flags-style value checks, strict
 * errors that name FILE:LINE (unknown key, empty, repeated or bad value, missing '=', NUL byte,
 * control characters, oversized line or file), comments and blank lines, CRLF files, relative
 * paths refused, and the directories a secret file named there (PIN, SCP03 or PSK keys) is
 * reached through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scboot/conf.h"
#include "scboot/error.h"
#include "scboot/util.h"

static int parse(const char *text, struct scb_conf *c, char *err, size_t errlen)
{
    scb_conf_init(c);
    return scb_conf_parse(text, strlen(text), "t.conf", c, err, errlen);
}

static void every_key(void **state)
{
    struct scb_conf c;
    char err[256] = "";
    (void)state;
    const char *t = "# comment\n\n  reader = Virtual PCD 00 00  \n"
                    "pin-file=/etc/scboot/pin\n"
                    "scp03-keys = /etc/scboot/keys\n"
                    "secure-channel = preferred\n"
                    "scp03-level = 13\n"
                    "factory = /etc/scboot/factory.json\n"
                    "state-dir = /var/lib/scboot\n"
                    "exec = logger -t scboot \"event $SCBOOT_EVENT\" # kept\n"
                    "exec-timeout = 2m\n"
                    "verify = every=10m\n"
                    "profile = /etc/scboot/profile.json\n"
                    "endpoint = urn:imei:{imei}\n"
                    "listen = 127.0.0.1:5683\n";
    assert_int_equal(parse(t, &c, err, sizeof(err)), 0);
    assert_string_equal(c.endpoint, "urn:imei:{imei}");
    assert_string_equal(c.listen, "127.0.0.1:5683");
    assert_string_equal(c.reader, "Virtual PCD 00 00");
    assert_string_equal(c.pin_file, "/etc/scboot/pin");
    assert_string_equal(c.scp03_keys, "/etc/scboot/keys");
    assert_int_equal(c.secure_mode, 1);
    assert_int_equal(c.scp03_level, 0x13);
    assert_string_equal(c.factory, "/etc/scboot/factory.json");
    assert_string_equal(c.state_dir, "/var/lib/scboot");
    assert_string_equal(c.exec, "logger -t scboot \"event $SCBOOT_EVENT\" # kept");
    assert_int_equal(c.exec_timeout, 120);
    assert_int_equal(c.verify, SCB_CONF_VERIFY_EVERY);
    assert_int_equal(c.verify_every_s, 600);
    assert_string_equal(c.profile, "/etc/scboot/profile.json");
    assert_int_equal(c.no_acl, -1);
    scb_conf_free(&c);
}

static void unset_keys_stay_unset(void **state)
{
    struct scb_conf c;
    char err[256] = "";
    (void)state;
    assert_int_equal(parse("\r\n# only comments\r\n   # indented\r\nno-acl = yes\r\n", &c, err,
                           sizeof(err)),
                     0);
    assert_null(c.reader);
    assert_null(c.exec);
    assert_null(c.listen);
    assert_int_equal(c.secure_mode, -1);
    assert_int_equal(c.exec_timeout, -1);
    assert_int_equal(c.verify, SCB_CONF_VERIFY_UNSET);
    assert_int_equal(c.no_acl, 1);
    assert_int_equal(c.listen_unauthenticated, -1);
    scb_conf_free(&c);
    assert_int_equal(parse("", &c, err, sizeof(err)), 0);
    scb_conf_free(&c);
    /* a hook that is a bare program name (PATH) or an absolute one, with relative arguments */
    assert_int_equal(parse("exec = logger -t x ./not-a-path\n", &c, err, sizeof(err)), 0);
    scb_conf_free(&c);
    assert_int_equal(parse("exec = /etc/scboot/on-change a/b\n", &c, err, sizeof(err)), 0);
    scb_conf_free(&c);
}

/* the opt-in for plain CoAP beyond loopback: a bool of its own, independent of no-acl */
static void listen_unauthenticated_values(void **state)
{
    static const struct {
        const char *text;
        int want;
    } cases[] = {{"listen-unauthenticated = yes\n", 1},
                 {"listen-unauthenticated = no\n", 0},
                 {"listen = 0.0.0.0:5683\nlisten-unauthenticated = true\nno-acl = no\n", 1}};
    struct scb_conf c;
    char err[256] = "";
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (parse(cases[i].text, &c, err, sizeof(err)) != 0) {
            fail_msg("%s: %s", cases[i].text, err);
        }
        assert_int_equal(c.listen_unauthenticated, cases[i].want);
        scb_conf_free(&c);
    }
    assert_int_equal(parse("listen-unauthenticated = yes\n", &c, err, sizeof(err)), 0);
    assert_int_equal(c.no_acl, -1);
    scb_conf_free(&c);
}

struct bad {
    const char *text;
    const char *msg; /* expected in the error, after "t.conf:LINE: " */
};

static void strict_errors_name_file_and_line(void **state)
{
    static const struct bad cases[] = {
        {"reader = a\nbogus = 1\n", "t.conf:2: unknown key 'bogus'"},
        {"endpoint = urn:{serial}\n", "t.conf:1: endpoint: unknown placeholder {serial}"},
        {"endpoint = gw&pct=110\n", "t.conf:1: endpoint: the endpoint name has '&' at byte 3"},
        {"endpoint = a\nendpoint = b\n", "t.conf:2: endpoint: set again"},
        {"\n\nexec-timeout = 0\n", "t.conf:3: exec-timeout: '0': out of range"},
        {"exec-timeout = 3601\n", "t.conf:1: exec-timeout: '3601': out of range"},
        {"exec-timeout = 99999999999999999999999\n", "t.conf:1: exec-timeout:"},
        {"exec-timeout = 5x\n", "t.conf:1: exec-timeout: '5x': a number of seconds"},
        {"exec-timeout = -5\n", "t.conf:1: exec-timeout: '-5': not a number"},
        {"secure-channel = maybe\n", "t.conf:1: secure-channel: 'maybe': must be required, "
                                     "preferred or off"},
        {"scp03-level = 7\n", "t.conf:1: scp03-level: '7': must be 01, 03, 13 or 33"},
        {"verify = sometimes\n", "t.conf:1: verify: 'sometimes': must be on-event, always"},
        {"verify = every=\n", "t.conf:1: verify: every=DURATION"},
        {"verify = every=0s\n", "t.conf:1: verify: every=DURATION: '0s': out of range"},
        {"verify = every=25h\n", "t.conf:1: verify: every=DURATION: '25h': out of range"},
        {"no-acl = perhaps\n", "t.conf:1: no-acl: 'perhaps': must be yes or no"},
        {"listen-unauthenticated = always\n",
         "t.conf:1: listen-unauthenticated: 'always': must be yes or no"},
        {"listen-unauthenticated = no\nlisten-unauthenticated = yes\n",
         "t.conf:2: listen-unauthenticated: set again (first on line 1)"},
        {"reader =\n", "t.conf:1: reader: empty value"},
        {"reader = a\nreader = b\n", "t.conf:2: reader: set again (first on line 1)"},
        {"just words\n", "t.conf:1: expected 'key = value'"},
        {" = value\n", "t.conf:1: missing key before '='"},
        {"reader = a\x01z\n", "t.conf:1: control character"},
        {"no-acl = yes\nprofile = /p.json\n", "t.conf:1: no-acl = yes and profile (line 2)"},
        /* relative paths would resolve against the cwd (/ under systemd): refused, naming the
         * key and the line */
        {"reader = a\npin-file = pin\n", "t.conf:2: pin-file: 'pin': a relative path"},
        {"scp03-keys = ./keys\n", "t.conf:1: scp03-keys: './keys': a relative path"},
        {"factory = ../factory.json\n", "t.conf:1: factory: '../factory.json': a relative"},
        {"state-dir = var/lib/scboot\n", "t.conf:1: state-dir: 'var/lib/scboot': a relative"},
        {"profile = p.json\n", "t.conf:1: profile: 'p.json': a relative path"},
        {"exec = ./on-change --now\n", "t.conf:1: exec: './on-change': a relative program"},
        {"exec = hooks/on-change\n", "t.conf:1: exec: 'hooks/on-change': a relative program"},
        /* shell syntax in front of the program is named as such, not as a relative path */
        {"exec = '/etc/scboot/hook'\n", "t.conf:1: exec: ''/etc/scboot/hook'': a quoted program"},
        {"exec = \"/etc/hook\" now\n", "t.conf:1: exec: '\"/etc/hook\"': a quoted program"},
        {"exec = X=/a/b; /bin/true\n", "t.conf:1: exec: 'X=/a/b;': a variable assignment"},
        {"exec = $HOME/hook\n", "t.conf:1: exec: '$HOME/hook': an expansion"},
        {"Reader = a\n", "t.conf:1: unknown key 'Reader'"},
    };
    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct scb_conf c;
        char err[256] = "";
        assert_true(parse(cases[k].text, &c, err, sizeof(err)) < 0);
        if (strstr(err, cases[k].msg) != err) {
            fail_msg("case %zu: '%s' does not start with '%s'", k, err, cases[k].msg);
        }
        scb_conf_free(&c);
    }
}

static void nul_and_long_lines(void **state)
{
    struct scb_conf c;
    char err[256] = "";
    static const char nul[] = "reader = a\nexec = x\0y\n";
    (void)state;
    scb_conf_init(&c);
    assert_true(scb_conf_parse(nul, sizeof(nul) - 1, "t.conf", &c, err, sizeof(err)) < 0);
    assert_string_equal(err, "t.conf:2: NUL byte in line");
    scb_conf_free(&c);
    static char big[6000];
    memcpy(big, "exec = ", 7);
    memset(big + 7, 'a', 5000);
    big[5007] = '\0';
    assert_true(parse(big, &c, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "t.conf:1: line longer than"));
    scb_conf_free(&c);
    static char huge[SCB_CONF_MAX_SIZE + 2];
    memset(huge, '\n', SCB_CONF_MAX_SIZE + 1);
    scb_conf_init(&c);
    assert_true(scb_conf_parse(huge, SCB_CONF_MAX_SIZE + 1, "t.conf", &c, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "larger than"));
    scb_conf_free(&c);
}

static void verify_values(void **state)
{
    enum scb_conf_verify m;
    unsigned s;
    char err[128];
    (void)state;
    assert_int_equal(scb_conf_parse_verify("on-event", &m, &s, err, sizeof(err)), 0);
    assert_int_equal(m, SCB_CONF_VERIFY_ON_EVENT);
    assert_int_equal(scb_conf_parse_verify("always", &m, &s, err, sizeof(err)), 0);
    assert_int_equal(m, SCB_CONF_VERIFY_ALWAYS);
    assert_int_equal(scb_conf_parse_verify("every=30", &m, &s, err, sizeof(err)), 0);
    assert_int_equal(s, 30);
    assert_int_equal(scb_conf_parse_verify("every=24h", &m, &s, err, sizeof(err)), 0);
    assert_int_equal(s, 86400);
    assert_int_equal(scb_conf_parse_verify("every=1m5", &m, &s, err, sizeof(err)), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse_verify("every=+5", &m, &s, err, sizeof(err)), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse_verify("on-events", &m, &s, err, sizeof(err)), SCB_E_PARSE);
}

static void load_files(void **state)
{
    char dir[] = "/tmp/scb-conf-XXXXXX", path[128], err[256];
    struct scb_conf c;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/absent.conf", dir);
    scb_conf_init(&c);
    assert_int_equal(scb_conf_load(path, 1, &c, err, sizeof(err)), 0);
    assert_true(scb_conf_load(path, 0, &c, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "absent.conf"));
    rmdir(dir);
}

/* The file is read by the daemon, which runs its exec and reads its pin-file: a FIFO must not
 * block it, a directory is named as such, and a file others may write (or another user owns)
 * is refused whatever it says. */
static void load_hostile_files(void **state)
{
    char dir[] = "/tmp/scb-conf-XXXXXX", path[128], err[256];
    struct scb_conf c;
    int fd;
    (void)state;
    assert_non_null(mkdtemp(dir));
    scb_conf_init(&c);

    snprintf(path, sizeof(path), "%s/fifo.conf", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(scb_conf_load(path, 0, &c, err, sizeof(err)), SCB_E_IO);
    assert_non_null(strstr(err, "fifo.conf: not a regular file"));
    unlink(path);

    snprintf(path, sizeof(path), "%s/dir.conf", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_true(scb_conf_load(path, 1, &c, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "dir.conf: "));
    rmdir(path);

    snprintf(path, sizeof(path), "%s/ww.conf", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "exec = /bin/true\n", 17), 17);
    assert_int_equal(fchmod(fd, 0666), 0);
    assert_int_equal(scb_conf_load(path, 1, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "ww.conf: writable by others (mode 0666"));
    assert_null(c.exec);
    assert_int_equal(fchmod(fd, 0620), 0);
    assert_int_equal(scb_conf_load(path, 1, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_int_equal(fchmod(fd, 0644), 0);
    if (geteuid() == 0) {
        assert_int_equal(fchown(fd, 65534, 65534), 0);
        assert_int_equal(scb_conf_load(path, 1, &c, err, sizeof(err)), SCB_E_UNSAFE);
        /* mode 0644: nobody else may write it, but its owner may chmod it: said as such */
        assert_non_null(strstr(err, "ww.conf: owned by another user (uid 65534, mode 0644)"));
        assert_null(strstr(err, "writable by others"));
        assert_int_equal(fchown(fd, 0, 0), 0);
    }
    assert_int_equal(scb_conf_load(path, 1, &c, err, sizeof(err)), 1);
    assert_string_equal(c.exec, "/bin/true");
    close(fd);
    unlink(path);
    scb_conf_free(&c);
    rmdir(dir);
}

/* The configuration (and a hook it names) can be swapped through a directory others may
 * write, or through a link that lives in or leads into one: refused; stdin is refused. */
static void trusted_directories(void **state)
{
    char dir[] = "/tmp/scb-trust-XXXXXX", pub[128], good[128], path[192], err[384];
    struct scb_conf c;
    int fd;
    (void)state;
    assert_non_null(mkdtemp(dir));
    scb_conf_init(&c);
    snprintf(pub, sizeof(pub), "%s/pub", dir);
    assert_int_equal(mkdir(pub, 0700), 0);
    assert_int_equal(chmod(pub, 0777), 0); /* whatever the umask */
    snprintf(good, sizeof(good), "%s/good.conf", dir);
    fd = open(good, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "exec = /bin/true\n", 17), 17);
    close(fd);
    assert_int_equal(scb_conf_load(good, 0, &c, err, sizeof(err)), 1);
    assert_int_equal(scb_util_path_trusted(good, err, sizeof(err)), SCB_OK);
    scb_conf_free(&c);

    /* a file of ours, mode 0644, in a directory everyone may write: it could be replaced */
    snprintf(path, sizeof(path), "%s/c.conf", pub);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "exec = /bin/true\n", 17), 17);
    close(fd);
    scb_conf_init(&c);
    assert_int_equal(scb_conf_load(path, 0, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "is writable by group or others (mode 0777)"));
    assert_null(c.exec);
    /* a link in our own directory that leads there */
    snprintf(path, sizeof(path), "%s/to-pub.conf", dir);
    char target[192];
    snprintf(target, sizeof(target), "%s/c.conf", pub);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(scb_conf_load(path, 0, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, pub));
    unlink(path);
    /* a link in the open directory that leads to a good file: the link itself can be swapped */
    snprintf(path, sizeof(path), "%s/l.conf", pub);
    assert_int_equal(symlink(good, path), 0);
    assert_int_equal(scb_conf_load(path, 0, &c, err, sizeof(err)), SCB_E_UNSAFE);
    assert_null(c.exec);
    unlink(path);
    /* a link in our directory to a good file is fine */
    snprintf(path, sizeof(path), "%s/ok.conf", dir);
    assert_int_equal(symlink(good, path), 0);
    assert_int_equal(scb_conf_load(path, 0, &c, err, sizeof(err)), 1);
    unlink(path);
    scb_conf_free(&c);
    scb_conf_init(&c);
    /* stdin cannot stand for it; a missing file in a good directory stays "not found" */
    assert_int_equal(scb_conf_load("-", 0, &c, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_non_null(strstr(err, "stdin cannot stand for the configuration file"));
    snprintf(path, sizeof(path), "%s/absent.conf", dir);
    assert_int_equal(scb_conf_load(path, 1, &c, err, sizeof(err)), 0);
    /* a hook program others may write */
    assert_int_equal(chmod(good, 0777), 0);
    assert_int_equal(scb_util_path_trusted(good, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "writable by others (mode 0777"));

    snprintf(path, sizeof(path), "%s/c.conf", pub);
    unlink(path);
    unlink(good);
    rmdir(pub);
    rmdir(dir);
    scb_conf_free(&c);
}

/* A link is its owner's to remove and make again wherever its directory is sticky (/tmp): one
 * owned by another user on the way is refused, as a directory of theirs would be, even when
 * it leads to a good file (a link of uid 65534 in a sticky directory, here). */
static void trusted_links_of_others(void **state)
{
    char dir[] = "/tmp/scb-trustl-XXXXXX", st[128], good[128], lnk[192], dlnk[192], via[256];
    char err[384];
    int fd;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(st, sizeof(st), "%s/sticky", dir);
    assert_int_equal(mkdir(st, 0700), 0);
    assert_int_equal(chmod(st, 01777), 0);
    snprintf(good, sizeof(good), "%s/good.conf", dir);
    fd = open(good, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    close(fd);
    snprintf(lnk, sizeof(lnk), "%s/l.conf", st);
    assert_int_equal(symlink(good, lnk), 0);
    snprintf(dlnk, sizeof(dlnk), "%s/d", st);
    assert_int_equal(symlink(dir, dlnk), 0);
    snprintf(via, sizeof(via), "%s/good.conf", dlnk);
    /* links of ours in a sticky directory of root: others cannot remove them */
    int sticky_ours = geteuid() == 0;
    assert_int_equal(scb_util_path_trusted(lnk, err, sizeof(err)),
                     sticky_ours ? SCB_OK : SCB_E_UNSAFE /* the sticky dir is not root's */);
    assert_int_equal(scb_util_path_trusted(via, err, sizeof(err)),
                     sticky_ours ? SCB_OK : SCB_E_UNSAFE);
    if (geteuid() == 0) { /* ownership by another user needs root to set up */
        assert_int_equal(lchown(lnk, 65534, 65534), 0);
        assert_int_equal(scb_util_path_trusted(lnk, err, sizeof(err)), SCB_E_UNSAFE);
        assert_non_null(strstr(err, "belongs to uid 65534"));
        assert_non_null(strstr(err, lnk));
        assert_int_equal(lchown(dlnk, 65534, 65534), 0);
        assert_int_equal(scb_util_path_trusted(via, err, sizeof(err)), SCB_E_UNSAFE);
        assert_non_null(strstr(err, "belongs to uid 65534"));
        /* the file itself, reached without a link, stays good */
        assert_int_equal(scb_util_path_trusted(good, err, sizeof(err)), SCB_OK);
    }
    /* what resolving a link passes through counts, not only the names and the real path: a
     * link of ours whose target goes through another link (root's sticky dir: ours only if
     * we are root) or through ".." out of a directory others may write */
    char hop[192], pub[128], up[256];
    snprintf(hop, sizeof(hop), "%s/hop.conf", dir);
    assert_int_equal(symlink(lnk, hop), 0);
    snprintf(pub, sizeof(pub), "%s/pub", dir);
    assert_int_equal(mkdir(pub, 0700), 0);
    assert_int_equal(chmod(pub, 0777), 0);
    snprintf(up, sizeof(up), "%s/up.conf", dir);
    char target[192];
    snprintf(target, sizeof(target), "%s/../good.conf", pub);
    assert_int_equal(symlink(target, up), 0);
    /* pub/.. could be a link others put there: refused whoever we are */
    assert_int_equal(scb_util_path_trusted(up, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "writable by group or others (mode 0777)"));
    if (geteuid() == 0) {
        assert_int_equal(scb_util_path_trusted(hop, err, sizeof(err)), SCB_E_UNSAFE);
        assert_non_null(strstr(err, "belongs to uid 65534"));
        /* the same chain with links of ours: fine */
        assert_int_equal(lchown(lnk, 0, 0), 0);
        assert_int_equal(scb_util_path_trusted(hop, err, sizeof(err)), SCB_OK);
    }
    /* Debian's own layout (root:root 0755 directories, 0644 files, /bin a link of root's on
     * merged /usr) stays trusted for anyone */
    assert_int_equal(scb_util_path_trusted("/etc/passwd", err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_util_path_trusted("/bin/sh", err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_util_path_trusted("/etc//./passwd", err, sizeof(err)), SCB_OK);
    assert_int_equal(scb_util_path_trusted("/etc/passwd/x", err, sizeof(err)), SCB_E_IO);
    unlink(hop);
    unlink(up);
    rmdir(pub);
    unlink(lnk);
    unlink(dlnk);
    unlink(good);
    rmdir(st);
    rmdir(dir);
}

/* The lines of pin-file and scp03-keys are kept for the messages about those files. */
static void secret_key_origins(void **state)
{
    struct scb_conf c;
    char err[256];
    (void)state;
    assert_int_equal(parse("# x\nreader = r\n\nscp03-keys = /etc/k\npin-file = /etc/p\n", &c, err,
                           sizeof(err)),
                     0);
    assert_string_equal(c.pin_file_origin, "t.conf:5: pin-file");
    assert_string_equal(c.scp03_keys_origin, "t.conf:4: scp03-keys");
    scb_conf_free(&c);
    assert_int_equal(parse("reader = r\n", &c, err, sizeof(err)), 0);
    assert_null(c.pin_file_origin);
    assert_null(c.scp03_keys_origin);
    scb_conf_free(&c);
    /* a byte order mark would make "unknown key 'reader'" with the culprit invisible */
    assert_int_equal(parse("\xEF\xBB\xBFreader = r\n", &c, err, sizeof(err)), SCB_E_PARSE);
    assert_string_equal(err, "t.conf:1: starts with a UTF-8 byte order mark (an editor's); save "
                             "the file without it");
    scb_conf_free(&c);
}

/* The shipped example: all commented (parses to nothing), and every key uncommented parses. */
static void shipped_example(void **state)
{
    static char text[SCB_CONF_MAX_SIZE + 1], un[SCB_CONF_MAX_SIZE + 1];
    char err[256] = "";
    size_t len = 0, o = 0;
    struct scb_conf c;
    (void)state;
    FILE *f = fopen("../tools/scboot.conf.example", "r");
    assert_non_null(f);
    len = fread(text, 1, SCB_CONF_MAX_SIZE, f);
    fclose(f);
    scb_conf_init(&c);
    assert_int_equal(scb_conf_parse(text, len, "example", &c, err, sizeof(err)), 0);
    assert_null(c.reader);
    scb_conf_free(&c);
    /* "# key = value" lines become "key = value" */
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n') {
            e++;
        }
        size_t s = i;
        size_t k = i + 2;
        while (k < e && ((text[k] >= 'a' && text[k] <= 'z') || text[k] == '-' ||
                         (text[k] >= '0' && text[k] <= '9'))) {
            k++;
        }
        if (e - i > 2 && text[i] == '#' && text[i + 1] == ' ' && k > i + 2 && k + 3 <= e &&
            memcmp(text + k, " = ", 3) == 0) {
            s = i + 2; /* "# key = value" */
        }
        memcpy(un + o, text + s, e - s + (e < len));
        o += e - s + (e < len);
        i = e + 1;
    }
    scb_conf_init(&c);
    if (scb_conf_parse(un, o, "example", &c, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_non_null(c.reader);
    assert_non_null(c.exec);
    assert_int_equal(c.exec_timeout, 30);
    assert_int_equal(c.verify, SCB_CONF_VERIFY_ON_EVENT);
    assert_int_equal(c.secure_mode, 2);
    assert_int_equal(c.scp03_level, 0x33);
    assert_int_equal(c.no_acl, 0);
    assert_int_equal(c.listen_unauthenticated, 0);
    assert_non_null(c.profile);
    scb_conf_free(&c);
}

/* A file in dir with mode 0600 holding "1234". */
static void put_secret(const char *dir, char *path, size_t cap)
{
    snprintf(path, cap, "%s/pin", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "1234\n", 5), 5);
    close(fd);
}

static int read_secret(const char *path, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    int ret = scb_util_read_secret_file(path, 64, &text, &len, err, errlen);
    if (ret == 0) {
        assert_int_equal(len, 5);
        scb_util_zeroize(text, 65);
        free(text);
    }
    return ret;
}

static void mkdir_mode(const char *path, mode_t mode)
{
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(chmod(path, mode), 0); /* whatever the umask */
}

/* The directories a secret file (pin-file, scp03-keys, --psk-key-file) is reached through get
 * the state directory's rule: owned by root or by us, no symbolic link, not writable by group
 * or others (a key file there could be swapped), except root-owned sticky ones like /tmp. */
static void secret_file_directories(void **state)
{
    char d[] = "/tmp/scb-secdir-XXXXXX", sub[160], path[200], err[512], cwd[4096];
    (void)state;
    assert_non_null(mkdtemp(d));
    assert_non_null(getcwd(cwd, sizeof(cwd)));

    snprintf(sub, sizeof(sub), "%s/ok", d);
    mkdir_mode(sub, 0755);
    put_secret(sub, path, sizeof(path));
    assert_int_equal(read_secret(path, err, sizeof(err)), 0);
    /* the same file by a relative path: the working directory's path is checked too */
    assert_int_equal(chdir(sub), 0);
    assert_int_equal(read_secret("pin", err, sizeof(err)), 0);
    assert_int_equal(read_secret("./../ok//pin", err, sizeof(err)), 0);

    static const mode_t bad_modes[] = {0770, 0730, 0757, 0703, 0777};
    for (size_t k = 0; k < sizeof(bad_modes) / sizeof(bad_modes[0]); k++) {
        snprintf(sub, sizeof(sub), "%s/w%zu", d, k);
        mkdir_mode(sub, bad_modes[k]);
        put_secret(sub, path, sizeof(path));
        assert_int_equal(read_secret(path, err, sizeof(err)), SCB_E_UNSAFE);
        if (strstr(err, "is writable by group or others") == NULL || strstr(err, sub) == NULL) {
            fail_msg("mode %04o: %s", (unsigned)bad_modes[k], err);
        }
        assert_int_equal(chdir(sub), 0);
        assert_int_equal(read_secret("pin", err, sizeof(err)), SCB_E_UNSAFE);
        unlink(path);
    }
    /* a writable directory further up, not the file's own */
    snprintf(sub, sizeof(sub), "%s/w0/deep", d);
    mkdir_mode(sub, 0700);
    put_secret(sub, path, sizeof(path));
    assert_int_equal(read_secret(path, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "/w0 is writable by group or others (mode 0770)"));

    /* a symbolic link on the way (to a good directory) is refused, not followed */
    snprintf(sub, sizeof(sub), "%s/link", d);
    snprintf(path, sizeof(path), "%s/ok", d);
    assert_int_equal(symlink(path, sub), 0);
    snprintf(path, sizeof(path), "%s/link/pin", d);
    assert_int_equal(read_secret(path, err, sizeof(err)), SCB_E_UNSAFE);
    assert_non_null(strstr(err, "link is a symbolic link"));

    /* a sticky directory others may write: accepted only when root owns it (like /tmp) */
    snprintf(sub, sizeof(sub), "%s/sticky", d);
    mkdir_mode(sub, 01777);
    put_secret(sub, path, sizeof(path));
    assert_int_equal(read_secret(path, err, sizeof(err)), geteuid() == 0 ? 0 : SCB_E_UNSAFE);

    if (geteuid() == 0) { /* ownership by another user needs root to set up */
        assert_int_equal(chown(sub, 4242, 4242), 0);
        assert_int_equal(read_secret(path, err, sizeof(err)), SCB_E_UNSAFE);
        assert_non_null(strstr(err, "belongs to uid 4242"));
        snprintf(sub, sizeof(sub), "%s/other", d);
        mkdir_mode(sub, 0755);
        assert_int_equal(chown(sub, 4242, 4242), 0);
        put_secret(sub, path, sizeof(path));
        assert_int_equal(read_secret(path, err, sizeof(err)), SCB_E_UNSAFE);
        assert_non_null(strstr(err, "directory"));
        assert_non_null(strstr(err, "belongs to uid 4242"));
        /* the file itself owned by someone else (0600, readable only because we are root) */
        snprintf(path, sizeof(path), "%s/ok/pin", d);
        assert_int_equal(chown(path, 4242, 4242), 0);
        assert_int_equal(read_secret(path, err, sizeof(err)), SCB_E_UNSAFE);
        assert_non_null(strstr(err, "belongs to uid 4242"));
    }
    assert_int_equal(chdir(cwd), 0);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
}

/* A library entry: missing arguments are refused with a reason, never followed. */
static void null_arguments_refused(void **state)
{
    struct scb_conf c;
    char err[256] = "";
    (void)state;
    scb_conf_init(&c);
    assert_int_equal(scb_conf_parse(NULL, 1, "t.conf", &c, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse("reader = r\n", 11, NULL, &c, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse("reader = r\n", 11, "t.conf", NULL, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_load(NULL, 1, &c, err, sizeof(err)), SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_load("/nonexistent/scboot.conf", 1, NULL, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse("", 0, "t.conf", &c, err, sizeof(err)), SCB_OK);
    scb_conf_free(&c);
    scb_conf_free(NULL);
    scb_conf_init(NULL);
}

/* The value parsers take a NULL value or result as the caller's error, and err may be NULL
 * with any length (no buffer to write the reason to), also for the file functions. */
static void value_parsers_take_null(void **state)
{
    char err[128];
    enum scb_conf_verify v;
    unsigned every;
    unsigned long secs;
    int mode;
    struct scb_conf c;
    (void)state;
    assert_int_equal(scb_conf_parse_verify(NULL, &v, &every, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_verify("always", NULL, &every, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_verify("always", &v, NULL, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_seconds(NULL, 1, 2, &secs, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_seconds("1", 1, 2, NULL, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_secure_channel(NULL, &mode, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_secure_channel("off", NULL, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_scp03_level(NULL, &mode, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse_scp03_level("33", NULL, err, sizeof(err)),
                     SCB_E_INVALID_ARG);
    /* err NULL with a length: refused values and NULL arguments still answer */
    assert_int_equal(scb_conf_parse_verify("never", &v, &every, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse_verify("every=x", &v, &every, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse_seconds("x", 1, 2, &secs, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse_secure_channel("x", &mode, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse_scp03_level("x", &mode, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse_scp03_level(NULL, &mode, NULL, 256), SCB_E_INVALID_ARG);
    scb_conf_init(&c);
    assert_int_equal(scb_conf_parse("bogus\n", 6, "t.conf", &c, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_parse(NULL, 1, "t.conf", &c, NULL, 256), SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_parse("\xEF\xBB\xBF", 3, "t.conf", &c, NULL, 256), SCB_E_PARSE);
    assert_int_equal(scb_conf_load("/nonexistent/scboot.conf", 0, &c, NULL, 256),
                     SCB_E_NOT_FOUND);
    assert_int_equal(scb_conf_load("-", 0, &c, NULL, 256), SCB_E_INVALID_ARG);
    assert_int_equal(scb_conf_load(NULL, 0, &c, NULL, 256), SCB_E_INVALID_ARG);
    scb_conf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_key),
        cmocka_unit_test(unset_keys_stay_unset),
        cmocka_unit_test(listen_unauthenticated_values),
        cmocka_unit_test(strict_errors_name_file_and_line),
        cmocka_unit_test(nul_and_long_lines),
        cmocka_unit_test(verify_values),
        cmocka_unit_test(load_files),
        cmocka_unit_test(load_hostile_files),
        cmocka_unit_test(trusted_directories),
        cmocka_unit_test(trusted_links_of_others),
        cmocka_unit_test(secret_key_origins),
        cmocka_unit_test(null_arguments_refused),
        cmocka_unit_test(value_parsers_take_null),
        cmocka_unit_test(shipped_example),
        cmocka_unit_test(secret_file_directories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_conf.h: the daemon's configuration file (default /etc/scboot/scboot.conf): `key = value`
 * lines, `#` comment lines, strict (an unknown key, a bad or repeated value is an error naming
 * FILE:LINE). Command-line flags override what the file says.
 */
#ifndef SCBOOT_CLI_CONF_H
#define SCBOOT_CLI_CONF_H

#include <stddef.h>

#define CLI_CONF_DEFAULT "/etc/scboot/scboot.conf"
#define CLI_CONF_MAX_SIZE 65536

enum cli_verify { CLI_VERIFY_UNSET = 0, CLI_VERIFY_ON_EVENT, CLI_VERIFY_ALWAYS, CLI_VERIFY_EVERY };

struct cli_conf {
    /* strings: NULL when the file does not set them (owned) */
    char *reader, *pin_file, *scp03_keys, *factory, *state_dir, *exec, *profile;
    char *endpoint;           /* Endpoint Client Name, literal or template (scboot/endpoint.h) */
    char *listen;             /* the daemon's Bootstrap-Server listener, "[ADDR:]PORT" */
    int secure_mode;          /* -1 unset, 0 off, 1 preferred, 2 required */
    int scp03_level;          /* -1 unset, else 0x01, 0x03, 0x13, 0x33 */
    long exec_timeout;        /* -1 unset, else seconds */
    enum cli_verify verify;   /* the card re-check policy */
    unsigned verify_every_s;  /* with CLI_VERIFY_EVERY */
    int no_acl;               /* -1 unset, 0 or 1 */
    int listen_unauthenticated; /* -1 unset, 0 or 1: plain CoAP beyond loopback */
    /* "FILE:LINE: pin-file" / "...: scp03-keys" when set ("" unset), for the messages about
     * the file they name */
    char pin_file_origin[320], scp03_keys_origin[320];
};

void cli_conf_init(struct cli_conf *c);
void cli_conf_free(struct cli_conf *c);
/* Parse text (len bytes, need not be NUL-terminated); name is used in messages. */
int cli_conf_parse(const char *text, size_t len, const char *name, struct cli_conf *c, char *err,
                   size_t errlen);
/* Load a file: 1 loaded, 0 absent and optional, negative error (err says why). */
int cli_conf_load(const char *path, int optional, struct cli_conf *c, char *err, size_t errlen);

/* Value syntaxes shared with the command-line flags; 0 ok, -1 with err set. */
int cli_parse_verify(const char *s, enum cli_verify *mode, unsigned *every_s, char *err,
                     size_t errlen);
int cli_parse_seconds(const char *s, unsigned long min, unsigned long max, unsigned long *out,
                      char *err, size_t errlen);
int cli_parse_secure_channel(const char *s, int *mode, char *err, size_t errlen);
int cli_parse_scp03_level(const char *s, int *level, char *err, size_t errlen);
const char *cli_verify_name(enum cli_verify v);
/* An endpoint name or template that can be built once its facts are known; 0 or -1 (err). */
int cli_endpoint_syntax(const char *spec, char *err, size_t errlen);



#endif

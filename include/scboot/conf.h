/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot configuration file (bootstrap/service/conf.c): the daemon's settings as `key = value`
 * lines (default /etc/scboot/scboot.conf). Blank lines and lines starting with `#` are
 * skipped; the value is the rest of the line with the surrounding blanks removed (no quoting,
 * no inline comments: a `#` inside a hook command is kept). The parser is strict: an unknown
 * key, an empty, repeated or invalid value is an error naming FILE:LINE. Paths must be
 * absolute. A tool's command-line flags override what the file says; the value syntaxes are
 * shared with those flags (scb_conf_parse_*).
 *
 * Thread-safety: a struct scb_conf belongs to one thread at a time; the functions keep no
 * state of their own.
 */
#ifndef SCBOOT_CONF_H
#define SCBOOT_CONF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** Where the daemon looks for its configuration file when none is named. */
#define SCB_CONF_DEFAULT "/etc/scboot/scboot.conf"
/** The largest configuration file read, in bytes. */
#define SCB_CONF_MAX_SIZE 65536

/** The card re-check policy of the `verify` key. */
enum scb_conf_verify {
    SCB_CONF_VERIFY_UNSET = 0,  /**< not set */
    SCB_CONF_VERIFY_ON_EVENT,   /**< `on-event`: only at reader and card events */
    SCB_CONF_VERIFY_ALWAYS,     /**< `always`: at every check */
    SCB_CONF_VERIFY_EVERY       /**< `every=DURATION`: periodically (verify_every_s) */
};

/**
 * A parsed configuration file. Initialise with scb_conf_init(), release with scb_conf_free().
 * Strings are owned by the struct and NULL when the file does not set them.
 */
struct scb_conf {
    char *reader;             /**< `reader`: the reader name */
    char *pin_file;           /**< `pin-file`: absolute path of the PIN file */
    char *scp03_keys;         /**< `scp03-keys`: absolute path of the SCP03 key file */
    char *factory;            /**< `factory`: absolute path of the factory configuration */
    char *state_dir;          /**< `state-dir`: absolute path of the store */
    char *exec;               /**< `exec`: the hook, a shell command */
    char *profile;            /**< `profile`: absolute path of a validation profile */
    char *endpoint;           /**< `endpoint`: Endpoint Client Name, literal or template
                                   (scboot/endpoint.h) */
    char *listen;             /**< `listen`: the Bootstrap-Server listener, "[ADDR:]PORT" */
    int secure_mode;          /**< `secure-channel`: -1 unset, 0 off, 1 preferred, 2 required */
    int scp03_level;          /**< `scp03-level`: -1 unset, else 0x01, 0x03, 0x13, 0x33 */
    long exec_timeout;        /**< `exec-timeout`: -1 unset, else seconds (1 to 3600) */
    enum scb_conf_verify verify; /**< `verify`: the card re-check policy */
    unsigned verify_every_s;  /**< with SCB_CONF_VERIFY_EVERY: the period in seconds */
    int no_acl;               /**< `no-acl`: -1 unset, 0 or 1 */
    int listen_unauthenticated; /**< `listen-unauthenticated`: -1 unset, 0 or 1 */
    /** "FILE:LINE: pin-file" when the file sets it (NULL unset), for messages about the file
     * it names */
    char *pin_file_origin;
    /** "FILE:LINE: scp03-keys" when the file sets it (NULL unset) */
    char *scp03_keys_origin;
};

/**
 * Set every field unset (strings NULL, numbers -1, verify SCB_CONF_VERIFY_UNSET).
 * \param c the configuration to initialise (required); whatever it held is not freed
 */
void scb_conf_init(struct scb_conf *c);
/**
 * Free what c owns and initialise it again (scb_conf_init()).
 * \param c the configuration (may be NULL)
 */
void scb_conf_free(struct scb_conf *c);

/**
 * Parse configuration text into c (initialised with scb_conf_init()).
 * \param text   the text, len bytes; need not be NUL-terminated
 * \param len    its length; at most SCB_CONF_MAX_SIZE
 * \param name   the file name used in messages ("NAME:LINE: ...")
 * \param c      receives the values; on failure it may hold some (free it either way)
 * \param err    receives one line naming NAME:LINE on failure, errlen bytes
 * \param errlen size of err
 * \return SCB_OK, SCB_E_PARSE (err says where and why), SCB_E_TOO_LARGE or
 *         SCB_E_INVALID_ARG (a required argument NULL)
 */
int scb_conf_parse(const char *text, size_t len, const char *name, struct scb_conf *c, char *err,
                   size_t errlen);

/**
 * Read and parse the file at path. The file names the hook the daemon runs and the PIN file it
 * reads, so it must be a regular file that only root or the caller may change, through its
 * directories too (scb_util_path_trusted()); "-" (stdin) is refused.
 * \param path     the file
 * \param optional nonzero: a file that does not exist is not an error (returns 0)
 * \param c        receives the values (initialised with scb_conf_init()); free it either way
 * \param err      receives why it failed, errlen bytes
 * \param errlen   size of err
 * \return 1 loaded, 0 absent and optional, or a negative scb_err: SCB_E_NOT_FOUND, SCB_E_IO,
 *         SCB_E_UNSAFE (writable by others), SCB_E_TOO_LARGE, SCB_E_PARSE, SCB_E_NOMEM,
 *         SCB_E_INVALID_ARG
 */
int scb_conf_load(const char *path, int optional, struct scb_conf *c, char *err, size_t errlen);

/**
 * Parse a `verify` value: `on-event`, `always` or `every=DURATION`.
 * \param s       the value
 * \param mode    receives the policy
 * \param every_s receives the period in seconds (0 unless SCB_CONF_VERIFY_EVERY)
 * \param err     receives why s is refused, errlen bytes
 * \param errlen  size of err
 * \return 0, SCB_E_PARSE with err set when s is refused, SCB_E_INVALID_ARG when s or a
 *         result pointer is NULL (err may be NULL)
 */
int scb_conf_parse_verify(const char *s, enum scb_conf_verify *mode, unsigned *every_s,
                          char *err, size_t errlen);
/**
 * Parse a duration: a number of seconds, optionally followed by s, m or h.
 * \param s      the value
 * \param min    the smallest accepted, in seconds
 * \param max    the largest accepted, in seconds
 * \param out    receives the seconds
 * \param err    receives why s is refused, errlen bytes
 * \param errlen size of err
 * \return 0, SCB_E_PARSE with err set when s is refused, SCB_E_INVALID_ARG when s or a
 *         result pointer is NULL (err may be NULL)
 */
int scb_conf_parse_seconds(const char *s, unsigned long min, unsigned long max,
                           unsigned long *out, char *err, size_t errlen);
/**
 * Parse a `secure-channel` value: off, preferred or required.
 * \param s      the value
 * \param mode   receives 0 (off), 1 (preferred) or 2 (required)
 * \param err    receives why s is refused, errlen bytes
 * \param errlen size of err
 * \return 0, SCB_E_PARSE with err set when s is refused, SCB_E_INVALID_ARG when s or a
 *         result pointer is NULL (err may be NULL)
 */
int scb_conf_parse_secure_channel(const char *s, int *mode, char *err, size_t errlen);
/**
 * Parse an `scp03-level` value: 01, 03, 13 or 33 (hexadecimal security levels).
 * \param s      the value
 * \param level  receives 0x01, 0x03, 0x13 or 0x33
 * \param err    receives why s is refused, errlen bytes
 * \param errlen size of err
 * \return 0, SCB_E_PARSE with err set when s is refused, SCB_E_INVALID_ARG when s or a
 *         result pointer is NULL (err may be NULL)
 */
int scb_conf_parse_scp03_level(const char *s, int *level, char *err, size_t errlen);
/**
 * The name of a verify policy.
 * \param v the policy
 * \return "on-event", "always", "every" or "unset" (static)
 */
const char *scb_conf_verify_name(enum scb_conf_verify v);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

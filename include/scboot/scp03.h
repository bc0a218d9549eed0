/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot GlobalPlatform SCP03 (Amendment D) host side: static keys, the KDF, mutual
 * authentication (INITIALIZE UPDATE / EXTERNAL AUTHENTICATE) and command/response protection,
 * exposed as a transport filter that wraps any card transport. No LwM2M knowledge here.
 *
 * Threads: an SCP03 transport and a guard are used by one thread at a time, together with the
 * transport they wrap; distinct ones are independent. The key functions (scb_scp03_keys_*)
 * touch nothing but their arguments.
 */
#ifndef SCBOOT_SCP03_H
#define SCBOOT_SCP03_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/card.h"
#include "scboot/transport.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_SCP03_C_MAC 0x01 /**< security level bit: command MAC */
#define SCB_SCP03_C_DEC 0x02 /**< security level bit: command encryption */
#define SCB_SCP03_R_MAC 0x10 /**< security level bit: response MAC */
#define SCB_SCP03_R_ENC 0x20 /**< security level bit: response encryption */
#define SCB_SCP03_LEVEL_DEFAULT 0x33 /**< LwM2M App. H: C-DEC, R-ENC, C-MAC, R-MAC */

/** Static keys (16, 24 or 32 bytes each, the same length). Zeroize with _clear. */
struct scb_scp03_keys {
    /** \var scb_scp03_keys::enc
     *  S-ENC base key (len bytes used)
     *  \var scb_scp03_keys::mac
     *  S-MAC base key (len bytes used)
     *  \var scb_scp03_keys::dek
     *  data encryption key (len bytes used) */
    uint8_t enc[32], mac[32], dek[32];
    size_t len;      /**< key length in bytes: 16, 24 or 32 */
    uint8_t kvn; /**< 00 = first available */
};

/**
 * Parse "enc=HEX / mac=HEX / dek=HEX / kvn=HEX" lines (# comments).
 * \param text   the key file's text
 * \param k      receives the keys (clear them with scb_scp03_keys_clear())
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK or SCB_E_SCP03_KEYS
 */
int scb_scp03_keys_parse(const char *text, struct scb_scp03_keys *k, char *err, size_t errlen);
/**
 * Load a key file: opened once (no link followed), then checked on the descriptor. Refused
 * with SCB_E_UNSAFE if group or others may access it ("chmod 600 it"), or it is a link or not
 * a regular file; SCB_E_IO if it cannot be read; SCB_E_SCP03_KEYS if its content is wrong.
 * Every buffer that held key text is zeroized on every path.
 * \param path   the key file
 * \param k      receives the keys (clear them with scb_scp03_keys_clear())
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_UNSAFE, SCB_E_IO or SCB_E_SCP03_KEYS
 */
int scb_scp03_keys_load(const char *path, struct scb_scp03_keys *k, char *err, size_t errlen);
/**
 * Zeroize the keys.
 * \param k the keys (may be NULL)
 */
void scb_scp03_keys_clear(struct scb_scp03_keys *k);

/** Random source: fill len bytes at buf; 0 on success, nonzero on failure. */
typedef int (*scb_rng_fn)(void *ctx, uint8_t *buf, size_t len);

/** Options of an SCP03 session; start from scb_scp03_opts_init(), then set what differs. */
struct scb_scp03_opts {
    uint8_t level;   /**< 0x33 (default when 0), 0x01, 0x03, 0x13 */
    scb_rng_fn rng;  /**< host challenge source; NULL = CTR-DRBG seeded from the platform */
    void *rng_ctx;   /**< passed to rng, borrowed */
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_scp03_opts_init(), never set by the caller. */
    void *reserved[8];
};

/**
 * Set the defaults: level SCB_SCP03_LEVEL_DEFAULT (0x33), the platform CTR-DRBG as RNG.
 * \param o the options to initialise (may be NULL: no-op)
 */
void scb_scp03_opts_init(struct scb_scp03_opts *o);

/**
 * Authenticate on `channel` (the application must be selected there) through the card
 * session c, and return a filter transport that protects every later command on that channel
 * except MANAGE CHANNEL and GET RESPONSE. The filter borrows scb_card_transport(c) (which
 * must outlive it); the keys are copied into the session and zeroized when the filter is
 * freed. *filter is the caller's (scb_transport_free()).
 * Errors: SCB_E_SCP03_UNSUPPORTED (only 6D00/6E00 on INITIALIZE UPDATE: no secure channel),
 * SCB_E_SCP03_REFUSED (any other refusal: 6A88 key version not found, 6982, 6985, EXTERNAL
 * AUTHENTICATE refused), SCB_E_SCP03_CRYPTOGRAM (card cryptogram mismatch: wrong keys;
 * nothing more is sent), SCB_E_SCP03_PROTOCOL (another SCP, S16 mode, a malformed answer).
 * \param c       the card session
 * \param channel the logical channel of the selected application
 * \param keys    the static keys, read during the call only
 * \param o       options (NULL = defaults)
 * \param filter  receives the filter transport, owned by the caller
 * \return SCB_OK or a negative scb_err (above)
 */
int scb_scp03_open(struct scb_card *c, unsigned channel, const struct scb_scp03_keys *keys,
                   const struct scb_scp03_opts *o, struct scb_transport **filter);

/**
 * A ready-made secure-channel hook for scb_card_source_opts: set
 * secure_open = scb_scp03_guard_open, secure_close = scb_scp03_guard_close and secure_ctx = the guard. required = 1 aborts on any
 * failure; required = 0 ("preferred") goes on in plaintext only when the card does not support
 * SCP03 at all (INITIALIZE UPDATE answered 6D00/6E00; scb_scp03_guard_fell_back() then says
 * so). A card that refuses (6A88 ...) is refused under preferred too. Opaque.
 */
struct scb_scp03_guard;

/**
 * Create a guard.
 * \param keys     copied into the guard (zeroized by scb_scp03_guard_free()); the caller may
 *                 clear its own copy once this returns
 * \param o        copied; NULL = defaults (level 33, platform RNG); o->rng_ctx stays borrowed
 * \param required 1: any failure aborts the read; 0: plaintext when the card has no SCP03
 * \param out      receives the guard, owned by the caller (scb_scp03_guard_free()); NULL on
 *                 error
 * \return 0, SCB_E_INVALID_ARG (keys or out NULL) or SCB_E_NOMEM
 */
int scb_scp03_guard_new(const struct scb_scp03_keys *keys, const struct scb_scp03_opts *o,
                        int required, struct scb_scp03_guard **out);
/**
 * Zeroize and free *g (may be NULL or point to NULL), then set *g to NULL. Call it after the
 * read that used it (its secure_close has put the card's transport back).
 * \param g the guard to free
 */
void scb_scp03_guard_free(struct scb_scp03_guard **g);
/**
 * Whether an open went on in plaintext under "preferred" (the card has no SCP03).
 * \param g the guard (may be NULL)
 * \return 1 once that happened, else 0 (0 for NULL)
 */
int scb_scp03_guard_fell_back(const struct scb_scp03_guard *g);

/**
 * The hook itself (signatures of scb_card_source_opts.secure_open / secure_close).
 * \param guard a struct scb_scp03_guard *, borrowed
 * \param c     the card session: its transport is replaced by the SCP03 filter on open and put
 *              back on close
 * \param channel the logical channel of the selected application
 * \return SCB_OK or a negative scb_err (as scb_scp03_open(); SCB_OK after a "preferred"
 *         fall-back)
 */
int scb_scp03_guard_open(void *guard, struct scb_card *c, unsigned channel);
/**
 * Close what scb_scp03_guard_open() opened: the card's own transport is put back.
 * \param guard a struct scb_scp03_guard *, borrowed
 * \param c     the card session
 */
void scb_scp03_guard_close(void *guard, struct scb_card *c);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot bootstrap sequence and change detection (LwM2M 1.1 6.1.3.2, 6.1.4; doc/library.md):
 * smartcard -> factory -> (register) -> client-initiated network bootstrap, with the card
 * re-checked before every Register/Update to a card-provisioned server (R5): no APDU when the
 * reader reports no card event; changed data replaces the card's instances once it validates;
 * a removed or swapped card takes its instances away; factory and network instances are never
 * touched by the card path.
 *
 * Threads: a sequence (struct scb_bootstrap) is used by one thread at a time, and so are the
 * store and card session it borrows while it runs; its notify callback runs on that thread.
 * Distinct sequences on distinct stores and cards are independent. scb_bootstrap_opts_init(),
 * scb_bootstrap_outcome_name() and scb_bootstrap_on_registration_failure() touch nothing but
 * their arguments and run on any thread.
 */
#ifndef SCBOOT_BOOTSTRAP_H
#define SCBOOT_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/card.h"
#include "scboot/card_source.h"
#include "scboot/store.h"
#include "scboot/validate.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** What a check of the card (or a run of the sequence) did with the card's data. */
enum scb_bootstrap_outcome {
    /** nothing to do (the card's data is what is committed) */
    SCB_BOOTSTRAP_CARD_UNCHANGED = 0,
    SCB_BOOTSTRAP_CARD_APPLIED,    /**< card data committed (first time, or card inserted) */
    SCB_BOOTSTRAP_CARD_CHANGED,    /**< same card, new data: old card instances replaced */
    SCB_BOOTSTRAP_CARD_SWAPPED,    /**< another card (ICCID): old card instances replaced */
    /** card data inconsistent: card instances disabled (removed) */
    SCB_BOOTSTRAP_CARD_INVALID,
    SCB_BOOTSTRAP_CARD_REMOVED,    /**< card gone: its instances deleted (R4) */
    SCB_BOOTSTRAP_CARD_UNREADABLE, /**< card present but not readable (locked, PIN, error) */
    SCB_BOOTSTRAP_CARD_ABSENT,     /**< no card and nothing from a card committed */
    /** reader or pcscd unreachable: card state unknown, instances kept */
    SCB_BOOTSTRAP_CARD_UNKNOWN,
    /** the card step's change (applied, changed, swapped, invalid, removed) could not be
     *  committed: the call returns the store's error, the committed state is as before and
     *  the next check reads the card again. Never a hook event: a failed run fires none. */
    SCB_BOOTSTRAP_CARD_COMMIT_FAILED,
};
/**
 * Short name of an outcome ("applied", "removed"), as scboot prints it.
 * \param o the outcome
 * \return static text, never NULL
 */
const char *scb_bootstrap_outcome_name(enum scb_bootstrap_outcome o);

/**
 * When scb_bootstrap_check_card reads the card (R3/R5). pcsc-lite's event counter moves on insert,
 * removal and reset, not when another PC/SC client or an OTA update changes the file, so:
 *   ON_EVENT  0 APDUs without a reader event (the default; misses changes made in place)
 *   ALWAYS    re-read along the known path on every check (about 10 APDUs for a 1 KB file)
 *   EVERY     re-read when verify_every_ms has passed since the last read, else as ON_EVENT
 */
enum scb_verify_policy {
    SCB_VERIFY_ON_EVENT = 0, /**< read only after a reader event */
    SCB_VERIFY_ALWAYS = 1,   /**< re-read on every check */
    SCB_VERIFY_EVERY = 2     /**< re-read once per verify_every_ms */
};

/**
 * Parse "on-event", "always" or "every=DURATION" (DURATION: N[ms|s|m|h], plain N = seconds).
 * \param text     the policy text
 * \param p        receives the policy
 * \param every_ms receives the period for SCB_VERIFY_EVERY (0 otherwise)
 * \return SCB_OK or SCB_E_INVALID_ARG
 */
int scb_bootstrap_verify_parse(const char *text, enum scb_verify_policy *p, uint64_t *every_ms);

/** The bootstrap sequence's context: opaque (its fields may change without notice). */
struct scb_bootstrap;

/**
 * Options of scb_bootstrap_new(). Start from scb_bootstrap_opts_init() (or zero it and set the
 * profile), then set what differs. scb_bootstrap_new() copies the struct: what is "copied"
 * below may change or go away after the call; what is "borrowed" must stay valid until it is
 * replaced through a setter or the context is freed.
 */
struct scb_bootstrap_opts {
    struct scb_store *store;         /**< borrowed: opened (locked), memory or custom; required */
    struct scb_card *card;           /**< borrowed; NULL = no reader configured */
    const char *reader_name;         /**< copied (recorded in the card fingerprint); may be NULL */
    /**
     * Read options, copied by value. Their pointers are borrowed: ro.pin (clear it with
     * scb_bootstrap_set_pin() before wiping the PIN), ro.aid, ro.known_path, and the secure
     * channel hook's ro.secure_ctx (an scb_scp03_guard, for instance).
     */
    struct scb_card_source_opts ro;
    struct scb_profile profile;      /**< copied */
    const char *factory_path;        /**< copied; G.3.4 image or the JSON shape; NULL = none */
    enum scb_verify_policy verify;   /**< when a check reads the card (default ON_EVENT) */
    uint64_t verify_every_ms;        /**< for SCB_VERIFY_EVERY */
    /** monotonic milliseconds (tests); NULL = CLOCK_MONOTONIC; clock_ctx borrowed */
    uint64_t (*clock_ms)(void *ctx);
    void *clock_ctx;                 /**< passed to clock_ms, borrowed */
    /** one line per event (no secrets); may be NULL; log_ctx borrowed */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;                   /**< passed to log, borrowed */
    /**
     * Called after every commit with the outcome (the LwM2M client drops sessions here); may
     * be NULL; notify_ctx borrowed. c is borrowed for the call only.
     */
    void (*notify)(void *ctx, enum scb_bootstrap_outcome o, const struct scb_committed *c);
    void *notify_ctx;                /**< passed to notify, borrowed */
    /** Room for options added within soname 1 without changing the struct's size: zeroed
     *  by scb_bootstrap_opts_init(), never set by the caller. */
    void *reserved[8];
};

/**
 * Zero o and set the defaults: the default profile, SCB_VERIFY_ON_EVENT, no card, no factory,
 * read options from scb_card_source_opts_init().
 * \param o the options to initialise
 */
void scb_bootstrap_opts_init(struct scb_bootstrap_opts *o);

/**
 * Create a sequence context.
 * \param o   options, read during the call (see struct scb_bootstrap_opts for what is copied
 *            and what stays borrowed); o->store is required
 * \param out receives the context, owned by the caller (scb_bootstrap_free()); NULL on error
 * \return 0, SCB_E_INVALID_ARG (o, out or o->store NULL) or SCB_E_NOMEM
 */
int scb_bootstrap_new(const struct scb_bootstrap_opts *o, struct scb_bootstrap **out);
/**
 * Free *b (may be NULL or point to NULL) and set *b to NULL. Borrowed things are not freed.
 * \param b the context to free
 */
void scb_bootstrap_free(struct scb_bootstrap **b);

/*
 * Setters for what changes between checks. Each takes effect at the next check or run.
 */
/**
 * Replace the card session (a reconnect, or a stand-in for an empty or unreachable reader).
 * The next check reads the card, as after scb_bootstrap_force_read(): a session handed in
 * may sit on another reader or card, so its event counters cannot tell a swap yet. Keep the
 * session between checks (no call here) for R5's no-APDU checks.
 * \param b           the context
 * \param card        borrowed, as in the options; NULL = no reader configured
 * \param reader_name copied; NULL keeps the current name
 * \return 0 or SCB_E_INVALID_ARG (b NULL)
 */
int scb_bootstrap_set_card(struct scb_bootstrap *b, struct scb_card *card,
                           const char *reader_name);
/**
 * Replace the PIN used when the bootstrap object is private.
 * \param b   the context
 * \param pin borrowed until replaced; NULL = no PIN (call this before wiping the PIN buffer).
 * A PIN the card refuses (wrong or blocked) is dropped by the context at once and never
 * presented again (every wrong VERIFY costs one of the card's tries): the next checks find
 * the card unreadable until a new PIN is set here.
 * \return 0 or SCB_E_INVALID_ARG (b NULL)
 */
int scb_bootstrap_set_pin(struct scb_bootstrap *b, const char *pin);
/**
 * Replace the factory configuration's path (copied; NULL = none). 0, INVALID_ARG or NOMEM.
 * \param b    the context
 * \param path the factory file, copied; NULL = none
 * \return 0, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_bootstrap_set_factory(struct scb_bootstrap *b, const char *path);
/**
 * Replace the validation profile (copied). 0 or SCB_E_INVALID_ARG.
 * \param b the context
 * \param p the profile, copied
 * \return 0 or SCB_E_INVALID_ARG
 */
int scb_bootstrap_set_profile(struct scb_bootstrap *b, const struct scb_profile *p);
/**
 * Replace the re-read policy. 0 or SCB_E_INVALID_ARG (b NULL, or EVERY with every_ms 0).
 * \param b        the context
 * \param p        the policy
 * \param every_ms the period for SCB_VERIFY_EVERY
 * \return 0 or SCB_E_INVALID_ARG
 */
int scb_bootstrap_set_verify(struct scb_bootstrap *b, enum scb_verify_policy p,
                             uint64_t every_ms);
/**
 * Make the next check read the card whatever the reader's event counter says (SIGHUP).
 * \param b the context
 * \return SCB_OK, or SCB_E_INVALID_ARG when b is NULL (like every other setter)
 */
int scb_bootstrap_force_read(struct scb_bootstrap *b);

/**
 * The findings of the configuration the last check or run validated (the factory file's when a
 * run validated both): a rejected one's violations, an accepted one's warnings. Empty when
 * that check or run validated nothing (card removed, absent, unknown, unreadable, unchanged).
 * \param b the context
 * \return borrowed from b: valid until the next check or run, or scb_bootstrap_free()
 */
const struct scb_report *scb_bootstrap_report(const struct scb_bootstrap *b);
/**
 * The APDUs the last check sent (0: answered from the event counter alone).
 * \param b the context
 * \return the count
 */
unsigned scb_bootstrap_last_apdus(const struct scb_bootstrap *b);

/**
 * Why the last check (or run) could not use the card, typed: with SCB_BOOTSTRAP_CARD_UNREADABLE
 * the error, the failed step (SCB_CARD_STEP_PIN for a wrong PIN), the card's status word
 * (63Cx) and the PIN tries left (x); with SCB_BOOTSTRAP_CARD_UNKNOWN the reader's error and
 * SCB_CARD_STEP_CONNECT; with SCB_BOOTSTRAP_CARD_INVALID because the file could not be
 * decoded, SCB_E_DECODE and SCB_CARD_STEP_DECODE. Otherwise err is SCB_OK and step
 * SCB_CARD_STEP_NONE. detail is the line the log got.
 * \param b the context (NULL: a reason saying nothing failed)
 * \return borrowed from b: valid until the next check or run, or scb_bootstrap_free(); never
 *         NULL
 */
const struct scb_card_reason *scb_bootstrap_card_reason(const struct scb_bootstrap *b);

/**
 * R5: check the card and bring the committed configuration in step with it. Call before
 * every Register/Update to a card-provisioned server; *out says what happened.
 * R4, one rule: the reader is there and empty (status present = 0, or the card went away
 * during the read) -> the card's instances are deleted (SCB_BOOTSTRAP_CARD_REMOVED) and the
 * sequence falls through to the factory step; the reader or pcscd cannot be reached (status
 * fails) -> the card's state is unknown: nothing is deleted (SCB_BOOTSTRAP_CARD_UNKNOWN), and
 * it is logged.
 * \param b      the context
 * \param out    receives what happened
 * \param err    receives one line on failure ("damaged store: PATH: what"; may be NULL); a
 *               card that cannot be read is no failure: see scb_bootstrap_card_reason()
 * \param errlen size of err (SCB_ERR_MAX)
 * \return SCB_OK (see *out) or a negative scb_err (the store could not load or commit:
 *         *out is then SCB_BOOTSTRAP_CARD_COMMIT_FAILED for a failed commit; SCB_E_INVALID_ARG)
 */
int scb_bootstrap_check_card(struct scb_bootstrap *b, enum scb_bootstrap_outcome *out, char *err,
                             size_t errlen);

/** What one run of the sequence did. */
struct scb_run_result {
    enum scb_bootstrap_outcome card; /**< what the smartcard step did */
    int factory_applied;            /**< factory configuration committed this run */
    int factory_rejected;           /**< factory configuration present but inconsistent */
    int needs_network_bootstrap;    /**< no complete server account: Client-Initiated next */
    uint64_t generation;            /**< the store's generation after the run */
    /** Room for fields added within soname 1 without changing the struct's size: zeroed
     *  by the call that fills the result. */
    void *reserved[8];
};

/**
 * One run of the sequence: smartcard, then factory, then report what is missing. Every field
 * of *res says "done" only for a commit that succeeded: when the card step's commit fails,
 * res->card is SCB_BOOTSTRAP_CARD_COMMIT_FAILED and the run stops with the store's error;
 * when the factory step's fails, factory_applied stays 0.
 * \param b      the context
 * \param res    receives what the run did (also on a negative return, as above)
 * \param err    receives one line on failure (the store's reason; may be NULL)
 * \param errlen size of err (SCB_ERR_MAX)
 * \return SCB_OK (see *res) or a negative scb_err
 */
int scb_bootstrap_run(struct scb_bootstrap *b, struct scb_run_result *res, char *err,
                      size_t errlen);

/**
 * The registration-failure policy (LwM2M 1.1 6.1.4, /1/x/16 Bootstrap on Registration
 * Failure): when the LwM2M client could not register with any server, should client-initiated
 * bootstrap run?
 * \param cfg the committed configuration (borrowed); NULL counts as no server account
 * \return 1 when some Server instance has /1/x/16 true or absent, or there is none; 0 when
 *         every Server instance says false
 */
int scb_bootstrap_on_registration_failure(const struct scb_config *cfg);

/**
 * Load a factory configuration: a G.3.4 image, or the JSON shape when it starts with '{'.
 * \param image receives a malloc'd image of *len bytes, owned by the caller (it may hold
 *              secrets: scb_util_zeroize() it, then free())
 * \param path   the factory file
 * \param len    receives the image length
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return 0 or a negative scb_err (err says why; *image is set only on success)
 */
int scb_bootstrap_factory_load(const char *path, uint8_t **image, size_t *len, char *err, size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot store: the committed configuration in a state directory (default /var/lib/scboot;
 * 0700, files 0600) as JSON with, per instance, its provenance (card, factory, network) and,
 * for card data, the fingerprint (ICCID + SHA-256 of the file, reader, where it was found).
 * A commit writes a new file, fsyncs it, renames it over the old one and fsyncs the directory;
 * an flock keeps two writers apart. After a crash the store holds the old or the new
 * configuration, never a mix.
 *
 * A client that keeps its own persistence needs no state directory: scb_store_new_memory()
 * keeps the committed state in memory, scb_store_new_custom() hands load and commit to the
 * client's own operations (its flash, its database). Both give an ordinary struct scb_store
 * that every entry point taking a store accepts (the bootstrap sequence and the card check,
 * the network bootstrap, the daemon) and that calls the commit observer as the file store
 * does; so a client and the daemon never share a directory.
 *
 * Threads: a store is used by one thread at a time (the caller serializes load, commit and
 * the observer's setting); distinct stores are independent, and two file stores on one
 * directory are kept apart by its lock. A struct scb_committed is plain data the caller owns.
 * scb_store_parse(), the scb_committed_* functions and scb_source_name() touch nothing
 * but their arguments and may run on any thread.
 */
#ifndef SCBOOT_STORE_H
#define SCBOOT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/error.h"
#include "scboot/model.h"
#include "scboot/p15.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_STATE_DIR_DEFAULT "/var/lib/scboot" /**< the state directory unless told otherwise */

/**
 * What identifies the card data a configuration came from: the card (ICCID), the file's
 * digest and where it was read, so that a check can tell "same card, same data" apart.
 */
struct scb_fingerprint {
    int valid;                  /**< 1 when the rest is filled (card data is committed) */
    char iccid[24];             /**< the card's ICCID ("" when it has none) */
    uint8_t sha256[32];         /**< of the file bytes [0, 4 + size) */
    char reader[256];           /**< the reader the card was in */
    uint8_t aid[16];            /**< the PKCS#15 application the file was read from */
    size_t aid_len;             /**< bytes used in aid */
    struct scb_p15_path path;   /**< where the file was found: a re-read skips the walk */
};

/** The provenance of one instance. */
struct scb_prov {
    /** \var scb_prov::oid
     *  object ID
     *  \var scb_prov::iid
     *  instance ID */
    uint16_t oid, iid;
    enum scb_source prov; /**< where the instance came from */
};

/** A committed configuration with its provenance. */
struct scb_committed {
    struct scb_config cfg;      /**< the configuration (owned) */
    size_t nprov;               /**< entries at prov */
    struct scb_prov *prov;      /**< provenance per instance (owned) */
    struct scb_fingerprint card; /**< the card data the card's instances came from */
    uint64_t generation;        /**< +1 per commit */
    char committed_at[32];      /**< ISO 8601 UTC */
};

/**
 * Initialise an empty committed state (generation 0).
 * \param c the caller's storage
 */
void scb_committed_init(struct scb_committed *c);
/**
 * Free (zeroizing values) everything c owns and leave it empty; c itself is the caller's.
 * \param c the committed state (may be NULL)
 */
void scb_committed_free(struct scb_committed *c);
/**
 * Deep copy.
 * \param dst initialised and empty; receives the copy (the caller frees it)
 * \param src the state to copy
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_committed_copy(struct scb_committed *dst, const struct scb_committed *src);
/**
 * Provenance of an instance (SCB_SRC_NETWORK when unrecorded).
 * \param c   the committed state
 * \param oid object ID
 * \param iid instance ID
 * \return the provenance
 */
enum scb_source scb_committed_prov(const struct scb_committed *c, uint16_t oid, uint16_t iid);
/**
 * Record the provenance of an instance.
 * \param c   the committed state
 * \param oid object ID
 * \param iid instance ID
 * \param p   its provenance
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_committed_set_prov(struct scb_committed *c, uint16_t oid, uint16_t iid,
                           enum scb_source p);
/**
 * Remove every instance of provenance p (with its provenance record).
 * \param c the committed state
 * \param p the provenance to drop
 */
void scb_committed_drop(struct scb_committed *c, enum scb_source p);
/**
 * Add every instance of cfg with provenance p, replacing instances with the same IDs.
 * \param c   the committed state
 * \param cfg the instances to add, copied
 * \param p   their provenance
 * \return SCB_OK, SCB_E_INVALID_ARG or SCB_E_NOMEM
 */
int scb_committed_merge(struct scb_committed *c, const struct scb_config *cfg,
                        enum scb_source p);
/**
 * The state to commit when a whole configuration replaces the committed one (Bootstrap-Finish
 * of a network bootstrap): an instance whose content did not change (scb_instance_equal)
 * keeps its provenance from prev, every other instance gets p; the card fingerprint is kept
 * while an instance from the card remains and cleared otherwise; generation and commit time
 * come from prev (scb_store_commit advances them).
 * \param out  written by this call; on success the caller owns it (scb_committed_free), on
 *             failure it is left initialised and empty
 * \param prev borrowed: the committed state before
 * \param cfg  consumed in every case: its contents move into *out and cfg is left empty
 * \param p    the provenance of what changed
 * \return SCB_OK, SCB_E_NOMEM
 */
int scb_committed_replace(struct scb_committed *out, const struct scb_committed *prev,
                          struct scb_config *cfg, enum scb_source p);
/**
 * Name of a provenance ("card", "factory", "network").
 * \param p the provenance
 * \return static text
 */
const char *scb_source_name(enum scb_source p);

/** A store: the state directory, opened (and locked unless read-only), or a memory or custom
 * store (scb_store_new_memory(), scb_store_new_custom()): opaque. */
struct scb_store;

/**
 * Open the state directory and take its lock. A missing directory is created 0700; an
 * existing one is never re-moded: it is refused (SCB_E_UNSAFE) when it is a symbolic link,
 * belongs to another user than the effective one, or is writable by group or others.
 * SCB_E_LOCKED if another process holds the lock (wait_ms > 0: retry that long); SCB_E_IO
 * when the directory cannot be created or opened. err gets one line saying why.
 * \param dir copied (the store keeps its own path)
 * \param wait_ms how long to retry a lock another process holds (0: not at all)
 * \param out receives the store, owned by the caller (scb_store_free() releases the lock)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return 0 or a negative scb_err (*out is then NULL)
 */
int scb_store_open(const char *dir, unsigned wait_ms, struct scb_store **out, char *err,
                   size_t errlen);
/** Read-only access without the lock (scboot status); the same checks, nothing created; *out
 * as for scb_store_open().
 * \param dir    the state directory, copied
 * \param out    receives the store, owned by the caller (scb_store_free())
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return 0 or a negative scb_err (*out is then NULL) */
int scb_store_open_readonly(const char *dir, struct scb_store **out, char *err, size_t errlen);
/**
 * Release the lock, free *s (may be NULL or point to NULL) and set *s to NULL. Called from
 * inside the store's own commit observer or custom operations (the commit or load below still
 * uses the store) it does nothing and leaves *s set: the store's owner frees it after that
 * call returned.
 * \param s the store to close
 */
void scb_store_free(struct scb_store **s);
/**
 * Load the committed configuration: SCB_OK with an empty one (generation 0) when nothing was
 * ever committed; SCB_E_PARSE for a damaged or foreign file ("damaged store: PATH: what",
 * never a silent empty one) and for one a later release wrote ("format" "scboot-store-2" or
 * later: "store PATH: ... newer than this scboot reads ..."), SCB_E_UNSAFE for a store file that is a symbolic link or
 * belongs to another user, SCB_E_IO when it cannot be read.
 * \param s      the store
 * \param out    initialised and empty; receives the state (the caller frees it:
 *               scb_committed_free())
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * A custom store's load that returns anything but SCB_OK or an scb_err fails with SCB_E_IO; one
 * that gives generation UINT64_MAX (no room for another commit) fails with SCB_E_PARSE. The
 * commit observer may load; a custom store's own operations may not (SCB_E_BUSY).
 * \return SCB_OK, SCB_E_PARSE, SCB_E_UNSAFE, SCB_E_IO, SCB_E_NOMEM or SCB_E_BUSY
 */
int scb_store_load(struct scb_store *s, struct scb_committed *out, char *err, size_t errlen);
/**
 * Commit atomically (generation and time are set here): a 0600 temporary file (never through
 * a link), fsync, rename, fsync of the directory; a memory or custom store's own commit
 * instead. On failure c's generation and time are as before. Refused with SCB_E_BUSY, nothing
 * done, when called from inside a commit of the same store (its observer, a custom store's
 * commit or load), and with SCB_E_TOO_LARGE when c's generation cannot advance (UINT64_MAX for
 * a custom or memory store, INT64_MAX for a state directory, whose file keeps it as a JSON
 * integer).
 * \param s      the store, opened with its lock (or a memory or custom store)
 * \param c      the state to commit (stays the caller's); its generation and commit time are
 *               updated
 * \param err    receives a one-line reason on failure ("cannot write PATH: reason"), "" on
 *               success (may be NULL)
 * \param errlen size of err (SCB_ERR_MAX)
 * \return SCB_OK, SCB_E_IO, SCB_E_UNSAFE, SCB_E_NOMEM, SCB_E_LOCKED (a read-only store),
 *         SCB_E_INVALID_ARG, SCB_E_BUSY, SCB_E_TOO_LARGE, or what a custom store's commit
 *         returned (SCB_E_IO for a value that is neither SCB_OK nor an scb_err)
 */
int scb_store_commit(struct scb_store *s, struct scb_committed *c, char *err, size_t errlen);
/**
 * The store file's path ("" for a memory or custom store).
 * \param s the store
 * \return a string borrowed from s (valid until scb_store_free())
 */
const char *scb_store_path(const struct scb_store *s);

/**
 * The operations of a custom store (scb_store_new_custom()): the client's own persistence.
 * The library calls them from the thread that uses the store, one at a time. This struct does
 * not grow: an operation added later comes with a constructor of its own.
 */
struct scb_store_ops {
    /**
     * Read the last committed state into out (initialised and empty); nothing committed yet
     * is SCB_OK with out left empty (generation 0). What load returns is trusted as what
     * commit was given: a client that keeps it as bytes on a medium that can corrupt them
     * checks them on the way back (scb_store_parse() reads the store file's format and checks
     * every member). On failure the library empties out.
     * \param ctx    the ctx given to scb_store_new_custom()
     * \param out    receives a deep copy (scb_committed_copy()); the library frees it
     * \param err    a one-line reason on failure
     * \param errlen size of err
     * \return SCB_OK or a negative scb_err (anything else fails the load with SCB_E_IO)
     */
    int (*load)(void *ctx, struct scb_committed *out, char *err, size_t errlen);
    /**
     * Make c durable, atomically: after SCB_OK a load returns c, after a failure it returns
     * the state before, never a mix. c's generation and commit time are already set; it is
     * borrowed for the call only (keep a copy: scb_committed_copy(), or serialize it).
     * \param ctx    the ctx given to scb_store_new_custom()
     * \param c      the state to keep, with keys: store it where only the client reads it
     * \param err    a one-line reason on failure
     * \param errlen size of err
     * \return SCB_OK or a negative scb_err (the commit then fails with it). Only SCB_OK is
     *         success: a positive value, or a negative one that is no scb_err, fails the
     *         commit with SCB_E_IO (the observer is not called)
     */
    int (*commit)(void *ctx, const struct scb_committed *c, char *err, size_t errlen);
    /**
     * Optional (NULL: nothing to do): called once by scb_store_free() to release ctx.
     * \param ctx the ctx given to scb_store_new_custom()
     */
    void (*close)(void *ctx);
};

/**
 * A store kept by the caller's own operations instead of a state directory: no directory, no
 * lock, no file. scb_store_load() and scb_store_commit() call ops->load and ops->commit;
 * scb_store_commit() sets the generation and commit time first, restores them when
 * ops->commit fails, and calls the observer only after it succeeded. scb_store_path() is "".
 * \param ops    load and commit required, close optional; copied
 * \param ctx    passed to every operation; owned by the caller unless ops->close releases it
 * \param out    receives the store, owned by the caller (scb_store_free(); *out is NULL on
 *               failure)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_INVALID_ARG (ops, ops->load, ops->commit or out NULL), SCB_E_NOMEM
 */
int scb_store_new_custom(const struct scb_store_ops *ops, void *ctx, struct scb_store **out,
                         char *err, size_t errlen);
/**
 * A store in memory: it starts empty (generation 0) and keeps the last committed state until
 * scb_store_free(), which zeroizes it. A commit copies the whole state before it replaces
 * the previous one, so a commit that fails (out of memory) leaves the previous state.
 * \param out    receives the store, owned by the caller (scb_store_free(); *out is NULL on
 *               failure)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_INVALID_ARG (out NULL), SCB_E_NOMEM
 */
int scb_store_new_memory(struct scb_store **out, char *err, size_t errlen);

/**
 * What a commit observer is told. Allocated by the store and read by the observer only:
 * fields may be appended in a later version.
 */
struct scb_commit_event {
    /**
     * the state the observer was last told about (its "after"); at the first commit after
     * scb_store_set_observer(), what the store file held (empty, generation 0, when nothing
     * was committed or the file could not be read). So a commit that failed after replacing
     * the file, and was not observed, is reported with the next one that succeeds. Borrowed
     * for the call only.
     */
    const struct scb_committed *before;
    /** the state the commit made durable; borrowed for the call only */
    const struct scb_committed *after;
    /** where the change came from: bit (1u << SCB_SRC_x) for the provenance of every
     * instance added, changed or given another provenance (its provenance after) and of every
     * instance removed (its provenance before); 0 when the commit changed no instance */
    unsigned provenances;
};

/**
 * Called after every durable commit on the store (card, factory and network alike: every
 * commit goes through scb_store_commit()), never after a failed one. It runs inside
 * scb_store_commit(), under the store's lock. It may read the store (scb_store_load()); on
 * the same store scb_store_commit() and scb_store_set_observer() return SCB_E_BUSY and do
 * nothing, and scb_store_free() does nothing (the commit still uses the store): an observer
 * that wants to stop, or to commit, does so after scb_store_commit() returned. ev and what it
 * points to stay valid until the observer returns.
 * scb_account_diff(&ev->before->cfg, &ev->after->cfg, ...) (account.h) turns it into the
 * accounts added, changed and removed.
 * \param ctx the ctx given to scb_store_set_observer()
 * \param ev  the commit, borrowed for the call only
 */
typedef void (*scb_store_observer)(void *ctx, const struct scb_commit_event *ev);

/**
 * Set (or, with fn NULL, clear) the commit observer of s. The store keeps a copy of the last
 * state it reported (zeroized when replaced, cleared or the store closed); the first commit
 * after this call reads the store file once for its "before".
 * \param s   the store
 * \param fn  called synchronously after each durable commit; may be NULL
 * \param ctx borrowed: passed to fn, must stay valid while fn is set
 * \return SCB_OK, SCB_E_INVALID_ARG (s NULL), SCB_E_BUSY (called from inside the store's
 *         commit, its observer among it, or a custom store's load: nothing changed)
 */
int scb_store_set_observer(struct scb_store *s, scb_store_observer fn, void *ctx);

/**
 * Parse the bytes of a store file (what scb_store_load reads): every member type-checked and
 * bounded; SCB_E_PARSE with err saying what is wrong, SCB_E_UNSUPPORTED for the store of a
 * later release ("format" newer than "scboot-store-1"). The fuzz target's entry point.
 * \param data   the file bytes
 * \param len    number of bytes at data
 * \param c      initialised and empty; receives the state (the caller frees it)
 * \param err    receives a one-line reason on failure (may be NULL)
 * \param errlen size of err
 * \return SCB_OK, SCB_E_PARSE, SCB_E_UNSUPPORTED (a later release's store), SCB_E_INVALID_ARG
 *         or SCB_E_NOMEM
 */
int scb_store_parse(const uint8_t *data, size_t len, struct scb_committed *c, char *err,
                    size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

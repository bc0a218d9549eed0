/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot store: the committed configuration in a state directory (default /var/lib/scboot;
 * 0700, files 0600) as JSON with, per instance, its provenance (card, factory, network) and,
 * for card data, the fingerprint (ICCID + SHA-256 of the file, reader, where it was found).
 * A commit writes a new file, fsyncs it, renames it over the old one and fsyncs the directory;
 * an flock keeps two writers apart. After a crash the store holds the old or the new
 * configuration, never a mix.
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

#define SCB_STATE_DIR_DEFAULT "/var/lib/scboot"

enum scb_provenance { SCB_PROV_CARD = 0, SCB_PROV_FACTORY = 1, SCB_PROV_NETWORK = 2 };

/** What identifies the card data a configuration came from (SPEC.md 9). */
struct scb_fingerprint {
    int valid;
    char iccid[24];
    uint8_t sha256[32];         /**< of the file bytes [0, 4 + size) */
    char reader[256];
    uint8_t aid[16];
    size_t aid_len;
    struct scb_p15_path path;   /**< where the file was found: a re-read skips the walk */
};

struct scb_prov {
    uint16_t oid, iid;
    enum scb_provenance prov;
};

/** A committed configuration with its provenance. */
struct scb_committed {
    struct scb_config cfg;
    size_t nprov;
    struct scb_prov *prov;
    struct scb_fingerprint card;
    uint64_t generation;        /**< +1 per commit */
    char committed_at[32];      /**< ISO 8601 UTC */
};

void scb_committed_init(struct scb_committed *c);
void scb_committed_free(struct scb_committed *c);
int scb_committed_copy(struct scb_committed *dst, const struct scb_committed *src);
/** Provenance of an instance (SCB_PROV_NETWORK when unrecorded). */
enum scb_provenance scb_committed_prov(const struct scb_committed *c, uint16_t oid, uint16_t iid);
int scb_committed_set_prov(struct scb_committed *c, uint16_t oid, uint16_t iid,
                           enum scb_provenance p);
/** Remove every instance of provenance p (with its provenance record). */
void scb_committed_drop(struct scb_committed *c, enum scb_provenance p);
/** Add every instance of cfg with provenance p, replacing instances with the same IDs. */
int scb_committed_merge(struct scb_committed *c, const struct scb_config *cfg,
                        enum scb_provenance p);
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
 * \return SCB_OK, SCB_E_NOMEM
 */
int scb_committed_replace(struct scb_committed *out, const struct scb_committed *prev,
                          struct scb_config *cfg, enum scb_provenance p);
const char *scb_provenance_name(enum scb_provenance p);

struct scb_store;

/**
 * Open the state directory and take its lock. A missing directory is created 0700; an
 * existing one is never re-moded: it is refused (SCB_E_UNSAFE) when it is a symbolic link,
 * belongs to another user than the effective one, or is writable by group or others.
 * SCB_E_LOCKED if another process holds the lock (wait_ms > 0: retry that long); SCB_E_IO
 * when the directory cannot be created or opened. err gets one line saying why.
 * \param dir copied (the store keeps its own path)
 * \param out receives the store, owned by the caller (scb_store_close() releases the lock)
 * \return 0 or a negative scb_err (*out is then NULL)
 */
int scb_store_open(const char *dir, unsigned wait_ms, struct scb_store **out, char *err,
                   size_t errlen);
/** Read-only access without the lock (scboot status); the same checks, nothing created; *out
 * as for scb_store_open(). */
int scb_store_open_readonly(const char *dir, struct scb_store **out, char *err, size_t errlen);
/** Release the lock, free *s (may be NULL or point to NULL) and set *s to NULL. */
void scb_store_close(struct scb_store **s);
/**
 * Load the committed configuration: SCB_OK with an empty one (generation 0) when nothing was
 * ever committed; SCB_E_PARSE for a damaged or foreign file ("damaged store: PATH: what",
 * never a silent empty one) and for one a later release wrote ("format" "scboot-store-2" or
 * later: "store PATH: ... newer than this scboot reads ..."), SCB_E_UNSAFE for a store file that is a symbolic link or
 * belongs to another user, SCB_E_IO when it cannot be read.
 */
int scb_store_load(struct scb_store *s, struct scb_committed *out, char *err, size_t errlen);
/**
 * Commit atomically (generation and time are set here): a 0600 temporary file (never through
 * a link), fsync, rename, fsync of the directory. On failure scb_store_error() says why.
 */
int scb_store_commit(struct scb_store *s, struct scb_committed *c);
const char *scb_store_path(const struct scb_store *s);
/** One line on the last failure of load or commit on s ("cannot write PATH: reason"). */
const char *scb_store_error(const struct scb_store *s);

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
    /** where the change came from: bit (1u << SCB_PROV_x) for the provenance of every
     * instance added, changed or given another provenance (its provenance after) and of every
     * instance removed (its provenance before); 0 when the commit changed no instance */
    unsigned provenances;
};

/**
 * Called after every durable commit on the store (card, factory and network alike: every
 * commit goes through scb_store_commit()), never after a failed one. It runs inside
 * scb_store_commit(), under the store's lock: it must not commit on the same store.
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
 * \param fn  called synchronously after each durable commit; may be NULL
 * \param ctx borrowed: passed to fn, must stay valid while fn is set
 * 
eturn SCB_OK, SCB_E_INVALID_ARG (s NULL)
 */
int scb_store_set_observer(struct scb_store *s, scb_store_observer fn, void *ctx);

/**
 * Parse the bytes of a store file (what scb_store_load reads): every member type-checked and
 * bounded; SCB_E_PARSE with err saying what is wrong, SCB_E_UNSUPPORTED for the store of a
 * later release ("format" newer than "scboot-store-1"). The fuzz target's entry point.
 */
int scb_store_parse(const uint8_t *data, size_t len, struct scb_committed *c, char *err,
                    size_t errlen);

/** The JSON of a committed configuration (secrets shown unless redact). Caller owns it:
 * json_object_put(). */
struct json_object *scb_committed_to_json(const struct scb_committed *c, int redact);
int scb_committed_from_json(struct json_object *root, struct scb_committed *c, char *err,
                            size_t errlen);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

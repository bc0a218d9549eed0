/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootstrap.c: the bootstrap sequence (smartcard -> factory -> network needed?) and the card
 * change check. Every configuration goes through scb_image_validate() (decode + the one
 * validator) before it is merged with its provenance and committed through the store.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "logf.h"
#include "scboot/bsfile.h"
#include "scboot/card.h"
#include "scboot/image.h"
#include "scboot/json.h"
#include "scboot/objdefs.h"
#include "scboot/bootstrap.h"
#include "scboot/tlv.h"
#include "scboot/uicc.h"
#include "scboot/util.h"

/* The context: the options as copied by scb_bootstrap_new() (reader_name and factory_path
 * point into the context's own copies), and the state between checks. */
struct scb_bootstrap {
    struct scb_bootstrap_opts o;
    char reader_name[SCB_READER_NAME_MAX];
    char *factory_path;              /* owned; NULL = none */
    /* state between checks */
    int have_events;
    uint32_t last_events;
    uint64_t last_read_ms;           /* when the card was last read in full */
    struct scb_report report;        /* findings of what the last check or run validated */
    unsigned last_apdus;             /* APDUs the last check sent */
    struct scb_card_reason reason;   /* why the last check could not read the card */
    char reason_detail[SCB_ERR_MAX]; /* reason.detail points here */
    char *err;                       /* the running check's or run's caller buffer, or NULL */
    size_t errlen;
};

const char *scb_bootstrap_outcome_name(enum scb_bootstrap_outcome o)
{
    static const char *const names[] = {"unchanged", "applied", "changed",
                                        "swapped",   "invalid", "removed",
                                        "unreadable", "absent", "unknown",
                                        "commit-failed"};
    return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

int scb_bootstrap_verify_parse(const char *text, enum scb_verify_policy *p, uint64_t *every_ms)
{
    if (text == NULL || p == NULL || every_ms == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *every_ms = 0;
    if (strcmp(text, "on-event") == 0) {
        *p = SCB_VERIFY_ON_EVENT;
        return SCB_OK;
    }
    if (strcmp(text, "always") == 0) {
        *p = SCB_VERIFY_ALWAYS;
        return SCB_OK;
    }
    if (strncmp(text, "every=", 6) != 0 || text[6] < '0' || text[6] > '9') {
        return SCB_E_INVALID_ARG;
    }
    char *end = NULL;
    unsigned long long v = strtoull(text + 6, &end, 10);
    uint64_t mul;
    if (strcmp(end, "ms") == 0) {
        mul = 1;
    } else if (*end == '\0' || strcmp(end, "s") == 0) {
        mul = 1000;
    } else if (strcmp(end, "m") == 0) {
        mul = 60000;
    } else if (strcmp(end, "h") == 0) {
        mul = 3600000;
    } else {
        return SCB_E_INVALID_ARG;
    }
    if (v == 0 || v > UINT64_MAX / 3600000ULL / 1000ULL) {
        return SCB_E_INVALID_ARG;
    }
    *p = SCB_VERIFY_EVERY;
    *every_ms = (uint64_t)v * mul;
    return SCB_OK;
}

static uint64_t now_ms(const struct scb_bootstrap *b)
{
    if (b->o.clock_ms) {
        return b->o.clock_ms(b->o.clock_ctx);
    }
    return scb_now_ms();
}

/* May the check answer "unchanged" from the event counter alone (0 APDUs)? */
static int quiet_ok(const struct scb_bootstrap *b)
{
    switch (b->o.verify) {
    case SCB_VERIFY_ALWAYS:
        return 0;
    case SCB_VERIFY_EVERY:
        return now_ms(b) - b->last_read_ms < b->o.verify_every_ms;
    default:
        return 1;
    }
}

static int unreachable_err(int ret)
{
    return ret == SCB_E_NO_SERVICE || ret == SCB_E_NO_READERS || ret == SCB_E_READER_NOT_FOUND ||
           ret == SCB_E_READER_UNAVAILABLE || ret == SCB_E_CARD_MUTE;
}

void scb_bootstrap_opts_init(struct scb_bootstrap_opts *o)
{
    if (o == NULL) {
        return;
    }
    memset(o, 0, sizeof(*o));
    scb_card_source_opts_init(&o->ro);
    scb_profile_default(&o->profile);
    o->verify = SCB_VERIFY_ON_EVENT;
}

static int dup_path(const char *path, char **out)
{
    char *d = NULL;
    if (path != NULL && (d = strdup(path)) == NULL) {
        return SCB_E_NOMEM;
    }
    free(*out);
    *out = d;
    return SCB_OK;
}

int scb_bootstrap_new(const struct scb_bootstrap_opts *o, struct scb_bootstrap **out)
{
    struct scb_bootstrap *b;
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = NULL;
    if (o == NULL || o->store == NULL ||
        (o->verify == SCB_VERIFY_EVERY && o->verify_every_ms == 0)) {
        return SCB_E_INVALID_ARG;
    }
    if ((b = calloc(1, sizeof(*b))) == NULL) {
        return SCB_E_NOMEM;
    }
    if (dup_path(o->factory_path, &b->factory_path) < 0) {
        free(b);
        return SCB_E_NOMEM;
    }
    b->o = *o;
    snprintf(b->reader_name, sizeof(b->reader_name), "%s", o->reader_name ? o->reader_name : "");
    b->o.reader_name = b->reader_name;   /* the context's own copies, never the caller's */
    b->o.factory_path = b->factory_path;
    b->reason.pin_tries_left = -1;
    b->reason.detail = b->reason_detail;
    *out = b;
    return SCB_OK;
}

void scb_bootstrap_free(struct scb_bootstrap **b)
{
    if (b == NULL || *b == NULL) {
        return;
    }
    scb_report_free(&(*b)->report);
    free((*b)->factory_path);
    free(*b);
    *b = NULL;
}

int scb_bootstrap_set_card(struct scb_bootstrap *b, struct scb_card *card,
                           const char *reader_name)
{
    if (b == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if (card != NULL) {
        /* a session handed in may sit on another reader or card (even at the same address,
         * or the same session moved to another transport): its counters prove nothing yet */
        b->have_events = 0;
    }
    b->o.card = card;
    if (reader_name != NULL) {
        snprintf(b->reader_name, sizeof(b->reader_name), "%s", reader_name);
    }
    return SCB_OK;
}

int scb_bootstrap_set_pin(struct scb_bootstrap *b, const char *pin)
{
    if (b == NULL) {
        return SCB_E_INVALID_ARG;
    }
    b->o.ro.pin = pin;
    return SCB_OK;
}

int scb_bootstrap_set_factory(struct scb_bootstrap *b, const char *path)
{
    if (b == NULL) {
        return SCB_E_INVALID_ARG;
    }
    int ret = dup_path(path, &b->factory_path);
    b->o.factory_path = b->factory_path;
    return ret;
}

int scb_bootstrap_set_profile(struct scb_bootstrap *b, const struct scb_profile *p)
{
    if (b == NULL || p == NULL) {
        return SCB_E_INVALID_ARG;
    }
    b->o.profile = *p;
    return SCB_OK;
}

int scb_bootstrap_set_verify(struct scb_bootstrap *b, enum scb_verify_policy p,
                             uint64_t every_ms)
{
    if (b == NULL || (unsigned)p > SCB_VERIFY_EVERY || (p == SCB_VERIFY_EVERY && every_ms == 0)) {
        return SCB_E_INVALID_ARG;
    }
    b->o.verify = p;
    b->o.verify_every_ms = every_ms;
    return SCB_OK;
}

int scb_bootstrap_force_read(struct scb_bootstrap *b)
{
    if (b == NULL) {
        return SCB_E_INVALID_ARG;
    }
    b->have_events = 0;
    return SCB_OK;
}

const struct scb_report *scb_bootstrap_report(const struct scb_bootstrap *b)
{
    return b ? &b->report : NULL;
}

unsigned scb_bootstrap_last_apdus(const struct scb_bootstrap *b)
{
    return b ? b->last_apdus : 0;
}

#define logf_(b, ...) scb_logf((b)->o.log, (b)->o.log_ctx, __VA_ARGS__)

static void log_report(struct scb_bootstrap *b, const char *what)
{
    for (size_t k = 0; k < b->report.n; k++) {
        logf_(b, "%s: %s %s %s: %s", what,
              b->report.v[k].severity == SCB_SEV_ERROR ? "error" : "warning", b->report.v[k].path,
              b->report.v[k].rule, b->report.v[k].message);
    }
}

/* A failure of the running check or run in one line: to the caller's err (the first one
 * wins: it is what made the call fail) and to the log with its prefix. */
static void failed(struct scb_bootstrap *b, const char *prefix, const char *line)
{
    if (b->err && b->errlen && b->err[0] == '\0') {
        snprintf(b->err, b->errlen, "%s", line);
    }
    logf_(b, "%s%s", prefix, line);
}

/* Commit c for the outcome *out: *out says what was done only once the store's commit
 * succeeded, SCB_BOOTSTRAP_CARD_COMMIT_FAILED when it did not. */
static int commit(struct scb_bootstrap *b, struct scb_committed *c,
                  enum scb_bootstrap_outcome *out)
{
    char why[SCB_ERR_MAX];
    int ret = scb_store_commit(b->o.store, c, why, sizeof(why));
    if (ret < 0) {
        failed(b, "commit failed: ", why);
        *out = SCB_BOOTSTRAP_CARD_COMMIT_FAILED;
        return ret;
    }
    if (b->o.notify) {
        b->o.notify(b->o.notify_ctx, *out, c);
    }
    return SCB_OK;
}

static int same_card(const struct scb_fingerprint *a, const char *iccid, const uint8_t sha[32])
{
    return a->valid && strcmp(a->iccid, iccid) == 0 && memcmp(a->sha256, sha, 32) == 0;
}

/* The card's instances leave the committed configuration (R3 disable / R4 delete); *out is
 * the outcome, as for commit(). */
static int drop_card(struct scb_bootstrap *b, struct scb_committed *c,
                     enum scb_bootstrap_outcome *out)
{
    if (!c->card.valid) {
        return SCB_OK;
    }
    scb_committed_drop(c, SCB_SRC_CARD);
    memset(&c->card, 0, sizeof(c->card));
    return commit(b, c, out);
}

/* Record why this check could not read the card (SCB_OK, NONE: it could). from gives the
 * card's SW, PIN tries and the line; without it the line is the error's text. */
static void set_reason(struct scb_bootstrap *b, int err, enum scb_card_step step,
                       const struct scb_card_reason *from)
{
    b->reason.err = err;
    b->reason.step = step;
    b->reason.sw = from ? from->sw : 0;
    b->reason.pin_tries_left = from ? from->pin_tries_left : -1;
    snprintf(b->reason_detail, sizeof(b->reason_detail), "%s",
             from && from->detail && from->detail[0] ? from->detail
             : err < 0                               ? scb_error_string(err)
                                                     : "");
    b->reason.detail = b->reason_detail;
}

const struct scb_card_reason *scb_bootstrap_card_reason(const struct scb_bootstrap *b)
{
    static const struct scb_card_reason none = {.pin_tries_left = -1, .detail = ""};
    return b ? &b->reason : &none;
}

static int read_card(struct scb_bootstrap *b, const struct scb_committed *c,
                     struct scb_card_source_result **r)
{
    struct scb_card_source_opts ro = b->o.ro;
    int ret;
    if (c->card.valid && ro.known_path == NULL && ro.file_id == 0) {
        /* re-read along the path found last time; walk again only if that fails */
        ro.known_path = &c->card.path;
        ro.aid = c->card.aid;
        ro.aid_len = c->card.aid_len;
        ret = scb_card_source_read(b->o.card, &ro, r, NULL, 0);
        if (ret == SCB_OK || ret == SCB_E_CARD_REMOVED || ret == SCB_E_NO_CARD ||
            ret == SCB_E_PIN_REQUIRED || ret == SCB_E_PIN_WRONG || ret == SCB_E_PIN_BLOCKED) {
            return ret;
        }
        ro = b->o.ro;
    }
    return scb_card_source_read(b->o.card, &ro, r, NULL, 0);
}

/* R4: a reader (or pcscd) that cannot be reached leaves the card's presence unknown: nothing
 * is deleted, and the next check reads the card again */
static void card_unknown(struct scb_bootstrap *b, enum scb_bootstrap_outcome *out,
                         const char *when, const char *why)
{
    logf_(b, "reader unreachable (%s)%s: card state unknown, keeping the card's instances", why,
          when);
    b->have_events = 0;
    *out = SCB_BOOTSTRAP_CARD_UNKNOWN;
}

/* R4: the reader is there and empty: the card's instances go */
static int card_gone(struct scb_bootstrap *b, struct scb_committed *c,
                     enum scb_bootstrap_outcome *out)
{
    b->have_events = 0;
    *out = c->card.valid ? SCB_BOOTSTRAP_CARD_REMOVED : SCB_BOOTSTRAP_CARD_ABSENT;
    if (c->card.valid) {
        logf_(b, "card removed (reader present, no card): deleting the instances it "
                 "provisioned");
    }
    return drop_card(b, c, out);
}

/* The card could not be read (the reason is set): the outcome is UNREADABLE and the sequence
 * falls through. */
static void card_unreadable(struct scb_bootstrap *b, int ret, enum scb_bootstrap_outcome *out)
{
    logf_(b, "card unreadable: %s", b->reason_detail);
    if ((ret == SCB_E_PIN_WRONG || ret == SCB_E_PIN_BLOCKED) && b->o.ro.pin != NULL) {
        /* every VERIFY with a wrong PIN costs one of the card's few tries, and a blocked
         * PIN needs the PUK: a PIN the card refused is never presented again by this
         * context (a daemon re-checking at every event, SIGHUP or --verify period, or a
         * client checking before every Update, would block the SIM in three checks) */
        b->o.ro.pin = NULL;
        logf_(b, "PIN refused by the card: not presented again by this process; correct "
                 "the PIN and restart");
    }
    *out = SCB_BOOTSTRAP_CARD_UNREADABLE;
}

/* The card's file was read and differs from the committed one: validate it and commit it in
 * place of the card's instances (or drop them when the file is invalid). */
static int card_apply(struct scb_bootstrap *b, struct scb_committed *c,
                      const struct scb_card_source_result *r, const uint8_t sha[32],
                      enum scb_bootstrap_outcome *out)
{
    const uint8_t *file = scb_card_source_result_file(r);
    size_t file_len = scb_card_source_result_file_len(r);
    const char *iccid = scb_card_source_result_iccid(r);
    struct scb_config cfg;
    int had_card = c->card.valid;
    int swapped = had_card && strcmp(c->card.iccid, iccid) != 0;
    int ret;

    scb_report_free(&b->report);
    scb_config_init(&cfg);
    ret = scb_image_validate(file, file_len, &b->o.profile, SCB_SRC_CARD, &cfg, &b->report);
    if (ret == SCB_E_DECODE) {
        set_reason(b, ret, SCB_CARD_STEP_DECODE, NULL);
    }
    if (ret == SCB_E_DECODE || (ret == SCB_OK && scb_report_has_errors(&b->report))) {
        log_report(b, "card data rejected");
        *out = SCB_BOOTSTRAP_CARD_INVALID;
        ret = drop_card(b, c, out);
        goto done;
    }
    if (ret < 0) {
        goto done;
    }
    scb_committed_drop(c, SCB_SRC_CARD);
    if ((ret = scb_committed_merge(c, &cfg, SCB_SRC_CARD)) < 0) {
        goto done;
    }
    c->card.valid = 1;
    snprintf(c->card.iccid, sizeof(c->card.iccid), "%s", iccid);
    memcpy(c->card.sha256, sha, 32);
    snprintf(c->card.reader, sizeof(c->card.reader), "%s", b->reader_name);
    const struct scb_dir_app *app = scb_card_source_result_app(r);
    memcpy(c->card.aid, app->aid, app->aid_len);
    c->card.aid_len = app->aid_len;
    c->card.path = *scb_card_source_result_file_path(r);
    *out = swapped    ? SCB_BOOTSTRAP_CARD_SWAPPED
           : had_card ? SCB_BOOTSTRAP_CARD_CHANGED
                      : SCB_BOOTSTRAP_CARD_APPLIED;
    if ((ret = commit(b, c, out)) == SCB_OK) { /* a failed commit said so, nothing more */
        logf_(b, "card %s: ICCID %s, %zu-byte file committed (generation %llu)",
              scb_bootstrap_outcome_name(*out), iccid, file_len,
              (unsigned long long)c->generation);
    }
done:
    scb_config_free(&cfg);
    return ret;
}

static int check_card(struct scb_bootstrap *b, enum scb_bootstrap_outcome *out)
{
    struct scb_committed c;
    struct scb_card_status st;
    struct scb_card_source_result *r = NULL;
    char err[SCB_ERR_MAX];
    uint8_t sha[32];
    unsigned start;
    int ret, sr;

    if (b == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    *out = SCB_BOOTSTRAP_CARD_ABSENT;
    b->last_apdus = 0;
    set_reason(b, SCB_OK, SCB_CARD_STEP_NONE, NULL);
    scb_report_free(&b->report); /* this check's findings only, none when it validates nothing */
    start = scb_card_apdus(b->o.card);
    if (b->o.card == NULL) {
        return SCB_OK;
    }
    if ((ret = scb_transport_status(scb_card_transport(b->o.card), &st)) < 0) {
        set_reason(b, ret, SCB_CARD_STEP_CONNECT, NULL);
        card_unknown(b, out, "", scb_error_string(ret));
        return SCB_OK;
    }
    if (st.present && b->have_events && st.event_count == b->last_events && quiet_ok(b)) {
        *out = SCB_BOOTSTRAP_CARD_UNCHANGED; /* the reader saw no event: no APDU, no store read */
        return SCB_OK;
    }
    /* from here on, one exit frees what the check holds: the committed state and the card's
     * result (both empty until loaded or read) */
    scb_committed_init(&c);
    if ((ret = scb_store_load(b->o.store, &c, err, sizeof(err))) < 0) {
        failed(b, "store: ", err);
        goto done;
    }
    if (!st.present) {
        ret = card_gone(b, &c, out);
        goto done;
    }
    ret = read_card(b, &c, &r);
    b->last_apdus = scb_card_apdus(b->o.card) - start;
    if (ret == SCB_E_CARD_REMOVED || ret == SCB_E_NO_CARD) {
        /* R4 deletes only for a reader that is there and empty: one that went away with the
         * card (unplugged, pcscd stopped mid-read) leaves the state unknown */
        if ((sr = scb_transport_status(scb_card_transport(b->o.card), &st)) < 0) {
            set_reason(b, sr, SCB_CARD_STEP_CONNECT, NULL);
            card_unknown(b, out, " after the card went", scb_error_string(sr));
            ret = SCB_OK;
        } else {
            ret = card_gone(b, &c, out);
        }
        goto done;
    }
    if (ret < 0) {
        const struct scb_card_reason *why = scb_card_source_result_reason(r);
        set_reason(b, ret, why->step, why);
        if (unreachable_err(ret)) {
            card_unknown(b, out, "", b->reason_detail);
        } else {
            card_unreadable(b, ret, out);
        }
        ret = SCB_OK; /* not fatal: the sequence falls through */
        goto done;
    }
    b->have_events = 1;
    b->last_events = st.event_count;
    b->last_read_ms = now_ms(b);
    scb_util_sha256(scb_card_source_result_file(r), scb_card_source_result_file_len(r), sha);
    if (same_card(&c.card, scb_card_source_result_iccid(r), sha)) {
        *out = SCB_BOOTSTRAP_CARD_UNCHANGED;
    } else {
        ret = card_apply(b, &c, r, sha, out);
        if (ret < 0) {
            b->have_events = 0; /* not committed: the next check reads the card again */
        }
    }
done:
    scb_card_source_result_free(&r);
    scb_committed_free(&c);
    return ret;
}

int scb_bootstrap_factory_load(const char *path, uint8_t **image, size_t *len, char *err, size_t errlen)
{
    if (path == NULL || image == NULL || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    char *text;
    size_t n;
    int ret = scb_util_read_text(path, SCB_CONFIG_TEXT_MAX, &text, &n);
    if (ret < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot read %s: %s", path,
                 ret == SCB_E_NOT_FOUND ? strerror(ENOENT)
                 : ret == SCB_E_IO && e ? strerror(e)
                                        : scb_error_string(ret));
        return ret;
    }
    size_t k = 0;
    while (k < n && (text[k] == ' ' || text[k] == '\n' || text[k] == '\t' || text[k] == '\r')) {
        k++;
    }
    if (k == n || text[k] != '{') {
        *image = (uint8_t *)text; /* a G.3.4 image */
        *len = n;
        return SCB_OK;
    }
    /* the JSON shape: encode it, so it takes exactly the card's decode + validate path */
    struct scb_buf out = {.max = SCB_MAX_FILE_SIZE};
    char why[SCB_ERR_MAX] = "";
    ret = scb_json_encode_image(text, n, 0, &out, why, sizeof(why));
    scb_util_zeroize(text, n); /* the JSON may carry keys */
    free(text);
    if (ret < 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        scb_util_zeroize(out.data, out.len);
        scb_buf_free(&out);
        return ret;
    }
    *image = out.data;
    *len = out.len;
    return SCB_OK;
}

static int same_factory(const struct scb_committed *c, const struct scb_config *cfg)
{
    struct scb_committed only;
    int same;
    if (scb_committed_copy(&only, c) < 0) {
        return 0;
    }
    scb_committed_drop(&only, SCB_SRC_CARD);
    scb_committed_drop(&only, SCB_SRC_NETWORK);
    same = scb_config_equal(&only.cfg, cfg);
    scb_committed_free(&only);
    return same;
}

static int apply_factory(struct scb_bootstrap *b, struct scb_run_result *res)
{
    uint8_t *img = NULL;
    size_t len = 0;
    char err[SCB_ERR_MAX];
    struct scb_config cfg;
    struct scb_committed c;
    enum scb_bootstrap_outcome o = SCB_BOOTSTRAP_CARD_ABSENT; /* what notify hears */
    int ret;

    if ((ret = scb_bootstrap_factory_load(b->factory_path, &img, &len, err, sizeof(err))) < 0) {
        logf_(b, "factory configuration unusable: %s", err);
        res->factory_rejected = 1;
        return SCB_OK;
    }
    /* from here on, one exit frees the configuration and the committed state */
    scb_report_free(&b->report);
    scb_config_init(&cfg);
    scb_committed_init(&c);
    ret = scb_image_validate(img, len, &b->o.profile, SCB_SRC_FACTORY, &cfg, &b->report);
    scb_util_zeroize(img, len);
    free(img);
    if (ret == SCB_E_DECODE || (ret == SCB_OK && scb_report_has_errors(&b->report))) {
        log_report(b, "factory configuration rejected");
        res->factory_rejected = 1;
        ret = SCB_OK;
        goto done;
    }
    if (ret < 0 || (ret = scb_store_load(b->o.store, &c, err, sizeof(err))) < 0) {
        if (ret != SCB_E_NOMEM) {
            failed(b, "store: ", err);
        }
        goto done;
    }
    if (!same_factory(&c, &cfg)) {
        scb_committed_drop(&c, SCB_SRC_FACTORY);
        if ((ret = scb_committed_merge(&c, &cfg, SCB_SRC_FACTORY)) == SCB_OK &&
            (ret = commit(b, &c, &o)) == SCB_OK) {
            res->factory_applied = 1;
            logf_(b, "factory configuration committed (generation %llu)",
                  (unsigned long long)c.generation);
        }
    } else {
        logf_(b, "factory configuration already committed");
    }
done:
    scb_committed_free(&c);
    scb_config_free(&cfg);
    return ret;
}

static int run(struct scb_bootstrap *b, struct scb_run_result *res)
{
    struct scb_committed c;
    struct scb_report rep = {0};
    char err[SCB_ERR_MAX];
    int ret;

    if (b == NULL || res == NULL) {
        return SCB_E_INVALID_ARG;
    }
    memset(res, 0, sizeof(*res));
    res->card = SCB_BOOTSTRAP_CARD_ABSENT;
    scb_report_free(&b->report); /* this run's findings only */
    if (b->o.card) {
        b->have_events = 0; /* start-up: always look at the card */
        if ((ret = check_card(b, &res->card)) < 0) {
            return ret;
        }
    }
    if ((ret = scb_store_load(b->o.store, &c, err, sizeof(err))) < 0) {
        failed(b, "store: ", err);
        return ret;
    }
    if (!c.card.valid && b->factory_path) {
        /* 6.1.4 step 2: not configured from the card -> factory bootstrap */
        scb_committed_free(&c);
        if ((ret = apply_factory(b, res)) < 0) {
            return ret;
        }
        if ((ret = scb_store_load(b->o.store, &c, err, sizeof(err))) < 0) {
            failed(b, "store: ", err);
            return ret;
        }
    } else if (!c.card.valid && b->o.card) {
        logf_(b, "no card configuration and no factory file");
    }
    res->generation = c.generation;
    if ((ret = scb_validate(&c.cfg, &b->o.profile, SCB_SRC_NETWORK, &rep)) == SCB_OK) {
        for (size_t k = 0; k < rep.n; k++) {
            if (rep.v[k].id == SCB_RULE_SERVER_ACCOUNT_MISSING) {
                res->needs_network_bootstrap = 1;
            }
        }
    }
    if (res->needs_network_bootstrap) {
        logf_(b, "no complete LwM2M server account: client-initiated bootstrap is needed");
    }
    scb_report_free(&rep);
    scb_committed_free(&c);
    return ret;
}

/* The public entries: the caller's err receives the first failure's line (or the error's
 * text when no line was written) while the call runs. */
static void call_begin(struct scb_bootstrap *b, char *err, size_t errlen)
{
    if (err && errlen) {
        err[0] = '\0';
    }
    if (b) {
        b->err = err;
        b->errlen = errlen;
    }
}

static int call_end(struct scb_bootstrap *b, int ret, char *err, size_t errlen)
{
    if (ret < 0 && err && errlen && err[0] == '\0') {
        snprintf(err, errlen, "%s", scb_error_string(ret));
    }
    if (b) {
        b->err = NULL;
        b->errlen = 0;
    }
    return ret;
}

int scb_bootstrap_check_card(struct scb_bootstrap *b, enum scb_bootstrap_outcome *out, char *err,
                             size_t errlen)
{
    call_begin(b, err, errlen);
    return call_end(b, check_card(b, out), err, errlen);
}

int scb_bootstrap_run(struct scb_bootstrap *b, struct scb_run_result *res, char *err,
                      size_t errlen)
{
    call_begin(b, err, errlen);
    return call_end(b, run(b, res), err, errlen);
}

int scb_bootstrap_on_registration_failure(const struct scb_config *cfg)
{
    const struct scb_object *srv = cfg ? scb_config_object(cfg, SCB_OBJ_SERVER) : NULL;
    if (srv == NULL || srv->n == 0) {
        return 1; /* no server account at all: bootstrap is the only way on */
    }
    for (size_t k = 0; k < srv->n; k++) {
        int v = 1;
        /* absent (or unreadable) is the default, true */
        if (scb_config_get_bool(cfg, SCB_OBJ_SERVER, srv->i[k].id, SCB_RES_SRV_BS_ON_FAILURE,
                                &v) < 0 || v) {
            return 1;
        }
    }
    return 0;
}

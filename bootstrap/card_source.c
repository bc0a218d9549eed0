/* SPDX-License-Identifier: Apache-2.0 */
/*
 * card_source.c: the only place where card access meets LwM2M: the App. G walk from EF DIR to
 * EF LwM2M_Bootstrap, written for the strictest card (doc/protocol.md,
 * card behaviours). APDU count is a feature:
 * EF ICCID and EF DIR by SFI (SELECT only on a card that refuses SFI); small PKCS#15 files
 * (ODF, DODF, AODF) selected with their FCP so the READ BINARY asks exactly the file size; the
 * bootstrap EF selected with P2=0C and read in as few READ BINARY commands as the card allows,
 * sized by its G.3.4 header; never a read past a short answer. A private object's PIN comes
 * from the AODF (authId), else from an FCP PIN template, and the EF is current when read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/bsfile.h"
#include "scboot/card.h"
#include "scboot/card_source.h"
#include "scboot/uicc.h"
#include "scboot/util.h"

const uint8_t scb_card_source_lwm2m_oid[4] = {0x67, 0x2B, 0x09, 0x01};
static const uint8_t p15_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x63, 0x50,
                                  0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
/* The walk's bounds: how much of a card's PKCS#15 structure a read looks at. */
#define P15_MAX_DODF 8     /* DODFs of the ODF */
#define P15_MAX_OBJECTS 32 /* data objects of the DODFs */
#define P15_MAX_AODF 4     /* AODFs of the ODF */
#define P15_MAX_PINS 8     /* PIN objects of an AODF */
#define ODF_FID 0x5031
#define EF_DIR_SFI 0x1E
#define ODF_MAX 1024
#define DODF_MAX 8192

struct scb_card_source_result {
    char iccid[24];             /* "" when the card has no EF ICCID */
    struct scb_dir_app app;     /* the PKCS#15 application (from EF DIR or the default) */
    int app_in_dir;             /* found in EF DIR (else selected by the default AID) */
    unsigned channel;           /* logical channel used (0 = basic) */
    size_t n_dodf;
    struct scb_p15_path dodf[P15_MAX_DODF]; /* DODF paths from the ODF, in order */
    size_t n_objects;
    struct scb_p15_dobj objects[P15_MAX_OBJECTS]; /* data objects of the DODFs read */
    int object_index;           /* the LwM2M bootstrap object (-1: --file-id or none) */
    struct scb_p15_path file_path; /* where the bootstrap file was read */
    uint8_t *file;              /* the bytes read: up to 4 + size of the G.3.4 header */
    size_t file_len;
    size_t n_aodf;
    struct scb_p15_path aodf[P15_MAX_AODF]; /* AODF paths from the ODF, in order */
    int pin_verified;
    enum scb_pin_source pin_source;
    uint8_t pin_ref;            /* the VERIFY reference used (P2) */
    int secured;                /* the walk ran through the secure channel hook's filter */
    unsigned apdus;
    /* kept on error too (everything else is cleared): */
    enum scb_card_step phase;   /* the step the walk is in */
    int pin_tries_left;         /* from 63Cx (0: blocked, 6983); -1 unknown */
    uint16_t sw;                /* the status word the card sent when the read failed; 0 */
    char error[SCB_ERR_MAX];    /* one line: which step failed and the SW the card sent */
    struct scb_card_reason reason;
};

const char *scb_card_step_name(enum scb_card_step s)
{
    static const char *const names[] = {"none", "connect", "select", "p15",
                                  "scp03", "pin", "read", "decode"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

int scb_card_source_is_lwm2m_oid(const uint8_t *oid, size_t len)
{
    if (oid == NULL) {
        return 0;
    }
    return len == sizeof(scb_card_source_lwm2m_oid) &&
           memcmp(oid, scb_card_source_lwm2m_oid, len) == 0;
}

void scb_card_source_opts_init(struct scb_card_source_opts *o)
{
    if (o == NULL) {
        return;
    }
    memset(o, 0, sizeof(*o));
    o->file_id = 0;
    o->basic_channel = 0;
}

/* Drop the file bytes (zeroized) and clear everything. */
static void result_clear(struct scb_card_source_result *r)
{
    if (r->file) {
        scb_util_zeroize(r->file, r->file_len);
        free(r->file);
    }
    memset(r, 0, sizeof(*r));
    r->object_index = -1;
    r->pin_tries_left = -1;
}

void scb_card_source_result_free(struct scb_card_source_result **r)
{
    if (r == NULL || *r == NULL) {
        return;
    }
    result_clear(*r);
    free(*r);
    *r = NULL;
}

const struct scb_card_reason *scb_card_source_result_reason(const struct scb_card_source_result *r)
{
    static const struct scb_card_reason none = {.pin_tries_left = -1, .detail = ""};
    return r ? &r->reason : &none;
}

const char *scb_card_source_result_iccid(const struct scb_card_source_result *r)
{
    return r ? r->iccid : "";
}

const struct scb_dir_app *scb_card_source_result_app(const struct scb_card_source_result *r)
{
    return r ? &r->app : NULL;
}

int scb_card_source_result_app_in_dir(const struct scb_card_source_result *r)
{
    return r ? r->app_in_dir : 0;
}

unsigned scb_card_source_result_channel(const struct scb_card_source_result *r)
{
    return r ? r->channel : 0;
}

size_t scb_card_source_result_dodf_count(const struct scb_card_source_result *r)
{
    return r ? r->n_dodf : 0;
}

const struct scb_p15_path *scb_card_source_result_dodf(const struct scb_card_source_result *r,
                                                       size_t i)
{
    return r && i < r->n_dodf ? &r->dodf[i] : NULL;
}

size_t scb_card_source_result_aodf_count(const struct scb_card_source_result *r)
{
    return r ? r->n_aodf : 0;
}

const struct scb_p15_path *scb_card_source_result_aodf(const struct scb_card_source_result *r,
                                                       size_t i)
{
    return r && i < r->n_aodf ? &r->aodf[i] : NULL;
}

size_t scb_card_source_result_object_count(const struct scb_card_source_result *r)
{
    return r ? r->n_objects : 0;
}

const struct scb_p15_dobj *scb_card_source_result_object(const struct scb_card_source_result *r,
                                                         size_t i)
{
    return r && i < r->n_objects ? &r->objects[i] : NULL;
}

int scb_card_source_result_object_index(const struct scb_card_source_result *r)
{
    return r ? r->object_index : -1;
}

const struct scb_p15_path *scb_card_source_result_file_path(const struct scb_card_source_result *r)
{
    return r ? &r->file_path : NULL;
}

const uint8_t *scb_card_source_result_file(const struct scb_card_source_result *r)
{
    return r ? r->file : NULL;
}

size_t scb_card_source_result_file_len(const struct scb_card_source_result *r)
{
    return r ? r->file_len : 0;
}

int scb_card_source_result_pin_verified(const struct scb_card_source_result *r)
{
    return r ? r->pin_verified : 0;
}

enum scb_pin_source scb_card_source_result_pin_source(const struct scb_card_source_result *r)
{
    return r ? r->pin_source : SCB_PIN_SRC_NONE;
}

uint8_t scb_card_source_result_pin_ref(const struct scb_card_source_result *r)
{
    return r ? r->pin_ref : 0;
}

int scb_card_source_result_secured(const struct scb_card_source_result *r)
{
    return r ? r->secured : 0;
}

unsigned scb_card_source_result_apdus(const struct scb_card_source_result *r)
{
    return r ? r->apdus : 0;
}

/* The failed step in one line, naming the status word the card really sent (kept in r). */
__attribute__((format(printf, 4, 5))) static int fail_step(struct scb_card *c,
                                                          struct scb_card_source_result *r, int ret,
                                                          const char *fmt, ...)
{
    char step[96];
    va_list ap;
    uint16_t sw = scb_card_last_sw(c);

    if (r->error[0] || ret >= 0) {
        return ret; /* the innermost step already said it */
    }
    r->reason.step = r->phase;
    va_start(ap, fmt);
    vsnprintf(step, sizeof(step), fmt, ap);
    va_end(ap);
    if (ret == SCB_E_PIN_WRONG && r->pin_tries_left > 0) {
        snprintf(r->error, sizeof(r->error), "%s: wrong PIN, %d %s left (card answered %04X)",
                 step, r->pin_tries_left, r->pin_tries_left == 1 ? "try" : "tries", sw);
    } else if (ret == SCB_E_PIN_BLOCKED) {
        snprintf(r->error, sizeof(r->error),
                 "%s: PIN blocked, no tries left (card answered %04X: %s)", step, sw,
                 scb_error_sw_message(sw));
    } else if (sw != 0 && sw != 0x9000 && (sw & 0xFF00) != 0x9100 && (sw & 0xFF00) != 0x6200) {
        snprintf(r->error, sizeof(r->error), "%s: card answered %04X (%s)", step, sw,
                 scb_error_sw_message(sw));
    } else {
        snprintf(r->error, sizeof(r->error), "%s: %s", step, scb_error_string(ret));
        sw = 0;
    }
    r->sw = sw;
    return ret;
}

/* EF DIR records, one by one, until the PKCS#15 template (le 0: learn the record length). */
static int dir_records(struct scb_card *c, struct scb_card_source_result *r, uint8_t sfi, size_t le,
                       unsigned count)
{
    uint8_t rec[256];
    size_t len;
    int ret;

    for (unsigned n = 1; n <= count; n++) {
        ret = scb_uicc_read_record(c, 0, sfi, (uint8_t)n, le, rec, sizeof(rec), &len);
        if (ret == SCB_E_RECORD_NOT_FOUND || ret == SCB_E_WRONG_P1P2 ||
            (ret == SCB_E_FILE_NOT_FOUND && n > 1)) {
            return SCB_E_NOT_FOUND;
        }
        if (ret < 0) {
            return ret;
        }
        le = len; /* linear fixed: every record has this length (saves 6Cxx round trips) */
        struct scb_dir_app app;
        if (scb_p15_parse_dir_record(rec, len, &app) != SCB_OK) {
            continue; /* unused (FF) or unreadable record */
        }
        if (app.aid_len >= sizeof(p15_aid) && memcmp(app.aid, p15_aid, sizeof(p15_aid)) == 0) {
            r->app = app;
            r->app_in_dir = 1;
            return SCB_OK;
        }
    }
    return SCB_E_NOT_FOUND;
}

/* EF DIR by SFI 1E from the MF; on a card that refuses SFI, SELECT 2F00 (FCP: record length
 * and count) and READ RECORD. The PKCS#15 template wherever it stands. */
static int find_in_dir(struct scb_card *c, struct scb_card_source_result *r)
{
    static const uint8_t dir[] = {0x2F, 0x00};
    struct scb_fcp fcp;
    int ret = dir_records(c, r, EF_DIR_SFI, 0, 254);

    if (ret == SCB_OK || ret == SCB_E_NOT_FOUND || !scb_uicc_sw_sfi_refused(scb_card_last_sw(c))) {
        return ret;
    }
    ret = scb_uicc_select(c, 0, SCB_SELECT_PATH_MF, dir, sizeof(dir), &fcp);
    if (ret == SCB_E_FILE_NOT_FOUND) {
        return SCB_E_NOT_FOUND;
    }
    if (ret < 0) {
        return ret;
    }
    if (fcp.structure != SCB_EF_LINEAR_FIXED || fcp.record_count == 0) {
        return SCB_E_NOT_FOUND;
    }
    return dir_records(c, r, 0, fcp.record_len <= 256 ? fcp.record_len : 0, fcp.record_count);
}

/* SELECT a PKCS#15 Path relative to the application (TS 102 221 8.4.2 / ISO 7816-15 Path). */
static int select_path(struct scb_card *c, unsigned ch, const struct scb_p15_path *p,
                       struct scb_fcp *fcp)
{
    if (p->len == 2) {
        return scb_uicc_select(c, ch, SCB_SELECT_FID, p->path, 2, fcp);
    }
    if (p->len >= 4 && p->path[0] == 0x3F && p->path[1] == 0x00) {
        return scb_uicc_select(c, ch, SCB_SELECT_PATH_MF, p->path + 2, p->len - 2, fcp);
    }
    if (p->len >= 4 && p->path[0] == 0x7F && p->path[1] == 0xFF) {
        return scb_uicc_select(c, ch, SCB_SELECT_PATH_MF, p->path, p->len, fcp);
    }
    return scb_uicc_select(c, ch, SCB_SELECT_PATH_DF, p->path, p->len, fcp);
}

/* Read a small PKCS#15 file whole. SELECT with the FCP: its file size (80) lets the READ
 * BINARY ask exactly what is there (no 6Cxx re-send, no read past the end); this costs no
 * APDU more than P2=0C plus a read of unknown length, on T=0 as on T=1. */
static int read_small(struct scb_card *c, unsigned ch, const struct scb_p15_path *p,
                      uint8_t *buf, size_t cap, size_t *len)
{
    struct scb_fcp fcp;
    size_t off = p->has_index ? p->index : 0;
    int ret = select_path(c, ch, p, &fcp), known = 0;
    size_t want = cap;

    *len = 0;
    if (ret == SCB_E_FCP_MALFORMED) {
        memset(&fcp, 0, sizeof(fcp)); /* selected, but no usable FCP: read to the end */
    } else if (ret < 0) {
        return ret;
    }
    if (fcp.has_size) {
        if (fcp.size <= off) {
            return SCB_OK; /* empty */
        }
        want = fcp.size - off < cap ? fcp.size - off : cap;
        known = 1;
    }
    if (p->length) {
        /* the Path's length and the FCP's size: the smaller one (a length past the end of
         * the file would cost a READ BINARY past a short answer) */
        want = p->length < want ? p->length : want;
        known = 1;
    }
    return known ? scb_uicc_read_binary_known(c, ch, off, buf, want, len)
                 : scb_uicc_read_binary(c, ch, 0, off, buf, want, len);
}

static int open_app(struct scb_card *c, const struct scb_card_source_opts *o,
                    struct scb_card_source_result *r)
{
    int ret = SCB_E_UNSUPPORTED;
    const uint8_t *aid = r->app.aid;
    size_t aid_len = r->app.aid_len;

    r->channel = 0;
    if (!o->basic_channel) {
        /* a transport that opens and selects in one step (a modem's +CCHO); every PC/SC
         * reader answers SCB_E_UNSUPPORTED and the APDUs below do it */
        ret = scb_transport_open_channel(scb_card_transport(c), aid, aid_len, &r->channel);
        if (ret == SCB_OK) {
            return SCB_OK;
        }
        if (ret != SCB_E_UNSUPPORTED && ret != SCB_E_NO_CHANNEL) {
            return fail_step(c, r, ret, "open channel with the PKCS#15 application");
        }
        r->channel = 0;
    }
    if (!o->basic_channel && ret == SCB_E_UNSUPPORTED) {
        ret = scb_uicc_open_channel(c, &r->channel);
        if (ret == SCB_E_NO_CHANNEL || ret == SCB_E_FUNC_NOT_SUPPORTED ||
            ret == SCB_E_INS_NOT_SUPPORTED || ret == SCB_E_CLA_NOT_SUPPORTED) {
            r->channel = 0; /* no logical channels (6881): fall back to the basic channel */
        } else if (ret < 0) {
            return fail_step(c, r, ret, "MANAGE CHANNEL");
        }
    }
    ret = scb_uicc_select(c, r->channel, SCB_SELECT_AID, aid, aid_len, NULL);
    if (ret == SCB_E_FILE_NOT_FOUND) {
        return SCB_E_P15_NO_APP;
    }
    return fail_step(c, r, ret, "SELECT of the PKCS#15 application");
}

/* ODF -> DODFs in order -> the object with OID 2.23.43.9.1; the AODF paths on the way. */
static int find_object(struct scb_card *c, struct scb_card_source_result *r)
{
    struct scb_p15_path odf = {.path = {ODF_FID >> 8, ODF_FID & 0xFF}, .len = 2};
    uint8_t *buf = malloc(DODF_MAX);
    size_t len, n;
    int ret;

    if (buf == NULL) {
        return SCB_E_NOMEM;
    }
    r->phase = SCB_CARD_STEP_P15;
    if ((ret = read_small(c, r->channel, &odf, buf, ODF_MAX, &len)) < 0) {
        ret = fail_step(c, r, ret, "EF ODF (5031)");
        goto out;
    }
    if ((ret = scb_p15_parse_odf(buf, len, 0xA7, r->dodf, P15_MAX_DODF, &r->n_dodf)) < 0 ||
        (ret = scb_p15_parse_odf(buf, len, 0xA8, r->aodf, P15_MAX_AODF, &r->n_aodf)) < 0) {
        ret = ret == SCB_E_TOO_LARGE ? SCB_E_P15_MALFORMED : ret;
        ret = fail_step(c, r, ret, "EF ODF (5031)");
        goto out;
    }
    ret = SCB_E_P15_NO_OBJECT;
    for (size_t d = 0; d < r->n_dodf; d++) {
        int rr = read_small(c, r->channel, &r->dodf[d], buf, DODF_MAX, &len);
        if (rr < 0) {
            ret = fail_step(c, r, rr, "EF DODF %zu", d + 1);
            goto out;
        }
        size_t room = P15_MAX_OBJECTS - r->n_objects;
        rr = scb_p15_parse_dodf(buf, len, r->objects + r->n_objects, room, &n);
        if (rr < 0) {
            ret = fail_step(c, r, rr == SCB_E_TOO_LARGE ? SCB_E_P15_MALFORMED : rr,
                            "EF DODF %zu", d + 1);
            goto out;
        }
        for (size_t k = 0; k < n; k++) {
            struct scb_p15_dobj *ob = &r->objects[r->n_objects + k];
            if (r->object_index < 0 && scb_card_source_is_lwm2m_oid(ob->oid, ob->oid_len) &&
                ob->has_path) {
                r->object_index = (int)(r->n_objects + k);
            }
        }
        r->n_objects += n;
        if (r->object_index >= 0) {
            r->file_path = r->objects[r->object_index].path;
            ret = SCB_OK;
            break;
        }
    }
out:
    free(buf);
    return ret;
}

/* The PKCS#15 way: the object's authId -> the AODF's PIN object. SCB_E_NOT_FOUND when the
 * card has no AODF or no PIN object with that authId. */
static int pin_from_aodf(struct scb_card *c, struct scb_card_source_result *r,
                         const struct scb_p15_dobj *ob, struct scb_p15_pin *out)
{
    struct scb_p15_pin pins[P15_MAX_PINS];
    uint8_t *buf;
    size_t len, n;
    int ret = SCB_E_NOT_FOUND;

    if (r->n_aodf == 0) {
        return SCB_E_NOT_FOUND;
    }
    if ((buf = malloc(DODF_MAX)) == NULL) {
        return SCB_E_NOMEM;
    }
    for (size_t d = 0; d < r->n_aodf && ret == SCB_E_NOT_FOUND; d++) {
        int rr = read_small(c, r->channel, &r->aodf[d], buf, DODF_MAX, &len);
        if (rr < 0) {
            ret = fail_step(c, r, rr, "EF AODF %zu", d + 1);
            break;
        }
        rr = scb_p15_parse_aodf(buf, len, pins, P15_MAX_PINS, &n);
        if (rr < 0) {
            ret = fail_step(c, r, rr == SCB_E_TOO_LARGE ? SCB_E_P15_MALFORMED : rr,
                            "EF AODF %zu", d + 1);
            break;
        }
        const struct scb_p15_pin *p = NULL;
        if (ob && ob->auth_id_len) {
            p = scb_p15_find_pin(pins, n, ob->auth_id, ob->auth_id_len);
        } else {
            /* no authId: the one user PIN, if there is exactly one */
            size_t users = 0;
            for (size_t k = 0; k < n; k++) {
                if (!(pins[k].flags & (SCB_P15_PINF_SO | SCB_P15_PINF_UNBLOCKING))) {
                    users++;
                    p = &pins[k];
                }
            }
            p = users == 1 ? p : NULL;
        }
        if (p) {
            *out = *p;
            ret = SCB_OK;
        }
    }
    free(buf);
    return ret;
}

static uint8_t fcp_pin_ref(const struct scb_fcp *fcp)
{
    for (size_t k = 0; k < fcp->pin_count; k++) {
        if (fcp->pin_enabled[k]) {
            return fcp->pin_ref[k];
        }
    }
    return fcp->pin_ref[0];
}

static int verify_step(struct scb_card *c, struct scb_card_source_result *r, const uint8_t *block,
                       size_t blen)
{
    int ret = scb_uicc_verify(c, r->channel, r->pin_ref, block, blen, &r->pin_tries_left);
    if (ret < 0) {
        return fail_step(c, r, ret, "VERIFY PIN (reference %02X, from %s)", r->pin_ref,
                         r->pin_source == SCB_PIN_SRC_AODF      ? "the AODF"
                         : r->pin_source == SCB_PIN_SRC_EF_FCP ? "the EF's FCP"
                                                                : "the application's FCP");
    }
    r->pin_verified = 1;
    return SCB_OK;
}

/* VERIFY the PIN as the AODF's PIN object describes it (encoding, lengths, reference). The
 * PIN block is wiped at the one exit, also when the PIN does not fit and part of it was
 * written. */
static int verify_aodf(struct scb_card *c, const struct scb_card_source_opts *o,
                       struct scb_card_source_result *r, const struct scb_p15_pin *pin)
{
    uint8_t block[64];
    size_t blen = 0;
    int ret;

    if (pin->reference > 0xFF) {
        return fail_step(c, r, SCB_E_P15_MALFORMED, "AODF PIN object");
    }
    ret = scb_p15_pin_block(pin, o->pin, block, sizeof(block), &blen);
    if (ret == SCB_E_UNSUPPORTED) {
        snprintf(r->error, sizeof(r->error),
                 "the card's PIN object '%s' has pinType %d (half-nibble BCD), which scboot "
                 "cannot encode; nothing sent",
                 pin->label, pin->type);
    } else if (ret < 0) {
        char want[48];
        if (pin->has_max) {
            snprintf(want, sizeof(want), "%zu-%zu", pin->min_len, pin->max_len);
        } else {
            snprintf(want, sizeof(want), "at least %zu", pin->min_len);
        }
        snprintf(r->error, sizeof(r->error),
                 "PIN does not fit the card's PIN object '%s' (%s %s characters); nothing "
                 "sent",
                 pin->label, want, pin->type == SCB_P15_PIN_UTF8 ? "UTF-8" : "decimal");
        ret = SCB_E_INVALID_ARG;
    } else {
        r->pin_source = SCB_PIN_SRC_AODF;
        r->pin_ref = (uint8_t)pin->reference;
        ret = verify_step(c, r, block, blen);
    }
    scb_util_zeroize(block, sizeof(block));
    return ret;
}

/*
 * Find the PIN and VERIFY it, in an order that needs no re-selection: the AODF (PKCS#15)
 * first, VERIFY, and the EF is selected afterwards; else the EF's FCP (C6), which leaves the
 * EF current; else the application's FCP, after which the EF must be selected again (a DF
 * selection leaves no current EF). *ef_current says whether the EF is current on return.
 */
static int unlock(struct scb_card *c, const struct scb_card_source_opts *o,
                  struct scb_card_source_result *r, const struct scb_p15_dobj *ob,
                  int *ef_current)
{
    struct scb_p15_pin pin;
    struct scb_fcp fcp;
    uint8_t block[8];
    int ret;

    *ef_current = 0;
    r->phase = SCB_CARD_STEP_P15; /* the AODF is read first */
    ret = pin_from_aodf(c, r, ob, &pin);
    r->phase = SCB_CARD_STEP_PIN;
    if (ret == SCB_OK) {
        return verify_aodf(c, o, r, &pin);
    }
    if (ret != SCB_E_NOT_FOUND) {
        return ret;
    }
    /* the FCP PIN templates: the EF's first (it stays current), then the application's */
    ret = select_path(c, r->channel, &r->file_path, &fcp);
    if (ret < 0) {
        return fail_step(c, r, ret, "SELECT of EF LwM2M_Bootstrap");
    }
    if (fcp.pin_count) {
        *ef_current = 1;
        r->pin_source = SCB_PIN_SRC_EF_FCP;
    } else {
        ret = scb_uicc_select(c, r->channel, SCB_SELECT_AID, r->app.aid, r->app.aid_len, &fcp);
        if (ret < 0) {
            return fail_step(c, r, ret, "SELECT of the PKCS#15 application (FCP)");
        }
        if (fcp.pin_count == 0) {
            snprintf(r->error, sizeof(r->error),
                     "private object but no PIN reference: no AODF PIN object with its authId "
                     "and no PIN template (C6) in the EF's or the application's FCP");
            return SCB_E_FCP_MALFORMED;
        }
        r->pin_source = SCB_PIN_SRC_ADF_FCP;
    }
    r->pin_ref = fcp_pin_ref(&fcp);
    size_t n = strlen(o->pin);
    if (n < 4 || n > 8) {
        snprintf(r->error, sizeof(r->error),
                 "PIN must be 4-8 characters (TS 102 221 PIN, FF padded); nothing sent");
        return SCB_E_INVALID_ARG;
    }
    memset(block, 0xFF, 8);
    memcpy(block, o->pin, n);
    ret = verify_step(c, r, block, 8);
    scb_util_zeroize(block, sizeof(block));
    return ret;
}

_Static_assert(SCB_MAX_FILE_SIZE <= SCB_UICC_MAX_READ, "the card reads a whole bootstrap file");

/* The EF: first chunk, then exactly the rest its G.3.4 header announces. */
static int read_file(struct scb_card *c, struct scb_card_source_result *r, int selected)
{
    uint8_t *buf = malloc(SCB_MAX_FILE_SIZE);
    size_t got = 0, more = 0;
    int ret, saved = scb_card_redact(c);

    if (buf == NULL) {
        return SCB_E_NOMEM;
    }
    r->phase = SCB_CARD_STEP_READ;
    if (!selected && (ret = select_path(c, r->channel, &r->file_path, NULL)) < 0) {
        ret = fail_step(c, r, ret, "SELECT of EF LwM2M_Bootstrap");
        goto out;
    }
    scb_card_set_redact(c, saved | SCB_REDACT_RSP); /* the trace shows the file as length + hash */
    /* up to 256 bytes: any short answer ends this first read (a small file, or secure
     * messaging overhead: the header says which) */
    ret = scb_uicc_read_binary(c, r->channel, 0, 0, buf, 256, &got);
    if (ret == SCB_E_WRONG_P1P2) {
        got = 0; /* offset 0 beyond the end: an empty file */
        ret = SCB_OK;
    }
    while (ret == SCB_OK && got > 0 && got < 4 && scb_card_last_sw(c) == 0x9000 && !scb_card_last_resent(c)) {
        /* a card answering fewer bytes than the 4-byte G.3.4 header: complete it first */
        size_t more1 = 0;
        ret = scb_uicc_read_binary(c, r->channel, 0, got, buf + got, 256 - got, &more1);
        if (ret == SCB_E_WRONG_P1P2 || more1 == 0) {
            ret = SCB_OK;
            break;
        }
        got += more1;
    }
    if (ret < 0) {
        goto out;
    }
    size_t total = scb_bsfile_total_len(buf, got);
    if (total > got && total <= SCB_MAX_FILE_SIZE) {
        ret = scb_uicc_read_binary_known(c, r->channel, got, buf + got, total - got, &more);
        if (ret < 0) {
            goto out;
        }
        got += more;
    }
    if (total && got > total) {
        got = total; /* drop the card's padding */
    }
    r->file = buf;
    r->file_len = got;
    buf = NULL;
out:
    scb_card_set_redact(c, saved);
    if (buf) {
        scb_util_zeroize(buf, SCB_MAX_FILE_SIZE);
        free(buf);
    }
    return ret;
}

static int secure_step(struct scb_card *c, const struct scb_card_source_opts *o,
                       struct scb_card_source_result *r)
{
    struct scb_transport *before = scb_card_transport(c);
    uint8_t hdr[4];
    int ret;

    scb_card_clear_last(c);
    r->phase = SCB_CARD_STEP_SCP03;
    if ((ret = o->secure_open(o->secure_ctx, c, r->channel)) < 0) {
        scb_card_last_hdr(c, hdr);
        if (hdr[1] == 0x50) {
            return fail_step(c, r, ret, "secure channel: INITIALIZE UPDATE with key version %02X%s",
                             hdr[2], hdr[2] ? "" : " (first available)");
        }
        if (hdr[1] == 0x82) {
            return fail_step(c, r, ret, "secure channel: EXTERNAL AUTHENTICATE");
        }
        return fail_step(c, r, ret, "secure channel");
    }
    r->secured = scb_card_transport(c) != before;
    return SCB_OK;
}

static int walk(struct scb_card *c, const struct scb_card_source_opts *o,
                struct scb_card_source_result *r)
{
    int ret, opened = 0, secured = 0, basic = 0, ef_current = 0;

    ret = scb_uicc_read_iccid(c, r->iccid, sizeof(r->iccid));
    if (ret == SCB_E_FILE_NOT_FOUND || ret == SCB_E_PARSE || ret == SCB_E_FUNC_NOT_SUPPORTED ||
        ret == SCB_E_CONDITIONS) {
        static const uint8_t mf[] = {0x3F, 0x00};
        r->iccid[0] = '\0'; /* not a UICC ICCID; go on from the MF */
        if ((ret = scb_uicc_select(c, 0, SCB_SELECT_FID, mf, 2, NULL)) < 0) {
            return fail_step(c, r, ret, "SELECT of the MF");
        }
    } else if (ret < 0) {
        return fail_step(c, r, ret, "EF ICCID");
    }
    if (o->aid) {
        if (o->aid_len > sizeof(r->app.aid)) {
            return SCB_E_INVALID_ARG;
        }
        memcpy(r->app.aid, o->aid, o->aid_len);
        r->app.aid_len = o->aid_len;
    } else if (o->known_path == NULL && (ret = find_in_dir(c, r)) < 0) {
        if (ret != SCB_E_NOT_FOUND) {
            return fail_step(c, r, ret, "EF DIR");
        }
    }
    if (r->app.aid_len == 0) {
        memcpy(r->app.aid, p15_aid, sizeof(p15_aid)); /* no template: try the standard AID */
        r->app.aid_len = sizeof(p15_aid);
    }
    ret = open_app(c, o, r);
    opened = r->channel != 0;
    basic = r->channel == 0 && ret != SCB_E_P15_NO_APP;
    if (ret < 0) {
        goto out;
    }
    if (o->secure_open) {
        if ((ret = secure_step(c, o, r)) < 0) {
            goto out;
        }
        secured = 1;
    }
    if (o->known_path) {
        r->file_path = *o->known_path;
    } else if (o->file_id > 0) {
        r->file_path.path[0] = (uint8_t)(o->file_id >> 8);
        r->file_path.path[1] = (uint8_t)o->file_id;
        r->file_path.len = 2;
    } else if ((ret = find_object(c, r)) < 0) {
        goto out;
    }
    const struct scb_p15_dobj *ob = r->object_index >= 0 ? &r->objects[r->object_index] : NULL;
    int needs_pin = ob && ob->private_flag;
    if (needs_pin && o->pin == NULL) {
        r->phase = SCB_CARD_STEP_PIN;
        snprintf(r->error, sizeof(r->error), "PIN required: the LwM2M bootstrap object is "
                                             "private");
        ret = SCB_E_PIN_REQUIRED;
        goto out;
    }
    if (needs_pin && (ret = unlock(c, o, r, ob, &ef_current)) < 0) {
        goto out;
    }
    ret = read_file(c, r, ef_current);
    if (ret == SCB_E_SECURITY_STATUS && !r->pin_verified && o->pin) {
        /* not flagged private, yet read-protected: find the PIN the same way, read again */
        r->error[0] = '\0';
        if ((ret = unlock(c, o, r, ob, &ef_current)) == SCB_OK) {
            ret = read_file(c, r, ef_current);
        }
    }
    if (ret == SCB_E_SECURITY_STATUS && o->pin == NULL && needs_pin) {
        r->error[0] = '\0';
        snprintf(r->error, sizeof(r->error),
                 "PIN required: READ BINARY of EF LwM2M_Bootstrap answered %04X (%s)",
                 scb_card_last_sw(c), scb_error_sw_message(scb_card_last_sw(c)));
        r->sw = scb_card_last_sw(c);
        ret = SCB_E_PIN_REQUIRED;
    }
    ret = fail_step(c, r, ret, "READ BINARY of EF LwM2M_Bootstrap");
out:
    if (ret == SCB_OK) {
        r->phase = SCB_CARD_STEP_SELECT; /* closing the channel */
    }
    if (secured && o->secure_close) {
        o->secure_close(o->secure_ctx, c);
    }
    if (opened) {
        int cr = scb_uicc_close_channel(c, r->channel);
        if (ret == SCB_OK && cr < 0) {
            ret = fail_step(c, r, cr, "MANAGE CHANNEL (close)");
        }
    } else if (basic && ret != SCB_E_CARD_REMOVED && ret != SCB_E_NO_CARD &&
               ret != SCB_E_CARD_RESET) {
        /* the application was selected on the basic channel: back to the MF, where EF ICCID
         * and EF DIR are found by SFI next time */
        static const uint8_t mf[] = {0x3F, 0x00};
        int cr = scb_uicc_select(c, 0, SCB_SELECT_FID, mf, 2, NULL);
        if (ret == SCB_OK && cr < 0) {
            ret = fail_step(c, r, cr, "SELECT of the MF");
        }
    }
    return ret;
}

/* The typed reason of a failed read: the step (a reader or transport error is the
 * connection's whatever the walk was doing; a PIN error is the PIN's), the SW, the tries. */
static void set_reason(struct scb_card_source_result *r, int ret)
{
    r->reason.err = ret;
    r->reason.sw = r->sw;
    r->reason.pin_tries_left = r->pin_tries_left;
    r->reason.detail = r->error;
    if (ret == SCB_OK) {
        r->reason.step = SCB_CARD_STEP_NONE;
    } else if (ret <= -200 && ret > -300) {
        r->reason.step = SCB_CARD_STEP_CONNECT;
    } else if (ret == SCB_E_PIN_WRONG || ret == SCB_E_PIN_BLOCKED || ret == SCB_E_PIN_REQUIRED) {
        r->reason.step = SCB_CARD_STEP_PIN;
    } else if (r->reason.step == SCB_CARD_STEP_NONE) {
        r->reason.step = r->phase;
    }
}

/* One read into r (cleared first): the walk inside a transaction, retried once after a reset
 * by someone else. */
static int read_into(struct scb_card *c, const struct scb_card_source_opts *o,
                     struct scb_card_source_result *r)
{
    unsigned start = scb_card_apdus(c);
    int ret = SCB_OK;

    for (int attempt = 0; attempt < 2; attempt++) {
        result_clear(r);
        r->phase = SCB_CARD_STEP_CONNECT;
        if ((ret = scb_transport_begin(scb_card_transport(c))) < 0) {
            if (ret == SCB_E_CARD_RESET && attempt == 0) {
                continue;
            }
            break;
        }
        r->phase = SCB_CARD_STEP_SELECT;
        ret = walk(c, o, r);
        scb_transport_end(scb_card_transport(c));
        if (ret != SCB_E_CARD_RESET) {
            break;
        }
    }
    r->apdus = scb_card_apdus(c) - start;
    if (ret < 0) {
        /* keep only what says why: the file bytes and the walk's findings go */
        struct scb_card_source_result keep = *r;
        r->file = NULL; /* kept in keep, freed below */
        result_clear(r);
        memcpy(r->iccid, keep.iccid, sizeof(r->iccid));
        memcpy(r->error, keep.error, sizeof(r->error));
        if (r->error[0] == '\0') {
            snprintf(r->error, sizeof(r->error), "%s", scb_error_string(ret));
        }
        r->sw = keep.sw;
        r->pin_tries_left = keep.pin_tries_left;
        r->phase = keep.phase;
        r->reason.step = keep.reason.step;
        r->apdus = keep.apdus;
        result_clear(&keep);
    }
    set_reason(r, ret);
    return ret;
}

int scb_card_source_read(struct scb_card *c, const struct scb_card_source_opts *o,
                         struct scb_card_source_result **out, char *err, size_t errlen)
{
    struct scb_card_source_opts none;
    struct scb_card_source_result *r;
    int ret;

    if (err && errlen) {
        err[0] = '\0';
    }
    if (out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    scb_card_source_result_free(out);
    if (o == NULL) {
        scb_card_source_opts_init(&none);
        o = &none;
    }
    if ((r = calloc(1, sizeof(*r))) == NULL) {
        return SCB_E_NOMEM;
    }
    ret = read_into(c, o, r);
    if (ret < 0 && err && errlen) {
        snprintf(err, errlen, "%s", r->error);
    }
    *out = r;
    return ret;
}

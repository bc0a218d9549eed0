/* SPDX-License-Identifier: Apache-2.0 */
/*
 * card_source.c: the only place where card access meets LwM2M: the App. G walk from EF DIR to
 * EF LwM2M_Bootstrap. APDU count is a feature: SFI reads where the file has a standard SFI,
 * SELECT with P2=0C (no FCP, no GET RESPONSE) unless the FCP is needed for a PIN reference,
 * the file read in as few READ BINARY commands as the card allows, sized by its G.3.4 header.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "scboot/cardsrc.h"
#include "scboot/codec.h"

const uint8_t scb_lwm2m_oid[4] = {0x67, 0x2B, 0x09, 0x01};
static const uint8_t p15_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x63, 0x50,
                                  0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};
#define ODF_FID 0x5031
#define EF_DIR_SFI 0x1E
#define ODF_MAX 1024
#define DODF_MAX 8192

int scb_is_lwm2m_oid(const uint8_t *oid, size_t len)
{
    return len == sizeof(scb_lwm2m_oid) && memcmp(oid, scb_lwm2m_oid, len) == 0;
}

void scb_read_result_free(struct scb_read_result *r)
{
    if (r == NULL) {
        return;
    }
    if (r->file) {
        mbedtls_platform_zeroize(r->file, r->file_len);
        free(r->file);
    }
    memset(r, 0, sizeof(*r));
}

/* EF DIR by SFI from the MF: the PKCS#15 template wherever it stands. */
static int find_in_dir(struct scb_card *c, struct scb_read_result *r)
{
    uint8_t rec[256];
    size_t len, le = 0;
    int ret;

    for (unsigned n = 1; n <= 254; n++) {
        ret = scb_uicc_read_record(c, 0, EF_DIR_SFI, (uint8_t)n, le, rec, sizeof(rec), &len);
        if (ret == SCB_E_RECORD_NOT_FOUND || ret == SCB_E_FILE_NOT_FOUND ||
            ret == SCB_E_WRONG_P1P2) {
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

/* Read a small PKCS#15 file whole (until the card reports its end). */
static int read_small(struct scb_card *c, unsigned ch, const struct scb_p15_path *p,
                      uint8_t *buf, size_t cap, size_t *len)
{
    int ret = select_path(c, ch, p, NULL);
    if (ret < 0) {
        return ret;
    }
    size_t want = p->length && p->length < cap ? p->length : cap;
    return scb_uicc_read_binary(c, ch, 0, p->has_index ? p->index : 0, buf, want, len);
}

static int open_app(struct scb_card *c, const struct scb_read_opts *o, struct scb_read_result *r)
{
    int ret;
    const uint8_t *aid = r->app.aid;
    size_t aid_len = r->app.aid_len;

    r->channel = 0;
    if (!o->basic_channel) {
        ret = scb_uicc_open_channel(c, &r->channel);
        if (ret == SCB_E_NO_CHANNEL || ret == SCB_E_FUNC_NOT_SUPPORTED ||
            ret == SCB_E_INS_NOT_SUPPORTED || ret == SCB_E_CLA_NOT_SUPPORTED) {
            r->channel = 0; /* no logical channels (6881): fall back to the basic channel */
        } else if (ret < 0) {
            return ret;
        }
    }
    ret = scb_uicc_select(c, r->channel, SCB_SELECT_AID, aid, aid_len, NULL);
    return ret == SCB_E_FILE_NOT_FOUND ? SCB_E_P15_NO_APP : ret;
}

/* ODF -> DODFs in order -> the object with OID 2.23.43.9.1. */
static int find_object(struct scb_card *c, struct scb_read_result *r)
{
    struct scb_p15_path odf = {.path = {ODF_FID >> 8, ODF_FID & 0xFF}, .len = 2};
    uint8_t *buf = malloc(DODF_MAX);
    size_t len, n;
    int ret;

    if (buf == NULL) {
        return SCB_E_NOMEM;
    }
    if ((ret = read_small(c, r->channel, &odf, buf, ODF_MAX, &len)) < 0) {
        goto out;
    }
    if ((ret = scb_p15_parse_odf(buf, len, 0xA7, r->dodf, SCB_P15_MAX_DODF, &r->n_dodf)) < 0) {
        ret = ret == SCB_E_TOO_LARGE ? SCB_E_P15_MALFORMED : ret;
        goto out;
    }
    ret = SCB_E_P15_NO_OBJECT;
    for (size_t d = 0; d < r->n_dodf; d++) {
        int rr = read_small(c, r->channel, &r->dodf[d], buf, DODF_MAX, &len);
        if (rr < 0) {
            ret = rr;
            goto out;
        }
        size_t room = SCB_P15_MAX_OBJECTS - r->n_objects;
        rr = scb_p15_parse_dodf(buf, len, r->objects + r->n_objects, room, &n);
        if (rr < 0) {
            ret = rr == SCB_E_TOO_LARGE ? SCB_E_P15_MALFORMED : rr;
            goto out;
        }
        for (size_t k = 0; k < n; k++) {
            struct scb_p15_dobj *ob = &r->objects[r->n_objects + k];
            if (r->object_index < 0 && scb_is_lwm2m_oid(ob->oid, ob->oid_len) && ob->has_path) {
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

/* PIN reference from the EF's FCP (C6), else from the ADF's. */
static int verify_pin(struct scb_card *c, const struct scb_read_opts *o, struct scb_read_result *r)
{
    struct scb_fcp fcp;
    int ret;

    if ((ret = select_path(c, r->channel, &r->file_path, &fcp)) < 0) {
        return ret;
    }
    if (fcp.pin_count == 0) {
        if ((ret = scb_uicc_select(c, r->channel, SCB_SELECT_AID, r->app.aid, r->app.aid_len,
                                   &fcp)) < 0) {
            return ret;
        }
    }
    if (fcp.pin_count == 0) {
        return SCB_E_FCP_MALFORMED; /* a private object but no PIN reference anywhere */
    }
    uint8_t ref = fcp.pin_ref[0];
    for (size_t k = 0; k < fcp.pin_count; k++) {
        if (fcp.pin_enabled[k]) {
            ref = fcp.pin_ref[k];
            break;
        }
    }
    if ((ret = scb_uicc_verify_pin(c, r->channel, ref, o->pin, NULL)) < 0) {
        return ret;
    }
    r->pin_verified = 1;
    return SCB_OK;
}

/* The EF: first chunk, then exactly the rest its G.3.4 header announces. */
static int read_file(struct scb_card *c, struct scb_read_result *r, int selected)
{
    uint8_t *buf = malloc(SCB_MAX_FILE_SIZE);
    size_t got = 0, more = 0;
    int ret, saved = c->redact;

    if (buf == NULL) {
        return SCB_E_NOMEM;
    }
    if (!selected && (ret = select_path(c, r->channel, &r->file_path, NULL)) < 0) {
        goto out;
    }
    c->redact |= SCB_REDACT_RSP; /* the trace shows the file as length + hash */
    ret = scb_uicc_read_binary(c, r->channel, 0, 0, buf, 256, &got);
    if (ret == SCB_E_WRONG_P1P2) {
        got = 0; /* offset 0 beyond the end: an empty file */
        ret = SCB_OK;
    }
    if (ret < 0) {
        goto out;
    }
    size_t total = scb_bsfile_total_len(buf, got);
    if (total > got && total <= SCB_MAX_FILE_SIZE) {
        ret = scb_uicc_read_binary(c, r->channel, 0, got, buf + got, total - got, &more);
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
    c->redact = saved;
    free(buf);
    return ret;
}

static int walk(struct scb_card *c, const struct scb_read_opts *o, struct scb_read_result *r)
{
    int ret, opened = 0, secured = 0;

    ret = scb_uicc_read_iccid(c, r->iccid, sizeof(r->iccid));
    if (ret == SCB_E_FILE_NOT_FOUND || ret == SCB_E_PARSE) {
        static const uint8_t mf[] = {0x3F, 0x00};
        r->iccid[0] = '\0'; /* not a UICC ICCID; go on from the MF */
        if ((ret = scb_uicc_select(c, 0, SCB_SELECT_FID, mf, 2, NULL)) < 0) {
            return ret;
        }
    } else if (ret < 0) {
        return ret;
    }
    if (o->aid) {
        if (o->aid_len > sizeof(r->app.aid)) {
            return SCB_E_INVALID_ARG;
        }
        memcpy(r->app.aid, o->aid, o->aid_len);
        r->app.aid_len = o->aid_len;
    } else if (o->known_path == NULL && (ret = find_in_dir(c, r)) < 0) {
        if (ret != SCB_E_NOT_FOUND) {
            return ret;
        }
    }
    if (r->app.aid_len == 0) {
        memcpy(r->app.aid, p15_aid, sizeof(p15_aid)); /* no template: try the standard AID */
        r->app.aid_len = sizeof(p15_aid);
    }
    if ((ret = open_app(c, o, r)) < 0 && ret != SCB_E_P15_NO_APP) {
        goto out;
    }
    opened = r->channel != 0;
    if (ret < 0) {
        goto out;
    }
    if (o->secure_open) {
        struct scb_transport *before = c->tr;
        if ((ret = o->secure_open(o->secure_ctx, c, r->channel)) < 0) {
            goto out;
        }
        secured = 1;
        r->secured = c->tr != before;
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
    int needs_pin = r->object_index >= 0 && (r->objects[r->object_index].private_flag);
    if (needs_pin && o->pin == NULL) {
        ret = SCB_E_PIN_REQUIRED;
        goto out;
    }
    if ((needs_pin || (o->pin && o->file_id > 0)) && (ret = verify_pin(c, o, r)) < 0) {
        goto out;
    }
    ret = read_file(c, r, r->pin_verified);
    if (ret == SCB_E_SECURITY_STATUS && o->pin == NULL && needs_pin) {
        ret = SCB_E_PIN_REQUIRED;
    }
out:
    if (secured && o->secure_close) {
        o->secure_close(o->secure_ctx, c);
    }
    if (opened) {
        int cr = scb_uicc_close_channel(c, r->channel);
        if (ret == SCB_OK && cr < 0) {
            ret = cr;
        }
    }
    return ret;
}

int scb_card_read(struct scb_card *c, const struct scb_read_opts *o, struct scb_read_result *r)
{
    static const struct scb_read_opts none = {0};
    unsigned start = c->apdus;
    int ret;

    if (o == NULL) {
        o = &none;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        memset(r, 0, sizeof(*r));
        r->object_index = -1;
        if ((ret = scb_transport_begin(c->tr)) < 0) {
            if (ret == SCB_E_CARD_RESET && attempt == 0) {
                continue;
            }
            return ret;
        }
        ret = walk(c, o, r);
        scb_transport_end(c->tr);
        if (ret != SCB_E_CARD_RESET) {
            break;
        }
        scb_read_result_free(r); /* someone reset the card: start again, once */
        r->object_index = -1;
    }
    r->apdus = c->apdus - start;
    if (ret < 0) {
        scb_read_result_free(r);
    }
    return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uicc.c: the TS 102 221 commands the bootstrap walk needs: MANAGE CHANNEL, SELECT with
 * FCP parsing, READ BINARY (offset loop up to 32 KB), READ RECORD, VERIFY PIN and EF ICCID.
 * Nothing here writes to the card.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scboot/card.h"
#include "scboot/uicc.h"

/* ---- FCP (TS 102 221 11.1.1.3) ------------------------------------------------------- */

static int tlv_next(const uint8_t *buf, size_t len, size_t *pos, uint8_t *tag,
                    const uint8_t **val, size_t *vlen)
{
    size_t p = *pos, l;

    if (p + 2 > len) {
        return SCB_E_FCP_MALFORMED;
    }
    *tag = buf[p++];
    l = buf[p++];
    if (l == 0x81) {
        if (p >= len) {
            return SCB_E_FCP_MALFORMED;
        }
        l = buf[p++];
    } else if (l > 0x7F) {
        return SCB_E_FCP_MALFORMED; /* an FCP is never that long */
    }
    if (l > len - p) {
        return SCB_E_FCP_MALFORMED;
    }
    *val = buf + p;
    *vlen = l;
    *pos = p + l;
    return SCB_OK;
}

static size_t be_uint(const uint8_t *v, size_t n)
{
    size_t x = 0;
    for (size_t i = 0; i < n; i++) {
        x = (x << 8) | v[i];
    }
    return x;
}

static int parse_descriptor(struct scb_fcp *f, const uint8_t *v, size_t n)
{
    if (n != 2 && n != 5) {
        return SCB_E_FCP_MALFORMED;
    }
    f->descriptor = v[0];
    if ((v[0] & 0xBF) == 0x38) {
        f->structure = SCB_DF;
    } else {
        switch (v[0] & 0x07) {
        case 1: f->structure = SCB_EF_TRANSPARENT; break;
        case 2: f->structure = SCB_EF_LINEAR_FIXED; break;
        case 6: f->structure = SCB_EF_CYCLIC; break;
        default: f->structure = SCB_EF_UNKNOWN; break;
        }
    }
    if (n == 5) {
        f->record_len = (uint16_t)be_uint(v + 2, 2);
        f->record_count = v[4];
    }
    return SCB_OK;
}

static int parse_pin_template(struct scb_fcp *f, const uint8_t *v, size_t n)
{
    size_t pos = 0;
    uint8_t ps_do[4] = {0};
    size_t ps_len = 0;
    int ret;

    while (pos < n) {
        uint8_t tag;
        const uint8_t *val;
        size_t vl;
        if ((ret = tlv_next(v, n, &pos, &tag, &val, &vl)) < 0) {
            return ret;
        }
        if (tag == 0x90) {
            ps_len = vl < sizeof(ps_do) ? vl : sizeof(ps_do);
            memcpy(ps_do, val, ps_len);
        } else if (tag == 0x83) {
            if (vl != 1) {
                return SCB_E_FCP_MALFORMED;
            }
            if (f->pin_count < sizeof(f->pin_ref)) {
                size_t i = f->pin_count++;
                f->pin_ref[i] = val[0];
                /* PS_DO: bit (7 - i) of the first byte(s) marks key reference i enabled */
                if (i / 8 < ps_len) {
                    f->pin_enabled[i] = (ps_do[i / 8] >> (7 - i % 8)) & 1;
                }
            }
        }
    }
    return SCB_OK;
}

static int fcp_field(struct scb_fcp *f, uint8_t tag, const uint8_t *v, size_t n)
{
    switch (tag) {
    case 0x82:
        return parse_descriptor(f, v, n);
    case 0x83:
        if (n != 2) {
            return SCB_E_FCP_MALFORMED;
        }
        f->has_fid = 1;
        f->fid = (uint16_t)be_uint(v, 2);
        return SCB_OK;
    case 0x84:
        if (n == 0 || n > sizeof(f->aid)) {
            return SCB_E_FCP_MALFORMED;
        }
        memcpy(f->aid, v, n);
        f->aid_len = n;
        return SCB_OK;
    case 0x80:
    case 0x81:
        if (n == 0 || n > 4) {
            return SCB_E_FCP_MALFORMED;
        }
        if (tag == 0x80) {
            f->has_size = 1;
            f->size = be_uint(v, n);
        } else {
            f->has_total_size = 1;
            f->total_size = be_uint(v, n);
        }
        return SCB_OK;
    case 0x8A:
        if (n != 1) {
            return SCB_E_FCP_MALFORMED;
        }
        f->has_lcsi = 1;
        f->lcsi = v[0];
        return SCB_OK;
    case 0x88:
        if (n > 1) {
            return SCB_E_FCP_MALFORMED;
        }
        f->has_sfi = 1;
        f->sfi = n ? (uint8_t)(v[0] >> 3) : 0;
        return SCB_OK;
    case 0x8B:
    case 0x8C:
    case 0xAB:
        if (n > sizeof(f->sec_attr)) {
            return SCB_E_FCP_MALFORMED;
        }
        f->sec_attr_tag = tag;
        memcpy(f->sec_attr, v, n);
        f->sec_attr_len = n;
        return SCB_OK;
    case 0xC6:
        return parse_pin_template(f, v, n);
    default:
        return SCB_OK; /* A5 proprietary and anything unknown: skipped */
    }
}

int scb_uicc_fcp_parse(const uint8_t *buf, size_t len, struct scb_fcp *fcp)
{
    struct scb_fcp f;
    size_t pos = 0, inner_len, ip = 0;
    const uint8_t *inner;
    uint8_t tag;
    int ret;

    if (buf == NULL || fcp == NULL) {
        return SCB_E_INVALID_ARG;
    }
    memset(&f, 0, sizeof(f));
    if ((ret = tlv_next(buf, len, &pos, &tag, &inner, &inner_len)) < 0) {
        return ret;
    }
    if (tag != 0x62) {
        return SCB_E_FCP_MALFORMED;
    }
    while (ip < inner_len) {
        const uint8_t *v;
        size_t vl;
        if ((ret = tlv_next(inner, inner_len, &ip, &tag, &v, &vl)) < 0) {
            return ret;
        }
        if ((ret = fcp_field(&f, tag, v, vl)) < 0) {
            return ret;
        }
    }
    *fcp = f;
    return SCB_OK;
}

/* ---- commands ----------------------------------------------------------------------- */

static int cla_on(unsigned channel, uint8_t *cla)
{
    return scb_apdu_cla_for_channel(0x00, channel, cla);
}

int scb_uicc_open_channel(struct scb_card *c, unsigned *channel)
{
    struct scb_apdu a = {.cla = 0x00, .ins = 0x70, .p1 = 0x00, .p2 = 0x00, .has_le = 1, .le = 1};
    uint8_t data[SCB_APDU_RSP_MAX];
    size_t dlen;
    uint16_t sw;
    int ret;

    if ((ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw)) < 0) {
        return ret;
    }
    if (sw != 0x9000) {
        return scb_error_from_sw(sw) ? scb_error_from_sw(sw) : SCB_E_SW;
    }
    if (dlen != 1 || data[0] == 0 || data[0] > 19) {
        return SCB_E_SW;
    }
    *channel = data[0];
    return SCB_OK;
}

int scb_uicc_close_channel(struct scb_card *c, unsigned channel)
{
    struct scb_apdu a = {.ins = 0x70, .p1 = 0x80, .p2 = (uint8_t)channel};
    uint8_t data[SCB_APDU_RSP_MAX];
    size_t dlen;
    uint16_t sw;
    int ret;

    if (channel == 0 || (ret = cla_on(channel, &a.cla)) < 0) {
        return SCB_E_INVALID_ARG;
    }
    /* a channel the transport opened itself (a modem's +CCHO) is closed the same way */
    if ((ret = scb_transport_close_channel(scb_card_transport(c), channel)) !=
        SCB_E_UNSUPPORTED) {
        return ret;
    }
    if ((ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw)) < 0) {
        return ret;
    }
    return sw == 0x9000 ? SCB_OK : (scb_error_from_sw(sw) ? scb_error_from_sw(sw) : SCB_E_SW);
}

/* Any non-success SW as an error (never SCB_OK for anything but 9000/91xx/92xx). */
static int sw_error(uint16_t sw)
{
    int e = scb_error_from_sw(sw);
    return e < 0 ? e : SCB_E_SW;
}

int scb_uicc_select(struct scb_card *c, unsigned channel, enum scb_select_mode mode,
                    const uint8_t *id, size_t idlen, struct scb_fcp *fcp)
{
    struct scb_apdu a = {.ins = 0xA4, .p1 = (uint8_t)mode, .data = id, .lc = idlen};
    uint8_t data[SCB_APDU_RSP_MAX];
    size_t dlen;
    uint16_t sw;
    int ret;

    if (idlen == 0 || idlen > 16 || id == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = cla_on(channel, &a.cla)) < 0) {
        return ret;
    }
    if (fcp) {
        a.p2 = 0x04;
        a.has_le = 1;
        a.le = 256;
    } else {
        a.p2 = 0x0C;
    }
    if ((ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw)) < 0) {
        return ret;
    }
    if (sw != 0x9000 && (sw & 0xFF00) != 0x9100) {
        return sw_error(sw);
    }
    if (fcp) {
        return scb_uicc_fcp_parse(data, dlen, fcp);
    }
    return SCB_OK;
}

/* The READ BINARY loop. known: the file holds offset + len bytes, so a 9000 answer shorter
 * than asked only means "that much per answer"; otherwise any short answer ends the file. */
static int read_binary(struct scb_card *c, unsigned channel, uint8_t sfi, size_t offset,
                       uint8_t *buf, size_t len, int known, size_t *got)
{
    uint8_t data[SCB_APDU_RSP_MAX];
    size_t done = 0, chunk = 256;
    int ret;

    if (c == NULL || got == NULL || (len > 0 && buf == NULL) || sfi > 30 ||
        len > SCB_UICC_MAX_READ || offset > 0x7FFF || (sfi && offset > 0xFF)) {
        return SCB_E_INVALID_ARG;
    }
    *got = 0;
    while (done < len) {
        struct scb_apdu a = {.ins = 0xB0, .has_le = 1};
        size_t off = offset + done, dlen, want = len - done;
        uint16_t sw;

        if (off > 0x7FFF) {
            return SCB_E_TOO_LARGE;
        }
        if ((ret = cla_on(channel, &a.cla)) < 0) {
            return ret;
        }
        if (sfi && done == 0) {
            a.p1 = (uint8_t)(0x80 | sfi);
            a.p2 = (uint8_t)off;
        } else {
            a.p1 = (uint8_t)(off >> 8);
            a.p2 = (uint8_t)(off & 0xFF);
        }
        a.le = want > chunk ? chunk : want;
        if ((ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw)) < 0) {
            return ret;
        }
        if (sw == 0x9000 || sw == 0x6282) {
            if (dlen > want) {
                dlen = want; /* never trust a card that sends more than asked */
            }
            memcpy(buf + done, data, dlen);
            done += dlen;
            if (sw == 0x6282 || dlen == 0 || scb_card_last_resent(c)) {
                break; /* end of file: 6282, nothing, or 6Cxx (exactly xx bytes were left) */
            }
            if (dlen < a.le) {
                if (!known) {
                    break; /* a short answer is the end of the file (doc/protocol.md) */
                }
                /* the file is longer: the card sends fewer bytes per answer than asked
                 * (secure messaging overhead, a small buffer); go on in steps of that size */
                chunk = dlen;
            }
            continue;
        }
        if (sw == 0x6B00 || (sw == 0x6A86 && done > 0)) {
            break; /* offset past the end of the file: end of file (an empty file at 0) */
        }
        return sw_error(sw);
    }
    *got = done;
    return SCB_OK;
}

int scb_uicc_read_binary(struct scb_card *c, unsigned channel, uint8_t sfi, size_t offset,
                         uint8_t *buf, size_t len, size_t *got)
{
    return read_binary(c, channel, sfi, offset, buf, len, 0, got);
}

int scb_uicc_read_binary_known(struct scb_card *c, unsigned channel, size_t offset,
                               uint8_t *buf, size_t len, size_t *got)
{
    return read_binary(c, channel, 0, offset, buf, len, 1, got);
}

int scb_uicc_read_record(struct scb_card *c, unsigned channel, uint8_t sfi, uint8_t rec,
                         size_t le, uint8_t *buf, size_t cap, size_t *len)
{
    struct scb_apdu a = {.ins = 0xB2, .p1 = rec, .has_le = 1, .le = le ? le : 256};
    uint8_t data[SCB_APDU_RSP_MAX];
    size_t dlen;
    uint16_t sw;
    int ret;

    if (rec == 0 || rec == 0xFF || sfi > 30 || le > 256 || len == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = cla_on(channel, &a.cla)) < 0) {
        return ret;
    }
    a.p2 = (uint8_t)((sfi << 3) | 0x04);
    if ((ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw)) < 0) {
        return ret;
    }
    if (sw != 0x9000) {
        return sw_error(sw);
    }
    if (dlen > cap) {
        return SCB_E_BUFFER;
    }
    memcpy(buf, data, dlen);
    *len = dlen;
    return SCB_OK;
}

int scb_uicc_verify(struct scb_card *c, unsigned channel, uint8_t ref, const uint8_t *block,
                    size_t len, int *tries_left)
{
    struct scb_apdu a = {.ins = 0x20, .p1 = 0x00, .p2 = ref, .data = block, .lc = len};
    uint8_t data[SCB_APDU_RSP_MAX];
    size_t dlen;
    uint16_t sw;
    int ret;

    if (tries_left) {
        *tries_left = -1;
    }
    if (c == NULL || block == NULL || len == 0 || len > 64) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = cla_on(channel, &a.cla)) < 0) {
        return ret;
    }
    int saved = scb_card_redact(c);
    scb_card_set_redact(c, saved | SCB_REDACT_CMD); /* the trace never shows the PIN block */
    ret = scb_card_transceive(c, &a, data, sizeof(data), &dlen, &sw);
    scb_card_set_redact(c, saved);
    if (ret < 0) {
        return ret;
    }
    if (sw == 0x9000) {
        return SCB_OK;
    }
    if ((sw & 0xFFF0) == 0x63C0) {
        if (tries_left) {
            *tries_left = sw & 0x0F;
        }
        return (sw & 0x0F) ? SCB_E_PIN_WRONG : SCB_E_PIN_BLOCKED;
    }
    if (sw == 0x6983 && tries_left) {
        *tries_left = 0;
    }
    return sw_error(sw);
}

int scb_uicc_verify_pin(struct scb_card *c, unsigned channel, uint8_t ref, const char *pin,
                        int *tries_left)
{
    uint8_t block[8];
    size_t n;
    int ret;

    if (tries_left) {
        *tries_left = -1;
    }
    if (pin == NULL || (n = strlen(pin)) < 4 || n > 8) {
        return SCB_E_INVALID_ARG;
    }
    memset(block, 0xFF, sizeof(block));
    memcpy(block, pin, n);
    ret = scb_uicc_verify(c, channel, ref, block, sizeof(block), tries_left);
    memset(block, 0, sizeof(block));
    return ret;
}

int scb_uicc_iccid_decode(const uint8_t *bcd, size_t len, char *out, size_t cap)
{
    if (bcd == NULL || out == NULL || cap == 0) {
        return SCB_E_INVALID_ARG;
    }
    size_t n = 0;

    if (bcd == NULL || out == NULL || cap == 0) {
        return SCB_E_INVALID_ARG;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t nib[2] = {(uint8_t)(bcd[i] & 0x0F), (uint8_t)(bcd[i] >> 4)};
        for (int k = 0; k < 2; k++) {
            if (nib[k] == 0x0F) {
                goto done; /* padding */
            }
            if (nib[k] > 9) {
                return SCB_E_PARSE;
            }
            if (n + 1 >= cap) {
                return SCB_E_BUFFER;
            }
            out[n++] = (char)('0' + nib[k]);
        }
    }
done:
    if (n == 0) {
        return SCB_E_PARSE;
    }
    out[n] = '\0';
    return SCB_OK;
}

int scb_uicc_sw_sfi_refused(uint16_t sw)
{
    return sw == 0x6A81 || sw == 0x6A82 || sw == 0x6986;
}

int scb_uicc_read_iccid(struct scb_card *c, char *out, size_t cap)
{
    static const uint8_t path[] = {0x2F, 0xE2};
    uint8_t bcd[10];
    size_t got;
    int ret;

    /* READ BINARY by SFI 02 (TS 102 221 13.2): one APDU, no SELECT. SFIs are relative to the
     * current DF: should channel 0 not be at the MF (another PC/SC client left it in an ADF),
     * SFI 02 names another file, which does not decode as an ICCID: then SELECT by path. */
    ret = scb_uicc_read_binary(c, 0, 0x02, 0, bcd, sizeof(bcd), &got);
    if (ret == SCB_OK && scb_uicc_iccid_decode(bcd, got, out, cap) == SCB_OK && out[0] == '8' &&
        out[1] == '9') {
        /* an ICCID starts with 89 (ITU-T E.118, telecommunications); digits without it are
         * another DF's SFI 02 (EF IMSI of a USIM left selected: its digits decode as BCD) */
        return SCB_OK;
    }
    if (ret == SCB_OK ||
        (ret != SCB_E_INVALID_ARG && scb_uicc_sw_sfi_refused(scb_card_last_sw(c)))) {
        /* no SFI on this card: SELECT by path from the MF (P2=0C), then READ BINARY */
        if ((ret = scb_uicc_select(c, 0, SCB_SELECT_PATH_MF, path, sizeof(path), NULL)) < 0) {
            return ret;
        }
        ret = scb_uicc_read_binary(c, 0, 0, 0, bcd, sizeof(bcd), &got);
    }
    if (ret < 0) {
        return ret;
    }
    return scb_uicc_iccid_decode(bcd, got, out, cap);
}

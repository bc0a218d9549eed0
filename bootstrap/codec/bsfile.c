/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bsfile.c: the EF LwM2M_Bootstrap container (LwM2M 1.1 App. G.3.4, 1.0 App. F): header,
 * object records with the implicit (00) or major.minor version, bounded by the header's size
 * (trailing bytes are card padding), and its canonical encoder.
 */
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "scboot/bsfile.h"
#include "scboot/error.h"
#include "scboot/objdefs.h"

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

size_t scb_bsfile_total_len(const uint8_t *buf, size_t len)
{
    if (buf == NULL) {
        return 0;
    }
    return len < 4 ? 0 : 4u + be16(buf + 2);
}

/* Keep the exact TLV of objects the model does not type, so re-encoding loses nothing. */
static int keep_raw(struct scb_config *cfg, uint16_t oid, const uint8_t *tlv, size_t len)
{
    struct scb_object *o = scb_config_object_mut(cfg, oid);
    uint8_t *nr = realloc(o->raw, o->raw_len + len + 1);
    if (nr == NULL) {
        return SCB_E_NOMEM;
    }
    memcpy(nr + o->raw_len, tlv, len);
    o->raw = nr;
    o->raw_len += len;
    return SCB_OK;
}

static int decode_records(const uint8_t *buf, size_t end, unsigned declared, struct scb_config *cfg,
                          struct scb_decode_error *err)
{
    size_t pos = 4;
    unsigned count = 0;
    int ret;

    while (pos < end) {
        size_t at = pos, vlen;
        if (end - pos < 3) {
            return scb_decode_fail(err, "file-truncated", at, "/",
                                   "object record header cut short");
        }
        uint16_t oid = be16(buf + pos);
        uint8_t major = buf[pos + 2], minor = 0;
        pos += 3;
        if (major != 0) {
            if (end - pos < 1) {
                return scb_decode_fail(err, "file-truncated", at, "/",
                                       "object record header cut short");
            }
            minor = buf[pos++];
        }
        if (end - pos < 2) {
            return scb_decode_fail(err, "file-truncated", at, "/",
                                   "object record header cut short");
        }
        vlen = be16(buf + pos);
        pos += 2;
        if (vlen > end - pos) {
            return scb_decode_fail(err, "record-overrun", at, "/",
                                   "record of object %u says %zu bytes, only %zu left within size",
                                   oid, vlen, end - pos);
        }
        if ((ret = scb_tlv_decode_object(buf + pos, vlen, oid, pos, cfg, err)) < 0) {
            return ret;
        }
        struct scb_object *o = scb_config_object_mut(cfg, oid);
        if (major != 0) {
            o->explicit_version = 1;
            o->major = major;
            o->minor = minor;
        }
        if (!scb_objdef_object_known(oid) && (ret = keep_raw(cfg, oid, buf + pos, vlen)) < 0) {
            return ret;
        }
        pos += vlen;
        count++;
    }
    if (count != declared) {
        return scb_decode_fail(err, "object-count-mismatch", 0, "/",
                               "header declares %u object records, %u present within size",
                               declared, count);
    }
    return SCB_OK;
}

int scb_bsfile_decode(const uint8_t *buf, size_t len, struct scb_config *cfg,
                      struct scb_decode_error *err)
{
    if ((buf == NULL && len > 0) || cfg == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_config tmp;
    int ret;

    if (buf == NULL && len > 0) {
        return SCB_E_INVALID_ARG;
    }
    if (len > SCB_MAX_FILE_SIZE) {
        return scb_decode_fail(err, "file-too-large", SCB_MAX_FILE_SIZE, "/",
                               "bootstrap file of %zu bytes exceeds 32 KB", len);
    }
    if (len < 4) {
        return scb_decode_fail(err, "file-truncated", len, "/",
                               "%zu bytes, the header alone needs 4", len);
    }
    size_t total = scb_bsfile_total_len(buf, len);
    if (total > SCB_MAX_FILE_SIZE) {
        return scb_decode_fail(err, "file-too-large", 2, "/", "header size %zu exceeds 32 KB",
                               total - 4);
    }
    if (total > len) {
        return scb_decode_fail(err, "file-truncated", len, "/",
                               "header says %zu bytes, file has %zu", total, len);
    }
    scb_config_init(&tmp);
    if ((ret = decode_records(buf, total, be16(buf), &tmp, err)) < 0) {
        scb_config_free(&tmp);
        return ret;
    }
    scb_config_free(cfg);
    *cfg = tmp;
    return SCB_OK;
}

int scb_bsfile_encode(const struct scb_config *cfg, size_t pad, struct scb_buf *out)
{
    if (cfg == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    struct scb_buf body = {.max = SCB_MAX_FILE_SIZE};
    uint8_t hdr[4];
    int ret = SCB_OK;
    size_t count = 0;

    for (size_t k = 0; k < cfg->n; k++) {
        const struct scb_object *o = &cfg->o[k];
        struct scb_buf tlv = {.max = SCB_MAX_FILE_SIZE};
        uint8_t rh[6];
        size_t rn = 0;
        if ((ret = scb_tlv_encode_object(o, &tlv)) < 0) {
            scb_buf_free(&tlv);
            goto out;
        }
        if (tlv.len > 0xFFFF) {
            scb_buf_free(&tlv);
            ret = SCB_E_TOO_LARGE;
            goto out;
        }
        rh[rn++] = (uint8_t)(o->id >> 8);
        rh[rn++] = (uint8_t)o->id;
        if (o->explicit_version) {
            rh[rn++] = o->major;
            rh[rn++] = o->minor;
        } else {
            rh[rn++] = 0;
        }
        rh[rn++] = (uint8_t)(tlv.len >> 8);
        rh[rn++] = (uint8_t)tlv.len;
        if ((ret = scb_buf_put(&body, rh, rn)) < 0 ||
            (ret = scb_buf_put(&body, tlv.data, tlv.len)) < 0) {
            scb_buf_free(&tlv);
            goto out;
        }
        scb_buf_free(&tlv);
        count++;
    }
    if (body.len + 4 > SCB_MAX_FILE_SIZE || count > 0xFFFF) {
        ret = SCB_E_TOO_LARGE;
        goto out;
    }
    hdr[0] = (uint8_t)(count >> 8);
    hdr[1] = (uint8_t)count;
    hdr[2] = (uint8_t)(body.len >> 8);
    hdr[3] = (uint8_t)body.len;
    if ((ret = scb_buf_put(out, hdr, 4)) < 0 || (ret = scb_buf_put(out, body.data, body.len)) < 0) {
        goto out;
    }
    for (size_t k = 0; k < pad; k++) {
        uint8_t ff = 0xFF;
        if ((ret = scb_buf_put(out, &ff, 1)) < 0) {
            goto out;
        }
    }
out:
    scb_buf_free(&body);
    return ret;
}

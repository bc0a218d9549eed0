/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emu_profile.c: builds an emulated UICC from a JSON card profile (tests/data/README.md):
 * ATR, ICCID, EF DIR, applications and files, PIN, behaviour switches, faults, and the
 * "lwm2m" shorthand that lays out EF DIR -> PKCS#15 ADF -> ODF -> DODF -> EF LwM2M_Bootstrap
 * from a bootstrap file.
 */
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"
#include "scboot/util.h"

#define PKCS15_AID "A000000063504B43532D3135"
#define USIM_AID "A0000000871002FF33FF018900000100"
#define DEFAULT_ATR "3B9F96801FC78031A073BE21136743200718000001A5"
/* a virtual card's profile: a few files as hex (each at most 32 KB) and settings */
#define PROFILE_TEXT_MAX (1u << 20)

struct loader {
    struct scb_emu *e;
    const char *basedir;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct loader *l, const char *fmt, ...)
{
    if (l->err && l->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->err, l->errlen, fmt, ap);
        va_end(ap);
    }
    return SCB_E_PARSE;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(v);
}

/* An array member: NULL when absent; *bad set when present but not an array. */
static json_object *jarray(json_object *o, const char *key, int *bad)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) {
        return NULL;
    }
    if (!json_object_is_type(v, json_type_array)) {
        *bad = 1;
        return NULL;
    }
    return v;
}

static int jint(json_object *o, const char *key, int def)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) {
        return def;
    }
    return json_object_get_int(v);
}

static int jbool(json_object *o, const char *key, int def)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) {
        return def;
    }
    return json_object_get_boolean(v);
}

static int hex16(struct loader *l, const char *s, uint16_t *out)
{
    uint8_t b[2];
    size_t n;
    if (s == NULL || scb_util_hex_decode(s, b, sizeof(b), &n) < 0 || n != 2) {
        return fail(l, "bad file identifier '%s' (want 4 hex digits)", s ? s : "(none)");
    }
    *out = (uint16_t)(b[0] << 8 | b[1]);
    return SCB_OK;
}

/* Content from "hex" or "file" (relative to the profile); malloc'd. */
static int load_content(struct loader *l, json_object *o, uint8_t **data, size_t *len)
{
    const char *hex = jstr(o, "hex"), *file = jstr(o, "file");
    *data = NULL;
    *len = 0;
    if (hex) {
        size_t cap = strlen(hex) / 2 + 1;
        uint8_t *b = malloc(cap);
        if (b == NULL) {
            return SCB_E_NOMEM;
        }
        if (scb_util_hex_decode(hex, b, cap, len) < 0) {
            free(b);
            return fail(l, "bad hex content");
        }
        *data = b;
        return SCB_OK;
    }
    if (file) {
        char path[PATH_MAX];
        if (file[0] == '/' || l->basedir == NULL) {
            snprintf(path, sizeof(path), "%s", file);
        } else {
            snprintf(path, sizeof(path), "%s/%s", l->basedir, file);
        }
        int ret = scb_util_read_file(path, 65535, data, len);
        if (ret < 0) {
            return fail(l, "cannot read '%s': %s", path, scb_error_string(ret));
        }
        return SCB_OK;
    }
    *data = malloc(1);
    return *data ? SCB_OK : SCB_E_NOMEM;
}

static struct emu_file *add_file(struct loader *l, struct emu_df *df)
{
    if (df->nfiles >= EMU_MAX_FILES) {
        fail(l, "too many files in one DF (max %d)", EMU_MAX_FILES);
        return NULL;
    }
    struct emu_file *f = &df->files[df->nfiles++];
    memset(f, 0, sizeof(*f));
    return f;
}

static int add_binary(struct loader *l, struct emu_df *df, uint16_t fid, uint8_t sfi,
                      const uint8_t *data, size_t len, enum emu_access read)
{
    struct emu_file *f = add_file(l, df);
    if (f == NULL) {
        return SCB_E_PARSE;
    }
    f->fid = fid;
    f->sfi = sfi;
    f->read = read;
    f->data = malloc(len ? len : 1);
    if (f->data == NULL) {
        return SCB_E_NOMEM;
    }
    if (len && data) {
        memcpy(f->data, data, len);
    }
    f->size = data ? len : 0;
    f->fcp_size = -1;
    return SCB_OK;
}

static int parse_access(struct loader *l, const char *s, enum emu_access *out)
{
    if (s == NULL || strcmp(s, "always") == 0) {
        *out = EMU_READ_ALWAYS;
    } else if (strcmp(s, "pin") == 0) {
        *out = EMU_READ_PIN;
    } else if (strcmp(s, "scp03") == 0) {
        *out = EMU_READ_SCP03;
    } else {
        return fail(l, "unknown read access '%s' (always, pin, scp03)", s);
    }
    return SCB_OK;
}

static int load_file(struct loader *l, struct emu_df *df, json_object *o)
{
    uint16_t fid = 0;
    int ret;
    const char *structure = jstr(o, "structure");
    enum emu_access read = EMU_READ_ALWAYS;

    if ((ret = hex16(l, jstr(o, "fid"), &fid)) < 0 ||
        (ret = parse_access(l, jstr(o, "read"), &read)) < 0) {
        return ret;
    }
    if (structure == NULL || strcmp(structure, "transparent") == 0) {
        uint8_t *data = NULL;
        size_t len = 0;
        if ((ret = load_content(l, o, &data, &len)) < 0) {
            return ret;
        }
        ret = add_binary(l, df, fid, (uint8_t)jint(o, "sfi", 0), data, len, read);
        free(data);
        int fs = jint(o, "fcp_size", -1);
        if (ret == SCB_OK && (fs < -1 || fs > 0xFFFF)) {
            return fail(l, "file %04X: fcp_size must be 0-65535", fid);
        }
        if (ret == SCB_OK) {
            df->files[df->nfiles - 1].fcp_size = fs;
        }
        return ret;
    }
    if (strcmp(structure, "linear") != 0) {
        return fail(l, "unknown structure '%s' (transparent, linear)", structure);
    }
    int bad = 0;
    json_object *recs = jarray(o, "records", &bad);
    if (recs == NULL) {
        return fail(l, "linear file %04X needs \"records\": [...]", fid);
    }
    size_t n = json_object_array_length(recs), rl = (size_t)jint(o, "record_length", 0);
    uint8_t tmp[255];
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *h = json_object_get_string(json_object_array_get_idx(recs, i));
        if (h == NULL || scb_util_hex_decode(h, tmp, sizeof(tmp), &len) < 0) {
            return fail(l, "bad record %zu of %04X", i + 1, fid);
        }
        rl = len > rl ? len : rl;
    }
    if (rl == 0 || rl > 255 || n == 0 || n > 254) {
        return fail(l, "linear file %04X: bad record length or count", fid);
    }
    struct emu_file *f = add_file(l, df);
    if (f == NULL) {
        return SCB_E_PARSE;
    }
    f->fid = fid;
    f->sfi = (uint8_t)jint(o, "sfi", 0);
    f->linear = 1;
    f->read = read;
    f->rec_len = rl;
    f->rec_count = n;
    f->size = rl * n;
    f->fcp_size = -1;
    if ((f->data = malloc(f->size)) == NULL) {
        return SCB_E_NOMEM;
    }
    memset(f->data, 0xFF, f->size);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        scb_util_hex_decode(json_object_get_string(json_object_array_get_idx(recs, i)),
                            f->data + i * rl, rl, &len);
    }
    return SCB_OK;
}

static struct emu_df *add_app(struct loader *l, const char *aid_hex)
{
    struct scb_emu *e = l->e;
    if (e->napps >= EMU_MAX_APPS) {
        fail(l, "too many applications (max %d)", EMU_MAX_APPS);
        return NULL;
    }
    struct emu_df *df = &e->apps[e->napps];
    memset(df, 0, sizeof(*df));
    if (aid_hex == NULL ||
        scb_util_hex_decode(aid_hex, df->aid, sizeof(df->aid), &df->aid_len) < 0 ||
        df->aid_len < 5) {
        fail(l, "bad application AID '%s'", aid_hex ? aid_hex : "(none)");
        return NULL;
    }
    e->napps++;
    return df;
}

static int load_apps(struct loader *l, json_object *root)
{
    int ret, bad = 0;
    json_object *apps = jarray(root, "applications", &bad);
    if (bad) {
        return fail(l, "\"applications\" must be an array");
    }
    for (size_t i = 0; apps && i < json_object_array_length(apps); i++) {
        json_object *a = json_object_array_get_idx(apps, i), *files;
        if (!json_object_is_type(a, json_type_object)) {
            return fail(l, "an application must be an object");
        }
        struct emu_df *df = add_app(l, jstr(a, "aid"));
        if (df == NULL) {
            return SCB_E_PARSE;
        }
        if (jstr(a, "fid") && (ret = hex16(l, jstr(a, "fid"), &df->fid)) < 0) {
            return ret;
        }
        df->pin_protected = jbool(a, "pin_protected", 0);
        if ((files = jarray(a, "files", &bad)) != NULL || bad) {
            if (bad) {
                return fail(l, "\"files\" must be an array");
            }
            for (size_t k = 0; k < json_object_array_length(files); k++) {
                json_object *fo = json_object_array_get_idx(files, k);
                if (!json_object_is_type(fo, json_type_object)) {
                    return fail(l, "a file must be an object");
                }
                if ((ret = load_file(l, df, fo)) < 0) {
                    return ret;
                }
            }
        }
    }
    return SCB_OK;
}

/* ---- the LwM2M shorthand ------------------------------------------------------------ */

static size_t put_tl(uint8_t *b, uint8_t tag, size_t len)
{
    b[0] = tag;
    b[1] = (uint8_t)len;
    return 2;
}

/* One DODF entry describing the bootstrap file (doc/protocol.md), in the requested form. */
static size_t build_dodf_entry(uint8_t *out, const char *label, int buggy_oid, int opaque,
                               int private_flag, uint16_t fid)
{
    uint8_t coa[64], cdoa[64], type[32], oid[8];
    size_t ncoa = 0, ncdoa = 0, ntype = 0, noid = 0, n = 0, ll = strlen(label);

    if (ll > 40) {
        ll = 40;
    }
    if (private_flag) { /* flags BIT STRING { private } */
        const uint8_t fl[] = {0x03, 0x02, 0x07, 0x80};
        memcpy(coa + ncoa, fl, sizeof(fl));
        ncoa += sizeof(fl);
        const uint8_t auth[] = {0x04, 0x01, 0x01}; /* authId */
        memcpy(coa + ncoa, auth, sizeof(auth));
        ncoa += sizeof(auth);
    }
    const uint8_t oid_body[] = {0x67, 0x2B, 0x09, 0x01};
    if (buggy_oid) {
        noid += put_tl(oid + noid, 0x06, 6);
        noid += put_tl(oid + noid, 0x06, 4);
    } else {
        noid += put_tl(oid + noid, 0x06, 4);
    }
    memcpy(oid + noid, oid_body, 4);
    noid += 4;
    ncdoa += put_tl(cdoa, 0x0C, ll);
    memcpy(cdoa + ncdoa, label, ll);
    ncdoa += ll;
    const uint8_t path[] = {0x30, 0x04, 0x04, 0x02, (uint8_t)(fid >> 8), (uint8_t)fid};
    if (opaque) {
        /* opaqueDO: applicationOID in CommonDataObjectAttributes, Path as type attributes */
        memcpy(cdoa + ncdoa, oid, noid);
        ncdoa += noid;
        ntype += put_tl(type, 0xA1, sizeof(path));
        memcpy(type + ntype, path, sizeof(path));
        ntype += sizeof(path);
    } else {
        ntype += put_tl(type, 0xA1, 2 + noid + sizeof(path));
        ntype += put_tl(type + ntype, 0x30, noid + sizeof(path));
        memcpy(type + ntype, oid, noid);
        ntype += noid;
        memcpy(type + ntype, path, sizeof(path));
        ntype += sizeof(path);
    }
    size_t body = 2 + ncoa + 2 + ncdoa + ntype;
    n += put_tl(out, opaque ? 0x30 : 0xA1, body);
    n += put_tl(out + n, 0x30, ncoa);
    memcpy(out + n, coa, ncoa);
    n += ncoa;
    n += put_tl(out + n, 0x30, ncdoa);
    memcpy(out + n, cdoa, ncdoa);
    n += ncdoa;
    memcpy(out + n, type, ntype);
    n += ntype;
    return n;
}

/* One AODF PIN object (ISO 7816-15 PasswordAttributes) for the card's PIN, authId 01. */
static size_t build_aodf_entry(const struct scb_emu *e, uint8_t *out)
{
    uint8_t attrs[40];
    size_t n = 0, a = 0;
    /* pinFlags: local (1) when the reference is local, initialized (4), needs-padding (5) */
    uint8_t flags = (uint8_t)(((e->pin_ref & 0x80) ? 0x40 : 0) | 0x08 | 0x04);
    const uint8_t head[] = {0x03, 0x02, 0x02, flags, 0x0A, 0x01, 0x01, /* ascii-numeric */
                            0x02, 0x01, 0x04,                          /* minLength */
                            0x02, 0x01, (uint8_t)e->pin_stored,        /* storedLength */
                            0x02, 0x01, 0x08};                         /* maxLength */
    memcpy(attrs, head, sizeof(head));
    a = sizeof(head);
    if (e->pin_ref & 0x80) { /* pinReference [0] INTEGER: a leading 00 keeps it positive */
        const uint8_t ref[] = {0x80, 0x02, 0x00, e->pin_ref};
        memcpy(attrs + a, ref, sizeof(ref));
        a += sizeof(ref);
    } else {
        const uint8_t ref[] = {0x80, 0x01, e->pin_ref};
        memcpy(attrs + a, ref, sizeof(ref));
        a += sizeof(ref);
    }
    const uint8_t pad[] = {0x04, 0x01, e->pin_pad};
    memcpy(attrs + a, pad, sizeof(pad));
    a += sizeof(pad);
    const uint8_t coa[] = {0x30, 0x06, 0x0C, 0x04, 'P', 'I', 'N', '1'};
    const uint8_t caoa[] = {0x30, 0x03, 0x04, 0x01, 0x01};
    n += put_tl(out + n, 0x30, sizeof(coa) + sizeof(caoa) + 4 + a);
    memcpy(out + n, coa, sizeof(coa));
    n += sizeof(coa);
    memcpy(out + n, caoa, sizeof(caoa));
    n += sizeof(caoa);
    n += put_tl(out + n, 0xA1, 2 + a);
    n += put_tl(out + n, 0x30, a);
    memcpy(out + n, attrs, a);
    return n + a;
}

static size_t dir_record(uint8_t *out, const uint8_t *aid, size_t aidlen, const char *label,
                         const uint8_t *path, size_t pathlen)
{
    size_t ll = strlen(label), n = 2;
    n += put_tl(out + n, 0x4F, aidlen);
    memcpy(out + n, aid, aidlen);
    n += aidlen;
    n += put_tl(out + n, 0x50, ll);
    memcpy(out + n, label, ll);
    n += ll;
    if (pathlen) {
        n += put_tl(out + n, 0x51, pathlen);
        memcpy(out + n, path, pathlen);
        n += pathlen;
    }
    out[0] = 0x61;
    out[1] = (uint8_t)(n - 2);
    return n;
}

static int build_lwm2m(struct loader *l, json_object *lw, json_object *dir_records)
{
    uint16_t odf = 0x5031, dodf = 0x6430, bsf = 0x6432, aodf = 0x6433;
    uint8_t *bs = NULL, entry[160], odfb[16], aentry[64];
    size_t bslen = 0, n, odfl;
    int ret;
    enum emu_access read = EMU_READ_ALWAYS;
    struct emu_df *df;

    if ((jstr(lw, "odf_fid") && (ret = hex16(l, jstr(lw, "odf_fid"), &odf)) < 0) ||
        (jstr(lw, "dodf_fid") && (ret = hex16(l, jstr(lw, "dodf_fid"), &dodf)) < 0) ||
        (jstr(lw, "bootstrap_fid") && (ret = hex16(l, jstr(lw, "bootstrap_fid"), &bsf)) < 0) ||
        (jstr(lw, "aodf_fid") && (ret = hex16(l, jstr(lw, "aodf_fid"), &aodf)) < 0)) {
        return SCB_E_PARSE;
    }
    if ((ret = parse_access(l, jstr(lw, "read"), &read)) < 0) {
        return ret;
    }
    const char *oidenc = jstr(lw, "oid_encoding"), *form = jstr(lw, "dodf_form");
    int buggy = oidenc == NULL || strcmp(oidenc, "double") == 0;
    if (oidenc && strcmp(oidenc, "double") != 0 && strcmp(oidenc, "correct") != 0) {
        return fail(l, "oid_encoding must be \"double\" or \"correct\"");
    }
    int opaque = form && strcmp(form, "opaque") == 0;
    if (form && !opaque && strcmp(form, "oid") != 0) {
        return fail(l, "dodf_form must be \"oid\" or \"opaque\"");
    }
    int private_flag = jbool(lw, "private", 0) || read == EMU_READ_PIN;
    /* real cards describe the PIN in an AODF (ODF tag A8) that the object's authId names */
    int with_aodf = jbool(lw, "aodf", private_flag) && l->e->has_pin;
    const uint8_t odfe[] = {0xA7, 0x06, 0x30, 0x04, 0x04, 0x02, (uint8_t)(dodf >> 8),
                            (uint8_t)dodf};
    const uint8_t odfa[] = {0xA8, 0x06, 0x30, 0x04, 0x04, 0x02, (uint8_t)(aodf >> 8),
                            (uint8_t)aodf};
    /* pad with FF as card issuers do */
    size_t pad = (size_t)jint(lw, "pad", 0);
    if ((ret = load_content(l, lw, &bs, &bslen)) < 0) {
        return ret;
    }
    /* from here on, one exit frees the file's content */
    if (pad > 0 && pad < 65536) {
        uint8_t *nb = realloc(bs, bslen + pad);
        if (nb == NULL) {
            ret = SCB_E_NOMEM;
            goto content_done;
        }
        memset(nb + bslen, 0xFF, pad);
        bs = nb;
        bslen += pad;
    }
    if ((df = add_app(l, PKCS15_AID)) == NULL) {
        ret = SCB_E_PARSE;
        goto content_done;
    }
    df->fid = 0x5015;
    df->pin_protected = read == EMU_READ_PIN; /* the ADF's FCP lists the PIN (C6) */
    n = build_dodf_entry(entry, jstr(lw, "label") ? jstr(lw, "label") : "LwM2M Bootstrap", buggy,
                         opaque, private_flag, bsf);
    memcpy(odfb, odfe, sizeof(odfe));
    odfl = sizeof(odfe);
    if (with_aodf) {
        memcpy(odfb + odfl, odfa, sizeof(odfa));
        odfl += sizeof(odfa);
        size_t an = build_aodf_entry(l->e, aentry);
        if ((ret = add_binary(l, df, aodf, 0, aentry, an, EMU_READ_ALWAYS)) < 0) {
            goto content_done;
        }
    }
    if ((ret = add_binary(l, df, odf, 0, odfb, odfl, EMU_READ_ALWAYS)) == SCB_OK &&
        (ret = add_binary(l, df, dodf, 0, entry, n, EMU_READ_ALWAYS)) == SCB_OK) {
        ret = add_binary(l, df, bsf, 0, bs, bslen, read);
    }
content_done:
    free(bs);
    if (ret < 0) {
        return ret;
    }
    /* EF DIR records: optionally a USIM first, as on real UICCs */
    int first = jbool(lw, "pkcs15_first", 1);
    uint8_t rec[64], aid[16];
    size_t aidlen;
    const uint8_t p15path[] = {0x3F, 0x00, 0x50, 0x15};
    scb_util_hex_decode(USIM_AID, aid, sizeof(aid), &aidlen);
    if (!first) {
        struct emu_df *usim = add_app(l, USIM_AID);
        if (usim == NULL) {
            return SCB_E_PARSE;
        }
        size_t rn = dir_record(rec, aid, aidlen, "USIM", NULL, 0);
        char hex[160];
        scb_util_hex_encode(rec, rn, hex, sizeof(hex));
        json_object_array_add(dir_records, json_object_new_string(hex));
    }
    size_t rn = dir_record(rec, df->aid, df->aid_len, "PKCS#15", p15path, sizeof(p15path));
    char hex[160];
    scb_util_hex_encode(rec, rn, hex, sizeof(hex));
    json_object_array_add(dir_records, json_object_new_string(hex));
    return SCB_OK;
}

/* ---- MF: ICCID and EF DIR ----------------------------------------------------------- */

static int build_mf(struct loader *l, json_object *root, json_object *dir_records)
{
    struct scb_emu *e = l->e;
    const char *iccid = jstr(root, "iccid");
    uint8_t bcd[10];
    int ret;

    e->mf.fid = 0x3F00;
    memset(bcd, 0xFF, sizeof(bcd));
    if ((ret = add_binary(l, &e->mf, 0x2FE2, 0x02, bcd, sizeof(bcd), EMU_READ_ALWAYS)) < 0) {
        return ret;
    }
    if (scb_emu_set_iccid(e, iccid ? iccid : "8988211000000430010") < 0) {
        return fail(l, "bad ICCID '%s' (1-20 digits)", iccid);
    }
    int bad = 0;
    json_object *extra = jarray(root, "ef_dir", &bad);
    if (bad) {
        return fail(l, "\"ef_dir\" must be an array of hex records");
    }
    if (extra) {
        for (size_t i = 0; i < json_object_array_length(extra); i++) {
            json_object_array_add(dir_records,
                                  json_object_get(json_object_array_get_idx(extra, i)));
        }
    }
    size_t nrec = json_object_array_length(dir_records);
    if (nrec > 0) {
        json_object *f = json_object_new_object();
        json_object_object_add(f, "fid", json_object_new_string("2F00"));
        json_object_object_add(f, "sfi", json_object_new_int(0x1E));
        json_object_object_add(f, "structure", json_object_new_string("linear"));
        /* real cards have spare, FF-filled records */
        json_object_array_add(dir_records, json_object_new_string("FF"));
        json_object_object_add(f, "records", json_object_get(dir_records));
        ret = load_file(l, &e->mf, f);
        json_object_put(f);
        if (ret < 0) {
            return ret;
        }
    }
    json_object *mf_files = jarray(root, "mf_files", &bad);
    if (bad) {
        return fail(l, "\"mf_files\" must be an array");
    }
    if (mf_files) {
        for (size_t i = 0; i < json_object_array_length(mf_files); i++) {
            json_object *fo = json_object_array_get_idx(mf_files, i);
            if (!json_object_is_type(fo, json_type_object)) {
                return fail(l, "a file must be an object");
            }
            if ((ret = load_file(l, &e->mf, fo)) < 0) {
                return ret;
            }
        }
    }
    return SCB_OK;
}

static int load_behaviour(struct loader *l, json_object *root)
{
    struct scb_emu *e = l->e;
    const char *atr = jstr(root, "atr"), *proto = jstr(root, "protocol");
    json_object *pin, *faults;

    if (scb_util_hex_decode(atr ? atr : DEFAULT_ATR, e->atr, sizeof(e->atr), &e->atr_len) < 0 ||
        e->atr_len < 2) {
        return fail(l, "bad ATR");
    }
    e->t0 = proto == NULL || strcmp(proto, "T=0") == 0;
    if (proto && !e->t0 && strcmp(proto, "T=1") != 0) {
        return fail(l, "protocol must be \"T=0\" or \"T=1\"");
    }
    int ch = jint(root, "channels", 3);
    int maxr = jint(root, "max_response", 256);
    if (ch < 0 || ch > 19 || maxr < 1 || maxr > 256) {
        return fail(l, "channels must be 0-19 and max_response 1-256");
    }
    e->channels = (unsigned)ch;
    e->max_response = (size_t)maxr;
    const char *sr = jstr(root, "short_read"), *sfisw = jstr(root, "sfi_refusal");
    if (sr == NULL) {
        e->short_read = e->t0 ? EMU_SHORT_6C : EMU_SHORT_6282;
    } else if (strcmp(sr, "6282") == 0) {
        e->short_read = EMU_SHORT_6282;
    } else if (strcmp(sr, "9000") == 0) {
        e->short_read = EMU_SHORT_9000;
    } else if (strcmp(sr, "6Cxx") == 0 && e->t0) {
        e->short_read = EMU_SHORT_6C;
    } else {
        return fail(l, "short_read must be \"6282\", \"9000\" or (T=0) \"6Cxx\"");
    }
    e->sfi = jbool(root, "sfi", 1);
    e->sfi_sw = 0x6A82;
    if (sfisw) {
        if (strcmp(sfisw, "6A81") == 0) {
            e->sfi_sw = 0x6A81;
        } else if (strcmp(sfisw, "6986") == 0) {
            e->sfi_sw = 0x6986;
        } else if (strcmp(sfisw, "6A82") != 0) {
            return fail(l, "sfi_refusal must be \"6A81\", \"6A82\" or \"6986\"");
        }
    }
    e->sm_61xx = jbool(root, "sm_61xx", 1);
    e->keep_ef = jbool(root, "keep_ef_on_df_select", 0);
    e->ef_pin_template = jbool(root, "ef_pin_template", 0);
    if (json_object_object_get_ex(root, "pin", &pin)) {
        const char *v = jstr(pin, "value");
        if (v == NULL || strlen(v) < 4 || strlen(v) > 8) {
            return fail(l, "pin.value must be 4-8 characters");
        }
        e->has_pin = 1;
        snprintf(e->pin, sizeof(e->pin), "%s", v);
        e->pin_tries_max = (unsigned)jint(pin, "tries", 3);
        e->pin_tries = (unsigned)jint(pin, "tries_left", (int)e->pin_tries_max);
        e->pin_ref = (uint8_t)jint(pin, "reference", 1);
        int stored = jint(pin, "stored_length", 8);
        const char *pad = jstr(pin, "pad_char");
        size_t pl = 0;
        if (stored < (int)strlen(v) || stored > 16 ||
            (pad && (scb_util_hex_decode(pad, &e->pin_pad, 1, &pl) < 0 || pl != 1))) {
            return fail(l, "pin.stored_length must be the PIN length-16, pin.pad_char one "
                           "byte of hex");
        }
        e->pin_stored = (size_t)stored;
        if (pad == NULL) {
            e->pin_pad = 0xFF;
        }
    }
    json_object *scp;
    if (json_object_object_get_ex(root, "scp03", &scp)) {
        size_t l1 = 0, l2 = 0, l3 = 0, kl;
        const char *kv = jstr(scp, "kvn");
        if (!jstr(scp, "enc") || !jstr(scp, "mac") || !jstr(scp, "dek") ||
            scb_util_hex_decode(jstr(scp, "enc"), e->k_enc, sizeof(e->k_enc), &l1) < 0 ||
            scb_util_hex_decode(jstr(scp, "mac"), e->k_mac, sizeof(e->k_mac), &l2) < 0 ||
            scb_util_hex_decode(jstr(scp, "dek"), e->k_dek, sizeof(e->k_dek), &l3) < 0 ||
            l1 != l2 || l2 != l3 || (l1 != 16 && l1 != 24 && l1 != 32)) {
            return fail(l, "scp03 needs enc, mac and dek keys of 16, 24 or 32 bytes");
        }
        if (kv && (scb_util_hex_decode(kv, &e->kvn, 1, &kl) < 0 || kl != 1)) {
            return fail(l, "scp03.kvn must be one byte of hex");
        }
        if (kv == NULL) {
            e->kvn = 0x30;
        }
        const char *iusw = jstr(scp, "initialize_update_sw");
        uint8_t swb[2];
        size_t swl;
        if (iusw && (scb_util_hex_decode(iusw, swb, 2, &swl) < 0 || swl != 2)) {
            return fail(l, "scp03.initialize_update_sw must be 4 hex digits");
        }
        e->iu_sw = iusw ? (uint16_t)(swb[0] << 8 | swb[1]) : 0;
        e->k_len = l1;
        e->has_scp03 = 1;
    }
    if (json_object_object_get_ex(root, "faults", &faults)) {
        int n;
        if ((n = jint(faults, "remove_after", -1)) >= 0) {
            scb_emu_set_fault(e, SCB_EMU_FAULT_REMOVE, (unsigned)n, 0);
        } else if ((n = jint(faults, "reset_after", -1)) >= 0) {
            scb_emu_set_fault(e, SCB_EMU_FAULT_RESET, (unsigned)n, 0);
        } else if ((n = jint(faults, "sw_at", -1)) >= 0) {
            uint8_t sw[2];
            size_t sl;
            const char *s = jstr(faults, "sw");
            if (s == NULL || scb_util_hex_decode(s, sw, 2, &sl) < 0 || sl != 2) {
                return fail(l, "faults.sw must be 4 hex digits");
            }
            scb_emu_set_fault(e, SCB_EMU_FAULT_SW, (unsigned)n, (uint16_t)(sw[0] << 8 | sw[1]));
        }
    }
    return SCB_OK;
}

void emu_free_contents(struct scb_emu *e)
{
    for (size_t i = 0; i < e->mf.nfiles; i++) {
        free(e->mf.files[i].data);
    }
    for (size_t a = 0; a < e->napps; a++) {
        for (size_t i = 0; i < e->apps[a].nfiles; i++) {
            free(e->apps[a].files[i].data);
        }
    }
    free(e->log);
}

void scb_emu_free(struct scb_emu **e)
{
    if (e == NULL || *e == NULL) {
        return;
    }
    emu_free_contents(*e);
    free(*e);
    *e = NULL;
}

int scb_emu_load_json(const char *json, const char *basedir, struct scb_emu **out, char *err,
                      size_t errlen)
{
    struct loader l = {.basedir = basedir, .err = err, .errlen = errlen};
    json_object *root = NULL, *dir = NULL, *lw;
    int ret = SCB_E_PARSE;

    if (json == NULL || out == NULL) {
        return SCB_E_INVALID_ARG;
    }
    if ((l.e = calloc(1, sizeof(*l.e))) == NULL) {
        return SCB_E_NOMEM;
    }
    root = json_tokener_parse(json);
    if (root == NULL || !json_object_is_type(root, json_type_object)) {
        fail(&l, "profile is not a JSON object");
        goto out;
    }
    l.e->present = 1;
    dir = json_object_new_array();
    if ((ret = load_behaviour(&l, root)) < 0) {
        goto out;
    }
    if (json_object_object_get_ex(root, "lwm2m", &lw) && (ret = build_lwm2m(&l, lw, dir)) < 0) {
        goto out;
    }
    if ((ret = load_apps(&l, root)) < 0 || (ret = build_mf(&l, root, dir)) < 0) {
        goto out;
    }
    l.e->events = 0;
    scb_emu_log_clear(l.e);
    l.e->ch[0].open = 1;
    l.e->ch[0].df = -1;
    l.e->ch[0].ef = -1;
    *out = l.e;
    l.e = NULL;
    ret = SCB_OK;
out:
    json_object_put(dir);
    json_object_put(root);
    if (l.e) {
        scb_emu_free(&l.e);
    }
    return ret;
}

int scb_emu_load(const char *path, struct scb_emu **out, char *err, size_t errlen)
{
    char *text;
    size_t len;
    char dirbuf[PATH_MAX];
    int ret = scb_util_read_text(path, PROFILE_TEXT_MAX, &text, &len);

    if (ret < 0) {
        if (err) {
            snprintf(err, errlen, "cannot read profile '%s': %s", path, scb_error_string(ret));
        }
        return ret;
    }
    snprintf(dirbuf, sizeof(dirbuf), "%s", path);
    ret = scb_emu_load_json(text, dirname(dirbuf), out, err, errlen);
    free(text);
    return ret;
}

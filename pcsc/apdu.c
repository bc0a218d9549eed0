/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apdu.c: short APDU encoding and parsing (ISO 7816-4 cases 1-4) and the logical channel
 * bits of the class byte (TS 102 221 10.1.1).
 */
#include <string.h>

#include "scboot/apdu.h"

int scb_apdu_encode(const struct scb_apdu *a, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 4;

    if (a == NULL || out == NULL || len == NULL || a->lc > 255 ||
        (a->lc > 0 && a->data == NULL) || (a->has_le && (a->le == 0 || a->le > 256))) {
        return SCB_E_INVALID_ARG;
    }
    if (cap < 4 + (a->lc ? 1 + a->lc : 0) + (a->has_le ? 1 : 0)) {
        return SCB_E_BUFFER;
    }
    out[0] = a->cla;
    out[1] = a->ins;
    out[2] = a->p1;
    out[3] = a->p2;
    if (a->lc > 0) {
        out[n++] = (uint8_t)a->lc;
        memcpy(out + n, a->data, a->lc);
        n += a->lc;
    }
    if (a->has_le) {
        out[n++] = (uint8_t)(a->le & 0xFF); /* 256 -> 00 */
    }
    *len = n;
    return SCB_OK;
}

int scb_apdu_parse(const uint8_t *buf, size_t len, struct scb_apdu *a)
{
    if (buf == NULL || a == NULL || len < 4) {
        return SCB_E_PARSE;
    }
    memset(a, 0, sizeof(*a));
    a->cla = buf[0];
    a->ins = buf[1];
    a->p1 = buf[2];
    a->p2 = buf[3];
    if (len == 4) {
        return SCB_OK; /* case 1 */
    }
    if (len == 5) { /* case 2 */
        a->has_le = 1;
        a->le = buf[4] ? buf[4] : 256;
        return SCB_OK;
    }
    if (buf[4] == 0) {
        return SCB_E_PARSE; /* extended length: not supported here */
    }
    a->lc = buf[4];
    if (len == 5 + a->lc) { /* case 3 */
        a->data = buf + 5;
        return SCB_OK;
    }
    if (len == 6 + a->lc) { /* case 4 */
        a->data = buf + 5;
        a->has_le = 1;
        a->le = buf[5 + a->lc] ? buf[5 + a->lc] : 256;
        return SCB_OK;
    }
    return SCB_E_PARSE;
}

int scb_apdu_cla_for_channel(uint8_t base_cla, unsigned channel, uint8_t *cla)
{
    if (cla == NULL || channel > 19) {
        return SCB_E_INVALID_ARG;
    }
    if (channel <= 3) {
        /* first interindustry values: b7 = 0, channel in b2-b1, SM bits b4-b3 kept */
        *cla = (uint8_t)((base_cla & 0x8C) | channel);
    } else {
        /* further interindustry values: b7 = 1, channel - 4 in b4-b1, SM in b6 */
        *cla = (uint8_t)((base_cla & 0x80) | 0x40 | ((base_cla & 0x0C) ? 0x20 : 0) |
                         (channel - 4));
    }
    return SCB_OK;
}

int scb_apdu_cla_channel(uint8_t cla, unsigned *channel)
{
    if (channel == NULL || cla == 0xFF) {
        return SCB_E_INVALID_ARG;
    }
    if (cla & 0x40) {
        *channel = 4u + (cla & 0x0Fu);
    } else {
        *channel = cla & 0x03u;
    }
    return SCB_OK;
}

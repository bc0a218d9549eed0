/* SPDX-License-Identifier: Apache-2.0 */
/*
 * at_parse.c: AT answer parsing as a modem manager does it. A line ends at CR or LF (a modem
 * sends "\r\n<text>\r\n"; an echo ends with the command's own CR); empty lines are skipped.
 * Each line of the answer to the command in flight is, in this order: its echo (the command's
 * text again: echo is on until ATE0 and after every modem reset), a final result, the
 * information line the command expects (by its prefix, or bare for commands that answer
 * without one), or else unsolicited: a known URC, a vendor line, or another command's answer
 * (remembered, so an OK without the expected information line names what came instead).
 */
#include <stdio.h>
#include <string.h>

#include "at_parse.h"
#include "scboot/util.h"

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

void scb_at_parser_init(struct scb_at_parser *p, scb_at_urc_fn urc, void *ctx)
{
    memset(p, 0, sizeof(*p));
    p->cme = -1;
    p->urc = urc;
    p->urc_ctx = ctx;
}

void scb_at_parser_start(struct scb_at_parser *p, const char *cmd, const char *prefix, int bare)
{
    snprintf(p->cmd, sizeof(p->cmd), "%s", cmd ? cmd : "");
    snprintf(p->prefix, sizeof(p->prefix), "%s", prefix ? prefix : "");
    p->bare = bare;
    p->busy = 1;
    p->info[0] = '\0';
    p->have_info = 0;
    p->final = SCB_AT_PENDING;
    p->cme = -1;
    p->cme_text[0] = '\0';
    p->perr = SCB_AT_PERR_NONE;
    p->other[0] = '\0';
    p->lines = p->urcs = p->echoes = 0;
    /* a partial line left from before belongs to nothing we asked: keep assembling it (a URC
     * split across the command's write), the line-length bound still holds */
}

int scb_at_is_urc(const char *l)
{
    static const char *const known[] = {
        "RING",     "NO CARRIER", "+CRING:", "+CREG:",  "+CEREG:",  "+CGREG:", "+C5GREG:",
        "+CPIN:",   "+CMTI:",     "+CMT:",   "+CBM:",   "+CDS:",    "+CUSD:",  "+CGEV:",
        "+CTZV:",   "+CTZE:",     "+CIEV:",  "+QIND:",  "+QUSIM:",  "+QSTAT:", "+QSIMSTAT:",
        "+SIMCARD:", "+CPINR:",   "RDY",     "+PBREADY", "+CSCON:", "+CEDRXP:", "+CMEE:",
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (starts(l, known[i])) {
            return 1;
        }
    }
    /* vendor URCs: ^SYSSTART, ^SIMST:, %XSIM:, #QSS: ... */
    return l[0] == '^' || l[0] == '%' || l[0] == '#';
}

static int parse_final(struct scb_at_parser *p, const char *l)
{
    if (strcmp(l, "OK") == 0) {
        p->final = SCB_AT_OK;
    } else if (strcmp(l, "ERROR") == 0) {
        p->final = SCB_AT_ERROR;
    } else if (starts(l, "+CME ERROR:") || starts(l, "+CMS ERROR:")) {
        const char *v = l + 11;
        unsigned n = 0, digits = 0;
        p->final = l[3] == 'E' ? SCB_AT_CME : SCB_AT_CMS;
        while (*v == ' ') {
            v++;
        }
        while (*v >= '0' && *v <= '9' && digits < 6) {
            n = n * 10 + (unsigned)(*v++ - '0');
            digits++;
        }
        p->cme = digits > 0 && *v == '\0' ? (int)n : -1;
        snprintf(p->cme_text, sizeof(p->cme_text), "%.79s", l + 11 + (l[11] == ' '));
    } else {
        return 0;
    }
    return 1;
}

/* One complete line. 1: the final result, 0: go on, -1: perr set. */
static int take_line(struct scb_at_parser *p, const char *l)
{
    if (!p->busy) {
        if (p->urc) {
            p->urc(p->urc_ctx, l); /* between commands everything is unsolicited */
        }
        return 0;
    }
    if (++p->lines > SCB_AT_LINES_MAX) {
        p->perr = SCB_AT_PERR_TOO_MANY_LINES;
        return -1;
    }
    if (p->cmd[0] && strcmp(l, p->cmd) == 0) {
        p->echoes++;
        return 0;
    }
    if (parse_final(p, l)) {
        p->busy = 0;
        return 1;
    }
    /* a bare number (a session id, an IMEI, an ICCID; maybe quoted) is never a bare vendor
     * line ("SMS DONE", "PB DONE", "Call Ready" after a modem's boot) */
    int number = (l[0] >= '0' && l[0] <= '9') || l[0] == '"';
    int is_info = (p->prefix[0] && starts(l, p->prefix)) ||
                  (p->bare == SCB_AT_BARE_NUMBER && number) ||
                  (p->bare == 1 && !scb_at_is_urc(l) && l[0] != '+' && l[0] != '^');
    /* a bare answer may also come with the command's own prefix (+CCHO: 1, +CGSN: ...) */
    if (is_info) {
        if (p->have_info && scb_at_is_urc(p->info)) {
            /* +CPIN: is an answer and a URC: of two such lines before the final result, the
             * first was the unsolicited one (it came in while the command was in flight) */
            p->urcs++;
            if (p->urc) {
                p->urc(p->urc_ctx, p->info);
            }
        } else if (p->have_info) {
            p->perr = SCB_AT_PERR_TWO_ANSWERS;
            return -1;
        }
        snprintf(p->info, sizeof(p->info), "%s", l);
        p->have_info = 1;
        return 0;
    }
    if (!scb_at_is_urc(l) && l[0] == '+' && p->other[0] == '\0') {
        snprintf(p->other, sizeof(p->other), "%.79s", l); /* another command's answer? */
    }
    p->urcs++;
    if (p->urc) {
        p->urc(p->urc_ctx, l);
    }
    return 0;
}

int scb_at_parser_feed(struct scb_at_parser *p, const uint8_t *buf, size_t n, size_t *used)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t ch = buf[i];
        if (ch == '\r' || ch == '\n') {
            if (p->skipping) {
                p->skipping = 0;
                p->len = 0;
                continue;
            }
            while (p->len > 0 && p->line[p->len - 1] == ' ') {
                p->len--; /* trailing blanks some modems pad with */
            }
            if (p->len == 0) {
                continue;
            }
            p->line[p->len] = '\0';
            p->len = 0;
            int r = take_line(p, p->line);
            if (r != 0) {
                *used = i + 1;
                return r;
            }
            continue;
        }
        if (p->len >= SCB_AT_LINE_MAX) {
            p->perr = SCB_AT_PERR_LINE_TOO_LONG;
            p->skipping = 1; /* the caller may go on: the rest of this line is dropped */
            p->len = 0;
            *used = i + 1;
            return -1;
        }
        if (p->skipping) {
            continue;
        }
        /* a NUL would end the C string early, and a control or 8-bit byte (an escape
         * sequence in a verbose +CME ERROR text) would reach the user's terminal or log
         * through an error message: every such byte is a '?' (answers are ASCII) */
        p->line[p->len++] = ch < 0x20 || ch > 0x7E ? '?' : (char)ch;
    }
    *used = n;
    return 0;
}

int scb_at_parse_hexresp(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    unsigned long declared = 0;
    unsigned digits = 0;
    size_t k = 0;

    while (*s == ' ') {
        s++;
    }
    while (*s >= '0' && *s <= '9' && digits < 5) {
        declared = declared * 10 + (unsigned long)(*s++ - '0');
        digits++;
    }
    if (digits == 0 || *s != ',') {
        return -1;
    }
    s++;
    while (*s == ' ') {
        s++;
    }
    int quoted = *s == '"';
    s += quoted;
    const char *h = s;
    size_t hexlen = strspn(h, "0123456789abcdefABCDEF");
    char hex[SCB_AT_LINE_MAX + 1];
    s += hexlen;
    if (quoted && *s++ != '"') {
        return -1;
    }
    while (*s == ' ') {
        s++;
    }
    if (*s != '\0' || hexlen != declared || hexlen % 2 != 0 || hexlen / 2 > cap ||
        hexlen >= sizeof(hex)) {
        return -1; /* trailing bytes, a lying length, half a byte, more than asked for */
    }
    memcpy(hex, h, hexlen);
    hex[hexlen] = '\0';
    int ret = scb_util_hex_decode(hex, out, cap, &k);
    scb_util_zeroize(hex, hexlen); /* card data: the bootstrap file's keys */
    if (ret < 0 || k != hexlen / 2) {
        return -1;
    }
    *len = k;
    return 0;
}

const char *scb_at_cme_name(int n)
{
    switch (n) {
    case 0: return "phone failure";
    case 3: return "operation not allowed";
    case 4: return "operation not supported";
    case 5: return "PH-SIM PIN required";
    case 10: return "SIM not inserted";
    case 11: return "SIM PIN required";
    case 12: return "SIM PUK required";
    case 13: return "SIM failure";
    case 14: return "SIM busy";
    case 15: return "SIM wrong";
    case 16: return "incorrect password";
    case 21: return "invalid index";
    case 50: return "incorrect parameters";
    case 100: return "unknown";
    default: return NULL;
    }
}

void scb_at_final_text(const struct scb_at_parser *p, char *buf, size_t cap)
{
    const char *name;
    switch (p->final) {
    case SCB_AT_OK:
        snprintf(buf, cap, "OK");
        break;
    case SCB_AT_ERROR:
        snprintf(buf, cap, "ERROR");
        break;
    case SCB_AT_CME:
    case SCB_AT_CMS:
        name = p->final == SCB_AT_CME && p->cme >= 0 ? scb_at_cme_name(p->cme) : NULL;
        snprintf(buf, cap, "+CM%c ERROR: %s%s%s%s", p->final == SCB_AT_CME ? 'E' : 'S',
                 p->cme_text, name ? " (" : "", name ? name : "", name ? ")" : "");
        break;
    default:
        snprintf(buf, cap, "no final result");
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_at.c: the AT answer parser on what a hostile modem sends. The first byte picks the
 * command in flight (+CSIM, +CCHO bare, +CPIN?, none) and how the rest is cut into pieces;
 * every information line is then given to the +CSIM/+CGLA hex answer decoder. The parser
 * must never read or write past its bounds, a final result must come from a final line, and
 * no control or 8-bit byte may reach the texts that error messages quote.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "at_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_urc(void *ctx, const char *line)
{
    size_t *n = ctx;
    *n += strlen(line) > 0;
}

static int printable(const char *s)
{
    for (; *s; s++) {
        if (*s < 0x20 || *s > 0x7E) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cmds[][2] = {
        {"AT+CSIM=10,\"00A4000C02\"", "+CSIM:"}, {"AT+CCHO=\"A000\"", "+CCHO:"},
        {"AT+CPIN?", "+CPIN:"}, {"AT", NULL}};
    struct scb_at_parser p;
    size_t urcs = 0, off = 1;
    uint8_t out[300];
    size_t len;

    if (size < 1) {
        return 0;
    }
    unsigned pick = data[0] & 3, piece = 1u + (data[0] >> 2);
    scb_at_parser_init(&p, on_urc, &urcs);
    scb_at_parser_start(&p, cmds[pick][0], cmds[pick][1], pick == 1);
    while (off < size) {
        size_t used = 0, k = size - off < piece ? size - off : piece;
        int r = scb_at_parser_feed(&p, data + off, k, &used);
        if (used > k) {
            __builtin_trap();
        }
        off += used;
        /* what a modem sent reaches error messages: printable ASCII only, never an escape */
        if (!printable(p.cme_text) || !printable(p.info) || !printable(p.other)) {
            __builtin_trap();
        }
        if (r == 1) {
            if (p.have_info) {
                const char *v = p.info + strlen(cmds[pick][1] ? cmds[pick][1] : "");
                if (strlen(p.info) > SCB_AT_LINE_MAX ||
                    (scb_at_parse_hexresp(v, out, sizeof(out), &len) == 0 && len > sizeof(out))) {
                    __builtin_trap();
                }
            }
            /* the next command on the rest */
            scb_at_parser_start(&p, cmds[pick][0], cmds[pick][1], pick == 1);
        } else if (r < 0) {
            scb_at_parser_start(&p, cmds[pick][0], cmds[pick][1], pick == 1);
        }
    }
    return 0;
}

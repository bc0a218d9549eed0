/* SPDX-License-Identifier: Apache-2.0 */
/*
 * at_parse.h: the AT answer parser of the modem transport (pcsc/at.c), without any file
 * descriptor: bytes go in, and out come the information lines of the command in flight, its
 * final result (OK, ERROR, +CME ERROR: <n> or <text>, +CMS ERROR), and the unsolicited result
 * codes that arrived on the way. Every buffer and count is bounded, so a hostile modem (a line
 * without end, endless URCs, a second answer, another command's answer) ends in an error.
 */
#ifndef SCBOOT_AT_PARSE_H
#define SCBOOT_AT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* the longest line: +CSIM: 516,"<256 data + SW as 516 hex>" plus room for vendor padding */
#define SCB_AT_LINE_MAX 1100
#define SCB_AT_CMD_MAX 1100
#define SCB_AT_PREFIX_MAX 16
/* lines one command may see before its final result (echo, info, URCs): past this the
 * modem is flooding us */
#define SCB_AT_LINES_MAX 64
/* bare: a bare information line must be a number (maybe quoted): a session id, an IMEI, an
 * ICCID; a modem's unprefixed boot lines ("SMS DONE") are then not taken for it */
#define SCB_AT_BARE_NUMBER 2

enum scb_at_final {
    SCB_AT_PENDING = 0,
    SCB_AT_OK = 1,
    SCB_AT_ERROR = 2,      /**< plain ERROR */
    SCB_AT_CME = 3,        /**< +CME ERROR: numeric (cme >= 0) or verbose (cme_text) */
    SCB_AT_CMS = 4,        /**< +CMS ERROR: (SMS; a modem may use it for anything) */
};

/** Parser errors (beside the final results): what went wrong with the answer itself. */
enum scb_at_perr {
    SCB_AT_PERR_NONE = 0,
    SCB_AT_PERR_LINE_TOO_LONG,  /**< a line longer than SCB_AT_LINE_MAX (a line without end) */
    SCB_AT_PERR_TOO_MANY_LINES, /**< more than SCB_AT_LINES_MAX lines before the final result */
    SCB_AT_PERR_TWO_ANSWERS,    /**< a second information line where one is expected */
};

typedef void (*scb_at_urc_fn)(void *ctx, const char *line);

struct scb_at_parser {
    /* the command in flight (its text, to recognise the echo) and the answer it expects */
    char cmd[SCB_AT_CMD_MAX];
    char prefix[SCB_AT_PREFIX_MAX]; /**< "+CSIM:" ...; empty: no information line with one */
    int bare;                       /**< a bare information line (no prefix) is the answer */
    int busy;                       /**< a command is in flight */
    /* the line being assembled */
    char line[SCB_AT_LINE_MAX + 1];
    size_t len;
    int skipping;                   /**< inside an over-long line: drop to its end */
    /* the answer */
    char info[SCB_AT_LINE_MAX + 1];
    int have_info;
    enum scb_at_final final;
    int cme;                        /**< numeric +CME ERROR, or -1 */
    char cme_text[80];              /**< verbose +CME ERROR text (or the numeric one as text) */
    enum scb_at_perr perr;
    char other[80];                 /**< the first line that looked like another command's answer */
    unsigned lines, urcs, echoes;
    scb_at_urc_fn urc;
    void *urc_ctx;
};

/** Reset the parser (no command in flight; URCs still reported through urc). */
void scb_at_parser_init(struct scb_at_parser *p, scb_at_urc_fn urc, void *ctx);
/**
 * A new command is in flight: its text (without the CR) and the answer it expects.
 * \param prefix the information line's prefix ("+CSIM:"), or NULL for none
 * \param bare   1: a line without a prefix (not a URC) is the information line;
 *               SCB_AT_BARE_NUMBER: only one that starts with a digit or a quote
 */
void scb_at_parser_start(struct scb_at_parser *p, const char *cmd, const char *prefix, int bare);
/**
 * Feed bytes. Consumes up to the end of the final result's line (*used says how far; the
 * rest belongs to the next command or is unsolicited).
 * \return 1: the final result is in (p->final), 0: more bytes needed, -1: p->perr says why
 */
int scb_at_parser_feed(struct scb_at_parser *p, const uint8_t *buf, size_t n, size_t *used);
/** True for a line a modem sends unsolicited (RING, +CREG:, +CPIN:, ^SYSSTART, ...). */
int scb_at_is_urc(const char *line);
/** Parse "<len>,\"<hex>\"" (the rest of a +CSIM:/+CGLA: line): checks the length against the
 * hex, decodes into out. 0 or -1 (lying length, odd or non-hex data, too long). */
int scb_at_parse_hexresp(const char *s, uint8_t *out, size_t cap, size_t *len);
/** A final result's text ("OK", "+CME ERROR: 10 (SIM not inserted)") for messages. */
void scb_at_final_text(const struct scb_at_parser *p, char *buf, size_t cap);
/** What a 27.007 CME error number means ("SIM not inserted"), or NULL. */
const char *scb_at_cme_name(int n);

#endif

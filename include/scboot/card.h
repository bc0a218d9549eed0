/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot card access: the transport interface (one ops table for pcsc-lite, the emulator and
 * the SCP03 filter), the APDU layer (cases 1-4, 61xx/9Fxx GET RESPONSE, 6Cxx re-send,
 * logical channels in CLA, trace) and the UICC commands (TS 102 221) the bootstrap walk needs.
 */
#ifndef SCBOOT_CARD_H
#define SCBOOT_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/error.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_APDU_CMD_MAX 261  /**< 4 header + Lc + 255 data + Le */
#define SCB_APDU_RSP_MAX 258  /**< 256 data + SW1 SW2 */
#define SCB_ATR_MAX 33
#define SCB_READER_NAME_MAX 256
#define SCB_MAX_FILE_SIZE 32768 /**< LwM2M G.3: EF LwM2M_Bootstrap is at most 32 KB */

/* ---- transport ---------------------------------------------------------------------- */

/** What a transport knows about its card and reader. */
struct scb_card_status {
    int present;                   /**< a card is in the reader and powered */
    uint8_t atr[SCB_ATR_MAX];
    size_t atr_len;
    uint32_t event_count;          /**< goes up on every insert/remove/reset (pcsc-lite >> 16) */
    int protocol;                  /**< 0 = T=0, 1 = T=1, -1 unknown */
    char reader[SCB_READER_NAME_MAX];
};

/**
 * Operations of a card transport. transmit sends one APDU as it is and returns the raw
 * response including SW1 SW2; it neither follows 61xx nor re-sends on 6Cxx (the APDU layer
 * does). begin/end bracket a multi-APDU sequence (SCardBeginTransaction); may be NULL.
 */
struct scb_transport_ops {
    const char *name;
    int (*transmit)(void *self, const uint8_t *cmd, size_t clen, uint8_t *rsp, size_t rcap,
                    size_t *rlen);
    /** reset != 0: reset the card (warm reset); 0: reconnect after a reset by someone else. */
    int (*reconnect)(void *self, int reset);
    int (*status)(void *self, struct scb_card_status *st);
    int (*begin)(void *self);
    int (*end)(void *self);
    /** Frees self (and nothing it borrows). */
    void (*destroy)(void *self);
};

struct scb_transport {
    const struct scb_transport_ops *ops;
    void *self;
};

/** Allocate a transport handle around ops/self. Ownership of self passes to the handle. */
struct scb_transport *scb_transport_new(const struct scb_transport_ops *ops, void *self);
/** Destroy the transport (ops->destroy) and set *t to NULL. Idempotent. */
void scb_transport_free(struct scb_transport **t);

/**
 * A transport for a reader that is there but holds no card: status says present = 0 (OK),
 * every APDU fails with SCB_E_NO_CARD. R4: the card's instances go (scb_card_check).
 */
struct scb_transport *scb_transport_empty_reader(const char *reader);
/**
 * A transport for a reader (or pcscd) that cannot be reached: status and every APDU fail
 * with err (SCB_E_NO_SERVICE, SCB_E_NO_READERS, ...). The card's state is unknown: kept.
 */
struct scb_transport *scb_transport_unreachable(int err);

int scb_transport_transmit(struct scb_transport *t, const uint8_t *cmd, size_t clen,
                           uint8_t *rsp, size_t rcap, size_t *rlen);
int scb_transport_status(struct scb_transport *t, struct scb_card_status *st);
int scb_transport_reconnect(struct scb_transport *t, int reset);
int scb_transport_begin(struct scb_transport *t);
int scb_transport_end(struct scb_transport *t);

/* ---- APDU layer --------------------------------------------------------------------- */

/** A short command APDU. Case is derived: lc > 0 -> data; has_le -> Le (0 means 256). */
struct scb_apdu {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data;
    size_t lc;
    int has_le;
    size_t le; /**< 1..256; 256 encodes as 00 */
};

/** Encode a short APDU (cases 1-4). out must hold SCB_APDU_CMD_MAX. */
int scb_apdu_encode(const struct scb_apdu *a, uint8_t *out, size_t cap, size_t *len);
/** Parse a short APDU (data points into buf). A 5-byte APDU is case 2 (Le). */
int scb_apdu_parse(const uint8_t *buf, size_t len, struct scb_apdu *a);

/** CLA for an interindustry class byte on a logical channel (0-3: 0x0c|ch; 4-19: 0x40|ch-4). */
int scb_cla_for_channel(uint8_t base_cla, unsigned channel, uint8_t *cla);
/** The logical channel a CLA byte addresses. */
int scb_cla_channel(uint8_t cla, unsigned *channel);

enum scb_trace_dir { SCB_TRACE_CMD = 0, SCB_TRACE_RSP = 1 };
/** Redaction bits: command data (PIN blocks), response data (secret file bytes). */
#define SCB_REDACT_CMD 1
#define SCB_REDACT_RSP 2
typedef void (*scb_trace_fn)(void *ctx, enum scb_trace_dir dir, const uint8_t *buf,
                             size_t len, int redacted);

/**
 * A card session: a borrowed transport plus APDU accounting and trace. Not thread-safe.
 */
struct scb_card {
    struct scb_transport *tr; /**< borrowed */
    scb_trace_fn trace;
    void *trace_ctx;
    int redact;               /**< SCB_REDACT_* bits: what the trace must not show */
    unsigned apdus;           /**< APDUs sent (including GET RESPONSE and re-sends) */
    size_t bytes_out, bytes_in;
    unsigned max_chain;       /**< bound on 61xx/6Cxx follow-ups per command (default 128) */
    int last_resent;          /**< the last transceive re-sent after 6Cxx (Le corrected) */
    uint16_t last_sw;         /**< the final status word of the last command (0: none yet) */
    uint8_t last_hdr[4];      /**< CLA INS P1 P2 of the last command (as sent, unwrapped) */
};

void scb_card_init(struct scb_card *c, struct scb_transport *tr);

/**
 * Send a command and collect the whole response: 61xx and 9Fxx are followed by GET RESPONSE
 * (repeatedly, data concatenated), 6Cxx re-sends the command with Le = xx. data receives the
 * response data (without SW), *sw the final status word. Returns SCB_OK whenever the card
 * answered (check *sw), or a transport error.
 */
int scb_card_transceive(struct scb_card *c, const struct scb_apdu *a, uint8_t *data,
                        size_t cap, size_t *dlen, uint16_t *sw);

/* ---- UICC file access ---------------------------------------------------------------- */

enum scb_ef_structure {
    SCB_EF_UNKNOWN = 0,
    SCB_EF_TRANSPARENT = 1,
    SCB_EF_LINEAR_FIXED = 2,
    SCB_EF_CYCLIC = 6,
    SCB_DF = 0x38,
};

/** Parsed File Control Parameters (tag 62, TS 102 221 11.1.1.3). */
struct scb_fcp {
    uint8_t descriptor;       /**< 82 first byte */
    enum scb_ef_structure structure;
    uint16_t record_len;
    uint8_t record_count;
    int has_fid;
    uint16_t fid;
    uint8_t aid[16];
    size_t aid_len;
    int has_size;
    size_t size;              /**< 80: file size */
    int has_total_size;
    size_t total_size;        /**< 81 */
    int has_lcsi;
    uint8_t lcsi;
    int has_sfi;
    uint8_t sfi;              /**< 0 when 88 is present and empty (no SFI) */
    uint8_t sec_attr_tag;     /**< 8B, 8C or AB; 0 none */
    uint8_t sec_attr[32];
    size_t sec_attr_len;
    size_t pin_count;         /**< from the C6 PIN status template */
    uint8_t pin_ref[8];       /**< key references (83) */
    uint8_t pin_enabled[8];   /**< 1 when the PS_DO (90) marks that PIN enabled */
};

/** Parse an FCP template. Strict on lengths, tolerant of unknown tags. */
int scb_fcp_parse(const uint8_t *buf, size_t len, struct scb_fcp *fcp);

/** MANAGE CHANNEL open: *channel receives the number the card assigned. */
int scb_uicc_open_channel(struct scb_card *c, unsigned *channel);
int scb_uicc_close_channel(struct scb_card *c, unsigned channel);

enum scb_select_mode {
    SCB_SELECT_FID = 0x00,
    SCB_SELECT_AID = 0x04,
    SCB_SELECT_PATH_MF = 0x08,
    SCB_SELECT_PATH_DF = 0x09,
};
/**
 * SELECT. fcp == NULL selects with P2=0C (no response data, no GET RESPONSE spent);
 * otherwise P2=04 and the FCP is parsed into *fcp.
 */
int scb_uicc_select(struct scb_card *c, unsigned channel, enum scb_select_mode mode,
                    const uint8_t *id, size_t idlen, struct scb_fcp *fcp);

/**
 * READ BINARY of the current EF (sfi == 0) or by SFI (first command only: the SFI selects
 * the file, later chunks use the offset form). Reads up to len bytes from offset in as few
 * commands as possible (256 per command). A short answer (fewer bytes than asked with 9000 or
 * 6282, or 6Cxx on T=0) is the end of the file: nothing is read past it (SPEC.md 11). *got
 * receives the bytes read.
 */
int scb_uicc_read_binary(struct scb_card *c, unsigned channel, uint8_t sfi, size_t offset,
                         uint8_t *buf, size_t len, size_t *got);
/**
 * READ BINARY of exactly len bytes the file is known to hold (FCP size, G.3.4 header): a
 * 9000 answer with fewer bytes than asked (secure messaging overhead, a small card buffer)
 * advances by what came; 6282 / 6Cxx / 6B00 still end the file early.
 */
int scb_uicc_read_binary_known(struct scb_card *c, unsigned channel, size_t offset,
                               uint8_t *buf, size_t len, size_t *got);

/** READ RECORD (absolute mode) of the current EF (sfi 0) or by SFI. Le 0 = "up to 256". */
int scb_uicc_read_record(struct scb_card *c, unsigned channel, uint8_t sfi, uint8_t rec,
                         size_t le, uint8_t *buf, size_t cap, size_t *len);

/**
 * VERIFY PIN (P2 = key reference). The PIN is padded with FF to 8 bytes. *tries_left gets x
 * from 63Cx (or -1). Never retried automatically.
 */
int scb_uicc_verify_pin(struct scb_card *c, unsigned channel, uint8_t ref, const char *pin,
                        int *tries_left);
/** VERIFY with a ready PIN block (as the AODF's PIN attributes say). Errors as above. */
int scb_uicc_verify(struct scb_card *c, unsigned channel, uint8_t ref, const uint8_t *block,
                    size_t len, int *tries_left);

/** Decode an ICCID from swapped-nibble BCD (F padding) into digits. */
int scb_iccid_decode(const uint8_t *bcd, size_t len, char *out, size_t cap);
/**
 * Read EF ICCID (2FE2, SFI 02, under the MF) on the basic channel: READ BINARY by SFI, and on
 * a card that refuses SFI (6A81, 6A82, 6986) SELECT by path from the MF + READ BINARY.
 */
int scb_uicc_read_iccid(struct scb_card *c, char *out, size_t cap);
/** A status word that refuses short-file-identifier addressing (6A81, 6A82, 6986). */
int scb_sw_sfi_refused(uint16_t sw);

/* ---- reader selection (pure, testable) ----------------------------------------------- */

/**
 * Pick a reader by spec: an exact name, a decimal index, or a unique substring.
 * Returns SCB_E_READER_NOT_FOUND / SCB_E_READER_AMBIGUOUS accordingly.
 */
int scb_reader_match(const char *const *names, size_t n, const char *spec, size_t *idx);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

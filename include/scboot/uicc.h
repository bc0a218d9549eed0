/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot UICC commands (pcsc/uicc.c, TS 102 221) the bootstrap walk needs: FCP parsing,
 * MANAGE CHANNEL, SELECT, READ BINARY / RECORD, VERIFY, EF ICCID.
 */
#ifndef SCBOOT_UICC_H
#define SCBOOT_UICC_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/card.h"
#include "scboot/error.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_MAX_FILE_SIZE 32768 /**< LwM2M G.3: EF LwM2M_Bootstrap is at most 32 KB */

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

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

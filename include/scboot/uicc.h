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

/** The most bytes one READ BINARY call (scb_uicc_read_binary*) reads: the largest
 *  transparent EF this library reads, EF LwM2M_Bootstrap (SCB_MAX_FILE_SIZE in bsfile.h, the
 *  file format's limit; card access does not include the LwM2M side, so it has its own name) */
#define SCB_UICC_MAX_READ 32768

/** File structure from the file descriptor byte (TS 102 221 11.1.1.4.3). */
enum scb_ef_structure {
    SCB_EF_UNKNOWN = 0,      /**< not given or not known */
    SCB_EF_TRANSPARENT = 1,  /**< transparent EF */
    SCB_EF_LINEAR_FIXED = 2, /**< linear fixed EF (records) */
    SCB_EF_CYCLIC = 6,       /**< cyclic EF */
    SCB_DF = 0x38,           /**< a DF or ADF */
};

/** Parsed File Control Parameters (tag 62, TS 102 221 11.1.1.3). */
struct scb_fcp {
    uint8_t descriptor;       /**< 82 first byte */
    enum scb_ef_structure structure; /**< from the descriptor byte */
    uint16_t record_len;      /**< record length (record EFs) */
    uint8_t record_count;     /**< number of records (record EFs) */
    int has_fid;              /**< tag 83 present */
    uint16_t fid;             /**< 83: file identifier */
    uint8_t aid[16];          /**< 84: DF name (AID) */
    size_t aid_len;           /**< bytes used in aid */
    int has_size;             /**< tag 80 present */
    size_t size;              /**< 80: file size */
    int has_total_size;       /**< tag 81 present */
    size_t total_size;        /**< 81 */
    int has_lcsi;             /**< tag 8A present */
    uint8_t lcsi;             /**< 8A: life cycle status */
    int has_sfi;              /**< tag 88 present */
    uint8_t sfi;              /**< 0 when 88 is present and empty (no SFI) */
    uint8_t sec_attr_tag;     /**< 8B, 8C or AB; 0 none */
    uint8_t sec_attr[32];     /**< the security attributes' value */
    size_t sec_attr_len;      /**< bytes used in sec_attr */
    size_t pin_count;         /**< from the C6 PIN status template */
    uint8_t pin_ref[8];       /**< key references (83) */
    uint8_t pin_enabled[8];   /**< 1 when the PS_DO (90) marks that PIN enabled */
};

/**
 * Parse an FCP template. Strict on lengths, tolerant of unknown tags.
 * \param buf the template (tag 62)
 * \param len number of bytes at buf
 * \param fcp receives the parameters
 * \return SCB_OK or SCB_E_FCP_MALFORMED
 */
int scb_uicc_fcp_parse(const uint8_t *buf, size_t len, struct scb_fcp *fcp);

/**
 * MANAGE CHANNEL open: *channel receives the number the card assigned.
 * \param c       the card session
 * \param channel receives the channel number
 * \return SCB_OK or a negative scb_err (SCB_E_NO_CHANNEL: none free)
 */
int scb_uicc_open_channel(struct scb_card *c, unsigned *channel);
/**
 * MANAGE CHANNEL close.
 * \param c       the card session
 * \param channel the channel to close
 * \return SCB_OK or a negative scb_err
 */
int scb_uicc_close_channel(struct scb_card *c, unsigned channel);

/** SELECT by (P1 of the command). */
enum scb_select_mode {
    SCB_SELECT_FID = 0x00,     /**< file identifier */
    SCB_SELECT_AID = 0x04,     /**< DF name (AID) */
    SCB_SELECT_PATH_MF = 0x08, /**< path from the MF */
    SCB_SELECT_PATH_DF = 0x09, /**< path from the current DF */
};
/**
 * SELECT. fcp == NULL selects with P2=0C (no response data, no GET RESPONSE spent);
 * otherwise P2=04 and the FCP is parsed into *fcp.
 * \param c       the card session
 * \param channel the logical channel
 * \param mode    what id is
 * \param id      the identifier, AID or path
 * \param idlen   number of bytes at id
 * \param fcp     receives the FCP, or NULL
 * \return SCB_OK or a negative scb_err (status words mapped by scb_error_from_sw())
 */
int scb_uicc_select(struct scb_card *c, unsigned channel, enum scb_select_mode mode,
                    const uint8_t *id, size_t idlen, struct scb_fcp *fcp);

/**
 * READ BINARY of the current EF (sfi == 0) or by SFI (first command only: the SFI selects
 * the file, later chunks use the offset form). Reads up to len bytes from offset in as few
 * commands as possible (256 per command). A short answer (fewer bytes than asked with 9000 or
 * 6282, or 6Cxx on T=0) is the end of the file: nothing is read past it (TS 102 221 and
 * ISO 7816-4 leave reading past the end undefined). *got receives the bytes read.
 * \param c       the card session
 * \param channel the logical channel
 * \param sfi     short file identifier, or 0 for the current EF
 * \param offset  first byte to read
 * \param buf     receives the bytes
 * \param len     number of bytes to read (buf holds len), at most SCB_UICC_MAX_READ
 * \param got     receives the number of bytes read
 * \return SCB_OK or a negative scb_err
 */
int scb_uicc_read_binary(struct scb_card *c, unsigned channel, uint8_t sfi, size_t offset,
                         uint8_t *buf, size_t len, size_t *got);
/**
 * READ BINARY of exactly len bytes the file is known to hold (FCP size, G.3.4 header): a
 * 9000 answer with fewer bytes than asked (secure messaging overhead, a small card buffer)
 * advances by what came; 6282 / 6Cxx / 6B00 still end the file early.
 * \param c       the card session
 * \param channel the logical channel
 * \param offset  first byte to read
 * \param buf     receives the bytes
 * \param len     number of bytes to read (buf holds len), at most SCB_UICC_MAX_READ
 * \param got     receives the number of bytes read
 * \return SCB_OK or a negative scb_err
 */
int scb_uicc_read_binary_known(struct scb_card *c, unsigned channel, size_t offset,
                               uint8_t *buf, size_t len, size_t *got);

/**
 * READ RECORD (absolute mode) of the current EF (sfi 0) or by SFI. Le 0 = "up to 256".
 * \param c       the card session
 * \param channel the logical channel
 * \param sfi     short file identifier, or 0 for the current EF
 * \param rec     record number (1-254)
 * \param le      expected length, 0 = up to 256
 * \param buf     receives the record
 * \param cap     size of buf
 * \param len     receives the record length
 * \return SCB_OK or a negative scb_err
 */
int scb_uicc_read_record(struct scb_card *c, unsigned channel, uint8_t sfi, uint8_t rec,
                         size_t le, uint8_t *buf, size_t cap, size_t *len);

/**
 * VERIFY PIN (P2 = key reference). The PIN is padded with FF to 8 bytes. *tries_left gets x
 * from 63Cx (or -1). Never retried automatically.
 * \param c          the card session
 * \param channel    the logical channel
 * \param ref        key reference
 * \param pin        the PIN digits, read during the call only
 * \param tries_left receives the tries left, or -1 when unknown (may be NULL)
 * \return SCB_OK, SCB_E_PIN_WRONG, SCB_E_PIN_BLOCKED or another negative scb_err
 */
int scb_uicc_verify_pin(struct scb_card *c, unsigned channel, uint8_t ref, const char *pin,
                        int *tries_left);
/**
 * VERIFY with a ready PIN block (as the AODF's PIN attributes say). Errors as above.
 * \param c          the card session
 * \param channel    the logical channel
 * \param ref        key reference
 * \param block      the PIN block, read during the call only
 * \param len        number of bytes at block
 * \param tries_left receives the tries left, or -1 when unknown (may be NULL)
 * \return SCB_OK, SCB_E_PIN_WRONG, SCB_E_PIN_BLOCKED or another negative scb_err
 */
int scb_uicc_verify(struct scb_card *c, unsigned channel, uint8_t ref, const uint8_t *block,
                    size_t len, int *tries_left);

/**
 * Decode an ICCID from swapped-nibble BCD (F padding) into digits.
 * \param bcd the EF ICCID content
 * \param len number of bytes at bcd
 * \param out receives the NUL-terminated digits
 * \param cap size of out
 * \return SCB_OK or a negative scb_err (not BCD, out too small)
 */
int scb_uicc_iccid_decode(const uint8_t *bcd, size_t len, char *out, size_t cap);
/**
 * Read EF ICCID (2FE2, SFI 02, under the MF) on the basic channel: READ BINARY by SFI, and on
 * a card that refuses SFI (6A81, 6A82, 6986) SELECT by path from the MF + READ BINARY.
 * \param c   the card session
 * \param out receives the NUL-terminated digits
 * \param cap size of out
 * \return SCB_OK or a negative scb_err
 */
int scb_uicc_read_iccid(struct scb_card *c, char *out, size_t cap);
/**
 * Whether a status word refuses short-file-identifier addressing (6A81, 6A82, 6986).
 * \param sw SW1 SW2
 * \return 1 when it does, else 0
 */
int scb_uicc_sw_sfi_refused(uint16_t sw);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

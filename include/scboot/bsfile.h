/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot G.3.4 EF LwM2M_Bootstrap container (bootstrap/codec/bsfile.c): decode, encode and the
 * length its header covers.
 */
#ifndef SCBOOT_BSFILE_H
#define SCBOOT_BSFILE_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/tlv.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** LwM2M G.3: EF LwM2M_Bootstrap is at most 32 KB. Card access reads it with
 *  scb_uicc_read_binary(), whose own limit (SCB_UICC_MAX_READ in uicc.h) is at least this. */
#define SCB_MAX_FILE_SIZE 32768

/**
 * Decode an EF LwM2M_Bootstrap image (G.3.4): u16 object count, u16 size, then records
 * (u16 object ID, version 00 | major minor, u16 length, TLV). Bytes after 4 + size are
 * padding. cfg must be initialised (scb_config_init) and is filled only on success.
 * \param buf the image
 * \param len number of bytes at buf
 * \param cfg receives the configuration (the caller frees it: scb_config_free())
 * \param err receives where and why decoding stopped (may be NULL)
 * \return SCB_OK, SCB_E_DECODE or SCB_E_NOMEM
 */
int scb_bsfile_decode(const uint8_t *buf, size_t len, struct scb_config *cfg,
                      struct scb_decode_error *err);
/**
 * Encode a configuration as an EF LwM2M_Bootstrap image; pad appends that many FF bytes.
 * \param cfg the configuration
 * \param pad number of FF padding bytes after the image
 * \param out the buffer the image is appended to
 * \return SCB_OK or a negative scb_err: SCB_E_TOO_LARGE (over SCB_MAX_FILE_SIZE), SCB_E_NOMEM,
 *         SCB_E_INVALID_ARG (an argument is NULL, or cfg does not fit the TLV form: a
 *         single-instance resource holding several values, an empty object; see
 *         scb_validate() for a sentence on what is wrong)
 */
int scb_bsfile_encode(const struct scb_config *cfg, size_t pad, struct scb_buf *out);
/**
 * Bytes of the image the header covers.
 * \param buf the start of an image
 * \param len number of bytes at buf
 * \return 4 + size, or 0 if the header is incomplete
 */
size_t scb_bsfile_total_len(const uint8_t *buf, size_t len);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot SenML codecs (RFC 8428; LwM2M 1.1 7.4.4-7.4.5): SenML JSON (content
 * format 110, parsed with json-c) and SenML CBOR (112, parsed with libcbor) for
 * Bootstrap-Write payloads, decoded into the same configuration model as TLV; and the encoders
 * Bootstrap-Read uses. Every input is hostile: decoding never reads out of bounds, bounds the
 * nesting and the declared sizes before anything is allocated, and reports the first error.
 */
#ifndef SCBOOT_SENML_H
#define SCBOOT_SENML_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/model.h"
#include "scboot/tlv.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

#define SCB_CF_SENML_JSON 110 /**< CoAP content format: application/senml+json */
#define SCB_CF_SENML_CBOR 112 /**< CoAP content format: application/senml+cbor */

/** A SenML pack larger than this is refused before parsing (SCB_E_TOO_LARGE). */
#define SCB_SENML_MAX_INPUT 65536u

/**
 * Decode the SenML JSON (cf 110) or SenML CBOR (cf 112) pack of a Bootstrap-Write on the path
 * ids[0..depth) (1 = /o, 2 = /o/i, 3 = /o/i/r) into cfg (initialised by the caller): every
 * record's name (bn + n) must be /o/i/r or /o/i/r/ri under that path. Values are checked
 * against the resource's type and stored in their TLV value form; resources without a type
 * (other objects, unknown resources of 0/1/2/21) keep the value in the form its SenML field
 * gives (v: integer or float, vs: bytes, vb: 1 byte, vd: bytes, vlo: 4 bytes), as TLV would.
 * Returns 0, SCB_E_DECODE (err filled: the record's index in offset, the path when known),
 * SCB_E_TOO_LARGE over SCB_SENML_MAX_INPUT, SCB_E_UNSUPPORTED for another cf, SCB_E_NOMEM.
 * \param cf    SCB_CF_SENML_JSON or SCB_CF_SENML_CBOR
 * \param buf   the pack
 * \param len   number of bytes at buf
 * \param ids   the request path's IDs
 * \param depth number of IDs (1-3)
 * \param cfg   the configuration the values are added to
 * \param err   receives where and why decoding stopped (may be NULL)
 * \return as above
 */
int scb_senml_decode(unsigned cf, const uint8_t *buf, size_t len, const uint16_t *ids, int depth,
                     struct scb_config *cfg, struct scb_decode_error *err);

/**
 * Encode object o (iid < 0: all its instances, else that one instance) as a SenML pack in
 * format cf (110 or 112). The first record carries bn "/o/" and names are "i/r" or "i/r/ri".
 * Values take the field of the resource's type (v, vs, vb, vlo; vd for opaque and unknown).
 * \param cf  SCB_CF_SENML_JSON or SCB_CF_SENML_CBOR
 * \param o   the object
 * \param iid the instance ID, or negative for all instances
 * \param out the buffer the pack is appended to
 * \return SCB_OK, SCB_E_UNSUPPORTED (another cf), SCB_E_INVALID_ARG or another negative
 *         scb_err (SCB_E_NOMEM)
 */
int scb_senml_encode(unsigned cf, const struct scb_object *o, int iid, struct scb_buf *out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* codec_internal.h: what the codec files share and the public API does not show. */
#ifndef SCB_CODEC_INTERNAL_H
#define SCB_CODEC_INTERNAL_H

#include "scboot/tlv.h"

/* Fill *err (may be NULL) with the rule, offset, path and message; returns SCB_E_DECODE. */
__attribute__((format(printf, 5, 6))) int scb_decode_fail(struct scb_decode_error *err,
                                                          const char *rule, size_t off,
                                                          const char *path, const char *fmt,
                                                          ...);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot image entry (bootstrap/image.c): the one check every EF LwM2M_Bootstrap image goes
 * through, card and factory file alike. It joins the container codec (bsfile.h) and the
 * validator (validate.h), so it sits above both: the validator's rules decode nothing.
 */
#ifndef SCBOOT_IMAGE_H
#define SCBOOT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "scboot/model.h"
#include "scboot/validate.h"

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/**
 * Decode an EF LwM2M_Bootstrap image (G.3.4) and validate the configuration it holds
 * (scb_validate; the network Finish calls that directly). A decode error is appended to the
 * report as a violation (container rule, e.g. file-too-large, record-overrun).
 * \param image the image bytes (may be NULL when len is 0)
 * \param len its length; beyond SCB_MAX_FILE_SIZE it is refused as file-too-large
 * \param p the client profile, NULL for scb_profile_default()
 * \param src where the image comes from (card or factory file)
 * \param cfg initialised (scb_config_init) and empty; on success it holds the configuration
 *        (caller frees with scb_config_free) whatever the report says
 * \param rep the report the violations are appended to (initialised zeroed; caller frees)
 * \return SCB_OK when the image decoded and the check ran (look at the report),
 *         SCB_E_DECODE when it did not decode (the report says why), another negative
 *         error (SCB_E_INVALID_ARG, SCB_E_NOMEM) when the check could not run
 */
int scb_image_validate(const uint8_t *image, size_t len, const struct scb_profile *p,
                       enum scb_source src, struct scb_config *cfg, struct scb_report *rep);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c: decode an EF LwM2M_Bootstrap image and validate it. Above the codecs and the
 * validator, so that neither reaches the other: the container decoder reports what stops it
 * (file-too-large first), the report takes that in as a violation.
 */
#include <stddef.h>
#include <stdint.h>

#include "scboot/bsfile.h"
#include "scboot/error.h"
#include "scboot/image.h"
#include "scboot/validate.h"

int scb_image_validate(const uint8_t *image, size_t len, const struct scb_profile *p,
                       enum scb_source src, struct scb_config *cfg, struct scb_report *rep)
{
    struct scb_decode_error derr = {0};
    int ret;

    if (cfg == NULL || rep == NULL || (image == NULL && len > 0)) {
        return SCB_E_INVALID_ARG;
    }
    if ((ret = scb_bsfile_decode(image, len, cfg, &derr)) < 0) {
        if (ret == SCB_E_DECODE && (ret = scb_report_add_decode_error(rep, &derr)) == SCB_OK) {
            ret = SCB_E_DECODE;
        }
        return ret;
    }
    return scb_validate(cfg, p, src, rep);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot codecs, umbrella header: LwM2M TLV (tlv.h) and the G.3.4 EF LwM2M_Bootstrap
 * container (bsfile.h). New code includes the header of the module it uses.
 */
#ifndef SCBOOT_CODEC_H
#define SCBOOT_CODEC_H

#include "scboot/bsfile.h"
#include "scboot/tlv.h"

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scboot card access, umbrella header: the transport interface (transport.h), the APDU layer
 * and card session (apdu.h) and the UICC commands (uicc.h). New code includes the header of
 * the module it uses; this one stays for existing includes.
 */
#ifndef SCBOOT_CARD_H
#define SCBOOT_CARD_H

#include "scboot/apdu.h"
#include "scboot/error.h"
#include "scboot/transport.h"
#include "scboot/uicc.h"

#endif

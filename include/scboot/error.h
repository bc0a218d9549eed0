/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot error codes. Every function returns int: 0 (SCB_OK) on success, a negative
 * enum scb_err on failure, grouped by layer. No positive return value carries meaning.
 */
#ifndef SCBOOT_ERROR_H
#define SCBOOT_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

enum scb_err {
    SCB_OK = 0,
    /* -1xx generic */
    SCB_E_INTERNAL = -100,
    SCB_E_NOMEM = -101,
    SCB_E_INVALID_ARG = -102,
    SCB_E_IO = -103,
    SCB_E_TOO_LARGE = -104,
    SCB_E_NOT_FOUND = -105,
    SCB_E_UNSUPPORTED = -106,
    SCB_E_LOCKED = -107,
    SCB_E_TIMEOUT = -108,
    SCB_E_PARSE = -109,
    SCB_E_BUFFER = -110,
    SCB_E_UNSAFE = -111, /**< a file or directory others could change, or a symbolic link */
    /* -2xx reader and transport */
    SCB_E_NO_SERVICE = -200,
    SCB_E_NO_READERS = -201,
    SCB_E_READER_NOT_FOUND = -202,
    SCB_E_READER_AMBIGUOUS = -203,
    SCB_E_NO_CARD = -204,
    SCB_E_CARD_REMOVED = -205,
    SCB_E_CARD_RESET = -206,
    SCB_E_SHARING = -207,
    SCB_E_TRANSPORT = -208,
    SCB_E_SHORT_RESPONSE = -209,
    SCB_E_READER_UNAVAILABLE = -210,
    SCB_E_CARD_MUTE = -211, /**< a card is there but does not answer (mute, unpowered) */
    /* -3xx card status words */
    SCB_E_SW = -300,
    SCB_E_FILE_NOT_FOUND = -301,
    SCB_E_SECURITY_STATUS = -302,
    SCB_E_PIN_WRONG = -303,
    SCB_E_PIN_BLOCKED = -304,
    SCB_E_NO_CHANNEL = -305,
    SCB_E_WRONG_LENGTH = -306,
    SCB_E_RECORD_NOT_FOUND = -307,
    SCB_E_INS_NOT_SUPPORTED = -308,
    SCB_E_CLA_NOT_SUPPORTED = -309,
    SCB_E_RESPONSE_LOOP = -310,
    SCB_E_FCP_MALFORMED = -311,
    SCB_E_WRONG_P1P2 = -312,
    SCB_E_CONDITIONS = -313,
    SCB_E_PIN_REQUIRED = -314,
    SCB_E_FILE_INVALIDATED = -315,
    SCB_E_WRONG_FILE_TYPE = -316,
    SCB_E_FUNC_NOT_SUPPORTED = -317,
    SCB_E_SM_NOT_SUPPORTED = -318,
    /* -4xx PKCS#15 discovery */
    SCB_E_P15_NO_APP = -400,
    SCB_E_P15_MALFORMED = -401,
    SCB_E_P15_NO_OBJECT = -402,
    /* -5xx bootstrap data decoding */
    SCB_E_DECODE = -500,
    SCB_E_JSON = -501,
    /* -6xx secure channel */
    SCB_E_SCP03_CRYPTOGRAM = -600,
    SCB_E_SCP03_RMAC = -601,
    SCB_E_SCP03_UNSUPPORTED = -602,
    SCB_E_SCP03_REFUSED = -603,
    SCB_E_SCP03_KEYS = -604,
    SCB_E_SCP03_COUNTER = -605,
    SCB_E_SCP03_PROTOCOL = -606,
    SCB_E_CRYPTO = -607,
};

/** Human-readable text for an error code (never NULL). */
const char *scb_strerror(int err);

/** Short symbolic name of an error code ("SCB_E_CARD_REMOVED"). */
const char *scb_errname(int err);

/** Map a status word to an error (SCB_OK for 9000 and the warnings a caller accepts). */
int scb_sw_to_err(uint16_t sw);

/** Text for a status word ("6A82 file or application not found"). Never NULL. */
const char *scb_sw_message(uint16_t sw);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

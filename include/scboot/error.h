/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file
 * scboot error codes, and the one way to learn why something failed.
 *
 * Every function that can fail returns int: 0 (SCB_OK) on success, a negative enum scb_err on
 * failure, grouped by layer (scb_error_string(), scb_error_name() put it in words). A function that
 * can fail for a reason worth a sentence (a file, a card, a modem, a peer) also takes
 * `char *err, size_t errlen` as its last two parameters: on failure it writes one line there
 * (no secrets; truncated to errlen); err may be NULL. Size such buffers SCB_ERR_MAX. There is
 * no other channel: no per-handle "last error" and no global. An outcome that is not a
 * failure of the call (a card check finding the card unreadable) is reported typed in its own
 * result (struct scb_card_reason).
 *
 * Threads: scb_error_string() and scb_error_name() return constant text and may be called from any
 * thread at any time.
 */
#ifndef SCBOOT_ERROR_H
#define SCBOOT_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* exported from the shared library: everything else there is hidden */
#pragma GCC visibility push(default)

/** Size of an error-line buffer (`char err[SCB_ERR_MAX]`): a line scboot writes fits. */
#define SCB_ERR_MAX 512

/** Error codes of every scboot function (0 or negative). */
enum scb_err {
    SCB_OK = 0, /**< success */
    /* -1xx generic */
    SCB_E_INTERNAL = -100, /**< a bug: an invariant of the library failed */
    SCB_E_NOMEM = -101, /**< out of memory */
    SCB_E_INVALID_ARG = -102, /**< an argument is NULL or out of range */
    SCB_E_IO = -103, /**< a system call failed (errno says why) */
    SCB_E_TOO_LARGE = -104, /**< input larger than its bound */
    SCB_E_NOT_FOUND = -105, /**< no such file, object or entry */
    SCB_E_UNSUPPORTED = -106, /**< a feature the library does not implement */
    SCB_E_LOCKED = -107, /**< another process holds the lock */
    SCB_E_TIMEOUT = -108, /**< no answer in time */
    SCB_E_PARSE = -109, /**< malformed text or data */
    SCB_E_BUFFER = -110, /**< the output buffer is too small */
    SCB_E_UNSAFE = -111, /**< a file or directory others could change, or a symbolic link */
    SCB_E_STALE = -112, /**< the committed state changed during the session: nothing committed */
    SCB_E_BUSY = -113, /**< called from inside the store's own commit or observer call */
    /* -2xx reader and transport */
    SCB_E_NO_SERVICE = -200, /**< pcscd cannot be reached */
    SCB_E_NO_READERS = -201, /**< no reader is connected */
    SCB_E_READER_NOT_FOUND = -202, /**< no reader matches the selection */
    SCB_E_READER_AMBIGUOUS = -203, /**< several readers match the selection */
    SCB_E_NO_CARD = -204, /**< no card in the reader */
    SCB_E_CARD_REMOVED = -205, /**< the card was removed */
    SCB_E_CARD_RESET = -206, /**< the card was reset (by another process): select again */
    SCB_E_SHARING = -207, /**< another process uses the card exclusively */
    SCB_E_TRANSPORT = -208, /**< the transport failed to exchange an APDU */
    SCB_E_SHORT_RESPONSE = -209, /**< a response shorter than its status word */
    SCB_E_READER_UNAVAILABLE = -210, /**< the reader is there but cannot be used */
    SCB_E_CARD_MUTE = -211, /**< a card is there but does not answer (mute, unpowered) */
    /* -3xx card status words */
    SCB_E_SW = -300, /**< an unexpected status word */
    SCB_E_FILE_NOT_FOUND = -301, /**< 6A82: file or application not found */
    SCB_E_SECURITY_STATUS = -302, /**< 6982: security status not satisfied */
    SCB_E_PIN_WRONG = -303, /**< 63Cx: wrong PIN, x tries left */
    SCB_E_PIN_BLOCKED = -304, /**< 6983: PIN blocked */
    SCB_E_NO_CHANNEL = -305, /**< no logical channel available */
    SCB_E_WRONG_LENGTH = -306, /**< 6700: wrong length */
    SCB_E_RECORD_NOT_FOUND = -307, /**< 6A83: record not found */
    SCB_E_INS_NOT_SUPPORTED = -308, /**< 6D00: instruction not supported */
    SCB_E_CLA_NOT_SUPPORTED = -309, /**< 6E00: class not supported */
    SCB_E_RESPONSE_LOOP = -310, /**< more 61xx/6Cxx follow-ups than the bound */
    SCB_E_FCP_MALFORMED = -311, /**< malformed File Control Parameters */
    SCB_E_WRONG_P1P2 = -312, /**< 6A86/6B00: wrong parameters P1 P2 */
    SCB_E_CONDITIONS = -313, /**< 6985/6986: conditions of use not satisfied */
    SCB_E_PIN_REQUIRED = -314, /**< a PIN must be verified first and none was given */
    SCB_E_FILE_INVALIDATED = -315, /**< 6283: selected file invalidated */
    SCB_E_WRONG_FILE_TYPE = -316, /**< 6981: command incompatible with the file structure */
    SCB_E_FUNC_NOT_SUPPORTED = -317, /**< 6A81: function not supported */
    SCB_E_SM_NOT_SUPPORTED = -318, /**< 6882: secure messaging not supported */
    /* -4xx PKCS#15 discovery */
    SCB_E_P15_NO_APP = -400, /**< no PKCS#15 application on the card */
    SCB_E_P15_MALFORMED = -401, /**< malformed PKCS#15 structure */
    SCB_E_P15_NO_OBJECT = -402, /**< the PKCS#15 object sought is not there */
    /* -5xx bootstrap data decoding */
    SCB_E_DECODE = -500, /**< bootstrap data cannot be decoded */
    SCB_E_JSON = -501, /**< malformed JSON or a JSON value of the wrong shape */
    /* -6xx secure channel */
    SCB_E_SCP03_CRYPTOGRAM = -600, /**< SCP03 card cryptogram mismatch (wrong keys) */
    SCB_E_SCP03_RMAC = -601, /**< SCP03 response MAC mismatch */
    SCB_E_SCP03_UNSUPPORTED = -602, /**< the card has no SCP03 (6D00/6E00 on INITIALIZE UPDATE) */
    SCB_E_SCP03_REFUSED = -603, /**< the card refused the secure channel */
    SCB_E_SCP03_KEYS = -604, /**< SCP03 keys missing or malformed */
    SCB_E_SCP03_COUNTER = -605, /**< SCP03 counter exhausted */
    SCB_E_SCP03_PROTOCOL = -606, /**< another SCP, an unsupported mode or a malformed answer */
    SCB_E_CRYPTO = -607, /**< a cryptographic primitive failed */
};

/**
 * Human-readable text for an error code.
 * \param err SCB_OK or a negative scb_err
 * \return static text, never NULL
 */
const char *scb_error_string(int err);

/**
 * Short symbolic name of an error code ("SCB_E_CARD_REMOVED").
 * \param err SCB_OK or a negative scb_err
 * \return static text, never NULL
 */
const char *scb_error_name(int err);

/**
 * Map a status word to an error (SCB_OK for 9000 and the warnings a caller accepts).
 * \param sw SW1 SW2
 * \return SCB_OK or a negative scb_err (-3xx)
 */
int scb_error_from_sw(uint16_t sw);

/**
 * Text for a status word ("6A82 file or application not found").
 * \param sw SW1 SW2
 * \return static text, never NULL
 */
const char *scb_error_sw_message(uint16_t sw);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.c: the one table of error codes and the one table of ISO 7816 / TS 102 221 status
 * words. Everything that turns a code into text or an exit status goes through here.
 */
#include "scboot/error.h"

#include <stddef.h>

struct err_entry {
    int code;
    const char *name;
    const char *text;
};

static const struct err_entry errors[] = {
    {SCB_OK, "SCB_OK", "success"},
    {SCB_E_INTERNAL, "SCB_E_INTERNAL", "internal error"},
    {SCB_E_NOMEM, "SCB_E_NOMEM", "out of memory"},
    {SCB_E_INVALID_ARG, "SCB_E_INVALID_ARG", "invalid argument"},
    {SCB_E_IO, "SCB_E_IO", "file or state I/O error"},
    {SCB_E_TOO_LARGE, "SCB_E_TOO_LARGE", "data too large"},
    {SCB_E_NOT_FOUND, "SCB_E_NOT_FOUND", "not found"},
    {SCB_E_UNSUPPORTED, "SCB_E_UNSUPPORTED", "not supported"},
    {SCB_E_LOCKED, "SCB_E_LOCKED", "locked by another process"},
    {SCB_E_TIMEOUT, "SCB_E_TIMEOUT", "timed out"},
    {SCB_E_PARSE, "SCB_E_PARSE", "malformed input"},
    {SCB_E_BUFFER, "SCB_E_BUFFER", "buffer too small"},
    {SCB_E_UNSAFE, "SCB_E_UNSAFE",
     "unsafe file or directory (writable by others, foreign owner or a symbolic link)"},
    {SCB_E_STALE, "SCB_E_STALE", "the committed state changed during the session"},
    {SCB_E_BUSY, "SCB_E_BUSY", "the store is inside a commit or its observer call"},
    {SCB_E_NO_SERVICE, "SCB_E_NO_SERVICE", "PC/SC service not running (SCARD_E_NO_SERVICE)"},
    {SCB_E_NO_READERS, "SCB_E_NO_READERS", "no smart card reader (SCARD_E_NO_READERS_AVAILABLE)"},
    {SCB_E_READER_NOT_FOUND, "SCB_E_READER_NOT_FOUND", "no reader matches"},
    {SCB_E_READER_AMBIGUOUS, "SCB_E_READER_AMBIGUOUS", "reader name matches more than one reader"},
    {SCB_E_NO_CARD, "SCB_E_NO_CARD", "no card in reader (SCARD_E_NO_SMARTCARD)"},
    {SCB_E_CARD_REMOVED, "SCB_E_CARD_REMOVED", "card was removed (SCARD_W_REMOVED_CARD)"},
    {SCB_E_CARD_RESET, "SCB_E_CARD_RESET", "card was reset (SCARD_W_RESET_CARD)"},
    {SCB_E_SHARING, "SCB_E_SHARING", "card is in exclusive use by another process "
                                     "(SCARD_E_SHARING_VIOLATION)"},
    {SCB_E_TRANSPORT, "SCB_E_TRANSPORT", "reader transport error"},
    {SCB_E_SHORT_RESPONSE, "SCB_E_SHORT_RESPONSE",
     "card answered without a status word (card removed?)"},
    {SCB_E_READER_UNAVAILABLE, "SCB_E_READER_UNAVAILABLE",
     "reader unavailable (SCARD_E_READER_UNAVAILABLE)"},
    {SCB_E_CARD_MUTE, "SCB_E_CARD_MUTE",
     "a card is in the reader but does not answer (SCARD_W_UNRESPONSIVE_CARD or "
     "SCARD_W_UNPOWERED_CARD)"},
    {SCB_E_SW, "SCB_E_SW", "card returned an unexpected status word"},
    {SCB_E_FILE_NOT_FOUND, "SCB_E_FILE_NOT_FOUND", "file or application not found (6A82)"},
    {SCB_E_SECURITY_STATUS, "SCB_E_SECURITY_STATUS",
     "security status not satisfied (6982): a PIN or a secure channel is needed"},
    {SCB_E_PIN_WRONG, "SCB_E_PIN_WRONG", "wrong PIN (63Cx)"},
    {SCB_E_PIN_BLOCKED, "SCB_E_PIN_BLOCKED", "PIN blocked (6983)"},
    {SCB_E_NO_CHANNEL, "SCB_E_NO_CHANNEL", "logical channel not supported (6881)"},
    {SCB_E_WRONG_LENGTH, "SCB_E_WRONG_LENGTH", "wrong length (6700)"},
    {SCB_E_RECORD_NOT_FOUND, "SCB_E_RECORD_NOT_FOUND", "record not found (6A83)"},
    {SCB_E_INS_NOT_SUPPORTED, "SCB_E_INS_NOT_SUPPORTED", "instruction not supported (6D00)"},
    {SCB_E_CLA_NOT_SUPPORTED, "SCB_E_CLA_NOT_SUPPORTED", "class not supported (6E00)"},
    {SCB_E_RESPONSE_LOOP, "SCB_E_RESPONSE_LOOP",
     "card keeps asking for GET RESPONSE / re-send (61xx/6Cxx loop)"},
    {SCB_E_FCP_MALFORMED, "SCB_E_FCP_MALFORMED", "malformed FCP template from card"},
    {SCB_E_WRONG_P1P2, "SCB_E_WRONG_P1P2", "wrong parameters P1-P2 (6A86/6B00)"},
    {SCB_E_CONDITIONS, "SCB_E_CONDITIONS",
     "command not allowed: conditions of use not satisfied (6985) or no current EF (6986)"},
    {SCB_E_PIN_REQUIRED, "SCB_E_PIN_REQUIRED", "PIN required"},
    {SCB_E_FILE_INVALIDATED, "SCB_E_FILE_INVALIDATED", "selected file invalidated (6283)"},
    {SCB_E_WRONG_FILE_TYPE, "SCB_E_WRONG_FILE_TYPE", "command incompatible with file (6981)"},
    {SCB_E_FUNC_NOT_SUPPORTED, "SCB_E_FUNC_NOT_SUPPORTED", "function not supported (6A81)"},
    {SCB_E_SM_NOT_SUPPORTED, "SCB_E_SM_NOT_SUPPORTED", "secure messaging not supported (6882)"},
    {SCB_E_P15_NO_APP, "SCB_E_P15_NO_APP", "no PKCS#15 application on the card"},
    {SCB_E_P15_MALFORMED, "SCB_E_P15_MALFORMED", "malformed PKCS#15 structure on the card"},
    {SCB_E_P15_NO_OBJECT, "SCB_E_P15_NO_OBJECT",
     "no LwM2M bootstrap data object (OID 2.23.43.9.1) in any DODF"},
    {SCB_E_DECODE, "SCB_E_DECODE", "malformed bootstrap data"},
    {SCB_E_JSON, "SCB_E_JSON", "malformed JSON input"},
    {SCB_E_SCP03_CRYPTOGRAM, "SCB_E_SCP03_CRYPTOGRAM",
     "SCP03: card cryptogram mismatch (wrong keys?)"},
    {SCB_E_SCP03_RMAC, "SCB_E_SCP03_RMAC", "SCP03: response MAC mismatch"},
    {SCB_E_SCP03_UNSUPPORTED, "SCB_E_SCP03_UNSUPPORTED", "SCP03: card does not support it"},
    {SCB_E_SCP03_REFUSED, "SCB_E_SCP03_REFUSED", "SCP03: card refused authentication"},
    {SCB_E_SCP03_KEYS, "SCB_E_SCP03_KEYS", "SCP03: bad key file"},
    {SCB_E_SCP03_COUNTER, "SCB_E_SCP03_COUNTER", "SCP03: command counter exhausted"},
    {SCB_E_SCP03_PROTOCOL, "SCB_E_SCP03_PROTOCOL", "SCP03: malformed secure messaging"},
    {SCB_E_CRYPTO, "SCB_E_CRYPTO", "cryptographic primitive failed"},
};

static const struct err_entry *find_err(int err)
{
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        if (errors[i].code == err) {
            return &errors[i];
        }
    }
    return NULL;
}

const char *scb_error_string(int err)
{
    const struct err_entry *e = find_err(err);
    return e ? e->text : "unknown error";
}

const char *scb_error_name(int err)
{
    const struct err_entry *e = find_err(err);
    return e ? e->name : "SCB_E_UNKNOWN";
}

struct sw_entry {
    uint16_t sw;
    uint16_t mask;
    int err;
    const char *text;
};

/* First match wins: exact entries before masked ones. */
static const struct sw_entry sws[] = {
    {0x9000, 0xFFFF, SCB_OK, "9000 success"},
    {0x6282, 0xFFFF, SCB_OK, "6282 end of file reached before reading Le bytes"},
    {0x6283, 0xFFFF, SCB_E_FILE_INVALIDATED, "6283 selected file invalidated"},
    {0x6700, 0xFFFF, SCB_E_WRONG_LENGTH, "6700 wrong length"},
    {0x6881, 0xFFFF, SCB_E_NO_CHANNEL, "6881 logical channel not supported"},
    {0x6882, 0xFFFF, SCB_E_SM_NOT_SUPPORTED, "6882 secure messaging not supported"},
    {0x6981, 0xFFFF, SCB_E_WRONG_FILE_TYPE, "6981 command incompatible with file structure"},
    {0x6982, 0xFFFF, SCB_E_SECURITY_STATUS, "6982 security status not satisfied"},
    {0x6983, 0xFFFF, SCB_E_PIN_BLOCKED, "6983 authentication method blocked"},
    {0x6985, 0xFFFF, SCB_E_CONDITIONS, "6985 conditions of use not satisfied"},
    {0x6986, 0xFFFF, SCB_E_CONDITIONS, "6986 command not allowed (no EF selected)"},
    {0x6989, 0xFFFF, SCB_E_SECURITY_STATUS, "6989 secure channel security not satisfied"},
    {0x6A80, 0xFFFF, SCB_E_SW, "6A80 incorrect parameters in the data field"},
    {0x6A81, 0xFFFF, SCB_E_FUNC_NOT_SUPPORTED, "6A81 function not supported"},
    {0x6A82, 0xFFFF, SCB_E_FILE_NOT_FOUND, "6A82 file or application not found"},
    {0x6A83, 0xFFFF, SCB_E_RECORD_NOT_FOUND, "6A83 record not found"},
    {0x6A86, 0xFFFF, SCB_E_WRONG_P1P2, "6A86 incorrect parameters P1-P2"},
    {0x6A88, 0xFFFF, SCB_E_NOT_FOUND, "6A88 referenced data not found"},
    {0x6B00, 0xFFFF, SCB_E_WRONG_P1P2, "6B00 wrong parameters P1-P2"},
    {0x6D00, 0xFFFF, SCB_E_INS_NOT_SUPPORTED, "6D00 instruction not supported"},
    {0x6E00, 0xFFFF, SCB_E_CLA_NOT_SUPPORTED, "6E00 class not supported"},
    {0x6F00, 0xFFFF, SCB_E_SW, "6F00 technical problem, no precise diagnosis"},
    {0x63C0, 0xFFF0, SCB_E_PIN_WRONG, "63Cx verification failed, x tries left"},
    {0x6100, 0xFF00, SCB_E_SW, "61xx response bytes available"},
    {0x6C00, 0xFF00, SCB_E_WRONG_LENGTH, "6Cxx wrong Le, xx bytes available"},
    {0x9100, 0xFF00, SCB_OK, "91xx success, proactive command pending"},
    {0x9200, 0xFF00, SCB_OK, "92xx success after internal retry"},
    {0x6200, 0xFF00, SCB_E_SW, "62xx warning, state unchanged"},
    {0x6300, 0xFF00, SCB_E_SW, "63xx warning, state changed"},
    {0x6400, 0xFF00, SCB_E_SW, "64xx execution error, state unchanged"},
    {0x6500, 0xFF00, SCB_E_SW, "65xx memory problem"},
    {0x6800, 0xFF00, SCB_E_SW, "68xx function in CLA not supported"},
    {0x6900, 0xFF00, SCB_E_SW, "69xx command not allowed"},
    {0x6A00, 0xFF00, SCB_E_SW, "6Axx wrong parameters"},
};

static const struct sw_entry *find_sw(uint16_t sw)
{
    for (size_t i = 0; i < sizeof(sws) / sizeof(sws[0]); i++) {
        if ((sw & sws[i].mask) == sws[i].sw) {
            return &sws[i];
        }
    }
    return NULL;
}

int scb_error_from_sw(uint16_t sw)
{
    const struct sw_entry *e = find_sw(sw);
    return e ? e->err : SCB_E_SW;
}

const char *scb_error_sw_message(uint16_t sw)
{
    const struct sw_entry *e = find_sw(sw);
    return e ? e->text : "unknown status word";
}

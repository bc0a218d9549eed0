#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_layering.sh SRCDIR: the folders are rooms, and includes only go down (DESIGN.md Layout):
#   common/          the ground floor: errors, hex, SHA-256, files, zeroize, the crypto seam;
#                    includes no other part
#   pcsc/            card access: ground floor only (never the LwM2M side or the secure channel)
#   secure_channel/  SCP03: ground floor and card access (never the LwM2M side)
#   bootstrap/       the LwM2M side: ground floor; never PC/SC or SCP03; only the card source,
#                    the bootstrap sequence and the daemon loop (which join the two) include card
#                    access headers
#   nothing below tools/ includes a tools/ header; no library file calls mbedTLS except the
#   crypto seam (the emulator's card side keeps its own, on purpose); no library message names
#   a CLI flag (issue 16 §5: a library user sets option fields, the tools word their hints);
#   model lookups use the named IDs of objdefs.h
# Direct includes of .c and private .h files are checked (public headers are checked by the
# compiler: each includes only what it needs).
set -u
src=$1
cd "$src" || exit 1
n=0 status=0
check() { # name, offending lines (empty = ok)
    n=$((n + 1))
    if [ -z "$2" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        echo "$2" | sed 's/^/#   /'
        status=1
    fi
}
incs() { grep -Hn '^#include' "$@" 2>/dev/null; }

ground='scboot/(error|util)\.h|crypto\.h|logf\.h'
card='scboot/(transport|apdu|uicc|card|p15|pcsc|events)\.h'
lwm2m='scboot/(model|objdefs|tlv|bsfile|json|validate|store|bootstrap|session|coap|senml|card_source)\.h|codec_internal\.h|store_internal\.h'

echo "1..8"
check "common/ includes no other part" \
    "$(incs common/*.c common/*.h | grep '#include "' | grep -Ev "\"($ground)\"")"
check "pcsc/ (card access) includes neither the LwM2M side nor the secure channel" \
    "$(incs pcsc/*.c pcsc/*.h | grep -E "\"($lwm2m|scboot/scp03\.h|scp03_internal\.h)\"")"
check "secure_channel/ includes nothing of the LwM2M side" \
    "$(incs secure_channel/*.c secure_channel/*.h | grep -E "\"($lwm2m)\"")"
check "bootstrap/ includes no PC/SC nor SCP03, and card access only in the card source, the bootstrap sequence and the daemon loop" \
    "$(incs bootstrap/*.c bootstrap/*.h | grep -E "<winscard\.h>|<PCSC/|\"(scboot/scp03\.h|scp03_internal\.h|scboot/pcsc\.h)\"";
       incs bootstrap/*.c bootstrap/*.h | grep -Ev '^bootstrap/(card_source|bootstrap|daemon)\.c:' | grep -E "\"($card)\"")"
check "no part below tools/ includes a tools/ header" \
    "$(incs common/* pcsc/*.c pcsc/*.h pcsc/emu/* secure_channel/* bootstrap/* include/scboot/* |
       grep -E '"(cli[a-z_]*\.h|\.\./tools/)')"
check "mbedTLS only in the crypto seam (and the emulator's card side)" \
    "$(incs common/*.c pcsc/*.c secure_channel/*.c bootstrap/*.c tools/*.c |
       grep '<mbedtls/' | grep -Ev '^common/crypto_mbedtls\.c:')"
check "no CLI flag (--name) in a library message: the tools word their own hints" \
    "$(grep -Hn '"[^"]*--[a-z][a-z-]*[^"]*"' common/*.c pcsc/*.c pcsc/emu/*.c secure_channel/*.c bootstrap/*.c |
       grep -Ev ':[0-9]+:[[:space:]]*(/?\*|//)')"
check "model lookups name object and resource IDs (objdefs.h), never bare numbers" \
    "$(grep -HnE '(scb_config_object|scb_config_get_(int|bool)|scb_instance_(value|resource)|scb_config_remove_object)\([^;]*[(, ][0-9]+[,)]' \
       bootstrap/*.c pcsc/*.c secure_channel/*.c tools/*.c | grep -Ev ':[0-9]+:[[:space:]]*(/?\*|//)')"
exit $status

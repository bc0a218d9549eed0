#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_layering.sh SRCDIR: the folders are rooms, and includes only go down (doc/design.md):
#   common/          the ground floor: errors, hex, SHA-256, files, zeroize, the monotonic clock,
#                    the crypto seam;
#                    includes no other part
#   pcsc/            card access: ground floor only (never the LwM2M side or the secure channel)
#   secure_channel/  SCP03: ground floor and card access (never the LwM2M side)
#   bootstrap/       the LwM2M side: ground floor; never PC/SC or SCP03; only the card source,
#                    the bootstrap sequence and the daemon loop (which join the two) include card
#                    access headers.
#                    Its jobs are rooms of their own, each above the ones listed before it:
#     model/         the model, the object definitions, server accounts, the validator's rules
#     codec/         TLV, the G.3.4 container, SenML, the JSON shape: build and read the model
#     store/         the committed configuration on disk (written in the JSON shape)
#     net/           the Bootstrap-Server session, the CoAP front end, endpoint names
#     bridge/        Leshan and Wakaama configurations in and out of the model (model, codecs)
#     service/       a daemon's plumbing: its configuration file, the hook it runs, the sd_notify
#                    readiness protocol (endpoint names of net/ only)
#     bootstrap/*.c  on top: the image entry (decode + validate), the card source, the sequence,
#                    the daemon loop
#                    A room includes the ground floor, the rooms below it and its own headers,
#                    in its sources and in its public headers alike (store.h names where on the
#                    card the file was found: p15.h, the one arrow sideways into card access)
#   nothing below tools/ includes a tools/ header; no library file calls mbedTLS except the
#   crypto seam (the emulator's card side keeps its own, on purpose); no library message names
#   a CLI flag (a library user sets option fields, so the tools word their own hints);
#   model lookups use the named IDs of objdefs.h
# Direct includes of .c and private .h files are checked, and for the rooms under bootstrap/
# their public headers too (elsewhere the compiler checks public headers: each includes only
# what it needs).
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

ground='scboot/(error|util)\.h|crypto\.h|logf\.h|clock\.h'
card='scboot/(transport|apdu|uicc|card|p15|pcsc|events)\.h'
model='scboot/(model|objdefs|validate|account)\.h'
codec='scboot/(tlv|bsfile|senml|json)\.h|(codec|json)_internal\.h'
store='scboot/store\.h|store_internal\.h'
net='scboot/(session|coap|endpoint)\.h|coap_internal\.h'
bridge='scboot/(leshan|wakaama)\.h|bridge_internal\.h'
service='scboot/(conf|hook|notify)\.h'
top='scboot/(bootstrap|card_source|image|daemon)\.h'
lwm2m="$model|$codec|$store|$net|$bridge|$service|$top"
rooms='model codec store net bridge service'
# room FOLDER PUBLIC-HEADER-STEMS ALLOWED: quoted includes of the room's sources, private and
# public headers that name anything outside ALLOWED
room() {
    files=$(ls bootstrap/"$1"/*.c bootstrap/"$1"/*.h 2>/dev/null)
    for h in $2; do files="$files include/scboot/$h.h"; done
    incs $files | grep '#include "' | grep -Ev "\"($3)\""
}

echo "1..15"
check "common/ includes no other part" \
    "$(incs common/*.c common/*.h | grep '#include "' | grep -Ev "\"($ground)\"")"
check "pcsc/ (card access) includes neither the LwM2M side nor the secure channel" \
    "$(incs pcsc/*.c pcsc/*.h | grep -E "\"($lwm2m|scboot/scp03\.h|scp03_internal\.h)\"")"
check "secure_channel/ includes nothing of the LwM2M side" \
    "$(incs secure_channel/*.c secure_channel/*.h | grep -E "\"($lwm2m)\"")"
check "bootstrap/ includes no PC/SC nor SCP03, and card access only in the card source, the bootstrap sequence and the daemon loop" \
    "$(incs bootstrap/*.c bootstrap/*/*.[ch] | grep -E "<winscard\.h>|<PCSC/|\"(scboot/scp03\.h|scp03_internal\.h|scboot/pcsc\.h)\"";
       incs bootstrap/*.c bootstrap/*/*.[ch] | grep -Ev '^bootstrap/(card_source|bootstrap|daemon)\.c:' | grep -E "\"($card)\"")"
check "every folder under bootstrap/ is a room with its rule here" \
    "$(for d in bootstrap/*/; do d=${d%/}; d=${d#bootstrap/}
         case " $rooms " in *" $d "*) ;; *) echo "bootstrap/$d/ has no rule";; esac; done)"
check "bootstrap/model/ (model, rules) includes only the ground floor" \
    "$(room model 'model objdefs validate account' "$ground|$model")"
check "bootstrap/codec/ includes only the model and the ground floor" \
    "$(room codec 'tlv bsfile senml json' "$ground|$model|$codec")"
check "bootstrap/store/ includes only the codecs, the model and the ground floor" \
    "$(room store 'store' "$ground|$model|$codec|$store|scboot/p15\.h")"
check "bootstrap/net/ includes only the store, the codecs, the model and the ground floor" \
    "$(room net 'session coap endpoint' "$ground|$model|$codec|$store|$net")"
check "bootstrap/bridge/ includes only the codecs, the model and the ground floor" \
    "$(room bridge 'leshan wakaama' "$ground|$model|$codec|$bridge")"
check "bootstrap/service/ includes only endpoint names and the ground floor" \
    "$(room service 'conf hook notify' "$ground|scboot/endpoint\.h|$service")"
check "no part below tools/ includes a tools/ header" \
    "$(incs common/* pcsc/*.c pcsc/*.h pcsc/emu/* secure_channel/* bootstrap/*.c bootstrap/*/*.[ch] include/scboot/* |
       grep -E '"(cli[a-z_]*\.h|\.\./tools/)')"
check "mbedTLS only in the crypto seam (and the emulator's card side)" \
    "$(incs common/*.c pcsc/*.c secure_channel/*.c bootstrap/*.c bootstrap/*/*.c tools/*.c |
       grep '<mbedtls/' | grep -Ev '^common/crypto_mbedtls\.c:')"
check "no CLI flag (--name) in a library message: the tools word their own hints" \
    "$(grep -Hn '"[^"]*--[a-z][a-z-]*[^"]*"' common/*.c pcsc/*.c pcsc/emu/*.c secure_channel/*.c bootstrap/*.c bootstrap/*/*.c |
       grep -Ev ':[0-9]+:[[:space:]]*(/?\*|//)')"
check "model lookups name object and resource IDs (objdefs.h), never bare numbers" \
    "$(grep -HnE '(scb_config_object|scb_config_get_(int|bool)|scb_instance_(value|resource)|scb_config_remove_object)\([^;]*[(, ][0-9]+[,)]' \
       bootstrap/*.c bootstrap/*/*.c pcsc/*.c secure_channel/*.c tools/*.c | grep -Ev ':[0-9]+:[[:space:]]*(/?\*|//)')"
exit $status

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_example.sh: runs the integrator's example LwM2M client: its own (memory) store, the
# change list from the commit observer, typed accounts. Start-up from the card, an Update with
# no card event (0 APDUs), an OTA change (session dropped, register again), a removal (no
# server left: the registration-failure policy asks for network bootstrap). And the example
# reads only what an integrator has: public headers, no state directory.
set -u
EXAMPLE=$1 DATA=$2 SRC=$3
T=$(mktemp -d /tmp/scboot-example.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
cat > "$T/card.json" <<JSON
{"lwm2m": {"file": "$DATA/anjay_ef126.bin"}}
JSON
# the OTA image: the same account, another server URI
sed 's/eu.iot.avsystem.cloud/eu.lwm2m.examples.net/' "$DATA/anjay_ef126.bin" > "$T/ota.bin"
"$EXAMPLE" "$T/card.json" "$T/ota.bin" > "$T/out" 2>&1
rc=$?
out=$T/out
check "runs" '[ $rc = 0 ]'
check "start-up applies the card" 'grep -q "^start-up: card applied" "$out"'
check "the observer reports the card's server as added" 'grep -q "^server [0-9]* added: register to coaps://eu.iot.avsystem.cloud:5684 (from card)" "$out"'
check "no card event: check costs 0 APDUs" 'grep -q "^round 1: check unchanged, 0 APDUs" "$out"'
check "an Update to the committed server" 'grep -q "^update to server [0-9]* at coaps://eu.iot.avsystem.cloud:5684" "$out"'
check "OTA change detected" 'grep -q "^round 2: check changed" "$out"'
check "the change list drops the changed server's session, registers to the new URI" 'grep -q "^server [0-9]* changed: drop its (D)TLS session, register to coaps://eu.lwm2m.examples.net:5684" "$out"'
check "one commit per change, generations in order" '[ "$(grep "^commit: generation" "$out" | tr -d "\n")" = "commit: generation 1commit: generation 2commit: generation 3" ]'
check "round 3 unchanged again" 'grep -q "^round 3: check unchanged, 0 APDUs" "$out"'
check "removal: the server is reported removed" 'grep -q "^round 4: check removed" "$out" && grep -q "^server [0-9]* removed: forget it" "$out"'
check "no server left: the registration-failure policy says bootstrap" 'grep -q "^registration failed: client-initiated bootstrap" "$out"'
check "no state directory: nothing written beside the inputs" '[ "$(ls "$T" | tr "\n" " ")" = "card.json ota.bin out " ]'
check "the example's source walks no raw arrays" '! grep -n -e "->i\[" -e "->v\[" -e "\.v\[" -e "->o\[" "$SRC"'
check "the example includes public headers only" '! grep -n "#include \"" "$SRC"'
echo "1..$tn"
[ $fails = 0 ] || { cat "$T/out" >&2; exit 1; }

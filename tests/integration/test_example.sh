#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_example.sh: runs the example LwM2M client: start-up from the card, an Update with no
# card event (0 APDUs), an OTA change (session dropped, register again), a removal (no server
# left: the registration-failure policy asks for network bootstrap).
set -u
EXAMPLE=$1 DATA=$2
T=$(mktemp -d /tmp/scboot-example.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
cat > "$T/card.json" <<JSON
{"lwm2m": {"file": "$DATA/anjay_ef126.bin"}}
JSON
# the OTA image: the same account, another server URI
sed 's/eu.iot.avsystem.cloud/eu.lwm2m.examples.net/' "$DATA/anjay_ef126.bin" > "$T/ota.bin"
"$EXAMPLE" "$T/card.json" "$T/ota.bin" "$T/state" > "$T/out" 2>&1
rc=$?
check "runs" '[ $rc = 0 ]'
check "start-up registers to the card's server" 'grep -q "^register to coaps://eu.iot.avsystem.cloud:5684 (/0/1 from card)" "$T/out"'
check "no card event: check costs 0 APDUs" 'grep -q "^round 1: check unchanged, 0 APDUs" "$T/out"'
check "OTA change detected" 'grep -q "^round 2: check changed" "$T/out"'
check "session of the changed server dropped" 'grep -q "^drop (D)TLS session of /0/1" "$T/out"'
check "registers to the new URI" 'grep -q "^register to coaps://eu.lwm2m.examples.net:5684" "$T/out"'
check "round 3 unchanged again" 'grep -q "^round 3: check unchanged, 0 APDUs" "$T/out"'
check "removal forgets the card's servers" 'grep -q "^round 4: check removed" "$T/out"'
check "no server left: the registration-failure policy says bootstrap" 'grep -q "^registration failed: client-initiated bootstrap" "$T/out"'
echo "1..$tn"
[ $fails = 0 ] || { cat "$T/out" >&2; exit 1; }

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_valgrind.sh: the CLI's main paths under valgrind memcheck (no leak, no invalid access):
# decode, encode, check, dump on virtual cards (plain, PIN, SCP03), apply, status. Skipped in
# sanitizer builds (ASan and valgrind do not mix; meson does not register it with
# b_sanitize) and where valgrind is not installed (a failure with SCBOOT_REQUIRE_PCSC=1).
set -u
SCBOOT=$1 DATA=$2
. "$(dirname "$0")/require.sh"
require_tools "valgrind" valgrind
if ldd "$SCBOOT" 2>/dev/null | grep -q libasan; then echo "1..0 # SKIP sanitizer build"; exit 0; fi
T=$(mktemp -d /tmp/scboot-vg.XXXXXX)
trap 'rm -rf "$T"' EXIT
cp "$DATA/scp03_keys.txt" "$T/keys" && chmod 600 "$T/keys"
fails=0 tn=0
vg() { # name, expected exit, command...
    name=$1 want=$2; shift 2
    tn=$((tn + 1))
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$@" > "$T/out" 2> "$T/vg"
    rc=$?
    if [ $rc = "$want" ]; then echo "ok $tn - $name"; else
        echo "not ok $tn - $name (exit $rc)"; cat "$T/vg" >&2; fails=$((fails + 1)); fi
}
vg "decode" 0 "$SCBOOT" decode --json "$DATA/anjay_ef126.bin"
"$SCBOOT" decode --json --show-secrets "$DATA/anjay_ef126.bin" > "$T/a.json"
vg "encode" 0 "$SCBOOT" encode "$T/a.json" -o "$T/a.bin"
vg "check (consistent)" 0 "$SCBOOT" check "$DATA/anjay_ef126.bin"
vg "check (inconsistent, JSON)" 1 "$SCBOOT" check --json --source network "$DATA/nrf_ef58.bin"
printf '\000\001\000\005\000\000\000\000\011' > "$T/bad.bin"
vg "check (malformed)" 4 "$SCBOOT" check "$T/bad.bin"
vg "dump (virtual card, trace)" 0 "$SCBOOT" dump -v -r "virtual:$DATA/standard.json"
vg "dump (PIN)" 0 "$SCBOOT" dump --json -r "virtual:$DATA/pin.json" --pin 1234
vg "dump (wrong PIN)" 3 "$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 9999
vg "dump (SCP03)" 0 "$SCBOOT" dump -r "virtual:$DATA/scp03.json" --scp03-keys "$T/keys"
vg "apply" 0 "$SCBOOT" apply -r "virtual:$DATA/standard.json" --state-dir "$T/st" --factory "$DATA/anjay_ef126.bin"
vg "status" 0 "$SCBOOT" status --json --state-dir "$T/st"
echo "1..$tn"
[ $fails = 0 ]

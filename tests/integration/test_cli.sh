#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_cli.sh: the CLI as a user runs it, no PC/SC needed: decode/encode round trips, check's
# exit codes (0 consistent, 1 inconsistent, 4 malformed) in text and JSON, dump on the
# built-in virtual cards, secrets redacted unless --show-secrets, usage errors exit 2, watch on
# a virtual card.
set -u
SCBOOT=$1 DATA=$2
T=$(mktemp -d /tmp/scboot-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }

"$SCBOOT" decode --json --show-secrets "$DATA/anjay_ef126.bin" > "$T/a.json"
"$SCBOOT" encode "$T/a.json" -o "$T/a.bin" 2>/dev/null
check "decode --json | encode reproduces the file" 'cmp -s "$T/a.bin" "$DATA/anjay_ef126.bin"'
"$SCBOOT" decode --json "$DATA/anjay_ef126.bin" > "$T/r.json"
check "secrets redacted by default" 'grep -q "\"redacted\": true" "$T/r.json" && ! grep -q 101112131415 "$T/r.json"'
"$SCBOOT" encode "$T/r.json" -o "$T/r.bin" 2> "$T/err"; rc=$?
check "encode refuses a redacted secret (exit 4)" '[ $rc = 4 ] && grep -q redacted "$T/err"'
# one JSON document, each key once (json-c would keep the first document / the last key; a
# reviewer reading the file sees the other), in encode and in apply --factory alike
printf '%s\n{"objects": {}}\n' "$(cat "$T/a.json")" > "$T/two.json"
sed 's/"2": 0,/"2": 3, "2": 0,/' "$T/a.json" > "$T/dupkey.json"
# a NUL byte: read as a C string, the text would end there and only the first document count
{ cat "$T/a.json"; printf '\0{"objects": {}}'; } > "$T/nul.json"
"$SCBOOT" check "$T/nul.json" > /dev/null 2> "$T/err"; rc=$?
check "check refuses a JSON file with a NUL byte (exit 4, says why)" '[ $rc = 4 ] && grep -q "a NUL byte in the text" "$T/err"'
for f in two dupkey nul; do
    "$SCBOOT" encode "$T/$f.json" -o "$T/$f.bin" 2> "$T/err"; rc=$?
    check "encode refuses $f.json (exit 4, says why)" '[ $rc = 4 ] && [ ! -e "$T/$f.bin" ] && grep -q "not valid JSON" "$T/err"'
    mkdir -m 700 "$T/st-$f"
    "$SCBOOT" apply --no-card --factory "$T/$f.json" --state-dir "$T/st-$f" > /dev/null 2>&1; rc=$?
    check "apply --factory $f.json: rejected (exit 1), nothing committed" '[ $rc = 1 ] && [ ! -e "$T/st-$f/config.json" ]'
done
"$SCBOOT" encode "$T/a.json" -o "$T/p.bin" --pad 10 2>/dev/null
check "encode --pad" '[ "$(wc -c < "$T/p.bin")" = 136 ]'

"$SCBOOT" check "$DATA/anjay_ef126.bin" > "$T/out"; rc=$?
check "check: consistent file exits 0" '[ $rc = 0 ] && grep -q "^consistent" "$T/out"'
"$SCBOOT" check --source network "$DATA/nrf_ef58.bin" > "$T/out"; rc=$?
check "check --source network: BS-only exits 1" '[ $rc = 1 ] && grep -q "server-account-missing" "$T/out"'
"$SCBOOT" encode "$DATA/multi_server_acl.json" -o "$T/m.bin" 2>/dev/null
"$SCBOOT" check "$T/m.bin" > "$T/out"; rc=$?
check "change request example: consistent with Access Control" '[ $rc = 0 ]'
"$SCBOOT" check --no-acl --json "$T/m.bin" > "$T/out"; rc=$?
check "change request example: --no-acl exits 1 with acl-unsupported" '[ $rc = 1 ] && grep -q "\"rule\": \"acl-unsupported\"" "$T/out" && grep -q "\"consistent\": false" "$T/out"'
"$SCBOOT" check --profile "$DATA/profile_single.json" "$T/m.bin" > "$T/out"; rc=$?
check "check --profile" '[ $rc = 1 ] && grep -q "multi-server-unsupported" "$T/out"'
printf '\000\001\000\005\000\000\000\000\011' > "$T/bad.bin"
"$SCBOOT" check --json "$T/bad.bin" > "$T/out"; rc=$?
check "malformed file exits 4, reported as a violation" '[ $rc = 4 ] && grep -q "record-overrun" "$T/out"'
"$SCBOOT" decode "$T/bad.bin" > /dev/null 2> "$T/err"; rc=$?
check "decode of a malformed file: exit 4, one line with the rule and offset" '[ $rc = 4 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "record-overrun at byte 4" "$T/err"'

# integers the resource's type cannot hold are refused by path (exit 4), never
# clamped; a single-instance resource sent as a Multiple Resource is inconsistent (exit 1)
for lit in 9223372036854775808 -9223372036854775809 1e30 3.5; do
    printf '{"objects":{"1":{"instances":{"0":{"resources":{"0":1,"1":%s,"6":false,"7":"U"}}}}}}' "$lit" > "$T/big.json"
    "$SCBOOT" encode "$T/big.json" -o "$T/big.bin" 2> "$T/err"; rc=$?
    check "encode refuses $lit for an Integer resource (exit 4, path named)" '[ $rc = 4 ] && grep -q "/1/0/1: " "$T/err" && [ ! -e "$T/big.bin" ]'
done
printf '{"objects":{"0":{"instances":{"1":{"resources":{"0":{"0":"http://evil host"},"1":false,"2":{"0":0},"10":1}}}},"1":{"instances":{"0":{"resources":{"0":1,"1":86400,"6":false,"7":"U"}}}}}}' > "$T/evil.json"
"$SCBOOT" encode "$T/evil.json" -o "$T/evil.bin" 2>/dev/null
"$SCBOOT" check --json "$T/evil.bin" > "$T/out"; rc=$?
check "check: URI and mode as Multiple Resources are inconsistent (exit 1)" '[ $rc = 1 ] && grep -q "\"rule\": \"resource-shape-invalid\"" "$T/out" && grep -q "\"path\": \"/0/1/0\"" "$T/out"'

"$SCBOOT" dump -r "virtual:$DATA/standard.json" > "$T/out"; rc=$?
check "dump on the built-in virtual card" '[ $rc = 0 ] && grep -q "coap://leshan.eclipseprojects.io:5783" "$T/out" && grep -q "^APDUs  *16" "$T/out"'
"$SCBOOT" dump -r "virtual:$DATA/pin.json" > /dev/null 2> "$T/err"; rc=$?
check "dump of a private object without PIN: exit 3, PIN required" '[ $rc = 3 ] && grep -q "PIN required" "$T/err"'
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 9999 > /dev/null 2> "$T/err"; rc=$?
check "wrong PIN: exit 3" '[ $rc = 3 ] && grep -q "wrong PIN" "$T/err"'
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 -v --raw "$T/raw.bin" > "$T/out" 2> "$T/trace"; rc=$?
check "dump with PIN, trace redacts the PIN and the file" '[ $rc = 0 ] && grep -q "bytes redacted" "$T/trace" && ! grep -q 31323334 "$T/trace" && ! grep -q 101112131415 "$T/trace"'
check "--raw writes the file 0600" 'cmp -s "$T/raw.bin" "$DATA/anjay_ef126.bin" && [ "$(stat -c %a "$T/raw.bin")" = 600 ]'
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --show-secrets > "$T/out"
check "--show-secrets shows the key" 'grep -q 101112131415 "$T/out"'
"$SCBOOT" check -r "virtual:$DATA/pin.json" --pin 1234 > "$T/out"; rc=$?
check "check on a card" '[ $rc = 0 ]'
"$SCBOOT" apply -r "virtual:$DATA/pin.json" --pin 0000 --state-dir "$T/st-pin" --json > "$T/out" 2>/dev/null; rc=$?
check "apply --json: an unreadable card's reason, typed (step, SW, tries left)" '[ $rc = 3 ] && grep -q "\"step\": \"pin\"" "$T/out" && grep -q "\"sw\": \"63C2\"" "$T/out" && grep -q "\"pin_tries_left\": 2" "$T/out"'
"$SCBOOT" apply -r "virtual:$DATA/pin.json" --state-dir "$T/st-pin2" > "$T/out" 2>/dev/null; rc=$?
check "apply: the reason line names the step" '[ $rc = 3 ] && grep -q "^card reason: SCB_E_PIN_REQUIRED at step pin" "$T/out"'
printf 'no_such_key = 1\n' > "$T/bad.conf"; chmod 600 "$T/bad.conf"
"$SCBOOT" apply -r "virtual:$DATA/standard.json" --config "$T/bad.conf" --state-dir "$T/st-badconf" > /dev/null 2> "$T/err"; rc=$?
check "apply --config with an unknown key: refused before any step, nothing committed" '[ $rc != 0 ] && grep -q "no_such_key" "$T/err" && [ ! -e "$T/st-badconf/config.json" ]'
"$SCBOOT" dump --bogus > /dev/null 2>&1; rc=$?
check "unknown option exits 2" '[ $rc = 2 ]'
"$SCBOOT" nosuchcommand > /dev/null 2>&1; rc=$?
check "unknown command exits 2" '[ $rc = 2 ]'
for c in readers apdu dump decode encode check; do
    "$SCBOOT" $c --help > /dev/null 2>&1 || { echo "not ok - $c --help"; fails=$((fails + 1)); }
done
check "every subcommand has --help" 'true'

"$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/wl" --listen 127.0.0.1:http 2> "$T/err"; rc=$?
check "watch --listen without a port number: usage error, exit 2" '[ $rc = 2 ] && grep -q "PORT 1 to 65535" "$T/err"'

# watch on the built-in emulator: the emulator's event source, never pcscd
PCSCLITE_CSOCK_NAME="$T/no-pcscd.comm" "$SCBOOT" watch -r "virtual:$DATA/standard.json" \
    --state-dir "$T/wv" --exec "echo \$SCBOOT_EVENT >> '$T/wv.ev'" 2> "$T/wv.log" &
WV=$!
for k in $(seq 1 100); do [ -s "$T/wv.ev" ] && break; sleep 0.1; done
kill -HUP "$WV"; sleep 0.3
kill -TERM "$WV"; wait "$WV"; rc=$?
check "watch -r virtual:P.json: the card applied, the hook told, SIGTERM exits 0" '[ $rc = 0 ] && [ "$(cat "$T/wv.ev")" = applied ]'
check "watch -r virtual:P.json: pcscd never asked" '! grep -q pcscd "$T/wv.log" && grep -q "watching the reader \"virtual:" "$T/wv.log"'
echo "1..$tn"
[ $fails = 0 ]

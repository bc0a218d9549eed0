#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_cli_consistency.sh: the rules every subcommand follows, no PC/SC needed:
# check takes the JSON shape too; '-' is stdin/stdout wherever a file is named; --json is
# honoured or refused with a usage error on every subcommand (apdu --json implemented);
# invalid option values say why; -V/--version and `help CMD`; pcscd down gives the hint.
set -u
SCBOOT=$1 DATA=$2
T=$(mktemp -d /tmp/scboot-cli2.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
V="virtual:$DATA/standard.json"

# check: the JSON shape, told apart by content, from a file and from stdin
"$SCBOOT" check "$DATA/multi_server_acl.json" > "$T/out"; rc=$?
check "check FILE.json: the JSON shape is validated (consistent)" '[ $rc = 0 ] && grep -q "^consistent" "$T/out"'
"$SCBOOT" check --no-acl --json - < "$DATA/multi_server_acl.json" > "$T/out"; rc=$?
check "check - (JSON on stdin) --no-acl: exit 1, the violations" '[ $rc = 1 ] && grep -q "\"rule\": \"acl-unsupported\"" "$T/out"'
"$SCBOOT" encode "$DATA/multi_server_acl.json" -o "$T/m.bin" 2>/dev/null
"$SCBOOT" check --json "$T/m.bin" > "$T/a"; "$SCBOOT" check --json "$DATA/multi_server_acl.json" > "$T/b"
check "check gives the same report for the JSON and its image" 'cmp -s "$T/a" "$T/b"'
echo '{"objects": 5}' | "$SCBOOT" check - 2> "$T/err"; rc=$?
check "check of malformed JSON: exit 4, one line" '[ $rc = 4 ] && [ "$(wc -l < "$T/err")" = 1 ]'
"$SCBOOT" decode --json "$DATA/anjay_ef126.bin" | "$SCBOOT" check - 2> "$T/err"; rc=$?
check "check of JSON with a redacted secret: exit 4 naming the path" '[ $rc = 4 ] && grep -q "/0/1/5: a redacted secret" "$T/err"'
cat "$DATA/anjay_ef126.bin" | "$SCBOOT" check - > "$T/out"; rc=$?
check "check - (image on stdin)" '[ $rc = 0 ]'

# '-' everywhere
"$SCBOOT" decode - < "$DATA/anjay_ef126.bin" > "$T/a"; "$SCBOOT" decode "$DATA/anjay_ef126.bin" > "$T/b"
check "decode - reads stdin" 'cmp -s "$T/a" "$T/b" && [ -s "$T/a" ]'
"$SCBOOT" decode --json --show-secrets "$DATA/anjay_ef126.bin" | "$SCBOOT" encode - -o - > "$T/e.bin"
check "encode - -o -: stdin to stdout, byte-exact" 'cmp -s "$T/e.bin" "$DATA/anjay_ef126.bin"'
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --raw - > "$T/raw.bin"; rc=$?
check "dump --raw -: the file bytes alone on stdout" '[ $rc = 0 ] && cmp -s "$T/raw.bin" "$DATA/anjay_ef126.bin"'
"$SCBOOT" dump -r "$V" --raw - --json > /dev/null 2> "$T/err"; rc=$?
check "dump --raw - --json: refused (both want stdout)" '[ $rc = 2 ] && grep -q "not supported" "$T/err"'
"$SCBOOT" dump -r "$V" --trace - > "$T/out"; rc=$?
check "--trace -: the trace on stdout" '[ $rc = 0 ] && grep -q "^> 00B0" "$T/out" && [ ! -e ./- ]'
# '-' where stdin cannot stand for the file: said why, never "cannot read -"
"$SCBOOT" apply --factory - --state-dir "$T/fst" < "$DATA/multi_server_acl.json" > "$T/out" 2> "$T/err"; rc=$?
check "apply --factory -: the factory configuration from stdin, committed" '[ $rc = 0 ] && grep -q "^factory: committed" "$T/out" && [ -s "$T/fst/config.json" ] && [ ! -e ./- ]'
echo 1234 | "$SCBOOT" check -r "virtual:$DATA/pin.json" --pin-file - > /dev/null 2> "$T/err"; rc=$?
check "--pin-file -: refused with the reason (exit 2)" '[ $rc = 2 ] && grep -q "pin-file -: a PIN file is a regular owner-only file" "$T/err" && ! grep -q "cannot read -" "$T/err"'
"$SCBOOT" dump -r "$V" --scp03-keys - < /dev/null > /dev/null 2> "$T/err"; rc=$?
check "--scp03-keys -: refused with the reason (exit 2)" '[ $rc = 2 ] && grep -q "scp03-keys -: a key file is a regular owner-only file" "$T/err"'
timeout 10 "$SCBOOT" watch -r nosuch --state-dir "$T/wst" --factory - < /dev/null > /dev/null 2> "$T/err"; rc=$?
check "watch --factory -: refused (read again at every event), exit 2" '[ $rc = 2 ] && grep -q "factory -: the daemon reads the factory file again" "$T/err"'

# --json honoured or refused, everywhere
"$SCBOOT" apdu -r "$V" --json 00A40004023F00 00B0000002 > "$T/out"; rc=$?
check "apdu --json: [{command, response, sw}]" '[ $rc = 0 ] && /usr/bin/python3 -c "import json,sys; a=json.load(open(sys.argv[1])); assert len(a)==2 and a[0][\"command\"]==\"00A40004023F00\" and a[0][\"sw\"]==\"9000\" and a[1][\"sw\"]==\"6986\" and a[1][\"response\"]==\"\"" "$T/out"'
"$SCBOOT" apdu -r "$V" --json --raw 00A40004023F00 > "$T/out"
check "apdu --json --raw: the SW split from the response" 'grep -q "\"sw\": \"6112\"" "$T/out"'
for cmd in readers dump decode check apply status; do
    "$SCBOOT" $cmd --help > /dev/null 2>&1 || { echo "# $cmd --help failed"; fails=$((fails + 1)); }
done
"$SCBOOT" readers -r "$V" --json --no-probe > "$T/out"; rc=$?
check "readers --json is JSON" '[ $rc = 0 ] && /usr/bin/python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out"'
mkdir -m 700 "$T/state"; "$SCBOOT" status --state-dir "$T/state" --json > "$T/out"; rc=$?
check "status --json on an empty store is JSON" '[ $rc = 0 ] && /usr/bin/python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out"'
refused() {
    "$@" > /dev/null 2> "$T/err"; rc=$?
    [ $rc = 2 ] && grep -q -- "--json is not supported" "$T/err"
}
check "encode --json refused (exit 2, says why)" 'refused "$SCBOOT" encode --json "$DATA/multi_server_acl.json" -o "$T/x.bin"'
check "watch --json refused" 'refused "$SCBOOT" watch --json -r x'
if "$SCBOOT" bootstrap --help 2>/dev/null | grep -q "CoAP"; then
    check "bootstrap --json refused" 'refused "$SCBOOT" bootstrap --json --listen 5683 --state-dir "$T/s"'
fi

# invalid values say why
"$SCBOOT" dump -r "$V" --scp03-level 7 > /dev/null 2> "$T/err"; rc=$?
check "--scp03-level 7: says which levels exist, in one line (no usage line after it)" '[ $rc = 2 ] && grep -q -- "--scp03-level 7: must be 01, 03, 13 or 33" "$T/err" && [ "$(wc -l < "$T/err")" = 1 ]'
"$SCBOOT" dump -r "$V" --secure-channel maybe > /dev/null 2> "$T/err"; rc=$?
check "--secure-channel maybe: says why, in one line" '[ $rc = 2 ] && grep -q -- "--secure-channel maybe: must be required, preferred or off" "$T/err" && [ "$(wc -l < "$T/err")" = 1 ]'
# bootstrap's numeric options: each bad value says what is allowed, one line, exit 2
for bv in "--attempts 0:--attempts 0: must be 1 to 100" "--backoff 5,1:--backoff 5,1: must be MS or MS,MAX_MS" \
          "--ack-timeout 999:--ack-timeout 999: must be 1000 to 60000 ms" "--max-retransmit 9:--max-retransmit 9: must be 1 to 8"; do
    "$SCBOOT" bootstrap --server coap://127.0.0.1:1 --endpoint e --state-dir "$T/bs" ${bv%%:*} > /dev/null 2> "$T/err"; rc=$?
    check "bootstrap ${bv%%:*}: says why, one line, exit 2" '[ $rc = 2 ] && grep -q -- "${bv#*:}" "$T/err" && [ "$(wc -l < "$T/err")" = 1 ]'
done
"$SCBOOT" bootstrap --listen 99999 --state-dir "$T/bs" > /dev/null 2> "$T/err"; rc=$?
check "bootstrap --listen 99999: says why, one line, exit 2" '[ $rc = 2 ] && grep -q -- "--listen 99999: must be \[ADDR:\]PORT, PORT 1 to 65535" "$T/err" && [ "$(wc -l < "$T/err")" = 1 ]'
"$SCBOOT" check --source x "$T/m.bin" > /dev/null 2> "$T/err"; rc=$?
check "--source x: says why" '[ $rc = 2 ] && grep -q -- "--source x: must be card, factory or network" "$T/err"'
"$SCBOOT" encode --pad 1x "$DATA/multi_server_acl.json" -o "$T/x.bin" 2> "$T/err"; rc=$?
check "--pad 1x: says why" '[ $rc = 2 ] && grep -q -- "--pad 1x: must be" "$T/err"'
"$SCBOOT" watch -r x --exec-timeout 0 2> "$T/err"; rc=$?
check "--exec-timeout 0: says why" '[ $rc = 2 ] && grep -q -- "--exec-timeout .0.: out of range" "$T/err"'

# version and help
"$SCBOOT" -V > "$T/v1"; rc1=$?; "$SCBOOT" --version > "$T/v2"
check "-V and --version print the meson project version" '[ $rc1 = 0 ] && grep -q "^scboot [0-9][0-9.]*$" "$T/v1" && cmp -s "$T/v1" "$T/v2"'
"$SCBOOT" help check > "$T/a"; rc=$?; "$SCBOOT" check --help > "$T/b"
check "help CMD = CMD --help" '[ $rc = 0 ] && cmp -s "$T/a" "$T/b" && grep -q "^usage: scboot check" "$T/a"'
"$SCBOOT" help nosuch > /dev/null 2>&1; rc=$?
check "help of an unknown command: exit 2" '[ $rc = 2 ]'
"$SCBOOT" help > "$T/out"; rc=$?
check "help alone: the command list" '[ $rc = 0 ] && grep -q "^  watch" "$T/out"'

# pcscd not running: the hint, exit 3
PCSCLITE_CSOCK_NAME="$T/no-pcscd.comm" "$SCBOOT" readers > /dev/null 2> "$T/err"; rc=$?
check "pcscd down: exit 3 and the hint to start it" '[ $rc = 3 ] && grep -q "is pcscd running? systemctl start pcscd.socket" "$T/err" && [ "$(wc -l < "$T/err")" = 1 ]'
PCSCLITE_CSOCK_NAME="$T/no-pcscd.comm" "$SCBOOT" dump -r 0 > /dev/null 2> "$T/err"; rc=$?
check "pcscd down (dump): the hint" '[ $rc = 3 ] && grep -q "systemctl start pcscd.socket" "$T/err"'

echo "1..$tn"
[ $fails = 0 ]

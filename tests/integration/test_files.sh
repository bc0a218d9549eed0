#!/bin/sh
# test_files.sh: files and state on disk, as an unlucky operator and an attacker meet them:
# secret-bearing outputs 0600 whatever the umask, a damaged or hostile store, state directory
# rules, PIN files, messages and exit codes for files that cannot be read or written (one
# line each). No PC/SC needed (virtual cards); the full-disk cases are in test_disk.sh.
set -u
SCBOOT=$1 DATA=$2
T=$(mktemp -d /tmp/scboot-files.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
mode() { stat -c %a "$1"; }
lines() { wc -l < "$1" | tr -d ' '; }

# ---- secrets at rest: 0600 whatever the umask, whether or not the file existed -------------
umask 000
"$SCBOOT" decode --json --show-secrets "$DATA/anjay_ef126.bin" > "$T/a.json"
"$SCBOOT" encode "$T/a.json" -o "$T/new.bin" 2>/dev/null; rc=$?
check "encode -o under umask 000: a new file is 0600" '[ $rc = 0 ] && [ "$(mode "$T/new.bin")" = 600 ] && cmp -s "$T/new.bin" "$DATA/anjay_ef126.bin"'
printf 'old' > "$T/old.bin"; chmod 644 "$T/old.bin"
"$SCBOOT" encode "$T/a.json" -o "$T/old.bin" 2>/dev/null; rc=$?
check "encode -o over an existing 0644 file: now 0600 with the new bytes" '[ $rc = 0 ] && [ "$(mode "$T/old.bin")" = 600 ] && cmp -s "$T/old.bin" "$DATA/anjay_ef126.bin"'
printf 'old' > "$T/raw.bin"; chmod 666 "$T/raw.bin"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --raw "$T/raw.bin" > /dev/null 2>&1; rc=$?
check "dump --raw over an existing 0666 file: now 0600" '[ $rc = 0 ] && [ "$(mode "$T/raw.bin")" = 600 ] && cmp -s "$T/raw.bin" "$DATA/anjay_ef126.bin"'
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --raw "$T/raw2.bin" > /dev/null 2>&1
check "dump --raw under umask 000: a new file is 0600" '[ "$(mode "$T/raw2.bin")" = 600 ]'
printf 'x' > "$T/trace"; chmod 644 "$T/trace"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --show-secrets --trace "$T/trace" > /dev/null 2>&1
check "--trace (secrets shown) over a 0644 file: now 0600" '[ "$(mode "$T/trace")" = 600 ] && grep -q "^> " "$T/trace"'
"$SCBOOT" encode "$T/a.json" -o - > "$T/stdout.bin" 2>/dev/null; rc=$?
check "encode -o - writes to stdout" '[ $rc = 0 ] && cmp -s "$T/stdout.bin" "$DATA/anjay_ef126.bin"'
"$SCBOOT" encode "$T/a.json" -o /dev/null 2>/dev/null; rc=$?
check "encode -o /dev/null writes to the device and leaves it alone" '[ $rc = 0 ] && [ -c /dev/null ]'
printf 'precious' > "$T/target"; chmod 644 "$T/target"; ln -s "$T/target" "$T/link.bin"
"$SCBOOT" encode "$T/a.json" -o "$T/link.bin" 2> "$T/err"; rc=$?
check "encode -o onto a symbolic link: refused (exit 5, one line), nothing written through it" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "symbolic link" "$T/err" && [ "$(cat "$T/target")" = precious ] && [ -L "$T/link.bin" ]'
"$SCBOOT" apply --factory "$DATA/anjay_ef126.bin" --state-dir "$T/st" > /dev/null 2>&1
check "store under umask 000: dir 0700, config.json 0600, lock 0600" '[ "$(mode "$T/st")" = 700 ] && [ "$(mode "$T/st/config.json")" = 600 ] && [ "$(mode "$T/st/lock")" = 600 ]'
check "no temporary file left behind by the writers" '[ -z "$(ls -A "$T" | grep "^\.")" ]'
umask 022

echo "1..$tn"
[ $fails = 0 ]

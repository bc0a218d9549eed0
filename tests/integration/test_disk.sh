#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_disk.sh: a full disk and a read-only one under the state directory and the output
# files (tmpfs of 64 KB, then remounted read-only; doc/testing.md). Each failure is one line,
# exit 5, naming the file and the system's reason; the committed configuration and existing
# outputs stay as they were and no temporary file is left. Needs root (mount), in a private
# mount namespace so nothing outlives the test; skips (77) otherwise unless SCBOOT_REQUIRE_PCSC=1.
set -u
SCBOOT=$1 DATA=$2
if [ "${SCBOOT_DISK_NS:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null; then
        echo "1..0 # SKIP needs root and unshare for a private tmpfs"
        [ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ] && exit 1
        exit 77
    fi
    SCBOOT_DISK_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
T=$(mktemp -d /tmp/scboot-disk.XXXXXX)
D="$T/disk"
trap 'umount "$D" 2>/dev/null; rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
lines() { wc -l < "$1" | tr -d ' '; }

mkdir "$D" && mount -t tmpfs -o size=64k,mode=700 tmpfs "$D" || { echo "Bail out! mount tmpfs"; exit 1; }
"$SCBOOT" apply --no-card --factory "$DATA/anjay_ef126.bin" --state-dir "$D/st" > /dev/null 2>&1; rc=$?
check "a first commit on the small disk" '[ $rc = 0 ]'
cp "$D/st/config.json" "$T/before.json"
"$SCBOOT" decode --json --show-secrets "$DATA/anjay_ef126.bin" > "$T/a.json"
"$SCBOOT" encode "$T/a.json" -o "$D/out.bin" 2>/dev/null
dd if=/dev/zero of="$D/fill" bs=1k count=200 2>/dev/null
check "the disk is full" '! dd if=/dev/zero of="$D/fill2" bs=1k count=1 2>/dev/null'

"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$D/st" > "$T/out" 2> "$T/err"; rc=$?
check "apply on a full disk: exit 5" '[ $rc = 5 ]'
check "... one line naming the file and 'No space left on device'" '[ "$(lines "$T/err")" = 1 ] && grep -q "cannot write $D/st/config.json.tmp: No space left on device" "$T/err"'
check "... nothing on stdout, the store unchanged, no temporary file left" '[ ! -s "$T/out" ] && cmp -s "$T/before.json" "$D/st/config.json" && [ ! -e "$D/st/config.json.tmp" ]'
"$SCBOOT" status --state-dir "$D/st" > "$T/out" 2>&1; rc=$?
check "status still reads generation 1" '[ $rc = 0 ] && grep -q "^generation 1 " "$T/out"'
"$SCBOOT" encode "$DATA/multi_server_acl.json" -o "$D/out.bin" 2> "$T/err"; rc=$?
check "encode -o on a full disk: exit 5, one line, the old output intact, no temporary left" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "cannot write $D/out.bin: No space left on device" "$T/err" && cmp -s "$D/out.bin" "$DATA/anjay_ef126.bin" && [ -z "$(ls -A "$D" | grep "^\.")" ]'
"$SCBOOT" dump -r "virtual:$DATA/standard.json" --raw "$D/raw.bin" > /dev/null 2> "$T/err"; rc=$?
check "dump --raw on a full disk: exit 5, one line" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "No space left on device" "$T/err" && [ ! -e "$D/raw.bin" ]'

rm -f "$D/fill"
mount -o remount,ro "$D" || { echo "Bail out! remount ro"; exit 1; }
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$D/st" > "$T/out" 2> "$T/err"; rc=$?
check "apply on a read-only disk: exit 5, one line 'Read-only file system'" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "Read-only file system" "$T/err" && grep -q "$D/st" "$T/err"'
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$D/new" > "$T/out" 2> "$T/err"; rc=$?
check "a state dir to create on a read-only disk: exit 5, one line" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "cannot create state directory $D/new: Read-only file system" "$T/err"'
"$SCBOOT" status --state-dir "$D/st" > "$T/out" 2>&1; rc=$?
check "status reads a read-only store" '[ $rc = 0 ] && grep -q "^generation 1 " "$T/out"'
"$SCBOOT" encode "$T/a.json" -o "$D/x.bin" 2> "$T/err"; rc=$?
check "encode -o on a read-only disk: exit 5, one line" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "cannot write $D/x.bin: Read-only file system" "$T/err"'

echo "1..$tn"
[ $fails = 0 ]

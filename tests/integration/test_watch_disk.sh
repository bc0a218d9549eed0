#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_watch_disk.sh: `scboot watch` with its state directory on a full disk (a small tmpfs in a
# private mount namespace), through a real pcscd + vpcd + scboot-vcard. The failed commit is
# one <3> journal line naming the file and the system's reason; nothing claims the card was
# committed, the hook is not told; once space is back a SIGHUP commits and runs the hook.
# Stops only what it started.
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "${SCBOOT_WDISK_NS:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    SCBOOT_WDISK_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$HERE/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }

stack_start
PROFILE="$STACK_DIR/card.json"
sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/anjay_ef126.bin\"#" "$DATA/standard.json" > "$PROFILE"
stack_vcard "$PROFILE"
stack_wait_card "Virtual PCD 00 00"

D="$STACK_DIR/disk"
mkdir "$D"
mount -t tmpfs -o size=16k,mode=0700 tmpfs "$D" || { echo "1..1"; echo "not ok 1 - tmpfs"; exit 1; }
mkdir -m 700 "$D/st"
dd if=/dev/zero of="$D/fill" bs=1k count=64 2>/dev/null
LOG="$STACK_DIR/journal"
: > "$LOG"
JS=$(stat -c '%d:%i' "$LOG")
JOURNAL_STREAM="$JS" "$SCBOOT" watch -r "Virtual PCD 00 00" --state-dir "$D/st" \
    --exec "echo \$SCBOOT_EVENT \$SCBOOT_GENERATION >> '$STACK_DIR/events'" 2>> "$LOG" &
WATCH=$!
stack_wait 100 grep -q "^<3>commit failed" "$LOG"
sleep 0.5
echo "1..6"
check "a full state disk: one <3> line naming the file and 'No space left on device'" \
    '[ "$(grep -c "^<3>commit failed: cannot write $D/st/config.json.tmp: No space left on device$" "$LOG")" -ge 1 ]'
check "... nothing says the card was committed" '! grep -q "committed" "$LOG"'
check "... the hook is not told, no store file, no temporary left" \
    '[ ! -e "$STACK_DIR/events" ] && [ ! -e "$D/st/config.json" ] && [ ! -e "$D/st/config.json.tmp" ]'
rm -f "$D/fill"
kill -HUP "$WATCH"
stack_wait 100 test -s "$STACK_DIR/events"
check "space back, SIGHUP: committed (generation 1), the hook told 'applied 1'" \
    'grep -q "^<6>card applied: ICCID 8988211000000430010, 126-byte file committed (generation 1)$" "$LOG" && grep -q "^applied 1$" "$STACK_DIR/events"'
kill -TERM "$WATCH"
stack_wait 50 sh -c "! kill -0 $WATCH"
wait "$WATCH"; rc=$?
check "SIGTERM: exit 0" '[ $rc = 0 ]'
check "the store reads back (status, generation 1)" '"$SCBOOT" status --state-dir "$D/st" | grep -q "^generation 1 "'
umount "$D"
[ $fails = 0 ]

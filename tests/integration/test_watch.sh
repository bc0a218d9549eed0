#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_watch.sh: `scboot watch --exec` through a real pcscd + vpcd sees, in this order: the
# card inserted (applied), its data changed (the emulator reloads another image; SIGHUP asks
# for a re-check), the card removed (its instances deleted, the factory ones kept), a pcscd
# restart (re-established, the card applied again); then SIGTERM ends it cleanly. The test
# bounds its own run time and stops only the processes it started.
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
# wait until the events file has $1 lines (up to 10 s)
wait_events() { stack_wait 100 sh -c "[ \$(wc -l < '$EV' 2>/dev/null || echo 0) -ge $1 ]"; }

stack_start
EV="$STACK_DIR/events"
STATE="$STACK_DIR/state"
PROFILE="$STACK_DIR/card.json"
: > "$EV"
# the card: the server account image; later the BS-only image, same ICCID
sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/anjay_ef126.bin\"#" "$DATA/standard.json" > "$PROFILE"
stack_vcard "$PROFILE"
stack_wait_card "Virtual PCD 00 00"

"$SCBOOT" watch -r "Virtual PCD 00 00" --state-dir "$STATE" --factory "$DATA/nrf_ef58.bin" \
    --exec "echo \$SCBOOT_EVENT \$SCBOOT_ICCID \$SCBOOT_GENERATION >> '$EV'" 2> "$STACK_DIR/watch.log" &
WATCH=$!
wait_events 1
check "insert: card applied" '[ "$(sed -n 1p "$EV" | cut -d" " -f1)" = applied ]'
check "the ICCID is passed to the hook" 'sed -n 1p "$EV" | grep -q " 8988211000000430010 "'
"$SCBOOT" status --state-dir "$STATE" > "$STACK_DIR/status"
check "status shows the card instances" 'grep -q "/1/1  card" "$STACK_DIR/status"'

# data change: the emulator reloads a profile with another image, then a re-check
sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/nrf_ef58.bin\"#" "$DATA/standard.json" > "$PROFILE"
kill -HUP "$VCARD_PID"
sleep 0.2
kill -HUP "$WATCH"
wait_events 2
check "data change: changed" '[ "$(sed -n 2p "$EV" | cut -d" " -f1)" = changed ]'

# removal
kill "$VCARD_PID"; wait "$VCARD_PID" 2>/dev/null; VCARD_PID=
wait_events 3
check "removal: removed" '[ "$(sed -n 3p "$EV" | cut -d" " -f1)" = removed ]'
"$SCBOOT" status --state-dir "$STATE" > "$STACK_DIR/status"
check "removal: card instances gone, factory applied in their place" '! grep -q "  card$" "$STACK_DIR/status" && grep -q "/0/0  factory" "$STACK_DIR/status"'

# pcscd restart, card back in
stack_pcscd_down
sleep 1
stack_pcscd_up
stack_vcard "$PROFILE"
# pcscd may be back before the card side is: an "absent" event can come first (R4: the reader
# is there and empty), then the card is applied
stack_wait 100 sh -c "sed -n '4,\$p' '$EV' | grep -q '^applied'"
check "pcscd restart: re-established and the card applied" 'sed -n "4,\$p" "$EV" | cut -d" " -f1 | grep -qx applied && ! sed -n "4,\$p" "$EV" | cut -d" " -f1 | grep -qx removed'
check "pcscd restart was logged" 'grep -q "SCARD_E_NO_SERVICE" "$STACK_DIR/watch.log" && grep -q "pcscd is back" "$STACK_DIR/watch.log"'

kill -TERM "$WATCH"
i=0; while kill -0 "$WATCH" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGTERM: clean exit" '! kill -0 "$WATCH" 2>/dev/null && grep -q "exiting" "$STACK_DIR/watch.log"'
kill -9 "$WATCH" 2>/dev/null
check "no secret in the log" '! grep -qi "101112131415" "$STACK_DIR/watch.log"'
check "state file is 0600" '[ "$(stat -c %a "$STATE/config.json")" = 600 ]'
echo "1..$tn"
[ $fails = 0 ] || { cat "$STACK_DIR/watch.log" "$EV" >&2; exit 1; }

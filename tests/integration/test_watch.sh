#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_watch.sh: `scboot watch --exec` through a real pcscd + vpcd sees, in this order: the
# card inserted (applied), its data changed (the emulator reloads another image; SIGHUP asks
# for a re-check), the card removed (its instances deleted, the factory ones kept), a pcscd
# restart (re-established, the card applied again); then SIGTERM ends it cleanly. The test
# bounds its own run time and stops only the processes it started.
#
# After the pcscd restart the card side can only connect once the new vpcd listens, so the
# daemon may first find no reader or a reader whose state pcscd has not polled yet ("unknown",
# R4: keep) or the reader empty ("absent": true, and harmless here since the card's instances
# went at the removal) before the card ("applied"). Those are accepted only before "applied",
# and only if they committed nothing (same generation as the removal); "removed" is not.
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
check "removal: the card side stops on SIGTERM" stack_vcard_stop
wait_events 3
check "removal: removed" '[ "$(sed -n 3p "$EV" | cut -d" " -f1)" = removed ]'
"$SCBOOT" status --state-dir "$STATE" > "$STACK_DIR/status"
check "removal: card instances gone, factory applied in their place" '! grep -q "  card$" "$STACK_DIR/status" && grep -q "/0/0  factory" "$STACK_DIR/status"'

# pcscd restart, card back in
check "pcscd restart: pcscd and the card side stop on SIGTERM" stack_pcscd_down
sleep 1
stack_pcscd_up
stack_vcard "$PROFILE"
gen_removed=$(sed -n 3p "$EV" | awk '{print $NF}')
stack_wait 150 sh -c "sed -n '4,\$p' '$EV' | grep -q '^applied '"
echo "# events so far: $(cut -d' ' -f1 "$EV" | tr '\n' ' ')"
check "pcscd restart: re-established and the card applied" 'sed -n "4,\$p" "$EV" | awk -v g="$gen_removed" '"'"'$1 == "applied" { ok = 1; exit } ($1 != "unknown" && $1 != "absent") || $NF != g { exit } END { exit !ok }'"'"''
check "pcscd restart was logged" 'grep -q "SCARD_E_NO_SERVICE" "$STACK_DIR/watch.log" && grep -q "pcscd is back" "$STACK_DIR/watch.log"'

check "SIGTERM: clean exit" 'stack_kill "$WATCH" "scboot watch" && grep -q "exiting" "$STACK_DIR/watch.log"'
check "no secret in the log" '! grep -qi "101112131415" "$STACK_DIR/watch.log"'
check "state file is 0600" '[ "$(stat -c %a "$STATE/config.json")" = 600 ]'
echo "1..$tn"
[ $fails = 0 ] || { cat "$STACK_DIR/watch.log" "$EV" >&2; exit 1; }

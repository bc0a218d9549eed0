#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_watch_modem.sh: `scboot watch --all -r at:PTY` through a real pcscd + vpcd and
# scboot-vmodem watches every PC/SC reader and the modem as one: the modem's SIM is applied
# while the PC/SC reader is empty, a card inserted in the PC/SC reader comes first (swapped),
# its removal brings the modem's SIM back; the configuration file's `reader = at:PTY` with
# --all does the same; --all with a PC/SC reader named is a usage error. Every wait is
# bounded; only our own processes are stopped.
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3 VMODEM=$4
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
wait_events() { stack_wait 150 sh -c "[ \$(wc -l < '$EV' 2>/dev/null || echo 0) -ge $1 ]"; }

stack_start
VM="" VM2="" WATCH=""
trap '_st=$?; [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null; [ -n "$VM" ] && kill "$VM" 2>/dev/null; [ -n "$VM2" ] && kill "$VM2" 2>/dev/null; stack_stop || _st=1; exit $_st' EXIT
EV="$STACK_DIR/events"
PTY="$STACK_DIR/modem"
MODEM_ICCID=8988211000000430028
# the modem's SIM: the standard card under another ICCID
sed -e "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/nrf_ef58.bin\"#" \
    -e "s#\"iccid\": *\"[0-9]*\"#\"iccid\": \"$MODEM_ICCID\"#" "$DATA/standard.json" > "$STACK_DIR/sim.json"
grep -q "$MODEM_ICCID" "$STACK_DIR/sim.json" || \
    sed -i "s#^{#{\"iccid\": \"$MODEM_ICCID\",#" "$STACK_DIR/sim.json"
"$VMODEM" --link "$PTY" "$STACK_DIR/sim.json" 2> "$STACK_DIR/vmodem.log" &
VM=$!
stack_wait 50 test -L "$PTY"

# watch_start ARGS...: the daemon, its hook appending "EVENT READER ICCID" lines to $EV
watch_start() {
    : > "$EV"
    "$SCBOOT" watch --state-dir "$STACK_DIR/state$tn" "$@" \
        --exec "echo \$SCBOOT_EVENT \$SCBOOT_READER \$SCBOOT_ICCID >> '$EV'" 2> "$STACK_DIR/watch.log" &
    WATCH=$!
}
watch_stop() { kill "$WATCH" 2>/dev/null; wait "$WATCH" 2>/dev/null; WATCH=""; }

watch_start --all -r "at:$PTY,poll=200"
wait_events 1
check "--all -r at:: the modem's SIM applied while the PC/SC reader is empty" \
    '[ "$(sed -n 1p "$EV")" = "applied at:$PTY $MODEM_ICCID" ] || { cat "$EV" "$STACK_DIR/watch.log" >&2; false; }'
check "--all -r at:: the start-up line names both" \
    'grep -q "watching all readers and the modem at:$PTY" "$STACK_DIR/watch.log"'
stack_vcard "$DATA/standard.json"
wait_events 2
check "--all -r at:: a card in the PC/SC reader comes first" \
    '[ "$(sed -n 2p "$EV")" = "swapped Virtual PCD 00 00 8988211000000430010" ] || { cat "$EV" "$STACK_DIR/watch.log" >&2; false; }'
check "the card side stops on SIGTERM" stack_vcard_stop
wait_events 3
check "--all -r at:: the PC/SC card removed, the modem's SIM again" \
    '[ "$(sed -n 3p "$EV")" = "swapped at:$PTY $MODEM_ICCID" ] || { cat "$EV" "$STACK_DIR/watch.log" >&2; false; }'
watch_stop

# the configuration file's modem with --all
printf 'reader = at:%s,poll=200\n' "$PTY" > "$STACK_DIR/scboot.conf"
chmod 600 "$STACK_DIR/scboot.conf"
watch_start --all --config "$STACK_DIR/scboot.conf"
wait_events 1
check "--all and the file's reader = at:: the modem's SIM applied" \
    '[ "$(sed -n 1p "$EV")" = "applied at:$PTY $MODEM_ICCID" ] || { cat "$EV" "$STACK_DIR/watch.log" >&2; false; }'
watch_stop

# a modem that appears after the daemon started (a USB modem enumerating after boot): the
# daemon waits for it, with or without --all, and applies its SIM once it answers
LATE="$STACK_DIR/late-modem"
# late_modem LABEL WATCH-ARGS...: the daemon started before the port exists, then the modem
late_modem() {
    _l=$1; shift
    watch_start "$@"
    sleep 2
    check "$_l <missing port>: the daemon keeps running" \
        'kill -0 "$WATCH" 2>/dev/null || { cat "$STACK_DIR/watch.log" >&2; false; }'
    check "$_l <missing port>: said once, waiting for it" \
        '[ "$(grep -c "modem at:$LATE: cannot be opened yet (.*): waiting for it" "$STACK_DIR/watch.log")" = 1 ] || { cat "$STACK_DIR/watch.log" >&2; false; }'
    "$VMODEM" --link "$LATE" "$STACK_DIR/sim.json" 2> "$STACK_DIR/vmodem2.log" &
    VM2=$!
    # the state was unknown before (event "unknown"); the SIM comes once the port answers
    stack_wait 300 grep -q "^applied at:$LATE $MODEM_ICCID\$" "$EV"
    check "$_l: the late modem's SIM applied" \
        'grep -q "^applied at:$LATE $MODEM_ICCID\$" "$EV" || { cat "$EV" "$STACK_DIR/watch.log" >&2; false; }'
    watch_stop
    kill "$VM2" 2>/dev/null; wait "$VM2" 2>/dev/null; VM2=""
    stack_wait 50 sh -c "[ ! -e '$LATE' ]"
}
late_modem "--all -r at:" --all -r "at:$LATE,poll=200"
late_modem "-r at: without --all" -r "at:$LATE,poll=200"
timeout -k 5 30 "$SCBOOT" watch -r "at:$LATE,baud=12345" --state-dir "$STACK_DIR/x" > /dev/null 2>&1
rc=$?
check "-r at: with a wrong setting: still refused at once (exit 2)" '[ $rc = 2 ]'

timeout -k 5 30 "$SCBOOT" watch --all -r "Virtual PCD 00 00" --state-dir "$STACK_DIR/x" > /dev/null 2>&1
rc=$?
check "--all with a PC/SC reader named: usage error (exit 2)" '[ $rc = 2 ]'
echo "1..$tn"
[ $fails = 0 ]

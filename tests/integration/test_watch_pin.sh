#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_watch_pin.sh: `scboot watch` reads a PIN-protected card (tests/data/pin.json) through a
# real pcscd + vpcd with the PIN from --pin-file, and with --pin the PIN no longer shows in
# /proc/PID/cmdline once the daemon runs. A group-readable PIN file is refused at start. A
# wrong PIN is presented once and never again, so the SIM's tries are not used up.
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
READER="Virtual PCD 00 00"

stack_start
stack_vcard "$DATA/pin.json"
stack_wait_card "$READER"
EV="$STACK_DIR/events"
: > "$EV"
printf '1234\n' > "$STACK_DIR/pin"; chmod 600 "$STACK_DIR/pin"

stop_watch() {
    kill -TERM "$1" 2>/dev/null
    i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

"$SCBOOT" watch -r "$READER" --pin-file "$STACK_DIR/pin" --state-dir "$STACK_DIR/s1" \
    --exec "echo \$SCBOOT_EVENT >> '$EV'" 2> "$STACK_DIR/w1.log" &
W=$!
stack_wait 100 sh -c "[ -s '$EV' ]"
check "watch --pin-file: the PIN-protected card is applied" '[ "$(sed -n 1p "$EV")" = applied ] && "$SCBOOT" status --state-dir "$STACK_DIR/s1" | grep -q "/0/1  card"'
check "the PIN never reaches the log (neither as text nor as its VERIFY bytes)" '! grep -qw 1234 "$STACK_DIR/w1.log" && ! grep -q 31323334 "$STACK_DIR/w1.log"'
stop_watch "$W"

: > "$EV"
"$SCBOOT" watch -r "$READER" --pin 1234 --state-dir "$STACK_DIR/s2" \
    --exec "echo \$SCBOOT_EVENT >> '$EV'" 2> "$STACK_DIR/w2.log" &
W=$!
stack_wait 100 sh -c "[ -s '$EV' ]"
check "watch --pin: applied" '[ "$(sed -n 1p "$EV")" = applied ]'
case $(readlink "/proc/$W/exe") in
    # a cross build's program under qemu-user: /proc/PID/cmdline is qemu's own copy of the
    # arguments, which the program cannot reach (its argv is a copy in the guest's memory)
    */qemu-*)
        tn=$((tn + 1))
        echo "ok $tn - watch --pin: the PIN is wiped from /proc/PID/cmdline # SKIP under qemu-user" ;;
    *)
        check "watch --pin: the PIN is wiped from /proc/PID/cmdline" 'tr "\0" " " < /proc/$W/cmdline | grep -q -- "--pin" && ! tr "\0" " " < /proc/$W/cmdline | grep -q 1234' ;;
esac
stop_watch "$W"

chmod 640 "$STACK_DIR/pin"
"$SCBOOT" watch -r "$READER" --pin-file "$STACK_DIR/pin" --state-dir "$STACK_DIR/s3" > /dev/null 2> "$STACK_DIR/w3.log"; rc=$?
check "watch --pin-file readable by group: refused at start, exit 5, one line" '[ $rc = 5 ] && [ "$(wc -l < "$STACK_DIR/w3.log")" = 1 ] && grep -q "chmod 600" "$STACK_DIR/w3.log"'

# a wrong PIN in the PIN file: presented once, never again (each try costs one of the card's
# three; a daemon re-checking at every SIGHUP or --verify period would block the SIM)
printf '9999\n' > "$STACK_DIR/badpin"; chmod 600 "$STACK_DIR/badpin"
: > "$EV"
: > "$STACK_DIR/w4.log"
JS=$(stat -c '%d:%i' "$STACK_DIR/w4.log")
JOURNAL_STREAM="$JS" "$SCBOOT" watch -r "$READER" --pin-file "$STACK_DIR/badpin" --verify always \
    --state-dir "$STACK_DIR/s4" --exec "echo \$SCBOOT_EVENT >> '$EV'" 2>> "$STACK_DIR/w4.log" &
W=$!
stack_wait 100 sh -c "[ -s '$EV' ]"
for i in 1 2 3; do sleep 1; kill -HUP "$W"; done
sleep 2
stop_watch "$W"
check "a wrong PIN: refused once (2 tries left), a <3> line, never presented again (SIGHUPs, --verify always)" \
    '[ "$(grep -c "wrong PIN" "$STACK_DIR/w4.log")" = 1 ] && grep -q "wrong PIN, 2 tries left" "$STACK_DIR/w4.log" && grep -q "^<3>PIN refused by the card: not presented again" "$STACK_DIR/w4.log" && ! grep -q "blocked" "$STACK_DIR/w4.log" && [ "$(grep -c "PIN required" "$STACK_DIR/w4.log")" -ge 3 ]'
chmod 600 "$STACK_DIR/pin"
: > "$EV"
"$SCBOOT" watch -r "$READER" --pin-file "$STACK_DIR/pin" --state-dir "$STACK_DIR/s5" \
    --exec "echo \$SCBOOT_EVENT >> '$EV'" 2> "$STACK_DIR/w5.log" &
W=$!
stack_wait 100 sh -c "[ -s '$EV' ]"
stop_watch "$W"
check "... so the card is not blocked: the right PIN then applies it" '[ "$(sed -n 1p "$EV")" = applied ] || { echo "# events: $(cat "$EV")"; false; }'
echo "1..$tn"
[ $fails = 0 ] || { cat "$STACK_DIR/w1.log" "$STACK_DIR/w2.log" "$STACK_DIR/w4.log" "$STACK_DIR/w5.log" >&2; exit 1; }

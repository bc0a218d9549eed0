#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_daemon.sh: `scboot watch` as a systemd service, without systemd (doc/testing.md): a
# datagram socket in $NOTIFY_SOCKET receives READY=1 after the first card check, STATUS= per
# event and STOPPING=1; with JOURNAL_STREAM naming stderr the lines carry <N> priorities and no
# timestamp; a configuration file supplies the options (strict: a bad line names FILE:LINE);
# a slow hook is killed at --exec-timeout and SIGTERM during a hook ends the daemon within the
# timeout, the hook's process group with it; a missing hook is reported once; pcscd down at
# start: READY=1 and "pcscd unreachable, retrying". Stops only what it started.
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
HERE=$(dirname "$0")
. "$HERE/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
command -v /usr/bin/python3 >/dev/null || stack_skip "needs /usr/bin/python3 for the notify socket"

stack_start
PROFILE="$STACK_DIR/card.json"
sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/anjay_ef126.bin\"#" "$DATA/standard.json" > "$PROFILE"
stack_vcard "$PROFILE"
stack_wait_card "Virtual PCD 00 00"

# --- 1. readiness, status, journald priorities, configuration file -------------------------
N="$STACK_DIR/notify"
/usr/bin/python3 "$HERE/notify_listen.py" "$STACK_DIR/notify.sock" "$N" 30 &
LISTEN=$!
stack_wait 50 test -S "$STACK_DIR/notify.sock"
cat > "$STACK_DIR/scboot.conf" <<CONF
# written by test_daemon.sh
reader = Virtual PCD 00 00
state-dir = $STACK_DIR/state
exec = echo "\$SCBOOT_EVENT \$SCBOOT_ICCID \$SCBOOT_EXEC_TIMEOUT" >> '$STACK_DIR/events'
exec-timeout = 7
verify = on-event
CONF
LOG="$STACK_DIR/watch.log"
: > "$LOG"
JS=$(stat -c '%d:%i' "$LOG")
NOTIFY_SOCKET="$STACK_DIR/notify.sock" JOURNAL_STREAM="$JS" \
    "$SCBOOT" watch --config "$STACK_DIR/scboot.conf" 2>> "$LOG" &
WATCH=$!
stack_wait 100 grep -q "READY=1" "$N"
check "READY=1 after the first check" 'grep -q "^READY=1" "$N"'
check "STATUS names the card and the generation" 'grep -q "^STATUS=card 8988211000000430010 applied generation 1" "$N"'
check "the start-up line names the reader (from the file) and the file" 'grep -q "^<6>watching the reader \"Virtual PCD 00 00\" (config $STACK_DIR/scboot.conf, state $STACK_DIR/state, hook set, timeout 7 s)$" "$LOG"'
check "STATUS before the first check" 'grep -q "^STATUS=starting" "$N"'
check "the hook ran with the configuration's timeout" 'grep -q "^applied 8988211000000430010 7$" "$STACK_DIR/events"'
check "journal lines carry <6> and no timestamp" 'grep -q "^<6>event applied" "$LOG" && ! grep -q "^20[0-9][0-9]-" "$LOG"'
kill "$VCARD_PID"; wait "$VCARD_PID" 2>/dev/null; VCARD_PID=
stack_wait 100 grep -q "^STATUS=no card" "$N"
check "removal: STATUS=no card" 'grep -q "^STATUS=no card" "$N"'
stack_wait 50 grep -q "^removed" "$STACK_DIR/events"
kill -HUP "$WATCH"
stack_wait 50 grep -q "event absent" "$LOG"
sleep 0.3
check "the same state seen again (SIGHUP, no card) does not run the hook again" 'grep -q "event absent" "$LOG" && [ "$(wc -l < "$STACK_DIR/events")" = 2 ] && ! grep -q "^absent" "$STACK_DIR/events"'
kill -TERM "$WATCH"
stack_wait 50 sh -c "! kill -0 $WATCH"
check "STOPPING=1 on exit" 'grep -q "^STOPPING=1" "$N"'
check "READY before STOPPING" '[ "$(grep -n "^READY=1" "$N" | cut -d: -f1)" -lt "$(grep -n "^STOPPING=1" "$N" | cut -d: -f1)" ]'
kill "$LISTEN" 2>/dev/null; wait "$LISTEN" 2>/dev/null

# flags override the file: --state-dir elsewhere, no hook from the file with --exec given
stack_vcard "$PROFILE"
stack_wait_card "Virtual PCD 00 00"
: > "$STACK_DIR/events"
"$SCBOOT" watch --config "$STACK_DIR/scboot.conf" --state-dir "$STACK_DIR/state2" \
    --exec "echo flag \$SCBOOT_EVENT >> '$STACK_DIR/events'" 2> "$STACK_DIR/watch2.log" &
WATCH=$!
stack_wait 100 grep -q "^flag applied" "$STACK_DIR/events"
kill -TERM "$WATCH"; wait "$WATCH" 2>/dev/null
check "flags override the configuration file" 'grep -q "^flag applied" "$STACK_DIR/events" && [ -f "$STACK_DIR/state2/config.json" ] && ! grep -q "^applied" "$STACK_DIR/events"'
check "without JOURNAL_STREAM the lines keep their timestamp" 'grep -q "^20[0-9][0-9]-.*Z scboot watch: event applied" "$STACK_DIR/watch2.log"'

# a strict file: unknown key and bad value name the line, exit 2
printf 'reader = x\nexec-timeout = soon\n' > "$STACK_DIR/bad.conf"
"$SCBOOT" watch --config "$STACK_DIR/bad.conf" 2> "$STACK_DIR/err"; rc=$?
check "bad value: exit 2 naming FILE:LINE" '[ $rc = 2 ] && grep -q "bad.conf:2: exec-timeout: .soon.: not a number" "$STACK_DIR/err"'
printf '# x\nreaders = x\n' > "$STACK_DIR/bad.conf"
"$SCBOOT" watch --config "$STACK_DIR/bad.conf" 2> "$STACK_DIR/err"; rc=$?
check "unknown key: exit 2 naming FILE:LINE" '[ $rc = 2 ] && grep -q "bad.conf:2: unknown key .readers." "$STACK_DIR/err"'
"$SCBOOT" watch --config "$STACK_DIR/absent.conf" 2> "$STACK_DIR/err"; rc=$?
check "--config of a missing file: exit 2" '[ $rc = 2 ] && grep -q "absent.conf" "$STACK_DIR/err"'

# --- 2. a slow hook: killed at the timeout; SIGTERM during a hook ------------------------
HOOK="echo \$\$ >> '$STACK_DIR/hook.pid'; echo start >> '$STACK_DIR/hooklog'; sleep 100"
kill "$VCARD_PID"; wait "$VCARD_PID" 2>/dev/null; VCARD_PID=
"$SCBOOT" watch -r "Virtual PCD 00 00" --state-dir "$STACK_DIR/state3" --exec "$HOOK" \
    --exec-timeout 2 2> "$STACK_DIR/watch3.log" &
WATCH=$!
stack_wait 100 grep -q start "$STACK_DIR/hooklog"
stack_wait 60 grep -q "hook timed out" "$STACK_DIR/watch3.log"
check "watch -r NAME: the start-up line names the reader" 'grep -q "watching the reader \"Virtual PCD 00 00\" (config " "$STACK_DIR/watch3.log"'
check "a hook still running at the timeout is killed and logged" 'grep -q "hook timed out after [0-9]* ms: process group" "$STACK_DIR/watch3.log"'
gone() { ! kill -0 "$1" 2>/dev/null || grep -q ") Z " "/proc/$1/stat"; }
check "the killed hook is gone" 'gone "$(sed -n 1p "$STACK_DIR/hook.pid")"'
# the daemon goes on: the next event (card in) runs the hook again; SIGTERM while it runs
rm -f "$STACK_DIR/hooklog"
stack_vcard "$PROFILE"
stack_wait 100 grep -q start "$STACK_DIR/hooklog"
check "after a timeout the daemon handles the next event" '[ -f "$STACK_DIR/hooklog" ]'
T0=$(date +%s%N)
kill -TERM "$WATCH"
stack_wait 50 sh -c "! kill -0 $WATCH"
T1=$(date +%s%N)
check "SIGTERM during a slow hook: the daemon exits within the timeout (2 s)" '! kill -0 $WATCH 2>/dev/null && [ $(( (T1 - T0) / 1000000 )) -lt 2500 ]'
wait "$WATCH" 2>/dev/null; rc=$?
check "... with exit 0, the hook's group killed" '[ $rc = 0 ] && grep -q "hook stopping" "$STACK_DIR/watch3.log" && gone "$(tail -n 1 "$STACK_DIR/hook.pid")"'

# --- 2b. a data change without card event: SIGHUP reads the card -------------------------
: > "$STACK_DIR/ev5"
"$SCBOOT" watch -v -r "Virtual PCD 00 00" --state-dir "$STACK_DIR/state6" \
    --exec "echo \$SCBOOT_EVENT >> '$STACK_DIR/ev5'" 2> "$STACK_DIR/watch6.log" &
WATCH=$!
stack_wait 100 grep -q "^applied" "$STACK_DIR/ev5"
sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/nrf_ef58.bin\"#" "$DATA/standard.json" > "$PROFILE"
kill -HUP "$VCARD_PID"
sleep 0.5
kill -HUP "$WATCH"
stack_wait 50 grep -q "^changed" "$STACK_DIR/ev5"
check "SIGHUP after a data change in place (no card event): changed" 'grep -q "^changed" "$STACK_DIR/ev5"'
kill -HUP "$WATCH"
stack_wait 50 grep -q "event unchanged" "$STACK_DIR/watch6.log"
sleep 0.3
check "a second SIGHUP with nothing changed: the card read again (-v shows it), no hook" 'grep -q "event unchanged" "$STACK_DIR/watch6.log" && [ "$(wc -l < "$STACK_DIR/ev5")" = 2 ]'
kill -TERM "$WATCH"; wait "$WATCH" 2>/dev/null

# --- 3. a missing hook is reported once --------------------------------------------------
"$SCBOOT" watch -r "Virtual PCD 00 00" --state-dir "$STACK_DIR/state4" \
    --exec /nonexistent/on-change 2> "$STACK_DIR/watch4.log" &
WATCH=$!
stack_wait 100 grep -q "event applied" "$STACK_DIR/watch4.log"
kill -HUP "$VCARD_PID" 2>/dev/null
kill "$VCARD_PID"; wait "$VCARD_PID" 2>/dev/null; VCARD_PID=
stack_wait 100 grep -q "event removed" "$STACK_DIR/watch4.log"
kill -TERM "$WATCH"; wait "$WATCH" 2>/dev/null
check "a missing hook: one clear message for two events" '[ "$(grep -c "scboot watch: .*nonexistent/on-change" "$STACK_DIR/watch4.log")" = 1 ] && grep -q "no such file" "$STACK_DIR/watch4.log" && grep -q "event removed" "$STACK_DIR/watch4.log"'

# --- 3b. the configured reader is not there: the hook and the log still name it -------------
"$SCBOOT" watch -r "No Such Reader" --state-dir "$STACK_DIR/state6" \
    --exec "echo \"\$SCBOOT_EVENT [\$SCBOOT_READER]\" >> '$STACK_DIR/ev6'" 2> "$STACK_DIR/watch6b.log" &
WATCH=$!
stack_wait 100 test -s "$STACK_DIR/ev6"
kill -TERM "$WATCH"; wait "$WATCH" 2>/dev/null
check "a configured reader that is absent: event unknown, the hook and the log name it" 'grep -q "^unknown \[No Such Reader\]$" "$STACK_DIR/ev6" && grep -q "event unknown reader \"No Such Reader\"" "$STACK_DIR/watch6b.log"'

# --- 4. pcscd unreachable at start --------------------------------------------------------
N2="$STACK_DIR/notify2"
/usr/bin/python3 "$HERE/notify_listen.py" "@scboot-test-$$" "$N2" 20 &
LISTEN=$!
stack_wait 50 grep -q LISTENING "$N2"
PCSCLITE_CSOCK_NAME="$STACK_DIR/none.comm" NOTIFY_SOCKET="@scboot-test-$$" \
    "$SCBOOT" watch --all --state-dir "$STACK_DIR/state5" 2> "$STACK_DIR/watch5.log" &
WATCH=$!
stack_wait 100 grep -q "READY=1" "$N2"
kill -TERM "$WATCH"; wait "$WATCH" 2>/dev/null
kill "$LISTEN" 2>/dev/null; wait "$LISTEN" 2>/dev/null
check "pcscd down: READY=1 and STATUS=pcscd unreachable (abstract socket)" 'grep -q "^STATUS=pcscd unreachable, retrying" "$N2" && grep -q "^READY=1" "$N2"'
check "pcscd down: the log hints how to start it" 'grep -q "systemctl start pcscd.socket" "$STACK_DIR/watch5.log"'

echo "1..$tn"
[ $fails = 0 ] || { for f in "$STACK_DIR"/*.log "$N" "$N2"; do echo "== $f" >&2; cat "$f" >&2; done; exit 1; }

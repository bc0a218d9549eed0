#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# soak.sh: the daemon under a long run of card events through a real pcscd + vpcd.
#
#   sudo tests/bench/soak.sh [BUILD_DIR]        (default ./build; SOAK_EVENTS=1000)
#
# Cycles remove (scboot-vcard SIGUSR1) -> insert (SIGUSR1) -> data change (the profile's image
# swapped, scboot-vcard SIGHUP, then SIGHUP to the daemon), waits for each event's hook before
# sending the next, and checks that every event was handled and committed right: one hook
# run per event with the expected SCBOOT_EVENT, SCBOOT_GENERATION one more each time, the
# store's generation equal to the number of commits. Samples the daemon's VmRSS and open
# descriptors at start and every 100 events. pcscd polls every 0.4 s: ~10 minutes for 1000.
# Prints a table for tests/bench/RESULTS.md; exit 1 on a missed or wrong event. An event not
# handled within SOAK_TIMEOUT seconds (default 60) stops the run: what follows would be out of
# step. Run it at normal priority: the stack idles between pcscd's polls, and a starved pcscd
# (the machine under load) delays insertions by tens of seconds.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$TOP/build}
SCBOOT=$BUILD/tools/scboot SCBOOT_VCARD=$BUILD/tools/scboot-vcard DATA=$TOP/tests/data
EVENTS=${SOAK_EVENTS:-1000}
[ -x "$SCBOOT" ] || { echo "build first: meson setup build && meson compile -C build" >&2; exit 2; }
. "$TOP/tests/integration/pcsc_stack.sh"
stack_start
PROFILE="$STACK_DIR/card.json"
image() { sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/$1\"#" "$DATA/standard.json" > "$PROFILE.new" && mv "$PROFILE.new" "$PROFILE"; }
image anjay_ef126.bin
stack_vcard "$PROFILE"
stack_wait_card "Virtual PCD 00 00"
EV="$STACK_DIR/events"
: > "$EV"
"$SCBOOT" watch -r "Virtual PCD 00 00" --state-dir "$STACK_DIR/state" \
    --exec "echo \"\$SCBOOT_EVENT \$SCBOOT_GENERATION\" >> '$EV'" 2> "$STACK_DIR/watch.log" &
WATCH=$!
trap 'kill "$WATCH" 2>/dev/null; stack_stop' EXIT INT TERM
count() { wc -l < "$EV"; }
TIMEOUT=${SOAK_TIMEOUT:-60}
# wait until the hook ran $1 times
wait_hooks() { stack_wait $((TIMEOUT * 10)) sh -c "[ \$(wc -l < '$EV') -ge $1 ]"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
wait_hooks 1 || { echo "no first event" >&2; cat "$STACK_DIR/watch.log" >&2; exit 1; }
sample() {
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$WATCH/status")
    fds=$(ls "/proc/$WATCH/fd" | wc -l)
    printf '| %5d | %6d | %3d |\n' "$1" "$rss" "$fds"
}
echo "| events | VmRSS kB | fds |"
echo "|---:|---:|---:|"
sample 0
sent=0 missed=0 cur=anjay_ef126.bin maxms=0 summs=0
expected="$STACK_DIR/expected"
echo applied > "$expected"
t0=$(date +%s)
while [ $sent -lt "$EVENTS" ]; do
    n=$(count)
    case $((sent % 3)) in
    0) kill -USR1 "$VCARD_PID"; echo removed >> "$expected" ;;
    1) kill -USR1 "$VCARD_PID"; echo applied >> "$expected" ;;
    2) if [ $cur = anjay_ef126.bin ]; then cur=nrf_ef58.bin; else cur=anjay_ef126.bin; fi
       image $cur
       kill -HUP "$VCARD_PID"
       sleep 0.05
       kill -HUP "$WATCH"
       echo changed >> "$expected" ;;
    esac
    sent=$((sent + 1))
    t=$(now_ms)
    if ! wait_hooks $((n + 1)); then
        missed=$((missed + 1))
        echo "event $sent not handled within $TIMEOUT s: stopping" >&2
        break
    fi
    d=$(($(now_ms) - t)); summs=$((summs + d)); [ $d -gt $maxms ] && maxms=$d
    [ $((sent % 100)) = 0 ] && sample $sent
done
t1=$(date +%s)
sleep 1
kill -TERM "$WATCH"; wait "$WATCH" 2>/dev/null
gen=$("$SCBOOT" status --state-dir "$STACK_DIR/state" --json | awk -F: '/"generation"/ {gsub(/[ ,]/, "", $2); print $2; exit}')
cut -d' ' -f1 "$EV" > "$STACK_DIR/got"
gens_ok=$(awk 'NR > 1 && $2 != prev + 1 {bad++} {prev = $2} END {print bad ? 0 : 1}' "$EV")
echo
echo "events sent: $((sent + 1)) (first insert included) in $((t1 - t0)) s; hook runs: $(count)"
echo "time from signal to hook: mean $((summs / (sent > 0 ? sent : 1))) ms, max $maxms ms"
for e in applied removed changed; do
    echo "  $e: sent $(grep -c "^$e$" "$expected"), hook $(grep -c "^$e$" "$STACK_DIR/got")"
done
echo "store generation: $gen; hook generations consecutive: $([ "$gens_ok" = 1 ] && echo yes || echo no)"
rc=0
cmp -s "$expected" "$STACK_DIR/got" || { echo "FAIL: hook events differ from the events sent" >&2; diff "$expected" "$STACK_DIR/got" | head >&2; rc=1; }
[ "$missed" = 0 ] || { echo "FAIL: $missed events not handled" >&2; rc=1; }
[ "$gen" = "$(count)" ] || { echo "FAIL: store generation $gen, hook runs $(count)" >&2; rc=1; }
[ "$gens_ok" = 1 ] || { echo "FAIL: generations not consecutive" >&2; rc=1; }
# keep what happened for a look afterwards (the stack's directory goes with stack_stop)
KEEP=${SOAK_KEEP:-/tmp/scboot-soak-last}
rm -rf "$KEEP"; mkdir -p "$KEEP"
cp "$EV" "$expected" "$STACK_DIR/got" "$STACK_DIR/watch.log" "$STACK_DIR/vcard.log" "$KEEP/" 2>/dev/null
echo "events, hook runs and logs kept in $KEEP"
exit $rc

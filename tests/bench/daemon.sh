#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# daemon.sh: `scboot watch` through a private pcscd + vpcd + scboot-vcard, two figures:
#   1. idle: the daemon (PC/SC, --verify on-event, no network session due) over IDLE_SECONDS
#      (default 60): context switches of all its threads (each one a wake-up), then over
#      STRACE_SECONDS (default 20) every system call it makes (strace -c -f);
#   2. card inserted -> configuration committed -> hook started, LATENCY_CYCLES times
#      (default 10): the card side inserts the card (scboot-vcard SIGUSR1); strace -ttt on the
#      daemon gives the moment its wait in pcscd returns (pcscd reports the card) and the
#      moment it forks the hook; the hook writes its own start time.
#   sudo tests/bench/daemon.sh [BUILD_DIR]        (default ./build)
# Prints tables for tests/bench/RESULTS.md. Needs root, pcscd, vpcd and strace.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$TOP/build}
SCBOOT=$BUILD/tools/scboot SCBOOT_VCARD=$BUILD/tools/scboot-vcard DATA=$TOP/tests/data
IDLE=${IDLE_SECONDS:-60} STRACE_S=${STRACE_SECONDS:-20} CYCLES=${LATENCY_CYCLES:-10}
[ -x "$SCBOOT" ] || { echo "build first: meson setup build && meson compile -C build" >&2; exit 2; }
command -v strace >/dev/null 2>&1 || { echo "needs strace" >&2; exit 2; }
. "$TOP/tests/integration/pcsc_stack.sh"
stack_start
PROFILE="$STACK_DIR/card.json"
sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/anjay_ef126.bin\"#" "$DATA/standard.json" > "$PROFILE"
stack_vcard "$PROFILE"
stack_wait_card "Virtual PCD 00 00"
EV="$STACK_DIR/events"
: > "$EV"
"$SCBOOT" watch -r "Virtual PCD 00 00" --state-dir "$STACK_DIR/state" --verify on-event \
    --exec "echo \"\$SCBOOT_EVENT \$(date +%s%N)\" >> '$EV'" 2> "$STACK_DIR/watch.log" &
WATCH=$!
trap 'kill "$WATCH" "${STRACE:-}" 2>/dev/null; stack_stop' EXIT INT TERM
lines() { wc -l < "$EV"; }
wait_lines() { stack_wait 600 sh -c "[ \$(wc -l < '$EV') -ge $1 ]"; }
wait_lines 1 || { echo "no first event" >&2; cat "$STACK_DIR/watch.log" >&2; exit 1; }
sleep 1

# ---- 1. idle ---------------------------------------------------------------------------------
ctxsw() { cat /proc/$WATCH/task/*/status | awk '/ctxt_switches/ { n += $2 } END { print n }'; }
a=$(ctxsw)
sleep "$IDLE"
b=$(ctxsw)
strace -f -c -p "$WATCH" -o "$STACK_DIR/idle.strace" 2> /dev/null &
STRACE=$!
sleep "$STRACE_S"
kill -INT "$STRACE"; wait "$STRACE" 2> /dev/null
calls=$(awk '/^[ 0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+/ && $NF != "total" { n += $4 } END { print n + 0 }' "$STACK_DIR/idle.strace")
echo "Idle daemon (PC/SC, --verify on-event, $(ls /proc/$WATCH/task | wc -l) threads)"
echo
echo "| measure | over | count | per minute |"
echo "|---|---:|---:|---:|"
echo "| context switches (wake-ups), all threads | $IDLE s | $((b - a)) | $(( (b - a) * 60 / IDLE )) |"
echo "| system calls (strace -c -f) | $STRACE_S s | $calls | $((calls * 60 / STRACE_S)) |"
echo

# ---- 2. insert -> commit -> hook --------------------------------------------------------------
strace -f -ttt -e trace=read,recvfrom,recvmsg,clone,clone3,fork,vfork -p "$WATCH" \
    -o "$STACK_DIR/lat.strace" 2> /dev/null &
STRACE=$!
sleep 1
: > "$STACK_DIR/t0"
n=$(lines)
for k in $(seq 1 "$CYCLES"); do
    kill -USR1 "$VCARD_PID"          # removal
    n=$((n + 1)); wait_lines $n || { echo "removal $k not seen" >&2; exit 1; }
    sleep 0.5
    date +%s%N >> "$STACK_DIR/t0"      # insertion
    kill -USR1 "$VCARD_PID"
    n=$((n + 1)); wait_lines $n || { echo "insertion $k not seen" >&2; exit 1; }
    sleep 0.5
done
kill -INT "$STRACE"; wait "$STRACE" 2> /dev/null
STRACE=
grep '^applied ' "$EV" | tail -n "$CYCLES" | cut -d' ' -f2 > "$STACK_DIR/thook"
# per insertion: t0, the daemon's first syscall return after t0 (its wait in pcscd returned),
# its first fork/clone after that (the hook), the hook's own start time
awk -v pid="$WATCH" '
    FILENAME == ARGV[1] { t0[++n] = $1 / 1e9; next }
    FILENAME == ARGV[2] { th[++m] = $1 / 1e9; next }
    { ts[++s] = $2; fork[s] = ($3 ~ /^(clone|clone3|fork|vfork)\(/) }
    END {
        j = 1
        for (k = 1; k <= n; k++) {
            while (j <= s && ts[j] < t0[k]) j++
            w = ts[j]
            while (j <= s && !fork[j]) j++
            f = ts[j]
            printf "%d %.1f %.1f %.1f %.1f\n", k, (w - t0[k]) * 1000, (f - w) * 1000, (th[k] - f) * 1000, (th[k] - t0[k]) * 1000
        }
    }' "$STACK_DIR/t0" "$STACK_DIR/thook" "$STACK_DIR/lat.strace" > "$STACK_DIR/lat"
echo "Card inserted -> committed -> hook started ($CYCLES insertions; strace attached)"
echo
echo "| stage | min ms | median ms | max ms |"
echo "|---|---:|---:|---:|"
stat() { # column, label
    sort -n -k "$1" "$STACK_DIR/lat" | awk -v c="$1" -v l="$2" '{ v[NR] = $c } END { printf "| %s | %.1f | %.1f | %.1f |\n", l, v[1], v[int((NR + 1) / 2)], v[NR] }'
}
stat 2 "insertion -> pcscd reports it (the daemon's wait returns; vpcd polls every 400 ms)"
stat 3 "pcscd reports it -> card read, validated, committed, hook forked"
stat 4 "hook forked -> hook running (sh, date)"
stat 5 "insertion -> hook running, in all"

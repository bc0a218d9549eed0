#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_modem.sh: `scboot dump -r at:PTY` through scboot-vmodem (a simulated modem on a
# pseudo-terminal in front of the card emulator) reads the bootstrap file byte-exact, the same
# bytes as the in-process card, with every messy-modem behaviour on (echo, URCs inside
# answers, answers in pieces, verbose CME errors, +CCHO: prefix, session ids that are not
# channel numbers, slow answers), with the modem fetching 61xx itself and passing it through,
# with +CCHO refused, on T=0 and T=1 cards, a PIN card and over SCP03. A hostile modem (URC
# flood, a line without end, a lying length, another command's answer) ends in one clear
# error naming the AT command, within the command timeout. A port locked by another process
# (UUCP lock) or held by another scboot (TIOCEXCL) is refused and the holder named.
# No pcscd is needed. Every command is bounded by timeout; only our own processes are stopped.
set -u
SCBOOT=$1 VMODEM=$2 DATA=$3
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
DIR=$(mktemp -d) || exit 1
VM=""
cleanup() { [ -n "$VM" ] && kill "$VM" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
PTY="$DIR/modem"

# vm_start ARGS...: a modem on $PTY; waits for its link
vm_start() {
    rm -f "$PTY"
    "$VMODEM" --link "$PTY" "$@" 2>> "$DIR/vmodem.log" &
    VM=$!
    n=0
    while [ ! -L "$PTY" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
}
vm_stop() { [ -n "$VM" ] && kill "$VM" 2>/dev/null && wait "$VM" 2>/dev/null; VM=""; }

# test_modem.sh SCBOOT VMODEM DATA BS_SERVER: the modem's IMEI in the endpoint name instead. The
# SIM holds only a Bootstrap-Server account on 127.0.0.1, where tests/integration/bs_server.c
# answers and prints the name it was asked by: `scboot apply -r at:PTY --endpoint
# 'urn:imei:{imei}'`, `scboot watch -r at:PTY --endpoint 'urn:imei:{imei}'` and `scboot bootstrap
# -r at:PTY --endpoint 'urn:imei:{imei}'` all send
# urn:imei:<the IMEI vmodem was given>; without a modem (virtual:) {imei} is named unknown.
if [ -n "${4:-}" ]; then
BS=$4
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; cleanup' EXIT
IMEI=490154203237518
PORT=$((21000 + $$ % 20000))
wait_for() { n=0; while ! "$@" 2>/dev/null && [ $n -lt "$W" ]; do sleep 0.05; n=$((n + 1)); done; "$@" 2>/dev/null; }
W=200
# the SIM: a Bootstrap-Server account only, at 127.0.0.1:$PORT
echo "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{\"0\":\"coap://127.0.0.1:$PORT\",\"1\":true,\"2\":3,\"11\":0}}}}}}" > "$DIR/bs.json"
"$SCBOOT" encode "$DIR/bs.json" -o "$DIR/bs.bin" > /dev/null 2>&1
echo "{\"iccid\":\"8988211000000430010\",\"protocol\":\"T=0\",\"lwm2m\":{\"file\":\"$DIR/bs.bin\",\"pad\":2,\"pkcs15_first\":false}}" > "$DIR/card.json"
# the server's accounts
cat > "$DIR/sec.json" <<'J'
{"objects":{"0":{"instances":{"1":{"resources":{"0":"coap://lwm2m.example:5683","1":false,"2":3,"10":7}}}}}}
J
cat > "$DIR/srv.json" <<'J'
{"objects":{"1":{"instances":{"0":{"resources":{"0":7,"1":300,"6":false,"7":"U"}}}}}}
J
for f in sec srv; do
    "$SCBOOT" encode "$DIR/$f.json" -o "$DIR/x.bin" > /dev/null 2>&1 && tail -c +10 "$DIR/x.bin" > "$DIR/$f.tlv"
done

vm_start --imei $IMEI "$DIR/card.json"
echo "1..7"

# 1. apply: the card transport is the modem's; {imei} is what AT+CGSN answers
"$BS" $PORT "$DIR/sec.tlv" "$DIR/srv.tlv" > "$DIR/bs1.out" 2>&1 & BS1=$!
PIDS="$PIDS $BS1"
sleep 0.3
timeout -k 5 60 "$SCBOOT" apply -r "at:$PTY" --state-dir "$DIR/s1" --endpoint 'urn:imei:{imei}' > "$DIR/apply.out" 2> "$DIR/apply.err"
rc=$?
check "apply -r at: --endpoint urn:imei:{imei}: exits 0" '[ $rc = 0 ] || { cat "$DIR/apply.err" "$DIR/bs1.out" >&2; false; }'
check "apply -r at:: Bootstrap-Request as urn:imei:$IMEI" 'grep -q "Bootstrap-Request ep=urn:imei:$IMEI\$" "$DIR/bs1.out"'
kill $BS1 2>/dev/null; wait $BS1 2>/dev/null

# 2. watch: the daemon's event source is the modem and offers its IMEI
"$BS" $PORT "$DIR/sec.tlv" "$DIR/srv.tlv" > "$DIR/bs2.out" 2>&1 & BS2=$!
PIDS="$PIDS $BS2"
sleep 0.3
: > "$DIR/events"
"$SCBOOT" watch -r "at:$PTY,poll=300" --state-dir "$DIR/s2" --endpoint 'urn:imei:{imei}' \
    --exec "echo \$SCBOOT_EVENT >> '$DIR/events'" 2> "$DIR/watch.log" &
WATCH=$!
PIDS="$PIDS $WATCH"
W=600 wait_for grep -q "^network-applied" "$DIR/events"
check "watch -r at: --endpoint urn:imei:{imei}: network-applied" 'grep -q "^network-applied" "$DIR/events" || { cat "$DIR/watch.log" "$DIR/bs2.out" >&2; false; }'
check "watch -r at:: Bootstrap-Request as urn:imei:$IMEI" 'grep -q "Bootstrap-Request ep=urn:imei:$IMEI\$" "$DIR/bs2.out"'
kill "$WATCH"; wait "$WATCH" 2>/dev/null

# 3. no modem: {imei} is unknown, said so, nothing sent
timeout -k 5 60 "$SCBOOT" apply -r "virtual:$DIR/card.json" --state-dir "$DIR/s3" --endpoint 'urn:imei:{imei}' > /dev/null 2> "$DIR/virt.err"
check "apply -r virtual: with {imei}: the IMEI named as unknown" 'grep -qi "imei" "$DIR/virt.err"'

# 4. bootstrap: the card step runs on the modem, which still answers AT+CGSN for the name
"$BS" $PORT "$DIR/sec.tlv" "$DIR/srv.tlv" > "$DIR/bs4.out" 2>&1 & BS4=$!
PIDS="$PIDS $BS4"
sleep 0.3
timeout -k 5 60 "$SCBOOT" bootstrap -r "at:$PTY" --state-dir "$DIR/s4" --no-hold-off --endpoint 'urn:imei:{imei}' > "$DIR/boot.out" 2> "$DIR/boot.err"
rc=$?
check "bootstrap -r at: --endpoint urn:imei:{imei}: exits 0" '[ $rc = 0 ] || { cat "$DIR/boot.err" "$DIR/bs4.out" >&2; false; }'
check "bootstrap -r at:: Bootstrap-Request as urn:imei:$IMEI" 'grep -q "Bootstrap-Request ep=urn:imei:$IMEI\$" "$DIR/bs4.out"'
kill $BS4 2>/dev/null; wait $BS4 2>/dev/null
vm_stop
[ $fails = 0 ]
exit
fi

cp "$DATA/scp03_keys.txt" "$DIR/keys" && chmod 600 "$DIR/keys"
for profile in standard t1_first_correct_oid pin scp03; do
    extra=""
    [ $profile = pin ] && extra="--pin 1234"
    [ $profile = scp03 ] && extra="--scp03-keys $DIR/keys --secure-channel required"
    timeout -k 5 60 "$SCBOOT" dump -r "virtual:$DATA/$profile.json" $extra --raw "$DIR/virt.bin" > /dev/null 2>&1
    # with +CCHO refused the walk goes on over +CSIM on the basic channel (SCP03 included)
    modes="--messy|--messy --fetch-61xx|--messy --no-ccho --no-csim-manage"
    IFS='|'
    set -f
    for mode in $modes; do
        unset IFS
        set +f
        vm_start $mode "$DATA/$profile.json"
        rm -f "$DIR/at.bin"
        timeout -k 5 60 "$SCBOOT" dump -r "at:$PTY" $extra --json --raw "$DIR/at.bin" > "$DIR/at.json" 2> "$DIR/at.err"
        rc=$?
        check "$profile ($mode): dump -r at: exits 0" '[ $rc = 0 ] || { cat "$DIR/at.err" >&2; false; }'
        check "$profile ($mode): the file byte-exact" 'cmp -s "$DIR/virt.bin" "$DIR/at.bin"'
        [ $profile = scp03 ] && check "scp03 ($mode): read through the secure channel" 'grep -q "\"secure_channel\": true" "$DIR/at.json"'
        case $mode in *no-ccho*)
            check "$profile ($mode): the fallback to the basic channel is said" 'grep -q "basic channel" "$DIR/at.err"' ;;
        esac
        vm_stop
    done
done

# hostile modems: one clear error naming the AT command, well within the timeout
for h in urc-flood no-eol lying-length other-answer; do
    vm_start --hostile $h "$DATA/standard.json"
    start=$(date +%s)
    timeout -k 5 60 "$SCBOOT" dump -r "at:$PTY,timeout=3000" > "$DIR/out" 2> "$DIR/err"
    rc=$?
    took=$(( $(date +%s) - start ))
    check "hostile $h: fails (exit $rc)" '[ $rc != 0 ] && [ $rc != 124 ]'
    check "hostile $h: the error names the AT command" 'grep -q "AT" "$DIR/err" || { cat "$DIR/err" >&2; false; }'
    check "hostile $h: ends within 15 s (took $took s)" '[ $took -le 15 ]'
    check "hostile $h: nothing decoded" '! grep -q "Server URI" "$DIR/out"'
    vm_stop
done
grep -q "more than 64 lines" "$DIR/err" 2>/dev/null || true

# the device's identity: IMEI (the urn:imei: endpoint name) and the ICCID as the modem offers it
vm_start --messy --slow 0 --imei 490154203237518 "$DATA/standard.json"
timeout -k 5 30 "$SCBOOT" readers -r "at:$PTY" > "$DIR/out" 2>&1
check "readers at: IMEI and endpoint name" 'grep -q "IMEI  490154203237518 (endpoint name urn:imei:490154203237518)" "$DIR/out"'
check "readers at: the ICCID from the modem" 'grep -q "ICCID 8988211000000430010" "$DIR/out"'
vm_stop
vm_start --absent "$DATA/standard.json"
timeout -k 5 30 "$SCBOOT" readers -r "at:$PTY" > "$DIR/out" 2>&1
check "readers at: no SIM" 'grep -q "no SIM" "$DIR/out"'
timeout -k 5 30 "$SCBOOT" dump -r "at:$PTY" > /dev/null 2> "$DIR/err"
rc=$?
check "dump at: no SIM: exit 3, what the modem answered" '[ $rc = 3 ] && grep -q "SIM not inserted" "$DIR/err"'
vm_stop

# hostile modems: one written independently of the simulator (hostile_modem.py)
if command -v python3 > /dev/null; then
    for h in lag endless drip garbage huge reset doubleok; do
        rm -f "$PTY"
        python3 "$(dirname "$0")/hostile_modem.py" $h "$PTY" &
        HM=$!
        n=0; while [ ! -L "$PTY" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
        start=$(date +%s)
        timeout -k 5 90 "$SCBOOT" dump -r "at:$PTY,timeout=2000" > "$DIR/out" 2> "$DIR/err"
        rc=$?
        took=$(( $(date +%s) - start ))
        kill $HM 2>/dev/null; wait $HM 2>/dev/null
        check "hostile modem $h: refused with an error (exit $rc), not a hang" '[ $rc != 0 ] && [ $rc != 124 ]'
        case $h in
        reset|doubleok)
            check "hostile modem $h: the card's own answer (6A82) came through" 'grep -q "6A82\|not found" "$DIR/err" || { cat "$DIR/err" >&2; false; }' ;;
        *)
            check "hostile modem $h: the error names an AT command" 'grep -q "AT+C" "$DIR/err" || { cat "$DIR/err" >&2; false; }' ;;
        esac
        check "hostile modem $h: over within 30 s (took $took s)" '[ $took -le 30 ]'
    done
fi

# a hostile modem in the middle of a real card walk: mitm_modem.py in front of
# scboot-vmodem mangles the answer to one chosen command (the VERIFY PIN, the READ BINARY of
# the bootstrap file, the +CCHO)
# mitm PROFILE "MITM ARGS" SCBOOT ARGS...: $rc, $DIR/out, $DIR/err
mitm() {
    profile=$1 margs=$2
    shift 2
    rm -f "$PTY"
    python3 "$(dirname "$0")/mitm_modem.py" $margs "$PTY" "$VMODEM" "$DATA/$profile.json" 2> "$DIR/mitm.log" &
    MI=$!
    n=0; while [ ! -L "$PTY" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
    timeout -k 5 60 "$SCBOOT" "$@" > "$DIR/out" 2> "$DIR/err"
    rc=$?
    kill $MI 2>/dev/null; wait $MI 2>/dev/null
}
if command -v python3 > /dev/null; then
    # a just-booted modem's bare lines ("SMS DONE") before the +CCHO session id: the channel
    # is still used, and closed at the end
    MITM_LOG=1 mitm standard "--match AT+CCHO --nth 1 bare-urc" dump -r "at:$PTY"
    check "mitm: bare vendor lines around +CCHO: read on the channel, closed after" \
        '[ $rc = 0 ] && ! grep -q "basic channel" "$DIR/err" && grep -q "^cmd AT+CCHC=1" "$DIR/mitm.log" || { cat "$DIR/err" >&2; false; }'
    # a +CME ERROR text with terminal escapes, on the READ BINARY of the bootstrap file
    mitm standard "--match AT+CGLA --nth 9 cme-esc" dump -r "at:$PTY,timeout=2000"
    check "mitm: escape sequences from the modem do not reach the terminal" \
        '[ $rc != 0 ] && grep -q "+CME ERROR: ?]0;owned" "$DIR/err" && ! grep -q "$(printf "\033")" "$DIR/err"'
    # the modem loses the +CCHO (a reset): the next command gets its whole timeout
    mitm standard "--match AT+CCHO --nth 1 reset" dump -r "at:$PTY,timeout=2000"
    check "mitm: after a lost answer the next command is not failed early" \
        '[ $rc != 0 ] && grep -q "AT+CCHO" "$DIR/err" && ! grep -q "cannot write" "$DIR/err" || { cat "$DIR/err" >&2; false; }'
fi

# no +CSIM: the error says what to do
vm_start --no-csim "$DATA/standard.json"
timeout -k 5 60 "$SCBOOT" dump -r "at:$PTY" > /dev/null 2> "$DIR/err"
check "no +CSIM: refused with the crsm hint" 'grep -q "crsm" "$DIR/err"'
vm_stop

# a port someone else holds
vm_start "$DATA/standard.json"
real=$(readlink "$PTY")
# ModemManager keeps the port open: a process of that name (a copy of sleep) holding it
cp "$(command -v sleep)" "$DIR/ModemManager"
"$DIR/ModemManager" 30 < "$real" &
MM=$!
sleep 0.2
timeout -k 5 30 "$SCBOOT" dump -r "at:$PTY" > /dev/null 2> "$DIR/err"
rc=$?
kill $MM 2>/dev/null; wait $MM 2>/dev/null
check "a port ModemManager holds: refused, named, with the udev property that frees it" '[ $rc != 0 ] && grep -q "ModemManager (pid $MM)" "$DIR/err" && grep -q "ID_MM_PORT_IGNORE=1" "$DIR/err"'
lock="/var/lock/LCK..$(echo "${real#/dev/}" | tr / _)"
if [ -d /var/lock ] && [ -w /var/lock ]; then
    sleep 600 &
    HOLDER=$!
    printf '%10d\n' $HOLDER > "$lock"
    timeout -k 5 30 "$SCBOOT" dump -r "at:$PTY" > /dev/null 2> "$DIR/err"
    rc=$?
    check "UUCP lock held by a live process: refused and named" '[ $rc != 0 ] && grep -q "locked by process $HOLDER" "$DIR/err"'
    kill $HOLDER 2>/dev/null; wait $HOLDER 2>/dev/null
    timeout -k 5 30 "$SCBOOT" dump -r "at:$PTY" > /dev/null 2> "$DIR/err"
    rc=$?
    check "stale UUCP lock (owner gone): taken over" '[ $rc = 0 ]'
    # garbage in the lock: numbers past any pid (0 and -1 once cast to a pid) name no owner
    for garbage in 4294967296 4294967295 -1 junk; do
        printf '%10s\n' $garbage > "$lock"
        timeout -k 5 30 "$SCBOOT" dump -r "at:$PTY" > /dev/null 2> "$DIR/err"
        rc=$?
        check "a lock holding $garbage: taken over" '[ $rc = 0 ] || { cat "$DIR/err" >&2; false; }'
    done
    check "the lock is released after use" '[ ! -e "$lock" ]'
fi
vm_stop

# watch -r at:PTY: a removal and a re-insertion are the same events as on PC/SC; a swap too
EV="$DIR/events"
: > "$EV"
wait_events() { n=0; while [ "$(wc -l < "$EV")" -lt "$1" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done; }
vm_start --messy --slow 0 --swap-iccid 8988211000000000017 "$DATA/standard.json"
"$SCBOOT" watch -r "at:$PTY,poll=300" --state-dir "$DIR/state" \
    --exec "echo \$SCBOOT_EVENT \$SCBOOT_ICCID \$SCBOOT_GENERATION >> '$EV'" 2> "$DIR/watch.log" &
WATCH=$!
wait_events 1
check "watch at: first check: applied" '[ "$(sed -n 1p "$EV" | cut -d" " -f1)" = applied ]'
# (the holder is named by its pid and program name: under qemu-user the name is qemu's)
timeout -k 5 30 "$SCBOOT" dump -r "at:$PTY,nolock" > /dev/null 2> "$DIR/err"
check "a port the daemon holds (flock, TIOCEXCL): refused, the holder named" 'grep -q "in use" "$DIR/err" && grep -q "(pid $WATCH)" "$DIR/err"'
kill -USR1 "$VM"
wait_events 2
check "watch at: removal: removed" '[ "$(sed -n 2p "$EV" | cut -d" " -f1)" = removed ]'
kill -USR1 "$VM"
wait_events 3
check "watch at: re-insertion: applied" '[ "$(sed -n 3p "$EV" | cut -d" " -f1)" = applied ] && sed -n 3p "$EV" | grep -q " 8988211000000430010 "'
kill -USR2 "$VM"
wait_events 4
check "watch at: swap: swapped, the new ICCID" '[ "$(sed -n 4p "$EV" | cut -d" " -f1)" = swapped ] && sed -n 4p "$EV" | grep -q " 8988211000000000017 " || { cat "$EV" "$DIR/watch.log" >&2; false; }'
# the modem goes away (a USB reset) and comes back on the same path: the port is opened again
vm_stop
wait_log() { n=0; while ! grep -q "$1" "$DIR/watch.log" && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done; }
wait_log "does not answer"
vm_start --messy --slow 0 "$DATA/standard.json"
wait_log "answers again"
check "watch at: a modem gone and back: said, the port opened again" 'grep -q "does not answer" "$DIR/watch.log" && grep -q "answers again" "$DIR/watch.log" || { cat "$DIR/watch.log" >&2; false; }'
n=$(wc -l < "$EV")
kill -USR1 "$VM"
wait_events $((n + 1))
check "watch at: after the modem came back, a removal is seen" 'tail -n 1 "$EV" | grep -q "^removed " || { cat "$EV" "$DIR/watch.log" >&2; false; }'
kill "$WATCH"
wait "$WATCH"
check "watch at: SIGTERM ends it cleanly" '[ $? = 0 ]'
check "watch at: the log names the modem events" 'grep -q "SIM removed" "$DIR/watch.log" && grep -q "SIM inserted" "$DIR/watch.log"'
vm_stop
echo "1..$tn"
[ $fails = 0 ]

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_card.sh: the strict card through a real pcscd + vpcd (scboot-vcard serves the profile):
#  - PIN-protected bootstrap files on strict cards (no current EF after a DF SELECT): the PIN
#    found through the AODF (pin.json) and through the ADF's FCP only (pin_strict_c6.json, T=1,
#    9000 short reads, no SFI); a wrong PIN reported with the tries left and the card's SW;
#  - R4 for `scboot apply`: pcscd unreachable keeps the card's instances ("card: unknown", no
#    factory step); the reader there but empty deletes them and commits the factory
#    configuration ("card: removed");
#  - R3 without a reader event: data changed in place (scboot-vcard SIGHUP) is missed by
#    `watch` with the default --verify on-event and caught with --verify every=1s.
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
R="Virtual PCD 00 00"

stack_start
# ---- PIN on the strict card --------------------------------------------------------------
for profile in pin pin_strict_c6; do
    stack_vcard "$DATA/$profile.json"
    stack_wait_card "$R"
    "$SCBOOT" dump -r "$R" --json --pin 1234 > "$STACK_DIR/real.json" 2> "$STACK_DIR/real.err"
    rc=$?
    "$SCBOOT" dump -r "virtual:$DATA/$profile.json" --json --pin 1234 > "$STACK_DIR/virt.json"
    check "$profile: PIN-protected file read through pcscd (exit 0)" '[ $rc = 0 ] || { cat "$STACK_DIR/real.err" >&2; false; }'
    check "$profile: same JSON as the in-process card" 'cmp -s "$STACK_DIR/real.json" "$STACK_DIR/virt.json" || diff "$STACK_DIR/real.json" "$STACK_DIR/virt.json" >&2'
    "$SCBOOT" dump -r "$R" --pin 9999 > /dev/null 2> "$STACK_DIR/err"
    rc=$?
    check "$profile: wrong PIN: exit 3" '[ $rc = 3 ]'
    check "$profile: wrong PIN: one line with the tries left and the card's SW 63C2" '[ "$(wc -l < "$STACK_DIR/err")" = 1 ] && grep -q "wrong PIN, 2 tries left" "$STACK_DIR/err" && grep -q "63C2" "$STACK_DIR/err" || { cat "$STACK_DIR/err" >&2; false; }'
    "$SCBOOT" dump -r "$R" > /dev/null 2> "$STACK_DIR/err"
    rc=$?
    check "$profile: no PIN: exit 3, asks for --pin" '[ $rc = 3 ] && grep -q -- "--pin" "$STACK_DIR/err"'
    check "$profile: the card side stops on SIGTERM" stack_vcard_stop
    stack_wait_nocard "$R"
done

# ---- R4 for apply ----------------------------------------------------------------------------
STATE="$STACK_DIR/state"
stack_vcard "$DATA/standard.json"
stack_wait_card "$R"
"$SCBOOT" apply -r "$R" --state-dir "$STATE" --factory "$DATA/anjay_ef126.bin" > "$STACK_DIR/out" 2> "$STACK_DIR/err"
check "apply with the card: applied" 'grep -q "^card: applied" "$STACK_DIR/out" || { cat "$STACK_DIR/out" "$STACK_DIR/err" >&2; false; }'
stack_pcscd_down
"$SCBOOT" apply -r "$R" --state-dir "$STATE" --factory "$DATA/anjay_ef126.bin" > "$STACK_DIR/out" 2> "$STACK_DIR/err"
check "pcscd unreachable: card: unknown" 'grep -q "^card: unknown" "$STACK_DIR/out" || { cat "$STACK_DIR/out" "$STACK_DIR/err" >&2; false; }'
check "pcscd unreachable: said so, the card's instances kept, no factory step" 'grep -q "card state unknown" "$STACK_DIR/err" && grep -q "^factory: not applied" "$STACK_DIR/out" && grep -q "card" "$STACK_DIR/out"'
"$SCBOOT" status --state-dir "$STATE" > "$STACK_DIR/status"
check "pcscd unreachable: status still lists card instances" 'grep -q "  card$" "$STACK_DIR/status" || { cat "$STACK_DIR/status" >&2; false; }'
stack_pcscd_up   # the reader is back, with no card in it
stack_wait 50 sh -c "'$SCBOOT' readers --no-probe --json | grep -q '\"$R\"'"
"$SCBOOT" apply -r "$R" --state-dir "$STATE" --factory "$DATA/anjay_ef126.bin" > "$STACK_DIR/out" 2> "$STACK_DIR/err"
check "reader present, no card: card: removed" 'grep -q "^card: removed" "$STACK_DIR/out" || { cat "$STACK_DIR/out" "$STACK_DIR/err" >&2; false; }'
check "reader present, no card: factory committed" 'grep -q "^factory: committed" "$STACK_DIR/out"'
"$SCBOOT" status --state-dir "$STATE" > "$STACK_DIR/status"
check "reader present, no card: card instances gone, factory ones there" '! grep -q "  card$" "$STACK_DIR/status" && grep -q "factory" "$STACK_DIR/status"'

# ---- R3 without a reader event: --verify ------------------------------------------------------
PROFILE="$STACK_DIR/card.json"
for verify in on-event every=1s; do
    EV="$STACK_DIR/events.$verify"
    : > "$EV"
    sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/anjay_ef126.bin\"#" "$DATA/standard.json" > "$PROFILE"
    stack_vcard "$PROFILE"
    stack_wait_card "$R"
    rm -rf "$STACK_DIR/wstate"
    "$SCBOOT" watch -r "$R" --state-dir "$STACK_DIR/wstate" --verify "$verify" \
        --exec "echo \$SCBOOT_EVENT >> '$EV'" 2> "$STACK_DIR/watch.log" &
    WATCH=$!
    stack_wait 100 sh -c "[ -s '$EV' ]"
    check "verify=$verify: insert applied" '[ "$(sed -n 1p "$EV")" = applied ]'
    # the file changes in place: no insert, no removal, no reset (no event counter change)
    sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$DATA/nrf_ef58.bin\"#" "$DATA/standard.json" > "$PROFILE"
    kill -HUP "$VCARD_PID"
    if [ "$verify" = on-event ]; then
        sleep 3
        check "verify=on-event: an in-place change is not seen without an event (0 APDUs)" '[ "$(wc -l < "$EV")" = 1 ]'
    else
        stack_wait 60 sh -c "[ \$(wc -l < '$EV') -ge 2 ]"
        check "verify=every=1s: the in-place change is caught" '[ "$(sed -n 2p "$EV")" = changed ] || { cat "$EV" "$STACK_DIR/watch.log" >&2; false; }'
    fi
    check "verify=$verify: watch stops on SIGTERM" 'stack_kill "$WATCH" "scboot watch"'
    check "verify=$verify: the card side stops on SIGTERM" stack_vcard_stop
    stack_wait_nocard "$R"
done
"$SCBOOT" watch -r "$R" --verify sometimes > /dev/null 2> "$STACK_DIR/err"
rc=$?
check "--verify with a bad value: usage error (exit 2), one line" '[ $rc = 2 ] && [ "$(wc -l < "$STACK_DIR/err")" = 1 ]'
echo "1..$tn"
[ $fails = 0 ]

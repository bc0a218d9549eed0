#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_dump.sh: `scboot dump` through a real pcscd + vpcd reads exactly what the in-process
# path reads (same JSON: discovery, file hash, decoded objects, APDU count), for several card
# layouts; a card pulled in the middle of the walk gives exit 3 and one clear line. Every
# command is bounded (timeout: exit 124 fails its check), and the card side must stop on SIGTERM.
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }

stack_start
cp "$DATA/scp03_keys.txt" "$STACK_DIR/keys" && chmod 600 "$STACK_DIR/keys"
for profile in standard pin t1_first_correct_oid no_channels scp03 scp03_no_channels; do
    extra=""
    case $profile in scp03*) extra="--scp03-keys $STACK_DIR/keys --secure-channel required" ;; esac
    stack_vcard "$DATA/$profile.json"
    stack_wait_card "Virtual PCD 00 00"
    timeout -k 5 60 "$SCBOOT" dump -r "Virtual PCD 00 00" --json --pin 1234 $extra > "$STACK_DIR/real.json" 2> "$STACK_DIR/real.err"
    rc=$?
    timeout -k 5 60 "$SCBOOT" dump -r "virtual:$DATA/$profile.json" --json --pin 1234 $extra > "$STACK_DIR/virt.json"
    check "$profile: dump through pcscd exits 0" '[ $rc = 0 ] || { cat "$STACK_DIR/real.err" >&2; false; }'
    case $profile in scp03*) check "$profile: read through the secure channel" 'grep -q "\"secure_channel\": true" "$STACK_DIR/real.json"' ;; esac
    check "$profile: same JSON as the in-process card" 'cmp -s "$STACK_DIR/real.json" "$STACK_DIR/virt.json" || diff "$STACK_DIR/real.json" "$STACK_DIR/virt.json" >&2'
    check "$profile: the card side stops on SIGTERM" stack_vcard_stop
    stack_wait_nocard "Virtual PCD 00 00"
done

# SCP03 on the basic channel of a card that has logical channels: twice on the same card, the
# second read starting plain (the first one's session ended with its closing SELECT of the MF)
stack_vcard "$DATA/scp03.json"
stack_wait_card "Virtual PCD 00 00"
for n in 1 2; do
    timeout -k 5 60 "$SCBOOT" dump -r "Virtual PCD 00 00" --json --basic-channel --scp03-keys "$STACK_DIR/keys" --secure-channel required > "$STACK_DIR/basic.json" 2> "$STACK_DIR/basic.err"
    rc=$?
    check "scp03 --basic-channel, read $n: exit 0 over the secure channel" '[ $rc = 0 ] && grep -q "\"secure_channel\": true" "$STACK_DIR/basic.json" || { cat "$STACK_DIR/basic.err" >&2; false; }'
done
check "scp03 --basic-channel: the card side stops on SIGTERM" stack_vcard_stop
stack_wait_nocard "Virtual PCD 00 00"

# pulled out after 6 APDUs: in the middle of the walk
stack_vcard "$DATA/standard.json" --remove-after 6
stack_wait_card "Virtual PCD 00 00"
timeout -k 5 60 "$SCBOOT" dump -r 0 > "$STACK_DIR/out" 2> "$STACK_DIR/err"
rc=$?
check "card removed mid-walk: exit 3" '[ $rc = 3 ]'
check "card removed mid-walk: one line naming the removal" '[ "$(wc -l < "$STACK_DIR/err")" = 1 ] && grep -q "removed" "$STACK_DIR/err"'
check "card removed mid-walk: nothing decoded on stdout" '! grep -q "LWM2M Server URI" "$STACK_DIR/out"'
echo "1..$tn"
[ $fails = 0 ]

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_vcard_signals.sh: scboot-vcard stops on SIGTERM even while it is busy serving APDUs
# (dumps running through pcscd), not only when idle in a read: a signal that arrives mid-APDU
# must not be lost (a card side that slept through it would serve vpcd's polls forever and hang
# whatever reads through pcscd). Each kill lands at a different moment of a dump burst; the card side must
# be gone within 10 s (stack_kill); scboot must return once its card is gone (bounded).
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }

stack_start
for delay in 0.2 0.45 0.7; do
    stack_vcard "$DATA/standard.json"
    stack_wait_card "Virtual PCD 00 00"
    ( for j in 1 2 3 4 5 6; do timeout -k 5 60 "$SCBOOT" dump -r 0 >/dev/null 2>&1; done ) &
    burst=$!
    sleep "$delay"
    check "SIGTERM $delay s into a dump burst: the card side stops" stack_vcard_stop
    i=0; while kill -0 "$burst" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    check "SIGTERM $delay s into a dump burst: the dumps return within 30 s" '! kill -0 "$burst" 2>/dev/null'
    wait "$burst" 2>/dev/null
    stack_wait_nocard "Virtual PCD 00 00"
done
echo "1..$tn"
[ $fails = 0 ]

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_readers.sh: `scboot readers` and `scboot apdu` through a real pcscd + vpcd, and a card
# removed in the middle of an APDU sequence giving a clean error (exit 3, one line).
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 DATA=$3
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }

stack_start "$DATA/standard.json"
stack_wait_card "Virtual PCD 00 00" || { echo "no card seen"; cat "$STACK_DIR/vcard.log"; exit 1; }

out=$("$SCBOOT" readers)
check "readers lists the virtual reader" 'echo "$out" | grep -q "Virtual PCD 00 00"'
check "readers shows the ICCID" 'echo "$out" | grep -q "ICCID 8988211000000430010"'
check "readers shows an ATR" 'echo "$out" | grep -q "ATR   3B9F96"'
json=$("$SCBOOT" readers --json)
check "readers --json" 'echo "$json" | grep -q "\"iccid\": \"8988211000000430010\""'

out=$("$SCBOOT" apdu -r "PCD 00 00" 00A4080C022FE2 00B000000A)
check "apdu reads EF ICCID" 'echo "$out" | grep -q "^988812010000400310F0 9000"'
out=$("$SCBOOT" apdu -r 0 00B201F400)
check "apdu follows 6Cxx" 'echo "$out" | grep -q "4F10A0000000871002FF33FF0189000001005004" && echo "$out" | grep -q "9000"'

# a card that disappears after 3 APDUs, in the middle of a 6-APDU sequence
check "the card side stops on SIGTERM" stack_vcard_stop
stack_wait_nocard "Virtual PCD 00 00"
stack_vcard "$DATA/standard.json" --remove-after 3
stack_wait_card "Virtual PCD 00 00"
"$SCBOOT" apdu -r 0 00A4080C022FE2 00B000000A 00A4080C022FE2 00B000000A 00B000000A 00B000000A \
    > "$STACK_DIR/out" 2> "$STACK_DIR/err"
rc=$?
check "removal mid-sequence exits 3" '[ $rc = 3 ]'
check "removal gives one clear line" '[ "$(wc -l < "$STACK_DIR/err")" = 1 ] && grep -q "removed" "$STACK_DIR/err"'
check "the first APDUs were answered" '[ "$(wc -l < "$STACK_DIR/out")" = 3 ]'

check "pcscd and the card side stop on SIGTERM" stack_stop
unset PCSCLITE_CSOCK_NAME
# no pcscd at all: a clear SCARD_E_NO_SERVICE line, exit 3
PCSCLITE_CSOCK_NAME=/nonexistent/pcscd.comm "$SCBOOT" readers 2> /tmp/scboot-nosvc.$$
rc=$?
check "no pcscd: exit 3" '[ $rc = 3 ]'
check "no pcscd: names the PC/SC code" 'grep -q "SCardEstablishContext" /tmp/scboot-nosvc.$$'
rm -f /tmp/scboot-nosvc.$$
echo "1..$tn"
[ $fails = 0 ]

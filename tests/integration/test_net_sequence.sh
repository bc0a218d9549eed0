#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_net_sequence.sh: the whole bootstrap sequence on a gateway through a real pcscd + vpcd.
# The card holds only a Bootstrap-Server account whose URI is the project's test
# Bootstrap-Server (tests/integration/bs_server.c) on 127.0.0.1, in plain CoAP and in DTLS PSK
# (identity and key on the card): `apply --endpoint EP` runs card -> factory -> client-initiated
# bootstrap and commits the server's accounts (provenance network); `bootstrap --endpoint EP`
# needs no --server; the endpoint template takes the card's ICCID; a missing endpoint or a
# value the template needs is said (exit 2).
set -u
SCBOOT=$1 SCBOOT_VCARD=$2 BS=$3
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
R="Virtual PCD 00 00"
ICCID=8988211000000430099
PORT=$((30000 + $$ % 20000))
BSPIDS=""

stack_start
T="$STACK_DIR"
stop_bs() { for p in $BSPIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; BSPIDS=""; }
tlv() { "$SCBOOT" encode "$1" -o "$T/x.bin" 2>/dev/null && tail -c +10 "$T/x.bin" > "$2"; }
cat > "$T/sec.json" <<'J'
{"objects":{"0":{"instances":{"1":{"resources":{"0":"coap://127.0.0.1:5683","1":false,"2":3,"10":7}}}}}}
J
cat > "$T/srv.json" <<'J'
{"objects":{"1":{"instances":{"0":{"resources":{"0":7,"1":300,"6":false,"7":"U"}}}}}}
J
tlv "$T/sec.json" "$T/sec.tlv"
tlv "$T/srv.json" "$T/srv.tlv"
gen() { "$SCBOOT" status --state-dir "$1" 2>/dev/null | sed -n 's/^generation \([0-9]*\).*/\1/p'; }

# card(name, account resources): a card profile whose EF LwM2M_Bootstrap holds only that
# Bootstrap-Server account (hosts: 127.0.0.1 only)
card() {
    printf '{"objects":{"0":{"instances":{"0":{"resources":{%s}}}}}}' "$2" > "$T/$1.acct.json"
    "$SCBOOT" encode "$T/$1.acct.json" -o "$T/$1.bin" 2>/dev/null
    printf '{"name":"%s","iccid":"%s","lwm2m":{"file":"%s.bin"}}' "$1" "$ICCID" "$1" > "$T/$1.json"
    stack_vcard_stop
    stack_wait_nocard "$R"
    stack_vcard "$T/$1.json"
    stack_wait_card "$R"
}
bs_up() { # port out [bs_server options]
    _p=$1 _o=$2; shift 2
    "$BS" "$_p" "$T/sec.tlv" "$T/srv.tlv" "$@" > "$_o" 2>&1 &
    BSPIDS="$BSPIDS $!"
    sleep 0.3
}
prov_network() { # state-dir: the server's accounts from the network, the card's account kept
    "$SCBOOT" status --state-dir "$1" > "$T/status" 2>&1
    grep -q "/0/0  card" "$T/status" && grep -q "/0/1  network" "$T/status" && grep -q "/1/0  network" "$T/status"
}

# ---- plain CoAP ---------------------------------------------------------------------------
card nosec "\"0\":\"coap://127.0.0.1:$PORT\",\"1\":true,\"2\":3,\"3\":{\"hex\":\"\"},\"4\":{\"hex\":\"\"},\"5\":{\"hex\":\"\"}"
bs_up $PORT "$T/bs1.out"
"$SCBOOT" apply -r "$R" --endpoint "urn:dev:ops:gw-{iccid}" --state-dir "$T/a1" > "$T/a1.out" 2> "$T/a1.err"
rc=$?
stop_bs
check "NoSec card: apply --endpoint runs the whole sequence (exit 0)" '[ $rc = 0 ] || { cat "$T/a1.out" "$T/a1.err" >&2; false; }'
check "NoSec card: the Bootstrap-Request went to the card's URI with the ICCID in ep" 'grep -q "Bootstrap-Request ep=urn:dev:ops:gw-$ICCID" "$T/bs1.out" && grep -q "POST /bs 2.04" "$T/bs1.out"'
check "NoSec card: card applied, then network committed" 'grep -q "^card: applied" "$T/a1.out" && grep -q "^network: committed" "$T/a1.out" && ! grep -q "bootstrap is needed" "$T/a1.out"'
check "NoSec card: the server's accounts committed with provenance network" 'prov_network "$T/a1" || { cat "$T/status" >&2; false; }'

PORT=$((PORT + 1))
card nosec2 "\"0\":\"coap://127.0.0.1:$PORT\",\"1\":true,\"2\":3,\"3\":{\"hex\":\"\"},\"4\":{\"hex\":\"\"},\"5\":{\"hex\":\"\"}"
bs_up $PORT "$T/bs2.out"
"$SCBOOT" bootstrap -r "$R" --endpoint gw-b --state-dir "$T/b1" 2> "$T/b1.err"
rc=$?
stop_bs
check "NoSec card: bootstrap --endpoint without --server: committed (exit 0)" '[ $rc = 0 ] && grep -q "Bootstrap-Request ep=gw-b" "$T/bs2.out" && prov_network "$T/b1" || { cat "$T/b1.err" >&2; false; }'

# what is missing is said
"$SCBOOT" apply -r "$R" --state-dir "$T/m1" > "$T/m1.out" 2> "$T/m1.err"
rc=$?
check "apply without an endpoint: card applied, says the endpoint name is missing (exit 0)" '[ $rc = 0 ] && grep -q "bootstrap is needed (no endpoint name: give --endpoint" "$T/m1.out"'
"$SCBOOT" bootstrap -r "$R" --state-dir "$T/m2" 2> "$T/m2.err"
rc=$?
check "bootstrap without an endpoint: exit 2, says what is missing" '[ $rc = 2 ] && grep -q "no endpoint name: give --endpoint NAME" "$T/m2.err"'
"$SCBOOT" apply -r "$R" --endpoint "urn:imei:{imei}" --state-dir "$T/m3" > "$T/m3.out" 2> "$T/m3.err"
rc=$?
check "apply --endpoint urn:imei:{imei} without a modem: exit 2 naming the IMEI" '[ $rc = 2 ] && grep -q "needs {imei}: the modem.s IMEI is not known" "$T/m3.err"'
printf 'endpoint = gw-conf-{iccid}\n' > "$T/scboot.conf"
PORT2=$PORT
bs_up $PORT2 "$T/bs3.out"
"$SCBOOT" apply -r "$R" --config "$T/scboot.conf" --state-dir "$T/c1" > "$T/c1.out" 2> "$T/c1.err"
rc=$?
stop_bs
check "endpoint = from the configuration file (--config)" '[ $rc = 0 ] && grep -q "Bootstrap-Request ep=gw-conf-$ICCID" "$T/bs3.out" && prov_network "$T/c1"'
stack_vcard_stop
stack_wait_nocard "$R"

# ---- DTLS PSK, identity and key on the card -------------------------------------------------
if "$BS" 2>&1 | grep -q -- "--psk"; then
    PORT=$((PORT + 1))
    KEYHEX=$(printf secretkey | od -An -tx1 | tr -d ' \n')
    card psk "\"0\":\"coaps://127.0.0.1:$PORT\",\"1\":true,\"2\":0,\"3\":{\"hex\":\"67772D31\"},\"4\":{\"hex\":\"\"},\"5\":{\"hex\":\"$KEYHEX\"}"
    bs_up $PORT "$T/bs4.out" --psk gw-1 "$KEYHEX"
    "$SCBOOT" apply -r "$R" --endpoint gw-psk --state-dir "$T/p1" > "$T/p1.out" 2> "$T/p1.err"
    rc=$?
    stop_bs
    check "PSK card: apply --endpoint over DTLS with the card's identity and key (exit 0)" '[ $rc = 0 ] && grep -q "DTLS PSK" "$T/p1.err" && grep -q "POST /bs 2.04" "$T/bs4.out" && prov_network "$T/p1" || { cat "$T/p1.out" "$T/p1.err" >&2; false; }'
    bs_up $PORT "$T/bs5.out" --psk gw-1 "$KEYHEX"
    "$SCBOOT" bootstrap -r "$R" --endpoint gw-psk2 --state-dir "$T/p2" 2> "$T/p2.err"
    rc=$?
    stop_bs
    check "PSK card: bootstrap --endpoint without --server over DTLS (exit 0)" '[ $rc = 0 ] && grep -q "Bootstrap-Request ep=gw-psk2" "$T/bs5.out" && prov_network "$T/p2" || { cat "$T/p2.err" >&2; false; }'
    "$SCBOOT" bootstrap -r "$R" --endpoint gw-psk3 --server "coap://127.0.0.1:$PORT" --state-dir "$T/p3" 2> "$T/p3.err"
    rc=$?
    check "PSK card: a plain --server is refused (exit 2), nothing from the network" '[ $rc = 2 ] && ! grep -q "/1/0" "$T/p3/config.json" 2>/dev/null'
    stack_vcard_stop
fi
stop_bs
echo "1..$tn"
[ $fails = 0 ]

#!/bin/sh
# test_coap.sh: network bootstrap on loopback. A Bootstrap-Server that is not part of the
# project (libcoap's coap-client) provisions scboot server-initiated, over CoAP and DTLS-PSK;
# the change request's example gets 4.06 and, corrected, 2.04; malformed requests get
# 4.00/4.04/4.15; client-initiated bootstrap against tests/integration/bs_server.c, with a
# Finish and without one (EXCHANGE_LIFETIME: failed, nothing committed).
set -u
SCBOOT=$1 BS=$2 DATA=$3
command -v coap-client-notls >/dev/null 2>&1 || { echo "1..0 # SKIP coap-client (libcoap3-bin) not installed"; exit 0; }
T=$(mktemp -d /tmp/scboot-coap.XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
PORT=$((20000 + $$ % 20000))
tlv() { # JSON -> TLV payload of its single object
    "$SCBOOT" encode "$1" -o "$T/x.bin" 2>/dev/null && tail -c +10 "$T/x.bin" > "$2"
}
cat > "$T/sec.json" <<'J'
{"objects":{"0":{"instances":{"1":{"resources":{"0":"coap://lwm2m.example:5683","1":false,"2":3,"10":7}}}}}}
J
cat > "$T/srv.json" <<'J'
{"objects":{"1":{"instances":{"0":{"resources":{"0":7,"1":300,"6":false,"7":"U"}}}}}}
J
cat > "$T/sec2.json" <<'J'
{"objects":{"0":{"instances":{"1":{"resources":{"0":"coap://a.example","1":false,"2":3,"10":1}},"2":{"resources":{"0":"coap://b.example","1":false,"2":3,"10":2}}}}}}
J
cat > "$T/srv2.json" <<'J'
{"objects":{"1":{"instances":{"0":{"resources":{"0":1,"1":60,"6":false,"7":"U"}},"1":{"resources":{"0":2,"1":60,"6":false,"7":"U"}}}}}}
J
cat > "$T/acl.json" <<'J'
{"objects":{"2":{"instances":{"0":{"resources":{"0":1,"1":0,"2":{"1":31},"3":1}}}}}}
J
for f in sec srv sec2 srv2 acl; do tlv "$T/$f.json" "$T/$f.tlv"; done
printf 'secretkey' | od -An -tx1 | tr -d ' \n' > "$T/psk.hex"
chmod 600 "$T/psk.hex" # a key file: owner-only, like the SCP03 and PIN files
C="coap-client-notls -B 5"
listen() { # state-dir port extra...
    st=$1 port=$2; shift 2
    "$SCBOOT" bootstrap --listen "127.0.0.1:$port" --state-dir "$st" --once "$@" 2> "$st.log" &
    LPID=$!
    PIDS="$PIDS $LPID"
    sleep 0.4
}
finish_rc() { wait "$LPID"; LRC=$?; }

# 1. server-initiated, NoSec: Delete /, Write, Discover, Read, Finish
listen "$T/s1" $PORT
$C -m delete "coap://127.0.0.1:$PORT/" 2> "$T/e"
$C -m put -t 11542 -f "$T/sec.tlv" "coap://127.0.0.1:$PORT/0" 2>> "$T/e"
$C -m put -t 11542 -f "$T/srv.tlv" "coap://127.0.0.1:$PORT/1" 2>> "$T/e"
check "writes answered without error" '[ ! -s "$T/e" ]'
$C -m get -A 40 "coap://127.0.0.1:$PORT/" > "$T/disc" 2>&1
check "Discover: link format with ssid and uri" 'grep -q "</0/1>;ssid=7;uri=\"coap://lwm2m.example:5683\"" "$T/disc" && grep -q "</1/0>;ssid=7" "$T/disc"'
$C -m get "coap://127.0.0.1:$PORT/1/0" > "$T/read" 2> "$T/e"
check "Bootstrap-Read of /1/0 answers content" '[ -s "$T/read" ] && [ ! -s "$T/e" ]'
$C -m get "coap://127.0.0.1:$PORT/0" > /dev/null 2> "$T/e"
check "Bootstrap-Read of /0 refused (4.00)" 'grep -q "4.00" "$T/e"'
$C -m post "coap://127.0.0.1:$PORT/bs" 2> "$T/e"
finish_rc
check "Finish answered 2.04, scboot exits 0" '[ ! -s "$T/e" ] && [ $LRC = 0 ]'
"$SCBOOT" status --state-dir "$T/s1" > "$T/status"
check "committed with provenance network" 'grep -q "/0/1  network" "$T/status" && grep -q "/1/0  network" "$T/status"'

# 2. the change request's example on a --no-acl client: 4.06, nothing committed; corrected: 2.04
PORT=$((PORT + 1))
listen "$T/s2" $PORT --no-acl
$C -m put -t 11542 -f "$T/sec2.tlv" "coap://127.0.0.1:$PORT/0" 2> /dev/null
$C -m put -t 11542 -f "$T/srv2.tlv" "coap://127.0.0.1:$PORT/1" 2> /dev/null
$C -m put -t 11542 -f "$T/acl.tlv" "coap://127.0.0.1:$PORT/2" 2> /dev/null
$C -m post "coap://127.0.0.1:$PORT/bs" 2> "$T/e"
check "inconsistent: 4.06 with the violations (rule path)" 'grep -q "4.06" "$T/e" && grep -q "acl-unsupported /2" "$T/e" && grep -q "multi-server-unsupported /1" "$T/e"'
"$SCBOOT" status --state-dir "$T/s2" > "$T/status" 2>&1
check "nothing committed after 4.06" 'grep -q "nothing committed" "$T/status"'
# malformed requests meanwhile: never a crash
printf '\310\001\011\000' > "$T/bad.tlv"
$C -m put -t 11542 -f "$T/bad.tlv" "coap://127.0.0.1:$PORT/1/0" 2> "$T/e"
check "malformed TLV: 4.00" 'grep -q "4.00" "$T/e"'
$C -m put -t 0 -f "$T/acl.tlv" "coap://127.0.0.1:$PORT/2" 2> "$T/e"
check "wrong content format: 4.15" 'grep -q "4.15" "$T/e"'
$C -m put -t 11542 -f "$T/acl.tlv" "coap://127.0.0.1:$PORT/foo" 2> "$T/e"
check "unknown path: 4.04" 'grep -q "4.04" "$T/e"'
$C -m delete "coap://127.0.0.1:$PORT/2" 2> /dev/null
$C -m delete "coap://127.0.0.1:$PORT/0/2" 2> /dev/null
$C -m delete "coap://127.0.0.1:$PORT/1/1" 2> /dev/null
$C -m post "coap://127.0.0.1:$PORT/bs" 2> "$T/e"
finish_rc
check "corrected: Finish 2.04, committed" '[ ! -s "$T/e" ] && [ $LRC = 0 ] && "$SCBOOT" status --state-dir "$T/s2" | grep -q "/0/1  network"'

# 2b. the sequence first: a card (Bootstrap-Server account only) then the network session
PORT=$((PORT + 1))
listen "$T/s5" $PORT -r "virtual:$DATA/standard.json"
$C -m put -t 11542 -f "$T/sec.tlv" "coap://127.0.0.1:$PORT/0" 2> /dev/null
$C -m put -t 11542 -f "$T/srv.tlv" "coap://127.0.0.1:$PORT/1" 2> /dev/null
$C -m post "coap://127.0.0.1:$PORT/bs" 2> /dev/null
finish_rc
"$SCBOOT" status --state-dir "$T/s5" > "$T/status"
check "card applied before listening, then network instances added" '[ $LRC = 0 ] && grep -q "card applied" "$T/s5.log" && grep -q "/0/0  card" "$T/status" && grep -q "/1/0  network" "$T/status"'

# 3. DTLS PSK, server-initiated: right key provisions, wrong key gets nothing in
if command -v coap-client-openssl >/dev/null 2>&1; then
    PORT=$((PORT + 1))
    listen "$T/s3" $PORT --psk-identity gw-1 --psk-key-file "$T/psk.hex"
    D="coap-client-openssl -B 5 -u gw-1 -k secretkey"
    $D -m put -t 11542 -f "$T/sec.tlv" "coaps://127.0.0.1:$PORT/0" 2> /dev/null
    $D -m put -t 11542 -f "$T/srv.tlv" "coaps://127.0.0.1:$PORT/1" 2> /dev/null
    $D -m post "coaps://127.0.0.1:$PORT/bs" 2> /dev/null
    finish_rc
    check "DTLS PSK: provisioned and committed" '[ $LRC = 0 ] && "$SCBOOT" status --state-dir "$T/s3" | grep -q "/1/0  network"'
    PORT=$((PORT + 1))
    listen "$T/s4" $PORT --psk-identity gw-1 --psk-key-file "$T/psk.hex"
    coap-client-openssl -B 2 -u gw-1 -k wrongkey -m post "coaps://127.0.0.1:$PORT/bs" > /dev/null 2>&1
    kill "$LPID"; wait "$LPID" 2>/dev/null
    check "DTLS PSK, wrong key: nothing committed" '[ ! -e "$T/s4/config.json" ]'
fi

# 4. client-initiated against a small Bootstrap-Server
PORT=$((PORT + 1))
"$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" > "$T/bs.out" 2>&1 & PIDS="$PIDS $!"
sleep 0.3
"$SCBOOT" bootstrap --server "coap://127.0.0.1:$PORT" --endpoint gw-7 --state-dir "$T/c1" 2> "$T/c1.log"
rc=$?
sleep 0.2
check "client-initiated: Bootstrap-Request with ep, writes, Finish 2.04" '[ $rc = 0 ] && grep -q "Bootstrap-Request ep=gw-7" "$T/bs.out" && grep -q "POST /bs 2.04" "$T/bs.out"'
check "client-initiated: committed" '"$SCBOOT" status --state-dir "$T/c1" | grep -q "/0/1  network"'
PORT=$((PORT + 1))
"$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" --no-finish > "$T/bs2.out" 2>&1 & PIDS="$PIDS $!"
sleep 0.3
"$SCBOOT" bootstrap --server "coap://127.0.0.1:$PORT" --endpoint gw-8 --state-dir "$T/c2" --exchange-lifetime 2 2> "$T/c2.log"
rc=$?
check "no Finish within EXCHANGE_LIFETIME: exit 1, failed" '[ $rc = 1 ] && grep -q "EXCHANGE_LIFETIME" "$T/c2.log"'
check "no Finish: nothing committed" '[ ! -e "$T/c2/config.json" ]'
if command -v coap-client-openssl >/dev/null 2>&1; then
    PORT=$((PORT + 1))
    "$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" --psk gw-1 "$(cat "$T/psk.hex")" > "$T/bs3.out" 2>&1 & PIDS="$PIDS $!"
    sleep 0.3
    "$SCBOOT" bootstrap --server "coaps://127.0.0.1:$PORT" --endpoint gw-9 --state-dir "$T/c3" \
        --psk-identity gw-1 --psk-key-file "$T/psk.hex" 2> "$T/c3.log"
    rc=$?
    check "client-initiated over coaps (DTLS PSK)" '[ $rc = 0 ] && grep -q "POST /bs 2.04" "$T/bs3.out"'
fi
echo "1..$tn"
[ $fails = 0 ] || { cat "$T"/*.log >&2; exit 1; }

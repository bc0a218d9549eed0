#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_modem_network.sh: the modem's IMEI in the endpoint name. A SIM in scboot-vmodem (a
# simulated modem on a pseudo-terminal, IMEI set with --imei) holds only a Bootstrap-Server
# account on 127.0.0.1; tests/integration/bs_server.c answers there and prints the name it
# was asked by. `scboot apply -r at:PTY --endpoint 'urn:imei:{imei}'` and `scboot watch -r
# at:PTY --endpoint 'urn:imei:{imei}'` both send urn:imei:<the modem's 15 digits>; without a
# modem (a virtual: card) {imei} is unknown and named as such. No pcscd is needed; only our
# own processes are stopped.
set -u
SCBOOT=$1 VMODEM=$2 BS=$3
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
DIR=$(mktemp -d) || exit 1
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$DIR"; }
trap cleanup EXIT
PTY="$DIR/modem"
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

"$VMODEM" --link "$PTY" --imei $IMEI "$DIR/card.json" 2> "$DIR/vmodem.log" &
PIDS="$PIDS $!"
wait_for test -L "$PTY"
echo "1..5"

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
[ $fails = 0 ]

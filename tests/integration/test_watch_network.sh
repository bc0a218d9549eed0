#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_watch_network.sh MODE: `scboot watch` runs the whole bootstrap sequence through a real
# pcscd + vpcd, with a card that holds only a Bootstrap-Server account (on 127.0.0.1).
#   listen  `watch --listen`: a Bootstrap-Server (libcoap's coap-client) provisions it in the
#           daemon's process, in plain CoAP and in DTLS PSK (the card's account authenticates
#           it); the hook hears network-applied; a card removed in the middle of a session
#           commits nothing from it.
#   client  `watch --endpoint EP` alone: the daemon sends the Bootstrap-Request to the URI on
#           the card (tests/integration/bs_server.c answers), in plain CoAP and in DTLS PSK,
#           commits the server's accounts (provenance network), the hook hears
#           network-applied; SIGUSR1 brings a new Bootstrap-Request; a card removed while the
#           server holds back its Finish commits nothing from that session.
# Stops only the processes it started.
set -u
MODE=$1 SCBOOT=$2 SCBOOT_VCARD=$3 DATA=$4 BS=$5
command -v coap-client-notls >/dev/null 2>&1 || { echo "1..0 # SKIP coap-client (libcoap3-bin) not installed"; exit 0; }
. "$(dirname "$0")/pcsc_stack.sh"
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
PIDS=""
stack_start
trap '_st=$?; for p in $PIDS; do kill "$p" 2>/dev/null; done; stack_stop || _st=1; exit $_st' EXIT
T=$STACK_DIR
EV="$T/events"
: > "$EV"
READER="Virtual PCD 00 00"
# ten ports per process: two modes started together (PIDs close) never share one
PORT=$((21000 + $$ % 2000 * 10))
enc() { "$SCBOOT" encode "$1" -o "$2" > /dev/null 2>&1; }
tlv() { enc "$1" "$T/x.bin" && tail -c +10 "$T/x.bin" > "$2"; }
# the card: a Bootstrap-Server account only ($1 = its JSON resources), ICCID of the test card
card() {
    echo "{\"objects\":{\"0\":{\"instances\":{\"0\":{\"resources\":{$1}}}}}}" > "$T/card_bs.json"
    enc "$T/card_bs.json" "$T/card_bs.bin"
    echo "{\"iccid\":\"8988211000000430010\",\"protocol\":\"T=0\",\"lwm2m\":{\"file\":\"$T/card_bs.bin\",\"pad\":2,\"pkcs15_first\":false}}" > "$T/card.json"
}
# ... and the card side serving it, inserted
card_in() { card "$1"; stack_vcard "$T/card.json"; stack_wait_card "$READER"; }
cat > "$T/sec.json" <<'J'
{"objects":{"0":{"instances":{"1":{"resources":{"0":"coap://lwm2m.example:5683","1":false,"2":3,"10":7}}}}}}
J
cat > "$T/srv.json" <<'J'
{"objects":{"1":{"instances":{"0":{"resources":{"0":7,"1":300,"6":false,"7":"U"}}}}}}
J
tlv "$T/sec.json" "$T/sec.tlv"
tlv "$T/srv.json" "$T/srv.tlv"
PSK_HEX=$(printf 'secretkey' | od -An -tx1 | tr -d ' \n')
# the card's Bootstrap-Server account for DTLS PSK (identity gw-1) at 127.0.0.1:$1
psk_account() { echo "\"0\":\"coaps://127.0.0.1:$1\",\"1\":true,\"2\":0,\"3\":{\"hex\":\"67772D31\"},\"5\":{\"hex\":\"$PSK_HEX\"},\"11\":0"; }
WATCH=""
watch_start() { # state-dir, flags...
    st=$1; shift
    : > "$EV"
    "$SCBOOT" watch -r "$READER" --state-dir "$st" \
        --exec "echo \$SCBOOT_EVENT \$SCBOOT_GENERATION >> '$EV'" "$@" 2> "$st.log" &
    WATCH=$!
    PIDS="$PIDS $WATCH"
}
watch_stop() { kill -TERM "$WATCH" 2>/dev/null; wait "$WATCH" 2>/dev/null; }
has_event() { stack_wait "${2:-300}" grep -q "^$1 " "$EV"; }
committed() { "$SCBOOT" status --state-dir "$1" 2>/dev/null | grep -q "$2"; }

if [ "$MODE" = listen ]; then
    echo "1..11"
    # 1. plain CoAP: the listener starts once the card step ran
    card_in "\"0\":\"coap://127.0.0.1:$PORT\",\"1\":true,\"2\":3"
    watch_start "$T/s1" --listen "127.0.0.1:$PORT"
    has_event applied
    stack_wait 300 grep -q "listening on 127.0.0.1 port $PORT" "$T/s1.log"
    C="coap-client-notls -B 5"
    $C -m put -t 11542 -f "$T/sec.tlv" "coap://127.0.0.1:$PORT/0" > "$T/o" 2> "$T/e"
    $C -m put -t 11542 -f "$T/srv.tlv" "coap://127.0.0.1:$PORT/1" >> "$T/o" 2>> "$T/e"
    $C -m post "coap://127.0.0.1:$PORT/bs" >> "$T/o" 2>> "$T/e"
    check "plain CoAP: writes and Finish answered without error" '[ ! -s "$T/e" ]'
    check "plain CoAP: the hook hears network-applied" 'has_event network-applied'
    check "plain CoAP: committed in the daemon, provenance network, card account kept" 'committed "$T/s1" "/1/0  network" && committed "$T/s1" "/0/0  card"'
    # 2. a card removed in the middle of a session: nothing from it committed
    PORT=$((PORT + 1))
    watch_stop
    watch_start "$T/s2" --listen "127.0.0.1:$PORT"
    has_event applied
    stack_wait 300 grep -q "listening on 127.0.0.1 port $PORT" "$T/s2.log"
    $C -m put -t 11542 -f "$T/sec.tlv" "coap://127.0.0.1:$PORT/0" > /dev/null 2>&1
    $C -m put -t 11542 -f "$T/srv.tlv" "coap://127.0.0.1:$PORT/1" > /dev/null 2>&1
    stack_vcard_stop
    has_event removed
    # coap-client prints to stdout too (an ICMP refusal while the listener is set up again)
    $C -m post "coap://127.0.0.1:$PORT/bs" > /dev/null 2>&1
    sleep 0.5
    check "card removed mid-session: removed, and nothing of the session committed" '! committed "$T/s2" "/1/0  network" && ! committed "$T/s2" "/0/1  network"'
    check "card removed mid-session: the log says the session was abandoned" 'grep -q "abandoned" "$T/s2.log"'
    watch_stop
    # 3. DTLS PSK: the card's account holds the PSK; the listener takes only that peer
    if command -v coap-client-openssl >/dev/null 2>&1; then
        PORT=$((PORT + 1))
        card_in "$(psk_account $PORT)"
        watch_start "$T/s3" --listen "127.0.0.1:$PORT"
        has_event applied
        stack_wait 300 grep -q "port $PORT" "$T/s3.log"
        coap-client-openssl -B 3 -u gw-1 -k wrongkey -m post "coaps://127.0.0.1:$PORT/bs" > /dev/null 2>&1
        check "DTLS PSK, wrong key: nothing committed" '! committed "$T/s3" "network"'
        D="coap-client-openssl -B 20 -u gw-1 -k secretkey"
        $D -m put -t 11542 -f "$T/sec.tlv" "coaps://127.0.0.1:$PORT/0" > /dev/null 2>&1
        $D -m put -t 11542 -f "$T/srv.tlv" "coaps://127.0.0.1:$PORT/1" > /dev/null 2>&1
        $D -m post "coaps://127.0.0.1:$PORT/bs" > /dev/null 2>&1
        check "DTLS PSK: the hook hears network-applied" 'has_event network-applied'
        check "DTLS PSK: committed, provenance network" 'committed "$T/s3" "/1/0  network"'
        watch_stop
        # 4. --listen on every address for DTLS; the authenticated server moves the account
        # to NoSec: the next listener of the same daemon must bind loopback only, not 0.0.0.0
        PORT=$((PORT + 1))
        stack_vcard_stop
        stack_wait_nocard "$READER"
        card_in "$(psk_account $PORT)"
        echo "{\"objects\":{\"0\":{\"instances\":{\"5\":{\"resources\":{\"0\":\"coap://127.0.0.1:$PORT\",\"1\":true,\"2\":3,\"3\":{\"hex\":\"\"},\"4\":{\"hex\":\"\"},\"5\":{\"hex\":\"\"}}},\"1\":{\"resources\":{\"0\":\"coap://127.0.0.1:5683\",\"1\":false,\"2\":3,\"10\":7}}}}}}" > "$T/nosec.json"
        tlv "$T/nosec.json" "$T/nosec.tlv"
        watch_start "$T/s4" --listen "0.0.0.0:$PORT"
        has_event applied
        stack_wait 300 grep -q "listening for the Bootstrap-Server on 0.0.0.0 port $PORT" "$T/s4.log"
        $D -m put -t 11542 -f "$T/nosec.tlv" "coaps://127.0.0.1:$PORT/0" > /dev/null 2>&1
        $D -m put -t 11542 -f "$T/srv.tlv" "coaps://127.0.0.1:$PORT/1" > /dev/null 2>&1
        $D -m post "coaps://127.0.0.1:$PORT/bs" > /dev/null 2>&1
        has_event network-applied
        stack_wait 300 grep -q "listening on 127.0.0.1 port $PORT WITHOUT" "$T/s4.log"
        check "account moved to NoSec: the daemon's next listener binds loopback, with a warning" 'grep -q "no longer requires DTLS: listening again on 127.0.0.1 only (not 0.0.0.0)" "$T/s4.log" && ! grep -q "listening on 0.0.0.0 port $PORT WITHOUT" "$T/s4.log" || { cat "$T/s4.log" >&2; false; }'
        check "account moved to NoSec: the committed account is the NoSec one" 'committed "$T/s4" "/0/5  network"'
        watch_stop
    else
        for k in 1 2 3 4 5; do tn=$((tn + 1)); echo "ok $tn # SKIP coap-client-openssl not installed"; done
    fi
    check "SIGTERM ends the daemon" '! kill -0 "$WATCH" 2>/dev/null'
    [ $fails = 0 ]
    exit
fi

echo "1..10"
# 1. plain CoAP, client-initiated from the card's account
card_in "\"0\":\"coap://127.0.0.1:$PORT\",\"1\":true,\"2\":3,\"11\":0"
"$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" > "$T/bs1.out" 2>&1 & PIDS="$PIDS $!"
sleep 0.3
watch_start "$T/c1" --endpoint urn:dev:gw-test
check "plain CoAP: the hook hears network-applied" 'has_event network-applied 300'
check "plain CoAP: Bootstrap-Request with the endpoint name, Finish answered 2.04" 'grep -q "Bootstrap-Request ep=urn:dev:gw-test" "$T/bs1.out" && grep -q "POST /bs 2.04" "$T/bs1.out"'
check "plain CoAP: the server's accounts committed, provenance network" 'committed "$T/c1" "/1/0  network" && committed "$T/c1" "/0/0  card"'
# 2. SIGUSR1: registration failed, a new Bootstrap-Request; reports within 30 s of the last
#    session join one request at the end of that gap (a burst must not bring a session each)
"$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" --loop > "$T/bs2.out" 2>&1 & PIDS="$PIDS $!"
sleep 0.3
for k in 1 2 3 4 5; do kill -USR1 "$WATCH"; sleep 0.1; done
sleep 2
check "SIGUSR1 burst right after a session: no Bootstrap-Request yet" '! grep -q "Bootstrap-Request" "$T/bs2.out"'
check "SIGUSR1: one new Bootstrap-Request once the last session is 30 s old" 'stack_wait 450 grep -q "POST /bs 2.04" "$T/bs2.out" && sleep 1 && [ "$(grep -c "Bootstrap-Request" "$T/bs2.out")" = 1 ]'
watch_stop
# 3. the card removed while the server holds back its Finish: nothing of the session committed
PORT=$((PORT + 1))
stack_vcard_stop
card_in "\"0\":\"coap://127.0.0.1:$PORT\",\"1\":true,\"2\":3,\"11\":0"
"$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" --delay-finish 3000 > "$T/bs3.out" 2>&1 & PIDS="$PIDS $!"
sleep 0.3
watch_start "$T/c3" --endpoint urn:dev:gw-test
stack_wait 300 grep -q "writes done" "$T/bs3.out"
stack_vcard_stop
check "card removed mid-session: removed" 'has_event removed'
sleep 3.5
check "card removed mid-session: nothing of the session committed" '! committed "$T/c3" "network"'
watch_stop
# 4. DTLS PSK, client-initiated: the card's account holds the PSK
if command -v coap-client-openssl >/dev/null 2>&1; then
    PORT=$((PORT + 1))
    card_in "$(psk_account $PORT)"
    "$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" --psk gw-1 "$PSK_HEX" > "$T/bs4.out" 2>&1 & PIDS="$PIDS $!"
    sleep 0.3
    watch_start "$T/c4" --endpoint urn:dev:gw-test
    check "DTLS PSK: the hook hears network-applied" 'has_event network-applied 300'
    check "DTLS PSK: committed, provenance network" 'committed "$T/c4" "/1/0  network"'
    watch_stop
else
    for k in 1 2; do tn=$((tn + 1)); echo "ok $tn # SKIP coap-client-openssl not installed"; done
fi
check "SIGTERM ends the daemon" '! kill -0 "$WATCH" 2>/dev/null'
[ $fails = 0 ]

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_coap.sh: network bootstrap on loopback. A Bootstrap-Server that is not part of the
# project (libcoap's coap-client) provisions scboot server-initiated, over CoAP and DTLS-PSK;
# the change request's example gets 4.06 and, corrected, 2.04; malformed requests get
# 4.00/4.04/4.15; client-initiated bootstrap against tests/integration/bs_server.c, with a
# Finish and without one (EXCHANGE_LIFETIME: failed, nothing committed).
set -u
SCBOOT=$1 BS=$2 DATA=$3
. "$(dirname "$0")/require.sh"
require_tools "libcoap3-bin" coap-client-notls
# the DTLS cases need the other flavours: skipped one by one without them, required in CI
[ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ] && require_tools "libcoap3-bin" coap-client-openssl coap-client-gnutls
T=$(mktemp -d /tmp/scboot-coap.XXXXXX)
PIDS=""
MOUNTS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for m in $MOUNTS; do umount "$m" 2>/dev/null; done
    rm -rf "$T"
}
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
check "the commit is on disk when the 2.04 to Finish arrives" '[ -s "$T/s1/config.json" ]'
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

# 5. the committed Bootstrap-Server account's credentials decide who may bootstrap
cat > "$T/bspsk.json" <<'J'
{"objects":{"0":{"instances":{"0":{"resources":{"0":"coaps://127.0.0.1:5684","1":true,"2":0,"3":{"hex":"67772D31"},"5":{"hex":"7365637265746B6579"}}}}}}}
J
"$SCBOOT" apply --factory "$T/bspsk.json" --state-dir "$T/p0" > /dev/null 2>&1
gen() { "$SCBOOT" status --state-dir "$1" 2>/dev/null | sed -n 's/^generation \([0-9]*\).*/\1/p'; }
provision() { # client-command scheme port: the writes and the Finish of test 1
    $1 -m put -t 11542 -f "$T/sec.tlv" "$2://127.0.0.1:$3/0" > /dev/null 2>&1
    $1 -m put -t 11542 -f "$T/srv.tlv" "$2://127.0.0.1:$3/1" > /dev/null 2>&1
    $1 -m post "$2://127.0.0.1:$3/bs" > "$T/fin.out" 2>&1
}
stop_listener() { kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null; }
check "PSK account committed by the factory step" '[ "$(gen "$T/p0")" = 1 ]'
if command -v coap-client-openssl >/dev/null 2>&1; then
    for case in plain wrongid wrongkey flags; do cp -r "$T/p0" "$T/p-$case"; done
    PORT=$((PORT + 1))
    listen "$T/p-plain" $PORT
    provision "coap-client-notls -B 2" coap $PORT
    stop_listener
    check "PSK account: --listen without flags requires DTLS PSK (logged)" 'grep -q "DTLS PSK, credentials of the committed Bootstrap-Server account" "$T/p-plain.log"'
    check "PSK account: a plain-CoAP peer commits nothing" '[ "$(gen "$T/p-plain")" = 1 ] && ! grep -q "Bootstrap-Write" "$T/p-plain.log"'
    PORT=$((PORT + 1))
    listen "$T/p-wrongid" $PORT
    provision "coap-client-openssl -B 3 -u gw-2 -k secretkey" coaps $PORT
    stop_listener
    check "PSK account: right key under another identity is refused in the handshake" '[ "$(gen "$T/p-wrongid")" = 1 ] && grep -q "PSK identity '"'"'gw-2'"'"' refused" "$T/p-wrongid.log" && ! grep -q "Bootstrap-Write" "$T/p-wrongid.log"'
    PORT=$((PORT + 1))
    listen "$T/p-wrongkey" $PORT
    provision "coap-client-openssl -B 3 -u gw-1 -k wrongkey" coaps $PORT
    stop_listener
    check "PSK account: right identity with a wrong key commits nothing" '[ "$(gen "$T/p-wrongkey")" = 1 ] && ! grep -q "Bootstrap-Write" "$T/p-wrongkey.log"'
    PORT=$((PORT + 1))
    printf 'otherkey' | od -An -tx1 | tr -d ' \n' > "$T/psk2.hex"
    chmod 600 "$T/psk2.hex"
    "$SCBOOT" bootstrap --listen "127.0.0.1:$PORT" --state-dir "$T/p-flags" --once \
        --psk-identity gw-9 --psk-key-file "$T/psk2.hex" 2> "$T/p-flags.log"
    rc=$?
    check "PSK account: --psk-* flags that differ from it are refused (exit 2)" '[ $rc = 2 ] && grep -q "differ from the committed" "$T/p-flags.log"'
    PORT=$((PORT + 1))
    listen "$T/p0" $PORT
    provision "coap-client-openssl -B 5 -u gw-1 -k secretkey" coaps $PORT
    finish_rc
    check "PSK account: the account's identity and key bootstrap and commit" '[ $LRC = 0 ] && [ "$(gen "$T/p0")" = 2 ] && "$SCBOOT" status --state-dir "$T/p0" | grep -q "/1/0  network"'
fi
# client-initiated: never plain CoAP towards a secure account
PORT=$((PORT + 1))
"$SCBOOT" apply --factory "$T/bspsk.json" --state-dir "$T/p5" > /dev/null 2>&1
"$SCBOOT" bootstrap --server "coap://127.0.0.1:$PORT" --endpoint gw-5 --state-dir "$T/p5" 2> "$T/p5.log"
rc=$?
check "client-initiated: coap:// refused when the committed account needs DTLS (exit 2)" '[ $rc = 2 ] && grep -q "refusing plain CoAP" "$T/p5.log" && [ "$(gen "$T/p5")" = 1 ]'
if command -v coap-client-openssl >/dev/null 2>&1; then
    PORT=$((PORT + 1))
    "$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" --psk gw-1 "$(printf secretkey | od -An -tx1 | tr -d ' \n')" > "$T/bs5.out" 2>&1 & PIDS="$PIDS $!"
    sleep 0.3
    # the account names this server: the --server given must agree with it
    sed "s/5684/$PORT/" "$T/bspsk.json" > "$T/bspsk5.json"
    "$SCBOOT" apply --factory "$T/bspsk5.json" --state-dir "$T/p5" > /dev/null 2>&1
    "$SCBOOT" bootstrap --server "coaps://127.0.0.1:$PORT" --endpoint gw-5 --state-dir "$T/p5" 2> "$T/p5b.log"
    rc=$?
    check "client-initiated coaps:// with the account's own PSK (no flags): committed" '[ $rc = 0 ] && grep -q "POST /bs 2.04" "$T/bs5.out" && [ "$(gen "$T/p5")" = 3 ]'
fi
# no account with credentials: plain CoAP, said to be unauthenticated, loopback by default
PORT=$((PORT + 1))
"$SCBOOT" bootstrap --listen "$PORT" --state-dir "$T/p6" --once --exchange-lifetime 1 2> "$T/p6.log" &
LPID=$!; PIDS="$PIDS $LPID"
sleep 0.4
ss -Hlun "sport = :$PORT" > "$T/p6.ss" 2>/dev/null
coap-client-notls -B 2 -m delete "coap://127.0.0.1:$PORT/2" > /dev/null 2>&1
finish_rc
check "no account: plain CoAP logged as unauthenticated" 'grep -q "WITHOUT authentication" "$T/p6.log"'
check "no account: --listen PORT binds loopback only" 'grep -q "127.0.0.1:$PORT" "$T/p6.ss" && ! grep -q "0.0.0.0:$PORT" "$T/p6.ss"'
# an address given does not open plain CoAP beyond this host without the explicit opt-in
plain_any() { # name extra...: --listen 0.0.0.0:PORT without an account, one Delete, then ss
    pa=$1; shift
    PORT=$((PORT + 1))
    "$SCBOOT" bootstrap --listen "0.0.0.0:$PORT" --state-dir "$T/$pa" --once --exchange-lifetime 1 "$@" 2> "$T/$pa.log" &
    LPID=$!; PIDS="$PIDS $LPID"
    sleep 0.4
    ss -Hlun "sport = :$PORT" > "$T/$pa.ss" 2>/dev/null
    coap-client-notls -B 2 -m delete "coap://127.0.0.1:$PORT/2" > /dev/null 2>&1
    finish_rc
}
plain_any p7
check "no account: --listen 0.0.0.0:PORT binds 127.0.0.1 only, with a warning naming the flag" 'grep -q "127.0.0.1:$PORT" "$T/p7.ss" && ! grep -q "0.0.0.0:$PORT" "$T/p7.ss" && grep -q "warning: no Bootstrap-Server account with credentials.*--listen-unauthenticated" "$T/p7.log"'
plain_any p8 --listen-unauthenticated
check "no account, --listen-unauthenticated: --listen 0.0.0.0:PORT binds 0.0.0.0, no warning" 'grep -q "0.0.0.0:$PORT" "$T/p8.ss" && ! grep -q "warning:" "$T/p8.log" && grep -q "WITHOUT authentication" "$T/p8.log"'


# 6. Finish is answered 2.04 only once the commit is durable; else 5.00 + reason,
#    exit 5, no temp file left behind
commit_fails() { # name state-dir: provision over NoSec, expect 5.00 with a reason and exit 5
    cf_dir=$2 cf_why=$3
    provision "$C" coap $PORT
    finish_rc
    check "$1: Finish answered 5.00 with a one-line reason" 'grep -q "5.00" "$T/fin.out" && grep -q "could not commit the configuration: .*$cf_why" "$T/fin.out"'
    check "$1: exit 5, reason logged, nothing committed, no temp file" '[ $LRC = 5 ] && grep -q "answered 5.00" "$cf_dir.log" && [ ! -e "$cf_dir/config.json" ] && [ -z "$(ls "$cf_dir" | grep -v -e "^lock$" -e "^config.json.tmp$" -e "^fill$")" ] && [ ! -f "$cf_dir/config.json.tmp" ]'
}
PORT=$((PORT + 1))
mkdir -p "$T/f3"
listen "$T/f3" $PORT
mkdir "$T/f3/config.json.tmp"
commit_fails "a directory in the way of the temp file" "$T/f3" "something else is in its place"
if [ "$(id -u)" = 0 ] && mkdir -p "$T/m1" "$T/m2" && mount -t tmpfs -o size=64k tmpfs "$T/m1" 2>/dev/null; then
    MOUNTS="$T/m1"
    PORT=$((PORT + 1))
    listen "$T/m1/st" $PORT
    dd if=/dev/zero of="$T/m1/st/fill" bs=1k count=1000 2>/dev/null
    commit_fails "full disk (tmpfs 64k)" "$T/m1/st" "No space left on device"
    # the state dir is the mount itself, so the listener's log ($T/m2/st.log) is not on it
    if mkdir -p "$T/m2/st" && mount -t tmpfs -o size=1m,mode=0700 tmpfs "$T/m2/st"; then
        MOUNTS="$MOUNTS $T/m2/st"
        PORT=$((PORT + 1))
        listen "$T/m2/st" $PORT
        # the store works on a directory descriptor, so a bind mount over the path would not
        # touch it: the file system itself goes read-only (scboot holds no file open for
        # writing between commits; the lock is a read-only descriptor)
        mount -o remount,ro "$T/m2/st"
        commit_fails "read-only store" "$T/m2/st" "Read-only file system"
    fi
elif [ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ]; then
    check "full disk and read-only store need root (tmpfs mounts)" false
else
    tn=$((tn + 1)); echo "ok $tn # SKIP full disk / read-only store: need root for tmpfs mounts"
fi


# 7. block-wise transfer (RFC 7959). A Security instance with an X.509 chain
#    (RSA 2048, made here) is well over 1 KB: written with Block1 in 64- and 1024-byte blocks
hexof() { od -An -tx1 "$1" | tr -d ' \n'; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" -subj /CN=scboot-test-ca -days 2 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$T/cl.key" -out "$T/cl.csr" -subj /CN=gw-1 2>/dev/null
openssl x509 -req -in "$T/cl.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -out "$T/cl.pem" -days 2 2>/dev/null
openssl x509 -in "$T/cl.pem" -outform der -out "$T/cl.der"
openssl x509 -in "$T/ca.pem" -outform der -out "$T/ca.der"
openssl pkey -in "$T/cl.key" -outform der -out "$T/cl.kder"
printf '{"objects":{"0":{"instances":{"1":{"resources":{"0":"coaps://lwm2m.example:5684","1":false,"2":2,"3":{"hex":"%s"},"4":{"hex":"%s"},"5":{"hex":"%s"},"10":7}}}}}}' \
    "$(hexof "$T/cl.der")" "$(hexof "$T/ca.der")" "$(hexof "$T/cl.kder")" > "$T/seccert.json"
tlv "$T/seccert.json" "$T/seccert.tlv"
check "the X.509 Security instance is over 2 KB" '[ "$(wc -c < "$T/seccert.tlv")" -gt 2048 ]'
for bsz in 64 1024; do
    PORT=$((PORT + 1))
    listen "$T/b$bsz" $PORT
    $C -b $bsz -m put -t 11542 -f "$T/seccert.tlv" "coap://127.0.0.1:$PORT/0" > "$T/e" 2>&1
    $C -b $bsz -m put -t 11542 -f "$T/srv.tlv" "coap://127.0.0.1:$PORT/1" >> "$T/e" 2>&1
    $C -m get -A 40 "coap://127.0.0.1:$PORT/" > "$T/disc1" 2>&1
    $C -b 16 -m get -A 40 "coap://127.0.0.1:$PORT/" > "$T/disc16" 2>&1
    $C -b 16 -m get "coap://127.0.0.1:$PORT/1/0" > "$T/read16" 2>&1
    $C -m post "coap://127.0.0.1:$PORT/bs" >> "$T/e" 2>&1
    finish_rc
    "$SCBOOT" status --state-dir "$T/b$bsz" --json --show-secrets > "$T/st.json" 2>/dev/null
    check "Block1 in $bsz-byte blocks: the whole instance written and committed" '[ ! -s "$T/e" ] && [ $LRC = 0 ] && grep -q "$(hexof "$T/cl.der" | tr a-f A-F)" "$T/st.json" && grep -q "$(hexof "$T/cl.kder" | tr a-f A-F)" "$T/st.json" && grep -q "Bootstrap-Write /0 ($(wc -c < "$T/seccert.tlv") bytes): 2.04" "$T/b$bsz.log"'
    check "Block2 (16-byte blocks): Discover and Read answers equal the one-message ones" '[ -s "$T/disc16" ] && cmp -s "$T/disc1" "$T/disc16" && grep -q "</0/1>;ssid=7" "$T/disc16" && [ -s "$T/read16" ]'
done
# a body over 32 KB: 4.13 with Size1 32768, whether announced (Size1) or found while receiving
head -c 34000 /dev/zero > "$T/big.bin"
cat > "$T/block1.py" <<'PY'
import socket, struct, sys
def opt(prev, num, val):
    def ext(x):
        return (x, b'') if x < 13 else (13, bytes([x - 13])) if x < 269 else (14, struct.pack('>H', x - 269))
    (d, de), (l, le) = ext(num - prev), ext(len(val))
    return bytes([(d << 4) | l]) + de + le + val
port, size1 = int(sys.argv[1]), int(sys.argv[2])
msg = bytes([0x40, 0x03, 0x12, 0x34]) + opt(0, 11, b'0') + opt(11, 12, struct.pack('>H', 11542)) \
    + opt(12, 27, bytes([0x0E])) + opt(27, 60, struct.pack('>I', size1)) + b'\xff' + b'\0' * 1024
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(msg, ('127.0.0.1', port))
r = s.recv(2048)
code, tkl, pos, num, size = r[1], r[0] & 15, 4 + (r[0] & 15), 0, None
while pos < len(r) and r[pos] != 0xff:
    d, l = r[pos] >> 4, r[pos] & 15
    pos += 1
    if d == 13: d, pos = r[pos] + 13, pos + 1
    elif d == 14: d, pos = struct.unpack('>H', r[pos:pos + 2])[0] + 269, pos + 2
    if l == 13: l, pos = r[pos] + 13, pos + 1
    elif l == 14: l, pos = struct.unpack('>H', r[pos:pos + 2])[0] + 269, pos + 2
    num += d
    if num == 60: size = int.from_bytes(r[pos:pos + l], 'big')
    pos += l
print('%d.%02d Size1=%s' % (code >> 5, code & 31, size))
PY
PORT=$((PORT + 1))
listen "$T/b33" $PORT
$C -b 1024 -m put -t 11542 -f "$T/big.bin" "coap://127.0.0.1:$PORT/0" > "$T/e" 2>&1
check "a 34000-byte body in 1024-byte blocks: 4.13" 'grep -q "4.13" "$T/e" && grep -q "body of .* bytes refused (4.13, limit 32768)" "$T/b33.log"'
vmsize() { sed -n 's/^VmSize:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$LPID/status" 2>/dev/null; }
vm0=$(vmsize)
python3 "$T/block1.py" $PORT 2000000000 > "$T/py.out" 2>&1
check "a first block announcing Size1 2000000000: 4.13 with Size1 32768 at once" 'grep -q "^4.13 Size1=32768$" "$T/py.out"'
python3 "$T/block1.py" $PORT 3000 > "$T/py.out" 2>&1
check "a first block of an acceptable body: 2.31 Continue" 'grep -q "^2.31 " "$T/py.out"'
vm1=$(vmsize)
stop_listener
check "the 2 GB announcement reserved no memory (VmSize ${vm0:-?} -> ${vm1:-?} kB, < 100 MB more)" '[ -n "$vm0" ] && [ -n "$vm1" ] && [ $((vm1 - vm0)) -lt 102400 ]'
check "nothing committed from refused bodies" '[ ! -e "$T/b33/config.json" ]'


# 8. DTLS with certificates (mode 2) and raw public keys (mode 1), both directions,
#    from the committed Bootstrap-Server account; EC P-256 keys and certificates made here
if command -v coap-client-gnutls >/dev/null 2>&1; then
    K="$T/k"; mkdir -p "$K"
    eckey() { openssl ecparam -name prime256v1 -genkey -noout -out "$K/$1.key" 2>/dev/null; }
    eckey ca
    openssl req -x509 -new -key "$K/ca.key" -out "$K/ca.pem" -subj /CN=scboot-test-ca -days 2 2>/dev/null
    for n in bs dev evil rogue; do
        eckey $n
        if [ $n = rogue ]; then # self-signed, not from the CA
            openssl req -x509 -new -key "$K/$n.key" -out "$K/$n.pem" -subj /CN=$n -days 2 2>/dev/null
        else
            openssl req -new -key "$K/$n.key" -out "$K/$n.csr" -subj /CN=$n 2>/dev/null
            openssl x509 -req -in "$K/$n.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial -out "$K/$n.pem" -days 2 2>/dev/null
        fi
        openssl x509 -in "$K/$n.pem" -outform der -out "$K/$n.der"
        openssl pkey -in "$K/$n.key" -outform der -out "$K/$n.p8"
        openssl pkey -in "$K/$n.key" -pubout -outform der -out "$K/$n.spki"
    done
    # server certificates from the same CA that name a host (subjectAltName): "named" the
    # server dialled (localhost, 127.0.0.1, ::1), "other" another host (other.example)
    for n in named other; do
        eckey $n
        if [ $n = named ]; then san="DNS:localhost,IP:127.0.0.1,IP:::1"; else san="DNS:other.example"; fi
        printf 'subjectAltName=%s\n' "$san" > "$K/$n.ext"
        openssl req -new -key "$K/$n.key" -out "$K/$n.csr" -subj /CN=$n 2>/dev/null
        openssl x509 -req -in "$K/$n.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial -extfile "$K/$n.ext" -out "$K/$n.pem" -days 2 2>/dev/null
        openssl x509 -in "$K/$n.pem" -outform der -out "$K/$n.der"
    done
    openssl x509 -in "$K/ca.pem" -outform der -out "$K/ca.der"
    account() { # name mode own peer key [usage [sni]]
        printf '{"objects":{"0":{"instances":{"0":{"resources":{"0":"coaps://127.0.0.1:5684","1":true,"2":%s,"3":{"hex":"%s"},"4":{"hex":"%s"},"5":{"hex":"%s"}%s%s}}}}}}' \
            "$2" "$(hexof "$3")" "$(hexof "$4")" "$(hexof "$5")" "${6:+,\"15\":$6}" "${7:+,\"14\":\"$7\"}" > "$T/$1.json"
        "$SCBOOT" apply --factory "$T/$1.json" --state-dir "$T/$1" > /dev/null 2>&1
    }
    G="coap-client-gnutls -B 5"
    listen_case() { # name account peer-options expect(commit|refuse)
        cp -r "$T/$2" "$T/$1"
        PORT=$((PORT + 1))
        listen "$T/$1" $PORT
        provision "$G $3" coaps $PORT
        if [ "$4" = commit ]; then finish_rc; else stop_listener; LRC=; fi
    }
    account x509 2 "$K/dev.der" "$K/bs.der" "$K/dev.p8"
    account x509ta 2 "$K/dev.der" "$K/ca.der" "$K/dev.p8" 2
    account rpk 1 "$K/dev.spki" "$K/bs.spki" "$K/dev.p8"
    account x509ca 2 "$K/dev.der" "$K/ca.der" "$K/dev.p8" 0
    account x509sni 2 "$K/dev.der" "$K/ca.der" "$K/dev.p8" 2 localhost
    account x509svc 2 "$K/dev.der" "$K/other.der" "$K/dev.p8" 1
    account x509pin 2 "$K/dev.der" "$K/other.der" "$K/dev.p8" 3
    check "X.509 and RPK accounts committed by the factory step" '[ "$(gen "$T/x509")" = 1 ] && [ "$(gen "$T/x509ta")" = 1 ] && [ "$(gen "$T/rpk")" = 1 ] && [ "$(gen "$T/x509ca")" = 1 ] && [ "$(gen "$T/x509sni")" = 1 ] && [ "$(gen "$T/x509svc")" = 1 ] && [ "$(gen "$T/x509pin")" = 1 ]'

    listen_case l-x509-evil x509 "-c $K/evil.pem -j $K/evil.key -C $K/ca.pem" refuse
    check "--listen X.509: a certificate other than /0/x/4 (same CA) is refused (logged), nothing committed" 'grep -q "DTLS X.509, credentials of the committed" "$T/l-x509-evil.log" && grep -q "closed before any request: handshake refused" "$T/l-x509-evil.log" && ! grep -q "Bootstrap-Write" "$T/l-x509-evil.log" && [ "$(gen "$T/l-x509-evil")" = 1 ]'
    listen_case l-x509-plain x509 "" refuse
    check "--listen X.509: a DTLS peer without a certificate gets nothing" '! grep -q "Bootstrap-Write" "$T/l-x509-plain.log" && [ "$(gen "$T/l-x509-plain")" = 1 ]'
    listen_case l-x509 x509 "-c $K/bs.pem -j $K/bs.key -C $K/ca.pem" commit
    check "--listen X.509: the certificate in /0/x/4 with its key bootstraps and commits" '[ $LRC = 0 ] && [ "$(gen "$T/l-x509")" = 2 ]'
    listen_case l-ta-rogue x509ta "-c $K/rogue.pem -j $K/rogue.key -C $K/ca.pem" refuse
    check "--listen X.509, usage 2 (trust anchor /0/x/4): a self-signed certificate is refused" '! grep -q "Bootstrap-Write" "$T/l-ta-rogue.log" && [ "$(gen "$T/l-ta-rogue")" = 1 ]'
    listen_case l-ta x509ta "-c $K/evil.pem -j $K/evil.key -C $K/ca.pem" commit
    check "--listen X.509, usage 2: any certificate the CA in /0/x/4 issued is accepted" '[ $LRC = 0 ] && [ "$(gen "$T/l-ta")" = 2 ]'
    listen_case l-rpk-evil rpk "-M $K/evil.key" refuse
    check "--listen RPK: another raw public key is refused in the handshake, nothing committed" 'grep -q "raw public key is not the one in /0/x/4" "$T/l-rpk-evil.log" && ! grep -q "Bootstrap-Write" "$T/l-rpk-evil.log" && [ "$(gen "$T/l-rpk-evil")" = 1 ]'
    listen_case l-rpk rpk "-M $K/bs.key" commit
    check "--listen RPK: the key in /0/x/4 bootstraps and commits" '[ $LRC = 0 ] && [ "$(gen "$T/l-rpk")" = 2 ]'

    client_case() { # name account bs-server-options
        PORT=$((PORT + 1))
        # the account's own URI names this server (a --server naming another is refused)
        sed "s/5684/$PORT/" "$T/$2.json" > "$T/$1.json"
        "$SCBOOT" apply --factory "$T/$1.json" --state-dir "$T/$1" > /dev/null 2>&1
        "$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" $3 > "$T/$1.bs" 2>&1 & PIDS="$PIDS $!"
        sleep 0.3
        "$SCBOOT" bootstrap --server "coaps://${SRV_HOST:-127.0.0.1}:$PORT" --endpoint gw-x --state-dir "$T/$1" \
            --attempts 1 --ack-timeout 1000 --max-retransmit 1 2> "$T/$1.log"
        CRC=$?
    }
    client_case c-x509 x509 "--pki $K/bs.pem $K/bs.key $K/ca.pem"
    check "client-initiated X.509: committed; the server saw the certificate in /0/x/3" '[ $CRC = 0 ] && grep -q "POST /bs 2.04" "$T/c-x509.bs" && grep -q "peer certificate validated=1 $(hexof "$K/dev.der" | tr a-f A-F)" "$T/c-x509.bs" && [ "$(gen "$T/c-x509")" = 2 ]'
    client_case c-x509-evil x509 "--pki $K/evil.pem $K/evil.key $K/ca.pem"
    check "client-initiated X.509: a server certificate other than /0/x/4 is refused (exit 3), nothing committed" '[ $CRC = 3 ] && grep -q "DTLS" "$T/c-x509-evil.log" && ! grep -q "Bootstrap-Request ep" "$T/c-x509-evil.bs" && [ "$(gen "$T/c-x509-evil")" = 1 ]'
    # Certificate Usage 0, 1, 2: the server's certificate must name the host dialled (RFC 6125)
    for u in ca ta; do
        n=0; [ $u = ta ] && n=2
        client_case c-$u-named x509$u "--pki $K/named.pem $K/named.key $K/ca.pem"
        check "client-initiated X.509 usage $n: a certificate from /0/x/4's CA naming 127.0.0.1 (IP SAN) commits, no SNI for an IP literal" '[ $CRC = 0 ] && grep -q "POST /bs 2.04" "$T/c-$u-named.bs" && ! grep -q "^sni ." "$T/c-$u-named.bs" && [ "$(gen "$T/c-$u-named")" = 2 ]'
        client_case c-$u-other x509$u "--pki $K/other.pem $K/other.key $K/ca.pem"
        check "client-initiated X.509 usage $n: the same CA's certificate for other.example is refused (exit 3), named in the log, nothing committed" '[ $CRC = 3 ] && grep -q "the server.s certificate names other.example, not 127.0.0.1" "$T/c-$u-other.log" && ! grep -q "Bootstrap-Request ep" "$T/c-$u-other.bs" && [ "$(gen "$T/c-$u-other")" = 1 ]'
    done
    client_case c-sni-named x509sni "--pki $K/named.pem $K/named.key $K/ca.pem"
    check "client-initiated X.509 usage 2 with SNI /0/x/14 localhost: sent as SNI; a certificate naming localhost (DNS SAN) commits" '[ $CRC = 0 ] && grep -q "^sni localhost$" "$T/c-sni-named.bs" && [ "$(gen "$T/c-sni-named")" = 2 ]'
    client_case c-sni-other x509sni "--pki $K/other.pem $K/other.key $K/ca.pem"
    check "client-initiated X.509 usage 2 with SNI localhost: a certificate for other.example is refused" '[ $CRC = 3 ] && grep -q "the server.s certificate names other.example, not localhost" "$T/c-sni-other.log" && [ "$(gen "$T/c-sni-other")" = 1 ]'
    # the URI's host name as the name to check and as SNI (bs_server listens on 127.0.0.1 only)
    if [ "$(getent ahosts localhost | awk 'NR == 1 { print $1 }')" = 127.0.0.1 ]; then
        sed 's|coaps://127.0.0.1:|coaps://localhost:|' "$T/x509ca.json" > "$T/x509host.json"
        SRV_HOST=localhost
        client_case c-host-named x509host "--pki $K/named.pem $K/named.key $K/ca.pem"
        check "client-initiated X.509 usage 0, URI coaps://localhost: sent as SNI; the certificate naming localhost commits" '[ $CRC = 0 ] && grep -q "^sni localhost$" "$T/c-host-named.bs" && [ "$(gen "$T/c-host-named")" = 2 ]'
        client_case c-host-other x509host "--pki $K/other.pem $K/other.key $K/ca.pem"
        check "client-initiated X.509 usage 0, URI coaps://localhost: a certificate for other.example is refused" '[ $CRC = 3 ] && grep -q "the server.s certificate names other.example, not localhost" "$T/c-host-other.log" && [ "$(gen "$T/c-host-other")" = 1 ]'
        SRV_HOST=
    elif [ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ]; then
        check "localhost resolves to 127.0.0.1 first (the URI host-name cases need it)" false
    else
        tn=$((tn + 1)); echo "ok $tn - # SKIP localhost does not resolve to 127.0.0.1 first"
    fi
    client_case c-svc-other x509svc "--pki $K/other.pem $K/other.key $K/ca.pem"
    check "client-initiated X.509 usage 1: the pinned certificate still has to name 127.0.0.1: refused" '[ $CRC = 3 ] && grep -q "names other.example, not 127.0.0.1" "$T/c-svc-other.log" && [ "$(gen "$T/c-svc-other")" = 1 ]'
    client_case c-pin-other x509pin "--pki $K/other.pem $K/other.key $K/ca.pem"
    check "client-initiated X.509 usage 3: the pinned certificate commits whatever it names" '[ $CRC = 0 ] && ! grep -q "certificate names" "$T/c-pin-other.log" && [ "$(gen "$T/c-pin-other")" = 2 ]'
    client_case c-rpk rpk "--rpk $K/bs.key"
    check "client-initiated RPK: committed; the server saw the key in /0/x/3" '[ $CRC = 0 ] && grep -q "POST /bs 2.04" "$T/c-rpk.bs" && grep -q "peer RPK validated=1 $(hexof "$K/dev.spki" | tr a-f A-F)" "$T/c-rpk.bs" && [ "$(gen "$T/c-rpk")" = 2 ]'
    client_case c-rpk-evil rpk "--rpk $K/evil.key"
    check "client-initiated RPK: another server key is refused (exit 3), nothing committed" '[ $CRC = 3 ] && grep -q "raw public key is not the one in /0/x/4" "$T/c-rpk-evil.log" && ! grep -q "Bootstrap-Request ep" "$T/c-rpk-evil.bs" && [ "$(gen "$T/c-rpk-evil")" = 1 ]'
elif [ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ]; then
    check "coap-client-gnutls (libcoap3-bin) is installed" false
fi


# 9. one retry policy for the Bootstrap-Request: libcoap retransmits inside an
#    exchange, scboot backs off between whole exchanges; failures named; exit 3 (small schedule)
SCHED="--ack-timeout 1000 --max-retransmit 1 --backoff 200,300"
PORT=$((PORT + 1))
"$SCBOOT" bootstrap --server "coap://127.0.0.1:$PORT" --endpoint gw-r --state-dir "$T/r1" --attempts 3 $SCHED 2> "$T/r1.log"
rc=$?
check "nobody listening: exit 3, each of 3 attempts failed with 'ICMP unreachable'" '[ $rc = 3 ] && [ "$(grep -c "attempt [123] of 3 .* failed: ICMP unreachable" "$T/r1.log")" = 3 ] && grep -q "cannot be reached: ICMP unreachable" "$T/r1.log"'
check "nobody listening: two back-off pauses within the schedule (200 and 300 ms + 0-25%), no raw nack codes" '[ "$(grep -c "next Bootstrap-Request in" "$T/r1.log")" = 2 ] && p1=$(sed -n "s/.*next Bootstrap-Request in \([0-9]*\) ms/\1/p" "$T/r1.log" | head -1) && p2=$(sed -n "s/.*next Bootstrap-Request in \([0-9]*\) ms/\1/p" "$T/r1.log" | tail -1) && [ $p1 -ge 200 ] && [ $p1 -le 250 ] && [ $p2 -ge 300 ] && [ $p2 -le 375 ] && ! grep -q "nack reason" "$T/r1.log" && [ ! -e "$T/r1/config.json" ]'
PORT=$((PORT + 1))
"$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" --drop > "$T/drop.out" 2>&1 & PIDS="$PIDS $!"
sleep 0.3
t0=$(date +%s)
"$SCBOOT" bootstrap --server "coap://127.0.0.1:$PORT" --endpoint gw-r --state-dir "$T/r2" --attempts 2 $SCHED 2> "$T/r2.log"
rc=$? t1=$(date +%s)
check "a server that drops everything: exit 3, each attempt failed with 'timeout'" '[ $rc = 3 ] && [ "$(grep -c "attempt [12] of 2 .* failed: timeout" "$T/r2.log")" = 2 ] && grep -q "cannot be reached: timeout" "$T/r2.log"'
check "a server that drops everything: every attempt sent (with libcoap's retransmission: 2 x 2 datagrams)" '[ "$(grep -c "^dropped" "$T/drop.out")" = 4 ]'
check "a server that drops everything: bounded by the schedule (took $((t1 - t0)) s, at most 2 x 4.5 s + pause + margin)" '[ $((t1 - t0)) -ge 4 ] && [ $((t1 - t0)) -le 14 ]'
PORT=$((PORT + 1))
"$SCBOOT" bootstrap --server "coaps://127.0.0.1:$PORT" --endpoint gw-r --state-dir "$T/r3" --attempts 1 --ack-timeout 1000 --max-retransmit 1 --psk-identity gw-1 --psk-key-file "$T/psk.hex" 2> "$T/r3.log"
rc=$?
check "coaps:// with nobody listening: exit 3, the failure named (DTLS or ICMP)" '[ $rc = 3 ] && grep -q "attempt 1 of 1 .* failed: \(DTLS\|ICMP\)" "$T/r3.log"'
"$SCBOOT" bootstrap --server "coap://127.0.0.1:$PORT" --endpoint gw-r --state-dir "$T/r4" --ack-timeout 500 2> /dev/null
rc=$?
check "--ack-timeout below 1000 ms (libcoap ignores it) is a usage error" '[ $rc = 2 ]'


# 10. IPv6 loopback: --listen [::1]:PORT; an unbracketed IPv6 address is a usage error
PORT=$((PORT + 1))
"$SCBOOT" bootstrap --listen "[::1]:$PORT" --state-dir "$T/v6" --once 2> "$T/v6.log" &
LPID=$!; PIDS="$PIDS $LPID"
sleep 0.4
$C -m put -t 11542 -f "$T/sec.tlv" "coap://[::1]:$PORT/0" > /dev/null 2>&1
$C -m put -t 11542 -f "$T/srv.tlv" "coap://[::1]:$PORT/1" > /dev/null 2>&1
$C -m post "coap://[::1]:$PORT/bs" > /dev/null 2>&1
finish_rc
check "--listen [::1]:PORT provisions over IPv6 loopback" '[ $LRC = 0 ] && [ "$(gen "$T/v6")" = 1 ]'
"$SCBOOT" bootstrap --listen "::1:$PORT" --state-dir "$T/v6b" --once 2> /dev/null
rc=$?
check "--listen ::1:PORT (no brackets) is a usage error" '[ $rc = 2 ]'

# 11. hostile blocks: a Block2 number past the end of a Read is refused without freeing the body
#     twice (libcoap releases it itself when it refuses); an empty Block1 block does not end a
#     transfer as an empty Write; a half-received Block1 body ends with Finish and the session,
#     so a block of the next session (another peer, maybe another account) cannot complete it
cat > "$T/raw.py" <<'PY'
import socket, struct, sys
def opt(prev, num, val):
    def ext(x):
        return (x, b'') if x < 13 else (13, bytes([x - 13])) if x < 269 else (14, struct.pack('>H', x - 269))
    (d, de), (l, le) = ext(num - prev), ext(len(val))
    return bytes([(d << 4) | l]) + de + le + val
def var(v):
    return v.to_bytes((v.bit_length() + 7) // 8, 'big') if v else b''
port, mid = int(sys.argv[1]), 0x4000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
def req(code, segs, opts=(), payload=b''):
    global mid
    mid += 1
    m, prev = bytes([0x41, code]) + struct.pack('>H', mid) + b'\x07', 0
    for n, v in sorted([(11, x) for x in segs] + list(opts), key=lambda o: o[0]):
        m, prev = m + opt(prev, n, v), n
    s.sendto(m + (b'\xff' + payload if payload else b''), ('127.0.0.1', port))
    try:
        r = s.recv(4096)
        return '%d.%02d' % (r[1] >> 5, r[1] & 31)
    except socket.timeout:
        return 'none'
sec, srv = open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read()
cf = (12, var(11542))
blk = lambda n, m: (27, var((n << 4) | (m << 3)))  # SZX 0: 16-byte blocks
out = []
out.append('write ' + req(3, [b'0'], [cf], sec) + ' ' + req(3, [b'1'], [cf], srv))
out.append('read-past-end ' + req(1, [b'1'], [(23, var(1000 << 4))]))
out.append('read-after ' + req(1, [b'1']))
out.append('empty-block ' + req(3, [b'0'], [cf, blk(0, 1)], sec[:16]) + ' ' + req(3, [b'0'], [cf, blk(1, 1)]))
out.append('half-done ' + req(3, [b'0'], [cf, blk(0, 1)], sec[:16]))
out.append('finish ' + req(2, [b'bs']))
import time; time.sleep(0.5)
out.append('next-session ' + req(3, [b'0'], [cf, blk(1, 1)], sec[16:32]) + ' ' + req(3, [b'0'], [cf, blk(2, 0)], sec[32:]))
print('\n'.join(out))
PY
PORT=$((PORT + 1))
"$SCBOOT" bootstrap --listen "127.0.0.1:$PORT" --state-dir "$T/brk" 2> "$T/brk.log" &
LPID=$!; PIDS="$PIDS $LPID"
sleep 0.4
python3 "$T/raw.py" $PORT "$T/sec.tlv" "$T/srv.tlv" > "$T/brk.out" 2>&1
check "Block2 past the end of a Read: 4.00, no crash, the listener still answers" 'grep -q "^read-past-end 4.00$" "$T/brk.out" && grep -q "^read-after 2.05$" "$T/brk.out" && kill -0 $LPID'
check "an empty Block1 block inside a transfer: 4.08, not an empty Write" 'grep -q "^empty-block 2.31 4.08$" "$T/brk.out" && ! grep -q "Bootstrap-Write /0 (0 bytes)" "$T/brk.log"'
check "a body half received at Finish is not resumed by the next session" 'grep -q "^finish 2.04$" "$T/brk.out" && grep -q "^next-session 4.08 4.08$" "$T/brk.out" && [ "$(grep -c "Bootstrap-Write /0" "$T/brk.log")" = 1 ]'
stop_listener

# many peers (source ports) each reading a large /1: libcoap keeps a session per peer and each
# session its Block2 copy of the body; the idle sessions are capped, so memory stays bounded
python3 - "$T/many.json" <<'PY'
import json, sys
inst = {str(i): {"resources": {"0": i + 1, "1": 300, "6": False, "7": "U"}} for i in range(1500)}
json.dump({"objects": {"1": {"instances": inst}}}, open(sys.argv[1], 'w'))
PY
tlv "$T/many.json" "$T/many.tlv"
cat > "$T/peers.py" <<'PY'
import socket, struct, sys
port, n, body = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], 'rb').read()
def opt(prev, num, val):
    def ext(x):
        return (x, b'') if x < 13 else (13, bytes([x - 13])) if x < 269 else (14, struct.pack('>H', x - 269))
    (d, de), (l, le) = ext(num - prev), ext(len(val))
    return bytes([(d << 4) | l]) + de + le + val
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
codes = set()
for k in range((len(body) + 1023) // 1024):  # Write /1 in 1024-byte blocks
    blk = bytes([(k >> 4) & 0xff, ((k & 15) << 4) | (8 if (k + 1) * 1024 < len(body) else 0) | 6])
    m = bytes([0x40, 0x03]) + struct.pack('>H', k) + opt(0, 11, b'1') + opt(11, 12, struct.pack('>H', 11542)) + opt(12, 27, blk)
    s.sendto(m + b'\xff' + body[k * 1024:(k + 1) * 1024], ('127.0.0.1', port))
    r = s.recv(2048)
print('write %d.%02d' % (r[1] >> 5, r[1] & 31))
for k in range(n):  # one GET /1 per source port
    p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    p.settimeout(3)
    p.sendto(bytes([0x40, 0x01]) + struct.pack('>H', k) + opt(0, 11, b'1'), ('127.0.0.1', port))
    try:
        r = p.recv(2048)
        codes.add('%d.%02d' % (r[1] >> 5, r[1] & 31))
    except socket.timeout:
        codes.add('none')
    p.close()
print('reads ' + ' '.join(sorted(codes)))
PY
rss() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$LPID/status" 2>/dev/null; }
PORT=$((PORT + 1))
mkdir -m 700 "$T/peers"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
    "$SCBOOT" bootstrap --listen "127.0.0.1:$PORT" --state-dir "$T/peers" --once 2> "$T/peers.log" &
LPID=$!; PIDS="$PIDS $LPID"
sleep 0.4
python3 "$T/peers.py" $PORT 0 "$T/many.tlv" > "$T/peers.out" 2>&1
rss0=$(rss)
python3 "$T/peers.py" $PORT 800 "$T/many.tlv" >> "$T/peers.out" 2>&1
rss1=$(rss)
stop_listener
check "800 peers reading a 26 KB /1: answered 2.05, VmRSS bounded (${rss0:-?} -> ${rss1:-?} kB, < 8 MB more)" 'grep -q "^reads 2.05$" "$T/peers.out" && [ -n "$rss0" ] && [ -n "$rss1" ] && [ $((rss1 - rss0)) -lt 8192 ]'

# 12. A Bootstrap-Server that drops its own account must not leave plain CoAP on the address
# given for DTLS: after the commit the listener re-binds to loopback only, with a warning
if command -v coap-client-openssl >/dev/null 2>&1 && command -v ss >/dev/null 2>&1; then
    PORT=$((PORT + 1))
    cat > "$T/sec0.json" <<'J'
{"objects":{"0":{"instances":{"0":{"resources":{"0":"coap://lwm2m.example:5683","1":false,"2":3,"10":7}}}}}}
J
    tlv "$T/sec0.json" "$T/sec0.tlv"
    "$SCBOOT" apply --factory "$T/bspsk.json" --state-dir "$T/rb" > /dev/null 2>&1
    "$SCBOOT" bootstrap --listen "0.0.0.0:$PORT" --state-dir "$T/rb" 2> "$T/rb.log" &
    LPID=$!; PIDS="$PIDS $LPID"
    sleep 0.4
    D="coap-client-openssl -B 5 -u gw-1 -k secretkey"
    $D -m put -t 11542 -f "$T/sec0.tlv" "coaps://127.0.0.1:$PORT/0" > /dev/null 2>&1
    $D -m put -t 11542 -f "$T/srv.tlv" "coaps://127.0.0.1:$PORT/1" > /dev/null 2>&1
    $D -m post "coaps://127.0.0.1:$PORT/bs" > /dev/null 2>&1
    sleep 0.5
    ss -Hulnp 2>/dev/null | grep ":$PORT " > "$T/rb.ss"
    stop_listener
    check "the account rewritten without DTLS by its own server: committed" '[ "$(gen "$T/rb")" = 2 ] && grep -q "configuration committed" "$T/rb.log"'
    check "then plain CoAP only on loopback, not 0.0.0.0 (logged as a warning)" 'grep -q "127.0.0.1:$PORT" "$T/rb.ss" && ! grep -q "0.0.0.0:$PORT" "$T/rb.ss" && grep -q "warning: the committed Bootstrap-Server account no longer requires DTLS" "$T/rb.log"'
fi

# 13. client-initiated without --server: the committed account's URI; a contradicting one refused
PORT=$((PORT + 1))
printf '{"objects":{"0":{"instances":{"0":{"resources":{"0":"coap://127.0.0.1:%s","1":true,"2":3,"3":{"hex":""},"4":{"hex":""},"5":{"hex":""}}}}}}}' $PORT > "$T/bsno.json"
"$SCBOOT" apply --factory "$T/bsno.json" --state-dir "$T/acct" > /dev/null 2>&1
"$SCBOOT" bootstrap --server "coap://127.0.0.1:$((PORT + 1))" --endpoint gw-a --state-dir "$T/acct" 2> "$T/acct0.log"
rc=$?
check "NoSec account: a --server naming another port is refused (exit 2)" '[ $rc = 2 ] && grep -q "contradicts the committed Bootstrap-Server account" "$T/acct0.log" && [ "$(gen "$T/acct")" = 1 ]'
"$BS" $PORT "$T/sec.tlv" "$T/srv.tlv" > "$T/acct.bs" 2>&1 & PIDS="$PIDS $!"
sleep 0.3
"$SCBOOT" bootstrap --endpoint gw-a --state-dir "$T/acct" 2> "$T/acct.log"
rc=$?
check "no --server: the Bootstrap-Request goes to the account's URI, committed" '[ $rc = 0 ] && grep -q "Bootstrap-Request ep=gw-a" "$T/acct.bs" && [ "$(gen "$T/acct")" = 2 ]'
"$SCBOOT" bootstrap --endpoint gw-a --state-dir "$T/empty" 2> "$T/empty.log"
rc=$?
check "no --server and no account: exit 2, says so" '[ $rc = 2 ] && grep -q "no Bootstrap-Server account is committed and no server URI" "$T/empty.log"'

echo "1..$tn"
[ $fails = 0 ] || { cat "$T"/*.log >&2; exit 1; }

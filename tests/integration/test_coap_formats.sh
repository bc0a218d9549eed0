#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_coap_formats.sh: the content formats end to end through libcoap's coap-client. The same
# configuration written as TLV (11542), SenML JSON (110) and SenML CBOR (112) commits the same
# thing; /1 is read back in each Accept format (checked by decoding the answer here, not by
# comparing with scboot's own output); an inconsistent configuration gets the same 4.06 in each
# format; malformed SenML is 4.00, LwM2M CBOR 4.15, an unknown Accept 4.06; client-initiated
# provisioning in SenML JSON and CBOR against tests/integration/bs_server.c, with --pct.
# The CBOR packs are made from the JSON ones by senml_j2c (libcbor, not libscboot).
set -u
SCBOOT=$1 BS=$2 J2C=$3
. "$(dirname "$0")/require.sh"
require_tools "libcoap3-bin" coap-client-notls
require_tools "python3" python3
T=$(mktemp -d /tmp/scboot-coapf.XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
PORT=$((21000 + $$ % 20000))
C="coap-client-notls -B 5"

# --- the payloads: JSON shape -> TLV (scboot encode), SenML JSON written here, CBOR by senml_j2c
tlv() { "$SCBOOT" encode "$1" -o "$T/x.bin" 2>/dev/null && tail -c +10 "$T/x.bin" > "$2"; }
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
for f in sec srv sec2 srv2 acl; do tlv "$T/$f.json" "$T/$f.11542"; done
# SenML JSON (RFC 8428): bn sticky, records of one instance not adjacent, t/bt ignored
cat > "$T/sec.110" <<'J'
[{"bn":"/0/1/","bt":1700000000,"n":"0","vs":"coap://lwm2m.example:5683"},{"n":"10","v":7},{"n":"1","vb":false},{"n":"2","v":3}]
J
cat > "$T/srv.110" <<'J'
[{"bn":"/1/0/","n":"0","v":7},{"n":"1","v":300,"t":0},{"n":"6","vb":false},{"n":"7","vs":"U"}]
J
cat > "$T/sec2.110" <<'J'
[{"bn":"/0/1/","n":"0","vs":"coap://a.example"},{"bn":"/0/2/","n":"0","vs":"coap://b.example"},{"bn":"/0/1/","n":"1","vb":false},{"n":"2","v":3},{"n":"10","v":1},{"bn":"/0/2/","n":"1","vb":false},{"n":"2","v":3},{"n":"10","v":2}]
J
cat > "$T/srv2.110" <<'J'
[{"n":"/1/0/0","v":1},{"n":"/1/0/1","v":60},{"n":"/1/0/6","vb":false},{"n":"/1/0/7","vs":"U"},{"n":"/1/1/0","v":2},{"n":"/1/1/1","v":60},{"n":"/1/1/6","vb":false},{"n":"/1/1/7","vs":"U"}]
J
cat > "$T/acl.110" <<'J'
[{"bn":"/2/0/","n":"0","v":1},{"n":"1","v":0},{"n":"2/1","v":31},{"n":"3","v":1}]
J
for f in sec srv sec2 srv2 acl; do "$J2C" < "$T/$f.110" > "$T/$f.112" || echo "senml_j2c failed on $f" >&2; done

# --- the reads, decoded here: TLV (the bytes scboot encode writes), SenML JSON and SenML CBOR
# (RFC 8428 labels; a minimal RFC 8949 reader below) resolved to path=value lines
cat > "$T/senml.py" <<'PY'
import json, struct, sys
def cbor(b, i=0):
    ib = b[i]; mt, ai = ib >> 5, ib & 31; i += 1
    if ai < 24: n = ai
    elif ai in (24, 25, 26, 27):
        w = 1 << (ai - 24); n = int.from_bytes(b[i:i + w], 'big')
        if mt == 7:
            v = {2: '>e', 4: '>f', 8: '>d'}[w]; return struct.unpack(v, b[i:i + w])[0], i + w
        i += w
    else: raise ValueError('indefinite or reserved')
    if mt == 0: return n, i
    if mt == 1: return -1 - n, i
    if mt in (2, 3):
        s = b[i:i + n]; return (s if mt == 2 else s.decode()), i + n
    if mt == 4:
        a = []
        for _ in range(n): x, i = cbor(b, i); a.append(x)
        return a, i
    if mt == 5:
        m = {}
        for _ in range(n): k, i = cbor(b, i); v, i = cbor(b, i); m[k] = v
        return m, i
    if mt == 7: return {20: False, 21: True, 22: None}[n], i
    raise ValueError('tag')
fmt, path = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
if fmt == '112':
    pack, end = cbor(data)
    assert end == len(data), 'trailing bytes'
    names = {-2: 'bn', 0: 'n', 2: 'v', 3: 'vs', 4: 'vb', 8: 'vd', 'vlo': 'vlo'}
    pack = [{names[k]: v for k, v in r.items()} for r in pack]
else:
    pack = json.loads(data)
bn, out = '', []
for r in pack:
    bn = r.get('bn', bn)
    vals = [k for k in ('v', 'vs', 'vb', 'vd', 'vlo') if k in r]
    assert len(vals) == 1, r
    v = r[vals[0]]
    out.append('%s%s=%s' % (bn, r.get('n', ''), json.dumps(v)))
print('\n'.join(sorted(out)))
PY
cat > "$T/expect_srv" <<'E'
/1/0/0=7
/1/0/1=300
/1/0/6=false
/1/0/7="U"
E

listen() { # state-dir port extra...
    st=$1 port=$2; shift 2
    "$SCBOOT" bootstrap --listen "127.0.0.1:$port" --state-dir "$st" --once "$@" 2> "$st.log" &
    LPID=$!
    PIDS="$PIDS $LPID"
    sleep 0.4
}
finish_rc() { wait "$LPID"; LRC=$?; }
committed() { # state-dir -> the committed objects as canonical JSON (provenance, times left out)
    "$SCBOOT" status --state-dir "$1" --json --show-secrets 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); c=d.get("configuration", d); print(json.dumps(c.get("objects", c), sort_keys=True))'
}

# 1. the same configuration in each format: reads in every Accept format, Finish 2.04
for f in 11542 110 112; do
    PORT=$((PORT + 1))
    listen "$T/s$f" $PORT
    $C -m delete "coap://127.0.0.1:$PORT/" 2> "$T/e"
    $C -m put -t $f -f "$T/sec.$f" "coap://127.0.0.1:$PORT/0" 2>> "$T/e"
    $C -m put -t $f -f "$T/srv.$f" "coap://127.0.0.1:$PORT/1" 2>> "$T/e"
    check "written as $f: no error" '[ ! -s "$T/e" ]'
    $C -m get -A 11542 -o "$T/r$f.11542" "coap://127.0.0.1:$PORT/1" 2> "$T/e"
    check "written as $f, read /1 as TLV: the TLV scboot encode makes" '[ ! -s "$T/e" ] && cmp -s "$T/r$f.11542" "$T/srv.11542"'
    for a in 110 112; do
        $C -m get -A $a -o "$T/r$f.$a" "coap://127.0.0.1:$PORT/1" 2> "$T/e"
        python3 "$T/senml.py" $a "$T/r$f.$a" > "$T/d$f.$a" 2>&1
        check "written as $f, read /1 as $a: the server account's values" '[ ! -s "$T/e" ] && cmp -s "$T/d$f.$a" "$T/expect_srv"'
    done
    $C -m get -A 112 -o "$T/r$f.inst" "coap://127.0.0.1:$PORT/1/0" 2> "$T/e"
    python3 "$T/senml.py" 112 "$T/r$f.inst" > "$T/d$f.inst" 2>&1
    check "written as $f, read /1/0 as 112" 'cmp -s "$T/d$f.inst" "$T/expect_srv"'
    $C -m get -A 60 "coap://127.0.0.1:$PORT/1" > /dev/null 2> "$T/e"
    check "written as $f, read with Accept 60 (CBOR): 4.06" 'grep -q "4.06" "$T/e"'
    $C -m get -A 40 "coap://127.0.0.1:$PORT/" > "$T/disc" 2>&1
    check "written as $f, Discover: 1.1.1 form" 'grep -q "^</>;lwm2m=1.1,</0/1>;ssid=7;uri=" "$T/disc" && grep -q "</0/1>;ssid=7;uri=\"coap://lwm2m.example:5683\"" "$T/disc"'
    $C -m post "coap://127.0.0.1:$PORT/bs" 2> "$T/e"
    finish_rc
    check "written as $f: Finish 2.04, scboot exits 0" '[ ! -s "$T/e" ] && [ $LRC = 0 ]'
    committed "$T/s$f" > "$T/cfg$f"
done
check "TLV, SenML JSON and SenML CBOR commit the same configuration" '[ -s "$T/cfg11542" ] && grep -q "lwm2m.example:5683" "$T/cfg11542" && cmp -s "$T/cfg11542" "$T/cfg110" && cmp -s "$T/cfg11542" "$T/cfg112"'

# 2. the change request's inconsistent configuration on a --no-acl client: the same 4.06
for f in 11542 110 112; do
    PORT=$((PORT + 1))
    listen "$T/n$f" $PORT --no-acl
    $C -m put -t $f -f "$T/sec2.$f" "coap://127.0.0.1:$PORT/0" 2> "$T/e"
    $C -m put -t $f -f "$T/srv2.$f" "coap://127.0.0.1:$PORT/1" 2>> "$T/e"
    $C -m put -t $f -f "$T/acl.$f" "coap://127.0.0.1:$PORT/2" 2>> "$T/e"
    check "inconsistent, written as $f: writes accepted" '[ ! -s "$T/e" ]'
    $C -m post "coap://127.0.0.1:$PORT/bs" > "$T/diag$f" 2>&1
    kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
    check "inconsistent, written as $f: Finish 4.06 with the violations" 'grep -q "4.06" "$T/diag$f" && grep -q "acl-unsupported /2" "$T/diag$f" && grep -q "multi-server-unsupported /1" "$T/diag$f"'
    check "inconsistent, written as $f: nothing committed" '[ ! -e "$T/n$f/config.json" ]'
done
check "the same 4.06 answer for the three formats" 'cmp -s "$T/diag11542" "$T/diag110" && cmp -s "$T/diag11542" "$T/diag112"'

# 3. malformed SenML over the wire: 4.00; LwM2M CBOR and OMA JSON: 4.15; the session survives
PORT=$((PORT + 1))
listen "$T/b" $PORT
bad() { # name cf payload-file expected
    want=$4
    $C -m put -t $2 -f "$3" "coap://127.0.0.1:$PORT/1/0" 2> "$T/e"
    check "$1: $want" 'grep -q "$want" "$T/e"'
}
printf '[{"n":"/1/0/1","vs":"300"}]' > "$T/p1"; bad "SenML JSON, string for an integer" 110 "$T/p1" 4.00
printf '[{"n":"/1/0/1","v":300,"vs":"x"}]' > "$T/p2"; bad "SenML JSON, two value fields" 110 "$T/p2" 4.00
printf '[{"n":"/1/0/1","v":300,"q":1}]' > "$T/p3"; bad "SenML JSON, unknown field" 110 "$T/p3" 4.00
printf '[{"n":"/1/1/1","v":300}]' > "$T/p4"; bad "SenML JSON, record outside the path" 110 "$T/p4" 4.00
printf '[{"n":"/1/0/1","v":300}' > "$T/p5"; bad "SenML JSON, truncated" 110 "$T/p5" 4.00
printf '\232\377\377\377\377' > "$T/p6"; bad "SenML CBOR, array(2^32-1) header only" 112 "$T/p6" 4.00
printf '[{"n":"/1/0/6","v":1}]' | "$J2C" > "$T/p7"; bad "SenML CBOR, number for a boolean" 112 "$T/p7" 4.00
bad "SenML JSON sent as CBOR" 112 "$T/srv.110" 4.00
# refused although json-c lets them through: two equal keys (it keeps the last) and integers
# beyond 64 bits (it saturates them); a base version above 10 must not be used (RFC 8428 4.4);
# IDs with leading zeros
printf '[{"n":"/1/0/1","v":300,"v":301}]' > "$T/p8"; bad "SenML JSON, a key twice in a record" 110 "$T/p8" 4.00
printf '[{"n":"/1/0/1","v":-99999999999999999999999}]' > "$T/p9"; bad "SenML JSON, integer beyond 64 bits" 110 "$T/p9" 4.00
printf '[{"bver":11,"n":"/1/0/1","v":300}]' > "$T/p10"; bad "SenML JSON, bver 11" 110 "$T/p10" 4.00
printf "[{'n':'/1/0/1','v':300}]" > "$T/p11"; bad "SenML JSON, single quotes" 110 "$T/p11" 4.00
printf '[{"n":"/1/00/1","v":300}]' > "$T/p12"; bad "SenML JSON, an ID with a leading zero" 110 "$T/p12" 4.00
bad "LwM2M CBOR (11544)" 11544 "$T/srv.112" 4.15
bad "OMA JSON (11543)" 11543 "$T/srv.110" 4.15
$C -m put -t 110 -f "$T/sec.110" "coap://127.0.0.1:$PORT/0" 2> "$T/e"
$C -m put -t 112 -f "$T/srv.112" "coap://127.0.0.1:$PORT/1" 2>> "$T/e"
$C -m post "coap://127.0.0.1:$PORT/bs" 2>> "$T/e"
finish_rc
check "after the refused writes the session still provisions (2.04)" '[ ! -s "$T/e" ] && [ $LRC = 0 ]'

# 4. client-initiated provisioning in SenML, the preference announced with --pct
for f in 110 112; do
    PORT=$((PORT + 1))
    "$BS" $PORT "$T/sec.$f" "$T/srv.$f" --cf $f > "$T/bs$f.out" 2>&1 & PIDS="$PIDS $!"
    sleep 0.3
    "$SCBOOT" bootstrap --server "coap://127.0.0.1:$PORT" --endpoint gw-$f --pct $f --state-dir "$T/c$f" 2> "$T/c$f.log"
    rc=$?
    sleep 0.2
    check "client-initiated, writes in $f: pct=$f announced, PUTs and Finish 2.04" '[ $rc = 0 ] && grep -q "ep=gw-$f.*pct=$f\|pct=$f.*ep=gw-$f" "$T/bs$f.out" && grep -q "PUT /0 2.04" "$T/bs$f.out" && grep -q "PUT /1 2.04" "$T/bs$f.out" && grep -q "POST /bs 2.04" "$T/bs$f.out"'
    committed "$T/c$f" > "$T/ccfg$f"
    check "client-initiated in $f: the same configuration as the TLV session" 'cmp -s "$T/ccfg$f" "$T/cfg11542"'
done
"$SCBOOT" bootstrap --server "coap://127.0.0.1:9" --endpoint x --pct 60 --state-dir "$T/x" 2> "$T/e"
rc=$?
check "--pct of a format scboot does not decode: usage error (2)" '[ $rc = 2 ] && grep -q "pct" "$T/e"'

echo "1..$tn"
[ $fails = 0 ] || { cat "$T"/*.log >&2; exit 1; }

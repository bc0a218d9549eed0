#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_bridges.sh: Leshan BootstrapConfig JSON and Wakaama bootstrap_server .ini in and out:
# import -> check -> commit -> export -> import round trips (byte-exact images), endpoint
# choice, strict errors with their place, inconsistent imports refused with the violations
# (exit 1, nothing written), secrets exported only with --show-secrets, what a format cannot
# carry listed. No PC/SC needed.
set -u
SCBOOT=$1 DATA=$2
T=$(mktemp -d /tmp/scboot-bridges.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
L="$DATA/leshan_bootstrap.json" W="$DATA/wakaama_bootstrap.ini"
EP=urn:imei:490154203237518

# --- Leshan -------------------------------------------------------------------------------
"$SCBOOT" encode --from leshan "$L" -o "$T/x.bin" 2> "$T/err"; rc=$?
check "leshan: two endpoints and no --endpoint: exit 2 naming them" '[ $rc = 2 ] && grep -q "other-device" "$T/err" && [ ! -e "$T/x.bin" ]'
"$SCBOOT" encode --from leshan "$L" --endpoint nosuch -o "$T/x.bin" 2> "$T/err"; rc=$?
check "leshan: unknown endpoint: exit 2" '[ $rc = 2 ] && grep -q "nosuch" "$T/err"'
"$SCBOOT" encode --from leshan "$L" --endpoint "$EP" -o "$T/l1.bin" 2> "$T/err"; rc=$?
check "leshan: import of one endpoint" '[ $rc = 0 ] && [ -s "$T/l1.bin" ]'
"$SCBOOT" check "$T/l1.bin" > "$T/out"; rc=$?
check "leshan: the image checks consistent" '[ $rc = 0 ]'
"$SCBOOT" decode --json --show-secrets "$T/l1.bin" > "$T/l1.json"
py() { /usr/bin/python3 -c "import json,sys; o=json.load(open(sys.argv[1]))['objects']; r=lambda a,b,c: o[a]['instances'][b]['resources'].get(c); $2" "$1"; }
check "leshan: fields land on their resources (signed bytes, enums, ACL map, hold-off only on the BS account)" \
  'py "$T/l1.json" "assert r(\"0\",\"0\",\"5\")[\"hex\"]==\"0123456789ABCDEF\" and r(\"0\",\"1\",\"5\")[\"hex\"].endswith(\"1EFF\") and r(\"0\",\"1\",\"2\")==0 and r(\"2\",\"0\",\"2\")=={\"123\":7} and r(\"0\",\"0\",\"11\")==1 and r(\"0\",\"1\",\"11\") is None and r(\"1\",\"0\",\"5\")==86400"'
check "leshan: Leshan's empty defaults are left out (SMS mode, empty arrays and number)" 'py "$T/l1.json" "assert all(r(\"0\",i,k) is None for i in (\"0\",\"1\") for k in (\"4\",\"6\",\"7\",\"8\",\"9\"))"'
mkdir -m 700 "$T/s1"
"$SCBOOT" apply --factory "$T/l1.bin" --state-dir "$T/s1" > /dev/null 2>&1
"$SCBOOT" status --state-dir "$T/s1" --export leshan > "$T/x.json" 2> "$T/err"; rc=$?
check "leshan export without --show-secrets: refused (exit 2) naming a secret" '[ $rc = 2 ] && grep -q "/0/0/5" "$T/err" && [ ! -s "$T/x.json" ]'
"$SCBOOT" status --state-dir "$T/s1" --export leshan --show-secrets --endpoint "$EP" > "$T/l2.json"; rc=$?
check "leshan export with --show-secrets" '[ $rc = 0 ] && /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); c=d[sys.argv[2]]; assert c[\"security\"][\"1\"][\"securityMode\"]==\"PSK\" and c[\"servers\"][\"0\"][\"shortId\"]==123 and c[\"acls\"][\"0\"][\"acls\"][\"123\"]==7" "$T/l2.json" "$EP"'
"$SCBOOT" encode --from leshan "$T/l2.json" --endpoint "$EP" -o "$T/l2.bin" 2>/dev/null
check "leshan round trip import -> commit -> export -> import: byte-exact image" 'cmp -s "$T/l1.bin" "$T/l2.bin"'
"$SCBOOT" status --state-dir "$T/s1" --export leshan --show-secrets > "$T/single.json"
"$SCBOOT" encode --from leshan - -o - < "$T/single.json" > "$T/l3.bin" 2>/dev/null
check "leshan: one BootstrapConfig (no endpoint map), stdin to stdout" 'cmp -s "$T/l1.bin" "$T/l3.bin"'
"$SCBOOT" encode --from leshan "$L" --endpoint other-device -o "$T/o.bin" 2>/dev/null
mkdir -m 700 "$T/s2"; "$SCBOOT" apply --factory "$T/o.bin" --state-dir "$T/s2" > /dev/null 2>&1
"$SCBOOT" status --state-dir "$T/s2" --export leshan > "$T/o.json"; rc=$?
check "leshan export of a configuration without secrets needs no --show-secrets" '[ $rc = 0 ] && grep -q "\"binding\": \"UQ\"" "$T/o.json"'

# a key with a newline and a terminal escape: err stays one line without control characters
printf '{"servers": {"1\\nscboot: all good\\u001b[2J": {"shortId": 5}}}' > "$T/nl.json"
"$SCBOOT" encode --from leshan "$T/nl.json" -o "$T/nl.bin" 2> "$T/err"; rc=$?
check "leshan: a key with a newline or an escape character cannot forge lines in err" '[ $rc = 4 ] && [ "$(wc -l < "$T/err")" = 1 ] && ! grep -q "$(printf "\033")" "$T/err" && [ ! -e "$T/nl.bin" ]'

printf '{"servers": {"1": {"shortId": 5}}, "security": {"1": {"uri": "coap://dm.example.com", "securityMode": "NO_SEC", "serverId": 5}}}' > "$T/d.json"
"$SCBOOT" encode --from leshan "$T/d.json" -o "$T/d.bin" 2>/dev/null; rc=$?
"$SCBOOT" decode --json "$T/d.bin" > "$T/d.out"
check "leshan: a field left out takes Leshan's default (lifetime 86400, minimum period 1, storing true, binding U)" '[ $rc = 0 ] && py "$T/d.out" "assert r(\"1\",\"1\",\"1\")==86400 and r(\"1\",\"1\",\"2\")==1 and r(\"1\",\"1\",\"6\") is True and r(\"1\",\"1\",\"7\")==\"U\" and r(\"0\",\"1\",\"1\") is False"'

# strict errors, with the place
bad() { printf '%s' "$1" > "$T/bad.json"; "$SCBOOT" encode --from leshan "$T/bad.json" -o "$T/bad.bin" 2> "$T/err"; }
bad '{"security": {"1": {"uri": "coap://x", "securityMode": "NOSEC"}}}'; rc=$?
check "leshan: a bad enum: exit 4, the path and the allowed names" '[ $rc = 4 ] && grep -q "security/1/securityMode: expected PSK, RPK, X509, NO_SEC or EST" "$T/err" && [ ! -e "$T/bad.bin" ]'
bad '{"servers": {"1": {"shortId": 1, "lifetime": 60, "colour": "red"}}}'; rc=$?
check "leshan: an unknown field: exit 4 naming it" '[ $rc = 4 ] && grep -q "servers/1/colour: unknown field" "$T/err"'
bad '{"security": {"1": {"uri": "coap://x", "secretKey": [1, 300]}}}'; rc=$?
check "leshan: a byte out of range" '[ $rc = 4 ] && grep -q "secretKey\[1\]: 300 is not a byte" "$T/err"'
bad '{"security": {"70000": {"uri": "coap://x"}}}'; rc=$?
check "leshan: an instance ID out of range" '[ $rc = 4 ] && grep -q "70000" "$T/err"'
bad '{"servers": {}} trailing'; rc=$?
check "leshan: trailing garbage is not JSON" '[ $rc = 4 ] && grep -q "not valid JSON: unexpected character at offset 16" "$T/err"'
printf '{"security": {"1": {"uri": "coap\324://x", "securityMode": "NO_SEC"}}}' > "$T/bad.json"
"$SCBOOT" encode --from leshan "$T/bad.json" -o "$T/bad.bin" 2> "$T/err"; rc=$?
check "leshan: a string that is not UTF-8 is refused (found by fuzzing)" '[ $rc = 4 ] && grep -q "invalid utf-8" "$T/err" && [ ! -e "$T/bad.bin" ]'
printf '{"security": {"1": {"uri": "coap://x", "securityMode": "NO_SEC", "serverSmsNumber": "1\300\274"}}}' > "$T/bad.json"
"$SCBOOT" encode --from leshan "$T/bad.json" -o "$T/bad.bin" 2> "$T/err"; rc=$?
check "leshan: an overlong UTF-8 form (json-c lets it through) is refused naming the field" '[ $rc = 4 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "not well-formed UTF-8 (at /security/1/serverSmsNumber)" "$T/err"'
printf '%s' '{"servers": {"1": {"shortId": 5}}, "security": {"1": {"uri": "coap://dm.example.com\u0000.evil:5683", "securityMode": "NO_SEC", "serverId": 5}}}' > "$T/bad.json"
rm -f "$T/bad.bin"; "$SCBOOT" encode --from leshan "$T/bad.json" -o "$T/bad.bin" 2> "$T/err"; rc=$?
check "leshan: a NUL escape in a string is refused, not cut short in silence" '[ $rc = 4 ] && grep -q "security/1/uri: NUL character in string" "$T/err" && [ ! -e "$T/bad.bin" ]'
printf '{"security": {"0": {"uri": "coap://a.example", "uri": "coaps://evil.example", "bootstrapServer": true, "securityMode": "NO_SEC"}}, "servers": {}}' > "$T/dup.json"
"$SCBOOT" encode --from leshan "$T/dup.json" -o "$T/dup.bin" > /dev/null 2> "$T/err"; rc=$?
check "leshan: a key given twice in one object is refused (json-c keeps one, another reader the other), nothing written" '[ $rc = 4 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "a key appears twice in one object" "$T/err" && [ ! -e "$T/dup.bin" ]'
printf '{"a\\"b": {"security": {"0": {"uri": "coap://x", "bootstrapServer": true, "securityMode": "NO_SEC"}}, "servers": {}}, "c\\\\": {"toDelete": [":"]}}' > "$T/esc.json"
"$SCBOOT" encode --from leshan "$T/esc.json" -o "$T/esc.bin" > /dev/null 2> "$T/err"; rc=$?
check "leshan: escaped quotes and colons in keys and strings are not taken for duplicates" '[ $rc = 2 ] && grep -q "choose one with --endpoint" "$T/err"'
rm -f "$T/bad.bin"
# inconsistent: the server account's SSID matches no Server instance
bad '{"security": {"1": {"uri": "coap://dm.example.com", "bootstrapServer": false, "securityMode": "NO_SEC", "serverId": 5}}, "servers": {"1": {"shortId": 6, "lifetime": 60, "binding": "U"}}}'; rc=$?
check "leshan: an inconsistent configuration is refused with its violations, exit 1, nothing written" '[ $rc = 1 ] && grep -q "^error" "$T/err" && grep -q "nothing written" "$T/err" && [ ! -e "$T/bad.bin" ]'

# --- Wakaama ------------------------------------------------------------------------------
"$SCBOOT" encode --from wakaama "$W" -o "$T/w1.bin" 2> "$T/err"; rc=$?
check "wakaama: the default [Endpoint]" '[ $rc = 0 ]'
"$SCBOOT" decode --json --show-secrets "$T/w1.bin" > "$T/w1.json"
check "wakaama: [Server] keys land on /0 and /1 (id = instance = SSID, NotificationStoring false, binding U, 1.1 keys)" \
  'py "$T/w1.json" "assert r(\"0\",\"3\",\"5\")[\"hex\"]==\"4F7572536563726574\" and r(\"0\",\"3\",\"10\")==3 and r(\"1\",\"3\",\"13\")==1 and r(\"1\",\"3\",\"16\") is True and r(\"1\",\"1\",\"7\")==\"U\" and r(\"1\",\"1\",\"6\") is False and \"9\" not in o[\"0\"][\"instances\"]"'
"$SCBOOT" encode --from wakaama "$W" --endpoint testlwm2mclient -o "$T/w2.bin" 2> "$T/err"; rc=$?
"$SCBOOT" decode "$T/w2.bin" > "$T/w2.txt"
check "wakaama: a named [Endpoint]: its Deletes and Servers in order" '[ $rc = 0 ] && grep -q "bs.localhost" "$T/w2.txt" && ! grep -q "coap://localhost:5683" "$T/w2.txt" && grep -q "bs-account-ssid" "$T/err"'
mkdir -m 700 "$T/s3"; "$SCBOOT" apply --factory "$T/w1.bin" --state-dir "$T/s3" > /dev/null 2>&1
"$SCBOOT" status --state-dir "$T/s3" --export wakaama --show-secrets > "$T/w3.ini" 2> "$T/err"; rc=$?
check "wakaama export" '[ $rc = 0 ] && grep -q "^\[Server\]" "$T/w3.ini" && grep -q "^secret=4F7572536563726574$" "$T/w3.ini" && grep -q "^Server=3$" "$T/w3.ini"'
"$SCBOOT" encode --from wakaama "$T/w3.ini" -o "$T/w3.bin" 2>/dev/null
check "wakaama round trip import -> commit -> export -> import: byte-exact image" 'cmp -s "$T/w1.bin" "$T/w3.bin"'
"$SCBOOT" status --state-dir "$T/s1" --export wakaama --show-secrets > "$T/lw.ini" 2> "$T/err"; rc=$?
check "wakaama export of the Leshan configuration lists what the format cannot carry" '[ $rc = 0 ] && grep -q "/2" "$T/err" && grep -q "^# not expressible in this format:" "$T/lw.ini"'
"$SCBOOT" encode --from wakaama "$T/lw.ini" -o "$T/lw.bin" 2>/dev/null; rc=$?
check "... and that export imports again" '[ $rc = 0 ]'
"$SCBOOT" status --state-dir "$T/s3" --export wakaama --show-secrets --endpoint "$(printf 'ep\n[Server]\nid=5')" > "$T/inj.ini" 2> "$T/err"; rc=$?
check "wakaama export: an --endpoint with a line break is refused (it would write sections of its own), exit 2, nothing on stdout" '[ $rc = 2 ] && [ ! -s "$T/inj.ini" ] && grep -q -- "a control character (byte 2) in the endpoint name" "$T/err"'
"$SCBOOT" status --state-dir "$T/s3" --export wakaama --show-secrets --endpoint "dev 1" > "$T/ep.ini" 2> "$T/err" &&
    "$SCBOOT" encode --from wakaama "$T/ep.ini" --endpoint "dev 1" -o "$T/ep.bin" 2> "$T/err"; rc=$?
check "wakaama export --endpoint 'dev 1': Name= reads back (import --endpoint finds it, same image)" '[ $rc = 0 ] && grep -q "^Name=dev 1$" "$T/ep.ini" && cmp -s "$T/ep.bin" "$T/w1.bin"'
"$SCBOOT" status --state-dir "$T/s3" --export wakaama > /dev/null 2> "$T/err"; rc=$?
check "wakaama export without --show-secrets: refused" '[ $rc = 2 ] && grep -q "holds secrets" "$T/err"'

wbad() { printf "$1" > "$T/bad.ini"; rm -f "$T/bad.bin"; "$SCBOOT" encode --from wakaama "$T/bad.ini" -o "$T/bad.bin" 2> "$T/err"; }
wbad '[Server]\nid=1\nuri=coap://a\nsecurity=NoSec\ncolour=red\n[Endpoint]\nServer=1\n'; rc=$?
check "wakaama: an unknown key: exit 4 with its line" '[ $rc = 4 ] && grep -q "line 5: \[Server\]: unknown key .colour." "$T/err"'
wbad '[Server]\nid=1\nuri=coap://a\nsecurity=NoSec\n[Endpoint]\nServer=2\n'; rc=$?
check "wakaama: Server= naming no [Server]" '[ $rc = 4 ] && grep -q "line 6: Server=2: no \[Server\]" "$T/err"'
wbad '[Server]\nid=1\nuri=coaps://a\nsecurity=PSK\npublic=6162\n[Endpoint]\nServer=1\n'; rc=$?
check "wakaama: PSK without secret" '[ $rc = 4 ] && grep -q "needs public and secret" "$T/err"'
wbad '[Server]\nid=1\nuri=coaps://a\nsecurity=PSK\npublic=616\nsecret=00\n[Endpoint]\nServer=1\n'; rc=$?
check "wakaama: odd hex" '[ $rc = 4 ] && grep -q "line 5: public: expected an even number of hex digits" "$T/err"'
wbad '[Server]\nid=0\n'; rc=$?
check "wakaama: id 0" '[ $rc = 4 ] && grep -q "line 2: id:" "$T/err"'
wbad '[Server]\nid=1\nuri=coap\324://a\nsecurity=NoSec\n[Endpoint]\nServer=1\n'; rc=$?
check "wakaama: a uri that is not UTF-8" '[ $rc = 4 ] && grep -q "line 3: uri: not UTF-8" "$T/err"'
wbad '[Endpoint]\nDelete=/\n'; rc=$?
check "wakaama: an [Endpoint] that only deletes: an empty configuration, refused by the validator" '[ $rc = 1 ] && grep -q server-account-missing "$T/err"'
wbad '[Servers]\n'; rc=$?
check "wakaama: an unknown section" '[ $rc = 4 ] && grep -q "unknown section" "$T/err"'
wbad '[Server]\nid=1\nuri=coap://a\nsecurity=NoSec\n[Endpoint]\nServer=1\n[Endpoint]\nServer=1\n'; rc=$?
check "wakaama: two default [Endpoint]s" '[ $rc = 4 ] && grep -q "already described on line 5" "$T/err"'
wbad '[Server]\nid=1\nuri=coap://a\nsecurity=NoSec\nlifetime=60\n[Endpoint]\nServer=1\n'; rc=$?
check "wakaama: a server account without Access Control is fine alone" '[ $rc = 0 ]'
wbad '[Server]\nid=1\nuri=coap://a\nsecurity=NoSec\nlifetime=60\n[Server]\nid=2\nuri=coap://b\nsecurity=NoSec\nlifetime=60\n[Endpoint]\nServer=1\nServer=2\n'; rc=$?
rm -f "$T/bad.bin"; "$SCBOOT" encode --from wakaama --no-acl "$T/bad.ini" -o "$T/bad.bin" 2> "$T/err"; rc=$?
check "wakaama: two servers for a single-server client (--no-acl): refused, exit 1" '[ $rc = 1 ] && grep -q "multi-server-unsupported" "$T/err" && [ ! -e "$T/bad.bin" ]'
"$SCBOOT" encode --from nosuch "$W" -o "$T/x.bin" 2> "$T/err"; rc=$?
check "--from nosuch: says which formats exist" '[ $rc = 2 ] && grep -q "must be leshan or wakaama" "$T/err"'
"$SCBOOT" status --state-dir "$T/s3" --export nosuch > /dev/null 2> "$T/err"; rc=$?
check "--export nosuch: says which formats exist" '[ $rc = 2 ] && grep -q "must be leshan or wakaama" "$T/err"'

echo "1..$tn"
[ $fails = 0 ]

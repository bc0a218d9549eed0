#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_watch_nocoap.sh: `scboot watch` built without network bootstrap (-Dcoap=disabled): the
# daemon says once at start-up that network bootstrap is not built, runs no retries and gives
# the hook no network-failed events; --listen (or the file's listen =) is a usage error that
# says why. Runs only in that build. Every wait is bounded; only our own processes are stopped.
set -u
SCBOOT=$1 DATA=$2
T=$(mktemp -d /tmp/scboot-nocoap.XXXXXX)
W=""
trap '[ -n "$W" ] && kill "$W" 2>/dev/null; rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }

timeout 20 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/s1" --listen 5683 > /dev/null 2> "$T/err"; rc=$?
check "--listen: usage error (exit 2), one line saying network bootstrap is not built" \
    '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "listen .5683.: network bootstrap is not built into this scboot" "$T/err"'
printf 'listen = 5683\n' > "$T/scboot.conf"; chmod 0600 "$T/scboot.conf"
timeout 20 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/s2" --config "$T/scboot.conf" > /dev/null 2> "$T/err"; rc=$?
check "the file's listen =: usage error (exit 2)" '[ $rc = 2 ] && grep -q "not built" "$T/err"'

# a card with no server account and an endpoint name: a client-initiated bootstrap would be
# due; without network bootstrap it is said once and never retried or reported as failed
"$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/s3" --endpoint ep1 \
    --exec "echo \$SCBOOT_EVENT >> '$T/ev'" 2> "$T/log" &
W=$!
n=0
while [ $n -lt 100 ] && ! grep -q "hook exit" "$T/log" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
sleep 1
check "--endpoint: the daemon keeps running" 'kill -0 "$W" 2>/dev/null'
kill "$W"; wait "$W" 2>/dev/null; W=""
check "said once: network bootstrap is not built" \
    '[ "$(grep -c "network bootstrap is not built" "$T/log")" = 1 ] || { cat "$T/log" >&2; false; }'
check "no network bootstrap failure logged" '! grep -q "network bootstrap failed" "$T/log"'
check "the hook had no network event" \
    '[ -s "$T/ev" ] && ! grep -q "network" "$T/ev" || { cat "$T/ev" >&2; false; }'
echo "1..$tn"
[ $fails = 0 ]

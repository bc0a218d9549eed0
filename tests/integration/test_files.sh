#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_files.sh: files and state on disk, as an unlucky operator and an attacker meet them:
# secret-bearing outputs 0600 whatever the umask, a damaged or hostile store, state directory
# rules, PIN files, messages and exit codes for files that cannot be read or written (one
# line each). No PC/SC needed (virtual cards); the full-disk cases are in test_disk.sh.
set -u
SCBOOT=$1 DATA=$2
case $SCBOOT in /*) ;; *) SCBOOT=$PWD/$SCBOOT ;; esac # the tests change directory
T=$(mktemp -d /tmp/scboot-files.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
mode() { stat -c %a "$1"; }
lines() { wc -l < "$1" | tr -d ' '; }

# ---- secrets at rest: 0600 whatever the umask, whether or not the file existed -------------
umask 000
"$SCBOOT" decode --json --show-secrets "$DATA/anjay_ef126.bin" > "$T/a.json"
"$SCBOOT" encode "$T/a.json" -o "$T/new.bin" 2>/dev/null; rc=$?
check "encode -o under umask 000: a new file is 0600" '[ $rc = 0 ] && [ "$(mode "$T/new.bin")" = 600 ] && cmp -s "$T/new.bin" "$DATA/anjay_ef126.bin"'
printf 'old' > "$T/old.bin"; chmod 644 "$T/old.bin"
"$SCBOOT" encode "$T/a.json" -o "$T/old.bin" 2>/dev/null; rc=$?
check "encode -o over an existing 0644 file: now 0600 with the new bytes" '[ $rc = 0 ] && [ "$(mode "$T/old.bin")" = 600 ] && cmp -s "$T/old.bin" "$DATA/anjay_ef126.bin"'
printf 'old' > "$T/raw.bin"; chmod 666 "$T/raw.bin"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --raw "$T/raw.bin" > /dev/null 2>&1; rc=$?
check "dump --raw over an existing 0666 file: now 0600" '[ $rc = 0 ] && [ "$(mode "$T/raw.bin")" = 600 ] && cmp -s "$T/raw.bin" "$DATA/anjay_ef126.bin"'
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --raw "$T/raw2.bin" > /dev/null 2>&1
check "dump --raw under umask 000: a new file is 0600" '[ "$(mode "$T/raw2.bin")" = 600 ]'
printf 'x' > "$T/trace"; chmod 644 "$T/trace"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --show-secrets --trace "$T/trace" > /dev/null 2>&1
check "--trace (secrets shown) over a 0644 file: now 0600" '[ "$(mode "$T/trace")" = 600 ] && grep -q "^> " "$T/trace"'
printf 'precious' > "$T/trtarget"; chmod 644 "$T/trtarget"; ln -s "$T/trtarget" "$T/trlink"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --show-secrets --trace "$T/trlink" > /dev/null 2> "$T/err"; rc=$?
check "--trace onto a symbolic link: refused (exit 5, one line), nothing written through it" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "symbolic link" "$T/err" && [ "$(cat "$T/trtarget")" = precious ] && [ -L "$T/trlink" ]'
printf 'precious' > "$T/trhard"; chmod 644 "$T/trhard"; ln "$T/trhard" "$T/trhard2"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --trace "$T/trhard2" > /dev/null 2>&1; rc=$?
check "--trace onto a hard link: a new 0600 file replaces the name, the other name keeps its bytes" '[ $rc = 0 ] && [ "$(mode "$T/trhard2")" = 600 ] && grep -q "^> " "$T/trhard2" && [ "$(cat "$T/trhard")" = precious ]'
if [ "$(id -u)" = 0 ]; then
    printf 'theirs' > "$T/trnob"; chmod 666 "$T/trnob"; chown nobody "$T/trnob"
    "$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --trace "$T/trnob" > /dev/null 2>&1; rc=$?
    check "--trace over a file of another user: replaced by a 0600 file of ours" '[ $rc = 0 ] && [ "$(stat -c %u:%a "$T/trnob")" = 0:600 ] && grep -q "^> " "$T/trnob"'
fi
if [ "$(id -u)" = 0 ]; then
    # a FIFO planted under the output's name in a sticky directory by another user: its maker
    # would read every byte (the secret image, a trace with --show-secrets)
    SD=$(mktemp -d /tmp/scboot-sticky.XXXXXX); chmod 1777 "$SD"
    trap 'rm -rf "$T" "$SD"' EXIT
    setpriv --reuid 65534 --regid 65534 --clear-groups mkfifo "$SD/out.bin"
    setpriv --reuid 65534 --regid 65534 --clear-groups sh -c "timeout 5 cat '$SD/out.bin' > /dev/null" 2>/dev/null &
    FPID=$!
    timeout 10 "$SCBOOT" encode "$T/a.json" -o "$SD/out.bin" > /dev/null 2> "$T/err"; rc=$?
    check "encode -o onto another user's FIFO in a sticky directory: refused, exit 5, not opened" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "a pipe of uid 65534" "$T/err" && [ -p "$SD/out.bin" ]'
    timeout 10 "$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin 1234 --show-secrets --trace "$SD/out.bin" > /dev/null 2> "$T/err"; rc=$?
    check "--trace onto another user's FIFO: refused, exit 5" '[ $rc = 5 ] && grep -q "a pipe of uid 65534" "$T/err"'
    kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null
    rm -rf "$SD"
    mkfifo "$T/ourfifo"
    (timeout 10 cat "$T/ourfifo" > "$T/fromfifo") &
    FPID=$!
    timeout 10 "$SCBOOT" encode "$T/a.json" -o "$T/ourfifo" > /dev/null 2>&1; rc=$?
    wait "$FPID"
    check "encode -o onto a FIFO of our own: written through it" '[ $rc = 0 ] && cmp -s "$T/fromfifo" "$DATA/anjay_ef126.bin"'
    rm -f "$T/ourfifo" "$T/fromfifo"
fi
LONG=$(printf '%0250d' 0)
"$SCBOOT" encode "$T/a.json" -o "$T/$LONG" > /dev/null 2>&1; rc=$?
check "encode -o a 250-byte file name: written 0600 (the temporary name stays within NAME_MAX)" '[ $rc = 0 ] && [ "$(mode "$T/$LONG")" = 600 ]'
rm -f "$T/$LONG"
"$SCBOOT" encode "$T/a.json" -o - > "$T/stdout.bin" 2>/dev/null; rc=$?
check "encode -o - writes to stdout" '[ $rc = 0 ] && cmp -s "$T/stdout.bin" "$DATA/anjay_ef126.bin"'
"$SCBOOT" encode "$T/a.json" -o /dev/null 2>/dev/null; rc=$?
check "encode -o /dev/null writes to the device and leaves it alone" '[ $rc = 0 ] && [ -c /dev/null ]'
printf 'precious' > "$T/target"; chmod 644 "$T/target"; ln -s "$T/target" "$T/link.bin"
"$SCBOOT" encode "$T/a.json" -o "$T/link.bin" 2> "$T/err"; rc=$?
check "encode -o onto a symbolic link: refused (exit 5, one line), nothing written through it" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "symbolic link" "$T/err" && [ "$(cat "$T/target")" = precious ] && [ -L "$T/link.bin" ]'
"$SCBOOT" apply --factory "$DATA/anjay_ef126.bin" --state-dir "$T/st" > /dev/null 2>&1
check "store under umask 000: dir 0700, config.json 0600, lock 0600" '[ "$(mode "$T/st")" = 700 ] && [ "$(mode "$T/st/config.json")" = 600 ] && [ "$(mode "$T/st/lock")" = 600 ]'
check "no temporary file left behind by the writers" '[ -z "$(ls -A "$T" | grep "^\.")" ]'
umask 022

# ---- every output path of every subcommand, under umask 022 -----------------------------------
# @OUT@ is the output; each one is checked as a new file, over an existing 0644 file and as a
# symbolic link (refused, exit 5, the link and its target untouched).
umask 022
"$SCBOOT" decode --json --show-secrets "$DATA/anjay_ef126.bin" > "$T/o.json"
V="virtual:$DATA/standard.json" PV="virtual:$DATA/pin.json"
n=0
while IFS='|' read -r name cmd; do
    [ -n "$name" ] || continue
    n=$((n + 1)); o="$T/out$n"
    run() { c=$(printf '%s' "$cmd" | sed "s#@OUT@#$1#g; s#@ST@#$T/ost$n#g"); timeout 60 sh -c "$c" > /dev/null 2> "$T/err"; }
    run "$o.new"; rc=$?
    check "$name: a new file is 0600 under umask 022" '[ $rc = 0 ] && [ "$(mode "$o.new")" = 600 ] && [ -s "$o.new" ]'
    printf 'old' > "$o.old"; chmod 644 "$o.old"
    run "$o.old"; rc=$?
    check "$name: over an existing 0644 file: replaced by a 0600 one" '[ $rc = 0 ] && [ "$(mode "$o.old")" = 600 ] && [ "$(cat "$o.old")" != old ]'
    printf 'precious' > "$o.target"; chmod 644 "$o.target"; ln -s "$o.target" "$o.link"
    run "$o.link"; rc=$?
    check "$name: onto a symbolic link: refused (exit 5), nothing written through it" '[ $rc = 5 ] && grep -q "symbolic link" "$T/err" && [ -L "$o.link" ] && [ "$(cat "$o.target")" = precious ] && [ "$(mode "$o.target")" = 644 ]'
done <<EOF
encode -o|"$SCBOOT" encode "$T/o.json" -o @OUT@
encode --from wakaama -o|"$SCBOOT" encode --from wakaama "$DATA/wakaama_bootstrap.ini" -o @OUT@
encode --from leshan -o|"$SCBOOT" encode --from leshan --endpoint other-device "$DATA/leshan_bootstrap.json" -o @OUT@
dump --raw|"$SCBOOT" dump -r "$PV" --pin 1234 --raw @OUT@
dump --trace|"$SCBOOT" dump -r "$PV" --pin 1234 --show-secrets --trace @OUT@
check -r --trace|"$SCBOOT" check -r "$V" --trace @OUT@
apply -r --trace|"$SCBOOT" apply -r "$V" --state-dir @ST@ --trace @OUT@
apdu --trace|"$SCBOOT" apdu -r "$V" --trace @OUT@ 00A40004023F00
readers --trace|"$SCBOOT" readers -r "$V" --trace @OUT@
EOF
check "no temporary file left behind by the output writers" '[ -z "$(ls -A "$T" | grep "^\.")" ]'

# ---- PIN files: every command that takes --pin takes --pin-file -----------------------------
PINCARD="virtual:$DATA/pin.json"
printf '1234\n' > "$T/pin"; chmod 600 "$T/pin"
"$SCBOOT" dump -r "$PINCARD" --pin-file "$T/pin" > "$T/out" 2> "$T/err"; rc=$?
check "dump --pin-file reads the PIN-protected card" '[ $rc = 0 ] && grep -q "PIN verified" "$T/out"'
"$SCBOOT" check -r "$PINCARD" --pin-file "$T/pin" > "$T/out" 2> "$T/err"; rc=$?
check "check -r --pin-file" '[ $rc = 0 ] && grep -q "^consistent" "$T/out"'
"$SCBOOT" apply -r "$PINCARD" --pin-file "$T/pin" --state-dir "$T/pa" > "$T/out" 2> "$T/err"; rc=$?
check "apply --pin-file: the card applied and committed" '[ $rc = 0 ] && grep -q "^card: applied" "$T/out" && "$SCBOOT" status --state-dir "$T/pa" | grep -q "/0/1  card"'
timeout 60 "$SCBOOT" bootstrap --server coap://127.0.0.1:9 --endpoint pinfile --exchange-lifetime 1 \
    -r "$PINCARD" --pin-file "$T/pin" --state-dir "$T/pb" > /dev/null 2> "$T/err"
check "bootstrap --pin-file: the smartcard step before the network one read the card" '"$SCBOOT" status --state-dir "$T/pb" | grep -q "/0/1  card" && grep -q "card applied" "$T/err"'
printf '1234\r\nsecond line\n' > "$T/pin2"; chmod 600 "$T/pin2"
"$SCBOOT" dump -r "$PINCARD" --pin-file "$T/pin2" > /dev/null 2>&1; rc=$?
check "--pin-file: the first line, CR LF stripped" '[ $rc = 0 ]'
printf '9999\n' > "$T/pinbad"; chmod 600 "$T/pinbad"
"$SCBOOT" check -r "$PINCARD" --pin-file "$T/pinbad" > /dev/null 2> "$T/err"; rc=$?
check "--pin-file with a wrong PIN: exit 3, wrong PIN" '[ $rc = 3 ] && grep -q "wrong PIN" "$T/err"'
printf '1234\n' > "$T/pin644"; chmod 644 "$T/pin644"
ln -s "$T/pin" "$T/pinlink"
: > "$T/pinempty"; chmod 600 "$T/pinempty"
for c in "dump -r $PINCARD" "check -r $PINCARD" "apply -r $PINCARD --state-dir $T/pc" "bootstrap --server coap://127.0.0.1:9 --endpoint x -r $PINCARD --state-dir $T/pd" "watch -r $PINCARD --state-dir $T/pe"; do
    n=${c%% *}
    "$SCBOOT" $c --pin-file "$T/pin644" > /dev/null 2> "$T/err"; rc=$?
    check "$n --pin-file of mode 644: refused, exit 5, one line saying chmod 600" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "mode 644); chmod 600" "$T/err"'
    "$SCBOOT" $c --pin-file "$T/nopin" > /dev/null 2> "$T/err"; rc=$?
    check "$n --pin-file missing: exit 5, one line naming the file" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "cannot read $T/nopin: No such file or directory" "$T/err"'
    "$SCBOOT" $c --pin-file "$T/pinlink" > /dev/null 2> "$T/err"; rc=$?
    check "$n --pin-file a symbolic link: refused, exit 5" '[ $rc = 5 ] && grep -q "symbolic link" "$T/err"'
    "$SCBOOT" $c --pin-file "$T/pinempty" > /dev/null 2> "$T/err"; rc=$?
    check "$n --pin-file empty: exit 4, one line" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "first line" "$T/err"'
done

# ---- a damaged or hostile store: one line, exit 4, never a crash ------------------------------
mkdir -m 700 "$T/dmg"
for body in '{"format": null}' '{"format": "scboot-store-1", "objects": {}, "generation": "x"}' '[]' '{"format": "scboot-store-1"' ''; do
    printf '%s' "$body" > "$T/dmg/config.json"
    for c in "status" "apply --no-card --factory $DATA/nrf_ef58.bin" "apply -r virtual:$DATA/standard.json" "bootstrap --server coap://127.0.0.1:9 --endpoint x"; do
        n=${c%% *}
        timeout 30 "$SCBOOT" $c --state-dir "$T/dmg" > /dev/null 2> "$T/err"; rc=$?
        check "$n on a store holding '$body': exit 4, one line 'damaged store: PATH: what'" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "damaged store: $T/dmg/config.json: ." "$T/err"'
    done
done
echo null > "$T/dmg/config.json"
"$SCBOOT" status --state-dir "$T/dmg" > /dev/null 2> "$T/err"; rc=$?
check "a store holding the JSON document null: exit 4, says it is no object (never an errno of 0)" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "config.json: not a JSON object$" "$T/err" && ! grep -qi "success" "$T/err"'
: > "$T/dmg/config.json"
mkdir -m 700 "$T/d"; printf '{"format": null}' > "$T/d/config.json"
(cd "$T" && "$SCBOOT" status --state-dir d > /dev/null 2> "$T/err"); rc=$?
check "a one-letter relative state dir: the message names d/config.json (was 'dconfig.json')" '[ $rc = 4 ] && grep -q "damaged store: d/config.json: " "$T/err"'
check "the damaged store is left as it was" '[ -z "$(cat "$T/dmg/config.json")" ]'
rm -f "$T/dmg/config.json"; printf 'x' > "$T/elsewhere"; ln -s "$T/elsewhere" "$T/dmg/config.json"
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/dmg" > /dev/null 2> "$T/err"; rc=$?
check "a symbolic link as the store file: refused, exit 5, nothing written through it" '[ $rc = 5 ] && grep -q "symbolic link" "$T/err" && [ "$(cat "$T/elsewhere")" = x ]'

# ---- the state directory: never re-moded, refused with why and how ---------------------------
mkdir "$T/shared"; chmod 1777 "$T/shared"
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/shared" > /dev/null 2> "$T/err"; rc=$?
check "--state-dir of mode 1777 (/tmp-like): refused, exit 5, one line saying why" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "writable by others (mode 1777" "$T/err" && grep -q "mkdir -m 700" "$T/err"'
check "... and its mode (sticky bit included) unchanged, nothing created in it" '[ "$(mode "$T/shared")" = 1777 ] && [ -z "$(ls -A "$T/shared")" ]'
"$SCBOOT" status --state-dir "$T/shared" > /dev/null 2> "$T/err"; rc=$?
check "status refuses it too" '[ $rc = 5 ] && grep -q "writable by others" "$T/err"'
mkdir -m 700 "$T/realst"; ln -s "$T/realst" "$T/linkst"
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/linkst" > /dev/null 2> "$T/err"; rc=$?
check "--state-dir a symbolic link: refused, exit 5" '[ $rc = 5 ] && grep -q "is a symbolic link" "$T/err" && [ -z "$(ls -A "$T/realst")" ]'
mkdir -m 770 "$T/grp"
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/grp" > /dev/null 2> "$T/err"; rc=$?
check "--state-dir writable by group: refused, exit 5, says chmod go-w" '[ $rc = 5 ] && grep -q "chmod go-w" "$T/err" && [ "$(mode "$T/grp")" = 770 ]'
if [ "$(id -u)" = 0 ]; then
    mkdir -m 700 "$T/nob"; chown nobody "$T/nob"
    "$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/nob" > /dev/null 2> "$T/err"; rc=$?
    check "--state-dir owned by nobody (we are root): refused, exit 5, owner unchanged" '[ $rc = 5 ] && grep -q "belongs to uid" "$T/err" && [ "$(stat -c %U "$T/nob")" = nobody ]'
fi
(umask 000; "$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/fresh" > /dev/null 2>&1)
check "a missing state dir is created 0700 under umask 000" '[ "$(mode "$T/fresh")" = 700 ] && [ "$(mode "$T/fresh/config.json")" = 600 ]'

# ---- bootstrap holds the state directory's lock for its whole run (doc/gateway.md, scboot(1))
mkdir -m 700 "$T/lk"
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/lk" > /dev/null 2>&1
if "$SCBOOT" bootstrap --help > /dev/null 2>&1; then # built with libcoap
LPORT=$((20000 + $$ % 20000))
"$SCBOOT" bootstrap --listen "127.0.0.1:$LPORT" --state-dir "$T/lk" > /dev/null 2>&1 &
LPID=$!
sleep 1
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/lk" > /dev/null 2> "$T/err"; rc=$?
check "apply while bootstrap --listen waits on the same directory: exit 5, locked" '[ $rc = 5 ] && grep -q "locked by another scboot process" "$T/err"'
timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/lk" > /dev/null 2> "$T/err"; rc=$?
check "watch while bootstrap --listen waits on the same directory: exit 5, locked" '[ $rc = 5 ] && grep -q "locked by another scboot process" "$T/err"'
"$SCBOOT" status --state-dir "$T/lk" > /dev/null 2>&1; rc=$?
check "status meanwhile: reads without the lock" '[ $rc = 0 ]'
kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/lk" > /dev/null 2>&1; rc=$?
check "apply once the listener is gone: works" '[ $rc = 0 ]'
fi

# ---- messages and exit codes: files that cannot be read, one line each, exit 5 ---------------
printf '{}' > "$T/prof.json"
missing() { # $1 = description, rest = the command; the missing file is $T/missing
    d=$1; shift
    timeout 30 "$@" > /dev/null 2> "$T/err"; rc=$?
    check "$d: exit 5, one line 'cannot read FILE: No such file or directory'" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "cannot read $T/missing: No such file or directory" "$T/err"'
}
missing "decode of a missing file" "$SCBOOT" decode "$T/missing"
missing "encode of a missing file" "$SCBOOT" encode "$T/missing" -o "$T/x.bin"
missing "check of a missing file" "$SCBOOT" check "$T/missing"
missing "check --profile missing" "$SCBOOT" check --profile "$T/missing" "$DATA/nrf_ef58.bin"
missing "apply --factory missing" "$SCBOOT" apply --factory "$T/missing" --state-dir "$T/m1"
missing "apply --profile missing" "$SCBOOT" apply --profile "$T/missing" --state-dir "$T/m1"
missing "dump -r virtual:MISSING" "$SCBOOT" dump -r "virtual:$T/missing"
missing "dump --scp03-keys missing" "$SCBOOT" dump -r "virtual:$DATA/standard.json" --scp03-keys "$T/missing"
missing "watch --profile missing" "$SCBOOT" watch -r x --profile "$T/missing"
missing "bootstrap --psk-key-file missing" "$SCBOOT" bootstrap --server coaps://127.0.0.1:9 --endpoint x --psk-identity i --psk-key-file "$T/missing"
mkdir "$T/adir"
for c in "decode $T/adir" "check $T/adir" "encode $T/adir -o $T/x.bin" "apply --no-card --factory $T/adir --state-dir $T/m3"; do
    "$SCBOOT" $c > /dev/null 2> "$T/err"; rc=$?
    check "${c%% *} of a directory: exit 5, one line 'cannot read DIR: Is a directory'" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "cannot read $T/adir: Is a directory" "$T/err"'
done
"$SCBOOT" status --state-dir "$T/missing" > /dev/null 2> "$T/err"; rc=$?
check "status of a missing state dir: exit 5, one line naming it" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "$T/missing: No such file or directory" "$T/err"'
"$SCBOOT" encode "$T/a.json" -o "$T/nodir/x.bin" > /dev/null 2> "$T/err"; rc=$?
check "encode -o into a missing directory: exit 5, one line" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "cannot write $T/nodir/x.bin: No such file or directory" "$T/err"'
"$SCBOOT" bootstrap --server '' --endpoint x --state-dir "$T/m2" > /dev/null 2> "$T/err"; rc=$?
check "bootstrap --server '': a usage error (2) naming the option" '[ $rc = 2 ] && [ "$(lines "$T/err")" = 1 ] && grep -q -- "--server: empty URI" "$T/err" && [ ! -e "$T/m2" ]'
for c in "dump --bogus" "check" "apply --pin" "status extra" "encode $T/a.json" "decode"; do
    "$SCBOOT" $c > /dev/null 2> "$T/err"; rc=$?
    check "usage error '$c': exit 2, one line with the synopsis" '[ $rc = 2 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "invalid arguments; usage: scboot " "$T/err"'
done
# out-of-range numbers inside strings (object links, versions) are refused, never wrapped
# (sscanf's %u read "4294967296:1" as 0:1 and "4294967297.0" as 1.0)
for v in '"17": "4294967296:1"' '"17": "65536:0"' '"17": "+1:2"' '"17": " 1:2"' '"17": "-1:0"'; do
    sed "s#\"10\": 101#\"10\": 101, $v#" "$DATA/multi_server_acl.json" > "$T/ol.json"
    "$SCBOOT" encode "$T/ol.json" -o "$T/ol.bin" > /dev/null 2> "$T/err"; rc=$?
    check "encode of an object link $v: refused, exit 4, one line" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "/0/1/17: expected an object link" "$T/err" && [ ! -e "$T/ol.bin" ]'
done
for v in '"4294967297.0"' '"1.4294967296"' '"+1.0"' 'null' '"0.1"'; do
    sed "0,/\"version\": \"implicit\"/s##\"version\": $v#" "$DATA/multi_server_acl.json" > "$T/ol.json"
    "$SCBOOT" encode "$T/ol.json" -o "$T/ol.bin" > /dev/null 2> "$T/err"; rc=$?
    check "encode of an object version $v: refused, exit 4, one line" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "version must be" "$T/err" && [ ! -e "$T/ol.bin" ]'
done
sed "s#\"10\": 101#\"10\": 101, \"17\": \"1:2\"#" "$DATA/multi_server_acl.json" > "$T/ol.json"
"$SCBOOT" encode "$T/ol.json" -o "$T/ol.bin" > /dev/null 2>&1; rc=$?
check "encode of an object link in range still works" '[ $rc = 0 ] && "$SCBOOT" decode --json "$T/ol.bin" | grep -q "\"17\": \"1:2\""'
rm -f "$T/ol.bin"
mkdir -m 700 "$T/olst"
"$SCBOOT" apply --no-card --factory "$DATA/nrf_ef58.bin" --state-dir "$T/olst" > /dev/null 2>&1
sed -i 's#"2": 3#"2": 3, "17": "4294967296:1"#' "$T/olst/config.json"
"$SCBOOT" status --state-dir "$T/olst" > /dev/null 2> "$T/err"; rc=$?
check "a store with an object link out of range: damaged store, exit 4" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "damaged store: .*17" "$T/err"'
# the PSK key file is a key file: the rules of the SCP03 and PIN files
printf '0102030405060708\n' > "$T/psk644"; chmod 644 "$T/psk644"; ln -s "$T/psk644" "$T/psklink"
printf 'zz\n' > "$T/pskbad"; chmod 600 "$T/pskbad"
for f in psk644 psklink pskbad; do
    "$SCBOOT" bootstrap --server coaps://127.0.0.1:9 --endpoint x --psk-identity i --psk-key-file "$T/$f" --state-dir "$T/pk" > /dev/null 2> "$T/err"; rc=$?
    case $f in
    psk644) check "--psk-key-file of mode 644: refused, exit 5, chmod 600" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "mode 644); chmod 600" "$T/err"' ;;
    psklink) check "--psk-key-file a symbolic link: refused, exit 5" '[ $rc = 5 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "symbolic link" "$T/err"' ;;
    pskbad) check "--psk-key-file not hex: a malformed key file, exit 4, one line" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ] && grep -q "expected hex" "$T/err"' ;;
    esac
done
for p in x -1 65536 ''; do
    "$SCBOOT" bootstrap --server coap://127.0.0.1:9 --endpoint x --pct "$p" --state-dir "$T/pk" > /dev/null 2> "$T/err"; rc=$?
    check "bootstrap --pct '$p': a usage error (2), one line" '[ $rc = 2 ] && [ "$(lines "$T/err")" = 1 ]'
done
printf 'not json' > "$T/badprof.json"
"$SCBOOT" check --profile "$T/badprof.json" "$DATA/nrf_ef58.bin" > /dev/null 2> "$T/err"; rc=$?
check "a malformed --profile file: exit 4, one line" '[ $rc = 4 ] && [ "$(lines "$T/err")" = 1 ]'

# ---- apply's exit code says when a source present was rejected -------------------------------
"$SCBOOT" encode "$DATA/multi_server_acl.json" -o "$T/acl.bin" 2>/dev/null
"$SCBOOT" apply --no-acl --factory "$T/acl.bin" --state-dir "$T/r1" > "$T/out" 2> "$T/err"; rc=$?
check "apply: factory data rejected as inconsistent: exit 1, the violation logged" '[ $rc = 1 ] && grep -q "^factory: rejected" "$T/out" && grep -q "acl-unsupported" "$T/err"'
sed "s#\"file\": \"nrf_ef58.bin\"#\"file\": \"$T/acl.bin\"#" "$DATA/standard.json" > "$T/aclcard.json"
"$SCBOOT" apply --no-acl -r "virtual:$T/aclcard.json" --state-dir "$T/r2" > "$T/out" 2> "$T/err"; rc=$?
check "apply: card data rejected: exit 1" '[ $rc = 1 ] && grep -q "^card: invalid" "$T/out"'
"$SCBOOT" apply -r "virtual:$T/aclcard.json" --state-dir "$T/r3" > "$T/out" 2> "$T/err"; rc=$?
check "apply: the same card with Access Control: exit 0" '[ $rc = 0 ] && grep -q "^card: applied" "$T/out"'
"$SCBOOT" apply -r "$PINCARD" --state-dir "$T/r4" --factory "$DATA/nrf_ef58.bin" > "$T/out" 2> "$T/err"; rc=$?
check "apply: card present but unreadable (no PIN): exit 3, factory still applied" '[ $rc = 3 ] && grep -q "^card: unreadable" "$T/out" && grep -q "^factory: committed" "$T/out"'

echo "1..$tn"
[ $fails = 0 ]

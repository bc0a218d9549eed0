#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_gateway_files.sh: what an operator puts on a gateway, without a card: the shipped
# example hook (tools/on-change.example) tells a client by SIGHUP through its PID file and
# refuses a PID file that would make `kill` hit the wrong processes (0, -1, text); relative
# paths in scboot.conf are refused naming the key and the line; a PIN file in a directory
# others may write, or reached through a symbolic link, is refused.
set -u
SCBOOT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") DATA=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
HOOK=$HERE/../../tools/on-change.example
T=$(mktemp -d /tmp/scboot-gwfiles.XXXXXX)
trap 'kill "$CLIENT" 2>/dev/null; rm -rf "$T"' EXIT
CLIENT=
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }

# --- the example hook -----------------------------------------------------------------------
hook() { # EVENT: run the example hook as the daemon would (documented environment)
    env -u NOTIFY_SOCKET SCBOOT_EVENT="$1" SCBOOT_READER="Virtual PCD 00 00" \
        SCBOOT_ICCID=8988211000000430010 SCBOOT_GENERATION=4 SCBOOT_STATE_DIR=/var/lib/scboot \
        SCBOOT_EXEC_TIMEOUT=30 LWM2M_CLIENT_PIDFILE="$T/client.pid" \
        sh -c "$HOOK" </dev/null >"$T/out" 2>&1
}
sh -c 'trap "echo HUP >> '"$T"'/hups" HUP; while :; do sleep 0.1 & wait $!; done' &
CLIENT=$!
sleep 0.2
hook applied; rc=$?
check "no client PID file: exit 0, says so" '[ $rc = 0 ] && grep -q "no client PID file $T/client.pid" "$T/out" && grep -q "^scboot-hook: event=applied reader=Virtual PCD 00 00 iccid=8988211000000430010 generation=4 state=/var/lib/scboot timeout=30$" "$T/out"'
echo "$CLIENT" > "$T/client.pid"
hook changed; rc=$?
sleep 0.3
check "a client of the same user: SIGHUP sent, exit 0" '[ $rc = 0 ] && [ "$(cat "$T/hups" 2>/dev/null)" = HUP ] && grep -q "SIGHUP sent to the LwM2M client (pid $CLIENT)" "$T/out"'
hook invalid; rc=$?
sleep 0.3
check "invalid: a warning line and the client told (card instances removed), exit 0" '[ $rc = 0 ] && [ "$(wc -l < "$T/hups")" = 2 ] && grep -q "card data rejected" "$T/out" && grep -q "SIGHUP sent" "$T/out"'
for ev in unreadable unknown; do
    hook $ev; rc=$?
    sleep 0.3
    check "$ev: nothing committed, no signal, exit 0" '[ $rc = 0 ] && [ "$(wc -l < "$T/hups")" = 2 ] && ! grep -q "SIGHUP" "$T/out"'
done
for bad in -1 0 "" "12 13" "1x" 007; do
    printf '%s\n' "$bad" > "$T/client.pid"
    hook removed; rc=$?
    check "PID file holding '$bad': refused (exit 1), nothing signalled" '[ $rc = 1 ] && grep -q "does not hold a process ID" "$T/out" && kill -0 "$CLIENT" && [ "$(wc -l < "$T/hups")" = 2 ]'
done
kill "$CLIENT"; wait "$CLIENT" 2>/dev/null
echo "$CLIENT" > "$T/client.pid"
hook swapped; rc=$?
check "a client that is gone: exit 1 with the reason" '[ $rc = 1 ] && grep -q "cannot signal the client (pid $CLIENT" "$T/out"'
CLIENT=
(unset SCBOOT_GENERATION; env -u SCBOOT_GENERATION SCBOOT_EVENT=applied SCBOOT_READER=r SCBOOT_ICCID= \
    SCBOOT_STATE_DIR=/s SCBOOT_EXEC_TIMEOUT=30 LWM2M_CLIENT_PIDFILE="$T/none" sh -c "$HOOK" >/dev/null 2>&1); rc=$?
check "the hook relies on the documented environment (set -u: a missing variable fails it)" '[ $rc != 0 ]'

# --- relative paths in scboot.conf --------------------------------------------------------
for kv in "pin-file = pin" "scp03-keys = keys/scp03" "factory = ./factory.json" "state-dir = state" \
          "profile = ../profile.json" "exec = hooks/on-change"; do
    key=${kv%% =*}
    printf '# operator file\n%s\n' "$kv" > "$T/scboot.conf"
    chmod 0644 "$T/scboot.conf"
    (cd "$T" && "$SCBOOT" watch --config "$T/scboot.conf" -r "no such reader") > /dev/null 2> "$T/err"; rc=$?
    check "scboot.conf '$kv': exit 2, one line naming the file, line 2 and the key" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "scboot.conf:2: $key: .*a relative" "$T/err"'
done

# --- directories on the way to a secret file -----------------------------------------------
mkdir -m 0700 "$T/ok" "$T/real"
printf '1234\n' > "$T/ok/pin"; chmod 0600 "$T/ok/pin"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin-file "$T/ok/pin" > /dev/null 2> "$T/err"; rc=$?
check "--pin-file in a directory of our own: read (the card opens with it)" '[ $rc = 0 ]'
mkdir -m 0700 "$T/gw"; chmod 0775 "$T/gw"; cp -p "$T/ok/pin" "$T/gw/pin"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin-file "$T/gw/pin" > /dev/null 2> "$T/err"; rc=$?
check "--pin-file in a group-writable directory: refused, exit 5, naming it" '[ $rc = 5 ] && grep -q "directory $T/gw is writable by group or others (mode 0775)" "$T/err"'
cp -p "$T/ok/pin" "$T/real/pin"; ln -s "$T/real" "$T/link"
"$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin-file "$T/link/pin" > /dev/null 2> "$T/err"; rc=$?
check "--pin-file through a symbolic link to a directory: refused, exit 5" '[ $rc = 5 ] && grep -q "link is a symbolic link" "$T/err"'
(cd "$T/gw" && "$SCBOOT" dump -r "virtual:$DATA/pin.json" --pin-file pin) > /dev/null 2> "$T/err"; rc=$?
check "a relative --pin-file from a group-writable working directory: refused, exit 5" '[ $rc = 5 ] && grep -q "writable by group or others" "$T/err"'

# --- the configuration file and the hook it names: nobody else may change or swap them -------
# (they decide what the daemon runs as its user: root when started by hand)
printf 'reader = no such reader\n' > "$T/gw/scboot.conf"; chmod 0644 "$T/gw/scboot.conf"
timeout 20 "$SCBOOT" watch --config "$T/gw/scboot.conf" > /dev/null 2> "$T/err"; rc=$?
check "scboot.conf in a group-writable directory: exit 2, one line naming the directory" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "scboot.conf: directory $T/gw is writable by group or others (mode 0775)" "$T/err"'
ln -s "$T/gw/scboot.conf" "$T/ok/scboot.conf"
timeout 20 "$SCBOOT" watch --config "$T/ok/scboot.conf" > /dev/null 2> "$T/err"; rc=$?
check "scboot.conf through a link into that directory: exit 2" '[ $rc = 2 ] && grep -q "directory $T/gw is writable" "$T/err"'
timeout 20 "$SCBOOT" watch --config - < "$T/gw/scboot.conf" > /dev/null 2> "$T/err"; rc=$?
check "--config -: exit 2, saying why" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "stdin cannot stand for the configuration file" "$T/err"'
printf '#!/bin/sh\nexit 0\n' > "$T/ok/hook"; chmod 0777 "$T/ok/hook"
printf 'reader = no such reader\nexec = %s/ok/hook\n' "$T" > "$T/ok/hook.conf"; chmod 0644 "$T/ok/hook.conf"
timeout 20 "$SCBOOT" watch --config "$T/ok/hook.conf" > /dev/null 2> "$T/err"; rc=$?
check "a hook others may write (mode 0777): exit 2, one line naming it" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "hook $T/ok/hook: writable by others (mode 0777" "$T/err"'
cp -p "$T/ok/hook" "$T/gw/hook"; chmod 0755 "$T/gw/hook"
timeout 20 "$SCBOOT" watch --config "$T/ok/hook.conf" --exec "$T/gw/hook event" > /dev/null 2> "$T/err"; rc=$?
check "--exec of a hook in a group-writable directory: exit 2" '[ $rc = 2 ] && grep -q "hook $T/gw/hook: directory $T/gw is writable" "$T/err"'

# the program is checked whatever its arguments hold (arguments that make the command "shell
# syntax" must not skip the check): a hook in a directory anyone may write never starts
mkdir "$T/w777"; chmod 0777 "$T/w777"
printf '#!/bin/sh\ntouch "%s/ran"\n' "$T" > "$T/w777/hook"; chmod 0755 "$T/w777/hook"
for a in '--x=1' '50%' '~' '#' '{}' '$HOME' "'q'" '; true' '| cat'; do
    timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/st-w777" --exec "$T/w777/hook $a" > /dev/null 2> "$T/err"; rc=$?
    check "--exec of a hook in a mode-0777 directory with the argument $a: exit 2, the hook never ran" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "hook $T/w777/hook: directory $T/w777 is writable" "$T/err" && [ ! -e "$T/ran" ]'
done
# nor when it is a later program of a list or pipeline, or behind a word that runs the next one
for p in '/bin/true | ' '/bin/true; ' '/bin/true && ' 'env ' 'exec ' 'A=1 ' 'command -p ' '. '; do
    timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/st-w777" --exec "$p$T/w777/hook" > /dev/null 2> "$T/err"; rc=$?
    check "--exec '$p<hook in a mode-0777 directory>': exit 2, the hook never ran" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "hook $T/w777/hook: directory $T/w777 is writable" "$T/err" && [ ! -e "$T/ran" ]'
done
PATH="$T/w777:$PATH" timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/st-w777" --exec "hook --x=1" > /dev/null 2> "$T/err"; rc=$?
check "--exec of a bare name \$PATH finds in a mode-0777 directory: exit 2" '[ $rc = 2 ] && grep -q "hook $T/w777/hook: directory $T/w777 is writable" "$T/err" && [ ! -e "$T/ran" ]'
# a directory argument (run-parts DIR) is where the programs come from: the same rule
timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/st-w777" --exec "run-parts $T/w777" > /dev/null 2> "$T/err"; rc=$?
check "--exec 'run-parts <mode-0777 directory>': exit 2, naming it, nothing ran" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "hook $T/w777: writable by others (mode 0777" "$T/err" && [ ! -e "$T/ran" ]'
# named without a slash it is in the working directory (/ for the daemon under systemd)
(cd "$T" && timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/st-w777" --exec "run-parts w777" > /dev/null 2> "$T/err"); rc=$?
check "--exec 'run-parts w777' from its parent: exit 2, naming it, nothing ran" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "hook w777: writable by others (mode 0777" "$T/err" && [ ! -e "$T/ran" ]'
# another user's file in it, executable or not (its owner may chmod +x it at any time)
mkdir "$T/rp"; chmod 0755 "$T/rp"
printf '#!/bin/sh
touch "%s/ran"
' "$T" > "$T/rp/20-nobody"; chmod 0644 "$T/rp/20-nobody"; chown 65534 "$T/rp/20-nobody"
timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/st-w777" --exec "run-parts $T/rp" > /dev/null 2> "$T/err"; rc=$?
check "--exec 'run-parts DIR' holding another user's 0644 file: exit 2, naming it" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "hook $T/rp/20-nobody: owned by another user (uid 65534" "$T/err" && [ ! -e "$T/ran" ]'
# a script handed to an interpreter is what runs
printf 'open("%s/ran", "w")\n' "$T" > "$T/rp/w.py"; chmod 0666 "$T/rp/w.py"
for c in "python3 $T/rp/w.py" "perl $T/rp/w.py" "/usr/bin/env python3 $T/rp/w.py"; do
    timeout 10 "$SCBOOT" watch -r "virtual:$DATA/standard.json" --state-dir "$T/st-w777" --exec "$c" > /dev/null 2> "$T/err"; rc=$?
    check "--exec '$c' of a script anyone may write: exit 2, naming it" '[ $rc = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "hook $T/rp/w.py: writable by others (mode 0666" "$T/err" && [ ! -e "$T/ran" ]'
done

# a secret file named by the configuration: its errors name the file, the line and the key
printf '# operator file\nreader = no such reader\npin-file = %s/ok/absent-pin\n' "$T" > "$T/ok/pin.conf"
chmod 0644 "$T/ok/pin.conf"
timeout 20 "$SCBOOT" watch --config "$T/ok/pin.conf" > /dev/null 2> "$T/err"; rc=$?
check "scboot.conf's pin-file missing: exit 5, one line naming FILE:LINE: pin-file and the PIN file" '[ $rc = 5 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "pin.conf:3: pin-file: cannot read $T/ok/absent-pin: No such file or directory" "$T/err"'
printf 'enc=00\n' > "$T/ok/keys"; chmod 0600 "$T/ok/keys"
printf 'reader = no such reader\nscp03-keys = %s/ok/keys\n' "$T" > "$T/ok/keys.conf"; chmod 0644 "$T/ok/keys.conf"
timeout 20 "$SCBOOT" watch --config "$T/ok/keys.conf" > /dev/null 2> "$T/err"; rc=$?
check "scboot.conf's scp03-keys malformed: exit 4, one line naming FILE:LINE: scp03-keys" '[ $rc = 4 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "keys.conf:2: scp03-keys: " "$T/err"'
timeout 20 "$SCBOOT" watch --config "$T/ok/pin.conf" --pin-file "$T/ok/absent2" > /dev/null 2> "$T/err"; rc=$?
check "--pin-file given on the command line overrides the file and is named as the flag" '[ $rc = 5 ] && grep -q -- "--pin-file: cannot read $T/ok/absent2" "$T/err"'

# started with stdout and stderr closed: they are /dev/null, not the state directory or the
# store's lock (the next open() would take their numbers; logs and the hook's output would go
# there)
mkdir -m 0700 "$T/st7"
PCSCLITE_CSOCK_NAME="$T/no-pcscd.comm" sh -c 'exec >&- 2>&-; exec "$0" watch --all --state-dir "$1"' "$SCBOOT" "$T/st7" &
W=$!
i=0; while [ ! -e "$T/st7/lock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
fd1=$(readlink "/proc/$W/fd/1"); fd2=$(readlink "/proc/$W/fd/2")
kill "$W"; wait "$W" 2>/dev/null
check "watch started with stdout and stderr closed: both are /dev/null (got '$fd1', '$fd2')" '[ "$fd1" = /dev/null ] && [ "$fd2" = /dev/null ]'

echo "1..$tn"
[ $fails = 0 ]

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# watch_installed.sh WORK FIRST: run by test_package.sh inside its private mount namespace,
# after `dpkg -i` of the packages (overlays on /usr, /etc, /var). The *installed* daemon, run
# the way the *installed* unit runs it, handles a virtual card through a real pcscd:
#   - the command line is the unit's ExecStart= (parsed from the installed .service, not
#     retyped), reload is its ExecReload=; User=, Group=, UMask=, StateDirectory=,
#     StateDirectoryMode=, Environment= come from the unit too; NoNewPrivileges= and the empty
#     CapabilityBoundingSet= / AmbientCapabilities= are applied with setpriv, PrivateNetwork=
#     with a network namespace of its own;
#   - what systemd gives a Type=notify service is provided as systemd provides it: the state
#     directory created and owned by the unit's user, NOTIFY_SOCKET (/run/systemd/notify, a
#     world-writable datagram socket), JOURNAL_STREAM naming the daemon's stderr, a clean
#     environment (PATH, HOME, USER, LOGNAME, SHELL, INVOCATION_ID, STATE_DIRECTORY);
#   - pcscd is private (tests/integration/pcsc_stack.sh), its socket directory bind-mounted on
#     /run/pcscd (a tmpfs over /run in this namespace) and world-accessible, as Debian's
#     pcscd.socket makes it (SocketMode=0666), so the unprivileged user reaches it by the
#     default path; the card is served by the installed scboot-vcard;
#   - the installed /etc/scboot/scboot.conf is edited as an operator would (reader, pin-file,
#     exec, exec-timeout); the PIN file is laid out as scboot.conf(5) says (the card's file is
#     readable only after VERIFY PIN); the installed example hook is copied to
#     /etc/scboot/on-change as its header says, and an "LwM2M client" running as the unit's
#     user waits for the hook's SIGHUP.
# Not exercised (they need systemd as PID 1 to set up; there is none here, and
# `systemd-analyze verify` / `security` check them in test_package.sh and the lint suite):
# ProtectSystem=, ProtectHome=, PrivateTmp=, PrivateDevices=, DevicePolicy=, PrivateIPC=,
# PrivateUsers=, IPAddressDeny=, RestrictAddressFamilies=, RestrictNamespaces=,
# RestrictRealtime=, RestrictSUIDSGID=, LockPersonality=, MemoryDenyWriteExecute=,
# Protect{KernelTunables,KernelModules,KernelLogs,ControlGroups,Clock,Hostname}=,
# ProtectProc=, ProcSubset=, RemoveIPC=, KeyringMode=, SystemCallArchitectures=,
# SystemCallFilter=, Wants=/After=pcscd.socket, Restart=.
# Prints TAP lines numbered from FIRST + 1 (the caller checks their number).
set -u
work=$1 n=$2
src=$work/src
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if eval "$1"; then ok "$desc"; else bad "$desc"; fi; }

unit=/lib/systemd/system/scboot.service
# the last assignment of KEY= in the unit's text (what systemd keeps for single-value keys)
unit_key() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
# systemd's quoting, specifiers and variable expansion are not emulated: refuse what needs them
plain() { case $1 in *[\'\"\\%\$]* | [-@:+!]*) return 1 ;; esac; [ -n "$1" ]; }

execstart=$(unit_key ExecStart)
user=$(unit_key User) group=$(unit_key Group) umask_v=$(unit_key UMask)
statedir=$(unit_key StateDirectory) statemode=$(unit_key StateDirectoryMode)
reload=$(unit_key ExecReload)
if [ "$(grep -c '^ExecStart=' "$unit")" = 1 ] && plain "$execstart" && [ -n "$user" ] &&
   [ -n "$group" ] && plain "$statedir" && [ "$reload" = '/bin/kill -HUP $MAINPID' ] &&
   ! grep -q '^EnvironmentFile=' "$unit" && getent passwd "$user" >/dev/null &&
   [ "$user" != root ] && [ "$(id -u "$user")" -lt 1000 ] &&
   grep -q "^u $user " /usr/lib/sysusers.d/scboot.conf; then
    ok "the installed unit: ExecStart=$execstart, User=$user (the package's system user), StateDirectory=$statedir"
else
    bad "the installed unit's ExecStart=/User=/StateDirectory=/ExecReload= are not what this test emulates"
    sed 's/^/# unit: /' "$unit"
    exit 1
fi
set -f
# shellcheck disable=SC2086 # the unit's words, split as systemd splits an unquoted line
set -- $execstart
set +f
exe=$1
envs=""
for e in $(sed -n 's/^Environment=//p' "$unit"); do
    plain "$e" || { bad "Environment=$e: quoting not emulated"; exit 1; }
    envs="$envs $e"
done
home=$(getent passwd "$user" | cut -d: -f6)
shell=$(getent passwd "$user" | cut -d: -f7)

# --- what systemd provides: /run, the notify socket, the state directory --------------------
mount -t tmpfs -o mode=0755 tmpfs /run || { bad "tmpfs on /run"; exit 1; }
mkdir -p /run/systemd /run/pcscd /run/lwm2m-client
chown "$user:$group" /run/lwm2m-client # the client's RuntimeDirectory=
mkdir -p "/var/lib/$statedir"
chown "$user:$group" "/var/lib/$statedir"
chmod "${statemode:-0755}" "/var/lib/$statedir"

SCBOOT_REQUIRE_PCSC=1 # the package suite never passes by skipping (test_package.sh checks first)
SCBOOT=/usr/bin/scboot SCBOOT_VCARD=/usr/bin/scboot-vcard
export SCBOOT_REQUIRE_PCSC
. "$src/tests/integration/pcsc_stack.sh"
stack_start
# like Debian's pcscd.socket (SocketMode=0666 in a 0755 /run/pcscd): reachable by every user
mount --bind "$STACK_DIR/run" /run/pcscd
chmod 0755 "$STACK_DIR/run"
chmod 0666 /run/pcscd/pcscd.comm
prof=/usr/share/scboot/profiles
card=$STACK_DIR/card.json
# a card whose bootstrap file is readable only after VERIFY PIN (the operator's PIN file)
sed "s#\"file\": \"anjay_ef126.bin\"#\"file\": \"$prof/anjay_ef126.bin\"#" "$prof/pin.json" >"$card"
stack_vcard "$card"
stack_wait_card "Virtual PCD 00 00" || echo "# the virtual card did not show up"

/usr/bin/python3 "$src/tests/integration/notify_listen.py" /run/systemd/notify "$STACK_DIR/notify" 60 &
LISTEN=$!
stack_wait 50 test -S /run/systemd/notify
chmod 0777 /run/systemd/notify # as systemd's

# --- the operator: the example hook installed, scboot.conf edited -----------------------------
conf=/etc/scboot/scboot.conf
install -m 0755 /usr/share/doc/scboot/examples/on-change.example /etc/scboot/on-change
# the PIN file as scboot.conf(5) says: owned by the daemon's user, 0600, in root's /etc/scboot
printf '1234\n' >/etc/scboot/pin
chown "$user:$group" /etc/scboot/pin
chmod 0600 /etc/scboot/pin
sed -i -e 's|^# reader = .*|reader = Virtual PCD 00 00|' \
    -e 's|^# pin-file = /etc/scboot/pin$|pin-file = /etc/scboot/pin|' \
    -e 's|^# exec = /etc/scboot/on-change$|exec = /etc/scboot/on-change|' \
    -e 's|^# exec-timeout = .*|exec-timeout = 5|' "$conf"
check "the installed $conf, edited: reader, pin-file, exec, exec-timeout set; the rest as shipped" \
    '[ "$(grep -c -e "^reader = Virtual PCD 00 00$" -e "^pin-file = /etc/scboot/pin$" -e "^exec = /etc/scboot/on-change$" -e "^exec-timeout = 5$" "$conf")" = 4 ] &&
     [ "$(grep -vc -e "^#" -e "^$" "$conf")" = 4 ] && dpkg -S "$conf" >/dev/null'

# the LwM2M client: runs as the daemon's user, its PID where the example hook looks
setpriv --reuid="$user" --regid="$group" --init-groups sh -c '
    echo $$ > /run/lwm2m-client/pid
    trap "echo HUP >> /run/lwm2m-client/hups" HUP
    while :; do sleep 0.2 & wait $!; done' &
CLIENT=$!
stack_wait 50 test -s /run/lwm2m-client/pid

# --- the daemon, as the unit runs it ----------------------------------------------------------
log=$STACK_DIR/journal
: >"$log"
js=$(stat -c '%d:%i' "$log")
(
    umask "${umask_v:-0022}"
    # shellcheck disable=SC2086 # Environment= words, the ExecStart words
    exec unshare --net setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
        --bounding-set=-all --inh-caps=-all \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        HOME="$home" USER="$user" LOGNAME="$user" SHELL="$shell" \
        INVOCATION_ID=0123456789abcdef0123456789abcdef STATE_DIRECTORY="/var/lib/$statedir" \
        NOTIFY_SOCKET=/run/systemd/notify JOURNAL_STREAM="$js" $envs "$@" </dev/null >>"$log" 2>&1
) &
MAIN=$!
N=$STACK_DIR/notify
stack_wait 150 grep -q '^READY=1' "$N"
hups_are() { stack_wait 50 sh -c "[ \"\$(wc -l </run/lwm2m-client/hups)\" = $1 ]"; }
status_as_user() { setpriv --reuid="$user" --regid="$group" --init-groups "$exe" status 2>&1; }
check "READY=1 reaches NOTIFY_SOCKET after the first check (STATUS: card applied, generation 1)" \
    'grep -q "^READY=1" "$N" && grep -n "^STATUS=card 89441000300123456789 applied generation 1" "$N" | head -n 1 | cut -d: -f1 |
     { read -r s; [ -n "$s" ] && [ "$s" -lt "$(grep -n "^READY=1" "$N" | cut -d: -f1)" ]; }'
check "the daemon runs as $user:$group, no new privileges, no capabilities" \
    'u=$(id -u "$user"); g=$(getent group "$group" | cut -d: -f3);
     grep -q "^Uid:[[:space:]]*$u[[:space:]]*$u[[:space:]]*$u[[:space:]]*$u$" /proc/$MAIN/status &&
     grep -q "^Gid:[[:space:]]*$g[[:space:]]" /proc/$MAIN/status && grep -q "^NoNewPrivs:[[:space:]]*1" /proc/$MAIN/status &&
     grep -q "^CapBnd:[[:space:]]*0*$" /proc/$MAIN/status && grep -q "^CapEff:[[:space:]]*0*$" /proc/$MAIN/status'
check "the start-up line names the reader and the configuration file (journal priority <6>)" \
    'grep -q "^<6>watching the reader \"Virtual PCD 00 00\" (config /etc/scboot/scboot.conf, state /var/lib/$statedir, hook set, timeout 5 s)$" "$log"'
status_as_user >"$STACK_DIR/status1"
check "the card's configuration is committed: installed scboot status (as $user) lists the card's instances, generation 1" \
    'grep -q "^generation 1 committed .* (/var/lib/$statedir/config.json)$" "$STACK_DIR/status1" &&
     grep -q "^card: ICCID 89441000300123456789, .*reader \"Virtual PCD 00 00\"$" "$STACK_DIR/status1" && grep -q "  card$" "$STACK_DIR/status1" &&
     [ "$(stat -c "%U %a" "/var/lib/$statedir/config.json")" = "$user 600" ]'
check "applied: logged at <6>, the installed example hook ran with the documented environment" \
    'grep -q "^<6>event applied reader \"Virtual PCD 00 00\" generation 1" "$log" &&
     grep -q "^scboot-hook: event=applied reader=Virtual PCD 00 00 iccid=89441000300123456789 generation=1 state=/var/lib/$statedir timeout=5$" "$log"'
stack_wait 50 test -s /run/lwm2m-client/hups
check "... and its advice works as shipped: the client running as $user got SIGHUP" \
    '[ "$(wc -l </run/lwm2m-client/hups)" = 1 ] && grep -q "^scboot-hook: SIGHUP sent to the LwM2M client (pid $(cat /run/lwm2m-client/pid))" "$log"'

# a data change in place (an over-the-air update), then `systemctl reload` (the unit's ExecReload)
sed "s#\"file\": \"anjay_ef126.bin\"#\"file\": \"$prof/nrf_ef58.bin\"#" "$prof/pin.json" >"$card"
kill -HUP "$VCARD_PID"
sleep 0.5
reload_cmd=$(echo "$reload" | sed "s/\$MAINPID/$MAIN/")
$reload_cmd
stack_wait 100 grep -q "^scboot-hook: event=changed" "$log"
status_as_user >"$STACK_DIR/status2"
check "a data change + ExecReload: committed as generation 2, logged, hook and client told" \
    'grep -q "^<6>event changed reader \"Virtual PCD 00 00\" generation 2" "$log" && grep -q "^generation 2 committed " "$STACK_DIR/status2" &&
     grep -q "  card$" "$STACK_DIR/status2" && ! cmp -s "$STACK_DIR/status1" "$STACK_DIR/status2" &&
     grep -q "^scboot-hook: event=changed reader=Virtual PCD 00 00 iccid=89441000300123456789 generation=2 " "$log" &&
     hups_are 2'

# removal
stack_vcard_stop
stack_wait 100 grep -q "^scboot-hook: event=removed" "$log"
status_as_user >"$STACK_DIR/status3"
check "removal: the card's instances removed (scboot status), logged, the hook told, STATUS=no card" \
    'grep -q "^<6>event removed reader \"Virtual PCD 00 00\"" "$log" && ! grep -q "  card$" "$STACK_DIR/status3" &&
     grep -q "^generation 3 committed " "$STACK_DIR/status3" &&
     grep -q "^scboot-hook: event=removed reader=Virtual PCD 00 00 " "$log" && grep -q "^STATUS=no card" "$N" &&
     hups_are 3'
check "no line at warning or error priority, none without a priority" \
    '! grep -q "^<[0-4]>" "$log" && ! grep -v -e "^<[0-7]>" -e "^scboot-hook: " "$log" | grep -q .'

# SIGTERM (systemctl stop): within the hook timeout (5 s), exit 0, STOPPING=1
t0=$(date +%s%N)
kill -TERM "$MAIN"
stack_wait 60 sh -c "! kill -0 $MAIN"
t1=$(date +%s%N)
wait "$MAIN"
rc=$?
check "SIGTERM: exit 0 within the hook timeout (5 s), STOPPING=1 sent" \
    '[ $rc = 0 ] && [ $(( (t1 - t0) / 1000000 )) -lt 5000 ] && grep -q "^STOPPING=1" "$N"'
sed 's/^/# journal: /' "$log" | tail -n 30
kill "$CLIENT" 2>/dev/null
wait "$CLIENT" 2>/dev/null
kill "$LISTEN" 2>/dev/null
wait "$LISTEN" 2>/dev/null
stack_stop

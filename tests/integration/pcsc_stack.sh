#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# pcsc_stack.sh: start a private pcscd (own mount and network namespace, doc/testing.md)
# with the vpcd driver, and scboot-vcard serving a card profile to it. Sourced by the
# integration tests. Only processes this script started are ever stopped.
#
#   stack_start PROFILE [vcard options...]   sets STACK_DIR, PCSCLITE_CSOCK_NAME, VCARD_PID
#   stack_vcard PROFILE [options...]         (re)start the card side only
#   stack_vcard_stop                         SIGTERM the card side; fails if it ignores it
#   stack_stop
#
# Without root, pcscd or the vpcd driver the test is skipped (TAP '1..0 # SKIP'), unless
# SCBOOT_REQUIRE_PCSC=1 (set by .ci/run): then it fails, so CI never passes by skipping.

VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so

stack_skip() {
    if [ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ]; then
        echo "FAIL: real PC/SC stack required but unavailable: $1" >&2
        exit 1
    fi
    echo "1..0 # SKIP $1"
    exit 0
}

stack_check() {
    [ "$(id -u)" = 0 ] || stack_skip "needs root for a private pcscd (mount/net namespace)"
    command -v pcscd >/dev/null 2>&1 || stack_skip "pcscd not installed"
    [ -e "$VPCD_DRIVER" ] || stack_skip "vsmartcard-vpcd not installed"
    command -v unshare >/dev/null 2>&1 || stack_skip "unshare missing"
    command -v ip >/dev/null 2>&1 || stack_skip "iproute2 missing"
}

# Wait until a command succeeds (up to $1 tenths of a second).
stack_wait() {
    _w=$1; shift
    while [ "$_w" -gt 0 ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
        _w=$((_w - 1))
    done
    return 1
}

stack_start() {
    stack_check
    STACK_DIR=$(mktemp -d /tmp/scboot-pcsc.XXXXXX)
    mkdir -p "$STACK_DIR/run" "$STACK_DIR/conf"
    cat > "$STACK_DIR/conf/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME /dev/null:35963
LIBPATH $VPCD_DRIVER
CHANNELID 35963
CONF
    export PCSCLITE_CSOCK_NAME="$STACK_DIR/run/pcscd.comm"
    stack_pcscd_up
    trap '_st=$?; stack_stop || _st=1; exit $_st' EXIT
    trap 'stack_stop; exit 1' INT TERM
    if [ -n "${1:-}" ]; then
        stack_vcard "$@"
    fi
}

# pcscd in the foreground inside its own mount + network namespace (the namespace holder).
stack_pcscd_up() {
    rm -f "$STACK_DIR/run/pcscd.comm" "$STACK_DIR/run/pcscd.pid"
    unshare --mount --net --propagation private sh -c "
        ip link set lo up
        mkdir -p /run/pcscd && mount --bind '$STACK_DIR/run' /run/pcscd
        exec pcscd -f -c '$STACK_DIR/conf' ${PCSCD_ARGS:-}
    " >> "$STACK_DIR/pcscd.log" 2>&1 &
    PCSCD_PID=$!
    if ! stack_wait 50 test -S "$PCSCLITE_CSOCK_NAME"; then
        cat "$STACK_DIR/pcscd.log" >&2
        stack_stop
        echo "FAIL: pcscd did not start" >&2
        exit 1
    fi
}

# SIGTERM a process this script started and reap it, bounded: a process still there 10 s
# later is a bug (a lost signal, a stuck loop), never waited on forever: it is SIGKILLed, one
# FAIL line goes to stderr, and the call returns 1 (the callers fail the test).
stack_kill() {
    _p=$1 _i=0
    [ -n "$_p" ] || return 0
    kill "$_p" 2>/dev/null
    while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    if kill -0 "$_p" 2>/dev/null; then
        echo "FAIL: $2 (pid $_p) still running 10 s after SIGTERM: SIGKILL" >&2
        kill -9 "$_p" 2>/dev/null
        wait "$_p" 2>/dev/null
        return 1
    fi
    wait "$_p" 2>/dev/null
    return 0
}

stack_vcard_stop() {
    _r=0
    stack_kill "${VCARD_PID:-}" scboot-vcard || _r=1
    VCARD_PID=
    return $_r
}

# Stop pcscd (and the card side, whose namespace goes with it), keep the directory.
stack_pcscd_down() {
    _r=0
    stack_vcard_stop || _r=1
    stack_kill "${PCSCD_PID:-}" pcscd || _r=1
    PCSCD_PID=
    return $_r
}

# The card side joins pcscd's network namespace (vpcd listens there).
stack_vcard() {
    nsenter --net="/proc/$PCSCD_PID/ns/net" "$SCBOOT_VCARD" -p "$@" \
        >> "$STACK_DIR/vcard.log" 2>&1 &
    VCARD_PID=$!
}

# Returns 1 when a process ignored SIGTERM; at exit that turns the status into a failure.
stack_stop() {
    trap - EXIT INT TERM
    _sr=0
    stack_pcscd_down || _sr=1
    [ -n "${STACK_DIR:-}" ] && rm -rf "$STACK_DIR"
    STACK_DIR=
    return $_sr
}

# Wait for a card to be present in reader $1.
stack_wait_card() {
    stack_wait 50 sh -c "'$SCBOOT' readers --no-probe --json | grep -A3 '\"$1\"' | grep -q '\"card_present\": true'"
}

# Wait until reader $1 reports no card.
stack_wait_nocard() {
    stack_wait 50 sh -c "'$SCBOOT' readers --no-probe --json | grep -A3 '\"$1\"' | grep -q '\"card_present\": false'"
}

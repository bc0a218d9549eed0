#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run.sh: the benchmark command (tests/bench/README.md). Prints, as tables:
#   1. APDUs and bytes per card path and file size (scboot-bench, emulator counts)
#   2. decode + validate: wall time, instructions per byte (callgrind), peak heap (massif)
#   3. stripped sizes of the library and the CLI
#   4. the same card read by scboot and by OpenSC (pkcs15-tool) through one real pcscd + vpcd:
#      APDUs on the wire (counted by scboot-vcard) and wall time  [needs root and opensc]
#   5. network bootstrap: wall and CPU time per session, VmRSS and descriptors over 1000
#      sessions in one process (scboot-bench-net against bs_server --loop on 127.0.0.1)
# Usage: tests/bench/run.sh [BUILD_DIR]   (default: build; it is set up if missing)
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
[ -d "$B" ] || meson setup "$B" >/dev/null
meson compile -C "$B" >/dev/null || exit 1
BENCH="$B/tests/bench/scboot-bench"
T=$(mktemp -d /tmp/scboot-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

echo "# scboot benchmarks"
echo
echo "machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
"$BENCH" --write "$T"
echo

if command -v valgrind >/dev/null 2>&1; then
    echo "Decode + validate under valgrind (one file, only scb_image_validate counted)"
    echo
    echo "| file | instructions | per byte | peak heap (massif) |"
    echo "|---|---|---|---|"
    for s in 1024 32768; do
        f="$T/bench_$s.bin"
        ir=$(valgrind --tool=callgrind --callgrind-out-file="$T/cg" --toggle-collect=scb_image_validate \
             "$BENCH" --once "$f" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ',')
        valgrind --tool=massif --massif-out-file="$T/ms" "$BENCH" --once "$f" > /dev/null 2>&1
        peak=$(grep mem_heap_B "$T/ms" | cut -d= -f2 | sort -n | tail -1)
        echo "| $s B | $ir | $((ir / s)) | $peak B (whole process) |"
    done
    echo
fi

echo "Stripped sizes"
echo
echo "| file | bytes |"
echo "|---|---|"
for f in "$B/libscboot.so" "$B/tools/scboot" "$B/tools/scboot-vcard"; do
    cp "$(readlink -f "$f")" "$T/strip" && strip "$T/strip"
    echo "| $(basename "$f") | $(wc -c < "$T/strip") |"
done
echo

# ---- network bootstrap sessions in one process ------------------------------------------------
if [ -x "$B/tests/bench/scboot-bench-net" ]; then
    echo "Network bootstrap: 1000 client-initiated sessions in one process (scboot-bench-net)"
    echo
    "$B/tests/bench/scboot-bench-net" "$B/tests/bs_server" 1000
    echo
    "$B/tests/bench/scboot-bench-net" "$B/tests/bs_server" 1000 --psk
    echo
fi

# ---- OpenSC side by side, through a real pcscd + vpcd --------------------------------------
if [ "$(id -u)" != 0 ] || ! command -v pkcs15-tool >/dev/null 2>&1 || \
   [ ! -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]; then
    echo "OpenSC comparison skipped: needs root, opensc and vsmartcard-vpcd"
    exit 0
fi
SCBOOT="$PWD/$B/tools/scboot"
SCBOOT_VCARD="$PWD/$B/tools/scboot-vcard"
. tests/integration/pcsc_stack.sh
ms() { date +%s%N; }
echo "The same card through one pcscd + vpcd: scboot dump vs OpenSC pkcs15-tool (Debian $(dpkg-query -W -f '${Version}' opensc 2>/dev/null))"
echo
echo "| card | reader | APDUs | wall time | result |"
echo "|---|---|---|---|---|"
stack_start
for s in 64 1024 4096 32768; do
    printf '{"lwm2m": {"file": "%s", "pkcs15_first": false}}\n' "$T/bench_$s.bin" > "$T/card.json"
    for tool in scboot opensc; do
        : > "$STACK_DIR/vcard.log"
        stack_vcard "$T/card.json" -vv
        stack_wait_card "Virtual PCD 00 00"
        : > "$STACK_DIR/vcard.log"
        t0=$(ms)
        if [ $tool = scboot ]; then
            "$SCBOOT" dump -r 0 --raw "$T/out.bin" > /dev/null 2> "$T/err"; rc=$?
        else
            pkcs15-tool -r 0 --read-data-object 2.23.43.9.1 -o "$T/out.bin" > /dev/null 2> "$T/err"; rc=$?
        fi
        t1=$(ms)
        n=$(grep -c '^scboot-vcard: >' "$STACK_DIR/vcard.log")
        if [ $rc = 0 ] && cmp -s "$T/out.bin" "$T/bench_$s.bin"; then res="read the file"
        else res="cannot read it: $(head -1 "$T/err")"; fi
        echo "| $s B | $tool | $n | $(( (t1 - t0) / 1000000 )) ms | $res |"
        rm -f "$T/out.bin"
        kill "$VCARD_PID"; wait "$VCARD_PID" 2>/dev/null
        stack_wait_nocard "Virtual PCD 00 00"
    done
done
stack_stop

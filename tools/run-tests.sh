#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-tests.sh: the one command that runs every test of scboot (README):
#   1. a gcc build with warnings as errors: unit + integration (real pcscd + vpcd) + fuzz replay
#   2. the same unit and integration suites under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. a clang build (warnings as errors), so both compilers stay clean
#   4. each libFuzzer target for $FUZZ_SECONDS (default 60) over its corpus, under ASan+UBSan
#   5. cross builds for the gateways' CPUs (tools/cross/*.ini, warnings as errors), their
#      programs run under qemu-user: unit + fuzz replay + integration (the same private
#      pcscd + vpcd) for arm64 and for armhf (32-bit long, size_t, time_t). They run when the
#      cross compiler is installed (tools/install-deps.sh --cross ARCH); SCBOOT_REQUIRE_CROSS=1
#      (.ci/run) makes a missing one a failure. SCBOOT_CROSS="arm64 armhf" picks them
#      (SCBOOT_CROSS=none: no cross build).
#   6. a build without libcoap (-Dcoap=disabled, warnings as errors): its unit and lint suites,
#      and its libscboot.so exports exactly the symbols of the default build (nm -D), so the
#      option never changes the ABI
#   with SCBOOT_PACKAGE=1 also the Debian packages (tests/package/test_package.sh), and those
#   of arm64 cross-built (dpkg-buildpackage -a arm64) when stage 5 builds arm64
# Integration tests need root (private pcscd in its own namespaces); without it they skip,
# unless SCBOOT_REQUIRE_PCSC=1, which .ci/run sets. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-test}
status=0
logs=""
# stages that could not run or build, counted as failed cases in the summary
stage_failed=0

say() { echo "run-tests: $*"; }

run_suite() { # builddir setup-args...
    dir=$1; shift
    say "building $dir (${CC:-cc} $*) ..."
    if [ ! -d "$dir" ]; then
        meson setup "$dir" --werror "$@" >/dev/null || { status=1; return; }
    fi
    meson compile -C "$dir" >/dev/null || { meson compile -C "$dir"; status=1; return; }
    say "testing $dir ..."
    meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
    logs="$logs $dir/meson-logs/testlog.json"
}

run_suite "$BUILD"
# Debian packages: build, lintian, dpkg -i in a throw-away namespace, smoke use (minutes; .ci/run
# sets SCBOOT_PACKAGE=1). Its cases count in the summary below.
if [ "${SCBOOT_PACKAGE:-0}" = 1 ] && [ -d "$BUILD" ]; then
    meson test -C "$BUILD" --suite package --logbase testlog-package --print-errorlogs || status=1
    logs="$logs $BUILD/meson-logs/testlog-package.json"
fi
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite "$BUILD-asan" -Db_sanitize=address,undefined -Db_lundef=false
if command -v clang >/dev/null 2>&1; then
    say "building $BUILD-clang (clang, warnings as errors) ..."
    if [ ! -d "$BUILD-clang" ]; then
        CC=clang meson setup "$BUILD-clang" --werror >/dev/null || status=1
    fi
    meson compile -C "$BUILD-clang" >/dev/null || { meson compile -C "$BUILD-clang"; status=1; }
    # 4. every libFuzzer target for a smoke run over its corpus (ASan + UBSan), when clang's
    #    fuzzer runtime is there (libclang-rt-14-dev)
    if echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' | \
        clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
        say "building $BUILD-fuzz (libFuzzer targets, ${FUZZ_SECONDS:-60} s each) ..."
        if [ ! -d "$BUILD-fuzz" ]; then
            CC=clang meson setup "$BUILD-fuzz" -Dfuzzing=enabled -Db_sanitize=address,undefined \
                -Db_lundef=false -Dfuzz_seconds="${FUZZ_SECONDS:-60}" >/dev/null || status=1
        fi
        meson compile -C "$BUILD-fuzz" >/dev/null || { meson compile -C "$BUILD-fuzz"; status=1; }
        meson test -C "$BUILD-fuzz" --suite fuzz --print-errorlogs --num-processes 2 || status=1
        logs="$logs $BUILD-fuzz/meson-logs/testlog.json"
    fi
fi

# 5. cross builds: ARCH SUITES... (tools/cross/ARCH.ini names the compiler and qemu-user)
cross_suite() {
    arch=$1; shift
    dir=$BUILD-$arch
    t0=$(date +%s)
    ini=tools/cross/$arch.ini
    triplet=$(sed -n "s/^triplet = '\(.*\)'$/\1/p" "$ini")
    qemu=$(sed -n "s/^qemu = \['\(.*\)'\]$/\1/p" "$ini")
    for t in "$triplet-gcc" "$triplet-pkg-config" "$qemu"; do
        command -v "$t" >/dev/null 2>&1 && continue
        if [ "${SCBOOT_REQUIRE_CROSS:-0}" = 1 ]; then
            say "FAIL: $arch cross build: $t missing (tools/install-deps.sh --cross $arch)"
            stage_failed=$((stage_failed + 1)); status=1
        else
            say "skipping the $arch cross build: $t missing (tools/install-deps.sh --cross $arch)"
        fi
        return
    done
    say "building $dir ($triplet-gcc, warnings as errors) ..."
    if [ ! -d "$dir" ]; then
        meson setup "$dir" --werror --cross-file "$ini" >/dev/null ||
            { stage_failed=$((stage_failed + 1)); status=1; return; }
    fi
    meson compile -C "$dir" >/dev/null ||
        { meson compile -C "$dir"; stage_failed=$((stage_failed + 1)); status=1; return; }
    say "testing $dir under $qemu ($*) ..."
    suites=""
    for s in "$@"; do suites="$suites --suite $s"; done
    # shellcheck disable=SC2086
    meson test -C "$dir" $suites --print-errorlogs --num-processes 2 --timeout-multiplier 3 ||
        status=1
    # under qemu a skipped test is a failed one when the real stack is required
    logs="$logs strict:$dir/meson-logs/testlog.json"
    if [ "$arch" = arm64 ] && [ "${SCBOOT_PACKAGE:-0}" = 1 ]; then
        meson test -C "$dir" --suite package --logbase testlog-package --print-errorlogs ||
            status=1
        logs="$logs $dir/meson-logs/testlog-package.json"
    fi
    say "$arch cross stage: $(($(date +%s) - t0)) s"
}
for arch in ${SCBOOT_CROSS:-arm64 armhf}; do
    case $arch in
        arm64) cross_suite arm64 unit fuzz integration ;;
        armhf) cross_suite armhf unit fuzz integration ;;
        none) ;;
        *) say "FAIL: unknown cross architecture $arch"; stage_failed=$((stage_failed + 1)); status=1 ;;
    esac
done

# 6. -Dcoap=disabled: the same exports as the default build, the network functions stubs
coap_off_suite() {
    dir=$BUILD-nocoap
    say "building $dir (-Dcoap=disabled, warnings as errors) ..."
    if [ ! -d "$dir" ]; then
        meson setup "$dir" --werror -Dcoap=disabled >/dev/null ||
            { stage_failed=$((stage_failed + 1)); status=1; return; }
    fi
    meson compile -C "$dir" >/dev/null ||
        { meson compile -C "$dir"; stage_failed=$((stage_failed + 1)); status=1; return; }
    say "testing $dir (unit, lint) ..."
    meson test -C "$dir" --suite unit --suite lint --print-errorlogs --num-processes 2 ||
        status=1
    logs="$logs $dir/meson-logs/testlog.json"
    exports() { nm -D --defined-only "$1/libscboot.so" | awk '{ print $2, $3 }' | sort; }
    if [ ! -e "$BUILD/libscboot.so" ] ||
        ! exports "$BUILD" >"$dir/exports-default.txt" ||
        ! exports "$dir" >"$dir/exports-nocoap.txt" ||
        ! diff -u "$dir/exports-default.txt" "$dir/exports-nocoap.txt"; then
        say "FAIL: libscboot.so of -Dcoap=disabled does not export what the default build does"
        stage_failed=$((stage_failed + 1)); status=1
    else
        say "-Dcoap=disabled exports the same $(wc -l <"$dir/exports-nocoap.txt") symbols"
    fi
}
coap_off_suite

# Count test cases from meson's logs: TAP tests by their ok / not ok lines, others as one.
# Logs marked strict: (cross builds under qemu) count a skipped test as failed when
# SCBOOT_REQUIRE_PCSC=1.
summary=$(STAGE_FAILED=$stage_failed python3 - $logs <<'PY'
import json, os, sys
passed = skipped = 0
failed = int(os.environ.get("STAGE_FAILED", "0"))
require = os.environ.get("SCBOOT_REQUIRE_PCSC") == "1"
for path in sys.argv[1:]:
    strict = path.startswith("strict:")
    if strict:
        path = path[len("strict:"):]
    if not os.path.exists(path):  # meson test stopped before it ran a test
        print(f"run-tests: no test log {path}", file=sys.stderr)
        failed += 1
        continue
    for line in open(path):
        t = json.loads(line)
        res = t.get("result")
        out = t.get("stdout") or ""
        oks = [l for l in out.splitlines() if l.startswith("ok ")]
        bad = [l for l in out.splitlines() if l.startswith("not ok")]
        if oks or bad:
            passed += sum(1 for l in oks if "# SKIP" not in l)
            skipped += sum(1 for l in oks if "# SKIP" in l)
            failed += len(bad)
            if res not in ("OK", "EXPECTEDFAIL") and not bad:
                failed += 1
        elif res == "SKIP" and strict and require:
            failed += 1
        elif res == "SKIP":
            skipped += 1
        elif res in ("OK", "EXPECTEDFAIL"):
            passed += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
)
echo "$summary"
case "$summary" in
    *" 0 failed"*) ;;
    *) status=1 ;;
esac
exit $status

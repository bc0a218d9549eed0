# SPDX-License-Identifier: Apache-2.0
# require.sh: sourced by the integration tests that need a tool of their own. Without it the
# test is skipped (TAP '1..0 # SKIP'), unless SCBOOT_REQUIRE_PCSC=1 (CI): a required suite
# never passes by skipping, it fails naming what is missing.
require_tools() { # WHY TOOL...: every TOOL on PATH, or skip/fail saying WHY
    why=$1; shift
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 && continue
        if [ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ]; then
            echo "FAIL: $t ($why) required but not installed" >&2
            echo "1..1"
            echo "not ok 1 - $t ($why) is installed"
            exit 1
        fi
        echo "1..0 # SKIP $t ($why) not installed"
        exit 0
    done
}

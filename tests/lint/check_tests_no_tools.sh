#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_tests_no_tools.sh SRCDIR: the tests, fuzz targets and benchmarks test the library, not
# the command-line tool's sources: tools/ is a thin CLI, and logic worth a unit test or a fuzz
# target belongs in the library (so it is exported, documented and reachable by its users).
# The CLI itself is tested by running it (tests/integration). Fails when a meson.build under
# tests/ names a C source or header of tools/ or adds tools/ to the include path, or when a
# test source includes a tools/ header. TAP.
set -u
cd "$1" || exit 1
n=0 status=0
check() { # name, offending lines (empty = ok)
    n=$((n + 1))
    if [ -z "$2" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '%s\n' "$2" | sed 's/^/#   /'
        status=1
    fi
}
builds=$(find tests -name meson.build | sort)
sources=$(find tests -name '*.[ch]' | sort)
echo "1..3"
# a C source or header under tools/, however the path is spelt ('../tools/x.c', 'tools' / 'x.c')
check "no test, fuzz or bench meson.build compiles a tools/ source" \
    "$(grep -HnE "tools['\"]?[^'\"]*['\"/][^'\"]*\.[ch]['\"]|tools/[^'\"]*\.[ch]['\"]" $builds |
       grep -Ev ':[0-9]+:[[:space:]]*#')"
check "no test, fuzz or bench meson.build puts tools/ on the include path" \
    "$(grep -HnE "include_directories\([^)]*tools" $builds | grep -Ev ':[0-9]+:[[:space:]]*#')"
check "no test, fuzz or bench source includes a tools/ header" \
    "$(grep -HnE '^#[[:space:]]*include[[:space:]]*"([^"]*/)?(tools/[^"]*|cli[a-z_]*\.h|scboot_version\.h)"' $sources)"
exit $status

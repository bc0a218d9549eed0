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
builds=$(find tests -name meson.build | sort)
sources=$(find tests -name '*.[ch]' | sort)
uncommented() { grep -Ev ':[0-9]+:[[:space:]]*#'; }
status=0
echo "1..3"
for n in 1 2 3; do
    case $n in
    1)  # a C source or header under tools/, however the path is spelt ('../tools/x.c', 'tools' / 'x.c')
        what="no test, fuzz or bench meson.build compiles a tools/ source"
        hits=$(grep -HnE "tools['\"]?[^'\"]*['\"/][^'\"]*\.[ch]['\"]|tools/[^'\"]*\.[ch]['\"]" $builds |
               uncommented) ;;
    2)  what="no test, fuzz or bench meson.build puts tools/ on the include path"
        hits=$(grep -HnE "include_directories\([^)]*tools" $builds | uncommented) ;;
    3)  what="no test, fuzz or bench source includes a tools/ header"
        hits=$(grep -HnE '^#[[:space:]]*include[[:space:]]*"([^"]*/)?(tools/[^"]*|cli[a-z_]*\.h|scboot_version\.h)"' \
               $sources) ;;
    esac
    if [ -n "$hits" ]; then
        echo "not ok $n - $what"
        printf '%s\n' "$hits" | sed 's/^/#   /'
        status=1
    else
        echo "ok $n - $what"
    fi
done
exit $status

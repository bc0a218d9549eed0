#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_headers.sh INCLUDEDIR CC [CXX]: every installed header stands on its own, as a
# downstream project includes it: alone, twice (include guard), as strict C11 with every
# warning an error, and (when a C++ compiler is given) from C++ with its declarations in
# extern "C", so a C++ caller links against the C symbols. TAP.
set -u
inc=$1 cc=$2 cxx=${3:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
tn=0
for h in "$inc"/scboot/*.h; do
    name=scboot/$(basename "$h")
    printf '#include <%s>\n#include <%s>\nint scb_lint_unused;\n' "$name" "$name" >"$tmp/t.c"
    tn=$((tn + 1))
    if "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$inc" "$tmp/t.c" \
        >"$tmp/log" 2>&1; then
        echo "ok $tn - $name compiles alone and twice as C11 (-Wall -Wextra -Wpedantic)"
    else
        echo "not ok $tn - $name does not compile alone as C11"; sed 's/^/# /' "$tmp/log"
    fi
    [ -n "$cxx" ] || continue
    cp "$tmp/t.c" "$tmp/t.cc"
    tn=$((tn + 1))
    if "$cxx" -std=c++11 -Wall -Wextra -Werror -fsyntax-only -I"$inc" "$tmp/t.cc" \
        >"$tmp/log" 2>&1; then
        echo "ok $tn - $name compiles from C++11"
    else
        echo "not ok $tn - $name does not compile from C++"; sed 's/^/# /' "$tmp/log"
    fi
    # a header that declares functions wraps them in extern "C"
    if grep -qE '^[a-z].*\(' "$h" && ! grep -q 'extern "C"' "$h"; then
        tn=$((tn + 1)); echo "not ok $tn - $name declares functions without extern \"C\""
    fi
done
echo "1..$tn"

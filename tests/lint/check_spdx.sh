#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_spdx.sh SRCDIR: every source file and script of the tree carries an SPDX line in its
# first two lines (the meson project declares Apache-2.0; LICENSE holds the text), and no file
# carries merge conflict markers. TAP.
set -u
cd "$1" || exit 1
tn=0 bad=0
files=$(find . -path ./.git -prune -o -path './build*' -prune -o -path '*/corpus' -prune -o \
    -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name 'meson.build' \) -print | sort)
for f in $files; do
    if ! head -n 2 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0'; then
        echo "# no SPDX line: $f"
        bad=$((bad + 1))
    fi
done
tn=$((tn + 1))
if [ "$bad" = 0 ] && [ -n "$files" ]; then echo "ok $tn - every source file has an SPDX line"
else echo "not ok $tn - $bad source file(s) without an SPDX line"; fi
tn=$((tn + 1))
if grep -q "Apache License" LICENSE 2>/dev/null && grep -q "license: 'Apache-2.0'" meson.build; then
    echo "ok $tn - LICENSE holds the Apache-2.0 text the meson project declares"
else echo "not ok $tn - LICENSE and meson.build disagree"; fi
# no merge left half-done: conflict markers at the start of a line in any tracked text file
tn=$((tn + 1))
markers=$(grep -rIlE '^(<<<<<<< |>>>>>>> )' --exclude-dir=.git --exclude-dir='build*' \
    --exclude-dir=corpus . 2>/dev/null)
if [ -z "$markers" ]; then echo "ok $tn - no merge conflict markers"
else echo "not ok $tn - merge conflict markers in: $markers"; fi
echo "1..$tn"

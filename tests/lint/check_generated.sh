#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_generated.sh: nothing generated is part of the source: no logs, no build output, no
# libFuzzer artefacts (crash-/leak-/timeout-/oom-/slow-unit- files) outside the fuzz corpora
# they were added to on purpose. The files git tracks when the tree is a git checkout, else
# every file but the build directories.
set -u
ROOT=$1
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
if git -C "$ROOT" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    files=$(git -C "$ROOT" ls-files)
else
    files=$(cd "$ROOT" && find . -path './build*' -prune -o -path './.git' -prune -o -type f -print | sed 's#^\./##')
fi
bad=$(printf '%s\n' "$files" | grep -E '(^|/)[^/]*\.(log|o|so|a|profraw|gcda|gcno)$|(^|/)(crash|leak|timeout|oom|slow-unit)-[^/]*$|(^|/)(fuzz-[0-9]+\.log|core|core\.[0-9]+)$|(^|/)meson-(logs|private|info)/' | grep -v '^tests/fuzz/corpus/')
check "no generated file in the source tree" '[ -z "$bad" ]'
[ -z "$bad" ] || printf '# generated: %s\n' $bad
echo "1..$tn"
[ $fails = 0 ]

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_no_outside_refs.sh SRCDIR: no file of the tree cites a document that does not ship with
# it (the working notes beside the repository). The facts the code relies on live in doc/
# (protocol.md, testing.md, design.md, rules.md) and are cited there. Fuzz corpora are data and
# are not read. TAP.
set -u
cd "$1" || exit 1
# bracket expressions, so that this script does not match itself
pat='[.][.]/shared|SPEC[.]md|RULES[.]md|TESTING[.]md|DESIGN[.]md|STYLE[.]md'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    hits=$(git ls-files -z -- . ':!tests/fuzz/corpus' | xargs -0 grep -nIE "$pat" -- 2>/dev/null)
else
    hits=$(grep -rnIE "$pat" --exclude-dir=.git --exclude-dir='build*' --exclude-dir=corpus . \
        2>/dev/null)
fi
if [ -z "$hits" ]; then
    echo "ok 1 - no file refers to documents outside the repository"
else
    printf '%s\n' "$hits" | sed 's/^/# /'
    echo "not ok 1 - files refer to documents outside the repository (cite doc/ instead)"
fi
echo "1..1"

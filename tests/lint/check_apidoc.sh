#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_apidoc.sh DOXYGEN DOXYFILE INCLUDEDIR: the public API is documented. Doxygen runs with
# the project's Doxyfile (doc/Doxyfile.in) and any warning fails: an undocumented function,
# parameter, return value, struct, member, enum value or macro, or a doc comment error.
# Doxygen checks the members of a header only when the header has a \file block, so every
# header must have one; and doc comments point to the repository's own documents.
set -u
doxygen=$1
doxyfile=$2
inc=$3
status=0
n=0
result() {
    n=$((n + 1))
    if [ -z "$2" ]; then printf 'ok %s - %s\n' "$n" "$1"; return; fi
    printf 'not ok %s - %s\n' "$n" "$1"
    printf '%s\n' "$2" | sed 's/^/# /'
    status=1
}
work=$(mktemp -d /tmp/scboot-apidoc.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

echo "1..3"
missing=""
for h in "$inc"/scboot/*.h; do
    grep -q '\\file' "$h" || missing="$missing
$(basename "$h") has no \\file block"
done
result "every public header has a \\file doc block" "${missing#?}"

{
    cat "$doxyfile"
    echo "OUTPUT_DIRECTORY = $work"
    echo "WARN_AS_ERROR = NO"
    echo "WARN_LOGFILE = $work/warnings"
    # the pages are written (to the scratch folder): without any output Doxygen 1.9.4 takes
    # documented parameters and returns for undocumented ones
    echo "QUIET = YES"
} | "$doxygen" - >"$work/out" 2>&1
rc=$?
warnings=$(cat "$work/warnings" 2>/dev/null)
[ $rc = 0 ] || warnings="doxygen exited $rc: $(cat "$work/out")
$warnings"
result "doxygen: no warnings over the public headers" "$warnings"

refs=$(grep -n 'RULES\.md\|SPEC\.md\|DESIGN\.md\|STYLE\.md\|TESTING\.md\|\.\./shared' "$inc"/scboot/*.h)
result "doc comments name only the repository's documents (doc/rules.md, README.md)" "$refs"
exit $status

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_required_tools.sh: the integration tests that need a tool of their own (coap-client,
# python3, valgrind) skip without it, except with SCBOOT_REQUIRE_PCSC=1, where they fail:
# each is run with a PATH that holds only sh and dirname.
set -u
IT=$1
T=$(mktemp -d /tmp/scboot-reqtools.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
SH=$(command -v sh)
mkdir "$T/bin"
ln -s "$(command -v dirname)" "$T/bin/dirname"
for s in test_coap.sh test_coap_formats.sh test_valgrind.sh; do
    env -i PATH="$T/bin" "$SH" "$IT/$s" /nonexistent/scboot /nonexistent/x /nonexistent/y > "$T/out" 2>&1; rc=$?
    check "$s without its tools: skipped" '[ $rc = 0 ] && grep -q "^1..0 # SKIP" "$T/out"'
    env -i PATH="$T/bin" SCBOOT_REQUIRE_PCSC=1 "$SH" "$IT/$s" /nonexistent/scboot /nonexistent/x /nonexistent/y > "$T/out" 2>&1; rc=$?
    check "$s without its tools, SCBOOT_REQUIRE_PCSC=1: fails, never skips" '[ $rc != 0 ] && [ $rc != 77 ] && ! grep -q "SKIP" "$T/out" && grep -q "required but not installed" "$T/out"'
done
# the completion lint's bash-completion half: skipped without it, failed when required
LINT=$(dirname "$IT")/lint
if command -v bash > /dev/null; then
    D=$(dirname "$IT")/data
    SCBOOT_BASH_COMPLETION=/nonexistent bash "$LINT/test_completion.sh" "$(dirname "$IT")/../tools/completion/scboot.bash" /bin/true "$D" > "$T/out" 2>&1; rc=$?
    check "test_completion.sh without bash-completion: its cases skipped" 'grep -q "# SKIP bash-completion not installed" "$T/out"'
    SCBOOT_REQUIRE_PCSC=1 SCBOOT_BASH_COMPLETION=/nonexistent bash "$LINT/test_completion.sh" "$(dirname "$IT")/../tools/completion/scboot.bash" /bin/true "$D" > "$T/out" 2>&1; rc=$?
    check "test_completion.sh without bash-completion, SCBOOT_REQUIRE_PCSC=1: fails, never skips" '[ $rc != 0 ] && ! grep -q "SKIP" "$T/out" && grep -q "required but not installed" "$T/out"'
fi
echo "1..$tn"
[ $fails = 0 ]

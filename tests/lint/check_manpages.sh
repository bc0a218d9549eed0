#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_manpages.sh SRCDIR: the manual pages cover the code. Every long option the CLI sources
# declare (struct option tables in tools/*.c) is in scboot(1) or, for scboot_vcard.c and
# scboot_vmodem.c, in scboot-vcard(1) and scboot-vmodem(1); every subcommand of the dispatch table is in scboot(1); every key of the
# configuration file parser (bootstrap/service/conf.c, when present) is in scboot.conf(5).
set -u
src=$1
doc=$src/doc
status=0
n=0
result() { n=$((n + 1)); if [ -z "$2" ]; then echo "ok $n - $1"; else echo "not ok $n - $1: missing$2"; status=1; fi; }
long_opts() { grep -oh '{"[a-z0-9-]*", *[a-z_]*_argument' "$@" | sed 's/{"\([^"]*\)".*/\1/' | sort -u; }

echo "1..5"
missing=""
for o in $(long_opts $(ls "$src"/tools/*.c | grep -v 'scboot_vcard.c\|scboot_vmodem.c')); do
    grep -q -- "\*--$o\*" "$doc/scboot.1.scd" || missing="$missing --$o"
done
result "scboot(1) documents every long option of tools/*.c" "$missing"

missing=""
for o in $(long_opts "$src/tools/scboot_vcard.c"); do
    grep -q -- "\*--$o\*" "$doc/scboot-vcard.1.scd" || missing="$missing --$o"
done
result "scboot-vcard(1) documents every long option of scboot_vcard.c" "$missing"

missing=""
for o in $(long_opts "$src/tools/scboot_vmodem.c"); do
    grep -q -- "\*--$o\*" "$doc/scboot-vmodem.1.scd" || missing="$missing --$o"
done
result "scboot-vmodem(1) documents every long option of scboot_vmodem.c" "$missing"

# subcommands: the names in scboot.c's command table ({"name", cmd_...})
missing=""
cmds=$(grep -oh '{"[a-z]*", *cmd_[a-z_]*' "$src/tools/scboot.c" | sed 's/{"\([a-z]*\)".*/\1/')
[ -n "$cmds" ] || missing=" (no command table found in tools/scboot.c)"
for c in $cmds; do
    grep -q "^\*$c\*" "$doc/scboot.1.scd" || missing="$missing $c"
done
result "scboot(1) has a section for every subcommand" "$missing"

missing=""
if [ -f "$src/bootstrap/service/conf.c" ]; then
    keys=$(sed -n '/key_names\[/,/};/p' "$src/bootstrap/service/conf.c" | grep -o '"[a-z0-9-]*"' | tr -d '"')
    [ -n "$keys" ] || missing=" (no key_names table in bootstrap/service/conf.c)"
    for k in $keys; do
        grep -q "^\*$k\* = " "$doc/scboot.conf.5.scd" || missing="$missing $k"
    done
    result "scboot.conf(5) documents every key of bootstrap/service/conf.c" "$missing"
else
    for k in reader pin-file scp03-keys factory exec exec-timeout verify state-dir; do
        grep -q "^\*$k\* = " "$doc/scboot.conf.5.scd" || missing="$missing $k"
    done
    result "scboot.conf(5) documents the keys of the daemon's configuration file" "$missing"
fi
exit $status

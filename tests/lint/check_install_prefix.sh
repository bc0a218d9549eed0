#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_install_prefix.sh BUILDDIR PREFIX: `meson install` of a build whose prefix is not /usr
# (a staged or unprivileged install) writes nothing outside the prefix: the systemd unit and
# the sysusers.d file included (systemd.pc names /lib/systemd/system and /usr/lib/sysusers.d).
set -u
BUILD=$1 PREFIX=$2
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
if [ "$PREFIX" = /usr ]; then
    echo "1..1"
    echo "ok 1 - prefix /usr: systemd's own folders are the right ones # the build's prefix is /usr"
    exit 0
fi
out=$(python3 -c '
import json, sys
for dest in json.load(open(sys.argv[1])).values():
    print(dest)
' "$BUILD/meson-info/intro-installed.json") || { echo "1..1"; echo "not ok 1 - read intro-installed.json"; exit 1; }
outside=$(printf '%s\n' "$out" | grep -v "^$PREFIX/")
check "every installed file is under the prefix $PREFIX" '[ -z "$outside" ]'
[ -z "$outside" ] || printf '# outside: %s\n' $outside
check "the unit and the sysusers.d file are installed" 'printf "%s\n" "$out" | grep -q "/scboot.service$" && printf "%s\n" "$out" | grep -q "/sysusers.d/scboot.conf$"'
echo "1..$tn"
[ $fails = 0 ]

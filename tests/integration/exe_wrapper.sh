#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# exe_wrapper.sh OUT EXE WRAPPER...: write OUT, a script that runs EXE through WRAPPER (a cross
# build's qemu-user, from the cross file). The integration scripts are handed OUT in place of
# the target's program, so they run it on the build machine without binfmt_misc; exec keeps
# the pid, and qemu-user passes signals on to the program.
set -eu
out=$1 exe=$2
shift 2
{
    echo '#!/bin/sh'
    printf 'exec'
    for a in "$@" "$exe"; do printf " '%s'" "$a"; done
    echo ' "$@"'
} > "$out.tmp"
chmod 0755 "$out.tmp"
mv "$out.tmp" "$out"

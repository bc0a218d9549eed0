#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_shared_state.sh LIB.so...: the libraries keep no writable static storage, so what the
# headers say about threads holds: every handle owns its state, distinct handles share
# nothing. A writable object (in .data, .bss or thread-local storage) is a static buffer or
# counter behind the caller's back; constant tables live in .rodata / .data.rel.ro and pass.
# readelf, not objdump: it reads a cross build's libraries too.
set -u
# completed.0: the C runtime's own flag (crtstuff.c), in every shared object.
# served: coap.c's address tag for a session that carried a request; only its address is used.
allowed='completed.0 served'
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..$#"
n=0 status=0
for lib in "$@"; do
    n=$((n + 1))
    # section index -> name, then every local or global OBJECT whose section is writable data
    readelf -SW "$lib" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .*/\1 \2/p' >"$tmp/sections" &&
        readelf -sW "$lib" >"$tmp/symbols" || { echo "not ok $n - readelf cannot read $lib"; status=1; continue; }
    found=$(awk 'NR == FNR { name[$1] = $2; next }
        $4 == "OBJECT" && ($7 in name) && name[$7] ~ /^\.(data|bss|tdata|tbss)$/ &&
            $8 !~ /^[_.]/ { print $8 }' "$tmp/sections" "$tmp/symbols" | sort -u)
    bad=""
    for s in $found; do
        case " $allowed " in *" $s "*) ;; *) bad="$bad $s" ;; esac
    done
    if [ -z "$bad" ]; then
        echo "ok $n - $(basename "$lib") has no writable static storage"
    else
        echo "not ok $n - $(basename "$lib") has writable static storage:$bad"
        echo "# make it const, or move it into the handle that uses it"
        status=1
    fi
done
exit $status

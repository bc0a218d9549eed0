#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_exports.sh: a shared library exports exactly what its installed headers declare.
#   check_exports.sh LIB.so VERSION_NODE INCLUDE_DIR only|except HEADER...
# With SYMBOLS_FILE=debian/PKG.symbols in the environment, that file lists the same symbols,
# for the library's soname (package libXN) and all under VERSION_NODE.
# The header side comes from the compiler (gcc -aux-info lists every function prototype with
# the file it came from) plus the extern variables of the preprocessed headers; the library
# side from `nm -D --defined-only`. Any difference fails, in both directions: a leaked internal
# (emulator, crypto helper, test hook) or a declared function that is hidden or missing.
set -u
lib=$1 node=$2 incdir=$3 mode=$4
shift 4
CC=${CC_FOR_LINT:-gcc}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

headers=""
for h in "$incdir"/scboot/*.h; do
    base=$(basename "$h")
    listed=no
    for n in "$@"; do [ "$n" = "$base" ] && listed=yes; done
    if { [ "$mode" = only ] && [ $listed = yes ]; } || { [ "$mode" = except ] && [ $listed = no ]; }; then
        headers="$headers $h"
    fi
done
echo "1..6"
[ -n "$headers" ] || { echo "not ok 1 - no headers selected"; exit 1; }

: >"$tmp/declared"
for h in $headers; do
    # functions: the compiler's own list of prototypes, keeping those written in this header
    "$CC" -fsyntax-only -aux-info "$tmp/aux" -I"$incdir" -x c "$h" || { echo "not ok 1 - $h does not compile"; exit 1; }
    grep -F "/* $h:" "$tmp/aux" | grep -v '\*/ static ' |
        sed -n 's/.*\*\/ [^(]*[ *]\([A-Za-z_][A-Za-z0-9_]*\) (.*/\1/p' >>"$tmp/declared"
    # variables: extern declarations (no parameter list) of this header, comments removed
    "$CC" -E -I"$incdir" -x c "$h" | awk -v h="$h" '
        /^# [0-9]+ "/ { f = $3; gsub(/"/, "", f); next }
        f == h' | tr '\n' ' ' | tr ';' '\n' | grep -E '^[[:space:]]*extern[^(]*$' |
        sed 's/\[.*//; s/=.*//' | awk '{print $NF}' | tr -d '*' >>"$tmp/declared"
done
sort -u "$tmp/declared" >"$tmp/want"

nm -D --defined-only --without-symbol-versions "$lib" | awk '$2 != "A" { print $3 }' | sort -u >"$tmp/have"

if [ ! -s "$tmp/want" ]; then
    echo "not ok 1 - no declarations found in$headers"
    exit 1
fi
status=0
if cmp -s "$tmp/want" "$tmp/have"; then
    echo "ok 1 - $(basename "$lib") exports exactly the $(wc -l <"$tmp/want") functions and variables of its headers"
else
    echo "not ok 1 - $(basename "$lib") exports differ from its headers"
    comm -13 "$tmp/want" "$tmp/have" | sed 's/^/#   exported but not declared in a public header: /'
    comm -23 "$tmp/want" "$tmp/have" | sed 's/^/#   declared in a public header but not exported: /'
    status=1
fi

# none(N, what holds, what is wrong, offenders): ok when there are no offenders
none() {
    if [ -z "$4" ]; then
        echo "ok $1 - $2"
    else
        echo "not ok $1 - $3: $(echo $4)"
        status=1
    fi
}

# every export carries the version node
none 2 "every export is in version node $node" "exports outside $node" \
    "$(objdump -T "$lib" | awk -v n="$node" '$2 != "*UND*" && / g / && $0 !~ (" " n " ") && $NF != n { print $NF }' | grep -v '^$')"

# nothing but the public prefix leaves the library
none 3 "every export has the scb_ prefix" "exports without the scb_ prefix" \
    "$(grep -v '^scb_' "$tmp/have")"

# what must never be public, whatever a header declares: crypto primitives (the crypto seam
# and the SCP03 filter's KDF are internal), test hooks, decoder internals; and the emulator
# outside its own library
internal='_(kdf|cmac|aes|cipher|hmac|drbg|rng_seed)(_|$)|_set_hook$|_set_counter$|^scb_decode_fail$'
[ "$node" = SCBOOT_EMU_1.0 ] || internal="$internal|^(scb_)?emu_"
none 4 "no crypto helper, test hook or emulator internal is exported" \
    "internal helpers exported (move them to an *_internal.h)" "$(grep -E "$internal" "$tmp/have")"

# the Debian symbols file promises the same set (dpkg-gensymbols only runs in the package suite)
if [ -n "${SYMBOLS_FILE:-}" ]; then
    grep '^ ' "$SYMBOLS_FILE" | awk '{ print $1 }' | sed 's/@.*//' | grep -vx "$node" | sort -u >"$tmp/deb"
    none 5 "$(basename "$SYMBOLS_FILE") lists exactly the exports" \
        "$(basename "$SYMBOLS_FILE") differs from the exports (< only in the file, > only exported)" \
        "$(diff "$tmp/deb" "$tmp/have" | grep '^[<>]')"
    # and on the library's soname, package and version node: "libX.so.N libXN" (Debian's
    # name for soname N) and every symbol @NODE, so a soname or node change cannot leave the
    # file behind
    soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    base=${soname%%.so.*} ver=${soname##*.so.}
    case $base in *[0-9]) want_pkg=$base-$ver ;; *) want_pkg=$base$ver ;; esac
    head=$(head -n 1 "$SYMBOLS_FILE")
    none 6 "$(basename "$SYMBOLS_FILE") is for $soname ($want_pkg), every symbol @$node" \
        "$(basename "$SYMBOLS_FILE") does not match $soname / $want_pkg / $node" \
        "$([ "$head" = "$soname $want_pkg #MINVER#" ] || echo "first line: $head;")$(grep '^ ' "$SYMBOLS_FILE" | awk -v n="$node" '$1 !~ ("@" n "$") { print $1 }' | head -n 5)"
else
    echo "ok 5 # SKIP no SYMBOLS_FILE given"
    echo "ok 6 # SKIP no SYMBOLS_FILE given"
fi
exit $status

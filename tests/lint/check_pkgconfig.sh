#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_pkgconfig.sh PCDIR INCDIR LIBSCBOOT.so LIBSCBOOT.a LIBSCBOOT-EMU.so LIBSCBOOT-EMU.a CC:
# the .pc files meson generates (PCDIR: the build's meson-private/) give a downstream project
# everything it needs, with exactly pkg-config's flags:
#  - static: a program that uses every symbol each shared library exports links against the
#    .a files with `pkg-config --static --libs` (Libs.private complete: a
#    library the archive's objects need but the .pc forgets is an undefined reference here);
#  - cflags: `pkg-config --cflags scboot` (and scboot-emu) is our own -I alone, no dependency's
#    include path (json-c, PC/SC, ...): no installed header needs one, and no header but
#    scboot/json.h names json-c (a forward declaration), so every header compiles with it;
#  - json-c: a program that takes scb_config_to_json()'s object and frees it with
#    json_object_put() asks for json-c itself: `pkg-config --cflags --libs scboot json-c`.
# The installed prefix is replaced by the build tree (-I INCDIR, the libraries' own paths).
set -u
pcdir=$1 incdir=$2 so=$3 a=$4 emu_so=$5 emu_a=$6
shift 6
CC=$*
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export PKG_CONFIG_PATH="$pcdir"
n=0 status=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; status=1; }
echo "1..6"

# pkg-config's flags for PKG, without the installed prefix's -I/-L and our own -l (the build
# tree's files stand in for them)
flags() {
    libdir=$(pkg-config --variable=libdir "$1") incl=$(pkg-config --variable=includedir "$1")
    pkg-config "$@" | tr ' ' '\n' |
        grep -v -x -e "-L$libdir" -e "-I$incl" -e '-lscboot' -e '-lscboot-emu' -e '' | tr '\n' ' '
}

# a program referencing every export of LIB.so (their types do not matter to the linker)
refs() {
    nm -D --defined-only --without-symbol-versions "$1" | awk '$2 != "A" { print $3 }' |
        sort -u >"$tmp/syms"
    awk '{ printf "extern char %s[];\n", $1 } END { print "void *scb_refs[];" }' "$tmp/syms"
    echo "void *scb_refs[] = {"
    awk '{ printf "    %s,\n", $1 }' "$tmp/syms"
    echo "};"
    echo "int main(void) { return scb_refs[0] == 0; }"
}

refs "$so" >"$tmp/all.c"
if $CC -o "$tmp/all" "$tmp/all.c" "$a" $(flags scboot --static --libs) >"$tmp/log" 2>&1; then
    ok "every libscboot export links from libscboot.a with pkg-config --static --libs scboot"
else
    bad "libscboot.a + pkg-config --static --libs scboot: $(flags scboot --static --libs)"
    grep -o "undefined reference to \`[^']*'" "$tmp/log" | sort -u | head -n 20 | sed 's/^/#   /'
fi

refs "$emu_so" >"$tmp/emu.c"
if $CC -o "$tmp/emu" "$tmp/emu.c" "$emu_a" "$a" $(flags scboot-emu --static --libs) >"$tmp/log" 2>&1; then
    ok "every libscboot-emu export links from the .a files with pkg-config --static --libs scboot-emu"
else
    bad "libscboot-emu.a + pkg-config --static --libs scboot-emu: $(flags scboot-emu --static --libs)"
    grep -o "undefined reference to \`[^']*'" "$tmp/log" | sort -u | head -n 20 | sed 's/^/#   /'
fi

# --cflags: nothing but -I${includedir} (none of a dependency's -I, -pthread, -D...)
for p in scboot scboot-emu; do
    extra=$(flags "$p" --cflags)
    if [ -z "$(echo $extra)" ]; then
        ok "pkg-config --cflags $p is its own include directory alone"
    else
        bad "pkg-config --cflags $p carries a dependency's flags: $extra"
    fi
done

# no header but json.h names or includes a dependency (json-c, PC/SC, libcbor, libcoap, mbedTLS)
names=$(grep -l -E 'json_object|json-c/|<json\.h>|winscard|<PCSC/|<cbor|<coap3?/|mbedtls/' \
            "$incdir"/scboot/*.h | grep -v '/scboot/json\.h$')
# and every header compiles with pkg-config --cflags scboot alone (json.h too)
for h in "$incdir"/scboot/*.h; do echo "#include \"scboot/$(basename "$h")\""; done >"$tmp/all_headers.c"
echo "int main(void) { return 0; }" >>"$tmp/all_headers.c"
if [ -z "$names" ] &&
   $CC -I"$incdir" -o "$tmp/all_headers" "$tmp/all_headers.c" $(flags scboot --cflags) >"$tmp/log" 2>&1; then
    ok "every installed header compiles with pkg-config --cflags scboot; only json.h names json-c"
else
    bad "headers naming a dependency: ${names:-none}; compile with --cflags scboot: $(head -c 600 "$tmp/log")"
fi

cat >"$tmp/json.c" <<'C'
#include <json.h>
#include <stdio.h>
#include "scboot/json.h"
#include "scboot/model.h"
int main(void)
{
    struct scb_config cfg;
    scb_config_init(&cfg);
    struct json_object *j = scb_config_to_json(&cfg, 0);
    if (j == NULL) { return 1; }
    puts(json_object_to_json_string(j));
    json_object_put(j); /* the documented way to free it */
    scb_config_free(&cfg);
    return 0;
}
C
if $CC -I"$incdir" -o "$tmp/json" "$tmp/json.c" $(flags scboot --cflags --libs) \
        $(pkg-config --cflags --libs json-c) \
        -L"$(dirname "$so")" -lscboot >"$tmp/log" 2>&1 &&
   LD_LIBRARY_PATH="$(dirname "$so")" "$tmp/json" >/dev/null; then
    ok "a program that frees scb_config_to_json()'s object builds with pkg-config --cflags --libs scboot json-c"
else
    bad "scb_config_to_json + json_object_put with pkg-config --cflags --libs scboot json-c"
    sed 's/^/#   /' "$tmp/log" | head -n 10
fi
exit $status

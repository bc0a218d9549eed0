#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_static_link.sh BUILDDIR SRCDIR CC...: the links doc/linking.md documents, done as a user
# does them after `meson install`: the build is installed into a scratch DESTDIR, pkg-config
# reads the installed scboot.pc (PKG_CONFIG_SYSROOT_DIR maps its paths into the DESTDIR), and
# tests/link/static_app.c is linked
#  - against libscboot.a with shared dependencies (the documented command, word for word),
#    which leaves no libscboot.so in the program's needs and runs without it;
#  - against libscboot.so (the plain shared link);
# and a fully static link fails for the documented reason: Debian 12 ships no libpcsclite.a
# and no libcbor.a.
set -u
build=$1 src=$2
shift 2
CC=$*
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 status=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; status=1; }
echo "1..5"

if ! meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/install.log" 2>&1; then
    echo "not ok 1 - meson install --destdir"; sed 's/^/#   /' "$tmp/install.log" | tail -n 20
    exit 1
fi
pc=$(find "$tmp/root" -name scboot.pc | head -n 1)
[ -n "$pc" ] || { echo "not ok 1 - no scboot.pc installed"; exit 1; }
export PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH="$(dirname "$pc")"
unset PKG_CONFIG_LIBDIR
# pkgconf maps variables into the sysroot too
libdir=$(pkg-config --variable=libdir scboot)
[ -f "$libdir/libscboot.a" ] && ok "libscboot.a and scboot.pc installed" || bad "no libscboot.a in $libdir"
cp "$src/tests/link/static_app.c" "$tmp/app.c"
cd "$tmp" || exit 1
# no pcscd is asked: the reader list fails with SCB_E_NO_SERVICE at once
export PCSCLITE_CSOCK_NAME="$tmp/no-pcscd"

# doc/linking.md, "libscboot.a with shared dependencies": the command as written there
if $CC -o app app.c $(pkg-config --cflags scboot) \
        -Wl,-Bstatic $(pkg-config --libs scboot) -Wl,-Bdynamic \
        $(pkg-config --static --libs-only-l scboot | sed 's/^-lscboot //') >link.log 2>&1; then
    ok "static libscboot, shared dependencies: links with the documented command"
else
    bad "static libscboot link failed"; sed 's/^/#   /' link.log | head -n 20
fi
if [ -x app ] && ! readelf -d app | grep NEEDED | grep -q libscboot &&
   ./app >run.log 2>&1 && grep -q '^senml: SCB_OK$' run.log && grep -q '^pcsc: SCB_E_NO_SERVICE$' run.log &&
   grep -q '"objects"' run.log; then
    ok "the program needs no libscboot.so and runs ($(readelf -d app | grep -c NEEDED) shared libraries, all Debian's)"
else
    bad "static libscboot program: $(readelf -d app 2>&1 | grep NEEDED | tr -s ' ' | tr '\n' ' ') $(cat run.log 2>/dev/null)"
fi

# the shared link, run with the installed library
if $CC -o app-shared app.c $(pkg-config --cflags --libs scboot) >link.log 2>&1 &&
   LD_LIBRARY_PATH="$libdir" ./app-shared >run.log 2>&1 && grep -q '^senml: SCB_OK$' run.log &&
   readelf -d app-shared | grep NEEDED | grep -q 'libscboot\.so\.1'; then
    ok "shared link with pkg-config --cflags --libs scboot needs libscboot.so.1 and runs"
else
    bad "shared link"; sed 's/^/#   /' link.log run.log 2>/dev/null | head -n 20
fi

# fully static: what stops it is the missing archives, as doc/linking.md says
case " $CC " in
*" -fsanitize="*)
    n=$((n + 1)); echo "ok $n # SKIP the sanitizers cannot link -static" ;;
*)
if $CC -static -o app-static app.c $(pkg-config --cflags scboot) $(pkg-config --static --libs scboot) \
        >link.log 2>&1; then
    ok "fully static link works here # doc/linking.md says it cannot on Debian 12: update it"
elif grep -q 'cannot find -lpcsclite' link.log && grep -q 'cannot find -lcbor' link.log; then
    ok "fully static link fails: no libpcsclite.a, no libcbor.a (as documented)"
else
    bad "fully static link failed for another reason than documented"; sed 's/^/#   /' link.log | head -n 20
fi ;;
esac
exit $status

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_package.sh SRCDIR [ARCH]: build the Debian packages from a copy of the tree, run lintian
# (errors fail), install them with dpkg -i and use the installed programs and libraries.
# With ARCH (a cross build's Debian architecture, e.g. arm64): cross-build them for ARCH
# (dpkg-buildpackage -a ARCH), lintian and check their contents; not installed.
# The installation happens in a private mount namespace with throw-away overlays on /usr, /etc
# and /var, so the machine running the test is left as it was (CI and developer hosts alike).
# Needs root, dpkg-dev, debhelper, lintian and the Build-Depends of debian/control; without
# them the test skips (77), unless SCBOOT_REQUIRE_PACKAGE=1.
set -u
src=$(cd "$1" && pwd)
arch=${2:-}
[ "$arch" = "$(dpkg --print-architecture 2>/dev/null)" ] && arch=
n=0
status=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; status=1; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else bad "$desc"; fi; }
skip_all() {
    if [ "${SCBOOT_REQUIRE_PACKAGE:-0}" = 1 ]; then echo "1..1"; echo "not ok 1 - $1"; exit 1; fi
    echo "1..0 # SKIP $1"; exit 77
}

[ "$(id -u)" = 0 ] || skip_all "needs root (dpkg -i in a private mount namespace)"
for t in dpkg-buildpackage dh lintian unshare; do
    command -v "$t" >/dev/null 2>&1 || skip_all "$t missing"
done
# the installed daemon against a real pcscd + vpcd (watch_installed.sh)
for t in pcscd setpriv nsenter ip /usr/bin/python3; do
    command -v "$t" >/dev/null 2>&1 || skip_all "$t missing (the installed daemon's case)"
done
[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || skip_all "vsmartcard-vpcd missing (the installed daemon's case)"
( cd "$src" && dpkg-checkbuilddeps ${arch:+-a "$arch"} ) >/dev/null 2>&1 ||
    skip_all "Build-Depends${arch:+ for $arch} missing: $(cd "$src" && dpkg-checkbuilddeps ${arch:+-a "$arch"} 2>&1)"
build="dpkg-buildpackage -us -uc -b"
if [ -n "$arch" ]; then
    # the tests do not run in the package build (debian/rules); CC names the cross compiler so
    # dpkg-architecture does not warn that the build machine's cc is for another CPU
    gnu_type=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null)
    command -v "$gnu_type-gcc" >/dev/null 2>&1 || skip_all "$gnu_type-gcc missing (crossbuild-essential-$arch)"
    build="env CC=$gnu_type-gcc DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -a $arch -Pnocheck -us -uc -b"
fi

# install steps run inside the namespace: 11 of their own, then watch_installed.sh's
watch_steps=12
steps=$((11 + watch_steps))
work=$(mktemp -d /tmp/scboot-pkg.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"

# the tree as git sees it (tracked and new files, no build folders); a plain copy otherwise
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files --cached --others --exclude-standard |
        while IFS= read -r f; do [ -e "$src/$f" ] && printf '%s\n' "$f"; done |
        tar -C "$src" -cf - -T - | tar -C "$work/src" -xf -
else
    tar -C "$src" --exclude='./build*' -cf - . | tar -C "$work/src" -xf -
fi

if [ -n "$arch" ]; then echo "1..9"; else echo "1..$((8 + steps))"; fi
if (cd "$work/src" && $build) >"$work/build.log" 2>&1; then
    ok "${build#env * * }"
else
    bad "${build#env * * }"
    tail -n 40 "$work/build.log" | sed 's/^/# /'
    exit 1
fi
grep -i 'dpkg-gensymbols: warning' -A3 "$work/build.log" | sed 's/^/# /'

changes=$(ls "$work"/scboot_*.changes)
if lintian --fail-on error --suppress-tags-from-file /dev/null "$changes" >"$work/lintian.log" 2>&1; then
    ok "lintian: no errors"
else
    bad "lintian: errors"
fi
sed 's/^/# lintian: /' "$work/lintian.log"

debs=""
all=yes
for p in libscboot1 libscboot-dev libscboot-emu1 libscboot-emu-dev scboot scboot-vcard; do
    d=$(ls "$work"/${p}_*.deb 2>/dev/null)
    if [ -n "$d" ]; then debs="$debs $d"; else all=no; echo "# missing package $p"; fi
done
check "six binary packages" [ $all = yes ]

contents() { dpkg-deb -c "$work/$1"_*.deb | awk '{print $6}'; }
check "libscboot1 holds only the shared library" \
    sh -c "! dpkg-deb -c $work/libscboot1_*.deb | awk '{print \$6}' | grep -v -e '/\$' -e 'libscboot\\.so\\.1' -e '/usr/share/doc/'"
check "libscboot-dev: headers, .pc, static library, the example client, no emulator header" \
    sh -c "c=\$(dpkg-deb -c $work/libscboot-dev_*.deb); echo \"\$c\" | grep -q 'include/scboot/apdu.h' &&
           echo \"\$c\" | grep -q 'pkgconfig/scboot.pc' && echo \"\$c\" | grep -q 'libscboot\\.a' &&
           echo \"\$c\" | grep -q 'doc/libscboot-dev/examples/example_client.c' &&
           ! echo \"\$c\" | grep -q 'emu'"
check "libscboot-emu-dev: emu.h, scboot-emu.pc, libscboot-emu.a" \
    sh -c "c=\$(dpkg-deb -c $work/libscboot-emu-dev_*.deb); echo \"\$c\" | grep -q 'include/scboot/emu.h' &&
           echo \"\$c\" | grep -q 'pkgconfig/scboot-emu.pc' && echo \"\$c\" | grep -q 'libscboot-emu\\.a'"

check "scboot ships its manual pages, bash completion, unit, examples and hand-off schemas" \
    sh -c "c=\$(dpkg-deb -c $work/scboot_*.deb); for f in man1/scboot.1.gz man5/scboot.conf.5.gz \
           completions/scboot completions/scboot-vcard system/scboot.service sysusers.d/scboot.conf examples/scboot.conf.example \
           examples/on-change.example profiles/standard.json ./etc/scboot/scboot.conf \
           schema/scboot-store-1.schema.json schema/scboot-config-1.schema.json \
           schema/scboot-check-1.schema.json schema/scboot-hook-1.schema.json schema/scboot-dump-1.schema.json \
           doc/scboot/hand-off.md; do
           echo \"\$c\" | grep -q \"\$f\" || { echo \"# not in scboot: \$f\"; exit 1; }; done"
check "scboot-vcard ships scboot-vcard(1)" \
    sh -c "dpkg-deb -c $work/scboot-vcard_*.deb | grep -q 'man1/scboot-vcard.1.gz'"

if [ -n "$arch" ]; then
    # a cross build's packages: for ARCH, their programs and libraries built for its CPU; the
    # build machine cannot install and run them (the cross build's test suites run under qemu)
    machine=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_CPU 2>/dev/null)
    check "the packages are $arch, scboot and libscboot.so.1 are $machine ELF files" \
        sh -c "for d in $debs; do [ \"\$(dpkg-deb -f \"\$d\" Architecture)\" = $arch ] || exit 1; done &&
               rm -rf $work/x && dpkg-deb -x $work/scboot_*.deb $work/x && dpkg-deb -x $work/libscboot1_*.deb $work/x &&
               for f in $work/x/usr/bin/scboot $work/x/usr/lib/$gnu_type/libscboot.so.1; do
               readelf -h \"\$f\" | grep -qi 'Machine: *$machine\$' || exit 1; done"
    exit $status
fi

# Install and use, inside a private mount namespace with overlays (nothing stays on the host).
cat >"$work/client.c" <<'C'
#include <stdio.h>
#include <scboot/emu.h>
#include <scboot/error.h>
int main(int argc, char **argv)
{
    struct scb_emu *e = NULL;
    uint8_t atr[40];
    size_t n = 0;
    char err[200] = "";
    int rc = scb_emu_load(argv[argc - 1], &e, err, sizeof(err));
    if (rc != 0) { fprintf(stderr, "load: %s %s\n", scb_error_string(rc), err); return 1; }
    rc = scb_emu_atr(e, atr, sizeof(atr), &n);
    printf("atr %zu bytes, %s\n", n, scb_error_string(rc));
    scb_emu_free(&e);
    return rc != 0 || n == 0;
}
C
cat >"$work/inside.sh" <<'INSIDE'
set -u
work=$1; shift
for d in usr etc var; do
    mkdir -p "$work/ovl/$d/up" "$work/ovl/$d/wk"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/ovl/$d/up,workdir=$work/ovl/$d/wk" "/$d" || exit 10
done
n=8
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; }
if dpkg -i "$@" >"$work/dpkg.log" 2>&1; then ok "dpkg -i of the six packages"; else bad "dpkg -i"; sed 's/^/# /' "$work/dpkg.log"; fi
prof=/usr/share/scboot/profiles/standard.json
if out=$(scboot dump -r "virtual:$prof" 2>&1) && echo "$out" | grep -q '8988211000000430010'; then
    ok "installed scboot dump -r virtual:$prof reads the card"
else
    bad "installed scboot dump"; echo "$out" | sed 's/^/# /'
fi
if scboot --help >/dev/null 2>&1 && scboot-vcard --help >/dev/null 2>&1; then
    ok "installed scboot and scboot-vcard start"
else
    bad "installed scboot --help / scboot-vcard --help"
fi
unit=/lib/systemd/system/scboot.service
man_check=--man=no
command -v man >/dev/null 2>&1 && man_check=--man=yes
if getent passwd scboot >/dev/null && out=$(systemd-analyze verify $man_check "$unit" 2>&1) && [ -z "$out" ]; then
    ok "the installed unit verifies ($man_check) and its user scboot exists"
else
    bad "installed unit / user"; echo "${out:-}" | sed 's/^/# /'; getent passwd scboot | sed 's/^/# /'
fi
if bash -c '. /usr/share/bash-completion/completions/scboot && complete -p scboot && complete -p scboot-vcard' >/dev/null 2>&1; then
    ok "the installed bash completion registers scboot and scboot-vcard"
else
    bad "installed bash completion"
fi
if cc -Wall -Werror -o "$work/client" "$work/client.c" $(pkg-config --cflags --libs scboot-emu) 2>"$work/cc.log" &&
   "$work/client" "$prof" >/dev/null; then
    ok "a program built with pkg-config scboot-emu against the installed libraries runs"
else
    bad "build/run against pkg-config scboot-emu"; sed 's/^/# /' "$work/cc.log"
fi
# the integrator's example as installed, built from the installed headers and libraries alone
ex=/usr/share/doc/libscboot-dev/examples/example_client.c
if cc -Wall -Werror -o "$work/example" "$ex" $(pkg-config --cflags --libs scboot scboot-emu) \
        2>"$work/cc3.log" && "$work/example" "$prof" /nonexistent 2>&1 | grep -q '^start-up: card applied'; then
    ok "the installed example client builds with pkg-config scboot scboot-emu and runs"
else
    bad "the installed example client"; sed 's/^/# /' "$work/cc3.log"
fi
ma=$(gcc -print-multiarch)
priv=$(pkg-config --static --libs scboot-emu | sed 's/-lscboot-emu / /; s/-lscboot / /')
if cc -o "$work/client-static" "$work/client.c" $(pkg-config --cflags scboot-emu) \
        "/usr/lib/$ma/libscboot-emu.a" "/usr/lib/$ma/libscboot.a" $priv 2>"$work/cc2.log" &&
   "$work/client-static" "$prof" >/dev/null && ! ldd "$work/client-static" | grep -q libscboot; then
    ok "the same program linked with libscboot-emu.a + libscboot.a (pkg-config --static) runs"
else
    bad "static link against libscboot-emu.a + libscboot.a"; sed 's/^/# /' "$work/cc2.log"
fi
# libscboot.a alone, through pkg-config --static scboot: every library it needs must be there
# (SenML CBOR pulls libcbor in)
cat >"$work/senml.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <scboot/model.h>
#include <scboot/senml.h>
#include <scboot/error.h>
int main(void)
{
    const uint8_t pack[] = {0x80}; /* an empty CBOR array: no record */
    int rc = scb_senml_decode(112, pack, sizeof(pack), NULL, 0, NULL, NULL);
    printf("%s\n", scb_error_string(rc));
    return 0;
}
C
if cc -o "$work/senml-static" "$work/senml.c" $(pkg-config --cflags scboot) "/usr/lib/$ma/libscboot.a" \
        $(pkg-config --static --libs scboot | sed 's/-lscboot / /') 2>"$work/cc3.log" &&
   "$work/senml-static" >/dev/null && ! ldd "$work/senml-static" | grep -q libscboot; then
    ok "a SenML program linked with libscboot.a and pkg-config --static scboot runs"
else
    bad "static link with pkg-config --static scboot"; sed 's/^/# /' "$work/cc3.log"
fi
# the installed daemon as the installed unit runs it, against a real pcscd + vpcd
out=$(sh "$work/src/tests/package/watch_installed.sh" "$work" $n 2>&1)
echo "$out"
n=$((n + $(echo "$out" | grep -c '^ok \|^not ok ')))
# purge: the programs, the conffile and the state directory (the committed configuration,
# keys in clear) go; the system user stays (as Debian does); a reinstall finds it again
state_before=no
[ -s /var/lib/scboot/config.json ] && state_before=yes
if dpkg -P libscboot-emu-dev libscboot-dev scboot scboot-vcard libscboot-emu1 libscboot1 >"$work/purge.log" 2>&1 &&
   ! [ -e /usr/bin/scboot ] && ! [ -e /etc/scboot/scboot.conf ] && [ $state_before = yes ] &&
   ! [ -e /var/lib/scboot ] && getent passwd scboot >/dev/null; then
    ok "dpkg -P removes them, the conffile and /var/lib/scboot (keys in clear), keeps the user"
else
    bad "dpkg -P (state before: $state_before)"; sed 's/^/# /' "$work/purge.log"; ls -la /var/lib/scboot /etc/scboot 2>&1 | sed 's/^/# /'
fi
uid=$(id -u scboot)
if dpkg -i "$@" >"$work/dpkg2.log" 2>&1 && [ "$(id -u scboot)" = "$uid" ] &&
   [ "$(getent passwd | grep -c '^scboot:')" = 1 ] && [ -e /etc/scboot/scboot.conf ] &&
   dpkg -P libscboot-emu-dev libscboot-dev scboot scboot-vcard libscboot-emu1 libscboot1 >>"$work/dpkg2.log" 2>&1; then
    ok "reinstall after purge: the same user scboot (uid $uid), the conffile back; purged again"
else
    bad "reinstall after purge"; sed 's/^/# /' "$work/dpkg2.log"
fi
INSIDE
unshare --mount --propagation private sh "$work/inside.sh" "$work" $debs >"$work/inside.log" 2>&1
rc=$?
cat "$work/inside.log"
got=$(grep -c '^ok \|^not ok ' "$work/inside.log")
grep -q '^not ok ' "$work/inside.log" && status=1
if [ "$rc" -ne 0 ] || [ "$got" -ne $steps ]; then
    while [ "$got" -lt $steps ]; do got=$((got + 1)); echo "not ok $((8 + got)) - install step did not run (rc $rc)"; done
    status=1
fi
exit $status

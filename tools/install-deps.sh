#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# install-deps.sh: the Debian 12 packages scboot needs, in one place (README, .ci/run).
#   tools/install-deps.sh                 build and run: compiler, meson, pcsc-lite, mbedTLS, ...
#   tools/install-deps.sh --test          everything the full test command needs as well
#   tools/install-deps.sh --cross ARCH    a cross build for a gateway CPU (ARCH: arm64 or armhf):
#                                         Debian's cross toolchain, the -dev packages of ARCH
#                                         (multiarch) and qemu-user to run its binaries
#                                         (doc/cross.md); --cross may be given more than once
#                                         and combined with --test
# Run as root (or through sudo). Uses --no-install-recommends: pcsc-tools-like packages pull
# whole desktops through Recommends.
set -eu
build="meson ninja-build pkg-config gcc libpcsclite-dev pcscd vsmartcard-vpcd libmbedtls-dev
 libjson-c-dev libcbor-dev libcoap3-dev libsystemd-dev libcmocka-dev iproute2 scdoc doxygen"
test="clang libclang-rt-14-dev python3 python3-jsonschema util-linux procps valgrind libcoap3-bin openssl
 bash-completion systemd debhelper devscripts lintian dpkg-dev fakeroot"
# the libraries scboot links, for the target architecture (multiarch: they co-install with the
# build machine's); pkg-config:ARCH brings the triplet-prefixed pkg-config the cross files name
target_dev="libc6 libpcsclite-dev libmbedtls-dev libjson-c-dev libcbor-dev libcoap3-dev
 libsystemd-dev libcmocka-dev pkg-config"

usage() {
    echo "usage: $0 [--test] [--cross arm64|armhf]..." >&2
    exit 2
}

pkgs=$build
archs=""
while [ $# -gt 0 ]; do
    case "$1" in
        --test) pkgs="$pkgs $test" ;;
        --cross)
            [ $# -ge 2 ] || usage
            case "$2" in
                arm64|armhf) ;;
                *) usage ;;
            esac
            archs="$archs $2"
            pkgs="$pkgs crossbuild-essential-$2"
            for p in $target_dev; do pkgs="$pkgs $p:$2"; done
            shift ;;
        *) usage ;;
    esac
    shift
done
if [ -n "$archs" ]; then
    # qemu-user runs the target's test binaries; the static build needs no binfmt_misc
    # registration (the cross files name it as the exe wrapper)
    pkgs="$pkgs qemu-user-static"
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: needs root (run it with sudo)" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
for a in $archs; do
    dpkg --add-architecture "$a"
done
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $pkgs

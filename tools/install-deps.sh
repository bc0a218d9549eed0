#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# install-deps.sh: the Debian 12 packages scboot needs, in one place (README, .ci/run).
#   tools/install-deps.sh          build and run: compiler, meson, pcsc-lite, mbedTLS, ...
#   tools/install-deps.sh --test   everything the full test command needs as well
# Run as root (or through sudo). Uses --no-install-recommends: pcsc-tools-like packages pull
# whole desktops through Recommends.
set -eu
build="meson ninja-build pkg-config gcc libpcsclite-dev pcscd vsmartcard-vpcd libmbedtls-dev
 libjson-c-dev libcbor-dev libcoap3-dev libsystemd-dev libcmocka-dev iproute2 scdoc doxygen"
test="clang libclang-rt-14-dev python3 python3-jsonschema util-linux procps valgrind libcoap3-bin openssl
 bash-completion systemd debhelper devscripts lintian dpkg-dev fakeroot"
pkgs=$build
case "${1:-}" in
    --test) pkgs="$build $test" ;;
    "") ;;
    *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac
if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: needs root (run it with sudo)" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $pkgs

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_debian_version.sh CHANGELOG VERSION: the newest debian/changelog entry is the project's
# version (meson.build), so the packages and the libraries' file names tell the same release.
set -u
echo "1..1"
v=$(sed -n '1s/^scboot (\([^)]*\)).*/\1/p' "$1")
if [ "$v" = "$2" ]; then
    echo "ok 1 - debian/changelog's newest entry is $2"
else
    echo "not ok 1 - debian/changelog's newest entry is '$v', meson.build says $2"
    exit 1
fi

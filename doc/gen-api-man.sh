#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# gen-api-man.sh DOXYGEN DOXYFILE OUTDIR: the API reference as section 3 manual pages, from the
# doc comments of the public headers. Doxygen writes a page per header, per struct and (as
# .so links) per documented name; the links of struct members ("data", "len") would litter
# man3 with generic names, so only scb_*/SCB_* names stay, and the header pages are renamed
# scboot_<header>.3 (error.h.3 or json.h.3 alone would be taken for anyone's header).
set -eu
doxygen=$1
doxyfile=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
{
    cat "$doxyfile"
    echo "OUTPUT_DIRECTORY = $(dirname "$out")"
    echo "MAN_OUTPUT = ."
    echo "MAN_SUBDIR = $(basename "$out")"
} | "$doxygen" -
cd "$out"
for page in *.3; do
    case $page in
        scb_* | SCB_*) ;;
        *.h.3) mv "$page" "scboot_$page" ;;
        *) rm "$page" ;;
    esac
done
# the links point to the renamed header pages
for page in scb_*.3 SCB_*.3; do
    [ -e "$page" ] || continue
    sed -i 's|^\.so man3/\([a-z0-9_]*\.h\.3\)$|.so man3/scboot_\1|' "$page"
done
# Doxygen writes "quoted" text as 'quoted', and a text line that starts with ' is a troff
# control line: escape it with the zero-width \&.
sed -i "s/^'/\\\\\&'/" scboot_*.h.3

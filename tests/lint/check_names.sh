#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_names.sh INCLUDE_DIR: every public function is named for where it lives, so an
# integrator finds it from its name alone:
#   scb_<stem>_<verb>   <stem> the header's file name (or its singular: objdefs.h, scb_objdef_)
#   scb_<stem>          the module's one entry point (scb_validate)
#   scb_<type>_<verb>   a struct or enum scb_<type> the function takes or returns, the handle
#                       or record it acts on (scb_config_add_object, scb_report_free)
# The prototypes come from the compiler (gcc -aux-info), as in check_exports.sh. TAP, one
# test per header, and one more: each public macro is defined in one header only (two
# definitions drift apart, and a caller including both sees whichever came first).
set -u
incdir=$1
CC=${CC_FOR_LINT:-gcc}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

tn=0 status=0
for h in "$incdir"/scboot/*.h; do
    stem=$(basename "$h" .h)
    tn=$((tn + 1))
    if ! "$CC" -fsyntax-only -aux-info "$tmp/aux" -I"$incdir" -x c "$h" 2>"$tmp/log"; then
        echo "not ok $tn - scboot/$stem.h does not compile"; sed 's/^/# /' "$tmp/log"
        status=1; continue
    fi
    # one line per prototype written in this header: "extern RET NAME (PARAMS);"
    bad=$(grep -F "/* $h:" "$tmp/aux" | grep -v '\*/ static ' | sed 's|^/\*[^*]*\*/ ||' |
        awk -v stem="$stem" '
        {
            if (!match($0, /[A-Za-z_][A-Za-z0-9_]* \(/)) next
            name = substr($0, RSTART, RLENGTH - 2)
            ok = (name == "scb_" stem || index(name, "scb_" stem "_") == 1)
            sing = stem; sub(/s$/, "", sing)
            if (index(name, "scb_" sing "_") == 1) ok = 1
            # the types named anywhere in the prototype (return type and parameters)
            rest = $0
            while (!ok && match(rest, /(struct|enum) scb_[A-Za-z0-9_]+/)) {
                t = substr(rest, RSTART, RLENGTH); sub(/^(struct|enum) /, "", t)
                if (index(name, t "_") == 1) ok = 1
                rest = substr(rest, RSTART + RLENGTH)
            }
            if (!ok) print name
        }')
    if [ -z "$bad" ]; then
        echo "ok $tn - scboot/$stem.h: every function is scb_${stem}_*, scb_${stem} or scb_<type>_*"
    else
        echo "not ok $tn - scboot/$stem.h: named for neither the header nor a type they take:" $bad
        status=1
    fi
done
tn=$((tn + 1))
dups=$(grep -ho '^#[[:space:]]*define[[:space:]][[:space:]]*SCB_[A-Za-z0-9_]*' "$incdir"/scboot/*.h |
    awk '{ print $NF }' | sort | uniq -d)
if [ -z "$dups" ]; then
    echo "ok $tn - every SCB_ macro is defined in one header"
else
    echo "not ok $tn - macros defined in more than one header:" $dups
    status=1
fi
echo "1..$tn"
exit $status

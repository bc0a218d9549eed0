#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_completion.sh COMPLETION_FILE SCBOOT_BINARY DATA_DIR: source the bash completion and
# drive it as bash does (COMP_WORDS / COMP_CWORD), with and without bash-completion's helpers.
set -u
file=$1 scboot=$2 data=$3
bin=$(mktemp -d) || exit 1
trap 'rm -rf "$bin"' EXIT
ln -s "$(cd "$(dirname "$scboot")" && pwd)/$(basename "$scboot")" "$bin/scboot"
export PATH="$bin:$PATH"
n=0 status=0

# complete WORD... : COMP_WORDS as given, the cursor on the last word; prints COMPREPLY sorted
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _scboot scboot "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort
}
expect() { # description, expected words (space separated, all must be offered), command words...
    local desc=$1 want=$2
    shift 2
    local got w missing=""
    got=$(complete_words "$@")
    for w in $want; do
        grep -qxF -- "$w" <<<"$got" || missing="$missing $w"
    done
    n=$((n + 1))
    if [ -z "$missing" ] && [ -n "$got" ]; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc (missing:$missing; got: $(echo $got))"
        status=1
    fi
}
expect_exactly() { # description, expected (space separated, exactly), command words...
    local desc=$1 want=$2
    shift 2
    local got
    got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
    n=$((n + 1))
    if [ "$got" = "$want" ]; then echo "ok $n - $desc"; else echo "not ok $n - $desc (got '$got', want '$want')"; status=1; fi
}

run_cases() { # label
    local l=$1
    expect_exactly "$l: subcommands from 'd'" "decode dump" scboot d
    expect "$l: every subcommand from nothing" "readers apdu dump decode encode check apply watch status bootstrap help" scboot ""
    expect "$l: dump options come from dump --help" "--basic-channel --aid --file-id --pin-file --raw" scboot dump --
    expect "$l: common options on every command" "--reader --json --show-secrets --scp03-keys --scp03-level" scboot decode --
    expect_exactly "$l: --json offered where the command honours it" "--json" scboot decode --js
    expect_exactly "$l: --json not offered where the command refuses it (watch)" "" scboot watch --js
    expect_exactly "$l: ... nor on bootstrap" "" scboot bootstrap --js
    expect_exactly "$l: check --source values" "factory" scboot check --source f
    expect_exactly "$l: --secure-channel values" "preferred" scboot dump --secure-channel p
    expect_exactly "$l: help COMMAND" "status" scboot help st
    expect "$l: file names after --pin-file" "$data/pin.json" scboot dump --pin-file "$data/pi"
    expect "$l: virtual: profiles after -r" "virtual:$data/standard.json" scboot dump -r "virtual:$data/sta"
    expect_exactly "$l: -r offers virtual:" "virtual:" scboot dump -r ""
    expect "$l: bootstrap options" "--server --endpoint --listen --exchange-lifetime" scboot bootstrap --
    expect_exactly "$l: no option names where a value is expected" "" scboot dump --pin ""
}

echo "1..33"
# shellcheck source=/dev/null
. "$file"
n=$((n + 1))
if complete -p scboot 2>/dev/null | grep -q -- '-F _scboot scboot$' &&
   complete -p scboot-vcard 2>/dev/null | grep -q -- '-F _scboot_vcard scboot-vcard$'; then
    echo "ok $n - complete -p scboot / scboot-vcard name the completion functions"
else
    echo "not ok $n - complete -p: $(complete -p scboot scboot-vcard 2>&1)"
    status=1
fi
run_cases "plain bash"

# the same through bash-completion's _init_completion when it is installed
# (SCBOOT_BASH_COMPLETION: another copy, or a missing one to check that a required run fails)
bc=${SCBOOT_BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
if [ -r "$bc" ]; then
    # shellcheck source=/dev/null
    . "$bc"
    . "$file"
    run_cases "bash-completion"
    n=$((n + 1))
    COMP_WORDS=(scboot-vcard --pro) COMP_CWORD=1 COMPREPLY=()
    _scboot_vcard
    if [ "${COMPREPLY[*]}" = "--profile" ]; then echo "ok $n - scboot-vcard options"; else echo "not ok $n - scboot-vcard: ${COMPREPLY[*]}"; status=1; fi
    n=$((n + 1))
    got=$(complete -p scboot 2>&1)
    case $got in *"-F _scboot scboot") echo "ok $n - still registered with bash-completion loaded" ;;
    *) echo "not ok $n - $got"; status=1 ;; esac
elif [ "${SCBOOT_REQUIRE_PCSC:-0}" = 1 ]; then
    # a required run never passes by skipping
    for i in $(seq 1 14); do n=$((n + 1)); echo "not ok $n - bash-completion required but not installed"; done
    status=1
else
    for i in $(seq 1 14); do n=$((n + 1)); echo "ok $n # SKIP bash-completion not installed"; done
fi
exit $status

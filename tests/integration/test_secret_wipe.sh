#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_secret_wipe.sh: the PSK key read by `scboot bootstrap --psk-key-file` is zeroized before
# it is freed on every way out of the command that ends before the exchange (usage errors,
# --json, help, a bad option value after the key): free() is replaced (LD_PRELOAD) by one that
# aborts when a freed block still holds the key's bytes.
set -u
SCBOOT=$1 PRELOAD=$2
T=$(mktemp -d /tmp/scboot-wipe.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 tn=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
KEY=5ca1ab1e0ddba11c0ffee5eedfacade1
printf '%s\n' "$KEY" > "$T/key"; chmod 600 "$T/key"
mkdir -m 700 "$T/st"
K="--psk-identity id --psk-key-file $T/key"
S="--server coaps://127.0.0.1:9 --endpoint x"
while IFS='|' read -r name args; do
    [ -n "$name" ] || continue
    # eval: the quoting in the table counts (--server '' is an empty argument); every case
    # names a state directory under $T, so none can reach the default /var/lib/scboot
    eval "SCB_FREE_CHECK=\$KEY LD_PRELOAD=\$PRELOAD \"\$SCBOOT\" bootstrap --state-dir \"\$T/st\" $args" > /dev/null 2> "$T/err"; rc=$?
    check "bootstrap $name: the key is wiped before it is freed" '[ $rc != 134 ] && ! grep -q "free_check" "$T/err"'
done <<END
--json|$K $S --json
--help after the key|$K -h
--server '' after the key|$K --server ''
--exchange-lifetime 0 after the key|$K $S --exchange-lifetime 0
--profile missing after the key|$K $S --profile $T/missing
--pct bad after the key|$K $S --pct 1
--attempts bad after the key|$K $S --attempts 0
a usage error after the key|$K $S extra
the key file given twice|$K $K $S --json
a store that cannot be opened after the key|$K $S --state-dir $T/missing/st
END
# the checker itself works: a program freeing the key's bytes unwiped is caught
SCB_FREE_CHECK=$KEY LD_PRELOAD=$PRELOAD python3 -c "b = bytes.fromhex('$KEY') * 64; del b" 2> "$T/err"; rc=$?
check "the checker catches a block freed with the key in it" '[ $rc != 0 ] && grep -q "free_check: a secret was freed" "$T/err"'
echo "1..$tn"
[ $fails = 0 ]

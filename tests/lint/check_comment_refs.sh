#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_comment_refs.sh SRCDIR: comments say why in the present, not where a change came from.
# A tracker reference (an issue or pull-request number, a "#NN", a breakNN tag, the name of a
# review pass) means nothing to a reader of the code without the tracker, and goes stale when
# the code moves; the reason it stands for belongs in the comment itself. Checked: the comments
# of every C source and header (text inside string literals is not a comment), and the '#'
# comments of the scripts and meson files. The first test feeds the extractor a sample, so a
# broken extractor fails instead of passing everything. TAP.
set -u
src=$1
cd "$src" || exit 1
tn=0 fails=0
check() { tn=$((tn + 1)); if eval "$2"; then echo "ok $tn - $1"; else echo "not ok $tn - $1"; fails=$((fails + 1)); fi; }
show() { [ -z "$1" ] || printf '%s\n' "$1" | sed 's/^/#   /'; }

# bracket expressions, so that this script's own comments and code do not match
pat='[i]ssue[ _-]?#?[0-9]|[p]ull request ?#?[0-9]|[b]reak-?[0-9][0-9]|[b]reaking[ -]pass|(^|[^[:alnum:]&%/_])[#][0-9]+'

# FILE:LINE:TEXT for the comment text on each line of the C files given (block and line
# comments; string and character literals skipped, with their escapes)
c_comments() {
    awk '
    FNR == 1 { inc = 0 }
    {
        line = $0; out = ""; i = 1; len = length(line)
        while (i <= len) {
            c = substr(line, i, 1)
            if (inc) {
                if (substr(line, i, 2) == "*/") { inc = 0; i += 2; continue }
                out = out c; i++; continue
            }
            if (c == "\"" || c == "\047") {
                q = c; i++
                while (i <= len && substr(line, i, 1) != q) {
                    if (substr(line, i, 1) == "\\") { i++ }
                    i++
                }
                i++; continue
            }
            if (substr(line, i, 2) == "/*") { inc = 1; i += 2; continue }
            if (substr(line, i, 2) == "//") { out = out substr(line, i + 2); break }
            i++
        }
        if (out != "") { print FILENAME ":" FNR ":" out }
    }' "$@"
}

# the tree's files whose name matches one of the globs
files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -- "$@" ':!tests/fuzz/corpus'
    else
        for g in "$@"; do
            find . -path ./.git -prune -o -path './build*' -prune -o -path '*/corpus' -prune -o \
                -type f -name "${g##*/}" -print | sed 's|^\./||'
        done
    fi
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/sample.c" <<'EOF'
/* fine: RFC 7252 section 5.9, /0/1/5, printf's %#04x */
static const char *s = "issue 12 in a string is not a comment";
int x; /* a double free (iss
ue 7 split across lines is not caught, and need not be) */
// see issue 12
/* kept for break21
 * and #20 */
EOF
found=$(c_comments "$tmp/sample.c" | grep -ciE "$pat")
check "the comment extractor finds the three references of a sample, and nothing in strings" \
    '[ "$found" = 3 ]'

hits=$(for f in $(files '*.c' '*.h'); do c_comments "$f"; done | grep -iE "$pat")
check "no tracker reference in the comments of C sources and headers" '[ -z "$hits" ]'
show "$hits"

hits=$(for f in $(files '*.sh' '*.py' '*.bash' 'meson.build' '*/meson.build' 'meson_options.txt' \
                        '*.ini'); do
           grep -HnE "(^|[[:space:]])#[^!]" "$f" | grep -iE "#.*($pat)"
       done)
check "no tracker reference in the comments of scripts and meson files" '[ -z "$hits" ]'
show "$hits"

echo "1..$tn"
[ $fails = 0 ]

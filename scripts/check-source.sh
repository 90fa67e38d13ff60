#!/usr/bin/env bash
# The source checker run by `make test` (STYLE.md, "Build and format"). Two checks:
#  1. C files under src/ must not call functions that invite overflows or unchecked conversions
#     (sprintf, vsprintf, strcpy, strcat, strtok, atoi, atol, atoll, rand, srand, gets), nor compare
#     with memcmp/strcmp/strncmp on a line that mentions a secret, password, token, signature or key:
#     those leak timing, use sodium_memcmp()/CRYPTO_memcmp(). A comparison that is not about a secret
#     (an ini key name, say) opts out with a trailing `/* not a secret */` on its line. Comments and
#     string literals are not searched for calls, so prose may name the banned functions.
#  2. Every .c/.h under src/, tests/unit and tests/fuzz is as clang-format (../.clang-format) makes it.
# Prints each problem as file:line and exits 1; on success prints "source check: N files, 0 problems".
set -euo pipefail
cd "$(dirname "$0")/.."

dirs=()
for d in src tests/unit tests/fuzz; do
    [ -d "$d" ] && dirs+=("$d")
done
files=()
if [ "${#dirs[@]}" -gt 0 ]; then
    mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
fi
src_files=()
for f in ${files[@]+"${files[@]}"}; do
    case "$f" in src/*) src_files+=("$f") ;; esac
done

problems=0

# 1. Banned calls. A small scanner rather than grep: it blanks comments and string literals (which
# can span lines) so that only code is searched for calls, and it follows a comparison's argument
# list over continuation lines when looking for the secret words.
if [ "${#src_files[@]}" -gt 0 ]; then
    banned_out=$(/usr/bin/python3 - "${src_files[@]}" <<'PY'
import re
import sys

BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|rand|srand|gets)\s*\(")
COMPARE = re.compile(r"\b(memcmp|strcmp|strncmp)\s*\(")
SECRET = re.compile(r"secret|password|token|signature|key", re.IGNORECASE)
OPT_OUT = re.compile(r"/\*\s*not a secret\s*\*/\s*$")


def blank_comments_and_strings(text):
    """Returns text with comments, string and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1 : j - 1]) + (text[j - 1] if j - 1 > i else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_end_line(code_lines, line_no, col):
    """Index of the line where the call whose '(' is at code_lines[line_no][col] closes."""
    depth = 0
    for k in range(line_no, min(line_no + 20, len(code_lines))):
        start = col if k == line_no else 0
        for ch in code_lines[k][start:]:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return k
    return line_no


count = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    raw_lines = raw.split("\n")
    code_lines = blank_comments_and_strings(raw).split("\n")
    for no, code in enumerate(code_lines):
        for m in BANNED.finditer(code):
            print(f"{path}:{no + 1}: banned function '{m.group(1)}'")
            count += 1
        for m in COMPARE.finditer(code):
            end = call_end_line(code_lines, no, m.end() - 1)
            span = raw_lines[no : end + 1]
            if any(OPT_OUT.search(l) for l in span):
                continue
            if any(SECRET.search(l) for l in span):
                print(
                    f"{path}:{no + 1}: '{m.group(1)}' on a secret: use sodium_memcmp() or "
                    "CRYPTO_memcmp() (or end the line with /* not a secret */)"
                )
                count += 1
sys.exit(1 if count else 0)
PY
    ) && banned_rc=0 || banned_rc=$?
    if [ -n "$banned_out" ]; then
        printf '%s\n' "$banned_out"
    fi
    if [ "$banned_rc" -ne 0 ]; then
        if [ -z "$banned_out" ]; then
            echo "source check: the banned-function scanner failed (exit $banned_rc)" >&2
            exit 1
        fi
        problems=$((problems + $(printf '%s\n' "$banned_out" | wc -l)))
    fi
fi

# 2. Formatting. One clang-format run over all files; it names each file:line:col it would change.
if [ "${#files[@]}" -gt 0 ]; then
    command -v clang-format >/dev/null || {
        echo "source check: clang-format is missing (run make deps)" >&2
        exit 1
    }
    if ! fmt_out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1); then
        unformatted=$(printf '%s\n' "$fmt_out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' |
            sort -u)
        if [ -z "$unformatted" ]; then
            printf '%s\n' "$fmt_out" >&2
            echo "source check: clang-format failed" >&2
            exit 1
        fi
        while read -r f; do
            first=$(printf '%s\n' "$fmt_out" | grep -m1 -F "$f:" | cut -d: -f1-2)
            echo "$first: not clang-formatted (make format)"
            problems=$((problems + 1))
        done <<<"$unformatted"
    fi
fi

if [ "$problems" -gt 0 ]; then
    echo "source check: ${#files[@]} files, $problems problems"
    exit 1
fi
echo "source check: ${#files[@]} files, 0 problems"

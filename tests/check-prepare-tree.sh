#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Re-running the tree preparation must change nothing: no hunk applied
# twice, no file touched (so the build stays up to date).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC=$("$TOP/scripts/fetch-qemu.sh" 2>/dev/null)
files=$(grep -h '^+++ b/' "$TOP"/patches/*.patch | sed 's|^+++ b/||' | sort -u)

snapshot() {
    (cd "$SRC" && for f in $files; do
        echo "$f $(stat -c %Y "$f") $(md5sum < "$f")"
    done)
}

before=$(snapshot)
out=$("$TOP/scripts/prepare-tree.sh" "$SRC" 2>&1)
after=$(snapshot)
if [ -n "$out" ]; then
    echo "prepare-tree printed on a prepared tree:"
    echo "$out"
    exit 1
fi
if [ "$before" != "$after" ]; then
    echo "prepare-tree changed patched files on a prepared tree"
    diff <(echo "$before") <(echo "$after")
    exit 1
fi
for f in $files; do
    n=$(grep -c vmqnic "$SRC/$f" || true)
    echo "$f: $n vmqnic lines"
done
echo "prepare-tree is idempotent"

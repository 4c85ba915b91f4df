#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# prepare-tree.sh QEMU_SRC
#
# Apply patches/ to a QEMU 10.0 tree and link the vmqnic overlay files
# into it.  Safe to re-run: an unchanged series is left alone, a changed
# one is reverted and re-applied, and links only change when missing.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC=$1
APPLIED=$SRC/.vmqnic-patches

log() { echo "prepare-tree: $*" >&2; }

series() { (cd "$TOP/patches" && ls -1 ./*.patch 2>/dev/null | sort); }

if [ -d "$APPLIED" ] && diff -rq "$TOP/patches" "$APPLIED" >/dev/null; then
    :
else
    if [ -d "$APPLIED" ]; then
        log "patch series changed, reverting the old one"
        for p in $(cd "$APPLIED" && ls -1 ./*.patch | sort -r); do
            patch -d "$SRC" -p1 -R -s -f --no-backup-if-mismatch \
                < "$APPLIED/$p"
        done
        rm -rf "$APPLIED"
    fi
    for p in $(series); do
        if patch -d "$SRC" -p1 -R -s -f --dry-run < "$TOP/patches/$p" \
                >/dev/null 2>&1; then
            log "$p already applied"
            continue
        fi
        log "applying $p"
        patch -d "$SRC" -p1 -N -s --no-backup-if-mismatch \
            < "$TOP/patches/$p"
    done
    mkdir -p "$APPLIED"
    cp "$TOP"/patches/*.patch "$APPLIED"/
fi

# Overlay: every tracked file below these folders is linked into QEMU.
for dir in hw/net/vmqnic include/hw/net tests/qtest docs/specs qapi \
           docs/system/devices; do
    [ -d "$TOP/$dir" ] || continue
    (cd "$TOP" && find "$dir" -type f) | while read -r f; do
        dst=$SRC/$f
        if [ "$(readlink "$dst" 2>/dev/null)" != "$TOP/$f" ]; then
            mkdir -p "$(dirname "$dst")"
            ln -sfn "$TOP/$f" "$dst"
        fi
    done
done

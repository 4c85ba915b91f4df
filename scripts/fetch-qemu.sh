#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Provide a QEMU 10.0.x source tree and print its path.
#
# Order: $QEMU_SRC (a tree the user names), else an already extracted
# download in $VMQNIC_BUILD, else the newest 10.0.x "orig" tarball of
# Debian's qemu source package.  The tarball's address and SHA256 come
# from apt's signed Sources index and apt-helper checks the hash.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VMQNIC_BUILD:-$TOP/build}
DL=$BUILD/downloads
mkdir -p "$DL"

log() { echo "fetch-qemu: $*" >&2; }

check_version() {
    local v
    v=$(cat "$1/VERSION" 2>/dev/null || true)
    case "$v" in
    10.0.*) ;;
    *)
        log "$1 is QEMU '${v:-unknown}', need 10.0.x"
        exit 1
        ;;
    esac
}

if [ -n "${QEMU_SRC:-}" ]; then
    QEMU_SRC=$(cd "$QEMU_SRC" && pwd)
    check_version "$QEMU_SRC"
    echo "$QEMU_SRC"
    exit 0
fi

# An extracted tree from an earlier run?
if [ -s "$BUILD/qemu-src.version" ]; then
    src=$BUILD/qemu-src
    if [ -f "$src/VERSION" ]; then
        echo "$src"
        exit 0
    fi
fi

# Pick the newest 10.0.x source version apt knows about.
ver=$(apt-cache showsrc qemu 2>/dev/null |
      sed -n 's/^Version: //p' | grep -E '^([0-9]+:)?10\.0\.' |
      sort -V -r | head -n 1 || true)
if [ -z "$ver" ]; then
    log "no QEMU 10.0.x source package in apt's index;" \
        "run scripts/install-deps.sh (it enables deb-src) or set QEMU_SRC"
    exit 1
fi

line=$(cd "$DL" && apt-get source -qq --print-uris "qemu=$ver" 2>/dev/null |
       grep "\.orig\.tar\." | head -n 1)
if [ -z "$line" ]; then
    log "apt lists no orig tarball for qemu $ver"
    exit 1
fi
# 'URI' NAME SIZE SHA256:HASH
uri=$(echo "$line" | awk '{ print $1 }' | tr -d "'")
name=$(echo "$line" | awk '{ print $2 }')
hash=$(echo "$line" | awk '{ print $4 }')
tarball=$DL/$name

if [ -f "$tarball" ] &&
   [ "SHA256:$(sha256sum "$tarball" | cut -d' ' -f1)" = "$hash" ]; then
    log "using cached $name"
else
    log "downloading $name ($ver)"
    rm -f "$tarball"
    /usr/lib/apt/apt-helper download-file "$uri" "$tarball.part" "$hash" >&2
    mv "$tarball.part" "$tarball"
fi

log "extracting $name"
rm -rf "$BUILD/qemu-src" "$BUILD/qemu-src.tmp"
mkdir -p "$BUILD/qemu-src.tmp"
tar -xf "$tarball" -C "$BUILD/qemu-src.tmp" --strip-components=1
check_version "$BUILD/qemu-src.tmp"
mv "$BUILD/qemu-src.tmp" "$BUILD/qemu-src"
echo "qemu $ver $name $hash" > "$BUILD/qemu-src.version"
echo "$BUILD/qemu-src"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what vmqnic needs to build QEMU 10.0 and run its tests on
# Debian 12 (bookworm).  The backports suite is derived from the
# machine's own apt configuration; no archive host is named here.
# Packages already installed are left alone.
set -euo pipefail

SUDO=
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi

. /etc/os-release
CODENAME=${VERSION_CODENAME:-bookworm}
BPO="$CODENAME-backports"
LIST=/etc/apt/sources.list.d/vmqnic-$BPO.sources
STAMP_DIR=${VMQNIC_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
mkdir -p "$STAMP_DIR"

# Find the URI and keyring of the Debian archive that serves $CODENAME
# (deb822 .sources files first, then one-line sources.list entries).
find_archive() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v want="$CODENAME" '
            function flush() {
                if (uris != "" && suites ~ "(^| )" want "( |$)")
                    { print uris "|" key; found = 1; exit }
                uris = ""; suites = ""; key = ""
            }
            /^[ \t]*$/ { flush(); next }
            /^URIs:/ { sub(/^URIs:[ \t]*/, ""); split($0, u, " "); uris = u[1] }
            /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
            /^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); key = $0 }
            END { if (!found) flush() }' "$f"
    done
    if [ -r /etc/apt/sources.list ]; then
        awk -v want="$CODENAME" '$1 == "deb" {
                i = 2; key = ""
                if ($2 ~ /^\[/) {
                    for (; i <= NF && $i !~ /\]$/; i++)
                        if ($i ~ /signed-by=/) { key = $i }
                    if ($i ~ /signed-by=/) { key = $i }
                    i++
                }
                gsub(/[\[\]]|signed-by=/, "", key)
                if ($(i + 1) == want) { print $i "|" key; exit }
            }' /etc/apt/sources.list
    fi
}

if ! grep -qs "^Suites: $BPO\$" "$LIST"; then
    line=$(find_archive | head -n 1)
    if [ -z "$line" ]; then
        echo "install-deps: no apt source for $CODENAME found;" \
             "add $BPO with deb-src by hand" >&2
        exit 1
    fi
    uri=${line%%|*}
    key=${line#*|}
    {
        echo "Types: deb deb-src"
        echo "URIs: $uri"
        echo "Suites: $BPO"
        echo "Components: main"
        [ -n "$key" ] && echo "Signed-By: $key"
    } | $SUDO tee "$LIST" >/dev/null
    rm -f "$STAMP_DIR/.apt-updated"
fi

if [ ! -e "$STAMP_DIR/.apt-updated" ] ||
   [ -n "$(find "$STAMP_DIR/.apt-updated" -mmin +1440)" ]; then
    $SUDO apt-get update -qq
    touch "$STAMP_DIR/.apt-updated"
fi

# Packages from the base suite, then the ones that must come from backports.
BASE_PKGS="build-essential pkg-config ninja-build flex bison python3 python3-venv
    libglib2.0-dev libslirp-dev libpixman-1-dev libfdt-dev zlib1g-dev
    xz-utils dpkg-dev seabios ipxe-qemu cpio gzip pciutils
    iproute2 ethtool iperf3 kmod"
# Headers of the kernel the guest boots, to build the reference driver.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
if [ -n "$kpkg" ]; then
    BASE_PKGS="$BASE_PKGS linux-headers-${kpkg#linux-image-}"
fi
# clang with libFuzzer and the sanitizer runtimes: the fuzzing build
BASE_PKGS="$BASE_PKGS clang-14 libclang-rt-14-dev"
BPO_PKGS="meson python3-pycotap qemu-system-data"
# `install-deps.sh bench`: what `make bench` needs on top, for its plots
# and the instruction counts of the classification sweep
if [ "${1:-}" = bench ]; then
    BASE_PKGS="$BASE_PKGS python3-matplotlib valgrind"
fi

missing() {
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
                grep -q "install ok installed"; then
            echo "$p"
        fi
    done
}

need=$(missing $BASE_PKGS)
if [ -n "$need" ]; then
    echo "install-deps: installing" $need
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $need
fi

# meson must be >= 1.5 (QEMU 10.0); bookworm's own is too old.
need=$(missing $BPO_PKGS)
if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson 2>/dev/null || echo 0)" lt 1.5; then
    need="$need meson"
fi
if [ -n "$need" ]; then
    echo "install-deps: installing from $BPO:" $need
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends -t "$BPO" $(echo $need | tr ' ' '\n' | sort -u)
fi

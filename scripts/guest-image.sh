#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-image.sh: build the guest kernel + initramfs from Debian packages.
#
# Debian's 6.1 kernel image (unpacked, not installed), busybox-static and
# a few user tools copied with their libraries from this Debian 12 host.
# Output (cached): $VMQNIC_BUILD/guest/{vmlinuz,initrd.gz,kernel-version}
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VMQNIC_BUILD:-$TOP/build}
OUT=$BUILD/guest
DEBS=$OUT/debs
TOOLS="lspci"

log() { echo "guest-image: $*" >&2; }

mkdir -p "$DEBS"
# The kernel ABI package the default linux-image-amd64 points at.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
    log "cannot resolve linux-image-amd64; run scripts/install-deps.sh"
    exit 1
fi
kver=${kpkg#linux-image-}

inputs="$kpkg $(cat "$TOP/guest/image/init" | md5sum) $TOOLS"
if [ -f "$OUT/initrd.gz" ] && [ "$(cat "$OUT/.inputs" 2>/dev/null)" = "$inputs" ]; then
    exit 0
fi

for pkg in "$kpkg" busybox-static; do
    if ! ls "$DEBS/${pkg}_"*.deb >/dev/null 2>&1; then
        log "downloading $pkg"
        (cd "$DEBS" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: ' >&2)
    fi
done

rm -rf "$OUT/kernel" "$OUT/root"
dpkg -x "$DEBS/${kpkg}_"*.deb "$OUT/kernel"
cp "$OUT/kernel/boot/vmlinuz-$kver" "$OUT/vmlinuz"

root=$OUT/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,lib/modules,usr/share/misc}
dpkg -x "$DEBS"/busybox-static_*.deb "$OUT/busybox"
cp "$OUT/busybox/bin/busybox" "$root/bin/busybox"
cp "$TOP/guest/image/init" "$root/init"

# User tools with the shared libraries they need, from this host.
copy_with_libs() {
    local bin=$1 lib
    cp "$bin" "$root/bin/"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}
for t in $TOOLS; do
    copy_with_libs "$(command -v "$t")"
done
cp /usr/share/misc/pci.ids "$root/usr/share/misc/" 2>/dev/null || true

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 > "$OUT/initrd.gz")
echo "$kver" > "$OUT/kernel-version"
echo "$inputs" > "$OUT/.inputs"
log "built kernel $kver and initramfs"

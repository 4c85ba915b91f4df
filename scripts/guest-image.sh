#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-image.sh: build the guest kernel + initramfs from Debian packages.
#
# Debian's 6.1 kernel image (unpacked, not installed) with the modules the
# tests use, busybox-static, a few user tools (iproute2, ethtool, iperf3,
# lspci) copied with their libraries from this Debian 12 host, the guest
# jobs from guest/image/ and the reference driver from guest/linux/, built
# against Debian's headers for the same kernel.
# Output (cached): $VMQNIC_BUILD/guest/{vmlinuz,initrd.gz,kernel-version}
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VMQNIC_BUILD:-$TOP/build}
OUT=$BUILD/guest
DEBS=$OUT/debs
TOOLS="lspci ip ethtool iperf3"
# In-tree modules the guest jobs load (their dependencies come along).
MODULES="macvlan 8021q igb e1000e virtio_net virtio_pci"

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

# 1. The base tree: kernel, modules, busybox, tools.  Rebuilt only when
#    what goes into it changes.
base=$OUT/base
base_inputs="$kpkg $TOOLS $MODULES $(md5sum < "$0")"
if [ ! -d "$base" ] || [ "$(cat "$OUT/.base-inputs" 2>/dev/null)" != "$base_inputs" ]; then
    for pkg in "$kpkg" busybox-static; do
        if ! ls "$DEBS/${pkg}_"*.deb >/dev/null 2>&1; then
            log "downloading $pkg"
            (cd "$DEBS" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: ' >&2)
        fi
    done

    rm -rf "$OUT/kernel" "$base" "$OUT/busybox"
    dpkg -x "$DEBS/${kpkg}_"*.deb "$OUT/kernel"
    cp "$OUT/kernel/boot/vmlinuz-$kver" "$OUT/vmlinuz"
    depmod -b "$OUT/kernel" "$kver"

    mkdir -p "$base"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib/modules,usr/share/misc}
    dpkg -x "$DEBS"/busybox-static_*.deb "$OUT/busybox"
    cp "$OUT/busybox/bin/busybox" "$base/bin/busybox"

    # User tools with the shared libraries they need, from this host.
    for t in $TOOLS; do
        bin=$(command -v "$t" || true)
        if [ -z "$bin" ]; then
            log "$t is missing; run scripts/install-deps.sh"
            exit 1
        fi
        cp "$bin" "$base/bin/"
        for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
            mkdir -p "$base$(dirname "$lib")"
            cp -L "$lib" "$base$lib"
        done
    done
    cp /usr/share/misc/pci.ids "$base/usr/share/misc/" 2>/dev/null || true
    echo "root:x:0:0:root:/:/bin/sh" > "$base/etc/passwd"
    echo "127.0.0.1 localhost" > "$base/etc/hosts"

    # Kernel modules with their dependencies, laid out for modprobe.
    kmod=$base/lib/modules/$kver
    mkdir -p "$kmod"
    for m in $MODULES; do
        modprobe -d "$OUT/kernel" -S "$kver" --show-depends "$m" |
            awk '$1 == "insmod" { print $2 }'
    done | sort -u | while read -r ko; do
        rel=${ko#"$OUT/kernel/lib/modules/$kver/"}
        mkdir -p "$kmod/$(dirname "$rel")"
        cp "$ko" "$kmod/$rel"
    done
    cp "$OUT/kernel/lib/modules/$kver"/modules.{builtin,builtin.modinfo,order} "$kmod/"
    echo "$kver" > "$OUT/kernel-version"
    echo "$base_inputs" > "$OUT/.base-inputs"
    log "built the base tree for kernel $kver"
fi

# 2. The reference driver, built out of tree in a copy of guest/linux.
ko=
if [ -f "$TOP/guest/linux/Kbuild" ]; then
    kdir=/usr/src/linux-headers-$kver
    if [ ! -d "$kdir" ]; then
        log "$kdir is missing; run scripts/install-deps.sh"
        exit 1
    fi
    mkdir -p "$OUT/driver"
    for f in "$TOP"/guest/linux/Kbuild "$TOP"/guest/linux/*.[ch]; do
        case $f in
        *.mod.c) continue ;;    # left by a build in guest/linux itself
        esac
        cmp -s "$f" "$OUT/driver/${f##*/}" || cp "$f" "$OUT/driver/"
    done
    make -s -C "$kdir" M="$OUT/driver" modules >&2
    ko=$OUT/driver/vmqnic.ko
fi

# 3. The initramfs: base + init + jobs + driver.  Cheap; cached by content.
inputs="$base_inputs $(find "$TOP/guest/image" ${ko:+"$ko"} -type f |
                        sort | xargs cat | md5sum)"
if [ -f "$OUT/initrd.gz" ] && [ "$(cat "$OUT/.inputs" 2>/dev/null)" = "$inputs" ]; then
    exit 0
fi
root=$OUT/root
rm -rf "$root"
cp -a "$base" "$root"
cp "$TOP/guest/image/init" "$root/init"
mkdir -p "$root/etc/udhcpc"
cp "$TOP/guest/image/udhcpc.script" "$root/etc/udhcpc/default.script"
mkdir -p "$root/jobs"
cp "$TOP"/guest/image/jobs/* "$root/jobs/" 2>/dev/null || true
if [ -n "$ko" ]; then
    mkdir -p "$root/lib/modules/$kver/extra"
    cp "$ko" "$root/lib/modules/$kver/extra/"
fi
depmod -b "$root" "$kver"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 > "$OUT/initrd.gz.tmp")
mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
echo "$inputs" > "$OUT/.inputs"
log "packed the initramfs${ko:+ with the vmqnic driver}"

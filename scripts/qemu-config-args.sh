#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-config-args.sh: print the configure arguments every vmqnic build
# of QEMU shares (a lean x86_64-softmmu with slirp), one line.  Used by
# build-qemu.sh and build-fuzz.sh.  With --firmware: print the firmware
# folders (Debian's packages) instead, colon-separated.
set -euo pipefail

FIRMWARE=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
if [ "${1:-}" = --firmware ]; then
    echo "$FIRMWARE"
    exit 0
fi
ARGS="--target-list=x86_64-softmmu --enable-werror
    --python=/usr/bin/python3 --firmwarepath=$FIRMWARE
    --disable-docs --disable-tools --disable-guest-agent --disable-gtk
    --disable-sdl --disable-vnc --disable-opengl --disable-spice
    --disable-xen --disable-curses --disable-vhost-user --disable-gio
    --disable-dbus-display --disable-libudev --disable-capstone
    --enable-slirp --enable-fdt=system --disable-install-blobs"
echo $ARGS

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# link-firmware.sh OUT
#
# A QEMU binary run from its build folder OUT looks for firmware below
# OUT/qemu-bundle/; point the firmware folders there at Debian's firmware
# packages (the folders of --firmwarepath, see qemu-config-args.sh).
set -euo pipefail

OUT=$1
FIRMWARE=$("$(dirname "$0")/qemu-config-args.sh" --firmware)
for dir in ${FIRMWARE//:/ }; do
    if [ ! -e "$OUT/qemu-bundle$dir" ]; then
        mkdir -p "$(dirname "$OUT/qemu-bundle$dir")"
        ln -sfn "$dir" "$OUT/qemu-bundle$dir"
    fi
done

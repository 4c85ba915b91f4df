#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-qemu.sh [STAMP]
#
# Fetch (or take $QEMU_SRC), patch, configure and build QEMU with vmqnic.
# Everything lives in $VMQNIC_BUILD (default: build/).  Re-running only
# rebuilds what changed.  STAMP, when given, is touched on success.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
export VMQNIC_BUILD=${VMQNIC_BUILD:-$TOP/build}
OUT=$VMQNIC_BUILD/qemu-build

mkdir -p "$VMQNIC_BUILD"
# One build at a time in a build folder.
exec 9>"$VMQNIC_BUILD/.lock"
flock 9

SRC=$("$TOP/scripts/fetch-qemu.sh")
"$TOP/scripts/prepare-tree.sh" "$SRC"

CONFIG_ARGS=$("$TOP/scripts/qemu-config-args.sh")
"$TOP/scripts/configure-qemu.sh" build-qemu "$SRC" "$OUT" $CONFIG_ARGS

QTESTS=$(sed 's|^|tests/qtest/|' "$TOP/tests/qtest/vmqnic-qtests.list")
ninja -C "$OUT" qemu-system-x86_64 tests/qtest/qos-test $QTESTS

# A binary run from the build tree looks for firmware below qemu-bundle/
"$TOP/scripts/link-firmware.sh" "$OUT"

if [ -n "${1:-}" ]; then
    touch "$1"
fi

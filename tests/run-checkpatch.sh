#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU's checkpatch.pl over the device, header, tests and patch series;
# the Linux kernel's checkpatch.pl (the copy QEMU's tree carries in
# roms/u-boot) over the reference guest driver.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SRC=$("$TOP/scripts/fetch-qemu.sh" 2>/dev/null)
cd "$TOP"
mapfile -t files < <(git ls-files 'hw/*.[ch]' 'include/*.h' \
                                  'tests/qtest/*.[ch]' 2>/dev/null ||
                     find hw include tests/qtest -name '*.[ch]')
status=0
for f in "${files[@]}"; do
    if ! "$SRC/scripts/checkpatch.pl" --no-tree --terse -f "$f"; then
        status=1
    fi
done
for p in patches/*.patch; do
    if ! "$SRC/scripts/checkpatch.pl" --no-tree --terse "$p"; then
        status=1
    fi
done
# Kernel style for the guest driver
mapfile -t files < <(git ls-files 'guest/linux/*.[ch]' 2>/dev/null ||
                     find guest/linux -name '*.[ch]' ! -name '*.mod.c')
for f in "${files[@]}"; do
    if ! perl "$SRC/roms/u-boot/scripts/checkpatch.pl" --no-tree --terse \
            -f "$f"; then
        status=1
    fi
done
exit $status

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-fuzz.sh [--qtests] [STAMP]
#
# Build QEMU with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer in $VMQNIC_BUILD/qemu-fuzz: the generic
# fuzzer (qemu-fuzz-x86_64 --fuzz-target=generic-fuzz-vmqnic) and, with
# --qtests, a sanitized qemu-system-x86_64 and the vmqnic qtests for
# `make check-sanitizers`.  Same source tree and configure arguments as
# build-qemu.sh, plus the sanitizers.  STAMP, when given, is touched on
# success.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
QTESTS=no
if [ "${1:-}" = --qtests ]; then
    QTESTS=yes
    shift
fi
export VMQNIC_BUILD=${VMQNIC_BUILD:-$TOP/build}
OUT=$VMQNIC_BUILD/qemu-fuzz
CLANG=${CLANG:-clang-14}
CLANGXX=${CLANGXX:-clang++-14}

mkdir -p "$VMQNIC_BUILD"
# The source tree is shared with build-qemu.sh: prepare it under its lock.
(
    flock 9
    SRC=$("$TOP/scripts/fetch-qemu.sh")
    "$TOP/scripts/prepare-tree.sh" "$SRC"
    echo "$SRC" > "$VMQNIC_BUILD/.fuzz-src"
) 9>"$VMQNIC_BUILD/.lock"
SRC=$(cat "$VMQNIC_BUILD/.fuzz-src")

# One fuzz build at a time.
exec 8>"$VMQNIC_BUILD/.fuzz-lock"
flock 8

CONFIG_ARGS="$("$TOP/scripts/qemu-config-args.sh") --cc=$CLANG --cxx=$CLANGXX
    --enable-fuzzing --enable-asan --enable-ubsan"
CONFIG_ARGS=$(echo $CONFIG_ARGS)
"$TOP/scripts/configure-qemu.sh" build-fuzz "$SRC" "$OUT" $CONFIG_ARGS

TARGETS=qemu-fuzz-x86_64
if [ "$QTESTS" = yes ]; then
    TARGETS="$TARGETS qemu-system-x86_64 tests/qtest/qos-test
        $(sed 's|^|tests/qtest/|' "$TOP/tests/qtest/vmqnic-qtests.list")"
fi
ninja -C "$OUT" $TARGETS

# Firmware for the sanitized qemu-system-x86_64, as in build-qemu.sh.
"$TOP/scripts/link-firmware.sh" "$OUT"

if [ -n "${1:-}" ]; then
    touch "$1"
fi

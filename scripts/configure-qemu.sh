#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# configure-qemu.sh NAME SRC OUT ARGS...
#
# Configure the QEMU tree SRC in the build folder OUT with ARGS, unless
# OUT was already configured from the same tree with the same arguments.
# NAME prefixes the messages.  On failure the end of configure's log is
# shown.
set -euo pipefail

NAME=$1 SRC=$2 OUT=$3
shift 3
ARGS=$(echo "$@")
STAMP=$OUT/.vmqnic-configure

if [ -f "$OUT/build.ninja" ] &&
   [ "$(cat "$STAMP" 2>/dev/null)" = "$SRC $ARGS" ]; then
    exit 0
fi
echo "$NAME: configuring $SRC in $OUT" >&2
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck disable=SC2086
(cd "$OUT" && "$SRC/configure" $ARGS >configure.log 2>&1) || {
    tail -n 40 "$OUT/configure.log" >&2
    exit 1
}
echo "$SRC $ARGS" > "$STAMP"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-qos-tests.sh QOS_TEST PATTERN
#
# Run the libqos graph tests whose path contains PATTERN, as TAP.
set -euo pipefail

qos=$1
pattern=$2
mapfile -t paths < <("$qos" -l | grep -v '^#' | grep -- "$pattern" |
                     sed 's/^ *//')
if [ ${#paths[@]} = 0 ]; then
    echo "Bail out! no qos-test path matches '$pattern'"
    exit 1
fi
args=()
for p in "${paths[@]}"; do
    args+=(-p "$p")
done
exec "$qos" --tap -k "${args[@]}"

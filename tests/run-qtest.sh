#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-qtest.sh QTEST: run one qtest binary, TAP output.
set -euo pipefail
exec "$1" --tap -k

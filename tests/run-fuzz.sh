#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-fuzz.sh FUZZ_BUILD_DIR [SECONDS]
#
# A short run of QEMU's generic fuzzer on vmqnic (default 60 s, or
# $VMQNIC_FUZZ_SECONDS): libFuzzer with AddressSanitizer and
# UndefinedBehaviorSanitizer, starting from the seeds of
# tests/fuzz/vmqnic-seeds.py, so that every run does the same amount of
# work; VMQNIC_FUZZ_KEEP_CORPUS=1 continues from the corpus of earlier
# runs (build/fuzz/corpus) instead.  Prints the executions run and the
# crashes found; a crash fails the run and leaves its reproducer in
# build/fuzz/artifacts.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
FUZZ_BUILD=$1
SECONDS_TO_RUN=${2:-${VMQNIC_FUZZ_SECONDS:-60}}
OUT=${VMQNIC_BUILD:-$TOP/build}/fuzz
CORPUS=$OUT/corpus
ARTIFACTS=$OUT/artifacts
LOG=$OUT/last-run.log

if [ -z "${VMQNIC_FUZZ_KEEP_CORPUS:-}" ]; then
    rm -rf "$CORPUS"
fi
mkdir -p "$CORPUS" "$ARTIFACTS"
"$TOP/tests/fuzz/vmqnic-seeds.py" "$CORPUS"
before=$(find "$ARTIFACTS" -type f | wc -l)
touch "$OUT/.run-start"

# UBSan findings abort, so that libFuzzer keeps them as crashes.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
"$FUZZ_BUILD/qemu-fuzz-x86_64" --fuzz-target=generic-fuzz-vmqnic \
    -max_total_time="$SECONDS_TO_RUN" -timeout=30 -rss_limit_mb=4096 \
    -max_len=4096 -close_fd_mask=1 -print_final_stats=1 \
    -artifact_prefix="$ARTIFACTS/" "$CORPUS" >"$LOG" 2>&1
status=$?

execs=$(LC_ALL=C sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)
cov=$(grep -a -o 'cov: [0-9]*' "$LOG" | tail -n 1)
after=$(find "$ARTIFACTS" -type f | wc -l)
crashes=$((after - before))
echo "fuzz: ${execs:-0} executions in $SECONDS_TO_RUN s, $crashes crashes" \
     "(${cov:-cov: ?} edges, corpus of $(find "$CORPUS" -type f | wc -l)" \
     "inputs; log: $LOG)"
if [ "$status" != 0 ] || [ "$crashes" != 0 ]; then
    grep -a -E -A30 '^==[0-9]+==ERROR|runtime error|deadly signal|timeout' \
        "$LOG" | head -n 60
    echo "fuzz: reproducers:"
    find "$ARTIFACTS" -type f -newer "$OUT/.run-start" | sed 's/^/  /'
    echo "fuzz: replay one with $FUZZ_BUILD/qemu-fuzz-x86_64" \
         "--fuzz-target=generic-fuzz-vmqnic FILE"
    exit 1
fi

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-sanitizers.sh [--no-build]: build QEMU and the vmqnic qtests with
# AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# (scripts/build-fuzz.sh --qtests, build/qemu-fuzz) and run every vmqnic
# qtest against it.  Any sanitizer report fails the run.  Prints one TAP
# line per test program and a summary line.  `make check` runs this (as
# the test "sanitizers", after meson built everything: --no-build), and
# so does `make check-sanitizers` on its own.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
export VMQNIC_BUILD=${VMQNIC_BUILD:-$TOP/build}
OUT=$VMQNIC_BUILD/qemu-fuzz
LOGS=$VMQNIC_BUILD/sanitizers
if [ "${1:-}" != --no-build ]; then
    "$TOP/scripts/build-fuzz.sh" --qtests >&2 || exit 1
fi

rm -rf "$LOGS"
mkdir -p "$LOGS"
export QTEST_QEMU_BINARY=$OUT/qemu-system-x86_64
# Reports of every sanitizer go to one file per process.  The quarantine
# is kept small so that the load test measures QEMU's memory, not freed
# blocks ASan holds back.
export ASAN_OPTIONS=log_path=$LOGS/report:detect_leaks=1:quarantine_size_mb=8:suppressions=$TOP/tests/sanitizers/asan.supp
export LSAN_OPTIONS=suppressions=$TOP/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=log_path=$LOGS/report:print_stacktrace=1:halt_on_error=0

failed=0
n=0
programs=(qos-test $(cat "$TOP/tests/qtest/vmqnic-qtests.list"))
echo "1..${#programs[@]}"
for t in "${programs[@]}"; do
    n=$((n + 1))
    start=$(date +%s)
    if [ "$t" = qos-test ]; then
        "$TOP/tests/run-qos-tests.sh" "$OUT/tests/qtest/qos-test" vmqnic
    else
        "$OUT/tests/qtest/$t" --tap -k
    fi >"$LOGS/$t.tap" 2>&1
    status=$?
    pass=$(grep -c '^ok' "$LOGS/$t.tap")
    fail=$(grep -c '^not ok' "$LOGS/$t.tap")
    result=ok
    if [ "$status" != 0 ] || [ "$fail" != 0 ]; then
        failed=$((failed + 1))
        result="not ok"
    fi
    printf '%s %d - %s: exit %d, %d subtests passed, %d failed, %ds\n' \
           "$result" "$n" "$t" "$status" "$pass" "$fail" \
           $(( $(date +%s) - start ))
done

reports=$(cat "$LOGS"/report.* 2>/dev/null |
          grep -c -E 'ERROR: (Address|Leak)Sanitizer|runtime error:')
if [ "$reports" != 0 ]; then
    echo "not ok $((n + 1)) - sanitizer reports: $reports"
    grep -h -E -A25 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
        "$LOGS"/report.* 2>/dev/null | head -n 120 | sed 's/^/# /'
fi
echo "# sanitizers: $failed failed test programs, $reports sanitizer" \
     "reports (logs in $LOGS)"
[ "$failed" = 0 ] && [ "$reports" = 0 ]

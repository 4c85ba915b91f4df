#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-tests.sh MESON_BUILD_DIR [meson test arguments]
#
# Build and run every registered test, then print one summary line
# counting each TAP subtest and each plain test.
set -uo pipefail

dir=$1
shift
rm -f "$dir/meson-logs/testlog.json"
meson test -C "$dir" --print-errorlogs "$@"
status=$?

if [ ! -f "$dir/meson-logs/testlog.json" ]; then
    echo
    echo "the build failed before any test ran"
    echo "0 passed, 1 failed"
    exit 1
fi
python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json
import re
import sys

passed = failed = skipped = 0
rows = []
with open(sys.argv[1]) as log:
    for line in log:
        t = json.loads(line)
        p = f = k = 0
        # Count TAP result lines, whatever protocol meson used
        for out in t.get('stdout', '').splitlines():
            if re.match(r'^ok\b', out):
                if '# SKIP' in out:
                    k += 1
                else:
                    p += 1
            elif re.match(r'^not ok\b', out):
                if '# TODO' in out:
                    k += 1
                else:
                    f += 1
        if t['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL') and f == 0:
            f = 1
        if p + f + k == 0:
            if t['result'] == 'SKIP':
                k = 1
            else:
                p = 1
        rows.append((t['name'], t['result'], p, f, k))
        passed += p
        failed += f
        skipped += k
print()
print('%-36s %-8s %6s %6s %6s' % ('test', 'result', 'pass', 'fail', 'skip'))
for r in rows:
    print('%-36s %-8s %6d %6d %6d' % r)
print()
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
PY
exit $status

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cgbench.py: QEMU's instructions per frame under callgrind, for the same
# cases as run-bench.py; repeatable where CPU time is not (a shared or
# loaded machine).  Counts every user-space instruction QEMU executes while
# the measured batches run (device model, net layer, qtest doorbells), not
# the kernel's work.  Usage: cgbench.py [--qemu BINARY] [--devices ...]

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devbench  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(qemu, dev, direction, size, batch, calls):
    """Instructions of QEMU's main loop and frames, for @calls calls."""
    with tempfile.TemporaryDirectory(prefix='vmqnic-cg-') as tmp:
        out = os.path.join(tmp, 'cg.out')
        os.environ['BENCH_QEMU_WRAP'] = (
            'valgrind -q --tool=callgrind --toggle-collect=main_loop_wait '
            '--callgrind-out-file=%s' % out)
        try:
            nic = devbench.NICS[dev](qemu)
        finally:
            del os.environ['BENCH_QEMU_WRAP']
        frames = 0
        try:
            fn = devbench.bench_tx if direction == 'tx' else devbench.bench_rx
            for _ in range(calls):
                res = fn(nic, size, batch, 0)
                frames += res['frames'] + 3 * batch  # warm-up batches too
        finally:
            nic.close()
        total = 0
        with open(out) as f:
            for line in f:
                if line.startswith(('summary:', 'totals:')):
                    total = int(line.split()[1])
        return total, frames


def measure(qemu, dev, direction, size, batch, calls):
    i0, f0 = run(qemu, dev, direction, size, batch, 1)
    i1, f1 = run(qemu, dev, direction, size, batch, 1 + calls)
    return (i1 - i0) / (f1 - f0)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--qemu', default=os.path.join(
        TOP, 'build', 'qemu-build', 'qemu-system-x86_64'))
    ap.add_argument('--devices', default='vmqnic,igb,e1000e')
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--calls', type=int, default=4,
                    help='measured calls of 4 batches each')
    args = ap.parse_args()
    print('instructions per frame, %d frames per doorbell' % args.batch)
    for d in ('tx', 'rx'):
        for size in (64, 1514):
            row = []
            for dev in args.devices.split(','):
                row.append('%s %6.0f' % (dev, measure(
                    args.qemu, dev, d, size, args.batch, args.calls)))
            print('%s %4d  %s' % (d.upper(), size, '  '.join(row)),
                  flush=True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cgbench.py: QEMU's instructions per frame under callgrind, for the same
# cases as run-bench.py; repeatable where CPU time is not (a shared or
# loaded machine).  Counts every user-space instruction QEMU executes while
# the measured batches run (device model, net layer, qtest doorbells), not
# the kernel's work.  Usage: cgbench.py [--qemu BINARY] [--devices ...];
# cgbench.py --classify [--out DIR]: the classification sweep.

import argparse
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devbench  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POOLS = (1, 8, 64)
FILTERS = (1, 8, 32, 128)


def under_callgrind(toggle, out, start):
    """
    start() a device whose QEMU runs under callgrind, counting only
    inside function @toggle, its profile written to @out
    """
    os.environ['BENCH_QEMU_WRAP'] = (
        'valgrind -q --tool=callgrind --toggle-collect=%s '
        '--callgrind-out-file=%s' % (toggle, out))
    try:
        return start()
    finally:
        del os.environ['BENCH_QEMU_WRAP']


def run(qemu, dev, direction, size, batch, calls, sink=False):
    """
    Instructions of QEMU's main loop and frames, for @calls calls.  @dev
    'floor': the socket netdev alone (devbench.bench_rx_floor); @sink: TX
    to no netdev.
    """
    with tempfile.TemporaryDirectory(prefix='vmqnic-cg-') as tmp:
        out = os.path.join(tmp, 'cg.out')
        nic = under_callgrind('main_loop_wait', out, lambda: (
            devbench.Floor(qemu) if dev == 'floor' else
            devbench.NICS[dev](qemu, sink=sink)))
        frames = 0
        try:
            fn = (devbench.bench_rx_floor if dev == 'floor' else
                  devbench.bench_tx if direction == 'tx' else
                  devbench.bench_rx)
            for _ in range(calls):
                res = fn(nic, size, batch, 0)
                frames += res['frames'] + 3 * batch  # warm-up batches too
        finally:
            nic.close()
        return callgrind_total(out), frames


def callgrind_total(path):
    with open(path) as f:
        for line in f:
            if line.startswith(('summary:', 'totals:')):
                return int(line.split()[1])
    return 0


def classify_run(qemu, pools, filters, frames):
    """
    Instructions QEMU executes for vmqnic receiving @frames 64-byte
    frames spread evenly over @filters MAC filters, filter i steering to
    pool i % @pools of @pools active pools.  Every cell does the same
    work per frame: each receiving pool's ring is posted in full with one
    doorbell before the frames are sent (the same in every run of a cell,
    so classify_measure's difference cancels it), no ring wraps or is
    refilled, the write-backs touch one descriptor per frame whatever the
    number of rings, and every ring hands out the same 64 buffers.
    """
    with tempfile.TemporaryDirectory(prefix='vmqnic-cg-') as tmp:
        out = os.path.join(tmp, 'cg.out')
        # Only the device's own work for each frame it receives (what
        # vmqnic_receive runs: classification, delivery, interrupts): the
        # qtest commands that set it up and ring the doorbells are not
        # counted, nor the socket backend's reads, whose number varies
        # with timing (and each read costs it some 70,000 instructions:
        # QEMU zeroes its 68 KiB stack buffer, -ftrivial-auto-var-init).
        # The net layer's cost per frame is the same in every cell.
        nic = under_callgrind('vmqnic_receive', out,
                              lambda: devbench.Vmqnic(qemu))
        try:
            for p in range(pools):
                nic.wr(0x20000 + 0x100 * p, 0x403)    # RX_EN UNTAGGED BCAST
                if p:
                    nic.ring_setup(2 * p, False, 1 + p)
            macs = [bytes([2, 0, 0, 0, i >> 8, i & 0xff])
                    for i in range(filters)]
            for i, mac in enumerate(macs):
                base = 0x30000 + 0x20 * i
                nic.wr(base + 0x00, struct.unpack('<I', mac[:4])[0])
                nic.wr(base + 0x04,
                       struct.unpack('<H', mac[4:])[0] | 1 << 31)
                pool = i % pools
                nic.wr(base + 0x08, (1 << pool) & 0xffffffff)
                nic.wr(base + 0x0c, (1 << pool) >> 32)
                nic.wr(base + 0x10, 0)
            receiving = min(pools, filters)
            table = nic.rx_table(1, 64)
            for p in range(receiving):
                ring = devbench.ring_addr(1 + p)
                nic.mem[ring:ring + len(table)] = table
                nic.rx_tail(devbench.RING_LEN - 1, 2 * p)
            counts = [0] * receiving
            parts = []
            for j in range(frames):
                i = j % filters
                counts[i % pools] += 1
                parts.append(struct.pack('>I', 64) +
                             devbench.frame(64, dst=macs[i]))
            assert max(counts) < devbench.RING_LEN
            nic.q.wire.sendall(b''.join(parts))
            for p in range(receiving):
                devbench.wait_dd(nic, 1 + p, counts[p] - 1, timeout=600)
            delivered = nic.stat(0)
        finally:
            nic.close()
        return callgrind_total(out), delivered


def classify_measure(qemu, pools, filters, frames=(128, 896)):
    """
    Instructions per frame: the difference between runs of two lengths,
    over the frames they differ by.
    """
    counts = []
    for n in frames:
        ins, delivered = classify_run(qemu, pools, filters, n)
        assert delivered == n, 'frames delivered %d of %d' % (delivered, n)
        counts.append(ins)
    return (counts[1] - counts[0]) / (frames[1] - frames[0])


def classify_table(qemu, outdir, log=print):
    """
    The classification sweep in instructions per frame; its table goes to
    log() as it is measured and to OUTDIR/classify-cg.{txt,json}.
    """
    res = {}
    lines = ['vmqnic classification under callgrind: instructions of '
             'vmqnic_receive per 64-byte frame',
             'pools  ' + ''.join('%9s' % ('%d filt' % f)
                                 for f in FILTERS)]
    log(lines[0])
    log(lines[1])
    for p in POOLS:
        row = []
        for f in FILTERS:
            res['%d/%d' % (p, f)] = classify_measure(qemu, p, f)
            row.append(res['%d/%d' % (p, f)])
        lines.append('%5d  ' % p + ''.join('%9.0f' % v for v in row))
        log(lines[-1])
    vals = list(res.values())
    lines.append('spread (max/min - 1): %.1f%%' %
                 ((max(vals) / min(vals) - 1) * 100))
    log(lines[-1])
    if outdir:
        os.makedirs(outdir, exist_ok=True)
        with open(os.path.join(outdir, 'classify-cg.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        with open(os.path.join(outdir, 'classify-cg.json'), 'w') as f:
            json.dump({'instructions_per_frame': res,
                       'spread': max(vals) / min(vals) - 1}, f, indent=1,
                      sort_keys=True)
    return res


def measure(qemu, dev, direction, size, batch, calls, sink=False):
    i0, f0 = run(qemu, dev, direction, size, batch, 1, sink)
    i1, f1 = run(qemu, dev, direction, size, batch, 1 + calls, sink)
    return (i1 - i0) / (f1 - f0)


def totals_table(qemu, devices, batch, calls, log=print):
    """
    Instructions per frame through the socket netdev (what
    run-bench.py's CPU times measure): {'tx/64': {'vmqnic': n, ...}, ...}
    """
    res = {}
    log('instructions per frame, %d frames per doorbell' % batch)
    for d in ('tx', 'rx'):
        for size in (64, 1514):
            row = res.setdefault('%s/%d' % (d, size), {})
            for dev in devices:
                row[dev] = measure(qemu, dev, d, size, batch, calls)
            log('%s %4d  %s' % (d.upper(), size, '  '.join(
                '%s %6.0f' % (dev, row[dev]) for dev in devices)))
    return res


def device_table(qemu, devices, batch, calls, log=print):
    """
    Instructions per frame of the device model alone: TX with no netdev
    (the frames go nowhere), RX less what the socket backend and the net
    layer cost with no device attached (the floor).  Returns
    {'tx/64': {'vmqnic': n, ...}, ..., 'floor': {'rx/64': n, ...}}.
    """
    res = {'floor': {}}
    log('instructions per frame, device model alone, %d frames per '
        'doorbell (TX to no netdev; RX less the socket backend)' % batch)
    for size in (64, 1514):
        res['floor']['rx/%d' % size] = measure(qemu, 'floor', 'rx', size,
                                               batch, calls)
    for d in ('tx', 'rx'):
        for size in (64, 1514):
            row = res.setdefault('%s/%d' % (d, size), {})
            for dev in devices:
                if d == 'tx':
                    row[dev] = measure(qemu, dev, d, size, batch, calls,
                                       sink=True)
                else:
                    row[dev] = (measure(qemu, dev, d, size, batch, calls) -
                                res['floor']['rx/%d' % size])
            log('%s %4d  %s' % (d.upper(), size, '  '.join(
                '%s %6.0f' % (dev, row[dev]) for dev in devices)) +
                ('  (floor %.0f)' % res['floor']['rx/%d' % size]
                 if d == 'rx' else ''))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--qemu', default=os.path.join(
        TOP, 'build', 'qemu-build', 'qemu-system-x86_64'))
    ap.add_argument('--devices', default='vmqnic,igb,e1000e')
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--calls', type=int, default=4,
                    help='measured calls of 4 batches each')
    ap.add_argument('--device-only', action='store_true',
                    help='the device model alone (device_table)')
    ap.add_argument('--classify', action='store_true',
                    help='the classification sweep (pools x filters) only')
    ap.add_argument('--out', help='classification results: OUT/classify-cg'
                    '.{txt,json}')
    args = ap.parse_args()
    if args.classify:
        classify_table(args.qemu, args.out)
        return
    if args.device_only:
        device_table(args.qemu, args.devices.split(','), args.batch,
                     args.calls)
        return
    totals_table(args.qemu, args.devices.split(','), args.batch, args.calls)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-bench.py: the device-model benchmark behind `make bench`.
#
# Several runs of every case (devbench.py), medians, ratios to igb;
# writes results.json and PNG plots to the output folder and prints the
# tables.  Usage: run-bench.py [--build BUILD] [--runs N] [--seconds S]

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cgbench  # noqa: E402
import devbench  # noqa: E402

DEVICES = ('vmqnic', 'igb', 'e1000e')
SIZES = (64, 1514)
BATCHES = (1, 32, 256)
POOLS = (1, 8, 64)
FILTERS = (1, 8, 32, 128)
ITR_US = 50


def machine():
    cpu = ''
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    return {'cpu': cpu, 'cpus': os.cpu_count(), 'kernel': platform.release(),
            'python': platform.python_version(),
            'date': time.strftime('%Y-%m-%d %H:%M:%S %Z')}


def median_of(runs, keys=('fps', 'cpu_ns', 'user_ns', 'sys_ns')):
    out = {k: statistics.median(r[k] for r in runs) for k in keys
           if k in runs[0]}
    out['runs'] = len(runs)
    return out


def run_device_alone(qemu, r, seconds, raw, log):
    """TX to no netdev; the socket backend alone (the RX floor)"""
    for dev in DEVICES:
        nic = devbench.NICS[dev](qemu, sink=True)
        try:
            for size in SIZES:
                res = devbench.bench_tx(nic, size, 256, seconds)
                key = '%s/tx/%d' % (dev, size)
                raw['device'].setdefault(key, []).append(res)
                log('run %d %-28s %9.0f fps %7.0f ns/frame' %
                    (r + 1, key + ' (no netdev)', res['fps'], res['cpu_ns']))
        finally:
            nic.close()
    floor = devbench.Floor(qemu)
    try:
        for size in SIZES:
            res = devbench.bench_rx_floor(floor, size, 256, seconds)
            key = 'floor/rx/%d' % size
            raw['device'].setdefault(key, []).append(res)
            log('run %d %-28s %9.0f fps %7.0f ns/frame' %
                (r + 1, key, res['fps'], res['cpu_ns']))
    finally:
        floor.close()


def run_all(qemu, runs, seconds, log):
    raw = {'datapath': {}, 'classify': {}, 'moderation': {}, 'device': {}}
    for r in range(runs):
        run_device_alone(qemu, r, seconds, raw, log)
        for dev in DEVICES:
            nic = devbench.NICS[dev](qemu)
            try:
                for size in SIZES:
                    for batch in BATCHES:
                        for d, fn in (('tx', devbench.bench_tx),
                                      ('rx', devbench.bench_rx)):
                            res = fn(nic, size, batch, seconds)
                            key = '%s/%s/%d/%d' % (dev, d, size, batch)
                            raw['datapath'].setdefault(key, []).append(res)
                            log('run %d %-28s %9.0f fps %7.0f ns/frame' %
                                (r + 1, key, res['fps'], res['cpu_ns']))
            finally:
                nic.close()
        for pools in POOLS:
            for filters in FILTERS:
                res = devbench.bench_classify(qemu, pools, filters, seconds)
                key = '%d/%d' % (pools, filters)
                raw['classify'].setdefault(key, []).append(res)
                log('run %d classify pools %2d filters %3d %7.0f ns/frame' %
                    (r + 1, pools, filters, res['cpu_ns']))
        for d, size, batch in [(d, s, b) for d in ('tx', 'rx')
                               for s in SIZES for b in (32, 256)]:
                res = devbench.bench_moderation(qemu, d, size, batch, ITR_US,
                                                seconds)
                key = '%s/%d/%d' % (d, size, batch)
                raw['moderation'].setdefault(key, []).append(res)
                log('run %d moderation %-11s %.1f frames per interrupt' %
                    (r + 1, key, res['frames_per_irq']))
    return raw


def summarize(raw):
    dp = {k: median_of(v) for k, v in raw['datapath'].items()}
    for k, v in dp.items():
        dev, rest = k.split('/', 1)
        igb = dp['igb/' + rest]
        for what in ('cpu', 'user', 'fps'):
            key = 'fps' if what == 'fps' else what + '_ns'
            # too short a run may see no clock tick at all
            v[what + '_vs_igb'] = (v[key] / igb[key] if igb[key]
                                   else float('nan'))
    cl = {k: median_of(v) for k, v in raw['classify'].items()}
    mod = {k: median_of(v, ('fps', 'cpu_ns', 'frames_per_irq'))
           for k, v in raw['moderation'].items()}
    # The device model alone, 256 frames per doorbell: TX with no netdev,
    # RX less the floor (the socket backend with nothing attached)
    alone = {k: median_of(v) for k, v in raw['device'].items()}
    dev = {}
    for d in ('tx', 'rx'):
        for size in SIZES:
            for name in DEVICES:
                if d == 'tx':
                    ns = alone['%s/tx/%d' % (name, size)]['cpu_ns']
                else:
                    ns = (dp['%s/rx/%d/256' % (name, size)]['cpu_ns'] -
                          alone['floor/rx/%d' % size]['cpu_ns'])
                dev['%s/%s/%d' % (name, d, size)] = {'cpu_ns': ns}
    for k, v in dev.items():
        igb = dev['igb/' + k.split('/', 1)[1]]['cpu_ns']
        v['cpu_vs_igb'] = v['cpu_ns'] / igb if igb > 0 else float('nan')
    dev['floor'] = {k: v['cpu_ns'] for k, v in alone.items()
                    if k.startswith('floor/')}
    return {'datapath': dp, 'classify': cl, 'moderation': mod,
            'device': dev, 'budget': budget(dp, dev)}


def budget(dp, dev):
    """
    What the goal (half of igb's CPU time per frame through the socket
    netdev, 256 frames per doorbell) leaves for a device model once the
    part no device can save is paid: for RX the socket backend alone, for
    TX the least any device pays above its own work (through the socket
    less to no netdev: the net layer and one sendmsg per frame)
    """
    out = {}
    for d in ('tx', 'rx'):
        for size in SIZES:
            rest = '%s/%d' % (d, size)
            if d == 'tx':
                shared = min(dp['%s/%s/256' % (n, rest)]['cpu_ns'] -
                             dev['%s/%s' % (n, rest)]['cpu_ns']
                             for n in DEVICES)
            else:
                shared = dev['floor']['floor/%s' % rest]
            half = dp['igb/%s/256' % rest]['cpu_ns'] / 2
            out[rest] = {'half_igb': half, 'shared': shared,
                         'left': half - shared,
                         'vmqnic': dev['vmqnic/%s' % rest]['cpu_ns']}
    return out


def tables(res):
    out = []
    dp = res['datapath']
    out.append('Device model, no guest: median of %d runs; CPU = QEMU user+sys'
               ' per frame' % next(iter(dp.values()))['runs'])
    out.append('%-4s %5s %5s  %-7s %10s %9s %8s %8s %8s %8s' %
               ('dir', 'size', 'batch', 'device', 'frames/s', 'CPU ns',
                'user ns', 'CPU/igb', 'user/igb', 'fps/igb'))
    for d in ('tx', 'rx'):
        for size in SIZES:
            for batch in BATCHES:
                for dev in DEVICES:
                    v = dp['%s/%s/%d/%d' % (dev, d, size, batch)]
                    out.append('%-4s %5d %5d  %-7s %10.0f %9.0f %8.0f %8.2f '
                               '%8.2f %8.2f' %
                               (d.upper(), size, batch, dev, v['fps'],
                                v['cpu_ns'], v['user_ns'], v['cpu_vs_igb'],
                                v['user_vs_igb'], v['fps_vs_igb']))
    out.append('')
    dev = res['device']
    out.append('The device model alone, 256 frames per doorbell: CPU ns per '
               'frame; TX to no netdev, RX less the socket backend alone '
               '(%s ns)' % ' / '.join('%.0f' % dev['floor']['floor/rx/%d' % s]
                                      for s in SIZES))
    out.append('%-4s %5s  ' % ('dir', 'size') +
               ''.join('%9s %7s' % (n, '/igb') for n in DEVICES))
    for d in ('tx', 'rx'):
        for size in SIZES:
            out.append('%-4s %5d  ' % (d.upper(), size) + ''.join(
                '%9.0f %7.2f' % (dev['%s/%s/%d' % (n, d, size)]['cpu_ns'],
                                 dev['%s/%s/%d' % (n, d, size)]['cpu_vs_igb'])
                for n in DEVICES))
    out.append('')
    out.append('What half of igb leaves for a device model, 256 frames per '
               'doorbell, CPU ns per frame: the share no device saves (RX: '
               'the socket backend alone; TX: the least any device pays '
               'through the socket above its own work), the rest, and '
               'vmqnic\'s own work')
    out.append('%-4s %5s %9s %9s %9s %9s' %
               ('dir', 'size', 'igb/2', 'shared', 'left', 'vmqnic'))
    for k, v in res['budget'].items():
        d, size = k.split('/')
        out.append('%-4s %5s %9.0f %9.0f %9.0f %9.0f' %
                   (d.upper(), size, v['half_igb'], v['shared'], v['left'],
                    v['vmqnic']))
    out.append('')
    for name, title in (('instructions', 'through the socket netdev'),
                        ('instructions_alone', 'the device model alone')):
        if name not in res:
            continue
        ins = res[name]
        out.append('Instructions per frame under callgrind, %s, 256 frames '
                   'per doorbell' % title)
        out.append('%-4s %5s  ' % ('dir', 'size') +
                   ''.join('%9s %7s' % (n, '/igb') for n in DEVICES))
        for d in ('tx', 'rx'):
            for size in SIZES:
                row = ins['%s/%d' % (d, size)]
                out.append('%-4s %5d  ' % (d.upper(), size) + ''.join(
                    '%9.0f %7.2f' % (row[n], row[n] / row['igb'])
                    for n in DEVICES))
        out.append('')
    out.append('vmqnic classification: RX of 64-byte frames, CPU ns per frame')
    out.append('pools  ' + ''.join('%9s' % ('%d filt' % f) for f in FILTERS))
    for p in POOLS:
        out.append('%5d  ' % p + ''.join(
            '%9.0f' % res['classify']['%d/%d' % (p, f)]['cpu_ns']
            for f in FILTERS))
    vals = [v['cpu_ns'] for v in res['classify'].values()]
    out.append('spread (max/min - 1): %.1f%%' %
               ((max(vals) / min(vals) - 1) * 100))
    out.append('')
    if 'classify_cg' in res:
        cg = res['classify_cg']
        out.append('vmqnic classification under callgrind: instructions of '
                   'vmqnic_receive per 64-byte frame')
        out.append('pools  ' + ''.join('%9s' % ('%d filt' % f)
                                       for f in FILTERS))
        for p in POOLS:
            out.append('%5d  ' % p + ''.join(
                '%9.0f' % cg['instructions_per_frame']['%d/%d' % (p, f)]
                for f in FILTERS))
        out.append('spread (max/min - 1): %.1f%%' % (cg['spread'] * 100))
        out.append('')
    out.append('vmqnic moderation (VEC_ITR %d us; dir/size/frames per '
               'doorbell; virtual clock = host clock)' % ITR_US)
    for k, v in sorted(res['moderation'].items()):
        out.append('%-11s %8.0f frames/s  %6.1f frames per interrupt' %
                   (k, v['fps'], v['frames_per_irq']))
    return '\n'.join(out)


def plots(res, outdir):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('run-bench: no matplotlib, no plots '
              '(scripts/install-deps.sh bench installs it)', file=sys.stderr)
        return []
    files = []
    dp = res['datapath']

    def datapath_grid(field, scale, ylabel, log_y, name):
        """TX and RX at each frame size, a bar per device and batch"""
        fig, axes = plt.subplots(2, 2, figsize=(11, 8))
        for ax, (d, size) in zip(axes.flat, [(d, s) for d in ('tx', 'rx')
                                             for s in SIZES]):
            width = 0.27
            for i, dev in enumerate(DEVICES):
                ys = [dp['%s/%s/%d/%d' % (dev, d, size, b)][field] * scale
                      for b in BATCHES]
                ax.bar([x + (i - 1) * width for x in range(len(BATCHES))],
                       ys, width, label=dev)
            ax.set_xticks(range(len(BATCHES)))
            ax.set_xticklabels(['%d / doorbell' % b for b in BATCHES])
            if log_y:
                ax.set_yscale('log')
            ax.set_ylabel(ylabel)
            ax.set_title('%s, %d-byte frames' % (d.upper(), size))
            ax.legend()
        fig.tight_layout()
        path = os.path.join(outdir, name)
        fig.savefig(path, dpi=90)
        files.append(path)

    datapath_grid('cpu_ns', 1, 'QEMU CPU ns per frame', True,
                  'cpu-per-frame.png')
    datapath_grid('fps', 1e-3, 'thousand frames per second', False,
                  'frames-per-second.png')

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for p in POOLS:
        ax.plot(FILTERS, [res['classify']['%d/%d' % (p, f)]['cpu_ns']
                          for f in FILTERS], marker='o',
                label='%d active pools' % p)
    ax.set_xscale('log', base=2)
    ax.set_xticks(FILTERS)
    ax.set_xticklabels([str(f) for f in FILTERS])
    ax.set_ylim(bottom=0)
    ax.set_xlabel('MAC filters in use')
    ax.set_ylabel('QEMU CPU ns per frame')
    ax.set_title('vmqnic RX classification, 64-byte frames')
    ax.legend()
    fig.tight_layout()
    path = os.path.join(outdir, 'classification.png')
    fig.savefig(path, dpi=90)
    files.append(path)
    plt.close('all')
    return files


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--build', default=os.path.join(top, 'build'))
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--seconds', type=float, default=1.0,
                    help='measuring time of each case')
    ap.add_argument('--qemu', help='default: BUILD/qemu-build/'
                    'qemu-system-x86_64')
    ap.add_argument('--out', help='default: BUILD/bench')
    ap.add_argument('--label', default='', help='recorded in results.json')
    ap.add_argument('--no-callgrind', action='store_true',
                    help='skip the classification sweep under callgrind')
    args = ap.parse_args()
    qemu = args.qemu or os.path.join(args.build, 'qemu-build',
                                     'qemu-system-x86_64')
    outdir = args.out or os.path.join(args.build, 'bench')
    os.makedirs(outdir, exist_ok=True)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    raw = run_all(qemu, args.runs, args.seconds, log)
    res = summarize(raw)
    # The classification sweep again, in instructions per frame: CPU time
    # on a shared machine spreads more than the 10 % it is to be held to
    if args.no_callgrind:
        pass
    elif not shutil.which('valgrind'):
        log('run-bench: no valgrind, no classification instruction counts '
            '(scripts/install-deps.sh bench installs it)')
    else:
        log('instructions per frame under callgrind (about two minutes)')
        res['instructions'] = cgbench.totals_table(qemu, DEVICES, 256, 4,
                                                   log)
        res['instructions_alone'] = cgbench.device_table(qemu, DEVICES, 256,
                                                         4, log)
        log('classification under callgrind (about a minute)')
        cg = cgbench.classify_table(qemu, outdir, log)
        vals = list(cg.values())
        res['classify_cg'] = {'instructions_per_frame': cg,
                              'spread': max(vals) / min(vals) - 1}
    version = subprocess.run([qemu, '--version'], capture_output=True,
                             text=True).stdout.splitlines()[0]
    doc = {'machine': machine(), 'qemu': version, 'label': args.label,
           'runs': args.runs, 'seconds': args.seconds,
           'ring_len': devbench.RING_LEN, 'summary': res, 'raw': raw}
    with open(os.path.join(outdir, 'results.json'), 'w') as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    text = tables(res)
    with open(os.path.join(outdir, 'results.txt'), 'w') as f:
        f.write(text + '\n')
    files = plots(res, outdir)
    print(text)
    print('\nresults: %s' % os.path.join(outdir, 'results.json'))
    for p in files:
        print('plot: %s' % p)


if __name__ == '__main__':
    main()

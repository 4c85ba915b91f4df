#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# guestbench.py: TCP throughput and UDP packet rate of a guest's NIC,
# vmqnic against igb, e1000e and virtio-net-pci, on the same backend
# (user-mode networking, iperf3 through forwarded ports) and the same
# guest image (scripts/guest-image.sh, job guest/image/jobs/bench.sh).
#
# For each NIC: host-to-guest (guest RX) and guest-to-host (guest TX, iperf3
# -R) throughput, and QEMU's CPU time per transferred GB; the same for
# 64-byte UDP datagrams (packet rate); several runs, medians.  TCG
# unless VMQNIC_KVM=1 and /dev/kvm works (tests/guest).

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, 'tests', 'guest'))
import guestlib  # noqa: E402

NICS = (('vmqnic', 'vmqnic', 'vmqnic'), ('igb', 'igb', 'igb'),
        ('e1000e', 'e1000e', 'e1000e'),
        ('virtio-net', 'virtio-net-pci', 'virtio_net'))
CLK_TCK = os.sysconf('SC_CLK_TCK')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def run_iperf(port, seconds, reverse, pid, extra=(), tries=5):
    """iperf3's JSON report and QEMU's CPU seconds during the run"""
    args = ['iperf3', '-c', '127.0.0.1', '-p', str(port), '-t',
            str(seconds), '-J'] + list(extra) + (['-R'] if reverse else [])
    for attempt in range(tries):
        # the server takes a moment between tests: a new one may be reset
        time.sleep(1)
        c0 = cpu_seconds(pid)
        out = subprocess.run(args, capture_output=True, text=True,
                             timeout=120)
        c1 = cpu_seconds(pid)
        res = json.loads(out.stdout)
        if 'error' not in res:
            return res, c1 - c0
    raise RuntimeError(res['error'])


def iperf(port, seconds, reverse, pid):
    res, cpu = run_iperf(port, seconds, reverse, pid)
    end = res['end']
    nbytes = end['sum_received']['bytes']
    return {'mbit_s': end['sum_received']['bits_per_second'] / 1e6,
            'qemu_cpu_s_per_gb': cpu / (nbytes / 1e9)}


def iperf_udp(port, seconds, reverse, pid, size=64):
    """
    Packet rate: @size-byte UDP datagrams as fast as the sender can, for
    @seconds; datagrams per second that arrived, and QEMU's CPU time per
    datagram that arrived
    """
    res, cpu = run_iperf(port, seconds, reverse, pid,
                         ('-u', '-b', '0', '-l', str(size)))
    s = res['end']['sum']
    got = max(s['packets'] - s['lost_packets'], 1)
    return {'pps': got / s['seconds'],
            'sent_pps': s['packets'] / s['seconds'],
            'qemu_cpu_us_per_pkt': cpu / got * 1e6}


def one_guest(name, model, driver, seconds, build, logs, coalesce=None):
    port = free_port()
    params = {'driver': driver}
    if coalesce:
        params['coalesce'] = coalesce
    with tempfile.TemporaryDirectory(prefix='vmqnic-gbench-') as tmp:
        g = guestlib.Guest(tmp, 'bench-' + name, 'bench', [
            [('-netdev', 'user,id=n0,hostfwd=tcp:127.0.0.1:%d-10.0.2.15:5201'
              ',hostfwd=udp:127.0.0.1:%d-10.0.2.15:5201' % (port, port)),
             ('-device', '%s,netdev=n0,mac=52:54:00:12:34:56' % model)],
        ], params=params, build=build, log_dir=logs)
        out = {}

        def measure(args):
            # the forwarded port may take a moment to reach the server
            deadline = time.time() + 120
            while subprocess.run(['iperf3', '-c', '127.0.0.1', '-p',
                                  str(port), '-n', '1K'],
                                 capture_output=True).returncode:
                if time.time() > deadline:
                    raise RuntimeError('iperf3 server unreachable')
                time.sleep(1)
            out['h2g'] = iperf(port, seconds, False, g.proc.pid)
            out['g2h'] = iperf(port, seconds, True, g.proc.pid)
            out['h2g_udp'] = iperf_udp(port, seconds, False, g.proc.pid)
            out['g2h_udp'] = iperf_udp(port, seconds, True, g.proc.pid)
            return 'ok'

        g.handlers['measure'] = measure
        g.start()
        try:
            results = g.run(timeout=900)
        finally:
            g.stop()
        bad = [r for r in results if r[0] == 'FAIL']
        if bad or 'g2h' not in out:
            raise RuntimeError('%s: guest failed %s (see %s)' %
                               (name, bad, g.log_path))
        return out


def table(summary, title, cases, key, unit, cpu_key, cpu_unit):
    """Lines of one table: both directions of @cases, ratios to igb"""
    ref = summary.get('igb')
    lines = [title, '%-10s %14s %6s %14s %6s %14s %14s' %
             ('NIC', 'host->guest', '/igb', 'guest->host', '/igb',
              cpu_unit + ' h->g', cpu_unit + ' g->h')]
    for name, s in summary.items():
        row = '%-10s' % name
        for c in cases:
            row += ' %9.0f %-4s %6.2f' % (
                s[c][key], unit, s[c][key] / ref[c][key] if ref else 0)
        for c in cases:
            row += ' %14.2f' % s[c][cpu_key]
        lines.append(row)
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--seconds', type=int, default=10)
    ap.add_argument('--nics', default=','.join(n[0] for n in NICS))
    ap.add_argument('--out', help='default: BUILD/bench/guest.json')
    ap.add_argument('--coalesce', metavar='ARGS',
                    help='ethtool -C arguments for the guest NIC, commas '
                    'for spaces (e.g. adaptive-rx,off,rx-usecs,200)')
    ap.add_argument('--coalesce-nics', default='vmqnic',
                    help='the NICs --coalesce applies to (default: '
                    'vmqnic; the others keep their drivers\' defaults)')
    args = ap.parse_args()
    logs = os.path.join(args.build, 'bench', 'guest-logs')
    os.makedirs(logs, exist_ok=True)
    subprocess.run([os.path.join(TOP, 'scripts', 'guest-image.sh')],
                   check=True, env=dict(os.environ, VMQNIC_BUILD=args.build))
    raw = {}
    for r in range(args.runs):
        for name, model, driver in NICS:
            if name not in args.nics.split(','):
                continue
            try:
                coalesce = (args.coalesce if name in
                            args.coalesce_nics.split(',') else None)
                res = one_guest(name, model, driver, args.seconds,
                                args.build, logs, coalesce)
            except RuntimeError as e:           # one bad boot: next run
                print('run %d %s: %s' % (r + 1, name, e), file=sys.stderr)
                continue
            raw.setdefault(name, []).append(res)
            print('run %d %-10s host->guest %7.0f Mb/s %7.0f pkt/s  '
                  'guest->host %7.0f Mb/s %7.0f pkt/s' %
                  (r + 1, name, res['h2g']['mbit_s'], res['h2g_udp']['pps'],
                   res['g2h']['mbit_s'], res['g2h_udp']['pps']),
                  file=sys.stderr, flush=True)
    summary = {}
    for name, runs in raw.items():
        # runs: how many of the runs measured this NIC
        summary[name] = {d: {k: statistics.median(x[d][k] for x in runs)
                             for k in runs[0][d]}
                         for d in ('h2g', 'g2h', 'h2g_udp', 'g2h_udp')}
        summary[name]['runs'] = len(runs)
    accel = 'KVM' if guestlib.kvm_works() else 'TCG'
    lines = table(summary, 'Guest TCP throughput (iperf3 over user-mode '
                  'networking, median of %d runs of %d s; %s)' %
                  (args.runs, args.seconds, accel),
                  ('h2g', 'g2h'), 'mbit_s', 'Mb/s', 'qemu_cpu_s_per_gb',
                  'CPU s/GB')
    lines += [''] + table(summary, 'Guest packet rate (iperf3 -u -b 0 -l '
                          '64: 64-byte UDP datagrams that arrived, per '
                          'second; QEMU CPU per datagram)',
                          ('h2g_udp', 'g2h_udp'), 'pps', 'pps',
                          'qemu_cpu_us_per_pkt', 'CPU us')
    text = '\n'.join(lines)
    out = args.out or os.path.join(args.build, 'bench', 'guest.json')
    with open(out, 'w') as f:
        json.dump({'summary': summary, 'raw': raw, 'seconds': args.seconds,
                   'runs': args.runs,
                   'accel': 'kvm' if guestlib.kvm_works() else 'tcg'},
                  f, indent=1)
    print(text)
    print('\nresults: %s' % out)


if __name__ == '__main__':
    main()

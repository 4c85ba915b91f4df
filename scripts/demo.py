#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vmqnic main job: VMQ in a real guest, shown from both sides.

Boots Debian's kernel on q35 with -device vmqnic on user-mode networking
and the reference driver.  In the guest, the NIC's own interface (pool 0)
and three "VMs" - macvlans offloaded to pools of their own, the Linux
form of VMQ - get addresses by DHCP and ping the gateway, each a different
number of times.  Then the device's state, read through QMP
(x-query-vmqnic), and the guest's interrupt counts are printed as a table
of which pool, queue and vector received what.  Exits 0 when every VM's
traffic landed in its own pool.
"""

import argparse
import os
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, 'tests', 'guest'))
import guestlib  # noqa: E402

VMS = [('host (eth0)', None), ('vm1', '02:00:00:00:00:01'),
       ('vm2', '02:00:00:00:00:02'), ('vm3', '02:00:00:00:00:03')]
PINGS = [5, 15, 25, 35]          # as guest/image/jobs/demo.sh sends them


def ranges(nums):
    nums = sorted(set(nums))
    if not nums:
        return '-'
    if nums == list(range(nums[0], nums[-1] + 1)) and len(nums) > 1:
        return f'{nums[0]}-{nums[-1]}'
    return ','.join(str(n) for n in nums)


def table(info, irqs, pci):
    mac_pool = {}
    for f in info['mac-filters']:
        for p in f['pools']:
            mac_pool.setdefault(f['mac'].lower(), p)
    pools = {p['pool']: p for p in info['pools']}
    queues = {q['queue']: q for q in info['queues']}
    rows = []
    ok = True
    for (name, mac), pings in zip(VMS, PINGS):
        mac = (mac or info['mac']).lower()
        pool = mac_pool.get(mac)
        p = pools.get(pool) if pool is not None else None
        if not p or 'first-queue' not in p:
            rows.append((name, mac, '-', '-', '-', 0, 0, 0, pings))
            ok = False
            continue
        qs = range(p['first-queue'], p['first-queue'] + p['queue-count'])
        rx = sum(queues[q]['counters']['rx-pkts'] for q in qs if q in queues)
        tx = sum(queues[q]['counters']['tx-pkts'] for q in qs if q in queues)
        vecs = [queues[q]['rx']['vector'] for q in qs if q in queues]
        ints = sum(irqs.get(f'vmqnic-{pci}-q{q}', 0) for q in qs)
        rows.append((name, mac, str(pool), ranges(qs), ranges(vecs), rx, tx,
                     ints, pings))
        ok = ok and rx >= pings and tx >= pings
    head = ('VM', 'MAC', 'pool', 'queues', 'vectors', 'RX frames',
            'TX frames', 'interrupts', 'pings sent')
    widths = [max(len(str(r[i])) for r in rows + [head])
              for i in range(len(head))]
    line = '  '.join(f'{{:<{w}}}' for w in widths)
    print(line.format(*head))
    print(line.format(*('-' * w for w in widths)))
    for r in rows:
        print(line.format(*r))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--timeout', type=int, default=600)
    args = ap.parse_args()
    os.environ['VMQNIC_BUILD'] = args.build
    guestlib.build_guest_image()

    snap = {}
    with tempfile.TemporaryDirectory(prefix='vmqnic-demo-') as tmp:
        g = guestlib.Guest(tmp, 'demo', 'demo', [
            [('-netdev', 'user,id=u0'),
             ('-device', 'vmqnic,id=nic0,netdev=u0,mac=52:54:00:12:34:56')]],
            log_dir=args.build, echo=True)

        def snapshot(_):
            snap['info'] = g.qmp.cmd('x-query-vmqnic', id='nic0')
            snap['hmp'] = g.qmp.hmp('info vmqnic nic0')
            return 'ok'

        g.handlers['snapshot'] = snapshot
        print('=== starting: ' + ' '.join(g.cmdline), flush=True)
        g.start()
        g.run(args.timeout)
        g.stop()

    if 'info' not in snap:
        print(f'=== the guest did not finish; see {g.log_path}')
        return 1
    info = snap['info']
    irqs = {r[1]: int(r[2]) for r in g.records if r[0] == 'IRQ'}
    pci = next((n.split('-')[1] for n in irqs), '')
    hmp = snap['hmp'].splitlines()
    print()
    print(f'=== QEMU: info vmqnic (HMP; {len(hmp)} lines in all, the first '
          f'ones here)')
    print('\n'.join(hmp[:12]))
    print()
    print('=== Who received what (device counters from QMP, interrupts '
          'from the guest)')
    ok = table(info, irqs, pci)
    print('(Pool 0 also takes the broadcasts - DHCP, ARP - that macvlan then '
          'hands to the VMs in\n software, and its TX column counts the '
          'host\'s DHCP and ARP frames too.)')
    print()
    if ok:
        print('=== vmqnic: every VM\'s traffic went to its own pool, queues '
              'and vectors')
        return 0
    print(f'=== vmqnic: some traffic did not land where expected; see '
          f'{g.log_path}')
    return 1


if __name__ == '__main__':
    sys.exit(main())

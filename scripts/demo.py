#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vmqnic main job: boot a guest with -device vmqnic on user networking.

Prints the device as QEMU sees it (QMP/HMP) and as the guest sees it
(PCI configuration through the guest kernel), then exits 0 when the guest
has shown the device.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile('rw')
        self._read()                                  # greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        while True:
            msg = json.loads(self.file.readline())
            if 'event' not in msg:
                return msg

    def cmd(self, name, **args):
        self.file.write(json.dumps({'execute': name, 'arguments': args}))
        self.file.flush()
        reply = self._read()
        if 'error' in reply:
            raise RuntimeError(f"{name}: {reply['error']['desc']}")
        return reply['return']

    def hmp(self, line):
        return self.cmd('human-monitor-command', **{'command-line': line})


def find_vmqnic(buses):
    for bus in buses:
        for dev in bus['devices']:
            if dev['id']['vendor'] == 0x1af4 and dev['id']['device'] == 0x10f0:
                return dev
            bridge = dev.get('pci_bridge')
            if bridge and 'devices' in bridge:
                found = find_vmqnic([bridge])
                if found:
                    return found
    return None


def show_qemu_view(qmp):
    print('=== QEMU: the vmqnic device as QEMU sees it ===')
    dev = find_vmqnic(qmp.cmd('query-pci'))
    if not dev:
        print('vmqnic not found in query-pci')
        return False
    print(f"PCI {dev['bus']:02x}:{dev['slot']:02x}.{dev['function']} "
          f"{dev['id']['vendor']:04x}:{dev['id']['device']:04x} "
          f"class {dev['class_info']['class']:04x} "
          f"({dev['class_info'].get('desc', '')}) irq pin {dev['irq_pin']}")
    for region in dev['regions']:
        print(f"  BAR{region['bar']}: {region['type']} "
              f"size 0x{region['size']:x} at 0x{region['address']:x}")
    path = qmp.cmd('qom-list', path='/machine/peripheral')
    for prop in ('queues', 'pools', 'mac-filters', 'vlan-filters',
                 'speed', 'mac', 'netdev'):
        val = qmp.cmd('qom-get', path='/machine/peripheral/nic0',
                      property=prop)
        print(f'  property {prop} = {val}')
    del path
    print(qmp.hmp('info network').rstrip())
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--timeout', type=int, default=600)
    ap.add_argument('--kvm', action='store_true',
                    help='use KVM (default: TCG; nested KVM is unreliable)')
    args = ap.parse_args()

    env = dict(os.environ, VMQNIC_BUILD=args.build)
    subprocess.run([os.path.join(TOP, 'scripts', 'guest-image.sh')],
                   check=True, env=env)
    guest = os.path.join(args.build, 'guest')
    qemu = os.path.join(args.build, 'qemu-build', 'qemu-system-x86_64')

    with tempfile.TemporaryDirectory(prefix='vmqnic-demo-') as tmp:
        qmp_path = os.path.join(tmp, 'qmp.sock')
        cmd = [qemu, '-M', 'q35', '-m', '512', '-smp', '2',
               '-accel', 'kvm' if args.kvm else 'tcg',
               '-display', 'none', '-nodefaults', '-serial', 'stdio',
               '-no-reboot',
               '-kernel', os.path.join(guest, 'vmlinuz'),
               '-initrd', os.path.join(guest, 'initrd.gz'),
               '-append', 'console=ttyS0 quiet panic=-1 vmqnic.job=show',
               '-netdev', 'user,id=net0',
               '-device', 'pcie-root-port,id=rp0,chassis=1',
               '-device', 'vmqnic,id=nic0,netdev=net0,bus=rp0,'
                          'mac=52:54:00:12:34:56',
               '-qmp', f'unix:{qmp_path},server=on,wait=off']
        print('=== starting: ' + ' '.join(cmd), flush=True)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors='replace')
        qmp = QMP(qmp_path)
        ok = show_qemu_view(qmp)
        sys.stdout.flush()

        seen = False
        deadline = time.time() + args.timeout
        for line in proc.stdout:
            sys.stdout.write(line)
            if 'Ethernet controller' in line and '1af4:10f0' in line:
                seen = True
            if time.time() > deadline:
                print('=== timeout waiting for the guest')
                proc.kill()
                break
        proc.wait()

    if ok and seen:
        print('=== vmqnic: QEMU and the guest both see the device')
        return 0
    print('=== vmqnic: the device was not seen (qemu ok=%s, guest ok=%s)'
          % (ok, seen))
    return 1


if __name__ == '__main__':
    sys.exit(main())

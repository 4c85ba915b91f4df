#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-guest tests of vmqnic and its reference Linux driver (TAP).

Boots q35 guests under TCG (KVM only with VMQNIC_KVM=1 and a usable
/dev/kvm) with Debian's 6.1 kernel, the reference driver from
guest/linux/ and the jobs from guest/image/jobs/.  Guest logs are kept in
$VMQNIC_BUILD/guest-tests/.
"""

import argparse
import hashlib
import http.server
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestlib  # noqa: E402
import frames  # noqa: E402


def http_server(payload):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header('Content-Length', str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def vmqnic(ident, netdev, extra=''):
    return ('-device', f'vmqnic,id={ident},netdev={netdev}{extra}')


def test_main(tap, tmp, logs, args):
    """One guest, two vmqnics: eth0 on user networking, eth1 on a wire
    the host drives frame by frame."""
    payload = os.urandom(1 << 20)
    srv = http_server(payload)
    wire = guestlib.Wire(os.path.join(tmp, 'wire.sock'))
    g = guestlib.Guest(tmp, 'main', 'main', [
        [('-netdev', 'user,id=u0'),
         vmqnic('nic0', 'u0', ',mac=52:54:00:12:34:56')],
        [('-netdev', wire.netdev('w1')),
         vmqnic('nic1', 'w1', ',mac=52:54:00:ab:cd:01')],
    ], params={'port': srv.server_address[1],
               'sha256': hashlib.sha256(payload).hexdigest()},
        log_dir=logs)
    frames.serve(g, wire, 'nic1')
    g.start()
    tap.report(g, g.run(args.timeout))
    g.stop()
    wire.close()
    srv.shutdown()


def test_pair(tap, tmp, logs, args):
    """Two QEMUs whose vmqnics share a stream netdev on a Unix socket."""
    path = os.path.join(tmp, 'pair.sock')

    def guest(side, server, me, peer):
        netdev = (f'stream,id=s0,server={"on" if server else "off"},'
                  f'addr.type=unix,addr.path={path}' +
                  ('' if server else ',reconnect-ms=200'))
        return guestlib.Guest(tmp, f'pair-{side}', 'pair', [
            [('-netdev', netdev),
             vmqnic('nic0', 's0', f',mac=52:54:00:00:0{side}:01')]],
            params={'ip': me, 'peer': peer,
                    'role': 'server' if server else 'client'}, log_dir=logs)

    a = guest('a', True, '192.168.77.1', '192.168.77.2')
    b = guest('b', False, '192.168.77.2', '192.168.77.1')

    def peerdone(args):
        while not b.done and b.proc.poll() is None:
            time.sleep(0.2)
        return 'ok'

    a.handlers['peerdone'] = peerdone
    a.start()
    b.start()
    ta = threading.Thread(target=a.run, args=(args.timeout,))
    ta.start()
    b.run(args.timeout)
    ta.join()
    tap.report(a, a.results)
    tap.report(b, b.results)
    a.stop()
    b.stop()


TESTS = {'main': test_main, 'pair': test_pair}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--timeout', type=int, default=600,
                    help='seconds per guest')
    ap.add_argument('tests', nargs='*', default=list(TESTS))
    args = ap.parse_args()
    build = os.environ.setdefault('VMQNIC_BUILD',
                                  os.path.join(guestlib.TOP, 'build'))
    guestlib.build_guest_image()
    logs = os.path.join(build, 'guest-tests')
    os.makedirs(logs, exist_ok=True)
    tap = guestlib.Tap()
    with tempfile.TemporaryDirectory(prefix='vmqnic-guest-') as tmp:
        for name in args.tests:
            TESTS[name](tap, tmp, logs, args)
    return tap.finish()


if __name__ == '__main__':
    sys.exit(main())

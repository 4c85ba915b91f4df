# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot and drive vmqnic test guests.

A guest runs one job script from guest/image/jobs/ (chosen on the kernel
command line) and talks to the host over its serial console:

  @@OK <check> <detail>     a check passed
  @@FAIL <check> <detail>   a check failed
  @@SKIP <check> <detail>   a check could not run
  @@HOST <request...>       the guest waits until the host answers with one
                            line on the console (see Guest.handlers)
  @@DONE                    the job finished
  @@<TAG> <words...>        anything else is kept in Guest.records

The host side keeps the console log, answers requests (QMP commands,
frames sent on a wire), and turns the checks into TAP lines.
"""

import json
import os
import queue
import socket
import struct
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def build_guest_image():
    """Build (or reuse) the guest kernel, initramfs and driver."""
    subprocess.run([os.path.join(TOP, 'scripts', 'guest-image.sh')],
                   check=True, stdout=sys.stderr)


def kvm_works():
    """KVM only when asked and usable; nested KVM here is unreliable."""
    return (os.environ.get('VMQNIC_KVM') == '1' and
            os.access('/dev/kvm', os.R_OK | os.W_OK))


class QMP:
    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile('rw')
        self.lock = threading.Lock()
        self.events = []
        self._read()                                  # greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError('QMP connection closed')
            msg = json.loads(line)
            if 'event' in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd(self, execute, /, **args):
        with self.lock:
            self.file.write(json.dumps({'execute': execute,
                                        'arguments': args}))
            self.file.flush()
            reply = self._read()
        if 'error' in reply:
            raise RuntimeError(f"{execute}: {reply['error']['desc']}")
        return reply['return']

    def hmp(self, line):
        return self.cmd('human-monitor-command', **{'command-line': line})

    def close(self):
        self.sock.close()


class Wire:
    """The far end of a -netdev stream on a Unix socket: raw frames, each
    sent with a 4-byte big-endian length, as QEMU's stream netdev does."""

    def __init__(self, path):
        self.path = path
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(1)
        self.conn = None
        self.rx = queue.Queue()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def netdev(self, ident):
        return (f'stream,id={ident},server=off,addr.type=unix,'
                f'addr.path={self.path}')

    def _accept(self):
        self.conn, _ = self.srv.accept()
        buf = b''
        while True:
            try:
                data = self.conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            buf += data
            while len(buf) >= 4:
                n = struct.unpack('>I', buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                self.rx.put(buf[4:4 + n])
                buf = buf[4 + n:]

    def send(self, frame):
        deadline = time.time() + 30
        while self.conn is None and time.time() < deadline:
            time.sleep(0.05)
        self.conn.sendall(struct.pack('>I', len(frame)) + frame)

    def close(self):
        for s in (self.conn, self.srv):
            if s:
                s.close()


class Guest:
    """One QEMU running one guest job."""

    def __init__(self, tmp, name, job, devices, params=None, mem=512,
                 build=None, log_dir=None, echo=False):
        self.build = build or os.environ.get('VMQNIC_BUILD',
                                             os.path.join(TOP, 'build'))
        self.name = name
        self.tmp = tmp
        self.qmp_path = os.path.join(tmp, f'{name}-qmp.sock')
        guest = os.path.join(self.build, 'guest')
        qemu = os.path.join(self.build, 'qemu-build', 'qemu-system-x86_64')
        # vmqtest.*, not vmqnic.*: that is the driver's parameter space
        append = f'console=ttyS0 quiet panic=-1 vmqtest.job={job}'
        for k, v in (params or {}).items():
            append += f' vmqtest.{k}={v}'
        self.cmdline = [qemu, '-M', 'q35', '-m', str(mem), '-smp', '2',
                        '-accel', 'kvm' if kvm_works() else 'tcg',
                        '-display', 'none', '-nodefaults',
                        '-serial', 'stdio', '-no-reboot',
                        '-kernel', os.path.join(guest, 'vmlinuz'),
                        '-initrd', os.path.join(guest, 'initrd.gz'),
                        '-append', append,
                        '-qmp', f'unix:{self.qmp_path},server=on,wait=off']
        for i, dev in enumerate(devices):
            self.cmdline += ['-device',
                             f'pcie-root-port,id=rp{i},chassis={i + 1}']
            for kind, value in dev:
                if kind == '-device':
                    value += f',bus=rp{i}'
                self.cmdline += [kind, value]
        self.log_path = os.path.join(log_dir or tmp, f'{name}.log')
        self.log = open(self.log_path, 'w')
        self.handlers = {}
        self.results = []
        self.records = []           # other @@ lines, split into words
        self.done = False
        self.lines = queue.Queue()
        self.echo = echo            # print the guest's "=== " lines

    def start(self):
        self.log.write('$ ' + ' '.join(self.cmdline) + '\n')
        self.proc = subprocess.Popen(self.cmdline, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     errors='replace', bufsize=1)
        self.qmp = QMP(self.qmp_path)
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def _reader(self):
        for line in self.proc.stdout:
            self.log.write(line)
            self.log.flush()
            if self.echo and line.lstrip('\r').startswith('=== '):
                print(line.rstrip(), flush=True)
            self.lines.put(line)
        self.lines.put(None)

    def answer(self, text):
        self.proc.stdin.write(text + '\n')
        self.proc.stdin.flush()

    def run(self, timeout):
        """Serve the guest until @@DONE, QEMU's exit or the timeout."""
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                self.results.append(('FAIL', 'timeout',
                                     f'guest {self.name} did not finish'))
                break
            try:
                line = self.lines.get(timeout=min(left, 1))
            except queue.Empty:
                continue
            if line is None:
                break
            line = line.strip().replace('\r', '')
            pos = line.find('@@')
            if pos < 0:
                continue
            words = line[pos + 2:].split(None, 2)
            if not words:
                continue
            tag = words[0]
            if tag in ('OK', 'FAIL', 'SKIP') and len(words) >= 2:
                self.results.append((tag, words[1],
                                     words[2] if len(words) > 2 else ''))
            elif tag == 'HOST':
                req = line[pos + 2:].split()[1:]
                handler = self.handlers.get(req[0] if req else '')
                try:
                    reply = handler(req[1:]) if handler else 'unknown'
                except Exception as e:                 # report, don't hang
                    reply = f'error {e}'
                self.answer(reply or 'ok')
            elif tag == 'DONE':
                self.done = True
                break
            else:
                self.records.append(line[pos + 2:].split())
        return self.results

    def stop(self):
        try:
            self.qmp.cmd('quit')
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.qmp.close()
        self.log.close()


class Tap:
    """TAP output for the checks of several guests."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def report(self, guest, results):
        for tag, check, detail in results:
            self.n += 1
            name = f'{guest.name}: {check}' + (f' - {detail}' if detail else '')
            if tag == 'OK':
                print(f'ok {self.n} {name}')
            elif tag == 'SKIP':
                print(f'ok {self.n} {name} # SKIP')
            else:
                self.failed += 1
                print(f'not ok {self.n} {name}')
        if not guest.done:
            self.n += 1
            self.failed += 1
            print(f'not ok {self.n} {guest.name}: job finished '
                  f'(see {guest.log_path})')
        sys.stdout.flush()

    def finish(self):
        print(f'1..{self.n}')
        return 1 if self.failed else 0

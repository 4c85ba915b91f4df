#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Device-model benchmark: vmqnic, igb and e1000e driven through the same
# qtest harness, with no guest.
#
# Guest RAM is a file in /dev/shm that QEMU maps shared; this script maps
# it too, so descriptors, buffers and write-backs are plain memory
# accesses here and cost QEMU nothing.  The only qtest commands per batch
# are the doorbell (tail) writes, the same for every device, so QEMU's CPU
# time is the device model's own work plus one doorbell per batch.  Frames
# go through "-netdev socket,fd=N" on a socketpair (4-byte big-endian
# length prefix before each frame): for TX this script reads and discards
# them, for RX it writes them.
#
# QEMU's CPU time is utime + stime of /proc/<pid>/stat (all threads).

import fcntl
import mmap
import os
import socket
import struct
import subprocess
import tempfile
import termios
import time

MEM_SIZE = 128 << 20
MMIO_BASE = 0xc0000000
MSIX_BASE = 0xc0400000
DEVFN = 4 << 3                      # slot 4, function 0
MAC = bytes.fromhex('525400123456')
PEER = bytes.fromhex('525400aabbcc')

RING_LEN = 1024
DESC = 16
BUF_SIZE = 2048
RING_AREA = 0x01000000              # rings: 64 KiB apart from here
BUF_AREA = 0x02000000               # buffers: 2 MiB per ring from here

CLK_TCK = os.sysconf('SC_CLK_TCK')


def ring_addr(i):
    return RING_AREA + i * 0x10000


def buf_addr(i):
    return BUF_AREA + i * RING_LEN * BUF_SIZE


def frame(size, dst=MAC, src=PEER, tag=0):
    """An Ethernet frame (no FCS) of @size bytes, local ethertype."""
    body = bytes((tag * 7 + i) & 0xff for i in range(size - 14))
    return dst + src + b'\x88\xb5' + body


class Qtest:
    """A QEMU run by the qtest accelerator, guest RAM shared with us."""

    def __init__(self, qemu, device, extra=(), sink=False):
        """
        @device None: the socket netdev alone, with no device (see
        bench_rx_floor); @sink: the device with no netdev at all, so
        that what it sends goes nowhere (see bench_tx)
        """
        self.tmp = tempfile.mkdtemp(prefix='vmqnic-bench-')
        shm = tempfile.NamedTemporaryFile(prefix='vmqnic-bench-',
                                          dir='/dev/shm', delete=False)
        shm.truncate(MEM_SIZE)
        self.mem_path = shm.name
        path = os.path.join(self.tmp, 'qtest')
        lsn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsn.bind(path)
        lsn.listen(1)
        self.wire, qemu_end = socket.socketpair(socket.AF_UNIX,
                                                socket.SOCK_STREAM)
        for s in (self.wire, qemu_end):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        args = [qemu, '-machine', 'q35,accel=qtest,memory-backend=ram',
                '-m', '%dM' % (MEM_SIZE >> 20),
                '-object', 'memory-backend-file,id=ram,size=%dM,'
                'mem-path=%s,share=on' % (MEM_SIZE >> 20, self.mem_path),
                '-nodefaults', '-display', 'none',
                '-qtest', 'unix:' + path, '-qtest-log', '/dev/null',
                ] + list(extra)
        if not sink:
            args += ['-netdev', 'socket,fd=%d,id=hs0' % qemu_end.fileno()]
        if device:
            args += ['-device', '%s,addr=04.0,mac=%s%s' %
                     (device, ':'.join('%02x' % b for b in MAC),
                      '' if sink else ',netdev=hs0')]
        # e.g. "valgrind --tool=callgrind" to profile the device model
        wrap = os.environ.get('BENCH_QEMU_WRAP', '').split()
        self.proc = subprocess.Popen(wrap + args,
                                     pass_fds=[qemu_end.fileno()])
        qemu_end.close()
        lsn.settimeout(300 if wrap else 30)
        self.sock, _ = lsn.accept()
        lsn.close()
        self.sock.settimeout(600 if wrap else 60)
        self.wire.settimeout(600 if wrap else 60)
        self.rfile = self.sock.makefile('rb')
        self.mem = mmap.mmap(shm.fileno(), MEM_SIZE)
        shm.close()

    def close(self):
        self.sock.close()
        self.wire.close()
        try:
            self.proc.terminate()
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.mem.close()
        os.unlink(self.mem_path)
        os.rmdir(self.tmp) if not os.listdir(self.tmp) else None

    def cmd(self, line):
        self.sock.sendall(line.encode() + b'\n')
        while True:
            rsp = self.rfile.readline().decode().split()
            if not rsp:
                raise RuntimeError('qtest: QEMU went away')
            if rsp[0] == 'IRQ':
                continue
            if rsp[0] != 'OK':
                raise RuntimeError('qtest: %s -> %s' % (line, rsp))
            return rsp[1:]

    def writel(self, addr, val):
        self.cmd('writel 0x%x 0x%x' % (addr, val & 0xffffffff))

    def readl(self, addr):
        return int(self.cmd('readl 0x%x' % addr)[0], 16)

    def clock_step(self, ns):
        self.cmd('clock_step %d' % ns)

    # PCI configuration space through ports 0xcf8/0xcfc
    def cfg_read(self, off):
        self.cmd('outl 0xcf8 0x%x' % (0x80000000 | DEVFN << 8 | off & 0xfc))
        return int(self.cmd('inl 0xcfc')[0], 16) >> 8 * (off & 3)

    def cfg_write(self, off, val):
        self.cmd('outl 0xcf8 0x%x' % (0x80000000 | DEVFN << 8 | off))
        self.cmd('outl 0xcfc 0x%x' % val)

    def cpu_times(self):
        """User and system CPU seconds of QEMU, all threads."""
        with open('/proc/%d/stat' % self.proc.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


class Nic:
    """What the benchmark needs of a device: set up, doorbells, formats."""
    name = None
    device = None
    msix_bar = None
    tx_sta = 12                     # byte holding the TX DD bit (bit 0)

    def __init__(self, qemu, extra_props='', extra=(), sink=False):
        self.tx_next = self.rx_next = 0     # tails written so far
        self.sink = sink
        self.q = Qtest(qemu, self.device + extra_props, extra, sink)
        self.mem = self.q.mem
        self.pci_setup()
        self.setup()

    def close(self):
        self.q.close()

    def rd(self, reg):
        return self.q.readl(MMIO_BASE + reg)

    def wr(self, reg, val):
        self.q.writel(MMIO_BASE + reg, val)

    def pci_setup(self):
        q = self.q
        q.cfg_write(0x10, MMIO_BASE)
        bar = 0x10 + 4 * self.msix_bar
        q.cfg_write(bar, MSIX_BASE)
        if q.cfg_read(bar) & 6 == 4:          # 64-bit BAR
            q.cfg_write(bar + 4, 0)
        q.cfg_write(0x04, 0x6)                # memory, bus master
        cap = q.cfg_read(0x34) & 0xff
        while cap:
            hdr = q.cfg_read(cap)
            if hdr & 0xff == 0x11:            # MSI-X: enable, entries masked
                ctrl = hdr >> 16
                q.cfg_write(cap, (hdr & 0xffff) | (ctrl | 0x8000) << 16)
                break
            cap = hdr >> 8 & 0xff
        else:
            raise RuntimeError('%s: no MSI-X capability' % self.name)

    # Descriptor rings: ring 0 is TX, ring 1 RX (ring_addr/buf_addr index)
    def tx_fill(self, size, rs=True):
        """
        Every TX descriptor points to its own buffer holding a frame;
        returns the ring as the driver posts it (DD clear)
        """
        f = frame(size, dst=PEER, src=MAC)
        ring = ring_addr(0)
        table = b''.join(self.tx_desc(buf_addr(0) + i * BUF_SIZE, size, rs)
                         for i in range(RING_LEN))
        for i in range(RING_LEN):
            addr = buf_addr(0) + i * BUF_SIZE
            self.mem[addr:addr + size] = f
        self.mem[ring:ring + RING_LEN * DESC] = table
        return table

    def tx_done(self, i):
        return self.mem[ring_addr(0) + i * DESC + self.tx_sta] & 1

    def rx_table(self, ring=1, slots=RING_LEN):
        """The RX ring as the driver posts it (read format)."""
        return b''.join(struct.pack('<QQ', buf_addr(ring) +
                                    (i % slots) * BUF_SIZE, 0)
                        for i in range(RING_LEN))

    def rx_dd(self, ring, i):
        return self.mem[ring_addr(ring) + i * DESC + 8] & 1

    def rx_len(self, ring, i):
        off = ring_addr(ring) + i * DESC + self.rx_len_off
        return struct.unpack_from('<H', self.mem, off)[0]


class Vmqnic(Nic):
    name = 'vmqnic'
    device = 'vmqnic'
    msix_bar = 1
    rx_len_off = 4
    tx_sta = 11

    # include/hw/net/vmqnic_regs.h
    Q_BASE, TXQ, Q_STRIDE = 0x10000, 0x40, 0x80
    BASE_LO, BASE_HI, LEN, HEAD, TAIL, CTRL, BUFSZ, STATUS = \
        0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c
    STAT_BASE, STAT_IRQS = 0x400, 15

    def qreg(self, q, tx, reg):
        return self.Q_BASE + self.Q_STRIDE * q + (self.TXQ if tx else 0) + reg

    def setup(self):
        self.wr(0x040, 0x6)                   # CTRL: RX_EN | TX_EN
        for w in range(16):
            self.wr(0x1800 + 4 * w, 0xffffffff)   # VEC_IMS: every vector
        self.ring_setup(0, True, 0)
        self.ring_setup(0, False, 1)

    def ring_setup(self, q, tx, ring):
        self.wr(self.qreg(q, tx, self.BASE_LO), ring_addr(ring))
        self.wr(self.qreg(q, tx, self.BASE_HI), 0)
        self.wr(self.qreg(q, tx, self.LEN), RING_LEN)
        self.wr(self.qreg(q, tx, self.TAIL), 0)
        if not tx:
            self.wr(self.qreg(q, tx, self.BUFSZ), BUF_SIZE)
        self.wr(self.qreg(q, tx, self.CTRL), 1)
        assert self.rd(self.qreg(q, tx, self.STATUS)) == 1

    def tx_desc(self, addr, size, rs):
        return struct.pack('<QHBBHH', addr, size, 0x3 if rs else 0x1, 0, 0, 0)

    def tx_tail(self, val):
        self.wr(self.qreg(0, True, self.TAIL), val)

    def rx_tail(self, val, q=0):
        self.wr(self.qreg(q, False, self.TAIL), val)

    def stat(self, idx):
        return self.rd(self.STAT_BASE + 8 * idx) | \
            self.rd(self.STAT_BASE + 8 * idx + 4) << 32


class E1000e(Nic):
    name = 'e1000e'
    device = 'e1000e'
    msix_bar = 3
    rx_len_off = 12

    TDT, RDT = 0x3818, 0x2818

    def setup(self):
        ctrl = self.rd(0x0)
        self.wr(0x0, ctrl | 0x04000000 | 0x40)        # CTRL: RST | SLU
        # IVAR: RX queue 0 -> vector 0, TX queue 0 -> vector 1
        self.wr(0xe4, 0x8 | (0x9 << 8) | 1 << 31)
        assert self.rd(0x8) & 0x2                     # STATUS.LU
        self.wr(0x100, 0)
        self.wr(0x400, 0)
        self.wr(0x18, self.rd(0x18) | 0x10000000)     # CTRL_EXT.DRV_LOAD
        for base, ring in ((0x3800, 0), (0x2800, 1)):
            self.wr(base, ring_addr(ring))
            self.wr(base + 4, 0)
            self.wr(base + 8, RING_LEN * DESC)
            self.wr(base + 0x18, 0)
            self.wr(base + 0x10, 0)
        self.wr(0x400, 0x2)                           # TCTL.EN
        self.wr(0x5400, struct.unpack('<I', MAC[:4])[0])
        self.wr(0x5404, struct.unpack('<H', MAC[4:])[0] | 0x80000000)
        self.wr(0x5008, 0x8000)                       # RFCTL.EXTEN
        self.wr(0x100, 0x2 | 0x8000 | 0x04000000)     # RCTL: EN BAM SECRC
        self.wr(0xd0, 0xffffffff)                     # IMS

    def tx_desc(self, addr, size, rs):
        cmd = 0x01 | 0x02 | (0x08 if rs else 0)       # EOP IFCS RS
        return struct.pack('<QII', addr, size | cmd << 24, 0)

    def tx_tail(self, val):
        self.wr(self.TDT, val)

    def rx_tail(self, val, q=0):
        self.wr(self.RDT, val)


class Igb(Nic):
    name = 'igb'
    device = 'igb'
    msix_bar = 3
    rx_len_off = 12

    TDT, RDT = 0xe018, 0xc018

    def setup(self):
        ctrl = self.rd(0x0)
        self.wr(0x0, ctrl | 0x04000000 | 0x40)        # CTRL: RST | SLU
        # MDIC: PHY 1, BMCR = AUTOEN | ANRESTART, then autonegotiation
        self.wr(0x20, 0x1000 | 0x0200 | 1 << 21 | 0x04000000)
        self.q.clock_step(900000000)
        # IVAR0: RX queue 0 -> vector 0, TX queue 0 -> vector 1
        self.wr(0x1700, 0x80 | 0x81 << 8)
        assert self.rd(0x8) & 0x2                     # STATUS.LU
        self.wr(0x100, 0)
        self.wr(0x400, 0)
        for base, ring in ((0xe000, 0), (0xc000, 1)):
            self.wr(base, ring_addr(ring))
            self.wr(base + 4, 0)
            self.wr(base + 8, RING_LEN * DESC)
            self.wr(base + 0x18, 0)
            self.wr(base + 0x10, 0)
        self.wr(0x400, 0x2)                           # TCTL.EN
        self.wr(0x5400, struct.unpack('<I', MAC[:4])[0])
        self.wr(0x5404, struct.unpack('<H', MAC[4:])[0] | 0x80000000 |
                0x40000)                              # AV, pool 1
        self.wr(0xc00c, 0x02000000)                   # SRRCTL: ADV_ONEBUF
        self.wr(0x5008, 0x8000)                       # RFCTL.EXTEN
        self.wr(0x100, 0x2 | 0x8000 | 0x04000000)     # RCTL: EN BAM SECRC
        self.wr(0x1514, 0x10)                         # GPIE.MSIX_MODE
        self.wr(0xd0, 0xffffffff)                     # IMS
        self.wr(0x1524, 0xffffffff)                   # EIMS

    def tx_desc(self, addr, size, rs):
        # Advanced data descriptor: DTYP_DATA DEXT EOP IFCS (RS)
        cmd = 0x00300000 | 0x20000000 | 0x01000000 | 0x02000000 | \
            (0x08000000 if rs else 0)
        return struct.pack('<QII', addr, size | cmd, size << 14)

    def tx_tail(self, val):
        self.wr(self.TDT, val)

    def rx_tail(self, val, q=0):
        self.wr(self.RDT, val)


NICS = {'vmqnic': Vmqnic, 'igb': Igb, 'e1000e': E1000e}


def recv_exact(sock, buf, timeout=60):
    """
    Fill @buf from @sock.  Never blocked in the socket, so that QEMU's
    sends wake nobody: a waiting reader would add the cost of a wake-up
    to QEMU's time for every frame it catches, and how many it catches
    depends on the relative speed of QEMU and this script.
    """
    view = memoryview(buf)
    got = 0
    end = time.monotonic() + timeout
    while got < len(buf):
        try:
            n = sock.recv_into(view[got:], 0, socket.MSG_DONTWAIT)
        except BlockingIOError:
            if time.monotonic() > end:
                raise RuntimeError('wire: timeout')
            time.sleep(0.00002)
            continue
        if not n:
            raise RuntimeError('wire closed')
        got += n


def timed(nic, batch_fn, frames_per_batch, seconds, virt_clock=False):
    """Run @batch_fn until @seconds passed; frames/s and CPU s/frame."""
    for _ in range(3):
        batch_fn()                                  # warm up
    q = nic.q
    frames = 0
    u0, s0 = q.cpu_times()
    t0 = last = time.perf_counter()
    while True:
        batch_fn()
        frames += frames_per_batch
        now = time.perf_counter()
        if virt_clock:
            # The guest's clock runs with the host's, as without icount
            q.clock_step(int((now - last) * 1e9))
            last = now
        if now - t0 >= seconds:
            break
    u1, s1 = q.cpu_times()
    return {'fps': frames / (now - t0),
            'cpu_ns': (u1 - u0 + s1 - s0) / frames * 1e9,
            'user_ns': (u1 - u0) / frames * 1e9,
            'sys_ns': (s1 - s0) / frames * 1e9,
            'frames': frames}


def wait_until(done, what, timeout=30):
    """Spin, then poll every 20 us, until done(); @what names a timeout"""
    spins = 0
    end = time.monotonic() + timeout
    while not done():
        spins += 1
        if spins > 100:
            time.sleep(0.00002)
            if time.monotonic() > end:
                raise RuntimeError(what + ' never written back')


def wait_dd(nic, ring, i, timeout=30):
    wait_until(lambda: nic.rx_dd(ring, i),
               '%s: RX descriptor %d' % (nic.name, i), timeout)


def repost(mem, ring, table, t, n):
    """Descriptors t .. t + n - 1 (wrapping) of @ring as @table has them"""
    end = min(t + n, RING_LEN)
    mem[ring + t * DESC:ring + end * DESC] = table[t * DESC:end * DESC]
    if t + n > end:
        rest = (t + n - end) * DESC
        mem[ring:ring + rest] = table[:rest]


def bench_tx(nic, size, batch, seconds, virt_clock=False):
    """
    @batch frames per doorbell; done, as for a driver, when the last
    descriptor's DD is written back (every descriptor has RS), which costs
    QEMU nothing: the device may send within the doorbell (igb, e1000e,
    vmqnic's first 64) or from a bottom half (the rest of vmqnic's)
    """
    table = nic.tx_fill(size)
    ring = ring_addr(0)
    mem = nic.mem
    sink = bytearray(batch * (size + 4))

    def one():
        t = nic.tx_next
        last = (t + batch - 1) % RING_LEN
        # Reposted with DD clear (the descriptors are used again)
        repost(mem, ring, table, t, batch)
        nic.tx_next = (t + batch) % RING_LEN
        nic.tx_tail(nic.tx_next)
        wait_until(lambda: nic.tx_done(last),
                   '%s: TX descriptor %d' % (nic.name, last))
        if not nic.sink:
            recv_exact(nic.q.wire, sink)

    res = timed(nic, one, batch, seconds, virt_clock)
    assert nic.sink or struct.unpack('>I', sink[:4])[0] == size, \
        'TX frame size'
    return res


class Floor:
    """The socket netdev with no device: what receiving costs QEMU alone."""
    name = 'floor'

    def __init__(self, qemu):
        self.q = Qtest(qemu, None)

    def close(self):
        self.q.close()


def bench_rx_floor(floor, size, batch, seconds):
    """
    Frames written to the socket as bench_rx does, read by the socket
    backend and dropped by the net layer, as nothing is attached: the
    share of bench_rx's figures that no device can save.
    """
    blob = (struct.pack('>I', size) + frame(size)) * batch
    wire = floor.q.wire
    outq = bytearray(4)

    def one():
        wire.sendall(blob)
        # Done when QEMU has read everything (nothing queued on our side)
        while True:
            fcntl.ioctl(wire.fileno(), termios.TIOCOUTQ, outq)
            if not struct.unpack('i', outq)[0]:
                break
            time.sleep(0.00002)

    return timed(floor, one, batch, seconds)


def bench_rx(nic, size, batch, seconds, virt_clock=False):
    table = nic.rx_table()
    f = frame(size)
    blob = (struct.pack('>I', size) + f) * batch
    ring = ring_addr(1)
    mem = nic.mem

    def one():
        t = nic.rx_next
        repost(mem, ring, table, t, batch)
        nic.rx_next = (t + batch) % RING_LEN
        nic.rx_tail(nic.rx_next)
        nic.q.wire.sendall(blob)
        wait_dd(nic, 1, (t + batch - 1) % RING_LEN)

    res = timed(nic, one, batch, seconds, virt_clock)
    last = (nic.rx_next - 1) % RING_LEN
    assert nic.rx_len(1, last) == size, \
        '%s: RX length %d' % (nic.name, nic.rx_len(1, last))
    data = buf_addr(1) + last * BUF_SIZE
    assert mem[data:data + size] == f, '%s: RX data' % nic.name
    return res


def bench_classify(qemu, pools, filters, seconds):
    """
    vmqnic RX of 64-byte frames spread over @filters MAC filters, filter i
    steering to pool i % @pools (@pools active pools, each with an RX ring
    on its first queue).  Rings are refilled when half used, so doorbells
    are rare and the cost is classification and delivery.
    """
    nic = Vmqnic(qemu)
    try:
        blob_frames = 128
        for p in range(pools):
            nic.wr(0x20000 + 0x100 * p, 0x403)    # RX_EN UNTAGGED BCAST
            if p:
                nic.ring_setup(2 * p, False, 1 + p)
        macs = [bytes([2, 0, 0, 0, i >> 8, i & 0xff]) for i in range(filters)]
        for i, mac in enumerate(macs):
            base = 0x30000 + 0x20 * i
            nic.wr(base + 0x00, struct.unpack('<I', mac[:4])[0])
            nic.wr(base + 0x04, struct.unpack('<H', mac[4:])[0] | 1 << 31)
            pool = i % pools
            nic.wr(base + 0x08, (1 << pool) & 0xffffffff)
            nic.wr(base + 0x0c, (1 << pool) >> 32)
            nic.wr(base + 0x10, 0)
        counts = [0] * pools
        parts = []
        for j in range(blob_frames):
            i = j % filters
            counts[i % pools] += 1
            parts.append(struct.pack('>I', 64) + frame(64, dst=macs[i]))
        blob = b''.join(parts)
        # Every ring uses the same 64 buffers: what is measured is the
        # classification, not how much memory the buffers of 64 rings touch
        tables = [nic.rx_table(1, 64)] * pools
        posted = [0] * pools
        used = [0] * pools
        mem = nic.mem

        def post(p, n):
            ring = ring_addr(1 + p)
            for _ in range(n):
                t = posted[p] % RING_LEN
                mem[ring + t * DESC:ring + (t + 1) * DESC] = \
                    tables[p][t * DESC:(t + 1) * DESC]
                posted[p] += 1
            nic.rx_tail(posted[p] % RING_LEN, 2 * p)

        def one():
            for p in range(pools):
                if posted[p] - used[p] < counts[p]:
                    post(p, RING_LEN - 1 - (posted[p] - used[p]))
            nic.q.wire.sendall(blob)
            for p in range(pools):
                if counts[p]:
                    used[p] += counts[p]
                    wait_dd(nic, 1 + p, (used[p] - 1) % RING_LEN)

        res = timed(nic, one, blob_frames, seconds)
        res['delivered'] = nic.stat(0)
        return res
    finally:
        nic.close()


def bench_moderation(qemu, direction, size, batch, itr_us, seconds):
    """Interrupts per frame of vmqnic with VEC_ITR at @itr_us."""
    nic = Vmqnic(qemu)
    try:
        vector = 1                          # queue 0's, both directions
        nic.wr(0x1000 + 4 * vector, itr_us)
        irqs = nic.stat(nic.STAT_IRQS)
        fn = bench_tx if direction == 'tx' else bench_rx
        res = fn(nic, size, batch, seconds, virt_clock=True)
        res['irqs'] = nic.stat(nic.STAT_IRQS) - irqs
        # warm-up batches count as frames too
        res['frames_per_irq'] = (res['frames'] + 3 * batch) / max(res['irqs'],
                                                                  1)
        return res
    finally:
        nic.close()

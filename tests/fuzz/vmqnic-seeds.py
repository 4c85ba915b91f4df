#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vmqnic-seeds.py DIR: write seed inputs for QEMU's generic fuzzer
# (--fuzz-target=generic-fuzz-vmqnic) into DIR.  Each seed programs the
# device the way a driver would (rings in RAM, queues enabled, doorbells,
# filters, RSS, vectors), so that fuzzing starts deep in the datapath
# instead of at the first register.  The input format is the one of
# tests/qtest/fuzz/generic_fuzz.c: commands separated by "FUZZ".
import os
import struct
import sys

SEP = b'FUZZ'
OP_WRITE, OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 3, 7, 9
LONG = 2
BAR0 = 0            # the first fuzzable region in address order

# Register offsets (include/hw/net/vmqnic_regs.h)
CTRL, MISC_IMS, MISC_ICS, VMDQ_CTRL = 0x40, 0x88, 0x84, 0x100
VEC_ITR, VEC_IMS, VEC_ICS = 0x1000, 0x1800, 0x18c0
Q_BASE, Q_STRIDE, Q_TX = 0x10000, 0x80, 0x40
BASE_LO, BASE_HI, LEN, TAIL, QCTRL, BUFSZ, QVEC = 0, 4, 8, 0x10, 0x14, 0x18, 0x20
POOL_BASE, POOL_STRIDE = 0x20000, 0x100
POOL_CTRL, POOL_MAXFRAME, POOL_DEFVLAN, POOL_RSS_TYPES = 0, 4, 8, 0x10
POOL_RSS_KEY, POOL_RETA = 0x40, 0x80
MACF_BASE, MACF_STRIDE = 0x30000, 0x20
VLANF_BASE = 0x38000


def wr(off, val):
    return struct.pack('<BBBxxIQ', OP_WRITE, LONG, BAR0, off, val)


def dma(pattern):
    return struct.pack('<BBB', OP_ADD_DMA_PATTERN, 0, 0) + pattern


def step():
    return bytes([OP_CLOCK_STEP])


def qreg(q, tx, reg):
    return Q_BASE + Q_STRIDE * q + (Q_TX if tx else 0) + reg


def ring(q, tx, base, length, tail):
    cmds = [wr(qreg(q, tx, BASE_LO), base), wr(qreg(q, tx, BASE_HI), 0),
            wr(qreg(q, tx, LEN), length)]
    if not tx:
        cmds.append(wr(qreg(q, tx, BUFSZ), 2048))
    cmds += [wr(qreg(q, tx, QCTRL), 1), wr(qreg(q, tx, TAIL), tail)]
    return cmds


def txdesc(addr, length, cmd, vlan=0, mss=0):
    return struct.pack('<QHBBHH', addr, length, cmd, 0, vlan, mss)


def frame():
    eth = bytes.fromhex('020000000001525400aabbcc0800')
    ip = bytes.fromhex('4500002e0000400040110000c0a80001c0a80002')
    udp = bytes.fromhex('1234162e001a0000') + bytes(18)
    return eth + ip + udp


def common():
    return [wr(CTRL, 6), wr(POOL_BASE + POOL_CTRL, 0xfff),
            wr(MISC_IMS, 0xf), wr(VEC_IMS, 0xffffffff)]


def seeds():
    out = {}
    # TX: descriptors and frame data come from the DMA pattern
    for name, cmd in (('tx-plain', 0x03), ('tx-csum', 0x0f),
                      ('tx-tso', 0x1f), ('tx-vlan', 0x23)):
        out[name] = common() + [
            dma(txdesc(0x100000, 60, cmd, 5, 536) + frame())] + \
            ring(0, True, 0x100000, 8, 7) + [step()]
    # RX: a ring with buffers; frames come from the user netdev
    out['rx'] = common() + [dma(struct.pack('<QQ', 0x200000, 0))] + \
        ring(0, False, 0x100000, 8, 7) + [step(), step()]
    # VMDq: filters, RSS, VLAN, loopback between two pools
    out['vmdq'] = common() + [
        wr(VMDQ_CTRL, 0x000f0001),
        wr(MACF_BASE + MACF_STRIDE + 0, 0x00000002),
        wr(MACF_BASE + MACF_STRIDE + 4, 0x80000100),
        wr(MACF_BASE + MACF_STRIDE + 8, 2),
        wr(VLANF_BASE, 0x80000005), wr(VLANF_BASE + 4, 3),
        wr(POOL_BASE + POOL_STRIDE + POOL_CTRL, 0xfff),
        wr(POOL_BASE + POOL_RSS_TYPES, 0x1ff),
        wr(POOL_BASE + POOL_RSS_KEY, 0x6d5a56da),
        wr(POOL_BASE + POOL_RETA, 0x01000100),
        dma(txdesc(0x100000, 60, 0x03) + frame())] + \
        ring(2, False, 0x180000, 8, 7) + ring(0, True, 0x100000, 8, 7) + \
        [step()]
    # Interrupts: moderation, vector moves, software causes
    out['irq'] = common() + [
        wr(VEC_ITR + 4, 0x80000010), wr(qreg(0, False, QVEC), 0x80000003),
        wr(MISC_ICS, 0x8), wr(VEC_ICS, 0xffffffff), step(), step()]
    return out


def main():
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, cmds in seeds().items():
        with open(os.path.join(sys.argv[1], 'seed-' + name), 'wb') as f:
            f.write(SEP.join(cmds))


if __name__ == '__main__':
    main()

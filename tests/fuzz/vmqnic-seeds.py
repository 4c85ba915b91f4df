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


def ipv4(proto, l4):
    hdr = bytes.fromhex('4500') + struct.pack('>H', 20 + len(l4)) + \
        bytes.fromhex('00004000') + bytes([64, proto]) + bytes(2) + \
        bytes([10, 0, 0, 1, 10, 0, 0, 2])
    return hdr + l4


def udp(payload=18):
    return struct.pack('>HHHH', 4660, 5678, 8 + payload, 0) + bytes(payload)


def tcp(payload=1200):
    return bytes.fromhex('04d20050000000010000000050180200') + bytes(4) + \
        bytes(range(256)) * (payload // 256) + bytes(payload % 256)


# ARP request for the user-mode network's gateway, from the device's MAC:
# slirp answers, so frames come in from the network too
def arp():
    mac = bytes.fromhex('525400123456')
    return (bytes.fromhex('ffffffffffff') + mac + bytes.fromhex('0806') +
            bytes.fromhex('0001080006040001') + mac +
            bytes([10, 0, 2, 15]) + bytes(6) + bytes([10, 0, 2, 2]) +
            bytes(18))


# The fuzzer fills every region the device reads (descriptors, then the
# buffer) with the pattern from its start, so one pattern must be both a
# TX descriptor and the frame it points at: the descriptor's address is
# the destination MAC, its vlan field (0x0008 little-endian) the
# EtherType IPv4, its mss field the first two bytes of the IPv4 header.
def tx_pattern(l3, cmd):
    total = 14 + len(l3)
    head = struct.pack('<QHBB', 0x140000, total, cmd, 0) + b'\x08\x00'
    return dma(head + l3)


def raw_pattern(data, cmd):
    # a frame given whole (ARP): descriptor and frame are two patterns,
    # used in turn
    return dma(txdesc(0x140000, len(data), cmd)) + SEP + dma(data)


# Pool control: everything but anti-spoofing
POOL_ON = 0xe7f


def common():
    return [wr(CTRL, 6), wr(POOL_BASE + POOL_CTRL, POOL_ON),
            wr(MISC_IMS, 0xf), wr(VEC_IMS, 0xffffffff)]


def seeds():
    out = {}
    # TX: descriptors and frame data come from the DMA pattern
    for name, cmd, l3 in (('tx-plain', 0x03, ipv4(17, udp())),
                          ('tx-csum', 0x0f, ipv4(17, udp())),
                          ('tx-tso', 0x1f, ipv4(6, tcp())),
                          ('tx-vlan', 0x2b, ipv4(6, tcp(100)))):
        out[name] = common() + [tx_pattern(l3, cmd)] + \
            ring(0, True, 0x100000, 8, 1) + [step()]
    # RX from the network: slirp answers an ARP request
    out['rx'] = common() + [raw_pattern(arp(), 0x03)] + \
        ring(0, False, 0x180000, 8, 7) + ring(0, True, 0x100000, 8, 1) + \
        [step(), step()]
    # RX through the internal switch: pool 0 sends to pool 1's MAC
    out['loopback'] = common() + [
        wr(VMDQ_CTRL, 0x00060001),
        wr(MACF_BASE + MACF_STRIDE + 0, 0x00140000),
        wr(MACF_BASE + MACF_STRIDE + 4, 0x80000000),
        wr(MACF_BASE + MACF_STRIDE + 8, 2),
        wr(POOL_BASE + POOL_STRIDE + POOL_CTRL, POOL_ON),
        tx_pattern(ipv4(17, udp()), 0x03)] + \
        ring(2, False, 0x180000, 8, 7) + ring(0, True, 0x100000, 8, 1) + \
        [step()]
    # VMDq: filters, RSS, VLAN, loopback between two pools
    out['vmdq'] = common() + [
        wr(VMDQ_CTRL, 0x000f0001),
        wr(MACF_BASE + MACF_STRIDE + 0, 0x00140000),
        wr(MACF_BASE + MACF_STRIDE + 4, 0x80000000),
        wr(MACF_BASE + MACF_STRIDE + 8, 2),
        wr(VLANF_BASE, 0x80000005), wr(VLANF_BASE + 4, 3),
        wr(POOL_BASE + POOL_STRIDE + POOL_CTRL, POOL_ON),
        wr(POOL_BASE + POOL_RSS_TYPES, 0x1ff),
        wr(POOL_BASE + POOL_RSS_KEY, 0x6d5a56da),
        wr(POOL_BASE + POOL_RETA, 0x01000100),
        tx_pattern(ipv4(6, tcp(300)), 0x03)] + \
        ring(2, False, 0x180000, 8, 7) + ring(0, True, 0x100000, 8, 1) + \
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

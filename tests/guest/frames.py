# SPDX-License-Identifier: GPL-2.0-or-later
"""Frames the host puts on a guest's wire, and the requests that send them.

A guest job asks with "@@HOST <request> <args...>"; serve() installs the
handlers:

  udp MAC COUNT [VID] [IP] [SIZE]
                             COUNT UDP frames to MAC (802.1Q tag VID if not
                             0), destination IP (default 10.9.0.1), SIZE
                             bytes of payload (default 32)
  bcast COUNT                COUNT broadcast UDP frames
  flows MAC IP FLOWS EACH    EACH TCP segments in each of FLOWS flows
                             (different source ports) to MAC/IP
  link NIC up|down           QMP set_link on the NIC's netdev
  itr NIC QUEUE USECS        "ok" when the vector of QUEUE's RX ring has a
                             moderation interval of USECS (x-query-vmqnic)
  txcount                    frames the guest has sent on the wire so far
"""

import struct

HOST_MAC = bytes.fromhex('020000000001')
HOST_IP = bytes([10, 9, 0, 254])


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(text):
    return bytes.fromhex(text.replace(':', ''))


def ip4(text):
    return bytes(int(x) for x in text.split('.'))


def ether(dst, payload, ethertype=0x0800, vid=0):
    hdr = dst + HOST_MAC
    if vid:
        hdr += struct.pack('!HH', 0x8100, vid)
    return hdr + struct.pack('!H', ethertype) + payload


def ipv4(dst, proto, l4, src=HOST_IP):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 0, 0x4000, 64,
                      proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr + l4


def l4_csum(src, dst, proto, seg):
    return csum(src + dst + struct.pack('!BBH', 0, proto, len(seg)) + seg)


def udp(dst_mac, dst_ip, sport=40000, dport=9, vid=0, payload=b'x' * 32):
    seg = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    c = l4_csum(HOST_IP, dst_ip, 17, seg) or 0xffff
    seg = seg[:6] + struct.pack('!H', c) + seg[8:]
    return ether(dst_mac, ipv4(dst_ip, 17, seg), vid=vid)


def tcp(dst_mac, dst_ip, sport, dport=5201, seq=1, payload=b'y' * 64):
    seg = struct.pack('!HHIIBBHHH', sport, dport, seq, 0, 5 << 4, 0x18,
                      65535, 0, 0) + payload
    c = l4_csum(HOST_IP, dst_ip, 6, seg)
    seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    return ether(dst_mac, ipv4(dst_ip, 6, seg))


def serve(guest, wire, nic):
    sent = {'n': 0}

    def put(frame):
        wire.send(frame)
        sent['n'] += 1

    def h_udp(a):
        vid = int(a[2]) if len(a) > 2 else 0
        dst_ip = ip4(a[3]) if len(a) > 3 else ip4('10.9.0.1')
        payload = b'x' * (int(a[4]) if len(a) > 4 else 32)
        for i in range(int(a[1])):
            put(udp(mac(a[0]), dst_ip, sport=40000 + i, vid=vid,
                    payload=payload))
        return f'sent {a[1]}'

    def h_bcast(a):
        for i in range(int(a[0])):
            put(udp(b'\xff' * 6, ip4('10.9.0.255'), sport=41000 + i))
        return f'sent {a[0]}'

    def h_flows(a):
        dst_mac, dst_ip, flows, each = mac(a[0]), ip4(a[1]), int(a[2]), int(a[3])
        for n in range(each):
            for f in range(flows):
                put(tcp(dst_mac, dst_ip, 30000 + 7 * f, seq=1 + 64 * n))
        return f'sent {flows * each}'

    def h_link(a):
        netdev = guest.qmp.cmd('qom-get', path=f'/machine/peripheral/{a[0]}',
                               property='netdev')
        guest.qmp.cmd('set_link', name=netdev, up=(a[1] == 'up'))
        return 'ok'

    def h_itr(a):
        info = guest.qmp.cmd('x-query-vmqnic', id=a[0])
        q = int(a[1])
        for v in info['vectors']:
            if q in v['rx-queues']:
                ok = v['interval-us'] == int(a[2])
                return f"{'ok' if ok else 'bad'} {v['interval-us']}"
        return 'bad no-vector'

    def h_txcount(a):
        return str(wire.rx.qsize())

    guest.handlers.update({'udp': h_udp, 'bcast': h_bcast, 'flows': h_flows,
                           'link': h_link, 'itr': h_itr,
                           'txcount': h_txcount})

/*
 * Frames for vmqnic offload tests: a builder, a parser and a checksum
 * checker written for the tests (independent of QEMU's net code), and a
 * sender that posts one frame with an offload request.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QTEST_LIBQOS_VMQNIC_FRAMES_H
#define QTEST_LIBQOS_VMQNIC_FRAMES_H

#include "vmqnic-wire.h"

static const uint8_t dst_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t src_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* RFC 1071 one's complement sum, written out for the tests */
static inline uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    return sum;
}

static inline uint16_t fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

typedef struct Parsed {
    size_t l3, l4, payload, len;
    bool v6, tagged;
    uint16_t tci;
    uint8_t proto;
} Parsed;

static inline Parsed parse(const uint8_t *f, size_t len)
{
    Parsed p = { .l3 = 14, .len = len };
    uint16_t type = lduw_be_p(f + 12);

    if (type == 0x8100 || type == 0x88a8) {
        p.tagged = true;
        p.tci = lduw_be_p(f + 14);
        type = lduw_be_p(f + 16);
        p.l3 = 18;
        if (lduw_be_p(f + 12) == 0x88a8 && type == 0x8100) {
            type = lduw_be_p(f + 20);   /* the inner tag of QinQ */
            p.l3 = 22;
        }
    }
    p.v6 = type == 0x86dd;
    if (p.v6) {
        p.proto = f[p.l3 + 6];
        p.l4 = p.l3 + 40;
    } else {
        g_assert_cmphex(type, ==, 0x0800);
        p.proto = f[p.l3 + 9];
        p.l4 = p.l3 + (f[p.l3] & 0xf) * 4;
    }
    p.payload = p.l4 + (p.proto == 6 ? (f[p.l4 + 12] >> 4) * 4 : 8);
    return p;
}

/* Check every checksum of a frame the way a receiver would */
static inline void check_csums(const uint8_t *f, size_t len)
{
    Parsed p = parse(f, len);
    size_t l4len;
    uint32_t sum;

    if (p.v6) {
        l4len = lduw_be_p(f + p.l3 + 4);
        g_assert_cmpuint(p.l3 + 40 + l4len, ==, len);
        sum = sum16(f + p.l3 + 8, 32, 0);
    } else {
        size_t ihl = (f[p.l3] & 0xf) * 4;

        g_assert_cmphex(fold(sum16(f + p.l3, ihl, 0)), ==, 0xffff);
        g_assert_cmpuint(p.l3 + lduw_be_p(f + p.l3 + 2), ==, len);
        l4len = lduw_be_p(f + p.l3 + 2) - ihl;
        sum = sum16(f + p.l3 + 12, 8, 0);
    }
    sum += p.proto + l4len;
    g_assert_cmphex(fold(sum16(f + p.l4, l4len, sum)), ==, 0xffff);
}

/* TCP or UDP over IPv4 or IPv6 with @plen payload bytes, no checksums */
static inline size_t build(uint8_t *f, bool v6, uint8_t proto, size_t plen,
                    uint32_t seq)
{
    size_t l3 = 14, l4 = v6 ? 54 : 34, hl = proto == 6 ? 20 : 8, i;

    memset(f, 0, l4 + hl);
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    if (v6) {
        stw_be_p(f + 12, 0x86dd);
        f[l3] = 0x60;
        stw_be_p(f + l3 + 4, hl + plen);
        f[l3 + 6] = proto;
        f[l3 + 7] = 64;
        f[l3 + 8] = 0xfd;
        f[l3 + 23] = 1;
        f[l3 + 24] = 0xfd;
        f[l3 + 39] = 2;
    } else {
        stw_be_p(f + 12, 0x0800);
        f[l3] = 0x45;
        stw_be_p(f + l3 + 2, 20 + hl + plen);
        stw_be_p(f + l3 + 4, 0x1234);
        f[l3 + 8] = 64;
        f[l3 + 9] = proto;
        stl_be_p(f + l3 + 12, 0x0a000001);
        stl_be_p(f + l3 + 16, 0x0a000002);
    }
    stw_be_p(f + l4, 40000);
    stw_be_p(f + l4 + 2, 5001);
    if (proto == 6) {
        stl_be_p(f + l4 + 4, seq);
        stl_be_p(f + l4 + 8, 77);
        f[l4 + 12] = 0x50;
        f[l4 + 13] = 0x18 | 0x01;      /* ACK PSH FIN */
        stw_be_p(f + l4 + 14, 512);
    } else {
        stw_be_p(f + l4 + 4, hl + plen);
    }
    for (i = 0; i < plen; i++) {
        f[l4 + hl + i] = (uint8_t)(i * 13 + (i >> 8));
    }
    return l4 + hl + plen;
}

/*
 * Send one frame from TX queue @q (a ring of @ring descriptors) with the
 * given offload request, in buffers of at most 4 KiB; returns the
 * write-back STA of its last descriptor.
 */
static inline uint8_t tx_offload(QVmqnicWire *n, unsigned q, uint32_t ring,
                                 const uint8_t *f, size_t len, uint8_t cmd,
                                 uint16_t mss, uint16_t vlan)
{
    uint32_t tail = vw_rd(n, VMQNIC_TXQ_REG(q, A_Q_TAIL));
    uint64_t buf = guest_alloc(&n->alloc, len);
    size_t off = 0;
    uint32_t last = tail;

    qtest_memwrite(n->qts, buf, f, len);
    while (off < len) {
        size_t chunk = MIN(len - off, 4096);
        VmqnicTxDesc d = {
            .addr = cpu_to_le64(buf + off),
            .len = cpu_to_le16(chunk),
            .cmd = off ? 0 : cmd,
            .vlan = cpu_to_le16(vlan),
            .mss = cpu_to_le16(mss),
        };

        if (off + chunk == len) {
            d.cmd |= VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS;
        }
        last = tail;
        qtest_memwrite(n->qts, n->tx_ring[q] + tail * VMQNIC_DESC_SIZE, &d,
                       sizeof(d));
        tail = (tail + 1) % ring;
        off += chunk;
    }
    vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_TAIL), tail);
    WAIT_FOR(n, vw_tx_sta(n, q, last) & VMQNIC_TXD_STA_DD);
    guest_free(&n->alloc, buf);
    return vw_tx_sta(n, q, last);
}

#endif /* QTEST_LIBQOS_VMQNIC_FRAMES_H */

/*
 * QTest testcases for vmqnic VMDq classification: pools, MAC / VLAN /
 * MAC+VLAN filters, broadcast and multicast replication, promiscuous
 * pools, default pool, per-pool RSS (checked against Microsoft's RSS
 * verification vectors), the internal VM-to-VM switch and anti-spoofing.
 *
 * Every test sends real frames through the socket netdev and checks which
 * queue each one landed in and what the write-back says.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/vmqnic-wire.h"
#include "qemu/bitops.h"
#include "hw/net/vmqnic_regs.h"

#define RING            16

typedef struct Mac {
    uint8_t a[6];
} Mac;

static Mac pool_mac(unsigned p, unsigned i)
{
    return (Mac){ { 0x02, 0x00, 0x00, 0x00, i, p } };
}

static const Mac other_mac = { { 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01 } };
static const Mac bcast_mac = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static uint64_t frames_in;      /* frames the device has taken so far */

static void set_mac_filter(QVmqnicWire *n, unsigned i, Mac mac,
                           uint64_t pools, uint32_t vlan)
{
    vw_wr(n, VMQNIC_MACF_REG(i, A_MACF_HI), 0);
    vw_wr(n, VMQNIC_MACF_REG(i, A_MACF_LO), ldl_le_p(mac.a));
    vw_wr(n, VMQNIC_MACF_REG(i, A_MACF_POOLS_LO), pools);
    vw_wr(n, VMQNIC_MACF_REG(i, A_MACF_POOLS_HI), pools >> 32);
    vw_wr(n, VMQNIC_MACF_REG(i, A_MACF_VLAN), vlan);
    vw_wr(n, VMQNIC_MACF_REG(i, A_MACF_HI),
          lduw_le_p(mac.a + 4) | R_MACF_HI_VALID_MASK);
}

static void pool_ctrl(QVmqnicWire *n, unsigned p, uint32_t ctrl)
{
    vw_wr(n, VMQNIC_POOL_REG(p, A_POOL_CTRL), ctrl);
}

static void vmdq_ctrl_set(QVmqnicWire *n, uint32_t set, uint32_t clear)
{
    vw_wr(n, A_VMDQ_CTRL, (vw_rd(n, A_VMDQ_CTRL) & ~clear) | set);
}

/* A started device with no pool accepting anything yet */
static QVmqnicWire *start(const char *extra)
{
    QVmqnicWire *n = vw_start(extra);
    unsigned p;

    for (p = 0; p < vw_rd(n, A_NUM_POOLS); p++) {
        pool_ctrl(n, p, 0);
    }
    frames_in = 0;
    return n;
}

/* Give every queue of pools [0, npools) a ring with buffers */
static void rings(QVmqnicWire *n, unsigned npools)
{
    uint32_t qpp = 1u << FIELD_EX32(vw_rd(n, A_VMDQ_CTRL), VMDQ_CTRL,
                                    QPP_LOG2);
    unsigned q;

    for (q = 0; q < npools * qpp; q++) {
        vw_queue_setup(n, q, 0, RING, R_Q_CTRL_DROP_EN_MASK);
        vw_rx_post(n, q, 0, RING - 1);
    }
}

static size_t eth_frame(uint8_t *buf, Mac dst, Mac src, int vid,
                        size_t len, uint32_t tag)
{
    size_t off = 12;

    vw_make_frame(buf, len, tag);
    memcpy(buf, dst.a, 6);
    memcpy(buf + 6, src.a, 6);
    if (vid >= 0) {
        memmove(buf + 16, buf + 12, len - 16);
        stw_be_p(buf + 12, 0x8100);
        stw_be_p(buf + 14, vid);
        off = 16;
    }
    stw_be_p(buf + off, 0x88b5);
    return len;
}

/* Send a frame and wait until the device has taken it */
static void send_frame(QVmqnicWire *n, const uint8_t *buf, size_t len)
{
    vw_send(n, buf, len);
    frames_in++;
    WAIT_FOR(n, vw_dstat(n, VMQNIC_STAT_RX_FRAMES) == frames_in);
}

static void send_to(QVmqnicWire *n, Mac dst, int vid, uint32_t tag)
{
    uint8_t f[128];

    send_frame(n, f, eth_frame(f, dst, other_mac, vid, 100, tag));
}

/* Queues (up to 64) whose RX packet count changed since @snap */
static uint64_t landed(QVmqnicWire *n, uint64_t *snap, unsigned nq)
{
    uint64_t got = 0;
    unsigned q;

    for (q = 0; q < nq; q++) {
        uint64_t c = vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS);

        if (c != snap[q]) {
            got |= BIT_ULL(q);
            snap[q] = c;
        }
    }
    return got;
}

static void snapshot(QVmqnicWire *n, uint64_t *snap, unsigned nq)
{
    landed(n, snap, nq);
}

/* The last write-back of queue @q */
static VmqnicRxWb last_wb(QVmqnicWire *n, unsigned q)
{
    uint32_t head = vw_rd(n, VMQNIC_RXQ_REG(q, A_Q_HEAD));

    return vw_rx_wb(n, q, (head + RING - 1) % RING);
}

/* Give the buffer just used back to queue @q */
static void recycle(QVmqnicWire *n, unsigned q)
{
    uint32_t tail = vw_rd(n, VMQNIC_RXQ_REG(q, A_Q_TAIL));

    vw_rx_post(n, q, tail, (tail + 1) % RING);
}

static void test_pool_layouts(void)
{
    QVmqnicWire *n = start("");
    static const unsigned qpp_log2[] = { 1, 2, 3, 7 };
    unsigned i, p;

    for (i = 0; i < ARRAY_SIZE(qpp_log2); i++) {
        unsigned qpp = 1u << qpp_log2[i];
        unsigned pools = MIN(64, 128 / qpp);

        vmdq_ctrl_set(n, qpp_log2[i], R_VMDQ_CTRL_QPP_LOG2_MASK);
        for (p = 0; p < 64; p++) {
            uint32_t v = vw_rd(n, VMQNIC_POOL_REG(p, A_POOL_QUEUES));

            if (p < pools) {
                g_assert_cmpuint(FIELD_EX32(v, POOL_QUEUES, FIRST), ==,
                                 p * qpp);
                g_assert_cmpuint(FIELD_EX32(v, POOL_QUEUES, COUNT), ==, qpp);
            } else {
                g_assert_cmpuint(v, ==, 0);
            }
        }
    }

    /* 16 pools x 8 queues: pool 5's frames land in queue 40 */
    vmdq_ctrl_set(n, 3, R_VMDQ_CTRL_QPP_LOG2_MASK);
    vw_queue_setup(n, 40, 0, RING, 0);
    vw_rx_post(n, 40, 0, RING - 1);
    pool_ctrl(n, 5, R_POOL_CTRL_RX_EN_MASK |
              R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    set_mac_filter(n, 1, pool_mac(5, 0), BIT_ULL(5), 0);
    send_to(n, pool_mac(5, 0), -1, 1);
    g_assert_cmpuint(vw_qstat(n, 40, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    g_assert_cmpuint(last_wb(n, 40).pool, ==, 5);
    g_assert_cmpuint(last_wb(n, 40).queue, ==, 40);

    /* A layout the queues cannot hold is refused */
    vw_wr(n, A_VMDQ_CTRL, 8);
    g_assert_cmpuint(FIELD_EX32(vw_rd(n, A_VMDQ_CTRL), VMDQ_CTRL, QPP_LOG2),
                     ==, 3);
    g_assert_cmpuint(FIELD_EX32(vw_rd(n, A_ERR_INFO), ERR_INFO, CODE), ==,
                     VMQNIC_ERR_BAD_VALUE);
    vw_stop(n);
}

static void test_mac_filters(void)
{
    QVmqnicWire *n = start("");
    uint64_t snap[16];
    unsigned p;

    rings(n, 8);
    snapshot(n, snap, 16);
    for (p = 0; p < 8; p++) {
        pool_ctrl(n, p, R_POOL_CTRL_RX_EN_MASK |
                  R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
        set_mac_filter(n, 1 + p, pool_mac(p, 0), BIT_ULL(p), 0);
    }
    for (p = 0; p < 8; p++) {
        send_to(n, pool_mac(p, 0), -1, p);
        g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(2 * p));
        g_assert_cmpuint(last_wb(n, 2 * p).pool, ==, p);
        g_assert_cmphex(last_wb(n, 2 * p).status, ==,
                        VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP);
    }

    /* Address bytes with their top bit set match too, in every position */
    for (p = 0; p < 6; p++) {
        Mac m = pool_mac(5, 0x40);

        m.a[p] |= 0x80;
        set_mac_filter(n, 30 + p, m, BIT_ULL(5), 0);
        send_to(n, m, -1, 90 + p);
        g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(10));
    }

    /* One entry for two pools: both get the frame (replication on) */
    set_mac_filter(n, 20, pool_mac(9, 9), BIT_ULL(3) | BIT_ULL(6), 0);
    send_to(n, pool_mac(9, 9), -1, 100);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(6) | BIT_ULL(12));

    /*
     * An invalid entry matches nothing: the frame is unmatched and goes
     * to the default pool (2 here)
     */
    vmdq_ctrl_set(n, 2 << R_VMDQ_CTRL_DEF_POOL_SHIFT, 0);
    vw_wr(n, VMQNIC_MACF_REG(4, A_MACF_HI), 0);
    send_to(n, pool_mac(3, 0), -1, 101);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(4));

    /* ... or is dropped when the driver asks */
    vmdq_ctrl_set(n, R_VMDQ_CTRL_DROP_UNMATCHED_MASK, 0);
    send_to(n, pool_mac(3, 0), -1, 102);
    g_assert_cmphex(landed(n, snap, 16), ==, 0);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_UNMATCHED), ==, 1);

    /* A pool with RX disabled receives nothing */
    pool_ctrl(n, 1, R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    send_to(n, pool_mac(1, 0), -1, 103);
    g_assert_cmphex(landed(n, snap, 16), ==, 0);
    vw_stop(n);
}

static void test_bcast_mcast(void)
{
    QVmqnicWire *n = start("");
    const uint32_t base = R_POOL_CTRL_RX_EN_MASK |
                          R_POOL_CTRL_ACCEPT_UNTAGGED_MASK;
    Mac mc_exact = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
    Mac mc_hash = { { 0x01, 0x00, 0x5e, 0x00, 0x12, 0x34 } };
    Mac mc_other = { { 0x01, 0x00, 0x5e, 0x00, 0x56, 0x78 } };
    unsigned h = (mc_hash.a[4] >> 4) | (mc_hash.a[5] << 4);
    uint64_t snap[16];
    VmqnicRxWb wb;

    rings(n, 8);
    snapshot(n, snap, 16);
    pool_ctrl(n, 0, base | R_POOL_CTRL_ACCEPT_BCAST_MASK);
    pool_ctrl(n, 3, base | R_POOL_CTRL_ACCEPT_BCAST_MASK);
    pool_ctrl(n, 5, base | R_POOL_CTRL_ACCEPT_BCAST_MASK);
    pool_ctrl(n, 2, base);
    pool_ctrl(n, 4, base | R_POOL_CTRL_ACCEPT_MCHASH_MASK);
    pool_ctrl(n, 6, base | R_POOL_CTRL_ACCEPT_ALLMULTI_MASK);
    set_mac_filter(n, 1, mc_exact, BIT_ULL(2), 0);
    vw_wr(n, A_MTA + 4 * (h / 32), BIT(h % 32));

    /* Broadcast goes to every pool that accepts broadcast */
    send_to(n, bcast_mac, -1, 1);
    g_assert_cmphex(landed(n, snap, 16), ==,
                    BIT_ULL(0) | BIT_ULL(6) | BIT_ULL(10));
    wb = last_wb(n, 6);
    g_assert_cmphex(wb.status & VMQNIC_RXD_STA_BCAST, !=, 0);

    /* Multicast: exact filter, hash table, all-multicast */
    send_to(n, mc_exact, -1, 2);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(4) | BIT_ULL(12));
    g_assert_cmphex(last_wb(n, 4).status & VMQNIC_RXD_STA_MCAST, !=, 0);
    send_to(n, mc_hash, -1, 3);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(8) | BIT_ULL(12));
    send_to(n, mc_other, -1, 4);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(12));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_BCAST), ==, 1);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_MCAST), ==, 3);

    /* Replication off: only the lowest-numbered pool */
    vmdq_ctrl_set(n, 0, R_VMDQ_CTRL_REPL_EN_MASK);
    send_to(n, bcast_mac, -1, 5);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(0));
    send_to(n, mc_hash, -1, 6);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(8));

    /* Unicast promiscuous pools see other pools' unicast too */
    vmdq_ctrl_set(n, R_VMDQ_CTRL_REPL_EN_MASK, 0);
    pool_ctrl(n, 7, base | R_POOL_CTRL_UC_PROMISC_MASK);
    set_mac_filter(n, 2, pool_mac(3, 0), BIT_ULL(3), 0);
    send_to(n, pool_mac(3, 0), -1, 7);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(6) | BIT_ULL(14));
    vw_stop(n);
}

static void test_vlan(void)
{
    QVmqnicWire *n = start("");
    const uint32_t base = R_POOL_CTRL_RX_EN_MASK;
    Mac m = pool_mac(1, 0);
    uint64_t snap[16];
    uint8_t f[128], got[128];
    VmqnicRxWb wb;

    rings(n, 8);
    snapshot(n, snap, 16);
    set_mac_filter(n, 1, m, BIT_ULL(1) | BIT_ULL(2) | BIT_ULL(3), 0);
    pool_ctrl(n, 1, base | R_POOL_CTRL_VLAN_STRIP_MASK);
    pool_ctrl(n, 2, base);
    pool_ctrl(n, 3, base | R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    vmdq_ctrl_set(n, R_VMDQ_CTRL_VLAN_FILTER_EN_MASK |
                  R_VMDQ_CTRL_DROP_UNMATCHED_MASK, 0);
    /* pool 1 is in VLAN 100 by its bitmap, pool 2 in VLAN 200 by table */
    vw_wr(n, VMQNIC_POOL_VLAN_REG(1, 100 / 32), BIT(100 % 32));
    vw_wr(n, VMQNIC_VLANF_REG(3, A_VLANF_POOLS_LO), BIT(2));
    vw_wr(n, VMQNIC_VLANF_REG(3, A_VLANF_CTRL),
          200 | R_VLANF_CTRL_VALID_MASK);

    send_to(n, m, 100, 1);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(2));
    send_to(n, m, 200, 2);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(4));
    send_to(n, m, 300, 3);
    g_assert_cmphex(landed(n, snap, 16), ==, 0);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_FILTERED), ==, 1);
    send_to(n, m, -1, 4);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(6));
    send_to(n, m, 0, 5);                /* priority tag: untagged */
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(6));

    /* Pool 1 strips: the tag is in the write-back, not in the data */
    eth_frame(f, m, other_mac, 100 | 5 << 13, 100, 6);
    send_frame(n, f, 100);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(2));
    wb = last_wb(n, 2);
    g_assert_cmphex(wb.status & VMQNIC_RXD_STA_VP, !=, 0);
    g_assert_cmphex(le16_to_cpu(wb.vlan), ==, 100 | 5 << 13);
    g_assert_cmpuint(wb.len, ==, 96);
    qtest_memread(n->qts, n->rx_buf[2] + ((vw_rd(n, VMQNIC_RXQ_REG(2,
                  A_Q_HEAD)) + RING - 1) % RING) * VW_BUF_SIZE, got, 96);
    g_assert_cmpmem(got, 12, f, 12);
    g_assert_cmpmem(got + 12, 84, f + 16, 84);

    /* Pool 2 does not strip: the tag stays in the data */
    send_to(n, m, 200, 7);
    wb = last_wb(n, 4);
    g_assert_cmphex(wb.status & VMQNIC_RXD_STA_VP, ==, 0);
    g_assert_cmpuint(wb.len, ==, 100);
    g_assert_cmphex(wb.ptype & VMQNIC_RXD_PTYPE_VLAN, !=, 0);

    /* VLAN promiscuous pools take any tag; the table entry can go */
    pool_ctrl(n, 2, base | R_POOL_CTRL_VLAN_PROMISC_MASK);
    send_to(n, m, 300, 8);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(4));
    pool_ctrl(n, 2, base);
    vw_wr(n, VMQNIC_VLANF_REG(3, A_VLANF_CTRL), 200);
    send_to(n, m, 200, 9);
    g_assert_cmphex(landed(n, snap, 16), ==, 0);
    vw_stop(n);
}

/* NDIS: fields of one filter are ANDed, filters on a queue are ORed */
static void test_mac_vlan_filters(void)
{
    QVmqnicWire *n = start("");
    const uint32_t ctrl = R_POOL_CTRL_RX_EN_MASK |
                          R_POOL_CTRL_ACCEPT_UNTAGGED_MASK |
                          R_POOL_CTRL_VLAN_PROMISC_MASK;
    Mac x = pool_mac(7, 7);
    uint64_t snap[16];

    rings(n, 8);
    snapshot(n, snap, 16);
    pool_ctrl(n, 3, ctrl);
    pool_ctrl(n, 4, ctrl);
    pool_ctrl(n, 5, ctrl);
    vmdq_ctrl_set(n, R_VMDQ_CTRL_DROP_UNMATCHED_MASK, 0);
    set_mac_filter(n, 1, x, BIT_ULL(3),
                   10 | VMQNIC_MACF_VLAN_EXACT << R_MACF_VLAN_MODE_SHIFT);
    set_mac_filter(n, 2, x, BIT_ULL(4),
                   VMQNIC_MACF_VLAN_UNTAGGED << R_MACF_VLAN_MODE_SHIFT);
    /* two filters on pool 5: (x, VID 20) or (x, VID 30) */
    set_mac_filter(n, 3, x, BIT_ULL(5),
                   20 | VMQNIC_MACF_VLAN_EXACT << R_MACF_VLAN_MODE_SHIFT);
    set_mac_filter(n, 4, x, BIT_ULL(5),
                   30 | VMQNIC_MACF_VLAN_EXACT << R_MACF_VLAN_MODE_SHIFT);

    send_to(n, x, 10, 1);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(6));
    send_to(n, x, -1, 2);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(8));
    send_to(n, x, 0, 3);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(8));
    send_to(n, x, 20, 4);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(10));
    send_to(n, x, 30, 5);
    g_assert_cmphex(landed(n, snap, 16), ==, BIT_ULL(10));
    send_to(n, x, 11, 6);
    g_assert_cmphex(landed(n, snap, 16), ==, 0);
    send_to(n, pool_mac(7, 8), 10, 7);  /* right VID, other MAC */
    g_assert_cmphex(landed(n, snap, 16), ==, 0);
    vw_stop(n);
}

static void test_max_frame(void)
{
    QVmqnicWire *n = start("");
    uint64_t snap[4];
    uint8_t f[2000];

    rings(n, 1);
    snapshot(n, snap, 2);
    pool_ctrl(n, 0, R_POOL_CTRL_RX_EN_MASK |
              R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME), 1000);
    send_frame(n, f, eth_frame(f, pool_mac(0, 0), other_mac, -1, 1000, 1));
    g_assert_cmphex(landed(n, snap, 2), ==, 1);
    send_frame(n, f, eth_frame(f, pool_mac(0, 0), other_mac, -1, 1001, 2));
    g_assert_cmphex(landed(n, snap, 2), ==, 0);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_ERRS), ==, 1);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME), 9018);
    send_frame(n, f, eth_frame(f, pool_mac(0, 0), other_mac, -1, 2000, 3));
    g_assert_cmphex(landed(n, snap, 2), ==, 1);
    /* out of range values are refused */
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME), VMQNIC_MAX_FRAME + 1);
    g_assert_cmpuint(vw_rd(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME)), ==, 9018);
    vw_stop(n);
}

/* Microsoft's "Verifying the RSS Hash Calculation" key and vectors */
static const uint8_t ms_key[VMQNIC_RSS_KEY_SIZE] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
    0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
    0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

typedef struct RssVector {
    const char *dst, *src;
    uint16_t dport, sport;
    uint32_t hash_ip, hash_l4;
} RssVector;

static const RssVector ms_v4[] = {
    { "161.142.100.80", "66.9.149.187", 1766, 2794,
      0x323e8fc2, 0x51ccc178 },
    { "65.69.140.83", "199.92.111.2", 4739, 14230, 0xd718262a, 0xc626b0ea },
    { "12.22.207.184", "24.19.198.95", 38024, 12898,
      0xd2d0a5de, 0x5c2b394a },
    { "209.142.163.6", "38.27.205.30", 2217, 48228, 0x82989176, 0xafc7327f },
    { "202.188.127.2", "153.39.163.191", 1303, 44251,
      0x5d1809c5, 0x10e828a2 },
};

static const RssVector ms_v6[] = {
    { "3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794,
      0x2cc18cd5, 0x40207d3d },
    { "ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230,
      0x0f0c461c, 0xdde51bbf },
    { "fe80::200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
      38024, 44251, 0x4b61e985, 0x02d1feef },
};

/* An IPv4 or IPv6 frame with a TCP or UDP header, to @dst */
static size_t ip_frame(uint8_t *f, Mac dst, const RssVector *v, bool v6,
                       uint8_t l4)
{
    size_t l3 = 14, l4off, len;

    memset(f, 0, 128);
    memcpy(f, dst.a, 6);
    memcpy(f + 6, other_mac.a, 6);
    if (v6) {
        stw_be_p(f + 12, 0x86dd);
        f[l3] = 0x60;
        stw_be_p(f + l3 + 4, 20);
        f[l3 + 6] = l4;
        f[l3 + 7] = 64;
        g_assert_cmpint(inet_pton(AF_INET6, v->src, f + l3 + 8), ==, 1);
        g_assert_cmpint(inet_pton(AF_INET6, v->dst, f + l3 + 24), ==, 1);
        l4off = l3 + 40;
    } else {
        stw_be_p(f + 12, 0x0800);
        f[l3] = 0x45;
        stw_be_p(f + l3 + 2, 40);
        f[l3 + 8] = 64;
        f[l3 + 9] = l4;
        g_assert_cmpint(inet_pton(AF_INET, v->src, f + l3 + 12), ==, 1);
        g_assert_cmpint(inet_pton(AF_INET, v->dst, f + l3 + 16), ==, 1);
        l4off = l3 + 20;
    }
    stw_be_p(f + l4off, v->sport);
    stw_be_p(f + l4off + 2, v->dport);
    if (l4 == 6) {
        f[l4off + 12] = 0x50;
        len = l4off + 20;
    } else {
        stw_be_p(f + l4off + 4, 8);
        len = l4off + 20;
    }
    return MAX(len, 60);
}

static void rss_setup(QVmqnicWire *n, unsigned p, uint32_t types)
{
    unsigned i;

    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        vw_wr(n, VMQNIC_POOL_REG(p, A_POOL_RSS_KEY) + 4 * i,
              ldl_le_p(ms_key + 4 * i));
    }
    vw_wr(n, VMQNIC_POOL_REG(p, A_POOL_RSS_TYPES), types);
}

static void check_rss(QVmqnicWire *n, unsigned q, const RssVector *v,
                      bool v6, uint8_t l4, uint32_t hash, unsigned type)
{
    uint8_t f[128];
    VmqnicRxWb wb;

    send_frame(n, f, ip_frame(f, pool_mac(0, 0), v, v6, l4));
    wb = last_wb(n, q);
    g_assert_cmphex(le32_to_cpu(wb.rss_hash), ==, hash);
    g_assert_cmpuint(wb.hash_type, ==, type);
    g_assert_cmphex(wb.status & VMQNIC_RXD_STA_RSSV, !=, 0);
    recycle(n, q);
}

static void test_rss_vectors(void)
{
    QVmqnicWire *n = start("");
    unsigned i;

    /* One pool of 128 queues, all RETA entries -> queue 0 */
    vmdq_ctrl_set(n, 7, R_VMDQ_CTRL_QPP_LOG2_MASK);
    vw_queue_setup(n, 0, 0, RING, R_Q_CTRL_DROP_EN_MASK);
    vw_rx_post(n, 0, 0, RING - 1);
    pool_ctrl(n, 0, R_POOL_CTRL_RX_EN_MASK |
              R_POOL_CTRL_ACCEPT_UNTAGGED_MASK | R_POOL_CTRL_RSS_EN_MASK);
    set_mac_filter(n, 1, pool_mac(0, 0), 1, 0);

    rss_setup(n, 0, R_POOL_RSS_TYPES_IPV4_MASK | R_POOL_RSS_TYPES_IPV6_MASK);
    for (i = 0; i < ARRAY_SIZE(ms_v4); i++) {
        check_rss(n, 0, &ms_v4[i], false, 6, ms_v4[i].hash_ip,
                  VMQNIC_HASH_IPV4);
    }
    for (i = 0; i < ARRAY_SIZE(ms_v6); i++) {
        check_rss(n, 0, &ms_v6[i], true, 6, ms_v6[i].hash_ip,
                  VMQNIC_HASH_IPV6);
    }
    rss_setup(n, 0, R_POOL_RSS_TYPES_IPV4_MASK |
              R_POOL_RSS_TYPES_TCP_IPV4_MASK | R_POOL_RSS_TYPES_UDP_IPV4_MASK |
              R_POOL_RSS_TYPES_IPV6_MASK | R_POOL_RSS_TYPES_TCP_IPV6_MASK |
              R_POOL_RSS_TYPES_UDP_IPV6_MASK);
    for (i = 0; i < ARRAY_SIZE(ms_v4); i++) {
        check_rss(n, 0, &ms_v4[i], false, 6, ms_v4[i].hash_l4,
                  VMQNIC_HASH_TCP_IPV4);
        /* UDP hashes the same four fields */
        check_rss(n, 0, &ms_v4[i], false, 17, ms_v4[i].hash_l4,
                  VMQNIC_HASH_UDP_IPV4);
    }
    for (i = 0; i < ARRAY_SIZE(ms_v6); i++) {
        check_rss(n, 0, &ms_v6[i], true, 6, ms_v6[i].hash_l4,
                  VMQNIC_HASH_TCP_IPV6);
        check_rss(n, 0, &ms_v6[i], true, 17, ms_v6[i].hash_l4,
                  VMQNIC_HASH_UDP_IPV6);
    }
    /* UDP hashing off: UDP frames fall back to the IP hash */
    rss_setup(n, 0, R_POOL_RSS_TYPES_IPV4_MASK |
              R_POOL_RSS_TYPES_TCP_IPV4_MASK);
    check_rss(n, 0, &ms_v4[0], false, 17, ms_v4[0].hash_ip,
              VMQNIC_HASH_IPV4);
    vw_stop(n);
}

/* Flows land in the queue of their pool that the pool's RETA names */
static void test_rss_per_pool(void)
{
    QVmqnicWire *n = start("");
    unsigned p, i, w;

    vmdq_ctrl_set(n, 2, R_VMDQ_CTRL_QPP_LOG2_MASK);     /* 32 x 4 */
    for (p = 1; p <= 2; p++) {
        for (i = 0; i < 4; i++) {
            vw_queue_setup(n, p * 4 + i, 0, RING, R_Q_CTRL_DROP_EN_MASK);
            vw_rx_post(n, p * 4 + i, 0, RING - 1);
        }
        pool_ctrl(n, p, R_POOL_CTRL_RX_EN_MASK |
                  R_POOL_CTRL_ACCEPT_UNTAGGED_MASK | R_POOL_CTRL_RSS_EN_MASK);
        set_mac_filter(n, p, pool_mac(p, 0), BIT_ULL(p), 0);
        rss_setup(n, p, R_POOL_RSS_TYPES_TCP_IPV4_MASK);
        /* pool 1: entry i -> queue i % 4; pool 2: entry i -> 3 - i % 4 */
        for (w = 0; w < VMQNIC_RETA_WORDS; w++) {
            vw_wr(n, VMQNIC_POOL_REG(p, A_POOL_RETA) + 4 * w,
                  p == 1 ? 0x03020100 : 0x00010203);
        }
    }
    for (i = 0; i < ARRAY_SIZE(ms_v4); i++) {
        for (p = 1; p <= 2; p++) {
            uint32_t h = ms_v4[i].hash_l4, e = h % 128;
            unsigned q = p * 4 + (p == 1 ? e % 4 : 3 - e % 4);
            uint64_t before = vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS);
            uint8_t f[128];
            VmqnicRxWb wb;

            send_frame(n, f, ip_frame(f, pool_mac(p, 0), &ms_v4[i], false,
                                      6));
            g_assert_cmpuint(vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS), ==,
                             before + 1);
            wb = last_wb(n, q);
            g_assert_cmphex(le32_to_cpu(wb.rss_hash), ==, h);
            g_assert_cmpuint(wb.pool, ==, p);
            g_assert_cmpuint(le16_to_cpu(wb.queue), ==, q);
            g_assert_cmphex(wb.ptype, ==, VMQNIC_RXD_PTYPE_IPV4 |
                            VMQNIC_RXD_PTYPE_TCP);
        }
    }
    /* RSS off in pool 2: everything in its first queue, no hash */
    pool_ctrl(n, 2, R_POOL_CTRL_RX_EN_MASK |
              R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    for (i = 0; i < ARRAY_SIZE(ms_v4); i++) {
        uint8_t f[128];

        send_frame(n, f, ip_frame(f, pool_mac(2, 0), &ms_v4[i], false, 6));
        g_assert_cmpuint(last_wb(n, 8).hash_type, ==, VMQNIC_HASH_NONE);
    }
    g_assert_cmpuint(vw_qstat(n, 8, VMQNIC_QSTAT_RX_PKTS) -
                     vw_qstat(n, 8, VMQNIC_QSTAT_RX_DROPS), >=, 5);
    vw_stop(n);
}

static void tx_one(QVmqnicWire *n, unsigned q, const uint8_t *f, size_t len,
                   uint64_t buf)
{
    uint32_t tail = vw_rd(n, VMQNIC_TXQ_REG(q, A_Q_TAIL));

    qtest_memwrite(n->qts, buf, f, len);
    vw_tx_desc(n, q, tail, buf, len, VMQNIC_TXD_CMD_EOP |
               VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_TAIL), (tail + 1) % RING);
    WAIT_FOR(n, vw_rd(n, VMQNIC_TXQ_REG(q, A_Q_HEAD)) == (tail + 1) % RING);
}

static void test_vm_to_vm(void)
{
    QVmqnicWire *n = start("");
    const uint32_t ctrl = R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_TX_EN_MASK |
                          R_POOL_CTRL_ACCEPT_UNTAGGED_MASK |
                          R_POOL_CTRL_ACCEPT_BCAST_MASK;
    uint64_t buf = guest_alloc(&n->alloc, 256);
    uint64_t snap[8];
    uint8_t f[128], got[128];
    unsigned p;

    rings(n, 4);
    snapshot(n, snap, 8);
    for (p = 0; p < 4; p++) {
        pool_ctrl(n, p, ctrl);
        set_mac_filter(n, 1 + p, pool_mac(p, 0), BIT_ULL(p), 0);
    }
    vw_queue_setup(n, 2, 1, RING, 0);           /* pool 1 transmits */
    vmdq_ctrl_set(n, R_VMDQ_CTRL_LOOPBACK_EN_MASK |
                  R_VMDQ_CTRL_DROP_UNMATCHED_MASK, 0);

    /* Pool 1 to pool 2's MAC: delivered inside, not on the wire */
    eth_frame(f, pool_mac(2, 0), pool_mac(1, 0), -1, 100, 1);
    tx_one(n, 2, f, 100, buf);
    g_assert_cmphex(landed(n, snap, 8), ==, BIT_ULL(4));
    g_assert_cmphex(last_wb(n, 4).status & VMQNIC_RXD_STA_LB, !=, 0);
    g_assert_cmpuint(vw_qstat(n, 2, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_LOOPBACK), ==, 1);

    /* Broadcast: the other pools and the wire, never the sender */
    eth_frame(f, bcast_mac, pool_mac(1, 0), -1, 100, 2);
    tx_one(n, 2, f, 100, buf);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 100);
    g_assert_cmpmem(got, 100, f, 100);
    g_assert_cmphex(landed(n, snap, 8), ==,
                    BIT_ULL(0) | BIT_ULL(4) | BIT_ULL(6));

    /* To a MAC no pool has: the wire only */
    eth_frame(f, other_mac, pool_mac(1, 0), -1, 100, 3);
    tx_one(n, 2, f, 100, buf);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 100);
    g_assert_cmpuint(ldl_be_p(got + 14), ==, 3);
    g_assert_cmphex(landed(n, snap, 8), ==, 0);

    /* A frame too short to parse takes the switch too */
    eth_frame(f, pool_mac(2, 0), pool_mac(1, 0), -1, 100, 5);
    stw_be_p(f + 12, 0x0800);
    tx_one(n, 2, f, 24, buf);
    g_assert_cmphex(landed(n, snap, 8), ==, BIT_ULL(4));

    /* Switch off: pool 2's MAC goes to the wire */
    vmdq_ctrl_set(n, 0, R_VMDQ_CTRL_LOOPBACK_EN_MASK);
    eth_frame(f, pool_mac(2, 0), pool_mac(1, 0), -1, 100, 4);
    tx_one(n, 2, f, 100, buf);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 100);
    g_assert_cmpuint(ldl_be_p(got + 14), ==, 4);
    g_assert_cmphex(landed(n, snap, 8), ==, 0);
    vw_stop(n);
}

static void test_anti_spoof(void)
{
    QVmqnicWire *n = start("");
    uint64_t buf = guest_alloc(&n->alloc, 256);
    uint8_t f[128], got[128];
    uint32_t tail;

    pool_ctrl(n, 1, R_POOL_CTRL_TX_EN_MASK | R_POOL_CTRL_MAC_ANTISPOOF_MASK |
              R_POOL_CTRL_VLAN_ANTISPOOF_MASK);
    set_mac_filter(n, 1, pool_mac(1, 0), BIT_ULL(1), 0);
    vw_wr(n, VMQNIC_POOL_VLAN_REG(1, 0), BIT(5));
    vw_queue_setup(n, 2, 1, RING, 0);
    vw_wr(n, A_MISC_IMS, R_MISC_ICR_SPOOF_MASK);

    /* Its own MAC, untagged or in its VLAN: sent */
    eth_frame(f, other_mac, pool_mac(1, 0), -1, 80, 1);
    tx_one(n, 2, f, 80, buf);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 80);
    eth_frame(f, other_mac, pool_mac(1, 0), 5, 80, 2);
    tx_one(n, 2, f, 80, buf);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 80);

    /* Someone else's MAC: dropped, counted, reported */
    eth_frame(f, other_mac, pool_mac(2, 0), -1, 80, 3);
    tail = vw_rd(n, VMQNIC_TXQ_REG(2, A_Q_TAIL));
    tx_one(n, 2, f, 80, buf);
    g_assert_cmphex(vw_tx_sta(n, 2, tail), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR |
                    VMQNIC_ERR_SPOOF << VMQNIC_TXD_STA_ERRCODE_SHIFT);
    g_assert_cmpuint(vw_rd(n, VMQNIC_POOL_REG(1, A_POOL_SPOOF_DROPS)), ==, 1);
    g_assert_cmphex(vw_rd(n, A_SPOOF_POOLS_LO), ==, BIT(1));
    g_assert_cmphex(vw_rd(n, A_MISC_ICR) & R_MISC_ICR_SPOOF_MASK, !=, 0);
    g_assert_true(vw_vec_pending(n, 0));
    vw_wr(n, A_SPOOF_POOLS_LO, BIT(1));
    g_assert_cmphex(vw_rd(n, A_SPOOF_POOLS_LO), ==, 0);

    /* A VLAN it is not in: dropped */
    eth_frame(f, other_mac, pool_mac(1, 0), 6, 80, 4);
    tx_one(n, 2, f, 80, buf);
    g_assert_cmpuint(vw_rd(n, VMQNIC_POOL_REG(1, A_POOL_SPOOF_DROPS)), ==, 2);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_SPOOF_DROPS), ==, 2);
    g_assert_cmpuint(vw_qstat(n, 2, VMQNIC_QSTAT_TX_DROPS), ==, 2);

    /* A tag asked for in the descriptor is checked the same way */
    eth_frame(f, other_mac, pool_mac(1, 0), -1, 80, 40);
    tail = vw_rd(n, VMQNIC_TXQ_REG(2, A_Q_TAIL));
    qtest_memwrite(n->qts, buf, f, 80);
    {
        VmqnicTxDesc d = {
            .addr = cpu_to_le64(buf), .len = cpu_to_le16(80),
            .cmd = VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS |
                   VMQNIC_TXD_CMD_VLE,
            .vlan = cpu_to_le16(6),
        };
        qtest_memwrite(n->qts, n->tx_ring[2] + tail * VMQNIC_DESC_SIZE, &d,
                       sizeof(d));
    }
    vw_wr(n, VMQNIC_TXQ_REG(2, A_Q_TAIL), (tail + 1) % RING);
    WAIT_FOR(n, vw_tx_sta(n, 2, tail) & VMQNIC_TXD_STA_DD);
    g_assert_cmphex(vw_tx_sta(n, 2, tail) >> VMQNIC_TXD_STA_ERRCODE_SHIFT, ==,
                    VMQNIC_ERR_SPOOF);
    g_assert_cmpuint(vw_rd(n, VMQNIC_POOL_REG(1, A_POOL_SPOOF_DROPS)), ==, 3);

    /* Port VLAN: the device tags, a guest tag is a spoof */
    vw_wr(n, VMQNIC_POOL_REG(1, A_POOL_DEFVLAN),
          R_POOL_DEFVLAN_INSERT_MASK | 5);
    eth_frame(f, other_mac, pool_mac(1, 0), -1, 80, 5);
    tx_one(n, 2, f, 80, buf);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 84);
    g_assert_cmphex(lduw_be_p(got + 12), ==, 0x8100);
    g_assert_cmphex(lduw_be_p(got + 14), ==, 5);
    g_assert_cmpmem(got + 16, 68, f + 12, 68);
    eth_frame(f, other_mac, pool_mac(1, 0), 5, 80, 6);
    tx_one(n, 2, f, 80, buf);
    g_assert_cmpuint(vw_rd(n, VMQNIC_POOL_REG(1, A_POOL_SPOOF_DROPS)), ==, 4);

    /* Without anti-spoofing the same frame goes out */
    pool_ctrl(n, 1, R_POOL_CTRL_TX_EN_MASK);
    vw_wr(n, VMQNIC_POOL_REG(1, A_POOL_DEFVLAN), 0);
    eth_frame(f, other_mac, pool_mac(2, 0), -1, 80, 7);
    tx_one(n, 2, f, 80, buf);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 80);
    g_assert_cmpuint(ldl_be_p(got + 14), ==, 7);
    vw_stop(n);
}

/* Every pool active, every MAC filter slot used, one VLAN per pool */
static void test_scale(void)
{
    QVmqnicWire *n = start("");
    unsigned nf = vw_rd(n, A_NUM_MAC_FILTERS), np = vw_rd(n, A_NUM_POOLS);
    unsigned i, p;

    g_assert_cmpuint(nf, ==, 128);
    g_assert_cmpuint(np, ==, 64);
    vmdq_ctrl_set(n, R_VMDQ_CTRL_VLAN_FILTER_EN_MASK |
                  R_VMDQ_CTRL_DROP_UNMATCHED_MASK, 0);
    for (p = 0; p < np; p++) {
        vw_queue_setup(n, 2 * p, 0, RING, R_Q_CTRL_DROP_EN_MASK);
        vw_rx_post(n, 2 * p, 0, RING - 1);
        pool_ctrl(n, p, R_POOL_CTRL_RX_EN_MASK);
        vw_wr(n, VMQNIC_VLANF_REG(p, A_VLANF_POOLS_LO), p < 32 ? BIT(p) : 0);
        vw_wr(n, VMQNIC_VLANF_REG(p, A_VLANF_POOLS_HI),
              p >= 32 ? BIT(p - 32) : 0);
        vw_wr(n, VMQNIC_VLANF_REG(p, A_VLANF_CTRL),
              (100 + p) | R_VLANF_CTRL_VALID_MASK);
    }
    for (i = 0; i < nf; i++) {
        set_mac_filter(n, i, pool_mac(i % np, i / np), BIT_ULL(i % np), 0);
    }
    for (i = 0; i < nf; i++) {
        unsigned q = 2 * (i % np);
        uint64_t before = vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS);

        send_to(n, pool_mac(i % np, i / np), 100 + i % np, i);
        g_assert_cmpuint(vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS), ==,
                         before + 1);
        g_assert_cmpuint(last_wb(n, q).pool, ==, i % np);
        /* the wrong VLAN for that pool is filtered */
        send_to(n, pool_mac(i % np, i / np), 100 + (i + 1) % np, i);
        g_assert_cmpuint(vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS), ==,
                         before + 1);
    }
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_PKTS), ==, nf);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_FILTERED), ==, nf);
    vw_stop(n);
}

/* Reset clears the filters back to the documented defaults */
static void test_reset_filters(void)
{
    QVmqnicWire *n = start("");
    static const uint8_t perm[] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    Mac mperm;
    uint64_t snap[4];

    memcpy(mperm.a, perm, 6);
    set_mac_filter(n, 0, pool_mac(1, 0), BIT_ULL(1), 0);
    set_mac_filter(n, 5, pool_mac(1, 1), BIT_ULL(1), 0);
    vw_wr(n, VMQNIC_POOL_VLAN_REG(3, 2), 0xff);
    vw_wr(n, A_CTRL, R_CTRL_RST_MASK);
    g_assert_cmphex(vw_rd(n, VMQNIC_MACF_REG(0, A_MACF_LO)), ==,
                    ldl_le_p(perm));
    g_assert_cmphex(vw_rd(n, VMQNIC_MACF_REG(0, A_MACF_HI)), ==,
                    lduw_le_p(perm + 4) | R_MACF_HI_VALID_MASK);
    g_assert_cmphex(vw_rd(n, VMQNIC_MACF_REG(5, A_MACF_HI)), ==, 0);
    g_assert_cmphex(vw_rd(n, VMQNIC_POOL_VLAN_REG(3, 2)), ==, 0);

    /* and steering follows: the permanent MAC reaches pool 0 again */
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME), 1522);
    vw_queue_setup(n, 0, 0, RING, 0);
    vw_rx_post(n, 0, 0, RING - 1);
    snapshot(n, snap, 1);
    frames_in = vw_dstat(n, VMQNIC_STAT_RX_FRAMES);
    send_to(n, mperm, -1, 1);
    g_assert_cmphex(landed(n, snap, 1), ==, 1);
    send_to(n, pool_mac(1, 0), -1, 2);     /* unmatched: default pool 0 */
    g_assert_cmphex(landed(n, snap, 1), ==, 1);
    vw_stop(n);
}

/* Live migration keeps every table: steering is the same afterwards */
static void test_migration_steering(void)
{
    QVmqnicWire *n = start("");
    uint64_t buf = guest_alloc(&n->alloc, 128);
    uint8_t f[128], got[128];
    unsigned i, w;
    size_t len;

    vmdq_ctrl_set(n, 2 | R_VMDQ_CTRL_VLAN_FILTER_EN_MASK |
                  R_VMDQ_CTRL_DROP_UNMATCHED_MASK,
                  R_VMDQ_CTRL_QPP_LOG2_MASK);         /* 32 x 4 */
    for (i = 4; i < 12; i++) {
        vw_queue_setup(n, i, 0, RING, R_Q_CTRL_DROP_EN_MASK);
        vw_rx_post(n, i, 0, RING - 1);
    }
    vw_queue_setup(n, 5, 1, RING, 0);
    pool_ctrl(n, 1, R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_TX_EN_MASK |
              R_POOL_CTRL_ACCEPT_UNTAGGED_MASK | R_POOL_CTRL_RSS_EN_MASK);
    pool_ctrl(n, 2, R_POOL_CTRL_RX_EN_MASK);
    set_mac_filter(n, 1, pool_mac(1, 0), BIT_ULL(1), 0);
    set_mac_filter(n, 2, pool_mac(2, 0), BIT_ULL(2), 0);
    vw_wr(n, VMQNIC_POOL_VLAN_REG(2, 50 / 32), BIT(50 % 32));
    rss_setup(n, 1, R_POOL_RSS_TYPES_TCP_IPV4_MASK);
    for (w = 0; w < VMQNIC_RETA_WORDS; w++) {
        vw_wr(n, VMQNIC_POOL_REG(1, A_POOL_RETA) + 4 * w, 0x00010203);
    }

    n = vw_migrate(n, "");
    frames_in = vw_dstat(n, VMQNIC_STAT_RX_FRAMES);

    for (i = 0; i < ARRAY_SIZE(ms_v4); i++) {
        uint32_t h = ms_v4[i].hash_l4;
        unsigned q = 4 + 3 - (h % 128) % 4;
        uint64_t before = vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS);

        send_frame(n, f, ip_frame(f, pool_mac(1, 0), &ms_v4[i], false, 6));
        g_assert_cmpuint(vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS), ==,
                         before + 1);
        g_assert_cmphex(le32_to_cpu(last_wb(n, q).rss_hash), ==, h);
    }
    send_to(n, pool_mac(2, 0), 50, 1);
    g_assert_cmpuint(vw_qstat(n, 8, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    send_to(n, pool_mac(2, 0), 51, 2);
    g_assert_cmpuint(vw_qstat(n, 8, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    send_to(n, pool_mac(9, 0), -1, 3);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_UNMATCHED), ==, 1);

    /* and the TX ring carries on where it was */
    eth_frame(f, other_mac, pool_mac(1, 0), -1, 80, 4);
    tx_one(n, 5, f, 80, buf);
    do {
        /* skip QEMU's post-migration announcements (RARP) */
        len = vw_recv(n, got, sizeof(got));
    } while (lduw_be_p(got + 12) == 0x8035);
    g_assert_cmpuint(len, ==, 80);
    g_assert_cmpmem(got, 80, f, 80);
    vw_stop(n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("vmqnic/vmdq/pool-layouts", test_pool_layouts);
    qtest_add_func("vmqnic/vmdq/mac-filters", test_mac_filters);
    qtest_add_func("vmqnic/vmdq/bcast-mcast-promisc", test_bcast_mcast);
    qtest_add_func("vmqnic/vmdq/vlan", test_vlan);
    qtest_add_func("vmqnic/vmdq/mac-vlan-filters", test_mac_vlan_filters);
    qtest_add_func("vmqnic/vmdq/max-frame", test_max_frame);
    qtest_add_func("vmqnic/vmdq/rss-microsoft-vectors", test_rss_vectors);
    qtest_add_func("vmqnic/vmdq/rss-per-pool", test_rss_per_pool);
    qtest_add_func("vmqnic/vmdq/vm-to-vm", test_vm_to_vm);
    qtest_add_func("vmqnic/vmdq/anti-spoof", test_anti_spoof);
    qtest_add_func("vmqnic/vmdq/scale", test_scale);
    qtest_add_func("vmqnic/vmdq/reset-filters", test_reset_filters);
    qtest_add_func("vmqnic/vmdq/migration-steering",
                   test_migration_steering);

    return g_test_run();
}

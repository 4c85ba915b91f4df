/*
 * QTest testcases for the vmqnic datapath: descriptor rings, TX and RX
 * DMA, per-queue interrupts, vector remapping, moderation and errors.
 *
 * Frames go through a socket netdev on a socketpair: the test is the
 * wire.  Interrupts are observed the way libqos does for MSI-X (table
 * entries masked, pending bits in the PBA) plus the device's IRQS counter
 * for exact counts.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/socket.h>
#include "libqtest.h"
#include "libqos/vmqnic-wire.h"
#include "qemu/bitmap.h"
#include "qemu/timer.h"
#include "qemu/sockets.h"
#include "qemu/iov.h"
#include "hw/pci/pci_regs.h"
#include "hw/net/vmqnic_regs.h"

#define RING_LEN        64

static void test_tx_all_queues(void)
{
    QVmqnicWire *n = vw_start("");
    unsigned nq = vw_rd(n, A_NUM_QUEUES), q, got;
    uint64_t buf = guest_alloc(&n->alloc, 64 * nq);
    unsigned long *seen = bitmap_new(nq);
    uint8_t frame[64];

    for (q = 0; q < nq; q++) {
        vw_queue_setup(n, q, 1, 8, 0);
        vw_make_frame(frame, sizeof(frame), q);
        qtest_memwrite(n->qts, buf + 64 * q, frame, sizeof(frame));
        vw_tx_desc(n, q, 0, buf + 64 * q, sizeof(frame),
                VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
        vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_TAIL), 1);
    }
    for (got = 0; got < nq; got++) {
        uint8_t rx[2048];
        uint32_t tag;

        g_assert_cmpuint(vw_recv(n, rx, sizeof(rx)), ==, sizeof(frame));
        tag = ldl_be_p(rx + 14);
        g_assert_cmpuint(tag, <, nq);
        g_assert_false(test_bit(tag, seen));
        vw_make_frame(frame, sizeof(frame), tag);
        g_assert_cmpmem(rx, sizeof(frame), frame, sizeof(frame));
        set_bit(tag, seen);
    }
    for (q = 0; q < nq; q++) {
        g_assert_cmphex(vw_tx_sta(n, q, 0), ==, VMQNIC_TXD_STA_DD);
        g_assert_cmpuint(vw_rd(n, VMQNIC_TXQ_REG(q, A_Q_HEAD)), ==, 1);
        g_assert_cmpuint(vw_qstat(n, q, VMQNIC_QSTAT_TX_PKTS), ==, 1);
        g_assert_cmpuint(vw_qstat(n, q, VMQNIC_QSTAT_TX_BYTES), ==, 64);
        /* TX completion of queue q signals vector q + 1 (reset map) */
        g_assert_true(vw_vec_pending(n, q + 1));
    }
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_TX_PKTS), ==, nq);
    g_free(seen);
    vw_stop(n);
}

static void test_rx_default_queue(void)
{
    QVmqnicWire *n = vw_start("");
    uint8_t frame[100], got[100];
    VmqnicRxWb wb;

    vw_queue_setup(n, 0, 0, RING_LEN, 0);
    vw_rx_post(n, 0, 0, RING_LEN - 1);
    vw_make_frame(frame, sizeof(frame), 42);
    vw_send(n, frame, sizeof(frame));
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 1);

    wb = vw_rx_wb(n, 0, 0);
    g_assert_cmpuint(wb.len, ==, sizeof(frame));
    g_assert_cmphex(wb.status, ==, VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP);
    g_assert_cmpuint(wb.pool, ==, 0);
    g_assert_cmpuint(wb.queue, ==, 0);
    qtest_memread(n->qts, n->rx_buf[0], got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_BYTES), ==, sizeof(frame));
    g_assert_true(vw_vec_pending(n, 1));
    g_assert_cmphex(vw_rd(n, A_RXQ_ICR), ==, 1);
    vw_wr(n, A_RXQ_ICR, 1);
    g_assert_cmphex(vw_rd(n, A_RXQ_ICR), ==, 0);

    /* A runt is padded to 60 bytes, broadcast is flagged */
    memset(frame, 0xff, 6);
    vw_send(n, frame, 20);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 2);
    wb = vw_rx_wb(n, 0, 1);
    g_assert_cmpuint(wb.len, ==, VMQNIC_MIN_FRAME);
    g_assert_cmphex(wb.status, ==, VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP |
                    VMQNIC_RXD_STA_BCAST);
    vw_stop(n);
}

static void test_multi_desc(void)
{
    QVmqnicWire *n = vw_start("");
    const size_t big = 9000;
    g_autofree uint8_t *frame = g_malloc(big);
    g_autofree uint8_t *got = g_malloc(big);
    uint64_t buf = guest_alloc(&n->alloc, big);
    uint32_t i, nd = DIV_ROUND_UP(big, VW_BUF_SIZE);

    /* TX: one 9000-byte frame in three descriptors */
    vw_queue_setup(n, 3, 1, 16, 0);
    vw_make_frame(frame, big, 3);
    qtest_memwrite(n->qts, buf, frame, big);
    vw_tx_desc(n, 3, 0, buf, 1000, 0);
    vw_tx_desc(n, 3, 1, buf + 1000, 5000, 0);
    vw_tx_desc(n, 3, 2, buf + 6000, 3000,
            VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(3, A_Q_TAIL), 3);
    g_assert_cmpuint(vw_recv(n, got, big), ==, big);
    g_assert_cmpmem(got, big, frame, big);
    g_assert_cmphex(vw_tx_sta(n, 3, 0), ==, 0);
    g_assert_cmphex(vw_tx_sta(n, 3, 2), ==, VMQNIC_TXD_STA_DD);

    /* RX: the same frame chained over 2048-byte buffers */
    vw_queue_setup(n, 0, 0, 16, 0);
    vw_rx_post(n, 0, 0, 15);
    vw_send(n, frame, big);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == nd);
    for (i = 0; i < nd; i++) {
        VmqnicRxWb wb = vw_rx_wb(n, 0, i);
        size_t len = MIN(VW_BUF_SIZE, big - i * VW_BUF_SIZE);

        g_assert_cmpuint(wb.len, ==, len);
        g_assert_cmphex(wb.status & VMQNIC_RXD_STA_DD, ==, VMQNIC_RXD_STA_DD);
        g_assert_cmphex(!!(wb.status & VMQNIC_RXD_STA_EOP), ==, i == nd - 1);
        qtest_memread(n->qts, n->rx_buf[0] + i * VW_BUF_SIZE,
                      got + i * VW_BUF_SIZE, len);
    }
    g_assert_cmpmem(got, big, frame, big);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    vw_stop(n);
}

static void test_wrap_around(void)
{
    QVmqnicWire *n = vw_start("");
    const unsigned frames = 3000, len = 8;
    uint64_t buf = guest_alloc(&n->alloc, 64 * len);
    uint8_t frame[64], got[2048];
    unsigned i;

    vw_queue_setup(n, 1, 1, len, 0);
    vw_queue_setup(n, 0, 0, len, 0);
    vw_rx_post(n, 0, 0, len - 1);
    for (i = 0; i < frames; i++) {
        uint32_t slot = i % len;
        uint32_t rslot = i % len;
        VmqnicRxWb wb;

        /* TX one frame */
        vw_make_frame(frame, sizeof(frame), i);
        qtest_memwrite(n->qts, buf + 64 * slot, frame, sizeof(frame));
        vw_tx_desc(n, 1, slot, buf + 64 * slot, sizeof(frame),
                VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
        vw_wr(n, VMQNIC_TXQ_REG(1, A_Q_TAIL), (slot + 1) % len);
        g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, sizeof(frame));
        g_assert_cmpuint(ldl_be_p(got + 14), ==, i);

        /* and receive it back */
        vw_send(n, frame, sizeof(frame));
        WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == (rslot + 1) % len);
        wb = vw_rx_wb(n, 0, rslot);
        g_assert_cmpuint(wb.len, ==, sizeof(frame));
        qtest_memread(n->qts, n->rx_buf[0] + rslot * VW_BUF_SIZE, got, 64);
        g_assert_cmpuint(ldl_be_p(got + 14), ==, i);
        vw_rx_post(n, 0, (rslot + len - 1) % len, rslot);
    }
    g_assert_cmpuint(vw_qstat(n, 1, VMQNIC_QSTAT_TX_PKTS), ==, frames);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, frames);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_DROPS), ==, 0);
    vw_stop(n);
}

/* Steer all received frames to pool @p's first queue (2 queues/pool) */
static void default_pool(QVmqnicWire *n, unsigned p)
{
    uint32_t v = vw_rd(n, A_VMDQ_CTRL);

    vw_wr(n, A_VMDQ_CTRL, FIELD_DP32(v, VMDQ_CTRL, DEF_POOL, p));
}

static void send_tagged(QVmqnicWire *n, uint32_t tag)
{
    uint8_t frame[64];

    vw_make_frame(frame, sizeof(frame), tag);
    vw_send(n, frame, sizeof(frame));
}

static void test_ring_full(void)
{
    QVmqnicWire *n = vw_start("");
    unsigned i;
    uint8_t got[64];

    /* Queue 0 drops when full, queue 2 (pool 1) holds back, 4 (pool 2) */
    vw_queue_setup(n, 0, 0, 8, R_Q_CTRL_DROP_EN_MASK);
    vw_queue_setup(n, 2, 0, 8, 0);
    vw_queue_setup(n, 4, 0, 8, 0);
    vw_rx_post(n, 0, 0, 2);
    vw_rx_post(n, 4, 0, 7);

    default_pool(n, 0);
    for (i = 0; i < 5; i++) {
        send_tagged(n, i);
    }
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_DROPS) == 3);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 2);

    /* Queue 2 has no buffers: frames wait there ... */
    default_pool(n, 1);
    for (i = 10; i < 13; i++) {
        send_tagged(n, i);
    }
    /* ... while pool 2 keeps receiving */
    default_pool(n, 2);
    send_tagged(n, 99);
    WAIT_FOR(n, vw_qstat(n, 4, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_cmpuint(vw_qstat(n, 2, VMQNIC_QSTAT_RX_PKTS), ==, 0);
    g_assert_cmpuint(vw_qstat(n, 2, VMQNIC_QSTAT_RX_DROPS), ==, 0);

    /* Posting buffers releases the held frames in order */
    vw_rx_post(n, 2, 0, 7);
    g_assert_cmpuint(vw_qstat(n, 2, VMQNIC_QSTAT_RX_PKTS), ==, 3);
    for (i = 0; i < 3; i++) {
        qtest_memread(n->qts, n->rx_buf[2] + i * VW_BUF_SIZE, got, sizeof(got));
        g_assert_cmpuint(ldl_be_p(got + 14), ==, 10 + i);
    }
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_DROPS), ==, 3);
    vw_stop(n);
}

static void test_msix_per_queue(void)
{
    QVmqnicWire *n = vw_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];

    vw_queue_setup(n, 0, 0, 8, 0);
    vw_queue_setup(n, 5, 1, 8, 0);
    vw_rx_post(n, 0, 0, 7);
    vw_wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | 17);
    vw_wr(n, VMQNIC_TXQ_REG(5, A_Q_VEC), R_Q_VEC_VALID_MASK | 33);

    send_tagged(n, 1);
    WAIT_FOR(n, vw_vec_pending(n, 17));
    g_assert_false(vw_vec_pending(n, 1));
    g_assert_false(vw_vec_pending(n, 33));

    vw_make_frame(frame, sizeof(frame), 5);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    vw_tx_desc(n, 5, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP |
            VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(5, A_Q_TAIL), 1);
    vw_recv(n, got, sizeof(got));
    WAIT_FOR(n, vw_vec_pending(n, 33));
    g_assert_false(vw_vec_pending(n, 6));

    /* An invalid mapping raises nothing */
    vw_vec_ack(n, 17);
    vw_wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), 17);
    send_tagged(n, 2);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 2);
    g_assert_false(vw_vec_pending(n, 17));
    vw_stop(n);
}

static void test_vector_remap(void)
{
    QVmqnicWire *n = vw_start("");
    unsigned i;

    vw_queue_setup(n, 0, 0, 64, 0);
    vw_rx_post(n, 0, 0, 63);
    vw_wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | 10);
    for (i = 0; i < 20; i++) {
        unsigned v = i % 2 ? 20 : 10;
        unsigned other = i % 2 ? 10 : 20;

        /* Traffic arrives, then the queue moves to the other CPU */
        send_tagged(n, i);
        WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == i + 1);
        g_assert_true(vw_vec_pending(n, v));
        g_assert_false(vw_vec_pending(n, other));
        vw_vec_ack(n, v);
        vw_wr(n, A_RXQ_ICR, 1);
        vw_wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | other);
        g_assert_false(vw_vec_pending(n, v));
        g_assert_false(vw_vec_pending(n, other));
    }

    /*
     * A completion not yet acknowledged (RXQ_ICR still set) follows the
     * queue to its new vector, so the move loses nothing.
     */
    vw_wr(n, A_VEC_IMC, BIT(10) | BIT(20));
    send_tagged(n, 100);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 21);
    g_assert_false(vw_vec_pending(n, 10));
    vw_wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | 30);
    g_assert_true(vw_vec_pending(n, 30));
    /* ... and the old vector, enabled again, has nothing left to say */
    vw_wr(n, A_VEC_IMS, BIT(10));
    g_assert_false(vw_vec_pending(n, 10));
    vw_stop(n);
}

static void test_shared_vector(void)
{
    QVmqnicWire *n = vw_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];
    uint64_t irqs;

    vw_queue_setup(n, 3, 1, 8, 0);
    vw_queue_setup(n, 4, 1, 8, 0);
    vw_wr(n, VMQNIC_TXQ_REG(3, A_Q_VEC), R_Q_VEC_VALID_MASK | 7);
    vw_wr(n, VMQNIC_TXQ_REG(4, A_Q_VEC), R_Q_VEC_VALID_MASK | 7);
    vw_make_frame(frame, sizeof(frame), 0);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    vw_tx_desc(n, 3, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP |
            VMQNIC_TXD_CMD_RS);
    vw_tx_desc(n, 4, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP |
            VMQNIC_TXD_CMD_RS);

    /* Both queues complete in one run of the transmit engine */
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK);
    vw_wr(n, VMQNIC_TXQ_REG(3, A_Q_TAIL), 1);
    vw_wr(n, VMQNIC_TXQ_REG(4, A_Q_TAIL), 1);
    irqs = vw_dstat(n, VMQNIC_STAT_IRQS);
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    vw_recv(n, got, sizeof(got));
    vw_recv(n, got, sizeof(got));
    WAIT_FOR(n, vw_vec_pending(n, 7));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS) - irqs, ==, 1);
    g_assert_cmphex(vw_rd(n, A_TXQ_ICR), ==, BIT(3) | BIT(4));
    vw_stop(n);
}

static void test_moderation(void)
{
    QVmqnicWire *n = vw_start("");
    uint64_t irqs;
    unsigned i;

    vw_queue_setup(n, 0, 0, 64, 0);
    vw_rx_post(n, 0, 0, 63);
    vw_wr(n, A_VEC_ITR + 4 * 1, 1000);        /* 1000 us on vector 1 */

    irqs = vw_dstat(n, VMQNIC_STAT_IRQS);
    send_tagged(n, 0);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 1);
    g_assert_true(vw_vec_pending(n, 1));
    vw_vec_ack(n, 1);

    /*
     * Eight more frames inside the interval: no interrupt yet.  Wait
     * without moving the clock: it only moves when the test steps it.
     */
    for (i = 1; i <= 8; i++) {
        gint64 end = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;

        send_tagged(n, i);
        while (vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) != i + 1) {
            g_assert(g_get_monotonic_time() < end);
            g_usleep(100);
        }
    }
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 1);
    g_assert_false(vw_vec_pending(n, 1));

    /* When the interval expires they make exactly one interrupt */
    qtest_clock_step(n->qts, 1000 * SCALE_US);
    g_assert_true(vw_vec_pending(n, 1));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 2);
    qtest_clock_step(n->qts, 5000 * SCALE_US);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 2);

    /* Automask: after firing the vector is disabled until re-enabled */
    vw_vec_ack(n, 1);
    vw_wr(n, A_VEC_ITR + 4 * 1, R_VEC_ITR_AUTOMASK_MASK);
    send_tagged(n, 50);
    WAIT_FOR(n, vw_vec_pending(n, 1));
    g_assert_cmphex(vw_rd(n, A_VEC_IMS) & BIT(1), ==, 0);
    vw_vec_ack(n, 1);
    send_tagged(n, 51);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 11);
    g_assert_false(vw_vec_pending(n, 1));
    vw_wr(n, A_VEC_IMS, BIT(1));               /* re-enable: pending fires */
    g_assert_true(vw_vec_pending(n, 1));
    vw_stop(n);
}

static void test_disable_stops_dma(void)
{
    QVmqnicWire *n = vw_start("");
    uint8_t before[VMQNIC_DESC_SIZE * 8], after[VMQNIC_DESC_SIZE * 8];

    vw_queue_setup(n, 0, 0, 8, 0);
    vw_rx_post(n, 0, 0, 7);
    send_tagged(n, 1);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);

    vw_wr(n, VMQNIC_RXQ_REG(0, A_Q_CTRL), 0);
    g_assert_cmphex(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_STATUS)), ==,
                    R_Q_STATUS_STOPPED_MASK);
    qtest_memread(n->qts, n->rx_ring[0], before, sizeof(before));
    send_tagged(n, 2);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_DROPS) == 1);
    qtest_memread(n->qts, n->rx_ring[0], after, sizeof(after));
    g_assert_cmpmem(before, sizeof(before), after, sizeof(after));
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    vw_stop(n);
}

/*
 * The device reaches guest RAM through mappings it keeps across frames:
 * they must follow the memory map.  With Bus Master Enable clear, a frame
 * must not reach memory the device reached a moment before; set again, the
 * next frame must.
 */
static void test_bus_master_toggle(void)
{
    QVmqnicWire *n = vw_start("");
    uint16_t cmd = qpci_config_readw(n->dev, PCI_COMMAND);
    uint64_t txbuf = guest_alloc(&n->alloc, 64);
    uint8_t ring[VMQNIC_DESC_SIZE * 2], data[64], frame[64], got[64];
    VmqnicRxWb wb;

    vw_queue_setup(n, 0, 0, 8, 0);
    vw_queue_setup(n, 0, 1, 8, 0);
    vw_rx_post(n, 0, 0, 7);
    send_tagged(n, 1);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);

    qpci_config_writew(n->dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    qtest_memread(n->qts, n->rx_ring[0] + VMQNIC_DESC_SIZE, ring,
                  sizeof(ring));
    qtest_memset(n->qts, n->rx_buf[0] + VW_BUF_SIZE, 0xa5, sizeof(data));
    send_tagged(n, 2);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_ERRS) == 1);
    /* Neither the buffer nor the write-back was written */
    qtest_memread(n->qts, n->rx_buf[0] + VW_BUF_SIZE, data, sizeof(data));
    g_assert_cmpuint(data[0], ==, 0xa5);
    g_assert_cmpuint(data[sizeof(data) - 1], ==, 0xa5);
    qtest_memread(n->qts, n->rx_ring[0] + VMQNIC_DESC_SIZE, got,
                  sizeof(ring));
    g_assert_cmpmem(got, sizeof(ring), ring, sizeof(ring));

    /* A TX frame cannot be read, nor its write-back written */
    vw_make_frame(frame, sizeof(frame), 3);
    qtest_memwrite(n->qts, txbuf, frame, sizeof(frame));
    vw_tx_desc(n, 0, 0, txbuf, sizeof(frame),
               VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 1);
    WAIT_FOR(n, vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_STATUS)) &
             R_Q_STATUS_ERROR_MASK);
    g_assert_cmphex(vw_tx_sta(n, 0, 0), ==, 0);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_PKTS), ==, 0);

    /* Bus mastering back: the next frame lands where it should */
    qpci_config_writew(n->dev, PCI_COMMAND, cmd);
    send_tagged(n, 4);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 2);
    wb = vw_rx_wb(n, 0, 2);
    g_assert_cmphex(wb.status, ==, VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP);
    vw_make_frame(frame, sizeof(frame), 4);
    qtest_memread(n->qts, n->rx_buf[0] + 2 * VW_BUF_SIZE, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    vw_stop(n);
}

/*
 * Frames received back to back are one burst: all are written back, then
 * their vector fires once, even without moderation.  A register read after
 * that finds the interrupt sent.
 */
static void test_rx_burst_one_irq(void)
{
    QVmqnicWire *n = vw_start("");
    uint8_t burst[8][4 + 64];
    uint64_t irqs;
    unsigned i;

    vw_queue_setup(n, 0, 0, RING_LEN, 0);
    vw_rx_post(n, 0, 0, RING_LEN - 1);
    send_tagged(n, 0);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_true(vw_vec_pending(n, 1));
    irqs = vw_dstat(n, VMQNIC_STAT_IRQS);

    /*
     * Eight frames in one write to the socket: the backend reads them
     * together (or, while the VM is stopped, holds them together) and
     * delivers them back to back
     */
    qtest_qmp_assert_success(n->qts, "{'execute': 'stop'}");
    for (i = 0; i < 8; i++) {
        stl_be_p(burst[i], 64);
        vw_make_frame(burst[i] + 4, 64, i + 1);
    }
    g_assert_cmpint(send(n->sock, burst, sizeof(burst), 0), ==,
                    sizeof(burst));
    qtest_qmp_assert_success(n->qts, "{'execute': 'cont'}");
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 9);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS) - irqs, ==, 1);
    for (i = 1; i <= 8; i++) {
        g_assert_cmphex(vw_rx_wb(n, 0, i).status, ==,
                        VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP);
    }
    vw_stop(n);
}

static void test_reset_under_traffic(void)
{
    QVmqnicWire *n = vw_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64];
    unsigned i;

    vw_queue_setup(n, 0, 0, 8, 0);
    vw_queue_setup(n, 1, 1, 256, 0);
    vw_make_frame(frame, sizeof(frame), 0);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    for (i = 0; i < 255; i++) {
        vw_tx_desc(n, 1, i, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP);
    }
    for (i = 0; i < 20; i++) {
        send_tagged(n, i);      /* held back: no buffers posted */
    }
    vw_wr(n, VMQNIC_TXQ_REG(1, A_Q_TAIL), 255);
    vw_wr(n, A_CTRL, R_CTRL_RST_MASK);
    g_assert_cmphex(vw_rd(n, VMQNIC_TXQ_REG(1, A_Q_STATUS)), ==,
                    R_Q_STATUS_STOPPED_MASK);
    g_assert_cmphex(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_CTRL)), ==, 0);
    g_assert_cmphex(vw_rd(n, A_CTRL), ==, 0);
    qtest_clock_step(n->qts, 1000000);

    /* The device works again after it is set up anew */
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    vw_wr(n, A_VEC_IMS, UINT32_MAX);
    vw_queue_setup(n, 0, 0, 8, 0);
    vw_rx_post(n, 0, 0, 7);
    while (vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 0) {
        send_tagged(n, 1000);
        qtest_clock_step(n->qts, 1000);
    }
    vw_stop(n);
}

static void test_bad_rings(void)
{
    QVmqnicWire *n = vw_start("");
    uint64_t rx0 = VMQNIC_RXQ_REG(0, 0), tx2 = VMQNIC_TXQ_REG(2, 0);
    uint32_t errs = vw_rd(n, A_ERR_COUNT);

    vw_wr(n, A_MISC_IMS, R_MISC_ICR_QERR_MASK);

    /* Misaligned ring base */
    vw_wr(n, rx0 + A_Q_BASE_LO, 0x100008);
    vw_wr(n, rx0 + A_Q_LEN, 8);
    vw_wr(n, rx0 + A_Q_BUFSZ, VW_BUF_SIZE);
    vw_wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmphex(vw_rd(n, rx0 + A_Q_STATUS), ==,
                    R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_BASE);
    g_assert_cmphex(vw_rd(n, A_MISC_ICR) & R_MISC_ICR_QERR_MASK, !=, 0);
    g_assert_true(vw_vec_pending(n, 0));
    g_assert_cmphex(vw_rd(n, A_ERR_INFO), ==, R_ERR_INFO_VALID_MASK |
                    VMQNIC_ERR_BAD_BASE);
    g_assert_cmphex(vw_rd(n, A_ERR_INFO), ==, VMQNIC_ERR_BAD_BASE);

    /* Length not a power of two, too small, too large */
    vw_wr(n, rx0 + A_Q_BASE_LO, 0x100000);
    vw_wr(n, rx0 + A_Q_LEN, 100);
    vw_wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_LEN);
    vw_wr(n, rx0 + A_Q_LEN, 4);
    vw_wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_STATUS) & R_Q_STATUS_ENABLED_MASK, ==,
                     0);
    vw_wr(n, rx0 + A_Q_LEN, 65536);
    vw_wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_LEN);

    /* Bad buffer size */
    vw_wr(n, rx0 + A_Q_LEN, 8);
    vw_wr(n, rx0 + A_Q_BUFSZ, 100);
    vw_wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_BUFSZ);

    /* Tail beyond the ring on a running queue stops it */
    vw_queue_setup(n, 0, 0, 8, 0);
    vw_wr(n, rx0 + A_Q_TAIL, 8);
    g_assert_cmphex(vw_rd(n, rx0 + A_Q_STATUS), ==,
                    R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_TAIL);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_CTRL) & R_Q_CTRL_ENABLE_MASK, ==, 0);

    /* A ring outside guest memory: DMA error on the first doorbell */
    vw_wr(n, tx2 + A_Q_BASE_LO, 0);
    vw_wr(n, tx2 + A_Q_BASE_HI, 0xfff00000);
    vw_wr(n, tx2 + A_Q_LEN, 8);
    vw_wr(n, tx2 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    vw_wr(n, tx2 + A_Q_TAIL, 3);
    WAIT_FOR(n, vw_rd(n, tx2 + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
    g_assert_cmpuint(vw_rd(n, tx2 + A_Q_ERR), ==, VMQNIC_ERR_DMA);
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, errs + 7);

    /* The other queues keep working */
    vw_queue_setup(n, 0, 0, 8, 0);
    vw_rx_post(n, 0, 0, 7);
    send_tagged(n, 7);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    vw_stop(n);
}

/* A running ring's geometry cannot change under the device */
static void test_ring_locked(void)
{
    QVmqnicWire *n = vw_start("");
    uint64_t rx0 = VMQNIC_RXQ_REG(0, 0);
    uint32_t base = vw_rd(n, rx0 + A_Q_BASE_LO);

    vw_queue_setup(n, 0, 0, 64, 0);
    vw_rx_post(n, 0, 0, 63);
    base = vw_rd(n, rx0 + A_Q_BASE_LO);
    vw_wr(n, rx0 + A_Q_BUFSZ, 0);
    vw_wr(n, rx0 + A_Q_LEN, 4096);
    vw_wr(n, rx0 + A_Q_BASE_LO, 0x1000);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_BUFSZ), ==, VW_BUF_SIZE);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_LEN), ==, 64);
    g_assert_cmphex(vw_rd(n, rx0 + A_Q_BASE_LO), ==, base);
    send_tagged(n, 1);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    /* stopped, the ring takes new values */
    vw_wr(n, rx0 + A_Q_CTRL, 0);
    vw_wr(n, rx0 + A_Q_BUFSZ, 4096);
    g_assert_cmpuint(vw_rd(n, rx0 + A_Q_BUFSZ), ==, 4096);
    vw_stop(n);
}

/* Queues of a pool that is not active in the layout do not transmit */
static void test_inactive_pool_tx(void)
{
    QVmqnicWire *n = vw_start(",queues=6,pools=4");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];

    vw_wr(n, A_VMDQ_CTRL, 2 | R_VMDQ_CTRL_REPL_EN_MASK);     /* 1 x 4 */
    vw_queue_setup(n, 4, 1, 8, 0);                         /* pool 1 */
    vw_queue_setup(n, 0, 1, 8, 0);                         /* pool 0 */
    vw_make_frame(frame, sizeof(frame), 4);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    vw_tx_desc(n, 4, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP);
    vw_wr(n, VMQNIC_TXQ_REG(4, A_Q_TAIL), 1);
    vw_tx_desc(n, 0, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP);
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 1);
    vw_recv(n, got, sizeof(got));
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    g_assert_cmpuint(vw_rd(n, VMQNIC_TXQ_REG(4, A_Q_HEAD)), ==, 0);
    g_assert_cmpuint(vw_qstat(n, 4, VMQNIC_QSTAT_TX_PKTS), ==, 0);
    vw_stop(n);
}

static void test_bad_tx_descriptors(void)
{
    QVmqnicWire *n = vw_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];
    unsigned i;

    vw_queue_setup(n, 0, 1, 128, 0);
    vw_make_frame(frame, sizeof(frame), 77);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    /* zero length */
    vw_tx_desc(n, 0, 0, buf, 0, VMQNIC_TXD_CMD_EOP);
    /* buffer outside guest memory (no RS: errors are written back anyway) */
    vw_tx_desc(n, 0, 1, 0xfff0000000000000ULL, 64, VMQNIC_TXD_CMD_EOP);
    /* 64 descriptors without end of packet */
    for (i = 2; i < 66; i++) {
        vw_tx_desc(n, 0, i, buf, 64, 0);
    }
    /* then a good frame */
    vw_tx_desc(n, 0, 66, buf, sizeof(frame),
            VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 67);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    g_assert_cmphex(vw_tx_sta(n, 0, 0), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR | VMQNIC_ERR_BAD_DESC << 4);
    g_assert_cmphex(vw_tx_sta(n, 0, 1), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR | VMQNIC_ERR_DMA << 4);
    g_assert_cmphex(vw_tx_sta(n, 0, 65), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR | VMQNIC_ERR_BAD_DESC << 4);
    g_assert_cmphex(vw_tx_sta(n, 0, 66), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_ERRS), ==, 3);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    g_assert_cmpuint(vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_HEAD)), ==, 67);

    /* An incomplete chain waits for the rest of the frame */
    vw_tx_desc(n, 0, 67, buf, 30, 0);
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 68);
    qtest_clock_step(n->qts, 1000);
    g_assert_cmpuint(vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_HEAD)), ==, 67);
    vw_tx_desc(n, 0, 68, buf + 30, 34, VMQNIC_TXD_CMD_EOP);
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 69);
    vw_recv(n, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    vw_stop(n);
}

static void test_intx(void)
{
    QVmqnicWire *n = vw_start("");

    /* Leave MSI-X: one shared interrupt with a readable cause */
    qpci_msix_disable(n->dev);
    g_assert_cmpuint(FIELD_EX32(vw_rd(n, A_STATUS), STATUS, INT_MODE), ==,
                     VMQNIC_INT_MODE_INTX);
    vw_queue_setup(n, 0, 0, 8, 0);
    vw_rx_post(n, 0, 0, 7);
    send_tagged(n, 1);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_cmphex(vw_rd(n, A_VEC_ICR), ==, BIT(1));
    g_assert_cmphex(vw_rd(n, A_RXQ_ICR), ==, BIT(0));
    vw_wr(n, A_VEC_ICR, BIT(1));
    g_assert_cmphex(vw_rd(n, A_VEC_ICR), ==, 0);
    vw_stop(n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("vmqnic/datapath/tx-all-queues", test_tx_all_queues);
    qtest_add_func("vmqnic/datapath/rx-default-queue", test_rx_default_queue);
    qtest_add_func("vmqnic/datapath/multi-descriptor", test_multi_desc);
    qtest_add_func("vmqnic/datapath/wrap-around", test_wrap_around);
    qtest_add_func("vmqnic/datapath/ring-full", test_ring_full);
    qtest_add_func("vmqnic/datapath/msix-per-queue", test_msix_per_queue);
    qtest_add_func("vmqnic/datapath/vector-remap", test_vector_remap);
    qtest_add_func("vmqnic/datapath/shared-vector", test_shared_vector);
    qtest_add_func("vmqnic/datapath/moderation", test_moderation);
    qtest_add_func("vmqnic/datapath/disable-stops-dma",
                   test_disable_stops_dma);
    qtest_add_func("vmqnic/datapath/bus-master-toggle",
                   test_bus_master_toggle);
    qtest_add_func("vmqnic/datapath/rx-burst-one-irq",
                   test_rx_burst_one_irq);
    qtest_add_func("vmqnic/datapath/reset-under-traffic",
                   test_reset_under_traffic);
    qtest_add_func("vmqnic/datapath/bad-rings", test_bad_rings);
    qtest_add_func("vmqnic/datapath/bad-tx-descriptors",
                   test_bad_tx_descriptors);
    qtest_add_func("vmqnic/datapath/intx", test_intx);
    qtest_add_func("vmqnic/datapath/ring-locked", test_ring_locked);
    qtest_add_func("vmqnic/datapath/inactive-pool-tx", test_inactive_pool_tx);

    return g_test_run();
}

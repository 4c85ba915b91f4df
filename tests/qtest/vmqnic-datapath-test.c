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
#include "libqos/pci-pc.h"
#include "libqos/malloc-pc.h"
#include "qemu/bitmap.h"
#include "qemu/timer.h"
#include "qemu/sockets.h"
#include "qemu/iov.h"
#include "hw/pci/pci_regs.h"
#include "hw/net/vmqnic_regs.h"

#define DEVFN           QPCI_DEVFN(4, 0)
#define RING_LEN        64
#define BUF_SIZE        2048

typedef struct Nic {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    QGuestAllocator alloc;
    int sock;               /* the wire: our end of the socketpair */
    uint64_t rx_ring[VMQNIC_MAX_QUEUES];
    uint64_t tx_ring[VMQNIC_MAX_QUEUES];
    uint64_t rx_buf[VMQNIC_MAX_QUEUES];
    uint32_t rx_len[VMQNIC_MAX_QUEUES];
    uint32_t tx_len[VMQNIC_MAX_QUEUES];
} Nic;

static uint32_t rd(Nic *n, uint64_t off)
{
    return qpci_io_readl(n->dev, n->bar, off);
}

static void wr(Nic *n, uint64_t off, uint32_t val)
{
    qpci_io_writel(n->dev, n->bar, off, val);
}

static uint64_t qstat(Nic *n, unsigned q, unsigned s)
{
    uint64_t lo = rd(n, VMQNIC_QSTAT_REG(q, s));

    return lo | (uint64_t)rd(n, VMQNIC_QSTAT_REG(q, s) + 4) << 32;
}

static uint64_t dstat(Nic *n, unsigned s)
{
    uint64_t lo = rd(n, A_STAT_BASE + 8 * s);

    return lo | (uint64_t)rd(n, A_STAT_BASE + 8 * s + 4) << 32;
}

static Nic *nic_start(const char *extra)
{
    Nic *n = g_new0(Nic, 1);
    int sv[2];
    unsigned p;

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    n->sock = sv[0];
    n->qts = qtest_initf("-M q35 -netdev socket,fd=%d,id=hs0 "
                         "-device vmqnic,netdev=hs0,addr=04.0,"
                         "mac=52:54:00:12:34:56%s", sv[1], extra);
    close(sv[1]);
    pc_alloc_init(&n->alloc, n->qts, ALLOC_NO_FLAGS);
    n->bus = qpci_new_pc(n->qts, &n->alloc);
    n->dev = qpci_device_find(n->bus, DEVFN);
    g_assert(n->dev);
    qpci_device_enable(n->dev);
    n->bar = qpci_iomap(n->dev, VMQNIC_MMIO_BAR, NULL);
    qpci_msix_enable(n->dev);

    wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    for (p = 0; p < rd(n, A_NUM_POOLS); p++) {
        wr(n, VMQNIC_POOL_REG(p, A_POOL_CTRL),
           R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_TX_EN_MASK |
           R_POOL_CTRL_ACCEPT_UNTAGGED_MASK | R_POOL_CTRL_ACCEPT_BCAST_MASK);
        wr(n, VMQNIC_POOL_REG(p, A_POOL_MAXFRAME), VMQNIC_MAX_FRAME);
    }
    /* Enable every vector; the MSI-X entries stay masked (PBA shows) */
    for (p = 0; p < VMQNIC_VEC_WORDS; p++) {
        wr(n, A_VEC_IMS + 4 * p, UINT32_MAX);
    }
    return n;
}

static void nic_stop(Nic *n)
{
    close(n->sock);
    qpci_free_pc(n->bus);
    g_free(n->dev);
    alloc_destroy(&n->alloc);
    qtest_quit(n->qts);
    g_free(n);
}

static void queue_setup(Nic *n, unsigned q, int dir, uint32_t len,
                        uint32_t ctrl)
{
    uint64_t ring = guest_alloc(&n->alloc, len * VMQNIC_DESC_SIZE);
    uint64_t base = dir == 0 ? VMQNIC_RXQ_REG(q, 0) : VMQNIC_TXQ_REG(q, 0);

    qtest_memset(n->qts, ring, 0, len * VMQNIC_DESC_SIZE);
    wr(n, base + A_Q_BASE_LO, ring);
    wr(n, base + A_Q_BASE_HI, ring >> 32);
    wr(n, base + A_Q_LEN, len);
    wr(n, base + A_Q_TAIL, 0);
    if (dir == 0) {
        n->rx_ring[q] = ring;
        n->rx_len[q] = len;
        wr(n, base + A_Q_BUFSZ, BUF_SIZE);
        n->rx_buf[q] = guest_alloc(&n->alloc, (uint64_t)len * BUF_SIZE);
    } else {
        n->tx_ring[q] = ring;
        n->tx_len[q] = len;
    }
    wr(n, base + A_Q_CTRL, ctrl | R_Q_CTRL_ENABLE_MASK);
    g_assert_cmphex(rd(n, base + A_Q_STATUS), ==, R_Q_STATUS_ENABLED_MASK);
}

/* Post RX buffers for descriptors [from, to) and move the tail to @to */
static void rx_post(Nic *n, unsigned q, uint32_t from, uint32_t to)
{
    uint32_t i;

    for (i = from; i != to; i = (i + 1) % n->rx_len[q]) {
        VmqnicRxDesc d = {
            .addr = cpu_to_le64(n->rx_buf[q] + (uint64_t)i * BUF_SIZE),
        };
        qtest_memwrite(n->qts, n->rx_ring[q] + i * VMQNIC_DESC_SIZE,
                       &d, sizeof(d));
    }
    wr(n, VMQNIC_RXQ_REG(q, A_Q_TAIL), to % n->rx_len[q]);
}

static VmqnicRxWb rx_wb(Nic *n, unsigned q, uint32_t i)
{
    VmqnicRxWb wb;

    qtest_memread(n->qts, n->rx_ring[q] + i * VMQNIC_DESC_SIZE,
                  &wb, sizeof(wb));
    wb.len = le16_to_cpu(wb.len);
    wb.status = le16_to_cpu(wb.status);
    wb.queue = le16_to_cpu(wb.queue);
    return wb;
}

static void tx_desc(Nic *n, unsigned q, uint32_t i, uint64_t addr,
                    uint16_t len, uint8_t cmd)
{
    VmqnicTxDesc d = {
        .addr = cpu_to_le64(addr),
        .len = cpu_to_le16(len),
        .cmd = cmd,
    };

    qtest_memwrite(n->qts, n->tx_ring[q] + i * VMQNIC_DESC_SIZE,
                   &d, sizeof(d));
}

static uint8_t tx_sta(Nic *n, unsigned q, uint32_t i)
{
    return qtest_readb(n->qts, n->tx_ring[q] + i * VMQNIC_DESC_SIZE +
                       offsetof(VmqnicTxDesc, sta));
}

/*
 * A frame to a MAC that no filter holds: it goes to the default pool,
 * which these tests move around with VMDQ_CTRL.DEF_POOL.
 */
static void make_frame(uint8_t *buf, size_t len, uint32_t tag)
{
    static const uint8_t dst[] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
    size_t i;

    memcpy(buf, dst, 6);
    memcpy(buf + 6, (uint8_t[]){ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }, 6);
    buf[12] = 0x88;
    buf[13] = 0xb5;             /* local experimental ethertype */
    for (i = 14; i < len; i++) {
        buf[i] = (uint8_t)(tag * 7 + i);
    }
    if (len >= 18) {
        stl_be_p(buf + 14, tag);
    }
}

/* The wire sends a frame to the device */
static void wire_send(Nic *n, const uint8_t *buf, size_t len)
{
    uint32_t be = htonl(len);
    struct iovec iov[] = {
        { .iov_base = &be, .iov_len = sizeof(be) },
        { .iov_base = (void *)buf, .iov_len = len },
    };

    g_assert_cmpint(iov_send(n->sock, iov, 2, 0, sizeof(be) + len), ==,
                    sizeof(be) + len);
}

static ssize_t recv_full(int fd, void *buf, size_t len)
{
    return recv(fd, buf, len, MSG_WAITALL);
}

/* The wire receives one frame; returns its length */
static size_t wire_recv(Nic *n, uint8_t *buf, size_t size)
{
    uint32_t be;
    size_t len;

    g_assert_cmpint(recv_full(n->sock, &be, sizeof(be)), ==,
                    sizeof(be));
    len = ntohl(be);
    g_assert_cmpuint(len, <=, size);
    g_assert_cmpint(recv_full(n->sock, buf, len), ==, len);
    return len;
}

/* Wait (stepping the clock a little) until @cond or fail */
#define WAIT_FOR(n, cond) do {                                            \
        gint64 end_ = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;    \
        while (!(cond)) {                                                 \
            g_assert(g_get_monotonic_time() < end_);                      \
            qtest_clock_step((n)->qts, 1000);                             \
        }                                                                 \
    } while (0)

static bool vec_pending(Nic *n, unsigned v)
{
    return qpci_msix_pending(n->dev, v);
}

/* Deliver a pending MSI-X message: unmask the entry, then mask it again */
static void vec_ack(Nic *n, unsigned v)
{
    uint64_t ctrl = n->dev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE +
                    PCI_MSIX_ENTRY_VECTOR_CTRL;

    qpci_io_writel(n->dev, n->dev->msix_table_bar, ctrl, 0);
    qpci_io_writel(n->dev, n->dev->msix_table_bar, ctrl,
                   PCI_MSIX_ENTRY_CTRL_MASKBIT);
    g_assert_false(vec_pending(n, v));
}

static void test_tx_all_queues(void)
{
    Nic *n = nic_start("");
    unsigned nq = rd(n, A_NUM_QUEUES), q, got;
    uint64_t buf = guest_alloc(&n->alloc, 64 * nq);
    unsigned long *seen = bitmap_new(nq);
    uint8_t frame[64];

    for (q = 0; q < nq; q++) {
        queue_setup(n, q, 1, 8, 0);
        make_frame(frame, sizeof(frame), q);
        qtest_memwrite(n->qts, buf + 64 * q, frame, sizeof(frame));
        tx_desc(n, q, 0, buf + 64 * q, sizeof(frame),
                VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
        wr(n, VMQNIC_TXQ_REG(q, A_Q_TAIL), 1);
    }
    for (got = 0; got < nq; got++) {
        uint8_t rx[2048];
        uint32_t tag;

        g_assert_cmpuint(wire_recv(n, rx, sizeof(rx)), ==, sizeof(frame));
        tag = ldl_be_p(rx + 14);
        g_assert_cmpuint(tag, <, nq);
        g_assert_false(test_bit(tag, seen));
        make_frame(frame, sizeof(frame), tag);
        g_assert_cmpmem(rx, sizeof(frame), frame, sizeof(frame));
        set_bit(tag, seen);
    }
    for (q = 0; q < nq; q++) {
        g_assert_cmphex(tx_sta(n, q, 0), ==, VMQNIC_TXD_STA_DD);
        g_assert_cmpuint(rd(n, VMQNIC_TXQ_REG(q, A_Q_HEAD)), ==, 1);
        g_assert_cmpuint(qstat(n, q, VMQNIC_QSTAT_TX_PKTS), ==, 1);
        g_assert_cmpuint(qstat(n, q, VMQNIC_QSTAT_TX_BYTES), ==, 64);
        /* TX completion of queue q signals vector q + 1 (reset map) */
        g_assert_true(vec_pending(n, q + 1));
    }
    g_assert_cmpuint(dstat(n, VMQNIC_STAT_TX_PKTS), ==, nq);
    g_free(seen);
    nic_stop(n);
}

static void test_rx_default_queue(void)
{
    Nic *n = nic_start("");
    uint8_t frame[100], got[100];
    VmqnicRxWb wb;

    queue_setup(n, 0, 0, RING_LEN, 0);
    rx_post(n, 0, 0, RING_LEN - 1);
    make_frame(frame, sizeof(frame), 42);
    wire_send(n, frame, sizeof(frame));
    WAIT_FOR(n, rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 1);

    wb = rx_wb(n, 0, 0);
    g_assert_cmpuint(wb.len, ==, sizeof(frame));
    g_assert_cmphex(wb.status, ==, VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP);
    g_assert_cmpuint(wb.pool, ==, 0);
    g_assert_cmpuint(wb.queue, ==, 0);
    qtest_memread(n->qts, n->rx_buf[0], got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_RX_BYTES), ==, sizeof(frame));
    g_assert_true(vec_pending(n, 1));
    g_assert_cmphex(rd(n, A_RXQ_ICR), ==, 1);
    wr(n, A_RXQ_ICR, 1);
    g_assert_cmphex(rd(n, A_RXQ_ICR), ==, 0);

    /* A runt is padded to 60 bytes, broadcast is flagged */
    memset(frame, 0xff, 6);
    wire_send(n, frame, 20);
    WAIT_FOR(n, rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 2);
    wb = rx_wb(n, 0, 1);
    g_assert_cmpuint(wb.len, ==, VMQNIC_MIN_FRAME);
    g_assert_cmphex(wb.status, ==, VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP |
                    VMQNIC_RXD_STA_BCAST);
    nic_stop(n);
}

static void test_multi_desc(void)
{
    Nic *n = nic_start("");
    const size_t big = 9000;
    g_autofree uint8_t *frame = g_malloc(big);
    g_autofree uint8_t *got = g_malloc(big);
    uint64_t buf = guest_alloc(&n->alloc, big);
    uint32_t i, nd = DIV_ROUND_UP(big, BUF_SIZE);

    /* TX: one 9000-byte frame in three descriptors */
    queue_setup(n, 3, 1, 16, 0);
    make_frame(frame, big, 3);
    qtest_memwrite(n->qts, buf, frame, big);
    tx_desc(n, 3, 0, buf, 1000, 0);
    tx_desc(n, 3, 1, buf + 1000, 5000, 0);
    tx_desc(n, 3, 2, buf + 6000, 3000,
            VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    wr(n, VMQNIC_TXQ_REG(3, A_Q_TAIL), 3);
    g_assert_cmpuint(wire_recv(n, got, big), ==, big);
    g_assert_cmpmem(got, big, frame, big);
    g_assert_cmphex(tx_sta(n, 3, 0), ==, 0);
    g_assert_cmphex(tx_sta(n, 3, 2), ==, VMQNIC_TXD_STA_DD);

    /* RX: the same frame chained over 2048-byte buffers */
    queue_setup(n, 0, 0, 16, 0);
    rx_post(n, 0, 0, 15);
    wire_send(n, frame, big);
    WAIT_FOR(n, rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == nd);
    for (i = 0; i < nd; i++) {
        VmqnicRxWb wb = rx_wb(n, 0, i);
        size_t len = MIN(BUF_SIZE, big - i * BUF_SIZE);

        g_assert_cmpuint(wb.len, ==, len);
        g_assert_cmphex(wb.status & VMQNIC_RXD_STA_DD, ==, VMQNIC_RXD_STA_DD);
        g_assert_cmphex(!!(wb.status & VMQNIC_RXD_STA_EOP), ==, i == nd - 1);
        qtest_memread(n->qts, n->rx_buf[0] + i * BUF_SIZE,
                      got + i * BUF_SIZE, len);
    }
    g_assert_cmpmem(got, big, frame, big);
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    nic_stop(n);
}

static void test_wrap_around(void)
{
    Nic *n = nic_start("");
    const unsigned frames = 3000, len = 8;
    uint64_t buf = guest_alloc(&n->alloc, 64 * len);
    uint8_t frame[64], got[2048];
    unsigned i;

    queue_setup(n, 1, 1, len, 0);
    queue_setup(n, 0, 0, len, 0);
    rx_post(n, 0, 0, len - 1);
    for (i = 0; i < frames; i++) {
        uint32_t slot = i % len;
        uint32_t rslot = i % len;
        VmqnicRxWb wb;

        /* TX one frame */
        make_frame(frame, sizeof(frame), i);
        qtest_memwrite(n->qts, buf + 64 * slot, frame, sizeof(frame));
        tx_desc(n, 1, slot, buf + 64 * slot, sizeof(frame),
                VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
        wr(n, VMQNIC_TXQ_REG(1, A_Q_TAIL), (slot + 1) % len);
        g_assert_cmpuint(wire_recv(n, got, sizeof(got)), ==, sizeof(frame));
        g_assert_cmpuint(ldl_be_p(got + 14), ==, i);

        /* and receive it back */
        wire_send(n, frame, sizeof(frame));
        WAIT_FOR(n, rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == (rslot + 1) % len);
        wb = rx_wb(n, 0, rslot);
        g_assert_cmpuint(wb.len, ==, sizeof(frame));
        qtest_memread(n->qts, n->rx_buf[0] + rslot * BUF_SIZE, got, 64);
        g_assert_cmpuint(ldl_be_p(got + 14), ==, i);
        rx_post(n, 0, (rslot + len - 1) % len, rslot);
    }
    g_assert_cmpuint(qstat(n, 1, VMQNIC_QSTAT_TX_PKTS), ==, frames);
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, frames);
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_RX_DROPS), ==, 0);
    nic_stop(n);
}

/* Steer all received frames to pool @p's first queue (2 queues/pool) */
static void default_pool(Nic *n, unsigned p)
{
    uint32_t v = rd(n, A_VMDQ_CTRL);

    wr(n, A_VMDQ_CTRL, FIELD_DP32(v, VMDQ_CTRL, DEF_POOL, p));
}

static void send_tagged(Nic *n, uint32_t tag)
{
    uint8_t frame[64];

    make_frame(frame, sizeof(frame), tag);
    wire_send(n, frame, sizeof(frame));
}

static void test_ring_full(void)
{
    Nic *n = nic_start("");
    unsigned i;
    uint8_t got[64];

    /* Queue 0 drops when full, queue 2 (pool 1) holds back, 4 (pool 2) */
    queue_setup(n, 0, 0, 8, R_Q_CTRL_DROP_EN_MASK);
    queue_setup(n, 2, 0, 8, 0);
    queue_setup(n, 4, 0, 8, 0);
    rx_post(n, 0, 0, 2);
    rx_post(n, 4, 0, 7);

    default_pool(n, 0);
    for (i = 0; i < 5; i++) {
        send_tagged(n, i);
    }
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_DROPS) == 3);
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 2);

    /* Queue 2 has no buffers: frames wait there ... */
    default_pool(n, 1);
    for (i = 10; i < 13; i++) {
        send_tagged(n, i);
    }
    /* ... while pool 2 keeps receiving */
    default_pool(n, 2);
    send_tagged(n, 99);
    WAIT_FOR(n, qstat(n, 4, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_cmpuint(qstat(n, 2, VMQNIC_QSTAT_RX_PKTS), ==, 0);
    g_assert_cmpuint(qstat(n, 2, VMQNIC_QSTAT_RX_DROPS), ==, 0);

    /* Posting buffers releases the held frames in order */
    rx_post(n, 2, 0, 7);
    g_assert_cmpuint(qstat(n, 2, VMQNIC_QSTAT_RX_PKTS), ==, 3);
    for (i = 0; i < 3; i++) {
        qtest_memread(n->qts, n->rx_buf[2] + i * BUF_SIZE, got, sizeof(got));
        g_assert_cmpuint(ldl_be_p(got + 14), ==, 10 + i);
    }
    g_assert_cmpuint(dstat(n, VMQNIC_STAT_RX_DROPS), ==, 3);
    nic_stop(n);
}

static void test_msix_per_queue(void)
{
    Nic *n = nic_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];

    queue_setup(n, 0, 0, 8, 0);
    queue_setup(n, 5, 1, 8, 0);
    rx_post(n, 0, 0, 7);
    wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | 17);
    wr(n, VMQNIC_TXQ_REG(5, A_Q_VEC), R_Q_VEC_VALID_MASK | 33);

    send_tagged(n, 1);
    WAIT_FOR(n, vec_pending(n, 17));
    g_assert_false(vec_pending(n, 1));
    g_assert_false(vec_pending(n, 33));

    make_frame(frame, sizeof(frame), 5);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    tx_desc(n, 5, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP |
            VMQNIC_TXD_CMD_RS);
    wr(n, VMQNIC_TXQ_REG(5, A_Q_TAIL), 1);
    wire_recv(n, got, sizeof(got));
    WAIT_FOR(n, vec_pending(n, 33));
    g_assert_false(vec_pending(n, 6));

    /* An invalid mapping raises nothing */
    vec_ack(n, 17);
    wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), 17);
    send_tagged(n, 2);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 2);
    g_assert_false(vec_pending(n, 17));
    nic_stop(n);
}

static void test_vector_remap(void)
{
    Nic *n = nic_start("");
    unsigned i;

    queue_setup(n, 0, 0, 64, 0);
    rx_post(n, 0, 0, 63);
    wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | 10);
    for (i = 0; i < 20; i++) {
        unsigned v = i % 2 ? 20 : 10;
        unsigned other = i % 2 ? 10 : 20;

        /* Traffic arrives, then the queue moves to the other CPU */
        send_tagged(n, i);
        WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == i + 1);
        g_assert_true(vec_pending(n, v));
        g_assert_false(vec_pending(n, other));
        vec_ack(n, v);
        wr(n, A_RXQ_ICR, 1);
        wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | other);
        g_assert_false(vec_pending(n, v));
        g_assert_false(vec_pending(n, other));
    }

    /*
     * A completion not yet acknowledged (RXQ_ICR still set) follows the
     * queue to its new vector, so the move loses nothing.
     */
    wr(n, A_VEC_IMC, BIT(10) | BIT(20));
    send_tagged(n, 100);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 21);
    g_assert_false(vec_pending(n, 10));
    wr(n, VMQNIC_RXQ_REG(0, A_Q_VEC), R_Q_VEC_VALID_MASK | 30);
    g_assert_true(vec_pending(n, 30));
    nic_stop(n);
}

static void test_shared_vector(void)
{
    Nic *n = nic_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];
    uint64_t irqs;

    queue_setup(n, 3, 1, 8, 0);
    queue_setup(n, 4, 1, 8, 0);
    wr(n, VMQNIC_TXQ_REG(3, A_Q_VEC), R_Q_VEC_VALID_MASK | 7);
    wr(n, VMQNIC_TXQ_REG(4, A_Q_VEC), R_Q_VEC_VALID_MASK | 7);
    make_frame(frame, sizeof(frame), 0);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    tx_desc(n, 3, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP |
            VMQNIC_TXD_CMD_RS);
    tx_desc(n, 4, 0, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP |
            VMQNIC_TXD_CMD_RS);

    /* Both queues complete in one run of the transmit engine */
    wr(n, A_CTRL, R_CTRL_RX_EN_MASK);
    wr(n, VMQNIC_TXQ_REG(3, A_Q_TAIL), 1);
    wr(n, VMQNIC_TXQ_REG(4, A_Q_TAIL), 1);
    irqs = dstat(n, VMQNIC_STAT_IRQS);
    wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    wire_recv(n, got, sizeof(got));
    wire_recv(n, got, sizeof(got));
    WAIT_FOR(n, vec_pending(n, 7));
    g_assert_cmpuint(dstat(n, VMQNIC_STAT_IRQS) - irqs, ==, 1);
    g_assert_cmphex(rd(n, A_TXQ_ICR), ==, BIT(3) | BIT(4));
    nic_stop(n);
}

static void test_moderation(void)
{
    Nic *n = nic_start("");
    uint64_t irqs;
    unsigned i;

    queue_setup(n, 0, 0, 64, 0);
    rx_post(n, 0, 0, 63);
    wr(n, A_VEC_ITR + 4 * 1, 1000);        /* 1000 us on vector 1 */

    irqs = dstat(n, VMQNIC_STAT_IRQS);
    send_tagged(n, 0);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_cmpuint(dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 1);
    g_assert_true(vec_pending(n, 1));
    vec_ack(n, 1);

    /* Eight more frames inside the interval: no interrupt yet */
    for (i = 1; i <= 8; i++) {
        send_tagged(n, i);
        while (qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) != i + 1) {
            qtest_clock_step(n->qts, 0);
        }
    }
    g_assert_cmpuint(dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 1);
    g_assert_false(vec_pending(n, 1));

    /* When the interval expires they make exactly one interrupt */
    qtest_clock_step(n->qts, 1000 * SCALE_US);
    g_assert_true(vec_pending(n, 1));
    g_assert_cmpuint(dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 2);
    qtest_clock_step(n->qts, 5000 * SCALE_US);
    g_assert_cmpuint(dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 2);

    /* Automask: after firing the vector is disabled until re-enabled */
    vec_ack(n, 1);
    wr(n, A_VEC_ITR + 4 * 1, R_VEC_ITR_AUTOMASK_MASK);
    send_tagged(n, 50);
    WAIT_FOR(n, vec_pending(n, 1));
    g_assert_cmphex(rd(n, A_VEC_IMS) & BIT(1), ==, 0);
    vec_ack(n, 1);
    send_tagged(n, 51);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 11);
    g_assert_false(vec_pending(n, 1));
    wr(n, A_VEC_IMS, BIT(1));               /* re-enable: pending fires */
    g_assert_true(vec_pending(n, 1));
    nic_stop(n);
}

static void test_disable_stops_dma(void)
{
    Nic *n = nic_start("");
    uint8_t before[VMQNIC_DESC_SIZE * 8], after[VMQNIC_DESC_SIZE * 8];

    queue_setup(n, 0, 0, 8, 0);
    rx_post(n, 0, 0, 7);
    send_tagged(n, 1);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);

    wr(n, VMQNIC_RXQ_REG(0, A_Q_CTRL), 0);
    g_assert_cmphex(rd(n, VMQNIC_RXQ_REG(0, A_Q_STATUS)), ==,
                    R_Q_STATUS_STOPPED_MASK);
    qtest_memread(n->qts, n->rx_ring[0], before, sizeof(before));
    send_tagged(n, 2);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_DROPS) == 1);
    qtest_memread(n->qts, n->rx_ring[0], after, sizeof(after));
    g_assert_cmpmem(before, sizeof(before), after, sizeof(after));
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    nic_stop(n);
}

static void test_reset_under_traffic(void)
{
    Nic *n = nic_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64];
    unsigned i;

    queue_setup(n, 0, 0, 8, 0);
    queue_setup(n, 1, 1, 256, 0);
    make_frame(frame, sizeof(frame), 0);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    for (i = 0; i < 255; i++) {
        tx_desc(n, 1, i, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP);
    }
    for (i = 0; i < 20; i++) {
        send_tagged(n, i);      /* held back: no buffers posted */
    }
    wr(n, VMQNIC_TXQ_REG(1, A_Q_TAIL), 255);
    wr(n, A_CTRL, R_CTRL_RST_MASK);
    g_assert_cmphex(rd(n, VMQNIC_TXQ_REG(1, A_Q_STATUS)), ==,
                    R_Q_STATUS_STOPPED_MASK);
    g_assert_cmphex(rd(n, VMQNIC_RXQ_REG(0, A_Q_CTRL)), ==, 0);
    g_assert_cmphex(rd(n, A_CTRL), ==, 0);
    qtest_clock_step(n->qts, 1000000);

    /* The device works again after it is set up anew */
    wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    wr(n, A_VEC_IMS, UINT32_MAX);
    queue_setup(n, 0, 0, 8, 0);
    rx_post(n, 0, 0, 7);
    while (qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 0) {
        send_tagged(n, 1000);
        qtest_clock_step(n->qts, 1000);
    }
    nic_stop(n);
}

static void test_bad_rings(void)
{
    Nic *n = nic_start("");
    uint64_t rx0 = VMQNIC_RXQ_REG(0, 0), tx2 = VMQNIC_TXQ_REG(2, 0);
    uint32_t errs = rd(n, A_ERR_COUNT);

    wr(n, A_MISC_IMS, R_MISC_ICR_QERR_MASK);

    /* Misaligned ring base */
    wr(n, rx0 + A_Q_BASE_LO, 0x100008);
    wr(n, rx0 + A_Q_LEN, 8);
    wr(n, rx0 + A_Q_BUFSZ, BUF_SIZE);
    wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmphex(rd(n, rx0 + A_Q_STATUS), ==,
                    R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    g_assert_cmpuint(rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_BASE);
    g_assert_cmphex(rd(n, A_MISC_ICR) & R_MISC_ICR_QERR_MASK, !=, 0);
    g_assert_true(vec_pending(n, 0));
    g_assert_cmphex(rd(n, A_ERR_INFO), ==, R_ERR_INFO_VALID_MASK |
                    VMQNIC_ERR_BAD_BASE);
    g_assert_cmphex(rd(n, A_ERR_INFO), ==, VMQNIC_ERR_BAD_BASE);

    /* Length not a power of two, too small, too large */
    wr(n, rx0 + A_Q_BASE_LO, 0x100000);
    wr(n, rx0 + A_Q_LEN, 100);
    wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_LEN);
    wr(n, rx0 + A_Q_LEN, 4);
    wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(rd(n, rx0 + A_Q_STATUS) & R_Q_STATUS_ENABLED_MASK, ==,
                     0);
    wr(n, rx0 + A_Q_LEN, 65536);
    wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_LEN);

    /* Bad buffer size */
    wr(n, rx0 + A_Q_LEN, 8);
    wr(n, rx0 + A_Q_BUFSZ, 100);
    wr(n, rx0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    g_assert_cmpuint(rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_BUFSZ);

    /* Tail beyond the ring on a running queue stops it */
    queue_setup(n, 0, 0, 8, 0);
    wr(n, rx0 + A_Q_TAIL, 8);
    g_assert_cmphex(rd(n, rx0 + A_Q_STATUS), ==,
                    R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    g_assert_cmpuint(rd(n, rx0 + A_Q_ERR), ==, VMQNIC_ERR_BAD_TAIL);
    g_assert_cmpuint(rd(n, rx0 + A_Q_CTRL) & R_Q_CTRL_ENABLE_MASK, ==, 0);

    /* A ring outside guest memory: DMA error on the first doorbell */
    wr(n, tx2 + A_Q_BASE_LO, 0);
    wr(n, tx2 + A_Q_BASE_HI, 0xfff00000);
    wr(n, tx2 + A_Q_LEN, 8);
    wr(n, tx2 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    wr(n, tx2 + A_Q_TAIL, 3);
    WAIT_FOR(n, rd(n, tx2 + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
    g_assert_cmpuint(rd(n, tx2 + A_Q_ERR), ==, VMQNIC_ERR_DMA);
    g_assert_cmpuint(rd(n, A_ERR_COUNT), ==, errs + 7);

    /* The other queues keep working */
    queue_setup(n, 0, 0, 8, 0);
    rx_post(n, 0, 0, 7);
    send_tagged(n, 7);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    nic_stop(n);
}

static void test_bad_tx_descriptors(void)
{
    Nic *n = nic_start("");
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];
    unsigned i;

    queue_setup(n, 0, 1, 128, 0);
    make_frame(frame, sizeof(frame), 77);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    /* zero length */
    tx_desc(n, 0, 0, buf, 0, VMQNIC_TXD_CMD_EOP);
    /* buffer outside guest memory (no RS: errors are written back anyway) */
    tx_desc(n, 0, 1, 0xfff0000000000000ULL, 64, VMQNIC_TXD_CMD_EOP);
    /* 64 descriptors without end of packet */
    for (i = 2; i < 66; i++) {
        tx_desc(n, 0, i, buf, 64, 0);
    }
    /* then a good frame */
    tx_desc(n, 0, 66, buf, sizeof(frame),
            VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 67);
    g_assert_cmpuint(wire_recv(n, got, sizeof(got)), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    g_assert_cmphex(tx_sta(n, 0, 0), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR | VMQNIC_ERR_BAD_DESC << 4);
    g_assert_cmphex(tx_sta(n, 0, 1), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR | VMQNIC_ERR_DMA << 4);
    g_assert_cmphex(tx_sta(n, 0, 65), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR | VMQNIC_ERR_BAD_DESC << 4);
    g_assert_cmphex(tx_sta(n, 0, 66), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_TX_ERRS), ==, 3);
    g_assert_cmpuint(qstat(n, 0, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    g_assert_cmpuint(rd(n, VMQNIC_TXQ_REG(0, A_Q_HEAD)), ==, 67);

    /* An incomplete chain waits for the rest of the frame */
    tx_desc(n, 0, 67, buf, 30, 0);
    wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 68);
    qtest_clock_step(n->qts, 1000);
    g_assert_cmpuint(rd(n, VMQNIC_TXQ_REG(0, A_Q_HEAD)), ==, 67);
    tx_desc(n, 0, 68, buf + 30, 34, VMQNIC_TXD_CMD_EOP);
    wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 69);
    wire_recv(n, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    nic_stop(n);
}

static void test_intx(void)
{
    Nic *n = nic_start("");

    /* Leave MSI-X: one shared interrupt with a readable cause */
    qpci_msix_disable(n->dev);
    g_assert_cmpuint(FIELD_EX32(rd(n, A_STATUS), STATUS, INT_MODE), ==,
                     VMQNIC_INT_MODE_INTX);
    queue_setup(n, 0, 0, 8, 0);
    rx_post(n, 0, 0, 7);
    send_tagged(n, 1);
    WAIT_FOR(n, qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_cmphex(rd(n, A_VEC_ICR), ==, BIT(1));
    g_assert_cmphex(rd(n, A_RXQ_ICR), ==, BIT(0));
    wr(n, A_VEC_ICR, BIT(1));
    g_assert_cmphex(rd(n, A_VEC_ICR), ==, 0);
    nic_stop(n);
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
    qtest_add_func("vmqnic/datapath/reset-under-traffic",
                   test_reset_under_traffic);
    qtest_add_func("vmqnic/datapath/bad-rings", test_bad_rings);
    qtest_add_func("vmqnic/datapath/bad-tx-descriptors",
                   test_bad_tx_descriptors);
    qtest_add_func("vmqnic/datapath/intx", test_intx);

    return g_test_run();
}

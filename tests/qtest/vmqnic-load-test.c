/*
 * QTest load test for vmqnic: millions of frames through every pool
 * (each pool transmits to the next one through the internal switch, which
 * receives them), checking that QEMU's memory does not grow once warm;
 * and hot-unplug of a busy device.
 *
 * VMQNIC_LOAD_ROUNDS sets the number of rounds (default 32; each moves
 * 64 x 1023 frames).
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/cutils.h"
#include <sys/socket.h>
#include "libqos/vmqnic-wire.h"
#include "hw/net/vmqnic_regs.h"

#define POOLS           64
#define RING            1024
#define FRAME_LEN       64
/* Growth allowed after warm-up: far below one byte per frame */
#define RSS_SLACK_KB    (4 * 1024)

typedef struct Pool {
    uint64_t rx_ring, tx_ring, rx_buf, tx_buf;
} Pool;

static void pool_mac(uint8_t *mac, unsigned pool)
{
    memcpy(mac, (uint8_t[]){ 0x02, 0x00, 0x00, 0x00, 0x20, pool }, 6);
}

/* VmRSS of the QEMU process, in KiB */
static unsigned long qemu_rss_kb(QTestState *qts)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status",
                                            (int)qtest_pid(qts));
    g_autofree char *status = NULL;
    const char *p, *end;
    unsigned long kb;

    g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
    p = strstr(status, "VmRSS:");
    g_assert_nonnull(p);
    g_assert_cmpint(qemu_strtoul(p + 6, &end, 10, &kb), ==, 0);
    return kb;
}

/* Hand all RX buffers but one of every ring to the device, and TX work */
static void post_round(QVmqnicWire *n, Pool *pools, VmqnicRxDesc *rx_desc)
{
    unsigned p, i;

    for (p = 0; p < POOLS; p++) {
        unsigned q = 2 * p;
        uint32_t rx_head = vw_rd(n, VMQNIC_RXQ_REG(q, A_Q_HEAD));

        for (i = 0; i < RING; i++) {
            rx_desc[i].addr = cpu_to_le64(pools[p].rx_buf);
            rx_desc[i].rsvd = 0;
        }
        qtest_bufwrite(n->qts, pools[p].rx_ring, rx_desc,
                       RING * sizeof(*rx_desc));
        vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_TAIL), (rx_head + RING - 1) % RING);
    }
    /* Only then TX: a pool's frames find the next pool's buffers */
    for (p = 0; p < POOLS; p++) {
        uint32_t tx_head = vw_rd(n, VMQNIC_TXQ_REG(2 * p, A_Q_HEAD));

        vw_wr(n, VMQNIC_TXQ_REG(2 * p, A_Q_TAIL), (tx_head + RING - 1) % RING);
    }
}

static void test_load(void)
{
    QVmqnicWire *n = vw_start(" -m 256M");
    const char *env = g_getenv("VMQNIC_LOAD_ROUNDS");
    unsigned long rounds = 32;
    g_autofree Pool *pools = g_new0(Pool, POOLS);
    g_autofree VmqnicRxDesc *rx_desc = g_new0(VmqnicRxDesc, RING);
    g_autofree VmqnicTxDesc *tx_desc = g_new0(VmqnicTxDesc, RING);
    unsigned long warm_rss = 0, rss = 0;
    uint64_t frames = 0;
    gint64 start = g_get_monotonic_time();
    unsigned p, i, r;

    if (env) {
        g_assert_cmpint(qemu_strtoul(env, NULL, 10, &rounds), ==, 0);
    }

    g_assert_cmpuint(vw_rd(n, A_NUM_POOLS), ==, POOLS);
    vw_wr(n, A_VMDQ_CTRL, vw_rd(n, A_VMDQ_CTRL) | R_VMDQ_CTRL_LOOPBACK_EN_MASK);
    for (p = 0; p < POOLS; p++) {
        unsigned q = 2 * p;
        uint8_t mac[6], frame[FRAME_LEN];
        Pool *pl = &pools[p];

        /* MAC filter p + 1 steers this pool's address to it */
        pool_mac(mac, p);
        vw_wr(n, VMQNIC_MACF_REG(p + 1, A_MACF_LO), ldl_le_p(mac));
        vw_wr(n, VMQNIC_MACF_REG(p + 1, A_MACF_POOLS_LO),
              p < 32 ? BIT(p) : 0);
        vw_wr(n, VMQNIC_MACF_REG(p + 1, A_MACF_POOLS_HI),
              p < 32 ? 0 : BIT(p - 32));
        vw_wr(n, VMQNIC_MACF_REG(p + 1, A_MACF_HI),
              lduw_le_p(mac + 4) | R_MACF_HI_VALID_MASK);

        pl->rx_ring = guest_alloc(&n->alloc, RING * VMQNIC_DESC_SIZE);
        pl->tx_ring = guest_alloc(&n->alloc, RING * VMQNIC_DESC_SIZE);
        pl->rx_buf = guest_alloc(&n->alloc, VW_BUF_SIZE);
        pl->tx_buf = guest_alloc(&n->alloc, FRAME_LEN);

        /* every TX descriptor sends the same frame to the next pool */
        vw_make_frame(frame, sizeof(frame), p);
        pool_mac(frame, (p + 1) % POOLS);
        qtest_memwrite(n->qts, pl->tx_buf, frame, sizeof(frame));
        for (i = 0; i < RING; i++) {
            tx_desc[i] = (VmqnicTxDesc) {
                .addr = cpu_to_le64(pl->tx_buf),
                .len = cpu_to_le16(FRAME_LEN),
                .cmd = VMQNIC_TXD_CMD_EOP |
                       (i % 64 == 63 ? VMQNIC_TXD_CMD_RS : 0),
            };
        }
        qtest_bufwrite(n->qts, pl->tx_ring, tx_desc, RING * sizeof(*tx_desc));

        vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_BASE_LO), pl->rx_ring);
        vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_BASE_HI), pl->rx_ring >> 32);
        vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_LEN), RING);
        vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_BUFSZ), VW_BUF_SIZE);
        vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_CTRL), R_Q_CTRL_ENABLE_MASK);
        vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_BASE_LO), pl->tx_ring);
        vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_BASE_HI), pl->tx_ring >> 32);
        vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_LEN), RING);
        vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    }

    for (r = 0; r < rounds; r++) {
        post_round(n, pools, rx_desc);
        frames += POOLS * (RING - 1);
        WAIT_FOR(n, vw_dstat(n, VMQNIC_STAT_RX_PKTS) == frames);
        g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_TX_PKTS), ==, frames);
        g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_LOOPBACK), ==, frames);
        rss = qemu_rss_kb(n->qts);
        /* the first half warms up (pools, caches, allocator) */
        if (r + 1 == MAX(rounds / 2, 1)) {
            warm_rss = rss;
        }
    }
    /* every pool sent and received its share, nothing was dropped */
    for (p = 0; p < POOLS; p++) {
        g_assert_cmpuint(vw_qstat(n, 2 * p, VMQNIC_QSTAT_RX_PKTS), ==,
                         frames / POOLS);
        g_assert_cmpuint(vw_qstat(n, 2 * p, VMQNIC_QSTAT_TX_PKTS), ==,
                         frames / POOLS);
    }
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_DROPS), ==, 0);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_TX_ERRS), ==, 0);
    g_test_message("%" PRIu64 " frames in %.1f s; QEMU RSS %lu KiB after "
                   "warm-up, %lu KiB at the end", frames,
                   (g_get_monotonic_time() - start) / 1e6, warm_rss, rss);
    g_assert_cmpuint(rss, <=, warm_rss + RSS_SLACK_KB);
    vw_stop(n);
}

/*
 * Hot-unplug with frames held back for a full RX ring and TX work
 * pending: nothing crashes, and (under LeakSanitizer, `make
 * check-sanitizers`) nothing the device allocated outlives it.
 */
static void test_unplug_busy(void)
{
    int sv[2];
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    QGuestAllocator alloc;
    uint64_t ring;
    uint8_t frame[FRAME_LEN];
    unsigned i;

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    qts = qtest_initf("-M pc -netdev socket,fd=%d,id=hs0", sv[1]);
    close(sv[1]);
    qtest_qmp_device_add(qts, "vmqnic", "busy",
                         "{'addr': '0x06', 'netdev': 'hs0', 'queues': 8,"
                         " 'pools': 4}");
    pc_alloc_init(&alloc, qts, ALLOC_NO_FLAGS);
    bus = qpci_new_pc(qts, &alloc);
    dev = qpci_device_find(bus, QPCI_DEVFN(6, 0));
    g_assert_nonnull(dev);
    qpci_device_enable(dev);
    bar = qpci_iomap(dev, VMQNIC_MMIO_BAR, NULL);

    qpci_io_writel(dev, bar, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    qpci_io_writel(dev, bar, VMQNIC_POOL_REG(0, A_POOL_CTRL),
                   R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_TX_EN_MASK |
                   R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    /* RX ring without buffers: frames are held back */
    ring = guest_alloc(&alloc, 64 * VMQNIC_DESC_SIZE);
    qpci_io_writel(dev, bar, VMQNIC_RXQ_REG(0, A_Q_BASE_LO), ring);
    qpci_io_writel(dev, bar, VMQNIC_RXQ_REG(0, A_Q_LEN), 64);
    qpci_io_writel(dev, bar, VMQNIC_RXQ_REG(0, A_Q_BUFSZ), VW_BUF_SIZE);
    qpci_io_writel(dev, bar, VMQNIC_RXQ_REG(0, A_Q_CTRL),
                   R_Q_CTRL_ENABLE_MASK);
    for (i = 0; i < 40; i++) {
        uint32_t be = htonl(sizeof(frame));

        vw_make_frame(frame, sizeof(frame), i);
        g_assert_cmpint(send(sv[0], &be, 4, 0), ==, 4);
        g_assert_cmpint(send(sv[0], frame, sizeof(frame), 0), ==,
                        sizeof(frame));
    }
    while (qpci_io_readl(dev, bar, A_STAT_BASE +
                         8 * VMQNIC_STAT_RX_FRAMES) < 40) {
        qtest_clock_step(qts, 1000);
    }
    g_assert_cmpuint(qpci_io_readl(dev, bar, VMQNIC_QSTAT_REG(0,
                                   VMQNIC_QSTAT_RX_PKTS)), ==, 0);
    /* TX ring whose descriptors point nowhere useful, doorbell rung */
    ring = guest_alloc(&alloc, 64 * VMQNIC_DESC_SIZE);
    qpci_io_writel(dev, bar, VMQNIC_TXQ_REG(1, A_Q_BASE_LO), ring);
    qpci_io_writel(dev, bar, VMQNIC_TXQ_REG(1, A_Q_LEN), 64);
    qpci_io_writel(dev, bar, VMQNIC_TXQ_REG(1, A_Q_CTRL),
                   R_Q_CTRL_ENABLE_MASK);
    qpci_io_writel(dev, bar, VMQNIC_TXQ_REG(1, A_Q_TAIL), 63);

    qpci_unplug_acpi_device_test(qts, "busy", 6);
    g_free(dev);
    qpci_free_pc(bus);
    alloc_destroy(&alloc);
    qtest_quit(qts);
    close(sv[0]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vmqnic/load/all-pools", test_load);
    qtest_add_func("/vmqnic/load/unplug-busy", test_unplug_busy);
    return g_test_run();
}

/*
 * libqos helpers for vmqnic datapath tests (see vmqnic-wire.h)
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qemu/iov.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "vmqnic-wire.h"


uint32_t vw_rd(QVmqnicWire *n, uint64_t off)
{
    return qpci_io_readl(n->dev, n->bar, off);
}

void vw_wr(QVmqnicWire *n, uint64_t off, uint32_t val)
{
    qpci_io_writel(n->dev, n->bar, off, val);
}

uint64_t vw_qstat(QVmqnicWire *n, unsigned q, unsigned s)
{
    uint64_t lo = vw_rd(n, VMQNIC_QSTAT_REG(q, s));

    return lo | (uint64_t)vw_rd(n, VMQNIC_QSTAT_REG(q, s) + 4) << 32;
}

uint64_t vw_dstat(QVmqnicWire *n, unsigned s)
{
    uint64_t lo = vw_rd(n, A_STAT_BASE + 8 * s);

    return lo | (uint64_t)vw_rd(n, A_STAT_BASE + 8 * s + 4) << 32;
}

/* Start QEMU with a vmqnic on the backend @netdev (its id must be hs0) */
static QVmqnicWire *vw_launch_on(const char *netdev, const char *extra)
{
    QVmqnicWire *n = g_new0(QVmqnicWire, 1);

    n->sock = -1;
    n->qts = qtest_initf("-M q35 -netdev %s "
                         "-device vmqnic,netdev=hs0,addr=04.0,"
                         "mac=52:54:00:12:34:56%s", netdev, extra);
    return n;
}

/* Start QEMU with a vmqnic wired to a new socketpair */
static QVmqnicWire *vw_launch(const char *extra)
{
    QVmqnicWire *n;
    g_autofree char *netdev = NULL;
    int sv[2];

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    netdev = g_strdup_printf("socket,fd=%d,id=hs0", sv[1]);
    n = vw_launch_on(netdev, extra);
    n->sock = sv[0];
    close(sv[1]);
    return n;
}

/* Find the device and map its BARs (config space writes only) */
static void vw_attach(QVmqnicWire *n)
{
    pc_alloc_init(&n->alloc, n->qts, ALLOC_NO_FLAGS);
    n->bus = qpci_new_pc(n->qts, &n->alloc);
    n->dev = qpci_device_find(n->bus, VW_DEVFN);
    g_assert(n->dev);
    qpci_device_enable(n->dev);
    n->bar = qpci_iomap(n->dev, VMQNIC_MMIO_BAR, NULL);
    qpci_msix_enable(n->dev);
}

static QVmqnicWire *vw_setup(QVmqnicWire *n)
{
    unsigned p;

    vw_attach(n);
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    for (p = 0; p < vw_rd(n, A_NUM_POOLS); p++) {
        vw_wr(n, VMQNIC_POOL_REG(p, A_POOL_CTRL),
              R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_TX_EN_MASK |
              R_POOL_CTRL_ACCEPT_UNTAGGED_MASK |
              R_POOL_CTRL_ACCEPT_BCAST_MASK);
        vw_wr(n, VMQNIC_POOL_REG(p, A_POOL_MAXFRAME), VMQNIC_MAX_FRAME);
    }
    /* Enable every vector; the MSI-X entries stay masked (PBA shows) */
    for (p = 0; p < DIV_ROUND_UP(vw_rd(n, A_NUM_VECTORS), 32); p++) {
        vw_wr(n, A_VEC_IMS + 4 * p, UINT32_MAX);
    }
    return n;
}

/* A running vmqnic, receive and transmit on, every pool open */
QVmqnicWire *vw_start(const char *extra)
{
    return vw_setup(vw_launch(extra));
}

/* The same on another backend: @netdev is a -netdev argument with id=hs0 */
QVmqnicWire *vw_start_on(const char *netdev, const char *extra)
{
    return vw_setup(vw_launch_on(netdev, extra));
}

static const char *vw_migration_status(QTestState *qts)
{
    QDict *rsp = qtest_qmp_assert_success_ref(qts,
                                              "{'execute': 'query-migrate'}");
    static char status[32];

    g_strlcpy(status, qdict_get_try_str(rsp, "status") ?: "", sizeof(status));
    qobject_unref(rsp);
    return status;
}

/*
 * Live-migrate @src (started with @extra) to a new QEMU with its own
 * wire; @src is stopped and freed.  The guest memory, so the rings and
 * buffers at the addresses @src recorded, comes along.
 */
QVmqnicWire *vw_migrate(QVmqnicWire *src, const char *extra)
{
    g_autofree char *tmp = g_dir_make_tmp("vmqnic-mig-XXXXXX", NULL);
    g_autofree char *sock = g_strdup_printf("%s/sock", tmp);
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree char *args = g_strdup_printf("%s -incoming defer", extra);
    QVmqnicWire *dst = vw_launch(args);
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    qtest_qmp_assert_success(dst->qts,
                             "{'execute': 'migrate-incoming',"
                             " 'arguments': {'uri': %s}}", uri);
    qtest_qmp_assert_success(src->qts,
                             "{'execute': 'migrate',"
                             " 'arguments': {'uri': %s}}", uri);
    while (strcmp(vw_migration_status(dst->qts), "completed")) {
        g_assert_cmpstr(vw_migration_status(dst->qts), !=, "failed");
        g_assert(g_get_monotonic_time() < end);
        g_usleep(5000);
    }
    memcpy(dst->rx_ring, src->rx_ring, sizeof(src->rx_ring));
    memcpy(dst->tx_ring, src->tx_ring, sizeof(src->tx_ring));
    memcpy(dst->rx_buf, src->rx_buf, sizeof(src->rx_buf));
    memcpy(dst->rx_len, src->rx_len, sizeof(src->rx_len));
    memcpy(dst->tx_len, src->tx_len, sizeof(src->tx_len));
    vw_stop(src);
    vw_attach(dst);
    unlink(sock);
    rmdir(tmp);
    return dst;
}

void vw_stop(QVmqnicWire *n)
{
    if (n->sock >= 0) {
        close(n->sock);
    }
    qpci_free_pc(n->bus);
    g_free(n->dev);
    alloc_destroy(&n->alloc);
    qtest_quit(n->qts);
    g_free(n);
}

void vw_queue_setup(QVmqnicWire *n, unsigned q, int dir, uint32_t len,
                    uint32_t ctrl)
{
    uint64_t ring = guest_alloc(&n->alloc, len * VMQNIC_DESC_SIZE);
    uint64_t base = dir == 0 ? VMQNIC_RXQ_REG(q, 0) : VMQNIC_TXQ_REG(q, 0);

    qtest_memset(n->qts, ring, 0, len * VMQNIC_DESC_SIZE);
    vw_wr(n, base + A_Q_BASE_LO, ring);
    vw_wr(n, base + A_Q_BASE_HI, ring >> 32);
    vw_wr(n, base + A_Q_LEN, len);
    vw_wr(n, base + A_Q_TAIL, 0);
    if (dir == 0) {
        n->rx_ring[q] = ring;
        n->rx_len[q] = len;
        vw_wr(n, base + A_Q_BUFSZ, VW_BUF_SIZE);
        n->rx_buf[q] = guest_alloc(&n->alloc, (uint64_t)len * VW_BUF_SIZE);
    } else {
        n->tx_ring[q] = ring;
        n->tx_len[q] = len;
    }
    vw_wr(n, base + A_Q_CTRL, ctrl | R_Q_CTRL_ENABLE_MASK);
    g_assert_cmphex(vw_rd(n, base + A_Q_STATUS), ==, R_Q_STATUS_ENABLED_MASK);
}

/* Post RX buffers for descriptors [from, to) and move the tail to @to */
void vw_rx_post(QVmqnicWire *n, unsigned q, uint32_t from, uint32_t to)
{
    uint32_t i;

    for (i = from; i != to; i = (i + 1) % n->rx_len[q]) {
        VmqnicRxDesc d = {
            .addr = cpu_to_le64(n->rx_buf[q] + (uint64_t)i * VW_BUF_SIZE),
        };
        qtest_memwrite(n->qts, n->rx_ring[q] + i * VMQNIC_DESC_SIZE,
                       &d, sizeof(d));
    }
    vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_TAIL), to % n->rx_len[q]);
}

VmqnicRxWb vw_rx_wb(QVmqnicWire *n, unsigned q, uint32_t i)
{
    VmqnicRxWb wb;

    qtest_memread(n->qts, n->rx_ring[q] + i * VMQNIC_DESC_SIZE,
                  &wb, sizeof(wb));
    wb.len = le16_to_cpu(wb.len);
    wb.status = le16_to_cpu(wb.status);
    wb.queue = le16_to_cpu(wb.queue);
    return wb;
}

void vw_tx_desc(QVmqnicWire *n, unsigned q, uint32_t i, uint64_t addr,
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

uint8_t vw_tx_sta(QVmqnicWire *n, unsigned q, uint32_t i)
{
    return qtest_readb(n->qts, n->tx_ring[q] + i * VMQNIC_DESC_SIZE +
                       offsetof(VmqnicTxDesc, sta));
}

/*
 * A frame to a MAC that no filter holds: it goes to the default pool,
 * which these tests move around with VMDQ_CTRL.DEF_POOL.
 */
void vw_make_frame(uint8_t *buf, size_t len, uint32_t tag)
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
void vw_send(QVmqnicWire *n, const uint8_t *buf, size_t len)
{
    uint32_t be = htonl(len);
    struct iovec iov[] = {
        { .iov_base = &be, .iov_len = sizeof(be) },
        { .iov_base = (void *)buf, .iov_len = len },
    };

    g_assert_cmpint(iov_send(n->sock, iov, 2, 0, sizeof(be) + len), ==,
                    sizeof(be) + len);
}

static ssize_t vw_recv_full(int fd, void *buf, size_t len)
{
    return recv(fd, buf, len, MSG_WAITALL);
}

/* The wire receives one frame; returns its length */
size_t vw_recv(QVmqnicWire *n, uint8_t *buf, size_t size)
{
    uint32_t be;
    size_t len;

    g_assert_cmpint(vw_recv_full(n->sock, &be, sizeof(be)), ==,
                    sizeof(be));
    len = ntohl(be);
    g_assert_cmpuint(len, <=, size);
    g_assert_cmpint(vw_recv_full(n->sock, buf, len), ==, len);
    return len;
}


bool vw_vec_pending(QVmqnicWire *n, unsigned v)
{
    return qpci_msix_pending(n->dev, v);
}

/* Deliver a pending MSI-X message: unmask the entry, then mask it again */
void vw_vec_ack(QVmqnicWire *n, unsigned v)
{
    uint64_t ctrl = n->dev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE +
                    PCI_MSIX_ENTRY_VECTOR_CTRL;

    qpci_io_writel(n->dev, n->dev->msix_table_bar, ctrl, 0);
    qpci_io_writel(n->dev, n->dev->msix_table_bar, ctrl,
                   PCI_MSIX_ENTRY_CTRL_MASKBIT);
    g_assert_false(vw_vec_pending(n, v));
}


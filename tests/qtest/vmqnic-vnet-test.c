/*
 * QTest testcases for vmqnic on a backend that takes a virtio-net header
 * (tap): TSO requests pass to the backend as one frame with a GSO header,
 * the internal switch keeps segmenting in software, frames received from
 * the backend lose their header and a partial checksum is finished.
 *
 * The test makes its own tap in a private network namespace, hands the
 * file descriptor to QEMU, and watches the tap interface with a packet
 * socket that sees the virtio-net header (PACKET_VNET_HDR).  It needs
 * root (CAP_NET_ADMIN) and /dev/net/tun, and is skipped without them.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sched.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/if_ether.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "libqtest.h"
#include "libqos/vmqnic-frames.h"
#include "hw/net/vmqnic_regs.h"
#include "standard-headers/linux/virtio_net.h"

#define RING            64
#define TXQ             1
#define MSS             1000

typedef struct Tap {
    QVmqnicWire *n;
    int fd;                 /* our copy of the tap QEMU uses */
    int pkt;                /* packet socket on the tap interface */
} Tap;

static const char *skip_reason;

/* A network namespace of our own, once, for QEMU and its taps */
static bool tap_usable(void)
{
    static bool tried;

    if (!tried) {
        tried = true;
        if (geteuid() != 0) {
            skip_reason = "needs root for a tap device";
        } else if (access("/dev/net/tun", R_OK | W_OK)) {
            skip_reason = "no /dev/net/tun";
        } else if (unshare(CLONE_NEWNET)) {
            skip_reason = "cannot make a network namespace";
        } else {
            /* no IPv6 chatter from the kernel on the tap */
            g_file_set_contents("/proc/sys/net/ipv6/conf/default/disable_ipv6",
                                "1", 1, NULL);
        }
    }
    if (skip_reason) {
        g_test_skip(skip_reason);
    }
    return !skip_reason;
}

static Tap *tap_start(void)
{
    Tap *t = g_new0(Tap, 1);
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
    struct sockaddr_ll sll = { .sll_family = AF_PACKET,
                               .sll_protocol = htons(ETH_P_ALL) };
    struct timeval tv = { .tv_sec = 5 };
    g_autofree char *netdev = NULL;
    int one = 1, ctl;

    t->fd = open("/dev/net/tun", O_RDWR);
    g_assert_cmpint(t->fd, >=, 0);
    g_strlcpy(ifr.ifr_name, "vmqtap%d", IFNAMSIZ);
    g_assert_cmpint(ioctl(t->fd, TUNSETIFF, &ifr), ==, 0);

    ctl = socket(AF_INET, SOCK_DGRAM, 0);
    ifr.ifr_mtu = 65521;            /* a tap's largest: for oversized frames */
    g_assert_cmpint(ioctl(ctl, SIOCSIFMTU, &ifr), ==, 0);
    g_assert_cmpint(ioctl(ctl, SIOCGIFFLAGS, &ifr), ==, 0);
    ifr.ifr_flags |= IFF_UP;
    g_assert_cmpint(ioctl(ctl, SIOCSIFFLAGS, &ifr), ==, 0);
    close(ctl);

    t->pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    g_assert_cmpint(t->pkt, >=, 0);
    g_assert_cmpint(setsockopt(t->pkt, SOL_PACKET, PACKET_VNET_HDR, &one,
                               sizeof(one)), ==, 0);
    g_assert_cmpint(setsockopt(t->pkt, SOL_SOCKET, SO_RCVTIMEO, &tv,
                               sizeof(tv)), ==, 0);
    sll.sll_ifindex = if_nametoindex(ifr.ifr_name);
    g_assert_cmpint(bind(t->pkt, (struct sockaddr *)&sll, sizeof(sll)), ==, 0);

    netdev = g_strdup_printf("tap,id=hs0,fd=%d", t->fd);
    t->n = vw_start_on(netdev, "");
    vw_queue_setup(t->n, TXQ, 1, RING, 0);
    return t;
}

static void tap_stop(Tap *t)
{
    vw_stop(t->n);
    close(t->pkt);
    close(t->fd);
    g_free(t);
}

/*
 * The next frame QEMU wrote to the tap, with its virtio-net header;
 * returns the frame's length (0 when none came within 5 s).
 */
static size_t tap_recv(Tap *t, struct virtio_net_hdr *vh, uint8_t *buf,
                       size_t size)
{
    for (;;) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof(from);
        struct iovec iov[2] = {
            { .iov_base = vh, .iov_len = sizeof(*vh) },
            { .iov_base = buf, .iov_len = size },
        };
        struct msghdr msg = { .msg_name = &from, .msg_namelen = fl,
                              .msg_iov = iov, .msg_iovlen = 2 };
        ssize_t got = recvmsg(t->pkt, &msg, 0);

        if (got < 0) {
            return 0;
        }
        g_assert_cmpint(got, >=, sizeof(*vh));
        /* only what came from QEMU, and only our frames */
        if (from.sll_pkttype == PACKET_OUTGOING ||
            memcmp(buf + 6, src_mac, 6)) {
            continue;
        }
        return got - sizeof(*vh);
    }
}

/* Put a frame with virtio-net header @vh on the tap, towards QEMU */
static void tap_send(Tap *t, const struct virtio_net_hdr *vh,
                     const uint8_t *f, size_t len)
{
    struct iovec iov[2] = {
        { .iov_base = (void *)vh, .iov_len = sizeof(*vh) },
        { .iov_base = (void *)f, .iov_len = len },
    };

    g_assert_cmpint(writev(t->pkt, iov, 2), ==, sizeof(*vh) + len);
}

/* The folded pseudo-header sum of a frame's IPv4 or IPv6 header */
static uint16_t pseudo_sum(const uint8_t *f, Parsed p, size_t l4len)
{
    uint32_t sum = p.v6 ? sum16(f + p.l3 + 8, 32, 0)
                        : sum16(f + p.l3 + 12, 8, 0);

    return fold(sum + p.proto + l4len);
}

/* TSO goes to the backend as one frame that asks for segmentation */
static void test_tso(bool v6)
{
    Tap *t;
    const size_t plen = 8000;
    g_autofree uint8_t *f = g_malloc(plen + 100);
    g_autofree uint8_t *got = g_malloc(65536);
    struct virtio_net_hdr vh;
    size_t len, glen;
    Parsed p;

    if (!tap_usable()) {
        return;
    }
    t = tap_start();
    len = build(f, v6, 6, plen, 1000000);
    p = parse(f, len);
    g_assert_cmphex(tx_offload(t->n, TXQ, RING, f, len,
                               VMQNIC_TXD_CMD_TSO |
                               (v6 ? 0 : VMQNIC_TXD_CMD_IPCS), MSS, 0),
                    ==, VMQNIC_TXD_STA_DD);

    glen = tap_recv(t, &vh, got, 65536);
    g_assert_cmpuint(glen, ==, len);
    g_assert_cmphex(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM, ==,
                    VIRTIO_NET_HDR_F_NEEDS_CSUM);
    g_assert_cmpuint(vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN, ==,
                     v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
    g_assert_cmpuint(vh.gso_size, ==, MSS);
    g_assert_cmpuint(vh.csum_start, ==, p.l4);
    g_assert_cmpuint(vh.csum_offset, ==, 16);
    /* the TCP checksum field holds the pseudo-header sum */
    g_assert_cmphex(lduw_be_p(got + p.l4 + 16), ==,
                    pseudo_sum(got, p, len - p.l4));
    /* headers (but the checksums) and the payload are the guest's */
    g_assert_cmpmem(got, p.l3 + (v6 ? 40 : 10), f, p.l3 + (v6 ? 40 : 10));
    g_assert_cmpmem(got + p.l4, 16, f + p.l4, 16);
    g_assert_cmpmem(got + p.payload, plen, f + p.payload, plen);
    if (!v6) {
        g_assert_cmphex(fold(sum16(got + p.l3, 20, 0)), ==, 0xffff);
    }
    g_assert_cmpuint(vw_qstat(t->n, TXQ, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    g_assert_cmpuint(vw_qstat(t->n, TXQ, VMQNIC_QSTAT_TX_BYTES), ==, len);
    tap_stop(t);
}

static void test_tso4(void)
{
    test_tso(false);
}

static void test_tso6(void)
{
    test_tso(true);
}

/*
 * With the internal switch on, a segment may be for a local pool, so the
 * device segments itself; each segment goes out with an empty header.
 */
static void test_tso_switch(void)
{
    Tap *t;
    const size_t plen = 4000;
    g_autofree uint8_t *f = g_malloc(plen + 100);
    uint8_t got[2048];
    struct virtio_net_hdr vh;
    size_t len, done = 0;

    if (!tap_usable()) {
        return;
    }
    t = tap_start();
    vw_wr(t->n, A_VMDQ_CTRL,
          vw_rd(t->n, A_VMDQ_CTRL) | R_VMDQ_CTRL_LOOPBACK_EN_MASK);
    len = build(f, false, 6, plen, 7);
    g_assert_cmphex(tx_offload(t->n, TXQ, RING, f, len,
                               VMQNIC_TXD_CMD_TSO | VMQNIC_TXD_CMD_IPCS,
                               MSS, 0), ==, VMQNIC_TXD_STA_DD);
    while (done < plen) {
        size_t glen = tap_recv(t, &vh, got, sizeof(got));
        Parsed p = parse(got, glen);

        g_assert_cmpuint(glen, >, 0);
        g_assert_cmphex(vh.flags, ==, 0);
        g_assert_cmpuint(vh.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);
        check_csums(got, glen);
        g_assert_cmpuint(glen - p.payload, ==, MSS);
        g_assert_cmpuint(ldl_be_p(got + p.l4 + 4), ==, 7 + done);
        done += glen - p.payload;
    }
    tap_stop(t);
}

/* A checksum-only request is finished by the device, header empty */
static void test_csum(void)
{
    Tap *t;
    uint8_t f[256], got[256];
    struct virtio_net_hdr vh;
    size_t len, glen;

    if (!tap_usable()) {
        return;
    }
    t = tap_start();
    len = build(f, true, 17, 100, 1);
    g_assert_cmphex(tx_offload(t->n, TXQ, RING, f, len, VMQNIC_TXD_CMD_L4CS,
                               0, 0), ==, VMQNIC_TXD_STA_DD);
    glen = tap_recv(t, &vh, got, sizeof(got));
    g_assert_cmpuint(glen, ==, len);
    g_assert_cmphex(vh.flags, ==, 0);
    g_assert_cmpuint(vh.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);
    check_csums(got, glen);
    tap_stop(t);
}

/*
 * Received frames lose the backend's header; one whose checksum the
 * backend left partial reaches the guest finished and checked good.
 */
static void test_rx(void)
{
    Tap *t;
    uint8_t f[256], got[256];
    g_autofree uint8_t *big = NULL;
    struct virtio_net_hdr vh = { 0 };
    uint64_t drops;
    unsigned csum_flag = TUN_F_CSUM;
    size_t len;
    Parsed p;
    VmqnicRxWb wb;

    if (!tap_usable()) {
        return;
    }
    t = tap_start();
    vw_queue_setup(t->n, 0, 0, RING, 0);
    vw_rx_post(t->n, 0, 0, RING - 1);

    /* a whole frame: the guest sees exactly the bytes sent */
    len = build(f, false, 17, 80, 1);
    memcpy(f, src_mac, 6);          /* to the device's own address */
    memcpy(f + 6, dst_mac, 6);
    tap_send(t, &vh, f, len);
    WAIT_FOR(t->n, vw_qstat(t->n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    wb = vw_rx_wb(t->n, 0, 0);
    g_assert_cmpuint(wb.len, ==, len);
    qtest_memread(t->n->qts, t->n->rx_buf[0], got, len);
    g_assert_cmpmem(got, len, f, len);

    /*
     * A partial checksum: let the tap hand checksum work to QEMU, send a
     * UDP frame whose checksum field holds only the pseudo-header sum
     */
    g_assert_cmpint(ioctl(t->fd, TUNSETOFFLOAD, csum_flag), ==, 0);
    p = parse(f, len);
    stw_be_p(f + p.l3 + 10, ~fold(sum16(f + p.l3, 20, 0)));
    stw_be_p(f + p.l4 + 6, pseudo_sum(f, p, len - p.l4));
    vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    vh.csum_start = p.l4;
    vh.csum_offset = 6;
    tap_send(t, &vh, f, len);
    WAIT_FOR(t->n, vw_qstat(t->n, 0, VMQNIC_QSTAT_RX_PKTS) == 2);
    wb = vw_rx_wb(t->n, 0, 1);
    g_assert_cmpuint(wb.len, ==, len);
    g_assert_cmphex(wb.status &
                    (VMQNIC_RXD_STA_L4CK | VMQNIC_RXD_STA_L4ERR), ==,
                    VMQNIC_RXD_STA_L4CK);
    qtest_memread(t->n->qts, t->n->rx_buf[0] + VW_BUF_SIZE, got, len);
    check_csums(got, len);

    /*
     * Above MAX_FRAME: refused by classification as from any other
     * backend (RX_ERRS of the queue it was for), not dropped on arrival
     */
    big = g_malloc0(20000);
    memcpy(big, src_mac, 6);
    memcpy(big + 6, dst_mac, 6);
    stw_be_p(big + 12, 0x88b5);
    memset(&vh, 0, sizeof(vh));
    drops = vw_dstat(t->n, VMQNIC_STAT_RX_DROPS);
    tap_send(t, &vh, big, 20000);
    WAIT_FOR(t->n, vw_qstat(t->n, 0, VMQNIC_QSTAT_RX_ERRS) == 1);
    g_assert_cmpuint(vw_dstat(t->n, VMQNIC_STAT_RX_DROPS), ==, drops);
    g_assert_cmpuint(vw_qstat(t->n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 2);
    tap_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("vmqnic/vnet/tso4", test_tso4);
    qtest_add_func("vmqnic/vnet/tso6", test_tso6);
    qtest_add_func("vmqnic/vnet/tso-switch", test_tso_switch);
    qtest_add_func("vmqnic/vnet/csum", test_csum);
    qtest_add_func("vmqnic/vnet/rx", test_rx);
    return g_test_run();
}

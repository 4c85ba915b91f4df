/*
 * QTest testcases for vmqnic offloads: TX IPv4 header checksum, TCP/UDP
 * checksum over IPv4 and IPv6, TSO, VLAN insertion; RX checksum
 * validation; jumbo frames; rejected offload requests.
 *
 * Frames captured at the socket netdev are checked by a parser of this
 * file (its own checksum code, its own TSO reassembly), not by the code
 * the device uses.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/vmqnic-frames.h"
#include "hw/net/vmqnic_regs.h"

#define RING            64
#define TXQ             1
#define MSS             1000

static QVmqnicWire *start(void)
{
    QVmqnicWire *n = vw_start("");

    vw_queue_setup(n, TXQ, 1, RING, 0);
    return n;
}

/* Send one frame from TXQ with the given offload request */
static uint8_t tx(QVmqnicWire *n, const uint8_t *f, size_t len, uint8_t cmd,
                  uint16_t mss, uint16_t vlan)
{
    return tx_offload(n, TXQ, RING, f, len, cmd, mss, vlan);
}

static void test_csum(bool v6, uint8_t proto)
{
    QVmqnicWire *n = start();
    g_autofree uint8_t *f = g_malloc(2048);
    g_autofree uint8_t *got = g_malloc(2048);
    size_t len = build(f, v6, proto, 700, 1), glen;
    uint8_t cmd = VMQNIC_TXD_CMD_L4CS | (v6 ? 0 : VMQNIC_TXD_CMD_IPCS);

    g_assert_cmphex(tx(n, f, len, cmd, 0, 0), ==, VMQNIC_TXD_STA_DD);
    glen = vw_recv(n, got, 2048);
    g_assert_cmpuint(glen, ==, len);
    check_csums(got, glen);
    /* only the checksum fields changed */
    g_assert_cmpmem(got, 24, f, 24);
    vw_stop(n);
}

static void test_csum_tcp4(void)
{
    test_csum(false, 6);
}

static void test_csum_udp4(void)
{
    test_csum(false, 17);
}

static void test_csum_tcp6(void)
{
    test_csum(true, 6);
}

static void test_csum_udp6(void)
{
    test_csum(true, 17);
}

/* Segment 8000 bytes at MSS 1000 and put the stream back together */
static void test_tso(bool v6, bool vlan)
{
    QVmqnicWire *n = start();
    const size_t plen = 8000;
    g_autofree uint8_t *f = g_malloc(plen + 100);
    g_autofree uint8_t *stream = g_malloc(plen);
    uint8_t got[2048];
    size_t len = build(f, v6, 6, plen, 1000000), done = 0;
    unsigned seg = 0;
    Parsed o = parse(f, len);

    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO |
                       (v6 ? 0 : VMQNIC_TXD_CMD_IPCS) |
                       (vlan ? VMQNIC_TXD_CMD_VLE : 0), MSS,
                       vlan ? 0x2064 : 0), ==, VMQNIC_TXD_STA_DD);
    while (done < plen) {
        size_t glen = vw_recv(n, got, sizeof(got));
        Parsed p = parse(got, glen);
        size_t pl = glen - p.payload;

        g_assert_cmpuint(p.tagged, ==, vlan);
        if (vlan) {
            g_assert_cmphex(p.tci, ==, 0x2064);
        }
        check_csums(got, glen);
        g_assert_cmpuint(pl, ==, MIN(MSS, plen - done));
        g_assert_cmpuint(ldl_be_p(got + p.l4 + 4), ==, 1000000 + done);
        if (!v6) {
            g_assert_cmphex(lduw_be_p(got + p.l3 + 4), ==, 0x1234 + seg);
        }
        /* FIN and PSH only on the last segment */
        g_assert_cmphex(got[p.l4 + 13] & 0x09, ==,
                        done + pl == plen ? 0x09 : 0);
        g_assert_cmphex(got[p.l4 + 13] & 0x10, ==, 0x10);
        memcpy(stream + done, got + p.payload, pl);
        done += pl;
        seg++;
    }
    g_assert_cmpuint(seg, ==, plen / MSS);
    g_assert_cmpmem(stream, plen, f + o.payload, plen);
    g_assert_cmpuint(vw_qstat(n, TXQ, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    vw_stop(n);
}

static void test_tso4(void)
{
    test_tso(false, false);
}

/* Congestion-experienced TSO is still TSO */
static void test_tso_ecn(void)
{
    QVmqnicWire *n = start();
    g_autofree uint8_t *f = g_malloc(4000);
    uint8_t got[2048];
    size_t len = build(f, false, 6, 3000, 1);
    unsigned i;

    f[14 + 1] = 0x03;                           /* IP ECN: CE */
    f[34 + 13] |= 0x80;                         /* TCP CWR */
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO | VMQNIC_TXD_CMD_IPCS,
                       MSS, 0), ==, VMQNIC_TXD_STA_DD);
    for (i = 0; i < 3; i++) {
        size_t glen = vw_recv(n, got, sizeof(got));

        check_csums(got, glen);
        /* CWR only on the first segment */
        g_assert_cmphex(got[34 + 13] & 0x80, ==, i ? 0 : 0x80);
    }
    vw_stop(n);
}

static void test_tso6(void)
{
    test_tso(true, false);
}

static void test_tso4_vlan(void)
{
    test_tso(false, true);
}

static void test_tso6_vlan(void)
{
    test_tso(true, true);
}

static void test_vlan_insert(void)
{
    QVmqnicWire *n = start();
    uint8_t f[128], got[256];
    size_t len = build(f, false, 17, 50, 0);

    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_VLE, 0, 0xa07b), ==,
                    VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, len + 4);
    g_assert_cmpmem(got, 12, f, 12);
    g_assert_cmphex(lduw_be_p(got + 12), ==, 0x8100);
    g_assert_cmphex(lduw_be_p(got + 14), ==, 0xa07b);
    g_assert_cmpmem(got + 16, len - 12, f + 12, len - 12);
    vw_stop(n);
}

/* Put an 802.1ad tag (VID 100) and an 802.1Q tag (VID 200) into @f */
static size_t qinq(uint8_t *f, size_t len)
{
    memmove(f + 20, f + 12, len - 12);
    stw_be_p(f + 12, 0x88a8);
    stw_be_p(f + 14, 100);
    stw_be_p(f + 16, 0x8100);
    stw_be_p(f + 18, 200);
    return len + 8;
}

static void test_bad_requests(void)
{
    QVmqnicWire *n = start();
    const uint8_t bad = VMQNIC_TXD_STA_DD | VMQNIC_TXD_STA_ERR |
                        VMQNIC_ERR_BAD_OFFLOAD << VMQNIC_TXD_STA_ERRCODE_SHIFT;
    g_autofree uint8_t *f = g_malloc(VMQNIC_MAX_FRAME + 64);
    uint8_t got[2048];
    size_t len;
    unsigned i;

    len = build(f, false, 6, 3000, 0);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO, 0, 0), ==, bad);
    len = build(f, false, 17, 3000, 0);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO, MSS, 0), ==, bad);
    len = build(f, true, 6, 100, 0);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_IPCS, 0, 0), ==, bad);
    /* checksum request on a frame that is not IP */
    memset(f, 0, 60);
    stw_be_p(f + 12, 0x0806);
    g_assert_cmphex(tx(n, f, 60, VMQNIC_TXD_CMD_L4CS, 0, 0), ==, bad);
    /* headers past the end of the frame */
    len = build(f, false, 6, 0, 0);
    g_assert_cmphex(tx(n, f, 30, VMQNIC_TXD_CMD_L4CS, 0, 0), ==, bad);
    /* a frame over the maximum without TSO */
    len = build(f, false, 17, VMQNIC_MAX_FRAME - 42 + 1, 0);
    g_assert_cmphex(tx(n, f, len, 0, 0, 0), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR |
                    VMQNIC_ERR_TOO_BIG << VMQNIC_TXD_STA_ERRCODE_SHIFT);
    /* TSO without payload; segments longer than the pool's maximum */
    len = build(f, false, 6, 0, 0);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO, MSS, 0), ==, bad);
    /* TSO of a TCP header (data offset 15: 60 bytes) past the frame's end */
    len = build(f, false, 6, 30, 0);
    f[14 + 20 + 12] = 0xf0;
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO, MSS, 0), ==, bad);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME), 1514);
    len = build(f, false, 6, 3000, 0);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO, 1461, 0), ==, bad);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_TSO, 1460, 0), ==,
                    VMQNIC_TXD_STA_DD);
    for (i = 0; i < 3; i++) {
        g_assert_cmpuint(vw_recv(n, got, sizeof(got)), <=, 1514);
    }
    /* checksum of an IPv4 fragment */
    len = build(f, false, 17, 100, 0);
    stw_be_p(f + 14 + 6, 0x2000);               /* more fragments */
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_L4CS, 0, 0), ==, bad);
    /* checksum of a padded frame: bytes after the IP datagram */
    len = build(f, false, 6, 1, 0);
    memset(f + len, 0, 60 - len);
    g_assert_cmphex(tx(n, f, 60, VMQNIC_TXD_CMD_L4CS, 0, 0), ==, bad);
    len = build(f, true, 17, 4, 0);
    memset(f + len, 0, 4);
    g_assert_cmphex(tx(n, f, len + 4, VMQNIC_TXD_CMD_L4CS, 0, 0), ==, bad);
    /* the IPv4 header checksum alone of a padded frame */
    len = build(f, false, 17, 1, 0);
    memset(f + len, 0, 60 - len);
    g_assert_cmphex(tx(n, f, 60, VMQNIC_TXD_CMD_IPCS, 0, 0), ==, bad);
    /* the same checks behind two tags: padding, fragment */
    len = qinq(f, build(f, false, 17, 4, 0));
    memset(f + len, 0, 80 - len);
    g_assert_cmphex(tx(n, f, 80, VMQNIC_TXD_CMD_L4CS, 0, 0), ==, bad);
    len = qinq(f, build(f, false, 17, 100, 0));
    stw_be_p(f + 22 + 6, 0x2000);               /* more fragments */
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_L4CS, 0, 0), ==, bad);
    g_assert_cmpuint(vw_qstat(n, TXQ, VMQNIC_QSTAT_TX_ERRS), ==, 15);

    /* the queue still works, and a short frame without offloads goes */
    len = build(f, false, 17, 20, 0);
    g_assert_cmphex(tx(n, f, 30, 0, 0, 0), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 30);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_L4CS | VMQNIC_TXD_CMD_IPCS,
                       0, 0), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, len);
    check_csums(got, len);
    len = qinq(f, build(f, false, 17, 20, 0));
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_L4CS | VMQNIC_TXD_CMD_IPCS,
                       0, 0), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, len);
    check_csums(got, len);
    vw_stop(n);
}

/* Receive: checksum results in the write-back */
static void test_rx_csum(void)
{
    QVmqnicWire *n = start();
    uint8_t f[256];
    size_t len;
    unsigned i = 0;
    struct {
        bool v6;
        uint8_t proto;
        int corrupt;     /* 0 none, 1 IP header, 2 L4 */
        uint16_t want;
    } tab[] = {
        { false, 6, 0, VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK },
        { false, 17, 0, VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK },
        { true, 6, 0, VMQNIC_RXD_STA_L4CK },
        { true, 17, 0, VMQNIC_RXD_STA_L4CK },
        { false, 6, 1, VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L3ERR |
                       VMQNIC_RXD_STA_L4CK },
        { false, 6, 2, VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK |
                       VMQNIC_RXD_STA_L4ERR },
        { true, 17, 2, VMQNIC_RXD_STA_L4CK | VMQNIC_RXD_STA_L4ERR },
    };
    const uint16_t mask = VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK |
                          VMQNIC_RXD_STA_L3ERR | VMQNIC_RXD_STA_L4ERR;

    vw_queue_setup(n, 0, 0, RING, 0);
    vw_rx_post(n, 0, 0, RING - 1);
    for (i = 0; i < ARRAY_SIZE(tab); i++) {
        uint8_t out[256], ipcs;
        size_t csum_off;
        Parsed p;

        /* let the device fill in good checksums, then break one */
        len = build(f, tab[i].v6, tab[i].proto, 60, 5);
        ipcs = tab[i].v6 ? 0 : VMQNIC_TXD_CMD_IPCS;
        csum_off = tab[i].proto == 6 ? 16 : 6;
        tx(n, f, len, VMQNIC_TXD_CMD_L4CS | ipcs, 0, 0);
        g_assert_cmpuint(vw_recv(n, out, sizeof(out)), ==, len);
        p = parse(out, len);
        if (tab[i].corrupt == 1) {
            out[p.l3 + 10] ^= 0x55;
        } else if (tab[i].corrupt == 2) {
            out[p.l4 + csum_off] ^= 0x55;
        }
        vw_send(n, out, len);
        WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == i + 1);
        g_assert_cmphex(vw_rx_wb(n, 0, i).status & mask, ==, tab[i].want);
    }
    /* not IP: nothing checked */
    memset(f, 0, 60);
    memcpy(f, dst_mac, 6);
    stw_be_p(f + 12, 0x88b5);
    vw_send(n, f, 60);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == i + 1);
    g_assert_cmphex(vw_rx_wb(n, 0, i).status & mask, ==, 0);
    vw_stop(n);
}

/* CRC-32c (Castagnoli, reflected), bit by bit, for SCTP */
static uint32_t crc32c_bits(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffff;
    size_t i;
    int b;

    for (i = 0; i < len; i++) {
        crc ^= p[i];
        for (b = 0; b < 8; b++) {
            crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
        }
    }
    return ~crc;
}

static uint16_t rx_csum_of(QVmqnicWire *n, const uint8_t *f, size_t len,
                           unsigned *count)
{
    vw_send(n, f, len);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == *count + 1);
    return vw_rx_wb(n, 0, (*count)++).status &
           (VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK |
            VMQNIC_RXD_STA_L3ERR | VMQNIC_RXD_STA_L4ERR);
}

/*
 * SCTP's CRC-32c is checked; an SCTP header that the IP headers place
 * past the frame's end (IPv4 header length, IPv6 extension header
 * length) is not, and the frame is delivered like any other.
 */
static void test_rx_sctp(void)
{
    QVmqnicWire *n = start();
    uint8_t f[64] = { 0 };
    uint8_t *ip = f + 14, *sctp = f + 34;
    unsigned count = 0;

    vw_queue_setup(n, 0, 0, RING, 0);
    vw_rx_post(n, 0, 0, RING - 1);

    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    stw_be_p(f + 12, 0x0800);
    ip[0] = 0x45;
    stw_be_p(ip + 2, 20 + 28);
    ip[8] = 64;
    ip[9] = 132;
    stl_be_p(ip + 12, 0x0a000001);
    stl_be_p(ip + 16, 0x0a000002);
    stw_be_p(ip + 10, ~fold(sum16(ip, 20, 0)));
    stw_be_p(sctp, 5000);
    stw_be_p(sctp + 2, 5001);
    stl_be_p(sctp + 4, 0x12345678);
    memset(sctp + 12, 0xa5, 16);
    stl_le_p(sctp + 8, crc32c_bits(sctp, 28));
    g_assert_cmphex(rx_csum_of(n, f, 62, &count), ==,
                    VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK);
    sctp[20] ^= 1;
    g_assert_cmphex(rx_csum_of(n, f, 62, &count), ==,
                    VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK |
                    VMQNIC_RXD_STA_L4ERR);

    /* IPv4 header length 60 bytes, in a 62-byte frame */
    ip[0] = 0x4f;
    g_assert_cmphex(rx_csum_of(n, f, 62, &count) & VMQNIC_RXD_STA_L4CK, ==,
                    0);

    /* IPv6 hop-by-hop header of 2 KiB, next header SCTP, 62 bytes */
    memset(ip, 0, sizeof(f) - 14);
    stw_be_p(f + 12, 0x86dd);
    ip[0] = 0x60;
    stw_be_p(ip + 4, 8);
    ip[6] = 0;                  /* hop-by-hop */
    ip[7] = 64;
    ip[40] = 132;
    ip[41] = 255;
    g_assert_cmphex(rx_csum_of(n, f, 62, &count), ==, 0);
    vw_stop(n);
}

/* The largest frame the device takes, both ways */
static void test_jumbo(void)
{
    QVmqnicWire *n = start();
    const size_t max = VMQNIC_MAX_FRAME;
    g_autofree uint8_t *f = g_malloc(max);
    g_autofree uint8_t *got = g_malloc(max);
    size_t len = build(f, false, 17, max - 42, 0), i, nd;

    g_assert_cmpuint(len, ==, max);
    g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_L4CS | VMQNIC_TXD_CMD_IPCS,
                       0, 0), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_recv(n, got, max), ==, max);
    check_csums(got, max);

    /* with a tag the device inserts, the frame leaves 4 bytes longer */
    {
        g_autofree uint8_t *tagged = g_malloc(max + 4);

        g_assert_cmphex(tx(n, f, len, VMQNIC_TXD_CMD_VLE, 0, 0x0123), ==,
                        VMQNIC_TXD_STA_DD);
        g_assert_cmpuint(vw_recv(n, tagged, max + 4), ==, max + 4);
        g_assert_cmphex(lduw_be_p(tagged + 14), ==, 0x0123);
        g_assert_cmpmem(tagged + 16, max - 12, f + 12, max - 12);
    }

    vw_queue_setup(n, 0, 0, RING, 0);
    vw_rx_post(n, 0, 0, RING - 1);
    vw_send(n, got, max);
    nd = DIV_ROUND_UP(max, VW_BUF_SIZE);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == 1);
    g_assert_cmpuint(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)), ==, nd);
    for (i = 0; i < nd; i++) {
        size_t l = MIN(VW_BUF_SIZE, max - i * VW_BUF_SIZE);

        qtest_memread(n->qts, n->rx_buf[0] + i * VW_BUF_SIZE,
                      f + i * VW_BUF_SIZE, l);
    }
    g_assert_cmpmem(f, max, got, max);
    g_assert_cmphex(vw_rx_wb(n, 0, nd - 1).status &
                    (VMQNIC_RXD_STA_L4CK | VMQNIC_RXD_STA_L4ERR), ==,
                    VMQNIC_RXD_STA_L4CK);
    vw_stop(n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("vmqnic/offload/csum-tcp-ipv4", test_csum_tcp4);
    qtest_add_func("vmqnic/offload/csum-udp-ipv4", test_csum_udp4);
    qtest_add_func("vmqnic/offload/csum-tcp-ipv6", test_csum_tcp6);
    qtest_add_func("vmqnic/offload/csum-udp-ipv6", test_csum_udp6);
    qtest_add_func("vmqnic/offload/tso-ipv4", test_tso4);
    qtest_add_func("vmqnic/offload/tso-ipv6", test_tso6);
    qtest_add_func("vmqnic/offload/tso-ecn", test_tso_ecn);
    qtest_add_func("vmqnic/offload/tso-ipv4-vlan", test_tso4_vlan);
    qtest_add_func("vmqnic/offload/tso-ipv6-vlan", test_tso6_vlan);
    qtest_add_func("vmqnic/offload/vlan-insert", test_vlan_insert);
    qtest_add_func("vmqnic/offload/bad-requests", test_bad_requests);
    qtest_add_func("vmqnic/offload/rx-csum", test_rx_csum);
    qtest_add_func("vmqnic/offload/rx-sctp", test_rx_sctp);
    qtest_add_func("vmqnic/offload/jumbo", test_jumbo);

    return g_test_run();
}

/*
 * QTest testcases for the vmqnic debugging tools: x-query-vmqnic and
 * "info vmqnic" against what the driver programmed, and every fault of
 * x-vmqnic-inject-fault against what a driver sees.  Where the device
 * can produce the same event for real (a DMA error), the injected one
 * is compared with the real one.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/socket.h>
#include "libqtest.h"
#include "libqos/vmqnic-wire.h"
#include "libqos/vmqnic-frames.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "qobject/qjson.h"
#include "qobject/qstring.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "qemu/cutils.h"
#include "hw/net/vmqnic_regs.h"

#define RING            64
#define NO_RAM          (1ULL << 40)    /* no memory there: DMA fails */

/* QMP */

static QDict *query(QVmqnicWire *n)
{
    return qtest_qmp_assert_success_ref(n->qts,
        "{'execute': 'x-query-vmqnic', 'arguments': {'id': 'nic0'}}");
}

static void clear_faults(QVmqnicWire *n)
{
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-clear-faults', 'arguments': {'id': 'nic0'}}");
}

static QDict *nth(QList *list, unsigned i)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        if (!i--) {
            return qobject_to(QDict, qlist_entry_obj(e));
        }
    }
    g_assert_not_reached();
}

/* Element of @list whose member "index" is @index */
static QDict *by_index(QList *list, int64_t index)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(d, "index") == index) {
            return d;
        }
    }
    g_assert_not_reached();
}

static QDict *ring(QDict *info, unsigned q, const char *dir)
{
    return qdict_get_qdict(nth(qdict_get_qlist(info, "queues"), q), dir);
}

static QDict *qcounters(QDict *info, unsigned q)
{
    return qdict_get_qdict(nth(qdict_get_qlist(info, "queues"), q),
                           "counters");
}

/* A list of numbers or strings as "a b c" */
static char *list_str(QList *list)
{
    GString *s = g_string_new(NULL);
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        QObject *o = qlist_entry_obj(e);

        if (s->len) {
            g_string_append_c(s, ' ');
        }
        if (qobject_type(o) == QTYPE_QSTRING) {
            g_string_append(s, qstring_get_str(qobject_to(QString, o)));
        } else {
            g_string_append_printf(s, "%" PRId64,
                                   qnum_get_int(qobject_to(QNum, o)));
        }
    }
    return g_string_free(s, false);
}

static void assert_list(QDict *d, const char *key, const char *want)
{
    g_autofree char *got = list_str(qdict_get_qlist(d, key));

    g_assert_cmpstr(got, ==, want);
}

static uint64_t fault_events(QVmqnicWire *n, const char *what)
{
    QDict *info = query(n);
    uint64_t v = qdict_get_int(qdict_get_qdict(info, "fault-events"), what);

    qobject_unref(info);
    return v;
}

static unsigned active_faults(QVmqnicWire *n)
{
    QDict *info = query(n);
    unsigned count = qlist_size(qdict_get_qlist(info, "faults"));

    qobject_unref(info);
    return count;
}

/* Device and wire */

static QVmqnicWire *start(void)
{
    return vw_start(",id=nic0");
}

static void rx_setup(QVmqnicWire *n, unsigned q)
{
    vw_queue_setup(n, q, 0, RING, 0);
    vw_rx_post(n, q, 0, RING - 1);
}

/* Nothing was sent on the wire (after letting the device run) */
static bool wire_idle(QVmqnicWire *n)
{
    uint8_t b;

    qtest_clock_step(n->qts, 100 * SCALE_US);
    return recv(n->sock, &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
           (errno == EAGAIN || errno == EWOULDBLOCK);
}

static void send_tag(QVmqnicWire *n, uint32_t tag, size_t len)
{
    uint8_t f[256];

    g_assert_cmpuint(len, <=, sizeof(f));
    vw_make_frame(f, len, tag);
    vw_send(n, f, len);
}

/* Post one @len-byte frame in TX descriptor @i of queue @q */
static void tx_post(QVmqnicWire *n, unsigned q, uint32_t i, uint64_t addr,
                    size_t len)
{
    vw_tx_desc(n, q, i, addr, len, VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_TAIL), (i + 1) % n->tx_len[q]);
}

static uint64_t tx_buf(QVmqnicWire *n, uint32_t tag, size_t len)
{
    uint64_t buf = guest_alloc(&n->alloc, len);
    uint8_t f[256];

    vw_make_frame(f, len, tag);
    qtest_memwrite(n->qts, buf, f, len);
    return buf;
}

static uint32_t err_where(unsigned q, bool tx)
{
    return q << R_ERR_INFO_QUEUE_SHIFT | (tx ? R_ERR_INFO_TX_MASK : 0);
}

static void assert_err_info(QVmqnicWire *n, unsigned code, uint32_t where)
{
    g_assert_cmphex(vw_rd(n, A_ERR_INFO), ==, R_ERR_INFO_VALID_MASK |
                    code << R_ERR_INFO_CODE_SHIFT | where);
}

/* IPv4/UDP frame with correct checksums and @plen payload bytes */
static uint32_t csum_add(const uint8_t *p, size_t len, uint32_t sum)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += lduw_be_p(p + i);
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum;
}

static size_t udp_frame(uint8_t *f, size_t plen, uint8_t tag)
{
    size_t i;
    uint16_t csum;

    memset(f, 0, 42 + plen);
    memcpy(f, (uint8_t[]){ 0x02, 0, 0, 0, 0, 0x01 }, 6);
    memcpy(f + 6, (uint8_t[]){ 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc }, 6);
    stw_be_p(f + 12, 0x0800);
    f[14] = 0x45;
    stw_be_p(f + 16, 28 + plen);
    f[22] = 64;
    f[23] = 17;
    stl_be_p(f + 26, 0x0a000001);
    stl_be_p(f + 30, 0x0a000002);
    stw_be_p(f + 24, csum_fold(csum_add(f + 14, 20, 0)));
    stw_be_p(f + 34, 40000);
    stw_be_p(f + 36, 5001);
    stw_be_p(f + 38, 8 + plen);
    for (i = 0; i < plen; i++) {
        f[42 + i] = tag + i * 7;
    }
    csum = csum_fold(csum_add(f + 34, 8 + plen,
                              csum_add(f + 26, 8, 17 + 8 + plen)));
    stw_be_p(f + 40, csum ? csum : 0xffff);
    return 42 + plen;
}

/* Inspection */

static void test_query(void)
{
    QVmqnicWire *n = start();
    static const uint8_t mac5[6] = { 0x02, 0, 0, 0, 0, 0x05 };
    uint64_t buf = tx_buf(n, 9, 80);
    uint8_t got[256];
    QDict *info, *r, *d;
    unsigned i;

    /* Traffic: three frames into RX queue 0, two out of TX queue 1 */
    rx_setup(n, 0);
    vw_queue_setup(n, 1, 1, 16, 0);
    for (i = 0; i < 3; i++) {
        send_tag(n, i, 100 + 50 * i);
    }
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 3);
    vw_tx_desc(n, 1, 0, buf, 80, VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    tx_post(n, 1, 1, buf, 80);
    vw_recv(n, got, sizeof(got));
    vw_recv(n, got, sizeof(got));

    /* Tables and settings */
    vw_wr(n, VMQNIC_MACF_REG(5, A_MACF_LO), ldl_le_p(mac5));
    vw_wr(n, VMQNIC_MACF_REG(5, A_MACF_HI),
          lduw_le_p(mac5 + 4) | R_MACF_HI_VALID_MASK);
    vw_wr(n, VMQNIC_MACF_REG(5, A_MACF_POOLS_LO), BIT(1) | BIT(3));
    vw_wr(n, VMQNIC_MACF_REG(5, A_MACF_VLAN),
          VMQNIC_MACF_VLAN_EXACT << R_MACF_VLAN_MODE_SHIFT | 100);
    vw_wr(n, VMQNIC_VLANF_REG(2, A_VLANF_POOLS_LO), BIT(4));
    vw_wr(n, VMQNIC_VLANF_REG(2, A_VLANF_CTRL), R_VLANF_CTRL_VALID_MASK | 200);
    vw_wr(n, VMQNIC_RXQ_REG(1, A_Q_VEC), R_Q_VEC_VALID_MASK | 7);
    vw_wr(n, A_VEC_ITR + 4 * 7, R_VEC_ITR_AUTOMASK_MASK | 50);
    vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_CTRL),
          R_POOL_CTRL_RSS_EN_MASK | R_POOL_CTRL_RX_EN_MASK);
    vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_RSS_TYPES),
          R_POOL_RSS_TYPES_IPV4_MASK | R_POOL_RSS_TYPES_TCP_IPV4_MASK);
    vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_RSS_KEY), 0x11223344);
    vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_RETA), 0x00010001);
    vw_wr(n, VMQNIC_POOL_VLAN_REG(3, 3), BIT(4));
    vw_wr(n, A_MTA + 4, BIT(3));
    vw_wr(n, A_MISC_IMS, R_MISC_ICR_LINK_MASK);
    /* A refused Q_VEC write records an error for TX queue 1 */
    vw_wr(n, VMQNIC_TXQ_REG(1, A_Q_VEC), R_Q_VEC_VALID_MASK | 999);

    info = query(n);
    g_assert_cmpstr(qdict_get_str(info, "path"), ==,
                    "/machine/peripheral/nic0");
    g_assert_cmpstr(qdict_get_str(info, "mac"), ==, "52:54:00:12:34:56");
    g_assert_cmpstr(qdict_get_str(info, "interrupt-mode"), ==, "msix");
    g_assert_true(qdict_get_bool(info, "link-up"));
    g_assert_true(qdict_get_bool(info, "rx-enabled"));

    /* RX ring 0 after three frames */
    r = ring(info, 0, "rx");
    g_assert_cmphex(qdict_get_int(r, "base"), ==, n->rx_ring[0]);
    g_assert_cmpuint(qdict_get_int(r, "size"), ==, RING);
    g_assert_cmpuint(qdict_get_int(r, "head"), ==,
                     vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)));
    g_assert_cmpuint(qdict_get_int(r, "tail"), ==, RING - 1);
    g_assert_true(qdict_get_bool(r, "running"));
    g_assert_false(qdict_get_bool(r, "dma-stopped"));
    g_assert_cmpuint(qdict_get_int(r, "buffer-size"), ==, VW_BUF_SIZE);
    g_assert_cmpuint(qdict_get_int(r, "vector"), ==, 1);
    g_assert_cmpint(qdict_get_bool(r, "interrupt-pending"), ==,
                    vw_rd(n, A_RXQ_ICR) & 1);
    g_assert_cmpstr(qdict_get_str(r, "error-code"), ==, "none");
    d = qcounters(info, 0);
    g_assert_cmpuint(qdict_get_int(d, "rx-pkts"), ==,
                     vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS));
    g_assert_cmpuint(qdict_get_int(d, "rx-pkts"), ==, 3);
    g_assert_cmpuint(qdict_get_int(d, "rx-bytes"), ==, 100 + 150 + 200);

    /* TX ring 1 after two frames; RX ring 1 never enabled */
    r = ring(info, 1, "tx");
    g_assert_cmphex(qdict_get_int(r, "base"), ==, n->tx_ring[1]);
    g_assert_cmpuint(qdict_get_int(r, "size"), ==, 16);
    g_assert_cmpuint(qdict_get_int(r, "head"), ==, 2);
    g_assert_cmpuint(qdict_get_int(r, "tail"), ==, 2);
    g_assert_cmpuint(qdict_get_int(r, "vector"), ==, 2);
    g_assert_false(qdict_haskey(r, "buffer-size"));
    g_assert_cmpuint(qdict_get_int(qcounters(info, 1), "tx-pkts"), ==, 2);
    r = ring(info, 1, "rx");
    g_assert_false(qdict_get_bool(r, "running"));
    g_assert_true(qdict_get_bool(r, "dma-stopped"));
    g_assert_cmpuint(qdict_get_int(r, "vector"), ==, 7);
    g_assert_cmpuint(qdict_get_int(nth(qdict_get_qlist(info, "queues"), 1),
                                   "pool"), ==, 0);

    /* Queue-to-vector map and moderation */
    d = nth(qdict_get_qlist(info, "vectors"), 7);
    g_assert_cmpuint(qdict_get_int(d, "vector"), ==, 7);
    assert_list(d, "rx-queues", "1 6");     /* 6: the reset mapping */
    assert_list(d, "tx-queues", "6");
    g_assert_cmpuint(qdict_get_int(d, "interval-us"), ==, 50);
    g_assert_true(qdict_get_bool(d, "automask"));
    g_assert_true(qdict_get_bool(d, "enabled"));
    d = nth(qdict_get_qlist(info, "vectors"), 2);
    assert_list(d, "rx-queues", "");
    assert_list(d, "tx-queues", "1");
    g_assert_true(qdict_get_bool(nth(qdict_get_qlist(info, "vectors"), 0),
                                 "misc"));
    assert_list(qdict_get_qdict(info, "misc"), "enabled", "link");

    /* Filters, pools, VMDq */
    d = by_index(qdict_get_qlist(info, "mac-filters"), 5);
    g_assert_cmpstr(qdict_get_str(d, "mac"), ==, "02:00:00:00:00:05");
    assert_list(d, "pools", "1 3");
    g_assert_cmpstr(qdict_get_str(d, "vlan-mode"), ==, "exact");
    g_assert_cmpuint(qdict_get_int(d, "vid"), ==, 100);
    d = by_index(qdict_get_qlist(info, "mac-filters"), 0);
    g_assert_cmpstr(qdict_get_str(d, "mac"), ==, "52:54:00:12:34:56");
    g_assert_cmpstr(qdict_get_str(d, "vlan-mode"), ==, "any");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(info, "mac-filters")), ==, 2);
    d = by_index(qdict_get_qlist(info, "vlan-filters"), 2);
    g_assert_cmpuint(qdict_get_int(d, "vid"), ==, 200);
    assert_list(d, "pools", "4");
    d = nth(qdict_get_qlist(info, "pools"), 2);
    assert_list(d, "flags", "rss-en rx-en");
    g_assert_cmpuint(qdict_get_int(d, "first-queue"), ==, 4);
    g_assert_cmpuint(qdict_get_int(d, "queue-count"), ==, 2);
    d = qdict_get_qdict(d, "rss");
    assert_list(d, "types", "ipv4 tcp-ipv4");
    g_assert_true(g_str_has_prefix(qdict_get_str(d, "key"), "4433221100"));
    g_assert_cmpuint(qlist_size(qdict_get_qlist(d, "reta")), ==,
                     VMQNIC_RSS_RETA_SIZE);
    g_assert_cmpuint(qnum_get_int(qobject_to(QNum, qlist_peek(
                         qdict_get_qlist(d, "reta")))), ==, 1);
    g_assert_false(qdict_haskey(nth(qdict_get_qlist(info, "pools"), 1),
                                "rss"));
    assert_list(nth(qdict_get_qlist(info, "pools"), 3), "vlans", "100");
    assert_list(qdict_get_qdict(info, "vmdq"), "multicast-hash", "35");
    g_assert_cmpuint(qdict_get_int(qdict_get_qdict(info, "vmdq"),
                                   "queues-per-pool"), ==, 2);

    /* Counters as the registers give them */
    d = qdict_get_qdict(info, "counters");
    g_assert_cmpuint(qdict_get_int(d, "rx-pkts"), ==,
                     vw_dstat(n, VMQNIC_STAT_RX_PKTS));
    g_assert_cmpuint(qdict_get_int(d, "tx-pkts"), ==,
                     vw_dstat(n, VMQNIC_STAT_TX_PKTS));
    g_assert_cmpuint(qdict_get_int(d, "tx-pkts"), ==, 2);
    g_assert_cmpuint(qdict_get_int(d, "rx-frames"), ==, 3);
    g_assert_cmpuint(qdict_get_int(d, "guest-errs"), ==,
                     vw_dstat(n, VMQNIC_STAT_GUEST_ERRS));

    /* The last error, and the query did not consume ERR_INFO.VALID */
    d = qdict_get_qdict(info, "last-error");
    g_assert_true(qdict_get_bool(d, "valid"));
    g_assert_cmpstr(qdict_get_str(d, "code"), ==, "bad-vector");
    g_assert_cmpuint(qdict_get_int(d, "queue"), ==, 1);
    g_assert_cmpstr(qdict_get_str(d, "direction"), ==, "tx");
    g_assert_cmpuint(qdict_get_int(info, "error-count"), ==,
                     vw_rd(n, A_ERR_COUNT));
    g_assert_cmpuint(qlist_size(qdict_get_qlist(info, "faults")), ==, 0);
    qobject_unref(info);
    assert_err_info(n, VMQNIC_ERR_BAD_VECTOR, err_where(1, true));

    /* One device: the id may be left out; a wrong id is an error */
    info = qtest_qmp_assert_success_ref(n->qts,
                                        "{'execute': 'x-query-vmqnic'}");
    g_assert_cmpstr(qdict_get_str(info, "path"), ==,
                    "/machine/peripheral/nic0");
    g_assert_false(qdict_get_bool(qdict_get_qdict(info, "last-error"),
                                  "valid"));
    qobject_unref(info);
    info = qtest_qmp(n->qts, "{'execute': 'x-query-vmqnic',"
                     " 'arguments': {'id': 'nic1'}}");
    g_assert_true(qdict_haskey(info, "error"));
    qobject_unref(info);
    vw_stop(n);
}

/* An HMP command's output, without the monitor's carriage returns */
static char *hmp(QVmqnicWire *n, const char *cmd)
{
    char *out = qtest_hmp(n->qts, "%s", cmd);
    char *r, *w;

    for (r = w = out; *r; r++) {
        if (*r != '\r') {
            *w++ = *r;
        }
    }
    *w = 0;
    return out;
}

static void test_hmp(void)
{
    QVmqnicWire *n = start();
    g_autofree char *rx = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *bad = NULL;

    rx_setup(n, 0);
    send_tag(n, 1, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 1);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'queue-stall', 'queue': 3, 'direction': 'tx'}}");

    out = hmp(n, "info vmqnic nic0");
    rx = g_strdup_printf("    rx: base 0x%" PRIx64 " size %u head 1 tail %u"
                         " running bufsz %u vector 1 icr\n", n->rx_ring[0],
                         RING, RING - 1, VW_BUF_SIZE);
    g_assert_true(g_str_has_prefix(out, "/machine/peripheral/nic0: mac "
                                   "52:54:00:12:34:56, link up, msix,"));
    g_assert_nonnull(strstr(out, "  queue 0 (pool 0):\n"));
    g_assert_nonnull(strstr(out, rx));
    g_assert_nonnull(strstr(out, "    rx 1 pkts 64 bytes 0 drops 0 errs, "
                            "tx 0 pkts 0 bytes 0 drops 0 errs\n"));
    g_assert_nonnull(strstr(out, "  queue 3 (pool 1):\n"));
    g_assert_nonnull(strstr(out, "  fault queue-stall: tx queue 3\n"));
    g_assert_null(strstr(out, "  queue 2 "));   /* idle queues are left out */
    g_assert_nonnull(strstr(out, "  pool 0: queues 0-1,"));
    /* the vectors of the queues shown, and the misc vector */
    g_assert_nonnull(strstr(out, "  vector 1: enabled, itr 0 us, rx 0, "
                            "tx 0\n"));
    g_assert_nonnull(strstr(out, "  vector 4: enabled, itr 0 us, rx 3, "
                            "tx 3\n"));
    g_assert_nonnull(strstr(out, "  vector 0: enabled, itr 0 us, misc\n"));
    g_assert_null(strstr(out, "  vector 2:"));
    g_assert_nonnull(strstr(out, "  mac filter 0: 52:54:00:12:34:56 any -> "
                            "pools 0\n"));

    out2 = hmp(n, "info vmqnic");
    g_assert_cmpstr(out, ==, out2);
    bad = hmp(n, "info vmqnic nic7");
    g_assert_nonnull(strstr(bad, "'nic7' is not a vmqnic device"));
    vw_stop(n);
}

/* DMA errors */

/*
 * An RX buffer whose write fails: injected on queue 0, real (buffer
 * outside RAM) on queue 2.  The driver must see the same.
 */
static void test_dma_rx_buffer(void)
{
    QVmqnicWire *n = start();
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    VmqnicRxWb inj, real;
    VmqnicRxDesc bad = { .addr = cpu_to_le64(NO_RAM) };
    uint8_t data[64];

    rx_setup(n, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'dma-error', 'queue': 0, 'direction': 'rx'}}");
    send_tag(n, 1, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 1);
    inj = vw_rx_wb(n, 0, 0);
    g_assert_cmphex(inj.status & VMQNIC_RXD_STA_ERR, ==, VMQNIC_RXD_STA_ERR);
    g_assert_cmpuint(inj.errcode, ==, VMQNIC_ERR_DMA);
    qtest_memread(n->qts, n->rx_buf[0], data, sizeof(data));
    g_assert_true(buffer_is_zero(data, sizeof(data)));     /* not written */
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_ERRS), ==, 1);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 0);
    assert_err_info(n, VMQNIC_ERR_DMA, err_where(0, false));
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, ++count);
    g_assert_cmphex(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_STATUS)), ==,
                    R_Q_STATUS_ENABLED_MASK);
    g_assert_true(vw_vec_pending(n, 1));
    vw_vec_ack(n, 1);

    /* Used up: the next frame is fine */
    g_assert_cmpuint(active_faults(n), ==, 0);
    g_assert_cmpuint(fault_events(n, "dma-errors"), ==, 1);
    send_tag(n, 2, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 2);
    g_assert_cmphex(vw_rx_wb(n, 0, 1).status & VMQNIC_RXD_STA_ERR, ==, 0);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);

    /* The real thing, on queue 2 (pool 1, the default pool now) */
    vw_queue_setup(n, 2, 0, RING, 0);
    qtest_memwrite(n->qts, n->rx_ring[2], &bad, sizeof(bad));
    vw_wr(n, VMQNIC_RXQ_REG(2, A_Q_TAIL), 1);
    vw_wr(n, A_VMDQ_CTRL, vw_rd(n, A_VMDQ_CTRL) |
          1 << R_VMDQ_CTRL_DEF_POOL_SHIFT);
    send_tag(n, 3, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(2, A_Q_HEAD)) == 1);
    real = vw_rx_wb(n, 2, 0);
    g_assert_cmphex(real.status, ==, inj.status);
    g_assert_cmpuint(real.errcode, ==, inj.errcode);
    g_assert_cmpuint(real.len, ==, inj.len);
    g_assert_cmpuint(vw_qstat(n, 2, VMQNIC_QSTAT_RX_ERRS), ==, 1);
    assert_err_info(n, VMQNIC_ERR_DMA, err_where(2, false));
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, ++count);
    g_assert_true(vw_vec_pending(n, 3));
    vw_stop(n);
}

/* A TX buffer read that fails: two frames of queue 0, then a real one */
static void test_dma_tx_buffer(void)
{
    QVmqnicWire *n = start();
    uint64_t buf = tx_buf(n, 5, 64);
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint8_t sta = VMQNIC_TXD_STA_DD | VMQNIC_TXD_STA_ERR |
                  VMQNIC_ERR_DMA << VMQNIC_TXD_STA_ERRCODE_SHIFT;
    uint8_t got[256];
    unsigned i;

    vw_queue_setup(n, 0, 1, 16, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'dma-error', 'queue': 0, 'direction': 'tx',"
        " 'target': 'buffer', 'count': 2}}");
    for (i = 0; i < 3; i++) {
        tx_post(n, 0, i, buf, 64);
        WAIT_FOR(n, vw_tx_sta(n, 0, i) & VMQNIC_TXD_STA_DD);
    }
    g_assert_cmphex(vw_tx_sta(n, 0, 0), ==, sta);
    g_assert_cmphex(vw_tx_sta(n, 0, 1), ==, sta);
    g_assert_cmphex(vw_tx_sta(n, 0, 2), ==, VMQNIC_TXD_STA_DD);
    /* only the third frame reached the wire */
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 64);
    g_assert_true(wire_idle(n));
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_ERRS), ==, 2);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    assert_err_info(n, VMQNIC_ERR_DMA, err_where(0, true));
    count += 2;
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, count);
    g_assert_cmpuint(fault_events(n, "dma-errors"), ==, 2);

    /* The real thing: a buffer outside RAM */
    tx_post(n, 0, 3, NO_RAM, 64);
    WAIT_FOR(n, vw_tx_sta(n, 0, 3) & VMQNIC_TXD_STA_DD);
    g_assert_cmphex(vw_tx_sta(n, 0, 3), ==, sta);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_ERRS), ==, 3);
    assert_err_info(n, VMQNIC_ERR_DMA, err_where(0, true));
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, ++count);
    vw_stop(n);
}

/*
 * A descriptor fetch that fails stops the ring: injected on TX queue 0
 * and RX queue 0, real (ring outside RAM) on TX queue 1; then the
 * driver's recovery (enable the ring again) works.
 */
static void test_dma_descriptor(void)
{
    QVmqnicWire *n = start();
    uint64_t buf = tx_buf(n, 6, 64);
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    const uint32_t stopped = R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK;
    uint64_t txq0 = VMQNIC_TXQ_REG(0, 0), txq1 = VMQNIC_TXQ_REG(1, 0);
    uint8_t got[256];

    vw_wr(n, A_MISC_IMS, R_MISC_ICR_QERR_MASK);
    vw_queue_setup(n, 0, 1, 16, 0);
    rx_setup(n, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'dma-error', 'queue': 0, 'direction': 'tx',"
        " 'target': 'descriptor'}}");
    tx_post(n, 0, 0, buf, 64);
    WAIT_FOR(n, vw_rd(n, txq0 + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
    g_assert_cmphex(vw_rd(n, txq0 + A_Q_STATUS), ==, stopped);
    g_assert_cmpuint(vw_rd(n, txq0 + A_Q_ERR), ==, VMQNIC_ERR_DMA);
    g_assert_cmpuint(vw_rd(n, txq0 + A_Q_HEAD), ==, 0);
    g_assert_cmphex(vw_rd(n, A_MISC_ICR), ==, R_MISC_ICR_QERR_MASK);
    g_assert_true(vw_vec_pending(n, 0));
    assert_err_info(n, VMQNIC_ERR_DMA, err_where(0, true));
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, ++count);
    g_assert_true(wire_idle(n));
    vw_vec_ack(n, 0);
    vw_wr(n, A_MISC_ICR, R_MISC_ICR_QERR_MASK);

    /* The real thing on TX queue 1: its ring is not in RAM */
    vw_wr(n, txq1 + A_Q_BASE_LO, (uint32_t)NO_RAM);
    vw_wr(n, txq1 + A_Q_BASE_HI, NO_RAM >> 32);
    vw_wr(n, txq1 + A_Q_LEN, 16);
    vw_wr(n, txq1 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    vw_wr(n, txq1 + A_Q_TAIL, 1);
    WAIT_FOR(n, vw_rd(n, txq1 + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
    g_assert_cmphex(vw_rd(n, txq1 + A_Q_STATUS), ==, stopped);
    g_assert_cmpuint(vw_rd(n, txq1 + A_Q_ERR), ==, VMQNIC_ERR_DMA);
    g_assert_cmphex(vw_rd(n, A_MISC_ICR), ==, R_MISC_ICR_QERR_MASK);
    g_assert_true(vw_vec_pending(n, 0));
    assert_err_info(n, VMQNIC_ERR_DMA, err_where(1, true));
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, ++count);

    /* Recovery: enable the ring again, the frame goes out */
    vw_wr(n, txq0 + A_Q_CTRL, 0);
    vw_wr(n, txq0 + A_Q_TAIL, 1);
    vw_wr(n, txq0 + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    WAIT_FOR(n, vw_tx_sta(n, 0, 0) & VMQNIC_TXD_STA_DD);
    g_assert_cmphex(vw_tx_sta(n, 0, 0), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 64);

    /* RX: the fetch for the next frame fails */
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'dma-error', 'queue': 0, 'direction': 'rx',"
        " 'target': 'descriptor'}}");
    send_tag(n, 1, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_STATUS)) &
             R_Q_STATUS_ERROR_MASK);
    g_assert_cmphex(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_STATUS)), ==, stopped);
    g_assert_cmpuint(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_ERR)), ==,
                     VMQNIC_ERR_DMA);
    g_assert_cmpuint(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)), ==, 0);
    assert_err_info(n, VMQNIC_ERR_DMA, err_where(0, false));
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, ++count);
    g_assert_cmpuint(fault_events(n, "dma-errors"), ==, 2);
    vw_stop(n);
}

/* Frames from the network */

/* Which of 32 frames reach RX queue 0 with rx-drop at @rate, @seed */
static char *rx_drop_run(double rate, uint64_t seed)
{
    QVmqnicWire *n = start();
    const unsigned frames = 32;
    char *seen = g_malloc0(frames + 1);
    uint64_t got, dropped;
    unsigned i;

    rx_setup(n, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'rx-drop', 'rate': %f, 'seed': %" PRIu64 "}}",
        rate, seed);
    for (i = 0; i < frames; i++) {
        send_tag(n, i, 64);
    }
    WAIT_FOR(n, vw_dstat(n, VMQNIC_STAT_RX_FRAMES) == frames);
    got = vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS);
    dropped = vw_dstat(n, VMQNIC_STAT_RX_ERRS);
    /* Dropped as frames with a bad FCS: device-wide RX_ERRS only */
    g_assert_cmpuint(got + dropped, ==, frames);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_ERRS), ==, 0);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_DROPS), ==, 0);
    g_assert_cmpuint(fault_events(n, "rx-dropped"), ==, dropped);
    memset(seen, '.', frames);
    for (i = 0; i < got; i++) {
        uint8_t data[18];

        qtest_memread(n->qts, n->rx_buf[0] + (uint64_t)i * VW_BUF_SIZE,
                      data, sizeof(data));
        g_assert_cmpuint(ldl_be_p(data + 14), <, frames);
        seen[ldl_be_p(data + 14)] = 'x';
    }
    /* Cleared: everything arrives again */
    clear_faults(n);
    send_tag(n, 99, 64);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS) == got + 1);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_ERRS), ==, dropped);
    vw_stop(n);
    return seen;
}

static void test_rx_drop(void)
{
    g_autofree char *a = rx_drop_run(0.5, 42);
    g_autofree char *b = rx_drop_run(0.5, 42);
    g_autofree char *c = rx_drop_run(0.5, 43);
    g_autofree char *all = rx_drop_run(1, 42);
    g_autofree char *none = rx_drop_run(0, 42);

    g_test_message("seed 42: %s, seed 43: %s", a, c);
    g_assert_cmpstr(a, ==, b);          /* the same seed, the same frames */
    g_assert_cmpstr(a, !=, c);
    g_assert_nonnull(strchr(a, 'x'));
    g_assert_nonnull(strchr(a, '.'));
    g_assert_null(strchr(all, 'x'));
    g_assert_null(strchr(none, '.'));
}

static void test_rx_corrupt(void)
{
    QVmqnicWire *n = start();
    const uint16_t csum = VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK |
                          VMQNIC_RXD_STA_L3ERR | VMQNIC_RXD_STA_L4ERR;
    uint8_t f[128], got[128];
    size_t len = udp_frame(f, 60, 1), i, bits = 0, where = 0;
    VmqnicRxWb wb;

    rx_setup(n, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'rx-corrupt', 'rate': 1, 'seed': 7}}");
    vw_send(n, f, len);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 1);
    wb = vw_rx_wb(n, 0, 0);
    /* A good IP header, a UDP checksum that does not match */
    g_assert_cmphex(wb.status & csum, ==, VMQNIC_RXD_STA_L3CK |
                    VMQNIC_RXD_STA_L4CK | VMQNIC_RXD_STA_L4ERR);
    g_assert_cmphex(wb.status & VMQNIC_RXD_STA_ERR, ==, 0);
    g_assert_cmpuint(wb.len, ==, len);
    qtest_memread(n->qts, n->rx_buf[0], got, len);
    for (i = 0; i < len; i++) {
        if (got[i] != f[i]) {
            bits += ctpop8(got[i] ^ f[i]);
            where = i;
        }
    }
    g_assert_cmpuint(bits, ==, 1);          /* one bit flipped ... */
    g_assert_cmpuint(where, >=, 42);        /* ... in the UDP payload */
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    g_assert_cmpuint(fault_events(n, "rx-corrupted"), ==, 1);

    /* Cleared: the same frame passes validation */
    clear_faults(n);
    vw_send(n, f, len);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 2);
    g_assert_cmphex(vw_rx_wb(n, 0, 1).status & csum, ==,
                    VMQNIC_RXD_STA_L3CK | VMQNIC_RXD_STA_L4CK);
    qtest_memread(n->qts, n->rx_buf[0] + VW_BUF_SIZE, got, len);
    g_assert_cmpmem(got, len, f, len);

    /*
     * UDP over IPv6 without a checksum (0), which the device does not
     * check: the corruption hits the checksum field, so it is caught
     */
    len = build(f, true, 17, 10, 0);
    vw_send(n, f, len);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 3);
    g_assert_cmphex(vw_rx_wb(n, 0, 2).status & csum, ==, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'rx-corrupt', 'rate': 1, 'seed': 7}}");
    vw_send(n, f, len);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 4);
    g_assert_cmphex(vw_rx_wb(n, 0, 3).status & csum, ==,
                    VMQNIC_RXD_STA_L4CK | VMQNIC_RXD_STA_L4ERR);
    vw_stop(n);
}

/* Interrupts */

static void test_irq_suppress(void)
{
    QVmqnicWire *n = start();
    uint64_t irqs;

    rx_setup(n, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'irq-suppress', 'vector': 1}}");
    irqs = vw_dstat(n, VMQNIC_STAT_IRQS);
    send_tag(n, 1, 64);
    send_tag(n, 2, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 2);
    qtest_clock_step(n->qts, 10 * SCALE_MS);
    /* The cause is there, the interrupt is not */
    g_assert_cmphex(vw_rd(n, A_RXQ_ICR), ==, 1);
    g_assert_false(vw_vec_pending(n, 1));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs);
    g_assert_cmpuint(fault_events(n, "irqs-suppressed"), ==, 1);

    /* Other vectors are not affected */
    rx_setup(n, 2);
    vw_wr(n, A_VMDQ_CTRL, vw_rd(n, A_VMDQ_CTRL) |
          1 << R_VMDQ_CTRL_DEF_POOL_SHIFT);
    send_tag(n, 3, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(2, A_Q_HEAD)) == 1);
    g_assert_true(vw_vec_pending(n, 3));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 1);

    /* Cleared: the held interrupt fires, once */
    clear_faults(n);
    g_assert_true(vw_vec_pending(n, 1));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 2);
    vw_stop(n);
}

static void test_irq_delay(void)
{
    QVmqnicWire *n = start();
    uint64_t irqs;

    rx_setup(n, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'irq-delay', 'vector': 1, 'delay-us': 2000}}");
    irqs = vw_dstat(n, VMQNIC_STAT_IRQS);
    send_tag(n, 1, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 1);
    qtest_clock_step(n->qts, 1000 * SCALE_US);
    g_assert_false(vw_vec_pending(n, 1));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs);
    qtest_clock_step(n->qts, 1100 * SCALE_US);
    g_assert_true(vw_vec_pending(n, 1));
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_IRQS), ==, irqs + 1);
    vw_vec_ack(n, 1);

    /* Every interrupt of the vector waits, not only the first */
    send_tag(n, 2, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 2);
    qtest_clock_step(n->qts, 1000 * SCALE_US);
    g_assert_false(vw_vec_pending(n, 1));
    qtest_clock_step(n->qts, 1100 * SCALE_US);
    g_assert_true(vw_vec_pending(n, 1));
    g_assert_cmpuint(fault_events(n, "irqs-delayed"), ==, 2);
    vw_vec_ack(n, 1);

    /* Cleared: no delay */
    clear_faults(n);
    send_tag(n, 3, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 3);
    g_assert_true(vw_vec_pending(n, 1));
    vw_stop(n);
}

/* Queue stall */

static void test_queue_stall(void)
{
    QVmqnicWire *n = start();
    uint64_t buf = tx_buf(n, 4, 64);
    uint64_t txq = VMQNIC_TXQ_REG(0, 0);
    uint8_t got[256];
    QDict *info;

    vw_queue_setup(n, 0, 1, 16, 0);
    rx_setup(n, 0);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'queue-stall', 'queue': 0, 'direction': 'tx'}}");
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'queue-stall', 'queue': 0, 'direction': 'rx'}}");

    /* TX: doorbells accepted, nothing fetched */
    vw_tx_desc(n, 0, 0, buf, 64, VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    tx_post(n, 0, 1, buf, 64);
    g_assert_true(wire_idle(n));
    g_assert_cmpuint(vw_rd(n, txq + A_Q_TAIL), ==, 2);
    g_assert_cmpuint(vw_rd(n, txq + A_Q_HEAD), ==, 0);
    g_assert_cmphex(vw_rd(n, txq + A_Q_STATUS), ==, R_Q_STATUS_ENABLED_MASK);
    g_assert_cmphex(vw_tx_sta(n, 0, 0), ==, 0);

    /* RX: the frame waits in the device, no buffer is used */
    send_tag(n, 1, 64);
    WAIT_FOR(n, vw_dstat(n, VMQNIC_STAT_RX_FRAMES) == 1);
    qtest_clock_step(n->qts, SCALE_MS);
    g_assert_cmpuint(vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)), ==, 0);
    info = query(n);
    g_assert_true(qdict_get_bool(ring(info, 0, "tx"), "stalled"));
    g_assert_true(qdict_get_bool(ring(info, 0, "rx"), "stalled"));
    g_assert_cmpuint(qdict_get_int(ring(info, 0, "rx"), "held-frames"), ==, 1);
    g_assert_cmpuint(qlist_size(qdict_get_qlist(info, "faults")), ==, 2);
    qobject_unref(info);

    /* Cleared: both rings catch up */
    clear_faults(n);
    WAIT_FOR(n, vw_rd(n, txq + A_Q_HEAD) == 2);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 64);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, 64);
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(0, A_Q_HEAD)) == 1);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_PKTS), ==, 2);
    vw_stop(n);
}

/* Link flap */

static void test_link_flap(void)
{
    QVmqnicWire *n = start();
    uint64_t buf = tx_buf(n, 8, 64);
    QDict *info;

    vw_queue_setup(n, 0, 1, 16, 0);
    vw_wr(n, A_MISC_IMS, R_MISC_ICR_LINK_MASK);
    g_assert_cmphex(vw_rd(n, A_STATUS) & R_STATUS_LINK_UP_MASK, ==,
                    R_STATUS_LINK_UP_MASK);
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'link-flap', 'down-ms': 50}}");

    /* Down: STATUS, the LINK cause and its interrupt, as set_link does */
    g_assert_cmphex(vw_rd(n, A_STATUS) & R_STATUS_LINK_UP_MASK, ==, 0);
    g_assert_cmphex(vw_rd(n, A_MISC_ICR), ==, R_MISC_ICR_LINK_MASK);
    g_assert_true(vw_vec_pending(n, 0));
    vw_vec_ack(n, 0);
    vw_wr(n, A_MISC_ICR, R_MISC_ICR_LINK_MASK);

    /* Frames for the network are dropped, none arrive */
    tx_post(n, 0, 0, buf, 64);
    WAIT_FOR(n, vw_tx_sta(n, 0, 0) & VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_DROPS), ==, 1);
    g_assert_true(wire_idle(n));
    send_tag(n, 1, 64);
    qtest_clock_step(n->qts, SCALE_MS);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_RX_FRAMES), ==, 0);
    info = query(n);
    g_assert_false(qdict_get_bool(info, "link-up"));
    qobject_unref(info);

    /* Up again after 50 ms of virtual time */
    qtest_clock_step(n->qts, 45 * SCALE_MS);
    g_assert_cmphex(vw_rd(n, A_STATUS) & R_STATUS_LINK_UP_MASK, ==, 0);
    g_assert_false(vw_vec_pending(n, 0));
    qtest_clock_step(n->qts, 5 * SCALE_MS);
    g_assert_cmphex(vw_rd(n, A_STATUS) & R_STATUS_LINK_UP_MASK, ==,
                    R_STATUS_LINK_UP_MASK);
    g_assert_cmphex(vw_rd(n, A_MISC_ICR), ==, R_MISC_ICR_LINK_MASK);
    g_assert_true(vw_vec_pending(n, 0));
    g_assert_cmpuint(active_faults(n), ==, 0);
    g_assert_cmpuint(fault_events(n, "link-flaps"), ==, 1);
    vw_stop(n);
}

/* Every reset clears the faults */
static void test_reset_clears(void)
{
    QVmqnicWire *n = start();

    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'queue-stall', 'queue': 1, 'direction': 'rx'}}");
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'irq-suppress', 'vector': 4}}");
    qtest_qmp_assert_success(n->qts,
        "{'execute': 'x-vmqnic-inject-fault', 'arguments': {'id': 'nic0',"
        " 'fault': 'link-flap', 'down-ms': 1000}}");
    g_assert_cmpuint(active_faults(n), ==, 3);
    g_assert_cmphex(vw_rd(n, A_STATUS) & R_STATUS_LINK_UP_MASK, ==, 0);
    vw_wr(n, A_CTRL, R_CTRL_RST_MASK);
    g_assert_cmpuint(active_faults(n), ==, 0);
    g_assert_cmphex(vw_rd(n, A_STATUS) & R_STATUS_LINK_UP_MASK, ==,
                    R_STATUS_LINK_UP_MASK);
    vw_stop(n);
}

/* Bad requests are refused and change nothing */
static void test_bad_requests(void)
{
    QVmqnicWire *n = start();
    static const char *const bad[] = {
        "{'id': 'nic0', 'fault': 'dma-error', 'queue': 128,"
        " 'direction': 'rx'}",
        "{'id': 'nic0', 'fault': 'dma-error', 'queue': 0, 'direction': 'rx',"
        " 'count': 0}",
        "{'id': 'nic0', 'fault': 'queue-stall', 'queue': 128,"
        " 'direction': 'tx'}",
        "{'id': 'nic0', 'fault': 'irq-suppress', 'vector': 129}",
        "{'id': 'nic0', 'fault': 'irq-delay', 'vector': 1, 'delay-us': 0}",
        "{'id': 'nic0', 'fault': 'rx-drop', 'rate': 1.5}",
        "{'id': 'nic0', 'fault': 'rx-corrupt', 'rate': -0.5}",
        "{'id': 'nic9', 'fault': 'link-flap'}",
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        QObject *args = qobject_from_json(bad[i], &error_abort);
        QDict *rsp = qtest_qmp(n->qts, "{'execute': 'x-vmqnic-inject-fault',"
                               " 'arguments': %p}", args);

        g_assert_true(qdict_haskey(rsp, "error"));
        qobject_unref(rsp);
    }
    g_assert_cmpuint(active_faults(n), ==, 0);
    vw_stop(n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("vmqnic/debug/query", test_query);
    qtest_add_func("vmqnic/debug/hmp", test_hmp);
    qtest_add_func("vmqnic/debug/dma-rx-buffer", test_dma_rx_buffer);
    qtest_add_func("vmqnic/debug/dma-tx-buffer", test_dma_tx_buffer);
    qtest_add_func("vmqnic/debug/dma-descriptor", test_dma_descriptor);
    qtest_add_func("vmqnic/debug/rx-drop", test_rx_drop);
    qtest_add_func("vmqnic/debug/rx-corrupt", test_rx_corrupt);
    qtest_add_func("vmqnic/debug/irq-suppress", test_irq_suppress);
    qtest_add_func("vmqnic/debug/irq-delay", test_irq_delay);
    qtest_add_func("vmqnic/debug/queue-stall", test_queue_stall);
    qtest_add_func("vmqnic/debug/link-flap", test_link_flap);
    qtest_add_func("vmqnic/debug/reset-clears", test_reset_clears);
    qtest_add_func("vmqnic/debug/bad-requests", test_bad_requests);

    return g_test_run();
}

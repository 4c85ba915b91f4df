/*
 * QTest testcases for vmqnic migration under traffic: repeated live
 * migration while frames arrive and TX work is pending, with MAC/VLAN
 * filters, RSS and interrupt moderation programmed; and destinations
 * that refuse a migration stream with out-of-range values.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include "libqtest.h"
#include "libqos/vmqnic-wire.h"
#include "qobject/qdict.h"
#include "hw/net/vmqnic_regs.h"

#define RING            4096
#define TXQ             2       /* pool 1 */
#define CYCLES          3
#define BURST           400     /* frames sent while a migration runs */
#define TX_FRAMES       100
#define FRAME_LEN       64
#define SEQ_OFF         42      /* after Ethernet, IPv4 and UDP headers */

/* The queues that receive: pool 0 (default), 1, 2 (RSS), 3 (VLAN 100) */
static const unsigned rx_queues[] = { 0, 2, 4, 5, 6 };

static const uint8_t rss_key[VMQNIC_RSS_KEY_SIZE] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
    0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
    0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void pool_mac(uint8_t *mac, unsigned pool)
{
    static const uint8_t base[6] = { 0x02, 0x00, 0x00, 0x00, 0x10, 0x00 };

    memcpy(mac, base, 6);
    mac[5] = pool;
}

/* An IPv4/UDP frame to pool @pool (0: no filter), VLAN @vid if not 0 */
static size_t make_frame(uint8_t *f, unsigned pool, uint16_t vid,
                         uint16_t sport, uint32_t seq)
{
    size_t l3 = vid ? 18 : 14;

    memset(f, 0, FRAME_LEN + 4);
    if (pool) {
        pool_mac(f, pool);
    } else {
        memcpy(f, (uint8_t[]){ 0x02, 0, 0, 0, 0, 0x01 }, 6);
    }
    memcpy(f + 6, (uint8_t[]){ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }, 6);
    if (vid) {
        stw_be_p(f + 12, 0x8100);
        stw_be_p(f + 14, vid);
    }
    stw_be_p(f + l3 - 2, 0x0800);
    f[l3] = 0x45;
    stw_be_p(f + l3 + 2, FRAME_LEN - l3);
    f[l3 + 8] = 64;
    f[l3 + 9] = 17;
    stl_be_p(f + l3 + 12, 0x0a000001);
    stl_be_p(f + l3 + 16, 0x0a000002);
    stw_be_p(f + l3 + 20, sport);
    stw_be_p(f + l3 + 22, 4789);
    stw_be_p(f + l3 + 24, FRAME_LEN - l3 - 20);
    stl_be_p(f + l3 + 28, seq);
    return FRAME_LEN + (vid ? 4 : 0);
}

static uint32_t frame_seq(const uint8_t *f)
{
    return ldl_be_p(f + (lduw_be_p(f + 12) == 0x8100 ? 4 : 0) + SEQ_OFF);
}

/* Filters, RSS, VLAN membership, moderation; rings on rx_queues[] */
static void program(QVmqnicWire *n)
{
    unsigned p, i;

    for (p = 1; p <= 3; p++) {
        uint8_t mac[6];

        pool_mac(mac, p);
        vw_wr(n, VMQNIC_MACF_REG(p, A_MACF_LO), ldl_le_p(mac));
        vw_wr(n, VMQNIC_MACF_REG(p, A_MACF_POOLS_LO), BIT(p));
        vw_wr(n, VMQNIC_MACF_REG(p, A_MACF_HI),
              lduw_le_p(mac + 4) | R_MACF_HI_VALID_MASK);
    }
    /* pool 2: RSS over its two queues */
    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_RSS_KEY) + 4 * i,
              ldl_le_p(rss_key + 4 * i));
    }
    for (i = 0; i < VMQNIC_RETA_WORDS; i++) {
        vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_RETA) + 4 * i,
              i & 1 ? 0x00010001 : 0x01000100);
    }
    vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_RSS_TYPES),
          R_POOL_RSS_TYPES_IPV4_MASK | R_POOL_RSS_TYPES_UDP_IPV4_MASK);
    vw_wr(n, VMQNIC_POOL_REG(2, A_POOL_CTRL),
          vw_rd(n, VMQNIC_POOL_REG(2, A_POOL_CTRL)) | R_POOL_CTRL_RSS_EN_MASK);
    /* pool 3: member of VLAN 100, with VLAN filtering on */
    vw_wr(n, VMQNIC_POOL_VLAN_REG(3, 100 / 32), BIT(100 % 32));
    vw_wr(n, A_VMDQ_CTRL, vw_rd(n, A_VMDQ_CTRL) |
          R_VMDQ_CTRL_VLAN_FILTER_EN_MASK);
    /* moderation on the RX vectors (queue q signals vector q + 1) */
    for (i = 0; i < ARRAY_SIZE(rx_queues); i++) {
        vw_wr(n, A_VEC_ITR + 4 * (rx_queues[i] + 1), 50);
        vw_queue_setup(n, rx_queues[i], 0, RING, 0);
        vw_rx_post(n, rx_queues[i], 0, RING - 1);
    }
    vw_queue_setup(n, TXQ, 1, RING, 0);
}

typedef struct Steering {
    unsigned queue, pool, hash_type;
    uint32_t hash;
} Steering;

static uint32_t rx_heads(QVmqnicWire *n, uint32_t *heads)
{
    uint32_t sum = 0;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(rx_queues); i++) {
        heads[i] = vw_rd(n, VMQNIC_RXQ_REG(rx_queues[i], A_Q_HEAD));
        sum += heads[i];
    }
    return sum;
}

/* Send one probe per steering rule; record where each landed */
#define PROBES 12
static void probe(QVmqnicWire *n, Steering *out)
{
    unsigned i, j;

    for (i = 0; i < PROBES; i++) {
        uint8_t f[FRAME_LEN + 4];
        uint32_t before[ARRAY_SIZE(rx_queues)], after[ARRAY_SIZE(rx_queues)];
        uint32_t sum = rx_heads(n, before);
        size_t len;
        VmqnicRxWb wb;

        if (i < 8) {
            len = make_frame(f, 2, 0, 1000 + 17 * i, 0xf0000000 + i);
        } else if (i == 8) {
            len = make_frame(f, 1, 0, 1, 0xf0000000 + i);
        } else if (i == 9) {
            len = make_frame(f, 3, 100, 1, 0xf0000000 + i);
        } else {
            len = make_frame(f, 0, 0, i, 0xf0000000 + i);
        }
        vw_send(n, f, len);
        WAIT_FOR(n, rx_heads(n, after) == sum + 1);
        for (j = 0; before[j] == after[j]; j++) {
            /* find the queue that took it */
        }
        wb = vw_rx_wb(n, rx_queues[j], before[j]);
        g_assert_cmphex(wb.status & VMQNIC_RXD_STA_DD, ==, VMQNIC_RXD_STA_DD);
        out[i] = (Steering) {
            .queue = wb.queue, .pool = wb.pool,
            .hash_type = wb.hash_type, .hash = wb.rss_hash,
        };
    }
    /* RSS spread pool 2's flows over both of its queues */
    for (i = 0, j = 0; i < 8; i++) {
        g_assert_cmpuint(out[i].pool, ==, 2);
        g_assert_cmpuint(out[i].hash_type, ==, VMQNIC_HASH_UDP_IPV4);
        j += out[i].queue == 5;
    }
    g_assert_cmpuint(j, >, 0);
    g_assert_cmpuint(j, <, 8);
    g_assert_cmpuint(out[8].queue, ==, 2);
    g_assert_cmpuint(out[9].queue, ==, 6);
    g_assert_cmpuint(out[10].queue, ==, 0);
}

typedef struct Burst {
    int fd;
    uint32_t first;
} Burst;

/* Frames to pools 1 and 2 from the wire, paced, while QEMU migrates */
static gpointer burst_thread(gpointer opaque)
{
    Burst *b = opaque;
    unsigned i;

    for (i = 0; i < BURST; i++) {
        uint8_t f[FRAME_LEN + 4];
        size_t len = make_frame(f, 1 + (i & 1), 0, 2000 + i, b->first + i);
        uint32_t be = htonl(len);

        /* the source may be gone: the rest is lost, like on a wire */
        if (send(b->fd, &be, 4, MSG_NOSIGNAL) != 4 ||
            send(b->fd, f, len, MSG_NOSIGNAL) != len) {
            break;
        }
        g_usleep(200);
    }
    return NULL;
}

/* Frames waiting at socket @fd, without blocking; marks their seqs */
static unsigned drain(int fd, GHashTable *seen)
{
    unsigned frames = 0;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    while (poll(&pfd, 1, 200) == 1) {
        uint8_t f[2048];
        uint32_t be, len;

        if (recv(fd, &be, 4, MSG_WAITALL) != 4) {
            break;
        }
        len = ntohl(be);
        g_assert_cmpuint(len, <=, sizeof(f));
        g_assert_cmpint(recv(fd, f, len, MSG_WAITALL), ==, len);
        if (lduw_be_p(f + 12) != 0x0800) {
            continue;   /* the destination announces itself (RARP) */
        }
        /* every frame once */
        g_assert_false(g_hash_table_contains(seen,
                                             GUINT_TO_POINTER(frame_seq(f))));
        g_hash_table_add(seen, GUINT_TO_POINTER(frame_seq(f)));
        frames++;
    }
    return frames;
}

/*
 * Post TX frame @seq at the tail, whole or (@part) only its first 30
 * bytes; tx_post_rest() posts the rest of such a frame
 */
static void tx_post(QVmqnicWire *n, uint64_t buf, uint32_t *tail,
                    uint32_t seq, bool part)
{
    uint64_t at = buf + 128 * (*tail % 128);
    uint8_t f[FRAME_LEN + 4];

    make_frame(f, 0, 0, 7, seq);
    qtest_memwrite(n->qts, at, f, FRAME_LEN);
    vw_tx_desc(n, TXQ, *tail, at, part ? 30 : FRAME_LEN,
               part ? 0 : VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    *tail = (*tail + 1) % RING;
}

static void tx_post_rest(QVmqnicWire *n, uint64_t buf, uint32_t *tail)
{
    uint64_t at = buf + 128 * ((*tail + RING - 1) % 128) + 30;

    vw_tx_desc(n, TXQ, *tail, at, FRAME_LEN - 30,
               VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    *tail = (*tail + 1) % RING;
}

/*
 * The probes before each migration have the device map guest RAM while
 * nothing logs dirty memory; the frames it writes during the migration
 * must be logged all the same, or the destination lacks them (their
 * descriptors read back without DD).
 */
static void test_under_traffic(void)
{
    QVmqnicWire *n = vw_start("");
    g_autoptr(GHashTable) tx_seen = g_hash_table_new(NULL, NULL);
    g_autoptr(GHashTable) rx_seen = g_hash_table_new(NULL, NULL);
    Steering before[PROBES], after[PROBES];
    uint64_t txbuf = guest_alloc(&n->alloc, 128 * 128);
    uint32_t tx_tail = 0, tx_seq = 0, burst_seq = 0x10000000;
    uint32_t delivered_burst = 0;
    uint64_t rx_pkts = 0;
    unsigned cycle, i, k;

    program(n);
    for (cycle = 0; cycle < CYCLES; cycle++) {
        Burst b = { .fd = dup(n->sock), .first = burst_seq };
        int src_wire = dup(n->sock);
        GThread *th;

        probe(n, before);
        /*
         * TX work handed over before the migration, the last frame's
         * chain not complete yet (the driver posts its second descriptor
         * after the switch-over): whatever the source has not sent, the
         * destination sends.  Buffers are reused every 128 descriptors.
         */
        for (i = 0; i < TX_FRAMES; i++) {
            tx_post(n, txbuf, &tx_tail, tx_seq++, false);
        }
        tx_post(n, txbuf, &tx_tail, tx_seq++, true);
        vw_wr(n, VMQNIC_TXQ_REG(TXQ, A_Q_TAIL), tx_tail);

        th = g_thread_new("burst", burst_thread, &b);
        n = vw_migrate(n, "");
        g_thread_join(th);
        close(b.fd);

        /* Frames the source sent before it stopped */
        drain(src_wire, tx_seen);
        close(src_wire);

        /* The destination completes the chain and sends the rest */
        tx_post_rest(n, txbuf, &tx_tail);
        vw_wr(n, VMQNIC_TXQ_REG(TXQ, A_Q_TAIL), tx_tail);
        WAIT_FOR(n, vw_rd(n, VMQNIC_TXQ_REG(TXQ, A_Q_HEAD)) == tx_tail);
        drain(n->sock, tx_seen);
        g_assert_cmpuint(g_hash_table_size(tx_seen), ==, tx_seq);
        for (i = 0; i < tx_tail; i++) {
            /* the first part of each split frame is not written back */
            g_assert_cmphex(vw_tx_sta(n, TXQ, i), ==,
                            i % (TX_FRAMES + 2) == TX_FRAMES ? 0 :
                            VMQNIC_TXD_STA_DD);
        }

        /* Steering did not change; moderated vectors still fire */
        for (i = 0; i < ARRAY_SIZE(rx_queues); i++) {
            vw_vec_ack(n, rx_queues[i] + 1);
        }
        probe(n, after);
        for (i = 0; i < ARRAY_SIZE(rx_queues); i++) {
            g_assert_cmpuint(vw_rd(n, A_VEC_ITR + 4 * (rx_queues[i] + 1)), ==,
                             50);
            WAIT_FOR(n, vw_vec_pending(n, rx_queues[i] + 1));
        }
        for (i = 0; i < PROBES; i++) {
            g_assert_cmpuint(before[i].queue, ==, after[i].queue);
            g_assert_cmpuint(before[i].pool, ==, after[i].pool);
            g_assert_cmpuint(before[i].hash_type, ==, after[i].hash_type);
            g_assert_cmphex(before[i].hash, ==, after[i].hash);
        }
        burst_seq += BURST;
    }

    /*
     * Every RX descriptor up to Q_HEAD holds one frame, none twice; the
     * burst frames arrived as a prefix of each burst (the rest was still
     * in the source's socket at the switch-over, like frames on a wire).
     */
    for (i = 0; i < ARRAY_SIZE(rx_queues); i++) {
        unsigned q = rx_queues[i];
        uint32_t head = vw_rd(n, VMQNIC_RXQ_REG(q, A_Q_HEAD));

        for (k = 0; k < RING; k++) {
            VmqnicRxWb wb = vw_rx_wb(n, q, k);
            uint8_t f[FRAME_LEN];
            uint32_t seq;

            if (k >= head) {
                g_assert_cmphex(wb.status, ==, 0);
                continue;
            }
            g_assert_cmphex(wb.status & (VMQNIC_RXD_STA_DD |
                                         VMQNIC_RXD_STA_EOP |
                                         VMQNIC_RXD_STA_ERR), ==,
                            VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP);
            g_assert_cmpuint(wb.queue, ==, q);
            qtest_memread(n->qts, n->rx_buf[q] + (uint64_t)k * VW_BUF_SIZE,
                          f, sizeof(f));
            seq = frame_seq(f);
            if (seq >= 0xf0000000) {
                continue;               /* probes are sent twice a cycle */
            }
            g_assert_false(g_hash_table_contains(rx_seen,
                                                 GUINT_TO_POINTER(seq)));
            g_hash_table_add(rx_seen, GUINT_TO_POINTER(seq));
        }
        rx_pkts += vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS);
        /* the migrated counters agree with the ring */
        g_assert_cmpuint(vw_qstat(n, q, VMQNIC_QSTAT_RX_PKTS), ==, head);
    }
    for (cycle = 0; cycle < CYCLES; cycle++) {
        uint32_t first = 0x10000000 + cycle * BURST;
        unsigned got = 0;

        for (i = 0; i < BURST; i++) {
            if (g_hash_table_contains(rx_seen, GUINT_TO_POINTER(first + i))) {
                g_assert_cmpuint(got, ==, i);   /* no hole */
                got++;
            }
        }
        g_test_message("cycle %u: %u of %u burst frames before the "
                       "switch-over", cycle, got, BURST);
        delivered_burst += got;
    }
    g_assert_cmpuint(rx_pkts, ==, delivered_burst + 2 * PROBES * CYCLES);
    g_assert_cmpuint(g_hash_table_size(rx_seen), ==, delivered_burst);
    vw_stop(n);
}

/* Migration streams with values the device must not trust */

static void wait_migration(QTestState *qts, const char *want)
{
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    for (;;) {
        QDict *rsp = qtest_qmp_assert_success_ref(qts,
                                                  "{'execute': "
                                                  "'query-migrate'}");
        const char *st = qdict_get_try_str(rsp, "status");
        bool done = st && (!strcmp(st, "completed") ||
                           !strcmp(st, "failed"));

        if (done) {
            g_assert_cmpstr(st, ==, want);
            qobject_unref(rsp);
            return;
        }
        qobject_unref(rsp);
        g_assert(g_get_monotonic_time() < end);
        g_usleep(10000);
    }
}

#define BAD_ARGS ",queues=16,pools=8"

/* Offset of the first occurrence of @pat in @buf, which must be unique */
static size_t find_unique(const uint8_t *buf, size_t len, const void *pat,
                          size_t plen)
{
    const uint8_t *p = memmem(buf, len, pat, plen);

    g_assert(p);
    g_assert_null(memmem(p + 1, len - (p + 1 - buf), pat, plen));
    return p - buf;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    stl_be_p(p, v);
}

typedef struct StreamPatch {
    const char *name;
    /* which anchor: 0 pool 5, 1 RX ring of queue 7, 2 vector bitmaps */
    int anchor;
    int offset;
    uint32_t value;
} StreamPatch;

static void test_bad_stream(void)
{
    static const StreamPatch patches[] = {
        { "none", -1, 0, 0 },
        { "maxframe", 0, 0, VMQNIC_MAX_FRAME + 1 },
        { "maxframe-0", 0, 0, 0 },
        { "ring-enable-cleared", 1, A_Q_CTRL, 0 },
        { "ring-bufsz-0", 1, A_Q_BUFSZ, 0 },
        { "ring-head", 1, A_Q_HEAD, 1024 },
        { "ring-len", 1, A_Q_LEN, 1000 },
        { "ring-vector", 1, A_Q_VEC, R_Q_VEC_VALID_MASK | 17 },
        { "vec-ims", 2, 0, 0x0001ffff | BIT(20) },
        { "vec-pending", 2, 4 * VMQNIC_VEC_WORDS * 2 + 4, 1 },
    };
    QVmqnicWire *n = vw_start(BAD_ARGS);
    g_autofree char *tmp = g_dir_make_tmp("vmqnic-bad-XXXXXX", NULL);
    g_autofree char *file = g_strdup_printf("%s/good", tmp);
    g_autofree char *bad = g_strdup_printf("%s/bad", tmp);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    g_autofree char *bad_uri = g_strdup_printf("file:%s", bad);
    g_autofree uint8_t *stream = NULL;
    size_t len, at[3];
    uint8_t pat[16];
    unsigned i;

    /* Recognisable values around the fields to patch */
    vw_wr(n, VMQNIC_POOL_REG(5, A_POOL_MAXFRAME), 0x1234);
    vw_wr(n, VMQNIC_POOL_REG(5, A_POOL_DEFVLAN), 0x80000abc);
    vw_queue_setup(n, 7, 0, 1024, 0);
    vw_wr(n, A_VEC_ITR + 4 * 15, 0x1357);
    vw_wr(n, A_VEC_ITR + 4 * 16, 0x4321);

    qtest_qmp_assert_success(n->qts, "{'execute': 'migrate',"
                             " 'arguments': {'uri': %s}}", uri);
    wait_migration(n->qts, "completed");
    g_assert_true(g_file_get_contents(file, (char **)&stream, &len, NULL));

    put_be32(pat, 0x1234);
    put_be32(pat + 4, 0x80000abc);
    at[0] = find_unique(stream, len, pat, 8);
    put_be32(pat, n->rx_ring[7]);
    put_be32(pat + 4, n->rx_ring[7] >> 32);
    put_be32(pat + 8, 1024);
    at[1] = find_unique(stream, len, pat, 12);
    g_assert_cmphex(ldl_be_p(stream + at[1] + A_Q_CTRL), ==,
                    R_Q_CTRL_ENABLE_MASK);
    put_be32(pat, 0x1357);
    put_be32(pat + 4, 0x4321);
    /* VEC_IMS follows the 257 VEC_ITR words */
    at[2] = find_unique(stream, len, pat, 8) + 8 +
            4 * (VMQNIC_MAX_VECTORS - 17);
    g_assert_cmphex(ldl_be_p(stream + at[2]), ==, 0x1ffff);

    for (i = 0; i < ARRAY_SIZE(patches); i++) {
        const StreamPatch *p = &patches[i];
        g_autofree uint8_t *copy = g_memdup2(stream, len);
        QTestState *dst;

        if (p->anchor >= 0) {
            put_be32(copy + at[p->anchor] + p->offset, p->value);
        }
        g_assert_true(g_file_set_contents(bad, (char *)copy, len, NULL));
        dst = qtest_initf("-M q35 -device vmqnic,addr=04.0,"
                          "mac=52:54:00:12:34:56" BAD_ARGS
                          " -incoming defer");
        qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming',"
                                 " 'arguments': {'uri': %s,"
                                 " 'exit-on-error': false}}", bad_uri);
        g_test_message("stream patch %s", p->name);
        wait_migration(dst, p->anchor < 0 ? "completed" : "failed");
        /* The destination survived and still answers */
        qtest_qmp_assert_success(dst, "{'execute': 'query-status'}");
        qtest_quit(dst);
    }
    unlink(file);
    unlink(bad);
    rmdir(tmp);
    vw_stop(n);
}

/*
 * While the VM is stopped (as in the last stage of a migration, when its
 * state is saved) the device transmits nothing; the work is done when the
 * VM runs again.  Register writes through qtest stand for TX work that
 * was pending at the moment the VM stopped.
 */
static void test_stopped_vm(void)
{
    QVmqnicWire *n = vw_start("");
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    uint64_t buf = guest_alloc(&n->alloc, 128 * 128);
    uint32_t tail = 0;
    unsigned i;

    vw_queue_setup(n, TXQ, 1, 64, 0);
    qtest_qmp_assert_success(n->qts, "{'execute': 'stop'}");
    for (i = 0; i < 10; i++) {
        tx_post(n, buf, &tail, i, false);
    }
    vw_wr(n, VMQNIC_TXQ_REG(TXQ, A_Q_TAIL), tail);
    g_assert_cmpuint(drain(n->sock, seen), ==, 0);
    g_assert_cmpuint(vw_rd(n, VMQNIC_TXQ_REG(TXQ, A_Q_HEAD)), ==, 0);
    g_assert_cmphex(vw_tx_sta(n, TXQ, 0), ==, 0);

    qtest_qmp_assert_success(n->qts, "{'execute': 'cont'}");
    WAIT_FOR(n, vw_rd(n, VMQNIC_TXQ_REG(TXQ, A_Q_HEAD)) == 10);
    g_assert_cmpuint(drain(n->sock, seen), ==, 10);
    vw_stop(n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vmqnic/migration/under-traffic", test_under_traffic);
    qtest_add_func("/vmqnic/migration/bad-stream", test_bad_stream);
    qtest_add_func("/vmqnic/migration/stopped-vm", test_stopped_vm);
    return g_test_run();
}

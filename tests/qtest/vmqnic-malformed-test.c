/*
 * QTest testcases for vmqnic under malformed guest programming: every
 * class of bad ring, descriptor, index, vector, reset and offload input of
 * the table in docs/specs/vmqnic.rst ("Malformed input").  Each case
 * checks that QEMU survives, that the device finishes in bounded time,
 * the error the specification documents (ERR_INFO, ERR_COUNT, Q_ERR,
 * descriptor status, counters), and that other queues keep working.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <poll.h>
#include "libqtest.h"
#include "libqos/vmqnic-wire.h"
#include "hw/pci/pci_regs.h"
#include "hw/net/vmqnic_regs.h"

/* Far above guest RAM: no memory there */
#define NO_RAM          0xfff0000000000000ULL
/* ERR_INFO location of an error that belongs to no queue */
#define NO_QUEUE        R_ERR_INFO_QUEUE_MASK

static uint32_t where(unsigned q, bool tx)
{
    return q << R_ERR_INFO_QUEUE_SHIFT | (tx ? R_ERR_INFO_TX_MASK : 0);
}

/* ERR_INFO holds @code for @loc and ERR_COUNT grew by one (in *@count) */
static void assert_error(QVmqnicWire *n, uint32_t *count, unsigned code,
                         uint32_t loc)
{
    g_assert_cmphex(vw_rd(n, A_ERR_INFO), ==,
                    R_ERR_INFO_VALID_MASK | loc | code);
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, ++*count);
}

/* Ring @q/@tx stopped with error @code */
static void assert_ring_error(QVmqnicWire *n, unsigned q, bool tx,
                              unsigned code, uint32_t *count)
{
    uint64_t base = tx ? VMQNIC_TXQ_REG(q, 0) : VMQNIC_RXQ_REG(q, 0);

    g_assert_cmphex(vw_rd(n, base + A_Q_STATUS), ==,
                    R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    g_assert_cmpuint(vw_rd(n, base + A_Q_ERR), ==, code);
    g_assert_cmphex(vw_rd(n, base + A_Q_CTRL) & R_Q_CTRL_ENABLE_MASK, ==, 0);
    assert_error(n, count, code, where(q, tx));
    g_assert_cmphex(vw_rd(n, A_MISC_ICR) & R_MISC_ICR_QERR_MASK, !=, 0);
    vw_wr(n, A_MISC_ICR, R_MISC_ICR_QERR_MASK);
}

static void wire_frame(uint8_t *frame, size_t len, uint32_t tag)
{
    vw_make_frame(frame, len, tag);
}

/*
 * The device still serves queue @q (the first queue of its pool): a
 * frame from the wire lands in it, and a frame it sends reaches the wire.
 * Both rings of @q are set up anew.
 */
static void assert_service(QVmqnicWire *n, unsigned q)
{
    uint32_t vmdq = vw_rd(n, A_VMDQ_CTRL);
    unsigned qpp_log2 = FIELD_EX32(vmdq, VMDQ_CTRL, QPP_LOG2);
    unsigned pool = q >> qpp_log2;
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];
    VmqnicRxWb wb;

    g_assert_cmpuint(q, ==, pool << qpp_log2);
    vw_wr(n, A_VMDQ_CTRL, FIELD_DP32(vmdq, VMDQ_CTRL, DEF_POOL, pool));
    vw_wr(n, VMQNIC_RXQ_REG(q, A_Q_CTRL), 0);
    vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_CTRL), 0);
    vw_queue_setup(n, q, 0, 8, 0);
    vw_rx_post(n, q, 0, 7);
    wire_frame(frame, sizeof(frame), 0x5e7 + q);
    vw_send(n, frame, sizeof(frame));
    WAIT_FOR(n, vw_rd(n, VMQNIC_RXQ_REG(q, A_Q_HEAD)) == 1);
    wb = vw_rx_wb(n, q, 0);
    g_assert_cmphex(wb.status & (VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP |
                                 VMQNIC_RXD_STA_ERR), ==,
                    VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP);
    g_assert_cmpuint(wb.queue, ==, q);
    qtest_memread(n->qts, n->rx_buf[q], got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));

    vw_queue_setup(n, q, 1, 8, 0);
    wire_frame(frame, sizeof(frame), 0x7e5 + q);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    vw_tx_desc(n, q, 0, buf, sizeof(frame),
               VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_TAIL), 1);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    WAIT_FOR(n, vw_tx_sta(n, q, 0) == VMQNIC_TXD_STA_DD);
    vw_wr(n, A_VMDQ_CTRL, vmdq);
}

/* Ring geometry refused at enable: base, length, buffer size, tail */
typedef struct BadRing {
    bool tx;
    uint32_t base_lo, len, bufsz, tail;
    unsigned code;
} BadRing;

static void test_ring_geometry(void)
{
    static const BadRing cases[] = {
        { false, 0x100008, 8, 2048, 0, VMQNIC_ERR_BAD_BASE },
        { true, 0x100004, 8, 0, 0, VMQNIC_ERR_BAD_BASE },
        { false, 0x100000, 0, 2048, 0, VMQNIC_ERR_BAD_LEN },
        { true, 0x100000, 0, 0, 0, VMQNIC_ERR_BAD_LEN },
        { false, 0x100000, 12, 2048, 0, VMQNIC_ERR_BAD_LEN },
        { true, 0x100000, 4, 0, 0, VMQNIC_ERR_BAD_LEN },
        { false, 0x100000, 65536, 2048, 0, VMQNIC_ERR_BAD_LEN },
        { true, 0x100000, 0x80000000, 0, 0, VMQNIC_ERR_BAD_LEN },
        { true, 0x100000, UINT32_MAX, 0, 0, VMQNIC_ERR_BAD_LEN },
        { false, 0x100000, 8, 0, 0, VMQNIC_ERR_BAD_BUFSZ },
        { false, 0x100000, 8, 255, 0, VMQNIC_ERR_BAD_BUFSZ },
        { false, 0x100000, 8, 16385, 0, VMQNIC_ERR_BAD_BUFSZ },
        { false, 0x100000, 8, UINT32_MAX, 0, VMQNIC_ERR_BAD_BUFSZ },
        { false, 0x100000, 8, 2048, 8, VMQNIC_ERR_BAD_TAIL },
        { true, 0x100000, 16, 0, UINT32_MAX, VMQNIC_ERR_BAD_TAIL },
    };
    QVmqnicWire *n = vw_start("");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    unsigned i;

    vw_wr(n, A_MISC_IMS, R_MISC_ICR_QERR_MASK);
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        const BadRing *c = &cases[i];
        unsigned q = 2 + i;
        uint64_t base = c->tx ? VMQNIC_TXQ_REG(q, 0) : VMQNIC_RXQ_REG(q, 0);

        vw_wr(n, base + A_Q_BASE_LO, c->base_lo);
        vw_wr(n, base + A_Q_BASE_HI, 0);
        vw_wr(n, base + A_Q_LEN, c->len);
        if (!c->tx) {
            vw_wr(n, base + A_Q_BUFSZ, c->bufsz);
        }
        vw_wr(n, base + A_Q_TAIL, c->tail);
        /* Stored as written while disabled, without an error */
        g_assert_cmpuint(vw_rd(n, base + A_Q_LEN), ==, c->len);
        g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, count);
        vw_wr(n, base + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
        assert_ring_error(n, q, c->tx, c->code, &count);
        /* Tail writes to a stopped ring start nothing */
        vw_wr(n, base + A_Q_TAIL, 1);
        g_assert_cmpuint(vw_rd(n, base + A_Q_HEAD), ==, 0);
    }
    assert_service(n, 0);
    vw_stop(n);
}

/* Rings whose descriptors cannot be read stop with DMA on first use */
static void test_ring_not_in_ram(void)
{
    static const uint64_t bases[] = {
        NO_RAM,
        0xfffffffffffffff0ULL,      /* wraps past the top at index 1 */
        0x1fffff80ULL,              /* crosses the end of 512 MiB of RAM */
    };
    QVmqnicWire *n = vw_start(",queues=16,pools=8 -m 512M");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint8_t frame[64];
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bases); i++) {
        unsigned q = 2 + 2 * i;
        uint64_t tx = VMQNIC_TXQ_REG(q, 0), rx = VMQNIC_RXQ_REG(q, 0);

        /* TX: the doorbell makes the device read descriptors */
        vw_wr(n, tx + A_Q_BASE_LO, bases[i]);
        vw_wr(n, tx + A_Q_BASE_HI, bases[i] >> 32);
        vw_wr(n, tx + A_Q_LEN, 16);
        vw_wr(n, tx + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
        vw_wr(n, tx + A_Q_TAIL, 15);
        WAIT_FOR(n, vw_rd(n, tx + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
        assert_ring_error(n, q, true, VMQNIC_ERR_DMA, &count);
        if (bases[i] < NO_RAM) {
            continue;   /* descriptor 0 is in RAM: RX would use it */
        }

        /* RX: a frame for the queue makes it read descriptors */
        vw_wr(n, rx + A_Q_BASE_LO, bases[i]);
        vw_wr(n, rx + A_Q_BASE_HI, bases[i] >> 32);
        vw_wr(n, rx + A_Q_LEN, 16);
        vw_wr(n, rx + A_Q_BUFSZ, 2048);
        vw_wr(n, rx + A_Q_TAIL, 15);
        vw_wr(n, rx + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
        vw_wr(n, A_VMDQ_CTRL, FIELD_DP32(vw_rd(n, A_VMDQ_CTRL), VMDQ_CTRL,
                                         DEF_POOL, q / 2));
        wire_frame(frame, sizeof(frame), i);
        vw_send(n, frame, sizeof(frame));
        WAIT_FOR(n, vw_rd(n, rx + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
        assert_ring_error(n, q, false, VMQNIC_ERR_DMA, &count);
    }
    assert_service(n, 0);
    vw_stop(n);
}

/* Q_HEAD is read-only; a bad tail stops only its own ring */
static void test_head_tail(void)
{
    QVmqnicWire *n = vw_start("");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint32_t gerrs = vw_dstat(n, VMQNIC_STAT_GUEST_ERRS);
    uint64_t rx = VMQNIC_RXQ_REG(0, 0), tx = VMQNIC_TXQ_REG(0, 0);
    uint8_t frame[64];

    vw_queue_setup(n, 0, 0, 16, 0);
    vw_queue_setup(n, 0, 1, 16, 0);
    vw_rx_post(n, 0, 0, 4);
    vw_wr(n, rx + A_Q_HEAD, 3);
    vw_wr(n, tx + A_Q_HEAD, 9);
    g_assert_cmpuint(vw_rd(n, rx + A_Q_HEAD), ==, 0);
    g_assert_cmpuint(vw_rd(n, tx + A_Q_HEAD), ==, 0);
    /* two guest errors without an error code */
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_GUEST_ERRS), ==, gerrs + 2);
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, count);

    /* Tail at Q_LEN on the running TX ring: it stops, RX keeps going */
    vw_wr(n, tx + A_Q_TAIL, 16);
    assert_ring_error(n, 0, true, VMQNIC_ERR_BAD_TAIL, &count);
    g_assert_cmphex(vw_rd(n, rx + A_Q_STATUS), ==, R_Q_STATUS_ENABLED_MASK);
    wire_frame(frame, sizeof(frame), 1);
    vw_send(n, frame, sizeof(frame));
    WAIT_FOR(n, vw_rd(n, rx + A_Q_HEAD) == 1);

    /* and the other way round */
    vw_wr(n, rx + A_Q_TAIL, 0x10000);
    assert_ring_error(n, 0, false, VMQNIC_ERR_BAD_TAIL, &count);
    assert_service(n, 2);
    assert_service(n, 0);
    vw_stop(n);
}

/* Bad TX descriptors fail their frame only */
static void test_tx_descriptors(void)
{
    QVmqnicWire *n = vw_start("");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64], got[64];
    uint8_t bad_desc = VMQNIC_TXD_STA_DD | VMQNIC_TXD_STA_ERR |
                       VMQNIC_ERR_BAD_DESC << VMQNIC_TXD_STA_ERRCODE_SHIFT;
    uint8_t bad_dma = VMQNIC_TXD_STA_DD | VMQNIC_TXD_STA_ERR |
                      VMQNIC_ERR_DMA << VMQNIC_TXD_STA_ERRCODE_SHIFT;
    unsigned i;

    wire_frame(frame, sizeof(frame), 3);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    vw_queue_setup(n, 0, 1, 64, 0);
    vw_tx_desc(n, 0, 0, buf, 0, VMQNIC_TXD_CMD_EOP);
    vw_tx_desc(n, 0, 1, buf, 0xffff, VMQNIC_TXD_CMD_EOP);
    vw_tx_desc(n, 0, 2, buf, VMQNIC_MAX_FRAME + 1, VMQNIC_TXD_CMD_EOP);
    vw_tx_desc(n, 0, 3, NO_RAM, 64, VMQNIC_TXD_CMD_EOP);
    /* a buffer that wraps past the top of the address space */
    vw_tx_desc(n, 0, 4, UINT64_MAX - 15, 64, VMQNIC_TXD_CMD_EOP);
    /* a chain whose second buffer is not in RAM */
    vw_tx_desc(n, 0, 5, buf, 14, 0);
    vw_tx_desc(n, 0, 6, NO_RAM, 50, VMQNIC_TXD_CMD_EOP);
    vw_tx_desc(n, 0, 7, buf, sizeof(frame),
               VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 8);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    WAIT_FOR(n, vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_HEAD)) == 8);
    for (i = 0; i < 3; i++) {
        g_assert_cmphex(vw_tx_sta(n, 0, i), ==, bad_desc);
    }
    g_assert_cmphex(vw_tx_sta(n, 0, 3), ==, bad_dma);
    g_assert_cmphex(vw_tx_sta(n, 0, 4), ==, bad_dma);
    g_assert_cmphex(vw_tx_sta(n, 0, 6), ==, bad_dma);
    g_assert_cmphex(vw_tx_sta(n, 0, 7), ==, VMQNIC_TXD_STA_DD);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_ERRS), ==, 6);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_PKTS), ==, 1);
    count += 5;
    assert_error(n, &count, VMQNIC_ERR_DMA, where(0, true));
    g_assert_cmphex(vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_STATUS)), ==,
                    R_Q_STATUS_ENABLED_MASK);
    assert_service(n, 2);
    vw_stop(n);
}

/*
 * A ring full of descriptors without EOP (zeroed memory): rejected 64 at a
 * time, in bounded work per run, while the device keeps answering
 */
static void test_tx_no_eop(void)
{
    const uint32_t len = 1 << VMQNIC_RING_MAX_LOG2;
    QVmqnicWire *n = vw_start("");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint32_t groups = (len - 1) / VMQNIC_TX_MAX_DESC_PER_FRAME;
    uint32_t head = 0;

    vw_queue_setup(n, 0, 1, len, 0);
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), len - 1);
    /* the main loop keeps running between bounded batches */
    WAIT_FOR(n, (head = vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_HEAD))) ==
             groups * VMQNIC_TX_MAX_DESC_PER_FRAME);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_TX_ERRS), ==, groups);
    /* the last descriptor of each group carries the error */
    g_assert_cmphex(vw_tx_sta(n, 0, VMQNIC_TX_MAX_DESC_PER_FRAME - 1), ==,
                    VMQNIC_TXD_STA_DD | VMQNIC_TXD_STA_ERR |
                    VMQNIC_ERR_BAD_DESC << VMQNIC_TXD_STA_ERRCODE_SHIFT);
    g_assert_cmphex(vw_tx_sta(n, 0, 0), ==, 0);
    count += groups - 1;
    assert_error(n, &count, VMQNIC_ERR_BAD_DESC, where(0, true));
    /* fewer than 64 left: the device waits for the rest of the chain */
    qtest_clock_step(n->qts, 1000000);
    g_assert_cmpuint(vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_HEAD)), ==, head);
    assert_service(n, 2);
    vw_stop(n);
}

/* RX frames the ring or the pool can never take do not block the queue */
static void test_rx_oversized(void)
{
    QVmqnicWire *n = vw_start("");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    g_autofree uint8_t *big = g_malloc(20000);
    uint8_t frame[64];
    uint64_t rx = VMQNIC_RXQ_REG(0, 0);

    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_CTRL),
          vw_rd(n, VMQNIC_POOL_REG(0, A_POOL_CTRL)) |
          R_POOL_CTRL_VLAN_STRIP_MASK | R_POOL_CTRL_VLAN_PROMISC_MASK);
    /* a ring of 8 buffers of 256 bytes */
    vw_queue_setup(n, 0, 0, 8, 0);
    vw_wr(n, rx + A_Q_CTRL, 0);
    vw_wr(n, rx + A_Q_BUFSZ, 256);
    vw_wr(n, rx + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    vw_rx_post(n, 0, 0, 7);

    /* 2000 bytes need 8 buffers: never fits a ring of 8 */
    wire_frame(big, 2000, 1);
    vw_send(n, big, 2000);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_ERRS) == 1);
    assert_error(n, &count, VMQNIC_ERR_TOO_BIG, where(0, false));

    /* Above MAX_FRAME from the wire, untagged and tagged (VLAN strip) */
    wire_frame(big, 20000, 2);
    vw_send(n, big, 20000);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_ERRS) == 2);
    stw_be_p(big + 12, 0x8100);
    stw_be_p(big + 14, 5);
    vw_send(n, big, 20000);
    WAIT_FOR(n, vw_qstat(n, 0, VMQNIC_QSTAT_RX_ERRS) == 3);
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, count);

    /* Runts below an Ethernet header are dropped before classification */
    vw_send(n, big, 13);
    WAIT_FOR(n, vw_dstat(n, VMQNIC_STAT_RX_DROPS) == 1);

    /* The queue still takes frames that fit */
    wire_frame(frame, sizeof(frame), 3);
    vw_send(n, frame, sizeof(frame));
    WAIT_FOR(n, vw_rd(n, rx + A_Q_HEAD) == 1);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 1);
    vw_stop(n);
}

/*
 * DMA aimed at the device's own BAR0: QEMU's memory re-entrancy guard
 * blocks it, the device reports a DMA error and the registers the DMA
 * would have hit keep their values.
 */
static void test_own_bar_dma(void)
{
    QVmqnicWire *n = vw_start("");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint64_t bar = n->bar.addr;
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint64_t rx = VMQNIC_RXQ_REG(2, 0), tx = VMQNIC_TXQ_REG(2, 0);
    uint8_t frame[64], got[64];
    uint64_t errs;
    uint16_t flags;
    uint8_t msix;
    VmqnicRxWb wb;

    vw_wr(n, A_SCRATCH, 0x5c5c5c5c);
    vw_wr(n, A_VMDQ_CTRL, FIELD_DP32(vw_rd(n, A_VMDQ_CTRL), VMDQ_CTRL,
                                     DEF_POOL, 1));

    /* RX ring on top of the register file */
    vw_wr(n, rx + A_Q_BASE_LO, bar);
    vw_wr(n, rx + A_Q_BASE_HI, bar >> 32);
    vw_wr(n, rx + A_Q_LEN, 8);
    vw_wr(n, rx + A_Q_BUFSZ, 2048);
    vw_wr(n, rx + A_Q_TAIL, 7);
    vw_wr(n, rx + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    wire_frame(frame, sizeof(frame), 1);
    vw_send(n, frame, sizeof(frame));
    WAIT_FOR(n, vw_rd(n, rx + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
    assert_ring_error(n, 2, false, VMQNIC_ERR_DMA, &count);

    /* TX ring there */
    vw_wr(n, tx + A_Q_BASE_LO, bar);
    vw_wr(n, tx + A_Q_BASE_HI, bar >> 32);
    vw_wr(n, tx + A_Q_LEN, 8);
    vw_wr(n, tx + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    vw_wr(n, tx + A_Q_TAIL, 1);
    WAIT_FOR(n, vw_rd(n, tx + A_Q_STATUS) & R_Q_STATUS_ERROR_MASK);
    assert_ring_error(n, 2, true, VMQNIC_ERR_DMA, &count);

    /* An RX buffer on SCRATCH: the frame completes with a DMA error */
    vw_queue_setup(n, 2, 0, 8, 0);
    qtest_memwrite(n->qts, n->rx_ring[2], &(VmqnicRxDesc) {
                       .addr = cpu_to_le64(bar + A_SCRATCH) },
                   sizeof(VmqnicRxDesc));
    vw_wr(n, rx + A_Q_TAIL, 1);
    vw_send(n, frame, sizeof(frame));
    WAIT_FOR(n, vw_rd(n, rx + A_Q_HEAD) == 1);
    wb = vw_rx_wb(n, 2, 0);
    g_assert_cmphex(wb.status & (VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP |
                                 VMQNIC_RXD_STA_ERR), ==,
                    VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP |
                    VMQNIC_RXD_STA_ERR);
    g_assert_cmpuint(wb.errcode, ==, VMQNIC_ERR_DMA);
    g_assert_cmpuint(vw_qstat(n, 2, VMQNIC_QSTAT_RX_ERRS), ==, 1);
    assert_error(n, &count, VMQNIC_ERR_DMA, where(2, false));

    /* A TX buffer in BAR0: the frame fails, nothing reaches the wire */
    vw_queue_setup(n, 2, 1, 8, 0);
    vw_tx_desc(n, 2, 0, bar + A_ID, 64, VMQNIC_TXD_CMD_EOP);
    wire_frame(frame, sizeof(frame), 2);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    vw_tx_desc(n, 2, 1, buf, sizeof(frame), VMQNIC_TXD_CMD_EOP);
    vw_wr(n, tx + A_Q_TAIL, 2);
    g_assert_cmpuint(vw_recv(n, got, sizeof(got)), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    g_assert_cmphex(vw_tx_sta(n, 2, 0), ==, VMQNIC_TXD_STA_DD |
                    VMQNIC_TXD_STA_ERR |
                    VMQNIC_ERR_DMA << VMQNIC_TXD_STA_ERRCODE_SHIFT);
    assert_error(n, &count, VMQNIC_ERR_DMA, where(2, true));

    /* MSI-X messages aimed at SCRATCH are not written there */
    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   n->dev->msix_table_off + 0 * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_LOWER_ADDR, bar + A_SCRATCH);
    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   n->dev->msix_table_off + 0 * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_UPPER_ADDR, bar >> 32);
    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   n->dev->msix_table_off + 0 * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_DATA, 0xdead);
    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   n->dev->msix_table_off + 0 * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    vw_wr(n, A_VEC_ICS, BIT(0));            /* from a register write */
    vw_wr(n, A_VEC_ITR, 100);               /* and from a timer */
    vw_wr(n, A_VEC_ICS, BIT(0));
    vw_wr(n, A_VEC_ICS, BIT(0));
    qtest_clock_step(n->qts, 1000000);
    g_assert_cmphex(vw_rd(n, A_SCRATCH), ==, 0x5c5c5c5c);

    /*
     * Nor when the vector fired while masked (pending in the PBA) and
     * QEMU's MSI-X code sends it as the function mask is cleared
     */
    msix = qpci_find_capability(n->dev, PCI_CAP_ID_MSIX, 0);
    flags = qpci_config_readw(n->dev, msix + PCI_MSIX_FLAGS);
    qpci_config_writew(n->dev, msix + PCI_MSIX_FLAGS,
                       flags | PCI_MSIX_FLAGS_MASKALL);
    errs = vw_dstat(n, VMQNIC_STAT_GUEST_ERRS);
    vw_wr(n, A_VEC_ICS, BIT(0));
    qtest_clock_step(n->qts, 1000000);
    g_assert_true(qpci_msix_pending(n->dev, 0));
    qpci_config_writew(n->dev, msix + PCI_MSIX_FLAGS,
                       flags & ~PCI_MSIX_FLAGS_MASKALL);
    g_assert_false(qpci_msix_pending(n->dev, 0));
    g_assert_cmphex(vw_rd(n, A_SCRATCH), ==, 0x5c5c5c5c);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_GUEST_ERRS), ==, errs + 1);
    assert_service(n, 0);
    vw_stop(n);
}

/*
 * Frames held back (DROP_EN 0) while the ring is full; the buffers posted
 * next cannot be fetched (bus mastering off): the ring stops with a DMA
 * error and drops what it held, and QEMU lives on.
 */
static void test_rx_held_dma_error(void)
{
    QVmqnicWire *n = vw_start("");
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint64_t rx = VMQNIC_RXQ_REG(0, 0);
    uint16_t cmd = qpci_config_readw(n->dev, PCI_COMMAND);
    uint8_t frame[64];
    unsigned i;

    vw_queue_setup(n, 0, 0, 8, 0);
    vw_rx_post(n, 0, 0, 3);
    for (i = 0; i < 6; i++) {
        wire_frame(frame, sizeof(frame), 0x40 + i);
        vw_send(n, frame, sizeof(frame));
    }
    WAIT_FOR(n, vw_dstat(n, VMQNIC_STAT_RX_FRAMES) == 6);
    g_assert_cmpuint(vw_rd(n, rx + A_Q_HEAD), ==, 3);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_DROPS), ==, 0);

    qpci_config_writew(n->dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    vw_rx_post(n, 0, 3, 7);
    assert_ring_error(n, 0, false, VMQNIC_ERR_DMA, &count);
    qpci_config_writew(n->dev, PCI_COMMAND, cmd);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 3);
    assert_service(n, 0);
    vw_stop(n);
}

/*
 * An RX buffer on the function's own Device Control register, reached
 * through the host bridge's ECAM window: the frame's first bytes set
 * Initiate FLR, so the device resets itself in the middle of writing the
 * frame back.  The reset takes effect when that write ends; what is left
 * of it does no DMA (bus mastering is off), so neither the old ring nor
 * the memory at address 0 (the rings' base after the reset) is touched.
 */
static void test_reset_by_own_dma(void)
{
    QVmqnicWire *n = vw_start("");
    QPCIDevice *host = qpci_device_find(n->bus, 0);
    const uint64_t ecam = 0xb0000000;
    uint64_t devctl = ecam + ((uint64_t)n->dev->devfn << 12) + 0x70 +
                      PCI_EXP_DEVCTL;
    uint64_t rx = VMQNIC_RXQ_REG(0, 0);
    VmqnicRxDesc d = { .addr = cpu_to_le64(devctl) }, got;
    uint8_t frame[64], low[64], after[64];

    /* The firmware's work: ECAM at 0xb0000000 (PCIEXBAR, 256 MiB) */
    qpci_config_writel(host, 0x64, 0);
    qpci_config_writel(host, 0x60, ecam | 1);
    g_assert_cmphex(qtest_readw(n->qts, devctl), ==,
                    qpci_config_readw(n->dev, 0x70 + PCI_EXP_DEVCTL));

    memset(low, 0x5a, sizeof(low));
    qtest_memwrite(n->qts, 0, low, sizeof(low));
    vw_queue_setup(n, 0, 0, 8, 0);
    qtest_memwrite(n->qts, n->rx_ring[0], &d, sizeof(d));
    vw_wr(n, rx + A_Q_TAIL, 1);
    wire_frame(frame, sizeof(frame), 0xf1);
    frame[1] = 0xff;                /* Device Control bit 15: FLR */
    vw_send(n, frame, sizeof(frame));
    WAIT_FOR(n, !(qpci_config_readw(n->dev, PCI_COMMAND) &
                  PCI_COMMAND_MEMORY));
    qtest_clock_step(n->qts, 1000000);

    qtest_memread(n->qts, n->rx_ring[0], &got, sizeof(got));
    g_assert_cmpmem(&got, sizeof(got), &d, sizeof(d));
    qtest_memread(n->qts, 0, after, sizeof(after));
    g_assert_cmpmem(after, sizeof(after), low, sizeof(low));

    n->bar = qpci_iomap(n->dev, VMQNIC_MMIO_BAR, NULL);
    qpci_device_enable(n->dev);
    qpci_msix_enable(n->dev);
    g_assert_cmphex(vw_rd(n, A_CTRL), ==, 0);
    g_assert_cmphex(vw_rd(n, rx + A_Q_STATUS), ==, R_Q_STATUS_STOPPED_MASK);
    g_assert_cmpuint(vw_rd(n, rx + A_Q_HEAD), ==, 0);
    g_assert_cmpuint(vw_qstat(n, 0, VMQNIC_QSTAT_RX_PKTS), ==, 0);
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_CTRL), R_POOL_CTRL_TX_EN_MASK |
          R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    assert_service(n, 0);
    g_free(host);
    vw_stop(n);
}

/* Configuration space of bus:dev.0 through ports 0xcf8/0xcfc */
static uint32_t cfg_rd(QTestState *qts, unsigned bus, unsigned dev,
                       unsigned off)
{
    qtest_outl(qts, 0xcf8, 0x80000000 | bus << 16 | dev << 11 | off);
    return qtest_inl(qts, 0xcfc);
}

static void cfg_wr(QTestState *qts, unsigned bus, unsigned dev, unsigned off,
                   uint32_t val)
{
    qtest_outl(qts, 0xcf8, 0x80000000 | bus << 16 | dev << 11 | off);
    qtest_outl(qts, 0xcfc, val);
}

static unsigned cfg_cap(QTestState *qts, unsigned bus, unsigned dev,
                        unsigned id)
{
    unsigned p = cfg_rd(qts, bus, dev, PCI_CAPABILITY_LIST) & 0xfc;

    while (p && (cfg_rd(qts, bus, dev, p) & 0xff) != id) {
        p = (cfg_rd(qts, bus, dev, p) >> 8) & 0xfc;
    }
    g_assert_cmpuint(p, !=, 0);
    return p;
}

/*
 * Unplugged by its own interrupt message: with PCIe native hotplug, the
 * MSI-X entry of vector 0 aims at the Slot Control register of the root
 * port above the device (power off) and vector 1, moderated, waits to
 * fire after it.  QEMU unrealizes the device inside its own register
 * write; the rest of that write does nothing, the device goes, and QEMU
 * lives on.
 */
static void test_unplug_by_own_message(void)
{
    const uint64_t ecam = 0xb0000000, bar0 = 0xe0000000, bar1 = 0xe0800000;
    QTestState *qts = qtest_init(
        "-M q35 -nodefaults "
        "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off "
        "-device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=4 "
        "-device vmqnic,bus=rp0,id=nic0");
    unsigned exp, msix;
    uint64_t sltctl;
    QDict *rsp;

    /* Firmware's work: ECAM, bus 1 behind the port, the device's BARs */
    cfg_wr(qts, 0, 0, 0x64, 0);
    cfg_wr(qts, 0, 0, 0x60, ecam | 1);
    cfg_wr(qts, 0, 4, PCI_PRIMARY_BUS, 0x00010100);
    cfg_wr(qts, 0, 4, PCI_MEMORY_BASE, 0xe0f0e000);
    cfg_wr(qts, 0, 4, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    cfg_wr(qts, 1, 0, PCI_BASE_ADDRESS_0, bar0);
    cfg_wr(qts, 1, 0, PCI_BASE_ADDRESS_1, bar1);
    cfg_wr(qts, 1, 0, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(qtest_readl(qts, bar0 + A_ID), ==, VMQNIC_ID_MAGIC);

    exp = cfg_cap(qts, 0, 4, PCI_CAP_ID_EXP);
    sltctl = ecam + (4 << 15) + exp + PCI_EXP_SLTCTL;
    msix = cfg_cap(qts, 1, 0, PCI_CAP_ID_MSIX);
    cfg_wr(qts, 1, 0, msix, cfg_rd(qts, 1, 0, msix) |
           PCI_MSIX_FLAGS_ENABLE << 16);
    /* Vector 0: Power Controller Control off, Power Indicator off */
    qtest_writel(qts, bar1 + PCI_MSIX_ENTRY_LOWER_ADDR, sltctl);
    qtest_writel(qts, bar1 + PCI_MSIX_ENTRY_DATA,
                 (qtest_readw(qts, sltctl) & ~PCI_EXP_SLTCTL_PIC) |
                 PCI_EXP_SLTCTL_PWR_IND_OFF | PCI_EXP_SLTCTL_PCC);
    qtest_writel(qts, bar1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    /* Vector 1: into RAM, 1 ms between interrupts */
    qtest_writel(qts, bar1 + PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_LOWER_ADDR,
                 0x100000);
    qtest_writel(qts, bar1 + PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_DATA, 1);
    qtest_writel(qts, bar1 + PCI_MSIX_ENTRY_SIZE +
                 PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    qtest_writel(qts, bar0 + A_VEC_ITR + 4, 1000);
    qtest_writel(qts, bar0 + A_VEC_IMS, 3);
    qtest_writel(qts, bar0 + A_VEC_ICS, 2);
    g_assert_cmphex(qtest_readl(qts, 0x100000), ==, 1);

    qtest_writel(qts, bar0 + A_VEC_ICS, 3);
    qtest_clock_step(qts, 10 * 1000 * 1000);
    rsp = qtest_qmp(qts, "{'execute': 'x-query-vmqnic',"
                    " 'arguments': {'id': 'nic0'}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    g_assert_cmphex(cfg_rd(qts, 1, 0, PCI_VENDOR_ID), ==, 0xffffffff);
    qtest_quit(qts);
}

/*
 * Indices past the end of every table, vector numbers past NUM_VECTORS
 * and accesses of the wrong width: reads give 0, writes change nothing
 */
static void test_indices(void)
{
    QVmqnicWire *n = vw_start(",queues=6,pools=3,mac-filters=5,"
                              "vlan-filters=3");
    const uint32_t undefined[] = {
        VMQNIC_RXQ_REG(6, A_Q_BASE_LO),
        VMQNIC_TXQ_REG(6, A_Q_CTRL),
        VMQNIC_TXQ_REG(0, A_Q_BUFSZ),
        VMQNIC_QSTAT_REG(6, VMQNIC_QSTAT_RX_PKTS),
        VMQNIC_POOL_REG(3, A_POOL_CTRL),
        VMQNIC_POOL_VLAN_REG(3, 0),
        VMQNIC_MACF_REG(5, A_MACF_HI),
        VMQNIC_VLANF_REG(3, A_VLANF_CTRL),
        A_VEC_ITR + 4 * 7,
        A_VEC_IMS + 4,
        A_VEC_ICS + 4,
        A_RXQ_ICR + 4,
        A_TXQ_ICR + 4,
        VMQNIC_MMIO_SIZE - 4,
    };
    uint32_t count = vw_rd(n, A_ERR_COUNT);
    uint64_t gerrs;
    unsigned i;

    g_assert_cmpuint(vw_rd(n, A_NUM_VECTORS), ==, 7);
    for (i = 0; i < ARRAY_SIZE(undefined); i++) {
        gerrs = vw_dstat(n, VMQNIC_STAT_GUEST_ERRS);
        vw_wr(n, undefined[i], UINT32_MAX);
        g_assert_cmphex(vw_rd(n, undefined[i]), ==, 0);
        g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_GUEST_ERRS), ==, gerrs + 2);
    }
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, count);

    /* Wrong widths and alignment */
    gerrs = vw_dstat(n, VMQNIC_STAT_GUEST_ERRS);
    qtest_writeb(n->qts, n->bar.addr + A_SCRATCH, 0x11);
    qtest_writew(n->qts, n->bar.addr + A_SCRATCH, 0x1111);
    qtest_writeq(n->qts, n->bar.addr + A_SCRATCH, 0x1111111111111111ULL);
    g_assert_cmphex(qtest_readb(n->qts, n->bar.addr + A_ID), ==, 0);
    g_assert_cmphex(qtest_readq(n->qts, n->bar.addr + A_ID), ==, 0);
    g_assert_cmphex(vw_rd(n, A_SCRATCH), ==, 0);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_GUEST_ERRS), ==, gerrs + 5);
    /*
     * Misaligned: QEMU splits each access into aligned pieces of 2 or 1
     * bytes, which the device refuses one by one (2 + 2 + 2 here)
     */
    vw_wr(n, A_SCRATCH, 0x22222222);
    gerrs = vw_dstat(n, VMQNIC_STAT_GUEST_ERRS);
    qtest_writel(n->qts, n->bar.addr + A_SCRATCH + 2, 0x11111111);
    qtest_writew(n->qts, n->bar.addr + A_SCRATCH + 1, 0x1111);
    g_assert_cmphex(qtest_readl(n->qts, n->bar.addr + A_SCRATCH + 2), ==, 0);
    g_assert_cmphex(vw_rd(n, A_SCRATCH), ==, 0x22222222);
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_GUEST_ERRS), ==, gerrs + 6);

    /* Vector numbers: refused whole, BAD_VECTOR */
    vw_wr(n, VMQNIC_RXQ_REG(1, A_Q_VEC), R_Q_VEC_VALID_MASK | 7);
    g_assert_cmphex(vw_rd(n, VMQNIC_RXQ_REG(1, A_Q_VEC)), ==,
                    R_Q_VEC_VALID_MASK | 2);
    g_assert_cmpuint(vw_rd(n, VMQNIC_RXQ_REG(1, A_Q_ERR)), ==,
                     VMQNIC_ERR_BAD_VECTOR);
    assert_error(n, &count, VMQNIC_ERR_BAD_VECTOR, where(1, false));
    vw_wr(n, VMQNIC_TXQ_REG(5, A_Q_VEC), R_Q_VEC_VALID_MASK | 0x7ff);
    assert_error(n, &count, VMQNIC_ERR_BAD_VECTOR, where(5, true));
    vw_wr(n, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 0x400);
    g_assert_cmphex(vw_rd(n, A_MISC_VEC), ==, R_MISC_VEC_VALID_MASK);
    assert_error(n, &count, VMQNIC_ERR_BAD_VECTOR, NO_QUEUE);
    /* Bits of vectors that do not exist are ignored */
    vw_wr(n, A_VEC_IMS, UINT32_MAX);
    g_assert_cmphex(vw_rd(n, A_VEC_IMS), ==, 0x7f);
    vw_wr(n, A_VEC_ICS, 0xffffff80);
    qtest_clock_step(n->qts, 1000);
    g_assert_cmpuint(vw_rd(n, A_ERR_COUNT), ==, count);

    /* Out-of-range values */
    vw_wr(n, A_VMDQ_CTRL, 3);                   /* 8 queues per pool */
    assert_error(n, &count, VMQNIC_ERR_BAD_VALUE, NO_QUEUE);
    vw_wr(n, A_VMDQ_CTRL, 3 << R_VMDQ_CTRL_DEF_POOL_SHIFT);
    assert_error(n, &count, VMQNIC_ERR_BAD_VALUE, NO_QUEUE);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME), VMQNIC_MAX_FRAME + 1);
    assert_error(n, &count, VMQNIC_ERR_BAD_VALUE, NO_QUEUE);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_MAXFRAME), 0);
    assert_error(n, &count, VMQNIC_ERR_BAD_VALUE, NO_QUEUE);
    vw_wr(n, VMQNIC_MACF_REG(1, A_MACF_VLAN), 3 << R_MACF_VLAN_MODE_SHIFT);
    assert_error(n, &count, VMQNIC_ERR_BAD_VALUE, NO_QUEUE);
    /* Pool bits of pools that do not exist are dropped */
    vw_wr(n, VMQNIC_MACF_REG(1, A_MACF_POOLS_LO), UINT32_MAX);
    g_assert_cmphex(vw_rd(n, VMQNIC_MACF_REG(1, A_MACF_POOLS_LO)), ==, 7);
    vw_wr(n, VMQNIC_MACF_REG(1, A_MACF_POOLS_LO), 0);

    assert_service(n, 4);
    assert_service(n, 0);
    vw_stop(n);
}

/* Frames waiting on the wire, without blocking */
static unsigned drain_wire(QVmqnicWire *n)
{
    uint8_t buf[2048];
    unsigned frames = 0;
    struct pollfd pfd = { .fd = n->sock, .events = POLLIN };

    while (poll(&pfd, 1, 100) == 1) {
        vw_recv(n, buf, sizeof(buf));
        frames++;
    }
    return frames;
}

/* Descriptors of TX ring @q with DD set */
static unsigned tx_done(QVmqnicWire *n, unsigned q, unsigned len)
{
    unsigned i, done = 0;

    for (i = 0; i < len; i++) {
        done += vw_tx_sta(n, q, i) & VMQNIC_TXD_STA_DD;
    }
    return done;
}

/*
 * TX work handed to ring 0 just before @reset: afterwards the ring memory
 * does not change any more, and every descriptor marked done was sent.
 */
static void reset_during_tx(QVmqnicWire *n, void (*reset)(QVmqnicWire *n))
{
    uint64_t buf = guest_alloc(&n->alloc, 64);
    uint8_t frame[64];
    uint8_t before[VMQNIC_DESC_SIZE * 256], after[VMQNIC_DESC_SIZE * 256];
    unsigned i;

    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_CTRL), R_POOL_CTRL_TX_EN_MASK |
          R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    vw_queue_setup(n, 0, 1, 256, 0);
    wire_frame(frame, sizeof(frame), 9);
    qtest_memwrite(n->qts, buf, frame, sizeof(frame));
    for (i = 0; i < 255; i++) {
        vw_tx_desc(n, 0, i, buf, sizeof(frame),
                   VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_RS);
    }
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), 255);
    reset(n);
    qtest_memread(n->qts, n->tx_ring[0], before, sizeof(before));
    qtest_clock_step(n->qts, 1000000);
    qtest_memread(n->qts, n->tx_ring[0], after, sizeof(after));
    g_assert_cmpmem(before, sizeof(before), after, sizeof(after));
    g_assert_cmpuint(drain_wire(n), ==, tx_done(n, 0, 256));
}

static void reset_ctrl(QVmqnicWire *n)
{
    vw_wr(n, A_CTRL, R_CTRL_RST_MASK);
}

static void reset_flr(QVmqnicWire *n)
{
    qpci_config_writew(n->dev, 0x70 + PCI_EXP_DEVCTL,
                       qpci_config_readw(n->dev, 0x70 + PCI_EXP_DEVCTL) |
                       PCI_EXP_DEVCTL_BCR_FLR);
}

/* A reset leaves no window: writes right after it see the reset state */
static void test_reset_races(void)
{
    QVmqnicWire *n = vw_start("");

    /* RST wins over every other bit of the same write */
    vw_queue_setup(n, 0, 1, 64, 0);
    vw_wr(n, A_CTRL, R_CTRL_RST_MASK | R_CTRL_RX_EN_MASK |
          R_CTRL_TX_EN_MASK | R_CTRL_STATS_CLEAR_MASK);
    g_assert_cmphex(vw_rd(n, A_CTRL), ==, 0);
    g_assert_cmphex(vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_STATUS)), ==,
                    R_Q_STATUS_STOPPED_MASK);
    /* Registers written right after the reset take effect */
    vw_wr(n, VMQNIC_TXQ_REG(3, A_Q_LEN), 32);
    g_assert_cmpuint(vw_rd(n, VMQNIC_TXQ_REG(3, A_Q_LEN)), ==, 32);

    reset_during_tx(n, reset_ctrl);
    g_assert_cmphex(vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_STATUS)), ==,
                    R_Q_STATUS_STOPPED_MASK);
    reset_during_tx(n, reset_flr);
    /* FLR turned memory decoding off: turn it back on */
    g_assert_cmphex(qpci_config_readw(n->dev, PCI_COMMAND) &
                    PCI_COMMAND_MEMORY, ==, 0);
    n->bar = qpci_iomap(n->dev, VMQNIC_MMIO_BAR, NULL);
    qpci_device_enable(n->dev);
    qpci_msix_enable(n->dev);
    g_assert_cmphex(vw_rd(n, VMQNIC_TXQ_REG(0, A_Q_STATUS)), ==,
                    R_Q_STATUS_STOPPED_MASK);
    g_assert_cmphex(vw_rd(n, A_CTRL), ==, 0);
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    vw_wr(n, VMQNIC_POOL_REG(0, A_POOL_CTRL), R_POOL_CTRL_TX_EN_MASK |
          R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    assert_service(n, 0);
    vw_stop(n);
}

/*
 * Random register writes all over BAR0 (a fixed seed, so a failure can
 * be replayed): nothing crashes or hangs, and after CTRL.RST the device
 * works.
 */
static void test_register_storm(void)
{
    QVmqnicWire *n = vw_start(",queues=8,pools=4,mac-filters=8,"
                              "vlan-filters=4");
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x766d71);
    uint64_t ram = guest_alloc(&n->alloc, 0x10000);
    unsigned i;

    for (i = 0; i < 20000; i++) {
        uint32_t off = g_rand_int_range(rand, 0, VMQNIC_MMIO_SIZE / 4) * 4;
        uint32_t val = g_rand_int(rand);

        /* bias towards the queue block, and ring bases into RAM */
        if (g_rand_boolean(rand)) {
            off = VMQNIC_QUEUE_BASE + g_rand_int_range(rand, 0, 8 * 0x20) * 4;
            if ((off & 0x3c) == A_Q_BASE_LO) {
                val = ram + (val & 0xfff0);
            } else if ((off & 0x3c) == A_Q_BASE_HI) {
                val = 0;
            } else if ((off & 0x3c) == A_Q_LEN) {
                val = 1 << g_rand_int_range(rand, 2, 17);
            }
        }
        if (off == A_CTRL) {
            val &= ~R_CTRL_RST_MASK;
        }
        vw_wr(n, off, val);
        if (i % 64 == 0) {
            uint8_t frame[80];

            wire_frame(frame, sizeof(frame), i);
            vw_send(n, frame, sizeof(frame));
            qtest_clock_step(n->qts, g_rand_int_range(rand, 0, 200000));
        }
    }
    drain_wire(n);
    vw_wr(n, A_CTRL, R_CTRL_RST_MASK);
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    for (i = 0; i < 4; i++) {
        vw_wr(n, VMQNIC_POOL_REG(i, A_POOL_CTRL), R_POOL_CTRL_TX_EN_MASK |
              R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_ACCEPT_UNTAGGED_MASK);
    }
    vw_wr(n, A_VEC_IMS, UINT32_MAX);
    assert_service(n, 0);
    assert_service(n, 6);
    vw_stop(n);
}

/*
 * TSO sends that make thousands of segments on every ring: the device
 * charges each run of its work per segment, so QEMU's main loop keeps
 * answering (here: the next register read) while it works through them.
 */
static void test_tso_flood(void)
{
    const unsigned nq = VMQNIC_MAX_QUEUES, frames = 64, flen = 16000;
    QVmqnicWire *n = vw_start(",queues=256,pools=64 -m 512M");
    uint64_t buf = guest_alloc(&n->alloc, flen);
    g_autofree uint8_t *f = g_malloc0(flen);
    g_autofree VmqnicTxDesc *desc = g_new0(VmqnicTxDesc, frames);
    gint64 start, answer;
    unsigned q, i;

    /* IPv4/TCP, 15946 bytes of payload: 250 segments of 64 bytes */
    wire_frame(f, 14, 0);
    stw_be_p(f + 12, 0x0800);
    f[14] = 0x45;
    stw_be_p(f + 16, flen - 14);
    f[22] = 64;
    f[23] = 6;
    stl_be_p(f + 26, 0x0a000001);
    stl_be_p(f + 30, 0x0a000002);
    stw_be_p(f + 34, 1000);
    stw_be_p(f + 36, 80);
    f[46] = 0x50;
    f[47] = 0x10;
    qtest_memwrite(n->qts, buf, f, flen);
    for (i = 0; i < frames; i++) {
        desc[i] = (VmqnicTxDesc) {
            .addr = cpu_to_le64(buf),
            .len = cpu_to_le16(flen),
            .cmd = VMQNIC_TXD_CMD_EOP | VMQNIC_TXD_CMD_TSO |
                   VMQNIC_TXD_CMD_L4CS,
            .mss = cpu_to_le16(VMQNIC_TSO_MSS_MIN),
        };
    }
    /* everything handed over while TX is off, then TX on at once */
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK);
    for (q = 0; q < nq; q++) {
        vw_queue_setup(n, q, 1, 2 * frames, 0);
        qtest_bufwrite(n->qts, n->tx_ring[q], desc, frames * sizeof(*desc));
        vw_wr(n, VMQNIC_TXQ_REG(q, A_Q_TAIL), frames);
    }
    start = g_get_monotonic_time();
    vw_wr(n, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    vw_rd(n, A_ID);
    answer = g_get_monotonic_time() - start;
    g_test_message("register answered after %" PRId64 " us, %u of %u "
                   "frames sent", answer,
                   (unsigned)vw_dstat(n, VMQNIC_STAT_TX_PKTS), nq * frames);
    /*
     * The read was answered between two bounded runs, long before all of
     * it was sent (all at once took 0.3-4.5 s).  A run is bounded across
     * rings too: fewer frames went out than there are rings (with a
     * budget per ring only, a run sent one or two frames of every ring)
     */
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_TX_PKTS), <, nq);
    /* and all of it gets done */
    for (q = 0; q < nq; q += 51) {
        WAIT_FOR(n, vw_rd(n, VMQNIC_TXQ_REG(q, A_Q_HEAD)) == frames);
    }
    vw_stop(n);
}

/*
 * Broadcast frames through the internal switch to 63 other pools: each
 * copy is charged to the TX run, so a run of up to 256 frames (the
 * per-ring budget of descriptors) no longer copies 256 * 63 frames before
 * QEMU answers again: a run now copies 4 frames (one within the doorbell),
 * and the register read is answered between two runs, a few runs later
 * (how many depends on when this process gets the CPU back: on a loaded
 * machine 36 runs were seen, so the bound is all frames, which one run
 * sent before).
 */
static void test_replication_flood(void)
{
    const unsigned pools = 64, frames = 256, flen = 1000;
    QVmqnicWire *n = vw_start(",queues=64,pools=64 -m 512M");
    uint64_t buf = guest_alloc(&n->alloc, flen);
    g_autofree uint8_t *f = g_malloc0(flen);
    g_autofree VmqnicRxDesc *rxd = g_new0(VmqnicRxDesc, 2 * frames);
    unsigned p, i;

    wire_frame(f, flen, 0x3e);
    memset(f, 0xff, 6);
    qtest_memwrite(n->qts, buf, f, flen);
    vw_wr(n, A_VMDQ_CTRL, R_VMDQ_CTRL_REPL_EN_MASK |
          R_VMDQ_CTRL_LOOPBACK_EN_MASK);
    for (p = 0; p < pools; p++) {
        vw_wr(n, VMQNIC_POOL_REG(p, A_POOL_CTRL),
              R_POOL_CTRL_ACCEPT_UNTAGGED_MASK | R_POOL_CTRL_ACCEPT_BCAST_MASK |
              R_POOL_CTRL_RX_EN_MASK | R_POOL_CTRL_TX_EN_MASK);
        vw_queue_setup(n, p, 0, 2 * frames, 0);
        for (i = 0; i < 2 * frames; i++) {
            rxd[i].addr = cpu_to_le64(n->rx_buf[p] + i * VW_BUF_SIZE);
        }
        qtest_bufwrite(n->qts, n->rx_ring[p], rxd,
                       2 * frames * sizeof(*rxd));
        vw_wr(n, VMQNIC_RXQ_REG(p, A_Q_TAIL), 2 * frames - 1);
    }
    vw_queue_setup(n, 0, 1, 2 * frames, 0);
    for (i = 0; i < frames; i++) {
        vw_tx_desc(n, 0, i, buf, flen, VMQNIC_TXD_CMD_EOP);
    }
    vw_wr(n, VMQNIC_TXQ_REG(0, A_Q_TAIL), frames);
    i = vw_dstat(n, VMQNIC_STAT_LOOPBACK);
    g_test_message("%u of %u frames switched when QEMU answered", i, frames);
    g_assert_cmpuint(i, <, frames);
    for (p = 1; p < pools; p += 21) {
        WAIT_FOR(n, vw_qstat(n, p, VMQNIC_QSTAT_RX_PKTS) == frames);
    }
    g_assert_cmpuint(vw_dstat(n, VMQNIC_STAT_LOOPBACK), ==, frames);
    drain_wire(n);
    vw_stop(n);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vmqnic/malformed/ring-geometry", test_ring_geometry);
    qtest_add_func("/vmqnic/malformed/ring-not-in-ram", test_ring_not_in_ram);
    qtest_add_func("/vmqnic/malformed/head-tail", test_head_tail);
    qtest_add_func("/vmqnic/malformed/tx-descriptors", test_tx_descriptors);
    qtest_add_func("/vmqnic/malformed/tx-no-eop", test_tx_no_eop);
    qtest_add_func("/vmqnic/malformed/rx-oversized", test_rx_oversized);
    qtest_add_func("/vmqnic/malformed/own-bar-dma", test_own_bar_dma);
    qtest_add_func("/vmqnic/malformed/indices", test_indices);
    qtest_add_func("/vmqnic/malformed/reset-races", test_reset_races);
    qtest_add_func("/vmqnic/malformed/reset-by-own-dma",
                   test_reset_by_own_dma);
    qtest_add_func("/vmqnic/malformed/rx-held-dma-error",
                   test_rx_held_dma_error);
    qtest_add_func("/vmqnic/malformed/unplug-by-own-message",
                   test_unplug_by_own_message);
    qtest_add_func("/vmqnic/malformed/register-storm", test_register_storm);
    qtest_add_func("/vmqnic/malformed/tso-flood", test_tso_flood);
    qtest_add_func("/vmqnic/malformed/replication-flood",
                   test_replication_flood);
    return g_test_run();
}

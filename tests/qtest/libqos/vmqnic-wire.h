/*
 * libqos helpers for vmqnic tests that drive the datapath: a q35 machine
 * whose vmqnic is wired to a socketpair (the test is the wire), rings in
 * guest memory, and MSI-X observed through the PBA.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QTEST_LIBQOS_VMQNIC_WIRE_H
#define QTEST_LIBQOS_VMQNIC_WIRE_H

#include "../libqtest.h"
#include "pci-pc.h"
#include "malloc-pc.h"
#include "hw/net/vmqnic_regs.h"

#define VW_DEVFN        QPCI_DEVFN(4, 0)
#define VW_BUF_SIZE     2048

typedef struct QVmqnicWire {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    QGuestAllocator alloc;
    int sock;               /* the wire: our end of the socketpair, or -1 */
    uint64_t rx_ring[VMQNIC_MAX_QUEUES];
    uint64_t tx_ring[VMQNIC_MAX_QUEUES];
    uint64_t rx_buf[VMQNIC_MAX_QUEUES];
    uint32_t rx_len[VMQNIC_MAX_QUEUES];
    uint32_t tx_len[VMQNIC_MAX_QUEUES];
} QVmqnicWire;

/* Wait (stepping the clock a little) until @cond or fail */
#define WAIT_FOR(n, cond) do {                                            \
        gint64 end_ = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;    \
        while (!(cond)) {                                                 \
            g_assert(g_get_monotonic_time() < end_);                      \
            qtest_clock_step((n)->qts, 1000);                             \
        }                                                                 \
    } while (0)

uint32_t vw_rd(QVmqnicWire *n, uint64_t off);
void vw_wr(QVmqnicWire *n, uint64_t off, uint32_t val);
uint64_t vw_qstat(QVmqnicWire *n, unsigned q, unsigned s);
uint64_t vw_dstat(QVmqnicWire *n, unsigned s);
QVmqnicWire *vw_start(const char *extra);
QVmqnicWire *vw_start_on(const char *netdev, const char *extra);
void vw_stop(QVmqnicWire *n);
QVmqnicWire *vw_migrate(QVmqnicWire *src, const char *extra);
void vw_queue_setup(QVmqnicWire *n, unsigned q, int dir, uint32_t len,
                    uint32_t ctrl);
void vw_rx_post(QVmqnicWire *n, unsigned q, uint32_t from, uint32_t to);
VmqnicRxWb vw_rx_wb(QVmqnicWire *n, unsigned q, uint32_t i);
void vw_tx_desc(QVmqnicWire *n, unsigned q, uint32_t i, uint64_t addr,
                uint16_t len, uint8_t cmd);
uint8_t vw_tx_sta(QVmqnicWire *n, unsigned q, uint32_t i);
void vw_make_frame(uint8_t *buf, size_t len, uint32_t tag);
void vw_send(QVmqnicWire *n, const uint8_t *buf, size_t len);
size_t vw_recv(QVmqnicWire *n, uint8_t *buf, size_t size);
bool vw_vec_pending(QVmqnicWire *n, unsigned v);
void vw_vec_ack(QVmqnicWire *n, unsigned v);

#endif /* QTEST_LIBQOS_VMQNIC_WIRE_H */

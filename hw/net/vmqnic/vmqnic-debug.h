/*
 * vmqnic: fault injection state and the datapath's hooks into it
 *
 * Faults are set through QMP (x-vmqnic-inject-fault, vmqnic-debug.c).
 * The datapath calls the hooks below only while faults.active is set,
 * so a device without faults pays one test per hook site.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_VMQNIC_DEBUG_H
#define HW_NET_VMQNIC_DEBUG_H

#include "qemu/timer.h"
#include "hw/net/vmqnic_regs.h"

/* rx-drop / rx-corrupt: a seeded pseudo-random choice of frames */
typedef struct VmqnicFaultRate {
    bool on;
    double rate;
    uint64_t seed;
    uint64_t state;
} VmqnicFaultRate;

/* Not migrated: the destination of a migration starts without faults */
typedef struct VmqnicFaults {
    bool active;                /* any fault set: the hooks must look */

    /* link-flap */
    bool link_down;
    uint32_t link_down_ms;
    QEMUTimer *link_timer;

    /* dma-error: descriptors still to fail, per ring */
    uint32_t dma_count[VMQNIC_MAX_QUEUES][2];
    bool dma_desc[VMQNIC_MAX_QUEUES][2];   /* fetches, not buffers */

    /* queue-stall, per direction */
    uint32_t stalled[2][VMQNIC_QUEUE_WORDS];

    VmqnicFaultRate rx_drop;
    VmqnicFaultRate rx_corrupt;
    uint8_t *rx_copy;           /* the corrupted copy of a frame */

    /* irq-suppress, irq-delay */
    uint32_t irq_suppress[VMQNIC_VEC_WORDS];
    uint32_t irq_held[VMQNIC_VEC_WORDS];   /* suppressed, counted once */
    uint32_t irq_delay_us[VMQNIC_MAX_VECTORS];
    int64_t irq_due[VMQNIC_MAX_VECTORS];   /* delayed until, 0: none */

    /* What the faults did (x-query-vmqnic "fault-events") */
    uint64_t ev_link_flaps;
    uint64_t ev_dma_errors;
    uint64_t ev_rx_dropped;
    uint64_t ev_rx_corrupted;
    uint64_t ev_irqs_delayed;
    uint64_t ev_irqs_suppressed;
} VmqnicFaults;

#endif /* HW_NET_VMQNIC_DEBUG_H */

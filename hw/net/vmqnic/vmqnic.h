/*
 * vmqnic: VMDq-class multi-queue PCIe network adapter, internal interfaces
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_VMQNIC_H
#define HW_NET_VMQNIC_H

#include "hw/pci/pci_device.h"
#include "net/net.h"
#include "hw/net/vmqnic_regs.h"
#include "vmqnic-debug.h"
#include "qemu/queue.h"
#include "qom/object.h"

#define TYPE_VMQNIC "vmqnic"
OBJECT_DECLARE_SIMPLE_TYPE(VmqnicState, VMQNIC)

enum {
    VMQNIC_RX,
    VMQNIC_TX,
};

/* One direction of a queue pair: the registers of its block, by R_Q_* */
typedef struct VmqnicRing {
    uint32_t regs[VMQNIC_Q_REGS];
} VmqnicRing;

typedef struct VmqnicQueuePair {
    VmqnicRing ring[2];
    uint64_t stats[VMQNIC_NUM_QSTATS];
} VmqnicQueuePair;

typedef struct VmqnicPool {
    uint32_t ctrl;
    uint32_t maxframe;
    uint32_t defvlan;
    uint32_t rss_types;
    uint32_t spoof_drops;
    uint32_t rss_key[VMQNIC_RSS_KEY_WORDS];
    uint32_t reta[VMQNIC_RETA_WORDS];
    uint32_t vlan[VMQNIC_VLAN_WORDS];
} VmqnicPool;

typedef struct VmqnicMacFilter {
    uint32_t lo;
    uint32_t hi;
    uint32_t pools_lo;
    uint32_t pools_hi;
    uint32_t vlan;
} VmqnicMacFilter;

typedef struct VmqnicVlanFilter {
    uint32_t ctrl;
    uint32_t pools_lo;
    uint32_t pools_hi;
} VmqnicVlanFilter;

/* What classification tells the RX write-back about a frame */
typedef struct VmqnicRxInfo {
    uint32_t rss_hash;
    uint16_t vlan;
    uint16_t status;
    uint8_t pool;
    uint8_t hash_type;
    uint8_t ptype;
} VmqnicRxInfo;

/* A received frame held back while its queue has no buffers */
typedef struct VmqnicHeldFrame {
    QSIMPLEQ_ENTRY(VmqnicHeldFrame) next;
    VmqnicRxInfo info;
    size_t size;
    uint8_t data[];
} VmqnicHeldFrame;

/* Frames a full hold-back queue keeps before it drops */
#define VMQNIC_RX_BACKLOG           64

/* Pools with each POOL_CTRL rule set, among the active pools */
typedef struct VmqnicPoolMasks {
    uint64_t rx_en;
    uint64_t untagged;
    uint64_t bcast;
    uint64_t mchash;
    uint64_t allmulti;
    uint64_t uc_promisc;
    uint64_t vlan_promisc;
} VmqnicPoolMasks;

#define VMQNIC_MAC_HASH_BITS        11

/* Descriptors the device read ahead from a ring (vmqnic-ring.c) */
typedef struct VmqnicDescCache VmqnicDescCache;

/* A guest RAM section the device reaches with plain memcpy (vmqnic-dma.c) */
typedef struct VmqnicDmaWindow {
    MemoryRegionCache cache;
    hwaddr base;                /* bus address of the section's start */
    hwaddr len;                 /* 0: not mapped */
    bool log_dirty;             /* writes update dirty memory (see map) */
} VmqnicDmaWindow;

/* RAM below and above 4 GiB, a RAM section of another device, a spare */
#define VMQNIC_DMA_WINDOWS          4

typedef struct VmqnicVecTimer {
    VmqnicState *s;
    QEMUTimer *timer;
} VmqnicVecTimer;

struct VmqnicState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    NICState *nic;
    NICConf conf;

    /* Properties, fixed after realize */
    uint32_t num_queues;
    uint32_t num_pools;
    uint32_t num_mac_filters;
    uint32_t num_vlan_filters;
    uint32_t speed;
    uint32_t num_vectors;

    /* Global registers */
    uint32_t ctrl;
    uint32_t scratch;
    uint32_t err_info;
    uint32_t err_count;
    uint32_t misc_icr;
    uint32_t misc_ims;
    uint32_t misc_vec;
    uint32_t vmdq_ctrl;
    uint32_t spoof_pools[2];
    uint32_t stat_latch;
    uint32_t mta[VMQNIC_MTA_WORDS];
    uint64_t stats[VMQNIC_NUM_STATS];

    /* Interrupt vectors */
    uint32_t vec_itr[VMQNIC_MAX_VECTORS];
    uint32_t vec_ims[VMQNIC_VEC_WORDS];
    uint32_t vec_icr[VMQNIC_VEC_WORDS];
    uint32_t vec_pending[VMQNIC_VEC_WORDS];
    int64_t vec_next[VMQNIC_MAX_VECTORS];   /* moderation: next allowed */
    VmqnicVecTimer vec_timer[VMQNIC_MAX_VECTORS];
    QEMUBH *irq_bh;             /* delivers after a burst of received frames */
    MSITriggerFunc *msi_trigger;    /* PCI's, behind vmqnic_msi_trigger */
    bool irq_bh_scheduled;
    /*
     * A register write or TX bottom half is running: it flushes pending
     * interrupts when it ends, so frames received meanwhile (a backend's
     * reply within the send, as user-mode networking's) need no bottom
     * half
     */
    unsigned irq_hold;
    /*
     * Depth of the device's own work (register access, TX run, received
     * frame, interrupt delivery).  A reset that this work itself causes,
     * by DMA or an interrupt message into the function's configuration
     * space (FLR through the ECAM window), waits until it ends:
     * reset_pending.
     */
    unsigned busy;
    bool reset_pending;
    /* Pools the internal switch delivered the current TX frame to */
    unsigned tx_copies;
    unsigned tx_next;           /* the ring the next TX run starts with */
    bool unplugged;             /* by its own work: released from a BH */
    bool guard_was;             /* the re-entrancy guard before busy_enter */
    uint32_t rxq_icr[VMQNIC_QUEUE_WORDS];
    uint32_t txq_icr[VMQNIC_QUEUE_WORDS];

    VmqnicQueuePair queues[VMQNIC_MAX_QUEUES];
    VmqnicPool pools[VMQNIC_MAX_POOLS];
    VmqnicMacFilter mac_filters[VMQNIC_MAX_MAC_FILTERS];
    VmqnicVlanFilter vlan_filters[VMQNIC_MAX_VLAN_FILTERS];

    /* Indexes of the filter tables (rebuilt when the driver writes them) */
    uint16_t mac_hash[1 << VMQNIC_MAC_HASH_BITS];   /* entry + 1, 0: none */
    uint16_t mac_next[VMQNIC_MAX_MAC_FILTERS];
    uint64_t vid_pools[VMQNIC_VLAN_IDS];    /* pools that accept a VID */
    uint64_t vlanf_pools[VMQNIC_VLAN_IDS];  /* VLAN filter table's part */
    VmqnicPoolMasks masks;
    struct NetRxPkt *rx_pkt;
    uint8_t *rx_scratch;

    /* Datapath */
    bool has_vnet;              /* backend takes a virtio-net header */
    uint8_t *rx_csum_buf;       /* has_vnet: frames whose checksum we finish */
    QEMUBH *tx_bh;
    VMChangeStateEntry *vm_state;   /* resumes TX when the VM runs again */
    struct NetTxPkt *tx_pkt;
    uint8_t *tx_scratch;
    uint32_t tx_pending[VMQNIC_QUEUE_WORDS];
    QSIMPLEQ_HEAD(, VmqnicHeldFrame) rx_backlog[VMQNIC_MAX_QUEUES];
    uint32_t rx_backlog_len[VMQNIC_MAX_QUEUES];
    VmqnicDescCache *rx_cache;  /* one per queue */
    VmqnicDescCache *tx_cache;  /* the TX queue being processed */
    VmqnicDmaWindow dma_win[VMQNIC_DMA_WINDOWS];
    unsigned dma_win_next;      /* the window the next mapping replaces */
    MemoryListener dma_listener;    /* drops the windows on map changes */
    bool dma_listening;

    /* Injected faults (vmqnic-debug.c) */
    VmqnicFaults faults;
};

/* ERR_INFO location of an error that belongs to no queue */
#define VMQNIC_NO_QUEUE             R_ERR_INFO_QUEUE_MASK

static inline uint32_t vmqnic_queue_where(unsigned q, int dir)
{
    return q << R_ERR_INFO_QUEUE_SHIFT | dir << R_ERR_INFO_TX_SHIFT;
}

/*
 * Count @n in queue @q's statistic @idx and in the device-wide one: the
 * first VMQNIC_NUM_QSTATS device statistics are the same, in the same
 * order.
 */
static inline void vmqnic_qstat_add(VmqnicState *s, unsigned q, unsigned idx,
                                    uint64_t n)
{
    s->queues[q].stats[idx] += n;
    s->stats[idx] += n;
}

/* vmqnic.c */
void vmqnic_soft_reset(VmqnicState *s);
void vmqnic_busy_enter(VmqnicState *s);
void vmqnic_busy_leave(VmqnicState *s);
void G_GNUC_PRINTF(4, 5) vmqnic_guest_error(VmqnicState *s, unsigned code,
                                            uint32_t where,
                                            const char *fmt, ...);
bool vmqnic_link_up(VmqnicState *s);
bool vmqnic_own_bar(VmqnicState *s, uint64_t addr, uint64_t len);

/* vmqnic-dma.c */
void vmqnic_dma_init(VmqnicState *s);
void vmqnic_dma_exit(VmqnicState *s);
void vmqnic_dma_unmap_all(VmqnicState *s);
MemTxResult vmqnic_dma_read(VmqnicState *s, dma_addr_t addr, void *buf,
                            dma_addr_t len);
MemTxResult vmqnic_dma_write(VmqnicState *s, dma_addr_t addr, const void *buf,
                             dma_addr_t len);

/* vmqnic-regs.c */
extern const MemoryRegionOps vmqnic_mmio_ops;
uint32_t vmqnic_pool_queues(VmqnicState *s, unsigned pool);

/* vmqnic-ring.c */
void vmqnic_rings_init(VmqnicState *s);
void vmqnic_rings_exit(VmqnicState *s);
void vmqnic_rings_reset(VmqnicState *s);
void vmqnic_rings_post_load(VmqnicState *s);
void vmqnic_queue_ctrl(VmqnicState *s, unsigned q, int dir, uint32_t val);
void vmqnic_queue_tail(VmqnicState *s, unsigned q, int dir, uint32_t val);
void vmqnic_queue_error(VmqnicState *s, unsigned q, int dir, unsigned code,
                        const char *what, uint64_t value);
void vmqnic_tx_kick(VmqnicState *s, unsigned q);
void vmqnic_tx_kick_all(VmqnicState *s);
void vmqnic_rx_queue_put(VmqnicState *s, unsigned q, const uint8_t *buf,
                         size_t size, const VmqnicRxInfo *info);
void vmqnic_rx_refill(VmqnicState *s, unsigned q);
void vmqnic_rx_refill_all(VmqnicState *s);

/* vmqnic-filter.c */
void vmqnic_filter_init(VmqnicState *s);
void vmqnic_filter_exit(VmqnicState *s);
void vmqnic_filters_rebuild(VmqnicState *s);
void vmqnic_mac_index_rebuild(VmqnicState *s);
void vmqnic_vlan_index_rebuild(VmqnicState *s);
void vmqnic_vlan_index_update(VmqnicState *s, unsigned word);
void vmqnic_pool_masks_rebuild(VmqnicState *s);
uint64_t vmqnic_mac_lookup(VmqnicState *s, const uint8_t *mac, bool tagged,
                           uint16_t vid);
uint64_t vmqnic_rx_classify(VmqnicState *s, const uint8_t *buf, size_t size,
                            int src_pool);
bool vmqnic_tx_spoofed(VmqnicState *s, unsigned pool, const uint8_t *l2,
                       size_t len, int desc_tci);

/*
 * vmqnic-debug.c: fault injection.  Call the hooks only while
 * s->faults.active is set.
 */
void vmqnic_debug_init(VmqnicState *s);
void vmqnic_debug_exit(VmqnicState *s);
void vmqnic_faults_reset(VmqnicState *s);
bool vmqnic_fault_dma(VmqnicState *s, unsigned q, int dir, bool desc);
bool vmqnic_fault_stalled(VmqnicState *s, unsigned q, int dir);
const uint8_t *vmqnic_fault_rx(VmqnicState *s, const uint8_t *buf,
                               size_t size);
bool vmqnic_fault_irq_held(VmqnicState *s, unsigned v, int64_t now,
                           int64_t *next);

/* Call fault hook vmqnic_fault_<hook>(@s, ...) if a fault is set */
#define VMQNIC_FAULT(s, hook, ...) \
    (unlikely((s)->faults.active) && vmqnic_fault_##hook(s, __VA_ARGS__))

/* vmqnic-irq.c */
void vmqnic_irq_init(VmqnicState *s);
void vmqnic_irq_exit(VmqnicState *s);
void vmqnic_irq_reset(VmqnicState *s);
void vmqnic_irq_hook_msi(VmqnicState *s);
void vmqnic_irq_post_load(VmqnicState *s);
void vmqnic_irq_flush(VmqnicState *s);
void vmqnic_irq_flush_later(VmqnicState *s);
void vmqnic_misc_cause(VmqnicState *s, uint32_t causes);
void vmqnic_misc_enable(VmqnicState *s, uint32_t bits);
void vmqnic_vector_signal(VmqnicState *s, unsigned vector);
void vmqnic_vector_withdraw(VmqnicState *s, unsigned vector);
void vmqnic_vec_enable(VmqnicState *s, unsigned word, uint32_t bits);
void vmqnic_vec_disable(VmqnicState *s, unsigned word, uint32_t bits);
void vmqnic_vec_icr_clear(VmqnicState *s, unsigned word, uint32_t bits);
void vmqnic_intx_update(VmqnicState *s);
uint32_t vmqnic_int_mode(VmqnicState *s);

#endif /* HW_NET_VMQNIC_H */

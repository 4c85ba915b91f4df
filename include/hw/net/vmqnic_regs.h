/*
 * vmqnic: register file, descriptor formats and limits
 *
 * This header mirrors docs/specs/vmqnic.rst and is the one definition
 * shared by the device model, its qtests and the reference guest driver.
 * A guest driver that does not build inside QEMU defines REG32() and
 * FIELD() (see hw/registerfields.h for their meaning) before including it.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_VMQNIC_REGS_H
#define HW_NET_VMQNIC_REGS_H

#ifndef REG32
#include "hw/registerfields.h"
#endif

/* PCI identity */
#define VMQNIC_PCI_VENDOR_ID        0x1af4  /* Red Hat / QEMU experimental */
#define VMQNIC_PCI_DEVICE_ID        0x10f0
#define VMQNIC_PCI_REVISION         0x01
#define VMQNIC_PCI_SUBSYS_ID        0x1100

/* BARs */
#define VMQNIC_MMIO_BAR             0       /* 32-bit memory, registers */
#define VMQNIC_MSIX_BAR             1       /* 32-bit memory, MSI-X only */
#define VMQNIC_MMIO_SIZE            0x40000

/* Identity magic: the bytes "VMQN" */
#define VMQNIC_ID_MAGIC             0x4e514d56
#define VMQNIC_VERSION_MAJOR        1
#define VMQNIC_VERSION_MINOR        0

/* Limits of this implementation (the capability registers give the rest) */
#define VMQNIC_MAX_QUEUES           256
#define VMQNIC_MAX_POOLS            64
#define VMQNIC_MAX_MAC_FILTERS      1024
#define VMQNIC_MAX_VLAN_FILTERS     1024
#define VMQNIC_MAX_VECTORS          (VMQNIC_MAX_QUEUES + 1)
#define VMQNIC_VEC_WORDS            16      /* bitmap words for vectors */
#define VMQNIC_QUEUE_WORDS          (VMQNIC_MAX_QUEUES / 32)
#define VMQNIC_RING_MIN_LOG2        3       /* 8 descriptors */
#define VMQNIC_RING_MAX_LOG2        15      /* 32768 descriptors */
#define VMQNIC_DESC_SIZE            16
#define VMQNIC_DESC_ALIGN           16
#define VMQNIC_RX_BUF_MIN           256
#define VMQNIC_RX_BUF_MAX           16384
#define VMQNIC_MAX_FRAME            16128   /* bytes without FCS */
#define VMQNIC_MIN_FRAME            60
#define VMQNIC_DEFAULT_MAX_FRAME    1522
#define VMQNIC_TX_MAX_DESC_PER_FRAME 64
#define VMQNIC_TSO_MAX              (65535 + 18) /* IP datagram + L2 */
#define VMQNIC_TSO_MSS_MIN          64
#define VMQNIC_TSO_HDR_MAX          256     /* L2 + L3 + L4 headers */
#define VMQNIC_TSO_MSS_MAX          (VMQNIC_MAX_FRAME - 54)
#define VMQNIC_RSS_KEY_SIZE         40
#define VMQNIC_RSS_RETA_SIZE        128
#define VMQNIC_MTA_BITS             4096
#define VMQNIC_VLAN_IDS             4096
#define VMQNIC_ITR_MAX_US           0xffff

/* ---- Global registers: 0x0000 - 0x0fff ---- */
REG32(ID, 0x000)
REG32(VERSION, 0x004)
    FIELD(VERSION, MINOR, 0, 16)
    FIELD(VERSION, MAJOR, 16, 16)
REG32(NUM_QUEUES, 0x008)
REG32(NUM_POOLS, 0x00c)
REG32(NUM_MAC_FILTERS, 0x010)
REG32(NUM_VLAN_FILTERS, 0x014)
REG32(NUM_VECTORS, 0x018)
REG32(FEATURES, 0x01c)
    FIELD(FEATURES, MSIX, 0, 1)
    FIELD(FEATURES, MSI, 1, 1)
    FIELD(FEATURES, INTX, 2, 1)
    FIELD(FEATURES, RINGS, 3, 1)
    FIELD(FEATURES, MODERATION, 4, 1)
    FIELD(FEATURES, VMDQ, 5, 1)
    FIELD(FEATURES, RSS, 6, 1)
    FIELD(FEATURES, CSUM, 7, 1)
    FIELD(FEATURES, TSO, 8, 1)
    FIELD(FEATURES, VLAN_OFFLOAD, 9, 1)
    FIELD(FEATURES, JUMBO, 10, 1)
    FIELD(FEATURES, LOOPBACK, 11, 1)
    FIELD(FEATURES, ANTISPOOF, 12, 1)
/* What this version of the device implements: all of the above */
#define VMQNIC_FEATURES             0x1fff
REG32(LINK_SPEED, 0x020)
REG32(MAX_FRAME, 0x024)
REG32(RING_LIMITS, 0x028)
    FIELD(RING_LIMITS, MIN_LOG2, 0, 8)
    FIELD(RING_LIMITS, MAX_LOG2, 8, 8)
REG32(PERM_MAC_LO, 0x030)
REG32(PERM_MAC_HI, 0x034)

REG32(CTRL, 0x040)
    FIELD(CTRL, RST, 0, 1)
    FIELD(CTRL, RX_EN, 1, 1)
    FIELD(CTRL, TX_EN, 2, 1)
    FIELD(CTRL, STATS_CLEAR, 8, 1)
#define VMQNIC_CTRL_RW_MASK         (R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK)
REG32(STATUS, 0x044)
    FIELD(STATUS, LINK_UP, 0, 1)
    FIELD(STATUS, FULL_DUPLEX, 1, 1)
    FIELD(STATUS, INT_MODE, 4, 2)
#define VMQNIC_INT_MODE_INTX        0
#define VMQNIC_INT_MODE_MSI         1
#define VMQNIC_INT_MODE_MSIX        2
REG32(SCRATCH, 0x048)
REG32(ERR_INFO, 0x04c)
    FIELD(ERR_INFO, CODE, 0, 8)
    FIELD(ERR_INFO, QUEUE, 8, 9)
    FIELD(ERR_INFO, TX, 17, 1)
    FIELD(ERR_INFO, VALID, 31, 1)
REG32(ERR_COUNT, 0x050)

/* Misc (non-queue) interrupt causes */
REG32(MISC_ICR, 0x080)
    FIELD(MISC_ICR, LINK, 0, 1)
    FIELD(MISC_ICR, QERR, 1, 1)
    FIELD(MISC_ICR, SPOOF, 2, 1)
    FIELD(MISC_ICR, SW, 3, 1)
#define VMQNIC_MISC_CAUSES          0xf
REG32(MISC_ICS, 0x084)
REG32(MISC_IMS, 0x088)
REG32(MISC_IMC, 0x08c)
REG32(MISC_VEC, 0x090)
    FIELD(MISC_VEC, VECTOR, 0, 11)
    FIELD(MISC_VEC, VALID, 31, 1)

/* VMDq classification control */
REG32(VMDQ_CTRL, 0x100)
    FIELD(VMDQ_CTRL, QPP_LOG2, 0, 4)
    FIELD(VMDQ_CTRL, DEF_POOL, 8, 6)
    FIELD(VMDQ_CTRL, DROP_UNMATCHED, 16, 1)
    FIELD(VMDQ_CTRL, REPL_EN, 17, 1)
    FIELD(VMDQ_CTRL, LOOPBACK_EN, 18, 1)
    FIELD(VMDQ_CTRL, VLAN_FILTER_EN, 19, 1)
#define VMQNIC_VMDQ_CTRL_MASK       0x000f3f0f
REG32(SPOOF_POOLS_LO, 0x108)
REG32(SPOOF_POOLS_HI, 0x10c)

/* Multicast hash table: 4096 bits, hash = destination MAC bits 47:36 */
REG32(MTA, 0x200)
#define VMQNIC_MTA_WORDS            (VMQNIC_MTA_BITS / 32)

/* Device-wide statistics: 64-bit counters, LO then HI */
REG32(STAT_BASE, 0x400)
enum {
    VMQNIC_STAT_RX_PKTS,
    VMQNIC_STAT_RX_BYTES,
    VMQNIC_STAT_RX_DROPS,
    VMQNIC_STAT_RX_ERRS,
    VMQNIC_STAT_TX_PKTS,
    VMQNIC_STAT_TX_BYTES,
    VMQNIC_STAT_TX_DROPS,
    VMQNIC_STAT_TX_ERRS,
    VMQNIC_STAT_RX_UNMATCHED,
    VMQNIC_STAT_RX_FILTERED,
    VMQNIC_STAT_RX_BCAST,
    VMQNIC_STAT_RX_MCAST,
    VMQNIC_STAT_LOOPBACK,
    VMQNIC_STAT_SPOOF_DROPS,
    VMQNIC_STAT_GUEST_ERRS,
    VMQNIC_STAT_IRQS,
    VMQNIC_STAT_RX_FRAMES,      /* every frame from the wire, before filters */
    VMQNIC_NUM_STATS
};

/* ---- Interrupt vectors: 0x1000 - 0x1fff ---- */
REG32(VEC_ITR, 0x1000)              /* + 4 * vector */
    FIELD(VEC_ITR, INTERVAL, 0, 16)
    FIELD(VEC_ITR, AUTOMASK, 31, 1)
#define VMQNIC_VEC_ITR_MASK         0x8000ffff
REG32(VEC_IMS, 0x1800)              /* + 4 * word */
REG32(VEC_IMC, 0x1840)
REG32(VEC_ICR, 0x1880)
REG32(VEC_ICS, 0x18c0)
REG32(RXQ_ICR, 0x1900)              /* + 4 * word, 8 words */
REG32(TXQ_ICR, 0x1940)

/* ---- Queue pairs: 0x10000 + 0x80 * queue ---- */
#define VMQNIC_QUEUE_BASE           0x10000
#define VMQNIC_QUEUE_STRIDE         0x80
#define VMQNIC_QUEUE_TX             0x40    /* TX registers follow RX ones */
REG32(Q_BASE_LO, 0x00)
REG32(Q_BASE_HI, 0x04)
REG32(Q_LEN, 0x08)
REG32(Q_HEAD, 0x0c)
REG32(Q_TAIL, 0x10)
REG32(Q_CTRL, 0x14)
    FIELD(Q_CTRL, ENABLE, 0, 1)
    FIELD(Q_CTRL, DROP_EN, 1, 1)
#define VMQNIC_Q_CTRL_MASK          0x3
REG32(Q_BUFSZ, 0x18)                /* RX only */
REG32(Q_STATUS, 0x1c)
    FIELD(Q_STATUS, ENABLED, 0, 1)
    FIELD(Q_STATUS, STOPPED, 1, 1)
    FIELD(Q_STATUS, ERROR, 2, 1)
REG32(Q_VEC, 0x20)
    FIELD(Q_VEC, VECTOR, 0, 11)
    FIELD(Q_VEC, VALID, 31, 1)
#define VMQNIC_Q_VEC_MASK           0x800007ff
REG32(Q_ERR, 0x24)
#define VMQNIC_Q_REGS               10      /* registers per direction */

#define VMQNIC_RXQ_REG(q, r) \
    (VMQNIC_QUEUE_BASE + VMQNIC_QUEUE_STRIDE * (q) + (r))
#define VMQNIC_TXQ_REG(q, r)    (VMQNIC_RXQ_REG(q, r) + VMQNIC_QUEUE_TX)

/* Per-queue statistics: 0x18000 + 0x40 * queue, 64-bit LO/HI pairs */
#define VMQNIC_QSTAT_BASE           0x18000
#define VMQNIC_QSTAT_STRIDE         0x40
enum {
    VMQNIC_QSTAT_RX_PKTS,
    VMQNIC_QSTAT_RX_BYTES,
    VMQNIC_QSTAT_RX_DROPS,
    VMQNIC_QSTAT_RX_ERRS,
    VMQNIC_QSTAT_TX_PKTS,
    VMQNIC_QSTAT_TX_BYTES,
    VMQNIC_QSTAT_TX_DROPS,
    VMQNIC_QSTAT_TX_ERRS,
    VMQNIC_NUM_QSTATS
};
#define VMQNIC_QSTAT_REG(q, s) \
    (VMQNIC_QSTAT_BASE + VMQNIC_QSTAT_STRIDE * (q) + 8 * (s))

/* ---- Pools: 0x20000 + 0x100 * pool ---- */
#define VMQNIC_POOL_BASE            0x20000
#define VMQNIC_POOL_STRIDE          0x100
REG32(POOL_CTRL, 0x00)
    FIELD(POOL_CTRL, ACCEPT_UNTAGGED, 0, 1)
    FIELD(POOL_CTRL, ACCEPT_BCAST, 1, 1)
    FIELD(POOL_CTRL, ACCEPT_MCHASH, 2, 1)
    FIELD(POOL_CTRL, ACCEPT_ALLMULTI, 3, 1)
    FIELD(POOL_CTRL, UC_PROMISC, 4, 1)
    FIELD(POOL_CTRL, VLAN_PROMISC, 5, 1)
    FIELD(POOL_CTRL, VLAN_STRIP, 6, 1)
    FIELD(POOL_CTRL, MAC_ANTISPOOF, 7, 1)
    FIELD(POOL_CTRL, VLAN_ANTISPOOF, 8, 1)
    FIELD(POOL_CTRL, RSS_EN, 9, 1)
    FIELD(POOL_CTRL, RX_EN, 10, 1)
    FIELD(POOL_CTRL, TX_EN, 11, 1)
#define VMQNIC_POOL_CTRL_MASK       0xfff
#define VMQNIC_POOL0_CTRL_RESET     (R_POOL_CTRL_ACCEPT_UNTAGGED_MASK | \
                                     R_POOL_CTRL_ACCEPT_BCAST_MASK | \
                                     R_POOL_CTRL_RX_EN_MASK | \
                                     R_POOL_CTRL_TX_EN_MASK)
REG32(POOL_MAXFRAME, 0x04)
REG32(POOL_DEFVLAN, 0x08)
    FIELD(POOL_DEFVLAN, TCI, 0, 16)
    FIELD(POOL_DEFVLAN, INSERT, 31, 1)
#define VMQNIC_POOL_DEFVLAN_MASK    0x8000ffff
REG32(POOL_QUEUES, 0x0c)
    FIELD(POOL_QUEUES, FIRST, 0, 16)
    FIELD(POOL_QUEUES, COUNT, 16, 16)
REG32(POOL_RSS_TYPES, 0x10)
    FIELD(POOL_RSS_TYPES, IPV4, 0, 1)
    FIELD(POOL_RSS_TYPES, TCP_IPV4, 1, 1)
    FIELD(POOL_RSS_TYPES, UDP_IPV4, 2, 1)
    FIELD(POOL_RSS_TYPES, IPV6, 3, 1)
    FIELD(POOL_RSS_TYPES, TCP_IPV6, 4, 1)
    FIELD(POOL_RSS_TYPES, UDP_IPV6, 5, 1)
    FIELD(POOL_RSS_TYPES, IPV6_EX, 6, 1)
    FIELD(POOL_RSS_TYPES, TCP_IPV6_EX, 7, 1)
    FIELD(POOL_RSS_TYPES, UDP_IPV6_EX, 8, 1)
#define VMQNIC_POOL_RSS_TYPES_MASK  0x1ff
REG32(POOL_SPOOF_DROPS, 0x14)
REG32(POOL_RSS_KEY, 0x40)           /* 10 words */
REG32(POOL_RETA, 0x80)              /* 32 words, 4 entries of 8 bits each */
#define VMQNIC_RSS_KEY_WORDS        (VMQNIC_RSS_KEY_SIZE / 4)
#define VMQNIC_RETA_WORDS           (VMQNIC_RSS_RETA_SIZE / 4)
#define VMQNIC_POOL_REG(p, r) \
    (VMQNIC_POOL_BASE + VMQNIC_POOL_STRIDE * (p) + (r))

/* Per-pool VLAN membership: 0x24000 + 0x200 * pool, 128 words */
#define VMQNIC_POOL_VLAN_BASE       0x24000
#define VMQNIC_POOL_VLAN_STRIDE     0x200
#define VMQNIC_VLAN_WORDS           (VMQNIC_VLAN_IDS / 32)
#define VMQNIC_POOL_VLAN_REG(p, w) \
    (VMQNIC_POOL_VLAN_BASE + VMQNIC_POOL_VLAN_STRIDE * (p) + 4 * (w))

/* MAC filter table: 0x30000 + 0x20 * entry */
#define VMQNIC_MACF_BASE            0x30000
#define VMQNIC_MACF_STRIDE          0x20
REG32(MACF_LO, 0x00)
REG32(MACF_HI, 0x04)
    FIELD(MACF_HI, ADDR, 0, 16)
    FIELD(MACF_HI, VALID, 31, 1)
#define VMQNIC_MACF_HI_MASK         0x8000ffff
REG32(MACF_POOLS_LO, 0x08)
REG32(MACF_POOLS_HI, 0x0c)
REG32(MACF_VLAN, 0x10)
    FIELD(MACF_VLAN, VID, 0, 12)
    FIELD(MACF_VLAN, MODE, 16, 2)
#define VMQNIC_MACF_VLAN_MASK       0x00030fff
#define VMQNIC_MACF_VLAN_ANY        0   /* MAC only */
#define VMQNIC_MACF_VLAN_EXACT      1   /* tagged with VID only */
#define VMQNIC_MACF_VLAN_UNTAGGED   2   /* untagged or VID 0 only */
#define VMQNIC_MACF_REG(i, r) \
    (VMQNIC_MACF_BASE + VMQNIC_MACF_STRIDE * (i) + (r))

/* VLAN filter table (VID -> pools): 0x38000 + 0x10 * entry */
#define VMQNIC_VLANF_BASE           0x38000
#define VMQNIC_VLANF_STRIDE         0x10
REG32(VLANF_CTRL, 0x00)
    FIELD(VLANF_CTRL, VID, 0, 12)
    FIELD(VLANF_CTRL, VALID, 31, 1)
#define VMQNIC_VLANF_CTRL_MASK      0x80000fff
REG32(VLANF_POOLS_LO, 0x04)
REG32(VLANF_POOLS_HI, 0x08)
#define VMQNIC_VLANF_REG(i, r) \
    (VMQNIC_VLANF_BASE + VMQNIC_VLANF_STRIDE * (i) + (r))

/* ---- Descriptors (little endian, 16 bytes) ---- */

/* Error codes: Q_ERR, ERR_INFO.CODE, descriptor ERRCODE fields */
enum {
    VMQNIC_ERR_NONE = 0,
    VMQNIC_ERR_BAD_BASE = 1,    /* ring base misaligned or not DMA-able */
    VMQNIC_ERR_BAD_LEN = 2,     /* ring length not a power of 2 in range */
    VMQNIC_ERR_BAD_TAIL = 3,    /* tail >= ring length */
    VMQNIC_ERR_DMA = 4,         /* descriptor or buffer DMA failed */
    VMQNIC_ERR_BAD_DESC = 5,    /* zero/oversized length, no EOP in time */
    VMQNIC_ERR_BAD_BUFSZ = 6,   /* RX buffer size out of range */
    VMQNIC_ERR_BAD_OFFLOAD = 7, /* offload request does not fit frame */
    VMQNIC_ERR_TOO_BIG = 8,     /* frame above the pool's maximum */
    VMQNIC_ERR_SPOOF = 9,       /* anti-spoofing drop */
    VMQNIC_ERR_BAD_VECTOR = 10, /* vector number >= NUM_VECTORS */
    VMQNIC_ERR_BAD_VALUE = 11,  /* register value out of its range */
};

typedef struct VmqnicTxDesc {
    uint64_t addr;
    uint16_t len;
    uint8_t cmd;
    uint8_t sta;
    uint16_t vlan;
    uint16_t mss;
} VmqnicTxDesc;

#define VMQNIC_TXD_CMD_EOP          (1 << 0)
#define VMQNIC_TXD_CMD_RS           (1 << 1)
#define VMQNIC_TXD_CMD_IPCS         (1 << 2)
#define VMQNIC_TXD_CMD_L4CS         (1 << 3)
#define VMQNIC_TXD_CMD_TSO          (1 << 4)
#define VMQNIC_TXD_CMD_VLE          (1 << 5)
#define VMQNIC_TXD_CMD_OFFLOADS     (VMQNIC_TXD_CMD_IPCS | \
                                     VMQNIC_TXD_CMD_L4CS | \
                                     VMQNIC_TXD_CMD_TSO | \
                                     VMQNIC_TXD_CMD_VLE)
#define VMQNIC_TXD_STA_DD           (1 << 0)
#define VMQNIC_TXD_STA_ERR          (1 << 1)
#define VMQNIC_TXD_STA_ERRCODE_SHIFT 4

typedef struct VmqnicRxDesc {
    uint64_t addr;
    uint64_t rsvd;
} VmqnicRxDesc;

typedef struct VmqnicRxWb {
    uint32_t rss_hash;
    uint16_t len;
    uint16_t vlan;
    uint16_t status;
    uint8_t pool;
    uint8_t hash_type;
    uint16_t queue;
    uint8_t ptype;
    uint8_t errcode;
} VmqnicRxWb;

#define VMQNIC_RXD_STA_DD           (1 << 0)
#define VMQNIC_RXD_STA_EOP          (1 << 1)
#define VMQNIC_RXD_STA_VP           (1 << 2)
#define VMQNIC_RXD_STA_L3CK         (1 << 3)
#define VMQNIC_RXD_STA_L4CK         (1 << 4)
#define VMQNIC_RXD_STA_L3ERR        (1 << 5)
#define VMQNIC_RXD_STA_L4ERR        (1 << 6)
#define VMQNIC_RXD_STA_BCAST        (1 << 7)
#define VMQNIC_RXD_STA_MCAST        (1 << 8)
#define VMQNIC_RXD_STA_LB           (1 << 9)
#define VMQNIC_RXD_STA_RSSV         (1 << 10)
#define VMQNIC_RXD_STA_ERR          (1 << 15)

#define VMQNIC_RXD_PTYPE_IPV4       (1 << 0)
#define VMQNIC_RXD_PTYPE_IPV6       (1 << 1)
#define VMQNIC_RXD_PTYPE_TCP        (1 << 2)
#define VMQNIC_RXD_PTYPE_UDP        (1 << 3)
#define VMQNIC_RXD_PTYPE_VLAN       (1 << 4)
#define VMQNIC_RXD_PTYPE_IPV6_EX    (1 << 5)

enum {
    VMQNIC_HASH_NONE,
    VMQNIC_HASH_IPV4,
    VMQNIC_HASH_TCP_IPV4,
    VMQNIC_HASH_UDP_IPV4,
    VMQNIC_HASH_IPV6,
    VMQNIC_HASH_TCP_IPV6,
    VMQNIC_HASH_UDP_IPV6,
    VMQNIC_HASH_IPV6_EX,
    VMQNIC_HASH_TCP_IPV6_EX,
    VMQNIC_HASH_UDP_IPV6_EX,
};

#endif /* HW_NET_VMQNIC_REGS_H */

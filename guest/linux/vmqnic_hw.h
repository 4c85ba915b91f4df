/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmqnic: register offsets, fields and descriptor formats
 *
 * Kernel-side transcription of docs/specs/vmqnic.rst (version 1) and of
 * include/hw/net/vmqnic_regs.h in the QEMU tree.  Offsets and bit
 * positions are identical; only the notation differs.
 *
 * Copyright (c) 2026 The vmqnic developers
 */

#ifndef _VMQNIC_HW_H_
#define _VMQNIC_HW_H_

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/types.h>

/* PCI identity */
#define VMQNIC_PCI_VENDOR_ID		0x1af4
#define VMQNIC_PCI_DEVICE_ID		0x10f0

/* BARs */
#define VMQNIC_MMIO_BAR			0
#define VMQNIC_MMIO_SIZE		0x40000

#define VMQNIC_ID_MAGIC			0x4e514d56	/* "VMQN" */
#define VMQNIC_VERSION_MAJOR		1

/* Limits */
#define VMQNIC_MAX_QUEUES		256
#define VMQNIC_MAX_POOLS		64
#define VMQNIC_RX_BUF_MIN		256
#define VMQNIC_RX_BUF_MAX		16384
#define VMQNIC_MAX_FRAME		16128
#define VMQNIC_MIN_FRAME		60
#define VMQNIC_TX_MAX_DESC_PER_FRAME	64
#define VMQNIC_TX_MAX_BUF		16128	/* largest TX descriptor len */
#define VMQNIC_TSO_MAX			(65535 + 18)
#define VMQNIC_TSO_MSS_MIN		64
#define VMQNIC_TSO_MSS_MAX		(VMQNIC_MAX_FRAME - 54)
#define VMQNIC_RSS_KEY_SIZE		40
#define VMQNIC_RSS_RETA_SIZE		128
#define VMQNIC_MTA_BITS			4096
#define VMQNIC_MTA_WORDS		(VMQNIC_MTA_BITS / 32)
#define VMQNIC_VLAN_IDS			4096
#define VMQNIC_VLAN_WORDS		(VMQNIC_VLAN_IDS / 32)
#define VMQNIC_ITR_MAX_US		0xffff

/* ---- Global registers ---- */
#define VMQNIC_ID			0x000
#define VMQNIC_VERSION			0x004
#define   VMQNIC_VERSION_MAJOR_MASK	GENMASK(31, 16)
#define   VMQNIC_VERSION_MINOR_MASK	GENMASK(15, 0)
#define VMQNIC_NUM_QUEUES		0x008
#define VMQNIC_NUM_POOLS		0x00c
#define VMQNIC_NUM_MAC_FILTERS		0x010
#define VMQNIC_NUM_VLAN_FILTERS		0x014
#define VMQNIC_NUM_VECTORS		0x018
#define VMQNIC_FEATURES			0x01c
#define   VMQNIC_F_MSIX			BIT(0)
#define   VMQNIC_F_MSI			BIT(1)
#define   VMQNIC_F_INTX			BIT(2)
#define   VMQNIC_F_RINGS		BIT(3)
#define   VMQNIC_F_MODERATION		BIT(4)
#define   VMQNIC_F_VMDQ			BIT(5)
#define   VMQNIC_F_RSS			BIT(6)
#define   VMQNIC_F_CSUM			BIT(7)
#define   VMQNIC_F_TSO			BIT(8)
#define   VMQNIC_F_VLAN_OFFLOAD		BIT(9)
#define   VMQNIC_F_JUMBO		BIT(10)
#define   VMQNIC_F_LOOPBACK		BIT(11)
#define   VMQNIC_F_ANTISPOOF		BIT(12)
#define VMQNIC_LINK_SPEED		0x020
#define VMQNIC_MAX_FRAME_REG		0x024
#define VMQNIC_RING_LIMITS		0x028
#define   VMQNIC_RING_LIMITS_MIN_MASK	GENMASK(7, 0)
#define   VMQNIC_RING_LIMITS_MAX_MASK	GENMASK(15, 8)
#define VMQNIC_PERM_MAC_LO		0x030
#define VMQNIC_PERM_MAC_HI		0x034

#define VMQNIC_CTRL			0x040
#define   VMQNIC_CTRL_RST		BIT(0)
#define   VMQNIC_CTRL_RX_EN		BIT(1)
#define   VMQNIC_CTRL_TX_EN		BIT(2)
#define   VMQNIC_CTRL_STATS_CLEAR	BIT(8)
#define VMQNIC_STATUS			0x044
#define   VMQNIC_STATUS_LINK_UP		BIT(0)
#define   VMQNIC_STATUS_FULL_DUPLEX	BIT(1)
#define   VMQNIC_STATUS_INT_MODE_MASK	GENMASK(5, 4)
#define VMQNIC_INT_MODE_INTX		0
#define VMQNIC_INT_MODE_MSI		1
#define VMQNIC_INT_MODE_MSIX		2
#define VMQNIC_SCRATCH			0x048
#define VMQNIC_ERR_INFO			0x04c
#define   VMQNIC_ERR_INFO_CODE_MASK	GENMASK(7, 0)
#define   VMQNIC_ERR_INFO_QUEUE_MASK	GENMASK(16, 8)
#define   VMQNIC_ERR_INFO_TX		BIT(17)
#define   VMQNIC_ERR_INFO_VALID		BIT(31)
#define VMQNIC_ERR_COUNT		0x050

/* Miscellaneous interrupt causes */
#define VMQNIC_MISC_ICR			0x080
#define VMQNIC_MISC_ICS			0x084
#define VMQNIC_MISC_IMS			0x088
#define VMQNIC_MISC_IMC			0x08c
#define   VMQNIC_MISC_LINK		BIT(0)
#define   VMQNIC_MISC_QERR		BIT(1)
#define   VMQNIC_MISC_SPOOF		BIT(2)
#define   VMQNIC_MISC_SW		BIT(3)
#define   VMQNIC_MISC_CAUSES		GENMASK(3, 0)
#define VMQNIC_MISC_VEC			0x090
#define   VMQNIC_VEC_VECTOR_MASK	GENMASK(10, 0)	/* MISC_VEC, Q_VEC */
#define   VMQNIC_VEC_VALID		BIT(31)

/* VMDq classification control */
#define VMQNIC_VMDQ_CTRL		0x100
#define   VMQNIC_VMDQ_QPP_LOG2_MASK	GENMASK(3, 0)
#define   VMQNIC_VMDQ_DEF_POOL_MASK	GENMASK(13, 8)
#define   VMQNIC_VMDQ_DROP_UNMATCHED	BIT(16)
#define   VMQNIC_VMDQ_REPL_EN		BIT(17)
#define   VMQNIC_VMDQ_LOOPBACK_EN	BIT(18)
#define   VMQNIC_VMDQ_VLAN_FILTER_EN	BIT(19)
#define VMQNIC_SPOOF_POOLS_LO		0x108
#define VMQNIC_SPOOF_POOLS_HI		0x10c

/* Multicast table array: hash = destination MAC bits 47:36 */
#define VMQNIC_MTA(w)			(0x200 + 4 * (w))

/* Device-wide statistics: 64-bit counters, LO then HI */
#define VMQNIC_STAT(s)			(0x400 + 8 * (s))
enum vmqnic_stat {
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
	VMQNIC_STAT_RX_FRAMES,
	VMQNIC_NUM_STATS
};

/* ---- Interrupt vectors ---- */
#define VMQNIC_VEC_ITR(v)		(0x1000 + 4 * (v))
#define   VMQNIC_VEC_ITR_INTERVAL_MASK	GENMASK(15, 0)
#define   VMQNIC_VEC_ITR_AUTOMASK	BIT(31)
#define VMQNIC_VEC_IMS(w)		(0x1800 + 4 * (w))
#define VMQNIC_VEC_IMC(w)		(0x1840 + 4 * (w))
#define VMQNIC_VEC_ICR(w)		(0x1880 + 4 * (w))
#define VMQNIC_VEC_ICS(w)		(0x18c0 + 4 * (w))
#define VMQNIC_RXQ_ICR(w)		(0x1900 + 4 * (w))
#define VMQNIC_TXQ_ICR(w)		(0x1940 + 4 * (w))

/* ---- Queue pairs: RX registers, TX registers at +0x40 ---- */
#define VMQNIC_Q_BASE_LO		0x00
#define VMQNIC_Q_BASE_HI		0x04
#define VMQNIC_Q_LEN			0x08
#define VMQNIC_Q_HEAD			0x0c
#define VMQNIC_Q_TAIL			0x10
#define VMQNIC_Q_CTRL			0x14
#define   VMQNIC_Q_CTRL_ENABLE		BIT(0)
#define   VMQNIC_Q_CTRL_DROP_EN		BIT(1)
#define VMQNIC_Q_BUFSZ			0x18	/* RX only */
#define VMQNIC_Q_STATUS			0x1c
#define   VMQNIC_Q_STATUS_ENABLED	BIT(0)
#define   VMQNIC_Q_STATUS_STOPPED	BIT(1)
#define   VMQNIC_Q_STATUS_ERROR		BIT(2)
#define VMQNIC_Q_VEC			0x20
#define VMQNIC_Q_ERR			0x24
#define VMQNIC_RXQ_REG(q, r)		(0x10000 + 0x80 * (q) + (r))
#define VMQNIC_TXQ_REG(q, r)		(VMQNIC_RXQ_REG(q, r) + 0x40)

/* Per-queue statistics: 64-bit LO/HI pairs */
#define VMQNIC_QSTAT(q, s)		(0x18000 + 0x40 * (q) + 8 * (s))
enum vmqnic_qstat {
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

/* ---- Pools ---- */
#define VMQNIC_POOL_REG(p, r)		(0x20000 + 0x100 * (p) + (r))
#define VMQNIC_POOL_CTRL		0x00
#define   VMQNIC_POOL_ACCEPT_UNTAGGED	BIT(0)
#define   VMQNIC_POOL_ACCEPT_BCAST	BIT(1)
#define   VMQNIC_POOL_ACCEPT_MCHASH	BIT(2)
#define   VMQNIC_POOL_ACCEPT_ALLMULTI	BIT(3)
#define   VMQNIC_POOL_UC_PROMISC	BIT(4)
#define   VMQNIC_POOL_VLAN_PROMISC	BIT(5)
#define   VMQNIC_POOL_VLAN_STRIP	BIT(6)
#define   VMQNIC_POOL_MAC_ANTISPOOF	BIT(7)
#define   VMQNIC_POOL_VLAN_ANTISPOOF	BIT(8)
#define   VMQNIC_POOL_RSS_EN		BIT(9)
#define   VMQNIC_POOL_RX_EN		BIT(10)
#define   VMQNIC_POOL_TX_EN		BIT(11)
#define VMQNIC_POOL_MAXFRAME		0x04
#define VMQNIC_POOL_DEFVLAN		0x08
#define VMQNIC_POOL_QUEUES		0x0c
#define   VMQNIC_POOL_QUEUES_FIRST_MASK	GENMASK(15, 0)
#define   VMQNIC_POOL_QUEUES_COUNT_MASK	GENMASK(31, 16)
#define VMQNIC_POOL_RSS_TYPES		0x10
#define   VMQNIC_RSS_IPV4		BIT(0)
#define   VMQNIC_RSS_TCP_IPV4		BIT(1)
#define   VMQNIC_RSS_UDP_IPV4		BIT(2)
#define   VMQNIC_RSS_IPV6		BIT(3)
#define   VMQNIC_RSS_TCP_IPV6		BIT(4)
#define   VMQNIC_RSS_UDP_IPV6		BIT(5)
#define   VMQNIC_RSS_IPV6_EX		BIT(6)
#define   VMQNIC_RSS_TCP_IPV6_EX	BIT(7)
#define   VMQNIC_RSS_UDP_IPV6_EX	BIT(8)
#define VMQNIC_POOL_SPOOF_DROPS		0x14
#define VMQNIC_POOL_RSS_KEY(k)		(0x40 + 4 * (k))
#define VMQNIC_POOL_RETA(k)		(0x80 + 4 * (k))

/* Per-pool VLAN membership bitmap, 128 words */
#define VMQNIC_POOL_VLAN(p, w)		(0x24000 + 0x200 * (p) + 4 * (w))

/* MAC filter table */
#define VMQNIC_MACF_REG(i, r)		(0x30000 + 0x20 * (i) + (r))
#define VMQNIC_MACF_LO			0x00
#define VMQNIC_MACF_HI			0x04
#define   VMQNIC_MACF_HI_VALID		BIT(31)
#define VMQNIC_MACF_POOLS_LO		0x08
#define VMQNIC_MACF_POOLS_HI		0x0c
#define VMQNIC_MACF_VLAN		0x10
#define   VMQNIC_MACF_VLAN_VID_MASK	GENMASK(11, 0)
#define   VMQNIC_MACF_VLAN_MODE_MASK	GENMASK(17, 16)
#define VMQNIC_MACF_MODE_ANY		0
#define VMQNIC_MACF_MODE_EXACT		1
#define VMQNIC_MACF_MODE_UNTAGGED	2

/* ---- Descriptors (little endian, 16 bytes) ---- */

enum vmqnic_err {
	VMQNIC_ERR_NONE = 0,
	VMQNIC_ERR_BAD_BASE = 1,
	VMQNIC_ERR_BAD_LEN = 2,
	VMQNIC_ERR_BAD_TAIL = 3,
	VMQNIC_ERR_DMA = 4,
	VMQNIC_ERR_BAD_DESC = 5,
	VMQNIC_ERR_BAD_BUFSZ = 6,
	VMQNIC_ERR_BAD_OFFLOAD = 7,
	VMQNIC_ERR_TOO_BIG = 8,
	VMQNIC_ERR_SPOOF = 9,
	VMQNIC_ERR_BAD_VECTOR = 10,
	VMQNIC_ERR_BAD_VALUE = 11,
};

struct vmqnic_tx_desc {
	__le64 addr;
	__le16 len;
	u8 cmd;
	u8 sta;
	__le16 vlan;
	__le16 mss;
};

#define VMQNIC_TXD_CMD_EOP		BIT(0)
#define VMQNIC_TXD_CMD_RS		BIT(1)
#define VMQNIC_TXD_CMD_IPCS		BIT(2)
#define VMQNIC_TXD_CMD_L4CS		BIT(3)
#define VMQNIC_TXD_CMD_TSO		BIT(4)
#define VMQNIC_TXD_CMD_VLE		BIT(5)
#define VMQNIC_TXD_STA_DD		BIT(0)
#define VMQNIC_TXD_STA_ERR		BIT(1)
#define VMQNIC_TXD_STA_ERRCODE_MASK	GENMASK(7, 4)

/* RX descriptor: read format and write-back format share 16 bytes */
union vmqnic_rx_desc {
	struct {
		__le64 addr;
		__le64 rsvd;
	} read;
	struct {
		__le32 rss_hash;
		__le16 len;
		__le16 vlan;
		__le16 status;
		u8 pool;
		u8 hash_type;
		__le16 queue;
		u8 ptype;
		u8 errcode;
	} wb;
};

#define VMQNIC_RXD_STA_DD		BIT(0)
#define VMQNIC_RXD_STA_EOP		BIT(1)
#define VMQNIC_RXD_STA_VP		BIT(2)
#define VMQNIC_RXD_STA_L3CK		BIT(3)
#define VMQNIC_RXD_STA_L4CK		BIT(4)
#define VMQNIC_RXD_STA_L3ERR		BIT(5)
#define VMQNIC_RXD_STA_L4ERR		BIT(6)
#define VMQNIC_RXD_STA_BCAST		BIT(7)
#define VMQNIC_RXD_STA_MCAST		BIT(8)
#define VMQNIC_RXD_STA_LB		BIT(9)
#define VMQNIC_RXD_STA_RSSV		BIT(10)
#define VMQNIC_RXD_STA_ERR		BIT(15)

#define VMQNIC_RXD_PTYPE_IPV4		BIT(0)
#define VMQNIC_RXD_PTYPE_IPV6		BIT(1)
#define VMQNIC_RXD_PTYPE_TCP		BIT(2)
#define VMQNIC_RXD_PTYPE_UDP		BIT(3)
#define VMQNIC_RXD_PTYPE_VLAN		BIT(4)
#define VMQNIC_RXD_PTYPE_IPV6_EX	BIT(5)

enum vmqnic_hash_type {
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

#endif /* _VMQNIC_HW_H_ */

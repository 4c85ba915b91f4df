/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmqnic: Linux driver for the vmqnic emulated VMDq NIC
 *
 * Copyright (c) 2026 The vmqnic developers
 */

#ifndef _VMQNIC_H_
#define _VMQNIC_H_

#include <linux/dim.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "vmqnic_hw.h"

#define VMQNIC_DRV_NAME		"vmqnic"

#define VMQNIC_DEFAULT_RING	256
#define VMQNIC_MIN_RING		64
#define VMQNIC_RX_REFILL_BATCH	16	/* buffers per RX doorbell in NAPI */
#define VMQNIC_MAX_RING		4096
#define VMQNIC_DEFAULT_ITR	50	/* us */
#define VMQNIC_RX_COPYBREAK	256
#define VMQNIC_WATCHDOG_PERIOD	(2 * HZ)
#define VMQNIC_RX_HDR_LEN	256
/* Frame size above the MTU: Ethernet header and two VLAN tags */
#define VMQNIC_FRAME_OVERHEAD	(ETH_HLEN + 2 * VLAN_HLEN)
/* Descriptors kept free so that a frame of any size always fits */
#define VMQNIC_TX_WAKE_THRESH	(VMQNIC_TX_MAX_DESC_PER_FRAME + 2)

struct vmqnic_adapter;
struct vmqnic_station;

struct vmqnic_tx_buf {
	struct sk_buff *skb;		/* first descriptor of a frame */
	unsigned int bytecount;		/* first descriptor of a frame */
	unsigned short gso_segs;	/* first descriptor of a frame */
	u16 eop;			/* first descriptor: index of the last */
	DEFINE_DMA_UNMAP_ADDR(dma);
	DEFINE_DMA_UNMAP_LEN(len);	/* 0: nothing to unmap */
	bool mapped_page;
};

struct vmqnic_rx_buf {
	struct page *page;
	dma_addr_t dma;
};

struct vmqnic_ring_stats {
	u64 packets;
	u64 bytes;
};

struct vmqnic_ring {
	struct vmqnic_qpair *qp;
	void *desc;			/* descriptor ring memory */
	dma_addr_t desc_dma;
	u32 count;			/* descriptors, a power of two */
	u32 next_to_use;
	u32 next_to_clean;
	union {
		struct vmqnic_tx_buf *tx_buf;
		struct vmqnic_rx_buf *rx_buf;
	};
	struct sk_buff *skb;		/* RX: frame spanning several polls */
	bool discard;			/* RX: dropping a frame until its EOP */
	void __iomem *tail;

	struct u64_stats_sync syncp;
	struct vmqnic_ring_stats stats;
	u64 restarts;			/* TX: queue stopped for lack of room */
	u64 alloc_failed;		/* RX: buffer or skb allocation failed */
	u64 csum_err;			/* RX: device found a bad checksum */
	u64 hw_errors;			/* RX/TX: descriptor reported ERR */
};

/* One queue pair: an RX and a TX ring, one vector, one NAPI context */
struct vmqnic_qpair {
	struct vmqnic_adapter *ad;
	struct napi_struct napi;
	u16 index;			/* absolute device queue number */
	u16 vector;			/* device vector: index + 1 */
	bool active;			/* rings set up and enabled */
	/* Device whose frames the pair carries: the PF or a macvlan */
	struct net_device *netdev;
	struct vmqnic_ring tx;
	struct vmqnic_ring rx;
	/* Adaptive moderation: net_dim's state, fed once per NAPI completion */
	struct dim dim;
	u16 dim_events;
	char irq_name[IFNAMSIZ + 16];
};

/* A macvlan offloaded to a pool of its own (L2 forwarding offload) */
struct vmqnic_station {
	struct net_device *vdev;
	u16 pool;
	int macf;			/* MAC filter entry */
};

enum vmqnic_macf_owner {
	VMQNIC_MACF_FREE,
	VMQNIC_MACF_PF,			/* entry 0: the PF's own address */
	VMQNIC_MACF_UC,			/* the PF's secondary unicast list */
	VMQNIC_MACF_STATION,
};

struct vmqnic_macf {
	u8 addr[ETH_ALEN];
	u8 pool;
	u8 owner;
};

struct vmqnic_adapter {
	struct net_device *netdev;
	struct pci_dev *pdev;
	void __iomem *hw;

	/* Capabilities read from the device */
	u32 num_queues;
	u32 num_pools;
	u32 num_macf;
	u32 num_vectors;
	u32 features;
	u32 max_frame;
	u32 link_speed;
	u32 ring_min;
	u32 ring_max;

	/* Interrupts */
	int int_mode;			/* VMQNIC_INT_MODE_* */
	int num_irqs;			/* MSI-X vectors allocated */
	u32 nq;				/* queue pairs the driver may use */
	struct vmqnic_qpair *qp;	/* nq entries */
	char misc_name[IFNAMSIZ + 16];

	/* Pool layout: pool p owns queues p << qpp_log2 .. */
	u32 qpp_log2;
	u32 num_ch;			/* queues of pool 0 used by the PF */
	u32 max_pools;			/* usable pools, pool 0 included */
	struct vmqnic_station *st[VMQNIC_MAX_POOLS];
	u32 num_stations;

	u32 tx_ring_size;
	u32 rx_ring_size;
	u32 rx_buf_size;
	u32 itr;			/* VEC_ITR.INTERVAL of queue vectors */
	bool adaptive;			/* net_dim sets the interval instead */

	/* RSS of pool 0; stations use the same key */
	u8 rss_key[VMQNIC_RSS_KEY_SIZE];
	u8 reta[VMQNIC_RSS_RETA_SIZE];
	u32 rss_types;

	/* Receive filters, protected by filter_lock */
	spinlock_t filter_lock;
	struct vmqnic_macf *macf;	/* num_macf entries */
	bool accept_unmatched;		/* promiscuous or unicast overflow */
	u32 pool0_rx_flags;		/* POOL_CTRL bits set by rx_mode */
	u32 vlans[VMQNIC_VLAN_WORDS];	/* pool 0 VLAN membership */

	/* Serialises LO/HI reads of the 64-bit counters */
	spinlock_t stats_lock;

	struct work_struct reset_task;
	struct delayed_work watchdog;	/* every VMQNIC_WATCHDOG_PERIOD when up */
	bool up;
};

static inline u32 vmqnic_rd(struct vmqnic_adapter *ad, u32 reg)
{
	return readl(ad->hw + reg);
}

static inline void vmqnic_wr(struct vmqnic_adapter *ad, u32 reg, u32 val)
{
	writel(val, ad->hw + reg);
}

/*
 * Whether net_dim moderates the queue vectors.  Turned on only after every
 * queue pair's net_dim state was reset: NAPI and the net_dim work that see
 * it on see that state too.
 */
static inline bool vmqnic_adaptive(struct vmqnic_adapter *ad)
{
	/* Pairs with smp_store_release() in vmqnic_set_adaptive() */
	return smp_load_acquire(&ad->adaptive);
}

static inline u32 vmqnic_qpp(struct vmqnic_adapter *ad)
{
	return 1U << ad->qpp_log2;
}

/* vmqnic_main.c */
u64 vmqnic_read_counter(struct vmqnic_adapter *ad, u32 reg);
void vmqnic_write_vmdq_ctrl(struct vmqnic_adapter *ad);
u32 vmqnic_pool_maxframe(struct vmqnic_adapter *ad);
int vmqnic_reinit(struct vmqnic_adapter *ad);
u32 vmqnic_max_channels(struct vmqnic_adapter *ad);
void vmqnic_set_layout(struct vmqnic_adapter *ad, u32 num_ch);
void vmqnic_set_ethtool_ops(struct net_device *netdev);

/* vmqnic_ring.c */
int vmqnic_qp_start(struct vmqnic_qpair *qp, struct net_device *netdev);
void vmqnic_qp_stop(struct vmqnic_qpair *qp);
netdev_tx_t vmqnic_xmit_frame(struct sk_buff *skb, struct net_device *netdev);
int vmqnic_poll(struct napi_struct *napi, int budget);
bool vmqnic_rx_starved(struct vmqnic_qpair *qp);
void vmqnic_vec_enable(struct vmqnic_adapter *ad, u32 vector);
void vmqnic_vec_disable(struct vmqnic_adapter *ad, u32 vector);
void vmqnic_dim_work(struct work_struct *work);
void vmqnic_dim_reset(struct vmqnic_qpair *qp);
u32 vmqnic_qp_itr(struct vmqnic_qpair *qp);

/* vmqnic_filter.c */
void vmqnic_set_rx_mode(struct net_device *netdev);
void vmqnic_write_filters(struct vmqnic_adapter *ad);
void vmqnic_set_pf_mac(struct vmqnic_adapter *ad);
int vmqnic_vlan_rx_add_vid(struct net_device *netdev, __be16 proto, u16 vid);
int vmqnic_vlan_rx_kill_vid(struct net_device *netdev, __be16 proto, u16 vid);
void vmqnic_write_pool0_ctrl(struct vmqnic_adapter *ad);
void vmqnic_write_rss(struct vmqnic_adapter *ad, u32 pool);
void vmqnic_default_reta(struct vmqnic_adapter *ad);
int vmqnic_station_up(struct vmqnic_adapter *ad, struct vmqnic_station *st);
void vmqnic_station_down(struct vmqnic_adapter *ad, struct vmqnic_station *st);
void *vmqnic_dfwd_add_station(struct net_device *pdev, struct net_device *vdev);
void vmqnic_dfwd_del_station(struct net_device *pdev, void *priv);
void vmqnic_release_stations(struct vmqnic_adapter *ad);

#endif /* _VMQNIC_H_ */

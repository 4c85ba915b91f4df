// SPDX-License-Identifier: GPL-2.0
/*
 * vmqnic: descriptor rings, transmit, receive and NAPI
 *
 * Copyright (c) 2026 The vmqnic developers
 */

#include <linux/if_macvlan.h>
#include <linux/if_vlan.h>
#include <linux/iopoll.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>

#include "vmqnic.h"

#define VMQNIC_STOP_TIMEOUT_US	100000	/* spec: a ring stops within 100 ms */

void vmqnic_vec_enable(struct vmqnic_adapter *ad, u32 vector)
{
	vmqnic_wr(ad, VMQNIC_VEC_IMS(vector / 32), BIT(vector % 32));
}

void vmqnic_vec_disable(struct vmqnic_adapter *ad, u32 vector)
{
	vmqnic_wr(ad, VMQNIC_VEC_IMC(vector / 32), BIT(vector % 32));
}

static u32 vmqnic_ring_unused(const struct vmqnic_ring *ring)
{
	return (ring->next_to_clean - ring->next_to_use - 1) & (ring->count - 1);
}

static struct device *vmqnic_dev(struct vmqnic_qpair *qp)
{
	return &qp->ad->pdev->dev;
}

static union vmqnic_rx_desc *vmqnic_rx_desc(struct vmqnic_ring *ring, u32 i)
{
	return (union vmqnic_rx_desc *)ring->desc + i;
}

static struct vmqnic_tx_desc *vmqnic_tx_desc_at(struct vmqnic_ring *ring,
						u32 i)
{
	return (struct vmqnic_tx_desc *)ring->desc + i;
}

/* ---- Ring registers ---- */

static u32 vmqnic_ring_reg(struct vmqnic_qpair *qp, bool tx, u32 reg)
{
	return tx ? VMQNIC_TXQ_REG(qp->index, reg) :
		    VMQNIC_RXQ_REG(qp->index, reg);
}

/* Clear Q_CTRL.ENABLE and wait for Q_STATUS.STOPPED (Disabling a queue) */
static int vmqnic_ring_disable(struct vmqnic_qpair *qp, bool tx)
{
	struct vmqnic_adapter *ad = qp->ad;
	u32 status;
	int err;

	vmqnic_wr(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_CTRL), 0);
	err = readl_poll_timeout(ad->hw + vmqnic_ring_reg(qp, tx,
							  VMQNIC_Q_STATUS),
				 status, status & VMQNIC_Q_STATUS_STOPPED,
				 10, VMQNIC_STOP_TIMEOUT_US);
	if (err) {
		netdev_err(ad->netdev, "%s ring %u does not stop\n",
			   tx ? "TX" : "RX", qp->index);
		schedule_work(&ad->reset_task);
	}
	return err;
}

/* Write the ring registers; the ring must be disabled (Enabling a queue) */
static void vmqnic_ring_program(struct vmqnic_qpair *qp, bool tx,
				struct vmqnic_ring *ring)
{
	struct vmqnic_adapter *ad = qp->ad;

	vmqnic_wr(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_BASE_LO),
		  lower_32_bits(ring->desc_dma));
	vmqnic_wr(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_BASE_HI),
		  upper_32_bits(ring->desc_dma));
	vmqnic_wr(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_LEN), ring->count);
	if (!tx)
		vmqnic_wr(ad, VMQNIC_RXQ_REG(qp->index, VMQNIC_Q_BUFSZ),
			  ad->rx_buf_size);
	vmqnic_wr(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_VEC),
		  VMQNIC_VEC_VALID | qp->vector);
	vmqnic_wr(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_TAIL),
		  ring->next_to_use);
	ring->tail = ad->hw + vmqnic_ring_reg(qp, tx, VMQNIC_Q_TAIL);
}

static int vmqnic_ring_enable(struct vmqnic_qpair *qp, bool tx)
{
	struct vmqnic_adapter *ad = qp->ad;
	u32 status;

	/* RX rings never hold frames back: a full ring drops (DROP_EN) */
	vmqnic_wr(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_CTRL),
		  VMQNIC_Q_CTRL_ENABLE | (tx ? 0 : VMQNIC_Q_CTRL_DROP_EN));
	status = vmqnic_rd(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_STATUS));
	if (!(status & VMQNIC_Q_STATUS_ENABLED)) {
		netdev_err(ad->netdev, "%s ring %u refused, error %u\n",
			   tx ? "TX" : "RX", qp->index,
			   vmqnic_rd(ad, vmqnic_ring_reg(qp, tx, VMQNIC_Q_ERR)));
		return -EIO;
	}
	return 0;
}

/* ---- Ring memory ---- */

static int vmqnic_ring_alloc(struct vmqnic_qpair *qp, struct vmqnic_ring *ring,
			     u32 count, size_t buf_size)
{
	ring->qp = qp;
	ring->count = count;
	ring->next_to_use = 0;
	ring->next_to_clean = 0;
	ring->skb = NULL;
	ring->discard = false;
	ring->desc = dma_alloc_coherent(vmqnic_dev(qp), count * 16,
					&ring->desc_dma, GFP_KERNEL);
	if (!ring->desc)
		return -ENOMEM;
	ring->tx_buf = kvcalloc(count, buf_size, GFP_KERNEL);
	if (!ring->tx_buf) {
		dma_free_coherent(vmqnic_dev(qp), count * 16, ring->desc,
				  ring->desc_dma);
		ring->desc = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void vmqnic_ring_free(struct vmqnic_qpair *qp, struct vmqnic_ring *ring)
{
	kvfree(ring->tx_buf);
	ring->tx_buf = NULL;
	if (ring->desc)
		dma_free_coherent(vmqnic_dev(qp), ring->count * 16, ring->desc,
				  ring->desc_dma);
	ring->desc = NULL;
}

static void vmqnic_tx_unmap(struct vmqnic_qpair *qp, struct vmqnic_tx_buf *buf)
{
	if (!dma_unmap_len(buf, len))
		return;
	if (buf->mapped_page)
		dma_unmap_page(vmqnic_dev(qp), dma_unmap_addr(buf, dma),
			       dma_unmap_len(buf, len), DMA_TO_DEVICE);
	else
		dma_unmap_single(vmqnic_dev(qp), dma_unmap_addr(buf, dma),
				 dma_unmap_len(buf, len), DMA_TO_DEVICE);
	dma_unmap_len_set(buf, len, 0);
}

/* Free what the stopped TX ring still holds */
static void vmqnic_tx_drain(struct vmqnic_qpair *qp)
{
	struct vmqnic_ring *ring = &qp->tx;
	u32 i;

	for (i = 0; i < ring->count; i++) {
		struct vmqnic_tx_buf *buf = &ring->tx_buf[i];

		vmqnic_tx_unmap(qp, buf);
		dev_kfree_skb_any(buf->skb);
		buf->skb = NULL;
	}
	netdev_tx_reset_queue(netdev_get_tx_queue(qp->ad->netdev, qp->index));
}

static void vmqnic_rx_drain(struct vmqnic_qpair *qp)
{
	struct vmqnic_ring *ring = &qp->rx;
	u32 i;

	for (i = 0; i < ring->count; i++) {
		struct vmqnic_rx_buf *buf = &ring->rx_buf[i];

		if (!buf->page)
			continue;
		dma_unmap_page(vmqnic_dev(qp), buf->dma, qp->ad->rx_buf_size,
			       DMA_FROM_DEVICE);
		__free_page(buf->page);
		buf->page = NULL;
	}
	dev_kfree_skb_any(ring->skb);
	ring->skb = NULL;
}

/* ---- Receive ---- */

static bool rx_alloc_fail;
module_param(rx_alloc_fail, bool, 0644);
MODULE_PARM_DESC(rx_alloc_fail,
		 "Fail every RX buffer page allocation (to test recovery)");

static bool vmqnic_rx_get_page(struct vmqnic_qpair *qp,
			       struct vmqnic_rx_buf *buf, gfp_t gfp)
{
	struct page *page;
	dma_addr_t dma;

	if (buf->page)		/* recycled after a copy-break */
		return true;
	if (unlikely(READ_ONCE(rx_alloc_fail)))
		return false;
	page = alloc_page(gfp | __GFP_NOWARN);
	if (!page)
		return false;
	dma = dma_map_page(vmqnic_dev(qp), page, 0, qp->ad->rx_buf_size,
			   DMA_FROM_DEVICE);
	if (dma_mapping_error(vmqnic_dev(qp), dma)) {
		__free_page(page);
		return false;
	}
	buf->page = page;
	buf->dma = dma;
	return true;
}

/* Give every free descriptor a buffer and move Q_TAIL (Receiving, 2) */
static void vmqnic_rx_refill(struct vmqnic_qpair *qp, gfp_t gfp)
{
	struct vmqnic_ring *ring = &qp->rx;
	u32 ntu = ring->next_to_use;
	u32 n = vmqnic_ring_unused(ring);

	while (n--) {
		union vmqnic_rx_desc *desc = vmqnic_rx_desc(ring, ntu);
		struct vmqnic_rx_buf *buf = &ring->rx_buf[ntu];

		if (!vmqnic_rx_get_page(qp, buf, gfp)) {
			ring->alloc_failed++;
			break;
		}
		desc->read.addr = cpu_to_le64(buf->dma);
		desc->read.rsvd = 0;	/* clears DD */
		ntu = (ntu + 1) & (ring->count - 1);
	}
	if (ntu == ring->next_to_use)
		return;
	ring->next_to_use = ntu;
	/* writel() orders the descriptor writes before the doorbell */
	if (ring->tail)
		writel(ntu, ring->tail);
}

/*
 * The device holds fewer buffers of the pair's RX ring than a frame of
 * the MTU needs: page allocations of its refills failed.  Frames that do
 * not fit are held back or dropped, none interrupts the queue, so its
 * NAPI poll, the only place that refills, might not run again.  Read
 * outside NAPI: a stale answer costs one spurious interrupt or a retry.
 */
bool vmqnic_rx_starved(struct vmqnic_qpair *qp)
{
	struct vmqnic_adapter *ad = qp->ad;
	struct vmqnic_ring *ring = &qp->rx;
	u32 posted = (READ_ONCE(ring->next_to_use) -
		      READ_ONCE(ring->next_to_clean)) & (ring->count - 1);

	return READ_ONCE(qp->active) &&
	       posted < DIV_ROUND_UP(READ_ONCE(ad->netdev->mtu) +
				     VMQNIC_FRAME_OVERHEAD, ad->rx_buf_size);
}

static void vmqnic_rx_recycle(struct vmqnic_qpair *qp,
			      struct vmqnic_rx_buf *buf, u32 len)
{
	dma_sync_single_range_for_device(vmqnic_dev(qp), buf->dma, 0, len,
					 DMA_FROM_DEVICE);
}

static void vmqnic_rx_add_page(struct vmqnic_qpair *qp, struct sk_buff *skb,
			       struct vmqnic_rx_buf *buf, u32 len)
{
	dma_unmap_page(vmqnic_dev(qp), buf->dma, qp->ad->rx_buf_size,
		       DMA_FROM_DEVICE);
	skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, buf->page, 0, len,
			PAGE_SIZE);
	buf->page = NULL;
}

/* Start a frame with its first buffer; NULL if out of memory */
static struct sk_buff *vmqnic_rx_first(struct vmqnic_qpair *qp,
				       struct vmqnic_rx_buf *buf, u32 len,
				       bool eop)
{
	struct sk_buff *skb;

	if (eop && len <= VMQNIC_RX_COPYBREAK) {
		skb = napi_alloc_skb(&qp->napi, len);
		if (skb)
			skb_put_data(skb, page_address(buf->page), len);
		vmqnic_rx_recycle(qp, buf, len);
		return skb;
	}
	skb = napi_alloc_skb(&qp->napi, VMQNIC_RX_HDR_LEN);
	if (!skb) {
		vmqnic_rx_recycle(qp, buf, len);
		return NULL;
	}
	vmqnic_rx_add_page(qp, skb, buf, len);
	return skb;
}

static void vmqnic_rx_deliver(struct vmqnic_qpair *qp, struct sk_buff *skb,
			      union vmqnic_rx_desc *desc, u16 status)
{
	struct vmqnic_adapter *ad = qp->ad;
	struct net_device *netdev = READ_ONCE(qp->netdev);
	netdev_features_t features = ad->netdev->features;
	struct vmqnic_ring *ring = &qp->rx;
	u8 hash_type;

	/* Move the headers of a paged frame into the linear part */
	if (!skb_headlen(skb)) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[0];
		u32 hlen = eth_get_headlen(netdev, skb_frag_address(frag),
					   min_t(u32, skb_frag_size(frag),
						 VMQNIC_RX_HDR_LEN));

		if (!__pskb_pull_tail(skb, max_t(u32, hlen, ETH_HLEN))) {
			dev_kfree_skb_any(skb);
			ring->alloc_failed++;
			return;
		}
	}

	if ((features & NETIF_F_RXCSUM) && (status & VMQNIC_RXD_STA_L4CK)) {
		if ((status & VMQNIC_RXD_STA_L4ERR) ||
		    ((status & VMQNIC_RXD_STA_L3CK) &&
		     (status & VMQNIC_RXD_STA_L3ERR)))
			ring->csum_err++;
		else
			skb->ip_summed = CHECKSUM_UNNECESSARY;
	}

	hash_type = desc->wb.hash_type;
	if ((features & NETIF_F_RXHASH) && (status & VMQNIC_RXD_STA_RSSV)) {
		bool l4 = hash_type != VMQNIC_HASH_IPV4 &&
			  hash_type != VMQNIC_HASH_IPV6 &&
			  hash_type != VMQNIC_HASH_IPV6_EX;

		skb_set_hash(skb, le32_to_cpu(desc->wb.rss_hash),
			     l4 ? PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
	}

	if (status & VMQNIC_RXD_STA_VP)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q),
				       le16_to_cpu(desc->wb.vlan));

	u64_stats_update_begin(&ring->syncp);
	ring->stats.packets++;
	ring->stats.bytes += skb->len;
	u64_stats_update_end(&ring->syncp);

	if (netdev == ad->netdev)
		skb_record_rx_queue(skb, qp->index);
	skb->protocol = eth_type_trans(skb, netdev);
	if (netif_is_macvlan(netdev))
		macvlan_count_rx(netdev_priv(netdev), skb->len + ETH_HLEN,
				 true, false);
	napi_gro_receive(&qp->napi, skb);
}

static int vmqnic_clean_rx(struct vmqnic_qpair *qp, int budget)
{
	struct vmqnic_ring *ring = &qp->rx;
	struct sk_buff *skb = ring->skb;
	u32 ntc = ring->next_to_clean;
	int done = 0;

	/*
	 * A frame may span polls: its skb waits in ring->skb, or, if it is
	 * being dropped, ring->discard stays set until its last buffer.
	 */
	while (done < budget && ntc != ring->next_to_use) {
		union vmqnic_rx_desc *desc = vmqnic_rx_desc(ring, ntc);
		struct vmqnic_rx_buf *buf = &ring->rx_buf[ntc];
		u16 status = le16_to_cpu(READ_ONCE(desc->wb.status));
		bool eop = status & VMQNIC_RXD_STA_EOP;
		u32 len;

		if (!(status & VMQNIC_RXD_STA_DD))
			break;
		dma_rmb();	/* read the other fields after DD */

		len = le16_to_cpu(desc->wb.len);
		dma_sync_single_range_for_cpu(vmqnic_dev(qp), buf->dma, 0, len,
					      DMA_FROM_DEVICE);
		if (ring->discard) {
			vmqnic_rx_recycle(qp, buf, len);
		} else if (!skb) {
			skb = vmqnic_rx_first(qp, buf, len, eop);
			ring->discard = !skb;
		} else if (skb_shinfo(skb)->nr_frags < MAX_SKB_FRAGS) {
			vmqnic_rx_add_page(qp, skb, buf, len);
		} else {
			vmqnic_rx_recycle(qp, buf, len);
			dev_kfree_skb_any(skb);
			skb = NULL;
			ring->discard = true;
		}
		ntc = (ntc + 1) & (ring->count - 1);
		if (!eop)
			continue;

		done++;
		if (ring->discard) {
			ring->discard = false;
			ring->alloc_failed++;
			continue;
		}
		if (unlikely(status & VMQNIC_RXD_STA_ERR)) {
			ring->hw_errors++;
			dev_kfree_skb_any(skb);
			skb = NULL;
			continue;
		}
		vmqnic_rx_deliver(qp, skb, desc, status);
		skb = NULL;
	}
	ring->skb = skb;
	ring->next_to_clean = ntc;
	/* Refill in batches: each doorbell is a register write (an exit) */
	if (vmqnic_ring_unused(ring) >= VMQNIC_RX_REFILL_BATCH)
		vmqnic_rx_refill(qp, GFP_ATOMIC);
	return done;
}

/* ---- Transmit ---- */

static bool vmqnic_clean_tx(struct vmqnic_qpair *qp, int napi_budget)
{
	struct vmqnic_adapter *ad = qp->ad;
	struct vmqnic_ring *ring = &qp->tx;
	struct netdev_queue *txq = netdev_get_tx_queue(ad->netdev, qp->index);
	u32 ntc = ring->next_to_clean;
	unsigned int pkts = 0, bytes = 0, frames = 0;
	u32 limit = ring->count / 2;

	while (ntc != ring->next_to_use && frames < limit) {
		struct vmqnic_tx_buf *first = &ring->tx_buf[ntc];
		struct vmqnic_tx_desc *eop = vmqnic_tx_desc_at(ring, first->eop);
		u8 sta = READ_ONCE(eop->sta);

		if (!(sta & VMQNIC_TXD_STA_DD))
			break;
		dma_rmb();
		if (sta & VMQNIC_TXD_STA_ERR)
			ring->hw_errors++;

		bytes += first->bytecount;
		pkts += first->gso_segs;
		frames++;
		napi_consume_skb(first->skb, napi_budget);
		first->skb = NULL;
		for (;;) {
			struct vmqnic_tx_buf *buf = &ring->tx_buf[ntc];
			bool last = ntc == first->eop;

			vmqnic_tx_unmap(qp, buf);
			ntc = (ntc + 1) & (ring->count - 1);
			if (last)
				break;
		}
	}
	ring->next_to_clean = ntc;

	u64_stats_update_begin(&ring->syncp);
	ring->stats.packets += pkts;
	ring->stats.bytes += bytes;
	u64_stats_update_end(&ring->syncp);
	netdev_tx_completed_queue(txq, frames, bytes);

	if (frames && vmqnic_ring_unused(ring) >= VMQNIC_TX_WAKE_THRESH) {
		/* Pairs with the barrier in vmqnic_maybe_stop_tx() */
		smp_mb();
		if (netif_tx_queue_stopped(txq) && READ_ONCE(qp->active)) {
			netif_tx_wake_queue(txq);
			ring->restarts++;
		}
	}
	return frames < limit;
}

/* Descriptors needed for a region: each holds at most 16128 bytes */
static u32 vmqnic_tx_desc_count(struct sk_buff *skb)
{
	u32 n = DIV_ROUND_UP(skb_headlen(skb), VMQNIC_TX_MAX_BUF);
	u32 f;

	for (f = 0; f < skb_shinfo(skb)->nr_frags; f++)
		n += DIV_ROUND_UP(skb_frag_size(&skb_shinfo(skb)->frags[f]),
				  VMQNIC_TX_MAX_BUF);
	return n;
}

/* Checksum and segmentation requests of the frame's first descriptor */
static int vmqnic_tx_offload(struct sk_buff *skb, u8 *cmd, u16 *mss)
{
	__be16 proto = vlan_get_protocol(skb);
	u8 l4 = 0;

	if (skb_is_gso(skb)) {
		*cmd |= VMQNIC_TXD_CMD_TSO | VMQNIC_TXD_CMD_L4CS;
		if (proto == htons(ETH_P_IP))
			*cmd |= VMQNIC_TXD_CMD_IPCS;
		*mss = skb_shinfo(skb)->gso_size;
		return 0;
	}
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return 0;

	if (proto == htons(ETH_P_IP))
		l4 = ip_hdr(skb)->protocol;
	else if (proto == htons(ETH_P_IPV6))
		l4 = ipv6_hdr(skb)->nexthdr;

	/*
	 * The device finds the L4 header itself; it computes TCP and UDP
	 * checksums only.  Anything else (IPv6 extension headers in the
	 * way, encapsulation) is done here.
	 */
	if ((l4 == IPPROTO_TCP || l4 == IPPROTO_UDP) && !skb->encapsulation &&
	    skb_checksum_start_offset(skb) == skb_transport_offset(skb)) {
		*cmd |= VMQNIC_TXD_CMD_L4CS;
		return 0;
	}
	return skb_checksum_help(skb);
}

static void vmqnic_maybe_stop_tx(struct vmqnic_ring *ring,
				 struct netdev_queue *txq)
{
	if (likely(vmqnic_ring_unused(ring) >= VMQNIC_TX_WAKE_THRESH))
		return;
	netif_tx_stop_queue(txq);
	/* Pairs with the barrier in vmqnic_clean_tx() */
	smp_mb();
	if (vmqnic_ring_unused(ring) >= VMQNIC_TX_WAKE_THRESH)
		netif_tx_start_queue(txq);
}

static void vmqnic_tx_desc(struct vmqnic_ring *ring, u32 i, dma_addr_t dma,
			   u32 len, u8 cmd, u16 vlan, u16 mss)
{
	struct vmqnic_tx_desc *desc = vmqnic_tx_desc_at(ring, i);

	desc->addr = cpu_to_le64(dma);
	desc->len = cpu_to_le16(len);
	desc->cmd = cmd;
	desc->sta = 0;
	desc->vlan = cpu_to_le16(vlan);
	desc->mss = cpu_to_le16(mss);
}

/* Map one buffer of the frame into as many descriptors as it needs */
static int vmqnic_tx_map(struct vmqnic_qpair *qp, u32 *i, u32 *n, bool page,
			 dma_addr_t dma, u32 size, u8 cmd, u16 vlan, u16 mss)
{
	struct vmqnic_ring *ring = &qp->tx;
	struct vmqnic_tx_buf *buf = &ring->tx_buf[*i];

	if (dma_mapping_error(vmqnic_dev(qp), dma))
		return -ENOMEM;
	/* The first descriptor of the buffer remembers the mapping */
	dma_unmap_addr_set(buf, dma, dma);
	dma_unmap_len_set(buf, len, size);
	buf->mapped_page = page;
	while (size) {
		u32 chunk = min_t(u32, size, VMQNIC_TX_MAX_BUF);

		if (buf != &ring->tx_buf[*i])
			dma_unmap_len_set(&ring->tx_buf[*i], len, 0);
		/* Offload requests belong to the frame's first descriptor */
		if (*n)
			vmqnic_tx_desc(ring, *i, dma, chunk, 0, 0, 0);
		else
			vmqnic_tx_desc(ring, *i, dma, chunk, cmd, vlan, mss);
		*i = (*i + 1) & (ring->count - 1);
		(*n)++;
		dma += chunk;
		size -= chunk;
	}
	return 0;
}

netdev_tx_t vmqnic_xmit_frame(struct sk_buff *skb, struct net_device *netdev)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u16 q = skb_get_queue_mapping(skb);
	struct skb_shared_info *shinfo;
	struct vmqnic_tx_buf *buf;
	struct netdev_queue *txq;
	struct vmqnic_ring *ring;
	struct vmqnic_qpair *qp;
	u32 first, i, f, nd, n = 0, last;
	u16 mss = 0, vlan = 0;
	u8 cmd = 0;

	if (unlikely(q >= ad->nq))
		goto drop;
	qp = &ad->qp[q];
	ring = &qp->tx;
	txq = netdev_get_tx_queue(netdev, q);
	/* A station's queue may be going away (vmqnic_dfwd_del_station) */
	if (unlikely(!READ_ONCE(qp->active)))
		goto drop;

	/*
	 * Short frames are sent as they are: the device does not need a
	 * minimum length, and a receiving vmqnic pads runts itself.
	 */
	nd = vmqnic_tx_desc_count(skb);
	if (nd > VMQNIC_TX_MAX_DESC_PER_FRAME) {
		if (skb_linearize(skb))
			goto drop;
		nd = vmqnic_tx_desc_count(skb);
	}
	if (unlikely(vmqnic_ring_unused(ring) < nd)) {
		netif_tx_stop_queue(txq);
		ring->restarts++;
		return NETDEV_TX_BUSY;
	}

	if (vmqnic_tx_offload(skb, &cmd, &mss))
		goto drop;
	/* Only now: linearising may have moved the skb's data */
	shinfo = skb_shinfo(skb);
	if (skb_vlan_tag_present(skb)) {
		cmd |= VMQNIC_TXD_CMD_VLE;
		vlan = skb_vlan_tag_get(skb);
	}

	first = ring->next_to_use;
	i = first;
	if (skb_headlen(skb) &&
	    vmqnic_tx_map(qp, &i, &n, false,
			  dma_map_single(vmqnic_dev(qp), skb->data,
					 skb_headlen(skb), DMA_TO_DEVICE),
			  skb_headlen(skb), cmd, vlan, mss))
		goto unmap;
	for (f = 0; f < shinfo->nr_frags; f++) {
		skb_frag_t *frag = &shinfo->frags[f];
		u32 size = skb_frag_size(frag);

		if (!size)
			continue;
		if (vmqnic_tx_map(qp, &i, &n, true,
				  skb_frag_dma_map(vmqnic_dev(qp), frag, 0,
						   size, DMA_TO_DEVICE),
				  size, cmd, vlan, mss))
			goto unmap;
	}
	if (unlikely(!n))
		goto drop;
	last = (i - 1) & (ring->count - 1);
	vmqnic_tx_desc_at(ring, last)->cmd |= VMQNIC_TXD_CMD_EOP |
					       VMQNIC_TXD_CMD_RS;

	buf = &ring->tx_buf[first];
	buf->skb = skb;
	buf->bytecount = skb->len;
	buf->gso_segs = shinfo->gso_segs ?: 1;
	buf->eop = last;
	skb_tx_timestamp(skb);

	ring->next_to_use = i;
	vmqnic_maybe_stop_tx(ring, txq);
	/* writel() orders the descriptor writes before the doorbell */
	if (__netdev_tx_sent_queue(txq, skb->len, netdev_xmit_more()))
		writel(ring->next_to_use, ring->tail);
	return NETDEV_TX_OK;

unmap:
	while (first != i) {
		vmqnic_tx_unmap(qp, &ring->tx_buf[first]);
		first = (first + 1) & (ring->count - 1);
	}
drop:
	dev_kfree_skb_any(skb);
	dev_core_stats_tx_dropped_inc(netdev);
	return NETDEV_TX_OK;
}

/* ---- Adaptive interrupt moderation ---- */

/*
 * With adaptive-rx on, the kernel's net_dim library picks the interval of
 * each queue pair's vector from its profile table, from the packets and
 * bytes seen per interrupt; net_dim starts at its profile 1 (8 us).
 */
#define VMQNIC_DIM_START_PROFILE	1

/* The interval a queue pair's vector is programmed with */
u32 vmqnic_qp_itr(struct vmqnic_qpair *qp)
{
	if (vmqnic_adaptive(qp->ad))
		return net_dim_get_rx_moderation(qp->dim.mode,
						 qp->dim.profile_ix).usec;
	return qp->ad->itr;
}

/* Back to the starting profile; neither NAPI nor the work may run it */
void vmqnic_dim_reset(struct vmqnic_qpair *qp)
{
	struct dim *dim = &qp->dim;

	memset(&dim->prev_stats, 0, sizeof(dim->prev_stats));
	dim->state = DIM_START_MEASURE;
	dim->mode = DIM_CQ_PERIOD_MODE_START_FROM_EQE;
	dim->profile_ix = VMQNIC_DIM_START_PROFILE;
	dim->tune_state = DIM_PARKING_ON_TOP;
	dim->steps_right = 0;
	dim->steps_left = 0;
	dim->tired = 0;
}

/* net_dim chose another profile: program it */
void vmqnic_dim_work(struct work_struct *work)
{
	struct dim *dim = container_of(work, struct dim, work);
	struct vmqnic_qpair *qp = container_of(dim, struct vmqnic_qpair, dim);

	if (READ_ONCE(qp->active) && vmqnic_adaptive(qp->ad))
		vmqnic_wr(qp->ad, VMQNIC_VEC_ITR(qp->vector),
			  VMQNIC_VEC_ITR_AUTOMASK | vmqnic_qp_itr(qp));
	dim->state = DIM_START_MEASURE;
}

/* One sample per interrupt: what the pair's rings moved so far */
static void vmqnic_dim_update(struct vmqnic_qpair *qp)
{
	struct dim_sample sample;

	if (!vmqnic_adaptive(qp->ad))
		return;
	dim_update_sample(++qp->dim_events,
			  qp->rx.stats.packets + qp->tx.stats.packets,
			  qp->rx.stats.bytes + qp->tx.stats.bytes, &sample);
	net_dim(&qp->dim, sample);
}

/* ---- NAPI ---- */

int vmqnic_poll(struct napi_struct *napi, int budget)
{
	struct vmqnic_qpair *qp = container_of(napi, struct vmqnic_qpair, napi);
	bool tx_done;
	int work;

	tx_done = vmqnic_clean_tx(qp, budget);
	if (budget <= 0)
		return budget;
	work = vmqnic_clean_rx(qp, budget);
	if (!tx_done || work == budget)
		return budget;

	/* The vector was masked when it fired (automask): unmask it */
	if (napi_complete_done(napi, work) && READ_ONCE(qp->active)) {
		vmqnic_dim_update(qp);
		vmqnic_vec_enable(qp->ad, qp->vector);
	}
	return min(work, budget - 1);
}

/* ---- Queue pair start and stop ---- */

int vmqnic_qp_start(struct vmqnic_qpair *qp, struct net_device *netdev)
{
	struct vmqnic_adapter *ad = qp->ad;
	int err;

	/* Both rings must be disabled before they are reprogrammed */
	vmqnic_ring_disable(qp, true);
	vmqnic_ring_disable(qp, false);

	err = vmqnic_ring_alloc(qp, &qp->tx, ad->tx_ring_size,
				sizeof(struct vmqnic_tx_buf));
	if (err)
		return err;
	err = vmqnic_ring_alloc(qp, &qp->rx, ad->rx_ring_size,
				sizeof(struct vmqnic_rx_buf));
	if (err)
		goto free_tx;

	WRITE_ONCE(qp->netdev, netdev);
	vmqnic_ring_program(qp, true, &qp->tx);
	qp->rx.tail = NULL;	/* no doorbell before the registers are set */
	vmqnic_rx_refill(qp, GFP_KERNEL);
	vmqnic_ring_program(qp, false, &qp->rx);

	err = vmqnic_ring_enable(qp, true);
	if (!err)
		err = vmqnic_ring_enable(qp, false);
	if (err)
		goto disable;

	vmqnic_dim_reset(qp);
	vmqnic_wr(ad, VMQNIC_VEC_ITR(qp->vector),
		  VMQNIC_VEC_ITR_AUTOMASK | vmqnic_qp_itr(qp));
	napi_enable(&qp->napi);
	WRITE_ONCE(qp->active, true);
	netif_tx_wake_queue(netdev_get_tx_queue(ad->netdev, qp->index));
	vmqnic_vec_enable(ad, qp->vector);
	return 0;

disable:
	vmqnic_ring_disable(qp, true);
	vmqnic_ring_disable(qp, false);
	vmqnic_rx_drain(qp);
	vmqnic_ring_free(qp, &qp->rx);
free_tx:
	vmqnic_ring_free(qp, &qp->tx);
	return err;
}

void vmqnic_qp_stop(struct vmqnic_qpair *qp)
{
	struct vmqnic_adapter *ad = qp->ad;
	struct netdev_queue *txq = netdev_get_tx_queue(ad->netdev, qp->index);

	if (!qp->active)
		return;

	/* No transmit may be running on the ring once active is clear */
	__netif_tx_lock_bh(txq);
	WRITE_ONCE(qp->active, false);
	__netif_tx_unlock_bh(txq);

	vmqnic_vec_disable(ad, qp->vector);
	vmqnic_ring_disable(qp, true);
	vmqnic_ring_disable(qp, false);
	if (ad->int_mode == VMQNIC_INT_MODE_MSIX)
		synchronize_irq(pci_irq_vector(ad->pdev, qp->vector));
	napi_disable(&qp->napi);
	cancel_work_sync(&qp->dim.work);
	vmqnic_vec_disable(ad, qp->vector);

	vmqnic_tx_drain(qp);
	vmqnic_rx_drain(qp);
	vmqnic_ring_free(qp, &qp->tx);
	vmqnic_ring_free(qp, &qp->rx);
	WRITE_ONCE(qp->netdev, ad->netdev);
}

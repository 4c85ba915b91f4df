// SPDX-License-Identifier: GPL-2.0
/*
 * vmqnic: PCI probe and remove, interrupts, open and stop, netdev ops
 *
 * Driver for the vmqnic emulated PCI Express Ethernet adapter with VMDq
 * pools (docs/specs/vmqnic.rst in the QEMU tree).
 *
 * Copyright (c) 2026 The vmqnic developers
 */

#include <linux/if_vlan.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/tcp.h>

#include "vmqnic.h"

static unsigned int max_queues = 32;
module_param(max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues,
		 "Most queue pairs the driver uses, PF and macvlan pools together (default 32)");

static int int_mode = -1;
module_param(int_mode, int, 0444);
MODULE_PARM_DESC(int_mode,
		 "Interrupt mode: -1 best available (default), 0 INTx, 1 MSI, 2 MSI-X");

static const struct pci_device_id vmqnic_pci_tbl[] = {
	{ PCI_DEVICE(VMQNIC_PCI_VENDOR_ID, VMQNIC_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vmqnic_pci_tbl);

/* 64-bit counter: LO loads the device's latch, HI reads it */
u64 vmqnic_read_counter(struct vmqnic_adapter *ad, u32 reg)
{
	unsigned long flags;
	u32 lo, hi;

	spin_lock_irqsave(&ad->stats_lock, flags);
	lo = vmqnic_rd(ad, reg);
	hi = vmqnic_rd(ad, reg + 4);
	spin_unlock_irqrestore(&ad->stats_lock, flags);
	return (u64)hi << 32 | lo;
}

static u64 vmqnic_stat(struct vmqnic_adapter *ad, enum vmqnic_stat s)
{
	return vmqnic_read_counter(ad, VMQNIC_STAT(s));
}

u32 vmqnic_pool_maxframe(struct vmqnic_adapter *ad)
{
	return min(ad->netdev->mtu + VMQNIC_FRAME_OVERHEAD, ad->max_frame);
}

/* Caller holds filter_lock */
void vmqnic_write_vmdq_ctrl(struct vmqnic_adapter *ad)
{
	u32 val = FIELD_PREP(VMQNIC_VMDQ_QPP_LOG2_MASK, ad->qpp_log2) |
		  VMQNIC_VMDQ_REPL_EN | VMQNIC_VMDQ_VLAN_FILTER_EN;

	if (!ad->accept_unmatched)
		val |= VMQNIC_VMDQ_DROP_UNMATCHED;
	/* The PF and its stations reach each other through the switch */
	if (ad->num_stations && (ad->features & VMQNIC_F_LOOPBACK))
		val |= VMQNIC_VMDQ_LOOPBACK_EN;
	vmqnic_wr(ad, VMQNIC_VMDQ_CTRL, val);
}

/* ---- Interrupts ---- */

static void vmqnic_check_link(struct vmqnic_adapter *ad)
{
	struct net_device *netdev = ad->netdev;
	bool up = vmqnic_rd(ad, VMQNIC_STATUS) & VMQNIC_STATUS_LINK_UP;

	if (!ad->up)
		return;
	if (up && !netif_carrier_ok(netdev)) {
		netdev_info(netdev, "link up, %u Mbps, full duplex\n",
			    ad->link_speed);
		netif_carrier_on(netdev);
	} else if (!up && netif_carrier_ok(netdev)) {
		netdev_info(netdev, "link down\n");
		netif_carrier_off(netdev);
	}
}

static void vmqnic_handle_misc(struct vmqnic_adapter *ad)
{
	u32 icr = vmqnic_rd(ad, VMQNIC_MISC_ICR);

	vmqnic_wr(ad, VMQNIC_MISC_ICR, icr);
	if (icr & VMQNIC_MISC_LINK)
		vmqnic_check_link(ad);
	if (icr & VMQNIC_MISC_QERR) {
		netdev_err(ad->netdev, "queue error, ERR_INFO %#x\n",
			   vmqnic_rd(ad, VMQNIC_ERR_INFO));
		schedule_work(&ad->reset_task);
	}
	if (icr & VMQNIC_MISC_SPOOF) {
		u32 lo = vmqnic_rd(ad, VMQNIC_SPOOF_POOLS_LO);
		u32 hi = vmqnic_rd(ad, VMQNIC_SPOOF_POOLS_HI);

		vmqnic_wr(ad, VMQNIC_SPOOF_POOLS_LO, lo);
		vmqnic_wr(ad, VMQNIC_SPOOF_POOLS_HI, hi);
		if (net_ratelimit())
			netdev_warn(ad->netdev,
				    "spoofed frames dropped, pools %#010x%08x\n",
				    hi, lo);
	}
}

/* MSI-X vector 0: miscellaneous causes */
static irqreturn_t vmqnic_msix_misc(int irq, void *data)
{
	struct vmqnic_adapter *ad = data;

	vmqnic_handle_misc(ad);
	vmqnic_vec_enable(ad, 0);	/* automask cleared it */
	return IRQ_HANDLED;
}

/* MSI-X vector q + 1: queue pair q; automask has masked the vector */
static irqreturn_t vmqnic_msix_queue(int irq, void *data)
{
	struct vmqnic_qpair *qp = data;

	napi_schedule_irqoff(&qp->napi);
	return IRQ_HANDLED;
}

/* MSI or INTx: one interrupt for all vectors, VEC_ICR tells which fired */
static irqreturn_t vmqnic_intr(int irq, void *data)
{
	struct vmqnic_adapter *ad = data;
	u32 nvw = DIV_ROUND_UP(ad->nq + 1, 32);
	bool handled = false;
	u32 w;

	for (w = 0; w < nvw; w++) {
		unsigned long icr = vmqnic_rd(ad, VMQNIC_VEC_ICR(w));
		u32 b;

		if (!icr)
			continue;
		vmqnic_wr(ad, VMQNIC_VEC_ICR(w), icr);
		handled = true;
		for_each_set_bit(b, &icr, 32) {
			u32 v = 32 * w + b;

			if (v == 0) {
				vmqnic_handle_misc(ad);
				vmqnic_vec_enable(ad, 0);
			} else if (v <= ad->nq) {
				napi_schedule_irqoff(&ad->qp[v - 1].napi);
			}
		}
	}
	return handled ? IRQ_HANDLED : IRQ_NONE;
}

static int vmqnic_alloc_irqs(struct vmqnic_adapter *ad, u32 want)
{
	struct pci_dev *pdev = ad->pdev;
	unsigned int flags = 0;
	int n;

	/*
	 * Not managed affinity (PCI_IRQ_AFFINITY): that would give no more
	 * queue vectors than CPUs, and macvlan pools need vectors of their
	 * own.  vmqnic_request_irqs() spreads the queue vectors instead.
	 */
	if ((ad->features & VMQNIC_F_MSIX) && (int_mode < 0 || int_mode == 2)) {
		n = pci_alloc_irq_vectors(pdev, 2,
					  min(want + 1, ad->num_vectors),
					  PCI_IRQ_MSIX);
		if (n > 0) {
			ad->int_mode = VMQNIC_INT_MODE_MSIX;
			ad->num_irqs = n;
			ad->nq = n - 1;
			return 0;
		}
	}
	if ((ad->features & VMQNIC_F_MSI) && (int_mode < 0 || int_mode == 1))
		flags |= PCI_IRQ_MSI;
	if ((ad->features & VMQNIC_F_INTX) && int_mode <= 0)
		flags |= PCI_IRQ_LEGACY;
	if (!flags)
		return -ENODEV;
	n = pci_alloc_irq_vectors(pdev, 1, 1, flags);
	if (n < 0)
		return n;
	ad->int_mode = pdev->msi_enabled ? VMQNIC_INT_MODE_MSI :
					   VMQNIC_INT_MODE_INTX;
	ad->num_irqs = 1;
	ad->nq = want;	/* the device vectors all share the interrupt */
	return 0;
}

static void vmqnic_free_irqs(struct vmqnic_adapter *ad)
{
	u32 q;

	if (ad->int_mode == VMQNIC_INT_MODE_MSIX) {
		free_irq(pci_irq_vector(ad->pdev, 0), ad);
		for (q = 0; q < ad->nq; q++) {
			int irq = pci_irq_vector(ad->pdev, q + 1);

			irq_set_affinity_hint(irq, NULL);
			free_irq(irq, &ad->qp[q]);
		}
	} else {
		free_irq(pci_irq_vector(ad->pdev, 0), ad);
	}
}

static int vmqnic_request_irqs(struct vmqnic_adapter *ad)
{
	struct pci_dev *pdev = ad->pdev;
	int err, cpu;
	u32 q;

	if (ad->int_mode != VMQNIC_INT_MODE_MSIX) {
		snprintf(ad->misc_name, sizeof(ad->misc_name), "%s-%s",
			 VMQNIC_DRV_NAME, pci_name(pdev));
		return request_irq(pci_irq_vector(pdev, 0), vmqnic_intr,
				   ad->int_mode == VMQNIC_INT_MODE_INTX ?
				   IRQF_SHARED : 0, ad->misc_name, ad);
	}

	snprintf(ad->misc_name, sizeof(ad->misc_name), "%s-%s-misc",
		 VMQNIC_DRV_NAME, pci_name(pdev));
	err = request_irq(pci_irq_vector(pdev, 0), vmqnic_msix_misc, 0,
			  ad->misc_name, ad);
	if (err)
		return err;
	for (q = 0; q < ad->nq; q++) {
		struct vmqnic_qpair *qp = &ad->qp[q];

		snprintf(qp->irq_name, sizeof(qp->irq_name), "%s-%s-q%u",
			 VMQNIC_DRV_NAME, pci_name(pdev), q);
		err = request_irq(pci_irq_vector(pdev, qp->vector),
				  vmqnic_msix_queue, 0, qp->irq_name, qp);
		if (err)
			goto free;
		/* Spread the queue vectors over the CPUs */
		cpu = cpumask_local_spread(q, dev_to_node(&pdev->dev));
		irq_set_affinity_hint(pci_irq_vector(pdev, qp->vector),
				      cpumask_of(cpu));
	}
	return 0;

free:
	while (q--) {
		irq_set_affinity_hint(pci_irq_vector(pdev, q + 1), NULL);
		free_irq(pci_irq_vector(pdev, q + 1), &ad->qp[q]);
	}
	free_irq(pci_irq_vector(pdev, 0), ad);
	return err;
}

/* ---- Bring-up and tear-down ---- */

static void vmqnic_hw_reset(struct vmqnic_adapter *ad)
{
	vmqnic_wr(ad, VMQNIC_CTRL, VMQNIC_CTRL_RST);
	vmqnic_rd(ad, VMQNIC_STATUS);	/* flush the posted write */
}

static int vmqnic_up(struct vmqnic_adapter *ad)
{
	struct net_device *netdev = ad->netdev;
	int err;
	u32 q, p;

	err = netif_set_real_num_tx_queues(netdev,
					   ad->max_pools << ad->qpp_log2);
	if (!err)
		err = netif_set_real_num_rx_queues(netdev, ad->num_ch);
	if (err)
		return err;

	/* Global configuration (Initialisation, steps 4-6) */
	vmqnic_wr(ad, VMQNIC_CTRL, 0);
	vmqnic_wr(ad, VMQNIC_MISC_VEC, VMQNIC_VEC_VALID | 0);
	vmqnic_wr(ad, VMQNIC_VEC_ITR(0), VMQNIC_VEC_ITR_AUTOMASK);
	vmqnic_wr(ad, VMQNIC_POOL_REG(0, VMQNIC_POOL_MAXFRAME),
		  vmqnic_pool_maxframe(ad));
	vmqnic_wr(ad, VMQNIC_POOL_REG(0, VMQNIC_POOL_DEFVLAN), 0);
	vmqnic_write_rss(ad, 0);
	/* Pools that no station owns neither receive nor transmit */
	for (p = 1; p < ad->num_pools; p++)
		if (!ad->st[p])
			vmqnic_wr(ad, VMQNIC_POOL_REG(p, VMQNIC_POOL_CTRL), 0);
	vmqnic_write_filters(ad);	/* also VMDQ_CTRL with QPP_LOG2 */

	/* Rings of pool 0 (step 7), then the stations' pools */
	for (q = 0; q < ad->num_ch; q++) {
		err = vmqnic_qp_start(&ad->qp[q], netdev);
		if (err)
			goto stop;
	}
	ad->up = true;
	for (p = 1; p < VMQNIC_MAX_POOLS; p++) {
		if (!ad->st[p])
			continue;
		if (vmqnic_station_up(ad, ad->st[p]))
			netdev_err(netdev, "cannot restore pool %u of %s\n",
				   p, ad->st[p]->vdev->name);
	}

	vmqnic_wr(ad, VMQNIC_MISC_ICR, VMQNIC_MISC_CAUSES);
	vmqnic_wr(ad, VMQNIC_MISC_IMS,
		  VMQNIC_MISC_LINK | VMQNIC_MISC_QERR | VMQNIC_MISC_SPOOF);
	vmqnic_vec_enable(ad, 0);
	vmqnic_wr(ad, VMQNIC_CTRL, VMQNIC_CTRL_RX_EN | VMQNIC_CTRL_TX_EN);

	netif_tx_start_all_queues(netdev);
	vmqnic_check_link(ad);
	schedule_delayed_work(&ad->watchdog, VMQNIC_WATCHDOG_PERIOD);
	return 0;

stop:
	while (q--)
		vmqnic_qp_stop(&ad->qp[q]);
	return err;
}

static void vmqnic_down(struct vmqnic_adapter *ad)
{
	struct net_device *netdev = ad->netdev;
	u32 q, p;

	ad->up = false;
	cancel_delayed_work_sync(&ad->watchdog);
	netif_carrier_off(netdev);
	netif_tx_disable(netdev);
	vmqnic_wr(ad, VMQNIC_CTRL, 0);	/* Stopping, step 1 */

	for (p = 1; p < VMQNIC_MAX_POOLS; p++)
		if (ad->st[p])
			vmqnic_station_down(ad, ad->st[p]);
	for (q = 0; q < ad->num_ch; q++)
		vmqnic_qp_stop(&ad->qp[q]);

	vmqnic_wr(ad, VMQNIC_MISC_IMC, VMQNIC_MISC_CAUSES);
	vmqnic_vec_disable(ad, 0);
}

/* Apply a new layout or ring size: the caller holds RTNL */
int vmqnic_reinit(struct vmqnic_adapter *ad)
{
	if (!netif_running(ad->netdev))
		return 0;
	vmqnic_down(ad);
	return vmqnic_up(ad);
}

/*
 * While up, every VMQNIC_WATCHDOG_PERIOD: a queue pair whose RX ring the
 * driver could not refill (out of pages) holds too few buffers for a
 * frame, so no frame may interrupt it again.  Fire its vector (VEC_ICS):
 * the NAPI poll retries the refill, as igb's watchdog does with EICS.
 */
static void vmqnic_watchdog(struct work_struct *work)
{
	struct vmqnic_adapter *ad = container_of(to_delayed_work(work),
						 struct vmqnic_adapter,
						 watchdog);
	u32 q;

	for (q = 0; q < ad->nq; q++) {
		struct vmqnic_qpair *qp = &ad->qp[q];

		if (vmqnic_rx_starved(qp))
			vmqnic_wr(ad, VMQNIC_VEC_ICS(qp->vector / 32),
				  BIT(qp->vector % 32));
	}
	schedule_delayed_work(&ad->watchdog, VMQNIC_WATCHDOG_PERIOD);
}

static void vmqnic_reset_task(struct work_struct *work)
{
	struct vmqnic_adapter *ad = container_of(work, struct vmqnic_adapter,
						 reset_task);
	u32 q;

	rtnl_lock();
	if (!netif_running(ad->netdev) || !ad->up)
		goto out;
	for (q = 0; q < ad->nq; q++) {
		u32 rx = vmqnic_rd(ad, VMQNIC_RXQ_REG(q, VMQNIC_Q_STATUS));
		u32 tx = vmqnic_rd(ad, VMQNIC_TXQ_REG(q, VMQNIC_Q_STATUS));

		if (rx & VMQNIC_Q_STATUS_ERROR)
			netdev_err(ad->netdev, "RX ring %u stopped, error %u\n",
				   q, vmqnic_rd(ad, VMQNIC_RXQ_REG(q, VMQNIC_Q_ERR)));
		if (tx & VMQNIC_Q_STATUS_ERROR)
			netdev_err(ad->netdev, "TX ring %u stopped, error %u\n",
				   q, vmqnic_rd(ad, VMQNIC_TXQ_REG(q, VMQNIC_Q_ERR)));
	}
	netdev_warn(ad->netdev, "resetting the device\n");
	vmqnic_down(ad);
	vmqnic_hw_reset(ad);
	if (vmqnic_up(ad))
		netdev_err(ad->netdev, "reset failed\n");
out:
	rtnl_unlock();
}

/* ---- net_device_ops ---- */

static int vmqnic_open(struct net_device *netdev)
{
	return vmqnic_up(netdev_priv(netdev));
}

static int vmqnic_stop(struct net_device *netdev)
{
	vmqnic_down(netdev_priv(netdev));
	return 0;
}

static int vmqnic_change_mtu(struct net_device *netdev, int mtu)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 p;

	netdev->mtu = mtu;
	if (!ad->up)
		return 0;
	/* Stations may not be bigger than the PF: they share its limit */
	vmqnic_wr(ad, VMQNIC_POOL_REG(0, VMQNIC_POOL_MAXFRAME),
		  vmqnic_pool_maxframe(ad));
	for (p = 1; p < VMQNIC_MAX_POOLS; p++)
		if (ad->st[p])
			vmqnic_wr(ad, VMQNIC_POOL_REG(p, VMQNIC_POOL_MAXFRAME),
				  vmqnic_pool_maxframe(ad));
	return 0;
}

static int vmqnic_set_mac(struct net_device *netdev, void *p)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	int err;

	err = eth_prepare_mac_addr_change(netdev, p);
	if (err)
		return err;
	eth_commit_mac_addr_change(netdev, p);
	vmqnic_set_pf_mac(ad);
	return 0;
}

static void vmqnic_get_stats64(struct net_device *netdev,
			       struct rtnl_link_stats64 *stats)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 q;

	/* Packets and bytes of the PF's own queues (not the stations') */
	for (q = 0; q < ad->num_ch; q++) {
		struct vmqnic_qpair *qp = &ad->qp[q];
		unsigned int start;
		u64 p, b;

		do {
			start = u64_stats_fetch_begin(&qp->rx.syncp);
			p = qp->rx.stats.packets;
			b = qp->rx.stats.bytes;
		} while (u64_stats_fetch_retry(&qp->rx.syncp, start));
		stats->rx_packets += p;
		stats->rx_bytes += b;
		do {
			start = u64_stats_fetch_begin(&qp->tx.syncp);
			p = qp->tx.stats.packets;
			b = qp->tx.stats.bytes;
		} while (u64_stats_fetch_retry(&qp->tx.syncp, start));
		stats->tx_packets += p;
		stats->tx_bytes += b;
	}
	/* Drops and errors: the device-wide counters */
	stats->rx_dropped = vmqnic_stat(ad, VMQNIC_STAT_RX_DROPS);
	stats->rx_errors = vmqnic_stat(ad, VMQNIC_STAT_RX_ERRS);
	stats->tx_dropped = vmqnic_stat(ad, VMQNIC_STAT_TX_DROPS);
	stats->tx_errors = vmqnic_stat(ad, VMQNIC_STAT_TX_ERRS);
	stats->multicast = vmqnic_stat(ad, VMQNIC_STAT_RX_MCAST);
}

static u16 vmqnic_select_queue(struct net_device *netdev, struct sk_buff *skb,
			       struct net_device *sb_dev)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	int pool = sb_dev ? netdev_get_sb_channel(sb_dev) : 0;
	u32 base = 0, count = ad->num_ch;

	/* A macvlan's frames use its pool's queues (dev_queue_xmit_accel) */
	if (pool > 0 && pool < VMQNIC_MAX_POOLS && READ_ONCE(ad->st[pool])) {
		base = pool << ad->qpp_log2;
		count = vmqnic_qpp(ad);
	}
	if (count == 1)
		return base;
	if (base)
		return base + reciprocal_scale(skb_get_hash(skb), count);
	/*
	 * The PF's own queues: the stack's choice (XPS, the queue cached in
	 * the socket, the recorded RX queue or the flow hash), so a connected
	 * socket's frames do not each pay for a flow hash
	 */
	return netdev_pick_tx(netdev, skb, NULL) % count;
}

static netdev_features_t vmqnic_features_check(struct sk_buff *skb,
					       struct net_device *netdev,
					       netdev_features_t features)
{
	features = vlan_features_check(skb, features);
	if (skb_is_gso(skb)) {
		u32 mss = skb_shinfo(skb)->gso_size;

		/* Limits of TSO (Transmit offloads) */
		if (mss < VMQNIC_TSO_MSS_MIN || mss > VMQNIC_TSO_MSS_MAX ||
		    skb_transport_offset(skb) + tcp_hdrlen(skb) > 256)
			features &= ~NETIF_F_GSO_MASK;
	}
	return features;
}

static int vmqnic_set_features(struct net_device *netdev,
			       netdev_features_t features)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	netdev_features_t changed = netdev->features ^ features;
	u32 p;

	netdev->features = features;
	if (changed & (NETIF_F_HW_VLAN_CTAG_RX | NETIF_F_HW_VLAN_CTAG_FILTER)) {
		spin_lock_bh(&ad->filter_lock);
		vmqnic_write_pool0_ctrl(ad);
		spin_unlock_bh(&ad->filter_lock);
		for (p = 1; p < VMQNIC_MAX_POOLS; p++) {
			u32 reg = VMQNIC_POOL_REG(p, VMQNIC_POOL_CTRL);
			u32 ctrl;

			if (!ad->st[p] || !ad->up)
				continue;
			ctrl = vmqnic_rd(ad, reg) & ~VMQNIC_POOL_VLAN_STRIP;
			if (features & NETIF_F_HW_VLAN_CTAG_RX)
				ctrl |= VMQNIC_POOL_VLAN_STRIP;
			vmqnic_wr(ad, reg, ctrl);
		}
	}
	if ((changed & NETIF_F_HW_L2FW_DOFFLOAD) &&
	    !(features & NETIF_F_HW_L2FW_DOFFLOAD))
		vmqnic_release_stations(ad);
	return 0;
}

static void vmqnic_tx_timeout(struct net_device *netdev, unsigned int txq)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);

	netdev_warn(netdev, "TX queue %u timed out, head %u tail %u\n", txq,
		    vmqnic_rd(ad, VMQNIC_TXQ_REG(txq, VMQNIC_Q_HEAD)),
		    vmqnic_rd(ad, VMQNIC_TXQ_REG(txq, VMQNIC_Q_TAIL)));
	schedule_work(&ad->reset_task);
}

static const struct net_device_ops vmqnic_netdev_ops = {
	.ndo_open		= vmqnic_open,
	.ndo_stop		= vmqnic_stop,
	.ndo_start_xmit		= vmqnic_xmit_frame,
	.ndo_select_queue	= vmqnic_select_queue,
	.ndo_features_check	= vmqnic_features_check,
	.ndo_set_features	= vmqnic_set_features,
	.ndo_set_rx_mode	= vmqnic_set_rx_mode,
	.ndo_set_mac_address	= vmqnic_set_mac,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= vmqnic_change_mtu,
	.ndo_get_stats64	= vmqnic_get_stats64,
	.ndo_vlan_rx_add_vid	= vmqnic_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid	= vmqnic_vlan_rx_kill_vid,
	.ndo_tx_timeout		= vmqnic_tx_timeout,
	.ndo_dfwd_add_station	= vmqnic_dfwd_add_station,
	.ndo_dfwd_del_station	= vmqnic_dfwd_del_station,
};

/* ---- Probe and remove ---- */

static int vmqnic_read_caps(struct vmqnic_adapter *ad)
{
	struct device *dev = &ad->pdev->dev;
	u32 id = vmqnic_rd(ad, VMQNIC_ID);
	u32 version = vmqnic_rd(ad, VMQNIC_VERSION);
	u32 limits;

	if (id != VMQNIC_ID_MAGIC) {
		dev_err(dev, "bad ID %#x\n", id);
		return -ENODEV;
	}
	if (FIELD_GET(VMQNIC_VERSION_MAJOR_MASK, version) !=
	    VMQNIC_VERSION_MAJOR) {
		dev_err(dev, "unsupported version %#x\n", version);
		return -ENODEV;
	}
	ad->num_queues = vmqnic_rd(ad, VMQNIC_NUM_QUEUES);
	ad->num_pools = vmqnic_rd(ad, VMQNIC_NUM_POOLS);
	ad->num_macf = vmqnic_rd(ad, VMQNIC_NUM_MAC_FILTERS);
	ad->num_vectors = vmqnic_rd(ad, VMQNIC_NUM_VECTORS);
	ad->features = vmqnic_rd(ad, VMQNIC_FEATURES);
	ad->max_frame = vmqnic_rd(ad, VMQNIC_MAX_FRAME_REG);
	ad->link_speed = vmqnic_rd(ad, VMQNIC_LINK_SPEED);
	limits = vmqnic_rd(ad, VMQNIC_RING_LIMITS);
	ad->ring_min = 1U << FIELD_GET(VMQNIC_RING_LIMITS_MIN_MASK, limits);
	ad->ring_max = 1U << FIELD_GET(VMQNIC_RING_LIMITS_MAX_MASK, limits);

	if (!(ad->features & VMQNIC_F_RINGS)) {
		dev_err(dev, "device has no rings (FEATURES %#x)\n",
			ad->features);
		return -ENODEV;
	}
	if (!ad->num_queues || ad->num_queues > VMQNIC_MAX_QUEUES ||
	    !ad->num_pools || ad->num_pools > VMQNIC_MAX_POOLS ||
	    !ad->num_macf || ad->num_vectors < 2 ||
	    ad->max_frame > VMQNIC_MAX_FRAME ||
	    ad->max_frame < ETH_FRAME_LEN + VMQNIC_FRAME_OVERHEAD - ETH_HLEN) {
		dev_err(dev, "implausible capabilities\n");
		return -ENODEV;
	}
	if (!(ad->features & VMQNIC_F_VMDQ))
		ad->num_pools = 1;
	return 0;
}

/* Most channels ethtool -L may ask for (see vmqnic_set_layout) */
u32 vmqnic_max_channels(struct vmqnic_adapter *ad)
{
	u32 n = min(ad->nq, rounddown_pow_of_two(ad->num_queues));

	if (!(ad->features & VMQNIC_F_RSS))
		return 1;
	/* With stations the pool size is fixed */
	if (ad->num_stations)
		return min(n, vmqnic_qpp(ad));
	return n;
}

/*
 * Pool layout for num_ch PF queues: pools of the next power of two,
 * which also gives each station as many queues.
 */
void vmqnic_set_layout(struct vmqnic_adapter *ad, u32 num_ch)
{
	u32 active;

	ad->num_ch = num_ch;
	if (!ad->num_stations)
		ad->qpp_log2 = order_base_2(num_ch);
	active = min(ad->num_pools, ad->num_queues >> ad->qpp_log2);
	ad->max_pools = min(active, ad->nq >> ad->qpp_log2);
	if (!netif_is_rxfh_configured(ad->netdev))
		vmqnic_default_reta(ad);
}

static void vmqnic_init_netdev(struct vmqnic_adapter *ad)
{
	struct net_device *netdev = ad->netdev;
	netdev_features_t hw = NETIF_F_SG | NETIF_F_RXHASH | NETIF_F_HIGHDMA;
	u8 addr[ETH_ALEN];
	u32 lo, hi;

	if (ad->features & VMQNIC_F_CSUM)
		hw |= NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | NETIF_F_RXCSUM;
	if ((ad->features & (VMQNIC_F_CSUM | VMQNIC_F_TSO)) ==
	    (VMQNIC_F_CSUM | VMQNIC_F_TSO))
		hw |= NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_TSO_ECN;
	if (ad->features & VMQNIC_F_VLAN_OFFLOAD)
		hw |= NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_CTAG_RX;
	netdev->vlan_features = hw & ~(NETIF_F_HW_VLAN_CTAG_TX |
				       NETIF_F_HW_VLAN_CTAG_RX);
	netdev->features = hw | NETIF_F_HW_VLAN_CTAG_FILTER;
	if (ad->max_pools > 1)
		hw |= NETIF_F_HW_L2FW_DOFFLOAD;
	netdev->hw_features = hw | NETIF_F_HW_VLAN_CTAG_FILTER;
	netdev->priv_flags |= IFF_UNICAST_FLT | IFF_LIVE_ADDR_CHANGE;
	netif_set_tso_max_size(netdev, VMQNIC_TSO_MAX - ETH_HLEN - VLAN_HLEN);

	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = ETH_DATA_LEN;
	if (ad->features & VMQNIC_F_JUMBO)
		netdev->max_mtu = ad->max_frame - VMQNIC_FRAME_OVERHEAD;

	netdev->netdev_ops = &vmqnic_netdev_ops;
	vmqnic_set_ethtool_ops(netdev);
	netdev->watchdog_timeo = 5 * HZ;

	lo = vmqnic_rd(ad, VMQNIC_PERM_MAC_LO);
	hi = vmqnic_rd(ad, VMQNIC_PERM_MAC_HI);
	put_unaligned_le32(lo, addr);
	put_unaligned_le16(hi, addr + 4);
	if (is_valid_ether_addr(addr)) {
		eth_hw_addr_set(netdev, addr);
		ether_addr_copy(netdev->perm_addr, addr);
	} else {
		dev_warn(&ad->pdev->dev, "invalid MAC %pM, using a random one\n",
			 addr);
		eth_hw_addr_random(netdev);
	}
}

static int vmqnic_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vmqnic_adapter *ad;
	struct net_device *netdev;
	void __iomem *hw;
	u32 want, q;
	int err;

	err = pci_enable_device_mem(pdev);
	if (err)
		return err;
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (err)
		goto disable;
	err = pci_request_mem_regions(pdev, VMQNIC_DRV_NAME);
	if (err)
		goto disable;
	pci_set_master(pdev);
	hw = pci_iomap(pdev, VMQNIC_MMIO_BAR, VMQNIC_MMIO_SIZE);
	if (!hw) {
		err = -EIO;
		goto release;
	}

	want = clamp_t(u32, max_queues, 1, VMQNIC_MAX_QUEUES);
	netdev = alloc_etherdev_mqs(sizeof(*ad), want, want);
	if (!netdev) {
		err = -ENOMEM;
		goto unmap;
	}
	SET_NETDEV_DEV(netdev, &pdev->dev);
	pci_set_drvdata(pdev, netdev);
	ad = netdev_priv(netdev);
	ad->netdev = netdev;
	ad->pdev = pdev;
	ad->hw = hw;
	spin_lock_init(&ad->filter_lock);
	spin_lock_init(&ad->stats_lock);
	INIT_WORK(&ad->reset_task, vmqnic_reset_task);
	INIT_DELAYED_WORK(&ad->watchdog, vmqnic_watchdog);

	err = vmqnic_read_caps(ad);
	if (err)
		goto free_netdev;
	vmqnic_hw_reset(ad);	/* Initialisation, step 3 */

	err = vmqnic_alloc_irqs(ad, min(want, ad->num_queues));
	if (err) {
		dev_err(&pdev->dev, "no usable interrupt\n");
		goto free_netdev;
	}
	ad->qp = kcalloc(ad->nq, sizeof(*ad->qp), GFP_KERNEL);
	ad->macf = kcalloc(ad->num_macf, sizeof(*ad->macf), GFP_KERNEL);
	if (!ad->qp || !ad->macf) {
		err = -ENOMEM;
		goto free_mem;
	}
	for (q = 0; q < ad->nq; q++) {
		struct vmqnic_qpair *qp = &ad->qp[q];

		qp->ad = ad;
		qp->index = q;
		qp->vector = q + 1;
		qp->netdev = netdev;
		u64_stats_init(&qp->tx.syncp);
		u64_stats_init(&qp->rx.syncp);
		INIT_WORK(&qp->dim.work, vmqnic_dim_work);
		netif_napi_add(netdev, &qp->napi, vmqnic_poll);
	}

	ad->tx_ring_size = clamp(VMQNIC_DEFAULT_RING, ad->ring_min,
				 ad->ring_max);
	ad->rx_ring_size = ad->tx_ring_size;
	ad->rx_buf_size = min_t(u32, PAGE_SIZE, VMQNIC_RX_BUF_MAX);
	ad->itr = (ad->features & VMQNIC_F_MODERATION) ? VMQNIC_DEFAULT_ITR : 0;
	netdev_rss_key_fill(ad->rss_key, sizeof(ad->rss_key));
	ad->rss_types = VMQNIC_RSS_IPV4 | VMQNIC_RSS_TCP_IPV4 |
			VMQNIC_RSS_IPV6 | VMQNIC_RSS_TCP_IPV6;
	vmqnic_set_layout(ad, min(num_online_cpus(), vmqnic_max_channels(ad)));
	vmqnic_init_netdev(ad);

	err = vmqnic_request_irqs(ad);
	if (err)
		goto free_napi;

	netif_carrier_off(netdev);
	err = register_netdev(netdev);
	if (err)
		goto free_irqs;

	netdev_info(netdev,
		    "vmqnic %pM: %u queues, %u pools, %s with %d vectors; PF uses %u queues, %u pools of %u queues usable\n",
		    netdev->dev_addr, ad->num_queues, ad->num_pools,
		    ad->int_mode == VMQNIC_INT_MODE_MSIX ? "MSI-X" :
		    ad->int_mode == VMQNIC_INT_MODE_MSI ? "MSI" : "INTx",
		    ad->int_mode == VMQNIC_INT_MODE_MSIX ? ad->num_irqs :
		    ad->nq + 1, ad->num_ch, ad->max_pools, vmqnic_qpp(ad));
	return 0;

free_irqs:
	vmqnic_free_irqs(ad);
free_napi:
	for (q = 0; q < ad->nq; q++)
		netif_napi_del(&ad->qp[q].napi);
free_mem:
	kfree(ad->macf);
	kfree(ad->qp);
	pci_free_irq_vectors(pdev);
free_netdev:
	free_netdev(netdev);
unmap:
	pci_iounmap(pdev, hw);
release:
	pci_release_mem_regions(pdev);
disable:
	pci_disable_device(pdev);
	return err;
}

static void vmqnic_remove(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	void __iomem *hw = ad->hw;
	u32 q;

	unregister_netdev(netdev);
	cancel_work_sync(&ad->reset_task);
	vmqnic_hw_reset(ad);	/* no DMA, no interrupt from now on */
	vmqnic_free_irqs(ad);
	for (q = 0; q < ad->nq; q++)
		netif_napi_del(&ad->qp[q].napi);
	pci_free_irq_vectors(pdev);
	kfree(ad->macf);
	kfree(ad->qp);
	free_netdev(netdev);
	pci_iounmap(pdev, hw);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
}

static void vmqnic_shutdown(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);

	rtnl_lock();
	netif_device_detach(netdev);
	if (netif_running(netdev))
		vmqnic_down(netdev_priv(netdev));
	rtnl_unlock();
	vmqnic_hw_reset(netdev_priv(netdev));
	pci_clear_master(pdev);
}

static struct pci_driver vmqnic_driver = {
	.name		= VMQNIC_DRV_NAME,
	.id_table	= vmqnic_pci_tbl,
	.probe		= vmqnic_probe,
	.remove		= vmqnic_remove,
	.shutdown	= vmqnic_shutdown,
};
module_pci_driver(vmqnic_driver);

MODULE_DESCRIPTION("vmqnic emulated VMDq Ethernet adapter");
MODULE_AUTHOR("The vmqnic developers");
MODULE_LICENSE("GPL");

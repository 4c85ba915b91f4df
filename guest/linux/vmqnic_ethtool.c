// SPDX-License-Identifier: GPL-2.0
/*
 * vmqnic: ethtool operations
 *
 * Copyright (c) 2026 The vmqnic developers
 */

#include <linux/ethtool.h>
#include <linux/log2.h>
#include <linux/rtnetlink.h>

#include "vmqnic.h"

static const char vmqnic_dev_stat_names[VMQNIC_NUM_STATS][ETH_GSTRING_LEN] = {
	"rx_pkts", "rx_bytes", "rx_drops", "rx_errs",
	"tx_pkts", "tx_bytes", "tx_drops", "tx_errs",
	"rx_unmatched", "rx_filtered", "rx_bcast", "rx_mcast",
	"loopback", "spoof_drops", "guest_errs", "irqs", "rx_frames",
};

static const char * const vmqnic_qstat_names[VMQNIC_NUM_QSTATS] = {
	"rx_pkts", "rx_bytes", "rx_drops", "rx_errs",
	"tx_pkts", "tx_bytes", "tx_drops", "tx_errs",
};

/* Driver counters of each queue pair, after the device's */
static const char * const vmqnic_sw_stat_names[] = {
	"pool", "rx_csum_err", "rx_alloc_failed", "tx_restarts", "desc_errors",
};

#define VMQNIC_SW_STATS		ARRAY_SIZE(vmqnic_sw_stat_names)
#define VMQNIC_Q_STATS		(VMQNIC_NUM_QSTATS + VMQNIC_SW_STATS)

/*
 * Queues shown by ethtool -S: the PF's, then those of each station's pool.
 * The list only changes under RTNL, like the ethtool calls that use it.
 */
static u32 vmqnic_stat_queues(struct vmqnic_adapter *ad, u16 *list)
{
	u32 n = 0, q, p;

	for (q = 0; q < ad->num_ch; q++)
		list[n++] = q;
	for (p = 1; p < VMQNIC_MAX_POOLS; p++) {
		if (!ad->st[p])
			continue;
		for (q = 0; q < vmqnic_qpp(ad); q++)
			list[n++] = (p << ad->qpp_log2) + q;
	}
	return n;
}

static int vmqnic_get_sset_count(struct net_device *netdev, int sset)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 nq = ad->num_ch + ad->num_stations * vmqnic_qpp(ad);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	/* Device counters, ERR_COUNT, stations, then per queue */
	return VMQNIC_NUM_STATS + 2 + nq * VMQNIC_Q_STATS;
}

static void vmqnic_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u16 list[VMQNIC_MAX_QUEUES];
	u32 n, i, s;

	if (sset != ETH_SS_STATS)
		return;
	for (s = 0; s < VMQNIC_NUM_STATS; s++)
		ethtool_sprintf(&data, "%s", vmqnic_dev_stat_names[s]);
	ethtool_sprintf(&data, "err_count");
	ethtool_sprintf(&data, "stations");
	n = vmqnic_stat_queues(ad, list);
	for (i = 0; i < n; i++) {
		for (s = 0; s < VMQNIC_NUM_QSTATS; s++)
			ethtool_sprintf(&data, "q%u_%s", list[i],
					vmqnic_qstat_names[s]);
		for (s = 0; s < VMQNIC_SW_STATS; s++)
			ethtool_sprintf(&data, "q%u_%s", list[i],
					vmqnic_sw_stat_names[s]);
	}
}

static void vmqnic_get_ethtool_stats(struct net_device *netdev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u16 list[VMQNIC_MAX_QUEUES];
	u32 n, i, s;

	for (s = 0; s < VMQNIC_NUM_STATS; s++)
		*data++ = vmqnic_read_counter(ad, VMQNIC_STAT(s));
	*data++ = vmqnic_rd(ad, VMQNIC_ERR_COUNT);
	*data++ = ad->num_stations;
	n = vmqnic_stat_queues(ad, list);
	for (i = 0; i < n; i++) {
		struct vmqnic_qpair *qp = &ad->qp[list[i]];

		for (s = 0; s < VMQNIC_NUM_QSTATS; s++)
			*data++ = vmqnic_read_counter(ad,
						      VMQNIC_QSTAT(list[i], s));
		*data++ = list[i] >> ad->qpp_log2;
		*data++ = qp->rx.csum_err;
		*data++ = qp->rx.alloc_failed;
		*data++ = qp->tx.restarts;
		*data++ = qp->rx.hw_errors + qp->tx.hw_errors;
	}
}

static void vmqnic_get_drvinfo(struct net_device *netdev,
			       struct ethtool_drvinfo *info)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 version = vmqnic_rd(ad, VMQNIC_VERSION);

	strscpy(info->driver, VMQNIC_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, pci_name(ad->pdev), sizeof(info->bus_info));
	snprintf(info->fw_version, sizeof(info->fw_version), "spec %lu.%lu",
		 FIELD_GET(VMQNIC_VERSION_MAJOR_MASK, version),
		 FIELD_GET(VMQNIC_VERSION_MINOR_MASK, version));
}

static int vmqnic_get_link_ksettings(struct net_device *netdev,
				     struct ethtool_link_ksettings *cmd)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);

	ethtool_link_ksettings_zero_link_mode(cmd, supported);
	ethtool_link_ksettings_zero_link_mode(cmd, advertising);
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	if (netif_carrier_ok(netdev)) {
		cmd->base.speed = ad->link_speed;
		cmd->base.duplex = DUPLEX_FULL;
	} else {
		cmd->base.speed = SPEED_UNKNOWN;
		cmd->base.duplex = DUPLEX_UNKNOWN;
	}
	return 0;
}

/* ---- Rings ---- */

static void vmqnic_get_ringparam(struct net_device *netdev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);

	ring->rx_max_pending = min_t(u32, VMQNIC_MAX_RING, ad->ring_max);
	ring->tx_max_pending = ring->rx_max_pending;
	ring->rx_pending = ad->rx_ring_size;
	ring->tx_pending = ad->tx_ring_size;
}

static int vmqnic_set_ringparam(struct net_device *netdev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 min = max_t(u32, VMQNIC_MIN_RING, ad->ring_min);
	u32 max = min_t(u32, VMQNIC_MAX_RING, ad->ring_max);

	if (ring->rx_mini_pending || ring->rx_jumbo_pending)
		return -EINVAL;
	/* Ring sizes are powers of two (Q_LEN) */
	ad->rx_ring_size = roundup_pow_of_two(clamp(ring->rx_pending, min, max));
	ad->tx_ring_size = roundup_pow_of_two(clamp(ring->tx_pending, min, max));
	return vmqnic_reinit(ad);
}

/* ---- Channels: the PF's queues in pool 0 ---- */

static void vmqnic_get_channels(struct net_device *netdev,
				struct ethtool_channels *ch)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);

	ch->max_combined = vmqnic_max_channels(ad);
	ch->combined_count = ad->num_ch;
	ch->max_other = 1;
	ch->other_count = 1;	/* the miscellaneous vector */
}

static int vmqnic_set_channels(struct net_device *netdev,
			       struct ethtool_channels *ch)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	bool running = netif_running(netdev);

	if (!ch->combined_count || ch->rx_count || ch->tx_count ||
	    ch->other_count != 1)
		return -EINVAL;
	if (ch->combined_count > vmqnic_max_channels(ad))
		return -EINVAL;
	if (ch->combined_count == ad->num_ch)
		return 0;

	if (running)
		netdev->netdev_ops->ndo_stop(netdev);
	vmqnic_set_layout(ad, ch->combined_count);
	if (running)
		return netdev->netdev_ops->ndo_open(netdev);
	return 0;
}

static int vmqnic_get_rxnfc(struct net_device *netdev,
			    struct ethtool_rxnfc *cmd, u32 *rule_locs)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);

	switch (cmd->cmd) {
	case ETHTOOL_GRXRINGS:
		cmd->data = ad->num_ch;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- RSS of pool 0 ---- */

static u32 vmqnic_get_rxfh_key_size(struct net_device *netdev)
{
	return VMQNIC_RSS_KEY_SIZE;
}

static u32 vmqnic_get_rxfh_indir_size(struct net_device *netdev)
{
	return VMQNIC_RSS_RETA_SIZE;
}

static int vmqnic_get_rxfh(struct net_device *netdev, u32 *indir, u8 *key,
			   u8 *hfunc)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 i;

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (indir)
		for (i = 0; i < VMQNIC_RSS_RETA_SIZE; i++)
			indir[i] = ad->reta[i];
	if (key)
		memcpy(key, ad->rss_key, VMQNIC_RSS_KEY_SIZE);
	return 0;
}

static int vmqnic_set_rxfh(struct net_device *netdev, const u32 *indir,
			   const u8 *key, const u8 hfunc)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 i;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	if (!(ad->features & VMQNIC_F_RSS))
		return -EOPNOTSUPP;
	if (indir) {
		for (i = 0; i < VMQNIC_RSS_RETA_SIZE; i++)
			if (indir[i] >= ad->num_ch)
				return -EINVAL;
		for (i = 0; i < VMQNIC_RSS_RETA_SIZE; i++)
			ad->reta[i] = indir[i];
	}
	if (key)
		memcpy(ad->rss_key, key, VMQNIC_RSS_KEY_SIZE);
	vmqnic_write_rss(ad, 0);
	/* Stations share the key */
	if (key)
		for (i = 1; i < VMQNIC_MAX_POOLS; i++)
			if (ad->st[i] && ad->up)
				vmqnic_write_rss(ad, i);
	return 0;
}

/* ---- Interrupt moderation: VEC_ITR of the queue vectors ---- */

static int vmqnic_get_coalesce(struct net_device *netdev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);

	/*
	 * The RX and TX rings of a queue pair share one vector: one interval
	 * for both, and adaptive-rx moderates that vector
	 */
	ec->rx_coalesce_usecs = ad->itr;
	ec->tx_coalesce_usecs = ad->itr;
	ec->use_adaptive_rx_coalesce = ad->adaptive;
	return 0;
}

static void vmqnic_set_adaptive(struct vmqnic_adapter *ad, bool on)
{
	u32 q;

	/* Off first; pairs with smp_load_acquire() in vmqnic_adaptive() */
	smp_store_release(&ad->adaptive, false);
	/* No net_dim work is left running on the state it replaces */
	for (q = 0; q < ad->nq; q++) {
		cancel_work_sync(&ad->qp[q].dim.work);
		vmqnic_dim_reset(&ad->qp[q]);
	}
	if (!on)
		return;
	/* Whoever sees adaptive on sees the reset state */
	smp_store_release(&ad->adaptive, true);
}

static int vmqnic_set_coalesce(struct net_device *netdev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	bool adaptive = ec->use_adaptive_rx_coalesce;
	u32 usecs = ec->rx_coalesce_usecs;
	u32 q;

	if (usecs == ad->itr)
		usecs = ec->tx_coalesce_usecs;
	if (usecs > VMQNIC_ITR_MAX_US) {
		NL_SET_ERR_MSG_MOD(extack, "at most 65535 us");
		return -EINVAL;
	}
	if ((usecs || adaptive) && !(ad->features & VMQNIC_F_MODERATION))
		return -EOPNOTSUPP;
	if (adaptive && usecs != ad->itr) {
		NL_SET_ERR_MSG_MOD(extack,
				   "adaptive-rx sets the interval: turn it off first");
		return -EINVAL;
	}
	ad->itr = usecs;
	if (adaptive != ad->adaptive)
		vmqnic_set_adaptive(ad, adaptive);
	for (q = 0; q < ad->nq; q++)
		if (ad->qp[q].active)
			vmqnic_wr(ad, VMQNIC_VEC_ITR(ad->qp[q].vector),
				  VMQNIC_VEC_ITR_AUTOMASK |
				  vmqnic_qp_itr(&ad->qp[q]));
	return 0;
}

static const struct ethtool_ops vmqnic_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	.get_drvinfo		= vmqnic_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= vmqnic_get_link_ksettings,
	.get_ringparam		= vmqnic_get_ringparam,
	.set_ringparam		= vmqnic_set_ringparam,
	.get_channels		= vmqnic_get_channels,
	.set_channels		= vmqnic_set_channels,
	.get_rxnfc		= vmqnic_get_rxnfc,
	.get_rxfh_key_size	= vmqnic_get_rxfh_key_size,
	.get_rxfh_indir_size	= vmqnic_get_rxfh_indir_size,
	.get_rxfh		= vmqnic_get_rxfh,
	.set_rxfh		= vmqnic_set_rxfh,
	.get_coalesce		= vmqnic_get_coalesce,
	.set_coalesce		= vmqnic_set_coalesce,
	.get_sset_count		= vmqnic_get_sset_count,
	.get_strings		= vmqnic_get_strings,
	.get_ethtool_stats	= vmqnic_get_ethtool_stats,
};

void vmqnic_set_ethtool_ops(struct net_device *netdev)
{
	netdev->ethtool_ops = &vmqnic_ethtool_ops;
}

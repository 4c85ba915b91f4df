// SPDX-License-Identifier: GPL-2.0
/*
 * vmqnic: receive filters, VLAN membership, RSS and macvlan offload
 *
 * The PF owns pool 0.  Its own address is MAC filter entry 0, its
 * secondary unicast addresses take entries from 1 upwards, and each
 * offloaded macvlan ("station") gets a pool of its own with one entry
 * taken from the top of the table.
 *
 * Copyright (c) 2026 The vmqnic developers
 */

#include <linux/ethtool.h>
#include <linux/if_macvlan.h>
#include <linux/if_vlan.h>
#include <asm/unaligned.h>

#include "vmqnic.h"

static bool station_antispoof;
module_param(station_antispoof, bool, 0644);
MODULE_PARM_DESC(station_antispoof,
		 "Drop frames a macvlan sends with another source MAC (default off)");

/* ---- MAC filter table ---- */

/* Write shadow entry i to the device (MAC filter table use) */
static void vmqnic_macf_write(struct vmqnic_adapter *ad, u32 i)
{
	const struct vmqnic_macf *e = &ad->macf[i];
	u64 pools = BIT_ULL(e->pool);

	vmqnic_wr(ad, VMQNIC_MACF_REG(i, VMQNIC_MACF_HI), 0);
	if (e->owner == VMQNIC_MACF_FREE)
		return;
	vmqnic_wr(ad, VMQNIC_MACF_REG(i, VMQNIC_MACF_LO),
		  get_unaligned_le32(e->addr));
	vmqnic_wr(ad, VMQNIC_MACF_REG(i, VMQNIC_MACF_POOLS_LO),
		  lower_32_bits(pools));
	vmqnic_wr(ad, VMQNIC_MACF_REG(i, VMQNIC_MACF_POOLS_HI),
		  upper_32_bits(pools));
	vmqnic_wr(ad, VMQNIC_MACF_REG(i, VMQNIC_MACF_VLAN),
		  FIELD_PREP(VMQNIC_MACF_VLAN_MODE_MASK, VMQNIC_MACF_MODE_ANY));
	vmqnic_wr(ad, VMQNIC_MACF_REG(i, VMQNIC_MACF_HI),
		  VMQNIC_MACF_HI_VALID | get_unaligned_le16(e->addr + 4));
}

static void vmqnic_macf_set(struct vmqnic_adapter *ad, u32 i, const u8 *addr,
			    u32 pool, u8 owner)
{
	struct vmqnic_macf *e = &ad->macf[i];

	ether_addr_copy(e->addr, addr);
	e->pool = pool;
	e->owner = owner;
	vmqnic_macf_write(ad, i);
}

static void vmqnic_macf_clear(struct vmqnic_adapter *ad, u32 i)
{
	ad->macf[i].owner = VMQNIC_MACF_FREE;
	vmqnic_macf_write(ad, i);
}

/* Free entry: lowest index for the PF, highest for stations */
static int vmqnic_macf_find_free(struct vmqnic_adapter *ad, bool top)
{
	u32 n;

	for (n = 1; n < ad->num_macf; n++) {
		u32 i = top ? ad->num_macf - n : n;

		if (ad->macf[i].owner == VMQNIC_MACF_FREE)
			return i;
	}
	return -ENOSPC;
}

void vmqnic_set_pf_mac(struct vmqnic_adapter *ad)
{
	spin_lock_bh(&ad->filter_lock);
	vmqnic_macf_set(ad, 0, ad->netdev->dev_addr, 0, VMQNIC_MACF_PF);
	spin_unlock_bh(&ad->filter_lock);
}

/* ---- Pool 0 receive policy ---- */

void vmqnic_write_pool0_ctrl(struct vmqnic_adapter *ad)
{
	netdev_features_t features = ad->netdev->features;
	u32 ctrl = VMQNIC_POOL_ACCEPT_UNTAGGED | VMQNIC_POOL_ACCEPT_BCAST |
		   VMQNIC_POOL_RX_EN | VMQNIC_POOL_TX_EN | ad->pool0_rx_flags;

	if (ad->features & VMQNIC_F_RSS)
		ctrl |= VMQNIC_POOL_RSS_EN;
	if (!(features & NETIF_F_HW_VLAN_CTAG_FILTER))
		ctrl |= VMQNIC_POOL_VLAN_PROMISC;
	if (features & NETIF_F_HW_VLAN_CTAG_RX)
		ctrl |= VMQNIC_POOL_VLAN_STRIP;
	vmqnic_wr(ad, VMQNIC_POOL_REG(0, VMQNIC_POOL_CTRL), ctrl);
}

static u32 vmqnic_mta_hash(const u8 *addr)
{
	return (addr[4] >> 4) | (addr[5] << 4);
}

void vmqnic_set_rx_mode(struct net_device *netdev)
{
	struct vmqnic_adapter *ad = netdev_priv(netdev);
	u32 mta[VMQNIC_MTA_WORDS] = { };
	struct netdev_hw_addr *ha;
	bool overflow = false;
	u32 flags = 0, i;

	spin_lock_bh(&ad->filter_lock);

	/* Secondary unicast addresses: one MAC filter entry each */
	for (i = 1; i < ad->num_macf; i++)
		if (ad->macf[i].owner == VMQNIC_MACF_UC)
			vmqnic_macf_clear(ad, i);
	netdev_for_each_uc_addr(ha, netdev) {
		int e = vmqnic_macf_find_free(ad, false);

		if (e < 0) {
			overflow = true;
			break;
		}
		vmqnic_macf_set(ad, e, ha->addr, 0, VMQNIC_MACF_UC);
	}

	/* Multicast: imperfect filtering with the MTA */
	if (netdev->flags & IFF_PROMISC) {
		flags |= VMQNIC_POOL_ACCEPT_ALLMULTI | VMQNIC_POOL_VLAN_PROMISC;
	} else if (netdev->flags & IFF_ALLMULTI) {
		flags |= VMQNIC_POOL_ACCEPT_ALLMULTI;
	} else {
		flags |= VMQNIC_POOL_ACCEPT_MCHASH;
		netdev_for_each_mc_addr(ha, netdev) {
			u32 h = vmqnic_mta_hash(ha->addr);

			mta[h / 32] |= BIT(h % 32);
		}
	}
	for (i = 0; i < VMQNIC_MTA_WORDS; i++)
		vmqnic_wr(ad, VMQNIC_MTA(i), mta[i]);

	/*
	 * Promiscuous mode uses the default pool rather than UC_PROMISC
	 * (spec, NDIS packet filter): pool 0 then gets every unicast frame
	 * that no station claims, and stations keep their own traffic.
	 */
	ad->pool0_rx_flags = flags;
	ad->accept_unmatched = overflow || (netdev->flags & IFF_PROMISC);
	vmqnic_write_pool0_ctrl(ad);
	vmqnic_write_vmdq_ctrl(ad);

	spin_unlock_bh(&ad->filter_lock);
}

/* ---- VLAN membership of pool 0 ---- */

static void vmqnic_vlan_update(struct vmqnic_adapter *ad, u16 vid, bool on)
{
	u32 w = vid / 32;

	spin_lock_bh(&ad->filter_lock);
	if (on)
		ad->vlans[w] |= BIT(vid % 32);
	else
		ad->vlans[w] &= ~BIT(vid % 32);
	vmqnic_wr(ad, VMQNIC_POOL_VLAN(0, w), ad->vlans[w]);
	spin_unlock_bh(&ad->filter_lock);
}

int vmqnic_vlan_rx_add_vid(struct net_device *netdev, __be16 proto, u16 vid)
{
	vmqnic_vlan_update(netdev_priv(netdev), vid, true);
	return 0;
}

int vmqnic_vlan_rx_kill_vid(struct net_device *netdev, __be16 proto, u16 vid)
{
	vmqnic_vlan_update(netdev_priv(netdev), vid, false);
	return 0;
}

/* Program every filter from the shadow copies (device reset or open) */
void vmqnic_write_filters(struct vmqnic_adapter *ad)
{
	u32 i;

	spin_lock_bh(&ad->filter_lock);
	ether_addr_copy(ad->macf[0].addr, ad->netdev->dev_addr);
	ad->macf[0].owner = VMQNIC_MACF_PF;
	ad->macf[0].pool = 0;
	for (i = 0; i < ad->num_macf; i++)
		vmqnic_macf_write(ad, i);
	for (i = 0; i < VMQNIC_VLAN_WORDS; i++)
		vmqnic_wr(ad, VMQNIC_POOL_VLAN(0, i), ad->vlans[i]);
	spin_unlock_bh(&ad->filter_lock);
	/* MTA, POOL_CTRL of pool 0 and VMDQ_CTRL */
	netif_addr_lock_bh(ad->netdev);
	vmqnic_set_rx_mode(ad->netdev);
	netif_addr_unlock_bh(ad->netdev);
}

/* ---- RSS ---- */

void vmqnic_default_reta(struct vmqnic_adapter *ad)
{
	u32 i;

	for (i = 0; i < VMQNIC_RSS_RETA_SIZE; i++)
		ad->reta[i] = ethtool_rxfh_indir_default(i, ad->num_ch);
}

/* Pool 0 uses the ethtool table; a station spreads over all its queues */
void vmqnic_write_rss(struct vmqnic_adapter *ad, u32 pool)
{
	u32 k;

	for (k = 0; k < VMQNIC_RSS_KEY_SIZE / 4; k++)
		vmqnic_wr(ad, VMQNIC_POOL_REG(pool, VMQNIC_POOL_RSS_KEY(k)),
			  get_unaligned_le32(&ad->rss_key[4 * k]));
	for (k = 0; k < VMQNIC_RSS_RETA_SIZE / 4; k++) {
		u32 val = 0, j;

		for (j = 0; j < 4; j++) {
			u32 e = 4 * k + j;
			u8 q = pool ? e % vmqnic_qpp(ad) : ad->reta[e];

			val |= q << (8 * j);
		}
		vmqnic_wr(ad, VMQNIC_POOL_REG(pool, VMQNIC_POOL_RETA(k)), val);
	}
	vmqnic_wr(ad, VMQNIC_POOL_REG(pool, VMQNIC_POOL_RSS_TYPES),
		  ad->rss_types);
}

/* ---- macvlan offload: one pool per station ---- */

static u32 vmqnic_station_ctrl(struct vmqnic_adapter *ad)
{
	u32 ctrl = VMQNIC_POOL_ACCEPT_UNTAGGED | VMQNIC_POOL_VLAN_PROMISC |
		   VMQNIC_POOL_RX_EN | VMQNIC_POOL_TX_EN;

	if (ad->features & VMQNIC_F_RSS)
		ctrl |= VMQNIC_POOL_RSS_EN;
	if (ad->netdev->features & NETIF_F_HW_VLAN_CTAG_RX)
		ctrl |= VMQNIC_POOL_VLAN_STRIP;
	if (station_antispoof && (ad->features & VMQNIC_F_ANTISPOOF))
		ctrl |= VMQNIC_POOL_MAC_ANTISPOOF;
	return ctrl;
}

/* Set up the station's pool, rings and filter (the PF is up) */
int vmqnic_station_up(struct vmqnic_adapter *ad, struct vmqnic_station *st)
{
	u32 first = st->pool << ad->qpp_log2;
	u32 q;
	int err, e;

	vmqnic_wr(ad, VMQNIC_POOL_REG(st->pool, VMQNIC_POOL_MAXFRAME),
		  vmqnic_pool_maxframe(ad));
	vmqnic_wr(ad, VMQNIC_POOL_REG(st->pool, VMQNIC_POOL_DEFVLAN), 0);
	vmqnic_write_rss(ad, st->pool);

	for (q = first; q < first + vmqnic_qpp(ad); q++) {
		err = vmqnic_qp_start(&ad->qp[q], st->vdev);
		if (err)
			goto stop;
	}

	spin_lock_bh(&ad->filter_lock);
	e = vmqnic_macf_find_free(ad, true);
	if (e >= 0)
		vmqnic_macf_set(ad, e, st->vdev->dev_addr, st->pool,
				VMQNIC_MACF_STATION);
	st->macf = e;
	spin_unlock_bh(&ad->filter_lock);
	if (e < 0) {
		err = -ENOSPC;
		goto stop;
	}

	vmqnic_wr(ad, VMQNIC_POOL_REG(st->pool, VMQNIC_POOL_CTRL),
		  vmqnic_station_ctrl(ad));
	return 0;

stop:
	while (q-- > first)
		vmqnic_qp_stop(&ad->qp[q]);
	return err;
}

void vmqnic_station_down(struct vmqnic_adapter *ad, struct vmqnic_station *st)
{
	u32 first = st->pool << ad->qpp_log2;
	u32 q;

	spin_lock_bh(&ad->filter_lock);
	if (st->macf >= 0)
		vmqnic_macf_clear(ad, st->macf);
	st->macf = -1;
	spin_unlock_bh(&ad->filter_lock);

	for (q = first; q < first + vmqnic_qpp(ad); q++)
		vmqnic_qp_stop(&ad->qp[q]);
	vmqnic_wr(ad, VMQNIC_POOL_REG(st->pool, VMQNIC_POOL_CTRL), 0);
}

void *vmqnic_dfwd_add_station(struct net_device *pdev, struct net_device *vdev)
{
	struct vmqnic_adapter *ad = netdev_priv(pdev);
	struct vmqnic_station *st;
	u32 pool;
	int err;

	if (!netif_is_macvlan(vdev))
		return ERR_PTR(-EOPNOTSUPP);
	/* The pool receives by destination address only */
	if (!macvlan_supports_dest_filter(vdev))
		return ERR_PTR(-EMEDIUMTYPE);
	/* The station's channel number is the pool (netdev_set_sb_channel) */
	if (netif_is_multiqueue(vdev))
		return ERR_PTR(-ERANGE);

	for (pool = 1; pool < ad->max_pools; pool++)
		if (!ad->st[pool])
			break;
	if (pool >= ad->max_pools)
		return ERR_PTR(-EBUSY);

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->vdev = vdev;
	st->pool = pool;
	st->macf = -1;

	err = netdev_set_sb_channel(vdev, pool);
	if (err)
		goto free;
	ad->st[pool] = st;
	ad->num_stations++;
	if (ad->up) {
		err = vmqnic_station_up(ad, st);
		if (err)
			goto unset;
	}
	spin_lock_bh(&ad->filter_lock);
	vmqnic_write_vmdq_ctrl(ad);
	spin_unlock_bh(&ad->filter_lock);

	netdev_info(pdev, "%s offloaded to pool %u (queues %u-%u)\n",
		    vdev->name, pool, pool << ad->qpp_log2,
		    ((pool + 1) << ad->qpp_log2) - 1);
	return st;

unset:
	ad->st[pool] = NULL;
	ad->num_stations--;
	netdev_set_sb_channel(vdev, 0);
free:
	kfree(st);
	return ERR_PTR(err);
}

void vmqnic_dfwd_del_station(struct net_device *pdev, void *priv)
{
	struct vmqnic_adapter *ad = netdev_priv(pdev);
	struct vmqnic_station *st = priv;

	if (ad->up)
		vmqnic_station_down(ad, st);
	netdev_set_sb_channel(st->vdev, 0);
	ad->st[st->pool] = NULL;
	ad->num_stations--;
	spin_lock_bh(&ad->filter_lock);
	vmqnic_write_vmdq_ctrl(ad);
	spin_unlock_bh(&ad->filter_lock);
	netdev_info(pdev, "%s: pool %u released\n", st->vdev->name, st->pool);
	kfree(st);
}

/* l2-fwd-offload turned off: hand every station back to macvlan */
void vmqnic_release_stations(struct vmqnic_adapter *ad)
{
	u32 pool;

	for (pool = 1; pool < VMQNIC_MAX_POOLS; pool++) {
		struct vmqnic_station *st = ad->st[pool];

		if (!st)
			continue;
		/* macvlan now filters in software on the PF's address list */
		macvlan_release_l2fw_offload(st->vdev);
		vmqnic_dfwd_del_station(ad->netdev, st);
	}
}

/*
 * vmqnic: VMDq receive classification, per-pool RSS, anti-spoofing
 *
 * Received frames (from the wire, or from a pool through the internal
 * switch) are sorted into pools by the MAC filter table, the broadcast,
 * multicast and promiscuous rules of each pool, and per-pool VLAN
 * membership; each pool then picks one of its queues by RSS.  The order
 * of the rules is the one docs/specs/vmqnic.rst gives.
 *
 * The tables the driver writes are indexed here for the per-frame path:
 * a hash of MAC filter entries, a pool mask per VLAN ID and pool masks
 * per POOL_CTRL bit.  They are rebuilt whenever the driver changes a
 * table, so a frame never scans a table.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "net/eth.h"
#include "hw/net/net_rx_pkt.h"
#include "vmqnic.h"
#include "trace.h"

static uint64_t mac_key(const uint8_t *mac)
{
    return (uint32_t)ldl_le_p(mac) | (uint64_t)lduw_le_p(mac + 4) << 32;
}

static unsigned mac_bucket(uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;

    return h >> (64 - VMQNIC_MAC_HASH_BITS);
}

static uint64_t filter_key(const VmqnicMacFilter *f)
{
    return f->lo | (uint64_t)(f->hi & R_MACF_HI_ADDR_MASK) << 32;
}

static uint64_t filter_pools(const VmqnicMacFilter *f)
{
    return f->pools_lo | (uint64_t)f->pools_hi << 32;
}

void vmqnic_mac_index_rebuild(VmqnicState *s)
{
    unsigned i;

    memset(s->mac_hash, 0, sizeof(s->mac_hash));
    /* Insert from the top so that chains list entries in table order */
    for (i = s->num_mac_filters; i-- > 0;) {
        const VmqnicMacFilter *f = &s->mac_filters[i];
        unsigned b;

        if (!(f->hi & R_MACF_HI_VALID_MASK)) {
            continue;
        }
        b = mac_bucket(filter_key(f));
        s->mac_next[i] = s->mac_hash[b];
        s->mac_hash[b] = i + 1;
    }
}

static bool filter_vlan_match(const VmqnicMacFilter *f, bool tagged,
                              uint16_t vid)
{
    switch (FIELD_EX32(f->vlan, MACF_VLAN, MODE)) {
    case VMQNIC_MACF_VLAN_ANY:
        return true;
    case VMQNIC_MACF_VLAN_EXACT:
        return tagged && vid == FIELD_EX32(f->vlan, MACF_VLAN, VID);
    case VMQNIC_MACF_VLAN_UNTAGGED:
        return !tagged || vid == 0;
    default:
        return false;
    }
}

/*
 * Pools of the valid MAC filter entries for @mac whose VLAN condition
 * holds (entries are ORed; the fields of one entry are ANDed).
 */
uint64_t vmqnic_mac_lookup(VmqnicState *s, const uint8_t *mac, bool tagged,
                           uint16_t vid)
{
    uint64_t key = mac_key(mac);
    uint64_t pools = 0;
    unsigned i;

    for (i = s->mac_hash[mac_bucket(key)]; i; i = s->mac_next[i - 1]) {
        const VmqnicMacFilter *f = &s->mac_filters[i - 1];

        if (filter_key(f) == key && filter_vlan_match(f, tagged, vid)) {
            pools |= filter_pools(f);
        }
    }
    return pools;
}

void vmqnic_vlan_index_rebuild(VmqnicState *s)
{
    unsigned p, w, i;

    memset(s->vlanf_pools, 0, sizeof(s->vlanf_pools));
    for (i = 0; i < s->num_vlan_filters; i++) {
        const VmqnicVlanFilter *f = &s->vlan_filters[i];

        if (f->ctrl & R_VLANF_CTRL_VALID_MASK) {
            s->vlanf_pools[FIELD_EX32(f->ctrl, VLANF_CTRL, VID)] |=
                f->pools_lo | (uint64_t)f->pools_hi << 32;
        }
    }
    memcpy(s->vid_pools, s->vlanf_pools, sizeof(s->vid_pools));
    for (p = 0; p < s->num_pools; p++) {
        for (w = 0; w < VMQNIC_VLAN_WORDS; w++) {
            uint32_t bits = s->pools[p].vlan[w];

            while (bits) {
                s->vid_pools[w * 32 + ctz32(bits)] |= BIT_ULL(p);
                bits &= bits - 1;
            }
        }
    }
}

/* One POOL_VLAN word changed: recompute its 32 VLAN IDs */
void vmqnic_vlan_index_update(VmqnicState *s, unsigned word)
{
    unsigned b, p;

    for (b = 0; b < 32; b++) {
        unsigned vid = word * 32 + b;
        uint64_t pools = s->vlanf_pools[vid];

        for (p = 0; p < s->num_pools; p++) {
            if (s->pools[p].vlan[word] & BIT(b)) {
                pools |= BIT_ULL(p);
            }
        }
        s->vid_pools[vid] = pools;
    }
}

/* Pools that exist in the current layout */
static uint64_t active_pools(VmqnicState *s)
{
    unsigned qpp_log2 = FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, QPP_LOG2);
    unsigned n = MIN(s->num_pools, s->num_queues >> qpp_log2);

    return MAKE_64BIT_MASK(0, n);
}

void vmqnic_pool_masks_rebuild(VmqnicState *s)
{
    VmqnicPoolMasks *m = &s->masks;
    uint64_t active = active_pools(s);
    unsigned p;

    memset(m, 0, sizeof(*m));
    for (p = 0; p < s->num_pools; p++) {
        uint32_t c = s->pools[p].ctrl;
        uint64_t bit = BIT_ULL(p) & active;

        m->rx_en |= (c & R_POOL_CTRL_RX_EN_MASK) ? bit : 0;
        m->untagged |= (c & R_POOL_CTRL_ACCEPT_UNTAGGED_MASK) ? bit : 0;
        m->bcast |= (c & R_POOL_CTRL_ACCEPT_BCAST_MASK) ? bit : 0;
        m->mchash |= (c & R_POOL_CTRL_ACCEPT_MCHASH_MASK) ? bit : 0;
        m->allmulti |= (c & R_POOL_CTRL_ACCEPT_ALLMULTI_MASK) ? bit : 0;
        m->uc_promisc |= (c & R_POOL_CTRL_UC_PROMISC_MASK) ? bit : 0;
        m->vlan_promisc |= (c & R_POOL_CTRL_VLAN_PROMISC_MASK) ? bit : 0;
    }
}

void vmqnic_filters_rebuild(VmqnicState *s)
{
    vmqnic_mac_index_rebuild(s);
    vmqnic_vlan_index_rebuild(s);
    vmqnic_pool_masks_rebuild(s);
}

static bool mta_hit(VmqnicState *s, const uint8_t *da)
{
    unsigned h = (da[4] >> 4) | (da[5] << 4);

    return s->mta[h / 32] & BIT(h % 32);
}

/* Per-pool RSS: pick the hash type the pool enabled for this frame */
static unsigned rss_type(struct NetRxPkt *pkt, uint32_t types,
                         NetRxPktRssType *nt)
{
    bool ip4, ip6;
    EthL4HdrProto l4;

    net_rx_pkt_get_protocols(pkt, &ip4, &ip6, &l4);
    if (ip4) {
        if (l4 == ETH_L4_HDR_PROTO_TCP &&
            (types & R_POOL_RSS_TYPES_TCP_IPV4_MASK)) {
            *nt = NetPktRssIpV4Tcp;
            return VMQNIC_HASH_TCP_IPV4;
        }
        if (l4 == ETH_L4_HDR_PROTO_UDP &&
            (types & R_POOL_RSS_TYPES_UDP_IPV4_MASK)) {
            *nt = NetPktRssIpV4Udp;
            return VMQNIC_HASH_UDP_IPV4;
        }
        if (types & R_POOL_RSS_TYPES_IPV4_MASK) {
            *nt = NetPktRssIpV4;
            return VMQNIC_HASH_IPV4;
        }
    } else if (ip6) {
        if (l4 == ETH_L4_HDR_PROTO_TCP) {
            if (types & R_POOL_RSS_TYPES_TCP_IPV6_EX_MASK) {
                *nt = NetPktRssIpV6TcpEx;
                return VMQNIC_HASH_TCP_IPV6_EX;
            }
            if (types & R_POOL_RSS_TYPES_TCP_IPV6_MASK) {
                *nt = NetPktRssIpV6Tcp;
                return VMQNIC_HASH_TCP_IPV6;
            }
        }
        if (l4 == ETH_L4_HDR_PROTO_UDP) {
            if (types & R_POOL_RSS_TYPES_UDP_IPV6_EX_MASK) {
                *nt = NetPktRssIpV6UdpEx;
                return VMQNIC_HASH_UDP_IPV6_EX;
            }
            if (types & R_POOL_RSS_TYPES_UDP_IPV6_MASK) {
                *nt = NetPktRssIpV6Udp;
                return VMQNIC_HASH_UDP_IPV6;
            }
        }
        if (types & R_POOL_RSS_TYPES_IPV6_EX_MASK) {
            *nt = NetPktRssIpV6Ex;
            return VMQNIC_HASH_IPV6_EX;
        }
        if (types & R_POOL_RSS_TYPES_IPV6_MASK) {
            *nt = NetPktRssIpV6;
            return VMQNIC_HASH_IPV6;
        }
    }
    return VMQNIC_HASH_NONE;
}

static uint8_t frame_ptype(struct NetRxPkt *pkt, bool tagged)
{
    bool ip4, ip6;
    EthL4HdrProto l4;
    uint8_t ptype = tagged ? VMQNIC_RXD_PTYPE_VLAN : 0;

    net_rx_pkt_get_protocols(pkt, &ip4, &ip6, &l4);
    if (ip4) {
        ptype |= VMQNIC_RXD_PTYPE_IPV4;
    }
    if (ip6) {
        ptype |= VMQNIC_RXD_PTYPE_IPV6;
        if (net_rx_pkt_get_ip6_info(pkt)->has_ext_hdrs) {
            ptype |= VMQNIC_RXD_PTYPE_IPV6_EX;
        }
    }
    if (l4 == ETH_L4_HDR_PROTO_TCP) {
        ptype |= VMQNIC_RXD_PTYPE_TCP;
    } else if (l4 == ETH_L4_HDR_PROTO_UDP) {
        ptype |= VMQNIC_RXD_PTYPE_UDP;
    }
    return ptype;
}

/* The SCTP common header: ports, verification tag, CRC-32c */
#define SCTP_HDR_LEN    12

/*
 * Receive checksum validation of the @size-byte frame: checked, and bad,
 * bits for L3 and L4
 */
static uint16_t rx_csum_status(struct NetRxPkt *pkt, size_t size)
{
    uint16_t status = 0;
    bool ip4, ip6, valid;
    EthL4HdrProto l4;

    if (net_rx_pkt_validate_l3_csum(pkt, &valid)) {
        status |= VMQNIC_RXD_STA_L3CK | (valid ? 0 : VMQNIC_RXD_STA_L3ERR);
    }
    /*
     * net_rx_pkt takes a packet for SCTP from the IP protocol number
     * alone, and reads the CRC wherever the IP headers say the SCTP header
     * starts, past the frame's end if they lie (IPv4 header length, IPv6
     * extension header lengths): such a packet is not checked.
     */
    net_rx_pkt_get_protocols(pkt, &ip4, &ip6, &l4);
    if (l4 == ETH_L4_HDR_PROTO_SCTP &&
        (net_rx_pkt_get_l4_hdr_offset(pkt) > size ||
         size - net_rx_pkt_get_l4_hdr_offset(pkt) < SCTP_HDR_LEN)) {
        return status;
    }
    if (net_rx_pkt_validate_l4_csum(pkt, &valid)) {
        status |= VMQNIC_RXD_STA_L4CK | (valid ? 0 : VMQNIC_RXD_STA_L4ERR);
    }
    return status;
}

/* The queue of pool @p for this frame: RSS over its queues, or its first */
static unsigned pool_queue(VmqnicState *s, unsigned p, VmqnicRxInfo *info)
{
    const VmqnicPool *pool = &s->pools[p];
    unsigned qpp_log2 = FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, QPP_LOG2);
    unsigned first = p << qpp_log2;
    NetRxPktRssType nt;
    uint8_t key[VMQNIC_RSS_KEY_SIZE];
    unsigned i, entry;

    info->hash_type = VMQNIC_HASH_NONE;
    info->rss_hash = 0;
    if (!(pool->ctrl & R_POOL_CTRL_RSS_EN_MASK)) {
        return first;
    }
    info->hash_type = rss_type(s->rx_pkt, pool->rss_types, &nt);
    if (info->hash_type == VMQNIC_HASH_NONE) {
        return first;
    }
    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        stl_le_p(key + 4 * i, pool->rss_key[i]);
    }
    info->rss_hash = net_rx_pkt_calc_rss_hash(s->rx_pkt, nt, key);
    info->status |= VMQNIC_RXD_STA_RSSV;
    i = info->rss_hash % VMQNIC_RSS_RETA_SIZE;
    entry = extract32(pool->reta[i / 4], 8 * (i % 4), 8);
    return first + (entry & ((1u << qpp_log2) - 1));
}

/* Why pool @p takes the frame (for tracing) */
static const char *pool_reason(VmqnicState *s, unsigned p, bool bcast,
                               bool mcast, uint64_t exact)
{
    if (bcast) {
        return "broadcast";
    }
    if (exact & BIT_ULL(p)) {
        return "MAC filter";
    }
    if (mcast) {
        return s->masks.allmulti & BIT_ULL(p) ? "all multicast"
                                              : "multicast hash";
    }
    return s->masks.uc_promisc & BIT_ULL(p) ? "unicast promiscuous"
                                            : "default pool";
}

/* Why no pool takes the frame (for tracing) */
static const char *no_pool_reason(VmqnicState *s, uint64_t candidates,
                                  uint64_t vlan_ok, int src_pool)
{
    if (!(s->ctrl & R_CTRL_RX_EN_MASK)) {
        return "receive disabled (CTRL.RX_EN)";
    }
    if (!candidates) {
        return src_pool >= 0 ? "no MAC filter match (switch)" :
               "no pool for the address";
    }
    if (!vlan_ok) {
        return "VLAN: no candidate pool accepts the tag (or no tag)";
    }
    return "candidate pools inactive or not receiving (POOL_CTRL.RX_EN)";
}

/*
 * Classify one frame and deliver it to every pool it is for.  @src_pool
 * is the transmitting pool for frames of the internal switch (it never
 * receives its own frame), or -1 for frames from the wire.  Returns the
 * pools that received it.
 */
uint64_t vmqnic_rx_classify(VmqnicState *s, const uint8_t *buf, size_t size,
                            int src_pool)
{
    const VmqnicPoolMasks *m = &s->masks;
    const struct eth_header *eh = (const struct eth_header *)buf;
    const uint8_t *da = eh->h_dest;
    uint16_t proto = be16_to_cpu(eh->h_proto);
    bool tagged = proto == ETH_P_VLAN && size >= ETH_HLEN + 4;
    uint16_t tci = tagged ? lduw_be_p(buf + ETH_HLEN) : 0;
    uint16_t vid = tci & VLAN_VID_MASK;
    bool untagged = !tagged || vid == 0;
    uint64_t pools, exact, candidates, vlan_ok;
    VmqnicRxInfo info = { 0 };
    uint64_t delivered = 0;
    bool bcast = is_broadcast_ether_addr(da);
    bool mcast = !bcast && is_multicast_ether_addr(da);

    exact = vmqnic_mac_lookup(s, da, tagged, vid);
    if (bcast) {
        pools = m->bcast;
        info.status |= VMQNIC_RXD_STA_BCAST;
        s->stats[VMQNIC_STAT_RX_BCAST]++;
    } else if (mcast) {
        pools = exact | m->allmulti | (mta_hit(s, da) ? m->mchash : 0);
        info.status |= VMQNIC_RXD_STA_MCAST;
        s->stats[VMQNIC_STAT_RX_MCAST]++;
    } else if (src_pool >= 0) {
        pools = exact;          /* the switch forwards exact matches only */
    } else {
        pools = exact | m->uc_promisc;
        if (!exact) {
            if (s->vmdq_ctrl & R_VMDQ_CTRL_DROP_UNMATCHED_MASK) {
                s->stats[VMQNIC_STAT_RX_UNMATCHED]++;
            } else {
                pools |= BIT_ULL(FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL,
                                            DEF_POOL));
            }
        }
    }

    /* VLAN: untagged frames need ACCEPT_UNTAGGED, tagged ones membership */
    candidates = pools;
    if (untagged) {
        pools &= m->untagged;
    } else if (s->vmdq_ctrl & R_VMDQ_CTRL_VLAN_FILTER_EN_MASK) {
        pools &= s->vid_pools[vid] | m->vlan_promisc;
    }
    vlan_ok = pools;
    pools &= m->rx_en & active_pools(s);
    if (src_pool >= 0) {
        pools &= ~BIT_ULL(src_pool);
        info.status |= VMQNIC_RXD_STA_LB;
    }
    if (pools && !(s->vmdq_ctrl & R_VMDQ_CTRL_REPL_EN_MASK)) {
        pools &= -pools;        /* replication off: first pool only */
    }
    if (!(s->ctrl & R_CTRL_RX_EN_MASK)) {
        pools = 0;              /* receive is off, for the switch too */
    }
    trace_vmqnic_rx_classify(size, src_pool, exact, pools);
    if (!pools) {
        trace_vmqnic_rx_no_pool(size, no_pool_reason(s, candidates, vlan_ok,
                                                     src_pool));
        if (src_pool < 0) {
            s->stats[VMQNIC_STAT_RX_FILTERED]++;
        }
        return 0;
    }

    net_rx_pkt_attach_data(s->rx_pkt, buf, size, false);
    info.ptype = frame_ptype(s->rx_pkt, tagged);
    info.status |= rx_csum_status(s->rx_pkt, size);

    /* A reset a write-back caused ends the delivery (VmqnicState.busy) */
    while (pools && !s->reset_pending) {
        unsigned p = ctz64(pools);
        const VmqnicPool *pool = &s->pools[p];
        VmqnicRxInfo pinfo = info;
        unsigned q;

        pools &= pools - 1;
        q = pool_queue(s, p, &pinfo);
        pinfo.pool = p;
        trace_vmqnic_rx_steer(p, q, pool_reason(s, p, bcast, mcast, exact),
                              pinfo.status & VMQNIC_RXD_STA_RSSV ? "RSS" :
                              "first queue", pinfo.hash_type,
                              pinfo.rss_hash);
        if (size > pool->maxframe) {
            vmqnic_qstat_add(s, q, VMQNIC_QSTAT_RX_ERRS, 1);
            trace_vmqnic_rx_too_big(p, size, pool->maxframe);
            continue;
        }
        if (tagged && (pool->ctrl & R_POOL_CTRL_VLAN_STRIP_MASK)) {
            /* Hand the tag over in the write-back, not in the data */
            memcpy(s->rx_scratch, buf, 2 * ETH_ALEN);
            memcpy(s->rx_scratch + 2 * ETH_ALEN, buf + ETH_HLEN + 2,
                   size - ETH_HLEN - 2);
            pinfo.status |= VMQNIC_RXD_STA_VP;
            pinfo.vlan = tci;
            vmqnic_rx_queue_put(s, q, s->rx_scratch, size - 4, &pinfo);
        } else {
            vmqnic_rx_queue_put(s, q, buf, size, &pinfo);
        }
        delivered |= BIT_ULL(p);
    }
    return delivered;
}

/*
 * Anti-spoofing for a frame pool @p transmits (@desc_tci: the tag its
 * descriptor asks to insert, or -1).  Returns true (after counting and
 * reporting) when the frame must be dropped.
 */
bool vmqnic_tx_spoofed(VmqnicState *s, unsigned p, const uint8_t *l2,
                       size_t len, int desc_tci)
{
    const VmqnicPool *pool = &s->pools[p];
    const struct eth_header *eh = (const struct eth_header *)l2;
    bool tagged = len >= ETH_HLEN + 4 &&
                  be16_to_cpu(eh->h_proto) == ETH_P_VLAN;
    uint16_t vid = tagged ? lduw_be_p(l2 + ETH_HLEN) & VLAN_VID_MASK : 0;
    bool spoof = false;

    if (len < ETH_HLEN) {
        return false;
    }
    /* A tag the descriptor asks for counts as the guest's own */
    if (desc_tci >= 0 && !(pool->defvlan & R_POOL_DEFVLAN_INSERT_MASK)) {
        tagged = true;
        vid = desc_tci & VLAN_VID_MASK;
    }
    /* The source MAC must be one of the pool's, for the frame's VLAN */
    if ((pool->defvlan & R_POOL_DEFVLAN_INSERT_MASK) && !tagged) {
        vid = FIELD_EX32(pool->defvlan, POOL_DEFVLAN, TCI) & VLAN_VID_MASK;
    }
    if ((pool->ctrl & R_POOL_CTRL_MAC_ANTISPOOF_MASK) &&
        !(vmqnic_mac_lookup(s, eh->h_source, tagged || vid, vid) &
          BIT_ULL(p))) {
        spoof = true;
    }
    if ((pool->ctrl & R_POOL_CTRL_VLAN_ANTISPOOF_MASK) && tagged) {
        /* With a port VLAN the guest must not tag at all */
        if ((pool->defvlan & R_POOL_DEFVLAN_INSERT_MASK) || (vid &&
            !((s->vid_pools[vid] | s->masks.vlan_promisc) & BIT_ULL(p)))) {
            spoof = true;
        }
    }
    if (!spoof) {
        return false;
    }
    s->pools[p].spoof_drops++;
    s->spoof_pools[p / 32] |= BIT(p % 32);
    s->stats[VMQNIC_STAT_SPOOF_DROPS]++;
    trace_vmqnic_tx_spoof(p);
    vmqnic_misc_cause(s, R_MISC_ICR_SPOOF_MASK);
    return true;
}

void vmqnic_filter_init(VmqnicState *s)
{
    net_rx_pkt_init(&s->rx_pkt);
    s->rx_scratch = g_malloc(VMQNIC_MAX_FRAME);
}

void vmqnic_filter_exit(VmqnicState *s)
{
    net_rx_pkt_uninit(s->rx_pkt);
    g_free(s->rx_scratch);
}

/*
 * vmqnic: descriptor rings (queue enable/disable, TX and RX DMA)
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "hw/pci/pci_device.h"
#include "system/dma.h"
#include "system/runstate.h"
#include "net/eth.h"
#include "hw/net/net_tx_pkt.h"
#include "qemu/iov.h"
#include "standard-headers/linux/virtio_net.h"
#include "vmqnic.h"
#include "trace.h"

/* The longest frame sent: MAX_FRAME plus a tag the device inserts */
#define VMQNIC_TX_SCRATCH           (VMQNIC_MAX_FRAME + 4)

/* vmqnic_qstat_add() relies on the two counter lists starting alike */
QEMU_BUILD_BUG_ON((int)VMQNIC_QSTAT_RX_PKTS != (int)VMQNIC_STAT_RX_PKTS ||
                  (int)VMQNIC_QSTAT_RX_BYTES != (int)VMQNIC_STAT_RX_BYTES ||
                  (int)VMQNIC_QSTAT_RX_DROPS != (int)VMQNIC_STAT_RX_DROPS ||
                  (int)VMQNIC_QSTAT_RX_ERRS != (int)VMQNIC_STAT_RX_ERRS ||
                  (int)VMQNIC_QSTAT_TX_PKTS != (int)VMQNIC_STAT_TX_PKTS ||
                  (int)VMQNIC_QSTAT_TX_BYTES != (int)VMQNIC_STAT_TX_BYTES ||
                  (int)VMQNIC_QSTAT_TX_DROPS != (int)VMQNIC_STAT_TX_DROPS ||
                  (int)VMQNIC_QSTAT_TX_ERRS != (int)VMQNIC_STAT_TX_ERRS);

/*
 * Units (descriptors, TSO segments, internal-switch copies) of one TX
 * bottom-half run: per queue, and in all
 */
#define VMQNIC_TX_BUDGET            256
#define VMQNIC_TX_RUN_BUDGET        1024
/* Units a TX doorbell processes itself, before the bottom half */
#define VMQNIC_TX_INLINE_BUDGET     64

static void tx_doorbell(VmqnicState *s, unsigned q);

static dma_addr_t ring_base(const VmqnicRing *r)
{
    return deposit64(r->regs[R_Q_BASE_LO], 32, 32, r->regs[R_Q_BASE_HI]);
}

static bool ring_running(const VmqnicRing *r)
{
    return r->regs[R_Q_STATUS] & R_Q_STATUS_ENABLED_MASK;
}

/* Descriptors the driver has made available: head up to tail */
static uint32_t ring_avail(const VmqnicRing *r)
{
    uint32_t mask = r->regs[R_Q_LEN] - 1;

    return mask & (r->regs[R_Q_TAIL] - r->regs[R_Q_HEAD]);
}

static dma_addr_t ring_desc_addr(const VmqnicRing *r, uint32_t index)
{
    return ring_base(r) + (dma_addr_t)index * VMQNIC_DESC_SIZE;
}

/*
 * Descriptors read ahead from one ring, as hardware prefetches them: the
 * ones at ring indexes [first, first + count), from desc[pos] on.  They
 * are the device's (between head and tail) until it consumes them, so
 * they stay valid until the queue stops.
 */
#define VMQNIC_PREFETCH             VMQNIC_TX_MAX_DESC_PER_FRAME

struct VmqnicDescCache {
    int q;                  /* the TX cache: whose descriptors; RX: unused */
    uint32_t first;
    uint32_t count;
    uint32_t pos;
    uint64_t desc[VMQNIC_PREFETCH][VMQNIC_DESC_SIZE / 8];
};

static void desc_cache_drop(VmqnicState *s, unsigned q, int dir)
{
    if (dir == VMQNIC_RX) {
        s->rx_cache[q].count = 0;
    } else if (s->tx_cache->q == q) {
        s->tx_cache->count = 0;
    }
}

static void rx_backlog_drop(VmqnicState *s, unsigned q)
{
    VmqnicHeldFrame *f;

    while ((f = QSIMPLEQ_FIRST(&s->rx_backlog[q]))) {
        QSIMPLEQ_REMOVE_HEAD(&s->rx_backlog[q], next);
        vmqnic_qstat_add(s, q, VMQNIC_QSTAT_RX_DROPS, 1);
        g_free(f);
    }
    s->rx_backlog_len[q] = 0;
}

static void queue_stop(VmqnicState *s, unsigned q, int dir, uint32_t status)
{
    VmqnicRing *r = &s->queues[q].ring[dir];

    r->regs[R_Q_CTRL] &= ~R_Q_CTRL_ENABLE_MASK;
    r->regs[R_Q_STATUS] = status;
    desc_cache_drop(s, q, dir);
    if (dir == VMQNIC_RX) {
        rx_backlog_drop(s, q);
    } else {
        s->tx_pending[q / 32] &= ~BIT(q % 32);
    }
}

void vmqnic_queue_error(VmqnicState *s, unsigned q, int dir, unsigned code,
                        const char *what, uint64_t value)
{
    queue_stop(s, q, dir, R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    s->queues[q].ring[dir].regs[R_Q_ERR] = code;
    vmqnic_guest_error(s, code, vmqnic_queue_where(q, dir),
                       "%s queue %u: bad %s 0x%" PRIx64,
                       dir == VMQNIC_TX ? "TX" : "RX", q, what, value);
    vmqnic_misc_cause(s, R_MISC_ICR_QERR_MASK);
}

/* Checks done when a queue is enabled; returns false after reporting */
static bool queue_check(VmqnicState *s, unsigned q, int dir)
{
    const uint32_t *regs = s->queues[q].ring[dir].regs;
    uint32_t len = regs[R_Q_LEN];

    if (regs[R_Q_BASE_LO] & (VMQNIC_DESC_ALIGN - 1)) {
        vmqnic_queue_error(s, q, dir, VMQNIC_ERR_BAD_BASE, "ring base",
                           regs[R_Q_BASE_LO]);
        return false;
    }
    if (!is_power_of_2(len) || len < BIT(VMQNIC_RING_MIN_LOG2) ||
        len > BIT(VMQNIC_RING_MAX_LOG2)) {
        vmqnic_queue_error(s, q, dir, VMQNIC_ERR_BAD_LEN, "ring length",
                           len);
        return false;
    }
    if (dir == VMQNIC_RX && (regs[R_Q_BUFSZ] < VMQNIC_RX_BUF_MIN ||
                             regs[R_Q_BUFSZ] > VMQNIC_RX_BUF_MAX)) {
        vmqnic_queue_error(s, q, dir, VMQNIC_ERR_BAD_BUFSZ, "buffer size",
                           regs[R_Q_BUFSZ]);
        return false;
    }
    if (regs[R_Q_TAIL] >= len) {
        vmqnic_queue_error(s, q, dir, VMQNIC_ERR_BAD_TAIL, "tail",
                           regs[R_Q_TAIL]);
        return false;
    }
    return true;
}

void vmqnic_queue_ctrl(VmqnicState *s, unsigned q, int dir, uint32_t val)
{
    VmqnicRing *r = &s->queues[q].ring[dir];
    bool was = r->regs[R_Q_CTRL] & R_Q_CTRL_ENABLE_MASK;
    bool now = val & R_Q_CTRL_ENABLE_MASK;

    r->regs[R_Q_CTRL] = val & VMQNIC_Q_CTRL_MASK;
    if (now && !was) {
        if (!queue_check(s, q, dir)) {
            return;
        }
        r->regs[R_Q_HEAD] = 0;
        r->regs[R_Q_STATUS] = R_Q_STATUS_ENABLED_MASK;
        if (dir == VMQNIC_TX) {
            vmqnic_tx_kick(s, q);
        }
    } else if (!now && was) {
        /*
         * Everything runs under the BQL: no frame is in flight here, so
         * DMA has stopped as soon as the queue is disabled.
         */
        queue_stop(s, q, dir, R_Q_STATUS_STOPPED_MASK);
    }
    trace_vmqnic_queue_ctrl(q, dir, r->regs[R_Q_CTRL], r->regs[R_Q_STATUS]);
}

void vmqnic_queue_tail(VmqnicState *s, unsigned q, int dir, uint32_t val)
{
    VmqnicRing *r = &s->queues[q].ring[dir];

    r->regs[R_Q_TAIL] = val;
    trace_vmqnic_queue_doorbell(q, dir, val, r->regs[R_Q_HEAD]);
    if (!ring_running(r)) {
        return;
    }
    if (val >= r->regs[R_Q_LEN]) {
        vmqnic_queue_error(s, q, dir, VMQNIC_ERR_BAD_TAIL, "tail", val);
        return;
    }
    if (dir == VMQNIC_TX) {
        tx_doorbell(s, q);
    } else {
        /*
         * Only held-back frames wait for buffers: the device takes every
         * frame a backend offers (can_receive is always true), so the net
         * layer queues frames for it only while the VM is stopped and
         * flushes them when it runs again.  (A flush here would wake the
         * main loop at every RX doorbell.)
         */
        vmqnic_rx_refill(s, q);
    }
}

/* Read @n descriptors starting at @index, wrapping at the ring's end */
static bool ring_read(VmqnicState *s, VmqnicRing *r, uint32_t index,
                      void *buf, uint32_t n)
{
    uint32_t first = MIN(n, r->regs[R_Q_LEN] - index);

    if (vmqnic_dma_read(s, ring_desc_addr(r, index), buf,
                        first * VMQNIC_DESC_SIZE) != MEMTX_OK) {
        return false;
    }
    if (n > first &&
        vmqnic_dma_read(s, ring_base(r), (uint8_t *)buf +
                        first * VMQNIC_DESC_SIZE,
                        (n - first) * VMQNIC_DESC_SIZE) != MEMTX_OK) {
        return false;
    }
    return true;
}

/*
 * The descriptors from @head on, at least @want of them (@want <= @avail,
 * the ring's available count), in *@n how many; NULL when the ring cannot
 * be read.  One DMA read fetches up to VMQNIC_PREFETCH.
 */
static const void *ring_fetch(VmqnicState *s, VmqnicRing *r,
                              VmqnicDescCache *c, uint32_t head,
                              uint32_t avail, uint32_t want, uint32_t *n)
{
    if (!c->count || c->first != head || MIN(c->count, avail) < want) {
        uint32_t cnt = MIN(avail, VMQNIC_PREFETCH);

        c->count = 0;
        if (!ring_read(s, r, head, c->desc, cnt)) {
            return NULL;
        }
        c->first = head;
        c->count = cnt;
        c->pos = 0;
    }
    *n = MIN(c->count, avail);
    return c->desc[c->pos];
}

/* The device is done with @n descriptors from the cache's first one */
static void ring_consume(const VmqnicRing *r, VmqnicDescCache *c, uint32_t n)
{
    n = MIN(n, c->count);
    c->first = (c->first + n) & (r->regs[R_Q_LEN] - 1);
    c->count -= n;
    c->pos += n;
}

static void queue_completed(VmqnicState *s, unsigned q, int dir)
{
    uint32_t *icr = dir == VMQNIC_TX ? s->txq_icr : s->rxq_icr;
    uint32_t vec = s->queues[q].ring[dir].regs[R_Q_VEC];

    icr[q / 32] |= BIT(q % 32);
    trace_vmqnic_queue_irq(q, dir, vec & R_Q_VEC_VALID_MASK ?
                           FIELD_EX32(vec, Q_VEC, VECTOR) : -1);
    if (vec & R_Q_VEC_VALID_MASK) {
        vmqnic_vector_signal(s, FIELD_EX32(vec, Q_VEC, VECTOR));
    }
}

/* TX */

void vmqnic_tx_kick(VmqnicState *s, unsigned q)
{
    s->tx_pending[q / 32] |= BIT(q % 32);
    qemu_bh_schedule(s->tx_bh);
}

static bool tx_allowed(VmqnicState *s, unsigned q)
{
    unsigned pool = q >> FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, QPP_LOG2);

    return (s->ctrl & R_CTRL_TX_EN_MASK) && pool < s->num_pools &&
           vmqnic_pool_queues(s, pool) &&
           (s->pools[pool].ctrl & R_POOL_CTRL_TX_EN_MASK);
}

/* Copy up to @size bytes of the frame's start (its L2 header) */
static size_t tx_peek(VmqnicState *s, const VmqnicTxDesc *desc, unsigned n,
                      uint8_t *buf, size_t size)
{
    size_t done = 0;
    unsigned i;

    for (i = 0; i < n && done < size; i++) {
        size_t len = MIN(le16_to_cpu(desc[i].len), size - done);

        if (vmqnic_dma_read(s, le64_to_cpu(desc[i].addr), buf + done,
                            len) != MEMTX_OK) {
            break;
        }
        done += len;
    }
    return done;
}

/* What the per-segment send callback needs to know about the frame */
typedef struct VmqnicTxSend {
    VmqnicState *s;
    NetClientState *nc;
    unsigned pool;
    bool dropped;
    bool offload;       /* the backend segments and checksums (has_vnet) */
    /* TSO: segments still to come, and where the last one gets FIN/PSH */
    unsigned segs_left;
    size_t l4_off;
    uint8_t fin_psh;
} VmqnicTxSend;

/*
 * net_tx_pkt's software segmentation clears FIN and PSH in every segment;
 * hardware keeps them in the last one.  Put them back, fixing the TCP
 * checksum incrementally (RFC 1624).
 */
static void tso_last_flags(uint8_t *frame, size_t len, size_t l4,
                           uint8_t fin_psh)
{
    uint16_t old, new;
    uint32_t sum;

    if (!fin_psh || l4 + 18 > len) {
        return;
    }
    old = lduw_be_p(frame + l4 + 12);
    frame[l4 + 13] |= fin_psh;
    new = lduw_be_p(frame + l4 + 12);
    sum = (uint16_t)~lduw_be_p(frame + l4 + 16) + (uint16_t)~old + new;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    stw_be_p(frame + l4 + 16, ~sum);
}

/*
 * Put a finished frame on the wire, after an empty virtio-net header when
 * the backend expects one
 */
static void tx_wire(VmqnicTxSend *tx, const uint8_t *frame, size_t len)
{
    static const struct virtio_net_hdr no_offload;
    const struct iovec iov[2] = {
        { .iov_base = (void *)&no_offload, .iov_len = sizeof(no_offload) },
        { .iov_base = (void *)frame, .iov_len = len },
    };

    if (tx->s->has_vnet) {
        qemu_sendv_packet(tx->nc, iov, 2);
    } else {
        qemu_send_packet(tx->nc, frame, len);
    }
}

/* Deliver the frame in tx_scratch: internal switch, then the wire */
static void tx_deliver(VmqnicTxSend *tx, size_t len)
{
    VmqnicState *s = tx->s;
    uint64_t local = 0;

    if (unlikely(s->reset_pending)) {
        return;         /* reset or unplugged by the run itself: no more */
    }
    if ((s->vmdq_ctrl & R_VMDQ_CTRL_LOOPBACK_EN_MASK) && len >= ETH_HLEN) {
        local = vmqnic_rx_classify(s, s->tx_scratch, len, tx->pool);
        s->tx_copies += ctpop64(local);
        if (local) {
            s->stats[VMQNIC_STAT_LOOPBACK]++;
            if (!is_multicast_ether_addr(s->tx_scratch)) {
                return;
            }
        }
    }
    if (vmqnic_link_up(s)) {
        tx_wire(tx, s->tx_scratch, len);
    } else if (!local) {
        tx->dropped = true;
    }
}

/* net_tx_pkt hands over each (segmented) frame here */
static void vmqnic_tx_segment(void *opaque, const struct iovec *iov,
                              int iov_cnt, const struct iovec *virt_iov,
                              int virt_iov_cnt)
{
    VmqnicTxSend *tx = opaque;
    size_t len;

    if (tx->offload) {
        /* The whole frame, with the virtio-net header asking for the work */
        if (vmqnic_link_up(tx->s)) {
            qemu_sendv_packet(tx->nc, virt_iov, virt_iov_cnt);
        } else {
            tx->dropped = true;
        }
        return;
    }
    len = iov_to_buf(iov, iov_cnt, 0, tx->s->tx_scratch, VMQNIC_TX_SCRATCH);
    if (tx->segs_left && --tx->segs_left == 0) {
        tso_last_flags(tx->s->tx_scratch, len, tx->l4_off, tx->fin_psh);
    }
    tx_deliver(tx, len);
}

/* Remember what TSO's last segment must carry (see tso_last_flags) */
static void tso_prepare(VmqnicState *s, const VmqnicTxDesc *desc, unsigned n,
                        size_t total, VmqnicTxSend *tx)
{
    struct virtio_net_hdr *vh = net_tx_pkt_get_vhdr(s->tx_pkt);
    size_t grown = net_tx_pkt_get_total_len(s->tx_pkt) - total;
    uint8_t hdr[VMQNIC_TSO_HDR_MAX];
    size_t payload;

    if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE || !vh->gso_size) {
        return;
    }
    payload = net_tx_pkt_get_total_len(s->tx_pkt) - vh->hdr_len;
    tx->segs_left = DIV_ROUND_UP(payload, vh->gso_size);
    tx->l4_off = vh->csum_start;
    /* The guest's own flags, before a VLAN tag the device inserted */
    if (tx->l4_off - grown + 14 <= sizeof(hdr) &&
        tx_peek(s, desc, n, hdr, tx->l4_off - grown + 14) ==
        tx->l4_off - grown + 14) {
        tx->fin_psh = hdr[tx->l4_off - grown + 13] & (TH_FIN | TH_PUSH);
    }
}

/*
 * How the frame goes out.  Segmentation goes to a backend that takes a
 * virtio-net header, unless the internal switch may need the segments:
 * the header then carries the request and the TCP checksum field the
 * pseudo-header sum, as the backend expects.  Everything else is done
 * here, in software.
 */
static void tx_prepare(VmqnicState *s, unsigned q, const VmqnicTxDesc *desc,
                       unsigned n, size_t total, VmqnicTxSend *tx)
{
    struct virtio_net_hdr *vh = net_tx_pkt_get_vhdr(s->tx_pkt);

    if (s->has_vnet && vh->gso_type != VIRTIO_NET_HDR_GSO_NONE &&
        !(s->vmdq_ctrl & R_VMDQ_CTRL_LOOPBACK_EN_MASK)) {
        net_tx_pkt_update_ip_checksums(s->tx_pkt);
        tx->offload = true;
        trace_vmqnic_tx_vnet(q, vh->gso_type, vh->gso_size);
        return;
    }
    tso_prepare(s, desc, n, total, tx);
}

/*
 * VLAN insertion and checksum / segmentation requests of the frame's
 * first descriptor, prepared in net_tx_pkt's virtio-net header; the send
 * does them in software.
 */
static unsigned tx_offloads(VmqnicState *s, unsigned pool,
                            const VmqnicTxDesc *first, const uint8_t *hdr,
                            size_t hdr_len, size_t total)
{
    uint8_t cmd = first->cmd;
    bool tso = cmd & VMQNIC_TXD_CMD_TSO;
    bool l4cs = (cmd & VMQNIC_TXD_CMD_L4CS) || tso;
    uint16_t mss = le16_to_cpu(first->mss);
    size_t l3 = ETH_HLEN;
    uint16_t proto = hdr_len >= ETH_HLEN ? lduw_be_p(hdr + 12) : 0;
    struct virtio_net_hdr *vh = net_tx_pkt_get_vhdr(s->tx_pkt);
    bool csum_only = !tso && (l4cs || (cmd & VMQNIC_TXD_CMD_IPCS));
    size_t grown;

    /* The tags net_tx_pkt skips: 0x8100 or 0x88a8, or 0x88a8 then 0x8100 */
    if ((proto == ETH_P_VLAN || proto == ETH_P_DVLAN) &&
        hdr_len >= l3 + 4) {
        bool outer_dvlan = proto == ETH_P_DVLAN;

        proto = lduw_be_p(hdr + l3 + 2);
        l3 += 4;
        if (outer_dvlan && proto == ETH_P_VLAN && hdr_len >= l3 + 4) {
            proto = lduw_be_p(hdr + l3 + 2);
            l3 += 4;
        }
    }
    /* A port VLAN wins over the descriptor's tag */
    if (s->pools[pool].defvlan & R_POOL_DEFVLAN_INSERT_MASK) {
        net_tx_pkt_setup_vlan_header_ex(s->tx_pkt,
                                        FIELD_EX32(s->pools[pool].defvlan,
                                                   POOL_DEFVLAN, TCI),
                                        ETH_P_VLAN);
    } else if (cmd & VMQNIC_TXD_CMD_VLE) {
        net_tx_pkt_setup_vlan_header_ex(s->tx_pkt, le16_to_cpu(first->vlan),
                                        ETH_P_VLAN);
    }
    grown = net_tx_pkt_get_total_len(s->tx_pkt) - total;
    if ((cmd & VMQNIC_TXD_CMD_IPCS) && proto != ETH_P_IP) {
        return VMQNIC_ERR_BAD_OFFLOAD;
    }
    /* No checksum or segmentation of an IPv4 fragment */
    if (l4cs && proto == ETH_P_IP &&
        (hdr_len < l3 + 8 || (lduw_be_p(hdr + l3 + 6) & 0x3fff))) {
        return VMQNIC_ERR_BAD_OFFLOAD;
    }
    if (tso && (mss < VMQNIC_TSO_MSS_MIN || mss > VMQNIC_TSO_MSS_MAX)) {
        return VMQNIC_ERR_BAD_OFFLOAD;
    }
    /*
     * The checksum covers the frame from the L4 header to its end, so the
     * IP datagram must end where the frame does: no padding after it.  The
     * same for the IPv4 header checksum, which net_tx_pkt computes after
     * setting the total length to the frame's.
     */
    if (csum_only &&
        ((proto == ETH_P_IP && hdr_len >= l3 + 4 &&
          l3 + lduw_be_p(hdr + l3 + 2) != total) ||
         (proto == ETH_P_IPV6 && hdr_len >= l3 + 6 &&
          l3 + 40 + lduw_be_p(hdr + l3 + 4) != total))) {
        return VMQNIC_ERR_BAD_OFFLOAD;
    }
    if (l4cs) {
        if (!net_tx_pkt_build_vheader(s->tx_pkt, tso, true, mss)) {
            return VMQNIC_ERR_BAD_OFFLOAD;
        }
        if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
            return VMQNIC_ERR_BAD_OFFLOAD;   /* not TCP / UDP */
        }
    }
    if (tso) {
        uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

        if (gso != VIRTIO_NET_HDR_GSO_TCPV4 &&
            gso != VIRTIO_NET_HDR_GSO_TCPV6) {
            return VMQNIC_ERR_BAD_OFFLOAD;   /* TSO is for TCP only */
        }
        /*
         * Headers that end before the frame does (some payload); every
         * segment within the pool's maximum frame; the IP datagram within
         * 64 KiB
         */
        if (vh->hdr_len >= net_tx_pkt_get_total_len(s->tx_pkt) ||
            vh->hdr_len - grown + mss > s->pools[pool].maxframe ||
            net_tx_pkt_get_total_len(s->tx_pkt) - grown - l3 > 0xffff) {
            return VMQNIC_ERR_BAD_OFFLOAD;
        }
    }
    if (cmd & VMQNIC_TXD_CMD_IPCS) {
        net_tx_pkt_update_ip_hdr_checksum(s->tx_pkt);
    }
    return VMQNIC_ERR_NONE;
}

/*
 * Gather @len bytes at @addr into tx_scratch at @off; false when there is
 * no memory there.  A frame too big for tx_scratch is never sent: only
 * check its memory.
 */
static bool tx_gather(VmqnicState *s, dma_addr_t addr, uint16_t len,
                      size_t off)
{
    PCIDevice *d = &s->parent_obj;

    if (off + len > VMQNIC_TX_SCRATCH) {
        return dma_memory_valid(pci_get_address_space(d), addr, len,
                                DMA_DIRECTION_TO_DEVICE,
                                MEMTXATTRS_UNSPECIFIED);
    }
    return vmqnic_dma_read(s, addr, s->tx_scratch + off, len) == MEMTX_OK;
}

/*
 * Send one frame of @n descriptors.  Returns an error code for the
 * write-back, VMQNIC_ERR_NONE when the frame was sent or dropped for a
 * reason that is not the driver's (link down).
 *
 * A plain frame (no offload asked, no port VLAN to insert) goes out as
 * the guest wrote it: it is gathered straight into tx_scratch, without
 * net_tx_pkt, with the same checks and results.
 */
static unsigned tx_frame(VmqnicState *s, unsigned q, const VmqnicTxDesc *desc,
                         unsigned n)
{
    PCIDevice *d = &s->parent_obj;
    unsigned pool = q >> FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, QPP_LOG2);
    unsigned code = VMQNIC_ERR_NONE;
    uint8_t hdr[ETH_HLEN + 8 + 20];     /* L2, two tags, an IPv4 header */
    const uint8_t *l2 = hdr;
    size_t hdr_len = 0;
    bool plain = !(desc[0].cmd & VMQNIC_TXD_CMD_OFFLOADS) &&
                 !(s->pools[pool].defvlan & R_POOL_DEFVLAN_INSERT_MASK);
    bool raw = false;
    size_t total = 0;
    unsigned i;

    for (i = 0; i < n && code == VMQNIC_ERR_NONE; i++) {
        uint16_t len = le16_to_cpu(desc[i].len);

        dma_addr_t addr = le64_to_cpu(desc[i].addr);

        if (len == 0 || len > VMQNIC_MAX_FRAME) {
            code = VMQNIC_ERR_BAD_DESC;
        } else if (vmqnic_own_bar(s, addr, len)) {
            code = VMQNIC_ERR_DMA;      /* no DMA from the device itself */
        } else if (VMQNIC_FAULT(s, dma, q, VMQNIC_TX, false) ||
                   (plain ? !tx_gather(s, addr, len, total) :
                    !dma_memory_valid(pci_get_address_space(d), addr, len,
                                      DMA_DIRECTION_TO_DEVICE,
                                      MEMTXATTRS_UNSPECIFIED) ||
                    !net_tx_pkt_add_raw_fragment_pci(s->tx_pkt, d, addr,
                                                     len))) {
            /* No memory there: the bus would have aborted the read. */
            code = VMQNIC_ERR_DMA;
        }
        total += len;
    }
    if (code == VMQNIC_ERR_NONE &&
        total > ((desc[0].cmd & VMQNIC_TXD_CMD_TSO) ? VMQNIC_TSO_MAX
                                                   : s->pools[pool].maxframe)) {
        code = VMQNIC_ERR_TOO_BIG;
    }
    if (code == VMQNIC_ERR_NONE && !plain && !net_tx_pkt_parse(s->tx_pkt)) {
        /*
         * Headers too short to parse: fine for a plain frame, which goes
         * out as it is, but no offload can work on it.
         */
        if ((desc[0].cmd & VMQNIC_TXD_CMD_OFFLOADS) ||
            (s->pools[pool].defvlan & R_POOL_DEFVLAN_INSERT_MASK)) {
            code = VMQNIC_ERR_BAD_OFFLOAD;
        } else {
            raw = true;
        }
    }
    if (code == VMQNIC_ERR_NONE && plain) {
        l2 = s->tx_scratch;
        hdr_len = total;
    } else if (code == VMQNIC_ERR_NONE) {
        hdr_len = tx_peek(s, desc, n, hdr, sizeof(hdr));
        if (!raw) {
            code = tx_offloads(s, pool, &desc[0], hdr, hdr_len, total);
        }
    }

    if (code == VMQNIC_ERR_NONE &&
        vmqnic_tx_spoofed(s, pool, l2, hdr_len,
                          (desc[0].cmd & VMQNIC_TXD_CMD_VLE) ?
                          le16_to_cpu(desc[0].vlan) : -1)) {
        vmqnic_qstat_add(s, q, VMQNIC_QSTAT_TX_DROPS, 1);
        code = VMQNIC_ERR_SPOOF;
    } else if (code != VMQNIC_ERR_NONE) {
        vmqnic_qstat_add(s, q, VMQNIC_QSTAT_TX_ERRS, 1);
        vmqnic_guest_error(s, code, vmqnic_queue_where(q, VMQNIC_TX),
                           "TX queue %u: frame of %u descriptors, %zu bytes "
                           "rejected", q, n, total);
    } else {
        VmqnicTxSend tx = {
            .s = s,
            .nc = qemu_get_subqueue(s->nic, q % MAX(s->conf.peers.queues, 1)),
            .pool = pool,
        };

        trace_vmqnic_tx_frame(q, n, total);
        if (plain) {
            tx_deliver(&tx, total);
        } else if (raw) {
            if (tx_peek(s, desc, n, s->tx_scratch, total) == total) {
                tx_deliver(&tx, total);
            } else {
                tx.dropped = true;
            }
        } else {
            tx_prepare(s, q, desc, n, total, &tx);
            if (!net_tx_pkt_send_custom(s->tx_pkt, tx.offload,
                                        vmqnic_tx_segment, &tx)) {
                /* Segmentation could not use the headers: nothing sent */
                code = VMQNIC_ERR_BAD_OFFLOAD;
            }
        }
        if (code != VMQNIC_ERR_NONE) {
            vmqnic_qstat_add(s, q, VMQNIC_QSTAT_TX_ERRS, 1);
            vmqnic_guest_error(s, code, vmqnic_queue_where(q, VMQNIC_TX),
                               "TX queue %u: frame of %zu bytes could not "
                               "be segmented", q, total);
        } else if (tx.dropped) {
            vmqnic_qstat_add(s, q, VMQNIC_QSTAT_TX_DROPS, 1);
        } else {
            vmqnic_qstat_add(s, q, VMQNIC_QSTAT_TX_PKTS, 1);
            vmqnic_qstat_add(s, q, VMQNIC_QSTAT_TX_BYTES, total);
        }
    }
    if (!plain) {
        net_tx_pkt_reset(s->tx_pkt, net_tx_pkt_unmap_frag_pci, d);
    }
    return code;
}

/*
 * What a frame of @n descriptors costs of a run's budget: its descriptors,
 * or for TSO the segments it makes, so that large sends cannot stretch one
 * run of the device
 */
static unsigned tx_cost(const VmqnicTxDesc *desc, unsigned n)
{
    unsigned mss = le16_to_cpu(desc[0].mss), i;
    size_t total = 0;

    if (!(desc[0].cmd & VMQNIC_TXD_CMD_TSO) || !mss) {
        return n;
    }
    for (i = 0; i < n; i++) {
        total += le16_to_cpu(desc[i].len);
    }
    return MAX(n, DIV_ROUND_UP(total, mss));
}

/*
 * Process descriptors of TX queue @q, charging each frame's descriptors,
 * TSO segments and internal-switch copies to *@budget, until it or the
 * ring runs out; false when more wait.  Sets *@wrote_back when a
 * descriptor was written back.
 */
static bool tx_queue_run(VmqnicState *s, unsigned q, unsigned *budget,
                         bool *wrote_back)
{
    VmqnicRing *r = &s->queues[q].ring[VMQNIC_TX];
    VmqnicDescCache *c = s->tx_cache;

    if (VMQNIC_FAULT(s, stalled, q, VMQNIC_TX)) {
        return true;    /* doorbells are kept; nothing is fetched */
    }
    if (c->q != q) {
        c->q = q;
        c->count = 0;
    }
    /* A reset the run itself caused ends it (see VmqnicState.busy) */
    while (ring_running(r) && tx_allowed(s, q) && !s->reset_pending) {
        uint32_t head = r->regs[R_Q_HEAD];
        uint32_t avail = ring_avail(r);
        uint32_t n = MIN(avail, VMQNIC_TX_MAX_DESC_PER_FRAME);
        const VmqnicTxDesc *desc;
        unsigned code, eop;
        uint32_t want, got;

        if (!n) {
            return true;
        }
        if (!*budget) {
            return false;
        }
        /* What was read ahead, or all n when the EOP is not among them */
        for (want = 1;; want = n) {
            desc = VMQNIC_FAULT(s, dma, q, VMQNIC_TX, true) ? NULL :
                   ring_fetch(s, r, c, head, avail, want, &got);
            if (!desc) {
                vmqnic_queue_error(s, q, VMQNIC_TX, VMQNIC_ERR_DMA,
                                   "descriptor address",
                                   ring_desc_addr(r, head));
                return true;
            }
            for (eop = 0; eop < got; eop++) {
                if (desc[eop].cmd & VMQNIC_TXD_CMD_EOP) {
                    break;
                }
            }
            if (eop < got || got >= n) {
                break;
            }
        }
        if (eop == n) {
            if (n < VMQNIC_TX_MAX_DESC_PER_FRAME) {
                return true;    /* the rest of the frame is not posted yet */
            }
            eop = n - 1;        /* too many descriptors: reject them all */
            code = VMQNIC_ERR_BAD_DESC;
            vmqnic_qstat_add(s, q, VMQNIC_QSTAT_TX_ERRS, 1);
            vmqnic_guest_error(s, code, vmqnic_queue_where(q, VMQNIC_TX),
                               "TX queue %u: no end of packet in %u "
                               "descriptors", q, n);
        } else {
            code = tx_frame(s, q, desc, eop + 1);
        }

        if (desc[eop].cmd & VMQNIC_TXD_CMD_RS || code != VMQNIC_ERR_NONE) {
            uint8_t sta = VMQNIC_TXD_STA_DD;

            *wrote_back = true;

            if (code != VMQNIC_ERR_NONE) {
                sta |= VMQNIC_TXD_STA_ERR |
                       code << VMQNIC_TXD_STA_ERRCODE_SHIFT;
            }
            vmqnic_dma_write(s, ring_desc_addr(r, (head + eop) &
                                               (r->regs[R_Q_LEN] - 1)) +
                             offsetof(VmqnicTxDesc, sta), &sta, 1);
        }
        /* Each copy the internal switch made is charged too */
        *budget -= MIN(*budget, tx_cost(desc, eop + 1) + s->tx_copies);
        s->tx_copies = 0;
        ring_consume(r, c, eop + 1);
        r->regs[R_Q_HEAD] = (head + eop + 1) & (r->regs[R_Q_LEN] - 1);
    }
    return true;
}

/* tx_queue_run, raising the queue's cause once, after its last write-back */
static bool tx_queue_process(VmqnicState *s, unsigned q, unsigned *budget)
{
    bool wrote_back = false;
    bool done = tx_queue_run(s, q, budget, &wrote_back);

    if (wrote_back) {
        queue_completed(s, q, VMQNIC_TX);
    }
    return done;
}

/*
 * A TX doorbell: a short run goes out at once, within the register write,
 * which spares the guest a wake-up of the main loop per doorbell; the
 * rest (and a queue the bottom half already has) goes to the bottom half,
 * so that a doorbell never holds the vCPU long.
 */
static void tx_doorbell(VmqnicState *s, unsigned q)
{
    unsigned budget = VMQNIC_TX_INLINE_BUDGET;

    if (!(s->tx_pending[q / 32] & BIT(q % 32)) && runstate_is_running() &&
        tx_queue_process(s, q, &budget)) {
        return;
    }
    vmqnic_tx_kick(s, q);
}

/*
 * One run of the bottom half: each waiting ring in turn, from where the
 * last run stopped, at most VMQNIC_TX_BUDGET units each and
 * VMQNIC_TX_RUN_BUDGET in all, so that neither one ring nor many rings
 * keep the main loop long
 */
static void vmqnic_tx_bh(void *opaque)
{
    VmqnicState *s = opaque;
    unsigned run = VMQNIC_TX_RUN_BUDGET, n = s->num_queues, i, w;
    bool more = false;

    /* Nothing moves while the VM is stopped: its state may be saved */
    if (!runstate_is_running()) {
        return;
    }
    vmqnic_busy_enter(s);
    s->irq_hold++;
    for (i = 0; i < n && run; i++) {
        unsigned q = (s->tx_next + i) % n;
        unsigned budget = MIN(run, VMQNIC_TX_BUDGET);

        if (!s->tx_pending[q / 32]) {
            i += MIN(31 - q % 32, n - 1 - q);   /* to the next word */
            continue;
        }
        if (!(s->tx_pending[q / 32] & BIT(q % 32))) {
            continue;
        }
        if (tx_queue_process(s, q, &budget)) {
            s->tx_pending[q / 32] &= ~BIT(q % 32);
        }
        run -= MIN(run, VMQNIC_TX_BUDGET) - budget;
        if (!run) {
            s->tx_next = (q + 1) % n;
        }
    }
    for (w = 0; w < VMQNIC_QUEUE_WORDS; w++) {
        more |= s->tx_pending[w] != 0;
    }
    s->irq_hold--;
    vmqnic_irq_flush(s);
    if (more && !s->reset_pending) {
        qemu_bh_schedule(s->tx_bh);
    }
    vmqnic_busy_leave(s);
}

/* Resume every enabled TX queue, after a global or pool enable */
void vmqnic_tx_kick_all(VmqnicState *s)
{
    unsigned q;

    for (q = 0; q < s->num_queues; q++) {
        if (ring_running(&s->queues[q].ring[VMQNIC_TX])) {
            vmqnic_tx_kick(s, q);
        }
    }
}

/* RX */

/*
 * Write one frame into RX queue @q.  Returns false, writing nothing, when
 * the ring has too few buffers posted.
 */
static bool rx_write(VmqnicState *s, unsigned q, const uint8_t *buf,
                     size_t size, const VmqnicRxInfo *info)
{
    VmqnicQueuePair *qp = &s->queues[q];
    VmqnicRing *r = &qp->ring[VMQNIC_RX];
    uint32_t bufsz = r->regs[R_Q_BUFSZ];
    uint32_t n = DIV_ROUND_UP(size, bufsz);
    uint32_t head = r->regs[R_Q_HEAD];
    uint32_t mask = r->regs[R_Q_LEN] - 1;
    uint32_t avail = ring_avail(r);
    const VmqnicRxDesc *desc;
    bool dma_ok = true;
    size_t done = 0;
    uint32_t i;

    /* Every frame's descriptors fit in what is read ahead */
    QEMU_BUILD_BUG_ON(DIV_ROUND_UP(VMQNIC_MAX_FRAME, VMQNIC_RX_BUF_MIN) >
                      VMQNIC_PREFETCH);
    if (avail < n || VMQNIC_FAULT(s, stalled, q, VMQNIC_RX)) {
        return false;
    }
    desc = VMQNIC_FAULT(s, dma, q, VMQNIC_RX, true) ? NULL :
           ring_fetch(s, r, &s->rx_cache[q], head, avail, n, &i);
    if (!desc) {
        vmqnic_queue_error(s, q, VMQNIC_RX, VMQNIC_ERR_DMA,
                           "descriptor address", ring_desc_addr(r, head));
        return true;
    }

    for (i = 0; i < n; i++) {
        size_t chunk = MIN(size - done, bufsz);
        VmqnicRxWb wb = {
            .len = cpu_to_le16(chunk),
            .status = cpu_to_le16(VMQNIC_RXD_STA_DD),
        };

        if (VMQNIC_FAULT(s, dma, q, VMQNIC_RX, false) ||
            vmqnic_dma_write(s, le64_to_cpu(desc[i].addr), buf + done,
                             chunk) != MEMTX_OK) {
            dma_ok = false;
        }
        done += chunk;
        if (i == n - 1) {
            uint16_t status = VMQNIC_RXD_STA_DD | VMQNIC_RXD_STA_EOP |
                              info->status;

            if (!dma_ok) {
                status |= VMQNIC_RXD_STA_ERR;
                wb.errcode = VMQNIC_ERR_DMA;
            }
            wb.status = cpu_to_le16(status);
            wb.rss_hash = cpu_to_le32(info->rss_hash);
            wb.vlan = cpu_to_le16(info->vlan);
            wb.pool = info->pool;
            wb.hash_type = info->hash_type;
            wb.queue = cpu_to_le16(q);
            wb.ptype = info->ptype;
        }
        /* Data before the write-back that hands the buffer back */
        vmqnic_dma_write(s, ring_desc_addr(r, (head + i) & mask), &wb,
                         sizeof(wb));
    }
    ring_consume(r, &s->rx_cache[q], n);
    r->regs[R_Q_HEAD] = (head + n) & mask;

    if (dma_ok) {
        vmqnic_qstat_add(s, q, VMQNIC_QSTAT_RX_PKTS, 1);
        vmqnic_qstat_add(s, q, VMQNIC_QSTAT_RX_BYTES, size);
    } else {
        vmqnic_qstat_add(s, q, VMQNIC_QSTAT_RX_ERRS, 1);
        vmqnic_guest_error(s, VMQNIC_ERR_DMA, vmqnic_queue_where(q, VMQNIC_RX),
                           "RX queue %u: buffer DMA failed", q);
    }
    trace_vmqnic_rx_frame(q, size, n);
    queue_completed(s, q, VMQNIC_RX);
    return true;
}

static void rx_drop(VmqnicState *s, unsigned q)
{
    vmqnic_qstat_add(s, q, VMQNIC_QSTAT_RX_DROPS, 1);
    trace_vmqnic_rx_queue_drop(q);
}

/*
 * Deliver a classified frame to RX queue @q.  A full ring drops the frame
 * (Q_CTRL.DROP_EN) or holds it back in that queue's own backlog, so one
 * full queue never stalls the others.
 */
void vmqnic_rx_queue_put(VmqnicState *s, unsigned q, const uint8_t *buf,
                         size_t size, const VmqnicRxInfo *info)
{
    VmqnicRing *r = &s->queues[q].ring[VMQNIC_RX];
    VmqnicHeldFrame *f;

    if (!ring_running(r)) {
        rx_drop(s, q);
        return;
    }
    if (size > VMQNIC_MAX_FRAME ||
        DIV_ROUND_UP(size, r->regs[R_Q_BUFSZ]) >= r->regs[R_Q_LEN]) {
        /* The ring could never hold it: do not let it block the queue. */
        vmqnic_qstat_add(s, q, VMQNIC_QSTAT_RX_ERRS, 1);
        vmqnic_guest_error(s, VMQNIC_ERR_TOO_BIG,
                           vmqnic_queue_where(q, VMQNIC_RX),
                           "RX queue %u: %zu-byte frame exceeds what the ring "
                           "can hold", q, size);
        return;
    }
    if (QSIMPLEQ_EMPTY(&s->rx_backlog[q]) && rx_write(s, q, buf, size, info)) {
        return;
    }
    if ((r->regs[R_Q_CTRL] & R_Q_CTRL_DROP_EN_MASK) ||
        s->rx_backlog_len[q] >= VMQNIC_RX_BACKLOG) {
        rx_drop(s, q);
        return;
    }
    f = g_malloc(sizeof(*f) + size);
    f->size = size;
    f->info = *info;
    memcpy(f->data, buf, size);
    QSIMPLEQ_INSERT_TAIL(&s->rx_backlog[q], f, next);
    s->rx_backlog_len[q]++;
}

/*
 * Buffers were posted: move held-back frames into the ring.  Each frame
 * leaves the backlog before it is written: a write that fails stops the
 * ring, and stopping drops what is still held.
 */
void vmqnic_rx_refill(VmqnicState *s, unsigned q)
{
    VmqnicHeldFrame *f;

    while (ring_running(&s->queues[q].ring[VMQNIC_RX]) && !s->reset_pending &&
           (f = QSIMPLEQ_FIRST(&s->rx_backlog[q]))) {
        QSIMPLEQ_REMOVE_HEAD(&s->rx_backlog[q], next);
        s->rx_backlog_len[q]--;
        if (!rx_write(s, q, f->data, f->size, &f->info)) {
            /* No room: first in line again */
            QSIMPLEQ_INSERT_HEAD(&s->rx_backlog[q], f, next);
            s->rx_backlog_len[q]++;
            break;
        }
        g_free(f);
    }
}

/* Held-back frames into buffers posted while nothing moved (VM stopped) */
void vmqnic_rx_refill_all(VmqnicState *s)
{
    unsigned q;

    for (q = 0; q < s->num_queues; q++) {
        if (!QSIMPLEQ_EMPTY(&s->rx_backlog[q])) {
            vmqnic_rx_refill(s, q);
        }
    }
}

void vmqnic_rings_reset(VmqnicState *s)
{
    unsigned q;

    for (q = 0; q < VMQNIC_MAX_QUEUES; q++) {
        rx_backlog_drop(s, q);
    }
    memset(s->tx_pending, 0, sizeof(s->tx_pending));
    s->tx_next = 0;
    if (s->tx_pkt) {
        net_tx_pkt_reset(s->tx_pkt, net_tx_pkt_unmap_frag_pci,
                         PCI_DEVICE(s));
    }
    vmqnic_rings_post_load(s);
}

/* Descriptors read ahead before a reset or an incoming migration are stale */
void vmqnic_rings_post_load(VmqnicState *s)
{
    unsigned q;

    if (s->rx_cache) {
        for (q = 0; q < s->num_queues; q++) {
            s->rx_cache[q].count = 0;
        }
        s->tx_cache->count = 0;
    }
}

void vmqnic_rings_init(VmqnicState *s)
{
    unsigned q;

    for (q = 0; q < VMQNIC_MAX_QUEUES; q++) {
        QSIMPLEQ_INIT(&s->rx_backlog[q]);
    }
    net_tx_pkt_init(&s->tx_pkt, VMQNIC_TX_MAX_DESC_PER_FRAME);
    s->tx_scratch = g_malloc(VMQNIC_TX_SCRATCH);
    s->rx_cache = g_new0(VmqnicDescCache, s->num_queues);
    s->tx_cache = g_new0(VmqnicDescCache, 1);
    s->tx_cache->q = -1;
    s->tx_bh = qemu_bh_new_guarded(vmqnic_tx_bh, s,
                                   &DEVICE(s)->mem_reentrancy_guard);
}

void vmqnic_rings_exit(VmqnicState *s)
{
    vmqnic_rings_reset(s);
    qemu_bh_delete(s->tx_bh);
    net_tx_pkt_uninit(s->tx_pkt);
    g_free(s->tx_scratch);
    g_free(s->rx_cache);
    g_free(s->tx_cache);
    s->rx_cache = s->tx_cache = NULL;
}

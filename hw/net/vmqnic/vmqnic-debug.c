/*
 * vmqnic: driver developer tools
 *
 * x-query-vmqnic and "info vmqnic" show the device state as the driver
 * programmed it; x-vmqnic-inject-fault and x-vmqnic-clear-faults set and
 * clear faults that the device reports to the guest exactly as it
 * reports the real events (docs/system/devices/vmqnic.rst).
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/bitmap.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-vmqnic.h"
#include "qobject/qdict.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "net/eth.h"
#include "system/runstate.h"
#include "vmqnic.h"
#include "trace.h"

#define VMQNIC_LINK_FLAP_MS         100

static VmqnicState *vmqnic_find(const char *id, Error **errp)
{
    bool ambiguous = false;
    Object *obj;

    if (!id) {
        obj = object_resolve_type_unambiguous(TYPE_VMQNIC, errp);
        return obj ? VMQNIC(obj) : NULL;
    }
    obj = object_resolve_path_type(id, TYPE_VMQNIC, &ambiguous);
    if (!obj) {
        error_setg(errp, "'%s' is %s vmqnic device", id,
                   ambiguous ? "more than one" : "not a");
        return NULL;
    }
    return VMQNIC(obj);
}

/* Faults */

static bool ring_stalled(VmqnicFaults *f, unsigned q, int dir)
{
    return f->stalled[dir][q / 32] & BIT(q % 32);
}

/* Recompute faults.active after a fault was set, used up or cleared */
static void faults_update(VmqnicState *s)
{
    VmqnicFaults *f = &s->faults;
    bool any = f->link_down || f->rx_drop.on || f->rx_corrupt.on;
    unsigned i;

    for (i = 0; i < VMQNIC_QUEUE_WORDS; i++) {
        any |= f->stalled[VMQNIC_RX][i] || f->stalled[VMQNIC_TX][i];
    }
    for (i = 0; i < VMQNIC_VEC_WORDS; i++) {
        any |= f->irq_suppress[i] != 0;
    }
    for (i = 0; i < VMQNIC_MAX_QUEUES && !any; i++) {
        any = f->dma_count[i][VMQNIC_RX] || f->dma_count[i][VMQNIC_TX];
    }
    for (i = 0; i < VMQNIC_MAX_VECTORS && !any; i++) {
        any = f->irq_delay_us[i] != 0;
    }
    f->active = any;
}

/* The link as the guest sees it changed: the same event as set_link */
static void link_event(VmqnicState *s, bool was_up)
{
    bool up = vmqnic_link_up(s);

    if (up != was_up) {
        trace_vmqnic_link(up);
        vmqnic_misc_cause(s, R_MISC_ICR_LINK_MASK);
        vmqnic_irq_flush(s);
    }
}

static void link_flap_end(void *opaque)
{
    VmqnicState *s = opaque;
    bool was_up = vmqnic_link_up(s);

    s->faults.link_down = false;
    trace_vmqnic_fault_link(false, 0);
    faults_update(s);
    vmqnic_busy_enter(s);
    link_event(s, was_up);
    vmqnic_busy_leave(s);
}

bool vmqnic_fault_dma(VmqnicState *s, unsigned q, int dir, bool desc)
{
    VmqnicFaults *f = &s->faults;

    if (!f->dma_count[q][dir] || f->dma_desc[q][dir] != desc) {
        return false;
    }
    f->dma_count[q][dir]--;
    f->ev_dma_errors++;
    trace_vmqnic_fault_dma(q, dir, desc ? "descriptor" : "buffer",
                           f->dma_count[q][dir]);
    if (!f->dma_count[q][dir]) {
        faults_update(s);
    }
    return true;
}

bool vmqnic_fault_stalled(VmqnicState *s, unsigned q, int dir)
{
    if (!ring_stalled(&s->faults, q, dir)) {
        return false;
    }
    trace_vmqnic_fault_stall(q, dir);
    return true;
}

/* splitmix64: small, and any seed is a good one */
static uint64_t fault_random(VmqnicFaultRate *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static bool fault_hit(VmqnicFaultRate *r)
{
    return r->on && (fault_random(r) >> 11) / (double)(1ULL << 53) < r->rate;
}

/*
 * The bytes of @p where one flipped bit makes receive checksum
 * validation fail: the TCP or UDP payload (or, without payload, the
 * checksum field), the IPv4 header checksum of other IPv4 frames, or
 * for frames without an IP checksum anything after the Ethernet header.
 */
static void corrupt_range(const uint8_t *p, size_t size, size_t *start,
                          size_t *end)
{
    size_t l3 = ETH_HLEN, l4 = 0, l3_end = size, hdr;
    uint16_t proto = lduw_be_p(p + 12);
    int l4proto = -1;
    bool no_csum;

    *start = ETH_HLEN;
    *end = size;
    if (proto == ETH_P_VLAN && size >= ETH_HLEN + 4) {
        proto = lduw_be_p(p + 16);
        l3 += 4;
    }
    if (proto == ETH_P_IP && size >= l3 + 20 && (p[l3] >> 4) == 4) {
        size_t ihl = (p[l3] & 0xf) * 4;
        size_t total = lduw_be_p(p + l3 + 2);

        if (ihl < 20 || total < ihl || l3 + total > size) {
            return;
        }
        l3_end = l3 + total;
        l4 = l3 + ihl;
        if (!(lduw_be_p(p + l3 + 6) & 0x3fff)) {
            l4proto = p[l3 + 9];
        }
        /* Without a TCP/UDP segment to hit, hit the header checksum */
        *start = l3 + 10;
        *end = l3 + 12;
    } else if (proto == ETH_P_IPV6 && size >= l3 + 40) {
        l3_end = l3 + 40 + lduw_be_p(p + l3 + 4);
        if (l3_end > size) {
            return;
        }
        l4 = l3 + 40;
        l4proto = p[l3 + 6];
    }
    if (l4proto == IP_PROTO_TCP && l4 + 20 <= l3_end) {
        hdr = (p[l4 + 12] >> 4) * 4;
        if (hdr < 20 || l4 + hdr > l3_end) {
            return;
        }
        no_csum = false;
    } else if (l4proto == IP_PROTO_UDP && l4 + 8 <= l3_end) {
        hdr = 8;
        /* no checksum (0): flip its field, which then is one, and wrong */
        no_csum = !lduw_be_p(p + l4 + 6);
    } else {
        return;
    }
    if (l4 + hdr < l3_end && !no_csum) {
        *start = l4 + hdr;
        *end = l3_end;
    } else {
        *start = l4 + (l4proto == IP_PROTO_TCP ? 16 : 6);
        *end = *start + 2;
    }
}

const uint8_t *vmqnic_fault_rx(VmqnicState *s, const uint8_t *buf,
                               size_t size)
{
    VmqnicFaults *f = &s->faults;
    size_t start, end, bit;

    if (f->link_down) {
        return NULL;            /* nothing arrives while the link is down */
    }
    if (fault_hit(&f->rx_drop)) {
        /* A bad frame check sequence: received, then dropped */
        s->stats[VMQNIC_STAT_RX_FRAMES]++;
        s->stats[VMQNIC_STAT_RX_ERRS]++;
        f->ev_rx_dropped++;
        trace_vmqnic_fault_rx_drop(size);
        return NULL;
    }
    if (size < ETH_HLEN + 1 || size > VMQNIC_TSO_MAX ||
        !fault_hit(&f->rx_corrupt)) {
        return buf;
    }
    memcpy(f->rx_copy, buf, size);
    corrupt_range(f->rx_copy, size, &start, &end);
    bit = fault_random(&f->rx_corrupt) % ((end - start) * 8);
    f->rx_copy[start + bit / 8] ^= 1 << (bit % 8);
    f->ev_rx_corrupted++;
    trace_vmqnic_fault_rx_corrupt(size, start + bit / 8, bit % 8);
    return f->rx_copy;
}

bool vmqnic_fault_irq_held(VmqnicState *s, unsigned v, int64_t now,
                           int64_t *next)
{
    VmqnicFaults *f = &s->faults;

    if (f->irq_suppress[v / 32] & BIT(v % 32)) {
        if (!(f->irq_held[v / 32] & BIT(v % 32))) {
            f->irq_held[v / 32] |= BIT(v % 32);
            f->ev_irqs_suppressed++;
            trace_vmqnic_irq_suppressed(v);
        }
        return true;
    }
    if (f->irq_delay_us[v]) {
        if (!f->irq_due[v]) {
            f->irq_due[v] = now + (int64_t)f->irq_delay_us[v] * SCALE_US;
            f->ev_irqs_delayed++;
            trace_vmqnic_irq_delayed(v, f->irq_due[v] - now);
        }
        *next = MAX(*next, f->irq_due[v]);
        if (now >= *next) {
            f->irq_due[v] = 0;  /* fires now; the next one waits again */
        }
    }
    return false;
}

static void faults_clear(VmqnicState *s, int kind)
{
    VmqnicFaults *f = &s->faults;
    bool all = kind < 0;
    bool was_up = vmqnic_link_up(s);
    unsigned q;

    if (all || kind == VMQNIC_FAULT_TYPE_LINK_FLAP) {
        timer_del(f->link_timer);
        f->link_down = false;
    }
    if (all || kind == VMQNIC_FAULT_TYPE_DMA_ERROR) {
        memset(f->dma_count, 0, sizeof(f->dma_count));
    }
    if (all || kind == VMQNIC_FAULT_TYPE_RX_DROP) {
        f->rx_drop.on = false;
    }
    if (all || kind == VMQNIC_FAULT_TYPE_RX_CORRUPT) {
        f->rx_corrupt.on = false;
    }
    if (all || kind == VMQNIC_FAULT_TYPE_IRQ_DELAY) {
        memset(f->irq_delay_us, 0, sizeof(f->irq_delay_us));
        memset(f->irq_due, 0, sizeof(f->irq_due));
    }
    if (all || kind == VMQNIC_FAULT_TYPE_IRQ_SUPPRESS) {
        memset(f->irq_suppress, 0, sizeof(f->irq_suppress));
        memset(f->irq_held, 0, sizeof(f->irq_held));
    }
    if (all || kind == VMQNIC_FAULT_TYPE_QUEUE_STALL) {
        for (q = 0; q < s->num_queues; q++) {
            bool rx = ring_stalled(f, q, VMQNIC_RX);
            bool tx = ring_stalled(f, q, VMQNIC_TX);

            f->stalled[VMQNIC_RX][q / 32] &= ~BIT(q % 32);
            f->stalled[VMQNIC_TX][q / 32] &= ~BIT(q % 32);
            /*
             * The doorbells accepted meanwhile take effect now, or when
             * a stopped VM resumes (vmqnic_vm_state_change)
             */
            if (!runstate_is_running()) {
                continue;
            }
            if (rx && (s->queues[q].ring[VMQNIC_RX].regs[R_Q_STATUS] &
                       R_Q_STATUS_ENABLED_MASK)) {
                vmqnic_rx_refill(s, q);
            }
            if (tx) {
                vmqnic_tx_kick(s, q);
            }
        }
    }
    faults_update(s);
    link_event(s, was_up);
    vmqnic_irq_flush(s);
}

/* Every reset clears the faults; what they did stays counted */
void vmqnic_faults_reset(VmqnicState *s)
{
    VmqnicFaults *f = &s->faults;

    timer_del(f->link_timer);
    f->link_down = false;
    memset(f->dma_count, 0, sizeof(f->dma_count));
    memset(f->stalled, 0, sizeof(f->stalled));
    f->rx_drop.on = false;
    f->rx_corrupt.on = false;
    memset(f->irq_suppress, 0, sizeof(f->irq_suppress));
    memset(f->irq_held, 0, sizeof(f->irq_held));
    memset(f->irq_delay_us, 0, sizeof(f->irq_delay_us));
    memset(f->irq_due, 0, sizeof(f->irq_due));
    f->active = false;
}

void vmqnic_debug_init(VmqnicState *s)
{
    s->faults.link_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, link_flap_end, s);
    s->faults.rx_copy = g_malloc(VMQNIC_TSO_MAX);
}

void vmqnic_debug_exit(VmqnicState *s)
{
    timer_free(s->faults.link_timer);
    s->faults.link_timer = NULL;
    g_free(s->faults.rx_copy);
    s->faults.rx_copy = NULL;
}

static bool check_queue(VmqnicState *s, unsigned q, Error **errp)
{
    if (q >= s->num_queues) {
        error_setg(errp, "queue %u does not exist (the device has %u)", q,
                   s->num_queues);
        return false;
    }
    return true;
}

static bool check_vector(VmqnicState *s, unsigned v, Error **errp)
{
    if (v >= s->num_vectors) {
        error_setg(errp, "vector %u does not exist (the device has %u)", v,
                   s->num_vectors);
        return false;
    }
    return true;
}

static bool set_rate(VmqnicFaultRate *r, const VmqnicFaultRxRate *arg,
                     Error **errp)
{
    if (!(arg->rate >= 0 && arg->rate <= 1)) {
        error_setg(errp, "rate must be between 0 and 1");
        return false;
    }
    r->on = true;
    r->rate = arg->rate;
    r->seed = arg->has_seed ? arg->seed : 1;
    r->state = r->seed;
    return true;
}

void qmp_x_vmqnic_inject_fault(VmqnicFaultRequest *req, Error **errp)
{
    VmqnicState *s = vmqnic_find(req->id, errp);
    VmqnicFaults *f;
    unsigned q, v;
    int dir;

    if (!s) {
        return;
    }
    f = &s->faults;
    switch (req->fault) {
    case VMQNIC_FAULT_TYPE_LINK_FLAP: {
        bool was_up = vmqnic_link_up(s);

        f->link_down_ms = req->u.link_flap.has_down_ms ?
                          req->u.link_flap.down_ms : VMQNIC_LINK_FLAP_MS;
        f->link_down = true;
        f->ev_link_flaps++;
        trace_vmqnic_fault_link(true, f->link_down_ms);
        timer_mod(f->link_timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                  f->link_down_ms);
        f->active = true;
        vmqnic_busy_enter(s);
        link_event(s, was_up);
        vmqnic_busy_leave(s);
        break;
    }
    case VMQNIC_FAULT_TYPE_DMA_ERROR: {
        VmqnicFaultDmaError *a = &req->u.dma_error;

        q = a->queue;
        dir = a->direction == VMQNIC_DIRECTION_TX ? VMQNIC_TX : VMQNIC_RX;
        if (!check_queue(s, q, errp)) {
            return;
        }
        if (a->has_count && !a->count) {
            error_setg(errp, "count must be at least 1");
            return;
        }
        f->dma_count[q][dir] = a->has_count ? a->count : 1;
        f->dma_desc[q][dir] = a->has_target &&
                              a->target == VMQNIC_DMA_TARGET_DESCRIPTOR;
        f->active = true;
        break;
    }
    case VMQNIC_FAULT_TYPE_RX_DROP:
        if (!set_rate(&f->rx_drop, &req->u.rx_drop, errp)) {
            return;
        }
        f->active = true;
        break;
    case VMQNIC_FAULT_TYPE_RX_CORRUPT:
        if (!set_rate(&f->rx_corrupt, &req->u.rx_corrupt, errp)) {
            return;
        }
        f->active = true;
        break;
    case VMQNIC_FAULT_TYPE_IRQ_DELAY:
        v = req->u.irq_delay.vector;
        if (!check_vector(s, v, errp)) {
            return;
        }
        if (!req->u.irq_delay.delay_us) {
            error_setg(errp, "delay-us must be at least 1");
            return;
        }
        f->irq_delay_us[v] = req->u.irq_delay.delay_us;
        f->irq_due[v] = 0;
        f->active = true;
        break;
    case VMQNIC_FAULT_TYPE_IRQ_SUPPRESS:
        v = req->u.irq_suppress.vector;
        if (!check_vector(s, v, errp)) {
            return;
        }
        f->irq_suppress[v / 32] |= BIT(v % 32);
        f->active = true;
        break;
    case VMQNIC_FAULT_TYPE_QUEUE_STALL:
        q = req->u.queue_stall.queue;
        dir = req->u.queue_stall.direction == VMQNIC_DIRECTION_TX ?
              VMQNIC_TX : VMQNIC_RX;
        if (!check_queue(s, q, errp)) {
            return;
        }
        f->stalled[dir][q / 32] |= BIT(q % 32);
        f->active = true;
        break;
    default:
        g_assert_not_reached();
    }
    trace_vmqnic_fault_inject(VmqnicFaultType_str(req->fault));
}

void qmp_x_vmqnic_clear_faults(const char *id, bool has_fault,
                               VmqnicFaultType fault, Error **errp)
{
    VmqnicState *s = vmqnic_find(id, errp);

    if (s) {
        trace_vmqnic_fault_clear(has_fault ? VmqnicFaultType_str(fault)
                                           : "all");
        vmqnic_busy_enter(s);
        faults_clear(s, has_fault ? (int)fault : -1);
        vmqnic_busy_leave(s);
    }
}

/* x-query-vmqnic */

static char *mac_str(const uint8_t *a)
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                           a[0], a[1], a[2], a[3], a[4], a[5]);
}

static uint8List *pool_list(uint64_t pools)
{
    uint8List *list = NULL, **tail = &list;

    while (pools) {
        QAPI_LIST_APPEND(tail, ctz64(pools));
        pools &= pools - 1;
    }
    return list;
}

static VmqnicErrorCode error_code(uint32_t code)
{
    return code < VMQNIC_ERROR_CODE__MAX ? code : VMQNIC_ERROR_CODE_NONE;
}

static VmqnicRingInfo *ring_info(VmqnicState *s, unsigned q, int dir)
{
    const uint32_t *regs = s->queues[q].ring[dir].regs;
    const uint32_t *icr = dir == VMQNIC_TX ? s->txq_icr : s->rxq_icr;
    VmqnicRingInfo *r = g_new0(VmqnicRingInfo, 1);

    r->base = deposit64(regs[R_Q_BASE_LO], 32, 32, regs[R_Q_BASE_HI]);
    r->size = regs[R_Q_LEN];
    r->head = regs[R_Q_HEAD];
    r->tail = regs[R_Q_TAIL];
    r->enabled = regs[R_Q_CTRL] & R_Q_CTRL_ENABLE_MASK;
    r->drop_enabled = regs[R_Q_CTRL] & R_Q_CTRL_DROP_EN_MASK;
    r->running = regs[R_Q_STATUS] & R_Q_STATUS_ENABLED_MASK;
    r->dma_stopped = regs[R_Q_STATUS] & R_Q_STATUS_STOPPED_MASK;
    r->error = regs[R_Q_STATUS] & R_Q_STATUS_ERROR_MASK;
    r->error_code = error_code(regs[R_Q_ERR]);
    if (dir == VMQNIC_RX) {
        r->has_buffer_size = true;
        r->buffer_size = regs[R_Q_BUFSZ];
        r->has_held_frames = true;
        r->held_frames = s->rx_backlog_len[q];
    }
    if (regs[R_Q_VEC] & R_Q_VEC_VALID_MASK) {
        r->has_vector = true;
        r->vector = FIELD_EX32(regs[R_Q_VEC], Q_VEC, VECTOR);
    }
    r->interrupt_pending = icr[q / 32] & BIT(q % 32);
    r->stalled = ring_stalled(&s->faults, q, dir);
    return r;
}

static void queue_counters(const uint64_t *st, VmqnicQueueCounters *c)
{
    c->rx_pkts = st[VMQNIC_QSTAT_RX_PKTS];
    c->rx_bytes = st[VMQNIC_QSTAT_RX_BYTES];
    c->rx_drops = st[VMQNIC_QSTAT_RX_DROPS];
    c->rx_errs = st[VMQNIC_QSTAT_RX_ERRS];
    c->tx_pkts = st[VMQNIC_QSTAT_TX_PKTS];
    c->tx_bytes = st[VMQNIC_QSTAT_TX_BYTES];
    c->tx_drops = st[VMQNIC_QSTAT_TX_DROPS];
    c->tx_errs = st[VMQNIC_QSTAT_TX_ERRS];
}

static VmqnicQueueInfoList *queues_info(VmqnicState *s)
{
    VmqnicQueueInfoList *list = NULL, **tail = &list;
    unsigned qpp_log2 = FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, QPP_LOG2);
    unsigned q;

    for (q = 0; q < s->num_queues; q++) {
        VmqnicQueueInfo *qi = g_new0(VmqnicQueueInfo, 1);
        unsigned pool = q >> qpp_log2;

        qi->queue = q;
        if (pool < s->num_pools && vmqnic_pool_queues(s, pool)) {
            qi->has_pool = true;
            qi->pool = pool;
        }
        qi->rx = ring_info(s, q, VMQNIC_RX);
        qi->tx = ring_info(s, q, VMQNIC_TX);
        qi->counters = g_new0(VmqnicQueueCounters, 1);
        queue_counters(s->queues[q].stats, qi->counters);
        QAPI_LIST_APPEND(tail, qi);
    }
    return list;
}

static VmqnicRssInfo *rss_info(const VmqnicPool *pool)
{
    VmqnicRssInfo *rss = g_new0(VmqnicRssInfo, 1);
    VmqnicRssTypeList **types = &rss->types;
    uint8List **reta = &rss->reta;
    GString *key = g_string_new(NULL);
    unsigned i;

    for (i = 0; i < VMQNIC_RSS_TYPE__MAX; i++) {
        if (pool->rss_types & BIT(i)) {
            QAPI_LIST_APPEND(types, i);
        }
    }
    for (i = 0; i < VMQNIC_RSS_KEY_SIZE; i++) {
        g_string_append_printf(key, "%02x",
                               extract32(pool->rss_key[i / 4], 8 * (i % 4),
                                         8));
    }
    rss->key = g_string_free(key, false);
    for (i = 0; i < VMQNIC_RSS_RETA_SIZE; i++) {
        QAPI_LIST_APPEND(reta, extract32(pool->reta[i / 4], 8 * (i % 4), 8));
    }
    return rss;
}

static VmqnicPoolInfoList *pools_info(VmqnicState *s)
{
    VmqnicPoolInfoList *list = NULL, **tail = &list;
    unsigned p, i;

    for (p = 0; p < s->num_pools; p++) {
        const VmqnicPool *pool = &s->pools[p];
        VmqnicPoolInfo *pi = g_new0(VmqnicPoolInfo, 1);
        uint32_t queues = vmqnic_pool_queues(s, p);
        VmqnicPoolFlagList **flags = &pi->flags;
        uint16List **vlans = &pi->vlans;

        pi->pool = p;
        pi->active = queues != 0;
        if (queues) {
            pi->has_first_queue = pi->has_queue_count = true;
            pi->first_queue = FIELD_EX32(queues, POOL_QUEUES, FIRST);
            pi->queue_count = FIELD_EX32(queues, POOL_QUEUES, COUNT);
        }
        for (i = 0; i < VMQNIC_POOL_FLAG__MAX; i++) {
            if (pool->ctrl & BIT(i)) {
                QAPI_LIST_APPEND(flags, i);
            }
        }
        pi->max_frame = pool->maxframe;
        if (pool->defvlan & R_POOL_DEFVLAN_INSERT_MASK) {
            pi->has_port_vlan = true;
            pi->port_vlan = FIELD_EX32(pool->defvlan, POOL_DEFVLAN, TCI);
        }
        if (pool->ctrl & R_POOL_CTRL_RSS_EN_MASK) {
            pi->rss = rss_info(pool);
        }
        for (i = 0; i < VMQNIC_VLAN_IDS; i++) {
            if (pool->vlan[i / 32] & BIT(i % 32)) {
                QAPI_LIST_APPEND(vlans, i);
            }
        }
        pi->spoof_drops = pool->spoof_drops;
        QAPI_LIST_APPEND(tail, pi);
    }
    return list;
}

static VmqnicMacFilterInfoList *mac_filters_info(VmqnicState *s)
{
    VmqnicMacFilterInfoList *list = NULL, **tail = &list;
    unsigned i;

    for (i = 0; i < s->num_mac_filters; i++) {
        const VmqnicMacFilter *mf = &s->mac_filters[i];
        VmqnicMacFilterInfo *mi;
        uint8_t mac[ETH_ALEN];

        if (!(mf->hi & R_MACF_HI_VALID_MASK)) {
            continue;
        }
        mi = g_new0(VmqnicMacFilterInfo, 1);
        stl_le_p(mac, mf->lo);
        stw_le_p(mac + 4, mf->hi);
        mi->index = i;
        mi->mac = mac_str(mac);
        mi->pools = pool_list(mf->pools_lo | (uint64_t)mf->pools_hi << 32);
        mi->vlan_mode = FIELD_EX32(mf->vlan, MACF_VLAN, MODE);
        if (mi->vlan_mode == VMQNIC_VLAN_MODE_EXACT) {
            mi->has_vid = true;
            mi->vid = FIELD_EX32(mf->vlan, MACF_VLAN, VID);
        }
        QAPI_LIST_APPEND(tail, mi);
    }
    return list;
}

static VmqnicVlanFilterInfoList *vlan_filters_info(VmqnicState *s)
{
    VmqnicVlanFilterInfoList *list = NULL, **tail = &list;
    unsigned i;

    for (i = 0; i < s->num_vlan_filters; i++) {
        const VmqnicVlanFilter *vf = &s->vlan_filters[i];
        VmqnicVlanFilterInfo *vi;

        if (!(vf->ctrl & R_VLANF_CTRL_VALID_MASK)) {
            continue;
        }
        vi = g_new0(VmqnicVlanFilterInfo, 1);
        vi->index = i;
        vi->vid = FIELD_EX32(vf->ctrl, VLANF_CTRL, VID);
        vi->pools = pool_list(vf->pools_lo | (uint64_t)vf->pools_hi << 32);
        QAPI_LIST_APPEND(tail, vi);
    }
    return list;
}

static bool maps_to(uint32_t vec_reg, unsigned v)
{
    return (vec_reg & R_Q_VEC_VALID_MASK) &&
           FIELD_EX32(vec_reg, Q_VEC, VECTOR) == v;
}

static VmqnicVectorInfoList *vectors_info(VmqnicState *s)
{
    VmqnicVectorInfoList *list = NULL, **tail = &list;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    unsigned v, q;

    for (v = 0; v < s->num_vectors; v++) {
        VmqnicVectorInfo *vi = g_new0(VmqnicVectorInfo, 1);
        uint16List **rxq = &vi->rx_queues, **txq = &vi->tx_queues;
        uint32_t bit = BIT(v % 32);

        vi->vector = v;
        vi->interval_us = FIELD_EX32(s->vec_itr[v], VEC_ITR, INTERVAL);
        vi->automask = s->vec_itr[v] & R_VEC_ITR_AUTOMASK_MASK;
        vi->enabled = s->vec_ims[v / 32] & bit;
        vi->pending = s->vec_pending[v / 32] & bit;
        vi->asserted = s->vec_icr[v / 32] & bit;
        if (s->vec_next[v] > now) {
            vi->has_wait_ns = true;
            vi->wait_ns = s->vec_next[v] - now;
        }
        vi->misc = maps_to(s->misc_vec, v);
        for (q = 0; q < s->num_queues; q++) {
            if (maps_to(s->queues[q].ring[VMQNIC_RX].regs[R_Q_VEC], v)) {
                QAPI_LIST_APPEND(rxq, q);
            }
            if (maps_to(s->queues[q].ring[VMQNIC_TX].regs[R_Q_VEC], v)) {
                QAPI_LIST_APPEND(txq, q);
            }
        }
        QAPI_LIST_APPEND(tail, vi);
    }
    return list;
}

static VmqnicMiscCauseList *cause_list(uint32_t bits)
{
    VmqnicMiscCauseList *list = NULL, **tail = &list;
    unsigned i;

    for (i = 0; i < VMQNIC_MISC_CAUSE__MAX; i++) {
        if (bits & BIT(i)) {
            QAPI_LIST_APPEND(tail, i);
        }
    }
    return list;
}

static VmqnicVmdqInfo *vmdq_info(VmqnicState *s)
{
    VmqnicVmdqInfo *vi = g_new0(VmqnicVmdqInfo, 1);
    uint16List **mta = &vi->multicast_hash;
    uint32_t c = s->vmdq_ctrl;
    unsigned i;

    vi->queues_per_pool = 1u << FIELD_EX32(c, VMDQ_CTRL, QPP_LOG2);
    vi->default_pool = FIELD_EX32(c, VMDQ_CTRL, DEF_POOL);
    vi->drop_unmatched = c & R_VMDQ_CTRL_DROP_UNMATCHED_MASK;
    vi->replication = c & R_VMDQ_CTRL_REPL_EN_MASK;
    vi->loopback = c & R_VMDQ_CTRL_LOOPBACK_EN_MASK;
    vi->vlan_filter = c & R_VMDQ_CTRL_VLAN_FILTER_EN_MASK;
    for (i = 0; i < VMQNIC_MTA_BITS; i++) {
        if (s->mta[i / 32] & BIT(i % 32)) {
            QAPI_LIST_APPEND(mta, i);
        }
    }
    vi->spoofed_pools = pool_list(s->spoof_pools[0] |
                                  (uint64_t)s->spoof_pools[1] << 32);
    return vi;
}

static VmqnicFault *fault_new(VmqnicFaultType type)
{
    VmqnicFault *f = g_new0(VmqnicFault, 1);

    f->fault = type;
    return f;
}

static VmqnicFaultList *faults_info(VmqnicState *s)
{
    VmqnicFaultList *list = NULL, **tail = &list;
    VmqnicFaults *f = &s->faults;
    VmqnicFault *e;
    unsigned q, v;
    int dir;

    if (f->link_down) {
        e = fault_new(VMQNIC_FAULT_TYPE_LINK_FLAP);
        e->u.link_flap.has_down_ms = true;
        e->u.link_flap.down_ms = f->link_down_ms;
        QAPI_LIST_APPEND(tail, e);
    }
    for (q = 0; q < s->num_queues; q++) {
        for (dir = VMQNIC_RX; dir <= VMQNIC_TX; dir++) {
            VmqnicDirection d = dir == VMQNIC_TX ? VMQNIC_DIRECTION_TX
                                                 : VMQNIC_DIRECTION_RX;

            if (f->dma_count[q][dir]) {
                e = fault_new(VMQNIC_FAULT_TYPE_DMA_ERROR);
                e->u.dma_error.queue = q;
                e->u.dma_error.direction = d;
                e->u.dma_error.has_target = true;
                e->u.dma_error.target = f->dma_desc[q][dir] ?
                                        VMQNIC_DMA_TARGET_DESCRIPTOR :
                                        VMQNIC_DMA_TARGET_BUFFER;
                e->u.dma_error.has_count = true;
                e->u.dma_error.count = f->dma_count[q][dir];
                QAPI_LIST_APPEND(tail, e);
            }
            if (ring_stalled(f, q, dir)) {
                e = fault_new(VMQNIC_FAULT_TYPE_QUEUE_STALL);
                e->u.queue_stall.queue = q;
                e->u.queue_stall.direction = d;
                QAPI_LIST_APPEND(tail, e);
            }
        }
    }
    if (f->rx_drop.on) {
        e = fault_new(VMQNIC_FAULT_TYPE_RX_DROP);
        e->u.rx_drop.rate = f->rx_drop.rate;
        e->u.rx_drop.has_seed = true;
        e->u.rx_drop.seed = f->rx_drop.seed;
        QAPI_LIST_APPEND(tail, e);
    }
    if (f->rx_corrupt.on) {
        e = fault_new(VMQNIC_FAULT_TYPE_RX_CORRUPT);
        e->u.rx_corrupt.rate = f->rx_corrupt.rate;
        e->u.rx_corrupt.has_seed = true;
        e->u.rx_corrupt.seed = f->rx_corrupt.seed;
        QAPI_LIST_APPEND(tail, e);
    }
    for (v = 0; v < s->num_vectors; v++) {
        if (f->irq_delay_us[v]) {
            e = fault_new(VMQNIC_FAULT_TYPE_IRQ_DELAY);
            e->u.irq_delay.vector = v;
            e->u.irq_delay.delay_us = f->irq_delay_us[v];
            QAPI_LIST_APPEND(tail, e);
        }
        if (f->irq_suppress[v / 32] & BIT(v % 32)) {
            e = fault_new(VMQNIC_FAULT_TYPE_IRQ_SUPPRESS);
            e->u.irq_suppress.vector = v;
            QAPI_LIST_APPEND(tail, e);
        }
    }
    return list;
}

VmqnicInfo *qmp_x_query_vmqnic(const char *id, Error **errp)
{
    VmqnicState *s = vmqnic_find(id, errp);
    VmqnicFaults *f;
    VmqnicInfo *info;
    uint32_t err;

    if (!s) {
        return NULL;
    }
    f = &s->faults;
    err = s->err_info;
    info = g_new0(VmqnicInfo, 1);
    info->path = object_get_canonical_path(OBJECT(s));
    info->mac = mac_str(s->conf.macaddr.a);
    info->link_up = vmqnic_link_up(s);
    info->interrupt_mode = vmqnic_int_mode(s);
    info->rx_enabled = s->ctrl & R_CTRL_RX_EN_MASK;
    info->tx_enabled = s->ctrl & R_CTRL_TX_EN_MASK;

    info->last_error = g_new0(VmqnicLastError, 1);
    info->last_error->valid = err & R_ERR_INFO_VALID_MASK;
    info->last_error->code = error_code(FIELD_EX32(err, ERR_INFO, CODE));
    if (err && (err & R_ERR_INFO_QUEUE_MASK) != VMQNIC_NO_QUEUE) {
        info->last_error->has_queue = info->last_error->has_direction = true;
        info->last_error->queue = FIELD_EX32(err, ERR_INFO, QUEUE);
        info->last_error->direction = FIELD_EX32(err, ERR_INFO, TX) ?
                                      VMQNIC_DIRECTION_TX :
                                      VMQNIC_DIRECTION_RX;
    }
    info->error_count = s->err_count;

    info->misc = g_new0(VmqnicMiscInfo, 1);
    info->misc->pending = cause_list(s->misc_icr);
    info->misc->enabled = cause_list(s->misc_ims);
    if (s->misc_vec & R_MISC_VEC_VALID_MASK) {
        info->misc->has_vector = true;
        info->misc->vector = FIELD_EX32(s->misc_vec, MISC_VEC, VECTOR);
    }

    info->vmdq = vmdq_info(s);
    info->pools = pools_info(s);
    info->mac_filters = mac_filters_info(s);
    info->vlan_filters = vlan_filters_info(s);
    info->queues = queues_info(s);
    info->vectors = vectors_info(s);

    info->counters = g_new0(VmqnicCounters, 1);
    queue_counters(s->stats, qapi_VmqnicCounters_base(info->counters));
    info->counters->rx_unmatched = s->stats[VMQNIC_STAT_RX_UNMATCHED];
    info->counters->rx_filtered = s->stats[VMQNIC_STAT_RX_FILTERED];
    info->counters->rx_bcast = s->stats[VMQNIC_STAT_RX_BCAST];
    info->counters->rx_mcast = s->stats[VMQNIC_STAT_RX_MCAST];
    info->counters->loopback = s->stats[VMQNIC_STAT_LOOPBACK];
    info->counters->spoof_drops = s->stats[VMQNIC_STAT_SPOOF_DROPS];
    info->counters->guest_errs = s->stats[VMQNIC_STAT_GUEST_ERRS];
    info->counters->irqs = s->stats[VMQNIC_STAT_IRQS];
    info->counters->rx_frames = s->stats[VMQNIC_STAT_RX_FRAMES];

    info->faults = faults_info(s);
    info->fault_events = g_new0(VmqnicFaultEvents, 1);
    info->fault_events->link_flaps = f->ev_link_flaps;
    info->fault_events->dma_errors = f->ev_dma_errors;
    info->fault_events->rx_dropped = f->ev_rx_dropped;
    info->fault_events->rx_corrupted = f->ev_rx_corrupted;
    info->fault_events->irqs_delayed = f->ev_irqs_delayed;
    info->fault_events->irqs_suppressed = f->ev_irqs_suppressed;
    return info;
}

/* info vmqnic */

static void hmp_list_u8(Monitor *mon, const uint8List *l)
{
    for (; l; l = l->next) {
        monitor_printf(mon, " %u", l->value);
    }
}

static void hmp_list_u16(Monitor *mon, const char *what, const uint16List *l)
{
    if (l) {
        monitor_printf(mon, "%s", what);
        for (; l; l = l->next) {
            monitor_printf(mon, " %u", l->value);
        }
    }
}

static void hmp_ring(Monitor *mon, const char *name, const VmqnicRingInfo *r)
{
    monitor_printf(mon, "    %s: base 0x%" PRIx64 " size %u head %u tail %u "
                   "%s", name, r->base, r->size, r->head, r->tail,
                   r->running ? "running" :
                   r->dma_stopped ? "stopped" : "stopping");
    if (r->error) {
        monitor_printf(mon, " error %s", VmqnicErrorCode_str(r->error_code));
    }
    if (r->has_buffer_size) {
        monitor_printf(mon, " bufsz %u", r->buffer_size);
    }
    if (r->drop_enabled) {
        monitor_printf(mon, " drop-en");
    }
    if (r->held_frames) {
        monitor_printf(mon, " held %u", r->held_frames);
    }
    if (r->has_vector) {
        monitor_printf(mon, " vector %u", r->vector);
    } else {
        monitor_printf(mon, " no vector");
    }
    if (r->interrupt_pending) {
        monitor_printf(mon, " icr");
    }
    if (r->stalled) {
        monitor_printf(mon, " STALLED");
    }
    monitor_printf(mon, "\n");
}

static void hmp_counters(Monitor *mon, const VmqnicQueueCounters *c)
{
    monitor_printf(mon, "rx %" PRIu64 " pkts %" PRIu64 " bytes %" PRIu64
                   " drops %" PRIu64 " errs, tx %" PRIu64 " pkts %" PRIu64
                   " bytes %" PRIu64 " drops %" PRIu64 " errs\n",
                   c->rx_pkts, c->rx_bytes, c->rx_drops, c->rx_errs,
                   c->tx_pkts, c->tx_bytes, c->tx_drops, c->tx_errs);
}

static bool queue_idle(const VmqnicQueueInfo *q)
{
    const VmqnicQueueCounters *c = q->counters;

    return !q->rx->enabled && !q->tx->enabled && !q->rx->error &&
           !q->tx->error && !q->rx->stalled && !q->tx->stalled &&
           !(c->rx_pkts | c->rx_drops | c->rx_errs | c->tx_pkts |
             c->tx_drops | c->tx_errs);
}

static bool maps_shown(const uint16List *l, const unsigned long *shown)
{
    for (; l; l = l->next) {
        if (test_bit(l->value, shown)) {
            return true;
        }
    }
    return false;
}

static void hmp_fault(Monitor *mon, const VmqnicFault *f)
{
    monitor_printf(mon, "  fault %s:", VmqnicFaultType_str(f->fault));
    switch (f->fault) {
    case VMQNIC_FAULT_TYPE_LINK_FLAP:
        monitor_printf(mon, " link down for %u ms", f->u.link_flap.down_ms);
        break;
    case VMQNIC_FAULT_TYPE_DMA_ERROR:
        monitor_printf(mon, " %s queue %u, %s, %u to go",
                       VmqnicDirection_str(f->u.dma_error.direction),
                       f->u.dma_error.queue,
                       VmqnicDmaTarget_str(f->u.dma_error.target),
                       f->u.dma_error.count);
        break;
    case VMQNIC_FAULT_TYPE_RX_DROP:
        monitor_printf(mon, " rate %g seed %" PRIu64, f->u.rx_drop.rate,
                       f->u.rx_drop.seed);
        break;
    case VMQNIC_FAULT_TYPE_RX_CORRUPT:
        monitor_printf(mon, " rate %g seed %" PRIu64, f->u.rx_corrupt.rate,
                       f->u.rx_corrupt.seed);
        break;
    case VMQNIC_FAULT_TYPE_IRQ_DELAY:
        monitor_printf(mon, " vector %u by %u us", f->u.irq_delay.vector,
                       f->u.irq_delay.delay_us);
        break;
    case VMQNIC_FAULT_TYPE_IRQ_SUPPRESS:
        monitor_printf(mon, " vector %u", f->u.irq_suppress.vector);
        break;
    case VMQNIC_FAULT_TYPE_QUEUE_STALL:
        monitor_printf(mon, " %s queue %u",
                       VmqnicDirection_str(f->u.queue_stall.direction),
                       f->u.queue_stall.queue);
        break;
    default:
        break;
    }
    monitor_printf(mon, "\n");
}

/*
 * The parts of x-query-vmqnic that are in use: pools with something
 * enabled, valid filter entries, queues that are enabled, stopped on an
 * error, stalled or counted traffic, the vectors that serve them (or are
 * pending), the counters and the faults.
 */
void hmp_info_vmqnic(Monitor *mon, const QDict *qdict)
{
    const char *id = qdict_get_try_str(qdict, "id");
    g_autoptr(VmqnicInfo) info = NULL;
    const VmqnicCounters *c;
    const VmqnicMiscCauseList *cause;
    const VmqnicPoolInfoList *p;
    const VmqnicMacFilterInfoList *mf;
    const VmqnicVlanFilterInfoList *vf;
    const VmqnicQueueInfoList *q;
    const VmqnicVectorInfoList *v;
    const VmqnicFaultList *fl;
    DECLARE_BITMAP(shown, VMQNIC_MAX_QUEUES) = { 0 };
    Error *err = NULL;

    info = qmp_x_query_vmqnic(id, &err);
    if (!info) {
        hmp_handle_error(mon, err);
        return;
    }
    monitor_printf(mon, "%s: mac %s, link %s, %s, rx %s, tx %s\n",
                   info->path, info->mac, info->link_up ? "up" : "down",
                   VmqnicInterruptMode_str(info->interrupt_mode),
                   info->rx_enabled ? "on" : "off",
                   info->tx_enabled ? "on" : "off");
    monitor_printf(mon, "  errors: %u, last %s", info->error_count,
                   VmqnicErrorCode_str(info->last_error->code));
    if (info->last_error->has_queue) {
        monitor_printf(mon, " on %s queue %u",
                       VmqnicDirection_str(info->last_error->direction),
                       info->last_error->queue);
    }
    monitor_printf(mon, "%s\n", info->last_error->valid ? " (unread)" : "");
    monitor_printf(mon, "  misc: pending");
    for (cause = info->misc->pending; cause; cause = cause->next) {
        monitor_printf(mon, " %s", VmqnicMiscCause_str(cause->value));
    }
    monitor_printf(mon, "%s, enabled", info->misc->pending ? "" : " none");
    for (cause = info->misc->enabled; cause; cause = cause->next) {
        monitor_printf(mon, " %s", VmqnicMiscCause_str(cause->value));
    }
    if (!info->misc->enabled) {
        monitor_printf(mon, " none");
    }
    if (info->misc->has_vector) {
        monitor_printf(mon, ", vector %u", info->misc->vector);
    }
    monitor_printf(mon, "\n  vmdq: %u queues per pool, default pool %u%s%s"
                   "%s%s\n", info->vmdq->queues_per_pool,
                   info->vmdq->default_pool,
                   info->vmdq->drop_unmatched ? ", drop-unmatched" : "",
                   info->vmdq->replication ? ", replication" : "",
                   info->vmdq->loopback ? ", loopback" : "",
                   info->vmdq->vlan_filter ? ", vlan-filter" : "");

    for (p = info->pools; p; p = p->next) {
        const VmqnicPoolInfo *pi = p->value;
        const VmqnicPoolFlagList *fg;

        if (!pi->active || !pi->flags) {
            continue;           /* no queues, or nothing enabled */
        }
        monitor_printf(mon, "  pool %u: queues %u-%u, max frame %u,", pi->pool,
                       pi->first_queue, pi->first_queue + pi->queue_count - 1,
                       pi->max_frame);
        for (fg = pi->flags; fg; fg = fg->next) {
            monitor_printf(mon, " %s", VmqnicPoolFlag_str(fg->value));
        }
        if (pi->has_port_vlan) {
            monitor_printf(mon, ", port vlan 0x%04x", pi->port_vlan);
        }
        if (pi->rss) {
            const VmqnicRssTypeList *t;

            monitor_printf(mon, ", rss");
            for (t = pi->rss->types; t; t = t->next) {
                monitor_printf(mon, " %s", VmqnicRssType_str(t->value));
            }
        }
        hmp_list_u16(mon, ", vlans", pi->vlans);
        if (pi->spoof_drops) {
            monitor_printf(mon, ", %u spoof drops", pi->spoof_drops);
        }
        monitor_printf(mon, "\n");
    }
    for (mf = info->mac_filters; mf; mf = mf->next) {
        monitor_printf(mon, "  mac filter %u: %s", mf->value->index,
                       mf->value->mac);
        if (mf->value->has_vid) {
            monitor_printf(mon, " vid %u", mf->value->vid);
        } else {
            monitor_printf(mon, " %s",
                           VmqnicVlanMode_str(mf->value->vlan_mode));
        }
        monitor_printf(mon, " -> pools");
        hmp_list_u8(mon, mf->value->pools);
        monitor_printf(mon, "\n");
    }
    for (vf = info->vlan_filters; vf; vf = vf->next) {
        monitor_printf(mon, "  vlan filter %u: vid %u -> pools",
                       vf->value->index, vf->value->vid);
        hmp_list_u8(mon, vf->value->pools);
        monitor_printf(mon, "\n");
    }
    for (q = info->queues; q; q = q->next) {
        if (queue_idle(q->value)) {
            continue;
        }
        set_bit(q->value->queue, shown);
        monitor_printf(mon, "  queue %u", q->value->queue);
        if (q->value->has_pool) {
            monitor_printf(mon, " (pool %u)", q->value->pool);
        }
        monitor_printf(mon, ":\n");
        hmp_ring(mon, "rx", q->value->rx);
        hmp_ring(mon, "tx", q->value->tx);
        monitor_printf(mon, "    ");
        hmp_counters(mon, q->value->counters);
    }
    for (v = info->vectors; v; v = v->next) {
        const VmqnicVectorInfo *vi = v->value;

        if (!vi->pending && !vi->asserted && !vi->misc &&
            !maps_shown(vi->rx_queues, shown) &&
            !maps_shown(vi->tx_queues, shown)) {
            continue;           /* serves no queue shown above */
        }
        monitor_printf(mon, "  vector %u: %s%s%s%s, itr %u us%s",
                       vi->vector, vi->enabled ? "enabled" : "disabled",
                       vi->pending ? ", pending" : "",
                       vi->asserted ? ", asserted" : "",
                       vi->automask ? ", automask" : "", vi->interval_us,
                       vi->misc ? ", misc" : "");
        hmp_list_u16(mon, ", rx", vi->rx_queues);
        hmp_list_u16(mon, ", tx", vi->tx_queues);
        monitor_printf(mon, "\n");
    }
    c = info->counters;
    monitor_printf(mon, "  counters: ");
    hmp_counters(mon, qapi_VmqnicCounters_base(c));
    monitor_printf(mon, "    rx-frames %" PRIu64 " rx-unmatched %" PRIu64
                   " rx-filtered %" PRIu64 " rx-bcast %" PRIu64
                   " rx-mcast %" PRIu64 " loopback %" PRIu64
                   " spoof-drops %" PRIu64 " guest-errs %" PRIu64
                   " irqs %" PRIu64 "\n", c->rx_frames, c->rx_unmatched,
                   c->rx_filtered, c->rx_bcast, c->rx_mcast, c->loopback,
                   c->spoof_drops, c->guest_errs, c->irqs);
    for (fl = info->faults; fl; fl = fl->next) {
        hmp_fault(mon, fl->value);
    }
}

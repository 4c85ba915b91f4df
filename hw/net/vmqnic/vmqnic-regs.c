/*
 * vmqnic: BAR0 register file
 *
 * The register space is a list of regions (global block, vectors, queue
 * pairs, statistics, pools, filter tables).  Each region is an array of
 * equal blocks; its handlers get the block index and the offset inside
 * the block and return false for an offset that holds no register.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/log.h"
#include "vmqnic.h"
#include "trace.h"

typedef bool (*VmqnicRegRead)(VmqnicState *s, unsigned i, hwaddr off,
                              uint32_t *val);
typedef bool (*VmqnicRegWrite)(VmqnicState *s, unsigned i, hwaddr off,
                               uint32_t val);

typedef struct VmqnicRegion {
    const char *name;
    hwaddr base;
    hwaddr stride;
    /* Number of blocks: a VmqnicState field, or 1 when zero */
    size_t count_offset;
    VmqnicRegRead read;
    VmqnicRegWrite write;
} VmqnicRegion;

static uint64_t pool_mask(VmqnicState *s)
{
    return MAKE_64BIT_MASK(0, s->num_pools);
}

static void reg_read_only(VmqnicState *s, const char *name, hwaddr off)
{
    vmqnic_guest_error(s, VMQNIC_ERR_NONE, VMQNIC_NO_QUEUE,
                       "write to read-only register %s+0x%" HWADDR_PRIx,
                       name, off);
}

/* 64-bit counters: reading LO latches HI for the following HI read */
static uint32_t stat_read(VmqnicState *s, uint64_t counter, bool hi)
{
    if (hi) {
        return s->stat_latch;
    }
    s->stat_latch = counter >> 32;
    return counter;
}

/* Global block */

static bool global_peek(VmqnicState *s, hwaddr off, uint32_t *val);

static bool global_read(VmqnicState *s, unsigned i, hwaddr off,
                        uint32_t *val)
{
    if (!global_peek(s, off, val)) {
        return false;
    }
    /* Side effects of reads */
    if (off == A_ERR_INFO) {
        s->err_info &= ~R_ERR_INFO_VALID_MASK;
    } else if (off >= A_STAT_BASE &&
               off < A_STAT_BASE + 8 * VMQNIC_NUM_STATS) {
        *val = stat_read(s, s->stats[(off - A_STAT_BASE) / 8], off & 4);
    }
    return true;
}

/* The value of a global register, without the side effects of a read */
static bool global_peek(VmqnicState *s, hwaddr off, uint32_t *val)
{
    const uint8_t *mac = s->conf.macaddr.a;

    switch (off) {
    case A_ID:
        *val = VMQNIC_ID_MAGIC;
        break;
    case A_VERSION:
        *val = (VMQNIC_VERSION_MAJOR << R_VERSION_MAJOR_SHIFT) |
               VMQNIC_VERSION_MINOR;
        break;
    case A_NUM_QUEUES:
        *val = s->num_queues;
        break;
    case A_NUM_POOLS:
        *val = s->num_pools;
        break;
    case A_NUM_MAC_FILTERS:
        *val = s->num_mac_filters;
        break;
    case A_NUM_VLAN_FILTERS:
        *val = s->num_vlan_filters;
        break;
    case A_NUM_VECTORS:
        *val = s->num_vectors;
        break;
    case A_FEATURES:
        *val = VMQNIC_FEATURES;
        break;
    case A_LINK_SPEED:
        *val = s->speed;
        break;
    case A_MAX_FRAME:
        *val = VMQNIC_MAX_FRAME;
        break;
    case A_RING_LIMITS:
        *val = VMQNIC_RING_MIN_LOG2 |
               (VMQNIC_RING_MAX_LOG2 << R_RING_LIMITS_MAX_LOG2_SHIFT);
        break;
    case A_PERM_MAC_LO:
        *val = ldl_le_p(mac);
        break;
    case A_PERM_MAC_HI:
        *val = lduw_le_p(mac + 4);
        break;
    case A_CTRL:
        *val = s->ctrl;
        break;
    case A_STATUS:
        *val = FIELD_DP32(0, STATUS, INT_MODE, vmqnic_int_mode(s));
        if (vmqnic_link_up(s)) {
            *val |= R_STATUS_LINK_UP_MASK | R_STATUS_FULL_DUPLEX_MASK;
        }
        break;
    case A_SCRATCH:
        *val = s->scratch;
        break;
    case A_ERR_INFO:
        *val = s->err_info;
        break;
    case A_ERR_COUNT:
        *val = s->err_count;
        break;
    case A_MISC_ICR:
        *val = s->misc_icr;
        break;
    case A_MISC_IMS:
        *val = s->misc_ims;
        break;
    case A_MISC_VEC:
        *val = s->misc_vec;
        break;
    case A_VMDQ_CTRL:
        *val = s->vmdq_ctrl;
        break;
    case A_SPOOF_POOLS_LO:
    case A_SPOOF_POOLS_HI:
        *val = s->spoof_pools[(off - A_SPOOF_POOLS_LO) / 4];
        break;
    case A_MTA ... A_MTA + 4 * VMQNIC_MTA_WORDS - 1:
        *val = s->mta[(off - A_MTA) / 4];
        break;
    case A_STAT_BASE ... A_STAT_BASE + 8 * VMQNIC_NUM_STATS - 1:
        *val = (off & 4) ? s->stat_latch : s->stats[(off - A_STAT_BASE) / 8];
        break;
    case A_MISC_ICS:
    case A_MISC_IMC:
        *val = 0;       /* write-only */
        break;
    default:
        return false;
    }
    return true;
}

static void vmdq_ctrl_write(VmqnicState *s, uint32_t val)
{
    unsigned qpp_log2 = FIELD_EX32(val, VMDQ_CTRL, QPP_LOG2);
    unsigned def_pool = FIELD_EX32(val, VMDQ_CTRL, DEF_POOL);

    if ((1u << qpp_log2) > s->num_queues || def_pool >= s->num_pools) {
        vmqnic_guest_error(s, VMQNIC_ERR_BAD_VALUE, VMQNIC_NO_QUEUE,
                           "VMDQ_CTRL 0x%x: %u queues per pool or default "
                           "pool %u out of range", val, 1u << qpp_log2,
                           def_pool);
        return;
    }
    s->vmdq_ctrl = val & VMQNIC_VMDQ_CTRL_MASK;
}

static bool global_write(VmqnicState *s, unsigned i, hwaddr off,
                         uint32_t val)
{
    switch (off) {
    case A_ID ... A_PERM_MAC_HI:
    case A_STATUS:
    case A_ERR_INFO:
    case A_ERR_COUNT:
    case A_STAT_BASE ... A_STAT_BASE + 8 * VMQNIC_NUM_STATS - 1:
        if (!global_peek(s, off, &val)) {
            return false;
        }
        reg_read_only(s, "global", off);
        break;
    case A_CTRL:
        if (val & R_CTRL_RST_MASK) {
            vmqnic_soft_reset(s);
            break;
        }
        if (val & R_CTRL_STATS_CLEAR_MASK) {
            unsigned q;

            memset(s->stats, 0, sizeof(s->stats));
            for (q = 0; q < s->num_queues; q++) {
                memset(s->queues[q].stats, 0, sizeof(s->queues[q].stats));
            }
            for (q = 0; q < s->num_pools; q++) {
                s->pools[q].spoof_drops = 0;
            }
        }
        s->ctrl = val & VMQNIC_CTRL_RW_MASK;
        vmqnic_tx_kick_all(s);
        break;
    case A_SCRATCH:
        s->scratch = val;
        break;
    case A_MISC_ICR:
        s->misc_icr &= ~val;
        break;
    case A_MISC_ICS:
        vmqnic_misc_cause(s, val);
        break;
    case A_MISC_IMS:
        vmqnic_misc_enable(s, val);
        break;
    case A_MISC_IMC:
        s->misc_ims &= ~val;
        break;
    case A_MISC_VEC:
        if (FIELD_EX32(val, MISC_VEC, VECTOR) >= s->num_vectors) {
            vmqnic_guest_error(s, VMQNIC_ERR_BAD_VECTOR, VMQNIC_NO_QUEUE,
                               "MISC_VEC vector %u >= %u",
                               FIELD_EX32(val, MISC_VEC, VECTOR),
                               s->num_vectors);
            break;
        }
        s->misc_vec = val & (R_MISC_VEC_VECTOR_MASK | R_MISC_VEC_VALID_MASK);
        break;
    case A_VMDQ_CTRL:
        vmdq_ctrl_write(s, val);
        vmqnic_pool_masks_rebuild(s);
        vmqnic_tx_kick_all(s);
        break;
    case A_SPOOF_POOLS_LO:
    case A_SPOOF_POOLS_HI:
        s->spoof_pools[(off - A_SPOOF_POOLS_LO) / 4] &= ~val;
        break;
    case A_MTA ... A_MTA + 4 * VMQNIC_MTA_WORDS - 1:
        s->mta[(off - A_MTA) / 4] = val;
        break;
    default:
        return false;
    }
    return true;
}

/* Interrupt vectors */

static bool vec_word(VmqnicState *s, hwaddr off, hwaddr base, unsigned *w)
{
    if (off < base || off >= base + 4 * DIV_ROUND_UP(s->num_vectors, 32)) {
        return false;
    }
    *w = (off - base) / 4;
    return true;
}

static uint32_t vec_word_mask(VmqnicState *s, unsigned w)
{
    unsigned n = MIN(s->num_vectors - w * 32, 32);

    return MAKE_64BIT_MASK(0, n);
}

static bool queue_word(VmqnicState *s, hwaddr off, hwaddr base, unsigned *w)
{
    if (off < base || off >= base + 4 * DIV_ROUND_UP(s->num_queues, 32)) {
        return false;
    }
    *w = (off - base) / 4;
    return true;
}

static bool vector_read(VmqnicState *s, unsigned i, hwaddr off,
                        uint32_t *val)
{
    unsigned w;

    off += A_VEC_ITR;   /* the region starts there; compare full offsets */
    if (off < A_VEC_ITR + 4 * s->num_vectors && off >= A_VEC_ITR) {
        *val = s->vec_itr[(off - A_VEC_ITR) / 4];
    } else if (vec_word(s, off, A_VEC_IMS, &w)) {
        *val = s->vec_ims[w];
    } else if (vec_word(s, off, A_VEC_ICR, &w)) {
        *val = s->vec_icr[w];
    } else if (vec_word(s, off, A_VEC_IMC, &w) ||
               vec_word(s, off, A_VEC_ICS, &w)) {
        *val = 0;       /* write-only */
    } else if (queue_word(s, off, A_RXQ_ICR, &w)) {
        *val = s->rxq_icr[w];
    } else if (queue_word(s, off, A_TXQ_ICR, &w)) {
        *val = s->txq_icr[w];
    } else {
        return false;
    }
    return true;
}

static bool vector_write(VmqnicState *s, unsigned i, hwaddr off,
                         uint32_t val)
{
    unsigned w;

    off += A_VEC_ITR;
    if (off < A_VEC_ITR + 4 * s->num_vectors && off >= A_VEC_ITR) {
        s->vec_itr[(off - A_VEC_ITR) / 4] = val & VMQNIC_VEC_ITR_MASK;
    } else if (vec_word(s, off, A_VEC_IMS, &w)) {
        vmqnic_vec_enable(s, w, val & vec_word_mask(s, w));
    } else if (vec_word(s, off, A_VEC_IMC, &w)) {
        vmqnic_vec_disable(s, w, val);
    } else if (vec_word(s, off, A_VEC_ICR, &w)) {
        vmqnic_vec_icr_clear(s, w, val);
    } else if (vec_word(s, off, A_VEC_ICS, &w)) {
        val &= vec_word_mask(s, w);
        while (val) {
            vmqnic_vector_signal(s, w * 32 + ctz32(val));
            val &= val - 1;
        }
    } else if (queue_word(s, off, A_RXQ_ICR, &w)) {
        s->rxq_icr[w] &= ~val;
    } else if (queue_word(s, off, A_TXQ_ICR, &w)) {
        s->txq_icr[w] &= ~val;
    } else {
        return false;
    }
    return true;
}

/* Queue pairs */

/*
 * Dynamic VMQ: a queue's interrupt moves to another vector.  Later
 * completions signal the new vector.  A completion the driver has not
 * acknowledged yet (its RXQ_ICR/TXQ_ICR bit is set) moves too: the new
 * vector is signalled, and a signal still pending on the old vector is
 * withdrawn unless another source of that vector has a cause set.  So no
 * event is lost and the old vector does not fire for the queue again.
 */
static void queue_vec_write(VmqnicState *s, unsigned q, int dir,
                            uint32_t val)
{
    const uint32_t *icr = dir == VMQNIC_TX ? s->txq_icr : s->rxq_icr;
    uint32_t *reg = &s->queues[q].ring[dir].regs[R_Q_VEC];
    uint32_t old = *reg;

    *reg = val & VMQNIC_Q_VEC_MASK;
    trace_vmqnic_queue_vec(q, dir, old, *reg);
    if (*reg == old || !(icr[q / 32] & BIT(q % 32))) {
        return;
    }
    if (*reg & R_Q_VEC_VALID_MASK) {
        vmqnic_vector_signal(s, FIELD_EX32(*reg, Q_VEC, VECTOR));
    }
    if (old & R_Q_VEC_VALID_MASK) {
        vmqnic_vector_withdraw(s, FIELD_EX32(old, Q_VEC, VECTOR));
    }
}

static bool queue_reg(hwaddr off, int *dir, unsigned *reg)
{
    *dir = off >= VMQNIC_QUEUE_TX ? VMQNIC_TX : VMQNIC_RX;
    *reg = (off % VMQNIC_QUEUE_TX) / 4;
    return *reg < VMQNIC_Q_REGS && !(*dir == VMQNIC_TX && *reg == R_Q_BUFSZ);
}

static bool queue_read(VmqnicState *s, unsigned q, hwaddr off,
                       uint32_t *val)
{
    unsigned reg;
    int dir;

    if (!queue_reg(off, &dir, &reg)) {
        return false;
    }
    *val = s->queues[q].ring[dir].regs[reg];
    return true;
}

static bool queue_write(VmqnicState *s, unsigned q, hwaddr off,
                        uint32_t val)
{
    VmqnicRing *r;
    unsigned reg;
    int dir;

    if (!queue_reg(off, &dir, &reg)) {
        return false;
    }
    r = &s->queues[q].ring[dir];
    switch (reg) {
    case R_Q_BASE_LO:
    case R_Q_BASE_HI:
    case R_Q_LEN:
    case R_Q_BUFSZ:
        /* The ring's geometry may only change while it is stopped */
        if (r->regs[R_Q_CTRL] & R_Q_CTRL_ENABLE_MASK) {
            vmqnic_guest_error(s, VMQNIC_ERR_NONE, vmqnic_queue_where(q, dir),
                               "queue %u: ring register 0x%" HWADDR_PRIx
                               " written while enabled", q, off);
            break;
        }
        r->regs[reg] = val;
        break;
    case R_Q_TAIL:
        vmqnic_queue_tail(s, q, dir, val);
        break;
    case R_Q_CTRL:
        vmqnic_queue_ctrl(s, q, dir, val);
        break;
    case R_Q_VEC:
        if (FIELD_EX32(val, Q_VEC, VECTOR) >= s->num_vectors) {
            r->regs[R_Q_ERR] = VMQNIC_ERR_BAD_VECTOR;
            vmqnic_guest_error(s, VMQNIC_ERR_BAD_VECTOR,
                               vmqnic_queue_where(q, dir),
                               "queue %u vector %u >= %u", q,
                               FIELD_EX32(val, Q_VEC, VECTOR),
                               s->num_vectors);
            break;
        }
        queue_vec_write(s, q, dir, val);
        break;
    default:
        reg_read_only(s, "queue", off);
        break;
    }
    return true;
}

static bool qstat_read(VmqnicState *s, unsigned q, hwaddr off,
                       uint32_t *val)
{
    *val = stat_read(s, s->queues[q].stats[off / 8], off & 4);
    return true;
}

static bool qstat_write(VmqnicState *s, unsigned q, hwaddr off,
                        uint32_t val)
{
    reg_read_only(s, "queue statistics", off);
    return true;
}

/* Pools */

uint32_t vmqnic_pool_queues(VmqnicState *s, unsigned p)
{
    unsigned qpp_log2 = FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, QPP_LOG2);
    unsigned first = p << qpp_log2;

    if (first + (1u << qpp_log2) > s->num_queues) {
        return 0;               /* not active in this layout */
    }
    return first | (1u << qpp_log2) << R_POOL_QUEUES_COUNT_SHIFT;
}

static bool pool_read(VmqnicState *s, unsigned p, hwaddr off, uint32_t *val)
{
    VmqnicPool *pool = &s->pools[p];

    switch (off) {
    case A_POOL_CTRL:
        *val = pool->ctrl;
        break;
    case A_POOL_MAXFRAME:
        *val = pool->maxframe;
        break;
    case A_POOL_DEFVLAN:
        *val = pool->defvlan;
        break;
    case A_POOL_QUEUES:
        *val = vmqnic_pool_queues(s, p);
        break;
    case A_POOL_RSS_TYPES:
        *val = pool->rss_types;
        break;
    case A_POOL_SPOOF_DROPS:
        *val = pool->spoof_drops;
        break;
    case A_POOL_RSS_KEY ... A_POOL_RSS_KEY + VMQNIC_RSS_KEY_SIZE - 1:
        *val = pool->rss_key[(off - A_POOL_RSS_KEY) / 4];
        break;
    case A_POOL_RETA ... A_POOL_RETA + VMQNIC_RSS_RETA_SIZE - 1:
        *val = pool->reta[(off - A_POOL_RETA) / 4];
        break;
    default:
        return false;
    }
    return true;
}

static bool pool_write(VmqnicState *s, unsigned p, hwaddr off, uint32_t val)
{
    VmqnicPool *pool = &s->pools[p];

    switch (off) {
    case A_POOL_CTRL:
        pool->ctrl = val & VMQNIC_POOL_CTRL_MASK;
        vmqnic_pool_masks_rebuild(s);
        vmqnic_tx_kick_all(s);
        break;
    case A_POOL_MAXFRAME:
        if (val < VMQNIC_MIN_FRAME || val > VMQNIC_MAX_FRAME) {
            vmqnic_guest_error(s, VMQNIC_ERR_BAD_VALUE, VMQNIC_NO_QUEUE,
                               "pool %u maximum frame %u out of range",
                               p, val);
            break;
        }
        pool->maxframe = val;
        break;
    case A_POOL_DEFVLAN:
        pool->defvlan = val & VMQNIC_POOL_DEFVLAN_MASK;
        break;
    case A_POOL_RSS_TYPES:
        pool->rss_types = val & VMQNIC_POOL_RSS_TYPES_MASK;
        break;
    case A_POOL_QUEUES:
    case A_POOL_SPOOF_DROPS:
        reg_read_only(s, "pool", off);
        break;
    case A_POOL_RSS_KEY ... A_POOL_RSS_KEY + VMQNIC_RSS_KEY_SIZE - 1:
        pool->rss_key[(off - A_POOL_RSS_KEY) / 4] = val;
        break;
    case A_POOL_RETA ... A_POOL_RETA + VMQNIC_RSS_RETA_SIZE - 1:
        pool->reta[(off - A_POOL_RETA) / 4] = val;
        break;
    default:
        return false;
    }
    return true;
}

static bool pool_vlan_read(VmqnicState *s, unsigned p, hwaddr off,
                           uint32_t *val)
{
    *val = s->pools[p].vlan[off / 4];
    return true;
}

static bool pool_vlan_write(VmqnicState *s, unsigned p, hwaddr off,
                            uint32_t val)
{
    s->pools[p].vlan[off / 4] = val;
    vmqnic_vlan_index_update(s, off / 4);
    return true;
}

/* Filter tables */

static bool macf_read(VmqnicState *s, unsigned i, hwaddr off, uint32_t *val)
{
    VmqnicMacFilter *f = &s->mac_filters[i];

    switch (off) {
    case A_MACF_LO:
        *val = f->lo;
        break;
    case A_MACF_HI:
        *val = f->hi;
        break;
    case A_MACF_POOLS_LO:
        *val = f->pools_lo;
        break;
    case A_MACF_POOLS_HI:
        *val = f->pools_hi;
        break;
    case A_MACF_VLAN:
        *val = f->vlan;
        break;
    default:
        return false;
    }
    return true;
}

static bool macf_write(VmqnicState *s, unsigned i, hwaddr off, uint32_t val)
{
    VmqnicMacFilter *f = &s->mac_filters[i];

    switch (off) {
    case A_MACF_LO:
        f->lo = val;
        break;
    case A_MACF_HI:
        f->hi = val & VMQNIC_MACF_HI_MASK;
        break;
    case A_MACF_POOLS_LO:
        f->pools_lo = val & pool_mask(s);
        break;
    case A_MACF_POOLS_HI:
        f->pools_hi = val & (pool_mask(s) >> 32);
        break;
    case A_MACF_VLAN:
        if (FIELD_EX32(val, MACF_VLAN, MODE) > VMQNIC_MACF_VLAN_UNTAGGED) {
            vmqnic_guest_error(s, VMQNIC_ERR_BAD_VALUE, VMQNIC_NO_QUEUE,
                               "MAC filter %u: VLAN mode %u", i,
                               FIELD_EX32(val, MACF_VLAN, MODE));
            return true;
        }
        f->vlan = val & VMQNIC_MACF_VLAN_MASK;
        break;
    default:
        return false;
    }
    vmqnic_mac_index_rebuild(s);
    return true;
}

static bool vlanf_read(VmqnicState *s, unsigned i, hwaddr off,
                       uint32_t *val)
{
    VmqnicVlanFilter *f = &s->vlan_filters[i];

    switch (off) {
    case A_VLANF_CTRL:
        *val = f->ctrl;
        break;
    case A_VLANF_POOLS_LO:
        *val = f->pools_lo;
        break;
    case A_VLANF_POOLS_HI:
        *val = f->pools_hi;
        break;
    default:
        return false;
    }
    return true;
}

static bool vlanf_write(VmqnicState *s, unsigned i, hwaddr off,
                        uint32_t val)
{
    VmqnicVlanFilter *f = &s->vlan_filters[i];

    switch (off) {
    case A_VLANF_CTRL:
        f->ctrl = val & VMQNIC_VLANF_CTRL_MASK;
        break;
    case A_VLANF_POOLS_LO:
        f->pools_lo = val & pool_mask(s);
        break;
    case A_VLANF_POOLS_HI:
        f->pools_hi = val & (pool_mask(s) >> 32);
        break;
    default:
        return false;
    }
    vmqnic_vlan_index_rebuild(s);
    return true;
}

#define COUNT(field) offsetof(VmqnicState, field)

static const VmqnicRegion vmqnic_regions[] = {
    { "global", 0x0, 0x1000, 0, global_read, global_write },
    { "vector", A_VEC_ITR, 0x1000, 0, vector_read, vector_write },
    { "queue", VMQNIC_QUEUE_BASE, VMQNIC_QUEUE_STRIDE, COUNT(num_queues),
      queue_read, queue_write },
    { "qstat", VMQNIC_QSTAT_BASE, VMQNIC_QSTAT_STRIDE, COUNT(num_queues),
      qstat_read, qstat_write },
    { "pool", VMQNIC_POOL_BASE, VMQNIC_POOL_STRIDE, COUNT(num_pools),
      pool_read, pool_write },
    { "pool-vlan", VMQNIC_POOL_VLAN_BASE, VMQNIC_POOL_VLAN_STRIDE,
      COUNT(num_pools), pool_vlan_read, pool_vlan_write },
    { "mac-filter", VMQNIC_MACF_BASE, VMQNIC_MACF_STRIDE,
      COUNT(num_mac_filters), macf_read, macf_write },
    { "vlan-filter", VMQNIC_VLANF_BASE, VMQNIC_VLANF_STRIDE,
      COUNT(num_vlan_filters), vlanf_read, vlanf_write },
};

static const VmqnicRegion *vmqnic_region(VmqnicState *s, hwaddr addr,
                                         unsigned *index, hwaddr *off)
{
    const VmqnicRegion *r;
    unsigned count;

    for (r = vmqnic_regions; r < vmqnic_regions + ARRAY_SIZE(vmqnic_regions);
         r++) {
        count = r->count_offset ?
                *(uint32_t *)((uint8_t *)s + r->count_offset) : 1;
        if (addr >= r->base && addr < r->base + r->stride * count) {
            *index = (addr - r->base) / r->stride;
            *off = (addr - r->base) % r->stride;
            return r;
        }
    }
    return NULL;
}

static uint64_t vmqnic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    VmqnicState *s = opaque;
    const VmqnicRegion *r = NULL;
    uint32_t val = 0;
    unsigned index;
    hwaddr off;

    /*
     * Interrupts of frames already written back go first, as a read
     * completion does not pass the device's earlier MSI writes on PCIe
     */
    vmqnic_busy_enter(s);
    vmqnic_irq_flush(s);
    if (size == 4 && !(addr & 3)) {
        r = vmqnic_region(s, addr, &index, &off);
    }
    if (!r || !r->read(s, index, off, &val)) {
        vmqnic_guest_error(s, VMQNIC_ERR_NONE, VMQNIC_NO_QUEUE,
                           "read of undefined register 0x%" HWADDR_PRIx
                           " size %u", addr, size);
        val = 0;
    } else {
        trace_vmqnic_mmio_read(addr, val);
    }
    vmqnic_busy_leave(s);
    return val;
}

static void vmqnic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    VmqnicState *s = opaque;
    const VmqnicRegion *r = NULL;
    unsigned index;
    hwaddr off;

    trace_vmqnic_mmio_write(addr, val);
    if (size == 4 && !(addr & 3)) {
        r = vmqnic_region(s, addr, &index, &off);
    }
    vmqnic_busy_enter(s);
    s->irq_hold++;
    if (!r || !r->write(s, index, off, val)) {
        vmqnic_guest_error(s, VMQNIC_ERR_NONE, VMQNIC_NO_QUEUE,
                           "write of undefined register 0x%" HWADDR_PRIx
                           " size %u value 0x%" PRIx64, addr, size, val);
    }
    s->irq_hold--;
    vmqnic_irq_flush(s);
    vmqnic_busy_leave(s);
}

const MemoryRegionOps vmqnic_mmio_ops = {
    .read = vmqnic_mmio_read,
    .write = vmqnic_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

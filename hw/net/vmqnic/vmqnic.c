/*
 * vmqnic: VMDq-class multi-queue PCIe network adapter
 *
 * Queue pairs are grouped into pools (one per virtual machine); filter
 * tables steer received frames to pools; every queue's interrupt can be
 * mapped to any MSI-X vector at run time.  The programming interface is
 * docs/specs/vmqnic.rst, mirrored by include/hw/net/vmqnic_regs.h.
 *
 * This file holds the PCI and QOM glue: properties, realize, reset,
 * migration and the network backend.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "net/checksum.h"
#include "net/eth.h"
#include "standard-headers/linux/virtio_net.h"
#include "system/runstate.h"
#include "system/system.h"
#include "vmqnic.h"
#include "trace.h"

#define VMQNIC_PM_OFFSET    0x40
#define VMQNIC_MSI_OFFSET   0x50
#define VMQNIC_PCIE_OFFSET  0x70

void vmqnic_guest_error(VmqnicState *s, unsigned code, uint32_t where,
                        const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    trace_vmqnic_guest_error(code, FIELD_EX32(where, ERR_INFO, QUEUE),
                             FIELD_EX32(where, ERR_INFO, TX), msg);
    qemu_log_mask(LOG_GUEST_ERROR, "vmqnic: %s\n", msg);
    s->stats[VMQNIC_STAT_GUEST_ERRS]++;
    if (code != VMQNIC_ERR_NONE) {
        s->err_info = where | R_ERR_INFO_VALID_MASK |
                      (code << R_ERR_INFO_CODE_SHIFT);
        s->err_count++;
    }
}

bool vmqnic_link_up(VmqnicState *s)
{
    return !qemu_get_queue(s->nic)->link_down && !s->faults.link_down;
}

/*
 * Does the bus address range [@addr, @addr + @len) hit one of the
 * function's own memory BARs?  DMA there would be a register access from
 * inside the device; QEMU's re-entrancy guard blocks most of it, and the
 * device refuses the rest itself (TX buffers, interrupt messages).
 */
bool vmqnic_own_bar(VmqnicState *s, uint64_t addr, uint64_t len)
{
    /*
     * The function's memory BARs (realize registers no other); their
     * current addresses are read each time, as the guest may move them.
     * Runs for every TX buffer and every interrupt message: no QOM cast.
     */
    static const int bars[] = { VMQNIC_MMIO_BAR, VMQNIC_MSIX_BAR };
    const PCIIORegion *regions = s->parent_obj.io_regions;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bars); i++) {
        const PCIIORegion *r = &regions[bars[i]];

        if (r->size && r->addr != PCI_BAR_UNMAPPED &&
            addr <= r->addr + r->size - 1 && r->addr <= addr + (len - 1)) {
            return true;
        }
    }
    return false;
}

/*
 * The device does no work while the VM is stopped (the final stage of a
 * migration saves its state then): TX work and interrupts pending then
 * resume here.
 */
static void vmqnic_vm_state_change(void *opaque, bool running,
                                   RunState state)
{
    VmqnicState *s = opaque;

    if (running) {
        vmqnic_busy_enter(s);
        vmqnic_rx_refill_all(s);
        vmqnic_tx_kick_all(s);
        vmqnic_irq_flush_later(s);
        vmqnic_busy_leave(s);
    }
}

/*
 * Reset every register and table to its documented default.  Shared by
 * device reset, PCI function level reset and CTRL.RST.
 */
void vmqnic_soft_reset(VmqnicState *s)
{
    VmqnicMacFilter *mf0 = &s->mac_filters[0];
    unsigned q, p, qpp_log2;

    trace_vmqnic_reset();

    vmqnic_faults_reset(s);
    vmqnic_rings_reset(s);
    s->ctrl = 0;
    s->scratch = 0;
    s->err_info = 0;
    s->err_count = 0;
    s->stat_latch = 0;
    memset(s->spoof_pools, 0, sizeof(s->spoof_pools));
    memset(s->mta, 0, sizeof(s->mta));
    memset(s->stats, 0, sizeof(s->stats));
    vmqnic_irq_reset(s);

    qpp_log2 = 31 - clz32(s->num_queues / s->num_pools);
    s->vmdq_ctrl = FIELD_DP32(R_VMDQ_CTRL_REPL_EN_MASK, VMDQ_CTRL,
                              QPP_LOG2, qpp_log2);

    memset(s->queues, 0, sizeof(s->queues));
    for (q = 0; q < VMQNIC_MAX_QUEUES; q++) {
        VmqnicQueuePair *qp = &s->queues[q];

        qp->ring[VMQNIC_RX].regs[R_Q_STATUS] = R_Q_STATUS_STOPPED_MASK;
        qp->ring[VMQNIC_TX].regs[R_Q_STATUS] = R_Q_STATUS_STOPPED_MASK;
        qp->ring[VMQNIC_RX].regs[R_Q_VEC] = R_Q_VEC_VALID_MASK | (q + 1);
        qp->ring[VMQNIC_TX].regs[R_Q_VEC] = R_Q_VEC_VALID_MASK | (q + 1);
    }

    memset(s->pools, 0, sizeof(s->pools));
    for (p = 0; p < VMQNIC_MAX_POOLS; p++) {
        s->pools[p].maxframe = VMQNIC_DEFAULT_MAX_FRAME;
    }
    s->pools[0].ctrl = VMQNIC_POOL0_CTRL_RESET;

    memset(s->mac_filters, 0, sizeof(s->mac_filters));
    mf0->lo = ldl_le_p(s->conf.macaddr.a);
    mf0->hi = lduw_le_p(s->conf.macaddr.a + 4) | R_MACF_HI_VALID_MASK;
    mf0->pools_lo = 1;

    memset(s->vlan_filters, 0, sizeof(s->vlan_filters));
    vmqnic_filters_rebuild(s);
}

/* Network backend */

static bool vmqnic_can_receive(NetClientState *nc)
{
    return true;
}

/*
 * A backend with a virtio-net header (tap) puts one before each frame.
 * The device never enables receive offloads on the backend, so frames
 * come whole; a partial checksum is still finished here, and a
 * segmentation request, which only a broken backend would send, is
 * dropped.  A frame above the maximum is left to classification, which
 * refuses it as it does from any backend.  Returns the frame, or NULL to
 * drop it.
 */
static const uint8_t *vmqnic_rx_vnet(VmqnicState *s, const uint8_t *buf,
                                     size_t *size)
{
    struct virtio_net_hdr vh;
    size_t len;

    if (*size < sizeof(vh)) {
        return NULL;
    }
    memcpy(&vh, buf, sizeof(vh));
    buf += sizeof(vh);
    len = *size -= sizeof(vh);
    if ((vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE) {
        trace_vmqnic_rx_vnet_drop(vh.gso_type, len);
        return NULL;
    }
    if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && len <= VMQNIC_MAX_FRAME &&
        vh.csum_start < len && vh.csum_offset + 2 <= len - vh.csum_start) {
        uint32_t sum;

        memcpy(s->rx_csum_buf, buf, len);
        sum = net_checksum_add(len - vh.csum_start,
                               s->rx_csum_buf + vh.csum_start);
        stw_be_p(s->rx_csum_buf + vh.csum_start + vh.csum_offset,
                 net_checksum_finish_nozero(sum));
        trace_vmqnic_rx_vnet_csum(vh.csum_start, vh.csum_offset);
        buf = s->rx_csum_buf;
    }
    return buf;
}

static ssize_t vmqnic_receive(NetClientState *nc, const uint8_t *buf,
                              size_t size)
{
    VmqnicState *s = qemu_get_nic_opaque(nc);
    uint8_t min_frame[VMQNIC_MIN_FRAME];
    size_t wire_size = size;

    if (unlikely(s->unplugged)) {
        return wire_size;
    }
    if (s->has_vnet) {
        buf = vmqnic_rx_vnet(s, buf, &size);
        if (!buf) {
            s->stats[VMQNIC_STAT_RX_FRAMES]++;
            s->stats[VMQNIC_STAT_RX_DROPS]++;
            return wire_size;
        }
    }
    if (unlikely(s->faults.active)) {
        buf = vmqnic_fault_rx(s, buf, size);
        if (!buf) {
            return wire_size;
        }
    }
    s->stats[VMQNIC_STAT_RX_FRAMES]++;
    if (!(s->ctrl & R_CTRL_RX_EN_MASK) || size < ETH_HLEN) {
        s->stats[VMQNIC_STAT_RX_DROPS]++;
        trace_vmqnic_rx_drop(size);
        return wire_size;
    }
    /* Frames arrive without FCS; pad runts as the wire would have. */
    if (size < VMQNIC_MIN_FRAME) {
        memcpy(min_frame, buf, size);
        memset(min_frame + size, 0, VMQNIC_MIN_FRAME - size);
        buf = min_frame;
        size = VMQNIC_MIN_FRAME;
    }

    vmqnic_busy_enter(s);
    vmqnic_rx_classify(s, buf, size, -1);
    vmqnic_irq_flush_later(s);
    vmqnic_busy_leave(s);
    return wire_size;
}

static void vmqnic_set_link_status(NetClientState *nc)
{
    VmqnicState *s = qemu_get_nic_opaque(nc);

    trace_vmqnic_link(vmqnic_link_up(s));
    vmqnic_busy_enter(s);
    vmqnic_misc_cause(s, R_MISC_ICR_LINK_MASK);
    vmqnic_irq_flush(s);
    vmqnic_busy_leave(s);
}

static NetClientInfo net_vmqnic_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = vmqnic_can_receive,
    .receive = vmqnic_receive,
    .link_status_changed = vmqnic_set_link_status,
};

/*
 * Talk to the backend with a virtio-net header when every queue's peer
 * takes one (tap): checksum and segmentation requests then go to the
 * backend instead of being done here (see vmqnic-ring.c).
 */
static void vmqnic_init_vnet(VmqnicState *s)
{
    unsigned i, n = MAX(s->conf.peers.queues, 1);

    s->has_vnet = false;
    for (i = 0; i < n; i++) {
        NetClientState *nc = qemu_get_subqueue(s->nic, i);

        if (!nc->peer || !qemu_has_vnet_hdr(nc->peer)) {
            trace_vmqnic_vnet(false);
            return;
        }
    }
    for (i = 0; i < n; i++) {
        qemu_set_vnet_hdr_len(qemu_get_subqueue(s->nic, i)->peer,
                              sizeof(struct virtio_net_hdr));
    }
    s->has_vnet = true;
    s->rx_csum_buf = g_malloc(VMQNIC_MAX_FRAME);
    trace_vmqnic_vnet(true);
}

/* PCI */

static void vmqnic_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                                int len)
{
    VmqnicState *s = VMQNIC(d);

    pci_default_write_config(d, addr, val, len);
    pcie_cap_flr_write_config(d, addr, val, len);
    /* Leaving INTx mode drops the line; entering it re-evaluates it. */
    vmqnic_intx_update(s);
}

static bool vmqnic_check_range(const char *name, uint32_t val, uint32_t min,
                               uint32_t max, Error **errp)
{
    if (val < min || val > max) {
        error_setg(errp, "vmqnic: property '%s' (%u) must be between %u "
                   "and %u", name, val, min, max);
        return false;
    }
    return true;
}

static bool vmqnic_check_properties(VmqnicState *s, Error **errp)
{
    if (!vmqnic_check_range("queues", s->num_queues, 1, VMQNIC_MAX_QUEUES,
                            errp) ||
        !vmqnic_check_range("pools", s->num_pools, 1, VMQNIC_MAX_POOLS,
                            errp) ||
        !vmqnic_check_range("mac-filters", s->num_mac_filters, 1,
                            VMQNIC_MAX_MAC_FILTERS, errp) ||
        !vmqnic_check_range("vlan-filters", s->num_vlan_filters, 0,
                            VMQNIC_MAX_VLAN_FILTERS, errp) ||
        !vmqnic_check_range("speed", s->speed, 10, 400000, errp)) {
        return false;
    }
    if (s->num_pools > s->num_queues) {
        error_setg(errp, "vmqnic: property 'pools' (%u) must not exceed "
                   "'queues' (%u): every pool needs a queue",
                   s->num_pools, s->num_queues);
        return false;
    }
    return true;
}

static void vmqnic_realize(PCIDevice *d, Error **errp)
{
    VmqnicState *s = VMQNIC(d);
    DeviceState *dev = DEVICE(d);
    unsigned v;

    if (!vmqnic_check_properties(s, errp)) {
        return;
    }
    s->num_vectors = s->num_queues + 1;

    d->config_write = vmqnic_write_config;
    d->config[PCI_INTERRUPT_PIN] = 1;
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, VMQNIC_PCI_VENDOR_ID);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, VMQNIC_PCI_SUBSYS_ID);

    memory_region_init_io(&s->mmio, OBJECT(s), &vmqnic_mmio_ops, s,
                          "vmqnic-mmio", VMQNIC_MMIO_SIZE);
    pci_register_bar(d, VMQNIC_MMIO_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);

    if (pci_pm_init(d, VMQNIC_PM_OFFSET, errp) < 0) {
        return;
    }
    pci_set_word(d->config + VMQNIC_PM_OFFSET + PCI_PM_PMC,
                 PCI_PM_CAP_VER_1_1);
    pci_set_word(d->wmask + VMQNIC_PM_OFFSET + PCI_PM_CTRL,
                 PCI_PM_CTRL_STATE_MASK);
    if (msi_init(d, VMQNIC_MSI_OFFSET, 1, true, false, errp) < 0) {
        return;
    }
    if (pcie_endpoint_cap_init(d, VMQNIC_PCIE_OFFSET) < 0) {
        error_setg(errp, "vmqnic: cannot add the PCI Express capability");
        goto err_msi;
    }
    pcie_cap_flr_init(d);
    if (msix_init_exclusive_bar(d, s->num_vectors, VMQNIC_MSIX_BAR,
                                errp) < 0) {
        goto err_pcie;
    }
    for (v = 0; v < s->num_vectors; v++) {
        msix_vector_use(d, v);
    }

    vmqnic_irq_init(s);
    vmqnic_dma_init(s);
    vmqnic_rings_init(s);
    vmqnic_filter_init(s);
    vmqnic_debug_init(s);

    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    s->nic = qemu_new_nic(&net_vmqnic_info, &s->conf,
                          object_get_typename(OBJECT(s)), dev->id,
                          &dev->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
    s->vm_state = qemu_add_vm_change_state_handler(vmqnic_vm_state_change, s);
    vmqnic_init_vnet(s);

    vmqnic_soft_reset(s);
    return;

err_pcie:
    pcie_cap_exit(d);
err_msi:
    msi_uninit(d);
}

/* What the device model itself holds: timers, bottom halves, the NIC */
static void vmqnic_release(VmqnicState *s)
{
    qemu_del_vm_change_state_handler(s->vm_state);
    qemu_del_nic(s->nic);
    g_free(s->rx_csum_buf);
    vmqnic_rings_exit(s);
    vmqnic_filter_exit(s);
    vmqnic_debug_exit(s);
    vmqnic_irq_exit(s);
}

static void vmqnic_release_bh(void *opaque)
{
    VmqnicState *s = opaque;

    vmqnic_release(s);
    object_unref(OBJECT(s));
}

static void vmqnic_exit(PCIDevice *d)
{
    VmqnicState *s = VMQNIC(d);

    /* The bus master address space goes with the PCI function: now */
    vmqnic_dma_exit(s);
    if (s->busy) {
        /*
         * Unplugged by its own work: a DMA write or message into its
         * slot's Slot Control (power off) through the ECAM window.  That
         * work stops as for a reset it causes and never resumes; what the
         * model holds goes from a bottom half, once every callback that
         * may use it (the net layer's included) has returned.
         */
        trace_vmqnic_unplug_deferred(s->busy);
        s->unplugged = true;
        s->reset_pending = true;
        object_ref(OBJECT(s));
        aio_bh_schedule_oneshot(qemu_get_aio_context(), vmqnic_release_bh, s);
    } else {
        vmqnic_release(s);
    }
    msix_unuse_all_vectors(d);
    msix_uninit_exclusive_bar(d);
    pcie_cap_exit(d);
    msi_uninit(d);
}

/*
 * The device's own work, however it started (a register access, a bottom
 * half, a timer, a received frame, a QMP command), runs under the
 * device's re-entrancy guard, so its DMA never reaches its own registers
 */
void vmqnic_busy_enter(VmqnicState *s)
{
    DeviceState *dev = &s->parent_obj.qdev;     /* per frame: no QOM cast */

    if (!s->busy++) {
        s->guard_was = dev->mem_reentrancy_guard.engaged_in_io;
        dev->mem_reentrancy_guard.engaged_in_io = true;
    }
}

void vmqnic_busy_leave(VmqnicState *s)
{
    DeviceState *dev = &s->parent_obj.qdev;

    if (--s->busy) {
        return;
    }
    dev->mem_reentrancy_guard.engaged_in_io = s->guard_was;
    if (s->reset_pending && !s->unplugged) {
        s->reset_pending = false;
        vmqnic_soft_reset(s);
    }
}

static void vmqnic_reset_hold(Object *obj, ResetType type)
{
    VmqnicState *s = VMQNIC(obj);

    /*
     * Reset by the device's own work (see VmqnicState.busy): what is left
     * of that work does no DMA (vmqnic_dma_read/write refuse it) and
     * sends no MSI (the PCI core has turned it off); the registers reset
     * when it ends.
     */
    vmqnic_irq_hook_msi(s);
    if (s->busy) {
        trace_vmqnic_reset_deferred(s->busy);
        s->reset_pending = true;
        return;
    }
    vmqnic_soft_reset(s);
}

/* Migration */

static bool vmqnic_vector_ok(VmqnicState *s, uint32_t reg)
{
    return FIELD_EX32(reg, Q_VEC, VECTOR) < s->num_vectors;
}

/* No bit for a vector the device does not have */
static bool vmqnic_vec_bitmap_ok(VmqnicState *s, const uint32_t *map)
{
    unsigned w;

    for (w = 0; w < VMQNIC_VEC_WORDS; w++) {
        unsigned first = w * 32;
        uint32_t valid = first >= s->num_vectors ? 0 :
                         MAKE_64BIT_MASK(0, MIN(s->num_vectors - first, 32));

        if (map[w] & ~valid) {
            return false;
        }
    }
    return true;
}

/* A running ring must have what enabling it checked */
static bool vmqnic_ring_ok(const VmqnicRing *r, int dir)
{
    uint32_t len = r->regs[R_Q_LEN];

    /* Q_CTRL.ENABLE locks the geometry: it must agree with the state */
    if (!(r->regs[R_Q_STATUS] & R_Q_STATUS_ENABLED_MASK)) {
        return !(r->regs[R_Q_CTRL] & R_Q_CTRL_ENABLE_MASK);
    }
    return (r->regs[R_Q_CTRL] & R_Q_CTRL_ENABLE_MASK) &&
           is_power_of_2(len) && len >= BIT(VMQNIC_RING_MIN_LOG2) &&
           len <= BIT(VMQNIC_RING_MAX_LOG2) && r->regs[R_Q_HEAD] < len &&
           r->regs[R_Q_TAIL] < len &&
           !(r->regs[R_Q_BASE_LO] & (VMQNIC_DESC_ALIGN - 1)) &&
           (dir == VMQNIC_TX || (r->regs[R_Q_BUFSZ] >= VMQNIC_RX_BUF_MIN &&
                                 r->regs[R_Q_BUFSZ] <= VMQNIC_RX_BUF_MAX));
}

static int vmqnic_post_load(void *opaque, int version_id)
{
    VmqnicState *s = opaque;
    unsigned q, dir;

    /* Never trust the stream: reject what the registers cannot hold. */
    if (!vmqnic_vector_ok(s, s->misc_vec) ||
        (1u << FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, QPP_LOG2)) >
            s->num_queues ||
        FIELD_EX32(s->vmdq_ctrl, VMDQ_CTRL, DEF_POOL) >= s->num_pools ||
        !vmqnic_vec_bitmap_ok(s, s->vec_ims) ||
        !vmqnic_vec_bitmap_ok(s, s->vec_icr) ||
        !vmqnic_vec_bitmap_ok(s, s->vec_pending)) {
        return -EINVAL;
    }
    for (q = 0; q < s->num_pools; q++) {
        if (s->pools[q].maxframe < VMQNIC_MIN_FRAME ||
            s->pools[q].maxframe > VMQNIC_MAX_FRAME) {
            return -EINVAL;
        }
    }
    for (q = 0; q < s->num_queues; q++) {
        for (dir = 0; dir < 2; dir++) {
            const VmqnicRing *r = &s->queues[q].ring[dir];

            if (!vmqnic_vector_ok(s, r->regs[R_Q_VEC]) ||
                !vmqnic_ring_ok(r, dir)) {
                return -EINVAL;
            }
        }
        if (s->queues[q].ring[VMQNIC_TX].regs[R_Q_STATUS] &
            R_Q_STATUS_ENABLED_MASK) {
            vmqnic_tx_kick(s, q);
        }
    }
    vmqnic_filters_rebuild(s);
    vmqnic_irq_post_load(s);
    vmqnic_rings_post_load(s);
    return 0;
}

static const VMStateDescription vmstate_vmqnic_ring = {
    .name = "vmqnic/ring",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_ARRAY(regs, VmqnicRing, VMQNIC_Q_REGS),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_vmqnic_queue = {
    .name = "vmqnic/queue",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_ARRAY(ring, VmqnicQueuePair, 2, 1,
                             vmstate_vmqnic_ring, VmqnicRing),
        VMSTATE_UINT64_ARRAY(stats, VmqnicQueuePair, VMQNIC_NUM_QSTATS),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_vmqnic_pool = {
    .name = "vmqnic/pool",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(ctrl, VmqnicPool),
        VMSTATE_UINT32(maxframe, VmqnicPool),
        VMSTATE_UINT32(defvlan, VmqnicPool),
        VMSTATE_UINT32(rss_types, VmqnicPool),
        VMSTATE_UINT32(spoof_drops, VmqnicPool),
        VMSTATE_UINT32_ARRAY(rss_key, VmqnicPool, VMQNIC_RSS_KEY_WORDS),
        VMSTATE_UINT32_ARRAY(reta, VmqnicPool, VMQNIC_RETA_WORDS),
        VMSTATE_UINT32_ARRAY(vlan, VmqnicPool, VMQNIC_VLAN_WORDS),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_vmqnic_mac_filter = {
    .name = "vmqnic/mac-filter",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(lo, VmqnicMacFilter),
        VMSTATE_UINT32(hi, VmqnicMacFilter),
        VMSTATE_UINT32(pools_lo, VmqnicMacFilter),
        VMSTATE_UINT32(pools_hi, VmqnicMacFilter),
        VMSTATE_UINT32(vlan, VmqnicMacFilter),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_vmqnic_vlan_filter = {
    .name = "vmqnic/vlan-filter",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(ctrl, VmqnicVlanFilter),
        VMSTATE_UINT32(pools_lo, VmqnicVlanFilter),
        VMSTATE_UINT32(pools_hi, VmqnicVlanFilter),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_vmqnic = {
    .name = "vmqnic",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = vmqnic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, VmqnicState),
        VMSTATE_MSIX(parent_obj, VmqnicState),
        VMSTATE_UINT32_EQUAL(num_queues, VmqnicState, NULL),
        VMSTATE_UINT32_EQUAL(num_pools, VmqnicState, NULL),
        VMSTATE_UINT32_EQUAL(num_mac_filters, VmqnicState, NULL),
        VMSTATE_UINT32_EQUAL(num_vlan_filters, VmqnicState, NULL),
        VMSTATE_UINT32(ctrl, VmqnicState),
        VMSTATE_UINT32(scratch, VmqnicState),
        VMSTATE_UINT32(err_info, VmqnicState),
        VMSTATE_UINT32(err_count, VmqnicState),
        VMSTATE_UINT32(misc_icr, VmqnicState),
        VMSTATE_UINT32(misc_ims, VmqnicState),
        VMSTATE_UINT32(misc_vec, VmqnicState),
        VMSTATE_UINT32(vmdq_ctrl, VmqnicState),
        VMSTATE_UINT32_ARRAY(spoof_pools, VmqnicState, 2),
        VMSTATE_UINT32(stat_latch, VmqnicState),
        VMSTATE_UINT32_ARRAY(mta, VmqnicState, VMQNIC_MTA_WORDS),
        VMSTATE_UINT64_ARRAY(stats, VmqnicState, VMQNIC_NUM_STATS),
        VMSTATE_UINT32_ARRAY(vec_itr, VmqnicState, VMQNIC_MAX_VECTORS),
        VMSTATE_UINT32_ARRAY(vec_ims, VmqnicState, VMQNIC_VEC_WORDS),
        VMSTATE_UINT32_ARRAY(vec_icr, VmqnicState, VMQNIC_VEC_WORDS),
        VMSTATE_UINT32_ARRAY(vec_pending, VmqnicState, VMQNIC_VEC_WORDS),
        VMSTATE_INT64_ARRAY(vec_next, VmqnicState, VMQNIC_MAX_VECTORS),
        VMSTATE_UINT32_ARRAY(rxq_icr, VmqnicState, VMQNIC_QUEUE_WORDS),
        VMSTATE_UINT32_ARRAY(txq_icr, VmqnicState, VMQNIC_QUEUE_WORDS),
        VMSTATE_STRUCT_VARRAY_UINT32(queues, VmqnicState, num_queues, 1,
                                     vmstate_vmqnic_queue, VmqnicQueuePair),
        VMSTATE_STRUCT_VARRAY_UINT32(pools, VmqnicState, num_pools, 1,
                                     vmstate_vmqnic_pool, VmqnicPool),
        VMSTATE_STRUCT_VARRAY_UINT32(mac_filters, VmqnicState,
                                     num_mac_filters, 1,
                                     vmstate_vmqnic_mac_filter,
                                     VmqnicMacFilter),
        VMSTATE_STRUCT_VARRAY_UINT32(vlan_filters, VmqnicState,
                                     num_vlan_filters, 1,
                                     vmstate_vmqnic_vlan_filter,
                                     VmqnicVlanFilter),
        VMSTATE_END_OF_LIST()
    }
};

static const Property vmqnic_properties[] = {
    DEFINE_NIC_PROPERTIES(VmqnicState, conf),
    DEFINE_PROP_UINT32("queues", VmqnicState, num_queues, 128),
    DEFINE_PROP_UINT32("pools", VmqnicState, num_pools, 64),
    DEFINE_PROP_UINT32("mac-filters", VmqnicState, num_mac_filters, 128),
    DEFINE_PROP_UINT32("vlan-filters", VmqnicState, num_vlan_filters, 64),
    DEFINE_PROP_UINT32("speed", VmqnicState, speed, 10000),
};

static void vmqnic_instance_init(Object *obj)
{
    VmqnicState *s = VMQNIC(obj);

    device_add_bootindex_property(obj, &s->conf.bootindex, "bootindex",
                                  "/ethernet-phy@0", DEVICE(obj));
}

static void vmqnic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = vmqnic_realize;
    k->exit = vmqnic_exit;
    k->vendor_id = VMQNIC_PCI_VENDOR_ID;
    k->device_id = VMQNIC_PCI_DEVICE_ID;
    k->revision = VMQNIC_PCI_REVISION;
    k->class_id = PCI_CLASS_NETWORK_ETHERNET;

    dc->desc = "VMDq multi-queue network adapter (vmqnic)";
    dc->vmsd = &vmstate_vmqnic;
    rc->phases.hold = vmqnic_reset_hold;
    device_class_set_props(dc, vmqnic_properties);
    object_class_property_set_description(klass, "queues",
        "RX/TX queue pairs (1-256)");
    object_class_property_set_description(klass, "pools",
        "pools, one per VM (1-64, at most 'queues')");
    object_class_property_set_description(klass, "mac-filters",
        "entries of the MAC (+VLAN) filter table (1-1024)");
    object_class_property_set_description(klass, "vlan-filters",
        "entries of the VLAN filter table (0-1024)");
    object_class_property_set_description(klass, "speed",
        "link speed reported to the guest, in Mb/s (10-400000)");
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo vmqnic_info = {
    .name = TYPE_VMQNIC,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VmqnicState),
    .instance_init = vmqnic_instance_init,
    .class_init = vmqnic_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void vmqnic_register_types(void)
{
    type_register_static(&vmqnic_info);
}

type_init(vmqnic_register_types)

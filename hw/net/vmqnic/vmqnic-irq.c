/*
 * vmqnic: interrupt causes, vectors and their delivery
 *
 * Every interrupt source (misc causes, queue completions) signals one
 * vector by marking it pending.  At the end of each device operation
 * (register write, burst of received frames, TX run, timer) the pending
 * vectors are delivered, so sources sharing a vector coalesce into one
 * interrupt.  A vector fires only while enabled in VEC_IMS and at most
 * once per VEC_ITR interval (measured on QEMU_CLOCK_VIRTUAL); otherwise
 * it stays pending.  In MSI-X mode a vector is an MSI-X table entry; in
 * MSI and INTx mode all vectors share the function's one interrupt and
 * VEC_ICR says which ones fired.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "system/runstate.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "vmqnic.h"
#include "trace.h"

#define VEC_BIT(v)      BIT((v) % 32)

uint32_t vmqnic_int_mode(VmqnicState *s)
{
    PCIDevice *d = &s->parent_obj;

    if (msix_enabled(d)) {
        return VMQNIC_INT_MODE_MSIX;
    }
    if (msi_enabled(d)) {
        return VMQNIC_INT_MODE_MSI;
    }
    return VMQNIC_INT_MODE_INTX;
}

void vmqnic_intx_update(VmqnicState *s)
{
    PCIDevice *d = PCI_DEVICE(s);
    bool level = false;
    unsigned i;

    if (vmqnic_int_mode(s) == VMQNIC_INT_MODE_INTX) {
        for (i = 0; i < VMQNIC_VEC_WORDS; i++) {
            level |= s->vec_icr[i] != 0;
        }
    }
    trace_vmqnic_irq_intx(level);
    pci_set_irq(d, level);
}

/*
 * Every MSI and MSI-X message of the function goes through here, also
 * those QEMU's MSI-X code sends by itself (a vector that went pending
 * while masked, sent when it is unmasked): one aimed at the function's
 * own BARs is not sent, as it would write its registers.
 */
static void vmqnic_msi_trigger(PCIDevice *d, MSIMessage msg)
{
    VmqnicState *s = container_of(d, VmqnicState, parent_obj);

    if (vmqnic_own_bar(s, msg.address, 4)) {
        vmqnic_guest_error(s, VMQNIC_ERR_NONE, VMQNIC_NO_QUEUE,
                           "interrupt message address 0x%" PRIx64 " is in "
                           "the device's own BAR, not sent", msg.address);
        return;
    }
    s->msi_trigger(d, msg);
}

static void vmqnic_vector_fire(VmqnicState *s, unsigned v)
{
    PCIDevice *d = &s->parent_obj;
    uint32_t mode = vmqnic_int_mode(s);
    uint32_t interval = FIELD_EX32(s->vec_itr[v], VEC_ITR, INTERVAL);

    s->vec_pending[v / 32] &= ~VEC_BIT(v);
    if (s->vec_itr[v] & R_VEC_ITR_AUTOMASK_MASK) {
        s->vec_ims[v / 32] &= ~VEC_BIT(v);
    }
    /* 0: no interval to wait for, the next signal fires at once */
    s->vec_next[v] = interval ? qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                (int64_t)interval * SCALE_US : 0;
    s->stats[VMQNIC_STAT_IRQS]++;
    trace_vmqnic_irq_vector(v, mode);

    switch (mode) {
    case VMQNIC_INT_MODE_MSIX:
        msix_notify(d, v);
        break;
    case VMQNIC_INT_MODE_MSI:
        s->vec_icr[v / 32] |= VEC_BIT(v);
        msi_notify(d, 0);
        break;
    default:
        s->vec_icr[v / 32] |= VEC_BIT(v);
        vmqnic_intx_update(s);
        break;
    }
}

/* Fire vector @v now, or arm its timer when moderation says wait */
static void vmqnic_vector_deliver(VmqnicState *s, unsigned v)
{
    int64_t next = s->vec_next[v];
    int64_t now = next || s->faults.active ?
                  qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) : 0;

    if (VMQNIC_FAULT(s, irq_held, v, now, &next)) {
        return;         /* suppressed: the vector stays pending */
    }
    if (now < next) {
        if (timer_expire_time_ns(s->vec_timer[v].timer) != next) {
            trace_vmqnic_irq_moderated(v, next - now);
            timer_mod(s->vec_timer[v].timer, next);
        }
        return;
    }
    vmqnic_vector_fire(s, v);
}

static void vmqnic_vector_timer(void *opaque)
{
    VmqnicVecTimer *t = opaque;
    VmqnicState *s = t->s;
    unsigned v = t - s->vec_timer;

    if ((s->vec_pending[v / 32] & s->vec_ims[v / 32] & VEC_BIT(v)) &&
        !s->reset_pending) {
        vmqnic_busy_enter(s);
        vmqnic_vector_deliver(s, v);
        vmqnic_busy_leave(s);
    }
}

void vmqnic_vector_signal(VmqnicState *s, unsigned v)
{
    if (v < s->num_vectors) {
        trace_vmqnic_irq_signal(v, !!(s->vec_ims[v / 32] & VEC_BIT(v)));
        s->vec_pending[v / 32] |= VEC_BIT(v);
    }
}

static bool source_on(uint32_t vec_reg, unsigned v)
{
    return (vec_reg & R_Q_VEC_VALID_MASK) &&
           FIELD_EX32(vec_reg, Q_VEC, VECTOR) == v;
}

/* Does any source mapped to vector @v have its cause bit set? */
static bool vector_has_cause(VmqnicState *s, unsigned v)
{
    unsigned q;

    if (source_on(s->misc_vec, v) && (s->misc_icr & s->misc_ims)) {
        return true;
    }
    for (q = 0; q < s->num_queues; q++) {
        const VmqnicQueuePair *qp = &s->queues[q];

        if ((source_on(qp->ring[VMQNIC_RX].regs[R_Q_VEC], v) &&
             (s->rxq_icr[q / 32] & BIT(q % 32))) ||
            (source_on(qp->ring[VMQNIC_TX].regs[R_Q_VEC], v) &&
             (s->txq_icr[q / 32] & BIT(q % 32)))) {
            return true;
        }
    }
    return false;
}

/* A source left vector @v: drop its pending signal if nothing else needs it */
void vmqnic_vector_withdraw(VmqnicState *s, unsigned v)
{
    if (v < s->num_vectors && !vector_has_cause(s, v)) {
        s->vec_pending[v / 32] &= ~VEC_BIT(v);
    }
}

void vmqnic_irq_flush(VmqnicState *s)
{
    unsigned w;

    /* Reset by its own work: nothing fires (see VmqnicState.busy) */
    if (unlikely(s->reset_pending)) {
        return;
    }
    for (w = 0; w < DIV_ROUND_UP(s->num_vectors, 32); w++) {
        uint32_t ready = s->vec_pending[w] & s->vec_ims[w];

        while (ready && !s->reset_pending) {
            unsigned v = w * 32 + ctz32(ready);

            ready &= ready - 1;
            vmqnic_vector_deliver(s, v);
        }
    }
}

/*
 * Received frames arrive one by one, in bursts (everything a backend read
 * brought in): their vectors fire once the burst is written back, from a
 * bottom half that runs before the main loop waits again.  Frames received
 * within a register write or TX run need none: it flushes when it ends.
 */
void vmqnic_irq_flush_later(VmqnicState *s)
{
    /* Once per burst: each schedule may wake the main loop (an eventfd) */
    if (!s->irq_hold && !s->irq_bh_scheduled) {
        s->irq_bh_scheduled = true;
        qemu_bh_schedule(s->irq_bh);
    }
}

static void vmqnic_irq_bh(void *opaque)
{
    VmqnicState *s = opaque;

    s->irq_bh_scheduled = false;
    /* Nothing is delivered while the VM is stopped; resuming flushes */
    if (runstate_is_running()) {
        vmqnic_busy_enter(s);
        vmqnic_irq_flush(s);
        vmqnic_busy_leave(s);
    }
}

void vmqnic_vec_enable(VmqnicState *s, unsigned word, uint32_t bits)
{
    s->vec_ims[word] |= bits;
}

void vmqnic_vec_disable(VmqnicState *s, unsigned word, uint32_t bits)
{
    s->vec_ims[word] &= ~bits;
}

void vmqnic_vec_icr_clear(VmqnicState *s, unsigned word, uint32_t bits)
{
    s->vec_icr[word] &= ~bits;
    vmqnic_intx_update(s);
}

/*
 * Misc causes: signal the misc vector when a cause becomes both pending
 * and enabled, either by being raised or by being enabled in MISC_IMS.
 */
static void vmqnic_misc_signal(VmqnicState *s, uint32_t newly)
{
    if (!(newly & s->misc_ims & s->misc_icr)) {
        return;
    }
    if (!FIELD_EX32(s->misc_vec, MISC_VEC, VALID)) {
        return;
    }
    vmqnic_vector_signal(s, FIELD_EX32(s->misc_vec, MISC_VEC, VECTOR));
}

void vmqnic_misc_cause(VmqnicState *s, uint32_t causes)
{
    causes &= VMQNIC_MISC_CAUSES;
    s->misc_icr |= causes;
    trace_vmqnic_misc_cause(causes, s->misc_icr, s->misc_ims);
    vmqnic_misc_signal(s, causes);
}

void vmqnic_misc_enable(VmqnicState *s, uint32_t bits)
{
    uint32_t newly = bits & ~s->misc_ims & VMQNIC_MISC_CAUSES;

    s->misc_ims |= newly;
    vmqnic_misc_signal(s, newly);
}

/*
 * Put vmqnic_msi_trigger in front of PCI's message sender.  PCI sets the
 * sender at the end of realize, so this runs from the device's first
 * reset, which comes before the guest does (cold plug, hotplug, incoming
 * migration); once only, so that a later wrapper is not wrapped in turn.
 */
void vmqnic_irq_hook_msi(VmqnicState *s)
{
    PCIDevice *d = &s->parent_obj;

    if (!s->msi_trigger) {
        s->msi_trigger = d->msi_trigger;
        d->msi_trigger = vmqnic_msi_trigger;
    }
}

void vmqnic_irq_reset(VmqnicState *s)
{
    PCIDevice *d = PCI_DEVICE(s);
    unsigned v;

    s->misc_icr = 0;
    s->misc_ims = 0;
    s->misc_vec = R_MISC_VEC_VALID_MASK;
    memset(s->vec_itr, 0, sizeof(s->vec_itr));
    memset(s->vec_ims, 0, sizeof(s->vec_ims));
    memset(s->vec_icr, 0, sizeof(s->vec_icr));
    memset(s->vec_pending, 0, sizeof(s->vec_pending));
    memset(s->vec_next, 0, sizeof(s->vec_next));
    memset(s->rxq_icr, 0, sizeof(s->rxq_icr));
    memset(s->txq_icr, 0, sizeof(s->txq_icr));
    /* The MSI-X table and PBA are PCI state: only a PCI reset clears them */
    for (v = 0; v < s->num_vectors; v++) {
        timer_del(s->vec_timer[v].timer);
    }
    pci_set_irq(d, 0);
}

/* After migration: re-arm the moderation timers of waiting vectors */
void vmqnic_irq_post_load(VmqnicState *s)
{
    unsigned v;

    for (v = 0; v < s->num_vectors; v++) {
        if (s->vec_pending[v / 32] & s->vec_ims[v / 32] & VEC_BIT(v)) {
            timer_mod(s->vec_timer[v].timer, s->vec_next[v]);
        }
    }
    vmqnic_intx_update(s);
}

void vmqnic_irq_init(VmqnicState *s)
{
    unsigned v;

    s->irq_bh = qemu_bh_new_guarded(vmqnic_irq_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);
    for (v = 0; v < s->num_vectors; v++) {
        s->vec_timer[v].s = s;
        s->vec_timer[v].timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                             vmqnic_vector_timer,
                                             &s->vec_timer[v]);
    }
}

void vmqnic_irq_exit(VmqnicState *s)
{
    unsigned v;

    qemu_bh_delete(s->irq_bh);
    for (v = 0; v < s->num_vectors; v++) {
        timer_free(s->vec_timer[v].timer);
        s->vec_timer[v].timer = NULL;
    }
}

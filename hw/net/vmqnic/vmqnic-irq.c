/*
 * vmqnic: interrupt causes, vectors and their delivery
 *
 * Every interrupt source (misc causes, queue causes) signals one vector.
 * A vector fires when it is enabled in VEC_IMS; otherwise it stays
 * pending until enabled.  In MSI-X mode a vector is an MSI-X table entry;
 * in MSI and INTx mode all vectors share the function's one interrupt
 * and VEC_ICR tells the driver which ones fired.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "vmqnic.h"
#include "trace.h"

static bool vec_test(const uint32_t *map, unsigned v)
{
    return map[v / 32] & BIT(v % 32);
}

uint32_t vmqnic_int_mode(VmqnicState *s)
{
    PCIDevice *d = PCI_DEVICE(s);

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

static void vmqnic_vector_fire(VmqnicState *s, unsigned v)
{
    PCIDevice *d = PCI_DEVICE(s);
    uint32_t mode = vmqnic_int_mode(s);

    s->vec_pending[v / 32] &= ~BIT(v % 32);
    if (s->vec_itr[v] & R_VEC_ITR_AUTOMASK_MASK) {
        s->vec_ims[v / 32] &= ~BIT(v % 32);
    }
    s->stats[VMQNIC_STAT_IRQS]++;
    trace_vmqnic_irq_vector(v, mode);

    switch (mode) {
    case VMQNIC_INT_MODE_MSIX:
        msix_notify(d, v);
        break;
    case VMQNIC_INT_MODE_MSI:
        s->vec_icr[v / 32] |= BIT(v % 32);
        msi_notify(d, 0);
        break;
    default:
        s->vec_icr[v / 32] |= BIT(v % 32);
        vmqnic_intx_update(s);
        break;
    }
}

void vmqnic_vector_signal(VmqnicState *s, unsigned v)
{
    if (v >= s->num_vectors) {
        return;
    }
    if (vec_test(s->vec_ims, v)) {
        vmqnic_vector_fire(s, v);
    } else {
        s->vec_pending[v / 32] |= BIT(v % 32);
    }
}

void vmqnic_vec_enable(VmqnicState *s, unsigned word, uint32_t bits)
{
    uint32_t fire;
    unsigned b;

    s->vec_ims[word] |= bits;
    fire = s->vec_pending[word] & bits;
    while (fire) {
        b = ctz32(fire);
        fire &= fire - 1;
        vmqnic_vector_fire(s, word * 32 + b);
    }
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

void vmqnic_irq_reset(VmqnicState *s)
{
    PCIDevice *d = PCI_DEVICE(s);

    s->misc_icr = 0;
    s->misc_ims = 0;
    s->misc_vec = R_MISC_VEC_VALID_MASK;
    memset(s->vec_itr, 0, sizeof(s->vec_itr));
    memset(s->vec_ims, 0, sizeof(s->vec_ims));
    memset(s->vec_icr, 0, sizeof(s->vec_icr));
    memset(s->vec_pending, 0, sizeof(s->vec_pending));
    memset(s->rxq_icr, 0, sizeof(s->rxq_icr));
    memset(s->txq_icr, 0, sizeof(s->txq_icr));
    if (msix_present(d)) {
        unsigned v;

        for (v = 0; v < s->num_vectors; v++) {
            msix_clr_pending(d, v);
        }
    }
    pci_set_irq(d, 0);
}

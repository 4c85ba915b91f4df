/*
 * vmqnic: DMA to and from guest RAM through mapped windows
 *
 * Every descriptor fetch, write-back and buffer copy would otherwise walk
 * QEMU's memory map (pci_dma_read/write translate each access anew, a few
 * hundred instructions).  Instead the device keeps a few windows, each a
 * MemoryRegionCache over one whole RAM section of its bus master address
 * space: an access inside a window is a memcpy plus, when anything logs
 * that memory (migration, dirty-rate measurement, TCG's code pages, a
 * display), the dirty-memory update.  Everything that is not plain RAM
 * (MMIO, ROM, memory behind an IOMMU, bus mastering off, nothing there)
 * takes the ordinary pci_dma_read/write path and fails or succeeds as it
 * always did.
 *
 * Any change of the memory map (a BAR moved, bus mastering toggled, memory
 * plugged) or of dirty logging (migration or a dirty-rate measurement
 * starting or ending, a region's log switched) commits a memory
 * transaction; the device's listener then drops every window, and the next
 * access maps it again from the new map, with the logging then in force.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "system/dma.h"
#include "system/xen.h"
#include "hw/pci/pci_device.h"
#include "vmqnic.h"
#include "trace.h"

static void dma_window_drop(VmqnicDmaWindow *w)
{
    if (w->len) {
        address_space_cache_destroy(&w->cache);
        w->len = 0;
    }
}

void vmqnic_dma_unmap_all(VmqnicState *s)
{
    unsigned i;

    for (i = 0; i < VMQNIC_DMA_WINDOWS; i++) {
        dma_window_drop(&s->dma_win[i]);
    }
}

static void vmqnic_dma_commit(MemoryListener *listener)
{
    VmqnicState *s = container_of(listener, VmqnicState, dma_listener);

    vmqnic_dma_unmap_all(s);
}

/*
 * Map the RAM section around [@addr, @addr + @len) into a window; NULL
 * when that range is not all in one directly accessible RAM section.
 */
static G_GNUC_NO_INLINE
VmqnicDmaWindow *dma_window_map(VmqnicState *s, dma_addr_t addr,
                                dma_addr_t len)
{
    AddressSpace *as = pci_get_address_space(&s->parent_obj);
    VmqnicDmaWindow *w = &s->dma_win[s->dma_win_next];
    MemoryRegionCache probe = {};
    hwaddr base, size;
    bool direct;

    if (!s->dma_listening) {
        memory_listener_register(&s->dma_listener, as);
        s->dma_listening = true;
    }
    /* Which section is it in, and is that section RAM? */
    direct = address_space_cache_init(&probe, as, addr, len, true) >= len &&
             probe.ptr;
    base = probe.mrs.offset_within_address_space;
    size = int128_getlo(probe.mrs.size);
    address_space_cache_destroy(&probe);
    if (!direct || !size) {
        return NULL;
    }

    dma_window_drop(w);
    size = address_space_cache_init(&w->cache, as, base, size, true);
    if (size <= addr - base || len > size - (addr - base) || !w->cache.ptr) {
        address_space_cache_destroy(&w->cache);
        return NULL;
    }
    w->base = base;
    w->len = size;
    /*
     * With no client logging this RAM (KVM, no migration), the
     * dirty-memory update after each write (invalidate_and_set_dirty)
     * does nothing, yet costs about 90 instructions a write, an eighth of
     * a received frame's cost.  Skip it until the logging changes, which
     * drops the window.  Xen tracks every write.
     */
    w->log_dirty = xen_enabled() ||
                   memory_region_get_dirty_log_mask(w->cache.mrs.mr);
    s->dma_win_next = (s->dma_win_next + 1) % VMQNIC_DMA_WINDOWS;
    trace_vmqnic_dma_window(w - s->dma_win, base, size);
    return w;
}

static inline bool dma_window_has(const VmqnicDmaWindow *w, dma_addr_t addr,
                                  dma_addr_t len)
{
    /* An empty window (len 0) has nothing */
    return addr - w->base < w->len && len <= w->len - (addr - w->base);
}

static inline VmqnicDmaWindow *dma_window(VmqnicState *s, dma_addr_t addr,
                                          dma_addr_t len)
{
    unsigned i;

    /* Most of the time everything is in the first one */
    if (likely(dma_window_has(&s->dma_win[0], addr, len))) {
        return &s->dma_win[0];
    }
    for (i = 1; i < VMQNIC_DMA_WINDOWS; i++) {
        if (dma_window_has(&s->dma_win[i], addr, len)) {
            return &s->dma_win[i];
        }
    }
    return len ? dma_window_map(s, addr, len) : NULL;
}

MemTxResult vmqnic_dma_read(VmqnicState *s, dma_addr_t addr, void *buf,
                            dma_addr_t len)
{
    VmqnicDmaWindow *w;
    MemTxResult res;

    /* Reset by its own work: no more DMA (see VmqnicState.busy) */
    if (unlikely(s->reset_pending)) {
        return MEMTX_ERROR;
    }
    w = dma_window(s, addr, len);
    if (!w) {
        return pci_dma_read(&s->parent_obj, addr, buf, len);
    }
    res = address_space_read_cached(&w->cache, addr - w->base, buf, len);
    /* What the guest wrote before this is seen, as after a DMA read */
    smp_rmb();
    return res;
}

MemTxResult vmqnic_dma_write(VmqnicState *s, dma_addr_t addr, const void *buf,
                             dma_addr_t len)
{
    VmqnicDmaWindow *w;

    if (unlikely(s->reset_pending)) {
        return MEMTX_ERROR;
    }
    w = dma_window(s, addr, len);
    if (!w) {
        return pci_dma_write(&s->parent_obj, addr, buf, len);
    }
    /* Earlier writes (a buffer's data) land before this one (its status) */
    smp_wmb();
    address_space_write_cached(&w->cache, addr - w->base, buf, len);
    if (w->log_dirty) {
        address_space_cache_invalidate(&w->cache, addr - w->base, len);
    }
    return MEMTX_OK;
}

void vmqnic_dma_init(VmqnicState *s)
{
    s->dma_listener = (MemoryListener) {
        .name = "vmqnic-dma",
        .commit = vmqnic_dma_commit,
    };
}

void vmqnic_dma_exit(VmqnicState *s)
{
    if (s->dma_listening) {
        memory_listener_unregister(&s->dma_listener);
        s->dma_listening = false;
    }
    vmqnic_dma_unmap_all(s);
}

/*
 * QTest testcases for the vmqnic PCIe VMDq network adapter
 *
 * These run on the "vmqnic" qgraph node with the default properties
 * (128 queues, 64 pools, 128 MAC filters, 64 VLAN filters, 10 Gb/s) and
 * a socket netdev "hs0".  Other property sets, resets from outside the
 * device and migration are covered by vmqnic-machine-test.
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/module.h"
#include "hw/pci/pci_ids.h"
#include "hw/pci/pci_regs.h"
#include "hw/net/vmqnic_regs.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "libqos/vmqnic.h"

/* Default properties of the device */
#define NQ          128
#define NPOOLS      64
#define NMACF       128
#define NVLANF      64
#define NVEC        (NQ + 1)
/* Defined words of the vector and queue bitmap registers */
#define NVW         DIV_ROUND_UP(NVEC, 32)
#define NQW         DIV_ROUND_UP(NQ, 32)

#define RXQ(q, r)   VMQNIC_RXQ_REG(q, A_##r)
#define TXQ(q, r)   VMQNIC_TXQ_REG(q, A_##r)
#define POOL(p, r)  VMQNIC_POOL_REG(p, A_##r)
#define MACF(i, r)  VMQNIC_MACF_REG(i, A_##r)
#define VLANF(i, r) VMQNIC_VLANF_REG(i, A_##r)
#define VEC_ITR(v)  (A_VEC_ITR + 4 * (v))
#define VEC_REG(r, v)   (A_##r + 4 * ((v) / 32))
#define VEC_BIT(v)  (1u << ((v) % 32))
#define STAT_LO(s)  (A_STAT_BASE + 8 * (s))
#define STAT_HI(s)  (A_STAT_BASE + 8 * (s) + 4)

/* PERM_MAC_LO/HI of VMQNIC_TEST_MAC */
#define TEST_MAC_LO 0x12005452
#define TEST_MAC_HI 0x5634

#define VMDQ_CTRL_RESET ((1 << R_VMDQ_CTRL_QPP_LOG2_SHIFT) | \
                         R_VMDQ_CTRL_REPL_EN_MASK)

static void check_mac_entry0(QVmqnic *d)
{
    vmqnic_assert_reg(d, MACF(0, MACF_LO), TEST_MAC_LO);
    vmqnic_assert_reg(d, MACF(0, MACF_HI), R_MACF_HI_VALID_MASK | TEST_MAC_HI);
    vmqnic_assert_reg(d, MACF(0, MACF_POOLS_LO), 1);
    vmqnic_assert_reg(d, MACF(0, MACF_POOLS_HI), 0);
    vmqnic_assert_reg(d, MACF(0, MACF_VLAN), 0);
}

static void check_queue_defaults(QVmqnic *d, int q)
{
    vmqnic_assert_reg(d, RXQ(q, Q_BASE_LO), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_BASE_HI), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_LEN), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_HEAD), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_TAIL), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_CTRL), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_ERR), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_BUFSZ), 0);
    vmqnic_assert_reg(d, RXQ(q, Q_VEC), R_Q_VEC_VALID_MASK | (q + 1));
    vmqnic_assert_reg(d, RXQ(q, Q_STATUS), R_Q_STATUS_STOPPED_MASK);
    vmqnic_assert_reg(d, TXQ(q, Q_BASE_LO), 0);
    vmqnic_assert_reg(d, TXQ(q, Q_BASE_HI), 0);
    vmqnic_assert_reg(d, TXQ(q, Q_LEN), 0);
    vmqnic_assert_reg(d, TXQ(q, Q_HEAD), 0);
    vmqnic_assert_reg(d, TXQ(q, Q_TAIL), 0);
    vmqnic_assert_reg(d, TXQ(q, Q_CTRL), 0);
    vmqnic_assert_reg(d, TXQ(q, Q_ERR), 0);
    vmqnic_assert_reg(d, TXQ(q, Q_VEC), R_Q_VEC_VALID_MASK | (q + 1));
    vmqnic_assert_reg(d, TXQ(q, Q_STATUS), R_Q_STATUS_STOPPED_MASK);
}

/* Statistics: all 0 after a reset (GUEST_ERRS and IRQS count later) */
static void check_stats_zero(QVmqnic *d)
{
    static const int queues[] = { 0, 1, NQ - 1 };
    int i, s;

    for (s = 0; s < VMQNIC_NUM_STATS; s++) {
        vmqnic_assert_reg(d, STAT_LO(s), 0);
        vmqnic_assert_reg(d, STAT_HI(s), 0);
    }
    for (i = 0; i < ARRAY_SIZE(queues); i++) {
        for (s = 0; s < VMQNIC_NUM_QSTATS; s++) {
            vmqnic_assert_reg(d, VMQNIC_QSTAT_REG(queues[i], s), 0);
            vmqnic_assert_reg(d, VMQNIC_QSTAT_REG(queues[i], s) + 4, 0);
        }
    }
}

static void check_pool_defaults(QVmqnic *d, int p)
{
    vmqnic_assert_reg(d, POOL(p, POOL_CTRL), p ? 0 : VMQNIC_POOL0_CTRL_RESET);
    vmqnic_assert_reg(d, POOL(p, POOL_MAXFRAME), VMQNIC_DEFAULT_MAX_FRAME);
    vmqnic_assert_reg(d, POOL(p, POOL_DEFVLAN), 0);
    vmqnic_assert_reg(d, POOL(p, POOL_RSS_TYPES), 0);
    vmqnic_assert_reg(d, POOL(p, POOL_SPOOF_DROPS), 0);
    vmqnic_assert_reg(d, POOL(p, POOL_RSS_KEY), 0);
    vmqnic_assert_reg(d, POOL(p, POOL_RSS_KEY) +
                      4 * (VMQNIC_RSS_KEY_WORDS - 1), 0);
    vmqnic_assert_reg(d, POOL(p, POOL_RETA), 0);
    vmqnic_assert_reg(d, POOL(p, POOL_RETA) + 4 * (VMQNIC_RETA_WORDS - 1), 0);
    /* 2 queues per pool by default */
    vmqnic_assert_reg(d, POOL(p, POOL_QUEUES),
                      (2 << R_POOL_QUEUES_COUNT_SHIFT) | (2 * p));
}

/*
 * The documented reset state of the registers the tests touch.  Used
 * right after start-up and after each kind of reset.
 */
static void check_defaults(QVmqnic *d)
{
    static const int queues[] = { 0, 1, 2, 5, NQ - 1 };
    static const int pools[] = { 0, 1, 2, 3, 5, NPOOLS - 1 };
    static const int vectors[] = { 0, 1, 3, 5, 7, NVEC - 1 };
    int i, w;

    vmqnic_assert_reg(d, A_CTRL, 0);
    vmqnic_assert_reg(d, A_SCRATCH, 0);
    vmqnic_assert_reg(d, A_ERR_INFO, 0);
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) &
                    (R_STATUS_LINK_UP_MASK | R_STATUS_FULL_DUPLEX_MASK), ==,
                    R_STATUS_LINK_UP_MASK | R_STATUS_FULL_DUPLEX_MASK);

    vmqnic_assert_reg(d, A_MISC_ICR, 0);
    vmqnic_assert_reg(d, A_MISC_IMS, 0);
    vmqnic_assert_reg(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK);
    vmqnic_assert_reg(d, A_VMDQ_CTRL, VMDQ_CTRL_RESET);
    vmqnic_assert_reg(d, A_SPOOF_POOLS_LO, 0);
    vmqnic_assert_reg(d, A_SPOOF_POOLS_HI, 0);
    for (w = 0; w < VMQNIC_MTA_WORDS; w++) {
        vmqnic_assert_reg(d, A_MTA + 4 * w, 0);
    }
    for (i = 0; i < ARRAY_SIZE(vectors); i++) {
        vmqnic_assert_reg(d, VEC_ITR(vectors[i]), 0);
    }
    for (w = 0; w < NVW; w++) {
        vmqnic_assert_reg(d, A_VEC_IMS + 4 * w, 0);
        vmqnic_assert_reg(d, A_VEC_ICR + 4 * w, 0);
    }
    for (w = 0; w < NQW; w++) {
        vmqnic_assert_reg(d, A_RXQ_ICR + 4 * w, 0);
        vmqnic_assert_reg(d, A_TXQ_ICR + 4 * w, 0);
    }

    for (i = 0; i < ARRAY_SIZE(queues); i++) {
        check_queue_defaults(d, queues[i]);
    }
    for (i = 0; i < ARRAY_SIZE(pools); i++) {
        check_pool_defaults(d, pools[i]);
        for (w = 0; w < VMQNIC_VLAN_WORDS; w += 7) {
            vmqnic_assert_reg(d, VMQNIC_POOL_VLAN_REG(pools[i], w), 0);
        }
        vmqnic_assert_reg(d, VMQNIC_POOL_VLAN_REG(pools[i],
                                                  VMQNIC_VLAN_WORDS - 1), 0);
    }

    check_mac_entry0(d);
    for (i = 1; i < NMACF; i += 21) {
        vmqnic_assert_reg(d, MACF(i, MACF_LO), 0);
        vmqnic_assert_reg(d, MACF(i, MACF_HI), 0);
        vmqnic_assert_reg(d, MACF(i, MACF_POOLS_LO), 0);
        vmqnic_assert_reg(d, MACF(i, MACF_POOLS_HI), 0);
        vmqnic_assert_reg(d, MACF(i, MACF_VLAN), 0);
    }
    vmqnic_assert_reg(d, MACF(NMACF - 1, MACF_HI), 0);
    for (i = 0; i < NVLANF; i += 9) {
        vmqnic_assert_reg(d, VLANF(i, VLANF_CTRL), 0);
        vmqnic_assert_reg(d, VLANF(i, VLANF_POOLS_LO), 0);
        vmqnic_assert_reg(d, VLANF(i, VLANF_POOLS_HI), 0);
    }
    vmqnic_assert_reg(d, VLANF(NVLANF - 1, VLANF_CTRL), 0);
}

/* Size of a memory BAR as seen by probing it with all-ones */
static uint32_t bar_probe(QPCIDevice *dev, int bar, uint32_t *flags)
{
    uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * bar;
    uint16_t cmd = qpci_config_readw(dev, PCI_COMMAND);
    uint32_t orig, val;

    /* As an OS does: no decoding while the BAR holds the size mask */
    qpci_config_writew(dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
    orig = qpci_config_readl(dev, reg);
    qpci_config_writel(dev, reg, 0xffffffff);
    val = qpci_config_readl(dev, reg);
    qpci_config_writel(dev, reg, orig);
    qpci_config_writew(dev, PCI_COMMAND, cmd);
    g_assert_cmphex(qpci_config_readl(dev, reg), ==, orig);

    if (flags) {
        *flags = val & ~PCI_BASE_ADDRESS_MEM_MASK;
    }
    val &= PCI_BASE_ADDRESS_MEM_MASK;
    return val ? -val : 0;
}

/* Walk the capability list; also checks that it is well formed */
static uint8_t find_cap(QPCIDevice *dev, uint8_t id)
{
    uint8_t pos = qpci_config_readb(dev, PCI_CAPABILITY_LIST);
    int n;

    for (n = 0; pos && n < 48; n++) {
        g_assert_cmphex(pos, >=, 0x40);
        g_assert_cmphex(pos & 3, ==, 0);
        if (qpci_config_readb(dev, pos + PCI_CAP_LIST_ID) == id) {
            return pos;
        }
        pos = qpci_config_readb(dev, pos + PCI_CAP_LIST_NEXT);
    }
    g_assert_cmpint(n, <, 48);
    return 0;
}

static void test_pci_config(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    QPCIDevice *dev = &d->pci_dev;
    uint32_t flags, size;
    uint8_t msi, exp;
    uint16_t val;
    int bar;

    g_assert_cmphex(qpci_config_readw(dev, PCI_VENDOR_ID), ==,
                    VMQNIC_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(dev, PCI_DEVICE_ID), ==,
                    VMQNIC_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readb(dev, PCI_REVISION_ID), ==,
                    VMQNIC_PCI_REVISION);
    g_assert_cmphex(qpci_config_readw(dev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    VMQNIC_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(dev, PCI_SUBSYSTEM_ID), ==,
                    VMQNIC_PCI_SUBSYS_ID);
    g_assert_cmphex(qpci_config_readw(dev, PCI_CLASS_DEVICE), ==,
                    PCI_CLASS_NETWORK_ETHERNET);
    g_assert_cmphex(qpci_config_readb(dev, PCI_CLASS_PROG), ==, 0);
    g_assert_cmphex(qpci_config_readb(dev, PCI_HEADER_TYPE) & 0x7f, ==,
                    PCI_HEADER_TYPE_NORMAL);
    g_assert_cmphex(qpci_config_readb(dev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(qpci_config_readw(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST,
                    ==, PCI_STATUS_CAP_LIST);

    /* BAR0: 32-bit non-prefetchable memory, 256 KiB */
    size = bar_probe(dev, 0, &flags);
    g_assert_cmphex(flags & PCI_BASE_ADDRESS_SPACE, ==,
                    PCI_BASE_ADDRESS_SPACE_MEMORY);
    g_assert_cmphex(flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_32);
    g_assert_cmphex(flags & PCI_BASE_ADDRESS_MEM_PREFETCH, ==, 0);
    g_assert_cmphex(size, ==, VMQNIC_MMIO_SIZE);

    /* BAR1: 32-bit memory for MSI-X: table + PBA of NVEC vectors */
    size = bar_probe(dev, 1, &flags);
    g_assert_cmphex(flags & PCI_BASE_ADDRESS_SPACE, ==,
                    PCI_BASE_ADDRESS_SPACE_MEMORY);
    g_assert_cmphex(flags & PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_32);
    g_assert_cmphex(size, >=, NVEC * PCI_MSIX_ENTRY_SIZE + NVEC / 8);

    /* No other BARs, no expansion ROM */
    for (bar = 2; bar < 6; bar++) {
        g_assert_cmphex(bar_probe(dev, bar, NULL), ==, 0);
    }
    qpci_config_writel(dev, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS_MASK);
    g_assert_cmphex(qpci_config_readl(dev, PCI_ROM_ADDRESS), ==, 0);

    g_assert_cmphex(find_cap(dev, PCI_CAP_ID_PM), !=, 0);
    g_assert_cmphex(find_cap(dev, PCI_CAP_ID_MSIX), !=, 0);

    /* MSI: one vector, 64-bit addresses */
    msi = find_cap(dev, PCI_CAP_ID_MSI);
    g_assert_cmphex(msi, !=, 0);
    val = qpci_config_readw(dev, msi + PCI_MSI_FLAGS);
    g_assert_cmphex(val & PCI_MSI_FLAGS_64BIT, ==, PCI_MSI_FLAGS_64BIT);
    g_assert_cmphex(val & PCI_MSI_FLAGS_QMASK, ==, 0);
    g_assert_cmphex(val & PCI_MSI_FLAGS_MASKBIT, ==, 0);
    g_assert_cmphex(val & PCI_MSI_FLAGS_ENABLE, ==, 0);

    /* PCIe v2 endpoint (integrated when on a root complex) with FLR */
    exp = find_cap(dev, PCI_CAP_ID_EXP);
    g_assert_cmphex(exp, !=, 0);
    val = qpci_config_readw(dev, exp + PCI_EXP_FLAGS);
    g_assert_cmphex(val & PCI_EXP_FLAGS_VERS, ==, 2);
    g_assert_true((val & PCI_EXP_FLAGS_TYPE) >> 4 == PCI_EXP_TYPE_ENDPOINT ||
                  (val & PCI_EXP_FLAGS_TYPE) >> 4 == PCI_EXP_TYPE_RC_END);
    g_assert_cmphex(qpci_config_readl(dev, exp + PCI_EXP_DEVCAP) &
                    PCI_EXP_DEVCAP_FLR, ==, PCI_EXP_DEVCAP_FLR);
}

static void test_msix_cap(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    QPCIDevice *dev = &d->pci_dev;
    uint8_t cap = qpci_find_capability(dev, PCI_CAP_ID_MSIX, 0);
    uint32_t table, pba, table_end, pba_end, size;

    g_assert_cmphex(cap, !=, 0);
    g_assert_cmpuint(qpci_msix_table_size(dev), ==, NVEC);

    table = qpci_config_readl(dev, cap + PCI_MSIX_TABLE);
    pba = qpci_config_readl(dev, cap + PCI_MSIX_PBA);
    g_assert_cmphex(table & PCI_MSIX_TABLE_BIR, ==, VMQNIC_MSIX_BAR);
    g_assert_cmphex(pba & PCI_MSIX_PBA_BIR, ==, VMQNIC_MSIX_BAR);

    /* Table and PBA fit in BAR1 and do not overlap */
    size = bar_probe(dev, VMQNIC_MSIX_BAR, NULL);
    table &= PCI_MSIX_TABLE_OFFSET;
    pba &= PCI_MSIX_PBA_OFFSET;
    table_end = table + NVEC * PCI_MSIX_ENTRY_SIZE;
    pba_end = pba + DIV_ROUND_UP(NVEC, 64) * 8;
    g_assert_cmphex(table_end, <=, size);
    g_assert_cmphex(pba_end, <=, size);
    g_assert_true(pba >= table_end || pba_end <= table);
    /* As documented for the default 129 vectors */
    g_assert_cmphex(size, ==, 0x1000);
    g_assert_cmphex(table, ==, 0);
    g_assert_cmphex(pba, ==, 0x810);

    /* start_hw enabled MSI-X; the device reports it */
    g_assert_true(dev->msix_enabled);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_MSIX);
}

static void check_capabilities(QVmqnic *d)
{
    uint32_t v;

    vmqnic_assert_reg(d, A_ID, VMQNIC_ID_MAGIC);
    v = vmqnic_reg_read(d, A_VERSION);
    g_assert_cmpuint(FIELD_EX32(v, VERSION, MAJOR), ==, VMQNIC_VERSION_MAJOR);
    g_assert_cmpuint(FIELD_EX32(v, VERSION, MINOR), ==, VMQNIC_VERSION_MINOR);
    vmqnic_assert_reg(d, A_NUM_QUEUES, NQ);
    vmqnic_assert_reg(d, A_NUM_POOLS, NPOOLS);
    vmqnic_assert_reg(d, A_NUM_MAC_FILTERS, NMACF);
    vmqnic_assert_reg(d, A_NUM_VLAN_FILTERS, NVLANF);
    vmqnic_assert_reg(d, A_NUM_VECTORS, NVEC);

    /* Every function of the specification, as documented: 0x1fff */
    vmqnic_assert_reg(d, A_FEATURES, 0x1fff);
    g_assert_cmphex(VMQNIC_FEATURES, ==, (R_FEATURES_ANTISPOOF_MASK << 1) - 1);

    vmqnic_assert_reg(d, A_LINK_SPEED, 10000);
    vmqnic_assert_reg(d, A_MAX_FRAME, VMQNIC_MAX_FRAME);
    vmqnic_assert_reg(d, A_RING_LIMITS,
                      (VMQNIC_RING_MAX_LOG2 << R_RING_LIMITS_MAX_LOG2_SHIFT) |
                      VMQNIC_RING_MIN_LOG2);
    vmqnic_assert_reg(d, A_PERM_MAC_LO, TEST_MAC_LO);
    vmqnic_assert_reg(d, A_PERM_MAC_HI, TEST_MAC_HI);

    /* link up (socket netdev), MSI-X enabled by start_hw */
    v = vmqnic_reg_read(d, A_STATUS);
    g_assert_cmphex(v, ==, R_STATUS_LINK_UP_MASK | R_STATUS_FULL_DUPLEX_MASK |
                    (VMQNIC_INT_MODE_MSIX << R_STATUS_INT_MODE_SHIFT));
}

static void test_capabilities(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;

    check_capabilities(d);
    check_stats_zero(d);
    check_defaults(d);
}

/* RW registers with the documented reset value, written and reset */
typedef struct RegVal {
    uint32_t reg;
    uint32_t val;
    uint32_t reset;
} RegVal;

static const RegVal reset_regs[] = {
    { A_SCRATCH, 0xa5a5f00d, 0 },
    { A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK, 0 },
    { A_MISC_VEC, R_MISC_VEC_VALID_MASK | 128, R_MISC_VEC_VALID_MASK },
    { VEC_ITR(0), R_VEC_ITR_AUTOMASK_MASK | 100, 0 },
    { VEC_ITR(NVEC - 1), 0xffff, 0 },
    { A_VMDQ_CTRL, 3 | (5 << R_VMDQ_CTRL_DEF_POOL_SHIFT) |
      R_VMDQ_CTRL_DROP_UNMATCHED_MASK | R_VMDQ_CTRL_LOOPBACK_EN_MASK |
      R_VMDQ_CTRL_VLAN_FILTER_EN_MASK, VMDQ_CTRL_RESET },
    { A_MTA, 0x80000001, 0 },
    { A_MTA + 4 * (VMQNIC_MTA_WORDS - 1), 0xffffffff, 0 },
    /* queue 0: configured, not enabled */
    { RXQ(0, Q_BASE_LO), 0xabcd0, 0 },
    { RXQ(0, Q_BASE_HI), 0x1, 0 },
    { RXQ(0, Q_LEN), 512, 0 },
    { RXQ(0, Q_TAIL), 5, 0 },
    { RXQ(0, Q_CTRL), R_Q_CTRL_DROP_EN_MASK, 0 },
    { RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 7, R_Q_VEC_VALID_MASK | 1 },
    { TXQ(0, Q_BASE_LO), 0x5670, 0 },
    { TXQ(0, Q_BASE_HI), 0x2, 0 },
    { TXQ(0, Q_LEN), 1024, 0 },
    { TXQ(0, Q_TAIL), 9, 0 },
    { TXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 9, R_Q_VEC_VALID_MASK | 1 },
    { RXQ(NQ - 1, Q_VEC), 3, R_Q_VEC_VALID_MASK | NQ },
    { TXQ(NQ - 1, Q_LEN), 8, 0 },
    { TXQ(NQ - 1, Q_VEC), 0, R_Q_VEC_VALID_MASK | NQ },
    /* pools */
    { POOL(0, POOL_CTRL), 0, VMQNIC_POOL0_CTRL_RESET },
    { POOL(5, POOL_CTRL), VMQNIC_POOL_CTRL_MASK, 0 },
    { POOL(0, POOL_MAXFRAME), 9000, VMQNIC_DEFAULT_MAX_FRAME },
    { POOL(NPOOLS - 1, POOL_MAXFRAME), VMQNIC_MIN_FRAME,
      VMQNIC_DEFAULT_MAX_FRAME },
    { POOL(2, POOL_DEFVLAN), R_POOL_DEFVLAN_INSERT_MASK | 100, 0 },
    { POOL(2, POOL_RSS_TYPES), VMQNIC_POOL_RSS_TYPES_MASK, 0 },
    { VMQNIC_POOL_VLAN_REG(2, 3), 0x80000001, 0 },
    { VMQNIC_POOL_VLAN_REG(NPOOLS - 1, VMQNIC_VLAN_WORDS - 1), 0xffffffff,
      0 },
    /* MAC filters: entry 0 returns to the permanent address */
    { MACF(0, MACF_LO), 0x44332211, TEST_MAC_LO },
    { MACF(0, MACF_HI), R_MACF_HI_VALID_MASK | 0x6655,
      R_MACF_HI_VALID_MASK | TEST_MAC_HI },
    { MACF(0, MACF_POOLS_LO), 0x6, 1 },
    { MACF(0, MACF_POOLS_HI), 0x80000000, 0 },
    { MACF(0, MACF_VLAN), (VMQNIC_MACF_VLAN_EXACT << R_MACF_VLAN_MODE_SHIFT) |
      100, 0 },
    { MACF(NMACF - 1, MACF_LO), 0x1, 0 },
    { MACF(NMACF - 1, MACF_HI), R_MACF_HI_VALID_MASK | 0x2, 0 },
    { MACF(NMACF - 1, MACF_POOLS_LO), 0x1, 0 },
    { MACF(NMACF - 1, MACF_VLAN),
      VMQNIC_MACF_VLAN_UNTAGGED << R_MACF_VLAN_MODE_SHIFT, 0 },
    /* VLAN filters */
    { VLANF(0, VLANF_CTRL), R_VLANF_CTRL_VALID_MASK | 100, 0 },
    { VLANF(0, VLANF_POOLS_LO), 0x5, 0 },
    { VLANF(0, VLANF_POOLS_HI), 0x1, 0 },
    { VLANF(NVLANF - 1, VLANF_CTRL), R_VLANF_CTRL_VALID_MASK | 4095, 0 },
    { VLANF(NVLANF - 1, VLANF_POOLS_HI), 0x80000000, 0 },
};

#define RSS_POOL 3

static void test_soft_reset(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    int i;

    check_defaults(d);

    /* Q_BUFSZ, the RSS key and the RETA reset to 0 like the rest */
    vmqnic_assert_reg(d, RXQ(0, Q_BUFSZ), 0);
    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        vmqnic_assert_reg(d, POOL(RSS_POOL, POOL_RSS_KEY) + 4 * i, 0);
    }
    for (i = 0; i < VMQNIC_RETA_WORDS; i++) {
        vmqnic_assert_reg(d, POOL(RSS_POOL, POOL_RETA) + 4 * i, 0);
    }

    for (i = 0; i < ARRAY_SIZE(reset_regs); i++) {
        g_assert_cmphex(reset_regs[i].val, !=, reset_regs[i].reset);
        vmqnic_wr_check(d, reset_regs[i].reg, reset_regs[i].val);
    }
    vmqnic_wr_check(d, RXQ(0, Q_BUFSZ), 3072);
    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        vmqnic_wr_check(d, POOL(RSS_POOL, POOL_RSS_KEY) + 4 * i,
                        0xa5a5a5a5 + i);
    }
    for (i = 0; i < VMQNIC_RETA_WORDS; i++) {
        vmqnic_wr_check(d, POOL(RSS_POOL, POOL_RETA) + 4 * i,
                        0x01010101 * (i + 1));
    }

    /* Write-1-to-set/clear registers */
    vmqnic_reg_write(d, A_VEC_IMS, 0xffffffff);
    vmqnic_assert_reg(d, A_VEC_IMS, 0xffffffff);
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, NVEC - 1), VEC_BIT(NVEC - 1));
    vmqnic_assert_reg(d, VEC_REG(VEC_IMS, NVEC - 1), VEC_BIT(NVEC - 1));
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_LINK_MASK | R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(d, A_MISC_IMS, R_MISC_ICR_LINK_MASK | R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK | R_MISC_ICR_QERR_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_SW_MASK | R_MISC_ICR_QERR_MASK);

    /* An enabled queue with a valid configuration */
    vmqnic_wr_check(d, RXQ(1, Q_BASE_LO), 0x100000);
    vmqnic_wr_check(d, RXQ(1, Q_LEN), 8);
    vmqnic_wr_check(d, RXQ(1, Q_BUFSZ), 2048);
    vmqnic_wr_check(d, RXQ(1, Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    g_assert_cmphex(vmqnic_reg_read(d, RXQ(1, Q_STATUS)) &
                    (R_Q_STATUS_ENABLED_MASK | R_Q_STATUS_ERROR_MASK), ==,
                    R_Q_STATUS_ENABLED_MASK);
    vmqnic_wr_check(d, TXQ(1, Q_BASE_LO), 0x200000);
    vmqnic_wr_check(d, TXQ(1, Q_LEN), 32768);
    vmqnic_wr_check(d, TXQ(1, Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    g_assert_cmphex(vmqnic_reg_read(d, TXQ(1, Q_STATUS)) &
                    (R_Q_STATUS_ENABLED_MASK | R_Q_STATUS_ERROR_MASK), ==,
                    R_Q_STATUS_ENABLED_MASK);
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);

    /* The SW cause fired vector 128 into its masked MSI-X entry */
    g_assert_true(vmqnic_msix_pending(d, NVEC - 1));

    /* A programming error: counted, reported */
    vmqnic_reg_write(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 0x7ff);
    vmqnic_assert_reg(d, A_ERR_COUNT, 1);

    /* CTRL.RST: self-clearing, everything back to reset values */
    vmqnic_reg_write(d, A_CTRL, R_CTRL_RST_MASK);
    vmqnic_assert_reg(d, A_CTRL, 0);

    for (i = 0; i < ARRAY_SIZE(reset_regs); i++) {
        vmqnic_assert_reg(d, reset_regs[i].reg, reset_regs[i].reset);
    }
    vmqnic_assert_reg(d, RXQ(0, Q_BUFSZ), 0);
    vmqnic_assert_reg(d, RXQ(1, Q_BUFSZ), 0);
    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        vmqnic_assert_reg(d, POOL(RSS_POOL, POOL_RSS_KEY) + 4 * i, 0);
    }
    for (i = 0; i < VMQNIC_RETA_WORDS; i++) {
        vmqnic_assert_reg(d, POOL(RSS_POOL, POOL_RETA) + 4 * i, 0);
    }
    check_stats_zero(d);
    check_defaults(d);

    /*
     * PCI config space and BAR 1 are untouched: MSI-X still enabled,
     * BAR0 mapped, the PBA bit still set; the message is delivered when
     * the entry is unmasked (vmqnic_msix_test_clear does that)
     */
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_MSIX);
    g_assert_true(vmqnic_msix_pending(d, NVEC - 1));
    g_assert_true(vmqnic_msix_test_clear(d, NVEC - 1));
    g_assert_false(vmqnic_msix_pending(d, NVEC - 1));

    /*
     * A vector pending while disabled is forgotten by the reset: it must
     * not fire when enabled afterwards.
     */
    vmqnic_reg_write(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 3);
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_false(vmqnic_msix_test_clear(d, 3));
    vmqnic_reg_write(d, A_CTRL, R_CTRL_RST_MASK);
    check_defaults(d);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3) | VEC_BIT(0));
    g_assert_false(vmqnic_msix_test_clear(d, 3));
    g_assert_false(vmqnic_msix_test_clear(d, 0));
}

static void test_read_only(void *obj, void *data, QGuestAllocator *alloc)
{
    static const uint32_t ro_regs[] = {
        A_ID, A_VERSION, A_NUM_QUEUES, A_NUM_POOLS, A_NUM_MAC_FILTERS,
        A_NUM_VLAN_FILTERS, A_NUM_VECTORS, A_FEATURES, A_LINK_SPEED,
        A_MAX_FRAME, A_RING_LIMITS, A_PERM_MAC_LO, A_PERM_MAC_HI, A_STATUS,
        A_ERR_INFO, A_ERR_COUNT,
        RXQ(0, Q_HEAD), RXQ(0, Q_STATUS), RXQ(0, Q_ERR),
        TXQ(0, Q_HEAD), TXQ(0, Q_STATUS), TXQ(0, Q_ERR),
        RXQ(NQ - 1, Q_HEAD), TXQ(NQ - 1, Q_STATUS),
        POOL(0, POOL_QUEUES), POOL(NPOOLS - 1, POOL_QUEUES),
        POOL(0, POOL_SPOOF_DROPS),
        STAT_LO(VMQNIC_STAT_RX_PKTS), STAT_HI(VMQNIC_STAT_RX_PKTS),
        STAT_LO(VMQNIC_STAT_IRQS),
        VMQNIC_QSTAT_REG(0, VMQNIC_QSTAT_RX_PKTS),
        VMQNIC_QSTAT_REG(NQ - 1, VMQNIC_QSTAT_TX_ERRS) + 4,
    };
    static const uint32_t wo_regs[] = {
        A_MISC_ICS, A_MISC_IMC, A_VEC_IMC, A_VEC_IMC + 4 * (NVW - 1),
        A_VEC_ICS, A_VEC_ICS + 4 * (NVW - 1),
    };
    QVmqnic *d = obj;
    uint32_t before[ARRAY_SIZE(ro_regs)], errs;
    int i;

    for (i = 0; i < ARRAY_SIZE(ro_regs); i++) {
        before[i] = vmqnic_reg_read(d, ro_regs[i]);
    }
    errs = vmqnic_guest_errs(d);
    for (i = 0; i < ARRAY_SIZE(ro_regs); i++) {
        vmqnic_reg_write(d, ro_regs[i], ~before[i]);
        vmqnic_assert_reg(d, ro_regs[i], before[i]);
        vmqnic_reg_write(d, ro_regs[i], 0xffffffff);
        vmqnic_assert_reg(d, ro_regs[i], before[i]);
    }
    /* Each write to a read-only register is a guest error */
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs + 2 * ARRAY_SIZE(ro_regs));

    /* Write-only registers read 0, which is not an error */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0) | VEC_BIT(2));
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    errs = vmqnic_guest_errs(d);
    for (i = 0; i < ARRAY_SIZE(wo_regs); i++) {
        vmqnic_assert_reg(d, wo_regs[i], 0);
    }
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs);
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);
    vmqnic_reg_write(d, A_MISC_IMC, 0xffffffff);

    /* Writing PERM_MAC does not touch MAC filter 0 either */
    check_capabilities(d);
    check_defaults(d);
}

static void test_undefined(void *obj, void *data, QGuestAllocator *alloc)
{
    static const uint32_t undef[] = {
        0x0054, 0x007c, 0x0094, 0x0104, 0x0f00, 0x0ffc,
        0x1980, 0x2000, 0x8000, 0xfffc,
        /* vectors >= NUM_VECTORS */
        VEC_ITR(NVEC), VEC_ITR(VMQNIC_MAX_VECTORS - 1), VEC_ITR(511),
        /* queues >= NUM_QUEUES */
        RXQ(NQ, Q_BASE_LO), RXQ(NQ, Q_LEN), RXQ(NQ, Q_VEC),
        TXQ(NQ, Q_VEC), TXQ(VMQNIC_MAX_QUEUES - 1, Q_LEN),
        VMQNIC_QSTAT_REG(NQ, VMQNIC_QSTAT_RX_PKTS),
        /* holes inside a queue, TX has no Q_BUFSZ */
        RXQ(0, Q_ERR) + 4, TXQ(0, Q_ERR) + 4, TXQ(0, Q_BUFSZ),
        /* holes inside a pool */
        POOL(0, POOL_SPOOF_DROPS) + 4, POOL(0, POOL_RSS_KEY) + 40,
        /* MAC filter entries >= NUM_MAC_FILTERS, hole in an entry */
        MACF(NMACF, MACF_LO), MACF(NMACF, MACF_HI),
        MACF(VMQNIC_MAX_MAC_FILTERS - 1, MACF_VLAN), MACF(0, MACF_VLAN) + 4,
        /* VLAN filter entries >= NUM_VLAN_FILTERS, hole in an entry */
        VLANF(NVLANF, VLANF_CTRL), VLANF(NVLANF, VLANF_POOLS_LO),
        VLANF(VMQNIC_MAX_VLAN_FILTERS - 1, VLANF_CTRL),
        VLANF(0, VLANF_POOLS_HI) + 4,
        /* VLAN membership of pools >= 64 */
        VMQNIC_POOL_VLAN_REG(VMQNIC_MAX_POOLS, 0), 0x2fffc,
        /* past the VLAN filters */
        0x3c000, 0x3fffc,
    };
    /* Bitmap registers: only the words of existing vectors and queues */
    static const uint32_t bitmaps[] = {
        A_VEC_IMS, A_VEC_IMC, A_VEC_ICR, A_VEC_ICS,
    };
    QVmqnic *d = obj;
    uint32_t errs = vmqnic_guest_errs(d);
    int i, w;

    for (i = 0; i < ARRAY_SIZE(undef); i++) {
        vmqnic_assert_reg(d, undef[i], 0);
        vmqnic_reg_write(d, undef[i], 0xffffffff);
        vmqnic_assert_reg(d, undef[i], 0);
    }
    /* Reads and writes of undefined offsets are guest errors */
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs + 3 * ARRAY_SIZE(undef));

    /*
     * Words NVW..15 of the vector bitmaps and NQW..7 of the queue
     * bitmaps hold no vector or queue: undefined, like any hole
     */
    errs = vmqnic_guest_errs(d);
    for (i = 0; i < ARRAY_SIZE(bitmaps); i++) {
        for (w = NVW; w < VMQNIC_VEC_WORDS; w++) {
            vmqnic_assert_reg(d, bitmaps[i] + 4 * w, 0);
            vmqnic_reg_write(d, bitmaps[i] + 4 * w, 0xffffffff);
            vmqnic_assert_reg(d, bitmaps[i] + 4 * w, 0);
        }
    }
    for (w = NQW; w < VMQNIC_QUEUE_WORDS; w++) {
        vmqnic_assert_reg(d, A_RXQ_ICR + 4 * w, 0);
        vmqnic_reg_write(d, A_RXQ_ICR + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_TXQ_ICR + 4 * w, 0);
        vmqnic_reg_write(d, A_TXQ_ICR + 4 * w, 0xffffffff);
    }
    g_assert_cmpuint(vmqnic_guest_errs(d), ==,
                     errs + 3 * ARRAY_SIZE(bitmaps) * (VMQNIC_VEC_WORDS - NVW) +
                     4 * (VMQNIC_QUEUE_WORDS - NQW));
    /* ... and writing them signalled or enabled nothing */
    for (w = 0; w < NVW; w++) {
        vmqnic_assert_reg(d, A_VEC_IMS + 4 * w, 0);
    }
    g_assert_false(vmqnic_msix_pending(d, 0));
    g_assert_false(vmqnic_msix_pending(d, NVEC - 1));

    /*
     * In the defined words, bits of vectors >= NUM_VECTORS are reserved:
     * ignored, no error
     */
    errs = vmqnic_guest_errs(d);
    for (w = 0; w < NVW; w++) {
        uint32_t expect = w < NVEC / 32 ? 0xffffffff : VEC_BIT(NVEC) - 1;

        vmqnic_reg_write(d, A_VEC_IMS + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_VEC_IMS + 4 * w, expect);
        vmqnic_reg_write(d, A_VEC_IMC + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_VEC_IMS + 4 * w, 0);
        vmqnic_reg_write(d, A_VEC_ICR + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_VEC_ICR + 4 * w, 0);
        vmqnic_assert_reg(d, A_VEC_IMC + 4 * w, 0);
        vmqnic_assert_reg(d, A_VEC_ICS + 4 * w, 0);
    }
    for (w = 0; w < NQW; w++) {
        vmqnic_reg_write(d, A_RXQ_ICR + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_RXQ_ICR + 4 * w, 0);
        vmqnic_reg_write(d, A_TXQ_ICR + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_TXQ_ICR + 4 * w, 0);
    }
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs);

    /* No aliasing onto defined registers, no error codes recorded */
    check_defaults(d);
}

static void test_rw_masks(void *obj, void *data, QGuestAllocator *alloc)
{
    uint32_t count = 0;
    static const RegVal masks[] = {
        { A_SCRATCH, 0xffffffff, 0xffffffff },
        { A_CTRL, ~R_CTRL_RST_MASK, VMQNIC_CTRL_RW_MASK },
        { A_MISC_VEC, 0xfffff801, R_MISC_VEC_VALID_MASK | 1 },
        { VEC_ITR(1), 0xffffffff, VMQNIC_VEC_ITR_MASK },
        { A_VMDQ_CTRL, 0xfffffff1, VMQNIC_VMDQ_CTRL_MASK & 0xfffffff1 },
        { RXQ(2, Q_CTRL), ~R_Q_CTRL_ENABLE_MASK, R_Q_CTRL_DROP_EN_MASK },
        { RXQ(2, Q_VEC), 0xfffff802, R_Q_VEC_VALID_MASK | 2 },
        { POOL(1, POOL_CTRL), 0xffffffff, VMQNIC_POOL_CTRL_MASK },
        { POOL(1, POOL_DEFVLAN), 0xffffffff, VMQNIC_POOL_DEFVLAN_MASK },
        { POOL(1, POOL_RSS_TYPES), 0xffffffff, VMQNIC_POOL_RSS_TYPES_MASK },
        { MACF(1, MACF_HI), 0xffffffff, VMQNIC_MACF_HI_MASK },
        { MACF(1, MACF_VLAN), 0xfffeffff, VMQNIC_MACF_VLAN_MASK & 0xfffeffff },
        { VLANF(1, VLANF_CTRL), 0xffffffff, VMQNIC_VLANF_CTRL_MASK },
    };
    QVmqnic *d = obj;
    int i;

    for (i = 0; i < ARRAY_SIZE(masks); i++) {
        vmqnic_reg_write(d, masks[i].reg, masks[i].val);
        vmqnic_assert_reg(d, masks[i].reg, masks[i].reset);
    }
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
    /* MISC_IMS/IMC: only the four causes */
    vmqnic_reg_write(d, A_MISC_IMS, 0xffffffff);
    vmqnic_assert_reg(d, A_MISC_IMS, VMQNIC_MISC_CAUSES);
    vmqnic_reg_write(d, A_MISC_IMC, R_MISC_ICR_SW_MASK | 0xfff0);
    vmqnic_assert_reg(d, A_MISC_IMS, VMQNIC_MISC_CAUSES & ~R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_IMC, 0xffffffff);
    vmqnic_assert_reg(d, A_MISC_IMS, 0);

    /* POOL_MAXFRAME: 60..16128, others refused */
    vmqnic_wr_check(d, POOL(1, POOL_MAXFRAME), VMQNIC_MAX_FRAME);
    vmqnic_check_value_refused(d, POOL(1, POOL_MAXFRAME), VMQNIC_MAX_FRAME + 1,
                               &count);
    vmqnic_wr_check(d, POOL(1, POOL_MAXFRAME), VMQNIC_MIN_FRAME);
    vmqnic_check_value_refused(d, POOL(1, POOL_MAXFRAME), VMQNIC_MIN_FRAME - 1,
                               &count);
    vmqnic_check_value_refused(d, POOL(1, POOL_MAXFRAME), 0, &count);

    /* MACF_VLAN.MODE 3 is refused */
    vmqnic_wr_check(d, MACF(1, MACF_VLAN), 5);
    vmqnic_check_value_refused(d, MACF(1, MACF_VLAN),
                               (3 << R_MACF_VLAN_MODE_SHIFT) | 6, &count);

    /* QPP_LOG2 with more queues per pool than queues is refused */
    vmqnic_wr_check(d, A_VMDQ_CTRL, 7);
    vmqnic_check_value_refused(d, A_VMDQ_CTRL, 8 | R_VMDQ_CTRL_REPL_EN_MASK,
                               &count);
    /* 128 queues per pool: one pool owns them all, the others read 0 */
    vmqnic_assert_reg(d, POOL(0, POOL_QUEUES), NQ << R_POOL_QUEUES_COUNT_SHIFT);
    vmqnic_assert_reg(d, POOL(1, POOL_QUEUES), 0);
    vmqnic_assert_reg(d, POOL(NPOOLS - 1, POOL_QUEUES), 0);
    /* 4 queues per pool: 32 active pools */
    vmqnic_wr_check(d, A_VMDQ_CTRL, 2);
    vmqnic_assert_reg(d, POOL(31, POOL_QUEUES),
                      (4 << R_POOL_QUEUES_COUNT_SHIFT) | 124);
    vmqnic_assert_reg(d, POOL(32, POOL_QUEUES), 0);
    vmqnic_assert_reg(d, POOL(NPOOLS - 1, POOL_QUEUES), 0);
    /* One queue per pool: 64 active pools, queues 64-127 in none */
    vmqnic_wr_check(d, A_VMDQ_CTRL, (NPOOLS - 1) << R_VMDQ_CTRL_DEF_POOL_SHIFT);
    vmqnic_assert_reg(d, POOL(1, POOL_QUEUES),
                      1 << R_POOL_QUEUES_COUNT_SHIFT | 1);
    vmqnic_assert_reg(d, POOL(NPOOLS - 1, POOL_QUEUES),
                      1 << R_POOL_QUEUES_COUNT_SHIFT | (NPOOLS - 1));

    /* Reserved bits are no error */
    vmqnic_assert_reg(d, A_ERR_COUNT, count);
}

static void test_bad_vector(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    uint32_t info, errs;

    /* The last vector is accepted */
    vmqnic_wr_check(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | (NVEC - 1));
    vmqnic_wr_check(d, TXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | (NVEC - 1));
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
    vmqnic_assert_reg(d, A_ERR_INFO, 0);

    /* NUM_VECTORS is not */
    vmqnic_reg_write(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | NVEC);
    vmqnic_assert_reg(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | (NVEC - 1));
    vmqnic_assert_reg(d, A_ERR_COUNT, 1);
    /* No queue: ERR_INFO.QUEUE = 0x1ff */
    info = R_ERR_INFO_VALID_MASK | R_ERR_INFO_QUEUE_MASK |
           VMQNIC_ERR_BAD_VECTOR;
    vmqnic_assert_reg(d, A_ERR_INFO, info);
    /* Reading ERR_INFO cleared VALID only */
    vmqnic_assert_reg(d, A_ERR_INFO, info & ~R_ERR_INFO_VALID_MASK);

    vmqnic_reg_write(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 0x7ff);
    vmqnic_assert_reg(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | (NVEC - 1));
    vmqnic_assert_reg(d, A_ERR_COUNT, 2);
    /* whatever VALID */
    vmqnic_reg_write(d, A_MISC_VEC, NVEC);
    vmqnic_assert_reg(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | (NVEC - 1));
    vmqnic_assert_reg(d, A_ERR_COUNT, 3);
    vmqnic_assert_reg(d, A_ERR_INFO, info);
    vmqnic_wr_check(d, A_MISC_VEC, NVEC - 1);
    vmqnic_wr_check(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | (NVEC - 1));

    /* Queue vectors: the error names the queue and direction */
    vmqnic_reg_write(d, RXQ(5, Q_VEC), R_Q_VEC_VALID_MASK | NVEC);
    vmqnic_assert_reg(d, RXQ(5, Q_VEC), R_Q_VEC_VALID_MASK | 6);
    vmqnic_assert_reg(d, A_ERR_COUNT, 4);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK |
                      (5 << R_ERR_INFO_QUEUE_SHIFT) | VMQNIC_ERR_BAD_VECTOR);
    vmqnic_assert_reg(d, RXQ(5, Q_ERR), VMQNIC_ERR_BAD_VECTOR);
    vmqnic_assert_reg(d, TXQ(5, Q_ERR), 0);

    vmqnic_reg_write(d, TXQ(NQ - 1, Q_VEC), R_Q_VEC_VALID_MASK | 200);
    vmqnic_assert_reg(d, TXQ(NQ - 1, Q_VEC), R_Q_VEC_VALID_MASK | NQ);
    vmqnic_assert_reg(d, A_ERR_COUNT, 5);
    vmqnic_assert_reg(d, TXQ(NQ - 1, Q_ERR), VMQNIC_ERR_BAD_VECTOR);
    vmqnic_assert_reg(d, RXQ(NQ - 1, Q_ERR), 0);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK |
                      R_ERR_INFO_TX_MASK |
                      ((NQ - 1) << R_ERR_INFO_QUEUE_SHIFT) |
                      VMQNIC_ERR_BAD_VECTOR);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_TX_MASK |
                      ((NQ - 1) << R_ERR_INFO_QUEUE_SHIFT) |
                      VMQNIC_ERR_BAD_VECTOR);

    /* A good write afterwards works and records nothing */
    vmqnic_wr_check(d, RXQ(5, Q_VEC), R_Q_VEC_VALID_MASK | 0);
    vmqnic_assert_reg(d, A_ERR_COUNT, 5);
    vmqnic_assert_reg(d, RXQ(5, Q_ERR), VMQNIC_ERR_BAD_VECTOR);

    /* The refused misc vector did not change the routing: still fires */
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, NVEC - 1), VEC_BIT(NVEC - 1));
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, NVEC - 1));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);

    /* A refused Q_VEC write does not stop a running ring */
    vmqnic_wr_check(d, TXQ(2, Q_BASE_LO), 0x3000);
    vmqnic_wr_check(d, TXQ(2, Q_LEN), 8);
    vmqnic_wr_check(d, TXQ(2, Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    vmqnic_reg_write(d, TXQ(2, Q_VEC), NVEC);
    vmqnic_assert_reg(d, TXQ(2, Q_VEC), R_Q_VEC_VALID_MASK | 3);
    vmqnic_assert_reg(d, TXQ(2, Q_ERR), VMQNIC_ERR_BAD_VECTOR);
    vmqnic_assert_reg(d, TXQ(2, Q_STATUS), R_Q_STATUS_ENABLED_MASK);
    vmqnic_assert_reg(d, TXQ(2, Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, 0);
    vmqnic_assert_reg(d, A_ERR_COUNT, 6);

    /*
     * ERR_INFO is read-only: a write is a guest error and changes
     * nothing, not even VALID; the next read returns VALID and clears it
     */
    info = R_ERR_INFO_TX_MASK | (2 << R_ERR_INFO_QUEUE_SHIFT) |
           VMQNIC_ERR_BAD_VECTOR;
    errs = vmqnic_guest_errs(d);
    vmqnic_reg_write(d, A_ERR_INFO, 0);
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs + 1);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK | info);
    vmqnic_assert_reg(d, A_ERR_INFO, info);
    vmqnic_assert_reg(d, A_ERR_COUNT, 6);
}

static void wait_stopped(QVmqnic *d, uint32_t status_reg)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (!(vmqnic_reg_read(d, status_reg) & R_Q_STATUS_STOPPED_MASK)) {
        if (g_get_monotonic_time() > end) {
            g_error("queue status 0x%05x: not stopped after 5 s", status_reg);
        }
        g_usleep(1000);
    }
}

/*
 * Enabling ring @ring (the address of its Q_BASE_LO) fails the check
 * with @code: the ring stops at once with the error recorded everywhere
 * the specification says.
 */
static void check_enable_fails(QVmqnic *d, uint32_t ring, int q, bool tx,
                               int code, uint32_t *count)
{
    uint32_t errs = vmqnic_guest_errs(d);

    vmqnic_reg_write(d, ring + A_Q_CTRL,
                     R_Q_CTRL_ENABLE_MASK | R_Q_CTRL_DROP_EN_MASK);
    /* ENABLE cleared by the device, DROP_EN kept */
    vmqnic_assert_reg(d, ring + A_Q_CTRL, R_Q_CTRL_DROP_EN_MASK);
    vmqnic_assert_reg(d, ring + A_Q_STATUS,
                      R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    vmqnic_assert_reg(d, ring + A_Q_ERR, code);
    vmqnic_assert_reg(d, ring + A_Q_HEAD, 0);
    *count += 1;
    vmqnic_assert_reg(d, A_ERR_COUNT, *count);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK |
                      (tx ? R_ERR_INFO_TX_MASK : 0) |
                      (q << R_ERR_INFO_QUEUE_SHIFT) | code);
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs + 1);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_QERR_MASK);
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_QERR_MASK);
}

static void check_enable_ok(QVmqnic *d, uint32_t ring, uint32_t *count)
{
    vmqnic_reg_write(d, ring + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    vmqnic_assert_reg(d, ring + A_Q_CTRL, R_Q_CTRL_ENABLE_MASK);
    vmqnic_assert_reg(d, ring + A_Q_STATUS, R_Q_STATUS_ENABLED_MASK);
    vmqnic_assert_reg(d, ring + A_Q_HEAD, 0);
    vmqnic_assert_reg(d, A_ERR_COUNT, *count);
    vmqnic_assert_reg(d, A_MISC_ICR, 0);
}

static void ring_disable(QVmqnic *d, uint32_t ring)
{
    vmqnic_wr_check(d, ring + A_Q_CTRL, 0);
    wait_stopped(d, ring + A_Q_STATUS);
    vmqnic_assert_reg(d, ring + A_Q_STATUS, R_Q_STATUS_STOPPED_MASK);
}

static void test_queue_errors(void *obj, void *data, QGuestAllocator *alloc)
{
    const uint32_t rx = RXQ(4, Q_BASE_LO), tx = TXQ(6, Q_BASE_LO);
    QVmqnic *d = obj;
    uint32_t count = 0, errs;

    /* QERR signals vector 0, whose MSI-X entry is masked: PBA */
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_QERR_MASK);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0));

    /*
     * Ring registers take any value as written; nothing is checked, and
     * no error recorded, until the ring is enabled
     */
    errs = vmqnic_guest_errs(d);
    vmqnic_wr_check(d, rx + A_Q_BASE_LO, 0x1008);
    vmqnic_wr_check(d, rx + A_Q_BASE_HI, 0xffffffff);
    vmqnic_wr_check(d, rx + A_Q_LEN, 24);
    vmqnic_wr_check(d, rx + A_Q_BUFSZ, 100);
    vmqnic_wr_check(d, rx + A_Q_TAIL, 30);
    vmqnic_wr_check(d, tx + A_Q_BASE_LO, 0x2004);
    vmqnic_wr_check(d, tx + A_Q_LEN, 0);
    vmqnic_wr_check(d, tx + A_Q_TAIL, 0xffffffff);
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs);
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
    vmqnic_assert_reg(d, A_ERR_INFO, 0);
    vmqnic_assert_reg(d, rx + A_Q_ERR, 0);
    vmqnic_assert_reg(d, rx + A_Q_STATUS, R_Q_STATUS_STOPPED_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, 0);
    g_assert_false(vmqnic_msix_pending(d, 0));

    /* The checks run in order: base, length, buffer size, tail */
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_BASE, &count);
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    vmqnic_wr_check(d, rx + A_Q_BASE_LO, 0x1000);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_LEN, &count);
    vmqnic_wr_check(d, rx + A_Q_LEN, 0);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_LEN, &count);
    vmqnic_wr_check(d, rx + A_Q_LEN, 4);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_LEN, &count);
    vmqnic_wr_check(d, rx + A_Q_LEN, 65536);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_LEN, &count);
    vmqnic_wr_check(d, rx + A_Q_LEN, 8);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_BUFSZ, &count);
    vmqnic_wr_check(d, rx + A_Q_BUFSZ, 255);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_BUFSZ, &count);
    vmqnic_wr_check(d, rx + A_Q_BUFSZ, 16385);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_BUFSZ, &count);
    vmqnic_wr_check(d, rx + A_Q_BUFSZ, 16384);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_TAIL, &count);
    vmqnic_wr_check(d, rx + A_Q_TAIL, 8);
    check_enable_fails(d, rx, 4, false, VMQNIC_ERR_BAD_TAIL, &count);
    /* Each error signalled the misc vector again */
    g_assert_true(vmqnic_msix_test_clear(d, 0));

    /* Valid now: ERROR cleared, Q_ERR keeps the last code */
    vmqnic_wr_check(d, rx + A_Q_BASE_HI, 0);
    vmqnic_wr_check(d, rx + A_Q_TAIL, 7);
    check_enable_ok(d, rx, &count);
    vmqnic_assert_reg(d, rx + A_Q_ERR, VMQNIC_ERR_BAD_TAIL);
    vmqnic_assert_reg(d, rx + A_Q_TAIL, 7);

    /* Q_TAIL and Q_VEC may be written at any time */
    vmqnic_wr_check(d, rx + A_Q_TAIL, 5);
    vmqnic_wr_check(d, rx + A_Q_VEC, R_Q_VEC_VALID_MASK | 3);
    vmqnic_assert_reg(d, rx + A_Q_STATUS, R_Q_STATUS_ENABLED_MASK);
    /* ENABLE again changes nothing but DROP_EN */
    vmqnic_wr_check(d, rx + A_Q_CTRL,
                    R_Q_CTRL_ENABLE_MASK | R_Q_CTRL_DROP_EN_MASK);
    vmqnic_assert_reg(d, rx + A_Q_STATUS, R_Q_STATUS_ENABLED_MASK);
    vmqnic_assert_reg(d, A_ERR_COUNT, count);

    /* A running ring checks every Q_TAIL write: the value is kept */
    vmqnic_reg_write(d, rx + A_Q_TAIL, 8);
    vmqnic_assert_reg(d, rx + A_Q_TAIL, 8);
    vmqnic_assert_reg(d, rx + A_Q_CTRL, R_Q_CTRL_DROP_EN_MASK);
    vmqnic_assert_reg(d, rx + A_Q_STATUS,
                      R_Q_STATUS_STOPPED_MASK | R_Q_STATUS_ERROR_MASK);
    vmqnic_assert_reg(d, rx + A_Q_ERR, VMQNIC_ERR_BAD_TAIL);
    count++;
    vmqnic_assert_reg(d, A_ERR_COUNT, count);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK |
                      (4 << R_ERR_INFO_QUEUE_SHIFT) | VMQNIC_ERR_BAD_TAIL);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_QERR_MASK);
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_QERR_MASK);
    /* A stopped ring does not check: any value again */
    vmqnic_wr_check(d, rx + A_Q_TAIL, 100);
    vmqnic_assert_reg(d, A_ERR_COUNT, count);

    /* The limits themselves are accepted */
    vmqnic_wr_check(d, rx + A_Q_LEN, 32768);
    vmqnic_wr_check(d, rx + A_Q_BUFSZ, 256);
    vmqnic_wr_check(d, rx + A_Q_TAIL, 32767);
    check_enable_ok(d, rx, &count);
    ring_disable(d, rx);
    vmqnic_assert_reg(d, rx + A_Q_ERR, VMQNIC_ERR_BAD_TAIL);

    /* TX rings report TX and their own Q_ERR; they have no Q_BUFSZ */
    check_enable_fails(d, tx, 6, true, VMQNIC_ERR_BAD_BASE, &count);
    vmqnic_wr_check(d, tx + A_Q_BASE_LO, 0x2000);
    check_enable_fails(d, tx, 6, true, VMQNIC_ERR_BAD_LEN, &count);
    vmqnic_wr_check(d, tx + A_Q_LEN, 16);
    check_enable_fails(d, tx, 6, true, VMQNIC_ERR_BAD_TAIL, &count);
    vmqnic_wr_check(d, tx + A_Q_TAIL, 0);
    check_enable_ok(d, tx, &count);
    vmqnic_assert_reg(d, RXQ(6, Q_ERR), 0);
    vmqnic_assert_reg(d, RXQ(6, Q_STATUS), R_Q_STATUS_STOPPED_MASK);
    ring_disable(d, tx);
    g_assert_true(vmqnic_msix_test_clear(d, 0));

    /* A reset forgets the errors */
    vmqnic_reg_write(d, A_CTRL, R_CTRL_RST_MASK);
    check_defaults(d);
    vmqnic_assert_reg(d, RXQ(4, Q_ERR), 0);
    vmqnic_assert_reg(d, TXQ(6, Q_ERR), 0);
}

static void enable_misc_sw(QVmqnic *d, int vector)
{
    vmqnic_wr_check(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | vector);
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, vector), VEC_BIT(vector));
}

static void test_msix_misc(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;

    g_assert_false(vmqnic_msix_pending(d, 0));
    enable_misc_sw(d, 0);
    g_assert_false(vmqnic_msix_pending(d, 0));
    vmqnic_assert_reg(d, A_MISC_ICR, 0);

    /* Masked entry: the PBA bit gets set */
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_pending(d, 0));
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    g_assert_false(vmqnic_msix_pending(d, 0));
    /* Only vector 0 */
    g_assert_false(vmqnic_msix_pending(d, 1));
    g_assert_false(vmqnic_msix_pending(d, NVEC - 1));
    /* MISC_ICR is RW1C */
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_LINK_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, 0);

    /* Unmasked entry: the message reaches memory */
    vmqnic_msix_unmask(d, 0);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    g_assert_false(vmqnic_msix_test_clear(d, 0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    vmqnic_msix_mask(d, 0);

    /* Cause disabled in MISC_IMS: recorded, no interrupt */
    vmqnic_reg_write(d, A_MISC_IMC, R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(d, A_MISC_IMS, 0);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    g_assert_false(vmqnic_msix_test_clear(d, 0));
    /* Enabling a pending cause signals it */
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);

    /* Another cause is not enabled */
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SPOOF_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_SPOOF_MASK);
    g_assert_false(vmqnic_msix_test_clear(d, 0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SPOOF_MASK);

    /* MISC_VEC routes the misc interrupt */
    enable_misc_sw(d, 7);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 7));
    g_assert_false(vmqnic_msix_test_clear(d, 0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);

    /* MISC_VEC not valid: no vector */
    vmqnic_wr_check(d, A_MISC_VEC, 7);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    g_assert_false(vmqnic_msix_test_clear(d, 7));
    g_assert_false(vmqnic_msix_test_clear(d, 0));
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
}

static void test_msix_pending(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;

    /* Vector disabled: the signal stays pending in the device */
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_false(vmqnic_msix_test_clear(d, 0));
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
    /* ... and is delivered once enabled */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0));
    vmqnic_assert_reg(d, A_VEC_IMS, VEC_BIT(0));
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    /* once */
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_VEC_IMC, VEC_BIT(0));
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0));
    g_assert_false(vmqnic_msix_test_clear(d, 0));

    /* VEC_IMC disables only the given bits */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(4) | VEC_BIT(31));
    vmqnic_assert_reg(d, A_VEC_IMS, VEC_BIT(0) | VEC_BIT(4) | VEC_BIT(31));
    vmqnic_reg_write(d, A_VEC_IMC, VEC_BIT(4));
    vmqnic_assert_reg(d, A_VEC_IMS, VEC_BIT(0) | VEC_BIT(31));
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
}

static void test_vec_ics(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;

    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(5));
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, NVEC - 1), VEC_BIT(NVEC - 1));

    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(5));
    g_assert_true(vmqnic_msix_test_clear(d, 5));
    g_assert_false(vmqnic_msix_test_clear(d, 4));
    g_assert_false(vmqnic_msix_test_clear(d, 6));

    vmqnic_reg_write(d, VEC_REG(VEC_ICS, NVEC - 1), VEC_BIT(NVEC - 1));
    g_assert_true(vmqnic_msix_test_clear(d, NVEC - 1));
    g_assert_false(vmqnic_msix_test_clear(d, 0));

    /* Vector 40 (second word) disabled: pending until enabled */
    vmqnic_reg_write(d, VEC_REG(VEC_ICS, 40), VEC_BIT(40));
    g_assert_false(vmqnic_msix_test_clear(d, 40));
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, 40), VEC_BIT(40));
    g_assert_true(vmqnic_msix_test_clear(d, 40));

    /* Nonexistent vectors are ignored */
    vmqnic_reg_write(d, VEC_REG(VEC_ICS, NVEC - 1), ~VEC_BIT(NVEC - 1));
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, NVEC - 1), ~VEC_BIT(NVEC - 1));
    vmqnic_assert_reg(d, VEC_REG(VEC_IMS, NVEC - 1), VEC_BIT(NVEC - 1));
    g_assert_false(vmqnic_msix_test_clear(d, NVEC - 1));
}

static void test_automask(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;

    vmqnic_wr_check(d, VEC_ITR(0), R_VEC_ITR_AUTOMASK_MASK);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0) | VEC_BIT(1));
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);

    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    vmqnic_assert_reg(d, A_VEC_IMS, VEC_BIT(1));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);

    /* Masked by hardware: no interrupt until software enables it */
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_false(vmqnic_msix_test_clear(d, 0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);

    /* Vector 1 has no automask: stays enabled after firing */
    vmqnic_wr_check(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 1);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 1));
    vmqnic_assert_reg(d, A_VEC_IMS, VEC_BIT(1));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);

    /* Re-enabled: the pending signal comes, automask again */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0));
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    vmqnic_assert_reg(d, A_VEC_IMS, VEC_BIT(1));

    /* Also for VEC_ICS */
    vmqnic_wr_check(d, VEC_ITR(NVEC - 1), R_VEC_ITR_AUTOMASK_MASK);
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, NVEC - 1), VEC_BIT(NVEC - 1));
    vmqnic_reg_write(d, VEC_REG(VEC_ICS, NVEC - 1), VEC_BIT(NVEC - 1));
    g_assert_true(vmqnic_msix_test_clear(d, NVEC - 1));
    vmqnic_assert_reg(d, VEC_REG(VEC_IMS, NVEC - 1), 0);
    vmqnic_assert_reg(d, A_VEC_IMS, VEC_BIT(1));
}

static void set_link(QVmqnic *d, bool up)
{
    qtest_qmp_assert_success(vmqnic_qts(d),
                             "{'execute': 'set_link', 'arguments':"
                             " {'name': %s, 'up': %i}}",
                             VMQNIC_TEST_NETDEV, up);
}

static void test_link(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    const uint32_t up = R_STATUS_LINK_UP_MASK | R_STATUS_FULL_DUPLEX_MASK;

    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & up, ==, up);
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_LINK_MASK);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0));

    set_link(d, false);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & up, ==, 0);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_LINK_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_LINK_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, 0);

    set_link(d, true);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & up, ==, up);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_LINK_MASK);
    g_assert_true(vmqnic_msix_test_clear(d, 0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_LINK_MASK);

    /* Cause not enabled: recorded only */
    vmqnic_reg_write(d, A_MISC_IMC, R_MISC_ICR_LINK_MASK);
    set_link(d, false);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & up, ==, 0);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_LINK_MASK);
    g_assert_false(vmqnic_msix_test_clear(d, 0));

    /* A software reset keeps following the netdev link */
    vmqnic_reg_write(d, A_CTRL, R_CTRL_RST_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, 0);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & up, ==, 0);
    set_link(d, true);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & up, ==, up);
}

static void msi_setup(QVmqnic *d, uint64_t addr, uint16_t data, bool enable)
{
    QPCIDevice *dev = &d->pci_dev;
    uint8_t msi = qpci_find_capability(dev, PCI_CAP_ID_MSI, 0);
    uint16_t flags;

    g_assert_cmphex(msi, !=, 0);
    flags = qpci_config_readw(dev, msi + PCI_MSI_FLAGS);
    qpci_config_writel(dev, msi + PCI_MSI_ADDRESS_LO, (uint32_t)addr);
    qpci_config_writel(dev, msi + PCI_MSI_ADDRESS_HI, addr >> 32);
    qpci_config_writew(dev, msi + PCI_MSI_DATA_64, data);
    if (enable) {
        flags |= PCI_MSI_FLAGS_ENABLE;
    } else {
        flags &= ~PCI_MSI_FLAGS_ENABLE;
    }
    qpci_config_writew(dev, msi + PCI_MSI_FLAGS, flags);
}

static bool intx_asserted(QVmqnic *d)
{
    return qpci_config_readw(&d->pci_dev, PCI_STATUS) & PCI_STATUS_INTERRUPT;
}

static void test_msi_intx(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    QTestState *qts = vmqnic_qts(d);
    uint64_t msg = guest_alloc(alloc, 4);

    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_MSIX);
    vmqnic_msix_disable(d);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_INTX);

    /* MSI: VEC_ICR records the vector, one message per firing */
    qtest_writel(qts, msg, 0);
    msi_setup(d, msg, 0x4321, true);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_MSI);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3));
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(3));
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0x4321);
    qtest_writel(qts, msg, 0);
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, 0);
    g_assert_false(intx_asserted(d));

    /* The misc interrupt goes the same way */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0));
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(0));
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0x4321);
    qtest_writel(qts, msg, 0);
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(0));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_VEC_IMC, VEC_BIT(0));

    /* MSI with automask: firing disables the vector, VEC_ICR stays */
    vmqnic_wr_check(d, VEC_ITR(3), R_VEC_ITR_AUTOMASK_MASK);
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0x4321);
    qtest_writel(qts, msg, 0);
    /* disabled: a new signal stays pending, no message */
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(3));
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0);
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, 0);
    /* re-enabled: the pending signal fires, and masks the vector again */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3));
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0x4321);
    qtest_writel(qts, msg, 0);
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(3));
    vmqnic_wr_check(d, VEC_ITR(3), 0);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3));

    /* INTx: asserted while any VEC_ICR bit is set */
    msi_setup(d, msg, 0x4321, false);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_INTX);
    g_assert_false(intx_asserted(d));
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(3));
    g_assert_true(intx_asserted(d));
    /* VEC_IMS gates firing, not the line: a fired bit keeps it up */
    vmqnic_reg_write(d, A_VEC_IMC, VEC_BIT(3));
    g_assert_true(intx_asserted(d));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3));
    g_assert_true(intx_asserted(d));
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, 0);
    g_assert_false(intx_asserted(d));
    /* A disabled vector does not fire: no VEC_ICR bit, no level */
    vmqnic_reg_write(d, A_VEC_IMC, VEC_BIT(3));
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, 0);
    g_assert_false(intx_asserted(d));
    /* ... until enabled: the pending signal fires then */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(3));
    g_assert_true(intx_asserted(d));
    /* Two vectors: the line stays up until both bits are cleared */
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, NVEC - 1), VEC_BIT(NVEC - 1));
    vmqnic_reg_write(d, VEC_REG(VEC_ICS, NVEC - 1), VEC_BIT(NVEC - 1));
    vmqnic_assert_reg(d, VEC_REG(VEC_ICR, NVEC - 1), VEC_BIT(NVEC - 1));
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(3));
    g_assert_true(intx_asserted(d));
    vmqnic_reg_write(d, VEC_REG(VEC_ICR, NVEC - 1), VEC_BIT(NVEC - 1));
    g_assert_false(intx_asserted(d));
    /* AUTOMASK works in INTx mode too; the line follows VEC_ICR */
    vmqnic_wr_check(d, VEC_ITR(3), R_VEC_ITR_AUTOMASK_MASK);
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(3));
    g_assert_true(intx_asserted(d));
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(3));
    g_assert_false(intx_asserted(d));
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, 0);
    g_assert_false(intx_asserted(d));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3));
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(3));
    g_assert_true(intx_asserted(d));
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
    /* Leaving INTx mode drops the line, VEC_ICR is kept */
    vmqnic_msix_enable(d);
    g_assert_false(intx_asserted(d));
    vmqnic_assert_reg(d, A_VEC_ICR, VEC_BIT(3));
    vmqnic_msix_disable(d);
    g_assert_true(intx_asserted(d));
    vmqnic_reg_write(d, A_VEC_ICR, VEC_BIT(3));
    g_assert_false(intx_asserted(d));
    /* Nothing went out as MSI in INTx mode */
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0);

    /* Back to MSI-X */
    vmqnic_msix_enable(d);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_MSIX);
    guest_free(alloc, msg);
}

static void test_access_size(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    QPCIDevice *dev = &d->pci_dev;
    uint32_t errs;

    vmqnic_wr_check(d, A_SCRATCH, 0x11223344);
    errs = vmqnic_guest_errs(d);
    g_assert_cmphex(qpci_io_readb(dev, d->mmio, A_SCRATCH), ==, 0);
    g_assert_cmpuint(vmqnic_guest_errs(d), >, errs);
    errs = vmqnic_guest_errs(d);
    g_assert_cmphex(qpci_io_readw(dev, d->mmio, A_ID), ==, 0);
    g_assert_cmpuint(vmqnic_guest_errs(d), >, errs);
    errs = vmqnic_guest_errs(d);
    qpci_io_writew(dev, d->mmio, A_SCRATCH, 0xffff);
    g_assert_cmpuint(vmqnic_guest_errs(d), >, errs);
    vmqnic_assert_reg(d, A_SCRATCH, 0x11223344);

    g_assert_cmphex(qpci_io_readb(dev, d->mmio, A_SCRATCH + 3), ==, 0);
    g_assert_cmphex(qpci_io_readw(dev, d->mmio, A_SCRATCH), ==, 0);
    g_assert_cmphex(qpci_io_readw(dev, d->mmio, A_ID + 2), ==, 0);
    g_assert_cmphex(qpci_io_readl(dev, d->mmio, A_ID + 1), ==, 0);
    g_assert_cmphex(qpci_io_readl(dev, d->mmio, A_ID + 2), ==, 0);

    qpci_io_writeb(dev, d->mmio, A_SCRATCH, 0xff);
    qpci_io_writeb(dev, d->mmio, A_SCRATCH + 1, 0xff);
    qpci_io_writew(dev, d->mmio, A_SCRATCH + 2, 0xffff);
    qpci_io_writel(dev, d->mmio, A_SCRATCH + 2, 0xffffffff);
    vmqnic_assert_reg(d, A_SCRATCH, 0x11223344);
    qpci_io_writeb(dev, d->mmio, A_CTRL, R_CTRL_RST_MASK);
    vmqnic_assert_reg(d, A_SCRATCH, 0x11223344);
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
    g_assert_cmpuint(vmqnic_guest_errs(d), >=, errs + 6);
}

/* Send a frame from the wire; wait until RX_FRAMES reaches @count */
static void send_and_wait(QVmqnic *d, QVmqnicSocket *s, const void *frame,
                          uint32_t len, uint32_t count)
{
    const uint32_t frames = STAT_LO(VMQNIC_STAT_RX_FRAMES);
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    vmqnic_assert_reg(d, frames, count - 1);
    vmqnic_socket_send(s, frame, len);
    while (vmqnic_reg_read(d, frames) < count && g_get_monotonic_time() < end) {
        g_usleep(1000);
    }
    vmqnic_assert_reg(d, frames, count);
}

static void test_rx_drop(void *obj, void *data, QGuestAllocator *alloc)
{
    static const uint8_t frame[60] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x52, 0x54, 0x00, 0x00, 0x00, 0x01,
        0x08, 0x06,
    };
    QVmqnic *d = obj;
    QVmqnicSocket *s = data;
    const uint32_t drops = STAT_LO(VMQNIC_STAT_RX_DROPS);
    int i;

    /* CTRL.RX_EN = 0: every frame is counted, dropped and counted */
    for (i = 0; i < 2; i++) {
        vmqnic_assert_reg(d, drops, 0);
        send_and_wait(d, s, frame, sizeof(frame), 1);
        vmqnic_assert_reg(d, drops, 1);
        vmqnic_assert_reg(d, STAT_HI(VMQNIC_STAT_RX_DROPS), 0);
        /* Not clear-on-read */
        vmqnic_assert_reg(d, drops, 1);
        /* Dropped before classification */
        vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_BCAST), 0);
        vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_FILTERED), 0);
        vmqnic_assert_reg(d, VMQNIC_QSTAT_REG(0, VMQNIC_QSTAT_RX_DROPS), 0);
        if (i == 0) {
            /*
             * STATS_CLEAR is self-clearing, applies TX_EN of the same
             * write and does not clear ERR_COUNT
             */
            vmqnic_reg_write(d, A_MISC_VEC, NVEC);
            vmqnic_assert_reg(d, A_ERR_COUNT, 1);
            vmqnic_reg_write(d, A_CTRL,
                             R_CTRL_STATS_CLEAR_MASK | R_CTRL_TX_EN_MASK);
            vmqnic_assert_reg(d, A_CTRL, R_CTRL_TX_EN_MASK);
            vmqnic_assert_reg(d, A_ERR_COUNT, 1);
            vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_GUEST_ERRS), 0);
            vmqnic_reg_write(d, A_CTRL, 0);
        } else {
            vmqnic_reg_write(d, A_CTRL, R_CTRL_RST_MASK);
            vmqnic_assert_reg(d, A_CTRL, 0);
            check_stats_zero(d);
        }
    }
    vmqnic_assert_reg(d, drops, 0);

    /*
     * CTRL.RX_EN = 1: after reset pool 0 accepts the broadcast frame;
     * its queue 0 ring is not enabled, so the copy is dropped there
     */
    vmqnic_wr_check(d, A_CTRL, R_CTRL_RX_EN_MASK);
    send_and_wait(d, s, frame, sizeof(frame), 1);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_BCAST), 1);
    vmqnic_assert_reg(d, drops, 1);
    vmqnic_assert_reg(d, VMQNIC_QSTAT_REG(0, VMQNIC_QSTAT_RX_DROPS), 1);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_PKTS), 0);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_FILTERED), 0);
    vmqnic_assert_reg(d, A_RXQ_ICR, 0);

    /* No pool accepts broadcast: filtered, not dropped */
    vmqnic_wr_check(d, POOL(0, POOL_CTRL),
                    VMQNIC_POOL0_CTRL_RESET & ~R_POOL_CTRL_ACCEPT_BCAST_MASK);
    send_and_wait(d, s, frame, sizeof(frame), 2);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_BCAST), 2);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_FILTERED), 1);
    vmqnic_assert_reg(d, drops, 1);
    vmqnic_assert_reg(d, VMQNIC_QSTAT_REG(0, VMQNIC_QSTAT_RX_DROPS), 1);

    /* Shorter than an Ethernet header: dropped before classification */
    send_and_wait(d, s, frame, 6, 3);
    vmqnic_assert_reg(d, drops, 2);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_BCAST), 2);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_FILTERED), 1);
}

#define MOVE_RING   16

/* One RX event on queue 0: a broadcast frame pool 0 writes to its ring */
static void rx_event(QVmqnic *d, QVmqnicSocket *s, uint32_t *count)
{
    static const uint8_t frame[60] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x52, 0x54, 0x00, 0x00, 0x00, 0x01,
        0x08, 0x06,
    };

    vmqnic_assert_reg(d, A_RXQ_ICR, 0);
    *count += 1;
    send_and_wait(d, s, frame, sizeof(frame), *count);
    vmqnic_assert_reg(d, RXQ(0, Q_HEAD), *count);
    vmqnic_assert_reg(d, A_RXQ_ICR, 1);
}

/* Q_VEC rewritten at run time (Dynamic VMQ) */
static void test_queue_vector_move(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    QVmqnicSocket *s = data;
    QTestState *qts = vmqnic_qts(d);
    uint64_t ring = guest_alloc(alloc, MOVE_RING * VMQNIC_DESC_SIZE);
    uint64_t bufs = guest_alloc(alloc, MOVE_RING * 2048);
    uint32_t n = 0;
    int i;

    for (i = 0; i < MOVE_RING; i++) {
        VmqnicRxDesc desc = { .addr = cpu_to_le64(bufs + 2048 * i) };

        qtest_memwrite(qts, ring + i * VMQNIC_DESC_SIZE, &desc,
                       sizeof(desc));
    }
    vmqnic_reg_write(d, RXQ(0, Q_BASE_LO), ring);
    vmqnic_reg_write(d, RXQ(0, Q_BASE_HI), ring >> 32);
    vmqnic_reg_write(d, RXQ(0, Q_LEN), MOVE_RING);
    vmqnic_reg_write(d, RXQ(0, Q_BUFSZ), 2048);
    vmqnic_reg_write(d, RXQ(0, Q_TAIL), MOVE_RING - 1);
    vmqnic_reg_write(d, RXQ(0, Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    vmqnic_assert_reg(d, RXQ(0, Q_STATUS), R_Q_STATUS_ENABLED_MASK);
    vmqnic_wr_check(d, A_CTRL, R_CTRL_RX_EN_MASK);

    /*
     * Unacknowledged event (RXQ_ICR set) pending on disabled vector 1:
     * it moves to the new vector, and vector 1 has nothing left
     */
    rx_event(d, s, &n);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(5));
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 5);
    g_assert_true(vmqnic_msix_test_clear(d, 5));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(1));
    g_assert_false(vmqnic_msix_test_clear(d, 1));
    /* Later events signal the new vector only */
    vmqnic_reg_write(d, A_RXQ_ICR, 1);
    rx_event(d, s, &n);
    g_assert_true(vmqnic_msix_test_clear(d, 5));
    g_assert_false(vmqnic_msix_test_clear(d, 1));
    vmqnic_reg_write(d, A_RXQ_ICR, 1);
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);

    /*
     * The old vector keeps its signal while another source mapped to it
     * has its cause: here the misc SW cause, enabled in MISC_IMS
     */
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 2);
    vmqnic_wr_check(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 2);
    vmqnic_reg_write(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    rx_event(d, s, &n);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(6));
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 6);
    g_assert_true(vmqnic_msix_test_clear(d, 6));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(2));
    g_assert_true(vmqnic_msix_test_clear(d, 2));
    vmqnic_reg_write(d, A_RXQ_ICR, 1);
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);

    /* A cause set in MISC_ICR but disabled in MISC_IMS does not count */
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 2);
    vmqnic_reg_write(d, A_MISC_IMC, R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    rx_event(d, s, &n);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(6));
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 6);
    g_assert_true(vmqnic_msix_test_clear(d, 6));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(2));
    g_assert_false(vmqnic_msix_test_clear(d, 2));
    vmqnic_reg_write(d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    vmqnic_reg_write(d, A_RXQ_ICR, 1);
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);

    /* Cause already acknowledged: nothing moves, the old vector fires */
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 3);
    rx_event(d, s, &n);
    vmqnic_reg_write(d, A_RXQ_ICR, 1);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(7));
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 7);
    g_assert_false(vmqnic_msix_test_clear(d, 7));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(3));
    g_assert_true(vmqnic_msix_test_clear(d, 3));
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);

    /* A VEC_ICS signal on the old vector is withdrawn with the event */
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 4);
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(4));
    rx_event(d, s, &n);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(8));
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 8);
    g_assert_true(vmqnic_msix_test_clear(d, 8));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(4));
    g_assert_false(vmqnic_msix_test_clear(d, 4));
    vmqnic_reg_write(d, A_RXQ_ICR, 1);
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);

    /* An interrupt that already fired stays fired (here in the PBA) */
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 9);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(9) | VEC_BIT(10));
    rx_event(d, s, &n);
    g_assert_true(vmqnic_msix_pending(d, 9));
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 10);
    g_assert_true(vmqnic_msix_test_clear(d, 10));
    g_assert_true(vmqnic_msix_test_clear(d, 9));
    vmqnic_reg_write(d, A_RXQ_ICR, 1);
    vmqnic_reg_write(d, A_VEC_IMC, 0xffffffff);

    /* Moving to VALID = 0 withdraws the old signal, signals nothing */
    vmqnic_wr_check(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 11);
    rx_event(d, s, &n);
    vmqnic_wr_check(d, RXQ(0, Q_VEC), 12);
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(11) | VEC_BIT(12));
    g_assert_false(vmqnic_msix_test_clear(d, 11));
    g_assert_false(vmqnic_msix_test_clear(d, 12));
    /* the event is still in RXQ_ICR for a driver that polls */
    vmqnic_assert_reg(d, A_RXQ_ICR, 1);

    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
    vmqnic_assert_reg(d, STAT_LO(VMQNIC_STAT_RX_PKTS), n);
    for (i = 0; i < 16; i++) {
        g_assert_false(vmqnic_msix_pending(d, i));
    }
}

static void test_hotplug(void *obj, void *data, QGuestAllocator *alloc)
{
    QVmqnic *d = obj;
    QTestState *qts = vmqnic_qts(d);

    if (d->pci_dev.bus->not_hotpluggable) {
        g_test_skip("pci bus does not support hotplug");
        return;
    }
    qtest_qmp_device_add(qts, "vmqnic", "vmqnic_hp",
                         "{'addr': '0x06', 'queues': 4, 'pools': 2}");
    qpci_unplug_acpi_device_test(qts, "vmqnic_hp", 0x06);
    /* The first function is unaffected */
    vmqnic_assert_reg(d, A_ID, VMQNIC_ID_MAGIC);
    vmqnic_assert_reg(d, A_NUM_QUEUES, NQ);
}

static void vmqnic_test_cleanup(void *data)
{
    QVmqnicSocket *s = data;

    /* The next test must not reuse this QEMU: it names our socket */
    qos_invalidate_command_line();
    vmqnic_socket_free(s);
}

static void *vmqnic_test_setup(GString *cmd_line, void *arg)
{
    QVmqnicSocket *s = vmqnic_socket_new(cmd_line);

    g_test_queue_destroy(vmqnic_test_cleanup, s);
    return s;
}

static void register_vmqnic_test(void)
{
    QOSGraphTestOptions opts = {
        .before = vmqnic_test_setup,
        .edge.extra_device_opts = "netdev=" VMQNIC_TEST_NETDEV,
    };

    qos_add_test("pci-config", "vmqnic", test_pci_config, &opts);
    qos_add_test("msix-cap", "vmqnic", test_msix_cap, &opts);
    qos_add_test("capabilities", "vmqnic", test_capabilities, &opts);
    qos_add_test("soft-reset", "vmqnic", test_soft_reset, &opts);
    qos_add_test("read-only", "vmqnic", test_read_only, &opts);
    qos_add_test("undefined", "vmqnic", test_undefined, &opts);
    qos_add_test("rw-masks", "vmqnic", test_rw_masks, &opts);
    qos_add_test("bad-vector", "vmqnic", test_bad_vector, &opts);
    qos_add_test("queue-errors", "vmqnic", test_queue_errors, &opts);
    qos_add_test("access-size", "vmqnic", test_access_size, &opts);
    qos_add_test("msix-misc", "vmqnic", test_msix_misc, &opts);
    qos_add_test("msix-pending", "vmqnic", test_msix_pending, &opts);
    qos_add_test("vec-ics", "vmqnic", test_vec_ics, &opts);
    qos_add_test("automask", "vmqnic", test_automask, &opts);
    qos_add_test("link", "vmqnic", test_link, &opts);
    qos_add_test("msi-intx", "vmqnic", test_msi_intx, &opts);
    qos_add_test("rx-drop", "vmqnic", test_rx_drop, &opts);
    qos_add_test("queue-vector-move", "vmqnic", test_queue_vector_move,
                 &opts);
    qos_add_test("hotplug", "vmqnic", test_hotplug, &opts);
}

libqos_init(register_vmqnic_test);

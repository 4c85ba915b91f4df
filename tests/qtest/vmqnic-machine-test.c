/*
 * QTest testcases for the vmqnic PCIe VMDq network adapter: property
 * sets on pc and q35, property validation, function level and system
 * reset, migration
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qemu/host-utils.h"
#include "hw/pci/pci_ids.h"
#include "hw/pci/pci_regs.h"
#include "hw/net/vmqnic_regs.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "libqos/vmqnic.h"

#define RXQ(q, r)   VMQNIC_RXQ_REG(q, A_##r)
#define TXQ(q, r)   VMQNIC_TXQ_REG(q, A_##r)
#define POOL(p, r)  VMQNIC_POOL_REG(p, A_##r)
#define MACF(i, r)  VMQNIC_MACF_REG(i, A_##r)
#define VLANF(i, r) VMQNIC_VLANF_REG(i, A_##r)
#define VEC_ITR(v)  (A_VEC_ITR + 4 * (v))
#define VEC_REG(r, v)   (A_##r + 4 * ((v) / 32))
#define VEC_BIT(v)  (1u << ((v) % 32))

#define MIGRATION_TIMEOUT_S 60

/* Where the device is plugged */
typedef enum {
    SLOT_PC,            /* -M pc, slot 4 of pci.0 */
    SLOT_Q35,           /* -M q35, slot 4 of pcie.0 */
    SLOT_Q35_RP,        /* -M q35, behind pcie-root-port rp0 */
} Slot;

static const char *const slot_names[] = {
    [SLOT_PC] = "pc",
    [SLOT_Q35] = "q35",
    [SLOT_Q35_RP] = "q35-root-port",
};

/* A property set and what the capability registers must say */
typedef struct Props {
    const char *name;
    const char *opts;   /* appended to -device vmqnic */
    uint8_t mac_last;   /* mac=02:00:00:5e:10:<mac_last> */
    uint32_t queues;
    uint32_t pools;
    uint32_t mac_filters;
    uint32_t vlan_filters;
    uint32_t speed;
} Props;

static const Props props_sets[] = {
    {
        .name = "small",
        .opts = "queues=8,pools=4,mac-filters=16,vlan-filters=0,speed=1000",
        .mac_last = 0x01,
        .queues = 8, .pools = 4, .mac_filters = 16, .vlan_filters = 0,
        .speed = 1000,
    }, {
        .name = "max",
        .opts = "queues=256,pools=64,mac-filters=1024,vlan-filters=1024",
        .mac_last = 0x02,
        .queues = 256, .pools = 64, .mac_filters = 1024,
        .vlan_filters = 1024, .speed = 10000,
    }, {
        .name = "odd",
        .opts = "queues=6,pools=4,mac-filters=1,vlan-filters=1,speed=10",
        .mac_last = 0x03,
        .queues = 6, .pools = 4, .mac_filters = 1, .vlan_filters = 1,
        .speed = 10,
    }, {
        .name = "min",
        .opts = "queues=1,pools=1,speed=400000",
        .mac_last = 0x04,
        .queues = 1, .pools = 1, .mac_filters = 128, .vlan_filters = 64,
        .speed = 400000,
    }, {
        .name = "default",
        .opts = "",
        .mac_last = 0x05,
        .queues = 128, .pools = 64, .mac_filters = 128, .vlan_filters = 64,
        .speed = 10000,
    },
};

static const Props default_props = {
    .name = "default", .opts = "", .mac_last = 0x10,
    .queues = 128, .pools = 64, .mac_filters = 128, .vlan_filters = 64,
    .speed = 10000,
};

/* Non-default sizes for the system reset test */
static const Props reset_props = {
    .name = "reset", .opts = "queues=16,pools=4,mac-filters=8,vlan-filters=4",
    .mac_last = 0x20,
    .queues = 16, .pools = 4, .mac_filters = 8, .vlan_filters = 4,
    .speed = 10000,
};

typedef struct Machine {
    QTestState *qts;
    QPCIBus *bus;
    QVmqnic d;
    Slot slot;
} Machine;

/* An undefined register: reads 0, ignores writes, three guest errors */
static void check_undefined(QVmqnic *d, uint32_t reg)
{
    uint32_t errs = vmqnic_guest_errs(d);

    vmqnic_assert_reg(d, reg, 0);
    vmqnic_reg_write(d, reg, 0xffffffff);
    vmqnic_assert_reg(d, reg, 0);
    g_assert_cmpuint(vmqnic_guest_errs(d), ==, errs + 3);
}

static uint32_t floor_log2(uint32_t v)
{
    return 31 - clz32(v);
}

static uint32_t qpp_log2(const Props *p)
{
    return floor_log2(p->queues / p->pools);
}

/* Valid bits of word @hi of a pool bitmap */
static uint32_t pools_mask(const Props *p, int hi)
{
    uint64_t mask = p->pools == 64 ? UINT64_MAX : (1ull << p->pools) - 1;

    return hi ? mask >> 32 : (uint32_t)mask;
}

static char *mac_str(const Props *p)
{
    return g_strdup_printf("02:00:00:5e:10:%02x", p->mac_last);
}

/*
 * Put a memory window 0xe0000000..0xe0ffffff on root port rp0 (slot 3
 * of pcie.0) and give it bus 1, where the vmqnic is; returns its devfn.
 */
static int setup_root_port(QPCIBus *bus)
{
    QPCIDevice *rp = qpci_device_find(bus, QPCI_DEVFN(3, 0));
    int last_bus;

    g_assert(rp);
    g_assert_cmphex(qpci_config_readw(rp, PCI_CLASS_DEVICE), ==,
                    PCI_CLASS_BRIDGE_PCI);
    last_bus = qpci_secondary_buses_init(bus);
    g_assert_cmpint(last_bus, ==, 1);
    g_assert_cmpint(qpci_config_readb(rp, PCI_SECONDARY_BUS), ==, 1);

    qpci_config_writew(rp, PCI_MEMORY_BASE, 0xe000);
    qpci_config_writew(rp, PCI_MEMORY_LIMIT, 0xe0f0);
    qpci_config_writew(rp, PCI_PREF_MEMORY_BASE, 0xfff0);
    qpci_config_writew(rp, PCI_PREF_MEMORY_LIMIT, 0);
    qpci_config_writeb(rp, PCI_IO_BASE, 0xf0);
    qpci_config_writeb(rp, PCI_IO_LIMIT, 0);
    qpci_config_writew(rp, PCI_COMMAND,
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_free(rp);

    return QPCI_DEVFN(1 << 5, 0);
}

/*
 * Start QEMU with a vmqnic in @slot; unless it is a migration target
 * (@extra "-incoming ..."), find it, map BAR0 and enable it.
 */
static void machine_start(Machine *m, Slot slot, const char *devopts,
                          const char *extra)
{
    static const char *const machine_opts[] = {
        [SLOT_PC] = "-M pc",
        [SLOT_Q35] = "-M q35",
        [SLOT_Q35_RP] = "-M q35 -device pcie-root-port,id=rp0,bus=pcie.0,"
                        "addr=03.0,chassis=1",
    };
    int devfn;

    memset(m, 0, sizeof(*m));
    m->slot = slot;
    m->qts = qtest_initf("%s -m 32 -nodefaults "
                         "-netdev hubport,hubid=0,id=" VMQNIC_TEST_NETDEV " "
                         "-device vmqnic,id=nic0,%s,netdev="
                         VMQNIC_TEST_NETDEV "%s%s %s",
                         machine_opts[slot],
                         slot == SLOT_Q35_RP ? "bus=rp0" : "addr=04.0",
                         *devopts ? "," : "", devopts, extra ? extra : "");
    m->bus = qpci_new_pc(m->qts, NULL);
    if (extra && strstr(extra, "-incoming")) {
        return;
    }
    devfn = slot == SLOT_Q35_RP ? setup_root_port(m->bus)
                                : QPCI_DEVFN(VMQNIC_TEST_SLOT, 0);
    vmqnic_init(&m->d, m->bus, devfn);
}

static void machine_start_props(Machine *m, Slot slot, const Props *p,
                                const char *extra)
{
    g_autofree char *mac = mac_str(p);
    g_autofree char *opts = g_strdup_printf("mac=%s%s%s", mac,
                                            *p->opts ? "," : "", p->opts);

    machine_start(m, slot, opts, extra);
}

static void machine_stop(Machine *m)
{
    qpci_free_pc(m->bus);
    qtest_quit(m->qts);
}

/* POOL_QUEUES of every pool; a pool that is not active reads 0 */
static void check_pool_queues(QVmqnic *d, const Props *p, uint32_t qpp)
{
    uint32_t active = MIN(p->pools, p->queues >> qpp);
    uint32_t pool;

    for (pool = 0; pool < p->pools; pool++) {
        vmqnic_assert_reg(d, POOL(pool, POOL_QUEUES),
                          pool < active ?
                          (1u << qpp << R_POOL_QUEUES_COUNT_SHIFT) |
                          (pool << qpp) : 0);
    }
}

/* Capability registers and table sizes for property set @p */
static void check_props(Machine *m, const Props *p)
{
    QVmqnic *d = &m->d;
    QPCIDevice *dev = &d->pci_dev;
    uint32_t nvec = p->queues + 1;
    uint32_t qpp = qpp_log2(p);
    uint32_t last_q = p->queues - 1, w, count = 2;
    uint8_t exp;
    uint16_t type;

    /* PCI */
    g_assert_cmphex(qpci_config_readw(dev, PCI_VENDOR_ID), ==,
                    VMQNIC_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(dev, PCI_DEVICE_ID), ==,
                    VMQNIC_PCI_DEVICE_ID);
    g_assert_cmpuint(qpci_msix_table_size(dev), ==, nvec);
    exp = qpci_find_capability(dev, PCI_CAP_ID_EXP, 0);
    g_assert_cmphex(exp, !=, 0);
    type = (qpci_config_readw(dev, exp + PCI_EXP_FLAGS) &
            PCI_EXP_FLAGS_TYPE) >> 4;
    g_assert_cmphex(type, ==, m->slot == SLOT_Q35 ? PCI_EXP_TYPE_RC_END
                                                  : PCI_EXP_TYPE_ENDPOINT);

    /* Identity */
    vmqnic_assert_reg(d, A_ID, VMQNIC_ID_MAGIC);
    vmqnic_assert_reg(d, A_NUM_QUEUES, p->queues);
    vmqnic_assert_reg(d, A_NUM_POOLS, p->pools);
    vmqnic_assert_reg(d, A_NUM_MAC_FILTERS, p->mac_filters);
    vmqnic_assert_reg(d, A_NUM_VLAN_FILTERS, p->vlan_filters);
    vmqnic_assert_reg(d, A_NUM_VECTORS, nvec);
    vmqnic_assert_reg(d, A_LINK_SPEED, p->speed);
    vmqnic_assert_reg(d, A_MAX_FRAME, VMQNIC_MAX_FRAME);
    vmqnic_assert_reg(d, A_PERM_MAC_LO, 0x5e000002);
    vmqnic_assert_reg(d, A_PERM_MAC_HI, (p->mac_last << 8) | 0x10);
    vmqnic_assert_reg(d, MACF(0, MACF_LO), 0x5e000002);
    vmqnic_assert_reg(d, MACF(0, MACF_HI),
                      R_MACF_HI_VALID_MASK | (p->mac_last << 8) | 0x10);
    vmqnic_assert_reg(d, MACF(0, MACF_POOLS_LO), 1);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & R_STATUS_LINK_UP_MASK, ==,
                    R_STATUS_LINK_UP_MASK);

    /* Queues: the last one exists, the next one does not */
    vmqnic_assert_reg(d, RXQ(last_q, Q_VEC), R_Q_VEC_VALID_MASK | p->queues);
    vmqnic_assert_reg(d, TXQ(last_q, Q_VEC), R_Q_VEC_VALID_MASK | p->queues);
    vmqnic_wr_check(d, RXQ(last_q, Q_LEN), 64);
    vmqnic_wr_check(d, TXQ(last_q, Q_BASE_LO), 0x1000);
    if (p->queues < VMQNIC_MAX_QUEUES) {
        check_undefined(d, RXQ(p->queues, Q_VEC));
        check_undefined(d, RXQ(p->queues, Q_LEN));
        check_undefined(d, TXQ(p->queues, Q_BASE_LO));
        check_undefined(d, TXQ(VMQNIC_MAX_QUEUES - 1, Q_VEC));
        check_undefined(d, VMQNIC_QSTAT_REG(p->queues, 0));
    }
    /* no aliasing of queue p->queues onto queue 0 */
    vmqnic_assert_reg(d, RXQ(0, Q_LEN), last_q ? 0 : 64);
    vmqnic_assert_reg(d, RXQ(0, Q_VEC), R_Q_VEC_VALID_MASK | 1);

    /* Vectors */
    vmqnic_wr_check(d, VEC_ITR(nvec - 1), R_VEC_ITR_AUTOMASK_MASK | 3);
    check_undefined(d, VEC_ITR(nvec));
    vmqnic_assert_reg(d, VEC_ITR(0), 0);
    /* Words 0..ceil(nvec / 32) - 1 of the vector bitmaps exist */
    for (w = 0; w < DIV_ROUND_UP(nvec, 32); w++) {
        uint32_t expect = 32 * (w + 1) <= nvec ? 0xffffffff
                                               : (1u << (nvec % 32)) - 1;

        vmqnic_reg_write(d, A_VEC_IMS + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_VEC_IMS + 4 * w, expect);
        vmqnic_reg_write(d, A_VEC_IMC + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_VEC_IMS + 4 * w, 0);
    }
    for (; w < VMQNIC_VEC_WORDS; w++) {
        check_undefined(d, A_VEC_IMS + 4 * w);
        check_undefined(d, A_VEC_IMC + 4 * w);
        check_undefined(d, A_VEC_ICR + 4 * w);
        check_undefined(d, A_VEC_ICS + 4 * w);
    }
    /* and words 0..ceil(queues / 32) - 1 of the queue bitmaps */
    for (w = 0; w < DIV_ROUND_UP(p->queues, 32); w++) {
        vmqnic_reg_write(d, A_RXQ_ICR + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_RXQ_ICR + 4 * w, 0);
        vmqnic_reg_write(d, A_TXQ_ICR + 4 * w, 0xffffffff);
        vmqnic_assert_reg(d, A_TXQ_ICR + 4 * w, 0);
    }
    for (; w < VMQNIC_QUEUE_WORDS; w++) {
        check_undefined(d, A_RXQ_ICR + 4 * w);
        check_undefined(d, A_TXQ_ICR + 4 * w);
    }
    vmqnic_wr_check(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | (nvec - 1));
    vmqnic_reg_write(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | nvec);
    vmqnic_assert_reg(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | (nvec - 1));
    vmqnic_assert_reg(d, A_ERR_COUNT, 1);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK |
                      R_ERR_INFO_QUEUE_MASK | VMQNIC_ERR_BAD_VECTOR);
    vmqnic_reg_write(d, RXQ(last_q, Q_VEC), R_Q_VEC_VALID_MASK | nvec);
    vmqnic_assert_reg(d, RXQ(last_q, Q_VEC), R_Q_VEC_VALID_MASK | p->queues);
    vmqnic_assert_reg(d, A_ERR_COUNT, 2);
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK |
                      (last_q << R_ERR_INFO_QUEUE_SHIFT) |
                      VMQNIC_ERR_BAD_VECTOR);

    /* Pools and the VMDq layout */
    vmqnic_assert_reg(d, A_VMDQ_CTRL, qpp | R_VMDQ_CTRL_REPL_EN_MASK);
    check_pool_queues(d, p, qpp);
    vmqnic_wr_check(d, POOL(p->pools - 1, POOL_CTRL), 0x3);
    vmqnic_wr_check(d, POOL(p->pools - 1, POOL_MAXFRAME), 9000);
    vmqnic_wr_check(d, VMQNIC_POOL_VLAN_REG(p->pools - 1, 1), 0x10);
    if (p->pools < VMQNIC_MAX_POOLS) {
        check_undefined(d, POOL(p->pools, POOL_CTRL));
        check_undefined(d, POOL(p->pools, POOL_MAXFRAME));
        check_undefined(d, POOL(p->pools, POOL_QUEUES));
        check_undefined(d, POOL(p->pools, POOL_RSS_KEY));
        check_undefined(d, VMQNIC_POOL_VLAN_REG(p->pools, 1));
    }
    /* largest queues-per-pool: accepted; one more: refused */
    vmqnic_wr_check(d, A_VMDQ_CTRL, floor_log2(p->queues));
    check_pool_queues(d, p, floor_log2(p->queues));
    vmqnic_check_value_refused(d, A_VMDQ_CTRL, floor_log2(p->queues) + 1,
                               &count);
    vmqnic_wr_check(d, A_VMDQ_CTRL, 0);
    check_pool_queues(d, p, 0);
    /* DEF_POOL must name a pool that exists */
    vmqnic_wr_check(d, A_VMDQ_CTRL,
                    (p->pools - 1) << R_VMDQ_CTRL_DEF_POOL_SHIFT);
    if (p->pools < VMQNIC_MAX_POOLS) {
        vmqnic_check_value_refused(d, A_VMDQ_CTRL,
                                   p->pools << R_VMDQ_CTRL_DEF_POOL_SHIFT,
                                   &count);
    }

    /* Filter tables; pool bitmap bits of missing pools are reserved */
    vmqnic_reg_write(d, MACF(p->mac_filters - 1, MACF_POOLS_LO), 0xffffffff);
    vmqnic_reg_write(d, MACF(p->mac_filters - 1, MACF_POOLS_HI), 0xffffffff);
    vmqnic_assert_reg(d, MACF(p->mac_filters - 1, MACF_POOLS_LO),
                      pools_mask(p, 0));
    vmqnic_assert_reg(d, MACF(p->mac_filters - 1, MACF_POOLS_HI),
                      pools_mask(p, 1));
    if (p->mac_filters < VMQNIC_MAX_MAC_FILTERS) {
        check_undefined(d, MACF(p->mac_filters, MACF_LO));
        check_undefined(d, MACF(p->mac_filters, MACF_HI));
        check_undefined(d, MACF(p->mac_filters, MACF_POOLS_LO));
    }
    if (p->mac_filters > 1) {
        vmqnic_assert_reg(d, MACF(0, MACF_POOLS_LO), 1);
        vmqnic_assert_reg(d, MACF(0, MACF_POOLS_HI), 0);
    }
    if (p->vlan_filters) {
        vmqnic_wr_check(d, VLANF(p->vlan_filters - 1, VLANF_CTRL),
                        R_VLANF_CTRL_VALID_MASK | 7);
        vmqnic_reg_write(d, VLANF(p->vlan_filters - 1, VLANF_POOLS_LO),
                         0xffffffff);
        vmqnic_reg_write(d, VLANF(p->vlan_filters - 1, VLANF_POOLS_HI),
                         0xffffffff);
        vmqnic_assert_reg(d, VLANF(p->vlan_filters - 1, VLANF_POOLS_LO),
                          pools_mask(p, 0));
        vmqnic_assert_reg(d, VLANF(p->vlan_filters - 1, VLANF_POOLS_HI),
                          pools_mask(p, 1));
    }
    if (p->vlan_filters < VMQNIC_MAX_VLAN_FILTERS) {
        check_undefined(d, VLANF(p->vlan_filters, VLANF_CTRL));
        check_undefined(d, VLANF(p->vlan_filters, VLANF_POOLS_LO));
    }
    vmqnic_assert_reg(d, A_ERR_COUNT, count);
}

typedef struct PropsTest {
    Slot slot;
    const Props *props;
} PropsTest;

static void test_props(const void *opaque)
{
    const PropsTest *t = opaque;
    Machine m;

    machine_start_props(&m, t->slot, t->props, NULL);
    check_props(&m, t->props);
    machine_stop(&m);
}

/* Invalid property values are refused by realize, naming the property */
typedef struct BadProps {
    const char *props;  /* "name=value,..." (integers) */
    const char *names[2];
} BadProps;

static const BadProps bad_props[] = {
    { "queues=0", { "queues" } },
    { "queues=257", { "queues" } },
    { "pools=0", { "pools" } },
    { "pools=65", { "pools" } },
    { "queues=4,pools=8", { "pools", "queues" } },
    { "mac-filters=0", { "mac-filters" } },
    { "mac-filters=1025", { "mac-filters" } },
    { "vlan-filters=1025", { "vlan-filters" } },
    { "speed=0", { "speed" } },
    { "speed=9", { "speed" } },
    { "speed=400001", { "speed" } },
};

static QDict *device_add(QTestState *qts, const char *id, const char *addr,
                         const char *props)
{
    g_auto(GStrv) kv = g_strsplit(props, ",", -1);
    QDict *args = qdict_new();
    int i;

    qdict_put_str(args, "driver", "vmqnic");
    qdict_put_str(args, "id", id);
    qdict_put_str(args, "addr", addr);
    for (i = 0; kv[i] && *kv[i]; i++) {
        g_auto(GStrv) nv = g_strsplit(kv[i], "=", 2);

        g_assert(nv[1]);
        qdict_put_int(args, nv[0], g_ascii_strtoll(nv[1], NULL, 10));
    }
    return qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}",
                     args);
}

static void test_bad_props(void)
{
    QTestState *qts = qtest_init("-M pc -m 32 -nodefaults");
    QPCIBus *bus = qpci_new_pc(qts, NULL);
    QVmqnic d;
    QDict *rsp;
    int i, j;

    /* Each in its own slot: one wrongly accepted does not hide others */
    for (i = 0; i < ARRAY_SIZE(bad_props); i++) {
        g_autofree char *id = g_strdup_printf("bad%d", i);
        g_autofree char *addr = g_strdup_printf("0x%x", 6 + i);
        QPCIDevice *dev;
        const char *desc;

        rsp = device_add(qts, id, addr, bad_props[i].props);
        if (!qdict_haskey(rsp, "error")) {
            g_test_message("device_add vmqnic,%s succeeded",
                           bad_props[i].props);
            g_test_fail();
            qobject_unref(rsp);
            continue;
        }
        desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
        for (j = 0; j < 2 && bad_props[i].names[j]; j++) {
            if (!strstr(desc, bad_props[i].names[j])) {
                g_test_message("device_add vmqnic,%s: error \"%s\" does "
                               "not name '%s'", bad_props[i].props, desc,
                               bad_props[i].names[j]);
                g_test_fail();
            }
        }
        qobject_unref(rsp);
        /* Nothing was plugged */
        dev = qpci_device_find(bus, QPCI_DEVFN(6 + i, 0));
        g_assert_null(dev);
    }

    /* The boundary values are accepted */
    rsp = device_add(qts, "good", "0x05",
                     "queues=4,pools=4,mac-filters=1024,vlan-filters=0,"
                     "speed=400000");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    vmqnic_init(&d, bus, QPCI_DEVFN(5, 0));
    vmqnic_assert_reg(&d, A_NUM_QUEUES, 4);
    vmqnic_assert_reg(&d, A_NUM_POOLS, 4);
    vmqnic_assert_reg(&d, A_NUM_MAC_FILTERS, 1024);
    vmqnic_assert_reg(&d, A_NUM_VLAN_FILTERS, 0);
    vmqnic_assert_reg(&d, A_LINK_SPEED, 400000);
    vmqnic_assert_reg(&d, A_VMDQ_CTRL, R_VMDQ_CTRL_REPL_EN_MASK);

    qpci_free_pc(bus);
    qtest_quit(qts);
}

/* Change registers that check_reset_values() checks (needs 2 VLAN filters) */
static void dirty_registers(QVmqnic *d)
{
    vmqnic_wr_check(d, A_SCRATCH, 0x5a5a1234);
    vmqnic_wr_check(d, A_CTRL, R_CTRL_TX_EN_MASK);
    vmqnic_wr_check(d, A_VMDQ_CTRL, 3);
    vmqnic_wr_check(d, A_MISC_IMS, R_MISC_ICR_SW_MASK);
    vmqnic_wr_check(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 2);
    vmqnic_wr_check(d, A_VEC_IMS, VEC_BIT(2));
    vmqnic_wr_check(d, VEC_ITR(2), R_VEC_ITR_AUTOMASK_MASK);
    vmqnic_reg_write(d, A_MISC_ICS,
                     R_MISC_ICR_SW_MASK | R_MISC_ICR_SPOOF_MASK);
    vmqnic_assert_reg(d, A_MISC_ICR,
                      R_MISC_ICR_SW_MASK | R_MISC_ICR_SPOOF_MASK);
    vmqnic_wr_check(d, RXQ(1, Q_BASE_LO), 0x100000);
    vmqnic_wr_check(d, RXQ(1, Q_LEN), 8);
    vmqnic_wr_check(d, RXQ(1, Q_BUFSZ), 2048);
    vmqnic_wr_check(d, RXQ(1, Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    vmqnic_wr_check(d, TXQ(1, Q_VEC), R_Q_VEC_VALID_MASK | 0);
    vmqnic_wr_check(d, POOL(0, POOL_CTRL), 0);
    vmqnic_wr_check(d, POOL(1, POOL_MAXFRAME), 9018);
    vmqnic_wr_check(d, POOL(1, POOL_RSS_KEY), 0x6d5a56da);
    vmqnic_wr_check(d, MACF(0, MACF_LO), 0xffffffff);
    vmqnic_wr_check(d, MACF(2, MACF_HI), R_MACF_HI_VALID_MASK | 1);
    vmqnic_wr_check(d, VLANF(1, VLANF_CTRL), R_VLANF_CTRL_VALID_MASK | 1);
    vmqnic_wr_check(d, VMQNIC_POOL_VLAN_REG(0, 0), 0x2);
    vmqnic_wr_check(d, A_MTA + 4 * 10, 0x400);
    vmqnic_reg_write(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 0x7ff);
    vmqnic_assert_reg(d, A_ERR_COUNT, 1);
}

static void check_reset_values(QVmqnic *d, const Props *p)
{
    vmqnic_assert_reg(d, A_SCRATCH, 0);
    vmqnic_assert_reg(d, A_CTRL, 0);
    vmqnic_assert_reg(d, A_VMDQ_CTRL, qpp_log2(p) | R_VMDQ_CTRL_REPL_EN_MASK);
    vmqnic_assert_reg(d, A_MISC_IMS, 0);
    vmqnic_assert_reg(d, A_MISC_ICR, 0);
    vmqnic_assert_reg(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK);
    vmqnic_assert_reg(d, A_VEC_IMS, 0);
    vmqnic_assert_reg(d, A_VEC_ICR, 0);
    vmqnic_assert_reg(d, VEC_ITR(2), 0);
    vmqnic_assert_reg(d, RXQ(1, Q_BASE_LO), 0);
    vmqnic_assert_reg(d, RXQ(1, Q_LEN), 0);
    vmqnic_assert_reg(d, RXQ(1, Q_CTRL), 0);
    vmqnic_assert_reg(d, RXQ(1, Q_BUFSZ), 0);
    vmqnic_assert_reg(d, RXQ(1, Q_STATUS), R_Q_STATUS_STOPPED_MASK);
    vmqnic_assert_reg(d, TXQ(1, Q_VEC), R_Q_VEC_VALID_MASK | 2);
    vmqnic_assert_reg(d, POOL(0, POOL_CTRL), VMQNIC_POOL0_CTRL_RESET);
    vmqnic_assert_reg(d, POOL(1, POOL_MAXFRAME), VMQNIC_DEFAULT_MAX_FRAME);
    vmqnic_assert_reg(d, POOL(1, POOL_RSS_KEY), 0);
    vmqnic_assert_reg(d, MACF(0, MACF_LO), 0x5e000002);
    vmqnic_assert_reg(d, MACF(2, MACF_HI), 0);
    vmqnic_assert_reg(d, VLANF(1, VLANF_CTRL), 0);
    vmqnic_assert_reg(d, VMQNIC_POOL_VLAN_REG(0, 0), 0);
    vmqnic_assert_reg(d, A_MTA + 4 * 10, 0);
    vmqnic_assert_reg(d, A_ERR_COUNT, 0);
    vmqnic_assert_reg(d, A_ERR_INFO, 0);
    g_assert_cmphex(vmqnic_reg_read(d, A_STATUS) & R_STATUS_LINK_UP_MASK, ==,
                    R_STATUS_LINK_UP_MASK);
}

static void test_flr(const void *opaque)
{
    Slot slot = (uintptr_t)opaque;
    Machine m;
    QVmqnic *d = &m.d;
    QPCIDevice *dev = &d->pci_dev;
    uint8_t exp;
    uint16_t ctl;

    machine_start_props(&m, slot, &default_props, NULL);
    vmqnic_msix_enable(d);
    check_reset_values(d, &default_props);
    dirty_registers(d);
    /* The SW cause fired vector 2 into its masked MSI-X entry */
    g_assert_true(vmqnic_msix_pending(d, 2));

    exp = qpci_find_capability(dev, PCI_CAP_ID_EXP, 0);
    g_assert_cmphex(exp, !=, 0);
    g_assert_cmphex(qpci_config_readl(dev, exp + PCI_EXP_DEVCAP) &
                    PCI_EXP_DEVCAP_FLR, ==, PCI_EXP_DEVCAP_FLR);
    ctl = qpci_config_readw(dev, exp + PCI_EXP_DEVCTL);
    qpci_config_writew(dev, exp + PCI_EXP_DEVCTL,
                       ctl | PCI_EXP_DEVCTL_BCR_FLR);

    /* The function was reset: decoding and MSI-X are off */
    g_assert_cmphex(qpci_config_readw(dev, PCI_COMMAND) &
                    (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER), ==, 0);
    g_assert_cmphex(qpci_config_readw(dev, exp + PCI_EXP_DEVCTL) &
                    PCI_EXP_DEVCTL_BCR_FLR, ==, 0);
    dev->msix_enabled = false;
    vmqnic_restore_config(d);

    check_reset_values(d, &default_props);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_INTX);
    /* Unlike CTRL.RST, an FLR also resets the MSI-X table and PBA */
    vmqnic_msix_enable(d);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_MSIX);
    g_assert_false(vmqnic_msix_pending(d, 2));
    g_assert_true(qpci_msix_masked(dev, 2));
    machine_stop(&m);
}

static void test_system_reset(const void *opaque)
{
    Slot slot = (uintptr_t)opaque;
    Machine m;
    QVmqnic *d = &m.d;

    machine_start_props(&m, slot, &reset_props, NULL);
    check_reset_values(d, &reset_props);
    dirty_registers(d);

    qtest_system_reset(m.qts);
    if (slot == SLOT_Q35_RP) {
        /* The root port lost its configuration as well */
        setup_root_port(m.bus);
    }
    vmqnic_restore_config(d);
    check_reset_values(d, &reset_props);
    machine_stop(&m);
}

/* Migration */

static void mig_dirty(QVmqnic *d)
{
    int i;

    vmqnic_msix_enable(d);
    vmqnic_wr_check(d, A_SCRATCH, 0xc0ffee01);
    vmqnic_wr_check(d, A_CTRL, R_CTRL_RX_EN_MASK | R_CTRL_TX_EN_MASK);
    vmqnic_wr_check(d, A_VMDQ_CTRL, 2 | (3 << R_VMDQ_CTRL_DEF_POOL_SHIFT) |
                    R_VMDQ_CTRL_LOOPBACK_EN_MASK |
                    R_VMDQ_CTRL_VLAN_FILTER_EN_MASK);

    /* SW cause pending on a disabled vector 0 */
    vmqnic_wr_check(d, A_MISC_IMS, R_MISC_ICR_SW_MASK | R_MISC_ICR_LINK_MASK);
    vmqnic_reg_write(d, A_MISC_ICS, R_MISC_ICR_SW_MASK);
    /* vector 5 fired into the (masked) MSI-X table: PBA */
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(5));
    vmqnic_reg_write(d, VEC_REG(VEC_IMS, 40), VEC_BIT(40));
    vmqnic_reg_write(d, A_VEC_ICS, VEC_BIT(5));
    g_assert_true(vmqnic_msix_pending(d, 5));
    g_assert_false(vmqnic_msix_pending(d, 0));
    vmqnic_wr_check(d, VEC_ITR(3), R_VEC_ITR_AUTOMASK_MASK | 0x40);
    vmqnic_wr_check(d, VEC_ITR(128), 7);

    vmqnic_wr_check(d, RXQ(2, Q_BASE_LO), 0x300000);
    vmqnic_wr_check(d, RXQ(2, Q_LEN), 64);
    vmqnic_wr_check(d, RXQ(2, Q_BUFSZ), 2048);
    vmqnic_wr_check(d, RXQ(2, Q_TAIL), 3);
    vmqnic_wr_check(d, RXQ(2, Q_CTRL),
                    R_Q_CTRL_ENABLE_MASK | R_Q_CTRL_DROP_EN_MASK);
    vmqnic_wr_check(d, RXQ(2, Q_VEC), R_Q_VEC_VALID_MASK | 9);
    vmqnic_wr_check(d, TXQ(3, Q_BASE_LO), 0x400000);
    vmqnic_wr_check(d, TXQ(3, Q_LEN), 128);
    vmqnic_wr_check(d, TXQ(3, Q_TAIL), 100);
    /* nothing for the TX datapath to do: tail back to head */
    vmqnic_wr_check(d, TXQ(3, Q_TAIL), 0);
    vmqnic_wr_check(d, TXQ(3, Q_CTRL), R_Q_CTRL_ENABLE_MASK);
    vmqnic_wr_check(d, TXQ(3, Q_VEC), R_Q_VEC_VALID_MASK | 11);
    vmqnic_wr_check(d, RXQ(127, Q_BASE_HI), 0x12);
    vmqnic_wr_check(d, RXQ(127, Q_LEN), 16);

    vmqnic_wr_check(d, MACF(5, MACF_LO), 0xddccbbaa);
    vmqnic_wr_check(d, MACF(5, MACF_HI), R_MACF_HI_VALID_MASK | 0xffee);
    vmqnic_wr_check(d, MACF(5, MACF_POOLS_LO), 0x30);
    vmqnic_wr_check(d, MACF(5, MACF_POOLS_HI), 0x1);
    vmqnic_wr_check(d, MACF(5, MACF_VLAN),
                    (VMQNIC_MACF_VLAN_EXACT << R_MACF_VLAN_MODE_SHIFT) | 100);

    vmqnic_wr_check(d, POOL(7, POOL_CTRL), 0x235);
    vmqnic_wr_check(d, POOL(7, POOL_MAXFRAME), 9000);
    vmqnic_wr_check(d, POOL(7, POOL_DEFVLAN), R_POOL_DEFVLAN_INSERT_MASK | 5);
    vmqnic_wr_check(d, POOL(7, POOL_RSS_TYPES), 0x1f);
    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        vmqnic_wr_check(d, POOL(7, POOL_RSS_KEY) + 4 * i, 0x9e3779b9 * (i + 1));
    }
    for (i = 0; i < VMQNIC_RETA_WORDS; i++) {
        vmqnic_wr_check(d, POOL(7, POOL_RETA) + 4 * i, 0x01000100 ^ (i & 1));
    }
    vmqnic_wr_check(d, VMQNIC_POOL_VLAN_REG(3, 10), 0x00ff00ff);
    vmqnic_wr_check(d, VMQNIC_POOL_VLAN_REG(63, 127), 0x80000000);
    vmqnic_wr_check(d, VLANF(2, VLANF_CTRL), R_VLANF_CTRL_VALID_MASK | 200);
    vmqnic_wr_check(d, VLANF(2, VLANF_POOLS_LO), 0x88);
    vmqnic_wr_check(d, VLANF(2, VLANF_POOLS_HI), 0x2);
    vmqnic_wr_check(d, A_MTA + 4 * 5, 0x1234);
    vmqnic_wr_check(d, A_MTA + 4 * 100, 0x80000000);

    /* an error: not read back here (reading clears ERR_INFO.VALID) */
    vmqnic_reg_write(d, A_MISC_VEC, R_MISC_VEC_VALID_MASK | 0x7ff);
}

/* Registers compared between source and destination */
static GArray *mig_regs(void)
{
    static const uint32_t regs[] = {
        A_SCRATCH, A_CTRL, A_STATUS, A_ERR_COUNT, A_VMDQ_CTRL,
        A_MISC_ICR, A_MISC_IMS, A_MISC_VEC,
        A_VEC_IMS, A_VEC_IMS + 4, VEC_ITR(3), VEC_ITR(128), VEC_ITR(0),
        RXQ(2, Q_BASE_LO), RXQ(2, Q_BASE_HI), RXQ(2, Q_LEN), RXQ(2, Q_HEAD),
        RXQ(2, Q_TAIL), RXQ(2, Q_CTRL), RXQ(2, Q_BUFSZ), RXQ(2, Q_STATUS),
        RXQ(2, Q_VEC), RXQ(2, Q_ERR),
        TXQ(3, Q_BASE_LO), TXQ(3, Q_LEN), TXQ(3, Q_TAIL), TXQ(3, Q_CTRL),
        TXQ(3, Q_STATUS), TXQ(3, Q_VEC),
        RXQ(127, Q_BASE_HI), RXQ(127, Q_LEN), RXQ(127, Q_VEC),
        MACF(0, MACF_LO), MACF(0, MACF_HI), MACF(0, MACF_POOLS_LO),
        MACF(5, MACF_LO), MACF(5, MACF_HI), MACF(5, MACF_POOLS_LO),
        MACF(5, MACF_POOLS_HI), MACF(5, MACF_VLAN),
        POOL(0, POOL_CTRL), POOL(7, POOL_CTRL), POOL(7, POOL_MAXFRAME),
        POOL(7, POOL_DEFVLAN), POOL(7, POOL_RSS_TYPES), POOL(7, POOL_QUEUES),
        POOL(40, POOL_QUEUES),
        VMQNIC_POOL_VLAN_REG(3, 10), VMQNIC_POOL_VLAN_REG(63, 127),
        VLANF(2, VLANF_CTRL), VLANF(2, VLANF_POOLS_LO),
        VLANF(2, VLANF_POOLS_HI),
        A_MTA + 4 * 5, A_MTA + 4 * 100,
    };
    GArray *a = g_array_new(false, false, sizeof(uint32_t));
    uint32_t r;
    int i;

    g_array_append_vals(a, regs, ARRAY_SIZE(regs));
    for (i = 0; i < VMQNIC_RSS_KEY_WORDS; i++) {
        r = POOL(7, POOL_RSS_KEY) + 4 * i;
        g_array_append_val(a, r);
    }
    for (i = 0; i < VMQNIC_RETA_WORDS; i++) {
        r = POOL(7, POOL_RETA) + 4 * i;
        g_array_append_val(a, r);
    }
    return a;
}

static char *mig_status(QTestState *qts)
{
    QDict *rsp = qtest_qmp_assert_success_ref(qts,
                                              "{'execute': 'query-migrate'}");
    char *status = g_strdup(qdict_get_try_str(rsp, "status"));

    qobject_unref(rsp);
    return status;
}

/* Wait for the end of the migration on @qts; returns its final status */
static char *mig_wait(QTestState *qts)
{
    gint64 end = g_get_monotonic_time() +
                 MIGRATION_TIMEOUT_S * G_USEC_PER_SEC;

    for (;;) {
        char *status = mig_status(qts);

        if (!g_strcmp0(status, "completed") ||
            !g_strcmp0(status, "failed") ||
            !g_strcmp0(status, "cancelled")) {
            return status;
        }
        if (g_get_monotonic_time() > end) {
            g_error("migration still '%s' after %d s", status,
                    MIGRATION_TIMEOUT_S);
        }
        g_free(status);
        g_usleep(5000);
    }
}

static bool vm_running(QTestState *qts)
{
    QDict *rsp = qtest_qmp_assert_success_ref(qts,
                                              "{'execute': 'query-status'}");
    bool running = qdict_get_bool(rsp, "running");

    qobject_unref(rsp);
    return running;
}

/*
 * Migrate @src to a new QEMU started with @dst_props; the destination's
 * status is returned, the source is waited for too.
 */
static char *migrate(Machine *src, Machine *dst, const Props *dst_props)
{
    g_autofree char *tmp = g_dir_make_tmp("vmqnic-mig-XXXXXX", NULL);
    g_autofree char *sock = g_strdup_printf("%s/sock", tmp);
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree char *src_status = NULL;
    char *dst_status;

    g_assert(tmp);
    machine_start_props(dst, src->slot, dst_props, "-incoming defer");
    qtest_qmp_assert_success(dst->qts,
                             "{'execute': 'migrate-incoming', 'arguments':"
                             " {'uri': %s, 'exit-on-error': false}}", uri);
    qtest_qmp_assert_success(src->qts,
                             "{'execute': 'migrate', 'arguments':"
                             " {'uri': %s}}", uri);
    dst_status = mig_wait(dst->qts);
    src_status = mig_wait(src->qts);
    if (!strcmp(dst_status, "completed")) {
        g_assert_cmpstr(src_status, ==, "completed");
    }

    unlink(sock);
    rmdir(tmp);
    return dst_status;
}

static void test_migration(void)
{
    Machine src, dst;
    g_autoptr(GArray) regs = mig_regs();
    g_autofree uint32_t *vals = g_new(uint32_t, regs->len);
    g_autofree char *status = NULL;
    QVmqnic *d;
    int i;

    machine_start_props(&src, SLOT_PC, &default_props, NULL);
    mig_dirty(&src.d);
    for (i = 0; i < regs->len; i++) {
        vals[i] = vmqnic_reg_read(&src.d, g_array_index(regs, uint32_t, i));
    }
    /* Not tautological: the state differs from a reset device */
    g_assert_cmphex(vals[0], ==, 0xc0ffee01);
    vmqnic_assert_reg(&src.d, A_MISC_ICR, R_MISC_ICR_SW_MASK);
    vmqnic_assert_reg(&src.d, A_ERR_COUNT, 1);

    status = migrate(&src, &dst, &default_props);
    g_assert_cmpstr(status, ==, "completed");
    g_assert_true(vm_running(dst.qts));

    /* The guest's PCI programming came along: same BARs, MSI-X on */
    d = &dst.d;
    *d = src.d;
    d->pci_dev.bus = dst.bus;
    g_assert_cmphex(qpci_config_readl(&d->pci_dev, PCI_BASE_ADDRESS_0), ==,
                    d->mmio.addr);

    for (i = 0; i < regs->len; i++) {
        uint32_t reg = g_array_index(regs, uint32_t, i);
        uint32_t v = vmqnic_reg_read(d, reg);

        if (v != vals[i]) {
            g_error("register 0x%05x: 0x%08x on the source, 0x%08x on the "
                    "destination", reg, vals[i], v);
        }
    }
    g_assert_cmphex(vmqnic_reg_read(d, A_ERR_INFO) & (R_ERR_INFO_VALID_MASK |
                                                      R_ERR_INFO_CODE_MASK), ==,
                    R_ERR_INFO_VALID_MASK | VMQNIC_ERR_BAD_VECTOR);
    g_assert_cmphex(vmqnic_read_int_mode(d), ==, VMQNIC_INT_MODE_MSIX);

    /* Interrupt state: the PBA came along, the pending cause too */
    g_assert_true(vmqnic_msix_pending(d, 5));
    g_assert_false(vmqnic_msix_pending(d, 0));
    vmqnic_reg_write(d, A_VEC_IMS, VEC_BIT(0));
    g_assert_true(vmqnic_msix_pending(d, 0));
    vmqnic_reg_write(d, VEC_REG(VEC_ICS, 40), VEC_BIT(40));
    g_assert_true(vmqnic_msix_pending(d, 40));

    machine_stop(&dst);
    machine_stop(&src);
}

static void test_migration_mismatch(const void *opaque)
{
    const Props *dst_props = opaque;
    Machine src, dst;
    g_autofree char *status = NULL;

    machine_start_props(&src, SLOT_PC, &default_props, NULL);
    vmqnic_wr_check(&src.d, A_SCRATCH, 1);

    status = migrate(&src, &dst, dst_props);
    if (strcmp(status, "failed")) {
        g_error("migration to a vmqnic with %s ended '%s'", dst_props->opts,
                status);
    }
    g_assert_false(vm_running(dst.qts));

    machine_stop(&dst);
    machine_stop(&src);
}

static const Props mismatch_props[] = {
    { .name = "queues", .opts = "queues=64", .mac_last = 0x10 },
    { .name = "pools", .opts = "pools=32", .mac_last = 0x10 },
    { .name = "mac-filters", .opts = "mac-filters=256", .mac_last = 0x10 },
    { .name = "vlan-filters", .opts = "vlan-filters=32", .mac_last = 0x10 },
};

int main(int argc, char **argv)
{
    static PropsTest props_tests[3][ARRAY_SIZE(props_sets)];
    int s, i;

    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_device("vmqnic")) {
        return 0;
    }

    for (s = 0; s < ARRAY_SIZE(slot_names); s++) {
        g_autofree char *path = NULL;

        if (s != SLOT_PC && !qtest_has_machine("q35")) {
            continue;
        }
        for (i = 0; i < ARRAY_SIZE(props_sets); i++) {
            g_autofree char *p = g_strdup_printf("/vmqnic/props/%s/%s",
                                                 slot_names[s],
                                                 props_sets[i].name);

            props_tests[s][i].slot = s;
            props_tests[s][i].props = &props_sets[i];
            qtest_add_data_func(p, &props_tests[s][i], test_props);
        }
        path = g_strdup_printf("/vmqnic/flr/%s", slot_names[s]);
        qtest_add_data_func(path, (void *)(uintptr_t)s, test_flr);
        g_free(path);
        path = g_strdup_printf("/vmqnic/system-reset/%s", slot_names[s]);
        qtest_add_data_func(path, (void *)(uintptr_t)s, test_system_reset);
    }
    qtest_add_func("/vmqnic/bad-props", test_bad_props);
    qtest_add_func("/vmqnic/migration/same", test_migration);
    for (i = 0; i < ARRAY_SIZE(mismatch_props); i++) {
        g_autofree char *p = g_strdup_printf("/vmqnic/migration/mismatch/%s",
                                             mismatch_props[i].name);

        qtest_add_data_func(p, &mismatch_props[i], test_migration_mismatch);
    }

    return g_test_run();
}

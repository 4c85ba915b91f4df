/*
 * libqos driver for the vmqnic PCIe VMDq network adapter
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/socket.h>
#include "hw/pci/pci_regs.h"
#include "hw/net/vmqnic_regs.h"
#include "../libqtest.h"
#include "qemu/module.h"
#include "qemu/sockets.h"
#include "qemu/iov.h"
#include "qgraph.h"
#include "pci.h"
#include "vmqnic.h"

void vmqnic_init(QVmqnic *d, QPCIBus *bus, int devfn)
{
    QPCIAddress addr = {
        .devfn = devfn,
        .vendor_id = VMQNIC_PCI_VENDOR_ID,
        .device_id = VMQNIC_PCI_DEVICE_ID,
    };

    qpci_device_init(&d->pci_dev, bus, &addr);
    d->mmio = qpci_iomap(&d->pci_dev, VMQNIC_MMIO_BAR, NULL);
    qpci_device_enable(&d->pci_dev);
}

void vmqnic_restore_config(QVmqnic *d)
{
    QPCIDevice *dev = &d->pci_dev;

    qpci_config_writel(dev, PCI_BASE_ADDRESS_0 + 4 * VMQNIC_MMIO_BAR,
                       d->mmio.addr);
    if (dev->msix_table_bar.addr) {
        qpci_config_writel(dev, PCI_BASE_ADDRESS_0 + 4 * VMQNIC_MSIX_BAR,
                           dev->msix_table_bar.addr);
    }
    qpci_device_enable(dev);
    if (dev->msix_enabled) {
        uint8_t cap = qpci_find_capability(dev, PCI_CAP_ID_MSIX, 0);
        uint16_t val = qpci_config_readw(dev, cap + PCI_MSIX_FLAGS);

        g_assert_cmphex(cap, !=, 0);
        qpci_config_writew(dev, cap + PCI_MSIX_FLAGS,
                           val | PCI_MSIX_FLAGS_ENABLE);
    }
}

void vmqnic_wr_check(QVmqnic *d, uint32_t reg, uint32_t val)
{
    vmqnic_reg_write(d, reg, val);
    vmqnic_assert_reg(d, reg, val);
}

uint32_t vmqnic_guest_errs(QVmqnic *d)
{
    return vmqnic_reg_read(d, A_STAT_BASE + 8 * VMQNIC_STAT_GUEST_ERRS);
}

uint32_t vmqnic_read_int_mode(QVmqnic *d)
{
    return FIELD_EX32(vmqnic_reg_read(d, A_STATUS), STATUS, INT_MODE);
}

void vmqnic_check_value_refused(QVmqnic *d, uint32_t reg, uint32_t val,
                                uint32_t *count)
{
    uint32_t old = vmqnic_reg_read(d, reg);

    vmqnic_reg_write(d, reg, val);
    vmqnic_assert_reg(d, reg, old);
    *count += 1;
    vmqnic_assert_reg(d, A_ERR_COUNT, *count);
    /* QUEUE all ones (0x1ff): the error belongs to no queue */
    vmqnic_assert_reg(d, A_ERR_INFO, R_ERR_INFO_VALID_MASK |
                      R_ERR_INFO_QUEUE_MASK | VMQNIC_ERR_BAD_VALUE);
}

void vmqnic_msix_enable(QVmqnic *d)
{
    if (!d->pci_dev.msix_enabled) {
        qpci_msix_enable(&d->pci_dev);
    }
}

void vmqnic_msix_disable(QVmqnic *d)
{
    if (d->pci_dev.msix_enabled) {
        qpci_msix_disable(&d->pci_dev);
    }
}

static uint64_t vmqnic_msix_entry(QVmqnic *d, uint16_t entry)
{
    g_assert(d->pci_dev.msix_enabled);
    g_assert_cmpuint(entry, <, qpci_msix_table_size(&d->pci_dev));
    return d->pci_dev.msix_table_off + entry * PCI_MSIX_ENTRY_SIZE;
}

void vmqnic_msix_unmask(QVmqnic *d, uint16_t entry)
{
    QPCIDevice *dev = &d->pci_dev;
    uint64_t off = vmqnic_msix_entry(d, entry);
    uint64_t msg = d->msix_msg + 4 * entry;
    uint32_t ctrl;

    g_assert(d->msix_msg);
    qpci_io_writel(dev, dev->msix_table_bar, off + PCI_MSIX_ENTRY_LOWER_ADDR,
                   (uint32_t)msg);
    qpci_io_writel(dev, dev->msix_table_bar, off + PCI_MSIX_ENTRY_UPPER_ADDR,
                   msg >> 32);
    qpci_io_writel(dev, dev->msix_table_bar, off + PCI_MSIX_ENTRY_DATA,
                   VMQNIC_MSIX_DATA(entry));
    ctrl = qpci_io_readl(dev, dev->msix_table_bar,
                         off + PCI_MSIX_ENTRY_VECTOR_CTRL);
    qpci_io_writel(dev, dev->msix_table_bar, off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

void vmqnic_msix_mask(QVmqnic *d, uint16_t entry)
{
    QPCIDevice *dev = &d->pci_dev;
    uint64_t off = vmqnic_msix_entry(d, entry);
    uint32_t ctrl;

    ctrl = qpci_io_readl(dev, dev->msix_table_bar,
                         off + PCI_MSIX_ENTRY_VECTOR_CTRL);
    qpci_io_writel(dev, dev->msix_table_bar, off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

bool vmqnic_msix_pending(QVmqnic *d, uint16_t entry)
{
    g_assert_cmpuint(entry, <, qpci_msix_table_size(&d->pci_dev));
    return qpci_msix_pending(&d->pci_dev, entry);
}

static bool vmqnic_msix_msg_test_clear(QVmqnic *d, uint16_t entry)
{
    QTestState *qts = vmqnic_qts(d);
    uint64_t msg = d->msix_msg + 4 * entry;

    if (qtest_readl(qts, msg) != VMQNIC_MSIX_DATA(entry)) {
        return false;
    }
    qtest_writel(qts, msg, 0);
    return true;
}

bool vmqnic_msix_test_clear(QVmqnic *d, uint16_t entry)
{
    if (!qpci_msix_masked(&d->pci_dev, entry)) {
        return vmqnic_msix_msg_test_clear(d, entry);
    }
    if (!vmqnic_msix_pending(d, entry)) {
        return false;
    }
    if (d->msix_msg) {
        /* Unmasking delivers the pending message and clears the PBA bit */
        vmqnic_msix_unmask(d, entry);
        g_assert_false(vmqnic_msix_pending(d, entry));
        g_assert_true(vmqnic_msix_msg_test_clear(d, entry));
        vmqnic_msix_mask(d, entry);
    }
    return true;
}

QVmqnicSocket *vmqnic_socket_new(GString *cmd_line)
{
    QVmqnicSocket *s = g_new(QVmqnicSocket, 1);
    int ret = socketpair(PF_UNIX, SOCK_STREAM, 0, s->fds);

    g_assert_cmpint(ret, !=, -1);
    g_string_append_printf(cmd_line, " -netdev socket,fd=%d,id=%s ",
                           s->fds[1], VMQNIC_TEST_NETDEV);
    return s;
}

void vmqnic_socket_free(QVmqnicSocket *s)
{
    close(s->fds[0]);
    close(s->fds[1]);
    g_free(s);
}

void vmqnic_socket_send(QVmqnicSocket *s, const void *frame, uint32_t len)
{
    uint32_t be_len = htonl(len);
    struct iovec iov[] = {
        { .iov_base = &be_len, .iov_len = sizeof(be_len) },
        { .iov_base = (void *)frame, .iov_len = len },
    };
    ssize_t ret = iov_send(s->fds[0], iov, 2, 0, sizeof(be_len) + len);

    g_assert_cmpint(ret, ==, sizeof(be_len) + len);
}

static bool vmqnic_socket_wait(int fd, int timeout_ms)
{
    GPollFD pfd = { .fd = fd, .events = G_IO_IN };

    return g_poll(&pfd, 1, timeout_ms) == 1;
}

int vmqnic_socket_recv(QVmqnicSocket *s, void *buf, uint32_t size,
                       int timeout_ms)
{
    uint32_t be_len, len;
    ssize_t ret;

    if (!vmqnic_socket_wait(s->fds[0], timeout_ms)) {
        return -1;
    }
    ret = recv(s->fds[0], &be_len, sizeof(be_len), MSG_WAITALL);
    g_assert_cmpint(ret, ==, sizeof(be_len));
    len = ntohl(be_len);
    g_assert_cmpuint(len, <=, size);
    ret = recv(s->fds[0], buf, len, MSG_WAITALL);
    g_assert_cmpint(ret, ==, len);
    return len;
}

/* qgraph node */

static void *vmqnic_get_driver(void *obj, const char *interface)
{
    QVmqnic *d = obj;

    if (!g_strcmp0(interface, "vmqnic-if")) {
        return d;
    }
    if (!g_strcmp0(interface, "pci-device")) {
        return &d->pci_dev;
    }

    fprintf(stderr, "%s not present in vmqnic\n", interface);
    g_assert_not_reached();
}

static void vmqnic_start_hw(QOSGraphObject *obj)
{
    QVmqnic *d = (QVmqnic *)obj;

    qpci_device_enable(&d->pci_dev);
    vmqnic_msix_enable(d);
    if (d->msix_msg) {
        qtest_memset(vmqnic_qts(d), d->msix_msg, 0,
                     4 * qpci_msix_table_size(&d->pci_dev));
    }
}

static void vmqnic_destructor(QOSGraphObject *obj)
{
    QVmqnic *d = (QVmqnic *)obj;

    vmqnic_msix_disable(d);
    qpci_iounmap(&d->pci_dev, d->mmio);
}

static void *vmqnic_create(void *pci_bus, QGuestAllocator *alloc, void *addr)
{
    QVmqnic *d = g_new0(QVmqnic, 1);
    QPCIAddress *address = addr;

    qpci_device_init(&d->pci_dev, pci_bus, address);
    d->mmio = qpci_iomap(&d->pci_dev, VMQNIC_MMIO_BAR, NULL);
    d->msix_msg = guest_alloc(alloc, 4 * VMQNIC_MAX_VECTORS);
    g_assert(d->msix_msg);

    d->obj.get_driver = vmqnic_get_driver;
    d->obj.start_hw = vmqnic_start_hw;
    d->obj.destructor = vmqnic_destructor;

    return &d->obj;
}

static void vmqnic_register_nodes(void)
{
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(VMQNIC_TEST_SLOT, 0),
        .vendor_id = VMQNIC_PCI_VENDOR_ID,
        .device_id = VMQNIC_PCI_DEVICE_ID,
    };
    /*
     * No netdev here, so that generic "pci-device" tests can run too;
     * tests that need one add "netdev=hs0" in their edge options and
     * create it with vmqnic_socket_new().
     */
    QOSGraphEdgeOptions opts = {
        .extra_device_opts = "addr=04.0,mac=" VMQNIC_TEST_MAC_STR,
    };

    add_qpci_address(&opts, &addr);
    qos_node_create_driver("vmqnic", vmqnic_create);
    qos_node_consumes("vmqnic", "pci-bus", &opts);
    qos_node_produces("vmqnic", "pci-device");
    qos_node_produces("vmqnic", "vmqnic-if");
}

libqos_init(vmqnic_register_nodes);

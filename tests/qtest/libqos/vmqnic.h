/*
 * libqos driver for the vmqnic PCIe VMDq network adapter
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QGRAPH_VMQNIC_H
#define QGRAPH_VMQNIC_H

#include "qgraph.h"
#include "pci.h"
#include "libqos-malloc.h"

/* Options of the qgraph node: slot 4, netdev "hs0", a fixed MAC */
#define VMQNIC_TEST_SLOT            4
#define VMQNIC_TEST_NETDEV          "hs0"
#define VMQNIC_TEST_MAC_STR         "52:54:00:12:34:56"
#define VMQNIC_TEST_MAC             { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }

/* MSI-X messages written by the helpers below: data identifies the entry */
#define VMQNIC_MSIX_DATA(entry)     (0x4d580000u | (entry))

typedef struct QVmqnic QVmqnic;

struct QVmqnic {
    QOSGraphObject obj;
    QPCIDevice pci_dev;
    QPCIBar mmio;               /* BAR0: the register file */
    /*
     * Guest buffer of 4 bytes per MSI-X entry; unmasked entries write
     * VMQNIC_MSIX_DATA(entry) at msix_msg + 4 * entry.  0: none.
     */
    uint64_t msix_msg;
};

/* The test side of the "-netdev socket,fd=N,id=hs0" socket pair */
typedef struct QVmqnicSocket {
    int fds[2];                 /* fds[0]: test, fds[1]: QEMU */
} QVmqnicSocket;

static inline uint32_t vmqnic_reg_read(QVmqnic *d, uint32_t reg)
{
    return qpci_io_readl(&d->pci_dev, d->mmio, reg);
}

static inline void vmqnic_reg_write(QVmqnic *d, uint32_t reg, uint32_t val)
{
    qpci_io_writel(&d->pci_dev, d->mmio, reg, val);
}

static inline QTestState *vmqnic_qts(QVmqnic *d)
{
    return d->pci_dev.bus->qts;
}

/*
 * vmqnic_assert_reg: assert that register @reg reads @expected.  A
 * mismatch is reported with the register's offset and name first, so
 * that it is visible in nonfatal mode too.
 */
#define vmqnic_assert_reg(d, reg, expected) do {                         \
        uint32_t v_ = vmqnic_reg_read(d, reg);                           \
        if (v_ != (uint32_t)(expected)) {                                \
            g_test_message("%s:%d: register 0x%05x (%s) is 0x%08x, "     \
                           "expected 0x%08x", __func__, __LINE__,        \
                           (uint32_t)(reg), #reg, v_,                    \
                           (uint32_t)(expected));                        \
        }                                                                \
        g_assert_cmphex(v_, ==, (uint32_t)(expected));                   \
    } while (0)

/* Write @val to @reg and assert that it reads back unchanged */
void vmqnic_wr_check(QVmqnic *d, uint32_t reg, uint32_t val);

/* Bits 31:0 of the GUEST_ERRS statistic */
uint32_t vmqnic_guest_errs(QVmqnic *d);

/* STATUS.INT_MODE: the interrupt mode in use (VMQNIC_INT_MODE_*) */
uint32_t vmqnic_read_int_mode(QVmqnic *d);

/*
 * vmqnic_check_value_refused: write the out-of-range @val to @reg and
 * assert that the write is refused as a whole: the register keeps its
 * value, ERR_COUNT becomes *@count + 1 (stored back in *@count), and
 * ERR_INFO records error code 11 (BAD_VALUE) for no queue
 * (QUEUE = 0x1ff, TX = 0) with VALID set.
 */
void vmqnic_check_value_refused(QVmqnic *d, uint32_t reg, uint32_t val,
                                uint32_t *count);

/*
 * vmqnic_init: find the function at @devfn on @bus (asserting the
 * vmqnic IDs), map BAR0 and enable memory decoding and bus mastering.
 */
void vmqnic_init(QVmqnic *d, QPCIBus *bus, int devfn);

/*
 * vmqnic_restore_config: after a reset of the function (FLR, system
 * reset) reprogram BAR0/BAR1 at their previous addresses, enable the
 * device again and, if it was on, MSI-X.
 */
void vmqnic_restore_config(QVmqnic *d);

void vmqnic_msix_enable(QVmqnic *d);
void vmqnic_msix_disable(QVmqnic *d);

/* Program MSI-X table entry @entry to write to msix_msg and unmask it */
void vmqnic_msix_unmask(QVmqnic *d, uint16_t entry);
void vmqnic_msix_mask(QVmqnic *d, uint16_t entry);

/* The PBA bit of @entry */
bool vmqnic_msix_pending(QVmqnic *d, uint16_t entry);

/*
 * vmqnic_msix_test_clear: did @entry fire since the last call?
 * An unmasked entry is checked (and cleared) in guest memory; for a
 * masked entry the PBA bit is checked and, if msix_msg is set, the
 * pending message is consumed by unmasking the entry and checking that
 * it is delivered, then masking it again.
 */
bool vmqnic_msix_test_clear(QVmqnic *d, uint16_t entry);

/*
 * vmqnic_socket_new: create the socket pair behind
 * "-netdev socket,fd=N,id=hs0" and append that option to @cmd_line.
 * For a QOSGraphTestOptions.before callback; the test frees it with
 * vmqnic_socket_free() (after qos_invalidate_command_line(), as the
 * command line names the descriptor).
 */
QVmqnicSocket *vmqnic_socket_new(GString *cmd_line);
void vmqnic_socket_free(QVmqnicSocket *s);

/* Send one frame to the device through the socket netdev */
void vmqnic_socket_send(QVmqnicSocket *s, const void *frame, uint32_t len);

/*
 * Receive one frame the device sent, waiting up to @timeout_ms.
 * Returns its length, or -1 on timeout.
 */
int vmqnic_socket_recv(QVmqnicSocket *s, void *buf, uint32_t size,
                       int timeout_ms);

#endif

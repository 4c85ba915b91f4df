/*
 * vmqnic: QMP commands of a QEMU built without the device
 *
 * Copyright (c) 2026 The vmqnic developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-vmqnic.h"

VmqnicInfo *qmp_x_query_vmqnic(const char *id, Error **errp)
{
    error_setg(errp, "vmqnic is not available in this QEMU");
    return NULL;
}

void qmp_x_vmqnic_inject_fault(VmqnicFaultRequest *req, Error **errp)
{
    error_setg(errp, "vmqnic is not available in this QEMU");
}

void qmp_x_vmqnic_clear_faults(const char *id, bool has_fault,
                               VmqnicFaultType fault, Error **errp)
{
    error_setg(errp, "vmqnic is not available in this QEMU");
}

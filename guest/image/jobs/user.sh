# SPDX-License-Identifier: GPL-2.0-or-later
#
# User-mode networking: DHCP, ping the gateway, fetch a file from the host
# over TCP.  $VMQNIC_DRIVER names the NIC driver (default vmqnic);
# $VMQNIC_PORT and $VMQNIC_SHA256 describe the host's file.
. /jobs/lib.sh
drv=${VMQNIC_DRIVER:-vmqnic}

check load "modprobe $drv" modprobe "$drv"
wait_ifaces "$drv" 1
dev=$(ifaces_of "$drv" | head -n 1)
check netdev "$drv drives ${dev:-nothing}" test -n "$dev"
user_net_checks "$dev"
done_job

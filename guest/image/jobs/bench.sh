# SPDX-License-Identifier: GPL-2.0-or-later
#
# Target of the guest benchmark (bench/guestbench.py): the NIC driven by
# $VMQNIC_DRIVER (vmqnic, igb, e1000e or virtio_net) on user-mode
# networking at 10.0.2.15 serves iperf3 until the host has measured.
. /jobs/lib.sh
drv=${VMQNIC_DRIVER:-vmqnic}

no_ipv6
[ "$drv" = virtio_net ] && modprobe virtio_pci
check load "modprobe $drv" modprobe "$drv"
wait_ifaces "$drv" 1
dev=$(ifaces_of "$drv" | head -n 1)
ip link set "$dev" up
# guestbench.py --coalesce: ethtool -C arguments, commas for spaces
if [ -n "$VMQNIC_COALESCE" ]; then
    check coalesce "ethtool -C $dev $VMQNIC_COALESCE" \
        ethtool -C "$dev" $(echo "$VMQNIC_COALESCE" | tr , ' ')
fi
# DHCP and a ping: user-mode networking then knows the guest's address
check dhcp "udhcpc on $dev" udhcpc -i "$dev" -n -q -t 10 -T 2 \
    -s /etc/udhcpc/default.script
check ping "ping 10.0.2.2" ping -c 1 -W 5 10.0.2.2
check iperf3 "iperf3 server on $drv ($dev)" iperf3 -s -D -B 10.0.2.15
host measure >/dev/null
done_job

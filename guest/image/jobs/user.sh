# SPDX-License-Identifier: GPL-2.0-or-later
#
# User-mode networking: DHCP, ping the gateway, fetch a file from the host
# over TCP.  $VMQNIC_DRIVER names the NIC driver (default vmqnic);
# $VMQNIC_PORT and $VMQNIC_SHA256 describe the host's file.
. /jobs/lib.sh
drv=${VMQNIC_DRIVER:-vmqnic}

check load "modprobe $drv" modprobe "$drv"
wait_for 10 test -n "$(ifaces_of "$drv")"
dev=$(ifaces_of "$drv" | head -n 1)
check netdev "$drv drives ${dev:-nothing}" test -n "$dev"
ip link set "$dev" up
check dhcp "udhcpc on $dev" udhcpc -i "$dev" -n -q -t 10 -T 2 -s /etc/udhcpc/default.script
check address "10.0.2.15 on $dev" sh -c "ip -4 addr show $dev | grep -q 10.0.2.15"
check ping "ping 10.0.2.2" ping -c 3 -W 5 10.0.2.2
if [ -n "$VMQNIC_PORT" ]; then
    wget -q -O /tmp/blob "http://10.0.2.2:$VMQNIC_PORT/blob" 2>/tmp/wget.err
    got=$(sha256sum /tmp/blob 2>/dev/null | cut -d' ' -f1)
    check tcp-fetch "$(stat -c %s /tmp/blob 2>/dev/null) bytes over TCP" \
        test "$got" = "$VMQNIC_SHA256"
fi
done_job

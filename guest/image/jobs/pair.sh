# SPDX-License-Identifier: GPL-2.0-or-later
#
# Two guests whose vmqnics share a stream netdev: ping each other and run
# a TCP transfer (iperf3).  $VMQNIC_IP, $VMQNIC_PEER, $VMQNIC_ROLE
# (server or client).
. /jobs/lib.sh

no_ipv6
check load "modprobe vmqnic" modprobe vmqnic
wait_ifaces vmqnic 1
dev=$(ifaces_of vmqnic | head -n 1)
ip link set "$dev" up
ip addr add "$VMQNIC_IP/24" dev "$dev"
check peer-ping "ping $VMQNIC_PEER" wait_for 120 ping -c 1 -W 1 "$VMQNIC_PEER"
if [ "$VMQNIC_ROLE" = server ]; then
    check tcp-listen "iperf3 server" iperf3 -s -D -B "$VMQNIC_IP"
    host peerdone >/dev/null
else
    # the server may still be starting
    wait_for 60 iperf3 -c "$VMQNIC_PEER" -n 1K
    check tcp-transfer "iperf3 -c $VMQNIC_PEER -n 4M" \
        iperf3 -c "$VMQNIC_PEER" -n 4M
fi
got=$(counter "$dev" q0_rx_pkts)
check rx-counted "the driver's queue counters moved ($got)" test "${got:-0}" -gt 0
done_job

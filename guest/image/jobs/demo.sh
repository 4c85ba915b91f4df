# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main-job demo: the host (eth0, pool 0) and three "VMs" - macvlans
# whose frames the device steers to pools of their own - each talk to the
# user-mode network's gateway; the host side prints who got what.
. /jobs/lib.sh

no_ipv6
modprobe -a macvlan vmqnic
wait_ifaces vmqnic 1
dev=$(ifaces_of vmqnic | head -n 1)
pci=$(basename "$(readlink -f /sys/class/net/$dev/device)")
echo "=== guest: vmqnic driver on $dev ($pci), $(ethtool -l "$dev" | awk '/^Combined/ { v = $2 } END { print v }') queues"
ip link set "$dev" up
udhcpc -i "$dev" -n -q -t 10 -T 2 -s /etc/udhcpc/default.script >/dev/null 2>&1
ethtool -K "$dev" l2-fwd-offload on
for i in 1 2 3; do
    ip link add link "$dev" name "vm$i" address "02:00:00:00:00:0$i" \
        type macvlan mode bridge
    ip link set "vm$i" up
    udhcpc -i "vm$i" -n -q -t 10 -T 2 -s /etc/udhcpc/default.script \
        >/dev/null 2>&1
    echo "=== guest: VM vm$i $(cat /sys/class/net/vm$i/address)" \
         "$(ip -4 -o addr show vm$i | awk '{ print $4 }')" \
         "$(dmesg | sed -n "s/.*vm$i offloaded to \(pool [0-9]* (queues [0-9-]*)\).*/\1/p" | tail -n 1)"
done
# Different amounts of traffic so each row of the table is recognisable
n=5
for d in "$dev" vm1 vm2 vm3; do
    echo "=== guest: $d pings 10.0.2.2 $n times"
    ping -q -c "$n" -i 0.05 -W 5 -I "$d" 10.0.2.2 | tail -n 2 | head -n 1
    n=$((n + 10))
done
# Interrupts each queue vector took, for the host's table
grep "vmqnic-$pci" /proc/interrupts |
    awk '{ s = 0; for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print "@@IRQ", $NF, s }'
host snapshot >/dev/null
done_job

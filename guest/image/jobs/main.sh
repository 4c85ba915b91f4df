# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main real-guest test of vmqnic and its driver.  Two vmqnics:
# eth0 on user-mode networking, eth1 on a wire the host drives frame by
# frame (tests/guest/frames.py answers the "host" requests).
. /jobs/lib.sh

no_ipv6
modprobe -a macvlan 8021q
check load "modprobe vmqnic" modprobe vmqnic
wait_ifaces vmqnic 2
set -- $(ifaces_of vmqnic)
up=$1 dev=$2
check netdevs "vmqnic drives ${up:-nothing} and ${dev:-nothing}" test -n "$dev"
[ -n "$dev" ] || { done_job; exit; }
pci=$(basename "$(readlink -f /sys/class/net/$dev/device)")
mac=$(cat /sys/class/net/$dev/address)

# --- user-mode networking ------------------------------------------------
user_net_checks "$up"

# --- offloaded macvlans: one pool each -----------------------------------
ip link set "$dev" up
ip addr add 10.9.0.1/24 dev "$dev"
check l2fw-on "ethtool -K $dev l2-fwd-offload on" \
    ethtool -K "$dev" l2-fwd-offload on
for i in 0 1 2 3; do
    ip link add link "$dev" name "mv$i" address "02:00:00:00:10:0$i" \
        type macvlan mode bridge
    ip link set "mv$i" up
done
check stations "4 pools given to macvlans" test "$(counter "$dev" stations)" = 4

# The queues of each macvlan's pool, from the driver's log line
# "mvN offloaded to pool P (queues A-B)".
pool_queues() {
    dmesg | sed -n "s/.*$1 offloaded to pool [0-9]* (queues \([0-9]*\)-\([0-9]*\)).*/\1 \2/p" |
        tail -n 1
}
# Sum of a per-queue counter over queues A..B: qsum A B rx_pkts
qsum() {
    local q=$1 t=0
    while [ "$q" -le "$2" ]; do
        t=$((t + $(counter "$dev" "q${q}_$3")))
        q=$((q + 1))
    done
    echo $t
}
qirqs() {
    local q=$1 t=0
    while [ "$q" -le "$2" ]; do
        t=$((t + $(irqs "vmqnic-$pci-q$q")))
        q=$((q + 1))
    done
    echo $t
}

for i in 0 1 2 3; do
    set -- $(pool_queues "mv$i")
    a=${1:-0} b=${2:--1}
    eval "qa$i=$a qb$i=$b"
    before=$(qsum "$a" "$b" rx_pkts)
    ibefore=$(qirqs "$a" "$b")
    nbefore=$(netstat "mv$i" rx_packets)
    host udp "02:00:00:00:10:0$i" 20 >/dev/null
    wait_for 10 sh -c "[ \$(cat /sys/class/net/mv$i/statistics/rx_packets) -ge $((nbefore + 20)) ]"
    got=$(($(qsum "$a" "$b" rx_pkts) - before))
    check "macvlan-$i-pool" "20 frames to mv$i landed in its queues $a-$b ($got)" \
        test "$got" = 20
    check "macvlan-$i-netdev" "mv$i received them" \
        test "$(($(netstat "mv$i" rx_packets) - nbefore))" -ge 20
    check "macvlan-$i-irq" "vectors of queues $a-$b fired" \
        test "$(qirqs "$a" "$b")" -gt "$ibefore"
done

# Broadcasts: the PF's pool takes them and macvlan hands them to every
# macvlan in software; station pools do not accept broadcast (spec:
# "Using the device for Linux macvlan offload"), so no macvlan sees one
# twice.
pf_last=$(($(ethtool -l "$dev" | awk '/^Combined/ { v = $2 } END { print v }') - 1))
pf_before=$(qsum 0 "$pf_last" rx_pkts)
for i in 0 1 2 3; do
    eval "bb$i=\$(qsum \$qa$i \$qb$i rx_pkts)"
    eval "nb$i=\$(netstat mv$i rx_packets)"
done
host bcast 5 >/dev/null
sleep 1
check bcast-pf "5 broadcasts in the PF pool" \
    test "$(($(qsum 0 "$pf_last" rx_pkts) - pf_before))" = 5
for i in 0 1 2 3; do
    eval "got=\$((\$(qsum \$qa$i \$qb$i rx_pkts) - bb$i))"
    eval "net=\$((\$(netstat mv$i rx_packets) - nb$i))"
    check "bcast-mv$i" "mv$i got the 5 broadcasts once ($net), none in its pool ($got)" \
        test "$net" = 5 -a "$got" = 0
done
for i in 0 1 2 3; do
    ip link del "mv$i"
done
check stations-freed "pools released" test "$(counter "$dev" stations)" = 0

# --- VLAN filtering in hardware ------------------------------------------
ip link add link "$dev" name "$dev.100" type vlan id 100
ip link set "$dev.100" up
nbefore=$(netstat "$dev.100" rx_packets)
fbefore=$(counter "$dev" rx_filtered)
host udp "$mac" 10 100 >/dev/null
host udp "$mac" 10 200 >/dev/null
sleep 1
check vlan-member "10 frames of VID 100 reach $dev.100" \
    test "$(($(netstat "$dev.100" rx_packets) - nbefore))" = 10
check vlan-filtered "10 frames of VID 200 dropped by the device" \
    test "$(($(counter "$dev" rx_filtered) - fbefore))" = 10
ip link del "$dev.100"

# --- RSS over the PF pool's queues ---------------------------------------
# spread FLOWS EACH: send the flows, print how many queues got some.
spread() {
    local last q used total hit d
    last=$(($(ethtool -l "$dev" | awk '/^Combined/ { v = $2 } END { print v }') - 1))
    q=0
    while [ $q -le "$last" ]; do
        eval "r$q=\$(counter \$dev q${q}_rx_pkts)"
        q=$((q + 1))
    done
    host flows "$mac" 10.9.0.1 "$1" "$2" >/dev/null
    sleep 1
    used=0 q=0 total=0 hit=
    while [ $q -le "$last" ]; do
        eval "d=\$((\$(counter \$dev q${q}_rx_pkts) - r$q))"
        [ "$d" -gt 0 ] && used=$((used + 1)) && hit="$hit q$q:$d"
        total=$((total + d))
        q=$((q + 1))
    done
    echo "$used $total$hit"
}
set -- $(spread 16 4)
check rss-spread "16 TCP flows over $1 queues:$3 $4 $5 $6" \
    test "$1" -ge 2 -a "$2" = 64

# --- ethtool -L / -X / -C --------------------------------------------------
check channels-set "ethtool -L $dev combined 2" ethtool -L "$dev" combined 2
check channels-read "ethtool -l shows 2" \
    test "$(ethtool -l "$dev" | awk '/^Combined/ { v = $2 } END { print v }')" = 2
set -- $(spread 16 2)
check channels-rss "16 flows over the 2 queues left:$3 $4" \
    test "$1" = 2 -a "$2" = 32
check rxfh-set "ethtool -X $dev weight 0 1" ethtool -X "$dev" weight 0 1
set -- $(spread 16 2)
check rxfh-effect "every flow in q1:$3" test "$1" = 1 -a "$3" = "q1:32"
check rxfh-read "ethtool -x lists only queue 1" \
    sh -c "ethtool -x $dev | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if (\$i != 1) bad = 1 } END { exit bad }'"
# XPS: the PF's TX queue is the stack's choice.  Pings from CPU 0 leave
# by the queue XPS gives CPU 0, whichever that is (one flow would hash
# to the same queue both times).  Other frames may go out meanwhile (the
# guest answering earlier test traffic): only the pings' queue is checked.
xps_from_cpu0() {
    local q0 q1
    echo "$1" > "/sys/class/net/$dev/queues/tx-0/xps_cpus"
    echo "$2" > "/sys/class/net/$dev/queues/tx-1/xps_cpus"
    q0=$(counter "$dev" q0_tx_pkts) q1=$(counter "$dev" q1_tx_pkts)
    taskset 1 ping -c 5 -i 0.1 -W 1 10.9.0.2 >/dev/null 2>&1
    echo "$(($(counter "$dev" q0_tx_pkts) - q0))" \
         "$(($(counter "$dev" q1_tx_pkts) - q1))"
}
ip neigh replace 10.9.0.2 lladdr 52:54:00:aa:bb:cc dev "$dev"
set -- $(xps_from_cpu0 2 1)
check xps-q1 "XPS CPU 0 -> queue 1: 5 pings (q0:$1 q1:$2)" test "$2" -ge 5
set -- $(xps_from_cpu0 1 2)
check xps-q0 "XPS CPU 0 -> queue 0: 5 pings (q0:$1 q1:$2)" test "$1" -ge 5
xps_from_cpu0 0 0 >/dev/null

# Adaptive moderation (net_dim), off by default: once on, queue 0's vector
# starts at net_dim's 8 us and moves once net_dim has seen 64 interrupts
ethtool -X "$dev" weight 1 0
check coalesce-default "ethtool -c shows adaptive-rx off, rx-usecs 50" \
    sh -c "ethtool -c $dev | grep -q '^Adaptive RX: *off' &&
           ethtool -c $dev | grep -q '^rx-usecs: *50'"
check coalesce-adaptive "ethtool -C $dev adaptive-rx on" \
    ethtool -C "$dev" adaptive-rx on
answer=$(host itr nic1 0 8)
check coalesce-dim-start "adaptive-rx starts at 8 us ($answer)" \
    test "${answer%% *}" = ok
i=0
while [ $i -lt 300 ] && [ "${answer%% *}" = ok ]; do
    host udp "$mac" 2 >/dev/null
    answer=$(host itr nic1 0 8)
    i=$((i + 1))
done
check coalesce-dim-step "net_dim moved it after $i bursts ($answer)" \
    sh -c "echo ' 1 64 128 256 ' | grep -q ' ${answer#* } '"
check coalesce-dim-fixed "rx-usecs refused while adaptive-rx is on" \
    sh -c "! ethtool -C $dev rx-usecs 100 2>/dev/null"
ethtool -X "$dev" default
check coalesce-set "ethtool -C $dev adaptive-rx off rx-usecs 200" \
    ethtool -C "$dev" adaptive-rx off rx-usecs 200
check coalesce-read "ethtool -c shows 200, adaptive-rx off" \
    sh -c "ethtool -c $dev | grep -q '^rx-usecs: *200' &&
           ethtool -c $dev | grep -q '^Adaptive RX: *off'"
answer=$(host itr nic1 0 200)
check coalesce-device "the device's moderation interval follows ($answer)" \
    test "${answer%% *}" = ok
check offload-toggle "ethtool -K $dev tx off rx off, back on" \
    sh -c "ethtool -K $dev tx off rx off && ethtool -K $dev tx on rx on"

# RX refill after running out of pages: with every page allocation failing
# (the driver's rx_alloc_fail knob), 1000-byte frames (above the copy-break,
# so each takes its page) empty queue 0's ring.  Once pages can be had
# again, frames to an address the guest does not own (nothing sent back,
# so no TX completion on the queue's vector) must get through: only the
# driver's watchdog can restart the queue's refill.
rx_got_one() {
    host udp "$mac" 1 0 10.9.0.77 1000 >/dev/null
    test "$(counter "$dev" q0_rx_pkts)" -gt "$1"
}
ethtool -X "$dev" weight 1 0
knob=/sys/module/vmqnic/parameters/rx_alloc_fail
failed=$(counter "$dev" q0_rx_alloc_failed)
echo 1 > $knob
host udp "$mac" 400 0 10.9.0.77 1000 >/dev/null
sleep 1
check rx-starved "queue 0's refills failed ($failed -> $(counter "$dev" q0_rx_alloc_failed))" \
    test "$(counter "$dev" q0_rx_alloc_failed)" -gt "$failed"
rx=$(counter "$dev" q0_rx_pkts)
host udp "$mac" 20 0 10.9.0.77 1000 >/dev/null
check rx-starved-empty "an empty ring takes nothing ($rx, $(counter "$dev" q0_rx_pkts))" \
    test "$(counter "$dev" q0_rx_pkts)" = "$rx"
echo 0 > $knob
i=0
while [ $i -lt 50 ] && ! rx_got_one "$rx"; do    # host: not in wait_for
    sleep 0.2
    i=$((i + 1))
done
check rx-refill-watchdog "queue 0 receives again ($i frames sent first)" \
    test "$(counter "$dev" q0_rx_pkts)" -gt "$rx"
ethtool -X "$dev" default

# --- link state from QMP ---------------------------------------------------
host link nic1 down >/dev/null
check link-down "carrier off after set_link down" \
    wait_for 10 sh -c "[ \$(cat /sys/class/net/$dev/carrier) = 0 ]"
host link nic1 up >/dev/null
check link-up "carrier on after set_link up" \
    wait_for 10 sh -c "[ \$(cat /sys/class/net/$dev/carrier) = 1 ]"

# --- unload and load again -------------------------------------------------
check unload "rmmod vmqnic" rmmod vmqnic
check unloaded "no vmqnic netdevs left" test -z "$(ifaces_of vmqnic)"
check reload "modprobe vmqnic again" modprobe vmqnic
wait_ifaces vmqnic 2
up=$(ifaces_of vmqnic | head -n 1)
ip link set "$up" up
check reload-dhcp "udhcpc after reload" udhcpc -i "$up" -n -q -t 10 -T 2 \
    -s /etc/udhcpc/default.script
check reload-ping "ping 10.0.2.2 after reload" ping -c 2 -W 5 10.0.2.2
done_job

# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the guest jobs: report checks to the host and ask it for
# things over the serial console (tests/guest/guestlib.py is the other end).

# busybox's shell prefers its own applets: use iproute2's ip
ip() { /bin/ip "$@"; }

ok() { echo "@@OK $*"; }
fail() { echo "@@FAIL $*"; }
skip() { echo "@@SKIP $*"; }
done_job() { echo "@@DONE"; }

# check NAME DETAIL COMMAND...: run COMMAND, report NAME as ok or failed.
check() {
    local name=$1 detail=$2
    shift 2
    if "$@" >/tmp/check.out 2>&1; then
        ok "$name" "$detail"
    else
        fail "$name" "$detail: $(tail -n 3 /tmp/check.out | tr '\n' ' ')"
    fi
}

# host REQUEST...: ask the host, print its one-line answer.
host() {
    echo "@@HOST $*" >&2
    read -r answer
    echo "$answer"
}

# wait_for SECONDS COMMAND...: retry COMMAND every 0.2 s until it succeeds.
wait_for() {
    local n=$(($1 * 5))
    shift
    while [ $n -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
        n=$((n - 1))
    done
    return 1
}

# The netdev names of the PCI functions driven by DRIVER, in bus order.
ifaces_of() {
    for d in /sys/class/net/*; do
        [ "$(basename "$(readlink "$d/device/driver" 2>/dev/null)")" = "$1" ] &&
            echo "$(basename "$(readlink -f "$d/device")") ${d##*/}"
    done | sort | cut -d' ' -f2
}

# wait_ifaces DRIVER N: wait up to 10 s for N netdevs of DRIVER.
wait_ifaces() {
    local n=50
    while [ $n -gt 0 ]; do
        [ "$(ifaces_of "$1" | wc -l)" -ge "$2" ] && return 0
        sleep 0.2
        n=$((n - 1))
    done
    return 1
}

# counter IFACE NAME: one counter from ethtool -S.
counter() {
    ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2 }'
}

# sysfs counter of a netdev: netstat IFACE rx_packets
netstat() {
    cat "/sys/class/net/$1/statistics/$2"
}

# The interrupt count of the vector named NAME in /proc/interrupts.
irqs() {
    awk -v n="$1" '$NF == n { s = 0; for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' /proc/interrupts
}

# No IPv6 chatter: every frame on the wire is one the test sent.
no_ipv6() {
    echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
    echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
}

# User-mode networking on DEV: DHCP, ping the gateway, fetch from the host.
user_net_checks() {
    local dev=$1 got
    ip link set "$dev" up
    check dhcp "udhcpc on $dev" udhcpc -i "$dev" -n -q -t 10 -T 2 \
        -s /etc/udhcpc/default.script
    check address "10.0.2.15 on $dev" \
        sh -c "ip -4 addr show $dev | grep -q 10.0.2.15"
    check ping "ping 10.0.2.2" ping -c 3 -W 5 10.0.2.2
    if [ -n "$VMQNIC_PORT" ]; then
        rm -f /tmp/blob
        timeout 60 wget -q -O /tmp/blob "http://10.0.2.2:$VMQNIC_PORT/blob" 2>/tmp/wget.err
        got=$(sha256sum /tmp/blob 2>/dev/null | cut -d' ' -f1)
        check tcp-fetch "$(stat -c %s /tmp/blob 2>/dev/null) bytes over TCP" \
            test "$got" = "$VMQNIC_SHA256"
    fi
}

# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the guest jobs: report checks to the host and ask it for
# things over the serial console (tests/guest/guestlib.py is the other end).

ok() { echo "@@OK $*"; }
fail() { echo "@@FAIL $*"; }
skip() { echo "@@SKIP $*"; }
done_job() { echo "@@DONE"; }

# check NAME DETAIL COMMAND...: run COMMAND, report NAME as ok or failed.
check() {
    name=$1 detail=$2
    shift 2
    if "$@" >/tmp/check.out 2>&1; then
        ok "$name" "$detail"
    else
        fail "$name" "$detail: $(tail -n 3 /tmp/check.out | tr '\n' ' ')"
    fi
}

# host REQUEST...: ask the host, print its one-line answer.
host() {
    echo "@@HOST $*"
    read -r answer
    echo "$answer"
}

# wait_for SECONDS COMMAND...: retry COMMAND every 0.2 s until it succeeds.
wait_for() {
    n=$(($1 * 5))
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

# counter IFACE NAME: one counter from ethtool -S.
counter() {
    ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2 }'
}

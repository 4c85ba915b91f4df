# SPDX-License-Identifier: GPL-2.0-or-later
#
# Thin wrapper around the project's meson.build.
#
#   make run     build everything and boot a guest with -device vmqnic
#   make check   build everything and run every test (with a one-minute
#                fuzzing run, VMQNIC_FUZZ_SECONDS=N changes it, and the
#                qtests under ASan + UBSan)
#   make check-sanitizers  only the qtests under ASan + UBSan
#   make bench   build, then benchmark vmqnic against igb and e1000e
#                (build/bench/; BENCH_ARGS="--runs 5 --seconds 2")
#   make bench-guest   guest TCP throughput, also against virtio-net
#
# QEMU_SRC=/path/to/qemu-10.0 uses your own QEMU tree instead of
# Debian's source package.

BUILD ?= $(CURDIR)/build
MESON_BUILD := $(BUILD)/meson

.PHONY: all deps setup build check run bench bench-guest check-sanitizers clean distclean

all: build

deps:
	@scripts/install-deps.sh

setup: deps
	@if [ ! -f $(MESON_BUILD)/build.ninja ]; then \
	    meson setup $(MESON_BUILD) -Dbuild_root=$(BUILD); \
	fi

build: setup
	@meson compile -C $(MESON_BUILD)

check: setup
	@scripts/run-tests.sh $(MESON_BUILD)

# clang build with ASan, LSan and UBSan (build/qemu-fuzz, shared with the
# fuzzer), then every vmqnic qtest against it
check-sanitizers: deps
	@tests/run-sanitizers.sh

run: build
	@scripts/demo.py --build $(BUILD)

# Debian's python3-matplotlib draws the plots: the system interpreter
bench: build
	@scripts/install-deps.sh bench
	@/usr/bin/python3 bench/run-bench.py --build $(BUILD) $(BENCH_ARGS)

# The same NICs in a guest (TCG: several minutes per NIC and run)
bench-guest: build
	@/usr/bin/python3 bench/guestbench.py --build $(BUILD) $(BENCH_ARGS)

clean:
	rm -rf $(MESON_BUILD) $(BUILD)/qemu-build $(BUILD)/qemu-fuzz

distclean:
	rm -rf $(BUILD)

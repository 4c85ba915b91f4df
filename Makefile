# SPDX-License-Identifier: GPL-2.0-or-later
#
# Thin wrapper around the project's meson.build.
#
#   make run     build everything and boot a guest with -device vmqnic
#   make check   build everything and run every test
#
# QEMU_SRC=/path/to/qemu-10.0 uses your own QEMU tree instead of
# Debian's source package.

BUILD ?= $(CURDIR)/build
MESON_BUILD := $(BUILD)/meson

.PHONY: all deps setup build check run clean distclean

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

run: build
	@scripts/demo.py --build $(BUILD)

clean:
	rm -rf $(MESON_BUILD) $(BUILD)/qemu-build

distclean:
	rm -rf $(BUILD)

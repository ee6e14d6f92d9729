# SPDX-License-Identifier: GPL-2.0
#
# fbt top-level Makefile. `make` builds fbt.ko against KDIR; everything else
# (tests, guests, demo) is a named target below. See README.md.

KDIR ?= /lib/modules/$(shell uname -r)/build
# Kernel builds, extracted vmlinux images and initramfs live outside the repo.
export FBT_CACHE ?= $(HOME)/.cache/fbt

MODULE_SRCS := Kbuild $(wildcard core/*.[ch] emul/*.[ch] recorder/*.[ch])

.PHONY: all module modules-all deps host-test check demo fbtctl clean help vm-test coverage kunit bench

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Build against every installed kernel's headers with W=1; any warning fails.
modules-all:
	@tools/build-all-kernels.sh

deps:
	@tests/deps.sh

host-test:
	$(MAKE) -C tests/host

# Guests (tests/vm/): load and unload fbt.ko in every installed kernel;
# the emulator's share of function-entry sites, measured in each kernel.
vm-test: modules-all
	@tests/vm/run.sh --kernel all load-unload

coverage:
	@tests/vm/run.sh --kernel all --show entry-coverage

# KUnit (kunit/): build a 6.12 KUnit kernel from linux-source-6.12 (cached
# in $(FBT_CACHE)/kunit), boot it in qemu, print one ok/not ok per result.
kunit:
	@kunit/run.sh

# Benchmarks (tests/bench/, Documentation/performance.rst): per-hit cost
# against kprobes, arming against ftrace, memory, a workload; a table and
# a PNG in $(FBT_CACHE)/bench/. BENCH_KERNEL=6.1 or all for other kernels.
bench: modules-all
	@tests/bench/run.sh

check: deps
	@tests/check.sh

# The user CLI (tools/fbtctl/): ./tools/fbtctl/fbtctl, and its host tests.
fbtctl:
	$(MAKE) -C tools/fbtctl

# The seed's story in a guest of stock Debian 6.12 (DEMO_KERNEL=6.1: 6.1).
DEMO_KERNEL ?= 6.12
demo:
	@DEMO_KERNEL=$(DEMO_KERNEL) tools/demo.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tests/host clean
	$(MAKE) -C tools/fbtctl clean
	rm -rf .build

help:
	@echo "make            build fbt.ko against KDIR=$(KDIR)"
	@echo "make modules-all  build against every installed kernel, W=1, no warnings"
	@echo "make deps       install build and test dependencies (apt-get)"
	@echo "make check      install, build and run every test"
	@echo "make demo       boot a guest and show fbt at work (DEMO_KERNEL=6.1 for 6.1)"
	@echo "make fbtctl     build the CLI, tools/fbtctl/fbtctl"
	@echo "make vm-test    build, then load/unload fbt.ko in a guest of every kernel"
	@echo "make coverage   measure in guests which entry sites the emulator accepts"
	@echo "make bench      benchmark fbt against kprobes and ftrace in a guest (table + PNG)"
	@echo "make kunit      build a KUnit kernel (qemu, x86_64) and run fbt's KUnit suites"

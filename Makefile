# SPDX-License-Identifier: GPL-2.0
#
# fbt top-level Makefile. `make` builds fbt.ko against KDIR; everything else
# (tests, guests, demo) is a named target below. See README.md.

KDIR ?= /lib/modules/$(shell uname -r)/build
# Kernel builds, extracted vmlinux images and initramfs live outside the repo.
export FBT_CACHE ?= $(HOME)/.cache/fbt

MODULE_SRCS := Kbuild $(wildcard core/*.[ch] emul/*.[ch] recorder/*.[ch])

.PHONY: all module modules-all deps host-test check demo clean help

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

check: deps
	@tests/check.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tests/host clean
	rm -rf .build

help:
	@echo "make            build fbt.ko against KDIR=$(KDIR)"
	@echo "make modules-all  build against every installed kernel, W=1, no warnings"
	@echo "make deps       install build and test dependencies (apt-get)"
	@echo "make check      install, build and run every test"
	@echo "make demo       boot a guest and show fbt at work"

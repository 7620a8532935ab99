# SPDX-License-Identifier: GPL-2.0
#
# make            build mbox/mbox.ko with kbuild (make KDIR=..., W=1, C=2 work)
# make bins       the module, tools/mboxctl, examples and selftests/mbox
# make check      static checks, then the selftests in a QEMU VM; prints TAP
#                 lines and "N passed, N failed"
# make demo       boot the VM and run the producer/consumer demo
# make vm-shell   boot the VM with mbox.ko loaded and a shell on the console
# make clean
#
# check, demo and vm-shell install missing Debian packages first
# (scripts/deps.sh) and build for the kernel the VM boots
# (scripts/guest-kernel.sh), whatever KDIR says.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V)))
KSFT_INC := $(CURDIR)/build/ksrc/tools/testing/selftests
VM_KDIR = $(shell bash scripts/guest-kernel.sh --kdir)

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

bins: module ksrc
	$(MAKE) -C tools/mboxctl
	$(MAKE) -C examples
	$(MAKE) -C selftests/mbox KSFT_INC=$(KSFT_INC) UAPI_INC=$(CURDIR)/include/uapi

ksrc:
	@bash scripts/ksrc.sh

deps:
	@bash scripts/deps.sh

check: deps
	@MAKE="$(MAKE)" bash scripts/check.sh

demo: deps
	@$(MAKE) -s --no-print-directory bins KDIR=$(VM_KDIR)
	@bash scripts/vm.sh demo

vm-shell: deps
	$(MAKE) bins KDIR=$(VM_KDIR)
	bash scripts/vm.sh shell

clean:
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	$(MAKE) -C tools/mboxctl clean
	$(MAKE) -C examples clean
	$(MAKE) -C selftests/mbox clean
	rm -rf build

.PHONY: all module bins ksrc deps check demo vm-shell clean

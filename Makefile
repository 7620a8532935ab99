# SPDX-License-Identifier: GPL-2.0
#
# make              build mbox/mbox.ko with kbuild (make KDIR=..., W=1, C=2 work)
# make bins         the module, tools/mboxctl, examples and selftests/mbox
# make userspace    tools/mboxctl, examples and selftests/mbox only
# make check        static checks, then the selftests in a QEMU VM on Debian's
#                   stock kernel, then on the debug kernel (KASAN, lockdep,
#                   kmemleak, UBSAN); prints TAP lines and "N passed, N failed"
# make check-stock  build + the stock kernel's VM run only (no static checks)
# make check-debug  build + the debug kernel's VM run only (no static checks)
# make debug-kernel build (once; then cached in /var/cache/mbox) the debug
#                   kernel and print its build directory
# make debug-module build/debug-src/mbox/mbox.ko, for the debug kernel
# make demo         boot the VM and run the producer/consumer demo
# make vm-shell     boot the VM with mbox.ko loaded and a shell on the console
#                   (demo, vm-shell: VM_KERNEL=debug boots the debug kernel)
# make clean        (the debug kernel's cache stays)
#
# check*, demo and vm-shell install missing Debian packages first
# (scripts/deps.sh) and build for the kernel the VM boots
# (scripts/guest-kernel.sh, scripts/debug-kernel.sh), whatever KDIR says.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V)))
KSFT_INC := $(CURDIR)/build/ksrc/tools/testing/selftests
VM_KDIR = $(shell bash scripts/guest-kernel.sh --kdir)
VM_KERNEL ?= stock

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

bins: module userspace

userspace: ksrc
	$(MAKE) -C tools/mboxctl
	$(MAKE) -C examples
	$(MAKE) -C selftests/mbox KSFT_INC=$(KSFT_INC) UAPI_INC=$(CURDIR)/include/uapi

ksrc:
	@bash scripts/ksrc.sh

deps:
	@bash scripts/deps.sh

debug-kernel:
	@bash scripts/debug-kernel.sh

debug-module:
	@bash scripts/debug-module.sh

check: deps
	@MAKE="$(MAKE)" bash scripts/check.sh all

check-stock: deps
	@MAKE="$(MAKE)" bash scripts/check.sh stock

check-debug: deps
	@MAKE="$(MAKE)" bash scripts/check.sh debug

# The binaries for the kernel the VM boots.
vm-bins:
ifeq ($(VM_KERNEL),debug)
	@$(MAKE) -s --no-print-directory userspace debug-module
else
	@$(MAKE) -s --no-print-directory bins KDIR=$(VM_KDIR)
endif

demo: deps
	@$(MAKE) -s --no-print-directory vm-bins
	@bash scripts/vm.sh demo $(VM_KERNEL)

vm-shell: deps
	@$(MAKE) -s --no-print-directory vm-bins
	bash scripts/vm.sh shell $(VM_KERNEL)

clean:
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	$(MAKE) -C tools/mboxctl clean
	$(MAKE) -C examples clean
	$(MAKE) -C selftests/mbox clean
	rm -rf build

.PHONY: all module bins userspace ksrc deps debug-kernel debug-module check check-stock \
	check-debug vm-bins demo vm-shell clean

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
# make bench        build mbox.ko (normal build) for the stock kernel and
#                   tools/mbox-bench, boot the VM and compare mbox with SysV
#                   msg, POSIX mqueue, a pipe and SOCK_SEQPACKET; ratio table,
#                   CSV and plot in build/bench/ (needs gnuplot-nox)
# make vm-shell     boot the VM with mbox.ko loaded and a shell on the console
#                   (demo, vm-shell: VM_KERNEL=debug boots the debug kernel)
# make clean        (the debug kernel's cache stays)
# make install      the module (modules_install, depmod), mboxctl in
#                   $(PREFIX)/bin, <linux/mbox.h> in $(PREFIX)/include/linux
#                   and mboxctl.8 in $(PREFIX)/share/man/man8, all under
#                   $(DESTDIR); PREFIX defaults to /usr/local
# make dkms-install as root: register the module with DKMS and build it for
#                   every kernel with headers (scripts/dkms.sh)
# make dkms-uninstall
#
# check*, demo and vm-shell install missing Debian packages first
# (scripts/deps.sh) and build for the kernel the VM boots
# (scripts/guest-kernel.sh, scripts/debug-kernel.sh), whatever KDIR says.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V)))
KSFT_INC := $(CURDIR)/build/ksrc/tools/testing/selftests
VM_KDIR = $(shell bash scripts/guest-kernel.sh --kdir)
VM_KERNEL ?= stock
PREFIX ?= /usr/local
DESTDIR ?=
# The release modules_install installs for (Debian's headers carry the
# upstream version in kernel.release, the package's in utsrelease.h).
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The module's objects only (DKMS's CLEAN).
module-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

mboxctl:
	$(MAKE) -C tools/mboxctl

# modules_install installs into $(DESTDIR)/lib/modules/KVER/updates and runs
# depmod there (kbuild's INSTALL_MOD_PATH); depmod is run again so that a
# DESTDIR without System.map still gets its modules.dep.
install: module mboxctl
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install
	depmod -b "$(or $(DESTDIR),/)" $(KVER)
	install -D -m 755 tools/mboxctl/mboxctl $(DESTDIR)$(PREFIX)/bin/mboxctl
	install -D -m 644 include/uapi/linux/mbox.h \
		$(DESTDIR)$(PREFIX)/include/linux/mbox.h
	install -D -m 644 Documentation/mboxctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/mboxctl.8

dkms-install:
	bash scripts/dkms.sh install

dkms-uninstall:
	bash scripts/dkms.sh uninstall

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

bench: deps
	@bash scripts/deps.sh bench
	@$(MAKE) -s --no-print-directory bins KDIR=$(VM_KDIR)
	@$(MAKE) -s --no-print-directory -C tools/mbox-bench
	@bash scripts/bench.sh

vm-shell: deps
	@$(MAKE) -s --no-print-directory vm-bins
	bash scripts/vm.sh shell $(VM_KERNEL)

clean:
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	$(MAKE) -C tools/mboxctl clean
	$(MAKE) -C tools/mbox-bench clean
	$(MAKE) -C examples clean
	$(MAKE) -C selftests/mbox clean
	rm -rf build

.PHONY: all module module-clean mboxctl install dkms-install dkms-uninstall bins userspace ksrc deps debug-kernel debug-module check check-stock \
	check-debug vm-bins demo bench vm-shell clean

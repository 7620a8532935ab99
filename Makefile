# SPDX-License-Identifier: GPL-2.0
#
# make              build mbox/mbox.ko with kbuild (make KDIR=..., W=1, C=2 work)
# make bins         the module, tools/mboxctl, examples and selftests/mbox
# make userspace    lib (libmbox), tools/mboxctl, examples and selftests/mbox
#                   only
# make lib          libmbox.so.1, libmbox.a and mbox.pc in lib/; make install
#                   installs it too (make install-lib: it alone): the
#                   library and its links in $(PREFIX)/lib, <mbox.h>,
#                   lib/pkgconfig/mbox.pc and the section-3 pages
#
# The kernels mbox is tested on have names (scripts/kernel.sh): 6.1 (Debian
# 12), 6.12 (bookworm-backports, the LTS Debian 13 runs), 7.x (the newest
# 7.x in trixie-backports, built in a trixie build root) and debug
# (linux-source-6.1 + scripts/debug.config: KASAN, lockdep, kmemleak, UBSAN,
# failslab).  KERNELS="..." picks them; each is installed or built on first
# use and cached in /var/cache/mbox.
#
# make check        static checks, then for each of KERNELS (default
#                   "6.1 6.12 7.x debug"): mbox.ko built for it with W=1,
#                   sparse, dkms, and the whole selftest suite in a QEMU VM
#                   booting it; TAP lines tagged [6.1] [6.12] [7.x] [debug],
#                   a count per kernel and "N passed, N failed"
# make check-vm     the builds and VM runs of KERNELS only, no static checks
# make check-stock  check-vm with KERNELS=6.1;  make check-debug: KERNELS=debug
# make debug-kernel build (once; then cached) the debug kernel and print its
#                   build directory
# make demo         boot the VM and run the producer/consumer demo, on each
#                   of KERNELS (default 6.1)
# make bench        compare mbox with SysV msg, POSIX mqueue, a pipe and
#                   SOCK_SEQPACKET in the VM, on each of KERNELS (default
#                   6.1); ratio table, CSV and plot in build/bench/
#                   (needs gnuplot-nox)
# make vm-shell     boot the VM with mbox.ko loaded and a shell on the
#                   console, on the first of KERNELS (default 6.1)
# make clean        (the kernels' cache stays)
# make install      mboxctl in $(PREFIX)/bin, <linux/mbox.h> in
#                   $(PREFIX)/include/linux, mboxctl.8 and mbox.4 in
#                   $(PREFIX)/share/man/man8 and man4, and the module: for KDIR's
#                   kernel (modules_install, depmod), or with KERNELS=...
#                   for each of those kernels, all under $(DESTDIR); PREFIX
#                   defaults to /usr/local
# make dkms-install as root: register the module with DKMS and build it for
#                   every kernel with headers (scripts/dkms.sh)
# make dkms-uninstall
#
# check*, demo, bench and vm-shell install missing Debian packages first
# (scripts/deps.sh) and build for the kernels the VM boots, whatever KDIR
# says.

# The running kernel's headers, as for any kbuild module; on a host without
# them (a build machine), Debian 12's 6.1 (scripts/kernel.sh), never just
# the newest headers installed.
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build), \
	$(shell bash scripts/kernel.sh 6.1 kdir 2>/dev/null))
KSFT_INC := $(CURDIR)/build/ksrc/tools/testing/selftests
KERNELS ?=
export KERNELS
# demo, bench and vm-shell: Debian 12's kernel unless KERNELS says otherwise.
VM_KERNELS = $(or $(KERNELS),6.1)
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

lib:
	$(MAKE) -C lib

mboxctl: lib
	$(MAKE) -C tools/mboxctl

# modules_install installs into $(DESTDIR)/lib/modules/KVER/updates and runs
# depmod there (kbuild's INSTALL_MOD_PATH); depmod is run again so that a
# DESTDIR without System.map still gets its modules.dep.
# With KERNELS, scripts/install.sh builds for and installs into each kernel.
install: $(if $(KERNELS),install-kernels,install-kdir) mboxctl install-lib
	install -D -m 755 tools/mboxctl/mboxctl $(DESTDIR)$(PREFIX)/bin/mboxctl
	install -D -m 644 include/uapi/linux/mbox.h \
		$(DESTDIR)$(PREFIX)/include/linux/mbox.h
	install -D -m 644 Documentation/mboxctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/mboxctl.8
	install -D -m 644 Documentation/mbox.4 \
		$(DESTDIR)$(PREFIX)/share/man/man4/mbox.4

install-lib: lib
	$(MAKE) -C lib install DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)"

install-kdir: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install
	depmod -b "$(or $(DESTDIR),/)" $(KVER)

install-kernels:
	DESTDIR="$(DESTDIR)" bash scripts/install.sh $(KERNELS)

dkms-install:
	bash scripts/dkms.sh install

dkms-uninstall:
	bash scripts/dkms.sh uninstall

bins: module userspace

userspace: ksrc lib
	$(MAKE) -C tools/mboxctl
	$(MAKE) -C examples
	$(MAKE) -C selftests/mbox KSFT_INC=$(KSFT_INC) UAPI_INC=$(CURDIR)/include/uapi

ksrc:
	@bash scripts/ksrc.sh

deps:
	@bash scripts/deps.sh

debug-kernel:
	@bash scripts/debug-kernel.sh

check: deps
	@MAKE="$(MAKE)" bash scripts/check.sh all

check-vm: deps
	@MAKE="$(MAKE)" bash scripts/check.sh vm

check-stock: deps
	@KERNELS=6.1 MAKE="$(MAKE)" bash scripts/check.sh vm

check-debug: deps
	@KERNELS=debug MAKE="$(MAKE)" bash scripts/check.sh vm

# The userspace binaries, and mbox.ko for each kernel the VM boots.
vm-bins: userspace
	@for k in $(VM_KERNELS); do bash scripts/module.sh $$k || exit 1; done

demo: deps
	@$(MAKE) -s --no-print-directory vm-bins
	@for k in $(VM_KERNELS); do bash scripts/vm.sh demo $$k || exit 1; done

bench: deps
	@bash scripts/deps.sh bench
	@$(MAKE) -s --no-print-directory vm-bins
	@$(MAKE) -s --no-print-directory -C tools/mbox-bench
	@for k in $(VM_KERNELS); do bash scripts/bench.sh $$k || exit 1; done

vm-shell: deps
	@$(MAKE) -s --no-print-directory vm-bins KERNELS=$(firstword $(VM_KERNELS))
	bash scripts/vm.sh shell $(firstword $(VM_KERNELS))

clean:
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	$(MAKE) -C lib clean
	$(MAKE) -C tools/mboxctl clean
	$(MAKE) -C tools/mbox-bench clean
	$(MAKE) -C examples clean
	$(MAKE) -C selftests/mbox clean
	rm -rf build

.PHONY: all module module-clean lib mboxctl install install-lib install-kdir install-kernels dkms-install \
	dkms-uninstall bins userspace ksrc deps debug-kernel check check-vm check-stock \
	check-debug vm-bins demo bench vm-shell clean

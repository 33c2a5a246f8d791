# SPDX-License-Identifier: GPL-2.0
#
# tcpwave: the module (tcpwave.ko, sources in module/), the viewer
# (userspace/tcpwave) and the test programs (tests/progs/).
#
#   make                 module, viewer and test programs
#   make KDIR=DIR        build the module against the kernel tree in DIR
#   make demo            boot the test VM and show tcpwave on real traffic
#   make check           unit tests and VM tests; ends "N passed, N failed"
#   make check-debug     the VM tests on the debug kernel (lockdep, KASAN,
#                        kmemleak: scripts/debug-kernel.sh)
#   make fuzz            fuzz the viewer for FUZZ_SECONDS (600) per target
#   make bench           the benchmark (scripts/bench.sh): table in build/bench.md
#   make install         module, viewer and man pages; then "make uninstall"
#   make dkms-install    the module under DKMS; then "make dkms-uninstall"
#   make docs            docs/ladder.svg and docs/ladder.png for the README
#   make live-png        docs/live.png, the picture of "tcpwave --live"
#
# make check fuzzes for 30 s per target (tests/fuzz/run.sh); make fuzz is
# the long run, FUZZ_SECONDS=N for another length.
#
# KDIR defaults to the running kernel's build tree when it has one, and
# otherwise to the headers of the test VM's kernel (scripts/deps.sh
# installs them), never to something that merely matches "uname -r".

VM_KVER = $(shell scripts/kernel-version.sh)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),/usr/src/linux-headers-$(VM_KVER))

# The release KDIR is for: where modules_install puts the module and what
# depmod and DKMS are run for.  Derived from KDIR, never from uname -r.
KVER ?= $(shell scripts/kernel-release.sh $(KDIR))

# make install: DESTDIR stages the whole tree (the module and depmod's
# files included); PREFIX is for the viewer and the man pages only, the
# module goes where the kernel looks, /lib/modules/KVER/extra.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
INSTALL ?= install
DEPMOD ?= depmod
DKMS ?= dkms
# Not VERSION: the kernel's Makefile has one of its own.
TW_VERSION := $(shell cat VERSION)
# modules_install runs in KDIR, so a relative DESTDIR must be made absolute.
MOD_ROOT = $(abspath $(DESTDIR))
MOD_DIR = $(MOD_ROOT)/lib/modules/$(KVER)/extra
DKMS_SRC = /usr/src/tcpwave-$(TW_VERSION)

CC ?= gcc
CFLAGS ?= -O2 -g
PROG_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -I$(CURDIR)/module

MODULE_SRCS := $(wildcard module/*.c module/*.h) Kbuild
PROGS := tests/progs/tcpwave-traffic tests/progs/tcpwave-reader tests/progs/tcpwave-crr

.PHONY: all module viewer progs deps check check-unit check-vm demo docs \
	clean install install-module install-viewer install-man \
	uninstall uninstall-module uninstall-viewer uninstall-man fuzz \
	dkms-install dkms-uninstall kver live-png bench check-debug

all: module viewer progs

module: tcpwave.ko

tcpwave.ko: $(MODULE_SRCS)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The module for the test VM's kernel VERSION, out of the way of the
# top-level build: kbuild wants sources and objects in one directory.
# VM_KDIR names another tree (scripts/vm-run.sh passes the debug kernel's).

build/%/tcpwave.ko: $(MODULE_SRCS)
	mkdir -p build/$*/module
	cp -p Kbuild build/$*/
	cp -p module/*.c module/*.h build/$*/module/
	$(MAKE) -C $(or $(VM_KDIR),/usr/src/linux-headers-$*) M=$(CURDIR)/build/$* modules

viewer:
	$(MAKE) -C userspace

progs: $(PROGS)

tests/progs/%: tests/progs/%.c
	$(CC) $(PROG_CFLAGS) $(CFLAGS) -o $@ $< -lpthread

# demo and check do all the set-up a fresh Debian bookworm machine needs.
deps:
	scripts/deps.sh

check:
	scripts/deps.sh
	$(MAKE) all
	tests/check.sh

check-unit: viewer
	tests/check.sh unit

check-vm: all
	tests/check.sh vm

# The VM suite on the debug kernel, built first when not cached.
check-debug: all
	scripts/debug-kernel.sh >/dev/null
	tests/check.sh debug

FUZZ_SECONDS ?= 600
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/check.sh fuzz

bench: all
	scripts/bench.sh

docs: viewer
	scripts/docs.sh

# docs/live.png, the README's picture of --live, drawn anew.
live-png: viewer
	scripts/live-png.sh docs

demo:
	scripts/deps.sh
	$(MAKE) all
	scripts/demo.sh

# Fails, naming KDIR, when KVER could not be derived from it.
kver:
	@test -n "$(KVER)" || { echo "make: no kernel release for KDIR=$(KDIR); set KDIR or KVER" >&2; exit 1; }

install: install-module install-viewer install-man

# INSTALL_MOD_DIR is kbuild's default for external modules, spelled out
# because uninstall needs it.  The headers have no System.map, so kbuild
# skips depmod: run it here, for KVER, in DESTDIR when there is one.
install-module: module kver
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(MOD_ROOT) \
		INSTALL_MOD_DIR=extra modules_install
	@test -f $(MOD_DIR)/tcpwave.ko || { echo "make: KVER=$(KVER), but modules_install did not put tcpwave.ko in $(MOD_DIR)" >&2; exit 1; }
	$(DEPMOD) $(if $(DESTDIR),-b $(MOD_ROOT)) $(KVER)

install-viewer: viewer
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 userspace/tcpwave $(DESTDIR)$(BINDIR)/tcpwave

install-man:
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man4
	$(INSTALL) -m 0644 man/tcpwave.1 $(DESTDIR)$(MANDIR)/man1/tcpwave.1
	$(INSTALL) -m 0644 man/tcpwave.4 $(DESTDIR)$(MANDIR)/man4/tcpwave.4

uninstall: uninstall-module uninstall-viewer uninstall-man

uninstall-module: kver
	rm -f $(MOD_DIR)/tcpwave.ko
	if [ -d $(MOD_ROOT)/lib/modules/$(KVER) ]; then \
		$(DEPMOD) $(if $(DESTDIR),-b $(MOD_ROOT)) $(KVER); fi

uninstall-viewer:
	rm -f $(DESTDIR)$(BINDIR)/tcpwave

uninstall-man:
	rm -f $(DESTDIR)$(MANDIR)/man1/tcpwave.1 $(DESTDIR)$(MANDIR)/man4/tcpwave.4

# DKMS builds from /usr/src/tcpwave-VERSION: the top-level Kbuild, the
# sources under module/, and dkms.conf with VERSION filled in.  Run again,
# it replaces what an earlier run installed.
dkms-install: kver
	if [ -n "$$($(DKMS) status tcpwave/$(TW_VERSION))" ]; then \
		$(DKMS) remove tcpwave/$(TW_VERSION) --all; fi
	rm -rf $(DKMS_SRC)
	$(INSTALL) -d $(DKMS_SRC)/module
	$(INSTALL) -m 0644 Kbuild $(DKMS_SRC)/Kbuild
	$(INSTALL) -m 0644 module/*.c module/*.h $(DKMS_SRC)/module/
	sed 's/@VERSION@/$(TW_VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	$(DKMS) add tcpwave/$(TW_VERSION)
	$(DKMS) build -k $(KVER) tcpwave/$(TW_VERSION)
	$(DKMS) install -k $(KVER) tcpwave/$(TW_VERSION)

dkms-uninstall:
	if [ -n "$$($(DKMS) status tcpwave/$(TW_VERSION))" ]; then \
		$(DKMS) remove tcpwave/$(TW_VERSION) --all; fi
	rm -rf $(DKMS_SRC)

clean:
	if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean
	rm -f $(PROGS)
	rm -rf build

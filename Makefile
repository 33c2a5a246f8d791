# SPDX-License-Identifier: GPL-2.0
#
# tcpwave: the module (tcpwave.ko, sources in module/), the viewer
# (userspace/tcpwave) and the test programs (tests/progs/).
#
#   make                 module, viewer and test programs
#   make KDIR=DIR        build the module against the kernel tree in DIR
#   make demo            boot the test VM and show tcpwave on real traffic
#   make check           unit tests and VM tests; ends "N passed, N failed"
#   make live-png        docs/live.png, the picture of "tcpwave --live"
#
# KDIR defaults to the running kernel's build tree when it has one, and
# otherwise to the headers of the test VM's kernel (scripts/deps.sh
# installs them), never to something that merely matches "uname -r".

VM_KVER = $(shell scripts/kernel-version.sh)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),/usr/src/linux-headers-$(VM_KVER))

CC ?= gcc
CFLAGS ?= -O2 -g
PROG_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -I$(CURDIR)/module

MODULE_SRCS := $(wildcard module/*.c module/*.h) Kbuild
PROGS := tests/progs/tcpwave-traffic tests/progs/tcpwave-reader

.PHONY: all module viewer progs deps check check-unit check-vm demo clean \
	live-png

all: module viewer progs

module: tcpwave.ko

tcpwave.ko: $(MODULE_SRCS)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The module for the test VM's kernel VERSION, out of the way of the
# top-level build: kbuild wants sources and objects in one directory.
build/%/tcpwave.ko: $(MODULE_SRCS)
	mkdir -p build/$*/module
	cp -p Kbuild build/$*/
	cp -p module/*.c module/*.h build/$*/module/
	$(MAKE) -C /usr/src/linux-headers-$* M=$(CURDIR)/build/$* modules

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

# docs/live.png, the README's picture of --live, drawn anew.
live-png: viewer
	scripts/live-png.sh docs

demo:
	scripts/deps.sh
	$(MAKE) all
	scripts/demo.sh

clean:
	if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean
	rm -f $(PROGS)
	rm -rf build

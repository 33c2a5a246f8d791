#!/bin/sh
# Install, with apt, everything tcpwave needs to build the module and viewer
# and to boot the test VM, on a fresh Debian bookworm machine.
#
# Usage: scripts/deps.sh [KERNEL]...
#
# KERNEL is a flavour of scripts/kernel-version.sh (6.1, 6.12, 6.12-rt) or
# a Debian kernel version (6.1.0-NN-amd64).  Without any it installs the
# kernels of $KERNELS, by default all three of the test matrix, each with
# the linux-headers-* package that matches it.  The
# versioned package names (linux-image-6.1.0-NN-amd64, ...) change with every
# Debian kernel update, so they are resolved here, at install time, from the
# dependencies of the meta packages, never hard-coded.
#
# Exit status: 0 on success, non-zero if apt-get failed.
set -eu

export DEBIAN_FRONTEND=noninteractive

need_update=1
apt_install() {
	if [ "$need_update" = 1 ]; then
		apt-get update -qq
		need_update=0
	fi
	apt-get install -y -qq --no-install-recommends "$@"
}

# Tools for the build, the viewer, the initramfs, the VM and the unit tests
# (valgrind); linux-source only for scripts/checkpatch.pl, which the headers
# packages lack.  The scenario tools that tests/vm/scenarios.sh --flags
# copies into the VM: iproute2 (ip and tc with netns, veth, bridge, netem
# and clsact, which busybox's lack), tcpdump (the segments' ground truth)
# and libbpf-tools (tcpstates, the peer tool).
# For the install suite: dkms (make dkms-install), mandoc and groff-base
# (lint and render the man pages); kmod's depmod and modinfo check the
# installed module.
# libxml2-utils (xmllint) and librsvg2-bin (rsvg-convert): the unit tests
# check that --svg is valid XML that renders, and scripts/docs.sh draws
# docs/ladder.png.
# For --live: ncurses (libncurses-dev, found with pkg-config), tmux to
# test it in a real terminal (and procps's pgrep), fonts-dejavu-core to
# render its picture for the README (scripts/live-png.sh).
# time: /usr/bin/time -f %M, the peak RSS of tcpwave -E in the unit tests.
# libjansson-dev: the viewer's --json; pkg-config finds its flags; jq
# checks that output in the unit tests, promtool (package prometheus)
# the --prometheus output.
# clang and libclang-rt-dev (libFuzzer and the sanitizer runtimes, which
# clang only recommends): tests/fuzz/run.sh fuzzes the viewer's parser.
pkgs="build-essential make gcc libc6-dev linux-libc-dev kmod cpio gzip
      busybox-static qemu-system-x86 file xz-utils linux-source-6.1 valgrind
      iproute2 tcpdump libbpf-tools
      dkms mandoc groff-base
      libxml2-utils librsvg2-bin
      libjansson-dev pkg-config jq prometheus time
      libncurses-dev tmux procps fonts-dejavu-core
      clang libclang-rt-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

# kernel_pkgs KVER: the image and headers packages of KVER not installed.
kernel_pkgs() {
	if [ ! -e "/boot/vmlinuz-$1" ]; then
		if apt-cache show "linux-image-$1" >/dev/null 2>&1; then
			missing="$missing linux-image-$1"
		else
			missing="$missing linux-image-$1-unsigned"
		fi
	fi
	[ -e "/usr/src/linux-headers-$1/Makefile" ] ||
		missing="$missing linux-headers-$1"
}

[ $# -ge 1 ] || set -- ${KERNELS:-6.1 6.12 6.12-rt}
kvers=""
for k in "$@"; do
	# Resolve from apt's lists; without any, refresh them first.
	kver=$(sh "$(dirname "$0")/kernel-version.sh" "$k" 2>/dev/null) || kver=""
	if [ "$need_update" = 1 ] &&
	   { [ -z "$kver" ] || [ ! -e "/boot/vmlinuz-$kver" ]; }; then
		apt-get update -qq
		need_update=0
		kver=$(sh "$(dirname "$0")/kernel-version.sh" "$k")
	fi
	[ -n "$kver" ] || { echo "deps.sh: no Debian kernel for '$k'" >&2; exit 1; }
	kernel_pkgs "$kver"
	kvers="$kvers $kver"
done
dpkg-query -W -f='${Status}' linux-image-amd64 2>/dev/null |
	grep -q 'ok installed' || missing="$missing linux-image-amd64"

if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt_install $missing
fi

for kver in $kvers; do
	echo "deps.sh: kernel $kver ready (/boot/vmlinuz-$kver, /usr/src/linux-headers-$kver)"
done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the release of the kernel that the build tree KDIR is configured
# for: the UTS_RELEASE a module built there carries in its vermagic, and
# the /lib/modules/RELEASE that "make modules_install" installs into.
#
# Usage: scripts/kernel-release.sh KDIR
#
# Not "make -C KDIR kernelrelease", nor include/config/kernel.release
# alone: Debian's 6.1 headers answer the upstream version (6.1.NNN) there,
# and set the real release (6.1.0-NN-amd64) in utsrelease.h and by
# overriding KERNELRELEASE in their Makefile.  Never "uname -r": KDIR may
# be for any kernel.
set -eu

[ $# -eq 1 ] || { echo "usage: kernel-release.sh KDIR" >&2; exit 2; }
kdir=$1
uts=$kdir/include/generated/utsrelease.h
rel=""
if [ -r "$uts" ]; then
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts")
elif [ -r "$kdir/include/config/kernel.release" ]; then
	rel=$(cat "$kdir/include/config/kernel.release")
fi
[ -n "$rel" ] || {
	echo "kernel-release.sh: $kdir: no configured kernel tree (no $uts)" >&2
	exit 1
}
echo "$rel"

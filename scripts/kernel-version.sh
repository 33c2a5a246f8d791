#!/bin/sh
# Print the version of a Debian bookworm kernel the test VM can boot.
#
# Usage: scripts/kernel-version.sh [FLAVOUR]
#
#   6.1       Debian's default kernel, the one linux-image-amd64 depends
#             on now (6.1.0-NN-amd64); the default
#   6.12      the backported 6.12 of linux-image-6.12-amd64
#             (6.12.NN+deb12-amd64)
#   6.12-rt   its PREEMPT_RT build, linux-image-6.12-rt-amd64
#             (6.12.NN+deb12-rt-amd64)
#
# Any other FLAVOUR is taken to be a version already and printed as it is.
# The versioned package names change with every Debian kernel update, so
# they are resolved from the meta package's dependencies; when apt has no
# package lists, from the newest such kernel installed in /boot.
# scripts/deps.sh installs each kernel and its headers.
#
# Exit status: 0, or 1 when no such kernel is known.
set -eu
flavour=${1:-6.1}
case $flavour in
6.1) meta=linux-image-amd64; glob='6.1.*-amd64' ;;
6.12) meta=linux-image-6.12-amd64; glob='6.12.*+deb12-amd64' ;;
6.12-rt) meta=linux-image-6.12-rt-amd64; glob='6.12.*+deb12-rt-amd64' ;;
*) echo "$flavour"; exit 0 ;;
esac
kpkg=$(apt-cache depends "$meta" 2>/dev/null |
       sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1)
kver=${kpkg%-unsigned}
if [ -z "$kver" ]; then
	# ls -v: 6.12.9 before 6.12.107.
	for f in $(ls -v /boot/vmlinuz-$glob 2>/dev/null); do
		case $f in *-rt-amd64) [ "$flavour" = 6.12-rt ] || continue ;; esac
		kver=${f#/boot/vmlinuz-}
	done
fi
[ -n "$kver" ] || { echo "kernel-version.sh: no Debian $flavour kernel found; run scripts/deps.sh" >&2; exit 1; }
echo "$kver"

#!/bin/sh
# Print the kernel version the test VM boots by default: the one Debian's
# linux-image-amd64 meta package depends on now (6.1.0-NN-amd64 on
# bookworm), or, when apt has no package lists, the newest Debian kernel
# installed in /boot.  scripts/deps.sh installs that kernel and its headers.
set -eu
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1)
kver=${kpkg%-unsigned}
if [ -z "$kver" ]; then
	for f in /boot/vmlinuz-*-amd64; do
		[ -e "$f" ] && kver=${f#/boot/vmlinuz-}
	done
fi
[ -n "$kver" ] || { echo "kernel-version.sh: no Debian kernel found; run scripts/deps.sh" >&2; exit 1; }
echo "$kver"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build, once, the debug kernel the VM tests can boot
# (scripts/vm-run.sh --kernel debug): Debian's linux-source-6.1 with
# x86_64 defconfig + kvm_guest.config + scripts/debug-kernel.config, that
# is lockdep, KASAN, kmemleak, DEBUG_ATOMIC_SLEEP and DEBUG_LIST, and all
# that the tests need built in.
#
# Usage: scripts/debug-kernel.sh [--print]
#
# The built tree is kept in
#   ${TCPWAVE_CACHE:-/var/cache/tcpwave}/debug-SOURCEVERSION-HASH/
# where HASH covers this script and the config fragment: a second run is
# instant, a changed config builds a new tree.  An interrupted build
# carries on where it stopped.  The tree has arch/x86/boot/bzImage and
# Module.symvers, so "make -C TREE M=DIR modules" builds tcpwave.ko for it.
#
# --print only prints the tree's path (and fails when it is not built).
# Otherwise it prints the tree's path last, on stdout; the rest goes to
# stderr.
#
# The build tools that only this kernel needs (flex, bison, libelf-dev
# for objtool) are installed here, with apt, not by scripts/deps.sh, so
# that "make check" without the debug kernel does not pay for them.
#
# Exit status: 0 when the tree is built, 1 otherwise.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
prog=debug-kernel.sh
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$top/scripts/debug-kernel.config

die() {
	echo "$prog: $*" >&2
	exit 1
}

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed: run scripts/deps.sh"
[ -r "$tarball" ] || die "no $tarball: run scripts/deps.sh"
hash=$(cat "$0" "$fragment" | sha256sum | cut -c1-10)
cache=${TCPWAVE_CACHE:-/var/cache/tcpwave}
tree=$cache/debug-$srcver-$hash
stamp=$tree/.tcpwave-debug-built

if [ "${1:-}" = --print ]; then
	[ -e "$stamp" ] || die "no debug kernel in $tree: run scripts/debug-kernel.sh"
	echo "$tree"
	exit 0
fi
[ $# = 0 ] || { sed -n '10p' "$0" | sed 's/^# //' >&2; exit 2; }

if [ -e "$stamp" ]; then
	echo "$prog: cached: $(cat "$stamp")" >&2
	echo "$tree"
	exit 0
fi

missing=""
for p in flex bison libelf-dev bc libssl-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "$prog: installing$missing" >&2
	# Wait for another apt (deps.sh, a parallel build) rather than fail.
	apt=(apt-get -o DPkg::Lock::Timeout=900)
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq \
		--no-install-recommends $missing >&2 ||
		{ "${apt[@]}" update -qq && DEBIAN_FRONTEND=noninteractive \
			"${apt[@]}" install -y -qq --no-install-recommends $missing >&2; } ||
		die "apt-get install$missing failed"
fi

mkdir -p "$cache"
# One build at a time per tree; a second caller waits for the first.
exec 9>"$tree.lock"
flock 9
if [ -e "$stamp" ]; then
	echo "$tree"
	exit 0
fi

start=$(date +%s)
if [ ! -e "$tree/Makefile" ]; then
	echo "$prog: unpacking $tarball into $tree" >&2
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
fi

kmake() {
	nice make -C "$tree" -s "$@" >&2
}

# Configured from scratch each time the .config is not ours yet.
if [ ! -e "$tree/.config.tcpwave" ]; then
	kmake defconfig
	kmake kvm_guest.config
	args=()
	while IFS= read -r line; do
		case $line in
		'#'* | '') continue ;;
		esac
		name=${line%%=*}
		name=${name#CONFIG_}
		val=${line#*=}
		case $val in
		y) args+=(--enable "$name") ;;
		n) args+=(--disable "$name") ;;
		\"*) val=${val#\"}; args+=(--set-str "$name" "${val%\"}") ;;
		*) args+=(--set-val "$name" "$val") ;;
		esac
	done <"$fragment"
	"$tree/scripts/config" --file "$tree/.config" "${args[@]}"
	kmake olddefconfig
	# Every line of the fragment, or fail loudly: olddefconfig drops what
	# a dependency does not allow, without a word.
	bad=0
	while IFS= read -r line; do
		case $line in
		'#'* | '') continue ;;
		esac
		name=${line%%=*}
		case ${line#*=} in
		n) ! grep -q "^$name=" "$tree/.config" ;;
		*) grep -qxF "$line" "$tree/.config" ;;
		esac || {
			echo "$prog: the .config has not $line but: $(grep -E "^(# )?${name}[= ]" "$tree/.config" || echo nothing)" >&2
			bad=1
		}
	done <"$fragment"
	[ "$bad" = 0 ] || die "the config fragment did not apply; see above"
	cp "$tree/.config" "$tree/.config.tcpwave"
fi

# vmlinux, bzImage and the (few) defconfig modules: all, for Module.symvers.
echo "$prog: building in $tree (make -j2)" >&2
nice make -C "$tree" -j2 -s all >&2 || die "the kernel build failed"
for f in Module.symvers arch/x86/boot/bzImage; do
	[ -s "$tree/$f" ] || die "the build left no $f"
done
end=$(date +%s)
release=$(make -C "$tree" -s kernelrelease)
echo "kernel $release, built from linux-source-6.1 $srcver in $((end - start)) s" >"$stamp"
echo "$prog: $(cat "$stamp")" >&2
echo "$tree"

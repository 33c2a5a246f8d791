#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-run.sh - run a command in a throwaway QEMU VM booting a Debian kernel,
# with tcpwave.ko built for that kernel.  See README.md, "The test VM".
#
# Usage: scripts/vm-run.sh [--kernel VERSION] [--add PATH]... [--timeout SECONDS]
#                          [--mem MIB] [--modules NAME,...] -- COMMAND [ARG]...
#
# The guest is Debian's own kernel (/boot/vmlinuz-VERSION, installed by
# scripts/deps.sh; VERSION is a Debian kernel version or a flavour of
# scripts/kernel-version.sh: 6.1, the default, 6.12 or 6.12-rt) booted
# under TCG with a busybox-static initramfs that holds
#   /tcpwave.ko          the module built for VERSION, not loaded
#   /usr/bin/tcpwave     the viewer, and the test programs of tests/progs/
#   /add/<basename>      every --add PATH (a file or a directory); ELF
#                        programs bring their shared libraries along
#   /lib/modules/VERSION the kernel modules named by --modules, with their
#                        dependencies, for modprobe
# COMMAND runs under /bin/sh in the guest as root, in /, with PATH covering
# all of the above; its stdout and stderr are printed here as it runs.
#
# QEMU runs with -accel "${TCPWAVE_QEMU_ACCEL:-tcg,thread=single}".  KVM hangs
# on our machines.  Multi-threaded TCG crashes the guest when a kprobe armed
# through ftrace is unregistered while another vCPU runs a handler with
# interrupts off, even a handler that only spins (tests/vm/unload-race.sh
# reproduces it); single-threaded TCG and int3 kprobes do not.  Set
# TCPWAVE_QEMU_ACCEL=tcg to run multi-threaded anyway.
#
# Exit status: COMMAND's exit status; 124 when the guest ran past
# --timeout (default 600 s); 125 when the guest kernel panicked, oopsed,
# logged a BUG, WARNING or lockdep report, or died without reporting a
# status.  The kernel's console log is printed on stderr in those cases.
#
# It builds what is missing first: the viewer, the test programs and
# build/VERSION/tcpwave.ko.
#
# --kernel debug boots the debug kernel instead (lockdep, KASAN, kmemleak:
# scripts/debug-kernel.sh, which builds it when it is not cached), with
# tcpwave.ko built against its tree in build/debug-SOURCEVERSION-HASH/.
# Every module the tests use is built into it: --modules skips those.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
prog=vm-run.sh

usage() {
	sed -n '5,7p' "$0" | sed 's/^# //' >&2
	exit 2
}

die() {
	echo "$prog: $*" >&2
	exit 125
}

kver=""
timeout_s=600
mem=1024
adds=()
modules=""
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) [ $# -ge 2 ] || usage; kver=$2; shift 2 ;;
	--add) [ $# -ge 2 ] || usage; adds+=("$2"); shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--modules) [ $# -ge 2 ] || usage; modules=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown option '$1'" >&2; usage ;;
	esac
done
[ $# -ge 1 ] || usage
case "$timeout_s" in ''|*[!0-9]*) echo "$prog: --timeout: not a number of seconds: $timeout_s" >&2; exit 2 ;; esac
case "$mem" in ''|*[!0-9]*) echo "$prog: --mem: not a number of MiB: $mem" >&2; exit 2 ;; esac
for a in "${adds[@]+"${adds[@]}"}"; do
	[ -e "$a" ] || { echo "$prog: --add $a: no such file or directory" >&2; exit 2; }
done

# --kernel debug: the debug kernel tree of scripts/debug-kernel.sh, built
# now if it is not in the cache yet (40 minutes or so).
debug_tree=""
if [ "$kver" = debug ]; then
	debug_tree=$("$top/scripts/debug-kernel.sh") || die "no debug kernel"
	kver=$(cat "$debug_tree/include/config/kernel.release")
	vmlinuz=$debug_tree/arch/x86/boot/bzImage
	kdir=$debug_tree
	# build/NAME/tcpwave.ko, see the Makefile
	modbuild=$(basename "$debug_tree")
else
	kver=$("$top/scripts/kernel-version.sh" ${kver:+"$kver"})
	vmlinuz=/boot/vmlinuz-$kver
	kdir=/usr/src/linux-headers-$kver
	modbuild=$kver
fi
[ -r "$vmlinuz" ] || die "no $vmlinuz: run scripts/deps.sh $kver"
[ -e "$kdir/Makefile" ] ||
	die "no headers for $kver: run scripts/deps.sh $kver"
for tool in qemu-system-x86_64 cpio gzip; do
	command -v $tool >/dev/null || die "$tool not found: run scripts/deps.sh"
done
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	die "$busybox is not busybox-static: run scripts/deps.sh"

# Build what is missing (make decides), quietly unless it fails.
buildlog=$(mktemp)
if ! make -C "$top" -s viewer progs "build/$modbuild/tcpwave.ko" \
	VM_KDIR="$kdir" >"$buildlog" 2>&1; then
	cat "$buildlog" >&2
	rm -f "$buildlog"
	die "build failed"
fi
rm -f "$buildlog"

work=$(mktemp -d "${TMPDIR:-/tmp}/tcpwave-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,add,etc}

# Copy an ELF program or library and, recursively, the shared libraries
# it needs, at their own paths.
copy_with_libs() {
	local src=$1 dst=$2 lib
	install -D -m 0755 "$src" "$root$dst"
	file -L "$src" | grep -q 'dynamically linked' || return 0
	for lib in $(ldd "$src" | awk '/=> \//{print $3} /^\t\/[^ ]*/{print $1}'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
	done
}

cp "$busybox" "$root/bin/busybox"
cp "$top/build/$modbuild/tcpwave.ko" "$root/tcpwave.ko"
copy_with_libs "$top/userspace/tcpwave" /usr/bin/tcpwave
for p in "$top"/tests/progs/*; do
	[ -x "$p" ] && [ -f "$p" ] && [ "${p%.c}" = "$p" ] &&
		copy_with_libs "$p" "/usr/bin/$(basename "$p")"
done
for a in "${adds[@]+"${adds[@]}"}"; do
	dst=/add/$(basename "$a")
	if [ -d "$a" ]; then
		cp -a "$a" "$root$dst"
	elif file -L "$a" | grep -q ELF; then
		copy_with_libs "$a" "$dst"
	else
		cp -L "$a" "$root$dst"
	fi
done
if [ -n "$modules" ]; then
	mdir=/lib/modules/$kver
	# The lists of what is built in: the debug kernel's are in its tree.
	msrc=${debug_tree:-$mdir}
	mkdir -p "$root$mdir"
	for m in ${modules//,/ }; do
		# Built in: nothing to copy, and modprobe in the guest is content.
		grep -q "/$m\.ko\$" "$msrc/modules.builtin" 2>/dev/null && continue
		for ko in $(modprobe -S "$kver" -d / --show-depends "$m" 2>/dev/null |
			    awk '$1 == "insmod" {print $2}'); do
			install -D -m 0644 "$ko" "$root$ko"
		done
	done
	cp "$msrc"/modules.{order,builtin,builtin.modinfo} "$root$mdir/" 2>/dev/null || true
	depmod -b "$root" "$kver"
fi

printf '%s\n' "$*" >"$root/command"

# Never the host's /etc: everything below writes under $root.
[ -d "$root/etc" ] && [ "$root" != / ] || die "no guest root at '$root'"

# Enough of /etc for programs we did not write: name lookups of localhost
# and of root.
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$root/etc/hosts"
echo 'hosts: files' >"$root/etc/nsswitch.conf"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/add:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /dev/pts /root && mount -t devpts devpts /dev/pts
ip link set lo up
hostname tcpwave-vm
# ttyS1 carries the command's output to the host: no \r, no echo.
stty -F /dev/ttyS1 raw -echo
cd /
sh /command </dev/null >/dev/ttyS1 2>&1
echo "@@tcpwave-vm-exit $?" >/dev/ttyS1
sync
poweroff -f
EOF
chmod 0755 "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

console=$work/console.log
output=$work/output.log
: >"$console"
: >"$output"

# The guest reports its status; a guest that never does has failed.
status=125
timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-accel "${TCPWAVE_QEMU_ACCEL:-tcg,thread=single}" -smp 2 -m "$mem" \
	-nodefaults -display none -no-reboot \
	-kernel "$vmlinuz" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 loglevel=5 panic=-1 oops=panic rdinit=/init" \
	-serial "file:$console" -serial "file:$output" &
qemu=$!
tail -n +1 -f --pid=$qemu "$output" | grep -av '^@@tcpwave-vm-exit ' || true
qemu_status=0
wait $qemu || qemu_status=$?

if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
	echo "$prog: guest ran past $timeout_s s; console log:" >&2
	cat "$console" >&2
	exit 124
fi

reported=$(grep -a '^@@tcpwave-vm-exit ' "$output" | tail -n 1 | awk '{print $2}') || true
if grep -aqE 'Kernel panic|Oops|BUG:|WARNING:|general protection fault|possible recursive locking|possible circular locking|inconsistent lock state|INFO: task .* blocked' "$console"; then
	echo "$prog: the guest kernel reported a problem; console log:" >&2
	cat "$console" >&2
	exit 125
fi
if [ -z "$reported" ]; then
	echo "$prog: the guest died without reporting a status; console log:" >&2
	cat "$console" >&2
	exit 125
fi
status=$reported
exit "$status"

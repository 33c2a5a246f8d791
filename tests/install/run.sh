#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/install/run.sh - make install, the man pages and DKMS, printed as
# TAP.
#
# Usage: tests/install/run.sh
#
# make install into a scratch DESTDIR: the module under the release its
# vermagic names, depmod's index of it, the viewer, the man pages; the
# default PREFIX; make uninstall.  The man pages lint-clean under mandoc
# and groff, and tcpwave.1 documenting every long option that
# "userspace/tcpwave --help" prints.  Then, as root, make dkms-install on
# this host for the test VM's kernel (its headers are enough, the host
# kernel need not be it), dkms status, modinfo, and make dkms-uninstall.
# The DKMS tests are skipped when not root, when dkms cannot be installed,
# or when tcpwave is already under DKMS here (it is not ours to remove).
#
# Environment: KVER, the kernel for DKMS (default: the test VM's,
# scripts/kernel-version.sh).  Exit status: 0 if every test passed, 1
# otherwise.
set -u

cd "$(dirname "$0")/../.." || exit 1
VERSION=$(cat VERSION)

if ! make -s viewer >/dev/null 2>&1; then
	echo "Bail out! make viewer failed"
	exit 1
fi

tmp=$(mktemp -d) || exit 1
dkms_added=0
cleanup() {
	if [ "$dkms_added" = 1 ]; then
		make -s dkms-uninstall >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. tests/tap.sh

# Show a file as TAP diagnostics; the last 30 lines of a long one.
diag() {
	tail -n 30 "$1" | sed 's/^/# /'
}

# run NAME CMD...: CMD succeeds; its output is shown only if it fails.
run() {
	name=$1
	shift
	"$@" >"$tmp/log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { echo "# exit status $rc"; diag "$tmp/log"; }
	result $rc "$name"
}

# The text of a man page, for grep: mandoc's ASCII rendering, one line
# per paragraph (no line breaks inside an option name), overstrike
# (bold, underline) removed.
bs=$(printf '\b')
man_text() {
	mandoc -T ascii -O width=1000 "$1" | sed "s/.$bs//g"
}

# --- make install into DESTDIR ------------------------------------------

root=$tmp/root
run "make install DESTDIR PREFIX=/usr" \
	make install DESTDIR="$root" PREFIX=/usr

# The module goes under the release it was built for, as its vermagic
# says (never "uname -r"), and in nothing else.
kos=$(find "$root/lib/modules" -name 'tcpwave.ko*' 2>/dev/null)
rel=$(ls "$root/lib/modules" 2>/dev/null)
magic=""
[ -n "$kos" ] && magic=$(modinfo -F vermagic "$kos" 2>/dev/null | cut -d ' ' -f 1)
if [ "$kos" = "$root/lib/modules/$rel/extra/tcpwave.ko" ] &&
   [ -n "$magic" ] && [ "$magic" = "$rel" ]; then
	result 0 "tcpwave.ko in lib/modules/$rel/extra, its vermagic's release"
else
	echo "# installed: ${kos:-nothing}; vermagic release: ${magic:-none}"
	result 1 "tcpwave.ko in lib/modules/RELEASE/extra, its vermagic's release"
fi

# depmod indexed it: modinfo finds it by name in DESTDIR.
got=$(modinfo -b "$root" -k "$rel" -F filename tcpwave 2>&1)
grep -q '^extra/tcpwave\.ko:' "$root/lib/modules/$rel/modules.dep" 2>/dev/null &&
	[ "$got" = "$root/lib/modules/$rel/extra/tcpwave.ko" ]
rc=$?
[ $rc -eq 0 ] || echo "# modinfo -b DESTDIR -k $rel tcpwave: $got"
result $rc "depmod: modules.dep lists tcpwave, modinfo finds it by name"

# The installed viewer runs, and says the version in VERSION.
got=$("$root/usr/bin/tcpwave" --version 2>&1)
echo "$got" | grep -q "^tcpwave $VERSION (format [0-9]*\.[0-9]*)\$"
rc=$?
[ $rc -eq 0 ] || echo "# tcpwave --version: $got; VERSION: $VERSION"
result $rc "installed viewer: tcpwave --version says $VERSION"
"$root/usr/bin/tcpwave" tests/fixtures/client-close.txt 2>&1 |
	cmp -s - tests/fixtures/client-close.ladder
result $? "installed viewer draws a fixture"

rc=0
for page in man1/tcpwave.1 man4/tcpwave.4; do
	f=$root/usr/share/man/$page
	if ! cmp -s "$f" "man/${page#*/}"; then
		echo "# $f: missing or not man/${page#*/}"
		rc=1
		continue
	fi
	# What man(1) shows, and mandoc's rendering: a title line, a NAME.
	sec=${page#*.}
	for fmt in "mandoc -T utf8" "man -l"; do
		case $fmt in man*) command -v man >/dev/null || continue ;; esac
		$fmt "$f" >"$tmp/raw" 2>"$tmp/err" </dev/null
		rc2=$?
		sed "s/.$bs//g" "$tmp/raw" >"$tmp/page"
		if [ $rc2 -ne 0 ] || [ -s "$tmp/err" ] ||
		   ! grep -q "^TCPWAVE($sec)" "$tmp/page" ||
		   ! grep -q '^NAME' "$tmp/page"; then
			echo "# $fmt $f:"
			diag "$tmp/err"
			rc=1
		fi
	done
done
result $rc "man pages installed in share/man/man1, man4, and render"

# Without PREFIX: /usr/local.
run "make install-viewer install-man: PREFIX defaults to /usr/local" \
	sh -c "make install-viewer install-man DESTDIR='$root' &&
	       test -x '$root/usr/local/bin/tcpwave' &&
	       test -f '$root/usr/local/share/man/man1/tcpwave.1' &&
	       test -f '$root/usr/local/share/man/man4/tcpwave.4'"

# make uninstall takes away all that install put, leaving depmod's
# index, which no longer names tcpwave.
make uninstall DESTDIR="$root" PREFIX=/usr >"$tmp/log" 2>&1 &&
	make uninstall-viewer uninstall-man DESTDIR="$root" >>"$tmp/log" 2>&1
rc=$?
[ $rc -eq 0 ] || diag "$tmp/log"
left=$(find "$root" ! -type d ! -path "$root/lib/modules/$rel/modules.*")
if [ -n "$left" ]; then
	echo "$left" | sed 's/^/# left behind: /'
	rc=1
fi
if grep -q tcpwave "$root/lib/modules/$rel/modules.dep" 2>/dev/null; then
	echo "# modules.dep still lists tcpwave"
	rc=1
fi
result $rc "make uninstall removes what install put"

# --- the man pages --------------------------------------------------------

for f in man/tcpwave.1 man/tcpwave.4; do
	mandoc -T lint "$f" >"$tmp/lint" 2>&1
	rc=$?
	[ -s "$tmp/lint" ] && rc=1
	diag "$tmp/lint"
	result $rc "mandoc -T lint $f"

	groff -man -ww -z "$f" >"$tmp/lint" 2>&1
	rc=$?
	[ -s "$tmp/lint" ] && rc=1
	diag "$tmp/lint"
	result $rc "groff -man -ww -z $f"
done

# Every long option the viewer's --help prints, whatever it grows to.
opts=$(userspace/tcpwave --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
man_text man/tcpwave.1 >"$tmp/text"
rc=0
[ -n "$opts" ] || { echo "# tcpwave --help prints no long option"; rc=1; }
for o in $opts; do
	if ! grep -q -e "$o\([^a-z0-9-]\|\$\)" "$tmp/text"; then
		echo "# tcpwave.1 lacks $o"
		rc=1
	fi
done
result $rc "tcpwave.1 documents all $(echo "$opts" | wc -w) long options of --help"

# --- DKMS -----------------------------------------------------------------

why=""
if [ "$(id -u)" != 0 ]; then
	why="not root"
elif ! command -v dkms >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends dkms >/dev/null 2>&1
	command -v dkms >/dev/null 2>&1 || why="dkms cannot be installed"
fi
if [ -z "$why" ] && { [ -n "$(dkms status tcpwave 2>/dev/null)" ] ||
		      [ -e "/usr/src/tcpwave-$VERSION" ]; }; then
	why="tcpwave is already under DKMS on this host"
fi

if [ -n "$why" ]; then
	skip "make dkms-install, dkms status, make dkms-uninstall" "$why"
else
	kver=${KVER:-$(scripts/kernel-version.sh)}
	arch=$(uname -m)
	dest=/lib/modules/$kver/updates/dkms

	dkms_added=1
	run "make dkms-install KVER=$kver" make dkms-install KVER="$kver"

	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "/usr/src/tcpwave-$VERSION/dkms.conf"
	result $? "/usr/src/tcpwave-$VERSION/dkms.conf: PACKAGE_VERSION=\"$VERSION\""

	got=$(dkms status tcpwave 2>&1)
	echo "$got" | grep -q "^tcpwave/$VERSION, $kver, $arch: installed"
	rc=$?
	[ $rc -eq 0 ] || echo "$got" | sed 's/^/# dkms status: /'
	result $rc "dkms status: tcpwave/$VERSION, $kver, $arch: installed"

	magic=$(modinfo -F vermagic "$dest/tcpwave.ko" 2>&1 | cut -d ' ' -f 1)
	got=$(modinfo -k "$kver" -F filename tcpwave 2>&1)
	[ "$magic" = "$kver" ] && [ "$got" = "$dest/tcpwave.ko" ]
	rc=$?
	[ $rc -eq 0 ] || echo "# vermagic: $magic; modinfo -k $kver tcpwave: $got"
	result $rc "$dest/tcpwave.ko, vermagic $kver, found by modinfo -k"

	run "make dkms-uninstall" make dkms-uninstall
	dkms_added=0

	rc=0
	if [ -n "$(dkms status tcpwave 2>&1)" ]; then
		dkms status tcpwave 2>&1 | sed 's/^/# dkms status: /'
		rc=1
	fi
	for f in "$dest/tcpwave.ko" "/usr/src/tcpwave-$VERSION" \
		 "/var/lib/dkms/tcpwave"; do
		[ -e "$f" ] && { echo "# still there: $f"; rc=1; }
	done
	if grep -q tcpwave "/lib/modules/$kver/modules.dep"; then
		echo "# /lib/modules/$kver/modules.dep still lists tcpwave"
		rc=1
	fi
	result $rc "make dkms-uninstall leaves no tcpwave in DKMS, /lib/modules, /usr/src"
fi

echo "1..$n"
[ $failed -eq 0 ]

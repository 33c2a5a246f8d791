#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The style suite: scripts/checkpatch.pl --strict on every module source,
# one TAP test per file.  checkpatch.pl comes from $CHECKPATCH, or from
# Debian's linux-source-6.1 tarball (scripts/deps.sh installs it), unpacked
# once into build/checkpatch/.
#
# Two exemptions, each for one file and one reason:
#  - tcpwave_abi.h: the X-macro lists (TCPWAVE_STATES and friends) are the
#    idiom STYLE.md asks for, and checkpatch cannot tell them from a
#    complex macro (COMPLEX_MACRO, MACRO_ARG_REUSE);
#  - tcpwave_compat.h: the one place allowed to test LINUX_VERSION_CODE.
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/checkpatch

cp=${CHECKPATCH:-}
if [ -z "$cp" ]; then
	cp=$cache/scripts/checkpatch.pl
	if [ ! -x "$cp" ]; then
		tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | tail -n 1)
		if [ -z "$tarball" ]; then
			echo "1..0 # SKIP no checkpatch.pl: run scripts/deps.sh"
			exit 0
		fi
		dir=$(basename "$tarball" .tar.xz)
		mkdir -p "$cache"
		tar -xJf "$tarball" -C "$cache" --strip-components=1 \
			"$dir/scripts/checkpatch.pl" "$dir/scripts/spelling.txt" \
			"$dir/scripts/const_structs.checkpatch" || exit 1
	fi
fi

n=0
failed=0
for f in "$top"/module/*.c "$top"/module/*.h; do
	name=module/$(basename "$f")
	case $name in
	module/tcpwave_abi.h) ignore=COMPLEX_MACRO,MACRO_ARG_REUSE ;;
	module/tcpwave_compat.h) ignore=LINUX_VERSION_CODE ;;
	*) ignore=NONE ;;
	esac
	n=$((n + 1))
	if out=$(cd "$top" && perl "$cp" --no-tree --strict --quiet --ignore "$ignore" -f "$name" 2>&1) &&
	   [ -z "$out" ]; then
		echo "ok $n checkpatch --strict $name"
	else
		echo "not ok $n checkpatch --strict $name"
		echo "$out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ $failed = 0 ]

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Draw the README's picture: docs/ladder.svg, the client connection of the
# vm-client-close capture as "tcpwave --svg" draws it, and docs/ladder.png
# rendered from it by rsvg-convert (librsvg2-bin, see scripts/deps.sh).
#
# Usage: scripts/docs.sh        (after "make -C userspace"; or "make docs")
# Exit status: 0 on success, 1 if the viewer or rsvg-convert failed.
set -eu

cd "$(dirname "$0")/.."
mkdir -p docs
userspace/tcpwave --svg -c 2 -o docs/ladder.svg \
	tests/fixtures/vm-client-close.txt
rsvg-convert -o docs/ladder.png docs/ladder.svg
echo "docs.sh: docs/ladder.svg docs/ladder.png"

# SPDX-License-Identifier: GPL-2.0
#
# bench-records.awk - a long /proc/tcpwave stream for the viewer's
# throughput benchmark (scripts/bench.sh), made from real recorded ones:
# the records of every capture given (tests/fixtures/vm-*.txt), laid end
# to end, repeated until there are n records.
#
# Each repetition is a new set of connections: cookies (and link
# cookies) get the repetition's and the capture's number as their high
# 32 bits, ephemeral
# ports (32768 and up) are shifted, times move on past the previous
# repetition's last record, and seq counts on without a gap.
#
# Usage: awk -v n=RECORDS -f bench-records.awk CAPTURE...

$1 ~ /^#/ {
	if (!header)
		header = $0
	next
}

{
	if (FILENAME != file) {
		file = FILENAME
		nfile++
		first = $2
		base = span + 1000000
	}
	ts = base + $2 - first
	if (ts > span)
		span = ts
	nrec++
	tsv[nrec] = ts
	fileof[nrec] = nfile
	line[nrec] = $0
}

function port(a, rep,    p, i) {
	i = match(a, /:[0-9]+$/)
	p = substr(a, i + 1) + 0
	if (p >= 32768)
		p = 32768 + (p - 32768 + rep * 13) % 28232
	return substr(a, 1, i) p
}

# Captures number their cookies from 1 each: the high half tells them
# and the repetitions apart.
function cookie(c, rep, fi) {
	if (c == "-")
		return c
	return sprintf("%08x%s", rep * 64 + fi, substr(c, length(c) - 7))
}

END {
	print header
	seq = 0
	for (rep = 1; seq < n; rep++) {
		off = (rep - 1) * (span + 1000000)
		for (k = 1; k <= nrec && seq < n; k++) {
			split(line[k], f, " ")
			f[1] = seq++
			f[2] = sprintf("%.0f", tsv[k] + off)
			f[4] = cookie(f[4], rep, fileof[k])
			f[7] = port(f[7], rep)
			f[8] = port(f[8], rep)
			f[21] = cookie(f[21], rep, fileof[k])
			out = f[1]
			for (i = 2; i <= 21; i++)
				out = out " " f[i]
			print out
		}
	}
}

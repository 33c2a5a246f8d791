# SPDX-License-Identifier: GPL-2.0
#
# bench-table.awk - scripts/bench.sh's table: reads the "bench KEY=VALUE..."
# lines of tests/vm/bench.sh and the "host ..." lines of bench.sh, prints
# the Markdown tables, and with short=1 the TAP checks after them.
#
# Variables: nrec rounds secs clients cmdline date hostcpu maxb minrate
# short.

function kv(line, k,    i, n, a) {
	n = split(line, a, " ")
	for (i = 1; i <= n; i++)
		if (index(a[i], k "=") == 1)
			return substr(a[i], length(k) + 2)
	return ""
}
# median and spread of the values v[1..n], sorted in place
function sort(v, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
}
function median(v, n) {
	sort(v, n)
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function pct(x) { return sprintf("%+.1f%%", x) }
# n choose k
function binom(n, k,    i, r) {
	r = 1
	for (i = 1; i <= k; i++) r = r * (n - k + i) / i
	return r
}
$1 == "bench" && $2 == "system" {
	kernel = kv($0, "kernel"); cpus = kv($0, "cpus")
	sysline = "tcp_tw_reuse " kv($0, "tw_reuse") ", tcp_max_tw_buckets " kv($0, "max_tw_buckets") ", ports " kv($0, "ports")
}
$1 == "bench" && $2 == "memory" {
	ringb = kv($0, "ring_bytes"); ringr = kv($0, "ring_records")
	core = kv($0, "coresize"); slab = kv($0, "slab_kb"); vmal = kv($0, "vmalloc_kb")
}
$1 == "bench" && $3 ~ /^config=/ {
	c = kv($0, "config")
	errors += kv($0, "errors")
	if (c == "T") {
		tns = kv($0, "timed_ns"); trec = kv($0, "timed_records")
		tlost = kv($0, "reader_lost"); trate = kv($0, "rate")
		next
	}
	n[c]++
	rate[c, n[c]] = kv($0, "rate")
	if (c == "B") {
		w = kv($0, "written")
		rps[n[c]] = w / kv($0, "seconds")
		rpc[n[c]] = kv($0, "connections") ? w / kv($0, "connections") : 0
		blost += kv($0, "reader_lost"); bfl += kv($0, "follower_lost")
		bnm += kv($0, "nmissed"); bover += kv($0, "overwritten")
	}
	if (c == "P")
		pnm += kv($0, "nmissed")
	if (c == "R") {
		rlost += kv($0, "reader_lost"); rnm += kv($0, "nmissed")
		rwake += kv($0, "wakeups"); rread += kv($0, "read")
	}
	if (c == "C")
		clost += kv($0, "lost")
}
$1 == "host" && $2 ~ /^mode=/ {
	m = kv($0, "mode")
	vwall[m] = kv($0, "wall"); vcpu[m] = kv($0, "cpu"); vrss[m] = kv($0, "rss")
	modes[++nm] = m
}
$1 == "host" && $2 == "follow" { rss1 = kv($0, "rss1"); rss5 = kv($0, "rss5") }
END {
	print "Command: `" cmdline "`, " date "."
	if (n["A"]) {
		print "VM: Debian kernel " kernel ", " cpus " vCPUs under QEMU TCG (emulated: " \
			"times are TCG time, not a real machine's); " sysline "."
		# The configurations run, in the order of the table.
		nc = 0
		for (k = 1; k <= 5; k++)
			if (n[substr("APRBC", k, 1)])
				cs[++nc] = substr("APRBC", k, 1)
		runs = ""
		for (k = 1; k <= nc; k++) runs = runs (k > 1 ? " " : "") cs[k]
		print "Workload: `tcpwave-crr -c " clients "`, " rounds " rounds of " runs ", " secs " s each."
		print ""
		print "| configuration | connections/s, median | min–max | overhead vs A |"
		print "|---|---:|---:|---:|"
		for (k = 1; k <= nc; k++) {
			c = cs[k]
			delete v
			for (i = 1; i <= n[c]; i++) v[i] = rate[c, i]
			med[c] = median(v, n[c]); lo[c] = v[1]; hi[c] = v[n[c]]
		}
		name["A"] = "A: no tracer"
		name["B"] = "B: tcpwave, `tcpwave -E >/dev/null` following"
		name["C"] = "C: tcpstates >/dev/null"
		name["P"] = "P: tcpwave, nobody reading"
		name["R"] = "R: tcpwave, `tcpwave-reader` following (no parsing)"
		for (k = 1; k <= nc; k++) {
			c = cs[k]
			over[c] = 100 * (1 - med[c] / med["A"])
			printf "| %s | %.0f | %.0f–%.0f | %s |\n", name[c], med[c], lo[c], hi[c], \
				c == "A" ? "" : pct(over[c])
		}
		spreadA = 100 * (hi["A"] - lo["A"]) / med["A"]
		# B against C round by round: both ran within the same minute, so
		# drift hits both alike.  Two-sided sign test: the chance of a
		# split at least this uneven if neither were faster.
		bwins = 0; pairs = 0
		for (i = 1; i <= n["B"] && i <= n["C"]; i++) {
			pairs++
			if (rate["B", i] + 0 > rate["C", i] + 0) bwins++
		}
		k = bwins > pairs - bwins ? bwins : pairs - bwins
		psign = 0
		for (i = k; i <= pairs; i++) psign += binom(pairs, i)
		psign = pairs ? 2 * psign / 2 ^ pairs : 1
		if (psign > 1) psign = 1
		for (i = 1; i <= n["B"]; i++) v[i] = rps[i]
		mrps = median(v, n["B"])
		for (i = 1; i <= n["B"]; i++) v[i] = rpc[i]
		mrpc = median(v, n["B"])
		derived = (1 / med["B"] - 1 / med["A"]) * cpus / mrpc * 1e9
		print ""
		print "| measure | value |"
		print "|---|---:|"
		printf "| B: records/s (records_written / duration), median | %.0f |\n", mrps
		printf "| B: records per connection | %.1f |\n", mrpc
		printf "| B: records lost by the follower (reader_lost, all rounds) | %d |\n", blost
		printf "| B: kprobe nmissed (all rounds) | %d |\n", bnm
		printf "| B: records overwritten in the ring (read in time, not lost) | %d |\n", bover
		printf "| C: tcpstates lost samples (all rounds) | %d |\n", clost
		if (pairs)
			printf "| rounds in which B ran more connections than C (two-sided sign test) | %d of %d (p = %.3f) |\n", \
				bwins, pairs, psign
		if (n["P"])
			printf "| P: kprobe nmissed (all rounds) | %d |\n", pnm
		if (n["R"]) {
			printf "| R: records lost by tcpwave-reader, kprobe nmissed (all rounds) | %d, %d |\n", rlost, rnm
			printf "| R: records read per wake-up (records / poll() wake-ups) | %.1f |\n", \
				rwake ? rread / rwake : 0
		}
		printf "| failed connections (all runs) | %d |\n", errors
		printf "| module memory: ring (ring_bytes, %d records) | %d KiB |\n", ringr, ringb / 1024
		printf "| module memory: code and data (/sys/module/tcpwave/coresize) | %d KiB |\n", core / 1024
		printf "| module memory: Slab / VmallocUsed growth at insmod | %d / %d KiB |\n", slab, vmal
		printf "| per record, in-kernel: fill + ring write (timing=1, %d records) | %.0f ns |\n", \
			trec, trec ? tns / trec : 0
		printf "| per record, derived: (1/%.0f − 1/%.0f) × %d CPUs / %.1f records | %.0f ns |\n", \
			med["B"], med["A"], cpus, mrpc, derived
		printf "| timing=1 run: connections/s, records lost by the follower | %.0f, %d |\n", trate, tlost
	}
	print ""
	print "Viewer, natively on the host (" hostcpu "), " nrec " records (scripts/bench-records.awk):"
	print ""
	print "| mode | records/s (CPU time) | records/s (wall) | peak RSS |"
	print "|---|---:|---:|---:|"
	vname["-E"] = "`tcpwave -E >/dev/null`"
	vname["ladders"] = "`tcpwave >/dev/null` (ladders)"
	vname["-s"] = "`tcpwave -s >/dev/null`"
	for (i = 1; i <= nm; i++) {
		m = modes[i]
		printf "| %s | %.0f | %.0f | %d MiB |\n", vname[m], (vcpu[m] > 0 ? nrec / vcpu[m] : 0), \
			(vwall[m] > 0 ? nrec / vwall[m] : 0), vrss[m] / 1024
	}
	printf "| `tcpwave -E` through a pipe: peak RSS at 1,000,000 / 5,000,000 records | | | %d / %d KiB |\n", rss1, rss5
	if (!short)
		exit
	# --short: the checks, as TAP, after the table.  They guard against
	# regressions from what the design achieves now; issue 6's targets
	# that it does not meet yet (no record lost by the follower, no
	# kprobe missed, -E at 1,000,000 records/s) are told as comments.
	t = 0
	print ""
	if (n["A"]) {
		printf "%s %d B: every record accounted for: the follower told %d lost, the module counted %d\n", \
			(bfl == blost) ? "ok" : "not ok", ++t, bfl, blost
		printf "target (issue 6): no record lost and no kprobe missed: %s (lost %d, nmissed %d)\n", \
			(blost + bnm == 0) ? "met" : "not met", blost, bnm
		printf "%s %d every connection of every run worked (%d failed)\n", \
			(errors == 0) ? "ok" : "not ok", ++t, errors
		printf "%s %d B overhead over A %.1f%% <= %d%% (A spread %.1f%%)\n", \
			(over["B"] <= maxb) ? "ok" : "not ok", ++t, over["B"], maxb, spreadA
	}
	r = vcpu["-E"] > 0 ? nrec / vcpu["-E"] : 0
	printf "%s %d viewer -E parses and renders >= %d records/s natively (%.0f)\n", \
		(r >= minrate) ? "ok" : "not ok", ++t, minrate, r
	printf "target (issue 6): -E at 1000000 records/s: %s (%.0f)\n", \
		(r >= 1000000) ? "met" : "not met", r
	printf "%s %d follow memory flat: peak RSS %d KiB at 5M records <= %d KiB at 1M + 10%%\n", \
		(rss1 > 0 && rss5 <= rss1 * 1.1 + 512) ? "ok" : "not ok", ++t, rss5, rss1
	print "1.." t
}

// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - the statistics in the Prometheus text exposition format,
 * version 0.0.4, for node_exporter's textfile collector: "# HELP" and
 * "# TYPE" before each family, names prefixed tcpwave_, base units
 * (seconds, bytes), counters ending in _total, label values escaped.
 *
 * Families whose series are few and fixed (sockets by state, closes by
 * reason, the handshake histogram of each side) list every series, zeros
 * included, so that a series does not appear out of nowhere; sparse ones
 * (transitions, failures and aborts by reason) list only what happened.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "states.h"
#include "stats.h"

/* Metrics of /proc/tcpwave_stats (README "/proc/tcpwave_stats"). */
static const struct tw_prom_module {
	const char *name;	/* as the module prints it */
	const char *metric;	/* after tcpwave_module_ */
	const char *type;
	const char *help;
} tw_prom_modules[] = {
	{ "ring_records", "ring_records", "gauge",
	  "Ring size, in records (module parameter ring_records)." },
	{ "ring_bytes", "ring_bytes", "gauge",
	  "Kernel memory held by the ring, in bytes." },
	{ "records_written", "records_written_total", "counter",
	  "Records written since the module was loaded." },
	{ "records_overwritten", "records_overwritten_total", "counter",
	  "Records no longer in the ring because newer ones replaced them." },
	{ "reader_lost", "reader_lost_total", "counter",
	  "Records readers of /proc/tcpwave fell behind on (sum of # lost)." },
	{ "kprobe_nmissed", "kprobe_nmissed_total", "counter",
	  "Probe hits the kernel dropped (nested kprobes, kretprobe "
	  "instances exhausted): events missing from the ring." },
	{ "readers", "readers", "gauge",
	  "Files open on /proc/tcpwave now." },
};

static void tw_prom_family(FILE *f, const char *name, const char *type,
			   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void tw_prom_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* name{k="v",...}: @labels alternates keys and values, NULL-ended. */
static void tw_prom_name(FILE *f, const char *name,
			 const char *const *labels)
{
	size_t i;

	fputs(name, f);
	if (!labels || !labels[0])
		return;
	fputc('{', f);
	for (i = 0; labels[i]; i += 2) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[i]);
		tw_prom_label(f, labels[i + 1]);
		fputc('"', f);
	}
	fputc('}', f);
}

static void tw_prom_u64(FILE *f, const char *name, const char *const *labels,
			__u64 v)
{
	tw_prom_name(f, name, labels);
	fprintf(f, " %llu\n", (unsigned long long)v);
}

/* ns as seconds, exactly: 14657000 is "0.014657". */
static void tw_prom_secs(FILE *f, const char *name,
			 const char *const *labels, __u64 ns)
{
	char frac[16];
	int n;

	tw_prom_name(f, name, labels);
	n = snprintf(frac, sizeof(frac), "%09llu",
		     (unsigned long long)(ns % 1000000000));
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	fprintf(f, " %llu%s%s\n", (unsigned long long)(ns / 1000000000),
		n ? "." : "", frac);
}

static void tw_prom_records(FILE *f, const struct tw_stats *s)
{
	tw_prom_family(f, "tcpwave_records_total", "counter",
		       "Records read from the tcpwave ring.");
	tw_prom_u64(f, "tcpwave_records_total", NULL, s->records);
	tw_prom_family(f, "tcpwave_records_lost_total", "counter",
		       "Records the ring overwrote before this reader read "
		       "them.");
	tw_prom_u64(f, "tcpwave_records_lost_total", NULL, s->lost);
	tw_prom_family(f, "tcpwave_records_unknown_total", "counter",
		       "Records of events this tcpwave does not know.");
	tw_prom_u64(f, "tcpwave_records_unknown_total", NULL, s->unknown);
}

static void tw_prom_transitions(FILE *f, const struct tw_stats *s)
{
	char a[TW_STATE_STRLEN], b[TW_STATE_STRLEN];
	const char *l[5] = { "from", NULL, "to", NULL, NULL };
	unsigned int order[TW_STATS_NSTATES], from, to;
	size_t i, j;

	tw_prom_family(f, "tcpwave_transitions_total", "counter",
		       "TCP state transitions, by old and new state.");
	tw_state_order(order);
	for (i = 0; i < TW_STATS_NSTATES; i++)
		for (j = 0; j < TW_STATS_NSTATES; j++) {
			__u64 c;

			from = order[i];
			to = order[j];
			c = s->trans[(size_t)from * TW_STATS_NSTATES + to];

			if (!c)
				continue;
			l[1] = tw_state_str(from, a);
			l[3] = tw_state_str(to, b);
			tw_prom_u64(f, "tcpwave_transitions_total", l, c);
		}
}

/* Every known reason; no_reason and unknown only when they happened. */
static void tw_prom_reasons(FILE *f, const char *name, const char *side,
			    const __u64 *count, bool all)
{
	const char *l[5] = { "reason", NULL, NULL, NULL, NULL };
	unsigned int r;

	if (side) {
		l[0] = "side";
		l[1] = side;
		l[2] = "reason";
	}
	for (r = 1; r <= TW_STATS_NREASONS; r++) {
		unsigned int k = r % TW_STATS_NREASONS;	/* none last */

		if (!count[k] && (!all || k == TCPWAVE_REASON_none ||
				  k == TCPWAVE_REASON_MAX))
			continue;
		l[side ? 3 : 1] = tw_stats_reason(k);
		tw_prom_u64(f, name, l, count[k]);
	}
}

static void tw_prom_ends(FILE *f, const struct tw_stats *s)
{
	int side;

	tw_prom_family(f, "tcpwave_closes_total", "counter",
		       "Socket ends (transitions to CLOSE), by reason.");
	tw_prom_reasons(f, "tcpwave_closes_total", NULL, s->closes, true);
	tw_prom_family(f, "tcpwave_handshake_failures_total", "counter",
		       "Handshakes that ended before ESTABLISHED, by side "
		       "and reason.");
	for (side = 0; side < TW_SIDE_MAX; side++)
		tw_prom_reasons(f, "tcpwave_handshake_failures_total",
				tw_side_name(side), s->hs_fail[side], false);
	tw_prom_family(f, "tcpwave_aborts_total", "counter",
		       "Connections ended from a synchronized state on an "
		       "error, by reason.");
	tw_prom_reasons(f, "tcpwave_aborts_total", NULL, s->aborts, false);
}

static void tw_prom_handshakes(FILE *f, const struct tw_stats *s)
{
	const char *name = "tcpwave_handshake_duration_seconds";
	const char *bucket = "tcpwave_handshake_duration_seconds_bucket";
	const char *l[5] = { "side", NULL, "le", NULL, NULL };
	const char *ls[3] = { "side", NULL, NULL };
	int side;
	size_t b;

	tw_prom_family(f, name, "histogram",
		       "Handshake time: active side from connect() to "
		       "ESTABLISHED, passive side from the SYN to "
		       "ESTABLISHED.");
	for (side = 0; side < TW_SIDE_MAX; side++) {
		__u64 cum = 0;

		l[1] = tw_side_name(side);
		ls[1] = l[1];
		for (b = 0; b < TW_PROM_BUCKETS; b++) {
			cum += s->hs_le[side][b];
			l[3] = tw_prom_le[b];
			tw_prom_u64(f, bucket, l, cum);
		}
		l[3] = "+Inf";
		tw_prom_u64(f, bucket, l, s->hs[side].count);
		tw_prom_secs(f, "tcpwave_handshake_duration_seconds_sum", ls,
			     s->hs[side].sum);
		tw_prom_u64(f, "tcpwave_handshake_duration_seconds_count", ls,
			    s->hs[side].count);
	}
}

static void tw_prom_states(FILE *f, const struct tw_stats *s,
			   const struct tw_stats_now *n)
{
	const char *name = "tcpwave_state_duration_seconds";
	char buf[TW_STATE_STRLEN];
	const char *l[5] = { "state", NULL, "quantile", NULL, NULL };
	const char *ls[3] = { "state", NULL, NULL };
	unsigned int order[TW_STATS_NSTATES], st;
	struct tw_dist_sum d;
	size_t k;

	tw_prom_family(f, name, "summary",
		       "Time spent in a state, per completed visit; "
		       "quantiles over the whole run.");
	tw_state_order(order);
	for (k = 0; k < TW_STATS_NSTATES; k++) {
		st = order[k];
		if (!s->state_time[st].count)
			continue;
		tw_dist_summary(&s->state_time[st], &d);
		l[1] = tw_state_str(st, buf);
		ls[1] = l[1];
		l[3] = "0.5";
		tw_prom_secs(f, name, l, d.p50);
		l[3] = "0.99";
		tw_prom_secs(f, name, l, d.p99);
		tw_prom_secs(f, "tcpwave_state_duration_seconds_sum", ls,
			     d.sum);
		tw_prom_u64(f, "tcpwave_state_duration_seconds_count", ls,
			    d.count);
	}

	tw_prom_family(f, "tcpwave_sockets", "gauge",
		       "Sockets in each state now.");
	for (k = 0; k < TW_STATS_NSTATES; k++) {
		st = order[k];
		/* The known states always; CLOSE is never one for long. */
		if (!n->sockets[st] &&
		    (st == 0 || st == TCPWAVE_CLOSE || st >= TCPWAVE_STATE_MAX))
			continue;
		ls[1] = tw_state_str(st, buf);
		tw_prom_u64(f, "tcpwave_sockets", ls, n->sockets[st]);
	}
}

static void tw_prom_now(FILE *f, const struct tw_stats *s,
			const struct tw_stats_now *n)
{
	tw_prom_family(f, "tcpwave_close_wait_leak_suspects", "gauge",
		       "Sockets in CLOSE_WAIT for longer than the threshold: "
		       "the peer closed, the application did not.");
	tw_prom_u64(f, "tcpwave_close_wait_leak_suspects", NULL,
		    n->nsuspects);
	tw_prom_family(f, "tcpwave_close_wait_threshold_seconds", "gauge",
		       "The leak-suspect threshold (--close-wait-ms).");
	tw_prom_secs(f, "tcpwave_close_wait_threshold_seconds", NULL,
		     s->close_wait_ns);
	tw_prom_family(f, "tcpwave_time_wait_sockets", "gauge",
		       "Sockets in TIME_WAIT now.");
	tw_prom_u64(f, "tcpwave_time_wait_sockets", NULL,
		    n->sockets[TCPWAVE_TIME_WAIT]);
	tw_prom_family(f, "tcpwave_time_wait_entered_total", "counter",
		       "Transitions to TIME_WAIT.");
	tw_prom_u64(f, "tcpwave_time_wait_entered_total", NULL,
		    s->tw_entered);
	tw_prom_family(f, "tcpwave_time_wait_expired_total", "counter",
		       "TIME_WAIT sockets whose 2MSL timer fired.");
	tw_prom_u64(f, "tcpwave_time_wait_expired_total", NULL,
		    s->tw_expired);
	tw_prom_family(f, "tcpwave_time_wait_killed_total", "counter",
		       "TIME_WAIT sockets ended early (RST, reuse, netns "
		       "exit).");
	tw_prom_u64(f, "tcpwave_time_wait_killed_total", NULL, s->tw_killed);
	tw_prom_family(f, "tcpwave_sockets_forgotten_total", "counter",
		       "Sockets no longer tracked because too many were "
		       "alive at once.");
	tw_prom_u64(f, "tcpwave_sockets_forgotten_total", NULL, s->forgotten);
}

/* A name of /proc/tcpwave_stats fit for a metric name: [a-z][a-z0-9_]*. */
static bool tw_prom_word(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
		    *s != '_')
			return false;
	return true;
}

/*
 * The module's own counters, read fresh at each call.  Known names get
 * their type and help; a name a newer module added becomes a gauge.
 * The format version is a label of tcpwave_module_info.
 */
static void tw_prom_module(FILE *f, const char *path)
{
	char line[256], name[64], value[64], metric[96];
	const struct tw_prom_module *m;
	unsigned long long v;
	FILE *in;
	size_t i;

	in = fopen(path, "re");
	if (!in) {
		if (errno != ENOENT)
			fprintf(stderr, "tcpwave: cannot open %s: %s\n", path,
				strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), in)) {
		const char *l[3] = { "format", value, NULL };

		if (sscanf(line, "%63s %63s", name, value) != 2 ||
		    !tw_prom_word(name))
			continue;
		if (!strcmp(name, "format")) {
			tw_prom_family(f, "tcpwave_module_info", "gauge",
				       "The tcpwave module: format of "
				       "/proc/tcpwave.");
			tw_prom_u64(f, "tcpwave_module_info", l, 1);
			continue;
		}
		if (tw_parse_u64(value, 10, ~0ULL, &v))
			continue;
		m = NULL;
		for (i = 0; i < sizeof(tw_prom_modules) /
			    sizeof(tw_prom_modules[0]); i++)
			if (!strcmp(name, tw_prom_modules[i].name))
				m = &tw_prom_modules[i];
		snprintf(metric, sizeof(metric), "tcpwave_module_%s",
			 m ? m->metric : name);
		tw_prom_family(f, metric, m ? m->type : "gauge",
			       m ? m->help : "A counter of /proc/tcpwave_stats "
			       "this tcpwave does not know.");
		tw_prom_u64(f, metric, NULL, v);
	}
	fclose(in);
}

/**
 * tw_prom_write() - every metric, in the text exposition format 0.0.4
 * @f: where to (for the textfile collector, a tw_out_open() file)
 * @s: the engine; leak suspects and sockets are counted at "now"
 *
 * When @s reads the live ring (or $TCPWAVE_STATS names a file), the
 * module's counters of /proc/tcpwave_stats are added, read at this call.
 * Safe to call again and again on a growing @s (-E --prometheus).
 *
 * Return: 0, or -1 when @f has a write error.
 */
int tw_prom_write(FILE *f, const struct tw_stats *s)
{
	struct tw_stats_now n;

	tw_stats_now(s, &n);
	tw_prom_records(f, s);
	tw_prom_transitions(f, s);
	tw_prom_ends(f, s);
	tw_prom_handshakes(f, s);
	tw_prom_states(f, s, &n);
	tw_prom_now(f, s, &n);
	if (s->module_path)
		tw_prom_module(f, s->module_path);
	tw_stats_now_free(&n);
	return ferror(f) ? -1 : 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - "tcpwave -s": statistics computed record by record, so that
 * the same engine sums up a capture and a live stream (-E --prometheus,
 * --live), and its three renderings: text, JSON and Prometheus.
 *
 * Use:
 *	tw_stats_init(&s, o);
 *	tw_stats_filter(&s, &o->filter);	(a stream; optional)
 *	tw_stats_exact(&s);			(a capture; optional)
 *	for each record: tw_stats_add(&s, r);
 *	for each "# lost N": tw_stats_lost(&s, N);
 *	tw_summary_text(), tw_summary_json() or tw_prom_write(), any time;
 *	tw_stats_free(&s);
 *
 * Memory is bounded: the engine keeps one small entry per socket alive
 * (its state, when it entered it, when its handshake began, its tuple and
 * owner), dropped when the socket's life ends, and at most
 * TW_STATS_MAX_SOCKS of them; durations go into fixed-size histograms
 * unless tw_stats_exact() asked for every sample.
 */
#ifndef TW_STATS_H
#define TW_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conn.h"
#include "filter.h"
#include "fmt.h"
#include "opts.h"
#include "parse.h"
#include "tcpwave_abi.h"

/*
 * At most this many sockets tracked at once (about 120 bytes each).  When
 * the table is full the socket touched least recently is forgotten and
 * counted in tw_stats.forgotten: on an endless stream, sockets whose last
 * records were lost would otherwise stay forever.
 */
#define TW_STATS_MAX_SOCKS	(1U << 18)

/* Every possible state and reason value has a slot: they are __u8. */
#define TW_STATS_NSTATES	256
#define TW_STATS_NREASONS	(TCPWAVE_REASON_MAX + 1)

/*
 * The log-linear histogram of durations in ns: values below 128 have a
 * bucket each; above, each power of two [2^k, 2^(k+1)) is cut into
 * 2^TW_HIST_SUB_BITS equal buckets.  A percentile read from it is the
 * highest value of its bucket (clamped to the largest value seen), so it
 * is never below the exact one and less than 1/64 (1.6 %) above it.
 */
#define TW_HIST_SUB_BITS	6
#define TW_HIST_SUB		(1U << TW_HIST_SUB_BITS)
#define TW_HIST_LINEAR		(2 * TW_HIST_SUB)
#define TW_HIST_BUCKETS		(TW_HIST_LINEAR + (63 - TW_HIST_SUB_BITS) * \
				 TW_HIST_SUB)

/* The fixed buckets of tcpwave_handshake_duration_seconds, 0.1 ms .. 10 s */
#define TW_PROM_BUCKETS		16

enum tw_side {
	TW_SIDE_ACTIVE,		/* connect(): CLOSE -> SYN_SENT */
	TW_SIDE_PASSIVE,	/* a SYN on a listener: LISTEN -> SYN_RECV */
	TW_SIDE_MAX
};

/* Durations in ns: count, sum, extremes, and the samples or a histogram. */
struct tw_dist {
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 max;
	__u64 *samples;		/* exact: every value, in arrival order */
	size_t samples_cap;
	__u64 *hist;		/* bounded: TW_HIST_BUCKETS counts, or NULL */
};

/* What a report shows of one distribution; all 0 when count is 0. */
struct tw_dist_sum {
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 p50;
	__u64 p90;
	__u64 p99;
	__u64 max;
};

struct tw_stats_sock;

struct tw_stats {
	/* Chosen before the first record. */
	const struct tw_filter *filter;	/* NULL: every end counts */
	bool exact;		/* keep samples: exact percentiles */
	bool clock;		/* "now" is CLOCK_MONOTONIC: the live ring */
	__u64 close_wait_ns;	/* leak-suspect threshold */
	const char *module_path; /* /proc/tcpwave_stats, or NULL */
	size_t max_socks;

	/* Records as read, whatever the filter. */
	__u64 records;
	__u64 lost;
	__u64 unknown;		/* of events this viewer does not know */
	__u64 last_ts;		/* ns, of the latest record */

	/* Of the ends that pass the filter. */
	__u64 *trans;		/* [old * TW_STATS_NSTATES + new] */
	__u64 closes[TW_STATS_NREASONS];
	__u64 hs_fail[TW_SIDE_MAX][TW_STATS_NREASONS];
	__u64 aborts[TW_STATS_NREASONS];
	__u64 ends_listener;	/* LISTEN -> CLOSE */
	__u64 ends_failed;	/* handshake never completed */
	__u64 ends_aborted;	/* from a synchronized state, on an error */
	__u64 ends_normal;	/* close, or the timewait socket's end */
	__u64 ends_other;	/* no reason recorded (format 1.0) */
	struct tw_dist hs[TW_SIDE_MAX];
	__u64 hs_le[TW_SIDE_MAX][TW_PROM_BUCKETS];	/* not cumulative */
	struct tw_dist state_time[TW_STATS_NSTATES];
	__u64 tw_entered;
	__u64 tw_expired;
	__u64 tw_killed;
	__u64 forgotten;	/* sockets dropped from a full table */

	/* The sockets alive: a pool, hash chains and an LRU list. */
	struct tw_stats_sock *socks;
	size_t nsocks;		/* slots used in the pool, free ones too */
	size_t socks_cap;
	size_t live;
	__u32 *heads;
	unsigned int hbits;
	__u32 free_head;
	__u32 lru_head;		/* least recently touched */
	__u32 lru_tail;
};

/* A socket in CLOSE_WAIT for longer than the threshold. */
struct tw_suspect {
	__u64 cookie;
	__u64 age;		/* ns in CLOSE_WAIT at "now" */
	__u32 netns;
	__u32 pid;
	bool has_owner;
	unsigned int family;
	__u16 lport;
	__u16 rport;
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[TCPWAVE_COMM_LEN];
};

/* The state of things at "now". */
struct tw_stats_now {
	__u64 now;		/* ns, CLOCK_MONOTONIC */
	bool clock;		/* read from the clock, not the last record */
	__u64 open;		/* sockets alive */
	__u64 sockets[TW_STATS_NSTATES];
	struct tw_suspect *suspects;	/* longest first */
	size_t nsuspects;
};

void tw_stats_init(struct tw_stats *s, const struct tw_opts *o);
void tw_stats_filter(struct tw_stats *s, const struct tw_filter *f);
void tw_stats_exact(struct tw_stats *s);
void tw_stats_add(struct tw_stats *s, const struct tcpwave_record *r);
void tw_stats_lost(struct tw_stats *s, __u64 n);
void tw_stats_free(struct tw_stats *s);

void tw_stats_capture(struct tw_stats *s, const struct tw_trace *t,
		      const struct tw_conns *c, size_t only);

void tw_dist_add(struct tw_dist *d, bool exact, __u64 ns);
void tw_dist_summary(const struct tw_dist *d, struct tw_dist_sum *sum);
void tw_dist_free(struct tw_dist *d);
size_t tw_hist_index(__u64 ns);
__u64 tw_hist_high(size_t i);

void tw_stats_now(const struct tw_stats *s, struct tw_stats_now *n);
void tw_stats_now_free(struct tw_stats_now *n);

void tw_state_order(unsigned int order[TW_STATS_NSTATES]);
const char *tw_stats_reason(unsigned int reason);
const char *tw_side_name(enum tw_side side);
extern const __u64 tw_prom_le_ns[TW_PROM_BUCKETS];
extern const char *const tw_prom_le[TW_PROM_BUCKETS];

void tw_summary_text(FILE *f, const struct tw_stats *s,
		     const struct tw_view *v);
int tw_summary_json(FILE *f, const struct tw_stats *s);
int tw_prom_write(FILE *f, const struct tw_stats *s);

#endif /* TW_STATS_H */

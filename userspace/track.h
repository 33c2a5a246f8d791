/* SPDX-License-Identifier: GPL-2.0 */
/*
 * track.h - connection ends followed as their records stream in: the
 * state each is in now and since when, its owner, and (for -E) its
 * records, until its life is over.  Memory is bounded by the ends alive
 * at once, not by how long the stream runs.
 */
#ifndef TW_TRACK_H
#define TW_TRACK_H

#include <stdbool.h>
#include <stddef.h>

#include "tcpwave_abi.h"

struct tw_end {
	__u64 cookie;
	struct tcpwave_record last;	/* its newest record: tuple, state */
	__u64 born_ns;			/* ts_ns of its first record */
	__u64 nseen;			/* records accounted to it */
	__u64 since_ns;			/* when it entered last.newstate */
	bool has_owner;			/* from connect, accept or listen */
	bool owner_listener;		/* the owner is its listener's, for now */
	__u32 pid;
	char comm[TCPWAVE_COMM_LEN];
	__u32 states;			/* 1 << state, every state it was in */
	bool active;			/* went through SYN_SENT */
	bool listener;
	bool done;			/* its life ended: newstate CLOSE */
	bool has_iss;			/* ISS and IRS, once a record tells */
	bool has_irs;
	__u32 iss;
	__u32 irs;
	__u64 nlost_before;		/* records lost while it lived */
	struct tcpwave_record *recs;	/* if the tracker keeps them */
	size_t nrecs;
	size_t recs_cap;
	void *data;			/* the caller's: t->free_data()d */
	/* private */
	size_t tkey;			/* tuple bucket, both ends alike */
	struct tw_end *tnext;
	struct tw_end *hnext;
	struct tw_end *prev;		/* by first record */
	struct tw_end *next;
};

struct tw_tracker {
	struct tw_end **buckets;	/* by cookie */
	struct tw_end **tuples;		/* by 4-tuple, in either direction */
	size_t nbuckets;
	size_t nends;
	size_t max_ends;		/* beyond it, the oldest is evicted */
	bool keep_recs;
	struct tw_end *oldest;
	struct tw_end *newest;
	__u64 evicted;			/* ends dropped to stay bounded */
	void (*free_data)(void *data);	/* frees tw_end.data; NULL: free() */
	/* private */
	struct tw_end *spare;		/* removed, for tw_track_new() */
	size_t nspare;
};

void tw_track_init(struct tw_tracker *t, bool keep_recs, size_t max_ends);
void tw_track_free(struct tw_tracker *t);
struct tw_end *tw_track_add(struct tw_tracker *t,
			    const struct tcpwave_record *r);
void tw_track_lost(struct tw_tracker *t, __u64 n);
void tw_track_remove(struct tw_tracker *t, struct tw_end *e);
struct tw_end *tw_track_peer(const struct tw_tracker *t,
			     const struct tw_end *e);
struct tw_end *tw_track_find(const struct tw_tracker *t, __u64 cookie);
bool tw_track_trails_close(const struct tcpwave_record *r);

/* Oldest first; safe against tw_track_remove() of the current end. */
#define tw_track_for_each(t, e, tmp) \
	for ((e) = (t)->oldest; (e) && ((tmp) = (e)->next, 1); (e) = (tmp))

#endif /* TW_TRACK_H */

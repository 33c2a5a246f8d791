/* SPDX-License-Identifier: GPL-2.0 */
/*
 * follow.h - "-E", "--events", "--follow": each transition as it is read,
 * and each connection's ladder once it is over.
 *
 * follow.c reads and pairs; what is written, and how, is a sink's: one
 * function per kind of event.  Text is the sink of follow.c; JSON and
 * Prometheus are sinks to add to its table.
 */
#ifndef TW_FOLLOW_H
#define TW_FOLLOW_H

#include <stdbool.h>
#include <stdio.h>

#include "conn.h"
#include "opts.h"
#include "parse.h"
#include "track.h"

/* One transition, as it was read. */
struct tw_fevent {
	const struct tcpwave_record *rec;
	const struct tw_end *end;	/* its end, this record included */
	__u64 t_ns;			/* since the stream's first record */
	bool has_old_ns;		/* we saw it enter the old state */
	__u64 old_ns;			/* how long it was in the old state */
	bool has_owner;			/* connect/accept/listen, or listener */
	__u32 pid;
	const char *comm;		/* TCPWAVE_COMM_LEN bytes */
};

/* Where a sink writes, and its own state. */
struct tw_fout {
	FILE *f;
	const struct tw_opts *o;
	void *priv;
};

/*
 * What a sink does with each kind of event; any hook may be NULL.  The
 * filters are applied before a hook is called.
 */
struct tw_fsink {
	/* It writes -o FILE itself: follow.c leaves the output alone. */
	bool owns_output;
	/* Before the first event; returns 0, or -1 after saying why. */
	int (*start)(struct tw_fout *out);
	/* Every record as it is read, before any filter. */
	void (*raw)(struct tw_fout *out, const struct tcpwave_record *r);
	/* A transition passed the filters. */
	void (*record)(struct tw_fout *out, const struct tw_fevent *ev);
	/* The ring overwrote @n records before we read them. */
	void (*lost)(struct tw_fout *out, __u64 n);
	/*
	 * A connection is over: its ladder, numbered @id.  @in_progress at
	 * the end of the input, for those that were not over yet.
	 */
	void (*conn)(struct tw_fout *out, const struct tw_conn *conn,
		     const struct tw_trace *t, size_t id, bool in_progress);
	/* Nothing more to read for now: the moment to flush. */
	void (*idle)(struct tw_fout *out);
	/* About once a second, however busy the input. */
	void (*tick)(struct tw_fout *out);
	/* The last call; the output is flushed and closed after it. */
	void (*stop)(struct tw_fout *out);
};

int tw_follow_run(const struct tw_opts *o);

#endif /* TW_FOLLOW_H */

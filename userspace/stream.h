/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stream.h - reading records as they come: from the module's ring,
 * waiting in poll() for more, or from a pipe or a file until its end.
 */
#ifndef TW_STREAM_H
#define TW_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "opts.h"
#include "parse.h"

enum tw_sev {
	TW_SEV_ERROR = -1,	/* reported on stderr already */
	TW_SEV_RECORD,		/* *rec filled in */
	TW_SEV_LOST,		/* "# lost N": *lost = N */
	TW_SEV_IDLE,		/* nothing new within the timeout */
	TW_SEV_EOF,		/* a file or pipe ended: nothing will come */
};

struct tw_stream {
	int fd;
	bool ring;		/* the module's ring: caught up is not the end */
	bool pollable;		/* poll() tells when data comes (not a file) */
	const char *name;
	struct tw_parser p;
	char *buf;		/* bytes read, not yet parsed */
	size_t start;		/* the first unparsed byte */
	size_t len;
	size_t cap;
	unsigned long lineno;
	bool eof;
	__u64 nrecs;		/* records returned so far */
	__u64 nlost;		/* records the ring said we lost */
};

int tw_input_fd(const struct tw_opts *o);
int tw_stream_open(struct tw_stream *s, const struct tw_opts *o);
enum tw_sev tw_stream_next(struct tw_stream *s, struct tcpwave_record *rec,
			   __u64 *lost, int timeout_ms);
void tw_stream_close(struct tw_stream *s);

#endif /* TW_STREAM_H */

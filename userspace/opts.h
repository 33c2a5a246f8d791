/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opts.h - what the command line chose: the mode, the output format, the
 * filters and where the records come from.  Every mode gets one of these.
 */
#ifndef TW_OPTS_H
#define TW_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "filter.h"
#include "fmt.h"

enum tw_mode {
	TW_MODE_LADDER,		/* default */
	TW_MODE_LIST,		/* -l, --list */
	TW_MODE_EVENTS,		/* -E, --events, --follow */
	TW_MODE_LIVE,		/* --live, --top */
	TW_MODE_SUMMARY,	/* -s, --summary, --stats */
};

enum tw_format {
	TW_FORMAT_TEXT,
	TW_FORMAT_JSON,		/* -j, --json: JSON Lines */
	TW_FORMAT_PROM,		/* --prometheus: text exposition 0.0.4 */
	TW_FORMAT_SVG,		/* --svg */
};

struct tw_opts {
	enum tw_mode mode;
	enum tw_format format;
	struct tw_view view;
	struct tw_filter filter;
	const char *path;	/* as given: a file, "-", or the ring */
	const char *name;	/* for messages: path, or "<stdin>" */
	bool ring;		/* path is the module's ring (or $TCPWAVE_PROC) */
	const char *output;	/* -o FILE, or NULL for stdout */
	unsigned long long close_wait_ms;	/* leak-suspect threshold */
	unsigned long long interval_s;		/* --interval, -E output */
};

/* Exit codes, as documented in the usage text and tcpwave(1). */
#define TW_EXIT_OK	0
#define TW_EXIT_INPUT	1
#define TW_EXIT_USAGE	2

/*
 * Standard output, or -o FILE written as FILE.tmp.PID and renamed over
 * FILE by tw_out_close(), so that a reader (node_exporter's textfile
 * collector) never sees half a file.
 */
struct tw_out {
	FILE *f;
	char *path;	/* NULL: standard output */
	char *tmp;
};

int tw_out_open(struct tw_out *o, const char *path);
int tw_out_close(struct tw_out *o);
FILE *tw_input_open(const struct tw_opts *o);

#endif /* TW_OPTS_H */

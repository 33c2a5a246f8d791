// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_common.c - the harness of the fuzz targets: options as main.c's
 * tw_parse_args() sets them, a filter, and tw_out_open()/tw_out_close().
 *
 * main.c holds main(), which libFuzzer brings, and calls --live, which
 * would bring ncurses; so the two functions of main.c the renderers call
 * are given here, writing to /dev/null: the targets never ask for -o.
 */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fuzz.h"
#include "opts.h"

/* One /dev/null for the process: every renderer writes there. */
FILE *tw_fuzz_null(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null)
		abort();
	return null;
}

/* The defaults of tw_parse_args(), for a capture FILE. */
void tw_fuzz_opts(struct tw_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->close_wait_ms = 10000;
	o->interval_s = 15;
	o->path = "fuzz";
	o->name = "fuzz";
	/* $TCPWAVE_STATS would make -s read a file of the machine's. */
	unsetenv("TCPWAVE_STATS");
}

/*
 * Options that all must hold, each with alternatives: ports and
 * addresses of the fixtures, states of the middle and of the end, so
 * that some connections pass and others do not.
 */
void tw_fuzz_filter(struct tw_filter *f)
{
	static const struct {
		int opt;
		const char *arg;
	} opts[] = {
		{ TW_FOPT_LPORT, "8080,80,44000" },
		{ TW_FOPT_RADDR, "127.0.0.0/8,::/0" },
		{ TW_FOPT_STATE, "established,time-wait,close-wait,syn-sent" },
	};
	char err[256];
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (tw_filter_option(f, opts[i].opt, opts[i].arg, err,
				     sizeof(err)))
			abort();	/* the harness is wrong, not the input */
}

int tw_out_open(struct tw_out *o, const char *path)
{
	if (path)
		abort();
	memset(o, 0, sizeof(*o));
	o->f = tw_fuzz_null();
	return 0;
}

int tw_out_close(struct tw_out *o)
{
	int ret = fflush(o->f) || ferror(o->f) ? -1 : 0;

	clearerr(o->f);
	memset(o, 0, sizeof(*o));
	return ret;
}

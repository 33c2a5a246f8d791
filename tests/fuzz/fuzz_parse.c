// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_parse.c - libFuzzer target: the input is a capture of
 * /proc/tcpwave.  It is read as tw_run_capture() in main.c reads one,
 * paired into connections and drawn by every capture renderer: ladders
 * (UTF-8 and --ascii, in colour), --list, --json, --svg, and -s as text,
 * JSON and Prometheus; then filtered and drawn again, and --conn 1.
 * Nothing may crash, leak or hit undefined behaviour.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "filter.h"
#include "fuzz.h"
#include "json.h"
#include "ladder.h"
#include "list.h"
#include "opts.h"
#include "parse.h"
#include "stats.h"
#include "svg.h"

/* tw_summary_print() of main.c, in @format. */
static void tw_fuzz_summary(FILE *f, struct tw_opts *o,
			    enum tw_format format,
			    const struct tw_trace *t, const struct tw_conns *c)
{
	struct tw_stats s;

	o->format = format;
	tw_stats_init(&s, o);
	tw_stats_exact(&s);
	tw_stats_capture(&s, t, c, o->view.only);
	if (format == TW_FORMAT_PROM)
		tw_prom_write(f, &s);
	else if (format == TW_FORMAT_JSON)
		tw_summary_json(f, &s);
	else
		tw_summary_text(f, &s, &o->view);
	tw_stats_free(&s);
}

/* Every renderer of tw_run_capture(), on the connections of @c. */
static void tw_fuzz_draw(FILE *f, struct tw_opts *o,
			 const struct tw_trace *t, const struct tw_conns *c)
{
	struct tw_view *v = &o->view;

	v->ascii = false;
	v->color = true;
	if (c->nconns)
		tw_ladder_print(f, c, t, v);
	v->ascii = true;
	v->color = false;
	if (c->nconns)
		tw_ladder_print(f, c, t, v);
	tw_list_print(f, c, v);
	v->wide = true;
	tw_list_print(f, c, v);
	v->wide = false;
	tw_json_capture(f, c, t, v);
	tw_svg_print(f, c, t, v);
	tw_fuzz_summary(f, o, TW_FORMAT_TEXT, t, c);
	tw_fuzz_summary(f, o, TW_FORMAT_JSON, t, c);
	tw_fuzz_summary(f, o, TW_FORMAT_PROM, t, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tw_trace trace = { 0 };
	struct tw_conns conns;
	struct tw_opts o;
	FILE *in, *out = tw_fuzz_null();

	/* Read only: "r" never writes to the buffer. */
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	tw_fuzz_opts(&o);
	if (tw_trace_read(in, o.name, &trace)) {
		fclose(in);
		tw_trace_free(&trace);
		return 0;
	}
	fclose(in);

	tw_conns_build(&trace, &conns);
	tw_fuzz_draw(out, &o, &trace, &conns);
	if (conns.nconns) {
		/* --conn 1: the one connection asked for. */
		o.view.only = 1;
		tw_ladder_print(out, &conns, &trace, &o.view);
		tw_svg_print(out, &conns, &trace, &o.view);
		tw_json_capture(out, &conns, &trace, &o.view);
		tw_fuzz_summary(out, &o, TW_FORMAT_TEXT, &trace, &conns);
		o.view.only = 0;
	}

	tw_fuzz_filter(&o.filter);
	tw_filter_conns(&o.filter, &conns);
	tw_fuzz_draw(out, &o, &trace, &conns);
	tw_filter_free(&o.filter);

	fflush(out);
	clearerr(out);
	tw_conns_free(&conns);
	tw_trace_free(&trace);
	return 0;
}

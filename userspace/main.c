// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - tcpwave: draw the TCP handshakes and closes recorded by the
 * tcpwave module as ladder diagrams, follow them live, and sum them up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "filter.h"
#include "fmt.h"
#include "follow.h"
#include "json.h"
#include "ladder.h"
#include "list.h"
#include "live.h"
#include "opts.h"
#include "parse.h"
#include "stats.h"
#include "stream.h"
#include "svg.h"

/* From the top-level VERSION file, as dkms.conf gets it. */
#ifndef TW_VERSION
#error "TW_VERSION is not defined: build with userspace/Makefile"
#endif
#define TW_PROC_PATH	"/proc/tcpwave"

static const char tw_usage[] =
"Usage: tcpwave [OPTIONS] [FILE]\n"
"Show the TCP state transitions recorded by the tcpwave module: as one\n"
"ladder diagram per connection (the client on the left, the server on\n"
"the right, the segments between them), as a list, as they happen, as a\n"
"live table, or summed up.\n"
"\n"
"FILE is a capture of /proc/tcpwave; \"-\" reads standard input.  Without\n"
"FILE, read $TCPWAVE_PROC if set, else " TW_PROC_PATH ".\n"
"\n"
"Modes:\n"
"  (default)             ladders of the connections in the ring\n"
"  -l, --list            one line per connection\n"
"  -E, --events          follow: print transitions as they happen, and\n"
"      --follow            each connection's ladder when it is over\n"
"      --live, --top     full-screen table of current connections (keys:\n"
"                        ? shows them); not on a terminal, or with -o,\n"
"                        the table is printed once as text\n"
"  -s, --summary         statistics: handshake times, time in states,\n"
"      --stats             failures and aborts by reason, leak suspects\n"
"\n"
"Output:\n"
"  -j, --json            JSON Lines: one object per line\n"
"      --prometheus      Prometheus text format (node_exporter textfile)\n"
"      --svg             the ladders as an SVG sequence diagram\n"
"  -o, --output FILE     write FILE (atomically: FILE.tmp, then rename)\n"
"      --interval SEC    with -E --prometheus: rewrite -o FILE every SEC\n"
"                        seconds (default 15)\n"
"  -a, --ascii           ASCII only, no UTF-8 box drawing\n"
"      --color[=WHEN]    colour: auto (a terminal, NO_COLOR unset), always,\n"
"                        never\n"
"  -w, --wide            wide columns: never shorten addresses\n"
"\n"
"Filters (a list is \"A,B\": either; different options: all must hold):\n"
"  -4, --ipv4            IPv4 sockets only\n"
"  -6, --ipv6            IPv6 sockets only (with IPv4-mapped addresses)\n"
"  -L, --lport PORTS     local port\n"
"  -D, --rport PORTS     remote port\n"
"      --laddr ADDRS     local address, ADDR or ADDR/LEN\n"
"      --raddr ADDRS     remote address, ADDR or ADDR/LEN\n"
"  -p, --pid PIDS        owner: the process that connected, accepted or\n"
"                        listened\n"
"      --comm NAME       owner's task name, exactly\n"
"      --state STATES    was in STATE (-E, --live: is in it now); kernel\n"
"                        names (TIME_WAIT) or ss names (time-wait)\n"
"  -N, --netns NS        network namespace: a name under /run/netns, an\n"
"                        inode number, or a path (/proc/PID/ns/net)\n"
"  -c, --conn ID         only connection ID (as numbered in the output)\n"
"      --close-wait-ms MS  CLOSE_WAIT longer than MS is a leak suspect\n"
"                        (-s, --live; default 10000)\n"
"\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"A capture without connections prints \"no connections\" (ladders) or\n"
"the header row alone (--list).  Records lost because the reader fell\n"
"behind the ring are reported on standard error.\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  input or runtime error: cannot open or read the input, malformed\n"
"     input (\"tcpwave: FILE:LINE: what\"), unsupported format version,\n"
"     no such connection, cannot write the output\n"
"  2  usage error\n"
"\n"
"EXAMPLES:\n"
"  tcpwave                        # ladders of everything in the ring\n"
"  tcpwave --list -L 80,443       # one line per connection to 80 or 443\n"
"  tcpwave -c 3 --ascii           # connection 3, plain ASCII\n"
"  tcpwave -E --state close-wait  # sockets as they enter CLOSE_WAIT\n"
"  tcpwave --live                 # like top, for TCP connections\n"
"  tcpwave -s --close-wait-ms 5000  # statistics and leak suspects\n"
"  tcpwave -E -j | jq .           # every transition, as JSON\n"
"  tcpwave -E --prometheus \\\n"
"        -o /var/lib/prometheus/node-exporter/tcpwave.prom\n"
"  tcpwave --svg -c 2 > conn2.svg # a picture for a bug report\n"
"  cat /proc/tcpwave > cap.txt; tcpwave cap.txt\n"
"  ssh host cat /proc/tcpwave | tcpwave -\n";

enum {
	TW_OPT_LIVE = 0x200,
	TW_OPT_PROM,
	TW_OPT_SVG,
	TW_OPT_COLOR,
	TW_OPT_INTERVAL,
	TW_OPT_CLOSE_WAIT,
};

static const struct option tw_longopts[] = {
	{ "list",	no_argument,		NULL, 'l' },
	{ "events",	no_argument,		NULL, 'E' },
	{ "follow",	no_argument,		NULL, 'E' },
	{ "live",	no_argument,		NULL, TW_OPT_LIVE },
	{ "top",	no_argument,		NULL, TW_OPT_LIVE },
	{ "summary",	no_argument,		NULL, 's' },
	{ "stats",	no_argument,		NULL, 's' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "prometheus",	no_argument,		NULL, TW_OPT_PROM },
	{ "svg",	no_argument,		NULL, TW_OPT_SVG },
	{ "output",	required_argument,	NULL, 'o' },
	{ "interval",	required_argument,	NULL, TW_OPT_INTERVAL },
	{ "ascii",	no_argument,		NULL, 'a' },
	{ "color",	optional_argument,	NULL, TW_OPT_COLOR },
	{ "colour",	optional_argument,	NULL, TW_OPT_COLOR },
	{ "wide",	no_argument,		NULL, 'w' },
	{ "ipv4",	no_argument,		NULL, TW_FOPT_IPV4 },
	{ "ipv6",	no_argument,		NULL, TW_FOPT_IPV6 },
	{ "lport",	required_argument,	NULL, TW_FOPT_LPORT },
	{ "rport",	required_argument,	NULL, TW_FOPT_RPORT },
	{ "laddr",	required_argument,	NULL, TW_FOPT_LADDR },
	{ "raddr",	required_argument,	NULL, TW_FOPT_RADDR },
	{ "pid",	required_argument,	NULL, TW_FOPT_PID },
	{ "comm",	required_argument,	NULL, TW_FOPT_COMM },
	{ "state",	required_argument,	NULL, TW_FOPT_STATE },
	{ "netns",	required_argument,	NULL, TW_FOPT_NETNS },
	{ "conn",	required_argument,	NULL, 'c' },
	{ "close-wait-ms", required_argument,	NULL, TW_OPT_CLOSE_WAIT },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

static void __attribute__((noreturn)) tw_usage_error(const char *fmt,
						     const char *arg)
{
	fputs("tcpwave: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'tcpwave --help' for more information.\n", stderr);
	exit(TW_EXIT_USAGE);
}

/*
 * The option getopt_long() stopped at: a short one is in optopt (it may
 * sit inside a group such as "-lx"), a long one only in argv.
 */
static const char *tw_bad_opt(char **argv)
{
	static char opt[3];

	if (!optopt || !strncmp(argv[optind - 1], "--", 2))
		return argv[optind - 1];
	opt[0] = '-';
	opt[1] = optopt;
	return opt;
}

/* The input of @o as a stdio stream (tw_input_fd()), or NULL. */
FILE *tw_input_open(const struct tw_opts *o)
{
	int fd = tw_input_fd(o);
	FILE *f;

	if (fd == STDIN_FILENO)
		return stdin;
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		fprintf(stderr, "tcpwave: %s: %s\n", o->path, strerror(errno));
		close(fd);
	}
	return f;
}

/*
 * Standard output that is not a terminal goes out in writes of this
 * many bytes.  stdio's default is st_blksize, 4096 for a pipe or
 * /dev/null: "tcpwave -E" then makes a write() every 20 lines or so, and
 * where syscalls are dear (a guest under emulation, with page-table
 * isolation) those cost more than the lines.  The followers flush
 * whenever they have caught up and once a second (follow.c,
 * tw_text_idle()), so a bigger buffer delays nothing a reader downstream
 * waits for.  glibc's setvbuf() ignores the size without a buffer.
 */
static char tw_stdout_buf[65536];

/* Open -o FILE as FILE.tmp.PID, or take standard output.  0 or -1. */
int tw_out_open(struct tw_out *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	if (!path) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	o->tmp = tw_xrealloc(NULL, strlen(path) + 32, 1);
	sprintf(o->tmp, "%s.tmp.%ld", path, (long)getpid());
	o->f = o->path ? fopen(o->tmp, "w") : NULL;
	if (o->f)
		return 0;
	fprintf(stderr, "tcpwave: cannot create %s: %s\n", o->tmp,
		strerror(errno));
	free(o->path);
	free(o->tmp);
	return -1;
}

/*
 * Flush, and for -o FILE rename the finished file over FILE.  Returns 0,
 * or -1 after saying what failed (the temporary file is removed).
 */
int tw_out_close(struct tw_out *o)
{
	int err = fflush(o->f) || ferror(o->f) ? errno : 0;

	if (!o->path) {
		if (err)
			fprintf(stderr, "tcpwave: write error: %s\n",
				strerror(err));
		return err ? -1 : 0;
	}
	if (fclose(o->f) && !err)
		err = errno;
	if (!err && rename(o->tmp, o->path))
		err = errno;
	if (err) {
		fprintf(stderr, "tcpwave: cannot write %s: %s\n", o->path,
			strerror(err));
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return err ? -1 : 0;
}

/* --color=auto: a terminal, and https://no-color.org respected. */
static bool tw_color_auto(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !(nc && *nc) &&
	       !(term && !strcmp(term, "dumb"));
}

static bool tw_color(const char *when)
{
	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never"))
		return false;
	if (strcmp(when, "auto"))
		tw_usage_error("bad --color '%s' (auto, always or never)",
			       when);
	return tw_color_auto();
}

static void tw_set_mode(struct tw_opts *o, enum tw_mode mode)
{
	if (o->mode != TW_MODE_LADDER && o->mode != mode)
		tw_usage_error("%s", "choose one mode: --list, --events, "
			       "--live or --summary");
	o->mode = mode;
}

static void tw_set_format(struct tw_opts *o, enum tw_format format)
{
	if (o->format != TW_FORMAT_TEXT && o->format != format)
		tw_usage_error("%s", "choose one output format: --json, "
			       "--prometheus or --svg");
	o->format = format;
}

static void tw_parse_args(int argc, char **argv, struct tw_opts *o)
{
	const char *color = "auto";
	unsigned long long v;
	char err[512];
	int opt;

	o->close_wait_ms = 10000;
	o->interval_s = 15;
	opterr = 0;	/* our messages, prefixed "tcpwave: " */
	while ((opt = getopt_long(argc, argv, ":lEsjo:awc:46L:D:p:N:hV",
				  tw_longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			tw_set_mode(o, TW_MODE_LIST);
			break;
		case 'E':
			tw_set_mode(o, TW_MODE_EVENTS);
			break;
		case TW_OPT_LIVE:
			tw_set_mode(o, TW_MODE_LIVE);
			break;
		case 's':
			tw_set_mode(o, TW_MODE_SUMMARY);
			break;
		case 'j':
			tw_set_format(o, TW_FORMAT_JSON);
			break;
		case TW_OPT_PROM:
			tw_set_format(o, TW_FORMAT_PROM);
			break;
		case TW_OPT_SVG:
			tw_set_format(o, TW_FORMAT_SVG);
			break;
		case 'o':
			if (!*optarg)
				tw_usage_error("%s", "empty --output");
			o->output = optarg;
			break;
		case TW_OPT_INTERVAL:
			if (tw_parse_u64(optarg, 10, 86400, &v) || !v)
				tw_usage_error("bad --interval '%s' (1 to "
					       "86400 seconds)", optarg);
			o->interval_s = v;
			break;
		case TW_OPT_CLOSE_WAIT:
			if (tw_parse_u64(optarg, 10, 1000ULL * 86400 * 365,
					 &v))
				tw_usage_error("bad --close-wait-ms '%s'",
					       optarg);
			o->close_wait_ms = v;
			break;
		case 'a':
			o->view.ascii = true;
			break;
		case TW_OPT_COLOR:
			color = optarg ? optarg : "always";
			break;
		case 'w':
			o->view.wide = true;
			break;
		case 'c':
			if (tw_parse_u64(optarg, 10, SIZE_MAX, &v) || !v)
				tw_usage_error("bad connection ID '%s'",
					       optarg);
			o->view.only = v;
			break;
		case TW_FOPT_IPV4:
		case TW_FOPT_IPV6:
		case TW_FOPT_LPORT:
		case TW_FOPT_RPORT:
		case TW_FOPT_LADDR:
		case TW_FOPT_RADDR:
		case TW_FOPT_PID:
		case TW_FOPT_COMM:
		case TW_FOPT_STATE:
		case TW_FOPT_NETNS:
			err[0] = '\0';
			if (tw_filter_option(&o->filter, opt, optarg, err,
					     sizeof(err)))
				tw_usage_error("%s", err);
			break;
		case 'h':
			fputs(tw_usage, stdout);
			exit(TW_EXIT_OK);
		case 'V':
			printf("tcpwave %s (format %d.%d)\n", TW_VERSION,
			       TCPWAVE_FORMAT_MAJOR, TCPWAVE_FORMAT_MINOR);
			exit(TW_EXIT_OK);
		case ':':
			tw_usage_error("option '%s' needs an argument",
				       tw_bad_opt(argv));
		default:
			tw_usage_error("unknown option '%s'", tw_bad_opt(argv));
		}
	}
	o->view.color = tw_color(color);
	if (argc - optind > 1)
		tw_usage_error("too many arguments, starting at '%s'",
			       argv[optind + 1]);
	if (o->format == TW_FORMAT_SVG &&
	    o->mode != TW_MODE_LADDER)
		tw_usage_error("%s", "--svg draws ladders: no other mode");
	if (o->format == TW_FORMAT_PROM &&
	    o->mode != TW_MODE_LADDER && o->mode != TW_MODE_SUMMARY &&
	    o->mode != TW_MODE_EVENTS)
		tw_usage_error("%s", "--prometheus goes with --summary "
			       "(the default for it) or --events");
	if (o->format == TW_FORMAT_PROM && o->mode == TW_MODE_LADDER)
		o->mode = TW_MODE_SUMMARY;
	if (o->mode == TW_MODE_LIVE && o->format != TW_FORMAT_TEXT)
		tw_usage_error("%s", "--live is a terminal view: no --json, "
			       "--prometheus or --svg");

	if (optind < argc) {
		o->path = argv[optind];
	} else {
		/* Like ss's PROC_ROOT: lets tests feed recorded captures. */
		o->path = getenv("TCPWAVE_PROC");
		if (!o->path || !*o->path)
			o->path = TW_PROC_PATH;
		o->ring = true;
	}
	o->name = strcmp(o->path, "-") ? o->path : "<stdin>";
}

/* -s: statistics of the connections kept, in the format asked for. */
static void tw_summary_print(FILE *f, const struct tw_opts *o,
			     const struct tw_trace *t,
			     const struct tw_conns *c)
{
	struct tw_stats s;

	tw_stats_init(&s, o);
	tw_stats_exact(&s);
	tw_stats_capture(&s, t, c, o->view.only);
	if (o->format == TW_FORMAT_PROM)
		tw_prom_write(f, &s);
	else if (o->format == TW_FORMAT_JSON)
		tw_summary_json(f, &s);
	else
		tw_summary_text(f, &s, &o->view);
	tw_stats_free(&s);
}

/* The modes that read the whole capture first, then draw it. */
static int tw_run_capture(const struct tw_opts *o)
{
	struct tw_trace trace = { 0 };
	struct tw_conns conns;
	struct tw_out out;
	int ret = TW_EXIT_INPUT;
	size_t i;
	FILE *f;

	f = tw_input_open(o);
	if (!f)
		return TW_EXIT_INPUT;
	if (tw_trace_read(f, o->name, &trace)) {
		if (f != stdin)
			fclose(f);
		tw_trace_free(&trace);
		return TW_EXIT_INPUT;
	}
	if (f != stdin)
		fclose(f);

	for (i = 0; i < trace.nlost; i++)
		fprintf(stderr,
			"tcpwave: %llu records lost (ring overwritten)\n",
			(unsigned long long)trace.lost[i].count);

	tw_conns_build(&trace, &conns);
	tw_filter_conns(&o->filter, &conns);
	if (o->view.only > conns.nconns) {
		fprintf(stderr, "tcpwave: no connection %zu (%zu in %s%s)\n",
			o->view.only, conns.nconns, o->name,
			tw_filter_active(&o->filter) ? " that pass the filters" :
			"");
		goto out;
	}
	if (tw_out_open(&out, o->output))
		goto out;

	/* A write error shows in ferror(): tw_out_close() reports it. */
	switch (o->mode) {
	case TW_MODE_LIST:
		if (o->format == TW_FORMAT_JSON)
			tw_json_capture(out.f, &conns, &trace, &o->view);
		else
			tw_list_print(out.f, &conns, &o->view);
		break;
	case TW_MODE_SUMMARY:
		tw_summary_print(out.f, o, &trace, &conns);
		break;
	default:
		if (o->format == TW_FORMAT_JSON)
			tw_json_capture(out.f, &conns, &trace, &o->view);
		else if (o->format == TW_FORMAT_SVG)
			tw_svg_print(out.f, &conns, &trace, &o->view);
		else if (!conns.nconns)
			fputs("no connections\n", out.f);
		else
			tw_ladder_print(out.f, &conns, &trace, &o->view);
		break;
	}
	ret = tw_out_close(&out) ? TW_EXIT_INPUT : TW_EXIT_OK;
out:
	tw_conns_free(&conns);
	tw_trace_free(&trace);
	return ret;
}

int main(int argc, char **argv)
{
	struct tw_opts o = { 0 };
	int ret;

	/* Before anything is written: setvbuf() must come first. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, tw_stdout_buf, _IOFBF, sizeof(tw_stdout_buf));
	tw_parse_args(argc, argv, &o);
	switch (o.mode) {
	case TW_MODE_EVENTS:
		ret = tw_follow_run(&o);
		break;
	case TW_MODE_LIVE:
		ret = tw_live_run(&o);
		break;
	default:
		ret = tw_run_capture(&o);
		break;
	}
	tw_filter_free(&o.filter);
	return ret;
}

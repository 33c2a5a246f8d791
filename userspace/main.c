// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - tcpwave: draw the TCP handshakes and closes recorded by the
 * tcpwave module as ladder diagrams.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "fmt.h"
#include "ladder.h"
#include "list.h"
#include "parse.h"

#define TW_VERSION	"0.1"
#define TW_PROC_PATH	"/proc/tcpwave"

/* Exit codes, as documented in the usage text. */
#define TW_EXIT_OK	0
#define TW_EXIT_INPUT	1
#define TW_EXIT_USAGE	2

static const char tw_usage[] =
"Usage: tcpwave [OPTIONS] [FILE]\n"
"Draw the TCP state transitions recorded by the tcpwave module as one\n"
"ladder diagram per connection: the client on the left, the server on\n"
"the right, and between them the segments each transition implies.\n"
"\n"
"FILE is a capture of /proc/tcpwave; \"-\" reads standard input.  Without\n"
"FILE, read $TCPWAVE_PROC if set, else " TW_PROC_PATH ".\n"
"\n"
"Options:\n"
"  -l, --list        one line per connection instead of ladders\n"
"  -c, --conn ID     show only connection ID (as numbered in the output)\n"
"  -a, --ascii       draw with ASCII only, no UTF-8 box drawing\n"
"  -h, --help        show this help and exit\n"
"  -V, --version     show the version and exit\n"
"\n"
"A capture without connections prints \"no connections\" (ladders) or\n"
"the header row alone (--list).  Records lost because the reader fell\n"
"behind the ring are reported on standard error.\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  input or runtime error: cannot open or read the input, malformed\n"
"     input, unsupported format version, no such connection\n"
"  2  usage error\n"
"\n"
"EXAMPLES:\n"
"  tcpwave                        # ladders of everything in the ring\n"
"  tcpwave --list                 # one line per connection\n"
"  tcpwave -c 3 --ascii           # connection 3, plain ASCII\n"
"  cat /proc/tcpwave > cap.txt; tcpwave cap.txt\n"
"  ssh host cat /proc/tcpwave | tcpwave -\n";

static const struct option tw_longopts[] = {
	{ "list",	no_argument,		NULL, 'l' },
	{ "conn",	required_argument,	NULL, 'c' },
	{ "ascii",	no_argument,		NULL, 'a' },
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

/*
 * Open the input.  The ring is opened non-blocking, as dmesg opens
 * /dev/kmsg, so that a module whose read() waits for new records still
 * ends our read at the newest one.
 */
static FILE *tw_open(const char *path, bool ring)
{
	FILE *f;
	int fd;

	if (!strcmp(path, "-"))
		return stdin;
	fd = open(path, O_RDONLY | O_CLOEXEC | (ring ? O_NONBLOCK : 0));
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

int main(int argc, char **argv)
{
	struct tw_view view = { 0 };
	struct tw_trace trace = { 0 };
	struct tw_conns conns;
	const char *path, *name;
	bool list = false, ring = false;
	unsigned long long id;
	size_t i;
	FILE *f;
	int opt;

	opterr = 0;	/* our messages, prefixed "tcpwave: " */
	while ((opt = getopt_long(argc, argv, ":lc:ahV", tw_longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 'c':
			if (tw_parse_u64(optarg, 10, SIZE_MAX, &id) || !id)
				tw_usage_error("bad connection ID '%s'",
					       optarg);
			view.only = id;
			break;
		case 'a':
			view.ascii = true;
			break;
		case 'h':
			fputs(tw_usage, stdout);
			return TW_EXIT_OK;
		case 'V':
			printf("tcpwave %s (format %d.%d)\n", TW_VERSION,
			       TCPWAVE_FORMAT_MAJOR, TCPWAVE_FORMAT_MINOR);
			return TW_EXIT_OK;
		case ':':
			tw_usage_error("option '%s' needs an argument",
				       tw_bad_opt(argv));
		default:
			tw_usage_error("unknown option '%s'", tw_bad_opt(argv));
		}
	}
	if (argc - optind > 1)
		tw_usage_error("too many arguments, starting at '%s'",
			       argv[optind + 1]);

	if (optind < argc) {
		path = argv[optind];
	} else {
		/* Like ss's PROC_ROOT: lets tests feed recorded captures. */
		path = getenv("TCPWAVE_PROC");
		if (!path || !*path)
			path = TW_PROC_PATH;
		ring = true;
	}
	name = strcmp(path, "-") ? path : "<stdin>";

	f = tw_open(path, ring);
	if (!f) {
		fprintf(stderr, "tcpwave: cannot open %s: %s%s\n", path,
			strerror(errno),
			ring && errno == ENOENT ?
			" (is the tcpwave module loaded?)" : "");
		return TW_EXIT_INPUT;
	}
	if (tw_trace_read(f, name, &trace)) {
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
	if (view.only > conns.nconns) {
		fprintf(stderr, "tcpwave: no connection %zu (%zu in %s)\n",
			view.only, conns.nconns, name);
		tw_conns_free(&conns);
		tw_trace_free(&trace);
		return TW_EXIT_INPUT;
	}
	if (list)
		tw_list_print(stdout, &conns, &view);
	else if (!conns.nconns)
		puts("no connections");
	else
		tw_ladder_print(stdout, &conns, &trace, &view);

	tw_conns_free(&conns);
	tw_trace_free(&trace);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "tcpwave: write error: %s\n", strerror(errno));
		return TW_EXIT_INPUT;
	}
	return TW_EXIT_OK;
}

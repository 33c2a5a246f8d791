// SPDX-License-Identifier: GPL-2.0
/*
 * tcpwave-traffic - make real loopback TCP connections for named
 * scenarios, so that tests know exactly which transitions each socket
 * must show.
 *
 * For every connection it prints one line:
 *   conn client=ADDR:PORT server=ADDR:PORT client_sk=COOKIE server_sk=COOKIE
 * with the cookies as /proc/tcpwave and "ss -e" print them, so a test can
 * pick each socket's records out of /proc/tcpwave.
 *
 * Exit status: 0 when the scenario ran as intended, 1 when a socket call
 * failed unexpectedly, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static int family = AF_INET;
static unsigned short port = 5555;
static long count = 200;
static long threads = 8;

static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fprintf(stderr, "tcpwave-traffic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static socklen_t loopback(struct sockaddr_storage *ss, unsigned short p)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons(p);
		return sizeof(*sin6);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(p);
	return sizeof(*sin);
}

static int listener(unsigned short p, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, p);
	int one = 1;
	int fd;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind port %u", p);
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

/* Returns the connected fd, or -errno when connect() failed. */
static int connector(unsigned short p)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, p);
	int fd, err;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		return fd;
	err = errno;
	close(fd);
	return -err;
}

/* The cookie as the kernel prints it: "%08x" of the high half if set. */
static void cookie_str(int fd, char *buf, size_t size)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	uint32_t hi, lo;

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len))
		die("SO_COOKIE");
	hi = cookie >> 32;
	lo = (uint32_t)cookie;
	if (hi)
		snprintf(buf, size, "%08x%08x", hi, lo);
	else
		snprintf(buf, size, "%08x", lo);
}

static void addr_str(int fd, bool peer, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		die(peer ? "getpeername" : "getsockname");
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	}
}

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void print_conn(int cfd, int sfd)
{
	char caddr[64], saddr[64], ccookie[20], scookie[20] = "-";

	addr_str(cfd, false, caddr, sizeof(caddr));
	addr_str(cfd, true, saddr, sizeof(saddr));
	cookie_str(cfd, ccookie, sizeof(ccookie));
	if (sfd >= 0)
		cookie_str(sfd, scookie, sizeof(scookie));
	pthread_mutex_lock(&print_lock);
	printf("conn client=%s server=%s client_sk=%s server_sk=%s\n",
	       caddr, saddr, ccookie, scookie);
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

/*
 * Wait for the peer's FIN (read() returns 0) or RST (ECONNRESET), then
 * ACK the FIN at once.  tcp_fin() puts a socket entering CLOSE_WAIT in
 * pingpong mode, so the kernel delays that ACK hoping to send it with
 * our own FIN; whether it wins that race depends on timing.  The
 * scenarios want the textbook four segments every time.
 */
static void wait_eof(int fd)
{
	char buf[256];
	int one = 1;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0 && errno != ECONNRESET)
		die("read");
	if (n == 0 && setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one)))
		die("TCP_QUICKACK");
}

/* Connect to the listener, accept, and print the connection's line. */
static void connect_pair(int lfd, int *cfd, int *sfd)
{
	*cfd = connector(port);
	if (*cfd < 0) {
		errno = -*cfd;
		die("connect");
	}
	*sfd = accept(lfd, NULL, NULL);
	if (*sfd < 0)
		die("accept");
	print_conn(*cfd, *sfd);
}

/* The textbook exchange: connect, one request and reply, close. */
static void one_connection(int lfd, bool client_closes_first)
{
	int cfd, sfd;
	char buf[4];

	connect_pair(lfd, &cfd, &sfd);
	if (write(cfd, "ping", 4) != 4 || read(sfd, buf, 4) != 4 ||
	    write(sfd, "pong", 4) != 4 || read(cfd, buf, 4) != 4)
		die("exchange");

	if (client_closes_first) {
		close(cfd);
		wait_eof(sfd);
		close(sfd);
	} else {
		close(sfd);
		wait_eof(cfd);
		close(cfd);
	}
}

static int scenario_close(bool client_closes_first)
{
	int lfd = listener(port, 16);

	one_connection(lfd, client_closes_first);
	close(lfd);
	return 0;
}

static int scenario_client_close(void)
{
	return scenario_close(true);
}

static int scenario_server_close(void)
{
	return scenario_close(false);
}

/* Nothing listens on the port: the SYN is answered by a RST. */
static int scenario_refused(void)
{
	int ret = connector(port);

	if (ret >= 0) {
		fprintf(stderr, "tcpwave-traffic: port %u accepted a connection\n",
			port);
		return 1;
	}
	if (ret != -ECONNREFUSED) {
		errno = -ret;
		die("connect");
	}
	printf("refused port=%u\n", port);
	return 0;
}

/* SO_LINGER {1, 0}: close() aborts with a RST instead of a FIN. */
static int scenario_abort(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int lfd = listener(port, 16);
	int cfd, sfd;

	connect_pair(lfd, &cfd, &sfd);
	if (setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("SO_LINGER");
	close(cfd);
	wait_eof(sfd);		/* ECONNRESET is fine too */
	close(sfd);
	close(lfd);
	return 0;
}

struct many_ctx {
	int lfd;
};

struct many_client_arg {
	struct many_ctx *ctx;
	long conns;
};

static void *many_client(void *arg)
{
	struct many_client_arg *a = arg;
	long i;

	for (i = 0; i < a->conns; i++) {
		char buf[4];
		int fd = connector(port);

		if (fd < 0) {
			errno = -fd;
			die("connect");
		}
		print_conn(fd, -1);
		if (write(fd, "ping", 4) != 4 || read(fd, buf, 4) != 4)
			die("client exchange");
		close(fd);
	}
	return NULL;
}

static void *many_server(void *arg)
{
	struct many_ctx *ctx = arg;
	long i, total = count;

	for (i = 0; i < total; i++) {
		char buf[4];
		int fd = accept(ctx->lfd, NULL, NULL);

		if (fd < 0)
			die("accept");
		if (read(fd, buf, 4) != 4 || write(fd, "pong", 4) != 4)
			die("server exchange");
		wait_eof(fd);
		close(fd);
	}
	return NULL;
}

/* count connections from threads concurrent clients. */
static int scenario_many(void)
{
	struct many_ctx ctx;
	struct many_client_arg *args;
	pthread_t server, *clients;
	long i;

	ctx.lfd = listener(port, 4096);
	clients = calloc(threads, sizeof(*clients));
	args = calloc(threads, sizeof(*args));
	if (!clients || !args)
		die("calloc");
	if (pthread_create(&server, NULL, many_server, &ctx))
		die("pthread_create");
	for (i = 0; i < threads; i++) {
		args[i].ctx = &ctx;
		/* Thread 0 also takes the remainder. */
		args[i].conns = count / threads + (i == 0 ? count % threads : 0);
		if (pthread_create(&clients[i], NULL, many_client, &args[i]))
			die("pthread_create");
	}
	for (i = 0; i < threads; i++)
		pthread_join(clients[i], NULL);
	pthread_join(server, NULL);
	free(args);
	free(clients);
	close(ctx.lfd);
	return 0;
}

static const struct scenario {
	const char *name;
	int (*run)(void);
	const char *help;
} scenarios[] = {
	{ "client-close", scenario_client_close,
	  "connect, exchange, the client closes first" },
	{ "server-close", scenario_server_close,
	  "connect, exchange, the server closes first" },
	{ "refused", scenario_refused,
	  "connect to a port nobody listens on" },
	{ "abort", scenario_abort,
	  "the client closes with SO_LINGER {1, 0}: RST, no FIN" },
	{ "many", scenario_many,
	  "-n connections from -c concurrent client threads" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: tcpwave-traffic [-6] [-p PORT] [-n COUNT] [-c THREADS] SCENARIO\n"
		"\n"
		"Make real loopback TCP connections for a named scenario.\n"
		"\n"
		"  -6          use ::1 instead of 127.0.0.1\n"
		"  -p PORT     server port (5555)\n"
		"  -n COUNT    connections for 'many' (200)\n"
		"  -c THREADS  concurrent clients for 'many' (8)\n"
		"\n"
		"Scenarios:\n");
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		fprintf(f, "  %-14s %s\n", scenarios[i].name, scenarios[i].help);
	fprintf(f,
		"\n"
		"EXAMPLES\n"
		"  tcpwave-traffic client-close\n"
		"  tcpwave-traffic -6 -p 8080 server-close\n"
		"  tcpwave-traffic -n 500 -c 16 many\n");
}

static long parse_num(const char *arg, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "tcpwave-traffic: %s: '%s' is not a number from %ld to %ld\n",
			what, arg, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	int opt;
	size_t i;

	while ((opt = getopt(argc, argv, "6p:n:c:h")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			break;
		case 'p':
			port = parse_num(optarg, "-p", 1, 65535);
			break;
		case 'n':
			count = parse_num(optarg, "-n", 1, 10000000);
			break;
		case 'c':
			threads = parse_num(optarg, "-c", 1, 1024);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(argv[optind], scenarios[i].name))
			return scenarios[i].run();
	fprintf(stderr, "tcpwave-traffic: unknown scenario '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}

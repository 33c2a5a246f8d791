// SPDX-License-Identifier: GPL-2.0
/*
 * tcpwave-crr - the benchmark's workload: TCP connect/request/response/
 * close on loopback as fast as it goes, as netperf's TCP_CRR and neper's
 * tcp_crr measure it, for a fixed time, from several client threads at
 * once against as many server threads sharing one listener.
 *
 * Each connection is a real handshake and a real four-way close: the
 * client connects, sends 1 byte, reads the 1-byte answer and closes
 * first; the server reads the client's FIN (read() returns 0) and closes
 * then.  So every client socket ends in TIME_WAIT and every server
 * socket in LAST_ACK -> CLOSE, the most common shape of a connection,
 * and each one goes through all of tcpwave's probes but the error paths.
 *
 * TIME_WAIT and ephemeral ports: one client connection leaves a timewait
 * socket holding its 4-tuple for 60 s (TCP_TIMEWAIT_LEN), so at R
 * connections/s a single server address and port would need R x 60
 * source ports.  Linux reuses a timewait 4-tuple for a new connect() once
 * its last timestamp is a second old (tcp_twsk_unique()), when
 * net.ipv4.tcp_tw_reuse is 1, or 2 (the default since 5.7) for loopback.
 * So on loopback the port space only needs to cover one second of
 * connections, and the reused timewait sockets end early ("killed"), as
 * they do on a busy real host.  -a spreads the clients over several
 * server addresses (127.0.0.1, 127.0.0.2, ...) for kernels or settings
 * without that reuse: each address has a port space of its own.
 *
 * It prints one line at the end:
 *   crr clients=N seconds=S connections=N rate=R errors=N
 * where connections counts those completed (closed by the client) before
 * the deadline, and rate = connections / seconds.
 *
 * Exit status: 0 when every connection succeeded, 1 when any socket call
 * failed (the line above still counts them in errors), 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 256
#define MAX_ADDRS 64

static long clients = 4;
static long seconds = 10;
static long naddrs = 1;
static long port = 5201;

static int64_t deadline_ns;
static atomic_long errors;
static atomic_long connections;
static int listen_fd;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void warn_errno(const char *what)
{
	/* The first few only: a broken setup would flood the output. */
	if (atomic_fetch_add(&errors, 1) < 5)
		fprintf(stderr, "tcpwave-crr: %s: %s\n", what, strerror(errno));
}

/* One connection, client side; 0 when it went through. */
static int client_once(const struct sockaddr_in *dst)
{
	char c = 'q';
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		warn_errno("socket");
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst))) {
		warn_errno("connect");
		goto err_close;
	}
	if (write(fd, &c, 1) != 1) {
		warn_errno("write");
		goto err_close;
	}
	if (read(fd, &c, 1) != 1) {
		warn_errno("read");
		goto err_close;
	}
	close(fd);
	return 0;

err_close:
	close(fd);
	return -1;
}

static void *client(void *arg)
{
	long id = (long)arg;
	struct sockaddr_in dst = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK + id % naddrs),
	};
	long n = 0;

	while (now_ns() < deadline_ns) {
		if (client_once(&dst) == 0 && now_ns() <= deadline_ns)
			n++;
	}
	atomic_fetch_add(&connections, n);
	return NULL;
}

/* Accept, answer the byte, wait for the client's FIN, close. */
static void *server(void *arg)
{
	char c;
	int fd;

	(void)arg;
	for (;;) {
		fd = accept(listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EINVAL)	/* the listener was shut down */
				warn_errno("accept");
			return NULL;
		}
		if (read(fd, &c, 1) != 1 || write(fd, &c, 1) != 1)
			warn_errno("server read/write");
		else if (read(fd, &c, 1) != 0)
			warn_errno("server waiting for FIN");
		close(fd);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpwave-crr [-c CLIENTS] [-d SECONDS] [-a ADDRS] [-p PORT]\n"
		"\n"
		"Connect, send 1 byte, read 1 byte, close, on loopback, from CLIENTS\n"
		"threads (4, at most %d) for SECONDS (10), against as many server\n"
		"threads on one listener at 0.0.0.0:PORT (5201).  The clients close\n"
		"first and end in TIME_WAIT.  -a spreads them over the server\n"
		"addresses 127.0.0.1 to 127.0.0.ADDRS (1, at most %d).\n"
		"\n"
		"Prints: crr clients=N seconds=S connections=N rate=R errors=N\n"
		"\n"
		"EXAMPLES\n"
		"  tcpwave-crr -c 8 -d 30\n"
		"  tcpwave-crr -a 4 -p 7000\n",
		MAX_CLIENTS, MAX_ADDRS);
}

static long number(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "tcpwave-crr: %s %s: not a number from %ld to %ld\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	pthread_t cl[MAX_CLIENTS], sv[MAX_CLIENTS];
	struct sockaddr_in any = { .sin_family = AF_INET };
	int one = 1, opt;
	long i;

	while ((opt = getopt(argc, argv, "c:d:a:p:h")) != -1) {
		switch (opt) {
		case 'c': clients = number("-c", optarg, 1, MAX_CLIENTS); break;
		case 'd': seconds = number("-d", optarg, 1, 86400); break;
		case 'a': naddrs = number("-a", optarg, 1, MAX_ADDRS); break;
		case 'p': port = number("-p", optarg, 1, 65535); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	any.sin_port = htons(port);
	if (listen_fd < 0 ||
	    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(listen_fd, (struct sockaddr *)&any, sizeof(any)) ||
	    listen(listen_fd, 4096)) {
		perror("tcpwave-crr: listener");
		return 1;
	}

	deadline_ns = now_ns() + (int64_t)seconds * 1000000000;
	for (i = 0; i < clients; i++) {
		if (pthread_create(&sv[i], NULL, server, NULL) ||
		    pthread_create(&cl[i], NULL, client, (void *)i)) {
			fprintf(stderr, "tcpwave-crr: pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < clients; i++)
		pthread_join(cl[i], NULL);
	/* Wakes every thread in accept() with EINVAL. */
	shutdown(listen_fd, SHUT_RDWR);
	for (i = 0; i < clients; i++)
		pthread_join(sv[i], NULL);
	close(listen_fd);

	printf("crr clients=%ld seconds=%ld connections=%ld rate=%.1f errors=%ld\n",
	       clients, seconds, atomic_load(&connections),
	       (double)atomic_load(&connections) / seconds,
	       atomic_load(&errors));
	return atomic_load(&errors) ? 1 : 0;
}

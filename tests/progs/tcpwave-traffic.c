// SPDX-License-Identifier: GPL-2.0
/*
 * tcpwave-traffic - make real TCP connections for named scenarios, so
 * that tests know exactly which transitions each socket must show and
 * which segments must cross the wire.
 *
 * For every connection it prints one line:
 *   conn client=ADDR:PORT server=ADDR:PORT client_sk=COOKIE server_sk=COOKIE
 * with the cookies as /proc/tcpwave and "ss -e" print them, so a test can
 * pick each socket's records out of /proc/tcpwave.  A side with no socket
 * of its own (no server, or a request socket that never became one) is
 * "-".  Scenarios may append fields and print more lines after it:
 *
 *   refused        refused port=PORT
 *   syn-timeout    connect error=ETIMEDOUT ms=N
 *   synack-drop    conn ... listen_sk=COOKIE   (the listener)
 *                  connect error=ETIMEDOUT ms=N
 *                  request expired ms=N
 *   simul-close    closed client=STATE server=STATE
 *
 * ms counts from the connect() call; "closed" names the state each end
 * was in when it read the other's FIN: CLOSING when the FINs crossed.
 *
 * The loopback scenarios (client-close, server-close, refused, abort,
 * many, late-accept, self-connect) need nothing but lo.  The others run
 * the client in the network namespace "tcpwave-a" (198.18.0.1,
 * 2001:2::1) and the server in "tcpwave-b" (198.18.0.2, 2001:2::2),
 * joined through a switch namespace that delays or drops segments.
 * tests/vm/netsetup.sh builds that network, one subcommand per scenario:
 *
 *   syn-timeout    the switch drops every TCP segment towards B, and A
 *                  has tcp_syn_retries=2: SYNs at 0, 1 and 3 s, connect()
 *                  fails with ETIMEDOUT at 7 s.
 *   synack-drop    the switch drops every TCP segment towards A, so B's
 *                  SYN-ACKs never arrive; B has tcp_synack_retries=2, so
 *                  its request socket sends SYN-ACKs at 0, 1 and 3 s and
 *                  expires at 7 s.  The client's own SYN retransmissions
 *                  would reach B, make it resend SYN-ACKs and restart
 *                  the request timer (tcp_check_req()) at a moment that
 *                  races B's own timer; so once its first SYN is out the
 *                  client marks its segments with TOS/traffic class 0x10,
 *                  which the switch drops towards B.
 *   simul-close    the switch delays every frame by 100 ms each way, so
 *                  FINs sent at the same moment cross: both ends go
 *                  ESTABLISHED -> FIN_WAIT1 -> CLOSING -> TIME_WAIT.
 *
 * Exit status: 0 when the scenario ran as intended, 1 when a socket call
 * failed unexpectedly or the network did not behave as the scenario
 * needs, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The network of tests/vm/netsetup.sh; keep the two in step. */
#define NETNS_CLIENT "tcpwave-a"
#define NETNS_SERVER "tcpwave-b"

/*
 * The mark of the client's segments after its first SYN in synack-drop:
 * IPTOS_LOWDELAY survives RT_TOS() in the IPv4 output path and is what
 * the switch's filter matches.
 */
#define LOST_TOS IPTOS_LOWDELAY

/* A generous bound on every wait for the network: TCG is slow. */
#define NET_TIMEOUT_MS 60000

enum addr_mode { MODE_IPV4, MODE_IPV6, MODE_MAPPED };

enum addr_kind { ADDR_ANY, ADDR_LOOPBACK, ADDR_NET_CLIENT, ADDR_NET_SERVER };

/* The text form of each address in each mode, for inet_pton(). */
static const char *const addr_text[][4] = {
	[MODE_IPV4] = {
		[ADDR_ANY] = "0.0.0.0",
		[ADDR_LOOPBACK] = "127.0.0.1",
		[ADDR_NET_CLIENT] = "198.18.0.1",
		[ADDR_NET_SERVER] = "198.18.0.2",
	},
	[MODE_IPV6] = {
		[ADDR_ANY] = "::",
		[ADDR_LOOPBACK] = "::1",
		[ADDR_NET_CLIENT] = "2001:2::1",
		[ADDR_NET_SERVER] = "2001:2::2",
	},
	[MODE_MAPPED] = {
		[ADDR_ANY] = "::",
		[ADDR_LOOPBACK] = "::ffff:127.0.0.1",
		[ADDR_NET_CLIENT] = "::ffff:198.18.0.1",
		[ADDR_NET_SERVER] = "::ffff:198.18.0.2",
	},
};

/* include/net/tcp_states.h, as TCP_INFO's tcpi_state reports them. */
static const char *const state_names[] = {
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV",
	[TCP_FIN_WAIT1] = "FIN_WAIT1",
	[TCP_FIN_WAIT2] = "FIN_WAIT2",
	[TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSE] = "CLOSE",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
};

static enum addr_mode mode = MODE_IPV4;
static unsigned short port = 5555;
static long count = 200;
static long threads = 8;
static long accept_delay_ms = 500;

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

/* Like die(), for a network that did not do what the scenario needs. */
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tcpwave-traffic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const char *state_name(unsigned int state)
{
	if (state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "?";
}

static int sock_family(void)
{
	return mode == MODE_IPV4 ? AF_INET : AF_INET6;
}

static socklen_t make_addr(struct sockaddr_storage *ss, enum addr_kind kind,
			   unsigned short p)
{
	const char *text = addr_text[mode][kind];

	memset(ss, 0, sizeof(*ss));
	if (mode != MODE_IPV4) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
			fail("bad address %s", text);
		return sizeof(*sin6);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(p);
	if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
		fail("bad address %s", text);
	return sizeof(*sin);
}

static int new_socket(void)
{
	int fd = socket(sock_family(), SOCK_STREAM, 0);
	int zero = 0;

	if (fd < 0)
		die("socket");
	/* -m: an IPv6 socket that also talks IPv4 (RFC 4291 §2.5.5.2). */
	if (mode == MODE_MAPPED &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		die("IPV6_V6ONLY");
	return fd;
}

/*
 * Listen on KIND's address.  With -m the listener is the usual dual-stack
 * server, bound to "::", so IPv4 clients reach it as mapped addresses.
 */
static int listener(enum addr_kind kind, unsigned short p, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, mode == MODE_MAPPED ? ADDR_ANY : kind, p);
	int one = 1;
	int fd = new_socket();

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind port %u", p);
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

/* Returns the connected fd, or -errno when connect() failed. */
static int connector(enum addr_kind kind, unsigned short p)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, kind, p);
	int fd, err;

	fd = new_socket();
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

/* KIND's address and port P as addr_str() prints them. */
static void kind_str(enum addr_kind kind, unsigned short p, char *buf, size_t size)
{
	if (mode == MODE_IPV4)
		snprintf(buf, size, "%s:%u", addr_text[mode][kind], p);
	else
		snprintf(buf, size, "[%s]:%u", addr_text[mode][kind], p);
}

static unsigned int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		die("TCP_INFO");
	return ti.tcpi_state;
}

/*
 * Wait until FD's socket is in STATE.  A socket that reaches TIME_WAIT
 * hands over to a timewait socket (tcp_time_wait()) and is left in
 * CLOSE, so CLOSE is what to wait for at the end of a connection.
 */
static void wait_state(int fd, unsigned int state)
{
	int64_t end = now_ms() + NET_TIMEOUT_MS;
	unsigned int s;

	while ((s = tcp_state(fd)) != state) {
		if (now_ms() > end)
			fail("socket still in %s after %d ms, waiting for %s",
			     state_name(s), NET_TIMEOUT_MS, state_name(state));
		sleep_ms(5);
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

/*
 * Connect to the listener, accept DELAY_MS later, and print the
 * connection's line.  The handshake does not wait for accept(): the
 * client is ESTABLISHED and the server's socket waits in the accept
 * queue (tcp_check_req() -> inet_csk_complete_hashdance()).
 */
static void connect_pair(int lfd, int *cfd, int *sfd, long delay_ms)
{
	*cfd = connector(ADDR_LOOPBACK, port);
	if (*cfd < 0) {
		errno = -*cfd;
		die("connect");
	}
	if (delay_ms)
		sleep_ms(delay_ms);
	*sfd = accept(lfd, NULL, NULL);
	if (*sfd < 0)
		die("accept");
	print_conn(*cfd, *sfd);
}

/* The textbook exchange: connect, one request and reply, close. */
static void one_connection(int lfd, bool client_closes_first, long delay_ms)
{
	int cfd, sfd;
	char buf[4];

	connect_pair(lfd, &cfd, &sfd, delay_ms);
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

static int scenario_close(bool client_closes_first, long delay_ms)
{
	int lfd = listener(ADDR_LOOPBACK, port, 16);

	one_connection(lfd, client_closes_first, delay_ms);
	close(lfd);
	return 0;
}

static int scenario_client_close(void)
{
	return scenario_close(true, 0);
}

static int scenario_server_close(void)
{
	return scenario_close(false, 0);
}

static int scenario_late_accept(void)
{
	return scenario_close(true, accept_delay_ms);
}

/* Nothing listens on the port: the SYN is answered by a RST. */
static int scenario_refused(void)
{
	int ret = connector(ADDR_LOOPBACK, port);

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
	int lfd = listener(ADDR_LOOPBACK, port, 16);
	int cfd, sfd;

	connect_pair(lfd, &cfd, &sfd, 0);
	if (setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("SO_LINGER");
	close(cfd);
	wait_eof(sfd);		/* ECONNRESET is fine too */
	close(sfd);
	close(lfd);
	return 0;
}

/*
 * A socket connected to its own address: its SYN comes back to it in
 * SYN_SENT, which tcp_rcv_synsent_state_process() takes for a
 * simultaneous open (RFC 9293 §3.5, figure 8): SYN_SENT -> SYN_RECV, a
 * SYN-ACK to itself, ESTABLISHED.  Its FIN comes back the same way, so
 * the close is simultaneous too: FIN_WAIT1 -> CLOSING -> TIME_WAIT.
 *
 * SO_REUSEADDR, so that the TIME_WAIT it leaves does not keep the other
 * scenarios' listeners off the port for a minute (inet_csk_bind_conflict()
 * lets two sk_reuse sockets share it).  A port in use is skipped, and so
 * is one whose TIME_WAIT from an earlier run holds the same four-tuple
 * (connect() fails with EADDRNOTAVAIL, __inet_check_established()).
 */
static int scenario_self_connect(void)
{
	struct sockaddr_storage ss;
	unsigned int p;
	socklen_t len;
	int fd, one = 1;

	for (p = port; ; p++) {
		if (p > 65535 || p >= port + 100U)
			fail("no free port from %u to %u", port, p - 1);
		fd = new_socket();
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			die("SO_REUSEADDR");
		len = make_addr(&ss, ADDR_LOOPBACK, p);
		if (bind(fd, (struct sockaddr *)&ss, len) == 0 &&
		    connect(fd, (struct sockaddr *)&ss, len) == 0)
			break;
		if (errno != EADDRINUSE && errno != EADDRNOTAVAIL)
			die("bind and connect to itself, port %u", p);
		close(fd);
	}
	print_conn(fd, fd);
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	wait_eof(fd);
	wait_state(fd, TCP_CLOSE);
	close(fd);
	return 0;
}

/* --- two hosts: the client in NETNS_CLIENT, the server in NETNS_SERVER --- */

static void enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s (set up by tests/vm/netsetup.sh)", path);
	if (setns(fd, CLONE_NEWNET))
		die("setns %s", path);
	close(fd);
}

/*
 * The client and server processes talk over a socketpair, one short
 * line per message.  A peer that died reads as end of file.
 */
static void send_msg(int fd, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	buf[n++] = '\n';
	if (write(fd, buf, n) != n)
		die("write to the other process");
}

static void recv_msg(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read from the other process");
		if (r == 0)
			fail("the other process exited early");
		if (c == '\n')
			break;
		if (n < size - 1)
			buf[n++] = c;
	}
	buf[n] = '\0';
}

/*
 * Fork the server: it enters NETNS_SERVER and runs SERVER with its end
 * of the socketpair; the caller enters NETNS_CLIENT.  Returns the
 * caller's end.
 */
static int fork_server(void (*server)(int ctl), pid_t *pid)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("socketpair");
	fflush(stdout);
	*pid = fork();
	if (*pid < 0)
		die("fork");
	if (*pid == 0) {
		close(sv[0]);
		enter_netns(NETNS_SERVER);
		server(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	enter_netns(NETNS_CLIENT);
	return sv[0];
}

static int wait_server(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/*
 * Start a non-blocking connect() to the server and return at once: the
 * SYN is out when connect() says EINPROGRESS (tcp_connect()).  The
 * client's address and cookie are taken now, while the socket still
 * holds its port.
 */
static int start_connect(char *caddr, size_t asize, char *cookie, size_t csize)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, ADDR_NET_SERVER, port);
	int fd = new_socket();

	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		die("O_NONBLOCK");
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		fail("connect() to %s port %u succeeded at once",
		     addr_text[mode][ADDR_NET_SERVER], port);
	if (errno != EINPROGRESS)
		die("connect");
	addr_str(fd, false, caddr, asize);
	cookie_str(fd, cookie, csize);
	return fd;
}

/*
 * Wait for the non-blocking connect() on fd, begun at start (ms), to give
 * up with ETIMEDOUT, as the SYN scenarios require; report when, close fd.
 */
static void connect_times_out(int fd, int64_t start)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err, n;

	n = poll(&pfd, 1, NET_TIMEOUT_MS);
	if (n < 0)
		die("poll");
	if (n == 0)
		fail("connect() still pending after %d ms", NET_TIMEOUT_MS);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		die("SO_ERROR");
	if (err != ETIMEDOUT)
		fail("connect() ended with '%s', not ETIMEDOUT",
		     err ? strerror(err) : "success");
	printf("connect error=ETIMEDOUT ms=%lld\n", (long long)(now_ms() - start));
	close(fd);
}

/* The SYNs vanish in the network until tcp_syn_retries gives up. */
static int scenario_syn_timeout(void)
{
	char caddr[64], saddr[64], cookie[20];
	int64_t start;
	int fd;

	enter_netns(NETNS_CLIENT);
	start = now_ms();
	fd = start_connect(caddr, sizeof(caddr), cookie, sizeof(cookie));
	kind_str(ADDR_NET_SERVER, port, saddr, sizeof(saddr));
	printf("conn client=%s server=%s client_sk=%s server_sk=-\n",
	       caddr, saddr, cookie);
	fflush(stdout);
	connect_times_out(fd, start);
	return 0;
}

/* The number of request sockets of local port P in this netns. */
static int request_socks(unsigned short p)
{
	static const char *const files[] = { "/proc/self/net/tcp", "/proc/self/net/tcp6" };
	unsigned int lport, state;
	char line[512];
	size_t i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f = fopen(files[i], "r");

		if (!f)
			die("%s", files[i]);
		while (fgets(line, sizeof(line), f)) {
			/* "sl local_address:port rem_address:port st ..." in hex */
			if (sscanf(line, "%*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x",
				   &lport, &state) == 2 &&
			    lport == p && state == TCP_SYN_RECV)
				n++;
		}
		fclose(f);
	}
	return n;
}

/*
 * synack-drop, server side: listen, then watch the request socket in
 * /proc/net/tcp (get_openreq4() shows it as SYN_RECV) until the
 * listener's timer gives up on it (reqsk_timer_handler()).
 */
static void synack_drop_server(int ctl)
{
	int64_t end = now_ms() + NET_TIMEOUT_MS;
	bool seen = false;
	char cookie[20];
	int lfd;

	lfd = listener(ADDR_NET_SERVER, port, 16);
	cookie_str(lfd, cookie, sizeof(cookie));
	send_msg(ctl, "%s", cookie);
	for (;;) {
		int n = request_socks(port);

		if (n > 1)
			fail("%d request sockets on port %u, want 1", n, port);
		if (n == 1)
			seen = true;
		if (seen && n == 0)
			break;
		if (now_ms() > end)
			fail(seen ? "the request socket did not expire in %d ms" :
			     "no request socket (did the SYN reach the server?) in %d ms",
			     NET_TIMEOUT_MS);
		sleep_ms(10);
	}
	/* CLOCK_MONOTONIC is one clock for both processes. */
	send_msg(ctl, "%lld", (long long)now_ms());
	close(lfd);
}

static int scenario_synack_drop(void)
{
	char caddr[64], saddr[64], cookie[20], lcookie[20], msg[64];
	int ctl, fd, tos = LOST_TOS;
	int64_t start;
	pid_t pid;

	ctl = fork_server(synack_drop_server, &pid);
	recv_msg(ctl, lcookie, sizeof(lcookie));
	start = now_ms();
	fd = start_connect(caddr, sizeof(caddr), cookie, sizeof(cookie));
	/*
	 * Every later segment of this socket carries the mark, and the
	 * switch drops it: IPv4 rebuilds the header from inet->tos on each
	 * transmission (__ip_queue_xmit()), IPv6 from np->tclass
	 * (inet6_csk_xmit()).  A mapped socket sends IPv4.
	 */
	if (mode == MODE_IPV6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)))
			die("IPV6_TCLASS");
	} else if (setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos))) {
		die("IP_TOS");
	}
	kind_str(ADDR_NET_SERVER, port, saddr, sizeof(saddr));
	printf("conn client=%s server=%s client_sk=%s server_sk=- listen_sk=%s\n",
	       caddr, saddr, cookie, lcookie);
	fflush(stdout);
	connect_times_out(fd, start);
	recv_msg(ctl, msg, sizeof(msg));
	printf("request expired ms=%lld\n", strtoll(msg, NULL, 10) - (long long)start);
	return wait_server(pid);
}

/*
 * Close FD at the go signal and wait until the peer's FIN is in; returns
 * the state the socket was in then: CLOSING if the FINs crossed,
 * TIME_WAIT's CLOSE if our FIN was ACKed first.
 */
static unsigned int close_at_go(int fd, int ctl, bool release)
{
	unsigned int state;
	char msg[8];

	if (release)
		send_msg(ctl, "go");
	else
		recv_msg(ctl, msg, sizeof(msg));
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	wait_eof(fd);
	state = tcp_state(fd);
	wait_state(fd, TCP_CLOSE);
	close(fd);
	return state;
}

static void simul_close_server(int ctl)
{
	char cookie[20];
	int lfd, fd;

	lfd = listener(ADDR_NET_SERVER, port, 16);
	send_msg(ctl, "listening");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(lfd);
	cookie_str(fd, cookie, sizeof(cookie));
	send_msg(ctl, "%s", cookie);
	send_msg(ctl, "%s", state_name(close_at_go(fd, ctl, false)));
}

/*
 * Both ends shut down at once; the 100 ms the switch holds each frame
 * lets each FIN leave before the other arrives, so both see a FIN in
 * FIN_WAIT1 (tcp_fin(): CLOSING) and then the ACK of their own
 * (tcp_rcv_state_process(): TIME_WAIT).  RFC 9293 §3.6, figure 13.
 */
static int scenario_simul_close(void)
{
	char caddr[64], saddr[64], ccookie[20], scookie[20], sstate[20];
	const char *cstate;
	int ctl, fd;
	pid_t pid;

	ctl = fork_server(simul_close_server, &pid);
	recv_msg(ctl, sstate, sizeof(sstate));
	fd = connector(ADDR_NET_SERVER, port);
	if (fd < 0) {
		errno = -fd;
		die("connect");
	}
	/* The server's cookie comes once accept() returned: both ESTABLISHED. */
	recv_msg(ctl, scookie, sizeof(scookie));
	addr_str(fd, false, caddr, sizeof(caddr));
	addr_str(fd, true, saddr, sizeof(saddr));
	cookie_str(fd, ccookie, sizeof(ccookie));
	printf("conn client=%s server=%s client_sk=%s server_sk=%s\n",
	       caddr, saddr, ccookie, scookie);
	fflush(stdout);
	cstate = state_name(close_at_go(fd, ctl, true));
	recv_msg(ctl, sstate, sizeof(sstate));
	printf("closed client=%s server=%s\n", cstate, sstate);
	if (wait_server(pid))
		return 1;
	if (strcmp(cstate, "CLOSING") || strcmp(sstate, "CLOSING"))
		fail("the FINs did not cross: no delay on the wire? (netsetup.sh simul-close-up)");
	return 0;
}

/* --- many -------------------------------------------------------------- */

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
		int fd = connector(ADDR_LOOPBACK, port);

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

	ctx.lfd = listener(ADDR_LOOPBACK, port, 4096);
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
	{ "late-accept", scenario_late_accept,
	  "client-close, the server calling accept() -w ms late" },
	{ "refused", scenario_refused,
	  "connect to a port nobody listens on" },
	{ "abort", scenario_abort,
	  "the client closes with SO_LINGER {1, 0}: RST, no FIN" },
	{ "self-connect", scenario_self_connect,
	  "a socket connected to itself: simultaneous open and close" },
	{ "many", scenario_many,
	  "-n connections from -c concurrent client threads" },
	{ "syn-timeout", scenario_syn_timeout,
	  "[net] the SYNs are lost; connect() fails with ETIMEDOUT" },
	{ "synack-drop", scenario_synack_drop,
	  "[net] the SYN-ACKs are lost; the request socket expires" },
	{ "simul-close", scenario_simul_close,
	  "[net] both ends close at once; the FINs cross" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: tcpwave-traffic [-6|-m] [-p PORT] [-n COUNT] [-c THREADS] [-w MS] SCENARIO\n"
		"\n"
		"Make real TCP connections for a named scenario and print each one's\n"
		"addresses and socket cookies.\n"
		"\n"
		"  -6          IPv6: ::1, or 2001:2::1 and 2001:2::2\n"
		"  -m          IPv6 sockets talking IPv4 through mapped addresses\n"
		"              (::ffff:127.0.0.1); the server listens on :: with\n"
		"              IPV6_V6ONLY off\n"
		"  -p PORT     server port, or the first port tried by self-connect (5555)\n"
		"  -n COUNT    connections for 'many' (200)\n"
		"  -c THREADS  concurrent clients for 'many' (8)\n"
		"  -w MS       how late the server calls accept() in 'late-accept' (500)\n"
		"\n"
		"Scenarios:\n");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(f, "  %-14s %s\n", scenarios[i].name, scenarios[i].help);
	fprintf(f,
		"\n"
		"The loopback scenarios need only lo.  The [net] ones run the client in\n"
		"network namespace " NETNS_CLIENT " (198.18.0.1, 2001:2::1) and the server in\n"
		NETNS_SERVER " (198.18.0.2, 2001:2::2), on the network that\n"
		"'tests/vm/netsetup.sh SCENARIO-up' builds for that scenario.\n"
		"\n"
		"EXAMPLES\n"
		"  tcpwave-traffic client-close\n"
		"  tcpwave-traffic -6 -p 8080 server-close\n"
		"  tcpwave-traffic -m refused\n"
		"  tcpwave-traffic -w 2000 late-accept\n"
		"  tcpwave-traffic self-connect\n"
		"  tcpwave-traffic -n 500 -c 16 many\n"
		"  sh netsetup.sh syn-timeout-up && tcpwave-traffic syn-timeout\n"
		"  sh netsetup.sh synack-drop-up && tcpwave-traffic -6 synack-drop\n"
		"  sh netsetup.sh simul-close-up && tcpwave-traffic simul-close\n");
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

	while ((opt = getopt(argc, argv, "6mp:n:c:w:h")) != -1) {
		switch (opt) {
		case '6':
		case 'm':
			if (mode != MODE_IPV4) {
				fprintf(stderr, "tcpwave-traffic: -6 and -m exclude each other\n");
				return 2;
			}
			mode = opt == '6' ? MODE_IPV6 : MODE_MAPPED;
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
		case 'w':
			accept_delay_ms = parse_num(optarg, "-w", 0, 3600000);
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
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!strcmp(argv[optind], scenarios[i].name))
			return scenarios[i].run();
	fprintf(stderr, "tcpwave-traffic: unknown scenario '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}

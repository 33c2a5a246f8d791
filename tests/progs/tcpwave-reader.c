// SPDX-License-Identifier: GPL-2.0
/*
 * tcpwave-reader - read /proc/tcpwave the way the tests need to: with a
 * given read() size, after a delay with the file already open, and
 * following new records with poll().  Copies what it reads to stdout and
 * prints a summary on stderr:
 *
 *   reader: records=N lost=M wakeups=K end=eof|timeout|error:MSG
 *
 * records counts record lines, lost sums the "# lost N" lines, wakeups
 * counts poll() calls that returned readable.
 *
 * -u UID opens as that user (and group) instead of root; -C opens as root
 * without CAP_NET_ADMIN: the two ways an open should fail.
 *
 * -S OPS runs a script of reads and seeks instead, OPS separated by commas:
 *   rN   one read() of up to N bytes, copied to stdout
 *   R    read() to end of file, copied to stdout
 *   wN   sleep N ms
 *   s    lseek(fd, 0, SEEK_SET)     e  lseek(fd, 0, SEEK_END)
 *   c    lseek(fd, 0, SEEK_CUR)     x  lseek(fd, 1, SEEK_SET)
 *   d    lseek(fd, 0, SEEK_DATA)
 * Each read and seek prints "OP=RESULT" on stderr: the bytes read or the
 * offset returned, or -ERRNO (-22 for EINVAL).
 *
 * Exit status: 0 on end of file or poll timeout, 1 on an open, read or
 * poll error (as when the module is unloaded under a blocked reader), 2
 * on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long records, lost, wakeups;
static int at_line_start = 1;
static char line[64];
static size_t line_len;

/* Count lines as they stream by, whatever the read() boundaries. */
static void account(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (at_line_start)
			line_len = 0;
		if (line_len < sizeof(line) - 1)
			line[line_len++] = buf[i];
		at_line_start = buf[i] == '\n';
		if (!at_line_start)
			continue;
		line[line_len] = '\0';
		if (line[0] != '#')
			records++;
		else if (!strncmp(line, "# lost ", 7))
			lost += strtol(line + 7, NULL, 10);
	}
}

/* Returns 0 at end of file, -1 on error. */
static int drain(int fd, char *buf, size_t bufsize)
{
	for (;;) {
		ssize_t n = read(fd, buf, bufsize);

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		account(buf, n);
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return -1;
	}
}

static long num(const char *arg, const char *opt, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "tcpwave-reader: %s: '%s' is not a number from %ld to %ld\n",
			opt, arg, min, max);
		exit(2);
	}
	return v;
}

/* Run -S OPS on fd; returns 0, or -1 on a malformed script. */
static int script(int fd, char *ops, char *buf, size_t bufsize)
{
	char *op, *save = NULL;

	for (op = strtok_r(ops, ",", &save); op; op = strtok_r(NULL, ",", &save)) {
		static const struct { char op; off_t off; int whence; } seeks[] = {
			{ 's', 0, SEEK_SET }, { 'e', 0, SEEK_END },
			{ 'c', 0, SEEK_CUR }, { 'x', 1, SEEK_SET },
			{ 'd', 0, SEEK_DATA },
		};
		long arg = op[1] ? num(op + 1, op, 0, 1 << 20) : 0;
		long long res = 0;
		size_t i;

		switch (op[0]) {
		case 'r':
			if (arg < 1 || (size_t)arg > bufsize)
				return -1;
			res = read(fd, buf, arg);
			if (res > 0) {
				account(buf, res);
				fwrite(buf, 1, res, stdout);
			}
			break;
		case 'R':
			res = drain(fd, buf, bufsize);
			break;
		case 'w': {
			struct timespec ts = { arg / 1000, (arg % 1000) * 1000000 };

			nanosleep(&ts, NULL);
			continue;
		}
		default:
			for (i = 0; i < sizeof(seeks) / sizeof(seeks[0]); i++)
				if (seeks[i].op == op[0] && !op[1])
					break;
			if (i == sizeof(seeks) / sizeof(seeks[0]))
				return -1;
			res = lseek(fd, seeks[i].off, seeks[i].whence);
		}
		fprintf(stderr, "%s=%lld\n", op, res < 0 ? -(long long)errno : res);
	}
	return 0;
}

/* Take CAP_NET_ADMIN out of the effective and permitted sets. */
static int drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &=
		~CAP_TO_MASK(CAP_NET_ADMIN);
	data[CAP_TO_INDEX(CAP_NET_ADMIN)].permitted &=
		~CAP_TO_MASK(CAP_NET_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

int main(int argc, char **argv)
{
	const char *path = "/proc/tcpwave";
	long bufsize = 4096, sleep_ms = 0, follow_ms = -1;
	const char *end = "eof";
	char *ops = NULL;
	long uid = -1;
	int nocap = 0;
	char *buf;
	int fd, opt, ret = 0;

	while ((opt = getopt(argc, argv, "b:s:f:p:u:CS:")) != -1) {
		switch (opt) {
		case 'b':
			bufsize = num(optarg, "-b", 1, 1 << 20);
			break;
		case 's':
			sleep_ms = num(optarg, "-s", 0, 3600000);
			break;
		case 'f':
			follow_ms = num(optarg, "-f", 0, 3600000);
			break;
		case 'p':
			path = optarg;
			break;
		case 'u':
			uid = num(optarg, "-u", 1, 65535);
			break;
		case 'C':
			nocap = 1;
			break;
		case 'S':
			ops = optarg;
			break;
		default:
			fprintf(stderr,
				"Usage: tcpwave-reader [-b BUFSIZE] [-s SLEEP_MS] [-f FOLLOW_MS] [-p PATH]\n"
				"                      [-u UID | -C] [-S OPS]\n"
				"  -b  read() size in bytes (4096)\n"
				"  -s  sleep this long after open(), before the first read\n"
				"  -f  after end of file, poll() for new records until a poll\n"
				"      waits this long in vain\n"
				"  -u  open as user and group UID\n"
				"  -C  open as root without CAP_NET_ADMIN\n"
				"  -S  reads and seeks: rN R wN s e c x d, comma-separated\n");
			return 2;
		}
	}

	if (uid > 0 && (setgroups(0, NULL) || setgid(uid) || setuid(uid))) {
		perror("tcpwave-reader: -u");
		return 1;
	}
	if (nocap && drop_net_admin()) {
		perror("tcpwave-reader: -C");
		return 1;
	}
	buf = malloc(bufsize);
	if (!buf)
		return 1;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "tcpwave-reader: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (sleep_ms) {
		struct timespec ts = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
	}

	if (ops) {
		if (script(fd, ops, buf, bufsize)) {
			fprintf(stderr, "tcpwave-reader: -S: bad script\n");
			return 2;
		}
		fflush(stdout);
		close(fd);
		free(buf);
		return 0;
	}

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n;

		if (drain(fd, buf, bufsize)) {
			end = strerror(errno);
			ret = 1;
			break;
		}
		fflush(stdout);
		if (follow_ms < 0)
			break;
		n = poll(&pfd, 1, follow_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			end = strerror(errno);
			ret = 1;
			break;
		}
		if (n == 0) {
			end = "timeout";
			break;
		}
		wakeups++;
	}
	fflush(stdout);
	fprintf(stderr, "reader: records=%ld lost=%ld wakeups=%ld end=%s%s\n",
		records, lost, wakeups, ret ? "error:" : "", end);
	close(fd);
	free(buf);
	return ret;
}

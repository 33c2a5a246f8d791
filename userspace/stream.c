// SPDX-License-Identifier: GPL-2.0
/*
 * stream.c - records as they come (stream.h).
 *
 * /proc/tcpwave never blocks in read(): at the newest record it returns 0,
 * and poll() says POLLIN when the next one is written (README, "Reading").
 * So for the ring "end of file" means "caught up", and the stream waits
 * in poll() for more.  A pipe ends at end of file; a regular file too, as
 * a capture is complete.  Lines are parsed one at a time, so memory is the
 * longest line plus one read(), however long the stream runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "fmt.h"
#include "stream.h"

#define TW_STREAM_READ	65536
/*
 * A record line is under 300 bytes.  Input without a newline in this
 * many is not ours, and must not grow the buffer without end.
 */
#define TW_STREAM_LINE_MAX	65536

/*
 * The ring is a proc file: regular and empty to stat(), with a poll()
 * of its own.  Whether it came as $TCPWAVE_PROC, the default path or
 * FILE ("tcpwave -E /proc/tcpwave"), it is followed; any other regular
 * file is a capture that ends at its end.
 */
static bool tw_stream_is_ring(int fd, const struct stat *st)
{
	struct statfs fs;

	return S_ISREG(st->st_mode) && st->st_size == 0 && !fstatfs(fd, &fs) &&
	       fs.f_type == PROC_SUPER_MAGIC;
}

/*
 * The input of @o as a file descriptor: standard input for "-", else the
 * file, the ring opened non-blocking as dmesg opens /dev/kmsg.  Returns
 * it, or -1 after saying why on stderr.
 */
int tw_input_fd(const struct tw_opts *o)
{
	int fd;

	if (!strcmp(o->path, "-"))
		return STDIN_FILENO;
	fd = open(o->path, O_RDONLY | O_CLOEXEC | (o->ring ? O_NONBLOCK : 0));
	if (fd < 0)
		fprintf(stderr, "tcpwave: cannot open %s: %s%s\n", o->path,
			strerror(errno), o->ring && errno == ENOENT ?
			" (is the tcpwave module loaded?)" : "");
	return fd;
}

/* Open the input of @o.  Returns 0, or -1 after saying why on stderr. */
int tw_stream_open(struct tw_stream *s, const struct tw_opts *o)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->name = o->name;
	s->fd = tw_input_fd(o);
	if (s->fd < 0)
		return -1;
	/*
	 * Any regular file but the ring is a capture that ends at its end
	 * ($TCPWAVE_PROC may name one, for tests).  Pipes, FIFOs and
	 * terminals are waited on with poll() and end at end of file.
	 */
	if (fstat(s->fd, &st)) {
		st.st_mode = S_IFREG;
		st.st_size = 1;
	}
	s->ring = tw_stream_is_ring(s->fd, &st);
	/* As dmesg opens /dev/kmsg: caught up must not block in read(). */
	if (s->ring && !o->ring)
		fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	s->pollable = s->ring || !S_ISREG(st.st_mode);
	tw_parser_init(&s->p);
	return 0;
}

void tw_stream_close(struct tw_stream *s)
{
	if (s->fd > STDIN_FILENO)
		close(s->fd);
	tw_parser_free(&s->p);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/*
 * Read what is there into the buffer.  Returns 1 if bytes came, 0 at
 * "nothing now" (caught up with the ring, or end of file: s->eof), -1
 * on error.
 */
static int tw_stream_fill(struct tw_stream *s)
{
	ssize_t n;

	if (s->start) {
		memmove(s->buf, s->buf + s->start, s->len - s->start);
		s->len -= s->start;
		s->start = 0;
	}
	/* Room for a NUL after the last line, and tw_parse_fast()'s pad. */
	tw_grow((void **)&s->buf, &s->cap,
		s->len + TW_STREAM_READ + 1 + TW_PARSE_PAD, 1);
	do
		n = read(s->fd, s->buf + s->len,
			 s->cap - s->len - 1 - TW_PARSE_PAD);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		s->len += n;
	memset(s->buf + s->len, 0, 1 + TW_PARSE_PAD);
	if (n > 0)
		return 1;
	if (n == 0) {
		/* The ring at its newest record; anything else ended. */
		s->eof = !s->ring;
		return 0;
	}
	if (errno == EAGAIN)	/* caught up, or an O_NONBLOCK FIFO */
		return 0;
	if (errno == EIO && s->ring)
		fprintf(stderr, "tcpwave: %s: the module was unloaded\n",
			s->name);
	else
		fprintf(stderr, "tcpwave: %s: read error: %s\n", s->name,
			strerror(errno));
	return -1;
}

/*
 * Wait up to @timeout_ms (-1: forever) for the input to be readable.
 * Returns 1 if it is, 0 on timeout or a signal, -1 on error.
 */
static int tw_stream_wait(struct tw_stream *s, int timeout_ms)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int n;

	if (!s->pollable)
		return 1;
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0 && errno != EINTR) {
		fprintf(stderr, "tcpwave: %s: poll: %s\n", s->name,
			strerror(errno));
		return -1;
	}
	return n > 0;
}

/*
 * Parse the next complete line; at end of file, a last line without its
 * newline too.  Returns what it was, or TW_SEV_IDLE if there is no line.
 */
static enum tw_sev tw_stream_line(struct tw_stream *s,
				  struct tcpwave_record *rec, __u64 *lost)
{
	char *line, *nl;
	size_t n;

	/* Nothing read yet: and NULL + 0 is undefined behaviour in C. */
	if (!s->buf)
		return TW_SEV_IDLE;
	for (;;) {
		line = s->buf + s->start;
		n = s->len - s->start;
		nl = n ? memchr(line, '\n', n) : NULL;
		if (nl) {
			n = nl - line;
			s->start += n + 1;
		} else if (s->eof && n) {
			/* tw_stream_fill() left room for the NUL. */
			s->start = s->len;
		} else if (n >= TW_STREAM_LINE_MAX) {
			fprintf(stderr, "tcpwave: %s:%lu: line too long\n",
				s->name, s->lineno + 1);
			return TW_SEV_ERROR;
		} else {
			return TW_SEV_IDLE;
		}
		line[n] = '\0';
		s->lineno++;
		/*
		 * A record as the module writes it, nearly every line; the
		 * fast path takes no line with a NUL byte in it.
		 */
		if (tw_parse_fast(&s->p, line, n, rec)) {
			s->nrecs++;
			return TW_SEV_RECORD;
		}
		if (strlen(line) != n) {
			fprintf(stderr, "tcpwave: %s:%lu: NUL byte in line\n",
				s->name, s->lineno);
			return TW_SEV_ERROR;
		}
		switch (tw_parse_line(&s->p, line, rec, lost)) {
		case TW_LINE_ERROR:
			fprintf(stderr, "tcpwave: %s:%lu: %s\n", s->name,
				s->lineno, s->p.err);
			return TW_SEV_ERROR;
		case TW_LINE_RECORD:
			s->nrecs++;
			return TW_SEV_RECORD;
		case TW_LINE_LOST:
			s->nlost += *lost;
			return TW_SEV_LOST;
		default:
			break;
		}
	}
}

/*
 * The next record or lost-records line.  When none is buffered, read;
 * when nothing is there, wait up to @timeout_ms (0: do not wait, -1:
 * forever) for more.  Returns TW_SEV_IDLE when the wait ran out or a
 * signal came, TW_SEV_EOF once a file or pipe has ended.
 */
enum tw_sev tw_stream_next(struct tw_stream *s, struct tcpwave_record *rec,
			   __u64 *lost, int timeout_ms)
{
	enum tw_sev ev;
	int ret;

	for (;;) {
		ev = tw_stream_line(s, rec, lost);
		if (ev != TW_SEV_IDLE)
			return ev;
		if (s->eof)
			return TW_SEV_EOF;
		/* A pipe would block in read(): wait first. */
		if (s->pollable && !s->ring) {
			ret = tw_stream_wait(s, timeout_ms);
			if (ret <= 0)
				return ret < 0 ? TW_SEV_ERROR : TW_SEV_IDLE;
		}
		ret = tw_stream_fill(s);
		if (ret < 0)
			return TW_SEV_ERROR;
		if (ret > 0 || s->eof || !s->ring)
			continue;
		/* Caught up with the ring: wait for the next record. */
		ret = tw_stream_wait(s, timeout_ms);
		if (ret <= 0)
			return ret < 0 ? TW_SEV_ERROR : TW_SEV_IDLE;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_stream.c - libFuzzer target: the input is what "tcpwave -E"
 * reads from a file, line by line as it comes.  tw_follow_run() runs on
 * it three times, as "-E", "-E --json" with filters and "-E
 * --prometheus": stream.c's line splitting, the tracker (track.c), the
 * ladders of the connections as each one ends (follow.c), and the
 * statistics engine record by record (stats.c).
 *
 * The input is put in a memfd and read through /proc/self/fd/N: a
 * regular file, so the stream ends at its end and never waits in poll().
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "filter.h"
#include "follow.h"
#include "fuzz.h"
#include "opts.h"

/* Write all of @size bytes; 0 or -1. */
static int tw_fuzz_write(int fd, const uint8_t *data, size_t size)
{
	ssize_t n;

	while (size) {
		n = write(fd, data, size);
		if (n <= 0)
			return -1;
		data += n;
		size -= n;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct tw_opts o;
	int fd;

	fd = memfd_create("tcpwave-fuzz", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (tw_fuzz_write(fd, data, size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	tw_fuzz_opts(&o);
	o.mode = TW_MODE_EVENTS;
	o.path = path;
	tw_follow_run(&o);

	o.format = TW_FORMAT_JSON;
	tw_fuzz_filter(&o.filter);
	tw_follow_run(&o);
	tw_filter_free(&o.filter);

	o.format = TW_FORMAT_PROM;
	tw_follow_run(&o);

	close(fd);
	return 0;
}

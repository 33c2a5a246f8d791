// SPDX-License-Identifier: GPL-2.0
/*
 * procfs.c - /proc/tcpwave, the ring as text, and /proc/tcpwave_stats,
 * its counters.  README.md ("The /proc/tcpwave ABI") is the contract;
 * keep the two in step.
 *
 * Each open file is a reader with its own cursor (a sequence number), as
 * each open of /dev/kmsg is (kernel/printk/printk.c, devkmsg_read()).
 * Reading never consumes anything for another reader.  read() formats
 * whole lines into the reader's buffer, as many as fit in it, and hands
 * out as many bytes as the caller asked for, so any buffer size gives the
 * same byte stream.
 * read() never blocks: at the newest record it returns 0, end of file,
 * which is where "cat /proc/tcpwave" stops.  A follower then waits in
 * poll() and reads on from where it stopped.
 *
 * The records show every connection of every user and container, so
 * opening needs CAP_NET_ADMIN in the initial user namespace, and a reader
 * whose network namespace is not the initial one gets only the records
 * of its own namespace, as /proc/net/tcp shows only its own sockets.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>

#include "tcpwave.h"

/* Longest record line: 2 x "[IPv6]:port" and 16 comm bytes as \ooo. */
#define TW_LINE_MAX	512

/*
 * A reader's buffer of lines formatted ahead: seven of the longest, some
 * 20 of the usual 150 bytes, so that a big read() makes one
 * copy_to_user() per 20 records rather than one per record, while the
 * whole reader stays one kmalloc-4k object.
 */
#define TW_READ_AHEAD	(7 * TW_LINE_MAX)

#define TW_COLUMN_NAME(name) " " #name
static const char tw_header[] =
	"# " TCPWAVE_HEADER_TAG " "
	__stringify(TCPWAVE_FORMAT_MAJOR) "." __stringify(TCPWAVE_FORMAT_MINOR)
	TCPWAVE_COLUMNS(TW_COLUMN_NAME) "\n";
#undef TW_COLUMN_NAME

static const struct tw_name {
	u8 value;
	const char *name;
} tw_state_names[] = {
#define TW_STATE_NAME(name, value) { value, #name },
	TCPWAVE_STATES(TW_STATE_NAME)
#undef TW_STATE_NAME
}, tw_ctx_names[] = {
#define TW_CTX_NAME(name, value) { value, #name },
	TCPWAVE_CONTEXTS(TW_CTX_NAME)
#undef TW_CTX_NAME
}, tw_event_names[] = {
#define TW_EVENT_NAME(name, value) { value, #name },
	TCPWAVE_EVENTS(TW_EVENT_NAME)
#undef TW_EVENT_NAME
}, tw_reason_names[] = {
#define TW_REASON_NAME(name, value) { value, #name },
	TCPWAVE_REASONS(TW_REASON_NAME)
#undef TW_REASON_NAME
};

static const char *tw_lookup(const struct tw_name *names, size_t n, u8 value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i].value == value)
			return names[i].name;
	return NULL;
}

struct tw_reader {
	struct mutex lock;	/* one read()/lseek() at a time on this file */
	u64 cursor;		/* seq of the next record to format */
	bool all_netns;		/* opened in the initial network namespace */
	unsigned int netns;	/* else: the only netns whose records it gets */
	bool want_header;
	unsigned int len;	/* bytes of whole lines formatted into buf[] */
	unsigned int off;	/* of which off were already read */
	char buf[TW_READ_AHEAD];
};

static struct proc_dir_entry *tw_proc_records;
static struct proc_dir_entry *tw_proc_stats;
static atomic_t tw_nr_readers = ATOMIC_INIT(0);
static atomic64_t tw_reader_lost = ATOMIC64_INIT(0);

/*
 * The tw_print_*() helpers append to buf as scnprintf() does: they return
 * the bytes added, at most size - 1, and leave buf NUL-terminated.  A line
 * is formatted at every read() of every record, so constant text, names
 * and numbers are copied or converted here rather than sent through
 * vsnprintf(), which parses its format string at every call: that made
 * up most of the cost of reading a record.
 */
static int tw_print_str(char *buf, size_t size, const char *s)
{
	ssize_t n = strscpy(buf, s, size);

	if (n >= 0)
		return n;
	return size ? size - 1 : 0;
}

static int tw_print_mem(char *buf, size_t size, const char *s, size_t len)
{
	if (!size)
		return 0;
	len = min(len, size - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return len;
}

/* @v in decimal, after the character @sep unless it is 0: " %llu". */
static int tw_print_dec(char *buf, size_t size, char sep, u64 v)
{
	char tmp[21];
	int i = sizeof(tmp);

	do
		tmp[--i] = '0' + do_div(v, 10);
	while (v);
	if (sep)
		tmp[--i] = sep;
	return tw_print_mem(buf, size, tmp + i, sizeof(tmp) - i);
}

/* @v as eight hex digits, "%08x". */
static int tw_print_hex32(char *buf, size_t size, u32 v)
{
	char tmp[8];
	int i;

	for (i = sizeof(tmp) - 1; i >= 0; i--, v >>= 4)
		tmp[i] = hex_asc[v & 0xf];
	return tw_print_mem(buf, size, tmp, sizeof(tmp));
}

/* " name" from names[], or " number" if this module has no name for it. */
static int tw_print_name(char *buf, size_t size, const struct tw_name *names,
			 size_t n, u8 value)
{
	const char *name = tw_lookup(names, n, value);
	int len;

	if (!name)
		return tw_print_dec(buf, size, ' ', value);
	len = tw_print_str(buf, size, " ");
	return len + tw_print_str(buf + len, size - len, name);
}

/* A sequence number, decimal, or "-" when the record has none. */
static int tw_print_seq(char *buf, size_t size, u8 have, u8 bit, u32 seq)
{
	if (have & bit)
		return tw_print_dec(buf, size, ' ', seq);
	return tw_print_str(buf, size, " -");
}

/* A socket cookie exactly as "ss -e" prints it after "sk:". */
static int tw_print_cookie(char *buf, size_t size, u64 cookie)
{
	u32 hi = cookie >> 32, lo = (u32)cookie;
	int n = 0;

	if (hi)
		n = tw_print_hex32(buf, size, hi);
	return n + tw_print_hex32(buf + n, size - n, lo);
}

/* " %pI4:%u", or for IPv6 " [%pI6c]:%u". */
static int tw_print_addr(char *buf, size_t size, u8 family,
			 const u8 *addr, u16 port)
{
	int i, n = 0;

	if (family == 6)
		return scnprintf(buf, size, " [%pI6c]:%u", addr, port);
	for (i = 0; i < 4; i++)
		n += tw_print_dec(buf + n, size - n, i ? '.' : ' ', addr[i]);
	return n + tw_print_dec(buf + n, size - n, ':', port);
}

/*
 * comm may hold any byte but NUL (prctl(PR_SET_NAME)).  Fields are
 * separated by white space, so escape white space, control bytes,
 * non-ASCII and the backslash itself as \ooo, as /proc/self/mountinfo
 * escapes paths.  A comm of exactly "-" is escaped too, so that it
 * cannot be taken for "no task".
 */
static int tw_print_comm(char *buf, size_t size, const char *comm)
{
	bool dash = comm[0] == '-' && comm[1] == '\0';
	int n = tw_print_str(buf, size, " ");
	unsigned int i;

	for (i = 0; i < TCPWAVE_COMM_LEN && comm[i]; i++) {
		unsigned char c = comm[i];

		if (c <= ' ' || c >= 0x7f || c == '\\' || dash) {
			n += scnprintf(buf + n, size - n, "\\%03o", c);
		} else if (n + 1 < size) {
			buf[n++] = c;
			buf[n] = '\0';
		}
	}
	return n;
}

static unsigned int tw_format_record(char *buf, size_t size,
				     const struct tcpwave_record *r)
{
	int n;

	n = tw_print_dec(buf, size, 0, r->seq);
	n += tw_print_dec(buf + n, size - n, ' ', r->ts_ns);
	n += tw_print_dec(buf + n, size - n, ' ', r->cpu);
	n += tw_print_str(buf + n, size - n, " ");
	n += tw_print_cookie(buf + n, size - n, r->cookie);
	n += tw_print_dec(buf + n, size - n, ' ', r->netns);
	n += tw_print_dec(buf + n, size - n, ' ', r->family);
	n += tw_print_addr(buf + n, size - n, r->family, r->laddr, r->lport);
	n += tw_print_addr(buf + n, size - n, r->family, r->raddr, r->rport);
	n += tw_print_name(buf + n, size - n, tw_state_names,
			   ARRAY_SIZE(tw_state_names), r->oldstate);
	n += tw_print_name(buf + n, size - n, tw_state_names,
			   ARRAY_SIZE(tw_state_names), r->newstate);
	if (r->ctx == TCPWAVE_CTX_task) {
		n += tw_print_str(buf + n, size - n, " task");
		n += tw_print_dec(buf + n, size - n, ' ', r->pid);
		n += tw_print_comm(buf + n, size - n, r->comm);
	} else {
		const char *ctx = tw_lookup(tw_ctx_names,
					    ARRAY_SIZE(tw_ctx_names), r->ctx);

		if (ctx)
			n += scnprintf(buf + n, size - n, " %s - -", ctx);
		else
			n += scnprintf(buf + n, size - n, " %u - -", r->ctx);
	}
	/* Format 1.1 */
	n += tw_print_name(buf + n, size - n, tw_event_names,
			   ARRAY_SIZE(tw_event_names), r->event);
	if (r->reason == TCPWAVE_REASON_none)
		n += tw_print_str(buf + n, size - n, " -");
	else
		n += tw_print_name(buf + n, size - n, tw_reason_names,
				   ARRAY_SIZE(tw_reason_names), r->reason);
	n += tw_print_seq(buf + n, size - n, r->have, TCPWAVE_HAVE_SND_UNA,
			  r->snd_una);
	n += tw_print_seq(buf + n, size - n, r->have, TCPWAVE_HAVE_SND_NXT,
			  r->snd_nxt);
	n += tw_print_seq(buf + n, size - n, r->have, TCPWAVE_HAVE_RCV_NXT,
			  r->rcv_nxt);
	n += tw_print_seq(buf + n, size - n, r->have, TCPWAVE_HAVE_ISS, r->iss);
	n += tw_print_seq(buf + n, size - n, r->have, TCPWAVE_HAVE_IRS, r->irs);
	if (r->have & TCPWAVE_HAVE_LINK) {
		n += tw_print_str(buf + n, size - n, " ");
		n += tw_print_cookie(buf + n, size - n, r->link);
	} else {
		n += tw_print_str(buf + n, size - n, " -");
	}
	n += tw_print_str(buf + n, size - n, "\n");
	return n;
}

/*
 * Refill rd->buf with the reader's next lines: the header if it is due,
 * then one line per record (or "# lost N"), as many as surely fit.
 * Returns 0 with at least one line, or -EAGAIN when the reader has caught
 * up with the newest record and there was none.
 */
static int tw_reader_fill(struct tw_reader *rd)
{
	struct tcpwave_record rec;
	u64 lost;

	rd->off = 0;
	rd->len = 0;
	if (rd->want_header) {
		rd->want_header = false;
		rd->len = tw_print_str(rd->buf, sizeof(rd->buf), tw_header);
	}

	/* Records of other namespaces are passed over, bounded by the ring. */
	while (sizeof(rd->buf) - rd->len >= TW_LINE_MAX) {
		char *buf = rd->buf + rd->len;
		size_t size = sizeof(rd->buf) - rd->len;
		int ret = tw_ring_read(&rd->cursor, &rec, &lost);

		if (ret == -EPIPE) {
			atomic64_add(lost, &tw_reader_lost);
			rd->len += scnprintf(buf, size,
					     "# " TCPWAVE_META_LOST " %llu\n",
					     lost);
		} else if (ret) {
			break;
		} else if (rd->all_netns || rec.netns == rd->netns) {
			rd->len += tw_format_record(buf, size, &rec);
		}
	}
	return rd->len ? 0 : -EAGAIN;
}

/*
 * Open a reader.  -EPERM without CAP_NET_ADMIN in the initial user
 * namespace, checked on the opener's credentials (file->f_cred), so a
 * file descriptor handed to a less privileged process is still the
 * opener's.  The reader's network namespace is the opener's, as for the
 * files of /proc/net.
 */
static int tw_records_open(struct inode *inode, struct file *file)
{
	struct net *net = current->nsproxy->net_ns;
	struct tw_reader *rd;

	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EPERM;
	rd = kzalloc(sizeof(*rd), GFP_KERNEL);
	if (!rd)
		return -ENOMEM;
	mutex_init(&rd->lock);
	rd->all_netns = net_eq(net, &init_net);
	rd->netns = net->ns.inum;
	rd->cursor = tw_ring_oldest();
	rd->want_header = true;
	file->private_data = rd;
	atomic_inc(&tw_nr_readers);
	return 0;
}

static int tw_records_release(struct inode *inode, struct file *file)
{
	struct tw_reader *rd = file->private_data;

	mutex_destroy(&rd->lock);
	kfree(rd);
	atomic_dec(&tw_nr_readers);
	return 0;
}

static ssize_t tw_records_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct tw_reader *rd = file->private_data;
	size_t done = 0;
	ssize_t ret = 0;

	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	while (done < count) {
		size_t n;

		if (rd->off == rd->len && tw_reader_fill(rd))
			break;
		n = min_t(size_t, count - done, rd->len - rd->off);
		if (copy_to_user(ubuf + done, rd->buf + rd->off, n)) {
			ret = -EFAULT;
			break;
		}
		rd->off += n;
		done += n;
	}
	*ppos += done;
	mutex_unlock(&rd->lock);
	return done ? done : ret;
}

static __poll_t tw_records_poll(struct file *file, poll_table *wait)
{
	struct tw_reader *rd = file->private_data;

	poll_wait(file, tw_ring_waitqueue(), wait);
	if (READ_ONCE(rd->want_header) ||
	    READ_ONCE(rd->off) != READ_ONCE(rd->len) ||
	    READ_ONCE(rd->cursor) < tw_ring_head())
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/*
 * lseek(fd, 0, SEEK_SET): rewind to the oldest record still in the ring,
 * header first, as a fresh open would.  lseek(fd, 0, SEEK_END): skip to
 * the newest, so that the following reads return only new records (the
 * header still comes first if it was not read yet).  lseek(fd, 0,
 * SEEK_CUR): the number of bytes read since open or the last rewind.
 * Anything else: -EINVAL.
 */
static loff_t tw_records_lseek(struct file *file, loff_t offset, int whence)
{
	struct tw_reader *rd = file->private_data;
	loff_t ret = 0;

	if (offset)
		return -EINVAL;
	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	switch (whence) {
	case SEEK_SET:
		rd->cursor = tw_ring_oldest();
		rd->want_header = true;
		rd->off = 0;
		rd->len = 0;
		file->f_pos = 0;
		break;
	case SEEK_END:
		rd->cursor = tw_ring_head();
		if (!rd->want_header) {
			rd->off = 0;
			rd->len = 0;
		}
		ret = file->f_pos;
		break;
	case SEEK_CUR:
		ret = file->f_pos;
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&rd->lock);
	return ret;
}

static const struct proc_ops tw_records_ops = {
	.proc_open	= tw_records_open,
	.proc_release	= tw_records_release,
	.proc_read	= tw_records_read,
	.proc_poll	= tw_records_poll,
	.proc_lseek	= tw_records_lseek,
};

static int tw_stats_show(struct seq_file *m, void *v)
{
	u64 timed_ns, timed_records;

	seq_printf(m, "format %d.%d\n",
		   TCPWAVE_FORMAT_MAJOR, TCPWAVE_FORMAT_MINOR);
	seq_printf(m, "ring_records %u\n", tw_ring_size());
	seq_printf(m, "ring_bytes %zu\n", tw_ring_bytes());
	seq_printf(m, "records_written %llu\n", tw_ring_head());
	seq_printf(m, "records_overwritten %llu\n", tw_ring_oldest());
	seq_printf(m, "reader_lost %lld\n",
		   (long long)atomic64_read(&tw_reader_lost));
	seq_printf(m, "kprobe_nmissed %lu\n", tw_probes_nmissed());
	seq_printf(m, "readers %d\n", atomic_read(&tw_nr_readers));
	tw_timing_read(&timed_ns, &timed_records);
	seq_printf(m, "timed_records %llu\n", timed_records);
	seq_printf(m, "timed_ns %llu\n", timed_ns);
	seq_printf(m, "nmi_dropped %llu\n", tw_ring_nmi_dropped());
	return 0;
}

int __init tw_proc_init(void)
{
	/*
	 * Every connection of every user: readable by CAP_NET_ADMIN only,
	 * which tw_records_open() checks (README, "Who may read").  The
	 * mode lets a non-root holder of the capability reach that check.
	 */
	tw_proc_records = proc_create("tcpwave", 0444, NULL, &tw_records_ops);
	if (!tw_proc_records)
		return -ENOMEM;
	tw_proc_stats = proc_create_single("tcpwave_stats", 0444, NULL,
					   tw_stats_show);
	if (!tw_proc_stats) {
		proc_remove(tw_proc_records);
		return -ENOMEM;
	}
	return 0;
}

/*
 * proc_remove() waits for every read(), poll() and lseek() in progress
 * and releases every file still open, so no reader touches the ring
 * after this returns.
 */
void tw_proc_exit(void)
{
	proc_remove(tw_proc_stats);
	proc_remove(tw_proc_records);
}

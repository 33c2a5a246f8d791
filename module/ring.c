// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - the record ring: one power-of-two array of fixed-size records,
 * any number of writers on any CPU and in any context, any number of
 * readers each with its own cursor.
 *
 * Writers never wait for readers.  When the ring is full the oldest
 * record is overwritten, as /dev/kmsg does.  Every record carries a 64-bit
 * sequence number (the number of records written before it), so a reader
 * whose cursor fell behind the oldest record still in the ring knows
 * exactly how many records it lost: oldest - cursor.
 *
 * The lock is a raw_spinlock_t held with interrupts off: writers run in
 * kprobe handlers (which keep interrupts off), in process context and in
 * softirq, and on PREEMPT_RT a spinlock_t would sleep.  Records are
 * copied in and out under the lock; all formatting happens in the
 * reader, outside it.
 *
 * Readers are woken through irq_work, never directly from the writer: the
 * writer may run with arbitrary locks held (the socket lock, the TCP
 * hash locks), and the wait queue's lock must not nest inside them.  The
 * irq_work is lazy, as printk's wake_up_klogd() is: it runs from the next
 * timer tick (1/HZ later at most, 4 ms at Debian's HZ=250) rather than
 * from a self-IPI at once, unless this CPU's tick is stopped.  A reader
 * that keeps up is then woken once per tick with every record written
 * meanwhile, not once per record: at thousands of records a second the
 * IPI, the wake-up and the reader's poll() and read() for each single
 * record cost the traced connections more than the records themselves
 * (README, "Performance").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/log2.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "tcpwave.h"

struct tw_ring {
	raw_spinlock_t lock;
	u64 head;			/* seq of the next record written */
	unsigned int mask;		/* nr_records - 1 */
	struct tcpwave_record *buf;
	struct irq_work wake_work;
	/*
	 * Allocated apart from the module image: see tw_ring_exit() for
	 * why a wait queue with pollers on it may have to outlive us.
	 */
	wait_queue_head_t *wait;
	atomic64_t nmi_dropped;		/* see tw_ring_lock() */
};

static struct tw_ring ring;

static void tw_ring_wake(struct irq_work *work)
{
	wake_up_interruptible(ring.wait);
}

int tw_ring_init(unsigned int nr_records)
{
	if (!is_power_of_2(nr_records))
		return -EINVAL;

	ring.wait = kmalloc(sizeof(*ring.wait), GFP_KERNEL);
	if (!ring.wait)
		return -ENOMEM;
	init_waitqueue_head(ring.wait);

	ring.buf = vzalloc(array_size(nr_records, sizeof(*ring.buf)));
	if (!ring.buf) {
		kfree(ring.wait);
		return -ENOMEM;
	}
	raw_spin_lock_init(&ring.lock);
	ring.head = 0;
	ring.mask = nr_records - 1;
	atomic64_set(&ring.nmi_dropped, 0);
	ring.wake_work = IRQ_WORK_INIT_LAZY(tw_ring_wake);
	return 0;
}

/*
 * Called once no writer can run (the probes are unregistered) and no
 * reader can enter (the /proc files are removed, which also released
 * every open file).
 *
 * A task blocked in poll(), select() or epoll_wait() on /proc/tcpwave
 * still has an entry on our wait queue: procfs released its file but the
 * poller removes the entry only when it wakes up.  So wake everybody with
 * POLLFREE (epoll drops its entries right there, see wake_up_pollfree()),
 * let the poll()/select() sleepers run and unhook themselves, and wait for
 * the queue to empty before freeing it.  A poller that never runs (a
 * stopped task) must not turn into a use-after-free: after a bounded
 * wait the queue is leaked instead, with a warning.
 */
void tw_ring_exit(void)
{
	wait_queue_head_t *wq = ring.wait;
	unsigned int waited_ms = 0;
	bool empty;

	irq_work_sync(&ring.wake_work);

	__wake_up(wq, TASK_NORMAL, 0, poll_to_key(EPOLLHUP | POLLFREE));
	for (;;) {
		spin_lock_irq(&wq->lock);
		empty = list_empty(&wq->head);
		spin_unlock_irq(&wq->lock);
		if (empty || waited_ms >= 10000)
			break;
		wake_up_all(wq);
		msleep(20);
		waited_ms += 20;
	}
	/* epoll reads the queue's address under RCU after POLLFREE. */
	synchronize_rcu();
	if (empty)
		kfree(wq);
	else
		pr_warn("a poller on /proc/tcpwave never woke up; leaking %zu bytes\n",
			sizeof(*wq));

	vfree(ring.buf);
	ring.buf = NULL;
}

/* The seq of the oldest record the ring still holds, given its head. */
static u64 tw_ring_oldest_of(u64 head)
{
	return head > ring.mask ? head - ring.mask - 1 : 0;
}

/*
 * Take the ring's lock from a probe handler.  On x86 a kprobe hit through
 * int3, one the kernel could not arm through ftrace, runs its handler in
 * NMI context (exc_int3() -> irqentry_nmi_enter()), where spinning on a
 * lock the interrupted code might hold would deadlock, and lockdep says
 * so.  This CPU cannot be holding it: it is held only inside a handler,
 * and kprobes do not nest (a hit inside a handler only counts in
 * nmissed).  So the lock can only be busy with another CPU's ring write,
 * a few hundred instructions: in NMI context take it with trylock, as the
 * BPF ring buffer does (__bpf_ringbuf_reserve()), retry a bounded number
 * of times, and drop the record, counted in nmi_dropped, if it stays busy.
 */
#define TW_NMI_LOCK_TRIES	10000

static bool tw_ring_lock(void)
{
	unsigned int tries;

	if (!in_nmi()) {
		raw_spin_lock(&ring.lock);
		return true;
	}
	for (tries = 0; tries < TW_NMI_LOCK_TRIES; tries++) {
		if (raw_spin_trylock(&ring.lock))
			return true;
		cpu_relax();
	}
	atomic64_inc(&ring.nmi_dropped);
	return false;
}

/*
 * Append @rec, filling in its seq and ts_ns.  The caller (the probe
 * handler) has interrupts off already, so the lock need not turn them
 * off again; readers, in process context, take it with irqsave.  Never
 * sleeps.  In NMI context the record may be dropped: see tw_ring_lock().
 */
void tw_ring_write(struct tcpwave_record *rec)
{
	lockdep_assert_irqs_disabled();

	if (!tw_ring_lock())
		return;
	/* Taken under the lock so that seq order is also time order. */
	rec->ts_ns = ktime_get_ns();
	rec->seq = ring.head;
	ring.buf[ring.head & ring.mask] = *rec;
	ring.head++;
	raw_spin_unlock(&ring.lock);

	/* Pairs with the barrier in poll_wait()/prepare_to_wait(). */
	if (wq_has_sleeper(ring.wait))
		irq_work_queue(&ring.wake_work);
}

/*
 * Copy the record at *@cursor into @rec and advance the cursor.
 *
 * Returns 0 with a record; -EAGAIN when the cursor is at the head (no new
 * record yet); -EPIPE when the cursor had fallen behind the ring: then
 * *@lost is set to the number of records overwritten before this reader
 * got to them, the cursor is moved to the oldest record still held, and
 * nothing is copied.
 */
int tw_ring_read(u64 *cursor, struct tcpwave_record *rec, u64 *lost)
{
	unsigned long flags;
	u64 oldest;
	int ret = 0;

	raw_spin_lock_irqsave(&ring.lock, flags);
	oldest = tw_ring_oldest_of(ring.head);
	if (*cursor < oldest) {
		*lost = oldest - *cursor;
		*cursor = oldest;
		ret = -EPIPE;
	} else if (*cursor >= ring.head) {
		*cursor = ring.head;
		ret = -EAGAIN;
	} else {
		*rec = ring.buf[*cursor & ring.mask];
		(*cursor)++;
	}
	raw_spin_unlock_irqrestore(&ring.lock, flags);
	return ret;
}

u64 tw_ring_head(void)
{
	unsigned long flags;
	u64 head;

	/* A plain 64-bit load could tear on 32-bit machines. */
	raw_spin_lock_irqsave(&ring.lock, flags);
	head = ring.head;
	raw_spin_unlock_irqrestore(&ring.lock, flags);
	return head;
}

u64 tw_ring_oldest(void)
{
	return tw_ring_oldest_of(tw_ring_head());
}

unsigned int tw_ring_size(void)
{
	return ring.mask + 1;
}

size_t tw_ring_bytes(void)
{
	return tw_ring_size() * sizeof(*ring.buf) + sizeof(*ring.wait);
}

/* Records dropped in NMI context because the ring stayed busy. */
u64 tw_ring_nmi_dropped(void)
{
	return atomic64_read(&ring.nmi_dropped);
}

wait_queue_head_t *tw_ring_waitqueue(void)
{
	return ring.wait;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tcpwave - record every TCP state transition of every connection into a
 * ring buffer, readable as text at /proc/tcpwave.
 *
 * main.c - module parameters, load and unload.  The ring is in ring.c,
 * the kprobes in probes.c, the /proc files in procfs.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "tcpwave.h"

#define TW_RING_MIN	64U
#define TW_RING_MAX	SZ_1M

static unsigned int ring_records = 16384;

/*
 * Checked here, at load, so that a bad value fails insmod with -EINVAL
 * and a message naming the parameter, before anything is registered.
 */
static int tw_ring_records_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < TW_RING_MIN || n > TW_RING_MAX ||
	    !is_power_of_2(n)) {
		pr_err("ring_records=%s: must be a power of two from %u to %u\n",
		       val, TW_RING_MIN, TW_RING_MAX);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops tw_ring_records_ops = {
	.set	= tw_ring_records_set,
	.get	= param_get_uint,
};

module_param_cb(ring_records, &tw_ring_records_ops, &ring_records, 0444);
MODULE_PARM_DESC(ring_records,
		 "Ring size in records, a power of two from 64 to 1048576 (16384)");

/*
 * timing=1 makes every record's fill and ring write time itself into
 * /proc/tcpwave_stats (timed_records, timed_ns), for the benchmark.  A
 * static key in tw_emit(): off, it costs nothing.  Writable at run time.
 */
static bool timing;

static int tw_timing_param_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (ret) {
		pr_err("timing=%s: must be 0 or 1\n", val);
		return ret;
	}
	tw_timing_set(timing);
	return 0;
}

static const struct kernel_param_ops tw_timing_ops = {
	.set	= tw_timing_param_set,
	.get	= param_get_bool,
};

module_param_cb(timing, &tw_timing_ops, &timing, 0644);
MODULE_PARM_DESC(timing,
		 "Time each record's fill and ring write, in ns, into /proc/tcpwave_stats (0)");

static int __init tcpwave_init(void)
{
	int ret;

	ret = tw_ring_init(ring_records);
	if (ret)
		return ret;
	ret = tw_proc_init();
	if (ret)
		goto err_ring_exit;
	ret = tw_probes_register();
	if (ret)
		goto err_proc_exit;

	pr_info("format %d.%d, ring of %u records (%zu bytes)\n",
		TCPWAVE_FORMAT_MAJOR, TCPWAVE_FORMAT_MINOR,
		tw_ring_size(), tw_ring_bytes());
	return 0;

err_proc_exit:
	tw_proc_exit();
err_ring_exit:
	tw_ring_exit();
	return ret;
}

/* Writers first, then readers, then the memory they shared. */
static void __exit tcpwave_exit(void)
{
	tw_probes_unregister();
	tw_proc_exit();
	tw_ring_exit();
	pr_info("unloaded: %llu records written\n", tw_ring_head());
}

module_init(tcpwave_init);
module_exit(tcpwave_exit);

MODULE_AUTHOR("tcpwave developers");
MODULE_DESCRIPTION("Record TCP state transitions: handshake and wave timelines");
MODULE_LICENSE("GPL");

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpwave_compat.h - every difference between the kernels tcpwave builds
 * for lives here, one small inline or macro per difference, each with the
 * kernel version that changed it.  Nothing else in the module tests
 * LINUX_VERSION_CODE.
 *
 * Supported: 6.1 (Debian bookworm linux-image-amd64) through 6.12.
 */
#ifndef TCPWAVE_COMPAT_H
#define TCPWAVE_COMPAT_H

#include <linux/version.h>
#include <linux/ptrace.h>
#include <net/tcp.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "tcpwave needs Linux 6.1 or later"
#endif /* KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE */

/*
 * The hooked functions' signatures, as the kernels we support declare
 * them.  probes.c checks each against the kernel's prototype with
 * BUILD_BUG_ON(), so a kernel that changes one fails the build instead of
 * feeding the probe handler the wrong arguments.
 *
 * tcp_set_state(): net/ipv4/tcp.c, unchanged from 2.6 through 6.12.
 */
typedef void (tw_tcp_set_state_t)(struct sock *sk, int state);

/*
 * Function arguments at a kprobe on the first instruction of a function.
 * regs_get_kernel_argument() exists on x86 since 5.1 and on the other
 * HAVE_REGS_AND_STACK_ACCESS_API architectures we can build for.
 */
static inline unsigned long tw_probe_arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

#endif /* TCPWAVE_COMPAT_H */

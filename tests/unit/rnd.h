/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rnd.h - the unit tests' random numbers: xorshift64 (Marsaglia, "Xorshift
 * RNGs", 2003) from a fixed seed, so every run draws the same numbers and
 * a failure can be run again.
 */
#ifndef TW_TEST_RND_H
#define TW_TEST_RND_H

#include <linux/types.h>

static __u64 rnd_state = 88172645463325252ULL;

/* xorshift64: the same numbers on every run. */
static inline __u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

#endif /* TW_TEST_RND_H */

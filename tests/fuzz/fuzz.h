/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - what the libFuzzer targets of tests/fuzz/ share: the options
 * the command line would give, a filter that keeps some connections and
 * drops others, and where the output goes.
 */
#ifndef TW_FUZZ_H
#define TW_FUZZ_H

#include <stdio.h>

#include "opts.h"

void tw_fuzz_opts(struct tw_opts *o);
void tw_fuzz_filter(struct tw_filter *f);
FILE *tw_fuzz_null(void);

#endif /* TW_FUZZ_H */

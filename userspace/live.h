/* SPDX-License-Identifier: GPL-2.0 */
/*
 * live.h - "tcpwave --live" (--top): a full-screen table of the current
 * connection ends, redrawn as their records come, like top for TCP.
 */
#ifndef TW_LIVE_H
#define TW_LIVE_H

#include "opts.h"

int tw_live_run(const struct tw_opts *o);

#endif /* TW_LIVE_H */

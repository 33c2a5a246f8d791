/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svg.h - "--svg": the ladders as one SVG 1.1 sequence diagram.
 */
#ifndef TW_SVG_H
#define TW_SVG_H

#include <stdio.h>

#include "conn.h"
#include "fmt.h"
#include "parse.h"

void tw_svg_print(FILE *f, const struct tw_conns *c, const struct tw_trace *t,
		  const struct tw_view *v);

#endif /* TW_SVG_H */

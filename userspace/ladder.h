/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ladder.h - the default view: one ladder diagram per connection.
 */
#ifndef TW_LADDER_H
#define TW_LADDER_H

#include <stdio.h>

#include "conn.h"
#include "fmt.h"
#include "parse.h"

void tw_ladder_print(FILE *f, const struct tw_conns *c,
		     const struct tw_trace *t, const struct tw_view *v);
void tw_ladder_print_conn(FILE *f, const struct tw_conn *conn, size_t id,
			  const struct tw_trace *t, const struct tw_view *v);

#endif /* TW_LADDER_H */

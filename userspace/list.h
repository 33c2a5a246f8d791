/* SPDX-License-Identifier: GPL-2.0 */
/*
 * list.h - "--list": one line per connection.
 */
#ifndef TW_LIST_H
#define TW_LIST_H

#include <stdio.h>

#include "conn.h"
#include "fmt.h"

void tw_list_print(FILE *f, const struct tw_conns *c,
		   const struct tw_view *v);

#endif /* TW_LIST_H */

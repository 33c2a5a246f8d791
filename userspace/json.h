/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - "--json": JSON Lines (one object per line, as iproute2's -j),
 * built with jansson.  Every mode that prints JSON builds its objects
 * with these functions, so that a transition, a connection or a loss
 * reads the same whichever mode printed it.  README.md, "JSON output",
 * documents every key; keys are only ever added, never renamed or
 * retyped.
 *
 * Ownership follows jansson's: the builders return a new reference,
 * tw_json_print() takes it over.  None of them returns NULL: out of
 * memory ends the viewer, as tw_xrealloc() does.
 */
#ifndef TW_JSON_H
#define TW_JSON_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "conn.h"
#include "fmt.h"
#include "parse.h"
#include "tcpwave_abi.h"

json_t *tw_json_bytes(const char *s, size_t max);
json_t *tw_json_u64(__u64 v);
json_t *tw_json_record(const struct tcpwave_record *r);
json_t *tw_json_conn(const struct tw_conn *c, size_t id,
		     const struct tw_trace *t);
json_t *tw_json_lost(__u64 count, __u64 before_seq);
int tw_json_print(FILE *f, json_t *obj);

int tw_json_capture(FILE *f, const struct tw_conns *c,
		    const struct tw_trace *t, const struct tw_view *v);

#endif /* TW_JSON_H */

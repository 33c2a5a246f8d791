/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conn.h - records grouped into sockets (one per cookie), and sockets
 * paired into connections: the two ends of a loopback connection, or
 * one end whose peer was not traced.
 */
#ifndef TW_CONN_H
#define TW_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"
#include "tcpwave_abi.h"

enum tw_role {
	TW_ROLE_UNKNOWN,
	TW_ROLE_ACTIVE,		/* connect(): went through SYN_SENT */
	TW_ROLE_PASSIVE,	/* accepted, or listening */
};

struct tw_sock {
	__u64 cookie;
	const struct tcpwave_record **recs;	/* by ts, then seq */
	size_t nrecs;
	const struct tcpwave_record *tuple;	/* the one naming its ports */
	enum tw_role role;
	bool listener;
	struct tw_sock *peer;			/* the other end, if traced */
};

struct tw_conn {
	struct tw_sock *client;		/* drawn on the left */
	struct tw_sock *server;		/* on the right; one may be NULL */
	bool listener;			/* server is a listening socket */
	__u64 first_ts;
	__u64 first_seq;		/* of the first record */
	__u64 last_ts;
	__u64 min_seq;
	__u64 max_seq;
	size_t nrecs;
};

struct tw_conns {
	const struct tcpwave_record **order;	/* backs every sock->recs */
	struct tw_sock *socks;
	size_t nsocks;
	struct tw_conn *conns;			/* by first_ts, first_seq */
	size_t nconns;
};

void tw_conns_build(const struct tw_trace *t, struct tw_conns *c);
void tw_conns_free(struct tw_conns *c);
bool tw_sock_self_connected(const struct tw_sock *sk);
__u64 tw_conn_lost(const struct tw_conn *conn, const struct tw_trace *t);

#endif /* TW_CONN_H */

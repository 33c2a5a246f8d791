/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conn.h - records grouped into sockets (one per cookie, a server's
 * request socket merged into the child it became), and sockets paired
 * into connections: the two ends of a loopback connection, or one end
 * whose peer was not traced.
 */
#ifndef TW_CONN_H
#define TW_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "fmt.h"
#include "parse.h"
#include "tcpwave_abi.h"

enum tw_role {
	TW_ROLE_UNKNOWN,
	TW_ROLE_ACTIVE,		/* connect(): went through SYN_SENT */
	TW_ROLE_PASSIVE,	/* accepted, or listening */
};

/*
 * One end of a connection.  The kernel hands it from object to object:
 * on a server a request socket answers the SYN and a child full socket
 * takes over at the final ACK; at the end a timewait socket may take
 * over from the full socket.  The timewait socket inherits the full
 * socket's cookie (inet_twsk_alloc() copies sk_cookie); the request
 * socket does not, so its records are merged in through the child
 * record's link.
 */
struct tw_sock {
	__u64 cookie;		/* the full socket's, or the request socket's */
	__u64 req_cookie;	/* if has_req: the request socket merged in */
	bool has_req;
	bool req_only;		/* a request socket that never had a child */
	bool merged;		/* a request socket, now in its child's end */
	const struct tcpwave_record **recs;	/* by ts, then seq */
	size_t nrecs;
	bool own_recs;		/* recs is an allocation of its own */
	const struct tcpwave_record *tuple;	/* the one naming its ports */
	enum tw_role role;
	bool listener;
	bool self;		/* connected to itself: laddr == raddr */
	bool simopen;		/* went SYN_SENT -> SYN_RECV */
	/* Its first record in task context read under a 1.0 header. */
	const struct tcpwave_record *v10_task;
	bool has_iss;		/* ISS and IRS, when a record tells them */
	bool has_irs;
	__u32 iss;
	__u32 irs;
	bool has_lcookie;	/* the syn record's link: its listener */
	__u64 lcookie;
	struct tw_sock *lsk;	/* that listener, if traced */
	size_t nunknown;	/* records of events we do not know */
	struct tw_sock *peer;	/* the other end, if traced */
};

struct tw_conn {
	struct tw_sock *client;		/* drawn on the left */
	struct tw_sock *server;		/* on the right; one may be NULL */
	bool listener;			/* server is a listening socket */
	bool self;			/* client is connected to itself */
	__u64 first_ts;
	__u64 first_seq;		/* of the first record */
	__u64 last_ts;
	__u64 min_seq;
	__u64 max_seq;
	size_t nrecs;
};

/* socks and conns share one allocation, with the sockets' records. */
struct tw_conns {
	struct tw_sock *socks;			/* by cookie */
	size_t nsocks;
	struct tw_conn *conns;			/* by first_ts, first_seq */
	size_t nconns;
};

void tw_conns_build(const struct tw_trace *t, struct tw_conns *c);
void tw_conns_free(struct tw_conns *c);
__u64 tw_conn_lost(const struct tw_conn *conn, const struct tw_trace *t);
__u64 tw_conn_lost_before(const struct tw_conn *conn,
			  const struct tw_trace *t);
bool tw_conn_time_wait(const struct tw_conn *conn, __u64 *ns);
bool tw_conn_refused(const struct tw_conn *conn);
void tw_conn_endpoints(const struct tw_conn *conn, char client[TW_EP_STRLEN],
		       char server[TW_EP_STRLEN]);

bool tw_rec_known(const struct tcpwave_record *r);
const struct tcpwave_record *tw_sock_owner(const struct tw_sock *sk);
const struct tcpwave_record *tw_sock_last(const struct tw_sock *sk);
const struct tcpwave_record *tw_sock_end(const struct tw_sock *sk);
unsigned int tw_sock_first_state(const struct tw_sock *sk);
bool tw_sock_handshake(const struct tw_sock *sk, __u64 *ns);
bool tw_sock_since(const struct tw_sock *sk, size_t i, __u64 *ts);

#endif /* TW_CONN_H */

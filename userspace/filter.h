/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter.h - the selection options every mode shares (-4, -6, --lport,
 * --rport, --laddr, --raddr, --pid, --comm, --state, --netns), and the
 * test of one connection end against them.
 *
 * Values inside one option are alternatives ("-L 80,443": either port);
 * different options must all hold.  A connection passes when one of its
 * traced ends passes.
 */
#ifndef TW_FILTER_H
#define TW_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "tcpwave_abi.h"

/* An address with a prefix length: "10.0.0.0/8", "::1", "fe80::/10". */
struct tw_prefix {
	unsigned int family;	/* 4 or 6 */
	__u8 addr[16];
	unsigned int len;	/* in bits: 0..32 or 0..128 */
};

#define TW_FAMILY_4	0x1
#define TW_FAMILY_6	0x2

struct tw_filter {
	unsigned int families;		/* TW_FAMILY_*; 0: both */
	__u16 *lports;
	size_t nlports;
	__u16 *rports;
	size_t nrports;
	struct tw_prefix *laddrs;
	size_t nladdrs;
	struct tw_prefix *raddrs;
	size_t nraddrs;
	__u32 *pids;
	size_t npids;
	char *comm;			/* exact owner name, or NULL */
	__u32 states;			/* 1 << state for each; 0: any */
	bool has_netns;
	__u32 netns;			/* inode number */
};

/*
 * One end of a connection as the filter sees it.  An end with no owner
 * record (only softirq records) fails --pid and --comm.
 */
struct tw_filter_end {
	unsigned int family;
	const __u8 *laddr;
	const __u8 *raddr;
	unsigned int lport;
	unsigned int rport;
	__u32 netns;
	bool has_owner;
	__u32 pid;
	const char *comm;		/* TCPWAVE_COMM_LEN bytes */
	__u32 states;			/* 1 << state for each state it was in */
};

/* The options tw_filter_option() takes, as getopt_long() returns them. */
enum tw_filter_opt {
	TW_FOPT_IPV4 = '4',
	TW_FOPT_IPV6 = '6',
	TW_FOPT_LPORT = 'L',
	TW_FOPT_RPORT = 'D',
	TW_FOPT_PID = 'p',
	TW_FOPT_NETNS = 'N',
	TW_FOPT_LADDR = 0x100,
	TW_FOPT_RADDR,
	TW_FOPT_COMM,
	TW_FOPT_STATE,
};

int tw_filter_option(struct tw_filter *f, int opt, const char *arg,
		     char *err, size_t errlen);
void tw_filter_free(struct tw_filter *f);
bool tw_filter_active(const struct tw_filter *f);

bool tw_filter_match(const struct tw_filter *f, const struct tw_filter_end *e);
void tw_filter_end_rec(struct tw_filter_end *e,
		       const struct tcpwave_record *r,
		       const struct tcpwave_record *owner);
bool tw_filter_sock(const struct tw_filter *f, const struct tw_sock *sk);
bool tw_filter_conn(const struct tw_filter *f, const struct tw_conn *c);
void tw_filter_conns(const struct tw_filter *f, struct tw_conns *c);

int tw_state_parse_any(const char *s, unsigned int *state);

#endif /* TW_FILTER_H */

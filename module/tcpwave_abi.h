/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tcpwave_abi.h - the one header shared by the tcpwave module and the
 * tcpwave viewer: the /proc/tcpwave text format version, its columns, the
 * TCP state table and the record both sides hold in memory.
 *
 * The text format of /proc/tcpwave is the ABI (README.md, "The
 * /proc/tcpwave ABI").  The binary struct below is not: it never crosses
 * the kernel/user boundary, it only keeps the two sides in step.
 *
 * Compatibility rule: columns are only ever appended.  Appending bumps
 * TCPWAVE_FORMAT_MINOR; anything else would bump TCPWAVE_FORMAT_MAJOR,
 * and readers refuse a major they do not know.
 */
#ifndef TCPWAVE_ABI_H
#define TCPWAVE_ABI_H

#include <linux/types.h>

#define TCPWAVE_FORMAT_MAJOR	1
#define TCPWAVE_FORMAT_MINOR	1

/* First token of the header line: "# tcpwave <major>.<minor> <columns>" */
#define TCPWAVE_HEADER_TAG	"tcpwave"

/*
 * Metadata line "# lost <N>": this reader fell behind the ring and N
 * records were overwritten before it read them.
 */
#define TCPWAVE_META_LOST	"lost"

/*
 * The columns of format 1.1, in order, as named in the header line.
 * X(name) - each name is also the column's key in the viewer.  1.0 ended
 * at comm; 1.1 appended event through link.  A field shown as "-" has no
 * value for that record.  Sequence numbers are RFC 9293 section 3.3.1's,
 * absolute, decimal.
 */
#define TCPWAVE_COLUMNS(X)						\
	X(seq)		/* record sequence number, from 0, decimal */	\
	X(ts_ns)	/* ktime_get_ns(): CLOCK_MONOTONIC, ns */	\
	X(cpu)		/* CPU the transition ran on */			\
	X(cookie)	/* socket cookie, hex, as "ss -e" sk: */	\
	X(netns)	/* network namespace inode number */		\
	X(family)	/* 4 or 6: the socket's address family */	\
	X(laddr)	/* local addr:port, IPv6 as [addr]:port */	\
	X(raddr)	/* remote addr:port */				\
	X(oldstate)	/* sk_state before the transition */		\
	X(newstate)	/* sk_state after it */				\
	X(ctx)		/* task, softirq, hardirq or nmi */		\
	X(pid)		/* tgid of current, "-" unless ctx is task */	\
	X(comm)		/* comm of current, \ooo-escaped, "-" likewise */ \
	X(event)	/* the kernel event: TCPWAVE_EVENTS below */	\
	X(reason)	/* why a connection ended: TCPWAVE_REASONS */	\
	X(snd_una)	/* SND.UNA: oldest unacknowledged seq */	\
	X(snd_nxt)	/* SND.NXT: next seq to send */			\
	X(rcv_nxt)	/* RCV.NXT: next seq expected */		\
	X(iss)		/* ISS: our initial sequence number */		\
	X(irs)		/* IRS: the peer's initial sequence number */	\
	X(link)		/* cookie of the related socket, hex */

/*
 * TCP states, numbered as include/net/tcp_states.h numbers them; the
 * module checks every value against the kernel's at build time.
 * X(name, value) - name is the kernel's TCP_<name> without the prefix.
 */
#define TCPWAVE_STATES(X)		\
	X(ESTABLISHED, 1)		\
	X(SYN_SENT, 2)			\
	X(SYN_RECV, 3)			\
	X(FIN_WAIT1, 4)			\
	X(FIN_WAIT2, 5)			\
	X(TIME_WAIT, 6)			\
	X(CLOSE, 7)			\
	X(CLOSE_WAIT, 8)		\
	X(LAST_ACK, 9)			\
	X(LISTEN, 10)			\
	X(CLOSING, 11)			\
	X(NEW_SYN_RECV, 12)

enum tcpwave_state {
	TCPWAVE_STATE_UNKNOWN = 0,
#define TCPWAVE_STATE_ENUM(name, value) TCPWAVE_##name = value,
	TCPWAVE_STATES(TCPWAVE_STATE_ENUM)
#undef TCPWAVE_STATE_ENUM
	TCPWAVE_STATE_MAX
};

/* Where the transition ran: the "ctx" column. */
#define TCPWAVE_CONTEXTS(X)	\
	X(task, 0)		\
	X(softirq, 1)		\
	X(hardirq, 2)		\
	X(nmi, 3)

enum tcpwave_ctx {
#define TCPWAVE_CTX_ENUM(name, value) TCPWAVE_CTX_##name = value,
	TCPWAVE_CONTEXTS(TCPWAVE_CTX_ENUM)
#undef TCPWAVE_CTX_ENUM
	TCPWAVE_CTX_MAX
};

/*
 * The "event" column: which kernel event made the record.
 * X(name, value) - README.md, "Events", documents each one.
 */
#define TCPWAVE_EVENTS(X)	\
	X(state, 0)	/* tcp_set_state() on a full socket */		\
	X(listen, 1)	/* inet_csk_listen_start() succeeded */		\
	X(connect, 2)	/* tcp_connect(): the SYN is about to go */	\
	X(syn, 3)	/* request socket: SYN in, or it ended */	\
	X(child, 4)	/* request socket became a full socket */	\
	X(accept, 5)	/* accept() returned the socket */		\
	X(retrans, 6)	/* SYN, SYN-ACK or FIN retransmitted */		\
	X(rst, 7)	/* we sent an RST: tcp_send_active_reset() */	\
	X(timewait, 8)	/* timewait socket: born, FIN in, or died */

enum tcpwave_event {
#define TCPWAVE_EVENT_ENUM(name, value) TCPWAVE_EV_##name = value,
	TCPWAVE_EVENTS(TCPWAVE_EVENT_ENUM)
#undef TCPWAVE_EVENT_ENUM
	TCPWAVE_EV_MAX
};

/*
 * The "reason" column: set on every record whose newstate is CLOSE,
 * "-" (none) on all others.
 */
#define TCPWAVE_REASONS(X)	\
	X(none, 0)	/* not an end: printed as "-" */		\
	X(close, 1)	/* orderly: FINs done, or closed before data */	\
	X(rst_rcvd, 2)	/* RST received: ECONNRESET or EPIPE */		\
	X(rst_sent, 3)	/* we aborted: SO_LINGER 0, unread data, ... */	\
	X(refused, 4)	/* RST in reply to our SYN: ECONNREFUSED */	\
	X(timeout, 5)	/* retransmissions exhausted: ETIMEDOUT */	\
	X(error, 6)	/* any other socket error, e.g. ICMP */		\
	X(expired, 7)	/* timewait socket: its 2MSL timer fired */	\
	X(killed, 8)	/* timewait socket ended early */		\
	X(dropped, 9)	/* request socket dropped before the ACK */

enum tcpwave_reason {
#define TCPWAVE_REASON_ENUM(name, value) TCPWAVE_REASON_##name = value,
	TCPWAVE_REASONS(TCPWAVE_REASON_ENUM)
#undef TCPWAVE_REASON_ENUM
	TCPWAVE_REASON_MAX
};

/* Which of the sequence-number fields hold a value: tcpwave_record.have */
#define TCPWAVE_HAVE_SND_UNA	0x01
#define TCPWAVE_HAVE_SND_NXT	0x02
#define TCPWAVE_HAVE_RCV_NXT	0x04
#define TCPWAVE_HAVE_ISS	0x08
#define TCPWAVE_HAVE_IRS	0x10
#define TCPWAVE_HAVE_LINK	0x20

#define TCPWAVE_COMM_LEN	16	/* TASK_COMM_LEN */

/*
 * One state transition.  Addresses are in network byte order: 4 bytes
 * used for family 4, 16 for family 6 (IPv4-mapped included).  Ports are
 * in host byte order.  pid and comm are meaningful only when ctx is
 * TCPWAVE_CTX_task: in softirq the current task is a bystander.
 */
struct tcpwave_record {
	__u64 seq;
	__u64 ts_ns;
	__u64 cookie;
	__u32 netns;
	__u32 pid;
	__u32 cpu;
	__u16 lport;
	__u16 rport;
	__u8 family;		/* 4 or 6 */
	__u8 oldstate;		/* enum tcpwave_state */
	__u8 newstate;		/* enum tcpwave_state */
	__u8 ctx;		/* enum tcpwave_ctx */
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[TCPWAVE_COMM_LEN];
	/* Format 1.1 */
	__u64 link;		/* valid if have & TCPWAVE_HAVE_LINK */
	__u32 snd_una;
	__u32 snd_nxt;
	__u32 rcv_nxt;
	__u32 iss;
	__u32 irs;
	__u8 event;		/* enum tcpwave_event */
	__u8 reason;		/* enum tcpwave_reason */
	__u8 have;		/* TCPWAVE_HAVE_* */
	__u8 pad;
};

#endif /* TCPWAVE_ABI_H */

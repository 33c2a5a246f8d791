// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - selecting connection ends by family, ports, addresses,
 * owner, state and network namespace (filter.h).
 *
 * The option names and value syntax follow the tools users know: -4/-6
 * and -L/-D (local and remote port lists) as libbpf-tools' tcpstates, -p
 * as tcplife, -N NAME as ss (a name under /run/netns), state names as the
 * kernel prints them or as ss spells them ("time-wait").
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filter.h"
#include "fmt.h"
#include "parse.h"
#include "states.h"

#define TW_NETNS_DIR	"/run/netns"

/* ss's state names (misc/ss.c, sstate_namel), for the kernel's states. */
static const struct {
	const char *name;
	unsigned int state;
} tw_ss_states[] = {
	{ "established", TCPWAVE_ESTABLISHED },
	{ "syn-sent", TCPWAVE_SYN_SENT },
	{ "syn-recv", TCPWAVE_SYN_RECV },
	{ "fin-wait-1", TCPWAVE_FIN_WAIT1 },
	{ "fin-wait-2", TCPWAVE_FIN_WAIT2 },
	{ "time-wait", TCPWAVE_TIME_WAIT },
	{ "closed", TCPWAVE_CLOSE },
	{ "close-wait", TCPWAVE_CLOSE_WAIT },
	{ "last-ack", TCPWAVE_LAST_ACK },
	{ "listening", TCPWAVE_LISTEN },
	{ "closing", TCPWAVE_CLOSING },
};

/*
 * A state by its kernel name ("TIME_WAIT"), its ss name ("time-wait")
 * or its number.  Returns 0, or -1 if @s names no state.
 */
int tw_state_parse_any(const char *s, unsigned int *state)
{
	__u8 st;
	size_t i;

	for (i = 0; i < sizeof(tw_ss_states) / sizeof(tw_ss_states[0]); i++) {
		if (!strcmp(s, tw_ss_states[i].name)) {
			*state = tw_ss_states[i].state;
			return 0;
		}
	}
	if (tw_state_parse(s, &st) || st >= 32)
		return -1;
	*state = st;
	return 0;
}

/*
 * Split @arg at commas and hand each item to @one.  An empty item
 * ("80,,443", a trailing comma) is an error, as is an empty @arg.
 */
static int tw_each_item(const char *arg, int (*one)(void *, const char *),
			void *data)
{
	char *copy = strdup(arg), *item, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	if (!*arg || arg[strlen(arg) - 1] == ',' || *arg == ',' ||
	    strstr(arg, ",,"))
		ret = -EINVAL;
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = one(data, item);
	free(copy);
	return ret;
}

struct tw_ports {
	__u16 **ports;
	size_t *n;
};

static int tw_add_port(void *data, const char *s)
{
	struct tw_ports *p = data;
	unsigned long long v;

	if (tw_parse_u64(s, 10, 65535, &v))
		return -EINVAL;
	*p->ports = tw_xrealloc(*p->ports, *p->n + 1, sizeof(**p->ports));
	(*p->ports)[(*p->n)++] = v;
	return 0;
}

static int tw_add_pid(void *data, const char *s)
{
	struct tw_filter *f = data;
	unsigned long long v;

	if (tw_parse_u64(s, 10, 0xffffffffULL, &v) || !v)
		return -EINVAL;
	f->pids = tw_xrealloc(f->pids, f->npids + 1, sizeof(*f->pids));
	f->pids[f->npids++] = v;
	return 0;
}

static int tw_add_state(void *data, const char *s)
{
	struct tw_filter *f = data;
	unsigned int st;

	if (tw_state_parse_any(s, &st))
		return -EINVAL;
	f->states |= 1u << st;
	return 0;
}

/* "ADDR" or "ADDR/LEN"; IPv6 may be written in brackets, as we print it. */
static int tw_parse_prefix(const char *s, struct tw_prefix *p)
{
	char a[INET6_ADDRSTRLEN + 2];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long long len;
	char *start = a;

	if (!n || n >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, n);
	a[n] = '\0';
	if (a[0] == '[' && a[n - 1] == ']') {
		a[n - 1] = '\0';
		start++;
	}
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, start, p->addr) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, start, p->addr) == 1)
		p->family = 6;
	else
		return -EINVAL;
	p->len = p->family == 4 ? 32 : 128;
	if (slash) {
		if (tw_parse_u64(slash + 1, 10, p->len, &len))
			return -EINVAL;
		p->len = len;
	}
	return 0;
}

static int tw_add_prefix(struct tw_prefix **v, size_t *n, const char *s)
{
	struct tw_prefix p;

	if (tw_parse_prefix(s, &p))
		return -EINVAL;
	*v = tw_xrealloc(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = p;
	return 0;
}

static int tw_add_laddr(void *data, const char *s)
{
	struct tw_filter *f = data;

	return tw_add_prefix(&f->laddrs, &f->nladdrs, s);
}

static int tw_add_raddr(void *data, const char *s)
{
	struct tw_filter *f = data;

	return tw_add_prefix(&f->raddrs, &f->nraddrs, s);
}

/*
 * A network namespace as the records name it, by inode number: a number
 * is taken as it is, a path (containing '/') is stat()ed, anything else
 * is a name under /run/netns, where "ip netns add" binds them.
 */
static int tw_parse_netns(const char *s, __u32 *ino, char *err,
			  size_t errlen)
{
	unsigned long long v;
	char path[4096];
	struct stat st;

	if (!tw_parse_u64(s, 10, 0xffffffffULL, &v)) {
		*ino = v;
		return 0;
	}
	if (strchr(s, '/'))
		snprintf(path, sizeof(path), "%s", s);
	else if (snprintf(path, sizeof(path), TW_NETNS_DIR "/%s", s) >=
		 (int)sizeof(path))
		return -EINVAL;
	if (stat(path, &st)) {
		snprintf(err, errlen, "network namespace '%s': %s: %s", s,
			 path, strerror(errno));
		return -ENOENT;
	}
	*ino = st.st_ino;
	return 0;
}

/*
 * Apply one filter option.  Returns 0, or a negative errno with a message
 * in @err: -EINVAL for a bad value, -ENOENT for a namespace not found.
 */
int tw_filter_option(struct tw_filter *f, int opt, const char *arg,
		     char *err, size_t errlen)
{
	struct tw_ports lp = { &f->lports, &f->nlports };
	struct tw_ports rp = { &f->rports, &f->nrports };
	const char *what;
	int ret;

	switch (opt) {
	case TW_FOPT_IPV4:
		f->families |= TW_FAMILY_4;	/* "-4 -6": both, as in ss */
		return 0;
	case TW_FOPT_IPV6:
		f->families |= TW_FAMILY_6;
		return 0;
	case TW_FOPT_LPORT:
		what = "local port";
		ret = tw_each_item(arg, tw_add_port, &lp);
		break;
	case TW_FOPT_RPORT:
		what = "remote port";
		ret = tw_each_item(arg, tw_add_port, &rp);
		break;
	case TW_FOPT_PID:
		what = "pid";
		ret = tw_each_item(arg, tw_add_pid, f);
		break;
	case TW_FOPT_LADDR:
		what = "local address";
		ret = tw_each_item(arg, tw_add_laddr, f);
		break;
	case TW_FOPT_RADDR:
		what = "remote address";
		ret = tw_each_item(arg, tw_add_raddr, f);
		break;
	case TW_FOPT_STATE:
		what = "state";
		ret = tw_each_item(arg, tw_add_state, f);
		break;
	case TW_FOPT_COMM:
		what = "task name";
		ret = *arg && strlen(arg) < TCPWAVE_COMM_LEN ? 0 : -EINVAL;
		if (!ret) {
			free(f->comm);
			f->comm = strdup(arg);
		}
		break;
	case TW_FOPT_NETNS:
		f->has_netns = true;
		*err = '\0';
		ret = tw_parse_netns(arg, &f->netns, err, errlen);
		if (ret && !*err)
			snprintf(err, errlen, "bad network namespace '%s'",
				 arg);
		return ret;
	default:
		return -EINVAL;
	}
	if (ret)
		snprintf(err, errlen, "bad %s '%s'", what, arg);
	return ret;
}

void tw_filter_free(struct tw_filter *f)
{
	free(f->lports);
	free(f->rports);
	free(f->laddrs);
	free(f->raddrs);
	free(f->pids);
	free(f->comm);
	memset(f, 0, sizeof(*f));
}

bool tw_filter_active(const struct tw_filter *f)
{
	return f->families || f->nlports || f->nrports || f->nladdrs ||
	       f->nraddrs || f->npids || f->comm || f->states || f->has_netns;
}

static bool tw_port_in(const __u16 *v, size_t n, unsigned int port)
{
	size_t i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (v[i] == port)
			return true;
	return false;
}

static bool tw_mapped(const __u8 *a)
{
	static const __u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

/* The first @bits bits of @a and @b are equal. */
static bool tw_bits_equal(const __u8 *a, const __u8 *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;
	__u8 mask = rest ? 0xff << (8 - rest) : 0;

	if (memcmp(a, b, bytes))
		return false;
	return !rest || !((a[bytes] ^ b[bytes]) & mask);
}

/*
 * Whether an address of @family is in @p.  An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is the IPv4 address it maps, for IPv4 prefixes.
 */
static bool tw_prefix_has(const struct tw_prefix *p, unsigned int family,
			  const __u8 *addr)
{
	if (p->family == 4 && family == 6 && tw_mapped(addr))
		return tw_bits_equal(p->addr, addr + 12, p->len);
	if (p->family != family)
		return false;
	return tw_bits_equal(p->addr, addr, p->len);
}

static bool tw_addr_in(const struct tw_prefix *v, size_t n,
		       unsigned int family, const __u8 *addr)
{
	size_t i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (tw_prefix_has(&v[i], family, addr))
			return true;
	return false;
}

/* Whether the end @e passes every option of @f. */
bool tw_filter_match(const struct tw_filter *f, const struct tw_filter_end *e)
{
	size_t i;

	if (f->families &&
	    !(f->families & (e->family == 4 ? TW_FAMILY_4 : TW_FAMILY_6)))
		return false;
	if (!tw_port_in(f->lports, f->nlports, e->lport) ||
	    !tw_port_in(f->rports, f->nrports, e->rport))
		return false;
	if (!tw_addr_in(f->laddrs, f->nladdrs, e->family, e->laddr) ||
	    !tw_addr_in(f->raddrs, f->nraddrs, e->family, e->raddr))
		return false;
	if (f->has_netns && e->netns != f->netns)
		return false;
	if (f->states && !(f->states & e->states))
		return false;
	if ((f->npids || f->comm) && !e->has_owner)
		return false;
	if (f->comm && strncmp(f->comm, e->comm, TCPWAVE_COMM_LEN))
		return false;
	if (!f->npids)
		return true;
	for (i = 0; i < f->npids; i++)
		if (f->pids[i] == e->pid)
			return true;
	return false;
}

/*
 * The end as record @r shows it (its tuple, its new state), owned by the
 * task of record @owner, if any.
 */
void tw_filter_end_rec(struct tw_filter_end *e,
		       const struct tcpwave_record *r,
		       const struct tcpwave_record *owner)
{
	memset(e, 0, sizeof(*e));
	e->family = r->family;
	e->laddr = r->laddr;
	e->raddr = r->raddr;
	e->lport = r->lport;
	e->rport = r->rport;
	e->netns = r->netns;
	if (r->newstate < 32)
		e->states = 1u << r->newstate;
	if (owner) {
		e->has_owner = true;
		e->pid = owner->pid;
		e->comm = owner->comm;
	}
}

/* A socket of a capture: its tuple, its owner, every state it was in. */
bool tw_filter_sock(const struct tw_filter *f, const struct tw_sock *sk)
{
	struct tw_filter_end e;
	size_t i;

	if (!sk)
		return false;
	tw_filter_end_rec(&e, sk->tuple ? sk->tuple : sk->recs[0],
			  tw_sock_owner(sk));
	e.states = 0;
	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i];

		if (r->oldstate < 32 && r->event != TCPWAVE_EV_syn)
			e.states |= 1u << r->oldstate;
		if (r->newstate < 32)
			e.states |= 1u << r->newstate;
	}
	return tw_filter_match(f, &e);
}

bool tw_filter_conn(const struct tw_filter *f, const struct tw_conn *c)
{
	return tw_filter_sock(f, c->client) || tw_filter_sock(f, c->server);
}

/*
 * Keep only the connections that pass @f, in their order.  The numbers
 * users see (-c ID) are the positions after filtering, so "-L 80 -c 2"
 * is the second connection on port 80.
 */
void tw_filter_conns(const struct tw_filter *f, struct tw_conns *c)
{
	size_t i, n = 0;

	if (!tw_filter_active(f))
		return;
	for (i = 0; i < c->nconns; i++)
		if (tw_filter_conn(f, &c->conns[i]))
			c->conns[n++] = c->conns[i];
	c->nconns = n;
}

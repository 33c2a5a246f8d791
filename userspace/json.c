// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - records, connections and losses as JSON objects (JSON Lines).
 *
 * The facts are the ones the text views show, computed by the same
 * functions of conn.c (owner, handshake, TIME_WAIT, close reason, lost
 * records), so that "--list" and "--json" can never disagree.  A field
 * the record does not hold ("-" in the capture, or a column format 1.0
 * did not have) is null, never 0: 0 is a real sequence number.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "states.h"

/* Out of memory leaves nothing useful to do, as in tw_xrealloc(). */
static void __attribute__((noreturn)) tw_json_oom(void)
{
	fputs("tcpwave: out of memory\n", stderr);
	exit(1);
}

/* @j, a value jansson just built, or the end on out of memory. */
static json_t *tw_json_new(json_t *j)
{
	if (!j)
		tw_json_oom();
	return j;
}

/* obj[@key] = @val, taking over the reference to @val. */
static void tw_json_set(json_t *obj, const char *key, json_t *val)
{
	if (!val || json_object_set_new(obj, key, val))
		tw_json_oom();
}

static void tw_json_push(json_t *arr, json_t *val)
{
	if (!val || json_array_append_new(arr, val))
		tw_json_oom();
}

/*
 * Length of the UTF-8 sequence that starts @s (@n bytes available), or
 * 0 when no valid one does.  Valid is RFC 3629 section 4 (Unicode's
 * table 3-7): no overlong forms, no surrogates U+D800..U+DFFF, nothing
 * above U+10FFFF.  Jansson refuses any string that is not.
 */
static size_t tw_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong below U+0800 */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;	/* 0x80..0xc1: continuation or overlong */
	}
	if (len > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/**
 * tw_json_bytes() - untrusted bytes as a JSON string
 * @s: the bytes (a comm: any byte but NUL); NULL gives JSON null
 * @max: read at most this many bytes, fewer if a NUL comes first
 *
 * A comm is whatever a process wrote with prctl(PR_SET_NAME), and JSON
 * strings (RFC 8259 section 8.1) and jansson want valid UTF-8.  Every
 * valid UTF-8 sequence is kept as it is; every byte that does not start
 * one is replaced by U+FFFD, one U+FFFD per byte, so that the length of
 * the original stays visible.  Control characters are valid UTF-8 and
 * kept: jansson writes them as \u0001 (\n, \t and friends as such), and
 * quotes and backslashes as \" and \\.
 *
 * Return: a new reference to a JSON string, or to null for NULL @s.
 */
json_t *tw_json_bytes(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i = 0, len = 0, k;
	json_t *j;
	char *buf;

	if (!s)
		return tw_json_new(json_null());
	n = strnlen(s, max);
	/* U+FFFD is 3 bytes of UTF-8: the most one input byte becomes. */
	buf = tw_xrealloc(NULL, n, 3);
	while (i < n) {
		k = tw_utf8_len(u + i, n - i);
		if (k) {
			memcpy(buf + len, u + i, k);
			len += k;
			i += k;
		} else {
			memcpy(buf + len, "\xef\xbf\xbd", 3);
			len += 3;
			i++;
		}
	}
	j = json_stringn(buf, len);
	free(buf);
	return tw_json_new(j);
}

/**
 * tw_json_u64() - an unsigned 64-bit count as a JSON integer
 * @v: the value
 *
 * jansson's json_int_t is a long long.  No real module writes a value
 * above 2^63 - 1 (292 years of CLOCK_MONOTONIC nanoseconds, or as many
 * records); a damaged capture's larger one is null, never negative.
 *
 * Return: a new reference to an integer, or to null.
 */
json_t *tw_json_u64(__u64 v)
{
	if (v > INT64_MAX)
		return tw_json_new(json_null());
	return tw_json_new(json_integer((json_int_t)v));
}

/* A 32-bit field that the record holds when @have has @bit, else null. */
static json_t *tw_json_have(const struct tcpwave_record *r, __u8 bit,
			    __u32 v)
{
	if (!(r->have & bit))
		return tw_json_new(json_null());
	return tw_json_new(json_integer(v));
}

static json_t *tw_json_str(const char *s)
{
	return tw_json_new(json_string(s));
}

/* A cookie as the module and "ss -e" spell it: hex, not a number. */
static json_t *tw_json_cookie(__u64 cookie)
{
	char ck[TW_COOKIE_STRLEN];

	return tw_json_str(tw_fmt_cookie(ck, cookie));
}

/* The address alone: the port has a key of its own. */
static json_t *tw_json_addr(unsigned int family, const __u8 *addr)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
		return tw_json_new(json_null());
	return tw_json_str(a);
}

/* A state's kernel name, or its number as a string ("13"). */
static json_t *tw_json_state(unsigned int state)
{
	char s[TW_STATE_STRLEN];

	return tw_json_str(tw_state_str(state, s));
}

/*
 * An event or reason name this viewer does not know came from a newer
 * module; the parser kept the record but not the name.
 */
static json_t *tw_json_name(const char *name)
{
	return tw_json_str(name ? name : "unknown");
}

static json_t *tw_json_reason(unsigned int reason)
{
	if (reason == TCPWAVE_REASON_none)
		return tw_json_new(json_null());
	return tw_json_name(tw_reason_name(reason));
}

/**
 * tw_json_record() - one record as a "transition" object
 * @r: the record
 *
 * Keys in the order of the /proc/tcpwave columns.  pid and comm are
 * null unless the record was taken in task context: in softirq the
 * current task is a bystander.  reason is null unless the transition
 * ended the socket; snd_una through link are null where the capture has
 * "-", which is every record of a format 1.0 capture.  There, event is
 * "state": every 1.0 record was a tcp_set_state().
 *
 * Return: a new reference to the object.
 */
json_t *tw_json_record(const struct tcpwave_record *r)
{
	json_t *o = tw_json_new(json_object());
	bool task = r->ctx == TCPWAVE_CTX_task;
	const char *ctx = tw_ctx_name(r->ctx);
	char n[TW_STATE_STRLEN];

	tw_json_set(o, "type", tw_json_str("transition"));
	tw_json_set(o, "seq", tw_json_u64(r->seq));
	tw_json_set(o, "ts_ns", tw_json_u64(r->ts_ns));
	tw_json_set(o, "cpu", json_integer(r->cpu));
	tw_json_set(o, "cookie", tw_json_cookie(r->cookie));
	tw_json_set(o, "netns", json_integer(r->netns));
	tw_json_set(o, "family", json_integer(r->family));
	tw_json_set(o, "laddr", tw_json_addr(r->family, r->laddr));
	tw_json_set(o, "lport", json_integer(r->lport));
	tw_json_set(o, "raddr", tw_json_addr(r->family, r->raddr));
	tw_json_set(o, "rport", json_integer(r->rport));
	tw_json_set(o, "oldstate", tw_json_state(r->oldstate));
	tw_json_set(o, "newstate", tw_json_state(r->newstate));
	if (!ctx) {
		snprintf(n, sizeof(n), "%u", r->ctx);
		ctx = n;
	}
	tw_json_set(o, "ctx", tw_json_str(ctx));
	tw_json_set(o, "pid", task ? json_integer(r->pid) : json_null());
	tw_json_set(o, "comm", tw_json_bytes(task ? r->comm : NULL,
					     sizeof(r->comm)));
	tw_json_set(o, "event", tw_json_name(tw_event_name(r->event)));
	tw_json_set(o, "reason", tw_json_reason(r->reason));
	tw_json_set(o, "snd_una",
		    tw_json_have(r, TCPWAVE_HAVE_SND_UNA, r->snd_una));
	tw_json_set(o, "snd_nxt",
		    tw_json_have(r, TCPWAVE_HAVE_SND_NXT, r->snd_nxt));
	tw_json_set(o, "rcv_nxt",
		    tw_json_have(r, TCPWAVE_HAVE_RCV_NXT, r->rcv_nxt));
	tw_json_set(o, "iss", tw_json_have(r, TCPWAVE_HAVE_ISS, r->iss));
	tw_json_set(o, "irs", tw_json_have(r, TCPWAVE_HAVE_IRS, r->irs));
	tw_json_set(o, "link", r->have & TCPWAVE_HAVE_LINK ?
		    tw_json_cookie(r->link) : json_null());
	return o;
}

static const char *tw_role_name(enum tw_role role)
{
	switch (role) {
	case TW_ROLE_ACTIVE:
		return "active";
	case TW_ROLE_PASSIVE:
		return "passive";
	default:
		return "unknown";
	}
}

/*
 * The states @sk went through, in order, each once per stay: from the
 * one it was first seen in (tw_sock_first_state()), then every state a
 * record leaves or enters.  A record that leaves a state other than the
 * last one listed follows lost records: the state it leaves is listed
 * too, since the socket was in it.  A syn record's old state is its
 * listener's LISTEN, not the request socket's.
 */
static json_t *tw_json_states(const struct tw_sock *sk)
{
	json_t *a = tw_json_new(json_array());
	unsigned int last = tw_sock_first_state(sk);
	bool first = true;
	size_t i;

	tw_json_push(a, tw_json_state(last));
	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i];

		if (!tw_rec_known(r))
			continue;
		/* The first one's old state is the first state, or CLOSE. */
		if (!first && r->oldstate != last &&
		    r->event != TCPWAVE_EV_syn) {
			last = r->oldstate;
			tw_json_push(a, tw_json_state(last));
		}
		if (r->newstate != last) {
			last = r->newstate;
			tw_json_push(a, tw_json_state(last));
		}
		first = false;
	}
	return a;
}

/* Who called connect(), accept() or listen(): tw_sock_owner(). */
static json_t *tw_json_owner(const struct tw_sock *sk)
{
	const struct tcpwave_record *r = tw_sock_owner(sk);
	json_t *o;

	if (!r)
		return tw_json_new(json_null());
	o = tw_json_new(json_object());
	tw_json_set(o, "pid", json_integer(r->pid));
	tw_json_set(o, "comm", tw_json_bytes(r->comm, sizeof(r->comm)));
	return o;
}

/* One end of a connection: a socket, its owner, its path, its records. */
static json_t *tw_json_end(const struct tw_sock *sk)
{
	const struct tcpwave_record *r, *end;
	json_t *o, *tr;
	size_t i;

	if (!sk)
		return tw_json_new(json_null());
	r = sk->tuple;
	end = tw_sock_end(sk);
	o = tw_json_new(json_object());
	tw_json_set(o, "cookie", tw_json_cookie(sk->cookie));
	tw_json_set(o, "family", json_integer(r->family));
	tw_json_set(o, "laddr", tw_json_addr(r->family, r->laddr));
	tw_json_set(o, "lport", json_integer(r->lport));
	tw_json_set(o, "raddr", tw_json_addr(r->family, r->raddr));
	tw_json_set(o, "rport", json_integer(r->rport));
	tw_json_set(o, "netns", json_integer(r->netns));
	tw_json_set(o, "role", tw_json_str(tw_role_name(sk->role)));
	tw_json_set(o, "owner", tw_json_owner(sk));
	tw_json_set(o, "states", tw_json_states(sk));
	tw_json_set(o, "reason", end ? tw_json_reason(end->reason) :
		    json_null());
	tw_json_set(o, "iss", sk->has_iss ? json_integer(sk->iss) :
		    json_null());
	tw_json_set(o, "irs", sk->has_irs ? json_integer(sk->irs) :
		    json_null());
	tw_json_set(o, "req_cookie", sk->has_req ?
		    tw_json_cookie(sk->req_cookie) : json_null());
	tw_json_set(o, "listener_cookie", sk->has_lcookie ?
		    tw_json_cookie(sk->lcookie) : json_null());
	tr = tw_json_new(json_array());
	for (i = 0; i < sk->nrecs; i++)
		tw_json_push(tr, tw_json_record(sk->recs[i]));
	tw_json_set(o, "transitions", tr);
	return o;
}

/*
 * The client's view of the handshake, or the server's without it: the
 * HANDSHAKE-MS column of "--list" (list.c), by tw_sock_handshake().
 */
static json_t *tw_json_handshake(const struct tw_conn *c)
{
	__u64 ns;

	if ((c->client && tw_sock_handshake(c->client, &ns)) ||
	    (c->server && !c->listener && tw_sock_handshake(c->server, &ns)))
		return tw_json_u64(ns);
	return tw_json_new(json_null());
}

/**
 * tw_json_conn() - one connection as a "connection" object
 * @c: the connection, from tw_conns_build()
 * @id: its number, as "--list" and "--conn" number it (from 1)
 * @t: the capture it was built from, for the records lost inside it
 *
 * client and server are null for an end that was not traced.  Times are
 * nanoseconds of CLOCK_MONOTONIC (ts_ns) and spans in nanoseconds;
 * handshake_ns and time_wait_ns are null when the connection had none
 * that was recorded whole.
 *
 * Return: a new reference to the object.
 */
json_t *tw_json_conn(const struct tw_conn *c, size_t id,
		     const struct tw_trace *t)
{
	json_t *o = tw_json_new(json_object());
	__u64 ns;

	tw_json_set(o, "type", tw_json_str("connection"));
	tw_json_set(o, "id", tw_json_u64(id));
	tw_json_set(o, "client", tw_json_end(c->client));
	tw_json_set(o, "server", tw_json_end(c->server));
	tw_json_set(o, "listener", json_boolean(c->listener));
	tw_json_set(o, "self", json_boolean(c->self));
	tw_json_set(o, "first_ts_ns", tw_json_u64(c->first_ts));
	tw_json_set(o, "last_ts_ns", tw_json_u64(c->last_ts));
	tw_json_set(o, "duration_ns", tw_json_u64(c->last_ts - c->first_ts));
	tw_json_set(o, "handshake_ns", tw_json_handshake(c));
	tw_json_set(o, "time_wait_ns", tw_conn_time_wait(c, &ns) ?
		    tw_json_u64(ns) : json_null());
	tw_json_set(o, "lost", tw_json_u64(tw_conn_lost(c, t)));
	tw_json_set(o, "lost_before", tw_json_u64(tw_conn_lost_before(c, t)));
	tw_json_set(o, "records", tw_json_u64(c->nrecs));
	return o;
}

/**
 * tw_json_lost() - a "lost" object: the reader fell behind the ring
 * @count: records overwritten before they were read ("# lost N")
 * @before_seq: seq of the first record read after them, or 0 when none
 *	was (the loss is the last thing read); 0 is never a valid value,
 *	since nothing can be lost before the first record
 *
 * Return: a new reference to {"type":"lost","count":N,"before_seq":N},
 * before_seq null for 0.
 */
json_t *tw_json_lost(__u64 count, __u64 before_seq)
{
	json_t *o = tw_json_new(json_object());

	tw_json_set(o, "type", tw_json_str("lost"));
	tw_json_set(o, "count", tw_json_u64(count));
	tw_json_set(o, "before_seq", before_seq ? tw_json_u64(before_seq) :
		    json_null());
	return o;
}

/**
 * tw_json_print() - write one object as one line of JSON Lines
 * @f: where to
 * @obj: the object; its reference is taken over (even on error)
 *
 * Compact, one line, "\n" at its end; strings are UTF-8 as built.
 *
 * Return: 0, or -1 when writing failed (ferror(@f) says why, and
 * tw_out_close() reports it).
 */
int tw_json_print(FILE *f, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	int ret = 0;

	json_decref(obj);
	if (!s)
		tw_json_oom();
	if (fputs(s, f) == EOF || fputc('\n', f) == EOF)
		ret = -1;
	free(s);
	return ret;
}

/**
 * tw_json_capture() - "--json" for a whole capture (ladders and --list)
 * @f: where to
 * @c: the connections, filters applied
 * @t: the capture
 * @v: the view: only @v->only when that is set
 *
 * A "lost" object for each "# lost N" of the capture, in order, then a
 * "connection" object for each connection.
 *
 * Return: 0, or -1 on a write error (the rest is not written).
 */
int tw_json_capture(FILE *f, const struct tw_conns *c,
		    const struct tw_trace *t, const struct tw_view *v)
{
	size_t i;

	for (i = 0; i < t->nlost; i++) {
		const struct tw_lost *l = &t->lost[i];
		__u64 next = l->before < t->nrecs ? t->recs[l->before].seq : 0;

		if (tw_json_print(f, tw_json_lost(l->count, next)))
			return -1;
	}
	for (i = 0; i < c->nconns; i++) {
		if (v->only && v->only != i + 1)
			continue;
		if (tw_json_print(f, tw_json_conn(&c->conns[i], i + 1, t)))
			return -1;
	}
	return 0;
}

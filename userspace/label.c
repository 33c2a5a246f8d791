// SPDX-License-Identifier: GPL-2.0
/*
 * label.c - the numbers on a segment.
 *
 * A label shows what a textbook shows for each kind of segment: SYN
 * seq=x, SYN+ACK seq=y ack=x+1, ACK ack=y+1, FIN seq=u, RST seq=v,
 * RST+ACK ack=x+1.  The numbers are absolute (RFC 9293 section 3.3.1)
 * and all arithmetic on them is modulo 2^32, in __u32.
 *
 * A segment's numbers come from the record of the transition that sent
 * it, where the module took SND.UNA, SND.NXT and RCV.NXT just before
 * the segment left.  When the receiver is traced its record may know
 * better (a FIN's sequence number, see tw_label_confirm()), and when
 * the sender is not traced the receiver's record is all there is: what
 * a segment did to the receiver tells what it carried.
 */
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "label.h"

static void tw_set_seq(struct tw_segment *s, __u32 seq)
{
	s->seq = seq;
	s->has_seq = true;
}

static void tw_set_ack(struct tw_segment *s, __u32 ack)
{
	s->ack = ack;
	s->has_ack = true;
}

static bool tw_has(const struct tcpwave_record *r, __u8 bit)
{
	return r->have & bit;
}

/*
 * Sent by the transition of @r on @sk; @got is the segment that made
 * the transition, if it was one.
 */
void tw_label_sent(struct tw_segment *s, const struct tcpwave_record *r,
		   const struct tw_sock *sk, const struct tw_segment *got)
{
	switch (s->kind) {
	case TW_SEG_SYN:
		/* tcp_connect(): the SYN carries the ISS. */
		if (tw_has(r, TCPWAVE_HAVE_ISS))
			tw_set_seq(s, r->iss);
		else if (tw_has(r, TCPWAVE_HAVE_SND_UNA))
			tw_set_seq(s, r->snd_una);
		else if (sk->has_iss)
			tw_set_seq(s, sk->iss);
		break;
	case TW_SEG_SYNACK:
		if (tw_has(r, TCPWAVE_HAVE_ISS) &&
		    tw_has(r, TCPWAVE_HAVE_IRS)) {
			/* A request socket's, tcp_make_synack(). */
			tw_set_seq(s, r->iss);
			tw_set_ack(s, r->irs + 1);
			break;
		}
		/*
		 * A full socket's, in a simultaneous open: its SYN again,
		 * now acknowledging the peer's.  tcp_rcv_synsent_state_process()
		 * sets RCV.NXT only after the transition, so the ACK comes
		 * from the SYN that arrived, or from a later retransmission.
		 */
		if (tw_has(r, TCPWAVE_HAVE_SND_UNA))
			tw_set_seq(s, r->snd_una);
		else if (sk->has_iss)
			tw_set_seq(s, sk->iss);
		if (got && got->kind == TW_SEG_SYN && got->has_seq)
			tw_set_ack(s, got->seq + 1);
		else if (r->event == TCPWAVE_EV_retrans &&
			 tw_has(r, TCPWAVE_HAVE_RCV_NXT))
			tw_set_ack(s, r->rcv_nxt);
		break;
	case TW_SEG_ACK:
		if (tw_has(r, TCPWAVE_HAVE_RCV_NXT))
			tw_set_ack(s, r->rcv_nxt);
		break;
	case TW_SEG_FIN:
		/*
		 * tcp_send_fin() queues the FIN after any unsent data, so
		 * SND.NXT is its number only if nothing was left unsent:
		 * tw_label_confirm() corrects it from the receiver.  A
		 * retransmission comes after the FIN left: SND.NXT - 1.
		 */
		if (!tw_has(r, TCPWAVE_HAVE_SND_NXT))
			break;
		tw_set_seq(s, r->event == TCPWAVE_EV_retrans ?
			   r->snd_nxt - 1 : r->snd_nxt);
		break;
	case TW_SEG_RST:
		/* tcp_send_active_reset(): tcp_acceptable_seq(), SND.NXT. */
		if (tw_has(r, TCPWAVE_HAVE_SND_NXT))
			tw_set_seq(s, r->snd_nxt);
		break;
	default:
		break;
	}
}

/*
 * Received by the transition of @r on @sk, from a sender we did not
 * trace: the numbers as the receiver's state shows them.
 */
void tw_label_received(struct tw_segment *s, const struct tcpwave_record *r,
		       const struct tw_sock *sk)
{
	switch (s->kind) {
	case TW_SEG_SYN:
		/* A SYN's sequence number becomes our IRS. */
		if (tw_has(r, TCPWAVE_HAVE_IRS))
			tw_set_seq(s, r->irs);
		break;
	case TW_SEG_SYNACK:
		/* It set RCV.NXT to its seq + 1 and acknowledged our SYN. */
		if (tw_has(r, TCPWAVE_HAVE_RCV_NXT))
			tw_set_seq(s, r->rcv_nxt - 1);
		if (tw_has(r, TCPWAVE_HAVE_SND_UNA))
			tw_set_ack(s, r->snd_una);
		break;
	case TW_SEG_ACK:
		/*
		 * It moved SND.UNA up to its ack.  A timewait socket keeps
		 * no SND.UNA; it gets there only once all it sent, FIN
		 * included, is acknowledged: SND.NXT.
		 */
		if (tw_has(r, TCPWAVE_HAVE_SND_UNA))
			tw_set_ack(s, r->snd_una);
		else if (r->event == TCPWAVE_EV_timewait &&
			 tw_has(r, TCPWAVE_HAVE_SND_NXT))
			tw_set_ack(s, r->snd_nxt);
		break;
	case TW_SEG_FIN:
		/* tcp_data_queue() moved RCV.NXT past it before tcp_fin(). */
		if (tw_has(r, TCPWAVE_HAVE_RCV_NXT))
			tw_set_seq(s, r->rcv_nxt - 1);
		break;
	case TW_SEG_RST:
		/* Only an RST at exactly RCV.NXT resets (RFC 5961 3.2). */
		if (tw_has(r, TCPWAVE_HAVE_RCV_NXT))
			tw_set_seq(s, r->rcv_nxt);
		break;
	case TW_SEG_RSTACK:
		/*
		 * tcp_v4_send_reset() to a SYN: seq 0, ack = the SYN's
		 * seq + 1.  SND.UNA is still the ISS in SYN_SENT.
		 */
		if (sk->has_iss)
			tw_set_ack(s, sk->iss + 1);
		else if (tw_has(r, TCPWAVE_HAVE_SND_UNA))
			tw_set_ack(s, r->snd_una + 1);
		break;
	default:
		break;
	}
}

/*
 * Received by @r, sent by a traced socket: keep the sender's numbers,
 * fill in what it lacked from the receiver's, and take a FIN's from
 * the receiver: RCV.NXT - 1 there is exactly where the FIN sat, while
 * the sender's SND.NXT misses any data still queued ahead of it.
 */
void tw_label_confirm(struct tw_segment *s, const struct tcpwave_record *r,
		      const struct tw_sock *sk)
{
	struct tw_segment rx = { .kind = s->kind };

	tw_label_received(&rx, r, sk);
	if (rx.has_seq && (!s->has_seq || s->kind == TW_SEG_FIN))
		tw_set_seq(s, rx.seq);
	if (rx.has_ack && !s->has_ack)
		tw_set_ack(s, rx.ack);
}

/* Which numbers each kind shows: what the textbook ladder shows. */
static void tw_label_shows(enum tw_seg kind, bool *seq, bool *ack)
{
	*seq = kind == TW_SEG_SYN || kind == TW_SEG_SYNACK ||
	       kind == TW_SEG_FIN || kind == TW_SEG_RST;
	*ack = kind == TW_SEG_SYNACK || kind == TW_SEG_ACK ||
	       kind == TW_SEG_RSTACK;
}

/* "00" to "99": two digits a division. */
static const char tw_digit_pairs[] =
	"00010203040506070809"
	"10111213141516171819"
	"20212223242526272829"
	"30313233343536373839"
	"40414243444546474849"
	"50515253545556575859"
	"60616263646566676869"
	"70717273747576777879"
	"80818283848586878889"
	"90919293949596979899";

/*
 * The decimal digits of @v, written backwards to end at @end: returns
 * where they start.  Two at a time, as the labels' 10-digit numbers and
 * the ladders' times have many.
 */
char *tw_digits(char *end, unsigned long long v)
{
	while (v >= 100) {
		end -= 2;
		memcpy(end, tw_digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, tw_digit_pairs + 2 * v, 2);
	} else {
		*--end = '0' + v;
	}
	return end;
}

/*
 * Appends " seq=" or " ack=" (@what) and @v in decimal at buf + @n;
 * returns the new length.
 */
static size_t tw_label_num(char *buf, size_t n, const char *what, __u32 v)
{
	char d[TW_DIGITS_MAX], *p = tw_digits(d + sizeof(d), v);
	size_t k = d + sizeof(d) - p;

	memcpy(buf + n, what, 5);
	memcpy(buf + n + 5, p, k);
	return n + 5 + k;
}

/*
 * The label of @s into @buf, and its length: without snprintf() or
 * strlen(), as every segment of every ladder comes here.  A name and
 * two numbers always fit: " seq=" and 10 digits, twice.
 */
size_t tw_label_len(char buf[TW_LABEL_STRLEN], const struct tw_segment *s)
{
	const char *name = tw_seg_name(s->kind);
	size_t n = strlen(name);
	bool seq, ack;

	tw_label_shows(s->kind, &seq, &ack);
	memcpy(buf, name, n);
	if (seq && s->has_seq)
		n = tw_label_num(buf, n, " seq=", s->seq);
	if (ack && s->has_ack)
		n = tw_label_num(buf, n, " ack=", s->ack);
	buf[n] = '\0';
	return n;
}

const char *tw_label(char buf[TW_LABEL_STRLEN], const struct tw_segment *s)
{
	tw_label_len(buf, s);
	return buf;
}

/*
 * The width a label may take, every number as wide as 2^32 - 1: ISNs
 * are random, and a ladder's layout should not change with them.
 */
size_t tw_label_width(const struct tw_segment *s)
{
	static const size_t num = sizeof(" seq=4294967295") - 1;
	size_t w = strlen(tw_seg_name(s->kind));
	bool seq, ack;

	tw_label_shows(s->kind, &seq, &ack);
	if (seq && s->has_seq)
		w += num;
	if (ack && s->has_ack)
		w += num;
	return w;
}

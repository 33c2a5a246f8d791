/* SPDX-License-Identifier: GPL-2.0 */
/*
 * label.h - a segment's sequence numbers, worked out from the records of
 * its sender and receiver, and its label: "SYN+ACK seq=y ack=x+1".
 */
#ifndef TW_LABEL_H
#define TW_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "segments.h"
#include "tcpwave_abi.h"

struct tw_segment {
	enum tw_seg kind;
	bool has_seq;
	bool has_ack;
	__u32 seq;
	__u32 ack;
};

/* "SYN+ACK seq=4294967295 ack=4294967295" and its NUL */
#define TW_LABEL_STRLEN	48

void tw_label_sent(struct tw_segment *s, const struct tcpwave_record *r,
		   const struct tw_sock *sk, const struct tw_segment *got);
void tw_label_received(struct tw_segment *s, const struct tcpwave_record *r,
		       const struct tw_sock *sk);
void tw_label_confirm(struct tw_segment *s, const struct tcpwave_record *r,
		      const struct tw_sock *sk);
const char *tw_label(char buf[TW_LABEL_STRLEN], const struct tw_segment *s);
size_t tw_label_len(char buf[TW_LABEL_STRLEN], const struct tw_segment *s);

/* Digits of the largest unsigned long long, 2^64 - 1 */
#define TW_DIGITS_MAX	20
char *tw_digits(char *end, unsigned long long v);
size_t tw_label_width(const struct tw_segment *s);

#endif /* TW_LABEL_H */

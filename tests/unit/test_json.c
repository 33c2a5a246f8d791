// SPDX-License-Identifier: GPL-2.0
/*
 * test_json.c - unit tests of userspace/json.c, printed as TAP: the byte
 * sanitizer against every kind of invalid UTF-8, the null rules of a
 * record, and tw_json_print()'s result on a failing stream.
 *
 * Built and run by tests/unit/run.sh against userspace/json.c, conn.c,
 * parse.c, states.c and fmt.c, with jansson; run under valgrind there
 * too, which checks the reference counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "parse.h"

static int tests;
static int failed;

static void ok(int cond, const char *name)
{
	tests++;
	if (!cond)
		failed++;
	printf("%sok %d %s\n", cond ? "" : "not ", tests, name);
}

/* @j dumped compactly equals @want; drops the reference to @j. */
static int dumps_as(json_t *j, const char *want)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	int same = s && !strcmp(s, want);

	if (!same)
		printf("# got  %s\n# want %s\n", s ? s : "(NULL)", want);
	free(s);
	json_decref(j);
	return same;
}

#define FFFD "\xef\xbf\xbd"

static void test_bytes(void)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
		const char *name;
	} t[] = {
		{ "curl", 16, "\"curl\"", "plain ASCII" },
		{ "", 16, "\"\"", "empty" },
		{ "a\"b\\c", 16, "\"a\\\"b\\\\c\"", "quote and backslash" },
		{ "\x01\t\n\x1b[0m", 16, "\"\\u0001\\t\\n\\u001B[0m\"",
		  "control bytes escaped by jansson" },
		{ "\x7f", 16, "\"\x7f\"", "DEL is valid JSON as it is" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 16,
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
		  "valid 2, 3 and 4 byte sequences pass" },
		{ "\xef\xbf\xbd", 16, "\"" FFFD "\"", "U+FFFD itself passes" },
		{ "\xff\xfe", 16, "\"" FFFD FFFD "\"", "0xff, 0xfe" },
		{ "a\x80z", 16, "\"a" FFFD "z\"", "lone continuation byte" },
		{ "\xc0\xaf", 16, "\"" FFFD FFFD "\"", "overlong '/' (C0 AF)" },
		{ "\xc1\xbf", 16, "\"" FFFD FFFD "\"", "overlong C1" },
		{ "\xe0\x80\xaf", 16, "\"" FFFD FFFD FFFD "\"",
		  "overlong 3 bytes (E0 80 AF)" },
		{ "\xf0\x80\x80\xaf", 16, "\"" FFFD FFFD FFFD FFFD "\"",
		  "overlong 4 bytes (F0 80 80 AF)" },
		{ "\xed\xa0\x80", 16, "\"" FFFD FFFD FFFD "\"",
		  "surrogate U+D800" },
		{ "\xed\x9f\xbf", 16, "\"\xed\x9f\xbf\"",
		  "U+D7FF, just below the surrogates" },
		{ "\xf4\x8f\xbf\xbf", 16, "\"\xf4\x8f\xbf\xbf\"", "U+10FFFF" },
		{ "\xf4\x90\x80\x80", 16, "\"" FFFD FFFD FFFD FFFD "\"",
		  "above U+10FFFF" },
		{ "\xf5\x80", 16, "\"" FFFD FFFD "\"", "F5 never starts one" },
		{ "\xe2\x82z", 16, "\"" FFFD FFFD "z\"",
		  "truncated by an ASCII byte" },
		{ "ab\xe2\x82", 16, "\"ab" FFFD FFFD "\"", "truncated at end" },
		{ "ab\xe2\x82\xac", 4, "\"ab" FFFD FFFD "\"",
		  "truncated by max" },
		{ "abcdef", 3, "\"abc\"", "at most max bytes" },
		{ "ab\0cd", 16, "\"ab\"", "stops at NUL" },
		{ "abc", 0, "\"\"", "max 0" },
		{ "\xff\xff\xff\xff\xff\xff\xff\xff"
		  "\xff\xff\xff\xff\xff\xff\xff", 16,
		  "\"" FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD
		  FFFD FFFD FFFD FFFD FFFD FFFD FFFD "\"",
		  "15 invalid bytes: the longest comm, 3 times longer" },
	};
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "bytes: %s", t[i].name);
		ok(dumps_as(tw_json_bytes(t[i].in, t[i].max), t[i].want),
		   name);
	}
	ok(dumps_as(tw_json_bytes(NULL, 16), "null"), "bytes: NULL is null");
}

/*
 * Every string the sanitizer can be handed, in short: each byte value
 * at each of the first positions of a 4-byte comm, behind any lead
 * byte.  jansson must accept every result (it returns NULL, and we
 * exit, otherwise), and the result never has more than 3 bytes per
 * input byte.
 */
static void test_bytes_all(void)
{
	int good = 1;
	unsigned int a, b;
	char s[4];

	for (a = 1; a < 256; a++) {
		for (b = 1; b < 256; b++) {
			json_t *j;

			s[0] = a;
			s[1] = b;
			s[2] = (char)0x80;
			s[3] = 'x';
			j = tw_json_bytes(s, sizeof(s));
			if (!json_is_string(j) ||
			    json_string_length(j) > 3 * sizeof(s))
				good = 0;
			json_decref(j);
		}
	}
	ok(good, "bytes: all pairs of leading bytes give valid strings");
}

static void test_numbers(void)
{
	ok(dumps_as(tw_json_u64(0), "0"), "u64: 0");
	ok(dumps_as(tw_json_u64(9223372036854775807ULL),
		    "9223372036854775807"), "u64: 2^63 - 1");
	ok(dumps_as(tw_json_u64(9223372036854775808ULL), "null"),
	   "u64: 2^63 is null, never negative");
	ok(dumps_as(tw_json_lost(5, 207),
		    "{\"type\":\"lost\",\"count\":5,\"before_seq\":207}"),
	   "lost: count and before_seq");
	ok(dumps_as(tw_json_lost(5, 0),
		    "{\"type\":\"lost\",\"count\":5,\"before_seq\":null}"),
	   "lost: before_seq 0 is null");
}

static int parse_one(const char *hdr, const char *line,
		     struct tcpwave_record *r)
{
	struct tw_parser p;
	char buf[512];
	__u64 lost;
	int ok_;

	tw_parser_init(&p);
	snprintf(buf, sizeof(buf), "%s", hdr);
	ok_ = tw_parse_line(&p, buf, r, &lost) == TW_LINE_HEADER;
	snprintf(buf, sizeof(buf), "%s", line);
	ok_ = ok_ && tw_parse_line(&p, buf, r, &lost) == TW_LINE_RECORD;
	tw_parser_free(&p);
	return ok_;
}

static void test_record(void)
{
	static const char hdr10[] = "# tcpwave 1.0 seq ts_ns cpu cookie "
		"netns family laddr raddr oldstate newstate ctx pid comm";
	static const char hdr11[] = "# tcpwave 1.1 seq ts_ns cpu cookie "
		"netns family laddr raddr oldstate newstate ctx pid comm "
		"event reason snd_una snd_nxt rcv_nxt iss irs link";
	struct tcpwave_record r;

	ok(parse_one(hdr10, "17 1234567890123 1 100000003 4026531840 6 "
		     "[::ffff:127.0.0.1]:41234 [::1]:8080 SYN_SENT "
		     "ESTABLISHED task 123 a\\012b", &r) &&
	   dumps_as(tw_json_record(&r),
		    "{\"type\":\"transition\",\"seq\":17,"
		    "\"ts_ns\":1234567890123,\"cpu\":1,"
		    "\"cookie\":\"0000000100000003\",\"netns\":4026531840,"
		    "\"family\":6,\"laddr\":\"::ffff:127.0.0.1\","
		    "\"lport\":41234,\"raddr\":\"::1\",\"rport\":8080,"
		    "\"oldstate\":\"SYN_SENT\",\"newstate\":\"ESTABLISHED\","
		    "\"ctx\":\"task\",\"pid\":123,\"comm\":\"a\\nb\","
		    "\"event\":\"state\",\"reason\":null,\"snd_una\":null,"
		    "\"snd_nxt\":null,\"rcv_nxt\":null,\"iss\":null,"
		    "\"irs\":null,\"link\":null}"),
	   "record: 1.0, IPv6, task: the 1.1 fields are null");
	ok(parse_one(hdr11, "1 2 0 0000d7 1 4 127.0.0.1:8080 "
		     "127.0.0.1:44002 SYN_RECV 13 softirq - - child - "
		     "0 4294967295 123 3210321032 123123123 000000d6", &r) &&
	   dumps_as(tw_json_record(&r),
		    "{\"type\":\"transition\",\"seq\":1,\"ts_ns\":2,"
		    "\"cpu\":0,\"cookie\":\"000000d7\",\"netns\":1,"
		    "\"family\":4,\"laddr\":\"127.0.0.1\",\"lport\":8080,"
		    "\"raddr\":\"127.0.0.1\",\"rport\":44002,"
		    "\"oldstate\":\"SYN_RECV\",\"newstate\":\"13\","
		    "\"ctx\":\"softirq\",\"pid\":null,\"comm\":null,"
		    "\"event\":\"child\",\"reason\":null,\"snd_una\":0,"
		    "\"snd_nxt\":4294967295,\"rcv_nxt\":123,"
		    "\"iss\":3210321032,\"irs\":123123123,"
		    "\"link\":\"000000d6\"}"),
	   "record: 1.1, softirq: pid and comm null, 0 is a number, "
	   "an unnamed state is its number");
	ok(parse_one(hdr11, "1 2 0 e1 1 4 10.0.2.15:50000 1.2.3.4:80 "
		     "ESTABLISHED CLOSE task 9 \\055 ecn_ce mem_pressure "
		     "- - - - - -", &r) &&
	   dumps_as(tw_json_record(&r),
		    "{\"type\":\"transition\",\"seq\":1,\"ts_ns\":2,"
		    "\"cpu\":0,\"cookie\":\"000000e1\",\"netns\":1,"
		    "\"family\":4,\"laddr\":\"10.0.2.15\",\"lport\":50000,"
		    "\"raddr\":\"1.2.3.4\",\"rport\":80,"
		    "\"oldstate\":\"ESTABLISHED\",\"newstate\":\"CLOSE\","
		    "\"ctx\":\"task\",\"pid\":9,\"comm\":\"-\","
		    "\"event\":\"unknown\",\"reason\":\"unknown\","
		    "\"snd_una\":null,\"snd_nxt\":null,\"rcv_nxt\":null,"
		    "\"iss\":null,\"irs\":null,\"link\":null}"),
	   "record: names of a newer module are \"unknown\"");
}

static void test_print(void)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int ret;

	ret = tw_json_print(f, tw_json_lost(1, 2)) ||
	      tw_json_print(f, tw_json_lost(3, 0));
	fclose(f);
	ok(!ret && !strcmp(buf, "{\"type\":\"lost\",\"count\":1,"
			   "\"before_seq\":2}\n{\"type\":\"lost\","
			   "\"count\":3,\"before_seq\":null}\n"),
	   "print: one compact object per line");
	free(buf);

	f = fopen("/dev/full", "w");
	if (!f) {
		ok(1, "print: write error # SKIP no /dev/full");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	ok(tw_json_print(f, tw_json_lost(1, 2)) == -1 && ferror(f),
	   "print: a write error is -1, the object still freed");
	fclose(f);
}

int main(void)
{
	test_bytes();
	test_bytes_all();
	test_numbers();
	test_record();
	test_print();
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * live.c - "tcpwave --live" (live.h).
 *
 * One loop waits in poll() on the input and the keyboard at once, so an
 * idle screen costs no CPU.  Records go into the tracker as they come;
 * the table is taken from it and drawn at most every TW_LIVE_FRAME_MS,
 * each frame as erase(), draw, wnoutrefresh(), doupdate(): curses then
 * compares the frame with what the terminal shows and sends only the
 * difference, so nothing flickers.  Never clear(): it repaints it all.
 *
 * "Now" is CLOCK_MONOTONIC for the module's ring, whose ts_ns is
 * ktime_get_ns(), the same clock.  A file or a pipe is a replay: "now"
 * is its newest record's ts_ns, so that a capture shows the times it
 * had when it was taken, the same on every run.
 *
 * When standard output is not a terminal (or with -o FILE), the table
 * is printed once as text, as top -b -n 1 does: the file or pipe read to
 * its end, the ring until caught up.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "livetab.h"
#include "stream.h"
#include "track.h"

#define TW_LIVE_MAX_ENDS	65536	/* about 20 MB of ends at most */
#define TW_LIVE_LINGER_NS	5000000000ULL	/* closed ends stay 5 s */
#define TW_LIVE_FRAME_MS	100	/* at most 10 frames a second */
#define TW_LIVE_TICK_MS		1000	/* the ring's times move on */
#define TW_LIVE_BATCH		4096	/* records between key checks */
#define TW_LIVE_HEAD		4	/* header lines and column titles */

/* Records per second: records stamped in 10 slots of 100 ms. */
#define TW_RATE_SLOT_NS		100000000ULL
#define TW_RATE_SLOTS		10

enum { TW_PAIR_RED = 1, TW_PAIR_YELLOW };

struct tw_rate {
	__u64 slot[TW_RATE_SLOTS];
	__u64 count[TW_RATE_SLOTS];
};

struct tw_live {
	const struct tw_opts *o;
	struct tw_stream s;
	struct tw_tracker tr;
	struct tw_table tab;
	struct tw_rate rate;
	__u64 newest_ns;	/* ts_ns of the newest record */
	bool ended;		/* a file or pipe ended */
	bool failed;		/* a read or parse error: exit 1 */
	/* The screen. */
	bool ascii;
	bool color;
	bool paused;
	bool help;
	bool editing;		/* typing a "/" filter */
	char edit[TW_TTEXT_LEN];
	size_t top;		/* the first shown row on the screen */
	char err[256];		/* why reading stopped */
	FILE *kbd;
	SCREEN *scr;
	FILE *err_tmp;		/* standard error while the screen is on */
	int err_fd;		/* the real standard error */
};

static volatile sig_atomic_t tw_live_stop;

static __u64 tw_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void tw_rate_add(struct tw_rate *r, __u64 ts)
{
	__u64 slot = ts / TW_RATE_SLOT_NS;
	size_t i = slot % TW_RATE_SLOTS;

	if (r->slot[i] != slot) {
		r->slot[i] = slot;
		r->count[i] = 0;
	}
	r->count[i]++;
}

/*
 * Records stamped in the second before @now, by their own ts_ns: the
 * ring's rate as it goes, a replay's as it was.
 */
static __u64 tw_rate_get(const struct tw_rate *r, __u64 now)
{
	__u64 slot = now / TW_RATE_SLOT_NS, n = 0;
	size_t i;

	for (i = 0; i < TW_RATE_SLOTS; i++)
		if (r->slot[i] <= slot && r->slot[i] + TW_RATE_SLOTS > slot)
			n += r->count[i];
	return n;
}

/* See the top of the file: the ring's clock, or a replay's newest. */
static __u64 tw_live_now(const struct tw_live *l)
{
	__u64 now;

	if (!l->s.ring)
		return l->newest_ns;
	now = tw_mono_ns();
	return now > l->newest_ns ? now : l->newest_ns;
}

/*
 * Take up to @max records and lost-records lines into the tracker,
 * waiting up to @timeout_ms for the first.  Returns whether anything
 * came: a record, a loss, the end of the input or an error.
 */
static bool tw_live_read(struct tw_live *l, size_t max, int timeout_ms)
{
	struct tcpwave_record rec;
	struct tw_end *e;
	bool came = false;
	__u64 lost;
	size_t i;

	for (i = 0; i < max && !l->ended && !l->failed; i++) {
		switch (tw_stream_next(&l->s, &rec, &lost, timeout_ms)) {
		case TW_SEV_RECORD:
			e = tw_track_add(&l->tr, &rec);
			/*
			 * Format 1.0 has no event column: the first record
			 * made in a task tells the owner, as in a capture
			 * (tw_sock_owner()).
			 */
			if (!e->has_owner && rec.ctx == TCPWAVE_CTX_task &&
			    rec.comm[0] && tw_parser_v10(&l->s.p)) {
				e->has_owner = true;
				e->pid = rec.pid;
				memcpy(e->comm, rec.comm, sizeof(e->comm));
			}
			tw_rate_add(&l->rate, rec.ts_ns);
			if (rec.ts_ns > l->newest_ns)
				l->newest_ns = rec.ts_ns;
			break;
		case TW_SEV_LOST:
			tw_track_lost(&l->tr, lost);
			break;
		case TW_SEV_IDLE:
			return came;
		case TW_SEV_EOF:
			l->ended = true;
			break;
		default:
			l->failed = true;
			break;
		}
		came = true;
		timeout_ms = 0;
	}
	return came;
}

/*
 * Rows from the tracker as of now.  Closed ends are shown for
 * TW_LIVE_LINGER_NS, so that a connection shorter than a frame is seen
 * at all, then forgotten.
 */
static void tw_live_take(struct tw_live *l)
{
	__u64 now = tw_live_now(l);
	struct tw_end *e, *tmp;

	tw_track_for_each(&l->tr, e, tmp)
		if (e->done && now > e->since_ns &&
		    now - e->since_ns > TW_LIVE_LINGER_NS)
			tw_track_remove(&l->tr, e);
	tw_table_take(&l->tab, &l->tr, &l->o->filter, now,
		      l->o->close_wait_ms * 1000000ULL);
}

/*
 * "tcpwave --live  NAME (end of input)  records N  R/s  lost L" in
 * @cols columns: on a narrow terminal the numbers stay, and the name
 * gives way, from its start: "…/vm-many.txt (end of input)".
 */
static void tw_live_head(struct tw_buf *b, const struct tw_live *l,
			 size_t cols)
{
	struct tw_buf name = { 0 }, nums = { 0 };
	size_t w, keep;

	tw_buf_puts_safe(&name, l->o->name, strlen(l->o->name));
	if (l->failed)
		tw_buf_puts(&name, " (stopped by an error)");
	else if (l->ended)
		tw_buf_puts(&name, " (end of input)");
	tw_buf_printf(&nums, "  records %llu  %llu/s  lost %llu",
		      (unsigned long long)l->s.nrecs,
		      (unsigned long long)tw_rate_get(&l->rate,
						      tw_live_now(l)),
		      (unsigned long long)l->s.nlost);
	if (l->tr.evicted)
		tw_buf_printf(&nums, "  evicted %llu",
			      (unsigned long long)l->tr.evicted);
	w = tw_width(name.s) + tw_width(nums.s);
	if (w + 16 <= cols) {
		tw_buf_puts(b, "tcpwave --live  ");
		tw_buf_puts(b, name.s);
	} else if (w <= cols || tw_width(nums.s) + 8 > cols) {
		tw_buf_puts(b, name.s);
	} else {
		/* The name is ASCII: tw_buf_puts_safe() escaped the rest. */
		keep = cols - tw_width(nums.s) - 1;
		tw_buf_puts(b, l->ascii ? "~" : "\u2026");
		tw_buf_puts(b, name.s + strlen(name.s) - keep);
	}
	tw_buf_puts(b, nums.s);
	tw_buf_free(&name);
	tw_buf_free(&nums);
}

/* --- the table once, as text ------------------------------------------ */

static int tw_live_text(struct tw_live *l)
{
	const struct tw_table *t = &l->tab;
	struct tw_buf b = { 0 };
	struct tw_tlayout lay;
	struct tw_out out;
	size_t i;

	/* A file or a pipe to its end, the ring until caught up. */
	while (!l->ended && !l->failed)
		if (!tw_live_read(l, (size_t)-1, l->s.ring ? 0 : -1) &&
		    l->s.ring)
			break;
	if (l->failed)
		return TW_EXIT_INPUT;
	tw_live_take(l);
	tw_table_view(&l->tab);
	tw_table_layout(t, (size_t)-1, l->o->view.wide, l->o->view.ascii,
			&lay);
	if (tw_out_open(&out, l->o->output))
		return TW_EXIT_INPUT;
	tw_live_head(&b, l, (size_t)-1);
	tw_buf_emit(&b, out.f);
	tw_table_counts(&b, t, (size_t)-1, l->o->view.ascii);
	tw_buf_emit(&b, out.f);
	tw_buf_printf(&b, "leak suspects %zu  slow handshakes %zu  failed %zu",
		      t->leaks, t->handshakes, t->failed);
	tw_buf_emit(&b, out.f);
	tw_table_title(&b, t, &lay);
	tw_buf_emit(&b, out.f);
	for (i = 0; i < t->nshown; i++) {
		tw_table_row(&b, t, &lay, i);
		tw_buf_emit(&b, out.f);
	}
	tw_buf_free(&b);
	return tw_out_close(&out) ? TW_EXIT_INPUT : TW_EXIT_OK;
}

/* --- the screen ----------------------------------------------------------- */

static void tw_live_sig(int sig)
{
	(void)sig;
	tw_live_stop = 1;
}

/* Rows of the table on the screen: all but the head and the last line. */
static size_t tw_live_page(void)
{
	return LINES > TW_LIVE_HEAD + 1 ? LINES - TW_LIVE_HEAD - 1 : 0;
}

/*
 * How a row stands out.  Without colour (NO_COLOR, --color=never, or a
 * terminal without it) attributes alone tell: reverse for a leak suspect,
 * bold for a slow handshake or a failure.
 */
static attr_t tw_live_attr(const struct tw_live *l, enum tw_anomaly a,
			   bool done)
{
	switch (a) {
	case TW_ANOM_LEAK:
		return l->color ? COLOR_PAIR(TW_PAIR_RED) | A_BOLD : A_REVERSE;
	case TW_ANOM_HANDSHAKE:
		return l->color ? COLOR_PAIR(TW_PAIR_YELLOW) | A_BOLD : A_BOLD;
	case TW_ANOM_FAILED:
		return l->color ? COLOR_PAIR(TW_PAIR_RED) : A_BOLD;
	default:
		return done ? A_DIM : A_NORMAL;
	}
}

/*
 * Text at (@y, *@x) in @attr, cut so that it ends before column @end;
 * *@x moves past it.
 */
static void tw_put(int y, int *x, const char *s, attr_t attr, int end)
{
	size_t n;

	if (*x >= end)
		return;
	n = tw_cut(s, end - *x);
	attrset(attr);
	mvaddnstr(y, *x, s, n);
	attrset(A_NORMAL);
	*x += tw_width(s) < (size_t)(end - *x) ? (int)tw_width(s) : end - *x;
}

/* "leak suspects 1  slow handshakes 0  failed 2", each lit if not 0. */
static void tw_live_anomalies(const struct tw_live *l, int y)
{
	const struct tw_table *t = &l->tab;
	const struct {
		const char *name;
		size_t n;
		enum tw_anomaly a;
	} what[] = {
		{ "leak suspects", t->leaks, TW_ANOM_LEAK },
		{ "slow handshakes", t->handshakes, TW_ANOM_HANDSHAKE },
		{ "failed", t->failed, TW_ANOM_FAILED },
	};
	struct tw_buf b = { 0 };
	int x = 0;
	size_t i;

	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		tw_buf_printf(&b, "%s%s %zu", i ? "  " : "", what[i].name,
			      what[i].n);
		tw_put(y, &x, b.s, what[i].n ?
		       tw_live_attr(l, what[i].a, false) : A_NORMAL, COLS);
		tw_buf_free(&b);
	}
	if (t->text[0]) {
		tw_buf_puts(&b, "  filter \"");
		tw_buf_puts_safe(&b, t->text, sizeof(t->text));
		tw_buf_puts(&b, "\"");
	}
	if (t->families)
		tw_buf_puts(&b, t->families == TW_FAMILY_4 ? "  IPv4 only" :
			    "  IPv6 only");
	if (b.s)
		tw_put(y, &x, b.s, A_BOLD, COLS);
	tw_buf_free(&b);
}

/* The last line: the "/" prompt, an error, or the keys and the rows. */
static void tw_live_bottom(struct tw_live *l, size_t page)
{
	const struct tw_table *t = &l->tab;
	struct tw_buf b = { 0 };
	static const char *const hints[] = {
		"q quit", "? help", "p pause", "s/S sort", "r reverse",
		"/ filter", "4/6 family",
	};
	int y = LINES - 1, x = 0, end = COLS - 1;	/* not the corner */
	char range[64];
	size_t len, i;

	if (l->editing) {
		tw_put(y, &x, "/", A_BOLD, end);
		tw_put(y, &x, l->edit, A_NORMAL, end);
		len = x;
		x = end - 37;
		if (x > (int)len + 2)
			tw_put(y, &x, "Enter: apply  Esc: cancel  empty: all",
			       A_DIM, end);
		move(y, len < (size_t)end ? (int)len : end);
		return;
	}
	if (l->failed && l->err[0]) {
		tw_buf_puts(&b, "error: ");
		tw_buf_puts_safe(&b, l->err, sizeof(l->err));
		tw_buf_puts(&b, "  (q quits)");
		tw_put(y, &x, b.s, A_BOLD, end);
		tw_buf_free(&b);
		return;
	}
	if (t->nshown)
		snprintf(range, sizeof(range), "%zu-%zu of %zu", l->top + 1,
			 l->top + page < t->nshown ? l->top + page :
			 t->nshown, t->nshown);
	else
		snprintf(range, sizeof(range), "0 rows");
	len = strlen(range);
	/* As many whole hints as fit before the rows' range. */
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (x + (int)strlen(hints[i]) + 2 > end - (int)len)
			break;
		tw_put(y, &x, hints[i], A_DIM, end);
		x += 2;
	}
	x = end - (int)len > 0 ? end - (int)len : 0;
	tw_put(y, &x, range, A_NORMAL, end);
}

static void tw_live_help(const struct tw_live *l)
{
	char cw[96];
	const char *lines[] = {
		"q            quit",
		"space, p     pause or resume: records are still read",
		"s, S         sort by the next or the previous column",
		"r            reverse the order",
		"/            show rows that contain a text: Enter",
		"             applies, Esc cancels, an empty text shows all",
		"4, 6         IPv4 only, IPv6 only; again: both",
		l->ascii ? "Up Down PgUp PgDn Home End    scroll" :
			   "\u2191 \u2193 PgUp PgDn Home End      scroll",
		"Ctrl-L       redraw the screen",
		"?            this help; any key closes it",
		"",
		"Highlighted:",
		cw,
		"  SYN_SENT or SYN_RECV over 1 s: a handshake retransmits",
		"  closed by refused, timeout, rst_sent, rst_rcvd, error",
		"  or dropped.  Closed ends are dimmed, shown for 5 s.",
	};
	size_t i, n = sizeof(lines) / sizeof(lines[0]);
	int h = n + 4, w = 64, y0, x0, x;
	WINDOW *win;

	snprintf(cw, sizeof(cw), "  CLOSE_WAIT over %llu ms: a leak suspect",
		 l->o->close_wait_ms);
	if (h > LINES)
		h = LINES;
	if (w > COLS)
		w = COLS;
	if (h < 3 || w < 4)
		return;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	win = newwin(h, w, y0, x0);
	if (!win)
		return;
	box(win, 0, 0);
	x = 2;
	wattrset(win, A_BOLD);
	mvwaddnstr(win, 0, x, " tcpwave --live: keys ", w - 4);
	wattrset(win, A_NORMAL);
	for (i = 0; i < n && (int)i + 2 < h - 1; i++)
		mvwaddnstr(win, i + 2, 2, lines[i],
			   tw_cut(lines[i], w - 4));
	wnoutrefresh(win);
	delwin(win);
}

/* One frame; the rows taken anew unless paused. */
static void tw_live_frame(struct tw_live *l)
{
	struct tw_table *t = &l->tab;
	struct tw_buf b = { 0 };
	struct tw_tlayout lay;
	size_t page = tw_live_page(), i;
	int x, end;

	if (!l->paused)
		tw_live_take(l);
	tw_table_view(t);
	if (l->top + page > t->nshown)
		l->top = t->nshown > page ? t->nshown - page : 0;
	tw_table_layout(t, COLS, l->o->view.wide, l->ascii, &lay);

	erase();
	end = l->paused ? COLS - 8 : COLS;
	tw_live_head(&b, l, end > 0 ? end : 0);
	x = 0;
	tw_put(0, &x, b.s, A_NORMAL, end);
	tw_buf_free(&b);
	if (l->paused) {
		x = COLS > 6 ? COLS - 6 : 0;
		tw_put(0, &x, "PAUSED", A_REVERSE | A_BOLD, COLS);
	}
	tw_table_counts(&b, t, COLS, l->ascii);
	x = 0;
	tw_put(1, &x, b.s, A_NORMAL, COLS);
	tw_buf_free(&b);
	tw_live_anomalies(l, 2);

	tw_table_title(&b, t, &lay);
	tw_buf_printf(&b, "%*s", COLS, "");
	x = 0;
	tw_put(3, &x, b.s, A_REVERSE, COLS);
	tw_buf_free(&b);
	for (i = 0; i < page && l->top + i < t->nshown; i++) {
		const struct tw_trow *r = &t->rows[t->shown[l->top + i]];

		tw_table_row(&b, t, &lay, l->top + i);
		x = 0;
		tw_put(TW_LIVE_HEAD + i, &x, b.s,
		       tw_live_attr(l, r->anomaly, r->done), COLS);
		tw_buf_free(&b);
	}
	tw_live_bottom(l, page);
	/* The cursor shows only where a filter is typed. */
	leaveok(stdscr, !l->editing);
	curs_set(l->editing);
	wnoutrefresh(stdscr);
	if (l->help)
		tw_live_help(l);
	doupdate();
}

static void tw_live_edit(struct tw_live *l, int ch)
{
	size_t n = strlen(l->edit);

	switch (ch) {
	case 27:		/* Esc: the filter stays as it was */
		l->editing = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		memcpy(l->tab.text, l->edit, sizeof(l->tab.text));
		l->editing = false;
		l->top = 0;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n)
			l->edit[n - 1] = '\0';
		break;
	case 21:		/* Ctrl-U, as in a shell */
		l->edit[0] = '\0';
		break;
	default:
		/* The cells are ASCII: nothing else could match. */
		if (ch >= ' ' && ch < 0x7f && n + 1 < sizeof(l->edit)) {
			l->edit[n] = ch;
			l->edit[n + 1] = '\0';
		}
		break;
	}
}

/* Act on key @ch.  Returns false to quit. */
static bool tw_live_key(struct tw_live *l, int ch)
{
	struct tw_table *t = &l->tab;
	size_t page = tw_live_page();
	size_t last = t->nshown > page ? t->nshown - page : 0;

	if (l->editing) {
		tw_live_edit(l, ch);
		return true;
	}
	if (l->help && ch != KEY_RESIZE) {
		l->help = false;
		return true;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case ' ':
	case 'p':
		l->paused = !l->paused;
		break;
	case 's':
		t->sort = (t->sort + 1) % TW_TCOL_MAX;
		t->reverse = false;
		break;
	case 'S':
		t->sort = (t->sort + TW_TCOL_MAX - 1) % TW_TCOL_MAX;
		t->reverse = false;
		break;
	case 'r':
		t->reverse = !t->reverse;
		break;
	case '/':
		l->editing = true;
		l->edit[0] = '\0';
		break;
	case '4':
		t->families = t->families == TW_FAMILY_4 ? 0 : TW_FAMILY_4;
		l->top = 0;
		break;
	case '6':
		t->families = t->families == TW_FAMILY_6 ? 0 : TW_FAMILY_6;
		l->top = 0;
		break;
	case '?':
	case 'h':
	case KEY_F(1):
		l->help = true;
		break;
	case KEY_UP:
	case 'k':
		if (l->top)
			l->top--;
		break;
	case KEY_DOWN:
	case 'j':
		if (l->top < last)
			l->top++;
		break;
	case KEY_PPAGE:
		l->top = l->top > page ? l->top - page : 0;
		break;
	case KEY_NPAGE:
	case KEY_END:
	case 'G':
		l->top = ch == KEY_NPAGE && l->top + page < last ?
			 l->top + page : last;
		break;
	case KEY_HOME:
	case 'g':
		l->top = 0;
		break;
	case 12:		/* Ctrl-L: the terminal was written over */
		clearok(curscr, TRUE);
		break;
	default:		/* KEY_RESIZE too: the next frame lays out */
		break;
	}
	return true;
}

/* The stream said why it stopped on standard error: keep its last line. */
static void tw_live_catch_err(struct tw_live *l)
{
	char line[sizeof(l->err)];
	const char *s;
	size_t n;

	if (!l->err_tmp)
		return;
	fflush(stderr);
	rewind(l->err_tmp);
	while (fgets(line, sizeof(line), l->err_tmp)) {
		n = strcspn(line, "\n");
		if (!n)
			continue;
		line[n] = '\0';
		s = strncmp(line, "tcpwave: ", 9) ? line : line + 9;
		snprintf(l->err, sizeof(l->err), "%s", s);
	}
	fseek(l->err_tmp, 0, SEEK_END);
}

static int tw_live_screen_open(struct tw_live *l)
{
	struct sigaction sa = { .sa_handler = tw_live_sig };
	const char *term = getenv("TERM");

	/* Keys come from the terminal even when records come on stdin. */
	if (!strcmp(l->o->path, "-") || !isatty(STDIN_FILENO)) {
		l->kbd = fopen("/dev/tty", "re");
		if (!l->kbd) {
			fprintf(stderr,
				"tcpwave: --live reads keys from /dev/tty: %s\n",
				strerror(errno));
			return -1;
		}
	} else {
		l->kbd = stdin;
	}
	/* Before curses, which leaves a handler it finds alone. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	setlocale(LC_CTYPE, "");
	l->ascii = l->o->view.ascii || strcmp(nl_langinfo(CODESET), "UTF-8");
	l->scr = newterm(NULL, stdout, l->kbd);
	if (!l->scr) {
		fprintf(stderr, "tcpwave: --live: unknown terminal '%s'\n",
			term ? term : "");
		if (l->kbd != stdin)
			fclose(l->kbd);
		return -1;
	}
	/*
	 * A message now would land in the middle of the screen: keep them
	 * in a file, to be shown once the screen is gone.
	 */
	fflush(stderr);
	l->err_fd = -1;
	l->err_tmp = tmpfile();
	if (l->err_tmp) {
		l->err_fd = dup(STDERR_FILENO);
		if (l->err_fd < 0 ||
		    dup2(fileno(l->err_tmp), STDERR_FILENO) < 0) {
			if (l->err_fd >= 0)
				close(l->err_fd);
			fclose(l->err_tmp);
			l->err_tmp = NULL;
		}
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);	/* Esc cancels a filter without a wait */
	curs_set(0);
	l->color = l->o->view.color && has_colors();
	if (l->color) {
		start_color();
		use_default_colors();
		init_pair(TW_PAIR_RED, COLOR_RED, -1);
		init_pair(TW_PAIR_YELLOW, COLOR_YELLOW, -1);
	}
	return 0;
}

static void tw_live_screen_close(struct tw_live *l)
{
	char buf[4096];
	size_t n;

	endwin();
	delscreen(l->scr);
	if (l->kbd != stdin)
		fclose(l->kbd);
	if (!l->err_tmp)
		return;
	fflush(stderr);
	dup2(l->err_fd, STDERR_FILENO);
	close(l->err_fd);
	rewind(l->err_tmp);
	while ((n = fread(buf, 1, sizeof(buf), l->err_tmp)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(l->err_tmp);
}

static int tw_live_screen(struct tw_live *l)
{
	bool quit = false, keyed = true, data = false, reading;
	struct pollfd pfd[2];
	__u64 now, last = 0;
	int timeout, n, ch;

	if (tw_live_screen_open(l))
		return TW_EXIT_INPUT;
	while (!quit && !tw_live_stop) {
		reading = !l->ended && !l->failed;
		now = tw_mono_ns() / 1000000;
		/* Keys at once; records at the frame rate; else wait. */
		if (keyed)
			timeout = 0;
		else if (data)
			timeout = last + TW_LIVE_FRAME_MS > now ?
				  last + TW_LIVE_FRAME_MS - now : 0;
		else if (l->s.ring && !l->paused)
			timeout = last + TW_LIVE_TICK_MS > now ?
				  last + TW_LIVE_TICK_MS - now : 0;
		else
			timeout = -1;
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = fileno(l->kbd),
					    .events = POLLIN };
		if (reading && l->s.pollable)
			pfd[n++] = (struct pollfd){ .fd = l->s.fd,
						    .events = POLLIN };
		else if (reading)
			timeout = 0;	/* a file is always readable */
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			fprintf(stderr, "tcpwave: poll: %s\n", strerror(errno));
			l->failed = true;
			break;
		}
		/* The terminal is gone: nobody is left to press q. */
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		/* KEY_RESIZE comes here too, after SIGWINCH broke poll(). */
		while (!quit && (ch = getch()) != ERR) {
			keyed = true;
			quit = !tw_live_key(l, ch);
		}
		if (reading && (!l->s.pollable || pfd[1].revents))
			data |= tw_live_read(l, TW_LIVE_BATCH, 0);
		if (l->failed && !l->err[0])
			tw_live_catch_err(l);
		now = tw_mono_ns() / 1000000;
		if (!quit && (keyed ||
			      (data && now - last >= TW_LIVE_FRAME_MS) ||
			      (l->s.ring && !l->paused &&
			       now - last >= TW_LIVE_TICK_MS))) {
			tw_live_frame(l);
			last = now;
			keyed = false;
			data = false;
		}
	}
	tw_live_screen_close(l);
	return l->failed ? TW_EXIT_INPUT : TW_EXIT_OK;
}

int tw_live_run(const struct tw_opts *o)
{
	struct tw_live l;
	int ret;

	memset(&l, 0, sizeof(l));
	l.o = o;
	if (tw_stream_open(&l.s, o))
		return TW_EXIT_INPUT;
	tw_track_init(&l.tr, false, TW_LIVE_MAX_ENDS);
	tw_table_init(&l.tab);
	if (o->output || !isatty(STDOUT_FILENO))
		ret = tw_live_text(&l);
	else
		ret = tw_live_screen(&l);
	tw_table_free(&l.tab);
	tw_track_free(&l.tr);
	tw_stream_close(&l.s);
	return ret;
}

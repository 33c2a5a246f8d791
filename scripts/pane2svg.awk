#!/usr/bin/awk -f
# SPDX-License-Identifier: GPL-2.0
#
# pane2svg.awk - a terminal screen, as "tmux capture-pane -e -p" prints it
# (text with ANSI SGR escapes), into an SVG picture: one <text> per line,
# one <tspan> per run of the same colours and attributes, each placed at
# its own column so that the monospace grid holds whatever the font.
#
# Usage: tmux capture-pane -e -p -t PANE |
#        LC_ALL=C awk -v cols=120 -v rows=30 -f scripts/pane2svg.awk >out.svg
#
# cols and rows are the pane's size (default: the widest line, the line
# count).  Run it in the C locale: it counts UTF-8 characters itself, one
# column each, so that mawk (bytes) and gawk agree.  Understood: SGR 0, 1
# (bold), 2 (dim), 4 (underline), 7 (reverse), 22, 24, 27, colours 30-37,
# 39, 40-47, 49, 90-97, 100-107, and 38/48 with ;5;N or ;2;R;G;B.  Other
# escape sequences are dropped.

BEGIN {
	# The 16 colours of a dark terminal theme.
	split("#000000 #cd3131 #0dbc79 #e5e510 #2472c8 #bc3fbc #11a8cd " \
	      "#e5e5e5 #666666 #f14c4c #23d18b #f5f543 #3b8eea #d670d6 " \
	      "#29b8db #ffffff", pal, " ")
	FG = "#d4d4d4"		# default foreground
	BG = "#1e1e1e"		# default background
	CW = 8.43		# DejaVu Sans Mono advance at 14px: 0.602 em
	LH = 18			# line height
	PAD = 8
	nlines = 0
	maxw = 0
	reset()
}

function reset() {
	bold = dim = ul = rev = 0
	fg = bg = ""
}

# Colour N of the 256-colour palette: 16 named, a 6x6x6 cube, greys.
function c256(n,    r, g, b) {
	if (n < 16)
		return pal[n + 1]
	if (n >= 232)
		return sprintf("#%02x%02x%02x", 8 + (n - 232) * 10,
			       8 + (n - 232) * 10, 8 + (n - 232) * 10)
	n -= 16
	r = int(n / 36); g = int(n / 6) % 6; b = n % 6
	return sprintf("#%02x%02x%02x", r ? 55 + r * 40 : 0,
		       g ? 55 + g * 40 : 0, b ? 55 + b * 40 : 0)
}

function sgr(params,    p, n, i, v) {
	if (params == "")
		params = "0"
	n = split(params, p, ";")
	for (i = 1; i <= n; i++) {
		v = p[i] + 0
		if (v == 0) reset()
		else if (v == 1) bold = 1
		else if (v == 2) dim = 1
		else if (v == 4) ul = 1
		else if (v == 7) rev = 1
		else if (v == 22) bold = dim = 0
		else if (v == 24) ul = 0
		else if (v == 27) rev = 0
		else if (v >= 30 && v <= 37) fg = pal[v - 29]
		else if (v >= 90 && v <= 97) fg = pal[v - 81]
		else if (v == 39) fg = ""
		else if (v >= 40 && v <= 47) bg = pal[v - 39]
		else if (v >= 100 && v <= 107) bg = pal[v - 91]
		else if (v == 49) bg = ""
		else if ((v == 38 || v == 48) && p[i + 1] == 5) {
			if (v == 38) fg = c256(p[i + 2] + 0)
			else bg = c256(p[i + 2] + 0)
			i += 2
		} else if ((v == 38 || v == 48) && p[i + 1] == 2) {
			if (v == 38)
				fg = sprintf("#%02x%02x%02x", p[i + 2], p[i + 3], p[i + 4])
			else
				bg = sprintf("#%02x%02x%02x", p[i + 2], p[i + 3], p[i + 4])
			i += 4
		}
	}
}

# Display columns of UTF-8 text @s: bytes that do not continue a character.
function width(s,    t) {
	t = s
	return length(s) - gsub(/[\200-\277]/, "", t)
}

function xml(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	return s
}

# A run of text at column @col of line @y in the current attributes.
function run(s, col, y,    f, b, w, attrs) {
	w = width(s)
	if (w == 0)
		return
	f = fg != "" ? fg : FG
	b = bg
	if (rev) {
		b = fg != "" ? fg : FG
		f = bg != "" ? bg : BG
	}
	if (b != "")
		rects = rects sprintf("<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>\n",
				      PAD + col * CW, PAD + y * LH, w * CW, LH, b)
	if (s ~ /^ +$/)
		return
	attrs = sprintf(" x=\"%.2f\" fill=\"%s\"", PAD + col * CW, f)
	if (bold)
		attrs = attrs " font-weight=\"bold\""
	if (dim)
		attrs = attrs " fill-opacity=\"0.6\""
	if (ul)
		attrs = attrs " text-decoration=\"underline\""
	texts = texts "<tspan" attrs ">" xml(s) "</tspan>"
}

{
	line = $0
	col = 0
	texts = ""
	y = nlines
	while (line != "") {
		i = index(line, "\033")
		if (i == 0) {
			run(line, col, y)
			col += width(line)
			break
		}
		if (i > 1) {
			seg = substr(line, 1, i - 1)
			run(seg, col, y)
			col += width(seg)
		}
		line = substr(line, i)
		if (match(line, /^\033\[[0-9;]*m/)) {
			sgr(substr(line, 3, RLENGTH - 3))
		} else if (!match(line, /^\033\[[0-9;?]*[A-Za-z]/) &&
			   !match(line, /^\033\][^\007]*\007/)) {
			RLENGTH = 1
		}
		line = substr(line, RLENGTH + 1)
	}
	# capture-pane drops trailing blanks, even reversed or coloured ones:
	# a bar that reaches the edge (the column titles) is drawn to it.
	if ((rev || bg != "") && cols && col < cols)
		run(sprintf("%*s", cols - col, ""), col, y)
	if (col > maxw)
		maxw = col
	if (texts != "")
		body[nlines] = sprintf("<text y=\"%.1f\" xml:space=\"preserve\">%s</text>",
				       PAD + nlines * LH + 13.5, texts)
	nlines++
}

END {
	if (!cols)
		cols = maxw
	if (!rows)
		rows = nlines
	w = PAD * 2 + cols * CW
	h = PAD * 2 + rows * LH
	printf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
	       w, h, w, h)
	printf("<rect width=\"100%%\" height=\"100%%\" fill=\"%s\"/>\n", BG)
	printf("%s", rects)
	printf("<g font-family=\"DejaVu Sans Mono, monospace\" font-size=\"14px\">\n")
	for (i = 0; i < nlines; i++)
		if (i in body)
			print body[i]
	print "</g>"
	print "</svg>"
}

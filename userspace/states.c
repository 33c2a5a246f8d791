// SPDX-License-Identifier: GPL-2.0
/*
 * states.c - TCP state and context names.
 *
 * Unlike libbpf-tools tcpstates, every lookup is bounds-checked: the
 * module prints a bare number for a state it cannot name, so any value
 * of sk_state (an unsigned char) may reach us.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "states.h"

static const char *const tw_state_names[TCPWAVE_STATE_MAX] = {
#define TW_STATE_NAME(name, value) [TCPWAVE_##name] = #name,
	TCPWAVE_STATES(TW_STATE_NAME)
#undef TW_STATE_NAME
};

static const char *const tw_ctx_names[TCPWAVE_CTX_MAX] = {
#define TW_CTX_NAME(name, value) [TCPWAVE_CTX_##name] = #name,
	TCPWAVE_CONTEXTS(TW_CTX_NAME)
#undef TW_CTX_NAME
};

#define TW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Whether @s is the table's @name (NULL: a hole).  The first byte tells
 * most names apart without a call: every record has five to look up.
 */
static bool tw_name_is(const char *s, const char *name)
{
	return name && s[0] == name[0] && !strcmp(s, name);
}

/* The name of @state, or NULL when the ABI has none for it. */
const char *tw_state_name(unsigned int state)
{
	if (state >= TW_ARRAY_SIZE(tw_state_names))
		return NULL;
	return tw_state_names[state];
}

/* The name of @state, or its number written into @buf. */
const char *tw_state_str(unsigned int state, char buf[TW_STATE_STRLEN])
{
	const char *name = tw_state_name(state);

	if (name)
		return name;
	snprintf(buf, TW_STATE_STRLEN, "%u", state & 0xffu);
	return buf;
}

/*
 * A name from the table, or a decimal number: the module's spelling of
 * a state it cannot name.  sk_state is an unsigned char, hence 255.
 */
int tw_state_parse(const char *s, __u8 *state)
{
	unsigned long long v;
	unsigned int i;

	for (i = 0; i < TW_ARRAY_SIZE(tw_state_names); i++) {
		if (tw_name_is(s, tw_state_names[i])) {
			*state = i;
			return 0;
		}
	}
	if (tw_parse_u64(s, 10, 255, &v))
		return -1;
	*state = v;
	return 0;
}

const char *tw_ctx_name(unsigned int ctx)
{
	if (ctx >= TW_ARRAY_SIZE(tw_ctx_names))
		return NULL;
	return tw_ctx_names[ctx];
}

int tw_ctx_parse(const char *s, __u8 *ctx)
{
	unsigned int i;

	for (i = 0; i < TW_ARRAY_SIZE(tw_ctx_names); i++) {
		if (tw_name_is(s, tw_ctx_names[i])) {
			*ctx = i;
			return 0;
		}
	}
	return -1;
}

static const char *const tw_event_names[TCPWAVE_EV_MAX] = {
#define TW_EVENT_NAME(name, value) [TCPWAVE_EV_##name] = #name,
	TCPWAVE_EVENTS(TW_EVENT_NAME)
#undef TW_EVENT_NAME
};

/* TCPWAVE_REASON_none is printed as "-", never by its name. */
static const char *const tw_reason_names[TCPWAVE_REASON_MAX] = {
#define TW_REASON_NAME(name, value) [TCPWAVE_REASON_##name] = #name,
	TCPWAVE_REASONS(TW_REASON_NAME)
#undef TW_REASON_NAME
};

const char *tw_event_name(unsigned int event)
{
	if (event >= TW_ARRAY_SIZE(tw_event_names))
		return NULL;
	return tw_event_names[event];
}

const char *tw_reason_name(unsigned int reason)
{
	if (reason == TCPWAVE_REASON_none)
		return "-";
	if (reason >= TW_ARRAY_SIZE(tw_reason_names))
		return NULL;
	return tw_reason_names[reason];
}

/*
 * Event and reason names are C identifiers (the X-macros make them): a
 * field that is not one is damage, not a name from a newer module.
 */
static int tw_is_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_')
			return 0;
	return 1;
}

/* @names[i] for @s, @unknown for any other name, -1 for a non-name. */
static int tw_name_parse(const char *s, const char *const *names, size_t n,
			 unsigned int skip, unsigned int unknown, __u8 *val)
{
	size_t i;

	if (!tw_is_name(s))
		return -1;
	for (i = 0; i < n; i++) {
		if (i != skip && tw_name_is(s, names[i])) {
			*val = i;
			return 0;
		}
	}
	*val = unknown;
	return 0;
}

int tw_event_parse(const char *s, __u8 *event)
{
	return tw_name_parse(s, tw_event_names,
			     TW_ARRAY_SIZE(tw_event_names), TCPWAVE_EV_MAX,
			     TCPWAVE_EV_MAX, event);
}

int tw_reason_parse(const char *s, __u8 *reason)
{
	if (!strcmp(s, "-")) {
		*reason = TCPWAVE_REASON_none;
		return 0;
	}
	/* "none" is not how the module spells it: an unknown name. */
	return tw_name_parse(s, tw_reason_names,
			     TW_ARRAY_SIZE(tw_reason_names),
			     TCPWAVE_REASON_none, TCPWAVE_REASON_MAX, reason);
}

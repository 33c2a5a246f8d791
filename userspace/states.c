// SPDX-License-Identifier: GPL-2.0
/*
 * states.c - TCP state and context names.
 *
 * Unlike libbpf-tools tcpstates, every lookup is bounds-checked: the
 * module prints a bare number for a state it cannot name, so any value
 * of sk_state (an unsigned char) may reach us.
 */
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
		if (tw_state_names[i] && !strcmp(s, tw_state_names[i])) {
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
		if (tw_ctx_names[i] && !strcmp(s, tw_ctx_names[i])) {
			*ctx = i;
			return 0;
		}
	}
	return -1;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * states.h - names of TCP states and of execution contexts, both built
 * from the X-macros of tcpwave_abi.h so that the viewer and the module
 * can never disagree on a name.
 */
#ifndef TW_STATES_H
#define TW_STATES_H

#include "tcpwave_abi.h"

/* Long enough for any state name and for a decimal __u8 ("255"). */
#define TW_STATE_STRLEN	16

const char *tw_state_name(unsigned int state);
const char *tw_state_str(unsigned int state, char buf[TW_STATE_STRLEN]);
int tw_state_parse(const char *s, __u8 *state);

const char *tw_ctx_name(unsigned int ctx);
int tw_ctx_parse(const char *s, __u8 *ctx);

#endif /* TW_STATES_H */

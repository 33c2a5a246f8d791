/* SPDX-License-Identifier: GPL-2.0 */
/*
 * states.h - names of TCP states, execution contexts, events and close
 * reasons, all built from the X-macros of tcpwave_abi.h so that the
 * viewer and the module can never disagree on a name.
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

/*
 * A name a later module may add parses as TCPWAVE_EV_MAX or
 * TCPWAVE_REASON_MAX: "unknown", kept but not drawn.
 */
const char *tw_event_name(unsigned int event);
int tw_event_parse(const char *s, __u8 *event);
const char *tw_reason_name(unsigned int reason);
int tw_reason_parse(const char *s, __u8 *reason);

#endif /* TW_STATES_H */

# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/json-schema.jq - the schema of "tcpwave --json" output, as
# README.md "JSON output" documents it: every key, in order, with its
# type.  Run on raw lines, each parsed on its own:
#
#   tcpwave -j FILE | jq -R -f tests/unit/json-schema.jq
#
# prints one "true" per valid line, "false" for a line that parses but
# breaks the schema, and fails (status 5) on a line that is not JSON.
# Keys may be added to the output, never removed or retyped: when one
# is added, add it here in its place.

def uint: type == "number" and . == floor and . >= 0;
def u32: uint and . <= 4294967295;
def str: type == "string";
def nullor(f): . == null or f;
def hex: str and test("^[0-9a-f]{8}([0-9a-f]{8})?$");
def state: str and test("^([A-Z_0-9]+)$");
def name: str and test("^[a-z_]+$");
def port: uint and . <= 65535;
def keys_are($k): type == "object" and keys_unsorted == $k;

def transition:
	keys_are(["type", "seq", "ts_ns", "cpu", "cookie", "netns", "family",
		  "laddr", "lport", "raddr", "rport", "oldstate", "newstate",
		  "ctx", "pid", "comm", "event", "reason", "snd_una",
		  "snd_nxt", "rcv_nxt", "iss", "irs", "link"])
	and .type == "transition"
	and (.seq | uint) and (.ts_ns | uint) and (.cpu | u32)
	and (.cookie | hex) and (.netns | u32)
	and (.family == 4 or .family == 6)
	and (.laddr | str) and (.lport | port)
	and (.raddr | str) and (.rport | port)
	and (.oldstate | state) and (.newstate | state)
	and (.ctx | IN("task", "softirq", "hardirq", "nmi"))
	# pid and comm: both or neither, and only in task context
	and (if .ctx == "task" then (.pid | u32) and (.comm | str)
	     else .pid == null and .comm == null end)
	and (.event | name) and (.reason | nullor(name))
	and all(.snd_una, .snd_nxt, .rcv_nxt, .iss, .irs; nullor(u32))
	and (.link | nullor(hex));

def endpoint:
	keys_are(["cookie", "family", "laddr", "lport", "raddr", "rport",
		  "netns", "role", "owner", "states", "reason", "iss", "irs",
		  "req_cookie", "listener_cookie", "transitions"])
	and (.cookie | hex) and (.family == 4 or .family == 6)
	and (.laddr | str) and (.lport | port)
	and (.raddr | str) and (.rport | port) and (.netns | u32)
	and (.role | IN("active", "passive", "unknown"))
	and (.owner | nullor(keys_are(["pid", "comm"]) and (.pid | u32)
			     and (.comm | str)))
	and (.states | type == "array" and length > 0 and all(state))
	and (.reason | nullor(name))
	and (.iss | nullor(u32)) and (.irs | nullor(u32))
	and (.req_cookie | nullor(hex)) and (.listener_cookie | nullor(hex))
	and (.transitions | type == "array" and length > 0
	     and all(transition));

# -E adds "in_progress": true to a connection still open at the end of
# its input; a finished one has no such key.
def connection:
	(keys_are(["type", "id", "client", "server", "listener", "self",
		   "first_ts_ns", "last_ts_ns", "duration_ns", "handshake_ns",
		   "time_wait_ns", "lost", "lost_before", "records"])
	 or (keys_are(["type", "id", "client", "server", "listener", "self",
		       "first_ts_ns", "last_ts_ns", "duration_ns",
		       "handshake_ns", "time_wait_ns", "lost", "lost_before",
		       "records", "in_progress"]) and .in_progress == true))
	and .type == "connection"
	and (.id | uint) and .id >= 1
	and (.client | nullor(endpoint)) and (.server | nullor(endpoint))
	and (.client != null or .server != null)
	and (.listener | type == "boolean") and (.self | type == "boolean")
	and (.first_ts_ns | uint) and (.last_ts_ns | uint)
	and .first_ts_ns <= .last_ts_ns
	and .duration_ns == .last_ts_ns - .first_ts_ns
	and (.handshake_ns | nullor(uint))
	and (.time_wait_ns | nullor(uint))
	and (.lost | uint) and (.lost_before | uint)
	and (.records | uint)
	and .records == ([.client, .server | values | .transitions[]]
			 | length);

def lost:
	keys_are(["type", "count", "before_seq"])
	and (.count | uint) and (.before_seq | nullor(uint));

fromjson
| if type != "object" then false
  elif .type == "transition" then transition
  elif .type == "connection" then connection
  elif .type == "lost" then lost
  else false end

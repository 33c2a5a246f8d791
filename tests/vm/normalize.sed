# Normalize a ladder for comparison with tests/vm/expected/: times (and
# the padding before them), ports, cookies, pids and sequence numbers differ
# from run to run, and with the numbers' digits the width of the arrows and
# the spaces around them.  Use with sed -E.
s/ *[0-9]+\.[0-9]{3}/ T/g
s/[0-9]+\.[0-9] (m?s)/T \1/g
s/sk:[0-9a-f]+/sk:C/g
s/:[0-9]+/:P/g
s/\[[0-9]+\]/[PID]/g
s/(seq|ack)=[0-9]+/\1=N/g
s/(─)+/─/g
s/-{2,}/-/g
s/ +/ /g

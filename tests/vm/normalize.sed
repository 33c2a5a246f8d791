# Normalize a ladder for comparison with tests/vm/expected/: times (and
# the padding before them), ports, cookies and pids differ from run to run.
# Use with sed -E.
s/ *[0-9]+\.[0-9]{3}/ T/g
s/sk:[0-9a-f]+/sk:C/g
s/:[0-9]+/:P/g
s/\[[0-9]+\]/[PID]/g

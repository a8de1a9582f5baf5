#!/bin/sh
# tests/cli/t_report.sh: what the reports tell a CI engineer: which matrix
# cell failed, where (file and line), and the failures grouped by cause.
# Inputs are real runners' files from tests/data, collected as a CI
# matrix would (one cell per database, each split in shards).
. "$(dirname "$0")/lib.sh"
J=$DATA/junit
PY=$J/horovod-spark-fail-xunit1.xml

tally-collect -l db=postgres -l shard=1 "$PY" >"$T/pg.jsonl"
tally-collect -l db=sqlite -l shard=2 "$PY" >"$T/lite.jsonl"
cat "$T/pg.jsonl" "$T/lite.jsonl" >"$T/matrix.jsonl"

# 1. Every failure, flaky and slowest line names its cell, never its shard.
run labels-text 0 tally-render -f text "$T/matrix.jsonl"
expect_out "FAIL pytest › test.test_spark.SparkTests › test_rsh_events [db=postgres] ("
expect_out "FAIL pytest › test.test_spark.SparkTests › test_rsh_events [db=sqlite] ("
expect_out "  pytest › test.test_spark.SparkTests › test_rsh_events [db=postgres]"
expect_lines "shard=" 0
run labels-markdown 0 tally-render -f markdown "$T/matrix.jsonl"
expect_out "test&#95;rsh&#95;events &#91;db=postgres&#93;"
expect_out "test&#95;rsh&#95;events &#91;db=sqlite&#93;"
expect_not_out "shard=1&#93;"
expect_not_out ",shard="
run labels-github 0 tally-render -f github "$T/matrix.jsonl"
expect_out "title=pytest › test.test_spark.SparkTests › test_rsh_events [db=postgres]::"
expect_out "title=pytest › test.test_spark.SparkTests › test_rsh_events [db=sqlite]::"
expect_lines "shard=" 0

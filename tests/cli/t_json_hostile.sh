#!/bin/sh
# tests/cli/t_json_hostile.sh: hostile JSON through every tool and every
# JSON reader (tests/data/hostile, see PROVENANCE.md; issue 15).
. "$(dirname "$0")/lib.sh"
H=$DATA/hostile

# An empty member name given twice is named as '' (it once printed bytes
# from past the end of a heap buffer).
S=$H/stream-duplicate-empty-key.jsonl
run_in "$S" "duplicate empty key: collect -" 2 tally-collect -
expect_err "tally-collect: -:1: error: duplicate key ''"
expect_out '{"v":1,"type":"error","line":1,"message":"duplicate key '"''"'","source":"-"}'
run "duplicate empty key: merge" 2 tally-merge "$S"
expect_err "stream-duplicate-empty-key.jsonl:1: error: duplicate key ''"
expect_out '"message":"duplicate key '"''"'"'
run "duplicate empty key: render" 2 tally-render -f text "$S"
expect_err "stream-duplicate-empty-key.jsonl:1: error: duplicate key ''"
expect_out "stream-duplicate-empty-key.jsonl:1: duplicate key ''"
run "duplicate empty key: ctrf" 2 tally-collect "$H/ctrf-duplicate-empty-key.json"
expect_err "ctrf-duplicate-empty-key.json:2: error: duplicate key ''"
expect_out '"message":"duplicate key '"''"'"'
expect_lines '"type":"test"' 0

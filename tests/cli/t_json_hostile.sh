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

# \u0000 is refused by every JSON reader, at its backslash, with an error
# record: cut short at the NUL, "ab\u0000cd" would be test "ab" twice.
# File, reader, line, column.
while read -r f fmt line col; do
	run "NUL escape: $fmt" 2 tally-collect -f "$fmt" "$H/$f"
	expect_err "$f:$line:$col: error: NUL character (\\u0000) in a string"
	expect_out "{\"v\":1,\"type\":\"error\",\"line\":$line,\"column\":$col,\"message\":\"NUL character (\\\\u0000) in a string\""
	expect_lines '"type":"error"' 1
	expect_not_out 'cd"'
done <<'LIST'
stream-nul-escape.jsonl tally 2 32
gotest-nul-escape.ndjson gotest 3 44
ctrf-nul-escape.json ctrf 3 12
pytest-json-nul-escape.json pytest-json 3 20
jest-nul-escape.json jest 3 16
mocha-nul-escape.json mocha 3 13
pytest-benchmark-nul-escape.json pytest-benchmark 3 12
k6-nul-escape.json k6 3 12
LIST
# Through merge and render too, and the tests before the fault stay.
run "NUL escape: merge" 2 tally-merge "$H/stream-nul-escape.jsonl"
expect_err "stream-nul-escape.jsonl:2:32: error: NUL character (\\u0000) in a string"
expect_lines '"name":"ab"' 1
run "NUL escape: render" 2 tally-render -f text "$H/stream-nul-escape.jsonl"
expect_err "stream-nul-escape.jsonl:2:32: error: NUL character (\\u0000) in a string"
# Escaped backslashes before "u0000" are text, not a NUL.
printf '{"v":1,"type":"test","name":"ab\\\\u0000cd","status":"passed"}\n' > "$T/bs.jsonl"
run "escaped backslash then u0000" 0 tally-collect "$T/bs.jsonl"
expect_no_err
expect_out '"name":"ab\\u0000cd"'

# 5000 levels of nesting: the limit is named, at the bracket past it
# (cJSON alone stops at 1000 and said "invalid JSON" far from there).
while read -r f fmt line col; do
	run "5000 deep: $fmt" 2 tally-collect -f "$fmt" "$H/$f"
	expect_err "$f:$line:$col: error: nesting too deep: more than 64 levels"
	expect_out "{\"v\":1,\"type\":\"error\",\"line\":$line,\"column\":$col,\"message\":\"nesting too deep: more than 64 levels\""
	expect_lines '"type":"test"' 1
done <<'LIST'
stream-deep-5000.jsonl tally 2 118
gotest-deep-5000.ndjson gotest 3 121
ctrf-deep-5000.json ctrf 3 95
LIST
run "5000 deep: merge" 2 tally-merge "$H/stream-deep-5000.jsonl"
expect_err "stream-deep-5000.jsonl:2:118: error: nesting too deep: more than 64 levels"
run "5000 deep: render" 2 tally-render -f text "$H/stream-deep-5000.jsonl"
expect_err "stream-deep-5000.jsonl:2:118: error: nesting too deep: more than 64 levels"

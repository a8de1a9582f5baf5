#!/bin/sh
# tests/cli/t_duckdb.sh: the README's DuckDB query over a directory of
# streams (the four real pytest runs of tests/data/diff, run 2 with a
# rerun that passed) gives every test the same counts and rates as tally
# history.  DuckDB is @duckdb/node-api from the pinned npm set
# tests/npm/duckdb, installed by make test-deps.
. "$(dirname "$0")/lib.sh"
D=$DATA/diff
MOD=$(cd "$TALLY_BIN/../npm/duckdb/node_modules" 2>/dev/null && pwd)

if [ -z "$MOD" ] || [ ! -d "$MOD/@duckdb/node-api" ] || ! command -v node >/dev/null 2>&1; then
	notok "duckdb: @duckdb/node-api or node missing (make test-deps installs them)"
	exit 0
fi

# The runs as CI keeps them: collected with their metadata, one merged
# stream per run.  Run 2's test_stable failed first, then passed.
mkdir -p "$T/tally/runs"
for n in 1 2 3 4; do
	GITHUB_SHA=c$n GITHUB_RUN_ID=$n tally-collect \
	    --meta time=2026-12-0${n}T08:00:00Z "$D/run$n.xml" > "$T/r$n.jsonl"
	[ "$n" = 2 ] && jq -c 'select(.name=="test_stable") | .status="failed"' \
	    "$T/r$n.jsonl" >> "$T/r$n.jsonl"
	tally-merge -o "$T/tally/runs/$(( 5 - n ))-run.jsonl" "$T/r$n.jsonl"
done

# The query, word for word from the README.
awk '/^```sql$/ { on = 1; next } /^```$/ { on = 0 } on' "$ROOT/README.md" > "$T/q.sql"
if grep -q "read_ndjson_objects('tally/runs/\*.jsonl'" "$T/q.sql"
then ok "README holds the DuckDB query"
else notok "README holds the DuckDB query" "$(head -5 "$T/q.sql")"; fi

# Run from $T, where tally/runs is.
CASE=duckdb
if (cd "$T" && NODE_PATH=$MOD node "$ROOT/tests/cli/duckdb_query.js" q.sql) >"$T/duck.jsonl" 2>"$ERR"
then ok "duckdb: query ran"
else notok "duckdb: query failed" "$(head -c 600 "$ERR")"; fi
run history 0 tally-history -o "$T/h.jsonl" "$T/tally/runs"

# One line per test, the same members from both, sorted.
jq -r '[.classname, .name, (.runs, .passed, .failed, .skipped, .flaky_runs,
    .flips, .flaky_rate, .failure_rate | tonumber)] | @tsv' "$T/duck.jsonl" |
    sort > "$T/duck.tsv"
jq -r 'select(.type == "history") | [.classname, .name, .runs, .passed,
    .failed, .skipped, .flakyRuns, .flips, .flakyRate, .failureRate] | @tsv' \
    "$T/h.jsonl" | sort > "$T/hist.tsv"
same "duckdb and tally history agree on every test" "$T/duck.tsv" "$T/hist.tsv"
n=$(wc -l < "$T/hist.tsv")
if [ "$n" -eq 13 ]; then ok "duckdb: 13 tests compared"
else notok "duckdb: $n tests compared, wanted 13"; fi
# The figures differ between tests: flaky, failing and steady ones.
if [ "$(cut -f9 "$T/duck.tsv" | sort -u | wc -l)" -ge 3 ] &&
    grep -q '	1	0	0.25	0$' "$T/duck.tsv"
then ok "duckdb: flips, flaky runs and failures all counted"
else notok "duckdb: figures do not vary" "$(head -3 "$T/duck.tsv")"; fi

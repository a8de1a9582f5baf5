#!/bin/sh
# tests/cli/t_history.sh: tally-history on four real pytest runs of a
# small suite whose tests fail, flip, recover, slow down, get skipped,
# appear and disappear (tests/data/diff, see PROVENANCE.md there).
. "$(dirname "$0")/lib.sh"
D=$DATA/diff

run help 0 tally-history --help
expect_out "usage: tally-history"
expect_no_err
run version 0 tally-history --version
expect_out "tally-history "
run bad-option 2 tally-history --bogus
expect_err "usage: tally-history"
run no-operand 2 tally-history
expect_err "usage: tally-history"
expect_synopsis tally-history

is() {	# is NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$CASE: $1 is '$3'"
	else notok "$CASE: $1 is '$2', wanted '$3'"; fi
}
# One test's figures: hist FILE NAME MEMBERS...
hist() {
	f=$1 n=$2; shift 2
	q=$(printf '\\(.%s // "-") ' "$@")
	jq -r --arg n "$n" "select(.type==\"history\" and .name==\$n) | \"$q\"" "$f" | sed 's/ $//'
}

# Each run collected with its metadata (CI variables and --meta); the
# runs are stored under names that do not sort in their order.  Run 2
# reruns test_stable, which failed first: a flaky pass.
mkdir "$T/runs"
i=0
for n in 3 1 4 2; do
	i=$((i + 1))
	GITHUB_SHA=c$n GITHUB_RUN_ID=$n tally collect \
	    --meta time=2026-12-0${n}T08:00:00Z "$D/run$n.xml" > "$T/runs/$i.jsonl"
	[ "$n" = 2 ] && jq -c 'select(.name=="test_stable") | .status="failed"' \
	    "$T/runs/$i.jsonl" >> "$T/runs/$i.jsonl"
done

run by-time 0 tally-history -o "$T/h.jsonl" "$T/runs"
expect_no_err
is runs-in-order "$(jq -r 'select(.type=="run") | "\(.run):\(.runId)"' "$T/h.jsonl" | tr '\n' ' ')" \
    "1:1 2:2 3:3 4:4 "
is test_flips "$(hist "$T/h.jsonl" test_flips runs passed failed flips flakyRate failureRate lastStatus failingSince failingSinceRun failingSinceCommit failingRuns)" \
    "4 2 2 3 0.75 0.5 failed 4 4 c4 1"
is test_regresses "$(hist "$T/h.jsonl" test_regresses flips flakyRate failingSince failingSinceCommit failingRuns)" \
    "1 0.25 3 c3 2"
is test_fixed_later "$(hist "$T/h.jsonl" test_fixed_later passed failed flips lastStatus failingSince)" \
    "2 2 1 passed -"
is test_skipped_in_run3 "$(hist "$T/h.jsonl" test_skipped_in_run3 runs passed skipped flips)" \
    "4 3 1 0"
is test_added_in_run3 "$(hist "$T/h.jsonl" test_added_in_run3 runs)" 2
is statuses "$(hist "$T/h.jsonl" test_flips statuses) $(hist "$T/h.jsonl" test_added_in_run3 statuses) $(hist "$T/h.jsonl" test_skipped_in_run3 statuses) $(hist "$T/h.jsonl" test_removed_after_run3 statuses)" \
    "PFPF ..PP PPSP PPP."
is test_removed_after_run3 "$(hist "$T/h.jsonl" test_removed_after_run3 runs lastStatus)" "3 passed"
# The rerun: a flaky run without a flip.
is test_stable "$(hist "$T/h.jsonl" test_stable runs passed flakyRuns flips flakyRate)" "4 4 1 0 0.25"
# Median and p95 (nearest rank) of the durations the runs hold.
for t in test_slows_down test_pipeline_runs_end_to_end; do
	want=$(cat "$T"/runs/*.jsonl | jq -s --arg n "$t" '[.[] | select(.name==$n) | .duration] | sort |
	    (length) as $l | "\(if $l % 2 == 1 then .[($l-1)/2] else (.[$l/2-1] + .[$l/2]) / 2 end) \(.[(0.95*$l | ceil) - 1])"' -r)
	is "$t-durations" "$(hist "$T/h.jsonl" "$t" medianDuration p95Duration)" "$want"
done
# The runs: totals and new failures against the run before.
is run-records "$(jq -r 'select(.type=="run") | "\(.tests)/\(.failed)/\(.flaky)/\(.newFailures // "-")"' "$T/h.jsonl" | tr '\n' ' ')" \
    "12/1/0/- 12/2/1/1 13/1/0/1 12/2/0/1 "
is run-passrate "$(jq -r 'select(.type=="run" and .run==3) | "\(.passRate) \(.commit) \(.time)"' "$T/h.jsonl")" \
    "91.67 c3 2026-12-03T08:00:00Z"
# Every test of every run, once.
is tests "$(jq -s '[.[] | select(.type=="history")] | length' "$T/h.jsonl")" \
    "$(cat "$T"/runs/*.jsonl | jq -r 'select(.type=="test") | .name' | sort -u | wc -l | tr -d ' ')"

# Without times: by run id, numerically (10 after 9).
for f in "$T"/runs/*.jsonl; do
	sed 's/,"time":"[^"]*"//' "$f" > "$f.x"
done
sed -i 's/"run_id":"4"/"run_id":"10"/' "$T/runs/3.jsonl.x"
run by-run-id 0 tally-history "$T/runs/1.jsonl.x" "$T/runs/2.jsonl.x" "$T/runs/3.jsonl.x" "$T/runs/4.jsonl.x"
is order "$(jq -r 'select(.type=="run") | .runId' "$OUT" | tr '\n' ' ')" "1 2 3 10 "
# Without metadata: as given.
for f in "$T"/runs/*.jsonl; do
	grep -v '"type":"meta"' "$f" > "$f.y"
done
run as-given 0 tally-history "$T/runs/4.jsonl.y" "$T/runs/1.jsonl.y"
is order "$(jq -r 'select(.type=="run") | .path' "$OUT" | tr '\n' ' ')" "$T/runs/4.jsonl.y $T/runs/1.jsonl.y "
is failing-since-name "$(hist "$OUT" test_regresses failingSince)" "$T/runs/1.jsonl.y"

# The stream reads back: merging keeps every record and member.
run merge-roundtrip 0 tally-merge "$T/h.jsonl"
sort "$OUT" > "$T/m1"
sort "$T/h.jsonl" > "$T/m2"
same "merge keeps history and run records" "$T/m1" "$T/m2"
TALLY_MERGE_RUN_BYTES=1 tally-merge "$T/h.jsonl" | sort > "$T/m3"
same "a spilled merge keeps them" "$T/m1" "$T/m3"

# tally render of a history stream.
run render-text 0 tally-render -f text "$T/h.jsonl"
expect_out "=== History: 4 runs, 13 tests"
expect_out "=== Most flaky (4)"
expect_out "=== Failing longest (2)"
expect_out "2 runs, since run 3 (c3)  project › tests.test_scenario › test_regresses"
# One of a kind is singular: "1 flip", "1 retried pass", "1 run".
expect_out "  1 flip, 0 retried passes in 4 runs  project › tests.test_scenario › test_regresses"
expect_out "  0 flips, 1 retried pass in 4 runs  project › tests.test_scenario › test_stable"
expect_out "  1 run, since run 4 (c4)  project › tests.test_scenario › test_flips"
is most-flaky "$(grep -A1 '^=== Most flaky' "$OUT" | tail -1 | sed 's/.*› //')" test_flips
expect_out "    4  4  c4  12 tests, 2 failed, pass rate 83.3%"
# Totals from the history, not the stream's zero test records.
H_TOTALS="13 tests over 4 runs: 2 failing, 4 flaky; latest run: 12 tests, 2 failed, pass rate 83.3%"
expect_out "$H_TOTALS"
expect_not_out "0 tests"
run render-html-plural 0 tally-render -f html -o "$T/h.html" "$T/h.jsonl"
for w in '<td>1 flip, 0 retried passes</td>' '<td>0 flips, 1 retried pass</td>' '>1 run</td><td>since run 4'; do
	grep -qF "$w" "$T/h.html" && ok "$CASE: '$w'" || notok "$CASE: no '$w'"
done
# A history of one run.
for f in "$T"/runs/*.jsonl; do
	grep -q '"run_id":"1"' "$f" && R1=$f
done
tally-history -o "$T/h1.jsonl" "$R1"
run render-one-run 0 tally-render -f text "$T/h1.jsonl"
expect_out "=== History: 1 run, 12 tests"
expect_out "  1 run, since run 1 (c1)  project › tests.test_scenario › test_fixed_later"
expect_not_out "1 runs"
run render-one-run-html 0 tally-render -f html -o "$T/h1.html" "$T/h1.jsonl"
for w in 'History <span class="count">1 run</span>' 'over the latest 1 run:' 'aria-label="Latest 1 run: '; do
	grep -qF "$w" "$T/h1.html" && ok "$CASE: '$w'" || notok "$CASE: no '$w'"
done
run render-markdown 0 tally-render -f markdown "$T/h.jsonl"
expect_out "### History: 4 runs, 13 tests"
expect_out "## ⚠️ Test results"
expect_out "$H_TOTALS"
expect_not_out "| ✅ Passed |"
expect_not_out "0 tests"
expect_out "| 75.0% | 3 | 0 | 4 | project › tests\\.test\\_scenario › test\\_flips |"
expect_out "| 2 | since run 3 (c3) | project › tests\\.test\\_scenario › test\\_regresses |"
expect_out "| 4 | 4 | c4 | 12 | 2 | 83.3% |"
run render-github 0 tally-render -f github "$T/h.jsonl"
expect_out "::notice title=Test results::13 tests over 4 runs: 2 failing, 4 flaky; latest run: 12 tests, 2 failed, pass rate 83.3%25"
expect_not_out "0 tests"

# CTRF of a history stream: insights over every run against those over
# the runs before the latest, and the run before the latest as baseline.
run render-json 0 tally-render -f json -o "$T/h.json" "$T/h.jsonl"
expect_no_err
if /usr/bin/python3 "$DATA/schema/validate_json.py" "$DATA/schema/ctrf.schema.json" \
    "$T/h.json" 2>"$T/v"; then ok "history CTRF validates against ctrf.schema.json"
else notok "history CTRF schema" "$(head -5 "$T/v")"; fi
# The same figures from the run records, by jq.
want=$(jq -s '
  def r4: . * 10000 | round / 10000;
  def ins: (map(.passed) | add) as $p | (map(.failed) | add) as $f |
    (map(.duration) | add) as $d | (map(.duration) | sort) as $s |
    [ ($p / ($p + $f) | r4), ($f / ($p + $f) | r4),
      ((map(.flaky) | add) / ($p + $f) | r4), ($d / length | r4),
      $s[((length * 0.95) | ceil) - 1], ($d / (map(.tests) | add) | r4) ];
  map(select(.type == "run")) | sort_by(.run) |
  [ins, (.[:-1] | ins), (.[-2] | .path, .runId, .commit, .time), length]' \
  "$T/h.jsonl" | jq -c .)
got=$(jq -c '.insights as $i | [$i.passRate, $i.failRate, $i.flakyRate,
  $i.averageRunDuration, $i.p95RunDuration, $i.averageTestDuration] as $m |
  [($m | map(.current)), ($m | map(.baseline)),
   (.baseline | .source, .buildName, .commit, .timestamp), $i.runsAnalyzed]' \
  "$T/h.json")
is insights "$got" "$want"
is change "$(jq -c '[.insights[] | objects | ((.current - .baseline) * 10000 | round) == (.change * 10000 | round)] | all' "$T/h.json")" true
is flaky-rate "$(jq '.insights.flakyRate.current' "$T/h.json")" "$(jq -s 'map(select(.type == "run")) | (map(.flaky) | add) / (map(.passed + .failed) | add) * 10000 | round / 10000' "$T/h.jsonl")"
is build-number "$(jq '.baseline.buildNumber' "$T/h.json")" 3
is report-id "$(jq -r '.baseline.reportId' "$T/h.json" | grep -cE '^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')" 1

# render --history: run 4's failures against runs 1 to 3 (stored with
# names that do not sort in run order; run 4 itself is among them too
# and is left out by its run id).
for f in "$T"/runs/*.jsonl; do
	grep -q '"run_id":"4"' "$f" && R4=$f
done
run mark-text 1 tally-render -f text --fail-on failed --history "$T/runs" "$R4"
expect_no_err
expect_out "test_flips (1ms) tests/test_scenario.py:17  [flaky: 66.7% of 3 runs]"
expect_out "test_regresses (1ms) tests/test_scenario.py:22  [failing since run 3 (c3), 2 runs]"
# Against runs 1 and 2: test_regresses fails for the first time, and
# test_flips, failed in run 2, is failing since then.
mkdir "$T/early"
for f in "$T"/runs/*.jsonl; do
	grep -qE '"run_id":"[12]"' "$f" && cp "$f" "$T/early/"
done
run mark-new 0 tally-render -f text --history "$T/early" "$R4"
expect_out "test_regresses (1ms) tests/test_scenario.py:22  [new failure]"
expect_out "test_flips (1ms) tests/test_scenario.py:17  [failing since run 2 (c2), 2 runs]"
run mark-markdown 0 tally-render -f markdown --history "$T/runs" "$R4"
expect_out "test&#95;regresses (1ms) — **failing since run 3 \(c3\), 2 runs**</summary>"
expect_out "test&#95;flips (1ms) — **flaky\: 66\.7% of 3 runs**</summary>"
run mark-github 0 tally-render -f github --history "$T/early" "$R4"
expect_out "::error file=tests/test_scenario.py,line=22,title=New failure%3A project › tests.test_scenario › test_regresses::"
expect_out "::error file=tests/test_scenario.py,line=17,title=Failing since run 2 (c2)%2C 2 runs%3A project › tests.test_scenario › test_flips::"
run mark-github-flaky 0 tally-render -f github --history "$T/runs" "$R4"
expect_out "::error file=tests/test_scenario.py,line=17,title=Flaky%3A 66.7%25 of 3 runs%3A project › tests.test_scenario › test_flips::"
run mark-html 0 tally-render -f html --history "$T/runs" "$R4"
expect_out '<span class="tag failing">failing since run 3 (c3), 2 runs</span>'
expect_out '<span class="tag flaky">flaky: 66.7% of 3 runs</span>'
run mark-missing 2 tally-render -f text --history "$T/nonesuch" "$R4"
expect_err "tally-render: $T/nonesuch: error: No such file or directory"
# Without --history no marks.
run no-marks 0 tally-render -f text "$R4"
expect_not_out "failing since"

# Trouble.
run missing 2 tally-history "$T/runs/1.jsonl" "$T/nonesuch.jsonl"
expect_err "tally-history: $T/nonesuch.jsonl: error: No such file or directory"
run write-error 2 tally-history -o /dev/full "$T/runs"
expect_err "write error"
run dispatcher 0 tally history "$T/runs/1.jsonl"
expect_out '"type":"run"'

# One run of one test reads "1 run, 1 test", not "1 runs, 1 tests".
printf '{"v":1,"type":"test","name":"only","status":"passed"}\n' > "$T/one-run.jsonl"
tally-history "$T/one-run.jsonl" > "$T/one-h.jsonl" 2>/dev/null
run render-one-run 0 tally-render -f text "$T/one-h.jsonl"
expect_out "=== History: 1 run, 1 test"
run render-one-run-md 0 tally-render -f md "$T/one-h.jsonl"
expect_out "### History: 1 run, 1 test"

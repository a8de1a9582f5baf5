#!/bin/sh
# tests/cli/t_diff.sh: tally-diff on four real pytest runs of a small
# suite whose tests fail, flip, recover, slow down, get skipped, appear
# and disappear (tests/data/diff, see PROVENANCE.md).
. "$(dirname "$0")/lib.sh"
D=$DATA/diff

run help 0 tally-diff --help
expect_out "usage: tally-diff"
expect_no_err
run version 0 tally-diff --version
expect_out "tally-diff "
run bad-option 2 tally-diff --bogus
expect_err "usage: tally-diff"
run one-operand 2 tally-diff "$D/run1.xml"
expect_err "usage: tally-diff"
run bad-threshold 2 tally-diff --time-threshold=-5 a b
expect_err "tally-diff: --time-threshold: '-5' is not a number of at least 0"
expect_synopsis tally-diff

# Each run collected, with the metadata a CI job would add.
for n in 1 2 3 4; do
	tally collect "$D/run$n.xml" > "$T/run$n.jsonl"
	printf '{"v":1,"type":"meta","meta":{"commit":"c%s","run_id":"%s","time":"2026-12-0%sT08:00:00Z"}}\n' \
	    "$n" "$n" "$n" >> "$T/run$n.jsonl"
done
# The change of one test: change(FILE NAME) prints "change durationChange".
change() {
	jq -r --arg n "$2" 'select(.type=="test" and .name==$n) |
	    "\(.change) \(.durationChange // "-")"' "$1"
}
is() {	# is NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$CASE: $1 is '$3'"
	else notok "$CASE: $1 is '$2', wanted '$3'"; fi
}

run run2-to-run3 0 tally-diff -o "$T/d23.jsonl" "$T/run2.jsonl" "$T/run3.jsonl"
expect_no_err
is test_flips "$(change "$T/d23.jsonl" test_flips)" "fixed -"
is test_fixed_later "$(change "$T/d23.jsonl" test_fixed_later)" "fixed -"
is test_regresses "$(change "$T/d23.jsonl" test_regresses)" "new-failure -"
is test_slows_down "$(change "$T/d23.jsonl" test_slows_down)" "unchanged slower"
is test_skipped_in_run3 "$(change "$T/d23.jsonl" test_skipped_in_run3)" "newly-skipped -"
is test_added_in_run3 "$(change "$T/d23.jsonl" test_added_in_run3)" "new -"
is test_stable "$(change "$T/d23.jsonl" test_stable)" "unchanged -"
# Every test of run 3, nothing else; pytest's millisecond jitter is no
# duration change under the defaults.
is tests "$(jq -s '[.[] | select(.type=="test")] | length' "$T/d23.jsonl")" \
    "$(jq -s '[.[] | select(.type=="test")] | length' "$T/run3.jsonl")"
is slower-count "$(jq -s '[.[] | select(.durationChange)] | length' "$T/d23.jsonl")" 1
# The summary counts what the tests say, and both runs' metadata.
for k in new-failure still-failing fixed new removed newly-skipped unchanged; do
	is "diff.$k" "$(jq -r --arg k "$k" 'select(.type=="diff") | .[$k]' "$T/d23.jsonl")" \
	    "$(jq -s --arg k "$k" '[.[] | select(.change==$k)] | length' "$T/d23.jsonl")"
done
is summary "$(jq -r 'select(.type=="diff") |
    "\(.baseTests) \(.baseFailed) \(.newTests) \(.newFailed) \(.newSkipped) \(.["base.commit"]) \(.["new.commit"]) \(.["new.run_id"])"' \
    "$T/d23.jsonl")" "12 2 13 1 1 c2 c3 3"
is pass-rate "$(jq -r 'select(.type=="diff") | "\(.basePassRate) \(.newPassRate)"' \
    "$T/d23.jsonl")" "83.33 91.67"
is meta-passed "$(jq -r 'select(.type=="meta") | .meta.commit' "$T/d23.jsonl")" c3

run run3-to-run4 0 tally-diff "$T/run3.jsonl" "$T/run4.jsonl"
cp "$OUT" "$T/d34.jsonl"
is test_regresses "$(change "$T/d34.jsonl" test_regresses)" "still-failing -"
is test_flips "$(change "$T/d34.jsonl" test_flips)" "new-failure -"
is test_removed_after_run3 "$(change "$T/d34.jsonl" test_removed_after_run3)" "removed -"
is test_skipped_in_run3 "$(change "$T/d34.jsonl" test_skipped_in_run3)" "unchanged -"
# A removed test is BASE's record, with no duration comparison.
is removed-base "$(jq -r 'select(.change=="removed") | "\(.status) \(.baseDuration // "-")"' "$T/d34.jsonl")" "passed -"

run run4-to-run1 0 tally-diff "$T/run4.jsonl" "$T/run1.jsonl"
cp "$OUT" "$T/d41.jsonl"
is test_slows_down "$(change "$T/d41.jsonl" test_slows_down)" "unchanged faster"
is test_added_in_run3 "$(change "$T/d41.jsonl" test_added_in_run3)" "removed -"
is base-duration "$(jq -r 'select(.name=="test_slows_down") | .baseDuration' "$T/d41.jsonl")" 404

# The thresholds: 400 ms is above 50 ms, below 5000 %.
run time-min 0 tally-diff --time-min=5000 "$T/run2.jsonl" "$T/run3.jsonl"
is test_slows_down "$(change "$OUT" test_slows_down)" "unchanged -"
run time-threshold 0 tally-diff --time-threshold=5000 "$T/run2.jsonl" "$T/run3.jsonl"
is test_slows_down "$(change "$OUT" test_slows_down)" "unchanged -"

# Unmerged input, in any order, with a rerun: the same diff.  The rerun
# of test_regresses passes, so in run 3 it is flaky, not failing.
tac "$T/run3.jsonl" > "$T/run3-rev.jsonl"
jq -c 'select(.name=="test_regresses") | .status="passed" | del(.message,.trace,.rawStatus)' \
    "$T/run3.jsonl" > "$T/rerun.jsonl"
mkdir "$T/r3" && cp "$T/run3-rev.jsonl" "$T/rerun.jsonl" "$T/r3/"
run directory-with-rerun 0 tally-diff "$T/run2.jsonl" "$T/r3"
is test_regresses "$(change "$OUT" test_regresses)" "unchanged -"
is flaky "$(jq -r 'select(.name=="test_regresses") | .flaky' "$OUT")" true

# The stream reads back: merging it again keeps every member.
run merge-roundtrip 0 tally-merge "$T/d23.jsonl"
tally-merge "$T/d23.jsonl" | tally-merge > "$T/again.jsonl"
same "merged diff is a fixed point" "$OUT" "$T/again.jsonl"
is roundtrip-changes "$(jq -r 'select(.type=="test") | .change' "$OUT" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    "$(jq -r 'select(.type=="test") | .change' "$T/d23.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
TALLY_MERGE_RUN_BYTES=1 tally-merge "$T/d23.jsonl" > "$T/spilled.jsonl"
same "a spilled merge keeps the diff members" "$OUT" "$T/spilled.jsonl"

# Trouble: a missing or malformed run.
run missing 2 tally-diff "$T/run1.jsonl" "$T/nonesuch.jsonl"
expect_err "tally-diff: $T/nonesuch.jsonl: error: No such file or directory"
printf '{"v":1,"type":"test","name":"x","status":"passed"}\nnot json\n' > "$T/bad.jsonl"
run malformed 2 tally-diff "$T/run1.jsonl" "$T/bad.jsonl"
expect_err "tally-diff: $T/bad.jsonl:2"
expect_out '"type":"error"'
run write-error 2 tally-diff -o /dev/full "$T/run1.jsonl" "$T/run2.jsonl"
expect_err "write error"
run dispatcher 0 tally diff "$T/run1.jsonl" "$T/run2.jsonl"
expect_out '"type":"diff"'

# tally render of a diff stream.
run render-text 0 tally-render -f text "$T/d23.jsonl"
expect_out "=== Compared with c2 (run 2, 2026-12-02T08:00:00Z)"
expect_out "1 new failure, 0 still failing, 2 fixed, 1 newly skipped, 1 new, 0 removed, 8 unchanged; 1 slower, 0 faster"
expect_out "=== New failures (1)"
expect_out "  project › tests.test_scenario › test_regresses"
expect_out "test_slows_down: "
expect_no_err
# New failures come before fixed tests, which come before slower ones.
order=$(grep -n '^=== \(New failures\|Fixed\|Newly skipped\|New tests\|Slower\)' "$OUT" | cut -d: -f2 | tr '\n' ';')
is section-order "$order" "=== New failures (1);=== Fixed (2);=== Newly skipped (1);=== New tests (1);=== Slower (1);"
run render-text-removed 0 tally-render -f text "$T/d34.jsonl"
expect_out "=== Still failing (1)"
expect_out "=== Removed tests (1)"
expect_out "  project › tests.test_scenario › test_removed_after_run3"
# Totals are NEW's: the removed test is BASE's.
expect_out "$(jq -s '[.[] | select(.type=="test")] | length' "$T/run4.jsonl") tests,"
run render-markdown 0 tally-render -f markdown "$T/d34.jsonl"
expect_out "### Compared with c3 \\(run 3, 2026\\-12\\-03T08\\:00\\:00Z\\)"
expect_out "#### ❌ New failures (1)"
expect_out "- project › tests\\.test\\_scenario › test\\_flips"
expect_out "#### Removed tests (1)"
# A small budget: the listing goes before the counts, and it fits.
run render-markdown-budget 0 tally-render -f markdown --max-bytes 700 "$T/d34.jsonl"
is md-bytes "$(wc -c < "$OUT" | tr -d ' ')" "$(wc -c < "$OUT" | awk '$1 <= 700 {print $1}')"
expect_out "### Compared with"
expect_not_out "#### Removed tests"
# GitHub: new failures annotated first; a removed test never.
run render-github 0 tally-render -f github "$T/d34.jsonl"
is first-annotation "$(head -1 "$OUT" | sed 's/ ›.*//')" "::error file=tests/test_scenario.py,line=17,title=New failure%3A project"
expect_lines '::error ' 2
expect_not_out "test_removed_after_run3"
# The gates.
run gate-new-failure 1 tally-render -f text --fail-on new-failure "$T/d34.jsonl"
expect_out "FAIL: gate 'new-failure' failed (1 new failure)"
# Run 2 against itself: two tests still failing, no regression.
tally-diff "$T/run2.jsonl" "$T/run2.jsonl" > "$T/d22.jsonl"
run gate-new-failure-none 0 tally-render -f text --fail-on new-failure "$T/d22.jsonl"
expect_out "gates passed: new-failure"
expect_out "=== Still failing (2)"
run gate-failed-still 1 tally-render -f text --fail-on failed "$T/d22.jsonl"
run gate-removed 1 tally-render -f text --fail-on removed "$T/d34.jsonl"
expect_out "(1 test removed)"
run gate-removed-none 0 tally-render -f text --fail-on removed "$T/d23.jsonl"
run gate-not-a-diff 1 tally-render -f text --fail-on new-failure "$T/run3.jsonl"
expect_out "not a diff stream"
# JSON (CTRF): every test keeps its change in its extra.
run render-json 0 tally-render -f json "$T/d34.jsonl"
is json-changes "$(jq -r '.results.tests[] | .extra.change' "$OUT" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    "$(jq -r 'select(.type=="test") | .change' "$T/d34.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
run render-json-slower 0 tally-render -f json "$T/d23.jsonl"
is json-slower "$(jq -r '.results.tests[] | select(.name=="test_slows_down") | "\(.extra.durationChange) \(.extra.baseDuration)"' "$OUT")" \
    "slower $(jq -r 'select(.name=="test_slows_down") | .duration' "$T/run2.jsonl")"

#!/bin/sh
# tests/cli/t_merge.sh: tally-merge end to end on streams modelled on real
# result files (tests/data/merge, see PROVENANCE.md).
. "$(dirname "$0")/lib.sh"
M=$DATA/merge

run help 0 tally-merge --help
expect_out "usage: tally-merge"
expect_no_err
run version 0 tally-merge --version
expect_out "tally-merge "
run bad-option 2 tally-merge --bogus
expect_err "usage: tally-merge"
run missing-o-arg 2 tally-merge -o
expect_synopsis tally-merge

# Reruns inside one file and across files.
run gotestsum 0 tally-merge "$M/gotestsum-rerun.jsonl"
expect_no_err
expect_lines '"type":"test"' 3
expect_lines '"flaky":true' 1
expect_out '"name":"TestWebSocketReconnectRace","status":"passed","duration":7780'
run pytest-rerun 0 tally-merge "$M/pytest-rerun.jsonl"
expect_lines '"type":"test"' 1
expect_out '"retries":2'
run ctest-two-files 0 tally-merge "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl"
expect_lines '"type":"test"' 3
expect_lines '"type":"suite"' 2
expect_out '"name":"net_timeout","status":"passed","rawStatus":"run","duration":431'
run matrix 0 tally-merge "$M/pytest-rerun-py3.10.jsonl" "$M/pytest-rerun-py3.11.jsonl"
expect_lines '"type":"test"' 2
sed 's/"shard":"1"/"shard":"2"/' "$M/gotestsum-rerun.jsonl" | grep -v '"status":"passed"' > "$T/shard2.jsonl"
grep -v '"status":"failed"' "$M/gotestsum-rerun.jsonl" > "$T/shard1.jsonl"
run rerun-on-other-shard 0 tally-merge "$T/shard2.jsonl" "$T/shard1.jsonl"
expect_lines '"type":"test"' 3
expect_lines '"flaky":true' 1
expect_out '"name":"TestWebSocketReconnectRace","status":"passed","duration":7780'
run_in "$M/surefire-alwaysfail.jsonl" stdin 0 tally-merge
expect_out '"retries":3'
run_in "$M/surefire-alwaysfail.jsonl" stdin-dash 0 tally-merge -
expect_out '"retries":3'
run directory 0 tally-merge "$M"
expect_no_err
expect_lines '"type":"error"' 1
run empty 0 tally-merge /dev/null
if [ -s "$OUT" ]; then notok "empty: no output"; else ok "empty: no output"; fi

# The algebra, through the program.
cat "$M"/*.jsonl > "$T/all.jsonl"
tally-merge "$T/all.jsonl" > "$T/want" 2>/dev/null
tac "$T/all.jsonl" | tally-merge > "$T/tac"
same "reversed lines merge the same" "$T/want" "$T/tac"
if sort -R </dev/null >/dev/null 2>&1; then
	for i in 1 2 3; do
		sort -R "$T/all.jsonl" | tally-merge > "$T/rand"
		same "shuffled lines merge the same ($i)" "$T/want" "$T/rand"
	done
fi
tally-merge "$T/want" > "$T/again"
same "merging a merged stream changes nothing" "$T/want" "$T/again"
tally-merge "$M/gotestsum-rerun.jsonl" "$M/gotestsum-rerun.jsonl" > "$T/twice"
tally-merge "$M/gotestsum-rerun.jsonl" > "$T/once"
same "the same file twice counts once" "$T/once" "$T/twice"
tally-merge "$M/ctest-run1.jsonl" "$M/meta.jsonl" > "$T/ab"
tally-merge "$T/ab" "$M/ctest-run2.jsonl" > "$T/ab_c"
tally-merge "$M/meta.jsonl" "$M/ctest-run2.jsonl" > "$T/bc"
tally-merge "$M/ctest-run1.jsonl" "$T/bc" > "$T/a_bc"
tally-merge "$M/ctest-run1.jsonl" "$M/meta.jsonl" "$M/ctest-run2.jsonl" > "$T/abc"
same "merge(merge(a,b),c) = merge(a,b,c)" "$T/abc" "$T/ab_c"
same "merge(a,merge(b,c)) = merge(a,b,c)" "$T/abc" "$T/a_bc"

# Trouble: keep going, keep what was read, say so, exit 2.
run missing-file 2 tally-merge "$M/jest-retried.jsonl" "$T/nope.jsonl"
expect_err "tally-merge: $T/nope.jsonl: error: No such file or directory"
expect_out '"name":"should bar"'
expect_out '"type":"error"'
head -c 300 "$M/gotestsum-rerun.jsonl" > "$T/cut.jsonl"
run truncated 2 tally-merge "$T/cut.jsonl" "$M/jest-retried.jsonl"
expect_err "$T/cut.jsonl:2"
expect_lines '"type":"suite"' 1
expect_lines '"type":"error"' 1
expect_out '"name":"should bar"'
printf 'hello\n' > "$T/junk.txt"
run not-a-stream 2 tally-merge "$T/junk.txt"
expect_err "$T/junk.txt:1:1: error:"
if [ -w /dev/full ]; then
	tally-merge "$M/gotestsum-rerun.jsonl" > /dev/full 2>"$ERR"
	st=$?
	CASE=dev-full
	if [ "$st" -eq 2 ]; then ok "dev-full: exit 2"; else notok "dev-full: exit $st, wanted 2"; fi
	expect_err "write error"
fi

# -o writes atomically and leaves nothing else behind.
mkdir "$T/o"
echo old > "$T/o/all.jsonl"
run output-file 0 tally-merge -o "$T/o/all.jsonl" "$M/gotestsum-rerun.jsonl"
same "-o wrote the merged stream" "$T/once" "$T/o/all.jsonl"
if [ "$(ls -A "$T/o")" = "all.jsonl" ]; then ok "-o left no temporary file"
else notok "-o left no temporary file" "$(ls -A "$T/o")"; fi
run output-no-dir 2 tally-merge -o "$T/nodir/all.jsonl" "$M/gotestsum-rerun.jsonl"
expect_err "cannot create"
if [ -e "$T/nodir" ]; then notok "output-no-dir: nothing created"; else ok "output-no-dir: nothing created"; fi
echo old > "$T/o/keep.jsonl"
run output-after-bad-input 2 tally-merge -o "$T/o/keep.jsonl" "$T/nope.jsonl"
if grep -q '"type":"error"' "$T/o/keep.jsonl"; then ok "-o: bad input still written, with its error record"
else notok "-o: bad input still written, with its error record" "$(cat "$T/o/keep.jsonl")"; fi

cp "$M/ctest-run1.jsonl" "$T/o/acc.jsonl"
run merge-in-place 0 tally-merge -o "$T/o/acc.jsonl" "$T/o/acc.jsonl" "$M/ctest-run2.jsonl"
tally-merge "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl" > "$T/ctest-both"
same "-o may name an input: read fully before the rename" "$T/ctest-both" "$T/o/acc.jsonl"

run via-dispatcher 0 tally merge "$M/pytest-rerun.jsonl"
expect_out '"retries":2'

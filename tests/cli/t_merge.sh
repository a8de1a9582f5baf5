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

# Bounded memory: runs of about one record give the same bytes, and the
# spill file never shows in the temporary directory.
mkdir "$T/tmp"
cat "$M"/*.jsonl > "$T/all.jsonl"
tally-merge "$T/all.jsonl" > "$T/all-mem"
run runs-of-one 0 env TALLY_MERGE_RUN_BYTES=1 TMPDIR="$T/tmp" tally-merge "$T/all.jsonl"
expect_no_err
same "runs of one record: the same bytes as in memory" "$T/all-mem" "$OUT"
run runs-T 0 env TALLY_MERGE_RUN_BYTES=1 tally-merge -T "$T/tmp" "$T/all.jsonl" "$T/all-mem"
same "-T, merged input again: the same bytes" "$T/all-mem" "$OUT"
run merged-again 0 env TALLY_MERGE_RUN_BYTES=1 tally-merge -T "$T/tmp" "$T/all-mem"
same "a merged stream merges to itself, through the spill file" "$T/all-mem" "$OUT"
if [ -z "$(ls -A "$T/tmp")" ]; then ok "success: no temporary file left"
else notok "success: no temporary file left" "$(ls -A "$T/tmp")"; fi
run runs-bad-input 2 env TALLY_MERGE_RUN_BYTES=1 tally-merge -T "$T/tmp" "$T/all.jsonl" "$T/nope.jsonl"
if [ -z "$(ls -A "$T/tmp")" ]; then ok "error: no temporary file left"
else notok "error: no temporary file left" "$(ls -A "$T/tmp")"; fi
run no-tmpdir 2 env TALLY_MERGE_RUN_BYTES=1 tally-merge -T "$T/none" "$T/all.jsonl"
expect_err "error: cannot create a temporary file in '$T/none': No such file or directory"
if [ -s "$OUT" ]; then notok "no-tmpdir: nothing written"; else ok "no-tmpdir: nothing written"; fi
run no-tmpdir-in-memory 0 tally-merge -T "$T/none" "$M/ctest-run1.jsonl"
expect_out '"type":"test"'

# Killed while it holds a spill file: the file was never in the directory
# (unlinked at once); it shows only as a deleted open file.
if [ -d /proc/self/fd ]; then
	mkfifo "$T/fifo"
	TALLY_MERGE_RUN_BYTES=1 tally-merge -T "$T/tmp" "$T/fifo" > /dev/null 2>&1 &
	pid=$!
	exec 7>"$T/fifo"
	cat "$T/all.jsonl" >&7
	spilled=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		if ls -l /proc/$pid/fd 2>/dev/null | grep -q "$T/tmp/tally-merge.*(deleted)"; then
			spilled=1; break; fi
		sleep 0.2
	done
	[ -n "$spilled" ] && ok "sigterm: spill file open, already unlinked" ||
	    notok "sigterm: spill file open, already unlinked" "$(ls -l /proc/$pid/fd 2>&1)"
	if [ -z "$(ls -A "$T/tmp")" ]; then ok "sigterm: directory empty while running"
	else notok "sigterm: directory empty while running" "$(ls -A "$T/tmp")"; fi
	kill -TERM $pid
	wait $pid 2>/dev/null
	st=$?
	exec 7>&-
	[ "$st" -eq 143 ] && ok "sigterm: killed" || notok "sigterm: exit $st, wanted 143"
	if [ -z "$(ls -A "$T/tmp")" ]; then ok "sigterm: no temporary file left"
	else notok "sigterm: no temporary file left" "$(ls -A "$T/tmp")"; fi
fi

# One merge, not two: render of a merged stream and of the raw streams
# give the same bytes in every format, in memory and in runs of one.
for f in text markdown junit json github html; do
	tally-render -f $f --color=never "$T/all-mem" > "$T/r-merged.$f" 2>/dev/null
	env TALLY_MERGE_RUN_BYTES=1 tally-render -f $f --color=never -T "$T/tmp" "$T/all.jsonl" > "$T/r-raw.$f" 2>/dev/null
	same "render -f $f: merged and unmerged input, the same bytes" "$T/r-merged.$f" "$T/r-raw.$f"
	env TALLY_MERGE_RUN_BYTES=1 tally-render -f $f --color=never -T "$T/tmp" "$T/all-mem" > "$T/r-raw.$f" 2>/dev/null
	same "render -f $f: merged input through the spill file, the same bytes" "$T/r-merged.$f" "$T/r-raw.$f"
done
if [ -z "$(ls -A "$T/tmp")" ]; then ok "render: no temporary file left"
else notok "render: no temporary file left" "$(ls -A "$T/tmp")"; fi
run render-no-tmpdir 2 env TALLY_MERGE_RUN_BYTES=1 tally-render -f text -T "$T/none" "$T/all.jsonl"
expect_err "cannot create a temporary file in '$T/none'"
run junit-spool-no-tmpdir 2 tally-render -f junit -T "$T/none" "$T/all-mem"
expect_err "tally-render: error: cannot create a temporary file in '$T/none': No such file or directory"

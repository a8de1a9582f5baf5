# tally-collect as a whole: options, inputs, outputs and their faults.
. "$(dirname "$0")/lib.sh"

G=$DATA/gotest
L=$DATA/locust
DORNY=$G/go-test-json-dorny.ndjson

# ---- options ----
run help 0 tally-collect --help
expect_out "usage: tally-collect"
expect_no_err
run help-short 0 tally-collect -h
expect_out "[-o file]"

run bad-option 2 tally-collect --no-such-option
expect_err "usage: tally-collect"
[ -s "$OUT" ] && notok "bad-option: stdout not empty" || ok "bad-option: stdout empty"

run mistyped-format 2 tally-collect -f jnuit "$DORNY"
expect_err "tally-collect: unknown format 'jnuit' (did you mean 'junit'?)"
expect_err "formats: auto, junit,"
run help-lists-formats 0 tally-collect --help
expect_out "formats: auto, junit,"
expect_out "  -l, --label=key=value "
run missing-arg 2 tally-collect -o
expect_err "tally-collect: option '-o' needs an argument"

run version 0 tally-collect --version
expect_out "tally-collect 0."
expect_no_err

# ---- standard input ----
run_in "$DORNY" stdin-default 0 tally-collect
expect_lines '"type":"test"' 12
expect_lines '"source":"-"' 13
expect_no_err
run_in "$DORNY" stdin-dash 0 tally-collect -
expect_lines '"type":"test"' 12
run_in "$DORNY" stdin-dash-and-file 0 tally-collect - "$L/grpc_stats.csv"
expect_lines '"type":"perf"' 2
expect_lines '"source":"-"' 13

# ---- labels ----
run label 0 tally-collect --label python=3.11 -l shard=3 "$DORNY" "$L/grpc_stats.csv"
n=$(wc -l < "$OUT")
expect_lines '"labels":{"python":"3.11","shard":"3"}' "$n"
[ "$n" -eq 15 ] && ok "label: 15 records" || notok "label: $n records, wanted 15"
run label-replaces 0 sh -c 'tally-collect -l a=1 "$1" | tally-collect -l a=2' sh "$DORNY"
expect_lines '"labels":{"a":"2"}' 13
expect_not_out '"a":"1"'
run bad-label 2 tally-collect -l x "$DORNY"
expect_err "tally-collect: label 'x' is not key=value"
expect_err "usage: tally-collect"
[ -s "$OUT" ] && notok "bad-label: stdout not empty" || ok "bad-label: stdout empty"
run bad-label-empty-key 2 tally-collect --label==v "$DORNY"
expect_err "is not key=value"

# ---- formats ----
run format-gotest 0 tally-collect -f gotest "$DORNY"
expect_lines '"type":"test"' 12
run format-locust 0 tally-collect --format=locust "$L/bitcoin-api_failures.csv"
expect_lines '"status":"failed"' 7
run format-unknown 2 tally-collect -f nope "$DORNY"
expect_err "tally-collect: unknown format 'nope'"
expect_err "usage: tally-collect"
run format-auto-is-a-name 0 tally-collect -f auto "$L/grpc_stats.csv"
expect_lines '"type":"perf"' 2
# A forced format that does not fit is an input error, not silence.
run format-wrong 2 tally-collect -f gotest "$L/grpc_stats.csv"
expect_err "grpc_stats.csv:1: error: no go test -json event in the input"
expect_lines '"type":"error"' 1
run format-wrong-tally 2 tally-collect -f tally "$DORNY"
expect_err "go-test-json-dorny.ndjson:1: error: not a tally record"

# ---- detection of this branch's readers ----
run detect-all 0 tally-collect "$G/go-test-json-nonjson-line-mixed.ndjson" \
    "$L/bitcoin-api_stats.csv" "$L/bitcoin-api_failures.csv" \
    "$L/grpc_stats_history.csv" "$L/grpc_exceptions-header-only.csv"
expect_lines '"type":"test"' 8
# 9 rows of _stats.csv, 2 time series of _stats_history.csv.
expect_lines '"type":"perf"' 11
expect_lines '"series","value":"locust-history"' 2
expect_lines '"stderr":"|||This line is not valid test2json output.|||' 1
expect_no_err

# ---- a torn line: records before it kept, an error record, exit 2 ----
head -c 1400 "$DORNY" > "$T/torn.ndjson"
run torn 2 tally-collect "$T/torn.ndjson"
expect_err "tally-collect: $T/torn.ndjson:9:"
expect_lines '"name":"TestPassing","status":"passed"' 1
expect_lines '"name":"TestFailing","status":"failed","rawStatus":"incomplete"' 1
expect_lines '"type":"error","line":9,' 1

# ---- -o FILE ----
mkdir "$T/o"
run output 0 tally-collect -o "$T/o/all.jsonl" "$DORNY"
[ -s "$OUT" ] && notok "output: stdout not empty" || ok "output: stdout empty"
expect_no_err
[ "$(ls -A "$T/o")" = all.jsonl ] && ok "output: only the target, no temporary file" ||
    notok "output: directory holds: $(ls -A "$T/o" | tr '\n' ' ')"
[ "$(grep -c '"type":"test"' "$T/o/all.jsonl")" -eq 12 ] &&
    ok "output: 12 test records in the file" || notok "output: wrong record count"
run output-long 0 tally-collect --output="$T/o/all.jsonl" "$L/grpc_stats.csv"
[ "$(wc -l < "$T/o/all.jsonl")" -eq 2 ] && ok "output-long: file replaced" ||
    notok "output-long: file not replaced"

run output-input-error 2 tally-collect -o "$T/o/err.jsonl" "$T/torn.ndjson" "$L/grpc_stats.csv"
expect_err "torn.ndjson:9:"
if [ -f "$T/o/err.jsonl" ] &&
    [ "$(grep -c '"type":"test"' "$T/o/err.jsonl")" -eq 2 ] &&
    [ "$(grep -c '"type":"error","line":9,' "$T/o/err.jsonl")" -eq 1 ] &&
    [ "$(grep -c '"type":"perf"' "$T/o/err.jsonl")" -eq 2 ]; then
	ok "output-input-error: file has the records and the error record"
else notok "output-input-error: file content" "$(cat "$T/o/err.jsonl" 2>&1 | head -c 400)"; fi
[ "$(ls -A "$T/o" | grep -c '^\.')" -eq 0 ] && ok "output-input-error: no temporary file" ||
    notok "output-input-error: temporary file left"

run output-no-dir 2 tally-collect -o "$T/nodir/x.jsonl" "$DORNY"
expect_err "tally-collect: $T/nodir/x.jsonl: error: cannot create '$T/nodir/x.jsonl': No such file or directory"
[ -e "$T/nodir" ] && notok "output-no-dir: something was created" || ok "output-no-dir: nothing created"
[ -s "$OUT" ] && notok "output-no-dir: stdout not empty" || ok "output-no-dir: stdout empty"

# kill -9 while writing -o: nothing left beside the target (O_TMPFILE),
# and what a killed run left under a name is removed by the next run once
# its process is gone (tally-collect(1), FILES).
mkdir -p "$T/k"
mkfifo "$T/k.fifo"
tally-collect -o "$T/k/out.jsonl" "$T/k.fifo" 2>/dev/null &
kpid=$!
exec 3>"$T/k.fifo"
head -c 500 "$DORNY" >&3
sleep 1
kill -9 $kpid; wait $kpid 2>/dev/null
exec 3>&-
[ -z "$(ls -A "$T/k")" ] && ok "kill-9: no temporary file left" ||
    notok "kill-9: left $(ls -A "$T/k" | tr '\n' ' ')"
: > "$T/k/.out.jsonl.tally-tmp.$kpid.aB3dE9"
: > "$T/k/.out.jsonl.tally-tmp.$$.aB3dE9"
run kill-9-next-run 0 tally-collect -o "$T/k/out.jsonl" "$DORNY"
[ ! -e "$T/k/.out.jsonl.tally-tmp.$kpid.aB3dE9" ] &&
    ok "kill-9-next-run: a dead run's temporary file removed" ||
    notok "kill-9-next-run: a dead run's temporary file kept"
[ -e "$T/k/.out.jsonl.tally-tmp.$$.aB3dE9" ] &&
    ok "kill-9-next-run: a live run's temporary file kept" ||
    notok "kill-9-next-run: a live run's temporary file removed"
[ "$(grep -c '"type":"test"' "$T/k/out.jsonl")" -eq 12 ] &&
    ok "kill-9-next-run: output written" || notok "kill-9-next-run: output"

# ---- missing inputs ----
run missing 2 tally-collect "$T/nope.json" "$DORNY"
expect_err "tally-collect: $T/nope.json: error: No such file or directory"
expect_lines '"type":"test"' 12
expect_lines "\"type\":\"error\",\"message\":\"No such file or directory\",\"source\":\"$T/nope.json\"" 1
[ "$(wc -l < "$ERR")" -eq 1 ] && ok "missing: one message" || notok "missing: $(wc -l < "$ERR") messages"

# ---- write errors ----
if [ -w /dev/full ]; then
	run dev-full 2 sh -c 'tally-collect "$1" > /dev/full' sh "$DORNY"
	expect_err "write error"
	[ "$(wc -l < "$ERR")" -eq 1 ] && ok "dev-full: one message" ||
	    notok "dev-full: $(wc -l < "$ERR") messages" "$(cat "$ERR")"
	run dev-full-o 2 tally-collect -o /dev/full "$DORNY"
	expect_err "write error"
	[ "$(wc -l < "$ERR")" -eq 1 ] && ok "dev-full-o: one message" ||
	    notok "dev-full-o: $(wc -l < "$ERR") messages" "$(cat "$ERR")"
fi

# A closed pipe ends the run quietly, and is no trouble.
i=0
while [ $i -lt 400 ]; do cat "$G/go-test-json-parallel-fails.ndjson"; i=$((i + 1)); done > "$T/big.ndjson"
(tally-collect "$T/big.ndjson"; echo $? > "$T/pipest") 2>"$ERR" | head -1 > "$OUT"
expect_no_err
expect_lines '"type":"test"' 1
[ "$(cat "$T/pipest")" -eq 0 ] && ok "pipe: exit 0" || notok "pipe: exit $(cat "$T/pipest")"

# ---- directories ----
mkdir -p "$T/d/b" "$T/d/a" "$T/d/.hidden"
cp "$L/grpc_stats.csv" "$T/d/b/z_stats.csv"
cp "$G/go-test-json-105-panic.ndjson" "$T/d/a/panic.ndjson"
cp "$G/go-test-json-attr-action.ndjson" "$T/d/c.NDJSON"
cp "$DORNY" "$T/d/.hidden/x.ndjson"
cp "$DORNY" "$T/d/.dot.ndjson"
printf '\211PNG\r\n' > "$T/d/shot.png"
echo notes > "$T/d/notes.txt"
run dir 0 tally-collect "$T/d"
expect_no_err
grep -o '"source":"[^"]*"' "$OUT" | uniq | sed 's/.*\/d\///; s/"$//' > "$T/order"
printf '%s\n' a/panic.ndjson b/z_stats.csv c.NDJSON > "$T/want"
cmp -s "$T/order" "$T/want" && ok "dir: sorted, recursive, hidden and non-result files skipped" ||
    notok "dir: order" "$(tr '\n' ' ' < "$T/order")"
# A file named on the command line is read whatever its name.
cp "$DORNY" "$T/d/results.txt"
run named-file 0 tally-collect "$T/d/results.txt"
expect_lines '"type":"test"' 12

# A tree deeper than the walk allows: a diagnostic and an error record,
# so a gate downstream sees the loss.
deep=$T/deep/$(i=0; while [ $i -lt 66 ]; do printf 'd/'; i=$((i + 1)); done)
mkdir -p "$deep"
cp "$DORNY" "$deep/lost.ndjson"
cp "$DORNY" "$T/deep/kept.ndjson"
run deep 2 tally-collect "$T/deep"
expect_err "error: directories nested too deep"
expect_lines '"type":"error","message":"directories nested too deep"' 1
expect_lines '"type":"test"' 12
tally-collect "$T/deep" 2>/dev/null > "$T/deep.jsonl"
run deep-gate 1 tally-render -f text --fail-on error "$T/deep.jsonl"
expect_out "directories nested too deep"

# Links and special files inside a directory are not read, and said.
mkdir -p "$T/w/sub" "$T/elsewhere"
cp "$DORNY" "$T/w/real.ndjson"
cp "$DORNY" "$T/elsewhere/target.ndjson"
ln -s "$T/elsewhere/target.ndjson" "$T/w/link.ndjson"
ln -s "$T/elsewhere" "$T/w/linkdir"
ln -s "$T/elsewhere/target.ndjson" "$T/w/notes"
mkfifo "$T/w/sub/pipe.xml" "$T/w/sub/pipe"
# timeout: a FIFO opened without a writer would block the walk for good.
run walk-special 0 timeout 20 tally-collect "$T/w"
expect_lines '"type":"test"' 12
expect_lines "\"source\":\"$T/w/real.ndjson\"" 13
expect_err "tally-collect: $T/w/link.ndjson: warning: symbolic link not followed"
expect_err "tally-collect: $T/w/linkdir: warning: symbolic link not followed"
expect_err "tally-collect: $T/w/sub/pipe.xml: warning: FIFO skipped"
[ "$(wc -l < "$ERR")" -eq 3 ] && ok "walk-special: three warnings, none for 'notes' or 'pipe'" ||
    notok "walk-special: $(wc -l < "$ERR") lines on stderr" "$(cat "$ERR")"
# Named as operands, a link and a FIFO are read.
run walk-link-named 0 tally-collect "$T/w/link.ndjson"
expect_lines '"type":"test"' 12
expect_no_err
( cat "$DORNY" > "$T/w/sub/pipe.xml" & )
run walk-fifo-named 0 timeout 20 tally-collect "$T/w/sub/pipe.xml"
expect_lines '"type":"test"' 12
# A file name that would end the diagnostic's line: escaped.  (A blank
# file may be a result cut short: an error even in a walk.)
mkdir -p "$T/nl"
printf ' ' > "$T/nl/$(printf 'a\n::add-mask::x.json')"
run name-newline 2 tally-collect "$T/nl"
grep -qF 'nl/a\n::add-mask::x.json:1: error:' "$ERR" &&
    ok "name-newline: the newline shown as backslash-n" ||
    notok "name-newline: the newline not escaped" "$(cat "$ERR")"
[ "$(wc -l < "$ERR")" -eq 1 ] && ok "name-newline: one line" ||
    notok "name-newline: $(wc -l < "$ERR") lines" "$(cat "$ERR")"
mkdir -p "$T/hash"
printf ' ' > "$T/hash/##[add-mask]x.json"
run name-hash 2 tally-collect "$T/hash"
grep -qF 'hash/##\133add-mask]x.json:1: error:' "$ERR" &&
    ok "name-hash: the bracket after two hashes escaped" ||
    notok "name-hash: the bracket after two hashes not escaped"

# ---- round trip: collecting collect's output gives the same bytes ----
tally-collect -l k=v "$G" "$L" > "$T/s1" 2>/dev/null
tally-collect "$T/s1" > "$T/s2" 2>"$ERR"
CASE=roundtrip
expect_no_err
if [ -s "$T/s1" ] && cmp -s "$T/s1" "$T/s2"; then ok "roundtrip: byte-identical"
else notok "roundtrip: differs" "$(cmp "$T/s1" "$T/s2" 2>&1)"; fi
# Records keep their own source, also read from standard input.
run_in "$T/s1" roundtrip-stdin 0 tally-collect -
if cmp -s "$OUT" "$T/s1"; then ok "roundtrip-stdin: byte-identical"
else notok "roundtrip-stdin: differs"; fi

# ---- progress on a terminal (script(1) gives the run one) ----
# The delay before it shows is 0 here (TALLY_PROGRESS_DELAY_MS); the
# clock is asked every 256 records.
sh "$ROOT/tests/bench/gen-junit.sh" 600 >"$T/p1.xml"
cp "$T/p1.xml" "$T/p2.xml"
cp "$T/p1.xml" "$T/p3.xml"
cr=$(printf '\r') el=$(printf '\r\033[K')
TALLY_PROGRESS_DELAY_MS=0 script -qec "tally-collect -j 1 -o '$T/p.jsonl' '$T/p1.xml'" /dev/null >"$T/pty" 2>&1
grep -qF "${cr}tally-collect: read 1 record${cr}" "$T/pty" &&
    grep -qF "tally-collect: read 513 records" "$T/pty" &&
    ok "progress: counts on a terminal" || notok "progress: on a terminal" "$(od -c "$T/pty" | head -5)"
[ "$(tail -c 4 "$T/pty")" = "$el" ] && ok "progress: the line is cleared at the end" ||
    notok "progress: not cleared" "$(tail -c 20 "$T/pty" | od -c)"
run progress-not-a-terminal 0 env TALLY_PROGRESS_DELAY_MS=0 tally-collect -o "$T/p.jsonl" "$T/p1.xml" "$T/p2.xml"
expect_no_err
run progress-jobs-not-a-terminal 0 env TALLY_PROGRESS_DELAY_MS=0 tally-collect -j 2 -o "$T/p.jsonl" "$T/p1.xml" "$T/p2.xml"
expect_no_err
# With -j the threads' records are counted as they are written, in
# order: the counts shown rise, and the last is within 256 of the
# records in the output.
TALLY_PROGRESS_DELAY_MS=0 script -qec "tally-collect -j 2 -o '$T/pj.jsonl' '$T/p1.xml' '$T/p2.xml' '$T/p3.xml'" /dev/null >"$T/pty" 2>&1
tr '\r' '\n' <"$T/pty" | sed -n 's/^tally-collect: read \([0-9]*\) records*$/\1/p' >"$T/counts"
total=$(wc -l <"$T/pj.jsonl" | tr -d ' ')
last=$(tail -1 "$T/counts")
if [ -n "$last" ] && sort -n -c -u "$T/counts" 2>/dev/null &&
    [ "$last" -le "$total" ] && [ "$last" -gt $((total - 256)) ]
then ok "progress-jobs: $(wc -l <"$T/counts" | tr -d ' ') counts rising to $last of $total"
else notok "progress-jobs: counts wrong for $total records" "$(tr '\n' ' ' <"$T/counts")"; fi
[ "$(tail -c 4 "$T/pty")" = "$el" ] && ok "progress-jobs: the line is cleared at the end" ||
    notok "progress-jobs: not cleared" "$(tail -c 20 "$T/pty" | od -c)"

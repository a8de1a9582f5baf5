#!/bin/sh
# tests/cli/t_qa.sh: regressions found by the QA pass over the corpus and
# the hostile inputs of SECURITY-NOTES.md section 5.  Fixtures in
# tests/data/qa (see PROVENANCE.md) or generated here.
. "$(dirname "$0")/lib.sh"
Q=$DATA/qa

# A stream long enough to overflow a pipe's buffer.
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "{\"v\":1,\"type\":\"test\",\"name\":\"t%d\",\"status\":\"passed\"}\n", i }' \
    > "$T/big.jsonl"

# A closed pipe is no trouble (tally(1), EXIT STATUS): every tool stops
# writing quietly and exits as it would have had the reader read it all,
# whether the output overflowed the pipe's buffer or not.
piped() {	# piped NAME STATUS CMD...: CMD | head -c1
	name=$1 want=$2; shift 2
	("$@"; echo $? > "$T/pipest") 2>"$ERR" | head -c1 > "$OUT"
	CASE="pipe $name"
	expect_no_err
	[ "$(cat "$T/pipest")" -eq "$want" ] && ok "$CASE: exit $want" ||
	    notok "$CASE: exit $(cat "$T/pipest"), wanted $want"
}
head -3 "$T/big.jsonl" > "$T/small.jsonl"
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "{\"v\":1,\"type\":\"test\",\"name\":\"t%d\",\"status\":\"failed\"}\n", i }' \
    > "$T/bigfail.jsonl"
head -3 "$T/bigfail.jsonl" > "$T/smallfail.jsonl"
for size in big small; do
	piped "$size merge" 0 tally-merge "$T/$size.jsonl"
	for f in text markdown junit json html github; do
		piped "$size render -f $f" 0 tally-render -f $f "$T/$size.jsonl"
		piped "$size render -f $f, gate says no" 1 tally-render -f $f \
		    --fail-on failed "$T/${size}fail.jsonl"
	done
	piped "$size collect" 0 tally-collect "$T/$size.jsonl"
	piped "$size organize --help" 0 tally-organize --help
done
# After the pipe closed, collect still reads every input: a bad one later
# on is trouble, as it is when the reader takes everything.
printf '{"v":1,"type":"test"' > "$T/torn.jsonl"
for size in big small; do
	("tally-collect" "$T/$size.jsonl" "$T/torn.jsonl"; echo $? > "$T/pipest") \
	    2>"$ERR" | head -c1 > "$OUT"
	CASE="pipe $size collect, bad input after"
	expect_err "torn.jsonl"
	[ "$(cat "$T/pipest")" -eq 2 ] && ok "$CASE: exit 2" ||
	    notok "$CASE: exit $(cat "$T/pipest"), wanted 2"
done
# organize --apply and --undo into a closed log pipe: quiet too (--undo
# said "write error: No such file or directory", a stale errno), and
# every step is still done.
mkdir -p "$T/many/tests"
i=0; while [ $i -lt 2000 ]; do : > "$T/many/tests/test_m$i.py"; i=$((i + 1)); done
piped "organize --apply" 0 tally-organize --root "$T/many" --apply
run "organize --apply into a closed pipe: all moved" 0 \
    tally-organize --root "$T/many" --check
piped "organize --undo" 0 tally-organize --root "$T/many" --undo
[ -e "$T/many/tests/test_m1999.py" ] && [ ! -e "$T/many/tests/unit" ] &&
    ok "organize --undo into a closed pipe: all moved back" ||
    notok "organize --undo into a closed pipe: not all moved back"

# A full device: the message names the cause, once.
if [ -w /dev/full ]; then
	run "merge -o /dev/full" 2 tally-merge -o /dev/full "$T/big.jsonl"
	expect_err "write error: No space left on device"
	[ "$(wc -l < "$ERR")" -eq 1 ] && ok "merge -o /dev/full: one message" ||
	    notok "merge -o /dev/full: $(wc -l < "$ERR") messages" "$(cat "$ERR")"
	tally-merge "$T/big.jsonl" > /dev/full 2>"$ERR"
	CASE="merge > /dev/full"
	expect_err "write error: No space left on device"
fi

# An absurd duration is shown as such, not as a wrapped negative number
# (the cast of 1e300 ms to long was undefined).
printf '{"v":1,"type":"test","name":"slow","status":"passed","duration":1e300}\n' \
    > "$T/slow.jsonl"
run "html huge duration" 0 tally-render -f html "$T/slow.jsonl"
expect_out '<td class="n">2.78e+293 h</td>'
expect_not_out ' h -'

# Counts and lines beyond a long, durations near DBL_MAX: merged and
# rendered in every format (under make asan, UBSan stopped on the casts).
run "huge numbers: merge" 0 tally-merge "$Q/huge-numbers.jsonl"
expect_not_out '"line"'
expect_not_out '"tests"'
cp "$OUT" "$T/huge.jsonl"
for f in text markdown junit json github html; do
	run "huge numbers: render -f $f" 0 tally-render -f $f --allow-errors "$T/huge.jsonl"
	expect_no_err
	cp "$OUT" "$T/huge.$f"
done
xmllint --noout "$T/huge.junit" 2>/dev/null && ok "huge numbers: junit well-formed" ||
    notok "huge numbers: junit not well-formed"
if /usr/bin/python3 "$DATA/schema/validate_json.py" "$DATA/schema/ctrf.schema.json" \
    "$T/huge.json" 2>"$ERR"; then ok "huge numbers: CTRF valid"
else notok "huge numbers: CTRF invalid" "$(head -c 300 "$ERR")"; fi

# 30 MB of bytes that are not UTF-8 in one trace: each becomes U+FFFD
# (3 bytes), a 90 MB line the stream reader refuses.  collect says so and
# exits 2 instead of writing a record merge and render cannot read.
{
	printf '{"results":{"tool":{"name":"x"},"tests":[{"name":"ok","status":"passed"},'
	printf '{"name":"b","status":"failed","trace":"'
	head -c 30000000 /dev/zero | tr '\0' '\377'
	printf '"}]}}'
} > "$T/ff.json"
run "record over the line limit" 2 tally-collect -o "$T/ff.jsonl" "$T/ff.json"
expect_err "$T/ff.json: error: record longer than 67108864 bytes"
run "record over the line limit: stream readable" 0 tally-merge "$T/ff.jsonl"
expect_lines '"type":"error"' 1
expect_lines '"name":"ok"' 1
rm -f "$T/ff.json" "$T/ff.jsonl"

# Standard input named twice is a usage error, not two reads of it.
for t in tally-collect tally-merge "tally-render -f text"; do
	run_in "$T/small.jsonl" "$t - -" 2 $t - -
	expect_err "standard input '-' is named more than once"
	expect_err "usage: ${t%% *}"
	[ -s "$OUT" ] && notok "$t - -: stdout not empty" || ok "$t - -: stdout empty"
done
run_in "$T/small.jsonl" "collect - once" 0 tally-collect - "$T/small.jsonl"

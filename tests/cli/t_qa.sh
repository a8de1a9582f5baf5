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

# A closed pipe ends every tool quietly with exit 2 (output was lost).
piped() {	# piped NAME CMD...: CMD | head -1
	name=$1; shift
	("$@"; echo $? > "$T/pipest") 2>"$ERR" | head -1 > "$OUT"
	CASE="pipe $name"
	expect_no_err
	[ "$(cat "$T/pipest")" -eq 2 ] && ok "$CASE: exit 2" ||
	    notok "$CASE: exit $(cat "$T/pipest"), wanted 2"
}
piped merge tally-merge "$T/big.jsonl"
for f in junit json html; do
	piped "render -f $f" tally-render -f $f "$T/big.jsonl"
done
piped collect tally-collect "$T/big.jsonl"
# organize --apply and --undo into a closed log pipe: quiet too (--undo
# said "write error: No such file or directory", a stale errno), and
# every step is still done.
mkdir -p "$T/many/tests"
i=0; while [ $i -lt 2000 ]; do : > "$T/many/tests/test_m$i.py"; i=$((i + 1)); done
piped "organize --apply" tally-organize --root "$T/many" --apply
run "organize --apply into a closed pipe: all moved" 0 \
    tally-organize --root "$T/many" --check
piped "organize --undo" tally-organize --root "$T/many" --undo
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
	run "huge numbers: render -f $f" 0 tally-render -f $f "$T/huge.jsonl"
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

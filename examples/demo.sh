#!/bin/sh
# examples/demo.sh BINDIR: the main job end to end on the example results
# in examples/results (real producers' files, see examples/PROVENANCE.md).
set -u
BIN=${1:-build/bin}
OUT=${2:-build/demo}
PATH=$BIN:$PATH
mkdir -p "$OUT"
here=$(dirname "$0")

echo "== tally collect --label python=3.11 examples/results > $OUT/results.jsonl"
tally collect --label python=3.11 "$here/results" > "$OUT/results.jsonl" || exit 2
echo "   $(grep -c '"type":"test"' "$OUT/results.jsonl") test records, $(grep -c '"type":"perf"' "$OUT/results.jsonl") load-test rows"
echo "== tally merge $OUT/results.jsonl > $OUT/merged.jsonl"
tally merge "$OUT/results.jsonl" > "$OUT/merged.jsonl" || exit 2
for f in markdown:summary.md junit:merged.xml json:ctrf.json html:report.html; do
	echo "== tally render -f ${f%%:*} -o $OUT/${f#*:}"
	tally render -f "${f%%:*}" -o "$OUT/${f#*:}" "$OUT/merged.jsonl"
	[ $? -le 1 ] || exit 2
done
echo "== tally render -f text --fail-on failed $OUT/merged.jsonl"
tally render -f text --fail-on failed "$OUT/merged.jsonl"
st=$?
echo "(exit status $st: 1 means the --fail-on failed gate said no, as it should here)"
if [ -d "$here/project" ]; then
	echo "== tally organize --root examples/project   (dry run: prints the plan, moves nothing)"
	tally organize --root "$here/project"
fi
[ "$st" -le 1 ]

#!/bin/sh
# tests/bench/run.sh: `make bench`.  Times each tool on generated inputs
# and reports wall time and peak RSS.  Figures, not pass/fail: speed and
# memory are proven here, never by a timed test.
set -eu
BIN=${TALLY_BIN:-build/bin}
M=${MEASURE:-build/tests/measure}
W=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
here=$(dirname "$0")
R=$W/results.tsv
: > "$R"
m() { "$M" "$@" 3>>"$R"; }

for n in 100000 1000000; do
	sh "$here/gen-junit.sh" "$n" > "$W/j$n.xml"
	m "collect junit $n cases ($(($(wc -c < "$W/j$n.xml") / 1048576)) MiB)" \
	    "$BIN/tally-collect" -o "$W/s$n.jsonl" "$W/j$n.xml"
done
n=100000
cat "$W/s$n.jsonl" "$W/s$n.jsonl" > "$W/twice.jsonl"
m "merge $n cases collected twice" "$BIN/tally-merge" -o "$W/m.jsonl" "$W/twice.jsonl"
for f in text markdown junit json github html; do
	[ -x "$BIN/tally-render" ] || break
	m "render -f $f, $n cases" "$BIN/tally-render" -f "$f" -o "$W/out.$f" "$W/m.jsonl" || true
	printf 'output size -f %s: %s bytes\n' "$f" "$(wc -c < "$W/out.$f" 2>/dev/null || echo 0)" >> "$W/sizes"
done
printf '%-48s %10s %14s %5s\n' step seconds "peak RSS KiB" exit
awk -F '\t' '{ printf "%-48s %10s %14s %5s\n", $1, $2, $3, $4 }' "$R"
[ -f "$W/sizes" ] && cat "$W/sizes"

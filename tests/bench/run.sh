#!/bin/sh
# tests/bench/run.sh: `make bench`.  Times each tool on generated inputs
# and reports wall time and peak RSS.  Figures, not pass/fail: speed and
# memory are proven here, never by a timed test.
#
# BENCH_SCALE (percent, default 100) shrinks or grows every input, e.g.
# BENCH_SCALE=10 for a quick run.
set -eu
BIN=${TALLY_BIN:-build/bin}
M=${MEASURE:-build/tests/measure}
S=${BENCH_SCALE:-100}
W=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
here=$(dirname "$0")
R=$W/results.tsv
: > "$R"
m() { "$M" "$@" 3>>"$R"; }
sc() { echo $(($1 * S / 100)); }
mib() { echo "$(($(wc -c < "$1") / 1048576)) MiB"; }
note() { printf '%s\t\t\t\t%s\n' "$1" "$2" >> "$R"; }

# Collect: the streaming readers on small and ~100 MiB inputs.
n=$(sc 100000)
sh "$here/gen-junit.sh" "$n" > "$W/j.xml"
m "collect junit $n cases ($(mib "$W/j.xml"))" \
    "$BIN/tally-collect" -o "$W/s.jsonl" "$W/j.xml"
rm -f "$W/j.xml"
big() {		# big FAMILY GENERATOR SUFFIX N
	sh "$here/$2" "$4" > "$W/big.$3"
	m "collect $1 $4 cases ($(mib "$W/big.$3"))" \
	    "$BIN/tally-collect" -o "$W/big.jsonl" "$W/big.$3"
	rm -f "$W/big.$3" "$W/big.jsonl"
}
big junit gen-junit.sh xml "$(sc 1350000)"
big "CTRF JSON" gen-ctrf.sh json "$(sc 760000)"
big "go test -json" gen-gotest.sh ndjson "$(sc 185000)"

# Merge: the same file twice (exact duplicates), then shards with reruns.
cat "$W/s.jsonl" "$W/s.jsonl" > "$W/twice.jsonl"
m "merge $n cases collected twice" "$BIN/tally-merge" -o "$W/m.jsonl" \
    "$W/twice.jsonl"
rm -f "$W/twice.jsonl"
sh "$here/gen-junit.sh" "$n" 1 > "$W/r1.xml"
sh "$here/gen-junit.sh" "$n" 2 > "$W/r2.xml"
"$BIN/tally-collect" -o "$W/r1.jsonl" "$W/r1.xml"
"$BIN/tally-collect" -o "$W/r2.jsonl" "$W/r2.xml"
m "merge $n distinct + 2 rerun shards of 10%" "$BIN/tally-merge" \
    -o "$W/mr.jsonl" "$W/s.jsonl" "$W/r1.jsonl" "$W/r2.jsonl"
note "  merged records (flaky)" "$(wc -l < "$W/mr.jsonl") ($(grep -c '"flaky":true' "$W/mr.jsonl"))"
rm -f "$W"/r[12].* "$W/mr.jsonl"
# A merged stream is in canonical order: no table, one pass.
m "merge the merged stream again, $n cases" "$BIN/tally-merge" \
    -o "$W/mm.jsonl" "$W/m.jsonl"
rm -f "$W/mm.jsonl"

# Render: unmerged input is merged on the way (bounded, spilled runs).
m "render -f json, $n cases, unmerged input" "$BIN/tally-render" -f json \
    -o "$W/out.json" "$W/s.jsonl" || true
rm -f "$W/out.json"
# Render: each format on the merged 100k.
for f in text markdown junit json github html; do
	m "render -f $f, $n cases" "$BIN/tally-render" -f "$f" \
	    -o "$W/out.$f" "$W/m.jsonl" || true
	note "  output size -f $f" "$(wc -c < "$W/out.$f" 2>/dev/null || echo 0) bytes"
	rm -f "$W/out.$f"
done

# HTML at 1,000,000 tests: one file and --split-assets, their sizes, and
# how long headless Chromium takes from navigation to showing verdict,
# totals and the first failure (top), to the table (table) and to the
# table with every row (loaded); tests/bench/html-open.js.
h=$(sc 1000000)
sh "$here/gen-junit.sh" "$h" | "$BIN/tally-collect" |
    "$BIN/tally-merge" -o "$W/h.jsonl"
mkdir "$W/one" "$W/split"
m "render -f html, $h cases" "$BIN/tally-render" -f html \
    -o "$W/one/report.html" "$W/h.jsonl"
m "render -f html --split-assets, $h cases" "$BIN/tally-render" -f html \
    --split-assets -o "$W/split/report.html" "$W/h.jsonl"
rm -f "$W/h.jsonl"
note "  page, one file" "$(wc -c < "$W/one/report.html") bytes"
note "  page, --split-assets" "$(wc -c < "$W/split/report.html") bytes + $(ls "$W/split" | grep -c '^report-data-') parts of $(cat "$W"/split/report-data-*.js | wc -c) bytes"
if command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
	for r in 1 2 3; do
		note "  chromium ms, one file (run $r)" "$(node "$here/html-open.js" "file://$W/one/report.html" 2>&1)"
		note "  chromium ms, --split-assets (run $r)" "$(node "$here/html-open.js" "file://$W/split/report.html" 2>&1)"
	done
else
	note "  chromium" "not installed (make test-deps installs it)"
fi
rm -rf "$W/one" "$W/split"

# Organize: plan and apply on a flat tree of test files.
t=$(sc 10000)
sh "$here/gen-tree.sh" "$W/proj" "$t"
m "organize plan, $t files" "$BIN/tally-organize" --root "$W/proj" \
    > "$W/plan"
note "  plan steps" "$(wc -l < "$W/plan")"
m "organize apply, $t files" "$BIN/tally-organize" --root "$W/proj" \
    --apply > /dev/null
m "organize check after apply, $t files" "$BIN/tally-organize" \
    --root "$W/proj" --check > /dev/null || true

printf '%-48s %8s %8s %12s %4s\n' step "wall s" "cpu s" "peak RSS KiB" exit
awk -F '\t' '{
	if ($2 == "") printf "%-48s %s\n", $1, $5
	else printf "%-48s %8s %8s %12s %4s\n", $1, $2, $6, $3, $4 }' "$R"

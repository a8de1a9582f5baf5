#!/bin/sh
# tests/cli/t_html_history.sh: the HTML report of a diff stream (its tests
# filtered by change in the URL fragment) and of a history stream (trend
# chart and sparklines) in headless Chromium.  The streams are made here
# by the real programs from the real pytest reruns in tests/data/diff; the
# expected figures come from the streams through jq, not the renderer.
. "$(dirname "$0")/lib.sh"
D=$DATA/diff
CHROMIUM=${CHROMIUM:-chromium}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	notok "html: chromium not installed (make test-deps installs it)"
	exit 0
fi
H=$T/pages
mkdir -p "$H/runs"
for n in 1 2 3 4; do
	GITHUB_SHA=c$n GITHUB_RUN_ID=$n tally-collect \
	    --meta time=2026-12-0${n}T08:00:00Z "$D/run$n.xml" > "$H/runs/$n.jsonl"
done
tally-diff "$H/runs/1.jsonl" "$H/runs/4.jsonl" > "$H/d.jsonl"
tally-history "$H/runs" > "$H/h.jsonl"
run render-diff 0 tally-render -f html -o "$H/d.html" "$H/d.jsonl"
expect_no_err
run render-history 0 tally-render -f html -o "$H/h.html" "$H/h.jsonl"
expect_no_err

browse() {	# browse ARGS... : headless Chromium, fresh profile
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" --virtual-time-budget=5000 "$@"
}
dom() {		# dom NAME URL: DOM after scripts ran, into $OUT
	CASE=$1
	browse --dump-dom "$2" >"$OUT" 2>"$ERR"
	if [ -s "$OUT" ]; then ok "$CASE: page loaded"
	else notok "$CASE: empty DOM" "stderr: $(tail -c 600 "$ERR")"; fi
}
count() {	# count TEXT WANT: occurrences of TEXT in $OUT
	n=$(grep -oF -- "$1" "$OUT" | wc -l)
	if [ "$n" -eq "$2" ]; then ok "$CASE: $2 x '$1'"
	else notok "$CASE: $n x '$1', wanted $2"; fi
}
tests() { jq -c 'select(.type == "test")' "$H/d.jsonl"; }
N=$(tests | wc -l)
chg() { tests | jq -c --arg c "$1" 'select(.change == $c)' | wc -l; }

# Diff: a chip per change that links to the table filtered by it.
U=file://$H
dom diff "$U/d.html"
expect_out '<html lang="en" class="js">'
expect_out "Showing $N of $N tests"
for c in new-failure fixed new removed unchanged; do
	expect_out "<a class=\"chip chg-$c\" href=\"#change=$c\">$c <b>$(chg $c)</b></a>"
done
count '<option value="new-failure">new-failure</option>' 1
for c in new-failure fixed removed; do
	dom "diff-$c" "$U/d.html#change=$c"
	expect_out "Showing $(chg $c) of $N tests"
	count "<span class=\"tag chg-$c\">$c</span>" "$(chg $c)"
done
# Filters combine: the new failures that are failed now.
dom diff-combined "$U/d.html#change=new-failure&status=passed"
expect_out "Showing 0 of $N tests"
# A report of a plain stream has no change filter.
run render-plain 0 tally-render -f html -o "$H/p.html" "$H/runs/1.jsonl"
dom plain "$U/p.html"
count 'id="f-change"' 0
expect_out "Showing $(jq -c 'select(.type=="test")' "$H/runs/1.jsonl" | wc -l) of"

# History: the trend chart has a point per run with its pass rate, each
# listed test a sparkline of its statuses; no zero totals.
dom history "$U/h.html"
RUNS=$(jq -c 'select(.type == "run")' "$H/h.jsonl" | wc -l)
expect_out "<h2>History <span class=\"count\">$RUNS runs</span></h2>"
count '<circle class="p-rate"' "$RUNS"
for r in $(jq -r 'select(.type == "run") | "\(.run):\(.passRate)"' "$H/h.jsonl"); do
	expect_out "<title>run ${r%%:*}: pass rate $(printf '%.2f' "${r#*:}")%"
done
flips=$(jq -r 'select(.type == "history" and .name == "test_flips") | .statuses' "$H/h.jsonl")
expect_out "aria-label=\"Latest $RUNS runs: $flips\""
# One sparkline per listed test: the flaky ones and the failing ones,
# ten of each at most.
NSPARK=$(jq -s '[.[] | select(.type == "history")] |
    ([.[] | select(.flakyRate > 0)] | length | [., 10] | min) +
    ([.[] | select(.failingRuns > 0)] | length | [., 10] | min)' "$H/h.jsonl")
count '<svg class="spark"' "$NSPARK"
count '0 tests' 0
expect_out "$(jq -s '[.[] | select(.type == "history")] | length' "$H/h.jsonl") tests over $RUNS runs"
# Strict CSP kept: no inline style attribute, no external asset.
count ' style="' 0
count 'src="http' 0

#!/bin/sh
# tests/cli/t_html_split.sh: --split-assets with the test rows in data
# parts (report-data-0001.js, ...), in a real browser.  2,000 test cases
# from tests/bench/gen-junit.sh (every 50th from the 8th fails, every
# 100th from the 4th is skipped), collected and merged, rendered with
# TALLY_HTML_PART_ROWS=300 so that the rows span seven parts; headless
# Chromium opens the page from file:// and dumps the DOM once the parts
# are in.  Expected figures come from the merged stream through jq.
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-chromium}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	notok "html-split: chromium not installed (make test-deps installs it)"
	exit 0
fi

S=$T/split
mkdir -p "$S"
sh "$ROOT/tests/bench/gen-junit.sh" 2000 >"$T/gen.xml"
run collect 0 tally collect -o "$T/c.jsonl" "$T/gen.xml"
run merge 0 tally merge -o "$T/m.jsonl" "$T/c.jsonl"
run render 0 env TALLY_HTML_PART_ROWS=300 tally render -f html --split-assets \
    -o "$S/report.html" "$T/m.jsonl"
expect_no_err

tests() { jq -c 'select(.type == "test")' "$T/m.jsonl"; }
N=$(tests | wc -l)
NFAIL=$(tests | jq -c 'select(.status == "failed")' | wc -l)
NPASS=$(tests | jq -c 'select(.status == "passed")' | wc -l)
NPARTS=$(( (N + 299) / 300 ))
# The last test in the stream's order, and its place (the fragment's
# test= key): it passed, so its row is in the last part.
LAST=$(tests | jq -r .name | tail -1)
LASTI=$((N - 1))
grp() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# The files: page, style, script and the parts, nothing else (no
# temporary file left), each part a call of tallyRows.
CASE=files
want=$(for p in $(seq 1 "$NPARTS"); do printf 'report-data-%04d.js\n' "$p"; done
    printf 'report.css\nreport.html\nreport.js\n')
got=$(ls -A "$S")
if [ "$got" = "$want" ]; then ok "files: $NPARTS parts beside report.html"
else notok "files: wrong set" "$(echo "$got" | tr '\n' ' ')"; fi
if [ "$(grep -l "\"$LAST\"" "$S"/report-data-*.js)" = "$(printf '%s/report-data-%04d.js' "$S" "$NPARTS")" ]
then ok "files: $LAST in the last part"
else notok "files: $LAST not in the last part"; fi
if ! grep -q '"test_case_57"' "$S"/report-data-*.js && grep -q '"test_case_57"' "$S/report.html"
then ok "files: the failure test_case_57 is in the page, not in a part"
else notok "files: test_case_57 misplaced"; fi

browse() {	# browse ARGS... : headless Chromium, fresh profile
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" --virtual-time-budget=20000 "$@"
}
dom() {		# dom NAME URL: DOM after scripts ran, into $OUT
	CASE=$1
	browse --dump-dom "$2" >"$OUT" 2>"$ERR"
	if [ -s "$OUT" ]; then ok "$CASE: page loaded"
	else notok "$CASE: empty DOM" "stderr: $(tail -c 600 "$ERR")"; fi
}
U=file://$S

# Opened from file://: verdict, totals, the first failure written out,
# and every row once the parts are in (none twice, none missing).
dom open "$U/report.html"
expect_out '<title>✗ Failed · Test report</title>'
expect_out "<strong>$(grp "$NFAIL") of $(grp "$N") tests failed</strong>"
expect_out "<span class=\"num\">$(grp "$NPASS")</span>"
first=$(sed -n '/<article class="test" id="f1">/,/<\/article>/p' "$OUT" | tr -d '\n')
case $first in
*'<span class="name">test_case_57</span>'*'assert 57 == 58'*) ok "open: first failure test_case_57 written out";;
*) notok "open: first failure not test_case_57" "$(echo "$first" | head -c 300)";;
esac
expect_out "Showing $(grp "$N") of $(grp "$N") tests</p>"
expect_out 'data-loaded-ms='
expect_not_out 'could not be loaded'
first=$(grep -o 'aria-rowindex="2"[^>]*><div class="c-st" role="cell"><span class="st st-[a-z]*"' "$OUT" | sed 's/.*st-//; s/"//')
if [ "$first" = failed ]; then ok "open: first row is a failure"
else notok "open: first row is '$first'"; fi

dom passed "$U/report.html#status=passed"
expect_out "Showing $(grp "$NPASS") of $(grp "$N") tests</p>"

# Sorted by time, the rows of all parts merged in order: the slowest
# first, ties in the stream's order.
SLOWEST=$(tests | jq -s -r '(map(.duration) | max) as $m | map(select(.duration == $m))[0].name')
dom sorted "$U/report.html#sort=duration&dir=desc"
first=$(grep -o '<button type="button" title="[^"]*">[^<]*</button>' "$OUT" | head -1 | sed 's/.*">//; s/<.*//')
if [ "$first" = "$SLOWEST" ]; then ok "sorted: slowest first ($SLOWEST)"
else notok "sorted: first row is '$first', wanted '$SLOWEST'"; fi

# A filter in the fragment that finds a row of the last part, and that
# row's details.
dom later-part "$U/report.html#q=$LAST&test=$LASTI"
expect_out "Showing 1 of $(grp "$N") tests</p>"
expect_out ">$LAST</button>"
expect_out "<span class=\"name\">$LAST</span>"

# The parts missing: the failures are still in the table, and the page
# says what could not be loaded.
mkdir "$T/noparts"
cp "$S/report.html" "$S/report.js" "$S/report.css" "$T/noparts/"
dom no-parts "file://$T/noparts/report.html#status=failed"
expect_out "Showing $(grp "$NFAIL") of $(grp "$N") tests — $NPARTS parts of the data could not be loaded</p>"

# Nothing partial on failure: part 3 cannot be written (a directory is
# in its place), so no part, no style or script and no page is left.
mkdir -p "$T/bad/report-data-0003.js"
run fail 2 env TALLY_HTML_PART_ROWS=300 tally render -f html --split-assets \
    -o "$T/bad/report.html" "$T/m.jsonl"
expect_err "report-data-0003.js': Is a directory"
got=$(ls -A "$T/bad")
if [ "$got" = report-data-0003.js ]; then ok "fail: nothing left beside the obstacle"
else notok "fail: left behind" "$(echo "$got" | tr '\n' ' ')"; fi

# The default part size holds 2,000 rows in one part; without
# --split-assets the page is one file.
mkdir "$T/one" "$T/single"
run one-part 0 tally render -f html --split-assets -o "$T/one/report.html" "$T/m.jsonl"
if [ "$(ls -A "$T/one" | tr '\n' ' ')" = 'report-data-0001.js report.css report.html report.js ' ]
then ok "one-part: one data part"
else notok "one-part: $(ls -A "$T/one" | tr '\n' ' ')"; fi
run single 0 tally render -f html -o "$T/single/report.html" "$T/m.jsonl"
if [ "$(ls -A "$T/single")" = report.html ]; then ok "single: one file"
else notok "single: $(ls -A "$T/single" | tr '\n' ' ')"; fi

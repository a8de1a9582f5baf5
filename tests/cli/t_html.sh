#!/bin/sh
# tests/cli/t_html.sh: the HTML report in a real browser.  The pages are
# made here by the real programs from real producers' files:
# tally collect (two matrix legs) | tally merge | tally render -f html;
# the hostile page from the stream fixture tests/data/html/hostile.jsonl,
# and the 1,000,000-test page from tests/bench/gen-junit.sh.  Headless
# Chromium opens them, runs their script and dumps the DOM, which is what
# these cases look at.  The expected counts come from the merged stream
# through jq, not from the renderer.
. "$(dirname "$0")/lib.sh"

CHROMIUM=${CHROMIUM:-chromium}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	notok "html: chromium not installed (make test-deps installs it)"
	exit 0
fi

H=$T/pages
mkdir -p "$H/split"

# Two legs of a matrix, labelled runner=windows and runner=linux, from
# JUnit XML (jest-junit, go-junit-report, gotestsum, Surefire with a
# flaky rerun, Playwright, pytest with reruns), Jest JSON with ANSI
# colours and CTRF with retries.  The linux leg also has a pytest file cut
# off mid-way: its records before the fault are kept, an error record
# names file, line and column, and tally collect exits 2.
run collect-windows 0 tally collect -l runner=windows -o "$H/windows.jsonl" \
    "$DATA/junit/jest-junit-windows-failures.xml" \
    "$DATA/json/jest-aggregated-ansi-escapes.json" \
    "$DATA/pipeline/gotestsum-junitxml-report.xml" \
    "$DATA/junit/go-junit-report-001-pass-fail-skip.xml" \
    "$DATA/pipeline/TEST-io.olamy.FlakyTest-3.0.2.xml"
run collect-linux 2 tally collect -l runner=linux -o "$H/linux.jsonl" \
    "$DATA/junit/pytest-truncated-corrupt.xml" \
    "$DATA/junit/playwright-junit-failures.xml" \
    "$DATA/pipeline/pytest-rerun-duplicate-testcases.xml" \
    "$DATA/json/ctrf-legacy-jest-ansi-ai.json" \
    "$DATA/pipeline/jest-aggregated-retried.json"
expect_err 'pytest-truncated-corrupt.xml:11:22: error: unexpected end of file'
run merge 0 tally merge -o "$H/merged.jsonl" "$H/windows.jsonl" "$H/linux.jsonl"
run render-html 1 tally render -f html --fail-on failed,error -o "$H/example.html" "$H/merged.jsonl"
expect_no_err
run render-split 1 tally render -f html --fail-on failed --split-assets \
    -o "$H/split/report.html" "$H/merged.jsonl"
expect_no_err
run render-hostile 0 tally render -f html -o "$H/hostile.html" "$DATA/html/hostile.jsonl"
expect_no_err
# One test: "1 of 1 test failed", "1 test" in the chart titles.
printf '{"v":1,"type":"test","name":"only","status":"failed","category":"unit","duration":5,"message":"boom"}\n' >"$T/one.jsonl"
run render-one 0 tally render -f html -o "$H/one.html" "$T/one.jsonl"
expect_no_err
for w in '<strong>1 of 1 test failed</strong>' '<title>unit: 1 test, 1 failed</title>' ': 1 test, 1 failed</title><rect'; do
	grep -qF "$w" "$H/one.html" && ok "render-one: '$w'" || notok "render-one: no '$w'"
done
if grep -q '1 tests' "$H/one.html"; then notok "render-one: '1 tests'"; else ok "render-one: no '1 tests'"; fi
if [ ! -s "$H/example.html" ] || [ ! -s "$H/hostile.html" ]; then
	notok "html: no pages to open"
	exit 0
fi

# The 1,000,000-test page is made while the browser looks at the others.
{ sh "$ROOT/tests/bench/gen-junit.sh" 1000000 |
    tally collect 2>"$T/large.err" | tally merge 2>>"$T/large.err" |
    tally render -f html -o "$H/large.html" 2>>"$T/large.err"
  echo $? >"$T/large.st"; } &
large=$!

# Independent figures from the merged stream.
tests() { jq -c 'select(.type == "test")' "$H/merged.jsonl"; }
N=$(tests | wc -l)
NBAD=$(tests | jq -c 'select(.status == "failed" or .status == "other")' | wc -l)
NFAIL=$(tests | jq -c 'select(.status == "failed")' | wc -l)
NPASS=$(tests | jq -c 'select(.status == "passed")' | wc -l)
NLINUXFAIL=$(tests | jq -c 'select(.status == "failed" and .labels.runner == "linux")' | wc -l)
NVAL=$(tests | jq -r '.labels // {} | to_entries[] | "\(.key)=\(.value)"' | sort -u | wc -l)
SLOWEST=$(tests | jq -s -r 'max_by(.duration) | .name')

# The page's data block, and the index of the first test named $2 in it
# (what the fragment's test= key takes).
data() {
	sed -n '/<script type="application\/json" id="tally-data">/,/<\/script>/p' "$1" |
	    sed -e '1s/.*id="tally-data">//' -e '$s/<\/script>.*//'
}
idx() { data "$1" | jq --arg n "$2" '[.tests[][0] | startswith($n)] | index(true)'; }

browse() {	# browse ARGS... : headless Chromium, fresh profile
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" --virtual-time-budget=5000 "$@"
}

dom() {		# dom NAME URL [more flags]: DOM after scripts ran, into $OUT
	CASE=$1 url=$2; shift 2
	browse --dump-dom "$@" "$url" >"$OUT" 2>"$ERR"
	if [ -s "$OUT" ]; then ok "$CASE: page loaded"
	else notok "$CASE: empty DOM" "stderr: $(tail -c 600 "$ERR")"; fi
}

count() {	# count TEXT WANT: occurrences of TEXT in $OUT
	n=$(grep -oF -- "$1" "$OUT" | wc -l)
	if [ "$n" -eq "$2" ]; then ok "$CASE: $2 x '$1'"
	else notok "$CASE: $n x '$1', wanted $2"; fi
}


U=file://$H

# The script ran (so the CSP hashes matched): table, counts, failures.
CASE=csp
if grep -q "script-src 'sha256-[A-Za-z0-9+/]*='; style-src 'sha256-" "$H/example.html"
then ok "csp: inline script and style allowed by their hashes"
else notok "csp: no sha256 sources in the policy"; fi
dom example "$U/example.html"
expect_out '<html lang="en" class="js">'
expect_out "Showing $N of $N tests"
count '<article class="test"' "$NBAD"
expect_out "<strong>$NBAD of $N tests failed</strong>"
expect_out "<span class=\"gname\">failed</span>: $NFAIL tests failed"
expect_out '<span class="gname">error</span>: 1 input could not be read completely'
expect_out 'pytest-truncated-corrupt.xml:11:22</code> unexpected end of file'
# The breakdowns' names became filter buttons.
count 'class="flt" disabled' 0
if grep -qE 'class="flt" data-f="label" data-v="[0-9]+">linux</button>' "$OUT"
then ok "example: label value 'linux' is a filter button"
else notok "example: no filter button for label value 'linux'"; fi
# Rows in view only, failures first.
n=$(grep -o 'role="row" aria-rowindex=' "$OUT" | wc -l)
if [ "$n" -gt 10 ] && [ "$n" -lt "$N" ]; then ok "example: $n rows in the DOM, not $N"
else notok "example: $n rows in the DOM"; fi
first=$(grep -o 'aria-rowindex="2"[^>]*><div class="c-st" role="cell"><span class="st st-[a-z]*"' "$OUT" | sed 's/.*st-//; s/"//')
if [ "$first" = failed ]; then ok "example: first row is a failure"
else notok "example: first row is '$first'"; fi

# A view opened through the URL fragment: jest's "Timeout test", and the
# Playwright failures whose message names a timeout; not the CTRF test
# "should handle session timeouts", which passed on a retry.
dom fragment "$U/example.html#status=failed&q=timeout"
expect_out 'Showing 3 of '"$N"' tests'
expect_out '>Timeout test</button>'
expect_not_out '>should handle session timeouts</button>'

dom matrix-cell "$U/example.html#label=runner%3Dlinux&status=failed"
expect_out "Showing $NLINUXFAIL of $N tests"

dom sorted "$U/example.html#sort=duration&dir=desc"
first=$(grep -o '<button type="button" title="[^"]*">[^<]*</button>' "$OUT" | head -1 | sed 's/.*">//; s/<.*//')
if [ "$first" = "$SLOWEST" ]; then ok "sorted: slowest first"
else notok "sorted: first row is '$first', wanted '$SLOWEST'"; fi
expect_out 'aria-sort="descending"'

# A test's details, rendered only when asked for (here: by the fragment):
# go-junit-report's passing TestPassLog and its captured log.
i=$(idx "$H/example.html" TestPassLog)
dom detail "$U/example.html#q=TestPassLog&test=$i"
expect_out '<pre class="log">    pass_test.go:9: log line'
# The script's own ANSI whitelist, on Jest's coloured failure (the
# server-side copy writes class="a-f1 a-b " with a trailing space).
i=$(idx "$H/example.html" 'Should fail')
dom detail-ansi "$U/example.html#status=failed&test=$i"
expect_out '<span class="a-f1 a-b">Sample Failing Test › Inner › Inner Inner › Should fail</span>'
i=$(idx "$H/hostile.html" '<img src=x')
dom hostile-detail "$U/hostile.html#test=$i"
expect_out '<pre class="trace">click <span class="a-f1">red</span> true  done</pre>'
expect_out '<pre class="log">␇bell ␁? </pre>'
count '<a rel=' 2
count 'href="javascript' 0
dom no-detail "$U/example.html#q=TestPassLog"
expect_out 'Showing 1 of '"$N"' tests'
expect_out 'aria-label="Selected test" hidden=""></section>'
expect_not_out '<pre class="log">    pass_test.go:9: log line'

# Hostile strings stay text, in the server HTML and in the table.  Two
# tests match: the one named <img ... onerror=...>, and the rerun whose
# first failure (the one tally merge reports) has it as its message.
dom hostile "$U/hostile.html#q=onerror"
expect_out 'Showing 2 of 4 tests'
count '<img' 0
count '<svg onload' 0
# Attribute names only: quoted values (escaped data) removed first.
tags=$(sed -E 's/"[^"]*"//g' "$OUT" | grep -oE '<[a-zA-Z][^>]* on[a-z]+=' | wc -l)
if [ "$tags" -eq 0 ]; then ok "hostile: no element has an on* attribute"
else notok "hostile: $tags elements with on* attributes"; fi
count '<textarea' 0
count '<script>alert' 0
expect_out '&lt;img src=x onerror=alert(1)&gt;</button>'
count '<script' 2
expect_out '<title>✗ Failed · Test report</title>'
# The table's own escaping of control and bidi characters.
i=$(idx "$H/hostile.html" 'bidi')
dom hostile-bidi "$U/hostile.html#q=bidi&test=$i"
expect_out 'bidi &lt;U+202E&gt;gnp.exe'

# One test of one: "Showing 1 of 1 test".
dom one "$U/one.html"
expect_out 'Showing 1 of 1 test<'

# No JavaScript (what Jenkins' default CSP does to report.js): verdict,
# totals and failures are still there.
mkdir "$T/nojs"
cp "$H/split/report.html" "$H/split/report.css" "$T/nojs/"
dom nojs "file://$T/nojs/report.html"
expect_not_out 'class="js"'
expect_out '<div id="app" hidden="">'
expect_out 'needs JavaScript, which is off or blocked here'
count 'class="flt" disabled="" data-f="label"' "$NVAL"
count '<article class="test"' "$NBAD"
expect_out "<span class=\"num\">$NPASS</span>"
expect_out "<strong>$NBAD of $N tests failed</strong>"
expect_out 'pytest-truncated-corrupt.xml:11:22</code> unexpected end of file'
expect_not_out 'Showing '

# --split-assets: script and style from report.js and report.css under
# default-src 'none'; script-src 'self'; style-src 'self'.
CASE=split-csp
if grep -qF "content=\"default-src 'none'; script-src 'self'; style-src 'self';" "$H/split/report.html" &&
    [ -s "$H/split/report.js" ] && [ -s "$H/split/report.css" ] &&
    ! grep -q '<script>' "$H/split/report.html"
then ok "split-csp: policy allows 'self' only, no inline script"
else notok "split-csp: policy or asset files wrong"; fi
dom split "$U/split/report.html#status=failed"
expect_out "Showing $NFAIL of $N tests"
CASE=split-style
browse --screenshot="$T/split.png" --window-size=1280,900 "$U/split/report.html" >/dev/null 2>&1
sed -e 's|<link rel="stylesheet" href="report.css">||' "$H/split/report.html" >"$H/split/nostyle.html"
browse --screenshot="$T/nostyle.png" --window-size=1280,900 "$U/split/nostyle.html" >/dev/null 2>&1
if [ -s "$T/split.png" ] && ! cmp -s "$T/split.png" "$T/nostyle.png"; then ok "split-style: report.css applied"
else notok "split-style: report.css changed nothing"; fi

# 1,000,000 tests (gen-junit.sh: every 50th from the 8th fails, every
# 100th from the 4th is skipped): one load with a filter in the fragment.
# The server-written top is whole, the table shows the filtered rows
# only, and the DOM stays small.
wait "$large"
CASE=large-pipeline
if [ "$(cat "$T/large.st")" = 0 ] && [ ! -s "$T/large.err" ] && [ -s "$H/large.html" ]
then ok "large-pipeline: collect | merge | render"
else notok "large-pipeline: failed" "stderr: $(head -c 600 "$T/large.err")"; fi
start=$(date +%s%N)
dom large "$U/large.html#status=failed&q=test_case_9907" --virtual-time-budget=60000
end=$(date +%s%N)
expect_out '<title>✗ Failed · Test report</title>'
expect_out '<strong>20,000 of 1,000,000 tests failed</strong>'
expect_out '<span class="num">1,000,000</span>'
expect_out '<span class="num">970,000</span>'
# The first failure in canonical order: suite pkg.Suite0, names in byte
# order (test_case_57 before test_case_7), written out with its trace.
first=$(sed -n '/<article class="test" id="f1">/,/<\/article>/p' "$OUT" | tr -d '\n')
case $first in
*'<span class="name">test_case_57</span>'*'assert 57 == 58'*'Traceback'*) first=test_case_57;;
esac
if [ "$first" = test_case_57 ]; then ok "large: first failure test_case_57 written out"
else notok "large: first failure not test_case_57" "$(echo "$first" | head -c 300)"; fi
# Named test_case_9907*, failing: _9907, _990707 and _990757.
expect_out 'Showing 3 of 1,000,000 tests'
n=$(grep -o 'role="row" aria-rowindex=' "$OUT" | wc -l)
if [ "$n" -eq 3 ]; then ok "large: 3 rows in the DOM"
else notok "large: $n rows in the DOM"; fi
CASE=large-size
sz=$(wc -c <"$H/large.html")
if [ "$sz" -lt 60000000 ]; then ok "large-size: $sz bytes, compact rows"
else notok "large-size: $sz bytes for 1,000,000 tests"; fi
ms=$(grep -o 'data-ready-ms="[0-9]*"' "$OUT" | tr -dc 0-9)
echo "# large.html: $sz bytes; table ready ${ms}ms after navigation; chromium run $(( (end - start) / 1000000 )) ms"

# The screenshot taken above (of the example page with its style sheet)
# is a PNG.
CASE=screenshot
if [ "$(head -c 8 "$T/split.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ]; then ok "screenshot: PNG written"
else notok "screenshot: no PNG"; fi

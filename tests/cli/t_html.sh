#!/bin/sh
# tests/cli/t_html.sh: the HTML report in a real browser.  The pages are
# written by the Check suite render_html (tests/check_render_html.c) into
# <build>/tests/html/; headless Chromium opens them, runs their script and
# dumps the DOM, which is what these cases look at.
. "$(dirname "$0")/lib.sh"

H=$(cd "$TALLY_BIN/.." && pwd)/tests/html
CHROMIUM=${CHROMIUM:-chromium}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	notok "html: chromium not installed (make deps installs it)"
	exit 0
fi
if [ ! -f "$H/example.html" ]; then
	notok "html: $H/example.html missing (the Check runner writes it)"
	exit 0
fi

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

# The script ran (so the CSP hash matched): table, counts, failures.
dom example "$U/example.html"
expect_out '<html lang="en" class="js">'
expect_out 'Showing 90 of 90 tests'
count '<article class="test"' 4
expect_out '<strong>4 of 90 tests failed</strong>'
expect_out '<span class="gname">failed</span>: 4 tests failed'
# The breakdowns' names became filter buttons.
count 'class="flt" disabled' 0
expect_out 'class="flt" data-f="label" data-v="2">3.11</button>'
# Rows in view only, failures first.
n=$(grep -o 'role="row" aria-rowindex=' "$OUT" | wc -l)
if [ "$n" -gt 10 ] && [ "$n" -lt 90 ]; then ok "example: $n rows in the DOM, not 90"
else notok "example: $n rows in the DOM"; fi
first=$(grep -o 'aria-rowindex="2"[^>]*><div class="c-st" role="cell"><span class="st st-[a-z]*"' "$OUT" | sed 's/.*st-//; s/"//')
if [ "$first" = failed ]; then ok "example: first row is a failure"
else notok "example: first row is '$first'"; fi

# A view opened through the URL fragment.
dom fragment "$U/example.html#status=failed&q=timeout"
expect_out 'Showing 1 of 90 tests'
expect_out '>test_timeout_read</button>'
expect_not_out '>test_non_ascii_value</button>'

dom matrix-cell "$U/example.html#label=python%3D3.11&status=failed"
expect_out 'Showing 2 of 90 tests'

dom sorted "$U/example.html#sort=duration&dir=desc"
first=$(grep -o '<button type="button" title="[^"]*">[^<]*</button>' "$OUT" | head -1 | sed 's/.*">//; s/<.*//')
if [ "$first" = test_timeout_read ]; then ok "sorted: slowest first"
else notok "sorted: first row is '$first'"; fi
expect_out 'aria-sort="descending"'

# A test's details, rendered only when asked for (here: by the fragment).
dom detail "$U/example.html#q=test_idna_host&test=9"
expect_out '<pre class="log">resolved xn--bcher-kva.example'
# The script's own ANSI whitelist, on a trace it renders.
dom detail-ansi "$U/example.html#status=failed&test=5"
expect_out "<span class=\"a-f1 a-b\">&gt;       assert h['x-name'] == 'café'</span>"
dom hostile-detail "$U/hostile.html#test=0"
expect_out '<pre class="trace">click <span class="a-f1">red</span> true  done</pre>'
expect_out '<pre class="log">␇bell ␁? </pre>'
count '<a rel=' 2
count 'href="javascript' 0
dom no-detail "$U/example.html#q=test_idna_host"
expect_out 'Showing 3 of 90 tests'
expect_out 'aria-label="Selected test" hidden=""></section>'
expect_not_out '<pre class="log">resolved'

# Hostile strings stay text, in the server HTML and in the table.
dom hostile "$U/hostile.html#q=onerror"
expect_out 'Showing 1 of 4 tests'
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
dom hostile-bidi "$U/hostile.html#q=bidi&test=1"
expect_out 'bidi &lt;U+202E&gt;gnp.exe'

# No JavaScript (what Jenkins' default CSP does to report.js): verdict,
# totals and failures are still there.
mkdir "$T/nojs"
cp "$H/split/report.html" "$H/split/report.css" "$T/nojs/"
dom nojs "file://$T/nojs/report.html"
expect_not_out 'class="js"'
expect_out '<div id="app" hidden="">'
expect_out 'needs JavaScript, which is off or blocked here'
count 'class="flt" disabled="" data-f="label"' 3
count '<article class="test"' 4
expect_out '<span class="num">82</span>'
expect_not_out 'Showing '

# --split-assets: script and style from report.js and report.css under
# default-src 'none'; script-src 'self'; style-src 'self'.
dom split "$U/split/report.html#status=failed"
expect_out 'Showing 4 of 90 tests'
CASE=split-style
browse --screenshot="$T/split.png" --window-size=1280,900 "$U/split/report.html" >/dev/null 2>&1
cp "$H/example.html" "$T/inline.html"
browse --screenshot="$T/inline.png" --window-size=1280,900 "$U/split/report.html" >/dev/null 2>&1
sed -e 's|<link rel="stylesheet" href="report.css">||' "$H/split/report.html" >"$H/split/nostyle.html"
browse --screenshot="$T/nostyle.png" --window-size=1280,900 "$U/split/nostyle.html" >/dev/null 2>&1
rm -f "$H/split/nostyle.html"
if cmp -s "$T/split.png" "$T/nostyle.png"; then notok "split-style: report.css changed nothing"
else ok "split-style: report.css applied"; fi

# 100,000 tests: opens, filters, keeps the DOM small.
start=$(date +%s%N)
dom large "$U/large.html" --virtual-time-budget=30000
end=$(date +%s%N)
expect_out 'Showing 100,000 of 100,000 tests'
n=$(grep -o 'role="row" aria-rowindex=' "$OUT" | wc -l)
if [ "$n" -lt 100 ]; then ok "large: $n rows in the DOM"
else notok "large: $n rows in the DOM"; fi
dom large-filter "$U/large.html#status=failed&q=test_case_0990" --virtual-time-budget=30000
expect_out 'Showing 1 of 100,000 tests'
ms=$(grep -o 'data-ready-ms="[0-9]*"' "$OUT" | tr -dc 0-9)
echo "# large.html: $(wc -c <"$H/large.html") bytes; table ready ${ms}ms after navigation; chromium run $(( (end - start) / 1000000 )) ms"

# A screenshot of the example.
CASE=screenshot
browse --screenshot="$T/shot.png" --window-size=1280,2000 "$U/example.html" >/dev/null 2>&1
if [ "$(head -c 8 "$T/shot.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ]; then ok "screenshot: PNG written"
else notok "screenshot: no PNG"; fi

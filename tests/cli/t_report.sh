#!/bin/sh
# tests/cli/t_report.sh: what the reports tell a CI engineer: which matrix
# cell failed, where (file and line), and the failures grouped by cause.
# Inputs are real runners' files from tests/data, collected as a CI
# matrix would (one cell per database, each split in shards).
. "$(dirname "$0")/lib.sh"
J=$DATA/junit
PY=$J/horovod-spark-fail-xunit1.xml

tally-collect -l db=postgres -l shard=1 "$PY" >"$T/pg.jsonl"
tally-collect -l db=sqlite -l shard=2 "$PY" >"$T/lite.jsonl"
cat "$T/pg.jsonl" "$T/lite.jsonl" >"$T/matrix.jsonl"

# 1. Every failure, flaky and slowest line names its cell, never its shard.
run labels-text 0 tally-render -f text "$T/matrix.jsonl"
expect_out "FAIL pytest › test.test_spark.SparkTests › test_rsh_events [db=postgres] ("
expect_out "FAIL pytest › test.test_spark.SparkTests › test_rsh_events [db=sqlite] ("
expect_out "  pytest › test.test_spark.SparkTests › test_rsh_events [db=postgres]"
expect_lines "shard=" 0
run labels-markdown 0 tally-render -f markdown "$T/matrix.jsonl"
expect_out "test&#95;rsh&#95;events &#91;db=postgres&#93;"
expect_out "test&#95;rsh&#95;events &#91;db=sqlite&#93;"
expect_not_out "shard=1&#93;"
expect_not_out ",shard="
run labels-github 0 tally-render -f github "$T/matrix.jsonl"
expect_out "title=pytest › test.test_spark.SparkTests › test_rsh_events [db=postgres]::"
expect_out "title=pytest › test.test_spark.SparkTests › test_rsh_events [db=sqlite]::"
expect_lines "shard=" 0

# 2. JUnit: shard is in no name; the flat layout has every test case
# directly in a top-level suite; --junit-strict validates against the
# Jenkins xUnit plugin's junit-10.xsd (tests/data/schema/PROVENANCE.md),
# here with reruns, flaky tests and an input error from real producers.
XSD=$DATA/schema/junit-10.xsd
run junit-nested 0 tally-render -f junit "$T/matrix.jsonl"
expect_out '<testcase name="test_rsh_events [db=postgres]"'
expect_out '<testsuite name="db=sqlite"'
expect_lines "shard" 0
run junit-flat 0 tally-render -f junit --junit-layout flat "$T/matrix.jsonl"
expect_out '<testsuite name="pytest [db=postgres]" tests="5" failures="1"'
expect_out '<testcase name="test_rsh_events [db=sqlite]"'
expect_lines "shard" 0
n=$(xmllint --xpath 'count(/testsuites/testsuite/testcase)' "$OUT")
if [ "$n" = 10 ]; then ok "junit-flat: 10 test cases directly in top-level suites"
else notok "junit-flat: $n test cases directly in top-level suites, wanted 10"; fi
n=$(xmllint --xpath 'count(//testsuite/testsuite)' "$OUT")
if [ "$n" = 0 ]; then ok "junit-flat: no nested suite"
else notok "junit-flat: $n nested suites"; fi
run bad-layout 2 tally-render -f junit --junit-layout deep "$T/matrix.jsonl"
expect_err "tally-render: bad --junit-layout 'deep'"
for l in nested flat; do
	run "junit-strict-$l" 0 tally-render -f junit --allow-errors --junit-strict \
	    --junit-layout $l "$T/matrix.jsonl" "$DATA/merge/surefire-alwaysfail.jsonl" \
	    "$DATA/merge/surefire-flaky.jsonl" "$DATA/merge/pytest-rerun.jsonl" \
	    "$DATA/merge/truncated.jsonl"
	cp "$OUT" "$T/strict.xml"
	if xmllint --noout --schema "$XSD" "$T/strict.xml" 2>"$T/xsd.err"; then
		ok "junit-strict-$l: validates against junit-10.xsd"
	else notok "junit-strict-$l: does not validate" "$(head -5 "$T/xsd.err")"; fi
	grep -q "<rerunFailure\|<flakyFailure" "$T/strict.xml" &&
	    grep -q 'name="tally"' "$T/strict.xml" &&
	    ok "junit-strict-$l: has reruns and an input error" ||
	    notok "junit-strict-$l: lacks reruns or the input error"
done

# 5. GitHub shows 10 errors a step: 12 matrix cells failing the same way
# and 6 failures of 3 other kinds (Mocha, Playwright, Go panics): the ten
# annotations show each kind, and the notice says where the rest are.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	tally-collect -l cell=$i "$PY"
done >"$T/cells.jsonl"
tally-collect "$J/playwright-junit-failures.xml" \
    "$J/mocha-junit-reporter-failures-stack.xml" \
    "$J/go-junit-report-014-panic-errors.xml" >"$T/kinds.jsonl"
run gh-cap 0 tally-render -f github --meta run_url=https://ci.example/run/7 \
    "$T/cells.jsonl" "$T/kinds.jsonl"
expect_lines "::error " 10
expect_out "title=package/panic › Failure::"
expect_out "[project=chromium]::"
expect_out "should not fetch with invalid project name::AssertionError"
expect_out "test_rsh_events [cell=1]::"
expect_out "Annotated 10 of 18 (0 input errors, 10 failures, 0 flaky; new failures first, then one per error signature); 8 not annotated (GitHub shows 10 of each kind): every one is in the job summary and the full report of https://ci.example/run/7."
run gh-cap-option 0 tally-render -f github --max-annotations 3 "$T/cells.jsonl" "$T/kinds.jsonl"
expect_lines "::error " 3
expect_out "Annotated 3 of 18"
run gh-cap-one 0 tally-render -f github --max-annotations 1 "$T/cells.jsonl" "$T/kinds.jsonl"
expect_out "Annotated 1 of 18 (0 input errors, 1 failure, 0 flaky;"

# 3. Two matrix cells collected without a label: merge warns, naming the
# test and both sources; with labels it says nothing.
PASS=$DATA/report/horovod-spark-pass-xunit1.xml
tally-collect "$PY" >"$T/nolabel-a.jsonl"
tally-collect "$PASS" >"$T/nolabel-b.jsonl"
run merge-conflict 0 tally-merge "$T/nolabel-a.jsonl" "$T/nolabel-b.jsonl"
expect_err "tally-merge: warning: 'test.test_spark.SparkTests.test_rsh_events' passed in '$PASS' and failed in '$PY', and no label tells them apart"
n=$(grep -c warning "$ERR")
if [ "$n" = 1 ]; then ok "merge-conflict: one warning"; else notok "merge-conflict: $n warnings"; fi
run render-conflict 0 tally-render -f text "$T/nolabel-a.jsonl" "$T/nolabel-b.jsonl"
expect_err "tally-render: warning: 'test.test_spark.SparkTests.test_rsh_events' passed in"
tally-collect -l db=postgres "$PY" >"$T/label-a.jsonl"
tally-collect -l db=sqlite "$PASS" >"$T/label-b.jsonl"
run merge-labelled 0 tally-merge "$T/label-a.jsonl" "$T/label-b.jsonl"
expect_no_err
run merge-same-source 0 tally-merge "$T/nolabel-a.jsonl" "$T/nolabel-a.jsonl"
expect_no_err
# A rerun of what failed, in a second file, is no matrix: no warning.
run merge-rerun-file 0 tally-merge "$DATA/merge/ctest-run1.jsonl" "$DATA/merge/ctest-run2.jsonl"
expect_no_err
expect_out '"flaky":true'

# 4. File and line for every failure the data allows, on real traces.
run where-pytest-xunit1 0 tally-render -f github "$T/matrix.jsonl"
expect_out "::error file=test/test_spark.py,line=820,title="
tally-collect "$J/TEST-FailingTest-properties.xml" >"$T/surefire.jsonl"
run where-java 0 tally-render -f github --path-prefix src/test/java/ "$T/surefire.jsonl"
expect_out "::error file=src/test/java/org/apache/maven/surefire/test/FailingTest.java,line=23,title="
expect_out "::error file=src/test/java/org/apache/maven/surefire/test/FailingTest.java,line=34,title="
tally-collect "$J/gotestsum-junitxml-report.xml" >"$T/go.jsonl"
run where-go 0 tally-render -f github --path-strip gotest.tools/gotestsum/ "$T/go.jsonl"
expect_out "::error file=testjson/internal/parallelfails/fails_test.go,line=50,title="
tally-collect "$J/jest-junit-windows-failures.xml" >"$T/jest.jsonl"
run where-js 0 tally-render -f github \
    --path-strip 'C:\Users\Michal\Workspace\dorny\test-check\reports\jest\' "$T/jest.jsonl"
expect_out "::error file=__tests__/main.test.js,line=10,title="
expect_not_out "file=node_modules"
tally-collect "$J/pytest-xunit2-properties.xml" >"$T/xunit2.jsonl"
run where-classname 0 tally-render -f github "$T/xunit2.jsonl"
expect_out "::error file=tests/test_lib.py,line=25,title=pytest › tests.test_lib › test_always_fail::"
tally-collect "$J/nextest-fixture-project-rerunFailure.xml" >"$T/rust.jsonl"
run where-rust 0 tally-render -f github "$T/rust.jsonl"
expect_out "::error file=tests/basic.rs,line=19,title="
run where-text 0 tally-render -f text --path-prefix src/test/java/ "$T/surefire.jsonl"
expect_out " src/test/java/org/apache/maven/surefire/test/FailingTest.java:23"

# 6. Markdown and HTML link file:line to the commit the CI built.
run link-md-github 0 env GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=o/r \
    GITHUB_SHA=abc123 tally-render -f markdown --path-prefix src/test/java/ "$T/surefire.jsonl"
expect_out "File: [src/test/java/org/apache/maven/surefire/test/FailingTest\\.java\\:23](https://github.com/o/r/blob/abc123/src/test/java/org/apache/maven/surefire/test/FailingTest.java#L23)"
run link-md-gitlab 0 env -u GITHUB_SERVER_URL CI_PROJECT_URL=https://gitlab.example/g/p \
    CI_COMMIT_SHA=def456 tally-render -f markdown "$T/xunit2.jsonl"
expect_out "](https://gitlab.example/g/p/-/blob/def456/tests/test_lib.py#L25)"
run link-md-none 0 env -u GITHUB_SERVER_URL -u CI_PROJECT_URL tally-render -f markdown "$T/xunit2.jsonl"
expect_out "File: tests/test\\_lib\\.py\\:25"
run link-html 0 env GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=o/r \
    GITHUB_SHA=abc123 tally-render -f html "$T/xunit2.jsonl"
expect_out 'href="https://github.com/o/r/blob/abc123/tests/test_lib.py#L25"><code class="file">tests/test_lib.py:25</code></a>'

# 7. Triage: failures grouped by cause, largest first, each with its
# example and its tests: 12 cells failing alike, and three other causes.
run triage-text 0 tally-render -f text "$T/cells.jsonl" "$T/kinds.jsonl"
expect_out "=== Failures by cause (18 failures in 4 groups)"
expect_out "12  AssertionError: <n> != <n>"
expect_out "    e.g. pytest › test.test_spark.SparkTests › test_rsh_events [cell=1] test/test_spark.py:820"
expect_out "    also pytest › test.test_spark.SparkTests › test_rsh_events [cell=10]"
expect_out " 2  AssertionError: HTTP status <n> !== <n>"
expect_out " 2  Runtime error"
n1=$(grep -n "12  AssertionError" "$OUT" | cut -d: -f1)
n2=$(grep -n " 2  Runtime error" "$OUT" | cut -d: -f1)
[ "$n1" -lt "$n2" ] && ok "triage-text: largest group first" || notok "triage-text: order"
run triage-markdown 0 tally-render -f markdown "$T/cells.jsonl" "$T/kinds.jsonl"
expect_out "18 failures in 4 groups."
expect_out "<details><summary>12 × AssertionError&#58; &lt;n&gt; &#33;= &lt;n&gt;</summary>"
cp "$OUT" "$T/report.md"
run triage-html 0 tally-render -f html "$T/cells.jsonl" "$T/kinds.jsonl"
expect_out '<section id="causes">'
expect_out '<p>18 failures in 4 groups.</p>'

# The Markdown renders on GitHub as meant: cmark-gfm (GitHub's renderer)
# makes every table and every <details> of it, in balance.
cmark-gfm --unsafe -e table "$T/report.md" >"$T/report.html"
tables=$(grep -c '^|[-:|]*$' "$T/report.md")
if [ "$tables" -gt 0 ] && [ "$(grep -c '<table>' "$T/report.html")" = "$tables" ]; then
	ok "cmark-gfm: $tables tables rendered"
else notok "cmark-gfm: tables" "md: $tables, html: $(grep -c '<table>' "$T/report.html")"; fi
o=$(grep -c '<details>' "$T/report.html"); c=$(grep -c '</details>' "$T/report.html")
if [ "$o" -gt 0 ] && [ "$o" = "$c" ] && [ "$o" = "$(grep -c '^<details>' "$T/report.md")" ]; then
	ok "cmark-gfm: $o details in balance"
else notok "cmark-gfm: details" "open $o close $c"; fi
if grep -q '<summary>12 × AssertionError&#58; &lt;n&gt; &#33;= &lt;n&gt;</summary>' "$T/report.html"; then
	ok "cmark-gfm: summary kept as text"; else notok "cmark-gfm: summary"; fi
if grep -q '<td>' "$T/report.html" && ! grep -q '^<p>|' "$T/report.html"; then
	ok "cmark-gfm: no table left as a paragraph"; else notok "cmark-gfm: a table became a paragraph"; fi

# 7b. Named triage categories from the rules file (tally-rules(5)): a
# failure the first matching category takes is grouped under its name,
# the rest by signature as before.  Firefox's Playwright failure matches
# both browser categories and goes to the first.
mkdir -p "$T/proj/sub"
cat >"$T/proj/.tally.yml" <<'YML'
triage:
  - name: Firefox
    trace: '^\s*\[firefox\] '
  - name: Browser
    message: 'get started link$'
  - name: Go panics
    trace: '^panic: '
  - name: Wrong HTTP status
    message: 'HTTP status \d+ !== \d+'
YML
run triage-rules-text 0 tally-render -f text --rules "$T/proj/.tally.yml" "$T/cells.jsonl" "$T/kinds.jsonl"
expect_out "=== Failures by cause (18 failures in 5 groups)"
expect_out "12  AssertionError: <n> != <n>"
expect_out " 2  Wrong HTTP status: 2 failures"
expect_out " 2  Go panics: 2 failures"
expect_out " 1  Browser: 1 failure"
expect_out "    e.g. example.spec.ts › get started link [project=chromium]"
expect_out " 1  Firefox: 1 failure"
expect_out "    e.g. example.spec.ts › get started link [project=firefox]"
sed -n '/^=== Failures by cause/,/^$/p' "$OUT" >"$T/causes"
grep -q "Runtime error\|HTTP status <n>" "$T/causes" &&
    notok "triage-rules-text: a category's failures also by signature" ||
    ok "triage-rules-text: a category's failures only under its name"
expect_no_err
# Without --rules: signatures only.
run triage-no-rules 0 tally-render -f text "$T/cells.jsonl" "$T/kinds.jsonl"
expect_not_out "Go panics"
expect_out " 2  Runtime error"
# --rules alone finds .tally.yml here or above, as tally collect does.
(cd "$T/proj/sub" && tally-render -f markdown --rules "$T/cells.jsonl" "$T/kinds.jsonl" >"$T/named.md" 2>"$T/named.err")
CASE=triage-rules-markdown
OUT=$T/named.md
expect_out "18 failures in 5 groups."
expect_out "<details><summary><b>Go panics</b>: 2 failures</summary>"
expect_out "<details><summary><b>Firefox</b>: 1 failure</summary>"
expect_out "<details><summary>12 × AssertionError&#58; &lt;n&gt; &#33;= &lt;n&gt;</summary>"
OUT=$T/out
[ -s "$T/named.err" ] && notok "triage-rules-markdown: stderr" "$(cat "$T/named.err")" ||
    ok "triage-rules-markdown: stderr empty"
cmark-gfm --unsafe -e table "$T/named.md" >"$T/named.html"
grep -qF '<summary><b>Wrong HTTP status</b>: 2 failures</summary>' "$T/named.html" &&
    ok "cmark-gfm: a category's summary kept" || notok "cmark-gfm: category summary"
run triage-rules-html 0 tally-render -f html --rules="$T/proj/.tally.yml" "$T/cells.jsonl" "$T/kinds.jsonl"
expect_out '<p>18 failures in 5 groups.</p>'
expect_out '<details><summary><strong class="category">Go panics</strong>: <span class="count">2</span> failures</summary>'
expect_out '<details><summary><strong class="category">Firefox</strong>: <span class="count">1</span> failure</summary>'
expect_out '<details><summary><span class="count">12</span> × <code>AssertionError: &lt;n&gt; != &lt;n&gt;</code></summary>'
# A bad pattern is the rules file's error, by line and column: exit 2,
# nothing written.
printf 'triage:\n  - name: Timeouts\n    message: "(timeout"\n' >"$T/bad.yml"
run triage-bad-pattern 2 tally-render -f text --rules "$T/bad.yml" "$T/cells.jsonl"
expect_err "tally-render: $T/bad.yml:3:14: error: bad regex at offset 8: missing closing parenthesis"
[ -s "$OUT" ] && notok "triage-bad-pattern: stdout not empty" || ok "triage-bad-pattern: stdout empty"
printf 'triage:\n  - {name: T, mesage: x}\n' >"$T/bad2.yml"
run triage-bad-key 2 tally-render -f html -o "$T/bad.html" --rules "$T/bad2.yml" "$T/cells.jsonl"
expect_err "tally-render: $T/bad2.yml:2:15: error: unknown key 'mesage' in triage category"
[ -e "$T/bad.html" ] && notok "triage-bad-key: report written" || ok "triage-bad-key: no report"
# A pattern that backtracks without end stops at PCRE2's match limit.
printf 'triage:\n  - {name: T, trace: "^(\\\\w+\\\\s?)+$"}\n' >"$T/slow.yml"
printf '{"v":1,"type":"test","name":"x","status":"failed","trace":"%s!"}\n{"v":1,"type":"test","name":"y","status":"failed","trace":"z"}\n' \
    "$(printf 'ab %.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30)" >"$T/slow.jsonl"
run triage-match-limit 2 tally-render -f markdown -o "$T/slow.md" --rules "$T/slow.yml" "$T/slow.jsonl"
expect_err "tally-render: $T/slow.yml:2:22: error: regex '^(\\w+\\s?)+\$' (rules line 2) failed on 'ab ab"
expect_err "match limit exceeded"

# 8. Branch, commit and run from the stream's meta records: the commit
# linked on the CI's forge, the branch of a ref, CTRF's own fields.
printf '{"v":1,"type":"meta","meta":{"branch":"feature/refund","commit":"0123456789abcdef","run_url":"https://github.com/o/r/actions/runs/9","run_id":"9"}}\n' >"$T/meta.jsonl"
run run-md 0 env GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=o/r \
    tally-render -f markdown "$T/meta.jsonl" "$T/pg.jsonl"
expect_out "Commit: [0123456789ab](https://github.com/o/r/commit/0123456789abcdef) · Branch: feature/refund · [Run](https://github.com/o/r/actions/runs/9)"
printf '{"v":1,"type":"meta","meta":{"ref":"refs/heads/main","commit":"abc1234"}}\n' >"$T/ref.jsonl"
run run-md-ref 0 env -u GITHUB_SERVER_URL -u CI_PROJECT_URL \
    tally-render -f markdown "$T/ref.jsonl" "$T/pg.jsonl"
expect_out "Commit: abc1234 · Branch: main"
run run-ctrf 0 tally-render -f json "$T/meta.jsonl" "$T/pg.jsonl"
env=$(jq -c '.results.environment | {branchName, commit, buildUrl, buildId}' "$OUT")
if [ "$env" = '{"branchName":"feature/refund","commit":"0123456789abcdef","buildUrl":"https://github.com/o/r/actions/runs/9","buildId":"9"}' ]; then
	ok "run-ctrf: environment from meta"
else notok "run-ctrf: environment" "$env"; fi
if jq -e '.results.environment.extra.run_url' "$OUT" >/dev/null 2>&1; then
	notok "run-ctrf: run_url still in extra"; else ok "run-ctrf: run_url not in extra"; fi
python3 "$DATA/schema/validate_json.py" "$DATA/schema/ctrf.schema.json" "$OUT" >"$T/v.out" 2>&1 &&
    ok "run-ctrf: validates" || notok "run-ctrf: schema" "$(head -3 "$T/v.out")"

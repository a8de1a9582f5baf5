#!/bin/sh
# tests/cli/t_json.sh: tally-collect on single-document JSON reports
# (CTRF, jest, mocha, pytest-json-report, pytest-benchmark, k6).
. "$(dirname "$0")/lib.sh"
J=$DATA/json

# File, records of type test, records of type perf (counted with python3),
# and whether its declared counts disagree with its tests (tally.declared:
# jest-junit's hand-made mocks do).
while read -r f tests perf declared; do
	run "collect $f" 0 tally-collect "$J/$f"
	if [ "${declared:-0}" -eq 0 ]; then expect_no_err
	else expect_err "warning: the file declares"; fi
	expect_lines '"type":"test"' "$tests"
	expect_lines '"type":"perf"' "$perf"
	expect_lines '"type":"meta"' $((1 + ${declared:-0}))
	expect_lines '"tally.declared"' "${declared:-0}"
	expect_lines '"type":"error"' 0
done <<'LIST'
ctrf-legacy-jest-ansi-ai.json 10 0
ctrf-spec-comprehensive.json 3 0
ctrf-spec-minimal.json 1 0
ctrf-spec-with-retries.json 2 0
cypress-ctrf-json-reporter-failure.json 1 0
cypress-ctrf-specversion-0.0.0-339-tests.json 339 0
jest-ctrf-json-reporter-2023.json 21 0
jest-aggregated-ansi-escapes.json 1 0 1
jest-aggregated-failure-details.json 1 0 1
jest-aggregated-retried.json 1 0
jest-aggregated-suite-compile-failure.json 2 0 1
mocha-json-reporter-nested.json 5 0
mochawesome-nested-suites.json 3 0
pytest-json-report-0.8-sample.json 10 0
pytest-7.2.1-json-report-collection-error.json 1 0
mocha-10.8.2-hooks-runtime-skip.json 7 0
jest-29.7.0-suite-failures.json 6 0
pytest-benchmark-2.5.0-storage-0001.json 0 1
pytest-benchmark-2.5.0-storage-0030.json 0 1
pytest-benchmark-3.2.2-macos.json 0 2
pytest-benchmark-3.2.2-several-units.json 0 4
k6-handleSummary-grpc-root-group.json 3 3
k6-handleSummary-http-simple.json 4 10
LIST

# A file whose stats disagree with its arrays (hand-edited upstream):
# failures[] names a test tests[] does not list; the stream says so.
run "collect mocha-json-reporter-simple.json" 0 tally-collect "$J/mocha-json-reporter-simple.json"
expect_lines '"type":"test"' 4
expect_lines '"status":"failed"' 2
expect_out '"tally.declared":"the file declares 3 tests (4 found), 1 failed (2 found)"'
expect_err "mocha-json-reporter-simple.json:2: warning: the file declares 3 tests (4 found), 1 failed (2 found)"

# Each format by name, from standard input.
for pair in ctrf:ctrf-spec-minimal.json jest:jest-aggregated-retried.json \
    mocha:mocha-json-reporter-simple.json \
    pytest-json:pytest-json-report-0.8-sample.json \
    pytest-benchmark:pytest-benchmark-3.2.2-macos.json \
    k6:k6-handleSummary-http-simple.json; do
	run_in "$J/${pair#*:}" "--format ${pair%%:*} from stdin" 0 \
	    tally-collect --format "${pair%%:*}" -
	[ "${pair%%:*}" = mocha ] || expect_no_err
	expect_out '"source":"-"'
done

# A JSON document of no known shape is refused, not read as nothing.
run "wrong shape" 2 tally-collect "$J/playwright-json-wrong-shape.json"
expect_err "playwright-json-wrong-shape.json:1: error: unrecognized format"
expect_out '"type":"error"'
expect_lines '"type":"test"' 0

# Forcing the wrong reader says what is missing.
run "ctrf read as jest" 2 tally-collect -f jest "$J/ctrf-spec-minimal.json"
expect_err "ctrf-spec-minimal.json: error: not a jest report: no testResults array"
expect_lines '"type":"test"' 0
run "jest read as ctrf" 2 tally-collect -f ctrf "$J/jest-aggregated-retried.json"
expect_err "error: not a CTRF report: no results.tests array"
run "ctrf read as k6" 2 tally-collect -f k6 "$J/ctrf-spec-minimal.json"
expect_err "error: not a k6 summary: no metrics object"
run "mocha read as pytest-json" 2 tally-collect -f pytest-json "$J/mochawesome-nested-suites.json"
expect_err "error: not a pytest-json-report file: no tests array"

# A report cut short keeps the tests before the cut and says where.
head -c 3000 "$J/cypress-ctrf-specversion-0.0.0-339-tests.json" > "$T/cut.json"
run "truncated ctrf" 2 tally-collect "$T/cut.json"
expect_err "cut.json:100:56: error: unexpected end of JSON"
expect_lines '"type":"test"' 7
expect_lines '"type":"meta"' 1
expect_out '{"v":1,"type":"error","line":100,"column":56,"message":"unexpected end of JSON"'

# Garbage after the document, NUL bytes, deep nesting, 1e999.
{ cat "$J/ctrf-spec-minimal.json"; printf 'junk\n'; } > "$T/trail.json"
run "trailing garbage" 2 tally-collect "$T/trail.json"
expect_err "trail.json:27:1: error: trailing data after the document, found 'j'"
expect_lines '"type":"test"' 1
printf '{"results":{"tool":{},"tests":[{"name":"a"},\000]}}' > "$T/nul.json"
run "NUL byte" 2 tally-collect -f ctrf "$T/nul.json"
expect_err "nul.json:1:45: error: expected a JSON value, found byte 0x00"
expect_lines '"type":"test"' 1
{ printf '{"results":{"tool":{},"tests":[{"name":"a","extra":'
  i=0; while [ $i -lt 70 ]; do printf '['; i=$((i + 1)); done; } > "$T/deep.json"
run "nesting too deep" 2 tally-collect "$T/deep.json"
expect_err "deep.json:1:112: error: nesting too deep: more than 64 levels"
printf '{"results":{"tool":{},"tests":[{"name":"a","duration":1e999}]}}' > "$T/inf.json"
run "1e999" 2 tally-collect "$T/inf.json"
expect_err "error: number out of range"
printf '{"results":{"tool":{},"tests":[{"name":"a\\u0000b","status":"passed"}]}}' > "$T/nul-escape.json"
run "escaped NUL" 2 tally-collect "$T/nul-escape.json"
expect_err 'nul-escape.json:1:42: error: NUL character (\u0000) in a string'
expect_lines '"type":"test"' 0
expect_lines '"type":"error"' 1

# Durations over 30 days or negative are left unknown, with a warning
# naming the line where the test starts and the value kept as given.
cat >"$T/huge-duration.json" <<'JSON'
{"results": {"tool": {"name": "t"}, "summary": {"tests": 2},
 "tests": [
  {"name": "a", "status": "passed", "duration": 1e29,
   "retryAttempts": [{"status": "failed", "duration": -4}]},
  {"name": "b", "status": "passed", "duration": 2592000000}
 ]}}
JSON
run "ctrf huge duration" 0 tally-collect "$T/huge-duration.json"
expect_err "tally-collect: $T/huge-duration.json:3: warning: duration 1e+29 ms is not a duration of 0 to 2592000 seconds (30 days); duration left unknown"
expect_err "tally-collect: $T/huge-duration.json:3: warning: duration -4 ms is not"
expect_lines '"duration":2592000000' 1
expect_lines '"duration"' 1
expect_lines '{"name":"tally.badDuration","value":"1e+29"}' 1
expect_lines '{"name":"tally.badDuration","value":"-4"}' 1
printf '%s\n' '{"numTotalTests":1,"testResults":[{"name":"/a.test.js","assertionResults":[{"title":"t","status":"passed","duration":1e30}]}]}' >"$T/jest-huge.json"
run "jest huge duration" 0 tally-collect "$T/jest-huge.json"
expect_err "warning: duration 1e+30 ms is not a duration"
expect_lines '"duration"' 0
expect_lines '{"name":"tally.badDuration","value":"1e+30"}' 1
printf '%s\n' '{"created":1,"exitcode":0,"root":"/r","tests":[{"nodeid":"t.py::a","outcome":"passed","call":{"duration":3e9}}]}' >"$T/pytest-huge.json"
run "pytest-json huge duration" 0 tally-collect "$T/pytest-huge.json"
expect_err "warning: duration 3000000000000 ms is not a duration"
expect_lines '"duration"' 0
expect_lines '{"name":"tally.badDuration","value":"3000000000"}' 1
printf '%s\n' '{"stats":{"tests":1},"tests":[{"title":"a","fullTitle":"a","duration":-7,"err":{}}],"passes":[]}' >"$T/mocha-huge.json"
run "mocha negative duration" 0 tally-collect "$T/mocha-huge.json"
expect_err "warning: duration -7 ms is not a duration"
expect_lines '{"name":"tally.badDuration","value":"-7"}' 1

# Records from a good report stay when the next input is bad.
run "good then bad" 2 tally-collect "$J/ctrf-spec-minimal.json" "$T/cut.json"
expect_lines '"type":"test"' 8 # 1 + the 7 before the cut
expect_lines '"type":"error"' 1

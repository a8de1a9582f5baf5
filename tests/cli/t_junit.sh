#!/bin/sh
# tests/cli/t_junit.sh: tally-collect on JUnit XML and Check XML logs.
. "$(dirname "$0")/lib.sh"
J=$DATA/junit

# A good file: one record per testcase (xmllint counts them), no stderr.
run good 0 tally-collect "$J/horovod-spark-fail-xunit1.xml"
expect_no_err
expect_lines '"type":"test"' "$(xmllint --xpath 'count(//testcase)' "$J/horovod-spark-fail-xunit1.xml")"
expect_out '"name":"test_rsh_events","status":"failed","rawStatus":"failure"'
expect_out '"filePath":"test/test_spark.py","line":820'	# pytest xunit1: 0-based 819 + 1

# Malformed: earlier tests kept, an error record, a diagnostic, exit 2.
run truncated 2 tally-collect "$J/pytest-truncated-corrupt.xml"
expect_err "tally-collect: $J/pytest-truncated-corrupt.xml:11:22: error: unexpected end of file"
expect_lines '"name":"test_check_shape_compatibility"' 1
expect_lines '"type":"error","line":11,"column":22,"message":"unexpected end of file"' 1
run bad-attr 2 tally-collect "$J/web-test-runner-template-lt-in-attr.xml"
expect_err "web-test-runner-template-lt-in-attr.xml:9:"
expect_err "error: unescaped '<' not allowed in attributes values"

# Hostile: a DOCTYPE is refused before anything is expanded.
cat >"$T/xxe.xml" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE t [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<testsuite><testcase name="&x;"/></testsuite>
XML
run doctype 2 tally-collect "$T/xxe.xml"
expect_err "tally-collect: $T/xxe.xml:2:1: error: DOCTYPE not supported: DTDs are refused"
expect_not_out 'root:'
expect_lines '"type":"test"' 0

# A time over 30 days is no duration: a warning names file and line, the
# record notes what was given, and the input still counts as read.
cat >"$T/huge-time.xml" <<'XML'
<testsuite name="s">
<testcase name="a" time="99999999999999999999999999999"/>
<testcase name="b" time="1.5"/>
</testsuite>
XML
run huge-time 0 tally-collect "$T/huge-time.xml"
expect_err "tally-collect: $T/huge-time.xml:2: warning: time '99999999999999999999999999999' is not a duration of 0 to 2592000 seconds (30 days); duration left unknown"
expect_lines '"duration"' 1
expect_lines '"name":"a","status":"passed","suite":["s"],"properties":[{"name":"tally.badDuration","value":"99999999999999999999999999999"}]' 1

# A directory: every .xml and .json inside, sorted; other files skipped.
mkdir -p "$T/dir/sub"
cp "$J/ctest-output-junit.xml" "$J/gtest-notrun-disabled.xml" "$T/dir/"
cp "$J/check-xml-log-failures.xml" "$T/dir/sub/"
echo "not a result" >"$T/dir/notes.txt"
run directory 0 tally-collect "$T/dir"
expect_no_err
expect_lines '"type":"test"' 13
expect_lines '"type":"error"' 0
expect_lines "\"source\":\"$T/dir/sub/check-xml-log-failures.xml\"" 7
# In a walk, a file that is not XML at all is no result file: a warning.
cp "$J/non-xml.xml" "$T/dir/"
run directory-not-xml 0 tally-collect "$T/dir"
expect_lines '"type":"test"' 13
expect_lines '"type":"error"' 0
expect_err "$T/dir/non-xml.xml: warning: not a test result file (no known format), skipped"

# Standard input and a forced format.
run_in "$J/check-xml-check-0.15.2-generated.xml" stdin 0 tally-collect -f checkxml -
expect_lines '"type":"test"' 6
expect_out '"name":"crashes","status":"failed","rawStatus":"error"'
run forced-wrong 2 tally-collect -f checkxml "$J/ctest-output-junit.xml"
expect_err "error: root element 'testsuite' is not a Check XML log"

# Round trip: collecting collect's own output gives the same bytes.
for f in TEST-ExampleTests-rerunError-rerunFailure-flaky.xml \
    phpunit-nested-phpcheckstyle.xml gotestsum-junitxml-report.xml \
    check-xml-check-0.15.2-generated.xml; do
	tally-collect "$J/$f" >"$T/once.jsonl" 2>"$ERR"
	tally-collect "$T/once.jsonl" >"$T/twice.jsonl" 2>>"$ERR"
	if [ -s "$T/once.jsonl" ] && cmp -s "$T/once.jsonl" "$T/twice.jsonl" &&
	    [ ! -s "$ERR" ]; then
		ok "roundtrip $f"
	else
		notok "roundtrip $f" "$(diff "$T/once.jsonl" "$T/twice.jsonl" | head -5)"
	fi
done

# The same through the dispatcher.
run dispatcher 0 tally collect "$J/ctest-output-junit.xml"
expect_lines '"type":"test"' 4

# Issue 8: colour codes and control characters in a failure keep the
# tests around them; the record says it was repaired, a warning names the
# line, and the gate sees the failure.
gate_fails() {	# gate_fails NAME FILE N: collect | render --fail-on failed
	run "$1" 1 sh -c 'tally-collect "$1" | tally-render -f text --fail-on failed' sh "$2"
	expect_out ", $3 failed"
	expect_out "FAIL: gate 'failed' failed"
}
run bats-colour 0 tally-collect "$J/bats-1.8.2-coloured-failure.xml"
expect_err "tally-collect: $J/bats-1.8.2-coloured-failure.xml:8: warning: test 'coloured failure' recovered; ANSI escape sequences removed"
expect_lines '"type":"test"' 3
expect_lines '"type":"error"' 0
expect_lines '"status":"passed"' 2
expect_out '"name":"coloured failure","status":"failed","rawStatus":"failure"'
expect_out 'got 3","properties":[{"name":"tally.recovered","value":"ansi"}]'
gate_fails bats-colour-gate "$J/bats-1.8.2-coloured-failure.xml" 1
run jest-raw-esc 0 tally-collect "$J/jest-junit-raw-esc-in-failure.xml"
expect_err "jest-junit-raw-esc-in-failure.xml:7: warning: test 'Failing test' recovered; ANSI escape sequences removed; control characters replaced by U+FFFD"
expect_lines '"type":"test"' "$(xmllint --xpath 'count(//testcase)' "$J/jest-junit-windows-failures.xml")"
expect_out "$(printf '"trace":"Error: expect(received).toBeTruthy()\\n\\nReceived: false\357\277\275\\n')"
expect_lines 'tally.recovered' 1
gate_fails jest-raw-esc-gate "$J/jest-junit-raw-esc-in-failure.xml" "$(xmllint --xpath 'count(//testcase[failure])' "$J/jest-junit-windows-failures.xml")"
# The same from the bats installed here (make deps installs it).
if command -v bats >/dev/null 2>&1; then
	cp "$J/bats-coloured-failure.bats" "$T/colour.bats"
	(cd "$T" && bats --formatter junit colour.bats >"$T/bats.xml" 2>/dev/null)
	run bats-live 0 tally-collect "$T/bats.xml"
	expect_lines '"type":"test"' 3
	expect_lines '"name":"coloured failure","status":"failed"' 1
	expect_out '"properties":[{"name":"tally.recovered","value":"ansi"}]'
	gate_fails bats-live-gate "$T/bats.xml" 1
fi

# Failures outside a test case are failed records the gate sees: a class
# that failed to load (Surefire/Ant <error> in <testsuite>), a package
# panic (go-junit-report's synthetic "Failure" case), and a runner crash
# written straight into the root <testsuites> or a group of suites.
run suite-error 0 tally-collect "$J/error-directly-in-testsuite.xml"
expect_lines '"name":"(testsuite)","status":"failed","rawStatus":"error"' 1
gate_fails suite-error-gate "$J/error-directly-in-testsuite.xml" 1
run go-panic 0 tally-collect "$J/go-junit-report-014-panic-errors.xml"
expect_lines '"name":"Failure","status":"failed","rawStatus":"error"' 2
expect_out '"message":"Runtime error","trace":"panic: init\nstacktrace"'
gate_fails go-panic-gate "$J/go-junit-report-014-panic-errors.xml" 2
cat >"$T/root-error.xml" <<'XML'
<testsuites name="run">
<testsuite name="s"><testcase name="a"/></testsuite>
<error message="runner crashed" type="Crash">signal 11</error>
</testsuites>
XML
run root-error 0 tally-collect "$T/root-error.xml"
expect_no_err
expect_lines '"type":"test"' 2
expect_out '"name":"(testsuites)","status":"failed","rawStatus":"error","message":"runner crashed","errorType":"Crash","trace":"signal 11"'
gate_fails root-error-gate "$T/root-error.xml" 1
cat >"$T/group-error.xml" <<'XML'
<testsuites>
<testsuites><testsuite name="s"><testcase name="a"/></testsuite>
<failure message="shard 2 lost">timeout</failure></testsuites>
</testsuites>
XML
run group-error 0 tally-collect "$T/group-error.xml"
expect_lines '"type":"test"' 2
expect_out '"name":"(testsuites)","status":"failed","rawStatus":"failure","message":"shard 2 lost","trace":"timeout"'
gate_fails group-error-gate "$T/group-error.xml" 1

# render -f junit writes times without printf on its fast path: the same
# digits as printf's "%.3f" of ms / 1000 (awk's printf is C's), halves
# rounded as printf rounds them, huge and tiny values too.
i=0
for d in 0 1 7 999 1000 1234.5678 0.4 0.5 0.0005 62.5 187.5 2.5 999.9995 \
    999.9996 123456789.123 1e12 2.5e15 1e300 3.14159e-7 59999.99951; do
	printf '{"v":1,"type":"test","name":"t%02d","status":"passed","duration":%s,"suite":["s"]}\n' "$i" "$d"
	i=$((i + 1))
done >"$T/times.jsonl"
run_in "$T/times.jsonl" junit-times 0 tally-render -f junit
sed -n 's/.*<testcase name="t[0-9]*" time="\([^"]*\)".*/\1/p' "$OUT" >"$T/times.got"
sed 's/.*"duration":\([^,]*\),.*/\1/' "$T/times.jsonl" |
    awk '{ printf "%.3f\n", $1 / 1000 }' >"$T/times.want"
same junit-times-printf "$T/times.want" "$T/times.got"
if [ "$(wc -l <"$T/times.got")" -eq 20 ]; then ok "junit-times: 20 times"
else notok "junit-times: 20 times" "$(cat "$T/times.got")"; fi

#!/bin/sh
# tests/cli/t_dotnet.sh: tally-collect on .NET result XML (NUnit,
# xUnit.net), and the gate "tally collect F | tally render -f text
# --fail-on failed" on each.
. "$(dirname "$0")/lib.sh"
N=$DATA/nunit

# gate NAME FILE WANT: collect, then render with the gate; WANT its status.
gate() {
	tally collect "$2" >"$T/g.jsonl" 2>"$T/g.err"
	run_in "$T/g.jsonl" "$1" "$3" tally render -f text --fail-on failed
}

for f in nunit2.5-mock-assembly nunit2.6.4-mono-fixture-failures \
    nunit3-console-jenkins-issue50162 nunit3-console-netcore-dorny \
    nunit3-timewarpinc-failed-child; do
	run "nunit $f" 0 tally-collect "$N/$f.xml"
	expect_no_err
	# One record per test case; the TearDown failure is one more.
	want=$(xmllint --xpath 'count(//test-case)' "$N/$f.xml")
	[ "$f" = nunit2.6.4-mono-fixture-failures ] && want=$((want + 1))
	expect_lines '"type":"test"' "$want"
	gate "gate $f" "$N/$f.xml" 1
done

# Out-of-test failures alone still fail the gate.
cat >"$T/setup.xml" <<'XML'
<test-run total="1" passed="0" failed="1"><test-suite type="TestFixture"
 name="Fx" result="Failed" label="Error" site="SetUp"><failure><message>
boom</message></failure></test-suite></test-run>
XML
gate "gate OneTimeSetUp" "$T/setup.xml" 1
expect_out '(OneTimeSetUp) Fx'
cat >"$T/counts.xml" <<'XML'
<test-run total="1" passed="0" failed="1"></test-run>
XML
gate "gate counts" "$T/counts.xml" 1
cat >"$T/pass.xml" <<'XML'
<test-results total="1" errors="0" failures="0"><test-suite name="S"
 result="Success"><results><test-case name="N.C.t" result="Success"/>
</results></test-suite></test-results>
XML
gate "gate passing" "$T/pass.xml" 0

# Not well-formed (raw control bytes): an error, exit 2.
run "nunit control bytes" 2 tally-collect "$N/nunit3-testrunner-issue17521.xml"
expect_err "nunit3-testrunner-issue17521.xml:31:33: error:"
expect_lines '"type":"error"' 1

# xUnit.net: one record per <test>, each file has a failure: the gate says 1.
X=$DATA/xunit
for f in fixie-xunit-format xunit1.9-pickles xunit2-jenkins-testcase1 \
    xunit3-v3-native-fail; do
	run "xunit $f" 0 tally-collect "$X/$f.xml"
	expect_no_err
	expect_lines '"type":"test"' "$(xmllint --xpath 'count(//test)' \
	    "$X/$f.xml")"
	gate "gate $f" "$X/$f.xml" 1
done
cat >"$T/xerr.xml" <<'XML'
<assemblies><assembly name="a.dll" total="1" passed="1" failed="0"
 errors="1"><errors><error type="assembly-cleanup" name="a.dll"><failure>
<message>boom</message></failure></error></errors><collection name="C">
<test name="N.T.m" type="N.T" result="Pass"/></collection></assembly>
</assemblies>
XML
gate "gate xunit error" "$T/xerr.xml" 1
expect_out '(assembly-cleanup error) a.dll'

# An XML test format tally does not read is named, with what it reads.
cat >"$T/testng.xml" <<'XML'
<?xml version="1.0"?>
<testng-results skipped="0" failed="1"><suite name="s"/></testng-results>
XML
run "testng operand" 2 tally-collect "$T/testng.xml"
expect_err "$T/testng.xml:1: error: unrecognized format: TestNG XML is not supported (tally reads JUnit, Check, NUnit, xUnit.net, TRX and JMeter XML)"
mkdir "$T/tng" && cp "$T/testng.xml" "$T/tng/"
printf '<TestRun id="1"><Results/></TestRun>\n' >"$T/tng/r.trx.xml"
run "testng in a walk" 0 tally-collect "$T/tng"
expect_err "$T/tng/testng.xml: warning: TestNG XML is not supported (tally reads JUnit, Check, NUnit, xUnit.net, TRX and JMeter XML), skipped"
expect_err "$T/tng/r.trx.xml: warning: CppUnit XML is not supported"

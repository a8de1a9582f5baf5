#!/bin/sh
# tests/cli/t_trx.sh: tally-collect on Visual Studio TRX files from
# vstest, MSTest, xUnit.net and NUnit (tests/data/trx/PROVENANCE.md), the
# gate "tally collect F | tally render -f text --fail-on failed" on each,
# and TRX in a directory walk.
. "$(dirname "$0")/lib.sh"
D=$DATA/trx
X='*[local-name()="UnitTestResult" or local-name()="TestResultAggregation"]'

gate() {
	tally collect "$2" >"$T/g.jsonl" 2>"$T/g.err"
	run_in "$T/g.jsonl" "$1" "$3" tally render -f text --fail-on failed
}

# One record per result that has no data rows, counted by xmllint; the
# file's own Counters agree (else a "tally.declared" warning).
for f in dotnet-xunit-dorny dotnet-xunitv3 nunit-netcoreapp3.1-sample \
    mstest-vs2010-host-crash mstest-warning mstest-datadriven \
    dotnet-no-tests; do
	run "trx $f" 0 tally-collect "$D/$f.trx"
	expect_no_err
	expect_lines '"type":"test"' "$(xmllint --xpath \
	    "count(//$X[not(*[local-name()=\"InnerResults\"])])" "$D/$f.trx")"
	expect_not_out 'tally.declared'
done
for f in dotnet-xunit-dorny dotnet-xunitv3 nunit-netcoreapp3.1-sample \
    mstest-vs2010-host-crash mstest-datadriven; do
	gate "gate $f" "$D/$f.trx" 1
done
gate "gate mstest-warning" "$D/mstest-warning.trx" 0

# A run that failed with every test passed fails the gate.
gate "gate run failed" "$D/nunit-with-stderr.trx" 1
expect_out '(test run)'
cat >"$T/crash.trx" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
<ResultSummary outcome="Completed"><Counters total="0"/><RunInfos>
<RunInfo outcome="Error"><Text>The active test run was aborted.</Text>
</RunInfo></RunInfos></ResultSummary></TestRun>
XML
gate "gate RunInfo error" "$T/crash.trx" 1
expect_out 'The active test run was aborted.'

# The text report's Run header shows a runError once, short: its first
# line (at most 300 bytes), with the lines left out counted; the whole
# text is the "(test run)" failure's message below.
long=$(printf 'x%.0s' $(seq 400))
cat >"$T/errs.trx" <<XML
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
<ResultSummary outcome="Failed"><Counters total="0"/><RunInfos>
<RunInfo outcome="Error"><Text>Host crashed.</Text></RunInfo>
<RunInfo outcome="Error"><Text>Exit code 3.</Text></RunInfo>
<RunInfo outcome="Error"><Text>Blame: $long</Text></RunInfo>
</RunInfos></ResultSummary></TestRun>
XML
gate "runError header" "$T/errs.trx" 1
expect_out '  runError: Host crashed. … 2 more lines'
expect_lines 'Exit code 3.' 1
expect_lines "Blame: $long" 1
cat >"$T/long.trx" <<XML
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
<ResultSummary outcome="Failed"><Counters total="0"/><RunInfos>
<RunInfo outcome="Error"><Text>$long</Text></RunInfo>
</RunInfos></ResultSummary></TestRun>
XML
gate "long runError header" "$T/long.trx" 1
expect_out "  runError: $(printf 'x%.0s' $(seq 300))…"
expect_lines "$long" 1

# Counters that say more failures than the file holds.
cat >"$T/short.trx" <<'XML'
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
<Results><UnitTestResult testId="a" testName="t" outcome="Passed"/>
</Results><ResultSummary outcome="Completed">
<Counters total="2" passed="1" failed="1"/></ResultSummary></TestRun>
XML
run "short counters" 0 tally-collect "$T/short.trx"
expect_err "$T/short.trx:4: warning: the file declares 2 tests (1 found), 1 failed (0 found)"
expect_out '"name":"(declared) '

# Results before their definitions wait in $TMPDIR: where none can be
# made, the file is an error, with its record.
run "no TMPDIR" 2 env TMPDIR="$T/none" tally-collect "$D/dotnet-xunitv3.trx"
expect_err "dotnet-xunitv3.trx: error: cannot create a temporary file in '$T/none': No such file or directory"
expect_lines '"type":"error"' 1
run "definitions first" 0 env TMPDIR="$T/none" tally-collect "$D/mstest-vs2010-host-crash.trx"

# A directory walk reads .trx; CppUnit's TestRun is named, not read.
mkdir "$T/w" && cp "$D/dotnet-xunitv3.trx" "$T/w/"
printf '<TestRun><FailedTests/><Statistics/></TestRun>\n' >"$T/w/cpp.xml"
run "walk" 0 tally-collect "$T/w"
expect_lines '"type":"test"' 4
expect_err "$T/w/cpp.xml: warning: CppUnit XML is not supported (tally reads JUnit, Check, NUnit, xUnit.net, TRX and JMeter XML), skipped"

# Forced on another format: the root is named.
run "forced on JUnit" 2 tally-collect -f trx "$DATA/junit/horovod-spark-fail-xunit1.xml"
expect_err "error: root element 'testsuites' is not TRX"

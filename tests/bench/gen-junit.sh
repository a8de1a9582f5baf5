#!/bin/sh
# gen-junit.sh N [RUN [FIRST]]: a JUnit XML file with N test cases in
# suites of 100, about 2% failing with a multi-line trace and 1% skipped.
# With RUN (1, 2, ...), a rerun shard instead: every tenth case, all failed
# on an earlier run with a message naming RUN, as CI shards with retries
# write.  FIRST (default 0) numbers the cases from FIRST, so that shards
# FIRST = 0, N, 2N, ... together hold the cases of one file of K*N.
n=${1:-100000}
run=${2:-0}
first=${3:-0}
awk -v n="$n" -v run="$run" -v first="$first" 'BEGIN {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	print "<testsuites name=\"bench\">"
	for (i = first; i < first + n; i++) {
		if (i % 100 == 0 || i == first) {
			if (i > first) print "</testsuite>"
			printf "<testsuite name=\"pkg.Suite%d\" tests=\"100\">\n", i / 100
		}
		if (run > 0 && i % 10 != 0)
			continue
		printf "<testcase classname=\"pkg.Suite%d\" name=\"test_case_%d\" time=\"%.3f\"", i / 100, i, (i % 977) / 1000.0
		if (run > 0) {
			printf "><failure message=\"run %d: connection reset\" type=\"IOError\">Traceback (most recent call last):\n  File \"tests/test_x.py\", line %d\nIOError: connection reset (run %d)</failure></testcase>\n", run, i % 300, run
		} else if (i % 50 == 7) {
			print ">"
			printf "<failure message=\"assert %d == %d\" type=\"AssertionError\">Traceback (most recent call last):\n  File \"tests/test_x.py\", line %d, in test_case_%d\n    assert a == b\nAssertionError</failure>\n", i, i + 1, i % 300, i
			print "<system-out>captured output line one\ncaptured output line two</system-out>"
			print "</testcase>"
		} else if (i % 100 == 3)
			print "><skipped message=\"not on this platform\"/></testcase>"
		else
			print "/>"
	}
	print "</testsuite>"
	print "</testsuites>"
}'

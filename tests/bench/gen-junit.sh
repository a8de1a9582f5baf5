#!/bin/sh
# gen-junit.sh N: a JUnit XML file with N test cases in suites of 100,
# about 2% failing with a multi-line trace and 1% skipped.
n=${1:-100000}
awk -v n="$n" 'BEGIN {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	print "<testsuites name=\"bench\">"
	for (i = 0; i < n; i++) {
		if (i % 100 == 0) {
			if (i > 0) print "</testsuite>"
			printf "<testsuite name=\"pkg.Suite%d\" tests=\"100\">\n", i / 100
		}
		printf "<testcase classname=\"pkg.Suite%d\" name=\"test_case_%d\" time=\"%.3f\"", i / 100, i, (i % 977) / 1000.0
		if (i % 50 == 7) {
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

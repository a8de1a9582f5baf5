#!/bin/sh
# gen-ctrf.sh N: a CTRF JSON report (one document) with N tests, about 2%
# failing with a message and a multi-line trace, 1% skipped, 1% flaky
# with retryAttempts.
n=${1:-100000}
awk -v n="$n" 'BEGIN {
	print "{\"reportFormat\":\"CTRF\",\"specVersion\":\"0.0.0\",\"results\":{"
	print "\"tool\":{\"name\":\"bench\"},"
	printf "\"summary\":{\"tests\":%d,\"passed\":0,\"failed\":0,\"pending\":0,\"skipped\":0,\"other\":0,\"start\":1700000000000,\"stop\":1700000100000},\n", n
	print "\"tests\":["
	for (i = 0; i < n; i++) {
		printf "%s{\"name\":\"test case %d\",\"duration\":%d,\"suite\":\"pkg/suite%d.test.ts > group %d\",\"filePath\":\"tests/suite%d.test.ts\"", i ? ",\n" : "", i, i % 977, i / 100, i / 100, i / 100
		if (i % 50 == 7)
			printf ",\"status\":\"failed\",\"message\":\"expected %d to be %d\",\"trace\":\"Error: expected %d to be %d\\n    at Object.<anonymous> (tests/suite%d.test.ts:%d:15)\\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)\"}", i, i + 1, i, i + 1, i / 100, i % 300
		else if (i % 100 == 3)
			printf ",\"status\":\"skipped\"}"
		else if (i % 100 == 11)
			printf ",\"status\":\"passed\",\"flaky\":true,\"retries\":1,\"retryAttempts\":[{\"status\":\"failed\",\"duration\":12,\"message\":\"timeout\"},{\"status\":\"passed\",\"duration\":10}]}"
		else
			printf ",\"status\":\"passed\"}"
	}
	print "\n]}}"
}'

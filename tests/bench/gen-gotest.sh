#!/bin/sh
# gen-gotest.sh N: `go test -json` output with N tests in packages of 100:
# run, output and pass/fail/skip events, about 2% failing with log lines.
n=${1:-100000}
awk -v n="$n" 'BEGIN {
	t = "\"Time\":\"2024-05-01T12:00:00.000000000Z\""
	for (i = 0; i < n; i++) {
		p = sprintf("example.com/bench/pkg%d", i / 100)
		if (i % 100 == 0)
			printf "{%s,\"Action\":\"start\",\"Package\":\"%s\"}\n", t, p
		x = sprintf("{%s,\"Action\":\"%%s\",\"Package\":\"%s\",\"Test\":\"TestCase%d\"", t, p, i)
		printf x "}\n", "run"
		printf x ",\"Output\":\"=== RUN   TestCase%d\\n\"}\n", "output", i
		if (i % 50 == 7) {
			printf x ",\"Output\":\"    case_test.go:%d: got %d, want %d\\n\"}\n", "output", i % 300, i, i + 1
			printf x ",\"Output\":\"--- FAIL: TestCase%d (0.%02ds)\\n\"}\n", "output", i, i % 100
			printf x ",\"Elapsed\":0.%02d}\n", "fail", i % 100
		} else if (i % 100 == 3) {
			printf x ",\"Output\":\"    case_test.go:9: not on this platform\\n\"}\n", "output"
			printf x ",\"Output\":\"--- SKIP: TestCase%d (0.00s)\\n\"}\n", "output", i
			printf x ",\"Elapsed\":0}\n", "skip"
		} else {
			printf x ",\"Output\":\"--- PASS: TestCase%d (0.%02ds)\\n\"}\n", "output", i, i % 100
			printf x ",\"Elapsed\":0.%02d}\n", "pass", i % 100
		}
		if (i % 100 == 99 || i == n - 1) {
			printf "{%s,\"Action\":\"output\",\"Package\":\"%s\",\"Output\":\"ok  \\t%s\\t1.234s\\n\"}\n", t, p, p
			printf "{%s,\"Action\":\"pass\",\"Package\":\"%s\",\"Elapsed\":1.234}\n", t, p
		}
	}
}'

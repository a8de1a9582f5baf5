#!/bin/sh
# tests/cli/t_outside.sh: what a format reports as failed outside a test
# case becomes a failed record, and the run never renders green
# (tally-collect(1), FAILURES OUTSIDE TESTS).
. "$(dirname "$0")/lib.sh"
J=$DATA/json

# gate FILE: collect | render --fail-on failed says no.
gate() {
	run "gate $1" 1 sh -c 'tally-collect "$1" |
	    tally-render -f text --fail-on failed' sh "$J/$1"
	expect_out "FAIL: gate 'failed' failed"
}

# pytest exited 2: a module did not import, no test ran.
f=pytest-7.2.1-json-report-collection-error.json
run "pytest collection error" 0 tally-collect "$J/$f"
expect_lines '"type":"test"' 1
expect_out '{"v":1,"type":"test","name":"(collection) test_broken.py","status":"failed","rawStatus":"collection-error","filePath":"test_broken.py","message":"E   ModuleNotFoundError: No module named '"'numpyy'"'","trace":"ImportError while importing test module'
# The collector accounts for exit status 2: no "(session)" record.
expect_not_out '(session)'
gate $f

# pytest exited 4 (usage error) with nothing collected.
f=pytest-7.2.1-json-report-usage-error.json
run "pytest usage error" 0 tally-collect "$J/$f"
expect_lines '"type":"test"' 1
expect_out '{"v":1,"type":"test","name":"(session)","status":"failed","rawStatus":"exitcode","message":"pytest exited with status 4 (usage error)"'
gate $f

# mocha: a "before all" hook failed, so no test ran.
f=mocha-10.8.2-before-all-only.json
run "mocha before all hook" 0 tally-collect "$J/$f"
expect_lines '"type":"test"' 1
expect_out '"name":"(before all hook) \"before all\" hook for \"lists users\"","status":"failed","rawStatus":"hook","duration":0,"suite":["api"],"filePath":"/tmp/mjs/spec/beforeall.spec.js","message":"server did not start"'
gate $f

# go 1.19: a package that does not build has no event, only a FAIL line.
G=$DATA/gotest
run "go build failure" 0 tally-collect "$G/go-1.19-build-failed-stdout.ndjson"
expect_out '"name":"(package) example.com/shop/broken","status":"failed","rawStatus":"build-failed","suite":["example.com/shop/broken"],"classname":"example.com/shop/broken","message":"build failed"'
run "gate go build failure" 1 sh -c 'tally-collect "$1" |
    tally-render -f text --fail-on failed' sh "$G/go-1.19-build-failed-stdout.ndjson"
expect_out "FAIL: gate 'failed' failed"
run "go build failure, 2>&1" 0 tally-collect "$G/go-1.19-build-setup-2to1.ndjson"
expect_out '"name":"(package) example.com/shop/broken","status":"failed","rawStatus":"build-failed","suite":["example.com/shop/broken"],"classname":"example.com/shop/broken","message":"broken/broken.go:4:9: cannot use'
expect_out '"name":"(package) example.com/shop/setup","status":"failed","rawStatus":"package-failed","suite":["example.com/shop/setup"],"classname":"example.com/shop/setup","message":"panic: SHOP_DB not set"'

# jest 29.7.0: an afterAll hook failed the file; its test passed.
f=jest-29.7.0-afterall-hook.json
run "jest afterAll" 0 tally-collect "$J/$f"
expect_out '"name":"(test suite) /tmp/jjs/__tests__/afterall.test.js","status":"failed","rawStatus":"suite-failed","classname":"/tmp/jjs/__tests__/afterall.test.js","filePath":"/tmp/jjs/__tests__/afterall.test.js","message":"  ● Test suite failed to run\n\n    could not close the pool'
gate $f

# Declared counts: a failure the summary declares and no test carries.
printf '%s\n' '{"results":{"tool":{"name":"x"},"summary":{"tests":2,"passed":1,"failed":1,"skipped":0,"pending":0,"other":0,"start":0,"stop":1},' \
    '"tests":[{"name":"a","status":"passed","duration":1}]}}' >"$T/ctrf.json"
run "ctrf declared failure" 0 tally-collect "$T/ctrf.json"
expect_err "ctrf.json:1: warning: the file declares 2 tests (1 found), 1 failed (0 found)"
expect_out '"name":"(declared) '"$T"'/ctrf.json","status":"failed","rawStatus":"declared","message":"declares 1 failure, 0 found"'
expect_out '"tally.declared":"the file declares 2 tests (1 found), 1 failed (0 found)"'
run "gate ctrf declared failure" 1 sh -c 'tally-collect "$1" 2>/dev/null |
    tally-render -f text --fail-on failed' sh "$T/ctrf.json"

#!/bin/sh
# tests/cli/t_playwright.sh: tally-collect on Playwright's JSON reporter,
# stored files and ones @playwright/test (tests/npm/playwright) makes here
# from tests that need no browser, each checked against Playwright's own
# counts: its stats, the outcome of every test, its console summary.
. "$(dirname "$0")/lib.sh"
D=$DATA/playwright
PW=$(cd "$TALLY_BIN/.." && pwd)/npm/playwright/node_modules

# Outcomes of the tests in a report, counted by jq: "expected 3" ...
outcomes() {
	jq -r '[.. | objects | select(has("projectName") and has("results"))
	    | .status] | group_by(.) | .[] | "\(.[0]) \(length)"' "$1"
}
outcome() {	# outcome FILE WORD: how many tests had that outcome
	n=$(outcomes "$1" | sed -n "s/^$2 //p")
	echo "${n:-0}"
}
# Records of the last run with that status (and flaky or not).
count() {	# count STATUS FLAKY
	jq -c "select(.type == \"test\" and .status == \"$1\" and
	    (.flaky // false) == $2 and .rawStatus != \"error outside tests\")" \
	    "$OUT" | wc -l
}
agree() {	# agree FILE: records = Playwright's outcomes
	[ "$(count passed false)" -eq "$(outcome "$1" expected)" ] &&
	[ "$(count passed true)" -eq "$(outcome "$1" flaky)" ] &&
	[ "$(count failed false)" -eq "$(outcome "$1" unexpected)" ] &&
	[ "$(count skipped false)" -eq "$(outcome "$1" skipped)" ] &&
	    ok "$CASE: counts = Playwright's outcomes" ||
	    notok "$CASE: counts differ" "$(outcomes "$1")" "$(head -c 400 "$OUT")"
}

for f in "$D/playwright-json-report-valid.json" \
    "$D/playwright-json-report-sharded.json"; do
	run "$(basename "$f")" 0 tally-collect "$f"
	expect_no_err
	agree "$f"
done
# Detected by content: once read as a broken mocha report.
f=$D/playwright-json-report-valid.json
run pw-valid 0 tally-collect "$f"
expect_not_out '"type":"error"'
expect_out '"playwright.version":"1.37.1","playwright.shard":"1/2","playwright.projects":"chromium,firefox,webkit"'
expect_lines '"labels":{"project":"chromium"}' 9
expect_lines '"labels":{"project":"firefox"}' 5
run pw-forced 0 tally-collect -f playwright "$f"
run pw-not-mocha 2 tally-collect -f mocha "$f"

# The stored run of tests/data/playwright (see PROVENANCE.md).
f=$D/playwright-1.65.1-mixed.json
run pw-mixed 0 tally-collect "$f"
expect_no_err
agree "$f"
expect_lines '"type":"test"' 10
expect_out '"name":"known bug","status":"passed","rawStatus":"failed",'
expect_out '{"name":"expectedStatus","value":"failed"}'
expect_out '"playwright.version":"1.65.1","playwright.projects":"unit,smoke","stats.startTime":"2026-12-03T10:47:38.477Z"'
expect_not_out '"tally.declared"'
expect_out '"name":"flaky","status":"passed","duration":10,"suite":["calc.spec.js"],"filePath":"calc.spec.js","line":25,"retries":1,"flaky":true,"retryAttempts":[{"status":"failed","duration":10,"message":"Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 1\nReceived: 0"'
expect_out '"name":"slow","status":"failed","rawStatus":"timedOut","duration":203,'
expect_out '"message":"Test timeout of 200ms exceeded."'
expect_out '"name":"fails","status":"failed","duration":13,"suite":["calc.spec.js","division","by zero"],"filePath":"calc.spec.js","line":13,"message":"Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 0\nReceived: Infinity","trace":"Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 0\nReceived: Infinity\n    at /tmp/pwp/main/tests/calc.spec.js:15:21","stderr":"about to fail\n"'
expect_out '"name":"fixme","status":"skipped","duration":0,"suite":["calc.spec.js","division"],"filePath":"calc.spec.js","line":19,"properties":[{"name":"annotation.fixme","value":""},{"name":"expectedStatus","value":"skipped"}]'
expect_out '"name":"skips itself","status":"skipped","duration":5,"suite":["calc.spec.js","division"],"filePath":"calc.spec.js","line":20,"message":"not on this platform"'
expect_out '"name":"adds @smoke","status":"passed","duration":15,"suite":["calc.spec.js"],"filePath":"calc.spec.js","line":3,"stdout":"adding\n","properties":[{"name":"tag","value":"smoke"}],"source":"'"$f"'","labels":{"project":"smoke"}}'
expect_not_out '\u001b'
run pw-mixed-gate 1 sh -c "tally-collect '$f' | tally-render -f text --fail-on failed"

for w in syntax-error global-setup; do
	f=$D/playwright-1.65.1-$w.json
	run "pw-$w" 0 tally-collect "$f"
	expect_no_err
	expect_lines '"type":"test"' "$(jq '.errors | length' "$f")"
	expect_lines '"rawStatus":"error outside tests"' 1
done
run pw-syntax 0 tally-collect "$D/playwright-1.65.1-syntax-error.json"
expect_out '"name":"(outside tests) /tmp/pwp/syntax/tests/broken.spec.js","status":"failed","rawStatus":"error outside tests","filePath":"/tmp/pwp/syntax/tests/broken.spec.js","line":3,"message":"SyntaxError: /tmp/pwp/syntax/tests/broken.spec.js: Unexpected token (3:0)"'
run pw-setup 0 tally-collect "$D/playwright-1.65.1-global-setup.json"
expect_out '"name":"(outside tests) /tmp/pwp/setup/global-setup.js","status":"failed","rawStatus":"error outside tests","filePath":"/tmp/pwp/setup/global-setup.js","line":1,"message":"Error: database is down"'
run pw-setup-gate 1 sh -c "tally-collect '$D/playwright-1.65.1-global-setup.json' | tally-render -f text --fail-on failed"

# A report with nothing in it, and one whose stats disagree.
printf '{"config":{"rootDir":"/r"},"suites":[],"errors":[],"stats":{"expected":0,"unexpected":0,"flaky":0,"skipped":0}}\n' >"$T/empty.json"
run pw-empty 0 tally-collect "$T/empty.json"
expect_no_err
expect_not_out '"type":"test"'
jq '.stats.unexpected = 3' "$D/playwright-1.65.1-mixed.json" >"$T/more.json"
run pw-declared 0 tally-collect "$T/more.json"
expect_out '"name":"(declared) '
expect_err 'declares'
# Suites nested deeper than the reader scans level by level.
jq '.suites[0].suites[0].suites[0] |= {title: "l3", file: "calc.spec.js",
    line: 1, column: 1, specs: [], suites: [{title: "l4", specs: [],
    suites: [{title: "l5", specs: [], suites: [{title: "l6", specs: [],
    suites: [{title: "l7", specs: [], suites: [{title: "l8",
    specs: .specs}]}]}]}]}]}' "$D/playwright-1.65.1-mixed.json" >"$T/deep.json"
run pw-deep 0 tally-collect "$T/deep.json"
expect_out '"name":"fails","status":"failed","duration":13,"suite":["calc.spec.js","division","l3","l4","l5","l6","l7","l8"]'
expect_out '"name":"is infinite","status":"passed","duration":27,"suite":["calc.spec.js","division","l3","l4","l5","l6","l7","l8"]'

# Cut short: the tests before the fault stay, then an error record.
head -c 9000 "$D/playwright-1.65.1-mixed.json" >"$T/cut.json"
run pw-cut 2 tally-collect "$T/cut.json"
expect_err 'cut.json:'
expect_lines '"type":"error"' 1
expect_out '"name":"adds @smoke","status":"passed"'
# Nesting past the limit is refused where it starts.
{ printf '{"config":{"rootDir":"/r"},"suites":['
  i=0; while [ $i -lt 70 ]; do printf '{"title":"s%d","suites":[' $i; i=$((i + 1)); done
  i=0; while [ $i -lt 70 ]; do printf ']}'; i=$((i + 1)); done
  printf '],"errors":[]}\n'; } >"$T/nest.json"
run pw-nest 2 tally-collect "$T/nest.json"
expect_err 'nesting too deep'

# Runs made here by Playwright itself, compared with its console summary.
if [ ! -x "$PW/.bin/playwright" ]; then
	notok "playwright: $PW missing (make test-deps)"
	exit 0
fi
mkdir -p "$T/main/tests" "$T/syntax/tests" "$T/setup/tests"
for d in main syntax setup; do ln -s "$PW" "$T/$d/node_modules"; done
cat >"$T/main/playwright.config.js" <<'JS'
module.exports = {
  testDir: 'tests',
  outputDir: 'test-results',
  retries: 1,
  workers: 1,
  reporter: [['json', { outputFile: 'report.json' }], ['list']],
  projects: [{ name: 'unit' }, { name: 'smoke', grep: /@smoke/ }],
};
JS
cat >"$T/main/tests/calc.spec.js" <<'JS'
const { test, expect } = require('@playwright/test');

test('adds @smoke', async () => {
  console.log('adding');
  expect(1 + 1).toBe(2);
});

test.describe('division', () => {
  test.describe('by zero', () => {
    test('is infinite', async () => {
      expect(1 / 0).toBe(Infinity);
    });
    test('fails', async () => {
      console.error('about to fail');
      expect(1 / 0).toBe(0);
    });
  });
  test.skip('skipped', async () => {});
  test.fixme('fixme', async () => {});
  test('skips itself', async () => {
    test.skip(true, 'not on this platform');
  });
});

test('flaky', async ({}, testInfo) => {
  expect(testInfo.retry).toBe(1);
});

test('slow', async () => {
  test.setTimeout(200);
  await new Promise((r) => setTimeout(r, 2000));
});

test.fail('known bug', async () => {
  expect(1).toBe(2);
});
JS
for d in syntax setup; do
	sed 's/^  retries.*//; s/^  projects.*//' "$T/main/playwright.config.js" \
	    >"$T/$d/playwright.config.js"
	cat >"$T/$d/tests/good.spec.js" <<'JS'
const { test, expect } = require('@playwright/test');
test('works', async () => { expect(1).toBe(1); });
JS
done
printf "const { test } = require('@playwright/test');\ntest('broken', async () => {\n" \
    >"$T/syntax/tests/broken.spec.js"
sed -i "s|^  testDir|  globalSetup: './global-setup.js',\n  testDir|" \
    "$T/setup/playwright.config.js"
echo "module.exports = async () => { throw new Error('database is down'); };" \
    >"$T/setup/global-setup.js"
for d in main syntax setup; do
	(cd "$T/$d" && CI=1 FORCE_COLOR=0 ./node_modules/.bin/playwright test \
	    >console.txt 2>&1)
	st=$?
	[ $st -eq 1 ] && ok "playwright $d: exit 1" ||
	    notok "playwright $d: exit $st" "$(tail -5 "$T/$d/console.txt")"
done

f=$T/main/report.json
run pw-run-main 0 tally-collect "$f"
expect_no_err
agree "$f"
# The list reporter's closing lines: "  2 failed", "  1 flaky", ...
said() { sed -n "s/^ *\([0-9][0-9]*\) $1.*/\1/p" "$T/main/console.txt"; }
[ "$(count failed false)" -eq "$(said failed)" ] &&
[ "$(count passed true)" -eq "$(said flaky)" ] &&
[ "$(count skipped false)" -eq "$(said skipped)" ] &&
[ "$(count passed false)" -eq "$(said passed)" ] &&
    ok "pw-run-main: counts = console summary" ||
    notok "pw-run-main: counts differ from the console" "$(tail -8 "$T/main/console.txt")"
[ "$(jq '.stats | .expected + .unexpected + .flaky + .skipped' "$f")" -eq \
    "$(grep -c '"type":"test"' "$OUT")" ] && ok "pw-run-main: stats total" ||
    notok "pw-run-main: stats total" "$(jq -c .stats "$f")"
expect_out '"rawStatus":"timedOut"'
expect_out '"flaky":true'
expect_out '"labels":{"project":"smoke"}'
expect_out '"properties":[{"name":"annotation.fixme","value":""}'
expect_out '"name":"known bug","status":"passed","rawStatus":"failed",'

run pw-run-syntax 0 tally-collect "$T/syntax/report.json"
expect_out '"name":"(outside tests) '"$T"'/syntax/tests/broken.spec.js","status":"failed","rawStatus":"error outside tests"'
grep -q 'SyntaxError' "$T/syntax/console.txt" && expect_out 'SyntaxError'
expect_lines '"type":"test"' 1
run pw-run-setup 0 tally-collect "$T/setup/report.json"
expect_out '"name":"(outside tests) '"$T"'/setup/global-setup.js","status":"failed","rawStatus":"error outside tests"'
grep -q 'database is down' "$T/setup/console.txt" &&
    expect_out '"message":"Error: database is down"'
expect_lines '"type":"test"' 1

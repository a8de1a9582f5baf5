#!/bin/sh
# tests/cli/t_cucumber.sh: tally-collect on Cucumber JSON, stored files of
# cucumber-jvm and ones @cucumber/cucumber (tests/npm/cucumber) makes here,
# checked against Cucumber's own summary line.
. "$(dirname "$0")/lib.sh"
D=$DATA/cucumber
CK=$(cd "$TALLY_BIN/.." && pwd)/npm/cucumber/node_modules

# "12 scenarios (5 failed, 1 ambiguous, ...)": the count of one word.
said() {	# said CONSOLE WORD
	n=$(grep '^[0-9]* scenarios* (' "$1" | tr '(,)' '\n\n\n' |
	    sed -n "s/^ *\([0-9][0-9]*\) $2\$/\1/p")
	echo "${n:-0}"
}
has() {	# has JQ-CONDITION: records of the last run that meet it
	jq -c "select(.type == \"test\" and ($1))" "$OUT" | wc -l
}
summary() {	# summary CONSOLE: records = Cucumber's scenario counts
	c=$1
	[ "$(has true)" -eq "$(grep -o '^[0-9]* scenarios*' "$c" | cut -d' ' -f1)" ] &&
	[ "$(has '.status == "failed"')" -eq $(($(said "$c" failed) + $(said "$c" ambiguous))) ] &&
	[ "$(has '.rawStatus == "ambiguous"')" -eq "$(said "$c" ambiguous)" ] &&
	[ "$(has '.status == "pending"')" -eq $(($(said "$c" pending) + $(said "$c" undefined))) ] &&
	[ "$(has '.rawStatus == "undefined"')" -eq "$(said "$c" undefined)" ] &&
	[ "$(has '.status == "skipped"')" -eq "$(said "$c" skipped)" ] &&
	[ "$(has '.status == "passed"')" -eq "$(said "$c" passed)" ] &&
	    ok "$CASE: counts = Cucumber's summary" ||
	    notok "$CASE: counts differ from Cucumber's summary" \
	    "$(grep scenarios "$c")" "$(jq -r 'select(.type == "test") | .status' "$OUT" | sort | uniq -c)"
}

f=$D/cucumber-js-12.7.0-mixed.json
run cuke-mixed 0 tally-collect "$f"
expect_no_err
summary "$D/cucumber-js-12.7.0-mixed.console.txt"
expect_out '"name":"adding","status":"passed","duration":2.011594,"suite":["Calculator"],"filePath":"features/calc.feature","line":8,"stdout":"[passed] Given a calculator\n[passed] When I add 1 and 2\n[passed] Then the result is 3\n","properties":[{"name":"tag","value":"@math"}]'
expect_out '"name":"failing","status":"failed","duration":1.468173,"suite":["Calculator"],"filePath":"features/calc.feature","line":13,"message":"AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:","trace":"AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n3 !== 4\n'
expect_out '"properties":[{"name":"step","value":"Then the result is 4"},{"name":"tag","value":"@math"},{"name":"tag","value":"@wip"}]'
expect_out '"name":"undefined step","status":"pending","rawStatus":"undefined",'
expect_out '"message":"step '"'"'When I frobnicate'"'"' undefined"'
expect_out '"name":"pending step","status":"pending",'
expect_out '"name":"ambiguous step","status":"failed","rawStatus":"ambiguous",'
expect_out '"name":"outline 2 plus 2","status":"failed",'
expect_out '"stdout":"[passed] Given a calculator\n[passed] When I read:\n      \"\"\"\n      hello\n      world\n      \"\"\"\n      read 11 bytes\n      [embedded text/html, 12 bytes of base64]\n[passed] Then the result is 0\n"'
expect_out '"name":"before hook fails","status":"failed","duration":0.156392,"suite":["Hooks"],"filePath":"features/hooks.feature","line":4,"message":"Error: setup broke"'
expect_out '"stdout":"[failed] Before hook\n[skipped] Given a calculator\n[skipped] Then the result is 0\n","properties":[{"name":"step","value":"Before hook"}'
expect_out '"name":"after hook fails","status":"failed",'
expect_out '"message":"Error: teardown broke"'
expect_out '"name":"only a hook","status":"failed",'
expect_out '"name":"skipped by hook","status":"skipped",'
run cuke-gate 1 sh -c "tally-collect '$f' | tally-render -f text --fail-on failed"

# cucumber-jvm: backgrounds as elements of their own, hooks in before[]
# and after[], outline rows under one name.
f=$D/cucumber-background-failure.json
run cuke-background 0 tally-collect "$f"
expect_no_err
expect_lines '"type":"test"' 8
expect_out '"name":"Addition","status":"failed",'
expect_out '"stdout":"[passed] Given a calculator I just turned on\n[failed] Given I want to fail this step\n[skipped] Given some step that is skipped\n'
expect_out '"name":"Many additions (line 29)","status":"passed"'
expect_out '"name":"Many additions (line 35)","status":"passed"'
expect_lines '"status":"failed"' 1
jq '.[0].elements[3].before[0].result |= {status: "failed",
    error_message: "db down\nat Hooks.java:3"} |
    .[0].elements[3].steps = []' "$f" >"$T/hook.json"
run cuke-jvm-hook 0 tally-collect "$T/hook.json"
expect_out '"name":"Another Addition","status":"failed",'
expect_out '"message":"db down","trace":"db down\nat Hooks.java:3","stdout":"[failed] Before hook\n[passed] Given a calculator I just turned on\n[passed] After hook\n"'
jq '.[0].elements |= .[0:1]' "$f" >"$T/lone.json"
run cuke-lone-background 0 tally-collect "$T/lone.json"
expect_out '"name":"A Calculator","status":"failed"'
f=$D/cucumber-pending.json
run cuke-pending 0 tally-collect "$f"
expect_out '"status":"pending",'
expect_out '"message":"cucumber.api.PendingException: TODO: implement me"'
run cuke-undefined 0 tally-collect "$D/cucumber-undefined-step.json"
expect_out '"name":"Addition","status":"pending","rawStatus":"undefined"'
run cuke-embeddings 0 tally-collect "$D/cucumber-embeddings-base64.json"
expect_out '      [embedded image/png, 3892 bytes of base64]\n'
expect_out '"message":"java.lang.AssertionError: Connection failed with IO Error: The Network Adapter could not establish the connection","trace":'
run cuke-forced 0 tally-collect -f cucumber "$D/cucumber-jvm-java-calculator.json"
expect_out '"name":"Determine past date","status":"passed"'
run not-cucumber 2 tally-collect -f cucumber "$DATA/playwright/playwright-1.65.1-mixed.json"
expect_err 'not a cucumber report'

# Cut short in the second feature: the first one's scenarios stay.
f=$D/cucumber-js-12.7.0-mixed.json
head -c "$(($(wc -c <"$f") - 200))" "$f" >"$T/cut.json"
run cuke-cut 2 tally-collect "$T/cut.json"
expect_lines '"type":"error"' 1
expect_lines '"suite":["Calculator"]' 8
expect_not_out '"suite":["Hooks"]'
printf '{"elements":[],"keyword":"Feature"}\n' >"$T/object.json"
run cuke-object 2 tally-collect -f cucumber "$T/object.json"
expect_err 'not a cucumber report'

# A run made here by Cucumber itself, compared with its summary.
if [ ! -x "$CK/.bin/cucumber-js" ]; then
	notok "cucumber: $CK missing (make test-deps)"
	exit 0
fi
P=$T/p
mkdir -p "$P/features/step_definitions"
ln -s "$CK" "$P/node_modules"
cat >"$P/features/calc.feature" <<'FEATURE'
@math
Feature: Calculator
  Numbers in, numbers out.

  Background:
    Given a calculator

  Scenario: adding
    When I add 1 and 2
    Then the result is 3

  @wip
  Scenario: failing
    When I add 1 and 2
    Then the result is 4
    And nothing else

  Scenario: undefined step
    When I frobnicate
    Then the result is 3

  Scenario: pending step
    When I do something later
    Then the result is 3

  Scenario: ambiguous step
    When I multiply 2 and 3
    Then the result is 6

  Scenario Outline: outline <a> plus <b>
    When I add <a> and <b>
    Then the result is <c>

    Examples:
      | a | b | c |
      | 1 | 1 | 2 |
      | 2 | 2 | 5 |

  Scenario: doc string
    When I read:
      """
      hello
      world
      """
    Then the result is 0
FEATURE
cat >"$P/features/hooks.feature" <<'FEATURE'
Feature: Hooks

  @before-fails
  Scenario: before hook fails
    Given a calculator
    Then the result is 0

  @after-fails
  Scenario: after hook fails
    Given a calculator
    Then the result is 0

  @skipme
  Scenario: skipped by hook
    Given a calculator

  @before-fails
  Scenario: only a hook
FEATURE
cat >"$P/features/step_definitions/steps.js" <<'JS'
const { Given, When, Then, Before, After } = require('@cucumber/cucumber');
const assert = require('assert');

Given('a calculator', function () { this.result = 0; });
When('I add {int} and {int}', function (a, b) { this.result = a + b; });
When('I do something later', function () { return 'pending'; });
When('I multiply {int} and {int}', function (a, b) { this.result = a * b; });
When(/^I multiply (\d+) and (\d+)$/, function (a, b) { this.result = a * b; });
When('I read:', function (s) {
  this.log('read ' + s.length + ' bytes');
  this.attach('<b>x</b>', 'text/html');
  this.result = 0;
});
Then('the result is {int}', function (n) { assert.strictEqual(this.result, n); });
Then('nothing else', function () {});
Before({ tags: '@before-fails' }, function () { throw new Error('setup broke'); });
After({ tags: '@after-fails' }, function () { throw new Error('teardown broke'); });
Before({ tags: '@skipme' }, function () { return 'skipped'; });
JS
(cd "$P" && FORCE_COLOR=0 ./node_modules/.bin/cucumber-js \
    --format json:report.json --format summary >console.txt 2>&1)
st=$?
[ $st -eq 1 ] && ok "cucumber-js: exit 1" ||
    notok "cucumber-js: exit $st" "$(tail -5 "$P/console.txt")"
run cuke-run 0 tally-collect "$P/report.json"
expect_no_err
summary "$P/console.txt"
expect_out '"name":"only a hook","status":"failed",'
expect_out '"message":"Error: teardown broke"'
expect_out '"rawStatus":"ambiguous"'
expect_out '      hello\n      world\n      \"\"\"\n      read 11 bytes\n'

#!/bin/sh
# tests/cli/t_tap.sh: tally-collect on TAP streams, real ones and ones
# made here by perl's Test::More, whose counts prove's own summary gives.
. "$(dirname "$0")/lib.sh"
D=$DATA/tap

# node-tap's combined run ends with its own counts: "# tests 311",
# "# pass 297", "# fail 5", "# skip 5", "# todo 4".
f=$D/node-tap-legacy-run-output.tap
run legacy 0 tally-collect "$f"
expect_no_err
total() { sed -n "s/^# $1  *\([0-9][0-9]*\)\$/\1/p" "$f" | tail -n 1; }
expect_lines '"type":"test"' "$(total tests)"
expect_lines '"status":"passed"' "$(total pass)"
expect_lines '"status":"failed"' "$(total fail)"
expect_lines '"status":"skipped"' "$(total skip)"
expect_lines '"status":"pending"' "$(total todo)"

# node:test: YAML blocks give message, duration and trace; the parent
# point of a subtest that failed inside is no test of its own.
run nodetest 0 tally-collect "$D/node-test-runner-tap13-yaml.tap"
expect_lines '"type":"test"' 2
expect_out '"name":"uhoh, this one throws","status":"failed","rawStatus":"not ok","duration":0.686334,"message":"Invalid time value","errorType":"RangeError","trace":"Date.toISOString (<anonymous>)'
expect_out 'exports.thrower (/path/to/node-test-example/lib/index.cjs:11:38)'
expect_out '"name":"nesting test","status":"failed","rawStatus":"not ok","duration":0.053,"suite":["test thing"],"message":"ok"'
expect_out '"suite":["test thing"]'
expect_not_out '"name":"test thing"'

# TAP 14 nested subtests and TODO: pending, whether ok or not.
run todo 0 tally-collect "$D/tap14-todo-nested.tap"
expect_lines '"status":"pending"' "$(grep -c '# TODO' "$D/tap14-todo-nested.tap")"
expect_out '"name":"true is truthy","status":"passed","rawStatus":"ok","suite":["a set of tests to be done later","the subset","has some of these things"]'
expect_out '"rawStatus":"todo passed"'

# Test2's buffered subtests: "ok 2 - my_test {" ... "}".
run buffered 0 tally-collect "$D/perl-test2-buffered-subtests.tap"
expect_lines '"suite":["my_test"]' 2
expect_lines '"suite":["my_streamy_test_plan"]' 2
expect_not_out '"rawStatus":"plan"'

# Bail out: a failed record, nothing after it read.
run bailout 0 tally-collect "$D/tap-bailout.tap"
expect_out '"name":"(bail out) GERONIMMMOOOOOO!!!","status":"failed","rawStatus":"bail out","message":"GERONIMMMOOOOOO!!!"'
expect_lines '"type":"test"' 4

# Results after a plan in the middle still count; skips and YAML stacks.
run after-plan 0 tally-collect "$D/node-tap-results-after-plan.tap"
expect_lines '"status":"failed"' 4
expect_lines '"status":"skipped"' 2
expect_not_out '"rawStatus":"plan"'
run unnumbered 0 tally-collect "$D/tap13-unnumbered-yaml-dump.tap"
expect_lines '"status":"passed"' 9
expect_out '"message":"Board layout"'

# Streams made by perl, checked against prove's summary.
if command -v prove >/dev/null 2>&1; then
cat >"$T/mixed.t" <<'PL'
use Test::More tests => 6;
ok(1, 'passes');
ok(0, 'fails');
SKIP: { skip 'no network', 1; ok(1, 'net'); }
TODO: { local $TODO = 'not done'; ok(0, 'todo one'); }
subtest 'inner' => sub { plan tests => 2; ok(1, 'in a'); ok(0, 'in b'); };
is(1, 2, 'compare');
PL
cat >"$T/bail.t" <<'PL'
use Test::More tests => 3;
ok(1, 'first');
BAIL_OUT('database down');
ok(1, 'never');
PL
cat >"$T/short.t" <<'PL'
use Test::More tests => 3;
ok(1, 'one');
exit 0;
PL
cat >"$T/over.t" <<'PL'
use Test::More tests => 1;
ok(1, 'one');
ok(1, 'two');
PL
cat >"$T/died.t" <<'PL'
use Test::More;
die "cannot load fixture\n";
PL
cat >"$T/skipall.t" <<'PL'
use Test::More skip_all => 'no database';
PL
for s in mixed bail short over died skipall; do
	(cd "$T" && perl "$s.t" >"$s.tap" 2>/dev/null;
	    prove "$s.t" >"$s.prove" 2>&1)
done

# prove: "Tests: 6 Failed: 3"; tally expands the subtest but fails the
# same three (fails, inner's "in b", compare), TODO is pending.
failed=$(sed -n 's/.*Failed: \([0-9]*\)).*/\1/p' "$T/mixed.prove")
run perl-mixed 0 tally-collect "$T/mixed.tap"
expect_no_err
expect_lines '"status":"failed"' "$failed"
expect_lines '"status":"skipped"' 1
expect_out '"name":"todo one","status":"pending","rawStatus":"todo","message":"not done"'
expect_out '"name":"test 3","status":"skipped","rawStatus":"skip","message":"no network"'
expect_out '"name":"in b","status":"failed","rawStatus":"not ok","suite":["inner"]'
expect_not_out '"name":"inner"'
run_in "$T/mixed.tap" perl-mixed-stdin 0 tally-collect -f tap
expect_lines '"status":"failed"' "$failed"

grep -q 'FAILED--Further testing stopped: database down' "$T/bail.prove" &&
    ok "prove bailed out" || notok "prove bailed out" "$(cat "$T/bail.prove")"
run perl-bail 0 tally-collect "$T/bail.tap"
expect_out '"name":"(bail out) database down","status":"failed","rawStatus":"bail out"'
expect_not_out '"rawStatus":"plan"'

grep -q 'You planned 3 tests but ran 1' "$T/short.prove" &&
    ok "prove bad plan" || notok "prove bad plan" "$(cat "$T/short.prove")"
run perl-short 0 tally-collect "$T/short.tap"
expect_out '"name":"(plan) expected 3 tests, got 1","status":"failed","rawStatus":"plan"'
# A plan of one test reads "1 test", not "1 tests".
grep -q 'planned 1 test but ran 2' "$T/over.prove" &&
    ok "prove plan of one" || notok "prove plan of one" "$(cat "$T/over.prove")"
run perl-over 0 tally-collect "$T/over.tap"
expect_out '"name":"(plan) expected 1 test, got 2","status":"failed","rawStatus":"plan"'
# No plan after one test: "got 1 test".
printf 'ok 1 - only\n' >"$T/noplan1.tap"
run noplan-one 0 tally-collect -f tap "$T/noplan1.tap"
expect_out '"name":"(plan) no plan, got 1 test","status":"failed","rawStatus":"plan"'

# Died before its plan: no TAP at all.  Forced, that is a failed record;
# detected, an empty file is an error as in any format.
grep -q 'No plan found in TAP output' "$T/died.prove" &&
    ok "prove no plan" || notok "prove no plan" "$(cat "$T/died.prove")"
run perl-died 0 tally-collect -f tap "$T/died.tap"
expect_out '"name":"(plan) no plan, got 0 tests","status":"failed","rawStatus":"plan"'

grep -q 'skipped: no database' "$T/skipall.prove" &&
    ok "prove skip all" || notok "prove skip all" "$(cat "$T/skipall.prove")"
run perl-skipall 0 tally-collect "$T/skipall.tap"
expect_out '"name":"(plan) skip all","status":"skipped","rawStatus":"skip","message":"no database"'
expect_lines '"status":"failed"' 0

# The gate says no on every failing case.
for s in mixed bail short; do
	tally-collect "$T/$s.tap" | tally-render -f text --fail-on failed >/dev/null 2>&1
	[ $? -eq 1 ] && ok "gate $s: exit 1" || notok "gate $s: exit 1"
done
tally-collect -f tap "$T/died.tap" | tally-render -f text --fail-on failed >/dev/null 2>&1
[ $? -eq 1 ] && ok "gate died: exit 1" || notok "gate died: exit 1"
tally-collect "$T/skipall.tap" | tally-render -f text --fail-on failed >/dev/null 2>&1
[ $? -eq 0 ] && ok "gate skipall: exit 0" || notok "gate skipall: exit 0"
else
	ok "# SKIP prove not installed"
fi

# Detection: TAP by its first line, not a line that merely starts so.
printf 'TAP version 14\n1..1\nok 1 - a\n' >"$T/v14.tap"
run v14 0 tally-collect "$T/v14.tap"
expect_lines '"status":"passed"' 1
printf 'okay then\nok 1\n' >"$T/prose.tap"
run prose 2 tally-collect "$T/prose.tap"
expect_err "tally-collect: $T/prose.tap:1: error: unrecognized format"
# In a walk, .tap files are read.
mkdir -p "$T/walk" && cp "$T/v14.tap" "$T/walk/"
run walk 0 tally-collect "$T/walk"
expect_lines '"status":"passed"' 1

# TAP 13 YAML: message, severity, at's file and line, stack; a block
# libyaml refuses is the trace.  A subtest's point that failed with
# nothing failed inside is a test; a "\#" is no directive.
cat >"$T/yaml.tap" <<'TAP'
TAP version 13
1..4
not ok 1 - adds \# numbers
  ---
  message: 'expected 3'
  severity: fail
  at:
    file: t/add.js
    line: 12
  stack: |-
    at add (t/add.js:12:3)
  ...
not ok 2 - refused
  ---
  data: &a [1]
  again: *a
  ...
    # Subtest: died inside
    ok 1 - fine
    1..1
not ok 3 - died inside
ok 4 - last # todo later
TAP
run yaml 0 tally-collect "$T/yaml.tap"
expect_no_err
expect_out '"name":"adds # numbers","status":"failed","rawStatus":"not ok","filePath":"t/add.js","line":12,"message":"expected 3","trace":"at add (t/add.js:12:3)","properties":[{"name":"severity","value":"fail"}]'
expect_out '"name":"refused","status":"failed","rawStatus":"not ok","trace":"data: &a [1]'
expect_out '"name":"died inside","status":"failed"'
expect_out '"name":"fine","status":"passed","rawStatus":"ok","suite":["died inside"]'
expect_out '"name":"last","status":"pending","rawStatus":"todo passed","message":"later"'
expect_lines '"type":"test"' 5

# A YAML block is bounded: a huge one is cut, not held whole.
{ printf '1..1\nnot ok 1 - big\n  ---\n  message: big\n'
  i=0; while [ $i -lt 3000 ]; do
	printf '  k%d: %0500d\n' $i 0; i=$((i + 1)); done
  printf '  ...\n'; } >"$T/big.tap"
run big-yaml 0 tally-collect "$T/big.tap"
expect_lines '"status":"failed"' 1
[ "$(wc -c <"$OUT")" -lt 1100000 ] && ok "big-yaml: trace bounded" ||
    notok "big-yaml: trace bounded" "$(wc -c <"$OUT") bytes"

# An unknown format name is still a usage error.
run unknown-format 2 tally-collect -f taps "$T/v14.tap"

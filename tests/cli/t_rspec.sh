#!/bin/sh
# tests/cli/t_rspec.sh: tally-collect on rspec --format json, a real file
# and ones rspec makes here, each checked against rspec's summary_line.
. "$(dirname "$0")/lib.sh"
D=$DATA/rspec

# The counts "N examples, N failures, N pending" of summary_line.
summary() {	# summary FILE WORD
	jq -r .summary_line "$1" | tr ',' '\n' |
	    sed -n "s/^ *\([0-9][0-9]*\) $2.*/\1/p"
}

f=$D/rspec-json-formatter.json
run dorny 0 tally-collect "$f"
expect_no_err
expect_lines '"type":"test"' "$(summary "$f" example)"
expect_lines '"status":"failed"' "$(summary "$f" failure)"
expect_lines '"status":"pending"' "$(summary "$f" pending)"
expect_out '"name":"fails in assertion","status":"failed","duration":4.411051,"suite":["CheckEnvVars#call when all env vars are defined behaves like success load"],"filePath":"./spec/config/check_env_vars_spec.rb","line":17,"message":"(#ActiveSupport::BroadcastLogger'
expect_out '"errorType":"RSpec::Mocks::MockExpectationError","trace":"/usr/local/bundle/ruby/3.3.0/gems/net-http-0.4.1/lib/net/http.rb:1603:in `initialize'"'"''
expect_out '"name":"skips the test","status":"pending"'
expect_out '"message":"Temporarily skipped with xit"'
expect_out '"summary_line":"3 examples, 1 failures, 1 pending"'

# Errors outside examples that no message names still fail.
cat >"$T/counted.json" <<'JSON'
{"version":"3.12.0","messages":["No examples found."],"examples":[],
 "summary":{"duration":0.1,"example_count":0,"failure_count":0,
 "pending_count":0,"errors_outside_of_examples_count":2},
 "summary_line":"0 examples, 0 failures, 2 errors occurred outside of examples"}
JSON
run counted 0 tally-collect "$T/counted.json"
expect_out '"name":"(outside examples)","status":"failed","rawStatus":"error outside examples","message":"2 error(s) occurred outside of examples"'
expect_lines '"type":"test"' 1
run not-rspec 2 tally-collect -f rspec "$DATA/tap/tap-bailout.tap"
expect_lines '"type":"error"' 1

if command -v rspec >/dev/null 2>&1; then
mkdir -p "$T/p/spec" "$T/p/lib"
cat >"$T/p/spec/mixed_spec.rb" <<'RB'
RSpec.describe "Calc" do
  it("adds") { expect(1 + 1).to eq(2) }
  it("subtracts") { expect(3 - 1).to eq(1) }
  it "divides" do
    pending "not written"
    raise "no"
  end
  it("multiplies", skip: "later") { }
  xit("powers") { }
  context "nested" do
    it("raises") { raise ArgumentError, "bad arg" }
  end
end
RB
cat >"$T/p/spec/broken_spec.rb" <<'RB'
require_relative "../lib/broken"
RSpec.describe("Broken") { it("never") { } }
RB
printf 'def x(\n' >"$T/p/lib/broken.rb"
cat >"$T/p/spec/hook_spec.rb" <<'RB'
RSpec.configure { |c| c.before(:suite) { raise "db down" } }
RSpec.describe("H") { it("x") { } }
RB
for s in mixed broken hook; do
	(cd "$T/p" && rspec --format json --out "../$s.json" \
	    --format progress "spec/${s}_spec.rb" >"../$s.txt" 2>&1)
done

f=$T/mixed.json
run rspec-mixed 0 tally-collect "$f"
expect_no_err
expect_lines '"type":"test"' "$(summary "$f" example)"
expect_lines '"status":"failed"' "$(summary "$f" failure)"
expect_lines '"status":"pending"' "$(summary "$f" pending)"
grep -q '^6 examples, 2 failures, 3 pending$' "$T/mixed.txt" &&
    ok "rspec-mixed: console summary" ||
    notok "rspec-mixed: console summary" "$(tail -3 "$T/mixed.txt")"
expect_out '"name":"adds","status":"passed"'
expect_out '"name":"raises","status":"failed","duration":'
expect_out '"suite":["Calc nested"],"filePath":"./spec/mixed_spec.rb","line":11,"message":"bad arg","errorType":"ArgumentError"'
expect_out '"name":"divides","status":"pending"'
expect_out '"message":"not written"'
expect_out '"message":"later"'

run rspec-broken 0 tally-collect "$T/broken.json"
grep -q '1 error occurred outside of examples' "$T/broken.txt" &&
    ok "rspec-broken: console summary" ||
    notok "rspec-broken: console summary" "$(tail -3 "$T/broken.txt")"
expect_out '"name":"(outside examples) ./spec/broken_spec.rb","status":"failed","rawStatus":"error outside examples","filePath":"./spec/broken_spec.rb","message":"An error occurred while loading ./spec/broken_spec.rb.'
expect_out 'SyntaxError:'
expect_lines '"type":"test"' 1

run rspec-hook 0 tally-collect "$T/hook.json"
expect_out '"name":"(outside examples) in a `before(:suite)` hook","status":"failed"'
expect_out 'db down'
expect_lines '"type":"test"' 1

for s in mixed broken hook; do
	tally-collect "$T/$s.json" | tally-render -f text --fail-on failed >/dev/null 2>&1
	[ $? -eq 1 ] && ok "gate $s: exit 1" || notok "gate $s: exit 1"
done
else
	notok "rspec: rspec not installed (make test-deps installs ruby-rspec)"
fi

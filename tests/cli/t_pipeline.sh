# The whole pipeline on real producers' files: collect, merge, render,
# and the JUnit round trip (render -f junit, collect it again, merge).
. "$(dirname "$0")/lib.sh"
P=$DATA/pipeline
S=$DATA/schema

collect_all() { tally collect -l py=3.11 "$P"; }
count() { jq -s "[.[] | select(.type==\"test\") $1] | length" "$2"; }

run collect 0 tally collect -l py=3.11 -o "$T/c.jsonl" "$P"
expect_no_err
run merge 0 tally merge -o "$T/m.jsonl" "$T/c.jsonl"
expect_no_err

# Distinct tests counted independently of merge: by jq on collect's output.
want=$(jq -s '[.[] | select(.type=="test") | [.labels, .suite, .classname, .name]] | unique | length' "$T/c.jsonl")
got=$(count "" "$T/m.jsonl")
[ "$got" -eq "$want" ] && ok "merge keeps one record per distinct test ($want)" ||
    notok "merge: $got tests, wanted $want"
got=$(count '| select(.flaky==true)' "$T/m.jsonl")
[ "$got" -eq 2 ] && ok "surefire flakyFailure and jest retry are the 2 flaky tests" ||
    notok "flaky tests: $got, wanted 2"
got=$(jq -c 'select(.type=="test" and .name=="test_always_fails") | [.status, .retries, (.retryAttempts | length)]' "$T/m.jsonl")
[ "$got" = '["failed",2,2]' ] && ok "pytest rerun listed 3 times is one failed test with 2 retries" ||
    notok "pytest rerun: $got"

# CTRF output is valid against the CTRF schema and its counts agree.
run render-json 0 tally render -f json -o "$T/r.json" "$T/m.jsonl"
expect_no_err
if /usr/bin/python3 "$S/validate_json.py" "$S/ctrf.schema.json" "$T/r.json" 2>"$T/v"; then
	ok "CTRF report validates against ctrf.schema.json"
else notok "CTRF schema" "$(head -5 "$T/v")"; fi
[ "$(jq .results.summary.tests "$T/r.json")" -eq "$(count "" "$T/m.jsonl")" ] &&
    ok "CTRF summary.tests equals merged tests" || notok "CTRF summary.tests"
[ "$(jq '.results.tests | length' "$T/r.json")" -eq "$(count "" "$T/m.jsonl")" ] &&
    ok "CTRF lists every test" || notok "CTRF tests[]"

# JUnit output: well formed, and collecting it back gives the same counts.
run render-junit 0 tally render -f junit -o "$T/r.xml" "$T/m.jsonl"
xmllint --noout "$T/r.xml" 2>"$T/x" && ok "JUnit output is well-formed XML" ||
    notok "JUnit well-formed" "$(head -3 "$T/x")"
run recollect 0 tally collect -o "$T/c2.jsonl" "$T/r.xml"
tally merge "$T/c2.jsonl" > "$T/m2.jsonl"
for sel in '' '| select(.status=="passed")' '| select(.status=="failed")' \
    '| select(.status=="skipped")' '| select(.flaky==true)' '| select((.retries // 0) > 0)'; do
	a=$(count "$sel" "$T/m.jsonl") b=$(count "$sel" "$T/m2.jsonl")
	[ "$a" -eq "$b" ] && ok "junit round trip keeps count of tests $sel ($a)" ||
	    notok "junit round trip tests $sel: $a before, $b after"
done

# Order and duplication do not change the merged result.
tac "$T/c.jsonl" | tally merge > "$T/m3.jsonl"
cmp -s "$T/m.jsonl" "$T/m3.jsonl" && ok "merge is independent of input order" ||
    notok "merge order dependence"
cat "$T/c.jsonl" "$T/c.jsonl" | tally merge > "$T/m4.jsonl"
cmp -s "$T/m.jsonl" "$T/m4.jsonl" && ok "the same results collected twice count once" ||
    notok "duplicate input changed the merge"

# A matrix: the same files under two labels are two results each.
{ tally collect -l py=3.10 "$P"; tally collect -l py=3.11 "$P"; } | tally merge > "$T/mx.jsonl"
[ "$(count "" "$T/mx.jsonl")" -eq $((2 * $(count "" "$T/m.jsonl"))) ] &&
    ok "matrix cells stay apart" || notok "matrix cells merged"

# Text report: run metadata from CI variables and --meta, load-test rows,
# and none of the producers' own count attributes repeated as metadata.
tally collect "$DATA/locust/bitcoin-api_stats.csv" > "$T/perf.jsonl"
cat "$T/m.jsonl" "$T/perf.jsonl" > "$T/mp.jsonl"
run text-meta 0 env GITHUB_SHA=0123abc GITHUB_SERVER_URL=https://github.com \
    GITHUB_REPOSITORY=o/r GITHUB_RUN_ID=42 \
    tally render -f text --meta version=1.2.3 "$T/mp.jsonl"
expect_out "commit: 0123abc"
expect_out "run_url: https://github.com/o/r/actions/runs/42"
expect_out "version: 1.2.3"
expect_out "=== Load and benchmarks (9)"
expect_out "GET /api/v1/blocks/latest"
expect_not_out "  tests: "

# Playwright runs each spec once per project, named only in hostname: the
# projects are matrix cells (label project=NAME), not reruns of one test.
PW=$DATA/junit/playwright-junit-failures.xml
tally collect "$PW" | tally merge > "$T/pw.jsonl"
want=$(grep -c '<testcase' "$PW")
[ "$(count "" "$T/pw.jsonl")" -eq "$want" ] && ok "playwright: every project's run kept ($want)" ||
    notok "playwright: $(count "" "$T/pw.jsonl") tests after merge, wanted $want"
got=$(jq -r 'select(.type=="test") | .labels.project' "$T/pw.jsonl" | sort -u | tr '\n' ' ')
[ "$got" = "chromium firefox " ] && ok "playwright: project labels" || notok "playwright labels: $got"
tally collect "$DATA/junit/ant-1.9.16-junit-java17.xml" > "$T/sf.jsonl"
grep -q '"hostname"' "$T/sf.jsonl" && ! grep -q '"project"' "$T/sf.jsonl" &&
    ok "ant hostname is not a project label" || notok "ant got a project label"

# Run metadata reaches every format: JUnit as properties of the top-level
# suites (as Surefire records its environment), GitHub in the notice.
run junit-meta 0 env GITHUB_SHA=0123abc tally render -f junit --meta version=1.2.3 "$T/m.jsonl"
expect_out '<property name="tally.meta.commit" value="0123abc"/>'
expect_out '<property name="tally.meta.version" value="1.2.3"/>'
expect_not_out 'tally.meta.numTotalTests'
run github-meta 0 env GITHUB_SHA=0123abc tally render -f github --meta version=1.2.3 "$T/m.jsonl"
expect_out '%0Acommit: 0123abc'
expect_out '%0Aversion: 1.2.3'
for f in markdown html json; do
	run "$f-meta" 0 env GITHUB_SHA=0123abc tally render -f "$f" "$T/m.jsonl"
	expect_out "0123abc"
done

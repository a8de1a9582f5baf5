#!/bin/sh
# tests/cli/t_perf.sh: gates on load-test and benchmark figures in
# tally-render (--max, --min, --max-regression, --baseline) and k6
# thresholds as a gate of their own.  Figures are the producers' own:
# Locust's _stats.csv rows and k6's end-of-test summary.
. "$(dirname "$0")/lib.sh"
L=$DATA/locust J=$DATA/json P=$DATA/perf

tally-collect "$L/bitcoin-api_stats.csv" > "$T/locust.jsonl"
tally-collect "$J/k6-handleSummary-http-simple.json" > "$T/k6.jsonl"
tally-collect "$P/k6-threshold-crossed.json" > "$T/k6-crossed.jsonl"
tally-collect "$J/pytest-benchmark-3.2.2-several-units.json" > "$T/bench.jsonl"

# Locust's Aggregated row: p95 8 ms, p99 2000 ms, 2210 requests, 1607
# failures (72.71%), 37.3/s.
run agg-pass 0 tally-render -f text --max p95=8ms --max p99=2s \
    --min rps=37 --max avg=51ms "$T/locust.jsonl"
expect_out "PASS"
expect_out "PASS: gates passed: max, max, min, max"
expect_no_err
run agg-p95-fail 1 tally-render -f text --max p95=7ms "$T/locust.jsonl"
expect_out "gate 'max' failed (aggregate p95 8.00 ms, above the limit 7.00 ms)"
run agg-p99-seconds 1 tally-render -f text --max p99=1.5s "$T/locust.jsonl"
expect_out "aggregate p99 2000 ms, above the limit 1500 ms"
run agg-error-rate 1 tally-render -f text --max error-rate=1% "$T/locust.jsonl"
expect_out "aggregate error-rate 72.71%, above the limit 1.00%"
run agg-error-rate-pass 0 tally-render -f text --max error-rate=73% "$T/locust.jsonl"
run agg-rps 1 tally-render -f text --min rps=50/s "$T/locust.jsonl"
expect_out "gate 'min' failed (aggregate rps 37.30/s, below the limit 50.00/s)"
run agg-requests 0 tally-render -f text --min requests=2210 --max failures=1607 \
    "$T/locust.jsonl"

# One endpoint by "METHOD NAME" or by name; every endpoint with '*'.
run endpoint-fail 1 tally-render -f text --max 'GET /api/v1/mempool/info:p95=200ms' \
    "$T/locust.jsonl"
expect_out "'GET /api/v1/mempool/info' p95 2000 ms, above the limit 200.00 ms"
run endpoint-pass 0 tally-render -f text --max '/api/v1/health:error-rate=0%' \
    "$T/locust.jsonl"
run endpoint-pass-md 0 tally-render -f markdown --max '/api/v1/health:error-rate=0%' \
    "$T/locust.jsonl"
expect_out 'error\-rate at most 0\.00% \(1 row\)'
run endpoint-missing 1 tally-render -f text --max 'GET /nowhere:p95=1s' "$T/locust.jsonl"
expect_out "p95: no row 'GET /nowhere'"
run every-endpoint 1 tally-render -f text --max '*:p95=100ms' "$T/locust.jsonl"
expect_lines "gate 'max' failed" 1
expect_out "'GET /api/v1/mempool/info' p95 2000 ms"
expect_not_out "GET /api/v1/health' p95"
run every-endpoint-pass 0 tally-render -f markdown --max '*:p95=2s' "$T/locust.jsonl"
expect_out 'p95 at most 2000 ms \(9 rows\)'
# Each breached row is a failed gate of its own, in every format.
run every-endpoint-json 1 tally-render -f json --max '*:error-rate=90%' "$T/locust.jsonl"
n=$(jq '[.results.summary.extra.gates[] | select(.failed)] | length' "$OUT")
[ "$n" -eq 7 ] && ok "$CASE: 7 failed gates" || notok "$CASE: $n failed gates, wanted 7"
run markdown 1 tally-render -f markdown --max p95=7ms "$T/locust.jsonl"
expect_out 'aggregate p95 8\.00 ms, above the limit 7\.00 ms'
run html 1 tally-render -f html --max p95=7ms "$T/locust.jsonl"
expect_out "aggregate p95 8.00 ms, above the limit 7.00 ms"

# Benchmarks have no aggregate row: a gate on it cannot pass.
run bench-no-aggregate 1 tally-render -f text --max avg=1s "$T/bench.jsonl"
expect_out "avg: no aggregate row to check"
run bench-every 1 tally-render -f text --min '*:ops=1000' "$T/bench.jsonl"
expect_out "gate 'min' failed"

# k6: http_req_duration is the aggregate, with http_reqs and
# http_req_failed: 878 requests, 349 failed (39.75%), 35.95/s, p95 30.03 ms.
run k6-pass 0 tally-render -f text --max p95=31ms --max error-rate=40% \
    --min rps=35.9 "$T/k6.jsonl"
expect_out "PASS: gates passed: threshold, max, max, min"
run k6-pass-md 0 tally-render -f markdown --max p95=31ms "$T/k6.jsonl"
expect_out 'threshold: no k6 threshold crossed \(2 checked\)'
run k6-fail 1 tally-render -f text --max p95=30ms --max error-rate=39.7% "$T/k6.jsonl"
expect_out "aggregate p95 30.03 ms, above the limit 30.00 ms"
expect_out "aggregate error-rate 39.75%, above the limit 39.70%"
# A crossed k6 threshold fails as a gate of its own.
run k6-threshold 1 tally-render -f text --max p95=1s "$T/k6-crossed.jsonl"
expect_out "gate 'threshold' failed (1 of 2 k6 thresholds crossed)"
expect_not_out "gate 'max' failed"
run k6-threshold-fail-on 1 tally-render -f text --fail-on threshold "$T/k6-crossed.jsonl"
expect_out "1 of 2 k6 thresholds crossed"
run k6-threshold-fail-on-pass 0 tally-render -f text --fail-on threshold "$T/k6.jsonl"

# Malformed gates: exit 2, naming the part not understood.
run bad-figure 2 tally-render -f text --max p96=1s "$T/locust.jsonl"
expect_err "gate 'p96=1s': unknown figure 'p96'"
run bad-unit 2 tally-render -f text --max p95=3m "$T/locust.jsonl"
expect_err "gate 'p95=3m': not a unit of time: 'm'"
run no-unit 2 tally-render -f text --max p95=300 "$T/locust.jsonl"
expect_err "a time needs a unit (ms, s): '300'"
run pct-unit 2 tally-render -f text --max error-rate=0.5 "$T/locust.jsonl"
expect_err "a rate needs '%': '0.5'"
run rps-unit 2 tally-render -f text --min rps=5ms "$T/locust.jsonl"
expect_err "not a unit of throughput (/s): 'ms'"
run no-eq 2 tally-render -f text --max p95 "$T/locust.jsonl"
expect_err "no '=' in 'p95'"
run bad-number 2 tally-render -f text --max p95=fast "$T/locust.jsonl"
expect_err "not a number: 'fast'"
run bad-count 2 tally-render -f text --max failures=1.5 "$T/locust.jsonl"
expect_err "not a count: '1.5'"
run empty-target 2 tally-render -f text --max :p95=1s "$T/locust.jsonl"
expect_err "no endpoint before ':'"

# Baselines: the same Locust run with p95 halved and rps doubled, as if
# the earlier run had been twice as fast.
jq -c 'if .type == "perf" then .p95 = (.p95 / 2) | .rps = (.rps * 2) else . end' \
    "$T/locust.jsonl" > "$T/base.jsonl"
run baseline-fail 1 tally-render -f text --baseline "$T/base.jsonl" \
    --max-regression p95=10% "$T/locust.jsonl"
expect_out "gate 'max-regression' failed (aggregate p95 8.00 ms, was 4.00 ms: +100.0%, limit 10%)"
run baseline-rps 1 tally-render -f text --baseline "$T/base.jsonl" \
    --max-regression rps=20% "$T/locust.jsonl"
expect_out "aggregate rps 37.30/s, was 74.61/s: -50.0%, limit 20%"
run baseline-pass 0 tally-render -f text --baseline "$T/base.jsonl" \
    --max-regression p95=100% --max-regression avg=0% "$T/locust.jsonl"
run baseline-improved 0 tally-render -f text --baseline "$T/locust.jsonl" \
    --max-regression '*:p95=0%' "$T/base.jsonl"
expect_out "PASS: gates passed: max-regression"
run no-baseline 1 tally-render -f text --max-regression p95=10% "$T/locust.jsonl"
expect_out "aggregate p95: no baseline figure"
run baseline-alone 2 tally-render -f text --baseline "$T/base.jsonl" "$T/locust.jsonl"
expect_err "--baseline needs --max-regression"
run regression-unit 2 tally-render -f text --max-regression p95=10ms "$T/locust.jsonl"
expect_err "a regression is a percentage, not 'ms'"

# tally diff: NEW's rows carry BASE's figures and the changes.
run diff 0 tally-diff "$T/base.jsonl" "$T/locust.jsonl"
cp "$OUT" "$T/diff.jsonl"
v=$(jq -r 'select(.type == "perf" and .name == "Aggregated") | .properties[] |
    select(.name == "base.p95" or .name == "change.p95" or .name == "change.p95.pct" or
    .name == "change.rps.pct") | .value' "$T/diff.jsonl" | tr '\n' ' ')
[ "$v" = "-50.00 4 +4 +100.00 " ] && ok "diff: base and change of p95 and rps" ||
    notok "diff: base and change of p95 and rps" "got '$v'"
run diff-gate 1 tally-render -f text --max-regression 'GET /api/v1/health:p95=50%' "$T/diff.jsonl"
expect_out "'GET /api/v1/health' p95 9.00 ms, was 4.50 ms: +100.0%, limit 50%"
run diff-gate-pass 0 tally-render -f text --max-regression 'GET /api/v1/health:p99=0%' "$T/diff.jsonl"

# Every figure in every format.  Locust's Aggregated row: 2210 requests,
# 1607 failures, 37.30/s, min 2.59, avg 50.18, median 3, p90 6, p95 8,
# p99 2000, max 2160.30 ms (bitcoin-api_stats.csv).
run figures-text 0 tally-render -f text "$T/locust.jsonl"
expect_out "requests failures     err%      rps      min      avg   median      p90      p95      p99      max  name"
expect_out "   2,210    1,607      73%   37.3/s    2.6ms     50ms    3.0ms    6.0ms    8.0ms    2.00s    2.16s  Aggregated"
run figures-md 0 tally-render -f markdown "$T/locust.jsonl"
expect_out "| Name | requests | failures | err% | rps | min | avg | median | p90 | p95 | p99 | max |"
expect_out "| Aggregated | 2210 | 1607 | 73% | 37.3/s | 2.6ms | 50ms | 3.0ms | 6.0ms | 8.0ms | 2.00s | 2.16s |"
run figures-html 0 tally-render -f html "$T/locust.jsonl"
expect_out '<tr><td class="name">Aggregated</td><td class="n">2210</td><td class="n bad">1607</td><td class="n">73%</td><td class="n">37.3/s</td><td class="n">2.6ms</td><td class="n">50ms</td><td class="n">3.0ms</td><td class="n">6.0ms</td><td class="n">8.0ms</td><td class="n">2.00s</td><td class="n">2.16s</td></tr>'
run figures-json 0 tally-render -f json "$T/locust.jsonl"
v=$(jq -c '.results.extra.perf[] | select(.name == "Aggregated") |
    [.requests, .failures, (.errorRate * 100 | round), .min, .p90, .p95, .p99]' "$OUT")
[ "$v" = "[2210,1607,7271,2.59050005115569,6,8,2000]" ] && ok "$CASE: aggregate figures" ||
    notok "$CASE: aggregate figures" "got $v"
# k6 (the summary's http_reqs 878 at 35.946/s, http_req_failed 39.75%,
# http_req_duration avg 21.38 min 0.26 med 20.09 p90 26.36 p95 30.03 max 143.33).
run figures-k6 0 tally-render -f text "$T/k6.jsonl"
expect_out "     878      349      40%   35.9/s   0.26ms     21ms     20ms     26ms     30ms     40ms    143ms  http_req_duration"
expect_out "1.64us"
# pytest-benchmark: rounds as requests, ops as rps, stddev.
run figures-bench 0 tally-render -f text "$T/bench.jsonl"
expect_out "requests      rps      min      avg   median      max   stddev  name"
expect_out "  68,536  6.67M/s  0.142us   0.15us  0.144us   1.71us 0.0294us  bench.py::test_fib_1"
run figures-bench-json 0 tally-render -f json "$T/bench.jsonl"
v=$(jq -c '.results.extra.perf[] | select(.name == "bench.py::test_fib_20") | [.requests, .stddev, (.rps * 1e9 | round)]' "$OUT")
want=$(jq -c '.benchmarks[] | select(.name == "test_fib_20") | .stats | [.rounds, .stddev * 1000, (.ops * 1e9 | round)]' \
    "$J/pytest-benchmark-3.2.2-several-units.json")
[ "$v" = "$want" ] && ok "$CASE: rounds, stddev, ops as the file has them" ||
    notok "$CASE: rounds, stddev, ops" "got $v, wanted $want"
# A diff stream's rows show p95 against the base run.
run figures-diff-md 0 tally-render -f markdown "$T/diff.jsonl"
expect_out "| p95 vs base |"
expect_out "| 2.00s | 2.16s | +100.0% |"

# Charts: Locust's _stats_history.csv gives a time series per endpoint,
# drawn in the HTML report; tables and gates leave series rows out.
tally-collect "$L/grpc_stats.csv" "$L/grpc_stats_history.csv" > "$T/grpc.jsonl"
run series-text 0 tally-render -f text "$T/grpc.jsonl"
expect_out "=== Load and benchmarks (2)"
run series-gate 0 tally-render -f text --max '*:p95=7.8s' "$T/grpc.jsonl"
expect_out "PASS"
run series-md 0 tally-render -f markdown "$T/grpc.jsonl"
expect_out "### Load and benchmarks (2)"
run charts 0 tally-render -f html "$T/grpc.jsonl"
expect_out "<h3>Over time</h3>"
expect_lines '<svg class="chart"' 6
# One point per history row of the endpoint: 35 rows for GetOperfeed.
n=$(grep -o '<polyline[^>]*points="[^"]*"' "$OUT" | sed -n 1p | sed 's/.*points="//; s/"$//' | tr ' ' '\n' | wc -l)
want=$(grep -c '^[0-9]*,[0-9]*,grpc,' "$L/grpc_stats_history.csv")
[ "$n" -eq "$want" ] && ok "$CASE: $want points, one per history row" ||
    notok "$CASE: $n points, wanted $want"
expect_out "p95 (max 8300 ms)"
expect_out "requests/s (max 86.6/s)"
# A latency percentile bar per row, with its figures in its title.
expect_lines '<svg class="bars"' 1
expect_out "<title>Aggregated: min 83ms, median 5.10s, p90 7.60s, p95 7.80s, p99 8.20s, max 11.0s</title>"
# A count past what a long holds (found by fuzz_read under UBSan) is no
# count: the series keeps its last one and the file is still read.
{ sed -n 1p "$L/grpc_stats_history.csv"
  echo '1753581872,0,,Aggregated,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,1e92,1e92,0,0.0,0,0,0'
} > "$T/huge_stats_history.csv"
run history-huge-count 0 tally-collect "$T/huge_stats_history.csv"
expect_no_err
expect_lines '"type":"perf"' 1
# JMeter XML with text in a sample (responseData, a saved body) is read:
# the reader takes no text, and the shared XML walk must not call for it
# (found by fuzz_read: a call through a null pointer).
printf '<testResults><httpSample lb="a" t="5" s="true">body text</httpSample></testResults>\n' > "$T/text.jtl"
run jmeter-xml-text 0 tally-collect "$T/text.jtl"
expect_no_err
expect_lines '"name":"a"' 1
run no-charts 0 tally-render -f html "$T/bench.jsonl"
expect_not_out "<h3>Over time</h3>"
expect_out "<h3>Latency percentiles</h3>"

# Categories: collect --rules gives perf rows the category of their test
# file (Locust: its default locustfile.py, a load test by the built-in
# rules; pytest-benchmark: the file of its node id); the report breaks
# tests and load rows down in one table.
mkdir -p "$T/empty"
PATH=$(cd "$TALLY_BIN" && pwd):$PATH	# the case changes directory
X2=$DATA/category/pytest-7.2-xunit2-categories.xml
run cat-collect 0 sh -c 'cd "$1" && shift && tally-collect --rules "$@"' sh "$T/empty" \
    "$X2" "$L/bitcoin-api_stats.csv" "$J/pytest-benchmark-2.5.0-storage-0001.json"
cp "$OUT" "$T/cat.jsonl"
expect_lines '{"name":"category","value":"load"}' 9
n=$(jq -r 'select(.type == "perf" and (.name | startswith("tests/test_normal.py::"))) |
    .properties[] | select(.name == "category") | .value' "$T/cat.jsonl")
[ "$n" = "unit" ] && ok "$CASE: the benchmark in tests/test_normal.py is unit, as its tests" ||
    notok "$CASE: benchmark category '$n'"
run cat-no-rules 0 tally-collect "$L/bitcoin-api_stats.csv"
expect_not_out '"category"'
run cat-text 0 tally-render -f text "$T/cat.jsonl"
# load: 9 rows, one without failed requests (GET /api/v1/health).
awk '/^=== By category/ { on = 1; next } /^===/ { on = 0 } on' "$OUT" > "$T/bycat"
grep -Eq '^ +1 +8 +0 +0 .* load$' "$T/bycat" && ok "$CASE: load row 1 passed, 8 failed" ||
    notok "$CASE: load row" "$(cat "$T/bycat")"
grep -Eq ' unit$' "$T/bycat" && grep -Eq ' integration$' "$T/bycat" &&
    ok "$CASE: tests' categories in the same table" || notok "$CASE: tests' categories" "$(cat "$T/bycat")"
run cat-md 0 tally-render -f markdown "$T/cat.jsonl"
expect_out "| load | 1 | 8 | 0 | 0 | "
run baseline-unreadable 2 tally-render -f text --baseline "$T/nonexistent.jsonl" \
    --max-regression p95=10% "$T/locust.jsonl"
expect_err "nonexistent.jsonl"
run figures-diff-text 0 tally-render -f text "$T/diff.jsonl"
expect_out "     max   p95 vs  name"
expect_out "    2.16s  +100.0%  Aggregated"
run figures-nodiff-text 0 tally-render -f text "$T/locust.jsonl"
expect_not_out "p95 vs"

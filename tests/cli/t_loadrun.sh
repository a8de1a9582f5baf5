#!/bin/sh
# tests/cli/t_loadrun.sh: live runs of Debian's Locust (headless, against
# a python3 http.server on 127.0.0.1 that this test starts) and
# pytest-benchmark; the figures tally reads are checked against the
# summaries the producers print themselves.
. "$(dirname "$0")/lib.sh"
LD=$ROOT/tests/load
PY=/usr/bin/python3	# Debian's, with python3-locust and python3-pytest-benchmark

mkdir -p "$T/www" "$T/lo" "$T/bench"
echo items > "$T/www/items"
: > "$T/srv.out"
(cd "$T/www" && exec $PY -u -m http.server 0 --bind 127.0.0.1 >"$T/srv.out" 2>/dev/null) &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
port=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	port=$(sed -n 's/.* port \([0-9][0-9]*\) .*/\1/p' "$T/srv.out")
	[ -n "$port" ] && break
	sleep 0.25
done
[ -n "$port" ] && ok "http.server on 127.0.0.1:$port" || notok "http.server did not start"

# ---- Locust: 4 users, 20 requests each (1 in 4 a 404), then idle ----
(cd "$T/lo" && locust -f "$LD/locustfile.py" --headless -u 4 -r 4 -t 60s \
    --host "http://127.0.0.1:$port" --csv run >out.txt 2>err.txt)
[ -s "$T/lo/run_stats.csv" ] && ok "locust wrote run_stats.csv" ||
    notok "locust wrote run_stats.csv" "$(tail -5 "$T/lo/err.txt")"
run locust 0 tally-collect "$T/lo/run_stats.csv" "$T/lo/run_stats_history.csv"
cp "$OUT" "$T/lo.jsonl"
# Locust's last printed tables: name reqs fails avg min max med req/s
# (times cut to whole ms, as Locust prints them), then 90% 95% 99%.
awk '/^Type +Name +# reqs/ { n++ } { print n "\t" $0 }' "$T/lo/err.txt" |
    awk -F'\t' -v last="$(grep -c '^Type  *Name  *# reqs' "$T/lo/err.txt")" '$1 == last' |
    cut -f2- | awk -F'|' 'NF == 3 && $1 !~ /^Type/ && $1 !~ /^---/ {
	n = split($1, a, " "); split($2, b, " "); split($3, c, " ")
	sub(/\(.*/, "", a[n])
	print a[n - 2], a[n - 1], a[n], b[1], b[2], b[3], b[4], c[1] }' | sort > "$T/want.txt"
jq -r 'select(.type == "perf" and (.properties | map(.name) | index("series") | not)) |
    "\(.name) \(.requests) \(.failures) \(.mean | floor) \(.min | floor) \(.max | floor) \(.median) \(.rps * 100 | round / 100 | tostring | if test("\\.") then (if test("\\.[0-9]$") then . + "0" else . end) else . + ".00" end)"' \
    "$T/lo.jsonl" | sort > "$T/got.txt"
[ "$(wc -l < "$T/want.txt")" -eq 3 ] && ok "locust printed 3 rows" || notok "locust printed 3 rows" "$(cat "$T/want.txt")"
same "locust: requests, failures, avg, min, max, median, req/s as Locust printed them" \
    "$T/want.txt" "$T/got.txt"
grep -A6 '^Response time percentiles' "$T/lo/err.txt" | tail -n +4 | grep -v '^---' |
    awk '{ print $(NF-12), $(NF-7), $(NF-6), $(NF-4) }' | sort > "$T/want.txt"
jq -r 'select(.type == "perf" and .p90 != null) | "\(.name) \(.p90) \(.p95) \(.p99)"' \
    "$T/lo.jsonl" | sort > "$T/got.txt"
same "locust: p90, p95, p99 as Locust printed them" "$T/want.txt" "$T/got.txt"
run locust-series 0 jq -r 'select(.properties | map(.value) | index("locust-history")) | .name' "$T/lo.jsonl"
expect_out "Aggregated"
run locust-gate 1 tally-render -f text --max '/missing:error-rate=0%' --max '/items:error-rate=0%' "$T/lo.jsonl"
expect_out "gate 'max' failed ('GET /missing' error-rate 100.00%, above the limit 0.00%)"
expect_not_out "'GET /items' error-rate"
run locust-html 0 tally-render -f html "$T/lo.jsonl"
expect_out "<h3>Over time</h3>"

# ---- pytest-benchmark ----
(cd "$T/bench" && $PY -m pytest -q -p no:cacheprovider "$LD/test_bench.py" \
    --benchmark-json=bench.json --benchmark-columns=rounds >out.txt 2>&1)
[ -s "$T/bench/bench.json" ] && ok "pytest-benchmark wrote bench.json" ||
    notok "pytest-benchmark wrote bench.json" "$(tail -5 "$T/bench/out.txt")"
run bench 0 tally-collect "$T/bench/bench.json"
# Its table: "test_fib_12     1234" per benchmark.
awk '$1 ~ /^test_/ && NF == 2 { print $1, $2 }' "$T/bench/out.txt" | sort > "$T/want.txt"
jq -r 'select(.type == "perf") | "\(.name | sub(".*::"; "")) \(.requests)"' "$OUT" | sort > "$T/got.txt"
[ "$(wc -l < "$T/want.txt")" -eq 2 ] && ok "pytest-benchmark printed 2 rows" ||
    notok "pytest-benchmark printed 2 rows" "$(cat "$T/bench/out.txt")"
same "pytest-benchmark: rounds as it printed them" "$T/want.txt" "$T/got.txt"
v=$(jq -r 'select(.type == "perf") | (.mean * .rps / 1000 * 1e6 | round)' "$OUT" | sort -u)
[ "$v" = "1000000" ] && ok "$CASE: ops per second is 1/mean" || notok "$CASE: ops and mean" "$v"

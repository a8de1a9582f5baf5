#!/bin/sh
# tests/cli/t_jmeter.sh: the JMeter reader on files Debian's JMeter writes
# here, against a python3 http.server on 127.0.0.1 that this test starts:
# CSV with field names (JMeter 3+'s default), CSV without (2.13's
# default), XML with nested sub-samples.  Figures are checked against
# JMeter's own summary line and an independent count of the samples.
. "$(dirname "$0")/lib.sh"
JM=$ROOT/tests/jmeter C=$DATA/jmeter

# The server, on a port the kernel picks.
mkdir -p "$T/www/sub"
echo items > "$T/www/items"
echo '<html><body><img src="a.png"></body></html>' > "$T/www/sub/index.html"
echo png > "$T/www/sub/a.png"
: > "$T/srv.out"
(cd "$T/www" && exec python3 -u -m http.server 0 --bind 127.0.0.1 >"$T/srv.out" 2>/dev/null) &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
port=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	port=$(sed -n 's/.* port \([0-9][0-9]*\) .*/\1/p' "$T/srv.out")
	[ -n "$port" ] && break
	sleep 0.25
done
[ -n "$port" ] && ok "http.server on 127.0.0.1:$port" || notok "http.server did not start"

# JMeter 2.13 as Debian ships it (see tests/jmeter/TallyJMeter.java); its
# default HTML parser (Lagarto) is not packaged, jsoup is.
CP=$(ls /usr/share/jmeter/lib/ext/*.jar /usr/share/jmeter/lib/*.jar | tr '\n' ':')/usr/share/jmeter/bin/ApacheJMeter.jar
mkdir -p "$T/cls"
javac -d "$T/cls" -cp "$CP:/usr/share/java/xstream.jar" "$JM/TallyJMeter.java" &&
    ok "javac TallyJMeter" || notok "javac TallyJMeter"
jmeter() {	# jmeter OUT LOOPS ARGS...: one run, its summary line in OUT.summary
	o=$1 loops=$2; shift 2
	(cd "$T" && java -Djmeter.home=/usr/share/jmeter -cp "$T/cls:$CP" TallyJMeter \
	    -n -t "$JM/plan.jmx" -l "$o" -j "$o.log" -Jport="$port" -Jloops="$loops" \
	    -JhtmlParser.className=org.apache.jmeter.protocol.http.parser.JsoupBasedHtmlParser "$@") \
	    > "$o.out" 2>&1
	grep 'summary =' "$o.out" | tail -1 > "$o.summary"
}
jmeter "$T/run.jtl" 25 -Jjmeter.save.saveservice.print_field_names=true
jmeter "$T/plain.jtl" 5
jmeter "$T/run.xml" 5 -Jjmeter.save.saveservice.output_format=xml
for f in run.jtl plain.jtl run.xml; do
	[ -s "$T/$f" ] && [ -s "$T/$f.summary" ] && ok "jmeter wrote $f" ||
	    notok "jmeter wrote $f" "$(tail -5 "$T/$f.out")"
done

# summary =    150 in   1.2s =  125.0/s Avg:    11 Min:     1 Max:   260 Err:    50 (33.33%)
summary() {	# the summary's count, avg, min, max and errors
	sed 's/.*summary = *\([0-9]*\) in.*Avg: *\([0-9]*\) Min: *\([0-9]*\) Max: *\([0-9]*\) Err: *\([0-9]*\).*/\1 \2 \3 \4 \5/' "$1"
}
total() {	# TOTAL's requests, floor(mean), min, max and failures
	jq -r 'select(.type == "perf" and .name == "TOTAL") |
	    "\(.requests) \(.mean | floor) \(.min) \(.max) \(.failures)"' "$1"
}

# CSV with field names, detected by its header.
run csv 0 tally-collect "$T/run.jtl"
cp "$OUT" "$T/run.jsonl"
want=$(summary "$T/run.jtl.summary") got=$(total "$T/run.jsonl")
[ -n "$want" ] && [ "$want" = "$got" ] && ok "csv: TOTAL is JMeter's summary ($want)" ||
    notok "csv: TOTAL is JMeter's summary" "summary: $want" "tally: $got"
expect_lines '"type":"perf"' 4
expect_out '"name":"GET /missing","requests":50,"failures":50,'
expect_out '{"name":"responseCode.404","value":"50"}'
expect_out '"name":"GET /sub","requests":50,"failures":0,'
expect_out '"name":"TOTAL",'
expect_out '{"name":"aggregated","value":"true"}'
# Percentiles and throughput by JMeter's Aggregate Report rule, counted
# independently (tests/jmeter/aggregate.py).
python3 "$JM/aggregate.py" "$T/run.jtl" > "$T/want.txt"
jq -r 'select(.type == "perf") | "\(.name) \(.requests) \(.median) \(.p90) \(.p95) \(.p99) \(.rps * 1e6 | round / 1e6)"' \
    "$T/run.jsonl" | sort > "$T/got.txt"
# The rate to six places on both sides: python prints 125.0, jq 125.
six() { awk '$NF != "null" { $NF = sprintf("%.6f", $NF) } 1' "$1" > "$1.6" && mv "$1.6" "$1"; }
six "$T/want.txt"; six "$T/got.txt"
same "csv: percentiles and throughput of every label" "$T/want.txt" "$T/got.txt"

# CSV without field names (JMeter 2.13's default columns), by -f.
run plain 0 tally-collect -f jmeter "$T/plain.jtl"
cp "$OUT" "$T/plain.jsonl"
want=$(summary "$T/plain.jtl.summary") got=$(total "$T/plain.jsonl")
[ -n "$want" ] && [ "$want" = "$got" ] && ok "plain: TOTAL is JMeter's summary ($want)" ||
    notok "plain: TOTAL is JMeter's summary" "summary: $want" "tally: $got"
run plain-auto 2 tally-collect "$T/plain.jtl"
expect_err "unrecognized format"

# XML: the redirect and the image nested in GET /sub are parts of it,
# not counted again, as in JMeter's summary.
run xml 0 tally-collect "$T/run.xml"
cp "$OUT" "$T/xml.jsonl"
want=$(summary "$T/run.xml.summary") got=$(total "$T/xml.jsonl")
[ -n "$want" ] && [ "$want" = "$got" ] && ok "xml: TOTAL is JMeter's summary ($want)" ||
    notok "xml: TOTAL is JMeter's summary" "summary: $want" "tally: $got"
expect_lines '"type":"perf"' 4
expect_not_out '"name":"http://127.0.0.1:'
grep -c '<httpSample .*lb="http://127.0.0.1:[0-9]*/sub/a.png"' "$T/run.xml" | grep -qx 10 &&
    ok "xml: the file has the nested samples" || notok "xml: the file has the nested samples"
expect_out '"name":"GET /sub","requests":10,"failures":0,'

# Gates on a JMeter run: the 404s make every GET /missing fail.
run gate-fail 1 tally-render -f text --max 'GET /missing:error-rate=0%' "$T/run.jsonl"
expect_out "gate 'max' failed ('GET /missing' error-rate 100.00%, above the limit 0.00%)"
run gate-pass 0 tally-render -f text --max 'GET /items:error-rate=0%' --min requests=150 \
    "$T/run.jsonl"

# Files from other JMeter versions (tests/data/jmeter/PROVENANCE.md).
run tailspin 0 tally-collect "$C/tailspin-results.jtl"
cp "$OUT" "$T/tailspin.jsonl"
python3 "$JM/aggregate.py" "$C/tailspin-results.jtl" > "$T/want.txt"
jq -r 'select(.type == "perf") | "\(.name) \(.requests) \(.median) \(.p90) \(.p95) \(.p99) \(.rps * 1e6 | round / 1e6)"' \
    "$T/tailspin.jsonl" | sort > "$T/got.txt"
same "tailspin: 17 default columns, redirect sub-samples as labels" "$T/want.txt" "$T/got.txt"
run ko 0 tally-collect "$C/jmeter-html-report-testfile-with-KO.jtl.csv"
expect_out '"name":"JR-KO","requests":3,"failures":3,'
expect_out '"name":"TOTAL","requests":255,"failures":3,'
run french 0 tally-collect "$C/jmeter-all-false-french-labels.jtl.csv"
expect_out '"name":"Requête HTTP","requests":50,"failures":50,"mean":0,"min":0,"max":0,'
run batch 0 tally-collect "$C/jmeter-batch-summary-columns.csv"
n=$(grep -c '"type":"perf"' "$OUT")
want=$(($(tail -n +2 "$C/jmeter-batch-summary-columns.csv" | cut -d, -f1 | sort -u | wc -l) + 1))
[ "$n" -eq "$want" ] && ok "$CASE: a row per label and TOTAL" || notok "$CASE: $n rows, wanted $want"
want=$(tail -n +2 "$C/jmeter-batch-summary-columns.csv" | awk -F, '{ n += $(NF-1); e += $NF } END { print n, e }')
got=$(jq -r 'select(.name == "TOTAL") | "\(.requests) \(.failures)"' "$OUT")
[ "$want" = "$got" ] && ok "$CASE: SampleCount and ErrorCount summed ($got)" ||
    notok "$CASE: SampleCount and ErrorCount" "wanted $want, got $got"
run xml-1.2 0 tally-collect "$C/jmeter-xml-jtl-1.2-sample_log1c.jtl"
expect_out '"name":"jakarta_home","requests":1000,"failures":0,'
expect_out '"name":"TOTAL","requests":2000,"failures":0,'
run headerless-other 2 tally-collect -f jmeter "$C/jmeter-headerless.csv"
expect_err "jmeter-headerless.csv:1: error: not a JMeter CSV header: no 'label' column, nor JMeter's default columns"
printf 'label,elapsed\na,12\nb,x\n' > "$T/bad.csv"
run bad-elapsed 2 tally-collect "$T/bad.csv"
expect_err "bad.csv:3: error: elapsed time is not a number"
printf '<testResults version="1.2">\n<httpSample t="-1" lb="a"/>\n</testResults>\n' > "$T/bad.xml"
run bad-xml 2 tally-collect "$T/bad.xml"
expect_err "bad.xml:2: error: <httpSample>: elapsed time is not a number"

# tests/jmeter/aggregate.py FILE: JMeter's Aggregate Report of a CSV .jtl
# with field names, computed on its own for tests/cli/t_jmeter.sh: per
# label and TOTAL, "label count median p90 p95 p99 rate", percentiles by
# StatCalculator's rule (the smallest time whose running count reaches
# round(n * p)), rate as samples over last end minus first start.
import csv, math, sys

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for lb in sorted({r["label"] for r in rows} | {"TOTAL"}):
    rs = [r for r in rows if lb == "TOTAL" or r["label"] == lb]
    t = sorted(int(r["elapsed"]) for r in rs)
    pct = [t[max(0, math.floor(len(t) * p + 0.5) - 1)]
           for p in (0.5, 0.9, 0.95, 0.99)]
    span = (max(int(r["timeStamp"]) + int(r["elapsed"]) for r in rs) -
            min(int(r["timeStamp"]) for r in rs))
    print(lb, len(t), *pct, round(len(t) * 1000 / span, 6) if span else "null")

#!/usr/bin/env python3
"""Regenerate the merge fixtures from the real files in the shared corpus.

Until the JUnit and CTRF readers land, this script plays the reader: it maps
each corpus file to the records tally-collect should emit (tally-stream(5)),
field for field.  Usage: make-fixtures.py CORPUS_DIR (run in this directory).
"""
import json, sys, xml.etree.ElementTree as ET

corpus = sys.argv[1]

def rec(**kw):
    d = {"v": 1}
    d.update({k: v for k, v in kw.items() if v is not None})
    return d

def ms(t):
    if t is None:
        return None
    v = float(t.replace(",", "")) * 1000.0
    return int(v) if v == int(v) else round(v, 6)

def status_of(word):
    return {"failure": "failed", "error": "failed", "skipped": "skipped",
            "flakyFailure": "failed", "flakyError": "failed",
            "rerunFailure": "failed", "rerunError": "failed"}.get(word)

def text(el, tag):
    c = el.find(tag)
    return c.text if c is not None and c.text else None

def junit(path, source, labels=None):
    out = []
    root = ET.parse(corpus + "/" + path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for s in suites:
        name = s.get("name")
        props = [{"name": p.get("name"), "value": p.get("value")}
                 for p in s.findall("properties/property")]
        out.append(rec(type="suite", suite=[name], timestamp=s.get("timestamp"),
                       duration=ms(s.get("time")),
                       tests=int(s.get("tests")) if s.get("tests") else None,
                       failures=int(s.get("failures")) if s.get("failures") else None,
                       errors=int(s.get("errors")) if s.get("errors") else None,
                       skipped=int(s.get("skipped") or s.get("skips") or 0),
                       properties=props or None, source=source, labels=labels))
        for tc in s.findall("testcase"):
            st, raw, msg, typ, trace = "passed", None, None, None, None
            attempts = []
            for c in tc:
                if c.tag in ("failure", "error", "skipped"):
                    st, raw = status_of(c.tag), c.tag
                    msg, typ = c.get("message"), c.get("type")
                    trace = c.text if c.text and c.text.strip() else None
                elif c.tag in ("flakyFailure", "flakyError", "rerunFailure",
                               "rerunError"):
                    attempts.append(rec(status=status_of(c.tag), rawStatus=c.tag,
                                        duration=ms(c.get("time")),
                                        message=c.get("message"),
                                        errorType=c.get("type"),
                                        trace=text(c, "stackTrace"),
                                        stdout=text(c, "system-out"),
                                        stderr=text(c, "system-err")))
            for a in attempts:
                del a["v"]
            flaky = st == "passed" and any(a["status"] == "failed" for a in attempts)
            out.append(rec(type="test", name=tc.get("name"), status=st,
                           rawStatus=raw, duration=ms(tc.get("time")),
                           suite=[name], classname=tc.get("classname") or None,
                           filePath=tc.get("file"),
                           line=int(tc.get("line")) if tc.get("line") else None,
                           message=msg, errorType=typ, trace=trace,
                           stdout=text(tc, "system-out"),
                           stderr=text(tc, "system-err"),
                           retries=len(attempts) or None,
                           flaky=True if flaky else None,
                           retryAttempts=attempts or None,
                           source=source, labels=labels))
    return out

def ctrf(path, source, labels=None):
    out = []
    for t in json.load(open(corpus + "/" + path))["results"]["tests"]:
        att = [rec(status=a["status"], duration=a.get("duration"),
                   message=a.get("message")) for a in t.get("retryAttempts", [])]
        for a in att:
            del a["v"]
        out.append(rec(type="test", name=t["name"], status=t["status"],
                       duration=t.get("duration"), retries=t.get("retries"),
                       flaky=t.get("flaky"), retryAttempts=att or None,
                       source=source, labels=labels))
    return out

def jest(path, source, labels=None):
    out = []
    for f in json.load(open(corpus + "/" + path))["testResults"]:
        for t in f["testResults"]:
            retries = t.get("invocations", 1) - 1
            out.append(rec(type="test", name=t["title"], status=t["status"],
                           duration=t.get("duration"),
                           suite=[f["testFilePath"]] + t["ancestorTitles"],
                           filePath=f["testFilePath"],
                           retries=retries or None,
                           flaky=True if retries and t["status"] == "passed" else None,
                           source=source, labels=labels))
    return out

def write(name, records):
    with open(name, "w") as fp:
        for r in records:
            fp.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")

write("surefire-flaky.jsonl",
      junit("junit-surefire/TEST-io.olamy.FlakyTest-3.0.2.xml",
            "target/surefire-reports/TEST-io.olamy.FlakyTest.xml"))
write("surefire-alwaysfail.jsonl",
      junit("junit-surefire/TEST-io.olamy.AlwaysFailTest-rerunFailure-3.0.2.xml",
            "target/surefire-reports/TEST-io.olamy.AlwaysFailTest.xml"))
write("surefire-flaky-stacktrace.jsonl",
      junit("junit-surefire/surefire-flakyFailure-stackTrace.xml",
            "target/surefire-reports/surefire-report.xml"))
write("pytest-rerun.jsonl",
      junit("junit-edge/pytest-rerun-duplicate-testcases.xml", "pytest.xml"))
for py in ("3.10", "3.11"):
    write("pytest-rerun-py%s.jsonl" % py,
          junit("junit-edge/pytest-rerun-duplicate-testcases.xml",
                "pytest.xml", {"py": py}))
write("gotestsum-rerun.jsonl",
      junit("junit-go/gotestsum-style-go-version-property.xml", "report.xml",
            {"shard": "1"}))
write("ctrf-retries.jsonl",
      ctrf("json-ctrf/ctrf-spec-with-retries.json", "ctrf-report.json"))
write("jest-retried.jsonl",
      jest("json-jest/jest-aggregated-retried.json", "jest-results.json"))

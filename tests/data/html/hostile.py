import json
out=[]
def rec(**k):
    out.append(json.dumps(dict(v=1, **k), ensure_ascii=False, separators=(',',':')))
X = '<img src=x onerror=alert(1)>'
rec(type="meta", meta={"branch":"</script><script>alert('meta')</script>","ci_url":"javascript:alert(1)","docs":"https://example.org/a\"onmouseover=\"alert(1)","build_url":"https://ci.example.org/run/1?a=1&b=<2>"})
rec(type="test", name=X, status="failed", classname="'-alert(1)-'", suite=["</textarea><script>alert(3)</script>"], category="<b>bold</b>",
    message="</script><!--<script>alert(4)</script> javascript:alert(5)", errorType="\"><svg onload=alert(6)>",
    trace="\u001b]8;;javascript:alert(7)\u0007click\u001b]8;;\u0007 \u001b[31mred\u001b[0m \u001b[38;2;1;2;3mtrue\u001b[0m \u001b[2J\u001b[?25l done",
    stdout="line\u2028sep \u2029 para <!-- -->", stderr="\u0007bell \u0001? \u001bc", filePath="<x>.py", line=3,
    labels={"\"><img src=x onerror=alert(8)>":"<svg/onload=alert(9)>"}, properties=[{"name":"<p>","value":"</script>"}],
    source="results/<evil>.xml", duration=5)
rec(type="test", name="bidi \u202egnp.exe\u202c and zero\u200bwidth", status="passed", duration=1, suite=["s"], category="unit")
rec(type="test", name="</script>", status="skipped", message="<script>alert(10)</script>", duration=0, suite=["s"], category="unit")
rec(type="test", name="&lt;already escaped&gt; & \"quotes\" 'single'", status="failed", message="&amp;", duration=2, suite=["s"],
    retries=1, flaky=False, retryAttempts=[{"status":"failed","message":X,"trace":"</script>"}])
print("\n".join(out))

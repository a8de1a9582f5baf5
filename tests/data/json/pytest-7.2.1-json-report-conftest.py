# Mirrors pytest-json-report's collectors/summary/exitcode serialisation
# (numirias/pytest-json-report pytest_jsonreport/serialize.py,
# make_collector/make_collectitem/make_summary) for a run with collection errors.
import json, time, collections
_collectors = []
_tests = collections.OrderedDict()
_start = time.time()
def pytest_collectreport(report):
    res = []
    for item in report.result:
        j = {'nodeid': item.nodeid, 'type': item.__class__.__name__}
        try:
            j['lineno'] = item.location[1]
        except AttributeError:
            pass
        res.append(j)
    c = {'nodeid': report.nodeid, 'outcome': report.outcome, 'result': res}
    if report.longrepr:
        c['longrepr'] = str(report.longrepr)
    _collectors.append(c)
def pytest_sessionfinish(session):
    s = collections.Counter([t['outcome'] for t in _tests.values()])
    s['total'] = sum(s.values())
    s['collected'] = session.testscollected
    rep = {'created': time.time(), 'duration': time.time() - _start,
           'exitcode': int(session.exitstatus), 'root': str(session.fspath),
           'environment': {}, 'summary': s, 'collectors': _collectors,
           'tests': list(_tests.values())}
    with open('report.json', 'w') as f:
        json.dump(rep, f, indent=2)

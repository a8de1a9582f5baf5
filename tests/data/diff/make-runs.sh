#!/bin/sh
# Regenerate run1.xml .. run4.xml: four real pytest runs (pytest
# --junitxml, xunit2) of a copy of examples/project's runnable tests plus
# test_scenario.py, whose tests fail, flip, recover, slow down, get
# skipped, appear and disappear by the run number in TALLY_RUN.
# Usage: sh tests/data/diff/make-runs.sh  (needs python3 -m pytest)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir "$W/tests"
for f in conftest.py test_health_endpoints.py test_pipeline_integration.py \
    test_precision_math.py test_smoke_login.py test_user_model.py; do
	cp "$here/../../../examples/project/tests/$f" "$W/tests/"
done
cp "$here/test_scenario.py" "$W/tests/"
for n in 1 2 3 4; do
	(cd "$W" && TALLY_RUN=$n python3 -m pytest -q -p no:cacheprovider \
	    -o junit_suite_name=project --junitxml="$W/run$n.xml" tests \
	    > /dev/null) || true
	cp "$W/run$n.xml" "$here/run$n.xml"
done

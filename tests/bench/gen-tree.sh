#!/bin/sh
# gen-tree.sh DIR N: a project at DIR whose tests/ directory holds N test
# files in one flat directory, named so the built-in rules sort them into
# several categories (unit, integration, performance, security, ...).
d=$1
n=${2:-10000}
mkdir -p "$d/tests"
awk -v d="$d/tests" -v n="$n" 'BEGIN {
	split("user_model checkout_flow pipeline_integration security_hardening precision_math production_performance smoke_login health_endpoints", k, " ")
	for (i = 0; i < n; i++) {
		f = sprintf("%s/test_%s_%05d.py", d, k[i % 8 + 1], i)
		printf "def test_case_%d():\n    assert %d == %d\n", i, i, i > f
		close(f)
	}
}'

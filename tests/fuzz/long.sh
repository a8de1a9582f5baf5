#!/bin/sh
# tests/fuzz/long.sh: long libFuzzer runs of fuzz_read, one reader at a
# time (FUZZ_FORMAT), each seeded with that format's real files from
# tests/data and the dictionary tests/fuzz/read.dict.  Build the target
# first (`make fuzz FUZZ_SECONDS=1`).
#
#   sh tests/fuzz/long.sh SECONDS [FORMAT ...]
#
# Corpora grow in build-fuzz/corpus-FORMAT; a crash is written to
# build-fuzz/crash/FORMAT-*, and the run of the next format goes on.
# Exit status 1 when any run found something.
set -u
secs=${1:?usage: long.sh SECONDS [FORMAT ...]}
shift
[ $# -gt 0 ] || set -- jmeter trx playwright cucumber nunit xunit tap rspec \
    k6 locust pytest-benchmark tally

seeds() {
	case $1 in
	jmeter|trx|playwright|cucumber|nunit|xunit|tap|rspec|locust)
		echo tests/data/$1 ;;
	k6)	ls tests/data/json/k6-* tests/data/hostile/k6-* ;;
	pytest-benchmark)
		ls tests/data/json/pytest-benchmark-* \
		    tests/data/hostile/pytest-benchmark-* ;;
	tally)	echo tests/data/merge tests/data/qa; ls tests/data/hostile/stream-* ;;
	*)	echo "long.sh: no seeds for $1" >&2; return 1 ;;
	esac
}

status=0
mkdir -p build-fuzz/crash
for f in "$@"; do
	s=$(seeds "$f") || exit 2
	mkdir -p build-fuzz/seed-$f build-fuzz/corpus-$f
	# Seed directories hold only that format's files (no PROVENANCE.md).
	for x in $s; do
		find "$x" -type f ! -name 'PROVENANCE.md' \
		    ! -name '*.py' ! -name '*.txt' ! -name '*.cs' \
		    -exec cp {} build-fuzz/seed-$f/ \;
	done
	echo "== $f: $(ls build-fuzz/seed-$f | wc -l) seeds, ${secs}s"
	FUZZ_FORMAT=$f build-fuzz/fuzz_read -max_total_time="$secs" \
	    -max_len=65536 -timeout=5 -rss_limit_mb=2048 \
	    -dict=tests/fuzz/read.dict -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crash/$f- \
	    build-fuzz/corpus-$f build-fuzz/seed-$f >build-fuzz/log-$f 2>&1 ||
	    status=1
	tail -n 12 build-fuzz/log-$f | grep -E 'stat::|ERROR|SUMMARY|Done' || :
done
ls build-fuzz/crash
exit $status

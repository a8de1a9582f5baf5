#!/bin/sh
# tests/cli/t_bench.sh: the bench generators (tests/bench), which make bench
# and make bench-peers time tally and its peers on.  Shards numbered from
# FIRST hold together the same tests as one file, so that merging shards and
# reading the one file compare like with like.
. "$(dirname "$0")/lib.sh"
G=$ROOT/tests/bench/gen-junit.sh
mkdir -p "$T/shards"
sh "$G" 250 > "$T/one.xml"
for k in 0 1 2 3 4; do
	sh "$G" 50 0 $((k * 50)) > "$T/shards/shard-$k.xml"
done
tests() {	# the test records of a merged stream, without their source file
	jq -c 'select(.type == "test") | del(.source)' | sort
}
run gen-junit-one 0 sh -c 'tally collect "$1" | tally merge' sh "$T/one.xml"
tests < "$OUT" > "$T/one.tests"
run gen-junit-shards 0 sh -c 'tally collect "$1" | tally merge' sh "$T/shards"
tests < "$OUT" > "$T/shards.tests"
n=$(wc -l < "$T/one.tests")
if [ "$n" -eq 250 ]; then ok "gen-junit: 250 tests in one file"
else notok "gen-junit: $n tests in one file, wanted 250"; fi
same "gen-junit: shards from FIRST hold the one file's tests" \
    "$T/one.tests" "$T/shards.tests"
for f in "$T/one.xml" "$T/shards"/*.xml; do
	xmllint --noout "$f" 2>> "$T/lint" || echo "$f" >> "$T/bad"
done
if [ -e "$T/bad" ]; then notok "gen-junit: well-formed XML" "$(head -c 600 "$T/lint")"
else ok "gen-junit: well-formed XML"; fi

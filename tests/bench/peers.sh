#!/bin/sh
# tests/bench/peers.sh: `make bench-peers` (also run by `make bench`
# unless BENCH_PEERS=0).  tally against other tools doing the same job on
# the same generated JUnit inputs: wall time and peak RSS, medians of
# BENCH_RUNS runs, with ratios tally/peer (below 1: tally is faster or
# smaller).  Figures, not pass/fail.
#
#   parse floor  xmllint --stream --noout       vs tally collect
#   merge        junit-merge, junit-report-merger, junitparser merge
#                (200 shards into one JUnit file)
#                vs tally collect DIR | tally merge | tally render -f junit
#   HTML report  xunit-viewer -r DIR
#                vs tally collect DIR | tally merge | tally render -f html
#
# Peers are pinned: python3-junitparser 2.8.0-1 from Debian (apt-get, as
# root or through sudo -n), the npm packages by tests/bench/peers/
# package-lock.json, installed with `npm ci` into BENCH_PEERS_DIR (default
# build/peers).  A peer that cannot be installed is reported as not
# available; one that exceeds BENCH_TIMEOUT seconds (default 300) or runs
# out of memory is reported as such.  Neither fails the bench.
#
# Sizes: 1k, 100k and 1M cases (BENCH_SIZES, times BENCH_SCALE percent),
# each as one file and as 200 shards of the same cases.  Peak RSS of a
# pipeline is that of its largest process.  BENCH_ONLY="xmllint
# junit-merge" runs only the peers named (on a loaded machine, for 1M).
# collect reads the shards on its default threads (collect -j); the
# "collect -j1" row reads them one after another, against the same floor.
set -eu
BIN=${TALLY_BIN:-build/bin}
M=${MEASURE:-build/tests/measure}
S=${BENCH_SCALE:-100}
RUNS=${BENCH_RUNS:-3}
CAP=${BENCH_TIMEOUT:-300}
PEERS=${BENCH_PEERS_DIR:-build/peers}
SHARDS=200
SIZES=${BENCH_SIZES:-1000 100000 1000000}
ONLY=${BENCH_ONLY:-}
PY=/usr/bin/python3
JP_VERSION=2.8.0-1
here=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/tally-peers.XXXXXX")
trap 'rm -rf "$W"' EXIT
ROWS=$W/rows.tsv
: > "$ROWS"

# --- Peers ---------------------------------------------------------------

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo > /dev/null; then sudo -n "$@"
	else return 1; fi
}
have_junitparser() {
	[ "$(dpkg-query -W -f '${Version}' python3-junitparser 2>/dev/null)" = \
	    "$JP_VERSION" ] && "$PY" -c 'import junitparser' 2>/dev/null
}
install_junitparser() {
	have_junitparser && return 0
	command -v apt-get > /dev/null || return 1
	echo "installing python3-junitparser=$JP_VERSION"
	{ as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    "python3-junitparser=$JP_VERSION" ||
	  { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq "python3-junitparser=$JP_VERSION"; }
	} > "$W/apt.log" 2>&1 || return 1
	have_junitparser
}
install_npm_peers() {
	command -v npm > /dev/null || return 1
	mkdir -p "$PEERS" || return 1
	if cmp -s "$here/peers/package-lock.json" "$PEERS/package-lock.json" &&
	    [ -d "$PEERS/node_modules" ]; then
		return 0
	fi
	echo "installing npm peers into $PEERS (npm ci)"
	cp "$here/peers/package.json" "$here/peers/package-lock.json" "$PEERS/" &&
	    npm ci --prefix "$PEERS" --no-audit --no-fund --loglevel=error \
	    > "$W/npm.log" 2>&1
}

JP=no NPM=no
install_junitparser && JP=yes || echo "peer junitparser: not available (python3-junitparser=$JP_VERSION could not be installed)"
if install_npm_peers; then
	NPM=yes
else
	echo "peer junit-merge, junit-report-merger, xunit-viewer: not available (npm ci into $PEERS failed or no npm)"
	[ -s "$W/npm.log" ] && sed 's/^/  npm: /' "$W/npm.log" | head -5
fi
nbin=$PEERS/node_modules/.bin
peer_ok() {	# peer_ok NAME: is the peer there (and chosen)?
	if [ -n "$ONLY" ]; then
		case " $ONLY " in *" $1 "*) ;; *) return 1 ;; esac
	fi
	case $1 in
	xmllint) command -v xmllint > /dev/null ;;
	junitparser) [ "$JP" = yes ] ;;
	*) [ "$NPM" = yes ] && [ -x "$nbin/$1" ] ;;
	esac
}
why_not() {	# why_not NAME: why a peer did not run
	case " ${ONLY:-$1} " in *" $1 "*) echo "not available" ;;
	*) echo "not run (BENCH_ONLY)" ;; esac
}

# --- Measuring -----------------------------------------------------------

# bench OUT CMD...: BENCH_RUNS runs of CMD under BENCH_TIMEOUT; prints
# "median-wall<TAB>median-RSS-KiB<TAB>status".  A run that times out, runs
# out of memory or fails ends the series.
bench() {
	out=$1; shift
	: > "$W/t"
	i=0 st=ok
	while [ "$i" -lt "$RUNS" ]; do
		i=$((i + 1))
		rm -rf "$out"
		"$M" run timeout -k 10 "$CAP" "$@" 3>> "$W/t" > /dev/null \
		    2> "$W/err" || true
		e=$(tail -n 1 "$W/t" | cut -f 4)
		w=$(tail -n 1 "$W/t" | cut -f 2)
		[ "$e" = 0 ] && continue
		if awk -v w="$w" -v c="$CAP" 'BEGIN { exit !(w >= c) }'; then
			st="timeout >${CAP}s"
		elif [ "$e" = 137 ] || grep -q -i -e 'out of memory' \
		    -e MemoryError -e 'Cannot allocate' "$W/err"; then
			st="out of memory"
		else
			st="failed (exit $e: $(grep -v '^[[:space:]]*$' "$W/err" | tail -n 1 | cut -c 1-60))"
		fi
		break
	done
	printf '%s\t%s\t%s\n' "$(cut -f 2 "$W/t" | median)" \
	    "$(cut -f 3 "$W/t" | median)" "$st"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# cases FILE: the number of <testcase> elements in a JUnit file.
cases() {
	[ -f "$1" ] && grep -o '<testcase[[:space:]/>]' "$1" | wc -l || echo -
}

kib() { [ -f "$1" ] && echo "$(($(wc -c < "$1") / 1024))KiB" || echo -; }

# row SIZE WHAT TALLY-RESULT PEER PEER-RESULT CASES-TALLY CASES-PEER
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$ROWS"; }

# The tally pipeline over a directory of shards: sh $TP FORMAT DIR OUT.
TP=$W/pipeline.sh
printf '%s\n' '"$TALLY" collect "$2" | "$TALLY" merge | "$TALLY" render -f "$1" -o "$3"' > "$TP"
export TALLY="$BIN/tally"

sizes=
for n in $SIZES; do
	n=$((n * S / 100))
	per=$((n / SHARDS)); [ "$per" -ge 1 ] || per=1
	sizes="$sizes $((per * SHARDS))"
done

for n in $sizes; do
	per=$((n / SHARDS))
	sh "$here/gen-junit.sh" "$n" > "$W/one.xml"
	mkdir "$W/shards"
	k=0
	while [ "$k" -lt "$SHARDS" ]; do
		sh "$here/gen-junit.sh" "$per" 0 $((k * per)) \
		    > "$W/shards/shard-$k.xml"
		k=$((k + 1))
	done
	echo "== $n cases: one file of $(($(wc -c < "$W/one.xml") / 1024)) KiB, $SHARDS shards of $per cases"

	# Parse floor: xmllint's streaming reader, no tree, no output.
	if peer_ok xmllint; then
		t=$(bench "$W/o.jsonl" "$BIN/tally" collect -o "$W/o.jsonl" "$W/one.xml")
		p=$(bench "$W/none" xmllint --stream --noout "$W/one.xml")
		row "$n" "collect, one file" "$t" "xmllint --stream" "$p" - -
		t=$(bench "$W/o.jsonl" "$BIN/tally" collect -o "$W/o.jsonl" "$W/shards")
		p=$(bench "$W/none" sh -c 'xmllint --stream --noout "$1"/*.xml' sh "$W/shards")
		row "$n" "collect, $SHARDS shards" "$t" "xmllint --stream" "$p" - -
		t=$(bench "$W/o.jsonl" "$BIN/tally" collect -j1 -o "$W/o.jsonl" "$W/shards")
		row "$n" "collect -j1, $SHARDS shards" "$t" "xmllint --stream" "$p" - -
	else
		echo "peer xmllint: $(why_not xmllint)"
	fi

	# Shards merged into one JUnit file.
	t=$(bench "$W/t.xml" sh "$TP" junit "$W/shards" "$W/t.xml")
	tc=$(cases "$W/t.xml")
	for p in junit-merge junit-report-merger junitparser; do
		if ! peer_ok "$p"; then
			row "$n" "merge to JUnit" "$t" "$p" "-	-	$(why_not "$p")" "$tc" -
			continue
		fi
		case $p in
		junit-merge) r=$(bench "$W/p.xml" "$nbin/junit-merge" -d "$W/shards" -o "$W/p.xml") ;;
		junit-report-merger) r=$(bench "$W/p.xml" "$nbin/jrm" "$W/p.xml" "$W/shards/*.xml") ;;
		junitparser) r=$(bench "$W/p.xml" "$PY" -m junitparser merge --glob "$W/shards/*.xml" "$W/p.xml") ;;
		esac
		row "$n" "merge to JUnit" "$t" "$p" "$r" "$tc" "$(cases "$W/p.xml")"
	done

	# An HTML report of the shards.
	t=$(bench "$W/t.html" sh "$TP" html "$W/shards" "$W/t.html")
	if peer_ok xunit-viewer; then
		r=$(bench "$W/p.html" "$nbin/xunit-viewer" -r "$W/shards" -o "$W/p.html")
		row "$n" "HTML report" "$t" "xunit-viewer" "$r" "$(kib "$W/t.html")" "$(kib "$W/p.html")"
	else
		row "$n" "HTML report" "$t" "xunit-viewer" "-	-	$(why_not xunit-viewer)" "$(kib "$W/t.html")" -
	fi
	rm -rf "$W/one.xml" "$W/shards" "$W"/[otp].* "$W"/p.*
done

echo "tally against peers: medians of $RUNS runs; x = tally / peer (below 1: tally"
echo "faster or smaller); RSS of a pipeline is its largest process; output ="
echo "<testcase> elements written, or the HTML file's size"
printf '%-8s %-20s %8s %8s  %-20s %8s %8s  %6s %6s  %s\n' \
    cases step "tally s" "MiB" peer "peer s" "MiB" "s x" "RSS x" "output tally/peer"
awk -F '\t' '
function mib(k) { return k == "-" || k == "" ? "-" : sprintf("%.1f", k / 1024) }
function ratio(a, b) { return a == "-" || b == "-" || b + 0 == 0 ? "-" : sprintf("%.2f", a / b) }
{	ts = $3; tr = $4; tst = $5; ps = $7; pr = $8; pst = $9
	if (tst != "ok") { ts = "-"; tr = "-" }
	if (pst != "ok") { ps = "-"; pr = "-" }
	printf "%-8s %-20s %8s %8s  %-20s %8s %8s  %6s %6s  %s\n", $1, $2,
	    ts, mib(tr), $6, ps, mib(pr), ratio(ts, ps), ratio(tr, pr),
	    ($10 == "-" ? "" : $10 "/" $11)
	if (tst != "ok") printf "%-8s   tally: %s\n", "", tst
	if (pst != "ok") printf "%-8s   %s: %s\n", "", $6, pst
}' "$ROWS"

#!/bin/sh
# tally-collect -j: files read in parallel give the bytes, the diagnostics
# and the exit status of reading them one after another, and memory does
# not grow with the number of files.
. "$(dirname "$0")/lib.sh"
G=$ROOT/tests/bench/gen-junit.sh

# Many shards, one large enough that its records go through a temporary
# file (more than 1 MiB of stream), and beside them what a walk passes
# over or fails on: a truncated file, an empty one, a file of no known
# format, a coverage report, a link, a directory with no result file.
D=$T/results
mkdir -p "$D/a/b" "$D/c" "$T/none"
for k in $(seq 0 39); do
	sh "$G" 60 0 $((k * 60)) > "$D/a/shard-$k.xml"
done
sh "$G" 9000 0 100000 > "$D/a/b/large.xml"
head -c 3000 "$D/a/shard-7.xml" > "$D/a/truncated.xml"
: > "$D/c/empty.xml"
echo '{"name": "app"}' > "$D/c/package.json"
echo '<coverage line-rate="1"/>' > "$D/c/coverage.xml"
ln -s ../a/shard-1.xml "$D/c/link.xml"
# And real producers' files of every format, with their warnings.
mkdir -p "$D/real"
for f in junit json gotest tap nunit xunit rspec locust; do
	cp -R "$DATA/$f" "$D/real/"
done

collect() {	# collect NAME JOBS ARGS...: stdout, stderr and status kept
	name=$1 j=$2; shift 2
	tally-collect -j "$j" "$@" > "$T/$name.out" 2> "$T/$name.err" < "$D/a/shard-3.xml"
	echo $? > "$T/$name.st"
}

# Operands of every kind: directories, a file, standard input, an empty
# directory, a missing file.
set -- "$D" "$T/none" "$D/a/shard-2.xml" - "$T/missing.xml" "$D/c"
collect one 1 "$@"
if [ "$(cat "$T/one.st")" -eq 2 ] && grep -q 'truncated.xml:[0-9]*:[0-9]*: error' "$T/one.err" &&
    grep -q 'none: warning: no result files' "$T/one.err" &&
    [ "$(wc -c < "$T/one.out")" -gt 1100000 ]; then
	ok "-j1: the case has errors, warnings and a large file"
else
	notok "-j1: the case has errors, warnings and a large file" "$(cat "$T/one.err")"
fi
for j in 2 3 8; do
	collect "j$j" "$j" "$@"
	same "-j$j: stdout is -j1's" "$T/one.out" "$T/j$j.out"
	same "-j$j: stderr is -j1's" "$T/one.err" "$T/j$j.err"
	same "-j$j: exit status is -j1's" "$T/one.st" "$T/j$j.st"
done

# Labels and categories are given in every thread.
collect lab1 1 --label shard=3 --rules "$D/a"
collect lab4 4 --label shard=3 --rules "$D/a"
if grep -q '"category"' "$T/lab1.out" && grep -q '"shard":"3"' "$T/lab1.out"; then
	ok "--label --rules: records labelled and classified"
else
	notok "--label --rules: records labelled and classified" "$(head -c 300 "$T/lab1.out")"
fi
same "-j4 --label --rules: stdout is -j1's" "$T/lab1.out" "$T/lab4.out"
same "-j4 --label --rules: stderr is -j1's" "$T/lab1.err" "$T/lab4.err"

# The default is parallel; -o writes the same file.
run default-jobs 2 tally-collect -o "$T/o.jsonl" "$D"
collect ref 1 "$D"
same "default -j, -o: the file is -j1's stdout" "$T/ref.out" "$T/o.jsonl"

# The default: the CPUs, at most 4, and one fewer into a pipe, whose
# reader needs a CPU too; one job reads on the main thread alone.  The
# threads are counted while standard input, the file being read, stalls.
cpus=$(getconf _NPROCESSORS_ONLN)
[ "$cpus" -gt 4 ] && cpus=4
threads() {	# threads N: the threads of collect with N jobs
	if [ "$1" -le 1 ]; then echo 1; else echo $(($1 + 1)); fi
}
mkfifo "$T/stall"
count_threads() {	# count_threads pipe|file: threads of a default collect
	sleep 30 > "$T/stall" & writer=$!
	if [ "$1" = pipe ]; then
		sh -c 'echo $$ > "$1"; exec tally-collect - < "$2"' sh \
		    "$T/pid" "$T/stall" | cat > /dev/null &
	else
		sh -c 'echo $$ > "$1"; exec tally-collect -o "$3" - < "$2"' sh \
		    "$T/pid" "$T/stall" "$T/stall.out" &
	fi
	sleep 1
	ls "/proc/$(cat "$T/pid")/task" | wc -l | tr -d ' '
	kill "$(cat "$T/pid")" "$writer" 2> /dev/null
	wait
}
n=$(count_threads file) want=$(threads "$cpus")
[ "$n" -eq "$want" ] && ok "default-jobs-file: $n threads on $cpus CPUs" ||
    notok "default-jobs-file: $n threads on $cpus CPUs, wanted $want"
n=$(count_threads pipe) want=$(threads $((cpus - 1)))
[ "$n" -eq "$want" ] && ok "default-jobs-pipe: $n threads on $cpus CPUs" ||
    notok "default-jobs-pipe: $n threads on $cpus CPUs, wanted $want"

# Bad values are usage errors.
for v in 0 65 x 2x ''; do
	run "jobs-'$v'" 2 tally-collect -j "$v" "$D/a/shard-1.xml"
	expect_err "usage: tally-collect"
done

# The file first in order writes through once everything before it is
# out; the others wait in their spools.  Standard input, second here,
# sends 700 kB of XML (over 1 MiB of stream: memory, then a temporary
# file) and stalls while the large file is read and written: when it goes
# on, it is first in order, and what it spooled goes out before the rest.
sh "$G" 9000 0 300000 > "$T/stdin.xml"
head -c 700000 "$T/stdin.xml" > "$T/stdin.1"
tail -c +700001 "$T/stdin.xml" > "$T/stdin.2"
tally-collect -j 1 "$D/a/b/large.xml" - < "$T/stdin.xml" > "$T/live1.out" 2>&1
{ cat "$T/stdin.1"; sleep 3; cat "$T/stdin.2"; } |
    tally-collect -j 2 "$D/a/b/large.xml" - > "$T/live2.out" 2>&1
if [ "$(wc -c < "$T/live1.out")" -gt 3000000 ]; then
	ok "live: two files of over 1 MiB of stream each"
else
	notok "live: the case is too small" "$(wc -c < "$T/live1.out") bytes"
fi
same "live: a file spooled, then written through, is -j1's" "$T/live1.out" "$T/live2.out"
# So a file first in order needs no temporary file, however large.
run live-no-tmpdir 0 env TMPDIR="$T/missing-dir" tally-collect -j 2 -o "$T/live3.out" "$D/a/b/large.xml"
tally-collect -j 1 "$D/a/b/large.xml" > "$T/live4.out"
same "live-no-tmpdir: the output is -j1's" "$T/live4.out" "$T/live3.out"
# Also while the walk waits on the next operand, a FIFO no one writes yet:
# the file first in order is live from the moment it is handed over.
mkfifo "$T/late"
{ sleep 2; cat "$D/a/shard-3.xml" > "$T/late"; } &
run live-walk-waits 0 env TMPDIR="$T/missing-dir" tally-collect -j 2 -o "$T/live5.out" "$D/a/b/large.xml" "$T/late"
wait
cat "$D/a/shard-3.xml" > "$T/late.xml"
tally-collect -j 1 "$D/a/b/large.xml" "$T/late.xml" | sed "s|$T/late.xml|$T/late|" > "$T/live6.out"
same "live-walk-waits: the output is -j1's" "$T/live6.out" "$T/live5.out"

# Faults: a temporary file that cannot be made names the input (the large
# file waits behind standard input, which stalls); a full output is one
# write error.
CASE=no-tmpdir
{ sleep 3; cat "$D/a/shard-3.xml"; } | env TMPDIR="$T/missing-dir" \
    tally-collect -j 2 - "$D/a/b/large.xml" > "$OUT" 2> "$ERR"
st=$?
if [ "$st" -eq 2 ]; then ok "$CASE: exit 2"
else notok "$CASE: exit $st, wanted 2" "stderr: $(head -c 600 "$ERR")"; fi
expect_err "large.xml: error: cannot write a temporary file in '$T/missing-dir'"
run full 2 sh -c 'tally-collect -j 2 "$1" > /dev/full' sh "$D/a"
expect_err "tally-collect: error: write error"
n=$(grep -c "write error" "$ERR")
if [ "$n" -eq 1 ]; then ok "full: one write error"
else notok "full: $n write errors" "$(cat "$ERR")"; fi
# A closed pipe is no trouble: the files are still read.
run closed-pipe 0 sh -c '{ tally-collect -j 2 "$1"; echo $? > "$2"; } |
    head -c 10 > /dev/null; exit $(cat "$2")' sh "$D/a/b" "$T/pipe.st"
expect_no_err

# Memory: peak RSS with 400 shards is that with 40 (the window of files
# in flight is bounded, whatever the number of files).
# Each shard's stream is some 60 KB: 400 kept at once would be 24 MB.
mkdir -p "$T/many" "$T/forty"
for k in $(seq 0 39); do
	sh "$G" 600 0 $((k * 600)) > "$T/forty/s$k.xml"
done
for k in $(seq 0 399); do
	cp "$T/forty/s$((k % 40)).xml" "$T/many/s$k.xml"
done
peak() {	# peak RSS (KiB) of tally-collect -j 4 DIR, read by a slow reader
	python3 -c '
import os, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
time.sleep(2)
while p.stdout.read(65536):
	pass
_, st, ru = os.wait4(p.pid, 0)
print(ru.ru_maxrss if os.waitstatus_to_exitcode(st) == 0 else -1)
' "$TALLY_BIN/tally-collect" -j 4 "$1"
}
# Under make asan, freed memory would wait in ASan's quarantine.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
export ASAN_OPTIONS
few=$(peak "$T/forty") many=$(peak "$T/many")
if [ "$few" -gt 0 ] && [ "$many" -gt 0 ] && [ "$many" -lt $((few + 4096)) ]; then
	ok "-j4: peak RSS ${many} KiB for 400 files, ${few} KiB for 40"
else
	notok "-j4: peak RSS grows with the files" "400 files: $many KiB, 40 files: $few KiB"
fi

expect_synopsis tally-collect

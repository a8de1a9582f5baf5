#!/bin/sh
# tests/cli/run.sh: runs every tests/cli/t_*.sh against the built programs
# in $TALLY_BIN and prints one closing line "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
TALLY_BIN=$(cd "${TALLY_BIN:-build/bin}" && pwd)
export TALLY_BIN
pass=0 fail=0
for t in "$here"/t_*.sh; do
	[ -e "$t" ] || continue
	out=$(sh "$t" 2>&1)
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	printf '%s\n' "$out" | awk '/^not ok/ {p=1; print; next} /^  / && p {print; next} {p=0}' |
	    sed "s|^|$(basename "$t"): |"
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "$(basename "$t"): ran no case"; printf '%s\n' "$out" | tail -5
		fail=$((fail + 1))
	fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

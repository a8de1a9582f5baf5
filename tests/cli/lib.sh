# tests/cli/lib.sh: sourced by every tests/cli/t_*.sh.
#
#   run NAME EXPECTED_STATUS CMD...   runs CMD with stdout in $OUT and
#                                     stderr in $ERR, checks the status
#   expect_out TEXT / expect_err TEXT grep -F checks on the last run
#   expect_no_err                     stderr of the last run was empty
#   ok NAME / notok NAME WHY          report a case by hand
#   same NAME FILE1 FILE2             the two files are byte-identical
#   expect_synopsis TOOL              man page SYNOPSIS = --help usage
# Each check prints "ok NAME" or "not ok NAME" plus details.
set -u
# Colour comes from these; a case that wants one sets it.
unset FORCE_COLOR CLICOLOR_FORCE NO_COLOR GITHUB_ACTIONS
T=$(mktemp -d "${TMPDIR:-/tmp}/tally-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/tests/data
PATH=$TALLY_BIN:$PATH
OUT=$T/out ERR=$T/err
# Run outside CI, whatever CI runs the tests: collect and merge stamp a
# run from these (t_meta.sh sets them where it means to).
unset GITHUB_SHA GITHUB_REF_NAME GITHUB_HEAD_REF GITHUB_RUN_ID \
    GITHUB_RUN_ATTEMPT GITHUB_REPOSITORY GITHUB_SERVER_URL CI_COMMIT_SHA \
    CI_COMMIT_REF_NAME CI_PIPELINE_ID CI_PIPELINE_URL CI_JOB_URL GIT_COMMIT \
    BRANCH_NAME BUILD_NUMBER BUILD_URL SOURCE_DATE_EPOCH
CASE=

ok() { echo "ok $1"; }
notok() { echo "not ok $1"; shift; printf '  %s\n' "$@"; }

run() {
	CASE=$1 want=$2; shift 2
	"$@" >"$OUT" 2>"$ERR" </dev/null
	st=$?
	if [ "$st" -eq "$want" ]; then ok "$CASE: exit $want"
	else notok "$CASE: exit $st, wanted $want" "cmd: $*" "stderr: $(head -c 600 "$ERR")"; fi
}

run_in() {	# like run, with stdin from $1
	inp=$1 CASE=$2 want=$3; shift 3
	"$@" >"$OUT" 2>"$ERR" <"$inp"
	st=$?
	if [ "$st" -eq "$want" ]; then ok "$CASE: exit $want"
	else notok "$CASE: exit $st, wanted $want" "cmd: $*" "stderr: $(head -c 600 "$ERR")"; fi
}

expect_out() {
	if grep -qF -- "$1" "$OUT"; then ok "$CASE: stdout has '$1'"
	else notok "$CASE: stdout lacks '$1'" "stdout: $(head -c 600 "$OUT")"; fi
}

expect_not_out() {
	if grep -qF -- "$1" "$OUT"; then notok "$CASE: stdout has '$1'" "stdout: $(head -c 600 "$OUT")"
	else ok "$CASE: stdout lacks '$1'"; fi
}

expect_err() {
	if grep -qF -- "$1" "$ERR"; then ok "$CASE: stderr has '$1'"
	else notok "$CASE: stderr lacks '$1'" "stderr: $(head -c 600 "$ERR")"; fi
}

expect_no_err() {
	if [ -s "$ERR" ]; then notok "$CASE: stderr not empty" "stderr: $(head -c 600 "$ERR")"
	else ok "$CASE: stderr empty"; fi
}

expect_lines() {	# expect_lines PATTERN COUNT: lines of stdout matching
	n=$(grep -cF -- "$1" "$OUT")
	if [ "$n" -eq "$2" ]; then ok "$CASE: $2 lines with '$1'"
	else notok "$CASE: $n lines with '$1', wanted $2"; fi
}

same() {	# same NAME FILE1 FILE2: byte-identical
	if cmp -s "$2" "$3"; then ok "$1"
	else notok "$1" "$(diff "$2" "$3" | head -10)"; fi
}

synopsis() {	# the man page SYNOPSIS of TOOL as one line of words
	mandoc -Tascii "$ROOT/man/$1.1" | col -b |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n\t' '   ' |
	    sed 's/^ //; s/ $//'
}

usage_words() {	# TOOL --help's usage (up to the blank line) without "usage: "
	"$1" --help | sed '/^$/q' | sed '1s/^usage: //' | tr -s ' \n\t' '   ' |
	    sed 's/^ //; s/ $//'
}

expect_synopsis() {	# expect_synopsis TOOL: SYNOPSIS word for word the usage
	if [ "$(synopsis "$1")" = "$(usage_words "$1")" ]; then ok "synopsis matches usage"
	else notok "synopsis matches usage" "man: $(synopsis "$1")" "usage: $(usage_words "$1")"; fi
}

#!/bin/sh
# tests/cli/t_meta.sh: collect and merge stamp a run with its metadata
# from CI variables (GitHub Actions, GitLab CI, Jenkins), --meta and the
# clock; tally history orders the runs by it.
. "$(dirname "$0")/lib.sh"
D=$DATA/diff
J=$DATA/junit/bats-1.8.2-coloured-failure.xml	# root time="0.02"

is() {	# is NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$CASE: $1 is '$3'"
	else notok "$CASE: $1 is '$2', wanted '$3'"; fi
}
stamp() {	# the stamped meta record (the first line) of $OUT
	head -n 1 "$OUT" | jq -c 'select(.type=="meta") | .meta'
}

run outside-ci 0 tally-collect "$D/run1.xml"
expect_not_out '"type":"meta"'

run github 0 env GITHUB_SHA=0123abc GITHUB_REF_NAME=17/merge \
    GITHUB_HEAD_REF=fix-parser GITHUB_RUN_ID=9876 GITHUB_RUN_ATTEMPT=2 \
    GITHUB_REPOSITORY=o/r GITHUB_SERVER_URL=https://github.com \
    SOURCE_DATE_EPOCH=1796112000 tally-collect "$D/run1.xml"
expect_no_err
is meta "$(stamp)" '{"commit":"0123abc","branch":"fix-parser","run_id":"9876","run_attempt":"2","repository":"o/r","run_url":"https://github.com/o/r/actions/runs/9876","time":"2026-12-01T08:00:00Z"}'
expect_lines '"type":"meta"' 1

run gitlab 0 env CI_COMMIT_SHA=feed CI_COMMIT_REF_NAME=main \
    CI_PIPELINE_ID=555 CI_JOB_URL=https://gitlab.example/j/1 \
    SOURCE_DATE_EPOCH=0 tally-collect "$D/run1.xml"
is meta "$(stamp)" '{"commit":"feed","branch":"main","run_id":"555","job_url":"https://gitlab.example/j/1","time":"1970-01-01T00:00:00Z"}'

run jenkins 0 env GIT_COMMIT=beef BRANCH_NAME=PR-4 BUILD_NUMBER=31 \
    BUILD_URL=https://ci.example/job/x/31/ SOURCE_DATE_EPOCH=0 \
    tally-collect "$D/run1.xml"
is meta "$(stamp)" '{"commit":"beef","branch":"PR-4","run_id":"31","run_url":"https://ci.example/job/x/31/","time":"1970-01-01T00:00:00Z"}'

# The clock, when nothing else gives the time.
run clock 0 env GITHUB_RUN_ID=1 tally-collect "$D/run1.xml"
now=$(date -u +%Y-%m-%dT%H)
case $(stamp | jq -r .time) in
"$now"*) ok "clock: time is now ($now)" ;;
*) notok "clock: time is '$(stamp | jq -r .time)', wanted $now..." ;;
esac

# --meta replaces a CI item, and the input's own item of the same key:
# a JUnit root's time is a duration, not the run's time.
run meta-option 0 env GITHUB_RUN_ID=9876 tally-collect --meta run_id=7 \
    --meta time=2026-12-02T08:00:00Z --meta env=staging "$J"
is meta "$(stamp)" '{"run_id":"7","time":"2026-12-02T08:00:00Z","env":"staging"}'
expect_not_out '"time":"0.02"'
run unstamped 0 tally-collect "$J"
expect_out '"time":"0.02"'
run meta-not-kv 2 tally-collect --meta run_id "$J"
expect_err "tally-collect: meta 'run_id' is not key=value"
expect_err "usage: tally-collect"

# Merge stamps the merged run over its inputs' items of the same keys.
tally-collect --meta run_id=1 --meta commit=c1 "$D/run1.xml" > "$T/a.jsonl"
tally-collect --meta run_id=1 --meta commit=c1 "$D/run2.xml" > "$T/b.jsonl"
run merge 0 env SOURCE_DATE_EPOCH=0 tally-merge --meta run_id=2 "$T/a.jsonl" "$T/b.jsonl"
# Two runs of one suite merged unlabelled: merge says so (tally-merge(1)).
expect_err "no label tells them apart"
is meta "$(jq -c 'select(.type=="meta") | .meta' "$OUT" | jq -sc add)" \
    '{"commit":"c1","run_id":"2","time":"1970-01-01T00:00:00Z"}'
run merge-unstamped 0 tally-merge "$T/a.jsonl" "$T/b.jsonl"
expect_lines '"run_id":"1"' 1
run merge-not-kv 2 tally-merge --meta x "$T/a.jsonl"
expect_err "usage: tally-merge"

# History orders runs collected out of order by the stamped time.
i=0
for n in 3 1 4 2; do
	i=$((i + 1))
	env GITHUB_SHA=c$n GITHUB_RUN_ID=$((10 - n)) \
	    SOURCE_DATE_EPOCH=$((1796112000 + n * 86400)) \
	    tally-collect "$D/run$n.xml" > "$T/r$i.jsonl"
done
run history-order 0 tally-history "$T/r1.jsonl" "$T/r2.jsonl" "$T/r3.jsonl" "$T/r4.jsonl"
is order "$(jq -r 'select(.type=="run") | .commit' "$OUT" | tr '\n' ' ')" "c1 c2 c3 c4 "

#!/bin/sh
# tests/cli/t_render.sh: tally-render's options, exit statuses and gates.
# Cases that need a renderer run when the "text" format is built in.
. "$(dirname "$0")/lib.sh"
M=$DATA/merge

run help 0 tally-render --help
expect_out "usage: tally-render"
expect_no_err
run help-short 0 tally-render -h
expect_out "--fail-on gate"
run version 0 tally-render --version
expect_out "tally-render "
expect_synopsis tally-render
for o in $(tally-render --help | grep -o -- '--[a-z-]*' | sort -u); do
	if grep '^\.It' "$ROOT/man/tally-render.1" | grep -qF "Fl \\-${o#--}"; then ok "man describes $o"
	else notok "man describes $o"; fi
done

# Usage errors: exit 2, usage on stderr, nothing on stdout.
run bad-option 2 tally-render -f text --bogus
expect_err "usage: tally-render"
run no-format 2 tally-render "$M/jest-retried.jsonl"
expect_err "tally-render: no format given (-f)"
expect_err "usage: tally-render"
run unknown-format 2 tally-render -f pdf "$M/jest-retried.jsonl"
expect_err "tally-render: unknown format 'pdf'"
if [ -s "$OUT" ]; then notok "unknown-format: no output"; else ok "unknown-format: no output"; fi
run bad-gate 2 tally-render -f text --fail-on sometimes
expect_err "unknown gate 'sometimes'"
run bad-gate-in-list 2 tally-render -f text --fail-on failed,,nope
expect_err "unknown gate"
run bad-gate-names-the-word 2 tally-render -f text --fail-on failed,slow
expect_err "tally-render: unknown gate 'slow'"
run bad-rate-high 2 tally-render -f text --min-pass-rate 101
expect_err "bad percentage '101'"
run bad-rate-word 2 tally-render -f text --min-pass-rate half
expect_err "bad percentage 'half'"
run bad-rate-neg 2 tally-render -f text --min-pass-rate -5
run bad-color 2 tally-render -f text --color=rainbow
expect_err "bad --color 'rainbow'"
run bad-top 2 tally-render -f text --top -1
expect_err "bad count '-1'"
run bad-max-bytes 2 tally-render -f text --max-bytes 10k
expect_err "bad count '10k'"
run bad-max-annotations 2 tally-render -f github --max-annotations ''
run bad-meta 2 tally-render -f text --meta novalue
expect_err "meta 'novalue' is not key=value"
run missing-arg 2 tally-render -f
expect_err "tally-render: option '-f' needs an argument"
run missing-long-arg 2 tally-render --format
expect_err "tally-render: option '--format' needs an argument"
run ambiguous-option 2 tally-render -f text --ma 3
expect_err "tally-render: option '--ma' is ambiguous"
run mistyped-format 2 tally-render -f markdwn "$M/jest-retried.jsonl"
expect_err "tally-render: unknown format 'markdwn' (did you mean 'markdown'?)"
expect_err "formats: github, html, json, junit, markdown, text, md"
run mistyped-gate 2 tally-render -f text --fail-on failed,flakey
expect_err "tally-render: unknown gate 'flakey' (did you mean 'flaky'?)"
expect_err "gates: failed, error, flaky, empty, new-failure, removed"
run help-lists 0 tally-render --help
expect_out "formats: github, html, json, junit, markdown, text, md"
expect_out "gates: failed, error, flaky, empty, new-failure, removed"
expect_out "  -f, --format=format "

# With a renderer: the gates and the trouble cases end to end, through
# the first format this build has.
F=
for f in text markdown json junit github html; do
	if tally-render -f $f </dev/null >/dev/null 2>&1; then F=$f; break; fi
done
if [ -z "$F" ]; then
	ok "# SKIP gate cases: no renderer in this build"
	exit 0
fi
run pass 0 tally-render -f $F --fail-on failed "$M/surefire-flaky.jsonl"
expect_no_err
run gate-failed 1 tally-render -f $F --fail-on failed "$M/surefire-alwaysfail.jsonl"
expect_no_err
run rerun-passed-is-not-failed 0 tally-render -f $F --fail-on failed "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl"
run unmerged-and-merged-agree 0 sh -c "tally-merge '$M/ctest-run1.jsonl' '$M/ctest-run2.jsonl' | tally-render -f $F --fail-on failed"
run gate-flaky 1 tally-render -f $F --fail-on failed,flaky "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl"
run gate-flaky-repeated 1 tally-render -f $F --fail-on failed --fail-on flaky "$M/gotestsum-rerun.jsonl"
run gate-error 1 tally-render -f $F --fail-on error "$M/truncated.jsonl"
expect_no_err
# A lost input fails the report unless the user allows it.
run error-fails-by-default 1 tally-render -f $F "$M/truncated.jsonl"
expect_out "gate 'error' failed (1 input could not be read completely)"
run error-allowed 0 tally-render -f $F --allow-errors "$M/truncated.jsonl"
expect_out 'DONE: no gates checked'
run error-allowed-other-gates 0 tally-render -f $F --allow-errors --fail-on failed "$M/truncated.jsonl"
expect_not_out "gate 'error'"
run error-allowed-and-asked 2 tally-render -f $F --allow-errors --fail-on failed,error "$M/truncated.jsonl"
expect_err '--allow-errors contradicts --fail-on error'
run error-gate-quiet-when-clean 0 tally-render -f $F "$M/jest-retried.jsonl"
expect_out 'DONE: no gates checked'
run gate-empty 1 tally-render -f $F --fail-on empty /dev/null
run gate-empty-meta-only 1 tally-render -f $F --fail-on empty "$M/meta.jsonl"
run gate-not-empty 0 tally-render -f $F --fail-on empty "$M/jest-retried.jsonl"
run rate-ok 0 tally-render -f $F --min-pass-rate 80 "$M/gotestsum-rerun.jsonl" "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl" "$M/surefire-alwaysfail.jsonl"
run rate-low 1 tally-render -f $F --min-pass-rate 80.5 "$M/gotestsum-rerun.jsonl" "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl" "$M/surefire-alwaysfail.jsonl"
run rate-percent-sign-ok 0 tally-render -f $F --min-pass-rate 80% "$M/gotestsum-rerun.jsonl" "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl" "$M/surefire-alwaysfail.jsonl"
run rate-percent-sign-low 1 tally-render -f $F --min-pass-rate=80.5% "$M/gotestsum-rerun.jsonl" "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl" "$M/surefire-alwaysfail.jsonl"
run rate-percent-sign-twice 2 tally-render -f $F --min-pass-rate 80%% "$M/ctest-run1.jsonl"
expect_err "bad percentage '80%%'"
# -f md is markdown, byte for byte.
tally-render -f markdown "$M/ctest-run1.jsonl" > "$T/markdown.md" 2>/dev/null
run md-is-markdown 0 tally-render -f md "$M/ctest-run1.jsonl"
same "md-is-markdown: same bytes as -f markdown" "$T/markdown.md" "$OUT"
run_in "$M/surefire-alwaysfail.jsonl" stdin 1 tally-render -f $F --fail-on failed
run missing-input 2 tally-render -f $F "$M/jest-retried.jsonl" "$T/nope.jsonl"
expect_err "$T/nope.jsonl: error:"
head -c 300 "$M/gotestsum-rerun.jsonl" > "$T/cut.jsonl"
run malformed-input 2 tally-render -f $F "$T/cut.jsonl"
expect_err "$T/cut.jsonl:2"
if [ -w /dev/full ]; then
	tally-render -f $F "$M/gotestsum-rerun.jsonl" > /dev/full 2>"$ERR"
	st=$?
	CASE=dev-full
	if [ "$st" -eq 2 ]; then ok "dev-full: exit 2"; else notok "dev-full: exit $st, wanted 2"; fi
	expect_err "write error"
fi
mkdir "$T/o"
run output-file 1 tally-render -f $F --fail-on failed -o "$T/o/r.txt" "$M/surefire-alwaysfail.jsonl"
if [ -s "$T/o/r.txt" ] && [ "$(ls -A "$T/o")" = "r.txt" ]; then ok "-o wrote the report and nothing else"
else notok "-o wrote the report and nothing else" "$(ls -A "$T/o")"; fi
run output-no-dir 2 tally-render -f $F -o "$T/nodir/r.txt" "$M/jest-retried.jsonl"
run split-assets-needs-o 2 tally-render -f $F --split-assets "$M/jest-retried.jsonl"
expect_err "--split-assets needs -o file or a directory"

# ---- workflow commands from test output (GitHub Actions log) ----
# A failure message, trace and name that try to issue workflow commands:
# "::cmd::" starting a line (the runner trims leading white space first)
# and "##[cmd]" anywhere in one.
cat > "$T/inj.jsonl" <<'EOS'
{"v":1,"type":"test","name":"t1","status":"failed","message":"boom\n::add-mask::x\n  ::stop-commands::abc\n\u200b::warning::z\n##[add-mask]y","trace":"at x\n::error::trace"}
{"v":1,"type":"test","name":"::add-mask::title","status":"failed"}
EOS
# Lines that would reach the runner as a command (after TrimStart), with
# the "::" shown as [cmd] so this test's own log stays harmless.
commands() { sed 's/^[[:space:]]*\(\xe2\x80\x8b\)*::/[cmd]/; s/##\[/[cmd]/' "$1" | grep -F '[cmd]'; }
for gh in "" true; do
	CASE="text GITHUB_ACTIONS=$gh"
	GITHUB_ACTIONS=$gh tally-render -f text "$T/inj.jsonl" > "$T/inj.txt" 2>"$ERR"
	expect_no_err
	if [ "$gh" = true ]; then
		first=$(head -1 "$T/inj.txt") last=$(tail -1 "$T/inj.txt")
		tok=${first#::stop-commands::}
		if [ "$first" != "$tok" ] && [ "$last" = "::$tok::" ] &&
		    printf '%s\n' "$tok" | grep -qx '[a-z2-7]\{32\}'; then
			ok "$CASE: wrapped in stop-commands with a 32-letter token"
		else notok "$CASE: not wrapped" "$(head -2 "$T/inj.txt" | tr : .)"; fi
		sed '1d;$d' "$T/inj.txt" > "$T/inj.body"
		GITHUB_ACTIONS=true tally-render -f text "$T/inj.jsonl" | head -1 > "$T/tok2"
		[ "$(cat "$T/tok2")" != "$first" ] && ok "$CASE: a new token each run" ||
		    notok "$CASE: the same token twice"
	else
		grep -q 'stop-commands::[a-z2-7]\{32\}$' "$T/inj.txt" &&
		    notok "$CASE: wrapped outside GitHub Actions" ||
		    ok "$CASE: not wrapped outside GitHub Actions"
		cp "$T/inj.txt" "$T/inj.body"
	fi
	n=$(commands "$T/inj.body" | wc -l)
	[ "$n" -eq 0 ] && ok "$CASE: no line issues a workflow command" ||
	    notok "$CASE: $n lines issue workflow commands" "$(commands "$T/inj.body")"
	grep -q 'add-mask' "$T/inj.body" && ok "$CASE: the text is still shown" ||
	    notok "$CASE: the text is gone"
done
# -o FILE: no wrapper (the file is not the log), the guard still on.
GITHUB_ACTIONS=true tally-render -f text -o "$T/inj.o.txt" "$T/inj.jsonl"
CASE="text -o under GitHub Actions"
grep -q '^::stop-commands::' "$T/inj.o.txt" && notok "$CASE: wrapped" || ok "$CASE: not wrapped"
[ "$(commands "$T/inj.o.txt" | wc -l)" -eq 0 ] && ok "$CASE: no workflow command" ||
    notok "$CASE: workflow commands"
# Markdown on standard output may be the log: guarded; into a file (a
# step summary, a comment) its code blocks keep their bytes.
tally-render -f markdown "$T/inj.jsonl" > "$T/inj.md"
CASE="markdown to stdout"
[ "$(commands "$T/inj.md" | wc -l)" -eq 0 ] && ok "$CASE: no workflow command" ||
    notok "$CASE: workflow commands" "$(commands "$T/inj.md")"
tally-render -f markdown -o "$T/inj.o.md" "$T/inj.jsonl"
CASE="markdown -o"
grep -q '^::add-mask::x$' "$T/inj.o.md" && ok "$CASE: code block kept as it was" ||
    notok "$CASE: code block changed"
# The github format: every line is one of its own commands, the hostile
# text escaped inside it.
GITHUB_ACTIONS=true tally-render -f github "$T/inj.jsonl" > "$T/inj.gh"
CASE="github"
[ "$(wc -l < "$T/inj.gh")" -eq 3 ] && ok "$CASE: three lines" || notok "$CASE: $(wc -l < "$T/inj.gh") lines"
n=$(grep -cv '^::\(error\|notice\) ' "$T/inj.gh")
[ "$n" -eq 0 ] && ok "$CASE: every line is an annotation" || notok "$CASE: $n other lines"
grep -qF '%0A::add-mask::x%0A' "$T/inj.gh" && ok "$CASE: newlines escaped in the message" ||
    notok "$CASE: message escaping"
grep -qF 'title=%3A%3Aadd-mask%3A%3Atitle' "$T/inj.gh" && ok "$CASE: colons escaped in the title" ||
    notok "$CASE: title escaping"

# Several formats from one run: -o pairs with the -f before it.  Standard
# input is read once (a second read would find it empty), and each file
# is the same as from a run of its own.
MF=$T/multi
mkdir -p "$MF"
cat "$M/ctest-run1.jsonl" "$M/surefire-alwaysfail.jsonl" > "$MF/in.jsonl"
for f in markdown junit html json; do
	tally-render -f $f --fail-on failed "$MF/in.jsonl" > "$MF/single.$f" 2>/dev/null
done
run_in "$MF/in.jsonl" multi-format 1 tally-render -f markdown -o "$MF/s.md" \
    -f junit -o "$MF/m.xml" -f html -o "$MF/r.html" --fail-on failed
expect_no_err
if [ -s "$OUT" ]; then notok "multi-format: nothing on stdout"; else ok "multi-format: nothing on stdout"; fi
same "multi-format: markdown as alone" "$MF/single.markdown" "$MF/s.md"
same "multi-format: junit as alone" "$MF/single.junit" "$MF/m.xml"
same "multi-format: html as alone" "$MF/single.html" "$MF/r.html"
run_in "$MF/in.jsonl" multi-format-stdout 1 tally-render -f json -o "$MF/j.json" -f md \
    --fail-on failed
same "multi-format-stdout: markdown on stdout as alone" "$MF/single.markdown" "$OUT"
same "multi-format-stdout: json as alone" "$MF/single.json" "$MF/j.json"
run output-before-format 0 tally-render -o "$MF/first.md" -f md "$M/ctest-run2.jsonl"
[ -s "$MF/first.md" ] && ok "output-before-format: -o before the first -f is its" ||
    notok "output-before-format: no file"
run two-to-stdout 2 tally-render -f text -f md "$MF/in.jsonl"
expect_err "tally-render: more than one format to standard output; give each -o file"
run same-file-twice 2 tally-render -f text -o "$MF/x" -f md -o "$MF/x" "$MF/in.jsonl"
expect_err "tally-render: '$MF/x' is named by -o twice"
run two-outputs-one-format 2 tally-render -f text -o "$MF/a" -o "$MF/b" "$MF/in.jsonl"
expect_err "tally-render: -o '$MF/b' has no -f of its own"
run trailing-output 2 tally-render -o "$MF/a" "$MF/in.jsonl"
expect_err "tally-render: no format given (-f)"
run unknown-second-format 2 tally-render -f md -o "$MF/u.md" -f pdf -o "$MF/u.pdf" "$MF/in.jsonl"
expect_err "tally-render: unknown format 'pdf'"
[ -e "$MF/u.md" ] && notok "unknown-second-format: nothing written" || ok "unknown-second-format: nothing written"
# One report that cannot be written: none is, and earlier files stay.
echo old > "$MF/keep.md"
run one-fails-none-written 2 tally-render -f md -o "$MF/keep.md" -f junit -o "$MF/nodir/m.xml" \
    -f html -o "$MF/new.html" "$MF/in.jsonl"
expect_err "tally-render: $MF/nodir/m.xml: error: cannot create '$MF/nodir/m.xml': No such file or directory"
[ "$(cat "$MF/keep.md")" = old ] && ok "one-fails-none-written: the earlier file stays" ||
    notok "one-fails-none-written: keep.md replaced"
[ -e "$MF/new.html" ] && notok "one-fails-none-written: new.html written" ||
    ok "one-fails-none-written: the later file is not written either"
[ -z "$(ls -A "$MF" | grep tally-tmp)" ] && ok "one-fails-none-written: no temporary file left" ||
    notok "one-fails-none-written: temporary files left" "$(ls -A "$MF")"
if [ -w /dev/full ]; then
	tally-render -f text -f junit -o "$MF/full.xml" "$MF/in.jsonl" > /dev/full 2> "$ERR"
	st=$?
	[ $st -eq 2 ] && grep -q "write error" "$ERR" && [ ! -e "$MF/full.xml" ] &&
	    ok "stdout-full: exit 2, and the file is not written" ||
	    notok "stdout-full: exit $st" "$(cat "$ERR")" "$(ls "$MF")"
fi
# A closed pipe on standard output is no trouble: the files are written.
tally-render -f text -f junit -o "$MF/piped.xml" "$MF/in.jsonl" 2> "$ERR" | head -c 1 > /dev/null
[ ! -s "$ERR" ] && [ -s "$MF/piped.xml" ] && ok "closed pipe: the file is written, quietly" ||
    notok "closed pipe" "$(cat "$ERR")"

# Colour in text on standard output (not a terminal here): FORCE_COLOR,
# CLICOLOR_FORCE and GitHub Actions ask for it, NO_COLOR always wins, a
# file never gets it unless --color=always.
esc=$(printf '\033[')
colored() {	# colored NAME WANT(yes|no) CMD...: ANSI colour on stdout?
	cn=$1 want=$2; shift 2
	"$@" > "$T/col" 2>/dev/null
	if grep -qF "$esc" "$T/col"; then got=yes; else got=no; fi
	[ "$got" = "$want" ] && ok "colour $cn: $want" || notok "colour $cn: $got, wanted $want"
}
CF="$M/surefire-alwaysfail.jsonl"
colored "auto, not a terminal" no tally-render -f text "$CF"
colored "FORCE_COLOR=1" yes env FORCE_COLOR=1 tally-render -f text "$CF"
colored "FORCE_COLOR=0" no env FORCE_COLOR=0 tally-render -f text "$CF"
colored "CLICOLOR_FORCE=1" yes env CLICOLOR_FORCE=1 tally-render -f text "$CF"
colored "CLICOLOR_FORCE=0" no env CLICOLOR_FORCE=0 tally-render -f text "$CF"
colored "GITHUB_ACTIONS=true" yes env GITHUB_ACTIONS=true tally-render -f text "$CF"
colored "NO_COLOR with FORCE_COLOR" no env NO_COLOR=1 FORCE_COLOR=1 tally-render -f text "$CF"
colored "NO_COLOR with CLICOLOR_FORCE" no env NO_COLOR=1 CLICOLOR_FORCE=1 tally-render -f text "$CF"
colored "NO_COLOR in GitHub Actions" no env NO_COLOR=1 GITHUB_ACTIONS=true tally-render -f text "$CF"
colored "--color=never with FORCE_COLOR" no env FORCE_COLOR=1 tally-render -f text --color=never "$CF"
colored "--color=always" yes tally-render -f text --color=always "$CF"
env FORCE_COLOR=1 tally-render -f text -o "$T/col.txt" "$CF" 2>/dev/null
grep -qF "$esc" "$T/col.txt" && notok "colour FORCE_COLOR into -o file" || ok "colour FORCE_COLOR: not into an -o file"
colored "FORCE_COLOR, text beside a file" yes env FORCE_COLOR=1 tally-render -f junit -o "$T/col.xml" -f text "$CF"

# Counts read right: "1 input error", "1 test", and markdown's "Also:"
# line lists only the counts that are not zero, as tally-render(1) says.
run also-nonzero-only 1 tally-render -f md "$M/truncated.jsonl"
expect_out "Also: 1 input error."
expect_not_out "0 other"
expect_not_out "0 retried"
run also-retried-only 0 tally-render -f md "$M/ctest-run1.jsonl" "$M/ctest-run2.jsonl"
expect_out "Also: 1 retried."
expect_not_out "input error"
run github-singular 1 tally-render -f github "$M/truncated.jsonl"
expect_out "::1 test: 1 passed, 0 failed, 0 skipped, 0 flaky, 1 input error;"

# Progress on a terminal only (script(1) gives the run one); the delay
# before it shows is 0 here (TALLY_PROGRESS_DELAY_MS, for tests).
i=0; : > "$T/many.jsonl"
while [ $i -lt 600 ]; do
	printf '{"v":1,"type":"test","name":"t%d","status":"passed"}\n' $i
	i=$((i + 1))
done > "$T/many.jsonl"
cr=$(printf '\r') el=$(printf '\r\033[K')
TALLY_PROGRESS_DELAY_MS=0 script -qec "tally-render -f json -o '$T/many.json' '$T/many.jsonl'" /dev/null > "$T/pty" 2>&1
grep -qF "${cr}tally-render: read 1 record${cr}" "$T/pty" && grep -qF "tally-render: read 513 records" "$T/pty" &&
    ok "progress: counts on a terminal" || notok "progress: on a terminal" "$(od -c "$T/pty" | head -5)"
[ "$(tail -c 4 "$T/pty")" = "$el" ] && ok "progress: the line is cleared at the end" ||
    notok "progress: not cleared" "$(tail -c 20 "$T/pty" | od -c)"
run progress-not-a-terminal 0 env TALLY_PROGRESS_DELAY_MS=0 tally-render -f json -o "$T/many.json" "$T/many.jsonl"
expect_no_err
run progress-merge-not-a-terminal 0 env TALLY_PROGRESS_DELAY_MS=0 tally-merge "$T/many.jsonl"
expect_no_err
TALLY_PROGRESS_DELAY_MS=0 script -qec "tally-merge -o '$T/many.m' '$T/many.jsonl'" /dev/null > "$T/pty" 2>&1
grep -qF "tally-merge: read 513 records" "$T/pty" && ok "progress: tally-merge too" ||
    notok "progress: tally-merge" "$(od -c "$T/pty" | head -3)"
# A diagnostic while progress shows starts on a line of its own.
{ cat "$T/many.jsonl"; echo '{"v":1,"type":"test",'; } > "$T/many-bad.jsonl"
TALLY_PROGRESS_DELAY_MS=0 script -qec "tally-render -f json -o '$T/many.json' '$T/many-bad.jsonl'" /dev/null > "$T/pty" 2>&1
grep -qF "${el}tally-render: $T/many-bad.jsonl:601" "$T/pty" && ok "progress: cleared before a diagnostic" ||
    notok "progress: diagnostic" "$(tail -c 200 "$T/pty" | od -c | head -8)"

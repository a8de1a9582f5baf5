# tests/cli/t_organize.sh: tally-organize in temporary trees.
. "$(dirname "$0")/lib.sh"

SEED=$DATA/organize/seed
P=tally-organize

# A fresh copy of the seed tree at $1.
seed() { rm -rf "$1"; mkdir -p "$1"; cp -R "$SEED/." "$1/"; }

# Every file below $1 (not .tally) with its checksum, one per line.
sums() {
	(cd "$1" && find . -path ./.tally -prune -o -path ./.git -prune -o \
	    -type f -print0 | sort -z | xargs -0 sha256sum)
}

# Every file and directory below $1 (not .tally, not .git).
tree() {
	(cd "$1" && find . -path ./.tally -prune -o -path ./.git -prune -o \
	    -print | sort)
}

has() {	# has NAME PATH: a file is there
	if [ -f "$2" ]; then ok "$1: $2 exists"
	else notok "$1: $2 missing"; fi
}

hasnt() {
	if [ -e "$2" ] || [ -L "$2" ]; then notok "$1: $2 exists"
	else ok "$1: $2 absent"; fi
}

# The dry run prints the plan and changes nothing.
R=$T/r; seed "$R"; sums "$R" > "$T/orig.sums"; tree "$R" > "$T/orig.tree"
run "dry run" 0 $P --root "$R"
expect_no_err
expect_out "move tests/test_precision_math.py -> tests/validation/test_precision_math.py"
expect_out "move tests/test_pipeline_integration.py -> tests/integration/test_pipeline_integration.py"
expect_out "move tests/test_security_hardening_comprehensive.py -> tests/security/test_security_hardening_comprehensive.py"
expect_out "move tests/test_production_performance.py -> tests/performance/test_production_performance.py"
expect_out "move tests/locustfile.py -> tests/load/locustfile.py"
expect_out "move tests/test_checkout_flow.py -> tests/e2e/test_checkout_flow.py"
expect_out "move tests/test_api_health.py -> tests/health/test_api_health.py"
expect_out "move tests/test_smoke.py -> tests/smoke/test_smoke.py"
expect_out "move tests/test_utils.py -> tests/unit/test_utils.py"
expect_out "mkdir tests/integration"
expect_out "create tests/integration/__init__.py"
expect_lines "move " 10
expect_not_out "conftest"
expect_not_out "helpers.py"
expect_not_out "fixtures"
expect_not_out "__init__.py ->"
tree "$R" > "$T/now.tree"; same "dry run: nothing changed" "$T/orig.tree" "$T/now.tree"
hasnt "dry run" "$R/.tally"

run "check on the flat tree" 1 $P --root "$R" --check
expect_out "move tests/locustfile.py -> tests/load/locustfile.py"
expect_no_err

# Apply: the layout, the markers, the index.
run "apply" 0 $P --root "$R" --apply --index "$T/INDEX.md"
expect_no_err
expect_lines "move " 10
for f in validation/test_precision_math.py integration/test_pipeline_integration.py \
    security/test_security_hardening_comprehensive.py \
    performance/test_production_performance.py load/locustfile.py \
    e2e/test_checkout_flow.py health/test_api_health.py smoke/test_smoke.py \
    unit/test_utils.py unit/cart.spec.ts conftest.py __init__.py helpers.py \
    fixtures/users.json fixtures/test_data_integration.py; do
	has "apply" "$R/tests/$f"
done
hasnt "apply" "$R/tests/test_precision_math.py"
if [ "$(cat "$R/tests/integration/__init__.py")" = '"""Tests of components working together with real dependencies"""' ]
then ok "apply: marker has the purpose as docstring"
else notok "apply: marker" "$(cat "$R/tests/integration/__init__.py")"; fi
if grep -q '^## integration$' "$T/INDEX.md" &&
    grep -qF 'Run: `python -m pytest tests/integration`' "$T/INDEX.md" &&
    grep -qF -- '- `tests/load/locustfile.py`' "$T/INDEX.md" &&
    grep -qF 'Load tests that drive the service' "$T/INDEX.md"
then ok "apply: index lists category, purpose, command, files"
else notok "apply: index" "$(head -30 "$T/INDEX.md")"; fi
# Every file kept its bytes: the same checksums under new names.
sums "$R" | awk '{print $1}' | sort > "$T/a"
(cat "$T/orig.sums"; sums "$R" | grep '/tests/[^/]*/__init__\.py$') |
    awk '{print $1}' | sort > "$T/b"
same "apply: every file's bytes kept" "$T/a" "$T/b"
sums "$R" > "$T/applied.sums"

run "apply again moves nothing" 0 $P --root "$R" --apply
expect_no_err
if [ -s "$OUT" ]; then notok "apply again: output" "$(cat "$OUT")"; else ok "apply again: no steps"; fi
run "check after apply" 0 $P --root "$R" --check
expect_no_err

# A file placed by hand in a category directory stays there although its
# name says another category (issue 12); a marker in its content moves it.
echo 'def test_p(): pass' > "$R/tests/unit/test_integration_parser.py"
run "placed by hand stays" 0 $P --root "$R" --check
expect_no_err
expect_not_out "test_integration_parser"
printf 'import pytest\n@pytest.mark.integration\ndef test_q(): pass\n' > "$R/tests/unit/test_marked.py"
run "a content marker still moves it" 1 $P --root "$R" --check
expect_out "move tests/unit/test_marked.py -> tests/integration/test_marked.py"
rm "$R/tests/unit/test_integration_parser.py" "$R/tests/unit/test_marked.py"

# A new file dropped at the top is caught by --check.
echo 'def test_x(): pass' > "$R/tests/test_new_security.py"
run "check catches a new file" 1 $P --root "$R" --check
expect_out "move tests/test_new_security.py -> tests/security/test_new_security.py"
rm "$R/tests/test_new_security.py"

run "undo" 0 $P --root "$R" --undo
expect_no_err
expect_out "move tests/load/locustfile.py -> tests/locustfile.py"
expect_out "rmdir tests/integration"
sums "$R" > "$T/now.sums"; same "undo: tree restored exactly" "$T/orig.sums" "$T/now.sums"
tree "$R" > "$T/now.tree"; same "undo: no directory left" "$T/orig.tree" "$T/now.tree"
run "undo again" 0 $P --root "$R" --undo
expect_out "nothing to undo"

# Killed part-way at every crash point, then undone or finished.
R=$T/k; seed "$R"; $P --root "$R" --apply > /dev/null
npoints=$(grep -c '^done' "$R/.tally/organize.journal"); npoints=$((npoints * 3))
bad=0
for n in $(seq 1 $npoints); do
	seed "$R"
	TALLY_ORGANIZE_CRASH_AFTER=$n $P --root "$R" --apply > /dev/null 2>&1
	st=$?
	[ $st -eq 99 ] || { bad=1; notok "crash $n: exit $st, wanted 99"; continue; }
	$P --root "$R" --check > /dev/null 2>"$T/err"
	[ $? -eq 2 ] && grep -q 'interrupted' "$T/err" || { bad=1; notok "crash $n: check after crash"; }
	if [ $((n % 2)) -eq 0 ]; then
		# Undo, itself killed once part-way when it has steps to undo.
		TALLY_ORGANIZE_CRASH_AFTER=$((n % 5 + 1)) $P --root "$R" --undo > /dev/null 2>&1
		$P --root "$R" --undo > /dev/null 2>"$T/err" || { bad=1; notok "crash $n: undo failed" "$(cat "$T/err")"; }
		sums "$R" > "$T/now.sums"
		cmp -s "$T/orig.sums" "$T/now.sums" || { bad=1; notok "crash $n: undo did not restore" "$(diff "$T/orig.sums" "$T/now.sums" | head -5)"; }
		tree "$R" > "$T/now.tree"
		cmp -s "$T/orig.tree" "$T/now.tree" || { bad=1; notok "crash $n: undo left directories"; }
	else
		$P --root "$R" --apply > /dev/null 2>"$T/err" || { bad=1; notok "crash $n: resumed apply failed" "$(cat "$T/err")"; }
		sums "$R" > "$T/now.sums"
		cmp -s "$T/applied.sums" "$T/now.sums" || { bad=1; notok "crash $n: resumed apply differs" "$(diff "$T/applied.sums" "$T/now.sums" | head -5)"; }
		$P --root "$R" --undo > /dev/null 2>&1
		sums "$R" > "$T/now.sums"
		cmp -s "$T/orig.sums" "$T/now.sums" || { bad=1; notok "crash $n: undo after resume did not restore"; }
	fi
done
[ $bad -eq 0 ] && ok "killed at each of $npoints points: finished or undone, every checksum the same"
[ $npoints -ge 60 ] && ok "crash points covered: $npoints" || notok "too few crash points: $npoints"

# Collisions are reported before anything moves.
R=$T/c; seed "$R"; mkdir -p "$R/tests/sub"
echo 'a' > "$R/tests/test_dup_integration.py"
echo 'b' > "$R/tests/sub/test_dup_integration.py"
tree "$R" > "$T/c.tree"
run "two sources, one destination" 2 $P --root "$R" --apply
expect_err "tests/integration/test_dup_integration.py: error: both 'tests/sub/test_dup_integration.py' and 'tests/test_dup_integration.py' would move here"
expect_err "nothing moved"
tree "$R" > "$T/now.tree"; same "collision: nothing moved" "$T/c.tree" "$T/now.tree"
rm "$R/tests/sub/test_dup_integration.py"
mkdir -p "$R/tests/security"; echo 'kept' > "$R/tests/security/test_dup_integration.py"
echo 'moving' > "$R/tests/test_other_security.py"
echo 'kept too' > "$R/tests/security/test_other_security.py"
run "existing destination" 2 $P --root "$R" --apply
expect_err "tests/security/test_other_security.py: error: already exists; not moving 'tests/test_other_security.py' here"
has "existing destination" "$R/tests/test_other_security.py"
if [ "$(cat "$R/tests/security/test_other_security.py")" = "kept too" ]; then ok "existing destination: not overwritten"
else notok "existing destination: overwritten"; fi
run "check with collisions" 2 $P --root "$R" --check

# Symbolic links: a category directory pointing out, a test file link.
R=$T/s; seed "$R"; mkdir -p "$T/outside"
ln -s "$T/outside" "$R/tests/integration"
run "symlinked category directory" 2 $P --root "$R" --apply
expect_err "refusing symlink or non-directory 'tests/integration'"
if [ -z "$(ls -A "$T/outside")" ]; then ok "symlinked category: nothing written outside"
else notok "symlinked category: wrote outside" "$(ls -A "$T/outside")"; fi
has "symlinked category" "$R/tests/test_precision_math.py"
rm "$R/tests/integration"
echo 'secret' > "$T/outside/target.py"
ln -s "$T/outside/target.py" "$R/tests/test_link_integration.py"
run "symlinked test file" 0 $P --root "$R" --apply
expect_err "tests/test_link_integration.py: warning: skipping symbolic link"
if [ -L "$R/tests/test_link_integration.py" ] && [ "$(cat "$T/outside/target.py")" = secret ]
then ok "symlinked test file: link and target untouched"; else notok "symlinked test file: touched"; fi
R=$T/s2; seed "$R"; mv "$R/tests" "$T/realtests"; ln -s "$T/realtests" "$R/tests"
run "symlinked tests directory" 2 $P --root "$R"
expect_err "refusing symlink or non-directory 'tests'"
R=$T/s3; seed "$R"; mkdir "$R/.tally-target"; ln -s "$T/outside" "$R/.tally"
run "symlinked state directory" 2 $P --root "$R" --apply
expect_err "refusing symlink or non-directory '.tally'"
printf 'version: 1\ntests: ../x\ncategories:\n  - name: u\n    purpose: p\n' > "$T/escape.yml"
run "rules that leave the root" 2 $P --root "$R" --rules "$T/escape.yml"
expect_err "escape.yml:2:8: error: 'tests' must be a relative path without '.' or '..'"

# Names with spaces and newlines, and a FIFO.
R=$T/n; seed "$R"
printf 'x\n' > "$R/tests/test_two words_integration.py"
printf 'y\n' > "$R/tests/test_new
line_security.py"
mkfifo "$R/tests/test_fifo_smoke.py"
sums "$R" > "$T/n.sums"
run "odd names" 0 $P --root "$R" --apply
expect_out "move tests/test_two words_integration.py -> tests/integration/test_two words_integration.py"
if grep -qF 'move "tests/test_new\nline_security.py" -> "tests/security/test_new\nline_security.py"' "$OUT"
then ok "odd names: a newline is printed quoted"; else notok "odd names: newline" "$(cat "$OUT")"; fi
expect_err "tests/test_fifo_smoke.py: warning: skipping non-regular file"
has "odd names" "$R/tests/integration/test_two words_integration.py"
[ -f "$R/tests/security/test_new
line_security.py" ] && ok "odd names: newline name moved" || notok "odd names: newline name not moved"
run "odd names undone" 0 $P --root "$R" --undo
sums "$R" > "$T/now.sums"; same "odd names: restored" "$T/n.sums" "$T/now.sums"

# Unreadable files, as an unprivileged user when running as root.
R=$T/u; seed "$R"
printf 'import pytest\n@pytest.mark.smoke\ndef test_a(): pass\n' > "$R/tests/test_needs_content.py"
chmod 000 "$R/tests/test_needs_content.py"
printf 'x' > "$R/tests/test_name_only_security.py"; chmod 000 "$R/tests/test_name_only_security.py"
if [ "$(id -u)" -eq 0 ]; then
	chown -R nobody "$R" 2>/dev/null; chmod 755 "$T"
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
else
	AS=
fi
tree "$R" > "$T/u.tree"
run "unreadable file needing its content" 2 $AS $P --root "$R" --apply
expect_err "tests/test_needs_content.py: error: cannot read 'tests/test_needs_content.py': Permission denied"
tree "$R" > "$T/now.tree"; same "unreadable: nothing moved" "$T/u.tree" "$T/now.tree"
rm -f "$R/tests/test_needs_content.py"
run "unreadable file classified by name" 0 $AS $P --root "$R" --apply
has "unreadable by name" "$R/tests/security/test_name_only_security.py"

# Rules files: errors name file, line and column; nothing moves.
R=$T/b; seed "$R"; tree "$R" > "$T/b.tree"
rules() { printf "$2" > "$T/$1.yml"; }
rules unknown 'version: 1\ncategories:\n  - name: u\n    purpose: p\nrules:\n  - category: u\n    desitnation: x\n'
run "unknown key" 2 $P --root "$R" --rules "$T/unknown.yml"
expect_err "unknown.yml:7:5: error: unknown key 'desitnation' in rule"
rules badre 'categories:\n  - name: u\n    purpose: p\nrules:\n  - category: u\n    name: "(a"\n'
run "bad regex" 2 $P --root "$R" --rules "$T/badre.yml"
expect_err "badre.yml:6:11: error: bad regex at offset 2: missing closing parenthesis"
rules alias 'categories:\n  - &a {name: u, purpose: p}\n  - *a\n'
run "anchor" 2 $P --root "$R" --rules "$T/alias.yml"
expect_err "alias.yml:2:5: error: anchors and aliases are not allowed"
rules dup 'categories:\n  - name: u\n    name: v\n    purpose: p\n'
run "duplicate key" 2 $P --root "$R" --rules "$T/dup.yml"
expect_err "dup.yml:3:5: error: duplicate key 'name'"
rules tab 'categories:\n\t- name: u\n'
run "tab indent" 2 $P --root "$R" --rules "$T/tab.yml"
expect_err "tab.yml:2:1: error: found character that cannot start any token"
rules trunc 'categories: [1, 2\n'
run "truncated flow" 2 $P --root "$R" --rules "$T/trunc.yml"
expect_err "did not find expected ',' or ']'"
rules tag 'categories: !!python/object:os.system\n  - name: u\n'
run "tag" 2 $P --root "$R" --rules "$T/tag.yml"
expect_err "tag.yml:1:13: error: tags are not allowed"
rules twodocs 'categories: []\n---\ncategories: []\n'
run "two documents" 2 $P --root "$R" --rules "$T/twodocs.yml"
expect_err "error: more than one YAML document"
python3 -c 'print("categories: " + "[" * 10000)' > "$T/deep.yml" 2>/dev/null ||
    awk 'BEGIN { s = "categories: "; for (i = 0; i < 10000; i++) s = s "["; print s }' > "$T/deep.yml"
run "deep nesting" 2 $P --root "$R" --rules "$T/deep.yml"
expect_err "nesting too deep"
rules unkcat 'categories:\n  - name: u\n    purpose: p\nrules:\n  - category: nope\n    name: x\n'
run "unknown category" 2 $P --root "$R" --rules "$T/unkcat.yml"
expect_err "unkcat.yml:5:15: error: unknown category 'nope'"
rules baddir 'categories:\n  - name: u\n    dir: ../../etc\n    purpose: p\n'
run "category dir leaving the root" 2 $P --root "$R" --rules "$T/baddir.yml"
expect_err "baddir.yml:3:10: error: 'dir' must be a relative path"
run "missing rules file" 2 $P --root "$R" --rules "$T/none.yml"
expect_err "none.yml: error: cannot read: No such file or directory"
# A pathological pattern fails cleanly in the plan, quickly.
printf 'x' > "$R/tests/test_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!.py"
tree "$R" > "$T/b.tree"
rules patho 'categories:\n  - name: u\n    purpose: p\nrules:\n  - category: u\n    name: "^test_(a+)+$"\n'
run "pathological regex" 2 timeout 20 $P --root "$R" --rules "$T/patho.yml" --apply
expect_err "failed on 'test_aaaa"
expect_err "match limit exceeded"
tree "$R" > "$T/now.tree"; same "bad rules: nothing moved" "$T/b.tree" "$T/now.tree"
if [ -s "$R/.tally/organize.journal" ]; then notok "bad rules: journal written"
else ok "bad rules: journal empty"; fi

# .tally.yml at the root is read; --print-rules is a valid rules file.
R=$T/y; seed "$R"
run "print rules" 0 $P --print-rules
expect_out "version: 1"
cp "$OUT" "$R/.tally.yml"
$P --root "$R" > "$T/plan.default"
run "printed rules give the default plan" 0 $P --root "$R" --rules "$R/.tally.yml"
same "print rules: same plan" "$T/plan.default" "$OUT"
printf 'version: 1\ncategories:\n  - name: everything\n    dir: all\n    purpose: All of them\ndefault: everything\n' > "$R/.tally.yml"
run ".tally.yml at the root" 0 $P --root "$R"
expect_out "move tests/test_smoke.py -> tests/all/test_smoke.py"
expect_not_out "create"

# Git: the moves show as renames; undo leaves a clean status.
if command -v git > /dev/null; then
	R=$T/g; seed "$R"
	git -C "$R" init -q && git -C "$R" add -A &&
	    git -C "$R" -c user.email=t@example.org -c user.name=t commit -qm seed
	echo 'new' > "$R/tests/test_untracked_smoke.py"
	run "apply in git" 0 $P --root "$R" --apply
	git -C "$R" status --porcelain > "$T/st"
	if grep -qF 'R  tests/test_pipeline_integration.py -> tests/integration/test_pipeline_integration.py' "$T/st" &&
	    grep -qF 'A  tests/integration/__init__.py' "$T/st" &&
	    grep -qF '?? tests/smoke/test_untracked_smoke.py' "$T/st" &&
	    [ "$(grep -c '^R ' "$T/st")" -eq 10 ]
	then ok "git: 10 renames, untracked file left untracked"
	else notok "git: status" "$(cat "$T/st")"; fi
	run "undo in git" 0 $P --root "$R" --undo
	git -C "$R" status --porcelain > "$T/st"
	if [ "$(cat "$T/st")" = "?? tests/test_untracked_smoke.py" ]; then ok "git: undo leaves a clean index"
	else notok "git: after undo" "$(cat "$T/st")"; fi
fi

# Git after killed runs: the next run makes the index agree with the disk.
if command -v git > /dev/null && command -v flock > /dev/null; then
	# A small committed project at $1: two test files to move.
	gseed() {
		rm -rf "$1"; mkdir -p "$1/tests"
		printf 'def test_a(): pass\n' > "$1/tests/test_a_integration.py"
		printf 'def test_b(): pass\n' > "$1/tests/test_b_smoke.py"
		printf 'import pytest\n' > "$1/tests/conftest.py"
		git -C "$1" init -q && git -C "$1" add -A &&
		    git -C "$1" -c user.email=t@example.org -c user.name=t commit -qm seed
	}
	# The index agrees with the disk: no unstaged change, nothing untracked.
	agrees() {
		git -C "$1" diff --quiet && [ -z "$(git -C "$1" ls-files -o --exclude-standard)" ]
	}
	# A git child of a killed run holds the lock until git is done.
	waitlock() { flock "$1/.tally/organize.lock" true; }
	R=$T/gk

	# --undo killed at every crash point, the git step and the compaction
	# included; the next run (a --check first, every other time) repairs.
	bad=0 n=0 st=99
	while [ $st -eq 99 ] && [ $n -lt 100 ]; do
		n=$((n + 1))
		gseed "$R"; $P --root "$R" --apply > /dev/null
		TALLY_ORGANIZE_CRASH_AFTER=$n $P --root "$R" --undo > /dev/null 2>&1
		st=$?
		waitlock "$R"
		[ $((n % 2)) -eq 1 ] && $P --root "$R" --check > /dev/null 2>&1
		$P --root "$R" --undo > /dev/null 2>"$T/err" || { bad=1; notok "undo killed at $n: the next undo failed" "$(cat "$T/err")"; }
		git -C "$R" status --porcelain > "$T/st"
		[ -s "$T/st" ] && { bad=1; notok "undo killed at $n: git status after the next undo" "$(head -5 "$T/st")"; }
		[ -s "$R/.tally/organize.journal" ] && { bad=1; notok "undo killed at $n: journal left"; }
	done
	[ $st -eq 0 ] && [ $n -ge 15 ] && [ $bad -eq 0 ] &&
	    ok "git: undo killed at each of $((n - 1)) points, the next undo leaves a clean status"
	[ $st -eq 0 ] || notok "git: undo crash loop ended with status $st at $n"

	# --apply killed at every crash point: finished, then undone.
	bad=0 n=0 st=99
	while [ $st -eq 99 ] && [ $n -lt 100 ]; do
		n=$((n + 1))
		gseed "$R"
		TALLY_ORGANIZE_CRASH_AFTER=$n $P --root "$R" --apply > /dev/null 2>&1
		st=$?
		waitlock "$R"
		$P --root "$R" --apply > /dev/null 2>"$T/err" || { bad=1; notok "apply killed at $n: the next apply failed" "$(cat "$T/err")"; }
		agrees "$R" && [ "$(git -C "$R" status --porcelain | grep -c '^R  ')" -eq 2 ] ||
		    { bad=1; notok "apply killed at $n: git status" "$(git -C "$R" status --porcelain | head -5)"; }
		$P --root "$R" --undo > /dev/null 2>&1
		[ -z "$(git -C "$R" status --porcelain)" ] || { bad=1; notok "apply killed at $n: undo left" "$(git -C "$R" status --porcelain | head -5)"; }
	done
	[ $st -eq 0 ] && [ $n -ge 15 ] && [ $bad -eq 0 ] &&
	    ok "git: apply killed at each of $((n - 1)) points, finished with the moves staged as renames"
	[ $st -eq 0 ] || notok "git: apply crash loop ended with status $st at $n"

	# kill -9 at moments of the clock rather than at crash points.
	bad=0
	for d in 0.001 0.002 0.004 0.006 0.008 0.010 0.013 0.016 0.020 0.030; do
		gseed "$R"; $P --root "$R" --apply > /dev/null
		$P --root "$R" --undo > /dev/null 2>&1 &
		pid=$!; sleep $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		waitlock "$R"
		$P --root "$R" --undo > /dev/null 2>"$T/err" || { bad=1; notok "undo killed after ${d}s: the next undo failed" "$(cat "$T/err")"; }
		[ -z "$(git -C "$R" status --porcelain)" ] || { bad=1; notok "undo killed after ${d}s: git status" "$(git -C "$R" status --porcelain | head -5)"; }
	done
	[ $bad -eq 0 ] && ok "git: undo killed -9 ten times, each time the next undo leaves a clean status"

	# A failing git is reported, and the next run stages what it missed.
	mkdir -p "$T/shim"
	printf '#!/bin/sh\necho "fatal: shim says no" >&2\nexit 1\n' > "$T/shim/git"
	chmod +x "$T/shim/git"
	R=$T/gf; gseed "$R"
	run "failing git" 2 env PATH="$T/shim:$PATH" $P --root "$R" --apply
	expect_err "tally-organize: error: 'git rev-parse --is-inside-work-tree' failed with status 1: fatal: shim says no; the files are moved but git does not show it: run --apply again to stage the moves"
	has "failing git: the moves are done" "$R/tests/smoke/test_b_smoke.py"
	run "check after a failing git" 0 $P --root "$R" --check
	expect_err "tally-organize: .tally/organize.journal: warning: the last --apply ended before the git index was updated; --apply updates it"
	run "apply after a failing git" 0 $P --root "$R" --apply
	expect_no_err
	if agrees "$R" && [ "$(git -C "$R" status --porcelain | grep -c '^R  ')" -eq 2 ]
	then ok "apply after a failing git: the renames are staged"
	else notok "apply after a failing git: git status" "$(git -C "$R" status --porcelain)"; fi
	mkdir -p "$T/sigshim"; printf '#!/bin/sh\nkill -9 $$\n' > "$T/sigshim/git"; chmod +x "$T/sigshim/git"
	run "git killed by a signal" 2 env PATH="$T/sigshim:$PATH" $P --root "$R" --undo
	expect_err "error: 'git rev-parse --is-inside-work-tree' was killed by signal 9; the files are back but git does not show it: run --undo again to stage it"
	run "undo after git was killed" 0 $P --root "$R" --undo
	[ -z "$(git -C "$R" status --porcelain)" ] && ok "undo after git was killed: clean status" ||
	    notok "undo after git was killed: git status" "$(git -C "$R" status --porcelain)"

	# Killed by the git it runs, after the undo is recorded: a git that
	# kills its parent and fails, one that kills it and goes on, and one
	# that does so only when it updates the index.
	REALGIT=$(command -v git)
	printf '#!/bin/sh\nkill -9 $PPID\nexit 1\n' > "$T/shim/killfail"
	printf '#!/bin/sh\nkill -9 $PPID\nexec "%s" "$@"\n' "$REALGIT" > "$T/shim/killgo"
	printf '#!/bin/sh\ncase "$*" in *update-index*) kill -9 $PPID;; esac\nexec "%s" "$@"\n' "$REALGIT" > "$T/shim/killupd"
	chmod +x "$T/shim/killfail" "$T/shim/killgo" "$T/shim/killupd"
	R=$T/gs
	for shim in killfail killgo killupd; do
		mkdir -p "$T/$shim"; cp "$T/shim/$shim" "$T/$shim/git"
		gseed "$R"; $P --root "$R" --apply > /dev/null
		env PATH="$T/$shim:$PATH" $P --root "$R" --undo > /dev/null 2>&1
		st=$?
		waitlock "$R"
		[ $st -eq 137 ] && ok "undo killed by $shim" || notok "undo killed by $shim: exit $st"
		has "undo killed by $shim: the files are back" "$R/tests/test_b_smoke.py"
		run "undo after $shim" 0 $P --root "$R" --undo
		expect_no_err
		[ -z "$(git -C "$R" status --porcelain)" ] && ok "undo after $shim: clean status" ||
		    notok "undo after $shim: git status" "$(git -C "$R" status --porcelain)"
		gseed "$R"
		env PATH="$T/$shim:$PATH" $P --root "$R" --apply > /dev/null 2>&1
		waitlock "$R"
		run "check after an apply killed by $shim" 0 $P --root "$R" --check
		expect_err "warning: the last --apply ended before the git index was updated"
		run "apply after $shim" 0 $P --root "$R" --apply
		if agrees "$R" && [ "$(git -C "$R" status --porcelain | grep -c '^R  ')" -eq 2 ]
		then ok "apply after $shim: the renames are staged"
		else notok "apply after $shim: git status" "$(git -C "$R" status --porcelain)"; fi
	done

	# A locked index: the undo is done, git's refusal is reported.
	R=$T/gl; gseed "$R"
	: > "$R/.git/index.lock"
	run "locked index, apply" 2 $P --root "$R" --apply --index "$T/gl.md"
	expect_err "tally-organize: error: 'git update-index --add --remove -z --stdin' failed with status 128"
	grep -qF -- '- `tests/smoke/test_b_smoke.py`' "$T/gl.md" && ok "locked index: the Markdown index is written" ||
	    notok "locked index: no Markdown index"
	run "locked index" 2 $P --root "$R" --undo
	expect_err "error: 'git update-index --add --remove -z --stdin' failed with status 128: fatal: Unable to create"
	expect_err "the files are back but git does not show it: run --undo again to stage it"
	has "locked index: the files are back" "$R/tests/test_b_smoke.py"
	rm "$R/.git/index.lock"
	run "undo after a locked index" 0 $P --root "$R" --undo
	expect_out "nothing to undo"
	[ -z "$(git -C "$R" status --porcelain)" ] && ok "undo after a locked index: clean status" ||
	    notok "undo after a locked index: git status" "$(git -C "$R" status --porcelain)"

	# Without git there is no index to keep: no error.
	R=$T/ng; gseed "$R"
	run "no git" 0 env PATH="$TALLY_BIN" tally-organize --root "$R" --apply
	expect_no_err
fi

# Killed while compacting the journal (an apply that drops the one before
# it): the next --undo reverts the last apply from whichever journal is
# there, and leaves no temporary file.
R=$T/cp; bad=0 n=0 st=99
while [ $st -eq 99 ] && [ $n -lt 60 ]; do
	n=$((n + 1))
	seed "$R"; $P --root "$R" --apply > /dev/null
	echo 'def test_late(): pass' > "$R/tests/test_late_smoke.py"
	sums "$R" > "$T/cp.sums"
	TALLY_ORGANIZE_CRASH_AFTER=$n $P --root "$R" --apply > /dev/null 2>&1
	st=$?
	$P --root "$R" --undo > "$T/out" 2>"$T/err" || { bad=1; notok "compaction killed at $n: undo failed" "$(cat "$T/err")"; }
	sums "$R" > "$T/now.sums"
	cmp -s "$T/cp.sums" "$T/now.sums" || { bad=1; notok "compaction killed at $n: undo did not restore" "$(diff "$T/cp.sums" "$T/now.sums" | head -5)"; }
	[ -e "$R/.tally/organize.journal.tmp" ] && { bad=1; notok "compaction killed at $n: temporary journal left"; }
done
[ $st -eq 0 ] && [ $bad -eq 0 ] && ok "second apply killed at each of its $((n - 1)) points, compaction included: undone exactly"

# Undo refuses a file changed since, and undoes the rest.
R=$T/e; seed "$R"; $P --root "$R" --apply > /dev/null
echo '# edited' >> "$R/tests/smoke/test_smoke.py"
run "undo with an edited file" 2 $P --root "$R" --undo
expect_err "cannot undo the move from 'tests/test_smoke.py': the file was changed or replaced since"
has "undo with an edited file" "$R/tests/smoke/test_smoke.py"
has "undo with an edited file" "$R/tests/test_utils.py"
hasnt "undo with an edited file" "$R/tests/test_smoke.py"

# The lock keeps two runs apart.
R=$T/l2; seed "$R"; mkdir -p "$R/.tally"; : > "$R/.tally/organize.lock"
run "held lock" 2 flock "$R/.tally/organize.lock" $P --root "$R" --apply
expect_err "another tally organize run holds the lock"
has "held lock" "$R/tests/test_smoke.py"

# A corrupt journal stops everything; a torn last line is dropped.
R=$T/j; seed "$R"; $P --root "$R" --apply > /dev/null
sed -i '3s/done/dome/' "$R/.tally/organize.journal"
run "corrupt journal" 2 $P --root "$R" --undo
expect_err ".tally/organize.journal:3: error: corrupt journal record"
R=$T/j2; seed "$R"; $P --root "$R" --apply > /dev/null
printf 'undo 5' >> "$R/.tally/organize.journal"
run "torn last line" 0 $P --root "$R" --undo
sums "$R" > "$T/now.sums"; same "torn last line: undone" "$T/orig.sums" "$T/now.sums"

# Usage and output errors.
run "two modes" 2 $P --apply --check
expect_err "exclude each other"
run "index without apply" 2 $P --index x.md
run "operand" 2 $P foo
run "help" 0 $P --help
expect_out "usage: tally-organize"
run "no tests directory" 2 $P --root "$T"
expect_err "no tests directory 'tests'"
R=$T/f; seed "$R"
run "write error" 2 sh -c "$P --root '$R' > /dev/full"
expect_err "write error"

# Undo with no journal changes nothing; a plan waits for no running apply.
R=$T/z; seed "$R"
run "undo on a fresh tree" 0 $P --root "$R" --undo
expect_out "nothing to undo"
hasnt "undo on a fresh tree" "$R/.tally"
mkdir "$R/.tally"; : > "$R/.tally/organize.lock"
run "check while an apply holds the lock" 2 flock "$R/.tally/organize.lock" $P --root "$R" --check
expect_err "another tally organize run holds the lock"
run "check with a free lock" 1 $P --root "$R" --check

# A signal stops the run between steps: here SIGINT is pending (blocked,
# inherited across exec) before the first step.
if perl -MPOSIX -e 1 2>/dev/null; then
	R=$T/i; seed "$R"
	run "interrupted" 2 perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGINT)) or die;
	    kill "INT", $$; exec @ARGV' $P --root "$R" --apply
	expect_err "error: interrupted; finish with --apply or revert with --undo"
	has "interrupted: nothing moved yet" "$R/tests/test_smoke.py"
	run "check after an interrupt" 2 $P --root "$R" --check
	expect_err "a run was interrupted"
	run "apply after an interrupt" 0 $P --root "$R" --apply
	run "check after finishing" 0 $P --root "$R" --check
fi

# Moves are journalled in batches of 64: kill runs of 150 moves inside and
# across batches, then undo or finish them.
big() {
	rm -rf "$1"; mkdir -p "$1/tests"
	k=0
	while [ $k -lt 150 ]; do
		case $((k % 3)) in
		0) f=test_b${k}_integration.py ;;
		1) f=test_b${k}_smoke.py ;;
		*) f=test_b$k.py ;;
		esac
		printf 'def test_%d():\n    assert %d\n' $k $k > "$1/tests/$f"
		k=$((k + 1))
	done
}
R=$T/big; big "$R"; sums "$R" > "$T/big.orig"
$P --root "$R" --apply > /dev/null && sums "$R" > "$T/big.applied"
bad=0
for n in 3 64 65 129 192 193 200 260 301 340 400 455; do
	big "$R"
	TALLY_ORGANIZE_CRASH_AFTER=$n $P --root "$R" --apply > /dev/null 2>&1
	[ $? -eq 99 ] || { bad=1; notok "big crash $n: did not crash"; continue; }
	if [ $((n % 2)) -eq 0 ]; then
		$P --root "$R" --undo > /dev/null 2>"$T/err" || { bad=1; notok "big crash $n: undo" "$(cat "$T/err")"; }
		sums "$R" > "$T/now.sums"
		cmp -s "$T/big.orig" "$T/now.sums" || { bad=1; notok "big crash $n: undo did not restore"; }
	else
		$P --root "$R" --apply > /dev/null 2>"$T/err" || { bad=1; notok "big crash $n: resume" "$(cat "$T/err")"; }
		sums "$R" > "$T/now.sums"
		cmp -s "$T/big.applied" "$T/now.sums" || { bad=1; notok "big crash $n: resumed apply differs"; }
	fi
done
[ $bad -eq 0 ] && ok "150 moves killed inside and across batches: undone or finished exactly"

# The index keeps hostile text inert: a command with backticks stays in
# its code span, a file name with Markdown in it is a code span too.
R=$T/md; mkdir -p "$R/tests"; echo x > "$R/tests/test_[x](javascript:y).py"
printf 'categories:\n  - name: all\n    purpose: "*Everything* <b>"\n    command: "run `a`"\ndefault: all\n' > "$R/.tally.yml"
run "index escaping" 0 $P --root "$R" --apply --index "$T/md.md"
if grep -qF 'Run: `` run `a` ``' "$T/md.md" && grep -qF '\*Everything\* &lt;b&gt;' "$T/md.md" &&
    grep -qF -- '- `tests/all/test_[x](javascript:y).py`' "$T/md.md"
then ok "index escaping: code spans and escapes"
else notok "index escaping" "$(cat "$T/md.md")"; fi

# A closed log pipe does not stop a run half-way.
R=$T/pipe; seed "$R"
( $P --root "$R" --apply 2>"$T/pipe.err"; echo $? > "$T/pipe.st" ) | head -1 > /dev/null
run "apply into a closed pipe finished every step" 0 $P --root "$R" --check
[ ! -s "$T/pipe.err" ] && ok "closed pipe: quiet" || notok "closed pipe: stderr" "$(cat "$T/pipe.err")"

# References (issue 14): a repository built here, with a workflow whose
# run: blocks call pytest on files that move and on files that are gone, a
# Makefile, tox.ini, package.json, pyproject.toml, pytest.ini and a file
# under references:.
refrepo() {
	rm -rf "$1"; mkdir -p "$1/tests/js" "$1/.github/workflows" "$1/ci"
	echo 'def test_a(): pass' > "$1/tests/test_smoke.py"
	echo 'def test_b(): pass' > "$1/tests/test_utils.py"
	echo 'def test_c(): pass' > "$1/tests/test_api_integration.py"
	echo 'test("x", () => {});' > "$1/tests/js/cart.test.js"
	cat > "$1/.github/workflows/ci.yml" <<'EOF'
name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Run tests/unit quickly
        run: |
          python -m pytest tests/test_smoke.py \
            tests/test_gone.py -k 'not slow' --junitxml=tests/out.xml
          pytest "tests/test_utils.py::test_b" https://example.org/tests/x $HOME/tests/y
      - run: pytest tests/legacy_*.py
      - run: pytest ./tests/test_*.py
      - run: echo "tests/js/*.test.js"
EOF
	printf 'TESTS = tests\ntest:\n\tpytest tests/test_api_integration.py \\\n\t  tests/missing_dir\n\tpytest $(TESTS)/x.py\n' > "$1/Makefile"
	printf '[tox]\nenvlist = py3\n[testenv]\ncommands =\n    pytest tests/test_smoke.py {posargs}\n    pytest tests/nope.py\n' > "$1/tox.ini"
	printf '[pytest]\ntestpaths = tests\nmarkers =\n    slow: tests/slow ones\n' > "$1/pytest.ini"
	printf '{\n  "name": "x",\n  "scripts": {\n    "test": "jest tests/js/gone.test.js tests/js/cart.test.js",\n    "lint": "eslint ."\n  },\n  "description": "tests/not_a_script.js"\n}\n' > "$1/package.json"
	printf '[tool.pytest.ini_options]\ntestpaths = ["tests/unit", "tests/integration", "tests/perf"]\naddopts = "-ra -q"\n' > "$1/pyproject.toml"
	printf '#!/bin/sh\nexec pytest tests/test_utils.py tests/old_helpers.py\n' > "$1/ci/run.sh"
	tally-organize --print-rules > "$1/.tally.yml"
	printf 'references:\n  - ci/run.sh\n' >> "$1/.tally.yml"
	git -C "$1" init -q && git -C "$1" add -A &&
	    git -C "$1" -c user.email=t@example.org -c user.name=t commit -qm seed
}
R=$T/refs; refrepo "$R"
run "references: dry run" 1 $P --root "$R"
expect_out "update .github/workflows/ci.yml:10: "
expect_out "python -m pytest tests/smoke/test_smoke.py"
expect_out "update .github/workflows/ci.yml:12: "
expect_out 'tests/unit/test_utils.py::test_b'
expect_out "update Makefile:3: "
expect_out "update tox.ini:5: pytest tests/test_smoke.py {posargs} -> pytest tests/smoke/test_smoke.py {posargs}"
expect_out "update ci/run.sh:2: "
expect_out "update package.json:4: "
expect_out "jest tests/js/gone.test.js tests/unit/cart.test.js"
expect_err ".github/workflows/ci.yml:11: error: 'tests/test_gone.py' names no file"
expect_err ".github/workflows/ci.yml:13: error: 'tests/legacy_*.py' matches no file"
expect_err ".github/workflows/ci.yml:14: error: 'tests/test_*.py' would match no file after the moves"
expect_err ".github/workflows/ci.yml:15: error: 'tests/js/*.test.js' would match no file after the moves"
expect_err "Makefile:4: error: 'tests/missing_dir' names no file"
expect_err "tox.ini:6: error: 'tests/nope.py' names no file"
expect_err "package.json:4: error: 'tests/js/gone.test.js' names no file"
expect_err "pyproject.toml:2: error: 'tests/perf' names no file"
expect_err "ci/run.sh:2: error: 'tests/old_helpers.py' names no file"
# Not paths: options, URLs, variables, -k expressions, names, prose.
for w in out.xml example.org HOME/tests 'not slow' 'tests/unit quickly' TESTS \
    not_a_script 'tests/slow' 'tests/js/cart'; do
	if grep -q -- "$w" "$ERR"; then notok "references: '$w' reported" "$(cat "$ERR")"
	else ok "references: '$w' not reported"; fi
done
[ "$(wc -l < "$ERR")" -eq 9 ] && ok "references: 9 errors" || notok "references: errors" "$(cat "$ERR")"
run "references: check" 1 $P --root "$R" --check
expect_err "tox.ini:6: error: 'tests/nope.py' names no file"

# --apply rewrites the references to the files it moves (issue 14):
# exact paths only, globs left alone (those the moves empty are warnings),
# each file replaced whole with its mode kept; --undo puts every one back
# byte for byte.
R=$T/rw; refrepo "$R"; chmod 755 "$R/ci/run.sh"
git -C "$R" add -A && git -C "$R" -c user.email=t@example.org -c user.name=t commit -qm mode
sums "$R" > "$T/rw.orig.sums"; tree "$R" > "$T/rw.orig.tree"
mkdir "$T/rw.orig"; for f in .github/workflows/ci.yml Makefile tox.ini package.json ci/run.sh pyproject.toml pytest.ini; do
	mkdir -p "$T/rw.orig/$(dirname "$f")"; cp "$R/$f" "$T/rw.orig/$f"; done
run "rewrite: apply" 0 $P --root "$R" --apply
for f in .github/workflows/ci.yml Makefile tox.ini package.json ci/run.sh; do
	expect_out "update $f"; done
expect_not_out "update pyproject.toml"
expect_err ".github/workflows/ci.yml:14: warning: 'tests/test_*.py' would match no file after the moves"
expect_err ".github/workflows/ci.yml:15: warning: 'tests/js/*.test.js' would match no file after the moves"
expect_err "tox.ini:6: warning: 'tests/nope.py' names no file"
if grep -q 'error' "$ERR"; then notok "rewrite: apply reported errors" "$(cat "$ERR")"; else ok "rewrite: apply reports warnings only"; fi
sed -e '10s|tests/test_smoke.py|tests/smoke/test_smoke.py|' \
    -e '12s|"tests/test_utils.py::|"tests/unit/test_utils.py::|' \
    "$T/rw.orig/.github/workflows/ci.yml" > "$T/want.ci.yml"
same "rewrite: workflow, exact paths only" "$T/want.ci.yml" "$R/.github/workflows/ci.yml"
printf 'TESTS = tests\ntest:\n\tpytest tests/integration/test_api_integration.py \\\n\t  tests/missing_dir\n\tpytest $(TESTS)/x.py\n' > "$T/want.mk"
same "rewrite: Makefile" "$T/want.mk" "$R/Makefile"
printf '[tox]\nenvlist = py3\n[testenv]\ncommands =\n    pytest tests/smoke/test_smoke.py {posargs}\n    pytest tests/nope.py\n' > "$T/want.tox"
same "rewrite: tox.ini" "$T/want.tox" "$R/tox.ini"
printf '{\n  "name": "x",\n  "scripts": {\n    "test": "jest tests/js/gone.test.js tests/unit/cart.test.js",\n    "lint": "eslint ."\n  },\n  "description": "tests/not_a_script.js"\n}\n' > "$T/want.json"
same "rewrite: package.json" "$T/want.json" "$R/package.json"
printf '#!/bin/sh\nexec pytest tests/unit/test_utils.py tests/old_helpers.py\n' > "$T/want.sh"
same "rewrite: ci/run.sh" "$T/want.sh" "$R/ci/run.sh"
[ "$(stat -c %a "$R/ci/run.sh")" = 755 ] && ok "rewrite: mode kept" || notok "rewrite: mode" "$(stat -c %a "$R/ci/run.sh")"
same "rewrite: pyproject.toml untouched" "$T/rw.orig/pyproject.toml" "$R/pyproject.toml"
[ -z "$(find "$R" -name '.tally-new.*')" ] && ok "rewrite: no temporary file" || notok "rewrite: temporary files" "$(find "$R" -name '.tally-new.*')"
run "rewrite: check after apply names no moved path" 1 $P --root "$R" --check
expect_not_out "update"
if grep -q 'test_smoke\|test_utils\|test_api_integration\|cart.test' "$ERR"; then notok "rewrite: check still names a moved file" "$(cat "$ERR")"
else ok "rewrite: check names no moved file"; fi
run "rewrite: undo" 0 $P --root "$R" --undo
for f in .github/workflows/ci.yml Makefile tox.ini package.json ci/run.sh; do
	expect_out "restore $f"; same "rewrite: undo restores $f byte for byte" "$T/rw.orig/$f" "$R/$f"; done
sums "$R" > "$T/now.sums"; same "rewrite: undo restores every file" "$T/rw.orig.sums" "$T/now.sums"
tree "$R" > "$T/now.tree"; same "rewrite: undo leaves the tree" "$T/rw.orig.tree" "$T/now.tree"
[ -z "$(git -C "$R" status --porcelain)" ] && ok "rewrite: undo leaves a clean git status" || notok "rewrite: git status" "$(git -C "$R" status --porcelain)"
[ -z "$(ls "$R/.tally" | grep rewrite)" ] && ok "rewrite: saved copies dropped" || notok "rewrite: saved copies left" "$(ls "$R/.tally")"

# The same path twice on a line, after "./", and inside a longer path.
R=$T/rwdot; mkdir -p "$R/tests"; echo 'def test(): pass' > "$R/tests/test_x.py"
printf 'test:\n\tpytest ./tests/test_x.py tests/test_x.py::t ../tests/test_x.py other/tests/test_x.py\n' > "$R/Makefile"
chmod 640 "$R/Makefile"; [ "$(id -u)" = 0 ] && chown 1234:1234 "$R/Makefile"
owner=$(stat -c %u:%g:%a "$R/Makefile")
run "rewrite: ./ and twice on a line" 0 $P --root "$R" --apply
[ "$(stat -c %u:%g:%a "$R/Makefile")" = "$owner" ] && ok "rewrite: owner, group and mode kept ($owner)" ||
    notok "rewrite: owner, group and mode" "$owner -> $(stat -c %u:%g:%a "$R/Makefile")"
printf 'test:\n\tpytest ./tests/unit/test_x.py tests/unit/test_x.py::t ../tests/test_x.py other/tests/test_x.py\n' > "$T/want.mk"
same "rewrite: ./ and twice on a line, the rest untouched" "$T/want.mk" "$R/Makefile"

# A rewritten file edited since: --undo refuses it, undoes the rest, and
# a later --undo restores it once the edit is taken back.
R=$T/rw
run "rewrite: apply again" 0 $P --root "$R" --apply
cp "$R/tox.ini" "$T/tox.applied"; echo '# mine' >> "$R/tox.ini"
run "rewrite: undo refuses an edited file" 2 $P --root "$R" --undo
expect_err "tox.ini: error: cannot undo the rewrite: the file was changed since"
has "rewrite: the other steps undone" "$R/tests/test_smoke.py"
same "rewrite: the others restored" "$T/rw.orig/Makefile" "$R/Makefile"
cp "$T/tox.applied" "$R/tox.ini"
run "rewrite: undo once the edit is taken back" 0 $P --root "$R" --undo
sums "$R" > "$T/now.sums"; same "rewrite: then every file restored" "$T/rw.orig.sums" "$T/now.sums"

# A reference file changed between the plan and the rewrite: an apply
# killed after its first step (its plan journalled: five rewrites, then
# a mkdir), the Makefile edited, and the next --apply refuses to go on
# before any move; --undo keeps the edit.  Killed before its first step,
# it is planned again.
rm -rf "$T/rwtpl"; cp -a "$R" "$T/rwtpl"; rm -rf "$T/rwtpl/.tally" "$T/rwtpl/.git"
rwseed() { rm -rf "$1"; cp -a "$T/rwtpl" "$1"; }
R=$T/rwc; rwseed "$R"
TALLY_ORGANIZE_CRASH_AFTER=8 $P --root "$R" --apply > /dev/null 2>&1
[ $? -eq 99 ] && ok "changed: killed after the first step" || notok "changed: crash"
echo '# edited' >> "$R/Makefile"; cp "$R/Makefile" "$T/mk.edited"
run "changed: apply refused" 2 $P --root "$R" --apply
expect_err "Makefile: error: changed since the plan was made; not rewritten"
expect_err "error: 1 reference file changed since the interrupted run was planned; nothing more done"
for f in tests/test_smoke.py tests/test_utils.py tests/test_api_integration.py tests/js/cart.test.js; do
	has "changed: not moved" "$R/$f"; done
same "changed: workflow not rewritten" "$T/rw.orig/.github/workflows/ci.yml" "$R/.github/workflows/ci.yml"
run "changed: undo" 0 $P --root "$R" --undo
expect_err "Makefile: warning: changed since the plan, which did not rewrite it; left as it is"
same "changed: the edit kept" "$T/mk.edited" "$R/Makefile"
cp "$T/rw.orig/Makefile" "$R/Makefile"
sums "$R" > "$T/now.sums"; same "changed: the rest as it was" "$T/rw.orig.sums" "$T/now.sums"
tree "$R" > "$T/now.tree"; same "changed: no directory left" "$T/rw.orig.tree" "$T/now.tree"
R=$T/rwc2; rwseed "$R"
TALLY_ORGANIZE_CRASH_AFTER=5 $P --root "$R" --apply > /dev/null 2>&1
echo '# edited' >> "$R/Makefile"
run "changed before the first step: planned again" 0 $P --root "$R" --apply
expect_out "update Makefile"
grep -q 'tests/integration/test_api_integration.py' "$R/Makefile" && tail -1 "$R/Makefile" | grep -q '^# edited$' &&
    ok "changed before the first step: the edited file rewritten" || notok "changed before the first step" "$(cat "$R/Makefile")"

# Killed at every crash point of an apply that rewrites: the next --apply
# finishes it, or --undo (itself killed once) reverts it; either way every
# file is in the old state or the new, never a mix, and no temporary file
# is left.
R=$T/rwk; rwseed "$R"; $P --root "$R" --apply > /dev/null 2>&1
sums "$R" > "$T/rw.applied.sums"
bad=0 n=0 st=99
while [ $st -eq 99 ] && [ $n -lt 150 ]; do
	n=$((n + 1))
	rwseed "$R"
	TALLY_ORGANIZE_CRASH_AFTER=$n $P --root "$R" --apply > /dev/null 2>&1
	st=$?
	[ $st -eq 99 ] || [ $st -eq 0 ] || { bad=1; notok "rewrite killed at $n: exit $st"; }
	flock "$R/.tally/organize.lock" true
	if [ $((n % 2)) -eq 1 ]; then
		$P --root "$R" --apply > /dev/null 2>"$T/err" || { bad=1; notok "rewrite killed at $n: the next apply failed" "$(cat "$T/err")"; }
		sums "$R" > "$T/now.sums"
		cmp -s "$T/rw.applied.sums" "$T/now.sums" || { bad=1; notok "rewrite killed at $n: finished apply differs" "$(diff "$T/rw.applied.sums" "$T/now.sums" | head -5)"; }
	else
		TALLY_ORGANIZE_CRASH_AFTER=$((n % 5 + 1)) $P --root "$R" --undo > /dev/null 2>&1
		flock "$R/.tally/organize.lock" true
	fi
	$P --root "$R" --undo > /dev/null 2>"$T/err" || { bad=1; notok "rewrite killed at $n: undo failed" "$(cat "$T/err")"; }
	sums "$R" > "$T/now.sums"
	cmp -s "$T/rw.orig.sums" "$T/now.sums" || { bad=1; notok "rewrite killed at $n: undo did not restore" "$(diff "$T/rw.orig.sums" "$T/now.sums" | head -5)"; }
	tree "$R" > "$T/now.tree"
	cmp -s "$T/rw.orig.tree" "$T/now.tree" || { bad=1; notok "rewrite killed at $n: undo left" "$(diff "$T/rw.orig.tree" "$T/now.tree" | head -5)"; }
	[ -z "$(find "$R" -name '.tally-new.*')" ] || { bad=1; notok "rewrite killed at $n: temporary file left"; }
done
[ $st -eq 0 ] && [ $bad -eq 0 ] && [ $n -ge 40 ] &&
    ok "rewrite: killed at each of $((n - 1)) points, finished or undone exactly"
[ $st -eq 0 ] || notok "rewrite: crash loop ended with status $st at $n"

# A category command naming a directory that does not exist.
R=$T/refcmd; mkdir -p "$R/tests/unit"; echo 'def test(): pass' > "$R/tests/unit/test_a.py"
printf 'categories:\n  - name: unit\n    purpose: Unit\n    command: pytest tests/unittests\ndefault: unit\n' > "$T/cmd.yml"
run "references: category command" 1 $P --root "$R" --rules "$T/cmd.yml" --check
expect_err "$T/cmd.yml:4: error: the command of category 'unit' names 'tests/unittests', which does not exist"
printf 'categories:\n  - name: unit\n    purpose: Unit\n    command: pytest tests/unit -k "not slow"\ndefault: unit\n' > "$T/cmd.yml"
run "references: a good category command" 0 $P --root "$R" --rules "$T/cmd.yml" --check
expect_no_err

# Python imports of a test module that moves, and conftest.py scopes a
# move changes, are warnings with file and line; nothing is rewritten.
R=$T/imp; mkdir -p "$R/tests/unit"
echo 'X = 1' > "$R/tests/test_helpers.py"
printf 'import os\nfrom tests.test_helpers import X\nimport tests.test_helpers as h, sys\nfrom tests import (os, test_helpers)\nfrom tests.test_helpersx import Y\n' > "$R/tests/unit/test_a.py"
printf 'import pytest\n@pytest.mark.integration\ndef test_db(): pass\n' > "$R/tests/unit/test_db.py"
: > "$R/tests/unit/conftest.py"; : > "$R/tests/conftest.py"
sums "$R" > "$T/imp.sums"
run "imports: plan" 0 $P --root "$R"
expect_out "move tests/test_helpers.py -> tests/unit/test_helpers.py"
expect_err "tests/unit/test_a.py:2: warning: imports 'tests/test_helpers.py', which the plan moves to 'tests/unit/test_helpers.py'"
expect_err "tests/unit/test_a.py:3: warning: imports 'tests/test_helpers.py'"
expect_err "tests/unit/test_a.py:4: warning: imports 'tests/test_helpers.py'"
if grep -q 'test_a.py:[15]:' "$ERR"; then notok "imports: other lines warned" "$(cat "$ERR")"
else ok "imports: only the importing lines"; fi
expect_err "tests/test_helpers.py: warning: moving it brings it under 'tests/unit/conftest.py'"
expect_err "tests/unit/test_db.py: warning: moving it takes it out of 'tests/unit/conftest.py'"
if grep -q "out of 'tests/conftest.py'" "$ERR"; then notok "imports: tests/conftest.py still applies" "$(cat "$ERR")"
else ok "imports: tests/conftest.py scope kept"; fi
sums "$R" > "$T/now.sums"; same "imports: nothing rewritten" "$T/imp.sums" "$T/now.sums"

# --check --index: the index written by --apply is up to date until the
# layout changes; a missing one fails too (issue 14).
R=$T/idx; seed "$R"
run "index: apply" 0 $P --root "$R" --apply --index "$T/idx.md"
run "index: check up to date" 0 $P --root "$R" --check --index "$T/idx.md"
expect_no_err
echo 'def test_n(): pass' > "$R/tests/unit/test_new.py"
run "index: check out of date" 1 $P --root "$R" --check --index "$T/idx.md"
expect_err "$T/idx.md: error: the index is out of date; '--apply --index $T/idx.md' writes it"
expect_not_out "move"
run "index: rewritten" 0 $P --root "$R" --apply --index "$T/idx.md"
grep -qF -- '- `tests/unit/test_new.py`' "$T/idx.md" && ok "index: lists the new file" || notok "index: new file" "$(cat "$T/idx.md")"
run "index: check again" 0 $P --root "$R" --check --index "$T/idx.md"
run "index: check missing" 1 $P --root "$R" --check --index "$T/none.md"
expect_err "$T/none.md: error: no index; '--apply --index $T/none.md' writes it"
run "index: not with --undo" 2 $P --root "$R" --undo --index "$T/idx.md"
expect_err "--index goes with --apply or --check"

# --undo puts the index back as it was before the --apply that wrote it,
# or removes it when there was none; an index edited since is left alone
# (issue 12).
R=$T/uidx; seed "$R"
run "undo index: apply, no index before" 0 $P --root "$R" --apply --index "$T/uidx.md"
has "undo index" "$T/uidx.md"
run "undo index: undo removes it" 0 $P --root "$R" --undo
expect_out "remove $T/uidx.md"
hasnt "undo index" "$T/uidx.md"
echo 'hand-written index' > "$T/uidx.md"; cp "$T/uidx.md" "$T/uidx.orig"
run "undo index: apply over an old one" 0 $P --root "$R" --apply --index "$T/uidx.md"
run "undo index: undo restores it" 0 $P --root "$R" --undo
expect_out "restore $T/uidx.md"
same "undo index: byte for byte" "$T/uidx.orig" "$T/uidx.md"
run "undo index: apply again" 0 $P --root "$R" --apply --index "$T/uidx.md"
echo 'edited' >> "$T/uidx.md"; cp "$T/uidx.md" "$T/uidx.edited"
run "undo index: edited since" 0 $P --root "$R" --undo
expect_err "$T/uidx.md: warning: the index was changed or removed since --apply wrote it; left as it is"
same "undo index: edited one kept" "$T/uidx.edited" "$T/uidx.md"

# Built-in conventions for more ecosystems (issue 14): C and Ruby test
# files move like Python ones; Rust integration tests and Go tests are
# classified where they are and never moved.
R=$T/eco; mkdir -p "$R/tests/common"
echo 'int main(void) { return 0; }' > "$R/tests/test_parser.c"
echo 'int main(void) { return 0; }' > "$R/tests/check_stream.c"
echo 'int main(void) { return 0; }' > "$R/tests/helper.c"
echo 'describe "cart" do; end' > "$R/tests/cart_spec.rb"
echo '#[test] fn t() {}' > "$R/tests/api.rs"
echo 'pub fn setup() {}' > "$R/tests/common/mod.rs"
echo 'package x' > "$R/tests/db_test.go"
run "ecosystems: plan" 0 $P --root "$R"
expect_out "move tests/test_parser.c -> tests/unit/test_parser.c"
expect_out "move tests/check_stream.c -> tests/unit/check_stream.c"
expect_out "move tests/cart_spec.rb -> tests/unit/cart_spec.rb"
expect_out "keep tests/api.rs (integration): classified, not moved"
expect_out "keep tests/common/mod.rs (integration): classified, not moved"
expect_out "keep tests/db_test.go (unit): classified, not moved"
expect_not_out "helper.c"
expect_not_out "mkdir tests/integration"
rm "$R/tests/test_parser.c" "$R/tests/check_stream.c" "$R/tests/cart_spec.rb"
run "ecosystems: check passes with kept files" 0 $P --root "$R" --check
expect_out "keep tests/api.rs (integration): classified, not moved"
expect_not_out "move tests"
# keep: in a rules file; a Go test named for a category gets it.
echo 'package x' > "$R/tests/api_security_test.go"
run "ecosystems: a Go test by name" 0 $P --root "$R"
expect_out "keep tests/api_security_test.go (security): classified, not moved"
printf 'categories:\n  - name: all\n    purpose: All\nkeep:\n  - (\ndefault: all\n' > "$T/mv.yml"
run "ecosystems: a bad keep pattern" 2 $P --root "$R" --rules "$T/mv.yml"
expect_err "$T/mv.yml:5:5: error: bad regex"

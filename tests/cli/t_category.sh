# tally-collect --rules: test records get their category from the organize
# rules; tally-render breaks the results down by category.
. "$(dirname "$0")/lib.sh"

C=$DATA/category
X2=$C/pytest-7.2-xunit2-categories.xml	# classnames only
X1=$C/pytest-7.2-xunit1-file-attr.xml	# file= attributes too
CTRF=$DATA/json/ctrf-spec-comprehensive.json
mkdir "$T/empty" "$T/proj"
PATH=$(cd "$TALLY_BIN" && pwd):$PATH	# the cases change directory

# The text report's "By category" row for $1: passed failed skipped flaky.
text_row() {
	got=$(awk -v c="$1" '/^=== By category/ { on = 1; next }
	    /^===/ { on = 0 } on && $NF == c { print $1, $2, $3, $4 }' "$OUT")
	[ "$got" = "$2" ] && ok "$CASE: by category $1: $2" ||
	    notok "$CASE: by category $1: '$got', wanted '$2'"
}

# Lines of stdout with both $1 and $2: $3 of them.
both() {
	n=$(grep -F -- "$1" "$OUT" | grep -cF -- "$2")
	[ "$n" -eq "$3" ] && ok "$CASE: $3 lines with '$1' and '$2'" ||
	    notok "$CASE: $n lines with '$1' and '$2', wanted $3"
}

# ---- the built-in rules ----
for f in "$X2" "$X1"; do
	k=$(basename "$f" .xml)
	run "defaults-$k" 0 sh -c 'cd "$1" && tally-collect --rules "$2"' sh "$T/empty" "$f"
	expect_no_err
	expect_lines '"type":"test"' 9
	expect_lines '"category":"unit"' 4
	expect_lines '"category":"integration"' 2
	expect_lines '"category":"security"' 2
	expect_lines '"category":"performance"' 1
	both '"classname":"tests.unit.test_parser.TestParser"' '"category":"unit"' 3
	both '"classname":"tests.test_benchmark_speed"' '"category":"performance"' 1
	both '"name":"test_unicode","status":"failed"' '"category":"unit"' 1
done
run no-rules-no-category 0 tally-collect "$X2"
expect_lines '"category"' 0

# ---- the report by category ----
run text 0 sh -c 'cd "$1" && tally-collect --rules "$2" |
    tally-render -f text --color=never' sh "$T/empty" "$X2"
expect_no_err
expect_out "=== By category"
text_row unit "3 1 0 0"
text_row integration "1 0 1 0"
text_row security "2 0 0 0"
text_row performance "1 0 0 0"
expect_out "75.0%  unit"
run markdown 0 sh -c 'cd "$1" && tally-collect --rules "$2" |
    tally-render -f markdown' sh "$T/empty" "$X1"
expect_no_err
expect_out "### Categories"
expect_out "| Category | Passed | Failed | Skipped | Flaky | Duration | Pass rate |"
expect_out "| unit | 3 | 1 | 0 | 0 | "
expect_out "| integration | 1 | 0 | 1 | 0 | "
expect_out "| security | 2 | 0 | 0 | 0 | "
expect_out "| performance | 1 | 0 | 0 | 0 | "
# Failing categories first.
first=$(grep -A4 '^### Categories' "$OUT" | tail -1)
case $first in "| unit |"*) ok "markdown: failing category first" ;;
*) notok "markdown: first row '$first'" ;; esac
# The category table goes after the slowest tests, and says so.
run markdown-budget 0 sh -c 'cd "$1" && tally-collect --rules "$2" |
    tally-render -f markdown --max-bytes 1000' sh "$T/empty" "$X2"
expect_not_out "### Categories"
expect_out "_Left out to fit the size limit: slowest tests, category breakdown._"
expect_out "### ❌ Failures (1)"
n=$(wc -c < "$OUT")
[ "$n" -le 1000 ] && ok "markdown-budget: $n bytes" || notok "markdown-budget: $n bytes > 1000"
run json 0 sh -c 'cd "$1" && tally-collect --rules "$2" | tally-render -f json' sh "$T/empty" "$X2"
expect_lines '"type": "integration"' 2
# JUnit has no category: it is the test's property "tally.category".
run junit 0 sh -c 'cd "$1" && tally-collect --rules "$2" | tally-render -f junit' sh "$T/empty" "$X2"
cp "$OUT" "$T/j.xml"
x() { xmllint --xpath "$1" "$T/j.xml"; }
[ "$(x 'count(//testcase/properties/property[@name="tally.category"])')" = 9 ] &&
    ok "junit: 9 category properties" || notok "junit: category properties" "$(head -c 600 "$T/j.xml")"
[ "$(x 'count(//testcase[@classname="tests.unit.test_parser.TestParser"]/properties/property[@name="tally.category"][@value="unit"])')" = 3 ] &&
    ok "junit: TestParser is unit" || notok "junit: TestParser is not unit"
run junit-with-properties 0 sh -c 'tally-collect "$1" | tally-render -f junit' sh "$CTRF"
cp "$OUT" "$T/j.xml"
[ "$(x 'count(//testcase[count(properties) = 1]/properties[property[last()][@name="tally.category"][@value="e2e"]])')" = 3 ] &&
    [ "$(x 'count(//testcase/properties/property)')" -gt 6 ] &&
    ok "junit-with-properties: one <properties>, category last" ||
    notok "junit-with-properties" "$(head -c 600 "$T/j.xml")"
run junit-no-category 0 sh -c 'tally-collect "$1" | tally-render -f junit' sh "$X2"
expect_not_out "tally.category"
expect_lines "<testcase " 9
expect_lines "<properties>" 0
run no-breakdown-without-categories 0 sh -c 'tally-collect "$1" | tally-render -f markdown' sh "$X2"
expect_not_out "### Categories"

# ---- a category from the input is kept ----
run ctrf-type-kept 0 sh -c 'cd "$1" && tally-collect --rules "$2"' sh "$T/empty" "$CTRF"
n=$(grep -c '"type":"test"' "$OUT")
[ "$n" -gt 0 ] && ok "ctrf-type-kept: $n tests" || notok "ctrf-type-kept: no tests"
expect_lines '"category":"e2e"' "$n"
expect_lines '"category":"unit"' 0
cat > "$T/proj/other.yml" <<'YML'
categories:
  - {name: api, purpose: API tests}
default: api
YML
run stream-category-kept 0 sh -c 'cd "$1" && tally-collect --rules "$2" |
    tally-collect --rules="$3"' sh "$T/empty" "$X2" "$T/proj/other.yml"
expect_lines '"category":"unit"' 4
expect_lines '"category":"api"' 0

# ---- --rules=FILE and .tally.yml ----
cat > "$T/proj/custom.yml" <<'YML'
version: 1
tests: tests
categories:
  - name: core
    purpose: Parser and API tests
  - name: guard
    purpose: Security checks
rules:
  - category: guard
    path: '^security/'
  - category: core
    name: '^test_(parser|api)\.py$'
YML
run custom-rules 0 tally-collect --rules="$T/proj/custom.yml" "$X2"
expect_no_err
expect_lines '"category":"core"' 6
expect_lines '"category":"guard"' 2
expect_lines '"category"' 8
expect_lines '"name":"test_parse_speed","status":"passed","duration":1,"suite":["pytest"],"classname":"tests.test_benchmark_speed","source"' 1
run custom-render 0 sh -c 'tally-collect --rules="$1" "$2" |
    tally-render -f markdown' sh "$T/proj/custom.yml" "$X2"
expect_out "| core | 4 | 1 | 1 | 0 | "
expect_out "| guard | 2 | 0 | 0 | 0 | "
expect_out "| _(none)_ | 1 | 0 | 0 | 0 | "
run custom-text 0 sh -c 'tally-collect --rules="$1" "$2" |
    tally-render -f text --color=never' sh "$T/proj/custom.yml" "$X2"
text_row core "4 1 1 0"
text_row "(none)" "1 0 0 0"
cp "$T/proj/custom.yml" "$T/proj/.tally.yml"
run tally-yml 0 sh -c 'cd "$1" && tally-collect --rules "$2"' sh "$T/proj" "$X2"
expect_no_err
expect_lines '"category":"guard"' 2
expect_lines '"category":"unit"' 0
run with-labels 0 sh -c 'cd "$1" && tally-collect -l python=3.11 --rules "$2"' sh "$T/proj" "$X2"
expect_lines '"category":"core"' 6
expect_lines '"labels":{"python":"3.11"}' 10

# ---- faults ----
cat > "$T/proj/bad.yml" <<'YML'
categories:
  - {name: unit, purpose: Unit tests}
rules:
  - {category: fast, name: 'x'}
YML
run bad-rules 2 tally-collect --rules="$T/proj/bad.yml" -o "$T/proj/out.jsonl" "$X2"
expect_err "tally-collect: $T/proj/bad.yml:4:16: error: unknown category 'fast'"
[ -s "$OUT" ] && notok "bad-rules: stdout not empty" || ok "bad-rules: stdout empty"
[ -e "$T/proj/out.jsonl" ] && notok "bad-rules: output written" ||
    ok "bad-rules: no output file"
cp "$T/proj/bad.yml" "$T/proj/.tally.yml"
run bad-tally-yml 2 sh -c 'cd "$1" && tally-collect --rules "$2"' sh "$T/proj" "$X2"
expect_err "tally-collect: .tally.yml:4:16: error: unknown category 'fast'"
rm "$T/proj/.tally.yml"
printf 'categories: [unclosed\n' > "$T/proj/syntax.yml"
run rules-syntax 2 tally-collect --rules="$T/proj/syntax.yml" "$X2"
expect_err "tally-collect: $T/proj/syntax.yml:2:"
[ -s "$OUT" ] && notok "rules-syntax: stdout not empty" || ok "rules-syntax: stdout empty"
run rules-missing 2 tally-collect --rules="$T/proj/none.yml" "$X2"
expect_err "tally-collect: $T/proj/none.yml: error: cannot read: No such file or directory"
run rules-dir 2 tally-collect --rules="$T/proj" "$X2"
expect_err "not a regular file"
# --rules FILE as a separate argument, like --rules=FILE (issue 14).
run rules-space-file 0 tally-collect --rules "$T/proj/custom.yml" "$X2"
cp "$OUT" "$T/space.jsonl"
run rules-equals-file 0 tally-collect --rules="$T/proj/custom.yml" "$X2"
same "rules-space-file: same records as --rules=FILE" "$T/space.jsonl" "$OUT"
grep -q '"category"' "$OUT" && ok "rules-space-file: categories given" || notok "rules-space-file: no category"
# A YAML operand elsewhere is still refused, not read as results.
run rules-yaml-operand 2 tally-collect --rules "$X2" "$T/proj/custom.yml"
expect_err "tally-collect: '$T/proj/custom.yml' is not a result file; a rules file is given as --rules $T/proj/custom.yml"
[ -s "$OUT" ] && notok "rules-yaml-operand: stdout not empty" || ok "rules-yaml-operand: stdout empty"
# A bare --rules finds .tally.yml in a directory above the current one.
mkdir -p "$T/proj/sub/deeper"; cp "$T/proj/custom.yml" "$T/proj/.tally.yml"
run rules-upwards 0 sh -c 'cd "$1" && tally-collect --rules "$2"' sh "$T/proj/sub/deeper" "$X2"
same "rules-upwards: the .tally.yml above" "$T/space.jsonl" "$OUT"
rm "$T/proj/.tally.yml"
run rules-empty-name 2 tally-collect --rules= "$X2"
expect_err "tally-collect: --rules= needs a file name"
cat > "$T/proj/slow.yml" <<'YML'
categories: [{name: u, purpose: p}]
rules:
  - {category: u, name: '^(a+)+$'}
YML
printf '<testsuite name="s"><testcase name="t" file="tests/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"/></testsuite>\n' > "$T/proj/evil.xml"
run regex-limit 2 tally-collect --rules="$T/proj/slow.yml" "$T/proj/evil.xml" "$X2"
expect_err "tally-collect: $T/proj/evil.xml: error: regex '^(a+)+\$' (rules line 3) failed on 'aaaa"
expect_err "': match limit exceeded"
expect_lines '"type":"error"' 1
expect_lines '"type":"test"' 9

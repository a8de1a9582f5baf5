# Each program's --help names the same options as its man page SYNOPSIS,
# lists every option with one line that the man page describes, and
# every man page passes mandoc -Tlint.  Usage errors start with the
# program's name, not getopt's argv[0].
. "$(dirname "$0")/lib.sh"

opts() {	# the option words in a text: -x and --long
	grep -oE '(^|[][ |,(])--?[a-zA-Z][-a-zA-Z0-9]*' | sed 's/^[][ |,(]*//' | sort -u
}

for bin in "$TALLY_BIN"/tally "$TALLY_BIN"/tally-*; do
	name=$(basename "$bin")
	page=$(ls "$ROOT"/man/"$name".[1-9] 2>/dev/null | head -1)
	if [ -z "$page" ]; then notok "$name: no man page"; continue; fi
	"$bin" --help > "$T/fullhelp" 2>&1 || { notok "$name: --help failed"; continue; }
	sed '/^$/q' "$T/fullhelp" > "$T/help"
	# The option lines: "  -x, --long=arg  what it does", one per option.
	sed -n '/^options:$/,/^[^ ]/p' "$T/fullhelp" | grep -E '^  +-' > "$T/lines"
	opts < "$T/lines" > "$T/listed"
	opts < "$T/help" > "$T/inusage"
	extra=$(comm -23 "$T/inusage" "$T/listed" | tr '\n' ' ')
	[ -s "$T/lines" ] && [ -z "$extra" ] &&
	    ok "$name: --help lists every option of its usage, one line each" ||
	    notok "$name: --help option lines" "not listed: $extra"
	bad=$(grep -vE '^  (-[a-zA-Z], |    )--[a-z][-a-z]*([=[][^ ]*)? +[^ ]' "$T/lines")
	[ -z "$bad" ] && ok "$name: option lines have one shape" ||
	    notok "$name: option lines of another shape" "$bad"
	MANWIDTH=200 mandoc -Tascii -O width=200 "$page" | col -b |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' > "$T/syn"
	opts < "$T/help" > "$T/h"
	opts < "$T/syn" > "$T/m"
	if cmp -s "$T/h" "$T/m"; then ok "$name: --help and SYNOPSIS name the same options"
	else notok "$name: --help and SYNOPSIS differ" "$(diff "$T/h" "$T/m" | tr '\n' ' ')"; fi
	# Every long option of the SYNOPSIS is described in DESCRIPTION.
	MANWIDTH=200 mandoc -Tascii -O width=200 "$page" | col -b |
	    sed -n '/^DESCRIPTION/,/^EXIT STATUS/p' > "$T/desc"
	missing=
	for o in $(grep -- '^--' "$T/m"); do
		grep -qF -- "$o" "$T/desc" || missing="$missing $o"
	done
	[ -z "$missing" ] && ok "$name: SYNOPSIS options described" ||
	    notok "$name: options not described:$missing"
	missing=
	for o in $(grep -- '^--' "$T/listed"); do
		grep -qF -- "$o" "$T/desc" || missing="$missing $o"
	done
	[ -z "$missing" ] && ok "$name: --help options described in the man page" ||
	    notok "$name: --help options not in the man page:$missing"
	"$bin" --version > "$T/v" 2>&1 && grep -q '[0-9]\.[0-9]' "$T/v" &&
	    ok "$name: --version" || notok "$name: --version"
	"$bin" --no-such-option > "$T/o" 2> "$T/e"
	st=$?
	[ "$st" -eq 2 ] && [ ! -s "$T/o" ] && grep -q usage "$T/e" &&
	    ok "$name: bad option exits 2 with usage on stderr" ||
	    notok "$name: bad option: exit $st"
	[ "$(head -1 "$T/e")" = "$name: unknown option '--no-such-option'" ] &&
	    ok "$name: unknown option said with the program name" ||
	    notok "$name: unknown option message" "$(head -1 "$T/e")"
	case $name in tally) continue ;; esac
	"$bin" --versoin > "$T/o" 2> "$T/e"
	[ "$(head -1 "$T/e")" = "$name: unknown option '--versoin' (did you mean '--version'?)" ] &&
	    ok "$name: a mistyped option suggests the nearest" ||
	    notok "$name: mistyped option" "$(head -1 "$T/e")"
	"$bin" -Z > "$T/o" 2> "$T/e"
	[ "$(head -1 "$T/e")" = "$name: unknown option '-Z'" ] &&
	    ok "$name: unknown short option said with the program name" ||
	    notok "$name: unknown short option" "$(head -1 "$T/e")"
	"$bin" --help=x > "$T/o" 2> "$T/e"
	[ "$(head -1 "$T/e")" = "$name: option '--help' takes no argument" ] &&
	    ok "$name: an argument to a flag is said" ||
	    notok "$name: argument to a flag" "$(head -1 "$T/e")"
done
for page in "$ROOT"/man/*.[1-9]; do
	if out=$(mandoc -Tlint -W warning "$page" 2>&1) && [ -z "$out" ]; then
		ok "$(basename "$page"): mandoc -Tlint clean"
	else notok "$(basename "$page"): mandoc -Tlint" "$out"; fi
	# man(1) renders with groff: no warning there either (a line it
	# cannot break, a table wider than the page).
	if out=$(groff -man -Tutf8 -ww "$page" 2>&1 >"$T/groff.txt") && [ -z "$out" ] &&
	    [ -s "$T/groff.txt" ]; then
		ok "$(basename "$page"): groff -man -Tutf8 -ww renders it without warnings"
	else notok "$(basename "$page"): groff -man warns" "$(printf '%s\n' "$out" | head -5)"; fi
	if out=$(mandoc -Tutf8 -W warning "$page" 2>&1 >"$T/mandoc.txt") && [ -z "$out" ] &&
	    [ -s "$T/mandoc.txt" ]; then
		ok "$(basename "$page"): mandoc -Tutf8 renders it without warnings"
	else notok "$(basename "$page"): mandoc -Tutf8 warns" "$out"; fi
done

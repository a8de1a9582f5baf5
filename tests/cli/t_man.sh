# Each program's --help names the same options as its man page SYNOPSIS,
# and every man page passes mandoc -Tlint.
. "$(dirname "$0")/lib.sh"

opts() {	# the option words in a text: -x and --long
	grep -oE '(^|[][ |,(])--?[a-zA-Z][-a-zA-Z0-9]*' | sed 's/^[][ |,(]*//' | sort -u
}

for bin in "$TALLY_BIN"/tally "$TALLY_BIN"/tally-*; do
	name=$(basename "$bin")
	page=$(ls "$ROOT"/man/"$name".[1-9] 2>/dev/null | head -1)
	if [ -z "$page" ]; then notok "$name: no man page"; continue; fi
	"$bin" --help > "$T/help" 2>&1 || { notok "$name: --help failed"; continue; }
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
	"$bin" --version > "$T/v" 2>&1 && grep -q '[0-9]\.[0-9]' "$T/v" &&
	    ok "$name: --version" || notok "$name: --version"
	"$bin" --no-such-option > "$T/o" 2> "$T/e"
	st=$?
	[ "$st" -eq 2 ] && [ ! -s "$T/o" ] && grep -q usage "$T/e" &&
	    ok "$name: bad option exits 2 with usage on stderr" ||
	    notok "$name: bad option: exit $st"
done
for page in "$ROOT"/man/*.[1-9]; do
	if out=$(mandoc -Tlint -W warning "$page" 2>&1) && [ -z "$out" ]; then
		ok "$(basename "$page"): mandoc -Tlint clean"
	else notok "$(basename "$page"): mandoc -Tlint" "$out"; fi
done

# The dispatcher, and make install / uninstall into a staging directory.
. "$(dirname "$0")/lib.sh"

printf '{"v":1,"type":"test","name":"a","status":"passed"}\n' > "$T/ok.jsonl"
run "tally collect runs tally-collect" 0 tally collect "$T/ok.jsonl"
expect_out '"name":"a"'
expect_no_err
run "tally passes the exit status through" 2 tally collect "$T/missing.xml"
expect_err "tally-collect: $T/missing.xml: error: No such file or directory"
run "unknown command" 2 tally frobnicate
expect_err "tally: 'frobnicate' is not a tally command"
run "no command" 2 tally
expect_err "usage: tally command"
run "mistyped command" 2 tally rendr -f text
expect_err "tally: 'rendr' is not a tally command (did you mean 'render'?)"
run "far from any command" 2 tally zzzzzz
expect_not_out "did you mean"
if grep -q "did you mean" "$ERR"; then notok "no suggestion for zzzzzz"; else ok "no suggestion for zzzzzz"; fi
run "--help" 0 tally --help
for c in collect diff help history merge organize render; do
	grep -qE "^  $c  +[a-z]" "$OUT" && ok "--help: a line for $c" || notok "--help: no line for $c"
done
expect_no_err

# tally help CMD: man -l on the in-tree page (a stand-in man says how it
# was called); without man, the command's --help.
mkdir -p "$T/fakeman"
printf '#!/bin/sh\necho "man $*"\n' > "$T/fakeman/man"
chmod +x "$T/fakeman/man"
run "help render opens the page" 0 env PATH="$T/fakeman:$PATH" tally help render
expect_out "man -l "
if [ "$(sed 's/^man -l //' "$OUT")" -ef "$ROOT/man/tally-render.1" ]; then ok "help render: the in-tree tally-render.1"
else notok "help render: page" "$(cat "$OUT")"; fi
run "help opens tally(1)" 0 env PATH="$T/fakeman:$PATH" tally help
if [ "$(sed 's/^man -l //' "$OUT")" -ef "$ROOT/man/tally.1" ]; then ok "help: the in-tree tally.1"
else notok "help: page" "$(cat "$OUT")"; fi
run "help without man prints --help" 0 env PATH="$T/nothing" "$TALLY_BIN/tally" help merge
expect_out "usage: tally-merge"
expect_out "--output=file"
expect_no_err
run "help of a mistyped command" 2 tally help colect
expect_err "tally: 'colect' is not a tally command (did you mean 'collect'?)"
if command -v man >/dev/null; then
	run "help with the real man" 0 env MANPAGER=cat PAGER=cat MANWIDTH=80 tally help diff
	expect_out "tally-diff"
fi

# Staged install honours PREFIX and DESTDIR; uninstall removes it all.
D=$T/stage
if make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr B="$(dirname "$TALLY_BIN")" >"$T/mk" 2>&1; then
	ok "make install"
	for f in /usr/bin/tally /usr/bin/tally-collect /usr/lib/libtally.a \
	    /usr/lib/libtally.so.0 /usr/include/tally/record.h \
	    /usr/share/man/man1/tally-collect.1 /usr/share/man/man5/tally-stream.5 \
	    /usr/lib/pkgconfig/tally.pc \
	    /usr/share/bash-completion/completions/tally \
	    /usr/share/bash-completion/completions/tally-render \
	    /usr/share/zsh/site-functions/_tally \
	    /usr/share/fish/vendor_completions.d/tally.fish \
	    /usr/share/fish/vendor_completions.d/tally-collect.fish; do
		[ -e "$D$f" ] && ok "installed $f" || notok "missing $f"
	done
	grep -q '^prefix=/usr$' "$D/usr/lib/pkgconfig/tally.pc" && ok "tally.pc prefix" ||
	    notok "tally.pc prefix" "$(cat "$D/usr/lib/pkgconfig/tally.pc")"
	"$D/usr/bin/tally" collect "$T/ok.jsonl" > "$T/o" 2>&1 && ok "installed tally dispatches to its own tools" ||
	    notok "installed dispatcher" "$(cat "$T/o")"
	make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/usr B="$(dirname "$TALLY_BIN")" >/dev/null 2>&1
	left=$(find "$D" ! -type d | head -3)
	[ -z "$left" ] && ok "make uninstall removes every file" || notok "left after uninstall" "$left"
else
	notok "make install" "$(cat "$T/mk")"
fi

# The tools that read only tally streams start without libxml2 and the
# ICU and C++ libraries it loads (lib/read/walk.h; the Makefile links
# with --as-needed).  collect, which needs it, shows the check sees it.
for t in merge render diff history; do
	LD_DEBUG=libs "$TALLY_BIN/tally-$t" --version > /dev/null 2> "$T/ld.$t"
	if grep -q 'libxml2' "$T/ld.$t"; then
		notok "tally-$t loads no libxml2" "$(grep libxml2 "$T/ld.$t" | head -1)"
	else ok "tally-$t loads no libxml2"; fi
done
LD_DEBUG=libs "$TALLY_BIN/tally-collect" --version > /dev/null 2> "$T/ld.collect"
if grep -q 'libxml2' "$T/ld.collect"; then ok "tally-collect loads libxml2"
else notok "tally-collect loads libxml2: LD_DEBUG shows no libraries" "$(head -3 "$T/ld.collect")"; fi

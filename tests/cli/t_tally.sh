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
run "--help" 0 tally --help
expect_out "commands: collect, diff, history, merge, organize, render"
expect_no_err

# Staged install honours PREFIX and DESTDIR; uninstall removes it all.
D=$T/stage
if make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr B="$(dirname "$TALLY_BIN")" >"$T/mk" 2>&1; then
	ok "make install"
	for f in /usr/bin/tally /usr/bin/tally-collect /usr/lib/libtally.a \
	    /usr/lib/libtally.so.0 /usr/include/tally/record.h \
	    /usr/share/man/man1/tally-collect.1 /usr/share/man/man5/tally-stream.5 \
	    /usr/lib/pkgconfig/tally.pc; do
		[ -e "$D$f" ] && ok "installed $f" || notok "missing $f"
	done
	grep -q '^prefix=/usr$' "$D/usr/lib/pkgconfig/tally.pc" && ok "tally.pc prefix" ||
	    notok "tally.pc prefix" "$(cat "$D/usr/lib/pkgconfig/tally.pc")"
	"$D/usr/bin/tally" collect "$T/ok.jsonl" > "$T/o" 2>&1 && ok "installed tally dispatches to its own tools" ||
	    notok "installed dispatcher" "$(cat "$T/o")"
	make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/usr B="$(dirname "$TALLY_BIN")" >/dev/null 2>&1
	left=$(find "$D" -type f | head -3)
	[ -z "$left" ] && ok "make uninstall removes every file" || notok "left after uninstall" "$left"
else
	notok "make install" "$(cat "$T/mk")"
fi

# Shell completions (completions/): each loads in its shell (bash, zsh,
# fish) and offers exactly the options each program's --help lists, the
# formats and gates, and tally's commands.
. "$(dirname "$0")/lib.sh"
C=$ROOT/completions
TOOLS="tally tally-collect tally-diff tally-history tally-merge tally-organize tally-render"

bash -n "$C/tally.bash" && ok "bash -n tally.bash" || notok "bash -n tally.bash"
zsh -n "$C/_tally" && ok "zsh -n _tally" || notok "zsh -n _tally"
fish -n "$C/tally.fish" && ok "fish -n tally.fish" || notok "fish -n tally.fish"

# What --help lists, read here on its own: the option words before the
# description on each "  -x, --long=arg  what" line.
help_opts() {
	"$1" --help | sed -n '/^options:$/,$p' | grep -E '^  +-' |
	    sed -E 's/^ +//; s/  +[^ ].*//' | tr ',' '\n' |
	    sed -E 's/^ +//; s/[=[].*//' | grep . | sort -u
}
words() { tr ' \t' '\n\n' | grep . | sort -u; }
agree() {	# agree NAME WANTFILE GOTFILE
	if cmp -s "$2" "$3"; then ok "$1"
	else notok "$1" "$(diff "$2" "$3" | tr '\n' ' ')"; fi
}

# bash: the completion function on a made-up command line.
bashc() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    _tally_complete; printf "%s\n" "${COMPREPLY[@]}"' sh "$C/tally.bash" "$@"
}
# zsh: the completion function with compadd and _files standing in.
# Under make asan, LeakSanitizer's exit-time check of a tool run by zsh's
# command substitution was seen to hang for good on a loaded machine (its
# ptrace tracer child waiting, the tool spinning): this file tests
# completions, not leaks, so leak checking is off for what zsh runs.
zshc() {
	cur=$1; shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 zsh -fc 'compadd() { while (( $# )); do [[ $1 == -- ]] && { shift; break }; shift; done
	    print -l -- "$@" }
	    compset() { }; _files() { }
	    words=("${@:2}"); CURRENT=$#words; PREFIX=$1
	    . "$0"' "$C/_tally" "$cur" "$@"
}
# fish: its own completion of a command line.
fishc() {
	fish -c 'source $argv[1]; complete -C $argv[2]' "$C/tally.fish" "$1" | cut -f1
}

for t in $TOOLS; do
	help_opts "$t" > "$T/want"
	[ -s "$T/want" ] || notok "$t: --help lists no option"
	bashc "$t" - | words > "$T/got"
	agree "bash: $t - offers the options of --help" "$T/want" "$T/got"
	zshc - "$t" - | words > "$T/got"
	agree "zsh: $t - offers the options of --help" "$T/want" "$T/got"
	fishc "$t -" | words > "$T/got"
	agree "fish: $t - offers the options of --help" "$T/want" "$T/got"
done
# Through the dispatcher: tally render - is tally-render's options.
help_opts tally-render > "$T/want"
bashc tally render - | words > "$T/got"
agree "bash: tally render - offers tally-render's options" "$T/want" "$T/got"
fishc "tally render -" | words > "$T/got"
agree "fish: tally render - offers tally-render's options" "$T/want" "$T/got"
zshc - tally render - | words > "$T/got"
agree "zsh: tally render - offers tally-render's options" "$T/want" "$T/got"

# Formats, gates and commands.
tally-render --help | sed -n 's/^formats: //p' | tr -d , | words > "$T/want"
bashc tally-render -f '' | words > "$T/got"
agree "bash: -f offers render's formats" "$T/want" "$T/got"
fishc "tally render --format " | words > "$T/got"
agree "fish: --format offers render's formats" "$T/want" "$T/got"
zshc '' tally-render -f '' | words > "$T/got"
agree "zsh: -f offers render's formats" "$T/want" "$T/got"
tally-collect --help | sed -n 's/^formats: //p' | tr -d , | words > "$T/want"
bashc tally collect -f '' | words > "$T/got"
agree "bash: collect -f offers collect's formats" "$T/want" "$T/got"
bashc tally-render --fail-on failed,fl | words > "$T/got"
[ "$(cat "$T/got")" = "failed,flaky" ] && ok "bash: --fail-on completes the last gate of a list" ||
    notok "bash: --fail-on list" "$(cat "$T/got")"
fishc "tally-render --fail-on failed,fl" | words > "$T/got"
[ "$(cat "$T/got")" = "failed,flaky" ] && ok "fish: --fail-on completes the last gate of a list" ||
    notok "fish: --fail-on list" "$(cat "$T/got")"
printf '%s\n' collect diff help history merge organize render | sort > "$T/want"
bashc tally "" | words > "$T/got"
agree "bash: tally offers its commands" "$T/want" "$T/got"
fishc "tally " | words > "$T/got"
agree "fish: tally offers its commands" "$T/want" "$T/got"
zshc "" tally "" | words > "$T/got"
agree "zsh: tally offers its commands" "$T/want" "$T/got"
[ "$(bashc tally help ren)" = render ] && ok "bash: tally help completes a command" ||
    notok "bash: tally help ren"

# zsh's compinit finds _tally for every program.
zsh -fc 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$3"
    for c in ${=2}; do print -- "$c ${_comps[$c]}"; done' sh "$C" "$TOOLS" "$T/zcompdump" > "$T/got"
n=$(grep -c ' _tally$' "$T/got")
[ "$n" -eq 7 ] && ok "zsh: compinit binds _tally to all 7 programs" ||
    notok "zsh: compinit" "$(cat "$T/got")"
# bash binds the function to every program.
bash -c '. "$1"; for c in $2; do complete -p "$c"; done' sh "$C/tally.bash" "$TOOLS" > "$T/got" 2>&1
n=$(grep -c -- '-F _tally_complete' "$T/got")
[ "$n" -eq 7 ] && ok "bash: complete binds all 7 programs" || notok "bash: complete" "$(cat "$T/got")"

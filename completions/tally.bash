# bash completion for tally and its programs (tally-collect, tally-render,
# ...).  Options, formats, gates and commands are read from the programs'
# own --help when completing, so they cannot drift from it.

# The options of a program: the "-x, --long=arg  what" lines of --help.
_tally_options()
{
	"$1" --help 2>/dev/null | awk '
	    /^options:$/ { on = 1; next }
	    on && /^  +-/ {
		for (i = 1; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w !~ /^-/) break
			sub(/[=[].*/, "", w); print w
		}
	    }'
}

# The words of a "label: a, b, c" line of --help (formats, gates).
_tally_list()
{
	"$1" --help 2>/dev/null | sed -n "s/^$2: //p" | tr -d ','
}

# tally's commands: the "commands:" lines of tally --help.
_tally_commands()
{
	"$1" --help 2>/dev/null | awk '/^commands:$/ { on = 1; next }
	    /^$/ { on = 0 } on { print $1 }'
}

_tally_complete()
{
	local cur prev prog tally words=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}
	prog=${COMP_WORDS[0]}
	COMPREPLY=()
	if [[ ${prog##*/} == tally ]]; then
		tally=$prog
		if ((COMP_CWORD == 1)) && [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_tally_options "$tally")" -- "$cur"))
			return
		elif ((COMP_CWORD == 1)); then
			COMPREPLY=($(compgen -W "$(_tally_commands "$tally")" -- "$cur"))
			return
		fi
		if [[ ${COMP_WORDS[1]} == help ]]; then
			((COMP_CWORD == 2)) &&
			    COMPREPLY=($(compgen -W "$(_tally_commands "$tally")" -- "$cur"))
			return
		fi
		# The programs sit beside tally, or on PATH.
		prog=tally-${COMP_WORDS[1]}
		[[ $tally == */* && -x ${tally%/*}/$prog ]] && prog=${tally%/*}/$prog
	fi
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi
	case $prev in
	-f|--format)
		COMPREPLY=($(compgen -W "$(_tally_list "$prog" formats)" -- "$cur"))
		return ;;
	--fail-on)
		# A comma-separated list: complete its last word.
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		COMPREPLY=($(compgen -P "$head" -W "$(_tally_list "$prog" gates)" -- "${cur##*,}"))
		return ;;
	--color)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
		return ;;
	-T|--temporary-directory|--root|--split-assets)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	-o|--output|--rules|--index|--exclude|--include)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_tally_options "$prog")" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -F _tally_complete tally tally-collect tally-diff \
    tally-history tally-merge tally-organize tally-render

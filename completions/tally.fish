# fish completion for tally and its programs.  Options, formats, gates and
# commands are read from the programs' own --help when completing, so
# they cannot drift from it.

# The program that the command line runs: tally-X for "tally X ...".
function __tally_prog
    set -l tokens (commandline -opc)
    set -l prog $tokens[1]
    if test (string replace -r '.*/' '' -- $prog) = tally; and test (count $tokens) -ge 2
        set -l dir (string replace -r '/[^/]*$' '' -- $prog)
        if string match -q '*/*' -- $prog; and test -x $dir/tally-$tokens[2]
            echo $dir/tally-$tokens[2]
        else
            echo tally-$tokens[2]
        end
    else
        echo $prog
    end
end

function __tally_options
    $argv[1] --help 2>/dev/null | awk '
        /^options:$/ { on = 1; next }
        on && /^  +-/ {
            for (i = 1; i <= NF; i++) {
                w = $i; sub(/,$/, "", w)
                if (w !~ /^-/) break
                sub(/[=[].*/, "", w); print w
            }
        }'
end

function __tally_list
    $argv[1] --help 2>/dev/null | sed -n "s/^$argv[2]: //p" | string split ', '
end

function __tally_commands
    $argv[1] --help 2>/dev/null | awk '/^commands:$/ { on = 1; next }
        /^$/ { on = 0 } on { print $1 }'
end

function __tally_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l prog (__tally_prog)
    if test (string replace -r '.*/' '' -- $tokens[1]) = tally
        if test (count $tokens) -eq 1
            if string match -q -- '-*' $cur
                __tally_options $tokens[1]
            else
                __tally_commands $tokens[1]
            end
            return
        end
        if test "$tokens[2]" = help
            test (count $tokens) -eq 2; and __tally_commands $tokens[1]
            return
        end
    end
    switch "$tokens[-1]"
        case -f --format
            __tally_list $prog formats
            return
        case --fail-on
            set -l head (string match -r '.*,' -- $cur)
            for g in (__tally_list $prog gates)
                echo $head$g
            end
            return
        case --color
            printf '%s\n' auto always never
            return
    end
    if string match -q -- '-*' $cur
        __tally_options $prog
        return
    end
    __fish_complete_path $cur
end

for c in tally tally-collect tally-diff tally-history tally-merge tally-organize tally-render
    complete -c $c -e
    complete -c $c -f -a '(__tally_complete)'
end

# rvenv shell integration for fish. Load it from ~/.config/fish/config.fish with:
#     rvenv hook fish | source
# Everything it defines starts with __rvenv_ (plus `rvenv`, and `deactivate`
# while a venv is on). Loading it twice is harmless.
#
# State, in global variables (never exported):
#   __rvenv_venv     the venv this hook activated
#   __rvenv_root     the project the last decision holds for ('' = none up to /)
#   __rvenv_off      the project whose venv the user deactivated
#   __rvenv_pin      the venv activated with `rvenv activate PATH`
#   __rvenv_told     the venv rvenv last said it will not activate (said once)
#   __rvenv_dir      $PWD at the last decision ('' = decide at the next prompt)
#   __rvenv_present  the markers that existed in __rvenv_dir then (and the
#                    venv's pyvenv.cfg), as absolute paths, after `/`
#   __rvenv_absent   the markers that did not, after ''
#   __rvenv_markers  what may make a directory a project (rvenv sends the list)
# The hook starts rvenv only when one of these cheap tests says the answer may
# have changed; a prompt where nothing changed runs only fish builtins.

# This hook's id, handed to rvenv last: an rvenv installed since this shell
# loaded its hook answers with its own.
set -g __rvenv_id '@RVENV_HOOK_ID@'
set -g __rvenv_gitidx ''
set -g __rvenv_gitok ''
set -g __rvenv_vfile ''
set -g __rvenv_vstamp ''
for __rvenv_var in __rvenv_venv __rvenv_root __rvenv_rootglob __rvenv_off __rvenv_pin __rvenv_told __rvenv_path_entry __rvenv_name __rvenv_had_pythonhome __rvenv_old_pythonhome __rvenv_busy __rvenv_conda
    set -q $__rvenv_var[1]
    or set -g $__rvenv_var ''
end
set -e __rvenv_var
# Loaded (again): rvenv sends the markers at the first prompt.
set -g __rvenv_markers
set -g __rvenv_mkey ''
set -g __rvenv_dir ''
# $CONDA_PREFIX at the last decision; the venv activated by hand the hook
# last looked at.
set -g __rvenv_conda_seen ''
set -g __rvenv_theirs ''
set -g __rvenv_theirs_fn ''
set -q __rvenv_path_then
or set -g __rvenv_path_then
set -g __rvenv_present /
# What the fast path compares (see __rvenv_hook), fields apart by \x1e.
set -g __rvenv_sep \x1e
set -g __rvenv_prompt_tag 'rvenv: the venv name, then your prompt'
set -g __rvenv_key ''
set -g __rvenv_absent ''
set -g __rvenv_asking ''

# True when directory $a is $b or below it.
function __rvenv_within --argument-names a b
    test "$b" = / -o "$a" = "$b"
    and return 0
    # Fast: one glob, when $b holds none of glob's special characters.
    if not string match -qr -- '[*?\\\\]' "$b"
        string match -q -- "$b/*" "$a"
        return
    end
    set -l n (string length -- "$b/")
    # string collect keeps a name holding newlines in one piece.
    set -l head (string sub --length $n -- "$a" | string collect)
    test "$head" = "$b/"
end

# The project the decision holds for, and a glob that matches "$d/" for
# every directory $d in it, so that __rvenv_moved tests a cd with one
# builtin ('' when there is no project, or its name holds glob's special
# characters: __rvenv_within then).
function __rvenv_set_root
    set -g __rvenv_root $argv[1]
    set -g __rvenv_rootglob ''
    if test "$argv[1]" = /
        set -g __rvenv_rootglob '/*'
    else if test -n "$argv[1]"; and not string match -qr -- '[*?\\\\]' "$argv[1]"
        set -g __rvenv_rootglob "$argv[1]/*"
    end
end

# Records which markers exist in directory $dir, for __rvenv_unchanged.
# `/` and '' keep each list from being empty, which would make `path` read
# stdin.
function __rvenv_mark --argument-names dir
    set -g __rvenv_present / (path filter -- "$dir/"$__rvenv_markers)
    set -g __rvenv_absent '' (path filter -v -- "$dir/"$__rvenv_markers)
    test -n "$__rvenv_venv"
    and set -a __rvenv_present "$__rvenv_venv/pyvenv.cfg"
    __rvenv_settled
    return 0
end

# True when every marker __rvenv_mark found is still there, and none of the
# others has come: two builtins, no command substitution (which costs fish
# more than the tests). Only ever asked in $__rvenv_dir, the directory the
# lists were made for: those of $PWD's markers hold their names alone,
# relative to the shell's working directory, which the kernel finds in one
# step where it walks every component of "$PWD/name" (half the cost of
# the test).
function __rvenv_unchanged
    not path filter -q -- $__rvenv_absent
    and not path filter -vq -- $__rvenv_present
end

# Asks rvenv, and evaluates its answer (calls to the functions below).
# __rvenv_asking says, until rvenv has answered, where it was asked: if
# Ctrl-C stops rvenv, the next prompt finds it set (see __rvenv_check).
function __rvenv_run
    set -g __rvenv_asking "$PWD"
    command rvenv __hook fish "$PWD" "$__rvenv_venv" "$__rvenv_off" "$__rvenv_pin" "$__rvenv_told" "$__rvenv_mkey" "$__rvenv_id" | builtin source
    set -g __rvenv_asking ''
    if test "$__rvenv_dir" != "$PWD"
        # rvenv failed (it said why): do not ask again until something changes.
        set -g __rvenv_dir "$PWD"
        __rvenv_mark "$PWD"
    end
    return 0
end

function __rvenv_check
    # The fast path, for most prompts: nothing pending, no venv activated by
    # hand, ours still there, the same directory as last time; only its
    # markers can have changed (nor git's index under the venv, see below).
    # Inline, and as few commands as can say it: each costs fish ~10 us.
    # (The venv's pyvenv.cfg is among __rvenv_present; an empty
    # $__rvenv_gitidx is never newer, an empty $__rvenv_vstamp is no stamp.)
    # The venv's bin/ must still be first on PATH (unless a conda
    # environment was activated since it went on: the user's switch).
    if __rvenv_fast
        return 0
    end
    if test -n "$__rvenv_busy"
        # An answer was cut short (Ctrl-C): undo it, ask again.
        set -g __rvenv_busy ''
        __rvenv_deactivate
        set -g __rvenv_dir ''
    else if test -n "$__rvenv_asking"
        # Ctrl-C stopped rvenv before it answered: it may never answer there
        # (a hung file system), so asking again at once would take the
        # prompt away again. Leave things as they are, as if rvenv had
        # decided for that directory alone: the hook asks again once the
        # user leaves it or a marker there changes.
        __rvenv_set_root "$__rvenv_asking"
        set -g __rvenv_dir "$__rvenv_asking"
        set -g __rvenv_asking ''
        __rvenv_mark "$__rvenv_dir"
    end
    # A venv activated by hand (or inherited) belongs to the user, even ours
    # when the user sourced its activate.fish (which sets _OLD_VIRTUAL_PATH,
    # as virtualenv's and uv's do; the hook never does).
    # A venv a parent shell's hook activated (it exported __RVENV_VENV) is
    # not the user's: rvenv checks it and this hook adopts it.
    if set -q VIRTUAL_ENV[1]; and test -n "$VIRTUAL_ENV"; and begin
            test "$VIRTUAL_ENV" != "$__rvenv_venv"; or set -q _OLD_VIRTUAL_PATH
        end; and not test -z "$__rvenv_venv" -a "$VIRTUAL_ENV" = "$__RVENV_VENV"
        test -n "$__rvenv_venv"
        and __rvenv_yield
        if test "$VIRTUAL_ENV" != "$__rvenv_theirs"
            set -g __rvenv_theirs "$VIRTUAL_ENV"
            __rvenv_define_deactivate_theirs
        end
        return 0
    end
    if test -n "$__rvenv_theirs"
        # That venv went off by other means than the deactivate we gave
        # for it: so does that deactivate.
        test -n "$__rvenv_theirs_fn"
        and functions -e deactivate
        set -g __rvenv_theirs ''
        set -g __rvenv_theirs_fn ''
    end
    if test -n "$__rvenv_venv"; and not set -q VIRTUAL_ENV[1]
        # VIRTUAL_ENV was unset behind our back: finish the job.
        __rvenv_deactivate
        set -g __rvenv_dir ''
    end
    if test -n "$__rvenv_path_entry" -a "$CONDA_PREFIX" = "$__rvenv_conda" -a "$PATH[1]" != "$__rvenv_path_entry"
        and __rvenv_reordered
        # A config file read again, a login profile or pyenv's init put
        # entries that were on PATH already before the venv's bin/ (or took
        # it off): it goes first again, every other entry kept in order. A
        # `conda activate` since the venv went on is the user's switch, and
        # wins; so does a new directory the user put in front.
        __rvenv_path_front "$__rvenv_path_entry"
    end
    # A `git pull` may have brought files into the active venv: rvenv looks
    # again once git rewrote the index it last found clean; a venv made again
    # (rvenv's stamp for it no longer newer than its pyvenv.cfg, or gone)
    # is judged anew. A conda environment activated or deactivated: decide afresh.
    if test -z "$__rvenv_dir" -o "$CONDA_PREFIX" != "$__rvenv_conda_seen"; or begin
            test -n "$__rvenv_venv"; and not test -e "$__rvenv_venv/pyvenv.cfg"
        end; or begin
            test -n "$__rvenv_gitidx"; and test "$__rvenv_gitidx" -nt "$__rvenv_gitok"
        end; or begin
            test -n "$__rvenv_vstamp"; and not test "$__rvenv_vstamp" -nt "$__rvenv_vfile"
        end
        __rvenv_run
        return 0
    end
    if test "$PWD" = "$__rvenv_dir"
        if __rvenv_unchanged
            __rvenv_settled
        else
            __rvenv_run
        end
        return 0
    end
    __rvenv_moved
end

# The shell is in another directory than at the last decision, with nothing
# else changed (the hook's fast test, or __rvenv_check's slow one, said so).
function __rvenv_moved
    if test -n "$__rvenv_rootglob"
        if not string match -q -- "$__rvenv_rootglob" "$PWD/"
            __rvenv_run
            return 0
        end
    else if test -n "$__rvenv_root"; and not __rvenv_within "$PWD" "$__rvenv_root"
        __rvenv_run
        return 0
    end
    # Still inside the same project (or still in none): only the directories
    # between $PWD and the part already known can hold a new project.
    # Walk up from $PWD to the first directory the last decision covered
    # ($__rvenv_dir or one of its parents), testing each new one for
    # markers (with no markers `path` would read stdin: none to test).
    set -l none_here ''
    if not set -q __rvenv_markers[1]
        __rvenv_within "$__rvenv_dir" "$PWD"
        or set none_here 1
    else if not string match -qr -- '[*?\\\\]' "$PWD"
        # Each level $p is a directory with a `/` after it (`/` for the
        # root), so that one glob says "$__rvenv_dir is $p or below it" and
        # one named capture into $p itself gives the parent (no command
        # substitution, which costs fish more than the rest of a level;
        # `(?s)`: a name may hold a newline): three builtins a level. The
        # glob needs $PWD, and so each $p, free of glob's special characters.
        set -l p "$PWD/"
        test "$PWD" = /
        and set p /
        if not string match -q -- "$p*" "$__rvenv_dir/"
            # $PWD itself first: its markers by their names alone (see
            # __rvenv_unchanged).
            if path filter -q -- $__rvenv_markers
                __rvenv_run
                return 0
            end
            set none_here 1
            string match -rq -- '(?s)^(?<p>.*/)[^/]*/$' "$p"
            while not string match -q -- "$p*" "$__rvenv_dir/"
                if path filter -q -- "$p"$__rvenv_markers
                    __rvenv_run
                    return 0
                end
                string match -rq -- '(?s)^(?<p>.*/)[^/]*/$' "$p"
            end
        end
    else
        set -l d "$PWD"
        set -l up ''
        while not __rvenv_within "$__rvenv_dir" "$d"
            if path filter -q -- "$d/"$__rvenv_markers
                __rvenv_run
                return 0
            end
            test "$d" = "$PWD"
            and set none_here 1
            # $d is absolute: "/x"'s parent comes out empty.
            string match -rq -- '(?s)^(?<up>.*)/[^/]*$' "$d"
            test -n "$up"
            or set up /
            set d $up
        end
    end
    set -g __rvenv_dir "$PWD"
    if test -n "$none_here"
        # No marker here, as just seen: what __rvenv_mark would find, without
        # its two command substitutions.
        set -g __rvenv_present /
        set -g __rvenv_absent '' $__rvenv_markers
        test -n "$__rvenv_venv"
        and set -a __rvenv_present "$__rvenv_venv/pyvenv.cfg"
        # __rvenv_settled, inline (a function call less at each cd).
        set -g __rvenv_key "$VIRTUAL_ENV$__rvenv_sep$CONDA_PREFIX$__rvenv_sep$PATH[1]"
    else
        __rvenv_mark "$PWD"
    end
end

# Before each prompt, and on cd (so `cd proj; and python` uses proj's
# venv). fish keeps $status across event handlers by itself. Only in an
# interactive shell: a script that loads config.fish and changes directory
# must not have its environment changed.
#
# The prompt's fast path, for most prompts: nothing pending, no venv
# activated by hand, the same directory as at the last decision, and
# VIRTUAL_ENV, CONDA_PREFIX and PATH's first entry as they were then
# (__rvenv_settled); only the markers can have changed (and git's index
# under the venv, and the venv's pyvenv.cfg). The venv's pyvenv.cfg is among
# __rvenv_present; an empty $__rvenv_gitidx is never newer, an empty
# $__rvenv_vstamp is no stamp. Inline and in as few commands as can say
# it: each costs fish about 10 us, a function call more, and an `if` block
# with a `return` in it more than the `and`/`or` chain (17 us a prompt). A
# cd has a handler of its own, so that neither pays for the other's test.
if status is-interactive
    function __rvenv_hook --on-event fish_prompt
        test -z "$__rvenv_busy$__rvenv_asking$_OLD_VIRTUAL_PATH" -a "$PWD" = "$__rvenv_dir" -a "$VIRTUAL_ENV$__rvenv_sep$CONDA_PREFIX$__rvenv_sep$PATH[1]" = "$__rvenv_key" -a ! "$__rvenv_gitidx" -nt "$__rvenv_gitok" -a \( -z "$__rvenv_vstamp" -o "$__rvenv_vstamp" -nt "$__rvenv_vfile" \)
        and not path filter -q -- $__rvenv_absent
        and not path filter -vq -- $__rvenv_present
        or __rvenv_check
    end
    # Moved, all else as it was (the venv still there): straight to the
    # walk up, past __rvenv_check's tests for what has not changed.
    function __rvenv_hook_cd --on-variable PWD
        if test -z "$__rvenv_busy$__rvenv_asking$_OLD_VIRTUAL_PATH" -a -n "$__rvenv_dir" -a "$PWD" != "$__rvenv_dir" -a "$VIRTUAL_ENV$__rvenv_sep$CONDA_PREFIX$__rvenv_sep$PATH[1]" = "$__rvenv_key" -a ! "$__rvenv_gitidx" -nt "$__rvenv_gitok" -a \( -z "$__rvenv_vstamp" -o "$__rvenv_vstamp" -nt "$__rvenv_vfile" \)
            and test -z "$__rvenv_venv" -o -e "$__rvenv_venv/pyvenv.cfg"
            __rvenv_moved
        else
            __rvenv_check
        end
    end
end

# The same test, for __rvenv_check called by itself.
function __rvenv_fast
    test -z "$__rvenv_busy$__rvenv_asking$_OLD_VIRTUAL_PATH" -a -n "$__rvenv_dir" -a "$PWD" = "$__rvenv_dir" -a "$VIRTUAL_ENV$__rvenv_sep$CONDA_PREFIX$__rvenv_sep$PATH[1]" = "$__rvenv_key" -a ! "$__rvenv_gitidx" -nt "$__rvenv_gitok" -a \( -z "$__rvenv_vstamp" -o "$__rvenv_vstamp" -nt "$__rvenv_vfile" \)
    and not path filter -q -- $__rvenv_absent
    and not path filter -vq -- $__rvenv_present
end

# What the fast path compares, as it is now that a decision holds.
function __rvenv_settled
    set -g __rvenv_key "$VIRTUAL_ENV$__rvenv_sep$CONDA_PREFIX$__rvenv_sep$PATH[1]"
end

# rvenv's answers start with this and end with __rvenv_state or __rvenv_pin.
# If Ctrl-C stops one in between, the next prompt finds __rvenv_busy set,
# undoes what was half done and asks again: never a half-applied venv.
function __rvenv_begin
    set -g __rvenv_busy 1
    set -g __rvenv_asking ''
end

# rvenv's answer: the project it decided for, the project kept off, the venv
# it warned about.
# Which markers exist in $PWD comes just before it, as rvenv found them
# (__rvenv_present, __rvenv_absent): what __rvenv_mark would find, without
# its two command substitutions.
function __rvenv_state
    __rvenv_set_root $argv[1]
    set -g __rvenv_off $argv[2]
    set -g __rvenv_told $argv[3]
    set -g __rvenv_conda_seen "$CONDA_PREFIX"
    set -g __rvenv_dir "$PWD"
    set -g __rvenv_busy ''
    test -n "$__rvenv_venv"
    and set -a __rvenv_present "$__rvenv_venv/pyvenv.cfg"
    __rvenv_settled
    return 0
end

# The markers (names below $PWD) that exist, and those that do not, for
# __rvenv_unchanged; `/` and '' keep each list from being empty. Relative
# names (see __rvenv_unchanged).
function __rvenv_present
    set -g __rvenv_present / $argv
end

function __rvenv_absent
    set -g __rvenv_absent '' $argv
end

# rvenv's markers (after their key), sent when the key the hook handed
# back is not theirs.
function __rvenv_set_markers
    set -g __rvenv_mkey $argv[1]
    set -g __rvenv_markers $argv[2..-1]
end

# What to watch while the venv is on: the git index, and the stamp rvenv
# wrote after it last found the index clean ('' '' = nothing); the venv's
# pyvenv.cfg, and the stamp rvenv wrote when it last judged the venv:
# unless the stamp is still newer, the venv was made again since (perhaps
# within one command) and rvenv judges it anew ('' '' = only its existence
# is tested). A stamp gone (swept after a day) makes rvenv look again too.
function __rvenv_watch
    set -g __rvenv_gitidx $argv[1]
    set -g __rvenv_gitok $argv[2]
    set -g __rvenv_vfile $argv[3]
    set -g __rvenv_vstamp $argv[4]
end

function __rvenv_pin
    set -g __rvenv_pin $argv[1]
    set -g __rvenv_off ''
    set -g __rvenv_busy ''
end

function __rvenv_status
    return $argv[1]
end

# True when fish_prompt is the wrapper __rvenv_prompt defines (or a copy of
# it: an activate.fish saves and restores it with `functions -c`, which
# keeps its description). Its description is checked first, a quarter of
# the cost of printing the function; its body (a wrapper some other version
# of this hook defined) only when that says no: wrapping our own wrapper
# would make it call itself.
function __rvenv_prompt_is_ours
    functions -Dv fish_prompt 2>/dev/null | string match -q -- $__rvenv_prompt_tag
    or functions fish_prompt 2>/dev/null | string match -q '*__rvenv_orig_fish_prompt*'
end

# The operations rvenv sends (src/render.rs, Op). Each records what it does
# before doing it: if Ctrl-C cuts an answer short, the next prompt undoes
# whatever was done (see __rvenv_begin).

# The venv $argv[1] on (rvenv's Activate): VIRTUAL_ENV_PROMPT $argv[2],
# prompt prefix $argv[3] (printable already). Each step is recorded in the
# hook's state before it is made, so that an activation cut short is undone
# exactly. Its steps inline: each function call costs fish more than the
# step in it.
function __rvenv_activate
    set -g __rvenv_venv $argv[1]
    set -g __rvenv_conda "$CONDA_PREFIX"
    set -gx __RVENV_VENV $argv[1]
    if set -q PYTHONHOME
        set -g __rvenv_old_pythonhome $PYTHONHOME
        set -g __rvenv_had_pythonhome 1
        # For a child shell that adopts the venv, to give back there too.
        set -gx __RVENV_PYTHONHOME $PYTHONHOME
        set -e PYTHONHOME
    else
        set -g __rvenv_had_pythonhome ''
        set -e __RVENV_PYTHONHOME
    end
    set -gx VIRTUAL_ENV $argv[1]
    set -gx VIRTUAL_ENV_PROMPT $argv[2]
    set -g __rvenv_path_entry $argv[1]/bin
    set -gx PATH $__rvenv_path_entry $PATH
    set -g __rvenv_path_then $PATH
    __rvenv_prompt $argv[3]
    __rvenv_define_deactivate
end

# The venv the hook has on from here ('' = none).
# Exported as __RVENV_VENV, for a child shell to adopt (rvenv checks it
# against VIRTUAL_ENV, PATH and the disk first).
function __rvenv_own
    set -g __rvenv_venv $argv[1]
    set -g __rvenv_conda "$CONDA_PREFIX"
    if test -n "$argv[1]"
        set -gx __RVENV_VENV $argv[1]
    else
        set -e __RVENV_VENV
    end
    return 0
end

# Sets and exports variable $argv[1] to $argv[2].
function __rvenv_set
    set -gx $argv[1] $argv[2]
end

# True when every entry in front of the hook's (every entry, when it is
# gone) was on PATH when the venv went on.
function __rvenv_reordered
    set -l front $PATH
    set -l i (contains -i -- "$__rvenv_path_entry" $PATH)
    and set front $PATH[1..(math $i - 1)]
    for entry in $front
        contains -- $entry $__rvenv_path_then
        or return 1
    end
    return 0
end

# Moves $argv[1] to the front of PATH (adds it when it is not there), as
# the hook's entry: a venv adopted from a parent shell, or put back first.
function __rvenv_path_front
    set -g __rvenv_path_entry $argv[1]
    if set -l i (contains -i -- "$argv[1]" $PATH)
        set -e PATH[$i]
    end
    set -gx PATH $argv[1] $PATH
    set -g __rvenv_path_then $PATH
end

# $argv[1] (the venv's name, printable already) as the prompt's prefix.
function __rvenv_prompt
    set -g __rvenv_name ''
    if not set -q VIRTUAL_ENV_DISABLE_PROMPT[1]; or test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
        set -g __rvenv_name $argv[1]
        # Wrap the prompt unless it is our wrapper already (a venv activated
        # by hand may have saved and restored it).
        if not __rvenv_prompt_is_ours
            functions -e __rvenv_orig_fish_prompt
            functions -q fish_prompt
            and functions -c fish_prompt __rvenv_orig_fish_prompt
            # fish prints the prompt function's output as it is: no expansion.
            function fish_prompt --description $__rvenv_prompt_tag
                set -l s $status
                if test -n "$__rvenv_name"
                    printf '(%s) ' $__rvenv_name
                end
                if functions -q __rvenv_orig_fish_prompt
                    # The user's prompt sees the status the command left.
                    __rvenv_status $s
                    __rvenv_orig_fish_prompt
                end
            end
        end
    end
end

function __rvenv_define_deactivate
    function deactivate --description 'Deactivate the venv rvenv activated'
        __rvenv_deactivate_cmd $argv
    end
end

# A venv activated by hand took over from ours. Its activate script did not
# call our deactivate (it defines its own first): our PATH entry and prompt
# are still there, and our entry is in the _OLD_VIRTUAL_PATH it restores on
# deactivate. Take ours out of both, hand it the PYTHONHOME we saved, and
# leave its VIRTUAL_ENV, deactivate and fish_prompt alone (its saved prompt
# may be our wrapper, which now prints nothing of ours).
function __rvenv_yield
    if test -n "$__rvenv_path_entry"; and set -l i (contains -i -- "$__rvenv_path_entry" $PATH)
        set -e PATH[$i]
    end
    if test -n "$__rvenv_path_entry"; and set -q _OLD_VIRTUAL_PATH[1]; and set -l i (contains -i -- "$__rvenv_path_entry" $_OLD_VIRTUAL_PATH)
        set -e _OLD_VIRTUAL_PATH[$i]
    end
    if test -n "$__rvenv_had_pythonhome"; and not set -q _OLD_VIRTUAL_PYTHONHOME[1]
        set -gx _OLD_VIRTUAL_PYTHONHOME $__rvenv_old_pythonhome
    end
    if functions deactivate 2>/dev/null | string match -q '*__rvenv_deactivate_cmd*'
        functions -e deactivate
    end
    set -g __rvenv_name ''
    set -g __rvenv_had_pythonhome ''
    set -g __rvenv_old_pythonhome ''
    set -e __RVENV_PYTHONHOME
    set -g __rvenv_venv ''
    set -e __RVENV_VENV
    set -g __rvenv_path_entry ''
    # Decide afresh once that venv is gone.
    set -g __rvenv_dir ''
    return 0
end

# Takes $argv[1] off PATH exactly, leaving every other entry; only while
# the hook has an entry there (an activation cut short before its PATH step
# has none, and "" would match an empty entry of the user's; before `rvenv
# activate`, the hook's own deactivate, called as the user's, may have taken
# it off already).
# Where the hook put it, first, is tested first: a command substitution
# costs fish about as much as all the rest of a crossing's PATH work.
function __rvenv_path_remove
    if test -n "$argv[1]" -a -n "$__rvenv_path_entry"
        if test "$PATH[1]" = "$argv[1]"
            set -e PATH[1]
        else if set -l i (contains -i -- "$argv[1]" $PATH)
            set -e PATH[$i]
        end
    end
    set -g __rvenv_path_entry ''
end

# PYTHONHOME as __rvenv_activate found it.
function __rvenv_restore_pythonhome
    if test -n "$__rvenv_had_pythonhome"
        set -gx PYTHONHOME $__rvenv_old_pythonhome
    end
    set -g __rvenv_had_pythonhome ''
    set -g __rvenv_old_pythonhome ''
    set -e __RVENV_PYTHONHOME
end

# The PYTHONHOME a parent shell's hook set aside for the venv this hook
# adopted (rvenv's AdoptPythonHome): given back when it goes off here.
function __rvenv_adopt_pythonhome
    set -g __rvenv_old_pythonhome $argv[1]
    set -g __rvenv_had_pythonhome 1
end

function __rvenv_unset
    set -e $argv[1]
end

# Undoes the hook's activation exactly, leaving every other change the user
# made (rvenv's Deactivate, the user's deactivate, an answer cut short,
# VIRTUAL_ENV unset behind our back): its PATH entry off, PYTHONHOME back,
# the prompt's name off, the variables and deactivate gone, and the venv's
# record last, so that when Ctrl-C cuts it short the next prompt finishes
# it. The prompt wrapper stays: with no name it prints the user's prompt
# alone, and the next activation need not wrap it again (a function copied
# and defined at every crossing cost more than the rest of it).
function __rvenv_deactivate
    set -g __rvenv_gitidx ''
    set -g __rvenv_vstamp ''
    set -g __rvenv_vfile ''
    test -n "$__rvenv_venv"
    or return 0
    __rvenv_path_remove "$__rvenv_path_entry"
    __rvenv_restore_pythonhome
    set -g __rvenv_name ''
    set -e VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    functions -e deactivate
    __rvenv_own ''
    return 0
end

# A venv activated by hand in a parent shell (an activate script, `poetry
# shell`, `uv run`, an IDE's terminal): its activate script's deactivate
# did not come along. The user gets one that undoes exactly that venv.
function __rvenv_define_deactivate_theirs
    functions -q deactivate
    and return 0
    function deactivate --description 'Deactivate the venv inherited from the parent shell'
        __rvenv_deactivate_inherited
    end
    set -g __rvenv_theirs_fn 1
end

# That venv's bin/ off PATH (exactly that entry), its variables unset.
function __rvenv_deactivate_inherited
    if test -n "$VIRTUAL_ENV"; and set -l i (contains -i -- "$VIRTUAL_ENV/bin" $PATH)
        set -e PATH[$i]
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    functions -e deactivate
    set -g __rvenv_theirs ''
    set -g __rvenv_theirs_fn ''
    set -g __rvenv_dir ''
    return 0
end

# `deactivate` typed by the user: stays off until they leave the project.
function __rvenv_deactivate_cmd
    __rvenv_deactivate
    if test "$argv[1]" = nondestructive
        # CPython's and virtualenv's activate scripts call this before taking
        # over; once their venv is gone, decide afresh.
        set -g __rvenv_dir ''
    else
        set -g __rvenv_off $__rvenv_root
        # Exported, so that a shell started from here keeps it off too.
        test -n "$__rvenv_off"
        and set -gx __RVENV_OFF $__rvenv_off
    end
    set -g __rvenv_pin ''
    set -e __RVENV_PIN
    # `set` passes the last status on (here the `test` above's).
    return 0
end

# Before `rvenv activate`: a venv on that is not the hook's goes off
# through its own deactivate (rvenv then sends the hook's undo itself).
function __rvenv_deactivate_theirs
    if set -q VIRTUAL_ENV[1]; and test "$VIRTUAL_ENV" != "$__rvenv_venv"; and functions -q deactivate
        deactivate
    end
    return 0
end

function rvenv --description 'Python virtual environments that follow you around'
    switch "$argv[1]"
        case activate
            __RVENV_SHELL=fish __RVENV_HOOK_VENV=$__rvenv_venv command rvenv $argv | builtin source
            return $pipestatus[1]
        case deactivate
            if set -q VIRTUAL_ENV[1]; and functions -q deactivate
                deactivate
            else
                printf '%s\n' 'rvenv: no venv is active' >&2
                return 1
            end
        case create allow
            command rvenv $argv
            or return
            # The venv may now be there, or be trusted: decide at once.
            set -g __rvenv_dir ''
            __rvenv_check
        case deny
            __RVENV_HOOK_VENV=$__rvenv_venv command rvenv $argv
            or return
            # Its one line said it all (deactivated too): decide at once, quietly.
            set -g __rvenv_dir ''
            __RVENV_DENIED=1 __rvenv_check
        case '*'
            # Tells `rvenv status` which venv this hook activated.
            __RVENV_HOOK_VENV=$__rvenv_venv command rvenv $argv
    end
end

# Loaded again (config.fish sourced anew) while the hook's venv is on: a
# config that defines fish_prompt replaced the wrapper that marks the venv;
# the new prompt is wrapped.
if test -n "$__rvenv_venv" -a -n "$__rvenv_name"
    __rvenv_prompt $__rvenv_name
end

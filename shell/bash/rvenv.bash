# rvenv shell integration for bash. Load it from ~/.bashrc with:
#     eval "$(rvenv hook bash)"
# Everything it defines starts with __rvenv_ (plus `rvenv`, and `deactivate`
# while a venv is on). Loading it twice is harmless.
#
# State, in shell variables (never exported):
#   __rvenv_answer   the file rvenv writes its answers into (set by `rvenv hook
#                    bash` above this text; '' = none, they are captured)
#   __rvenv_venv     the venv this hook activated
#   __rvenv_root     the project the last decision holds for ('' = none up to /)
#   __rvenv_off      the project whose venv the user deactivated
#   __rvenv_pin      the venv activated with `rvenv activate PATH`
#   __rvenv_told     the venv rvenv last said it will not activate (said once)
#   __rvenv_dir      $PWD at the last decision ('' = decide at the next prompt)
#   __rvenv_conda    $CONDA_PREFIX when the venv went on: while it is the
#                    same, the venv's bin/ is kept first on PATH
#   __rvenv_conda_seen  $CONDA_PREFIX at the last decision
#   __rvenv_path_then   PATH when the venv's bin/ went on
#   __rvenv_theirs   the venv activated by hand this hook last looked at
# Exported, for a child shell to adopt the venv (rvenv checks it against
# VIRTUAL_ENV, PATH and the disk first): __RVENV_VENV, the hook's venv.
#   __rvenv_sig      which markers existed in __rvenv_dir then
#   __rvenv_markers  what may make a directory a project (rvenv sends the list)
#   __rvenv_mkey     the key of that list, handed back to rvenv, which sends
#                    the list again only when it changed
#   __rvenv_id       this hook's id, handed to rvenv last: an rvenv installed
#                    since this shell loaded its hook answers with its own
# The hook starts rvenv only when one of these cheap tests says the answer may
# have changed; a prompt where nothing changed runs only shell builtins.

__rvenv_answer=${__rvenv_answer-}
__rvenv_id='@RVENV_HOOK_ID@'
__rvenv_venv=${__rvenv_venv-}
__rvenv_root=${__rvenv_root-}
__rvenv_off=${__rvenv_off-}
__rvenv_pin=${__rvenv_pin-}
__rvenv_told=${__rvenv_told-}
__rvenv_gitidx=
__rvenv_gitok=
__rvenv_vfile=
__rvenv_vstamp=
__rvenv_dir=
__rvenv_sig=
__rvenv_s=
__rvenv_path_entry=${__rvenv_path_entry-}
__rvenv_ps1_prefix=${__rvenv_ps1_prefix-}
__rvenv_ps1_name=${__rvenv_ps1_name-}
__rvenv_had_pythonhome=${__rvenv_had_pythonhome-}
__rvenv_old_pythonhome=${__rvenv_old_pythonhome-}
__rvenv_busy=${__rvenv_busy-}
__rvenv_conda=${__rvenv_conda-}
__rvenv_path_then=${__rvenv_path_then-}
__rvenv_conda_seen=
__rvenv_theirs=
__rvenv_theirs_fn=
__rvenv_asking=
# Kept: a hook reloaded from within the prompt hook (an upgraded rvenv
# answering an older hook) gives the user's $? back all the same.
__rvenv_st=${__rvenv_st:-0}
__rvenv_ps=()
__rvenv_n=1
# Loaded (again): rvenv sends the markers at the first prompt, which builds
# __rvenv_sig_of from them.
__rvenv_mkey=
__rvenv_markers=()
__rvenv_none=

# True when directory $1 is $2 or below it.
__rvenv_within() {
    [[ $2 == / || $1 == "$2" || $1 == "$2"/* ]]
}

# Sets __rvenv_s to one 0/1 per marker, for directory $1. Until rvenv sends
# the markers there are none; __rvenv_set_markers redefines it. $PWD's are
# asked as `.`: the kernel finds "./name" in two steps where it walks every
# component of "$PWD/name", half the cost of the test. (A signature is only
# compared in the directory it was taken in.)
__rvenv_sig_of() {
    __rvenv_s=
}

# True when some marker exists in directory $1 (rebuilt the same way).
__rvenv_any_in() {
    return 1
}

# rvenv's markers (after their key): __rvenv_sig_of becomes one test per
# marker, unrolled (half the cost of a loop over the array, at every prompt).
__rvenv_set_markers() {
    __rvenv_mkey=$1
    \builtin shift
    __rvenv_markers=("$@")
    __rvenv_none=
    \builtin local body='' any='' m
    for m in "$@"; do
        \builtin printf -v m %q "$m"
        body+="if [[ -e \$1/$m ]]; then __rvenv_s+=1; else __rvenv_s+=0; fi;"
        any+=" || -e \$1/$m"
        __rvenv_none+=0
    done
    \builtin eval "__rvenv_sig_of() { __rvenv_s=; $body }"
    if [[ -n $any ]]; then
        \builtin eval "__rvenv_any_in() { [[ ${any# || } ]]; }"
    else
        \builtin eval "__rvenv_any_in() { return 1; }"
    fi
}

# Asks rvenv, and evaluates its answer (calls to the functions below).
# __rvenv_asking says, until rvenv has answered, where it was asked: if
# Ctrl-C stops rvenv, the next prompt finds it set (see __rvenv_check).
# rvenv writes its answer into $__rvenv_answer, this shell's file, when its
# directory is still one of this user's (not a symlink) that they can write,
# which nobody else can write into (rvenv made it so, mode 0700, in memory): sourcing it costs bash less
# than $(...) (a pipe read, the text copied). `>|`: noclobber may be on. An
# answer is read only when rvenv succeeded: one stopped by Ctrl-C may have
# written part of one.
__rvenv_run() {
    __rvenv_asking=$PWD
    \builtin local dir="${__rvenv_answer%/*}"
    if [[ -n $__rvenv_answer && -d $dir && -O $dir && ! -L $dir && -w $dir ]]; then
        \command rvenv __hook bash "$PWD" "$__rvenv_venv" "$__rvenv_off" "$__rvenv_pin" "$__rvenv_told" "$__rvenv_mkey" "$__rvenv_id" >|"$__rvenv_answer" &&
            \builtin . "$__rvenv_answer"
    else
        \builtin eval "$(\command rvenv __hook bash "$PWD" "$__rvenv_venv" "$__rvenv_off" "$__rvenv_pin" "$__rvenv_told" "$__rvenv_mkey" "$__rvenv_id")"
    fi
    __rvenv_asking=
    if [[ $__rvenv_dir != "$PWD" ]]; then
        # rvenv failed (it said why): do not ask again until something changes.
        __rvenv_dir=$PWD
        __rvenv_sig_of .
        __rvenv_sig=$__rvenv_s
    fi
    return 0
}

__rvenv_check() {
    # The fast path, for most prompts and cds: nothing pending, no venv
    # activated by hand, ours still there and first on PATH, conda as it
    # was; then only the directory (and its markers) can have changed (nor
    # git's index under the venv, see below).
    if [[ -z $__rvenv_busy$__rvenv_asking$__rvenv_theirs && -n $__rvenv_dir &&
        ${VIRTUAL_ENV-} == "$__rvenv_venv" && -z ${_OLD_VIRTUAL_PATH+x} &&
        ${CONDA_PREFIX-} == "$__rvenv_conda_seen" &&
        (-z $__rvenv_venv || -e $__rvenv_venv/pyvenv.cfg) &&
        (-z $__rvenv_path_entry || $PATH == "$__rvenv_path_entry":* ||
            $PATH == "$__rvenv_path_entry" || ${CONDA_PREFIX-} != "$__rvenv_conda") &&
        (-z $__rvenv_gitidx || ! $__rvenv_gitidx -nt $__rvenv_gitok) &&
        (-z $__rvenv_vstamp || $__rvenv_vstamp -nt $__rvenv_vfile) ]]; then
        if [[ $PWD == "$__rvenv_dir" ]]; then
            __rvenv_sig_of .
            if [[ $__rvenv_s != "$__rvenv_sig" ]]; then __rvenv_run; fi
        else
            __rvenv_moved
        fi
        return 0
    fi
    if [[ -n $__rvenv_busy ]]; then
        # An answer was cut short (Ctrl-C): undo it, ask again.
        __rvenv_busy=
        __rvenv_deactivate
        __rvenv_dir=
    elif [[ -n $__rvenv_asking ]]; then
        # Ctrl-C stopped rvenv before it answered: it may never answer there
        # (a hung file system), so asking again at once would take the
        # prompt away again. Leave things as they are, as if rvenv had
        # decided for that directory alone: the hook asks again once the
        # user leaves it or a marker there changes.
        __rvenv_root=$__rvenv_asking
        __rvenv_dir=$__rvenv_asking
        __rvenv_asking=
        __rvenv_sig_of "$__rvenv_dir"
        __rvenv_sig=$__rvenv_s
    fi
    # A venv activated by hand (or inherited) belongs to the user, even ours
    # when the user sourced its activate script (which sets _OLD_VIRTUAL_PATH,
    # as virtualenv's and uv's do; the hook never does).
    # A venv a parent shell's hook activated (it exported __RVENV_VENV) is
    # not the user's: rvenv checks it and this hook adopts it.
    if [[ -n ${VIRTUAL_ENV-} && ($VIRTUAL_ENV != "$__rvenv_venv" || -n ${_OLD_VIRTUAL_PATH+x}) &&
        ! (-z $__rvenv_venv && $VIRTUAL_ENV == "${__RVENV_VENV-}") ]]; then
        if [[ -n $__rvenv_venv ]]; then __rvenv_yield; fi
        if [[ $VIRTUAL_ENV != "$__rvenv_theirs" ]]; then
            __rvenv_theirs=$VIRTUAL_ENV
            __rvenv_define_deactivate_theirs
        fi
        return 0
    fi
    if [[ -n $__rvenv_theirs ]]; then
        # That venv went off by other means than the deactivate we gave
        # for it: so does that deactivate.
        if [[ -n $__rvenv_theirs_fn ]]; then \builtin unset -f deactivate; fi
        __rvenv_theirs=
        __rvenv_theirs_fn=
    fi
    if [[ -n $__rvenv_venv && -z ${VIRTUAL_ENV-} ]]; then
        # VIRTUAL_ENV was unset behind our back: finish the job.
        __rvenv_deactivate
        __rvenv_dir=
    fi
    if [[ -n $__rvenv_path_entry && ${CONDA_PREFIX-} == "$__rvenv_conda" &&
        $PATH != "$__rvenv_path_entry":* && $PATH != "$__rvenv_path_entry" ]] &&
        __rvenv_reordered; then
        # An rc file read again, a login profile or pyenv's, nvm's or
        # cargo's init put entries that were on PATH already before the
        # venv's bin/ (or took it off): it goes first again, every other
        # entry kept in order. A `conda activate` since the venv went on is
        # the user's switch, and wins; so does a new directory the user put
        # in front.
        __rvenv_path_front "$__rvenv_path_entry"
    fi
    # A `git pull` may have brought files into the active venv: rvenv looks
    # again once git rewrote the index it last found clean; a venv made again
    # (a new pyvenv.cfg) is judged anew. A conda environment activated or
    # deactivated: decide afresh.
    if [[ ${CONDA_PREFIX-} != "$__rvenv_conda_seen" || -z $__rvenv_dir || (-n $__rvenv_venv && ! -e $__rvenv_venv/pyvenv.cfg) ||
        (-n $__rvenv_gitidx && $__rvenv_gitidx -nt $__rvenv_gitok) ||
        (-n $__rvenv_vstamp && ! $__rvenv_vstamp -nt $__rvenv_vfile) ]]; then
        __rvenv_run
        return 0
    fi
    if [[ $PWD == "$__rvenv_dir" ]]; then
        __rvenv_sig_of .
        if [[ $__rvenv_s != "$__rvenv_sig" ]]; then __rvenv_run; fi
        return 0
    fi
    __rvenv_moved
}

# The shell is in another directory than at the last decision.
__rvenv_moved() {
    if [[ -n $__rvenv_root ]] && ! __rvenv_within "$PWD" "$__rvenv_root"; then
        __rvenv_run
        return 0
    fi
    # Still inside the same project (or still in none): only the directories
    # between $PWD and the part already known can hold a new project.
    # Quoted: `builtin local` is not a declaration to bash, so an unquoted
    # value would be split and globbed.
    \builtin local d="$PWD" none_here=''
    while ! __rvenv_within "$__rvenv_dir" "$d"; do
        if __rvenv_any_in "$d"; then
            __rvenv_run
            return 0
        fi
        if [[ $d == "$PWD" ]]; then none_here=1; fi
        d=${d%/*}
        d=${d:-/}
    done
    __rvenv_dir=$PWD
    if [[ -n $none_here ]]; then
        # No marker here, as just seen.
        __rvenv_sig=$__rvenv_none
    else
        __rvenv_sig_of .
        __rvenv_sig=$__rvenv_s
    fi
    return 0
}

# The prompt hook. It keeps $? and PIPESTATUS for whatever runs after it.
# Its PROMPT_COMMAND entry is `__rvenv_hook` alone, which bash parses at
# every prompt in no time; a function call leaves PIPESTATUS holding one
# status, so when a tool appends itself to that entry
# (`PROMPT_COMMAND+=';tool'`) the entry becomes __rvenv_entry, which ends by
# redoing the statuses saved here: a pipeline's (false | true shows `1 0`)
# can only be made again by a pipeline in the entry itself, which costs a
# process per status, so that is done only after a pipeline, and only when
# a command follows the hook in its entry (bash gives each array element of
# PROMPT_COMMAND the statuses afresh).
__rvenv_hook() {
    __rvenv_st=$? __rvenv_ps=("${PIPESTATUS[@]}")
    __rvenv_n=1
    if [[ ${PROMPT_COMMAND-} != __rvenv_hook ]]; then __rvenv_shared; fi
    __rvenv_check
    \builtin return "$__rvenv_st"
}

# The hook's entry holds more than `__rvenv_hook`.
__rvenv_shared() {
    if [[ $PROMPT_COMMAND == "__rvenv_hook;"* && $PROMPT_COMMAND != "$__rvenv_entry"* ]]; then
        # Appended to since the last prompt: from the next one on, the
        # entry gives the statuses back (this prompt follows no command of
        # the user's that the tool could have been loaded before).
        PROMPT_COMMAND=$__rvenv_entry${PROMPT_COMMAND#__rvenv_hook}
    fi
    if [[ ${#__rvenv_ps[@]} -gt 1 && $PROMPT_COMMAND != "$__rvenv_entry" ]]; then
        __rvenv_n=${#__rvenv_ps[@]}
    fi
}

# Returns status $1 of the user's pipeline, or without $1 the user's $?.
__rvenv_x() {
    if [[ -n ${1-} ]]; then
        \builtin return "${__rvenv_ps[$1]}"
    fi
    \builtin return "$__rvenv_st"
}

# Pipelines of up to 8 commands get their statuses back; a longer one, its $?.
# shellcheck disable=SC2016
__rvenv_entry='__rvenv_hook;case $__rvenv_n in 2)__rvenv_x 0|__rvenv_x 1;;3)__rvenv_x 0|__rvenv_x 1|__rvenv_x 2;;4)__rvenv_x 0|__rvenv_x 1|__rvenv_x 2|__rvenv_x 3;;5)__rvenv_x 0|__rvenv_x 1|__rvenv_x 2|__rvenv_x 3|__rvenv_x 4;;6)__rvenv_x 0|__rvenv_x 1|__rvenv_x 2|__rvenv_x 3|__rvenv_x 4|__rvenv_x 5;;7)__rvenv_x 0|__rvenv_x 1|__rvenv_x 2|__rvenv_x 3|__rvenv_x 4|__rvenv_x 5|__rvenv_x 6;;8)__rvenv_x 0|__rvenv_x 1|__rvenv_x 2|__rvenv_x 3|__rvenv_x 4|__rvenv_x 5|__rvenv_x 6|__rvenv_x 7;;*)__rvenv_x;;esac'

# rvenv's answers start with this and end with __rvenv_state or __rvenv_pin.
# If Ctrl-C stops one in between, the next prompt finds __rvenv_busy set,
# undoes what was half done (each step of an activation is recorded
# before it is made, and __rvenv_deactivate only undoes what is there) and
# asks again: never a half-applied venv.
__rvenv_begin() {
    __rvenv_busy=1
    __rvenv_asking=
}

# rvenv's answer: the project it decided for, the project kept off, the venv
# it warned about, and which markers exist here (rvenv looked: cheaper
# than __rvenv_sig_of).
__rvenv_state() {
    __rvenv_root=$1
    __rvenv_off=$2
    __rvenv_told=$3
    __rvenv_sig=$4
    __rvenv_conda_seen=${CONDA_PREFIX-}
    __rvenv_dir=$PWD
    __rvenv_busy=
}

# What to watch while the venv is on: the git index, and the stamp rvenv
# wrote after it last found the index clean ('' '' = nothing); the venv's
# pyvenv.cfg, and the stamp rvenv wrote when it last judged the venv: unless
# the stamp is still newer, the venv was made again since (perhaps within
# one command) and rvenv judges it anew ('' '' = only its existence is
# tested). A stamp gone (swept after a day) makes rvenv look again too.
__rvenv_watch() {
    __rvenv_gitidx=$1
    __rvenv_gitok=$2
    __rvenv_vfile=$3
    __rvenv_vstamp=$4
}

__rvenv_pin() {
    __rvenv_pin=$1
    __rvenv_off=
    __rvenv_busy=
}

# The operations rvenv sends (src/render.rs, Op). Each records what it does
# before doing it: if Ctrl-C cuts an answer short, the next prompt undoes
# whatever was done (see __rvenv_begin).

# The venv $1 on (rvenv's Activate): VIRTUAL_ENV_PROMPT $2, prompt prefix
# $3 (printable already). Each step is recorded in the hook's state before
# it is made, so that an activation cut short is undone exactly. Its steps
# inline: a function call per step cost a crossing about a tenth of
# starting /bin/true.
__rvenv_activate() {
    __rvenv_venv=$1
    __rvenv_conda=${CONDA_PREFIX-}
    \builtin export __RVENV_VENV="$1"
    if [[ -n ${PYTHONHOME+x} ]]; then
        __rvenv_old_pythonhome=$PYTHONHOME
        __rvenv_had_pythonhome=1
        # For a child shell that adopts the venv, to give back there too.
        \builtin export __RVENV_PYTHONHOME="$PYTHONHOME"
        \builtin unset PYTHONHOME
    else
        __rvenv_had_pythonhome=
        \builtin unset __RVENV_PYTHONHOME
    fi
    # shellcheck disable=SC2034  # exported (shellcheck does not see `\builtin export`)
    \builtin export VIRTUAL_ENV="$1" VIRTUAL_ENV_PROMPT="$2"
    __rvenv_path_entry=$1/bin
    \builtin export PATH="$__rvenv_path_entry${PATH:+:$PATH}"
    __rvenv_path_then=$PATH
    \builtin hash -r
    __rvenv_prompt "$3"
    __rvenv_define_deactivate
}

# The venv the hook has on from here ('' = none).
__rvenv_own() {
    __rvenv_venv=$1
    __rvenv_conda=${CONDA_PREFIX-}
    if [[ -n $1 ]]; then
        \builtin export __RVENV_VENV="$1"
    else
        \builtin unset __RVENV_VENV
    fi
}

# Sets and exports variable $1 to $2.
__rvenv_set() {
    \builtin export "$1=$2"
}

# True when every entry in front of the hook's (every entry, when it is
# gone) was on PATH when the venv went on.
__rvenv_reordered() {
    \builtin local front=":${PATH-}:" entry
    if [[ $front == *":$__rvenv_path_entry:"* ]]; then
        front=${front%%":$__rvenv_path_entry:"*}
    fi
    front=${front#:}
    while [[ -n $front ]]; do
        entry=${front%%:*}
        [[ ":$__rvenv_path_then:" == *":$entry:"* ]] || return 1
        [[ $front == *:* ]] || break
        front=${front#*:}
    done
    return 0
}

# Moves $1 to the front of PATH (adds it when it is not there), as the
# hook's entry: a venv adopted from a parent shell, or put back first.
__rvenv_path_front() {
    __rvenv_path_entry=$1
    if __rvenv_path_without "${PATH-}" "$1"; then
        \builtin export PATH="$1${__rvenv_s:+:$__rvenv_s}"
    else
        \builtin export PATH="$1${PATH:+:$PATH}"
    fi
    __rvenv_path_then=$PATH
    \builtin hash -r
}

# $1 (the venv's name, printable already) as the prompt's prefix.
__rvenv_prompt() {
    __rvenv_ps1_prefix=
    if [[ -z ${VIRTUAL_ENV_DISABLE_PROMPT-} && -n ${PS1+x} ]]; then
        if \builtin shopt -q promptvars; then
            # PS1 gets the variable, not its value: bash expands it when
            # drawing the prompt and never re-scans the result.
            __rvenv_ps1_name="($1) "
            # shellcheck disable=SC2016
            __rvenv_ps1_prefix='${__rvenv_ps1_name}'
        else
            __rvenv_ps1_prefix="(${1//\\/\\\\}) "
        fi
        PS1=$__rvenv_ps1_prefix$PS1
    fi
}

__rvenv_define_deactivate() {
    # shellcheck disable=SC2120,SC2317  # called by the user and by activate scripts
    function deactivate {
        __rvenv_deactivate_cmd "$@"
    }
}

# Sets __rvenv_s to the PATH-style list $1 without its first entry $2
# (matched literally, colons in it included); fails, changing nothing, when
# it is not there (or $2 is empty: the hook put no entry there, an
# activation cut short before its PATH step).
__rvenv_path_without() {
    [[ -n $2 ]] || return 1
    __rvenv_s=":$1:"
    [[ $__rvenv_s == *":$2:"* ]] || return 1
    __rvenv_s=${__rvenv_s/":$2:"/:}
    __rvenv_s=${__rvenv_s#:}
    __rvenv_s=${__rvenv_s%:}
}

# A venv activated by hand took over from ours. Its activate script did not
# call our deactivate (it defines its own first): our PATH entry and prompt
# prefix are still there, and in what it saved to restore on deactivate
# (_OLD_VIRTUAL_PATH, _OLD_VIRTUAL_PS1). Take ours out of both, hand it the
# PYTHONHOME we saved, and leave its VIRTUAL_ENV and deactivate alone.
__rvenv_yield() {
    if __rvenv_path_without "${PATH-}" "$__rvenv_path_entry"; then
        \builtin export PATH="$__rvenv_s"
    fi
    if [[ -n ${_OLD_VIRTUAL_PATH-} ]] && __rvenv_path_without "$_OLD_VIRTUAL_PATH" "$__rvenv_path_entry"; then
        _OLD_VIRTUAL_PATH=$__rvenv_s
    fi
    if [[ -n $__rvenv_ps1_prefix ]]; then
        if [[ ${PS1-} == *"$__rvenv_ps1_prefix"* ]]; then
            PS1=${PS1/"$__rvenv_ps1_prefix"/}
        fi
        if [[ ${_OLD_VIRTUAL_PS1-} == "$__rvenv_ps1_prefix"* ]]; then
            _OLD_VIRTUAL_PS1=${_OLD_VIRTUAL_PS1#"$__rvenv_ps1_prefix"}
        fi
    fi
    if [[ -n $__rvenv_had_pythonhome && -z ${_OLD_VIRTUAL_PYTHONHOME-} ]]; then
        _OLD_VIRTUAL_PYTHONHOME=$__rvenv_old_pythonhome
    fi
    if [[ $(\builtin declare -f deactivate 2>/dev/null) == *__rvenv_deactivate_cmd* ]]; then
        \builtin unset -f deactivate
    fi
    __rvenv_had_pythonhome=
    __rvenv_old_pythonhome=
    \builtin unset __RVENV_PYTHONHOME
    __rvenv_ps1_prefix=
    __rvenv_venv=
    \builtin unset __RVENV_VENV
    __rvenv_path_entry=
    # Decide afresh once that venv is gone.
    __rvenv_dir=
}

# Takes $1 off PATH exactly, leaving every other entry; only while the hook
# has an entry there (before `rvenv activate`, the hook's own deactivate,
# called as the user's, may have taken it off already).
__rvenv_path_remove() {
    if [[ -n $__rvenv_path_entry ]] && __rvenv_path_without "${PATH-}" "$1"; then
        \builtin export PATH="$__rvenv_s"
    fi
    __rvenv_path_entry=
    \builtin hash -r
}

# PYTHONHOME as __rvenv_activate found it.
__rvenv_restore_pythonhome() {
    if [[ -n $__rvenv_had_pythonhome ]]; then
        \builtin export PYTHONHOME="$__rvenv_old_pythonhome"
    fi
    __rvenv_had_pythonhome=
    __rvenv_old_pythonhome=
    \builtin unset __RVENV_PYTHONHOME
}

# The PYTHONHOME a parent shell's hook set aside for the venv this hook
# adopted (rvenv's AdoptPythonHome): given back when it goes off here.
__rvenv_adopt_pythonhome() {
    __rvenv_old_pythonhome=$1
    __rvenv_had_pythonhome=1
}

__rvenv_unset() {
    \builtin unset "$1"
}

# Undoes the hook's activation exactly, leaving every other change the user
# made (rvenv's Deactivate, the user's deactivate, an answer cut short,
# VIRTUAL_ENV unset behind our back): its PATH entry off, PYTHONHOME back,
# the prompt's prefix off, the variables and deactivate gone, and the venv's
# record last, so that when Ctrl-C cuts it short the next prompt finishes it.
__rvenv_deactivate() {
    __rvenv_gitidx=
    __rvenv_vstamp=
    [[ -n $__rvenv_venv ]] || return 0
    __rvenv_path_remove "$__rvenv_path_entry"
    __rvenv_restore_pythonhome
    if [[ -n $__rvenv_ps1_prefix && ${PS1-} == "$__rvenv_ps1_prefix"* ]]; then
        PS1=${PS1#"$__rvenv_ps1_prefix"}
    fi
    __rvenv_ps1_prefix=
    \builtin unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    \builtin unset -f deactivate
    __rvenv_own ''
}

# A venv activated by hand in a parent shell (an activate script, `poetry
# shell`, `uv run`, an IDE's terminal): its activate script's deactivate
# did not come along. The user gets one that undoes exactly that venv.
__rvenv_define_deactivate_theirs() {
    if ! \builtin declare -F deactivate >/dev/null; then
        # shellcheck disable=SC2317  # called by the user
        function deactivate {
            __rvenv_deactivate_inherited
        }
        __rvenv_theirs_fn=1
    fi
    return 0
}

# That venv's bin/ off PATH (exactly that entry), its variables unset.
__rvenv_deactivate_inherited() {
    if [[ -n ${VIRTUAL_ENV-} ]] && __rvenv_path_without "${PATH-}" "$VIRTUAL_ENV/bin"; then
        \builtin export PATH="$__rvenv_s"
    fi
    \builtin unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    \builtin unset -f deactivate
    __rvenv_theirs=
    __rvenv_theirs_fn=
    __rvenv_dir=
    \builtin hash -r
}

# `deactivate` typed by the user: stays off until they leave the project.
__rvenv_deactivate_cmd() {
    __rvenv_deactivate
    if [[ ${1-} == nondestructive ]]; then
        # CPython's and virtualenv's activate scripts call this before taking
        # over; once their venv is gone, decide afresh.
        __rvenv_dir=
    else
        __rvenv_off=$__rvenv_root
        # Exported, so that a shell started from here keeps it off too.
        if [[ -n $__rvenv_off ]]; then \builtin export __RVENV_OFF="$__rvenv_off"; fi
    fi
    __rvenv_pin=
    \builtin unset __RVENV_PIN
}

# Before `rvenv activate`: a venv on that is not the hook's goes off
# through its own deactivate (rvenv then sends the hook's undo itself).
__rvenv_deactivate_theirs() {
    if [[ -n ${VIRTUAL_ENV-} && $VIRTUAL_ENV != "$__rvenv_venv" ]] &&
        \builtin declare -F deactivate >/dev/null; then
        # shellcheck disable=SC2119  # the user's deactivate takes no arguments
        deactivate
    fi
    return 0
}

rvenv() {
    \builtin local __rvenv_code
    case ${1-} in
    activate)
        __rvenv_code=$(__RVENV_SHELL=bash __RVENV_HOOK_VENV=$__rvenv_venv \command rvenv "$@") || \builtin return
        \builtin eval "$__rvenv_code"
        ;;
    deactivate)
        if [[ -n ${VIRTUAL_ENV-} ]] && \builtin declare -F deactivate >/dev/null; then
            # shellcheck disable=SC2119  # the user's deactivate takes no arguments
            deactivate
        else
            \builtin printf '%s\n' 'rvenv: no venv is active' >&2
            \builtin return 1
        fi
        ;;
    create | allow)
        \command rvenv "$@" || \builtin return
        # The venv may now be there, or be trusted: decide at once.
        __rvenv_dir=
        __rvenv_check
        ;;
    deny)
        __RVENV_HOOK_VENV=$__rvenv_venv \command rvenv "$@" || \builtin return
        # Its one line said it all (deactivated too): decide at once, quietly.
        __rvenv_dir=
        __RVENV_DENIED=1 __rvenv_check
        ;;
    *)
        # Tells `rvenv status` which venv this hook activated.
        __RVENV_HOOK_VENV=$__rvenv_venv \command rvenv "$@"
        ;;
    esac
}

# Run first at each prompt, so that prompts drawn after it (starship, ...)
# already see the venv; it keeps $? for them.
if [[ ${PROMPT_COMMAND[*]-} != *__rvenv_hook* ]]; then
    if [[ -n ${PROMPT_COMMAND+x} && ${PROMPT_COMMAND@a} == *a* ]]; then
        PROMPT_COMMAND=(__rvenv_hook "${PROMPT_COMMAND[@]}")
    elif [[ -n ${PROMPT_COMMAND-} ]]; then
        PROMPT_COMMAND="$__rvenv_entry;${PROMPT_COMMAND}"
    else
        PROMPT_COMMAND=__rvenv_hook
    fi
fi

# Loaded again (`source ~/.bashrc`) while the hook's venv is on: an rc file
# that sets PS1 took the venv's mark off the prompt; it goes back in front.
if [[ -n $__rvenv_venv && -n $__rvenv_ps1_prefix && -n ${PS1+x} && $PS1 != *"$__rvenv_ps1_prefix"* ]]; then
    PS1=$__rvenv_ps1_prefix$PS1
fi

# rvenv shell integration for tcsh and csh. Load it from ~/.tcshrc with:
#     eval "`rvenv hook tcsh`"
# tcsh has no functions: `rvenv hook tcsh` writes this file into rvenv's
# private cache directory and prints the two lines that source it. Every
# operation is `source THIS-FILE NAME ARGS...` (tcsh puts ARGS in argv for
# the file, and gives the caller's back): the same names as the bash
# template's functions, which is the reference for every behaviour.
#
# State, in shell variables (never exported): __rvenv_venv, __rvenv_root,
# __rvenv_off, __rvenv_pin, __rvenv_told, __rvenv_dir, __rvenv_sig,
# __rvenv_markers, __rvenv_mkey, as in bash; exported, for a child shell to
# adopt the venv (rvenv checks it first): __RVENV_VENV. rvenv's answers are written to a file of
# this shell's own (`>!` into the private directory) and sourced, so every
# byte of a value arrives as it is (a backquote would join lines).
# A prompt where nothing changed runs only builtins: no process.

switch ( "$argv[1]" )

case __rvenv_load:
    if ( ! $?__rvenv_venv ) set __rvenv_venv = ''
    if ( ! $?__rvenv_root ) set __rvenv_root = ''
    if ( ! $?__rvenv_off ) set __rvenv_off = ''
    if ( ! $?__rvenv_pin ) set __rvenv_pin = ''
    if ( ! $?__rvenv_told ) set __rvenv_told = ''
    if ( ! $?__rvenv_path_entry ) set __rvenv_path_entry = ''
    if ( ! $?__rvenv_ps1_prefix ) set __rvenv_ps1_prefix = ''
    if ( ! $?__rvenv_prompt_rest ) set __rvenv_prompt_rest = ''
    if ( ! $?__rvenv_had_pythonhome ) set __rvenv_had_pythonhome = ''
    if ( ! $?__rvenv_old_pythonhome ) set __rvenv_old_pythonhome = ''
    if ( ! $?__rvenv_busy ) set __rvenv_busy = ''
    if ( ! $?__rvenv_theirs ) set __rvenv_theirs = ''
    if ( ! $?__rvenv_path_then ) set __rvenv_path_then = ''
    if ( ! $?__rvenv_path_seen ) set __rvenv_path_seen = ''
    if ( ! $?__rvenv_conda ) set __rvenv_conda = ''
    if ( ! $?__rvenv_ph_pending ) set __rvenv_ph_pending = ''
    if ( ! $?__rvenv_ph_theirs ) set __rvenv_ph_theirs = ''
    if ( ! $?__rvenv_theirs_fn ) set __rvenv_theirs_fn = ''
    # Loaded (again): rvenv sends the markers and their key at the first
    # prompt.
    set __rvenv_markers = ( )
    set __rvenv_mkey = ''
    set __rvenv_sig_file = "$__rvenv_lib/__rvenv_sig_of"
    set __rvenv_any_file = "$__rvenv_lib/__rvenv_any_in"
    # This hook's id, handed to rvenv last: an rvenv installed since this
    # shell loaded its hook says so.
    set __rvenv_id = '@RVENV_HOOK_ID@'
    set __rvenv_gitidx = ''
    set __rvenv_gitok = ''
    set __rvenv_vfile = ''
    set __rvenv_vstamp = ''
    set __rvenv_dir = ''
    set __rvenv_sig = ''
    set __rvenv_s = ''
    set __rvenv_asking = ''
    set __rvenv_st = 0
    set __rvenv_rc = 0
    set __rvenv_ans = "$__rvenv_lib:h/answer.$$"
    # The words go to `source` (a `>` the user typed redirects all of it).
    alias rvenv 'source $__rvenv_lib:q __rvenv_cmd \!*'
    # Run first at each prompt; a precmd the user had runs after it (and
    # sees their $status). Loading twice leaves the chain as it is.
    set __rvenv_up = "`alias precmd`"
    if ( "$__rvenv_up" !~ *__rvenv_check* ) then
        if ( "$__rvenv_up" != "" ) then
            alias __rvenv_user_precmd "$__rvenv_up"
            alias precmd 'set __rvenv_st = $status; source $__rvenv_lib:q __rvenv_check; __rvenv_user_precmd'
        else
            alias precmd 'set __rvenv_st = $status; source $__rvenv_lib:q __rvenv_check'
        endif
    endif
    unset __rvenv_up
    breaksw

# Sets __rvenv_s to one 0/1 per marker, for directory $argv[2]. The current
# directory's are asked as `.`: the kernel finds "./name" in two steps where
# it walks every component of "$cwd/name". (A signature is only compared in
# the directory it was taken in.)
case __rvenv_sig_of:
    set __rvenv_s = ''
    # `@ b = -e FILE` is 1 or 0: half the cost of an if/else block, which
    # tcsh parses again at each turn of the loop (a prompt's largest cost).
    foreach __rvenv_m ( $__rvenv_markers:q )
        @ __rvenv_b = -e "$argv[2]/$__rvenv_m"
        set __rvenv_s = "$__rvenv_s$__rvenv_b"
    end
    breaksw

# Asks rvenv, and applies its answer.
case __rvenv_run:
    set __rvenv_asking = "$cwd"
    \rvenv __hook tcsh "$cwd" "$__rvenv_venv" "$__rvenv_off" "$__rvenv_pin" "$__rvenv_told" "$__rvenv_mkey" "$__rvenv_id" >! "$__rvenv_ans"
    source "$__rvenv_ans"
    set __rvenv_asking = ''
    if ( "$__rvenv_dir" != "$cwd" ) then
        # rvenv failed (it said why): do not ask again until something changes.
        set __rvenv_dir = "$cwd"
        source $__rvenv_sig_file:q __rvenv_sig_of .
        set __rvenv_sig = "$__rvenv_s"
    endif
    breaksw

# The prompt hook (alias precmd, which saved $status in __rvenv_st:
# `source` resets it). It keeps $status for what runs after it.
case __rvenv_check:
    set __rvenv_ve = ''
    if ( $?VIRTUAL_ENV ) then
        set __rvenv_ve = "$VIRTUAL_ENV"
    endif
    set __rvenv_done = 0
    # The fast path: nothing pending, no venv activated by hand, ours still
    # there, the same directory (only its markers can have changed) or a cd
    # (only what __rvenv_moved tests can have).
    # ($PATH as the hook last saw it, or no venv: see __rvenv_slow.)
    set __rvenv_ps = 1
    if ( "$__rvenv_path_entry" != "" ) then
        if ( $?PATH ) then
            if ( "$PATH" != "$__rvenv_path_seen" ) set __rvenv_ps = 0
        endif
    endif
    if ( "$__rvenv_busy$__rvenv_asking" == "" && "$__rvenv_dir" != "" && "$__rvenv_ve" == "$__rvenv_venv" && ! $?_OLD_VIRTUAL_PATH && $__rvenv_ps ) then
        set __rvenv_done = 1
        if ( "$__rvenv_venv" != "" ) then
            if ( ! -e "$__rvenv_venv/pyvenv.cfg" ) set __rvenv_done = 0
        endif
        if ( "$__rvenv_gitidx" != "" ) then
            if ( -e "$__rvenv_gitidx" && -e "$__rvenv_gitok" ) then
                if ( -M "$__rvenv_gitidx" > -M "$__rvenv_gitok" ) set __rvenv_done = 0
            endif
        endif
        if ( "$__rvenv_vstamp" != "" ) then
            if ( -e "$__rvenv_vstamp" && -e "$__rvenv_vfile" ) then
                if ( -M "$__rvenv_vstamp" < -M "$__rvenv_vfile" || -I "$__rvenv_venv" != "$__rvenv_vstamp:e" ) set __rvenv_done = 0
            else
                set __rvenv_done = 0
            endif
        endif
        if ( $__rvenv_done && "$cwd" == "$__rvenv_dir" ) then
            source $__rvenv_sig_file:q __rvenv_sig_of .
            if ( "$__rvenv_s" != "$__rvenv_sig" ) source $__rvenv_lib:q __rvenv_run
        else if ( $__rvenv_done && "$__rvenv_ph_pending$__rvenv_theirs" == "" ) then
            # A cd, and nothing else: what is left of __rvenv_slow for it.
            source $__rvenv_lib:q __rvenv_moved
        else
            set __rvenv_done = 0
        endif
    endif
    if ( ! $__rvenv_done ) then
        source $__rvenv_lib:q __rvenv_slow
    endif
    set __rvenv_rc = $__rvenv_st
    breaksw

case __rvenv_slow:
    if ( "$__rvenv_busy" != "" ) then
        # An answer was cut short (Ctrl-C): undo it, ask again.
        set __rvenv_busy = ''
        source $__rvenv_lib:q __rvenv_deactivate
        set __rvenv_dir = ''
    else if ( "$__rvenv_asking" != "" ) then
        # Ctrl-C stopped rvenv before it answered: leave things as they
        # are, as if rvenv had decided for that directory alone.
        set __rvenv_root = "$__rvenv_asking"
        set __rvenv_dir = "$__rvenv_asking"
        set __rvenv_asking = ''
        source $__rvenv_sig_file:q __rvenv_sig_of "$__rvenv_dir"
        set __rvenv_sig = "$__rvenv_s"
    endif
    set __rvenv_ve = ''
    if ( $?VIRTUAL_ENV ) then
        set __rvenv_ve = "$VIRTUAL_ENV"
    endif
    # A venv activated by hand (or inherited) belongs to the user, even ours
    # when the user sourced its activate script (_OLD_VIRTUAL_PATH). A venv
    # a parent shell's hook activated (it exported __RVENV_VENV) is not the
    # user's: rvenv checks it and this hook adopts it.
    set __rvenv_pv = ''
    if ( $?__RVENV_VENV ) then
        set __rvenv_pv = "$__RVENV_VENV"
    endif
    if ( "$__rvenv_ve" != "" && ( "$__rvenv_ve" != "$__rvenv_venv" || $?_OLD_VIRTUAL_PATH ) && ( "$__rvenv_venv" != "" || "$__rvenv_ve" != "$__rvenv_pv" ) ) then
        if ( "$__rvenv_venv" != "" ) source $__rvenv_lib:q __rvenv_yield
        if ( "$__rvenv_ve" != "$__rvenv_theirs" ) then
            # Inherited from a parent shell, its activate script's
            # deactivate did not come along: the user gets one that undoes
            # exactly that venv.
            set __rvenv_theirs = "$__rvenv_ve"
            set __rvenv_deact = "`alias deactivate`"
            if ( "$__rvenv_deact" == "" ) then
                alias deactivate 'source $__rvenv_lib:q __rvenv_deactivate_inherited'
                set __rvenv_theirs_fn = 1
            endif
        endif
        breaksw
    endif
    if ( "$__rvenv_ph_pending" != "" ) then
        # The venv activated by hand over ours is off: the PYTHONHOME the
        # hook had set aside comes back.
        if ( ! $?PYTHONHOME ) setenv PYTHONHOME "$__rvenv_ph_theirs"
        set __rvenv_ph_pending = ''
        set __rvenv_ph_theirs = ''
    endif
    if ( "$__rvenv_theirs" != "" ) then
        # That venv went off by other means than the deactivate we gave
        # for it: so does that deactivate.
        if ( "$__rvenv_theirs_fn" != "" ) unalias deactivate
        set __rvenv_theirs = ''
        set __rvenv_theirs_fn = ''
    endif
    if ( "$__rvenv_venv" != "" && "$__rvenv_ve" == "" ) then
        # VIRTUAL_ENV was unset behind our back: finish the job.
        source $__rvenv_lib:q __rvenv_deactivate
        set __rvenv_dir = ''
    endif
    if ( "$__rvenv_path_entry" != "" && $?PATH ) then
        if ( "$PATH" != "$__rvenv_path_seen" ) then
            # PATH changed: an rc file read again, a profile or pyenv's init
            # may have put entries that were on PATH already before the
            # venv's bin/. rvenv (tcsh cannot cut strings) sends it first
            # again, every other entry in its order; a `conda activate`
            # since the venv went on wins, so does a new directory the user
            # put in front.
            set __rvenv_cp = ''
            # A block: a one-line if expands its command first.
            if ( $?CONDA_PREFIX ) then
                set __rvenv_cp = "$CONDA_PREFIX"
            endif
            if ( "$__rvenv_cp" == "$__rvenv_conda" ) then
                \rvenv __undo tcsh front "$__rvenv_path_entry" "$__rvenv_path_then" >! "$__rvenv_ans"
                source "$__rvenv_ans"
            endif
            set __rvenv_path_seen = "$PATH"
        endif
    endif
    set __rvenv_go = 0
    if ( "$__rvenv_dir" == "" ) set __rvenv_go = 1
    if ( "$__rvenv_venv" != "" ) then
        if ( ! -e "$__rvenv_venv/pyvenv.cfg" ) set __rvenv_go = 1
    endif
    if ( "$__rvenv_gitidx" != "" ) then
        if ( -e "$__rvenv_gitidx" && -e "$__rvenv_gitok" ) then
            if ( -M "$__rvenv_gitidx" > -M "$__rvenv_gitok" ) set __rvenv_go = 1
        endif
    endif
    if ( "$__rvenv_vstamp" != "" ) then
        if ( -e "$__rvenv_vstamp" && -e "$__rvenv_vfile" ) then
            if ( -M "$__rvenv_vstamp" < -M "$__rvenv_vfile" || -I "$__rvenv_venv" != "$__rvenv_vstamp:e" ) set __rvenv_go = 1
        else
            set __rvenv_go = 1
        endif
    endif
    if ( $__rvenv_go ) then
        source $__rvenv_lib:q __rvenv_run
        breaksw
    endif
    if ( "$cwd" == "$__rvenv_dir" ) then
        source $__rvenv_sig_file:q __rvenv_sig_of .
        if ( "$__rvenv_s" != "$__rvenv_sig" ) source $__rvenv_lib:q __rvenv_run
        breaksw
    endif
    source $__rvenv_lib:q __rvenv_moved
    breaksw

# A cd, nothing else pending: a project left, or one between $cwd and the
# part already known (the end of __rvenv_slow, and all of what a cd within
# a project needs: the check goes straight here, not through all of
# __rvenv_slow, which tcsh would parse line by line).
case __rvenv_moved:
    set __rvenv_go = 0
    if ( "$__rvenv_root" != "" ) then
        source $__rvenv_lib:q __rvenv_within "$cwd" "$__rvenv_root"
        if ( ! $__rvenv_in ) set __rvenv_go = 1
    endif
    if ( $__rvenv_go ) then
        source $__rvenv_lib:q __rvenv_run
        breaksw
    endif
    # Still inside the same project (or still in none): only the directories
    # between $cwd and the part already known can hold a new project.
    set __rvenv_d = "$cwd"
    source $__rvenv_lib:q __rvenv_within "$__rvenv_dir" "$__rvenv_d"
    while ( ! $__rvenv_in )
        source $__rvenv_any_file:q __rvenv_any_in "$__rvenv_d"
        if ( $__rvenv_go ) break
        set __rvenv_d = "$__rvenv_d:h"
        if ( "$__rvenv_d" == "" ) set __rvenv_d = /
        source $__rvenv_lib:q __rvenv_within "$__rvenv_dir" "$__rvenv_d"
    end
    if ( $__rvenv_go ) then
        source $__rvenv_lib:q __rvenv_run
        breaksw
    endif
    set __rvenv_dir = "$cwd"
    source $__rvenv_sig_file:q __rvenv_sig_of .
    set __rvenv_sig = "$__rvenv_s"
    breaksw

# Sets __rvenv_go to 1 when some marker exists in directory $2 (a level of
# the walk up). Unrolled as __rvenv_any_in_N, as __rvenv_sig_of is.
case __rvenv_any_in:
    foreach __rvenv_m ( $__rvenv_markers:q )
        if ( -e "$argv[2]/$__rvenv_m" ) set __rvenv_go = 1
    end
    breaksw

# Sets __rvenv_in to 1 when directory $2 is $3 or below it (`:h` walks up,
# so no pattern is ever made of a path).
case __rvenv_within:
    set __rvenv_in = 0
    set __rvenv_w = "$argv[2]"
    if ( "$argv[3]" == "/" ) set __rvenv_in = 1
    while ( ! $__rvenv_in && "$__rvenv_w" != "" && "$__rvenv_w" != "/" )
        if ( "$__rvenv_w" == "$argv[3]" ) set __rvenv_in = 1
        set __rvenv_w = "$__rvenv_w:h"
    end
    breaksw

# rvenv's answers start with this and end with __rvenv_state or __rvenv_pin.
case __rvenv_begin:
    set __rvenv_busy = 1
    set __rvenv_asking = ''
    breaksw

case __rvenv_state:
    set __rvenv_root = "$argv[2]"
    set __rvenv_off = "$argv[3]"
    set __rvenv_told = "$argv[4]"
    set __rvenv_dir = "$cwd"
    source $__rvenv_sig_file:q __rvenv_sig_of .
    set __rvenv_sig = "$__rvenv_s"
    set __rvenv_busy = ''
    breaksw

# The markers' key (handed back to rvenv, which sends them again only
# when it changed), then the markers.
case __rvenv_set_markers:
    set __rvenv_mkey = "$argv[2]"
    set __rvenv_markers = ( $argv[3-]:q )
    # __rvenv_sig_of's and __rvenv_any_in's tests unrolled, from the files
    # rvenv wrote into the library for that many markers (__rvenv_sig_of_N,
    # __rvenv_any_in_N: the same test for each of $__rvenv_markers[1] to
    # [N], no name written in them): tcsh parses a loop's body again at
    # each turn, a quarter of a prompt. The loops beyond 16.
    set __rvenv_sig_file = "$__rvenv_lib/__rvenv_sig_of"
    set __rvenv_any_file = "$__rvenv_lib/__rvenv_any_in"
    if ( $#__rvenv_markers >= 1 && $#__rvenv_markers <= 16 ) then
        set __rvenv_sig_file = "$__rvenv_lib/__rvenv_sig_of_$#__rvenv_markers"
        set __rvenv_any_file = "$__rvenv_lib/__rvenv_any_in_$#__rvenv_markers"
    endif
    breaksw

case __rvenv_watch:
    set __rvenv_gitidx = "$argv[2]"
    set __rvenv_gitok = "$argv[3]"
    set __rvenv_vfile = "$argv[4]"
    set __rvenv_vstamp = "$argv[5]"
    breaksw

case __rvenv_pin:
    set __rvenv_pin = "$argv[2]"
    set __rvenv_off = ''
    set __rvenv_busy = ''
    breaksw

# The venv $2 on (rvenv's Activate): VIRTUAL_ENV_PROMPT $3, prompt prefix $4
# (escaped by rvenv for the prompt: `\\`, `%%`, `\!`). Each step is recorded
# before it is made, so that an activation cut short is undone exactly. The
# steps of __rvenv_own, __rvenv_path_first, __rvenv_prompt and
# __rvenv_define_deactivate are written out here: each `source` parses a
# file, and a crossing sourcing one per step cost tcsh several times the
# work in them.
case __rvenv_activate:
    set __rvenv_venv = "$argv[2]"
    set __rvenv_conda = ''
    if ( $?CONDA_PREFIX ) then
        set __rvenv_conda = "$CONDA_PREFIX"
    endif
    setenv __RVENV_VENV "$argv[2]"
    if ( $?PYTHONHOME ) then
        set __rvenv_old_pythonhome = "$PYTHONHOME"
        set __rvenv_had_pythonhome = 1
        # For a child shell that adopts the venv, to give back there too.
        setenv __RVENV_PYTHONHOME "$PYTHONHOME"
        unsetenv PYTHONHOME
    else
        set __rvenv_had_pythonhome = ''
        unsetenv __RVENV_PYTHONHOME
    endif
    setenv VIRTUAL_ENV "$argv[2]"
    setenv VIRTUAL_ENV_PROMPT "$argv[3]"
    set __rvenv_path_entry = "${argv[2]}/bin"
    set __rvenv_path_now = ''
    if ( $?PATH ) then
        set __rvenv_path_now = "$PATH"
    endif
    if ( "$__rvenv_path_now" != "" ) then
        setenv PATH "${__rvenv_path_entry}:$__rvenv_path_now"
    else
        setenv PATH "$__rvenv_path_entry"
    endif
    set __rvenv_path_then = "$PATH"
    set __rvenv_path_seen = "$PATH"
    set __rvenv_ps1_prefix = ''
    if ( ! $?VIRTUAL_ENV_DISABLE_PROMPT && $?prompt ) then
        set __rvenv_ps1_prefix = "$argv[4]"
        set __rvenv_prompt_rest = "$prompt"
        set prompt = "${__rvenv_ps1_prefix}$prompt"
    endif
    alias deactivate 'source $__rvenv_lib:q __rvenv_deactivate_cmd \!*'
    breaksw

case __rvenv_own:
    set __rvenv_venv = "$argv[2]"
    set __rvenv_conda = ''
    # A block: a one-line if expands its command first.
    if ( $?CONDA_PREFIX ) then
        set __rvenv_conda = "$CONDA_PREFIX"
    endif
    if ( "$argv[2]" != "" ) then
        setenv __RVENV_VENV "$argv[2]"
    else
        unsetenv __RVENV_VENV
    endif
    breaksw

# The PYTHONHOME a parent shell's hook set aside for the venv this hook
# adopted (rvenv's AdoptPythonHome): given back when it goes off here.
case __rvenv_adopt_pythonhome:
    set __rvenv_old_pythonhome = "$argv[2]"
    set __rvenv_had_pythonhome = 1
    breaksw

case __rvenv_set:
    setenv $argv[2] "$argv[3]"
    breaksw

case __rvenv_path_first:
    set __rvenv_path_entry = "$argv[2]"
    if ( $?PATH ) then
        if ( "$PATH" != "" ) then
            setenv PATH "${__rvenv_path_entry}:$PATH"
            set __rvenv_path_then = "$PATH"
            set __rvenv_path_seen = "$PATH"
            breaksw
        endif
    endif
    setenv PATH "$__rvenv_path_entry"
    set __rvenv_path_then = "$PATH"
    set __rvenv_path_seen = "$PATH"
    breaksw

# Moves $2 to the front of PATH (adds it when it is not there), as the
# hook's entry: a venv adopted from a parent shell, or put back first. $3:
# 1 when rvenv found it on PATH, then $4 is PATH without it.
case __rvenv_path_front:
    set __rvenv_path_entry = "$argv[2]"
    if ( "$argv[3]" == 1 ) then
        if ( "$argv[4]" != "" ) then
            setenv PATH "${__rvenv_path_entry}:$argv[4]"
        else
            setenv PATH "$__rvenv_path_entry"
        endif
        set __rvenv_path_then = "$PATH"
        set __rvenv_path_seen = "$PATH"
        breaksw
    endif
    source $__rvenv_lib:q __rvenv_path_first "$argv[2]"
    breaksw

# $2: the prefix, escaped by rvenv for the prompt (`\\`, `%%`, `\!`).
case __rvenv_prompt:
    set __rvenv_ps1_prefix = ''
    if ( ! $?VIRTUAL_ENV_DISABLE_PROMPT && $?prompt ) then
        set __rvenv_ps1_prefix = "$argv[2]"
        set __rvenv_prompt_rest = "$prompt"
        set prompt = "${__rvenv_ps1_prefix}$prompt"
    endif
    breaksw

case __rvenv_define_deactivate:
    alias deactivate 'source $__rvenv_lib:q __rvenv_deactivate_cmd \!*'
    breaksw

case __rvenv_unset:
    unsetenv $argv[2]
    breaksw

# Undoes the hook's activation exactly, every other change the user made
# kept: its PATH entry off, PYTHONHOME back, the prompt's prefix off (when
# the prompt is still the one it was put on), the variables and deactivate
# gone, the venv's record last (so that when Ctrl-C cuts it short the next
# prompt finishes it). rvenv's Deactivate comes with $2 1 when rvenv found
# the entry on the PATH it was given, then $3 is that PATH without it (tcsh
# cannot cut a string by its content); what runs without an answer of
# rvenv's (the user's deactivate, an answer cut short, VIRTUAL_ENV unset)
# asks rvenv for one.
case __rvenv_deactivate:
    set __rvenv_gitidx = ''
    set __rvenv_vstamp = ''
    if ( "$__rvenv_venv" == "" ) then
        breaksw
    endif
    if ( $#argv < 3 ) then
        \rvenv __undo tcsh "$__rvenv_venv" >! "$__rvenv_ans"
        source "$__rvenv_ans"
        breaksw
    endif
    if ( "$__rvenv_path_entry" != "" && "$argv[2]" == 1 ) setenv PATH "$argv[3]"
    set __rvenv_path_entry = ''
    if ( "$__rvenv_had_pythonhome" != "" ) setenv PYTHONHOME "$__rvenv_old_pythonhome"
    set __rvenv_had_pythonhome = ''
    set __rvenv_old_pythonhome = ''
    unsetenv __RVENV_PYTHONHOME
    if ( "$__rvenv_ps1_prefix" != "" && $?prompt ) then
        if ( "$prompt" == "${__rvenv_ps1_prefix}$__rvenv_prompt_rest" ) set prompt = "$__rvenv_prompt_rest"
    endif
    set __rvenv_ps1_prefix = ''
    set __rvenv_prompt_rest = ''
    unsetenv VIRTUAL_ENV
    unsetenv VIRTUAL_ENV_PROMPT
    unalias deactivate
    set __rvenv_venv = ''
    set __rvenv_conda = ''
    if ( $?CONDA_PREFIX ) then
        set __rvenv_conda = "$CONDA_PREFIX"
    endif
    unsetenv __RVENV_VENV
    breaksw

case __rvenv_deactivate_cmd:
    source $__rvenv_lib:q __rvenv_deactivate
    if ( $#argv > 1 ) then
        if ( "$argv[2]" == nondestructive ) then
            set __rvenv_dir = ''
        else
            set __rvenv_off = "$__rvenv_root"
        endif
    else
        set __rvenv_off = "$__rvenv_root"
    endif
    # Exported, so that a shell started from here keeps it off too.
    if ( "$__rvenv_off" != '' ) setenv __RVENV_OFF "$__rvenv_off"
    set __rvenv_pin = ''
    unsetenv __RVENV_PIN
    breaksw

# A venv activated by hand took over from ours: take our PATH entry out of
# PATH and of what its activate script saved, and our prompt prefix; hand
# it the PYTHONHOME we saved; leave its VIRTUAL_ENV and deactivate alone.
case __rvenv_yield:
    set __rvenv_old = ''
    if ( $?_OLD_VIRTUAL_PATH ) then
        set __rvenv_old = "$_OLD_VIRTUAL_PATH"
    endif
    \rvenv __undo tcsh "" "$__rvenv_path_entry" "$__rvenv_old" >! "$__rvenv_ans"
    source "$__rvenv_ans"
    if ( "$__rvenv_ps1_prefix" != "" && $?prompt ) then
        if ( "$prompt" == "${__rvenv_ps1_prefix}$__rvenv_prompt_rest" ) then
            set prompt = "$__rvenv_prompt_rest"
        else
            # The activate script put its prefix in front of ours: rvenv
            # (tcsh cannot cut strings) takes ours out.
            \rvenv __undo tcsh prompt "$prompt" "${__rvenv_ps1_prefix}$__rvenv_prompt_rest" "$__rvenv_prompt_rest" >! "$__rvenv_ans"
            source "$__rvenv_ans"
        endif
        if ( $?_OLD_VIRTUAL_PROMPT ) then
            if ( "$_OLD_VIRTUAL_PROMPT" == "${__rvenv_ps1_prefix}$__rvenv_prompt_rest" ) set _OLD_VIRTUAL_PROMPT = "$__rvenv_prompt_rest"
        endif
    endif
    if ( "$__rvenv_had_pythonhome" != "" ) then
        # CPython's activate.csh keeps no PYTHONHOME to restore: the hook
        # gives it back once that venv is off.
        set __rvenv_ph_theirs = "$__rvenv_old_pythonhome"
        set __rvenv_ph_pending = 1
    endif
    set __rvenv_deact = "`alias deactivate`"
    if ( "$__rvenv_deact" =~ *__rvenv_deactivate_cmd* ) unalias deactivate
    set __rvenv_had_pythonhome = ''
    set __rvenv_old_pythonhome = ''
    unsetenv __RVENV_PYTHONHOME
    set __rvenv_ps1_prefix = ''
    set __rvenv_prompt_rest = ''
    set __rvenv_venv = ''
    unsetenv __RVENV_VENV
    set __rvenv_path_entry = ''
    set __rvenv_dir = ''
    breaksw

# The deactivate given for an inherited venv: its bin/ off PATH (exactly
# that entry, cut by rvenv), its variables unset.
case __rvenv_deactivate_inherited:
    if ( $?VIRTUAL_ENV ) then
        \rvenv __undo tcsh "" "$VIRTUAL_ENV/bin" "" >! "$__rvenv_ans"
        source "$__rvenv_ans"
    endif
    unsetenv VIRTUAL_ENV
    unsetenv VIRTUAL_ENV_PROMPT
    unalias deactivate
    set __rvenv_theirs = ''
    set __rvenv_theirs_fn = ''
    set __rvenv_dir = ''
    rehash
    breaksw

# Before `rvenv activate`: a venv on that is not the hook's goes off
# through its own deactivate (an alias: tcsh's one-line `if` runs no alias).
case __rvenv_deactivate_theirs:
    if ( $?VIRTUAL_ENV ) then
        if ( "$VIRTUAL_ENV" != "$__rvenv_venv" ) then
            set __rvenv_deact = "`alias deactivate`"
            if ( "$__rvenv_deact" != "" ) then
                deactivate
            endif
        endif
    endif
    breaksw

# `rvenv ARGS` (alias rvenv): the commands that change the shell.
case __rvenv_cmd:
    set __rvenv_args = ( $argv[2-]:q )
    set __rvenv_sub = ''
    if ( $#__rvenv_args > 0 ) then
        set __rvenv_sub = "$__rvenv_args[1]"
    endif
    switch ( "$__rvenv_sub" )
    case activate:
        env __RVENV_SHELL=tcsh __RVENV_HOOK_VENV="$__rvenv_venv" rvenv $__rvenv_args:q >! "$__rvenv_ans"
        set __rvenv_st = $status
        if ( ! $__rvenv_st ) source "$__rvenv_ans"
        set __rvenv_rc = $__rvenv_st
        breaksw
    case deactivate:
        set __rvenv_deact = ''
        if ( $?VIRTUAL_ENV ) then
            set __rvenv_deact = "`alias deactivate`"
        endif
        if ( "$__rvenv_deact" != "" ) then
            deactivate
            set __rvenv_rc = 0
        else
            printf '%s\n' 'rvenv: no venv is active' > /dev/stderr
            set __rvenv_rc = 1
        endif
        breaksw
    case create:
    case allow:
        \rvenv $__rvenv_args:q
        set __rvenv_st = $status
        if ( ! $__rvenv_st ) then
            set __rvenv_dir = ''
            source $__rvenv_lib:q __rvenv_check
        endif
        set __rvenv_rc = $__rvenv_st
        breaksw
    case deny:
        env __RVENV_HOOK_VENV="$__rvenv_venv" rvenv $__rvenv_args:q
        set __rvenv_st = $status
        if ( ! $__rvenv_st ) then
            set __rvenv_dir = ''
            setenv __RVENV_DENIED 1
            source $__rvenv_lib:q __rvenv_check
            unsetenv __RVENV_DENIED
        endif
        set __rvenv_rc = $__rvenv_st
        breaksw
    default:
        env __RVENV_HOOK_VENV="$__rvenv_venv" rvenv $__rvenv_args:q
        set __rvenv_rc = $status
        breaksw
    endsw
    breaksw

endsw

# `source` ends with the status of its last command (endsw: 0): the one
# the operation meant ($status before the prompt hook, rvenv's for `rvenv`).
if ( $?__rvenv_rc ) set status = $__rvenv_rc

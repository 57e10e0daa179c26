# rvenv shell integration for nushell. nushell resolves `source` when it
# parses, so save this once and source the file from config.nu:
#     rvenv hook nu | save -f ($nu.default-config-dir | path join rvenv.nu)
#     source ($nu.default-config-dir | path join rvenv.nu)
# nushell cannot evaluate code: rvenv answers in data (one JSON record per
# operation, src/render.rs) that __rvenv_apply carries out, the same
# operations and state machine as the bash template (the reference).
#
# State: one record, $env.__rvenv. A record is never passed to a program
# (only strings are), so nothing of it reaches a child process. Exported,
# for a child shell to adopt the venv (rvenv checks it against
# VIRTUAL_ENV, PATH and the disk first): __RVENV_VENV, the hook's venv.

$env.__rvenv = ($env.__rvenv? | default {
    venv: "" root: "" off: "" pin: "" told: "" dir: "" sig: "" sigpaths: [] markers: []
    gitidx: "" gitok: "" vfile: "" vstamp: "" path_entry: "" prefix: "" had_pythonhome: false
    old_pythonhome: "" busy: false asking: "" mkey: "" theirs: ""
    path_then: [] conda: "" conda_seen: ""
})
# Loaded (again): rvenv sends the markers, and their key (handed back as
# MARKS), at the first prompt (with no paths to test, the markers of the
# directory seem changed).
# This hook's id (handed to rvenv last: an rvenv installed since this shell
# loaded its hook says so).
$env.__rvenv = ($env.__rvenv | upsert mkey "" | upsert markers [] | upsert id '@RVENV_HOOK_ID@'
    | upsert theirs ($env.__rvenv.theirs? | default "")
    | upsert path_then ($env.__rvenv.path_then? | default [])
    | upsert conda ($env.__rvenv.conda? | default "")
    | upsert sigpaths []
    | upsert conda_seen "")

# A field of the state is set in place (`$env.__rvenv.KEY = VALUE`, which
# adds a field an older hook's record lacks): a --env command doing it cost
# 120 us a field, 20 us inline.

# PATH as a list (nushell converts it at start-up; a user may set a string).
def __rvenv_path [] {
    let p = ($env.PATH? | default [])
    if ($p | describe | str starts-with 'list') { $p } else { $p | split row (char esep) }
}

# Each marker's path in directory $dir. Built as one string split at NULs
# (no path holds one), not with a closure per marker: nushell runs a
# closure for about 30 us, and this is on every prompt's path.
def __rvenv_paths [dir: string] {
    $env.__rvenv.markers | prepend "" | str join $"(char nul)($dir)/" | split row (char nul) | skip 1
}

# One 0/1 per marker, from the markers' paths in a directory (35 us with
# 10 markers; building the paths costs 60 more, so the state keeps them
# for the directory of the last decision; a closure per marker, 340 us).
def __rvenv_sig_at [paths: list] {
    $paths | path exists | into int | str join
}

# The state's fields for a decision made for directory $dir: it, its
# markers' paths, and which of them exist.
def __rvenv_here [dir: string] {
    let paths = (__rvenv_paths $dir)
    {dir: $dir, sigpaths: $paths, sig: (__rvenv_sig_at $paths)}
}

# True when $dir is $top or below it.
def __rvenv_within [dir: string, top: string] {
    $top == "/" or $dir == $top or ($dir | str starts-with $"($top)/")
}

# $entry taken off $list (its first occurrence), or null when not there.
# The hook's entry is nearly always first: that is tested alone (12 us; the
# search below costs 480).
def __rvenv_without [list: list, entry: string] {
    if $entry == "" { return null }
    if ($list | get -o 0) == $entry { return ($list | skip 1) }
    let at = ($list | enumerate | where item == $entry | get -o 0.index)
    if $at == null { null } else { $list | drop nth $at }
}

def --env __rvenv_apply [ops: list] {
    # A queue: a Deactivate becomes, when it comes, the records of the undo
    # (their arguments read from the state the answer's earlier records left).
    mut queue = $ops
    while ($queue | is-not-empty) {
        let op = $queue.0
        $queue = ($queue | skip 1)
        let a = $op.args
        match $op.op {
            "__rvenv_begin" => { $env.__rvenv.busy = true; $env.__rvenv.asking = "" }
            "__rvenv_own" => {
                $env.__rvenv.venv = $a.0
                $env.__rvenv.conda = ($env.CONDA_PREFIX? | default "")
                if $a.0 != "" { load-env {__RVENV_VENV: $a.0} } else { hide-env -i __RVENV_VENV }
            }
            "__rvenv_set" => { load-env {($a.0): $a.1} }
            # The venv $a.0 on (rvenv's Activate): VIRTUAL_ENV_PROMPT $a.1,
            # prompt prefix $a.2; each step recorded before it is made.
            "__rvenv_activate" => {
                $env.__rvenv.venv = $a.0
                $env.__rvenv.conda = ($env.CONDA_PREFIX? | default "")
                load-env {__RVENV_VENV: $a.0}
                if 'PYTHONHOME' in $env {
                    $env.__rvenv.old_pythonhome = $env.PYTHONHOME
                    $env.__rvenv.had_pythonhome = true
                    # For a child shell that adopts the venv, to give back
                    # there too.
                    load-env {__RVENV_PYTHONHOME: $env.PYTHONHOME}
                    hide-env PYTHONHOME
                } else {
                    $env.__rvenv.had_pythonhome = false
                    hide-env -i __RVENV_PYTHONHOME
                }
                load-env {VIRTUAL_ENV: $a.0, VIRTUAL_ENV_PROMPT: $a.1}
                let entry = $"($a.0)/bin"
                $env.__rvenv.path_entry = $entry
                $env.PATH = (__rvenv_path | prepend $entry)
                $env.__rvenv.path_then = (__rvenv_path)
                if ($env.VIRTUAL_ENV_DISABLE_PROMPT? | default "") == "" {
                    $env.__rvenv.prefix = $"\(($a.2)\) "
                }
            }
            # The hook's venv off exactly (rvenv's Deactivate, the user's
            # deactivate, an answer cut short): these records, the venv's
            # record last.
            "__rvenv_deactivate" => {
                $env.__rvenv.gitidx = ""
                $env.__rvenv.vstamp = ""
                if $env.__rvenv.venv != "" {
                    $queue = ([
                        {op: "__rvenv_path_remove", args: [$env.__rvenv.path_entry]}
                        {op: "__rvenv_restore_pythonhome", args: []}
                        {op: "__rvenv_prompt_clear", args: []}
                        {op: "__rvenv_unset", args: ["VIRTUAL_ENV"]}
                        {op: "__rvenv_unset", args: ["VIRTUAL_ENV_PROMPT"]}
                        {op: "__rvenv_own", args: [""]}
                    ] | append $queue)
                }
            }
            # Moves $a.0 to the front of PATH (adds it when it is not
            # there), as the hook's entry: a venv adopted from a parent
            # shell, or put back first.
            "__rvenv_path_front" => {
                $env.__rvenv.path_entry = $a.0
                let p = (__rvenv_path)
                let rest = (__rvenv_without $p $a.0)
                let base = if $rest != null { $rest } else { $p }
                $env.PATH = ($base | prepend $a.0)
                $env.__rvenv.path_then = (__rvenv_path)
            }
            "__rvenv_prompt" => {
                if ($env.VIRTUAL_ENV_DISABLE_PROMPT? | default "") == "" {
                    $env.__rvenv.prefix = $"\(($a.0)\) "
                }
            }
            "__rvenv_path_remove" => {
                if $env.__rvenv.path_entry != "" {
                    let rest = (__rvenv_without (__rvenv_path) $a.0)
                    if $rest != null { $env.PATH = $rest }
                }
                $env.__rvenv.path_entry = ""
            }
            "__rvenv_restore_pythonhome" => {
                if $env.__rvenv.had_pythonhome { $env.PYTHONHOME = $env.__rvenv.old_pythonhome }
                $env.__rvenv.had_pythonhome = false
                $env.__rvenv.old_pythonhome = ""
                hide-env -i __RVENV_PYTHONHOME
            }
            # The PYTHONHOME a parent shell's hook set aside for the venv
            # this hook adopted (rvenv's AdoptPythonHome): given back when
            # it goes off here.
            "__rvenv_adopt_pythonhome" => {
                $env.__rvenv.old_pythonhome = $a.0
                $env.__rvenv.had_pythonhome = true
            }
            "__rvenv_prompt_clear" => { $env.__rvenv.prefix = "" }
            "__rvenv_unset" => { hide-env -i $a.0 }
            # `deactivate` is a command of this file (nushell defines no
            # command at run time): it works while the hook has a venv on.
            "__rvenv_define_deactivate" => {}
            "__rvenv_deactivate_theirs" => {}
            # The signature is rvenv's ($a.3: which markers exist here, as
            # __rvenv_sig_at spells it), not tested again. One merge.
            "__rvenv_state" => {
                $env.__rvenv = ($env.__rvenv | merge {
                    root: $a.0, off: $a.1, told: $a.2,
                    conda_seen: ($env.CONDA_PREFIX? | default ""),
                    dir: $env.PWD, sig: $a.3, sigpaths: (__rvenv_paths $env.PWD),
                    busy: false
                })
            }
            # The markers' key (handed back to rvenv, which sends them
            # again only when it changed), then the markers.
            "__rvenv_set_markers" => { $env.__rvenv = ($env.__rvenv | merge {mkey: $a.0, markers: $a.1}) }
            "__rvenv_watch" => { $env.__rvenv = ($env.__rvenv | merge {gitidx: $a.0, gitok: $a.1, vfile: $a.2, vstamp: $a.3}) }
            "__rvenv_pin" => {
                $env.__rvenv.pin = $a.0
                $env.__rvenv.off = ""
                $env.__rvenv.busy = false
            }
        }
    }
}

# Asks rvenv, and applies its answer.
def --env __rvenv_run [] {
    $env.__rvenv.asking = $env.PWD
    let s = $env.__rvenv
    let answer = (do -i { ^rvenv __hook nushell $env.PWD $s.venv $s.off $s.pin $s.told $s.mkey $s.id } | complete)
    if ($answer.stderr | is-not-empty) { print -e -n $answer.stderr }
    if $answer.exit_code == 0 {
        # One parse of the JSON lines (`from json` per line cost 20 times
        # as much: 0.85 ms against 43 us for an answer of five).
        __rvenv_apply ($answer.stdout | from json --objects)
    }
    $env.__rvenv.asking = ""
    if $env.__rvenv.dir != $env.PWD {
        # rvenv failed (it said why) or Ctrl-C stopped it (`do -i` goes on
        # with this function): as if rvenv had decided for this directory
        # alone, do not ask again until the user leaves it or a marker here
        # changes.
        $env.__rvenv.root = $env.PWD
        $env.__rvenv = ($env.__rvenv | merge (__rvenv_here $env.PWD))
    }
}

# Undoes the hook's activation exactly (what rvenv's Deactivate does).
def --env __rvenv_deactivate [] {
    __rvenv_apply [{op: "__rvenv_deactivate", args: []}]
}

# A venv activated by hand took over: our PATH entry and prefix go, its
# VIRTUAL_ENV stays.
def --env __rvenv_yield [] {
    let rest = (__rvenv_without (__rvenv_path) $env.__rvenv.path_entry)
    if $rest != null { $env.PATH = $rest }
    $env.__rvenv.prefix = ""
    $env.__rvenv.had_pythonhome = false
    $env.__rvenv.old_pythonhome = ""
    hide-env -i __RVENV_PYTHONHOME
    $env.__rvenv.venv = ""
    hide-env -i __RVENV_VENV
    $env.__rvenv.path_entry = ""
    $env.__rvenv.dir = ""
}

def __rvenv_git_changed [] {
    let s = $env.__rvenv
    if $s.gitidx == "" or not ($s.gitidx | path exists) or not ($s.gitok | path exists) { return false }
    (ls -D $s.gitidx | get 0.modified) > (ls -D $s.gitok | get 0.modified)
}

# True when the venv's pyvenv.cfg is no older than the stamp rvenv wrote
# when it last judged the venv, or the stamp is gone: a venv made again
# since (perhaps within one command), which rvenv judges anew. No stamp
# (rvenv had nowhere to write one): only the existence test.
def __rvenv_venv_changed [] {
    let s = $env.__rvenv
    let stamp = ($s.vstamp? | default "")
    if $stamp == "" { return false }
    if not ($stamp | path exists) or not ($s.vfile | path exists) { return true }
    (ls -D $s.vfile | get 0.modified) >= (ls -D $stamp | get 0.modified)
}

# True when an overlay named `activate` (`overlay use bin/activate.nu`) is
# active.
def __rvenv_overlay_on [] {
    let overlays = (overlay list)
    ('activate' in $overlays.name) and ('activate' in ($overlays | where active | get name))
}

# The fast path's test, for most prompts: nothing pending, no venv of
# someone else's, ours still there, the same directory (only its markers
# can have changed). Not --env, as is __rvenv_quiet: nushell pays about 30
# us to call a --env command, which a prompt with nothing to do skips.
def __rvenv_fast [s: record] {
    let ve = ($env.VIRTUAL_ENV? | default "")
    # Activated by hand: bash's activate script (inherited) sets
    # _OLD_VIRTUAL_PATH; `overlay use bin/activate.nu` adds an overlay named
    # `activate` (the hook never does either). Its names first: `where
    # active` costs 180 us, at every prompt, for an overlay most never use.
    let theirs = ($env._OLD_VIRTUAL_PATH? != null) or (__rvenv_overlay_on)
    let conda = ($env.CONDA_PREFIX? | default "")
    let first = ((__rvenv_path | get -o 0) == $s.path_entry)
    (not $s.busy) and $s.asking == "" and $s.dir != "" and $env.PWD == $s.dir and $ve == $s.venv and (not $theirs) and $conda == $s.conda_seen and ($s.path_entry == "" or $first or $conda != $s.conda) and ($s.venv == "" or ($s.venv | path join pyvenv.cfg | path exists)) and (not (__rvenv_git_changed)) and (not (__rvenv_venv_changed))
}

# True when the prompt has nothing to do: the fast path, and $PWD's
# markers as they were.
def __rvenv_quiet [] {
    let s = $env.__rvenv
    (__rvenv_fast $s) and (__rvenv_sig_at $s.sigpaths) == $s.sig
}

def --env __rvenv_check [] {
    let s = $env.__rvenv
    if (__rvenv_fast $s) {
        if (__rvenv_sig_at $s.sigpaths) != $s.sig { __rvenv_run }
        return
    }
    let conda = ($env.CONDA_PREFIX? | default "")
    if $s.busy {
        $env.__rvenv.busy = false
        __rvenv_deactivate
        $env.__rvenv.dir = ""
    } else if $s.asking != "" {
        $env.__rvenv.root = $s.asking
        $env.__rvenv.asking = ""
        $env.__rvenv = ($env.__rvenv | merge (__rvenv_here $s.asking))
    }
    let s = $env.__rvenv
    # Read again: the undo above may have unset it.
    let ve = ($env.VIRTUAL_ENV? | default "")
    let theirs = ($env._OLD_VIRTUAL_PATH? != null) or (__rvenv_overlay_on)
    # A venv a parent shell's hook activated (it exported __RVENV_VENV) is
    # not the user's: rvenv checks it and this hook adopts it.
    let parents = $s.venv == "" and $ve == ($env.__RVENV_VENV? | default "")
    if $ve != "" and ($ve != $s.venv or $theirs) and not $parents {
        if $s.venv != "" { __rvenv_yield }
        # Inherited (its activate script's deactivate did not come along):
        # `deactivate` undoes exactly that venv.
        $env.__rvenv.theirs = $ve
        return
    }
    if $s.theirs != "" { $env.__rvenv.theirs = "" }
    if $s.venv != "" and $ve == "" {
        __rvenv_deactivate
        $env.__rvenv.dir = ""
    }
    let s = $env.__rvenv
    if $s.path_entry != "" and $conda == $s.conda and (__rvenv_path | get -o 0) != $s.path_entry {
        # An rc file read again, a profile or pyenv's init put entries that
        # were on PATH already before the venv's bin/: it goes first again,
        # every other entry in its order. A `conda activate` since the venv
        # went on wins; so does a new directory the user put in front.
        let entry = $s.path_entry
        let front = (__rvenv_path | take while {|e| $e != $entry })
        if ($front | all {|e| $e in $s.path_then }) {
            __rvenv_apply [{op: "__rvenv_path_front", args: [$entry]}]
        }
    }
    let s = $env.__rvenv
    if $conda != $s.conda_seen or $s.dir == "" or ($s.venv != "" and not ($s.venv | path join pyvenv.cfg | path exists)) or (__rvenv_git_changed) or (__rvenv_venv_changed) {
        __rvenv_run
        return
    }
    if $env.PWD == $s.dir {
        if (__rvenv_sig_at $s.sigpaths) != $s.sig { __rvenv_run }
        return
    }
    if $s.root != "" and not (__rvenv_within $env.PWD $s.root) {
        __rvenv_run
        return
    }
    # Still inside the same project (or in none): only the directories
    # between $PWD and the part already known can hold a new project.
    mut d = $env.PWD
    while not (__rvenv_within $s.dir $d) {
        let here = $d
        if (__rvenv_paths $here | path exists | into int | append 0 | math max) == 1 {
            __rvenv_run
            return
        }
        $d = ($d | path dirname)
    }
    $env.__rvenv = ($env.__rvenv | merge (__rvenv_here $env.PWD))
}

# `deactivate`: the hook's venv goes off and stays off until you leave
# the project.
def --env deactivate [mode?: string] {
    if $env.__rvenv.venv == "" {
        let ve = ($env.VIRTUAL_ENV? | default "")
        if $ve != "" and $ve == $env.__rvenv.theirs {
            # An inherited venv: its bin/ off PATH (exactly that entry).
            let rest = (__rvenv_without (__rvenv_path) ($ve | path join bin))
            if $rest != null { $env.PATH = $rest }
            hide-env -i VIRTUAL_ENV VIRTUAL_ENV_PROMPT
            $env.__rvenv.theirs = ""
            $env.__rvenv.dir = ""
            return
        }
        error make -u {msg: "rvenv: no venv of the hook's is active"}
    }
    __rvenv_deactivate
    if $mode == "nondestructive" {
        $env.__rvenv.dir = ""
    } else {
        $env.__rvenv.off = $env.__rvenv.root
        # Exported, so that a shell started from here keeps it off too.
        if $env.__rvenv.root != "" { $env.__RVENV_OFF = $env.__rvenv.root }
    }
    $env.__rvenv.pin = ""
    hide-env -i __RVENV_PIN
}

# `rvenv ARGS`: the commands that change the shell go through here.
def --env __rvenv_cmd [args: list] {
    let sub = ($args | get -o 0 | default "")
    if $sub == "activate" {
        let answer = (with-env {__RVENV_SHELL: nushell, __RVENV_HOOK_VENV: $env.__rvenv.venv} { do -i { ^rvenv ...$args } | complete })
        if ($answer.stderr | is-not-empty) { print -e -n $answer.stderr }
        if $answer.exit_code != 0 {
            # rvenv said why; its status for $env.LAST_EXIT_CODE (only a
            # program's exit sets it without a second error message).
            ^sh -c $"exit ($answer.exit_code)"
        } else {
            __rvenv_apply ($answer.stdout | from json --objects)
        }
    } else if $sub == "deactivate" {
        if $env.__rvenv.venv == "" {
            error make -u {msg: "rvenv: no venv is active"}
        }
        deactivate
    } else if $sub in ["create" "allow"] {
        ^rvenv ...$args
        $env.__rvenv.dir = ""
        __rvenv_check
    } else if $sub == "deny" {
        with-env {__RVENV_HOOK_VENV: $env.__rvenv.venv} { ^rvenv ...$args }
        $env.__rvenv.dir = ""
        # Not with-env: what __rvenv_check changes must stay.
        $env.__RVENV_DENIED = "1"
        __rvenv_check
        hide-env __RVENV_DENIED
    } else {
        with-env {__RVENV_HOOK_VENV: $env.__rvenv.venv} { ^rvenv ...$args }
    }
}

# nushell runs the longest command name it knows: the completions' `extern
# "rvenv activate"` (and the others) would reach the binary without the
# hook, so each subcommand that changes the shell or asks about the hook's
# venv is a command here too. Their arguments' types are what Tab completes
# (they replace the completions' externs): directories, or for `run` a
# program on PATH (the completer comes with the completions, before this).
def --env --wrapped rvenv [...args] { __rvenv_cmd $args }
def --env --wrapped "rvenv activate" [...args: directory] { __rvenv_cmd [activate ...$args] }
def --env --wrapped "rvenv deactivate" [...args] { __rvenv_cmd [deactivate ...$args] }
def --env --wrapped "rvenv create" [...args: directory] { __rvenv_cmd [create ...$args] }
def --env --wrapped "rvenv allow" [...args: directory] { __rvenv_cmd [allow ...$args] }
def --env --wrapped "rvenv deny" [...args: directory] { __rvenv_cmd [deny ...$args] }
def --env --wrapped "rvenv status" [...args: directory] { __rvenv_cmd [status ...$args] }
def --env --wrapped "rvenv run" [...args: string@"nu-complete rvenv run command"] { __rvenv_cmd [run ...$args] }

# The prompt: the venv's name in front of whatever PROMPT_COMMAND draws,
# wrapped again when something replaced it.
# True when the prompt is the hook's wrapper.
def __rvenv_wrapped [] {
    let current = ($env.PROMPT_COMMAND? | default "")
    ($current | describe) == "closure" and ((view source $current) | str contains "__rvenv_prompt_marker")
}

# (Called only when it is not: __rvenv_wrapped is the pre_prompt hook's
# test.)
def --env __rvenv_wrap_prompt [] {
    let current = ($env.PROMPT_COMMAND? | default "")
    # A prompt set while a venv is on is the user's (as PS1 in bash): shown
    # as it is; the next venv prefixes it.
    $env.__rvenv.prefix = ""
    let inner = $current
    $env.PROMPT_COMMAND = {||
        let __rvenv_prompt_marker = true
        let drawn = if ($inner | describe) == "closure" { do $inner } else { $inner }
        $"($env.__rvenv?.prefix? | default '')($drawn)"
    }
}

$env.config = ($env.config? | default {})
$env.config.hooks = ($env.config.hooks? | default {})
let __rvenv_pre = ($env.config.hooks.pre_prompt? | default [])
if not ($__rvenv_pre | any {|h| ($h | describe) == "closure" and ((view source $h) | str contains "__rvenv_check") }) {
    $env.config.hooks.pre_prompt = ($__rvenv_pre | prepend {||
        let code = ($env.LAST_EXIT_CODE? | default 0)
        # Wrapped first: a prompt replaced since is the user's, unprefixed
        # until the next venv goes on.
        if not (__rvenv_wrapped) { __rvenv_wrap_prompt }
        if not (__rvenv_quiet) { __rvenv_check }
        $env.LAST_EXIT_CODE = $code
    })
}

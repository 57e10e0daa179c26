# rvenv shell integration for elvish. Load it from ~/.config/elvish/rc.elv with:
#     eval (rvenv hook elvish | slurp)
# It adds `rvenv` to the REPL (and `deactivate` while a venv is on), a
# before-readline and an after-chdir hook, and wraps edit:prompt for the venv's name. Loading it
# twice is harmless: the second load leaves the first one in charge.
#
# Elvish's $pwd is the physical directory (cd resolves symlinks), so a project
# reached through a symlink is decided by its real path.
#
# State (in this closure, shared with the functions rvenv's answers call):
#   venv root off pin told  as in the bash hook (see shell/bash/rvenv.bash)
#   dir sig markers         $pwd and its markers at the last decision
# The hook starts rvenv only when one of these cheap tests says the answer may
# have changed; a prompt where nothing changed runs only builtins, and only
# the few of check's fast path.

use str
use path

# The state: one map that every closure below captures (`set st[k] = v`
# gives the variable a new map). Elvish pays for each output capture,
# `(...)`, about 30 us and for each value put about 10 us, while reading a
# variable costs nothing: the hook reads its state from this map, not
# through functions.
var st = [&venv='' &root='' &off='' &pin='' &told='' &dir='' &sig=[] &markers=[]
  &gitidx='' &gitok='' &watching=$false &path_entry='' &prefix='' &had_pythonhome=$false
  &old_pythonhome='' &busy=$false &asking='' &mkey='' &conda='' &conda_seen=''
  &path_then='' &theirs='' &theirs_fn=$false &byhand=$false &id='@RVENV_HOOK_ID@']
# What check read at the end of its last run, and at its start (see check).
var seen = [(range 10)]
var probed = []
# Whether check asked rvenv (see check), and whether $probed holds $pwd's
# markers as they are (while check's run applies rvenv's answer).
var ran = $false
var fresh = $false
# Loaded again: the first load goes on with its state (its venv and PATH
# entry stay recorded), and this one registers nothing.
# (eval sees the REPL's variables only from this top level: not in a block.)
var first = (not-eq ?(eval 'nop $__rvenv_g~') $ok)

# Whether $p is a regular file (symlinks followed), without a process and
# without an exception: elvish builds one (with its stack trace) for each
# missing file that path:eval-symlinks is asked about, 80 times the cost of
# this test, and most markers are missing at most prompts. rvenv reads every
# marker as a file: a directory, FIFO, socket or device there counts as
# missing.
fn is-file {|p|
  path:is-regular &follow-symlink=$true $p
}

# One $true/$false per marker, for directory $d (put, not captured: the
# caller captures them with whatever else it tests, in one capture). $pwd's
# are asked as `.`: the kernel finds "./name" in two steps where it walks
# every component of "$pwd/name". (They are only compared in the directory
# they were taken in.)
fn marks-of {|d|
  for m $st[markers] { path:is-regular &follow-symlink=$true $d/$m }
}

# The same as a list.
fn sig-of {|d|
  put [(marks-of $d)]
}

# What the git watch compares: the index's bytes when rvenv last looked
# (elvish 0.19 has no stat, so no mtime; reading the file starts no process).
fn index-now {|idx|
  try { slurp < $idx } catch { put '' }
}

# $list (a PATH-style list) without its first entry $entry, in $cut-rest;
# $cut-ok says whether it was there ($false when $entry is empty). Set,
# not put: a caller's capture of two values would cost it one more.
var cut-ok = $false
var cut-rest = ''
fn path-cut {|list entry|
  set cut-ok = $false
  set cut-rest = ''
  if (==s $entry '') { return }
  if (==s $list $entry) { set cut-ok = $true; return }
  # Split once where ":entry:" is in ":list:": what is left, between the
  # two outer colons, is the list without it.
  var head @tail = (str:split &max=2 ':'$entry':' ':'$list':')
  if (eq $tail []) { return }
  var r = $head':'$tail[0]
  set cut-ok = $true
  set cut-rest = $r[1..-1]
}

var ops = [&]

# The operations rvenv's answers are made of (src/render.rs, Op), each
# recording what it does before doing it (see the bash hook).
set ops[begin] = { set st[busy] = $true; set st[asking] = '' }
# The hook's venv is exported as __RVENV_VENV, for a child shell to adopt.
# While CONDA_PREFIX stays what it is now, the venv's bin/ is kept first.
set ops[own] = {|v|
  set st[venv] = $v
  set st[conda] = $E:CONDA_PREFIX
  if (!=s $v '') { set-env __RVENV_VENV $v } else { unset-env __RVENV_VENV }
}
set ops[set] = {|name value| set-env $name $value }
set ops[unset] = {|name| unset-env $name }
set ops[stash_pythonhome] = {
  if (has-env PYTHONHOME) {
    set st[old_pythonhome] = $E:PYTHONHOME
    set st[had_pythonhome] = $true
    # For a child shell that adopts the venv, to give back there too.
    set-env __RVENV_PYTHONHOME $E:PYTHONHOME
    unset-env PYTHONHOME
  } else {
    set st[had_pythonhome] = $false
    unset-env __RVENV_PYTHONHOME
  }
}
set ops[restore_pythonhome] = {
  if $st[had_pythonhome] { set-env PYTHONHOME $st[old_pythonhome] }
  set st[had_pythonhome] = $false
  set st[old_pythonhome] = ''
  unset-env __RVENV_PYTHONHOME
}
# The PYTHONHOME a parent shell's hook set aside for the venv this hook
# adopted (rvenv's AdoptPythonHome): given back when it goes off here.
set ops[adopt_pythonhome] = {|value|
  set st[old_pythonhome] = $value
  set st[had_pythonhome] = $true
}
set ops[path_first] = {|entry|
  set st[path_entry] = $entry
  if (!=s $E:PATH '') {
    set-env PATH $entry':'$E:PATH
  } else {
    set-env PATH $entry
  }
  set st[path_then] = $E:PATH
}
# A parent shell's hook's entry, moved (or put back) first.
set ops[path_front] = {|entry|
  path-cut $E:PATH $entry
  if $cut-ok {
    if (==s $cut-rest '') { set-env PATH $entry } else { set-env PATH $entry':'$cut-rest }
    set st[path_entry] = $entry
    set st[path_then] = $E:PATH
  } else {
    $ops[path_first] $entry
  }
}
set ops[path_remove] = {|entry|
  if (!=s $st[path_entry] '') {
    path-cut $E:PATH $entry
    if $cut-ok { set-env PATH $cut-rest }
  }
  set st[path_entry] = ''
}
set ops[prompt] = {|shown|
  if (has-env VIRTUAL_ENV_DISABLE_PROMPT) { set st[prefix] = '' } else { set st[prefix] = '('$shown') ' }
}
set ops[prompt_clear] = { set st[prefix] = '' }

# deactivate typed by the user: stays off until they leave the project.
var deactivate-all~ = { }
var deactivate-cmd = {|@a|
  deactivate-all
  set st[off] = $st[root]
  # Exported, so that a shell started from here keeps it off too.
  if (!=s $st[root] '') { set-env __RVENV_OFF $st[root] }
  set st[pin] = ''
  unset-env __RVENV_PIN
}
set ops[define_deactivate] = { edit:add-var deactivate~ $deactivate-cmd }
set ops[remove_deactivate] = {
  try { edit:del-var deactivate~ } catch { }
}
# No activate script writes a deactivate for elvish: a venv that is not
# the hook's has the one the hook gave for it (see check), if any.
# (A closure's eval cannot see the REPL's functions.)
var deactivate-inherited = { }
set ops[deactivate_theirs] = {
  if (and (!=s $E:VIRTUAL_ENV '') (!=s $E:VIRTUAL_ENV $st[venv]) $st[theirs_fn]) {
    $deactivate-inherited
  }
}
set ops[state] = {|root off told @signature|
  set st[conda_seen] = $E:CONDA_PREFIX
  set st[root] = $root
  set st[off] = $off
  set st[told] = $told
  set st[dir] = $pwd
  # Asked by check, which has just probed $pwd's markers: no need to test
  # them again.
  if $fresh { set st[sig] = $probed[10..] } else { set st[sig] = (sig-of .) }
  set st[busy] = $false
}
# The markers' key (handed back to rvenv as MARKS, which sends them again
# only when it changed), then the markers.
set ops[set_markers] = {|key @markers| set st[mkey] = $key; set st[markers] = $markers }
# The venv's pyvenv.cfg and rvenv's stamp for it (the last two), which
# the other shells compare to notice a venv made again within one command:
# elvish 0.19 has no stat, so no mtime; a venv made again is noticed at the
# next cd, and whenever its pyvenv.cfg is missing.
set ops[watch] = {|idx stamp vfile vstamp|
  set st[gitidx] = $idx
  set st[watching] = (!=s $idx '')
  if $st[watching] { set st[gitok] = (index-now $idx) } else { set st[gitok] = '' }
}
set ops[pin] = {|v| set st[pin] = $v; set st[off] = ''; set st[busy] = $false }
# The venv $v on (rvenv's Activate), each step recorded before it is made.
set ops[activate] = {|v prompt shown|
  $ops[own] $v
  $ops[stash_pythonhome]
  set-env VIRTUAL_ENV $v
  set-env VIRTUAL_ENV_PROMPT $prompt
  $ops[path_first] $v'/bin'
  $ops[prompt] $shown
  $ops[define_deactivate]
}

# Undoes the hook's activation exactly (rvenv's Deactivate, the user's
# deactivate, an answer cut short, VIRTUAL_ENV unset behind our back), the
# venv's record last.
set deactivate-all~ = {
  set st[gitidx] = ''
  set st[watching] = $false
  if (==s $st[venv] '') { return }
  $ops[path_remove] $st[path_entry]
  $ops[restore_pythonhome]
  $ops[prompt_clear]
  $ops[unset] VIRTUAL_ENV
  $ops[unset] VIRTUAL_ENV_PROMPT
  $ops[remove_deactivate]
  $ops[own] ''
}

# The namespace rvenv's answer is evaluated in: its functions only, no
# builtins but these names (the answer is calls with quoted strings).
var answer-ns = (ns [
  &__rvenv_begin~=$ops[begin]
  &__rvenv_deactivate_theirs~=$ops[deactivate_theirs]
  &__rvenv_activate~=$ops[activate]
  &__rvenv_deactivate~=$deactivate-all~
  &__rvenv_own~=$ops[own]
  &__rvenv_adopt_pythonhome~=$ops[adopt_pythonhome]
  &__rvenv_set~=$ops[set]
  &__rvenv_path_front~=$ops[path_front]
  &__rvenv_prompt~=$ops[prompt]
  &__rvenv_define_deactivate~=$ops[define_deactivate]
  &__rvenv_unset~=$ops[unset]
  &__rvenv_state~=$ops[state]
  &__rvenv_set_markers~=$ops[set_markers]
  &__rvenv_pin~=$ops[pin]
  &__rvenv_watch~=$ops[watch]
])

fn apply {|code|
  eval $code &ns=$answer-ns
}

# Asks rvenv and applies its answer. `asking` says, until rvenv has answered,
# where it was asked: if Ctrl-C stops rvenv, the next prompt finds it set.
fn run {
  set ran = $true
  set fresh = $true
  set st[asking] = $pwd
  var code = ''
  try {
    set code = (e:rvenv __hook elvish $pwd $st[venv] $st[off] $st[pin] $st[told] $st[mkey] $st[id] | slurp)
  } catch { }
  try { apply $code } finally { set fresh = $false }
  set st[asking] = ''
  if (!=s $st[dir] $pwd) {
    # rvenv failed (it said why) or Ctrl-C stopped it (elvish goes on with
    # this function): as if rvenv had decided for this directory alone, do
    # not ask again until the user leaves it or a marker here changes.
    set st[root] = $pwd
    set st[dir] = $pwd
    set st[sig] = (sig-of .)
  }
}

# A venv activated by hand took over from ours: take our PATH entry and
# prompt prefix out, hand it the PYTHONHOME we saved, leave its VIRTUAL_ENV.
fn yield {
  path-cut $E:PATH $st[path_entry]
  if $cut-ok { set-env PATH $cut-rest }
  if (and $st[had_pythonhome] (not (has-env _OLD_VIRTUAL_PYTHONHOME))) {
    set-env _OLD_VIRTUAL_PYTHONHOME $st[old_pythonhome]
  }
  $ops[remove_deactivate]
  set st[had_pythonhome] = $false
  set st[old_pythonhome] = ''
  unset-env __RVENV_PYTHONHOME
  set st[prefix] = ''
  set st[venv] = ''
  unset-env __RVENV_VENV
  set st[path_entry] = ''
  set st[dir] = ''
}

# True when every entry in front of the hook's (every entry, when it is
# gone) was on PATH when the venv went on.
fn reordered {
  var front = ':'$E:PATH':'
  var entry = $st[path_entry]
  if (str:contains $front ':'$entry':') {
    set front = (str:split &max=2 ':'$entry':' $front | take 1)
  }
  var then = ':'$st[path_then]':'
  for e [(str:split ':' $front)] {
    if (and (!=s $e '') (not (str:contains $then ':'$e':'))) { put $false; return }
  }
  put $true
}

fn path-first-is-ours {
  var e = $st[path_entry]
  or (==s $e '') (==s $E:PATH $e) (str:has-prefix $E:PATH $e':') ^
    (!=s $E:CONDA_PREFIX $st[conda])
}

# A venv activated by hand in a parent shell (an activate script, `poetry
# shell`, an IDE's terminal): its deactivate did not come along. This one
# undoes exactly that venv.
set deactivate-inherited = {|@a|
  if (has-env VIRTUAL_ENV) {
    path-cut $E:PATH $E:VIRTUAL_ENV/bin
    if $cut-ok { set-env PATH $cut-rest }
  }
  unset-env VIRTUAL_ENV
  unset-env VIRTUAL_ENV_PROMPT
  try { edit:del-var deactivate~ } catch { }
  set st[theirs] = ''
  set st[theirs_fn] = $false
  set st[dir] = ''
}

# The git index as check's probe read it just before (its ninth value):
# not read a second time.
fn watch-changed {
  and $st[watching] (!=s $probed[8] $st[gitok])
}

# The prompt: the venv's name (printable already: rvenv made it so) in front
# of the user's prompt, whatever it is now.
var user-prompt = $edit:prompt
var prompt = {
  var p = $st[prefix]
  if (!=s $p '') { put $p }
  $user-prompt
}

# What a cd changes when nothing else did (or what is left of check-all's
# work once nothing else does): a new project entered or left, or a marker
# of $pwd made or removed. The markers of $pwd are the end of $probed.
# (Prefix tests on "dir/", one capture each: a root of / makes every cd
# ask rvenv, which is right, only slower.)
fn moved {
  var marks = $probed[10..]
  if (str:has-prefix $pwd/ $st[root]/) { } else {
    # Out of the project (a root of '' is /: no project to leave).
    run
    return
  }
  if (str:has-prefix $st[dir]/ $pwd/) {
    # The directory of the last decision, or one above it (within the
    # project): only its markers can have changed.
    if (==s $pwd $st[dir]) {
      if (not-eq $marks $st[sig]) { run }
      return
    }
  } else {
    # Still inside the same project (or still in none): only the
    # directories between $pwd and the part already known can hold a new
    # project.
    if (has-value $marks $true) { run; return }
    var d = (path:dir $pwd)
    while $true {
      if (or (str:has-prefix $st[dir]/ $d/) (==s $d /)) { break }
      if (has-value [(marks-of $d)] $true) { run; return }
      set d = (path:dir $d)
    }
  }
  set st[dir] = $pwd
  set st[sig] = $marks
}

# The full check: what a prompt, or a cd, must change.
fn check-all {
  # The user (or a tool loaded after us) replaced edit:prompt: wrap theirs.
  if (not-eq $edit:prompt $prompt) {
    set user-prompt = $edit:prompt
    set edit:prompt = $prompt
  }
  if $st[busy] {
    # An answer was cut short (Ctrl-C): undo it, ask again.
    set st[busy] = $false
    deactivate-all
    set st[dir] = ''
  } elif (!=s $st[asking] '') {
    # Ctrl-C stopped rvenv before it answered: leave things as they are, as
    # if rvenv had decided for that directory alone.
    var at = $st[asking]
    set st[root] = $at
    set st[dir] = $at
    set st[asking] = ''
    set st[sig] = (sig-of $at)
  }
  var venv = $st[venv]
  var conda = $E:CONDA_PREFIX
  # A venv activated by hand (or inherited) belongs to the user, even ours
  # when the user set _OLD_VIRTUAL_PATH as activate scripts do (the hook
  # never does). A venv a parent shell's hook activated (it exported
  # __RVENV_VENV) is not the user's: rvenv checks it and this hook adopts it.
  var ve = $E:VIRTUAL_ENV
  if (and (!=s $ve '') (or (!=s $ve $venv) (has-env _OLD_VIRTUAL_PATH)) ^
      (not (and (==s $venv '') (==s $ve $E:__RVENV_VENV)))) {
    set st[byhand] = $true
    if (!=s $venv '') { yield }
    if (!=s $ve $st[theirs]) {
      set st[theirs] = $ve
      edit:add-var deactivate~ $deactivate-inherited
      set st[theirs_fn] = $true
    }
    return
  }
  set st[byhand] = $false
  if (!=s $st[theirs] '') {
    # That venv went off by other means than the deactivate given for it:
    # so does that deactivate.
    if $st[theirs_fn] { try { edit:del-var deactivate~ } catch { } }
    set st[theirs] = ''
    set st[theirs_fn] = $false
  }
  if (and (!=s $venv '') (==s $E:VIRTUAL_ENV '')) {
    # VIRTUAL_ENV was unset behind our back: finish the job.
    deactivate-all
    set st[dir] = ''
  }
  var entry = $st[path_entry]
  if (and (!=s $entry '') (==s $conda $st[conda]) (not (path-first-is-ours)) (reordered)) {
    # An rc file read again or a tool's init put entries that were on PATH
    # already before the venv's bin/ (or took it off): it goes first again,
    # every other entry kept in order. A `conda activate` since the venv
    # went on is the user's switch, and wins; so does a new directory the
    # user put in front.
    $ops[path_front] $entry
  }
  set venv = $st[venv]
  if (or (!=s $conda $st[conda_seen]) (==s $st[dir] '') (and (!=s $venv '') (not (is-file $venv/pyvenv.cfg))) (watch-changed)) {
    run
    return
  }
  moved
}

# Everything check-all reads, in one list and one output capture: nine
# values, then $pwd, then its markers (which moved reads there).
fn probe {
  set probed = [$st $edit:prompt $E:VIRTUAL_ENV $E:CONDA_PREFIX $E:PATH $E:__RVENV_VENV (
    has-env _OLD_VIRTUAL_PATH
    is-file $st[venv]/pyvenv.cfg
    if $st[watching] { index-now $st[gitidx] } else { put '' }
    put $pwd
    marks-of .
  )]
}

# At most prompts nothing check-all reads has changed since its last run,
# which left nothing more to do: two output captures, and no more. After
# most cds only $pwd and its markers did: moved does what is left.
fn check {
  probe
  if (eq $probed $seen) { return }
  set ran = $false
  if $st[byhand] {
    check-all
    probe
  } elif (eq $probed[0..9] $seen[0..9]) {
    moved
    # Without rvenv, moved changed nothing it probed but $st.
    if $ran { probe } else { set probed[0] = $st }
  } else {
    check-all
    probe
  }
  set seen = $probed
}

fn hook {
  try { check } catch e { echo 'rvenv: the hook failed: '(to-string $e[reason]) >&2 }
}

fn activate-code {|@args|
  tmp E:__RVENV_SHELL = elvish
  tmp E:__RVENV_HOOK_VENV = $st[venv]
  e:rvenv $@args | slurp
}

var no-venv = 'rvenv: no venv is active'
var rvenv-cmd = {|@args|
  var cmd = (if (> (count $args) 0) { put $args[0] } else { put '' })
  if (==s $cmd activate) {
    apply (activate-code $@args)
  } elif (==s $cmd deactivate) {
    if (and (!=s $E:VIRTUAL_ENV '') (!=s $st[venv] '')) {
      $deactivate-cmd
    } elif (and (!=s $E:VIRTUAL_ENV '') $st[theirs_fn]) {
      $deactivate-inherited
    } else {
      # elvish's way to fail: an exception, shown with this message (not
      # written out here, or its traceback would show it twice).
      fail $no-venv
    }
  } elif (or (==s $cmd create) (==s $cmd allow)) {
    e:rvenv $@args
    # The venv may now be there, or be trusted: decide at once.
    set st[dir] = ''
    check
  } elif (==s $cmd deny) {
    tmp E:__RVENV_HOOK_VENV = $st[venv]
    e:rvenv $@args
    set st[dir] = ''
    tmp E:__RVENV_DENIED = 1
    check
  } else {
    tmp E:__RVENV_HOOK_VENV = $st[venv]
    e:rvenv $@args
  }
}

if $first {
  edit:add-var rvenv~ $rvenv-cmd
  set edit:before-readline = [$hook~ $@edit:before-readline]
  # At the cd itself too, so a command after it on the same line runs in
  # the venv (the prompt after it finds nothing changed).
  set after-chdir = [$@after-chdir {|_| try { check } catch e { echo 'rvenv: the hook failed: '(to-string $e[reason]) >&2 } }]
  # A field of the state, read or changed (a second load's test, and
  # tests).
  edit:add-var __rvenv_g~ {|k| put $st[$k] }
  edit:add-var __rvenv_s~ {|k v| set st[$k] = $v }
  # The operations, for a test to cut an answer short as Ctrl-C would.
  edit:add-var __rvenv_ops $ops
}

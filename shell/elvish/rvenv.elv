# rvenv shell integration for elvish. Load it from ~/.config/elvish/rc.elv with:
#     eval (rvenv hook elvish | slurp)
# It adds `rvenv` to the REPL (and `deactivate` while a venv is on), a
# before-readline and an after-chdir hook, and wraps edit:prompt for the venv's name. Loading it
# twice is harmless: the second load takes over the first one's state.
#
# Elvish's $pwd is the physical directory (cd resolves symlinks), so a project
# reached through a symlink is decided by its real path.
#
# State (in this closure, shared with the functions rvenv's answers call):
#   venv root off pin told  as in the bash hook (see shell/bash/rvenv.bash)
#   dir sig markers         the fast path: $pwd and its markers at the last decision
# The hook starts rvenv only when one of these cheap tests says the answer may
# have changed; a prompt where nothing changed runs only builtins.

use str
use path

# Maps are values in elvish: the state is one map in a list that every
# closure below captures, read with `g` and changed with `s`.
var box = [[&venv='' &root='' &off='' &pin='' &told='' &dir='' &sig='' &markers=[]
  &gitidx='' &gitok='' &path_entry='' &prefix='' &had_pythonhome=$false
  &old_pythonhome='' &busy=$false &asking='' &mkey='' &conda='' &conda_seen=''
  &path_then='' &theirs='' &theirs_fn=$false &id='']]
var g~ = {|k| put $box[0][$k] }
var s~ = {|k v| set box = [(assoc $box[0] $k $v)] }
# A second load uses the first one's state (its venv and PATH entry stay
# recorded) and registers nothing again.
# (eval sees the REPL's variables only from this top level: not in a block.)
var prev = []
var first = (not-eq ?(set prev = [(eval 'put $__rvenv_g~ $__rvenv_s~')]) $ok)
if (not $first) {
  set g~ s~ = $@prev
}
# This hook's id, handed to rvenv last: an rvenv installed since this shell
# loaded its hook says so.
s id '@RVENV_HOOK_ID@'

# The values of several fields, in order (one output capture for all).
fn gs {|@keys| for k $keys { g $k } }

# Whether $p is a directory or a regular file (symlinks followed), without
# a process, and without an exception: elvish builds one (with its stack
# trace) for each missing file that path:eval-symlinks is asked about, 80
# times the cost of these tests, and most markers are missing at most
# prompts. A FIFO, socket or device counts as missing, as rvenv passes over
# them where it expects a file or a venv.
fn exists {|p|
  or (path:is-dir &follow-symlink=$true $p) (path:is-regular &follow-symlink=$true $p)
}

# One 0/1 per marker, for directory $d.
fn sig-of {|d|
  var out = ''
  for m (g markers) {
    if (exists $d/$m) { set out = $out'1' } else { set out = $out'0' }
  }
  put $out
}

# True when directory $a is $b or below it.
fn within {|a b|
  or (==s $b /) (==s $a $b) (str:has-prefix $a $b/)
}

# What the git watch compares: the index's bytes when rvenv last looked
# (elvish 0.19 has no stat, so no mtime; reading the file starts no process).
fn index-now {|idx|
  try { slurp < $idx } catch { put '' }
}

# $list (a PATH-style list) without its first entry $entry; $false and ''
# when it is not there or $entry is empty.
fn path-without {|list entry|
  if (==s $entry '') { put $false ''; return }
  var padded = ':'$list':'
  if (not (str:contains $padded ':'$entry':')) { put $false ''; return }
  var r = (str:replace &max=1 ':'$entry':' ':' $padded)
  set r = (str:trim-prefix $r ':')
  set r = (str:trim-suffix $r ':')
  put $true $r
}

fn get-env-or-empty {|name|
  if (has-env $name) { get-env $name } else { put '' }
}

var ops = [&]

# The operations rvenv's answers are made of (src/render.rs, Op), each
# recording what it does before doing it (see the bash hook).
set ops[begin] = { s busy $true; s asking '' }
# The hook's venv is exported as __RVENV_VENV, for a child shell to adopt.
# While CONDA_PREFIX stays what it is now, the venv's bin/ is kept first.
set ops[own] = {|v|
  s venv $v
  s conda (get-env-or-empty CONDA_PREFIX)
  if (!=s $v '') { set-env __RVENV_VENV $v } else { unset-env __RVENV_VENV }
}
set ops[set] = {|name value| set-env $name $value }
set ops[unset] = {|name| unset-env $name }
set ops[stash_pythonhome] = {
  if (has-env PYTHONHOME) {
    s old_pythonhome $E:PYTHONHOME
    s had_pythonhome $true
    # For a child shell that adopts the venv, to give back there too.
    set-env __RVENV_PYTHONHOME $E:PYTHONHOME
    unset-env PYTHONHOME
  } else {
    s had_pythonhome $false
    unset-env __RVENV_PYTHONHOME
  }
}
set ops[restore_pythonhome] = {
  if (g had_pythonhome) { set-env PYTHONHOME (g old_pythonhome) }
  s had_pythonhome $false
  s old_pythonhome ''
  unset-env __RVENV_PYTHONHOME
}
# The PYTHONHOME a parent shell's hook set aside for the venv this hook
# adopted (rvenv's AdoptPythonHome): given back when it goes off here.
set ops[adopt_pythonhome] = {|value|
  s old_pythonhome $value
  s had_pythonhome $true
}
set ops[path_first] = {|entry|
  s path_entry $entry
  if (and (has-env PATH) (!=s $E:PATH '')) {
    set-env PATH $entry':'$E:PATH
  } else {
    set-env PATH $entry
  }
  s path_then $E:PATH
}
# A parent shell's hook's entry, moved (or put back) first.
set ops[path_front] = {|entry|
  var ok new = (path-without $E:PATH $entry)
  if $ok {
    if (==s $new '') { set-env PATH $entry } else { set-env PATH $entry':'$new }
    s path_entry $entry
    s path_then $E:PATH
  } else {
    $ops[path_first] $entry
  }
}
set ops[path_remove] = {|entry|
  if (!=s (g path_entry) '') {
    var ok new = (path-without $E:PATH $entry)
    if $ok { set-env PATH $new }
  }
  s path_entry ''
}
set ops[prompt] = {|shown|
  if (has-env VIRTUAL_ENV_DISABLE_PROMPT) { s prefix '' } else { s prefix '('$shown') ' }
}
set ops[prompt_clear] = { s prefix '' }

# deactivate typed by the user: stays off until they leave the project.
var deactivate-all~ = { }
var deactivate-cmd = {|@a|
  deactivate-all
  s off (g root)
  # Exported, so that a shell started from here keeps it off too.
  if (!=s (g root) '') { set-env __RVENV_OFF (g root) }
  s pin ''
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
  if (and (!=s $E:VIRTUAL_ENV '') (!=s $E:VIRTUAL_ENV (g venv)) (g theirs_fn)) {
    $deactivate-inherited
  }
}
set ops[state] = {|root off told @signature|
  s conda_seen (get-env-or-empty CONDA_PREFIX)
  s root $root
  s off $off
  s told $told
  s dir $pwd
  s sig (sig-of $pwd)
  s busy $false
}
# The markers' key (handed back to rvenv as MARKS, which sends them again
# only when it changed), then the markers.
set ops[set_markers] = {|key @markers| s mkey $key; s markers $markers }
set ops[watch] = {|idx stamp|
  s gitidx $idx
  s gitok (if (!=s $idx '') { index-now $idx } else { put '' })
}
set ops[pin] = {|v| s pin $v; s off ''; s busy $false }
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
  s gitidx ''
  if (==s (g venv) '') { return }
  $ops[path_remove] (g path_entry)
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
  s asking $pwd
  var code = ''
  try {
    set code = (e:rvenv __hook elvish $pwd (g venv) (g off) (g pin) (g told) (g mkey) (g id) | slurp)
  } catch { }
  apply $code
  s asking ''
  if (!=s (g dir) $pwd) {
    # rvenv failed (it said why) or Ctrl-C stopped it (elvish goes on with
    # this function): as if rvenv had decided for this directory alone, do
    # not ask again until the user leaves it or a marker here changes.
    s root $pwd
    s dir $pwd
    s sig (sig-of $pwd)
  }
}

# A venv activated by hand took over from ours: take our PATH entry and
# prompt prefix out, hand it the PYTHONHOME we saved, leave its VIRTUAL_ENV.
fn yield {
  var ok new = (path-without $E:PATH (g path_entry))
  if $ok { set-env PATH $new }
  if (and (g had_pythonhome) (not (has-env _OLD_VIRTUAL_PYTHONHOME))) {
    set-env _OLD_VIRTUAL_PYTHONHOME (g old_pythonhome)
  }
  $ops[remove_deactivate]
  s had_pythonhome $false
  s old_pythonhome ''
  unset-env __RVENV_PYTHONHOME
  s prefix ''
  s venv ''
  unset-env __RVENV_VENV
  s path_entry ''
  s dir ''
}

# True when every entry in front of the hook's (every entry, when it is
# gone) was on PATH when the venv went on.
fn reordered {
  var front = ':'$E:PATH':'
  var entry = (g path_entry)
  if (str:contains $front ':'$entry':') {
    set front = (str:split &max=2 ':'$entry':' $front | take 1)
  }
  var then = ':'(g path_then)':'
  for e [(str:split ':' $front)] {
    if (and (!=s $e '') (not (str:contains $then ':'$e':'))) { put $false; return }
  }
  put $true
}

fn path-first-is-ours {
  var e = (g path_entry)
  or (==s $e '') (==s $E:PATH $e) (str:has-prefix $E:PATH $e':') ^
    (!=s (get-env-or-empty CONDA_PREFIX) (g conda))
}

# A venv activated by hand in a parent shell (an activate script, `poetry
# shell`, an IDE's terminal): its deactivate did not come along. This one
# undoes exactly that venv.
set deactivate-inherited = {|@a|
  if (has-env VIRTUAL_ENV) {
    var ok new = (path-without $E:PATH $E:VIRTUAL_ENV/bin)
    if $ok { set-env PATH $new }
  }
  unset-env VIRTUAL_ENV
  unset-env VIRTUAL_ENV_PROMPT
  try { edit:del-var deactivate~ } catch { }
  s theirs ''
  s theirs_fn $false
  s dir ''
}

fn watch-changed {
  and (!=s (g gitidx) '') (!=s (index-now (g gitidx)) (g gitok))
}

fn check {
  # The fast path, for most prompts: nothing pending, no venv activated by
  # hand, ours still there, the same directory as last time. Its fields in
  # one read: each `(g key)` is an output capture, and eight of them cost
  # this test 170 us more.
  var venv busy asking dir conda_seen sig = (gs venv busy asking dir conda_seen sig)
  var conda = (get-env-or-empty CONDA_PREFIX)
  if (and (not $busy) (==s $asking '') (!=s $dir '') (==s $pwd $dir) ^
      (==s $E:VIRTUAL_ENV $venv) (not (has-env _OLD_VIRTUAL_PATH)) (==s $conda $conda_seen) ^
      (or (==s $venv '') (exists $venv/pyvenv.cfg)) (path-first-is-ours) (not (watch-changed))) {
    if (!=s (sig-of $pwd) $sig) { run }
    return
  }
  if (g busy) {
    # An answer was cut short (Ctrl-C): undo it, ask again.
    s busy $false
    deactivate-all
    s dir ''
  } elif (!=s (g asking) '') {
    # Ctrl-C stopped rvenv before it answered: leave things as they are, as
    # if rvenv had decided for that directory alone.
    var at = (g asking)
    s root $at
    s dir $at
    s asking ''
    s sig (sig-of $at)
  }
  set venv = (g venv)
  # A venv activated by hand (or inherited) belongs to the user, even ours
  # when the user set _OLD_VIRTUAL_PATH as activate scripts do (the hook
  # never does). A venv a parent shell's hook activated (it exported
  # __RVENV_VENV) is not the user's: rvenv checks it and this hook adopts it.
  var ve = $E:VIRTUAL_ENV
  if (and (!=s $ve '') (or (!=s $ve $venv) (has-env _OLD_VIRTUAL_PATH)) ^
      (not (and (==s $venv '') (==s $ve (get-env-or-empty __RVENV_VENV))))) {
    if (!=s $venv '') { yield }
    if (!=s $ve (g theirs)) {
      s theirs $ve
      edit:add-var deactivate~ $deactivate-inherited
      s theirs_fn $true
    }
    return
  }
  if (!=s (g theirs) '') {
    # That venv went off by other means than the deactivate given for it:
    # so does that deactivate.
    if (g theirs_fn) { try { edit:del-var deactivate~ } catch { } }
    s theirs ''
    s theirs_fn $false
  }
  if (and (!=s $venv '') (==s $E:VIRTUAL_ENV '')) {
    # VIRTUAL_ENV was unset behind our back: finish the job.
    deactivate-all
    s dir ''
  }
  var entry = (g path_entry)
  if (and (!=s $entry '') (==s $conda (g conda)) (not (path-first-is-ours)) (reordered)) {
    # An rc file read again or a tool's init put entries that were on PATH
    # already before the venv's bin/ (or took it off): it goes first again,
    # every other entry kept in order. A `conda activate` since the venv
    # went on is the user's switch, and wins; so does a new directory the
    # user put in front.
    $ops[path_front] $entry
  }
  set venv = (g venv)
  if (or (!=s $conda (g conda_seen)) (==s (g dir) '') (and (!=s $venv '') (not (exists $venv/pyvenv.cfg))) (watch-changed)) {
    run
    return
  }
  if (==s $pwd (g dir)) {
    if (!=s (sig-of $pwd) (g sig)) { run }
    return
  }
  if (and (!=s (g root) '') (not (within $pwd (g root)))) {
    run
    return
  }
  # Still inside the same project (or still in none): only the directories
  # between $pwd and the part already known can hold a new project.
  var d = $pwd
  while (not (within (g dir) $d)) {
    for m (g markers) {
      if (exists $d/$m) { run; return }
    }
    set d = (path:dir $d)
  }
  s dir $pwd
  s sig (sig-of $pwd)
}

# The prompt: the venv's name (printable already: rvenv made it so) in front
# of the user's prompt, whatever it is now.
var user-prompt = $edit:prompt
var prompt = {
  var p = (g prefix)
  if (!=s $p '') { put $p }
  $user-prompt
}

fn hook {
  # The user (or a tool loaded after us) replaced edit:prompt: wrap theirs.
  if (not (eq $edit:prompt $prompt)) {
    set user-prompt = $edit:prompt
    set edit:prompt = $prompt
  }
  try { check } catch e { echo 'rvenv: the hook failed: '(to-string $e[reason]) >&2 }
}

fn activate-code {|@args|
  tmp E:__RVENV_SHELL = elvish
  tmp E:__RVENV_HOOK_VENV = (g venv)
  e:rvenv $@args | slurp
}

var no-venv = 'rvenv: no venv is active'
edit:add-var rvenv~ {|@args|
  var cmd = (if (> (count $args) 0) { put $args[0] } else { put '' })
  if (==s $cmd activate) {
    apply (activate-code $@args)
  } elif (==s $cmd deactivate) {
    if (and (!=s $E:VIRTUAL_ENV '') (!=s (g venv) '')) {
      $deactivate-cmd
    } elif (and (!=s $E:VIRTUAL_ENV '') (g theirs_fn)) {
      $deactivate-inherited
    } else {
      # elvish's way to fail: an exception, shown with this message (not
      # written out here, or its traceback would show it twice).
      fail $no-venv
    }
  } elif (or (==s $cmd create) (==s $cmd allow)) {
    e:rvenv $@args
    # The venv may now be there, or be trusted: decide at once.
    s dir ''
    check
  } elif (==s $cmd deny) {
    tmp E:__RVENV_HOOK_VENV = (g venv)
    e:rvenv $@args
    s dir ''
    tmp E:__RVENV_DENIED = 1
    check
  } else {
    tmp E:__RVENV_HOOK_VENV = (g venv)
    e:rvenv $@args
  }
}

if $first {
  set edit:before-readline = [$hook~ $@edit:before-readline]
  # At the cd itself too, so a command after it on the same line runs in
  # the venv (the prompt after it finds nothing changed).
  set after-chdir = [$@after-chdir {|_| try { check } catch e { echo 'rvenv: the hook failed: '(to-string $e[reason]) >&2 } }]
  edit:add-var __rvenv_g~ $g~
  edit:add-var __rvenv_s~ $s~
  # The operations, for a test to cut an answer short as Ctrl-C would.
  edit:add-var __rvenv_ops $ops
}

//! Turns a [`Decision`] into what the hook applies: a short list of
//! operations ([`Op`]), the only things rvenv ever asks of a shell, rendered
//! in the form that shell takes. Each template in `shell/` implements every
//! operation once (`__rvenv_begin`, `__rvenv_set`, ...); every value
//! passed goes through [`crate::quote`].

use std::ffi::{OsStr, OsString};
use std::path::Path;

use crate::decide::{Activation, Decision, NoVenv, Refusal};
use crate::quote::{command_arg, display, quote};
use crate::shell::Shell;

/// What rvenv asks the hook to do: a few operations, each implemented
/// once per template. An answer is `Begin`, then changes, then `State` or
/// `Pin`: a Ctrl-C between the first and the last leaves `__rvenv_busy`
/// set, and the next prompt undoes the half-applied answer (each change
/// records what it did in the hook's state before or as it makes it, so
/// the template's own undo, `__rvenv_deactivate`, knows what is there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// An answer that changes something starts.
    Begin,
    /// A venv on that is not the hook's goes off through its own
    /// `deactivate` (before `rvenv activate`; only the shell knows whether
    /// there is one).
    DeactivateTheirs,
    /// The venv on, in one operation (a crossing's answer is a few calls,
    /// not a dozen: each costs the shell more than the work in it). In this
    /// order, each step recorded in the hook's state before it is made, so
    /// that the template's undo finishes an activation cut short: `venv`
    /// recorded as the hook's, PYTHONHOME set aside, VIRTUAL_ENV and
    /// VIRTUAL_ENV_PROMPT (`prompt`) exported, `venv/bin` first on PATH,
    /// `shown` (the name, already made printable) as the prompt's prefix,
    /// `deactivate` defined.
    Activate {
        venv: OsString,
        prompt: OsString,
        shown: OsString,
    },
    /// The hook's venv (`venv`) off, exactly, every other change the user
    /// made kept: the template's undo, `__rvenv_deactivate` (its PATH
    /// entry off, PYTHONHOME restored, the prompt's prefix off,
    /// VIRTUAL_ENV and VIRTUAL_ENV_PROMPT unset, `deactivate` removed, the
    /// venv's record last).
    Deactivate { venv: OsString },
    /// The venv the hook has on from here (empty: none), for a venv adopted
    /// from a parent shell.
    Own { venv: OsString },
    /// The PYTHONHOME the parent shell's hook set aside for the venv this
    /// one adopted: recorded as set aside here too, so that the venv going
    /// off in this shell gives it back (PYTHONHOME is unset here, as the
    /// parent left it).
    AdoptPythonHome { value: OsString },
    /// Set and export a variable.
    SetVar { name: &'static str, value: OsString },
    /// `entry`, which is the hook's already (a parent shell's hook put it
    /// there), moved to the front of PATH, or added there when something
    /// took it off; recorded as the hook's.
    PathFront { entry: OsString },
    /// `shown` (the venv's name, already made printable) as the prompt's
    /// prefix, drawn as each shell's prompt requires.
    PromptPrefix { shown: OsString },
    /// `deactivate` defined, for the user to type.
    DefineDeactivate,
    /// Unset a variable.
    UnsetVar { name: &'static str },
    /// The hook's state after the answer: the project the decision holds
    /// for, the project kept off, the venv the user was told about, and
    /// which markers exist in the directory (`0`/`1` each, in the order of
    /// the markers; see `Decision::signature`).
    State {
        root: OsString,
        off: OsString,
        told: OsString,
        signature: OsString,
        /// The markers the signature's digits stand for, in its order.
        markers: Vec<OsString>,
    },
    /// The names whose appearance or disappearance in a directory may
    /// change the answer, which the fast path tests at each prompt, and
    /// their key ([`markers_key`]). Sent only when the hook holds another
    /// key: the list changes only with RVENV_VENV_NAMES or RVENV_SOURCES,
    /// and a shell takes it in once (bash and zsh build a function of
    /// unrolled tests from it), not at every crossing.
    Markers { key: String, markers: Vec<OsString> },
    /// `rvenv activate`'s answer ends here: the venv it pinned (or none),
    /// and no project kept off.
    Pin { venv: OsString },
    /// What the fast path compares at each prompt while the venv is on: the
    /// git index, and the stamp rvenv wrote when it last found it clean
    /// (both empty: nothing to watch; see `vcs::watch`); and the venv's
    /// pyvenv.cfg and the stamp written when rvenv last judged that venv
    /// (both empty: only whether pyvenv.cfg exists; see
    /// `runtime_dir::venv_stamp`). Each file newer than its stamp makes
    /// the hook ask again.
    Watch {
        index: OsString,
        stamp: OsString,
        venv_file: OsString,
        venv_stamp: OsString,
    },
}

/// The PATH entry of `venv`: its `bin`, written as the templates compare
/// it (bytes, no normalising).
pub fn bin_entry(venv: &OsStr) -> OsString {
    let mut entry = venv.to_owned();
    entry.push("/bin");
    entry
}

impl Op {
    /// The operation that puts `activation` on.
    pub fn activate(activation: &Activation) -> Vec<Op> {
        vec![Op::Activate {
            venv: activation.venv.as_os_str().to_owned(),
            prompt: activation.prompt.clone(),
            shown: display_name(&activation.prompt),
        }]
    }

    /// The operation that undoes the hook's activation of `venv` exactly,
    /// leaving every other change the user made.
    pub fn deactivate(venv: &OsStr) -> Vec<Op> {
        vec![Op::Deactivate {
            venv: venv.to_owned(),
        }]
    }

    /// The template's function for this operation, and its arguments.
    fn call(&self) -> (&'static str, Vec<&OsStr>) {
        match self {
            Op::Begin => ("__rvenv_begin", vec![]),
            Op::DeactivateTheirs => ("__rvenv_deactivate_theirs", vec![]),
            Op::Activate {
                venv,
                prompt,
                shown,
            } => ("__rvenv_activate", vec![venv, prompt, shown]),
            Op::Deactivate { .. } => ("__rvenv_deactivate", vec![]),
            Op::Own { venv } => ("__rvenv_own", vec![venv]),
            Op::AdoptPythonHome { value } => ("__rvenv_adopt_pythonhome", vec![value]),
            Op::SetVar { name, value } => ("__rvenv_set", vec![OsStr::new(name), value]),
            Op::PathFront { entry } => ("__rvenv_path_front", vec![entry]),
            Op::PromptPrefix { shown } => ("__rvenv_prompt", vec![shown]),
            Op::DefineDeactivate => ("__rvenv_define_deactivate", vec![]),
            Op::UnsetVar { name } => ("__rvenv_unset", vec![OsStr::new(name)]),
            Op::State {
                root,
                off,
                told,
                signature,
                ..
            } => ("__rvenv_state", vec![root, off, told, signature]),
            Op::Markers { key, markers } => {
                let mut args = vec![OsStr::new(key.as_str())];
                args.extend(markers.iter().map(OsString::as_os_str));
                ("__rvenv_set_markers", args)
            }
            Op::Pin { venv } => ("__rvenv_pin", vec![venv]),
            Op::Watch {
                index,
                stamp,
                venv_file,
                venv_stamp,
            } => ("__rvenv_watch", vec![index, stamp, venv_file, venv_stamp]),
        }
    }
}

/// `ops` in the form `shell`'s hook applies.
pub fn render(shell: Shell, ops: &[Op]) -> Vec<u8> {
    match shell {
        // Shells that eval code: one call of the template's function per
        // line, `name 'arg' 'arg'`, only the quoting differing.
        Shell::Bash | Shell::Zsh | Shell::Elvish | Shell::Powershell => calls(shell, ops),
        // The same, with its markers' lists before the state.
        Shell::Fish => fish_calls(ops),
        // Python calls, `name('arg', 'arg')`, which the xonsh hook reads as
        // data (each line parsed, only string literals accepted), never runs.
        Shell::Xonsh => python_calls(ops),
        Shell::Tcsh => tcsh_calls(ops, std::env::var_os("PATH").as_deref()),
        Shell::Nushell => nu_records(ops),
    }
}

fn python_calls(ops: &[Op]) -> Vec<u8> {
    let mut code = Vec::new();
    for op in ops {
        let (function, args) = op.call();
        code.extend_from_slice(function.as_bytes());
        code.push(b'(');
        for (i, arg) in args.into_iter().enumerate() {
            if i > 0 {
                code.extend_from_slice(b", ");
            }
            code.extend_from_slice(&quote(Shell::Xonsh, arg));
        }
        code.extend_from_slice(b")\n");
    }
    code
}

/// tcsh has no functions: each operation is `source LIB/NAME NAME ARGS`
/// (a file of the hook's library, see `tcsh_call`), written to a file the
/// hook sources, one command per line. tcsh cannot cut a string by its
/// content, so a PATH entry is taken off (or moved first) here, from the
/// PATH this process was given (the shell's, exported) as the answer's
/// earlier steps leave it (see `tcsh_path_cut`). A prompt prefix is escaped
/// for the prompt (`quote::tcsh_prompt_prefix`).
fn tcsh_calls(ops: &[Op], path: Option<&OsStr>) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    // PATH as the template will have it when each operation runs.
    let mut path: Option<Vec<u8>> = path.map(|p| p.as_bytes().to_vec());
    let mut code = Vec::new();
    for op in ops {
        let (function, mut args) = op.call();
        let owned: Vec<OsString> = match op {
            Op::Deactivate { venv } => tcsh_path_cut(&mut path, &bin_entry(venv), false),
            Op::PathFront { entry } => tcsh_path_cut(&mut path, entry, true),
            Op::Activate { venv, shown, .. } => {
                path = Some(prepended(&bin_entry(venv), path.as_deref()));
                // The name as the prompt draws it, in place of `shown`.
                args.pop();
                vec![crate::quote::tcsh_prompt_prefix(shown)]
            }
            Op::PromptPrefix { shown } => {
                args.clear();
                vec![crate::quote::tcsh_prompt_prefix(shown)]
            }
            _ => vec![],
        };
        args.extend(owned.iter().map(OsString::as_os_str));
        code.extend_from_slice(tcsh_call(function).as_bytes());
        for arg in args {
            code.push(b' ');
            code.extend_from_slice(&quote(Shell::Tcsh, arg));
        }
        code.push(b'\n');
    }
    code
}

/// `entry`, then `rest` (a PATH-style list) when there is one.
fn prepended(entry: &OsStr, rest: Option<&[u8]>) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let mut now = entry.as_bytes().to_vec();
    if let Some(rest) = rest.filter(|r| !r.is_empty()) {
        now.push(b':');
        now.extend_from_slice(rest);
    }
    now
}

/// For tcsh's template: `entry` taken off `path` (the PATH the template
/// will have), or moved to its front when `front`, and what the template
/// is told: `1 REST` (REST: that PATH without the entry), or `0 ''` when
/// the entry is not there.
fn tcsh_path_cut(path: &mut Option<Vec<u8>>, entry: &OsStr, front: bool) -> Vec<OsString> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let rest = path
        .as_deref()
        .and_then(|p| path_without(p, entry.as_bytes()));
    if front {
        let now = prepended(entry, rest.as_deref().or(path.as_deref()));
        *path = Some(now);
    } else if let Some(rest) = &rest {
        *path = Some(rest.clone());
    }
    match rest {
        Some(rest) => vec!["1".into(), OsString::from_vec(rest)],
        None => vec!["0".into(), OsString::new()],
    }
}

/// For a shell that cannot cut strings (tcsh), when a venv activated by
/// hand took over: `entry` taken off PATH (`path`, the shell's) and off
/// `old` (its activate script's `_OLD_VIRTUAL_PATH`), where it is. The
/// other shells do this in their template: nothing.
pub fn yield_path(shell: Shell, path: &OsStr, old: &OsStr, entry: &OsStr) -> Vec<u8> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let mut code = Vec::new();
    match shell {
        Shell::Tcsh => {
            if let Some(rest) = path_without(path.as_bytes(), entry.as_bytes()) {
                code.extend_from_slice(b"setenv PATH ");
                code.extend(quote(shell, &OsString::from_vec(rest)));
                code.push(b'\n');
            }
            if let Some(rest) = path_without(old.as_bytes(), entry.as_bytes()) {
                code.extend_from_slice(b"set _OLD_VIRTUAL_PATH = ");
                code.extend(quote(shell, &OsString::from_vec(rest)));
                code.push(b'\n');
            }
        }
        Shell::Bash
        | Shell::Zsh
        | Shell::Fish
        | Shell::Nushell
        | Shell::Elvish
        | Shell::Powershell
        | Shell::Xonsh => {}
    }
    code
}

/// The PATH-style list `list` without the first occurrence of `entry`
/// (matched whole, literally), or None when it is not there or `entry` is
/// empty: the rule of the bash template's `__rvenv_path_without`.
pub fn path_without(list: &[u8], entry: &[u8]) -> Option<Vec<u8>> {
    if entry.is_empty() {
        return None;
    }
    let mut padded = b":".to_vec();
    padded.extend_from_slice(list);
    padded.push(b':');
    let mut needle = b":".to_vec();
    needle.extend_from_slice(entry);
    needle.push(b':');
    let at = padded.windows(needle.len()).position(|w| w == needle)?;
    let mut out = padded[..at].to_vec();
    out.push(b':');
    out.extend_from_slice(&padded[at + needle.len()..]);
    // Off with the padding: one colon each side.
    let out = &out[1..];
    Some(out[..out.len().saturating_sub(1)].to_vec())
}

/// nushell cannot evaluate code: the answer is data, one JSON record per
/// operation (`{"op": NAME, "args": [..]}`), that the template applies with
/// load-env / hide-env. Values are strings, so UTF-8: nu holds no other
/// (a byte that is not UTF-8 arrives as U+FFFD).
fn nu_records(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    for op in ops {
        let (function, args) = op.call();
        let args: Vec<serde_json::Value> = match op {
            // The key, then the list as one value.
            Op::Markers { key, markers } => vec![
                key.as_str().into(),
                markers
                    .iter()
                    .map(|m| serde_json::Value::from(m.to_string_lossy()))
                    .collect(),
            ],
            _ => args
                .iter()
                .map(|a| serde_json::Value::from(a.to_string_lossy()))
                .collect(),
        };
        let record = serde_json::json!({ "op": function, "args": args });
        out.extend_from_slice(record.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// One [`call_line`] per operation.
fn calls(shell: Shell, ops: &[Op]) -> Vec<u8> {
    ops.iter().flat_map(|op| call_line(shell, op)).collect()
}

/// As [`calls`], but fish tests its markers with two lists (`path filter`,
/// one builtin each), not a signature: the state is preceded by its
/// signature spelled as those lists, which saves fish two command
/// substitutions of `path filter` per crossing.
fn fish_calls(ops: &[Op]) -> Vec<u8> {
    let mut code = Vec::new();
    for op in ops {
        if let Op::State {
            signature, markers, ..
        } = op
        {
            code.extend(fish_marks(signature, markers));
        }
        code.extend(call_line(Shell::Fish, op));
    }
    code
}

/// `name 'arg' 'arg'`: one call of the template's function, a line.
fn call_line(shell: Shell, op: &Op) -> Vec<u8> {
    let (function, args) = op.call();
    let mut line = function.as_bytes().to_vec();
    for arg in args {
        line.push(b' ');
        line.extend_from_slice(&quote(shell, arg));
    }
    line.push(b'\n');
    line
}

/// `__rvenv_present` with the markers the signature says exist, then
/// `__rvenv_absent` with the others.
fn fish_marks(signature: &OsStr, markers: &[OsString]) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let mut present = b"__rvenv_present".to_vec();
    let mut absent = b"__rvenv_absent".to_vec();
    for (digit, marker) in signature.as_bytes().iter().zip(markers) {
        let list = if *digit == b'1' {
            &mut present
        } else {
            &mut absent
        };
        list.push(b' ');
        list.extend(quote(Shell::Fish, marker));
    }
    present.push(b'\n');
    absent.push(b'\n');
    present.extend(absent);
    present
}

/// The venv's name as drawn in the prompt ([`crate::shell::drawn_name`]).
pub fn display_name(prompt: &OsStr) -> OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    OsString::from_vec(crate::shell::drawn_name(prompt.as_bytes()))
}

/// The one line saying why a venv is not activated, with the next step in
/// `shell`'s syntax; paths below `home` are shown as `~/...` where that
/// helps.
pub fn refusal_line(refusal: &Refusal, shell: Shell, home: Option<&Path>) -> String {
    let arg = |p: &Path| command_arg(shell, p.as_os_str());
    let allow = |venv: &Path| format!("if you trust it, run: rvenv allow {}", arg(venv));
    match refusal {
        Refusal::Colon { venv } => format!(
            "rvenv: not activating {}: its path holds ':', which PATH cannot hold; \
             move or recreate it elsewhere",
            display(venv.as_os_str())
        ),
        Refusal::Broken { venv, why, pwd } => {
            crate::venv::broken_message(venv, why, shell, pwd.as_deref(), home)
        }
        Refusal::Unsafe { venv, why } => format!(
            "rvenv: not activating {}: {}; only you (or root) may be able to change it",
            display(venv.as_os_str()),
            display(OsStr::new(why))
        ),
        Refusal::Tracked { venv, git } => format!(
            "rvenv: not activating {}: {}",
            display(venv.as_os_str()),
            git.reason(shell).unwrap_or_default()
        ),
        Refusal::StoreCorrupt(why) => why.clone(),
        Refusal::Replaced { venv } => format!(
            "rvenv: {} was replaced since you allowed it, so it was not activated; {}",
            display(venv.as_os_str()),
            allow(venv)
        ),
        Refusal::NotTrusted { venv } => format!(
            "rvenv: {} is not trusted, so it was not activated; {}",
            display(venv.as_os_str()),
            allow(venv)
        ),
    }
}

/// Every line the hook prints for `decision`: why not, then what changed.
pub fn decision_lines(decision: &Decision, shell: Shell, home: Option<&Path>) -> Vec<String> {
    let refusal = decision
        .refusal
        .iter()
        .map(|r| refusal_line(r, shell, home));
    let no_venv = decision.no_venv.iter().map(|n| no_venv_line(n, shell));
    refusal
        .chain(no_venv)
        .chain(decision.messages.iter().cloned())
        .collect()
}

/// `rvenv: shop is a Python project without a venv; make one with: rvenv
/// create` (with the path to the project's `.venv` when the shell is below
/// it), the command in `shell`'s syntax.
pub fn no_venv_line(no_venv: &NoVenv, shell: Shell) -> String {
    let NoVenv { project, pwd } = no_venv;
    let name = project.file_name().unwrap_or(project.as_os_str());
    let mut command = "rvenv create".to_owned();
    if pwd != project {
        let up = pwd
            .strip_prefix(project)
            .map_or(0, |rest| rest.iter().count());
        let mut rel = std::path::PathBuf::new();
        for _ in 0..up {
            rel.push("..");
        }
        rel.push(".venv");
        command.push(' ');
        command.push_str(&command_arg(shell, rel.as_os_str()));
    }
    format!(
        "rvenv: {} is a Python project without a venv; make one with: {command}",
        display(name)
    )
}

fn path_or_empty(path: Option<&Path>) -> &OsStr {
    path.map(Path::as_os_str).unwrap_or(OsStr::new(""))
}

/// A short name for a list of markers, which the hook hands back (`MARKS`)
/// so that rvenv sends the list only when it changed: FNV-1a over the
/// names, each ended by a NUL (no name holds one), in hex.
pub fn markers_key(markers: &[OsString]) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in markers
        .iter()
        .flat_map(|m| m.as_bytes().iter().chain(std::iter::once(&0)))
    {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The operations for a decision: undo, apply, then record the state the
/// next prompt compares against (the markers only when the hook's key,
/// `hook_markers`, is not theirs).
pub fn decision_ops(decision: &Decision, hook_markers: &OsStr) -> Vec<Op> {
    let mut ops = Vec::new();
    if decision.deactivate.is_some() || decision.activate.is_some() || decision.adopt.is_some() {
        ops.push(Op::Begin);
    }
    if let Some(adoption) = &decision.adopt {
        // Recorded as the hook's first, so that a deactivation that follows
        // (or an answer cut short) undoes it like any of the hook's.
        let venv = adoption.venv.as_os_str();
        ops.push(Op::Own {
            venv: venv.to_owned(),
        });
        if let Some(value) = &adoption.pythonhome {
            ops.push(Op::AdoptPythonHome {
                value: value.clone(),
            });
        }
        ops.push(Op::PathFront {
            entry: bin_entry(venv),
        });
        if decision.deactivate.is_none() {
            ops.push(Op::PromptPrefix {
                shown: display_name(&adoption.prompt),
            });
            ops.push(Op::DefineDeactivate);
        }
    }
    if let Some(venv) = &decision.deactivate {
        ops.extend(Op::deactivate(venv.as_os_str()));
    }
    if let Some(activation) = &decision.activate {
        ops.extend(Op::activate(activation));
    }
    let key = markers_key(&decision.markers);
    if hook_markers != OsStr::new(&key) {
        ops.push(Op::Markers {
            key,
            markers: decision.markers.clone(),
        });
    }
    ops.push(Op::State {
        root: path_or_empty(decision.project.as_deref()).to_owned(),
        off: path_or_empty(decision.off.as_deref()).to_owned(),
        told: path_or_empty(decision.told.as_deref()).to_owned(),
        signature: OsString::from(&decision.signature),
        markers: decision.markers.clone(),
    });
    for (name, value) in &decision.exports {
        ops.push(match value {
            Some(value) => Op::SetVar {
                name,
                value: value.clone(),
            },
            None => Op::UnsetVar { name },
        });
    }
    if let Some(pin) = &decision.pin {
        ops.push(Op::Pin {
            venv: pin.clone().into_os_string(),
        });
    }
    let (index, stamp) = match &decision.watch {
        Some((index, stamp)) => (
            index.clone().into_os_string(),
            stamp.clone().into_os_string(),
        ),
        None => (OsString::new(), OsString::new()),
    };
    let (venv_file, venv_stamp) = match &decision.venv_stamp {
        Some((file, stamp)) => (
            file.clone().into_os_string(),
            stamp.clone().into_os_string(),
        ),
        None => (OsString::new(), OsString::new()),
    };
    ops.push(Op::Watch {
        index,
        stamp,
        venv_file,
        venv_stamp,
    });
    ops
}

/// The hook's answer for a decision, for `shell` (whose hook holds the
/// markers of key `hook_markers`).
pub fn render_decision(shell: Shell, decision: &Decision, hook_markers: &OsStr) -> Vec<u8> {
    render(shell, &decision_ops(decision, hook_markers))
}

/// How tcsh runs the hook's operation `function` (see
/// `tcsh_template_calls`).
pub fn tcsh_call(function: &str) -> String {
    format!("source $__rvenv_lib:q/{function} {function}")
}

/// `text` with each `source $__rvenv_lib:q NAME` (the tcsh template's way
/// to run an operation) as [`tcsh_call`] writes it: the file of that
/// operation, in rvenv's library directory, NAME in its argv[1].
pub fn tcsh_template_calls(text: &str) -> String {
    const CALL: &str = "source $__rvenv_lib:q ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(CALL) {
        out.push_str(&rest[..at]);
        let after = &rest[at + CALL.len()..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        out.push_str(&tcsh_call(&after[..len]));
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_names_hold_no_control_characters() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"a\x1b[31m\n\x7f\xc2\x9b\xe2\x80\xae\xff\xc3\xa9");
        assert_eq!(display_name(name), "a?[31m?????\u{e9}");
    }
    use std::path::PathBuf;

    #[test]
    fn markers_go_only_to_a_hook_without_them() {
        let decision = Decision {
            markers: vec!["a".into(), "b/c".into()],
            ..Decision::default()
        };
        let key = markers_key(&decision.markers);
        assert_ne!(key, markers_key(&["a".into()]));
        assert_ne!(key, markers_key(&["ab".into(), "/c".into()]));
        let has_markers = |hook: &str| {
            decision_ops(&decision, OsStr::new(hook))
                .iter()
                .any(|op| matches!(op, Op::Markers { .. }))
        };
        assert!(has_markers(""));
        assert!(has_markers("0000000000000000"));
        assert!(!has_markers(&key));
    }

    #[test]
    fn renders_calls_with_quoted_values() {
        let decision = Decision {
            adopt: None,
            deactivate: Some(PathBuf::from("/o'ld/.venv")),
            activate: Some(Activation {
                venv: PathBuf::from("/p q/$(x)/.venv"),
                prompt: "it's".into(),
                version: None,
            }),
            project: Some(PathBuf::from("/p q/$(x)")),
            off: None,
            told: None,
            markers: vec!["pyvenv.cfg".into(), "a'b".into()],
            signature: "10".into(),
            pin: None,
            exports: vec![],
            without_venv: None,
            watch: None,
            venv_stamp: None,
            refusal: None,
            no_venv: None,
            messages: vec![],
        };
        let key = markers_key(&decision.markers);
        assert_eq!(key.len(), 16);
        assert_eq!(
            String::from_utf8(render_decision(Shell::Bash, &decision, OsStr::new(""))).unwrap(),
            "__rvenv_begin\n\
             __rvenv_deactivate\n\
             __rvenv_activate '/p q/$(x)/.venv' 'it'\\''s' 'it'\\''s'\n\
             __rvenv_set_markers 'KEY' 'pyvenv.cfg' 'a'\\''b'\n\
             __rvenv_state '/p q/$(x)' '' '' '10'\n\
             __rvenv_watch '' '' '' ''\n"
                .replace("KEY", &key)
        );
        assert_eq!(
            String::from_utf8(render_decision(Shell::Fish, &decision, OsStr::new(""))).unwrap(),
            "__rvenv_begin\n\
             __rvenv_deactivate\n\
             __rvenv_activate '/p q/$(x)/.venv' 'it\\'s' 'it\\'s'\n\
             __rvenv_set_markers 'KEY' 'pyvenv.cfg' 'a\\'b'\n\
             __rvenv_present 'pyvenv.cfg'\n\
             __rvenv_absent 'a\\'b'\n\
             __rvenv_state '/p q/$(x)' '' '' '10'\n\
             __rvenv_watch '' '' '' ''\n"
                .replace("KEY", &key)
        );
    }
}

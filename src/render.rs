//! Turns a [`Decision`] into code for one shell. The hook scripts in `shell/`
//! define the functions called here (`__rvenv_activate`, ...); every value
//! passed to them goes through [`crate::quote`]. The call syntax
//! `name 'arg' 'arg'` is the same in every shell rvenv evals code in; only the
//! quoting differs.

use std::ffi::OsStr;
use std::path::Path;

use crate::decide::{Activation, Decision, Refusal};
use crate::quote::{command_arg, display, quote};
use crate::shell::Shell;

/// Builds a script one command per line.
pub struct Script {
    shell: Shell,
    code: Vec<u8>,
}

impl Script {
    pub fn new(shell: Shell) -> Script {
        Script {
            shell,
            code: Vec::new(),
        }
    }

    /// `function arg...`, each argument quoted for the shell.
    pub fn call<'a>(&mut self, function: &str, args: impl IntoIterator<Item = &'a OsStr>) {
        self.code.extend_from_slice(function.as_bytes());
        for arg in args {
            self.code.push(b' ');
            self.code.extend_from_slice(&quote(self.shell, arg));
        }
        self.code.push(b'\n');
    }

    pub fn deactivate(&mut self) {
        self.call("__rvenv_deactivate", []);
    }

    pub fn activate(&mut self, activation: &Activation) {
        let display = display_name(&activation.prompt);
        self.call(
            "__rvenv_activate",
            [
                activation.venv.as_os_str(),
                activation.prompt.as_os_str(),
                display.as_os_str(),
            ],
        );
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.code
    }
}

/// The venv's name as drawn in the prompt ([`crate::shell::drawn_name`]).
pub fn display_name(prompt: &OsStr) -> std::ffi::OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    std::ffi::OsString::from_vec(crate::shell::drawn_name(prompt.as_bytes()))
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
    refusal.chain(decision.messages.iter().cloned()).collect()
}

fn path_or_empty(path: Option<&Path>) -> &OsStr {
    path.map(Path::as_os_str).unwrap_or(OsStr::new(""))
}

/// The hook's code for a decision: undo, apply, then record the state the
/// next prompt compares against.
pub fn render_decision(shell: Shell, decision: &Decision) -> Vec<u8> {
    let mut script = Script::new(shell);
    if decision.deactivate || decision.activate.is_some() {
        script.call("__rvenv_begin", []);
    }
    if decision.deactivate {
        script.deactivate();
    }
    if let Some(activation) = &decision.activate {
        script.activate(activation);
    }
    let mut state = vec![
        path_or_empty(decision.project.as_deref()),
        path_or_empty(decision.off.as_deref()),
        path_or_empty(decision.told.as_deref()),
    ];
    state.extend(decision.markers.iter().map(|m| m.as_os_str()));
    script.call("__rvenv_state", state);
    script.into_bytes()
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
    fn renders_calls_with_quoted_values() {
        let decision = Decision {
            deactivate: true,
            activate: Some(Activation {
                venv: PathBuf::from("/p q/$(x)/.venv"),
                prompt: "it's".into(),
                version: None,
            }),
            project: Some(PathBuf::from("/p q/$(x)")),
            off: None,
            told: None,
            markers: vec!["pyvenv.cfg".into()],
            refusal: None,
            messages: vec![],
        };
        assert_eq!(
            String::from_utf8(render_decision(Shell::Bash, &decision)).unwrap(),
            "__rvenv_begin\n\
             __rvenv_deactivate\n\
             __rvenv_activate '/p q/$(x)/.venv' 'it'\\''s' 'it'\\''s'\n\
             __rvenv_state '/p q/$(x)' '' '' 'pyvenv.cfg'\n"
        );
        assert_eq!(
            String::from_utf8(render_decision(Shell::Fish, &decision)).unwrap(),
            "__rvenv_begin\n\
             __rvenv_deactivate\n\
             __rvenv_activate '/p q/$(x)/.venv' 'it\\'s' 'it\\'s'\n\
             __rvenv_state '/p q/$(x)' '' '' 'pyvenv.cfg'\n"
        );
    }
}

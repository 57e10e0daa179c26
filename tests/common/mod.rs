//! Harness for the hook tests: real interactive bash, zsh and fish on a
//! pseudo-terminal, so their prompt hooks fire exactly as they do for a user.
//!
//! Each [`Session`] starts one shell with a controlled environment (its own
//! HOME, PATH = the rvenv under test + /usr/bin:/bin, TERM=dumb), sources an
//! rc file that sets the prompt `RVP> `, defines two helpers and loads the
//! hook the way a user does (`eval "$(rvenv hook bash)"`,
//! `rvenv hook fish | source`). Then:
//! - [`Session::run`] types a command line, then a line calling `__rvsync N`,
//!   which prints `SY` + `NC-N` (assembled at run time, so the echo of what
//!   was typed never matches) and waits for that marker. Between the two
//!   lines the shell draws a prompt, so the prompt hooks ran and the prompt
//!   drawn after the command is the one in front of the `__rvsync` line
//!   ([`render_line`] replays carriage returns and backspaces as a terminal
//!   does). `__rvsync` also appends `SYNC N` to `$HOME/pc.log`, so a test's
//!   own prompt hook logging there can tell which prompt logged what.
//! - [`Session::state`] has the shell write the exported environment
//!   (`env -0`), PS1, `command -v python`, `$?` and whether `deactivate` is
//!   defined into files: values are compared as bytes, never parsed out of
//!   the terminal.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// How long any one wait on a shell may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The prompt every session sets; the hook prefixes it with `(name) `.
pub const PROMPT: &str = "RVP> ";

/// The shells, as rvenv defines them: the same file, so a shell added
/// there must get a driver here ([`Drive`]) before the tests compile.
#[path = "../../src/shell.rs"]
mod model;
#[allow(unused_imports)]
pub use model::{Shell, drawn_name};

/// How the tests drive a shell through a pty: how to start it
/// interactively, and the few commands they type. Every shell with a hook
/// has one (the exhaustive matches below fail to compile otherwise); a
/// shell without a hook has none (`argv` is None), which
/// `every_hooked_shell_has_a_driver` checks.
pub trait Drive: Copy {
    /// The arguments that start it interactively without the user's rc
    /// files, or None when the tests have no driver for it.
    fn argv(self) -> Option<&'static [&'static str]>;
    /// The arguments that run a script (a file, or `-c` and code) without
    /// the user's rc files.
    fn script_argv(self) -> &'static [&'static str];
    fn is_posix(self) -> bool;
    /// `cd` to `path` (quoted; the path must not hold `'`).
    fn cd(self, path: &Path) -> String;
    /// `source` a file (quoted; the path must not hold `'`).
    fn source(self, path: &Path) -> String;
    /// Sets and exports a variable.
    fn export(self, name: &str, value: &str) -> String;
    /// The line that loads the hook, as in the README.
    fn hook_line(self) -> String;
    /// Whether the shell is installed; when not, the reason is printed, and
    /// under CI that is a failure, not a skip (see [`skip`]).
    fn available(self) -> bool;
    /// The shell's program on PATH.
    fn program(self) -> Option<PathBuf>;
    /// A command that does nothing.
    fn true_command(self) -> &'static str {
        "true"
    }
}

fn quoted_path(path: &Path) -> &str {
    let p = path.to_str().expect("test path is UTF-8");
    assert!(!p.contains('\'') && !p.contains('\\'), "{p:?}");
    p
}

impl Drive for Shell {
    fn argv(self) -> Option<&'static [&'static str]> {
        match self {
            Shell::Bash => Some(&["--norc", "--noprofile", "-i"]),
            Shell::Zsh => Some(&["-f", "-i"]),
            Shell::Fish => Some(&["--no-config", "-i"]),
            Shell::Elvish => Some(&["-norc"]),
            Shell::Xonsh => Some(&["--no-rc", "-i"]),
            Shell::Tcsh => Some(&["-f", "-i"]),
            // The rc file is passed as --config by Session::start_in.
            Shell::Nushell => Some(&["--config", "/dev/null", "--env-config", "/dev/null"]),
            // pwsh cannot be installed here: golden files instead
            // (tests/hook_powershell.rs).
            Shell::Powershell => None,
        }
    }

    fn script_argv(self) -> &'static [&'static str] {
        match self {
            Shell::Bash => &["--norc", "--noprofile"],
            Shell::Zsh => &["-f"],
            Shell::Fish => &["--no-config"],
            Shell::Elvish => &["-norc"],
            Shell::Xonsh => &["--no-rc"],
            Shell::Tcsh => &["-f"],
            Shell::Nushell => &["--no-config-file"],
            Shell::Powershell => no_hook(self),
        }
    }

    fn is_posix(self) -> bool {
        match self {
            Shell::Bash | Shell::Zsh => true,
            Shell::Fish
            | Shell::Elvish
            | Shell::Powershell
            | Shell::Nushell
            | Shell::Tcsh
            | Shell::Xonsh => false,
        }
    }

    fn cd(self, path: &Path) -> String {
        format!("cd '{}'", quoted_path(path))
    }

    fn source(self, path: &Path) -> String {
        let p = quoted_path(path);
        match self {
            Shell::Bash | Shell::Zsh => format!(". '{p}'"),
            // elvish has no `source`: the REPL evaluates the file's text.
            Shell::Elvish => format!("eval (slurp < '{p}')"),
            Shell::Xonsh => format!("execx(open('{p}').read())"),
            Shell::Fish | Shell::Powershell | Shell::Nushell | Shell::Tcsh => {
                format!("source '{p}'")
            }
        }
    }

    fn export(self, name: &str, value: &str) -> String {
        assert!(!value.contains('\'') && !value.contains('\\'));
        match self {
            Shell::Bash | Shell::Zsh => format!("export {name}='{value}'"),
            Shell::Fish => format!("set -gx {name} '{value}'"),
            Shell::Elvish => format!("set-env {name} '{value}'"),
            Shell::Powershell => format!("$env:{name} = '{value}'"),
            Shell::Nushell => format!("$env.{name} = '{value}'"),
            Shell::Xonsh => format!("${name} = '{value}'"),
            Shell::Tcsh => format!("setenv {name} '{value}'"),
        }
    }

    fn hook_line(self) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("eval \"$(rvenv hook {})\"", self.name()),
            Shell::Fish => "rvenv hook fish | source".into(),
            Shell::Elvish => "eval (rvenv hook elvish | slurp)".into(),
            Shell::Xonsh => "execx($(rvenv hook xonsh))".into(),
            Shell::Powershell => "Invoke-Expression (& rvenv hook powershell | Out-String)".into(),
            Shell::Tcsh => "eval \"`rvenv hook tcsh`\"".into(),
            // nushell sources at parse time: the session saves `rvenv hook
            // nu` to this file before the shell starts (see rc_text).
            Shell::Nushell => "source rvenv-hook.nu".into(),
        }
    }

    fn program(self) -> Option<PathBuf> {
        match self {
            // From PyPI, where scripts/test puts it.
            Shell::Xonsh => which("xonsh").or_else(|| {
                let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/bin/xonsh");
                is_executable(&p).then_some(p)
            }),
            // The npm package's `nu` is a node wrapper: the real binary, as
            // scripts/test exports it.
            Shell::Nushell => std::env::var_os("RVENV_TEST_NU")
                .map(PathBuf::from)
                .filter(|p| is_executable(p))
                .or_else(|| which("nu")),
            _ => which(self.name()),
        }
    }

    fn available(self) -> bool {
        if self.program().is_some() {
            return true;
        }
        skip(&format!(
            "{} is not installed (apt-get install -y {})",
            self.name(),
            self.name()
        ));
        false
    }
}

/// For the arms of a test's `match` on a shell that has no hook yet: the
/// tests never drive one (issue 14 writes each arm).
#[track_caller]
pub fn no_hook(shell: Shell) -> ! {
    panic!("{} has no hook to drive", shell.name())
}

/// The shells with a hook that no test can run live, and why: only a
/// shell that truly cannot be installed here (its reason is printed; it is
/// not a skip, so CI does not refuse it). A shell whose driver or rows are
/// not written yet is a failing test, not an entry here.
pub const NOT_LIVE: &[(Shell, &str)] = &[(
    Shell::Powershell,
    "pwsh cannot be installed here: its hook is checked by golden files (tests/hook_powershell.rs)",
)];

/// The shells the hook tests run in: every shell with a hook but those of
/// [`NOT_LIVE`] (whose reason is printed).
pub fn hooked_shells() -> Vec<Shell> {
    Shell::hooked()
        .filter(|s| match NOT_LIVE.iter().find(|(n, _)| n == s) {
            Some((_, why)) => {
                eprintln!("not run live: {}: {why}", s.name());
                false
            }
            None => true,
        })
        .collect()
}

/// The shells [`shell_tests!`] writes a test for. A shell given a hook in
/// src/shell.rs fails every row (`covers_every_hooked_shell`) until it is
/// added here and to the macro.
pub const DRIVEN: &[Shell] = &[
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::Nushell,
    Shell::Tcsh,
    Shell::Xonsh,
];

/// Whole rows a shell truly cannot express, and why: not a skip but a fact
/// of that shell (printed by [`cannot_express`]). A case that is one step
/// of a row says so in the row's own `match` arm, the same way.
pub const CANNOT: &[(&str, Shell, &str)] = &[
    (
        "adopted_venv_made_again_goes_off",
        Shell::Elvish,
        "elvish 0.19 has no stat (no mtime, no inode): a venv made again between two \
         prompts is noticed at the next cd (or when its pyvenv.cfg is missing)",
    ),
    (
        "replaced_while_on_goes_off_at_the_next_prompt",
        Shell::Elvish,
        "elvish 0.19 has no stat (no mtime, no inode): a venv made again between two \
         prompts is noticed at the next cd (or when its pyvenv.cfg is missing)",
    ),
    (
        "scripts_never_run_the_hook",
        Shell::Elvish,
        "elvish reads rc.elv only when interactive, and the hook cannot load in a script \
         (edit:, the line editor's namespace, is not there)",
    ),
    (
        "hand_activated_venv_is_left_alone",
        Shell::Elvish,
        NO_ACTIVATE,
    ),
    (
        "hand_activated_venv_is_left_alone",
        Shell::Xonsh,
        NO_ACTIVATE,
    ),
    (
        "hand_activated_over_ours_gets_our_pythonhome",
        Shell::Elvish,
        NO_ACTIVATE,
    ),
    (
        "hand_activated_over_ours_gets_our_pythonhome",
        Shell::Xonsh,
        NO_ACTIVATE,
    ),
    (
        "same_venv_activated_by_hand_over_ours",
        Shell::Elvish,
        NO_ACTIVATE,
    ),
    (
        "same_venv_activated_by_hand_over_ours",
        Shell::Xonsh,
        NO_ACTIVATE,
    ),
    (
        "project_deleted_while_inside",
        Shell::Nushell,
        "nushell refuses every command while its working directory is deleted",
    ),
    (
        "hand_activated_venv_is_left_alone",
        Shell::Nushell,
        NO_ACTIVATE_NU,
    ),
    (
        "hand_activated_over_ours_gets_our_pythonhome",
        Shell::Nushell,
        NO_ACTIVATE_NU,
    ),
    (
        "same_venv_activated_by_hand_over_ours",
        Shell::Nushell,
        NO_ACTIVATE_NU,
    ),
];

/// Why nushell has no row sourcing an activate script.
pub const NO_ACTIVATE_NU: &str = "CPython's venv writes no activate.nu, so no venv is \
     activated by hand in nushell here (one inherited from a parent shell is: \
     inherited_venv_is_left_alone)";

/// Why elvish and xonsh have no row sourcing an activate script.
pub const NO_ACTIVATE: &str = "CPython's venv writes no activate script for elvish or xonsh, \
     so no venv is activated by hand in them (one inherited from a parent shell is: \
     inherited_venv_is_left_alone)";

/// Whether row `row` of [`shell_tests!`] runs in `shell`: every row runs in
/// every shell with a hook, but for a row of [`CANNOT`], which says why
/// ([`cannot_express`]). (nushell's and tcsh's rows were written one by one
/// under a list of their own until every row was.)
pub fn row_runs(shell: Shell, row: &str) -> bool {
    if let Some((_, _, why)) = CANNOT.iter().find(|(r, s, _)| *r == row && *s == shell) {
        cannot_express(shell, &format!("{row}: {why}"));
        return false;
    }
    true
}

/// Defines `mod NAME { fn bash, fn zsh, fn fish, ... }` (one per shell of
/// [`DRIVEN`]), each calling
/// `NAME(Shell)`: one row of the table of behaviour cases that every shell
/// with a hook runs, plus `covers_every_hooked_shell`, which fails when a
/// shell has a hook but no test here. The table's rows are every
/// `shell_tests!` in tests/: enter, subdirectory, leave and switch
/// (hook_activation.rs), PATH edits kept, create/delete in the cwd, hand
/// activation, `deactivate`, `rvenv activate` (hook_user.rs), the trust hint
/// (trust.rs), hostile names (hook_hostile.rs, trust.rs), special files
/// (hook_blocking.rs), sources (hook_sources.rs) and more; a case a shell
/// cannot express says so in its own `match` arm.
#[macro_export]
macro_rules! shell_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::common::{Drive, Shell};
                #[test]
                fn bash() {
                    if Shell::Bash.available() {
                        super::$name(Shell::Bash)
                    }
                }
                #[test]
                fn zsh() {
                    if Shell::Zsh.available() {
                        super::$name(Shell::Zsh)
                    }
                }
                #[test]
                fn fish() {
                    if Shell::Fish.available() {
                        super::$name(Shell::Fish)
                    }
                }
                #[test]
                fn elvish() {
                    if super::common::row_runs(Shell::Elvish, stringify!($name))
                        && Shell::Elvish.available()
                    {
                        super::$name(Shell::Elvish)
                    }
                }
                #[test]
                fn nushell() {
                    if super::common::row_runs(Shell::Nushell, stringify!($name))
                        && Shell::Nushell.available()
                    {
                        super::$name(Shell::Nushell)
                    }
                }
                #[test]
                fn tcsh() {
                    if super::common::row_runs(Shell::Tcsh, stringify!($name))
                        && Shell::Tcsh.available()
                    {
                        super::$name(Shell::Tcsh)
                    }
                }
                #[test]
                fn xonsh() {
                    if super::common::row_runs(Shell::Xonsh, stringify!($name))
                        && Shell::Xonsh.available()
                    {
                        super::$name(Shell::Xonsh)
                    }
                }
                #[test]
                fn covers_every_hooked_shell() {
                    assert_eq!(
                        super::common::hooked_shells(),
                        super::common::DRIVEN,
                        "a shell with a hook needs its test in shell_tests! (tests/common)"
                    );
                }
            }
        )*
    };
}

/// The program `name` on this process's PATH (where scripts/test puts what
/// it installs), else in /usr/bin, /bin or /usr/local/bin.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/bin", "/bin", "/usr/local/bin"].map(PathBuf::from))
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The arguments of `rvenv __hook SHELL DIR ...` as SHELL's hook passes
/// them: `state` (ACTIVE, OFF, PIN, TOLD, MARKS, as many as given) padded
/// with empty ones, then the hook's id (without it rvenv takes the caller
/// for a hook loaded from another rvenv).
#[allow(dead_code)]
pub fn hook_argv(shell: &str, dir: &OsStr, state: &[&OsStr]) -> Vec<OsString> {
    let mut argv = vec![OsString::from("__hook"), shell.into(), dir.into()];
    argv.extend(state.iter().map(|a| a.to_os_string()));
    argv.resize(8, OsString::new());
    argv.push(OsString::from_vec(hook_id(shell)));
    argv
}

/// The id rvenv's hook for `shell` hands `rvenv __hook` (`rvenv __hook_id`).
#[allow(dead_code)]
pub fn hook_id(shell: &str) -> Vec<u8> {
    let id = Command::new(rvenv_bin())
        .args(["__hook_id", shell])
        .output()
        .expect("rvenv __hook_id");
    assert!(id.status.success(), "rvenv __hook_id {shell}");
    id.stdout.trim_ascii_end().to_vec()
}

pub fn rvenv_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_rvenv"))
}

/// The PATH every session starts with.
/// `cd` to the directory in the environment variable `var`.
pub fn cd_var(sh: Shell, var: &str) -> String {
    match sh {
        Shell::Fish => format!("cd ${var}"),
        // `:q` keeps a newline in the word.
        Shell::Tcsh => format!("cd ${var}:q"),
        Shell::Nushell => format!("cd $env.{var}"),
        Shell::Elvish => format!("cd $E:{var}"),
        // The value as a Python str: the hook turns $EXPAND_ENV_VARS off
        // while its PATH entry holds a `$` or `~` (xonsh would expand
        // them in PATH), which stops `$NAME` in subprocess mode too.
        Shell::Xonsh => format!("cd @(${var})"),
        _ => format!("cd -- \"${var}\""),
    }
}

/// Why `sh` cannot hold `name` as a working directory, if it cannot (the
/// tests hand each name over in a variable: see [`cd_var`]).
pub fn cannot_hold(sh: Shell, name: &[u8]) -> Option<&'static str> {
    match sh {
        Shell::Nushell if std::str::from_utf8(name).is_err() => {
            Some("nushell holds paths as UTF-8 strings")
        }
        Shell::Nushell
            if name
                .iter()
                .any(|&b| (b < 0x20 && b != b'\t' && b != b'\n') || b == 0x7f) =>
        {
            Some("nushell's cd says `Directory not found` for a name holding a control character")
        }
        Shell::Nushell if name.len() > 2 && name.iter().all(|&b| b == b'.') => {
            Some("nushell's cd reads `...` as `../..`")
        }
        Shell::Nushell if name.ends_with(b"\n") => {
            Some("nushell drops a trailing newline from a variable it inherits")
        }
        Shell::Tcsh if name.contains(&b'\n') => {
            Some("tcsh's \"$cwd\" stops at a newline (Unmatched '\"')")
        }
        _ => None,
    }
}

/// A directory holding an `rvenv` that, while `$HOME/<flag>` exists, never
/// answers `__hook`: it appends its pid to `$HOME/started` and becomes
/// `sleep 600`. Put it first on PATH; [`wait_until_asleep`] tells when a
/// Ctrl-C is sure to reach it.
pub fn sleeping_rvenv(fx: &Fixture, flag: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = fx.dir("sleepbin");
    let wrapper = bin.join("rvenv");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n\
             if [ \"$1\" = __hook ] && [ -e \"$HOME/{flag}\" ]; then\n\
             \x20   echo $$ >>\"$HOME/started\"; exec sleep 600\n\
             fi\n\
             exec '{}' \"$@\"\n",
            rvenv_bin().display()
        ),
    )
    .unwrap();
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// Waits until the [`sleeping_rvenv`] the hook started last is `sleep`
/// itself. Until its exec is done, sh holds a Ctrl-C back while it forks or
/// execs, and a `sleep` that never got it would hold the prompt for ten
/// minutes: a race of the test, not of the hook.
pub fn wait_until_asleep(s: &Session, started: &Path, what: &str) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let pid = fs::read_to_string(started)
            .ok()
            .and_then(|t| t.lines().last().map(str::to_owned));
        if let Some(pid) = pid
            && fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{:?}: {what}:\n{}",
            s.shell,
            s.transcript()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

pub fn base_path() -> OsString {
    let mut p = rvenv_bin().parent().unwrap().as_os_str().to_owned();
    p.push(":/usr/bin:/bin");
    p
}

/// The Python that makes the test venvs: pyenv's 3.12.1 when present, else
/// python3 on PATH.
pub fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        if let Some(home) = std::env::var_os("HOME") {
            let p = Path::new(&home).join(".pyenv/versions/3.12.1/bin/python3");
            if p.is_file() {
                return p;
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|d| d.join("python3"))
            .find(|p| p.is_file())
            .or_else(|| which("python3"))
            .expect("python3 is needed to make test venvs")
    })
}

/// Lossy text, for messages.
pub fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn bytes(p: impl AsRef<OsStr>) -> Vec<u8> {
    p.as_ref().as_bytes().to_vec()
}

/// Drops terminal escape sequences (CSI, OSC, charset selection).
pub fn strip_ansi(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b != 0x1b {
            out.push(b);
            i += 1;
            continue;
        }
        match input.get(i + 1) {
            Some(b'[') => {
                i += 2;
                while i < input.len() && !(0x40..=0x7e).contains(&input[i]) {
                    i += 1;
                }
                i += 1;
            }
            Some(b']') => {
                i += 2;
                while i < input.len() {
                    if input[i] == 0x07 {
                        i += 1;
                        break;
                    }
                    if input[i] == 0x1b && input.get(i + 1) == Some(&b'\\') {
                        i += 2;
                        break;
                    }
                    i += 1;
                }
            }
            Some(b'(' | b')' | b'*' | b'+') => i += 3,
            _ => i += 2,
        }
    }
    out
}

/// What a terminal shows of one line written as `bytes` (carriage returns
/// and backspaces move the cursor, text overwrites), up to the cursor. A
/// cell is one UTF-8 character, or one byte that is not part of one.
pub fn render_line(bytes: &[u8]) -> Vec<u8> {
    fn put<'a>(cells: &mut Vec<&'a [u8]>, cursor: &mut usize, cell: &'a [u8]) {
        if *cursor < cells.len() {
            cells[*cursor] = cell;
        } else {
            cells.push(cell);
        }
        *cursor += 1;
    }
    let mut cells: Vec<&[u8]> = Vec::new();
    let mut cursor: usize = 0;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let mut i = 0;
        for c in valid.chars() {
            let cell = &valid.as_bytes()[i..i + c.len_utf8()];
            i += c.len_utf8();
            match c {
                '\r' => cursor = 0,
                '\x08' => cursor = cursor.saturating_sub(1),
                c if c.is_control() => {}
                _ => put(&mut cells, &mut cursor, cell),
            }
        }
        for b in chunk.invalid().chunks(1) {
            put(&mut cells, &mut cursor, b);
        }
    }
    cells[..cursor].concat()
}

/// What a terminal shows of one line written as `bytes`, to its end: as
/// [`render_line`], but escape sequences are read, not dropped: cursor
/// forward (`ESC [ N C`) moves over cells, erase (`ESC [ K`) clears from the
/// cursor on, any other sequence is ignored. Trailing blanks are dropped.
pub fn render_screen_line(bytes: &[u8]) -> Vec<u8> {
    let mut cells: Vec<&[u8]> = Vec::new();
    let mut cursor = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0x1b {
            // The sequence's end, as strip_ansi reads it.
            let mut j = i + 2;
            match bytes.get(i + 1) {
                Some(b'[') => {
                    while j < bytes.len() && !(0x40..=0x7e).contains(&bytes[j]) {
                        j += 1;
                    }
                    let arg = std::str::from_utf8(&bytes[i + 2..j.min(bytes.len())]).unwrap_or("");
                    match bytes.get(j) {
                        Some(b'C') => cursor += arg.parse::<usize>().unwrap_or(1),
                        Some(b'K') if arg.is_empty() || arg == "0" => cells.truncate(cursor),
                        _ => {}
                    }
                    j += 1;
                }
                Some(b']') => {
                    while j < bytes.len() && bytes[j] != 0x07 && !bytes[j..].starts_with(b"\x1b\\")
                    {
                        j += 1;
                    }
                    j += if bytes.get(j) == Some(&0x07) { 1 } else { 2 };
                }
                Some(b'(' | b')' | b'*' | b'+') => j += 1,
                _ => {}
            }
            i = j;
            continue;
        }
        let len = match b {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        let cell = &bytes[i..(i + len).min(bytes.len())];
        i += cell.len();
        match b {
            b'\r' => cursor = 0,
            0x08 => cursor = cursor.saturating_sub(1),
            0x00..=0x1f | 0x7f => {}
            _ => {
                if cells.len() < cursor {
                    cells.resize(cursor, b" ");
                }
                if cursor < cells.len() {
                    cells[cursor] = cell;
                } else {
                    cells.push(cell);
                }
                cursor += 1;
            }
        }
    }
    while cells.last() == Some(&&b" "[..]) {
        cells.pop();
    }
    cells.concat()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// How many times `needle` occurs in `hay`.
pub fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// A temporary directory for one test: projects, venvs, HOME, dumps.
pub struct Fixture {
    _tmp: tempfile::TempDir,
    /// The tempdir, canonical (so logical and physical paths agree).
    pub root: PathBuf,
    pub home: PathBuf,
    dumps: PathBuf,
    staged: std::cell::Cell<u32>,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::Builder::new().prefix("rvt-").tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        let dumps = root.join("dumps");
        fs::create_dir(&home).unwrap();
        fs::create_dir(&dumps).unwrap();
        // `__rvsync` appends to it (zsh's NO_CLOBBER refuses to create a
        // file with >>).
        fs::write(home.join("pc.log"), "").unwrap();
        Fixture {
            _tmp: tmp,
            root,
            home,
            dumps,
            staged: std::cell::Cell::new(0),
        }
    }

    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    /// `mkdir -p root/rel`.
    pub fn dir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let p = self.root.join(rel);
        fs::create_dir_all(&p).unwrap();
        p
    }

    /// A real venv at root/rel made by `python3 -m venv --without-pip`.
    pub fn venv(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.venv_with(rel, &[])
    }

    /// Same, with extra `venv` arguments (e.g. `--prompt NAME`).
    pub fn venv_with(&self, rel: impl AsRef<Path>, args: &[&str]) -> PathBuf {
        let p = self.root.join(rel);
        make_venv(&p, args);
        p
    }

    /// A real venv made elsewhere and renamed to `dest` (any bytes): CPython
    /// cannot write its activate scripts for every name, and the venv's
    /// `bin/python` links are absolute, so the moved venv is whole.
    pub fn venv_moved(&self, dest: &Path) {
        let n = self.staged.get();
        self.staged.set(n + 1);
        let stage = self.root.join(format!("stage{n}"));
        make_venv(&stage, &[]);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::rename(&stage, dest).unwrap();
    }

    /// A file name for a dump, unique within the fixture.
    fn dump_base(&self, n: u32) -> PathBuf {
        self.dumps.join(format!("d{n}"))
    }
}

fn make_venv(path: &Path, args: &[&str]) {
    let out = Command::new(python())
        .args(["-m", "venv", "--without-pip"])
        .args(args)
        .arg(path)
        .env_remove("VIRTUAL_ENV")
        .env_remove("PYTHONHOME")
        .output()
        .unwrap();
    assert!(
        out.status.success() && path.join("pyvenv.cfg").is_file(),
        "python -m venv {}: {}",
        path.display(),
        lossy(&out.stderr)
    );
}

/// What to put in the rc file around the hook.
#[derive(Default, Clone)]
pub struct Opts {
    /// Code run after the prompt and helpers are set, before the hook loads.
    pub before: String,
    /// Code run after the hook is loaded.
    pub after: String,
    /// Load the hook this many times (default once).
    pub loads: usize,
    /// Extra environment variables for the shell.
    pub env: Vec<(OsString, OsString)>,
    /// Run the shell under `strace -f`, so [`Session::processes`] counts
    /// every process it starts.
    pub trace: bool,
}

impl Opts {
    pub fn before(code: impl Into<String>) -> Opts {
        Opts {
            before: code.into(),
            ..Opts::default()
        }
    }

    pub fn env(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Opts {
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn loads(mut self, n: usize) -> Opts {
        self.loads = n;
        self
    }

    /// Counts every fork and exec of the shell (see [`Session::processes`]).
    pub fn traced(mut self) -> Opts {
        self.trace = true;
        self
    }

    pub fn after(mut self, code: impl Into<String>) -> Opts {
        self.after = code.into();
        self
    }
}

/// The rc file: prompt, helpers, user code, the hook.
fn rc_text(shell: Shell, opts: &Opts) -> String {
    let helpers = match shell {
        Shell::Bash => {
            r#"PS1='RVP> '
__rvsync() { printf 'SYNC %s\n' "$1" >>"$HOME/pc.log"; printf 'SY%s\n' "NC-$1"; }
__rvdump() {
    local st=$?
    /usr/bin/env -0 >"$1.env"
    printf '%s' "$PS1" >"$1.ps1"
    command -v python >"$1.py" || :
    if declare -F deactivate >/dev/null; then printf 1; else printf 0; fi >"$1.fn"
    printf '%s' "$st" >"$1.st"
    return 0
}
"#
        }
        Shell::Zsh => {
            r#"PS1='RVP> '
__rvsync() { printf 'SYNC %s\n' "$1" >>"$HOME/pc.log"; printf 'SY%s\n' "NC-$1"; }
__rvdump() {
    local st=$?
    /usr/bin/env -0 >"$1.env"
    printf '%s' "$PS1" >"$1.ps1"
    command -v python >"$1.py" || :
    if (( ${+functions[deactivate]} )); then printf 1; else printf 0; fi >"$1.fn"
    printf '%s' "$st" >"$1.st"
    return 0
}
"#
        }
        Shell::Elvish => {
            r#"set edit:prompt = { put 'RVP> ' }
set edit:rprompt = { }
edit:add-var __rvsync~ {|n| echo 'SYNC '$n >> $E:HOME/pc.log; echo SY'NC-'$n }
edit:add-var __rvdump~ {|b fn|
    /usr/bin/env -0 > $b.env
    try { echo (search-external python) > $b.py } catch { echo '' > $b.py }
    if (eq $fn $ok) { print 1 > $b.fn } else { print 0 > $b.fn }
    # elvish has no $?: a failed command raises an exception instead.
    print 0 > $b.st
}
"#
        }
        Shell::Xonsh => {
            r#"$PROMPT = 'RVP> '
$XONSH_SHOW_TRACEBACK = True
def __rvsync_fn(args):
    with open($HOME + '/pc.log', 'a') as f:
        f.write('SYNC %s\n' % args[0])
    print('SY' + 'NC-' + args[0])
def __rvdump_fn(args):
    import shutil, subprocess
    st = __xonsh__.env.get('LAST_RETURN_CODE', 0)
    b = args[0]
    with open(b + '.env', 'wb') as f:
        f.write(subprocess.run(['/usr/bin/env', '-0'], env=__xonsh__.env.detype(), stdout=subprocess.PIPE).stdout)
    with open(b + '.py', 'w', errors='surrogateescape') as f:
        f.write((shutil.which('python', path=__xonsh__.env.get_detyped('PATH')) or '') + '\n')
    with open(b + '.fn', 'w') as f:
        f.write('1' if 'deactivate' in aliases else '0')
    with open(b + '.st', 'w') as f:
        f.write(str(st))
aliases['__rvsync'] = __rvsync_fn
aliases['__rvdump'] = __rvdump_fn
"#
        }
        Shell::Tcsh => {
            // The prompt ends with an invisible OSC 133;B mark (as nushell's
            // does), so the driver types each line at a prompt.
            concat!(
                "set prompt = 'RVP> %{\x1b]133;B\x07%}'\n",
                // echo: tcsh's printf is a program (a process the counts would see).
                r#"alias __rvsync 'echo "SYNC \!:1" >> $HOME/pc.log; echo "SY""NC-\!:1"'
alias __rvdump 'set __rvst = $status; /usr/bin/env -0 >! \!:1.env; sh -c "command -v python" >! \!:1.py; set __rvfn = "`alias deactivate`"; set __rvfv = 0; if ( "$__rvfn" != "" ) set __rvfv = 1; printf $__rvfv >! \!:1.fn; printf "%s" $__rvst >! \!:1.st'
"#
            )
        }
        Shell::Nushell => {
            r#"$env.PROMPT_COMMAND = {|| "RVP" }
$env.PROMPT_INDICATOR = "> "
$env.PROMPT_COMMAND_RIGHT = ""
$env.config.show_banner = false
def __rvsync [n: string] {
    $"SYNC ($n)
" | save -a ($env.HOME | path join pc.log)
    print ("SY" + "NC-" + $n)
}
def --env __rvdump [b: string] {
    let st = ($env.LAST_EXIT_CODE? | default 0)
    ^/usr/bin/env -0 | save -f $"($b).env"
    (which python | where type == external | get -o 0.path | default "") | save -f $"($b).py"
    # `deactivate` is always a command: "defined" is "has a venv to undo".
    let theirs = ($env.__rvenv?.theirs? | default "")
    (if ($env.__rvenv?.venv? | default "") != "" or ($theirs != "" and $theirs == ($env.VIRTUAL_ENV? | default ""))  { "1" } else { "0" }) | save -f $"($b).fn"
    $"($st)" | save -f $"($b).st"
}
"#
        }
        Shell::Powershell => no_hook(shell),
        Shell::Fish => {
            r#"set -g fish_greeting ''
function fish_prompt; printf 'RVP> '; end
function __rvsync; printf 'SYNC %s\n' $argv[1] >>$HOME/pc.log; printf 'SY%s\n' "NC-$argv[1]"; end
function __rvdump
    set -l st $status
    /usr/bin/env -0 >$argv[1].env
    command -v python >$argv[1].py
    if functions -q deactivate; printf 1; else; printf 0; end >$argv[1].fn
    printf '%s' $st >$argv[1].st
    return 0
end
"#
        }
    };
    let mut rc = String::from(helpers);
    rc.push_str(&opts.before);
    rc.push('\n');
    for _ in 0..opts.loads.max(1) {
        rc.push_str(&shell.hook_line());
        rc.push('\n');
    }
    rc.push_str(&opts.after);
    rc.push('\n');
    rc
}

/// The shell's state as written by `__rvdump`.
#[derive(Debug, Clone)]
pub struct State {
    pub env: BTreeMap<OsString, OsString>,
    /// PS1's value (bash, zsh).
    pub ps1: Option<Vec<u8>>,
    /// `command -v python`, without the newline.
    pub python: Vec<u8>,
    /// `$?` when `__rvdump` started.
    pub status: String,
    /// Whether a `deactivate` function is defined.
    pub has_deactivate: bool,
}

impl State {
    pub fn var(&self, name: &str) -> Option<&[u8]> {
        self.env.get(OsStr::new(name)).map(|v| v.as_bytes())
    }

    pub fn path(&self) -> &[u8] {
        self.var("PATH").expect("PATH is set")
    }

    pub fn path_entries(&self) -> Vec<&[u8]> {
        self.path().split(|&b| b == b':').collect()
    }

    /// Asserts no venv is on: the variables unset, PATH exactly `path`, no
    /// `deactivate`.
    pub fn assert_off(&self, path: &[u8], ctx: &str) {
        assert_eq!(self.var("VIRTUAL_ENV").map(lossy), None, "{ctx}");
        assert_eq!(self.var("VIRTUAL_ENV_PROMPT").map(lossy), None, "{ctx}");
        assert_eq!(lossy(self.path()), lossy(path), "{ctx}: PATH");
        assert_eq!(self.path(), path, "{ctx}: PATH bytes");
        assert!(!self.has_deactivate, "{ctx}: deactivate still defined");
        if let Some(ps1) = &self.ps1 {
            assert_eq!(lossy(ps1), PROMPT, "{ctx}: PS1");
        }
    }

    /// Asserts `venv` is on with VIRTUAL_ENV_PROMPT `name`, its bin first on
    /// PATH in front of exactly `rest`, and `python` resolving to its.
    pub fn assert_on(&self, venv: &[u8], name: &[u8], rest: &[u8], ctx: &str) {
        assert_eq!(
            self.var("VIRTUAL_ENV").map(lossy),
            Some(lossy(venv)),
            "{ctx}: VIRTUAL_ENV"
        );
        assert_eq!(
            self.var("VIRTUAL_ENV"),
            Some(venv),
            "{ctx}: VIRTUAL_ENV bytes"
        );
        assert_eq!(
            self.var("VIRTUAL_ENV_PROMPT"),
            Some(name),
            "{ctx}: VIRTUAL_ENV_PROMPT {:?}",
            self.var("VIRTUAL_ENV_PROMPT").map(lossy)
        );
        let mut want = venv.to_vec();
        want.extend_from_slice(b"/bin:");
        want.extend_from_slice(rest);
        assert_eq!(lossy(self.path()), lossy(&want), "{ctx}: PATH");
        assert_eq!(self.path(), &want[..], "{ctx}: PATH bytes");
        let mut py = venv.to_vec();
        py.extend_from_slice(b"/bin/python");
        assert_eq!(lossy(&self.python), lossy(&py), "{ctx}: command -v python");
        assert!(self.has_deactivate, "{ctx}: no deactivate function");
        assert_eq!(self.var("PS1"), None, "{ctx}: PS1 exported");
    }
}

/// What one [`Session::run`] produced.
#[derive(Debug, Clone)]
pub struct Step {
    /// Terminal output from the end of the previous step to the marker,
    /// escape sequences removed.
    pub output: Vec<u8>,
    /// The prompt drawn after the command: the text in front of the
    /// `__rvsync` line on its terminal line.
    pub prompt: Vec<u8>,
}

impl Step {
    pub fn prompt_str(&self) -> String {
        lossy(&self.prompt)
    }

    pub fn assert_prompt(&self, want: &[u8], ctx: &str) {
        assert_eq!(
            lossy(&self.prompt),
            lossy(want),
            "{ctx}: prompt as drawn; output: {:?}",
            lossy(&self.output)
        );
        assert_eq!(self.prompt, want, "{ctx}: prompt bytes");
    }
}

/// `(name) RVP> `.
pub fn prompt_with(name: &[u8]) -> Vec<u8> {
    let mut p = b"(".to_vec();
    p.extend_from_slice(name);
    p.extend_from_slice(b") ");
    p.extend_from_slice(PROMPT.as_bytes());
    p
}

type Buffer = Arc<(Mutex<Vec<u8>>, Condvar)>;

/// One interactive shell on a pseudo-terminal.
pub struct Session<'f> {
    pub shell: Shell,
    fx: &'f Fixture,
    child: Child,
    master: File,
    buf: Buffer,
    /// How much of `buf` earlier steps consumed.
    pos: usize,
    seq: u32,
    /// The state right after the rc was loaded.
    pub initial: State,
    /// strace's log, when the session is traced.
    trace_log: Option<PathBuf>,
    /// nushell: how many prompts were typed at.
    prompts_used: usize,
    /// How much of `buf` there was when bytes were last typed.
    typed_at: Option<usize>,
}

fn open_pty() -> (OwnedFd, OwnedFd) {
    use rustix::fs::{Mode, OFlags};
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let slave = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    // Wide enough that no typed line wraps.
    rustix::termios::tcsetwinsize(
        &slave,
        rustix::termios::Winsize {
            ws_row: 50,
            ws_col: 1000,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    )
    .unwrap();
    (master, slave)
}

impl<'f> Session<'f> {
    /// Starts `shell` in the fixture's root with the hook loaded.
    pub fn start(shell: Shell, fx: &'f Fixture, opts: Opts) -> Session<'f> {
        Self::start_in(shell, fx, &fx.root, opts)
    }

    pub fn start_in(shell: Shell, fx: &'f Fixture, cwd: &Path, opts: Opts) -> Session<'f> {
        let rc = fx.root.join(format!("rc.{}", shell.name()));
        let mut text = rc_text(shell, &opts);
        if shell == Shell::Nushell {
            // nushell resolves `source` when it parses: the hook is saved to
            // a file first, as the README has the user do.
            let hook = fx.root.join("rvenv-hook.nu");
            let (ok, out, err) = run_cmd(
                fx,
                &[rvenv_bin().as_os_str(), "hook".as_ref(), "nu".as_ref()],
                &[],
            );
            assert!(ok, "rvenv hook nu: {}", lossy(&err));
            fs::write(&hook, out).unwrap();
            text = text.replace(
                &shell.hook_line(),
                &format!("source '{}'", quoted_path(&hook)),
            );
        }
        fs::write(&rc, text).unwrap();
        let (master, slave) = open_pty();
        let program = shell.program().expect("shell installed");
        let argv = shell.argv().expect("a driver for the shell");
        let trace_log = opts
            .trace
            .then(|| fx.root.join(format!("strace.{}", shell.name())));
        let mut cmd = match &trace_log {
            Some(log) => {
                let strace = which("strace").expect("strace (apt-get install -y strace)");
                let mut cmd = Command::new(strace);
                // Every process start: forks (clone without CLONE_THREAD,
                // fork, vfork) and execs; nothing else, no signals.
                cmd.args(["-f", "-qq", "-e", "signal=none", "-e"])
                    .arg("trace=execve,execveat,clone,clone3,fork,vfork")
                    .arg("-o")
                    .arg(log)
                    .arg("--")
                    .arg(&program);
                cmd
            }
            None => Command::new(&program),
        };
        cmd.args(argv)
            .current_dir(cwd)
            .env_clear()
            .env("HOME", &fx.home)
            .env("PATH", base_path())
            .env("TERM", "dumb")
            .env("LANG", "C.UTF-8")
            .env("PWD", cwd)
            // Trust every venv of the fixture (the trust gate is tested
            // elsewhere; before it exists the variable means nothing).
            .env("RVENV_TRUSTED_DIRS", &fx.root)
            .env("RVENV_CACHE_DIR", shared_cache())
            .envs(opts.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: setsid, the TIOCSCTTY ioctl and signal are plain system
        // calls, safe between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                // Ctrl-C's and Ctrl-\'s signals at their defaults, as in a
                // terminal's shell: `cargo test &` in a script inherits them
                // ignored, the shell hands that on to every command it runs
                // (bash restores what it started with), and the Ctrl-C
                // tests' `sleep` would never stop.
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGQUIT, libc::SIG_DFL);
                rustix::process::setsid()?;
                let stdin = std::os::fd::BorrowedFd::borrow_raw(0);
                rustix::process::ioctl_tiocsctty(stdin)?;
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn shell");
        drop(cmd);
        let buf: Buffer = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let mut reader = File::from(master.try_clone().unwrap());
        let sink = Arc::clone(&buf);
        thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            loop {
                match reader.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        // nushell's line editor asks where the cursor is
                        // and waits for the answer: a terminal's.
                        for _ in 0..count(&chunk[..n], b"\x1b[6n") {
                            let _ = reader.write_all(b"\x1b[1;1R");
                        }
                        let (lock, cvar) = &*sink;
                        lock.lock().unwrap().extend_from_slice(&chunk[..n]);
                        cvar.notify_all();
                    }
                }
            }
        });
        let mut s = Session {
            shell,
            fx,
            child,
            master: File::from(master),
            buf,
            pos: 0,
            seq: 0,
            initial: State {
                env: BTreeMap::new(),
                ps1: None,
                python: Vec::new(),
                status: String::new(),
                has_deactivate: false,
            },
            trace_log,
            prompts_used: 0,
            typed_at: None,
        };
        s.run(&shell.source(&rc));
        s.initial = s.state();
        s
    }

    /// Types `line` (may hold several lines, each its own command), then
    /// the sync line, and waits for the marker.
    pub fn run(&mut self, line: &str) -> Step {
        self.seq += 1;
        let n = self.seq;
        let sync = format!("__rvsync {n}");
        if matches!(
            self.shell,
            Shell::Nushell | Shell::Tcsh | Shell::Elvish | Shell::Xonsh
        ) {
            // nushell's and xonsh's line editors drop what was typed ahead
            // of their prompt, and elvish draws typed-ahead text piecemeal:
            // each line waits for a prompt (its mark, see prompt_mark).
            // split, not lines: an empty line is typed too (a prompt of
            // its own).
            for (i, l) in line.split('\n').chain([sync.as_str()]).enumerate() {
                // tcsh's first prompt, before the rc set it, has no mark.
                if !(self.shell == Shell::Tcsh && n == 1 && i == 0) {
                    self.wait_prompt();
                }
                self.type_bytes(format!("{l}\n").as_bytes());
            }
        } else {
            self.type_bytes(format!("{line}\n{sync}\n").as_bytes());
        }
        let marker = format!("SYNC-{n}");
        let end = self.wait_for(marker.as_bytes(), &format!("the output of {line:?}"));
        let buf = self.buf.0.lock().unwrap();
        let raw = buf[self.pos..end].to_vec();
        drop(buf);
        self.pos = end;
        let output = strip_ansi(&raw);
        if self.shell == Shell::Elvish {
            // elvish draws each typed character at a cursor position, and
            // redraws words to colour them: the prompt is what the line the
            // sync line was typed on shows, as a terminal renders it.
            let head = &raw[..rfind(&raw, marker.as_bytes()).unwrap()];
            let prompt = head
                .iter()
                .rposition(|&b| b == b'\n')
                .and_then(|end| {
                    let start = head[..end]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                    let shown = render_screen_line(&head[start..end]);
                    rfind(&shown, sync.as_bytes()).map(|at| shown[..at].to_vec())
                })
                .unwrap_or_else(|| {
                    panic!(
                        "elvish: no echo of {sync:?} before the marker:\n{}",
                        lossy(&output)
                    )
                });
            return Step { prompt, output };
        }
        let body = &output[..output.len() - marker.len()];
        let at = rfind(body, sync.as_bytes()).unwrap_or_else(|| {
            panic!(
                "{}: no echo of {sync:?} before the marker:\n{}",
                self.shell.name(),
                lossy(&output)
            )
        });
        let before = &body[..at];
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let mut prompt = render_line(&before[start..]);
        if self.shell == Shell::Nushell {
            // nushell redraws its prompt in place (cursor moves the text
            // view drops): the prompt is what its last prompt mark (OSC
            // 133;A) before the sync line starts.
            if let Some(end) = rfind(&raw, marker.as_bytes())
                && let Some(mark) = rfind(&raw[..end], b"\x1b]133;A")
            {
                let shown = strip_ansi(&raw[mark..end]);
                if let Some(echo) = find(&shown, sync.as_bytes()) {
                    prompt = render_line(&shown[..echo]);
                }
            }
        }
        Step { prompt, output }
    }

    /// What each prompt of the shell draws once, where it reads a line:
    /// nushell's and the tests' tcsh prompt end with an invisible OSC 133;B
    /// mark; elvish's and xonsh's line editors turn bracketed paste on.
    fn prompt_mark(&self) -> &'static [u8] {
        match self.shell {
            Shell::Elvish | Shell::Xonsh => b"\x1b[?2004h",
            _ => b"\x1b]133;B",
        }
    }

    /// Waits until a prompt not yet typed at is drawn.
    fn wait_prompt(&mut self) {
        let deadline = Instant::now() + TIMEOUT;
        let mark = self.prompt_mark();
        loop {
            let drawn = count(&self.buf.0.lock().unwrap(), mark);
            // nushell marks where it starts what was typed (OSC 133;C, for an
            // empty line too): its next prompt is a mark after that one (a
            // prompt it draws again late is not).
            let fresh = match (self.shell, self.typed_at) {
                (Shell::Nushell, Some(at)) => {
                    let buf = self.buf.0.lock().unwrap();
                    find(&buf[at..], b"\x1b]133;C")
                        .is_some_and(|c| find(&buf[at + c..], b"\x1b]133;B").is_some())
                }
                _ => drawn > self.prompts_used,
            };
            if fresh {
                // nushell draws a prompt more than once (after the cursor
                // answer): type once the terminal is quiet for a moment.
                let mut len = self.buf.0.lock().unwrap().len();
                loop {
                    thread::sleep(Duration::from_millis(60));
                    let now = self.buf.0.lock().unwrap().len();
                    if now == len || Instant::now() >= deadline {
                        break;
                    }
                    len = now;
                }
                self.prompts_used = count(&self.buf.0.lock().unwrap(), mark);
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "{}: timed out waiting for a prompt; the terminal:\n{}\nits processes:\n{}",
                    self.shell.name(),
                    self.transcript(),
                    self.process_tree()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until each of `needles` appears in what the terminal shows
    /// from now on (ANSI sequences stripped); returns that output, consumed.
    pub fn expect(&mut self, needles: &[&str], what: &str) -> Vec<u8> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let buf = self.buf.0.lock().unwrap();
            let shown = strip_ansi(&buf[self.pos..]);
            // elvish draws a line in pieces, at cursor positions: a needle
            // may show only on the lines as a terminal renders them.
            let screen: Vec<u8> = if self.shell == Shell::Elvish {
                buf[self.pos..]
                    .split(|&b| b == b'\n')
                    .flat_map(|l| [render_screen_line(l), b"\n".to_vec()])
                    .flatten()
                    .collect()
            } else {
                Vec::new()
            };
            let shows = |n: &str| {
                find(&shown, n.as_bytes()).is_some() || find(&screen, n.as_bytes()).is_some()
            };
            if needles.iter().all(|n| shows(n)) {
                self.pos = buf.len();
                return shown;
            }
            drop(buf);
            if Instant::now() >= deadline {
                panic!(
                    "{}: timed out waiting for {what} ({needles:?}); the terminal since:\n----\n{}\n----",
                    self.shell.name(),
                    lossy(&shown).replace('\r', "")
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// How many processes the shell has started so far (forks and execs:
    /// `$(cmd)` is a fork then an exec, a subshell a fork), from the strace
    /// log of a session started with [`Opts::traced`]. Threads do not count.
    pub fn processes(&self) -> usize {
        let log = self
            .trace_log
            .as_ref()
            .expect("a session started with Opts::traced()");
        let text = fs::read_to_string(log).unwrap_or_default();
        text.lines()
            .filter(|l| {
                let call = l.split_once(' ').map_or("", |(_, rest)| rest.trim_start());
                let start = [
                    "execve(",
                    "execveat(",
                    "clone(",
                    "clone3(",
                    "fork(",
                    "vfork(",
                ]
                .iter()
                .any(|c| call.starts_with(c));
                start && !l.contains("CLONE_THREAD")
            })
            .count()
    }

    /// Starts `child` interactively inside the current shell, in `cwd`
    /// (None: the current directory), on the same terminal and with the
    /// environment the current shell exports, its rc file holding the
    /// helpers and the hook (`opts`), as a user typing `zsh` or `bash`
    /// would. Waits until the child has read its rc file; from then on the
    /// session drives the child, until [`Session::exit_to`].
    pub fn nest(&mut self, child: Shell, cwd: Option<&Path>, opts: Opts) {
        self.start_child(child, cwd, opts, "");
    }

    /// `exec`s `child` in place of the current shell (`exec $SHELL` after
    /// editing an rc file), as [`Session::nest`] starts one.
    pub fn exec_into(&mut self, child: Shell, opts: Opts) {
        self.start_child(child, None, opts, "exec ");
    }

    fn start_child(&mut self, child: Shell, cwd: Option<&Path>, opts: Opts, exec: &str) {
        self.seq += 1;
        let n = self.seq;
        let mut rc = rc_text(child, &opts);
        let dir = self.fx.root.join(format!("nest.{n}"));
        fs::create_dir_all(&dir).unwrap();
        // Split, so that the echo of the typed line cannot match.
        match child {
            Shell::Nushell => {
                rc.push_str(&format!("print ('RC-LOAD' + 'ED-{n}')\n"));
                // Saved first, as Session::start_in does.
                let hook = dir.join("rvenv-hook.nu");
                let (ok, out, err) = run_cmd(
                    self.fx,
                    &[rvenv_bin().as_os_str(), "hook".as_ref(), "nu".as_ref()],
                    &[],
                );
                assert!(ok, "rvenv hook nu: {}", lossy(&err));
                fs::write(&hook, out).unwrap();
                rc = rc.replace(
                    &child.hook_line(),
                    &format!("source '{}'", quoted_path(&hook)),
                );
            }
            _ => rc.push_str(&format!("printf 'RC-LOAD%s\\n' 'ED-{n}'\n")),
        }
        let rc_path = match child {
            Shell::Zsh => dir.join(".zshrc"),
            // tcsh reads ~/.tcshrc (HOME is this directory until the rc
            // sets it back).
            Shell::Tcsh => {
                let home = quoted_path(&self.fx.home);
                rc = format!("setenv HOME '{home}'\nset home = '{home}'\n{rc}");
                dir.join(".tcshrc")
            }
            _ => dir.join(format!("rc.{}", child.name())),
        };
        fs::write(&rc_path, rc).unwrap();
        let program = child.program().expect("shell installed");
        let program = quoted_path(&program);
        let rc_arg = quoted_path(&rc_path);
        let start = match child {
            Shell::Bash => format!("'{program}' --rcfile '{rc_arg}' -i"),
            Shell::Zsh => format!("ZDOTDIR='{}' '{program}' -d -i", quoted_path(&dir)),
            Shell::Fish => format!("'{program}' --no-config -i -C 'source {rc_arg}'"),
            Shell::Tcsh => format!("HOME='{}' '{program}' -i", quoted_path(&dir)),
            Shell::Nushell => {
                format!("'{program}' --config '{rc_arg}' --env-config /dev/null")
            }
            Shell::Elvish => format!("'{program}' -rc '{rc_arg}'"),
            Shell::Xonsh => format!("'{program}' --rc '{rc_arg}' -i"),
            Shell::Powershell => no_hook(child),
        };
        let chdir = cwd.map_or(String::new(), |d| format!("-C '{}' ", quoted_path(d)));
        // nushell's own `env` lists the environment: the program.
        let env = if self.shell == Shell::Nushell {
            "^env"
        } else {
            "env"
        };
        self.type_line(&format!("{exec}{env} {chdir}{start}"));
        self.wait_for(
            format!("RC-LOADED-{n}").as_bytes(),
            "the child shell's rc file",
        );
        let end = self.buf.0.lock().unwrap().len();
        self.pos = end;
        self.shell = child;
        // The child's first prompt, with its hook, before anything else.
        self.run(child.true_command());
    }

    /// Exits the nested shell; the session drives `parent` again.
    pub fn exit_to(&mut self, parent: Shell) {
        self.type_line("exit");
        if self.shell == Shell::Xonsh {
            // xonsh drops what is typed while it exits: wait until the
            // terminal is quiet (the parent's prompt drawn).
            let deadline = Instant::now() + TIMEOUT;
            let mut len = self.buf.0.lock().unwrap().len();
            loop {
                thread::sleep(Duration::from_millis(300));
                let now = self.buf.0.lock().unwrap().len();
                if now == len || Instant::now() >= deadline {
                    break;
                }
                len = now;
            }
        }
        self.shell = parent;
        self.run(parent.true_command());
    }

    /// The number of the last sync line typed.
    pub fn last_sync(&self) -> u32 {
        self.seq
    }

    /// Types `line` and a newline at the next prompt (see [`Session::run`]).
    pub fn type_line(&mut self, line: &str) {
        if matches!(
            self.shell,
            Shell::Nushell | Shell::Tcsh | Shell::Elvish | Shell::Xonsh
        ) {
            self.wait_prompt();
        }
        self.type_bytes(format!("{line}\n").as_bytes());
    }

    /// Types raw bytes at the next prompt (see [`Session::type_line`]).
    pub fn type_at_prompt(&mut self, b: &[u8]) {
        if matches!(
            self.shell,
            Shell::Nushell | Shell::Tcsh | Shell::Elvish | Shell::Xonsh
        ) {
            self.wait_prompt();
        }
        self.type_bytes(b);
    }

    /// Types raw bytes.
    pub fn type_bytes(&mut self, b: &[u8]) {
        // A line ends at a newline (Ctrl-C alone starts no command).
        if b.contains(&b'\n') {
            self.typed_at = Some(self.buf.0.lock().unwrap().len());
        }
        self.master.write_all(b).unwrap();
        self.master.flush().unwrap();
    }

    /// Waits until `needle` appears after `self.pos`; returns the offset
    /// just past it (and past a following CR/LF).
    fn wait_for(&mut self, needle: &[u8], what: &str) -> usize {
        let deadline = Instant::now() + TIMEOUT;
        let (lock, cvar) = &*self.buf;
        let mut buf = lock.lock().unwrap();
        loop {
            if let Some(i) = find(&buf[self.pos..], needle) {
                let mut end = self.pos + i + needle.len();
                while end < buf.len() && (buf[end] == b'\r' || buf[end] == b'\n') {
                    end += 1;
                }
                return end;
            }
            let now = Instant::now();
            if now >= deadline {
                let text = lossy(&strip_ansi(&buf)).replace('\r', "");
                drop(buf);
                panic!(
                    "{}: timed out after {:?} waiting for {what}; the terminal so far:\n\
                     ----\n{text}\n----",
                    self.shell.name(),
                    TIMEOUT
                );
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let text = lossy(&strip_ansi(&buf)).replace('\r', "");
                drop(buf);
                panic!(
                    "{}: the shell exited ({status}) while waiting for {what}; the terminal:\n\
                     ----\n{text}\n----",
                    self.shell.name()
                );
            }
            let wait = (deadline - now).min(Duration::from_millis(200));
            buf = cvar.wait_timeout(buf, wait).unwrap().0;
        }
    }

    /// The shell's state now (after the prompt hooks of the last prompt).
    pub fn state(&mut self) -> State {
        self.state_after("")
    }

    /// Types `lines` (each a command, each followed by a prompt), then dumps
    /// the state: `status` is `$?` of the last of them.
    pub fn state_after(&mut self, lines: &str) -> State {
        let base = self.fx.dump_base(self.seq + 1);
        let b = base.to_str().unwrap().to_owned();
        let dump = match self.shell {
            // Whether `deactivate` is defined, asked where it would be: in
            // the REPL's own namespace.
            Shell::Elvish => format!("__rvdump '{b}' ?(eval 'nop $deactivate~')"),
            _ => format!("__rvdump '{b}'"),
        };
        let text = if lines.is_empty() {
            dump
        } else {
            format!("{lines}\n{dump}")
        };
        self.run(&text);
        let read = |ext: &str| {
            fs::read(format!("{b}.{ext}")).unwrap_or_else(|e| {
                panic!(
                    "{}: dump {b}.{ext}: {e}; the terminal:\n{}",
                    self.shell.name(),
                    self.transcript()
                )
            })
        };
        let env = read("env")
            .split(|&c| c == 0)
            .filter(|kv| !kv.is_empty())
            .filter_map(|kv| {
                let i = kv.iter().position(|&c| c == b'=')?;
                Some((
                    OsString::from_vec(kv[..i].to_vec()),
                    OsString::from_vec(kv[i + 1..].to_vec()),
                ))
            })
            .collect();
        let mut python = read("py");
        if python.last() == Some(&b'\n') {
            python.pop();
        }
        let ps1 = self.shell.is_posix().then(|| read("ps1"));
        State {
            env,
            ps1,
            python,
            status: lossy(&read("st")),
            has_deactivate: read("fn") == b"1",
        }
    }

    /// What `cmd` writes to its stdout (redirected to a file, so bytes are
    /// exact).
    pub fn capture(&mut self, cmd: &str) -> Vec<u8> {
        let file = self.fx.dump_base(self.seq + 1).with_extension("out");
        let f = file.to_str().unwrap().to_owned();
        match self.shell {
            // nushell redirects with `o>` (a string it writes has no newline).
            Shell::Nushell => self.run(&format!("{cmd} o> '{f}'")),
            _ => self.run(&format!("{cmd} >'{f}'")),
        };
        fs::read(&file).unwrap_or_else(|e| {
            panic!(
                "{}: {cmd}: {e}; the terminal:\n{}",
                self.shell.name(),
                self.transcript()
            )
        })
    }

    /// The shell's session as `ps` lists it, to tell a hung child from a
    /// shell that died, in a timeout's message.
    fn process_tree(&self) -> String {
        std::process::Command::new("ps")
            .args([
                "-o",
                "pid,ppid,pgid,tpgid,stat,wchan:16,pending,blocked,ignored,caught,args",
                "-s",
            ])
            .arg(self.child.id().to_string())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_else(|e| format!("(ps: {e})"))
    }

    /// Everything the terminal showed, escapes removed, for messages.
    pub fn transcript(&self) -> String {
        let buf = self.buf.0.lock().unwrap();
        lossy(&strip_ansi(&buf)).replace('\r', "")
    }

    /// The raw bytes the terminal showed so far, escapes removed.
    pub fn transcript_bytes(&self) -> Vec<u8> {
        strip_ansi(&self.buf.0.lock().unwrap())
    }

    pub fn fixture(&self) -> &'f Fixture {
        self.fx
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.master.as_raw_fd();
    }
}

/// Runs `argv` with the test environment (HOME, PATH as for sessions) and
/// `env` on top; returns (status success, stdout, stderr).
pub fn run_cmd(fx: &Fixture, argv: &[&OsStr], env: &[(&str, &OsStr)]) -> (bool, Vec<u8>, Vec<u8>) {
    let out = Command::new(argv[0])
        .args(&argv[1..])
        .current_dir(&fx.root)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", base_path())
        .env("LANG", "C.UTF-8")
        .env("RVENV_TRUSTED_DIRS", &fx.root)
        .env("RVENV_CACHE_DIR", shared_cache())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.success(), out.stdout, out.stderr)
}

/// The cache every test's rvenv shares (interpreter facts, pip compiled
/// once per interpreter): filled atomically, so tests may race on it, and
/// kept across runs, so `rvenv create` costs milliseconds, as for a user.
/// A test about the cache itself sets RVENV_CACHE_DIR of its own.
pub fn shared_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rvenv-cache")
}

/// Another Unix account on this machine, for the attacks of a second user
/// (tests run as root, as CI does; the account is made with `useradd` when
/// missing).
#[derive(Debug, Clone)]
pub struct OtherUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

fn lookup_user(name: &str) -> Option<OtherUser> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, name]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        std::str::from_utf8(&out.stdout).ok()?.trim().parse().ok()
    };
    Some(OtherUser {
        name: name.to_owned(),
        uid: id("-u")?,
        gid: id("-g")?,
    })
}

/// The account `name` (e.g. `rvt-mallory`), made with `useradd` (no home,
/// own private group) when missing, or with `useradd -g GROUP` when
/// `group` is given (the group is made first). None, with the reason
/// printed, when this process is not root: the test then skips.
pub fn other_user(name: &str, group: Option<&str>) -> Option<OtherUser> {
    static MAKING: Mutex<()> = Mutex::new(());
    if rustix::process::geteuid().as_raw() != 0 {
        skip("a second Unix user needs root (useradd, setpriv)");
        return None;
    }
    let _guard = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(user) = lookup_user(name) {
        // Each name is made for one purpose: a test that wants a shared
        // primary group must not find the account another test made with
        // its own group (test binaries run in any order).
        if let Some(group) = group {
            let want = Command::new("getent").args(["group", group]).output();
            let gid = want.ok().and_then(|o| {
                let line = String::from_utf8(o.stdout).ok()?;
                line.split(':').nth(2)?.trim().parse::<u32>().ok()
            });
            assert_eq!(
                gid,
                Some(user.gid),
                "account {name} exists with primary group {} rather than {group}: \
                 another test made it (give each purpose its own name), or `userdel {name}`",
                user.gid
            );
        }
        return Some(user);
    }
    let mut cmd = Command::new("useradd");
    cmd.args(["-M", "-s", "/bin/sh"]);
    if let Some(group) = group {
        // Exit 9: made meanwhile by another test binary.
        let _ = Command::new("groupadd").arg(group).status();
        cmd.args(["-g", group]);
    }
    let status = cmd.arg(name).status().expect("useradd");
    let user = lookup_user(name);
    assert!(
        user.is_some(),
        "useradd {name} failed ({status}), and no such user exists"
    );
    user
}

impl OtherUser {
    /// A command run as this user: uid, gid and groups dropped with
    /// setpriv (supplementary groups from the group database), in `cwd`,
    /// with a minimal environment.
    pub fn command(&self, cwd: &Path, argv: &[&OsStr]) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .arg("--init-groups")
            .arg("--")
            .args(argv)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null());
        cmd
    }

    /// `sh -c script` as this user in `cwd`, asserting it succeeded.
    pub fn sh(&self, cwd: &Path, script: &str) {
        let out = self
            .command(cwd, &["sh".as_ref(), "-c".as_ref(), script.as_ref()])
            .output()
            .expect("setpriv");
        assert!(
            out.status.success(),
            "as {}: {script}: {}",
            self.name,
            lossy(&out.stderr)
        );
    }
}

impl Fixture {
    /// Opens the fixture to other users the way /tmp is: the root becomes
    /// 0755, and `root/tmp` (returned) a sticky world-writable directory
    /// where any user may make files, as in /tmp.
    pub fn shared_tmp(&self) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&self.root, fs::Permissions::from_mode(0o755)).unwrap();
        let tmp = self.dir("tmp");
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o1777)).unwrap();
        tmp
    }
}

/// Ends a behaviour case that `shell` has no way to express (elvish has no
/// `$?`), printing why: not a skip, which CI would refuse, but a fact of
/// that shell, listed in README.
pub fn cannot_express(shell: Shell, why: &str) {
    eprintln!("not expressible in {}: {why}", shell.name());
}

/// Waits for the next whole second when `sh` is tcsh: its file tests read
/// times in whole seconds, so a venv made again within the second of
/// rvenv's last look, and given the old one's inode (ext4 often does), is
/// noticed only at the next `cd` (README says so).
pub fn next_second_in_tcsh(sh: Shell) {
    if sh == Shell::Tcsh {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        std::thread::sleep(std::time::Duration::from_nanos(
            1_000_000_000 - u64::from(now.subsec_nanos()) + 10_000_000,
        ));
    }
}

/// Skips the rest of a test, printing why; under CI (`CI` set) a skip is a
/// failure, since scripts/test installs everything the tests need.
#[track_caller]
pub fn skip(reason: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("cannot skip under CI: {reason}");
    }
    eprintln!("skipped: {reason}");
}

impl Fixture {
    /// `git ARGS` in `cwd`, as a user with no config of their own (the
    /// fixture's HOME, no system config), asserting it succeeded.
    pub fn git(&self, cwd: &Path, args: &[&str]) {
        let out = Command::new(which("git").expect("git is installed"))
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "init.defaultBranch=main", "-c", "pull.rebase=false"])
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", "/usr/bin:/bin")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", lossy(&out.stderr));
    }
}

/// `rvenv ARGS` in `cwd` for a user who trusts no directory (trust comes
/// from the store alone), with the fixture's HOME, under `timeout 30` so a
/// hang fails: (exit code, stdout, stderr).
pub fn rvenv_in(
    fx: &Fixture,
    cwd: &Path,
    args: &[&OsStr],
    env: &[(&str, &OsStr)],
) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let out = Command::new("timeout")
        .arg("30")
        .arg(rvenv_bin())
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", base_path())
        .env("LANG", "C.UTF-8")
        .env("SHELL", "/bin/bash")
        .env("RVENV_TRUSTED_DIRS", "")
        .env("RVENV_CACHE_DIR", shared_cache())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), out.stdout, out.stderr)
}

/// `chmod MODE PATH`.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// `rvenv status --json DIR` as [`rvenv_in`] runs it, from the fixture's
/// root; asserts it succeeded.
pub fn status_json(fx: &Fixture, dir: &Path, env: &[(&str, &OsStr)]) -> serde_json::Value {
    let args = [OsStr::new("status"), OsStr::new("--json"), dir.as_os_str()];
    let (code, out, err) = rvenv_in(fx, &fx.root, &args, env);
    assert_eq!(code, Some(0), "rvenv status {dir:?}: {}", lossy(&err));
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}: {}", lossy(&out)))
}

impl Fixture {
    /// An executable `venv/bin/NAME` that leaves `markers/NAME.MARKER` when
    /// run: the payload a hostile venv would put first on PATH. Returns the
    /// marker's path.
    pub fn payload(&self, venv: &Path, name: &str) -> PathBuf {
        let marker = self.dir("markers").join(format!("{name}.MARKER"));
        let script = venv.join("bin").join(name);
        fs::write(
            &script,
            format!("#!/bin/sh\necho pwned > '{}'\n", marker.display()),
        )
        .unwrap();
        chmod(&script, 0o755);
        marker
    }
}

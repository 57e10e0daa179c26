//! The printed hook under strict shell options (non-interactive, as
//! zoxide tests its init scripts), the linters on the templates, and
//! `rvenv hook` with a shell it does not know.

mod common;
use common::Drive;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Fixture, Shell, base_path, lossy, run_cmd, which};

fn template(sh: Shell) -> PathBuf {
    let ext = sh.name();
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("shell/{ext}/rvenv.{ext}"))
}

fn printed_hook(fx: &Fixture, sh: Shell) -> Vec<u8> {
    let (ok, out, err) = run_cmd(
        fx,
        &[
            common::rvenv_bin().as_os_str(),
            OsStr::new("hook"),
            OsStr::new(sh.name()),
        ],
        &[],
    );
    assert!(
        ok && err.is_empty(),
        "rvenv hook {}: {}",
        sh.name(),
        lossy(&err)
    );
    out
}

/// A project whose path holds a space, a venv to `rvenv activate`, and the
/// variables the scripts below use.
fn strict_fixture() -> (Fixture, Vec<(&'static str, PathBuf)>) {
    let fx = Fixture::new();
    let p = fx.dir("s p/proj/sub");
    let p = p.parent().unwrap().to_path_buf();
    fx.venv("s p/proj/.venv");
    let t = fx.venv("tools");
    let r = fx.root.clone();
    (fx, vec![("P", p), ("T", t), ("R", r)])
}

/// Runs `argv` + `script` with P, T, R and ORIG (the PATH) set; asserts it
/// printed STRICT-OK, exited 0, and wrote nothing to stderr but rvenv's
/// own one-line notes.
fn run_strict(fx: &Fixture, vars: &[(&str, PathBuf)], argv: &[&str], script: &str) {
    let exe = which(argv[0]).unwrap_or_else(|| panic!("{} not installed", argv[0]));
    let out = Command::new(exe)
        .args(&argv[1..])
        .arg(script)
        .current_dir(&fx.root)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", base_path())
        .env("ORIG", base_path())
        .env("LANG", "C.UTF-8")
        .env("RVENV_TRUSTED_DIRS", &fx.root)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let stdout = lossy(&out.stdout);
    let stderr = lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.ends_with("STRICT-OK\n"),
        "{argv:?} exited {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    for line in stderr.lines() {
        assert!(
            line.starts_with("rvenv: "),
            "{argv:?}: unexpected stderr line {line:?}\n{stderr}"
        );
    }
}

const POSIX_SCRIPT: &str = r#"
eval "$(rvenv hook SHELL)"
eval "$(rvenv hook SHELL)"
cd "$P/sub"; __rvenv_hook
[[ $VIRTUAL_ENV == "$P/.venv" ]] || exit 11
[[ $PATH == "$P/.venv/bin:$ORIG" ]] || exit 12
cd "$P"; __rvenv_hook
deactivate; __rvenv_hook
[[ -z ${VIRTUAL_ENV-} && $PATH == "$ORIG" ]] || exit 13
cd "$P/sub"; __rvenv_hook
[[ -z ${VIRTUAL_ENV-} ]] || exit 14
cd /; __rvenv_hook; cd "$P"; __rvenv_hook
[[ $VIRTUAL_ENV == "$P/.venv" ]] || exit 15
rvenv activate "$T"
[[ $VIRTUAL_ENV == "$T" && $PATH == "$T/bin:$ORIG" ]] || exit 16
cd "$R"; __rvenv_hook
[[ $VIRTUAL_ENV == "$T" ]] || exit 17
rvenv deactivate
cd "$P"; __rvenv_hook
. "$T/bin/activate"; __rvenv_hook
[[ $VIRTUAL_ENV == "$T" && $PATH == "$T/bin:$ORIG" ]] || exit 18
deactivate; __rvenv_hook
[[ $VIRTUAL_ENV == "$P/.venv" ]] || exit 19
cd "$R"; __rvenv_hook
[[ -z ${VIRTUAL_ENV-} && $PATH == "$ORIG" ]] || exit 20
echo STRICT-OK
"#;

#[test]
fn bash_strict_mode() {
    if !Shell::Bash.available() {
        return;
    }
    let (fx, vars) = strict_fixture();
    let script = POSIX_SCRIPT.replace("SHELL", "bash");
    let argv = [
        "bash",
        "--norc",
        "--noprofile",
        "-e",
        "-u",
        "-o",
        "pipefail",
        "-c",
    ];
    run_strict(&fx, &vars, &argv, &script);
    // Also when PROMPT_COMMAND is already an array.
    let script = format!("PROMPT_COMMAND=(true)\n{script}");
    run_strict(&fx, &vars, &argv, &script);
}

#[test]
fn zsh_strict_mode() {
    if !Shell::Zsh.available() {
        return;
    }
    let (fx, vars) = strict_fixture();
    let script = POSIX_SCRIPT.replace("SHELL", "zsh");
    let argv = ["zsh", "-f", "-e", "-u", "-o", "pipefail", "-c"];
    run_strict(&fx, &vars, &argv, &script);
    let argv = [
        "zsh",
        "-f",
        "-e",
        "-u",
        "-o",
        "pipefail",
        "-o",
        "ksh_arrays",
        "-c",
    ];
    run_strict(&fx, &vars, &argv, &script);
}

/// zsh pays about 20 us for each function call (a heap and three signal-mask
/// system calls): once rvenv has sent the markers, the hook's test of
/// $PWD's markers and the walk's of each level are unrolled into
/// `__rvenv_hook` and `__rvenv_moved`, with no call left, and still decide;
/// a second load starts again from the texts as written.
#[test]
fn zsh_unrolls_its_marker_tests() {
    if !Shell::Zsh.available() {
        return;
    }
    let (fx, vars) = strict_fixture();
    let script = r#"
eval "$(rvenv hook zsh)"
[[ ${functions[__rvenv_hook]} == *__rvenv_sig_of* ]] || exit 10
cd "$P/sub"; __rvenv_hook
[[ $VIRTUAL_ENV == "$P/.venv" ]] || exit 11
[[ ${functions[__rvenv_hook]} != *__rvenv_sig_of* ]] || exit 12
[[ ${functions[__rvenv_hook]} == *'-e ./pyvenv.cfg'* ]] || exit 13
[[ ${functions[__rvenv_moved]} != *__rvenv_any_in* ]] || exit 14
[[ ${functions[__rvenv_moved]} == *'-e $d/pyvenv.cfg'* ]] || exit 15
cd "$P"; __rvenv_hook; cd "$R"; __rvenv_hook
[[ -z ${VIRTUAL_ENV-} ]] || exit 16
cd "$P/sub"; __rvenv_hook
eval "$(rvenv hook zsh)"
[[ ${functions[__rvenv_hook]} == *__rvenv_sig_of* ]] || exit 17
__rvenv_hook
[[ ${functions[__rvenv_hook]} != *__rvenv_sig_of* && $VIRTUAL_ENV == "$P/.venv" ]] || exit 18
echo STRICT-OK
"#;
    let argv = ["zsh", "-f", "-e", "-u", "-c"];
    run_strict(&fx, &vars, &argv, script);
    let argv = ["zsh", "-f", "-e", "-u", "-o", "ksh_arrays", "-c"];
    run_strict(&fx, &vars, &argv, script);
}

#[test]
fn fish_non_interactive() {
    if !Shell::Fish.available() {
        return;
    }
    let (fx, vars) = strict_fixture();
    let script = r#"
rvenv hook fish | source
rvenv hook fish | source
# A script never runs the hook by itself (issue 13)...
cd "$P/sub"
set -q VIRTUAL_ENV; and exit 10
functions -q __rvenv_hook; and exit 9
# ...but its code works there when called.
__rvenv_check
test "$VIRTUAL_ENV" = "$P/.venv"; or exit 11
test (string join : $PATH) = "$P/.venv/bin:$ORIG"; or exit 12
cd "$P"
deactivate; or exit 13
__rvenv_check
set -q VIRTUAL_ENV; and exit 14
cd /; __rvenv_check; cd "$P"; __rvenv_check
test "$VIRTUAL_ENV" = "$P/.venv"; or exit 15
rvenv activate "$T"; or exit 16
cd "$R"; __rvenv_check
test "$VIRTUAL_ENV" = "$T"; or exit 17
rvenv deactivate; or exit 18
test (string join : $PATH) = "$ORIG"; or exit 19
echo STRICT-OK
"#;
    run_strict(&fx, &vars, &["fish", "--no-config", "-c"], script);
}

/// What `rvenv hook` prints begins with the template the linters check
/// (bash's after the one line naming where answers go: a file in a private
/// directory in memory, or '' where there is none).
#[test]
fn printed_hook_is_the_template_plus_completions() {
    let fx = Fixture::new();
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let mut printed = printed_hook(&fx, sh);
        if sh == Shell::Bash {
            let line = printed.split(|&b| b == b'\n').next().unwrap().to_vec();
            assert!(
                line.starts_with(b"__rvenv_answer='") && line.ends_with(b"'"),
                "bash: the answers' directory first: {}",
                String::from_utf8_lossy(&line)
            );
            printed.drain(..=line.len());
        }
        let template = with_id(sh, &fs::read(template(sh)).unwrap());
        assert!(
            printed.starts_with(&template),
            "{sh:?}: rvenv hook does not print the template"
        );
    }
}

/// The template as printed: its one placeholder replaced by the id this
/// rvenv's hook for `sh` hands `rvenv __hook`.
fn with_id(sh: Shell, template: &[u8]) -> Vec<u8> {
    let placeholder = b"@RVENV_HOOK_ID@";
    let at: Vec<usize> = (0..template.len())
        .filter(|&i| template[i..].starts_with(placeholder))
        .collect();
    assert_eq!(at.len(), 1, "{sh:?}: the template holds its id once");
    let id = common::hook_id(sh.name());
    assert_eq!(id.len(), 16, "{sh:?}: {id:?}");
    [
        &template[..at[0]],
        &id,
        &template[at[0] + placeholder.len()..],
    ]
    .concat()
}

/// Every shell's printed hook holds its id and no placeholder (tcsh's
/// library, which its printed loader sources, likewise).
#[test]
fn printed_hooks_carry_their_id() {
    let fx = Fixture::new();
    for sh in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::Nushell,
        Shell::Xonsh,
        Shell::Powershell,
    ] {
        let printed = printed_hook(&fx, sh);
        let id = with_id(sh, b"@RVENV_HOOK_ID@");
        let has = |needle: &[u8]| printed.windows(needle.len()).any(|w| w == needle);
        assert!(has(&id), "{sh:?}: no id in the printed hook");
        assert!(!has(b"@RVENV_HOOK_ID@"), "{sh:?}: a placeholder left");
    }
}

/// tcsh parses a loop's body again at each turn: once rvenv has sent the
/// markers, the hook tests them with the library's files unrolled for that
/// many (`__rvenv_sig_of_N`, `__rvenv_any_in_N`), which give what the loops
/// give; a second load starts again from the loops.
#[test]
fn tcsh_unrolls_its_marker_tests() {
    if !Shell::Tcsh.available() {
        return;
    }
    let (fx, vars) = strict_fixture();
    let script = r#"
eval "`rvenv hook tcsh`"
if ( "$__rvenv_sig_file:t" != "__rvenv_sig_of" ) exit 10
cd "$P/sub"
source $__rvenv_lib:q/__rvenv_check __rvenv_check
if ( "$VIRTUAL_ENV" != "$P/.venv" ) exit 11
if ( "$__rvenv_sig_file:t" != "__rvenv_sig_of_$#__rvenv_markers" ) exit 12
if ( ! -e "$__rvenv_sig_file" ) exit 13
cd "$P"
source $__rvenv_sig_file:q __rvenv_sig_of .
set unrolled = "$__rvenv_s"
source $__rvenv_lib:q/__rvenv_sig_of __rvenv_sig_of .
if ( "$unrolled" != "$__rvenv_s" || "$unrolled" !~ *1* ) exit 14
if ( "$__rvenv_any_file:t" != "__rvenv_any_in_$#__rvenv_markers" ) exit 17
foreach d ( "$P" "$R" )
    set __rvenv_go = 0
    source $__rvenv_any_file:q __rvenv_any_in "$d"
    set unrolled = $__rvenv_go
    set __rvenv_go = 0
    source $__rvenv_lib:q/__rvenv_any_in __rvenv_any_in "$d"
    if ( $unrolled != $__rvenv_go ) exit 18
end
if ( $unrolled != 0 ) exit 19
cd "$R"
source $__rvenv_lib:q/__rvenv_check __rvenv_check
if ( $?VIRTUAL_ENV ) exit 15
eval "`rvenv hook tcsh`"
if ( "$__rvenv_sig_file:t" != "__rvenv_sig_of" || "$__rvenv_any_file:t" != "__rvenv_any_in" ) exit 16
echo STRICT-OK
"#;
    run_strict(&fx, &vars, &["tcsh", "-f", "-c"], script);
}

/// For a variable it does not know, xonsh tries each of its variables'
/// patterns at every assignment and every time it builds a command's
/// environment: the hook registers those it sets, as strings with no
/// default (as xonsh's own VIRTUAL_ENV). That must change nothing else: unset
/// they are absent, set they reach a child, deleted they leave it.
#[test]
fn xonsh_registers_the_variables_it_sets() {
    if !Shell::Xonsh.available() {
        return;
    }
    let (fx, vars) = strict_fixture();
    let script = r#"
import subprocess, sys
from xonsh.built_ins import XSH
def check(ok, n):
    if not ok:
        print("failed", n)
        sys.exit(n)
def child():
    out = subprocess.run(["env"], env=XSH.env.detype(), stdout=subprocess.PIPE).stdout.decode()
    return dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
names = ["__RVENV_VENV", "__RVENV_PYTHONHOME", "__RVENV_OFF", "__RVENV_PIN", "__RVENV_DENIED", "VIRTUAL_ENV_PROMPT"]
check(not any(XSH.env.get_docs(n).doc for n in names), 9)
execx($(rvenv hook xonsh))
execx($(rvenv hook xonsh))
check(all(XSH.env.get_docs(n).doc for n in names), 10)
check(not any(n in ${...} for n in names), 11)
h = XSH.ctx["__rvenv"]
cd $P/sub
h["check"]()
check($VIRTUAL_ENV == $P + "/.venv" and $__RVENV_VENV == $VIRTUAL_ENV, 12)
c = child()
check(c.get("__RVENV_VENV") == $VIRTUAL_ENV and c.get("VIRTUAL_ENV_PROMPT") == "proj", 13)
cd $R
h["check"]()
check(not any(n in ${...} for n in names + ["VIRTUAL_ENV"]), 14)
c = child()
check(not any(n in c for n in names + ["VIRTUAL_ENV"]), 15)
$__RVENV_OFF = "x"
check(child().get("__RVENV_OFF") == "x", 16)
print("STRICT-OK")
"#;
    run_strict(&fx, &vars, &["xonsh", "--no-rc", "-c"], script);
}

/// xonsh parses what `execx` gets line by line, rescanning the text at each
/// (0.66 s for the hook written out over 600 lines): the printed hook is a
/// few comment lines and one line of code that hands the template (and its
/// completions) to Python's own compiler.
#[test]
fn xonsh_hook_is_one_line_for_pythons_compiler() {
    let fx = Fixture::new();
    let printed = String::from_utf8(printed_hook(&fx, Shell::Xonsh)).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    let (code, comments) = lines.split_last().unwrap();
    assert!(comments.len() <= 5 && comments.iter().all(|l| l.starts_with('#')));
    // Python reads the line as exec(compile(LITERAL, NAME, 'exec')) and
    // gives back the literal.
    let out = Command::new("python3")
        .args([
            "-c",
            "import ast, sys\n\
             call = ast.parse(sys.stdin.read(), mode='eval').body\n\
             assert call.func.id == 'exec' and len(call.args) == 1\n\
             inner = call.args[0]\n\
             assert inner.func.id == 'compile' and inner.args[2].value == 'exec'\n\
             sys.stdout.write(inner.args[0].value)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(code.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "python3 could not read: {code:.200}");
    let template = with_id(
        Shell::Xonsh,
        &fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("shell/xonsh/rvenv.xsh")).unwrap(),
    );
    let template = String::from_utf8(template).unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with(&template),
        "the one line does not hold the template"
    );
}

/// A linter or shell, or None with the reason printed; under CI a missing
/// tool is a failure.
fn tool(name: &str) -> Option<PathBuf> {
    let found = which(name);
    if found.is_none() {
        common::skip(&format!(
            "{name} is not installed (apt-get install -y {name})"
        ));
    }
    found
}

fn check(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        lossy(&out.stdout),
        lossy(&out.stderr)
    );
}

#[test]
fn shellcheck_bash() {
    let Some(shellcheck) = tool("shellcheck") else {
        return;
    };
    // Every severity, on the template.
    check(
        Command::new(&shellcheck)
            .args(["-s", "bash"])
            .arg(template(Shell::Bash)),
        "shellcheck -s bash shell/bash/rvenv.bash",
    );
    // What is printed, completions included, has no error-level finding.
    let fx = Fixture::new();
    let printed = fx.path("hook.bash");
    fs::write(&printed, printed_hook(&fx, Shell::Bash)).unwrap();
    check(
        Command::new(&shellcheck)
            .args(["-s", "bash", "-S", "error"])
            .arg(&printed),
        "shellcheck -s bash -S error on rvenv hook bash",
    );
    check(
        Command::new("bash").arg("-n").arg(&printed),
        "bash -n on rvenv hook bash",
    );
}

#[test]
fn zsh_parses() {
    let Some(zsh) = tool("zsh") else {
        return;
    };
    let fx = Fixture::new();
    let printed = fx.path("hook.zsh");
    fs::write(&printed, printed_hook(&fx, Shell::Zsh)).unwrap();
    for file in [template(Shell::Zsh), printed] {
        check(
            Command::new(&zsh).args(["-f", "-n"]).arg(&file),
            &format!("zsh -n {}", file.display()),
        );
    }
}

#[test]
fn fish_parses_and_is_indented() {
    let Some(fish) = tool("fish") else {
        return;
    };
    let fx = Fixture::new();
    let printed = fx.path("hook.fish");
    fs::write(&printed, printed_hook(&fx, Shell::Fish)).unwrap();
    for file in [template(Shell::Fish), printed] {
        check(
            Command::new(&fish).arg("--no-execute").arg(&file),
            &format!("fish --no-execute {}", file.display()),
        );
    }
    let Some(fish_indent) = tool("fish_indent") else {
        return;
    };
    check(
        Command::new(fish_indent)
            .arg("--check")
            .arg(template(Shell::Fish)),
        "fish_indent --check shell/fish/rvenv.fish",
    );
}

#[test]
fn unknown_shell_is_one_line_error() {
    for command in ["hook", "completions"] {
        unknown_shell_is_one_line_error_in(command);
    }
}

fn unknown_shell_is_one_line_error_in(command: &str) {
    let fx = Fixture::new();
    let (ok, out, err) = run_cmd(
        &fx,
        &[
            common::rvenv_bin().as_os_str(),
            OsStr::new(command),
            OsStr::new("nosuchshell"),
        ],
        &[],
    );
    let err = lossy(&err);
    assert!(!ok, "exit status 0");
    assert!(out.is_empty(), "stdout: {:?}", lossy(&out));
    assert_eq!(err.matches('\n').count(), 1, "one line: {err:?}");
    assert!(err.ends_with('\n') && err.starts_with("rvenv: "), "{err:?}");
    for sh in ["bash", "zsh", "fish", "nosuchshell"] {
        assert!(err.contains(sh), "{sh} not named: {err:?}");
    }
}

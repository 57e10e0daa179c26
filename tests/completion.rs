//! Tab completion as a user gets it: the hook loaded in each real shell
//! (zsh after compinit), Tab pressed on the terminal, and what its line
//! editor shows checked: bash's and tcsh's lists, zsh's and fish's pagers,
//! nushell's menu, elvish's completion mode, xonsh's readline list or
//! prompt_toolkit menu (whichever the installed xonsh uses).

mod common;
use common::Drive;

use common::{Fixture, Opts, Session, Shell};

/// What must appear on the terminal after typing `line` and pressing Tab.
struct Case {
    line: &'static str,
    shows: &'static [&'static str],
    what: &'static str,
}

const CASES: &[Case] = &[
    Case {
        line: "rvenv hook ",
        shows: &["bash", "zsh", "fish"],
        what: "the shells rvenv hooks into",
    },
    Case {
        line: "rvenv allow pro",
        shows: &["project/"],
        what: "a directory",
    },
    Case {
        line: "rvenv status proj",
        shows: &["project/"],
        what: "a directory",
    },
    Case {
        line: "rvenv run -- rvt-compl",
        shows: &["rvt-completion-probe"],
        what: "a command on PATH after --",
    },
];

fn opts(sh: Shell, fx: &Fixture) -> Opts {
    // A command only this test has, on PATH.
    let bin = fx.dir("bin");
    std::fs::write(bin.join("rvt-completion-probe"), "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        bin.join("rvt-completion-probe"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        common::lossy(common::base_path().as_encoded_bytes())
    );
    // fish draws its pager, tcsh turns its line editor on only on a
    // terminal they know.
    let opts = Opts::default().env("PATH", path).env("TERM", "xterm");
    match sh {
        // zsh completion needs compinit before the hook (README says so).
        Shell::Zsh => Opts {
            before: "autoload -Uz compinit && compinit -u -D".into(),
            ..opts
        },
        // tcsh's line editor draws the prompt without its invisible mark
        // (the session waits for it): precmd prints it (the hook chains it;
        // printf, since tcsh's echo shows control characters as ^X).
        Shell::Tcsh => Opts {
            before: r#"alias precmd 'printf "\033]133;B\007"'"#.into(),
            ..opts
        },
        Shell::Bash | Shell::Fish | Shell::Elvish | Shell::Xonsh | Shell::Nushell => opts,
        Shell::Powershell => common::no_hook(sh),
    }
}

/// The keys that make a shell's line editor show what Tab offers, and
/// those that then drop the line (each group typed on its own).
struct Keys {
    show: &'static [u8],
    clear: &'static [&'static [u8]],
}

fn keys(sh: Shell) -> Keys {
    // Ctrl-E then Ctrl-U: to the end of the line, and kill it.
    const KILL: &[u8] = b"\x05\x15";
    match sh {
        // xonsh edits with prompt_toolkit when it can import it (as
        // `pip install 'xonsh[full]'` gives it): a menu, as nushell's.
        Shell::Xonsh if xonsh_has_prompt_toolkit() => Keys {
            show: b"\t",
            clear: &[b"\x1b", KILL],
        },
        // bash (and xonsh without prompt_toolkit: readline) list
        // candidates at the second Tab; zsh and fish at the first.
        Shell::Bash | Shell::Zsh | Shell::Fish | Shell::Xonsh => Keys {
            show: b"\t\t",
            clear: &[KILL],
        },
        // tcsh inserts what Tab completes and lists the candidates at
        // Ctrl-D (never at the start of an empty line: that ends input).
        Shell::Tcsh => Keys {
            show: b"\t\x04",
            clear: &[KILL],
        },
        // nushell's menu and elvish's completion mode open at the first
        // Tab (a sole candidate is inserted); Escape closes them, typed
        // alone (an Escape and a key in one read are Alt and that key).
        Shell::Nushell | Shell::Elvish => Keys {
            show: b"\t",
            clear: &[b"\x1b", KILL],
        },
        Shell::Powershell => common::no_hook(sh),
    }
}

/// Whether the xonsh the tests run imports prompt_toolkit, which it then
/// edits lines with (its default shell type, "best").
fn xonsh_has_prompt_toolkit() -> bool {
    let Some(xonsh) = Shell::Xonsh.program() else {
        return false;
    };
    std::process::Command::new(xonsh)
        .args(["--no-rc", "-c", "import prompt_toolkit"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|st| st.success())
}

/// Drops the line, and presses Enter on the empty line: a new prompt.
fn clear_line(s: &mut Session, keys: &Keys) {
    for k in keys.clear {
        s.type_bytes(k);
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    s.type_bytes(b"\n");
}

fn tab_completes(sh: Shell) {
    if !sh.available() {
        return;
    }
    let fx = Fixture::new();
    fx.dir("project");
    std::fs::write(fx.path("profile.txt"), "").unwrap();
    let keys = keys(sh);
    let mut s = Session::start(sh, &fx, opts(sh, &fx));
    for case in CASES {
        s.type_at_prompt(case.line.as_bytes());
        s.type_bytes(keys.show);
        s.expect(case.shows, &format!("{}: {}", case.line, case.what));
        // Clear the line, and check the shell is back.
        clear_line(&mut s, &keys);
        s.run("true");
    }
    // A file is not offered where a directory is asked for.
    s.type_at_prompt(b"rvenv allow prof");
    s.type_bytes(keys.show);
    clear_line(&mut s, &keys);
    let step = s.run("true");
    assert!(
        !common::lossy(&step.output).contains("profile.txt"),
        "{}: a file offered for a directory:\n{}",
        sh.name(),
        s.transcript()
    );
}

#[test]
fn bash_tab_completes() {
    tab_completes(Shell::Bash);
}

#[test]
fn zsh_tab_completes() {
    tab_completes(Shell::Zsh);
}

#[test]
fn fish_tab_completes() {
    tab_completes(Shell::Fish);
}

#[test]
fn tcsh_tab_completes() {
    tab_completes(Shell::Tcsh);
}

#[test]
fn nushell_tab_completes() {
    tab_completes(Shell::Nushell);
}

#[test]
fn elvish_tab_completes() {
    tab_completes(Shell::Elvish);
}

#[test]
fn xonsh_tab_completes() {
    tab_completes(Shell::Xonsh);
}

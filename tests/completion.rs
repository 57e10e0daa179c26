//! Tab completion as a user gets it: the hook loaded in real bash, zsh
//! (after compinit) and fish, and Tab pressed on the terminal.

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
    // fish draws its pager of candidates only on a terminal it knows.
    let opts = Opts::default().env("PATH", path).env("TERM", "xterm");
    match sh {
        // zsh completion needs compinit before the hook (README says so).
        Shell::Zsh => Opts {
            before: "autoload -Uz compinit && compinit -u -D".into(),
            ..opts
        },
        Shell::Bash | Shell::Fish => opts,
        Shell::Elvish | Shell::Xonsh | Shell::Powershell | Shell::Nushell | Shell::Tcsh => {
            common::no_hook(sh)
        }
    }
}

fn tab_completes(sh: Shell) {
    if !sh.available() {
        return;
    }
    let fx = Fixture::new();
    fx.dir("project");
    std::fs::write(fx.path("profile.txt"), "").unwrap();
    let mut s = Session::start(sh, &fx, opts(sh, &fx));
    for case in CASES {
        s.type_bytes(case.line.as_bytes());
        // bash lists candidates at the second Tab; zsh and fish at the first.
        s.type_bytes(b"\t\t");
        s.expect(case.shows, &format!("{}: {}", case.line, case.what));
        // Clear the line (Ctrl-E then Ctrl-U), and check the shell is back.
        s.type_bytes(b"\x05\x15");
        s.run("true");
    }
    // A file is not offered where a directory is asked for.
    s.type_bytes(b"rvenv allow prof\t\t");
    s.type_bytes(b"\x05\x15");
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

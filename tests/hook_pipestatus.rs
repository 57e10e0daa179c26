//! The hook keeps a pipeline's statuses, as it keeps `$?`: a prompt hook
//! registered after it (starship shows `${PIPESTATUS[@]}` / `$pipestatus`)
//! sees the user's pipeline, not the hook's commands, whether or not the
//! hook asked rvenv at that prompt.

mod common;
use common::Drive;

use std::fs;

use common::{Fixture, Opts, Session, Shell, lossy, prompt_with};

shell_tests!(pipeline_statuses_reach_later_prompt_hooks);

const BASH_USER_PC: &str =
    "__user_pc() { printf 'PS %s / %s\\n' \"${PIPESTATUS[*]}\" \"$?\" >>\"$HOME/pc.log\"; }";

/// bash: the ways a prompt hook gets into PROMPT_COMMAND with rvenv's:
/// appended to the string (most tools), as an array element, and set as a
/// string before the hook loads.
#[test]
fn bash_prompt_command_forms() {
    if !Shell::Bash.available() {
        return;
    }
    for (before, after) in [
        ("", "PROMPT_COMMAND+=';__user_pc'"),
        ("", "PROMPT_COMMAND+=(__user_pc)"),
        ("PROMPT_COMMAND=__user_pc", ""),
        ("PROMPT_COMMAND=(__user_pc)", ""),
    ] {
        let before = format!("{BASH_USER_PC}\n{before}");
        check(Shell::Bash, Opts::before(before).after(after));
    }
}

/// A prompt hook of the user's, loaded after rvenv's: logs the statuses.
fn user_hook(sh: Shell) -> &'static str {
    match sh {
        Shell::Bash => "PROMPT_COMMAND+=';__user_pc'",
        Shell::Zsh => {
            "__user_pc() { print -r -- \"PS $pipestatus / $?\" >>$HOME/pc.log; }\n\
             precmd_functions+=(__user_pc)"
        }
        Shell::Fish => {
            "function __user_pc --on-event fish_prompt\n\
             \x20   printf 'PS %s / %s\\n' \"$pipestatus\" $status >>$HOME/pc.log\n\
             end"
        }
        Shell::Elvish | Shell::Xonsh | Shell::Powershell | Shell::Nushell | Shell::Tcsh => {
            common::no_hook(sh)
        }
    }
}

/// What the user's hook logged at the prompt in front of sync line `n`.
fn logged_before_sync(fx: &Fixture, n: u32) -> String {
    let log = lossy(&fs::read(fx.home.join("pc.log")).unwrap());
    let lines: Vec<&str> = log.lines().collect();
    let sync = format!("SYNC {n}");
    let at = lines.iter().position(|l| *l == sync).expect("sync logged");
    lines[..at]
        .iter()
        .rev()
        .find(|l| l.starts_with("PS "))
        .unwrap_or_else(|| panic!("the user's hook logged nothing:\n{log}"))
        .to_string()
}

fn pipeline_statuses_reach_later_prompt_hooks(sh: Shell) {
    if matches!(
        sh,
        Shell::Elvish | Shell::Xonsh | Shell::Nushell | Shell::Tcsh
    ) {
        return common::cannot_express(sh, "no pipeline statuses for a prompt hook to keep");
    }
    let before = if sh == Shell::Bash { BASH_USER_PC } else { "" };
    check(sh, Opts::before(before).after(user_hook(sh)));
}

fn check(sh: Shell, opts: Opts) {
    let fx = Fixture::new();
    let shop = fx.dir("shop");
    fx.venv("shop/.venv");
    let ctx = format!("{sh:?} {:?} {:?}", opts.before, opts.after);
    let mut s = Session::start(sh, &fx, opts);
    let pipeline = match sh {
        Shell::Fish => "false | true | sh -c 'exit 3'",
        _ => "false | true | (exit 3)",
    };
    // A prompt where nothing changed: the hook does not ask rvenv.
    s.run(pipeline);
    assert_eq!(
        logged_before_sync(&fx, s.last_sync()),
        "PS 1 0 3 / 3",
        "{ctx}: nothing changed"
    );
    // A prompt where the hook asks rvenv and activates a venv.
    let step = s.run(&format!("{}; {pipeline}", sh.cd(&shop)));
    step.assert_prompt(&prompt_with(b"shop"), "entered");
    assert_eq!(
        logged_before_sync(&fx, s.last_sync()),
        "PS 1 0 3 / 3",
        "{ctx}: entering a project"
    );
    // A longer one, and a plain command after it.
    s.run(
        "true | false | true | true | (exit 7) | true | (exit 2)"
            .replace(
                "(exit 7)",
                if sh == Shell::Fish {
                    "sh -c 'exit 7'"
                } else {
                    "(exit 7)"
                },
            )
            .replace(
                "(exit 2)",
                if sh == Shell::Fish {
                    "sh -c 'exit 2'"
                } else {
                    "(exit 2)"
                },
            )
            .as_str(),
    );
    assert_eq!(
        logged_before_sync(&fx, s.last_sync()),
        "PS 0 1 0 0 7 0 2 / 2",
        "{ctx}: seven"
    );
    s.run(&format!("{}; false", sh.cd(&fx.root)));
    assert_eq!(
        logged_before_sync(&fx, s.last_sync()),
        "PS 1 / 1",
        "{ctx}: left, one command"
    );
}

//! How the hook registers itself: once, in front of the user's prompt
//! hooks, which keep running and keep seeing `$?`.

mod common;
use common::Drive;

use std::fs;

use common::{Opts, Session, Shell, bytes, lossy, prompt_with};

/// The user's prompt hook: logs `$?` and VIRTUAL_ENV at each prompt.
const BASH_USER_PC: &str =
    "__user_pc() { printf '%s %s\\n' \"$?\" \"${VIRTUAL_ENV-none}\" >>\"$HOME/pc.log\"; }";

/// What the user's prompt hook logged at the prompt after the last command:
/// the line in front of the one the harness's sync line logged (`__rvsync`
/// appends `SYNC N` to the same file).
fn last_logged(fx: &common::Fixture, s: &Session) -> String {
    let log = lossy(&fs::read(fx.home.join("pc.log")).expect("the user's hook ran"));
    let lines: Vec<&str> = log.lines().collect();
    let sync = format!("SYNC {}", s.last_sync());
    let at = lines.iter().position(|l| *l == sync).expect("sync logged");
    assert!(at > 0 && !lines[at - 1].starts_with("SYNC"), "{log}");
    lines[at - 1].to_string()
}

/// Enter a project with a failing command: the user's hook, run after
/// ours at that same prompt, already sees the venv and still sees `$?`.
fn check_user_hook_sees_venv_and_status(sh: Shell, s: &mut Session, fx: &common::Fixture) {
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let step = s.run(&format!("{}; false", sh.cd(&shop)));
    step.assert_prompt(&prompt_with(b"shop"), "entered");
    assert_eq!(
        last_logged(fx, s),
        format!("1 {}", venv.display()),
        "{sh:?}: the user's hook"
    );
    s.run(&sh.cd(&fx.root));
    assert_eq!(
        last_logged(fx, s),
        "0 none",
        "{sh:?}: the user's hook, left"
    );
}

/// `declare -p PROMPT_COMMAND` with the hook's entry as `ENTRY`: a call to
/// `__rvenv_hook` alone, or, where something follows it in the same
/// string, followed by what gives the statuses back.
fn bash_prompt_command(s: &mut Session) -> String {
    let entry = lossy(&s.capture("printf '%s' \"$__rvenv_entry\""));
    assert!(entry.starts_with("__rvenv_hook;"), "{entry}");
    // declare -p shows `$` as `\$`.
    let shown = entry.replace('$', "\\$");
    lossy(&s.capture("declare -p PROMPT_COMMAND"))
        .replace(&shown, "ENTRY")
        .replace("\"__rvenv_hook\"", "\"ENTRY\"")
}

#[test]
fn bash_prompt_command_string_form() {
    if !Shell::Bash.available() {
        return;
    }
    let fx = common::Fixture::new();
    let before = format!("{BASH_USER_PC}\nPROMPT_COMMAND='__user_pc'");
    let mut s = Session::start(Shell::Bash, &fx, Opts::before(before).loads(2));
    assert_eq!(
        bash_prompt_command(&mut s),
        "declare -- PROMPT_COMMAND=\"ENTRY;__user_pc\"\n"
    );
    check_user_hook_sees_venv_and_status(Shell::Bash, &mut s, &fx);
}

#[test]
fn bash_prompt_command_array_form() {
    if !Shell::Bash.available() {
        return;
    }
    let fx = common::Fixture::new();
    let before = format!("{BASH_USER_PC}\nPROMPT_COMMAND=(__user_pc)");
    let mut s = Session::start(Shell::Bash, &fx, Opts::before(before).loads(2));
    assert_eq!(
        bash_prompt_command(&mut s),
        "declare -a PROMPT_COMMAND=([0]=\"ENTRY\" [1]=\"__user_pc\")\n"
    );
    check_user_hook_sees_venv_and_status(Shell::Bash, &mut s, &fx);
}

#[test]
fn bash_prompt_command_unset() {
    if !Shell::Bash.available() {
        return;
    }
    let fx = common::Fixture::new();
    let mut s = Session::start(
        Shell::Bash,
        &fx,
        Opts::before("unset PROMPT_COMMAND").loads(2),
    );
    assert_eq!(
        bash_prompt_command(&mut s),
        "declare -- PROMPT_COMMAND=\"ENTRY\"\n"
    );
    // A tool loaded after the hook that appends itself keeps ours working.
    s.run(&format!("{BASH_USER_PC}; PROMPT_COMMAND+=';__user_pc'"));
    check_user_hook_sees_venv_and_status(Shell::Bash, &mut s, &fx);
}

#[test]
fn zsh_hook_arrays() {
    if !Shell::Zsh.available() {
        return;
    }
    let fx = common::Fixture::new();
    let before = "__user_precmd() { print -r -- \"$? ${VIRTUAL_ENV-none}\" >>$HOME/pc.log }\n\
                  __user_chpwd() { : }\n\
                  precmd_functions=(__user_precmd)\n\
                  chpwd_functions=(__user_chpwd)";
    let mut s = Session::start(Shell::Zsh, &fx, Opts::before(before).loads(2));
    assert_eq!(
        lossy(&s.capture("print -rl -- $precmd_functions")),
        "__rvenv_hook\n__user_precmd\n"
    );
    assert_eq!(
        lossy(&s.capture("print -rl -- $chpwd_functions")),
        "__rvenv_hook\n__user_chpwd\n"
    );
    check_user_hook_sees_venv_and_status(Shell::Zsh, &mut s, &fx);
}

/// Options are the user's while the hook loads: with KSH_ARRAYS on,
/// `${precmd_functions:#x}` is the first element only.
#[test]
fn zsh_hook_arrays_with_ksh_arrays() {
    if !Shell::Zsh.available() {
        return;
    }
    let fx = common::Fixture::new();
    let before = "__user_precmd() { print -r -- \"$? ${VIRTUAL_ENV-none}\" >>$HOME/pc.log }\n\
                  __other() { : }\n\
                  precmd_functions=(__other __user_precmd)\n\
                  chpwd_functions=(__other __other2)\n\
                  setopt ksh_arrays sh_word_split";
    let mut s = Session::start(Shell::Zsh, &fx, Opts::before(before).loads(2));
    assert_eq!(
        lossy(&s.capture("print -rl -- \"${precmd_functions[@]}\"")),
        "__rvenv_hook\n__other\n__user_precmd\n"
    );
    assert_eq!(
        lossy(&s.capture("print -rl -- \"${chpwd_functions[@]}\"")),
        "__rvenv_hook\n__other\n__other2\n"
    );
    check_user_hook_sees_venv_and_status(Shell::Zsh, &mut s, &fx);
}

#[test]
fn fish_handlers() {
    if !Shell::Fish.available() {
        return;
    }
    let fx = common::Fixture::new();
    let before = "function __user_pc --on-event fish_prompt\n\
                  printf '%s %s\\n' $status (set -q VIRTUAL_ENV; and echo $VIRTUAL_ENV; or echo none) >>$HOME/pc.log\n\
                  end";
    let mut s = Session::start(Shell::Fish, &fx, Opts::before(before).loads(2));
    let handlers = lossy(&s.capture("functions --handlers"));
    assert_eq!(
        handlers.matches("__rvenv_hook").count(),
        2,
        "one for PWD, one for fish_prompt:\n{handlers}"
    );
    // A handler each, so that neither pays for the other's test.
    assert!(handlers.contains("PWD __rvenv_hook_cd\n"), "{handlers}");
    assert!(
        handlers.contains("fish_prompt __rvenv_hook\n"),
        "{handlers}"
    );
    assert!(handlers.contains("fish_prompt __user_pc"), "{handlers}");
    check_user_hook_sees_venv_and_status(Shell::Fish, &mut s, &fx);
    // The user's fish_prompt is what draws the prompt, after our prefix.
    let step = s.run("function fish_prompt; printf 'MINE> '; end");
    assert_eq!(step.prompt_str(), "MINE> ");
    let step = s.run(&Shell::Fish.cd(&fx.path("shop")));
    assert_eq!(step.prompt_str(), "(shop) MINE> ");
    let venv = bytes(fx.path("shop/.venv"));
    assert_eq!(s.state().var("VIRTUAL_ENV"), Some(&venv[..]));
}

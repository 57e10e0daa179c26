//! `rvenv __hook SHELL PWD ACTIVE OFF PIN`: what the shell hook evaluates
//! when its cheap checks say something may have changed.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::HookEvalArgs;
use crate::decide::{HookInput, HookState, decide};
use crate::discover;
use crate::env::Env;
use crate::quote::display;
use crate::render::{decision_lines as render_lines, render_decision};
use crate::trust::Trust;

/// Makes `DIR/.venv` as `rvenv create` would; the line saying what was
/// made, or why not.
fn auto_create(dir: &Path) -> String {
    use crate::create::{self, Options, python::Search};
    let venv = dir.join(".venv");
    let opts = Options {
        path: venv.clone(),
        ..Options::default()
    };
    let cache = create::facts::cache_dir();
    match create::create(&opts, &Search::from_process(), cache.as_deref()) {
        Ok(created) => {
            let mut what = format!(
                "{} {}",
                created.facts.implementation_name(),
                created.facts.version_text
            );
            for s in &created.seeded {
                what.push_str(&format!(", {} {}", s.name, s.version));
            }
            format!(
                "rvenv: created {} ({what}) for this project (RVENV_AUTO_CREATE)",
                display(venv.as_os_str())
            )
        }
        Err(err) => format!(
            "rvenv: could not create {} (RVENV_AUTO_CREATE): {}",
            display(venv.as_os_str()),
            display(std::ffi::OsStr::new(
                format!("{err:#}").trim_start_matches("rvenv: ")
            ))
        ),
    }
}

fn non_empty(path: &OsStr) -> Option<PathBuf> {
    (!path.is_empty()).then(|| PathBuf::from(path))
}

pub fn run(args: &HookEvalArgs) -> anyhow::Result<()> {
    if !asked_by_own_hook(args) {
        return answer_stale_hook(args.shell);
    }
    let env = Env::from_process();
    let sources = discover::sources(&env);
    let trust = Trust::load(&env);
    let pwd = Path::new(&args.pwd);
    let pwd = if pwd.is_absolute() {
        pwd.to_path_buf()
    } else {
        std::env::current_dir()?.join(pwd)
    };
    let input = HookInput {
        pwd: &pwd,
        state: HookState {
            active: non_empty(&args.active),
            off: non_empty(&args.off),
            pin: non_empty(&args.pin),
            told: non_empty(&args.told),
            fresh: args.marks.is_empty(),
        },
        env: &env,
        trust: &trust,
    };
    // One snapshot of the disk for the decision and what the hook watches
    // after it (see stat_memo): `watch` finds the repository the git check
    // found, without walking up again.
    let began = crate::runtime_dir::coarse_now();
    let mut memo = crate::stat_memo::scope();
    let mut decision = decide(&input, &sources);
    let mut stderr = std::io::stderr().lock();
    if let Some(dir) = decision.without_venv.clone()
        && env.get("RVENV_AUTO_CREATE").is_some_and(|v| v == "1")
        && trust.under_trusted_dir(&dir)
    {
        // mise's `create = true`, opt-in, and only where the user trusts
        // every venv already: the project gets its venv, then is decided
        // afresh (it activates, trusted by that same directory), on the
        // disk as the creation left it.
        drop(memo);
        let _ = writeln!(stderr, "{}", auto_create(&dir));
        memo = crate::stat_memo::scope();
        decision = decide(&input, &sources);
    }
    // The venv on after this answer (one adopted from a parent shell's
    // hook included), found by the hook (not pinned by `rvenv activate
    // PATH`, here or in a parent: the user's own word).
    let on = match &decision.activate {
        Some(activation) => Some(activation.venv.clone()),
        None if decision.deactivate.is_none() => decision
            .adopt
            .as_ref()
            .map(|adoption| adoption.venv.clone())
            .or_else(|| input.state.active.clone()),
        None => None,
    };
    let found = on.filter(|venv| {
        input.state.pin.as_ref() != Some(venv) && decision.pin.as_ref() != Some(venv)
    });
    decision.watch = found
        .as_ref()
        .and_then(|venv| crate::vcs::watch(venv, &env));
    decision.venv_stamp = found
        .zip(began)
        .and_then(|(venv, began)| crate::runtime_dir::venv_stamp(&venv, began));
    drop(memo);
    let home = env.get("HOME").map(Path::new);
    // All lines in one write (stderr is unbuffered: `writeln!` would make
    // one for the line and one for its newline).
    let mut lines = String::new();
    for line in render_lines(&decision, args.shell, home) {
        lines.push_str(&line);
        lines.push('\n');
    }
    if !lines.is_empty() {
        let _ = stderr.write_all(lines.as_bytes());
    }
    super::emit(&render_decision(args.shell, &decision, &args.marks))
}

/// Whether the hook that asks is this rvenv's own (its id is this rvenv's
/// for its shell).
fn asked_by_own_hook(args: &HookEvalArgs) -> bool {
    args.hook_id == args.shell.hook_id().as_str()
}

/// The answer to a hook loaded from another rvenv (the shell was started
/// before an upgrade): this rvenv's operations may not be its. Shells that
/// evaluate the answer as code (bash, zsh, fish) get this rvenv's hook,
/// which then decides at once; the others are told to start a new shell.
/// Never an answer made of operations that hook may not define.
fn answer_stale_hook(shell: crate::shell::Shell) -> anyhow::Result<()> {
    const STALE_HOOK: &str =
        "this shell's hook came from another version of rvenv, installed since the shell started";
    use crate::shell::Shell;
    let decide_now: &[u8] = match shell {
        // Guarded: should the hook just loaded be told it is stale too
        // (another rvenv first on PATH by then), it is not loaded again
        // from within itself.
        Shell::Bash | Shell::Zsh => {
            b"if [[ -z ${__rvenv_reloading-} ]]; then __rvenv_reloading=1; __rvenv_check; \\builtin unset __rvenv_reloading; fi\n"
        }
        Shell::Fish => {
            b"if not set -q __rvenv_reloading\n    set -g __rvenv_reloading 1\n    __rvenv_check\n    set -e __rvenv_reloading\nend\n"
        }
        Shell::Elvish | Shell::Nushell | Shell::Xonsh | Shell::Tcsh | Shell::Powershell => {
            anyhow::bail!("{STALE_HOOK}; start a new {} to load this one's", shell.name())
        }
    };
    let mut code = super::hook::script(shell, false)?;
    code.extend_from_slice(decide_now);
    eprintln!("rvenv: {STALE_HOOK}: loaded this one's");
    super::emit(&code)
}

/// Whether `entry` (the hook's, first on PATH `then` when it went on) is
/// no longer first on `path` only because entries that were on PATH
/// already went in front of it (an rc file read again, pyenv's init): then
/// it goes first again. A new directory in front is the user's choice.
pub fn reordered(path: &[u8], entry: &[u8], then: &[u8]) -> bool {
    let mut entries = path.split(|&b| b == b':');
    if entry.is_empty() || entries.next() == Some(entry) {
        return false;
    }
    let was: Vec<&[u8]> = then.split(|&b| b == b':').collect();
    path.split(|&b| b == b':')
        .take_while(|e| *e != entry)
        .all(|e| was.contains(&e))
}

/// `rvenv __undo SHELL VENV` / `rvenv __undo SHELL '' ENTRY OLDPATH` /
/// `rvenv __undo SHELL front ENTRY THEN` (see
/// [`crate::cli::Internal::Undo`]).
pub fn undo(args: &[std::ffi::OsString]) -> anyhow::Result<()> {
    let usage = "usage: rvenv __undo SHELL VENV | rvenv __undo SHELL '' ENTRY OLDPATH";
    let shell = crate::cli::hooked_shell_arg(args.first()).ok_or_else(|| anyhow::anyhow!(usage))?;
    match args {
        [_, venv] if !venv.is_empty() => super::emit(&crate::render::render(
            shell,
            &crate::render::Op::deactivate(venv),
        )),
        [_, mode, prompt, ours, rest] if mode == "prompt" => {
            use std::os::unix::ffi::{OsStrExt, OsStringExt};
            if let Some(theirs) = prompt.as_bytes().strip_suffix(ours.as_bytes()) {
                let mut now = theirs.to_vec();
                now.extend_from_slice(rest.as_bytes());
                let mut code = b"set prompt = ".to_vec();
                code.extend(crate::quote::quote(
                    shell,
                    &std::ffi::OsString::from_vec(now),
                ));
                code.push(b'\n');
                super::emit(&code)?;
            }
            Ok(())
        }
        [_, mode, entry, then] if mode == "front" => {
            use std::os::unix::ffi::OsStrExt;
            let path = std::env::var_os("PATH").unwrap_or_default();
            if reordered(path.as_bytes(), entry.as_bytes(), then.as_bytes()) {
                let op = crate::render::Op::PathFront {
                    entry: entry.clone(),
                };
                super::emit(&crate::render::render(shell, &[op]))?;
            }
            Ok(())
        }
        [_, venv, entry, old] if venv.is_empty() => {
            let path = std::env::var_os("PATH").unwrap_or_default();
            super::emit(&crate::render::yield_path(shell, &path, old, entry))
        }
        _ => anyhow::bail!(usage),
    }
}

#[cfg(test)]
mod tests {
    use super::reordered;

    #[test]
    fn entry_goes_first_again_only_behind_entries_it_had_behind_it() {
        let then = b"/v/bin:/shims:/usr/bin:/bin";
        // pyenv's init again: shims in front, already there further down.
        assert!(reordered(
            b"/shims:/v/bin:/shims:/usr/bin:/bin",
            b"/v/bin",
            then
        ));
        // Taken off PATH while every entry left was there before.
        assert!(reordered(b"/shims:/usr/bin", b"/v/bin", then));
        // First already, no entry, or a new directory the user put first.
        assert!(!reordered(b"/v/bin:/usr/bin", b"/v/bin", then));
        assert!(!reordered(b"/shims:/v/bin", b"", then));
        assert!(!reordered(b"/mine:/v/bin:/usr/bin", b"/v/bin", then));
        assert!(!reordered(b"/shims:/mine:/v/bin", b"/v/bin", then));
    }
}

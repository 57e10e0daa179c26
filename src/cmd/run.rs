//! `rvenv run [--venv PATH] -- CMD ARGS...`: run a command in the venv of
//! the current directory without touching the shell. The command replaces
//! rvenv (exec), so signals reach it directly and its exit status is ours.
//!
//! A venv found for the current directory runs only if the hook would
//! activate it (the same [`auto_activation`]): `rvenv run -- ls` in a fresh
//! clone must not run the clone's `.venv/bin/ls`. A venv named with
//! `--venv` is the user's choice, as `source PATH/bin/activate` is.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::Path;

use anyhow::bail;

use crate::cli::RunArgs;
use crate::decide::{activation_for, auto_activation};
use crate::env::Env;
use crate::quote::display;
use crate::shell::Shell;
use crate::trust::Trust;

/// PATH with `remove` (the bin/ of a venv already active) taken out once and
/// `first` put in front: what activation would leave.
pub fn venv_path_var(path: Option<&OsString>, remove: Option<&Path>, first: &Path) -> OsString {
    let mut entries: Vec<&[u8]> = match path {
        Some(p) => p.as_bytes().split(|&b| b == b':').collect(),
        None => Vec::new(),
    };
    if let Some(remove) = remove
        && let Some(i) = entries
            .iter()
            .position(|e| *e == remove.as_os_str().as_bytes())
    {
        entries.remove(i);
    }
    let mut out = first.as_os_str().as_bytes().to_vec();
    for entry in entries {
        out.push(b':');
        out.extend_from_slice(entry);
    }
    if path.is_none() {
        // No PATH before: only the venv's bin.
        return OsString::from_vec(first.as_os_str().as_bytes().to_vec());
    }
    OsString::from_vec(out)
}

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let env = Env::from_process();
    let found = super::activate::found_for(args.venv.as_deref(), &env)?;
    let shell = Shell::of_user(&env);
    let activation = match args.venv {
        Some(_) => activation_for(&found.venv, &found.project, &env),
        None => auto_activation(
            &found.venv,
            &found.project,
            &env,
            &Trust::load(&env),
            &super::activate::logical_cwd()?,
        ),
    }
    .map_err(|refusal| {
        let home = env.get("HOME").map(Path::new);
        anyhow::anyhow!(crate::render::refusal_line(&refusal, shell, home))
    })?;
    let Some((program, rest)) = args.command.split_first() else {
        bail!("no command given: rvenv run -- CMD ARGS...");
    };
    let old_bin = env.get("VIRTUAL_ENV").map(|v| Path::new(v).join("bin"));
    let path = venv_path_var(
        std::env::var_os("PATH").as_ref(),
        old_bin.as_deref(),
        &activation.venv.join("bin"),
    );
    let err = std::process::Command::new(program)
        .args(rest)
        .env("VIRTUAL_ENV", &activation.venv)
        .env("VIRTUAL_ENV_PROMPT", &activation.prompt)
        .env("PATH", path)
        .env_remove("PYTHONHOME")
        .exec();
    let code = if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    eprintln!("rvenv: cannot run {}: {err}", display(program.as_os_str()));
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_for_the_venv() {
        let p = |s: &str| OsString::from(s);
        assert_eq!(
            venv_path_var(Some(&p("/usr/bin:/bin")), None, Path::new("/v/bin")),
            "/v/bin:/usr/bin:/bin"
        );
        assert_eq!(
            venv_path_var(
                Some(&p("/old/bin:/usr/bin::/old/bin")),
                Some(Path::new("/old/bin")),
                Path::new("/v/bin")
            ),
            "/v/bin:/usr/bin::/old/bin"
        );
        assert_eq!(venv_path_var(None, None, Path::new("/v/bin")), "/v/bin");
    }
}

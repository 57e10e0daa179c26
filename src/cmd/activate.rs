//! `rvenv activate [PATH]` and `rvenv deactivate`. Both change the calling
//! shell, so they only work through the shell function the hook defines,
//! which sets __RVENV_SHELL and evaluates what is printed here.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::cli::ActivateArgs;
use crate::decide::activation_for;
use crate::discover;
use crate::env::Env;
use crate::quote::display;
use crate::render::{Op, render};
use crate::shell::Shell;

/// The shell whose `rvenv` function called us, or the error telling the user
/// to install the hook.
fn calling_shell(command: &str) -> anyhow::Result<Shell> {
    let name = std::env::var("__RVENV_SHELL").unwrap_or_default();
    if let Ok(shell) = <Shell as clap::ValueEnum>::from_str(&name, false) {
        return Ok(shell);
    }
    bail!(
        "{command} changes your shell, so it needs the hook: add eval \"$(rvenv hook bash)\" \
         (or zsh; for fish: rvenv hook fish | source) to your shell's rc file"
    )
}

/// The shell's logical working directory when $PWD still names it, so a
/// project reached through a symlink keeps the path the user sees.
pub fn logical_cwd() -> anyhow::Result<PathBuf> {
    let physical = std::env::current_dir().context("the current directory is gone")?;
    if let Some(pwd) = std::env::var_os("PWD").map(PathBuf::from)
        && pwd.is_absolute()
        && same_file(&pwd, &physical)
    {
        return Ok(pwd);
    }
    Ok(physical)
}

/// The directory a command's optional argument names, taken from the
/// logical working directory (default: that directory); an error naming it
/// when it is not a directory.
pub fn dir_arg(arg: Option<&Path>) -> anyhow::Result<PathBuf> {
    let cwd = logical_cwd()?;
    let dir = match arg {
        Some(path) => logical_join(&cwd, path),
        None => cwd,
    };
    if !dir.is_dir() {
        bail!(
            "{} is not a directory",
            crate::quote::display(dir.as_os_str())
        );
    }
    Ok(dir)
}

/// The venv found for a command's optional directory argument (a venv, or
/// a directory in or below a project), as the hook finds it; an error that
/// says what to do when there is none.
pub fn found_for(arg: Option<&Path>, env: &Env) -> anyhow::Result<discover::Found> {
    let start = dir_arg(arg)?;
    match discover::find_venv(&start, &discover::sources(env)) {
        Some(found) => Ok(found),
        None => bail!(
            "no venv in {} or above it; create one with: rvenv create",
            crate::quote::display(start.as_os_str())
        ),
    }
}

/// `path` taken from the logical directory `cwd` as `cd` takes it: `.` and
/// `..` resolved lexically (so `..` of a symlinked directory is its logical
/// parent), no trailing slash.
pub fn logical_join(cwd: &Path, path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = if path.is_absolute() {
        PathBuf::from("/")
    } else {
        cwd.to_path_buf()
    };
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(part) => out.push(part),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (a.metadata(), b.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

pub fn run(args: &ActivateArgs) -> anyhow::Result<()> {
    let shell = calling_shell("rvenv activate")?;
    let env = Env::from_process();
    let found = found_for(args.path.as_deref(), &env)?;
    let activation = activation_for(&found.venv, &found.project, &env).map_err(|refusal| {
        let home = env.get("HOME").map(Path::new);
        anyhow::anyhow!(crate::render::refusal_line(&refusal, shell, home))
    })?;

    // Pinned when named (stays on until deactivated); either way, a
    // deactivate typed earlier in this project no longer holds.
    let pin = match args.path {
        Some(_) => activation.venv.clone().into_os_string(),
        None => std::ffi::OsString::new(),
    };
    // Whatever venv is on goes off first: another through its own
    // deactivate, then the hook's (the rvenv function says which it is).
    let mut ops = vec![Op::Begin, Op::DeactivateTheirs];
    if let Some(hook_venv) = env.get("__RVENV_HOOK_VENV") {
        ops.extend(Op::deactivate(hook_venv));
    }
    ops.push(Op::Watch {
        index: std::ffi::OsString::new(),
        stamp: std::ffi::OsString::new(),
        venv_file: std::ffi::OsString::new(),
        venv_stamp: std::ffi::OsString::new(),
    });
    ops.extend(Op::activate(&activation));
    // Exported for a child shell, which keeps the venv pinned.
    ops.push(if pin.is_empty() {
        Op::UnsetVar {
            name: "__RVENV_PIN",
        }
    } else {
        Op::SetVar {
            name: "__RVENV_PIN",
            value: pin.clone(),
        }
    });
    ops.push(Op::Pin { venv: pin });
    super::emit(&render(shell, &ops))?;
    if env.get("RVENV_LOG").is_none_or(|v| v != "quiet") {
        // As the hook says it, and where from when a path named it.
        let mut line = crate::decide::activated_message(&activation);
        if args.path.is_some() {
            line.push_str(&format!(" from {}", display(activation.venv.as_os_str())));
        }
        let _ = writeln!(std::io::stderr(), "{line}");
    }
    Ok(())
}

pub fn run_deactivate() -> anyhow::Result<()> {
    calling_shell("rvenv deactivate")?;
    bail!("rvenv deactivate is handled by the shell function; is the hook loaded?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_cd() {
        let cwd = Path::new("/link/shop/src");
        assert_eq!(logical_join(cwd, Path::new("..")), Path::new("/link/shop"));
        assert_eq!(
            logical_join(cwd, Path::new("./../.venv/")),
            Path::new("/link/shop/.venv")
        );
        assert_eq!(
            logical_join(cwd, Path::new("/a/./b/../c")),
            Path::new("/a/c")
        );
        assert_eq!(
            logical_join(Path::new("/"), Path::new("../..")),
            Path::new("/")
        );
    }
}

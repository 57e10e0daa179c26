//! A venv on disk, checked before it is ever put on PATH.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::pyvenv_cfg::{CfgError, PyvenvCfg};
use crate::quote::{command_arg, display};
use crate::shell::Shell;

/// A venv that looks whole: its pyvenv.cfg reads, names a `home`, and its
/// `bin/python` leads to an interpreter that exists.
#[derive(Debug, Clone)]
pub struct Venv {
    pub cfg: PyvenvCfg,
}

/// Why a venv cannot be used, phrased to follow "rvenv: VENV is broken: ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    Cfg(CfgError),
    NoHome,
    PythonGone(PathBuf),
    NoPython,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Cfg(e) => write!(f, "{e}"),
            Broken::NoHome => write!(f, "its pyvenv.cfg names no home"),
            Broken::PythonGone(p) => write!(f, "its Python {} is gone", p.display()),
            Broken::NoPython => write!(f, "it has no bin/python"),
        }
    }
}

impl Venv {
    pub fn inspect(path: &Path) -> Result<Venv, Broken> {
        let cfg = PyvenvCfg::read(path).map_err(Broken::Cfg)?;
        let home = cfg.home.clone().ok_or(Broken::NoHome)?;
        let python = ["python", "python3"]
            .iter()
            .map(|name| path.join("bin").join(name))
            .find(|p| p.symlink_metadata().is_ok())
            .ok_or(Broken::NoPython)?;
        if python.metadata().is_err() {
            return Err(Broken::PythonGone(missing_end(&python)));
        }
        if !home.is_dir() {
            return Err(Broken::PythonGone(home));
        }
        Ok(Venv { cfg })
    }

    /// pyvenv.cfg's `prompt`, if it sets one.
    pub fn cfg_prompt(&self) -> Option<OsString> {
        self.cfg.prompt.clone().filter(|p| !p.is_empty())
    }
}

/// Where the chain of symlinks from `link` ends at nothing: the base
/// interpreter that is gone (`/…/3.10.13/bin/python3.10`), not the venv's
/// own `bin/python3` that leads to it.
fn missing_end(link: &Path) -> PathBuf {
    let mut current = link.to_owned();
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&current) else {
            break;
        };
        current = match current.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    current
}

impl Broken {
    /// The `rvenv create` option that repairs it: a venv whose base is
    /// gone is pointed at another release of its Python version, keeping
    /// its packages; anything else is rebuilt.
    pub fn repair_option(&self) -> &'static str {
        match self {
            Broken::PythonGone(_) => "--upgrade",
            _ => "--clear",
        }
    }
}

/// `path` as short as the user reads it: relative to `pwd` when below it,
/// else `~/...` when below `home`. Returns (for display, as a command
/// argument in `shell`'s syntax).
pub fn short_path(
    path: &Path,
    pwd: Option<&Path>,
    home: Option<&Path>,
    shell: Shell,
) -> (String, String) {
    let full = || {
        (
            display(path.as_os_str()),
            command_arg(shell, path.as_os_str()),
        )
    };
    if let Some(rel) = pwd.and_then(|p| path.strip_prefix(p).ok())
        && !rel.as_os_str().is_empty()
    {
        return (
            display(rel.as_os_str()),
            command_arg(shell, rel.as_os_str()),
        );
    }
    if let Some(rel) = home
        .filter(|h| h.is_absolute() && h.parent().is_some())
        .and_then(|h| path.strip_prefix(h).ok())
        && !rel.as_os_str().is_empty()
    {
        let arg = command_arg(shell, rel.as_os_str());
        // `~/` stays a tilde only before a word that needs no quoting.
        if arg.as_bytes() == rel.as_os_str().as_encoded_bytes() {
            return (
                format!("~/{}", display(rel.as_os_str())),
                format!("~/{arg}"),
            );
        }
        let (_, arg) = full();
        return (format!("~/{}", display(rel.as_os_str())), arg);
    }
    full()
}

/// The one-line message for a broken venv: what is really missing and the
/// next step, in the syntax of the user's shell, with paths as short as
/// `pwd` and `home` make them.
pub fn broken_message(
    venv: &Path,
    why: &Broken,
    shell: Shell,
    pwd: Option<&Path>,
    home: Option<&Path>,
) -> String {
    let (shown, arg) = short_path(venv, pwd, home, shell);
    let option = why.repair_option();
    let why = match why {
        Broken::PythonGone(base) => {
            format!("{} is gone", short_path(base, None, home, shell).0)
        }
        other => display(std::ffi::OsStr::new(&other.to_string())),
    };
    format!("rvenv: {shown} is broken: {why}; fix: rvenv create {option} {arg}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    #[test]
    fn whole_and_broken_venvs() {
        let tmp = tempfile::tempdir().unwrap();
        let v = tmp.path().join(".venv");
        fs::create_dir_all(v.join("bin")).unwrap();
        fs::write(v.join("pyvenv.cfg"), "version = 3.12\n").unwrap();
        assert!(matches!(Venv::inspect(&v), Err(Broken::NoHome)));

        fs::write(v.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        assert!(matches!(Venv::inspect(&v), Err(Broken::NoPython)));

        symlink("/nonexistent/python3.11", v.join("bin/python")).unwrap();
        let err = Venv::inspect(&v).unwrap_err();
        assert_eq!(
            err.to_string(),
            "its Python /nonexistent/python3.11 is gone"
        );

        fs::remove_file(v.join("bin/python")).unwrap();
        symlink("/bin/sh", v.join("bin/python")).unwrap();
        assert!(Venv::inspect(&v).is_ok());
        let msg = broken_message(&v, &err, Shell::Bash, None, None);
        assert_eq!(
            msg,
            format!(
                "rvenv: {} is broken: /nonexistent/python3.11 is gone; \
                 fix: rvenv create --upgrade {}",
                v.display(),
                v.display()
            )
        );
    }

    #[test]
    fn broken_names_the_base_and_fits_a_line() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let shop = home.join("code/shop");
        let v = shop.join(".venv");
        fs::create_dir_all(v.join("bin")).unwrap();
        let base = home.join(".pyenv/versions/3.10.13/bin/python3.10");
        fs::write(
            v.join("pyvenv.cfg"),
            format!("home = {}\n", base.parent().unwrap().display()),
        )
        .unwrap();
        symlink(&base, v.join("bin/python3.10")).unwrap();
        symlink("python3.10", v.join("bin/python3")).unwrap();
        symlink("python3", v.join("bin/python")).unwrap();
        let err = Venv::inspect(&v).unwrap_err();
        assert!(matches!(&err, Broken::PythonGone(p) if *p == base), "{err}");
        let msg = broken_message(&v, &err, Shell::Zsh, Some(&shop), Some(&home));
        assert_eq!(
            msg,
            "rvenv: .venv is broken: ~/.pyenv/versions/3.10.13/bin/python3.10 is gone; \
             fix: rvenv create --upgrade .venv"
        );
        assert!(msg.chars().count() <= 110, "{}", msg.chars().count());
        // From elsewhere: the venv under ~, quoted when it must be.
        let msg = broken_message(
            &v,
            &err,
            Shell::Bash,
            Some(&tmp.path().join("x")),
            Some(&home),
        );
        assert!(
            msg.starts_with("rvenv: ~/code/shop/.venv is broken"),
            "{msg}"
        );
        assert!(
            msg.ends_with("rvenv create --upgrade ~/code/shop/.venv"),
            "{msg}"
        );
        // Anything else is rebuilt.
        let msg = broken_message(&v, &Broken::NoHome, Shell::Bash, Some(&shop), Some(&home));
        assert!(msg.ends_with("fix: rvenv create --clear .venv"), "{msg}");
    }
}

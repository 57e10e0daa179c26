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
#[derive(Debug)]
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
            let target = std::fs::read_link(&python)
                .map(|t| path.join("bin").join(t))
                .unwrap_or(python);
            return Err(Broken::PythonGone(target));
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

/// The one-line message for a broken venv, naming the next step in the
/// syntax of the user's shell.
pub fn broken_message(venv: &Path, why: &Broken, shell: Shell) -> String {
    format!(
        "rvenv: {} is broken: {}; recreate it with: rvenv create --clear {}",
        display(venv.as_os_str()),
        display(std::ffi::OsStr::new(&why.to_string())),
        command_arg(shell, venv.as_os_str())
    )
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
        let msg = broken_message(&v, &err, Shell::Bash);
        assert!(msg.contains("is broken: its Python /nonexistent/python3.11 is gone; recreate it"));
    }
}

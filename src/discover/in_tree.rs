//! The venv kept inside the project: the directory itself is a venv, or it
//! holds one named `.venv` or `venv` (RVENV_VENV_NAMES).

use std::ffi::OsString;
use std::path::Path;

use super::{Probe, VenvSource};
use crate::env::Env;
use crate::stat_memo;

pub struct InTree {
    names: Vec<OsString>,
}

/// RVENV_VENV_NAMES, colon-separated; names holding `/`, `.` and `..` are
/// ignored so a name can never point outside the directory.
pub fn venv_names(env: &Env) -> Vec<OsString> {
    use std::os::unix::ffi::OsStrExt;
    let Some(value) = env.get("RVENV_VENV_NAMES") else {
        return vec![".venv".into(), "venv".into()];
    };
    value
        .as_bytes()
        .split(|&b| b == b':')
        .filter(|n| !n.is_empty() && !n.contains(&b'/') && *n != b"." && *n != b"..")
        .map(|n| std::ffi::OsStr::from_bytes(n).to_owned())
        .collect()
}

impl InTree {
    pub fn from_env(env: &Env) -> InTree {
        InTree {
            names: venv_names(env),
        }
    }
}

impl VenvSource for InTree {
    fn name(&self) -> &'static str {
        "dir"
    }

    fn markers(&self) -> Vec<OsString> {
        let mut markers = vec![OsString::from("pyvenv.cfg")];
        for name in &self.names {
            markers.push(Path::new(name).join("pyvenv.cfg").into_os_string());
        }
        markers
    }

    /// A venv entered itself (`cd .venv/bin`) is still its project's, when
    /// it is named like one: deactivate sticks there, the prompt is the
    /// project's name, and the hook sees no new project.
    fn project(&self, dir: &Path, venv: &Path) -> std::path::PathBuf {
        let named_like_ours = venv
            .file_name()
            .is_some_and(|n| self.names.iter().any(|name| name == n));
        match dir.parent() {
            Some(parent) if venv == dir && named_like_ours => parent.to_path_buf(),
            _ => dir.to_path_buf(),
        }
    }

    fn probe(&self, dir: &Path, _start: &Path) -> Probe {
        if stat_memo::is_file(&dir.join("pyvenv.cfg")) {
            return Probe::Found(dir.to_path_buf());
        }
        let mut probe = Probe::Nothing;
        for name in &self.names {
            let venv = dir.join(name);
            if stat_memo::is_file(&venv.join("pyvenv.cfg")) {
                return Probe::Found(venv);
            }
            if probe == Probe::Nothing && stat_memo::is_dir(&venv) {
                probe = Probe::Skipped(format!(
                    "{} is a directory without pyvenv.cfg",
                    name.to_string_lossy()
                ));
            }
        }
        probe
    }
}

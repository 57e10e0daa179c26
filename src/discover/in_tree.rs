//! The venv kept inside the project: the directory itself is a venv, or it
//! holds one named `.venv` or `venv` (RVENV_VENV_NAMES).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::VenvSource;
use crate::env::Env;

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

    fn probe(&self, dir: &Path) -> Option<PathBuf> {
        if dir.join("pyvenv.cfg").is_file() {
            return Some(dir.to_path_buf());
        }
        self.names
            .iter()
            .map(|name| dir.join(name))
            .find(|venv| venv.join("pyvenv.cfg").is_file())
    }
}

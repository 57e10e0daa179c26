//! A directory that is plainly a Python project: for the hint that it has
//! no venv yet (and `RVENV_AUTO_CREATE`). Not a venv source: it finds no
//! venv, only where one is missing.

use std::path::{Path, PathBuf};

use super::files;

/// The files that make a directory a Python project. `pyproject.toml`
/// counts only with a `[project]` or `[tool.poetry]` table (a tool's own
/// settings file, say ruff's, does not make a project).
pub const MARKERS: &[&str] = &["pyproject.toml", "setup.py", "requirements.txt", "Pipfile"];

/// The nearest directory at or above `start` that is a Python project.
pub fn nearest(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_python_project(dir))
        .map(Path::to_path_buf)
}

fn is_python_project(dir: &Path) -> bool {
    // Opened, never read: only that it is a regular file matters.
    let regular = |name: &str| matches!(crate::regular_file::open(&dir.join(name)), Ok(Some(_)));
    if regular("setup.py") || regular("requirements.txt") || regular("Pipfile") {
        return true;
    }
    match files::read_toml(&dir.join("pyproject.toml")) {
        Ok(Some(table)) => {
            table.get("project").is_some_and(toml::Value::is_table)
                || table
                    .get("tool")
                    .and_then(|t| t.get("poetry"))
                    .is_some_and(toml::Value::is_table)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plainly_python_projects() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let project = |name: &str, file: &str, text: &str| {
            let dir = root.join(name);
            std::fs::create_dir_all(dir.join("src/deep")).unwrap();
            std::fs::write(dir.join(file), text).unwrap();
            dir
        };
        let pep621 = project("a", "pyproject.toml", "[project]\nname = 'a'\n");
        let poetry = project("b", "pyproject.toml", "[tool.poetry]\nname = 'b'\n");
        let ruff_only = project("c", "pyproject.toml", "[tool.ruff]\nline-length = 90\n");
        let setup = project("d", "setup.py", "");
        let reqs = project("e", "requirements.txt", "requests\n");
        let pipfile = project("f", "Pipfile", "");
        for dir in [&pep621, &poetry, &setup, &reqs, &pipfile] {
            assert_eq!(nearest(&dir.join("src/deep")).as_ref(), Some(dir));
        }
        assert_eq!(nearest(&ruff_only.join("src")), None);
        // A FIFO is no file: passed over without blocking.
        let fifo = root.join("g");
        std::fs::create_dir_all(&fifo).unwrap();
        let name = std::ffi::CString::new(fifo.join("setup.py").to_str().unwrap()).unwrap();
        // SAFETY: a valid C string; mkfifo touches nothing else.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        assert_eq!(nearest(&fifo), None);
    }
}

//! The Python a project asks for: `[project] requires-python` of the
//! nearest `pyproject.toml` at or above the venv's directory, as uv reads it
//! for `uv venv` when neither `--python` nor a `.python-version` names one.
//! The newest installed Python 3 that satisfies it is used.
//!
//! As uv: the nearest `pyproject.toml` decides (one without `[project]` or
//! without `requires-python` asks for nothing, the walk stops there), and
//! one that cannot be used (not TOML, a malformed specifier) is named in a
//! warning and ignored. The specifiers are PEP 440's, parsed by `pep440_rs`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

use super::facts::Facts;
use super::python::{self, Request, Search};
use crate::quote::display;

/// No pyproject.toml comes near this; a larger one is not read.
const MAX_PYPROJECT: u64 = 1024 * 1024;

/// A project's `requires-python` and the file that says it.
#[derive(Debug, Clone)]
pub struct RequiresPython {
    pub file: PathBuf,
    pub specifiers: VersionSpecifiers,
}

impl RequiresPython {
    /// The specifiers as one word, `>=3.10,<3.12`, normalized by the parser
    /// (so nothing of the file reaches the terminal as written).
    pub fn shown(&self) -> String {
        self.specifiers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether `version` (`3.12.1`, `3.13.0rc1`) satisfies it.
    pub fn allows(&self, version: &Version) -> bool {
        self.specifiers.contains(version)
    }
}

/// The `requires-python` of the nearest `pyproject.toml` at or above `dir`:
/// `Ok(None)` when there is none or it asks for nothing, `Err(why)` (one
/// line naming the file) when it cannot be used.
pub fn of_project(dir: &Path) -> Result<Option<RequiresPython>, String> {
    for ancestor in dir.ancestors() {
        let file = ancestor.join("pyproject.toml");
        if let Some(text) = read_regular(&file)? {
            return parse(&file, &text);
        }
    }
    Ok(None)
}

/// The text of `file` when it is a regular file (symlinks followed): read
/// with the one reader that never blocks (`crate::regular_file`), so a FIFO
/// or a device is passed over at once.
fn read_regular(file: &Path) -> Result<Option<String>, String> {
    match crate::regular_file::read(file, MAX_PYPROJECT) {
        Ok(Some(contents)) => String::from_utf8(contents.bytes)
            .map(Some)
            .map_err(|_| format!("{} is not UTF-8 text", display(file.as_os_str()))),
        Ok(None) | Err(crate::regular_file::ReadError::NotRegular(_)) => Ok(None),
        Err(e) => Err(format!("{} {e}", display(file.as_os_str()))),
    }
}

fn parse(file: &Path, text: &str) -> Result<Option<RequiresPython>, String> {
    let shown = display(file.as_os_str());
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let table = text.parse::<toml::Table>().map_err(|e| {
        // The first line of toml's message says what and where.
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("TOML error");
        format!("{shown} is not valid TOML: {}", display(first.as_ref()))
    })?;
    let Some(project) = table.get("project") else {
        return Ok(None);
    };
    let Some(project) = project.as_table() else {
        return Err(format!("{shown}: [project] is not a table"));
    };
    let Some(value) = project.get("requires-python") else {
        return Ok(None);
    };
    let Some(value) = value.as_str() else {
        return Err(format!(
            "{shown}: requires-python is not a string of version specifiers"
        ));
    };
    let specifiers = VersionSpecifiers::from_str(value).map_err(|e| {
        // pep440_rs's message is the error, the input and a caret line.
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("").trim_end_matches(':');
        let first = first
            .strip_prefix("Failed to parse version: ")
            .unwrap_or(first);
        format!(
            "{shown}: requires-python {} is not a PEP 440 version specifier ({})",
            display(format!("{value:?}").as_ref()),
            display(first.as_ref())
        )
    })?;
    Ok(Some(RequiresPython {
        file: file.to_owned(),
        specifiers,
    }))
}

/// The newest installed Python 3 that `wanted` allows, by full version:
/// pyenv's and uv's by their directory names (each queried only when its
/// name allows it), `python3.X` on PATH by what it says it is.
pub fn newest(
    wanted: &RequiresPython,
    search: &Search,
    cache: Option<&Path>,
) -> anyhow::Result<(PathBuf, Facts)> {
    let installed = python::installed(search);
    let mut unusable: Option<String> = None;
    for v in installed.iter().rev() {
        // A full name decides without a query; `python3.11` on PATH
        // needs its patch version.
        if v.len() == 3 && !wanted.allows(&Version::new(v.iter().map(|&n| u64::from(n)))) {
            continue;
        }
        match super::base_for(&Request::Version(v.clone()), "", false, search, cache) {
            Ok((base, facts)) if wanted.allows(&facts_version(&facts)) => {
                // A newer one was passed over: say so, or the user would
                // wonder why not that one.
                if let Some(why) = &unusable {
                    let _ = writeln!(
                        std::io::stderr(),
                        "rvenv: warning: {why}; taking {} for requires-python {}",
                        facts.version_text,
                        wanted.shown()
                    );
                }
                return Ok((base, facts));
            }
            Ok(_) => {}
            Err(e) => {
                unusable.get_or_insert_with(|| {
                    format!("{} cannot be used: {e:#}", python::join_version(v))
                });
            }
        }
    }
    let installed = if installed.is_empty() {
        "no Python 3 is installed".to_owned()
    } else {
        let list: Vec<String> = installed.iter().map(|v| python::join_version(v)).collect();
        format!("installed: {}", list.join(", "))
    };
    anyhow::bail!(
        "{} asks for Python {} (requires-python); {installed}{}; install one or name one with -p",
        display(wanted.file.as_os_str()),
        wanted.shown(),
        unusable.map(|why| format!("; {why}")).unwrap_or_default()
    )
}

/// What the interpreter says it is (`3.13.0rc1`), else its three numbers.
fn facts_version(facts: &Facts) -> Version {
    Version::from_str(&facts.version_text)
        .unwrap_or_else(|_| Version::new(facts.version.iter().map(|&n| u64::from(n))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn asked(dir: &Path) -> Result<Option<String>, String> {
        of_project(dir).map(|r| r.map(|r| r.shown()))
    }

    #[test]
    fn nearest_pyproject_decides() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let deep = root.join("p/src/pkg");
        fs::create_dir_all(&deep).unwrap();
        assert_eq!(asked(&deep), Ok(None));
        fs::write(
            root.join("p/pyproject.toml"),
            "[project]\nname = \"p\"\nrequires-python = \">=3.10, <3.12\"\n",
        )
        .unwrap();
        assert_eq!(asked(&deep), Ok(Some(">=3.10,<3.12".into())));
        assert_eq!(
            of_project(&deep).unwrap().unwrap().file,
            root.join("p/pyproject.toml")
        );
        // A nearer pyproject.toml without requires-python asks for
        // nothing, and the walk stops there (as uv's project discovery).
        fs::write(root.join("p/src/pyproject.toml"), "[tool.black]\n").unwrap();
        assert_eq!(asked(&deep), Ok(None));
        fs::write(
            root.join("p/src/pyproject.toml"),
            "[project]\nname = \"s\"\n",
        )
        .unwrap();
        assert_eq!(asked(&deep), Ok(None));
        // A directory named pyproject.toml is not one.
        fs::remove_file(root.join("p/src/pyproject.toml")).unwrap();
        fs::create_dir(root.join("p/src/pyproject.toml")).unwrap();
        assert_eq!(asked(&deep), Ok(Some(">=3.10,<3.12".into())));
    }

    #[test]
    fn a_fifo_is_passed_over_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            tmp.path().join("pyproject.toml"),
            "[project]\nrequires-python = \"~=3.9.0\"\n",
        )
        .unwrap();
        let fifo = std::ffi::CString::new(
            dir.join("pyproject.toml")
                .into_os_string()
                .into_encoded_bytes(),
        )
        .unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        // Were it opened blocking, this would never return (no writer).
        let (tx, rx) = std::sync::mpsc::channel();
        let d = dir.clone();
        std::thread::spawn(move || tx.send(asked(&d)).unwrap());
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading a FIFO named pyproject.toml blocked");
        assert_eq!(got, Ok(Some("~=3.9.0".into())));
    }

    #[test]
    fn malformed_files_are_one_line_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("pyproject.toml");
        let name = file.display().to_string();
        for (text, want) in [
            (
                "[project]\nrequires-python = \">=3.1O\"\n",
                "requires-python \">=3.1O\" is not a PEP 440 version specifier",
            ),
            (
                "[project]\nrequires-python = \"3.10\"\n",
                "is not a PEP 440 version specifier",
            ),
            (
                "[project]\nrequires-python = \"\\u001b[31m>=3\"\n",
                "requires-python \"\\u{1b}[31m>=3\"",
            ),
            (
                "[project]\nrequires-python = 3.10\n",
                "requires-python is not a string",
            ),
            ("[project\n", "is not valid TOML"),
            ("project = 1\n", "[project] is not a table"),
        ] {
            fs::write(&file, text).unwrap();
            let err = of_project(tmp.path()).unwrap_err();
            assert!(err.starts_with(&name), "{text:?}: {err}");
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(!err.contains('\n') && !err.contains('\x1b'), "{err:?}");
        }
        fs::write(&file, vec![b'#'; MAX_PYPROJECT as usize + 1]).unwrap();
        assert!(of_project(tmp.path()).unwrap_err().contains("larger than"));
    }

    #[test]
    fn specifiers_as_pep_440_has_them() {
        let req = |s: &str| RequiresPython {
            file: PathBuf::new(),
            specifiers: VersionSpecifiers::from_str(s).unwrap(),
        };
        let v = |s: &str| Version::from_str(s).unwrap();
        assert!(req("~=3.9.0").allows(&v("3.9.18")));
        assert!(!req("~=3.9.0").allows(&v("3.10.0")));
        assert!(req(">=3.10,<3.12").allows(&v("3.11.7")));
        assert!(!req(">=3.10,<3.12").allows(&v("3.12.0")));
        assert!(req("==3.11.*").allows(&v("3.11.2")));
        assert!(!req(">=3.13").allows(&v("3.13.0rc1")));
        assert!(req("").allows(&v("3.8.18")));
        assert_eq!(req(" >= 3.10 ,!=3.10.2").shown(), ">=3.10,!=3.10.2");
    }
}

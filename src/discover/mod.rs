//! Venv discovery: an ordered list of [`VenvSource`]s consulted in each
//! directory on the walk from the working directory up to `/`. The first
//! directory where any source finds a venv is the project; nothing above it
//! is looked at.

mod files;
mod in_tree;
mod pipenv;
mod poetry;
mod pyenv;
pub mod python_project;
mod uv;
mod venv_file;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::env::Env;

/// One way a directory can name its venv.
pub trait VenvSource {
    /// Short name, as shown by `rvenv status` and used in RVENV_SOURCES.
    fn name(&self) -> &'static str;

    /// Paths relative to a directory whose presence may make this source find
    /// a venv there. The shell hook tests only these (cheap `-e` tests) to
    /// know, without starting rvenv, that a `cd` changed nothing.
    fn markers(&self) -> Vec<OsString>;

    /// What this source finds in `dir`, on the walk up from `start`.
    fn probe(&self, dir: &Path, start: &Path) -> Probe;

    /// The project a venv this source found in `dir` belongs to.
    fn project(&self, dir: &Path, _venv: &Path) -> PathBuf {
        dir.to_path_buf()
    }
}

/// One source's answer for one directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// This directory's venv.
    Found(PathBuf),
    /// Nothing of this source's here.
    Nothing,
    /// Something of this source's is here but names no usable venv: the
    /// walk goes on, quietly; `rvenv status` shows the reason.
    Skipped(String),
}

/// A venv found for a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub venv: PathBuf,
    /// The directory on the walk where the venv was found.
    pub project: PathBuf,
    pub source: &'static str,
}

/// Every source's name, in the default order.
pub const DEFAULT_ORDER: &[&str] = &["dir", "file", "pyenv", "poetry", "pipenv", "uv"];

fn source_named(name: &str, env: &Env) -> Option<Box<dyn VenvSource>> {
    match name {
        "dir" => Some(Box::new(in_tree::InTree::from_env(env))),
        "file" => Some(Box::new(venv_file::VenvFile::from_env(env))),
        "pyenv" => Some(Box::new(pyenv::Pyenv::from_env(env))),
        "poetry" => Some(Box::new(poetry::Poetry::from_env(env))),
        "pipenv" => Some(Box::new(pipenv::Pipenv::from_env(env))),
        "uv" => Some(Box::new(uv::Uv::from_env(env))),
        _ => None,
    }
}

/// The sources in the order they are consulted: RVENV_SOURCES
/// (colon-separated names; unknown names are ignored), else every source.
pub fn sources(env: &Env) -> Vec<Box<dyn VenvSource>> {
    let configured = env
        .get("RVENV_SOURCES")
        .map(|v| v.to_string_lossy().into_owned());
    let names: Vec<&str> = match &configured {
        Some(v) => v.split(':').collect(),
        None => DEFAULT_ORDER.to_vec(),
    };
    let mut out: Vec<Box<dyn VenvSource>> = Vec::new();
    for name in names {
        if out.iter().all(|s| s.name() != name)
            && let Some(source) = source_named(name, env)
        {
            out.push(source);
        }
    }
    out
}

/// What the shell hook tests: every source's markers, then the files that
/// make a Python project (for the hint that one has no venv).
pub fn hook_markers(sources: &[Box<dyn VenvSource>]) -> Vec<OsString> {
    let mut all = markers(sources);
    for marker in python_project::MARKERS.iter().map(OsString::from) {
        if !all.contains(&marker) {
            all.push(marker);
        }
    }
    all
}

/// Every marker of every source.
pub fn markers(sources: &[Box<dyn VenvSource>]) -> Vec<OsString> {
    let mut all: Vec<OsString> = Vec::new();
    for marker in sources.iter().flat_map(|s| s.markers()) {
        if !all.contains(&marker) {
            all.push(marker);
        }
    }
    all
}

/// The first venv found walking up from `start` (a logical, absolute path:
/// symlinks are not resolved, so `..` means what it means to the shell).
pub fn find_venv(start: &Path, sources: &[Box<dyn VenvSource>]) -> Option<Found> {
    walk(start, sources, &mut |_, _, _| {})
}

/// [`find_venv`], telling `seen` about every source that skipped something:
/// (source name, directory, reason).
pub fn walk(
    start: &Path,
    sources: &[Box<dyn VenvSource>],
    seen: &mut dyn FnMut(&'static str, &Path, &str),
) -> Option<Found> {
    for dir in start.ancestors() {
        for source in sources {
            match source.probe(dir, start) {
                // PATH and VIRTUAL_ENV are absolute, whatever a source's
                // settings say: a relative one would follow the user's cwd.
                Probe::Found(venv) if !venv.is_absolute() || !start.is_absolute() => seen(
                    source.name(),
                    dir,
                    &format!("{} is not an absolute path", files::shown(&venv)),
                ),
                Probe::Found(venv) => {
                    return Some(Found {
                        project: source.project(dir, &venv),
                        venv,
                        source: source.name(),
                    });
                }
                Probe::Nothing => {}
                Probe::Skipped(why) => seen(source.name(), dir, &why),
            }
        }
    }
    None
}

/// The name a venv goes by in the prompt when its pyvenv.cfg sets none: the
/// project directory's for a venv named like `.venv`, else the venv's own.
pub fn default_prompt(venv: &Path, project: &Path, env: &Env) -> OsString {
    let venv_name = venv.file_name().unwrap_or(OsStr::new(""));
    let dir = if venv != project {
        project
    } else if in_tree::venv_names(env).iter().any(|n| n == venv_name) {
        project.parent().unwrap_or(project)
    } else {
        venv
    };
    dir.file_name()
        .map(OsStr::to_owned)
        .unwrap_or_else(|| OsString::from("venv"))
}

/// A minimal venv (pyvenv.cfg only) for the sources' unit tests.
#[cfg(test)]
pub fn test_venv_at(path: &Path) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::write(path.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    use super::test_venv_at as venv_at;

    fn find(start: &Path, env: &Env) -> Option<Found> {
        find_venv(start, &sources(env))
    }

    #[test]
    fn finds_dot_venv_then_venv_walking_up() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("shop");
        venv_at(&project.join(".venv"));
        venv_at(&project.join("venv"));
        fs::create_dir_all(project.join("src/api")).unwrap();
        let env = Env::default();
        let found = find(&project.join("src/api"), &env).unwrap();
        assert_eq!(found.venv, project.join(".venv"));
        assert_eq!(found.project, project);
        assert_eq!(find(tmp.path(), &env), None);
    }

    #[test]
    fn a_venv_itself_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("tools");
        venv_at(&venv);
        fs::create_dir_all(venv.join("lib")).unwrap();
        let found = find(&venv.join("lib"), &Env::default()).unwrap();
        assert_eq!(found.venv, venv);
        assert_eq!(default_prompt(&venv, &venv, &Env::default()), "tools");
    }

    #[test]
    fn nearest_wins_and_no_cfg_is_no_venv() {
        let tmp = tempfile::tempdir().unwrap();
        venv_at(&tmp.path().join("a/.venv"));
        venv_at(&tmp.path().join("a/b/venv"));
        fs::create_dir_all(tmp.path().join("a/b/c/.venv")).unwrap();
        let found = find(&tmp.path().join("a/b/c"), &Env::default()).unwrap();
        assert_eq!(found.venv, tmp.path().join("a/b/venv"));
    }

    #[test]
    fn names_are_configurable() {
        let tmp = tempfile::tempdir().unwrap();
        venv_at(&tmp.path().join("p/.venv"));
        venv_at(&tmp.path().join("p/env"));
        let env = Env::from_pairs([("RVENV_VENV_NAMES", "env:.venv"), ("RVENV_SOURCES", "dir")]);
        assert_eq!(
            find(&tmp.path().join("p"), &env).unwrap().venv,
            tmp.path().join("p/env")
        );
        let markers = markers(&sources(&env));
        assert_eq!(
            markers,
            ["pyvenv.cfg", "env/pyvenv.cfg", ".venv/pyvenv.cfg"]
        );
    }

    #[test]
    fn every_source_by_default_with_its_markers() {
        let env = Env::from_pairs([("UV_PROJECT_ENVIRONMENT", "env")]);
        let all = sources(&env);
        let names: Vec<&str> = all.iter().map(|s| s.name()).collect();
        assert_eq!(names, DEFAULT_ORDER);
        assert_eq!(names, ["dir", "file", "pyenv", "poetry", "pipenv", "uv"]);
        assert_eq!(
            markers(&all),
            [
                "pyvenv.cfg",
                ".venv/pyvenv.cfg",
                "venv/pyvenv.cfg",
                ".venv",
                ".python-version",
                "pyproject.toml",
                "poetry.toml",
                "Pipfile",
            ]
        );
        let env = Env::from_pairs([("RVENV_SOURCES", "uv:file:nosuch:pipenv")]);
        let names: Vec<&str> = sources(&env).iter().map(|s| s.name()).collect();
        assert_eq!(names, ["uv", "file", "pipenv"]);
    }

    #[test]
    fn sources_are_consulted_in_order_in_each_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path();
        let p = home.join("p");
        venv_at(&home.join(".virtualenvs/named"));
        venv_at(&home.join(".pyenv/versions/penv"));
        fs::create_dir_all(p.join("sub")).unwrap();
        fs::write(p.join(".venv"), "named\n").unwrap();
        fs::write(p.join(".python-version"), "penv\n").unwrap();
        let h = home.to_str().unwrap();
        let env = Env::from_pairs([("HOME", h)]);
        let found = find(&p.join("sub"), &env).unwrap();
        assert_eq!(
            (found.venv, found.project, found.source),
            (home.join(".virtualenvs/named"), p.clone(), "file")
        );
        let env = Env::from_pairs([("HOME", h), ("RVENV_SOURCES", "pyenv:file")]);
        let found = find(&p.join("sub"), &env).unwrap();
        assert_eq!(
            (found.venv, found.source),
            (home.join(".pyenv/versions/penv"), "pyenv")
        );
        // One that resolves nowhere is skipped, and the walk goes on.
        fs::write(p.join(".venv"), "nosuch\n").unwrap();
        fs::write(p.join("sub/.python-version"), "3.12.1\n").unwrap();
        let env = Env::from_pairs([("HOME", h)]);
        let mut seen = Vec::new();
        let found = walk(&p.join("sub"), &sources(&env), &mut |s, d, _| {
            seen.push((s, d.to_path_buf()))
        })
        .unwrap();
        assert_eq!(found.source, "pyenv");
        assert_eq!(seen, [("pyenv", p.join("sub")), ("file", p.clone())]);
    }

    #[test]
    fn rvenv_sources_selects_and_orders() {
        let tmp = tempfile::tempdir().unwrap();
        venv_at(&tmp.path().join("p/.venv"));
        let env = Env::from_pairs([("RVENV_SOURCES", "nosuch")]);
        assert!(sources(&env).is_empty());
        assert_eq!(find(&tmp.path().join("p"), &env), None);
        let env = Env::from_pairs([("RVENV_SOURCES", "dir:dir")]);
        assert_eq!(sources(&env).len(), 1);
    }

    #[test]
    fn prompt_names() {
        let env = Env::default();
        let p = Path::new("/code/shop");
        assert_eq!(default_prompt(&p.join(".venv"), p, &env), "shop");
        assert_eq!(
            default_prompt(&p.join(".venv"), &p.join(".venv"), &env),
            "shop"
        );
    }

    struct Relative;

    impl VenvSource for Relative {
        fn name(&self) -> &'static str {
            "relative"
        }
        fn markers(&self) -> Vec<OsString> {
            Vec::new()
        }
        fn probe(&self, _dir: &Path, _start: &Path) -> Probe {
            Probe::Found(PathBuf::from("rel/venv"))
        }
    }

    /// Whatever a source says, a relative path is never a venv found.
    #[test]
    fn relative_venvs_are_never_found() {
        let sources: Vec<Box<dyn VenvSource>> = vec![Box::new(Relative)];
        let mut seen = Vec::new();
        assert_eq!(
            walk(Path::new("/a/b"), &sources, &mut |s, d, why| {
                seen.push((s, d.to_path_buf(), why.to_owned()))
            }),
            None
        );
        assert_eq!(seen.len(), 3);
        assert!(seen[0].2.contains("not an absolute path"), "{seen:?}");
    }
}

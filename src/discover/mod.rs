//! Venv discovery: an ordered list of [`VenvSource`]s consulted in each
//! directory on the walk from the working directory up to `/`. The first
//! directory where any source finds a venv is the project; nothing above it
//! is looked at.

mod in_tree;

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

    /// The venv this source finds for `dir`, if any.
    fn probe(&self, dir: &Path) -> Option<PathBuf>;
}

/// A venv found for a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub venv: PathBuf,
    /// The directory on the walk where the venv was found.
    pub project: PathBuf,
    pub source: &'static str,
}

/// The sources in the order they are consulted.
pub fn sources(env: &Env) -> Vec<Box<dyn VenvSource>> {
    vec![Box::new(in_tree::InTree::from_env(env))]
}

/// Every marker of every source, for the shell hook.
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
    for dir in start.ancestors() {
        for source in sources {
            if let Some(venv) = source.probe(dir) {
                return Some(Found {
                    venv,
                    project: dir.to_path_buf(),
                    source: source.name(),
                });
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn venv_at(path: &Path) {
        fs::create_dir_all(path).unwrap();
        fs::write(path.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    }

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
        let env = Env::from_pairs([("RVENV_VENV_NAMES", "env:.venv")]);
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
    fn prompt_names() {
        let env = Env::default();
        let p = Path::new("/code/shop");
        assert_eq!(default_prompt(&p.join(".venv"), p, &env), "shop");
        assert_eq!(
            default_prompt(&p.join(".venv"), &p.join(".venv"), &env),
            "shop"
        );
    }
}

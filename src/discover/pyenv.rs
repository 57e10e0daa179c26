//! pyenv-virtualenv's env, named in `.python-version`: the file read as
//! pyenv reads it (libexec/pyenv-version-file-read: the first word of each
//! line; blank lines, `#` comments, `..` and anything holding `/` skipped),
//! its first entry naming `$PYENV_ROOT/versions/NAME` (a `python-` prefix
//! dropped when only the rest exists, as pyenv-version-name does). That is a
//! venv when it holds `pyvenv.cfg` (pyenv-virtualenv links
//! `versions/NAME` to `versions/X.Y.Z/envs/NAME`, or makes it a venv
//! itself); a plain Python version such as `3.12.1` is not one.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::files::{self, is_venv, shown};
use super::{Probe, VenvSource};
use crate::env::Env;

/// pyenv reads the file a line at a time; nothing this large is one.
const MAX_SIZE: u64 = 64 * 1024;

pub struct Pyenv {
    root: Option<PathBuf>,
}

/// The entries of a `.python-version`, as pyenv-version-file-read reads
/// them (`read -r version _` with `\r` added to IFS).
pub fn versions(content: &[u8]) -> Vec<&[u8]> {
    content
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            line.split(|&b| matches!(b, b' ' | b'\t' | b'\r'))
                .find(|w| !w.is_empty())
        })
        .filter(|v| !v.starts_with(b"#") && *v != b".." && !v.contains(&b'/'))
        .collect()
}

impl Pyenv {
    pub fn from_env(env: &Env) -> Pyenv {
        let root = match env.get("PYENV_ROOT") {
            Some(root) => Some(PathBuf::from(root)),
            None => files::home(env).map(|h| h.join(".pyenv")),
        };
        Pyenv { root }
    }

    fn resolve(&self, content: &[u8]) -> Result<PathBuf, String> {
        let Some(first) = versions(content).first().copied() else {
            return Err(".python-version names no version".into());
        };
        let name = Path::new(OsStr::from_bytes(first));
        if first == b"system" || first.contains(&0) {
            return Err(format!(
                ".python-version names {}, not a virtualenv",
                shown(name)
            ));
        }
        let Some(root) = &self.root else {
            return Err("neither PYENV_ROOT nor HOME is set".into());
        };
        if !root.is_absolute() {
            // pyenv would take it from the directory it runs in.
            return Err(format!(
                "PYENV_ROOT {} is not an absolute path",
                shown(root)
            ));
        }
        let versions = root.join("versions");
        let mut path = versions.join(name);
        if !path.exists()
            && let Some(rest) = first.strip_prefix(b"python-")
            && !rest.is_empty()
        {
            path = versions.join(OsStr::from_bytes(rest));
        }
        if is_venv(&path) {
            Ok(path)
        } else if path.is_dir() {
            Err(format!(
                ".python-version names {}, a Python version, not a virtualenv",
                shown(name)
            ))
        } else {
            Err(format!(
                ".python-version names {}, which is not in {}",
                shown(name),
                shown(&versions)
            ))
        }
    }
}

impl VenvSource for Pyenv {
    fn name(&self) -> &'static str {
        "pyenv"
    }

    fn markers(&self) -> Vec<OsString> {
        vec![".python-version".into()]
    }

    fn probe(&self, dir: &Path, _start: &Path) -> Probe {
        match files::read_bounded(&dir.join(".python-version"), MAX_SIZE) {
            Ok(None) => Probe::Nothing,
            Ok(Some(content)) => match self.resolve(&content) {
                Ok(venv) => Probe::Found(venv),
                Err(why) => Probe::Skipped(why),
            },
            Err(e) => Probe::Skipped(format!(".python-version {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    #[test]
    fn reads_like_pyenv() {
        let content = b"# pinned\n\n  myenv  extra\r\n3.12.1\n../x\n..\nfoo/bar\n#3.11\n";
        assert_eq!(versions(content), [&b"myenv"[..], b"3.12.1"]);
        assert_eq!(versions(b"3.12.1\r\n"), [&b"3.12.1"[..]]);
        assert!(versions(b"").is_empty());
        assert!(versions(b"\xff\xfe\0").len() == 1);
    }

    #[test]
    fn finds_pyenv_virtualenv_layouts() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("pyenv");
        // pyenv virtualenv 3.12.1 shop: a venv under the version, linked.
        let real = root.join("versions/3.12.1/envs/shop");
        fs::create_dir_all(root.join("versions/3.12.1/bin")).unwrap();
        fs::create_dir_all(&real).unwrap();
        fs::write(real.join("pyvenv.cfg"), "home = /x\n").unwrap();
        symlink(&real, root.join("versions/shop")).unwrap();
        // A venv directly in versions/ (pyenv virtualenv with a system
        // Python, or made by hand).
        fs::create_dir_all(root.join("versions/blog")).unwrap();
        fs::write(root.join("versions/blog/pyvenv.cfg"), "home = /x\n").unwrap();

        let p = tmp.path().join("p");
        fs::create_dir_all(&p).unwrap();
        let env = Env::from_pairs([("PYENV_ROOT", root.to_str().unwrap())]);
        let source = Pyenv::from_env(&env);
        let probe = |content: &str| {
            fs::write(p.join(".python-version"), content).unwrap();
            source.probe(&p, &p)
        };
        assert_eq!(probe("shop\n"), Probe::Found(root.join("versions/shop")));
        assert_eq!(
            probe("# c\nblog 3.12.1\n"),
            Probe::Found(root.join("versions/blog"))
        );
        assert_eq!(
            probe("python-blog\n"),
            Probe::Found(root.join("versions/blog"))
        );
        // Only the first entry counts; a plain version is skipped.
        let Probe::Skipped(why) = probe("3.12.1\nshop\n") else {
            panic!()
        };
        assert!(why.contains("not a virtualenv"), "{why}");
        for content in ["", "system", "nosuch", "3.12.1/envs/shop", "\u{0}"] {
            assert!(matches!(probe(content), Probe::Skipped(_)), "{content:?}");
        }
        fs::write(p.join(".python-version"), vec![b'3'; 100_000]).unwrap();
        assert!(matches!(source.probe(&p, &p), Probe::Skipped(_)));
        assert_eq!(source.probe(tmp.path(), tmp.path()), Probe::Nothing);

        let env = Env::from_pairs([("HOME", tmp.path().to_str().unwrap())]);
        assert_eq!(Pyenv::from_env(&env).root, Some(tmp.path().join(".pyenv")));
    }

    /// pyenv takes a relative PYENV_ROOT from the directory it runs in:
    /// none is used. An entry that is a path is never one.
    #[test]
    fn relative_root_and_paths_find_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path();
        crate::discover::test_venv_at(&p.join("root/versions/env"));
        crate::discover::test_venv_at(&p.join("elsewhere"));
        fs::write(p.join(".python-version"), "env\n").unwrap();
        let env = Env::from_pairs([("PYENV_ROOT", "root")]);
        let Probe::Skipped(why) = Pyenv::from_env(&env).probe(p, p) else {
            panic!()
        };
        assert!(
            why.contains("PYENV_ROOT root is not an absolute path"),
            "{why}"
        );
        let root = p.join("root");
        let env = Env::from_pairs([("PYENV_ROOT", root.to_str().unwrap())]);
        let source = Pyenv::from_env(&env);
        for entry in [
            p.join("elsewhere").to_str().unwrap(),
            "../../elsewhere",
            "./elsewhere",
        ] {
            fs::write(p.join(".python-version"), format!("{entry}\n")).unwrap();
            assert!(matches!(source.probe(p, p), Probe::Skipped(_)), "{entry}");
        }
    }
}

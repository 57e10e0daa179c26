//! A `.venv` *file* (virtualenvwrapper's and zsh-autoswitch-virtualenv's
//! convention, also read by pipenv): one line naming the venv. A name is a
//! venv in WORKON_HOME (default `~/.virtualenvs`, then pipenv's
//! `~/.local/share/virtualenvs`; a relative WORKON_HOME is taken from HOME,
//! as virtualenvwrapper does); an absolute path is the venv itself; a
//! relative path holding `/` is taken from the directory, as pipenv does.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::files::{self, expand_user, expand_vars, is_venv, shown};
use super::{Probe, VenvSource};
use crate::env::Env;

/// A name or a path is a line; anything this long is not a `.venv` file.
const MAX_SIZE: u64 = 4096;

pub struct VenvFile {
    /// Where a bare name is looked for, in order.
    homes: Vec<PathBuf>,
}

/// WORKON_HOME as virtualenvwrapper and pipenv read it (`$VAR` and `~`
/// expanded), when it is set.
pub fn workon_home(env: &Env) -> Option<PathBuf> {
    let value = env.get("WORKON_HOME")?;
    let value = if value.as_bytes().contains(&b'$') {
        expand_vars(value, env)
    } else {
        value.to_owned()
    };
    Some(expand_user(Path::new(&value), env))
}

impl VenvFile {
    pub fn from_env(env: &Env) -> VenvFile {
        let homes = match workon_home(env) {
            Some(home) if home.is_absolute() => vec![home],
            // virtualenvwrapper_derive_workon_home: "If the path is
            // relative, prefix it with $HOME".
            Some(home) => files::home(env).map(|h| h.join(home)).into_iter().collect(),
            None => {
                let mut homes = Vec::new();
                if let Some(home) = files::home(env) {
                    homes.push(home.join(".virtualenvs"));
                }
                homes.extend(super::pipenv::default_workon_home(env).filter(|h| h.is_absolute()));
                homes
            }
        };
        VenvFile { homes }
    }

    /// The venv the file's content names, or why it names none.
    fn resolve(&self, dir: &Path, content: &[u8]) -> Result<PathBuf, String> {
        let line = content
            .split(|&b| b == b'\n')
            .map(|l| l.trim_ascii())
            .find(|l| !l.is_empty())
            .ok_or_else(|| ".venv is an empty file".to_owned())?;
        if line.contains(&0) {
            return Err(".venv is not a text file".into());
        }
        let value = Path::new(OsStr::from_bytes(line));
        if value.is_absolute() {
            return check(value.to_path_buf(), value);
        }
        if line.contains(&b'/') {
            return check(dir.join(value), value);
        }
        if line == b"." || line == b".." {
            return Err(format!(
                ".venv names {}, which is not a venv name",
                shown(value)
            ));
        }
        if self.homes.is_empty() {
            return Err(format!(
                ".venv names {}, but neither WORKON_HOME nor HOME is set",
                shown(value)
            ));
        }
        if let Some(venv) = self
            .homes
            .iter()
            .map(|h| h.join(value))
            .find(|v| is_venv(v))
        {
            return Ok(venv);
        }
        let looked: Vec<String> = self.homes.iter().map(|h| shown(h)).collect();
        Err(format!(
            ".venv names {}, which is not a venv in {}",
            shown(value),
            looked.join(" or ")
        ))
    }
}

fn check(venv: PathBuf, named: &Path) -> Result<PathBuf, String> {
    if is_venv(&venv) {
        Ok(venv)
    } else {
        Err(format!(
            ".venv names {}, which is not a venv (no pyvenv.cfg)",
            shown(named)
        ))
    }
}

impl VenvSource for VenvFile {
    fn name(&self) -> &'static str {
        "file"
    }

    fn markers(&self) -> Vec<OsString> {
        vec![".venv".into()]
    }

    fn probe(&self, dir: &Path, _start: &Path) -> Probe {
        let path = dir.join(".venv");
        // A directory is the in-tree source's; read_bounded ignores it.
        match files::read_bounded(&path, MAX_SIZE) {
            Ok(None) => Probe::Nothing,
            Ok(Some(content)) => match self.resolve(dir, &content) {
                Ok(venv) => Probe::Found(venv),
                Err(why) => Probe::Skipped(why),
            },
            Err(e) => Probe::Skipped(format!(".venv {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    use crate::discover::test_venv_at as venv_at;

    #[test]
    fn a_name_is_a_venv_in_workon_home() {
        let tmp = tempfile::tempdir().unwrap();
        let workon = tmp.path().join("envs");
        venv_at(&workon.join("shop"));
        let project = tmp.path().join("p");
        fs::create_dir_all(&project).unwrap();
        fs::write(project.join(".venv"), "\n  shop  \n").unwrap();
        let env = Env::from_pairs([("WORKON_HOME", workon.to_str().unwrap())]);
        let source = VenvFile::from_env(&env);
        assert_eq!(
            source.probe(&project, &project),
            Probe::Found(workon.join("shop"))
        );

        fs::write(project.join(".venv"), "blog\n").unwrap();
        let Probe::Skipped(why) = source.probe(&project, &project) else {
            panic!()
        };
        assert!(why.contains("blog") && why.contains("envs"), "{why}");
    }

    #[test]
    fn default_homes_are_virtualenvwrappers_then_pipenvs() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path();
        venv_at(&home.join(".local/share/virtualenvs/a"));
        venv_at(&home.join(".virtualenvs/b"));
        let p = home.join("p");
        fs::create_dir_all(&p).unwrap();
        let env = Env::from_pairs([("HOME", home.to_str().unwrap())]);
        let source = VenvFile::from_env(&env);
        fs::write(p.join(".venv"), "a").unwrap();
        assert_eq!(
            source.probe(&p, &p),
            Probe::Found(home.join(".local/share/virtualenvs/a"))
        );
        fs::write(p.join(".venv"), "b").unwrap();
        assert_eq!(
            source.probe(&p, &p),
            Probe::Found(home.join(".virtualenvs/b"))
        );
        let env = Env::from_pairs([("HOME", "/nonexistent"), ("WORKON_HOME", "~/envs")]);
        assert_eq!(
            VenvFile::from_env(&env).homes,
            [PathBuf::from("/nonexistent/envs")]
        );
    }

    #[test]
    fn paths_and_hostile_content() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("some where/é\u{1}");
        venv_at(&venv);
        let p = tmp.path().join("p");
        fs::create_dir_all(&p).unwrap();
        let env = Env::from_pairs([("HOME", tmp.path().to_str().unwrap())]);
        let source = VenvFile::from_env(&env);
        fs::write(p.join(".venv"), venv.as_os_str().as_bytes()).unwrap();
        assert_eq!(source.probe(&p, &p), Probe::Found(venv.clone()));
        fs::write(p.join(".venv"), "../some where/é\u{1}\n").unwrap();
        assert_eq!(
            source.probe(&p, &p),
            Probe::Found(p.join("../some where/é\u{1}"))
        );

        for bad in [
            &b""[..],
            b"\n\n",
            b"..",
            b"x\0y",
            b"\xff\xfe",
            b"/nonexistent",
        ] {
            fs::write(p.join(".venv"), bad).unwrap();
            assert!(matches!(source.probe(&p, &p), Probe::Skipped(_)), "{bad:?}");
        }
        fs::write(p.join(".venv"), vec![b'a'; 10_000]).unwrap();
        assert!(matches!(source.probe(&p, &p), Probe::Skipped(_)));

        // A .venv directory is not this source's.
        fs::remove_file(p.join(".venv")).unwrap();
        fs::create_dir(p.join(".venv")).unwrap();
        assert_eq!(source.probe(&p, &p), Probe::Nothing);
        assert_eq!(source.probe(tmp.path(), tmp.path()), Probe::Nothing);
    }

    /// virtualenvwrapper takes a relative WORKON_HOME from HOME.
    #[test]
    fn relative_workon_home_is_taken_from_home() {
        let env = Env::from_pairs([("HOME", "/h"), ("WORKON_HOME", "envs")]);
        assert_eq!(VenvFile::from_env(&env).homes, [PathBuf::from("/h/envs")]);
        let env = Env::from_pairs([("HOME", "/h"), ("XDG_DATA_HOME", "data")]);
        assert_eq!(
            VenvFile::from_env(&env).homes,
            [PathBuf::from("/h/.virtualenvs")]
        );
    }
}

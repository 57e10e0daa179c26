//! pipenv's env, outside the project: a `Pipfile` found as pipenv finds it
//! (in the directory or up to PIPENV_MAX_DEPTH - 1 = 9 directories above the
//! one the walk started at), its env in WORKON_HOME (else
//! `$XDG_DATA_HOME/virtualenvs`, else `~/.local/share/virtualenvs`), named
//! as `pipenv --venv` names it (pipenv/utils/venv_locator.py, pipenv
//! 2026.10): PIPENV_CUSTOM_VENV_NAME, else the real project directory's
//! basename sanitised, `-`, the URL-safe base64 of the first 6 bytes of the
//! sha256 of `<real dir>/Pipfile`, then `-<PIPENV_PYTHON's basename>` when
//! that is set.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::files::{self, expand_user, is_venv, sanitize, sha256, shown, urlsafe_b64};
use super::{Probe, VenvSource};
use crate::env::Env;

/// pipenv's `_sanitize`: `re.sub(r'[ &$`!*@"()\[\]\\\r\n\t]', "_", name)[0:42]`.
const BAD: &[char] = &[
    ' ', '&', '$', '`', '!', '*', '@', '"', '(', ')', '[', ']', '\\', '\r', '\n', '\t',
];

pub struct Pipenv {
    workon_home: Option<PathBuf>,
    custom_name: Option<OsString>,
    python_suffix: Option<OsString>,
    /// How many directories pipenv looks at: the start and those above it.
    max_depth: usize,
    /// PIPENV_VENV_IN_PROJECT, when set to a boolean.
    in_project: Option<bool>,
}

/// pipenv's `env_to_bool`.
fn env_bool(value: &OsStr) -> Option<bool> {
    match value.to_string_lossy().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// pipenv's default WORKON_HOME: `$XDG_DATA_HOME/virtualenvs`, else
/// `~/.local/share/virtualenvs`.
pub fn default_workon_home(env: &Env) -> Option<PathBuf> {
    match env.get("XDG_DATA_HOME") {
        Some(data) => Some(expand_user(Path::new(data), env).join("virtualenvs")),
        None => files::home(env).map(|h| h.join(".local/share/virtualenvs")),
    }
}

/// The name pipenv gives the env of the project whose real (symlink-free)
/// directory is `real_dir`.
pub fn env_name(real_dir: &Path, custom: Option<&OsStr>, python: Option<&OsStr>) -> OsString {
    if let Some(custom) = custom {
        return custom.to_owned();
    }
    let base = real_dir.file_name().unwrap_or(OsStr::new(""));
    let mut name = sanitize(base.as_bytes(), BAD, 42);
    let hash = sha256(real_dir.join("Pipfile").as_os_str().as_bytes());
    name.push(b'-');
    name.extend_from_slice(urlsafe_b64(&hash[..6]).as_bytes());
    if let Some(python) = python {
        name.push(b'-');
        name.extend_from_slice(python.as_bytes());
    }
    OsString::from_vec(name)
}

impl Pipenv {
    pub fn from_env(env: &Env) -> Pipenv {
        let workon_home = super::venv_file::workon_home(env).or_else(|| default_workon_home(env));
        let python_suffix = env.get("PIPENV_PYTHON").map(|p| {
            let p = Path::new(p);
            if p.is_absolute() {
                p.file_name().unwrap_or(OsStr::new("")).to_owned()
            } else {
                p.as_os_str().to_owned()
            }
        });
        let mut max_depth = env
            .get("PIPENV_MAX_DEPTH")
            .and_then(|v| v.to_str()?.trim().parse::<usize>().ok())
            .unwrap_or(10);
        if env
            .get("PIPENV_NO_INHERIT")
            .is_some_and(|v| env_bool(v) != Some(false))
        {
            max_depth = 1;
        }
        Pipenv {
            workon_home,
            custom_name: env.get("PIPENV_CUSTOM_VENV_NAME").map(OsStr::to_owned),
            python_suffix,
            max_depth,
            in_project: env.get("PIPENV_VENV_IN_PROJECT").and_then(env_bool),
        }
    }

    /// The Pipfile's `[pipenv] venv_in_project`, if it sets it.
    fn pipfile_in_project(pipfile: &Path) -> Option<bool> {
        let table = files::read_toml(pipfile).ok()??;
        match files::toml_get(&table, &["pipenv", "venv_in_project"])? {
            toml::Value::Boolean(b) => Some(*b),
            toml::Value::String(s) => Some(!s.is_empty()),
            toml::Value::Integer(i) => Some(*i != 0),
            _ => Some(true),
        }
    }

    fn resolve(&self, dir: &Path) -> Result<PathBuf, String> {
        let Some(workon_home) = &self.workon_home else {
            return Err("found a Pipfile, but neither WORKON_HOME nor HOME is set".into());
        };
        if !workon_home.is_absolute() {
            // pipenv would take it from the directory it runs in.
            return Err(format!(
                "found a Pipfile, but pipenv's env directory {} (WORKON_HOME or XDG_DATA_HOME) is not an absolute path",
                shown(workon_home)
            ));
        }
        let dot_venv = dir.join(".venv");
        // pipenv's `.venv` file: the file source reads it first (with
        // virtualenvwrapper's WORKON_HOME default); here it is pipenv's.
        if let Ok(Some(content)) = files::read_bounded(&dot_venv, 4096)
            && let name = content.trim_ascii()
            && !name.is_empty()
            && !name.contains(&0)
        {
            let name = Path::new(OsStr::from_bytes(name));
            let venv = if name.as_os_str().as_bytes().contains(&b'/') {
                dir.join(name)
            } else {
                workon_home.join(name)
            };
            return found(venv, "the env pipenv's .venv file names");
        }
        let in_project = self
            .in_project
            .or_else(|| Self::pipfile_in_project(&dir.join("Pipfile")));
        let real_dir = std::fs::canonicalize(dir).map_err(|e| {
            format!(
                "found a Pipfile, but {} cannot be resolved ({e})",
                shown(dir)
            )
        })?;
        let name = env_name(
            &real_dir,
            self.custom_name.as_deref(),
            self.python_suffix.as_deref(),
        );
        let venv = workon_home.join(&name);
        match in_project {
            Some(true) => found(dot_venv, "pipenv's in-project env (venv_in_project)"),
            // A .venv directory pipenv would use, unless its own env exists.
            None if dot_venv.is_dir() && !venv.exists() => {
                found(dot_venv, "pipenv's in-project env")
            }
            _ => found(venv, "pipenv's env"),
        }
    }
}

fn found(venv: PathBuf, what: &str) -> Result<PathBuf, String> {
    if is_venv(&venv) {
        Ok(venv)
    } else if venv.exists() {
        Err(format!("{what} {} has no pyvenv.cfg", shown(&venv)))
    } else {
        Err(format!(
            "{what} {} does not exist (pipenv install creates it)",
            shown(&venv)
        ))
    }
}

impl VenvSource for Pipenv {
    fn name(&self) -> &'static str {
        "pipenv"
    }

    fn markers(&self) -> Vec<OsString> {
        vec!["Pipfile".into()]
    }

    fn probe(&self, dir: &Path, start: &Path) -> Probe {
        if !crate::stat_memo::is_file(&dir.join("Pipfile")) {
            return Probe::Nothing;
        }
        let depth = start
            .strip_prefix(dir)
            .map(|rest| rest.components().count())
            .unwrap_or(0);
        if depth >= self.max_depth {
            return Probe::Skipped(format!(
                "the Pipfile is {depth} directories up; pipenv looks {} up at most",
                self.max_depth.saturating_sub(1)
            ));
        }
        match self.resolve(dir) {
            Ok(venv) => Probe::Found(venv),
            Err(why) => Probe::Skipped(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    use crate::discover::test_venv_at as venv_at;

    /// Names computed by the real pipenv 2026.10.3 (pip-installed), in a
    /// directory holding an empty Pipfile at each path (/tmp is no symlink):
    ///     cd DIR && WORKON_HOME=/w python -c 'from pipenv.project import
    ///         Project; print(Project().venv_locator.name)'
    /// (the code behind `pipenv --venv`, which prints the path only once the
    /// env exists; tests/sources.rs compares with `pipenv --venv` itself).
    #[test]
    fn names_match_pipenv() {
        let cases: &[(&str, &str)] = &[
            ("/tmp/pipenv-names/shop", "shop-mqJqVAp4"),
            (
                "/tmp/pipenv-names/My Project (v2) [x]",
                "My_Project__v2___x_-8sXYj1y9",
            ),
            ("/tmp/pipenv-names/café ñandú", "café_ñandú-LLdeEiUx"),
            (
                "/tmp/pipenv-names/a-very-long-project-name-that-goes-past-forty-two-characters",
                "a-very-long-project-name-that-goes-past-fo-OZo3Iua8",
            ),
            ("/tmp/pipenv-names/x&y$z`!*@\"\\q", "x_y_z______q-13H70Qqz"),
        ];
        for (dir, name) in cases {
            assert_eq!(env_name(Path::new(dir), None, None), *name, "{dir}");
        }
    }

    /// pipenv 2026.10.3, the same command in /tmp/pipenv-names/shop with
    /// PIPENV_PYTHON=/usr/bin/python3.12, then PIPENV_PYTHON=3.12;
    /// PIPENV_CUSTOM_VENV_NAME replaces the whole name.
    #[test]
    fn python_suffix_and_custom_name() {
        let dir = Path::new("/tmp/pipenv-names/shop");
        let abs = Env::from_pairs([("PIPENV_PYTHON", "/usr/bin/python3.12")]);
        let rel = Env::from_pairs([("PIPENV_PYTHON", "3.12")]);
        let p = Pipenv::from_env(&abs);
        assert_eq!(
            env_name(dir, None, p.python_suffix.as_deref()),
            "shop-mqJqVAp4-python3.12"
        );
        let p = Pipenv::from_env(&rel);
        assert_eq!(
            env_name(dir, None, p.python_suffix.as_deref()),
            "shop-mqJqVAp4-3.12"
        );
        assert_eq!(
            env_name(dir, Some(OsStr::new("mine")), Some(OsStr::new("x"))),
            "mine"
        );
    }

    #[test]
    fn non_utf8_names_do_not_panic() {
        let dir = Path::new(OsStr::from_bytes(b"/tmp/\xff\xfe x"));
        let name = env_name(dir, None, None);
        assert!(name.as_bytes().starts_with(b"\xff\xfe_x-"));
    }

    #[test]
    fn finds_the_env_within_pipenvs_depth() {
        let tmp = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(tmp.path()).unwrap();
        let project = real.join("proj");
        let deep: PathBuf = (0..12).fold(project.clone(), |p, i| p.join(i.to_string()));
        fs::create_dir_all(&deep).unwrap();
        fs::write(project.join("Pipfile"), "[packages]\n").unwrap();
        let workon = real.join("workon");
        let env = Env::from_pairs([("WORKON_HOME", workon.to_str().unwrap())]);
        let source = Pipenv::from_env(&env);
        let venv = workon.join(env_name(&project, None, None));
        assert!(
            matches!(source.probe(&project, &project), Probe::Skipped(why) if why.contains("does not exist"))
        );
        venv_at(&venv);
        assert_eq!(source.probe(&project, &project), Probe::Found(venv.clone()));
        let nine_down: PathBuf = (0..9).fold(project.clone(), |p, i| p.join(i.to_string()));
        assert_eq!(
            source.probe(&project, &nine_down),
            Probe::Found(venv.clone())
        );
        assert!(matches!(
            source.probe(&project, &nine_down.join("9")),
            Probe::Skipped(_)
        ));
        let env = Env::from_pairs([
            ("WORKON_HOME", workon.to_str().unwrap()),
            ("PIPENV_NO_INHERIT", "1"),
        ]);
        assert!(matches!(
            Pipenv::from_env(&env).probe(&project, &project.join("0")),
            Probe::Skipped(_)
        ));
        assert_eq!(source.probe(&real, &project), Probe::Nothing);
    }

    #[test]
    fn in_project_settings() {
        let tmp = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(tmp.path()).unwrap();
        let project = real.join("proj");
        fs::create_dir_all(&project).unwrap();
        fs::write(
            project.join("Pipfile"),
            "[pipenv]\nvenv_in_project = true\n",
        )
        .unwrap();
        let workon = real.join("workon");
        venv_at(&workon.join(env_name(&project, None, None)));
        let env = Env::from_pairs([("WORKON_HOME", workon.to_str().unwrap())]);
        assert!(matches!(
            Pipenv::from_env(&env).probe(&project, &project),
            Probe::Skipped(_)
        ));
        venv_at(&project.join(".venv"));
        assert_eq!(
            Pipenv::from_env(&env).probe(&project, &project),
            Probe::Found(project.join(".venv"))
        );
        fs::remove_dir_all(project.join(".venv")).unwrap();
        let env = Env::from_pairs([
            ("WORKON_HOME", workon.to_str().unwrap()),
            ("PIPENV_VENV_IN_PROJECT", "0"),
        ]);
        assert!(matches!(
            Pipenv::from_env(&env).probe(&project, &project),
            Probe::Found(_)
        ));
        // A hostile Pipfile is not read past the bound, and does not panic.
        fs::write(project.join("Pipfile"), vec![b'['; 2 * 1024 * 1024]).unwrap();
        let env = Env::from_pairs([("WORKON_HOME", workon.to_str().unwrap())]);
        assert!(matches!(
            Pipenv::from_env(&env).probe(&project, &project),
            Probe::Found(_)
        ));
    }

    /// pipenv takes a relative WORKON_HOME (or XDG_DATA_HOME) from the
    /// directory it runs in: none is used.
    #[test]
    fn relative_workon_home_finds_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let project = fs::canonicalize(tmp.path()).unwrap();
        fs::write(project.join("Pipfile"), "[packages]\n").unwrap();
        venv_at(&project.join("wh").join(env_name(&project, None, None)));
        for (name, value) in [("WORKON_HOME", "wh"), ("XDG_DATA_HOME", "data")] {
            let env = Env::from_pairs([("HOME", "/nonexistent"), (name, value)]);
            let Probe::Skipped(why) = Pipenv::from_env(&env).probe(&project, &project) else {
                panic!("{name}")
            };
            assert!(why.contains("not an absolute path"), "{name}: {why}");
        }
    }
}

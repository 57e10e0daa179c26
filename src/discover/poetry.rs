//! poetry's env, outside the project (poetry 2.5, poetry/utils/env/
//! env_manager.py and poetry/config/config.py): for a `pyproject.toml` of a
//! poetry project, when poetry uses neither an in-project `.venv`
//! (`virtualenvs.in-project`) nor no env at all (`virtualenvs.create =
//! false`), the env `NAME-HASH-pyX.Y` in poetry's virtualenvs directory.
//!
//! Settings are read as poetry reads them: a POETRY_* variable, else the
//! project's `poetry.toml`, else poetry's `config.toml` (POETRY_CONFIG_DIR,
//! else `$XDG_CONFIG_HOME/pypoetry`, else `~/.config/pypoetry`), else the
//! default. The virtualenvs directory is `virtualenvs.path`, by default
//! `{cache-dir}/virtualenvs`, with the cache dir POETRY_CACHE_DIR, else the
//! `cache-dir` setting, else `$XDG_CACHE_HOME/pypoetry`, else
//! `~/.cache/pypoetry`.
//!
//! X.Y is what poetry's `envs.toml` records for the project (`poetry env
//! use`), else the only `NAME-HASH-py*` env there, else the one matching the
//! `python` (then `python3`) on PATH, poetry's "active Python", known from
//! its file name (a pyenv shim is followed to the version pyenv would run)
//! without starting it.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::files::{self, expand_user, is_venv, sanitize, sha256, shown, toml_get, urlsafe_b64};
use super::{Probe, VenvSource};
use crate::env::Env;

/// poetry's `generate_env_name`: `re.sub(r'[ $`!*@"\\\r\n\t]', "_", name)[:42]`.
const BAD: &[char] = &[' ', '$', '`', '!', '*', '@', '"', '\\', '\r', '\n', '\t'];

pub struct Poetry {
    /// What the process environment says; the files are read per project.
    vars: Vars,
    config_file: Option<PathBuf>,
    default_cache_dir: Option<PathBuf>,
    env: Env,
}

#[derive(Default)]
struct Vars {
    in_project: Option<bool>,
    create: Option<bool>,
    path: Option<OsString>,
    cache_dir: Option<OsString>,
}

/// poetry's `boolean_normalizer`.
fn poetry_bool(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "true" | "1")
}

/// A setting's value as poetry would use it: TOML booleans as they are,
/// strings through `boolean_normalizer`.
fn toml_bool(value: &toml::Value) -> Option<bool> {
    match value {
        toml::Value::Boolean(b) => Some(*b),
        toml::Value::String(s) => Some(poetry_bool(s)),
        _ => None,
    }
}

/// An `XDG_*_HOME` directory, used by platformdirs only when absolute.
fn xdg(env: &Env, name: &str) -> Option<PathBuf> {
    env.get(name).map(PathBuf::from).filter(|p| p.is_absolute())
}

/// The project name poetry uses: `[project] name`, else `[tool.poetry]
/// name`, else "non-package-mode"; `None` when the file is no poetry
/// project and names no project either.
pub fn project_name(pyproject: &toml::Table) -> Option<(String, bool)> {
    let is_poetry = toml_get(pyproject, &["tool", "poetry"]).is_some()
        || files::toml_str(pyproject, &["build-system", "build-backend"])
            .is_some_and(|b| b.starts_with("poetry"));
    let name = files::toml_str(pyproject, &["project", "name"])
        .filter(|n| !n.is_empty())
        .or_else(|| files::toml_str(pyproject, &["tool", "poetry", "name"]));
    match name {
        Some(name) => Some((name.to_owned(), is_poetry)),
        None if is_poetry => Some(("non-package-mode".to_owned(), true)),
        None => None,
    }
}

/// poetry's `EnvManager.generate_env_name(name, cwd)` for a project whose
/// real directory is `real_dir`: the name canonicalised (PEP 503, as
/// `ProjectPackage` does), lower-cased, sanitised, cut to 42 characters,
/// then `-` and 8 characters of the URL-safe base64 of the sha256 of the
/// directory (as Python encodes it: undecodable bytes dropped).
pub fn base_env_name(name: &str, real_dir: &Path) -> String {
    let mut canonical = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                canonical.push('-');
            }
            in_run = true;
        } else {
            canonical.push(c);
            in_run = false;
        }
    }
    let lower = canonical.to_lowercase();
    let sanitized = String::from_utf8(sanitize(lower.as_bytes(), BAD, 42)).unwrap_or_default();
    let mut path_bytes = Vec::new();
    for chunk in real_dir.as_os_str().as_bytes().utf8_chunks() {
        path_bytes.extend_from_slice(chunk.valid().as_bytes());
    }
    let hash = urlsafe_b64(&sha256(&path_bytes));
    format!("{sanitized}-{}", &hash[..8])
}

impl Poetry {
    pub fn from_env(env: &Env) -> Poetry {
        let var = |name: &str| env.get(name).map(OsStr::to_owned);
        let var_bool = |name: &str| env.get(name).map(|v| poetry_bool(&v.to_string_lossy()));
        let vars = Vars {
            in_project: var_bool("POETRY_VIRTUALENVS_IN_PROJECT"),
            create: var_bool("POETRY_VIRTUALENVS_CREATE"),
            path: var("POETRY_VIRTUALENVS_PATH"),
            cache_dir: var("POETRY_CACHE_DIR"),
        };
        let home = files::home(env);
        let (config_base, cache_base) = if cfg!(target_os = "macos") {
            let support = home.as_ref().map(|h| h.join("Library/Application Support"));
            let caches = home.as_ref().map(|h| h.join("Library/Caches"));
            (
                xdg(env, "XDG_CONFIG_HOME").or(support),
                xdg(env, "XDG_CACHE_HOME").or(caches),
            )
        } else {
            (
                xdg(env, "XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config"))),
                xdg(env, "XDG_CACHE_HOME").or_else(|| home.as_ref().map(|h| h.join(".cache"))),
            )
        };
        let config_dir = var("POETRY_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| config_base.map(|b| b.join("pypoetry")));
        Poetry {
            vars,
            config_file: config_dir.map(|d| d.join("config.toml")),
            default_cache_dir: cache_base.map(|b| b.join("pypoetry")),
            env: env.clone(),
        }
    }

    /// The project's env, or why there is none to use.
    fn resolve(&self, dir: &Path, name: &str) -> Result<PathBuf, String> {
        let local = read_config(&dir.join("poetry.toml"))?;
        let global = match &self.config_file {
            // poetry would take it from the directory it runs in.
            Some(file) if !file.is_absolute() => {
                return Err(format!(
                    "poetry's config file {} (POETRY_CONFIG_DIR) is not an absolute path",
                    shown(file)
                ));
            }
            Some(file) => read_config(file)?,
            None => None,
        };
        let setting = |keys: &[&str]| {
            local
                .as_ref()
                .and_then(|t| toml_get(t, keys))
                .or_else(|| global.as_ref().and_then(|t| toml_get(t, keys)))
        };
        let in_project = self
            .vars
            .in_project
            .or_else(|| setting(&["virtualenvs", "in-project"]).and_then(toml_bool));
        let dot_venv = dir.join(".venv");
        // poetry's in-project env (the in-tree source, consulted first by
        // default, finds it too).
        match in_project {
            Some(true) => {
                return found(dot_venv, "poetry's in-project env (virtualenvs.in-project)");
            }
            None if dot_venv.is_dir() => return found(dot_venv, "poetry's in-project env"),
            _ => {}
        }
        let create = self
            .vars
            .create
            .or_else(|| setting(&["virtualenvs", "create"]).and_then(toml_bool))
            .unwrap_or(true);
        if !create {
            return Err("poetry is set to use no env (virtualenvs.create = false)".into());
        }

        let cache_dir: OsString = match (&self.vars.cache_dir, setting(&["cache-dir"])) {
            (Some(dir), _) => dir.clone(),
            (None, Some(toml::Value::String(dir))) => dir.into(),
            _ => match &self.default_cache_dir {
                Some(dir) => dir.clone().into_os_string(),
                None => return Err("neither POETRY_CACHE_DIR nor HOME is set".into()),
            },
        };
        let path: OsString = match (&self.vars.path, setting(&["virtualenvs", "path"])) {
            (Some(path), _) => path.clone(),
            (None, Some(toml::Value::String(path))) => path.into(),
            _ => Path::new("{cache-dir}")
                .join("virtualenvs")
                .into_os_string(),
        };
        let path = replace_bytes(path.as_bytes(), b"{cache-dir}", cache_dir.as_bytes());
        let venvs = expand_user(Path::new(OsStr::from_bytes(&path)), &self.env);
        if !venvs.is_absolute() {
            // Config.virtualenvs_path is Path(path).expanduser(): poetry
            // takes a relative one from the directory it runs in, which
            // differs from one run to the next; there is no one env to use.
            return Err(format!(
                "poetry's virtualenvs directory {} is not an absolute path (virtualenvs.path, cache-dir)",
                shown(&venvs)
            ));
        }

        let real_dir = std::fs::canonicalize(dir)
            .map_err(|e| format!("{} cannot be resolved ({e})", shown(dir)))?;
        let base = base_env_name(name, &real_dir);
        // A name is one directory entry: "/x" would put the env anywhere.
        if base.contains('/') || base.contains('\0') {
            return Err(format!(
                "the project name {name:?} cannot name an env directory"
            ));
        }
        let venv = |minor: &str| venvs.join(format!("{base}-py{}", minor.trim()));

        if let Some(minor) = recorded_minor(&venvs.join("envs.toml"), &base) {
            let venv = venv(&minor);
            return found(
                venv,
                &format!("the env poetry's envs.toml records, {base}-py{minor},"),
            );
        }
        let candidates = envs_named(&venvs, &base);
        match candidates.as_slice() {
            [] => Err(format!(
                "no env {base}-py* in {} (poetry install creates it)",
                shown(&venvs)
            )),
            [only] => found(only.clone(), "poetry's env"),
            several => match self.active_minor(dir) {
                Some(minor) if several.contains(&venv(&minor)) => {
                    found(venv(&minor), "poetry's env")
                }
                Some(minor) => Err(format!(
                    "{} envs {base}-py* in {} and none for the python on PATH ({minor})",
                    several.len(),
                    shown(&venvs)
                )),
                None => Err(format!(
                    "{} envs {base}-py* in {}, none recorded in envs.toml, and the python on PATH does not tell its version by name",
                    several.len(),
                    shown(&venvs)
                )),
            },
        }
    }

    /// X.Y of poetry's "active Python": `python`, else `python3`, on PATH.
    fn active_minor(&self, dir: &Path) -> Option<String> {
        let python =
            files::which("python", &self.env).or_else(|| files::which("python3", &self.env))?;
        let real = std::fs::canonicalize(&python).ok()?;
        if let Some(minor) = minor_from_name(real.file_name()?) {
            return Some(minor);
        }
        pyenv_shim_minor(&real, dir, &self.env)
    }
}

/// `3.12` from `python3.12` (or `python3.12t`, `python3.12-dbg`).
fn minor_from_name(name: &OsStr) -> Option<String> {
    let rest = name.to_str()?.strip_prefix("python")?;
    let mut parts = rest.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!minor.is_empty()).then(|| format!("{major}.{minor}"))
}

/// X.Y of the interpreter a pyenv shim would run in `dir`: PYENV_VERSION,
/// else the nearest `.python-version`, else `$PYENV_ROOT/version`.
fn pyenv_shim_minor(shim: &Path, dir: &Path, env: &Env) -> Option<String> {
    let root = shim.parent()?.parent()?;
    if shim.parent()?.file_name()? != "shims" || !root.join("versions").is_dir() {
        return None;
    }
    let from_file = |file: &Path| -> Option<String> {
        let content = files::read_bounded(file, 64 * 1024).ok()??;
        let first = *super::pyenv::versions(&content).first()?;
        Some(String::from_utf8_lossy(first).into_owned())
    };
    let version = match env.get("PYENV_VERSION") {
        Some(v) => v.to_string_lossy().split(':').next()?.to_owned(),
        None => dir
            .ancestors()
            .find_map(|d| from_file(&d.join(".python-version")))
            .or_else(|| from_file(&root.join("version")))?,
    };
    let version = version.strip_prefix("python-").unwrap_or(&version);
    let mut parts = version.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    Some(format!("{major}.{minor}"))
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// A poetry config file; one that cannot be read is a reason to stop, as
/// poetry itself would fail on it.
fn read_config(path: &Path) -> Result<Option<toml::Table>, String> {
    files::read_toml(path).map_err(|e| format!("{} {e}", shown(path)))
}

/// The `minor` that `envs.toml` records for the project.
fn recorded_minor(envs_toml: &Path, base: &str) -> Option<String> {
    let table = files::read_toml(envs_toml).ok()??;
    let minor = files::toml_str(&table, &[base, "minor"])?;
    Some(minor.to_owned())
}

/// `venvs/BASE-py*`, sorted, as poetry's `EnvManager.list`.
fn envs_named(venvs: &Path, base: &str) -> Vec<PathBuf> {
    let prefix = format!("{base}-py");
    let Ok(entries) = std::fs::read_dir(venvs) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().as_bytes().starts_with(prefix.as_bytes()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

fn found(venv: PathBuf, what: &str) -> Result<PathBuf, String> {
    if is_venv(&venv) {
        Ok(venv)
    } else if venv.exists() {
        Err(format!("{what} {} has no pyvenv.cfg", shown(&venv)))
    } else {
        Err(format!("{what} {} does not exist", shown(&venv)))
    }
}

impl VenvSource for Poetry {
    fn name(&self) -> &'static str {
        "poetry"
    }

    fn markers(&self) -> Vec<OsString> {
        vec!["pyproject.toml".into(), "poetry.toml".into()]
    }

    fn probe(&self, dir: &Path, _start: &Path) -> Probe {
        let pyproject = dir.join("pyproject.toml");
        let table = match files::read_toml(&pyproject) {
            Ok(Some(table)) => table,
            Ok(None) => return Probe::Nothing,
            Err(e) => return Probe::Skipped(format!("pyproject.toml {e}")),
        };
        let Some((name, is_poetry)) = project_name(&table) else {
            return Probe::Nothing;
        };
        match self.resolve(dir, &name) {
            Ok(venv) => Probe::Found(venv),
            // A project poetry does not manage may still have a poetry env
            // (poetry works on any [project]); saying why it has none would
            // only be noise.
            Err(_) if !is_poetry => Probe::Nothing,
            Err(why) => Probe::Skipped(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::ffi::OsStringExt;

    fn os(bytes: &[u8]) -> OsString {
        OsString::from_vec(bytes.to_vec())
    }

    /// Names computed by the real poetry 2.5.1 (pip-installed), for a
    /// project named NAME at each path (/tmp is no symlink):
    ///     python -c 'from poetry.utils.env import EnvManager
    ///         from packaging.utils import canonicalize_name
    ///         print(EnvManager.generate_env_name(canonicalize_name(NAME), DIR))'
    /// (poetry canonicalises the name when it loads the project): what
    /// `poetry env info -p` prints before `-pyX.Y`; tests/sources.rs compares
    /// with `poetry env info -p` itself.
    #[test]
    fn names_match_poetry() {
        let cases: &[(&str, &str, &str)] = &[
            ("shop", "/tmp/poetry-names/shop", "shop-VxpRvcl8"),
            (
                "My_Cool..App",
                "/tmp/poetry-names/My Cool App",
                "my-cool-app-FomynJDh",
            ),
            ("café", "/tmp/poetry-names/café ñandú", "café-rYHnu8S6"),
            (
                "a-very-long-project-name-that-goes-past-forty-two-characters",
                "/tmp/poetry-names/long",
                "a-very-long-project-name-that-goes-past-fo-R3Vgf01e",
            ),
            (
                "x y$z`!*@\"\\q",
                "/tmp/poetry-names/odd",
                "x_y_z______q-EgSffQAr",
            ),
        ];
        for (name, dir, expected) in cases {
            assert_eq!(base_env_name(name, Path::new(dir)), *expected, "{name}");
        }
    }

    /// poetry 2.5.1: `generate_env_name("p", os.fsdecode(b"/tmp/\xff/p"))`:
    /// Python drops the undecodable byte before hashing.
    #[test]
    fn non_utf8_dirs_do_not_panic() {
        let dir = PathBuf::from(os(b"/tmp/\xff/p"));
        assert_eq!(base_env_name("p", &dir), "p-mRPNmrrb");
    }

    #[test]
    fn names_from_pyproject() {
        let t = |s: &str| files::parse_toml(s.as_bytes()).unwrap();
        assert_eq!(
            project_name(&t("[tool.poetry]\nname = 'a'\n")),
            Some(("a".into(), true))
        );
        assert_eq!(
            project_name(&t("[project]\nname = 'b'\n[tool.poetry]\nname = 'a'\n")),
            Some(("b".into(), true))
        );
        assert_eq!(
            project_name(&t("[tool.poetry]\npackage-mode = false\n")),
            Some(("non-package-mode".into(), true))
        );
        assert_eq!(
            project_name(&t(
                "[project]\nname = 'c'\n[build-system]\nbuild-backend = 'poetry.core.masonry.api'\n"
            )),
            Some(("c".into(), true))
        );
        assert_eq!(
            project_name(&t("[project]\nname = 'd'\n")),
            Some(("d".into(), false))
        );
        assert_eq!(project_name(&t("[tool.black]\nx = 1\n")), None);
        assert_eq!(project_name(&t("project = 3\n")), None);
    }

    #[test]
    fn minor_versions_from_file_names() {
        let m = |s: &str| minor_from_name(OsStr::new(s));
        assert_eq!(m("python3.12"), Some("3.12".into()));
        assert_eq!(m("python3.13t"), Some("3.13".into()));
        assert_eq!(m("python3"), None);
        assert_eq!(m("python"), None);
        assert_eq!(m("pythonx.y"), None);
    }

    struct Fixture {
        _tmp: tempfile::TempDir,
        home: PathBuf,
        project: PathBuf,
        venvs: PathBuf,
        base: String,
    }

    fn fixture(pyproject: &str) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let home = fs::canonicalize(tmp.path()).unwrap();
        let project = home.join("code/shop");
        fs::create_dir_all(&project).unwrap();
        fs::write(project.join("pyproject.toml"), pyproject).unwrap();
        let venvs = home.join(".cache/pypoetry/virtualenvs");
        fs::create_dir_all(&venvs).unwrap();
        let base = base_env_name("shop", &project);
        Fixture {
            _tmp: tmp,
            home,
            project,
            venvs,
            base,
        }
    }

    use crate::discover::test_venv_at as venv_at;

    const POETRY: &str = "[tool.poetry]\nname = \"shop\"\n";

    #[test]
    fn finds_the_only_env_or_the_recorded_one() {
        let f = fixture(POETRY);
        let env = Env::from_pairs([("HOME", f.home.to_str().unwrap()), ("PATH", "/nonexistent")]);
        let source = Poetry::from_env(&env);
        let Probe::Skipped(why) = source.probe(&f.project, &f.project) else {
            panic!()
        };
        assert!(why.contains("poetry install"), "{why}");
        let py312 = f.venvs.join(format!("{}-py3.12", f.base));
        let py313 = f.venvs.join(format!("{}-py3.13", f.base));
        venv_at(&py312);
        assert_eq!(
            source.probe(&f.project, &f.project),
            Probe::Found(py312.clone())
        );
        venv_at(&py313);
        assert!(matches!(
            source.probe(&f.project, &f.project),
            Probe::Skipped(_)
        ));
        fs::write(
            f.venvs.join("envs.toml"),
            format!("[{}]\nminor = \"3.13\"\npatch = \"3.13.0\"\n", f.base),
        )
        .unwrap();
        assert_eq!(
            source.probe(&f.project, &f.project),
            Probe::Found(py313.clone())
        );

        // Without a record, the python on PATH decides, by its name.
        fs::remove_file(f.venvs.join("envs.toml")).unwrap();
        let bin = f.home.join("bin");
        fs::create_dir_all(&bin).unwrap();
        fs::write(bin.join("python3.12"), "").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(bin.join("python3.12"), fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink("python3.12", bin.join("python")).unwrap();
        let env = Env::from_pairs([
            ("HOME", f.home.to_str().unwrap()),
            ("PATH", bin.to_str().unwrap()),
        ]);
        assert_eq!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Found(py312)
        );
    }

    #[test]
    fn pyenv_shims_are_followed_by_name() {
        let f = fixture(POETRY);
        let root = f.home.join(".pyenv");
        fs::create_dir_all(root.join("versions/3.13.0/bin")).unwrap();
        fs::create_dir_all(root.join("shims")).unwrap();
        fs::write(root.join("shims/python"), "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(root.join("shims/python"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(f.project.join(".python-version"), "3.13.0\n").unwrap();
        venv_at(&f.venvs.join(format!("{}-py3.12", f.base)));
        venv_at(&f.venvs.join(format!("{}-py3.13", f.base)));
        let env = Env::from_pairs([
            ("HOME", f.home.to_str().unwrap()),
            ("PATH", root.join("shims").to_str().unwrap()),
        ]);
        assert_eq!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Found(f.venvs.join(format!("{}-py3.13", f.base)))
        );
    }

    #[test]
    fn settings_in_order_env_local_global() {
        let f = fixture(POETRY);
        let elsewhere = f.home.join("elsewhere");
        let venv = elsewhere.join(format!("{}-py3.12", f.base));
        venv_at(&venv);
        let home = f.home.to_str().unwrap();
        let cfg = f.home.join("cfg");
        fs::create_dir_all(&cfg).unwrap();
        fs::create_dir_all(f.home.join("elsewhere-cache")).unwrap();

        // config.toml moves the virtualenvs dir, with {cache-dir} and ~.
        fs::write(
            cfg.join("config.toml"),
            "cache-dir = \"~/elsewhere-cache\"\n[virtualenvs]\npath = \"{cache-dir}/../elsewhere\"\n",
        )
        .unwrap();
        let env = Env::from_pairs([("HOME", home), ("POETRY_CONFIG_DIR", cfg.to_str().unwrap())]);
        assert_eq!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Found(
                f.home
                    .join("elsewhere-cache/../elsewhere")
                    .join(venv.file_name().unwrap())
            )
        );
        // POETRY_VIRTUALENVS_PATH wins over the files.
        let env = Env::from_pairs([
            ("HOME", home),
            ("POETRY_CONFIG_DIR", cfg.to_str().unwrap()),
            ("POETRY_VIRTUALENVS_PATH", elsewhere.to_str().unwrap()),
        ]);
        assert_eq!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Found(venv.clone())
        );
        // POETRY_CACHE_DIR moves the default.
        let env = Env::from_pairs([("HOME", home), ("POETRY_CACHE_DIR", "/nonexistent/c")]);
        let Probe::Skipped(why) = Poetry::from_env(&env).probe(&f.project, &f.project) else {
            panic!()
        };
        assert!(why.contains("/nonexistent/c/virtualenvs"), "{why}");
        // XDG_CACHE_HOME too, when absolute.
        let env = Env::from_pairs([("HOME", home), ("XDG_CACHE_HOME", "/nonexistent/x")]);
        let Probe::Skipped(why) = Poetry::from_env(&env).probe(&f.project, &f.project) else {
            panic!()
        };
        assert!(why.contains("/nonexistent/x/pypoetry/virtualenvs"), "{why}");

        // in-project and create, from poetry.toml, then the variables.
        let env = Env::from_pairs([
            ("HOME", home),
            ("POETRY_VIRTUALENVS_PATH", elsewhere.to_str().unwrap()),
        ]);
        fs::write(
            f.project.join("poetry.toml"),
            "[virtualenvs]\nin-project = true\n",
        )
        .unwrap();
        assert!(matches!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Skipped(_)
        ));
        venv_at(&f.project.join(".venv"));
        assert_eq!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Found(f.project.join(".venv"))
        );
        fs::remove_dir_all(f.project.join(".venv")).unwrap();
        fs::write(
            f.project.join("poetry.toml"),
            "virtualenvs.create = false\n",
        )
        .unwrap();
        assert!(matches!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Skipped(_)
        ));
        let env = Env::from_pairs([
            ("HOME", home),
            ("POETRY_VIRTUALENVS_PATH", elsewhere.to_str().unwrap()),
            ("POETRY_VIRTUALENVS_CREATE", "true"),
        ]);
        assert_eq!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Found(venv.clone())
        );
        fs::remove_file(f.project.join("poetry.toml")).unwrap();

        // A .venv directory poetry would use.
        fs::create_dir(f.project.join(".venv")).unwrap();
        assert!(matches!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Skipped(_)
        ));
        let env = Env::from_pairs([
            ("HOME", home),
            ("POETRY_VIRTUALENVS_PATH", elsewhere.to_str().unwrap()),
            ("POETRY_VIRTUALENVS_IN_PROJECT", "false"),
        ]);
        assert_eq!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Found(venv)
        );
    }

    #[test]
    fn other_projects_are_quiet_and_hostile_files_refused() {
        let f = fixture("[project]\nname = \"shop\"\n");
        let env = Env::from_pairs([("HOME", f.home.to_str().unwrap())]);
        let source = Poetry::from_env(&env);
        assert_eq!(source.probe(&f.project, &f.project), Probe::Nothing);
        let venv = f.venvs.join(format!("{}-py3.12", f.base));
        venv_at(&venv);
        assert_eq!(source.probe(&f.project, &f.project), Probe::Found(venv));

        fs::write(
            f.project.join("pyproject.toml"),
            vec![b'#'; 2 * 1024 * 1024],
        )
        .unwrap();
        let Probe::Skipped(why) = source.probe(&f.project, &f.project) else {
            panic!()
        };
        assert!(why.contains("larger"), "{why}");
        for bad in [&b"\xff\xfe"[..], b"[tool.poetry\n", b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["] {
            fs::write(f.project.join("pyproject.toml"), bad).unwrap();
            assert!(matches!(source.probe(&f.project, &f.project), Probe::Skipped(_)));
        }
        for name in ["/tmp/x", "a/b", "a\\u0000b"] {
            let text = format!("[tool.poetry]\nname = \"{name}\"\n");
            fs::write(f.project.join("pyproject.toml"), text).unwrap();
            let Probe::Skipped(why) = source.probe(&f.project, &f.project) else {
                panic!("{name}")
            };
            assert!(why.contains("cannot name"), "{why}");
        }
        fs::write(
            f.project.join("pyproject.toml"),
            "[tool.poetry]\nname = 3\n",
        )
        .unwrap();
        assert!(matches!(
            source.probe(&f.project, &f.project),
            Probe::Skipped(_)
        ));
        fs::write(f.project.join("pyproject.toml"), POETRY).unwrap();
        fs::write(f.project.join("poetry.toml"), "\u{0}").unwrap();
        assert!(matches!(
            source.probe(&f.project, &f.project),
            Probe::Skipped(_)
        ));
    }

    /// poetry takes a relative virtualenvs.path (or cache dir, or config
    /// dir) from the directory it runs in: no one env, so none is used.
    #[test]
    fn relative_directories_find_nothing() {
        let f = fixture(POETRY);
        let venv = f.project.join(format!("envs/{}-py3.12", f.base));
        venv_at(&venv);
        let home = f.home.to_str().unwrap();
        for (name, value) in [
            ("POETRY_VIRTUALENVS_PATH", "envs"),
            ("POETRY_CACHE_DIR", "cache"),
            ("POETRY_CONFIG_DIR", "config"),
        ] {
            let env = Env::from_pairs([("HOME", home), (name, value)]);
            let Probe::Skipped(why) = Poetry::from_env(&env).probe(&f.project, &f.project) else {
                panic!("{name}")
            };
            assert!(why.contains("not an absolute path"), "{name}: {why}");
        }
        fs::write(
            f.project.join("poetry.toml"),
            "[virtualenvs]\npath = \"envs\"\n",
        )
        .unwrap();
        let env = Env::from_pairs([("HOME", home)]);
        assert!(matches!(
            Poetry::from_env(&env).probe(&f.project, &f.project),
            Probe::Skipped(_)
        ));
    }
}

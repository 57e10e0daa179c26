//! The real poetry and pipenv, for the tests that compare rvenv's sources
//! with what the tools themselves report. scripts/test installs them from
//! PyPI into target/ci-tools when they are missing; a test without them is
//! skipped (with a message), or fails under CI.
//!
//! Every tool runs offline (the venvs are made with a given interpreter and
//! nothing is installed into them) with a clean environment: HOME, the
//! tool's own cache and config directories inside the test's tempdir.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::common::{Fixture, lossy};

/// The tool on PATH, else in target/ci-tools/bin.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let ci_tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/bin");
    let found = std::env::split_paths(&path)
        .chain([ci_tools])
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        super::common::skip(&format!(
            "{name} is not installed (scripts/test installs it into target/ci-tools)"
        ));
    }
    found
}

/// The interpreter the tools make venvs with: pyenv's 3.12.1 when present,
/// else python3 on PATH (symlinks resolved, so a pyenv shim is not used).
pub fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        if let Some(home) = std::env::var_os("HOME") {
            let p = Path::new(&home).join(".pyenv/versions/3.12.1/bin/python3.12");
            if p.is_file() {
                return p;
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|d| d.join("python3"))
            .filter(|p| p.is_file())
            .filter_map(|p| fs::canonicalize(p).ok())
            .find(|p| !p.to_string_lossy().contains("/shims/"))
            .or_else(|| fs::canonicalize("/usr/bin/python3").ok())
            .expect("python3 is needed to make test venvs")
    })
}

/// Runs a tool in `cwd` with a clean environment plus `env`; panics with
/// its output when it fails. Returns stdout.
pub fn run_tool(
    fx: &Fixture,
    argv: &[&OsStr],
    cwd: &Path,
    env: &[(OsString, OsString)],
) -> Vec<u8> {
    let bin = Path::new(argv[0]).parent().unwrap().as_os_str().to_owned();
    let mut path = bin;
    path.push(":/usr/bin:/bin");
    let out = Command::new(argv[0])
        .args(&argv[1..])
        .current_dir(cwd)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", path)
        .env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8")
        .env("PYTHONIOENCODING", "utf-8")
        .env("PIP_NO_INDEX", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIPENV_NOSPIN", "1")
        .env("PIPENV_YES", "1")
        .env("PIPENV_IGNORE_VIRTUALENVS", "1")
        .env("POETRY_NO_INTERACTION", "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?} in {}: {}\n{}\n{}",
        argv,
        cwd.display(),
        out.status,
        lossy(&out.stdout),
        lossy(&out.stderr)
    );
    out.stdout
}

/// The path a tool printed on its last line.
pub fn printed_path(stdout: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let text = stdout.trim_ascii_end();
    let line = text.rsplit(|&b| b == b'\n').next().unwrap_or(b"");
    PathBuf::from(OsStr::from_bytes(line.trim_ascii()))
}

/// poetry's settings for a test: cache and config in the tempdir.
pub fn poetry_env(fx: &Fixture) -> Vec<(OsString, OsString)> {
    vec![
        ("POETRY_CACHE_DIR".into(), fx.path("poetry cache").into()),
        ("POETRY_CONFIG_DIR".into(), fx.path("poetry config").into()),
    ]
}

/// The pyproject.toml of a small poetry project named `name`.
pub fn poetry_pyproject(name: &str) -> String {
    format!(
        "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n\n\
         [tool.poetry]\npackage-mode = false\n\n\
         [build-system]\nrequires = [\"poetry-core>=2.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n"
    )
}

/// A poetry project in `dir` (entered as `dir`, which may be a symlink):
/// `virtualenvs.in-project false`, `poetry env use PYTHON`; returns what
/// `poetry env info -p` prints.
pub fn poetry_project(
    fx: &Fixture,
    poetry: &Path,
    dir: &Path,
    name: &str,
    env: &[(OsString, OsString)],
) -> PathBuf {
    fs::write(dir.join("pyproject.toml"), poetry_pyproject(name)).unwrap();
    let p = poetry.as_os_str();
    run_tool(
        fx,
        &[
            p,
            "config".as_ref(),
            "virtualenvs.in-project".as_ref(),
            "false".as_ref(),
        ],
        dir,
        env,
    );
    poetry_env_use(fx, poetry, dir, python(), env)
}

/// `poetry env use PYTHON` then `poetry env info -p`.
pub fn poetry_env_use(
    fx: &Fixture,
    poetry: &Path,
    dir: &Path,
    python: &Path,
    env: &[(OsString, OsString)],
) -> PathBuf {
    let p = poetry.as_os_str();
    run_tool(
        fx,
        &[p, "env".as_ref(), "use".as_ref(), python.as_os_str()],
        dir,
        env,
    );
    let out = run_tool(
        fx,
        &[p, "env".as_ref(), "info".as_ref(), "-p".as_ref()],
        dir,
        env,
    );
    let venv = printed_path(&out);
    assert!(
        venv.join("pyvenv.cfg").is_file(),
        "poetry env info -p: {}",
        lossy(&out)
    );
    venv
}

/// A pipenv project in `dir`: `pipenv --python PYTHON`; returns what
/// `pipenv --venv` prints.
pub fn pipenv_project(
    fx: &Fixture,
    pipenv: &Path,
    dir: &Path,
    env: &[(OsString, OsString)],
) -> PathBuf {
    let p = pipenv.as_os_str();
    run_tool(
        fx,
        &[p, "--python".as_ref(), python().as_os_str()],
        dir,
        env,
    );
    assert!(dir.join("Pipfile").is_file());
    let out = run_tool(fx, &[p, "--venv".as_ref()], dir, env);
    let venv = printed_path(&out);
    assert!(
        venv.join("pyvenv.cfg").is_file(),
        "pipenv --venv: {}",
        lossy(&out)
    );
    venv
}

/// The `prompt` a venv's pyvenv.cfg sets, unquoted as CPython does.
pub fn cfg_prompt(venv: &Path) -> Option<Vec<u8>> {
    let cfg = fs::read(venv.join("pyvenv.cfg")).ok()?;
    cfg.split(|&b| b == b'\n').find_map(|line| {
        let (key, value) = line.split_at(line.iter().position(|&b| b == b'=')?);
        if key.trim_ascii() != b"prompt" {
            return None;
        }
        let v = value[1..].trim_ascii();
        let v = match v {
            [q @ (b'"' | b'\''), inner @ .., last] if last == q => inner,
            _ => v,
        };
        Some(v.to_vec())
    })
}

//! Venvs that live outside the project, against the real tools: the venv
//! `poetry env info -p` and `pipenv --venv` report is the one
//! `rvenv status --json` finds, in projects whose paths hold spaces and
//! non-ASCII characters, entered through a symlink, with no tool started by
//! rvenv. Plus the sources that need no tool: a `.venv` file naming a
//! WORKON_HOME env, `.python-version` naming a pyenv-virtualenv env, and
//! UV_PROJECT_ENVIRONMENT.

mod common;
mod real_tools;

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Fixture, base_path, lossy};
use real_tools::{pipenv_project, poetry_env, poetry_env_use, poetry_project, tool};
use serde_json::Value;

/// `rvenv status --json DIR` with the test's HOME and `env`.
fn status(fx: &Fixture, dir: &Path, env: &[(OsString, OsString)]) -> Value {
    let out = Command::new(common::rvenv_bin())
        .arg("status")
        .arg("--json")
        .arg(dir)
        .current_dir(&fx.root)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", base_path())
        .env("LANG", "C.UTF-8")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rvenv status {}: {}",
        dir.display(),
        lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", lossy(&out.stdout)))
}

fn canonical(p: &Path) -> PathBuf {
    fs::canonicalize(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Asserts status found `venv` (compared canonicalized) by `source`, for
/// the project `project` (the logical path, as entered).
fn assert_found(st: &Value, venv: &Path, source: &str, project: &Path) {
    let found = st["venv"]
        .as_str()
        .unwrap_or_else(|| panic!("no venv found: {st:#}"));
    assert_eq!(canonical(Path::new(found)), canonical(venv), "{st:#}");
    assert_eq!(st["source"], source, "{st:#}");
    assert_eq!(st["project"].as_str(), project.to_str(), "{st:#}");
    assert_eq!(st["broken"], Value::Null, "{st:#}");
}

/// A project at a real path holding spaces and non-ASCII characters, and a
/// symlink to it (with its own odd name) to enter it through.
fn odd_project(fx: &Fixture, name: &str) -> (PathBuf, PathBuf) {
    let real = fx.dir(format!("Mes projets é/{name} ñ (1)"));
    let link = fx.path(format!("lien vers {name} ü"));
    symlink(&real, &link).unwrap();
    fs::create_dir_all(real.join("src/pkg")).unwrap();
    (real, link)
}

fn os(s: &str) -> OsString {
    s.into()
}

#[test]
fn poetry_env_through_a_symlink() {
    let Some(poetry) = tool("poetry") else { return };
    let fx = Fixture::new();
    let (real, link) = odd_project(&fx, "boutique");
    let env = poetry_env(&fx);
    // Entered through the symlink: poetry hashes the real path.
    let venv = poetry_project(&fx, &poetry, &link, "Boutique_App", &env);
    assert!(
        venv.starts_with(fx.path("poetry cache/virtualenvs")),
        "{}",
        venv.display()
    );
    let st = status(&fx, &link, &env);
    assert_found(&st, &venv, "poetry", &link);
    assert_eq!(st["skipped"], Value::Array(vec![]), "{st:#}");
    let st = status(&fx, &link.join("src/pkg"), &env);
    assert_found(&st, &venv, "poetry", &link);
    let st = status(&fx, &real, &env);
    assert_found(&st, &venv, "poetry", &real);

    // Without poetry's settings rvenv looks in the default cache and finds
    // nothing there, saying why.
    let st = status(&fx, &link, &[]);
    assert_eq!(st["venv"], Value::Null, "{st:#}");
    let skipped = st["skipped"].to_string();
    assert!(skipped.contains("poetry"), "{st:#}");
}

/// Two envs for one project: envs.toml (written by `poetry env use`)
/// says which one poetry uses, and rvenv follows it.
#[test]
fn poetry_envs_toml_picks_among_several() {
    let Some(poetry) = tool("poetry") else { return };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let Some(other) = fs::read_dir(home.join(".pyenv/versions"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin/python3"))
        .filter(|p| p.is_file())
        .filter_map(|p| fs::canonicalize(p).ok())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let ours = real_tools::python()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            name.starts_with("python3.") && name != ours && name != "python3.6"
        })
    else {
        common::skip("a second Python (pyenv's) is needed");
        return;
    };
    let fx = Fixture::new();
    let project = fx.dir("shop");
    let env = poetry_env(&fx);
    let first = poetry_project(&fx, &poetry, &project, "shop", &env);
    let second = poetry_env_use(&fx, &poetry, &project, &other, &env);
    assert_ne!(first, second);
    assert_found(&status(&fx, &project, &env), &second, "poetry", &project);
    let again = poetry_env_use(&fx, &poetry, &project, real_tools::python(), &env);
    assert_eq!(again, first);
    assert_found(&status(&fx, &project, &env), &first, "poetry", &project);
}

/// poetry's cache dir set in its config.toml, found through
/// XDG_CONFIG_HOME (no POETRY_CONFIG_DIR).
#[test]
fn poetry_cache_dir_from_config_toml() {
    let Some(poetry) = tool("poetry") else { return };
    let fx = Fixture::new();
    let project = fx.dir("café/shop");
    let env = vec![(
        os("XDG_CONFIG_HOME"),
        fx.path("xdg config").into_os_string(),
    )];
    fs::write(
        project.join("pyproject.toml"),
        real_tools::poetry_pyproject("shop"),
    )
    .unwrap();
    let cache = fx.path("the cache");
    let p = poetry.as_os_str();
    real_tools::run_tool(
        &fx,
        &[
            p,
            os("config").as_ref(),
            os("cache-dir").as_ref(),
            cache.as_os_str(),
        ],
        &project,
        &env,
    );
    assert!(fx.path("xdg config/pypoetry/config.toml").is_file());
    let venv = poetry_env_use(&fx, &poetry, &project, real_tools::python(), &env);
    assert!(venv.starts_with(&cache), "{}", venv.display());
    assert_found(&status(&fx, &project, &env), &venv, "poetry", &project);
}

#[test]
fn pipenv_env_through_a_symlink() {
    let Some(pipenv) = tool("pipenv") else { return };
    let fx = Fixture::new();
    let (real, link) = odd_project(&fx, "magasin");
    // WORKON_HOME unset: pipenv's default, under HOME.
    let venv = pipenv_project(&fx, &pipenv, &link, &[]);
    assert!(
        venv.starts_with(fx.home.join(".local/share/virtualenvs")),
        "{}",
        venv.display()
    );
    let st = status(&fx, &link, &[]);
    assert_found(&st, &venv, "pipenv", &link);
    let st = status(&fx, &link.join("src/pkg"), &[]);
    assert_found(&st, &venv, "pipenv", &link);
    assert_found(&status(&fx, &real, &[]), &venv, "pipenv", &real);
}

#[test]
fn pipenv_with_workon_home_and_pipenv_python() {
    let Some(pipenv) = tool("pipenv") else { return };
    let fx = Fixture::new();
    let (_, link) = odd_project(&fx, "épicerie");
    let env = vec![
        (os("WORKON_HOME"), fx.path("workon home é").into_os_string()),
        (
            os("PIPENV_PYTHON"),
            real_tools::python().as_os_str().to_owned(),
        ),
    ];
    let venv = pipenv_project(&fx, &pipenv, &link, &env);
    let name = venv.file_name().unwrap().to_string_lossy().into_owned();
    let py = real_tools::python()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.ends_with(&format!("-{py}")), "{name}");
    assert!(venv.starts_with(fx.path("workon home é")));
    assert_found(&status(&fx, &link, &env), &venv, "pipenv", &link);
}

#[test]
fn dot_venv_file_names_a_workon_home_env() {
    let fx = Fixture::new();
    let workon = fx.path("envs");
    let venv = fx.venv("envs/shop env");
    let project = fx.dir("code/shop");
    fs::write(project.join(".venv"), "shop env\n").unwrap();
    let env = vec![(os("WORKON_HOME"), workon.into_os_string())];
    assert_found(&status(&fx, &project, &env), &venv, "file", &project);
    // Without WORKON_HOME: ~/.virtualenvs, where the name is not.
    let st = status(&fx, &project, &[]);
    assert_eq!(st["venv"], Value::Null, "{st:#}");
    assert_eq!(st["skipped"][0]["source"], "file", "{st:#}");
}

#[test]
fn python_version_names_a_pyenv_virtualenv_env() {
    let fx = Fixture::new();
    let root = fx.path("pyenv root");
    // As `pyenv virtualenv 3.12.1 shop-env` lays it out: the env under the
    // version, linked from versions/.
    fs::create_dir_all(root.join("versions/3.12.1/envs")).unwrap();
    let venv = fx.venv("pyenv root/versions/3.12.1/envs/shop-env");
    symlink(&venv, root.join("versions/shop-env")).unwrap();
    let project = fx.dir("code/shop");
    fs::create_dir_all(project.join("sub")).unwrap();
    fs::write(project.join(".python-version"), "shop-env\n").unwrap();
    let env = vec![(os("PYENV_ROOT"), root.clone().into_os_string())];
    let st = status(&fx, &project.join("sub"), &env);
    assert_found(&st, &venv, "pyenv", &project);
    assert_eq!(st["venv"].as_str(), root.join("versions/shop-env").to_str());
    // A plain version is skipped, quietly, and the walk goes on.
    fs::write(project.join("sub/.python-version"), "3.12.1\n").unwrap();
    let st = status(&fx, &project.join("sub"), &env);
    assert_found(&st, &venv, "pyenv", &project);
    assert_eq!(st["skipped"][0]["source"], "pyenv", "{st:#}");
}

#[test]
fn uv_project_environment() {
    let fx = Fixture::new();
    let ws = fx.dir("ws");
    fs::write(
        ws.join("pyproject.toml"),
        "[project]\nname = \"ws\"\nversion = \"0\"\n[tool.uv.workspace]\nmembers = [\"libs/*\"]\n",
    )
    .unwrap();
    let member = fx.dir("ws/libs/core");
    fs::write(
        member.join("pyproject.toml"),
        "[project]\nname = \"core\"\nversion = \"0\"\n",
    )
    .unwrap();
    let venv = fx.venv("ws/.envs/dev");
    let env = vec![(os("UV_PROJECT_ENVIRONMENT"), os(".envs/dev"))];
    assert_found(&status(&fx, &member, &env), &venv, "uv", &member);
    let abs = fx.venv("elsewhere/env");
    let env = vec![(os("UV_PROJECT_ENVIRONMENT"), abs.clone().into_os_string())];
    assert_found(&status(&fx, &member, &env), &abs, "uv", &member);
    let st = status(&fx, &member, &[]);
    assert_eq!(st["venv"], Value::Null, "{st:#}");
}

/// Sources can be turned off and reordered.
#[test]
fn rvenv_sources_chooses() {
    let fx = Fixture::new();
    let venv = fx.venv("home/.virtualenvs/named");
    let project = fx.dir("p");
    fs::write(project.join(".venv"), "named").unwrap();
    assert_found(&status(&fx, &project, &[]), &venv, "file", &project);
    let st = status(&fx, &project, &[(os("RVENV_SOURCES"), os("dir:pyenv"))]);
    assert_eq!(st["venv"], Value::Null, "{st:#}");
    assert_eq!(st["sources"], serde_json::json!(["dir", "pyenv"]));
}

/// `rvenv allow` run in the project trusts the venv found for it, wherever
/// it lives; the hook would then activate it.
#[test]
fn allow_in_the_project_trusts_the_venv_outside() {
    let fx = Fixture::new();
    let root = fx.path("pyenv");
    fs::create_dir_all(root.join("versions/3.12.1/envs")).unwrap();
    let venv = fx.venv("pyenv/versions/3.12.1/envs/shop-env");
    symlink(&venv, root.join("versions/shop-env")).unwrap();
    let project = fx.dir("code/shop");
    fs::write(project.join(".python-version"), "shop-env\n").unwrap();
    let env = vec![(os("PYENV_ROOT"), root.clone().into_os_string())];
    let st = status(&fx, &project, &env);
    assert_eq!(st["trusted"], false, "{st:#}");
    assert_eq!(st["would_activate"], false, "{st:#}");
    let out = Command::new(common::rvenv_bin())
        .arg("allow")
        .current_dir(&project)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PWD", &project)
        .env("PATH", base_path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    assert!(
        lossy(&out.stderr).contains("versions/shop-env"),
        "{}",
        lossy(&out.stderr)
    );
    let st = status(&fx, &project, &env);
    assert_eq!(st["trusted"], true, "{st:#}");
    assert_eq!(st["would_activate"], true, "{st:#}");
}

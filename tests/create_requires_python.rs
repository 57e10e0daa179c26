//! `rvenv create` without `-p` and without `.python-version` takes the
//! newest installed Python that the project's `requires-python` allows, as
//! `uv venv` does. The Pythons are real CPythons from ~/.pyenv/versions,
//! linked into a PYENV_ROOT of the test's own, so which ones are installed
//! is known; PATH holds only what the test puts there.

mod common;
use common::Drive;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Fixture, Opts, Session, Shell, count, lossy};

shell_tests!(cd_into_the_project_create_and_the_venv_runs_what_it_asks_for);

/// The newest `3.MINOR.*` under ~/.pyenv/versions: its directory name.
fn newest_pyenv(minor: u32) -> Option<String> {
    let root = PathBuf::from(std::env::var_os("HOME")?).join(".pyenv/versions");
    let mut found: Vec<(Vec<u32>, String)> = fs::read_dir(root)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let v: Vec<u32> = name
                .split('.')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            (v.len() == 3 && v[0] == 3 && v[1] == minor).then_some((v, name))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, name)| name)
}

/// A PYENV_ROOT holding links to the newest pyenv CPython of each minor
/// version in `minors` (and `extra` names as they are), and a PATH
/// directory of its own; None (with the reason printed) when one is
/// missing.
struct Pythons {
    root: PathBuf,
    bin: PathBuf,
    /// The linked versions, oldest first (`3.9.18`).
    versions: Vec<String>,
}

fn pythons(base: &Path, minors: &[u32], extra: &[&str]) -> Option<Pythons> {
    let home = PathBuf::from(std::env::var_os("HOME")?);
    let root = base.join("pyenv");
    let bin = base.join("bin");
    fs::create_dir_all(root.join("versions")).unwrap();
    fs::create_dir_all(&bin).unwrap();
    let mut versions = Vec::new();
    for &minor in minors {
        let Some(name) = newest_pyenv(minor) else {
            common::skip(&format!("no CPython 3.{minor} under ~/.pyenv/versions"));
            return None;
        };
        symlink(
            home.join(".pyenv/versions").join(&name),
            root.join("versions").join(&name),
        )
        .unwrap();
        versions.push(name);
    }
    for name in extra {
        let real = home.join(".pyenv/versions").join(name);
        if !real.is_dir() {
            common::skip(&format!("no {} under ~/.pyenv/versions", name));
            return None;
        }
        symlink(real, root.join("versions").join(name)).unwrap();
    }
    Some(Pythons {
        root,
        bin,
        versions,
    })
}

impl Pythons {
    /// The linked version of `3.MINOR`.
    fn of(&self, minor: u32) -> &str {
        let prefix = format!("3.{minor}.");
        self.versions
            .iter()
            .find(|v| v.starts_with(&prefix))
            .unwrap()
    }

    /// `rvenv create ARGS` in `cwd` with only these Pythons to find:
    /// (success, stdout, stderr).
    fn create(&self, cwd: &Path, args: &[&str]) -> (bool, String, String) {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let out = Command::new(common::rvenv_bin())
            .arg("create")
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .env("HOME", self.root.parent().unwrap())
            .env("PATH", &self.bin)
            .env("PYENV_ROOT", &self.root)
            .env(
                "UV_PYTHON_INSTALL_DIR",
                self.root.parent().unwrap().join("uv"),
            )
            .env("RVENV_CACHE_DIR", tmp.join("rvenv-cache"))
            .env("RVENV_TRUSTED_DIRS", self.root.parent().unwrap())
            .output()
            .unwrap();
        (out.status.success(), lossy(&out.stdout), lossy(&out.stderr))
    }
}

fn pyproject(dir: &Path, requires: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("pyproject.toml"),
        format!("[project]\nname = \"shop\"\nversion = \"1\"\nrequires-python = \"{requires}\"\n"),
    )
    .unwrap();
}

/// pyvenv.cfg's `version`.
fn venv_version(venv: &Path) -> String {
    fs::read_to_string(venv.join("pyvenv.cfg"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("version = ").map(str::to_owned))
        .unwrap_or_else(|| panic!("no version in {}/pyvenv.cfg", venv.display()))
}

/// What the venv's python says it is.
fn runs(venv: &Path) -> String {
    let out = Command::new(venv.join("bin/python"))
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    lossy(&out.stdout).trim().to_owned()
}

/// Success: stdout empty, one line on stderr, returned.
#[track_caller]
fn created(result: (bool, String, String)) -> String {
    let (ok, out, err) = result;
    assert!(ok, "failed: {err}");
    assert!(out.is_empty(), "stdout: {out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err.trim_end().to_owned()
}

/// Failure: exit non-zero, stdout empty, exactly one line, returned.
#[track_caller]
fn one_line_error(result: (bool, String, String)) -> String {
    let (ok, out, err) = result;
    assert!(!ok, "succeeded: {err}");
    assert!(out.is_empty(), "stdout: {out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err.trim_end().to_owned()
}

#[test]
fn the_newest_python_that_requires_python_allows() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(py) = pythons(tmp.path(), &[9, 10, 11, 12, 13], &[]) else {
        return;
    };
    let shop = tmp.path().join("shop");

    pyproject(&shop, ">=3.10,<3.12");
    let said = created(py.create(&shop, &[]));
    assert_eq!(venv_version(&shop.join(".venv")), py.of(11));
    assert_eq!(runs(&shop.join(".venv")), py.of(11));
    assert!(
        said.starts_with(&format!(
            "rvenv: created .venv (CPython {} for requires-python >=3.10,<3.12; pip ",
            py.of(11)
        )),
        "{said}"
    );

    pyproject(&shop, "~=3.9.0");
    created(py.create(&shop, &["--clear"]));
    assert_eq!(runs(&shop.join(".venv")), py.of(9));

    // From a subdirectory, for a venv there: the nearest pyproject.toml
    // above it counts.
    pyproject(&shop, ">=3.10");
    let src = shop.join("src");
    fs::create_dir_all(&src).unwrap();
    created(py.create(&src, &["venv"]));
    assert_eq!(runs(&src.join("venv")), py.of(13));

    // None is new enough: one line, what is asked and what is installed.
    pyproject(&shop, ">=3.99");
    let err = one_line_error(py.create(&shop, &["v2"]));
    assert_eq!(
        err,
        format!(
            "rvenv: {} asks for Python >=3.99 (requires-python); installed: {}; \
             install one or name one with -p",
            shop.join("pyproject.toml").display(),
            py.versions.join(", ")
        )
    );
    assert!(!shop.join("v2").exists());
}

#[test]
fn python_version_file_and_dash_p_win_and_no_pyproject_is_the_old_way() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(py) = pythons(tmp.path(), &[10, 12, 13], &[]) else {
        return;
    };
    // python3 on PATH is 3.10: what a create that reads no pyproject.toml
    // uses.
    symlink(
        py.root
            .join("versions")
            .join(py.of(10))
            .join("bin/python3.10"),
        py.bin.join("python3"),
    )
    .unwrap();
    let shop = tmp.path().join("shop");
    fs::create_dir_all(&shop).unwrap();

    let said = created(py.create(&shop, &["v0"]));
    assert_eq!(runs(&shop.join("v0")), py.of(10));
    assert!(!said.contains("requires-python"), "{said}");

    pyproject(&shop, ">=3.10");
    created(py.create(&shop, &["v1"]));
    assert_eq!(runs(&shop.join("v1")), py.of(13));

    let said = created(py.create(&shop, &["-p", "3.12", "v2"]));
    assert_eq!(runs(&shop.join("v2")), py.of(12));
    assert!(!said.contains("requires-python"), "{said}");

    fs::write(shop.join(".python-version"), "3.12\n").unwrap();
    let said = created(py.create(&shop, &["v3"]));
    assert_eq!(runs(&shop.join("v3")), py.of(12));
    assert!(!said.contains("requires-python"), "{said}");
    // `system` there means python3 on PATH, still not requires-python.
    fs::write(shop.join(".python-version"), "system\n").unwrap();
    created(py.create(&shop, &["v4"]));
    assert_eq!(runs(&shop.join("v4")), py.of(10));
    fs::remove_file(shop.join(".python-version")).unwrap();

    // A pyproject.toml that asks for nothing: the old way.
    fs::write(
        shop.join("pyproject.toml"),
        "[tool.black]\nline-length = 99\n",
    )
    .unwrap();
    created(py.create(&shop, &["v5"]));
    assert_eq!(runs(&shop.join("v5")), py.of(10));
}

#[test]
fn a_malformed_requires_python_is_named_and_ignored_as_uv_does() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(py) = pythons(tmp.path(), &[10, 13], &[]) else {
        return;
    };
    symlink(
        py.root
            .join("versions")
            .join(py.of(10))
            .join("bin/python3.10"),
        py.bin.join("python3"),
    )
    .unwrap();
    let shop = tmp.path().join("shop");
    pyproject(&shop, ">=3.1O");
    let (ok, out, err) = py.create(&shop, &[]);
    assert!(ok, "{err}");
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert_eq!(
        lines[0],
        format!(
            "rvenv: warning: {}: requires-python \">=3.1O\" is not a PEP 440 version specifier \
             (after parsing `3.1`, found `O`, which is not part of a valid version); \
             its requires-python is ignored",
            shop.join("pyproject.toml").display()
        )
    );
    assert!(lines[1].starts_with("rvenv: created .venv (CPython 3.10."));
    assert_eq!(runs(&shop.join(".venv")), py.of(10));
}

#[test]
fn python_on_path_counts_by_what_it_is_and_python_2_never() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(py) = pythons(tmp.path(), &[9], &["2.7.18"]) else {
        return;
    };
    let Some(v38) = newest_pyenv(8) else {
        common::skip("no CPython 3.8 under ~/.pyenv/versions");
        return;
    };
    // python3.8 on PATH only: known as `3.8` until it is asked.
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    symlink(
        home.join(".pyenv/versions")
            .join(&v38)
            .join("bin/python3.8"),
        py.bin.join("python3.8"),
    )
    .unwrap();
    let shop = tmp.path().join("shop");

    pyproject(&shop, "<3.9");
    created(py.create(&shop, &["v1"]));
    assert_eq!(runs(&shop.join("v1")), v38);

    pyproject(&shop, &format!("=={v38}"));
    created(py.create(&shop, &["v2"]));
    assert_eq!(runs(&shop.join("v2")), v38);

    // 3.8 by name, but not the patch version asked for.
    pyproject(&shop, &format!(">{v38},<3.9"));
    let err = one_line_error(py.create(&shop, &["v3"]));
    assert!(
        err.ends_with(&format!(
            "asks for Python >{v38},<3.9 (requires-python); installed: 3.8, {}; \
             install one or name one with -p",
            py.of(9)
        )),
        "{err}"
    );

    // Python 2 is installed, but no venv is made from it.
    pyproject(&shop, "<3");
    let err = one_line_error(py.create(&shop, &["v4"]));
    assert!(
        err.contains("asks for Python <3 (requires-python); installed: 3.8, 3.9."),
        "{err}"
    );
    assert!(!shop.join("v4").exists());
}

#[test]
fn uv_pythons_count_and_a_broken_newer_one_is_passed_over_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(py) = pythons(tmp.path(), &[10], &[]) else {
        return;
    };
    let Some(v11) = newest_pyenv(11) else {
        common::skip("no CPython 3.11 under ~/.pyenv/versions");
        return;
    };
    // A uv-managed 3.11 (uv's directory layout, a real CPython inside).
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    let uv = tmp.path().join("uv");
    fs::create_dir_all(&uv).unwrap();
    symlink(
        home.join(".pyenv/versions").join(&v11),
        uv.join(format!("cpython-{v11}-linux-x86_64-gnu")),
    )
    .unwrap();
    // A pyenv 3.12.1 that does not run.
    let broken = py.root.join("versions/3.12.1/bin/python3.12");
    fs::create_dir_all(broken.parent().unwrap()).unwrap();
    fs::write(&broken, "#!/bin/sh\necho boom >&2\nexit 3\n").unwrap();
    fs::set_permissions(&broken, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let shop = tmp.path().join("shop");

    pyproject(&shop, ">=3.10");
    let (ok, out, err) = py.create(&shop, &[]);
    assert!(ok && out.is_empty(), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "rvenv: warning: 3.12.1 cannot be used: {} is not a usable Python 3",
            broken.display()
        )) && lines[0].ends_with(&format!("; taking {v11} for requires-python >=3.10")),
        "{err}"
    );
    assert_eq!(runs(&shop.join(".venv")), v11);

    pyproject(&shop, ">=3.12");
    let err = one_line_error(py.create(&shop, &["v2"]));
    assert!(
        err.contains(&format!(
            "asks for Python >=3.12 (requires-python); installed: {}, {v11}, 3.12.1; \
             3.12.1 cannot be used: {} is not a usable Python 3",
            py.of(10),
            broken.display()
        )) && err.ends_with("; install one or name one with -p"),
        "{err}"
    );
}

fn cd_into_the_project_create_and_the_venv_runs_what_it_asks_for(sh: Shell) {
    let fx = Fixture::new();
    let Some(py) = pythons(&fx.path("py"), &[10, 11, 12], &[]) else {
        return;
    };
    let shop = fx.dir("code/shop");
    pyproject(&shop, ">=3.10,<3.12");
    let opts = Opts::default()
        .env("PYENV_ROOT", &py.root)
        .env("RVENV_CACHE_DIR", fx.path("cache"));
    let mut s = Session::start(sh, &fx, opts);
    s.run(&sh.cd(&shop));
    let step = s.run("rvenv create");
    let said = format!(
        "rvenv: created .venv (CPython {} for requires-python >=3.10,<3.12; pip ",
        py.of(11)
    );
    assert!(
        count(&step.output, said.as_bytes()) == 1,
        "{sh:?}: {}",
        s.transcript()
    );
    // The hook activates the new venv at the next prompt, on 3.11.
    s.run(sh.true_command());
    let step = s.run(
        "python -c 'import sys; print(\"PY=\" + sys.prefix + \" \" + sys.version.split()[0])'",
    );
    let want = format!("PY={} {}\r\n", shop.join(".venv").display(), py.of(11));
    assert!(
        count(&step.output, want.as_bytes()) == 1,
        "{sh:?}: want {want:?}; the terminal:\n{}",
        s.transcript()
    );
}

//! The wheel (maturin `bin` bindings, scripts/build-wheel) installs a
//! working `rvenv` with pip, uv and pipx, as Python developers install
//! ruff and uv. The wheel is built once, in release mode, as users get it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{lossy, python, skip};

/// A program on PATH (scripts/test puts its tools last on PATH).
fn which(name: &str) -> Option<PathBuf> {
    ::which::which(name).ok()
}

/// Runs `cmd` under `timeout`, so a hang fails the test.
fn run(cmd: &mut Command, what: &str) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\n{}{}",
        out.status,
        lossy(&out.stdout),
        lossy(&out.stderr)
    );
    out
}

fn timeout(secs: u32, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.arg(secs.to_string()).arg(program);
    cmd
}

/// The wheel, built at most once per test run.
fn wheel() -> Option<&'static Path> {
    static WHEEL: OnceLock<Option<PathBuf>> = OnceLock::new();
    WHEEL
        .get_or_init(|| {
            which("maturin")?;
            let out = tempfile::Builder::new()
                .prefix("rvt-wheel-")
                .tempdir()
                .unwrap()
                .keep();
            let built = run(
                timeout(1200, "scripts/build-wheel")
                    .arg(&out)
                    .current_dir(env!("CARGO_MANIFEST_DIR")),
                "scripts/build-wheel",
            );
            let path = PathBuf::from(lossy(&built.stdout).trim());
            assert!(path.is_file(), "no wheel at {}", path.display());
            Some(path)
        })
        .as_deref()
}

/// `rvenv` as installed runs: it says its version, creates a venv and
/// reports on it.
fn assert_works(rvenv: &Path, scratch: &Path) {
    let version = run(
        timeout(60, rvenv).arg("--version"),
        "installed rvenv --version",
    );
    assert_eq!(
        lossy(&version.stdout).trim(),
        format!("rvenv {}", env!("CARGO_PKG_VERSION"))
    );
    let project = scratch.join("proj");
    std::fs::create_dir_all(&project).unwrap();
    run(
        timeout(120, rvenv)
            .args(["create", "--python"])
            .arg(python())
            .arg(project.join(".venv"))
            .env("XDG_DATA_HOME", scratch.join("data")),
        "installed rvenv create",
    );
    assert!(project.join(".venv/pyvenv.cfg").is_file());
    let status = run(
        timeout(60, rvenv)
            .arg("status")
            .arg(&project)
            .env("XDG_DATA_HOME", scratch.join("data")),
        "installed rvenv status",
    );
    assert!(
        lossy(&status.stdout).contains(".venv"),
        "{}",
        lossy(&status.stdout)
    );
}

#[test]
fn pip_installs_the_wheel_into_a_fresh_venv() {
    let Some(wheel) = wheel() else {
        return skip("maturin is not installed (scripts/test installs it)");
    };
    let scratch = tempfile::tempdir().unwrap();
    let venv = scratch.path().join("venv");
    run(
        timeout(120, python()).args(["-m", "venv"]).arg(&venv),
        "python -m venv",
    );
    run(
        timeout(300, venv.join("bin/pip"))
            .args(["install", "--no-index", "--disable-pip-version-check", "-q"])
            .arg(wheel),
        "pip install WHEEL",
    );
    assert_works(&venv.join("bin/rvenv"), scratch.path());
}

#[test]
fn uv_tool_install_puts_rvenv_on_path() {
    let Some(wheel) = wheel() else {
        return skip("maturin is not installed (scripts/test installs it)");
    };
    let Some(uv) = which("uv") else {
        return skip("uv is not installed (scripts/test installs it)");
    };
    let scratch = tempfile::tempdir().unwrap();
    let bin = scratch.path().join("bin");
    run(
        timeout(300, uv)
            .args(["tool", "install", "--offline", "--python"])
            .arg(python())
            .arg(wheel)
            .env("UV_TOOL_DIR", scratch.path().join("tools"))
            .env("UV_TOOL_BIN_DIR", &bin)
            .env("UV_CACHE_DIR", scratch.path().join("cache")),
        "uv tool install WHEEL",
    );
    assert_works(&bin.join("rvenv"), scratch.path());
}

#[test]
fn pipx_install_puts_rvenv_on_path() {
    let Some(wheel) = wheel() else {
        return skip("maturin is not installed (scripts/test installs it)");
    };
    let Some(pipx) = which("pipx") else {
        return skip("pipx is not installed (scripts/test installs it)");
    };
    let scratch = tempfile::tempdir().unwrap();
    let bin = scratch.path().join("bin");
    run(
        timeout(300, pipx)
            .args(["install", "--pip-args=--no-index", "--python"])
            .arg(python())
            .arg(wheel)
            .env("PIPX_HOME", scratch.path().join("pipx"))
            .env("PIPX_BIN_DIR", &bin)
            .env("PIPX_MAN_DIR", scratch.path().join("man")),
        "pipx install WHEEL",
    );
    assert_works(&bin.join("rvenv"), scratch.path());
}

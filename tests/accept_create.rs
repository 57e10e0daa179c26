//! Acceptance checks of `rvenv create` as a drop-in for `python -m venv`
//! (issues 12 and 15), from a new user's point of view.

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Fixture, lossy, skip};

fn pyenv_python(version: &str, minor: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(format!(".pyenv/versions/{version}/bin/python{minor}"));
    p.is_file().then_some(p)
}

/// `rvenv create` with no spec takes `python3` on PATH, but neither
/// `-p 3.12` nor a `requires-python` that only that Python satisfies finds
/// it: only `python3.X` names on PATH and pyenv's versions count as
/// "installed". The message then lists the installed Pythons without the
/// very one `rvenv create` just used. (Seen for real with pyenv's 3.11.7
/// next to Debian's /usr/bin/python3.11 3.11.2: `requires-python =
/// "==3.11.2"` says none is installed.) uv finds `python3` on PATH for both.
#[test]
fn python3_on_path_counts_for_a_version_and_requires_python() {
    let (Some(py312), Some(_)) = (
        pyenv_python("3.12.1", "3.12"),
        pyenv_python("3.13.0", "3.13"),
    ) else {
        return skip("needs pyenv's 3.12.1 and 3.13.0");
    };
    let fx = Fixture::new();
    // PATH: only `python3`, which is 3.12.1. pyenv: only 3.13.0.
    let bin = fx.dir("bin");
    symlink(&py312, bin.join("python3")).unwrap();
    let root = fx.dir("pyenv/versions");
    let home = std::env::var_os("HOME").unwrap();
    symlink(
        Path::new(&home).join(".pyenv/versions/3.13.0"),
        root.join("3.13.0"),
    )
    .unwrap();
    let proj = fx.dir("proj");
    std::fs::write(
        proj.join("pyproject.toml"),
        "[project]\nname = \"p\"\nrequires-python = \"<3.13\"\n",
    )
    .unwrap();
    let create = |cwd: &Path, args: &[&str]| {
        let out = Command::new(common::which("timeout").expect("coreutils timeout"))
            .arg("60")
            .arg(common::rvenv_bin())
            .arg("create")
            .arg("--without-pip")
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .env("HOME", &fx.home)
            .env("PATH", &bin)
            .env("PYENV_ROOT", fx.path("pyenv"))
            .env("RVENV_CACHE_DIR", common::shared_cache())
            .output()
            .unwrap();
        (out.status.success(), lossy(&out.stderr))
    };
    let (ok, err) = create(&fx.root, &["plain"]);
    assert!(ok && err.contains("3.12.1"), "plain create: {err}");
    let (ok, err) = create(&fx.root, &["-p", "3.12", "by-version"]);
    assert!(ok && err.contains("3.12.1"), "-p 3.12: {err}");
    let (ok, err) = create(&proj, &[".venv"]);
    assert!(ok && err.contains("3.12.1"), "requires-python <3.13: {err}");
}

//! scripts/install as a newcomer runs it: the build's progress shown, a
//! working rvenv installed, a demo venv made and shown, the exact rc line
//! for the user's shell printed, and no trust entry left for the demo venv
//! it deletes.

mod common;

use std::process::Command;

use common::lossy;

#[test]
fn install_shows_progress_the_rc_line_and_leaves_no_trust_entry() {
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    let root = scratch.path().join("root");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new("timeout")
        .arg("1500")
        .arg("scripts/install")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_INSTALL_ROOT", &root)
        .env("SHELL", "/usr/bin/zsh")
        .env("XDG_DATA_HOME", home.join("data"))
        .env("RVENV_CACHE_DIR", common::shared_cache())
        .env_remove("ZDOTDIR")
        .env("HOME", &home)
        // cargo and rustup live under the real HOME.
        .env(
            "CARGO_HOME",
            std::env::var_os("CARGO_HOME").unwrap_or_else(|| {
                std::path::Path::new(&std::env::var_os("HOME").unwrap())
                    .join(".cargo")
                    .into()
            }),
        )
        .env(
            "RUSTUP_HOME",
            std::env::var_os("RUSTUP_HOME").unwrap_or_else(|| {
                std::path::Path::new(&std::env::var_os("HOME").unwrap())
                    .join(".rustup")
                    .into()
            }),
        )
        .output()
        .unwrap();
    let (stdout, stderr) = (lossy(&out.stdout), lossy(&out.stderr));
    assert!(out.status.success(), "scripts/install: {stdout}\n{stderr}");
    // cargo's own progress, not a silent wait.
    assert!(
        stderr.contains("Finished") || stderr.contains("Compiling"),
        "no build progress shown: {stderr}"
    );
    let rvenv = root.join("bin/rvenv");
    let version = Command::new(&rvenv).arg("--version").output().unwrap();
    assert!(lossy(&version.stdout).starts_with("rvenv "));
    // The demo: a venv made and its status shown.
    assert!(stdout.contains("auto-activates:"), "{stdout}");
    // The exact line for zsh, and where it goes.
    assert!(
        stdout.contains(r#"eval "$(rvenv hook zsh)""#)
            && stdout.contains(&format!("{}/.zshrc", home.display())),
        "{stdout}"
    );
    // No entry left for the demo venv, which is gone.
    let store = std::fs::read_to_string(home.join("data/rvenv/trusted")).unwrap_or_default();
    assert!(
        !store
            .lines()
            .any(|l| l.starts_with("allow ") || l.starts_with("made ")),
        "{store}"
    );
}

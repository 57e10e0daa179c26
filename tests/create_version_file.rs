//! `.python-version` names versions, never programs: `rvenv create` takes
//! a version or a pyenv name from it, stops at a path, and passes over a
//! file another user owns (one made in /tmp) as if it were not there.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use common::{Fixture, lossy, other_user};

/// `rvenv create ARGS` in `dir`, given at most 60 s (pip's bytecode may
/// be compiled into the cache first, on a loaded machine).
fn create(fx: &Fixture, dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("timeout")
        .arg("60")
        .arg(common::rvenv_bin())
        .arg("create")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", common::base_path())
        .env("LANG", "C.UTF-8")
        .env("RVENV_CACHE_DIR", common::shared_cache())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(124), "rvenv create hung");
    out
}

/// A "python" that records it ran, then runs the real one.
fn trap_python(path: &Path, ran: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        path,
        format!(
            "#!/bin/sh\n: >>'{}'\nexec '{}' \"$@\"\n",
            ran.display(),
            common::python().display()
        ),
    )
    .unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_path_in_the_file_stops_the_create() {
    let fx = Fixture::new();
    let proj = fx.dir("proj");
    let ran = fx.path("ran");
    trap_python(&proj.join("tools/python"), &ran);
    let abs = proj.join("tools/python");
    for entry in [
        "./tools/python".to_owned(),
        abs.display().to_string(),
        format!("3.12 {}", abs.display()),
    ] {
        fs::write(proj.join(".python-version"), format!("{entry}\n")).unwrap();
        let out = create(&fx, &proj, &[".venv"]);
        let err = lossy(&out.stderr);
        assert!(!out.status.success(), "{entry}: {err}");
        assert!(out.stdout.is_empty(), "{entry}");
        assert_eq!(err.lines().count(), 1, "{entry}: one line: {err}");
        assert!(
            err.contains(&proj.join(".python-version").display().to_string()) && err.contains("-p"),
            "{entry}: names the file and -p: {err}"
        );
        assert!(!ran.exists(), "{entry}: the program ran");
        assert!(!proj.join(".venv").exists(), "{entry}");
    }
    // -p is how a program is named.
    let out = create(&fx, &proj, &["-p", "./tools/python", ".venv"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    assert!(ran.exists());
}

/// Another user's /tmp/.python-version: today it made `rvenv create` in
/// /tmp/proj run their program, and the venv made was trusted.
#[test]
fn another_users_file_is_passed_over() {
    let Some(mallory) = other_user("rvt-mallory", None) else {
        return;
    };
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    let ran = tmp.join("ran");
    mallory.sh(
        &tmp,
        &format!(
            "mkdir bobpy && printf '#!/bin/sh\\n: >>%s/ran\\nexec %s \"$@\"\\n' '{}' '{}' >bobpy/python \
             && chmod 755 bobpy/python && printf '%s/bobpy/python\\n' '{}' >.python-version",
            tmp.display(),
            common::python().display(),
            tmp.display()
        ),
    );
    let proj = fx.dir("tmp/proj");
    let out = create(&fx, &proj, &[".venv"]);
    let err = lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!ran.exists(), "their program ran");
    let file = tmp.join(".python-version");
    assert!(
        err.lines()
            .any(|l| l.contains(&file.display().to_string()) && l.contains("another user")),
        "one line says the file was passed over: {err}"
    );
    assert!(proj.join(".venv/pyvenv.cfg").is_file());

    // A version they name is not taken either: the search goes on as if
    // the file were not there (3.99 would stop the create).
    mallory.sh(&tmp, "printf '3.99\\n' >.python-version");
    fs::remove_dir_all(proj.join(".venv")).unwrap();
    let out = create(&fx, &proj, &[".venv"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    // The user's own file below it is used.
    fs::write(proj.join(".python-version"), "3.99\n").unwrap();
    let out = create(&fx, &proj, &["--clear", ".venv"]);
    assert!(!out.status.success());
    assert!(
        lossy(&out.stderr).contains("3.99"),
        "{}",
        lossy(&out.stderr)
    );
}

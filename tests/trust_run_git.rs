//! The hook's gate everywhere a venv found by itself could run:
//! - `rvenv run` without `--venv` runs only a venv the hook would activate
//!   (trusted, safe permissions, no files from git), and otherwise says the
//!   hook's one line; `--venv PATH` is the user's consent.
//! - A venv holding files that git tracks came from the repository, not
//!   from the user: `rvenv allow` refuses it, and one that was trusted stops
//!   activating (hook, `rvenv run`, `rvenv status`) once a `git pull` brings
//!   tracked files into it, without the hook starting any process for it.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Fixture, base_path, lossy, rvenv_bin};

/// `rvenv ARGS` in `cwd`, as a user with nothing trusted by directory
/// (the harness trusts the whole fixture by default) and bash as $SHELL.
fn rvenv_in(
    fx: &Fixture,
    cwd: &Path,
    args: &[&OsStr],
    env: &[(&str, &OsStr)],
) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let out = Command::new(rvenv_bin())
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", base_path())
        .env("LANG", "C.UTF-8")
        .env("SHELL", "/bin/bash")
        .env("RVENV_TRUSTED_DIRS", "")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), out.stdout, out.stderr)
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// The lines of `output`, without CR.
fn lines(output: &[u8]) -> Vec<Vec<u8>> {
    output
        .split(|&b| b == b'\n')
        .map(|l| l.iter().copied().filter(|&b| b != b'\r').collect())
        .filter(|l: &Vec<u8>| !l.is_empty())
        .collect()
}

fn allow(fx: &Fixture, path: &Path) {
    let (code, _, err) = rvenv_in(fx, &fx.root, &[os("allow"), path.as_os_str()], &[]);
    assert_eq!(code, Some(0), "rvenv allow {path:?}: {}", lossy(&err));
}

/// What the hook says on entering `dir` in bash, from its own command.
fn hook_says(fx: &Fixture, dir: &Path, env: &[(&str, &OsStr)]) -> Vec<u8> {
    let (code, _, err) = rvenv_in(fx, dir, &[os("__hook"), os("bash"), dir.as_os_str()], env);
    assert_eq!(code, Some(0), "rvenv __hook: {}", lossy(&err));
    err
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// An executable `venv/bin/NAME` that leaves `markers/NAME.MARKER` when run.
fn payload(fx: &Fixture, venv: &Path, name: &str) -> PathBuf {
    let markers = fx.dir("markers");
    let marker = markers.join(format!("{name}.MARKER"));
    let script = venv.join("bin").join(name);
    fs::write(
        &script,
        format!("#!/bin/sh\necho pwned > '{}'\n", marker.display()),
    )
    .unwrap();
    chmod(&script, 0o755);
    marker
}

// ---------------------------------------------------------------------------
// rvenv run passes the hook's gate

/// `rvenv run -- CMD` in a project whose venv the hook would not activate
/// fails as the hook does: non-zero, nothing on stdout, the hook's own line
/// on stderr, and CMD does not run from the venv.
fn assert_run_refused(
    fx: &Fixture,
    proj: &Path,
    payload_marker: &Path,
    env: &[(&str, &OsStr)],
    ctx: &str,
) {
    let hook_line = hook_says(fx, proj, env);
    assert_eq!(
        lines(&hook_line).len(),
        1,
        "{ctx}: hook: {}",
        lossy(&hook_line)
    );
    for argv in [&["run", "--", "ls"][..], &["run", "--", "python", "-V"]] {
        let args: Vec<&OsStr> = argv.iter().map(|a| os(a)).collect();
        let (code, out, err) = rvenv_in(fx, proj, &args, env);
        assert!(
            code.is_some_and(|c| c != 0),
            "{ctx}: {argv:?}: exit {code:?}"
        );
        assert!(out.is_empty(), "{ctx}: {argv:?}: stdout {}", lossy(&out));
        assert_eq!(
            err,
            hook_line,
            "{ctx}: {argv:?}: the hook's line, once: {}",
            lossy(&err)
        );
        assert!(
            !payload_marker.exists(),
            "{ctx}: {argv:?}: the venv's ls ran"
        );
    }
}

#[test]
fn run_refuses_what_the_hook_would_not_activate() {
    let fx = Fixture::new();
    let proj = fx.dir("code/proj/src");
    let proj = proj.parent().unwrap().to_path_buf();
    let venv = fx.venv("code/proj/.venv");
    let marker = payload(&fx, &venv, "ls");
    let v = venv.to_str().unwrap();

    // Untrusted: the hook's line, which ends in the command that allows it.
    assert_run_refused(&fx, &proj, &marker, &[], "untrusted");
    let (_, _, err) = rvenv_in(&fx, &proj, &[os("run"), os("--"), os("true")], &[]);
    let err = lossy(&err);
    assert!(
        err.starts_with(&format!("rvenv: {v} is not trusted"))
            && err.trim_end().ends_with(&format!("rvenv allow {v}")),
        "{err:?}"
    );
    // From a subdirectory too.
    let (code, out, _) = rvenv_in(
        &fx,
        &proj.join("src"),
        &[os("run"), os("--"), os("ls")],
        &[],
    );
    assert!(code != Some(0) && out.is_empty() && !marker.exists());

    // Allowed: it runs, in the venv.
    allow(&fx, &proj);
    let (code, out, err) = rvenv_in(
        &fx,
        &proj.join("src"),
        &[
            os("run"),
            os("--"),
            os("python"),
            os("-c"),
            os("import sys; print(sys.prefix)"),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "allowed: {}", lossy(&err));
    assert_eq!(lossy(&out).trim_end(), v);
    let (code, _, err) = rvenv_in(&fx, &proj, &[os("run"), os("--"), os("ls")], &[]);
    assert_eq!(code, Some(0), "{}", lossy(&err));
    assert!(marker.exists(), "allowed: the venv's ls runs");
    fs::remove_file(&marker).unwrap();

    // Allowed but writable by others: refused again, as by the hook.
    chmod(&venv.join("bin"), 0o777);
    assert_run_refused(&fx, &proj, &marker, &[], "world-writable bin");
    chmod(&venv.join("bin"), 0o755);

    // Denied: refused again.
    let (code, _, _) = rvenv_in(&fx, &fx.root, &[os("deny"), proj.as_os_str()], &[]);
    assert_eq!(code, Some(0));
    assert_run_refused(&fx, &proj, &marker, &[], "denied");

    // Named with --venv: the user's consent, trusted or not.
    let (code, out, err) = rvenv_in(
        &fx,
        &fx.root,
        &[
            os("run"),
            os("--venv"),
            proj.as_os_str(),
            os("--"),
            os("python"),
            os("-c"),
            os("import sys; print(sys.prefix)"),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "--venv: {}", lossy(&err));
    assert_eq!(lossy(&out).trim_end(), v);
    let (code, _, err) = rvenv_in(
        &fx,
        &proj,
        &[
            os("run"),
            os("--venv"),
            venv.as_os_str(),
            os("--"),
            os("ls"),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "--venv: {}", lossy(&err));
    assert!(marker.exists(), "--venv: the named venv's ls runs");
}

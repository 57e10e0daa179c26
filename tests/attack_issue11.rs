//! Attacks on issue 11 ("Trust that holds on shared machines") that got
//! through its first fixes, found by an adversarial run as a second user
//! and a hostile repository: each reproduces one attack, which must fail.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{
    Drive, Fixture, Opts, Session, Shell, base_path, chmod, lossy, other_user, rvenv_in,
    status_json,
};

shell_tests!(pull_into_the_active_venv);

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn allow(fx: &Fixture, venv: &Path) {
    let (code, _, err) = rvenv_in(fx, &fx.root, &[os("allow"), venv.as_os_str()], &[]);
    assert_eq!(code, Some(0), "rvenv allow {venv:?}: {}", lossy(&err));
}

fn git(fx: &Fixture, cwd: &Path, args: &[&str]) {
    fx.git(cwd, args);
}

// ---------------------------------------------------------------------------
// Rule 9: a `git pull` while the user is in the project (the common case)
// puts the repository's `.venv/bin/ls` first on PATH at once: the hook only
// looks again at the next `cd`.

fn pull_into_the_active_venv(sh: Shell) {
    let fx = Fixture::new();
    let upstream = fx.dir("upstream");
    fs::write(upstream.join("README.md"), "hello\n").unwrap();
    git(&fx, &upstream, &["init", "-q"]);
    git(&fx, &upstream, &["add", "."]);
    git(&fx, &upstream, &["commit", "-q", "-m", "first"]);
    let work = fx.path("work");
    git(
        &fx,
        &fx.root,
        &[
            "clone",
            "-q",
            upstream.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );

    let mut s = Session::start(sh, &fx, Opts::default().env("RVENV_TRUSTED_DIRS", ""));
    s.run(&sh.cd(&work));
    let python = common::python().to_str().unwrap();
    s.run(&format!("rvenv create -p '{python}'"));
    let st = s.state();
    assert_eq!(
        st.var("VIRTUAL_ENV").map(lossy),
        Some(lossy(work.join(".venv").as_os_str().as_encoded_bytes())),
        "{sh:?}: the user's own venv is active"
    );

    // Upstream commits .venv/bin/ls; the user pulls, still in the project.
    let up_venv = upstream.join(".venv");
    fs::create_dir_all(up_venv.join("bin")).unwrap();
    let marker = fx.payload(&up_venv, "ls");
    git(&fx, &upstream, &["add", "-f", ".venv/bin/ls"]);
    git(&fx, &upstream, &["commit", "-q", "-m", "tooling"]);
    git(&fx, &work, &["pull", "-q"]);
    assert!(work.join(".venv/bin/ls").is_file());

    s.run("");
    let step = s.run("ls");
    assert!(
        !marker.exists(),
        "{sh:?}: the pulled .venv/bin/ls ran from PATH while the venv stayed active: {}",
        lossy(&step.output)
    );
}

// ---------------------------------------------------------------------------
// Rules 2 and 9: another user's `.git` in a shared sticky parent (/tmp/.git)
// is taken as the repository of the user's own /tmp/myproj: it can make the
// user's venv "tracked" or "unreadable", so it stops activating. git itself
// ignores a repository another user owns (safe.directory).

#[test]
fn foreign_git_dir_above_the_project() {
    let Some(eve) = other_user("rvt-eve", None) else {
        return;
    };
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    let proj = fx.dir("tmp/myproj");
    let venv = fx.venv("tmp/myproj/.venv");
    allow(&fx, &venv);
    let st = status_json(&fx, &proj, &[]);
    assert_eq!(st["would_activate"], true, "before: {st}");

    eve.sh(&tmp, "mkdir .git && printf garbage > .git/index");
    let st = status_json(&fx, &proj, &[]);
    assert_eq!(
        st["would_activate"],
        true,
        "another user's {}/.git/index decides: {st}",
        tmp.display()
    );
}

// ---------------------------------------------------------------------------
// Rules 1 and 2: an RVENV_TRUSTED_DIRS entry is resolved through another
// user's symlink, so that user decides what the user trusts: their
// `/tmp/work -> /` trusts every venv the user owns anywhere (an unpacked
// download's `.venv` with a `bin/ls`, say).

#[test]
fn trusted_dir_through_a_foreign_symlink() {
    let Some(eve) = other_user("rvt-eve", None) else {
        return;
    };
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    let downloads = fx.dir("downloads/evil");
    fx.venv("downloads/evil/.venv");
    let st = status_json(&fx, &downloads, &[]);
    assert_eq!(st["trusted"], false, "before: {st}");

    eve.sh(&tmp, &format!("ln -s '{}' work", fx.root.display()));
    let work = tmp.join("work");
    let st = status_json(&fx, &downloads, &[("RVENV_TRUSTED_DIRS", work.as_os_str())]);
    assert_eq!(
        st["trusted"],
        false,
        "trusted through another user's symlink {}: {st}",
        work.display()
    );
}

// ---------------------------------------------------------------------------
// House rule "no hangs": `rvenv create /tmp/venv` opens every
// `.venv.rvenv-stage-*` entry of /tmp to clean it, so another user's FIFO of
// that name blocks it forever.

#[test]
fn create_blocks_on_a_foreign_fifo_stage() {
    let Some(eve) = other_user("rvt-eve", None) else {
        return;
    };
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    eve.sh(&tmp, "mkfifo -m 666 .venv.rvenv-stage-x");
    let python = common::python();
    let start = Instant::now();
    let (code, _, err) = rvenv_in(
        &fx,
        &tmp,
        &[os("create"), os("-p"), python.as_os_str(), os("venv")],
        &[],
    );
    assert_ne!(
        code,
        Some(124),
        "rvenv create blocked for 30 s: {}",
        lossy(&err)
    );
    assert!(start.elapsed() < Duration::from_secs(29));
    assert_eq!(code, Some(0), "{}", lossy(&err));
}

// ---------------------------------------------------------------------------
// Rules 2 and 3: what is *in* bin/ is not checked. A file there that another
// user owns (planted while bin/ was open, and theirs to rewrite forever) or
// that anyone may write goes on PATH.

#[test]
fn foreign_file_in_bin() {
    let Some(eve) = other_user("rvt-eve", None) else {
        return;
    };
    let fx = Fixture::new();
    fx.shared_tmp();
    let proj = fx.dir("code/proj");
    let venv = fx.venv("code/proj/.venv");
    allow(&fx, &venv);
    chmod(&venv.join("bin"), 0o777);
    eve.sh(
        &venv.join("bin"),
        "printf '#!/bin/sh\\necho eve\\n' > ls && chmod 755 ls",
    );
    chmod(&venv.join("bin"), 0o755);
    let st = status_json(&fx, &proj, &[]);
    assert_eq!(
        st["would_activate"], false,
        "bin/ls is owned by {} and goes on PATH: {st}",
        eve.name
    );
}

#[test]
fn world_writable_file_in_bin() {
    let fx = Fixture::new();
    let proj = fx.dir("code/proj");
    let venv = fx.venv("code/proj/.venv");
    allow(&fx, &venv);
    fs::write(venv.join("bin/pip"), "#!/bin/sh\n").unwrap();
    chmod(&venv.join("bin/pip"), 0o777);
    let st = status_json(&fx, &proj, &[]);
    assert_eq!(
        st["would_activate"], false,
        "bin/pip is world-writable and goes on PATH: {st}"
    );
}

// ---------------------------------------------------------------------------
// Rule 5: `.python-version` names versions, never programs. A name that is
// no version (`dash`, `mytool`) is looked up on PATH and run with
// `-I -c QUERY`: a cloned repository picks which program of the user's PATH
// `rvenv create` starts.

#[test]
fn python_version_runs_a_program_from_path() {
    let fx = Fixture::new();
    let tools = fx.dir("tools");
    let marker = fx.path("mytool.MARKER");
    let tool = tools.join("mytool");
    fs::write(
        &tool,
        format!("#!/bin/sh\necho \"$@\" > '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    chmod(&tool, 0o755);
    let proj = fx.dir("clone");
    fs::write(proj.join(".python-version"), "mytool\n").unwrap();
    let mut path = tools.into_os_string();
    path.push(":");
    path.push(base_path());
    let (_, _, err) = rvenv_in(&fx, &proj, &[os("create")], &[("PATH", &path)]);
    assert!(
        !marker.exists(),
        "rvenv create ran mytool ({}): {}",
        lossy(&fs::read(&marker).unwrap_or_default()),
        lossy(&err)
    );
}

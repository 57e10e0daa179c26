//! The hook's gate everywhere a venv found by itself could run:
//! - `rvenv run` without `--venv` runs only a venv the hook would activate
//!   (trusted, safe permissions, no files from git), and otherwise says the
//!   hook's one line; `--venv PATH` is the user's consent.
//! - A venv holding files that git tracks came from the repository, not
//!   from the user: `rvenv allow` refuses it, and one that was trusted stops
//!   activating (hook, `rvenv run`, `rvenv status`) once a `git pull` brings
//!   tracked files into it, without the hook starting any process for it.

mod common;
use common::Drive;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use common::{
    Fixture, Opts, PROMPT, Session, Shell, base_path, bytes, chmod, count, lossy, prompt_with,
    rvenv_bin, rvenv_in, status_json,
};

shell_tests!(committed_venv_never_activates, pulled_files_end_trust,);

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
    let argv = common::hook_argv("bash", dir.as_os_str(), &[]);
    let argv: Vec<&OsStr> = argv.iter().map(|a| a.as_os_str()).collect();
    let (code, _, err) = rvenv_in(fx, dir, &argv, env);
    assert_eq!(code, Some(0), "rvenv __hook: {}", lossy(&err));
    err
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
    let marker = fx.payload(&venv, "ls");
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

// ---------------------------------------------------------------------------
// Venvs from git

fn git(fx: &Fixture, cwd: &Path, args: &[&str]) {
    fx.git(cwd, args);
}

fn clone(fx: &Fixture, repo: &Path, dest: &Path) {
    let (repo, dest) = (repo.to_str().unwrap(), dest.to_str().unwrap());
    git(fx, &fx.root, &["clone", "-q", repo, dest]);
}

/// A repository that commits a real, whole venv (made by CPython's venv
/// on this machine, so nothing but its origin is wrong with it) whose
/// `bin/ls` is a payload; returns the repository and the payload's marker.
fn repo_with_a_venv(fx: &Fixture) -> (PathBuf, PathBuf) {
    let repo = fx.dir("upstream");
    let venv = fx.venv("upstream/.venv");
    let marker = fx.payload(&venv, "ls");
    fs::write(repo.join("README.md"), "nothing to see\n").unwrap();
    git(fx, &repo, &["init", "-q"]);
    git(fx, &repo, &["add", "-f", "."]);
    git(fx, &repo, &["commit", "-q", "-m", "innocent"]);
    (repo, marker)
}

/// The lines of `output` that contain `needle`.
fn lines_with(output: &[u8], needle: &[u8]) -> Vec<Vec<u8>> {
    lines(output)
        .into_iter()
        .filter(|l| count(l, needle) > 0)
        .collect()
}

/// Asserts `output` holds exactly one line refusing `venv` because git
/// tracks files in it, naming `entry`, and no other rvenv line.
fn assert_git_line(output: &[u8], doing: &str, venv: &Path, entry: &str, ctx: &str) {
    let all = lines_with(output, b"rvenv:");
    let tracked = lines_with(output, b"git tracks files in it");
    assert!(
        all.len() == 1 && tracked.len() == 1,
        "{ctx}: one line: {:?}",
        lossy(output)
    );
    let line = lossy(&tracked[0]);
    let v = venv.to_str().unwrap();
    assert!(
        line.starts_with(&format!(
            "rvenv: {doing} {v}: git tracks files in it ({entry} in "
        )) && line.contains("rm -r -q --cached -- .venv")
            && line.contains(&format!("rvenv create --clear {v}")),
        "{ctx}: {line:?}"
    );
}

/// A venv committed to a repository is refused by `rvenv allow`, and a
/// clone of it never activates, even under RVENV_TRUSTED_DIRS, where every
/// venv used to be trusted: `cd` into the clone and `ls` must not run the
/// repository's `ls`.
fn committed_venv_never_activates(sh: Shell) {
    let fx = Fixture::new();
    let (repo, marker) = repo_with_a_venv(&fx);
    let proj = fx.path("code/clone");
    clone(&fx, &repo, &proj);
    let venv = proj.join(".venv");
    assert!(venv.join("bin/ls").is_file() && venv.join("pyvenv.cfg").is_file());

    // rvenv allow refuses it: one line, nothing on stdout, nothing stored.
    let (code, out, err) = rvenv_in(&fx, &proj, &[os("allow")], &[]);
    assert!(code.is_some_and(|c| c != 0), "allow: exit {code:?}");
    assert!(out.is_empty(), "allow: stdout {}", lossy(&out));
    assert_git_line(
        &err,
        "not allowing",
        &venv,
        ".venv/bin/Activate.ps1",
        "allow",
    );
    let st = status_json(&fx, &proj, &[]);
    assert_eq!(st["trust"], "not_allowed", "{st}");

    // Under RVENV_TRUSTED_DIRS, entered in a real shell: not activated,
    // one line saying why, the system's ls runs.
    let code_dir = fx.path("code");
    let trusted = [("RVENV_TRUSTED_DIRS", code_dir.as_os_str())];
    let opts = Opts::default().env("RVENV_TRUSTED_DIRS", code_dir.as_os_str());
    let mut s = Session::start(sh, &fx, opts);
    let orig = s.initial.path().to_vec();
    let step = s.run(&sh.cd(&proj));
    step.assert_prompt(PROMPT.as_bytes(), "trusted dir");
    let ctx = format!("{sh:?}: entered");
    assert_git_line(
        &step.output,
        "not activating",
        &venv,
        ".venv/bin/Activate.ps1",
        &ctx,
    );
    let step = s.run("ls");
    assert_eq!(
        count(&step.output, b"README.md"),
        1,
        "{ctx}: {:?}",
        lossy(&step.output)
    );
    // Said once per entry, not at each prompt.
    let step = s.run("");
    assert_eq!(count(&step.output, b"rvenv:"), 0, "{ctx}: said again");
    s.state().assert_off(&orig, &ctx);
    assert!(!marker.exists(), "{ctx}: the repository's ls ran");

    // rvenv status says why; rvenv run refuses with the same line.
    let st = status_json(&fx, &proj, &trusted);
    assert_eq!(st["trusted"], true, "{st}");
    assert_eq!(st["would_activate"], false, "{st}");
    let why = st["git_tracked"].as_str().unwrap_or_default();
    assert!(why.starts_with("git tracks files in it (.venv/"), "{st}");
    let (_, text, _) = rvenv_in(&fx, &proj, &[os("status")], &trusted);
    assert_eq!(
        lines_with(&text, b"git tracks files in it (.venv/")
            .iter()
            .filter(|l| l.starts_with(b"git: "))
            .count(),
        1,
        "{}",
        lossy(&text)
    );
    assert_run_refused(&fx, &proj, &marker, &trusted, "trusted dir");
}

/// Writes an executable `NAME` into `dir` that appends the name of the
/// process that started it and its arguments to `$HOME/NAME.calls`, then
/// runs the real `real`.
fn counting_wrapper(dir: &Path, name: &str, real: &Path) {
    let wrapper = dir.join(name);
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n\
             read -r parent </proc/$PPID/comm\n\
             echo \"$parent: $*\" >>\"$HOME/{name}.calls\"\n\
             exec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    chmod(&wrapper, 0o755);
}

/// The lines `NAME`'s counting wrapper logged so far.
fn calls(fx: &Fixture, name: &str) -> Vec<String> {
    fs::read_to_string(fx.home.join(format!("{name}.calls")))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The user's own venv in a clone, trusted (made by `rvenv create`, or
/// allowed); then a `git pull` brings `.venv/bin/ls` from upstream. At the
/// next entry the hook no longer activates it and says why, once; `ls`
/// is the system's. Throughout, the hook starts rvenv only when crossing
/// into or out of the project, and never git.
fn pulled_files_end_trust(sh: Shell) {
    let fx = Fixture::new();
    let upstream = fx.dir("upstream");
    fs::write(upstream.join("README.md"), "hello\n").unwrap();
    fs::create_dir(upstream.join("src")).unwrap();
    fs::write(upstream.join("src/app.py"), "print('hi')\n").unwrap();
    git(&fx, &upstream, &["init", "-q"]);
    git(&fx, &upstream, &["add", "."]);
    git(&fx, &upstream, &["commit", "-q", "-m", "first"]);
    let made = fx.path("work/made");
    let allowed = fx.path("work/allowed");
    clone(&fx, &upstream, &made);
    clone(&fx, &upstream, &allowed);

    let countbin = fx.dir("countbin");
    counting_wrapper(&countbin, "rvenv", rvenv_bin());
    counting_wrapper(&countbin, "git", &common::which("git").unwrap());
    let mut path = countbin.into_os_string();
    path.push(":");
    path.push(base_path());
    let opts = Opts::default()
        .env("RVENV_TRUSTED_DIRS", "")
        .env("PATH", path);
    let mut s = Session::start(sh, &fx, opts);
    let orig = s.initial.path().to_vec();
    let git_at_start = calls(&fx, "git").len();
    let hooks = || {
        calls(&fx, "rvenv")
            .iter()
            .filter(|c| c.contains(": __hook "))
            .count()
    };

    // The user's venvs: one made by rvenv create, one allowed.
    s.run(&sh.cd(&made));
    let python = common::python().to_str().unwrap();
    let step = s.run(&format!("rvenv create -p '{python}'"));
    step.assert_prompt(&prompt_with(b"made"), "created");
    fx.venv("work/allowed/.venv");
    s.run(&format!("rvenv allow '{}'", allowed.display()));
    s.run(&sh.cd(&fx.root));

    // Entering and leaving a trusted venv in a git clone: one rvenv each
    // way, nothing at the prompts in between.
    for (proj, name) in [(&made, &b"made"[..]), (&allowed, b"allowed")] {
        let ctx = format!("{sh:?}: {} before the pull", proj.display());
        for round in 0..2 {
            let before = hooks();
            let step = s.run(&sh.cd(proj));
            step.assert_prompt(&prompt_with(name), &ctx);
            s.run("");
            s.run("cd src");
            s.run("cd ..");
            assert_eq!(
                hooks() - before,
                1,
                "{ctx}: round {round}: rvenv calls entering"
            );
            s.state()
                .assert_on(&bytes(proj.join(".venv")), name, &orig, &ctx);
            let before = hooks();
            s.run(&sh.cd(&fx.root));
            assert_eq!(hooks() - before, 1, "{ctx}: rvenv calls leaving");
        }
    }

    // Upstream commits .venv/bin/ls; the user pulls it into both.
    let up_venv = upstream.join(".venv");
    fs::create_dir_all(up_venv.join("bin")).unwrap();
    let marker = fx.payload(&up_venv, "ls");
    git(&fx, &upstream, &["add", "-f", ".venv/bin/ls"]);
    git(&fx, &upstream, &["commit", "-q", "-m", "tooling"]);
    for proj in [&made, &allowed] {
        git(&fx, proj, &["pull", "-q"]);
        assert!(proj.join(".venv/bin/ls").is_file());
        assert!(
            proj.join(".venv/bin/python").exists(),
            "the user's venv is still there"
        );
    }

    for proj in [&made, &allowed] {
        let venv = proj.join(".venv");
        let ctx = format!("{sh:?}: {} after the pull", proj.display());
        let before = hooks();
        let step = s.run(&sh.cd(proj));
        step.assert_prompt(PROMPT.as_bytes(), &ctx);
        assert_git_line(&step.output, "not activating", &venv, ".venv/bin/ls", &ctx);
        // Once per entry; nothing started at the prompts in the project.
        let step = s.run("");
        assert_eq!(count(&step.output, b"rvenv:"), 0, "{ctx}: said again");
        s.run("cd src");
        s.run("cd ..");
        assert_eq!(hooks() - before, 1, "{ctx}: rvenv calls");
        let step = s.run("ls");
        assert_eq!(
            count(&step.output, b"README.md"),
            1,
            "{ctx}: {:?}",
            lossy(&step.output)
        );
        assert!(!marker.exists(), "{ctx}: the pulled ls ran");
        s.state().assert_off(&orig, &ctx);
        s.run(&sh.cd(&fx.root));

        let st = status_json(&fx, proj, &[]);
        assert_eq!(st["trusted"], true, "{st}");
        assert_eq!(st["would_activate"], false, "{st}");
        assert!(
            st["git_tracked"]
                .as_str()
                .is_some_and(|w| w.starts_with("git tracks files in it (.venv/bin/ls in ")),
            "{st}"
        );
        assert_run_refused(&fx, proj, &marker, &[], &ctx);
    }
    // git never ran once the shell was up (fish's default prompt runs it
    // while starting, before the rc file replaces the prompt).
    assert_eq!(
        calls(&fx, "git")[git_at_start..],
        [] as [String; 0],
        "{sh:?}: git ran"
    );
}

//! Trust on a shared machine (issue 11): paths, files and users an
//! attacker shapes. Each test replays an attack in real interactive bash,
//! zsh and fish where the hook is involved:
//! - a `.venv` file spelling its way into a trusted directory with `..`
//!   and `/proc/self/cwd`;
//! - another user's symlink (and directory) on the way to a trusted venv,
//!   later swapped for their own venv; `rvenv create` following it;
//! - writers the mode bits do not show: POSIX ACLs, a world-writable venv
//!   directory, a primary group two users share;
//! - a trust store that forgets entries whose disk is away, and one whose
//!   files are symlinks, FIFOs or directories.
//!
//! Sessions get `RVENV_TRUSTED_DIRS=` (empty) unless a test says otherwise.

mod common;
use common::Drive;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, symlink};
use std::path::Path;
use std::process::Command;

use common::{
    Fixture, Opts, PROMPT, Session, Shell, bytes, chmod, count, lossy, other_user, prompt_with,
    run_cmd, rvenv_bin, status_json,
};
use serde_json::Value;

shell_tests!(
    dotdot_and_proc_self_cwd_are_resolved,
    another_users_symlink_is_not_followed,
    writers_the_mode_bits_hide,
    store_keeps_entries_of_a_missing_disk,
    store_fifo_does_not_hang,
);

fn untrusted() -> Opts {
    Opts::default().env("RVENV_TRUSTED_DIRS", "")
}

/// The lines of `output` (CR removed) that contain `needle`.
fn lines_with(output: &[u8], needle: &str) -> Vec<String> {
    lossy(output)
        .split('\n')
        .map(|l| l.replace('\r', ""))
        .filter(|l| l.contains(needle))
        .collect()
}

/// A venv made by hand whose `bin/ls`, `bin/git` and `bin/python` write
/// `root/MARKER` when run: what an attacker ships.
fn hostile_venv(venv: &Path, root: &Path) {
    fs::create_dir_all(venv.join("bin")).unwrap();
    fs::write(
        venv.join("pyvenv.cfg"),
        "home = /usr/bin\nversion = 3.11.2\n",
    )
    .unwrap();
    let payload = format!("#!/bin/sh\n: >'{}/MARKER'\n", root.display());
    for name in ["ls", "git", "python"] {
        fs::write(venv.join("bin").join(name), &payload).unwrap();
        chmod(&venv.join("bin").join(name), 0o755);
    }
}

fn assert_no_marker(fx: &Fixture, ctx: &str) {
    assert!(!fx.path("MARKER").exists(), "{ctx}: the payload ran");
}

/// `rvenv ARGS` outside any shell, with nothing trusted by directory.
fn rvenv(fx: &Fixture, args: &[&OsStr], env: &[(&str, &OsStr)]) -> (bool, Vec<u8>, Vec<u8>) {
    let mut argv = vec![rvenv_bin().as_os_str()];
    argv.extend_from_slice(args);
    let mut all = vec![("RVENV_TRUSTED_DIRS", OsStr::new(""))];
    all.extend_from_slice(env);
    run_cmd(fx, &argv, &all)
}

// ---------------------------------------------------------------------------
// 1. Trust is judged on real paths

fn dotdot_and_proc_self_cwd_are_resolved(sh: Shell) {
    let fx = Fixture::new();
    let code = fx.dir("code");
    // A hostile checkout outside the trusted tree: a `.venv` file whose
    // path starts with the trusted directory, climbs to `/` and comes back
    // down through /proc/self/cwd to the checkout's own venv.
    let evil = fx.dir("evil");
    hostile_venv(&evil.join("realenv"), &fx.root);
    let sneaky = format!(
        "{}{}/proc/self/cwd/realenv\n",
        code.display(),
        "/..".repeat(code.components().count() + 2)
    );
    fs::write(evil.join(".venv"), &sneaky).unwrap();
    // Inside the trusted tree, a venv named through /proc/self/cwd: trusted,
    // but PATH must get its real path, not one that means the current
    // directory of whatever process resolves it.
    let p = fx.dir("code/p");
    let real = fx.venv("code/p/realenv");
    fs::write(p.join(".venv"), "/proc/self/cwd/realenv\n").unwrap();
    let trusted = Opts::default().env("RVENV_TRUSTED_DIRS", &code);
    let mut s = Session::start(sh, &fx, trusted);
    let orig = s.initial.path().to_vec();

    let step = s.run(&sh.cd(&evil));
    step.assert_prompt(PROMPT.as_bytes(), "evil checkout");
    let lines = lines_with(&step.output, "not trusted");
    assert_eq!(lines.len(), 1, "{sh:?}: {:?}", lossy(&step.output));
    s.state().assert_off(&orig, "evil checkout");
    s.run("ls >/dev/null; git --version >/dev/null 2>&1");
    assert_no_marker(&fx, &format!("{sh:?}: evil checkout"));

    let step = s.run(&sh.cd(&p));
    step.assert_prompt(&prompt_with(b"p"), "via /proc/self/cwd");
    s.state().assert_on(
        &bytes(&real),
        b"p",
        &orig,
        "via /proc/self/cwd: the real path",
    );
    // The PATH entry means the same in any directory.
    let out = s.capture("sh -c 'cd / && command -v python'");
    assert_eq!(
        lossy(&out),
        format!("{}\n", real.join("bin/python").display()),
        "{sh:?}: python from /"
    );
}

#[test]
fn relative_trusted_dirs_are_ignored_and_status_says_so() {
    let fx = Fixture::new();
    fx.dir("code/p");
    fx.venv("code/p/.venv");
    let dirs = OsStr::new("code:./code");
    // From the fixture's root, `code` would name the project's parent.
    let st = status_json(
        &fx,
        &fx.path("code/p"),
        &[
            ("RVENV_TRUSTED_DIRS", dirs),
            ("XDG_DATA_HOME", OsStr::new("rel")),
        ],
    );
    assert_eq!(st["trusted"], false, "{st}");
    let notices: Vec<&str> = st["notices"]
        .as_array()
        .unwrap_or_else(|| panic!("no notices: {st}"))
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notices.len(), 3, "{st}");
    assert!(notices[0].starts_with("ignoring code in RVENV_TRUSTED_DIRS"));
    assert!(notices[1].starts_with("ignoring ./code in RVENV_TRUSTED_DIRS"));
    assert!(notices[2].contains("XDG_DATA_HOME"));
    let (ok, out, _) = rvenv(
        &fx,
        &[OsStr::new("status"), fx.path("code/p").as_os_str()],
        &[("RVENV_TRUSTED_DIRS", dirs)],
    );
    assert!(ok);
    let out = lossy(&out);
    assert!(
        out.lines().any(|l| l.starts_with("note:")
            && l.ends_with(" ignoring code in RVENV_TRUSTED_DIRS: only absolute paths count")),
        "{out}"
    );
    // A trusted directory spelled with `..` and a symlink still counts, by
    // its real path.
    symlink(fx.path("code"), fx.path("link")).unwrap();
    let spelled = format!("{}/x/../link", fx.root.display());
    fx.dir("x");
    let st = status_json(
        &fx,
        &fx.path("code/p"),
        &[("RVENV_TRUSTED_DIRS", OsStr::new(&spelled))],
    );
    assert_eq!(st["trust"], "trusted_dir", "{st}");
}

// ---------------------------------------------------------------------------
// 2. Only a path no one else controls goes on PATH

fn another_users_symlink_is_not_followed(sh: Shell) {
    let Some(mallory) = other_user("rvt-mallory", None) else {
        return;
    };
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    let code = fx.dir("code");
    let proj = fx.dir("code/proj");
    let venv = fx.venv("code/proj/.venv");
    // Mallory points a symlink in a /tmp-like directory at the victim's
    // trusted venv, to swap it for her own once it is on the PATH.
    mallory.sh(
        &tmp,
        &format!("mkdir bp && ln -s '{}' bp/.venv", venv.display()),
    );
    let bp = tmp.join("bp");
    let mut s = Session::start(sh, &fx, Opts::default().env("RVENV_TRUSTED_DIRS", &code));
    let orig = s.initial.path().to_vec();

    // The venv itself, reached by the victim's own path: on.
    s.run(&sh.cd(&proj));
    s.state()
        .assert_on(&bytes(&venv), b"proj", &orig, "own path");
    s.run(&sh.cd(&fx.root));

    let step = s.run(&sh.cd(&bp));
    step.assert_prompt(PROMPT.as_bytes(), "mallory's symlink");
    let lines = lines_with(&step.output, "rvenv:");
    assert_eq!(lines.len(), 1, "{sh:?}: {:?}", lossy(&step.output));
    let want = format!(
        "rvenv: not activating {}: {} is a directory owned by another user (uid {})",
        bp.join(".venv").display(),
        bp.display(),
        mallory.uid
    );
    assert!(lines[0].starts_with(&want), "{sh:?}: {:?}", lines[0]);
    s.state().assert_off(&orig, "mallory's symlink");

    // The swap: her own venv behind the same name. Still nothing on PATH,
    // at this prompt or after coming back.
    mallory.sh(&tmp, "mkdir mv");
    hostile_venv(&tmp.join("mv"), &fx.root);
    Command::new("chown")
        .args(["-R", &mallory.uid.to_string()])
        .arg(tmp.join("mv"))
        .status()
        .unwrap();
    mallory.sh(
        &tmp,
        "ln -sfn \"$PWD/mv\" bp/.venv.new && mv -T bp/.venv.new bp/.venv",
    );
    for line in [String::new(), sh.cd(&fx.root), sh.cd(&bp)] {
        let step = s.run(&line);
        step.assert_prompt(PROMPT.as_bytes(), &format!("swapped, {line:?}"));
        s.state().assert_off(&orig, &format!("swapped, {line:?}"));
    }
    s.run("ls >/dev/null; git --version >/dev/null 2>&1; python -c 1 2>/dev/null");
    assert_no_marker(&fx, &format!("{sh:?}: swapped"));

    // A symlink of the victim's own, in a directory of theirs, pointing
    // into Mallory's directory: her directory is on the real path.
    mallory.sh(&tmp, "mkdir -p theirs && chmod 755 theirs");
    fx.dir("code/link");
    fs::rename(tmp.join("mv"), tmp.join("theirs/mv")).unwrap();
    symlink(tmp.join("theirs/mv"), fx.path("code/link/.venv")).unwrap();
    let step = s.run(&sh.cd(&fx.path("code/link")));
    step.assert_prompt(PROMPT.as_bytes(), "symlink into mallory's dir");
    let lines = lines_with(&step.output, "rvenv:");
    assert_eq!(lines.len(), 1, "{sh:?}: {:?}", lossy(&step.output));
    assert!(
        lines[0].contains(&format!("owned by another user (uid {})", mallory.uid)),
        "{sh:?}: {:?}",
        lines[0]
    );
    s.state().assert_off(&orig, "symlink into mallory's dir");

    // `rvenv create` does not build where her symlink points either.
    mallory.sh(
        &tmp,
        "mkdir bp2 mdir && mkdir mdir/env && chmod 777 mdir/env && \
         ln -s \"$PWD/mdir/env\" bp2/.venv",
    );
    s.run(&sh.cd(&tmp.join("bp2")));
    let step = s.run("rvenv create");
    let lines = lines_with(&step.output, "rvenv:");
    assert_eq!(lines.len(), 1, "{sh:?}: {:?}", lossy(&step.output));
    assert!(
        lines[0].starts_with(&format!(
            "rvenv: refusing to create {}: {} is a directory owned by another user",
            tmp.join("bp2/.venv").display(),
            tmp.join("bp2").display()
        )),
        "{sh:?}: {:?}",
        lines[0]
    );
    assert_eq!(
        fs::read_dir(tmp.join("mdir/env")).unwrap().count(),
        0,
        "{sh:?}: built in mallory's directory"
    );
    assert_eq!(
        fs::read_dir(tmp.join("mdir")).unwrap().count(),
        1,
        "{sh:?}: staged in mallory's directory"
    );
    s.state().assert_off(&orig, "create refused");

    // Right in the sticky directory: the symlink is hers, so it is refused
    // even though the directory holding it is root's.
    mallory.sh(&tmp, &format!("ln -s '{}' .venv", venv.display()));
    // (From the root: the hook looks for new markers below what it knows.)
    s.run(&sh.cd(&fx.root));
    let step = s.run(&sh.cd(&tmp));
    step.assert_prompt(PROMPT.as_bytes(), "symlink in the sticky dir");
    let lines = lines_with(&step.output, "rvenv:");
    assert_eq!(lines.len(), 1, "{sh:?}: {:?}", lossy(&step.output));
    let link = tmp.join(".venv");
    assert!(
        lines[0].starts_with(&format!(
            "rvenv: not activating {}: {} is a symlink owned by another user (uid {})",
            link.display(),
            link.display(),
            mallory.uid
        )),
        "{sh:?}: {:?}",
        lines[0]
    );
    s.state().assert_off(&orig, "symlink in the sticky dir");
}

// ---------------------------------------------------------------------------
// 3. Permission checks see every writer

fn setfacl(args: &[&str], path: &Path) {
    let out = Command::new("setfacl")
        .args(args)
        .arg(path)
        .output()
        .expect("setfacl (apt-get install acl)");
    assert!(out.status.success(), "setfacl: {}", lossy(&out.stderr));
}

fn writers_the_mode_bits_hide(sh: Shell) {
    if common::which("setfacl").is_none() {
        common::skip("setfacl is not installed (apt-get install -y acl)");
        return;
    }
    let fx = Fixture::new();
    let code = fx.dir("code");
    // Ids no account of the tests has: ACL entries take numbers.
    let (uid, gid) = (4244, 4245);
    let project = |name: &str| {
        let dir = fx.dir(format!("code/{name}"));
        (dir, fx.venv(format!("code/{name}/.venv")))
    };
    let (aclbin, aclbin_venv) = project("aclbin");
    setfacl(&["-m", &format!("u:{uid}:rwx")], &aclbin_venv.join("bin"));
    let (aclcfg, aclcfg_venv) = project("aclcfg");
    setfacl(
        &["-m", &format!("u:{uid}:rw")],
        &aclcfg_venv.join("pyvenv.cfg"),
    );
    let (acldir, acldir_venv) = project("acldir");
    setfacl(&["-m", &format!("g:{gid}:rwx")], &acldir_venv);
    let (wwdir, wwdir_venv) = project("wwdir");
    chmod(&wwdir_venv, 0o777);
    let (aclproj, aclproj_venv) = project("aclproj");
    setfacl(&["-m", &format!("u:{uid}:rwx")], &aclproj);
    // The mask takes write away from the named user: fine.
    let (masked, masked_venv) = project("masked");
    setfacl(
        &["-m", &format!("u:{uid}:rwx,m::r-x")],
        &masked_venv.join("bin"),
    );
    let mut s = Session::start(sh, &fx, Opts::default().env("RVENV_TRUSTED_DIRS", &code));
    let orig = s.initial.path().to_vec();

    let aclproj_why = format!(
        "{} is writable by user {uid} through an ACL",
        aclproj.display()
    );
    for (dir, venv, why) in [
        (
            &aclbin,
            &aclbin_venv,
            format!("its bin is writable by user {uid} through an ACL"),
        ),
        (
            &aclcfg,
            &aclcfg_venv,
            format!("its pyvenv.cfg is writable by user {uid} through an ACL"),
        ),
        (
            &acldir,
            &acldir_venv,
            format!("its directory is writable by group {gid} through an ACL"),
        ),
        (
            &wwdir,
            &wwdir_venv,
            "its directory is world-writable".to_owned(),
        ),
        (&aclproj, &aclproj_venv, aclproj_why),
    ] {
        let ctx = format!("{sh:?}: {why}");
        let step = s.run(&sh.cd(dir));
        step.assert_prompt(PROMPT.as_bytes(), &ctx);
        let lines = lines_with(&step.output, "rvenv:");
        assert_eq!(lines.len(), 1, "{ctx}: {:?}", lossy(&step.output));
        let want = format!("rvenv: not activating {}: {why}", venv.display());
        assert!(lines[0].starts_with(&want), "{ctx}: {:?}", lines[0]);
        s.state().assert_off(&orig, &ctx);
        s.run(&sh.cd(&fx.root));
    }
    let step = s.run(&sh.cd(&masked));
    step.assert_prompt(&prompt_with(b"masked"), "masked ACL");
    s.state()
        .assert_on(&bytes(&masked_venv), b"masked", &orig, "masked ACL");
}

/// Two users made with `useradd -g rvt-team` share their primary group;
/// with umask 002 each can write into the other's venvs, so the group is
/// no one's private group.
#[test]
fn shared_primary_group_is_not_private() {
    let Some(alice) = other_user("rvt-team-alice", Some("rvt-team")) else {
        return;
    };
    let Some(bob) = other_user("rvt-team-bob", Some("rvt-team")) else {
        return;
    };
    assert_eq!(alice.gid, bob.gid);
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    alice.sh(
        &tmp,
        "umask 002 && mkdir -p home a/proj/.venv/bin && \
         printf 'home = /usr/bin\\n' >a/proj/.venv/pyvenv.cfg && \
         ln -s /usr/bin/python3 a/proj/.venv/bin/python",
    );
    // The attack works: Bob writes into Alice's venv.
    bob.sh(&tmp, "printf '#!/bin/sh\\n' >a/proj/.venv/bin/ls");
    let proj = tmp.join("a/proj");
    let status = |ctx: &str| -> Value {
        let out = alice
            .command(
                &proj,
                &[
                    rvenv_bin().as_os_str(),
                    OsStr::new("status"),
                    OsStr::new("--json"),
                ],
            )
            .env("HOME", tmp.join("home"))
            .env("RVENV_TRUSTED_DIRS", tmp.join("a"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{ctx}: {}", lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let st = status("group-writable");
    assert_eq!(st["trusted"], true, "{st}");
    assert_eq!(st["broken"], Value::Null, "{st}");
    assert_eq!(st["would_activate"], false, "{st}");
    let why = st["unsafe_permissions"].as_str().unwrap_or_default();
    assert!(
        why.contains(&format!(
            "is writable by group {} (not your private group)",
            alice.gid
        )),
        "{st}"
    );
    // The hook's own answer: no activation.
    let out = alice
        .command(
            &proj,
            &std::iter::once(rvenv_bin().as_os_str().to_os_string())
                .chain(common::hook_argv("bash", proj.as_os_str(), &[]))
                .collect::<Vec<_>>()
                .iter()
                .map(|a| a.as_os_str())
                .collect::<Vec<_>>(),
        )
        .env("HOME", tmp.join("home"))
        .env("RVENV_TRUSTED_DIRS", tmp.join("a"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    assert_eq!(
        count(&out.stdout, b"VIRTUAL_ENV="),
        0,
        "{}",
        lossy(&out.stdout)
    );
    assert!(
        lossy(&out.stderr).contains("not your private group"),
        "{}",
        lossy(&out.stderr)
    );
    // Once no one else can write it, it activates.
    alice.sh(&tmp, "rm a/proj/.venv/bin/ls && chmod -R g-w a");
    let st = status("group write removed");
    assert_eq!(st["would_activate"], true, "{st}");
}

// ---------------------------------------------------------------------------
// 8. The trust store keeps what it was told

fn store_keeps_entries_of_a_missing_disk(sh: Shell) {
    let fx = Fixture::new();
    let data = fx.dir("data");
    let env = [("XDG_DATA_HOME", data.as_os_str())];
    let proj = fx.dir("disk/proj");
    let venv = fx.venv("disk/proj/.venv");
    let other = fx.dir("other");
    fx.venv("other/.venv");
    let allow = |dir: &Path| {
        let (ok, _, err) = rvenv(&fx, &[OsStr::new("allow"), dir.as_os_str()], &env);
        assert!(ok, "allow {dir:?}: {}", lossy(&err));
    };
    allow(&proj);
    // The disk is away (unmounted) while another venv is allowed.
    fs::rename(fx.path("disk"), fx.path("disk.away")).unwrap();
    allow(&other);
    fs::rename(fx.path("disk.away"), fx.path("disk")).unwrap();
    let mut s = Session::start(sh, &fx, untrusted().env("XDG_DATA_HOME", &data));
    let orig = s.initial.path().to_vec();
    let step = s.run(&sh.cd(&proj));
    step.assert_prompt(&prompt_with(b"proj"), "disk back");
    assert_eq!(count(&step.output, b"not trusted"), 0);
    s.state()
        .assert_on(&bytes(&venv), b"proj", &orig, "disk back");
    // A path proven to hold another directory now is dropped.
    s.run(&sh.cd(&fx.root));
    fs::rename(&venv, fx.path("old-venv")).unwrap();
    fs::create_dir(&venv).unwrap();
    allow(&other);
    let store = fs::read(data.join("rvenv/trusted")).unwrap();
    assert_eq!(count(&store, b"allow "), 1, "{}", lossy(&store));
}

fn store_fifo_does_not_hang(sh: Shell) {
    let fx = Fixture::new();
    let data = fx.dir("data");
    let proj = fx.dir("proj");
    fx.venv("proj/.venv");
    let store_dir = fx.dir("data/rvenv");
    chmod(&store_dir, 0o700);
    let store = store_dir.join("trusted");
    let made = Command::new("mkfifo").arg(&store).status().unwrap();
    assert!(made.success());
    let mut s = Session::start(sh, &fx, untrusted().env("XDG_DATA_HOME", &data));
    let orig = s.initial.path().to_vec();
    let step = s.run(&sh.cd(&proj));
    step.assert_prompt(PROMPT.as_bytes(), "FIFO store");
    let lines = lines_with(&step.output, "rvenv:");
    assert_eq!(lines.len(), 1, "{sh:?}: {:?}", lossy(&step.output));
    assert!(
        lines[0].starts_with(&format!(
            "rvenv: refusing the trust store {}: it is a FIFO",
            store.display()
        )),
        "{sh:?}: {:?}",
        lines[0]
    );
    s.state().assert_off(&orig, "FIFO store");
    let st = s.state_after("rvenv allow");
    // elvish has no $?: the failure is an exception.
    if sh != Shell::Elvish {
        assert_eq!(st.status, "1", "{sh:?}: allow with a FIFO store");
    }
    st.assert_off(&orig, "allow refused");
    assert!(
        fs::symlink_metadata(&store).unwrap().file_type().is_fifo(),
        "{sh:?}: the FIFO was replaced"
    );
}

#[test]
fn store_files_are_never_followed() {
    let fx = Fixture::new();
    let data = fx.dir("data");
    let env = [("XDG_DATA_HOME", data.as_os_str())];
    let proj = fx.dir("proj");
    fx.venv("proj/.venv");
    let allow = |ctx: &str| -> (bool, String) {
        let (ok, out, err) = rvenv(&fx, &[OsStr::new("allow"), proj.as_os_str()], &env);
        assert!(out.is_empty(), "{ctx}: stdout");
        (ok, lossy(&err))
    };
    let (ok, err) = allow("first");
    assert!(ok, "{err}");
    let store_dir = data.join("rvenv");
    assert_eq!(
        store_dir.metadata().unwrap().mode() & 0o777,
        0o700,
        "the store's directory is private"
    );
    let precious = fx.path("precious");
    fs::write(&precious, "precious\n").unwrap();
    let one_line = |err: &str, ctx: &str| {
        assert_eq!(err.lines().count(), 1, "{ctx}: {err:?}");
    };

    // The lock, the store: a symlink in their place is refused and what it
    // points at is neither written nor truncated.
    for name in ["trusted.lock", "trusted"] {
        let path = store_dir.join(name);
        let _ = fs::remove_file(&path);
        symlink(&precious, &path).unwrap();
        let (ok, err) = allow(name);
        assert!(!ok, "{name}: allowed through a symlink");
        one_line(&err, name);
        assert!(err.contains("it is a symlink"), "{name}: {err:?}");
        assert_eq!(fs::read(&precious).unwrap(), b"precious\n", "{name}");
        fs::remove_file(&path).unwrap();
    }
    // A directory in the store's place.
    fs::create_dir(store_dir.join("trusted")).unwrap();
    let (ok, err) = allow("directory");
    assert!(!ok);
    one_line(&err, "directory");
    assert!(err.contains("it is a directory"), "{err:?}");
    let st = status_json(&fx, &proj, &env);
    assert_eq!(st["trust"], "store_corrupt", "{st}");
    fs::remove_dir(store_dir.join("trusted")).unwrap();

    // The store's directory a symlink to another one whose store trusts
    // the venv: refused, so the venv is not trusted.
    let (ok, err) = allow("again");
    assert!(ok, "{err}");
    fs::rename(&store_dir, fx.path("elsewhere")).unwrap();
    symlink(fx.path("elsewhere"), &store_dir).unwrap();
    let st = status_json(&fx, &proj, &env);
    assert_eq!(st["trusted"], false, "{st}");
    assert!(
        st["trust_detail"]
            .as_str()
            .unwrap()
            .contains("is a symlink"),
        "{st}"
    );
    let (ok, err) = allow("dir symlink");
    assert!(!ok);
    one_line(&err, "dir symlink");
    fs::remove_file(&store_dir).unwrap();
    fs::rename(fx.path("elsewhere"), &store_dir).unwrap();

    // Another user's store directory, or one others can write.
    if let Some(mallory) = other_user("rvt-mallory", None) {
        std::os::unix::fs::chown(&store_dir, Some(mallory.uid), None).unwrap();
        let st = status_json(&fx, &proj, &env);
        assert_eq!(st["trusted"], false, "{st}");
        let (ok, err) = allow("mallory's dir");
        assert!(!ok && err.contains("owned by another user"), "{err:?}");
        std::os::unix::fs::chown(&store_dir, Some(0), None).unwrap();
    }
    chmod(&store_dir, 0o777);
    let st = status_json(&fx, &proj, &env);
    assert_eq!(st["trusted"], false, "{st}");
    chmod(&store_dir, 0o700);
    let st = status_json(&fx, &proj, &env);
    assert_eq!(st["trust"], "allowed", "{st}");
}

#[test]
fn relative_xdg_data_home_and_home() {
    let fx = Fixture::new();
    let proj = fx.dir("proj");
    fx.venv("proj/.venv");
    // XDG_DATA_HOME relative: ignored, one line, the default used (made
    // 0700 as the XDG spec asks).
    let (ok, out, err) = rvenv(
        &fx,
        &[OsStr::new("allow"), proj.as_os_str()],
        &[("XDG_DATA_HOME", OsStr::new("rel"))],
    );
    assert!(ok, "{}", lossy(&err));
    assert!(out.is_empty());
    let err = lossy(&err);
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("ignoring XDG_DATA_HOME (rel)"))
            .count(),
        1,
        "{err:?}"
    );
    assert!(!fx.path("rel").exists(), "a store under ./rel");
    let default = fx.home.join(".local/share/rvenv/trusted");
    assert!(default.is_file(), "{err:?}");
    assert_eq!(
        fx.home.join(".local/share").metadata().unwrap().mode() & 0o777,
        0o700
    );

    // HOME relative: no store at all; allow and create say why.
    let rel_home = [("HOME", OsStr::new("relhome"))];
    let (ok, _, err) = rvenv(&fx, &[OsStr::new("allow"), proj.as_os_str()], &rel_home);
    assert!(!ok);
    let err = lossy(&err);
    assert!(
        err.starts_with("rvenv: HOME (relhome) is not an absolute path"),
        "{err:?}"
    );
    // (The interpreter facts cache is create's own business: kept away.)
    let cache = fx.path("cache");
    let (ok, _, err) = rvenv(
        &fx,
        &[OsStr::new("create"), fx.path("made").as_os_str()],
        &[rel_home[0], ("RVENV_CACHE_DIR", cache.as_os_str())],
    );
    assert!(ok, "{}", lossy(&err));
    assert!(
        lossy(&err).contains("HOME (relhome) is not an absolute path"),
        "{}",
        lossy(&err)
    );
    assert!(!fx.path("relhome").exists(), "a store under ./relhome");
    let st = status_json(&fx, &fx.path("made"), &rel_home);
    assert_eq!(st["trusted"], false, "{st}");
    assert!(
        st["trust_detail"].as_str().unwrap().contains("HOME"),
        "{st}"
    );
}

//! bash reads rvenv's answer at a crossing from a file of a private
//! directory in memory instead of capturing it with `$(...)` (issue 17:
//! less work for bash). The file is used, its directory is this user's
//! alone, and a place that is not (another user's, a symlink, one gone
//! since the hook loaded) is never used: the hook captures the answer as
//! before, and nothing is lost.

mod common;
use common::Drive;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use common::{Fixture, Opts, Session, Shell, bytes, lossy, other_user, run_cmd, rvenv_bin, skip};

/// The first line `rvenv hook bash` prints, with `env`.
fn answers_line(fx: &Fixture, env: &[(&str, &std::ffi::OsStr)]) -> String {
    let (ok, out, err) = run_cmd(
        fx,
        &[rvenv_bin().as_os_str(), "hook".as_ref(), "bash".as_ref()],
        env,
    );
    assert!(ok, "rvenv hook bash: {}", lossy(&err));
    first_line(&out)
}

/// The line naming the answers' file comes first in what the hook prints.
fn first_line(out: &[u8]) -> String {
    lossy(out.split(|&b| b == b'\n').next().unwrap())
}

fn private_dir(fx: &Fixture, rel: &str) -> PathBuf {
    let dir = fx.dir(rel);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

#[test]
fn xdg_runtime_dir_is_used_only_when_private() {
    let fx = Fixture::new();
    let runtime = private_dir(&fx, "run");
    let line = answers_line(&fx, &[("XDG_RUNTIME_DIR", runtime.as_os_str())]);
    assert!(
        line.starts_with(&format!("__rvenv_answer='{}/rvenv/a.", runtime.display())),
        "{line}"
    );
    let meta = fs::symlink_metadata(runtime.join("rvenv")).unwrap();
    assert!(meta.is_dir());
    assert_eq!(meta.mode() & 0o777, 0o700);
    // Each hook its own file, made new (0600): two shells never share one,
    // even where pids repeat (another pid namespace sharing /dev/shm).
    let file = |line: &str| PathBuf::from(line.split('\'').nth(1).unwrap());
    let second = answers_line(&fx, &[("XDG_RUNTIME_DIR", runtime.as_os_str())]);
    assert_ne!(file(&line), file(&second));
    let meta = fs::symlink_metadata(file(&second)).unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.mode() & 0o777, 0o600);
    // A file not written for a day goes when a hook loads; others stay.
    let stale = runtime.join("rvenv/a.stale");
    fs::write(&stale, "").unwrap();
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86400);
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    answers_line(&fx, &[("XDG_RUNTIME_DIR", runtime.as_os_str())]);
    assert!(!stale.exists());
    assert!(file(&line).exists() && file(&second).exists());
    // Readable by others: not the login's private directory; the next
    // place (/dev/shm), never a directory below this one.
    let open = fx.dir("open");
    let line = answers_line(&fx, &[("XDG_RUNTIME_DIR", open.as_os_str())]);
    assert!(!line.contains(&*open.to_string_lossy()), "{line}");
    assert!(!open.join("rvenv").exists());
    // A relative one is no place either.
    let line = answers_line(&fx, &[("XDG_RUNTIME_DIR", "run".as_ref())]);
    assert!(!line.contains("run/rvenv"), "{line}");
    // Under a umask of 0277 the directory rvenv makes is one its owner
    // cannot write (0500): not used either.
    let strict = private_dir(&fx, "strict");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 277 && exec \"$0\" hook bash")
        .arg(rvenv_bin())
        .env("XDG_RUNTIME_DIR", &strict)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let line = first_line(&out.stdout);
    assert!(!line.contains(&*strict.to_string_lossy()), "{line}");
}

/// Through a pty: the crossing's answer is the file of this shell's pid;
/// with its directory gone, or replaced by a symlink, answers are captured
/// and the venv still goes on and off, nothing written through the link.
#[test]
fn bash_sources_answers_from_its_private_file() {
    if !Shell::Bash.available() {
        return;
    }
    let fx = Fixture::new();
    let runtime = private_dir(&fx, "run");
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(
        Shell::Bash,
        &fx,
        Opts::default().env("XDG_RUNTIME_DIR", runtime.as_os_str()),
    );
    let orig = s.initial.path().to_vec();
    let dir = runtime.join("rvenv");
    s.run(&Shell::Bash.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    // Beside it, the stamp of the venv that went on (see venv_stamp_is_private).
    let files: Vec<_> = names.iter().filter(|n| !n.starts_with("v.")).collect();
    assert_eq!(files.len(), 1, "{names:?}");
    assert!(files[0].starts_with("a."), "{names:?}");
    assert_eq!(names.len(), 2, "{names:?}");
    let answer = fs::read_to_string(dir.join(files[0])).unwrap();
    assert!(answer.contains("__rvenv_activate "), "{answer}");
    s.run(&Shell::Bash.cd(&fx.root));
    s.state().assert_off(&orig, "left");
    assert!(
        fs::read_to_string(dir.join(files[0]))
            .unwrap()
            .contains("__rvenv_deactivate")
    );

    // Gone (a tmp cleaner took it): captured, nothing lost.
    fs::remove_dir_all(&dir).unwrap();
    s.run(&Shell::Bash.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered, no directory");
    s.run(&Shell::Bash.cd(&fx.root));
    s.state().assert_off(&orig, "left, no directory");
    // rvenv made it again, private, for the venv's stamp (see
    // venv_stamp_is_private): the answers may come from it again.
    let meta = fs::symlink_metadata(&dir).unwrap();
    assert!(meta.is_dir() && meta.mode() & 0o777 == 0o700);
    fs::remove_dir_all(&dir).unwrap();

    // A symlink in its place, even to a directory of this user's: never
    // followed.
    let elsewhere = private_dir(&fx, "elsewhere");
    std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
    s.run(&Shell::Bash.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered, a symlink");
    s.run(&Shell::Bash.cd(&fx.root));
    s.state().assert_off(&orig, "left, a symlink");
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// The stamp rvenv writes for the venv it judged (the hook compares its
/// pyvenv.cfg with it at each prompt) lies in the private directory the
/// hook's loading made, mode 0600, in every shell (zsh here), and moves
/// just ahead of the pyvenv.cfg rvenv judged; with that directory gone
/// (a reboot empties $XDG_RUNTIME_DIR, a hook saved to a file is not
/// loaded again), the next answer makes it again.
#[test]
fn venv_stamp_is_private() {
    if !Shell::Zsh.available() {
        return;
    }
    let fx = Fixture::new();
    let runtime = private_dir(&fx, "run");
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(
        Shell::Zsh,
        &fx,
        Opts::default().env("XDG_RUNTIME_DIR", runtime.as_os_str()),
    );
    let orig = s.initial.path().to_vec();
    let dir = runtime.join("rvenv");
    s.run(&Shell::Zsh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
    let stamps: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("v."))
        .collect();
    assert_eq!(stamps.len(), 1);
    let meta = fs::symlink_metadata(stamps[0].path()).unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.mode() & 0o777, 0o600);
    let cfg = fs::metadata(venv.join("pyvenv.cfg")).unwrap();
    assert!(meta.modified().unwrap() > cfg.modified().unwrap());
    s.run(&Shell::Zsh.cd(&fx.root));
    fs::remove_dir_all(&dir).unwrap();
    s.run(&Shell::Zsh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered, no directory");
    let meta = fs::symlink_metadata(&dir).unwrap();
    assert!(meta.is_dir() && meta.mode() & 0o777 == 0o700);
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "the stamp again");
}

/// A directory another user made in /dev/shm in this user's name (mode
/// 0777, or a symlink to theirs) is never used: they could rewrite an
/// answer between rvenv writing it and bash reading it.
#[test]
fn another_users_directory_in_dev_shm_is_never_used() {
    let Some(mallory) = other_user("rvt-mallory", None) else {
        return;
    };
    let Some(victim) = other_user("rvt-answers", None) else {
        return;
    };
    if !Path::new("/dev/shm").is_dir() {
        skip("no /dev/shm here");
        return;
    }
    let fx = Fixture::new();
    let shm = PathBuf::from(format!("/dev/shm/rvenv-{}", victim.uid));
    let hook_as_victim = || {
        let out = victim
            .command(
                Path::new("/"),
                &[rvenv_bin().as_os_str(), "hook".as_ref(), "bash".as_ref()],
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", lossy(&out.stderr));
        first_line(&out.stdout)
    };
    let _ = fs::remove_dir_all(&shm);
    let _ = fs::remove_file(&shm);
    mallory.sh(Path::new("/"), &format!("mkdir -m 777 '{}'", shm.display()));
    assert_eq!(
        hook_as_victim(),
        "__rvenv_answer=''",
        "mallory's 0777 directory"
    );
    fs::remove_dir(&shm).unwrap();
    let theirs = fx.shared_tmp().join("theirs");
    mallory.sh(
        Path::new("/"),
        &format!(
            "mkdir -m 700 '{0}' && ln -s '{0}' '{1}'",
            theirs.display(),
            shm.display()
        ),
    );
    assert_eq!(hook_as_victim(), "__rvenv_answer=''", "mallory's symlink");
    fs::remove_file(&shm).unwrap();
    // Free: the victim's own, made private.
    let line = hook_as_victim();
    assert!(
        line.starts_with(&format!("__rvenv_answer='{}/a.", shm.display())),
        "{line}"
    );
    let meta = fs::symlink_metadata(&shm).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (victim.uid, 0o700));
    fs::remove_dir_all(&shm).unwrap();
}

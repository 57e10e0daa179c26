//! The everyday commands, end to end through the real binary: status,
//! run, watch, completions, help and errors.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn rvenv() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvenv"));
    cmd.env_remove("VIRTUAL_ENV")
        .env_remove("RVENV_TRUSTED_DIRS")
        .env_remove("RVENV_SOURCES")
        .env_remove("RVENV_VENV_NAMES")
        .env_remove("__RVENV_HOOK_VENV")
        .env_remove("__RVENV_SHELL");
    cmd
}

/// A real base interpreter: pyenv's 3.12 when present, else python3.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        let pyenv = home.join(".pyenv/versions/3.12.1/bin/python3.12");
        if pyenv.exists() {
            return pyenv;
        }
        which::which("python3").expect("python3 is needed for these tests")
    })
}

/// A real venv, made by CPython's own venv module.
fn real_venv(path: &Path) {
    let status = Command::new(python())
        .args(["-m", "venv", "--without-pip"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// rvenv with its data dir (trust store) inside the test's tempdir.
    fn rvenv(&self) -> Command {
        let mut cmd = rvenv();
        cmd.env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CACHE_HOME", self.path("cache"));
        cmd
    }

    fn status(&self, dir: &Path, extra: &[(&str, &OsStr)]) -> serde_json::Value {
        let mut cmd = self.rvenv();
        cmd.arg("status").arg(dir).arg("--json");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `rvenv status` computes with the hook's decision: for each case, it says
/// the venv auto-activates exactly when the hook activates it on arriving
/// there, and `hook_says` holds the lines the hook prints then.
#[test]
fn status_says_what_the_hook_does() {
    let env = Env::new();
    let trusted = env.path("trusted");
    let untrusted = env.path("untrusted");
    let colon = env.path("trusted/co:lon");
    let open = env.path("trusted/open");
    for project in [&trusted, &untrusted, &open] {
        real_venv(&project.join(".venv"));
    }
    // python -m venv refuses a path with `:`: made elsewhere, moved there.
    real_venv(&env.path("staged"));
    fs::create_dir_all(&colon).unwrap();
    fs::rename(env.path("staged"), colon.join(".venv")).unwrap();
    fs::set_permissions(open.join(".venv/bin"), fs::Permissions::from_mode(0o777)).unwrap();
    let dirs = env.path("trusted").into_os_string();
    let extra = [("RVENV_TRUSTED_DIRS", dirs.as_os_str())];
    for (project, activates) in [
        (&trusted, true),
        (&untrusted, false),
        (&colon, false),
        (&open, false),
    ] {
        let st = env.status(project, &extra);
        let hook = env
            .rvenv()
            .env("RVENV_TRUSTED_DIRS", &dirs)
            .args(common::hook_argv("bash", project.as_os_str(), &[]))
            .output()
            .unwrap();
        assert!(hook.status.success(), "{}", stderr(&hook));
        let answer = String::from_utf8_lossy(&hook.stdout);
        let ctx = project.display();
        assert_eq!(
            answer.contains("__rvenv_activate "),
            activates,
            "{ctx}: the hook: {answer}"
        );
        assert_eq!(st["would_activate"], activates, "{ctx}: {st}");
        let said: Vec<String> = stderr(&hook).lines().map(str::to_owned).collect();
        assert_eq!(st["hook_says"], serde_json::json!(said), "{ctx}");
        assert!(!said.is_empty(), "{ctx}: the hook says why, or what it did");
    }
}

#[test]
fn status_json_for_each_state() {
    let env = Env::new();
    let none = env.path("nothing");
    fs::create_dir_all(&none).unwrap();
    let s = env.status(&none, &[]);
    assert_eq!(s["venv"], serde_json::Value::Null);
    assert_eq!(s["would_activate"], false);
    assert_eq!(s["sources"][0], "dir");

    let shop = env.path("shop");
    let venv = shop.join(".venv");
    real_venv(&venv);
    fs::create_dir_all(shop.join("src")).unwrap();
    let s = env.status(&shop.join("src"), &[]);
    assert_eq!(s["venv"], venv.to_str().unwrap());
    assert_eq!(s["project"], shop.to_str().unwrap());
    assert_eq!(s["source"], "dir");
    assert_eq!(s["prompt"], "shop");
    assert_eq!(s["broken"], serde_json::Value::Null);
    assert!(s["python_version"].as_str().unwrap().starts_with("3."));
    assert_eq!(s["trusted"], false);
    assert_eq!(s["trust"], "not_allowed");
    assert_eq!(s["would_activate"], false);

    // Trusted through RVENV_TRUSTED_DIRS, then through rvenv allow.
    let s = env.status(&shop, &[("RVENV_TRUSTED_DIRS", env.tmp.path().as_os_str())]);
    assert_eq!(s["trust"], "trusted_dir");
    assert_eq!(s["would_activate"], true);
    let out = env.rvenv().arg("allow").arg(&shop).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let s = env.status(&shop, &[]);
    assert_eq!(s["trust"], "allowed");
    assert_eq!(s["would_activate"], true);

    // Active in this shell: by rvenv's hook, or by hand.
    let ve = venv.as_os_str();
    let s = env.status(&shop, &[("VIRTUAL_ENV", ve), ("__RVENV_HOOK_VENV", ve)]);
    assert_eq!(s["active"]["activated_by"], "rvenv");
    assert_eq!(s["active"]["is_this_venv"], true);
    let s = env.status(
        &shop,
        &[("VIRTUAL_ENV", ve), ("__RVENV_HOOK_VENV", OsStr::new(""))],
    );
    assert_eq!(s["active"]["activated_by"], "hand");

    // Unsafe permissions.
    fs::set_permissions(venv.join("bin"), fs::Permissions::from_mode(0o777)).unwrap();
    let s = env.status(&shop, &[]);
    assert!(
        s["unsafe_permissions"]
            .as_str()
            .unwrap()
            .contains("world-writable")
    );
    assert_eq!(s["would_activate"], false);
    fs::set_permissions(venv.join("bin"), fs::Permissions::from_mode(0o755)).unwrap();

    // Broken: the base interpreter is gone.
    fs::remove_file(venv.join("bin/python")).unwrap();
    symlink("/nonexistent/python3.99", venv.join("bin/python")).unwrap();
    let s = env.status(&shop, &[]);
    assert!(s["broken"].as_str().unwrap().contains("is gone"), "{s}");
    assert_eq!(s["would_activate"], false);

    // Denied.
    let out = env.rvenv().arg("deny").arg(&shop).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.status(&shop, &[])["trust"], "not_allowed");

    // Human form names the same facts.
    let out = env.rvenv().arg("status").arg(&shop).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("broken") && text.contains("rvenv allow"),
        "{text}"
    );
}

/// `rvenv create` reads its options as `python -m venv` (argparse) does: a
/// long option cut to a unique prefix, the last of one given twice; an
/// ambiguous prefix is an error naming the argument.
#[test]
fn create_reads_options_as_python_m_venv() {
    let env = Env::new();
    let v = env.path("v");
    let out = env
        .rvenv()
        .args([
            "create",
            "--without-p",
            "--system-site",
            "--prompt",
            "a",
            "--prompt",
            "b",
            "-p",
        ])
        .arg(python())
        .arg(&v)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let cfg = fs::read_to_string(v.join("pyvenv.cfg")).unwrap();
    assert!(cfg.contains("include-system-site-packages = true"), "{cfg}");
    assert!(cfg.contains("prompt = 'b'"), "{cfg}");
    assert!(!v.join("bin/pip").exists());
    let out = env
        .rvenv()
        .args(["create", "--s"])
        .arg(env.path("w"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("--s"), "{}", stderr(&out));
}

#[test]
fn status_of_a_missing_dir_is_an_error_with_empty_stdout() {
    let out = rvenv()
        .args(["status", "/nonexistent/dir"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn run_uses_the_venv_and_passes_the_exit_code() {
    let env = Env::new();
    let shop = env.path("shop");
    let venv = shop.join(".venv");
    real_venv(&venv);
    let script = "import os, sys; print(sys.prefix); print(os.environ['VIRTUAL_ENV']); \
                  print(os.environ['PATH'].split(':')[0]); print(os.environ.get('PYTHONHOME'))";
    // Run uses the venv only when the hook would activate it.
    let trusted = [("RVENV_TRUSTED_DIRS", env.tmp.path())];
    let out = env
        .rvenv()
        .current_dir(&shop)
        .envs(trusted)
        .env("PYTHONHOME", "/bogus")
        .env("PATH", "/usr/bin:/bin")
        .args(["run", "--", "python", "-c", script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let v = venv.to_str().unwrap();
    assert_eq!(lines, [v, v, &format!("{v}/bin"), "None"]);

    for code in [0, 3, 42] {
        let out = env
            .rvenv()
            .current_dir(&shop)
            .envs(trusted)
            .args(["run", "--", "sh", "-c", &format!("exit {code}")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code));
    }

    // --venv names the venv from elsewhere.
    let out = env
        .rvenv()
        .current_dir(env.tmp.path())
        .arg("run")
        .arg("--venv")
        .arg(&shop)
        .args(["--", "sh", "-c", "printf %s \"$VIRTUAL_ENV\""])
        .output()
        .unwrap();
    assert_eq!(out.stdout, v.as_bytes());

    // Without `--`, as `uv run`: the command's own options and a `--` of
    // its own reach it untouched.
    let out = env
        .rvenv()
        .current_dir(&shop)
        .envs(trusted)
        .args([
            "run",
            "python",
            "-c",
            "import sys; print(sys.argv[1:])",
            "-V",
            "--",
            "x",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "['-V', '--', 'x']\n");
    let out = env
        .rvenv()
        .current_dir(env.tmp.path())
        .arg("run")
        .arg("--venv")
        .arg(&shop)
        .args(["sh", "-c", "printf %s \"$VIRTUAL_ENV\""])
        .output()
        .unwrap();
    assert_eq!(out.stdout, v.as_bytes());

    // No venv, no command: one clear line, non-zero.
    let out = env
        .rvenv()
        .current_dir(env.tmp.path())
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no venv"), "{}", stderr(&out));
    let out = env
        .rvenv()
        .current_dir(&shop)
        .envs(trusted)
        .args(["run", "--", "no-such-command-xyz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
}

#[test]
fn run_forwards_signals() {
    let env = Env::new();
    let shop = env.path("shop");
    real_venv(&shop.join(".venv"));
    let mut child = env
        .rvenv()
        .current_dir(&shop)
        .env("RVENV_TRUSTED_DIRS", env.tmp.path())
        .args(["run", "--", "sleep", "30"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGTERM));
}

/// `rvenv run` execs the command: it runs as rvenv's own process (the pid
/// the test started), not as a child rvenv waits for.
#[test]
fn run_execs_the_command() {
    let env = Env::new();
    let shop = env.path("shop");
    real_venv(&shop.join(".venv"));
    let child = env
        .rvenv()
        .current_dir(&shop)
        .env("RVENV_TRUSTED_DIRS", env.tmp.path())
        .args(["run", "--", "sh", "-c", "echo $$; echo \"$PPID\""])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(pid.to_string().as_str()), "{text}");
    assert_eq!(
        lines.next(),
        Some(std::process::id().to_string().as_str()),
        "the command's parent is the test, not an rvenv in between: {text}"
    );
}

/// Reads JSON lines from `rvenv watch` until `want` holds or time runs out.
fn wait_for(
    lines: &std::sync::mpsc::Receiver<serde_json::Value>,
    what: &str,
    want: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(v) if want(&v) => return v,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("rvenv watch: no {what} event within 10 s");
}

#[test]
fn watch_reports_created_changed_removed_and_stops_on_sigint() {
    let env = Env::new();
    let root = env.path("tree");
    fs::create_dir_all(&root).unwrap();
    let mut child = env
        .rvenv()
        .arg("watch")
        .arg(&root)
        .arg("--json")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let v: serde_json::Value =
                serde_json::from_str(&line).expect("one JSON object per line");
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    wait_for(&rx, "ready", |v| v["event"] == "ready");

    let venv = root.join("a/b/.venv");
    real_venv(&venv);
    let v = venv.to_str().unwrap();
    wait_for(&rx, "created", |e| {
        e["event"] == "created" && e["venv"] == v
    });

    fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\nprompt = x\n").unwrap();
    wait_for(&rx, "changed", |e| {
        e["event"] == "changed" && e["venv"] == v
    });

    // Deleting the whole subtree: reported, and the watcher lives on.
    fs::remove_dir_all(root.join("a")).unwrap();
    wait_for(&rx, "removed", |e| {
        e["event"] == "removed" && e["venv"] == v
    });
    let again = root.join("c/venv");
    real_venv(&again);
    let a = again.to_str().unwrap();
    wait_for(&rx, "created again", |e| {
        e["event"] == "created" && e["venv"] == a
    });

    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "watch exits 0 on SIGINT: {status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "watch did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn shell_available(name: &str) -> bool {
    if common::which(name).is_some() {
        return true;
    }
    common::skip(&format!("{name} is not installed"));
    false
}

#[test]
fn completion_scripts_load_in_their_shells() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bin = Path::new(env!("CARGO_BIN_EXE_rvenv")).parent().unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let cases: [(&str, Vec<String>); 3] = [
        (
            "bash",
            vec![
                "--norc".into(),
                "-c".into(),
                format!("source {}/rvenv.bash && complete -p rvenv", dir.display()),
            ],
        ),
        (
            "zsh",
            vec![
                "-f".into(),
                "-c".into(),
                format!(
                    "autoload -Uz compinit && compinit -u -d $TMPDIR/zcd && source {}/_rvenv && \
                     (( $+functions[_rvenv] && $+functions[_rvenv_pythons] )) && print ok",
                    dir.display()
                ),
            ],
        ),
        (
            "fish",
            vec![
                "--no-config".into(),
                "-c".into(),
                format!(
                    "source {}/rvenv.fish; and complete -C 'rvenv cre'",
                    dir.display()
                ),
            ],
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (shell, args) in cases {
        if !shell_available(shell) {
            continue;
        }
        let out = Command::new(shell)
            .args(&args)
            .env("PATH", &path)
            .env("TMPDIR", tmp.path())
            .env("HOME", tmp.path())
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{shell}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        match shell {
            "bash" => assert!(stdout.contains("__rvenv_complete"), "{stdout}"),
            "fish" => assert!(stdout.contains("create"), "{stdout}"),
            _ => assert!(stdout.contains("ok")),
        }
    }
    // The dynamic part: create -p offers versions, from file names alone.
    let out = rvenv().arg("__pythons").output().unwrap();
    assert!(out.status.success());
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        assert!(line.starts_with("3."), "{line}");
    }
}

#[test]
fn bash_completes_create_python_versions() {
    if !shell_available("bash") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let versions = tmp.path().join("pyenv/versions");
    for v in ["3.9.18", "3.12.1", "3.13.0"] {
        fs::create_dir_all(versions.join(v)).unwrap();
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bin = Path::new(env!("CARGO_BIN_EXE_rvenv")).parent().unwrap();
    let script = format!(
        "source {}/rvenv.bash; COMP_WORDS=(rvenv create -p 3.1); COMP_CWORD=3; \
         __rvenv_complete rvenv 3.1 -p; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        dir.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &script])
        .env("PATH", format!("{}:/bin:/usr/bin", bin.display()))
        .env("PYENV_ROOT", tmp.path().join("pyenv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l == "3.12"),
        "{stdout}{}",
        stderr(&out)
    );
    assert!(stdout.lines().any(|l| l == "3.13"), "{stdout}");
    assert!(
        !stdout.lines().any(|l| l == "3.9"),
        "3.9 does not match 3.1: {stdout}"
    );
}

#[test]
fn unknown_shell_is_one_line_listing_the_supported_ones() {
    let out = rvenv().args(["hook", "tcshh"]).output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bash") && err.contains("zsh") && err.contains("fish"),
        "{err}"
    );
}

#[test]
fn activate_without_the_hook_says_how_to_install_it() {
    let out = rvenv().arg("activate").output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("rvenv hook"), "{}", stderr(&out));
}

/// An error naming a path with control characters draws them as escapes:
/// nothing a directory name holds reaches the terminal raw.
#[test]
fn errors_never_carry_control_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let hostile = tmp.path().join("x\x1b]0;pwned\x07\x1b[31m");
    std::fs::create_dir_all(&hostile).unwrap();
    std::fs::write(hostile.join("f"), "").unwrap();
    let out = rvenv()
        .arg("create")
        .arg("--without-pip")
        .arg(&hostile)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = &out.stderr;
    let line = err.strip_suffix(b"\n").unwrap_or(err);
    assert!(
        !line.iter().any(|&b| b < 0x20 || b == 0x7f),
        "control bytes: {}",
        err.escape_ascii()
    );
    assert!(
        String::from_utf8_lossy(err).contains("x\\x1b]0;pwned\\x07\\x1b[31m"),
        "{}",
        err.escape_ascii()
    );
}

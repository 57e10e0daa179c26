//! Nothing a directory holds can make a prompt wait: a FIFO, socket or
//! device where rvenv expects a file is passed over at once, whoever made
//! it, and Ctrl-C while the hook waits for rvenv gives back a prompt that
//! works, even when rvenv would never answer.

mod common;
use common::Drive;

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use common::{Fixture, Opts, PROMPT, Session, Shell, bytes, other_user, prompt_with};

shell_tests!(
    fifos_where_files_are_expected,
    fifos_in_tool_config,
    ctrl_c_gives_a_working_prompt,
    uv_member_globs_answer_at_once,
);

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a plain system call on a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "{path:?}");
}

/// A project `proj` holding a venv, with `sub`, whose `name` is a FIFO
/// (`name` may be a path below `sub`): the prompt in `sub` comes back at
/// once, and the venv above is on.
fn fifos_where_files_are_expected(sh: Shell) {
    let fx = Fixture::new();
    let venv = fx.venv("proj/.venv");
    let names = [
        ".venv",
        ".python-version",
        "pyproject.toml",
        "Pipfile",
        "poetry.toml",
        "pyvenv.cfg",
        "venv/pyvenv.cfg",
    ];
    let mut subs = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let sub = fx.dir(format!("proj/s{i}"));
        let file = sub.join(name);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        mkfifo(&file);
        subs.push(sub);
    }
    // Every source on, uv's too.
    let mut s = Session::start(
        sh,
        &fx,
        Opts::default().env("UV_PROJECT_ENVIRONMENT", "uvenv"),
    );
    let orig = s.initial.path().to_vec();
    for (name, sub) in names.iter().zip(&subs) {
        let ctx = format!("{sh:?}: a FIFO at {name}");
        let step = s.run(&sh.cd(sub));
        step.assert_prompt(&prompt_with(b"proj"), &ctx);
        s.state().assert_on(&bytes(&venv), b"proj", &orig, &ctx);
        s.run(&sh.cd(&fx.root));
        s.state().assert_off(&orig, &ctx);
    }
    // `rvenv status` there says what it passed over, and returns.
    let out = s.capture(&format!("{}; rvenv status", sh.cd(&subs[0])));
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains(".venv is a FIFO"), "{sh:?}: {out}");
}

/// poetry's config.toml and envs.toml, and the `.python-version` a pyenv
/// shim would read, as FIFOs: poetry's env is still found.
fn fifos_in_tool_config(sh: Shell) {
    let fx = Fixture::new();
    let proj = fx.dir("proj");
    fs::write(
        proj.join("pyproject.toml"),
        "[tool.poetry]\nname = \"proj\"\n[build-system]\nbuild-backend = \"poetry.core.masonry.api\"\n",
    )
    .unwrap();
    let config = fx.dir("config");
    mkfifo(&config.join("config.toml"));
    let venvs = fx.dir("venvs");
    mkfifo(&venvs.join("envs.toml"));
    let mut s = Session::start(
        sh,
        &fx,
        Opts::default()
            .env("POETRY_CONFIG_DIR", &config)
            .env("POETRY_VIRTUALENVS_PATH", &venvs),
    );
    let orig = s.initial.path().to_vec();
    let step = s.run(&sh.cd(&proj));
    step.assert_prompt(PROMPT.as_bytes(), "poetry's config.toml is a FIFO");
    s.state()
        .assert_off(&orig, "poetry's config.toml is a FIFO");
    let out = s.capture("rvenv status");
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("config.toml is a FIFO"), "{sh:?}: {out}");
    drop(s);

    // No config file: envs.toml is read next.
    fs::remove_file(config.join("config.toml")).unwrap();
    let mut s = Session::start(
        sh,
        &fx,
        Opts::default()
            .env("POETRY_CONFIG_DIR", &config)
            .env("POETRY_VIRTUALENVS_PATH", &venvs),
    );
    let step = s.run(&sh.cd(&proj));
    step.assert_prompt(PROMPT.as_bytes(), "poetry's envs.toml is a FIFO");
    s.state().assert_off(&orig, "poetry's envs.toml is a FIFO");
}

/// Another user's `mkfifo -m644 /tmp/.python-version`: every prompt under
/// /tmp used to freeze.
#[test]
fn another_users_fifo_in_shared_tmp() {
    let Some(mallory) = other_user("rvt-mallory", None) else {
        return;
    };
    let fx = Fixture::new();
    let tmp = fx.shared_tmp();
    mallory.sh(
        &tmp,
        "mkfifo -m644 .python-version && mkfifo -m644 pyproject.toml",
    );
    let proj = fx.dir("tmp/proj");
    let venv = fx.venv("tmp/proj/.venv");
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !sh.available() {
            continue;
        }
        let mut s = Session::start(sh, &fx, Opts::default());
        let orig = s.initial.path().to_vec();
        let step = s.run(&sh.cd(&tmp));
        step.assert_prompt(PROMPT.as_bytes(), "in the shared tmp");
        let step = s.run(&sh.cd(&proj));
        step.assert_prompt(&prompt_with(b"proj"), "in a project under it");
        s.state().assert_on(&bytes(&venv), b"proj", &orig, "proj");
    }
    // Nor does `rvenv create` wait on it.
    let out = std::process::Command::new("timeout")
        .arg("10")
        .arg(common::rvenv_bin())
        .args(["create", "new"])
        .current_dir(&proj)
        .env("HOME", &fx.home)
        .env("PATH", common::base_path())
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(124),
        "rvenv create waited on the FIFO"
    );
}

/// rvenv never answers (a hung file system, say): Ctrl-C gives a prompt
/// that runs commands, and the prompts after it do not wait again in the
/// same place; once the user moves, the hook asks again.
fn ctrl_c_gives_a_working_prompt(sh: Shell) {
    let fx = Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let blog = fx.dir("blog");
    let mut path = common::sleeping_rvenv(&fx, "block").into_os_string();
    path.push(":");
    path.push(common::base_path());
    let mut s = Session::start(sh, &fx, Opts::default().env("PATH", path));
    let orig = s.initial.path().to_vec();
    let started = fx.home.join("started");
    // nushell's own echo and pwd write values, without a newline.
    let (echo, pwd) = match sh {
        Shell::Nushell => ("^echo", "^pwd"),
        _ => ("echo", "pwd"),
    };

    fs::write(fx.home.join("block"), "").unwrap();
    s.type_line(&sh.cd(&shop));
    common::wait_until_asleep(&s, &started, "the hook never started rvenv");
    s.type_bytes(b"\x03");
    // A prompt that works: commands run, prompt after prompt.
    for i in 0..3 {
        let out = s.capture(&format!("{echo} alive{i}"));
        assert_eq!(out, format!("alive{i}\n").as_bytes(), "{sh:?}");
    }
    s.state().assert_off(&orig, "after Ctrl-C");
    let pwd = s.capture(pwd);
    assert_eq!(pwd, [bytes(&shop), b"\n".to_vec()].concat(), "{sh:?}");

    // Elsewhere it asks again: still blocked, Ctrl-C again.
    fs::remove_file(&started).unwrap();
    s.type_line(&sh.cd(&blog));
    common::wait_until_asleep(&s, &started, "the hook did not ask again after a cd");
    s.type_bytes(b"\x03");
    let out = s.capture(&format!("{echo} alive"));
    assert_eq!(out, b"alive\n", "{sh:?}");

    // Once rvenv answers again, the venv comes on where it belongs.
    fs::remove_file(fx.home.join("block")).unwrap();
    let step = s.run(&sh.cd(&shop));
    step.assert_prompt(&prompt_with(b"shop"), "rvenv answers again");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "rvenv answers again");
}

/// A uv workspace whose member glob makes a backtracking matcher take
/// exponential time (the hand-written one spun at 100% CPU on it): the
/// prompt comes back at once, with the member's env on.
fn uv_member_globs_answer_at_once(sh: Shell) {
    let fx = Fixture::new();
    let ws = fx.dir("ws");
    let pattern = format!("{}*", "*a".repeat(30));
    fs::write(
        ws.join("pyproject.toml"),
        format!("[tool.uv.workspace]\nmembers = [\"{pattern}b\", \"{pattern}\"]\n"),
    )
    .unwrap();
    let member = fx.dir(format!("ws/{}", "a".repeat(80)));
    fs::write(member.join("pyproject.toml"), "[project]\nname = \"m\"\n").unwrap();
    let venv = fx.venv("ws/env");
    let mut s = Session::start(
        sh,
        &fx,
        Opts::default().env("UV_PROJECT_ENVIRONMENT", "env"),
    );
    let orig = s.initial.path().to_vec();
    let name = member.file_name().unwrap().as_bytes().to_vec();
    let step = s.run(&sh.cd(&member));
    step.assert_prompt(&prompt_with(&name), "in the member");
    s.state()
        .assert_on(&bytes(&venv), &name, &orig, "in the member");
}

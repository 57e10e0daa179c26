//! What rvenv says, as a user reads it in a real shell with the hook: one
//! line per event, the venv named the same way going on and off.

mod common;
use common::Drive;

use std::path::Path;

use common::{Fixture, Opts, Session, Shell, bytes, lossy};

/// The lines rvenv wrote (those starting with `rvenv:`) in a step's output.
fn said(output: &[u8]) -> Vec<String> {
    lossy(output)
        .replace('\r', "")
        .lines()
        .filter(|l| l.starts_with("rvenv:"))
        .map(str::to_owned)
        .collect()
}

fn messages(sh: Shell) {
    if !sh.available() {
        return;
    }
    let fx = Fixture::new();
    let data = fx.dir("data");
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let tools = fx.venv("envs/tools");
    // Trust comes from the store only, as for a user without
    // RVENV_TRUSTED_DIRS.
    let opts = Opts::default()
        .env("XDG_DATA_HOME", &data)
        .env("RVENV_TRUSTED_DIRS", "");
    let mut s = Session::start(sh, &fx, opts);
    let orig = s.initial.path().to_vec();
    let step = s.run(&format!("rvenv allow {}", lossy(&bytes(&venv))));
    assert_eq!(said(&step.output).len(), 1, "{sh:?}: {}", s.transcript());

    // On and off, named alike.
    let step = s.run(&sh.cd(&shop));
    let on = said(&step.output);
    assert_eq!(on.len(), 1, "{sh:?}: {on:?}");
    assert!(on[0].starts_with("rvenv: activated shop"), "{sh:?}: {on:?}");
    let step = s.run(&sh.cd(&fx.root));
    assert_eq!(said(&step.output), ["rvenv: deactivated shop"], "{sh:?}");

    // `rvenv deny` in the project whose venv is on: one line, the venv
    // off, and no "not trusted" line then or at the next prompts.
    s.run(&sh.cd(&shop));
    let step = s.run("rvenv deny");
    let lines = said(&step.output);
    assert_eq!(lines.len(), 1, "{sh:?}: {lines:?}\n{}", s.transcript());
    assert!(
        lines[0].contains("denied") && lines[0].contains("deactivated"),
        "{sh:?}: {lines:?}"
    );
    assert!(!lines[0].contains("allow"), "{sh:?}: {lines:?}");
    s.state().assert_off(&orig, "denied");
    let step = s.run(&sh.cd(&shop.join("..").join("shop")));
    assert!(said(&step.output).is_empty(), "{sh:?}: {}", s.transcript());

    // Denied again where nothing is on: one line still.
    let step = s.run("rvenv deny");
    assert_eq!(said(&step.output).len(), 1, "{sh:?}: {}", s.transcript());

    // `rvenv activate PATH` says what it activated, and from where.
    let step = s.run(&format!("rvenv activate {}", lossy(&bytes(&tools))));
    let lines = said(&step.output);
    assert_eq!(lines.len(), 1, "{sh:?}: {lines:?}");
    assert!(
        lines[0].starts_with("rvenv: activated tools")
            && lines[0].ends_with(&lossy(tools.as_os_str().as_encoded_bytes())),
        "{sh:?}: {lines:?}"
    );
}

shell_tests!(messages);
/// A directory that is plainly a Python project but has no venv: one line
/// with the command that makes one, once per entry; quiet with
/// RVENV_LOG=quiet; with RVENV_AUTO_CREATE=1, under a trusted directory
/// only, the venv is made and activated on entry.
fn project_without_venv(sh: Shell) {
    let fx = Fixture::new();
    let shop = fx.dir("code/shop");
    std::fs::create_dir_all(shop.join("src/deep")).unwrap();
    std::fs::write(shop.join("pyproject.toml"), "[project]\nname = 'shop'\n").unwrap();
    let tool = fx.dir("code/tool");
    std::fs::write(
        tool.join("pyproject.toml"),
        "[tool.ruff]\nline-length = 90\n",
    )
    .unwrap();
    let reqs = fx.dir("other/reqs");
    std::fs::write(reqs.join("requirements.txt"), "requests\n").unwrap();
    let cache = fx.path("cache");
    let opts = Opts::default()
        .env("RVENV_TRUSTED_DIRS", "")
        .env("RVENV_CACHE_DIR", &cache);
    let mut s = Session::start(sh, &fx, opts);
    let step = s.run(&sh.cd(&shop));
    assert_eq!(
        said(&step.output),
        ["rvenv: shop is a Python project without a venv; make one with: rvenv create"],
        "{sh:?}"
    );
    // Within it: nothing more said.
    let step = s.run(&sh.cd(&shop.join("src/deep")));
    assert!(said(&step.output).is_empty(), "{sh:?}: {}", s.transcript());
    // Left and entered again, at a subdirectory: said again, with the path.
    s.run(&sh.cd(&fx.root));
    let step = s.run(&sh.cd(&shop.join("src")));
    assert_eq!(
        said(&step.output),
        ["rvenv: shop is a Python project without a venv; make one with: rvenv create ../.venv"],
        "{sh:?}"
    );
    // A tool's settings alone make no project; requirements.txt does.
    let step = s.run(&sh.cd(&tool));
    assert!(said(&step.output).is_empty(), "{sh:?}: {}", s.transcript());
    let step = s.run(&sh.cd(&reqs));
    assert_eq!(said(&step.output).len(), 1, "{sh:?}: {}", s.transcript());
    // Made as told: activated at once.
    // nushell and elvish have no `&&` (a failed cd stops the line there
    // anyway).
    let and = if matches!(sh, Shell::Nushell | Shell::Elvish) {
        ";"
    } else {
        " &&"
    };
    let step = s.run(&format!("{}{and} rvenv create", sh.cd(&shop)));
    assert!(
        lossy(&step.output).contains("rvenv: activated shop"),
        "{sh:?}: {}",
        s.transcript()
    );
    drop(s);

    // Quiet.
    let opts = Opts::default()
        .env("RVENV_TRUSTED_DIRS", "")
        .env("RVENV_LOG", "quiet");
    let mut s = Session::start(sh, &fx, opts);
    let step = s.run(&sh.cd(&reqs));
    assert!(said(&step.output).is_empty(), "{sh:?}: {}", s.transcript());
    drop(s);

    // RVENV_AUTO_CREATE: only under RVENV_TRUSTED_DIRS.
    let orig_env = |trusted: &Path| {
        Opts::default()
            .env("RVENV_AUTO_CREATE", "1")
            .env("RVENV_TRUSTED_DIRS", trusted)
            .env("RVENV_CACHE_DIR", &cache)
    };
    let mut s = Session::start(sh, &fx, orig_env(&fx.path("code")));
    let step = s.run(&sh.cd(&reqs));
    assert!(
        !reqs.join(".venv").exists(),
        "{sh:?}: made outside the trusted dir"
    );
    assert_eq!(said(&step.output).len(), 1, "{sh:?}: {}", s.transcript());
    let app = fx.dir("code/app");
    std::fs::write(app.join("setup.py"), "").unwrap();
    let step = s.run(&sh.cd(&app));
    let lines = said(&step.output);
    assert!(app.join(".venv/pyvenv.cfg").is_file(), "{sh:?}: {lines:?}");
    assert_eq!(lines.len(), 2, "{sh:?}: {lines:?}");
    assert!(lines[0].starts_with("rvenv: created "), "{sh:?}: {lines:?}");
    assert!(
        lines[1].starts_with("rvenv: activated app"),
        "{sh:?}: {lines:?}"
    );
    let orig = s.initial.path().to_vec();
    s.state()
        .assert_on(&bytes(app.join(".venv")), b"app", &orig, "auto-created");
}

shell_tests!(project_without_venv);

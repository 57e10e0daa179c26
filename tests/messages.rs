//! What rvenv says, as a user reads it in a real shell with the hook: one
//! line per event, the venv named the same way going on and off.

mod common;
use common::Drive;

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

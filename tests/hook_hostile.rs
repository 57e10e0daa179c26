//! Directory and venv names full of characters the shells treat specially:
//! VIRTUAL_ENV must arrive byte for byte, nothing in a name may ever run,
//! and the prompt must show the name as it is, whatever prompt options the
//! user has on.

mod common;
use common::Drive;

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use common::{Opts, PROMPT, Session, Shell, bytes, lossy, prompt_with};

/// Each is the name of a project directory holding a `.venv`.
const NAMES: &[&[u8]] = &[
    b"sp ace",
    b"it's",
    b"dq\"uote",
    b"$(touch MARKER)",
    b"`touch MARKER`",
    b"back\\slash\\w\\$",
    b"per%cent%~%F{red}%",
    b"bang!x!!",
    b"{a,b}",
    b"star*?[x]",
    b"new\nline",
    b"trailing newline\n",
    b"\n",
    b"\xffbyte\xfe",
    b"-dash",
    b"$HOME${PATH}$",
    b"tab\tesc\x1b[7mbell\x07",
    "c1\u{9b}31m bidi\u{202e}x\u{2066}".as_bytes(),
    b"semi;colon&amp|pipe>gt<lt",
    b"all '\"$(touch MARKER)`touch MARKER`\\%!{a,b}*\n\xff~#",
];

/// A pyvenv.cfg `prompt` as hostile as a name.
const CFG_PROMPT: &[u8] = b"$(touch MARKER) `touch MARKER` %~ !! \\w ${PATH} %% \\";

use common::drawn_name as display;

/// Files called MARKER anywhere under `dir`.
fn markers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == "MARKER" {
                found.push(path.clone());
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            }
        }
    }
    found
}

/// Every name, entered, a subdirectory of it, left; then `rvenv activate`
/// and a cfg prompt.
fn hostile(sh: Shell, before: &str) {
    let fx = common::Fixture::new();
    let mut opts = Opts::before(before);
    let mut projects = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let dir = fx.path("h").join(OsStr::from_bytes(name));
        fx.venv_moved(&dir.join(".venv"));
        fs::create_dir(dir.join("sub")).unwrap();
        // nushell panics at start-up on a variable that is not UTF-8.
        if sh != Shell::Nushell || std::str::from_utf8(name).is_ok() {
            opts = opts.env(format!("H{i}"), dir.as_os_str());
        }
        projects.push(dir);
    }
    // A venv whose pyvenv.cfg names a hostile prompt.
    let cfgp = fx.path("cfgp");
    fx.venv_moved(&cfgp.join(".venv"));
    let cfg = cfgp.join(".venv/pyvenv.cfg");
    let mut text = fs::read(&cfg).unwrap();
    text.extend_from_slice(b"prompt = ");
    text.extend_from_slice(CFG_PROMPT);
    text.push(b'\n');
    fs::write(&cfg, text).unwrap();
    opts = opts.env("HCFG", cfgp.as_os_str());

    let mut s = Session::start(sh, &fx, opts);
    let orig = s.initial.path().to_vec();
    if std::env::var_os("RVT_DEBUG").is_some() {
        s.run("set -x");
    }
    for (i, (name, dir)) in NAMES.iter().zip(&projects).enumerate() {
        let ctx = format!("{sh:?} {before:?} {:?}", lossy(name));
        if let Some(why) = common::cannot_hold(sh, name) {
            common::cannot_express(sh, &format!("{ctx}: {why}"));
            continue;
        }
        let venv = bytes(dir.join(".venv"));
        let step = s.run(&common::cd_var(sh, &format!("H{i}")));
        step.assert_prompt(&prompt_with(&display(name)), &ctx);
        s.state().assert_on(&venv, name, &orig, &ctx);
        let step = s.run("cd sub");
        step.assert_prompt(&prompt_with(&display(name)), &ctx);
        s.state().assert_on(&venv, name, &orig, &ctx);
        let step = s.run(&sh.cd(&fx.root));
        step.assert_prompt(PROMPT.as_bytes(), &ctx);
        s.state().assert_off(&orig, &ctx);
    }

    // The last (everything at once), through `rvenv activate`, then off.
    // The last name the shell can hold (see above).
    let last = NAMES
        .iter()
        .rposition(|n| common::cannot_hold(sh, n).is_none())
        .unwrap();
    let venv = bytes(projects[last].join(".venv"));
    let line = match sh {
        Shell::Fish => format!("rvenv activate $H{last}"),
        Shell::Tcsh => format!("rvenv activate $H{last}:q"),
        Shell::Nushell => format!("rvenv activate $env.H{last}"),
        Shell::Xonsh => format!("rvenv activate @($H{last})"),
        Shell::Elvish => format!("rvenv activate $E:H{last}"),
        _ => format!("rvenv activate \"$H{last}\""),
    };
    let step = s.run(&line);
    step.assert_prompt(&prompt_with(&display(NAMES[last])), "rvenv activate");
    s.state()
        .assert_on(&venv, NAMES[last], &orig, "rvenv activate");
    s.run("rvenv deactivate");
    s.state().assert_off(&orig, "rvenv deactivate");

    let step = s.run(&common::cd_var(sh, "HCFG"));
    step.assert_prompt(&prompt_with(CFG_PROMPT), "cfg prompt");
    s.state()
        .assert_on(&bytes(cfgp.join(".venv")), CFG_PROMPT, &orig, "cfg prompt");
    s.run("cd ..");
    s.state().assert_off(&orig, "cfg prompt, left");

    let found = markers(&fx.root);
    assert!(found.is_empty(), "{sh:?}: something ran: {found:?}");
}

shell_tests!(hostile_names);

/// Every name, under each set of prompt options that changes how the shell
/// reads its prompt.
fn hostile_names(sh: Shell) {
    let option_sets: &[&str] = match sh {
        Shell::Bash => &["shopt -s promptvars", "shopt -u promptvars"],
        Shell::Zsh => &[
            "",
            "setopt PROMPT_SUBST PROMPT_BANG",
            "setopt PROMPT_SUBST no_PROMPT_PERCENT",
        ],
        Shell::Fish | Shell::Elvish | Shell::Xonsh | Shell::Nushell | Shell::Tcsh => &[""],
        Shell::Powershell => common::no_hook(sh),
    };
    for options in option_sets {
        hostile(sh, options);
    }
}

/// The names fit in a PATH entry as they are: none holds a `:`.
#[test]
fn names_hold_no_colon() {
    for name in NAMES {
        assert!(!name.contains(&b':'), "{:?}", OsString::from(lossy(name)));
    }
}

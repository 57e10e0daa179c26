//! Auto-activation in real interactive shells: enter, subdir, leave, switch,
//! PATH edits, created and deleted venvs, symlinked projects, PYTHONHOME,
//! VIRTUAL_ENV_DISABLE_PROMPT, broken venvs.

mod common;
use common::Drive;

use std::fs;

use common::{Opts, PROMPT, Session, Shell, bytes, count, lossy, prompt_with};

shell_tests!(
    enter_subdir_leave,
    cd_and_run_in_one_line,
    switch_projects,
    nested_projects_and_venv_as_project,
    path_edits_are_kept,
    venv_created_or_deleted_in_cwd,
    project_deleted_while_inside,
    symlinked_project_keeps_logical_path,
    pythonhome_saved_and_restored,
    pythonhome_unset_stays_unset,
    disable_prompt,
    broken_venvs_are_not_activated,
);

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn enter_subdir_leave(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("code/shop");
    let venv = fx.venv("code/shop/.venv");
    fx.dir("code/shop/src/api");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.initial.assert_off(&orig, "before");
    if sh == Shell::Bash {
        // A hashed `python` must not survive activation.
        s.run("hash -p /usr/bin/false python");
    }

    let step = s.run(&sh.cd(&shop));
    step.assert_prompt(&prompt_with(b"shop"), "entered");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
    // `python` is the venv's, as the interpreter itself says.
    let step = s.run("python -c 'import sys; print(\"PFX=\" + sys.prefix)'");
    let want = cat(&[b"PFX=", &bytes(&venv), b"\r\n"]);
    assert!(
        count(&step.output, &want) == 1,
        "{sh:?}: python's sys.prefix: {}",
        lossy(&step.output)
    );

    let step = s.run(&sh.cd(&shop.join("src/api")));
    step.assert_prompt(&prompt_with(b"shop"), "subdir");
    s.state().assert_on(&bytes(&venv), b"shop", &orig, "subdir");
    let step = s.run("cd ../..");
    step.assert_prompt(&prompt_with(b"shop"), "back up");

    let step = s.run(&sh.cd(&fx.root));
    step.assert_prompt(PROMPT.as_bytes(), "left");
    s.state().assert_off(&orig, "left");
    assert_eq!(
        s.state().python,
        s.initial.python,
        "{sh:?}: python after leaving"
    );
}

/// zsh's chpwd and fish's PWD handler act at the `cd` itself, so a command
/// on the same line already runs in the venv. bash has only PROMPT_COMMAND:
/// there the venv is on from the next prompt.
fn cd_and_run_in_one_line(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let and = match sh {
        Shell::Fish => "; and",
        Shell::Nushell => ";",
        // elvish stops at the first failure anyway.
        Shell::Elvish => ";",
        _ => " &&",
    };
    let line = format!(
        "{}{and} python -c 'import sys; print(\"PFX=\" + sys.prefix)'",
        sh.cd(&shop)
    );
    let step = s.run(&line);
    let want = cat(&[b"PFX=", &bytes(&venv), b"\r\n"]);
    // No hook of theirs runs between the commands of a line.
    if matches!(sh, Shell::Bash | Shell::Tcsh | Shell::Nushell) {
        assert_eq!(count(&step.output, b"PFX=/"), 0, "no python on PATH yet");
    } else {
        assert_eq!(count(&step.output, &want), 1, "{}", lossy(&step.output));
    }
    step.assert_prompt(&prompt_with(b"shop"), "entered");
}

fn switch_projects(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let shop_venv = fx.venv("shop/.venv");
    let blog = fx.dir("blog/posts");
    let blog_venv = fx.venv_with("blog/venv", &["--prompt", "bl0g"]);
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "shop");
    // One cd from one project into another: the first venv fully off.
    let step = s.run(&sh.cd(&blog));
    step.assert_prompt(&prompt_with(b"bl0g"), "blog");
    s.state()
        .assert_on(&bytes(&blog_venv), b"bl0g", &orig, "blog");
    let step = s.run(&sh.cd(&shop));
    step.assert_prompt(&prompt_with(b"shop"), "shop again");
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "shop again");
    let step = s.run(&sh.cd(&fx.root));
    step.assert_prompt(PROMPT.as_bytes(), "left");
    s.state().assert_off(&orig, "left");
}

fn nested_projects_and_venv_as_project(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/lib/inner/deep");
    let shop = shop.parent().unwrap().parent().unwrap().parent().unwrap();
    let outer = fx.venv("shop/.venv");
    let inner = fx.venv("shop/lib/inner/venv");
    let tools = fx.venv("tools");
    fs::create_dir_all(tools.join("lib/x")).unwrap();
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    s.run(&sh.cd(&shop.join("lib")));
    s.state()
        .assert_on(&bytes(&outer), b"shop", &orig, "shop/lib");
    // Going down into a nested project switches; coming back switches back.
    let step = s.run(&sh.cd(&shop.join("lib/inner/deep")));
    step.assert_prompt(&prompt_with(b"inner"), "inner/deep");
    s.state()
        .assert_on(&bytes(&inner), b"inner", &orig, "inner/deep");
    s.run("cd ../..");
    s.state()
        .assert_on(&bytes(&outer), b"shop", &orig, "back in shop/lib");
    // Into the venv's own directory and back: the same venv throughout.
    let step = s.run(&sh.cd(&outer.join("bin")));
    step.assert_prompt(&prompt_with(b"shop"), "shop/.venv/bin");
    s.state()
        .assert_on(&bytes(&outer), b"shop", &orig, "shop/.venv/bin");
    s.run("cd ../..");
    s.state()
        .assert_on(&bytes(&outer), b"shop", &orig, "shop again");
    // A directory that is a venv is its own project.
    let step = s.run(&sh.cd(&tools.join("lib/x")));
    step.assert_prompt(&prompt_with(b"tools"), "tools");
    s.state()
        .assert_on(&bytes(&tools), b"tools", &orig, "tools/lib/x");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
}

fn path_edits_are_kept(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let shop_venv = fx.venv("shop/.venv");
    let blog = fx.dir("blog");
    let blog_venv = fx.venv("blog/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    s.run(&sh.cd(&shop));
    let edit = match sh {
        Shell::Fish => "set -gx PATH '/be fore' $PATH /after".to_string(),
        Shell::Tcsh => "setenv PATH \"/be fore:${PATH}:/after\"".to_string(),
        Shell::Nushell => {
            "$env.PATH = ($env.PATH | prepend '/be fore' | append /after)".to_string()
        }
        Shell::Elvish => "set-env PATH '/be fore:'$E:PATH':/after'".to_string(),
        Shell::Xonsh => "$PATH = ['/be fore'] + $PATH + ['/after']".to_string(),
        _ => "export PATH=\"/be fore:$PATH:/after\"".to_string(),
    };
    s.run(&edit);
    let edited = cat(&[b"/be fore:", &orig, b":/after"]);
    let st = s.state();
    assert_eq!(
        lossy(st.path()),
        lossy(&cat(&[
            b"/be fore:",
            &bytes(&shop_venv),
            b"/bin:",
            &orig,
            b":/after"
        ])),
        "{sh:?}: the edit itself"
    );
    // Switching takes out only the old venv's entry.
    s.run(&sh.cd(&blog));
    s.state()
        .assert_on(&bytes(&blog_venv), b"blog", &edited, "switched");
    let step = s.run(&sh.cd(&fx.root));
    step.assert_prompt(PROMPT.as_bytes(), "left");
    s.state().assert_off(&edited, "left");
}

fn venv_created_or_deleted_in_cwd(sh: Shell) {
    let fx = common::Fixture::new();
    let proj = fx.dir("proj/sub");
    let proj = proj.parent().unwrap().to_path_buf();
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    s.run(&sh.cd(&proj));
    s.state().assert_off(&orig, "no venv yet");
    let venv = fx.venv("proj/.venv");
    // Nothing but a new prompt.
    let step = s.run("");
    step.assert_prompt(&prompt_with(b"proj"), "created");
    s.state()
        .assert_on(&bytes(&venv), b"proj", &orig, "created");
    fs::remove_dir_all(&venv).unwrap();
    let step = s.run("");
    step.assert_prompt(PROMPT.as_bytes(), "deleted");
    s.state().assert_off(&orig, "deleted");

    // The same from a subdirectory of the project, and with `venv`.
    s.run(&sh.cd(&proj.join("sub")));
    let venv = fx.venv("proj/sub/venv");
    let step = s.run("");
    step.assert_prompt(&prompt_with(b"sub"), "created in sub");
    s.state()
        .assert_on(&bytes(&venv), b"sub", &orig, "created in sub");
    let outer = fx.venv("proj/.venv");
    fs::remove_dir_all(&venv).unwrap();
    // The nearest venv went away: the one above takes over.
    s.run("");
    s.state().assert_on(&bytes(&outer), b"proj", &orig, "outer");
    fs::remove_dir_all(&outer).unwrap();
    s.run("");
    s.state().assert_off(&orig, "all gone");
}

/// The whole project goes away under the shell (a `git worktree remove`,
/// a test run's tempdir): the next prompt turns its venv off.
fn project_deleted_while_inside(sh: Shell) {
    let fx = common::Fixture::new();
    let proj = fx.dir("proj/sub");
    let venv = fx.venv("proj/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&proj));
    s.state()
        .assert_on(&bytes(&venv), b"proj", &orig, "entered");
    fs::remove_dir_all(fx.path("proj")).unwrap();
    let step = s.run("");
    step.assert_prompt(PROMPT.as_bytes(), "deleted");
    s.state().assert_off(&orig, "deleted");
    let step = s.run(&sh.cd(&fx.root));
    step.assert_prompt(PROMPT.as_bytes(), "left");
    s.state().assert_off(&orig, "left");
}

fn symlinked_project_keeps_logical_path(sh: Shell) {
    let fx = common::Fixture::new();
    fx.dir("real/shop/src");
    fx.venv("real/shop/.venv");
    std::os::unix::fs::symlink(fx.path("real"), fx.path("link")).unwrap();
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    let logical = fx.path("link/shop");
    let step = s.run(&sh.cd(&logical.join("src")));
    step.assert_prompt(&prompt_with(b"shop"), "via link");
    // elvish's $pwd is the physical directory: cd resolves the link.
    let venv = match sh {
        Shell::Elvish => fx.path("real/shop/.venv"),
        _ => logical.join(".venv"),
    };
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "via link");
    // Entering the same project by its real path switches to that path.
    s.run(&sh.cd(&fx.path("real/shop")));
    let real = fx.path("real/shop/.venv");
    s.state()
        .assert_on(&bytes(&real), b"shop", &orig, "real path");
    s.run(&sh.cd(&fx.path("link")));
    s.state().assert_off(&orig, "left");
}

fn pythonhome_saved_and_restored(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    fx.venv("shop/.venv");
    let blog = fx.dir("blog");
    fx.venv("blog/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.export("PYTHONHOME", "/py home:x"));

    s.run(&sh.cd(&shop));
    let st = s.state();
    assert_eq!(
        st.var("PYTHONHOME").map(lossy),
        None,
        "{sh:?}: unset in shop"
    );
    assert_eq!(st.path_entries()[0], bytes(fx.path("shop/.venv/bin")));
    s.run(&sh.cd(&blog));
    assert_eq!(
        s.state().var("PYTHONHOME").map(lossy),
        None,
        "{sh:?}: switched"
    );
    s.run(&sh.cd(&fx.root));
    let st = s.state();
    st.assert_off(&orig, "left");
    assert_eq!(
        st.var("PYTHONHOME").map(lossy).as_deref(),
        Some("/py home:x"),
        "{sh:?}: restored"
    );

    // An empty PYTHONHOME is a set one: it comes back empty.
    let empty = match sh {
        Shell::Fish => "set -gx PYTHONHOME ''",
        Shell::Tcsh => "setenv PYTHONHOME ''",
        Shell::Nushell => "$env.PYTHONHOME = ''",
        Shell::Elvish => "set-env PYTHONHOME ''",
        Shell::Xonsh => "$PYTHONHOME = ''",
        _ => "export PYTHONHOME=",
    };
    s.run(empty);
    s.run(&sh.cd(&shop));
    assert_eq!(s.state().var("PYTHONHOME").map(lossy), None, "{sh:?}");
    s.run(&sh.cd(&fx.root));
    assert_eq!(
        s.state().var("PYTHONHOME").map(lossy).as_deref(),
        Some(""),
        "{sh:?}: empty restored"
    );
}

fn pythonhome_unset_stays_unset(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    assert_eq!(s.initial.var("PYTHONHOME"), None);
    s.run(&sh.cd(&shop));
    s.run(&sh.cd(&fx.root));
    assert_eq!(s.state().var("PYTHONHOME").map(lossy), None, "{sh:?}");
}

fn disable_prompt(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(
        sh,
        &fx,
        Opts::default().env("VIRTUAL_ENV_DISABLE_PROMPT", "1"),
    );
    let orig = s.initial.path().to_vec();
    let step = s.run(&sh.cd(&shop));
    step.assert_prompt(PROMPT.as_bytes(), "disabled");
    let st = s.state();
    assert_eq!(st.var("VIRTUAL_ENV"), Some(&bytes(&venv)[..]), "{sh:?}");
    if let Some(ps1) = &st.ps1 {
        assert_eq!(lossy(ps1), PROMPT, "{sh:?}: PS1 untouched");
    }
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
}

fn broken_venvs_are_not_activated(sh: Shell) {
    let fx = common::Fixture::new();
    // Garbage for a pyvenv.cfg.
    let garbage = fx.dir("garbage/.venv/bin");
    let garbage = garbage.parent().unwrap().to_path_buf();
    fs::write(
        garbage.join("pyvenv.cfg"),
        b"\x00\x01\xff\xfe not = a [cfg\n\x00",
    )
    .unwrap();
    std::os::unix::fs::symlink(super_python(), garbage.join("bin/python")).unwrap();
    // A real venv whose base interpreter is gone.
    let gone = fx.venv("gone/.venv");
    for name in ["python", "python3"] {
        let link = gone.join("bin").join(name);
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink("/nonexistent/bin/python3.99", &link).unwrap();
    }
    let good = fx.venv("good/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    // The message names the venv and the fix relative to the shell's
    // directory, and for a venv whose base is gone, that base.
    for (dir, why, fix) in [
        (
            fx.path("garbage"),
            "its pyvenv.cfg is not a text file",
            "--clear",
        ),
        (
            fx.path("gone"),
            "/nonexistent/bin/python3.99 is gone",
            "--upgrade",
        ),
    ] {
        let step = s.run(&sh.cd(&dir));
        step.assert_prompt(PROMPT.as_bytes(), "broken");
        let out = lossy(&step.output);
        let lines: Vec<&str> = out.lines().filter(|l| l.contains("is broken")).collect();
        assert_eq!(lines.len(), 1, "{sh:?}: one line: {out:?}");
        // elvish and xonsh draw their line from column 0 (a CR first).
        let line = lines[0].trim_matches('\r');
        assert_eq!(
            line,
            format!("rvenv: .venv is broken: {why}; fix: rvenv create {fix} .venv"),
            "{sh:?}"
        );
        // Not repeated at every prompt.
        for _ in 0..2 {
            let step = s.run("");
            assert_eq!(count(&step.output, b"rvenv: "), 0, "{sh:?}: {out:?}");
        }
        s.state().assert_off(&orig, "broken");
    }
    // A broken venv does not keep a good one from working afterwards.
    s.run(&sh.cd(&fx.path("good")));
    s.state().assert_on(&bytes(&good), b"good", &orig, "good");
    // Leaving a good venv for a broken one turns the good one off.
    let step = s.run(&sh.cd(&fx.path("gone")));
    assert_eq!(
        count(&step.output, b"is broken"),
        1,
        "{}",
        lossy(&step.output)
    );
    s.state().assert_off(&orig, "good to broken");
}

fn super_python() -> &'static std::path::Path {
    common::python()
}

//! The hook among what the user does: venvs activated by hand or inherited,
//! `deactivate`, `rvenv activate` / `rvenv deactivate`, `$?`, other prompt
//! hooks, loading the hook twice, aliases and unusual shell options.

mod common;
use common::Drive;

use std::fs;

use common::{Opts, PROMPT, Session, Shell, bytes, count, lossy, prompt_with};

shell_tests!(
    hand_activated_venv_is_left_alone,
    hand_activated_over_ours_gets_our_pythonhome,
    inherited_venv_is_left_alone,
    deactivate_sticks_until_leaving,
    rvenv_activate_and_deactivate,
    exit_status_is_kept,
    reloading_while_active,
    user_aliases,
    unusual_shell_options,
    ctrl_c_during_the_hook,
    answer_cut_short_is_undone,
    answer_cut_before_its_path_step_keeps_path,
    deactivation_cut_short_is_finished,
    rvenv_activate_ends_a_deactivate,
    same_venv_activated_by_hand_over_ours,
    prompt_changed_while_active_is_kept,
    rvenv_create_activates_at_once,
    rvenv_starts_only_when_something_may_change,
    hook_from_another_rvenv,
);

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn activate_script(sh: Shell, venv: &std::path::Path) -> String {
    match sh {
        Shell::Fish => sh.source(&venv.join("bin/activate.fish")),
        Shell::Tcsh => sh.source(&venv.join("bin/activate.csh")),
        _ => sh.source(&venv.join("bin/activate")),
    }
}

/// CPython's activate scripts export PS1; a later check that ours never
/// does must not see theirs.
fn unexport_ps1(s: &mut Session) {
    match s.shell {
        Shell::Bash => {
            s.run("export -n PS1");
        }
        Shell::Zsh => {
            s.run("typeset +x PS1");
        }
        // They never export a prompt.
        Shell::Fish | Shell::Elvish | Shell::Xonsh | Shell::Tcsh | Shell::Nushell => {}
        Shell::Powershell => common::no_hook(s.shell),
    }
}

fn hand_activated_venv_is_left_alone(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/sub");
    let shop = shop.parent().unwrap().to_path_buf();
    let shop_venv = fx.venv("shop/.venv");
    let blog = fx.dir("blog");
    fx.venv("blog/.venv");
    let other = fx.venv("other/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    let other_on = cat(&[&bytes(&other), b"/bin:", &orig]);

    // Sourced while the hook has shop's venv on.
    s.run(&sh.cd(&shop));
    let step = s.run(&activate_script(sh, &other));
    step.assert_prompt(&prompt_with(b".venv"), "hand-activated");
    for dir in [&blog, &fx.root, &shop.join("sub"), &shop] {
        let step = s.run(&sh.cd(dir));
        step.assert_prompt(&prompt_with(b".venv"), &format!("{dir:?}"));
        let st = s.state();
        assert_eq!(
            st.var("VIRTUAL_ENV").map(lossy),
            Some(lossy(&bytes(&other))),
            "{sh:?} in {dir:?}"
        );
        assert_eq!(
            lossy(st.path()),
            lossy(&other_on),
            "{sh:?}: PATH in {dir:?}"
        );
    }
    // Its own deactivate restores what was there before it; then the hook
    // takes over again.
    s.run(&sh.cd(&shop.join("sub")));
    let step = s.run("deactivate");
    step.assert_prompt(&prompt_with(b"shop"), "after its deactivate");
    unexport_ps1(&mut s);
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "after its deactivate");
    let step = s.run(&sh.cd(&fx.root));
    step.assert_prompt(PROMPT.as_bytes(), "left");
    s.state().assert_off(&orig, "left");

    // Sourced where the hook has nothing on, then into a project and out.
    s.run(&activate_script(sh, &other));
    s.run(&sh.cd(&shop));
    let st = s.state();
    assert_eq!(st.var("VIRTUAL_ENV"), Some(&bytes(&other)[..]), "{sh:?}");
    assert_eq!(lossy(st.path()), lossy(&other_on), "{sh:?}");
    // Deactivated inside a project: the project's venv comes on.
    s.run("deactivate");
    unexport_ps1(&mut s);
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "deactivated in shop");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left again");
}

/// The hook had unset PYTHONHOME for its venv when one was activated by
/// hand: that venv's deactivate must bring the user's PYTHONHOME back.
fn hand_activated_over_ours_gets_our_pythonhome(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    fx.venv("shop/.venv");
    let other = fx.venv("other/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.export("PYTHONHOME", "/py home"));
    s.run(&sh.cd(&shop));
    s.run(&activate_script(sh, &other));
    let st = s.state();
    assert_eq!(st.var("VIRTUAL_ENV"), Some(&bytes(&other)[..]), "{sh:?}");
    assert_eq!(
        st.var("PYTHONHOME").map(lossy),
        None,
        "{sh:?}: hand-activated"
    );
    s.run(&sh.cd(&fx.root));
    s.run("deactivate");
    unexport_ps1(&mut s);
    let st = s.state();
    st.assert_off(&orig, "its deactivate");
    assert_eq!(
        st.var("PYTHONHOME").map(lossy).as_deref(),
        Some("/py home"),
        "{sh:?}: PYTHONHOME after its deactivate"
    );
}

fn inherited_venv_is_left_alone(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let shop_venv = fx.venv("shop/.venv");
    let other = fx.venv("other");
    let path = cat(&[&bytes(other.join("bin")), b":", &bytes(common::base_path())]);
    let opts = Opts::default()
        .env("VIRTUAL_ENV", &other)
        .env("PATH", std::ffi::OsString::from(lossy(&path)));
    let mut s = Session::start(sh, &fx, opts);
    assert_eq!(s.initial.path(), &path[..]);

    for dir in [&shop, &fx.root, &shop] {
        let step = s.run(&sh.cd(dir));
        step.assert_prompt(PROMPT.as_bytes(), "inherited");
        let st = s.state();
        assert_eq!(st.var("VIRTUAL_ENV"), Some(&bytes(&other)[..]), "{sh:?}");
        assert_eq!(lossy(st.path()), lossy(&path), "{sh:?}");
        // Its activate script's deactivate did not come along: the hook
        // gives one (issue 13).
        assert!(st.has_deactivate, "{sh:?}: no deactivate for it");
    }
    // Once the user drops it, the hook works as usual.
    let unset = match sh {
        Shell::Fish => "set -e VIRTUAL_ENV",
        Shell::Tcsh => "unsetenv VIRTUAL_ENV",
        Shell::Nushell => "hide-env VIRTUAL_ENV",
        Shell::Elvish => "unset-env VIRTUAL_ENV",
        Shell::Xonsh => "del $VIRTUAL_ENV",
        _ => "unset VIRTUAL_ENV",
    };
    s.run(unset);
    s.run(&sh.cd(&fx.root));
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &path, "after unset");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&path, "left");
}

fn deactivate_sticks_until_leaving(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/a/b");
    let shop = shop.parent().unwrap().parent().unwrap().to_path_buf();
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    s.run(&sh.cd(&shop.join("a")));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
    let step = s.run("deactivate");
    step.assert_prompt(PROMPT.as_bytes(), "deactivated");
    s.state().assert_off(&orig, "deactivated");
    for (line, ctx) in [
        ("", "next prompt"),
        ("cd b", "subdir"),
        ("cd ../..", "project root"),
        ("cd a", "subdir again"),
    ] {
        let step = s.run(line);
        step.assert_prompt(PROMPT.as_bytes(), ctx);
        s.state().assert_off(&orig, ctx);
    }
    // Leaving ends it.
    s.run(&sh.cd(&fx.root));
    let step = s.run(&sh.cd(&shop));
    step.assert_prompt(&prompt_with(b"shop"), "back");
    s.state().assert_on(&bytes(&venv), b"shop", &orig, "back");
}

fn rvenv_activate_and_deactivate(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/sub");
    let shop = shop.parent().unwrap().to_path_buf();
    let shop_venv = fx.venv("shop/.venv");
    let tools = fx.venv("envs/tools");
    let other = fx.venv("other/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();

    // A venv anywhere, by a relative path: pinned while cd'ing around.
    let step = s.run("rvenv activate envs/tools");
    step.assert_prompt(&prompt_with(b"tools"), "activated");
    s.state()
        .assert_on(&bytes(&tools), b"tools", &orig, "pinned");
    for dir in [&shop, &shop.join("sub"), &fx.root] {
        s.run(&sh.cd(dir));
        s.state().assert_on(
            &bytes(&tools),
            b"tools",
            &orig,
            &format!("pinned in {dir:?}"),
        );
    }
    let st = s.state_after("rvenv deactivate");
    st.assert_off(&orig, "rvenv deactivate");
    // elvish has no $?: a failure is an exception (its message is below).
    let has_status = sh != Shell::Elvish;
    if has_status {
        assert_eq!(st.status, "0", "{sh:?}");
        let st = s.state_after("rvenv deactivate");
        assert_eq!(st.status, "1", "{sh:?}: nothing to deactivate");
    }
    let step = s.run("rvenv deactivate");
    assert_eq!(
        count(&step.output, b"rvenv: no venv is active"),
        1,
        "{sh:?}"
    );

    // In a project: off sticks, `rvenv activate` brings it back.
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "shop");
    s.run("rvenv deactivate");
    s.run("cd sub");
    s.state().assert_off(&orig, "off in sub");
    let step = s.run("rvenv activate");
    step.assert_prompt(&prompt_with(b"shop"), "rvenv activate");
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "rvenv activate");
    // Not pinned: leaving turns it off.
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");

    // It replaces a venv activated by hand, through that venv's deactivate.
    if sh == Shell::Nushell {
        common::cannot_express(
            sh,
            "a venv activated by hand (CPython writes no activate.nu) is not tested here",
        );
    } else if matches!(sh, Shell::Elvish | Shell::Xonsh) {
        common::cannot_express(sh, common::NO_ACTIVATE);
    } else {
        replaces_hand_activated(&mut s, &tools, &other, &orig);
    }

    // Errors change nothing and say why.
    s.run(&sh.cd(&shop));
    let st = s.state_after("rvenv activate /nonexistent/dir");
    if has_status {
        assert_eq!(st.status, "1", "{sh:?}");
    }
    st.assert_on(
        &bytes(&shop_venv),
        b"shop",
        &orig,
        "after a failed activate",
    );
    let step = s.run("rvenv activate /nonexistent/dir");
    let out = lossy(&step.output);
    assert_eq!(
        out.lines()
            .filter(|l| l.trim_start_matches('\r').starts_with("rvenv: "))
            .count(),
        1,
        "{sh:?}: {out:?}"
    );
}

fn replaces_hand_activated(
    s: &mut Session,
    tools: &std::path::Path,
    other: &std::path::Path,
    orig: &[u8],
) {
    let sh = s.shell;
    s.run(&activate_script(sh, other));
    let step = s.run(&format!("rvenv activate {}", tools.display()));
    step.assert_prompt(&prompt_with(b"tools"), "over a hand-activated venv");
    unexport_ps1(s);
    s.state()
        .assert_on(&bytes(tools), b"tools", orig, "over a hand-activated venv");
    s.run("deactivate");
    s.state()
        .assert_off(orig, "deactivate after rvenv activate");
}

fn exit_status_is_kept(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/sub");
    let shop = shop.parent().unwrap().to_path_buf();
    fx.venv("shop/.venv");
    let prompt = match sh {
        Shell::Bash => "PS1='RVP $?> '",
        Shell::Zsh => "PS1='RVP %?> '",
        Shell::Fish => "function fish_prompt; printf 'RVP %s> ' $status; end",
        Shell::Xonsh => "$PROMPT = 'RVP {last_return_code}> '",
        // The driver types at the prompt's OSC 133;B mark.
        Shell::Tcsh => "set prompt = 'RVP %?> %{\x1b]133;B\x07%}'",
        Shell::Nushell => "$env.PROMPT_COMMAND = {|| $\"RVP ($env.LAST_EXIT_CODE)\" }",
        Shell::Elvish => {
            return common::cannot_express(sh, "a failed command raises an exception, no $?");
        }
        Shell::Powershell => common::no_hook(sh),
    };
    let mut s = Session::start(sh, &fx, Opts::before(prompt));
    let (fail, fail3, ok) = match sh {
        Shell::Fish | Shell::Xonsh => ("false", "sh -c 'exit 3'", "true"),
        // nushell's `false` and `true` are values, not commands.
        Shell::Nushell => ("^false", "^sh -c 'exit 3'", "^true"),
        _ => ("false", "(exit 3)", "true"),
    };

    // The hook starts rvenv at these prompts (enter, leave) or not (subdir).
    // xonsh stops a line at a failed cd, and nushell's state dump types
    // each line again: this one must work from shop/sub too.
    let into_sub = sh.cd(&shop.join("sub"));
    let cases = [
        (format!("{}; {fail}", sh.cd(&shop)), "1", "(shop) "),
        (format!("{into_sub}; {fail3}"), "3", "(shop) "),
        (format!("{}; {fail}", sh.cd(&fx.root)), "1", ""),
        (format!("{}; {ok}", sh.cd(&shop)), "0", "(shop) "),
        (format!("{}; {fail3}", sh.cd(&fx.root)), "3", ""),
    ];
    for (line, status, prefix) in cases {
        let step = s.run(&line);
        let want = format!("{prefix}RVP {status}> ");
        assert_eq!(step.prompt_str(), want, "{sh:?}: {line}");
        let st = s.state_after(&line);
        assert_eq!(st.status, status, "{sh:?}: $? after {line}");
    }
}

fn reloading_while_active(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    let step = s.run(&sh.hook_line());
    step.assert_prompt(&prompt_with(b"shop"), "reloaded");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "reloaded");
    s.run("cd ..");
    let step = s.run(&sh.hook_line());
    step.assert_prompt(PROMPT.as_bytes(), "left, reloaded");
    s.state().assert_off(&orig, "left, reloaded");
    s.run(&sh.cd(&shop));
    s.state().assert_on(&bytes(&venv), b"shop", &orig, "again");
}

/// The rc file read again while a venv is on (`source ~/.bashrc`), one that
/// sets the prompt before loading the hook (as most do, a theme's line or
/// a fish_prompt of their own): the venv stays on and its mark comes back
/// in front of the new prompt, once; leaving takes it off exactly.
#[test]
fn rc_that_sets_the_prompt_read_again_keeps_the_mark() {
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !sh.available() {
            continue;
        }
        let fx = common::Fixture::new();
        let shop = fx.dir("shop/sub");
        let shop = shop.parent().unwrap().to_path_buf();
        let venv = fx.venv("shop/.venv");
        let mut s = Session::start(sh, &fx, Opts::default());
        let orig = s.initial.path().to_vec();
        s.run(&sh.cd(&shop));
        let rc = match sh {
            Shell::Fish => format!(
                "function fish_prompt; printf '{PROMPT}'; end; {}",
                sh.hook_line()
            ),
            _ => format!("PS1='{PROMPT}'; {}", sh.hook_line()),
        };
        for round in 0..2 {
            let ctx = format!("{sh:?}: rc read again, {round}");
            let step = s.run(&rc);
            step.assert_prompt(&prompt_with(b"shop"), &ctx);
            s.state().assert_on(&bytes(&venv), b"shop", &orig, &ctx);
        }
        let step = s.run(&sh.cd(&shop.join("sub")));
        step.assert_prompt(&prompt_with(b"shop"), &format!("{sh:?}: sub"));
        let step = s.run(&sh.cd(&fx.root));
        step.assert_prompt(PROMPT.as_bytes(), &format!("{sh:?}: left"));
        s.state().assert_off(&orig, &format!("{sh:?}: left"));
        let step = s.run(&sh.cd(&shop));
        step.assert_prompt(&prompt_with(b"shop"), &format!("{sh:?}: again"));
    }
}

/// rvenv upgraded under a running shell: its hook (loaded from the old
/// rvenv) hands the new one another id. bash, zsh and fish get the new hook
/// and the crossing is decided by it at once; the other shells are told to
/// start a new shell, and nothing is half applied. Never an answer the old
/// hook cannot read ("unknown command" at every cd).
fn hook_from_another_rvenv(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    // The prompt shows $?: in the shells that reload, the command before
    // that prompt fails, and its status outlives the reload.
    let prompt = match sh {
        Shell::Bash => "PS1='RVP $?> '",
        Shell::Zsh => "PS1='RVP %?> '",
        Shell::Fish => "function fish_prompt; printf 'RVP %s> ' $status; end",
        _ => "",
    };
    let mut s = Session::start(sh, &fx, Opts::before(prompt));
    let orig = s.initial.path().to_vec();
    let stale = "0123456789abcdef";
    // What the old hook hands over as its id.
    let set_id = |id: &str| match sh {
        Shell::Bash | Shell::Zsh => format!("__rvenv_id={id}"),
        Shell::Fish => format!("set -g __rvenv_id {id}"),
        Shell::Tcsh => format!("set __rvenv_id = {id}"),
        Shell::Elvish => format!("__rvenv_s id {id}"),
        Shell::Nushell => format!("$env.__rvenv = ($env.__rvenv | upsert id {id})"),
        Shell::Xonsh => format!("__rvenv['st']['id'] = '{id}'"),
        Shell::Powershell => format!("$global:__rvenv.id = '{id}'"),
    };
    s.run(&set_id(stale));
    let reloads = matches!(sh, Shell::Bash | Shell::Zsh | Shell::Fish);
    let step = if reloads {
        s.run(&format!("{}; false", sh.cd(&shop)))
    } else {
        s.run(&sh.cd(&shop))
    };
    let out = lossy(&step.output);
    let said = if reloads {
        "another version of rvenv, installed since the shell started: loaded this one's"
    } else {
        "another version of rvenv, installed since the shell started; start a new"
    };
    assert_eq!(
        count(&step.output, said.as_bytes()),
        1,
        "{sh:?}: said once: {out}"
    );
    for bad in ["nknown", "not found", "rror"] {
        assert!(!out.contains(bad), "{sh:?}: {bad}: {out}");
    }
    if !reloads {
        s.state().assert_off(&orig, "told to start a new shell");
        let step = s.run(&sh.cd(&fx.root));
        let out = lossy(&step.output);
        for bad in ["nknown", "not found", "rror"] {
            assert!(!out.contains(bad), "{sh:?}: {bad}: {out}");
        }
        s.state().assert_off(&orig, "left");
        return;
    }
    assert_eq!(
        step.prompt_str(),
        "(shop) RVP 1> ",
        "{sh:?}: the new hook decided at once, $? kept"
    );
    // (The prompt is not the one assert_on knows: the venv is checked by
    // its variable and PATH.)
    let on = |s: &mut Session, ctx: &str| {
        let st = s.state();
        assert_eq!(
            st.var("VIRTUAL_ENV"),
            Some(bytes(&venv).as_slice()),
            "{sh:?}: {ctx}"
        );
        let first = st.path().split(|&b| b == b':').next().unwrap().to_vec();
        assert_eq!(first, bytes(venv.join("bin")), "{sh:?}: {ctx}");
    };
    let off = |s: &mut Session, ctx: &str| {
        let st = s.state();
        assert_eq!(st.var("VIRTUAL_ENV"), None, "{sh:?}: {ctx}");
        assert_eq!(st.path(), orig.as_slice(), "{sh:?}: {ctx}");
    };
    on(&mut s, "the new hook decided at once");
    // From then on the new hook answers, silently.
    let step = s.run(&sh.cd(&fx.root));
    let out = lossy(&step.output);
    assert!(!out.contains("another version"), "{sh:?}: once: {out}");
    assert_eq!(step.prompt_str(), "RVP 0> ", "{sh:?}: left");
    off(&mut s, "left");
    s.run(&sh.cd(&shop));
    on(&mut s, "again");
    let step = s.run("deactivate");
    assert_eq!(step.prompt_str(), "RVP 0> ", "{sh:?}: deactivated");
    off(&mut s, "deactivate of the new hook");
    // Upgraded while a venv is on: the hook loaded in its place keeps the
    // old one's record of it, and takes it off exactly on leaving.
    s.run(&sh.cd(&fx.root));
    s.run(&sh.cd(&shop));
    on(&mut s, "on before the next upgrade");
    s.run(&set_id(stale));
    let step = s.run(&sh.cd(&fx.root));
    assert_eq!(
        count(&step.output, said.as_bytes()),
        1,
        "{sh:?}: said once: {}",
        lossy(&step.output)
    );
    assert_eq!(step.prompt_str(), "RVP 0> ", "{sh:?}: left while on");
    off(&mut s, "left a venv the old hook put on");
}

fn user_aliases(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/sub");
    let shop = shop.parent().unwrap().to_path_buf();
    let shop_venv = fx.venv("shop/.venv");
    let tools = fx.venv("tools");
    let aliases = match sh {
        Shell::Fish => {
            // fish reserves `command` and `builtin`; wrapping cd is common.
            "function cd; echo hijacked; builtin cd $argv; end"
        }
        // tcsh refuses an alias that runs itself (`Alias loop`): chdir.
        Shell::Tcsh => "alias cd 'echo hijacked; chdir \\!*'",
        // A `def` shadows the builtin; an alias made first still names it.
        Shell::Nushell => {
            "alias __rvt_cd = cd\ndef --env cd [p: string] { print hijacked; __rvt_cd $p }"
        }
        // elvish has no aliases: a function of the same name shadows.
        Shell::Elvish => "var real-cd~ = $cd~\nedit:add-var cd~ {|@a| echo hijacked; real-cd $@a }",
        Shell::Xonsh => {
            "from xonsh import dirstack\n\
             aliases['cd'] = lambda args: (print('hijacked'), dirstack.cd(args))[1]"
        }
        _ => "alias cd='echo hijacked; cd'\nalias command=false\nalias builtin=false",
    };
    let mut s = Session::start(sh, &fx, Opts::before(aliases));
    let orig = s.initial.path().to_vec();
    let step = s.run(&sh.cd(&shop));
    assert_eq!(
        count(&step.output, b"hijacked\r\n"),
        1,
        "{sh:?}: alias in use"
    );
    step.assert_prompt(&prompt_with(b"shop"), "aliases");
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "aliases");
    s.run("cd sub");
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "sub");
    s.run(&format!("rvenv activate {}", tools.display()));
    s.state()
        .assert_on(&bytes(&tools), b"tools", &orig, "rvenv activate");
    s.run("rvenv deactivate");
    s.state().assert_off(&orig, "rvenv deactivate");
    s.run(&sh.cd(&fx.root));
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&shop_venv), b"shop", &orig, "again");
    s.run("deactivate");
    s.state().assert_off(&orig, "deactivate");
    let all = s.transcript();
    assert!(
        !all.contains("not found") && !all.contains("error") && !all.contains("is not"),
        "{sh:?}: errors:\n{all}"
    );
}

/// Options users set in their rc files must not break the hook.
fn unusual_shell_options(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/sub");
    let shop = shop.parent().unwrap().to_path_buf();
    let venv = fx.venv("shop/.venv");
    let opts = match sh {
        Shell::Bash => "set -u -o noclobber\nshopt -s nullglob failglob extglob globstar",
        Shell::Zsh => {
            "setopt nounset ksh_arrays sh_word_split glob_subst rc_expand_param \
             extended_glob no_clobber err_return warn_create_global no_function_argzero \
             posix_builtins auto_pushd cdable_vars"
        }
        Shell::Fish => "set -g fish_trace ''",
        Shell::Xonsh => {
            "$EXPAND_ENV_VARS = False\n$AUTO_PUSHD = True\n$XONSH_SUBPROC_ARG_EXPANDUSER = False"
        }
        Shell::Tcsh => "set noclobber noglob nonomatch implicitcd symlinks = chase",
        Shell::Elvish => return common::cannot_express(sh, "elvish has no shell options"),
        Shell::Nushell => {
            return common::cannot_express(sh, "nushell has no options that change how code runs");
        }
        Shell::Powershell => common::no_hook(sh),
    };
    let mut s = Session::start(sh, &fx, Opts::default().after(opts));
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
    s.run("cd sub");
    s.state().assert_on(&bytes(&venv), b"shop", &orig, "sub");
    s.run("deactivate");
    s.state().assert_off(&orig, "deactivated");
    s.run("rvenv activate");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "rvenv activate");
    fs::create_dir(shop.join("sub/.venv")).unwrap();
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
    let all = s.transcript();
    for bad in [
        "unbound",
        "parameter not set",
        "no match",
        "not found",
        "error",
    ] {
        assert!(!all.contains(bad), "{sh:?}: {bad:?} in:\n{all}");
    }
}

/// `rvenv activate` with a relative path means what `cd` would: `.` and
/// `..` taken lexically from the logical working directory, no trailing
/// slash kept.
#[test]
fn rvenv_activate_relative_paths_are_normalised() {
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !sh.available() {
            continue;
        }
        let fx = common::Fixture::new();
        fx.dir("real/shop/src");
        fx.venv("real/shop/.venv");
        std::os::unix::fs::symlink(fx.path("real"), fx.path("link")).unwrap();
        let shop = fx.path("link/shop");
        let venv = bytes(shop.join(".venv"));
        let mut s = Session::start(sh, &fx, Opts::default());
        let orig = s.initial.path().to_vec();
        s.run(&sh.cd(&shop.join("src")));
        for (line, ctx) in [
            ("rvenv activate ..", "rvenv activate .. from link/shop/src"),
            ("cd ..; rvenv activate ./.venv/", "rvenv activate ./.venv/"),
            ("rvenv activate src/..", "rvenv activate src/.."),
        ] {
            s.run(line);
            s.state().assert_on(&venv, b"shop", &orig, ctx);
            s.run("rvenv deactivate");
        }
    }
}

/// Ctrl-C while the hook waits for rvenv: it ends the wait (rvenv here
/// would sleep far longer than the test waits, so an ignored Ctrl-C fails
/// it), the venv is off at the next prompt, not half on; prompts in the
/// same place do not ask again (rvenv might never answer there: see
/// hook_blocking.rs), and the hook asks again once the user moves instead
/// of giving up on the project.
fn ctrl_c_during_the_hook(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut path = common::sleeping_rvenv(&fx, "slow").into_os_string();
    path.push(":");
    path.push(common::base_path());
    let mut s = Session::start(sh, &fx, Opts::default().env("PATH", path));
    let orig = s.initial.path().to_vec();

    fs::write(fx.home.join("slow"), "").unwrap();
    s.type_line(&sh.cd(&shop));
    let started = fx.home.join("started");
    common::wait_until_asleep(&s, &started, "the hook never started rvenv");
    fs::remove_file(fx.home.join("slow")).unwrap();
    s.type_bytes(b"\x03");
    // Times out (common::TIMEOUT) unless Ctrl-C ended the wait.
    s.state().assert_off(&orig, "off after Ctrl-C");
    let step = s.run("");
    step.assert_prompt(PROMPT.as_bytes(), "a later prompt, same place");
    s.state().assert_off(&orig, "a later prompt, same place");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
    let step = s.run(&sh.cd(&shop));
    step.assert_prompt(&prompt_with(b"shop"), "back");
    s.state().assert_on(&bytes(&venv), b"shop", &orig, "back");
}

/// A prompt the user (or a theme) sets while a venv is on is theirs:
/// leaving keeps it, and the next venv prefixes it.
fn prompt_changed_while_active_is_kept(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    let set = match sh {
        Shell::Fish => "function fish_prompt; printf 'NEW> '; end",
        Shell::Tcsh => "set prompt = 'NEW> %{\x1b]133;B\x07%}'",
        Shell::Nushell => "$env.PROMPT_COMMAND = {|| 'NEW' }",
        Shell::Elvish => "set edit:prompt = { put 'NEW> ' }",
        Shell::Xonsh => "$PROMPT = 'NEW> '",
        _ => "PS1='NEW> '",
    };
    let step = s.run(set);
    // elvish's and xonsh's hooks wrap the prompt (a function, a format)
    // rather than edit it: a new one is wrapped at once.
    let own = match sh {
        Shell::Elvish | Shell::Xonsh => "(shop) NEW> ",
        _ => "NEW> ",
    };
    assert_eq!(step.prompt_str(), own, "{sh:?}: the user's own prompt");
    let step = s.run(&sh.cd(&fx.root));
    assert_eq!(step.prompt_str(), "NEW> ", "{sh:?}: kept on leaving");
    let st = s.state();
    assert_eq!(st.var("VIRTUAL_ENV"), None, "{sh:?}");
    assert_eq!(st.path(), &orig[..], "{sh:?}");
    if let Some(ps1) = &st.ps1 {
        assert_eq!(lossy(ps1), "NEW> ", "{sh:?}: PS1");
    }
    let step = s.run(&sh.cd(&shop));
    assert_eq!(step.prompt_str(), "(shop) NEW> ", "{sh:?}: prefixed again");
    s.state().assert_on(&bytes(&venv), b"shop", &orig, "again");
    let step = s.run(&sh.cd(&fx.root));
    assert_eq!(step.prompt_str(), "NEW> ", "{sh:?}: left again");
}

/// `rvenv create` through the shell function: on at once, no cd needed.
fn rvenv_create_activates_at_once(sh: Shell) {
    let fx = common::Fixture::new();
    let proj = fx.dir("proj");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&proj));
    let st = s.state_after("rvenv create");
    assert_eq!(st.status, "0", "{sh:?}: {}", s.transcript());
    st.assert_on(&bytes(proj.join(".venv")), b"proj", &orig, "created");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
}

/// The hook's fast path: a prompt where nothing changed, or a cd that
/// cannot change the venv, starts no process at all (every fork and exec of
/// the shell is counted, under strace); entering or leaving starts rvenv
/// once.
fn rvenv_starts_only_when_something_may_change(sh: Shell) {
    if common::which("strace").is_none() {
        return common::skip("strace is not installed (apt-get install -y strace)");
    }
    let fx = common::Fixture::new();
    let shop = fx.dir("shop/a/b");
    let shop = shop.parent().unwrap().parent().unwrap().to_path_buf();
    let venv = fx.venv("shop/.venv");
    fx.dir("plain/x");
    // Glob's and the shells' special characters: the walk up must not take
    // them as a pattern.
    let odd = fx.dir("shop/g*?[x] $b/y");
    // An rvenv that logs each __hook call.
    let countbin = fx.dir("countbin");
    let wrapper = countbin.join("rvenv");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n\
             [ \"$1\" = __hook ] && echo \"$3\" >>\"$HOME/calls\"\n\
             exec '{}' \"$@\"\n",
            common::rvenv_bin().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    let mut path = countbin.into_os_string();
    path.push(":");
    path.push(common::base_path());
    let mut s = Session::start(sh, &fx, Opts::default().env("PATH", path).traced());
    let orig = s.initial.path().to_vec();
    let calls = || {
        fs::read_to_string(fx.home.join("calls"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let steps = [
        ("".to_string(), 0, "a prompt"),
        ("".to_string(), 0, "another prompt"),
        (sh.cd(&shop), 1, "entering"),
        ("".to_string(), 0, "a prompt in the project"),
        ("cd a/b".to_string(), 0, "a subdirectory"),
        ("cd ..".to_string(), 0, "up, still inside"),
        ("cd ..".to_string(), 0, "the project root"),
        (
            sh.cd(&odd),
            0,
            "a subdirectory named with special characters",
        ),
        (sh.cd(&shop), 0, "the project root again"),
        (sh.cd(&fx.root), 1, "leaving"),
        (sh.cd(&fx.path("plain/x")), 0, "a directory in no project"),
        ("cd /".to_string(), 0, "up to /"),
        (sh.cd(&shop.join("a")), 1, "entering a subdirectory"),
    ];
    for (line, want, ctx) in steps {
        let before = calls();
        let started = s.processes();
        s.run(&line);
        assert_eq!(
            calls() - before,
            want,
            "{sh:?}: rvenv runs for {ctx} ({line:?})"
        );
        let processes = s.processes() - started;
        if want == 0 {
            assert_eq!(
                processes, 0,
                "{sh:?}: processes started for {ctx} ({line:?})"
            );
        } else {
            assert!(processes > 0, "{sh:?}: strace saw rvenv start for {ctx}");
        }
    }
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
}

/// The venv's own directory is inside its project: `deactivate` sticks
/// there too.
#[test]
fn deactivate_sticks_inside_the_venv_dir() {
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !sh.available() {
            continue;
        }
        let fx = common::Fixture::new();
        let shop = fx.dir("shop");
        fx.venv("shop/.venv");
        let mut s = Session::start(sh, &fx, Opts::default());
        let orig = s.initial.path().to_vec();
        s.run(&sh.cd(&shop));
        s.run("deactivate");
        s.run("cd .venv/bin");
        s.state().assert_off(&orig, "in .venv/bin after deactivate");
        s.run("cd ../..");
        s.state().assert_off(&orig, "back in the project root");
    }
}

/// Ctrl-C in the middle of applying rvenv's answer (between the steps of
/// an activation): the next prompt undoes the half-applied part and
/// decides again, so the venv ends up fully on, its bin on PATH once.
fn answer_cut_short_is_undone(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    let v = venv.display();
    // What an interrupted answer leaves: begun, venv recorded, VIRTUAL_ENV
    // and PATH changed, nothing else (no prompt, no deactivate, no state).
    let cut = match sh {
        Shell::Fish => format!(
            "__rvenv_begin; set -g __rvenv_venv '{v}'; set -g __rvenv_path_entry '{v}/bin'; \
             set -gx VIRTUAL_ENV '{v}'; set -gx PATH '{v}/bin' $PATH; builtin cd '{}'",
            shop.display()
        ),
        Shell::Tcsh => format!(
            "source $__rvenv_lib:q/__rvenv_begin __rvenv_begin; set __rvenv_venv = '{v}'; \
             set __rvenv_path_entry = '{v}/bin'; setenv VIRTUAL_ENV '{v}'; \
             setenv PATH '{v}/bin':\"$PATH\"; cd '{}'",
            shop.display()
        ),
        Shell::Nushell => format!(
            "__rvenv_apply [{{op: __rvenv_begin, args: []}}]; $env.__rvenv.venv = '{v}'; \
             $env.__rvenv.path_entry = '{v}/bin'; $env.VIRTUAL_ENV = '{v}'; \
             $env.PATH = ($env.PATH | prepend '{v}/bin'); cd '{}'",
            shop.display()
        ),
        // The hook's state is in closures: reached through what the hook
        // keeps for its second load.
        Shell::Elvish => format!(
            "$__rvenv_ops[begin]; __rvenv_s venv '{v}'; __rvenv_s path_entry '{v}/bin'; \
             set-env VIRTUAL_ENV '{v}'; set-env PATH '{v}/bin:'$E:PATH; cd '{}'",
            shop.display()
        ),
        Shell::Xonsh => format!(
            "__rvenv['ops']['__rvenv_begin'](); __rvenv['st']['venv'] = '{v}'; \
             __rvenv['st']['path_entry'] = '{v}/bin'; $VIRTUAL_ENV = '{v}'; \
             $PATH.insert(0, '{v}/bin'); cd '{}'",
            shop.display()
        ),
        _ => format!(
            "__rvenv_begin; __rvenv_venv='{v}'; __rvenv_path_entry='{v}/bin'; \
             export VIRTUAL_ENV='{v}'; PATH='{v}/bin':$PATH; builtin cd '{}'",
            shop.display()
        ),
    };
    let step = s.run(&cut);
    step.assert_prompt(&prompt_with(b"shop"), "after the cut answer");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "repaired and on");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
}

/// Ctrl-C after an answer recorded its venv but before its PATH step: the
/// undo takes nothing off PATH, not even an empty element (the user's: it
/// matches the entry not yet recorded), and the venv ends up on once.
fn answer_cut_before_its_path_step_keeps_path(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let mut orig = s.initial.path().to_vec();
    // fish writes an empty element as `.`.
    orig.extend_from_slice(if sh == Shell::Fish { b":." } else { b":" });
    let v = venv.display();
    let cut = match sh {
        Shell::Fish => format!(
            "set -gx PATH $PATH ''; __rvenv_begin; __rvenv_own '{v}'; \
             __rvenv_set VIRTUAL_ENV '{v}'; builtin cd '{}'",
            shop.display()
        ),
        Shell::Tcsh => format!(
            "setenv PATH \"${{PATH}}:\"; source $__rvenv_lib:q/__rvenv_begin __rvenv_begin; \
             source $__rvenv_lib:q/__rvenv_own __rvenv_own '{v}'; \
             source $__rvenv_lib:q/__rvenv_set __rvenv_set VIRTUAL_ENV '{v}'; cd '{}'",
            shop.display()
        ),
        Shell::Nushell => format!(
            "$env.PATH = ($env.PATH | append ''); __rvenv_apply [{{op: __rvenv_begin, args: []}} \
             {{op: __rvenv_own, args: ['{v}']}} {{op: __rvenv_set, args: [VIRTUAL_ENV '{v}']}}]; \
             cd '{}'",
            shop.display()
        ),
        Shell::Elvish => format!(
            "set-env PATH $E:PATH':'; $__rvenv_ops[begin]; $__rvenv_ops[own] '{v}'; \
             $__rvenv_ops[set] VIRTUAL_ENV '{v}'; cd '{}'",
            shop.display()
        ),
        Shell::Xonsh => format!(
            "$PATH.append(''); __rvenv['ops']['__rvenv_begin'](); \
             __rvenv['ops']['__rvenv_own']('{v}'); \
             __rvenv['ops']['__rvenv_set']('VIRTUAL_ENV', '{v}'); cd '{}'",
            shop.display()
        ),
        _ => format!(
            "PATH=$PATH:; __rvenv_begin; __rvenv_own '{v}'; \
             __rvenv_set VIRTUAL_ENV '{v}'; builtin cd '{}'",
            shop.display()
        ),
    };
    let step = s.run(&cut);
    step.assert_prompt(&prompt_with(b"shop"), "after the cut answer");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "repaired and on");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
}

/// Ctrl-C in the middle of a deactivation rvenv sent (its PATH entry off,
/// the venv still recorded): the next prompt finishes it and decides
/// again. Cut where the venv still holds, so that only the finished undo
/// (not a later answer) puts it back on whole.
fn deactivation_cut_short_is_finished(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
    let v = venv.display();
    let cut = match sh {
        // tcsh's undo is one operation: its first step by hand (PATH as
        // it was before the venv went on).
        Shell::Tcsh => format!(
            "source $__rvenv_lib:q/__rvenv_begin __rvenv_begin; setenv PATH '{}'",
            lossy(&orig)
        ),
        Shell::Nushell => format!(
            "__rvenv_apply [{{op: __rvenv_begin, args: []}} \
             {{op: __rvenv_path_remove, args: ['{v}/bin']}} \
             {{op: __rvenv_restore_pythonhome, args: []}}]"
        ),
        Shell::Elvish => format!(
            "$__rvenv_ops[begin]; $__rvenv_ops[path_remove] '{v}/bin'; \
             $__rvenv_ops[restore_pythonhome]"
        ),
        Shell::Xonsh => format!(
            "__rvenv['ops']['__rvenv_begin'](); \
             __rvenv['ops']['__rvenv_path_remove']('{v}/bin'); \
             __rvenv['ops']['__rvenv_restore_pythonhome']()"
        ),
        _ => format!("__rvenv_begin; __rvenv_path_remove '{v}/bin'; __rvenv_restore_pythonhome"),
    };
    let step = s.run(&cut);
    step.assert_prompt(&prompt_with(b"shop"), "after the cut deactivation");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "finished, then on again");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "left");
}

/// `rvenv activate` after `deactivate` in a project turns the venv back on
/// for good: the next time the hook asks rvenv (here: a marker file appears
/// in the cwd), the venv stays on.
fn rvenv_activate_ends_a_deactivate(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    s.run("deactivate");
    s.state().assert_off(&orig, "deactivated");
    s.run("rvenv activate");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "activated again");
    fs::write(shop.join("pyproject.toml"), "[project]\nname = 'shop'\n").unwrap();
    s.run("");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "after rvenv looked again");
}

/// The user sources the activate script of the very venv the hook has on:
/// from then on it is theirs (its bin on PATH once, no prefix of ours in
/// the prompt or in what it saved), leaving the project does not touch it,
/// and once its own deactivate ran the hook takes over again.
fn same_venv_activated_by_hand_over_ours(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    s.run(&activate_script(sh, &venv));
    s.run("");
    let st = s.state();
    let bin = cat(&[&bytes(&venv), b"/bin"]);
    assert_eq!(st.var("VIRTUAL_ENV"), Some(&bytes(&venv)[..]), "{sh:?}");
    assert_eq!(
        st.path_entries().iter().filter(|e| **e == &bin[..]).count(),
        1,
        "{sh:?}: the venv's bin once on PATH: {}",
        lossy(st.path())
    );
    let step = s.run(&sh.cd(&fx.root));
    assert_eq!(
        s.state().var("VIRTUAL_ENV"),
        Some(&bytes(&venv)[..]),
        "{sh:?}: still the user's after leaving: {}",
        lossy(&step.output)
    );
    s.run("deactivate");
    unexport_ps1(&mut s);
    s.state().assert_off(&orig, "its own deactivate");
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "the hook's again");
}

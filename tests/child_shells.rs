//! Issue 13: the shells people really have. A child interactive shell
//! started on the same terminal (`bash`, `zsh`, `fish`, any under any),
//! with the hook in its rc file, inherits the parent's exported
//! environment: a venv the parent's hook activated is adopted (prompt
//! marked, `deactivate` defined, leaving removes exactly its PATH entry); a
//! venv activated by hand stays the user's, with a `deactivate` that works;
//! the venv's bin/ is kept first on PATH; conda's switches win; scripts are
//! never touched.

mod common;
use common::Drive;

use std::path::Path;

use common::{Opts, PROMPT, Session, Shell, bytes, lossy, prompt_with};

shell_tests!(
    child_of_the_same_shell_adopts,
    child_started_elsewhere_sets_itself_right,
    hand_venv_stays_the_users_in_a_child,
    venv_stays_first_on_path,
    scripts_never_run_the_hook,
    deactivate_and_pin_carry_into_a_child,
    child_gives_back_the_pythonhome_set_aside,
    adopted_venv_made_again_goes_off,
);

/// The venv a child shell adopted from its parent's hook is made again
/// between two of the child's prompts (no `cd`): the child's next prompt
/// judges the new venv, which was never allowed, and takes it off with its
/// line, as a shell that activated it itself does.
fn adopted_venv_made_again_goes_off(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let untrusted = || Opts::default().env("RVENV_TRUSTED_DIRS", "");
    let mut s = Session::start(sh, &fx, untrusted());
    let orig = s.initial.path().to_vec();
    s.run(&format!("rvenv allow {}", venv.display()));
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "parent entered");
    // Made again at once after the child's first prompt, the one that
    // adopted the venv (an answer that must already watch it).
    s.nest(sh, None, untrusted());
    common::next_second_in_tcsh(sh);
    std::fs::remove_dir_all(&venv).unwrap();
    fx.venv("shop/.venv");
    let step = s.run("");
    step.assert_prompt(PROMPT.as_bytes(), "child, made again");
    let said = String::from_utf8_lossy(&step.output);
    assert_eq!(
        said.matches("was replaced since you allowed it").count(),
        1,
        "{sh:?}: {said:?}"
    );
    s.state().assert_off(&orig, "child, made again");
}

fn path_without(path: &[u8], entry: &Path) -> Vec<u8> {
    let entry = bytes(entry.join("bin"));
    let kept: Vec<&[u8]> = path
        .split(|&b| b == b':')
        .filter(|e| *e != &entry[..])
        .collect();
    kept.join(&b':')
}

fn child_of_the_same_shell_adopts(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let blog = fx.dir("blog");
    let blog_venv = fx.venv("blog/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "parent entered");

    s.nest(sh, None, Opts::default());
    let step = s.run(sh.true_command());
    step.assert_prompt(&prompt_with(b"shop"), "child's prompt");
    // Adopted: the same venv, its entry once and first, deactivate defined.
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "child adopted");

    let step = s.run(&sh.cd(&blog));
    step.assert_prompt(&prompt_with(b"blog"), "child switched");
    s.state()
        .assert_on(&bytes(&blog_venv), b"blog", &orig, "child switched");
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "child back");
    // `deactivate` in the child is the hook's: it stays off in the project.
    s.run("deactivate");
    s.state().assert_off(&orig, "child deactivated");
    s.run(&sh.cd(&shop.join(".venv")));
    s.state().assert_off(&orig, "child still off");
    let step = s.run(&sh.cd(&fx.root));
    step.assert_prompt(PROMPT.as_bytes(), "child left");
    s.state().assert_off(&orig, "child left");

    s.exit_to(sh);
    // The parent is as the child found it.
    let step = s.run(sh.true_command());
    step.assert_prompt(&prompt_with(b"shop"), "parent after the child");
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "parent after the child");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "parent left");
}

/// A pane or window opened in another directory drops or switches the
/// inherited venv at its first prompt, before the user types anything.
fn child_started_elsewhere_sets_itself_right(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let blog = fx.dir("blog");
    let blog_venv = fx.venv("blog/.venv");
    let elsewhere = fx.dir("elsewhere");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));

    s.nest(sh, Some(&elsewhere), Opts::default());
    s.state()
        .assert_off(&orig, "child started outside any project");
    s.exit_to(sh);
    s.state().assert_on(&bytes(&venv), b"shop", &orig, "parent");

    s.nest(sh, Some(&blog), Opts::default());
    s.state()
        .assert_on(&bytes(&blog_venv), b"blog", &orig, "child started in blog");
    s.exit_to(sh);
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "parent again");
}

/// A venv activated by hand in the parent stays the user's in the child:
/// the hook leaves it on across projects, and `deactivate` (the activate
/// script's did not come along) removes exactly its bin/ and variables.
fn hand_venv_stays_the_users_in_a_child(sh: Shell) {
    let fx = common::Fixture::new();
    let hand = fx.venv("tools/env");
    let blog = fx.dir("blog");
    fx.venv("blog/.venv");
    // CPython writes no activate script for elvish or xonsh: there the
    // venv is activated by hand in a parent bash (an IDE's terminal, say).
    let parent_sh = match sh {
        Shell::Elvish | Shell::Xonsh => Shell::Bash,
        _ => sh,
    };
    let mut s = Session::start(parent_sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    let activate = match sh {
        Shell::Fish => hand.join("bin/activate.fish"),
        Shell::Tcsh => hand.join("bin/activate.csh"),
        _ => hand.join("bin/activate"),
    };
    let activate = match sh {
        // CPython writes no activate.nu: what an activate script does to
        // the environment a child inherits (the subject here).
        Shell::Nushell => format!(
            "$env.VIRTUAL_ENV = '{h}'; $env.PATH = ($env.PATH | prepend '{h}/bin')",
            h = hand.display()
        ),
        _ => parent_sh.source(&activate),
    };
    s.run(&activate);
    let parent = s.state();
    assert_eq!(parent.var("VIRTUAL_ENV"), Some(&bytes(&hand)[..]));

    s.nest(sh, None, Opts::default());
    let child = s.state();
    assert_eq!(child.var("VIRTUAL_ENV"), Some(&bytes(&hand)[..]), "child");
    assert_eq!(child.path(), parent.path(), "child's PATH untouched");
    s.run(&sh.cd(&blog));
    let in_blog = s.state();
    assert_eq!(
        in_blog.var("VIRTUAL_ENV"),
        Some(&bytes(&hand)[..]),
        "the hook leaves the user's venv on in a project"
    );
    assert!(in_blog.has_deactivate, "deactivate defined in the child");
    s.run(&sh.cd(&fx.root));
    s.run("deactivate");
    let after = s.state();
    assert_eq!(after.var("VIRTUAL_ENV"), None, "deactivate unset it");
    assert_eq!(after.var("VIRTUAL_ENV_PROMPT"), None);
    assert_eq!(
        lossy(after.path()),
        lossy(&path_without(parent.path(), &hand)),
        "deactivate removed exactly its bin/"
    );
    assert_eq!(after.path(), &orig[..], "PATH as before the activation");
    assert!(!after.has_deactivate, "deactivate removed itself");
    s.exit_to(parent_sh);
    let back = s.state();
    assert_eq!(back.var("VIRTUAL_ENV"), Some(&bytes(&hand)[..]), "parent");
}

/// Entries put before the venv's bin/ (an rc file read again with pyenv's
/// init, a profile) are followed at the next prompt by the venv's bin/
/// first again, every other entry in its order.
fn venv_stays_first_on_path(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let shims = fx.dir("pyenv/shims");
    // What `eval "$(pyenv init -)"` in an rc file does: shims in front.
    let shims_s = shims.to_str().unwrap();
    let prepend = match sh {
        Shell::Fish => format!("set -gx PATH '{shims_s}' $PATH"),
        Shell::Tcsh => format!("setenv PATH '{shims_s}':\"$PATH\""),
        Shell::Nushell => format!("$env.PATH = ($env.PATH | prepend '{shims_s}')"),
        Shell::Elvish => format!("set-env PATH '{shims_s}:'$E:PATH"),
        Shell::Xonsh => format!("$PATH.insert(0, '{shims_s}')"),
        _ => format!("export PATH='{shims_s}':\"$PATH\""),
    };
    let mut s = Session::start(sh, &fx, Opts::before(prepend.clone()));
    let orig = s.initial.path().to_vec();
    assert!(orig.starts_with(&bytes(&shims)), "{sh:?}: shims first");
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "entered");
    // The rc file read again: the shims go in front once more, where they
    // already were further down.
    s.run(&prepend);
    let mut rest = bytes(&shims);
    rest.push(b':');
    rest.extend_from_slice(&orig);
    s.state()
        .assert_on(&bytes(&venv), b"shop", &rest, "bin/ first again");
    // Reading the rc file (hook included) again changes nothing more.
    s.run(&prepend);
    let mut twice = bytes(&shims);
    twice.push(b':');
    twice.extend_from_slice(&rest);
    s.state()
        .assert_on(&bytes(&venv), b"shop", &twice, "after a second prepend");
    // The whole rc file read again (`source ~/.bashrc`): pyenv's line and
    // the hook's. The venv stays on, first on PATH, its name once in the
    // prompt.
    s.run(&format!("{prepend}\n{}", sh.hook_line()));
    let mut thrice = bytes(&shims);
    thrice.push(b':');
    thrice.extend_from_slice(&twice);
    let step = s.run(sh.true_command());
    step.assert_prompt(&prompt_with(b"shop"), "after the rc file was read again");
    s.state().assert_on(
        &bytes(&venv),
        b"shop",
        &thrice,
        "after the rc file was read again",
    );
    // Leaving removes exactly the venv's entry.
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&thrice, "left");
}

/// Scripts (a non-interactive shell that loads the same rc file) never run
/// the hook, whatever the environment they inherit holds.
fn scripts_never_run_the_hook(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let other = fx.venv("other/.venv");
    let rc = fx.root.join("script-rc");
    std::fs::write(&rc, format!("{}\n", sh.hook_line())).unwrap();
    let out = fx.root.join("script-out");
    let script = match sh {
        // Run as a script of the shell with the hook loaded, as a user's
        // rc would (neither reads its rc for a script).
        Shell::Xonsh => format!(
            "execx(open('{}').read()); cd '{}'; /usr/bin/env >'{}'",
            rc.display(),
            shop.display(),
            out.display()
        ),
        Shell::Fish | Shell::Tcsh => format!(
            "source '{}'; cd '{}'; /usr/bin/env >'{}'",
            rc.display(),
            shop.display(),
            out.display()
        ),
        // nushell sources at parse time: the hook is saved first.
        Shell::Nushell => {
            let (ok, hook, err) = common::run_cmd(
                &fx,
                &[
                    common::rvenv_bin().as_os_str(),
                    "hook".as_ref(),
                    "nu".as_ref(),
                ],
                &[],
            );
            assert!(ok, "{}", lossy(&err));
            std::fs::write(&rc, hook).unwrap();
            format!(
                "source '{}'; cd '{}'; ^/usr/bin/env o> '{}'",
                rc.display(),
                shop.display(),
                out.display()
            )
        }
        _ => format!(
            ". '{}'; cd '{}'; /usr/bin/env >'{}'",
            rc.display(),
            shop.display(),
            out.display()
        ),
    };
    // An inherited environment a hook would act on: another venv that a
    // parent's hook activated.
    let path = format!(
        "{}/bin:{}",
        other.display(),
        common::base_path().to_str().unwrap()
    );
    let program = sh.program().unwrap();
    let status = std::process::Command::new(&program)
        .args(sh.script_argv())
        .arg("-c")
        .arg(&script)
        .env_clear()
        .env("HOME", &fx.home)
        .env("PATH", &path)
        .env("VIRTUAL_ENV", &other)
        .env("__RVENV_VENV", &other)
        .env("RVENV_TRUSTED_DIRS", &fx.root)
        .status()
        .unwrap();
    assert!(status.success(), "{sh:?}: the script failed");
    let env = String::from_utf8(std::fs::read(&out).unwrap()).unwrap();
    assert!(
        env.contains(&format!("\nPATH={path}\n")) || env.starts_with(&format!("PATH={path}\n")),
        "{sh:?}: PATH changed in a script:\n{env}"
    );
    assert!(
        env.contains(&format!("VIRTUAL_ENV={}\n", other.display())),
        "{sh:?}: VIRTUAL_ENV changed in a script:\n{env}"
    );
    assert!(
        !env.contains(&format!("{}", venv.display())),
        "{sh:?}: the project's venv reached a script:\n{env}"
    );
}

/// bash → zsh → fish → bash, the hook in each rc file: each child adopts
/// the venv its parent's hook has on, enters, leaves and switches by
/// itself, and each parent is as it was when its child exits.
#[test]
fn nested_bash_zsh_fish_bash() {
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !sh.available() {
            return;
        }
    }
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let shop_venv = fx.venv("shop/.venv");
    let blog = fx.dir("blog");
    let blog_venv = fx.venv("blog/.venv");
    let mut s = Session::start(Shell::Bash, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    let (shop_b, blog_b) = (bytes(&shop_venv), bytes(&blog_venv));
    // A PYTHONHOME set aside in bash travels down the chain, each shell
    // giving it back where its venv goes off.
    s.run(&Shell::Bash.export("PYTHONHOME", "/py home"));
    let pythonhome = |s: &mut Session| s.state().var("PYTHONHOME").map(lossy);
    s.run(&Shell::Bash.cd(&shop));
    s.state().assert_on(&shop_b, b"shop", &orig, "bash");

    s.nest(Shell::Zsh, None, Opts::default());
    s.state().assert_on(&shop_b, b"shop", &orig, "zsh adopted");
    s.run(&Shell::Zsh.cd(&blog));
    s.state().assert_on(&blog_b, b"blog", &orig, "zsh switched");

    s.nest(Shell::Fish, None, Opts::default());
    s.state().assert_on(&blog_b, b"blog", &orig, "fish adopted");
    s.run(&Shell::Fish.cd(&shop));
    s.state()
        .assert_on(&shop_b, b"shop", &orig, "fish switched");

    s.nest(Shell::Bash, None, Opts::default());
    s.state()
        .assert_on(&shop_b, b"shop", &orig, "inner bash adopted");
    assert_eq!(pythonhome(&mut s), None, "inner bash adopted");
    s.run(&Shell::Bash.cd(&fx.root));
    s.state().assert_off(&orig, "inner bash left");
    assert_eq!(
        pythonhome(&mut s).as_deref(),
        Some("/py home"),
        "inner bash left"
    );

    s.exit_to(Shell::Fish);
    s.state()
        .assert_on(&shop_b, b"shop", &orig, "fish after its child");
    s.exit_to(Shell::Zsh);
    s.state()
        .assert_on(&blog_b, b"blog", &orig, "zsh after its child");
    s.run(&Shell::Zsh.cd(&fx.root));
    s.state().assert_off(&orig, "zsh left");
    assert_eq!(pythonhome(&mut s).as_deref(), Some("/py home"), "zsh left");
    s.exit_to(Shell::Bash);
    s.state()
        .assert_on(&shop_b, b"shop", &orig, "bash after its child");
}

/// What conda's own shell functions do to the environment, reproduced
/// (conda cannot be installed on these machines: no network for its
/// installer): `conda activate X` sets CONDA_PREFIX, CONDA_DEFAULT_ENV and
/// CONDA_SHLVL and replaces the current environment's bin/ on PATH with
/// X's in front; `conda deactivate` does the reverse, back to base.
const FAKE_CONDA: &str = r#"
__conda_bin() { printf '%s/bin' "$1"; }
conda() {
    local new
    case $1 in
    activate) new=$CONDA_ROOT/envs/$2 ;;
    deactivate) new=$CONDA_ROOT ;;
    esac
    local old; old=$(__conda_bin "$CONDA_PREFIX")
    local p=":$PATH:"
    p=${p/":$old:"/:}
    p=${p#:}; p=${p%:}
    export PATH="$(__conda_bin "$new"):$p"
    export CONDA_PREFIX=$new
    if [ "$1" = activate ]; then export CONDA_DEFAULT_ENV=$2; else export CONDA_DEFAULT_ENV=base; fi
    export CONDA_SHLVL=1
}
export CONDA_PREFIX=$CONDA_ROOT CONDA_DEFAULT_ENV=base CONDA_SHLVL=1
export PATH="$CONDA_ROOT/bin:$PATH"
"#;

/// conda's base auto-activated: a project's venv goes on over it and
/// leaving restores conda's PATH exactly; `conda activate X` in the project
/// is the user's choice (X first, left alone); after `conda deactivate` the
/// hook decides afresh (the venv first again).
#[test]
fn conda_base_and_conda_activate() {
    for sh in [Shell::Bash, Shell::Zsh] {
        if !sh.available() {
            continue;
        }
        let fx = common::Fixture::new();
        let shop = fx.dir("shop");
        let venv = fx.venv("shop/.venv");
        let conda = fx.dir("conda");
        fx.dir("conda/bin");
        fx.dir("conda/envs/data/bin");
        let opts = Opts::before(FAKE_CONDA).env("CONDA_ROOT", &conda);
        let mut s = Session::start(sh, &fx, opts);
        let orig = s.initial.path().to_vec();
        let conda_bin = bytes(conda.join("bin"));
        assert!(orig.starts_with(&conda_bin), "{sh:?}: conda's base first");
        s.run(&sh.cd(&shop));
        s.state()
            .assert_on(&bytes(&venv), b"shop", &orig, "over conda's base");
        s.run("conda activate data");
        let data_bin = bytes(conda.join("envs/data/bin"));
        let st = s.state();
        assert!(
            st.path().starts_with(&data_bin),
            "{sh:?}: conda's env first, left alone: {}",
            lossy(st.path())
        );
        assert_eq!(st.var("VIRTUAL_ENV"), Some(&bytes(&venv)[..]));
        let st = s.state();
        assert!(st.path().starts_with(&data_bin), "{sh:?}: still first");
        s.run("conda deactivate");
        s.state()
            .assert_on(&bytes(&venv), b"shop", &orig, "after conda deactivate");
        s.run(&sh.cd(&fx.root));
        s.state().assert_off(&orig, "left: conda's PATH exactly");
    }
}

/// `rvenv status` in a child tells an adopted venv, a venv of the user's,
/// and one whose bin/ is not first on PATH any more.
#[test]
fn status_tells_inherited_venvs() {
    let sh = Shell::Bash;
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    fx.venv("shop/.venv");
    let hand = fx.venv("tools/env");
    let mut s = Session::start(sh, &fx, Opts::default());
    s.run(&sh.cd(&shop));
    s.nest(sh, None, Opts::default());
    let out = s.capture("rvenv status");
    assert!(
        lossy(&out).contains("activated by rvenv"),
        "adopted: {}",
        lossy(&out)
    );
    s.exit_to(sh);
    s.run(&sh.cd(&fx.root));
    s.run(&sh.source(&hand.join("bin/activate")));
    s.nest(sh, None, Opts::default());
    let out = lossy(&s.capture("rvenv status"));
    assert!(out.contains("activated by hand"), "hand: {out}");
    // A shell without the hook that inherited the hook's venv.
    s.run("deactivate");
    s.exit_to(sh);
    s.run("deactivate");
    s.run(&sh.cd(&shop));
    let out =
        lossy(&s.capture("env PATH=/usr/bin:/bin:\"${PATH#*:}\" \"$(type -P rvenv)\" status"));
    assert!(
        out.contains("inherited from a parent shell's rvenv hook"),
        "{out}"
    );
    assert!(
        out.contains("stale: its bin/ is not first on PATH"),
        "{out}"
    );
}

/// The tmux server started from a shell whose hook has a venv on keeps
/// that environment, and starts login shells (Debian's /etc/profile sets
/// PATH afresh, the profile puts rvenv's directory back and loads the
/// hook): a window opened elsewhere drops the venv, one in another project
/// switches, a pane in the project adopts it with its bin/ first again, each
/// at its first prompt, before anything is typed but the dump.
#[test]
fn tmux_windows_and_panes() {
    let Some(tmux) = common::which("tmux") else {
        common::skip("tmux is not installed (apt-get install -y tmux)");
        return;
    };
    let sh = Shell::Bash;
    if !sh.available() {
        return;
    }
    let fx = common::Fixture::new();
    let Windows {
        shop,
        venv,
        blog,
        blog_venv,
        elsewhere,
    } = Windows::new(&fx);
    let conf = fx.root.join("tmux.conf");
    let bash = sh.program().unwrap();
    std::fs::write(
        &conf,
        format!("set -g default-shell '{}'\n", bash.display()),
    )
    .unwrap();
    let socket = format!("rvenv-test-{}", std::process::id());
    struct Server(std::path::PathBuf, String);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = std::process::Command::new(&self.0)
                .args(["-L", &self.1, "kill-server"])
                .status();
        }
    }
    let _server = Server(tmux.clone(), socket.clone());
    let tmux_cmd = |args: &[&str]| {
        let out = std::process::Command::new(&tmux)
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            lossy(&out.stderr)
        );
    };
    let mut s = Session::start(sh, &fx, Opts::default());
    s.run(&sh.cd(&shop));
    s.run(&format!(
        "tmux -L {socket} -f '{}' new-session -d -s t -x 200 -y 50",
        conf.display()
    ));
    // The environment of the shell in pane TARGET, as it is once its first
    // prompt has run the hook.
    let pane_env = |target: &str, n: u32| -> String {
        let file = fx.root.join(format!("pane-{n}"));
        // Typed once: tmux takes keys for a pane that is still starting.
        await_dump(&file, &format!("pane {target}"), None, |line| {
            tmux_cmd(&["send-keys", "-t", target, line, "Enter"]);
            None
        })
    };

    // The session's own window, in the project: adopted, bin/ first again
    // after /etc/profile reset PATH.
    let env = pane_env("t:0", 0);
    assert_window_on(&env, &venv);

    tmux_cmd(&["new-window", "-t", "t:1", "-c", elsewhere.to_str().unwrap()]);
    let env = pane_env("t:1", 1);
    assert_window_without(&env, &venv);

    tmux_cmd(&["new-window", "-t", "t:2", "-c", blog.to_str().unwrap()]);
    let env = pane_env("t:2", 2);
    assert_window_on(&env, &blog_venv);
    assert!(
        !env_var(&env, "PATH")
            .unwrap()
            .contains(venv.to_str().unwrap()),
        "{env}"
    );

    tmux_cmd(&["split-window", "-t", "t:1", "-c", shop.to_str().unwrap()]);
    let env = pane_env("t:1.1", 3);
    assert_window_on(&env, &venv);
    let path = env_var(&env, "PATH").unwrap();
    assert_eq!(
        path.matches(&format!("{}/bin", venv.display())).count(),
        1,
        "{path}"
    );
}

/// What the tmux and screen tests share: two projects with venvs, a
/// directory of none, and a login profile that loads the hook (the windows
/// of both are login shells).
struct Windows {
    shop: std::path::PathBuf,
    venv: std::path::PathBuf,
    blog: std::path::PathBuf,
    blog_venv: std::path::PathBuf,
    elsewhere: std::path::PathBuf,
}

impl Windows {
    fn new(fx: &common::Fixture) -> Windows {
        let rvenv_dir = common::rvenv_bin().parent().unwrap().to_path_buf();
        std::fs::write(
            fx.home.join(".bash_profile"),
            format!(
                "PATH='{}':\"$PATH\"\nPS1='RVP> '\neval \"$(rvenv hook bash)\"\n",
                rvenv_dir.display()
            ),
        )
        .unwrap();
        Windows {
            shop: fx.dir("shop"),
            venv: fx.venv("shop/.venv"),
            blog: fx.dir("blog"),
            blog_venv: fx.venv("blog/.venv"),
            elsewhere: fx.dir("elsewhere"),
        }
    }
}

/// Types into a window the line that dumps its shell's environment (`env`,
/// then `declare -F deactivate`) into `file`, written whole by a rename,
/// and returns the dump once there (within 30 s). `type_line` types it and
/// says what went wrong, if anything; it types again after `retype` and
/// at once after a failure, or, without `retype`, never again.
fn await_dump(
    file: &Path,
    what: &str,
    retype: Option<std::time::Duration>,
    mut type_line: impl FnMut(&str) -> Option<String>,
) -> String {
    let f = file.display();
    let line = format!("{{ env; declare -F deactivate; }} >'{f}.tmp'; mv '{f}.tmp' '{f}'");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut said = type_line(&line);
    let mut typed = std::time::Instant::now();
    while !file.exists() {
        if let Some(every) = retype
            && (said.is_some() || typed.elapsed() > every)
        {
            said = type_line(&line);
            typed = std::time::Instant::now();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what} never wrote its environment (last said: {said:?})"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    String::from_utf8(std::fs::read(file).unwrap()).unwrap()
}

/// The value of `name` in `env`, as `env` prints it.
fn env_var(env: &str, name: &str) -> Option<String> {
    env.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// A window's environment (`env`, then `declare -F deactivate`) has `venv`
/// on: VIRTUAL_ENV, its bin/ first on PATH, and deactivate.
fn assert_window_on(env: &str, venv: &Path) {
    assert_eq!(
        env_var(env, "VIRTUAL_ENV"),
        Some(venv.display().to_string()),
        "{env}"
    );
    let path = env_var(env, "PATH").unwrap();
    assert_eq!(
        path.split(':').next().unwrap(),
        venv.join("bin").display().to_string(),
        "{env}"
    );
    assert!(
        env.lines().any(|l| l == "deactivate"),
        "no deactivate: {env}"
    );
}

/// A window's environment has nothing of `venv`.
fn assert_window_without(env: &str, venv: &Path) {
    assert_eq!(env_var(env, "VIRTUAL_ENV"), None, "{env}");
    assert!(
        !env_var(env, "PATH")
            .unwrap()
            .contains(venv.to_str().unwrap()),
        "{env}"
    );
}

/// GNU screen started from a shell whose hook has a venv on: its first
/// window, in the project, adopts the venv (bin/ first again after the
/// login profile reset PATH); a window opened elsewhere has none of it; one
/// opened in another project switches to that one.
#[test]
fn screen_windows() {
    let Some(screen) = common::which("screen") else {
        common::skip("screen is not installed (apt-get install -y screen)");
        return;
    };
    let sh = Shell::Bash;
    if !sh.available() {
        return;
    }
    let fx = common::Fixture::new();
    let Windows {
        shop,
        venv,
        blog,
        blog_venv,
        elsewhere,
    } = Windows::new(&fx);
    // Windows are login shells (`-` before the name), as screen users set.
    let conf = fx.root.join("screenrc");
    let bash = sh.program().unwrap();
    std::fs::write(&conf, format!("shell '-{}'\n", bash.display())).unwrap();
    // screen's sockets, private to the test (screen wants mode 700).
    let sockets = fx.dir("screens");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sockets, std::fs::Permissions::from_mode(0o700)).unwrap();
    let name = format!("rvenv-test-{}", std::process::id());
    struct Server(std::path::PathBuf, String, std::path::PathBuf);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = std::process::Command::new(&self.0)
                .args(["-S", &self.1, "-X", "quit"])
                .env("SCREENDIR", &self.2)
                .status();
        }
    }
    let _server = Server(screen.clone(), name.clone(), sockets.clone());
    // What screen said (it says "No screen session found" on stdout), or
    // None when it did it.
    let screen_try = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new(&screen)
            .arg("-S")
            .arg(&name)
            .args(args)
            .env("SCREENDIR", &sockets)
            .output()
            .unwrap();
        (!out.status.success()).then(|| lossy(&out.stdout) + &lossy(&out.stderr))
    };
    let screen_cmd = |args: &[&str]| {
        if let Some(said) = screen_try(args) {
            panic!("screen {args:?}: {said}");
        }
    };
    let mut s = Session::start(sh, &fx, Opts::default());
    s.run(&sh.cd(&shop));
    s.run(&format!(
        "SCREENDIR='{}' screen -c '{}' -S {name} -d -m",
        sockets.display(),
        conf.display()
    ));
    // The environment of the shell in window N, once its first prompt has
    // run the hook.
    let window_env = |n: u32| -> String {
        let file = fx.root.join(format!("window-{n}"));
        // `screen -d -m` returns before its session takes commands, and a
        // window that is still starting may drop what it gets before its
        // first prompt: typed again until it is done.
        await_dump(
            &file,
            &format!("window {n}"),
            Some(std::time::Duration::from_secs(3)),
            |line| screen_try(&["-p", &n.to_string(), "-X", "stuff", &format!("{line}\r")]),
        )
    };

    let env = window_env(0);
    assert_window_on(&env, &venv);

    screen_cmd(&["-X", "chdir", elsewhere.to_str().unwrap()]);
    screen_cmd(&["-X", "screen"]);
    let env = window_env(1);
    assert_window_without(&env, &venv);

    screen_cmd(&["-X", "chdir", blog.to_str().unwrap()]);
    screen_cmd(&["-X", "screen"]);
    let env = window_env(2);
    assert_window_on(&env, &blog_venv);
    assert!(
        !env_var(&env, "PATH")
            .unwrap()
            .contains(venv.to_str().unwrap()),
        "{env}"
    );
}

/// `exec zsh` (or any shell) in place of the shell whose hook has a venv
/// on: the new shell adopts it, and leaves it when the user leaves.
#[test]
fn exec_another_shell_adopts() {
    for (from, to) in [
        (Shell::Bash, Shell::Zsh),
        (Shell::Zsh, Shell::Fish),
        (Shell::Fish, Shell::Bash),
    ] {
        if !from.available() || !to.available() {
            continue;
        }
        let fx = common::Fixture::new();
        let shop = fx.dir("shop");
        let venv = fx.venv("shop/.venv");
        let mut s = Session::start(from, &fx, Opts::default());
        let orig = s.initial.path().to_vec();
        s.run(&from.cd(&shop));
        s.exec_into(to, Opts::default());
        let step = s.run(to.true_command());
        step.assert_prompt(&prompt_with(b"shop"), &format!("{from:?} -> exec {to:?}"));
        s.state()
            .assert_on(&bytes(&venv), b"shop", &orig, &format!("exec {to:?}"));
        s.run(&to.cd(&fx.root));
        s.state().assert_off(&orig, &format!("exec {to:?}, left"));
    }
}

/// `sudo -E` or `su -m` into root's shell with another user's venv on: the
/// adopted venv passes the same gate as any other, and a venv another
/// account can write is refused, with its line, and taken off PATH.
#[test]
fn another_users_venv_is_not_adopted() {
    let Some(alice) = common::other_user("rvt-alice", None) else {
        return;
    };
    let sh = Shell::Bash;
    let fx = common::Fixture::new();
    let tmp = fx.shared_tmp();
    let shop = tmp.join("shop");
    std::fs::create_dir(&shop).unwrap();
    let venv = fx.venv("tmp/shop/.venv");
    let status = std::process::Command::new("chown")
        .args(["-R", &alice.uid.to_string()])
        .arg(&shop)
        .status()
        .unwrap();
    assert!(status.success());
    let base = common::base_path();
    let path = format!("{}/bin:{}", venv.display(), base.to_str().unwrap());
    let opts = Opts::default()
        .env("VIRTUAL_ENV", &venv)
        .env("__RVENV_VENV", &venv)
        .env("PATH", &path);
    let mut s = Session::start_in(sh, &fx, &shop, opts);
    let step = s.run(sh.true_command());
    step.assert_prompt(PROMPT.as_bytes(), "not adopted");
    let st = s.state();
    assert_eq!(st.var("VIRTUAL_ENV"), None, "{}", s.transcript());
    assert_eq!(lossy(st.path()), lossy(&bytes(&base)), "its bin/ off PATH");
    assert!(
        s.transcript().contains("not activating"),
        "the refusal's line: {}",
        s.transcript()
    );
}

/// A `deactivate` typed in the parent's project holds in a child started
/// there, until the child leaves the project; a venv pinned with `rvenv
/// activate PATH` stays on in the child wherever it goes.
fn deactivate_and_pin_carry_into_a_child(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let tools = fx.venv("tools");
    let elsewhere = fx.dir("elsewhere");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.cd(&shop));
    s.run("deactivate");
    s.state().assert_off(&orig, "parent deactivated");
    s.nest(sh, None, Opts::default());
    s.state().assert_off(&orig, "child: still off");
    s.run(&sh.cd(&elsewhere));
    s.run(&sh.cd(&shop));
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "child left and came back");
    s.exit_to(sh);
    s.state().assert_off(&orig, "parent: still off");

    s.run(&sh.cd(&fx.root));
    s.run(&format!("rvenv activate '{}'", tools.display()));
    s.state()
        .assert_on(&bytes(&tools), b"tools", &orig, "parent pinned");
    s.nest(sh, Some(&elsewhere), Opts::default());
    s.state()
        .assert_on(&bytes(&tools), b"tools", &orig, "child: pinned too");
    s.run(&sh.cd(&fx.root));
    s.state()
        .assert_on(&bytes(&tools), b"tools", &orig, "child: pinned after a cd");
    s.run("deactivate");
    s.state().assert_off(&orig, "child deactivated the pin");
    s.exit_to(sh);
    s.state()
        .assert_on(&bytes(&tools), b"tools", &orig, "parent: still pinned");
}

/// The parent's hook set PYTHONHOME aside for its venv: a child shell that
/// adopts the venv gives it back when the venv goes off there (leaving the
/// project, or `deactivate`), as the parent does, and sets it aside again
/// when the venv comes back on.
fn child_gives_back_the_pythonhome_set_aside(sh: Shell) {
    let fx = common::Fixture::new();
    let shop = fx.dir("shop");
    let venv = fx.venv("shop/.venv");
    let mut s = Session::start(sh, &fx, Opts::default());
    let orig = s.initial.path().to_vec();
    s.run(&sh.export("PYTHONHOME", "/py home:x"));
    let pythonhome = |s: &mut Session| s.state().var("PYTHONHOME").map(lossy);
    s.run(&sh.cd(&shop));
    assert_eq!(pythonhome(&mut s), None, "{sh:?}: set aside in the parent");

    s.nest(sh, None, Opts::default());
    s.run(sh.true_command());
    s.state()
        .assert_on(&bytes(&venv), b"shop", &orig, "child adopted");
    assert_eq!(pythonhome(&mut s), None, "{sh:?}: child adopted");
    s.run(&sh.cd(&fx.root));
    s.state().assert_off(&orig, "child left");
    assert_eq!(
        pythonhome(&mut s).as_deref(),
        Some("/py home:x"),
        "{sh:?}: given back in the child when it left"
    );
    s.run(&sh.cd(&shop));
    assert_eq!(pythonhome(&mut s), None, "{sh:?}: child back in");
    s.run("deactivate");
    s.state().assert_off(&orig, "child deactivated");
    assert_eq!(
        pythonhome(&mut s).as_deref(),
        Some("/py home:x"),
        "{sh:?}: given back by deactivate in the child"
    );

    s.exit_to(sh);
    // The parent's own record holds.
    s.run(sh.true_command());
    assert_eq!(pythonhome(&mut s), None, "{sh:?}: parent after the child");
    s.run(&sh.cd(&fx.root));
    let st = s.state();
    st.assert_off(&orig, "parent left");
    assert_eq!(
        st.var("PYTHONHOME").map(lossy).as_deref(),
        Some("/py home:x"),
        "{sh:?}: given back in the parent"
    );
    assert_eq!(
        st.var("__RVENV_PYTHONHOME"),
        None,
        "{sh:?}: nothing left over"
    );
}

//! The core, kept pure: given the environment, the hook's state and the
//! filesystem, which venv should be active and what must change. Shells only
//! render the [`Decision`] (see `render`).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::discover::{self, VenvSource};
use crate::env::Env;
use crate::pyvenv_cfg::PyvenvCfg;
use crate::quote::display;
use crate::trust::{Trust, Verdict, check_venv};
use crate::vcs::GitCheck;
use crate::venv::{Broken, Venv};

/// What the shell hook remembers between prompts and passes back in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HookState {
    /// The venv the hook activated.
    pub active: Option<PathBuf>,
    /// The project whose venv the user deactivated by hand: stays off until
    /// the user leaves it.
    pub off: Option<PathBuf>,
    /// A venv the user activated with `rvenv activate PATH`: stays on until
    /// the user deactivates it.
    pub pin: Option<PathBuf>,
    /// The venv the user was last told cannot be activated (untrusted,
    /// unsafe, broken): not said again until they leave its project.
    pub told: Option<PathBuf>,
    /// The hook was just loaded (it holds no markers yet): its state is
    /// empty, and what a parent shell's hook exported (`__RVENV_OFF`,
    /// `__RVENV_PIN`) says what the user did there.
    pub fresh: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub venv: PathBuf,
    pub prompt: OsString,
    /// pyvenv.cfg's `version`, for the message.
    pub version: Option<String>,
}

/// A venv the hook of a parent shell activated, inherited through the
/// environment, that this shell's hook takes as its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub venv: PathBuf,
    /// The name it went by in the parent's prompt.
    pub prompt: OsString,
    /// The PYTHONHOME the parent's hook set aside for it (exported as
    /// `__RVENV_PYTHONHOME`), for this shell's hook to give back when the
    /// venv goes off here; none when PYTHONHOME is set here again.
    pub pythonhome: Option<OsString>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Decision {
    /// An inherited venv this shell's hook takes as its own first: its
    /// prompt marked, `deactivate` defined, its bin/ (back) first on PATH.
    /// Then the rest of the decision holds for it as for the hook's venv.
    pub adopt: Option<Adoption>,
    /// The hook's venv, to undo first.
    pub deactivate: Option<PathBuf>,
    pub activate: Option<Activation>,
    /// The project directory the decision holds for (where the walk up
    /// stopped), or None when no source matched up to `/`.
    pub project: Option<PathBuf>,
    pub off: Option<PathBuf>,
    /// The venv a warning was given for (now or before), for HookState.
    pub told: Option<PathBuf>,
    /// What the shell tests to know a `cd` changed nothing.
    pub markers: Vec<OsString>,
    /// Which of `markers` exist in the shell's directory now, one `0` or
    /// `1` each: the signature the hook compares at the next prompt, so
    /// that the shell need not test them itself after each answer. A
    /// marker made between this look and the answer being applied only
    /// makes the next prompt ask again.
    pub signature: String,
    /// The Python project around the working directory when it has no
    /// venv (for `RVENV_AUTO_CREATE`).
    pub without_venv: Option<PathBuf>,
    /// The git index and stamp the hook compares at each prompt while the
    /// venv is on (see `vcs::watch`).
    pub watch: Option<(PathBuf, PathBuf)>,
    /// The venv's pyvenv.cfg and the stamp the hook compares it with at
    /// each prompt while the venv is on (see `runtime_dir::venv_stamp`).
    pub venv_stamp: Option<(PathBuf, PathBuf)>,
    /// Why the venv found is not activated, when that is to be said now
    /// (once per entry into its project); the renderer writes the line.
    pub refusal: Option<Refusal>,
    /// A Python project without a venv, to be said now (once per entry).
    pub no_venv: Option<NoVenv>,
    /// One-line messages for stderr, after the refusal's.
    pub messages: Vec<String>,
    /// A venv pinned in a parent shell (`rvenv activate PATH` there), adopted
    /// here with its pin: the hook records it as pinned.
    pub pin: Option<PathBuf>,
    /// The exported copies of the hook's state that differ from it, for a
    /// child shell (set when Some, unset when None).
    pub exports: Vec<(&'static str, Option<OsString>)>,
}

/// Why a venv is not activated: what happened, with its data, and no shell
/// syntax. `render::refusal_line` writes the line and the next step in the
/// user's shell's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Its path holds `:`, which PATH cannot hold.
    Colon { venv: PathBuf },
    /// It is not whole. `pwd`: the shell's directory, when known for sure
    /// (the hook's), so that paths below it are shown relative to it.
    Broken {
        venv: PathBuf,
        why: Broken,
        pwd: Option<PathBuf>,
    },
    /// Someone else than the user (or root) may be able to change it.
    Unsafe { venv: PathBuf, why: String },
    /// Git tracks files in it, or cannot tell.
    Tracked { venv: PathBuf, git: GitCheck },
    /// The trust store cannot be used; the line says why.
    StoreCorrupt(String),
    /// Allowed once, but the path holds another directory now.
    Replaced { venv: PathBuf },
    /// Never allowed.
    NotTrusted { venv: PathBuf },
}

/// The directory around the shell is plainly a Python project, and no
/// source finds a venv for it: the renderer says how to make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoVenv {
    pub project: PathBuf,
    /// The shell's directory, so the command names the project's `.venv`
    /// from there.
    pub pwd: PathBuf,
}

pub struct HookInput<'a> {
    pub pwd: &'a Path,
    pub state: HookState,
    pub env: &'a Env,
    pub trust: &'a Trust,
}

/// The venv `found` should activate, or why not.
pub fn activation_for(venv: &Path, project: &Path, env: &Env) -> Result<Activation, Refusal> {
    activation_in(venv, project, env, None)
}

/// [`activation_for`], with the shell's working directory when it is known
/// for sure (the hook's): a broken venv's message names paths below it
/// relative to it.
fn activation_in(
    venv: &Path,
    project: &Path,
    env: &Env,
    pwd: Option<&Path>,
) -> Result<Activation, Refusal> {
    if venv.as_os_str().as_bytes().contains(&b':') {
        // PATH cannot hold it: its pieces would become other entries,
        // relative ones among them.
        return Err(Refusal::Colon {
            venv: venv.to_path_buf(),
        });
    }
    let venv_info = Venv::inspect(venv).map_err(|why| Refusal::Broken {
        venv: venv.to_path_buf(),
        why,
        pwd: pwd.map(Path::to_path_buf),
    })?;
    let prompt = venv_info
        .cfg_prompt()
        .unwrap_or_else(|| discover::default_prompt(venv, project, env));
    Ok(Activation {
        venv: venv.to_path_buf(),
        prompt,
        version: venv_info.cfg.version,
    })
}

/// The activation of a venv the hook found by itself: it must be whole,
/// writable only by the user (or root) on every step of its path, hold no
/// file git tracks, and be trusted on its real path. What goes on PATH is
/// the path that was checked (see [`crate::trust::Checked::path`]).
pub fn auto_activation(
    venv: &Path,
    project: &Path,
    env: &Env,
    trust: &Trust,
    pwd: &Path,
) -> Result<Activation, Refusal> {
    let mut activation = activation_in(venv, project, env, Some(pwd))?;
    let checked = check_venv(venv).map_err(|why| Refusal::Unsafe {
        venv: venv.to_path_buf(),
        why,
    })?;
    if checked.path != venv {
        // Its real path goes on PATH instead: that must fit there too.
        activation_for(&checked.path, project, env)?;
    }
    // Before the trust verdict: allowing it would not help.
    let git = crate::vcs::check_resolved(venv, Some(&checked.real), env);
    if git != GitCheck::Clean {
        return Err(Refusal::Tracked {
            venv: venv.to_path_buf(),
            git,
        });
    }
    let verdict = trust.verdict_real(&checked.real);
    if verdict.is_trusted() {
        activation.venv = checked.path;
        return Ok(activation);
    }
    let venv = venv.to_path_buf();
    Err(match verdict {
        Verdict::StoreCorrupt(why) => Refusal::StoreCorrupt(why),
        Verdict::Replaced => Refusal::Replaced { venv },
        _ => Refusal::NotTrusted { venv },
    })
}

/// The venv a parent shell's hook activated, when this shell inherited it
/// and its hook has none yet: `__RVENV_VENV` (exported by the parent's
/// hook) names it, VIRTUAL_ENV is still that venv (no hand activation took
/// over), and it is still a venv. An exported value can be stale or forged:
/// it is only believed when all three agree, and a venv adopted then passes
/// the same gate as any other (the decision for the directory follows, and
/// deactivates it when it is not the project's trusted venv). Its bin/ need
/// not be on PATH: a login profile may have reset PATH; adoption puts it
/// back first.
pub fn inherited(env: &Env, state: &HookState) -> Option<Adoption> {
    if state.active.is_some() {
        return None;
    }
    let venv = env.get("VIRTUAL_ENV").filter(|v| !v.is_empty())?;
    if env.get("__RVENV_VENV") != Some(venv) {
        return None;
    }
    let venv = PathBuf::from(venv);
    if !venv.is_absolute() || !venv.join("pyvenv.cfg").is_file() {
        return None;
    }
    let prompt = name_of(&venv, env);
    let pythonhome = match env.get_set("PYTHONHOME") {
        Some(_) => None,
        None => env.get_set("__RVENV_PYTHONHOME").map(OsStr::to_owned),
    };
    Some(Adoption {
        venv,
        prompt,
        pythonhome,
    })
}

pub fn decide(input: &HookInput, sources: &[Box<dyn VenvSource>]) -> Decision {
    // One snapshot of the disk: a path looked at twice is stat'ed once.
    let _memo = crate::stat_memo::scope();
    let adopt = inherited(input.env, &input.state);
    let mut state = input.state.clone();
    let exported = |name| input.env.get(name).map(PathBuf::from);
    let mut inherited_pin = None;
    if let Some(adoption) = &adopt {
        state.active = Some(adoption.venv.clone());
        // Pinned in the parent: pinned here too.
        if state.fresh && state.pin.is_none() && exported("__RVENV_PIN") == state.active {
            state.pin = state.active.clone();
            inherited_pin = state.pin.clone();
        }
    }
    if state.fresh && state.off.is_none() {
        // Deactivated by hand in the parent's project: off here too, until
        // this shell leaves that project (decide_for drops it then).
        state.off = exported("__RVENV_OFF");
    }
    let input = &HookInput {
        pwd: input.pwd,
        state,
        env: input.env,
        trust: input.trust,
    };
    let mut decision = decide_for(input, sources);
    decision.adopt = adopt;
    decision.pin = inherited_pin;
    // What a child shell will read: kept equal to the hook's state (its
    // pin includes one inherited above).
    for (name, value) in [
        ("__RVENV_OFF", &decision.off),
        ("__RVENV_PIN", &input.state.pin),
    ] {
        if exported(name).as_ref() != value.as_ref() {
            decision
                .exports
                .push((name, value.clone().map(PathBuf::into_os_string)));
        }
    }
    decision
}

fn decide_for(input: &HookInput, sources: &[Box<dyn VenvSource>]) -> Decision {
    let found = discover::find_venv(input.pwd, sources);
    let project = found.as_ref().map(|f| f.project.clone());
    // Leaving the project ends a deactivate typed by the user.
    let off = input
        .state
        .off
        .clone()
        .filter(|off| Some(off) == project.as_ref());
    let markers = discover::hook_markers(sources);
    let signature = markers
        .iter()
        .map(|m| {
            if crate::stat_memo::exists(&input.pwd.join(m)) {
                '1'
            } else {
                '0'
            }
        })
        .collect();
    let mut decision = Decision {
        project,
        off,
        markers,
        signature,
        ..Decision::default()
    };

    let virtual_env = input.env.get("VIRTUAL_ENV").map(PathBuf::from);
    if virtual_env.is_some() && virtual_env != input.state.active {
        // Activated by hand (or inherited): never ours to change.
        return decision;
    }
    if input.state.pin.is_some() && input.state.pin == input.state.active {
        return decision;
    }

    if found.is_none()
        && let Some(dir) = discover::python_project::nearest(input.pwd)
    {
        // Plainly a Python project, and no venv: say how to make one, once
        // per entry (`told` holds the project, as it holds a venv refused).
        if input.state.told.as_ref() != Some(&dir)
            && input.env.get("RVENV_LOG").is_none_or(|v| v != "quiet")
        {
            decision.no_venv = Some(NoVenv {
                project: dir.clone(),
                pwd: input.pwd.to_path_buf(),
            });
        }
        decision.told = Some(dir.clone());
        decision.project = Some(dir.clone());
        decision.without_venv = Some(dir);
    }
    let target = match &found {
        Some(found) if decision.off.is_none() => {
            match auto_activation(
                &found.venv,
                &found.project,
                input.env,
                input.trust,
                input.pwd,
            ) {
                Ok(activation) => Some(activation),
                Err(refusal) => {
                    // Once per entry into the project, not at every cd in it.
                    if input.state.told.as_ref() != Some(&found.venv) {
                        decision.refusal = Some(refusal);
                    }
                    decision.told = Some(found.venv.clone());
                    None
                }
            }
        }
        _ => None,
    };
    // Right after `rvenv deny`, whose one line said what happened: the venv
    // goes off and counts as told, without a "not trusted" line for it.
    let denied = input.env.get("__RVENV_DENIED").is_some();
    if denied {
        decision.refusal = None;
        decision.no_venv = None;
    }
    if target.as_ref().map(|t| &t.venv) == input.state.active.as_ref() {
        return decision;
    }
    decision.deactivate = input.state.active.clone();
    decision.activate = target;
    if !denied && input.env.get("RVENV_LOG").is_none_or(|v| v != "quiet") {
        decision.messages.extend(change_message(
            &decision,
            input.state.active.as_deref(),
            input.env,
        ));
    }
    decision
}

/// `rvenv: activated shop (Python 3.12.1)`: the hook's line, and
/// `rvenv activate`'s.
pub fn activated_message(activation: &Activation) -> String {
    let version = activation
        .version
        .as_deref()
        .map(|v| format!(" (Python {v})"))
        .unwrap_or_default();
    let name = display(&activation.prompt);
    format!("rvenv: activated {name}{version}")
}

/// The one short line a change is worth: what went on, else what went off,
/// each named as the prompt names it (`activated shop` … `deactivated shop`).
fn change_message(decision: &Decision, was_active: Option<&Path>, env: &Env) -> Option<String> {
    if let Some(activation) = &decision.activate {
        return Some(activated_message(activation));
    }
    let was = was_active.filter(|_| decision.deactivate.is_some())?;
    Some(format!(
        "rvenv: deactivated {}",
        display(&name_of(was, env))
    ))
}

/// The name a venv that was active went by: the VIRTUAL_ENV_PROMPT it was
/// activated with, else its pyvenv.cfg's prompt, else its directory's name
/// (the project's, for `.venv` and the like).
fn name_of(venv: &Path, env: &Env) -> std::ffi::OsString {
    if env.get("VIRTUAL_ENV").map(Path::new) == Some(venv)
        && let Some(prompt) = env.get("VIRTUAL_ENV_PROMPT").filter(|p| !p.is_empty())
    {
        return prompt.to_owned();
    }
    if let Some(prompt) = PyvenvCfg::read(venv)
        .ok()
        .and_then(|c| c.prompt)
        .filter(|p| !p.is_empty())
    {
        return prompt;
    }
    let project = venv.parent().unwrap_or(venv);
    discover::default_prompt(venv, project, env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::Shell;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn venv_at(path: &Path) {
        fs::create_dir_all(path.join("bin")).unwrap();
        fs::write(path.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        symlink("/bin/sh", path.join("bin/python")).unwrap();
    }

    fn run(pwd: &Path, state: HookState, env: &Env) -> Decision {
        let sources = discover::sources(env);
        let trust = Trust::load(&Env::from_pairs([("RVENV_TRUSTED_DIRS", "/")]));
        decide(
            &HookInput {
                pwd,
                state,
                env,
                trust: &trust,
            },
            &sources,
        )
    }

    #[test]
    fn untrusted_venv_is_not_activated_and_says_how_to_allow() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p");
        venv_at(&p.join(".venv"));
        let env = Env::from_pairs([("XDG_DATA_HOME", tmp.path().to_str().unwrap())]);
        let trust = Trust::load(&env);
        let sources = discover::sources(&env);
        let input = HookInput {
            pwd: &p,
            state: HookState::default(),
            env: &env,
            trust: &trust,
        };
        let d = decide(&input, &sources);
        assert!(d.activate.is_none());
        assert_eq!(d.project, Some(p.clone()));
        assert_eq!(
            d.refusal,
            Some(Refusal::NotTrusted {
                venv: p.join(".venv")
            })
        );
        assert!(d.messages.is_empty());
        let line = crate::render::refusal_line(d.refusal.as_ref().unwrap(), Shell::Bash, None);
        assert!(line.contains("is not trusted"), "{line}");
        assert!(line.contains("rvenv allow"), "{line}");

        // Said once: not again while in the project.
        let told = HookState {
            told: d.told.clone(),
            ..HookState::default()
        };
        assert_eq!(d.told, Some(p.join(".venv")));
        let again = decide(
            &HookInput {
                state: told,
                ..HookInput {
                    pwd: &p,
                    state: HookState::default(),
                    env: &env,
                    trust: &trust,
                }
            },
            &sources,
        );
        assert!(again.refusal.is_none() && again.messages.is_empty() && again.activate.is_none());

        crate::trust::set_trusted(&env, &p.join(".venv"), true).unwrap();
        let trust = Trust::load(&env);
        let input = HookInput {
            trust: &trust,
            ..input
        };
        let d = decide(&input, &sources);
        assert!(d.activate.is_some());
        // The signature says which markers exist here, one digit each.
        assert_eq!(d.signature.len(), d.markers.len());
        for (digit, marker) in d.signature.chars().zip(&d.markers) {
            assert_eq!(digit == '1', p.join(marker).exists(), "{marker:?}");
        }
        assert!(d.signature.contains('1'));
    }

    #[test]
    fn enter_stay_switch_leave() {
        let tmp = tempfile::tempdir().unwrap();
        let shop = tmp.path().join("shop");
        let blog = tmp.path().join("blog");
        venv_at(&shop.join(".venv"));
        venv_at(&blog.join("venv"));
        fs::create_dir_all(shop.join("src")).unwrap();
        let env = Env::default();

        let d = run(&shop, HookState::default(), &env);
        assert!(d.deactivate.is_none());
        assert_eq!(
            d.activate,
            Some(Activation {
                venv: shop.join(".venv"),
                prompt: "shop".into(),
                version: None,
            })
        );
        assert_eq!(d.project, Some(shop.clone()));

        let active = HookState {
            active: Some(shop.join(".venv")),
            ..HookState::default()
        };
        let shop_env = Env::from_pairs([("VIRTUAL_ENV", shop.join(".venv").to_str().unwrap())]);
        let d = run(&shop.join("src"), active.clone(), &shop_env);
        assert!(d.deactivate.is_none() && d.activate.is_none());

        let d = run(&blog, active.clone(), &shop_env);
        assert_eq!(d.deactivate, Some(shop.join(".venv")));
        assert_eq!(d.activate.unwrap().venv, blog.join("venv"));

        let d = run(tmp.path(), active, &shop_env);
        assert_eq!(d.deactivate, Some(shop.join(".venv")));
        assert!(d.activate.is_none() && d.project.is_none());
    }

    #[test]
    fn hand_activated_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        venv_at(&tmp.path().join("p/.venv"));
        let env = Env::from_pairs([("VIRTUAL_ENV", "/elsewhere/venv")]);
        let d = run(&tmp.path().join("p"), HookState::default(), &env);
        assert!(d.deactivate.is_none() && d.activate.is_none());
    }

    #[test]
    fn deactivate_sticks_until_leaving_the_project() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p");
        venv_at(&p.join(".venv"));
        fs::create_dir_all(p.join("sub")).unwrap();
        let off = HookState {
            off: Some(p.clone()),
            ..HookState::default()
        };
        let env = Env::default();
        let d = run(&p.join("sub"), off.clone(), &env);
        assert!(d.activate.is_none());
        assert_eq!(d.off, Some(p.clone()));
        let d = run(tmp.path(), off, &env);
        assert_eq!(d.off, None);
    }

    #[test]
    fn one_line_per_change_unless_quiet() {
        let tmp = tempfile::tempdir().unwrap();
        let shop = tmp.path().join("shop");
        venv_at(&shop.join(".venv"));
        fs::write(
            shop.join(".venv/pyvenv.cfg"),
            "home = /usr/bin\nversion = 3.12.1\n",
        )
        .unwrap();
        let d = run(&shop, HookState::default(), &Env::default());
        assert_eq!(d.messages, ["rvenv: activated shop (Python 3.12.1)"]);
        let quiet = Env::from_pairs([("RVENV_LOG", "quiet")]);
        assert!(run(&shop, HookState::default(), &quiet).messages.is_empty());
        let active = HookState {
            active: Some(shop.join(".venv")),
            ..HookState::default()
        };
        let env = Env::from_pairs([("VIRTUAL_ENV", shop.join(".venv").to_str().unwrap())]);
        let d = run(tmp.path(), active.clone(), &env);
        // Named as when it was activated, not by its path.
        assert_eq!(d.messages, ["rvenv: deactivated shop"]);
        let named = Env::from_pairs([
            ("VIRTUAL_ENV", shop.join(".venv").to_str().unwrap()),
            ("VIRTUAL_ENV_PROMPT", "my shop"),
        ]);
        let d = run(tmp.path(), active, &named);
        assert_eq!(d.messages, ["rvenv: deactivated my shop"]);
    }

    #[test]
    fn broken_venv_is_not_activated_and_says_why() {
        let tmp = tempfile::tempdir().unwrap();
        let v = tmp.path().join("p/.venv");
        fs::create_dir_all(&v).unwrap();
        fs::write(v.join("pyvenv.cfg"), b"\x00\x01garbage").unwrap();
        let d = run(&tmp.path().join("p"), HookState::default(), &Env::default());
        assert!(d.activate.is_none());
        assert!(
            matches!(d.refusal, Some(Refusal::Broken { .. })),
            "{:?}",
            d.refusal
        );
        let line = crate::render::refusal_line(d.refusal.as_ref().unwrap(), Shell::Bash, None);
        assert!(line.contains("is broken"), "{line}");
    }

    #[test]
    fn pinned_venv_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let tools = tmp.path().join("tools");
        venv_at(&tools);
        let state = HookState {
            active: Some(tools.clone()),
            pin: Some(tools.clone()),
            ..HookState::default()
        };
        let env = Env::from_pairs([("VIRTUAL_ENV", tools.to_str().unwrap())]);
        let d = run(Path::new("/"), state, &env);
        assert!(d.deactivate.is_none() && d.activate.is_none());
    }

    #[test]
    fn prompt_from_cfg() {
        let tmp = tempfile::tempdir().unwrap();
        let v = tmp.path().join("p/.venv");
        venv_at(&v);
        fs::write(v.join("pyvenv.cfg"), "home = /usr/bin\nprompt = '$(x)%'\n").unwrap();
        let d = run(&tmp.path().join("p"), HookState::default(), &Env::default());
        assert_eq!(d.activate.unwrap().prompt, "$(x)%");
    }

    #[test]
    fn an_inherited_venv_is_adopted_only_when_everything_agrees() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("p/.venv");
        venv_at(&venv);
        let v = venv.to_str().unwrap();
        let env_of = |pairs: &[(&'static str, &str)]| Env::from_pairs(pairs.iter().copied());
        let none = HookState::default();
        let both = env_of(&[("VIRTUAL_ENV", v), ("__RVENV_VENV", v)]);
        assert_eq!(inherited(&both, &none).map(|a| a.venv), Some(venv.clone()));
        // This shell's hook has its own venv already.
        let ours = HookState {
            active: Some(venv.clone()),
            ..HookState::default()
        };
        assert_eq!(inherited(&both, &ours), None);
        // The PYTHONHOME the parent set aside comes along (even an empty
        // one), unless PYTHONHOME is set here again.
        assert_eq!(inherited(&both, &none).unwrap().pythonhome, None);
        let aside = env_of(&[
            ("VIRTUAL_ENV", v),
            ("__RVENV_VENV", v),
            ("__RVENV_PYTHONHOME", ""),
        ]);
        assert_eq!(
            inherited(&aside, &none).unwrap().pythonhome,
            Some(OsString::new())
        );
        let again = env_of(&[
            ("VIRTUAL_ENV", v),
            ("__RVENV_VENV", v),
            ("__RVENV_PYTHONHOME", "/ph"),
            ("PYTHONHOME", "/other"),
        ]);
        assert_eq!(inherited(&again, &none).unwrap().pythonhome, None);
        // A hand activation took over, or nothing says a hook made it.
        let other = tmp.path().join("q/.venv");
        venv_at(&other);
        let hand = env_of(&[
            ("VIRTUAL_ENV", other.to_str().unwrap()),
            ("__RVENV_VENV", v),
        ]);
        assert_eq!(inherited(&hand, &none), None);
        assert_eq!(inherited(&env_of(&[("VIRTUAL_ENV", v)]), &none), None);
        // Gone from the disk, or relative.
        fs::remove_file(venv.join("pyvenv.cfg")).unwrap();
        assert_eq!(inherited(&both, &none), None);
        let rel = "p/.venv";
        assert_eq!(
            inherited(
                &env_of(&[("VIRTUAL_ENV", rel), ("__RVENV_VENV", rel)]),
                &none
            ),
            None
        );
    }
}

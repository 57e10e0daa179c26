//! `rvenv status [DIR] [--json]`: which venv applies to DIR and why, and
//! whether the hook would activate it.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::cli::StatusArgs;
use crate::decide::{HookInput, HookState, decide};
use crate::discover;
use crate::env::Env;
use crate::pyvenv_cfg::PyvenvCfg;
use crate::quote::{command_arg, display};
use crate::shell::Shell;
use crate::trust::{Trust, Verdict, check_venv, store_notice};
use crate::venv::Venv;

fn text(path: &Path) -> Value {
    Value::String(path.to_string_lossy().into_owned())
}

fn verdict_key(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Allowed => "allowed",
        Verdict::Made => "made",
        Verdict::TrustedDir(_) => "trusted_dir",
        Verdict::NotAllowed => "not_allowed",
        Verdict::Replaced => "replaced",
        Verdict::StoreCorrupt(_) => "store_corrupt",
    }
}

/// Builds the status as JSON; the human form is printed from the same value.
fn status(dir: &Path, env: &Env) -> Value {
    let sources = discover::sources(env);
    let mut skipped = Vec::new();
    let found = discover::walk(dir, &sources, &mut |source, at, why| {
        skipped.push(json!({"source": source, "dir": text(at), "reason": why}));
    });
    let virtual_env = env.get("VIRTUAL_ENV").map(PathBuf::from);
    // The hook's `rvenv` function says which venv it activated itself.
    let hook_venv = std::env::var_os("__RVENV_HOOK_VENV");
    // What a parent shell's hook exported: a venv it activated.
    let parents = env.get("__RVENV_VENV").filter(|v| !v.is_empty());
    let inherited = virtual_env.is_some()
        && virtual_env.as_deref().map(Path::as_os_str) == parents
        && hook_venv.as_deref().is_none_or(std::ffi::OsStr::is_empty);
    let activated_by = match (&virtual_env, &hook_venv) {
        (None, _) => Value::Null,
        (Some(ve), Some(hook)) if ve.as_os_str() == hook => json!("rvenv"),
        // A parent's hook activated it, and this shell's hook has not
        // taken it yet (or is not loaded).
        _ if inherited => json!("parent_hook"),
        (Some(_), None) => json!("unknown"),
        (Some(_), Some(_)) => json!("hand"),
    };
    // Whether the active venv is still what it claims: gone from the disk,
    // or its bin/ not first on PATH; and what the hook's next prompt does.
    let (stale, next_prompt) = match &virtual_env {
        None => (Value::Null, Value::Null),
        Some(ve) => {
            let bin = ve.join("bin");
            let first = env
                .get("PATH")
                .and_then(|p| std::env::split_paths(p).next())
                .is_some_and(|e| e == bin);
            let ours = activated_by == json!("rvenv") || activated_by == json!("parent_hook");
            let hook_loaded = hook_venv.is_some();
            if !ve.join("pyvenv.cfg").is_file() {
                (
                    json!("the venv is gone"),
                    if ours && hook_loaded {
                        json!("deactivates it")
                    } else {
                        json!("leaves it: run deactivate")
                    },
                )
            } else if !first {
                let conda = env.get("CONDA_PREFIX").is_some();
                (
                    json!("its bin/ is not first on PATH"),
                    if ours && hook_loaded && !conda {
                        json!("puts its bin/ first again")
                    } else {
                        json!("leaves PATH as it is")
                    },
                )
            } else if activated_by == json!("parent_hook") && hook_loaded {
                (Value::Null, json!("takes it as this shell's hook's venv"))
            } else {
                (Value::Null, Value::Null)
            }
        }
    };
    let trust = Trust::load(env);
    // Said, not silently dropped: a relative entry would mean another
    // directory wherever the shell is.
    let notices: Vec<String> = trust
        .ignored_dirs
        .iter()
        .map(|d| {
            format!(
                "ignoring {} in RVENV_TRUSTED_DIRS: only absolute paths count",
                display(d)
            )
        })
        .chain(trust.unsafe_trusted_dirs().into_iter().map(|(d, why)| {
            format!(
                "ignoring {} in RVENV_TRUSTED_DIRS: {}",
                display(d.as_os_str()),
                display(std::ffi::OsStr::new(&why))
            )
        }))
        .chain(store_notice(env).map(|n| n.trim_start_matches("rvenv: ").to_owned()))
        .collect();
    let mut status = json!({
        "dir": text(dir),
        "venv": null, "project": null, "source": null,
        "python_version": null, "home": null, "prompt": null,
        "broken": null, "repair": null, "trusted": false, "trust": null, "trust_detail": null,
        "unsafe_permissions": null, "git_tracked": null, "would_activate": false,
        "real_path": null, "activates_as": null, "hook_says": [], "notices": notices,
        "sources": sources.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "skipped": skipped,
        "active": {
            "virtual_env": virtual_env.as_deref().map(text),
            "activated_by": activated_by,
            "inherited": inherited,
            "stale": stale,
            "next_prompt": next_prompt,
            "is_this_venv": false,
        },
    });
    let Some(found) = found else {
        return status;
    };
    let cfg = PyvenvCfg::read(&found.venv).ok();
    let broken = Venv::inspect(&found.venv).err();
    let repair = broken.as_ref().map(|b| b.repair_option());
    let broken = broken.map(|e| e.to_string());
    let checked = check_venv(&found.venv);
    let verdict = match &checked {
        Ok(c) => trust.verdict_real(&c.real),
        Err(_) => trust.verdict(&found.venv),
    };
    let unsafe_perms = checked.as_ref().err();
    if let Ok(c) = &checked {
        status["real_path"] = text(&c.real);
    }
    let git_tracked = crate::vcs::check(&found.venv, env).reason(Shell::of_user(env));
    // The hook's own decision, not a copy of its conditions: what it does
    // when a shell with no venv on (and none turned off) comes to DIR.
    let arriving = env.without(&["VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "__RVENV_DENIED"]);
    let decision = decide(
        &HookInput {
            pwd: dir,
            state: HookState::default(),
            env: &arriving,
            trust: &trust,
        },
        &sources,
    );
    let would = decision.activate.is_some();
    let home = env.get("HOME").map(Path::new);
    status["hook_says"] = json!(crate::render::decision_lines(
        &decision,
        Shell::of_user(env),
        home
    ));
    status["venv"] = text(&found.venv);
    status["project"] = text(&found.project);
    status["source"] = json!(found.source);
    if let Some(cfg) = &cfg {
        status["python_version"] = json!(cfg.version);
        status["home"] = json!(cfg.home.as_deref().map(|h| h.to_string_lossy()));
    }
    let prompt = cfg
        .and_then(|c| c.prompt)
        .unwrap_or_else(|| discover::default_prompt(&found.venv, &found.project, env));
    status["prompt"] = json!(prompt.to_string_lossy());
    status["broken"] = json!(broken);
    status["repair"] = json!(repair);
    status["trusted"] = json!(verdict.is_trusted());
    status["trust"] = json!(verdict_key(&verdict));
    status["trust_detail"] = json!(verdict.describe());
    status["unsafe_permissions"] = json!(unsafe_perms);
    status["git_tracked"] = json!(git_tracked);
    status["would_activate"] = json!(would);
    if let Some(activation) = &decision.activate {
        status["activates_as"] = text(&activation.venv);
    }
    status["active"]["is_this_venv"] = json!(virtual_env.as_deref() == Some(&found.venv));
    status
}

/// The text form: one `label: value` row per fact, the values lined up.
/// Every value goes through `display`, so nothing from a directory name or
/// pyvenv.cfg reaches the terminal raw.
fn human(status: &Value, shell: Shell) -> String {
    let raw = |key: &str| status[key].as_str().unwrap_or("").to_owned();
    let d = |v: &str| display(std::ffi::OsStr::new(v));
    let s = |key: &str| d(&raw(key));
    let mut rows: Vec<(&str, String)> = vec![("dir", s("dir"))];
    for note in status["notices"].as_array().into_iter().flatten() {
        rows.push(("note", d(note.as_str().unwrap_or(""))));
    }
    for skip in status["skipped"].as_array().into_iter().flatten() {
        rows.push((
            "skipped",
            format!(
                "{} in {}: {}",
                d(skip["source"].as_str().unwrap_or("")),
                d(skip["dir"].as_str().unwrap_or("")),
                d(skip["reason"].as_str().unwrap_or(""))
            ),
        ));
    }
    if status["venv"].is_null() {
        let sources: Vec<&str> = status["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str())
            .collect();
        rows.push((
            "venv",
            format!(
                "none found here or above by {} (create one with: rvenv create)",
                sources.join(", ")
            ),
        ));
    } else {
        rows.push((
            "venv",
            format!(
                "{} (found by {} in {})",
                s("venv"),
                s("source"),
                s("project")
            ),
        ));
        if let Some(real) = status["real_path"].as_str()
            && real != raw("venv")
        {
            rows.push(("real path", d(real)));
        }
        rows.push((
            "python",
            format!(
                "{} (home {})",
                d(status["python_version"].as_str().unwrap_or("unknown")),
                d(status["home"].as_str().unwrap_or("unknown"))
            ),
        ));
        rows.push(("prompt", s("prompt")));
        let venv_arg = command_arg(shell, std::ffi::OsStr::new(&raw("venv")));
        rows.push((
            "health",
            match status["broken"].as_str() {
                Some(why) => format!(
                    "broken: {}; fix: rvenv create {} {venv_arg}",
                    d(why),
                    status["repair"].as_str().unwrap_or("--clear"),
                ),
                None => "ok".into(),
            },
        ));
        rows.push((
            "trusted",
            if status["trusted"] == json!(true) {
                format!("yes, {}", s("trust_detail"))
            } else if matches!(raw("trust").as_str(), "not_allowed" | "replaced")
                && status["unsafe_permissions"].is_null()
            {
                format!(
                    "no, {}; to trust it: rvenv allow {venv_arg}",
                    s("trust_detail")
                )
            } else {
                // Allowing would not help: the store or the permissions
                // must be mended first (their rows say how).
                format!("no, {}", s("trust_detail"))
            },
        ));
        rows.push((
            "permissions",
            match status["unsafe_permissions"].as_str() {
                Some(why) => format!("unsafe: {}", d(why)),
                None => "ok".into(),
            },
        ));
        rows.push((
            "git",
            match status["git_tracked"].as_str() {
                Some(why) => d(why),
                None => "ok, no file in it is tracked".into(),
            },
        ));
        let would = status["would_activate"] == json!(true);
        rows.push(("auto-activates", if would { "yes" } else { "no" }.into()));
    }
    let active = &status["active"];
    rows.push((
        "active",
        match active["virtual_env"].as_str() {
            None => "none".into(),
            Some(ve) => {
                let by = match active["activated_by"].as_str() {
                    Some("rvenv") => "activated by rvenv",
                    Some("hand") => {
                        "activated by hand (here or in a parent shell): the hook leaves it alone"
                    }
                    Some("parent_hook") => "inherited from a parent shell's rvenv hook",
                    _ => "activated outside rvenv's hook, or the hook is not loaded",
                };
                let mut line = format!("{} ({by})", d(ve));
                if let Some(stale) = active["stale"].as_str() {
                    line.push_str(&format!("; stale: {stale}"));
                }
                if let Some(next) = active["next_prompt"].as_str() {
                    line.push_str(&format!("; the next prompt {next}"));
                }
                line
            }
        },
    ));
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0) + 1;
    rows.iter()
        .map(|(label, value)| format!("{:<width$} {value}\n", format!("{label}:")))
        .collect()
}

pub fn run(args: &StatusArgs) -> anyhow::Result<()> {
    let env = Env::from_process();
    let dir = super::activate::dir_arg(args.dir.as_deref())?;
    let status = status(&dir, &env);
    let out = if args.json {
        format!("{status}\n")
    } else {
        human(&status, Shell::of_user(&env))
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

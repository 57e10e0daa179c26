//! `rvenv create --upgrade`: an existing venv pointed at a new base
//! interpreter in place, its site-packages kept: the repair after pyenv or
//! apt replaced 3.12.1 with 3.12.7. As CPython's `--upgrade`, the python
//! links and pyvenv.cfg are rewritten and the activation scripts left as
//! they are (they name the venv, which has not moved).
//!
//! The base is the Python `-p` names, else the venv's own base while it
//! exists, else the newest installed release of the venv's minor version.
//! Another minor version is refused: the packages were installed for this
//! one, and CPython would leave them behind in `lib/python3.X`.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::facts::{self, Facts};
use super::python::{self, Request, Search};
use super::{Created, Options, Seed, layout};
use crate::pyvenv_cfg::PyvenvCfg;
use crate::quote::display;

pub fn upgrade(
    opts: &Options,
    venv: &Path,
    search: &Search,
    cache: Option<&Path>,
) -> anyhow::Result<Created> {
    let old = PyvenvCfg::read(venv)
        .map_err(|e| anyhow::anyhow!("cannot upgrade {}: {e}", venv.display()))?;
    let old_version = old
        .version
        .as_deref()
        .and_then(|v| python::parse_version(v.split(['a', 'b', 'r', '+']).next()?))
        .filter(|v| v.len() >= 2);
    let (base, facts) = match &opts.python {
        Some(spec) => super::base_for(
            &Request::parse(spec),
            &format!("-p {spec}"),
            false,
            search,
            cache,
        )?,
        None => own_base(venv, old_version.as_deref(), search, cache)?,
    };
    if let Some(v) = &old_version
        && facts.version[..2] != v[..2]
    {
        bail!(
            "{} is Python {} but {} is {}: --upgrade keeps a venv's minor version, \
             which its packages are built for; rebuild it with: rvenv create --clear -p {}.{} {}",
            base.display(),
            facts.version_text,
            display(venv.as_os_str()),
            old.version.as_deref().unwrap_or_default(),
            facts.version[0],
            facts.version[1],
            display(venv.as_os_str()),
        );
    }

    let copies = opts.copies || (!opts.symlinks && holds_copies(venv));
    let kept_prompt = old
        .prompt
        .as_ref()
        .filter(|p| !p.is_empty())
        .map(|p| p.to_string_lossy().into_owned());
    let (prompt, cfg_prompt, orig_prompt): (OsString, Option<String>, Option<String>) =
        match &opts.prompt {
            Some(given) => {
                let (prompt, cfg) = super::prompts(opts, venv, search);
                (prompt, cfg, Some(given.clone()))
            }
            // Kept, and recorded in `command`, so that running it again
            // makes the same venv.
            None => match kept_prompt {
                Some(p) => (p.clone().into(), Some(p.clone()), Some(p)),
                None => (super::default_prompt(venv), None, None),
            },
        };
    let has_pip = venv.join(&facts.purelib).join("pip").is_dir();
    let wheels = match opts.seed {
        Seed::None => Vec::new(),
        Seed::Default | Seed::Required if !has_pip => {
            super::seed::bundled(&facts.stdlib, facts.version)
        }
        Seed::Default | Seed::Required => Vec::new(),
    };
    let plan = layout::Plan {
        venv,
        base: &base,
        facts: &facts,
        prompt: &prompt,
        cfg_prompt: cfg_prompt.as_deref(),
        system_site_packages: opts.system_site_packages || old.include_system_site_packages,
        copies,
        // Its pip stays (with site-packages), or is installed now, as
        // CPython's --upgrade runs ensurepip: `command` says so.
        seed: has_pip || !wheels.is_empty(),
        clear: false,
        orig_prompt: orig_prompt.as_deref(),
        upgrade: true,
        scm_ignore_files: !opts.without_scm_ignore_files,
        upgrade_deps: false,
    };
    relink(venv, &plan)?;
    let seeded = if wheels.is_empty() {
        Vec::new()
    } else {
        super::seed::install(venv, &plan, &wheels, cache)?
    };
    Ok(Created {
        path: venv.to_owned(),
        facts,
        seeded,
        no_pip_to_seed: false,
        replaced: false,
        upgraded: true,
        chosen_for: None,
    })
}

/// The venv's own base while it exists, else the newest installed release
/// of `version`'s minor version.
fn own_base(
    venv: &Path,
    version: Option<&[u32]>,
    search: &Search,
    cache: Option<&Path>,
) -> anyhow::Result<(PathBuf, Facts)> {
    let name = ["python3", "python"]
        .iter()
        .find(|n| venv.join("bin").join(n).symlink_metadata().is_ok())
        .copied()
        .unwrap_or("python3");
    let gone = match python::venv_base(venv, OsStr::new(name)) {
        Ok(base) => {
            return super::base_for(&Request::Path(base), "", false, search, cache);
        }
        Err(why) => why,
    };
    let Some(version) = version else {
        bail!("{gone} and its pyvenv.cfg names no version; name a Python with -p");
    };
    let minor = &version[..2];
    let mut best: Option<(PathBuf, Facts)> = None;
    for candidate in python::candidates(minor, search)? {
        let Ok(facts) = facts::facts(&candidate, cache) else {
            continue;
        };
        if facts.version.starts_with(minor)
            && best.as_ref().is_none_or(|(_, b)| facts.version > b.version)
        {
            best = Some((candidate, facts));
        }
    }
    best.with_context(|| {
        format!(
            "{gone}, and no other Python {} is installed; install one, or rebuild the venv \
             with: rvenv create --clear -p 3.X {}",
            python::join_version(minor),
            display(venv.as_os_str())
        )
    })
}

/// Whether the venv's python is a copy rather than a link.
fn holds_copies(venv: &Path) -> bool {
    ["python3", "python"].iter().any(|n| {
        venv.join("bin")
            .join(n)
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_file())
    })
}

/// Rewrites the venv's python links (or copies), each replaced by a
/// rename, makes the directories the new base expects, and writes
/// pyvenv.cfg last, by a rename too. Links left dangling by the old base
/// (`python3.12` when the new base is called `python3`) are pointed at the
/// new one.
fn relink(venv: &Path, plan: &layout::Plan) -> anyhow::Result<()> {
    let bin = venv.join("bin");
    std::fs::create_dir_all(&bin).with_context(|| format!("cannot create {}", bin.display()))?;
    let names = plan.bin_names();
    let place = |name: &OsStr, target: Option<&Path>| -> anyhow::Result<()> {
        let dest = bin.join(name);
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".rvenv-tmp{}", std::process::id()));
        let tmp = bin.join(tmp_name);
        let _ = std::fs::remove_file(&tmp);
        match target {
            Some(link) => symlink(link, &tmp),
            None => std::fs::copy(plan.base, &tmp).and_then(|_| {
                std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
            }),
        }
        .and_then(|()| std::fs::rename(&tmp, &dest))
        .with_context(|| format!("cannot write {}", dest.display()))
    };
    for (i, name) in names.iter().enumerate() {
        let target = match (plan.copies, i) {
            (true, _) => None,
            (false, 0) => Some(plan.base),
            (false, _) => Some(Path::new(&names[0])),
        };
        place(name, target)?;
    }
    for entry in std::fs::read_dir(&bin).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let interpreter = name.as_encoded_bytes().starts_with(b"python")
            || name.as_encoded_bytes().starts_with(b"pypy");
        let dangling = entry
            .path()
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
            && entry.path().metadata().is_err();
        if interpreter && dangling && !names.contains(&name) {
            place(&name, Some(Path::new(&names[0])))?;
        }
    }
    for dir in [plan.site_packages(), plan.facts.include.clone()] {
        let dir = venv.join(dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let lib64 = venv.join("lib64");
    if plan.facts.lib64
        && plan.facts.purelib.starts_with("lib")
        && lib64.symlink_metadata().is_err()
    {
        symlink("lib", &lib64).context("cannot create lib64")?;
    }
    if plan.scm_ignore_files {
        layout::write(&venv.join(".gitignore"), layout::GITIGNORE)?;
    }
    let cfg = venv.join("pyvenv.cfg");
    let tmp = venv.join(format!(".pyvenv.cfg.rvenv-tmp{}", std::process::id()));
    layout::write(&tmp, &layout::pyvenv_cfg(plan))?;
    std::fs::rename(&tmp, &cfg).with_context(|| format!("cannot write {}", cfg.display()))
}
